#!/usr/bin/env bash
# Killercoda runs this when the learner presses "Check". It passes (exit 0, prints
# "done") once TensorBoard answers on port 6006 and lists step 3's runs: that proves
# both halves of the page, the logs written by  step3.py --logdir logs  and the
# server the learner's browser opens. Logs alone would not show that TensorBoard
# runs; a server alone could be reading an empty folder.
TUTORIAL_DIR="${TUTORIAL_DIR:-/root/fashion-mnist-tutorial}"
TENSORBOARD_URL="${TENSORBOARD_URL:-http://localhost:6006}"

python3 - "$TENSORBOARD_URL" "$TUTORIAL_DIR/logs/step3" <<'PY' && echo done
import json, os, sys, urllib.request
url, logs = sys.argv[1], sys.argv[2]
start = "tensorboard --logdir logs --bind_all --port 6006 >/tmp/tensorboard.log 2>&1 &"
try:
    with urllib.request.urlopen(url + "/data/runs", timeout=10) as response:
        runs = json.load(response)
except (OSError, ValueError):
    if os.path.isdir(logs):
        sys.exit(f"Not yet: TensorBoard does not answer on port 6006. Start it:  {start}")
    sys.exit("Not yet: run  python step3.py --logdir logs  first, then start TensorBoard:  "
             + start)
if not any(isinstance(run, str) and run.startswith("step3/") and run.endswith("/validation")
           for run in runs):
    sys.exit("TensorBoard runs but has no logs of step 3 yet: run  "
             "python step3.py --logdir logs  and press Check again once it has finished.")
PY
