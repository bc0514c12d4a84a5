"""Run a Python script (or -c CODE) as `python` would, timing every keras Model.fit.

Usage:  python bench/timed.py SCRIPT [ARGS...]   or   python bench/timed.py -c CODE

bench/run.py starts every benchmark target through this wrapper, so that training
time is measured the same way for all of them. The total seconds spent inside
Model.fit are written to the file named by $BENCH_TRAIN_TIME_FILE after each fit.

The wrapper prints nothing and leaves stderr alone. It does not import Keras
itself (that would move TensorFlow's start-up, and its log lines, ahead of the
script's own code): a small import hook patches Model.fit when the script's own
import of Keras loads keras.src.models.model. stdout is made line-buffered, as
on a terminal, so the parent sees each line as soon as it is printed.
"""
import importlib.abc
import importlib.util
import os
import runpy
import sys
import time

MODEL_MODULE = "keras.src.models.model"
train_time_file = os.environ.pop("BENCH_TRAIN_TIME_FILE", None)
train_seconds = 0.0


def timed_fit(fit):
    def fit_and_record(*args, **kwargs):
        global train_seconds
        start = time.perf_counter()
        try:
            return fit(*args, **kwargs)
        finally:
            train_seconds += time.perf_counter() - start
            if train_time_file:
                with open(train_time_file, "w") as out:
                    out.write(f"{train_seconds:.6f}\n")
    return fit_and_record


class PatchFitOnImport(importlib.abc.MetaPathFinder):
    """Wraps Model.fit right after Keras defines Model, then steps out of the way."""

    def find_spec(self, name, path, target=None):
        if name != MODEL_MODULE:
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(name)
        run_module_code = spec.loader.exec_module

        def exec_module(module):
            run_module_code(module)
            module.Model.fit = timed_fit(module.Model.fit)

        spec.loader.exec_module = exec_module
        return spec


def main():
    if len(sys.argv) < 2:
        raise SystemExit(__doc__.split("\n\n")[1])
    sys.stdout.reconfigure(line_buffering=True)
    sys.meta_path.insert(0, PatchFitOnImport())
    if sys.argv[1] == "-c":
        code, sys.argv = sys.argv[2], ["-c", *sys.argv[3:]]
        sys.path[0] = ""
        exec(compile(code, "<string>", "exec"), {"__name__": "__main__"})
    else:
        script = os.path.abspath(sys.argv[1])
        sys.argv = sys.argv[1:]
        sys.path[0] = os.path.dirname(script)
        runpy.run_path(script, run_name="__main__")


if __name__ == "__main__":
    main()
