"""python check.py 3: the learner's callback and convolutional model; each mistake planted.

As in test_check2.py: each slip is written into the answer in a temp folder, and
check.py must name it, with exit code 1 and no traceback.
"""
import re

import pytest

from conftest import ROOT
from test_check2 import assert_clean, checked_in_pairs

ANSWER = (ROOT / "exercises" / "answers" / "step3.py").read_text()
START = (ROOT / "exercises" / "step3.py").read_text()
CONV_LAYERS = ANSWER[ANSWER.index("    tf.keras.layers.Reshape"):ANSWER.index("    tf.keras.layers.Flatten")]

PLANTS = {
    "callback-never-stops": ("self.model.stop_training = True", "self.stop_training = True",
                             "does not stop training"),
    "callback-watches-training": ('if logs["val_accuracy"] >= self.target:',
                                  'if logs["accuracy"] >= self.target:',
                                  "*training* accuracy"),
    "callback-not-passed": ("callbacks=[StopAtAccuracy(0.9)]", "callbacks=[]",
                            "fit() never gets it"),
    "callback-class": ("callbacks=[StopAtAccuracy(0.9)]", "callbacks=[StopAtAccuracy]",
                       "got the class StopAtAccuracy itself"),
    "no-validation": ("validation_data=(x_val, y_val), ", "", "no validation set"),
    "callback-fails": ("def on_epoch_end(self, epoch, logs=None):", "def on_epoch_end(self, logs):",
                       "on_epoch_end() fails: TypeError"),
    "conv-no-channel": ("    tf.keras.layers.Reshape((28, 28, 1)),  # Conv2D wants a channel axis: 1, grey\n",
                        "", "no channel axis"),
    "no-conv": (CONV_LAYERS, "", "no Conv2D layer"),
}


def plant(tmp_path, old, new, text=ANSWER):
    assert old in text, f"the answer no longer holds {old!r}"
    path = tmp_path / "step3.py"
    path.write_text(text.replace(old, new, 1))
    return path


def check(run, *args):
    return run("check.py", "3", *args, timeout=120)


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    return checked_in_pairs(tmp_path_factory, "3", PLANTS, ANSWER)


@pytest.mark.parametrize("mistake", PLANTS)
def test_each_mistake_gets_its_message(mistake, planted):
    old, new, words = PLANTS[mistake]
    result = planted[mistake]
    assert_clean(result)
    assert f"Mistake [{mistake}]:" in result.stdout, result.stdout
    assert words in result.stdout
    assert result.returncode == 1


def test_a_misspelt_key_in_logs_is_named(run_cached, tmp_path):
    path = plant(tmp_path, 'logs["val_accuracy"] >= self.target', 'logs["val_acc"] >= self.target')
    result = check(run_cached, "--file", path)
    assert_clean(result)
    assert "Mistake [callback-fails]: Your callback's on_epoch_end() fails: KeyError: 'val_acc'" \
        in result.stdout
    assert result.returncode == 1


def test_the_start_says_what_to_add_and_the_answer_passes(run_cached, tmp_path):
    path = tmp_path / "step3.py"
    path.write_text(START)
    result = check(run_cached, "--file", path)
    assert "Next: add your callback, StopAtAccuracy, below the line '# [callback]'" \
        in result.stdout and result.returncode == 1
    for label in ("callback", "model", "train", "evaluate"):
        assert check(run_cached, "--file", path, "--add", label).returncode == 0
    assert path.read_text() == ANSWER
    result = check(run_cached, "--file", path)
    assert_clean(result)
    assert "All done" in result.stdout and result.returncode == 0
    ran = run_cached(path)
    assert ran.returncode == 0, ran.stderr
    assert re.search(r"^Trained for \d+ epochs\. Test accuracy: [01]\.\d{4}$", ran.stdout, re.M)
    # On the generated data the target is reached at once: the callback stops training.
    assert "training stops here" in ran.stdout


def test_no_callback_at_all(run_cached, tmp_path):
    text = ANSWER.replace("callbacks=[StopAtAccuracy(0.9)]", "callbacks=[]")
    callback = text[text.index("class StopAtAccuracy"):text.index("\n\n# [model]")]
    path = plant(tmp_path, callback, "", text)
    result = check(run_cached, "--file", path)
    assert_clean(result)
    assert "Mistake [no-callback]: Your file has no callback" in result.stdout, result.stdout
    assert result.returncode == 1
