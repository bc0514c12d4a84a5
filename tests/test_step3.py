"""Step 3 as a learner runs it: python step3.py."""
import json
import re
import subprocess
import sys

import pytest

import tutorial_helpers
from conftest import ROOT, needs_real_data, real_data_dir
from fake_data import write_dataset

# One row of the comparison table: name, parameters, epochs, train acc, test acc, seconds.
MODEL_ROW = r"^{}\s+([\d,]+)\s+(\d+)\s+(\d\.\d{{4}})\s+(\d\.\d{{4}})\s+(\d+)$"
STOP_LINE = re.compile(r"^Epoch (\d+): validation accuracy (\d\.\d{4}) reached the "
                       r"target ([\d.]+), so training stopped here\.$", re.M)


@pytest.fixture
def run_confusable(run):
    """Generated data where half of the Shirts (6) are drawn as T-shirts (0): the
    pair most often confused is bound to be T-shirt/top and Shirt."""
    write_dataset(run.cache, lookalike=(6, 0))
    return run


def model_row(out, name):
    match = re.search(MODEL_ROW.format(name), out, re.M)
    assert match, out
    params, epochs, train_acc, test_acc, seconds = match.groups()
    return int(params.replace(",", "")), int(epochs), float(train_acc), float(test_acc)


def test_step3_trains_both_models_and_shows_what_they_confuse(run_confusable):
    result = run_confusable("step3.py", "--epochs", 3, "--target-accuracy", 0.99)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # quiet: no TensorFlow, absl or Keras warning lines
    out = result.stdout
    assert "Training on 1,080 images; 120 are held out for validation." in out

    # Both models trained, each showing its per-epoch table, and the target (which
    # no model can reach on this data) never stopped them.
    assert out.count("Epoch 1/3") == 2
    assert out.count("Epoch  Training  Validation     Gap") == 2
    assert re.search(r"^    1    \d\.\d{4}      \d\.\d{4}  [+-]\d\.\d{4}  ", out, re.M)
    assert not STOP_LINE.search(out)
    assert "EarlyStopping" in out and "StopAtAccuracy" in out  # the contrast sentence

    # The comparison table.
    dense = model_row(out, "Dense")
    conv = model_row(out, "Convolutional")
    assert dense[0] == 101_770 and conv[0] > dense[0]
    assert dense[2] > 0.6 and conv[3] > 0.6  # chance is 0.1

    # Predictions drawn with their classes, the confusion table, and the pair.
    assert "Test images it got right:" in out and "Test images it got wrong:" in out
    assert re.search(r"Predicted: \S.*Predicted: \S", out)
    assert re.search(r"Confidence: \d+%", out) and "True class: " in out
    assert re.search(r"^True class\s+0\s+1\s+2\s+3\s+4\s+5\s+6\s+7\s+8\s+9\s+Right$",
                     out, re.M)
    rows = re.findall(r"^(\d) (\D+?)\s+((?:\d+\s+){10})(\d+\.\d)%$", out, re.M)
    assert [(int(k), name) for k, name, _, _ in rows] == list(
        enumerate(tutorial_helpers.CLASS_NAMES))
    matrix = [list(map(int, counts.split())) for _, _, counts, _ in rows]
    assert sum(map(sum, matrix)) == 300
    assert matrix[6][0] >= 5
    # Shirts drawn as T-shirts are taken for T-shirts; the other way round, rarely.
    assert re.search(r"^Most often confused: Shirt and T-shirt/top \(\d+ Shirt "
                     r"taken for T-shirt/top, \d+ the other way round\)\.$", out, re.M)

    saved = json.loads((run_confusable.results / "step3.json").read_text())
    assert saved["confusion_matrix"] == matrix
    assert saved["most_confused"] == ["Shirt", "T-shirt/top"]
    assert saved["stop_epoch"] is None
    assert (saved["train_accuracy"], saved["test_accuracy"]) == pytest.approx(
        conv[2:], abs=5e-5)
    assert (saved["dense"]["params"], saved["dense"]["test_accuracy"]) == pytest.approx(
        (dense[0], dense[3]), abs=5e-5)
    assert saved["conv"]["train_seconds"] > 0


def test_low_target_stops_training_and_save_round_trip(run_confusable, tmp_path):
    (tmp_path / "models").mkdir()
    path = tmp_path / "models" / "fashion.keras"
    result = run_confusable("step3.py", "--epochs", 4, "--target-accuracy", 0.3,
                            "--save", path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    out = result.stdout
    # The callback's line, once per model: the first epoch already beats 0.3.
    stops = STOP_LINE.findall(out)
    assert [(epoch, target) for epoch, _, target in stops] == [("1", "0.3")] * 2
    assert all(float(accuracy) >= 0.3 for _, accuracy, _ in stops)
    assert "Epoch 2/4" not in out
    assert model_row(out, "Dense")[1] == 1 and model_row(out, "Convolutional")[1] == 1
    saved = json.loads((run_confusable.results / "step3.json").read_text())
    assert saved["stop_epoch"] == 1

    # The saved file is a whole model: loaded again, it scores the same on the test set.
    assert f"Saved the convolutional model to {path}" in out
    assert [p.name for p in path.parent.iterdir()] == ["fashion.keras"]  # no leftovers
    check = ("import tensorflow as tf, tutorial_helpers as h\n"
             f"_, (x, y) = h.load_fashion_mnist({str(run_confusable.cache)!r})\n"
             f"model = tf.keras.models.load_model({str(path)!r})\n"
             "print('accuracy', model.evaluate(x, y, verbose=0)[1])\n")
    loaded = subprocess.run([sys.executable, "-c", check], cwd=ROOT, env=run_confusable.env,
                            text=True, capture_output=True, timeout=120)
    assert loaded.returncode == 0, loaded.stderr
    accuracy = float(re.search(r"^accuracy (\S+)$", loaded.stdout, re.M).group(1))
    assert accuracy == pytest.approx(saved["test_accuracy"], abs=1e-6)


class FailingModel:
    """Stands in for a Keras model whose save is interrupted halfway."""

    def __init__(self, error):
        self.error = error

    def save(self, path):
        with open(path, "wb") as f:
            f.write(b"PK half a zip file")
        raise self.error


@pytest.mark.parametrize("error", [KeyboardInterrupt(), OSError(28, "No space left")])
def test_an_interrupted_save_leaves_no_half_written_file(tmp_path, error):
    path = tmp_path / "model.keras"
    path.write_bytes(b"the previous model")
    with pytest.raises((KeyboardInterrupt, SystemExit)):
        tutorial_helpers.save_model(FailingModel(error), path)
    assert path.read_bytes() == b"the previous model"  # untouched
    assert [p.name for p in tmp_path.iterdir()] == ["model.keras"]  # no leftovers


def test_help_lists_the_flags(run):
    result = run("step3.py", "--help")
    assert result.returncode == 0
    for flag in ("--epochs", "--seed", "--data-dir", "--target-accuracy", "--patience",
                 "--save", ".keras", "--dense-only"):
        assert flag in result.stdout


@pytest.mark.parametrize("args, message", [
    (["--target-accuracy", "0"], "must be above 0 and at most 1"),
    (["--target-accuracy", "1.5"], "must be above 0 and at most 1"),
    (["--target-accuracy", "high"], "expected a number"),
    (["--patience", "0"], "must be at least 1"),
    (["--epochs", "0"], "must be at least 1"),
    (["--save", "model.h5"], "must end in .keras"),
    (["--save", "no-such-folder/model.keras"], "the folder no-such-folder does not exist"),
    (["--save", "."], "must end in .keras"),
    (["--dense-only", "--save", "model.keras"], "which --dense-only does not train"),
    (["--if-missing"], "--if-missing needs --save or --logdir"),
])
def test_bad_flags_stop_before_training(run, args, message):
    result = run("step3.py", *args)
    assert result.returncode == 2
    assert "usage: step3.py" in result.stderr and message in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""  # nothing loaded or trained


@needs_real_data
def test_convolutions_beat_the_dense_model_on_the_real_data(run):
    result = run("step3.py", "--epochs", 2, "--data-dir", real_data_dir())
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert "Training on 54,000 images; 6,000 are held out for validation." in result.stdout
    dense, conv = model_row(result.stdout, "Dense"), model_row(result.stdout, "Convolutional")
    assert conv[3] > dense[3] and conv[3] >= 0.85


def test_dense_only_trains_the_dense_model_and_stops(run_confusable, tmp_path):
    """--dense-only: the callback experiments without the convolutional model; its logs
    go where a full run with the same settings writes its dense model's logs."""
    logs = tmp_path / "logs"
    result = run_confusable("step3.py", "--epochs", 3, "--patience", 1, "--dense-only",
                            "--logdir", logs)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    out = result.stdout
    assert out.count("Epoch 1/3") == 1 and "The convolutional model:" not in out
    dense = model_row(out, "Dense")
    assert dense[0] == 101_770 and not re.search(r"^Convolutional ", out, re.M)
    assert "Confusion matrix" not in out and "Saved" not in out
    assert sorted(p.name for p in (logs / "step3").iterdir()) == ["dense-epochs3-patience1"]
    saved = json.loads((run_confusable.results / "step3.json").read_text())
    assert saved["dense_only"] is True and "conv" not in saved
    assert saved["test_accuracy"] == pytest.approx(dense[3], abs=5e-5)


def test_if_missing_trains_only_what_is_missing(run_cached, tmp_path):
    """--if-missing: the model and the logs of an earlier run are used as they are; a
    run with other settings does not count, and one of them missing trains again."""
    model, logs = tmp_path / "fashion.keras", tmp_path / "logs"
    make = ["step3.py", "--epochs", 1, "--save", model, "--logdir", logs, "--if-missing"]
    first = run_cached(*make)
    assert first.returncode == 0, first.stderr
    assert "The convolutional model:" in first.stdout and model.is_file()
    made = model.stat().st_mtime_ns

    again = run_cached(*make)
    assert again.returncode == 0 and again.stderr == ""
    assert again.stdout == (f"{model} and {logs / 'step3' / 'conv-epochs1'} are already there, "
                            "from an earlier run: nothing to train.\n(Without --if-missing, "
                            "step3.py trains again and replaces them.)\n")
    assert model.stat().st_mtime_ns == made

    # Logs of other settings are not this run's: it trains (the dense model only here).
    other = run_cached("step3.py", "--epochs", 1, "--patience", 1, "--logdir", logs,
                       "--dense-only", "--if-missing")
    assert other.returncode == 0 and "The dense model of step 2:" in other.stdout
    assert (logs / "step3" / "dense-epochs1-patience1").is_dir()

