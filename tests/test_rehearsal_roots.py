"""The rehearsal gives each scenario a fresh root: a copy of the base built once,
with /proc, /sys and /dev mounted in it, and nothing of the scenario before it."""
import os
import subprocess
import sys

import pytest

from conftest import HANG_S, ROOT

sys.path.insert(0, str(ROOT / "scenario"))
from rehearsal.machine import Root, mounts_under  # noqa: E402


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting needs root")
def test_each_scenario_gets_a_fresh_copy_of_the_base():
    root = Root("trixie", "http://deb.debian.org/debian", None)
    try:
        for folder in ("proc", "sys", "dev", "etc"):  # a stand-in for debootstrap's root
            (root.base / folder).mkdir(parents=True)
        (root.base / "etc" / "os-release").write_text('PRETTY_NAME="base"\n')
        root.fresh("first")
        first = root.path
        assert first != root.base and (first / "etc" / "os-release").is_file()
        assert str(first / "proc") in mounts_under(first)
        (first / "etc" / "left-by-first").write_text("a learner's file\n")
        root.fresh("second")
        assert not first.exists() and mounts_under(first) == []  # released, mounts first
        assert (root.path / "etc" / "os-release").is_file()
        assert not (root.path / "etc" / "left-by-first").exists()
        assert not (root.base / "etc" / "left-by-first").exists()
        assert mounts_under(root.base) == []  # the base is copied unmounted
    finally:
        root.remove()
    assert not root.folder.exists() and mounts_under(root.folder) == []


def test_an_unknown_scenario_is_refused_with_the_course_s_names():
    result = subprocess.run([sys.executable, str(ROOT / "scenario" / "rehearse"),
                             "--scenario", "no-such-scenario"],
                            capture_output=True, text=True, timeout=HANG_S)
    assert result.returncode != 0
    assert "no scenario no-such-scenario" in result.stderr and "first-model" in result.stderr
