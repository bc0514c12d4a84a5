"""A step's plain `import tensorflow as tf`, made quiet and quick out of the lesson's sight.

Importing tutorial_helpers installs an import hook, so that a step (or a learner's
file) that imports it first can import TensorFlow as the Keras docs do:

- TensorFlow takes seconds to load: its first import says "Starting TensorFlow ..."
  and runs inside quiet_tensorflow(), so its start-up log lines stay off the screen
  and a real import error still shows.
- Once Keras is loaded, `compile()` runs STEPS_PER_EXECUTION training steps per call
  into TensorFlow unless the code passes steps_per_execution itself: the same maths
  and the same progress bar, with much less Python overhead per batch (step 2 trains
  in about half the time; see docs/benchmark.md).
"""
import functools
import importlib.abc
import importlib.machinery
import sys

from . import console

STEPS_PER_EXECUTION = 50
_COMPILE_POSITIONAL = 6  # compile(optimizer, loss, loss_weights, metrics, weighted_metrics,
#                          run_eagerly, steps_per_execution, ...): the 7th is ours


class _Loader(importlib.abc.Loader):
    """The real loader of `tensorflow` or `keras`, with something done around it."""

    def __init__(self, loader, around):
        self.loader, self.around = loader, around

    def create_module(self, spec):
        return self.loader.create_module(spec)

    def exec_module(self, module):
        self.around(lambda: self.loader.exec_module(module))

    def __getattr__(self, name):  # resources, is_package, ...: the real loader's
        return getattr(self.loader, name)


def _tensorflow(load):
    if console.quiet_depth:  # imported by the helpers, inside their own quiet block
        load()
        return
    print("Starting TensorFlow ...", flush=True)
    with console.quiet_tensorflow():
        load()


def _keras(load):
    load()
    # The base class that defines compile(): Keras compiles a loaded model only when
    # the model's compile() is that class's own, so the default goes there.
    try:
        from keras.src.trainers.trainer import Trainer
    except ImportError:  # another Keras layout: leave compile() as it is
        return
    if getattr(Trainer.compile, "_tutorial_default", False):
        return
    original = Trainer.compile

    @functools.wraps(original)
    def compile(self, *args, **kwargs):
        if len(args) <= _COMPILE_POSITIONAL:
            kwargs.setdefault("steps_per_execution", STEPS_PER_EXECUTION)
        return original(self, *args, **kwargs)

    compile._tutorial_default = True
    Trainer.compile = compile


class _Finder(importlib.abc.MetaPathFinder):
    AROUND = {"tensorflow": _tensorflow, "keras": _keras}

    def find_spec(self, name, path=None, target=None):
        if name not in self.AROUND or name in sys.modules:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path)
        if spec is not None and spec.loader is not None:
            spec.loader = _Loader(spec.loader, self.AROUND[name])
        return spec


def install():
    """Install the hook once, before TensorFlow is imported (afterwards: nothing to do)."""
    if "tensorflow" in sys.modules or any(isinstance(f, _Finder) for f in sys.meta_path):
        return
    sys.meta_path.insert(0, _Finder())
