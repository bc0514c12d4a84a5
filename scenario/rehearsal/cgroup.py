"""A memory cgroup for the learner's side: the VM's memory, and each page's peak.

cgroup v1: a child of this process's own memory cgroup (from /proc/self/cgroup) with
memory.limit_in_bytes; its memory.max_usage_in_bytes is reset at each page and read at
its end, and memory.oom_control's oom_kill counts the processes killed for going over.
cgroup v2 (where /sys/fs/cgroup/cgroup.controllers exists): memory.max, memory.peak
and memory.events' oom_kill. Usage counts the page cache too, which the kernel
reclaims before it kills anything: a peak near the cap is not by itself a failure.
So each page also gets the peak of what its processes hold themselves (anonymous
memory and shared memory, memory.stat's rss and shmem, sampled every SAMPLE_S).
"""
import os
import threading
import time
from pathlib import Path

SAMPLE_S = 0.2  # how often the processes' own memory (anonymous and shared) is read

MOUNT = Path("/sys/fs/cgroup")


def own_cgroup(controller):
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        _, controllers, path = line.split(":", 2)
        if controller in controllers.split(",") or (controller == "" and controllers == ""):
            return path
    return None


class Memory:
    """The cgroup that holds every process of the learner's side."""

    def __init__(self, limit_mb):
        self.limit_mb = limit_mb
        self.v2 = (MOUNT / "cgroup.controllers").exists()
        base = (MOUNT / own_cgroup("").lstrip("/")) if self.v2 else (
            MOUNT / "memory" / own_cgroup("memory").lstrip("/"))
        self.path = base / f"rehearse-{os.getpid()}"
        self.path.mkdir()
        self.kills_seen = 0
        self.held_peak = 0
        threading.Thread(target=self.sample, daemon=True).start()
        limit = str(limit_mb * 1024 * 1024)
        self.write("memory.max" if self.v2 else "memory.limit_in_bytes", limit)
        if not self.v2:
            try:
                self.write("memory.memsw.limit_in_bytes", limit)  # no way out through swap
            except OSError:
                pass

    def write(self, name, value):
        (self.path / name).write_text(value)

    def read(self, name):
        return (self.path / name).read_text()

    def enter(self):
        """For preexec_fn: the calling (child) process joins the cgroup."""
        with open(self.path / "cgroup.procs", "w") as f:
            f.write(str(os.getpid()))

    def held_mb(self):
        """What the processes hold themselves: anonymous and shared memory, in MB."""
        stat = dict(line.split() for line in self.read("memory.stat").splitlines())
        keys = ("anon", "shmem") if self.v2 else ("total_rss", "total_shmem")
        return sum(int(stat.get(k, 0)) for k in keys) / 2**20

    def sample(self):
        while self.path.exists():
            try:
                self.held_peak = max(self.held_peak, self.held_mb())
            except (OSError, ValueError):
                pass
            time.sleep(SAMPLE_S)

    def held_peak_mb(self):
        return round(self.held_peak)

    def reset_peak(self):
        self.held_peak = 0
        if not self.v2:
            self.write("memory.max_usage_in_bytes", "0")
        else:
            try:
                self.write("memory.peak", "0")  # kernels from 6.12 reset it so
            except OSError:
                pass

    def peak_mb(self):
        name = "memory.peak" if self.v2 else "memory.max_usage_in_bytes"
        try:
            return round(int(self.read(name)) / 2**20)
        except (OSError, ValueError):
            return None

    def oom_kills(self):
        text = self.read("memory.events" if self.v2 else "memory.oom_control")
        for line in text.splitlines():
            key, _, value = line.partition(" ")
            if key == "oom_kill":
                return int(value)
        return 0

    def remove(self):
        for _ in range(50):
            try:
                self.path.rmdir()
                return
            except OSError:
                time.sleep(0.1)
