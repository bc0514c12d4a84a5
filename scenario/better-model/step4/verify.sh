#!/usr/bin/env bash
# Killercoda runs this when the learner presses "Check". It passes (exit 0, prints
# "done") once step4.py has saved fashion.keras and `python check.py 3` passes: the
# learner's own exercises/step3.py has its callback, its convolutional model and
# its training as the pages ask. Otherwise it prints what is missing or wrong.
TUTORIAL_DIR="${TUTORIAL_DIR:-/root/fashion-mnist-tutorial}"
python="$TUTORIAL_DIR/.venv/bin/python"
[ -x "$python" ] || python=python3

cd "$TUTORIAL_DIR" 2>/dev/null || { echo "Not yet: $TUTORIAL_DIR is not there." >&2; exit 1; }
if [ ! -f fashion.keras ]; then
  echo "Not yet: fashion.keras is not there. Run  python step4.py  (it saves it at its end)." >&2
  exit 1
fi
if [ ! -f check.py ] || [ ! -f exercises/step3.py ]; then
  echo "Not yet: write exercises/step3.py, then run  python check.py 3" >&2
  exit 1
fi
if said="$("$python" check.py 3 2>&1)"; then
  echo done
else
  {
    echo "Not yet:  python check.py 3  does not pass. It says:"
    printf '%s\n' "$said" | grep -E '^(Next|Mistake|Hint|as the page|The page|Error)' | head -n 6
    echo "(Short of time? cp exercises/answers/step3.py exercises/step3.py  puts the answer in.)"
  } >&2
  exit 1
fi
