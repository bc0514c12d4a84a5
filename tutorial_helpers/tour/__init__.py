"""`python tour.py`: the course's pages (scenario/) in any terminal, without Killercoda.

One module per concern:

- course.py: the scenarios and their pages, in structure.json's and index.json's order.
- markup.py: Killercoda's markup mapped or hidden; every box of a page numbered.
- render.py: pages, boxes, the menu and the keys drawn through Rich.
- state.py:  where the learner is and what they have done, in .tour-state.json.
- setup.py:  this computer's set-up (the tutorial's Python, the data), said the local way.
- boxes.py:  a box run as the terminal's foreground job, in the tutorial's folder.
- checks.py: a page's Check: its verify.sh.
- app.py:    the loop of pages and keys, and main().
"""
