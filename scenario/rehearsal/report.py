"""What the report keeps of each click, its summary, and the table printed at the end."""
import re

from .pages import READ_WPM, TYPE_CPM

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


def journey(report):
    """The learner's waiting: clicked seconds per page and in all (the intro's setup
    left out), that total over the first `python step2.py` click's seconds (a ratio
    that holds across machines), and how many clicks trained the convolutional model."""
    clicks = [(page["page"], c) for page in report["pages"] if page["page"] != "intro"
              for c in page["clicks"] if c.get("kind") == "exec" and c.get("wall_s") is not None]
    per_page = {}
    for name, c in clicks:
        per_page[name] = round(per_page.get(name, 0) + c["wall_s"], 1)
    step2 = next((c["wall_s"] for _, c in clicks if c["command"].strip() == "python step2.py"), None)
    total = round(sum(c["wall_s"] for _, c in clicks), 1)
    return dict(clicks_s=per_page, total_clicks_s=total, first_step2_s=step2,
                total_vs_step2=round(total / step2, 1) if step2 else None,
                conv_trainings=sum("convolutional" in c.get("trained", []) for _, c in clicks))


def estimates(report):
    """Each page's estimated learner minutes: its visible prose words at READ_WPM, the
    characters of what the learner types at TYPE_CPM, its clicked commands' seconds,
    and, on the intro, the setup's seconds to Ready; and the scenario's sum."""
    clicked = {page["page"]: sum(c.get("wall_s") or 0 for c in page["clicks"]
                                 if c.get("kind") == "exec") for page in report["pages"]}
    pages = {}
    for name, read in (report.get("reading") or {}).items():
        parts = dict(reading_min=read["words"] / READ_WPM, typing_min=read["typed_chars"] / TYPE_CPM,
                     clicks_min=clicked.get(name, 0) / 60,
                     setup_min=(report.get("ready_s") or 0) / 60 if name == "intro" else 0)
        pages[name] = {**read, **{k: round(v, 1) for k, v in parts.items()},
                       "estimated_min": round(sum(parts.values()), 1)}
    return dict(pages=pages, total_min=round(sum(p["estimated_min"] for p in pages.values()), 1),
                how=f"visible prose words at {READ_WPM} a minute + typed characters at {TYPE_CPM} a "
                    "minute + clicked commands' seconds + the setup to Ready (intro)")


def summary(report):
    """Per page, the numbers that docs may quote: <!-- rehearsal: PAGE.FIELD -->."""
    waiting = report.get("journey") or {}
    numbers = {"intro": {"ready_s": report.get("ready_s")},
               "all": {"total_s": report.get("total_s"),
                       "clicks_s": waiting.get("total_clicks_s"),
                       "clicks_vs_step2": waiting.get("total_vs_step2"),
                       "conv_trainings": waiting.get("conv_trainings"),
                       "estimated_min": (report.get("estimates") or {}).get("total_min")}}
    for page in report["pages"]:
        if page["page"] != "intro":
            numbers[page["page"]] = {"wall_s": page.get("wall_s"),
                                     "clicks_s": waiting.get("clicks_s", {}).get(page["page"])}
        numbers[page["page"]]["peak_mb"] = page.get("peak_mb")  # the capped cgroup's
        estimated = (report.get("estimates") or {}).get("pages", {}).get(page["page"])
        if estimated:
            numbers[page["page"]]["estimated_min"] = estimated["estimated_min"]
        for click in page["clicks"]:
            if click.get("kind") == "exec" and click.get("wall_s") is not None:
                numbers[page["page"]].setdefault("longest_click_s", 0)
                numbers[page["page"]]["longest_click_s"] = max(
                    numbers[page["page"]]["longest_click_s"], click["wall_s"])
    return {page: {field: {"min": v, "median": v, "max": v} for field, v in fields.items()
                   if v is not None} for page, fields in numbers.items()}


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
