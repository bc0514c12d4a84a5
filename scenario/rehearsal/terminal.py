"""The learner's terminal as Killercoda has it: an interactive bash on a pseudo-terminal
(a tmux pane), into which foreground.sh is typed line by line, and the screens it shows.

Killercoda types foreground.sh into the learner's shell: every line is echoed at a
prompt, a `cd` carries over, and a command that reads standard input would swallow the
lines typed after it. Here the same text is typed into the pane with `tmux send-keys`,
and the pane is read with `tmux capture-pane` (what the screen shows, cursor moves and
`\\r\\033[K` rewrites applied) until the wait's last line and a new prompt are there.
"""
import re
import shlex
import subprocess
import time

WIDTH, HEIGHT = 100, 30   # columns and rows of the pane
POLL_S = 0.5              # how often the screen is read while the wait runs
# The wait's last words (scenario/*/assets/tutorial, and foreground.sh's own when the
# assets never come): Ready, or what failed.
ENDED = re.compile(r"^(Ready after \d+s|The setup failed:|The setup stopped without finishing|"
                   r"The setup is still running after|The tutorial's files are not on this machine)", re.M)
PROMPT = re.compile(r"[#$]\s*$")
BROKEN = re.compile(r"command not found|No such file or directory|syntax error|Traceback")
WAITING = re.compile(r"^Setting up \((\d+)s\): (.*)$", re.M)


class Terminal:
    """A tmux server of its own (socket in `folder`) with one pane running `command`."""

    def __init__(self, command, folder, preexec_fn=None):
        self.socket = str(folder / "tmux.sock")
        self.tmux = ["tmux", "-S", self.socket]
        # The server forks from this client: it and the pane inherit preexec_fn's cgroup
        # and CPUs. No user config, no status line: the pane is the learner's screen.
        subprocess.run([*self.tmux, "-f", "/dev/null", "new-session", "-d", "-s", "learner",
                        "-x", str(WIDTH), "-y", str(HEIGHT), shlex.join(command)],
                       check=True, preexec_fn=preexec_fn)
        subprocess.run([*self.tmux, "set-option", "-g", "status", "off"], check=True)
        self.screens = []  # (seconds since typing began, screen), each different from the last

    def screen(self):
        shown = subprocess.run([*self.tmux, "capture-pane", "-p", "-J", "-t", "learner"],
                               capture_output=True, text=True).stdout
        return "\n".join(line.rstrip() for line in shown.splitlines()).strip("\n")

    def type(self, text):
        """Type text as Killercoda does: each line, then Enter."""
        for line in text.splitlines():
            if line:
                subprocess.run([*self.tmux, "send-keys", "-t", "learner", "-l", line], check=True)
            subprocess.run([*self.tmux, "send-keys", "-t", "learner", "Enter"], check=True)

    def interrupt(self):
        """Ctrl-C, as the learner presses it."""
        subprocess.run([*self.tmux, "send-keys", "-t", "learner", "C-c"], check=True)

    def look(self, started):
        """The screen now, kept in self.screens when it changed; (screen, seconds)."""
        shown, seconds = self.screen(), time.monotonic() - started
        if not self.screens or self.screens[-1][1] != shown:
            self.screens.append((round(seconds, 1), shown))
        return shown, seconds

    def watch(self, until, timeout, started):
        """Read the screen until until(screen) is true, for `timeout` seconds at most
        from now (screens are timed from `started`); (screen, whether until() held)."""
        deadline = time.monotonic() + timeout
        while True:
            shown, _ = self.look(started)
            if until(shown):
                return shown, True
            if time.monotonic() > deadline:
                return shown, False
            time.sleep(POLL_S)

    def wait_for_prompt_after(self, ended=ENDED, timeout=900, started=None, after=None):
        """Read the screen until `ended` matches and a prompt follows it; (screen, seconds).
        With `after`, only what the screen shows below the last line where it was typed
        at a prompt counts."""
        started = time.monotonic() if started is None else started
        while True:
            shown, seconds = self.look(started)
            below = shown
            if after is not None:
                lines = shown.splitlines()
                typed_at = re.compile(r"[#$] " + re.escape(after) + r"\s*$")
                last = max((i for i, line in enumerate(lines) if typed_at.search(line)),
                           default=None)
                below = "" if last is None else "\n".join(lines[last + 1:])
            found = ended.search(below)
            shown_all, shown = shown, below
            if found and PROMPT.search(shown[found.end():].strip("\n").splitlines()[-1]
                                       if shown[found.end():].strip() else ""):
                return shown_all, seconds
            if seconds > timeout:
                return shown_all, seconds
            time.sleep(POLL_S)

    def close(self):
        subprocess.run([*self.tmux, "kill-server"], stderr=subprocess.DEVNULL)


def typed_lines_seen(screen, typed):
    """How many of the typed lines the screen echoes (after a prompt). Each counts once:
    a line typed ahead of a busy shell is echoed twice, by the terminal and then by the
    shell's prompt, and is still one typed line."""
    lines = [line.strip() for line in typed.splitlines() if line.strip()]
    return len({line for shown in screen.splitlines() for line in lines
                if shown.rstrip().endswith(line)})


def screen_promises(terminal, typed, stages, waits=1):
    """What the learner's screen must show while foreground.sh runs, as promises:
    at most two typed lines on any screen, one waiting line at a time that names one of
    the setup's stages (not bare dots; one for each of `waits` waits, when the learner
    started it again), Ready at the end, and no shell error."""
    screens = [shown for _, shown in terminal.screens]
    final = screens[-1] if screens else ""
    most_typed = max((typed_lines_seen(s, typed) for s in screens), default=0)
    waiting_lines = max((len(WAITING.findall(s)) for s in screens), default=0)
    named = sorted({stage for s in screens for _, stage in WAITING.findall(s)
                    if any(stage and known.startswith(stage) for known in stages)})
    broken = sorted({m.group() for s in screens for m in BROKEN.finditer(s)})
    return [
        dict(expect="at most two typed lines on the screen", ok=most_typed <= 2,
             detail=f"at most {most_typed} typed line(s) seen on {len(screens)} screen(s)"),
        dict(expect="one waiting line that names the setup's stage" + (
                 f" (one per wait: {waits})" if waits > 1 else ""),
             ok=1 <= waiting_lines <= waits and bool(named),
             detail=f"{waiting_lines} waiting line(s) at most; stages named: {named[:6]}"),
        dict(expect="Ready on the learner's screen", ok=bool(re.search(r"^Ready after", final, re.M)),
             detail=final.splitlines()[-3:]),
        dict(expect="no shell error on the screen", ok=not broken, detail=f"{broken}")]
