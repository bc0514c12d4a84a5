"""The course as the tour walks it: scenario/structure.json's scenarios, each one's
index.json pages (intro, steps, finish) in order, read as they are in scenario/."""
import json
import re
from dataclasses import dataclass
from pathlib import Path

# The tutorial's folder on Killercoda's machine, as background.sh sets it up; the
# pages `cd` there. The tour maps it to the folder tour.py is in.
VM_FOLDER = "/root/fashion-mnist-tutorial"
VM_FOLDER_LINE = re.compile(r'^TUTORIAL_DIR="\$\{TUTORIAL_DIR:-(/[^}"]+)\}"', re.M)


class CourseError(Exception):
    """scenario/ cannot be read: said in one line, never as a traceback."""


@dataclass
class Page:
    scenario: str        # its scenario's folder name, such as first-model
    folder: str          # its own folder name: intro, step1, ..., finish
    title: str           # as index.json names it
    text: Path           # its text.md
    verify: Path = None  # its verify.sh, for the Check, or None
    setup: bool = False  # the scenario's intro: Killercoda sets the machine up meanwhile
    background: Path = None  # that set-up's script, background.sh
    number: str = ""     # as the menu shows it: 1.2 is the second page of the first scenario

    @property
    def id(self):
        return f"{self.scenario}/{self.folder}"


@dataclass
class Scenario:
    name: str
    title: str
    pages: list


def read_json(path):
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise CourseError(f"cannot read {path}: {error}") from None


def load(folder):
    """The course in scenario/ under the project folder: (title, [Scenario])."""
    root = Path(folder) / "scenario"
    structure = read_json(root / "structure.json")
    scenarios = []
    try:
        for s, item in enumerate(structure["items"], 1):
            index = read_json(root / item["path"] / "index.json")
            details = index["details"]
            entries = [("intro", details["intro"])]
            entries += [(Path(step["text"]).parent.name, step) for step in details["steps"]]
            entries.append(("finish", details["finish"]))
            pages = []
            for p, (name, entry) in enumerate(entries, 1):
                base = root / item["path"]
                pages.append(Page(
                    scenario=item["path"], folder=name, title=entry.get("title", name),
                    text=base / entry["text"],
                    verify=base / entry["verify"] if entry.get("verify") else None,
                    setup=bool(entry.get("foreground") or entry.get("background")),
                    background=base / entry["background"] if entry.get("background") else None,
                    number=f"{s}.{p}"))
            scenarios.append(Scenario(item["path"], index.get("title", item["path"]), pages))
    except (KeyError, TypeError) as error:
        raise CourseError(f"scenario/ is not laid out as the tour expects ({error!r})") from None
    return structure.get("title", "The course"), scenarios


def vm_folder(scenarios):
    """Where the pages' machine keeps the tutorial: the default of TUTORIAL_DIR in the
    first set-up script (an intro's background.sh) that names one, else VM_FOLDER."""
    for page in (page for scenario in scenarios for page in scenario.pages if page.background):
        try:
            found = VM_FOLDER_LINE.search(page.background.read_text())
        except OSError:
            continue
        if found:
            return found.group(1)
    return VM_FOLDER
