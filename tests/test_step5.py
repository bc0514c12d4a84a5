"""Step 5 as a learner runs it: python step5.py, with the fashion.keras of step 4.

The model is a small convolutional one trained on generated data (saved_models.py)
where half of the Shirts are drawn as T-shirts: the pair most often confused is bound
to be those two. One test lets step 5 make the model again itself, as on a new machine.
"""
import json
import re
import shutil

import pytest

import tutorial_helpers
from conftest import HANG_S, ROOT, Runner
from fake_data import write_dataset
from photo_files import tiny_model
from saved_models import MAKER, small_conv_model

STEP5 = ROOT / "step5.py"
CAPTION_PARTS = [r"Test image (\d+)", r"Predicted: (\S+(?: \S+)?)", r"Confidence: (\d+\.\d)%",
                 r"True class: (\S+(?: \S+)?)"]
# The scenario's page promises this line (scenario/rehearsal).
CONFUSED = re.compile(r"^Most often confused: (Shirt|T-shirt/top|Pullover|Coat) and "
                      r"(Shirt|T-shirt/top|Pullover|Coat) \(.*\)\.$", re.M)
REMAKING = ("fashion.keras is not here (step 4 makes it, on an earlier machine perhaps): "
            f"making it\nagain with python {MAKER}, which takes a few minutes ...\n")


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """(data folder, fashion.keras): generated data, and a model trained on it."""
    folder = tmp_path_factory.mktemp("made")
    data = write_dataset(folder / "data", lookalike=(6, 0))
    runner = Runner(tmp_path_factory.mktemp("maker"))
    return data, small_conv_model(runner, folder / "fashion.keras", data_dir=data)


@pytest.fixture
def learner(run, made, tmp_path):
    """The learner's folder (tmp_path/here), with step 4's fashion.keras in it."""
    here = tmp_path / "here"
    here.mkdir()
    shutil.copy(made[1], here / "fashion.keras")
    return here


def step5(run, cwd, *args, timeout=HANG_S):
    return run(STEP5, *args, cwd=cwd, timeout=timeout)


def results(run):
    return json.loads((run.results / "step5.json").read_text())


def captions_of(section):
    """(index, predicted, confidence, true) of each picture drawn, left to right and
    row after row: the captions stand side by side, one line for each part."""
    return list(zip(*(re.findall(part, section) for part in CAPTION_PARTS)))


def table(out):
    rows = re.findall(r"^(\d) (\D+?)\s+((?:\d+\s+){10})(\d+\.\d)%$", out, re.M)
    assert [(int(k), name) for k, name, _, _ in rows] == list(
        enumerate(tutorial_helpers.CLASS_NAMES)), out
    return [list(map(int, counts.split())) for _, _, counts, _ in rows]


def test_mistakes_surest_first_the_table_the_pair_and_the_filters(run, made, learner, tmp_path):
    logs = tmp_path / "logs"
    result = step5(run, learner, "--data-dir", made[0], "--logdir", logs)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # quiet: no TensorFlow log lines
    out = result.stdout
    saved = results(run)
    assert "is not here" not in out and "Epoch" not in out  # nothing trained

    accuracy, wrong = re.search(r"^Test accuracy: (\d\.\d{4})\. It gets (\d+) of the 300 "
                                r"test images wrong\.$", out, re.M).groups()
    assert float(accuracy) == pytest.approx(saved["test_accuracy"], abs=5e-5)
    assert int(wrong) == saved["mistakes"] == round((1 - saved["test_accuracy"]) * 300) > 0

    # The surest mistakes: three captions, their confidences going down, each a mistake.
    assert "The mistakes it is surest of:" in out
    captions = captions_of(out[out.index("surest of:"):out.index("Look at them")])
    assert len(captions) == 3, out
    confidences = [float(c) for _, _, c, _ in captions]
    assert confidences == sorted(confidences, reverse=True)
    listed = saved["most_confident_mistakes"]
    assert [(str(m["index"]), m["predicted"], f"{m['confidence']:.1%}"[:-1], m["true"])
            for m in listed] == captions
    assert all(m["predicted"] != m["true"] for m in listed)
    assert "a confident mistake is often a picture" in out

    # The confusion table, its pair, and both in the results.
    assert re.search(r"^True class\s+0\s+1\s+2\s+3\s+4\s+5\s+6\s+7\s+8\s+9\s+Right$", out, re.M)
    matrix = table(out)
    assert sum(map(sum, matrix)) == 300 and saved["confusion_matrix"] == matrix
    assert sum(matrix[k][k] for k in range(10)) == 300 - int(wrong)
    assert CONFUSED.search(out)
    assert re.search(r"^Most often confused: Shirt and T-shirt/top \(\d+ Shirt taken for "
                     r"T-shirt/top, \d+ the other way round\)\.$", out, re.M)
    assert saved["most_confused"] == ["Shirt", "T-shirt/top"]
    # The worst mistake is among the most common pair's.
    assert (listed[0]["true"], listed[0]["predicted"]) == ("Shirt", "T-shirt/top")

    # The feature maps: the image beside 4 of the first Conv2D's 8 filters.
    shown = saved["filter_shown"]
    assert shown["image"] == 0 and len(shown["filters"]) == 4
    assert shown["filters"] == sorted(shown["filters"]) and max(shown["filters"]) < 8
    assert re.search(r"^Test image 0 and what 4 of the first Conv2D layer's 8 filters find "
                     r"in it$", out, re.M)
    assert re.findall(r"filter (\d+)", out) == [str(k) for k in shown["filters"]]
    assert re.search(r"^Test image 0 {18}filter \d+\n\S", out, re.M)  # and its class below

    # 80 columns (the data loader's and the pair's lines aside), plain ASCII off a terminal.
    assert all(len(line) <= 80 for line in out.splitlines()
               if not line.startswith(("Loading Fashion-MNIST from ", "Note: this copy holds",
                                       "Most often confused")))
    assert all(ord(c) < 128 for c in out)

    # --logdir: the mistakes and the matrix as pictures for TensorBoard.
    assert [p.name for p in (logs / "step5").iterdir()] == ["conv"]
    assert list((logs / "step5" / "conv" / "test").glob("events.out.tfevents.*"))


def test_a_missing_model_is_made_again_first(run, made, tmp_path):
    """A new machine: no fashion.keras. Step 5 says so, runs step 4 (one epoch here: the
    learner's run takes minutes) showing a line per epoch, and goes on to its end."""
    run.env["TUTORIAL_REMAKE_EPOCHS"] = "1"
    result = step5(run, tmp_path, "--data-dir", made[0])
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    out = result.stdout
    assert REMAKING in out
    made_again = out.index("Made fashion.keras again.")
    progress = out[out.index(REMAKING) + len(REMAKING):made_again].splitlines()
    epochs = [line for line in progress if re.match(r"^    epoch 1/1: validation accuracy "
                                                    r"\d\.\d+$", line)]
    assert len(epochs) >= 2  # a line for each model step 4 trains, at least
    assert len(progress) <= 10 and all(line.startswith("  ") for line in progress)
    assert (tmp_path / "fashion.keras").is_file()
    assert CONFUSED.search(out[made_again:]) and "filter " in out[made_again:]
    assert results(run)["confusion_matrix"]


@pytest.mark.parametrize("damage", ["text", "half"])
def test_a_damaged_model_is_one_line_naming_step4(damage, run, made, learner):
    path = learner / "fashion.keras"
    if damage == "text":
        path.write_text("not a model\n")
    else:
        path.write_bytes(made[1].read_bytes()[:2000])
    result = step5(run, learner, "--data-dir", made[0])
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        "Error: fashion.keras is not a Keras model, or a damaged one. Make it again:  "
        "python step4.py"]
    assert "is not here" not in result.stdout
    assert not (run.results / "step5.json").exists()


def test_a_model_without_convolutions_has_no_filters_to_show(run, made, learner):
    # A dense model for 28x28x1 inputs, without Rescaling: load_model() adds both.
    tiny_model(learner / "fashion.keras", shape=(28, 28, 1))
    result = step5(run, learner, "--data-dir", made[0])
    assert result.returncode == 0, result.stderr
    assert "has no Conv2D layer, so it has no filters to show" in result.stdout
    assert results(run)["filter_shown"] is None


def test_help(run):
    result = run(STEP5, "--help")
    assert result.returncode == 0
    assert "--logdir" in result.stdout and "--data-dir" in result.stdout
    assert "--epochs" not in result.stdout  # it trains nothing
