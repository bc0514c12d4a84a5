"""A page's Killercoda markup, said the local way: what the tour renders, and its boxes.

The pages are written for Killercoda (scenario/*/*/text.md). The tour shows the same
text, with what only Killercoda understands mapped or hidden, whatever the wording:

- HTML comments (`<!-- expect: ... -->`, `<!-- bench: ... -->`, ...) are hidden;
  a paragraph with a `<!-- killercoda-only -->` comment is hidden too (a comment
  alone on its lines hides the paragraph or code block that follows it), and with
  it the `<!-- expect: ... -->` lines right below it: the promises of its box,
  which the rehearsal still clicks on Killercoda.
- Every command box (```...```{{exec}}, `code`{{exec}}, {{exec interrupt}}), every
  {{copy}} box and every folded <details> section gets a number, in page order:
  typing the number runs the box, shows it ready to copy, or opens the fold.
- {{TRAFFIC_HOST1_6006}} (a port of Killercoda's machine) is http://localhost:6006.
- The machine's tutorial folder (/root/fashion-mnist-tutorial, ~/..., its name
  alone as code) is this one.
- Killercoda's buttons and tabs are named the local way (KILLERCODA_WORDS).
- On an intro, the section about the machine being set up (the one holding its
  `<!-- expect foreground: ... -->` promises) gives way to this computer's set-up.
"""
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath

# A fenced block, as Killercoda reads it: its closing fence may carry an action.
FENCE = re.compile(r"^(?P<indent>[ \t]*)```(?P<lang>[\w+-]*)[ \t]*\n(?P<body>.*?)"
                   r"^[ \t]*```(?P<action>\{\{[^}\n]*\}\})?[ \t]*$\n?", re.M | re.S)
COMMENT = re.compile(r"[ \t]*<!--.*?-->", re.S)
KILLERCODA_ONLY = re.compile(r"<!--\s*killercoda[- ]only\b.*?-->", re.S | re.I)
EXPECT_FOREGROUND = re.compile(r"<!--\s*expect foreground:")
# The promises below a box (blank lines between them allowed), as the rehearsal reads them.
PROMISES = re.compile(r"(?:\s*^[ \t]*<!--\s*expect\s*:.*?-->[ \t]*$)*", re.M)
HEADING = re.compile(r"^(#{1,6})[ \t]+\S", re.M)
# In prose: a fold's start and end, an inline action, a port link, any other action.
PROSE = re.compile(r"<details>\s*(?:<summary>(?P<summary>.*?)</summary>)?"
                   r"|(?P<close></details>)"
                   r"|`(?P<code>[^`\n]+)`(?P<action>\{\{[^}\n]*\}\})"
                   r"|\{\{TRAFFIC_HOST\d+_(?P<port>\d+)\}\}"
                   r"|(?P<span>`[^`\n]+`)"
                   r"|\{\{[^}\n]*\}\}", re.S)


def _type_its_number(match):
    return f"{'T' if match.group(1) == 'C' else 't'}ype {match.group(2)} box's number"


# Killercoda's buttons and tabs, as a learner in a plain terminal finds them here.
KILLERCODA_WORDS = [
    (re.compile(r"\b([Cc])lick\s+(the|this|a|each)\s+box\b"), _type_its_number),
    (re.compile(r"\bthe\s+terminal\s+beside\s+this\s+text\b"), "this terminal"),
    (re.compile(r"\b(a|the)\s+new\s+terminal\s+tab\b"), r"\1 new terminal"),
    (re.compile(r"\b([Oo])ne\s+click\b"), r"\1ne box"),
    (re.compile(r"\b([Pp])ress\s+\*\*Check\*\*(?:\s+below)?"), r"\1ress **c** (Check)"),
    (re.compile(r"\*\*Check\*\*\s+button"), "Check (key c)"),
    (re.compile(r"\b([Pp])ress\s+\*\*Start\*\*"), r"\1ress **n** (next page)"),
    (re.compile(r"\bthe\s+(?:\*\*)?Editor(?:\*\*)?(?:\s+tab)?(?:\s+\([^()]*\))?"), "your editor"),
]


@dataclass
class Box:
    """A numbered thing on a page: a command to run, code to copy, or a fold to open."""
    number: int
    kind: str                # "run", "copy" or "fold"
    code: str = ""           # run and copy: the box's text
    lang: str = ""           # the fence's language, for highlighting
    interrupt: bool = False  # {{exec interrupt}}: stops what runs first
    title: str = ""          # fold: its summary
    markdown: str = ""       # fold: its content, as rendered when opened
    inline: bool = False     # run: a `command`{{exec}} in a sentence


@dataclass
class LocalPage:
    markdown: str                     # the page, with each box's fence marked "tour-box-N"
    boxes: dict = field(default_factory=dict)   # number -> Box

    def of_kind(self, kind):
        return [box for box in self.boxes.values() if box.kind == kind]


def folder_mapped(text, vm_folder, here):
    """The Killercoda machine's tutorial folder, as a path or under ~, is `here`; its
    name alone, as code (`fashion-mnist-tutorial`), is the name of `here`."""
    text = text.replace(vm_folder, here)
    if vm_folder.startswith("/root/"):
        text = re.sub(r"~/" + re.escape(vm_folder[len("/root/"):]) + r"\b", here, text)
    name, local_name = PurePosixPath(vm_folder).name, PurePosixPath(here).name
    return text.replace(f"`{name}`", f"`{local_name}`") if name and local_name else text


def hide_killercoda_only(text):
    """Drop each paragraph that holds a killercoda-only comment; a comment alone on
    its lines drops the paragraph or fenced block after it. The expect comments
    right below what is dropped (its box's promises) go with it."""
    out, pos = [], 0
    for marker in KILLERCODA_ONLY.finditer(text):
        if marker.start() < pos:
            continue
        start = text.rfind("\n\n", 0, marker.start())
        start = 0 if start < 0 else start + 2
        end = text.find("\n\n", marker.end())
        end = len(text) if end < 0 else end
        if not KILLERCODA_ONLY.sub("", text[start:end]).strip():  # alone: the next block
            following = text[end:].lstrip("\n")
            end = len(text) - len(following)
            fence = FENCE.match(following)
            block_end = following.find("\n\n")
            end += fence.end() if fence else (len(following) if block_end < 0 else block_end)
        end = PROMISES.match(text, end).end()
        out.append(text[pos:start])
        pos = end
    return "".join(out) + text[pos:]


def setup_replaced(text, setup_markdown):
    """The section that holds the `expect foreground` promises (the Killercoda machine
    being set up) replaced by setup_markdown; without one, setup_markdown goes before
    the page's last section."""
    fenced = [m.span() for m in FENCE.finditer(text)]
    headings = [(m.start(), len(m.group(1))) for m in HEADING.finditer(text)
                if not any(a <= m.start() < b for a, b in fenced)]
    found = EXPECT_FOREGROUND.search(text)
    if found:
        before = [(at, level) for at, level in headings if at < found.start()]
        if before:
            start, level = before[-1]
            end = next((at for at, lv in headings if at > start and lv <= level), len(text))
            return text[:start] + setup_markdown.rstrip() + "\n\n" + text[end:]
    if len(headings) > 1:
        at = headings[-1][0]
        return text[:at] + setup_markdown.rstrip() + "\n\n" + text[at:]
    return text.rstrip() + "\n\n" + setup_markdown


def local_words(prose):
    for pattern, replacement in KILLERCODA_WORDS:
        prose = pattern.sub(replacement, prose)
    return prose


def local_page(text, vm_folder, here, setup_markdown=None):
    """A page's text.md as the tour renders it, and its numbered boxes."""
    text = folder_mapped(hide_killercoda_only(text), vm_folder, here)
    if setup_markdown is not None:
        text = setup_replaced(text, setup_markdown)
    page = LocalPage(markdown="")
    main, folds = [], []  # where the text goes: the page, or the fold being read

    def emit(piece):
        (folds[-1][1] if folds else main).append(piece)

    def new_box(**kwargs):
        box = Box(number=len(page.boxes) + 1, **kwargs)
        page.boxes[box.number] = box
        return box

    def prose(chunk):
        chunk = local_words(COMMENT.sub("", chunk))
        pos = 0
        for m in PROSE.finditer(chunk):
            emit(chunk[pos:m.start()])
            pos = m.end()
            if m.group(0).startswith("<details>"):
                box = new_box(kind="fold", title=(m.group("summary") or "More").strip())
                emit(f"\n```text tour-box-{box.number}\n{box.title}\n```\n")
                folds.append((box, []))
            elif m.group("close"):
                if folds:
                    box, pieces = folds.pop()
                    box.markdown = "".join(pieces).strip("\n") + "\n"
            elif m.group("code"):
                action = m.group("action")
                if action.startswith("{{exec") or action == "{{copy}}":
                    box = new_box(kind="run" if action.startswith("{{exec") else "copy",
                                  code=m.group("code").strip(), lang="bash", inline=True,
                                  interrupt="interrupt" in action)
                    emit(f"`{m.group('code')}` (box {box.number})")
                else:
                    emit(f"`{m.group('code')}`")
            elif m.group("port"):
                emit(f"http://localhost:{m.group('port')}")
            elif m.group("span"):  # code in a sentence, {{ }} and all
                emit(m.group("span"))
            # any other {{...}}: Killercoda's alone, hidden
        emit(chunk[pos:])

    pos = 0
    for m in FENCE.finditer(text):
        prose(text[pos:m.start()])
        pos = m.end()
        action, indent, lang = m.group("action") or "", m.group("indent"), m.group("lang")
        body = m.group("body")
        if action.startswith("{{exec") or action == "{{copy}}":
            code = "\n".join(line[len(indent):] if line.startswith(indent) else line.lstrip()
                             for line in body.rstrip("\n").split("\n"))
            box = new_box(kind="run" if action.startswith("{{exec") else "copy", code=code,
                          lang=lang or ("bash" if action.startswith("{{exec") else "text"),
                          interrupt="interrupt" in action)
            emit(f"{indent}```{box.lang} tour-box-{box.number}\n{body}{indent}```\n")
        else:
            emit(f"{indent}```{lang}\n{body}{indent}```\n")
    prose(text[pos:])
    while folds:  # a <details> never closed: its text stays in its fold
        box, pieces = folds.pop()
        box.markdown = "".join(pieces).strip("\n") + "\n"
    page.markdown = re.sub(r"\n{3,}", "\n\n", "".join(main))
    return page
