"""What the benchmark prints and writes: its tables, the machine, the JSON report."""
import json
import os
from pathlib import Path

from .targets import FIELDS, PEAK_LIMIT_MB


def limit_lines(title, checks):
    """The lines of one table of limits: target, field, median, PASS/MISS/n/a, limit."""
    units = {"first_line_s": ("first line", "{:.2f} s"), "wall_s": ("wall time", "{:.2f} s"),
             "peak_rss_mb": ("peak memory", "{:.0f} MB")}
    width = max(map(len, checks))
    lines = [title]
    for name, fields in checks.items():
        for field, check in fields.items():
            label, form = units[field]
            value = "-" if check["value"] is None else form.format(check["value"])
            lines.append(f"  {name:<{width}}  {label:<11} {value:>8}   {verdict(check):<4}  "
                         f"target {check['target']}")
    return "\n".join(lines)


def cell(field, value):
    return "-" if value is None else FIELDS[field][1].format(value)


def table(summary):
    headings = [heading for heading, _ in FIELDS.values()]
    widths = [max(len(h), 6) for h in headings]
    names = max(10, *map(len, summary))
    lines = [f"{'target':<{names}} stat    "
             + "  ".join(h.rjust(w) for h, w in zip(headings, widths))]
    for name, fields in summary.items():
        for stat in ("min", "median", "max"):
            cells = [cell(f, fields[f][stat] if fields[f] else None) for f in FIELDS]
            label = name if stat == "min" else ""
            lines.append(f"{label:<{names}} {stat:<7} "
                         + "  ".join(c.rjust(w) for c, w in zip(cells, widths)))
    return "\n".join(lines)


def verdict(check):
    return {True: "PASS", False: "MISS", None: "n/a"}[check["pass"]]


def ratio_lines(ratios, checks):
    def times(value, digits=2):
        return "-" if value is None else f"{value:.{digits}f}x"
    acc = checks["test_accuracy"]
    accuracy_note = ("" if acc["value"] is None else
                     f"loss {acc['value']:+.4f}, spread {acc['spread']:.4f}")
    peak = checks["peak_rss_mb_absolute"]
    stderr = checks["stderr_lines"]
    rows = [
        ("wall time", times(ratios["wall_s"]), "<= 0.75x", checks["wall_s"]),
        ("training time", times(ratios["train_s"]), "<= 0.60x", checks["train_s"]),
        ("peak memory", times(ratios["peak_rss_mb"]), "<= 0.67x", checks["peak_rss_mb"]),
        ("peak memory", "-" if peak["value"] is None else f"{peak['value']:.0f} MB",
         f"<= {PEAK_LIMIT_MB} MB on the full data", peak),
        ("test accuracy", times(ratios["test_accuracy"], 3),
         f"no loss beyond the spread ({accuracy_note})", acc),
        ("stderr lines", cell("stderr_lines", stderr["value"]), "0 in every run", stderr),
    ]
    lines = ["Step 2 against the baseline (ratios of medians, same machine, same run):"]
    for label, value, target, check in rows:
        lines.append(f"  {label:<14} {value:>8}   {verdict(check):<4}  target {target}")
    return "\n".join(lines)


def write_json(path, report):
    """Write the report so that a reader never sees half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(json.dumps(report, indent=2) + "\n")
    os.replace(temporary, path)


# --- main ----------------------------------------------------------------------
