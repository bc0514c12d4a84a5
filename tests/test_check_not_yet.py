"""check.py: missing is not wrong, and no error hides behind a block not written yet.

A file without evaluate() is "not written yet", told what the page still asks in
words true of that file (one that validates on the test images is not told that
nothing tests it on unseen images). A file whose callback is not written yet and
whose convolutional model breaks on 28 by 28 images shows the model's own error, at
its item, and only then the block still to write (the exercise's callback scaffold,
untouched, or, in a file of its own, no callback class at all). tests/test_check_learner_styles.py tries the same in other learners' styles.
"""
import re

import pytest

from conftest import ROOT
from test_check2 import assert_clean, assert_true_marks, checked_in_pairs

ANSWER2 = (ROOT / "exercises" / "answers" / "step2.py").read_text()
ANSWER3 = (ROOT / "exercises" / "answers" / "step3.py").read_text()
EVALUATE_BLOCK = ANSWER2[ANSWER2.index("test_loss, test_accuracy"):ANSWER2.index("\n\n# [predict]")]
FIT = "model.fit(x_train, y_train, epochs=5)"
CALLBACK = ANSWER3[ANSWER3.index("class StopAtAccuracy"):ANSWER3.index("\n\n# [model]")]
EXERCISE3 = (ROOT / "exercises" / "step3.py").read_text()
SCAFFOLD = EXERCISE3[EXERCISE3.index("class StopAtAccuracy"):EXERCISE3.index("\n\n# [model]")]
CHANNEL = "    tf.keras.layers.Reshape((28, 28, 1)),  # Conv2D wants a channel axis: 1, grey\n"
INPUT = "    tf.keras.Input(shape=(28, 28)),\n"
# A convolutional model with no Input and no channel axis, which Keras builds at fit()
# and refuses there; fit() with no callback.
NO_CHANNEL = ANSWER3.replace(INPUT + "    tf.keras.layers.Rescaling", "    tf.keras.layers.Rescaling") \
    .replace(CHANNEL, "").replace(", callbacks=[StopAtAccuracy(0.9)]", "")
# Step 3's file before its callback: the scaffold as the exercise gives it, untouched.
NO_CALLBACK_YET = NO_CHANNEL.replace(CALLBACK, SCAFFOLD)

# name: (what the file says, what it says instead, base)
EVALUATE_NOT_YET = {
    "validates-on-test": (FIT, FIT[:-1] + ", validation_data=(x_test, y_test))",
                          ANSWER2.replace(EVALUATE_BLOCK, "")),
    "no-validation": (EVALUATE_BLOCK, 'print(model.history.history["accuracy"][-1])', ANSWER2),
}
STEP3 = {
    "with-labels": ("import tensorflow", "import tensorflow", NO_CALLBACK_YET),
    # A callback mistake is judged on made-up epochs: the model's error is shown too.
    "and-a-callback-mistake": ('logs["val_accuracy"] >= self.target',
                               'logs["accuracy"] >= self.target', ANSWER3.replace(CHANNEL, "")),
    # A file of its own: no labels, and no callback class at all.
    "own-file": ("import tensorflow", "import tensorflow",
                 "".join(line for line in NO_CHANNEL.replace(CALLBACK, "").splitlines(True)
                         if not line.startswith("# ["))),
}


def plants(table):
    return {name: (old, new, "", base) for name, (old, new, base) in table.items()}


@pytest.fixture(scope="module")
def checked(tmp_path_factory):
    results = checked_in_pairs(tmp_path_factory, "2", plants(EVALUATE_NOT_YET), ANSWER2)
    return {**results, **checked_in_pairs(tmp_path_factory, "3", plants(STEP3), ANSWER3)}


def flat(text):
    return re.sub(r"\s+", " ", text)


@pytest.mark.parametrize("name", EVALUATE_NOT_YET)
def test_no_evaluate_is_not_yet_said_truly(name, checked):
    out = checked[name].stdout
    assert_clean(checked[name])
    assert checked[name].returncode == 1
    assert "Mistake" not in out and "✗" not in out, out
    assert "  · evaluate() on the test images: an accuracy above chance   (not written yet)" \
        in out, out
    assert "Next: add evaluate() and the two accuracies, below the line '# [evaluate]'" in out
    assert out.count("  ✓ ") == 4
    if name == "validates-on-test":
        assert "Your fit() already measures the model on the test images after each epoch" \
            in flat(out), out
        assert "evaluate() at the end is the honest last word" in flat(out)
        assert "nothing has tested" not in out
    else:
        assert "Your file does not call evaluate() yet: nothing has tested the model on " \
               "images it has not learned from." in flat(out), out


@pytest.mark.parametrize("name", [name for name in STEP3 if name != "and-a-callback-mistake"])
def test_the_models_error_is_shown_though_the_callback_is_not_written_yet(name, checked):
    result = checked[name]
    out = result.stdout
    assert_clean(result)
    assert result.returncode == 1
    assert "Mistake [conv-no-channel]:" in out, out
    assert_true_marks("3", "conv-no-channel", out)
    assert "  · your callback: stops at a validation accuracy   (not written yet)\n" \
           "  ✗ the convolutional model\n" in out, out
    # Keras's own words, as running the file shows them, and then what is still to write.
    assert re.search(r"^Your file stopped at line \d+ with ValueError: .*expected min_ndim=4, "
                     r"found ndim=3", out, re.M), out
    assert "Then" in out and "your callback, StopAtAccuracy" in out.split("Then")[-1]
    assert "Mistake [no-callback]" not in out


def test_a_callback_mistake_does_not_hide_the_models_error(checked):
    result = checked["and-a-callback-mistake"]
    out = result.stdout
    assert_clean(result)
    assert result.returncode == 1
    assert "  ✗ your callback: stops at a validation accuracy\n" \
           "  ✗ the convolutional model\n" in out, out
    assert out.index("Mistake [callback-watches-training]:") < out.index(
        "And further on, what stopped your file:\nMistake [conv-no-channel]:"), out
    assert "  ✓ " not in out
    assert re.search(r"^Your file stopped at line \d+ with ValueError: .*expected min_ndim=4",
                     out, re.M), out
