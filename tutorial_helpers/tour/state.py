"""Where the learner is and what they have done, kept in a small file of the project
folder (STATE_FILE), so that `python tour.py` opens where they left off.

Deleting the file only forgets the progress. A file the tour cannot read (not JSON,
or not the tour's) is said in one line and set aside as STATE_FILE + ".broken"; one
that cannot be written is said once, and the tour goes on without saving.
"""
import json
import os
from pathlib import Path

STATE_FILE = ".tour-state.json"
KIND = "fashion-mnist-tour"   # what marks the file as the tour's
VERSION = 1
PAGE_STATES = ("visited", "passed")


class State:
    def __init__(self, folder, say):
        self.path = Path(folder) / STATE_FILE
        self.say = say            # say(line): a one-line notice to the learner
        self.at = None            # the page id the learner is on
        self.pages = {}           # page id -> "visited" or "passed"
        self.unwritable = False
        self.read()

    def read(self):
        try:
            text = self.path.read_text()
        except FileNotFoundError:
            return
        except OSError as error:
            self.say(f"Your progress file {STATE_FILE} cannot be read ({error.strerror}): "
                     "starting afresh.")
            return
        try:
            data = json.loads(text)
            ours = isinstance(data, dict) and data.get("kind") == KIND
        except ValueError:
            data, ours = None, False
        if not ours or data.get("version") != VERSION:
            why = ("was not the tour's" if data is not None and not ours else
                   "was an older tour's" if ours else "was not valid JSON")
            self.set_aside(why)
            return
        pages = data.get("pages")
        if isinstance(pages, dict):
            self.pages = {k: v for k, v in pages.items()
                          if isinstance(k, str) and v in PAGE_STATES}
        if isinstance(data.get("at"), str):
            self.at = data["at"]

    def set_aside(self, why):
        aside = self.path.with_name(STATE_FILE + ".broken")
        try:
            os.replace(self.path, aside)
            where = f"set aside as {aside.name}."
        except OSError:
            where = "left as it is, unused."
        self.say(f"Your progress file {why}: {where}")  # one line, within 80 columns

    def visit(self, page_id):
        self.at = page_id
        if self.pages.get(page_id) != "passed":
            self.pages[page_id] = "visited"
        self.write()

    def passed(self, page_id):
        self.pages[page_id] = "passed"
        self.write()

    def write(self):
        if self.unwritable:
            return
        data = dict(kind=KIND, version=VERSION, at=self.at, pages=self.pages)
        temporary = self.path.with_name(STATE_FILE + ".tmp")
        try:
            temporary.write_text(json.dumps(data, indent=1) + "\n")
            os.replace(temporary, self.path)
        except OSError as error:
            self.unwritable = True
            self.say(f"Your progress cannot be saved in {self.path.parent} "
                     f"({error.strerror}): the tour goes on without it.")
