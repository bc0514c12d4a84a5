"""The learner's journey: background.sh to Ready, then every page's clicks and Check."""
import json
import os
import re
import shlex
import signal
import subprocess
import time
from pathlib import Path

from .checks import CHECKS
from .delivery import SCRIPTS_INSIDE, deliver_assets, deliver_scripts
from .machine import HANG_S, Shell, log, run
from .pace import page_inputs
from .pages import actions, foreground_expects, numberless, pages
from .report import finish, plain
from .terminal import Terminal, screen_promises

TUTORIAL_DIR = "/root/fashion-mnist-tutorial"   # the setup's default
SETUP_LOG = "/var/log/tutorial-setup.log"
READY_MARKER = "/tmp/tutorial-ready"
RECOVERY = "source tutorial"  # the learner's way in, whatever happened to the setup
# How the learner is stranded before typing RECOVERY (scenario/rehearse --stranded):
STRANDINGS = {
    "interrupt": "Ctrl-C while the terminal waits for the setup",
    "kill": "the setup killed while pip installs (the platform, or out of memory)",
    "none": "no stranding: the terminal waits to Ready, the clicks' shell sources foreground.sh",
}
EDITORS = {"nano", "vi", "vim", "emacs", "pico"}
SETUP_TIMEOUT = 2400  # s, background.sh to Ready


def judge(click, expects, ctx):
    """Fill click["promises"] and click["ok"] from the box's expect comments."""
    out, err = plain(click["full_stdout"]), plain(click["full_stderr"])
    promises, wants_exit, stderr_allowed = [], 0, False
    for kind, argument in expects:
        if kind == "exit":
            wants_exit = int(argument)
            continue
        if kind in ("regex", "stderr"):  # the detail shows what matched, as evidence
            stderr_allowed = stderr_allowed or kind == "stderr"
            found = re.search(argument, out if kind == "regex" else err, re.M)
            ok = bool(found)
            detail = (f"{kind if kind == 'stderr' else 'stdout'} has: {found.group()[:300]!r}"
                      if found else f"no match in {'stdout' if kind == 'regex' else 'stderr'}")
        elif kind == "check":
            check = CHECKS.get(argument)
            ok, detail = check(click, ctx) if check else (False, "no such check")
        promises.append(dict(expect=f"{kind} {argument}" if kind != "regex" else argument,
                             ok=bool(ok), detail=detail))
        if kind == "check" and check:  # the promise in words, as its docstring gives it
            promises[-1]["promise"] = " ".join(check.__doc__.split())
    promises.append(dict(expect=f"exit {wants_exit}", ok=click["exit"] == wants_exit,
                         detail=f"exit {click['exit']}"))
    if not stderr_allowed:
        promises.append(dict(expect="no stderr", ok=not err.strip(),
                             detail=err.strip().splitlines()[-1] if err.strip() else ""))
    click["promises"] = promises
    click["ok"] = all(p["ok"] for p in promises)


def apply_edit(item, shell, root):
    """Replace the line the page showed (from FILE) with the page's edited line."""
    old_lines = [l.strip() for l in item["old"].splitlines() if l.strip()]
    new_lines = [l.strip() for l in item["new"].splitlines() if l.strip()]
    cwd = shell.probe("pwd").strip()
    target = root.inside(cwd) / item["file"]
    code = target.read_text().splitlines(keepends=True)
    done = []
    for new in new_lines:
        old = next((o for o in old_lines if numberless(o) == numberless(new)), None)
        for i, line in enumerate(code):
            if old and line.strip().startswith(old):  # a comment may follow the code
                code[i] = line.replace(old, new, 1)
                done.append((old, new))
                break
        else:  # the line as the file has it now (an earlier edit changed its numbers)
            for i, line in enumerate(code):
                if line.strip() and numberless(line.strip()) == numberless(new):
                    done.append((line.strip(), new))
                    code[i] = line.replace(line.strip(), new, 1)
                    break
    target.write_text("".join(code))
    ok = len(done) == len(new_lines) > 0
    return dict(kind="edit", file=item["file"], command=f"(edit {item['file']})",
                old_line=done[0][0] if done else "", new_line=done[0][1] if done else "",
                line=item["line"], exit=0 if ok else 1, wall_s=0.0, stdout="", stderr="",
                promises=[dict(expect="the edit applies", ok=ok, detail=f"{done}")], ok=ok)


def squashed(text):
    return "".join(text.split())


def type_block(item, shell, root):
    """Type an answer's block into the learner's file, below its `# [label]` line, as
    the page asks (the label is the one the answer file puts above that block)."""
    folder = root.inside(shell.probe("pwd").strip())
    target, answer = folder / item["file"], (folder / item["answer"]).read_text()
    label, blocks = None, {}
    for line in answer.splitlines():
        found = re.match(r"# \[(\w+)\]", line)
        if found or line.startswith("# Keep this line last"):
            label = found and found.group(1)
            blocks.setdefault(label, "")
        elif label:
            blocks[label] += line + "\n"
    label = next((name for name, code in blocks.items()
                  if name and squashed(code) == squashed(item["code"])), None)
    # Lines of a block, typed in place of its scaffold's `pass` (step 3's callback).
    part = label is None and next((name for name, code in blocks.items()
                                   if name and squashed(item["code"]) in squashed(code)), None)
    label = label or part
    lines = target.read_text().splitlines(keepends=True)
    where = next((i for i, line in enumerate(lines) if label and line.startswith(f"# [{label}]")),
                 None)
    if where is not None and part:
        where = next((i for i in range(where + 1, len(lines)) if re.match(r"# \[", lines[i])
                      or lines[i].strip().split("#")[0].strip() == "pass"), None)
        where = where if where is not None and lines[where].strip().startswith("pass") else None
    already = squashed(item["code"]) in squashed("".join(lines))
    ok = already or where is not None
    if where is not None and not already:
        if part:
            lines[where:where + 1] = [item["code"].rstrip("\n") + "\n"]
        else:
            lines.insert(where + 1, item["code"].rstrip("\n") + "\n")
        target.write_text("".join(lines))
    return dict(kind="type", file=item["file"], command=f"(type [{label}] into {item['file']})",
                line=item["line"], exit=0 if ok else 1, wall_s=0.0, stdout="", stderr="",
                promises=[dict(expect="the block has its place", ok=ok, detail=f"[{label}]")],
                ok=ok)


VERSIONS = """import importlib.metadata as m, json, platform
def version(*names):
    for name in names:
        try:
            return m.version(name)
        except m.PackageNotFoundError:
            pass
print(json.dumps(dict(python=platform.python_version(), numpy=version("numpy"),
                      keras=version("keras"), tensorflow=version("tensorflow-cpu", "tensorflow"))))
"""


def memory_held(root, entry, last_click):
    """Record the page's peak of the whole cgroup; False (logged) if the kernel killed
    a process of the learner's side for going over the cap during this page."""
    if not root.memory:
        return True
    entry["peak_mb"] = root.memory.held_peak_mb()          # its processes' own memory
    entry["peak_with_cache_mb"] = root.memory.peak_mb()    # the cgroup's, page cache too
    kills = root.memory.oom_kills()
    entry["oom_kills"] = kills - root.memory.kills_seen
    root.memory.kills_seen = kills
    if entry["oom_kills"]:
        box = last_click["command"] if last_click else "(no click)"
        log(f"  OUT OF MEMORY on the {entry['page']} page, by {box!r} or what ran beside it: "
            f"{entry['oom_kills']} process(es) killed; peak {entry['peak_mb']} MB of the "
            f"{root.memory.limit_mb} MB cap")
        entry["error"] = (f"out of memory: {entry['oom_kills']} process(es) killed at or before "
                          f"{box!r}; peak {entry['peak_mb']} MB of {root.memory.limit_mb} MB")
        return False
    return True


def prepare(args, root, report):
    """The base every scenario's fresh root is copied from: debootstrap, and python3
    without its venv module (Killercoda's ubuntu image); this checkout's HEAD noted."""
    checkout = Path(args.repo).resolve()
    commit = run("git", "-C", str(checkout), "rev-parse", "HEAD",
                 capture_output=True, text=True).stdout.strip()
    dirty = run("git", "-C", str(checkout), "status", "--porcelain", "--untracked-files=no",
                capture_output=True, text=True).stdout.strip()
    report.update(commit=commit, uncommitted_changes_not_rehearsed=[
        line[3:] for line in dirty.splitlines()])
    if dirty:
        log("warning: uncommitted changes are not rehearsed (the scenario folders come from HEAD)")
    start = time.monotonic()
    root.build()
    if getattr(args, "python_without_venv", False):
        # Killercoda's ubuntu image: python3 is there, its venv module (ensurepip) is not.
        log("python3 without its venv module into the root, as Ubuntu's image has it")
        with open(root.folder / "python3.log", "w") as out:
            for words in (["apt-get", "-q", "update"],
                          ["apt-get", "-q", "-y", "install", "--no-install-recommends", "python3"]):
                run(*root.command(*words, env={"DEBIAN_FRONTEND": "noninteractive"}),
                    stdout=out, stderr=subprocess.STDOUT)
        if subprocess.run(root.command("python3", "-c", "import ensurepip"),
                          capture_output=True).returncode == 0:
            raise RuntimeError("the root's python3 has ensurepip already: not Ubuntu's case")
        # What apt downloaded is no part of the image: each fresh copy goes without it.
        run(*root.command("apt-get", "clean"))
    report["build_s"] = round(time.monotonic() - start, 1)
    report["root"] = dict(suite=args.suite, mirror=args.mirror, variant="minbase",
                          os=root.inside("/etc/os-release").read_text().split('PRETTY_NAME="')[1]
                          .split('"')[0])


def reading(all_pages, name):
    """What each written page of scenario `name` asks of the learner, for the estimate
    of their time (rehearsal.pace), by page name."""
    return {p["name"]: dict(page_inputs(p["text"].read_text()), scenario=name,
                            check=bool(p["verify"]))
            for p in all_pages if p["text"].exists()}


def stranding(args, name, names):
    """This scenario's stranding: --stranded's modes, in turn over the course's scenarios."""
    modes = args.stranded.split(",")
    return modes[names.index(name) % len(modes)] if name in names else modes[0]


def start_scenario(args, root, name, staged):
    """The VM as Killercoda makes it: a fresh root, and the scenario's folder alone,
    from the rehearsed commit (staged outside the VM): its scripts in the VM now, its
    assets later (deliver_assets). The folder."""
    log(f"scenario {name}: a fresh root")
    seconds = root.fresh(name)
    log(f"scenario {name}: fresh root in {seconds:.1f} s")
    folder = staged(name, root.folder / "killercoda" / name)
    deliver_scripts(folder, root.path)
    return folder, seconds


def rehearse(args, root, report, name, staged, names):
    """One scenario of the course, as a learner meets it on a fresh VM: a fresh copy of
    the base with the scenario folder's scripts, its background.sh and typed-in
    foreground.sh, its assets --assets-after seconds later, a stranded start
    (--stranded) and the learner's way back in, then every page's clicks and Check.
    Fills report["scenarios"][name] and adds its pages to report["pages"]."""
    mine = report["scenarios"].setdefault(name, dict(ok=False))
    scenario, mine["root_s"] = start_scenario(args, root, name, staged)
    mine["root_s"] = round(mine["root_s"], 1)
    index = json.loads((scenario / "index.json").read_text())
    mine["title"] = index["title"]
    mode = stranding(args, name, names)
    mine["delivery"] = dict(assets_after_s=args.assets_after, stranded=mode,
                            how=STRANDINGS[mode])
    all_pages = pages(scenario, name)
    mine["pages_expected"] = [p["name"] for p in all_pages if p["verify"] or p["foreground"]
                              or (p["text"].exists() and actions(p["text"].read_text()))]
    # What each page gives the learner to read and to type (its estimated time's parts).
    missing = [str(p["text"].relative_to(scenario)) for p in all_pages if not p["text"].exists()]
    if missing:
        mine["missing_pages"] = missing
        log(f"scenario {name}: pages missing: {', '.join(missing)}")
    report["reading"].update(reading(all_pages, name))

    shell = Shell(root)
    intro = all_pages[0]
    if root.memory:
        root.memory.reset_peak()
    background_log = root.folder / "background.out"
    log(f"background.sh started; the learner's terminal runs foreground.sh; assets "
        + (f"{args.assets_after} s later" if args.assets_after else "first")
        + f"; stranded: {mode}")
    start = time.monotonic()
    promises = []
    if not args.assets_after:  # the assets first, as the scripts once assumed
        deliver_assets(scenario, root.path)
    with open(background_log, "w") as out:
        background = subprocess.Popen(
            root.command("/bin/bash", f"{SCRIPTS_INSIDE}/{intro['background']}"),
            stdout=out, stderr=subprocess.STDOUT, cwd="/", preexec_fn=root.learner_side,
            start_new_session=True)
    # Killercoda types foreground.sh into the learner's terminal: so does the rehearsal,
    # into an interactive bash on a pseudo-terminal, and it reads the learner's screen.
    typed = (scenario / intro["foreground"]).read_text()
    root.terminal = Terminal(root.command("/bin/bash", "-i"), root.folder,
                             preexec_fn=root.learner_side)
    typing = time.monotonic()
    root.terminal.type(typed)
    terminal = root.terminal
    if args.assets_after:
        shown, _ = terminal.watch(lambda screen: False, args.assets_after, typing)
        written = deliver_assets(scenario, root.path)
        log(f"{name}: assets delivered after {time.monotonic() - start:.0f} s: "
            + ", ".join(str(p.relative_to(root.path)) for p in written))
        promises.append(dict(expect="the terminal says it waits for late assets",
                             ok="Waiting for the tutorial's files" in shown,
                             detail=shown.splitlines()[-2:]))
    setup_log = root.inside(SETUP_LOG)
    if mode == "interrupt":
        # The learner presses Ctrl-C while the terminal waits for the setup.
        shown, waiting = terminal.watch(lambda screen: "Setting up (" in screen, SETUP_TIMEOUT,
                                        typing)
        terminal.interrupt()
        log(f"{name}: Ctrl-C in the learner's terminal while it waits")
    elif mode == "kill":
        # The setup is killed while pip installs: the terminal says so, at once.
        def installing(screen):
            return setup_log.exists() and "=== installing requirements" in setup_log.read_text(
                errors="replace")
        _, waiting = terminal.watch(installing, SETUP_TIMEOUT, typing)
        os.killpg(background.pid, signal.SIGKILL)
        background.wait()
        log(f"{name}: the setup killed while pip installs")
        shown, _ = terminal.watch(lambda screen: "The setup stopped without finishing" in screen,
                                  HANG_S, typing)
        promises.append(dict(expect="the terminal says at once that the setup stopped",
                             ok="The setup stopped without finishing" in shown
                             and RECOVERY in shown, detail=shown.splitlines()[-3:]))
    if mode != "none":
        promises.append(dict(expect=f"stranded: {STRANDINGS[mode]}", ok=waiting,
                             detail="the terminal was waiting for the setup" if waiting
                             else "the terminal never showed the wait"))
        # Back at a prompt, outside the tutorial: the learner types the way back in.
        terminal.watch(lambda screen: bool(re.search(r"[#$]\s*$", screen)), HANG_S, typing)
        terminal.type(RECOVERY)
        log(f"{name}: typed {RECOVERY!r}")
    screen, seconds = terminal.wait_for_prompt_after(
        timeout=SETUP_TIMEOUT, started=typing, after=None if mode == "none" else RECOVERY)
    try:
        background_exit = background.wait(timeout=HANG_S)
    except subprocess.TimeoutExpired:
        background_exit = None
    ready_s = time.monotonic() - start
    setup_text = setup_log.read_text(errors="replace") if setup_log.exists() else ""
    stages = [line[4:] for line in setup_text.splitlines() if line.startswith("=== ")]
    if mode == "none":
        # The clicks' shell gets the same: foreground.sh, sourced once the setup is Ready.
        code, out, err, _ = shell.run(f". {SCRIPTS_INSIDE}/{intro['foreground']}", timeout=HANG_S)
        promises.append(dict(expect="the clicks' shell sources foreground.sh too",
                             ok=code == 0 and "Ready after" in out and not err.strip(),
                             detail=f"{dict(exit=code, stdout=plain(out).strip().splitlines()[-1:], stderr=plain(err).strip())}"))
    else:
        # The clicks' shell is stranded too: in /root, no venv; the pages bring it in.
        code, out, err, _ = shell.run('cd ~; echo "$PWD ${VIRTUAL_ENV:-no venv}"', timeout=HANG_S)
        promises.append(dict(expect="the clicks' shell starts stranded: in /root, no venv",
                             ok=out.strip() == "/root no venv", detail=out.strip()))
    fg = dict(kind="foreground", command=f"(typed into the terminal) {intro['foreground']}",
              exit=0 if re.search(r"^Ready after", screen, re.M) else 1,
              wall_s=round(seconds, 1), full_stdout=screen, full_stderr="",
              screens=[dict(s=s, screen=shown) for s, shown in terminal.screens[-12:]])
    judge(fg, [("regex", r) for r in foreground_expects(intro["text"].read_text())], {})
    apt_offers = "Candidate: (none)" not in subprocess.run(
        root.command("apt-cache", "policy", "dataset-fashion-mnist"),
        capture_output=True, text=True).stdout
    fg["promises"] += screen_promises(terminal, typed, stages,
                                      waits=1 if mode == "none" else 2) + promises + [
        dict(expect="the setup finished (its Ready marker)",
             ok=root.inside(READY_MARKER).exists(), detail=stages[-1:]),
        dict(expect="background.sh exits 0" if mode != "kill" else "background.sh was killed",
             ok=background_exit == (0 if mode != "kill" else -signal.SIGKILL),
             detail=f"exit {background_exit}"),
        dict(expect="dataset-fashion-mnist installed when apt offers it",
             ok=not apt_offers or "=== installing dataset-fashion-mnist" in setup_text,
             detail=f"apt offers it: {apt_offers}")]
    if mode != "none":
        # The terminal the learner typed the way back into is in the tutorial, venv on.
        terminal.type('echo "in $PWD, ${VIRTUAL_ENV:-no venv}"')
        # Until the echo's answer is on the screen, whatever it says (the bound only
        # stops a hang); then whether it says the tutorial's folder and venv.
        shown, _ = terminal.watch(lambda screen: re.search(r"^in /\S*, ", screen, re.M),
                                  HANG_S, typing)
        inside = f"in {TUTORIAL_DIR}, {TUTORIAL_DIR}/.venv" in shown
        fg["promises"].append(dict(expect=f"{RECOVERY!r} put the terminal in the tutorial's "
                                          "folder with its venv", ok=inside,
                                   detail=shown.splitlines()[-2:]))
    fg["ok"] = all(p["ok"] for p in fg["promises"])
    versions = subprocess.run(root.command(f"{TUTORIAL_DIR}/.venv/bin/python", "-c", VERSIONS),
                              capture_output=True, text=True).stdout
    mine["versions"] = json.loads(versions) if versions.strip() else {}
    for key, value in mine["versions"].items():
        report["root"].setdefault(key, value)
    mine["ready_s"] = round(ready_s, 1)
    mine["setup_log_tail"] = setup_text.splitlines()[-8:]
    log(f"{name}: Ready after {ready_s:.0f} s" if fg["ok"] else f"{name}: setup FAILED")
    intro_entry = dict(page=intro["name"], scenario=name, title=intro["title"], clicks=[finish(fg)],
                       wall_s=round(ready_s, 1), check=None, ok=fg["ok"])
    report["pages"].append(intro_entry)
    fg["ok"] = memory_held(root, intro_entry, fg) and fg["ok"]
    intro_entry["ok"] = fg["ok"]
    if not fg["ok"]:
        return

    outputs = {}
    for page in all_pages:
        if not page["text"].exists():  # said above, and its absence fails the scenario
            continue
        items = actions(page["text"].read_text())
        if not items and not page["verify"]:
            continue
        entry = dict(page=page["name"], scenario=name, title=page["title"], clicks=[], check=None)
        if page is intro:
            entry = intro_entry
        page_start, edited = time.monotonic(), False
        if root.memory and page is not intro:
            root.memory.reset_peak()
        ctx = dict(page=[], probe=shell.probe, out=lambda c: plain(outputs[id(c)][0]))
        for item in items:
            if item["kind"] in ("edit", "type"):
                click = (apply_edit if item["kind"] == "edit" else type_block)(item, shell, root)
                # The learner's own file: the step scripts' runs stay comparable.
                edited = edited or not item["file"].startswith("exercises/")
                ctx["page"].append(click)
                outputs[id(click)] = ("", "")
                entry["clicks"].append(click)
                log(f"{page['name']}: {item['kind']} {item['file']}: "
                    f"{'ok' if click['ok'] else 'FAILED'}")
                continue
            words = shlex.split(item["command"].splitlines()[0]) if item["command"] else [""]
            if words[0] in EDITORS:
                entry["clicks"].append(dict(kind="skipped", command=item["command"],
                                            line=item["line"], ok=True, promises=[],
                                            detail="an editor: the page's edit is applied instead"))
                continue
            log(f"{page['name']}: {item['command']!r}")
            code, out, err, seconds = shell.run(item["command"])
            click = dict(kind="exec", command=item["command"], line=item["line"], exit=code,
                         wall_s=round(seconds, 1), full_stdout=out, full_stderr=err,
                         after_edit=edited, trained=[model for model in ("dense", "convolutional")
                                                     if f"The {model} model" in out])
            outputs[id(click)] = (out, err)
            ctx["page"].append(click)
            judge(click, item["expects"], ctx)
            entry["clicks"].append(click)
            for p in click["promises"]:
                if not p["ok"]:
                    log(f"  FAILED on the {page['name']} page, after {item['command']!r}: "
                        f"{p.get('promise') or p['expect']} ({p['expect']}). Seen: {p['detail']}")
        if page["verify"]:
            checking = time.monotonic()
            result = subprocess.run(root.command("/bin/bash", f"{SCRIPTS_INSIDE}/{page['verify']}"),
                                    capture_output=True, text=True, cwd="/",
                                    preexec_fn=root.learner_side)
            ok = result.returncode == 0 and result.stdout.strip() == "done"
            entry["check"] = dict(script=page["verify"], exit=result.returncode,
                                  wall_s=round(time.monotonic() - checking, 1),
                                  stdout=result.stdout.strip(), stderr=result.stderr.strip(), ok=ok)
            log(f"{page['name']}: Check {'passed' if ok else 'FAILED: ' + result.stdout + result.stderr}")
        if page is not intro:
            entry["wall_s"] = round(time.monotonic() - page_start, 1)
            report["pages"].append(entry)
        held = memory_held(root, entry, entry["clicks"][-1] if entry["clicks"] else None)
        entry["clicks"] = [finish(c) for c in entry["clicks"]]
        entry["ok"] = held and all(c["ok"] for c in entry["clicks"]) and (
            entry["check"] is None or entry["check"]["ok"])
