"""Files the steps write: models and results, each written whole or not at all."""
import contextlib
import json
import os
from pathlib import Path

from .console import fail, unfinished


@contextlib.contextmanager
def written_whole(path):
    """Yield a temporary path beside path; once the block has written it, it replaces
    path in one step. A failed or interrupted write leaves path as it was and no
    temporary file behind (Ctrl-C included)."""
    temporary = path.with_name(f".{path.stem}.{os.getpid()}.tmp{path.suffix}")
    unfinished.add(temporary)
    try:
        yield temporary
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
        unfinished.discard(temporary)


def save_model(model, path):
    """Save a Keras model to path (.keras) so that the file is whole or absent."""
    path = Path(path)
    try:
        with written_whole(path) as temporary:
            model.save(temporary)  # Keras wants the .keras suffix, which temporary keeps
    except OSError as error:
        fail(f"Error: could not save the model to {path}: {error.strerror or error}.")


# --- results -----------------------------------------------------------------
def results_dir():
    """results/ beside the steps, or $TUTORIAL_RESULTS_DIR."""
    return Path(os.environ.get("TUTORIAL_RESULTS_DIR") or Path(__file__).parent.parent / "results")


def save_results(step, **values):
    """Write results/STEP.json: proof that the step ran to its end, and what it measured."""
    folder = results_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with written_whole(folder / f"{step}.json") as temporary:
            temporary.write_text(json.dumps(values, indent=2, default=float) + "\n")
    except OSError as error:  # a read-only checkout must not spoil a finished lesson
        print(f"(Could not save results to {folder}: {error.strerror})")
