"""Drawing in the terminal, through Rich: pages, their numbered boxes, the menu, messages.

Rich finds out what the terminal can do: colours or none (NO_COLOR, a pipe), its width
(at most MAX_WIDTH columns are used), Unicode or plain ASCII boxes. A page is rendered
to lines once per width; the app shows them a screenful at a time.
"""
from rich.console import Console, Group
from rich.markdown import Markdown, TextElement
from rich.rule import Rule
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text

MAX_WIDTH = 100   # columns: wider terminals get this, lines stay readable
CODE_THEME = "ansi_dark"  # the terminal's own colours: readable on light and dark
STATES = {None: "not started", "visited": "visited", "passed": "Check passed"}


def make_console(file=None):
    return Console(file=file, highlight=False, emoji=False)


def width(console):
    """The width pages are drawn at: the terminal's (read each time: it may change)."""
    return min(console.width, MAX_WIDTH)


class BoxBlock(TextElement):
    """A fenced block of the page; a numbered box (run, copy, fold) when its info says
    tour-box-N (markup.local_page marks them so)."""
    style_name = "markdown.code_block"

    @classmethod
    def create(cls, markdown, token):
        words = (token.info or "").split()
        number = next((int(w[len("tour-box-"):]) for w in words if w.startswith("tour-box-")),
                      None)
        return cls(words[0] if words else "text", markdown.tour_boxes.get(number))

    def __init__(self, lexer, box):
        self.lexer, self.box = lexer, box

    def __rich_console__(self, console, options):
        code, box = str(self.text).rstrip(), self.box
        if box is None:
            yield Syntax(code, self.lexer, theme=CODE_THEME, word_wrap=True, padding=(0, 2))
        elif box.kind == "fold":
            yield fold_line(box)
        else:
            yield box_panel(box, Syntax(code, self.lexer, theme=CODE_THEME, word_wrap=True,
                                        background_color="default"))


class Heading(TextElement):
    """A heading, left-aligned and underlined with a line (= for the page's title, -
    for a section), so that it stands out without colours and in a pipe too."""
    UNDERLINE = {"h1": "=", "h2": "-"}

    @classmethod
    def create(cls, markdown, token):
        return cls(token.tag)

    def __init__(self, tag):
        self.tag = tag

    def on_enter(self, context):
        self.text = Text()
        context.enter_style(f"markdown.{self.tag}")

    def __rich_console__(self, console, options):
        text = self.text.copy()
        text.justify = "left"
        yield text
        if self.tag in self.UNDERLINE:
            width = min(text.cell_len, options.max_width)
            yield Text(self.UNDERLINE[self.tag] * width, style="dim")


class PageMarkdown(Markdown):
    """Rich's Markdown, with the tour's numbered boxes, headings that show without
    colours, and links spelt out."""
    elements = {**Markdown.elements, "fence": BoxBlock, "code_block": BoxBlock,
                "heading_open": Heading}

    def __init__(self, markup, boxes_by_number):
        super().__init__(markup, code_theme=CODE_THEME, hyperlinks=False)
        self.tour_boxes = boxes_by_number


def box_title(box):
    if box.kind == "run":
        what = "run" + (" (stops what runs first)" if box.interrupt else "")
    else:
        what = "copy"
    return Text.assemble((f" box {box.number} ", "bold reverse"), f" {what} ")


def box_panel(box, content):
    """A rule with the box's number above the code, a rule below, none beside: the code
    keeps the terminal's whole width, and selecting its lines copies no frame."""
    style = "cyan" if box.kind == "run" else "green"
    return Group(Rule(box_title(box), align="left", style=style), content,
                 Rule(style=style))


def fold_line(box):
    return Text.assemble((f" box {box.number} ", "bold reverse"),
                         (f" ▸ {box.title}", "bold"), f" (folded: {box.number} opens it)")


def lines_of(console, renderable):
    """renderable as the console draws it, line by line (styles included)."""
    with console.capture() as captured:
        console.print(renderable, width=width(console))
    return [line.rstrip(" ") for line in captured.get().rstrip("\n").split("\n")]


def page_lines(console, page, local):
    """The page's lines: where it is in the course, then its text."""
    where = Text(f"{page.number}  {page.scenario}", style="dim")
    return lines_of(console, Group(where, PageMarkdown(local.markdown, local.boxes),
                                   Rule(f"end of page {page.number}", style="dim")))


def fold_lines(console, box, local):
    return lines_of(console, Group(Rule(Text(f"box {box.number}: {box.title}"), align="left"),
                                   PageMarkdown(box.markdown, local.boxes),
                                   Rule(f"end of box {box.number}", style="dim")))


def copy_view(console, box):
    """The box's text exactly, flush left and without a frame: selecting its lines in
    the terminal copies the code and nothing else."""
    console.print(Rule(Text(f"box {box.number}, ready to copy: select the lines below",
                            style="green"), align="left", style="green"))
    console.print(Text(box.code), soft_wrap=True, highlight=False)
    console.print(Rule(Text(f"end of box {box.number}", style="green"), align="left",
                       style="green"))


def menu(title, scenarios, states, current):
    table = Table(box=None, show_header=False, padding=(0, 1), expand=False)
    table.add_column(no_wrap=True, width=2)
    table.add_column(no_wrap=True)
    table.add_column(ratio=1)
    table.add_column(no_wrap=True)
    for scenario in scenarios:
        table.add_row("", "", Text(scenario.title, style="bold"), "")
        for page in scenario.pages:
            here = page.id == current
            state = states.get(page.id)
            table.add_row(">" if here else "", page.number,
                          Text(page.title, style="bold" if here else ""),
                          Text(STATES[state], style={"passed": "green", "visited": ""}.get(
                              state, "dim")))
    return Group(Text(title, style="bold underline"), Text(""), table)


def prompt_line(console, page, shown, total, local):
    """The page's status line and its keys."""
    status = f"{page.number} {page.title}"
    if total:
        status += f" · lines {shown[0] + 1}-{shown[1]} of {total}"
    console.print(Rule(Text(status), align="left", style="dim"))
    keys = []
    if shown[1] < total:
        keys.append("[Enter] more")
    if shown[0] > 0:
        keys.append("[b]ack")
    if local.boxes:
        keys.append(f"[1-{len(local.boxes)}] box" if len(local.boxes) > 1 else "[1] box")
    if page.verify:
        keys.append("[c]heck")
    keys += ["[n]ext", "[p]rev", "[m]enu", "[h]elp", "[q]uit"]
    return " ".join(keys) + " > "


def message(console, text, style=""):
    console.print(Text(text, style=style))
