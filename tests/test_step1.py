"""Step 1 as a learner runs it: python step1.py."""
import contextlib
import json
import os
import pty
import re
import subprocess
import sys

from conftest import HANG_S, ROOT
from fake_data import write_dataset


def test_step1_shows_shapes_classes_image_and_normalization(run_cached):
    result = run_cached("step1.py", "--index", 7)
    out = result.stdout
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # no TensorFlow log lines
    assert f"Loading Fashion-MNIST from {run_cached.cache} ..." in out
    assert "Training images: (1200, 28, 28) uint8" in out
    assert "Test images:     (300, 28, 28) uint8" in out
    assert "not the full 60,000 and 10,000" in out
    # The class table: every class with its count (the fake set has 120 of each).
    for label, name in enumerate(["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                  "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]):
        assert re.search(rf"^\s+{label}  {re.escape(name)}\s+120$", out, re.M), name
    # The drawing: 28 rows of 56 plain characters (stdout is not a terminal here).
    heading = re.search(r"^Training image 7: label (\d) = (.+)$", out, re.M)
    assert heading
    lines = out.splitlines()
    start = lines.index(heading.group(0)) + 1
    drawing = lines[start:start + 28]
    assert all(len(line) == 56 and line.isascii() for line in drawing)
    # The fake class k is a bright band at rows 2k+4 and 2k+5: it shows as '@'.
    label = int(heading.group(1))
    assert drawing[2 * label + 4].count("@") == 40
    assert "Before: uint8, from 0 to 255" in out
    assert "After:  float32, from 0.0 to 1.0" in out
    saved = json.loads((run_cached.results / "step1.json").read_text())
    assert saved == {"image_index": 7, "label": label, "training_images": 1200,
                     "test_images": 300}


def test_step1_draws_in_colour_only_on_a_terminal(run_cached):
    main, child = pty.openpty()  # stdout is a terminal, as for a learner
    proc = subprocess.Popen([sys.executable, "step1.py"], cwd=ROOT, env=run_cached.env,
                            stdout=child, stderr=subprocess.PIPE)
    os.close(child)
    screen = b""
    with contextlib.suppress(OSError):  # reading a closed pty ends with EIO
        while chunk := os.read(main, 65536):
            screen += chunk
    assert proc.wait(timeout=HANG_S) == 0
    assert "\x1b[48;5;" in screen.decode()

    run_cached.env["NO_COLOR"] = "1"
    assert "\x1b[" not in run_cached("step1.py").stdout


def test_index_past_the_end_is_a_usage_error(run_cached):
    result = run_cached("step1.py", "--index", 1200)
    assert result.returncode == 2
    assert "--index must be below 1200" in result.stderr
    assert "Traceback" not in result.stderr


def test_data_dir_beats_the_keras_cache(run_cached, tmp_path):
    other = write_dataset(tmp_path / "mine", n_train=50, n_test=20)
    result = run_cached("step1.py", "--data-dir", other)
    assert result.returncode == 0, result.stderr
    assert f"Loading Fashion-MNIST from {other} ..." in result.stdout
    assert "Training images: (50, 28, 28) uint8" in result.stdout

    run_cached.env["FASHION_MNIST_DIR"] = str(other)
    assert "Training images: (50, 28, 28)" in run_cached("step1.py").stdout


def test_debian_package_folder_is_used_when_the_cache_is_empty(run, tmp_path):
    system = write_dataset(tmp_path / "usr-share", n_train=40, n_test=10)
    run.env["TEST_SYSTEM_DATA_DIR"] = str(system)
    result = run("step1.py")
    assert result.returncode == 0, result.stderr
    assert f"Loading Fashion-MNIST from {system} ..." in result.stdout
    assert not run.cache.exists()  # read in place: nothing copied, nothing downloaded
