"""The machine a benchmark runs on: its CPU, cores, versions and commit."""
import importlib.metadata
import os
import platform
import subprocess

from .targets import ROOT, usable_cores


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
