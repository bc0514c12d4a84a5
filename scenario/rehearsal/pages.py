"""Reading the pages as the learner meets them: command boxes, edits, expect comments."""
import json
import re
from pathlib import Path

FENCE = re.compile(r"^[ \t]*```(\w*)[ \t]*\n(.*?)^[ \t]*```(\{\{[^}\n]*\}\})?[ \t]*$",
                   re.M | re.S)
INLINE = re.compile(r"(?<!`)`([^`\n]+)`(\{\{exec[^}\n]*\}\})")
EXPECT = re.compile(r"^[ \t]*<!--\s*expect(?P<where>\s+foreground)?:\s*(?P<body>.*?)\s*-->[ \t]*$",
                    re.M)
ANY_EXPECT = re.compile(r"<!--\s*expect\b.*?-->", re.S)
MARKER = re.compile(r"<!--\s*(from|edit of)\s+(\S+)\s*-->\s*$")


def parse_expect(body):
    """('regex'|'stderr'|'exit'|'check', argument) of one expect comment's text."""
    kind, _, rest = body.partition(" ")
    if kind in ("stderr", "exit", "check") and rest.strip():
        return kind, rest.strip()
    return "regex", body


def expects_after(text, end):
    """The expect comments on the lines after offset `end` (blank lines allowed)."""
    found = []
    for line in text[end:].splitlines()[1:]:
        match = EXPECT.match(line)
        if match and not match.group("where"):
            found.append(parse_expect(match.group("body")))
        elif line.strip():
            break
    return found


def actions(text):
    """In page order: dicts of kind 'exec' (command, expects), 'edit' (file, old, new),
    'type' (file, answer, code: a block of the answer typed into the learner's file)."""
    items, previous_from = [], {}
    spans = []
    for match in FENCE.finditer(text):
        spans.append(match.span())
        before = text[:match.start()].rstrip("\n").splitlines()
        marker = MARKER.search(before[-1]) if before else None
        body, action = match.group(2), match.group(3) or ""
        line = text.count("\n", 0, match.start()) + 1
        if marker and marker.group(1) == "from":
            previous_from[marker.group(2)] = body
        if action.startswith("{{exec"):
            items.append(dict(kind="exec", command=body.strip("\n"), line=line,
                              pos=match.start(), expects=expects_after(text, match.end())))
        elif (action == "{{copy}}" and marker and marker.group(1) == "from"
              and marker.group(2).startswith("exercises/answers/")):
            # An answer the learner types into their own file, exercises/stepN.py.
            items.append(dict(kind="type", file="exercises/" + Path(marker.group(2)).name,
                              answer=marker.group(2), line=line, pos=match.start(), code=body))
        elif action == "{{copy}}" and marker and marker.group(1) == "edit of":
            items.append(dict(kind="edit", file=marker.group(2), line=line, pos=match.start(),
                              old=previous_from.get(marker.group(2), ""), new=body))
    for match in INLINE.finditer(text):
        if not any(start <= match.start() < end for start, end in spans):
            items.append(dict(kind="exec", command=match.group(1).strip(), pos=match.start(),
                              line=text.count("\n", 0, match.start()) + 1,
                              expects=expects_after(text, text.index("\n", match.end())
                                                    if "\n" in text[match.end():] else len(text))))
    return sorted(items, key=lambda item: item["pos"])


def foreground_expects(text):
    return [m.group("body") for m in EXPECT.finditer(text) if m.group("where")]


def course(folder):
    """The course's scenarios, in structure.json's order: their folder names."""
    return [item["path"] for item in json.loads((folder / "structure.json").read_text())["items"]]


SHARED_PAGES = ("intro", "finish")  # every scenario has one: named SCENARIO/intro, SCENARIO/finish


def pages(scenario, name=None):
    """(name, title, text path, verify path or None, foreground path or None) in order,
    each named after its folder (step1, tensorboard, ...); with the scenario's name,
    its intro and finish are named NAME/intro and NAME/finish, unique in the course."""
    details = json.loads((scenario / "index.json").read_text())["details"]
    named = [("intro", details["intro"])]
    named += [(Path(step["text"]).parent.name or f"step{i}", step)
              for i, step in enumerate(details["steps"], 1)]
    named.append(("finish", details["finish"]))
    return [dict(name=f"{name}/{page}" if name and page in SHARED_PAGES else page,
                 scenario=name, title=entry.get("title", page), text=scenario / entry["text"],
                 verify=entry.get("verify"), foreground=entry.get("foreground"),
                 background=entry.get("background"))
            for page, entry in named]


def course_pages(folder):
    """Every page of every scenario of the course at folder, in order (as pages())."""
    return [page for name in course(folder) for page in pages(folder / name, name)]


def numberless(text):
    """text with every number as N: an edit's line and the line it changes then match."""
    return re.sub(r"\d+(\.\d+)?", "N", text)


# --- what the learner reads: the page's visible prose (rehearsal.pace counts the rest) ---

COMMENT = re.compile(r"<!--.*?-->", re.S)
FOLDED = re.compile(r"<details>.*?</details>", re.S)
OPTIONAL = re.compile(r"^(#+)\s.*\b(optional|more to try)\b", re.I)
WORD = re.compile(r"[A-Za-z0-9][\w'.,%/-]*")


def visible_prose(text):
    """The prose a learner reads on the page: no code blocks, HTML comments, folded
    answers (<details>), nor a section whose heading marks it optional ("more to try")."""
    text = FOLDED.sub("", COMMENT.sub("", FENCE.sub("", text)))
    kept, skipping = [], None
    for line in text.splitlines():
        heading = re.match(r"^(#+)\s", line)
        if heading and skipping and len(heading.group(1)) <= skipping:
            skipping = None
        optional = OPTIONAL.match(line)
        if optional and not skipping:
            skipping = len(optional.group(1))
        if not skipping:
            kept.append(line)
    return "\n".join(kept)


def prose_words(text):
    return len(WORD.findall(visible_prose(text)))
