"""Runs the learner's file in this process and notes what it asks Keras to do.

python -m tutorial_helpers.checking.probe FILE EVENTS  (check.py starts it, never
the learner). Before the file runs, this wraps:

- the data loaders, tutorial_helpers.load_fashion_mnist and Keras's
  fashion_mnist.load_data: both give the whole data set, read by the project's
  checked reader, never downloaded, so the file sees the real shapes;
- keras.Model.compile, fit and evaluate: each call is noted (the layers and what
  their activations compute, the loss, the metrics, the arrays' shapes and ranges,
  the epochs, the validation set's size, the callbacks, the history) and then made,
  behind the file's back, on the first CHECK_TRAIN training (CHECK_TEST test and
  validation) images, with at most CHECK_EPOCHS epochs.

Each note is one JSON line in EVENTS, written at once, so that the parent reads
them even if the file then fails, loops or is killed.
"""
import contextlib
import copy
import faulthandler
import inspect
import io
import json
import os
import sys
import time
import traceback
from pathlib import Path

import numpy as np

from .catalogue import TARGET_CASES

_started = time.monotonic()
FILE = Path(sys.argv[1]).resolve()
_events = open(sys.argv[2], "a")


def note(kind, **data):
    data["t"] = round(time.monotonic() - _started, 3)  # seconds since the probe started
    _events.write(json.dumps({"kind": kind, **data}, default=repr) + "\n")
    _events.flush()


def stats(array, labels=False):
    """Shape, dtype and range of an array the learner passes, or its type; for labels,
    also whether they are class numbers or one-hot rows."""
    if array is None:
        return None
    try:
        values = np.asarray(array)
    except Exception:  # a tf.data.Dataset, a generator...
        return {"type": type(array).__name__}
    if values.dtype == object or values.size == 0:
        return {"type": type(array).__name__, "shape": list(values.shape)}
    if values.dtype.kind not in "biuf":
        return {"type": type(array).__name__, "shape": list(values.shape),
                "dtype": str(values.dtype)}
    low, high = values.min(), values.max()  # NaN when any value is NaN
    nan = bool(np.isnan(low))
    if nan and not np.isnan(values).all():
        low, high = np.nanmin(values), np.nanmax(values)
    described = {"type": type(array).__name__, "shape": list(values.shape),
                 "dtype": str(values.dtype), "min": float(low), "max": float(high),
                 "nan": nan}
    if labels:
        described["integral"] = bool(np.all(np.mod(values, 1) == 0))
        described["one_hot"] = values.ndim == 2 and values.shape[-1] > 1 and bool(
            np.all((values == 0) | (values == 1)) and np.all(values.sum(axis=-1) == 1))
    return described


def name_of(thing):
    if thing is None or isinstance(thing, (str, int, float, bool)):
        return thing
    if isinstance(thing, (list, tuple)):
        return [name_of(t) for t in thing]
    if isinstance(thing, dict):
        return {str(k): name_of(v) for k, v in thing.items()}
    name = getattr(thing, "name", None) or getattr(thing, "__name__", None)
    return name if isinstance(name, str) else type(thing).__name__


# What an activation computes on these numbers tells softmax, ReLU and none apart,
# whatever the function is called (tf.nn.softmax is softmax_v2, say).
_TRIAL = np.array([[1.0, 2.0, -3.0, 0.5]], dtype="float32")
_ACTIVATION_LAYERS = {"Softmax": "softmax", "ReLU": "relu"}


def computes(activation):
    """'softmax', 'relu', 'linear' or 'other': what activation does to _TRIAL."""
    try:
        out = np.asarray(activation(_TRIAL), dtype="float64")
    except Exception:
        return "other"
    exp = np.exp(_TRIAL - _TRIAL.max())
    for kind, expected in (("softmax", exp / exp.sum()), ("relu", np.maximum(_TRIAL, 0)),
                           ("linear", _TRIAL)):
        if out.shape == expected.shape and np.allclose(out, expected, atol=1e-5):
            return kind
    return "other"


def layers_of(model):
    """Each layer: its class, output shape (once built), units, its activation's name
    and what it computes, and a Rescaling layer's scale."""
    described = []
    for layer in getattr(model, "layers", []):
        try:
            shape = list(layer.output.shape)
        except Exception:
            shape = None
        name = type(layer).__name__
        activation = getattr(layer, "activation", None)
        scale = getattr(layer, "scale", None) if name == "Rescaling" else None
        described.append({
            "class": name, "output_shape": shape,
            "units": getattr(layer, "units", None),
            "activation": name_of(activation) if activation else None,
            "computes": _ACTIVATION_LAYERS.get(name) or
            (computes(activation) if callable(activation) else None),
            "scale": float(scale) if isinstance(scale, (int, float)) else None})
    inputs = None
    try:
        inputs = [list(t.shape) for t in model.inputs] if model.inputs else None
    except Exception:
        pass
    return {"layers": described, "inputs": inputs}


def learner_line(tb):
    """(line number, text) of the learner's file's deepest frame in a traceback."""
    found = None
    for frame in traceback.extract_tb(tb):
        if Path(frame.filename).resolve() == FILE:
            found = (frame.lineno, frame.line)
    return found


def called_from():
    """(line, code) of the learner's file where it made the call being noted."""
    for frame in reversed(traceback.extract_stack()):
        if Path(frame.filename).resolve() == FILE:
            return {"line": frame.lineno, "code": frame.line}
    return {"line": None, "code": None}


def own(cls):
    """Whether a class is the learner's: defined anywhere but Keras or TensorFlow."""
    return not str(getattr(cls, "__module__", "")).startswith(
        ("keras", "tensorflow", "tf_keras"))


def patch_data(keras):
    import tutorial_helpers
    from tutorial_helpers import data

    original = data.load_fashion_mnist

    def whole(data_dir=None, *args, **kwargs):
        (x, y), (xt, yt) = original(os.environ.get("CHECK_DATA_DIR") or data_dir)
        note("data", train=len(x), test=len(xt))
        return (x, y), (xt, yt)

    def keras_loader(*args, **kwargs):
        return whole()

    tutorial_helpers.load_fashion_mnist = data.load_fashion_mnist = whole
    for name in ("keras.datasets.fashion_mnist", "keras.src.datasets.fashion_mnist",
                 "tensorflow.keras.datasets.fashion_mnist"):
        module = sys.modules.get(name)
        if module is not None:
            module.load_data = keras_loader
    import tensorflow as tf
    tf.keras.datasets.fashion_mnist.load_data = keras_loader


def metric_names(metrics):
    """The names fit()'s logs give the compiled metrics: 'accuracy', 'acc', ..."""
    if not isinstance(metrics, (list, tuple)):
        metrics = [metrics] if metrics else []
    return [m if isinstance(m, str) else name_of(m) for m in metrics
            if isinstance(name_of(m), str)] or ["accuracy"]


# (training, validation) accuracies: both_low tells a comparison the wrong way round
# (it stops there) from one that watches the training accuracy (it does not).
CASES = {"val_high": (0.5, 0.999), "val_low": (0.999, 0.05), "both_low": (0.05, 0.05)}


def try_callback(callback, names, cases=CASES):
    """Ask a copy of the learner's callback what it does at the end of an epoch, given
    logs under the model's own metric names (the accuracy ones high or low)."""
    class Stub:
        stop_training = False

    def made_up(train, val):
        made = {"loss": 1.0 - train, "val_loss": 1.0 - val}
        for name in names:
            made[name], made["val_" + name] = train, val
        return made

    answers = {}
    for case, logs in {case: made_up(*accuracies) for case, accuracies in cases.items()}.items():
        trial, stub = copy.copy(callback), Stub()
        trial._model = stub
        try:
            # What it prints about these made-up epochs is not the file's output.
            with contextlib.redirect_stdout(io.StringIO()):
                trial.on_epoch_end(0, dict(logs))
            answers[case] = bool(stub.stop_training)
        except Exception as error:
            answers[case] = f"{type(error).__name__}: {error}"
    return answers


def loss_known(loss, keras):
    """Whether Keras knows the loss compile() was given (a misspelt name it does not)."""
    if not isinstance(loss, str):
        return True
    try:
        keras.losses.get(loss)
        return True
    except Exception:
        return False


def images_in(validation_data):
    """How many images validation_data=(x, y) holds (None for anything else)."""
    try:
        return len(validation_data[0])
    except Exception:
        return None


def capped(value, n):
    """The first n images of an array (a tuple of arrays: of each); anything else as is."""
    if isinstance(value, (tuple, list)):
        return type(value)(capped(v, n) for v in value)
    if isinstance(value, np.ndarray) or hasattr(value, "numpy"):
        return value[:n]
    return value


def patch_model(keras):
    model_class = keras.Model
    compile_, fit_, evaluate_ = model_class.compile, model_class.fit, model_class.evaluate
    predict_ = model_class.predict
    cap = int(os.environ["CHECK_EPOCHS"])
    n_train, n_test = int(os.environ["CHECK_TRAIN"]), int(os.environ["CHECK_TEST"])
    inside_fit, compiled_metrics = [], {}

    def arguments(method, self, args, kwargs):
        """The call's bound arguments, or None when Keras itself would refuse them."""
        try:
            return inspect.signature(method).bind(self, *args, **kwargs)
        except TypeError:
            return None

    def compile(self, *args, **kwargs):
        call = arguments(compile_, self, args, kwargs)
        if call is None:  # a misspelt keyword: Keras says which
            return compile_(self, *args, **kwargs)
        bound = call.arguments
        loss = bound.get("loss")
        compiled_metrics[id(self)] = metric_names(bound.get("metrics"))
        note("compile", loss=name_of(loss), loss_known=loss_known(loss, keras),
             from_logits=getattr(loss, "from_logits", None),
             metrics=name_of(bound.get("metrics")),
             optimizer=name_of(bound.get("optimizer", "rmsprop")), **called_from(),
             **layers_of(self))
        return compile_(self, *args, **kwargs)

    def fit(self, *args, **kwargs):
        call = arguments(fit_, self, args, kwargs)
        if call is None:
            return fit_(self, *args, **kwargs)
        bound = call.arguments
        callbacks = bound.get("callbacks") or []
        epochs = bound.get("epochs", 1)
        names = compiled_metrics.get(id(self), ["accuracy"])
        note("fit", x=stats(bound.get("x")), y=stats(bound.get("y"), labels=True), epochs=epochs,
             epochs_given="epochs" in bound,
             validation=bound.get("validation_data") is not None
             or bool(bound.get("validation_split")),
             validation_count=images_in(bound.get("validation_data")),
             callbacks=[{"class": name_of(c) if isinstance(c, type) else type(c).__name__,
                         "is_class": isinstance(c, type),
                         "own": own(c if isinstance(c, type) else type(c)),
                         "trial": try_callback(c, names)
                         if isinstance(c, keras.callbacks.Callback) else None}
                        for c in callbacks],
             **called_from(), **layers_of(self))
        # Behind the file's back: fewer images and epochs, and no progress bar.
        for name, n in (("x", n_train), ("y", n_train), ("sample_weight", n_train),
                        ("validation_data", n_test)):
            if name in bound:
                bound[name] = capped(bound[name], n)
        if isinstance(epochs, int) and epochs > cap:
            bound["epochs"] = cap
        bound["verbose"] = 0
        inside_fit.append(self)
        try:
            history = fit_(*call.args, **call.kwargs)
        finally:
            inside_fit.pop()
        note("fitted", history=getattr(history, "history", None),
             epochs_run=len(getattr(history, "epoch", [])),
             stop_training=bool(getattr(self, "stop_training", False)), **layers_of(self))
        return history

    def evaluate(self, *args, **kwargs):
        if inside_fit:  # fit() measuring the validation set: not the learner's call
            return evaluate_(self, *args, **kwargs)
        call = arguments(evaluate_, self, args, kwargs)
        if call is None:
            return evaluate_(self, *args, **kwargs)
        bound = call.arguments
        note("evaluate", x=stats(bound.get("x")), y=stats(bound.get("y"), labels=True), **called_from())
        for name in ("x", "y", "sample_weight"):
            if name in bound:
                bound[name] = capped(bound[name], n_test)
        bound["verbose"] = 0
        result = evaluate_(*call.args, **call.kwargs)
        note("evaluated", result=name_of(result) if isinstance(result, dict)
             else np.asarray(result).tolist(), metrics=list(self.metrics_names))
        return result

    def predict(self, *args, **kwargs):
        if inside_fit:
            return predict_(self, *args, **kwargs)
        call = arguments(predict_, self, args, kwargs)
        if call is None:
            return predict_(self, *args, **kwargs)
        bound = call.arguments
        note("predict", x=stats(bound.get("x")), **called_from())
        if "x" in bound:
            bound["x"] = capped(bound["x"], n_test)
        bound["verbose"] = 0
        result = predict_(*call.args, **call.kwargs)
        note("predicted", shape=None if isinstance(result, (dict, list, tuple))
             else list(np.shape(result)))
        return result

    model_class.compile, model_class.fit, model_class.evaluate = compile, fit, evaluate
    model_class.predict = predict


def numbers_in(globals_):
    """The learner's top-level numbers, by name (to tell which one is which)."""
    found = {}
    for name, value in globals_.items():
        if not name.startswith("_") and isinstance(value, (int, float, np.floating)) \
                and not isinstance(value, bool):
            found[name] = float(value)
    return found


def orphaned_ends(parent):
    """End this process if check.py, its parent, is gone (killed, say)."""
    import threading

    def watch():
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(1)
    threading.Thread(target=watch, daemon=True).start()


def main():
    orphaned_ends(int(os.environ.get("CHECK_PARENT", os.getppid())))
    from tutorial_helpers import quiet_tensorflow
    with quiet_tensorflow():
        import keras
        import tensorflow  # noqa: F401 (the learner's file imports it too)
    patch_data(keras)
    patch_model(keras)
    sys.argv = [str(FILE)]
    sys.path.insert(0, str(FILE.parent))
    # The parent's clock starts at this note: a stack dump just before its time limit
    # says where the file was.
    limit = float(os.environ.get("CHECK_TIME_LIMIT", "0"))
    if limit > 2:
        global _stack  # faulthandler writes to it later: keep it open
        _stack = open(_events.name + ".stack", "w")  # sys.argv is the file's now
        faulthandler.dump_traceback_later(limit - 1.5, file=_stack)
    note("start")
    # Run it as `python FILE` would, in a namespace kept when it fails.
    globals_ = {"__name__": "__main__", "__file__": str(FILE), "__builtins__": __builtins__}
    try:
        exec(compile(FILE.read_text(), str(FILE), "exec"), globals_)
    except SystemExit as stop:
        note("exit", code=stop.code if isinstance(stop.code, int) else 1,
             message=None if isinstance(stop.code, int) or stop.code is None
             else str(stop.code), **state(globals_))
        return
    except BaseException as error:  # noqa: B902 (the learner's error, whatever it is)
        where = learner_line(error.__traceback__)
        note("error", type=type(error).__name__, message=str(error)[:3000],
             line=where and where[0], code=where and where[1],
             name=getattr(error, "name", None),
             traceback="".join(traceback.format_exception(error))[-8000:], **state(globals_))
        return
    note("end", **state(globals_))


def state(globals_):
    """What the learner's file holds at its end: its numbers, model and callbacks."""
    import keras
    model = globals_.get("model")
    classes = {name: value for name, value in globals_.items()
               if isinstance(value, type) and own(value)
               and issubclass(value, keras.callbacks.Callback)}
    return dict(numbers=numbers_in(globals_),
                model=layers_of(model) if isinstance(model, keras.Model) else None,
                callback_classes=list(classes),
                # Each class tried on made-up epochs, as the page's target makes it:
                # the callback is judged before any model or fit() is written.
                callback_trials={name: trial_of(cls) for name, cls in classes.items()})


def trial_of(cls):
    """try_callback() on an instance made with the page's target (or with nothing)."""
    first_error = None
    for arguments in ((0.9,), ()):
        try:
            instance = cls(*arguments)
        except Exception as error:
            first_error = first_error or f"{type(error).__name__}: {error}"
            continue
        answers = try_callback(instance, ["accuracy"])
        if arguments:  # it takes a target: does it use it?
            for case, (target, val, _) in TARGET_CASES.items():
                try:
                    answer = try_callback(cls(target), ["accuracy"], {case: (val, val)})
                except Exception:
                    continue
                if isinstance(answer[case], bool):
                    answers.update(answer)
        return answers
    return {"val_high": first_error}


if __name__ == "__main__":
    main()
    # Everything is noted: end at once, without TensorFlow's second or so of teardown.
    sys.stdout.flush()
    sys.stderr.flush()
    _events.close()
    os._exit(0)
