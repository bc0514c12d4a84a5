"""python check.py 3: the learner's callback and convolutional model; each mistake planted.

As in test_check2.py: each slip is written into the answer in a temp folder, and
check.py must name it, with exit code 1 and no traceback.
"""
import pytest

from conftest import ROOT
from test_check2 import assert_clean, assert_true_marks, checked_in_pairs

ANSWER = (ROOT / "exercises" / "answers" / "step3.py").read_text()
START = (ROOT / "exercises" / "step3.py").read_text()
WITHOUT_CALLBACKS = ANSWER.replace("callbacks=[StopAtAccuracy(0.9)]", "callbacks=[]")
CALLBACK = ANSWER[ANSWER.index("class StopAtAccuracy"):ANSWER.index("\n\n# [model]")]
CONV_LAYERS = ANSWER[ANSWER.index("    tf.keras.layers.Reshape"):ANSWER.index("    tf.keras.layers.Flatten")]

RESHAPE = "    tf.keras.layers.Reshape((28, 28, 1)),"
RESCALING = "    tf.keras.layers.Rescaling(1 / 255),\n"
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
    # Section 4's model copied whole: its Rescaling, on pixels the file already scaled.
    "scaled-twice": (RESHAPE, RESCALING + RESHAPE, "divided by 255 twice, from 0 to 0.0039"),
    "callback-fails/key": ('logs["val_accuracy"] >= self.target', 'logs["val_acc"] >= self.target',
                           "Your callback's on_epoch_end() fails: KeyError: 'val_acc'"),
    # The class gone, and fit() given no callback (a 4th item: the text to plant in).
    "no-callback": (CALLBACK, "", "Your file has no callback", WITHOUT_CALLBACKS),
}


def check(run, *args):
    return run("check.py", "3", *args, timeout=120)


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    return checked_in_pairs(tmp_path_factory, "3", PLANTS, ANSWER)


@pytest.mark.parametrize("name", PLANTS)
def test_each_mistake_gets_its_message(name, planted):
    words, mistake = PLANTS[name][2], name.split("/")[0]
    result = planted[name]
    assert_clean(result)
    assert f"Mistake [{mistake}]:" in result.stdout, result.stdout
    assert words in result.stdout
    assert result.returncode == 1
    assert_true_marks("3", mistake, result.stdout)


def test_the_start_says_what_to_add_and_add_writes_the_answer(run_cached, tmp_path):
    path = tmp_path / "step3.py"
    path.write_text(START)
    result = check(run_cached, "--file", path)
    assert "Next: add your callback, StopAtAccuracy, below the line '# [callback]'" \
        in result.stdout and result.returncode == 1
    for label in ("callback", "model", "train", "evaluate"):
        assert check(run_cached, "--file", path, "--add", label).returncode == 0
    assert path.read_text() == ANSWER
    # That it then passes and runs: test_check2's hands-on route test clicks it all.


def test_pixels_left_0_to_255_for_a_model_that_scales_them_pass(run_cached, tmp_path):
    """step3.py's way: the images stay 0..255 and the model's Rescaling layer scales them."""
    path = tmp_path / "step3.py"
    text = ANSWER.replace(RESHAPE, RESCALING + RESHAPE)
    for name in ("x_train", "x_val", "x_test"):
        text = text.replace(f'{name} = {name}.astype("float32") / 255.0\n', "")
    assert text.count("/ 255.0") == 0 and text.count("Rescaling") == 1
    path.write_text(text)
    result = check(run_cached, "--file", path)
    assert_clean(result)
    assert "Mistake" not in result.stdout and result.returncode == 0, result.stdout
