"""From one run's notes to a verdict: which items hold, the first mistake, what is missing.

judge(step, run, path) returns a Verdict. The items of catalogue.ITEMS are checked
in their order, each on what the file did (never on how it is spelled): an item
holds, fails with a mistake (an id of catalogue.MISTAKES and the values its message
needs), or could not be checked because the run never got that far. `passed` lists
the items that were checked and hold, and only those; an error the file raised is
reported at the item its line belongs to (or at "your file, line N" in a file
without the page's `# [label]` lines), once the items before it have been checked:
blocks before it not written yet are said so (`not_yet`) and never hide it, nor
does a mistake in the callback, judged on made-up epochs (`also`). A block not
written yet is never a mistake (`missing`, with `why` when the file has something
in its place, such as a validation on the test images instead of evaluate()).
"""
import ast
import difflib
import re
import signal
from dataclasses import dataclass, field
from pathlib import Path

from .catalogue import (EPOCHS_NOTE, FEWER_EPOCHS, ITEMS, MISTAKES, MORE_EPOCHS, NO_EVALUATE,
                        TARGET_CASES, item_in, plural)
from .exercise import BLOCKS, marker, scaffold_only

# The Keras names the pages use: a misspelt one gets the nearest as a suggestion.
KERAS_WORDS = ["Sequential", "Input", "Flatten", "Dense", "Reshape", "Conv2D", "MaxPooling2D",
               "Dropout", "layers", "optimizers", "Adam", "callbacks", "Callback", "keras",
               "compile", "fit", "evaluate", "predict", "stop_training", "history", "astype",
               "EarlyStopping", "utils", "set_random_seed", "model", "Softmax", "Rescaling",
               "to_categorical", "losses", "metrics", "datasets", "fashion_mnist", "load_data",
               "SparseCategoricalCrossentropy", "CategoricalCrossentropy", "SGD", "RMSprop"]
LOSSES = ["sparse_categorical_crossentropy", "categorical_crossentropy",
          "binary_crossentropy", "mean_squared_error", "mse"]
# What fit(), compile(), evaluate() and the layers take: for a misspelt keyword.
KEYWORDS = ["x", "y", "batch_size", "epochs", "verbose", "callbacks", "validation_split",
            "validation_data", "shuffle", "class_weight", "sample_weight", "initial_epoch",
            "steps_per_epoch", "validation_steps", "optimizer", "loss", "metrics",
            "loss_weights", "weighted_metrics", "run_eagerly", "steps_per_execution",
            "jit_compile", "return_dict", "steps", "units", "activation", "use_bias",
            "input_shape", "shape", "filters", "kernel_size", "strides", "padding",
            "pool_size", "rate", "name", "learning_rate", "from_logits", "monitor",
            "patience", "restore_best_weights", "target_shape"]
# TensorFlow 1 names, and what TensorFlow 2 has instead.
TF1 = {"AdamOptimizer": "tf.keras.optimizers.Adam()",
       "GradientDescentOptimizer": "tf.keras.optimizers.SGD()",
       "RMSPropOptimizer": "tf.keras.optimizers.RMSprop()",
       "MomentumOptimizer": "tf.keras.optimizers.SGD(momentum=0.9)",
       "AdagradOptimizer": "tf.keras.optimizers.Adagrad()",
       "placeholder": "tf.keras.Input(shape=(28, 28))",
       "Session": "nothing: TensorFlow 2 runs each line at once, with no Session",
       "InteractiveSession": "nothing: TensorFlow 2 runs each line at once, with no Session",
       "global_variables_initializer": "nothing: Keras sets up the weights itself",
       "contrib": "the tf.keras form of what you used from tf.contrib",
       "to_float": "tf.cast(x, tf.float32)", "log_softmax_v1": "tf.nn.log_softmax"}
MODULES = ["tensorflow", "keras", "numpy", "tutorial_helpers", "matplotlib", "tensorboard"]
PAGE_EPOCHS = 5  # what step 2's page asks fit() for
# At or below this test accuracy a model has learned next to nothing: guessing one of
# ten classes gets 0.10, and one epoch on the check's images gets well above 0.5.
CHANCE = 0.2
# Pixels that reach the model no brighter than this were divided by 255 twice
# (1 / 255 = 0.0039): as the model sees them, the images are nearly black.
TWICE = 1.5 / 255
# The layers that compute an activation on what the layer before them gives.
ACTIVATION_LAYERS = {"Activation", "Softmax", "ReLU", "LeakyReLU", "PReLU", "ELU"}
WEIGHTS = {"Dense", "Conv2D", "Conv1D", "Conv3D"}


@dataclass
class Verdict:
    item: str = None           # the item that fails, or None when all pass
    mistake: str = None        # catalogue id
    values: dict = field(default_factory=dict)
    missing: object = None     # a Block not written yet (with a mistake: an earlier one)
    why: str = None            # for a block not written yet: what the file has instead
    not_yet: list = field(default_factory=list)  # items not written yet, before the mistake
    said: str = None           # the error's own first line, when the message does not quote it
    also: object = None        # a Verdict: an error further on that the mistake did not cause
    accuracy: float = None     # the test accuracy reached on the check's images
    raw: str = ""              # TensorFlow's own error, for --verbose
    passed: list = field(default_factory=list)  # the items checked and holding, in order
    notes: list = field(default_factory=list)   # what differs from the page but is fine
    skipped: list = field(default_factory=list)  # items this file is not asked for
    where: str = None          # "your file, line N" for an error outside the page's blocks

    @property
    def ok(self):
        return self.mistake is None and self.missing is None


class Unchecked(Exception):
    """An item's evidence is not in the run: the file never got that far."""


class Failed(Exception):
    def __init__(self, mistake, **values):
        super().__init__(mistake)
        self.mistake, self.values = mistake, values


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


def activations(found):
    """[(Dense layer, what its output computes)], the activation layers after it included:
    Dense(10) then Softmax() computes softmax."""
    result = []
    for layer in found:
        if layer["class"] == "Dense":
            result.append([layer, layer.get("computes") or "other"])
        elif layer["class"] in ACTIVATION_LAYERS and result and result[-1][1] == "linear":
            result[-1][1] = layer.get("computes") or "other"
        elif layer["class"] in WEIGHTS:
            result.append([layer, "weights"])  # a Conv layer: not a Dense to judge
    return [(layer, kind) for layer, kind in result if kind != "weights"]


def block_of(path, line):
    """The label of the block that holds line (the nearest `# [label]` above it)."""
    label = None
    for number, text in enumerate(Path(path).read_text(errors="replace").splitlines(), 1):
        if number > line:
            break
        label = marker(text) or label
    return label


def labels_in(path):
    """The `# [label]` labels the file holds."""
    return {marker(text) for text in Path(path).read_text(errors="replace").splitlines()} - {None}


def has_markers(path):
    return bool(labels_in(path))


PREDICT_NOTE = ("Note: your file makes no prediction. The page's section \"6. One "
                "prediction\" shows one:  model.predict(x_test[:1])")


def unwritten(path):
    """The labels whose `# [label]` place in the file still holds no code, or only its
    scaffold (a method whose body is `pass`: step 3's callback as given)."""
    empty, label, code, below = set(), None, False, []
    for text in Path(path).read_text(errors="replace").splitlines() + ["# [end]"]:
        if marker(text) or text.startswith("# Keep this line last"):
            if label and (not code or scaffold_only("\n".join(below))):
                empty.add(label)
            label, code, below = marker(text), False, []
        else:
            below.append(text)
            if text.strip() and not text.strip().startswith("#"):
                code = True
    return empty


def writes_callback(run, path):
    """Whether the file has a callback class: one it defines (made from a class whose
    name ends in Callback) or one its globals hold at its end (imported, say)."""
    end = run.ending() or {}
    if end.get("callback_classes"):
        return True
    try:
        tree = ast.parse(Path(path).read_text(errors="replace"))
    except SyntaxError:
        return True
    return any(isinstance(node, ast.ClassDef) and any(
        ast.unparse(base).endswith("Callback") for base in node.bases)
        for node in ast.walk(tree))


def own_names(path):
    """Every name the learner's file defines: for a misspelt name, the nearest of them."""
    try:
        tree = ast.parse(Path(path).read_text(errors="replace"))
    except SyntaxError:
        return []
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((a.asname or a.name).split(".")[0] for a in node.names)
    return sorted(names)


def nearest(word, words, before=" (did you mean `", after="`?)"):
    close = difflib.get_close_matches(word, words, n=1)
    return f"{before}{close[0]}{after}" if close else ""


def number_of(shape):
    return (shape or [None])[0]


# --- each item's check: returns when it holds, raises Failed or Unchecked -----------

def check_model(step, run, path):
    found, inputs = layers(run)
    if not found:
        raise Unchecked
    fit = run.first("fit") or {}
    image_rank = len((fit.get("x") or {}).get("shape") or [0, 28, 28])
    if inputs and len(inputs[0]) == 2 and image_rank == 3:
        raise Failed("input-784")
    convolutional = any(layer["class"] == "Conv2D" for layer in found)
    if step == "3" and convolutional and inputs and len(inputs[0]) == 3 \
            and not any(layer["class"] == "Reshape" for layer in found):
        raise Failed("conv-no-channel")
    if found[-1]["output_shape"] and len(found[-1]["output_shape"]) > 2:
        shape = tuple("batch" if n is None else n for n in found[-1]["output_shape"])
        raise Failed("no-flatten", shape="(" + ", ".join(map(str, shape)) + ")")
    dense = activations(found)
    if dense and dense[-1][0]["units"] != 10:
        raise Failed("wrong-units", neurons=plural(dense[-1][0]["units"], "neuron"))
    compiled = run.first("compile") or {}
    last = dense[-1][1] if dense else None
    if dense and last != "softmax" and not (last == "linear" and compiled.get("from_logits")):
        activation = dense[-1][0]["activation"] if last == "other" else \
            "none (its scores stay raw: logits)" if last == "linear" else last
        raise Failed("not-softmax", activation=activation)
    if step == "2" and len(dense) == 1:
        raise Failed("no-hidden-layer")
    if any(kind == "linear" for _, kind in dense[:-1]):
        raise Failed("no-relu")
    hidden = [layer for layer, kind in dense[:-1] if kind == "softmax"]
    if hidden:
        raise Failed("hidden-softmax", units=hidden[0]["units"],
                     outputs=plural(hidden[0]["units"], "output"))
    if step == "3" and not convolutional:
        raise Failed("no-conv")
    if step == "3" and rescaling(run) < 1.0:
        x = fit.get("x") or {}
        if 0 < x.get("max", 0) <= 1.0:
            raise Failed("scaled-twice", high=x["max"] * rescaling(run))


def label_form(run):
    """'one-hot', 'numbers' or None: how fit() gets the labels (as loaded, before fit)."""
    fit = run.first("fit")
    if fit is None:
        return "numbers" if run.first("data") else None
    y = fit.get("y") or {}
    if y.get("one_hot"):
        return "one-hot"
    return "numbers" if y.get("integral") else None


def has_accuracy(compiled):
    metrics = compiled.get("metrics") or []
    return any("acc" in str(m) for m in (metrics if isinstance(metrics, list) else [metrics]))


def check_compile(step, run, path):
    compiled = run.first("compile")
    if compiled is None:
        if run.first("fit"):
            raise Failed("no-compile")
        raise Unchecked
    loss = str(compiled.get("loss"))
    if compiled.get("loss_known") is False:
        raise Failed("misspelt", name=loss, suggestion=nearest(loss, LOSSES),
                     line=compiled.get("line"), code=(compiled.get("code") or "").strip())
    form = label_form(run)
    categorical = "categorical_crossentropy" in loss
    if categorical and "sparse" not in loss and form == "numbers":
        raise Failed("categorical-loss")
    if categorical and "sparse" in loss and form == "one-hot":
        raise Failed("sparse-loss-one-hot")
    if not has_accuracy(compiled):
        raise Failed("no-accuracy")


def check_data(step, run, path):
    fit = run.first("fit")
    if fit is None:
        raise Unchecked
    x, y = fit["x"] or {}, fit["y"]
    if x.get("shape") and x["shape"][0] == 0:
        raise Failed("no-images", count=0)
    if x.get("nan"):
        raise Failed("nan-pixels")
    if y is None and x.get("shape"):
        raise Failed("no-labels")
    y = y or {}
    if "min" in y and not y.get("one_hot") and not (
            y.get("integral") and y["min"] >= 0 and y["max"] <= 9):
        raise Failed("labels-changed", low=y["min"], high=y["max"],
                     fraction="" if y.get("integral") else ", fractions")
    seen = x.get("max", 0) * rescaling(run)  # the brightest pixel, as the model sees it
    if seen > 1.0:
        raise Failed("not-normalized", low=x["min"], high=x["max"])
    if 0 < seen <= TWICE:
        if rescaling(run) < 1.0:
            raise Failed("divided-twice", high=seen, how=(
                "your file divides the images by 255, and your model's Rescaling(1 / 255) "
                "layer divides them again"), fix=(
                "Divide them once. The page's model scales them itself, in its Rescaling "
                "layer: leave the images 0..255, as your file loads them."))
        raise Failed("divided-twice", high=seen, how="your file divides the images by 255 "
                     "and then by 255 again", fix="Divide them by 255.0 once, as step 1 "
                     "does: x_train / 255.0 gives pixels from 0 to 1.")


def check_fit(step, run, path, verdict):
    fit = run.first("fit")
    if fit is None:
        raise Unchecked
    data = run.first("data") or {}
    trained = number_of((fit["x"] or {}).get("shape"))
    if trained is not None and data.get("test") != data.get("train") \
            and trained == data.get("test"):
        raise Failed("fit-on-test")
    epochs = fit["epochs"]
    if step == "2" and isinstance(epochs, int) and epochs != PAGE_EPOCHS:
        cost = MORE_EPOCHS.format(epochs=epochs, ratio=epochs / PAGE_EPOCHS) \
            if epochs > PAGE_EPOCHS else FEWER_EPOCHS
        verdict.notes.append(EPOCHS_NOTE.format(
            epochs=epochs, s="" if epochs == 1 else "s", cost=cost,
            default="" if fit.get("epochs_given")
            else " (fit()'s default, when epochs= is not given)"))


def check_train(step, run, path, verdict):
    """Step 3: compile(), then fit() with a validation set and the learner's callback."""
    check_compile(step, run, path)
    fit = run.first("fit")
    if fit is None:
        raise Unchecked
    end = run.ending() or {}
    given = [c for c in fit["callbacks"] if c["own"]]
    for c in given:
        if c["is_class"]:
            raise Failed("callback-class", name=c["class"])
    if not given:
        own_classes = end.get("callback_classes") or []
        if own_classes:
            raise Failed("callback-not-passed", name=own_classes[0])
        raise Failed("no-callback")
    if not fit["validation"]:
        raise Failed("no-validation")
    check_fit(step, run, path, verdict)


def log_names(run):
    """What fit()'s logs hold for this model: loss, accuracy (as compile() names it), ..."""
    metrics = (run.first("compile") or {}).get("metrics") or ["accuracy"]
    names = [m for m in (metrics if isinstance(metrics, list) else [metrics])
             if isinstance(m, str)] or ["accuracy"]
    return ", ".join(["loss"] + names + ["val_loss"] + ["val_" + n for n in names])


def check_callback(step, run, path, verdict):
    """The learner's callback on made-up epochs: the one fit() got, else its class as
    the file defines it (so it is judged before the model and fit() are written)."""
    fit = run.first("fit") or {}
    given = [c for c in fit.get("callbacks") or [] if c["own"] and c.get("trial")]
    trial = given[0]["trial"] if given else None
    end = run.ending() or {}
    trials = end.get("callback_trials") or {}
    name = given[0]["class"] if given else next(iter(trials), None)
    if trial is None:
        trial = trials.get(name)
    if "callback" in unwritten(path):
        raise Unchecked  # no callback yet, or the scaffold as given (on_epoch_end: `pass`)
    if trial is None:
        if fit and "callback" not in unwritten(path):  # fit() ran, and no callback
            raise Failed("no-callback")  # is written (a file of its own: anywhere)
        raise Unchecked  # the block is still empty, or the file stopped before fit()
    for case in ("val_high", "val_low"):
        if isinstance(trial.get(case), str):
            raise Failed("callback-fails", reason=trial[case], logs=log_names(run))
    # Stopping at a validation accuracy of 0.05 when the training one is high, and not
    # when both are low: the training accuracy is what it watches. A comparison the
    # wrong way round (<=) stops at both: it is said not to stop at 0.999.
    if trial.get("val_low") and not trial.get("both_low", False):
        raise Failed("callback-watches-training")
    if not trial.get("val_high"):
        raise Failed("callback-never-stops")
    if trial.get("val_low"):
        raise Failed("callback-watches-training")
    ignored = [case for case, (_, _, stops) in TARGET_CASES.items()
               if (trials.get(name) or {}).get(case, stops) != stops]
    if ignored:
        target, val, stops = TARGET_CASES[ignored[0]]
        verdict.notes.append(TARGET_NOTE.format(
            name=name, target=target, val=val, does="stops" if not stops else "does not stop"))


TARGET_NOTE = ("Note: your callback does not use the target it is made with: made as "
               "{name}({target}), it {does} at a validation accuracy of {val}. Compare "
               "logs[\"val_accuracy\"] with self.target, so that {name}(0.9) stops at 0.9 "
               "and {name}(0.95) at 0.95.")


def test_evaluation(run):
    """The learner's evaluate() on the test images and what it gave: the one whose images
    are as many as the test set (the training accuracy may be measured too), else the
    first."""
    data = run.first("data") or {}
    calls, results = run.all("evaluate"), run.all("evaluated")
    for i, call in enumerate(calls):
        if number_of((call["x"] or {}).get("shape")) == data.get("test") is not None:
            return call, (results[i] if i < len(results) else {})
    return (calls[0], results[0] if results else {}) if calls else (None, {})


def check_evaluate(step, run, path, verdict):
    evaluate, evaluated = test_evaluation(run)
    if evaluate is None:
        raise Unchecked
    fit = run.first("fit") or {}
    data = run.first("data") or {}
    ex = evaluate["x"] or {}
    tested = number_of(ex.get("shape"))
    trained = number_of((fit.get("x") or {}).get("shape"))
    if tested is not None and data.get("test") not in (tested, None) \
            and tested in (trained, data.get("train")):
        raise Failed("evaluate-on-train")
    scale = rescaling(run)
    if ex.get("max", 0) * scale > 1.0 or 0 < ex.get("max", 0) * scale <= TWICE < (
            (fit.get("x") or {}).get("max", 0) * scale):
        raise Failed("test-not-normalized", low=ex["min"] * scale, high=ex["max"] * scale,
                     after="" if scale == 1 else " (after its Rescaling layer)")
    result = (evaluated or {}).get("result")
    if isinstance(result, dict):
        result = [result.get("loss")] + [v for k, v in result.items() if "acc" in k]
    if not (isinstance(result, list) and len(result) >= 2):
        raise Unchecked
    loss, verdict.accuracy = result[0], result[1]
    numbers = (run.last("end") or {}).get("numbers", {})
    for name, value in numbers.items():
        if "acc" in name and "train" not in name and abs(value - loss) < 1e-9 \
                and abs(loss - verdict.accuracy) > 1e-6:
            raise Failed("swapped-results", name=name, value=value)
    if verdict.accuracy <= CHANCE:
        raise Failed("learned-nothing", accuracy=verdict.accuracy)


def check_predict(step, run, path):
    predict = run.first("predict")
    if predict is None:
        raise Unchecked
    shape = (predict["x"] or {}).get("shape") or []
    if len(shape) == 2:  # one image, 28 by 28, with no batch axis around it
        raise Failed("predict-no-batch", shape=tuple(shape))
    scale, fit = rescaling(run), run.first("fit") or {}
    seen = ((predict["x"] or {}).get("max") or 0) * scale
    if seen > 1.0 or 0 < seen <= TWICE < (fit.get("x") or {}).get("max", 0) * scale:
        raise Failed("predict-not-normalized", high=seen,
                     after="" if scale == 1 else " (after its Rescaling layer)")
    if (run.first("predicted") or {}).get("shape") is None:
        raise Unchecked


CHECKS = {"model": check_model, "compile": check_compile, "data": check_data,
          "fit": check_fit, "train": check_train, "callback": check_callback,
          "evaluate": check_evaluate, "predict": check_predict}
NEEDS_VERDICT = {"fit", "train", "evaluate", "callback"}


# --- errors the file raised --------------------------------------------------------

def error_mistake(step, run, error, path):
    """A catalogue id and values for an error the learner's file raised."""
    message, kind = error["message"], error["type"]
    fit = run.first("fit") or {}
    if fit and not fit.get("validation") and "in on_epoch_end" in error.get("traceback", ""):
        # The callback looked for val_accuracy in logs that have none (KeyError, or
        # None from logs.get() then compared): fit() was given no validation set.
        return "no-validation", {}
    for callback in fit.get("callbacks") or []:  # fit() ran the learner's callback
        trial = callback.get("trial") or {}
        if callback["own"] and any(isinstance(answer, str) for answer in trial.values()):
            return "callback-fails", {"reason": next(
                a for a in trial.values() if isinstance(a, str)), "logs": log_names(run)}
    if "min_ndim=4, found ndim=3" in message:  # Conv2D given images without a channel
        return "conv-no-channel", {}
    if "Could not interpret loss identifier" in message:
        name = message.rsplit(":", 1)[-1].strip()
        return "misspelt", {"name": name, "suggestion": nearest(name, LOSSES)}
    keyword = re.search(r"(\w+)\(\) got an unexpected keyword argument '(\w+)'", message)
    if kind == "TypeError" and keyword:
        function, name = keyword.group(1), keyword.group(2)
        return "misspelt-keyword", {"function": function, "name": name,
                                    "suggestion": nearest(name, KEYWORDS, " (did you mean `",
                                                          "=`?)")}
    missing = re.search(r"has no attribute '(\w+)'", message)
    if kind == "AttributeError" and missing:
        name = missing.group(1)
        if name in TF1 and "tensorflow" in message:
            return "tf1-name", {"name": name, "modern": TF1[name]}
        return "misspelt", {"name": name, "suggestion": nearest(name, KERAS_WORDS)}
    if kind in ("ModuleNotFoundError", "ImportError"):
        name = error.get("name") or (re.findall(r"'([\w.]+)'", message) or [kind])[0]
        if kind == "ImportError":
            found = re.search(r"cannot import name '(\w+)'", message)
            name = found.group(1) if found else name
            return "import-error", {"name": name,
                                    "suggestion": nearest(name, KERAS_WORDS)}
        return "import-error", {"name": name, "suggestion": nearest(name.split(".")[0],
                                                                    MODULES)}
    if kind in ("NameError", "UnboundLocalError"):
        name = error.get("name") or (re.findall(r"'(\w+)'", message) or ["?"])[0]
        words = [w for w in own_names(path) + KERAS_WORDS + ["tf", "np"] if w != name]
        return "name-error", {"name": name, "suggestion": nearest(
            name, words, " Did you mean `", "`?")}
    if "must call `compile()`" in message or "compile()" in message and \
            not run.first("compile"):
        return "no-compile", {}
    first_line = message.strip().splitlines()[0] if message.strip() else kind
    if "/numpy/" in error.get("traceback", "") or kind == "ValueError" and (
            "cannot reshape array" in message or "could not be broadcast" in message):
        return "numpy-error", {"type": kind, "reason": first_line[:300]}
    return "error", {"type": kind, "reason": first_line[:300]}


def validated_on(run):
    """What fit() measured the model on after each epoch: None, "test" (the test images)
    or "held-out" (images held out from the training ones)."""
    fit, data = run.first("fit") or {}, run.first("data") or {}
    if not fit.get("validation"):
        return None
    test = data.get("test")
    if test is not None and test != data.get("train") and fit.get("validation_count") == test:
        return "test"
    return "held-out"


MEMORY = (" On a small machine that is most often the system ending the largest "
          "program when memory runs out.")


def cut_short(run):
    """(mistake, values) for a run that ended with no note of its end: killed (by the
    system, when memory runs out) or stopped before the file's first line (a broken
    TensorFlow install). None for a run that ended as Python ends a file."""
    if run.ending():
        return None
    code = run.returncode or 0
    try:
        how = f"killed by {signal.Signals(-code).name}" if code < 0 else f"exit code {code}"
    except ValueError:
        how = f"killed by signal {-code}"
    if not run.first("start"):
        said = next((line.strip() for line in reversed(run.output.splitlines())
                     if line.strip()), "")
        return "no-start", {"printed": f":\n    {said}" if said else f" ({how})."}
    return "cut-short", {"how": how, "cause": MEMORY if code == -signal.SIGKILL else ""}


def judge(step, run, path):
    verdict = Verdict()
    order = [item for item, _ in ITEMS[step]]
    blocks = {block.label: block for block in BLOCKS[step]}
    scratch = not has_markers(path)
    empty = unwritten(path)
    if scratch and "callback" in blocks and not writes_callback(run, path):
        empty.add("callback")  # a file of its own with no callback class in it

    def label_of(item):
        return {"data": "fit" if step == "2" else "train"}.get(item, item)

    def item_of_line(line):
        if scratch or not line:
            return None
        return block_of(path, line)  # None above the first label: "your file, line N"

    def fail(item, mistake, **values):
        verdict.item, verdict.mistake, verdict.values = item, mistake, values
        return verdict

    if run.syntax:
        error = run.syntax
        item = item_of_line(error["line"] or 1)
        if item is None:
            verdict.where = f"your file, line {error['line']}"
        return fail(item, "syntax-error", line=error["line"],
                    reason=error["message"].rstrip("."), code=error["code"].strip())
    if run.timed_out:
        line = run.stack_line
        item = item_of_line(line[0]) if line else None
        where = f" while it ran line {line[0]}:\n    {line[1]}\n" if line else ""
        if item is None and line:
            verdict.where = f"your file, line {line[0]}"
        return fail(item, "time-limit", where=where.rstrip("\n"))

    error, stopped = run.last("error"), run.last("exit")
    short = cut_short(run)
    error_item = None
    if error:
        verdict.raw = error["traceback"]
        mistake, values = error_mistake(step, run, error, path)
        values.update(line=error.get("line"), code=(error.get("code") or "").strip())
        error_item = item_in(step, MISTAKES[mistake].item) or item_of_line(error.get("line"))
        if error_item not in order:
            error_item = None

    def report_error(into=verdict):
        if error_item is None:
            into.where = f"your file, line {error.get('line')}" if error.get("line") \
                else "your file"
        template = MISTAKES[mistake].message
        if "{reason}" not in template and "{code}" not in template:
            # The message names the mistake; the file's own error is shown too, in
            # Python's and Keras's words, as running the file would show it.
            lines = error["message"].strip().splitlines()
            into.said = f"{error['type']}: {lines[0][:300] if lines else ''}".rstrip(": ")
        into.item, into.mistake, into.values = error_item, mistake, values
        return into

    def not_yet(item, label):
        """item's block is not written yet: said as such, and the page's next step."""
        verdict.not_yet.append(item)
        verdict.missing = verdict.missing or blocks.get(label, BLOCKS[step][-1])

    def error_after(item):
        """The error, at its item, once item and those up to it are said not written
        yet when their blocks are empty: the order never hides the error."""
        for later in order[order.index(item):]:
            if later == error_item:
                break
            if label_of(later) in empty and later not in verdict.not_yet:
                not_yet(later, label_of(later))
        return report_error()

    for item in order:
        try:
            if item in NEEDS_VERDICT:
                CHECKS[item](step, run, path, verdict)
            else:
                CHECKS[item](step, run, path)
        except Failed as failed:
            if error and failed.mistake == "no-callback" and error_item != item:
                # No callback yet, and the file broke further on: the break is shown,
                # the callback is still to write (the order never hides an error).
                not_yet(item, "callback")
                return error_after(item)
            if error and item == "callback" and error_item not in (None, "callback"):
                # The callback is judged on made-up epochs: its mistake did not break
                # the run, so the error further on is shown as well.
                verdict.also = report_error(Verdict())
            return fail(item_in(step, MISTAKES[failed.mistake].item) or item,
                        failed.mistake, **failed.values)
        except Unchecked:
            if short:
                break  # not "not written yet": the run never got that far
            if error:
                return error_after(item)
            if item == "predict" and (scratch or "predict" not in labels_in(path)):
                # A file of its own, or an exercise file from before the page's
                # section 6: a prediction is shown, not required.
                verdict.notes.append(PREDICT_NOTE)
                verdict.skipped.append(item)
                continue
            if stopped and stopped.get("message"):
                return fail(item, "stopped", reason=stopped["message"].strip())
            label = next((label for label in blocks if label in empty), label_of(item))
            if item == "evaluate" and (scratch or "evaluate" not in empty
                                       or validated_on(run)):
                # Missing, not wrong: what the file has instead, and what the page asks.
                verdict.why, label = NO_EVALUATE[validated_on(run)], "evaluate"
            verdict.item, verdict.missing = item, blocks.get(label, BLOCKS[step][-1])
            return verdict
        if error and item == error_item:
            return report_error()
        verdict.passed.append(item)
    if short:
        verdict.where = "your file"
        return fail(None, short[0], **short[1])
    if error:
        return report_error()
    if stopped and stopped.get("message"):
        return fail(None, "stopped", reason=stopped["message"].strip())
    return verdict
