"""The benchmark's targets: what each one runs, on which data, and one timed run of it."""
import functools
import gzip
import json
import os
import re
import selectors
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path


ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT))
import tutorial_helpers  # noqa: E402  (where the data lives: the steps' own search)

TIMED = ROOT / "bench" / "timed.py"
PROGRAMS = {  # name: what bench/timed.py runs (scripts named from the project root)
    "baseline": ["bench/baseline.py"],
    "step1": ["step1.py"],
    "step2": ["step2.py"],
    "step3": ["step3.py"],
    "step4": ["step4.py"],
    "step5": ["step5.py"],  # in its prepared folder, beside fashion.keras
    "step6": ["step6.py", "example-0.png"],  # in its prepared folder, beside both files
    "import-tf": ["-c", "import tensorflow as tf; print('tensorflow', tf.__version__)"],
    "step2-1epoch": ["step2.py", "--epochs", "1"],
    # check.py on the learner's finished file (the answer), as the page's last check.
    "check-2": ["check.py", "2", "--file", "exercises/answers/step2.py"],
    "check-3": ["check.py", "3", "--file", "exercises/answers/step3.py"],
    # The TensorBoard page's command, from the folder prepare() made; PORT a free port.
    "tensorboard": ["tensorboard", "--logdir", "logs", "--bind_all", "--port", "{port}"],
}
# What is made once, untimed, before a program's timed runs: (whose, what it is, the
# commands run in the prepared folder, where that program's runs then run too). The
# model step 4 saves, for steps 5 and 6; step 6's photo; the logs the TensorBoard page
# serves, by the commands whose runs its `curl .../data/runs` expects (step5.py
# --logdir needs the model). A program whose first commands an earlier one's folder
# has run starts from a copy of that folder: with step5 chosen, step4.py runs once.
PREPARE = {
    "step5": ("step 5", "its model: step4.py", [["step4.py"]]),
    "step6": ("step 6", "its model and photo: step4.py, then step6.py --example 0",
              [["step4.py"], ["step6.py", "--example", "0"]]),
    "tensorboard": ("TensorBoard", "the logs: step4.py (the model step 5 needs), "
                    "step3.py --logdir logs, step5.py --logdir logs, then "
                    "step2.py --epochs 10 --logdir logs",
                    [["step4.py"], ["step3.py", "--logdir", "logs"],
                     ["step5.py", "--logdir", "logs"],
                     ["step2.py", "--epochs", "10", "--logdir", "logs"]]),
}
DATA_PATHS = ["keras-cache", "system", "data-dir"]  # keras-cache goes unnamed in a target
TARGET_NAME = re.compile(rf"({'|'.join(PROGRAMS)})(?:-({'|'.join(DATA_PATHS[1:])}))?"
                         r"(?:-([1-9]\d*)cpu)?")
DEFAULT_TARGETS = ["baseline", "step1", "step1-system", "step1-data-dir",
                   "step2", "step2-system", "step2-data-dir", "step3", "step4", "step5",
                   "step6", "import-tf", "step1-1cpu", "step2-1cpu", "step3-1cpu",
                   "step4-1cpu", "step5-1cpu", "step6-1cpu",
                   "step2-1epoch", "check-2", "check-3",
                   "step2-1epoch-1cpu", "check-2-1cpu", "check-3-1cpu", "tensorboard"]
FIELDS = {  # per-run number: (column heading, format)
    "wall_s": ("wall s", "{:.1f}"),
    "first_line_s": ("1st line s", "{:.2f}"),
    "train_s": ("train s", "{:.1f}"),
    "peak_rss_mb": ("peak MB", "{:.0f}"),
    "train_accuracy": ("train acc", "{:.4f}"),
    "test_accuracy": ("test acc", "{:.4f}"),
    "stderr_lines": ("stderr", "{:.0f}"),
}
# tensorboard's runs only: the peaks of its two parts (summarized, not in the table).
SERVE_FIELDS = ["tensorboard_mb", "data_server_mb", "anonymous_mb"]
RATIO_FIELDS = ["wall_s", "train_s", "peak_rss_mb", "test_accuracy"]
# The targets for step 2 against the baseline (ratios of medians).
RATIO_LIMITS = {"wall_s": 0.75, "train_s": 0.6, "peak_rss_mb": 0.67}
PEAK_LIMIT_MB = 1000  # 1.0 GB, on the full data
# The steps whose peak memory is checked against PEAK_LIMIT_MB on their own (step 2's
# is checked beside the baseline's, step 1's against STEP1_LIMITS).
MEMORY_CHECKED = ["step3", "step4", "step5", "step6"]
# A check of the learner's file answers in no more time than one epoch of step 2
# (step2-1epoch, the same CPUs) and in under PEAK_LIMIT_MB.
CHECK_REFERENCE = "step2-1epoch"
# The fast start's targets, on the full data: every step's first line within half
# a second; step 1 within a second and half a gigabyte, on every data path.
FIRST_LINE_LIMIT_S = 0.5
STEP1_LIMITS = {"wall_s": 1.0, "peak_rss_mb": 500}
STDERR_TAIL = 15
# TensorBoard and step 3 may run at once (the TensorBoard page's "What to try next"
# trains with it running): their peaks together within what the 2 GB scenario VM
# leaves the learner (docs/scenario.md: the rehearsal's cgroup is capped at 1,400 MB).
VM_LEARNER_MB = 1400
# What a browser opening TensorBoard's Scalars dashboard asks for first (TensorBoard
# 2.21: tensorboard/plugins/core/core_plugin.py, tensorboard/backend/application.py
# and tensorboard/plugins/scalar/scalars_plugin.py); then, for every run and tag that
# /data/plugin/scalars/tags lists, /data/plugin/scalars/scalars?run=RUN&tag=TAG.
TB_REQUESTS = ["/", "/data/environment", "/data/plugins_listing", "/data/runs",
               "/data/plugin/scalars/tags"]
SAMPLE_S = 0.1  # how often tensorboard's memory is sampled
SERVE_TIMEOUT_S = 300  # at most this long (or --timeout) until it has served everything


def usable_cores():
    """The CPUs this process may run on (fewer than the machine's when pinned)."""
    return (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
            else os.cpu_count())


def fail(*lines):
    raise SystemExit("\n".join(lines))


# --- the data ----------------------------------------------------------------

def parse_target(name):
    """A target's parts: step2-data-dir-1cpu is program step2, data path data-dir, 1 CPU.

    None if the name is not PROGRAM[-system|-data-dir][-Ncpu].
    """
    match = TARGET_NAME.fullmatch(name)
    if not match:
        return None
    program, path, cpus = match.groups()
    return {"program": program, "data_path": path or "keras-cache",
            "cpus": int(cpus) if cpus else None}


def choose_data_dir(data_dir):
    """The folder with the four .gz files: --data-dir, else the Keras cache, else Debian's."""
    if data_dir:
        folder = Path(data_dir).expanduser().resolve()
        missing = [n for n in tutorial_helpers.FILES.values() if not (folder / n).is_file()]
        if missing:
            fail(f"Error: --data-dir {data_dir} lacks {', '.join(missing)}.",
                 "It needs all four: " + ", ".join(tutorial_helpers.FILES.values()) + ".")
        return folder
    for folder in [tutorial_helpers.keras_cache_dir(), *tutorial_helpers.data.SYSTEM_DATA_DIRS]:
        if tutorial_helpers.data.has_all_files(folder):
            return folder.resolve()
    fail("Error: the benchmark needs the real Fashion-MNIST data, and it is not on this machine.",
         "Install it:  sudo apt install dataset-fashion-mnist",
         "or pass a folder that holds the four .gz files:  python bench/run.py --data-dir DIR")


def count_images(folder):
    """How many training and test images the set holds (from the label files' headers)."""
    counts = {}
    for split, key in (("train", "train_labels"), ("test", "test_labels")):
        path = folder / tutorial_helpers.FILES[key]
        try:
            with gzip.open(path, "rb") as stream:
                header = stream.read(8)
        except (OSError, EOFError) as error:
            fail(f"Error: cannot read {path}: {error}")
        if len(header) < 8:
            fail(f"Error: {path} is too short to be a Fashion-MNIST file.")
        counts[split] = int.from_bytes(header[4:8], "big")
    return counts


# --- one run -----------------------------------------------------------------

def read_output(proc, start, timeout):
    """Read the child's stdout and stderr as they come; note when stdout's first line ends."""
    out, err = bytearray(), bytearray()
    first_line_s = None
    timed_out = False
    deadline = start + timeout
    with selectors.DefaultSelector() as selector:
        selector.register(proc.stdout, selectors.EVENT_READ, out)
        selector.register(proc.stderr, selectors.EVENT_READ, err)
        while selector.get_map():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                proc.kill()
                timed_out = True
                break
            for key, _ in selector.select(remaining):
                chunk = os.read(key.fd, 65536)
                if not chunk:
                    selector.unregister(key.fileobj)
                    continue
                if key.data is out and first_line_s is None and b"\n" in chunk:
                    first_line_s = time.monotonic() - start
                key.data.extend(chunk)
    return out.decode(errors="replace"), err.decode(errors="replace"), first_line_s, timed_out


def accuracy_from_output(stdout, split):
    """The baseline prints "train accuracy: X" and "test accuracy: Y"."""
    match = re.search(rf"^{split} accuracy: ([0-9.]+)\s*$", stdout, re.MULTILINE)
    return float(match.group(1)) if match else None


def accuracy(results, split):
    """A step's train or test accuracy from its results JSON, or None. Step 3 records
    one per epoch (its row: the best epoch's, whose weights it keeps), step 4 one per
    model (its row: the convolutional model's, the one it saves)."""
    results = (results or {}).get("conv", results or {})
    value = results.get(f"{split}_accuracy")
    if isinstance(value, list):
        value = value[results["best_epoch"] - 1] if value else None
    return None if value is None else float(value)


def run_once(name, target, timeout, prepared=None, command=None, cwd=None):
    """Run one target (or `command`, from `cwd`) in a fresh process and measure it.

    target: program, data_path, data_dir (the folder the step reads) and cpus (the
    CPUs to pin it to, or None). A step runs in `prepared`, the folder prepare() made
    for it, or else in an empty folder of its own (step 4 saves fashion.keras where it
    runs); the other programs from the project root.
    """
    with tempfile.TemporaryDirectory(prefix=f"bench-{name}-") as tmp:
        tmp = Path(tmp)
        cache = tmp / "keras_home" / "datasets" / "fashion-mnist"
        cache.mkdir(parents=True)
        arguments = list(command or PROGRAMS[target["program"]])
        if cwd is None and target["program"].startswith("step"):
            cwd = prepared or tmp / "here"
            cwd.mkdir(exist_ok=True)
            arguments[0] = str(ROOT / arguments[0])
        cwd = cwd or ROOT
        if target["data_path"] == "keras-cache":
            for file_name in tutorial_helpers.FILES.values():
                (cache / file_name).symlink_to(target["data_dir"] / file_name)
        elif target["data_path"] == "data-dir":
            arguments += ["--data-dir", str(target["data_dir"])]
        pin = (functools.partial(os.sched_setaffinity, 0, target["cpus"])
               if target["cpus"] else None)
        results_dir, train_time_file = tmp / "results", tmp / "train_seconds"
        env = {k: v for k, v in os.environ.items()
               if k not in ("FASHION_MNIST_DIR", "TF_CPP_MIN_LOG_LEVEL")}
        env.update(KERAS_HOME=str(tmp / "keras_home"),
                   TUTORIAL_RESULTS_DIR=str(results_dir),
                   BENCH_TRAIN_TIME_FILE=str(train_time_file))

        start = time.monotonic()
        proc = subprocess.Popen([sys.executable, str(TIMED), *arguments], cwd=cwd,
                                env=env, stdin=subprocess.DEVNULL, preexec_fn=pin,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            stdout, stderr, first_line_s, timed_out = read_output(proc, start, timeout)
            _, status, usage = os.wait4(proc.pid, 0)
            wall_s = time.monotonic() - start
            proc.returncode = os.waitstatus_to_exitcode(status)
        finally:  # Ctrl-C or an error here: do not leave the child running
            if proc.returncode is None:
                proc.kill()
                proc.wait()
            proc.stdout.close()
            proc.stderr.close()

        # A step writes results/<its script's name>.json (step2-1epoch: step2.json).
        script = PROGRAMS[target["program"]][0] if not command else ""
        results_file = results_dir / f"{Path(script).stem}.json"
        results = json.loads(results_file.read_text()) if results_file.is_file() else None
        for photo in (results or {}).get("photos", []):
            photo.pop("model_input", None)  # step 6's 28x28 input: 784 numbers, not needed here
        run = {
            "exit_code": proc.returncode,
            "cpus": len(target["cpus"]) if target["cpus"] else usable_cores(),
            "wall_s": wall_s,
            "first_line_s": first_line_s,
            "train_s": (float(train_time_file.read_text())
                        if train_time_file.is_file() else None),
            "peak_rss_mb": usage.ru_maxrss * 1024 / 1e6,  # ru_maxrss is in KiB on Linux
            "train_accuracy": None,
            "test_accuracy": None,
            "stderr_lines": sum(1 for line in stderr.splitlines() if line.strip()),
            "results": results,
        }
        for split in ("train", "test"):
            from_results = accuracy(results, split)
            run[f"{split}_accuracy"] = (from_results if from_results is not None
                                        else accuracy_from_output(stdout, split))
        if timed_out:
            run["timed_out"] = True
        if proc.returncode != 0:
            run["stderr_tail"] = stderr.splitlines()[-STDERR_TAIL:]
        return run


def prepare(program, data_dir, timeout, earlier=None):
    """A folder with what PREPARE[program] makes, untimed, for that program's runs:
    (folder, the runs that made it) or (None, why not). earlier: {program: (folder,
    runs)} already prepared; the one whose commands begin this program's longest is
    copied instead of running them again (its runs noted with copied_from)."""
    commands = PREPARE[program][2]
    start, made = None, []
    for other, (other_folder, runs) in (earlier or {}).items():
        done = PREPARE[other][2]
        if commands[:len(done)] == done and len(done) > len(made):
            start, made = other_folder, [dict(run, copied_from=other) for run in runs]
    folder = Path(tempfile.mkdtemp(prefix=f"bench-{program}-"))
    if start:
        shutil.copytree(start, folder, symlinks=True, dirs_exist_ok=True)
    target = {**parse_target("step3"), "data_dir": data_dir, "cpus": None}
    for script, *arguments in commands[len(made):]:
        what = " ".join([script, *arguments])
        run = run_once("prepare", target, timeout, command=[str(ROOT / script), *arguments],
                       cwd=folder)
        if run["exit_code"] != 0:
            shutil.rmtree(folder, ignore_errors=True)
            return None, f"{what} failed with exit code {run['exit_code']}: " + " | ".join(
                run["stderr_tail"][-3:])
        made.append({"command": what, "wall_s": run["wall_s"],
                     "peak_rss_mb": run["peak_rss_mb"]})
    return folder, made


# --- tensorboard -----------------------------------------------------------------
