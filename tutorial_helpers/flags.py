"""The command-line flags of the steps, each value checked before anything loads."""
import argparse
import os
from pathlib import Path

DEFAULT_SEED = 42


def _whole_number(text, minimum, rule):
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}")
    if value < minimum:
        raise argparse.ArgumentTypeError(f"{rule}, got {value}")
    return value


def positive_int(text):
    """argparse type: a whole number of at least 1."""
    return _whole_number(text, 1, "must be at least 1")


def non_negative_int(text):
    """argparse type: a whole number of at least 0."""
    return _whole_number(text, 0, "must be 0 or more")


class _HelpWithDefaults(argparse.ArgumentDefaultsHelpFormatter):
    """--help shows each flag's default, except where there is none (or it is an off switch)."""

    def _get_help_string(self, action):
        if action.default is None or action.default is False:
            return action.help
        return super()._get_help_string(action)


def positive_number(text):
    """argparse type: a number above 0, such as a learning rate of 0.001 (or of 10)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number such as 0.001, got {text!r}")
    if not 0 < value < float("inf"):
        raise argparse.ArgumentTypeError(f"must be a number above 0, got {text}")
    return value


def keras_file(text):
    """argparse type: a path to write a model to, checked before any training starts."""
    path = Path(text).expanduser()
    if path.suffix != ".keras":
        raise argparse.ArgumentTypeError(
            f"{text}: the file name must end in .keras (Keras's own model format)")
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{text} is a folder: give a file name")
    folder = path.parent
    if not folder.is_dir():
        raise argparse.ArgumentTypeError(f"{text}: the folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise argparse.ArgumentTypeError(
            f"{text}: cannot write into the folder {folder} (permission denied)")
    return path


def make_parser(doc, epochs=None, seed=DEFAULT_SEED):
    """A parser with --data-dir, and --epochs/--seed when the step trains (their defaults:
    epochs, seed)."""
    parser = argparse.ArgumentParser(
        description=doc.strip().splitlines()[0],
        formatter_class=_HelpWithDefaults)
    if epochs is not None:
        parser.add_argument("--epochs", type=positive_int, default=epochs,
                            help="how many passes over the training images")
        parser.add_argument("--seed", type=non_negative_int, default=seed,
                            help="random seed: the same seed gives the same numbers")
    parser.add_argument("--data-dir", metavar="DIR",
                        help="folder with the four Fashion-MNIST .gz files "
                             "(or set FASHION_MNIST_DIR); default: the Keras cache, "
                             "then /usr/share/datasets/fashion-mnist, then download")
    return parser
