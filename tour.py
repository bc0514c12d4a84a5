"""The course in this terminal, without Killercoda: python tour.py  (--help for more).

It shows the pages of scenario/ one after the other, runs their command boxes, and
presses their Check; it opens where you left off. The tour itself lives in
tutorial_helpers/tour/; this file only finds the tutorial's Python first.
"""
import importlib.util
import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
NEEDS = ("rich", "numpy", "tensorflow")  # the tour draws with Rich, installed with Keras


def missing():
    return [name for name in NEEDS if importlib.util.find_spec(name) is None]


if missing():
    venv_python = HERE / ".venv" / "bin" / "python"
    if venv_python.exists() and not os.environ.get("TOUR_IN_VENV"):
        # Not in the tutorial's Python (the venv is not active): start again in it.
        os.environ["TOUR_IN_VENV"] = "1"
        os.execv(venv_python, [str(venv_python), __file__, *sys.argv[1:]])
    sys.exit(f"The tutorial's Python is not set up here ({', '.join(missing())} missing in "
             f"{sys.executable}).\nSet it up with the README's first command, in {HERE}:\n"
             "  python3 -m venv .venv && . .venv/bin/activate && "
             "pip install -r requirements.txt && python step2.py")

sys.path.insert(0, str(HERE))
from tutorial_helpers.tour.app import main  # noqa: E402

sys.exit(main(HERE))
