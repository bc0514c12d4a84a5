#!/usr/bin/env bash
# Killercoda runs this when the learner presses "Check". It passes (exit 0, prints
# "done") once `python check.py 2` passes: the learner's own exercises/step2.py
# builds, trains and tests the model as the page asks. Otherwise it prints what
# check.py says is next or wrong.
TUTORIAL_DIR="${TUTORIAL_DIR:-/root/fashion-mnist-tutorial}"
python="$TUTORIAL_DIR/.venv/bin/python"
[ -x "$python" ] || python=python3

cd "$TUTORIAL_DIR" 2>/dev/null || { echo "Not yet: $TUTORIAL_DIR is not there." >&2; exit 1; }
if [ ! -f check.py ] || [ ! -f exercises/step2.py ]; then
  echo "Not yet: write exercises/step2.py, then run  python check.py 2" >&2
  exit 1
fi
if said="$("$python" check.py 2 2>&1)"; then
  echo done
else
  {
    echo "Not yet:  python check.py 2  does not pass. It says:"
    printf '%s\n' "$said" | grep -E '^(Next|Mistake|Hint|as the page|The page|Error)' | head -n 6
    echo "(Short of time? cp exercises/answers/step2.py exercises/step2.py  puts the answer in.)"
  } >&2
  exit 1
fi
