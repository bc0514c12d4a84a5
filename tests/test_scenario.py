"""The Killercoda course in scenario/: its text must never drift from the code.

- structure.json lists the course's scenarios, folders that exist; each scenario's
  index.json parses and names files that exist; each scenario has its own setup
  (intro background and foreground, the wait asset), byte-identical to first-model's;
  each intro says how long it takes and that a free session lasts one hour; every
  step script is taught by a page, in order (pages that run no step script, such as
  tensorboard/, may sit between them); page names are unique in the course.
- Shell scripts pass `bash -n`; the markdown uses only Killercoda's actions.
- Every command the text runs with {{exec}} is one the project supports: the step
  script exists and takes those flags and values (its real --help says so);
  `tensorboard` runs quietly in the background, with flags its --help lists, on
  the logs the steps write and on the port the page links to.
- Killercoda's port links, [text]({{TRAFFIC_HOST1_PORT}}), only in markdown links.
- Every `<!-- expect: REGEX -->` after a command box is a valid regex.
- Every python snippet marked `<!-- from stepN.py -->` is in that script
  (whitespace aside); a snippet marked `<!-- edit of stepN.py -->` differs from a
  piece of that script only in its numbers.
- Every number the text shows that code computes is recomputed here: softmax, ReLU
  and Flatten with real Keras, arithmetic such as `28 × 28 = 784` with Python, data
  set sizes and default epochs from the code, accuracies and times from the
  benchmark's bench/results.json (median) within ACCURACY_TOLERANCE and
  TIME_TOLERANCE. A number that looks measured (0.87, 12%, 30 seconds, 500 MB)
  but is not checked in one of these ways fails the test.
- Each verify script fails in a clean folder and prints `done` after its step ran
  (on generated data); the background script is run with stand-ins for apt-get,
  git and python3 to check its markers, its log and that a second run is harmless.
"""
import json
import math
import os
import re
import shlex
import subprocess
import sys
import time
from pathlib import Path

from importlib.machinery import SourceFileLoader
from importlib.util import module_from_spec, spec_from_loader

import pytest

from conftest import HANG_S, ROOT
from docs_pages import DOCS, relative

SCENARIO = ROOT / "scenario"  # the course: structure.json and one folder per scenario
sys.path.insert(0, str(SCENARIO))  # scenario/rehearse's package: the one reader of the pages
from rehearsal import pages as rehearsal_pages  # noqa: E402
from rehearsal.checks import CHECKS  # noqa: E402
STRUCTURE = json.loads((SCENARIO / "structure.json").read_text())
SCENARIOS = rehearsal_pages.course(SCENARIO)
INDEXES = {name: json.loads((SCENARIO / name / "index.json").read_text()) for name in SCENARIOS}
# Every scenario has the same setup and ships the tutorial's files as assets (Killercoda
# copies only files of the scenario's own folder): scenario/pack writes them all, from
# first-model's setup and the tree.
PACK = module_from_spec(spec_from_loader("pack", SourceFileLoader("pack", str(SCENARIO / "pack"))))
PACK.__spec__.loader.exec_module(PACK)
SETUP = SCENARIO / PACK.SOURCE
BENCH_RESULTS = ROOT / "bench" / "results.json"
REHEARSAL = SCENARIO / "rehearsal.json"
# Which recorded report a tag's numbers come from: <!-- bench: ... --> or <!-- rehearsal: ... -->.
REPORTS = {"bench": BENCH_RESULTS, "rehearsal": REHEARSAL}

# How close a number quoted in the text must be to the benchmark's median.
ACCURACY_TOLERANCE = 0.005  # absolute, for *_accuracy fields
TIME_TOLERANCE = 0.15       # relative, for times (*_s) and memory (*_mb)

# Code actions Killercoda knows. Katacoda-only syntax has no effect there.
KILLERCODA_ACTIONS = {"{{exec}}", "{{exec interrupt}}", "{{copy}}", "{{}}"}
# Killercoda's links to a port of the machine, used as a markdown link's target:
# [text]({{TRAFFIC_HOST1_6006}}), and [text]({{TRAFFIC_SELECTOR}}) for the list of
# ports. Documented by Killercoda's own examples: github.com/killercoda/
# scenario-examples, network-traffic/step1.md. The service must listen on all
# interfaces, over HTTP.
TRAFFIC_LINK = re.compile(r"\{\{TRAFFIC_HOST1_(\d+)\}\}|\{\{TRAFFIC_SELECTOR\}\}")
KATACODA_ONLY = ["{{execute", "{{open}}", "data-filename", "data-target", "{{copy T"]


# The pages, scenario by scenario in index.json's order, as scenario/rehearse reads
# them: each named after its folder (step1, ..., tensorboard), the intro and finish
# after their scenario's (first-model/intro), with its index.json entries. A page that
# index.json names but that is not written yet fails test_every_file_index_json_names_exists
# only; the other tests read the pages there are.
COURSE_PAGES = rehearsal_pages.course_pages(SCENARIO)
PAGES_BY_NAME = {page["name"]: page for page in COURSE_PAGES}
PAGES = [(name, page["text"]) for name, page in PAGES_BY_NAME.items() if page["text"].is_file()]
# Every page with a Check button, and among them those that teach a stepN.py.
STEP_PAGES = [(name, path) for name, path in PAGES
              if not name.endswith(tuple(f"/{p}" for p in rehearsal_pages.SHARED_PAGES))]


def read(path):
    return Path(path).read_text()


def taught_script(path):
    """The step script a page teaches: stepN.py for the page in folder stepN; None for
    a page that teaches none (TensorBoard's)."""
    folder = Path(path).parent.name
    return folder if re.fullmatch(r"step\d+", folder) and (ROOT / f"{folder}.py").is_file() \
        else None


# (page, text path, script) of every page that teaches a stepN.py.
SCRIPT_PAGES = [(name, path, taught_script(path)) for name, path in STEP_PAGES
                if taught_script(path)]


# --- markdown parsing --------------------------------------------------------

# Fenced blocks and their `<!-- from / edit of FILE -->` markers are read as the
# rehearsal reads them; INLINE finds any inline action, not only {{exec}}.
FENCE, MARKER = rehearsal_pages.FENCE, rehearsal_pages.MARKER
INLINE = re.compile(r"(?<!`)`([^`\n]+)`(?!`)(\{\{[^}\n]*\}\})?")


def blocks(text):
    """Fenced blocks: dicts with lang, body, action, marker ((kind, file) or None), span."""
    found = []
    for match in FENCE.finditer(text):
        before = text[:match.start()].rstrip("\n").splitlines()
        marker = MARKER.search(before[-1]) if before else None
        found.append(dict(lang=match.group(1), body=match.group(2),
                          action=match.group(3), span=match.span(),
                          marker=marker.groups() if marker else None))
    return found


def exec_commands(text):
    """Every shell command line the page runs with {{exec}}."""
    commands = []
    for block in blocks(text):
        if block["action"] and block["action"].startswith("{{exec"):
            commands += [line.strip() for line in block["body"].splitlines() if line.strip()]
    outside = blank_blocks(text, lambda block: True)
    commands += [m.group(1).strip() for m in INLINE.finditer(outside)
                 if m.group(2) and m.group(2).startswith("{{exec")]
    return commands


def blank_blocks(text, which):
    """text with the chosen fenced blocks replaced by spaces (offsets kept)."""
    for block in blocks(text):
        if which(block):
            start, end = block["span"]
            text = text[:start] + re.sub(r"[^\n]", " ", text[start:end]) + text[end:]
    return text


def squash(code):
    return re.sub(r"\s+", "", code)


ALL_EXEC = [(name, command) for name, path in PAGES for command in exec_commands(read(path))]
ALL_SNIPPETS = [(name, block) for name, path in PAGES for block in blocks(read(path))
                if block["lang"] == "python"]


# --- index.json and the scripts -----------------------------------------------

def test_structure_json_lists_the_scenario_folders():
    assert STRUCTURE["title"] and STRUCTURE["description"]
    assert SCENARIOS == [item["path"] for item in STRUCTURE["items"]] and len(SCENARIOS) >= 2
    for name in SCENARIOS:
        assert (SCENARIO / name / "index.json").is_file(), name
    # Killercoda ignores a folder that structure.json does not list: there is none.
    folders = {p.name for p in SCENARIO.iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert folders - {"rehearsal"} == set(SCENARIOS)
    # (scenario/rehearse, its package and its report are the rehearsal's, not Killercoda's.)
    assert {p.name for p in SCENARIO.iterdir() if p.is_file()} == {
        "structure.json", "rehearse", "rehearsal.json", "pack"}


@pytest.mark.parametrize("name", SCENARIOS)
def test_index_json_has_the_killercoda_shape(name):
    index = INDEXES[name]
    assert index["title"] and index["description"]
    assert index["backend"]["imageid"] == "ubuntu"
    details = index["details"]
    for part in ("intro", "finish"):
        assert details[part]["text"].endswith(".md")
    for step in details["steps"]:
        assert step["title"] and step["text"].endswith(".md") and step["verify"]
    assert details["intro"]["background"] and details["intro"]["foreground"]
    # Each scenario's setup, from its own folder: Killercoda runs nothing from outside it.
    assert [details["intro"]["background"], details["intro"]["foreground"]] == PACK.COPIED[:2]
    assert details["assets"]["host01"] == PACK.ASSETS


def test_every_step_script_is_taught_in_order():
    scripts = sorted(p.stem for p in ROOT.glob("step*.py"))
    assert scripts == [f"step{i}" for i in range(1, len(scripts) + 1)]
    taught = list(dict.fromkeys(script for _, _, script in SCRIPT_PAGES))
    assert taught == scripts


def test_page_names_are_unique_in_the_course():
    names = [page["name"] for page in COURSE_PAGES]
    assert len(names) == len(set(names)), names


@pytest.mark.parametrize("name", SCENARIOS)
def test_every_file_index_json_names_exists(name):
    def names(entry):
        return [v for k, v in entry.items() if k in ("text", "background", "foreground", "verify")]
    details = INDEXES[name]["details"]
    entries = [details["intro"], *details["steps"], details["finish"]]
    named = [file for entry in entries for file in names(entry)]
    named += [f"assets/{asset['file']}" for asset in details.get("assets", {}).get("host01", [])]
    folder = SCENARIO / name
    assert [file for file in named if not (folder / file).is_file()] == []
    # ... and nothing in the folder is left unused.
    present = {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}
    assert present - {"index.json"} == set(named)


def test_the_shipped_assets_are_the_tree_packed_as_it_is_now():
    """Each scenario's assets, its copied setup and its index.json's asset list are
    byte for byte what scenario/pack makes from the tree: an edit of step2.py, a
    verify.sh or first-model's setup that is not packed again fails here."""
    stale = PACK.stale()
    assert stale == [], (f"{', '.join('scenario/' + p for p in stale)} differ from the tree: "
                         "run  python3 scenario/pack  and commit what it writes")


def test_the_archive_holds_what_the_learner_runs_and_nothing_of_the_maintainers():
    import tarfile
    with tarfile.open(SETUP / "assets" / "tutorial.tar") as tar:
        names = set(tar.getnames())
        for member in tar.getmembers():  # no absolute path nor .. can land outside the folder
            assert not member.name.startswith("/") and ".." not in Path(member.name).parts
            assert member.isfile() or member.isdir() or (
                member.issym() and not member.linkname.startswith("/")), member.name
    for file in ["check.py", "requirements.txt", "tutorial_helpers/__init__.py",
                 "exercises/step2.py", "exercises/answers/step2.py", "exercises/tutorial_helpers"]:
        assert file in names, file
    assert {f"step{i}.py" for i in range(1, 7)} <= names
    for name, page in PAGES_BY_NAME.items():  # the pages say `bash scenario/.../verify.sh`
        if page["verify"]:
            assert f"scenario/{page['scenario']}/{page['verify']}" in names, name
    assert not any(n.split("/")[0] in ("tests", "bench", "docs", ".ci") for n in names)
    assert not any(n.startswith("scenario/rehearsal") or "__pycache__" in n for n in names)


# Katacoda's limit per asset file (Killercoda's lineage; no Killercoda figure was found).
ASSET_LIMIT = 9 * 1024 * 1024


def test_each_asset_fits_killercoda_s_limit():
    for name in SCENARIOS:
        for asset in (SCENARIO / name / "assets").iterdir():
            assert asset.stat().st_size < ASSET_LIMIT, f"{name}/assets/{asset.name}"


def test_folder_names_are_the_slugs_of_the_course_s_addresses():
    """killercoda.com/PROFILE/course/scenario/NAME: lowercase, digits and hyphens."""
    slug = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
    assert slug.fullmatch(SCENARIO.name)
    for name in SCENARIOS:
        assert slug.fullmatch(name), name


# A placeholder left in what Killercoda publishes: an address to fill in, a to-do.
PLACEHOLDER = re.compile(rb"YOUR[-_]ACCOUNT|your-fork|example\.(com|org)|\bTODO\b|\bFIXME\b|"
                         rb"\bXXX\b|CHANGE[-_ ]?ME|<your[ -]", re.I)


def test_no_placeholder_in_the_course_nor_in_what_it_ships():
    import tarfile
    found = []
    for path in sorted(SCENARIO.rglob("*")):
        if path.is_file() and "rehearsal" not in path.relative_to(SCENARIO).parts[0] \
                and path.suffix != ".tar":
            found += [f"{path.relative_to(ROOT)}: {m.group().decode()}"
                      for m in PLACEHOLDER.finditer(path.read_bytes())]
    for name in SCENARIOS:
        with tarfile.open(SCENARIO / name / "assets" / "tutorial.tar") as tar:
            for member in tar.getmembers():
                if member.isfile():
                    found += [f"{name}/assets/tutorial.tar:{member.name}: {m.group().decode()}"
                              for m in PLACEHOLDER.finditer(tar.extractfile(member).read())]
    assert found == []


def test_the_placeholder_test_would_find_the_old_clone_address():
    assert PLACEHOLDER.search(b'REPO_URL="https://github.com/YOUR-ACCOUNT/x.git"')
    assert PLACEHOLDER.search(b"# TODO: set this") and PLACEHOLDER.search(b"http://example.com/")
    assert not PLACEHOLDER.search(b"todos, examples")


@pytest.mark.parametrize("name", SCENARIOS)
def test_each_intro_says_how_long_it_takes_and_that_a_session_lasts_an_hour(name):
    text = read(SCENARIO / name / INDEXES[name]["details"]["intro"]["text"])
    assert re.search(r"\bfree Killercoda\s+session\s+ends after one hour", text), name
    assert re.search(r"\d+ minutes <!-- rehearsal: [\w-]+\.estimated_min -->", text), name
    assert re.search(r"stands? alone|fresh machine", text), name


@pytest.mark.parametrize("script", sorted(SCENARIO.rglob("*.sh")),
                         ids=lambda p: str(p.relative_to(SCENARIO)))
def test_shell_script_passes_bash_n(script):
    result = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert read(script).startswith("#!/usr/bin/env bash\n")


def defaults(script):
    """The NAME="${NAME:-value}" defaults a shell script sets."""
    return dict(re.findall(r'^(\w+)="\$\{\1:-([^}]*)\}"', read(script), re.M))


# The setup is an asset (so that `source tutorial` can run it again); intro/background.sh
# waits for it and runs it. `source tutorial`, an asset too, is the wait and the way in.
SETUP_SCRIPT = SETUP / "assets" / "tutorial-setup.sh"
TUTORIAL = SETUP / "assets" / "tutorial"
BACKGROUND = SETUP / "intro" / "background.sh"
SHARED = ("TUTORIAL_FILES", "SETUP_LOG", "READY_MARKER", "FAILED_MARKER", "SETUP_PID", "SETUP_LOCK")


def test_the_scripts_agree_on_folder_and_markers():
    setup, background, waiting = defaults(SETUP_SCRIPT), defaults(BACKGROUND), defaults(TUTORIAL)
    for name in ("TUTORIAL_DIR", *SHARED):
        assert waiting[name] == setup[name], name
    for name in (*SHARED, "ASSET_TIMEOUT"):
        assert background[name] == setup[name], name
    # Where index.json's assets put the setup and the archive is where the scripts look.
    targets = {asset["file"]: asset["target"] for asset in PACK.ASSETS}
    assert targets["tutorial-setup.sh"] == targets["tutorial.tar"] == setup["TUTORIAL_FILES"]
    assert targets["tutorial"] == "/usr/local/bin"
    assert f'cd "${{TUTORIAL_DIR:-{setup["TUTORIAL_DIR"]}}}" && . .venv/bin/activate' in read(TUTORIAL)
    for _, path in STEP_PAGES:
        verify = path.parent / "verify.sh"
        assert defaults(verify)["TUTORIAL_DIR"] == setup["TUTORIAL_DIR"]
    # The page that starts the lesson goes to that folder and that venv.
    folder = setup["TUTORIAL_DIR"].replace("/root", "~", 1)
    commands = exec_commands(read(STEP_PAGES[0][1]))
    assert commands[:2] == [f"cd {folder}", "source .venv/bin/activate"]
    assert 'venv="$TUTORIAL_DIR/.venv"' in read(SETUP_SCRIPT)


def first_pages():
    """Each scenario's first page after its intro: (scenario, path)."""
    return [(name, SCENARIO / name / INDEXES[name]["details"]["steps"][0]["text"])
            for name in SCENARIOS]


@pytest.mark.parametrize("name,path", first_pages(), ids=[n for n, _ in first_pages()])
def test_each_scenario_s_first_page_shows_the_way_back_in(name, path):
    """Whatever happened to the setup (late, timed out, killed, Ctrl-C), the first page
    says, before its first step script runs, the one command that finishes it and puts
    the learner in the tutorial's folder with its Python; the rehearsal clicks it."""
    text = read(path)
    box = text.find("`source tutorial`{{exec}}")
    assert box >= 0, f"{name}: no `source tutorial`{{{{exec}}}} on its first page"
    first_script = re.search(r"^python step\d\.py", text, re.M)
    assert first_script and box < first_script.start(), name
    promise = next(item for item in rehearsal_pages.actions(text)
                   if item["kind"] == "exec" and item["command"] == "source tutorial")
    assert ("regex", r"^Ready after \d+s\. You are in /root/fashion-mnist-tutorial") \
        in promise["expects"], name


# Killercoda types foreground.sh into the learner's terminal: it waits for `source
# tutorial` (an asset, which may come late), at most a bound, and sources it.
def test_foreground_types_two_lines_at_most_and_sources_the_shipped_way_in():
    lines = read(SETUP / "intro" / "foreground.sh").splitlines()
    assert len(lines) <= 2, lines
    assert re.search(r"timeout \d+ bash -c 'until \[ -f /usr/local/bin/tutorial \]", lines[-1])
    assert "then source /usr/local/bin/tutorial; else echo " in lines[-1]


@pytest.mark.parametrize("arrives", [True, False], ids=["late", "never"])
def test_foreground_waits_for_the_way_in_a_bound_then_says_what_to_do(arrives, tmp_path):
    """Typed as Killercoda types it (here with a 2 s bound and tmp_path's paths): the
    way in sourced once it arrives, or a line that says what to do if it never does."""
    way_in = tmp_path / "tutorial"
    line = read(SETUP / "intro" / "foreground.sh").splitlines()[-1].replace(
        "/usr/local/bin/tutorial", str(way_in)).replace("timeout 300 ", "timeout 2 ")
    if arrives:
        way_in.write_text('echo "sourced in $PWD"\n')
    result = subprocess.run(["bash", "--norc", "-i"], input=line + "\n", capture_output=True,
                            text=True, cwd=tmp_path, timeout=HANG_S, env={"PATH": os.environ["PATH"],
                                                                      "TERM": "dumb"})
    if arrives:
        assert f"sourced in {tmp_path}" in result.stdout
    else:
        assert "Waiting for the tutorial's files" in result.stdout
        assert "not on this machine yet. Type  source tutorial  in a minute" in result.stdout


def test_foreground_never_exits_the_learners_shell():
    code = [line.split("#")[0] for line in read(SETUP / "intro" / "foreground.sh").splitlines()]
    assert not any(re.search(r"\b(exit|set -e|set -\w*e)\b", line) for line in code)


# --- Killercoda markdown -------------------------------------------------------

@pytest.mark.parametrize("name,path", PAGES, ids=[n for n, _ in PAGES])
def test_only_killercoda_actions(name, path):
    text = read(path)
    for syntax in KATACODA_ONLY:
        assert syntax not in text, f"{name}: {syntax} is Katacoda-only"
    for match in re.finditer(r"\{\{[^}]*\}\}", text):
        action = match.group()
        if TRAFFIC_LINK.fullmatch(action):  # a port link: the target of a markdown link
            assert text[:match.start()].endswith("](") and \
                text[match.end():].startswith(")"), f"{name}: {action} outside a link"
            continue
        assert action in KILLERCODA_ACTIONS, f"{name}: {action} is not a Killercoda action"
        # An action always follows a closing fence or an inline code span.
        assert text[:match.start()].endswith("`"), f"{name}: stray {action}"
    # Every fenced block is closed and every <details> too.
    assert text.count("```") % 2 == 0
    assert text.count("<details>") == text.count("</details>")


# A promise about a command box's output: a Python regex that must match (re.search,
# re.M) what clicking the box printed, ANSI codes removed.
EXPECT = re.compile(r"^<!--\s*expect:\s*(.*?)\s*-->[ \t]*$", re.M)


@pytest.mark.parametrize("name,path", PAGES, ids=[n for n, _ in PAGES])
def test_expect_comments_are_regexes_after_a_command_box(name, path):
    text = read(path)
    for match in EXPECT.finditer(text):
        re.compile(match.group(1), re.M)
        before = EXPECT.sub("", text[:match.start()]).rstrip()
        assert re.search(r"(```|`[^`\n]+`)\{\{exec[^}]*\}\}$", before), \
            f"{name}: {match.group()} does not follow a command box"


@pytest.mark.parametrize("name,path", PAGES, ids=[n for n, _ in PAGES])
def test_every_page_ends_with_what_to_try_next(name, path):
    headings = re.findall(r"^#+ (.+)$", blank_blocks(read(path), lambda b: True), re.M)
    assert headings[-1] in ("What to try next", "What to try next (optional)"), name


# --- no click lands in a running program ----------------------------------------

# A click types its text into the terminal: a box must not leave a program there that
# reads what the next click types (an editor, a pager, a REPL, a shell).
INTERACTIVE = {"nano", "vi", "vim", "emacs", "pico", "less", "more", "most", "man", "top",
               "htop", "ipython", "jupyter", "bash", "sh", "watch"}
PAGING_GIT = {"diff", "log", "show", "blame", "branch", "grep", "tag", "help"}
REPLS = {"python", "python3"}


def opens_interactive(command):
    """Why the command line would leave an interactive program in the terminal, or None."""
    for part in re.split(r"&&|\|\||;|\|", command):
        words = shlex.split(part)
        if not words:
            continue
        if words[0] in INTERACTIVE and not (words[0] in ("bash", "sh") and len(words) > 1
                                            and words[1] != "-i"):
            return f"{words[0]} waits for the keyboard"
        if words[0] in REPLS and (len(words) == 1 or "-i" in words):
            return f"{words[0]} opens its prompt"
        if words[0] == "git" and len(words) > 1 and words[1] in PAGING_GIT:
            return f"git {words[1]} opens a pager: git --no-pager {words[1]}"
    return None


@pytest.mark.parametrize("command,why", [
    ("nano step2.py", "nano"), ("git diff step2.py", "pager"), ("python", "prompt"),
    ("python3 -i step2.py", "prompt"), ("cat x | less", "less"),
    ("git --no-pager diff step2.py", None), ("python step2.py", None),
    ("bash scenario/step2/verify.sh", None), ("git restore step2.py", None)])
def test_opens_interactive_knows_the_programs(command, why):
    found = opens_interactive(command)
    assert (found is None) if why is None else (why in found), (command, found)


@pytest.mark.parametrize("page,command", ALL_EXEC)
def test_no_exec_box_opens_an_interactive_program(page, command):
    assert opens_interactive(command) is None, f"{page}: {command}: {opens_interactive(command)}"


@pytest.mark.parametrize("name,path", PAGES, ids=[n for n, _ in PAGES])
def test_a_page_with_a_check_says_how_to_see_why_it_fails(name, path):
    """Killercoda may show nothing of verify.sh's output: the page says how to run it."""
    verify = path.parent / "verify.sh"
    if verify.exists():
        assert f"`bash {verify.relative_to(ROOT)}`" in read(path), name


# --- commands ----------------------------------------------------------------

def results_steps():
    """The steps that write results/<step>.json (save_results("stepN", ...))."""
    return {m for p in ROOT.glob("step*.py")
            for m in re.findall(r'save_results\(\s*"(\w+)"', read(p))}


def test_the_text_runs_every_step():
    ran = {shlex.split(command)[1] for _, command in ALL_EXEC
           if command.startswith("python ")}
    assert {s for s in ran if re.fullmatch(r"step\d+\.py", s)} == \
        {p.name for p in ROOT.glob("step*.py")}
    # The hands-on route: each exercise page checks the learner's file and runs it.
    for step in EXERCISE_STEPS:
        assert {"check.py", f"exercises/step{step}.py"} <= ran, step


# The steps the learner writes in exercises/ (check.py checks them).
EXERCISE_STEPS = sorted(p.stem[len("step"):] for p in (ROOT / "exercises").glob("step*.py"))


def reference(script):
    """The file a page's snippet of `script` is checked against: the learner's file
    exercises/stepN.py as the page leaves it is its answer, exercises/answers/stepN.py."""
    path = Path(script)
    if path.parts[:1] == ("exercises",) and len(path.parts) == 2:
        return ROOT / "exercises" / "answers" / path.name
    return ROOT / script


@pytest.mark.parametrize("page,command", ALL_EXEC, ids=[c for _, c in ALL_EXEC])
def test_exec_command_is_supported(page, command, run):
    words = shlex.split(command)
    step_scripts = {p.name for p in ROOT.glob("step*.py")}
    if words[:2] == ["python", "check.py"]:
        assert words[2] in EXERCISE_STEPS, command
        # Its flags and their values parse (--add: a block the answer has).
        result = run("check.py", *words[2:], "--help")
        assert result.returncode == 0, f"{command}: {result.stderr}"
        if "--add" in words:
            label = words[words.index("--add") + 1]
            answer = read(ROOT / "exercises" / "answers" / f"step{words[2]}.py")
            assert f"# [{label}]" in answer, command
        return
    if words[0] == "python" and words[1].startswith("exercises/"):
        assert (ROOT / words[1]).is_file() and words[1] in \
            [f"exercises/step{step}.py" for step in EXERCISE_STEPS] and not words[2:], command
        return
    if words[0] == "python":
        script, args = words[1], words[2:]
        assert script in step_scripts, f"{command}: no such step script"
        help_text = run(script, "--help").stdout
        for flag in (a.split("=")[0] for a in args if a.startswith("-")):
            assert re.search(rf"(^|\s|\[){re.escape(flag)}\b", help_text), \
                f"{command}: {script} has no {flag}"
        # The flags *and their values* parse: argparse checks each value as it
        # reads it, before it reaches --help.
        result = run(script, *args, "--help")
        assert result.returncode == 0, f"{command}: {result.stderr}"
        return
    # Everything else: the few shell commands the lesson needs, each checked.
    folder = defaults(SETUP_SCRIPT)["TUTORIAL_DIR"]
    if words[0] == "cd":
        assert words[1:] == [folder.replace("/root", "~", 1)]
    elif words[0] == "source":  # the venv, or the way in that index.json's assets ship
        assert words[1:] in ([".venv/bin/activate"], ["tutorial"])
    elif words[0] == "cat" and len(words) == 2 and words[1].startswith("results/"):
        assert words[1][len("results/"):-len(".json")] in results_steps()
    elif words[:3] == ["git", "--no-pager", "diff"] or words[:2] == ["git", "restore"]:
        files = words[3:] if words[1] == "--no-pager" else words[2:]
        assert files and all(f in step_scripts for f in files), command
    elif words[0] == "ls":
        # Shows what the page's runs kept: a --save file or a --logdir's step3 folder.
        text = read(dict(PAGES)[page])
        kept = set(re.findall(r"--save (\S+)", text)) | {
            f"{folder}/step3" for folder in re.findall(r"--logdir (\S+)", text)}
        assert words[1:] and set(words[1:]) <= kept, f"{command}: the page makes {kept}"
    elif words[0] == "tensorboard":
        check_tensorboard_command(page, words, run)
    elif words[0] == "curl":
        # Asks the page's TensorBoard for its runs, waiting while it starts.
        *options, url = words[1:]
        assert options[0] == "-s" and all(
            option in ("--retry", "--retry-connrefused", "--retry-delay") or option.isdigit()
            for option in options[1:]), command
        assert url == f"localhost:{tensorboard_port(page)}/data/runs", command
    else:
        pytest.fail(f"{page}: {command!r} is not a command the project supports")


def tensorboard_port(page):
    """The port of the page's {{TRAFFIC_HOST1_PORT}} link (there must be one)."""
    ports = set(re.findall(r"\{\{TRAFFIC_HOST1_(\d+)\}\}", read(dict(PAGES)[page])))
    assert len(ports) == 1, f"{page}: starts TensorBoard but links to ports {ports or 'none'}"
    return ports.pop()


def tensorboard_help(run):
    if "tensorboard" not in HELP_TEXTS:
        command = Path(sys.executable).with_name("tensorboard")
        command = [str(command)] if command.exists() else [sys.executable, "-m",
                                                            "tensorboard.main"]
        result = subprocess.run([*command, "--help"], capture_output=True, text=True,
                                env=run.env, timeout=HANG_S)
        assert result.returncode == 0, result.stderr
        HELP_TEXTS["tensorboard"] = result.stdout
    return HELP_TEXTS["tensorboard"]


def check_tensorboard_command(page, words, run):
    """tensorboard, quiet in the background, on the steps' logs and the linked port."""
    # Quiet: its log lines go to a file, never onto the learner's screen; and in the
    # background, so that the terminal stays free for the steps.
    assert words[-1] == "&", "tensorboard must run in the background (&)"
    assert words[-2] == "2>&1" and re.fullmatch(r">/tmp/\S+\.log", words[-3]), \
        "tensorboard's output must go to a log file: >/tmp/tensorboard.log 2>&1"
    flags = words[1:-3]
    options = dict(zip(flags, flags[1:] + [None]))
    help_text = tensorboard_help(run)
    for flag in (f for f in flags if f.startswith("-")):
        assert re.search(rf"(^|\s|\[){re.escape(flag)}\b", help_text), \
            f"tensorboard has no {flag}"
    # Killercoda reaches only services that listen on all interfaces.
    assert "--bind_all" in flags
    assert options.get("--port") == tensorboard_port(page)
    # It reads the folder that the steps write their logs to, on the pages.
    logdirs = {c.split("--logdir", 1)[1].split()[0] for _, c in ALL_EXEC
               if c.startswith("python ") and "--logdir" in c}
    assert logdirs == {options.get("--logdir")}, logdirs


# --- snippets -------------------------------------------------------------------

@pytest.mark.parametrize("page,block", ALL_SNIPPETS,
                         ids=[f"{p}:{b['body'].strip().splitlines()[0][:40]}"
                              for p, b in ALL_SNIPPETS])
def test_python_snippet_is_in_its_script(page, block):
    assert block["marker"], f"{page}: a python block needs <!-- from stepN.py --> before it"
    kind, script = block["marker"]
    code = read(reference(script))
    if kind == "from":
        # An answer to type in may be copied; other snippets are for reading.
        assert block["action"] is None or (
            script.startswith("exercises/answers/") and block["action"] == "{{copy}}"), \
            "a snippet from a script is for reading, not running"
        assert squash(block["body"]) in squash(code), \
            f"{page}: this snippet is no longer in {script}:\n{block['body']}"
    else:  # an edit the learner makes: the same code with other numbers
        assert block["action"] == "{{copy}}"
        assert (rehearsal_pages.numberless(squash(block["body"]))
                in rehearsal_pages.numberless(squash(code))), \
            f"{page}: {script} has no line this edit applies to:\n{block['body']}"
        if not script.startswith("exercises/"):  # there, putting a slip right restores it
            assert squash(block["body"]) not in squash(code), "an edit must change something"


def test_every_step_page_shows_code_from_its_script():
    for name, _, script in SCRIPT_PAGES:
        shown = {block["marker"][1] for page, block in ALL_SNIPPETS
                 if page == name and block["marker"] and block["marker"][0] == "from"}
        # A page the learner writes the script of shows the answer's blocks instead.
        assert f"{script}.py" in shown or f"exercises/answers/{script}.py" in shown, name


def test_inline_code_that_names_a_call_or_setting_is_in_a_step_script():
    code = squash("".join(read(p) for p in ROOT.glob("step*.py")))
    for name, path in STEP_PAGES:
        prose = blank_blocks(read(path), lambda block: True)
        for match in INLINE.finditer(prose):
            span = match.group(1)
            if match.group(2) is None and re.search(r"[A-Za-z_]\w*[(=]", span):
                assert squash(span) in code, f"{name}: `{span}` is in no step script"


# --- numbers --------------------------------------------------------------------

NUMBER = r"-?\d+(?:\.\d+)?"
LIST = rf"\[\s*{NUMBER}(?:\s*,\s*{NUMBER})*\s*\]"
SOFTMAX = re.compile(rf"softmax\(({LIST})\)\s*=\s*({LIST})")
RELU = re.compile(rf"relu\(({NUMBER})\)\s*=\s*({NUMBER})")
FLATTEN_VALUES = re.compile(r"(\[\[[\d,\s\[\]]+\]\])\s*→\s*(\[[\d,\s]+\])")
FLATTEN_SHAPE = re.compile(r"\(batch((?:,\s*\d+)+)\)\s*→\s*\(batch((?:,\s*\d+)+)\)")
# A number may have thousands separators (1,568); a term may be a group in brackets.
DECIMAL = r"\d{1,3}(?:,\d{3})+(?!\d)|\d+(?:\.\d+)?"
SIMPLE = rf"(?:e\^-?\d+(?:\.\d+)?|-log\(\d+(?:\.\d+)?\)|{DECIMAL})"
TERM = rf"(?:{SIMPLE}|\(\s*{SIMPLE}(?:\s*[-+×/]\s*{SIMPLE})*\s*\))"
ARITHMETIC = re.compile(rf"(?<![\w.^\-,(])({TERM}(?:\s*[-+×/]\s*{TERM})+|e\^-?\d+(?:\.\d+)?"
                        rf"|-log\(\d+(?:\.\d+)?\))\s*=\s*({DECIMAL})(?![\d.]|,\d)")
SIZES = re.compile(r"(\d[\d,]*) (training|test) images")
DEFAULT_EPOCHS = re.compile(r"`(step\d\.py)` trains for (\d+) epochs")
DEFAULT_FLAG = re.compile(r"`(step\d\.py) (--[\w-]+)` is (\S+?) by default")
GRID = r"\[\[[-\d,\s\[\]]+\]\]"
CONV = re.compile(rf"patch\s*=\s*({GRID})\s*\n\s*filter\s*=\s*({GRID})\s*\n"
                  rf"\s*patch and filter multiplied, added up\s*=\s*(-?\d+)")
# A quoted measurement: `0.8693 <!-- bench: step2.test_accuracy -->` is the median
# of that field in bench/results.json; `.min` or `.max` after the field picks another
# statistic; `0.63× <!-- bench: step2_vs_baseline.wall_s -->` is one of its ratios.
# `7 minutes <!-- rehearsal: first-model.ready_s -->` is the same for scenario/rehearsal.json,
# the report of scenario/rehearse (its "summary" has the benchmark's shape; its keys are
# pages, step2, scenarios, first-model, and `all`).
BENCH = re.compile(r"(\d+(?:\.\d+)?)(\s*(?:%|seconds|minutes|s|MB|×))?\**\s*"
                   r"<!--\s*(bench|rehearsal):\s*([\w-]+)\.(\w+?)(?:\.(min|median|max))?\s*-->")
# What looks like a measured number: a fraction with 2+ decimals, a percentage,
# a time or an amount of memory.
# An epoch named by its number ("stopped at epoch 13") comes out of a run too: another
# machine's sums stop at another epoch.
MEASURED = re.compile(r"(?<![\w.])(0\.\d{2,}|\d+(?:\.\d+)?\s*(?:%|seconds?\b|minutes?\b|s\b|MB\b|GB\b)"
                      r"|[Ee]poch \d+(?![\d/]))")
# A block of real output quoted as a sample: `<!-- output of: step2 -->` on the line
# before it binds its accuracies to that benchmark target's.
OUTPUT_OF = re.compile(r"<!--\s*output of:\s*([\w-]+)\s*-->[ \t]*\n[ \t]*```\w*\n(.*?)^[ \t]*```",
                       re.M | re.S)


def numbers(text):
    return [float(n) for n in re.findall(NUMBER, text)]


def decimals(shown):
    return len(shown.split(".")[1]) if "." in shown else 0


def close(value, shown):
    """value, rounded as the text shows it, equals the text."""
    return abs(value - float(shown)) <= 0.5 * 10 ** -decimals(shown) + 1e-9


def prose(path):
    """A page without its commands and snippets (those are checked as code)."""
    return blank_blocks(read(path), lambda b: b["lang"] == "python" or b["action"])


def unbound_prose(path):
    """prose(path), its sample outputs bound by `<!-- output of: ... -->` left out too."""
    text = prose(path)
    for match in OUTPUT_OF.finditer(text):
        start, end = match.span(2)
        text = text[:start] + re.sub(r"[^\n]", " ", text[start:end]) + text[end:]
    return text


ALL_PROSE = [(name, prose(path)) for name, path in PAGES]


def found(pattern):
    return [(name, m) for name, text in ALL_PROSE for m in pattern.finditer(text)]


KERAS_PROBE = r"""
import json, sys
import numpy as np
import keras
ask = json.loads(sys.argv[1])
def array(x):
    return keras.ops.convert_to_numpy(x).tolist()
answer = {
    "softmax": [array(keras.activations.softmax(np.array([s], "float32")))[0]
                for s in ask["softmax"]],
    "relu": [array(keras.activations.relu(np.array([x], "float32")))[0] for x in ask["relu"]],
    "flatten_values": [array(keras.layers.Flatten()(np.array([v], "float32")))[0]
                       for v in ask["flatten_values"]],
    "flatten_shape": [list(keras.layers.Flatten()(np.zeros([3] + s, "float32")).shape)[1:]
                      for s in ask["flatten_shape"]],
    "conv": [],
}
for patch, kernel in ask["conv"]:
    layer = keras.layers.Conv2D(1, len(kernel), use_bias=False)
    layer.build((1, len(patch), len(patch[0]), 1))
    layer.set_weights([np.array(kernel, "float32")[:, :, None, None]])
    out = layer(np.array(patch, "float32")[None, :, :, None])
    answer["conv"].append(array(out)[0][0][0][0])
print(json.dumps(answer))
"""


@pytest.fixture(scope="module")
def keras_says(tmp_path_factory):
    """Ask real Keras layers and activations for the text's worked examples."""
    ask = {
        "softmax": [json.loads(m.group(1)) for _, m in found(SOFTMAX)],
        "relu": [float(m.group(1)) for _, m in found(RELU)],
        "flatten_values": [json.loads(m.group(1)) for _, m in found(FLATTEN_VALUES)],
        "flatten_shape": [[int(n) for n in numbers(m.group(1))] for _, m in found(FLATTEN_SHAPE)],
        "conv": [[json.loads(m.group(1)), json.loads(m.group(2))] for _, m in found(CONV)],
    }
    home = tmp_path_factory.mktemp("keras")
    env = dict(os.environ, KERAS_HOME=str(home), HOME=str(home), TF_CPP_MIN_LOG_LEVEL="3")
    result = subprocess.run([sys.executable, "-c", KERAS_PROBE, json.dumps(ask)],
                            capture_output=True, text=True, env=env, timeout=HANG_S)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.splitlines()[-1])


def test_softmax_example_matches_keras(keras_says):
    matches = found(SOFTMAX)
    assert any(numbers(m.group(1)) == [0.0, -1.0, 2.0, 3.0] for _, m in matches)
    for (name, match), probabilities in zip(matches, keras_says["softmax"]):
        shown = re.findall(NUMBER, match.group(2))
        assert len(shown) == len(probabilities)
        for value, text in zip(probabilities, shown):
            assert close(value, text), f"{name}: {match.group()} (Keras: {probabilities})"
        # The formula the text explains gives the same.
        scores = numbers(match.group(1))
        total = sum(math.exp(s) for s in scores)
        assert all(close(math.exp(s) / total, t) for s, t in zip(scores, shown))


def test_relu_examples_match_keras_and_the_rule(keras_says):
    matches = found(RELU)
    inputs = [float(m.group(1)) for _, m in matches]
    assert any(x > 0 for x in inputs) and any(x < 0 for x in inputs)
    for (name, match), value in zip(matches, keras_says["relu"]):
        x, shown = float(match.group(1)), match.group(2)
        assert close(value, shown), f"{name}: {match.group()} (Keras: {value})"
        assert close(x if x > 0 else 0.0, shown)


def test_flatten_example_matches_a_keras_flatten_layer(keras_says):
    shapes = found(FLATTEN_SHAPE)
    assert any(numbers(m.group(1)) == [2, 2] for _, m in shapes)
    for (name, match), shape in zip(shapes, keras_says["flatten_shape"]):
        assert [int(n) for n in numbers(match.group(2))] == shape, f"{name}: {match.group()}"
    values = found(FLATTEN_VALUES)
    assert values
    for (name, match), flat in zip(values, keras_says["flatten_values"]):
        assert numbers(match.group(2)) == flat, f"{name}: {match.group()}"


def test_convolution_example_matches_a_keras_conv2d_layer(keras_says):
    matches = found(CONV)
    assert len(matches) >= 2
    for (name, match), value in zip(matches, keras_says["conv"]):
        assert close(value, match.group(3)), f"{name}: {match.group()} (Keras: {value})"


def evaluate(expression):
    expression = re.sub(r"(?<=\d),(?=\d{3})", "", expression)  # 1,568 is 1568
    python = re.sub(r"e\^(-?[\d.]+)", r"math.exp(\1)", expression)
    python = re.sub(r"-log\(([\d.]+)\)", r"-math.log(\1)", python).replace("×", "*")
    return eval(python, {"math": math, "__builtins__": {}})


def test_arithmetic_in_the_text_is_right():
    matches = found(ARITHMETIC)
    assert len(matches) >= 5
    for name, match in matches:
        value = evaluate(match.group(1))
        assert close(value, match.group(2).replace(",", "")), f"{name}: {match.group()} (is {value:.6g})"


def test_data_set_sizes_are_the_real_ones():
    sys.path.insert(0, str(ROOT))
    import tutorial_helpers
    matches = found(SIZES)
    assert {m.group(2) for _, m in matches} == {"training", "test"}
    for name, match in matches:
        assert int(match.group(1).replace(",", "")) == tutorial_helpers.FULL_SIZES[
            "train" if match.group(2) == "training" else "test"], f"{name}: {match.group()}"


HELP_TEXTS = {}  # script -> its --help output, asked once


def default_in_help(run, script, flag):
    """The default that `script --help` shows for flag, or None if it shows none."""
    if script not in HELP_TEXTS:
        HELP_TEXTS[script] = run(script, "--help").stdout
    entry = re.search(rf"^\s+{re.escape(flag)}\b.*?(?=^\s+-|\Z)", HELP_TEXTS[script],
                      re.M | re.S)
    default = entry and re.search(r"\(default:\s*(\S+?)\)", entry.group())
    return default.group(1) if default else None


def test_default_epochs_are_the_scripts_defaults(run):
    matches = found(DEFAULT_EPOCHS)
    assert matches
    for name, match in matches:
        script, epochs = match.groups()
        assert default_in_help(run, script, "--epochs") == epochs, f"{name}: {match.group()}"


def test_flag_defaults_are_the_scripts_defaults(run):
    matches = found(DEFAULT_FLAG)
    assert matches
    for name, match in matches:
        script, flag, shown = match.groups()
        assert default_in_help(run, script, flag) == shown, f"{name}: {match.group()}"


def check_against_the_benchmark(matches):
    """Each tagged number equals its recorded report's (bench or rehearsal) within tolerance."""
    for name, match in matches:
        shown, unit, source, target, field, stat = match.groups()
        assert REPORTS[source].is_file(), f"the text quotes {REPORTS[source]}, which is missing"
        report = json.loads(REPORTS[source].read_text())
        unit = (unit or "").strip()
        in_minutes = field.endswith("_min")  # an estimate, recorded in minutes already
        value = float(shown) / 100 if unit == "%" else float(shown) * (
            60 if unit == "minutes" and not in_minutes else 1)
        if source == "rehearsal" and "scenarios" not in report and target in SCENARIOS:
            continue  # recorded before the course: re-recording it checks these too
        if target in report.get("ratios", {}):
            recorded = report["ratios"][target][field]
        else:
            recorded = report["summary"][target][field][stat or "median"]
        if field.endswith("_accuracy") and target not in report.get("ratios", {}):
            assert abs(value - recorded) <= ACCURACY_TOLERANCE, \
                f"{name}: {match.group()} but the benchmark recorded {recorded:.4f}"
        elif in_minutes:
            assert abs(value - recorded) <= max(TIME_TOLERANCE * recorded, 0.5), \
                f"{name}: {match.group()} but {source} recorded {recorded:.3g} minutes"
        elif unit == "minutes":  # whole minutes, as a reader rounds them
            assert abs(value - recorded) <= max(TIME_TOLERANCE * recorded, 30), \
                f"{name}: {match.group()} but {source} recorded {recorded:.3g} s"
        else:
            assert abs(value - recorded) <= TIME_TOLERANCE * recorded, \
                f"{name}: {match.group()} but {source} recorded {recorded:.3g}"


def test_measured_numbers_match_the_benchmark():
    matches = found(BENCH)
    assert matches, "the scenario quotes no measured numbers"
    check_against_the_benchmark(matches)


def test_readme_and_docs_numbers_match_the_benchmark():
    """Every tagged number in README.md and docs/, wherever a paragraph has moved."""
    matches = [(relative(path), m) for path in DOCS for m in BENCH.finditer(read(path))]
    expected = [m for page, m in matches if page == "docs/benchmark.md"]
    assert len(expected) >= 10, "docs/benchmark.md's 'What to expect' lost its benchmark numbers"
    check_against_the_benchmark(matches)


def test_sample_outputs_are_what_the_benchmark_printed():
    """A quoted sample output's accuracies are the ones its benchmark target recorded."""
    report = json.loads(BENCH_RESULTS.read_text())
    samples = [(path, m) for path in [*DOCS, *dict(PAGES).values()]
               for m in OUTPUT_OF.finditer(read(path))]
    assert samples, "README's sample output lost its <!-- output of: ... --> binding"
    for path, match in samples:
        target, body = match.groups()
        recorded = [report["summary"][target][field]["median"]
                    for field in ("train_accuracy", "test_accuracy")]
        shown = [float(n) for n in re.findall(r"(?<![\w.])0\.\d{4}(?!\d)", body)]
        assert shown, f"{relative(path)}: the sample of {target} shows no accuracy"
        for value in shown:
            assert any(abs(value - r) <= ACCURACY_TOLERANCE for r in recorded), \
                f"{relative(path)}: sample of {target} shows {value}, the benchmark {recorded}"


def test_no_unchecked_measured_numbers():
    """What comes out of a run (accuracies, times, memory, epochs) is either tagged with
    the measurement it quotes or shown with how it is computed: in the pages and in the
    README, the learner's pages."""
    # Sizes that no run decides: the machine's memory, the data set's download.
    not_from_a_run = re.compile(r"\d+ GB (?:machine|VM)|download it \(\d+ MB\)")
    checked = [SOFTMAX, RELU, FLATTEN_VALUES, FLATTEN_SHAPE, ARITHMETIC, SIZES, BENCH,
               DEFAULT_FLAG, CONV, not_from_a_run]
    readme = ("README.md", unbound_prose(ROOT / "README.md"))
    for name, text in [*[(name, unbound_prose(path)) for name, path in PAGES], readme]:
        spans = [m.span() for pattern in checked for m in pattern.finditer(text)]
        for match in MEASURED.finditer(text):
            assert any(start <= match.start() and match.end() <= end for start, end in spans), \
                (f"{name}: {match.group()!r} looks measured but nothing checks it: tag it "
                 f"<!-- bench: TARGET.FIELD --> or show how it is computed")


# --- promises: what scenario/rehearse asserts on real output ------------------------------

# A sentence that tells the learner what a command will show. The heuristic: these
# phrases, outside code, each within PROMISE_REACH lines of an `<!-- expect ... -->`
# comment, or of an `<!-- asserted by: check NAME -->` comment naming a check that an
# expect on the same page runs (for a promise far from its command's box).
PROMISE = re.compile(r"you should see|you will see|you'll see|what to look for|"
                     r"\bstop(?:s|ped)? (?:\w+ )*at epoch|prints? (?:different|the same)|"
                     r"\bundo(?:es)?\b|gap (?:\w+ )*grows|word \*\*Ready", re.I)
PROMISE_REACH = 12
ASSERTED_BY = re.compile(r"<!--\s*asserted by:\s*check\s+(\S+)\s*-->")


@pytest.mark.parametrize("name,path", PAGES, ids=[n for n, _ in PAGES])
def test_every_expect_follows_an_exec_box_and_is_well_formed(name, path):
    text = read(path)
    attached = [e for item in rehearsal_pages.actions(text) if item["kind"] == "exec"
                for e in item["expects"]]
    foreground = rehearsal_pages.foreground_expects(text)
    comments = rehearsal_pages.ANY_EXPECT.findall(text)
    assert len(comments) == len(attached) + len(foreground), \
        f"{name}: an expect comment that follows no {{{{exec}}}} box: {comments}"
    entry = PAGES_BY_NAME[name]
    assert not foreground or entry.get("foreground"), \
        f"{name}: `expect foreground` on a page without a foreground script"
    for kind, argument in attached:
        if kind == "check":
            assert argument in CHECKS, f"{name}: no check named {argument}"
        elif kind == "exit":
            assert argument.isdigit(), f"{name}: expect: exit {argument}"
        else:
            re.compile(argument)  # raises on a bad regex
    for regex in foreground:
        re.compile(regex)
    used = {argument for kind, argument in attached if kind == "check"}
    for named in ASSERTED_BY.findall(text):
        assert named in used, f"{name}: asserted by check {named}, which no expect here runs"


@pytest.mark.parametrize("name,path", PAGES, ids=[n for n, _ in PAGES])
def test_every_promise_has_an_expect_near_it(name, path):
    text = blank_blocks(read(path), lambda block: True)  # code is not a promise
    lines = text.splitlines()
    anchors = [i for i, line in enumerate(lines)
               if rehearsal_pages.ANY_EXPECT.search(line) or ASSERTED_BY.search(line)]
    for i, line in enumerate(lines):
        for match in PROMISE.finditer(line):
            assert any(abs(i - a) <= PROMISE_REACH for a in anchors), \
                f"{name}, line {i + 1}: {match.group()!r} promises output, but no expect is near"


def test_every_named_check_is_documented_and_used():
    used = {argument for _, path in PAGES for item in rehearsal_pages.actions(read(path))
            if item["kind"] == "exec" for kind, argument in item["expects"] if kind == "check"}
    for check_name, function in CHECKS.items():
        assert function.__doc__, check_name
    # A check no page uses is dead code, or a promise lost from a page.
    assert set(CHECKS) == used, set(CHECKS) ^ used


def test_rehearsal_report_is_recorded_and_green():
    report = json.loads(REHEARSAL.read_text())
    assert report["ok"] is True, "scenario/rehearsal.json records a failed rehearsal"
    if "scenarios" in report:  # the course's report: every scenario, on a fresh root each
        assert list(report["scenarios"]) == SCENARIOS, "the recorded run left scenarios out"
        for name, mine in report["scenarios"].items():
            assert mine["ok"] and mine["root_s"] is not None, name
            assert [p["page"] for p in report["pages"] if p["scenario"] == name] == \
                mine["pages_expected"], name
            assert report["estimates"]["scenarios"][name]["estimated_min"] > 0, name
            assert report["summary"][name]["estimated_min"], name
    else:  # the single scenario's report, recorded before the course (re-record it)
        assert [p["page"] for p in report["pages"]] == report["pages_expected"]
    for page in report["pages"]:
        assert page["check"] is None or page["check"]["ok"], page["page"]
        assert all(click["ok"] for click in page["clicks"]), page["page"]
    assert report["root"]["python"] and report["host"]["python"]


# --- verify scripts ---------------------------------------------------------------

def verify(script, **env):
    clean = {k: v for k, v in os.environ.items() if k not in ("TUTORIAL_RESULTS_DIR",)}
    clean.update(env)
    return subprocess.run(["bash", str(script)], capture_output=True, text=True,
                          env=clean, timeout=HANG_S)


STEP_ARGS = {"step2": ["--epochs", "1"], "step3": ["--epochs", "2"]}
# Pages whose Check runs check.py on the learner's file rather than reading results/:
# (page, its verify.sh, the N of the `check.py N` it runs).
CHECKED_PAGES = [(name, path.parent / "verify.sh", step) for name, path, _ in SCRIPT_PAGES
                 for step in re.findall(r"check\.py (\d+)", read(path.parent / "verify.sh"))[:1]]
# (page, verify.sh, script) of the pages whose Check reads results/SCRIPT.json.
RESULTS_PAGES = [(name, path.parent / "verify.sh", script) for name, path, script in SCRIPT_PAGES
                 if "check.py" not in read(path.parent / "verify.sh")]


def step_args(name, tmp_path):
    """(arguments, folder) that run a step script to its end here: step 5 needs a
    fashion.keras in its folder, step 6 a photo and a model."""
    if name not in ("step5", "step6"):
        return STEP_ARGS.get(name, []), ROOT
    from photo_files import encode, object_on, tiny_model
    if name == "step5":
        tiny_model(tmp_path / "fashion.keras")
        return [], tmp_path
    photo = tmp_path / "photo.png"
    encode({photo: ("png", object_on(230, 60, 60, (10, 10, 40, 40), 30))}, tmp_path)
    return [photo, "--model", tiny_model(tmp_path / "model.keras")], ROOT


@pytest.mark.parametrize("page,script,name", RESULTS_PAGES, ids=[n for n, _, _ in RESULTS_PAGES])
def test_verify_fails_before_the_step_and_passes_after(page, script, name, run_cached, tmp_path):
    clean = tmp_path / "clean"
    clean.mkdir()
    before = verify(script, TUTORIAL_DIR=str(clean))
    assert before.returncode != 0 and "done" not in before.stdout
    assert "python " + name + ".py" in before.stdout + before.stderr  # says what to run

    args, folder = step_args(name, tmp_path)
    result = run_cached(ROOT / f"{name}.py", *args, cwd=folder)
    assert result.returncode == 0, result.stderr
    after = verify(script, TUTORIAL_DIR=str(clean), TUTORIAL_RESULTS_DIR=str(run_cached.results))
    assert after.returncode == 0, after.stdout + after.stderr
    assert after.stdout.strip() == "done"
    # The default folder layout too: results/ inside the tutorial's folder.
    (clean / "results").mkdir()
    (clean / "results" / f"{name}.json").write_text(
        (run_cached.results / f"{name}.json").read_text())
    assert verify(script, TUTORIAL_DIR=str(clean)).stdout.strip() == "done"


@pytest.mark.parametrize("page,script,name", RESULTS_PAGES, ids=[n for n, _, _ in RESULTS_PAGES])
@pytest.mark.parametrize("content", ["", "{}", "[]", "not json"])
def test_verify_rejects_a_broken_results_file(page, script, name, content, tmp_path):
    (tmp_path / "results").mkdir()
    (tmp_path / "results" / f"{name}.json").write_text(content)
    result = verify(script, TUTORIAL_DIR=str(tmp_path))
    assert result.returncode != 0 and "done" not in result.stdout


def tutorial_copy(folder):
    """A folder laid out as the learner's: check.py, the package, exercises/ as committed."""
    import shutil
    folder.mkdir()
    shutil.copy(ROOT / "check.py", folder)
    shutil.copytree(ROOT / "tutorial_helpers", folder / "tutorial_helpers",
                    ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "exercises", folder / "exercises", symlinks=True,
                    ignore=shutil.ignore_patterns("__pycache__"))
    return folder


@pytest.mark.parametrize("page,script,step", CHECKED_PAGES, ids=[n for n, _, _ in CHECKED_PAGES])
def test_verify_passes_once_check_py_passes(page, script, step, run_cached, tmp_path):
    missing = verify(script, TUTORIAL_DIR=str(tmp_path / "absent"))
    assert missing.returncode != 0 and "done" not in missing.stdout
    folder = tutorial_copy(tmp_path / "tutorial")
    if "fashion.keras" in read(script):  # the page's script saved its model already
        (folder / "fashion.keras").write_bytes(b"PK")
    env = {k: v for k, v in run_cached.env.items() if k != "PYTHONPATH"}
    env["PYTHONPATH"] = str(ROOT / "tests" / "offline_site")
    env["PATH"] = f"{Path(sys.executable).parent}:{os.environ['PATH']}"
    before = verify(script, TUTORIAL_DIR=str(folder), **env)
    assert before.returncode != 0 and "done" not in before.stdout
    assert "Not yet" in before.stderr and "Next: add" in before.stderr, before.stderr
    answer = folder / "exercises" / "answers" / f"step{step}.py"
    (folder / "exercises" / f"step{step}.py").write_text(answer.read_text())
    after = verify(script, TUTORIAL_DIR=str(folder), **env)
    assert after.returncode == 0, after.stdout + after.stderr
    assert after.stdout.strip() == "done"


# --- background and foreground scripts ---------------------------------------------

STUBS = {
    "apt-get": 'echo "apt-get $*" >>"$STUB_LOG"',
    # With STUB_APT_FLOOD, the version table goes on for 13 MB after the Candidate line,
    # as a long `apt-cache policy` does: a reader that stops early makes it die of SIGPIPE.
    "apt-cache": '''echo "apt-cache $*" >>"$STUB_LOG"; echo "  Candidate: ${STUB_CANDIDATE:-1.0}"
[ -z "${STUB_APT_FLOOD:-}" ] || yes "     500 http://deb.debian.org/debian main amd64 Packages" | head -n 200000''',
    "python3": '''echo "python3 $*" >>"$STUB_LOG"
case "$2" in *version_info*) echo "${STUB_PYTHON_VERSION:-3.12}"; exit;; esac
if [ "$1" = -c ]; then [ -z "${STUB_NO_VENV:-}" ] || [ -f "$STUB_DIR/venv-installed" ]; exit; fi
if [ "$1 $2" = "-m venv" ]; then
  dir="${@: -1}"; mkdir -p "$dir/bin"; touch "$dir/bin/activate"
  printf '#!/usr/bin/env bash\\necho "venv-python $*" >>"$STUB_LOG"\\n[ "$1" = -c ] || exit "${STUB_PIP_EXIT:-0}"\\n' >"$dir/bin/python"
  chmod +x "$dir/bin/python"; exit 0
fi
exit 1''',
}


def ship(files):
    """Into the folder `files`, what index.json's assets put in TUTORIAL_FILES: the
    setup, a small tutorial.tar (a step1.py and a requirements.txt) and their checksums."""
    import hashlib
    import io
    import shutil
    import tarfile
    files.mkdir(exist_ok=True)
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w") as tar:
        for name in ("step1.py", "requirements.txt"):
            member = tarfile.TarInfo(name)
            member.size = 3
            tar.addfile(member, io.BytesIO(b"# \n"))
    (files / "tutorial.tar").write_bytes(out.getvalue())
    shutil.copy(SETUP_SCRIPT, files / "tutorial-setup.sh")
    (files / "tutorial.sha256").write_text("".join(
        f"{hashlib.sha256((files / name).read_bytes()).hexdigest()}  {name}\n"
        for name in ("tutorial-setup.sh", "tutorial.tar")))


@pytest.fixture
def setup_env(tmp_path):
    """Environment for background.sh with stand-ins for apt-get, apt-cache and python3,
    its assets shipped to tmp_path/files."""
    stubs = tmp_path / "stubs"
    stubs.mkdir()
    for name, body in STUBS.items():
        (stubs / name).write_text("#!/usr/bin/env bash\n" + body + "\n")
        (stubs / name).chmod(0o755)
    (tmp_path / "home").mkdir()
    ship(tmp_path / "files")
    return dict(
        PATH=f"{stubs}:/usr/bin:/bin", HOME=str(tmp_path / "home"), STUB_DIR=str(tmp_path),
        STUB_LOG=str(tmp_path / "calls.log"), TUTORIAL_DIR=str(tmp_path / "tutorial"),
        TUTORIAL_FILES=str(tmp_path / "files"), SETUP_LOG=str(tmp_path / "setup.log"),
        READY_MARKER=str(tmp_path / "ready"), FAILED_MARKER=str(tmp_path / "failed"),
        SETUP_PID=str(tmp_path / "setup.pid"), SETUP_LOCK=str(tmp_path / "setup.lock"))


def background(env, **extra):
    return subprocess.run(["bash", str(BACKGROUND)],
                          capture_output=True, text=True, env={**env, **extra}, timeout=HANG_S)


def calls(env):
    return Path(env["STUB_LOG"]).read_text().splitlines()


def test_background_sets_up_quietly_and_can_run_again(setup_env):
    first = background(setup_env)
    assert first.returncode == 0, read(setup_env["SETUP_LOG"])
    assert first.stdout == first.stderr == ""  # quiet: all of it goes to the log
    assert Path(setup_env["READY_MARKER"]).is_file()
    assert not Path(setup_env["FAILED_MARKER"]).exists()
    log = calls(setup_env)
    assert "unpacking the tutorial" in read(setup_env["SETUP_LOG"])
    assert Path(setup_env["TUTORIAL_DIR"], "step1.py").is_file()
    assert any(c.startswith("venv-python -m pip install") and "requirements.txt" in c
               for c in log)
    assert "apt-get -q -y -o DPkg::Lock::Timeout=600 install dataset-fashion-mnist" in log
    assert not any("python3-venv" in c for c in log)  # Python had venv already
    assert "tutorial setup finished" in read(setup_env["SETUP_LOG"])

    Path(setup_env["STUB_LOG"]).unlink()
    second = background(setup_env)
    assert second.returncode == 0 and Path(setup_env["READY_MARKER"]).is_file()
    again = calls(setup_env)
    assert "using the tutorial already" in read(setup_env["SETUP_LOG"])  # the folder as it is
    assert not any(c.startswith("python3 -m venv") for c in again)
    bashrc = read(Path(setup_env["HOME"]) / ".bashrc")
    assert bashrc.count("fashion-mnist-tutorial setup") == 1


def test_background_installs_venv_when_missing_and_skips_absent_data_package(setup_env):
    result = background(setup_env, STUB_NO_VENV="1", STUB_CANDIDATE="(none)")
    # The stand-in python3 never gains venv, so this run must stop with a hint.
    assert result.returncode != 0
    log = calls(setup_env)
    # Ubuntu's case: its python3.X-venv, the one matching python3, is what brings ensurepip.
    assert any("install python3 python3-venv python3-pip python3.12-venv" in c for c in log)
    assert not Path(setup_env["READY_MARKER"]).exists()
    # Once apt-get "installs" it, the rest goes through, without the data package.
    Path(setup_env["STUB_DIR"], "venv-installed").touch()
    Path(setup_env["STUB_LOG"]).unlink()
    result = background(setup_env, STUB_NO_VENV="1", STUB_CANDIDATE="(none)")
    assert result.returncode == 0, read(setup_env["SETUP_LOG"])
    assert not any("install dataset-fashion-mnist" in c for c in calls(setup_env))
    assert "step 1 downloads the data" in read(setup_env["SETUP_LOG"])


@pytest.mark.parametrize("version", ["3.10", "3.14"])
def test_background_refuses_an_unsupported_python_in_one_line(setup_env, version):
    result = background(setup_env, STUB_PYTHON_VERSION=version)
    assert result.returncode != 0 and not Path(setup_env["READY_MARKER"]).exists()
    said = read(setup_env["FAILED_MARKER"]).splitlines()
    assert said[0] == f"Python {version} is not supported: the tutorial needs Python 3.11 to 3.13."
    assert said[1].startswith("Try:  apt-get install -y python3.12-venv")
    assert not any("pip install" in c for c in calls(setup_env))


def test_background_installs_the_data_package_when_apt_cache_says_a_lot(setup_env):
    # `apt-cache policy ... | grep -q` under pipefail fails here (apt-cache dies of SIGPIPE
    # once grep has its match), and the setup then wrongly skipped the data package.
    result = background(setup_env, STUB_APT_FLOOD="1")
    assert result.returncode == 0, read(setup_env["SETUP_LOG"])
    assert "apt-get -q -y -o DPkg::Lock::Timeout=600 install dataset-fashion-mnist" \
        in calls(setup_env), read(setup_env["SETUP_LOG"])
    assert "apt does not offer" not in read(setup_env["SETUP_LOG"])


def test_background_failure_leaves_a_hint_and_no_ready_marker(setup_env):
    result = background(setup_env, STUB_PIP_EXIT="1")
    assert result.returncode != 0
    assert not Path(setup_env["READY_MARKER"]).exists()
    hint = read(setup_env["FAILED_MARKER"])
    assert "requirements" in hint and "Try:" in hint and setup_env["SETUP_LOG"] in hint
    # A later good run clears the failure.
    assert background(setup_env).returncode == 0
    assert not Path(setup_env["FAILED_MARKER"]).exists()


def waiting(env, **extra):
    return subprocess.run(["bash", str(TUTORIAL), "--wait"], capture_output=True, text=True,
                          env={**env, **extra}, timeout=HANG_S)


def wait_for_line(path, words):
    """Poll until the file holds words (HANG_S only stops a hang)."""
    deadline = time.monotonic() + HANG_S
    while not Path(path).exists() or words not in Path(path).read_text():
        assert time.monotonic() < deadline, f"never saw {words!r} in {path}"
        time.sleep(0.1)


def read_until(process, pattern):
    """process's stdout so far, read until it matches pattern (or the output ends): the
    waiting line ends in no newline, so read what comes, not lines."""
    out = ""
    while not re.search(pattern, out):
        chunk = os.read(process.stdout.fileno(), 4096)
        if not chunk:
            break
        out += chunk.decode()
    return out


def test_the_wait_names_the_stage_and_shows_failures(setup_env, tmp_path):
    import fcntl
    Path(setup_env["SETUP_LOG"]).write_text("=== installing requirements.txt\n")
    # A setup is running (it holds the lock): the wait leaves it alone and waits.
    with open(setup_env["SETUP_LOCK"], "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        wait = subprocess.Popen(["bash", str(TUTORIAL), "--wait"], stdout=subprocess.PIPE,
                                env=setup_env)
        # Ready only once the waiting line is on the screen: not after a guessed pause.
        shown = read_until(wait, r"Setting up \(\d+s\): installing requirements\.txt")
        Path(setup_env["READY_MARKER"]).touch()
        out = shown + wait.communicate(timeout=HANG_S)[0].decode()
        assert wait.returncode == 0
        assert re.search(r"Setting up \(\d+s\): installing requirements\.txt", out), out
        assert "Ready after" in out
        assert "starting the setup again" not in read(setup_env["SETUP_LOG"])

        Path(setup_env["READY_MARKER"]).unlink()
        Path(setup_env["FAILED_MARKER"]).write_text("pip could not install it\nTry:  pip ...\n")
        Path(setup_env["SETUP_LOG"]).write_text("ERROR: no network\n")
        result = waiting(setup_env)
        assert result.returncode == 1
        assert "failed" in result.stdout and "pip could not install it" in result.stdout
        assert "no network" in result.stdout and "source tutorial" in result.stdout

        Path(setup_env["FAILED_MARKER"]).unlink()
        out = waiting(setup_env, SETUP_TIMEOUT="2").stdout
        assert "still running" in out and setup_env["SETUP_LOG"] in out
        assert "source tutorial" in out


def test_tutorial_run_without_source_says_to_type_source(setup_env):
    result = subprocess.run(["bash", str(TUTORIAL)], capture_output=True, text=True,
                            env=setup_env, timeout=HANG_S)
    assert result.returncode == 2 and "source tutorial" in result.stderr
    assert not Path(setup_env["SETUP_LOG"]).exists()  # and it started nothing


def sourced(env, then="pwd"):
    """`source tutorial` typed into a shell, then `then`: (exit, stdout, stderr)."""
    result = subprocess.run(["bash", "--norc", "-c", f'source "$1"; echo "exit $?"; {then}',
                             "bash", str(TUTORIAL)],
                            capture_output=True, text=True, env=env, timeout=HANG_S)
    return result.stdout, result.stderr


def test_source_tutorial_runs_a_stopped_setup_again_and_goes_in(setup_env, tmp_path):
    """Stranded: the setup was killed (its process gone, no marker). `source tutorial`
    starts it again, waits for it, then leaves the shell in the folder with its venv."""
    dead = subprocess.Popen(["true"])
    dead.wait()
    Path(setup_env["SETUP_PID"]).write_text(f"{dead.pid}\n")
    Path(setup_env["SETUP_LOG"]).write_text("=== installing requirements.txt\n")
    out, err = sourced(setup_env, then='pwd; echo "venv: $(command -v python)"')
    assert "Ready after" in out and "exit 0" in out, out + err
    assert out.splitlines()[-2] == setup_env["TUTORIAL_DIR"]
    assert "starting the setup again" in read(setup_env["SETUP_LOG"])
    assert "tutorial setup finished" in read(setup_env["SETUP_LOG"])
    # A failed setup, too: the marker goes, and the setup runs again.
    Path(setup_env["READY_MARKER"]).unlink()
    Path(setup_env["FAILED_MARKER"]).write_text("pip could not install it\n")
    out, err = sourced(setup_env)
    assert "Ready after" in out and out.splitlines()[-1] == setup_env["TUTORIAL_DIR"], out + err
    # Ready already: it only goes in, and runs nothing.
    Path(setup_env["STUB_LOG"]).unlink()
    out, err = sourced(setup_env)
    assert "Ready after 0s" in out and out.splitlines()[-1] == setup_env["TUTORIAL_DIR"]
    assert not Path(setup_env["STUB_LOG"]).exists() and err == ""


def test_source_tutorial_after_a_failure_leaves_the_shell_where_it_was(setup_env, tmp_path):
    out, err = sourced({**setup_env, "STUB_PIP_EXIT": "1"})
    assert "The setup failed" in out and "exit 1" in out
    assert out.splitlines()[-1] != setup_env["TUTORIAL_DIR"]


def test_background_waits_for_late_assets_then_sets_up(setup_env, tmp_path):
    """Killercoda may copy the assets after background.sh starts: it waits for them
    (whole: their checksums match), then runs the setup they bring."""
    late = tmp_path / "late"
    Path(setup_env["TUTORIAL_FILES"]).rename(late)
    # Its wait's bound only stops a hang here; a `sleep` that counts the wait's looks.
    env = {**setup_env, "ASSET_TIMEOUT": str(HANG_S)}
    looks = tmp_path / "looks"
    sleep = tmp_path / "stubs" / "sleep"
    sleep.write_text(f'#!/bin/sh\necho >>"{looks}"; exec /bin/sleep "$@"\n')
    sleep.chmod(0o755)

    def looked():
        return len(looks.read_text().splitlines()) if looks.exists() else 0
    setup = subprocess.Popen(["bash", str(BACKGROUND)], env=env)
    try:
        wait_for_line(env["SETUP_LOG"], "waiting for the tutorial's files")
        files = Path(env["TUTORIAL_FILES"])
        files.mkdir()
        # A half-copied archive is not taken for the tutorial.
        (files / "tutorial.sha256").write_bytes((late / "tutorial.sha256").read_bytes())
        (files / "tutorial-setup.sh").write_bytes((late / "tutorial-setup.sh").read_bytes())
        (files / "tutorial.tar").write_bytes((late / "tutorial.tar").read_bytes()[:100])
        # Two more pauses of its wait: the look between them began after the half copy.
        deadline, then = time.monotonic() + HANG_S, looked()
        while looked() < then + 2:
            assert setup.poll() is None and time.monotonic() < deadline, read(env["SETUP_LOG"])
            time.sleep(0.1)
        assert setup.poll() is None and "tutorial setup started" not in read(env["SETUP_LOG"])
        (files / "tutorial.tar").write_bytes((late / "tutorial.tar").read_bytes())
        assert setup.wait(timeout=HANG_S) == 0, read(env["SETUP_LOG"])
    finally:
        if setup.poll() is None:
            setup.kill()
    assert Path(env["READY_MARKER"]).is_file()
    assert Path(env["TUTORIAL_DIR"], "step1.py").is_file()


def test_background_says_so_when_the_assets_never_come(setup_env, tmp_path):
    empty = tmp_path / "nothing"
    result = background({**setup_env, "TUTORIAL_FILES": str(empty)}, ASSET_TIMEOUT="1")
    assert result.returncode == 1
    said = read(setup_env["FAILED_MARKER"])
    assert "did not reach this machine" in said and "Restart the scenario" in said
    # And the wait shows it, in its words.
    assert "did not reach this machine" in waiting({**setup_env, "TUTORIAL_FILES": str(empty)}).stdout


def test_a_second_setup_leaves_a_running_one_alone(setup_env, tmp_path):
    import fcntl
    with open(setup_env["SETUP_LOCK"], "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        result = background(setup_env)
    assert result.returncode == 0 and not Path(setup_env["SETUP_LOG"]).exists()
    assert not Path(setup_env["SETUP_PID"]).exists()


def test_a_setup_killed_midway_is_reported_as_stopped(setup_env, tmp_path):
    """Said as a stop, not as the 600 s timeout. How soon is the wait's loop's (it looks
    every second); no test times it on a shared machine."""
    # background.sh with a pip that hangs: killed there, it writes no marker.
    hang = tmp_path / "stubs" / "python3"
    hang.write_text(hang.read_text().replace('[ "$1" = -c ] || exit "${STUB_PIP_EXIT:-0}"',
                                             '[ "$1" = -c ] || sleep infinity'))
    env = setup_env
    setup = subprocess.Popen(["bash", str(BACKGROUND)], env=env, start_new_session=True)
    wait = None
    try:
        wait_for_line(env["SETUP_LOG"], "installing requirements")
        wait = subprocess.Popen(["bash", str(TUTORIAL), "--wait"], stdout=subprocess.PIPE,
                                env=env)
        seen = read_until(wait, "Setting up")  # it waits, and found the setup running
        os.killpg(setup.pid, 9)
        setup.wait(timeout=HANG_S)  # reaped, as its parent on the VM does
        out = seen + wait.communicate(timeout=HANG_S)[0].decode()
    finally:
        for process in (setup, wait):
            if process and process.poll() is None:
                process.kill()
    assert wait.returncode == 1
    assert "The setup stopped without finishing" in out and env["SETUP_LOG"] in out
    assert "Setting up" in out and "installing requirements.txt" in out
    assert "source tutorial" in out
