"""The tensorboard target: TensorBoard started on the page's logs, its dashboard requested,
its whole process tree's memory sampled."""
import functools
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path
from .targets import (PROGRAMS, SAMPLE_S, SERVE_TIMEOUT_S, STDERR_TAIL, TB_REQUESTS,
                      usable_cores)


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
            # The latest command line: a child caught between fork and exec still shows
            # its parent's, and an ended one (a zombie) shows none.
            if command.strip():
                self.processes[pid] = command.strip()[:300]
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
    folders (step 5's test run holds only pictures and text)."""
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
            # TensorBoard may run without it: it gives its data server about 10 s to
            # start and answer, then reads the logs itself (--load_fast=auto).
            "data_server": any("tensorboard_data_server" in command
                               for command in sampler.processes.values()),
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
