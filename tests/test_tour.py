"""`python tour.py`, the course in any terminal, as a learner uses it.

- Every page of the course renders at 80 columns with none of Killercoda's markup
  left, and its command boxes are the page's boxes, in the page's order, as the
  rehearsal reads them (scenario/rehearsal/pages.py), but for the killercoda-only
  ones: the rehearsal still clicks those and holds their promises; the tour shows
  neither.
- Killercoda's markup is mapped or hidden on any page, not only today's wording.
- Through a pipe (no terminal): plain text; a broken progress file is said in one line
  and set aside; missing data is said with the command that fixes it; an interrupt
  box stops what an earlier box left running. Without the tutorial's Python, the
  README's first command is named.
- On a pseudo-terminal of 80 columns (tmux, as the rehearsal drives the learner's
  terminal): the whole first scenario, keys in and screens read. Its boxes run and
  their promises (`<!-- expect: ... -->`) hold on the tour's screen, judged by the
  rehearsal's own judge(); Checks fail with their reason, then pass; Ctrl-C stops a
  box and the page stays; quit, and the tour comes back to the same page.

The terminal shows a box's stdout and stderr as one: "no stderr" is the rehearsal's
to judge; here a traceback on the screen fails the test.
"""
import io
import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rich.console import Console

from conftest import OFFLINE_SITE, ROOT, needs_real_data

sys.path.insert(0, str(ROOT / "scenario"))
from rehearsal import terminal as rehearsal_terminal  # noqa: E402
from rehearsal.journey import judge, type_block  # noqa: E402
from rehearsal.pages import actions  # noqa: E402
from rehearsal.report import plain  # noqa: E402

from tutorial_helpers.tour import course, markup, render, setup  # noqa: E402

FIRST = ROOT / "scenario" / "first-model"
PROMPT = re.compile(r"(\[q\]uit|back to this page\)) >")
PROMPT_WAITING = re.compile(r"(\[q\]uit|back to this page\)) >$")
WIDTH = 80
QUIT = r"^Your place is kept: [\s\S]*^bash-\S+[#$]$"  # then the learner's shell again


def rendered(page, width=WIDTH):
    """The page as the tour draws it without a terminal, and its LocalPage."""
    _, scenarios = course.load(ROOT)
    local = markup.local_page(page.text.read_text(), course.vm_folder(scenarios), "/here",
                              "## On this computer\n\nReady.\n" if page.setup else None)
    console = Console(file=io.StringIO(), width=width, color_system=None)
    return "\n".join(render.page_lines(console, page, local)), local


ALL_PAGES = [page for scenario in course.load(ROOT)[1] for page in scenario.pages]


def runs(text):
    """(command, its promises) of each command box the rehearsal reads in text."""
    return [(item["command"], item["expects"]) for item in actions(text)
            if item["kind"] == "exec"]


def tour_runs(text):
    """runs() of the page as the tour shows it: no killercoda-only paragraph."""
    return runs(markup.hide_killercoda_only(text))


@pytest.mark.parametrize("page", ALL_PAGES, ids=[p.id for p in ALL_PAGES])
def test_every_page_renders_at_80_columns_with_its_boxes_in_order(page):
    text, local = rendered(page)
    for killercoda in ("{{exec", "{{copy", "{{TRAFFIC", "<!--", "```", "<details>", "<summary>"):
        assert killercoda not in text, f"{page.id}: {killercoda} left on the page"
    assert max(map(len, text.splitlines())) <= WIDTH
    source = page.text.read_text()
    shown, clicked = tour_runs(source), runs(source)
    theirs = [markup.folder_mapped(command, course.VM_FOLDER, "/here") for command, _ in shown]
    assert [box.code for box in local.of_kind("run")] == theirs
    # The boxes the tour hides are killercoda-only: gone with their promises; the other
    # boxes keep theirs, as the rehearsal clicks them.
    left = iter(clicked)
    assert all(box in left for box in shown), "a box's promises differ in the tour"
    for command, _ in clicked:
        if command not in dict(shown):
            assert command not in text, f"{page.id}: killercoda-only {command!r} shown"
    console = Console(file=io.StringIO(), width=WIDTH, color_system=None)
    folded = "\n".join(line for fold in local.of_kind("fold")
                       for line in render.fold_lines(console, fold, local))
    for box in local.boxes.values():  # each box shows its number, on the page or in its fold
        assert re.search(rf"^[^\w\n]*box {box.number} ", text + "\n" + folded, re.M), \
            f"{page.id}: box {box.number}"
        assert box.kind != "fold" or box.title in text
    if page.setup:  # the Killercoda machine's set-up gives way to this computer's
        assert "On this computer" in text and "expect foreground" not in text


def colour_codes(drawn):
    """The colour parameters (30 and above) of the SGR escape codes Rich wrote."""
    return [n for params in re.findall(r"\x1b\[([\d;]*)m", drawn)
            for n in params.split(";") if n and int(n) >= 30]


@pytest.mark.parametrize("no_color", [False, True])
def test_no_color_in_a_terminal_means_no_colour(no_color, monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    page = ALL_PAGES[1]
    _, local = rendered(page)
    console = Console(file=io.StringIO(), width=WIDTH, force_terminal=True,
                      color_system="256")
    drawn = "\n".join(render.page_lines(console, page, local))
    assert "\x1b[" in drawn  # bold and the like stay
    assert bool(colour_codes(drawn)) is not no_color


def test_killercoda_markup_is_mapped_whatever_the_wording(tmp_path):
    page = """# A page

## While you read

The machine is being set up.

<!-- expect foreground: ^Ready -->

## Try it

The tutorial lives in `fashion-mnist-tutorial`; open a new terminal tab there.
One click writes the rest.
**Click the box** below, in the terminal beside this text: it runs
`python step1.py`{{exec}}, then

```
cd ~/fashion-mnist-tutorial
tensorboard --logdir logs &
```{{exec interrupt}}
<!-- expect: ^Ready -->

Open **[TensorBoard]({{TRAFFIC_HOST1_6006}})** and the file in the **Editor** tab (on the
left). Press **Check** below.

This sentence is only for Killercoda. <!-- killercoda-only -->

<!-- killercoda-only -->
Neither is this one.

<!-- killercoda-only: only that machine has it -->
Stranded? `source tutorial`{{exec}}

<!-- expect: ^Ready after -->

<details>
<summary>The answer</summary>

```python
x = 1
```{{copy}}

</details>

## What to try next

Press **Start**.
"""
    local = markup.local_page(page, course.VM_FOLDER, "/here", "## On this computer\n\nOK.\n")
    text = local.markdown
    assert "While you read" not in text and "being set up" not in text
    assert text.index("## On this computer") < text.index("## Try it")
    assert "lives in `here`; open a new terminal there.\nOne box writes the rest." in text
    assert "**Type the box's number** below, in this terminal" in text
    assert "`python step1.py` (box 1)" in text
    assert [(b.number, b.kind, b.interrupt) for b in local.boxes.values()] == [
        (1, "run", False), (2, "run", True), (3, "fold", False), (4, "copy", False)]
    assert local.boxes[2].code == "cd /here\ntensorboard --logdir logs &"
    assert "[TensorBoard](http://localhost:6006)" in text
    assert "the file in your editor. Press **c** (Check)." in text
    assert "only for Killercoda" not in text and "Neither" not in text
    # A killercoda-only box: the rehearsal still clicks it and holds its promise; the
    # tour hides both, and the boxes around it keep their numbers and promises.
    assert ("source tutorial", [("regex", "^Ready after")]) in runs(page)
    assert runs(markup.hide_killercoda_only(page)) == [
        ("python step1.py", []),
        ("cd ~/fashion-mnist-tutorial\ntensorboard --logdir logs &", [("regex", "^Ready")])]
    assert "source tutorial" not in text and "Stranded" not in text
    assert local.boxes[3].title == "The answer" and "x = 1" in local.boxes[3].markdown
    assert "x = 1" not in text  # folded until its number is typed
    assert "Press **n** (next page)." in text
    assert "<!--" not in text and "{{" not in text


# --- a copy of the tutorial, and the tour run in it ------------------------------------

@pytest.fixture
def project(tmp_path):
    """The tutorial as a learner has it after the README's first command: the first
    scenario's files, and the tutorial's Python as .venv (this test's own)."""
    folder = tmp_path / "tutorial"
    folder.mkdir()
    for name in ("tour.py", "step1.py", "step2.py", "check.py", "README.md", "requirements.txt"):
        shutil.copy(ROOT / name, folder)
    skip = shutil.ignore_patterns("__pycache__", "rehearsal*")
    for name in ("tutorial_helpers", "exercises", "scenario"):
        shutil.copytree(ROOT / name, folder / name, symlinks=True, ignore=skip)
    if sys.prefix != sys.base_prefix:
        (folder / ".venv").symlink_to(sys.prefix)
    (tmp_path / "home").mkdir()
    return folder


def tour_env(project, **more):
    """A learner's environment: a private HOME and Keras folder (the real data from
    the system's package, when it is there), no network."""
    env = dict(HOME=str(project.parent / "home"), KERAS_HOME=str(project.parent / "keras"),
               LANG="C.UTF-8", PATH=f"{Path(sys.executable).parent}:/usr/bin:/bin",
               PYTHONPATH=f"{OFFLINE_SITE}:{project}")
    env.update(more)
    return env


def tour_through_a_pipe(project, keys, **env):
    return subprocess.run([sys.executable, "tour.py"], cwd=project, input=keys, text=True,
                          capture_output=True, env=tour_env(project, **env), timeout=120)


def test_without_a_terminal_plain_text_and_a_broken_progress_file_set_aside(project):
    (project / ".tour-state.json").write_text('{"at": "first-model/step2", ')
    result = tour_through_a_pipe(project, "m\n\nq\n", NO_COLOR="1",
                                 TEST_SYSTEM_DATA_DIR=str(project / "no-data"))
    assert result.returncode == 0 and result.stderr == "", result.stderr
    out = result.stdout
    assert "\x1b" not in out and "Traceback" not in out
    said = [line for line in out.splitlines() if "progress file" in line]
    assert said == ["Your progress file was not valid JSON: set aside as .tour-state.json.broken."]
    assert (project / ".tour-state.json.broken").read_text().startswith('{"at"')
    # Afresh: the first page, whole (no paging in a pipe), then the menu.
    assert "1.1 Introduction · lines 1-" in out and "Step 1: look at the data" in out
    assert "Fashion-MNIST is not on this computer yet" in out
    assert "sudo apt install dataset-fashion-mnist" in out
    assert json.loads((project / ".tour-state.json").read_text())["at"] == "first-model/intro"
    # A file that is JSON but not the tour's is set aside too.
    (project / ".tour-state.json").write_text('["something", "else"]')
    again = tour_through_a_pipe(project, "q\n")
    assert "Your progress file was not the tour's: set aside as .tour-state.json.broken." \
        in again.stdout.splitlines()
    assert again.returncode == 0 and "Traceback" not in again.stdout + again.stderr


def test_an_interrupt_box_stops_what_an_earlier_box_left_running(project):
    demo = project / "scenario" / "demo"
    (demo / "intro").mkdir(parents=True)
    (project / "scenario" / "structure.json").write_text(json.dumps(
        dict(title="Demo", items=[dict(path="demo")])))
    (demo / "index.json").write_text(json.dumps(dict(title="A demo", details=dict(
        intro=dict(title="Intro", text="intro/text.md"), steps=[],
        finish=dict(title="End", text="intro/text.md")))))
    (demo / "intro" / "text.md").write_text(
        "# Demo\n\n```\nsleep 600 & echo started $!\n```{{exec}}\n\n"
        "```\necho after\n```{{exec interrupt}}\n")
    result = tour_through_a_pipe(project, "1\n2\nq\n")
    out = result.stdout
    pid = int(re.search(r"^started (\d+)$", out, re.M).group(1))
    assert "box 1 left something running in the background" in out
    assert "Stopped what was running: sleep 600 & echo started $!" in out
    assert re.search(r"^after$", out, re.M) and "box 2 done" in out
    stat = Path(f"/proc/{pid}/stat")
    assert not stat.exists() or stat.read_text().rsplit(")", 1)[1].split()[0] == "Z"


def test_without_the_tutorials_python_it_names_the_readme_command(project):
    python = shutil.which("python3", path="/usr/bin:/bin")
    if not python or subprocess.run([python, "-c", "import rich"],
                                    capture_output=True).returncode == 0:
        pytest.skip("needs a python3 without Rich in /usr/bin")
    (project / ".venv").unlink(missing_ok=True)
    result = subprocess.run([python, "tour.py"], cwd=project, capture_output=True, text=True,
                            env=dict(HOME=str(project.parent / "home"), PATH="/usr/bin:/bin"))
    assert result.returncode == 1 and result.stdout == ""
    readme = re.search(r"^```sh\n(.+?)\n```", (ROOT / "README.md").read_text(), re.M | re.S)
    assert result.stderr.splitlines()[-1].strip() == readme.group(1).strip()
    assert "Traceback" not in result.stderr


# --- on a pseudo-terminal ----------------------------------------------------------------

class Learner:
    """The tour on a tmux pane of 80 columns, typed into as a learner does."""

    def __init__(self, terminal):
        self.terminal = terminal

    def tmux(self, command, *words):
        return subprocess.run([*self.terminal.tmux, command, "-t", "learner", *words],
                              capture_output=True, text=True).stdout

    def everything(self, joined=True):
        """The pane's history and screen, wrapped lines joined (or not)."""
        shown = self.tmux("capture-pane", "-p", "-S", "-", *(["-J"] if joined else []))
        return "\n".join(line.rstrip() for line in shown.splitlines()).strip("\n")

    def wait(self, pattern, timeout=900):
        """The screen, once pattern is on it (the timeout only turns a hang into a failure)."""
        deadline = time.monotonic() + timeout
        while True:
            screen = self.terminal.screen()
            if re.search(pattern, screen, re.M):
                return screen
            assert time.monotonic() < deadline, f"never saw {pattern!r}; the screen:\n{screen}"
            time.sleep(0.3)

    def type(self, line):
        """line and Enter (Enter alone for an empty line)."""
        if line:
            self.terminal.type(line)
        else:
            self.tmux("send-keys", "Enter")

    def press(self, line, timeout=600):
        """Type line and Enter at the tour's prompt; what it showed, once it asks again."""
        self.tmux("clear-history")
        before = len(PROMPT.findall(self.everything()))
        self.type(line)
        deadline = time.monotonic() + timeout
        while True:
            shown = self.everything()
            last = shown.splitlines()[-1] if shown else ""
            if len(PROMPT.findall(shown)) > before and PROMPT_WAITING.search(last):
                return shown
            assert time.monotonic() < deadline, f"no prompt after {line!r}:\n{shown[-3000:]}"
            time.sleep(0.3)

    def read_page(self):
        """The page from its top to its end, a screenful at a time."""
        seen = self.press("r", timeout=60)
        while True:
            where = re.findall(r" · lines \d+-(\d+) of (\d+)", seen)[-1]
            if where[0] == where[1]:
                return seen
            seen += "\n" + self.press("", timeout=60)


def after(screen, header):
    """What the screen shows below the last line that starts with header."""
    return screen[screen.rindex("\n" + header) + 1:]


def box_output(shown, number):
    """(exit code, output) of box `number`, as the screen shows it."""
    start = shown.rindex(f"\nbox {number} · Ctrl-C stops it ─")
    end = re.compile(rf"^box {number} (done|ended with exit code (-?\d+)|stopped by Ctrl-C) ─",
                     re.M).search(shown, start)
    assert end, shown[start:]
    body = shown[start:end.start()].split("\n", 2)[2]  # below the rule and the $ line(s)
    body = "\n".join(line for line in body.split("\n") if not line.startswith("$ "))
    code = 0 if end.group(1) == "done" else int(end.group(2)) if end.group(2) else 130
    return code, body


@pytest.fixture
def learner(tmp_path, project, monkeypatch):
    monkeypatch.setattr(rehearsal_terminal, "WIDTH", WIDTH)
    env = tour_env(project, TERM="xterm-256color")
    command = ["env", "-i", *[f"{k}={v}" for k, v in env.items()],
               "bash", "--norc", "--noprofile", "-i"]
    terminal = rehearsal_terminal.Terminal(command, tmp_path)
    terminal.type(f"cd {project}")
    yield Learner(terminal)
    terminal.close()


def run_boxes(learner, page, project, local, numbers=None):
    """Run the page's command boxes (those numbered `numbers`, else all) by their
    numbers, each judged as the rehearsal judges a click. The clicks."""
    shown = actions(markup.hide_killercoda_only(page.read_text()))  # as the tour shows it
    clicks, boxes = [], dict(zip([b.number for b in local.of_kind("run")],
                                 [i for i in shown if i["kind"] == "exec"]))
    for number, item in boxes.items():
        if numbers is not None and number not in numbers:
            continue
        shown = learner.press(str(number))
        assert "Traceback" not in shown, shown
        code, out = box_output(shown, number)
        command = markup.folder_mapped(item["command"], course.VM_FOLDER, str(project))
        assert "\n".join(f"$ {line}" for line in command.splitlines()) in shown
        if "activate" in command:  # the page's venv, said the tour's way: every box has it
            assert (f"Here every box runs in {project} with the tutorial's Python already"
                    in re.sub(r"\s+", " ", shown)), shown
        click = dict(kind="exec", command=item["command"], exit=code, full_stdout=out,
                     full_stderr="", after_edit=False)
        clicks.append(click)
        # venv-active asks the rehearsal's shell for its prompt: the tour has none, its
        # boxes have the tutorial's Python (asserted on its own below).
        expects = [e for e in item["expects"] if e != ("check", "venv-active")]
        judge(click, expects, dict(page=clicks, out=lambda c: plain(c["full_stdout"]),
                                   probe=lambda command: probe(project, command)))
        broken = [p for p in click["promises"] if not p["ok"]]
        assert not broken, f"box {number} ({item['command']}): {broken}\n{out}"
    return clicks


def probe(project, command):
    """A named check's look at the learner's side: command run as the tour runs a box."""
    env = tour_env(project, TUTORIAL_DIR=str(project))
    env["PATH"] = f"{setup.python_folder(project)}:{env['PATH']}"  # as the tour's boxes have it
    return subprocess.run(["bash", "-c", command], cwd=project, env=env, text=True,
                          capture_output=True, timeout=60).stdout


def local_of(project, page_id):
    _, scenarios = course.load(project)
    page = next(p for s in scenarios for p in s.pages if p.id == page_id)
    return page, markup.local_page(page.text.read_text(), course.vm_folder(scenarios),
                                   str(project), "" if page.setup else None)


@pytest.mark.skipif(not shutil.which("tmux"), reason="needs tmux")
@needs_real_data
def test_a_learner_takes_the_first_scenario_through_the_tour(learner, project):
    intro = learner.press(f"{sys.executable} tour.py")
    assert "The course in this terminal" in intro
    assert learner.terminal.screen().splitlines()[-2].startswith("1.1 Introduction · lines 1-")
    page = learner.read_page()
    assert "On this computer" in page and "Ready." in page
    assert f"in {project}," in re.sub(r"\s+", " ", page)
    for killercoda in ("{{", "<!--", "```", "Setting up"):
        assert killercoda not in page
    # At 80 columns nothing the tour draws is wrapped by the terminal.
    assert learner.everything(joined=False) == learner.everything()

    # Step 1: its Check says what is missing; every box runs, and keeps its promises.
    learner.press("n")
    assert learner.terminal.screen().splitlines()[-2].startswith("1.2 Step 1: look at the data")
    step1, local = local_of(project, "first-model/step1")
    shown = learner.press("c")
    assert "Check: not yet." in shown and "step1" in after(shown, "Check: not yet.")
    run_boxes(learner, step1.text, project, local)
    if sys.prefix != sys.base_prefix:  # the boxes' python is the tutorial's .venv
        shown = learner.press("!command -v python")
        assert re.search(rf"^\$ command -v python\n{re.escape(str(project))}/\.venv/bin/python$",
                         shown, re.M), shown
    assert "Check passed: Step 1" in learner.press("c")
    fold = local.of_kind("fold")[0]
    opened = learner.press(str(fold.number))
    first_line = next(line for line in fold.markdown.splitlines() if line.strip())
    assert first_line.split()[0] in after(opened, f"box {fold.number}: {fold.title}")

    # Step 2: the learner's file, one block copied in; the Check fails with its
    # reason, in the page's words; with the answer in, it passes.
    learner.press("n")
    step2, local = local_of(project, "first-model/step2")
    items = actions(step2.text.read_text())
    runs = local.of_kind("run")
    start = next(b.number for b in runs if b.code == "python exercises/step2.py")
    run_boxes(learner, step2.text, project, local, numbers=[start])
    typed = next(i for i in items if i["kind"] == "type")  # the first block to write
    model = next(b for b in local.of_kind("copy") if b.code == typed["code"].rstrip("\n"))
    shown = learner.press(str(model.number))
    copied = after(shown, f"box {model.number}, ready to copy").split("\n")[1:]
    copied = "\n".join(copied[:copied.index(next(l for l in copied
                                                 if l.startswith(f"end of box {model.number}")))])
    assert copied == typed["code"].rstrip("\n")  # exactly the page's block, nothing else

    class Here:  # the rehearsal types the block into the learner's file, below its label
        def probe(self, command):
            return str(project)

        def inside(self, path):
            return Path(path)
    assert type_block(dict(typed, code=copied + "\n"), Here(), Here())["ok"]
    first_check = next(b.number for b in runs if b.code == "python check.py 2")
    run_boxes(learner, step2.text, project, local, numbers=[first_check])
    shown = learner.press("c")
    reason = after(shown, "Check: not yet.")
    assert "Next: add compile()" in reason, reason
    learner.press("!cp exercises/answers/step2.py exercises/step2.py")
    assert "Check passed: Step 2" in learner.press("c", timeout=1200)

    # Ctrl-C stops a training box; the tour and its page are still there.
    training = next(b for b in local.of_kind("run") if b.code == "python step2.py")
    learner.terminal.type(str(training.number))
    learner.wait(r"^Epoch 1/")
    learner.tmux("send-keys", "C-c")
    learner.wait(rf"^box {training.number} stopped by Ctrl-C ─")
    learner.wait(PROMPT_WAITING.pattern)

    # Quit, come back: the same page.
    learner.terminal.type("q")
    learner.wait(QUIT)
    again = learner.press(f"{sys.executable} tour.py")
    assert "Back where you left off: 1.3 Step 2" in again
    assert learner.terminal.screen().splitlines()[-2].startswith("1.3 Step 2")
    learner.press("n")
    menu = learner.press("m")
    states = dict(re.findall(r"^\s*>?\s+(\d\.\d)\s.*?\s{2,}(not started|visited|Check passed)$",
                             menu, re.M))
    assert states == {**{page.number: "not started" for page in ALL_PAGES},
                      "1.1": "visited", "1.2": "Check passed", "1.3": "Check passed",
                      "1.4": "visited"}
    learner.press("")
    learner.terminal.type("q")
    learner.wait(QUIT)
