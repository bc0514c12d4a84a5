"""Benchmark: time, memory and accuracy of every step, beside the plain tutorial code.

Run:  python bench/run.py [--repeat 3] [--json bench/results.json] [--cpus N]

Runs each target as a separate process, --repeat times, interleaved (the order
rotates each round so that no target always follows the same one). A target is
PROGRAM[-PATH][-Ncpu]:
  PROGRAM    baseline   bench/baseline.py, the plain tutorial code (the fixed reference)
             step1, step2, step3   the steps with their defaults
             step4      step4.py on one photo: from the command to the answer. Its
                        photo and model are made once, untimed, before the timed
                        runs: `step3.py --save` with step 3's defaults, then
                        `step4.py --example 0` (test image 0 as a 360x360 photo)
             import-tf  `import tensorflow` alone: the floor that no training step
                        can go below
             step2-1epoch  `step2.py --epochs 1`: what one check may take at most
             check-2, check-3  `check.py N` on the finished exercises/stepN.py (the
                        answer): the learner's last check, against step2-1epoch's
                        time on the same CPUs and under 1 GB
             tensorboard  TensorBoard serving the logs, as the TensorBoard page starts
                        it: `tensorboard --logdir logs --bind_all --port PORT` (a free
                        port). Its logs are made once, untimed, before the timed runs,
                        by the commands whose runs the page expects: `step3.py --save
                        fashion.keras --logdir logs` and `step2.py --epochs 10 --logdir
                        logs`. Each run waits until it serves, then asks for what a
                        browser opening the Scalars dashboard asks for (TB_REQUESTS,
                        then the scalars of every run and tag), then stops it (SIGTERM,
                        as `kill %tensorboard`)
  PATH       where the step finds the data, each in a private, temporary KERAS_HOME:
             (none)     the Keras cache: KERAS_HOME/datasets/fashion-mnist/ links to
                        the four .gz files, as after a download
             system     an empty Keras cache: the step finds the Debian package's
                        folder, /usr/share/datasets/fashion-mnist (skipped with a note
                        when that folder lacks the files)
             data-dir   an empty Keras cache and --data-dir the folder with the files
  -Ncpu      pinned to N CPUs, as on a scenario VM with N vCPUs (Linux only)
By default it runs all of these, which is what bench/results.json records:
  baseline, step1, step1-system, step1-data-dir, step2, step2-system, step2-data-dir,
  step3, step4, import-tf, step1-1cpu, step2-1cpu, step3-1cpu, step4-1cpu,
  step2-1epoch, check-2, check-3, step2-1epoch-1cpu, check-2-1cpu, check-3-1cpu,
  tensorboard
--cpus N pins every run that names no CPU count of its own to N CPUs.
One untimed `import tensorflow` runs first, so that the first timed run does not
pay for reading TensorFlow's libraries from disk.

Each run also gets its own results folder (TUTORIAL_RESULTS_DIR) and runs without
TF_CPP_MIN_LOG_LEVEL and FASHION_MNIST_DIR, as in a fresh shell.

Measured for every run:
  wall s       start to exit, as seen from here
  1st line s   start to the first line on stdout (stdout is line-buffered, as on a terminal)
  train s      time inside keras Model.fit (bench/timed.py wraps it)
  peak MB      peak resident memory (MB = 10^6 bytes): ru_maxrss from wait4(), i.e. the
               largest process of the tree; each target is a single process
               (tensorboard: see below)
  train acc    final training accuracy (the step's results JSON, or the baseline's output)
  test acc     test accuracy (the same sources)
  stderr       non-empty lines written to stderr

tensorboard is a server with a child, its data server (tensorboard_data_server, the
fast log reader), so its fields differ: 1st line s is the time until it serves its
main page, wall s until every request of the Scalars dashboard has been answered,
and peak MB is the largest sum of the resident memory (VmRSS) of TensorBoard and all
its descendants, sampled every SAMPLE_S seconds from its start until it is stopped;
tensorboard_mb and data_server_mb are the peaks of the two parts alone, anonymous_mb
the peak of the tree's anonymous memory (RssAnon: without the mapped files, such as
TensorFlow's libraries, that another TensorFlow process shares) (the JSON report
only). A sum of RSS counts pages the processes share twice, and sampling can
miss a spike shorter than SAMPLE_S.

On a shared machine, run it while nothing else is busy: times drift with load.
"""
import argparse
import datetime
import functools
import gzip
import importlib.metadata
import json
import os
import platform
import re
import selectors
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
import tutorial_helpers  # noqa: E402  (where the data lives: the steps' own search)

TIMED = ROOT / "bench" / "timed.py"
PROGRAMS = {  # name: what bench/timed.py runs, from the project root
    "baseline": ["bench/baseline.py"],
    "step1": ["step1.py"],
    "step2": ["step2.py"],
    "step3": ["step3.py"],
    "step4": ["step4.py", "{prepared}/example-0.png", "--model", "{prepared}/fashion.keras"],
    "import-tf": ["-c", "import tensorflow as tf; print('tensorflow', tf.__version__)"],
    "step2-1epoch": ["step2.py", "--epochs", "1"],
    # check.py on the learner's finished file (the answer), as the page's last check.
    "check-2": ["check.py", "2", "--file", "exercises/answers/step2.py"],
    "check-3": ["check.py", "3", "--file", "exercises/answers/step3.py"],
    # The TensorBoard page's command, from the folder prepare() made; PORT a free port.
    "tensorboard": ["tensorboard", "--logdir", "logs", "--bind_all", "--port", "{port}"],
}
# What is made once, untimed, before a program's timed runs: (whose, what it is, the
# commands run from the prepared folder). step4's photo and model; the logs the
# TensorBoard page serves, by the commands whose runs its `curl .../data/runs` expects.
PREPARE = {
    "step4": ("step 4", "step3.py --save, then step4.py --example 0",
              [["step3.py", "--save", "fashion.keras"], ["step4.py", "--example", "0"]]),
    "tensorboard": ("TensorBoard", "the logs: step3.py --save fashion.keras --logdir logs, then "
                    "step2.py --epochs 10 --logdir logs",
                    [["step3.py", "--save", "fashion.keras", "--logdir", "logs"],
                     ["step2.py", "--epochs", "10", "--logdir", "logs"]]),
}
DATA_PATHS = ["keras-cache", "system", "data-dir"]  # keras-cache goes unnamed in a target
TARGET_NAME = re.compile(rf"({'|'.join(PROGRAMS)})(?:-({'|'.join(DATA_PATHS[1:])}))?"
                         r"(?:-([1-9]\d*)cpu)?")
DEFAULT_TARGETS = ["baseline", "step1", "step1-system", "step1-data-dir",
                   "step2", "step2-system", "step2-data-dir", "step3", "step4", "import-tf",
                   "step1-1cpu", "step2-1cpu", "step3-1cpu", "step4-1cpu",
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
# The issue's targets for step 2 against the baseline (ratios of medians).
RATIO_LIMITS = {"wall_s": 0.75, "train_s": 0.6, "peak_rss_mb": 0.67}
PEAK_LIMIT_MB = 1000  # 1.0 GB, on the full data
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


def run_once(name, target, timeout, prepared=None, command=None, cwd=ROOT):
    """Run one target (or `command`, from `cwd`) in a fresh process and measure it.

    target: program, data_path, data_dir (the folder the step reads) and cpus (the
    CPUs to pin it to, or None). "{prepared}" in a program's arguments stands for
    the folder prepare() made.
    """
    with tempfile.TemporaryDirectory(prefix=f"bench-{name}-") as tmp:
        tmp = Path(tmp)
        cache = tmp / "keras_home" / "datasets" / "fashion-mnist"
        cache.mkdir(parents=True)
        arguments = command or [argument.replace("{prepared}", str(prepared))
                                for argument in PROGRAMS[target["program"]]]
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
            photo.pop("model_input", None)  # step 4's 28x28 input: 784 numbers, not needed here
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
            from_results = (results or {}).get(f"{split}_accuracy")
            run[f"{split}_accuracy"] = (float(from_results) if from_results is not None
                                        else accuracy_from_output(stdout, split))
        if timed_out:
            run["timed_out"] = True
        if proc.returncode != 0:
            run["stderr_tail"] = stderr.splitlines()[-STDERR_TAIL:]
        return run


def prepare(program, data_dir, timeout):
    """A folder with what PREPARE[program] makes, untimed, for that program's runs:
    (folder, the runs that made it) or (None, why not)."""
    folder = Path(tempfile.mkdtemp(prefix=f"bench-{program}-"))
    target = {**parse_target("step3"), "data_dir": data_dir, "cpus": None}
    made = []
    for script, *arguments in PREPARE[program][2]:
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

def tensorboard_command():
    """The `tensorboard` script beside this Python (its venv), else on PATH, or None."""
    beside = Path(sys.executable).with_name("tensorboard")
    return str(beside) if beside.is_file() else shutil.which("tensorboard")


def free_port():
    with socket.socket() as probe:
        probe.bind(("", 0))
        return probe.getsockname()[1]


def process_tree(root):
    """{pid: (resident bytes, anonymous resident bytes, command line)} of root and all its
    descendants (Linux /proc)."""
    children = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as stat:
                ppid = int(stat.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue  # gone meanwhile
        children.setdefault(ppid, []).append(int(entry.name))
    tree, todo = {}, [root]
    page = os.sysconf("SC_PAGE_SIZE")
    while todo:
        pid = todo.pop()
        todo.extend(children.get(pid, []))
        try:
            with open(f"/proc/{pid}/statm") as statm:
                resident = int(statm.read().split()[1]) * page
            with open(f"/proc/{pid}/status") as status:
                anonymous = next((int(line.split()[1]) * 1024 for line in status
                                  if line.startswith("RssAnon:")), 0)
            with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                command = cmdline.read().replace(b"\0", b" ").decode(errors="replace")
        except (OSError, ValueError, IndexError):
            continue
        tree[pid] = (resident, anonymous, command)
    return tree


class TreeSampler(threading.Thread):
    """Samples the resident memory of a process tree every SAMPLE_S seconds until stopped:
    the peak of the sum, of the root and of the data server alone, and of the sum of
    their anonymous memory (RssAnon: what no other process shares, such as TensorFlow's
    libraries, which step 3 maps too) (MB)."""

    def __init__(self, root):
        super().__init__(daemon=True)
        self.root, self.done = root, threading.Event()
        self.peak = {"total": 0, "root": 0, "data_server": 0, "anonymous": 0}
        self.processes, self.samples = {}, 0  # processes: {pid: its command line}

    def run(self):
        while not self.done.is_set():
            self.sample()
            self.done.wait(SAMPLE_S)

    def sample(self):
        tree = process_tree(self.root)
        parts = {"total": sum(rss for rss, _, _ in tree.values()),
                 "root": tree.get(self.root, (0,))[0],
                 "data_server": sum(rss for rss, _, command in tree.values()
                                    if "tensorboard_data_server" in command),
                 "anonymous": sum(anonymous for _, anonymous, _ in tree.values())}
        for part, value in parts.items():
            self.peak[part] = max(self.peak[part], value / 1e6)
        for pid, (_, _, command) in tree.items():
            self.processes.setdefault(pid, command.strip()[:300])
        self.samples += 1

    def stop(self):
        self.done.set()
        self.join()
        self.sample()  # not after the process is gone: stop() comes before the kill


# Straight to localhost, whatever http_proxy says.
LOCAL = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def fetch(url, timeout=10):
    with LOCAL.open(url, timeout=timeout) as response:
        return response.read()


def serve_dashboard(base, expected_runs, start, deadline, proc):
    """Wait until TensorBoard serves, then ask what the Scalars dashboard asks for.

    Returns (seconds to the main page, seconds to the last answer, what was asked and
    answered); raises RuntimeError if it does not serve in time or stops first.
    """
    first_page_s = None
    while first_page_s is None:
        if proc.poll() is not None:
            raise RuntimeError(f"tensorboard exited with code {proc.returncode} before it served")
        if time.monotonic() > deadline:
            raise RuntimeError("tensorboard did not serve its main page in time")
        try:
            page = fetch(base + "/")
            first_page_s = time.monotonic() - start
        except OSError:
            time.sleep(0.05)
    answered = {"/": len(page)}
    # The data server reads the logs after the page is up: ask, as a browser's reload
    # would, until every run with scalars is listed (expected_runs: those on disk).
    while True:
        for path in TB_REQUESTS[1:]:
            answered[path] = len(body := fetch(base + path))
            if path == "/data/runs":
                runs = json.loads(body)
            elif path == "/data/plugin/scalars/tags":
                tags = json.loads(body)
        if set(expected_runs) <= set(runs) and all(tags.get(run) for run in expected_runs):
            break
        if time.monotonic() > deadline:
            raise RuntimeError(f"tensorboard lists {sorted(runs)}, not yet all of "
                               f"{sorted(expected_runs)}")
        time.sleep(0.2)
    scalars = []
    for run, run_tags in sorted(tags.items()):
        for tag in sorted(run_tags):
            query = urllib.parse.urlencode({"run": run, "tag": tag})
            points = json.loads(fetch(f"{base}/data/plugin/scalars/scalars?{query}"))
            scalars.append({"run": run, "tag": tag, "points": len(points)})
    return first_page_s, time.monotonic() - start, {
        "answered_bytes": answered, "runs": runs, "scalars": scalars}


def scalar_runs(logs):
    """The runs under logs that hold scalars: step 2's and step 3's train and validation
    folders (step 3's test run holds only pictures and text)."""
    return sorted(str(folder.relative_to(logs)) for folder in logs.glob("**/*")
                  if folder.name in ("train", "validation")
                  and any(folder.glob("events.out.tfevents.*")))


def running(pid):
    """pid is a process that has not ended (a zombie has)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except (OSError, IndexError):
        return False


def serve_once(name, target, timeout, prepared):
    """Start TensorBoard as the TensorBoard page does, in the folder prepare() made, and
    measure it until it has served the Scalars dashboard; then stop it as `kill` does."""
    with tempfile.TemporaryDirectory(prefix=f"bench-{name}-") as tmp:
        tmp = Path(tmp)
        port = free_port()
        command = [tensorboard_command(), *[argument.replace("{port}", str(port))
                                            for argument in PROGRAMS["tensorboard"][1:]]]
        pin = (functools.partial(os.sched_setaffinity, 0, target["cpus"])
               if target["cpus"] else None)
        env = {k: v for k, v in os.environ.items()
               if k not in ("FASHION_MNIST_DIR", "TF_CPP_MIN_LOG_LEVEL")}
        # TMPDIR: TensorBoard notes its running servers in $TMPDIR/.tensorboard-info.
        env.update(KERAS_HOME=str(tmp / "keras_home"), TMPDIR=str(tmp))
        expected_runs = scalar_runs(prepared / "logs")
        error, served = None, None
        with open(tmp / "stdout", "wb") as out, open(tmp / "stderr", "wb") as err:
            start = time.monotonic()
            proc = subprocess.Popen(command, cwd=prepared, env=env, stdin=subprocess.DEVNULL,
                                    stdout=out, stderr=err, preexec_fn=pin)
            sampler = TreeSampler(proc.pid)
            sampler.start()
            try:
                first_page_s, wall_s, served = serve_dashboard(
                    f"http://127.0.0.1:{port}", expected_runs, start,
                    start + min(timeout, SERVE_TIMEOUT_S), proc)
            except (RuntimeError, OSError, ValueError) as problem:
                error, first_page_s, wall_s = f"{type(problem).__name__}: {problem}", None, None
            finally:
                sampler.stop()
                tree = set(process_tree(proc.pid))
                proc.send_signal(signal.SIGTERM)  # as `kill %tensorboard`
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
                    error = error or "tensorboard did not stop within 30 s of SIGTERM"
                # Its data server stops once TensorBoard is gone (it reads the end of
                # its stdin); one still running 10 s later is stopped here, as a failure.
                left = tree - {proc.pid}
                stop_at = time.monotonic() + 10
                while (left := {pid for pid in left if running(pid)}) and \
                        time.monotonic() < stop_at:
                    time.sleep(0.1)
                for pid in left:
                    os.kill(pid, signal.SIGKILL)
                    error = error or f"process {pid} outlived tensorboard by 10 s"
        stderr = (tmp / "stderr").read_text(errors="replace")
        run = {
            "exit_code": proc.returncode if error is None else (proc.returncode or 1),
            "cpus": len(target["cpus"]) if target["cpus"] else usable_cores(),
            "wall_s": wall_s,
            "first_line_s": first_page_s,
            "train_s": None,
            "peak_rss_mb": sampler.peak["total"],
            "train_accuracy": None,
            "test_accuracy": None,
            "stderr_lines": sum(1 for line in stderr.splitlines() if line.strip()),
            "tensorboard_mb": sampler.peak["root"],
            "data_server_mb": sampler.peak["data_server"] or None,
            "anonymous_mb": sampler.peak["anonymous"],
            "samples": sampler.samples,
            "processes": [sampler.processes[pid] for pid in sorted(sampler.processes)],
            "results": served,
        }
        if error:
            run["error"] = error
            run["stderr_tail"] = [error, *stderr.splitlines()[-STDERR_TAIL:]]
        return run


# --- summary -----------------------------------------------------------------

def summarize(runs):
    """min/median/max of every field over a target's successful runs (None if no value)."""
    ok = [run for run in runs if run["exit_code"] == 0]
    summary = {}
    for field in [*FIELDS, *SERVE_FIELDS]:
        if field in SERVE_FIELDS and not any(field in run for run in runs):
            continue  # only tensorboard's runs have these
        values = [run[field] for run in ok if run.get(field) is not None]
        summary[field] = ({"min": min(values), "median": statistics.median(values),
                           "max": max(values)} if values else None)
    return summary


def compare(summary, data_counts):
    """Ratios of step 2's medians to the baseline's, and the issue's targets checked."""
    step2, baseline = summary.get("step2"), summary.get("baseline")
    if not (step2 and baseline):
        return {}, {}
    ratios = {}
    for field in RATIO_FIELDS:
        a, b = step2[field], baseline[field]
        ratios[field] = a["median"] / b["median"] if a and b and b["median"] else None
    checks = {}
    for field, limit in RATIO_LIMITS.items():
        value = ratios[field]
        checks[field] = {"value": value, "target": f"<= {limit}",
                         "pass": None if value is None else value <= limit}
    checks["peak_rss_mb_absolute"] = full_data_check(step2["peak_rss_mb"], PEAK_LIMIT_MB, "MB",
                                                     data_counts)
    a, b = step2["test_accuracy"], baseline["test_accuracy"]
    if a and b:
        spread = max(b["max"] - b["min"], a["max"] - a["min"])
        loss = b["median"] - a["median"]
        checks["test_accuracy"] = {"value": loss, "spread": spread,
                                   "target": "loss <= run-to-run spread",
                                   "pass": loss <= spread}
    else:
        checks["test_accuracy"] = {"value": None, "spread": None,
                                   "target": "loss <= run-to-run spread", "pass": None}
    worst = step2["stderr_lines"]["max"] if step2["stderr_lines"] else None
    checks["stderr_lines"] = {"value": worst, "target": "0 (every run)",
                              "pass": None if worst is None else worst == 0}
    return ratios, checks


def full_data_check(stats, limit, unit, data_counts):
    """A median against its limit, judged only on the full data set."""
    value = stats["median"] if stats else None
    full_data = data_counts == tutorial_helpers.FULL_SIZES
    return {"value": value, "target": f"<= {limit} {unit} on the full data",
            "pass": value <= limit if full_data and value is not None else None}


def fast_start_checks(summary, targets, data_counts):
    """The fast start's targets, per target (see FIRST_LINE_LIMIT_S and below)."""
    check = functools.partial(full_data_check, data_counts=data_counts)
    checks = {}
    for name, target in targets.items():
        program, fields = target["program"], summary[name]
        if not program.startswith("step"):
            continue
        checks[name] = {"first_line_s": check(fields["first_line_s"], FIRST_LINE_LIMIT_S, "s")}
        if program == "step1":
            checks[name]["wall_s"] = check(fields["wall_s"], STEP1_LIMITS["wall_s"], "s")
            checks[name]["peak_rss_mb"] = check(fields["peak_rss_mb"],
                                                STEP1_LIMITS["peak_rss_mb"], "MB")
    return checks


def step3_memory_checks(summary, data_counts):
    """step3[-Ncpu]: its median peak memory, at most PEAK_LIMIT_MB on the full data, so
    that step 3 and TensorBoard fit a 2 GB VM together. TensorBoard peaked at 579 MB (the
    tensorboard target, its data server included; 229 MB of it anonymous, the rest mostly
    TensorFlow's libraries, which step 3 shares): see tensorboard_memory_checks."""
    return {name: {"peak_rss_mb": full_data_check(fields["peak_rss_mb"], PEAK_LIMIT_MB, "MB",
                                                  data_counts)}
            for name, fields in summary.items() if name == "step3" or name.startswith("step3-")}


def tensorboard_memory_checks(summary, prepared_runs, data_counts):
    """tensorboard[-Ncpu]: what TensorBoard adds beside a training step 3 (the tree's
    anonymous memory: the TensorFlow libraries both map are held once) plus the peak of
    the step 3 that wrote its logs (step3.py --save fashion.keras --logdir logs,
    measured while preparing them), at most VM_LEARNER_MB on the full data: the
    TensorBoard page's "What to try next" trains with TensorBoard running."""
    step3 = next((run["peak_rss_mb"] for run in prepared_runs.get("tensorboard", [])
                  if run["command"].startswith("step3.py")), None)
    checks = {}
    for name, fields in summary.items():
        if not (name == "tensorboard" or name.startswith("tensorboard-")):
            continue
        peak = fields["anonymous_mb"]["median"] if fields.get("anonymous_mb") else None
        both = None if peak is None or step3 is None else peak + step3
        check = full_data_check({"median": both} if both is not None else None,
                                VM_LEARNER_MB, "MB", data_counts)
        check.update(tensorboard=peak, step3=step3,
                     target=f"<= {VM_LEARNER_MB} MB with step 3's peak "
                            + ("" if step3 is None else f"({step3:.0f} MB) ") + "on the full data")
        checks[name] = {"peak_rss_mb": check}
    return checks


def check_speed_checks(summary, targets):
    """check-N[-Ncpu]: its median wall time against step2-1epoch's on the same CPUs,
    and its peak memory against PEAK_LIMIT_MB."""
    checks = {}
    for name, target in targets.items():
        if not target["program"].startswith("check-") or not summary[name]["wall_s"]:
            continue
        suffix = name[len(target["program"]):]
        reference = summary.get(CHECK_REFERENCE + suffix)
        wall = summary[name]["wall_s"]["median"]
        limit = reference["wall_s"]["median"] if reference and reference["wall_s"] else None
        peak = summary[name]["peak_rss_mb"]["median"] if summary[name]["peak_rss_mb"] else None
        checks[name] = {
            "wall_s": {"value": wall, "target": f"<= {CHECK_REFERENCE + suffix}'s wall time"
                       + ("" if limit is None else f" ({limit:.2f} s)"),
                       "pass": None if limit is None else wall <= limit},
            "peak_rss_mb": {"value": peak, "target": f"<= {PEAK_LIMIT_MB} MB",
                            "pass": None if peak is None else peak <= PEAK_LIMIT_MB}}
    return checks


def limit_lines(title, checks):
    """The lines of one table of limits: target, field, median, PASS/MISS/n/a, limit."""
    units = {"first_line_s": ("first line", "{:.2f} s"), "wall_s": ("wall time", "{:.2f} s"),
             "peak_rss_mb": ("peak memory", "{:.0f} MB")}
    width = max(map(len, checks))
    lines = [title]
    for name, fields in checks.items():
        for field, check in fields.items():
            label, form = units[field]
            value = "-" if check["value"] is None else form.format(check["value"])
            lines.append(f"  {name:<{width}}  {label:<11} {value:>8}   {verdict(check):<4}  "
                         f"target {check['target']}")
    return "\n".join(lines)


def cell(field, value):
    return "-" if value is None else FIELDS[field][1].format(value)


def table(summary):
    headings = [heading for heading, _ in FIELDS.values()]
    widths = [max(len(h), 6) for h in headings]
    names = max(10, *map(len, summary))
    lines = [f"{'target':<{names}} stat    "
             + "  ".join(h.rjust(w) for h, w in zip(headings, widths))]
    for name, fields in summary.items():
        for stat in ("min", "median", "max"):
            cells = [cell(f, fields[f][stat] if fields[f] else None) for f in FIELDS]
            label = name if stat == "min" else ""
            lines.append(f"{label:<{names}} {stat:<7} "
                         + "  ".join(c.rjust(w) for c, w in zip(cells, widths)))
    return "\n".join(lines)


def verdict(check):
    return {True: "PASS", False: "MISS", None: "n/a"}[check["pass"]]


def ratio_lines(ratios, checks):
    def times(value, digits=2):
        return "-" if value is None else f"{value:.{digits}f}x"
    acc = checks["test_accuracy"]
    accuracy_note = ("" if acc["value"] is None else
                     f"loss {acc['value']:+.4f}, spread {acc['spread']:.4f}")
    peak = checks["peak_rss_mb_absolute"]
    stderr = checks["stderr_lines"]
    rows = [
        ("wall time", times(ratios["wall_s"]), "<= 0.75x", checks["wall_s"]),
        ("training time", times(ratios["train_s"]), "<= 0.60x", checks["train_s"]),
        ("peak memory", times(ratios["peak_rss_mb"]), "<= 0.67x", checks["peak_rss_mb"]),
        ("peak memory", "-" if peak["value"] is None else f"{peak['value']:.0f} MB",
         f"<= {PEAK_LIMIT_MB} MB on the full data", peak),
        ("test accuracy", times(ratios["test_accuracy"], 3),
         f"no loss beyond the spread ({accuracy_note})", acc),
        ("stderr lines", cell("stderr_lines", stderr["value"]), "0 in every run", stderr),
    ]
    lines = ["Step 2 against the baseline (ratios of medians, same machine, same run):"]
    for label, value, target, check in rows:
        lines.append(f"  {label:<14} {value:>8}   {verdict(check):<4}  target {target}")
    return "\n".join(lines)


# --- the machine -------------------------------------------------------------

def cpu_model():
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def version(*distributions):
    for distribution in distributions:
        try:
            return importlib.metadata.version(distribution)
        except importlib.metadata.PackageNotFoundError:
            pass
    return None


def git_commit():
    try:
        return subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True,
                              text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def usable_cores():
    """The CPUs this process may run on (fewer than the machine's when pinned)."""
    return (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
            else os.cpu_count())


def machine():
    return {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "usable_cores": usable_cores(),
        "python": platform.python_version(),
        "tensorflow": version("tensorflow-cpu", "tensorflow"),
        "keras": version("keras"),
        "numpy": version("numpy"),
        "platform": platform.platform(),
    }


def write_json(path, report):
    """Write the report so that a reader never sees half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(json.dumps(report, indent=2) + "\n")
    os.replace(temporary, path)


# --- main ----------------------------------------------------------------------

def parse_names(text):
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if not parse_target(name)]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown target {', '.join(unknown) or '(none)'}; a target is "
            f"PROGRAM[-system|-data-dir][-Ncpu], PROGRAM one of {', '.join(PROGRAMS)}")
    return list(dict.fromkeys(names))


def plan(names, data_dir, cpus):
    """{name: target} for the chosen names that can run here, and notes on the others.

    A target: program, data_path, data_dir (the folder it reads) and cpus (the set of
    CPUs it is pinned to, or None for no pinning).
    """
    system = tutorial_helpers.data.system_data_dir()
    system = system and system.resolve()
    can_pin = hasattr(os, "sched_setaffinity")
    allowed = sorted(os.sched_getaffinity(0)) if can_pin else []
    targets, notes = {}, []
    for name in names:
        target = parse_target(name)
        script = PROGRAMS[target["program"]][0]
        count = target["cpus"] or cpus
        if target["program"] == "tensorboard" and not tensorboard_command():
            notes.append(f"{name}: skipped, tensorboard is not installed")
        elif target["program"] == "tensorboard" and not Path("/proc/self/statm").is_file():
            notes.append(f"{name}: skipped, its memory is read from /proc (Linux only)")
        elif script not in ("-c", "tensorboard") and not (ROOT / script).is_file():
            notes.append(f"{name}: skipped, {script} does not exist yet")
        elif target["data_path"] != "keras-cache" and not target["program"].startswith("step"):
            notes.append(f"{name}: skipped, only the steps take the data from elsewhere")
        elif target["data_path"] == "system" and system is None:
            folders = ", ".join(map(str, tutorial_helpers.data.SYSTEM_DATA_DIRS))
            notes.append(f"{name}: skipped, {folders} lacks the four files "
                         "(sudo apt install dataset-fashion-mnist)")
        elif count and not can_pin:
            notes.append(f"{name}: skipped, this system cannot pin a process to CPUs")
        elif count and count > len(allowed):
            notes.append(f"{name}: skipped, only {len(allowed)} CPU(s) here")
        else:
            target["data_dir"] = system if target["data_path"] == "system" else data_dir
            target["cpus"] = allowed[:count] if count else None
            targets[name] = target
    return targets, notes


def main():
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="\n\n".join(__doc__.split("\n\n")[2:]),
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=tutorial_helpers.positive_int, default=3,
                        help="runs of each target (default: 3)")
    parser.add_argument("--json", metavar="PATH", help="also write the report as JSON here")
    parser.add_argument("--data-dir", metavar="DIR",
                        help="folder with the four Fashion-MNIST .gz files (default: the Keras "
                             "cache, then /usr/share/datasets/fashion-mnist)")
    parser.add_argument("--only", type=parse_names, metavar="NAMES", default=DEFAULT_TARGETS,
                        help="comma-separated targets to run (default: "
                             f"{','.join(DEFAULT_TARGETS)})")
    parser.add_argument("--cpus", type=tutorial_helpers.positive_int, metavar="N",
                        help="pin every run that names no CPU count of its own (-Ncpu) to "
                             "N CPUs (default: no pinning)")
    parser.add_argument("--no-warmup", action="store_true",
                        help="skip the untimed `import tensorflow` before the timed runs")
    parser.add_argument("--timeout", type=tutorial_helpers.positive_int, default=3600,
                        help="seconds before a run is stopped and counted as failed "
                             "(default: 3600)")
    args = parser.parse_args()

    data_dir = choose_data_dir(args.data_dir)
    data_counts = count_images(data_dir)
    if args.cpus and args.cpus > usable_cores():
        fail(f"Error: --cpus {args.cpus}: this machine lets the benchmark use "
             f"{usable_cores()} CPU(s).")
    plans, notes = plan(args.only, data_dir, args.cpus)
    targets = list(plans)
    if not targets:
        fail("Error: none of the chosen targets can run here: " + "; ".join(notes))

    report = {
        "machine": machine(),
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "commit": git_commit(),
        "repeat": args.repeat,
        "data_dir": str(data_dir),
        "cpus": args.cpus,
        "data": {"train_images": data_counts["train"], "test_images": data_counts["test"]},
        "targets": targets,
        "target_details": {name: {"program": t["program"], "data_path": t["data_path"],
                                  "data_dir": str(t["data_dir"]),
                                  "cpus": len(t["cpus"]) if t["cpus"] else usable_cores(),
                                  "pinned": t["cpus"] is not None}
                           for name, t in plans.items()},
        "notes": notes,
        "load_average_start": list(os.getloadavg()),
    }
    m = report["machine"]
    print(f"Machine: {m['cpu']}, {m['cores']} cores; Python {m['python']}, "
          f"TensorFlow {m['tensorflow']}, Keras {m['keras']}")
    print(f"Data: {data_dir} ({data_counts['train']:,} training, "
          f"{data_counts['test']:,} test images)")
    for note in notes:
        print(f"Note: {note}")
    if not args.no_warmup:
        print("Warm-up: import tensorflow once (not recorded) ...", flush=True)
        warmup = run_once("import-tf", {**parse_target("import-tf"), "data_dir": data_dir,
                                        "cpus": None}, args.timeout)
        if warmup["exit_code"] != 0:
            print(f"    the warm-up failed with exit code {warmup['exit_code']}; "
                  "the end of its stderr:")
            for line in warmup["stderr_tail"]:
                print(f"    | {line}")

    prepared, prepared_runs = {}, {}  # program: its folder; the runs that made it
    try:
        for program, (whose, what, _) in PREPARE.items():
            if not any(plans[name]["program"] == program for name in targets):
                continue
            print(f"Preparing {whose}: {what} (not recorded) ...", flush=True)
            folder, made = prepare(program, data_dir, args.timeout)
            if folder is None:
                for name in [name for name in targets if plans[name]["program"] == program]:
                    notes.append(f"{name}: skipped, {made}")
                    print(f"Note: {notes[-1]}")
                    targets.remove(name)
                if not targets:
                    fail("Error: no target left to run.")
                continue
            prepared[program], prepared_runs[program] = folder, made
        if prepared_runs:
            report["prepared"] = prepared_runs
        return measure(args, data_dir, data_counts, plans, targets, report, prepared,
                       prepared_runs)
    finally:
        for folder in prepared.values():
            shutil.rmtree(folder, ignore_errors=True)


def measure(args, data_dir, data_counts, plans, targets, report, prepared, prepared_runs):
    """The timed runs, their summary and the report."""
    runs = {name: [] for name in targets}
    total = args.repeat * len(targets)
    for round_index in range(args.repeat):
        shift = round_index % len(targets)
        for name in targets[shift:] + targets[:shift]:
            program = plans[name]["program"]
            once = serve_once if program == "tensorboard" else run_once
            run = once(name, plans[name], args.timeout, prepared.get(program))
            runs[name].append(run)
            done = sum(map(len, runs.values()))
            print(f"[{done:>2}/{total}] {name:<{max(10, *map(len, targets))}} exit {run['exit_code']:<3} "
                  + "  ".join(f"{FIELDS[f][0]} {cell(f, run[f])}"
                              for f in ("wall_s", "train_s", "peak_rss_mb", "test_accuracy")),
                  flush=True)
            if run["exit_code"] != 0:
                reason = " (timed out)" if run.get("timed_out") else ""
                print(f"    {name} failed with exit code {run['exit_code']}{reason}; "
                      "the end of its stderr:")
                for line in run["stderr_tail"]:
                    print(f"    | {line}")

    summary = {name: summarize(runs[name]) for name in targets}
    ratios, checks = compare(summary, data_counts)
    fast_start = fast_start_checks(summary, plans, data_counts)
    check_speed = check_speed_checks(summary, plans)
    step3_memory = step3_memory_checks(summary, data_counts)
    tensorboard_memory = tensorboard_memory_checks(summary, prepared_runs, data_counts)
    report.update(load_average_end=list(os.getloadavg()), runs=runs, summary=summary,
                  ratios={"step2_vs_baseline": ratios} if ratios else {},
                  checks={**({"step2_vs_baseline": checks} if checks else {}),
                          **({"fast_start": fast_start} if fast_start else {}),
                          **({"check_speed": check_speed} if check_speed else {}),
                          **({"step3_memory": step3_memory} if step3_memory else {}),
                          **({"tensorboard_memory": tensorboard_memory}
                             if tensorboard_memory else {})})

    print()
    print(f"{args.repeat} run(s) of each target, interleaved; min / median / max "
          "(of the runs that succeeded):")
    print(table(summary))
    if ratios:
        print()
        print(ratio_lines(ratios, checks))
    if fast_start:
        print()
        print(limit_lines("Fast start (medians):", fast_start))
    if check_speed:
        print()
        print(limit_lines("check.py (medians):", check_speed))
    if step3_memory:
        print()
        print(limit_lines("Step 3's memory (medians):", step3_memory))
    if tensorboard_memory:
        print()
        print(limit_lines("TensorBoard and step 3 at once (medians):", tensorboard_memory))
        for name in tensorboard_memory:
            part = {field: cell("peak_rss_mb", (summary[name][field] or {}).get("median"))
                    for field in SERVE_FIELDS}
            print(f"  {name}: TensorBoard alone {part['tensorboard_mb']} MB, its data server "
                  f"{part['data_server_mb']} MB (peaks of each part; the table's peak MB is "
                  f"their sum's); anonymous {part['anonymous_mb']} MB")
    failed = {name: sum(run["exit_code"] != 0 for run in runs[name]) for name in targets}
    failed = {name: count for name, count in failed.items() if count}
    if args.json:
        write_json(args.json, report)
        print()
        print(f"Wrote {args.json}")
    if failed:
        print()
        print("Failed runs: " + ", ".join(f"{name} {count} of {args.repeat}"
                                          for name, count in failed.items()))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
