"""The rehearsal's estimate of a beginner's time (scenario/rehearsal/pace.py): what a
page gives to read, to type, to run and to look at, and the recorded run within the goal."""
import json
import re
import sys

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "scenario"))
from rehearsal import pace  # noqa: E402
from rehearsal.pages import course, prose_words  # noqa: E402
from rehearsal.report import GOAL_MIN, estimates, journey, summary  # noqa: E402

PAGE = """# Train it

Read these six words, then more.

<!-- a comment of many many words the learner never sees -->
<!-- browser: 2 min, the Editor tab -->

```python
print("code is read")
```

<!-- from exercises/answers/step2.py -->
```python
model.fit(x, y)  # a comment is not typed
```{{copy}}

```
python step2.py
```{{exec}}

<details>
<summary>Answer</summary>
Folded words do not count either.

```
python check.py 2 --add fit
```{{exec}}
</details>

<details>
<summary>Type it yourself (optional)</summary>

<!-- from exercises/answers/step2.py -->
```python
model.evaluate(x, y)
```{{copy}}
</details>

## More to try (optional)

Words here are optional.

```
python step2.py --epochs 1
```{{exec}}

## Next

Two words.
"""


def test_a_page_is_read_in_its_core_and_its_optional_parts():
    # "Train it" 2 + "Read these six words, then more." 6 + "Next" 1 + "Two words." 2
    assert prose_words(PAGE) == 11
    inputs = pace.page_inputs(PAGE)
    assert inputs["core"] == dict(words=11, code_words=4 + 2, typed_chars=len("model.fit(x, y)"),
                                  browser_min=2.0)
    # "Type it yourself (optional)"'s summary words are folded; its block is optional typing.
    assert inputs["optional"]["typed_chars"] == len("model.evaluate(x, y)")
    assert inputs["optional"]["words"] == len("More to try (optional) Words here are optional.".split())
    assert [(c["command"], c["part"]) for c in inputs["commands"]] == [
        ("python step2.py", "core"), ("python check.py 2 --add fit", "folded"),
        ("python step2.py --epochs 1", "optional")]


def test_reading_an_output_takes_its_words_within_a_floor_and_a_ceiling():
    assert pace.output_seconds("") == 0
    assert pace.output_seconds("Saved.") == pace.OUTPUT_S[0]
    table = "a  b  c\n1  2  3\n"
    assert pace.output_seconds(table) == pace.OUTPUT_S[1]
    eleven = "\n".join(f"line {i}" for i in range(11))
    assert pace.output_seconds(eleven) == pace.OUTPUT_S[1]
    assert pace.output_seconds("word " * 1000) == pace.OUTPUT_S[2]
    words = "word " * 60  # 60 words at 120 a minute: 30 s
    assert pace.output_seconds(words) == 30
    # Lines printed before in the scenario are not read again; the floor holds.
    assert pace.output_seconds(words, {words.strip()}) == pace.OUTPUT_S[0]


def report_of(reading, pages, ready_s=150.0):
    return dict(scenarios={"first-model": dict(ready_s=ready_s)}, reading=reading, pages=pages)


def test_the_estimate_adds_every_part_of_a_page_and_overlaps_the_setup_with_the_intro():
    intro = pace.page_inputs("# Intro\n\n" + "word " * 120)  # 122 words: a minute and a second
    page = pace.page_inputs(PAGE)
    report = report_of(
        {"first-model/intro": dict(intro, scenario="first-model", check=False),
         "step2": dict(page, scenario="first-model", check=True)},
        [dict(page="first-model/intro", scenario="first-model",
              clicks=[dict(kind="foreground", wall_s=150)], check=None),
         dict(page="step2", scenario="first-model", check=dict(ok=True, wall_s=3.0),
              clicks=[dict(kind="exec", command="python step2.py", wall_s=30.0,
                           stdout="word " * 60, stderr=""),
                      dict(kind="exec", command="python check.py 2 --add fit", wall_s=1.0,
                           stdout="Added", stderr=""),
                      dict(kind="exec", command="python step2.py --epochs 1", wall_s=12.0,
                           stdout="word " * 600, stderr="")])])
    guess = estimates(report)
    mine = guess["pages"]["first-model/intro"]
    assert mine["reading_min"] == 1.0 and mine["setup_min"] == round(150 / 60 - 122 / 120, 1)
    step2 = guess["pages"]["step2"]
    assert step2["reading_min"] == round(11 / 120, 1)
    assert step2["code_min"] == round(6 / 40, 1)
    assert step2["typing_min"] == round(len("model.fit(x, y)") / 70 * 1.2, 1)
    assert step2["clicks_min"] == 0.5      # the core's click only: not the folded, not the optional
    assert step2["output_min"] == 0.5      # 60 words at 120 a minute
    assert step2["check_min"] == round((15 + 3) / 60, 1)
    assert step2["browser_min"] == 2.0
    # The optional parts: their prose (8 words) and code (4), their typing, their click
    # (12 s) and reading its output (600 words: the ceiling, 60 s).
    assert step2["optional_min"] == round(8 / 120 + 4 / 40 + len("model.evaluate(x, y)") / 70 * 1.2
                                          + 12 / 60 + 60 / 60, 1)
    total = round(150 / 60, 1) + step2["estimated_min"]
    assert abs(guess["scenarios"]["first-model"]["estimated_min"] - total) <= 0.1
    assert guess["scenarios"]["first-model"]["goal_min"] == GOAL_MIN == 45
    # The summary the tags read: <!-- rehearsal: first-model.estimated_min --> and the like.
    report.update(estimates=guess, journey=journey(report), total_s=600)
    numbers = summary(report)
    assert numbers["first-model"]["estimated_min"]["median"] == \
        guess["scenarios"]["first-model"]["estimated_min"]
    assert numbers["first-model"]["intro_min"]["median"] == mine["estimated_min"]


def test_a_command_not_rehearsed_yet_is_named_and_counted():
    page = pace.page_inputs("# A page\n\n```\npython step9.py\n```{{exec}}\n")
    guess = estimates(report_of({"step9": dict(page, scenario="first-model", check=False)},
                                [dict(page="step9", scenario="first-model", clicks=[],
                                      check=None)]))
    assert guess["pages"]["step9"]["unrecorded"] == ["python step9.py"]
    assert guess["pages"]["step9"]["output_min"] == round(pace.OUTPUT_S[1] / 60, 1)


RECORDED = json.loads((ROOT / "scenario" / "rehearsal.json").read_text())


@pytest.mark.parametrize("name", course(ROOT / "scenario"))
def test_each_scenario_is_within_the_goal_and_its_intro_says_so(name):
    """The recorded rehearsal gives each scenario at most GOAL_MIN beginner-minutes, and
    the intro quotes that estimate (the tag's number is checked by test_scenario)."""
    estimate = RECORDED["estimates"]["scenarios"][name]["estimated_min"]
    assert estimate <= GOAL_MIN, f"{name}: {estimate} beginner-minutes, over {GOAL_MIN}"
    intro = (ROOT / "scenario" / name / "intro" / "text.md").read_text()
    said = re.search(r"(\d+) minutes <!-- rehearsal: ([\w-]+)\.estimated_min -->", intro)
    assert said and said.group(2) == name and int(said.group(1)) == round(estimate)


def test_the_recorded_estimate_is_of_the_pages_as_they_are():
    """A page edited since the recording (its prose, a section made optional) is timed
    again with the recorded outputs; the report must hold that estimate, so the minutes
    the intros quote are of the pages a learner reads."""
    from rehearsal.journey import reading
    from rehearsal.pages import pages
    again = dict(RECORDED, reading={})
    for name in course(ROOT / "scenario"):
        again["reading"].update(reading(pages(ROOT / "scenario" / name, name), name))
    now = estimates(again)
    stale = {page: (RECORDED["estimates"]["pages"].get(page, {}).get("estimated_min"),
                    guess["estimated_min"])
             for page, guess in now["pages"].items()
             if RECORDED["estimates"]["pages"].get(page, {}).get("estimated_min")
             != guess["estimated_min"]}
    assert stale == {}, (f"recorded and now, in minutes: {stale}; run  scenario/rehearse "
                         "--estimate --write  (or rehearse again, if a page's commands changed)")
