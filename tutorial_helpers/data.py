"""Finding Fashion-MNIST offline first, reading it with checks, and only then downloading."""
import gzip
import os
import shutil
import tempfile
import zlib
from pathlib import Path

import numpy as np

from .console import fail, quiet_tensorflow, unfinished

CLASS_NAMES = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
               "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]

# The four files of Fashion-MNIST, as Keras and the Debian package name them.
FILES = {
    "train_images": "train-images-idx3-ubyte.gz",
    "train_labels": "train-labels-idx1-ubyte.gz",
    "test_images": "t10k-images-idx3-ubyte.gz",
    "test_labels": "t10k-labels-idx1-ubyte.gz",
}
FULL_SIZES = {"train": 60_000, "test": 10_000}
DOWNLOAD_URL = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
# Where the Debian/Ubuntu package dataset-fashion-mnist installs the files.
SYSTEM_DATA_DIRS = [Path("/usr/share/datasets/fashion-mnist")]


def keras_cache_dir():
    """The folder where Keras's load_data() keeps Fashion-MNIST."""
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return Path(home) / "datasets" / "fashion-mnist"


def has_all_files(folder):
    """Whether folder holds the four Fashion-MNIST files."""
    return all((folder / name).is_file() for name in FILES.values())


def system_data_dir():
    """The Debian package's folder, if it holds the four files; else None."""
    return next((folder for folder in SYSTEM_DATA_DIRS if has_all_files(folder)), None)


def _read_idx(path, magic, item_shape, fix, shown=None):
    """Read one IDX .gz file into a uint8 array, checking everything that can be wrong.

    The pixels are decompressed straight into the array: no second copy in memory.
    Messages name the file as `shown` (default: its path).
    """
    shown = shown or path
    header_size = 4 * (2 + len(item_shape))
    try:
        with gzip.open(path, "rb") as stream:
            header = stream.read(header_size)
            if len(header) < header_size or int.from_bytes(header[:4], "big") != magic:
                fail(f"Error: {shown} is not a Fashion-MNIST file (wrong IDX header).", fix)
            dims = [int.from_bytes(header[i:i + 4], "big")
                    for i in range(4, header_size, 4)]
            count, shape = dims[0], tuple(dims[1:])
            if shape != item_shape or count > 1_000_000:
                fail(f"Error: {shown} has the wrong shape: {count} items of {shape}.", fix)
            array = np.empty((count,) + item_shape, dtype=np.uint8)
            filled = stream.readinto(memoryview(array).cast("B"))
            surplus = stream.read(1)  # reading to the end also checks the gzip CRC
    except EOFError:
        fail(f"Error: {shown} is incomplete (the compressed data ends too early).", fix)
    except PermissionError:
        fail(f"Error: cannot read {shown}: permission denied.")
    except (gzip.BadGzipFile, zlib.error, OSError):
        fail(f"Error: {shown} is damaged: it is not a valid .gz file.", fix)
    if filled != array.nbytes or surplus:
        fail(f"Error: {shown} has the wrong shape: its header promises {count} items "
             f"but it holds {'more' if surplus else 'fewer'}.", fix)
    return array


def _read_folder(folder, fix, shown_prefix=None):
    arrays = {}
    for key, name in FILES.items():
        is_images = key.endswith("images")
        arrays[key] = _read_idx(folder / name, 2051 if is_images else 2049,
                                (28, 28) if is_images else (), fix,
                                shown_prefix and shown_prefix + name)
    return arrays


def _check(arrays, folder, fix):
    """Check that images and labels belong together and labels are 0-9."""
    for split in ("train", "test"):
        images, labels = arrays[f"{split}_images"], arrays[f"{split}_labels"]
        if len(images) != len(labels):
            fail(f"Error: in {folder}, the {split} images ({len(images)}) and labels "
                 f"({len(labels)}) do not match.", fix)
        if len(labels) == 0 or labels.max() > 9:
            fail(f"Error: in {folder}, {FILES[f'{split}_labels']} has labels outside 0-9.",
                 fix)
    sizes = {split: len(arrays[f"{split}_labels"]) for split in FULL_SIZES}
    if sizes != FULL_SIZES:
        print(f"Note: this copy holds {sizes['train']:,} training and {sizes['test']:,} "
              f"test images, not the full {FULL_SIZES['train']:,} and {FULL_SIZES['test']:,}.")


def _download_into(cache):
    """Download the four files with Keras's get_file, into the Keras cache; return
    their arrays, read and checked as they landed.

    The files land in a temporary folder first and move into the cache only once
    all four are complete, so a failed or interrupted download leaves nothing
    half-written behind.
    """
    with quiet_tensorflow():
        import keras
    cache.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".download-", dir=cache))
    unfinished.add(staging)
    try:
        for name in FILES.values():
            keras.utils.get_file(name, origin=DOWNLOAD_URL + name,
                                 cache_dir=str(staging), cache_subdir="")
        arrays = _read_folder(staging, "Run this step again to download it afresh.",
                              "the downloaded ")
        for name in FILES.values():
            os.replace(staging / name, cache / name)
        return arrays
    except Exception as error:
        reason = str(error).split(" -- ")[-1] or type(error).__name__
        fail("Error: Fashion-MNIST is not on this machine and could not be downloaded",
             f"({reason}).",
             "To work offline, install it:  sudo apt install dataset-fashion-mnist",
             "or pass a folder that holds the four .gz files:  --data-dir DIR")
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        unfinished.discard(staging)


def load_fashion_mnist(data_dir=None):
    """Return (x_train, y_train), (x_test, y_test) as uint8 arrays, as Keras's loader,
    tf.keras.datasets.fashion_mnist.load_data(), does, without importing TensorFlow.

    Looks, in this order, at: data_dir or $FASHION_MNIST_DIR; the Keras cache
    ($KERAS_HOME/datasets/fashion-mnist, default ~/.keras/..., where load_data()
    keeps the files); the Debian package's folder; and only then downloads with
    Keras's get_file into its cache. Whatever the source, the files are read here,
    once, and checked.
    """
    chosen = data_dir or os.environ.get("FASHION_MNIST_DIR")
    arrays = None  # read below, unless a download has read them already
    if chosen:
        folder = Path(chosen).expanduser()
        flag = "--data-dir" if data_dir else "FASHION_MNIST_DIR"
        if not folder.is_dir():
            fail(f"Error: {flag} {chosen}: no such folder.",
                 "Give a folder that holds the four Fashion-MNIST .gz files.")
        if not os.access(folder, os.R_OK | os.X_OK):
            fail(f"Error: {flag} {chosen}: this folder cannot be read (permission denied).")
        missing = [name for name in FILES.values() if not (folder / name).is_file()]
        if missing:
            fail(f"Error: {flag} {chosen} lacks {', '.join(missing)}.",
                 "The folder needs all four files: " + ", ".join(FILES.values()) + ".")
        source, fix = folder, "Delete it or replace it with a good copy, then run again."
    else:
        cache = keras_cache_dir()
        system = system_data_dir()
        if has_all_files(cache):
            source = cache
        elif system is not None:
            source = system
        else:
            print("Fashion-MNIST is not on this machine yet: downloading it (30 MB) ...")
            arrays = _download_into(cache)
            source = cache
        if source == cache:
            fix = "Delete that file and run this step again: Keras downloads a fresh copy."
        else:
            fix = "Reinstall it:  sudo apt install --reinstall dataset-fashion-mnist"
    # One reader for every source, with every check, and no TensorFlow: Keras's own
    # loader would read the same four files again and need TensorFlow to do it.
    if arrays is None:
        print(f"Loading Fashion-MNIST from {source} ...", flush=True)
        arrays = _read_folder(source, fix)  # checks every file before anything trains
    _check(arrays, source, fix)
    return ((arrays["train_images"], arrays["train_labels"]),
            (arrays["test_images"], arrays["test_labels"]))
