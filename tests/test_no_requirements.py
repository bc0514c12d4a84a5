"""A Python without the requirements (the venv not activated, the most common slip):
every step, the benchmark and the scenario's scripts say what is missing and how to fix
it, in a few lines, with a non-zero exit and no traceback."""
import os
import subprocess
import sys

import pytest

from conftest import HANG_S, ROOT

SCRIPTS = ["step1.py", "step2.py", "step3.py", "step4.py", "step5.py", "step6.py", "bench/run.py",
           "bench/conv_choices.py",
           "check.py", "exercises/step2.py", "exercises/step3.py"]
SCENARIO_SCRIPTS = sorted((ROOT / "scenario").glob("*/step*/verify.sh"))


@pytest.fixture(scope="module")
def bare_python(tmp_path_factory):
    """A venv with nothing installed: no pip, no numpy, no TensorFlow, no Keras."""
    venv = tmp_path_factory.mktemp("bare") / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    assert subprocess.run([python, "-c", "import numpy"], capture_output=True).returncode != 0
    return python


def bare_env(python, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env.update(PATH=f"{python.parent}:/usr/bin:/bin", HOME=str(tmp_path),
               TUTORIAL_RESULTS_DIR=str(tmp_path / "results"))
    return env


@pytest.mark.parametrize("script", SCRIPTS)
def test_a_script_run_without_the_requirements_says_what_to_do(bare_python, script, tmp_path):
    result = subprocess.run([bare_python, script], cwd=ROOT, capture_output=True, text=True,
                            env=bare_env(bare_python, tmp_path), timeout=HANG_S)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) <= 3, result.stderr
    assert "numpy, tensorflow, keras are not installed in this Python" in result.stderr
    assert ". .venv/bin/activate" in result.stderr
    assert "pip install -r requirements.txt" in result.stderr


@pytest.mark.parametrize("script", SCENARIO_SCRIPTS, ids=lambda p: p.parent.name)
def test_a_check_needs_only_the_standard_library(bare_python, script, tmp_path):
    # verify.sh runs `python3` from PATH: here the bare venv's. It says "Not yet", no traceback.
    result = subprocess.run(["bash", str(script)], capture_output=True, text=True,
                            env={**bare_env(bare_python, tmp_path), "TUTORIAL_DIR": str(tmp_path)},
                            timeout=HANG_S)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("Not yet:")
    # It says what to run: the step, or check.py on the learner's own file.
    assert "  python step" in result.stderr or "  python check.py" in result.stderr
