#!/usr/bin/env bash
# Runs in the learner's terminal: waits, visibly, for background.sh to finish.
# No `exit` and no `set -e`: this may run inside the learner's own shell.
TUTORIAL_DIR="${TUTORIAL_DIR:-/root/fashion-mnist-tutorial}"
SETUP_LOG="${SETUP_LOG:-/var/log/tutorial-setup.log}"
READY_MARKER="${READY_MARKER:-/tmp/tutorial-ready}"
FAILED_MARKER="${FAILED_MARKER:-/tmp/tutorial-failed}"
SETUP_TIMEOUT="${SETUP_TIMEOUT:-1800}"

echo "Getting this machine ready: Python, TensorFlow and the tutorial's code."
echo "It takes a few minutes. Read the introduction while you wait."
printf "Working"
waited=0
while [ ! -f "$READY_MARKER" ] && [ ! -f "$FAILED_MARKER" ] && [ "$waited" -lt "$SETUP_TIMEOUT" ]; do
    sleep 2
    waited=$((waited + 2))
    printf "."
done
echo
if [ -f "$READY_MARKER" ]; then
    cd "$TUTORIAL_DIR" && . .venv/bin/activate
    echo "Ready after ${waited}s. You are in $TUTORIAL_DIR, with its Python active."
elif [ -f "$FAILED_MARKER" ]; then
    echo "The setup failed:"
    sed 's/^/  /' "$FAILED_MARKER"
    echo "The last lines of the log:"
    tail -n 5 "$SETUP_LOG" 2>/dev/null | sed 's/^/  /'
    echo "Follow the hint above, or restart the scenario to set up afresh."
else
    echo "The setup is still running after ${waited}s. Follow it with:  tail -f $SETUP_LOG"
fi
