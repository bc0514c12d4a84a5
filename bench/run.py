"""Benchmark: time, memory and accuracy of every step, beside the plain tutorial code.

Run:  python bench/run.py [--repeat 3] [--json bench/results.json] [--cpus N]

Runs each target as a separate process, --repeat times, interleaved (the order
rotates each round so that no target always follows the same one). A target is
PROGRAM[-PATH][-Ncpu]:
  PROGRAM    baseline   bench/baseline.py, the plain tutorial code (the fixed reference)
             step1, step2, step3, step4   the steps with their defaults (step 4 in
                        an empty folder of its own: it saves fashion.keras there)
             step5      step5.py in a folder with the fashion.keras that step 4 saves,
                        made once, untimed, before the timed runs: `step4.py`
             step6      step6.py on one photo: from the command to the answer. Its
                        model and photo are made once, untimed, before the timed
                        runs: `step4.py`, then `step6.py --example 0` (test image 0
                        as a 360x360 photo); it runs as `step6.py example-0.png`
             import-tf  `import tensorflow` alone: the floor that no training step
                        can go below
             step2-1epoch  `step2.py --epochs 1`: what one check may take at most
             check-2, check-3  `check.py N` on the finished exercises/stepN.py (the
                        answer): the learner's last check, against step2-1epoch's
                        time on the same CPUs and under 1 GB
             tensorboard  TensorBoard serving the logs, as the TensorBoard page starts
                        it: `tensorboard --logdir logs --bind_all --port PORT` (a free
                        port). Its logs are made once, untimed, before the timed runs,
                        by the commands whose runs the page expects: `step4.py` (the
                        model step 5 reads), `step3.py --logdir logs`, `step5.py
                        --logdir logs` and `step2.py --epochs 10 --logdir logs`. Each
                        run waits until it serves, then asks for what a
                        browser opening the Scalars dashboard asks for (TB_REQUESTS,
                        then the scalars of every run and tag), then stops it (SIGTERM,
                        as `kill %tensorboard`)
  PATH       where the step finds the data, each in a private, temporary KERAS_HOME:
             (none)     the Keras cache: KERAS_HOME/datasets/fashion-mnist/ links to
                        the four .gz files, as after a download
             system     an empty Keras cache: the step finds the Debian package's
                        folder, /usr/share/datasets/fashion-mnist (skipped with a note
                        when that folder lacks the files)
             data-dir   an empty Keras cache and --data-dir the folder with the files
  -Ncpu      pinned to N CPUs, as on a scenario VM with N vCPUs (Linux only)
By default it runs all of these:
  baseline, step1, step1-system, step1-data-dir, step2, step2-system, step2-data-dir,
  step3, step4, step5, step6, import-tf, step1-1cpu, step2-1cpu, step3-1cpu,
  step4-1cpu, step5-1cpu, step6-1cpu, step2-1epoch, check-2, check-3,
  step2-1epoch-1cpu, check-2-1cpu, check-3-1cpu, tensorboard
A program's preparation that begins with all of another's commands starts from a copy
of that one's folder: with step5 chosen, step4.py runs once for step5, step6 and
tensorboard.
Steps 3 to 6 are checked against 1 GB of peak memory each (the median, on the full data).
--cpus N pins every run that names no CPU count of its own to N CPUs.
One untimed `import tensorflow` runs first, so that the first timed run does not
pay for reading TensorFlow's libraries from disk.

Each run also gets its own results folder (TUTORIAL_RESULTS_DIR) and runs without
TF_CPP_MIN_LOG_LEVEL and FASHION_MNIST_DIR, as in a fresh shell.

Measured for every run:
  wall s       start to exit, as seen from here
  1st line s   start to the first line on stdout (stdout is line-buffered, as on a terminal)
  train s      time inside keras Model.fit (bench/timed.py wraps it)
  peak MB      peak resident memory (MB = 10^6 bytes): ru_maxrss from wait4(), i.e. the
               largest process of the tree; each target is a single process
               (tensorboard: see below)
  train acc    final training accuracy (the step's results JSON, or the baseline's output)
  test acc     test accuracy (the same sources)
  stderr       non-empty lines written to stderr

tensorboard is a server with a child, its data server (tensorboard_data_server, the
fast log reader), so its fields differ: 1st line s is the time until it serves its
main page, wall s until every request of the Scalars dashboard has been answered,
and peak MB is the largest sum of the resident memory (VmRSS) of TensorBoard and all
its descendants, sampled every SAMPLE_S seconds from its start until it is stopped;
tensorboard_mb and data_server_mb are the peaks of the two parts alone, anonymous_mb
the peak of the tree's anonymous memory (RssAnon: without the mapped files, such as
TensorFlow's libraries, that another TensorFlow process shares) (the JSON report
only). A sum of RSS counts pages the processes share twice, and sampling can
miss a spike shorter than SAMPLE_S. TensorBoard waits about 10 s for its data server
to start and answer, and reads the logs itself if it does not (a busy machine): the
benchmark says in how many runs it ran (data_server in the JSON), and measures
whatever processes did.

On a shared machine, run it while nothing else is busy: times drift with load.
"""
import argparse
import datetime
import os
import shutil
import sys
from pathlib import Path


sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench/, for its benchmark package
from benchmark.host import git_commit, machine  # noqa: E402
from benchmark.limits import (check_speed_checks, compare, fast_start_checks,  # noqa: E402
                              step_memory_checks, summarize, tensorboard_memory_checks)
from benchmark.output import cell, limit_lines, ratio_lines, table, write_json  # noqa: E402
from benchmark.serving import serve_once, tensorboard_command  # noqa: E402
from benchmark.targets import (DEFAULT_TARGETS, FIELDS, PREPARE, PROGRAMS, ROOT,
                               SERVE_FIELDS, choose_data_dir, count_images, fail,
                               parse_target, prepare, run_once, usable_cores)  # noqa: E402
import tutorial_helpers  # noqa: E402


def parse_names(text):
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if not parse_target(name)]
    if unknown or not names:
        raise argparse.ArgumentTypeError(
            f"unknown target {', '.join(unknown) or '(none)'}; a target is "
            f"PROGRAM[-system|-data-dir][-Ncpu], PROGRAM one of {', '.join(PROGRAMS)}")
    return list(dict.fromkeys(names))


def plan(names, data_dir, cpus):
    """{name: target} for the chosen names that can run here, and notes on the others.

    A target: program, data_path, data_dir (the folder it reads) and cpus (the set of
    CPUs it is pinned to, or None for no pinning).
    """
    system = tutorial_helpers.data.system_data_dir()
    system = system and system.resolve()
    can_pin = hasattr(os, "sched_setaffinity")
    allowed = sorted(os.sched_getaffinity(0)) if can_pin else []
    targets, notes = {}, []
    for name in names:
        target = parse_target(name)
        script = PROGRAMS[target["program"]][0]
        count = target["cpus"] or cpus
        if target["program"] == "tensorboard" and not tensorboard_command():
            notes.append(f"{name}: skipped, tensorboard is not installed")
        elif target["program"] == "tensorboard" and not Path("/proc/self/statm").is_file():
            notes.append(f"{name}: skipped, its memory is read from /proc (Linux only)")
        elif script not in ("-c", "tensorboard") and not (ROOT / script).is_file():
            notes.append(f"{name}: skipped, {script} does not exist yet")
        elif target["data_path"] != "keras-cache" and not target["program"].startswith("step"):
            notes.append(f"{name}: skipped, only the steps take the data from elsewhere")
        elif target["data_path"] == "system" and system is None:
            folders = ", ".join(map(str, tutorial_helpers.data.SYSTEM_DATA_DIRS))
            notes.append(f"{name}: skipped, {folders} lacks the four files "
                         "(sudo apt install dataset-fashion-mnist)")
        elif count and not can_pin:
            notes.append(f"{name}: skipped, this system cannot pin a process to CPUs")
        elif count and count > len(allowed):
            notes.append(f"{name}: skipped, only {len(allowed)} CPU(s) here")
        else:
            target["data_dir"] = system if target["data_path"] == "system" else data_dir
            target["cpus"] = allowed[:count] if count else None
            targets[name] = target
    return targets, notes


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
    parser.add_argument("--only", type=parse_names, metavar="NAMES", default=DEFAULT_TARGETS,
                        help="comma-separated targets to run (default: "
                             f"{','.join(DEFAULT_TARGETS)})")
    parser.add_argument("--cpus", type=tutorial_helpers.positive_int, metavar="N",
                        help="pin every run that names no CPU count of its own (-Ncpu) to "
                             "N CPUs (default: no pinning)")
    parser.add_argument("--no-warmup", action="store_true",
                        help="skip the untimed `import tensorflow` before the timed runs")
    parser.add_argument("--timeout", type=tutorial_helpers.positive_int, default=3600,
                        help="seconds before a run is stopped and counted as failed "
                             "(default: 3600)")
    args = parser.parse_args()

    data_dir = choose_data_dir(args.data_dir)
    data_counts = count_images(data_dir)
    if args.cpus and args.cpus > usable_cores():
        fail(f"Error: --cpus {args.cpus}: this machine lets the benchmark use "
             f"{usable_cores()} CPU(s).")
    plans, notes = plan(args.only, data_dir, args.cpus)
    targets = list(plans)
    if not targets:
        fail("Error: none of the chosen targets can run here: " + "; ".join(notes))

    report = {
        "machine": machine(),
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "commit": git_commit(),
        "repeat": args.repeat,
        "data_dir": str(data_dir),
        "cpus": args.cpus,
        "data": {"train_images": data_counts["train"], "test_images": data_counts["test"]},
        "targets": targets,
        "target_details": {name: {"program": t["program"], "data_path": t["data_path"],
                                  "data_dir": str(t["data_dir"]),
                                  "cpus": len(t["cpus"]) if t["cpus"] else usable_cores(),
                                  "pinned": t["cpus"] is not None}
                           for name, t in plans.items()},
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
        warmup = run_once("import-tf", {**parse_target("import-tf"), "data_dir": data_dir,
                                        "cpus": None}, args.timeout)
        if warmup["exit_code"] != 0:
            print(f"    the warm-up failed with exit code {warmup['exit_code']}; "
                  "the end of its stderr:")
            for line in warmup["stderr_tail"]:
                print(f"    | {line}")

    prepared, prepared_runs = {}, {}  # program: its folder; the runs that made it
    try:
        for program, (whose, what, _) in PREPARE.items():
            if not any(plans[name]["program"] == program for name in targets):
                continue
            print(f"Preparing {whose}: {what} (not recorded) ...", flush=True)
            folder, made = prepare(program, data_dir, args.timeout,
                                   {p: (prepared[p], prepared_runs[p]) for p in prepared})
            if folder is None:
                for name in [name for name in targets if plans[name]["program"] == program]:
                    notes.append(f"{name}: skipped, {made}")
                    print(f"Note: {notes[-1]}")
                    targets.remove(name)
                if not targets:
                    fail("Error: no target left to run.")
                continue
            prepared[program], prepared_runs[program] = folder, made
            for run in made:
                if "copied_from" in run:
                    print(f"    {run['command']}: its files copied from "
                          f"{PREPARE[run['copied_from']][0]}'s folder", flush=True)
        if prepared_runs:
            report["prepared"] = prepared_runs
        return measure(args, data_dir, data_counts, plans, targets, report, prepared,
                       prepared_runs)
    finally:
        for folder in prepared.values():
            shutil.rmtree(folder, ignore_errors=True)


def measure(args, data_dir, data_counts, plans, targets, report, prepared, prepared_runs):
    """The timed runs, their summary and the report."""
    runs = {name: [] for name in targets}
    total = args.repeat * len(targets)
    for round_index in range(args.repeat):
        shift = round_index % len(targets)
        for name in targets[shift:] + targets[:shift]:
            program = plans[name]["program"]
            once = serve_once if program == "tensorboard" else run_once
            run = once(name, plans[name], args.timeout, prepared.get(program))
            runs[name].append(run)
            done = sum(map(len, runs.values()))
            print(f"[{done:>2}/{total}] {name:<{max(10, *map(len, targets))}} exit {run['exit_code']:<3} "
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
    fast_start = fast_start_checks(summary, plans, data_counts)
    check_speed = check_speed_checks(summary, plans)
    step_memory = step_memory_checks(summary, plans, data_counts)
    tensorboard_memory = tensorboard_memory_checks(summary, prepared_runs, data_counts,
                                                   runs)
    report.update(load_average_end=list(os.getloadavg()), runs=runs, summary=summary,
                  ratios={"step2_vs_baseline": ratios} if ratios else {},
                  checks={**({"step2_vs_baseline": checks} if checks else {}),
                          **({"fast_start": fast_start} if fast_start else {}),
                          **({"check_speed": check_speed} if check_speed else {}),
                          **({"step_memory": step_memory} if step_memory else {}),
                          **({"tensorboard_memory": tensorboard_memory}
                             if tensorboard_memory else {})})

    print()
    print(f"{args.repeat} run(s) of each target, interleaved; min / median / max "
          "(of the runs that succeeded):")
    print(table(summary))
    if ratios:
        print()
        print(ratio_lines(ratios, checks))
    if fast_start:
        print()
        print(limit_lines("Fast start (medians):", fast_start))
    if check_speed:
        print()
        print(limit_lines("check.py (medians):", check_speed))
    if step_memory:
        print()
        print(limit_lines("Steps 3 to 6, memory (medians):", step_memory))
    if tensorboard_memory:
        print()
        print(limit_lines("TensorBoard and step 3 at once (medians):", tensorboard_memory))
        for name in tensorboard_memory:
            part = {field: cell("peak_rss_mb", (summary[name][field] or {}).get("median"))
                    for field in SERVE_FIELDS}
            print(f"  {name}: TensorBoard alone {part['tensorboard_mb']} MB, its data server "
                  f"{part['data_server_mb']} MB (peaks of each part; the table's peak MB is "
                  f"their sum's); anonymous {part['anonymous_mb']} MB")
            seen, ran = tensorboard_memory[name]["peak_rss_mb"]["data_server_runs"]
            if seen < ran:
                print(f"  {name}: its data server ran in {seen} of {ran} runs: TensorBoard "
                      "gives it about 10 s to start, then reads the logs itself; those "
                      "peaks are TensorBoard's alone (a busy machine? run it again)")
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
