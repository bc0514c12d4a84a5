"""README.md for the learner, docs/ for the rest: their links hold, and the README stays short.

- Every relative link in README.md, docs/*.md and the scenario's pages leads to a
  file or folder that exists; a link with `#anchor` into a markdown page leads to
  one of its headings (GitHub's anchors). Links to the web and Killercoda's
  `{{...}}` links are not followed.
- README.md stays at most README_MAX_LINES lines.
- Every page in docs/ opens with its title, then a sentence on what it is for.
- The README's troubleshooting lines are rows of the full table in docs/.
"""
import re
from pathlib import Path

import pytest

from docs_pages import (DOCS, DOCS_DIR, README, ROOT, anchors, relative, section,
                        without_code)

README_MAX_LINES = 150
SCENARIO_PAGES = sorted((ROOT / "scenario").glob("*/*/*.md"))  # the course's scenarios' pages
# [text](target) and ![alt](target); a target may end with "title".
LINK = re.compile(r"!?\[(?:[^\]\[]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
NOT_FOLLOWED = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//|\{\{)", re.I)  # https:, mailto:, {{...}}


def links(text):
    """(line number, target) of every markdown link outside code."""
    prose = without_code(text)
    return [(prose.count("\n", 0, m.start()) + 1, m.group(1)) for m in LINK.finditer(prose)]


def broken_links(path):
    """Messages for each relative link in the page at path that leads nowhere."""
    path = Path(path)
    broken = []
    for line, target in links(path.read_text()):
        if NOT_FOLLOWED.match(target):
            continue
        file, _, anchor = target.partition("#")
        goal = (path.parent / file).resolve() if file else path.resolve()
        where = f"{relative(path)}:{line}: {target}"
        if not goal.exists():
            broken.append(f"{where}: no such file")
        elif anchor and goal.suffix == ".md" and anchor not in anchors(goal.read_text()):
            broken.append(f"{where}: {goal.name} has no heading with anchor #{anchor}")
    return broken


@pytest.mark.parametrize("path", DOCS + SCENARIO_PAGES, ids=relative)
def test_every_relative_link_resolves(path):
    assert broken_links(path) == []


def test_a_broken_link_or_anchor_is_found(tmp_path):
    """The check above fails on what it is for: a missing file, a missing heading."""
    (tmp_path / "other.md").write_text("# Other\n\n## Step 3: doing better\n")
    page = tmp_path / "page.md"
    page.write_text("# Page\n\n## Here\n\n"
                    "[good](other.md#step-3-doing-better) [good](#here) [web](https://example.org)\n"
                    "`[in code](nowhere.md)`\n\n"
                    "[no file](missing.md) [no heading](other.md#step-4) [no anchor](#there)\n")
    assert [message.split(": ", 1)[1] for message in broken_links(page)] == [
        "missing.md: no such file",
        "other.md#step-4: other.md has no heading with anchor #step-4",
        "#there: page.md has no heading with anchor #there",
    ]


def test_the_docs_are_linked_from_the_readme():
    linked = {(README.parent / target.partition("#")[0]).resolve()
              for _, target in links(README.read_text()) if not NOT_FOLLOWED.match(target)}
    unlinked = [relative(page) for page in DOCS[1:] if page.resolve() not in linked]
    assert unlinked == [], "pages in docs/ that the README never links to"


def test_readme_is_short():
    lines = README.read_text().count("\n")
    assert lines <= README_MAX_LINES, \
        f"README.md has {lines} lines: move the maintainer's detail into docs/"


@pytest.mark.parametrize("path", DOCS[1:], ids=relative)
def test_every_doc_says_what_it_is_for(path):
    paragraphs = [p.strip() for p in path.read_text().split("\n\n") if p.strip()]
    assert re.fullmatch(r"# [^\n]+", paragraphs[0]), f"{relative(path)}: no title first"
    assert re.match(r"[A-Z`\w]", paragraphs[1]) and paragraphs[1].rstrip().endswith("."), \
        f"{relative(path)}: the title is not followed by a sentence on what the page is for"


def table_rows(text):
    return [line.strip() for line in text.splitlines()
            if line.startswith("| ") and not line.startswith("| ---")]


def test_readme_troubleshooting_lines_are_rows_of_the_full_table():
    shown = table_rows(section(README, "Troubleshooting"))
    full = table_rows((DOCS_DIR / "troubleshooting.md").read_text())
    assert len(shown) >= 3 and shown[0] == full[0]  # the header, and some rows
    assert [row for row in shown if row not in full] == []
