"""What the report keeps of each click, its summary, and the table printed at the end."""
import re

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


def summary(report):
    """Per page, the numbers that docs may quote: <!-- rehearsal: PAGE.FIELD -->."""
    numbers = {"intro": {"ready_s": report.get("ready_s")}, "all": {"total_s": report.get("total_s")}}
    for page in report["pages"]:
        if page["page"] != "intro":
            numbers[page["page"]] = {"wall_s": page.get("wall_s")}
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
