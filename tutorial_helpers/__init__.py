"""Plumbing shared by the tutorial steps: nothing here is part of the lesson.

Each step imports what it needs from here in one line; the pieces live by concern:

- flags.py:   make_parser() and the checked flag types (--epochs, --save, ...).
- console.py: fail(), Ctrl-C (one line, exit 130), quiet_tensorflow().
- tensorflow_import.py: a step's plain `import tensorflow as tf` made quiet (it says
              "Starting TensorFlow ..."), and compile() quick (steps_per_execution).
- data.py:    load_fashion_mnist(): the data offline first, checked, then downloaded.
- drawing.py: images, rows of images, tables and bars drawn in the terminal.
- files.py:   save_model() and save_results(), each file written whole or not at all.
- logs.py:    --logdir, a TensorBoard folder per run, step 5's pictures for TensorBoard,
              and what an earlier run already made (--if-missing).
- photos.py:  step 6's photos read safely, the saved model loaded and checked, drawing.
- verdicts.py: the words a step ends with, true for a model no better than
              guessing or whose loss became nan too.
- saved_model.py: load_or_remake(): step 4's fashion.keras for steps 5 and 6, made
              again (by running step4.py) when it is missing.
- tour/:      `python tour.py`, the course's pages in any terminal (docs/tour.md).
"""
import importlib.util
import sys

# A Python without the tutorial's requirements (most often: the venv is not
# activated) gets one line saying what to do, not a traceback from deep inside.
_missing = [name for name in ("numpy", "tensorflow", "keras")
            if importlib.util.find_spec(name) is None]
if _missing:
    sys.exit(f"Error: {', '.join(_missing)} {'is' if len(_missing) == 1 else 'are'} not "
             f"installed in this Python ({sys.executable}).\n"
             "Activate the tutorial's environment:  . .venv/bin/activate\n"
             "or install the requirements:  pip install -r requirements.txt")

from .tensorflow_import import install as _install_import_hook  # noqa: E402

_install_import_hook()

from .checking import what_next  # noqa: E402
from .console import fail, quiet_tensorflow  # noqa: E402
from .data import (CLASS_NAMES, FILES, FULL_SIZES, keras_cache_dir,  # noqa: E402
                   load_fashion_mnist)
from .drawing import (as_grey, draw_image, draw_images_in_a_row,  # noqa: E402
                      draw_images_in_rows, gap_bar, image_lines, print_table, use_color)
from .files import results_dir, save_model, save_results  # noqa: E402
from .flags import (DEFAULT_SEED, keras_file, make_parser,  # noqa: E402
                    non_negative_int, positive_int, positive_number)
from .logs import log_test_images, logdir, run_folder  # noqa: E402
from .photos import (DRAWN, MAX_MEGAPIXELS, draw_side_by_side, drawn_photo,  # noqa: E402
                     load_model, probability_bars, read_photo, write_jpeg, write_png)
from .saved_model import load_or_remake  # noqa: E402
from .verdicts import print_photo_verdict, print_verdict  # noqa: E402
