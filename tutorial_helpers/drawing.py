"""Drawing in the terminal: 28x28 images, rows of them, tables and a gap bar."""
import itertools
import os
import re
import shutil
import sys

import numpy as np

_RAMP = " .:-=+*#%@"  # dark to bright, for plain-text terminals
_COLOUR_CODE = re.compile(r"\x1b\[[\d;]*m")  # what image_lines() colours with


def use_color():
    """Colour only on a real terminal, and never when NO_COLOR is set."""
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def image_lines(image, compact=False, color=None):
    """Lines of text that draw a 28x28 uint8 image.

    Full size is two characters a pixel (56 columns, 28 rows); compact halves
    both (28 columns, 14 rows) by averaging pairs of rows.
    """
    color = use_color() if color is None else color
    pixels = np.asarray(image, dtype=np.float32)
    if compact:
        pixels = (pixels[0::2] + pixels[1::2]) / 2
    width = 1 if compact else 2
    lines = []
    for row in pixels:
        if color:  # the 24 grey levels of a 256-colour terminal, 232 (dark) to 255
            cells = (f"\x1b[48;5;{232 + int(v) * 23 // 255}m" + " " * width for v in row)
            lines.append("".join(cells) + "\x1b[0m")
        else:
            lines.append("".join(_RAMP[int(v) * (len(_RAMP) - 1) // 255] * width
                                 for v in row))
    return lines


def draw_image(image):
    print("\n".join(image_lines(image)))


def draw_images_in_a_row(images, captions, width=36):
    """Draw compact images side by side, each with its lines of caption below it."""
    print_columns([image_lines(image, compact=True) for image in images], captions, width)


def draw_images_in_rows(images, captions, width=30):
    """As draw_images_in_a_row(), as many to a row as the terminal's width allows
    (80 columns: two; a wide terminal: all of them in one row)."""
    columns = shutil.get_terminal_size((80, 24)).columns
    per_row = max(1, (columns - 28) // width + 1)
    for start in range(0, len(images), per_row):
        if start:
            print()
        draw_images_in_a_row(images[start:start + per_row],
                             captions[start:start + per_row], width)


def as_grey(values):
    """Any 2-D array as a picture for image_lines(): its smallest value black (0), its
    largest white (255). All equal: all black."""
    values = np.asarray(values, dtype=np.float32)
    low, high = values.min(), values.max()
    if high <= low:
        return np.zeros(values.shape, np.uint8)
    return ((values - low) / (high - low) * 255).round().astype(np.uint8)


def print_columns(pictures, captions, width=36):
    """Print pictures (lists of lines) side by side, `width` cells apart, each with
    its lines of caption below it; a shorter picture is padded with blank lines."""
    height = max(len(lines) for lines in pictures)
    columns = [lines + [""] * (height - len(lines)) + [""] + list(caption)
               for lines, caption in zip(pictures, captions)]
    for row in itertools.zip_longest(*columns, fillvalue=""):  # captions of any length
        # Colour codes take no room on screen: pad by what is visible.
        print("".join(line + " " * (width - len(_COLOUR_CODE.sub("", line)))
                      for line in row).rstrip())


def print_table(header, rows):
    """Print rows of text as a table: first column left-aligned, the others right."""
    rows = [[str(cell) for cell in row] for row in [header, *rows]]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    for row in rows:
        cells = [row[0].ljust(widths[0])]
        cells += [cell.rjust(width) for cell, width in zip(row[1:], widths[1:])]
        print("  ".join(cells).rstrip())


def gap_bar(train, validation, low, high, width=30):
    """A one-line chart of two accuracies between low and high: V----T.

    V marks the validation accuracy, T the training accuracy, and the dashes
    between them show the gap; * is where both fall on the same spot.
    """
    def spot(value):
        return round((min(max(value, low), high) - low) / (high - low) * (width - 1))

    t, v = spot(train), spot(validation)
    cells = [" "] * width
    for i in range(min(t, v) + 1, max(t, v)):
        cells[i] = "-"
    cells[t], cells[v] = "T", "V"
    if t == v:
        cells[t] = "*"
    return "".join(cells).rstrip()
