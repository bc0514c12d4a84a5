"""The learner's files in exercises/: their blocks, what_next(), and --add.

exercises/stepN.py starts with the data prepared and one marked place per block:
a comment line `# [LABEL] ...`, and below it, for some blocks, a scaffold: the lines
a beginner is given (step 3's callback: its class, its methods' lines), with a
method whose body is only `pass` where the learner's own lines go. Until that body
is written, the block counts as not written. exercises/answers/stepN.py is the same
file with every block written below its label: the page's answers, and what --diff
and --add use.
"""
import ast
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
EXERCISES = ROOT / "exercises"


@dataclass(frozen=True)
class Block:
    label: str     # as in the file's `# [label]` comment
    what: str      # what the block adds, in a few words
    section: str   # the page's section that teaches it


BLOCKS = {
    "2": [Block("model", "the model", "2. The model"),
          Block("compile", "compile(): the loss, the optimizer and the metrics",
                "3. How it learns: compile"),
          Block("fit", "fit(): the training", "4. Training: fit"),
          Block("evaluate", "evaluate() and the two accuracies", "5. Testing: evaluate"),
          Block("predict", "predict(): one prediction", "6. One prediction")],
    "3": [Block("callback", "your callback, StopAtAccuracy", "Your turn: a callback of your own"),
          Block("model", "the convolutional model", "Your turn: the convolutional model"),
          Block("train", "compile() and fit(), with your callback and the validation set",
                "Your turn: train and test"),
          Block("evaluate", "evaluate() and the test accuracy", "Your turn: train and test")],
}


def learner_file(step):
    return EXERCISES / f"step{step}.py"


def answer_file(step):
    return EXERCISES / "answers" / f"step{step}.py"


def marker(line):
    """The label of a `# [label] ...` line, or None."""
    text = line.strip()
    if text.startswith("# [") and "]" in text:
        return text[3:text.index("]")]
    return None


def answer_blocks(step):
    """{label: code} from the answer file: the lines below each label's comment."""
    blocks, label = {}, None
    for line in answer_file(step).read_text().splitlines(True):
        if marker(line) or line.startswith("# Keep this line last"):
            label = marker(line)
            if label:
                blocks[label] = ""
        elif label:
            blocks[label] += line
    return {label: code.strip("\n") + "\n" for label, code in blocks.items()}


def squashed(text):
    return "".join(text.split())


def _empty_body(function):
    body = function.body[1:] if (function.body and isinstance(function.body[0], ast.Expr)
                                 and isinstance(function.body[0].value, ast.Constant)) \
        else function.body
    return all(isinstance(statement, ast.Pass) for statement in body)


def scaffold_only(code):
    """Whether a block's code is a scaffold still to fill: a method (or function) in it
    has only `pass` for a body."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return False
    return any(isinstance(node, ast.FunctionDef) and _empty_body(node) for node in ast.walk(tree))


def _defined(code):
    """The names of the classes and functions a block's code defines at its top."""
    try:
        return {node.name for node in ast.parse(code).body
                if isinstance(node, (ast.ClassDef, ast.FunctionDef))}
    except SyntaxError:
        return set()


def block_span(lines, label):
    """(first, end) line indexes of what is below label's `# [label]` line, up to the
    next label or the closing line; None without that label."""
    where = next((i for i, line in enumerate(lines) if marker(line) == label), None)
    if where is None:
        return None
    end = next((i for i in range(where + 1, len(lines))
                if marker(lines[i]) or lines[i].startswith("# Keep this line last")), len(lines))
    return where + 1, end


def add_block(step, label, path=None):
    """Write the answer's block below its label in the learner's file (in place of its
    scaffold, if the file holds one still to fill); return a sentence."""
    path = Path(path or learner_file(step))
    blocks = answer_blocks(step)
    if label not in blocks:
        return None
    code = blocks[label]
    text = path.read_text()
    if squashed(code) in squashed(text):
        return f"The block [{label}] is in {path.name} already: nothing added."
    lines = text.splitlines(True)
    span = block_span(lines, label)
    if span is None:
        return (f"{path.name} has no line '# [{label}] ...' to add the block below. "
                f"Put it back, or see the answer:  python check.py {step} --diff")
    first, end = span
    below = "".join(lines[first:end])
    if scaffold_only(below):
        lines[first:end] = [code + "\n"]  # the scaffold, replaced by the whole answer
    elif _defined(below) & _defined(code):
        return (f"The block [{label}] in {path.name} holds lines of your own: nothing added. "
                f"Compare them with the answer:  python check.py {step} --diff")
    else:
        lines.insert(first, code)
    path.write_text("".join(lines))
    return f"Added the block [{label}] to {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}:\n\n{code}"


def _blank(self, epoch, logs=None):
    pass


def _has_callback(g):
    """A callback class of the file's own, its on_epoch_end written (not the scaffold's
    `pass`)."""
    import keras
    return any(isinstance(v, type) and issubclass(v, keras.callbacks.Callback)
               and v.__module__ == g.get("__name__")
               and getattr(v.on_epoch_end, "__code__", None) is not None
               and v.on_epoch_end.__code__.co_code != _blank.__code__.co_code
               for v in g.values())


def _has_conv_model(g):
    model = g.get("model")
    return model is not None and any("Conv" in type(layer).__name__
                                     for layer in getattr(model, "layers", []))


def _done(step, label, g):
    """Whether the learner's globals show that block's work done."""
    import keras
    model = g.get("model")
    if label == "callback":
        return _has_callback(g)
    if label == "model":
        return isinstance(model, keras.Model) and (step != "3" or _has_conv_model(g))
    if label == "compile":
        return isinstance(model, keras.Model) and bool(getattr(model, "compiled", False))
    if label in ("fit", "train"):  # fit() leaves its History on the model, kept or not
        return "history" in g or bool(getattr(getattr(model, "history", None), "epoch", None))
    if label == "predict":  # ten probabilities, for one image or more, under any name
        import numpy as np
        return any(isinstance(v, np.ndarray) and v.dtype.kind == "f" and v.shape[-1:] == (10,)
                   and np.allclose(v.sum(axis=-1), 1, atol=1e-3) for v in g.values())
    # evaluate(): a test accuracy, under the page's name or another with "acc" in it.
    return "test_accuracy" in g or any(
        "acc" in name and "train" not in name and isinstance(value, float)
        for name, value in g.items())


def what_next(g):
    """Called on the last line of exercises/stepN.py: say which block comes next."""
    step = Path(g.get("__file__", "step2.py")).stem.removeprefix("step")
    for block in BLOCKS.get(step, []):
        if not _done(step, block.label, g):
            print()
            print(f"Your file runs to its end. Next: add {block.what},")
            print(f"below the line '# [{block.label}]', as the page's section "
                  f"\"{block.section}\" shows it.")
            print(f"Then run your file again, or check it:  python check.py {step}")
            return
    print()
    print(f"Every block is there. Check your file:  python check.py {step}")
