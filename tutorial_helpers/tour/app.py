"""The tour's loop: a page a screenful at a time, and a line of keys under it.

Every answer is a line typed at the prompt (Enter sends it): simple to type, over SSH
too, and the same whether a person or a test types it. Without a terminal (a pipe),
the page is printed whole and the keys are read from standard input all the same.
"""
import argparse
import os
import re
import shlex
import signal
import sys
from pathlib import Path

from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from . import boxes, checks, course, markup, render, setup
from .state import STATE_FILE, State

HELP = [
    ("Enter", "the next screenful of the page; b goes back one, r shows this one again"),
    ("a number", "a box of the page: a run box runs, in the tutorial's folder with its "
                 "Python; a copy box is shown alone, ready to copy; a folded box opens"),
    ("Ctrl-C", "stops a running box; the page is still here"),
    ("c", "Check: runs the page's verify.sh, which says what is missing if anything"),
    ("n / p", "the next / the previous page"),
    ("m", "the menu: every page, and what you have done there"),
    ("1.3", "goes to that page of the menu (a page's name works too: step2)"),
    ("!command", "runs any command as a box does, such as  !nano exercises/step2.py"),
    ("q", "quit; `python tour.py` brings you back to this page"),
]


class Tour:
    def __init__(self, folder, console):
        self.folder = Path(folder)
        self.console = console
        self.said = 0  # lines said since the last prompt: the next screenful leaves room
        self.title, self.scenarios = course.load(self.folder)
        self.pages = [page for scenario in self.scenarios for page in scenario.pages]
        self.vm_folder = course.vm_folder(self.scenarios)
        self.state = State(self.folder, self.say)
        self.runner = boxes.Runner(self.folder, setup.python_folder(self.folder))
        self.page, self.top, self.shown = None, 0, 0
        self._local, self._lines = {}, {}
        self.paging = console.is_terminal and sys.stdin.isatty()

    # --- what is said and shown --------------------------------------------------------

    def say(self, line, style=""):
        text = Text(line, style=style)
        self.console.print(text)
        self.said += len(text.wrap(self.console, self.console.width))

    def find(self, wanted):
        """The page named by its number (1.3), its id (first-model/step2) or folder (step2)."""
        wanted = (wanted or "").strip().strip("/")
        for page in self.pages:
            if wanted in (page.number, page.id):
                return page
        matches = [page for page in self.pages if page.folder == wanted]
        return matches[0] if len(matches) == 1 else None

    def local(self, page):
        if page.id not in self._local:
            try:
                text = page.text.read_text()
            except OSError as error:
                text = (f"# {page.title}\n\nThis page's text cannot be read: "
                        f"`{page.text.relative_to(self.folder)}` ({error.strerror}).\n")
            self._local[page.id] = markup.local_page(
                text, self.vm_folder, str(self.folder),
                setup.setup_markdown(self.folder) if page.setup else None)
        return self._local[page.id]

    def lines(self, page):
        key = (page.id, render.width(self.console))
        if key not in self._lines:
            self._lines[key] = render.page_lines(self.console, page, self.local(page))
        return self._lines[key]

    def screenful(self):
        return max(5, self.console.height - 3 - self.said) if self.paging else 10 ** 9

    def show(self, top=None):
        """Show the current page from line `top` (a screenful of it, in a terminal)."""
        lines = self.lines(self.page)
        if top is not None:
            self.top = max(0, min(top, max(0, len(lines) - 1)))
        self.shown = min(len(lines), self.top + self.screenful())
        self.console.file.write("\n".join(lines[self.top:self.shown]) + "\n")
        self.console.file.flush()

    def open(self, page):
        self.page = page
        self.state.visit(page.id)
        self.show(0)

    def prompt(self):
        return render.prompt_line(self.console, self.page, (self.top, self.shown),
                                  len(self.lines(self.page)), self.local(self.page))

    # --- keys ----------------------------------------------------------------------------

    def ask(self, prompt):
        """A line typed by the learner; None at the end of the input."""
        self.said = 0
        while True:
            try:
                self.console.file.flush()
                answer = input(prompt)
                if not sys.stdin.isatty():  # read from a pipe: the transcript shows it
                    self.console.file.write(answer + "\n")
                return answer
            except EOFError:
                self.console.print()
                return None
            except KeyboardInterrupt:
                self.console.print()
                self.say("(Ctrl-C stops a running box. To leave the tour, type q.)", "dim")

    def loop(self, start):
        self.open(start)
        while True:
            answer = self.ask(self.prompt())
            if answer is None or answer.strip().lower() in ("q", "quit", "exit"):
                return self.quit()
            try:
                self.act(answer.strip())
            except KeyboardInterrupt:  # while the tour itself was drawing or reading
                self.console.print()
                self.say("(stopped)", "dim")

    def act(self, answer):
        key = answer.lower()
        page_index = self.pages.index(self.page)
        if key == "":
            if self.shown < len(self.lines(self.page)):
                self.show(self.shown)
            else:
                self.say("This is the end of the page: n opens the next one.", "dim")
        elif key == "b":
            self.show(self.top - self.screenful())
        elif key == "r":
            self.show()
        elif key.isdigit():
            self.box(int(key))
        elif key == "c":
            self.check()
        elif key == "n":
            if page_index + 1 < len(self.pages):
                self.open(self.pages[page_index + 1])
            else:
                self.say("This is the course's last page: m shows the menu.", "dim")
        elif key == "p":
            if page_index > 0:
                self.open(self.pages[page_index - 1])
            else:
                self.say("This is the course's first page.", "dim")
        elif key == "m":
            self.menu()
        elif key in ("h", "?", "help"):
            self.help()
        elif answer.startswith("!"):
            self.run(answer[1:].strip(), "your command")
        elif self.find(answer):
            self.open(self.find(answer))
        else:
            self.say(f"{answer!r} is not a key here: h lists them.", "dim")

    def box(self, number):
        local = self.local(self.page)
        box = local.boxes.get(number)
        if box is None:
            self.say(f"This page has no box {number}"
                     + (f": its boxes are 1 to {len(local.boxes)}." if local.boxes else "."),
                     "dim")
        elif box.kind == "copy":
            render.copy_view(self.console, box)
        elif box.kind == "fold":
            self.console.file.write("\n".join(render.fold_lines(self.console, box, local)) + "\n")
        else:
            if box.interrupt:
                stopped = self.runner.stop_left_running()
                self.say("Stopped what was running: " + "; ".join(stopped) if stopped else
                         "Nothing was running to stop.", "dim")
            self.run(box.code, f"box {number}")

    def run(self, command, name):
        if not command:
            self.say("Type a command after the !, such as  !ls", "dim")
            return
        self.console.print(Rule(Text(f"{name} · Ctrl-C stops it"), align="left", style="cyan"))
        for line in command.splitlines():
            self.console.print(Text("$ " + line, style="bold"))
        self.console.file.flush()
        try:
            code = self.runner.run(command)
        except OSError as error:
            self.say(f"{name} could not start: {error}", "red")
            return
        if code in boxes.STOPPED_BY_CTRL_C:
            end, style = f"{name} stopped by Ctrl-C", "yellow"
        elif code == 0:
            end, style = f"{name} done", "cyan"
        else:
            end, style = f"{name} ended with exit code {code}", "red"
        self.console.print(Rule(Text(end), align="left", style=style))
        if self.runner.left_running:
            self.say(f"{name} left something running in the background: an interrupt box, "
                     "or q, stops it.", "dim")
        if re.search(r"\bactivate\b", command):  # a venv switched on lasts for the box only
            self.say(f"Here every box runs in {self.folder} with the tutorial's Python "
                     f"already: {self.runner.env['PATH'].split(os.pathsep)[0]} comes first "
                     "on PATH.", "dim")

    def check(self):
        if not self.page.verify:
            self.say("This page has no Check.", "dim")
            return
        script = self.page.verify.relative_to(self.folder)
        self.say(f"Checking ({shlex.join(['bash', str(script)])}) ...", "dim")
        self.console.file.flush()
        verdict = checks.check(self.page, self.folder, self.runner.env)
        if verdict.stopped:
            self.say("The Check was stopped by Ctrl-C.", "yellow")
        elif verdict.passed:
            self.state.passed(self.page.id)
            self.say(f"Check passed: {self.page.title}.", "bold green")
            for line in verdict.said:
                self.say(line)
        else:
            self.say("Check: not yet.", "bold red")
            for line in verdict.said or ["(verify.sh said nothing more)"]:
                self.say(line)

    def menu(self):
        self.console.file.write("\n".join(render.lines_of(self.console, render.menu(
            self.title, self.scenarios, self.state.pages, self.page.id))) + "\n")
        answer = self.ask("Open a page: its number, such as 1.3 ([Enter]: back to this page) > ")
        if answer is None or not answer.strip():
            self.show()
        elif self.find(answer):
            self.open(self.find(answer))
        else:
            self.say(f"No page {answer.strip()!r}: the menu's numbers are 1.1 to "
                     f"{self.pages[-1].number}.", "dim")

    def help(self):
        table = Table(box=None, show_header=False, padding=(0, 1))
        table.add_column(no_wrap=True, style="bold")
        table.add_column()
        for key, what in HELP:
            table.add_row(key, what)
        self.console.print(Rule(Text("The tour's keys: type one, then Enter"), align="left"))
        self.console.print(table)
        self.say(f"Your progress is kept in {STATE_FILE} in this folder: deleting it only "
                 "forgets it. More: docs/tour.md.", "dim")

    def quit(self):
        stopped = self.runner.stop_left_running()
        if stopped:
            self.say("Stopped what the boxes left running: " + "; ".join(stopped), "dim")
        self.say(f"Your place is kept: {self.page.number} {self.page.title}. "
                 "`python tour.py` brings you back to it.")
        return 0


def main(folder, argv=None):
    parser = argparse.ArgumentParser(
        prog="python tour.py",
        description="The course's pages in this terminal: read them, run their boxes, "
                    "press Check. It opens where you left off.")
    parser.add_argument("page", nargs="?",
                        help="a page to open: its number in the menu (1.3) or its name (step2)")
    args = parser.parse_args(argv)
    # The steps' helpers end a step at Ctrl-C (tutorial_helpers.console); the tour lives
    # on: a Ctrl-C at its prompt is a KeyboardInterrupt it answers.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    console = render.make_console()
    try:
        tour = Tour(folder, console)
    except course.CourseError as error:
        print(f"Error: the course's pages: {error}", file=sys.stderr)
        return 1
    if args.page:
        start = tour.find(args.page)
        if start is None:
            parser.error(f"no page {args.page!r}: give its number in the menu "
                         f"(1.1 to {tour.pages[-1].number}) or its name, such as step2")
    elif tour.find(tour.state.at or ""):
        start = tour.find(tour.state.at)
        tour.say(f"Back where you left off: {start.number} {start.title}. "
                 "m shows the menu, h the keys.", "bold")
    else:
        start = tour.pages[0]
        tour.say("The course in this terminal: the pages, their boxes and their Check. "
                 "h shows the keys, m the menu.", "bold")
    missing = setup.missing_data_line()
    if missing:
        tour.say(missing, "yellow")
    try:
        return tour.loop(start)
    except BrokenPipeError:  # python tour.py | head: the reader has gone
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
