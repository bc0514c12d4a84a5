"""Step 3 as a learner runs it: python step3.py, training that stops at the right time.

The generated data is made harder here (half the Shirts drawn as T-shirts: no model
can tell those apart), so that the validation loss stops improving after a few
epochs and EarlyStopping has something to do.
"""
import json
import re

import pytest

from conftest import Runner, needs_real_data, real_data_dir
from fake_data import write_dataset

ROW = re.compile(r"^ *(\d+) +([01]\.\d{4}) +([01]\.\d{4}) +([+-]\d\.\d{4})(.*)$", re.M)
BEST = "  <- best: these weights are kept"
TEST = re.compile(r"^Test accuracy: ([01]\.\d{4})$", re.M)
ARGS = ("--epochs", 20)  # the cap: EarlyStopping ends it well before


def table(out):
    """The table's rows: [(epoch, training, validation, gap, whether marked best)]."""
    return [(int(e), float(t), float(v), float(g), rest.endswith(BEST))
            for e, t, v, g, rest in ROW.findall(out)]


def saved(run):
    return json.loads((run.results / "step3.json").read_text())


@pytest.fixture(scope="module")
def default_run(tmp_path_factory):
    """One default run (patience 5), shared: (its Runner, its result, its results file)."""
    run = Runner(tmp_path_factory.mktemp("step3"))
    write_dataset(run.cache, lookalike=(6, 0))
    result = run("step3.py", *ARGS)
    assert result.returncode == 0, result.stderr
    return run, result, saved(run)


def test_early_stopping_stops_and_the_table_marks_the_epoch_it_keeps(default_run):
    run, result, results = default_run
    out = result.stdout
    assert result.stderr == ""  # quiet: no TensorFlow, absl or oneDNN lines
    assert "Training on 1,080 images; 120 are held out for validation." in out
    assert "Epoch  Training  Validation     Gap  0.85                      0.95" in out
    rows = table(out)
    trained, best = results["trained_epochs"], results["best_epoch"]
    # It stopped before the cap, patience (5) epochs after the best one.
    assert results["patience"] == 5 and results["seed"] == 1
    assert trained < 20 and results["stopped_epoch"] == trained - 1  # Keras counts from 0
    assert best == trained - 5
    assert f"Restoring model weights from the end of the best epoch: {best}." in out
    # One row an epoch, as saved; the best one marked, and only it.
    assert [r[0] for r in rows] == list(range(1, trained + 1))
    assert [r[4] for r in rows] == [e == best for e in range(1, trained + 1)]
    assert [r[1] for r in rows] == pytest.approx(results["train_accuracy"], abs=5e-5)
    assert [r[2] for r in rows] == pytest.approx(results["val_accuracy"], abs=5e-5)
    assert all(abs(t - v - g) < 2e-4 for _, t, v, g, _ in rows)
    # The best epoch is the one with the lowest validation loss, the one EarlyStopping watched.
    losses = results["val_loss"]
    assert losses.index(min(losses)) + 1 == best
    # The test images once, at the end, after the table.
    assert len(TEST.findall(out)) == 1 and out.index("Test accuracy") > out.index(BEST)
    assert float(TEST.search(out).group(1)) == pytest.approx(results["test_accuracy"], abs=5e-5)
    assert results["test_accuracy"] > 0.6  # chance is 0.1


def test_training_accuracy_is_evaluate_on_as_many_training_images_as_validation(default_run):
    """One definition, step 2's: evaluate() on 120 training images (the validation
    set's size), so each is a whole number of 120ths; fit()'s running 'accuracy' over
    1,080 images is not what the table shows."""
    run, result, results = default_run
    for accuracy in results["train_accuracy"]:
        assert abs(accuracy * 120 - round(accuracy * 120)) < 1e-3, accuracy
    running = [float(a) for a in re.findall(r" - accuracy: (\d\.\d{4}) ", result.stdout)]
    assert len(running) == results["trained_epochs"]
    assert running != pytest.approx(results["train_accuracy"], abs=5e-5)


def test_the_kept_weights_are_the_best_epochs(default_run):
    """Trained for exactly the best epoch's count, the same seed ends with the weights
    EarlyStopping put back: the same test accuracy, the same epochs up to there."""
    run, result, results = default_run
    best = results["best_epoch"]
    again = run("step3.py", "--epochs", best)
    assert again.returncode == 0, again.stderr
    short = saved(run)
    assert short["trained_epochs"] == best
    assert short["val_loss"] == pytest.approx(results["val_loss"][:best], rel=1e-4)
    assert short["test_accuracy"] == pytest.approx(results["test_accuracy"], abs=1e-6)


def test_patience_changes_when_it_stops(default_run):
    run, _, results = default_run
    result = run("step3.py", *ARGS, "--patience", 1)
    assert result.returncode == 0, result.stderr
    impatient = saved(run)
    assert impatient["patience"] == 1
    # One epoch without improvement is enough: it stops right after its best epoch.
    assert impatient["best_epoch"] == impatient["trained_epochs"] - 1
    assert impatient["trained_epochs"] < results["trained_epochs"]
    marked = [r[0] for r in table(result.stdout) if r[4]]
    assert marked == [impatient["best_epoch"]]


@pytest.mark.parametrize("value", ["0", "-1", "two"])
def test_bad_patience_is_one_usage_message(run, value):
    result = run("step3.py", "--patience", value)
    assert result.returncode == 2
    assert "usage: step3.py" in result.stderr and "argument --patience:" in result.stderr
    assert "Traceback" not in result.stderr


def test_help_lists_the_flags(run):
    result = run("step3.py", "--help")
    assert result.returncode == 0
    for flag in ("--patience", "--logdir", "--epochs", "--seed", "--data-dir"):
        assert flag in result.stdout


def test_no_data_is_a_short_message_before_tensorflow_starts(run):
    """test_failures.py covers every data failure for steps 1 and 2; step 3 loads the
    data the same way, before it starts TensorFlow."""
    result = run("step3.py")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "could not be downloaded" in result.stderr
    assert len(result.stderr.strip().splitlines()) <= 5
    assert "Starting TensorFlow" not in result.stdout


@needs_real_data
def test_two_epochs_on_the_real_data(run):
    result = run("step3.py", "--epochs", 2, "--data-dir", real_data_dir())
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert "Training on 54,000 images; 6,000 are held out for validation." in result.stdout
    rows = table(result.stdout)
    assert [r[0] for r in rows] == [1, 2]
    assert all(0.8 < t < 0.95 and 0.8 < v < 0.95 for _, t, v, _, _ in rows)
    assert float(TEST.search(result.stdout).group(1)) > 0.8
