"""The rehearsal's memory cgroup: a process of the learner's side over the cap is killed
and counted, and the page's peak is read back."""
import os
import subprocess
import sys

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "scenario"))
from rehearsal.cgroup import Memory  # noqa: E402


@pytest.fixture
def memory():
    try:
        cap = Memory(64)
    except OSError as error:
        pytest.skip(f"no memory cgroup to make here (root needed): {error}")
    yield cap
    cap.remove()


def test_a_process_over_the_cap_is_killed_and_counted(memory):
    memory.reset_peak()
    small = subprocess.run([sys.executable, "-c", "b = bytearray(16 * 2**20)"],
                           preexec_fn=memory.enter)
    assert small.returncode == 0 and memory.oom_kills() == 0
    assert 16 <= memory.peak_mb() <= 64
    assert memory.held_peak_mb() <= 64
    big = subprocess.run([sys.executable, "-c", "b = bytearray(300 * 2**20)"],
                         preexec_fn=memory.enter, stderr=subprocess.DEVNULL)
    assert big.returncode == -9 and memory.oom_kills() == 1
    assert memory.peak_mb() >= 60
    assert os.getpid() not in map(int, memory.read("cgroup.procs").split())
