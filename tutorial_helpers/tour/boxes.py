"""Running a box as if it were typed into this terminal: `bash -c COMMAND` in the
tutorial's folder, with the tutorial's Python first on PATH, its output live.

A shell runs each command as the terminal's foreground job: so does the tour. The box
gets a process group of its own and the terminal's foreground, so that Ctrl-C (and
anything that asks the terminal for its size or its keys) reaches the box and not the
tour; when it ends, the tour takes the terminal back, with its settings as they were.
Without a terminal, a Ctrl-C that reaches the tour is passed on to the box.

What a box leaves running in the background (`tensorboard ... &`) is remembered: an
interrupt box ({{exec interrupt}}) stops it first, as Killercoda's Ctrl-C would, and
so does leaving the tour.
"""
import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

STOPPED_BY_CTRL_C = (130, -signal.SIGINT)   # a step's own exit code, or killed by SIGINT
GRACE_S = 3    # how long what runs gets to end, per signal, when a box or `q` stops it


def box_env(folder, python_folder):
    """The environment of a box and of a Check: the tutorial's Python first on PATH,
    as `. .venv/bin/activate` makes it, and TUTORIAL_DIR this folder (verify.sh's)."""
    env = dict(os.environ)
    env.pop("PYTHONHOME", None)
    env["PATH"] = os.pathsep.join([str(python_folder), env.get("PATH", os.defpath)])
    if (python_folder.parent / "pyvenv.cfg").exists():
        env["VIRTUAL_ENV"] = str(python_folder.parent)
    env["TUTORIAL_DIR"] = str(folder)
    return env


def terminal_fd():
    """Standard input's terminal, when the tour holds its foreground; else None."""
    try:
        fd = sys.stdin.fileno()
        return fd if os.isatty(fd) and os.tcgetpgrp(fd) == os.getpgrp() else None
    except (OSError, ValueError, AttributeError):
        return None


@contextlib.contextmanager
def in_foreground(fd, group):
    """The terminal's foreground is the process group `group` for the block."""
    if fd is None:
        yield
        return
    ttou = signal.signal(signal.SIGTTOU, signal.SIG_IGN)  # the tour, in the background, may
    settings = termios_get(fd)                             # still set the foreground
    try:
        try:
            os.tcsetpgrp(fd, group)
            os.killpg(group, signal.SIGCONT)  # had it tried to read before it was its turn
        except OSError:
            pass
        yield
    finally:
        with contextlib.suppress(OSError):
            os.tcsetpgrp(fd, os.getpgrp())
        termios_set(fd, settings)
        signal.signal(signal.SIGTTOU, ttou)


def termios_get(fd):
    try:
        import termios
        return termios.tcgetattr(fd)
    except (ImportError, OSError):
        return None


def termios_set(fd, settings):
    if settings is not None:
        import termios
        with contextlib.suppress(OSError):
            termios.tcsetattr(fd, termios.TCSADRAIN, settings)


def alive(group):
    """Whether a process of the group still runs (a zombie, ended but not yet reaped by
    whoever adopted it, does not count where /proc tells)."""
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    proc = Path("/proc")
    if not (proc / "self" / "stat").exists():
        return True
    for stat in proc.glob("[0-9]*/stat"):
        try:
            state, _, pgrp = stat.read_text().rsplit(")", 1)[1].split()[:3]
        except (OSError, ValueError, IndexError):
            continue
        if pgrp == str(group) and state != "Z":
            return True
    return False


class Runner:
    def __init__(self, folder, python_folder):
        self.folder = folder
        self.env = box_env(folder, python_folder)
        self.left_running = {}  # process group -> the command that left it running

    def run(self, command):
        """Run command as the terminal's foreground job; its exit code (negative: the
        signal that ended it)."""
        process = subprocess.Popen(["bash", "-c", command], cwd=self.folder, env=self.env,
                                   process_group=0)
        group = process.pid
        with in_foreground(terminal_fd(), group):
            code = wait(process.pid, group)
        process.returncode = code
        if alive(group):
            self.left_running[group] = command
        return code

    def stop_left_running(self):
        """Stop what the boxes left running: Ctrl-C first, as Killercoda's interrupt
        does, then TERM, then KILL. The commands that were still running."""
        stopped = []
        for group, command in list(self.left_running.items()):
            del self.left_running[group]
            if not alive(group):
                continue
            stopped.append(command)
            for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL):
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(group, sig)
                deadline = time.monotonic() + GRACE_S
                while alive(group) and time.monotonic() < deadline:
                    time.sleep(0.1)
                if not alive(group):
                    break
        return stopped


def wait(pid, group):
    """The exit code of pid; a Ctrl-C that reaches the tour goes on to the box's group,
    and a box paused by Ctrl-Z goes on (the tour has no jobs to switch between)."""
    while True:
        try:
            _, status = os.waitpid(pid, os.WUNTRACED)
        except KeyboardInterrupt:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group, signal.SIGINT)
            continue
        except ChildProcessError:
            return 0
        if os.WIFSTOPPED(status):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group, signal.SIGCONT)
            continue
        return os.waitstatus_to_exitcode(status)
