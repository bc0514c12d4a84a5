"""The named checks: promises that relate two clicks or need arithmetic.

Each takes (click, ctx) and returns (ok, detail). ctx["page"] holds the clicks of
this page so far (this one included), ctx["out"](click) a click's stdout as shown,
ctx["probe"](command) runs a command in the learner's shell without counting as a
click and returns its stdout.
"""
import re
import shlex

STEP3_PATIENCE = "5"  # step3.py's default --patience
ACCURACIES = re.compile(r"Training accuracy: (\d\.\d+)\s+Test accuracy: (\d\.\d+)")


def flag(command, name, default=None):
    words = shlex.split(command)
    for i, word in enumerate(words):
        if word == name and i + 1 < len(words):
            return words[i + 1]
        if word.startswith(name + "="):
            return word.split("=", 1)[1]
    return default


def check_venv_active(click, ctx):
    """The prompt starts with (.venv) and `python` is the venv's."""
    out = ctx["probe"]('printf "%s\\n" "$PS1"; command -v python')
    lines = out.splitlines()
    ok = (len(lines) >= 2 and lines[0].startswith("(.venv) ") and lines[0].count("(.venv)") == 1
          and lines[1].endswith("/.venv/bin/python"))
    return ok, f"PS1 and python: {lines}"


def check_balanced_classes(click, ctx):
    """Step 1's class table: ten classes, every count the same."""
    counts = re.findall(r"^\s*\d\s+\S.*?\s([\d,]+)\s*$", ctx["out"](click), re.M)
    ok = len(counts) == 10 and len(set(counts)) == 1
    return ok, f"counts {counts}"


def check_epochs_improve(click, ctx):
    """Keras's line for each epoch: the loss goes down and the accuracy up, every epoch."""
    parts = re.split(r"^Epoch \d+/\d+\s*$", ctx["out"](click), flags=re.M)[1:]
    rows = []
    for part in parts:
        # The epoch's complete progress line (steps N/N); evaluate()'s comes after it.
        done = re.search(r"^\s*(\d+)/\1 .*?(?<!val_)accuracy: (\d\.\d+) - loss: (\d+\.\d+)",
                         part, re.M)
        if done:
            rows.append((float(done.group(2)), float(done.group(3))))
    ok = len(rows) >= 2 and len(rows) == len(parts) and all(
        a2 > a1 and l2 < l1 for (a1, l1), (a2, l2) in zip(rows, rows[1:]))
    return ok, "accuracy, loss per epoch: " + "; ".join(f"{a:.4f} {l:.4f}" for a, l in rows)


def step2_runs(ctx):
    """(epochs, training acc, test acc) of this page's plain `python step2.py [--epochs N]`
    clicks (`--logdir`, which changes nothing in the training, allowed)."""
    runs = []
    for c in ctx["page"]:
        words = shlex.split(c["command"]) if c.get("kind") == "exec" else []
        if words[:2] != ["python", "step2.py"] or c["exit"] != 0 or c.get("after_edit"):
            continue
        if any(w.startswith("--") and not w.startswith(("--epochs", "--logdir")) for w in words[2:]):
            continue
        found = ACCURACIES.search(ctx["out"](c))
        if found:
            runs.append((int(flag(c["command"], "--epochs", "5")),
                         float(found.group(1)), float(found.group(2))))
    return sorted(set(runs))


def check_gap_grows(click, ctx):
    """Over this page's step 2 runs with more and more epochs, the training accuracy
    climbs, the gap between training and test accuracy grows, the test accuracy climbs
    less than the training accuracy each time, and less and less."""
    runs = step2_runs(ctx)
    if len(runs) < 3:
        return False, f"needs three step 2 runs with different --epochs, has {runs}"
    train = [r[1] for r in runs]
    gap = [r[1] - r[2] for r in runs]
    test_climbs = [b[2] - a[2] for a, b in zip(runs, runs[1:])]
    train_climbs = [b[1] - a[1] for a, b in zip(runs, runs[1:])]
    ok = (train == sorted(train) and gap == sorted(gap)
          and all(t < r for t, r in zip(test_climbs, train_climbs))
          and test_climbs == sorted(test_climbs, reverse=True))
    return ok, "epochs, training, test: " + "; ".join(f"{e}: {a:.4f} {b:.4f}" for e, a, b in runs)


def default_step2(ctx):
    """The ACCURACIES match of this page's first plain `python step2.py` that printed
    them (not after an edit of the script), or None."""
    for c in ctx["page"]:
        if c.get("kind") == "exec" and c["command"].strip() == "python step2.py" \
                and not c.get("after_edit"):
            found = ACCURACIES.search(ctx["out"](c))
            if found:
                return found
    return None


def check_other_seed_other_numbers(click, ctx):
    """This click (another --seed) prints other accuracies than the page's default run."""
    mine, default = ACCURACIES.search(ctx["out"](click)), default_step2(ctx)
    if not (mine and default):
        return False, "needs this run's accuracies and a default `python step2.py` run before it"
    return mine.groups() != default.groups(), f"{mine.group()} against {default.group()}"


def check_same_as_your_file(click, ctx):
    """The finished step2.py prints the very same two accuracies as the learner's own
    file, run on all the data earlier on this page."""
    mine = ACCURACIES.search(ctx["out"](click))
    theirs = [ACCURACIES.search(ctx["out"](c)) for c in ctx["page"]
              if c.get("kind") == "exec" and c["command"].strip() == "python exercises/step2.py"]
    theirs = [t for t in theirs if t]
    if not (mine and theirs):
        return False, "needs this run's accuracies and a full run of exercises/step2.py before it"
    return mine.groups() == theirs[-1].groups(), f"{mine.group()} against {theirs[-1].group()}"


def check_learns_less_than_default(click, ctx):
    """This run (another --learning-rate) ends at least 0.02 below the test accuracy of
    the page's default `python step2.py` run."""
    mine, default = ACCURACIES.search(ctx["out"](click)), default_step2(ctx)
    if not (mine and default):
        return False, "needs this run's accuracies and a default `python step2.py` run before it"
    ok = float(mine.group(2)) <= float(default.group(2)) - 0.02
    return ok, f"test accuracy {mine.group(2)} against the default's {default.group(2)}"


def epoch_table(out):
    """Each per-epoch table step 3 prints: lists of (epoch, training, validation, gap,
    whether the row is marked best)."""
    tables, current = [], None
    for line in out.splitlines():
        if line.startswith("Epoch  Training  Validation"):
            current = []
            tables.append(current)
        elif current is not None:
            m = re.match(r"^\s*(\d+)\s+(\d\.\d+)\s+(\d\.\d+)\s+([-+]\d\.\d+)", line)
            if m:
                current.append((int(m.group(1)), *map(float, m.groups()[1:]), "<- best" in line))
            else:
                current = None
    return tables


def gap_story(rows):
    """(ok, detail) of the story step 3's page tells about its table, read around the
    row marked best: up to it, the validation accuracy gains more than half as much as
    the training accuracy (both rise together); after it, the training accuracy goes on
    rising, the validation accuracy gains less than half as much (it stalls), and the
    gap at the last epoch is wider than at the best one."""
    marked = [r for r in rows if r[4]]
    if len(marked) != 1 or marked[0] in (rows[0], rows[-1]):
        return False, f"needs one row marked best, neither the first nor the last: {marked}"
    first, best, last = rows[0], marked[0], rows[-1]
    before_t, before_v = best[1] - first[1], best[2] - first[2]
    after_t, after_v = last[1] - best[1], last[2] - best[2]
    ok = (before_t > 0 and before_v > before_t / 2
          and after_t > 0 and after_v < after_t / 2 and last[3] > best[3])
    return ok, (f"epoch 1 to best epoch {best[0]}: training {before_t:+.4f}, validation "
                f"{before_v:+.4f}; to last epoch {last[0]}: training {after_t:+.4f}, validation "
                f"{after_v:+.4f}; gap {best[3]:+.4f} then {last[3]:+.4f}")


def check_gap_opens(click, ctx):
    """Step 3's table tells the page's story (gap_story): both accuracies rise up to
    the epoch kept, then the training accuracy rises, the validation one stalls and
    the gap opens."""
    tables = epoch_table(ctx["out"](click))
    if not tables or len(tables[0]) < 3:
        return False, "no per-epoch table"
    return gap_story(tables[0])


def comparison(out):
    rows = re.findall(r"^(Dense|Convolutional)\s+([\d,]+)\s+(\d+)\s+(\d\.\d+)\s+(\d\.\d+)\s+(\d+)\s*$",
                      out, re.M)
    return {name: dict(epochs=int(e), test=float(t), seconds=int(s))
            for name, _, e, _, t, s in rows}


def check_conv_beats_dense(click, ctx):
    """The comparison table: the convolutional model is right more often on the test
    images, and takes longer to train."""
    rows = comparison(ctx["out"](click))
    if set(rows) != {"Dense", "Convolutional"}:
        return False, "no comparison table"
    d, c = rows["Dense"], rows["Convolutional"]
    return c["test"] > d["test"] and c["seconds"] > d["seconds"], f"{rows}"


def early_stops(out):
    """[(stopped at epoch, of epochs, best epoch)] for each EarlyStopping that stopped."""
    stops = []
    for m in re.finditer(r"^Epoch (\d+): early stopping\s*\n"
                         r"Restoring model weights from the end of the best epoch: (\d+)\.", out, re.M):
        total = re.findall(r"^Epoch \d+/(\d+)", out[:m.start()], re.M)
        stops.append((int(m.group(1)), int(total[-1]) if total else None, int(m.group(2))))
    return stops


def epochs_of(text):
    """[(epoch, val_accuracy, val_loss), ...] as fit() printed them in text."""
    return [(int(e), float(a), float(l)) for e, a, l in re.findall(
        r"^Epoch (\d+)/\d+\s*\n.*?val_accuracy: (\d\.\d+) - val_loss: (\d+\.\d+)", text, re.M)]


def check_early_stopping_stops(click, ctx):
    """EarlyStopping stopped step 3's model before its last epoch, `patience` epochs
    after its best one, went back to that epoch's weights, and the table marks that
    epoch as the one kept."""
    out = ctx["out"](click)
    stops = early_stops(out)
    patience = int(flag(click["command"], "--patience", STEP3_PATIENCE))
    marked = re.findall(r"^\s*(\d+)\s.*<- best", out, re.M)
    ok = (len(stops) == 1 and all(total and at < total and at - best == patience
                                  and marked == [str(best)] for at, total, best in stops))
    return ok, f"(stopped at, of, best) {stops}, patience {patience}; marked best: {marked}"


def check_less_patience_stops_sooner(click, ctx):
    """This click's EarlyStopping stops the dense model sooner than an earlier run on the
    page with the same --epochs and a larger --patience, with a best validation loss
    that is no lower (the two runs train alike until the less patient one stops)."""
    def dense(c):
        out = ctx["out"](c)
        losses = [loss for _, _, loss in epochs_of(out)]
        return early_stops(out)[:1], min(losses, default=None)
    (mine, my_loss) = dense(click)
    epochs = flag(click["command"], "--epochs")
    patience = int(flag(click["command"], "--patience", STEP3_PATIENCE))
    for c in ctx["page"][:-1]:
        if c.get("kind") != "exec" or flag(c["command"], "--epochs") != epochs:
            continue
        if ("step3.py" not in c["command"]
                or int(flag(c["command"], "--patience", STEP3_PATIENCE)) <= patience):
            continue
        theirs, their_loss = dense(c)
        if mine and theirs and my_loss is not None and their_loss is not None:
            return (mine[0][0] < theirs[0][0] and my_loss >= their_loss,
                    f"dense stopped at {mine[0][0]} against {theirs[0][0]}, best validation "
                    f"loss {my_loss} against {their_loss} ({c['command']})")
    return False, "needs an EarlyStopping stop here and in an earlier run with more patience"


def check_logs_side_by_side(click, ctx):
    """Step 3's default run and its run with a patience of 1 left their logs side by
    side, each in its own folder, with a validation run TensorBoard can draw."""
    wanted = ["dense", "dense-patience1"]
    listing = ctx["probe"]("ls -d logs/step3/*/validation")
    have = re.findall(r"^logs/step3/([^/\s]+)/validation$", listing, re.M)
    return all(w in have for w in wanted), f"runs with validation logs: {have}"


def check_saved_model(click, ctx):
    """Step 4 saved fashion.keras, and it is a Keras archive (a zip file)."""
    name = "fashion.keras"
    head = ctx["probe"](f"head -c 2 {shlex.quote(name)} 2>/dev/null | od -An -c")
    return "P   K" in head, f"{name} starts with {head.strip()!r}"


def example_classes(ctx):
    """{photo file: class} of the `step6.py --example N` clicks so far on this page."""
    found = {}
    for c in ctx["page"]:
        if c.get("kind") == "exec" and c["exit"] == 0:
            for name, label in re.findall(r"^Wrote (\S+): test image \d+ \((.+?)\)", ctx["out"](c), re.M):
                found[name] = label
    return found


def photo_answers(click, ctx):
    """[(photo, class the model says)] of a step 6 click, in the order of its photos."""
    photos = [w for w in shlex.split(click["command"])[2:] if not w.startswith("--")]
    return list(zip(photos, re.findall(r"^The model says: (.+?) \(", ctx["out"](click), re.M)))


def check_examples_come_back(click, ctx):
    """Every example photo this click classifies gets the class of its test image, as
    `--example N` named it, and there is one answer per photo."""
    photos = [w for w in shlex.split(click["command"])[2:] if not w.startswith("--")]
    answers, known = photo_answers(click, ctx), example_classes(ctx)
    ok = (len(answers) == len(photos) > 0
          and all(photo in known and said == known[photo] for photo, said in answers))
    return ok, f"answers {answers}, example classes {known}"


def check_raw_answer_differs(click, ctx):
    """--raw gives the example photo another class than the one its test image has:
    without the preparation, the answer has little to do with the picture."""
    answers, known = photo_answers(click, ctx), example_classes(ctx)
    ok = bool(answers) and all(photo in known and said != known[photo] for photo, said in answers)
    return ok, f"--raw answers {answers}, example classes {known}"


CHECKS = {
    "venv-active": check_venv_active,
    "epochs-improve": check_epochs_improve,
    "balanced-classes": check_balanced_classes,
    "gap-grows": check_gap_grows,
    "other-seed-other-numbers": check_other_seed_other_numbers,
    "same-as-your-file": check_same_as_your_file,
    "learns-less-than-default": check_learns_less_than_default,
    "gap-opens": check_gap_opens,
    "conv-beats-dense": check_conv_beats_dense,
    "early-stopping-stops": check_early_stopping_stops,
    "less-patience-stops-sooner": check_less_patience_stops_sooner,
    "saved-model": check_saved_model,
    "logs-side-by-side": check_logs_side_by_side,
    "examples-come-back": check_examples_come_back,
    "raw-answer-differs": check_raw_answer_differs,
}
