"""Run the learner's file once, under the probe, with a time limit; gather what it did."""
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from .exercise import ROOT

# A check gives the file all the data, but fit() and evaluate() use the first images
# only, so that it answers in seconds.
# Step 3's convolutional model costs more per image: it gets fewer.
IMAGES = {"2": (3000, 1000), "3": (2000, 500)}  # training, test
# At most this many epochs per fit(): more costs time and teaches the check nothing new.
MAX_EPOCHS = {"2": 3, "3": 2}
# Seconds the learner's file may run, counted from its first line: TensorFlow's
# import before it, slow on a busy one-CPU machine, is not the file's time.
TIME_LIMIT = 60
# Before the file starts, only a hang is stopped: the import takes seconds, or a
# minute or more on a busy machine, and never loops.
START_LIMIT = 600


@dataclass
class Run:
    """What one run of the learner's file did."""
    events: list = field(default_factory=list)
    output: str = ""          # what the file printed (shown with --verbose)
    timed_out: bool = False
    syntax: dict = None       # a SyntaxError, found before anything ran
    stack_line: tuple = None  # where the file was when the time limit struck
    seconds: float = 0.0
    returncode: int = None    # the probe's: below 0, the signal that ended it

    def all(self, kind):
        return [e for e in self.events if e["kind"] == kind]

    def first(self, kind):
        found = self.all(kind)
        return found[0] if found else None

    def last(self, kind):
        found = self.all(kind)
        return found[-1] if found else None

    def ending(self):
        """The probe's note of how the file ended (it notes one: "end", "error" or
        "exit", with the file's state), or None when the run was cut short."""
        return self.last("end") or self.last("error") or self.last("exit")


def syntax_error(path):
    """Compile the file without running it: a dict for its SyntaxError, or None."""
    source = Path(path).read_text(errors="replace")
    try:
        compile(source, str(path), "exec")
    except SyntaxError as error:
        return {"type": type(error).__name__, "message": error.msg, "line": error.lineno,
                "code": (error.text or "").rstrip("\n"), "offset": error.offset}
    return None


def run_file(path, data_dir=None, time_limit=TIME_LIMIT, max_epochs=5, images=IMAGES["2"]):
    """Run path under the probe; return a Run."""
    path = Path(path).resolve()
    run = Run(syntax=syntax_error(path))
    if run.syntax:
        return run
    with tempfile.TemporaryDirectory(prefix="check-") as scratch:
        events = Path(scratch) / "events.jsonl"
        env = dict(os.environ, CHECK_TRAIN=str(images[0]), CHECK_TEST=str(images[1]),
                   CHECK_EPOCHS=str(max_epochs), CHECK_TIME_LIMIT=str(time_limit),
                   PYTHONPATH=os.pathsep.join(
                       [str(ROOT)] + [p for p in os.environ.get("PYTHONPATH", "").split(
                           os.pathsep) if p]),
                   TUTORIAL_RESULTS_DIR=str(Path(scratch) / "results"),
                   MPLBACKEND="Agg", CHECK_PARENT=str(os.getpid()))
        if data_dir:
            env["CHECK_DATA_DIR"] = str(data_dir)
        start = time.monotonic()
        # Its own session: the time limit ends it and everything it started; Ctrl-C
        # in the terminal reaches only check.py, which then ends it.
        with open(Path(scratch) / "output", "w+b") as output:
            process = subprocess.Popen(
                [sys.executable, "-m", "tutorial_helpers.checking.probe", str(path),
                 str(events)], cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True)
            try:
                run.timed_out = not ended_in_time(process, events, time_limit)
            except BaseException:
                stop(process)
                raise
            run.seconds = time.monotonic() - start
            run.returncode = process.returncode
            output.seek(0)
            out = output.read()
        run.output = out.decode(errors="replace")
        if events.exists():
            run.events = [json.loads(line) for line in events.read_text().splitlines()
                          if line.strip()]
        stack = Path(str(events) + ".stack")
        if run.timed_out and stack.exists():
            run.stack_line = where_in(stack.read_text(), path)
    return run


def ended_in_time(process, events, time_limit):
    """Wait for the probe to end; False if it was stopped: time_limit seconds after the
    learner's file started (the probe's "start" note), or START_LIMIT before that."""
    deadline, started = time.monotonic() + START_LIMIT, False
    while True:
        try:
            process.wait(timeout=0.2)
            return True
        except subprocess.TimeoutExpired:
            pass
        if not started and events.exists() and '"kind": "start"' in events.read_text():
            # Seen within 0.2 s of the note: the file gets its full time_limit.
            started, deadline = True, time.monotonic() + time_limit
        if time.monotonic() >= deadline:
            stop(process)
            process.wait()
            return False


def stop(process):
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def where_in(stack, path):
    """The learner's line a faulthandler stack dump names first (innermost), if any."""
    for match in re.finditer(r'File "([^"]+)", line (\d+)', stack):
        if Path(match.group(1)).resolve() == path:
            number = int(match.group(2))
            lines = path.read_text(errors="replace").splitlines()
            return number, lines[number - 1].strip() if number <= len(lines) else ""
    return None
