"""--logdir and TensorBoard: what the steps write, what TensorBoard serves, what a browser shows.

As on the TensorBoard page, step 3 trains its dense model with --logdir and step 5
logs the mistakes of a saved convolutional model; each runs once for the whole
module, on generated data (step 5 with a small model put in its folder). The logs
are read with TensorBoard's own event reader, served by a real TensorBoard on a free
loopback port, and loaded in a headless Chromium (skipped, saying why, where there
is none).
"""
import io
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import types
import urllib.parse
import urllib.request
from pathlib import Path

import numpy as np
import pytest

from conftest import HANG_S, ROOT, Runner
from fake_data import write_dataset
from saved_models import small_conv_model

# Read event files with TensorBoard's stand-in for TensorFlow: importing TensorFlow
# into the test process would cost half a gigabyte and nothing else.
sys.modules.setdefault("tensorboard.compat.notf", types.ModuleType("tensorboard.compat.notf"))
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator  # noqa: E402
from tensorboard.util.tensor_util import make_ndarray  # noqa: E402

import tutorial_helpers  # noqa: E402

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
# Three epochs, and a patience that cannot stop them: every epoch is logged.
STEP3_ARGS = ["--epochs", 3, "--patience", 3]
STEP3_RUN = "step3/dense-epochs3-patience3"  # named after the settings that differ
STEP5_RUN = "step5/conv"  # step 5 has no settings: --data-dir and --logdir are not
# Keras's epoch line (verbose=2): "... - accuracy: 0.9537 - loss: 0.1263 - val_accuracy: ..."
NUMBERS = re.compile(r"\b(train_accuracy|val_accuracy|val_loss|accuracy|loss): (\d+\.\d+)")
# A row of step 3's table: epoch, Training, Validation, Gap.
TABLE_ROW = re.compile(r"^ +(\d+)  +(\d\.\d{4})  +(\d\.\d{4})  +([+-]\d\.\d{4})", re.M)


def events(folder):
    """{tag: [values by step]} of the summaries in one run folder."""
    reader = EventAccumulator(str(folder), size_guidance={"tensors": 0}).Reload()
    return {tag: [make_ndarray(event.tensor_proto) for event in reader.Tensors(tag)]
            for tag in reader.Tags()["tensors"]}


def descriptions(folder):
    reader = EventAccumulator(str(folder), size_guidance={"tensors": 0}).Reload()
    return {tag: reader.SummaryMetadata(tag).summary_description
            for tag in reader.Tags()["tensors"]}


def runs_in(logs):
    """The run folders under logs that hold event files, as TensorBoard names them."""
    return sorted({str(p.parent.relative_to(logs)) for p in logs.rglob("events.out.tfevents.*")})


def epoch_lines(out):
    """Per epoch, the numbers Keras printed on its epoch line."""
    return [{name: float(value) for name, value in NUMBERS.findall(line)}
            for line in out.splitlines() if "val_loss:" in line]


@pytest.fixture(scope="module")
def runner(tmp_path_factory):
    """One learner for the module: generated data where Shirts look like T-shirts, a
    folder to work in, and the logs folder both steps write into."""
    run = Runner(tmp_path_factory.mktemp("tensorboard"))
    write_dataset(run.cache, lookalike=(6, 0))
    run.here = run.home.parent / "here"
    run.here.mkdir()
    run.logs = run.here / "logs"
    return run


@pytest.fixture(scope="module")
def step3_logs(runner):
    """python step3.py --epochs 3 --patience 3 --logdir logs, once."""
    result = runner(ROOT / "step3.py", *STEP3_ARGS, "--logdir", "logs", cwd=runner.here)
    assert result.returncode == 0, result.stderr
    return result, json.loads((runner.results / "step3.json").read_text())


@pytest.fixture(scope="module")
def step5_logs(runner):
    """python step5.py --logdir logs, once, with a small convolutional fashion.keras."""
    small_conv_model(runner, runner.here / "fashion.keras")
    result = runner(ROOT / "step5.py", "--logdir", "logs", cwd=runner.here)
    assert result.returncode == 0, result.stderr
    return result, json.loads((runner.results / "step5.json").read_text())


def test_step3_logdir_keeps_stderr_empty_and_names_the_runs(runner, step3_logs):
    result, _ = step3_logs
    assert result.stderr == ""  # quiet with --logdir too: no TensorBoard or protobuf lines
    assert runs_in(runner.logs / "step3") == ["dense-epochs3-patience3/train",
                                              "dense-epochs3-patience3/validation"]


def test_step3_events_hold_the_numbers_it_printed(runner, step3_logs):
    result, saved = step3_logs
    printed = epoch_lines(result.stdout)
    assert len(printed) == 3 and saved["trained_epochs"] == 3, result.stdout  # every epoch
    train = events(runner.logs / STEP3_RUN / "train")
    validation = events(runner.logs / STEP3_RUN / "validation")
    for tag, logged in [("accuracy", train["epoch_accuracy"]),
                        ("loss", train["epoch_loss"]),
                        ("val_accuracy", validation["epoch_accuracy"]),
                        ("val_loss", validation["epoch_loss"])]:
        assert [float(v) for v in logged] == pytest.approx(
            [epoch[tag] for epoch in printed], abs=5e-5), tag
    # The learning rate, per epoch: Adam's default, as in step 2.
    assert [float(v) for v in train["epoch_learning_rate"]] == pytest.approx([0.001] * 3)

    # epoch_train_accuracy (the page says so) is the Training column of the table, the
    # accuracy evaluate() measured, not fit()'s running average; Validation is val_accuracy.
    table = TABLE_ROW.findall(result.stdout[result.stdout.index("\nEpoch  Training"):])
    assert [int(epoch) for epoch, *_ in table] == [1, 2, 3], result.stdout
    logged = [float(v) for v in train["epoch_train_accuracy"]]
    assert logged == pytest.approx([float(t) for _, t, _, _ in table], abs=5e-5)
    assert logged == pytest.approx(saved["train_accuracy"], abs=1e-6)
    assert "epoch_train_accuracy" not in validation
    assert [float(v) for v in validation["epoch_accuracy"]] == pytest.approx(
        [float(v) for _, _, v, _ in table], abs=5e-5)


def test_step5_logdir_keeps_stderr_empty_and_names_its_run(runner, step5_logs):
    result, _ = step5_logs
    assert result.stderr == ""
    assert "is not here" not in result.stdout and "Epoch" not in result.stdout  # no training
    assert runs_in(runner.logs / "step5") == ["conv/test"]


def test_mistakes_and_confusion_matrix_are_images(runner, step5_logs):
    _, saved = step5_logs
    matrix = np.array(saved["confusion_matrix"])
    test_run = runner.logs / STEP5_RUN / "test"
    logged, described = events(test_run), descriptions(test_run)

    mistakes = sorted(tag for tag in logged if tag.startswith("mistakes/"))
    wrong = matrix.sum() - matrix.trace()
    assert wrong == saved["mistakes"]
    assert len(mistakes) == min(24, wrong) > 0
    names = "|".join(re.escape(name) for name in tutorial_helpers.CLASS_NAMES)
    for n, tag in enumerate(mistakes, start=1):
        match = re.fullmatch(rf"mistakes/(\d\d) test image (\d+): ({names}), predicted ({names})",
                             tag)
        assert match and int(match.group(1)) == n and match.group(3) != match.group(4), tag
        assert f"Test image {match.group(2)}." in described[tag]
        assert f"True class: **{match.group(3)}**" in described[tag]
        assert f"Predicted: **{match.group(4)}**" in described[tag]
        width, height, png = logged[tag][0]  # images: width, height, then the PNG
        assert (int(width), int(height)) == (112, 112) and png.startswith(b"\x89PNG")
    # Half of the Shirts are drawn as T-shirts: most mistakes are Shirts taken for those.
    assert sum("Shirt, predicted T-shirt/top" in tag for tag in mistakes) >= len(mistakes) // 2

    # The confusion matrix: a picture, and its counts as a table in the Text tab.
    assert "Rows are the true classes" in described["confusion matrix"]
    assert "0 T-shirt/top, 1 Trouser" in described["confusion matrix"]  # the numbers' legend
    from PIL import Image  # tensorboard brings Pillow; the tutorial itself does not use it
    pixels = np.asarray(Image.open(io.BytesIO(logged["confusion matrix"][0][2])).convert("RGB"))
    drawn = tutorial_helpers.logs.confusion_picture(matrix)
    assert np.array_equal(pixels, drawn)
    cell, margin = 36, 22

    def color(row, col):  # a corner of the cell, clear of its number
        return pixels[margin + row * cell + 3, margin + col * cell + 3].astype(int)

    red, green, blue = color(6, 0)
    assert matrix[6, 0] > 0 and red > green + 100  # Shirts taken for T-shirts: red
    red, green, blue = color(1, 1)
    assert green > red + 50  # right answers: green
    assert tuple(color(1, 2)) == (255, 255, 255) or matrix[1, 2] > 0  # no mistake: white


def test_text_table_has_the_counts(runner, step5_logs):
    _, saved = step5_logs
    matrix = saved["confusion_matrix"]
    reader = EventAccumulator(str(runner.logs / STEP5_RUN / "test"),
                              size_guidance={"tensors": 0}).Reload()
    texts = [tag for tag in reader.Tags()["tensors"]
             if reader.SummaryMetadata(tag).plugin_data.plugin_name == "text"]
    assert texts == ["confusion matrix counts"]
    table = make_ndarray(reader.Tensors(texts[0])[0].tensor_proto).item().decode()
    for k, name in enumerate(tutorial_helpers.CLASS_NAMES):
        assert f"| {k} {name} | {' | '.join(map(str, matrix[k]))} |" in table


# --- step 2, run names and reruns ------------------------------------------------

def progress_numbers(out):
    """Per epoch, the numbers on the last progress bar line step 2 printed."""
    found = []
    for epoch in re.split(r"^Epoch \d+/\d+$", out, flags=re.M)[1:]:
        bars = [line for line in epoch.replace("\r", "\n").splitlines() if "━" in line]
        found.append(dict((k, float(v)) for k, v in NUMBERS.findall(bars[-1])))
    return found


def test_step2_logdir_and_a_rerun_replaces_its_folder(run_cached, tmp_path):
    logs = tmp_path / "logs"
    # What two earlier runs left: one with these very settings, one with others.
    earlier = logs / "step2" / "dense-epochs2"
    (earlier / "train").mkdir(parents=True)
    (earlier / "train" / "events.out.tfevents.1.earlier").write_bytes(b"")
    (earlier / "stale.txt").write_text("from an earlier run")
    other = logs / "step2" / "dense-epochs1-seed7" / "train"
    other.mkdir(parents=True)
    (other / "events.out.tfevents.1.other").write_bytes(b"")

    result = run_cached("step2.py", "--epochs", 2, "--logdir", logs)
    assert result.returncode == 0 and result.stderr == "", result.stderr
    train = earlier / "train"
    logged = events(train)
    printed = progress_numbers(result.stdout)
    assert [float(v) for v in logged["epoch_accuracy"]] == pytest.approx(
        [p["accuracy"] for p in printed], abs=5e-5)
    assert [float(v) for v in logged["epoch_loss"]] == pytest.approx(
        [p["loss"] for p in printed], abs=5e-5)
    assert [float(v) for v in logged["epoch_learning_rate"]] == pytest.approx([0.001] * 2)

    # The same settings again: the folder is replaced, never mixed into...
    assert len(list(train.glob("events.out.tfevents.*"))) == 1
    assert not (train / "events.out.tfevents.1.earlier").exists()
    assert not (earlier / "stale.txt").exists()
    # ... and other settings keep a folder of their own, side by side.
    assert sorted(p.name for p in (logs / "step2").iterdir()) == [
        "dense-epochs1-seed7", "dense-epochs2"]
    assert [p.name for p in other.iterdir()] == ["events.out.tfevents.1.other"]


def test_run_names_list_the_changed_settings():
    parser = tutorial_helpers.make_parser("Step 3.", epochs=30, seed=1)  # as step3.py makes it
    parser.add_argument("--patience", type=int, default=5)
    parser.add_argument("--logdir", type=Path)
    args = parser.parse_args(["--logdir", "logs"])
    assert tutorial_helpers.logs.run_name(parser, args, "dense") == "dense"
    args = parser.parse_args(["--patience", "1", "--logdir", "logs"])  # the page's second run
    assert tutorial_helpers.logs.run_name(parser, args, "dense") == "dense-patience1"
    args = parser.parse_args(["--patience", "4", "--epochs", "15", "--seed", "7",
                              "--data-dir", "x", "--logdir", "elsewhere"])
    assert tutorial_helpers.logs.run_name(parser, args, "dense") == "dense-epochs15-seed7-patience4"
    # Step 5 has no settings: its run is always "conv".
    parser = tutorial_helpers.make_parser("Step 5.")
    parser.add_argument("--logdir", type=Path)
    args = parser.parse_args(["--data-dir", "x", "--logdir", "logs"])
    assert tutorial_helpers.logs.run_name(parser, args, "conv") == "conv"


# --- bad --logdir ------------------------------------------------------------------

def unwritable_folder(tmp_path):
    """A folder this process cannot write into: /proc for root, else a read-only one."""
    if os.geteuid() == 0:
        return Path("/proc"), "/proc"
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    return folder, str(folder)


@pytest.mark.parametrize("script", ["step2.py", "step3.py", "step5.py"])
@pytest.mark.parametrize("case", ["a file", "inside a file", "not writable"])
def test_bad_logdir_is_refused_before_training(run, tmp_path, script, case):
    afile = tmp_path / "notes.txt"
    afile.write_text("not a folder")
    if case == "a file":
        logdir, message = afile, f"{afile} is a file: give a folder for the logs"
    elif case == "inside a file":
        logdir, message = afile / "logs", f"{afile} is a file, not a folder"
    else:
        folder, shown = unwritable_folder(tmp_path)
        logdir, message = folder / "logs", f"cannot write into {shown}"
    here = tmp_path / "here"  # step 5 would make fashion.keras here if it went on
    here.mkdir()
    result = run(ROOT / script, "--logdir", logdir, cwd=here)
    assert result.returncode == 2
    assert f"{script}: error: argument --logdir: " in result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == ""  # nothing loaded, trained or remade
    assert list(here.iterdir()) == [] and not (tmp_path / "logs").exists()


def test_a_run_folder_that_cannot_be_made_is_one_line(tmp_path, monkeypatch):
    # --logdir passed its check, but DIR/step3 is a file: said when the folder is made.
    monkeypatch.chdir(tmp_path)
    (tmp_path / "logs").mkdir()
    (tmp_path / "logs" / "step3").write_text("not a folder")
    parser = tutorial_helpers.make_parser("Step 3.", epochs=30)
    parser.prog = "step3.py"
    parser.add_argument("--logdir", type=tutorial_helpers.logdir)
    args = parser.parse_args(["--logdir", "logs"])
    with pytest.raises(SystemExit) as stopped:
        tutorial_helpers.run_folder(parser, args, "dense")
    assert str(stopped.value) == ("Error: cannot write TensorBoard logs to "
                                  f"{Path('logs', 'step3', 'dense')}: Not a directory.")


def test_logdir_without_tensorboard_installed_says_what_to_do(monkeypatch):
    real = tutorial_helpers.logs.importlib.util.find_spec
    monkeypatch.setattr(tutorial_helpers.logs.importlib.util, "find_spec",
                        lambda name: None if name == "tensorboard" else real(name))
    with pytest.raises(Exception, match=r"^TensorBoard is not installed in this Python: "
                                        r"pip install -r requirements\.txt$"):
        tutorial_helpers.logdir("logs")


# --- TensorBoard itself -------------------------------------------------------------

def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(url):
    with urllib.request.urlopen(url, timeout=HANG_S) as response:
        return response.read()


def has_read_the_logs(url):
    """TensorBoard answers, listing both steps' runs, step 3's scalars and step 5's
    images: what the tests below ask for."""
    try:
        runs = json.loads(get(url + "/data/runs"))
        scalars = json.loads(get(url + "/data/plugin/scalars/tags"))
        images = json.loads(get(url + "/data/plugin/images/tags"))
    except (OSError, ValueError):
        return False  # not serving yet
    return (len(runs) >= 3 and all(scalars.get(f"{STEP3_RUN}/{part}")
                                   for part in ("train", "validation"))
            and bool(images.get(f"{STEP5_RUN}/test")))


@pytest.fixture(scope="module")
def tensorboard(runner, step3_logs, step5_logs, tmp_path_factory):
    """`tensorboard --logdir logs` on a free loopback port; stopped at the end."""
    home = tmp_path_factory.mktemp("tensorboard-home")
    command = Path(sys.executable).with_name("tensorboard")
    command = [str(command)] if command.exists() else [sys.executable, "-m", "tensorboard.main"]
    port = free_port()
    server = subprocess.Popen(
        [*command, "--logdir", "logs", "--host", "127.0.0.1", "--port", str(port)],
        cwd=runner.here, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        env=dict(os.environ, HOME=str(home), TMPDIR=str(home)))
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + HANG_S
    try:
        # Until it serves what the tests ask for: it reads the logs after it starts.
        while not has_read_the_logs(url):
            if server.poll() is not None:
                pytest.fail(f"tensorboard exited with {server.returncode}:\n"
                            f"{server.stdout.read()}")
            if time.monotonic() > deadline:
                pytest.fail(f"tensorboard had not read the logs after {HANG_S} s")
            time.sleep(0.5)
        yield url
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        server.stdout.close()


def test_tensorboard_serves_the_runs_and_their_scalars(tensorboard, runner):
    runs = json.loads(get(tensorboard + "/data/runs"))
    train, validation = f"{STEP3_RUN}/train", f"{STEP3_RUN}/validation"
    assert sorted(runs) == sorted([train, validation, f"{STEP5_RUN}/test"])
    tags = json.loads(get(tensorboard + "/data/plugin/scalars/tags"))
    assert {"epoch_accuracy", "epoch_loss", "epoch_learning_rate",
            "epoch_train_accuracy"} <= set(tags[train])
    assert {"epoch_accuracy", "epoch_loss"} <= set(tags[validation])
    # The values it serves are those in the event files, one per epoch from step 0.
    for run, tag in [(validation, "epoch_accuracy"), (train, "epoch_train_accuracy")]:
        query = urllib.parse.urlencode({"run": run, "tag": tag})
        served = json.loads(get(f"{tensorboard}/data/plugin/scalars/scalars?{query}"))
        assert [step for _, step, _ in served] == [0, 1, 2]
        assert [value for _, _, value in served] == pytest.approx(
            [float(v) for v in events(runner.logs / run)[tag]])
    # Step 5's test images: the mistakes and the confusion matrix, and its counts.
    images = json.loads(get(tensorboard + "/data/plugin/images/tags"))
    tags = images[f"{STEP5_RUN}/test"]
    assert "confusion matrix" in tags and any(tag.startswith("mistakes/") for tag in tags)
    assert "confusion matrix counts" in json.loads(
        get(tensorboard + "/data/plugin/text/tags"))[f"{STEP5_RUN}/test"]


def chromium():
    """The path of a working Chromium, or None."""
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path and subprocess.run([path, "--version"], capture_output=True,
                                   timeout=HANG_S).returncode == 0:
            return path
    return None


def browse(browser, url, tmp_path, *action):
    """Run a headless Chromium on url with a fresh profile; return its stdout."""
    profile = tmp_path / f"chromium-profile-{len(list(tmp_path.iterdir()))}"
    flags = ["--headless", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update",
             "--disable-sync", f"--user-data-dir={profile}", "--window-size=1400,1000",
             "--virtual-time-budget=20000", "--hide-scrollbars"]
    if os.geteuid() == 0:
        flags.append("--no-sandbox")  # Chromium refuses to run as root with its sandbox
    result = subprocess.run([browser, *flags, *action, url], capture_output=True,
                            text=True, timeout=HANG_S)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def test_a_browser_shows_the_runs(tensorboard, tmp_path):
    browser = chromium()
    if browser is None:
        pytest.skip("no Chromium on this machine: apt install chromium (CI installs it)")
    # forceSVG=true: charts drawn as SVG, which a headless browser without a GPU paints.
    page = tensorboard + "/?forceSVG=true#timeseries"
    dom = browse(browser, page, tmp_path, "--dump-dom")
    assert f"{STEP3_RUN}/train" in dom and f"{STEP3_RUN}/validation" in dom
    assert f"{STEP5_RUN}/test" in dom  # in the list of runs
    assert "epoch_accuracy" in dom and "epoch_train_accuracy" in dom
    assert "epoch_learning_rate" in dom
    ARTIFACTS.mkdir(exist_ok=True)
    for name, fragment in [("timeseries", "#timeseries"), ("images", "#images")]:
        shot = ARTIFACTS / f"tensorboard-{name}.png"
        shot.unlink(missing_ok=True)
        browse(browser, tensorboard + "/?forceSVG=true" + fragment, tmp_path,
               f"--screenshot={shot}")
        assert shot.read_bytes().startswith(b"\x89PNG")
        print(f"screenshot: {shot}")


# --- the scenario's Check ---------------------------------------------------------

def check(env):
    script = ROOT / "scenario" / "better-model" / "tensorboard" / "verify.sh"
    return subprocess.run(["bash", str(script)], capture_output=True, text=True,
                          env={**os.environ, **env}, timeout=HANG_S)


def test_scenario_check_passes_once_tensorboard_shows_step3(tensorboard, tmp_path):
    nothing = f"http://127.0.0.1:{free_port()}"  # no server there
    before = check({"TUTORIAL_DIR": str(tmp_path), "TENSORBOARD_URL": nothing})
    assert before.returncode != 0 and "done" not in before.stdout
    assert "python step3.py --logdir logs" in before.stderr
    (tmp_path / "logs" / "step3").mkdir(parents=True)  # logs, but no server
    logs_only = check({"TUTORIAL_DIR": str(tmp_path), "TENSORBOARD_URL": nothing})
    assert logs_only.returncode != 0 and "done" not in logs_only.stdout
    assert "tensorboard --logdir logs --bind_all --port 6006" in logs_only.stderr
    after = check({"TUTORIAL_DIR": str(tmp_path), "TENSORBOARD_URL": tensorboard})
    assert after.returncode == 0, after.stderr
    assert after.stdout.strip() == "done"


def test_scenario_check_wants_step3_logs_in_tensorboard(tmp_path):
    # A TensorBoard that answers, but with no step 3 runs (step 5's and step 2's only,
    # and a step 3 folder without a validation run): a stand-in on loopback.
    import http.server
    import threading

    class Runs(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = b'["step2/dense/train", "step5/conv/test", "step3/dense/train"]'
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Runs)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        result = check({"TUTORIAL_DIR": str(tmp_path),
                        "TENSORBOARD_URL": f"http://127.0.0.1:{server.server_port}"})
    finally:
        server.shutdown()
        server.server_close()
    assert result.returncode != 0 and "done" not in result.stdout
    assert "no logs of step 3" in result.stderr
    assert "python step3.py --logdir logs" in result.stderr
