#!/usr/bin/env bash
# Killercoda runs this when the learner presses "Check". It passes (exit 0, prints
# "done") once `python check.py 3` ticks the learner's callback in their own
# exercises/step3.py (the rest of the file is step 4's page). Otherwise it prints
# what check.py says is next or wrong.
TUTORIAL_DIR="${TUTORIAL_DIR:-/root/fashion-mnist-tutorial}"
python="$TUTORIAL_DIR/.venv/bin/python"
[ -x "$python" ] || python=python3

cd "$TUTORIAL_DIR" 2>/dev/null || { echo "Not yet: $TUTORIAL_DIR is not there." >&2; exit 1; }
if [ ! -f check.py ] || [ ! -f exercises/step3.py ]; then
  echo "Not yet: write your callback in exercises/step3.py, then run  python check.py 3" >&2
  exit 1
fi
said="$("$python" check.py 3 2>&1)"
if printf '%s\n' "$said" | grep -q '^  ✓ your callback'; then
  echo done
else
  {
    echo "Not yet:  python check.py 3  does not tick your callback. It says:"
    printf '%s\n' "$said" | grep -E '^(Next|Mistake|Hint|as the page|The page|Error)' | head -n 6
    echo "(Short of time?  python check.py 3 --add callback  writes it for you.)"
  } >&2
  exit 1
fi
