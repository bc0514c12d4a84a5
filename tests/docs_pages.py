"""The project's written pages, as the tests read them: README.md and the manual in docs/.

Tests that bind text to code or to recorded numbers read every page here, so that a
paragraph may move between the README and docs/ without leaving its test behind.
"""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS_DIR = ROOT / "docs"
# The learner's page first, then the manual's pages in name order.
DOCS = [README, *sorted(DOCS_DIR.glob("*.md"))]

HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$", re.M)
FENCE = re.compile(r"^ *(```|~~~).*?^ *\1[^\n]*$", re.M | re.S)


def relative(path):
    """A page's path from the project's root, as messages show it."""
    path = Path(path).resolve()
    return path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else path.name


def without_fences(text):
    """text with its fenced blocks blanked out (offsets and lines kept)."""
    return FENCE.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), text)


def without_code(text):
    """text with its fenced blocks and inline code blanked out (offsets and lines kept)."""
    return re.sub(r"`[^`\n]+`", lambda m: " " * len(m.group()), without_fences(text))


def headings(text):
    """(level, title) of every heading outside code blocks."""
    return [(len(m.group(1)), m.group(2)) for m in HEADING.finditer(without_fences(text))]


def slug(title):
    """The anchor GitHub gives a heading: its text, lower case, punctuation dropped,
    spaces as hyphens (`## Step 3: doing better` -> `step-3-doing-better`)."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", title)  # a link counts as its text
    text = re.sub(r"<[^>]+>", "", text).replace("`", "")     # HTML tags, code marks
    text = re.sub(r"[^\w\- ]", "", text.lower())
    return text.replace(" ", "-")


def anchors(text):
    """Every anchor the page's headings give, repeats numbered as GitHub does (-1, -2)."""
    seen, found = {}, set()
    for _, title in headings(text):
        base = slug(title)
        count = seen.get(base, 0)
        found.add(base if count == 0 else f"{base}-{count}")
        seen[base] = count + 1
    return found


def section(path, title):
    """The text under the heading `title` in the page at path, up to the next heading
    of the same or a higher level."""
    text = Path(path).read_text()
    prose = without_fences(text)  # a `# comment` in a code block is no heading
    for match in HEADING.finditer(prose):
        if match.group(2) == title:
            level, start = len(match.group(1)), match.end()
            ends = [m.start() for m in HEADING.finditer(prose, start) if len(m.group(1)) <= level]
            return text[start:ends[0] if ends else len(text)]
    raise AssertionError(f"{relative(path)} has no heading {title!r}")
