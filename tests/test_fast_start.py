"""A fast start: step 1 never loads TensorFlow, steps 2 and 3 talk before they do.

TensorFlow takes seconds to import. A stand-in package named tensorflow (and one
named keras, which would import it) goes first on PYTHONPATH: importing it says so,
on stdout, then stops the step.
"""
import os

import pytest

from fake_data import write_dataset

IMPORTED = "<tensorflow is imported here>"


def stand_in_tensorflow(run, tmp_path):
    site = tmp_path / "stand_in_site"
    for name in ("tensorflow", "keras"):
        (site / name).mkdir(parents=True)
        (site / name / "__init__.py").write_text(
            f"print({IMPORTED!r}, flush=True)\n"
            f"raise SystemExit('{name} was imported')\n")
    run.env["PYTHONPATH"] = os.pathsep.join([str(site), run.env["PYTHONPATH"]])


def data_path(run, tmp_path, path):
    """Put generated data where `path` says; return the step's extra arguments."""
    if path == "keras-cache":
        write_dataset(run.cache)
        return []
    folder = write_dataset(tmp_path / path)
    if path == "system":
        run.env["TEST_SYSTEM_DATA_DIR"] = str(folder)
        return []
    if path == "env":
        run.env["FASHION_MNIST_DIR"] = str(folder)
        return []
    return ["--data-dir", folder]


PATHS = ["keras-cache", "system", "data-dir", "env"]


@pytest.mark.parametrize("path", PATHS)
def test_step1_never_imports_tensorflow(run, tmp_path, path):
    args = data_path(run, tmp_path, path)
    stand_in_tensorflow(run, tmp_path)
    result = run("step1.py", *args)
    assert IMPORTED not in result.stdout
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert "Training images: (1200, 28, 28) uint8" in result.stdout


@pytest.mark.parametrize("script", ["step2.py", "step3.py", "step4.py", "step5.py"])
@pytest.mark.parametrize("path", ["keras-cache", "system", "data-dir"])
def test_training_steps_describe_the_data_before_importing_tensorflow(
        run, tmp_path, script, path):
    args = data_path(run, tmp_path, path)
    stand_in_tensorflow(run, tmp_path)
    result = run(script, *args)
    assert "tensorflow was imported" in result.stderr  # the stand-in stopped it there
    lines = result.stdout.splitlines()
    assert IMPORTED in lines
    before = lines[:lines.index(IMPORTED)]
    assert before[0].startswith("Loading Fashion-MNIST from ")
    if script == "step2.py":  # the step that teaches the data's shapes says them
        assert "1,200 training and 300 test images of 28x28 pixels." in before
    assert before[-1] == "Starting TensorFlow ..."


def test_the_data_is_read_once(run_cached, tmp_path):
    """Each .gz file is opened once: by the project's reader, not again by Keras's."""
    opened = tmp_path / "opened.txt"
    spy = tmp_path / "spy"
    spy.mkdir()
    (spy / "sitecustomize.py").write_text(
        "import builtins, gzip, os\n"
        "_open = gzip.GzipFile.__init__\n"
        "def _init(self, filename=None, *args, **kwargs):\n"
        "    if filename:\n"
        "        with builtins.open(os.environ['OPENED'], 'a') as log:\n"
        "            log.write(os.path.basename(str(filename)) + '\\n')\n"
        "    _open(self, filename, *args, **kwargs)\n"
        "gzip.GzipFile.__init__ = _init\n"
        "exec(open(os.environ['NEXT_SITECUSTOMIZE']).read())\n")
    offline = run_cached.env["PYTHONPATH"].split(os.pathsep)[0]
    run_cached.env.update(PYTHONPATH=os.pathsep.join([str(spy), run_cached.env["PYTHONPATH"]]),
                          OPENED=str(opened),
                          NEXT_SITECUSTOMIZE=os.path.join(offline, "sitecustomize.py"))
    result = run_cached("step2.py", "--epochs", 1)
    assert result.returncode == 0, result.stderr
    names = opened.read_text().split()
    assert sorted(names) == sorted(p.name for p in run_cached.cache.iterdir())
