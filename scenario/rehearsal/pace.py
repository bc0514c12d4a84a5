"""A beginner's pace: each page's minutes on the typing path, from the page's text and
the outputs its commands printed in a rehearsal.

A page is read in three parts: its core (what every learner does), its optional
parts (a section whose heading says "optional" or "more to try", a <details> whose
summary says "optional") and its folded parts (other <details>: answers and hints). The typing path is the core, with every answer the
page asks for typed in by hand (typed answers count even when folded; the folded
`check.py N --add` boxes, the short way, do not). Its minutes are:

- the core's prose at READ_WPM words a minute;
- the code blocks the core shows (commands and snippets; not the blocks typed in,
  whose time is the typing's) at CODE_WPM words a minute;
- the characters typed in (blocks and edits; comments left out: the pages say they
  need not be typed) at TYPE_CPM a minute, plus TYPO_SHARE;
- each core command's own seconds, as the rehearsal timed it, and the time to read
  what it printed: its words (lines printed before in the scenario left out) at
  READ_WPM, within OUTPUT_S (at least 15 s for an output with a table, a picture or
  more than 10 lines);
- CHECK_S for pressing Check and reading its answer, plus the Check's own seconds;
- the minutes the page asks for off the terminal, declared on the page as
  `<!-- browser: N min, WHAT -->` (TensorBoard in the browser, the Editor tab);
- on the intro, the setup's seconds to Ready beyond the time to read the intro: the
  setup runs while the learner reads it (the intro says so).

The optional sections' minutes are counted the same way, apart (`optional_min`).
"""
import re

from .pages import COMMENT, FENCE, FOLDED, OPTIONAL, WORD, actions

READ_WPM = 120         # prose, words a minute
CODE_WPM = 40          # code blocks the page shows, words a minute
TYPE_CPM = 70          # characters typed a minute
TYPO_SHARE = 0.2       # and a fifth more, for fixing typos
OUTPUT_S = (5, 15, 60)  # reading an output, s: at least; at least, when big; at most
BIG_LINES = 10         # an output of more lines is big; so is a table or a picture
CHECK_S = 15           # pressing Check and reading its answer, s
BROWSER = re.compile(r"<!--\s*browser:\s*(\d+(?:\.\d+)?)\s*min\b[,:]?\s*(.*?)\s*-->", re.S)
TABLE = re.compile(r"[│┃┏┡└├]|^\s*\S+(?: {2,}\S+){2,}\s*$", re.M)  # boxes, or 3+ columns
OPTIONAL_SUMMARY = re.compile(r"^<details>\s*<summary>[^<]*\boptional\b", re.I)
PICTURE = re.compile(r"^[ .:=+*#%@█▀▄░▒▓-]{16,}$", re.M)  # a drawing made of shades


def regions(text):
    """(optional spans, folded spans) of text: offsets of its optional sections (to the
    next heading of the same or a higher level) and of its <details> blocks."""
    optional, start, level, offset = [], None, None, 0
    for line in text.splitlines(keepends=True):
        heading = re.match(r"^(#+)\s", line)
        if heading and start is not None and len(heading.group(1)) <= level:
            optional.append((start, offset))
            start = None
        if start is None and OPTIONAL.match(line):
            start, level = offset, len(OPTIONAL.match(line).group(1))
        offset += len(line)
    if start is not None:
        optional.append((start, len(text)))
    folded = []
    for m in FOLDED.finditer(text):  # <summary>Type it yourself (optional)</summary>: optional
        (optional if OPTIONAL_SUMMARY.search(m.group()) else folded).append(m.span())
    return optional, folded


def part_of(pos, spans):
    optional, folded = spans
    if any(a <= pos < b for a, b in optional):
        return "optional"
    return "folded" if any(a <= pos < b for a, b in folded) else "core"


def words(text):
    return len(WORD.findall(text))


COMMENT_LINE = re.compile(r"^\s*#.*$|\s+#\s.*$", re.M)  # a comment, after code or alone


def typed(item):
    """Characters typed for a block or an edit: leading indentation (editors indent)
    and comments (there to read; the pages say they need not be typed) not counted."""
    code = COMMENT_LINE.sub("", item["code"] if item["kind"] == "type" else item["new"])
    return sum(len(line.strip()) for line in code.splitlines())


def page_inputs(text):
    """What the estimate needs of a page's text, per part (core, optional): prose
    words, code words shown, characters typed, browser minutes; and its commands in
    order, each with its part."""
    spans = regions(text)
    parts = {part: dict(words=0, code_words=0, typed_chars=0, browser_min=0.0)
             for part in ("core", "optional")}
    # Prose: the text without code, comments and folded blocks, split by part.
    blanked = FENCE.sub(lambda m: " " * len(m.group()), text)
    blanked = COMMENT.sub(lambda m: " " * len(m.group()), blanked)
    blanked = FOLDED.sub(lambda m: " " * len(m.group()), blanked)
    for m in WORD.finditer(blanked):
        part = part_of(m.start(), spans)
        parts[part]["words"] += 1
    steps = []
    kinds = {item["pos"]: item for item in actions(text)}
    for m in FENCE.finditer(text):
        part = part_of(m.start(), spans)
        item = kinds.get(m.start())
        if item and item["kind"] in ("type", "edit"):
            # A typed answer is typed on the typing path, folded or not.
            parts["optional" if part == "optional" else "core"]["typed_chars"] += typed(item)
        elif part != "folded":
            parts[part]["code_words"] += words(m.group(2))
    for item in actions(text):
        if item["kind"] == "exec":
            steps.append(dict(command=item["command"], part=part_of(item["pos"], spans)))
    for m in BROWSER.finditer(text):
        part = part_of(m.start(), spans)
        if part != "folded":
            parts[part]["browser_min"] += float(m.group(1))
    return dict(parts, commands=steps)


def big(output):
    lines = [line for line in output.splitlines() if line.strip()]
    return len(lines) > BIG_LINES or bool(TABLE.search(output)) or bool(PICTURE.search(output))


def output_seconds(output, seen=frozenset()):
    """Seconds to read an output; lines already `seen` (printed by an earlier command
    of the scenario: a table again, a loading line) are not read again, though the
    floor holds."""
    if not output.strip():
        return 0
    new = "\n".join(line for line in output.splitlines() if line.strip() not in seen)
    least, least_big, most = OUTPUT_S
    floor = least_big if big(output) else least
    return min(most, max(floor, words(new) / READ_WPM * 60))


def recorded(report):
    """The report's exec clicks by page, then by command: lists in click order."""
    found = {}
    for page in report.get("pages", []):
        for click in page["clicks"]:
            if click.get("kind") == "exec":
                found.setdefault(page["page"], {}).setdefault(click["command"], []).append(click)
    return found


def find_click(clicks, page, command, nth):
    """The recorded click of `command`: its nth on this page, else its first on any page
    (a page moved or renamed), else None (not rehearsed yet)."""
    mine = clicks.get(page, {}).get(command, [])
    if nth < len(mine):
        return mine[nth]
    for other in clicks.values():
        if other.get(command):
            return other[command][min(nth, len(other[command]) - 1)]
    return None


def click_output(click):
    return "\n".join(part for part in (click.get("stdout", ""), click.get("stderr", ""))
                     if part and part.strip())


def page_minutes(name, inputs, clicks, check=None, setup_s=0, seen=None):
    """A page's minutes, its parts, and its optional sections' minutes apart. `seen`:
    the lines the scenario's core commands printed on earlier pages (updated here)."""
    out, seen = {}, set() if seen is None else seen
    before = set(seen)
    for part in ("core", "optional"):
        mine = inputs[part]
        seconds = dict(clicks_s=0.0, output_s=0.0)
        nth, lines = {}, set(before)
        for step in inputs["commands"]:
            if step["part"] == "folded":
                nth[step["command"]] = nth.get(step["command"], 0) + 1
                continue
            click = find_click(clicks, name, step["command"], nth.get(step["command"], 0))
            nth[step["command"]] = nth.get(step["command"], 0) + 1
            text = click_output(click) if click else ""
            if step["part"] == part:
                if click is None:
                    out.setdefault("unrecorded", []).append(step["command"])
                    seconds["output_s"] += OUTPUT_S[1]
                else:
                    seconds["clicks_s"] += click.get("wall_s") or 0
                    seconds["output_s"] += output_seconds(text, lines)
            if step["part"] in ("core", part):  # what the learner saw so far
                lines.update(line.strip() for line in text.splitlines())
        if part == "core":
            seen.update(lines)
        out[part] = dict(
            reading_min=mine["words"] / READ_WPM, code_min=mine["code_words"] / CODE_WPM,
            typing_min=mine["typed_chars"] / TYPE_CPM * (1 + TYPO_SHARE),
            clicks_min=seconds["clicks_s"] / 60, output_min=seconds["output_s"] / 60,
            check_min=(CHECK_S + (check or {}).get("wall_s", 0)) / 60
            if part == "core" and check is not None else 0,
            browser_min=mine["browser_min"], setup_min=0)
    # The setup runs while the learner reads the intro: only the longer of the two counts.
    intro = out["core"]["reading_min"] + out["core"]["code_min"]
    out["core"]["setup_min"] = max(0, setup_s / 60 - intro)
    core = {k: round(v, 1) for k, v in out["core"].items()}
    result = dict(words=inputs["core"]["words"], code_words=inputs["core"]["code_words"],
                  typed_chars=inputs["core"]["typed_chars"], **core,
                  estimated_min=round(sum(out["core"].values()), 1),
                  optional_min=round(sum(out["optional"].values()), 1))
    if out.get("unrecorded"):
        result["unrecorded"] = out["unrecorded"]
    return result


HOW = (f"prose at {READ_WPM} words a minute; the code the page shows at {CODE_WPM}; typed "
       f"characters at {TYPE_CPM} a minute plus {TYPO_SHARE:.0%} for typos; each command's "
       f"seconds and reading its output ({OUTPUT_S[0]} to {OUTPUT_S[2]} s, at least "
       f"{OUTPUT_S[1]} s for a table, a picture or more than {BIG_LINES} lines); {CHECK_S} s "
       "and its own time for each Check; the minutes a page declares off the terminal "
       "(<!-- browser: N min -->); the setup to Ready, beyond reading the intro. Optional "
       "sections apart.")
