"""Step 2 as a learner runs it: python step2.py."""
import json
import re

import pytest

from conftest import needs_real_data, real_data_dir

SUMMARY = re.compile(r"^Training accuracy: (\d\.\d{4})   Test accuracy: (\d\.\d{4})$", re.M)


def test_step2_trains_and_learns_the_generated_classes(run_cached):
    result = run_cached("step2.py", "--epochs", 2)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # quiet: no TensorFlow, absl or oneDNN lines
    out = result.stdout
    assert "Epoch 1/2" in out and "Epoch 2/2" in out
    train_acc, test_acc = map(float, SUMMARY.search(out).groups())
    assert train_acc > 0.6 and test_acc > 0.6  # chance is 0.1
    # The gap is judged as a teacher would: a small one is normal, not overfitting.
    assert ("a small\ngap is normal" in out) == (train_acc - test_acc > 0.005)
    assert "memorized" not in out
    # model.summary(): Keras's own count of the weights the page works out by hand.
    assert "Total params: 101,770" in out
    # One raw prediction: ten probabilities, then ten bars in class order.
    from tutorial_helpers import CLASS_NAMES
    probabilities = re.search(r"ten probabilities:\n\[([^\]]*)\]", out).group(1).split()
    assert len(probabilities) == 10 and abs(sum(map(float, probabilities)) - 1) < 0.02
    bars = re.findall(r"^  (\S.*?)\s+(\d+\.\d)%", out, re.M)[-10:]
    assert [name for name, _ in bars] == list(CLASS_NAMES)
    saved = json.loads((run_cached.results / "step2.json").read_text())
    assert (saved["train_accuracy"], saved["test_accuracy"]) == pytest.approx(
        (train_acc, test_acc), abs=5e-5)


def test_same_seed_same_numbers(run_cached):
    first = SUMMARY.search(run_cached("step2.py", "--epochs", 1, "--seed", 7).stdout)
    second = SUMMARY.search(run_cached("step2.py", "--epochs", 1, "--seed", 7).stdout)
    assert first.groups() == second.groups()


def test_a_learning_rate_far_from_the_default_learns_less(run_cached):
    default = SUMMARY.search(run_cached("step2.py", "--epochs", 1).stdout)
    tiny = run_cached("step2.py", "--epochs", 1, "--learning-rate", "0.00001")
    assert tiny.returncode == 0, tiny.stderr
    assert float(SUMMARY.search(tiny.stdout).group(2)) < float(default.group(2)) - 0.02
    bad = run_cached("step2.py", "--learning-rate", "0")
    assert bad.returncode == 2 and "--learning-rate" in bad.stderr and "Traceback" not in bad.stderr


def test_help_lists_the_flags(run):
    result = run("step2.py", "--help")
    assert result.returncode == 0
    for flag in ("--epochs", "--seed", "--learning-rate", "--data-dir", "FASHION_MNIST_DIR"):
        assert flag in result.stdout


@needs_real_data
def test_one_epoch_on_the_real_data(run):
    result = run("step2.py", "--epochs", 1, "--data-dir", real_data_dir())
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert "Note:" not in result.stdout  # the full 60,000 + 10,000
    train_acc, test_acc = map(float, SUMMARY.search(result.stdout).groups())
    assert test_acc >= 0.80
