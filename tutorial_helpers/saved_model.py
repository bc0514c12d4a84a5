"""The model step 4 saves, for steps 5 and 6: loaded, and made again when it is missing.

Each scenario of the course runs on a new machine, so the fashion.keras that step 4
saved may be on another one. load_or_remake() then says so, runs step4.py (the same
Python, the tutorial's folder) and shows a line per epoch of its training, not its
whole output; then it loads the model as load_model() does (checked, short errors).
"""
import os
import re
import subprocess
import sys
from pathlib import Path

from .console import fail
from .photos import load_model

TUTORIAL = Path(__file__).resolve().parent.parent
MADE_BY = "fashion.keras"  # the file MAKER saves, in the folder it runs in
MAKER = "step4.py"
# For the tests only: train the remade model for this many epochs (quicker).
EPOCHS_VARIABLE = "TUTORIAL_REMAKE_EPOCHS"

_EPOCH = re.compile(r"^Epoch (\d+)/(\d+)$")                     # Keras, before each epoch
_METRIC = re.compile(r"\b(val_accuracy|accuracy): (\d\.\d+)")   # Keras, after it
_SAID = re.compile(r"^(The .*:|Epoch \d+: .*|Saved .*)$")       # the step's own lines


def _progress(line, epoch):
    """The line to show for one line of step4.py's output (None: nothing), and the
    epoch it is in ("3/10")."""
    line = line.rstrip()
    started = _EPOCH.match(line)
    if started:
        return None, "/".join(started.groups())
    metrics = dict(_METRIC.findall(line))
    if metrics:
        epoch = epoch or "1/1"  # Keras says "Epoch N/M" only when there are several
        accuracy = metrics.get("val_accuracy", metrics.get("accuracy"))
        which = "validation accuracy" if "val_accuracy" in metrics else "accuracy"
        return f"    epoch {epoch}: {which} {accuracy}", None
    if _SAID.match(line):
        return f"  {line}", None
    return None, epoch


def remake(path, data_dir=None):
    """Run step4.py in path's folder, so that it saves path; show its progress briefly."""
    path = Path(path)
    print(f"{path} is not here (step 4 makes it, on an earlier machine perhaps): making it\n"
          f"again with python {MAKER}, which takes a few minutes ...", flush=True)
    command = [sys.executable, str(TUTORIAL / MAKER)]
    if data_dir:  # the child runs elsewhere: a relative folder is made absolute
        command += ["--data-dir", os.path.abspath(os.path.expanduser(data_dir))]
    if os.environ.get(EPOCHS_VARIABLE):
        command += ["--epochs", os.environ[EPOCHS_VARIABLE]]
    env = dict(os.environ, PYTHONUNBUFFERED="1")  # its lines as they come
    # Its errors (stderr) reach the learner as they are: short lines, like this step's.
    with subprocess.Popen(command, cwd=path.parent, env=env, text=True,
                          stdout=subprocess.PIPE) as child:
        epoch = None
        for line in child.stdout:
            shown, epoch = _progress(line, epoch)
            if shown:
                print(shown, flush=True)
    if child.returncode != 0:
        fail(f"Error: python {MAKER} could not make {path} (why is said above). "
             f"Run it yourself to see it all:  python {MAKER}")
    if not path.exists():
        fail(f"Error: python {MAKER} ended without saving {path}.")
    print(f"Made {path} again.\n")


def load_or_remake(path=MADE_BY, data_dir=None):
    """The saved model, as load_model() gives it; made first when path is step 4's
    fashion.keras and missing (another name, missing, gets load_model()'s message)."""
    path = Path(path)
    if not path.exists() and not path.is_symlink() and path.name == MADE_BY \
            and path.parent.is_dir():
        remake(path, data_dir)
    return load_model(path)
