"""Summaries of the runs, and the benchmark's goals checked against them."""
import functools
import statistics

from .targets import (CHECK_REFERENCE, FIELDS, FIRST_LINE_LIMIT_S, MEMORY_CHECKED,
                      PEAK_LIMIT_MB, RATIO_FIELDS, RATIO_LIMITS, SERVE_FIELDS, STEP1_LIMITS,
                      VM_LEARNER_MB)
import tutorial_helpers  # noqa: E402  (on the path once targets has put the root there)


def summarize(runs):
    """min/median/max of every field over a target's successful runs (None if no value)."""
    ok = [run for run in runs if run["exit_code"] == 0]
    summary = {}
    for field in [*FIELDS, *SERVE_FIELDS]:
        if field in SERVE_FIELDS and not any(field in run for run in runs):
            continue  # only tensorboard's runs have these
        values = [run[field] for run in ok if run.get(field) is not None]
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
    checks["peak_rss_mb_absolute"] = full_data_check(step2["peak_rss_mb"], PEAK_LIMIT_MB, "MB",
                                                     data_counts)
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


def full_data_check(stats, limit, unit, data_counts):
    """A median against its limit, judged only on the full data set."""
    value = stats["median"] if stats else None
    full_data = data_counts == tutorial_helpers.FULL_SIZES
    return {"value": value, "target": f"<= {limit} {unit} on the full data",
            "pass": value <= limit if full_data and value is not None else None}


def fast_start_checks(summary, targets, data_counts):
    """The fast start's targets, per target (see FIRST_LINE_LIMIT_S and below)."""
    check = functools.partial(full_data_check, data_counts=data_counts)
    checks = {}
    for name, target in targets.items():
        program, fields = target["program"], summary[name]
        if not program.startswith("step"):
            continue
        checks[name] = {"first_line_s": check(fields["first_line_s"], FIRST_LINE_LIMIT_S, "s")}
        if program == "step1":
            checks[name]["wall_s"] = check(fields["wall_s"], STEP1_LIMITS["wall_s"], "s")
            checks[name]["peak_rss_mb"] = check(fields["peak_rss_mb"],
                                                STEP1_LIMITS["peak_rss_mb"], "MB")
    return checks


def step_memory_checks(summary, targets, data_counts):
    """step3 to step6[-Ncpu] (MEMORY_CHECKED): each one's median peak memory, at most
    PEAK_LIMIT_MB on the full data, so that a step and TensorBoard fit a 2 GB VM
    together. TensorBoard peaked at 579 MB (the tensorboard target, its data server
    included; 229 MB of it anonymous, the rest mostly TensorFlow's libraries, which
    the steps share): see tensorboard_memory_checks."""
    return {name: {"peak_rss_mb": full_data_check(summary[name]["peak_rss_mb"], PEAK_LIMIT_MB,
                                                  "MB", data_counts)}
            for name, target in targets.items()
            if target["program"] in MEMORY_CHECKED and name in summary}


def tensorboard_memory_checks(summary, prepared_runs, data_counts, runs=None):
    """tensorboard[-Ncpu]: what TensorBoard adds beside a training step 3 (the tree's
    anonymous memory: the TensorFlow libraries both map are held once) plus the peak of
    the step 3 that wrote its logs (step3.py --logdir logs, measured while preparing
    them), at most VM_LEARNER_MB on the full data: the TensorBoard page's "What to try
    next" trains with TensorBoard running.

    data_server_runs: in how many of its successful runs its data server ran. TensorBoard
    starts it only if it answers within about 10 s, else reads the logs itself; a busy
    machine can make it late. The peak is then that of the processes that did run."""
    step3 = next((run["peak_rss_mb"] for run in prepared_runs.get("tensorboard", [])
                  if run["command"].startswith("step3.py")), None)
    checks = {}
    for name, fields in summary.items():
        if not (name == "tensorboard" or name.startswith("tensorboard-")):
            continue
        peak = fields["anonymous_mb"]["median"] if fields.get("anonymous_mb") else None
        both = None if peak is None or step3 is None else peak + step3
        check = full_data_check({"median": both} if both is not None else None,
                                VM_LEARNER_MB, "MB", data_counts)
        ok = [run for run in (runs or {}).get(name, []) if run["exit_code"] == 0]
        check.update(data_server_runs=[sum(bool(run.get("data_server")) for run in ok),
                                       len(ok)])
        check.update(tensorboard=peak, step3=step3,
                     target=f"<= {VM_LEARNER_MB} MB with step 3's peak "
                            + ("" if step3 is None else f"({step3:.0f} MB) ") + "on the full data")
        checks[name] = {"peak_rss_mb": check}
    return checks


def check_speed_checks(summary, targets):
    """check-N[-Ncpu]: its median wall time against step2-1epoch's on the same CPUs,
    and its peak memory against PEAK_LIMIT_MB."""
    checks = {}
    for name, target in targets.items():
        if not target["program"].startswith("check-") or not summary[name]["wall_s"]:
            continue
        suffix = name[len(target["program"]):]
        reference = summary.get(CHECK_REFERENCE + suffix)
        wall = summary[name]["wall_s"]["median"]
        limit = reference["wall_s"]["median"] if reference and reference["wall_s"] else None
        peak = summary[name]["peak_rss_mb"]["median"] if summary[name]["peak_rss_mb"] else None
        checks[name] = {
            "wall_s": {"value": wall, "target": f"<= {CHECK_REFERENCE + suffix}'s wall time"
                       + ("" if limit is None else f" ({limit:.2f} s)"),
                       "pass": None if limit is None else wall <= limit},
            "peak_rss_mb": {"value": peak, "target": f"<= {PEAK_LIMIT_MB} MB",
                            "pass": None if peak is None else peak <= PEAK_LIMIT_MB}}
    return checks
