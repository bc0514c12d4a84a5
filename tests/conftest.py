"""Run the steps as a learner does, in a subprocess, on data the tests write."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

from fake_data import write_dataset

ROOT = Path(__file__).resolve().parent.parent
OFFLINE_SITE = Path(__file__).resolve().parent / "offline_site"
# No test races the clock (docs/testing.md): a deadline only stops a hang, so it is long
# enough for a slow 2-core VM that is busy with other work.
HANG_S = 900
# check.py stops a learner's file after 60 s (--time-limit). A test of a check gives it
# this instead, unless the limit is what it tests: two checks at a time on a busy
# machine can take longer, and how fast a check answers is the benchmark's to measure
# (bench/run.py's check-N targets).
CHECK_TIME_LIMIT = 600


def real_data_dir():
    """A folder with the real Fashion-MNIST files, or None (only read, never written)."""
    home = os.environ.get("KERAS_HOME") or os.path.expanduser("~/.keras")
    for folder in (Path(home) / "datasets" / "fashion-mnist",
                   Path("/usr/share/datasets/fashion-mnist")):
        if all((folder / name).is_file() for name in (
                "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz")):
            return folder
    return None


# For tests that train on the real data: skipped, saying how to get it, when it is absent.
needs_real_data = pytest.mark.skipif(
    real_data_dir() is None, reason="real Fashion-MNIST not here: apt install dataset-fashion-mnist")


class Runner:
    """Runs `python SCRIPT ARGS` from the project root with a private HOME and KERAS_HOME."""

    def __init__(self, tmp_path):
        self.home = tmp_path / "home"
        self.keras_home = tmp_path / "keras_home"
        self.cache = self.keras_home / "datasets" / "fashion-mnist"
        self.results = tmp_path / "results"
        self.home.mkdir()
        self.env = {k: v for k, v in os.environ.items()
                    if k not in ("FASHION_MNIST_DIR", "NO_COLOR", "TF_CPP_MIN_LOG_LEVEL")}
        self.env.update(
            HOME=str(self.home),
            KERAS_HOME=str(self.keras_home),
            TUTORIAL_RESULTS_DIR=str(self.results),
            PYTHONPATH=os.pathsep.join([str(OFFLINE_SITE), str(ROOT)]),
            # Pretend the Debian package is absent unless a test says otherwise.
            TEST_SYSTEM_DATA_DIR=str(tmp_path / "no-system-data"),
            COLUMNS="80",
        )

    def start(self, script, *args, **popen_kwargs):
        return subprocess.Popen([sys.executable, script, *map(str, args)], cwd=ROOT,
                                env=self.env, text=True, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, **popen_kwargs)

    def __call__(self, script, *args, timeout=HANG_S, cwd=ROOT):
        return subprocess.run([sys.executable, str(script), *map(str, args)], cwd=cwd,
                              env=self.env, text=True, capture_output=True,
                              timeout=timeout)


@pytest.fixture
def run(tmp_path):
    """A Runner whose Keras cache is empty and whose network is blocked."""
    return Runner(tmp_path)


@pytest.fixture
def run_cached(run):
    """A Runner whose Keras cache holds a small generated data set."""
    write_dataset(run.cache)
    return run
