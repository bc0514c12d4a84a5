"""Step 4 as a learner runs it: python step4.py, the dense and the convolutional model.

One run, two epochs on the small generated data, from a folder of its own (step 4
saves fashion.keras where it runs); the tests read its output, its results file and
the model it saved.
"""
import json
import re
import subprocess
import sys

import pytest

from conftest import HANG_S, ROOT, Runner
from fake_data import write_dataset

TABLE = re.compile(r"^(Dense|Convolutional) +([\d,]+) +(\d+) +([01]\.\d{4}) +([01]\.\d{4})"
                   r" +(\d+)$", re.M)
TOTAL = re.compile(r"Total params: ([\d,]+)")


@pytest.fixture(scope="module")
def step4(tmp_path_factory):
    """(Runner, result, results file, the folder it ran in) of one two-epoch run."""
    folder = tmp_path_factory.mktemp("step4")
    run = Runner(folder)
    write_dataset(run.cache, lookalike=(6, 0))
    (folder / "work").mkdir()
    result = run(ROOT / "step4.py", "--epochs", 2, cwd=folder / "work")
    assert result.returncode == 0, result.stderr
    return run, result, json.loads((run.results / "step4.json").read_text()), folder / "work"


def test_quiet_and_in_the_pages_order(step4):
    _, result, _, _ = step4
    out = result.stdout
    assert result.stderr == ""  # no TensorFlow, absl or oneDNN lines
    said = ['Model: "dense"', 'Model: "conv"', "The dense model:", "Epoch 1/2",
            "The convolutional model:", "Weights  Epochs", "Of the 300 test images",
            "Saved the convolutional model to fashion.keras"]
    places = [out.find(text, out.find(said[0])) for text in said]
    assert -1 not in places and places == sorted(places), out


def test_both_summaries_and_the_table_agree_on_the_weights(step4):
    _, result, results, _ = step4
    out = result.stdout
    totals = [int(n.replace(",", "")) for n in TOTAL.findall(out)]
    assert totals == [101_770, 206_922]  # step 2's dense model; the page's conv one
    rows = {name: row for name, *row in TABLE.findall(out)}
    assert list(rows) == ["Dense", "Convolutional"], out
    assert [int(rows[n][0].replace(",", "")) for n in rows] == totals
    assert [results[key]["params"] for key in ("dense", "conv")] == totals


def test_the_table_holds_what_was_measured(step4):
    _, result, results, _ = step4
    rows = {name: row for name, *row in TABLE.findall(result.stdout)}
    for name, key in (("Dense", "dense"), ("Convolutional", "conv")):
        _, epochs, train, test, seconds = rows[name]
        r = results[key]
        assert int(epochs) == r["epochs"] == 2
        assert float(train) == pytest.approx(r["train_accuracy"], abs=5e-5)
        assert float(test) == pytest.approx(r["test_accuracy"], abs=5e-5)
        assert int(seconds) == round(r["seconds"]) and r["seconds"] > 0
        assert r["test_accuracy"] > 0.6  # chance is 0.1
    wrong = {k: round((1 - results[k]["test_accuracy"]) * 300) for k in ("dense", "conv")}
    assert (f"Of the 300 test images, the dense model gets {wrong['dense']:,} wrong "
            f"and the convolutional one {wrong['conv']:,}.") in result.stdout
    assert (results["epochs"], results["seed"]) == (2, 42)


def test_fashion_keras_is_saved_where_it_ran_and_loads(step4):
    run, _, results, work = step4
    path = work / "fashion.keras"
    assert [p.name for p in work.iterdir()] == ["fashion.keras"]  # nothing half-written
    loaded = subprocess.run(
        [sys.executable, "-c",
         "import sys, numpy as np\n"
         "from tutorial_helpers import quiet_tensorflow\n"
         "with quiet_tensorflow():\n"
         "    import tensorflow as tf\n"
         "model = tf.keras.models.load_model(sys.argv[1])\n"
         "out = model.predict(np.zeros((3, 28, 28), 'uint8'), verbose=0)\n"
         "print(model.name, model.count_params(), out.shape, round(float(out[0].sum()), 4))\n",
         str(path)], env=run.env, cwd=work, text=True, capture_output=True, timeout=HANG_S)
    assert loaded.returncode == 0, loaded.stderr
    assert loaded.stdout.split() == ["conv", str(results["conv"]["params"]), "(3,", "10)",
                                     "1.0"]
