#!/usr/bin/env bash
# Killercoda copies this to the VM (index.json's assets) before the scripts start;
# foreground.sh, typed into the learner's terminal, runs it. It waits for
# background.sh on one line that names the setup's current stage, then says Ready
# (exit 0), or what failed and what to do (exit 1): at once when the setup's
# process is gone without its marker, and after SETUP_TIMEOUT seconds at the latest.
TUTORIAL_DIR="${TUTORIAL_DIR:-/root/fashion-mnist-tutorial}"
SETUP_LOG="${SETUP_LOG:-/var/log/tutorial-setup.log}"
READY_MARKER="${READY_MARKER:-/tmp/tutorial-ready}"
FAILED_MARKER="${FAILED_MARKER:-/tmp/tutorial-failed}"
SETUP_PID="${SETUP_PID:-/tmp/tutorial-setup.pid}"
SETUP_TIMEOUT="${SETUP_TIMEOUT:-600}"

echo "Getting this machine ready: Python, TensorFlow and the tutorial's code."
started=$SECONDS
gone=0
while [ ! -f "$READY_MARKER" ] && [ ! -f "$FAILED_MARKER" ]; do
    waited=$((SECONDS - started))
    stage=$(grep '^=== ' "$SETUP_LOG" 2>/dev/null | tail -n 1 | cut -c5-60)
    printf '\r\033[KSetting up (%ss): %s' "$waited" "${stage:-starting}"
    if [ "$waited" -ge "$SETUP_TIMEOUT" ]; then
        printf '\nThe setup is still running after %ss. Follow it with:  tail -f %s\n' \
            "$waited" "$SETUP_LOG"
        exit 1
    fi
    # The setup's process, once it has written its id: gone twice in a row without
    # a marker means it was killed (by the platform, or out of memory).
    if [ -s "$SETUP_PID" ] && ! kill -0 "$(cat "$SETUP_PID")" 2>/dev/null; then
        gone=$((gone + 1))
        if [ "$gone" -ge 2 ] && [ ! -f "$READY_MARKER" ] && [ ! -f "$FAILED_MARKER" ]; then
            printf '\nThe setup stopped without finishing (killed?). Its log: %s\n' "$SETUP_LOG"
            echo "Restart the scenario to set up afresh; the log's last lines say where it stopped."
            exit 1
        fi
    fi
    sleep 1
done
echo
if [ -f "$READY_MARKER" ]; then
    echo "Ready after $((SECONDS - started))s. You are in $TUTORIAL_DIR, with its Python active."
    exit 0
fi
echo "The setup failed:"
sed 's/^/  /' "$FAILED_MARKER"
echo "The last lines of the log:"
tail -n 5 "$SETUP_LOG" 2>/dev/null | sed 's/^/  /'
echo "Follow the hint above, or restart the scenario to set up afresh."
exit 1
