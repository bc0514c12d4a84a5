"""This computer's set-up, said the local way: the tutorial's Python and the data.

On Killercoda the intro's scripts set the machine up while the learner reads; here
the README's first command did it (or will). The tour says what is there, and when
something is missing, the command that fixes it.
"""
import importlib.metadata
import os
import re
import sys
from pathlib import Path

from ..data import has_all_files, keras_cache_dir, system_data_dir

# The README's first command, should README.md be gone or changed past reading.
SETUP_COMMAND = ("python3 -m venv .venv && . .venv/bin/activate && "
                 "pip install -r requirements.txt && python step2.py")
GET_DATA = "sudo apt install dataset-fashion-mnist"


def setup_command(folder):
    """The README's first command: the first ```sh block of README.md."""
    try:
        found = re.search(r"^```sh\n(.+?)\n```", (Path(folder) / "README.md").read_text(),
                          re.M | re.S)
    except OSError:
        found = None
    return found.group(1).strip() if found else SETUP_COMMAND


def python_folder(folder):
    """The folder whose `python` the boxes run: the tutorial's .venv, or else the one
    the tour runs in."""
    venv = Path(folder) / ".venv" / "bin"
    return venv if (venv / "python").exists() else Path(sys.executable).parent


def tensorflow_version():
    for name in ("tensorflow", "tensorflow-cpu"):
        try:
            return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            pass
    return None


def data_folder():
    """Where the steps will find Fashion-MNIST without downloading it, or None."""
    chosen = os.environ.get("FASHION_MNIST_DIR")
    if chosen:
        return Path(chosen) if has_all_files(Path(chosen).expanduser()) else None
    cache = keras_cache_dir()
    return cache if has_all_files(cache) else system_data_dir()


def missing_data_line():
    """One line for when the data is not here, or None."""
    if data_folder() is not None:
        return None
    return ("Fashion-MNIST is not on this computer yet: step 1's `python step1.py` downloads "
            f"it (30 MB) once; offline, install it first:  {GET_DATA}")


def setup_markdown(folder):
    """The intro's set-up section, for this computer."""
    python, version = python_folder(folder) / "python", tensorflow_version()
    data = data_folder()
    lines = [
        "## On this computer",
        "",
        "These pages were written for Killercoda, a website that sets a fresh machine up "
        "while you read. Here, the README's first command sets this computer up, once:",
        "",
        "```sh",
        setup_command(folder),
        "```",
        "",
        f"- The tutorial's Python: `{python}`" + (f", with TensorFlow {version}." if version
                                                 else ": TensorFlow is not installed in it."),
        "- The data: " + (f"in `{data}`." if data else
                          "not here yet. Step 1's `python step1.py` downloads it (30 MB) "
                          f"once; offline, install it first: `{GET_DATA}`."),
        f"- The boxes run in `{folder}`, with that Python. Nothing here ends after an hour: "
        "your files stay, and `python tour.py` brings you back to your page.",
        "",
        "**Ready.**" if data else "**Ready**: step 1 gets the data.",
    ]
    return "\n".join(lines) + "\n"
