"""From one run's notes to a verdict: the first mistake, if any, and what is missing.

judge(step, run, path) returns a Verdict: `mistake` (an id of catalogue.MISTAKES and
the values its message needs) or `missing` (the first block not written yet), and
the item each applies to. It judges what the file did, never how it is spelled.
"""
import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path

from .catalogue import MISTAKES
from .exercise import BLOCKS, marker

# The Keras names the pages use: a misspelt one gets the nearest as a suggestion.
KERAS_WORDS = ["Sequential", "Input", "Flatten", "Dense", "Reshape", "Conv2D", "MaxPooling2D",
               "Dropout", "layers", "optimizers", "Adam", "callbacks", "Callback", "keras",
               "compile", "fit", "evaluate", "predict", "stop_training", "history", "astype",
               "EarlyStopping", "utils", "set_random_seed", "model"]
PAGE_EPOCHS = 5  # what step 2's page asks fit() for
# Below this test accuracy on the check's slice, a model has learned next to nothing.
LEARNED = 0.5


@dataclass
class Verdict:
    item: str = None           # the item that fails, or None when all pass
    mistake: str = None        # catalogue id
    values: dict = field(default_factory=dict)
    missing: object = None     # a Block not written yet
    accuracy: float = None     # the test accuracy reached on the slice
    raw: str = ""              # TensorFlow's own error, for --verbose

    @property
    def ok(self):
        return self.mistake is None and self.missing is None


def layers(run):
    """The model's layers as last seen (fit, compile or the file's end), and its inputs."""
    for kind in ("fitted", "fit", "compile", "end", "error", "exit"):
        event = run.last(kind)
        if event and event.get("layers"):
            return event["layers"], event.get("inputs")
        if event and event.get("model"):
            return event["model"]["layers"], event["model"].get("inputs")
    return [], None


def rescaling(run):
    """What the model's Rescaling layers multiply the pixels by (1 without any)."""
    factor = 1.0
    for layer in layers(run)[0]:
        if layer["class"] == "Rescaling" and layer.get("scale"):
            factor *= layer["scale"]
    return factor


def block_of(path, line):
    """The label of the block that holds line (the nearest `# [label]` above it)."""
    label = None
    for number, text in enumerate(Path(path).read_text(errors="replace").splitlines(), 1):
        if number > line:
            break
        label = marker(text) or label
    return label


def unwritten(path):
    """The labels whose `# [label]` place in the file still holds no code."""
    empty, label, code = set(), None, False
    for text in Path(path).read_text(errors="replace").splitlines() + ["# [end]"]:
        if marker(text) or text.startswith("# Keep this line last"):
            if label and not code:
                empty.add(label)
            label, code = marker(text), False
        elif text.strip() and not text.strip().startswith("#"):
            code = True
    return empty


def model_mistake(step, run):
    found, inputs = layers(run)
    dense = [layer for layer in found if layer["class"] == "Dense"]
    compiled = run.first("compile") or {}
    data = run.first("fit") or {}
    image_rank = len((data.get("x") or {}).get("shape") or [0, 28, 28])
    if inputs and len(inputs[0]) == 2 and image_rank == 3:
        return "input-784", {}
    if step == "3" and any(layer["class"] == "Conv2D" for layer in found) and inputs \
            and len(inputs[0]) == 3 and not any(layer["class"] == "Reshape"
                                                for layer in found):
        return "conv-no-channel", {}
    if found and found[-1]["output_shape"] and len(found[-1]["output_shape"]) > 2:
        shape = tuple("batch" if n is None else n for n in found[-1]["output_shape"])
        return "no-flatten", {"shape": "(" + ", ".join(map(str, shape)) + ")"}
    if dense and dense[-1]["units"] != 10:
        return "wrong-units", {"units": dense[-1]["units"]}
    if dense and dense[-1]["activation"] != "softmax" and not compiled.get("from_logits"):
        return "not-softmax", {"activation": dense[-1]["activation"]}
    if any(layer["activation"] == "linear" for layer in dense[:-1]):
        return "no-relu", {}
    if step == "3" and found and not any(layer["class"] == "Conv2D" for layer in found):
        return "no-conv", {}
    return None


def error_mistake(step, run, error):
    """A catalogue id for an error the learner's file raised, or the generic one."""
    message, fit = error["message"], run.first("fit")
    if "min_ndim=4, found ndim=3" in message:  # Conv2D given images without a channel
        return "conv-no-channel", {}
    misspelt = re.search(r"has no attribute '(\w+)'", message)
    if error["type"] == "AttributeError" and misspelt:
        close = difflib.get_close_matches(misspelt.group(1), KERAS_WORDS, n=1)
        return "misspelt", {"name": misspelt.group(1),
                            "suggestion": f" (did you mean `{close[0]}`?)" if close else ""}
    if error["type"] == "NameError":
        name = error.get("name") or re.search(r"'(\w+)'", message).group(1)
        known = KERAS_WORDS + ["tf", "x_train", "y_train", "x_test", "y_test", "x_val",
                               "y_val", "StopAtAccuracy", "test_accuracy", "train_accuracy"]
        close = difflib.get_close_matches(name, known, n=1)
        return "name-error", {"name": name,
                              "suggestion": f" Did you mean `{close[0]}`?" if close else ""}
    if "compile()" in message and not run.first("compile"):
        return "no-compile", {}
    if fit and fit["y"] is None and fit["x"] and fit["x"].get("shape") and not run.first("fitted"):
        return "no-labels", {}
    compiled = run.first("compile")
    if "cannot unpack non-iterable" in message and compiled and not has_accuracy(compiled):
        return "no-accuracy", {}
    if step == "3":
        callback = callback_mistake(run)
        if callback:
            return callback
    first_line = message.strip().splitlines()[0] if message.strip() else error["type"]
    return "error", {"type": error["type"], "reason": first_line[:300]}


def has_accuracy(compiled):
    metrics = compiled.get("metrics") or []
    return any("acc" in str(m) for m in (metrics if isinstance(metrics, list) else [metrics]))


def callback_mistake(run):
    """Step 3: the learner's callback, tried on made-up epochs and seen in fit()."""
    fit = run.first("fit")
    end = run.last("end") or run.last("error") or run.last("exit") or {}
    own_classes = end.get("callback_classes") or []
    if fit is None:
        return None
    given = [c for c in fit["callbacks"] if c["own"]]
    for c in given:
        if c["is_class"]:
            return "callback-class", {"name": c["class"]}
    if not given:
        if own_classes:
            return "callback-not-passed", {"name": own_classes[0]}
        return "no-callback", {}
    trial = given[0]["trial"] or {}
    for case in ("val_high", "val_low"):
        if isinstance(trial.get(case), str):
            return "callback-fails", {"reason": trial[case]}
    if trial.get("val_low"):
        return "callback-watches-training", {}
    if not trial.get("val_high"):
        return "callback-never-stops", {}
    if not fit["validation"]:
        return "no-validation", {}
    return None


def judge(step, run, path):
    verdict = Verdict()
    blocks = {block.label: block for block in BLOCKS[step]}

    def fail(item, mistake, **values):
        verdict.item, verdict.mistake, verdict.values = item, mistake, values
        return verdict

    if run.syntax:
        error = run.syntax
        reason = error["message"].rstrip(".")
        return fail(block_of(path, error["line"] or 1) or "data", "syntax-error",
                    line=error["line"], reason=reason, code=error["code"].strip())
    if run.timed_out:
        line = run.stack_line
        item = block_of(path, line[0]) if line else None
        where = f" while it ran line {line[0]}:\n    {line[1]}\n" if line else ""
        return fail(item or "data", "time-limit", where=where.rstrip("\n"))
    error, stopped = run.last("error"), run.last("exit")
    if error:
        verdict.raw = error["traceback"]
    model = model_mistake(step, run)
    if model:
        return fail("model", *model[:1], **model[1])
    compiled = run.first("compile")
    if compiled:
        loss = str(compiled.get("loss"))
        if "categorical_crossentropy" in loss and "sparse" not in loss:
            return fail("compile", "categorical-loss")
    if error:
        mistake, values = error_mistake(step, run, error)
        item = MISTAKES[mistake].item or (
            block_of(path, error["line"]) if error.get("line") else None)
        code = (error.get("code") or "").strip()
        return fail(item or "data", mistake, line=error.get("line"), code=code, **values)
    if stopped and stopped.get("message"):
        return fail("data", "stopped", reason=stopped["message"].strip())
    if step == "3":
        callback = callback_mistake(run)
        if callback:
            return fail(MISTAKES[callback[0]].item, callback[0], **callback[1])
    fit = run.first("fit")
    if compiled is None and fit is None:
        end = run.last("end") or {}
        first = ("model" if not end.get("model") else "compile") if step == "2" else \
            ("callback" if not end.get("callback_classes") else
             "model" if not end.get("model") else "train")
        verdict.item, verdict.missing = first, blocks[first]
        return verdict
    if compiled and not has_accuracy(compiled):
        return fail("compile", "no-accuracy")
    if fit is None:
        label = "fit" if step == "2" else "train"
        verdict.item, verdict.missing = label, blocks[label]
        return verdict
    x = fit["x"] or {}
    scale = rescaling(run)  # a model may normalize the pixels itself, as step3.py's do
    if x.get("max", 0) * scale > 1.0:
        return fail("data", "not-normalized", low=x["min"], high=x["max"])
    if step == "3" and scale < 1.0 and 0 < x.get("max", 0) <= 1.0:
        return fail("model", "scaled-twice", high=x["max"] * scale)
    data = run.first("data") or {}
    if x.get("shape") and data.get("test") != data.get("train") \
            and x["shape"][0] == data.get("test"):
        return fail("fit" if step == "2" else "train", "fit-on-test")
    if step == "2" and fit["epochs"] != PAGE_EPOCHS:
        return fail("fit", "wrong-epochs", epochs=fit["epochs"],
                    s="" if fit["epochs"] == 1 else "s",
                    default="" if fit.get("epochs_given")
                    else " (fit()'s default, when epochs= is not given)")
    evaluate = run.first("evaluate")
    if evaluate is None and "evaluate" in unwritten(path):
        verdict.item, verdict.missing = "evaluate", blocks["evaluate"]
        return verdict
    if evaluate is None:
        return fail("evaluate", "no-evaluate")
    ex = evaluate["x"] or {}
    tested = (ex.get("shape") or [None])[0]
    trained = (x.get("shape") or [None])[0]
    if tested is not None and data.get("test") not in (tested, None) \
            and tested in (trained, data.get("train")):
        return fail("evaluate", "evaluate-on-train")
    if ex.get("max", 0) * scale > 1.0:
        return fail("evaluate", "test-not-normalized", low=ex["min"], high=ex["max"])
    result = (run.first("evaluated") or {}).get("result")
    if isinstance(result, list) and len(result) >= 2:
        loss, verdict.accuracy = result[0], result[1]
        numbers = (run.last("end") or {}).get("numbers", {})
        for name, value in numbers.items():
            if "acc" in name and "train" not in name and abs(value - loss) < 1e-9 \
                    and abs(loss - verdict.accuracy) > 1e-6:
                return fail("evaluate", "swapped-results", name=name, value=value)
    return verdict
