"""The rehearsal's estimate of a learner's time: what a page gives to read and to type."""
import sys

from conftest import ROOT

sys.path.insert(0, str(ROOT / "scenario"))
from rehearsal.pages import prose_words, typed_characters  # noqa: E402
from rehearsal.report import GOAL_MIN, estimates, journey, summary  # noqa: E402

PAGE = """# Train it

Read these six words, then more.

<!-- a comment of many many words the learner never sees -->

```python
print("code is not prose")
```

<!-- from exercises/answers/step2.py -->
```python
model.fit(x, y)
```{{copy}}

<details>
<summary>Answer</summary>
Folded words do not count either.
</details>

## More to try (optional)

Words here are optional and not counted.

## Next

Two words.
"""


def test_prose_leaves_out_code_comments_folded_answers_and_the_optional_section():
    # "Train it" 2 + "Read these six words, then more." 6 + "Next" 1 + "Two words." 2
    assert prose_words(PAGE) == 11
    assert typed_characters(PAGE) == len("model.fit(x, y)")


def test_the_estimate_adds_reading_typing_clicks_and_setup_per_scenario():
    report = dict(scenarios={"first-model": dict(ready_s=120.0), "better-model": dict(ready_s=60.0)},
                  reading={"first-model/intro": dict(words=300, typed_chars=0, scenario="first-model"),
                           "step2": dict(words=150, typed_chars=200, scenario="first-model"),
                           "better-model/intro": dict(words=150, typed_chars=0,
                                                      scenario="better-model")},
                  pages=[dict(page="first-model/intro", scenario="first-model",
                              clicks=[dict(kind="foreground", wall_s=118)]),
                         dict(page="step2", scenario="first-model",
                              clicks=[dict(kind="exec", command="python step2.py", wall_s=30.0),
                                      dict(kind="type", wall_s=0.0),
                                      dict(kind="exec", command="python check.py 2", wall_s=60.0)]),
                         dict(page="better-model/intro", scenario="better-model",
                              clicks=[dict(kind="foreground", wall_s=58)])])
    guess = estimates(report)
    assert guess["pages"]["first-model/intro"]["estimated_min"] == 2 + 2   # reading + its setup
    assert guess["pages"]["step2"]["estimated_min"] == 1 + 2 + 1.5         # reading, typing, clicks
    assert guess["pages"]["better-model/intro"]["estimated_min"] == 1 + 1  # its own setup
    assert guess["scenarios"]["first-model"] == dict(estimated_min=8.5, goal_min=GOAL_MIN,
                                                     over_goal=False)
    assert guess["scenarios"]["better-model"]["estimated_min"] == 2
    assert guess["total_min"] == 10.5
    # The summary the tags read: <!-- rehearsal: first-model.estimated_min --> and the like.
    report.update(estimates=guess, journey=journey(report), total_s=600)
    numbers = summary(report)
    assert numbers["first-model"]["estimated_min"]["median"] == 8.5
    assert numbers["first-model"]["intro_min"]["median"] == 4
    assert numbers["first-model"]["ready_s"]["median"] == 120
    assert numbers["step2"]["clicks_s"]["median"] == 90
    assert numbers["all"]["estimated_min"]["median"] == 10.5
