"""python check.py 3: the learner's callback (step 3's page), then the convolutional
model, its training and its test (step 4's page); each mistake planted.

As in test_check2.py: each slip is written into the answer in a temp folder, and
check.py must name it, with exit code 1 and no traceback. The callback is judged on
its own, on made-up epochs, so a file with only the callback written gets its tick.
The file gives the callback's class and method lines (a scaffold, its on_epoch_end
`pass`); the learner writes the lines that stop: their slips are planted there too.
"""
import re
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import CHECK_TIME_LIMIT, HANG_S, ROOT, Runner
from fake_data import write_dataset
from test_check2 import assert_clean, assert_true_marks

ANSWER = (ROOT / "exercises" / "answers" / "step3.py").read_text()
START = (ROOT / "exercises" / "step3.py").read_text()
WITHOUT_CALLBACKS = ANSWER.replace("callbacks=[StopAtAccuracy(0.9)]", "callbacks=[]")
CALLBACK = ANSWER[ANSWER.index("class StopAtAccuracy"):ANSWER.index("\n\n# [model]")]
# The learner's lines: the answer's, in place of the scaffold's `pass` line.
PASS = next(line for line in START.splitlines(True) if line.strip().startswith("pass  #"))
OWN_LINES = CALLBACK[CALLBACK.index('        if logs["val_accuracy"]'):] + "\n"
FILLED = START.replace(PASS, OWN_LINES, 1)
CONV_LAYERS = ANSWER[ANSWER.index("    tf.keras.layers.Reshape"):ANSWER.index("    tf.keras.layers.Flatten")]
# The answer as a file of the learner's own: the same code, without the page's labels.
OWN_FILE = "".join(line for line in ANSWER.splitlines(True) if not line.startswith("# ["))
COMPARE = 'if logs["val_accuracy"] >= self.target:'
VALIDATION = "validation_data=(x_val, y_val), "

RESHAPE = "    tf.keras.layers.Reshape((28, 28, 1)),"
RESCALING = "    tf.keras.layers.Rescaling(1 / 255),\n"
TRAINING_ON = 'print(f"Training on'
# The pixels scaled in NumPy, as step 1 showed it (the model then needs no Rescaling).
SCALED = "".join(f'{name} = {name}.astype("float32") / 255.0\n'
                 for name in ("x_train", "x_val", "x_test")) + TRAINING_ON
PLANTS = {
    "callback-never-stops": ("self.model.stop_training = True", "self.stop_training = True",
                             "does not stop training"),
    # The comparison the wrong way round: it never stops at 0.999 (and is not said to
    # watch the training accuracy, though it stops at 0.05).
    "callback-never-stops/backwards": (COMPARE, COMPARE.replace(">=", "<="),
                                       "even when the validation accuracy is 0.999"),
    "callback-watches-training": (COMPARE, 'if logs["accuracy"] >= self.target:',
                                  "*training* accuracy"),
    "callback-not-passed": ("callbacks=[StopAtAccuracy(0.9)]", "callbacks=[]",
                            "fit() never gets it"),
    "callback-class": ("callbacks=[StopAtAccuracy(0.9)]", "callbacks=[StopAtAccuracy]",
                       "got the class StopAtAccuracy itself"),
    # No validation set: the callback's logs["val_accuracy"] fails inside fit(); that
    # is fit()'s mistake, not the callback's.
    "no-validation": (VALIDATION, "", "no validation set"),
    "no-validation/get": (VALIDATION, "", "no validation set",
                          ANSWER.replace(COMPARE, COMPARE.replace(
                              'logs["val_accuracy"]', 'logs.get("val_accuracy")'))),
    "callback-fails": ("def on_epoch_end(self, epoch, logs=None):", "def on_epoch_end(self, logs):",
                       "on_epoch_end() fails: TypeError"),
    "conv-no-channel": ("    tf.keras.layers.Reshape((28, 28, 1)),  # Conv2D wants a channel axis: 1, grey\n",
                        "", "no channel axis"),
    "no-conv": (CONV_LAYERS, "", "no Conv2D layer"),
    # The model's Rescaling, on pixels the file scaled in NumPy too.
    "scaled-twice": (TRAINING_ON, SCALED, "divided by 255 twice, from 0 to 0.0039"),
    "callback-fails/key": ('logs["val_accuracy"] >= self.target', 'logs["val_acc"] >= self.target',
                           "Your callback's on_epoch_end() fails: KeyError: 'val_acc'"),
    # A file of its own that trains with no callback at all.
    "no-callback": (CALLBACK, "", "Your file has no callback",
                    OWN_FILE.replace("callbacks=[StopAtAccuracy(0.9)]", "callbacks=[]")),
}

# Correct in other words than the answer's: each passes with every item ticked.
STYLES = {
    "answer": ANSWER,
    "default-target-and-get": ANSWER.replace(
        "def __init__(self, target):", "def __init__(self, target=0.9):").replace(
        COMPARE, 'if logs.get("val_accuracy", 0) > self.target:').replace(
        "callbacks=[StopAtAccuracy(0.9)]", "callbacks=[StopAtAccuracy(target=0.9)]"),
    "own-file": OWN_FILE,
}
TARGET_IGNORED = ANSWER.replace(COMPARE, 'if logs["val_accuracy"] >= 0.9:')
# The learner's slips in the lines they write into the scaffold, the rest of the file
# (step 4's page) not written yet: each still named, on the callback.
SCAFFOLD_PLANTS = {
    "callback-never-stops": ("self.model.stop_training = True", "self.stop_training = True",
                             "does not stop training"),
    # Only the print(): it says it stops, and does not.
    "callback-never-stops/print-only": (
        "            self.model.stop_training = True  # fit() ends after this epoch\n", "",
        "does not stop training"),
    "callback-watches-training": (COMPARE, 'if logs["accuracy"] >= self.target:',
                                  "*training* accuracy"),
    "callback-fails/key": ('logs["val_accuracy"] >= self.target', 'logs["val_acc"] >= self.target',
                           "Your callback's on_epoch_end() fails: KeyError: 'val_acc'"),
    "callback-fails/target": ("self.target:", "target:", "NameError: name 'target' is not defined"),
}


def check(run, *args):
    return run("check.py", "3", *args, "--time-limit", CHECK_TIME_LIMIT, timeout=HANG_S)


@pytest.fixture(scope="module")
def checked(tmp_path_factory):
    """{name: check.py's result} for each plant, style and the callback alone, two
    checks at a time (the machine's two cores), each on its own file."""
    folder = tmp_path_factory.mktemp("check3")
    run = Runner(folder)
    write_dataset(run.cache)
    texts = {}
    for name, (old, new, _, *base) in PLANTS.items():
        text = base[0] if base else ANSWER
        assert old in text, f"{name}: the answer no longer holds {old!r}"
        texts[name] = text.replace(old, new, 1)
    texts.update(STYLES)
    assert CALLBACK in FILLED  # the scaffold and the learner's lines: the answer's class
    texts["callback-alone"] = FILLED
    for name, (old, new, _) in SCAFFOLD_PLANTS.items():
        assert old in FILLED, f"scaffold {name}: the answer no longer holds {old!r}"
        texts["scaffold " + name] = FILLED.replace(old, new, 1)
    texts["target-ignored"] = TARGET_IGNORED
    texts["callback-block-empty"] = WITHOUT_CALLBACKS.replace(CALLBACK, "")
    # Step 4's blocks written, the callback still the scaffold as given.
    texts["callback-scaffold-fit"] = ANSWER.replace(OWN_LINES, PASS, 1)
    assert texts["callback-scaffold-fit"] != ANSWER
    paths = {}
    for name, text in texts.items():
        paths[name] = folder / name.replace("/", "-") / "step3.py"
        paths[name].parent.mkdir()
        paths[name].write_text(text)
    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(texts, pool.map(
            lambda name: run("check.py", "3", "--file", paths[name],
                             "--time-limit", CHECK_TIME_LIMIT, timeout=HANG_S), texts)))


def flat(text):
    return re.sub(r"\s+", " ", text)


@pytest.mark.parametrize("name", PLANTS)
def test_each_mistake_gets_its_message(name, checked):
    words, mistake = PLANTS[name][2], name.split("/")[0]
    result = checked[name]
    assert_clean(result)
    assert f"Mistake [{mistake}]:" in result.stdout, result.stdout
    assert flat(words) in flat(result.stdout), result.stdout
    assert result.returncode == 1
    assert_true_marks("3", mistake, result.stdout)


@pytest.mark.parametrize("name", SCAFFOLD_PLANTS)
def test_each_slip_in_the_scaffold_gets_its_message(name, checked):
    words, mistake = SCAFFOLD_PLANTS[name][2], name.split("/")[0]
    result = checked["scaffold " + name]
    assert_clean(result)
    assert f"Mistake [{mistake}]:" in result.stdout, result.stdout
    assert flat(words) in flat(result.stdout), result.stdout
    assert result.returncode == 1
    assert_true_marks("3", mistake, result.stdout)


def test_a_wrong_way_comparison_is_not_said_to_watch_the_training_accuracy(checked):
    assert "*training*" not in checked["callback-never-stops/backwards"].stdout


@pytest.mark.parametrize("name", STYLES)
def test_correct_files_pass_with_every_item_ticked(name, checked):
    result = checked[name]
    assert_clean(result)
    assert result.returncode == 0 and "All done" in result.stdout, result.stdout
    assert "Mistake" not in result.stdout and "✗" not in result.stdout
    assert result.stdout.count("  ✓ ") == 5
    assert "target it is made with" not in result.stdout


def test_the_callback_alone_is_ticked_and_the_rest_is_still_to_write(checked):
    """Step 3's page ends with the callback; the model and its training are step 4's."""
    result = checked["callback-alone"]
    assert_clean(result)
    out = result.stdout
    assert result.returncode == 1 and "Mistake" not in out, out
    marks = re.findall(r"^  ([✓✗·]) (.+?)(?:   \((.*)\))?$", out, re.M)
    assert marks[0] == ("✓", "your callback: stops at a validation accuracy", ""), out
    assert [mark for mark, _, _ in marks[1:]] == ["·"] * 4
    assert marks[1][2] == "not written yet"
    assert "Next: add the convolutional model" in flat(out), out
    assert "python check.py 3 --add model" in out


@pytest.mark.parametrize("name", ["callback-block-empty", "callback-scaffold-fit"])
def test_an_empty_callback_or_its_scaffold_is_not_written_yet_not_a_mistake(name, checked):
    """No callback, or the scaffold's `pass` still there: the callback is still to
    write, even when fit() already got it (and it never stopped)."""
    result = checked[name]
    assert_clean(result)
    assert "Mistake" not in result.stdout and result.returncode == 1, result.stdout
    assert "  · your callback: stops at a validation accuracy   (not written yet)" \
        in result.stdout
    assert "Next: add your callback, StopAtAccuracy" in result.stdout


def test_a_callback_that_ignores_its_target_passes_with_a_note(checked):
    """A number of its own in place of self.target stops this file at 0.9 as the page's
    does, so the check passes; the note says the target is not used."""
    result = checked["target-ignored"]
    assert_clean(result)
    assert result.returncode == 0 and "✗" not in result.stdout, result.stdout
    assert ("Note: your callback does not use the target it is made with: made as "
            "StopAtAccuracy(0.99), it stops at a validation accuracy of 0.95.") \
        in flat(result.stdout), result.stdout


def test_the_start_says_what_to_add_and_add_writes_the_answer(run_cached, tmp_path):
    path = tmp_path / "step3.py"
    path.write_text(START)
    result = check(run_cached, "--file", path)
    assert "Next: add your callback, StopAtAccuracy, below the line '# [callback]'" \
        in result.stdout and result.returncode == 1
    # The scaffold's `pass` runs to the end of the file, which says the same.
    ran = run_cached(path)
    assert ran.returncode == 0 and "Next: add your callback, StopAtAccuracy" in ran.stdout
    for label in ("callback", "model", "train", "evaluate"):
        assert check(run_cached, "--file", path, "--add", label).returncode == 0
    assert path.read_text() == ANSWER  # the scaffold replaced by the answer's class
    # That it then passes and runs: test_check2's hands-on route test clicks it all.


def test_add_keeps_the_learners_own_lines_in_the_scaffold(run_cached, tmp_path):
    path = tmp_path / "step3.py"
    mine = FILLED.replace(COMPARE, 'if logs["accuracy"] >= self.target:')
    path.write_text(mine)
    result = check(run_cached, "--file", path, "--add", "callback")
    assert "holds lines of your own: nothing added" in result.stdout, result.stdout
    assert path.read_text() == mine


def test_pixels_scaled_in_numpy_for_a_model_without_rescaling_pass(run_cached, tmp_path):
    """Step 1's way: the file scales the images, and the model has no Rescaling layer."""
    path = tmp_path / "step3.py"
    text = ANSWER.replace(RESCALING, "").replace(TRAINING_ON, SCALED)
    assert text.count("/ 255.0") == 3 and text.count("Rescaling") == 0
    path.write_text(text)
    result = check(run_cached, "--file", path)
    assert_clean(result)
    assert "Mistake" not in result.stdout and result.returncode == 0, result.stdout
