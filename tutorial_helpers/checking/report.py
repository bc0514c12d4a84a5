"""check.py's command line: check a file, and say what it found in the page's words."""
import argparse
import difflib
import os
import signal
import sys
import time
from pathlib import Path

from .catalogue import ITEMS, MISTAKES, SECTIONS, item_in, plural
from .exercise import BLOCKS, ROOT, add_block, answer_file, learner_file
from .judge import has_markers, judge
from .run import IMAGES, MAX_EPOCHS, TIME_LIMIT, run_file

USAGE = """Check the step you write yourself in exercises/: python check.py 2 (or 3).

It runs your file on a slice of the data, watches what it asks Keras to do, and
says for each thing the page asked for whether it is there and works; for the
first that is not, what is wrong, where the page teaches it, and a hint."""


def parser():
    p = argparse.ArgumentParser(prog="check.py", description=USAGE,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("step", choices=sorted(BLOCKS), help="which step: 2 or 3")
    p.add_argument("--file", metavar="FILE",
                   help="check this file instead of exercises/stepN.py")
    p.add_argument("--verbose", action="store_true",
                   help="also show what your file printed and TensorFlow's own error")
    p.add_argument("--diff", action="store_true",
                   help="show your file against the answer (the start with every "
                        "block of the page), and check nothing")
    p.add_argument("--watch", action="store_true",
                   help="check again each time the file is saved, until Ctrl-C")
    p.add_argument("--add", metavar="BLOCK",
                   help="write the page's answer for BLOCK into your file, below its "
                        "[BLOCK] line (blocks: model, compile, fit, evaluate for step 2; "
                        "callback, model, train, evaluate for step 3)")
    p.add_argument("--data-dir", metavar="DIR",
                   help="folder with the four Fashion-MNIST .gz files (default: as "
                        "the steps look for them)")
    p.add_argument("--time-limit", type=float, default=TIME_LIMIT, metavar="SECONDS",
                   help="stop your file if it runs longer than this, from its first line "
                        "(TensorFlow's import before it is not counted)")
    return p


def shown(path):
    path = Path(path).resolve()
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def check(step, path, args):
    """Check once and print the verdict; return the exit code (0 when all passes)."""
    train, test = IMAGES[step]
    print(f"Checking {shown(path)}: it gets all the data, and fit() and evaluate() use "
          f"the first {train:,} training and {test:,} test images ...", flush=True)
    run = run_file(path, args.data_dir, args.time_limit, MAX_EPOCHS[step], IMAGES[step])
    verdict = judge(step, run, path)
    print()
    for line in marks(step, verdict):
        print(line)
    print()
    for note in verdict.notes if verdict.ok else []:  # said once all else holds
        print(note)
    if verdict.missing and not verdict.mistake:
        if verdict.why:
            print(verdict.why)
        next_block(step, verdict.missing, path, "Next")
    elif verdict.mistake:
        for found in (verdict, verdict.also):  # the mistake, and an error it did not cause
            if found is None:
                continue
            if found is verdict.also:
                print("\nAnd further on, what stopped your file:")
            said_mistake(step, found, args, path)
        if verdict.raw and not args.verbose:
            print(f"(Python's and TensorFlow's own message:  python check.py {step} --verbose)")
        if verdict.missing:  # a block before the mistake is not written yet
            print()
            next_block(step, verdict.missing, path, "Then")
    else:
        accuracy = f" (test accuracy {verdict.accuracy:.4f} on the check's images)" \
            if verdict.accuracy is not None else ""
        print(f"All done: your file does everything the page asks{accuracy}.")
        print(f"Now run it on all the data:  python {shown(path)}")
    if args.verbose:
        print("\n--- what your file printed " + "-" * 40)
        print(run.output.rstrip() or "(nothing)")
        if verdict.raw:
            print("\n--- TensorFlow's own error " + "-" * 40)
            print(verdict.raw.rstrip())
    sys.stdout.flush()
    return 0 if verdict.ok else 1


def said_mistake(step, found, args, path):
    """A mistake: its id and message, the page's section, the hint, the file's own error."""
    mistake = MISTAKES[found.mistake]
    values = dict(found.values, limit=plural(args.time_limit, "second"), step=step,
                  file=shown(path))
    print(f"Mistake [{found.mistake}]: " + mistake.message.format(**values))
    section = SECTIONS[step].get(item_in(step, mistake.item) or found.item)
    if section:
        print(f"The page teaches this in its section \"{section}\".")
    print("Hint: " + mistake.hint.format(**values))
    if found.said:
        line = found.values.get("line")
        print(f"Your file stopped{f' at line {line}' if line else ''} with {found.said}")


def marks(step, verdict):
    """One line per item, in the judge's order: ✓ checked and holds, ✗ the mistake,
    · not written yet or not checked yet; an item the file is not asked for is left out."""
    lines, placed = [], False
    for item, name in ITEMS[step]:
        if item in verdict.skipped:
            continue
        if item in verdict.passed:
            lines.append(f"  ✓ {name}")
            continue
        if item in verdict.not_yet:
            lines.append(f"  · {name}   (not written yet)")
            continue
        if verdict.also and item == verdict.also.item:
            lines.append(f"  ✗ {name}")
            continue
        if verdict.mistake and not placed and (verdict.where or item == verdict.item):
            placed = True  # "your file, line N" goes where the judging stopped
            lines.append(f"  ✗ {verdict.where or name}")
            if not verdict.where:
                continue
        if item == verdict.item and not verdict.mistake:
            lines.append(f"  · {name}   (not written yet)")
        else:
            lines.append(f"  · {name}   (not checked yet)")
    if verdict.mistake and not placed:
        lines.append(f"  ✗ {verdict.where or 'your file'}")
    return lines


def next_block(step, block, path, word):
    """The page's next step: the block to add, and where the page shows it."""
    if has_markers(path):
        print(f"{word}: add {block.what}, below the line '# [{block.label}]' of your file,")
        print(f"as the page's section \"{block.section}\" shows it.")
        print(f"(Or let this write it for you:  python check.py {step} --add {block.label})")
    else:
        print(f"{word}, not in your file yet: {block.what}, as the page's section "
              f"\"{block.section}\" shows it.")


def diff(step, path):
    answer = answer_file(step)
    lines = difflib.unified_diff(
        answer.read_text().splitlines(True), Path(path).read_text().splitlines(True),
        fromfile=f"the answer ({shown(answer)})", tofile=f"your file ({shown(path)})")
    text = "".join(lines)
    print(text.rstrip("\n") if text else "Your file is the same as the answer.")
    return 0


def interrupt(signum, frame):
    raise KeyboardInterrupt  # run_file() then ends the learner's file too


def watch(step, path, args):
    """Check, then again each time the file changes, until Ctrl-C."""
    try:
        while True:
            seen = stamp(path)  # before the check: a save meanwhile checks again at once
            check(step, path, args)
            print(f"\nWatching {shown(path)}: save it to check again, Ctrl-C to stop.",
                  flush=True)
            while stamp(path) == seen:
                time.sleep(0.3)
            print("\n" + "=" * 72)
    except KeyboardInterrupt:
        print("\nStopped watching.", flush=True)
        return 0


def stamp(path):
    try:
        status = os.stat(path)
        return status.st_mtime_ns, status.st_size
    except OSError:
        return None


def main(argv=None):
    args = parser().parse_args(argv)
    # Ctrl-C: end the learner's file as well (it runs in a session of its own).
    signal.signal(signal.SIGINT, interrupt)
    path = Path(args.file) if args.file else learner_file(args.step)
    if not path.is_file():
        sys.exit(f"Error: {path} does not exist."
                 + ("" if args.file else f"  (git restore {shown(path)} brings back its start)"))
    if args.add:
        said = add_block(args.step, args.add, path)
        if said is None:
            labels = ", ".join(block.label for block in BLOCKS[args.step])
            sys.exit(f"Error: step {args.step} has no block {args.add!r}: {labels}.")
        print(said.rstrip())
        return 0
    if args.diff:
        return diff(args.step, path)
    if args.watch:
        return watch(args.step, path, args)
    try:
        return check(args.step, path, args)
    except KeyboardInterrupt:
        print("\nStopped by Ctrl-C.", flush=True)
        return 130
