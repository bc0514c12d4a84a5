"""The benchmark, bench/run.py, on small generated data: every field is there.

Timings are never asserted: on generated data and a shared machine they mean nothing.
"""
import datetime
import gzip
import importlib.util
import json
import numbers
import os
import subprocess
import sys

import pytest

from conftest import HANG_S, ROOT, Runner
from docs_pages import DOCS_DIR, section
from fake_data import write_dataset

# step3 has its own tests and the same code path; every data path of step 1, and
# a step pinned to one CPU.
TARGETS = ["baseline", "step1", "step1-system", "step1-data-dir", "step2", "step2-1cpu",
           "import-tf"]
FIELDS = ["wall_s", "first_line_s", "train_s", "peak_rss_mb",
          "train_accuracy", "test_accuracy", "stderr_lines"]
HEADINGS = ["wall s", "1st line s", "train s", "peak MB", "train acc", "test acc", "stderr"]
MACHINE = ["cpu", "cores", "python", "tensorflow", "keras", "numpy", "platform"]
RATIOS = ["wall_s", "train_s", "peak_rss_mb", "test_accuracy"]
RATIO_LABELS = ["wall time", "training time", "peak memory", "test accuracy", "stderr lines"]
TRAINS = {"baseline", "step2", "step2-1cpu"}  # targets that train
DETAILS = {  # target: (program, data path, CPUs or None for all the usable ones)
    "baseline": ("baseline", "keras-cache", None),
    "step1": ("step1", "keras-cache", None),
    "step1-system": ("step1", "system", None),
    "step1-data-dir": ("step1", "data-dir", None),
    "step2": ("step2", "keras-cache", None),
    "step2-1cpu": ("step2", "keras-cache", 1),
    "import-tf": ("import-tf", "keras-cache", None),
}


def is_number(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def bench(run, *args, timeout=HANG_S):
    return run("bench/run.py", "--repeat", 1, "--no-warmup", *args, timeout=timeout)


def bench_only(run, tmp_path, targets, timeout=HANG_S):
    """bench/run.py --only TARGETS on small generated data: its stdout and its report."""
    data = write_dataset(tmp_path / "data", n_train=500, n_test=100)
    report_path = tmp_path / "bench.json"
    result = bench(run, "--data-dir", data, "--json", report_path, "--only", targets,
                   timeout=timeout)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout, json.loads(report_path.read_text())


# Steps 3 to 6 and TensorBoard in one benchmark run, shared by the tests below: step4.py,
# which steps 5 and 6 and TensorBoard's logs all need first, runs once in it.
STEP_TARGETS = ["step3", "step4", "step5", "step6", "tensorboard"]


@pytest.fixture(scope="module")
def steps_bench(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("steps-bench")
    return bench_only(Runner(tmp_path), tmp_path, ",".join(STEP_TARGETS),
                      timeout=2 * HANG_S)  # ten runs of TensorFlow, and training


def test_table_and_json_have_every_field(run, tmp_path):
    data = write_dataset(tmp_path / "data", n_train=500, n_test=100)
    run.env["TEST_SYSTEM_DATA_DIR"] = str(data)  # the Debian package's folder, here
    report_path = tmp_path / "out" / "bench.json"
    result = bench(run, "--data-dir", data, "--json", report_path,
                   "--only", ",".join(TARGETS))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Traceback" not in result.stderr

    # The table: one header, then min/median/max rows for every target.
    lines = result.stdout.splitlines()
    header = next(line for line in lines if line.startswith("target"))
    for heading in HEADINGS:
        assert heading in header
    start = lines.index(header)
    for position, name in enumerate(TARGETS):
        rows = lines[start + 1 + 3 * position: start + 4 + 3 * position]
        assert rows[0].split()[:2] == [name, "min"]
        assert [row.split()[0] for row in rows[1:]] == ["median", "max"]
        for row in rows:
            assert len(row.split()) == len(HEADINGS) + (2 if row is rows[0] else 1)
    ratio_block = result.stdout.split("Step 2 against the baseline")[1].split("Fast start")[0]
    for label in RATIO_LABELS:
        assert f"  {label} " in ratio_block
    assert ratio_block.count("PASS") + ratio_block.count("MISS") + ratio_block.count("n/a") == 6

    # The JSON: the machine, the runs, their summary and the ratios.
    report = json.loads(report_path.read_text())
    assert set(MACHINE) <= set(report["machine"])
    assert all(report["machine"][key] for key in MACHINE)
    assert is_number(report["machine"]["cores"])
    datetime.datetime.fromisoformat(report["date"])
    assert report["repeat"] == 1
    assert report["data_dir"] == str(data.resolve())
    assert report["data"] == {"train_images": 500, "test_images": 100}
    assert list(report["runs"]) == TARGETS
    for name, runs in report["runs"].items():
        assert len(runs) == 1
        run_ = runs[0]
        assert run_["exit_code"] == 0
        for field in FIELDS:
            expected_none = name not in TRAINS and field in (
                "train_s", "train_accuracy", "test_accuracy")
            assert (run_[field] is None) if expected_none else is_number(run_[field]), \
                (name, field)
        assert 0 < run_["first_line_s"] <= run_["wall_s"]
        if name.startswith("step1"):  # no TensorFlow
            assert run_["peak_rss_mb"] < report["runs"]["import-tf"][0]["peak_rss_mb"] / 2
        else:
            assert run_["peak_rss_mb"] > 50  # a Python with TensorFlow loaded
        program, path, cpus = DETAILS[name]
        assert run_["cpus"] == (cpus or report["machine"]["usable_cores"])
        assert report["target_details"][name] == {
            "program": program, "data_path": path, "data_dir": str(data.resolve()),
            "cpus": cpus or report["machine"]["usable_cores"], "pinned": cpus is not None}
        if name in TRAINS:
            assert 0 < run_["train_s"] < run_["wall_s"]
            assert 0.6 < run_["test_accuracy"] <= 1  # the generated classes are easy
    assert report["runs"]["step2"][0]["stderr_lines"] == 0
    assert report["runs"]["step2"][0]["results"]["test_accuracy"] == \
        report["runs"]["step2"][0]["test_accuracy"]
    for name in TARGETS:
        for field in FIELDS:
            stats = report["summary"][name][field]
            if stats is None:
                assert name not in TRAINS
                continue
            assert stats["min"] <= stats["median"] <= stats["max"]
    ratios = report["ratios"]["step2_vs_baseline"]
    assert all(is_number(ratios[field]) and ratios[field] > 0 for field in RATIOS)
    checks = report["checks"]["step2_vs_baseline"]
    assert checks["peak_rss_mb_absolute"]["pass"] is None  # not the full data
    assert checks["stderr_lines"]["pass"] is True
    # The fast start: every step's first line; step 1's time and memory.
    fast = report["checks"]["fast_start"]
    assert set(fast) == {name for name in TARGETS if name.startswith("step")}
    for name, fields in fast.items():
        expected = ({"first_line_s", "wall_s", "peak_rss_mb"} if name.startswith("step1")
                    else {"first_line_s"})
        assert set(fields) == expected
        for check in fields.values():
            assert is_number(check["value"]) and check["pass"] is None  # not the full data
    assert "Fast start (medians):" in result.stdout


def test_default_targets_cover_every_data_path_and_one_cpu():
    spec = importlib.util.spec_from_file_location("bench_run", ROOT / "bench" / "run.py")
    bench_run = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench_run)
    targets = [bench_run.parse_target(name) for name in bench_run.DEFAULT_TARGETS]
    shown = {(t["program"], t["data_path"], t["cpus"]) for t in targets}
    for program in ("step1", "step2"):
        for path in ("keras-cache", "system", "data-dir"):
            assert (program, path, None) in shown
    for program in ("step1", "step2", "step3", "step4", "step5", "step6"):
        assert (program, "keras-cache", 1) in shown
    assert {("baseline", "keras-cache", None), ("import-tf", "keras-cache", None),
            ("step3", "keras-cache", None), ("step4", "keras-cache", None),
            ("step5", "keras-cache", None), ("step6", "keras-cache", None),
            ("tensorboard", "keras-cache", None)} <= shown


def test_cpus_pins_the_runs_and_a_missing_system_folder_is_a_note(run, tmp_path):
    data = write_dataset(tmp_path / "data", n_train=100, n_test=50)
    report_path = tmp_path / "bench.json"
    result = bench(run, "--data-dir", data, "--json", report_path, "--cpus", 1,
                   "--only", "step1,step1-system")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "step1-system: skipped" in result.stdout  # TEST_SYSTEM_DATA_DIR is empty
    report = json.loads(report_path.read_text())
    assert report["cpus"] == 1 and list(report["runs"]) == ["step1"]
    assert report["runs"]["step1"][0]["cpus"] == 1
    assert report["target_details"]["step1"]["pinned"] is True

    too_many = bench(run, "--data-dir", data, "--cpus", len(os.sched_getaffinity(0)) + 1)
    assert too_many.returncode == 1
    assert "--cpus" in too_many.stderr and "Traceback" not in too_many.stderr


def test_no_data_says_how_to_get_it(run):
    # run's KERAS_HOME is empty and the Debian package's folder is hidden.
    result = bench(run)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "sudo apt install dataset-fashion-mnist" in result.stderr
    assert "--data-dir" in result.stderr
    assert result.stdout == ""


def test_data_dir_without_the_files(run, tmp_path):
    result = bench(run, "--data-dir", tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "train-images-idx3-ubyte.gz" in result.stderr


def test_a_failing_run_is_shown_and_fails_the_benchmark(run, tmp_path):
    data = write_dataset(tmp_path / "data", n_train=100, n_test=50)
    with gzip.open(data / "t10k-images-idx3-ubyte.gz", "wb") as broken:
        broken.write(b"not an IDX file")
    report_path = tmp_path / "bench.json"
    result = bench(run, "--data-dir", data, "--json", report_path, "--only", "step2")
    assert result.returncode == 1
    assert "step2 failed with exit code 1" in result.stdout
    assert "| Error:" in result.stdout  # the end of the step's own stderr
    assert "Failed runs: step2 1 of 1" in result.stdout
    report = json.loads(report_path.read_text())
    assert report["runs"]["step2"][0]["exit_code"] == 1
    assert report["summary"]["step2"]["wall_s"] is None


def ranked(candidates):
    """The candidates as conv_choices.py ranks them: by validation accuracy, best first."""
    return sorted(candidates, key=lambda candidate: -candidate["val_accuracy"])


def test_conv_choices_compares_candidates(run, tmp_path):
    """Every candidate is validated; only step 3's model, the fourth, is tested."""
    data = write_dataset(tmp_path / "data", n_train=500, n_test=100)
    report_path = tmp_path / "choices.json"
    result = run("bench/conv_choices.py", "--data-dir", data, "--only", 4, "--epochs", 1,
                 "--json", report_path, timeout=HANG_S)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    header = next(line for line in lines if line.startswith("Candidate"))
    assert header.split() == ["Candidate", "Parameters", "Epochs", "Train", "s", "Train",
                              "acc", "Val", "acc", "Test", "acc"]
    report = json.loads(report_path.read_text())
    assert all(report["machine"][key] for key in MACHINE)
    names = [c["name"] for c in report["candidates"]]
    assert names[0].startswith("dense") and names[1].startswith("conv")
    for candidate in report["candidates"]:
        assert candidate["epochs"] == 1
        assert candidate["train_seconds"] > 0
        assert 0.3 < candidate["val_accuracy"] <= 1  # learnable classes: above chance
        step3 = candidate["name"] == "conv 16-32, same padding (step 3)"
        assert (candidate["test_accuracy"] is None) is not step3, candidate
    assert names.count("conv 16-32, same padding (step 3)") == 1
    assert 0.3 < report["candidates"][3]["test_accuracy"] <= 1
    assert report["candidates"][0]["params"] == 101_770  # step 2's dense model
    # The table: one row per candidate, ranked by validation accuracy.
    rows = lines[lines.index(header) + 1:][:len(names)]
    assert [row.split("  ")[0] for row in rows] == [c["name"] for c in ranked(report["candidates"])]
    for row, candidate in zip(rows, ranked(report["candidates"])):
        test = candidate["test_accuracy"]
        assert row.split()[-2:] == [f"{candidate['val_accuracy']:.4f}",
                                    "-" if test is None else f"{test:.4f}"]
    assert "looked at once, after choosing" in result.stdout


def test_what_we_tried_is_the_recorded_comparison():
    """docs/step4-design.md's "What we tried" table is bench/conv_choices.json, row for
    row, ranked by validation accuracy; a test accuracy only where one was measured."""
    recorded = json.loads((ROOT / "bench" / "conv_choices.json").read_text())["candidates"]
    assert all(c["val_accuracy"] is not None for c in recorded)
    assert sum(c["test_accuracy"] is not None for c in recorded) == 1  # step 3's model only
    tried = section(DOCS_DIR / "step4-design.md", "What we tried")
    rows = [[cell.strip() for cell in line.strip("|").split("|")]
            for line in tried.splitlines() if line.startswith("| ") and "---" not in line]
    assert rows[0] == ["Candidate", "Parameters", "Epochs", "Training s", "Training acc",
                       "Validation acc", "Test acc"]
    shown = [(name.replace("**", ""), params, int(epochs), float(seconds), float(train),
              float(val), None if test == "—" else float(test))
             for name, params, epochs, seconds, train, val, test in rows[1:]]
    assert shown == [(c["name"], f"{c['params']:,}", c["epochs"],
                      float(f"{c['train_seconds']:.0f}"), c["train_accuracy"],
                      c["val_accuracy"], c["test_accuracy"]) for c in ranked(recorded)]


def test_steps_5_and_6_run_on_the_model_step4_saved(steps_bench):
    """step4.py makes fashion.keras first, untimed, once: step 6's photo and TensorBoard's
    logs are made in copies of step 5's folder."""
    stdout, report = steps_bench
    assert "Preparing step 5: its model: step4.py" in stdout
    assert "Preparing step 6: its model and photo: step4.py, then step6.py --example 0" \
        in stdout
    assert "step4.py: its files copied from step 5's folder" in stdout
    assert report["targets"] == STEP_TARGETS and report["notes"] == []
    made = {program: [(run_["command"], run_.get("copied_from")) for run_ in runs]
            for program, runs in report["prepared"].items()}
    assert made == {
        "step5": [("step4.py", None)],
        "step6": [("step4.py", "step5"), ("step6.py --example 0", None)],
        "tensorboard": [("step4.py", "step5"), ("step3.py --logdir logs", None),
                        ("step5.py --logdir logs", None),
                        ("step2.py --epochs 10 --logdir logs", None)]}
    step5, step6 = report["runs"]["step5"][0], report["runs"]["step6"][0]
    for run_ in (step5, step6):
        assert run_["train_s"] is None  # they train nothing: the model was made before
    assert step5["test_accuracy"] == step5["results"]["test_accuracy"]
    assert step6["results"]["model"] == "fashion.keras"
    assert step6["results"]["photos"][0]["photo"] == "example-0.png"


def test_check_targets_time_a_check_against_one_epoch_of_step2(run, tmp_path):
    stdout, report = bench_only(run, tmp_path, "step2-1epoch,check-2")
    assert "check.py (medians):" in stdout
    assert report["summary"]["step2-1epoch"]["test_accuracy"] is not None  # step2.json read
    speed = report["checks"]["check_speed"]["check-2"]
    assert is_number(speed["wall_s"]["value"]) and speed["wall_s"]["pass"] in (True, False)
    assert is_number(speed["peak_rss_mb"]["value"]) and speed["peak_rss_mb"]["pass"] is True


def test_steps_3_to_6_are_timed_and_their_memory_checked_against_1gb(steps_bench):
    """Each step's peak is checked on the full data only; the recorded run passes it."""
    stdout, report = steps_bench
    for name in STEP_TARGETS[:4]:
        run_ = report["runs"][name][0]
        assert run_["exit_code"] == 0 and run_["stderr_lines"] == 0, name
        assert is_number(run_["wall_s"]) and run_["peak_rss_mb"] > 50, name
    step3, step4 = report["runs"]["step3"][0], report["runs"]["step4"][0]
    for run_ in (step3, step4):
        assert 0 < run_["train_s"] < run_["wall_s"]
        assert 0.6 < run_["test_accuracy"] <= 1  # the generated classes are easy
    # Step 3's row: the epoch whose weights it keeps; step 4's: the model it saves.
    kept = step3["results"]["best_epoch"] - 1
    assert step3["train_accuracy"] == step3["results"]["train_accuracy"][kept]
    assert step4["test_accuracy"] == step4["results"]["conv"]["test_accuracy"]
    assert "Steps 3 to 6, memory (medians):" in stdout
    memory = report["checks"]["step_memory"]
    assert list(memory) == STEP_TARGETS[:4]
    for peak in (check["peak_rss_mb"] for check in memory.values()):
        assert is_number(peak["value"]) and peak["pass"] is None  # not the full data
    # The recorded run, made before the split: step3 and step4 (today's step 6) there.
    recorded = json.loads((ROOT / "bench" / "results.json").read_text())
    steps = [name for name in recorded["summary"]
             if name.split("-")[0] in ("step3", "step4", "step5", "step6")]
    assert steps
    for name in steps:
        peak = recorded["summary"][name]["peak_rss_mb"]["median"]
        assert peak <= 1000, (name, peak)


def test_tensorboard_serves_the_scalars_and_its_peak_counts_what_ran(steps_bench):
    """TensorBoard really starts on the page's logs, answers the Scalars dashboard's
    requests, and its peak is the sum of the processes that ran. Whether its data server
    was one of them is TensorBoard's choice at run time (it gives it about 10 s, then
    reads the logs itself): the benchmark reports it, this test does not require it
    (test_the_peak_is_the_sum_of_a_process_tree holds the sum)."""
    stdout, report = steps_bench
    assert "Preparing TensorBoard: the logs: step4.py (the model step 5 needs), " \
        "step3.py --logdir logs, step5.py --logdir logs" in stdout
    run_ = report["runs"]["tensorboard"][0]
    assert run_["exit_code"] == 0, run_.get("stderr_tail")
    assert 0 < run_["first_line_s"] <= run_["wall_s"]  # its main page, then the dashboard
    served = run_["results"]
    assert served["answered_bytes"]["/"] > 1000  # the page itself, not an error
    assert {"/data/plugins_listing", "/data/runs", "/data/plugin/scalars/tags"} <= set(
        served["answered_bytes"])
    assert {"step3/dense/train", "step3/dense/validation", "step5/conv/test",
            "step2/dense-epochs10/train"} <= set(served["runs"])  # the page's expects
    asked = {(s["run"], s["tag"]): s["points"] for s in served["scalars"]}
    assert asked[("step2/dense-epochs10/train", "epoch_accuracy")] == 10  # one per epoch
    for run_name in ("step3/dense/train", "step3/dense/validation"):
        assert asked[(run_name, "epoch_loss")] >= 1
    assert not any(run_name.startswith("step5/") for run_name, _ in asked)  # pictures only
    # The tree: TensorBoard as the page starts it, and its data server if it ran one.
    assert any(" --logdir logs --bind_all --port " in p for p in run_["processes"])
    assert run_["tensorboard_mb"] > 50  # it loads TensorFlow
    assert run_["peak_rss_mb"] >= run_["tensorboard_mb"]
    server = run_["data_server"]
    assert server == any("tensorboard_data_server" in p for p in run_["processes"])
    assert (run_["data_server_mb"] is not None) == server
    assert report["summary"]["tensorboard"]["tensorboard_mb"]["median"] == \
        run_["tensorboard_mb"]
    both = report["checks"]["tensorboard_memory"]["tensorboard"]["peak_rss_mb"]
    assert both["pass"] is None  # not the full data
    assert both["data_server_runs"] == [int(server), 1]
    assert ("its data server ran in 0 of 1 runs" in stdout) is not server
    assert both["value"] == both["tensorboard"] + both["step3"]
    assert "TensorBoard and step 3 at once (medians):" in stdout


# A process, then its child: a command line naming the data server (the parent's names
# it in two pieces), 30 MB of its own; the child says so once it holds them, and both
# wait for the end of the test's pipe.
CHILD = ("import sys; held = b'x' * 30_000_000; print('ready', flush=True); "
         "sys.stdin.read()  # ")
PARENT = ("import subprocess, sys; "
          "subprocess.run([sys.executable, '-c', sys.argv[1] + 'tensorboard' '_data_server'])")

def test_the_peak_is_the_sum_of_a_process_tree():
    """The tensorboard target's sampler, on a tree that is known to be complete when it
    samples it (the child has said so): its peak is the sum of both processes, the child
    is named by its own command line and counted as the data server."""
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from benchmark.serving import TreeSampler
    finally:
        sys.path.remove(str(ROOT / "bench"))
    tree = subprocess.Popen([sys.executable, "-c", PARENT, CHILD], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    try:
        assert tree.stdout.readline() == "ready\n"
        sampler = TreeSampler(tree.pid)
        sampler.sample()
    finally:
        tree.stdin.close()
        tree.wait(timeout=HANG_S)
    root, child = (sampler.processes.pop(tree.pid), *sampler.processes.values())
    assert root.startswith(f"{sys.executable} -c {PARENT}")
    assert child == f"{sys.executable} -c {CHILD}tensorboard_data_server"
    peak = sampler.peak
    assert peak["data_server"] > 30 and peak["root"] > 5  # MB: two Pythons
    assert peak["total"] == pytest.approx(peak["root"] + peak["data_server"])
    assert peak["anonymous"] > 30
