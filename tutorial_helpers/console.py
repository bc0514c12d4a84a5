"""What the learner sees when things go wrong: short errors, Ctrl-C, a quiet TensorFlow.

- fail(): end the step with a short message and exit code 1.
- Ctrl-C ends a step with one line and exit code 130 instead of a traceback, and
  deletes the unfinished files registered in `unfinished`.
- quiet_tensorflow(): import TensorFlow without its start-up log lines.
"""
import contextlib
import os
import re
import shutil
import signal
import sys
import tempfile


def fail(*lines):
    """End the step with a short message on stderr and exit code 1."""
    sys.stdout.flush()
    raise SystemExit("\n".join(lines))


# --- Ctrl-C ------------------------------------------------------------------

# Temporary files and folders to delete if Ctrl-C stops the step before they
# are moved into place (a download in progress, a model being saved).
unfinished = set()
# Where the learner's stderr is: _stderr_held() points fd 2 elsewhere for a while.
_stderr_fd = 2


def _stop_on_ctrl_c(signum, frame):
    sys.stdout.write("\n")
    sys.stdout.flush()
    sys.stderr.flush()
    os.write(_stderr_fd, b"Stopped by Ctrl-C.\n")
    for path in unfinished:
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    # End at once: raising SystemExit inside fit() lets Python shut down while
    # TensorFlow's threads still run, which can abort the process (exit -6).
    os._exit(130)


signal.signal(signal.SIGINT, _stop_on_ctrl_c)


# --- a quiet TensorFlow ------------------------------------------------------
# Lines TensorFlow's C++ core writes while it loads: absl's notice, glog-style
# records such as "I0000 00:00:1795519780.52  3702 port.cc:153] oneDNN custom ...",
# and the text that continues a record on the next line.
_NOISE = re.compile(
    r"WARNING: All log messages before absl::InitializeLog\(\) is called"
    r"|[IWEF]\d{4} [\d:.]+\s+\d+ \S+:\d+\]"
    r"|To enable the following instructions:"
    r"|.*(?:TF-TRT Warning|cuda|cuDNN|cuFFT|cuBLAS|TensorRT)")


@contextlib.contextmanager
def _stderr_held(keep):
    """Point fd 2 at a temporary file for the block, so that what C++ code writes
    there is held back too; afterwards write out the lines for which keep(line) is
    true. Ctrl-C meanwhile still reaches the learner's stderr."""
    global _stderr_fd
    sys.stderr.flush()
    saved_fd = _stderr_fd = os.dup(2)
    with tempfile.TemporaryFile() as held:
        os.dup2(held.fileno(), 2)
        try:
            yield
        finally:
            sys.stderr.flush()
            os.dup2(saved_fd, 2)
            _stderr_fd = 2
            os.close(saved_fd)
            held.seek(0)
            for line in held.read().decode(errors="replace").splitlines(True):
                if keep(line):
                    sys.stderr.write(line)
            sys.stderr.flush()


def stderr_dropped():
    """Drop everything written to stderr in the block (a decoder's complaints, say)."""
    return _stderr_held(lambda line: False)


quiet_depth = 0  # how many quiet_tensorflow() blocks are running (the import hook's)


@contextlib.contextmanager
def quiet_tensorflow():
    """Run `import tensorflow` inside this block to hide its start-up log lines.

    Everything written to stderr meanwhile is held back; afterwards the lines that
    are not TensorFlow's log noise are written out. If the import fails, all of it is.
    """
    global quiet_depth
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # C++ logs after start-up
    failed = True
    quiet_depth += 1
    try:
        with _stderr_held(lambda line: failed or not _NOISE.match(line)):
            try:
                yield
                failed = False
            except SystemExit:
                failed = False
                raise
            except ModuleNotFoundError as error:
                if error.name not in ("tensorflow", "keras"):
                    raise
                failed = False
                fail(f"Error: {error.name} is not installed in this Python ({sys.executable}).",
                     "Install the tutorial's requirements first:  pip install -r requirements.txt")
    finally:
        quiet_depth -= 1
