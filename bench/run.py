"""Benchmark: time, memory and accuracy of every step, beside the plain tutorial code.

Run:  python bench/run.py [--repeat 3] [--json bench/results.json]

Runs each target as a separate process, --repeat times, interleaved (the order
rotates each round so that no target always follows the same one):
  baseline   bench/baseline.py, the plain tutorial code (the fixed reference)
  step2      step2.py with its defaults
  step3      step3.py with its defaults (skipped with a note while it does not exist)
  step4      step4.py on one photo: from the command to the answer. Its photo and
             model are made once, untimed, before the timed runs: `step3.py --save`
             with step 3's defaults, then `step4.py --example 0` (test image 0 as a
             photo on white, 360x360 pixels)
  import-tf  `import tensorflow` alone: the floor that no step can go below
One untimed `import tensorflow` runs first, so that the first timed run does not
pay for reading TensorFlow's libraries from disk.

Every run reads the same four .gz files the same way: a private, temporary
KERAS_HOME whose datasets/fashion-mnist/ links to them, so that Keras's
load_data() finds them with no network. Each run also gets its own results folder
(TUTORIAL_RESULTS_DIR) and runs without TF_CPP_MIN_LOG_LEVEL and FASHION_MNIST_DIR,
as in a fresh shell.

Measured for every run:
  wall s       start to exit, as seen from here
  1st line s   start to the first line on stdout (stdout is line-buffered, as on a terminal)
  train s      time inside keras Model.fit (bench/timed.py wraps it)
  peak MB      peak resident memory (MB = 10^6 bytes): ru_maxrss from wait4(), i.e. the
               largest process of the tree; each target is a single process
  train acc    final training accuracy (the step's results JSON, or the baseline's output)
  test acc     test accuracy (the same sources)
  stderr       non-empty lines written to stderr

On a shared machine, run it while nothing else is busy: times drift with load.
"""
import argparse
import datetime
import gzip
import importlib.metadata
import json
import os
import platform
import re
import selectors
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
import tutorial_helpers  # noqa: E402  (where the data lives: the steps' own search)

TIMED = ROOT / "bench" / "timed.py"
TARGETS = {  # name: what bench/timed.py runs, from the project root
    "baseline": ["bench/baseline.py"],
    "step2": ["step2.py"],
    "step3": ["step3.py"],
    "step4": ["step4.py", "{prepared}/example-0.png", "--model", "{prepared}/fashion.keras"],
    "import-tf": ["-c", "import tensorflow as tf; print('tensorflow', tf.__version__)"],
}
FIELDS = {  # per-run number: (column heading, format)
    "wall_s": ("wall s", "{:.1f}"),
    "first_line_s": ("1st line s", "{:.1f}"),
    "train_s": ("train s", "{:.1f}"),
    "peak_rss_mb": ("peak MB", "{:.0f}"),
    "train_accuracy": ("train acc", "{:.4f}"),
    "test_accuracy": ("test acc", "{:.4f}"),
    "stderr_lines": ("stderr", "{:.0f}"),
}
RATIO_FIELDS = ["wall_s", "train_s", "peak_rss_mb", "test_accuracy"]
# The targets for step 2 against the baseline (ratios of medians).
RATIO_LIMITS = {"wall_s": 0.75, "train_s": 0.6, "peak_rss_mb": 0.67}
PEAK_LIMIT_MB = 1000  # 1.0 GB, on the full data
STDERR_TAIL = 15


def fail(*lines):
    raise SystemExit("\n".join(lines))


# --- the data ----------------------------------------------------------------

def has_all_files(folder):
    return all((folder / name).is_file() for name in tutorial_helpers.FILES.values())


def choose_data_dir(data_dir):
    """The folder with the four .gz files: --data-dir, else the Keras cache, else Debian's."""
    if data_dir:
        folder = Path(data_dir).expanduser().resolve()
        missing = [n for n in tutorial_helpers.FILES.values() if not (folder / n).is_file()]
        if missing:
            fail(f"Error: --data-dir {data_dir} lacks {', '.join(missing)}.",
                 "It needs all four: " + ", ".join(tutorial_helpers.FILES.values()) + ".")
        return folder
    for folder in [tutorial_helpers.keras_cache_dir(), *tutorial_helpers.data.SYSTEM_DATA_DIRS]:
        if has_all_files(folder):
            return folder.resolve()
    fail("Error: the benchmark needs the real Fashion-MNIST data, and it is not on this machine.",
         "Install it:  sudo apt install dataset-fashion-mnist",
         "or pass a folder that holds the four .gz files:  python bench/run.py --data-dir DIR")


def count_images(folder):
    """How many training and test images the set holds (from the label files' headers)."""
    counts = {}
    for split, key in (("train", "train_labels"), ("test", "test_labels")):
        path = folder / tutorial_helpers.FILES[key]
        try:
            with gzip.open(path, "rb") as stream:
                header = stream.read(8)
        except (OSError, EOFError) as error:
            fail(f"Error: cannot read {path}: {error}")
        if len(header) < 8:
            fail(f"Error: {path} is too short to be a Fashion-MNIST file.")
        counts[split] = int.from_bytes(header[4:8], "big")
    return counts


# --- one run -----------------------------------------------------------------

def read_output(proc, start, timeout):
    """Read the child's stdout and stderr as they come; note when stdout's first line ends."""
    out, err = bytearray(), bytearray()
    first_line_s = None
    timed_out = False
    deadline = start + timeout
    with selectors.DefaultSelector() as selector:
        selector.register(proc.stdout, selectors.EVENT_READ, out)
        selector.register(proc.stderr, selectors.EVENT_READ, err)
        while selector.get_map():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                proc.kill()
                timed_out = True
                break
            for key, _ in selector.select(remaining):
                chunk = os.read(key.fd, 65536)
                if not chunk:
                    selector.unregister(key.fileobj)
                    continue
                if key.data is out and first_line_s is None and b"\n" in chunk:
                    first_line_s = time.monotonic() - start
                key.data.extend(chunk)
    return out.decode(errors="replace"), err.decode(errors="replace"), first_line_s, timed_out


def accuracy_from_output(stdout, split):
    """The baseline prints "train accuracy: X" and "test accuracy: Y"."""
    match = re.search(rf"^{split} accuracy: ([0-9.]+)\s*$", stdout, re.MULTILINE)
    return float(match.group(1)) if match else None


def run_once(name, data_dir, timeout, command=None, prepared=None, cwd=ROOT):
    """Run one target (or `command`) in a fresh process and measure it.

    "{prepared}" in a target's arguments stands for the folder prepare_step4() made.
    """
    command = command or [arg.replace("{prepared}", str(prepared)) for arg in TARGETS[name]]
    with tempfile.TemporaryDirectory(prefix=f"bench-{name}-") as tmp:
        tmp = Path(tmp)
        cache = tmp / "keras_home" / "datasets" / "fashion-mnist"
        cache.mkdir(parents=True)
        for file_name in tutorial_helpers.FILES.values():
            (cache / file_name).symlink_to(data_dir / file_name)
        results_dir, train_time_file = tmp / "results", tmp / "train_seconds"
        env = {k: v for k, v in os.environ.items()
               if k not in ("FASHION_MNIST_DIR", "TF_CPP_MIN_LOG_LEVEL")}
        env.update(KERAS_HOME=str(tmp / "keras_home"),
                   TUTORIAL_RESULTS_DIR=str(results_dir),
                   BENCH_TRAIN_TIME_FILE=str(train_time_file))

        start = time.monotonic()
        proc = subprocess.Popen([sys.executable, str(TIMED), *command], cwd=cwd,
                                env=env, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            stdout, stderr, first_line_s, timed_out = read_output(proc, start, timeout)
            _, status, usage = os.wait4(proc.pid, 0)
            wall_s = time.monotonic() - start
            proc.returncode = os.waitstatus_to_exitcode(status)
        finally:  # Ctrl-C or an error here: do not leave the child running
            if proc.returncode is None:
                proc.kill()
                proc.wait()
            proc.stdout.close()
            proc.stderr.close()

        results_file = results_dir / f"{name}.json"
        results = json.loads(results_file.read_text()) if results_file.is_file() else None
        for photo in (results or {}).get("photos", []):
            photo.pop("model_input", None)  # step 4's 28x28 input: 784 numbers, not needed here
        run = {
            "exit_code": proc.returncode,
            "wall_s": wall_s,
            "first_line_s": first_line_s,
            "train_s": (float(train_time_file.read_text())
                        if train_time_file.is_file() else None),
            "peak_rss_mb": usage.ru_maxrss * 1024 / 1e6,  # ru_maxrss is in KiB on Linux
            "train_accuracy": None,
            "test_accuracy": None,
            "stderr_lines": sum(1 for line in stderr.splitlines() if line.strip()),
            "results": results,
        }
        for split in ("train", "test"):
            from_results = (results or {}).get(f"{split}_accuracy")
            run[f"{split}_accuracy"] = (float(from_results) if from_results is not None
                                        else accuracy_from_output(stdout, split))
        if timed_out:
            run["timed_out"] = True
        if proc.returncode != 0:
            run["stderr_tail"] = stderr.splitlines()[-STDERR_TAIL:]
        return run


def prepare_step4(data_dir, timeout):
    """A folder with fashion.keras (step3.py --save) and example-0.png (step4.py
    --example 0), made untimed for step 4's runs; (folder, None) or (None, why not)."""
    folder = Path(tempfile.mkdtemp(prefix="bench-step4-"))
    for what, command in [
            ("step3.py --save", [str(ROOT / "step3.py"), "--save", str(folder / "fashion.keras")]),
            ("step4.py --example 0", [str(ROOT / "step4.py"), "--example", "0"])]:
        run = run_once("prepare", data_dir, timeout, command=command, cwd=folder)
        if run["exit_code"] != 0:
            return None, f"{what} failed with exit code {run['exit_code']}: " + " | ".join(
                run["stderr_tail"][-3:])
    return folder, None


# --- summary -----------------------------------------------------------------

def summarize(runs):
    """min/median/max of every field over a target's successful runs (None if no value)."""
    ok = [run for run in runs if run["exit_code"] == 0]
    summary = {}
    for field in FIELDS:
        values = [run[field] for run in ok if run[field] is not None]
        summary[field] = ({"min": min(values), "median": statistics.median(values),
                           "max": max(values)} if values else None)
    return summary


def compare(summary, data_counts):
    """Ratios of step 2's medians to the baseline's, and the issue's targets checked."""
    step2, baseline = summary.get("step2"), summary.get("baseline")
    if not (step2 and baseline):
        return {}, {}
    ratios = {}
    for field in RATIO_FIELDS:
        a, b = step2[field], baseline[field]
        ratios[field] = a["median"] / b["median"] if a and b and b["median"] else None
    checks = {}
    for field, limit in RATIO_LIMITS.items():
        value = ratios[field]
        checks[field] = {"value": value, "target": f"<= {limit}",
                         "pass": None if value is None else value <= limit}
    full_data = data_counts == tutorial_helpers.FULL_SIZES
    peak = step2["peak_rss_mb"]["median"] if step2["peak_rss_mb"] else None
    checks["peak_rss_mb_absolute"] = {
        "value": peak, "target": f"<= {PEAK_LIMIT_MB} MB on the full data",
        "pass": peak <= PEAK_LIMIT_MB if full_data and peak is not None else None}
    a, b = step2["test_accuracy"], baseline["test_accuracy"]
    if a and b:
        spread = max(b["max"] - b["min"], a["max"] - a["min"])
        loss = b["median"] - a["median"]
        checks["test_accuracy"] = {"value": loss, "spread": spread,
                                   "target": "loss <= run-to-run spread",
                                   "pass": loss <= spread}
    else:
        checks["test_accuracy"] = {"value": None, "spread": None,
                                   "target": "loss <= run-to-run spread", "pass": None}
    worst = step2["stderr_lines"]["max"] if step2["stderr_lines"] else None
    checks["stderr_lines"] = {"value": worst, "target": "0 (every run)",
                              "pass": None if worst is None else worst == 0}
    return ratios, checks


def cell(field, value):
    return "-" if value is None else FIELDS[field][1].format(value)


def table(summary):
    headings = [heading for heading, _ in FIELDS.values()]
    widths = [max(len(h), 6) for h in headings]
    lines = ["target     stat    " + "  ".join(h.rjust(w) for h, w in zip(headings, widths))]
    for name, fields in summary.items():
        for stat in ("min", "median", "max"):
            cells = [cell(f, fields[f][stat] if fields[f] else None) for f in FIELDS]
            label = name if stat == "min" else ""
            lines.append(f"{label:<10} {stat:<7} "
                         + "  ".join(c.rjust(w) for c, w in zip(cells, widths)))
    return "\n".join(lines)


def verdict(check):
    return {True: "PASS", False: "MISS", None: "n/a"}[check["pass"]]


def ratio_lines(ratios, checks):
    def times(value, digits=2):
        return "-" if value is None else f"{value:.{digits}f}x"
    acc = checks["test_accuracy"]
    accuracy_note = ("" if acc["value"] is None else
                     f"loss {acc['value']:+.4f}, spread {acc['spread']:.4f}")
    peak = checks["peak_rss_mb_absolute"]
    stderr = checks["stderr_lines"]
    rows = [
        ("wall time", times(ratios["wall_s"]), "<= 0.75x", checks["wall_s"]),
        ("training time", times(ratios["train_s"]), "<= 0.60x", checks["train_s"]),
        ("peak memory", times(ratios["peak_rss_mb"]), "<= 0.67x", checks["peak_rss_mb"]),
        ("peak memory", "-" if peak["value"] is None else f"{peak['value']:.0f} MB",
         f"<= {PEAK_LIMIT_MB} MB on the full data", peak),
        ("test accuracy", times(ratios["test_accuracy"], 3),
         f"no loss beyond the spread ({accuracy_note})", acc),
        ("stderr lines", cell("stderr_lines", stderr["value"]), "0 in every run", stderr),
    ]
    lines = ["Step 2 against the baseline (ratios of medians, same machine, same run):"]
    for label, value, target, check in rows:
        lines.append(f"  {label:<14} {value:>8}   {verdict(check):<4}  target {target}")
    return "\n".join(lines)


# --- the machine -------------------------------------------------------------

def cpu_model():
    try:
        with open("/proc/cpuinfo") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def version(*distributions):
    for distribution in distributions:
        try:
            return importlib.metadata.version(distribution)
        except importlib.metadata.PackageNotFoundError:
            pass
    return None


def git_commit():
    try:
        return subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True,
                              text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def machine():
    return {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
        else os.cpu_count(),
        "python": platform.python_version(),
        "tensorflow": version("tensorflow-cpu", "tensorflow"),
        "keras": version("keras"),
        "numpy": version("numpy"),
        "platform": platform.platform(),
    }


def write_json(path, report):
    """Write the report so that a reader never sees half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(json.dumps(report, indent=2) + "\n")
    os.replace(temporary, path)


# --- main ----------------------------------------------------------------------

def parse_names(text):
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in TARGETS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown target {', '.join(unknown) or '(none)'}; choose from {', '.join(TARGETS)}")
    return names


def main():
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="\n\n".join(__doc__.split("\n\n")[2:]),
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=tutorial_helpers.positive_int, default=3,
                        help="runs of each target (default: 3)")
    parser.add_argument("--json", metavar="PATH", help="also write the report as JSON here")
    parser.add_argument("--data-dir", metavar="DIR",
                        help="folder with the four Fashion-MNIST .gz files (default: the Keras "
                             "cache, then /usr/share/datasets/fashion-mnist)")
    parser.add_argument("--only", type=parse_names, metavar="NAMES", default=list(TARGETS),
                        help=f"comma-separated targets to run (default: {','.join(TARGETS)})")
    parser.add_argument("--no-warmup", action="store_true",
                        help="skip the untimed `import tensorflow` before the timed runs")
    parser.add_argument("--timeout", type=tutorial_helpers.positive_int, default=3600,
                        help="seconds before a run is stopped and counted as failed "
                             "(default: 3600)")
    args = parser.parse_args()

    data_dir = choose_data_dir(args.data_dir)
    data_counts = count_images(data_dir)
    notes = []
    targets = []
    for name in args.only:
        script = TARGETS[name][0]
        if script != "-c" and not (ROOT / script).is_file():
            notes.append(f"{name}: skipped, {script} does not exist yet")
        else:
            targets.append(name)
    if not targets:
        fail("Error: none of the chosen targets exists: " + "; ".join(notes))

    report = {
        "machine": machine(),
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "commit": git_commit(),
        "repeat": args.repeat,
        "data_dir": str(data_dir),
        "data": {"train_images": data_counts["train"], "test_images": data_counts["test"]},
        "targets": targets,
        "notes": notes,
        "load_average_start": list(os.getloadavg()),
    }
    m = report["machine"]
    print(f"Machine: {m['cpu']}, {m['cores']} cores; Python {m['python']}, "
          f"TensorFlow {m['tensorflow']}, Keras {m['keras']}")
    print(f"Data: {data_dir} ({data_counts['train']:,} training, "
          f"{data_counts['test']:,} test images)")
    for note in notes:
        print(f"Note: {note}")
    if not args.no_warmup:
        print("Warm-up: import tensorflow once (not recorded) ...", flush=True)
        warmup = run_once("import-tf", data_dir, args.timeout)
        if warmup["exit_code"] != 0:
            print(f"    the warm-up failed with exit code {warmup['exit_code']}; "
                  "the end of its stderr:")
            for line in warmup["stderr_tail"]:
                print(f"    | {line}")

    prepared = None
    if "step4" in targets:
        print("Preparing step 4: step3.py --save, then step4.py --example 0 (not recorded) ...",
              flush=True)
        prepared, why_not = prepare_step4(data_dir, args.timeout)
        if prepared is None:
            notes.append(f"step4: skipped, {why_not}")
            print(f"Note: {notes[-1]}")
            targets.remove("step4")
            if not targets:
                fail("Error: no target left to run.")
    try:
        return measure(args, data_dir, data_counts, targets, report, prepared)
    finally:
        if prepared is not None:
            shutil.rmtree(prepared, ignore_errors=True)


def measure(args, data_dir, data_counts, targets, report, prepared):
    """The timed runs, their summary and the report."""
    runs = {name: [] for name in targets}
    total = args.repeat * len(targets)
    for round_index in range(args.repeat):
        shift = round_index % len(targets)
        for name in targets[shift:] + targets[:shift]:
            run = run_once(name, data_dir, args.timeout, prepared=prepared)
            runs[name].append(run)
            done = sum(map(len, runs.values()))
            print(f"[{done:>2}/{total}] {name:<10} exit {run['exit_code']:<3} "
                  + "  ".join(f"{FIELDS[f][0]} {cell(f, run[f])}"
                              for f in ("wall_s", "train_s", "peak_rss_mb", "test_accuracy")),
                  flush=True)
            if run["exit_code"] != 0:
                reason = " (timed out)" if run.get("timed_out") else ""
                print(f"    {name} failed with exit code {run['exit_code']}{reason}; "
                      "the end of its stderr:")
                for line in run["stderr_tail"]:
                    print(f"    | {line}")

    summary = {name: summarize(runs[name]) for name in targets}
    ratios, checks = compare(summary, data_counts)
    report.update(load_average_end=list(os.getloadavg()), runs=runs, summary=summary,
                  ratios={"step2_vs_baseline": ratios} if ratios else {},
                  checks={"step2_vs_baseline": checks} if checks else {})

    print()
    print(f"{args.repeat} run(s) of each target, interleaved; min / median / max "
          "(of the runs that succeeded):")
    print(table(summary))
    if ratios:
        print()
        print(ratio_lines(ratios, checks))
    failed = {name: sum(run["exit_code"] != 0 for run in runs[name]) for name in targets}
    failed = {name: count for name, count in failed.items() if count}
    if args.json:
        write_json(args.json, report)
        print()
        print(f"Wrote {args.json}")
    if failed:
        print()
        print("Failed runs: " + ", ".join(f"{name} {count} of {args.repeat}"
                                          for name, count in failed.items()))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
