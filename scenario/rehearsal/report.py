"""What the report keeps of each click, its summary, and the table printed at the end."""
import re

from . import pace

KEEP_LINES = (15, 40)  # first and last lines kept of a long output
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][A-Z0-9]")


def plain(text):
    """text as a terminal shows it: no colour codes, \\r and \\b (progress bars) applied."""
    lines = []
    for line in ANSI.sub("", text).split("\n"):
        line = line.rstrip("\r").rsplit("\r", 1)[-1]
        if "\b" in line:
            shown = []
            for char in line:
                if char == "\b":
                    if shown:
                        shown.pop()
                else:
                    shown.append(char)
            line = "".join(shown)
        if line.strip() or not lines or lines[-1]:  # a run of blank lines shows as one
            lines.append(line if line.strip() else "")
    return "\n".join(lines)


def keep(text):
    lines = plain(text).splitlines()
    first, last = KEEP_LINES
    if len(lines) <= first + last + 1:
        return "\n".join(lines)
    return "\n".join(lines[:first] + [f"[... {len(lines) - first - last} lines left out ...]"]
                     + lines[-last:])


def finish(click):
    """A click as the report keeps it: outputs shortened."""
    if "full_stdout" in click:
        click["stdout"] = keep(click.pop("full_stdout"))
        click["stderr"] = keep(click.pop("full_stderr"))
    click.pop("after_edit", None)
    return click


GOAL_MIN = 45  # a scenario's beginner-minutes at most: a free session is one hour, 15 min spare


def intro_page(page):
    return page == "intro" or page.endswith("/intro")


def journey(report):
    """The learner's waiting: clicked seconds per page, per scenario and in all (the
    intros' setup left out), that total over the first `python step2.py` click's
    seconds (a ratio that holds across machines), and how many clicks trained the
    convolutional model, per scenario (each starts on a fresh VM) and in all."""
    clicks = [(page, c) for page in report["pages"] if not intro_page(page["page"])
              for c in page["clicks"] if c.get("kind") == "exec" and c.get("wall_s") is not None]
    per_page, per_scenario = {}, {}
    for page, c in clicks:
        per_page[page["page"]] = round(per_page.get(page["page"], 0) + c["wall_s"], 1)
        mine = per_scenario.setdefault(page.get("scenario"), dict(clicks_s=0, conv_trainings=0))
        mine["clicks_s"] = round(mine["clicks_s"] + c["wall_s"], 1)
        mine["conv_trainings"] += "convolutional" in c.get("trained", [])
    step2 = next((c["wall_s"] for _, c in clicks if c["command"].strip() == "python step2.py"), None)
    total = round(sum(c["wall_s"] for _, c in clicks), 1)
    return dict(clicks_s=per_page, total_clicks_s=total, first_step2_s=step2,
                total_vs_step2=round(total / step2, 1) if step2 else None,
                conv_trainings=sum("convolutional" in c.get("trained", []) for _, c in clicks),
                scenarios=per_scenario)


def estimates(report):
    """Each page's beginner-minutes on the typing path (rehearsal.pace: its reading,
    code, typing, commands and their outputs, Check, browser and, on an intro, its
    scenario's setup to Ready) from report["reading"] (what each page's text asks) and
    the clicks the report recorded; each scenario's sum, against GOAL_MIN, and the
    course's. A page's optional sections are counted apart (optional_min)."""
    clicks = pace.recorded(report)
    checks = {page["page"]: page.get("check") for page in report["pages"]}
    scenarios_run = report.get("scenarios") or {}
    pages, scenarios, seen = {}, {}, {}
    for name, read in (report.get("reading") or {}).items():
        ready = (scenarios_run.get(read.get("scenario")) or {}).get("ready_s") or 0
        check = (checks.get(name) or {}) if read.get("check") else None
        pages[name] = dict(scenario=read.get("scenario"), **pace.page_minutes(
            name, read, clicks, check, ready if intro_page(name) else 0,
            seen.setdefault(read.get("scenario"), set())))
        if read.get("scenario"):
            mine = scenarios.setdefault(read["scenario"], dict(estimated_min=0, optional_min=0))
            for field in ("estimated_min", "optional_min"):
                mine[field] = round(mine[field] + pages[name][field], 1)
    for mine in scenarios.values():
        mine.update(goal_min=GOAL_MIN, over_goal=mine["estimated_min"] > GOAL_MIN)
    return dict(pages=pages, scenarios=scenarios, goal_min=GOAL_MIN,
                total_min=round(sum(p["estimated_min"] for p in pages.values()), 1),
                how=pace.HOW)


def summary(report):
    """The numbers that docs may quote, <!-- rehearsal: KEY.FIELD -->: KEY is a page
    (step1, tensorboard, ...; SCENARIO/intro too, which a tag cannot name), a scenario
    (first-model: ready_s, estimated_min, intro_min, root_s, total_s, clicks_s,
    conv_trainings) or `all` (the course)."""
    waiting = report.get("journey") or {}
    guess = report.get("estimates") or {}
    numbers = {"all": {"total_s": report.get("total_s"), "build_s": report.get("build_s"),
                       "clicks_s": waiting.get("total_clicks_s"),
                       "clicks_vs_step2": waiting.get("total_vs_step2"),
                       "conv_trainings": waiting.get("conv_trainings"),
                       "estimated_min": guess.get("total_min")}}
    for name, mine in (report.get("scenarios") or {}).items():
        numbers[name] = {field: mine.get(field) for field in ("ready_s", "root_s", "total_s")}
        numbers[name].update((waiting.get("scenarios") or {}).get(name) or {})
        numbers[name]["estimated_min"] = (guess.get("scenarios", {}).get(name) or {}).get(
            "estimated_min")
        numbers[name]["intro_min"] = (guess.get("pages", {}).get(f"{name}/intro") or {}).get(
            "estimated_min")
    for page in report["pages"]:
        numbers[page["page"]] = {"wall_s": page.get("wall_s"),
                                 "clicks_s": waiting.get("clicks_s", {}).get(page["page"]),
                                 "peak_mb": page.get("peak_mb")}  # the capped cgroup's
        estimated = guess.get("pages", {}).get(page["page"])
        if estimated:
            numbers[page["page"]]["estimated_min"] = estimated["estimated_min"]
        for click in page["clicks"]:
            if click.get("kind") == "exec" and click.get("wall_s") is not None:
                numbers[page["page"]].setdefault("longest_click_s", 0)
                numbers[page["page"]]["longest_click_s"] = max(
                    numbers[page["page"]]["longest_click_s"], click["wall_s"])
    return {page: {field: {"min": v, "median": v, "max": v} for field, v in fields.items()
                   if v is not None} for page, fields in numbers.items()}


def scenario_table(report):
    """One line per scenario: its fresh root, Ready, estimated minutes against the goal."""
    guess = (report.get("estimates") or {}).get("scenarios", {})
    rows = [("scenario", "fresh root s", "Ready s", "whole s", "estimated min", "goal", "ok")]
    for name, mine in (report.get("scenarios") or {}).items():
        estimate = guess.get(name, {})
        rows.append((name, f"{mine.get('root_s', '-')}", f"{mine.get('ready_s', '-')}",
                     f"{mine.get('total_s', '-')}", f"{estimate.get('estimated_min', '-')}",
                     f"{GOAL_MIN}" + (" OVER" if estimate.get("over_goal") else ""),
                     "yes" if mine.get("ok") else "FAILED"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        print("  ".join(v.ljust(w) if i == 0 else v.rjust(w)
                        for i, (v, w) in enumerate(zip(r, widths))).rstrip())
    return [name for name, estimate in guess.items() if estimate.get("over_goal")]


PACE_PARTS = ("reading", "code", "typing", "clicks", "output", "check", "browser", "setup")
# setup: the minutes of the setup to Ready beyond reading the intro (rehearsal.pace)


def pace_table(report):
    """Each page's beginner-minutes and their parts, then each scenario's."""
    guess = report.get("estimates") or {}
    rows = [("page", *PACE_PARTS, "min", "optional")]
    for name, page in guess.get("pages", {}).items():
        rows.append((name, *(f"{page[part + '_min']:.1f}" for part in PACE_PARTS),
                     f"{page['estimated_min']:.1f}", f"{page['optional_min']:.1f}"))
    for name, mine in guess.get("scenarios", {}).items():
        rows.append((f"= {name}", *[""] * len(PACE_PARTS), f"{mine['estimated_min']:.1f}",
                     f"{mine['optional_min']:.1f}"))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        print("  ".join(v.ljust(w) if i == 0 else v.rjust(w)
                        for i, (v, w) in enumerate(zip(r, widths))).rstrip())
    for name, page in guess.get("pages", {}).items():
        for command in page.get("unrecorded", []):
            print(f"{name}: not rehearsed yet, counted as {pace.OUTPUT_S[1]} s: {command!r}")


def table(report):
    rows = [("page", "click", "s", "exit", "promises")]
    for page in report["pages"]:
        for c in page["clicks"]:
            held = sum(p["ok"] for p in c.get("promises", []))
            rows.append((page["page"], c["command"].replace("\n", "; ")[:46],
                         f"{c['wall_s']:.1f}" if c.get("wall_s") is not None else "-",
                         str(c.get("exit", "-")),
                         "skipped" if c["kind"] == "skipped"
                         else f"{held}/{len(c['promises'])}" + ("" if c["ok"] else " FAILED")))
        if page.get("check"):
            rows.append((page["page"], "Check", "", str(page["check"]["exit"]),
                         "passed" if page["check"]["ok"] else "FAILED"))
    widths = [max(len(r[i]) for r in rows) for i in range(5)]
    for r in rows:
        print("  ".join(v.rjust(w) if i in (2, 3) else v.ljust(w)
                        for i, (v, w) in enumerate(zip(r, widths))).rstrip())
