"""The rehearsal's learner's terminal: foreground.sh typed into an interactive bash on a
pseudo-terminal (tmux), and what the screen shows while the shipped wait runs."""
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import HANG_S, ROOT

sys.path.insert(0, str(ROOT / "scenario"))
from rehearsal.terminal import Terminal, screen_promises, typed_lines_seen  # noqa: E402

pytestmark = pytest.mark.skipif(not shutil.which("tmux"), reason="needs tmux")
SCENARIO = ROOT / "scenario" / "first-model"  # every scenario's setup is a copy of this one
AT_PWD = re.compile(r"^/\S*$", re.M)  # what `pwd` prints
STAGES = ["tutorial setup started", "installing Python's venv and pip",
          "installing requirements.txt", "tutorial setup finished"]


def typed_foreground(tmp_path):
    """foreground.sh as the VM has it, with the VM's paths moved into tmp_path."""
    tutorial = tmp_path / "tutorial"
    (tutorial / ".venv" / "bin").mkdir(parents=True)
    (tutorial / ".venv" / "bin" / "activate").write_text("PS1=\"(.venv) $PS1\"\n")
    return (SCENARIO / "intro" / "foreground.sh").read_text().replace(
        "/usr/local/bin/tutorial", str(tmp_path / "bin" / "tutorial"))


def ship_the_way_in(tmp_path):
    """`source tutorial` where index.json's assets put it (here tmp_path/bin)."""
    (tmp_path / "bin").mkdir(exist_ok=True)
    (tmp_path / "bin" / "tutorial").write_bytes((SCENARIO / "assets" / "tutorial").read_bytes())


@pytest.fixture
def terminal(tmp_path):
    env = dict(SETUP_LOG=str(tmp_path / "setup.log"), READY_MARKER=str(tmp_path / "ready"),
               FAILED_MARKER=str(tmp_path / "failed"), SETUP_PID=str(tmp_path / "setup.pid"),
               TUTORIAL_DIR=str(tmp_path / "tutorial"), HOME=str(tmp_path), TERM="xterm",
               TUTORIAL_FILES=str(tmp_path / "files"), SETUP_LOCK=str(tmp_path / "setup.lock"),
               PATH=f"{tmp_path / 'bin'}:/usr/bin:/bin")
    command = ["env", "-i", *[f"{k}={v}" for k, v in env.items()],
               "bash", "--norc", "--noprofile", "-i"]
    term = Terminal(command, tmp_path)
    yield term
    term.close()


def setup_writes(terminal, tmp_path, stages):
    """A stand-in for background.sh: its stages into the log, each once the screen has
    shown the last: no race with how often the wait, or this test, looks."""
    for stage in stages:
        with (tmp_path / "setup.log").open("a") as f:
            f.write(f"=== {stage}\n")
        until_shown(terminal, rf"^Setting up \(\d+s\): {re.escape(stage)}$")


def until_shown(terminal, pattern):
    """Read the screen, keeping each new one as the wait does, until pattern is on it."""
    deadline = time.monotonic() + HANG_S
    while True:
        shown = terminal.screen()
        if not terminal.screens or terminal.screens[-1][1] != shown:
            terminal.screens.append((None, shown))
        if re.search(pattern, shown, re.M):
            return shown
        assert time.monotonic() < deadline, f"never shown: {pattern!r}\n{shown}"
        time.sleep(0.2)


def test_the_typed_foreground_shows_two_lines_a_named_stage_then_ready(terminal, tmp_path):
    typed = typed_foreground(tmp_path)
    ship_the_way_in(tmp_path)
    terminal.type(typed)
    setup_writes(terminal, tmp_path, STAGES[:3])
    (tmp_path / "ready").touch()
    screen, _ = terminal.wait_for_prompt_after(timeout=HANG_S)
    promises = {p["expect"]: p for p in screen_promises(terminal, typed, STAGES)}
    assert all(p["ok"] for p in promises.values()), promises
    assert "Ready after" in screen
    # The typed `cd` carried over: the prompt after Ready is the shell's own, in the folder.
    terminal.type("pwd")
    tutorial = re.escape(str(tmp_path / "tutorial"))
    screen, _ = terminal.wait_for_prompt_after(re.compile(rf"^{tutorial}$", re.M),
                                               timeout=HANG_S)
    assert screen.splitlines()[-2] == str(tmp_path / "tutorial")
    # More than one screen was seen, and the waiting line named a stage on one of them.
    assert any("Setting up" in s and "installing" in s for _, s in terminal.screens)


def test_the_screen_promises_fail_on_a_dead_setup(terminal, tmp_path):
    typed = typed_foreground(tmp_path)
    ship_the_way_in(tmp_path)
    # A stand-in setup: it holds the lock, as the setup does, until it is killed; the
    # wait starts once it holds it, as on the VM.
    held = tmp_path / "held"
    setup = subprocess.Popen(["flock", str(tmp_path / "setup.lock"), "sh", "-c",
                              f'touch "{held}"; exec sleep infinity'], start_new_session=True)
    (tmp_path / "setup.pid").write_text(str(setup.pid))
    deadline = time.monotonic() + HANG_S
    while not held.exists():
        assert setup.poll() is None and time.monotonic() < deadline, "the lock was never held"
        time.sleep(0.1)
    terminal.type(typed)
    setup_writes(terminal, tmp_path, STAGES[:2])
    os.killpg(setup.pid, 9)
    setup.wait(timeout=HANG_S)
    screen, _ = terminal.wait_for_prompt_after(timeout=HANG_S)
    assert "The setup stopped without finishing" in screen
    promises = {p["expect"]: p for p in screen_promises(terminal, typed, STAGES)}
    assert not promises["Ready on the learner's screen"]["ok"]
    assert promises["at most two typed lines on the screen"]["ok"]


def test_a_long_foreground_breaks_the_two_line_promise(terminal, tmp_path):
    # Five typed lines that stay on the screen (no `clear` to wipe them).
    typed = "echo one\necho two\necho three\n" + typed_foreground(tmp_path).replace("clear; ", "")
    ship_the_way_in(tmp_path)
    (tmp_path / "ready").touch()
    (tmp_path / "setup.log").write_text("=== installing requirements.txt\n")
    terminal.type(typed)
    terminal.wait_for_prompt_after(timeout=HANG_S)
    promises = {p["expect"]: p for p in screen_promises(terminal, typed, STAGES)}
    assert not promises["at most two typed lines on the screen"]["ok"], promises


def test_the_typed_foreground_waits_for_a_late_way_in_then_goes_in(terminal, tmp_path):
    """The assets come after the scripts start: the terminal says it waits for them,
    then sources `tutorial` once it is there, and reaches Ready."""
    typed = typed_foreground(tmp_path)
    (tmp_path / "setup.log").write_text("=== installing requirements.txt\n")
    (tmp_path / "ready").touch()
    terminal.type(typed)
    until_shown(terminal, r"^Waiting for the tutorial's files")
    ship_the_way_in(tmp_path)
    screen, _ = terminal.wait_for_prompt_after(timeout=HANG_S)
    assert "Ready after" in screen, screen


def test_stranded_by_ctrl_c_then_source_tutorial_goes_in(terminal, tmp_path):
    typed = typed_foreground(tmp_path)
    ship_the_way_in(tmp_path)
    (tmp_path / "setup.log").write_text("=== installing requirements.txt\n")
    terminal.type(typed)
    until_shown(terminal, r"^Setting up \(")
    terminal.interrupt()
    until_shown(terminal, r"[#$]\Z")  # back at a prompt
    terminal.type("pwd")
    screen, _ = terminal.wait_for_prompt_after(AT_PWD, timeout=HANG_S, after="pwd")
    assert screen.splitlines()[-2] != str(tmp_path / "tutorial"), screen  # stranded
    terminal.type("source tutorial")
    # A second waiting line, below `source tutorial`, before the setup is Ready.
    until_shown(terminal, r"[#$] source tutorial\n(?:.*\n)*Setting up \(\d+s\): installing")
    (tmp_path / "ready").touch()
    screen, _ = terminal.wait_for_prompt_after(timeout=HANG_S, after="source tutorial")
    assert "Ready after" in screen.split("source tutorial")[-1], screen
    promises = {p["expect"]: p for p in screen_promises(terminal, typed, STAGES, waits=2)}
    assert all(p["ok"] for p in promises.values()), promises
    terminal.type("pwd")
    screen, _ = terminal.wait_for_prompt_after(AT_PWD, timeout=HANG_S, after="pwd")
    assert screen.splitlines()[-2] == str(tmp_path / "tutorial"), screen


def test_an_ubuntu_root_gets_universe_and_a_script_debootstrap_knows(tmp_path):
    from rehearsal.machine import UBUNTU_MIRROR, Root
    root = Root("noble", UBUNTU_MIRROR, None)
    try:
        command = root.debootstrap_command()
    finally:
        root.remove()
    assert "--components=main,universe" in command and "noble" in command
    script = Path("/usr/share/debootstrap/scripts")
    assert (script / "noble").exists() or command[-1] == str(script / "gutsy")
    debian = Root("trixie", "http://deb.debian.org/debian", None)
    try:
        assert not any(word.startswith("--components") for word in debian.debootstrap_command())
    finally:
        debian.remove()


def test_a_line_typed_ahead_and_echoed_twice_is_one_typed_line():
    # A slow shell: the terminal echoes the typed-ahead line, then the prompt shows it again.
    typed = "#!/usr/bin/env bash\nclear; source tutorial\n"
    screen = "clear; source tutorial\nroot@vm:/# clear; source tutorial\nSetting up (3s): x"
    assert typed_lines_seen(screen, typed) == 1
    assert typed_lines_seen(screen + "\nroot@vm:/# #!/usr/bin/env bash", typed) == 2
