"""Plumbing shared by the tutorial steps: nothing here is part of the lesson.

- make_parser(): the command-line flags every step understands, validated.
- quiet_tensorflow(): import TensorFlow without its start-up log lines.
- load_fashion_mnist(): find the data offline first, check it, and only then download.
- draw_image() / image_lines(): draw a 28x28 image in the terminal.
- draw_images_in_a_row(), print_table(), gap_bar(): more terminal drawing, for step 3.
- save_model(): write a Keras model to a .keras file that is never left half-written.
- save_results(): note what a step measured, for the scenario's checks and the benchmark.
- Ctrl-C ends a step with one line and exit code 130 instead of a traceback.
"""
import argparse
import contextlib
import gzip
import json
import os
import re
import shutil
import signal
import sys
import tempfile
import zlib
from pathlib import Path

import numpy as np

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
DEFAULT_SEED = 42


def fail(*lines):
    """End the step with a short message on stderr and exit code 1."""
    sys.stdout.flush()
    raise SystemExit("\n".join(lines))


# --- Ctrl-C ------------------------------------------------------------------

# Temporary files and folders to delete if Ctrl-C stops the step before they
# are moved into place (a download in progress, a model being saved).
_unfinished = set()
# Where the learner's stderr is: quiet_tensorflow() points fd 2 elsewhere for a while.
_stderr_fd = 2


def _stop_on_ctrl_c(signum, frame):
    sys.stdout.write("\n")
    sys.stdout.flush()
    sys.stderr.flush()
    os.write(_stderr_fd, b"Stopped by Ctrl-C.\n")
    for path in _unfinished:
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    # End at once: raising SystemExit inside fit() lets Python shut down while
    # TensorFlow's threads still run, which can abort the process (exit -6).
    os._exit(130)


signal.signal(signal.SIGINT, _stop_on_ctrl_c)


# --- command-line flags ------------------------------------------------------

def positive_int(text):
    """argparse type: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}")
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def non_negative_int(text):
    """argparse type: a whole number of at least 0."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}")
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {value}")
    return value


class _HelpWithDefaults(argparse.ArgumentDefaultsHelpFormatter):
    """--help shows each flag's default, except where there is none."""

    def _get_help_string(self, action):
        if action.default is None:
            return action.help
        return super()._get_help_string(action)


def fraction(text):
    """argparse type: a number above 0 and at most 1, such as an accuracy of 0.9."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number such as 0.9, got {text!r}")
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"must be above 0 and at most 1, got {text}")
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


def make_parser(doc, epochs=None):
    """A parser with --data-dir, and --epochs/--seed when the step trains (epochs=default)."""
    parser = argparse.ArgumentParser(
        description=doc.strip().splitlines()[0],
        formatter_class=_HelpWithDefaults)
    if epochs is not None:
        parser.add_argument("--epochs", type=positive_int, default=epochs,
                            help="how many passes over the training images")
        parser.add_argument("--seed", type=non_negative_int, default=DEFAULT_SEED,
                            help="random seed: the same seed gives the same numbers")
    parser.add_argument("--data-dir", metavar="DIR",
                        help="folder with the four Fashion-MNIST .gz files "
                             "(or set FASHION_MNIST_DIR); default: the Keras cache, "
                             "then /usr/share/datasets/fashion-mnist, then download")
    return parser


# --- a quiet TensorFlow ------------------------------------------------------

# Lines TensorFlow's C++ core writes while it loads: absl's notice, glog-style
# records such as "I0000 00:00:1795519780.52  3702 port.cc:153] oneDNN custom ...",
# and the text that continues a record on the next line.
_NOISE = re.compile(
    r"WARNING: All log messages before absl::InitializeLog\(\) is called"
    r"|[IWEF]\d{4} [\d:.]+\s+\d+ \S+:\d+\]"
    r"|To enable the following instructions:"
    r"|.*(?:TF-TRT Warning|cuda|cuDNN|cuFFT|cuBLAS|TensorRT)")


@contextlib.contextmanager
def quiet_tensorflow():
    """Run `import tensorflow` inside this block to hide its start-up log lines.

    Everything written to stderr meanwhile is held back; afterwards the lines that
    are not TensorFlow's log noise are written out. If the import fails, all of it is.
    """
    global _stderr_fd
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # C++ logs after start-up
    sys.stderr.flush()
    saved_fd = _stderr_fd = os.dup(2)
    failed = True
    with tempfile.TemporaryFile() as held:
        os.dup2(held.fileno(), 2)
        try:
            yield
            failed = False
        except SystemExit:
            failed = False
            raise
        except ModuleNotFoundError as error:
            if error.name not in ("tensorflow", "keras"):
                raise
            failed = False
            fail(f"Error: {error.name} is not installed in this Python ({sys.executable}).",
                 "Install the tutorial's requirements first:  pip install -r requirements.txt")
        finally:
            sys.stderr.flush()
            os.dup2(saved_fd, 2)
            _stderr_fd = 2
            os.close(saved_fd)
            held.seek(0)
            for line in held.read().decode(errors="replace").splitlines(True):
                if failed or not _NOISE.match(line):
                    sys.stderr.write(line)
            sys.stderr.flush()


# --- loading the data --------------------------------------------------------

def keras_cache_dir():
    """The folder where Keras's load_data() keeps Fashion-MNIST."""
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return Path(home) / "datasets" / "fashion-mnist"


def _has_all_files(folder):
    return all((folder / name).is_file() for name in FILES.values())


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
    """Download the four files with Keras's get_file, into the Keras cache.

    The files land in a temporary folder first and move into the cache only once
    all four are complete, so a failed or interrupted download leaves nothing
    half-written behind.
    """
    with quiet_tensorflow():
        import keras
    cache.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".download-", dir=cache))
    _unfinished.add(staging)
    try:
        for name in FILES.values():
            keras.utils.get_file(name, origin=DOWNLOAD_URL + name,
                                 cache_dir=str(staging), cache_subdir="")
        _read_folder(staging, "Run this step again to download it afresh.", "the downloaded ")
        for name in FILES.values():
            os.replace(staging / name, cache / name)
    except Exception as error:
        reason = str(error).split(" -- ")[-1] or type(error).__name__
        fail("Error: Fashion-MNIST is not on this machine and could not be downloaded",
             f"({reason}).",
             "To work offline, install it:  sudo apt install dataset-fashion-mnist",
             "or pass a folder that holds the four .gz files:  --data-dir DIR")
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        _unfinished.discard(staging)


def load_fashion_mnist(data_dir=None):
    """Return (x_train, y_train), (x_test, y_test) as uint8 arrays, like Keras's loader.

    Looks, in this order, at: data_dir or $FASHION_MNIST_DIR; the Keras cache
    ($KERAS_HOME/datasets/fashion-mnist, default ~/.keras/...); the Debian package's
    folder; and only then downloads with Keras into its cache.
    """
    chosen = data_dir or os.environ.get("FASHION_MNIST_DIR")
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
        system = next((d for d in SYSTEM_DATA_DIRS if _has_all_files(d)), None)
        if _has_all_files(cache):
            source = cache
        elif system is not None:
            source = system
        else:
            print("Fashion-MNIST is not on this machine yet: downloading it (30 MB) ...")
            _download_into(cache)
            source = cache
        if source == cache:
            fix = "Delete that file and run this step again: Keras downloads a fresh copy."
        else:
            fix = "Reinstall it:  sudo apt install --reinstall dataset-fashion-mnist"
    arrays = _read_folder(source, fix)  # checks every file before anything trains
    print(f"Loaded Fashion-MNIST from {source}")
    _check(arrays, source, fix)
    if source == keras_cache_dir() and os.access(source.parent.parent, os.W_OK):
        # The files are in Keras's cache: let Keras's own loader read them.
        del arrays
        with quiet_tensorflow():
            import keras
        return keras.datasets.fashion_mnist.load_data()
    return ((arrays["train_images"], arrays["train_labels"]),
            (arrays["test_images"], arrays["test_labels"]))


# --- drawing in the terminal -------------------------------------------------

_RAMP = " .:-=+*#%@"  # dark to bright, for plain-text terminals


def use_color():
    """Colour only on a real terminal, and never when NO_COLOR is set."""
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def image_lines(image, compact=False, color=None):
    """Lines of text that draw a 28x28 uint8 image.

    Full size is two characters a pixel (56 columns, 28 rows); compact halves
    both (28 columns, 14 rows) by averaging pairs of rows.
    """
    color = use_color() if color is None else color
    pixels = np.asarray(image, dtype=np.float32)
    if compact:
        pixels = (pixels[0::2] + pixels[1::2]) / 2
    width = 1 if compact else 2
    lines = []
    for row in pixels:
        if color:  # the 24 grey levels of a 256-colour terminal, 232 (dark) to 255
            cells = (f"\x1b[48;5;{232 + int(v) * 23 // 255}m" + " " * width for v in row)
            lines.append("".join(cells) + "\x1b[0m")
        else:
            lines.append("".join(_RAMP[int(v) * (len(_RAMP) - 1) // 255] * width
                                 for v in row))
    return lines


def draw_image(image):
    print("\n".join(image_lines(image)))


def draw_images_in_a_row(images, captions, width=36):
    """Draw compact images side by side, each with its lines of caption below it."""
    columns = [image_lines(image, compact=True) + [""] + list(caption)
               for image, caption in zip(images, captions)]
    for row in zip(*columns):
        # An image line is 28 cells wide on screen, whatever its colour codes add.
        print("".join(line + " " * (width - (28 if "\x1b" in line else len(line)))
                      for line in row).rstrip())


def print_table(header, rows):
    """Print rows of text as a table: first column left-aligned, the others right."""
    rows = [[str(cell) for cell in row] for row in [header, *rows]]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    for row in rows:
        cells = [row[0].ljust(widths[0])]
        cells += [cell.rjust(width) for cell, width in zip(row[1:], widths[1:])]
        print("  ".join(cells).rstrip())


def gap_bar(train, validation, low, high, width=30):
    """A one-line chart of two accuracies between low and high: V----T.

    V marks the validation accuracy, T the training accuracy, and the dashes
    between them show the gap; * is where both fall on the same spot.
    """
    def spot(value):
        return round((min(max(value, low), high) - low) / (high - low) * (width - 1))

    t, v = spot(train), spot(validation)
    cells = [" "] * width
    for i in range(min(t, v) + 1, max(t, v)):
        cells[i] = "-"
    cells[t], cells[v] = "T", "V"
    if t == v:
        cells[t] = "*"
    return "".join(cells).rstrip()


# --- writing files whole ----------------------------------------------------

@contextlib.contextmanager
def _written_whole(path):
    """Yield a temporary path beside path; once the block has written it, it replaces
    path in one step. A failed or interrupted write leaves path as it was and no
    temporary file behind (Ctrl-C included)."""
    temporary = path.with_name(f".{path.stem}.{os.getpid()}.tmp{path.suffix}")
    _unfinished.add(temporary)
    try:
        yield temporary
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
        _unfinished.discard(temporary)


def save_model(model, path):
    """Save a Keras model to path (.keras) so that the file is whole or absent."""
    path = Path(path)
    try:
        with _written_whole(path) as temporary:
            model.save(temporary)  # Keras wants the .keras suffix, which temporary keeps
    except OSError as error:
        fail(f"Error: could not save the model to {path}: {error.strerror or error}.")


# --- results -----------------------------------------------------------------

def results_dir():
    """results/ beside the steps, or $TUTORIAL_RESULTS_DIR."""
    return Path(os.environ.get("TUTORIAL_RESULTS_DIR") or Path(__file__).parent / "results")


def save_results(step, **values):
    """Write results/STEP.json: proof that the step ran to its end, and what it measured."""
    folder = results_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with _written_whole(folder / f"{step}.json") as temporary:
            temporary.write_text(json.dumps(values, indent=2, default=float) + "\n")
    except OSError as error:  # a read-only checkout must not spoil a finished lesson
        print(f"(Could not save results to {folder}: {error.strerror})")
