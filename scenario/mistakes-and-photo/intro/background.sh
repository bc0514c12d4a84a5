#!/usr/bin/env bash
# Killercoda runs this in the background when the VM starts, while the learner reads
# the intro page. The setup itself is an asset, tutorial-setup.sh (so that the
# learner's `source tutorial` can run it again), and Killercoda may copy the assets
# after this script starts: it waits for it, at most ASSET_TIMEOUT seconds, then
# runs it. Unless a setup runs already (the learner's `source tutorial` may have
# started one first): then it leaves it alone.
TUTORIAL_FILES="${TUTORIAL_FILES:-/usr/local/share/fashion-mnist-tutorial}"
SETUP_LOG="${SETUP_LOG:-/var/log/tutorial-setup.log}"
READY_MARKER="${READY_MARKER:-/tmp/tutorial-ready}"
FAILED_MARKER="${FAILED_MARKER:-/tmp/tutorial-failed}"
SETUP_PID="${SETUP_PID:-/tmp/tutorial-setup.pid}"
SETUP_LOCK="${SETUP_LOCK:-/tmp/tutorial-setup.lock}"
ASSET_TIMEOUT="${ASSET_TIMEOUT:-300}"

exec 9>>"$SETUP_LOCK"
flock -n 9 || exit 0
rm -f "$READY_MARKER" "$FAILED_MARKER"
echo $$ >"$SETUP_PID"   # the same process once it runs the setup (exec)
# Arrived, and whole: the setup and the archive match tutorial.sha256 (made with them).
arrived() { (cd "$TUTORIAL_FILES" && [ "$(wc -l <tutorial.sha256)" = 2 ] &&
             sha256sum --quiet --strict -c tutorial.sha256) >/dev/null 2>&1; }
setup="$TUTORIAL_FILES/tutorial-setup.sh"
waited=0
until arrived; do
    [ "$waited" = 0 ] && echo "=== waiting for the tutorial's files" >>"$SETUP_LOG"
    if [ "$waited" -ge "$ASSET_TIMEOUT" ]; then
        echo "=== FAILED: no whole $TUTORIAL_FILES after ${ASSET_TIMEOUT}s" >>"$SETUP_LOG"
        printf '%s\n' "The tutorial's files ($TUTORIAL_FILES) did not reach this machine in ${ASSET_TIMEOUT}s." \
            "Restart the scenario to get a fresh machine." >"$FAILED_MARKER"
        exit 1
    fi
    sleep 1; waited=$((waited + 1))
done
TUTORIAL_SETUP_LOCKED=1 exec bash "$setup"
