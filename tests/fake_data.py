"""Small, learnable stand-ins for Fashion-MNIST, written as real IDX .gz files."""
import gzip
from pathlib import Path

import numpy as np

NAMES = {
    "train_images": "train-images-idx3-ubyte.gz",
    "train_labels": "train-labels-idx1-ubyte.gz",
    "test_images": "t10k-images-idx3-ubyte.gz",
    "test_labels": "t10k-labels-idx1-ubyte.gz",
}


def make_images(labels, rng):
    """Class k is a bright band at rows 2k+4..2k+5 over dim noise: easy to learn."""
    images = rng.integers(0, 60, size=(len(labels), 28, 28), dtype=np.uint8)
    for i, label in enumerate(labels):
        images[i, 2 * label + 4: 2 * label + 6, 4:24] = 255
    return images


def idx_bytes(array):
    """The IDX encoding: magic number (0x0801 labels, 0x0803 images), sizes, data."""
    magic = 0x0800 + array.ndim
    header = magic.to_bytes(4, "big") + b"".join(
        n.to_bytes(4, "big") for n in array.shape)
    return header + array.astype(np.uint8).tobytes()


def write_dataset(folder, n_train=1200, n_test=300, seed=0, lookalike=None, unlearnable=False):
    """Write the four .gz files into folder (created if needed); return folder.

    lookalike=(a, b): half of the images of class a are drawn as class b, so that
    no model can tell those apart and a is bound to be taken for b.
    unlearnable: each image is drawn as a class picked at random, whatever its label
    says, so that no model can do better than guessing on the test images.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    arrays = {}
    for split, n in (("train", n_train), ("test", n_test)):
        labels = (np.arange(n) % 10).astype(np.uint8)
        rng.shuffle(labels)
        drawn = labels.copy()
        if lookalike:
            a, b = lookalike
            drawn[np.flatnonzero(labels == a)[::2]] = b
        if unlearnable:
            drawn = rng.permutation(drawn)
        arrays[f"{split}_labels"] = labels
        arrays[f"{split}_images"] = make_images(drawn, rng)
    for key, name in NAMES.items():
        with gzip.open(folder / name, "wb") as f:
            f.write(idx_bytes(arrays[key]))
    return folder
