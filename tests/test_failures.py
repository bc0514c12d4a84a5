"""Every known failure ends with a short message and a non-zero exit, never a traceback."""
import gzip
import signal
import time

import pytest

from conftest import HANG_S
from fake_data import write_dataset


def assert_short_error(result, *expected):
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) <= 5, result.stderr
    for text in expected:
        assert text in result.stderr, result.stderr


@pytest.mark.parametrize("script", ["step1.py", "step2.py"])
def test_no_network_and_no_local_copy(run, script):
    result = run(script)
    assert_short_error(result, "could not be downloaded",
                       "apt install dataset-fashion-mnist", "--data-dir")
    # Nothing half-downloaded is left to break the next run.
    leftovers = list(run.cache.iterdir()) if run.cache.exists() else []
    assert leftovers == []


def test_truncated_gz_in_the_cache(run_cached):
    path = run_cached.cache / "train-images-idx3-ubyte.gz"
    path.write_bytes(path.read_bytes()[:-500])
    result = run_cached("step2.py")
    assert_short_error(result, str(path), "incomplete", "Delete that file")


def test_file_that_is_not_gzip(run_cached):
    path = run_cached.cache / "t10k-labels-idx1-ubyte.gz"
    path.write_text("<html>Not Found</html>")
    assert_short_error(run_cached("step1.py"), str(path), "not a valid .gz file")


def test_wrong_shaped_file(run_cached):
    path = run_cached.cache / "t10k-images-idx3-ubyte.gz"
    data = gzip.decompress(path.read_bytes())
    path.write_bytes(gzip.compress(data[:-28 * 28 * 3]))  # three images short
    assert_short_error(run_cached("step1.py"), str(path), "wrong shape")


def test_wrong_magic_number(run_cached):
    path = run_cached.cache / "train-labels-idx1-ubyte.gz"
    data = gzip.decompress(path.read_bytes())
    path.write_bytes(gzip.compress((2051).to_bytes(4, "big") + data[4:]))
    assert_short_error(run_cached("step1.py"), str(path), "not a Fashion-MNIST file")


def test_labels_outside_0_to_9(run_cached):
    path = run_cached.cache / "train-labels-idx1-ubyte.gz"
    data = bytearray(gzip.decompress(path.read_bytes()))
    data[-1] = 12
    path.write_bytes(gzip.compress(bytes(data)))
    assert_short_error(run_cached("step1.py"), "labels outside 0-9")


def test_data_dir_that_does_not_exist(run, tmp_path):
    result = run("step2.py", "--data-dir", tmp_path / "nowhere")
    assert_short_error(result, "--data-dir", "no such folder")


def test_data_dir_without_the_files(run, tmp_path):
    folder = write_dataset(tmp_path / "partial")
    (folder / "train-images-idx3-ubyte.gz").unlink()
    result = run("step2.py", "--data-dir", folder)
    assert_short_error(result, "lacks train-images-idx3-ubyte.gz")


def test_fashion_mnist_dir_that_does_not_exist(run, tmp_path):
    run.env["FASHION_MNIST_DIR"] = str(tmp_path / "nowhere")
    assert_short_error(run("step1.py"), "FASHION_MNIST_DIR", "no such folder")


@pytest.mark.parametrize("value", ["0", "-3", "abc"])
def test_bad_epochs(run, value):
    result = run("step2.py", "--epochs", value)
    assert result.returncode == 2
    assert "usage: step2.py" in result.stderr
    assert "argument --epochs:" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("args", [["--seed", "-1"], ["--sed", "1"], ["--index", "x"]])
def test_other_bad_flags(run, args):
    script = "step1.py" if args[0] == "--index" else "step2.py"
    result = run(script, *args)
    assert result.returncode == 2
    assert "usage:" in result.stderr and "Traceback" not in result.stderr


def test_ctrl_c_during_training(run_cached):
    proc = run_cached.start("step2.py", "--epochs", 1000)
    deadline = time.monotonic() + HANG_S
    seen = ""
    while "Epoch 2/" not in seen:  # Ctrl-C in the midst of training, not before
        assert time.monotonic() < deadline and proc.poll() is None, seen
        seen += proc.stdout.read(1)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=HANG_S)
    assert proc.returncode == 130
    assert err.strip() == "Stopped by Ctrl-C."
