"""python check.py 2: every catalogued mistake, planted in a correct file, gets its message.

Each plant is one slip a beginner makes, written into the answer (the given start
with every block of the page) in a temp folder; check.py runs it on the tests'
generated data and must name that mistake, with exit code 1 and no traceback.
"""
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import CHECK_TIME_LIMIT, HANG_S, ROOT, Runner
from fake_data import write_dataset

ANSWER = (ROOT / "exercises" / "answers" / "step2.py").read_text()
START = (ROOT / "exercises" / "step2.py").read_text()
FLATTEN = "    tf.keras.layers.Flatten(),                        # 28x28 pixels -> a row of 784\n"
RESCALING = "    tf.keras.layers.Rescaling(1 / 255),               # pixels 0..255 -> 0..1\n"

# id: (what the answer says, what the slip makes of it, words the message must have)
PLANTS = {
    "no-flatten": (FLATTEN, "", "no Flatten()"),
    "categorical-loss": ('"sparse_categorical_crossentropy"', '"categorical_crossentropy"',
                         "plain class numbers 0-9"),
    "wrong-units": ('Dense(10, activation="softmax")', 'Dense(5, activation="softmax")',
                    "last layer has 5 neurons"),
    "input-784": ("tf.keras.Input(shape=(28, 28))", "tf.keras.Input(shape=(784,))",
                  "a row of 784 numbers"),
    "not-softmax": ('Dense(10, activation="softmax")', "Dense(10)",
                    "activation is none (its scores stay raw: logits), not softmax"),
    "not-softmax/sigmoid": ('Dense(10, activation="softmax")', "Dense(10, activation=tf.nn.sigmoid)",
                            "activation is sigmoid, not softmax"),
    "no-hidden-layer": ('    tf.keras.layers.Dense(128, activation="relu"),    # 128 neurons learn features\n',
                        "", "no hidden layer"),
    "no-relu": ('Dense(128, activation="relu")', "Dense(128)", "no activation"),
    "sparse-loss-one-hot": ("model.fit(x_train, y_train,",
                            "model.fit(x_train, tf.keras.utils.to_categorical(y_train),",
                            "fit() gets each label as a row of ten numbers"),
    "misspelt/loss": ('"sparse_categorical_crossentropy"', '"sparese_categorical_crossentropy"',
                      "asks for `sparese_categorical_crossentropy`, which does not exist (did "
                      "you mean `sparse_categorical_crossentropy`?)"),
    "misspelt-keyword": ("epochs=5)", "epoch=5)", "a keyword argument `epoch` that it does "
                                                  "not have (did you mean `epochs=`?)"),
    "tf1-name": ("optimizer=tf.keras.optimizers.Adam(learning_rate=0.001)",
                 "optimizer=tf.train.AdamOptimizer(learning_rate=0.001)",
                 "write tf.keras.optimizers.Adam()"),
    "labels-changed": ("model.fit(x_train, y_train, epochs=5)",
                       "y_train = y_train / 255\nmodel.fit(x_train, y_train, epochs=5)",
                       "labels from 0 to 0.0352941, fractions: not the ten class numbers"),
    "no-images": ("model.fit(x_train, y_train,", "model.fit(x_train[60000:], y_train[60000:],",
                  "fit() gets 0 images"),
    "nan-pixels": ("model.fit(x_train, y_train, epochs=5)", "x_train = x_train.astype(\"float32\")\n"
                   "x_train[0, 0, 0] = float(\"nan\")\nmodel.fit(x_train, y_train, epochs=5)",
                   "pixels that are NaN"),
    "learned-nothing": ("model.fit(x_train, y_train,", "model.fit(x_train, y_train[::-1],",
                        "what guessing one of ten classes gets"),
    "not-normalized": ("tf.keras.layers.Rescaling(1 / 255),", "tf.keras.layers.Rescaling(1 / 1),",
                       "not normalized"),
    # The images divided by 255 on top of the page's Rescaling layer: no error, and
    # the model learns much worse.
    "divided-twice": ("# [model]", "x_train = x_train / 255.0\nx_test = x_test / 255.0\n# [model]",
                      "from 0 to 0.0039, not from 0 to 1: your file divides the images by "
                      "255, and your model's Rescaling(1 / 255) layer divides them again"),
    "hidden-softmax": ('Dense(128, activation="relu")', 'Dense(128, activation="softmax")',
                       "Your hidden layer, Dense(128), has softmax as its activation, not ReLU"),
    "wrong-units/one": ('Dense(10, activation="softmax")', "Dense(1)",
                        "Your last layer has 1 neuron, but there are 10 classes"),
    # Only the test images divided twice: evaluate() gives the model nearly black images.
    "test-not-normalized/twice": ("model.evaluate(x_test, y_test", "model.evaluate(x_test / 255.0, y_test",
                                  "evaluate() gives the model pixels from 0 to 0.00392157 (after "
                                  "its Rescaling layer), but it learned on 0 to 1"),
    # Scaled outside the model (as many tutorials do), the training images only.
    "test-not-normalized": (RESCALING, "", "in the\nform it learned from",
                            ANSWER.replace("# [model]", "x_train = x_train / 255.0\n# [model]", 1)),
    "evaluate-on-train": ("model.evaluate(x_test, y_test", "model.evaluate(x_train, y_train",
                          "the very ones it learned from"),
    "swapped-results": ("test_loss, test_accuracy =", "test_accuracy, test_loss =",
                        "`test_accuracy` holds the test loss"),
    "no-accuracy": ('",\n              metrics=["accuracy"])', '")', 'no metrics=["accuracy"]'),
    "no-compile": (ANSWER[ANSWER.index("model.compile("):ANSWER.index("\n\n# [fit]")], "",
                   "fit() was called before compile()"),
    "name-error": ("model.fit(x_train, y_train, epochs=5)", "modle.fit(x_train, y_train, epochs=5)",
                   "uses `modle`, but your file has not defined it by then. Did you mean `model`?"),
    "fit-on-test": ("model.fit(x_train, y_train", "model.fit(x_test, y_test",
                    "trains on the test images"),
    "no-labels": ("model.fit(x_train, y_train, epochs=5)", "model.fit(x_train, epochs=5)",
                  "not their labels"),
    "predict-no-batch": ("model.predict(x_test[:1]", "model.predict(x_test[0]",
                         "without the batch axis"),
    "predict-not-normalized": ("model.predict(x_test[:1]", "model.predict(x_test[:1] * 255.0",
                               "gives the model pixels up to 255 (after its Rescaling layer)"),
    "predict-not-normalized/twice": ("model.predict(x_test[:1]", "model.predict(x_test[:1] / 255.0",
                                     "pixels up to 0.00392157 (after its Rescaling layer)"),
    # id/variant: a second slip with the same mistake.
    "misspelt": ("tf.keras.layers.Flatten()", "tf.keras.layers.Flaten()",
                 "asks for `Flaten`, which does not exist (did you mean `Flatten`?)"),
    # Any other error, or an early stop, is said plainly, with its line.
    "error": ("# [model]", "scale = 1 / 0\n# [model]", "stopped your file with ZeroDivisionError"),
    "import-error": ("import tensorflow as tf  #", "import tensorflw as tf  #",
                     "imports `tensorflw`, which Python cannot find (did you mean `tensorflow`?)"),
    "numpy-error": ("# [model]", "x_train = x_train.reshape((50000, 784))\n# [model]",
                    "NumPy's ValueError: cannot reshape array"),
    "stopped": ("# [model]", 'raise SystemExit("no model today")\n# [model]',
                "Your file stopped before its end:\n    no model today"),
    # Killed as the system kills the largest program when memory runs out: what ran
    # before is ticked, the rest is not called "not written yet".
    "cut-short": ("# [evaluate]", "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)"
                  "\n# [evaluate]", "(killed by SIGKILL), so the check could not see the "
                  "rest of it. On a small machine that is most often"),
}


def plant(tmp_path, name, old, new, text=ANSWER):
    assert old in text, f"{name}: the answer no longer holds {old!r}"
    path = tmp_path / ("step3.py" if text.startswith(('"""Step 3', '"""Steps 3')) else "step2.py")
    path.write_text(text.replace(old, new, 1))
    return path


def check(run, *args):
    """python check.py 2 ARGS, with a time limit for hangs only (a later --time-limit
    in ARGS wins)."""
    return run("check.py", "2", "--time-limit", CHECK_TIME_LIMIT, *args, timeout=HANG_S)


def assert_clean(result):
    """A verdict, never a traceback, on either stream."""
    assert "Traceback" not in result.stdout + result.stderr, result.stdout + result.stderr
    assert result.stderr == "", result.stderr


def checked_in_pairs(tmp_path_factory, step, plants, answer):
    """{mistake: check.py's result} for every plant, two checks at a time (the machine's
    two cores): each is its own process on its own file, as a learner's would be."""
    from concurrent.futures import ThreadPoolExecutor
    folder = tmp_path_factory.mktemp(f"plants{step}")
    run = Runner(folder)
    write_dataset(run.cache)
    paths = {}
    for name, (old, new, *_, base) in ((n, (*e, answer)[:4] if len(e) == 3 else e)
                                       for n, e in plants.items()):
        (folder / name.replace("/", "-")).mkdir()
        paths[name] = plant(folder / name.replace("/", "-"), name, old, new, base)
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = pool.map(lambda m: run("check.py", step, "--file", paths[m], "--time-limit",
                                         CHECK_TIME_LIMIT, timeout=HANG_S), plants)
        return dict(zip(plants, results))


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    return checked_in_pairs(tmp_path_factory, "2", PLANTS, ANSWER)


@pytest.mark.parametrize("name", PLANTS)
def test_each_mistake_gets_its_message(name, planted):
    words, mistake = PLANTS[name][2], name.split("/")[0]
    result = planted[name]
    assert_clean(result)
    assert f"Mistake [{mistake}]:" in result.stdout, result.stdout
    assert re.sub(r"\s+", " ", words) in re.sub(r"\s+", " ", result.stdout)
    assert "Hint: " in result.stdout
    assert result.returncode == 1
    assert_true_marks("2", mistake, result.stdout)


def assert_true_marks(step, mistake, out):
    """One ✗, on the item the mistake spoils (or the block its line is in); that item
    never ticked; every item listed once; no note saying the check passes."""
    from tutorial_helpers.checking.catalogue import ITEMS, MISTAKES, item_in
    names = dict(ITEMS[step])
    said = re.findall(r"^  ([✓✗·]) (.+?)(?:   \((.*)\))?$", out, re.M)
    marks = [(mark, name) for mark, name, _ in said]
    assert [mark for mark, _ in marks].count("✗") == 1, out
    assert sorted(name for _, name in marks if name in names.values()) == sorted(
        names.values()) or any(name.startswith("your file") for _, name in marks), out
    item = item_in(step, MISTAKES[mistake].item)
    if item:
        assert ("✗", names[item]) in marks, out
    ticked = [name for mark, name in marks if mark == "✓"]
    crossed = next(name for mark, name in marks if mark == "✗")
    assert crossed not in ticked
    # In the judge's order: the ticks first, then the items not written (or not
    # checked) yet that come before the cross, the cross, the rest.
    before = [mark for mark, _ in marks[:[mark for mark, _ in marks].index("✗")]]
    assert before == ["✓"] * len(ticked) + ["·"] * (len(before) - len(ticked)), out
    assert "the check passes" not in out


@pytest.mark.parametrize("fit, note", [
    ("model.fit(x_train, y_train, epochs=10)", "Note: your fit() trains for 10 epochs; the "
     "page uses 5. That is fine, and the check passes: on all the data each epoch takes "
     "about as long as the first, so 10 take about 2 times as long as 5"),
    ("model.fit(x_train, y_train)", "Note: your fit() trains for 1 epoch (fit()'s default, "
     "when epochs= is not given); the page uses 5. That is fine, and the check passes: "
     "fewer epochs take less time, and the model learns less.")])
def test_other_epochs_than_the_page_pass_with_a_note(fit, note, run_cached, tmp_path):
    path = plant(tmp_path, "epochs", "model.fit(x_train, y_train, epochs=5)", fit)
    result = check(run_cached, "--file", path)
    assert_clean(result)
    assert result.returncode == 0 and "All done" in result.stdout, result.stdout
    assert note in re.sub(r"\s+", " ", result.stdout)
    assert "Mistake" not in result.stdout and "✗" not in result.stdout


def test_an_error_in_a_file_without_the_pages_labels_names_its_line(run_cached, tmp_path):
    """A file written from scratch: the error is filed under its line, not under an item,
    and only what was checked before it is ticked."""
    path = tmp_path / "mine.py"
    path.write_text(PLAIN.replace("model.evaluate(", "model.evalute("))
    line = next(n for n, text in enumerate(path.read_text().splitlines(), 1)
                if "evalute" in text)
    result = check(run_cached, "--file", path)
    assert_clean(result)
    assert f"  ✗ your file, line {line}\n" in result.stdout, result.stdout
    assert "Mistake [misspelt]: " in result.stdout and "(did you mean `evaluate`?)" \
        in result.stdout
    assert "  ✓ fit(): training on the training images" in result.stdout
    assert "  · evaluate() on the test images: an accuracy above chance   (not checked yet)" \
        in result.stdout
    assert result.returncode == 1


def test_syntax_error_names_the_line_without_running_it(run_cached, tmp_path):
    path = plant(tmp_path, "syntax", "])\n", "]\n")
    line = path.read_text().splitlines().index("model = tf.keras.Sequential([") + 1
    # Stand-ins for TensorFlow and Keras, first on the path: importing one leaves a mark.
    site, imported = tmp_path / "stand_in_site", tmp_path / "imported"
    for name in ("tensorflow", "keras"):
        (site / name).mkdir(parents=True)
        (site / name / "__init__.py").write_text(
            f"open({str(imported)!r}, 'a').write({name!r})\n"
            f"raise SystemExit('{name} was imported')\n")
    run_cached.env["PYTHONPATH"] = os.pathsep.join([str(site), run_cached.env["PYTHONPATH"]])
    result = check(run_cached, "--file", path)
    assert_clean(result)
    assert f"Mistake [syntax-error]: Python cannot read line {line} of your file" \
        in result.stdout
    assert "never closed" in result.stdout
    assert "✗ the model" in result.stdout  # the block that holds the line
    assert result.returncode == 1
    assert not imported.exists()  # the file never ran: no TensorFlow, no training


def test_a_broken_tensorflow_is_said_before_the_file_starts(run_cached, tmp_path):
    """TensorFlow that cannot load stops the check before the learner's first line:
    said so, with Python's last line, never "not written yet"."""
    broken = tmp_path / "broken" / "keras"
    broken.mkdir(parents=True)
    (broken / "__init__.py").write_text(
        'raise ImportError("libtensorflow_framework.so.2: cannot open shared object file")')
    run_cached.env["PYTHONPATH"] = os.pathsep.join([str(broken.parent),
                                                    run_cached.env["PYTHONPATH"]])
    path = tmp_path / "step2.py"
    path.write_text(ANSWER)
    result = check(run_cached, "--file", path)
    assert_clean(result)
    assert ("Mistake [no-start]: Your file never started: Python stopped while the check "
            "loaded TensorFlow, before your file's first line:\n    ImportError: "
            "libtensorflow_framework.so.2") in result.stdout, result.stdout
    assert 'python -c "import tensorflow"' in result.stdout
    assert "not written yet" not in result.stdout and "✓" not in result.stdout
    assert result.returncode == 1


def test_endless_loop_is_stopped_at_the_time_limit(run_cached, tmp_path):
    # A loop that waits rather than spins, so that it costs no CPU. The limit counts
    # from the file's first line, not from TensorFlow's import (slow on a busy machine):
    # 30 s leave the data's loading ample time to reach the loop.
    path = plant(tmp_path, "loop", "# [model]",
                 "while True:\n    __import__('time').sleep(0.1)\n# [model]")
    line = path.read_text().splitlines().index("while True:") + 1
    result = check(run_cached, "--file", path, "--time-limit", 30)
    assert_clean(result)
    assert "Mistake [time-limit]: Your file ran for more than 30 seconds" in result.stdout
    # The stack dump names the loop's line, or its body's, as the moment falls.
    assert re.search(rf"while it ran line ({line}|{line + 1}):", result.stdout), result.stdout
    assert "a loop that never stops" in result.stdout
    assert result.returncode == 1


def test_the_given_start_says_what_to_add_next(run_cached):
    ran = run_cached("exercises/step2.py")
    assert ran.returncode == 0 and ran.stderr == "", ran.stderr
    assert "Next: add the model" in ran.stdout and "python check.py 2" in ran.stdout
    result = check(run_cached)
    assert_clean(result)
    assert "Next: add the model, below the line '# [model]'" in result.stdout
    assert result.returncode == 1


def test_add_writes_each_block_where_the_page_says(run_cached, tmp_path):
    """--add writes each block below its label: the start becomes the answer."""
    path = tmp_path / "step2.py"
    path.write_text(START)
    for label in ("model", "compile", "fit", "evaluate", "predict"):
        added = check(run_cached, "--file", path, "--add", label)
        assert added.returncode == 0 and f"Added the block [{label}]" in added.stdout
    assert path.read_text() == ANSWER  # the page's blocks, in their places
    again = check(run_cached, "--file", path, "--add", "fit")
    assert "already" in again.stdout and path.read_text() == ANSWER
    # That it then passes and runs: the hands-on route test below clicks it all.


# The plain tutorial file: the benchmark's baseline is step 2 as the usual tutorial
# writes it (Keras's load_data(), / 255.0, fit(x, y, epochs=5)).
PLAIN = (ROOT / "bench" / "baseline.py").read_text()


def test_a_plain_tutorial_file_passes(run_cached, tmp_path):
    """Keras's own load_data() (from the temp KERAS_HOME: no network), / 255.0, fit(x, y)."""
    path = tmp_path / "mine.py"
    path.write_text(PLAIN)
    result = check(run_cached, "--file", path)
    assert "All done" in result.stdout, result.stdout
    assert result.returncode == 0
    assert not (run_cached.home / ".keras").exists()


def test_verbose_adds_tensorflows_own_error(run_cached, tmp_path):
    old, new, _ = PLANTS["categorical-loss"]
    path = plant(tmp_path, "categorical-loss", old, new)
    quiet = check(run_cached, "--file", path)
    assert "Received: target.shape" not in quiet.stdout
    assert "check.py 2 --verbose" in quiet.stdout
    loud = check(run_cached, "--file", path, "--verbose")
    assert "Mistake [categorical-loss]" in loud.stdout and loud.returncode == 1
    assert "must have the same rank (ndim). Received: target.shape" in loud.stdout
    assert "what your file printed" in loud.stdout


def test_diff_shows_the_file_against_the_answer(run_cached, tmp_path):
    path = tmp_path / "step2.py"
    path.write_text(START)
    result = check(run_cached, "--file", path, "--diff")
    assert result.returncode == 0
    assert "+++ your file" in result.stdout and "--- the answer" in result.stdout
    assert '-model.fit(x_train, y_train, epochs=5)' in result.stdout
    path.write_text(ANSWER)
    assert "the same as the answer" in check(run_cached, "--file", path, "--diff").stdout


def test_watch_checks_again_on_save_and_stops_on_ctrl_c(run_cached, tmp_path):
    import selectors
    path = tmp_path / "step2.py"
    path.write_text(START)
    watching = subprocess.Popen([sys.executable, "check.py", "2", "--file", str(path),
                                 "--time-limit", str(CHECK_TIME_LIMIT), "--watch"],
                                cwd=ROOT, env=run_cached.env,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    seen, start = [""], [0]  # all the output so far; where the next wait looks from

    def wait_for(words, limit=HANG_S):
        """Read the output, never blocking past the deadline, until it shows words."""
        deadline = time.monotonic() + limit
        with selectors.DefaultSelector() as selector:
            selector.register(watching.stdout, selectors.EVENT_READ)
            while words not in seen[0][start[0]:]:
                left = deadline - time.monotonic()
                if left <= 0 or not selector.select(timeout=left):
                    pytest.fail(f"no {words!r} in:\n{seen[0]}")
                chunk = os.read(watching.stdout.fileno(), 65536)
                if not chunk:
                    pytest.fail(f"ended without {words!r}:\n{seen[0]}")
                seen[0] += chunk.decode()
        start[0] = seen[0].index(words, start[0]) + len(words)

    try:
        wait_for("Watching")
        path.write_text(ANSWER)
        wait_for("All done")
        wait_for("Watching")
        watching.send_signal(signal.SIGINT)
        out, err = watching.communicate(timeout=HANG_S)
    finally:
        if watching.poll() is None:
            watching.kill()
    assert "Next: add the model" in seen[0]
    assert "Stopped watching." in out.decode() and watching.returncode == 0
    assert b"Traceback" not in err


def test_help_lists_the_options(run):
    result = run("check.py", "--help")
    assert result.returncode == 0
    for flag in ("--verbose", "--diff", "--watch", "--add", "--file", "--time-limit"):
        assert flag in result.stdout
    assert os.path.exists(ROOT / "exercises" / "tutorial_helpers" / "__init__.py")


def click_the_route(step, run_cached, tmp_path):
    """Step N's page, clicked in order as scenario/rehearse clicks it, on a copy of
    the learner's folder: each answer typed below its label and each edit of
    exercises/stepN.py by the rehearsal's own code, each `python check.py N ...` and
    `python exercises/stepN.py` box run, its expect comments asserted."""
    sys.path.insert(0, str(ROOT / "scenario"))
    from rehearsal.journey import apply_edit, type_block
    from rehearsal.pages import actions

    class Here:  # the rehearsal's shell and root, for a folder on this machine
        def probe(self, command):
            return str(tmp_path)

        def inside(self, path):
            return Path(path)

    (tmp_path / "exercises" / "answers").mkdir(parents=True)
    for name in (f"step{step}.py", f"answers/step{step}.py"):
        (tmp_path / "exercises" / name).write_text((ROOT / "exercises" / name).read_text())
    path = tmp_path / "exercises" / f"step{step}.py"
    clicked = typed = 0
    # The pages whose Check runs check.py on exercises/stepN.py, in the course's order
    # (step 3's file spans the pages of steps 3 and 4).
    course = json.loads((ROOT / "scenario" / "structure.json").read_text())["items"]
    pages = [verify.parent / "text.md" for item in course
             for verify in sorted((ROOT / "scenario" / item["path"]).glob("*/verify.sh"))
             if f"check.py {step}" in verify.read_text()]
    assert pages
    for item in (item for page in pages for item in actions(page.read_text())):
        if item["kind"] in ("edit", "type") and item["file"] == f"exercises/step{step}.py":
            done = (apply_edit if item["kind"] == "edit" else type_block)(item, Here(), Here())
            assert done["ok"], done
            typed += item["kind"] == "type"
        elif item["kind"] == "exec" and item["command"].startswith(
                (f"python check.py {step}", f"python exercises/step{step}.py")):
            for command in item["command"].split(" && "):  # each in turn, as the shell
                words = command.split()
                if words[1] == "check.py":
                    result = run_cached("check.py", *words[2:], "--file", path,
                                        "--time-limit", CHECK_TIME_LIMIT)
                else:
                    result = run_cached(path)
                if result.returncode:
                    break
            clicked += 1
            wants_exit = 0
            for kind, argument in item["expects"]:
                if kind == "exit":
                    wants_exit = int(argument)
                elif kind == "regex":  # the generated data is easy: 1.0000 happens
                    argument = argument.replace(r"0\.\d{4}", r"[01]\.\d{4}")
                    assert re.search(argument, result.stdout, re.M), \
                        f"{item['command']}: no {argument!r} in\n{result.stdout}"
            assert result.returncode == wants_exit, (item["command"], result.stdout)
            assert_clean(result)
    assert typed == {"2": 4, "3": 2}[step] and clicked >= {"2": 9, "3": 6}[step]
    assert path.read_text() == (ROOT / "exercises" / "answers" / f"step{step}.py").read_text()


def test_every_catalogued_mistake_has_a_test():
    from tutorial_helpers.checking.catalogue import MISTAKES
    import test_check3
    tested = {name.split("/")[0] for name in [*PLANTS, *test_check3.PLANTS]} | {
        "syntax-error", "time-limit", "no-start"}
    assert set(MISTAKES) == tested
    listed = (ROOT / "docs" / "exercises.md").read_text()
    assert all(f"`{name}`" in listed for name in MISTAKES)




@pytest.mark.parametrize("step", ["2", "3"])
def test_the_pages_hands_on_route_keeps_its_promises(step, run_cached, tmp_path):
    click_the_route(step, run_cached, tmp_path)


def probes_of(path):
    return subprocess.run(["pgrep", "-f", f"checking.probe {path}"],
                          capture_output=True).stdout


def test_ctrl_c_ends_the_check_and_the_learners_file(run_cached, tmp_path):
    # The file says when it is in its loop: Ctrl-C comes then, not after a guessed wait.
    looping = tmp_path / "looping"
    path = plant(tmp_path, "loop", "# [model]", f"open({str(looping)!r}, 'w').close()\n"
                 "while True:\n    __import__('time').sleep(0.1)\n# [model]")
    checking = run_cached.start("check.py", "2", "--file", path,
                                "--time-limit", CHECK_TIME_LIMIT)
    deadline = time.monotonic() + HANG_S
    while not looping.exists():
        assert checking.poll() is None, checking.communicate()
        assert time.monotonic() < deadline, "the learner's file never reached its loop"
        time.sleep(0.2)
    assert probes_of(path)  # the learner's file runs, under the probe
    checking.send_signal(signal.SIGINT)
    out, err = checking.communicate(timeout=HANG_S)
    assert checking.returncode == 130 and "Stopped by Ctrl-C." in out
    assert "Traceback" not in out + err
    # The probe, in a session of its own, is ended too: killed before check.py exits,
    # gone once the kernel has taken it down.
    while probes_of(path) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert probes_of(path) == b""
