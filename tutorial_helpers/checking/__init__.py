"""check.py's machinery: run the learner's file, note what it did, name its mistakes.

- exercise.py:  the learner's files, their marked blocks, what_next(), --add.
- probe.py:     runs inside the child process: the data sliced, Keras's calls noted.
- run.py:       starts the probe with a time limit and reads its notes.
- catalogue.py: the mistakes beginners make, each in the page's words.
- judge.py:     from a run's notes to a verdict: each asked-for thing, the first mistake.
- report.py:    check.py's command line: the verdict, --verbose, --diff, --watch, --add.
"""
from .exercise import what_next  # noqa: F401
