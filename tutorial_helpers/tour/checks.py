"""A page's Check: its verify.sh, the very script Killercoda's Check button runs.

It runs in the tutorial's folder (TUTORIAL_DIR), with the tutorial's Python; it
passes when it exits 0. When it does not, what it printed is the reason, in the words
the page uses: the tour shows it as it is.
"""
import subprocess


class Verdict:
    def __init__(self, passed, said, stopped=False):
        self.passed, self.said, self.stopped = passed, said, stopped


def check(page, folder, env):
    """Run page.verify; its Verdict (stopped: Ctrl-C ended it first)."""
    process = subprocess.Popen(["bash", str(page.verify)], cwd=folder, env=env, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               stdin=subprocess.DEVNULL)
    try:
        out, err = process.communicate()
    except KeyboardInterrupt:  # the terminal's Ctrl-C reached verify.sh too
        process.kill()
        process.communicate()
        return Verdict(False, [], stopped=True)
    said = [line.rstrip() for line in (out + err).splitlines()
            if line.strip() and line.strip() != "done"]
    return Verdict(process.returncode == 0, said)
