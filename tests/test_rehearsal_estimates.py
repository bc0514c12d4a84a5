"""The rehearsal's estimate of a learner's time: what a page gives to read and to type."""
import sys

from conftest import ROOT

sys.path.insert(0, str(ROOT / "scenario"))
from rehearsal.pages import prose_words, typed_characters  # noqa: E402
from rehearsal.report import estimates  # noqa: E402

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


def test_the_estimate_adds_reading_typing_clicks_and_setup():
    report = dict(ready_s=120.0, reading=dict(intro=dict(words=300, typed_chars=0),
                                              step2=dict(words=150, typed_chars=200)),
                  pages=[dict(page="intro", clicks=[dict(kind="foreground", wall_s=118)]),
                         dict(page="step2", clicks=[dict(kind="exec", wall_s=30.0),
                                                    dict(kind="type", wall_s=0.0),
                                                    dict(kind="exec", wall_s=60.0)])])
    guess = estimates(report)
    assert guess["pages"]["intro"]["estimated_min"] == 2 + 2      # reading + setup
    assert guess["pages"]["step2"]["estimated_min"] == 1 + 2 + 1.5  # reading, typing, clicks
    assert guess["total_min"] == 8.5
