#!/usr/bin/env bash
# Killercoda runs this when the learner presses "Check". It passes (exit 0, prints
# "done") once step1.py has run to its end: the step then leaves results/step1.json.
TUTORIAL_DIR="${TUTORIAL_DIR:-/root/fashion-mnist-tutorial}"
results="${TUTORIAL_RESULTS_DIR:-$TUTORIAL_DIR/results}/step1.json"

python3 - "$results" <<'PY' && echo done
import json, sys
try:
    with open(sys.argv[1]) as f:
        run = json.load(f)
except (OSError, ValueError):
    sys.exit("Not yet: run  python step1.py  and let it finish.")
if not (isinstance(run, dict) and isinstance(run.get("training_images"), int)
        and run["training_images"] > 0):
    sys.exit("step1.json looks wrong: run  python step1.py  again.")
PY
