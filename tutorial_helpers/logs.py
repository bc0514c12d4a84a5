"""TensorBoard logs: the --logdir flag, one folder per run, and step 5's pictures.

- logdir():      argparse type for --logdir, refused before training if unusable.
- run_folder():  DIR/STEP/MODEL, named after the settings that differ from the
                 defaults, so that experiments line up side by side in TensorBoard;
                 a rerun with the same settings replaces its folder.
- log_test_images(): the test images a model got wrong and its confusion matrix,
                 as pictures, into the run's test/ folder.
"""
import argparse
import errno
import importlib.util
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np

from .console import fail
from .data import CLASS_NAMES


def logdir(text):
    """argparse type: a folder to write TensorBoard logs into (made if missing)."""
    if importlib.util.find_spec("tensorboard") is None:
        raise argparse.ArgumentTypeError(
            "TensorBoard is not installed in this Python: pip install -r requirements.txt")
    path = Path(text).expanduser()
    if path.exists() and not path.is_dir():
        raise argparse.ArgumentTypeError(f"{text} is a file: give a folder for the logs")
    existing = path
    while not existing.exists():  # the folder is made later: check where it will be
        existing = existing.parent
    if not existing.is_dir():
        raise argparse.ArgumentTypeError(f"{text}: {existing} is a file, not a folder")
    try:  # really try: a permission check alone misses read-only disks
        os.rmdir(tempfile.mkdtemp(prefix=".logdir-check-", dir=existing))
    except OSError as error:
        why = {errno.EACCES: " (permission denied)", errno.EPERM: " (permission denied)",
               errno.EROFS: " (read-only file system)"}.get(error.errno, "")
        raise argparse.ArgumentTypeError(f"{text}: cannot write into {existing}{why}")
    return path


# Flags that do not change what is learned, so they stay out of a run's name.
_NOT_SETTINGS = {"help", "data_dir", "logdir"}
# Run folders already emptied by this process: a second call only names it.
_prepared = set()


def run_name(parser, args, model):
    """MODEL, then each setting that differs from its default: conv-epochs15-patience4."""
    changed = [f"{dest.replace('_', '-')}{value}" for dest, value in vars(args).items()
               if dest not in _NOT_SETTINGS and value != parser.get_default(dest)]
    return "-".join([model, *changed])


def run_folder(parser, args, model):
    """The folder for this run's logs: LOGDIR/STEP/NAME, as a string for Keras.

    The first time a process asks for it, a folder left by an earlier run with the
    same settings is removed, so that its curves never mix with this run's.
    """
    folder = args.logdir / Path(parser.prog).stem / run_name(parser, args, model)
    if folder not in _prepared:
        try:
            if folder.is_dir() and not folder.is_symlink():
                shutil.rmtree(folder)
            elif folder.exists() or folder.is_symlink():
                folder.unlink()
            folder.mkdir(parents=True)
        except OSError as error:
            fail(f"Error: cannot write TensorBoard logs to {folder}: "
                 f"{error.strerror or error}.")
        _prepared.add(folder)
    return str(folder)


# --- pictures ------------------------------------------------------------------

# Digits 0-9 in a 3x5 pixel font, one row of 3 pixels per number, top to bottom.
_DIGITS = ["111101101101111", "010110010010111", "111001111100111", "111001111001111",
           "101101111001001", "111100111001111", "111100111101111", "111001001001001",
           "111101111101111", "111101111001111"]


def _draw_number(canvas, number, top, left, scale, color):
    """Write number into the RGB canvas, its top-left corner at (top, left)."""
    for k, digit in enumerate(str(number)):
        glyph = np.array([int(bit) for bit in _DIGITS[int(digit)]], bool).reshape(5, 3)
        glyph = glyph.repeat(scale, axis=0).repeat(scale, axis=1)
        x = left + k * 4 * scale
        canvas[top:top + 5 * scale, x:x + 3 * scale][glyph] = color


def confusion_picture(matrix, cell=36, scale=2):
    """The confusion matrix as an RGB image with its counts written in.

    Rows are the true classes, columns the predicted ones, both numbered 0-9 along
    the edges. The diagonal (right answers) is green, darker for a class more often
    right; the other cells (mistakes) go from white to red, the reddest being the
    pair confused most often.
    """
    matrix = np.asarray(matrix)
    n = len(matrix)
    margin = cell // 2 + 4
    size = margin + n * cell
    canvas = np.full((size, size, 3), 255, np.uint8)
    right = matrix.diagonal() / matrix.sum(axis=1).clip(min=1)
    off = matrix * (1 - np.eye(n, dtype=matrix.dtype))
    worst = max(off.max(), 1)
    for row in range(n):
        for col in range(n):
            if row == col:
                shade = right[row]
                color = (255 - 204 * shade, 255 - 115 * shade, 255 - 204 * shade)
            else:
                shade = off[row, col] / worst
                color = (255 - 30 * shade, 255 - 217 * shade, 255 - 217 * shade)
            top, left = margin + row * cell, margin + col * cell
            canvas[top:top + cell, left:left + cell] = np.array(color).astype(np.uint8)
            canvas[top, left:left + cell] = canvas[top:top + cell, left] = 200  # grid
            count = int(matrix[row, col])
            ink = 255 if shade > 0.75 else 0
            width = (4 * len(str(count)) - 1) * scale
            _draw_number(canvas, count, top + (cell - 5 * scale) // 2,
                         left + (cell - width) // 2, scale, ink)
        # The class numbers along the top and the left side.
        middle = margin + row * cell + (cell - 3 * scale) // 2
        _draw_number(canvas, row, (margin - 5 * scale) // 2, middle, scale, 0)
        _draw_number(canvas, row, margin + row * cell + (cell - 5 * scale) // 2,
                     (margin - 3 * scale) // 2, scale, 0)
    return canvas


def _enlarge(image, factor=4):
    """A 28x28 grey image as 112x112, each pixel a 4x4 square, with a channel axis."""
    return np.asarray(image).repeat(factor, axis=0).repeat(factor, axis=1)[..., None]


def log_test_images(folder, images, labels, predicted, confidence, matrix, most=24):
    """Write the first `most` test images the model got wrong, and its confusion
    matrix, for TensorBoard's Images tab (run FOLDER/test)."""
    import tensorflow as tf

    wrong = np.flatnonzero(predicted != labels)[:most]
    legend = ", ".join(f"{k} {name}" for k, name in enumerate(CLASS_NAMES))
    table = "\n".join(
        ["| True class | " + " | ".join(map(str, range(10))) + " |",
         "|---" * 11 + "|"]
        + [f"| {k} {name} | " + " | ".join(map(str, row)) + " |"
           for k, (name, row) in enumerate(zip(CLASS_NAMES, np.asarray(matrix)))])
    try:
        with tf.summary.create_file_writer(str(Path(folder) / "test")).as_default():
            for n, i in enumerate(wrong, start=1):
                true, guess = CLASS_NAMES[labels[i]], CLASS_NAMES[predicted[i]]
                tf.summary.image(
                    f"mistakes/{n:02d} test image {i}: {true}, predicted {guess}",
                    _enlarge(images[i])[None], step=0,
                    description=f"Test image {i}. True class: **{true}**. "
                                f"Predicted: **{guess}**, {confidence[i]:.0%} sure.")
            tf.summary.image(
                "confusion matrix", confusion_picture(matrix)[None], step=0,
                description="Rows are the true classes, columns the predicted ones: "
                            f"{legend}. Green: right answers; red: mistakes, the "
                            "redder the more often.")
            tf.summary.text("confusion matrix counts", table, step=0,
                            description="The counts of the confusion matrix picture.")
    except (OSError, tf.errors.OpError) as error:
        fail(f"Error: cannot write TensorBoard logs to {folder}: "
             f"{getattr(error, 'strerror', None) or error}.")
