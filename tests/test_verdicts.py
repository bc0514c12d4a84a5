"""Closing words true at the extremes: a model no better than guessing, a loss gone nan.

Each step runs as a learner runs it, on generated data: with a learning rate so high
that the loss becomes nan (step 2), or on data with nothing to learn, whose labels
say nothing about the pictures (steps 2 to 4), or with a model that cannot tell the
classes apart (step 5). Their last words must say so, and never praise the model.
"""
import re

import pytest

from conftest import ROOT, Runner
from fake_data import write_dataset
from photo_files import tiny_model
from tutorial_helpers.verdicts import verdict_lines

GUESSING = "no better than guessing, 1 in 10"
PRAISE = ["does as well on new images", "a small gap is normal"]


def words(out):
    """The output as one line of words: the verdicts wrap over several lines."""
    return " ".join(out.split())


def accuracies(out):
    return tuple(map(float, re.search(
        r"^Training accuracy: (\d\.\d{4})   Test accuracy: (\d\.\d{4})$", out, re.M).groups()))


@pytest.fixture(scope="module")
def unlearnable(tmp_path_factory):
    """A Runner whose Keras cache holds data with nothing to learn."""
    run = Runner(tmp_path_factory.mktemp("unlearnable"))
    write_dataset(run.cache, unlearnable=True)
    return run


def test_step2_says_when_the_loss_became_nan(run_cached):
    result = run_cached("step2.py", "--epochs", 1, "--learning-rate", "1e20")
    assert result.returncode == 0, result.stderr
    assert result.stderr == "" and "loss: nan" in result.stdout
    said = words(result.stdout)
    assert ("The model's loss became nan (not a number): its weights grew too big for the "
            "computer's numbers") in said
    assert "A learning rate of 1e+20 is far too high. Try a smaller one (the default is " \
           "0.001)." in said
    assert not any(praise in said for praise in PRAISE), result.stdout


def test_step2_at_chance_says_no_better_than_guessing(unlearnable):
    result = unlearnable("step2.py", "--epochs", 2)
    assert result.returncode == 0, result.stderr
    train, test = accuracies(result.stdout)
    assert test < 0.2
    said = words(result.stdout)
    assert (f"The model is no better than guessing, 1 in 10: picking one of the 10 classes "
            f"at random is right 0.1 of the time, and it is right {test:.4f} of the time on "
            "the test images.") in said
    assert (f"On its training images it scores {train:.4f}: it learned those by heart"
            in said) == (train >= 0.2)
    assert "learning rate" not in said  # the default one: not the cause here
    assert not any(praise in said for praise in PRAISE), result.stdout


def test_the_words_name_a_learning_rate_above_the_default():
    said = " ".join(verdict_lines(0.1, 0.1, 2.3, learning_rate=0.1))
    assert "A learning rate of 0.1 is too high" in said
    assert "learning rate" not in " ".join(verdict_lines(0.1, 0.1, 2.3, learning_rate=1e-5))
    # Above chance, the words are step 2's usual ones.
    assert verdict_lines(0.87, 0.90, 0.3)[0].startswith("It does a little better")
    assert verdict_lines(0.87, 0.87, 0.3) == [
        "It does as well on new images as on the ones it learned from."]
    assert verdict_lines(0.87) == []


def test_step3_at_chance_says_so_after_its_test(unlearnable):
    result = unlearnable("step3.py", "--epochs", 3)
    assert result.returncode == 0, result.stderr
    test = float(re.search(r"^Test accuracy: (\d\.\d{4})$", result.stdout, re.M).group(1))
    assert test < 0.2
    after = words(result.stdout[result.stdout.index("Test accuracy:"):])
    assert "The model is no better than guessing, 1 in 10" in after
    assert f"it is right {test:.4f} of the time on the test images" in after


def test_step4_says_it_of_each_model_at_chance(unlearnable, tmp_path):
    result = unlearnable(ROOT / "step4.py", "--epochs", 1, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    said = words(result.stdout[result.stdout.index("Of the 300 test images"):])
    assert "The dense model is no better than guessing, 1 in 10" in said
    assert "The convolutional model is no better than guessing, 1 in 10" in said


def test_step5_with_a_model_that_cannot_tell_the_classes_apart(run_cached, tmp_path):
    # All weights 0: every class gets 0.1, the answer is always class 0, right 1 in 10.
    tiny_model(tmp_path / "fashion.keras")
    result = run_cached(ROOT / "step5.py", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert re.search(r"^Test accuracy: 0\.1000\. It gets 270 of the 300 test images wrong\.\n"
                     r"The model is no better than guessing, 1 in 10", result.stdout, re.M), \
        result.stdout
