#!/usr/bin/env bash
# The tutorial's setup, shipped to the VM by index.json's assets (to $TUTORIAL_FILES,
# beside tutorial.tar, the tutorial's files). intro/background.sh runs it when the VM
# starts; `source tutorial` runs it again when it stopped or failed. It unpacks the
# tutorial, makes a Python virtual environment with requirements.txt, and (when apt
# offers it) installs the dataset-fashion-mnist package.
#
# Quiet: everything goes to $SETUP_LOG. Writes $READY_MARKER only when all of it
# worked; on a failure it writes $FAILED_MARKER with a hint instead (the waiting
# terminal shows it). Safe to run again: finished parts are skipped. One at a time:
# while one runs (it holds $SETUP_LOCK), another exits at once and changes nothing.

# Where the tutorial lives on the VM (the scenario's pages `cd` there), where its
# assets are, its log, markers and lock. The tests override these through the environment.
TUTORIAL_DIR="${TUTORIAL_DIR:-/root/fashion-mnist-tutorial}"
TUTORIAL_FILES="${TUTORIAL_FILES:-/usr/local/share/fashion-mnist-tutorial}"
SETUP_LOG="${SETUP_LOG:-/var/log/tutorial-setup.log}"
READY_MARKER="${READY_MARKER:-/tmp/tutorial-ready}"
FAILED_MARKER="${FAILED_MARKER:-/tmp/tutorial-failed}"
# This script's process id: the waiting terminal tells a killed setup from a slow one.
SETUP_PID="${SETUP_PID:-/tmp/tutorial-setup.pid}"
SETUP_LOCK="${SETUP_LOCK:-/tmp/tutorial-setup.lock}"
# How long to wait for the tutorial's files, which Killercoda may copy after the start.
ASSET_TIMEOUT="${ASSET_TIMEOUT:-300}"

# background.sh took the lock already (and passes it on, open, as file 9).
if [ -z "${TUTORIAL_SETUP_LOCKED:-}" ]; then
    exec 9>>"$SETUP_LOCK"
    flock -n 9 || exit 0   # another setup is running: it writes the markers
fi
set -uo pipefail
rm -f "$READY_MARKER" "$FAILED_MARKER"
echo $$ >"$SETUP_PID"
exec >>"$SETUP_LOG" 2>&1
echo "=== tutorial setup started $(date)"

fail() {
    echo "=== FAILED: $1"
    printf '%s\n' "$1" "$2" "The full log is in $SETUP_LOG" >"$FAILED_MARKER"
    exit 1
}

export DEBIAN_FRONTEND=noninteractive
# Wait for the dpkg lock: a fresh VM may still be running its own apt jobs.
# (Not file 9, the lock: a service apt starts must not hold it after this script.)
apt_get() { apt-get -q -y -o DPkg::Lock::Timeout=600 "$@" 9>&-; }
apt_updated=""
apt_update() { [ -n "$apt_updated" ] || { apt_get update && apt_updated=yes; }; }

# 1. Python with venv and pip, and curl. TensorFlow 2.21 and NumPy 2.4 have
# wheels for Python 3.11 to 3.13: another python3 gets a one-line answer, not pip's.
python_version() { python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null; }
check_python() {
    case "$(python_version)" in
        3.11|3.12|3.13) ;;
        *) fail "Python $(python_version) is not supported: the tutorial needs Python 3.11 to 3.13." \
                "Try:  apt-get install -y python3.12-venv, then  python3.12 -m venv $TUTORIAL_DIR/.venv  and run this setup again" ;;
    esac
}
if command -v python3 >/dev/null; then check_python; fi
if ! python3 -c "import ensurepip, venv" 2>/dev/null; then
    echo "=== installing Python's venv and pip"
    # Ubuntu's python3 comes without venv: its own python3.X-venv brings ensurepip.
    packages="python3 python3-venv python3-pip"
    version=$(python_version)
    if [ -n "$version" ]; then apt_update && packages="$packages python$version-venv"; fi
    { apt_update && apt_get install $packages &&
      python3 -c "import ensurepip, venv"; } ||
        fail "Could not install Python's venv and pip with apt-get." \
             "Try:  apt-get update && apt-get install -y $packages"
    check_python
fi
# curl asks TensorBoard for its runs on the TensorBoard page.
tools=""
for tool in curl; do command -v "$tool" >/dev/null || tools="$tools $tool"; done
if [ -n "$tools" ]; then
    echo "=== installing$tools"
    { apt_update && apt_get install $tools; } ||
        fail "Could not install$tools with apt-get." "Try:  apt-get install -y$tools"
fi

# 2. The tutorial's code, from the archive shipped with the scenario (Killercoda may
# copy it after this script starts: wait for it, at most $ASSET_TIMEOUT s). Unpacked
# beside the folder, then renamed: a folder that exists is whole, and a learner's
# edits in it are never overwritten by a second run.
archive="$TUTORIAL_FILES/tutorial.tar"
if [ -f "$TUTORIAL_DIR/step1.py" ]; then
    echo "=== using the tutorial already in $TUTORIAL_DIR"
else
    echo "=== waiting for the tutorial's files"
    waited=0
    until (cd "$TUTORIAL_FILES" && [ "$(wc -l <tutorial.sha256)" = 2 ] &&
           sha256sum --quiet --strict -c tutorial.sha256) >/dev/null 2>&1; do
        [ "$waited" -lt "$ASSET_TIMEOUT" ] ||
            fail "The tutorial's files ($archive) did not reach this machine in ${ASSET_TIMEOUT}s." \
                 "Restart the scenario to get a fresh machine."
        sleep 1; waited=$((waited + 1))
    done
    echo "=== unpacking the tutorial into $TUTORIAL_DIR"
    rm -rf "$TUTORIAL_DIR.partial"
    { mkdir -p "$TUTORIAL_DIR.partial" && tar -x -m -f "$archive" -C "$TUTORIAL_DIR.partial" &&
      mv -T "$TUTORIAL_DIR.partial" "$TUTORIAL_DIR"; } ||
        fail "Could not unpack $archive into $TUTORIAL_DIR." \
             "Restart the scenario to get a fresh machine."
fi

# 3. A virtual environment with the tutorial's requirements (pip skips what is there).
venv="$TUTORIAL_DIR/.venv"
if ! "$venv/bin/python" -c "" 2>/dev/null; then
    echo "=== creating $venv"
    python3 -m venv --clear "$venv" ||
        fail "Could not create the virtual environment $venv." \
             "Try:  python3 -m venv $venv"
fi
echo "=== installing requirements.txt"
"$venv/bin/python" -m pip install --disable-pip-version-check --no-input -q \
        -r "$TUTORIAL_DIR/requirements.txt" ||
    fail "pip could not install the tutorial's requirements." \
         "Try:  $venv/bin/python -m pip install -r $TUTORIAL_DIR/requirements.txt"

# 4. The data as a system package, when apt offers it (otherwise step 1 downloads it).
# apt-cache's output is read whole first: `apt-cache ... | grep -q` under pipefail
# fails whenever grep stops reading early and apt-cache dies of SIGPIPE.
policy=""
apt_update && policy=$(apt-cache policy dataset-fashion-mnist 2>/dev/null)
if [[ $policy =~ Candidate:\ [^\(] ]]; then
    echo "=== installing dataset-fashion-mnist"
    apt_get install dataset-fashion-mnist ||
        echo "=== (not fatal) dataset-fashion-mnist did not install: step 1 downloads the data"
else
    echo "=== apt does not offer dataset-fashion-mnist: step 1 downloads the data"
fi

# 5. New terminals open in the tutorial's folder with its environment on.
bashrc="${HOME:-/root}/.bashrc"
if ! grep -qs "fashion-mnist-tutorial setup" "$bashrc"; then
    cat >>"$bashrc" <<BASHRC
# fashion-mnist-tutorial setup: start in the tutorial, with its Python
if [ -f "$venv/bin/activate" ]; then cd "$TUTORIAL_DIR" && . "$venv/bin/activate"; fi
BASHRC
fi

echo "=== tutorial setup finished $(date)"
touch "$READY_MARKER"
