"""The words a step ends with, true at the extremes too.

A model that learned nothing still prints accuracies, and its training and test
accuracies are then the same (0.1 both): words written for a model that learned
would praise it. These say what happened instead.

- verdict_lines() / print_verdict(): after a test. A loss that became nan (not a
  number), or a test accuracy below AT_CHANCE, no better than guessing, is said
  first; otherwise, given the training accuracy too, what the gap between the two
  says (step 2's closing words); for the other steps, nothing more.
- photo_verdict() / print_photo_verdict(): after one photo, what a low (or nan)
  top probability says.
"""
import math
import textwrap

CHANCE = 0.1     # one class of 10 picked at random is right 1 time in 10
AT_CHANCE = 0.2  # a test accuracy below this is no better than guessing
GAP = 0.005      # a training accuracy this much above the test one is a gap to mention
WIDTH = 79


def _wrapped(*sentences):
    return textwrap.wrap(" ".join(sentences), WIDTH)


def verdict_lines(test_accuracy, train_accuracy=None, loss=None, learning_rate=None,
                  default_rate=0.001, model="The model"):
    """The closing lines (a list, perhaps empty) for a model whose test gave
    test_accuracy and loss (nan when training blew up).

    learning_rate: the rate it trained with, for a step with a --learning-rate flag,
    so that the words can name it when it is the likely cause.
    """
    too_high = learning_rate is not None and learning_rate > default_rate
    smaller = f"Try a smaller one (the default is {default_rate:g})."
    if loss is not None and not math.isfinite(loss):
        return _wrapped(
            f"{model}'s loss became nan (not a number): its weights grew too big for the",
            "computer's numbers, and from then on it learned nothing. Its answers are",
            "guesses, right 1 time in 10.",
            f"A learning rate of {learning_rate:g} is far too high. {smaller}" if too_high
            else "The usual cause is a learning rate that is too high.")
    if test_accuracy < AT_CHANCE:
        sentences = [
            f"{model} is no better than guessing, 1 in 10: picking one of the 10 classes",
            f"at random is right {CHANCE:.1f} of the time, and it is right",
            f"{test_accuracy:.4f} of the time on the test images. It has learned nothing",
            "it can use on new images."]
        if train_accuracy is not None and train_accuracy >= AT_CHANCE:
            sentences.append(f"On its training images it scores {train_accuracy:.4f}: it "
                             "learned those by heart, not what the classes look like.")
        if too_high:
            sentences.append(f"A learning rate of {learning_rate:g} is too high: its steps "
                             f"jump past every good setting of the weights. {smaller}")
        return _wrapped(*sentences)
    if train_accuracy is None:
        return []
    if train_accuracy - test_accuracy > GAP:
        return ["It does a little better on the images it learned from than on new ones: a small",
                "gap is normal. Overfitting is that gap growing while the test accuracy stops "
                "improving."]
    return ["It does as well on new images as on the ones it learned from."]


def print_verdict(test_accuracy, train_accuracy=None, loss=None, learning_rate=None,
                  default_rate=0.001, model="The model"):
    """Print verdict_lines(...), if there are any."""
    for line in verdict_lines(test_accuracy, train_accuracy, loss, learning_rate,
                              default_rate, model):
        print(line)


def photo_verdict(probability):
    """The lines (perhaps none) that a top probability this low, or nan, calls for."""
    if not math.isfinite(probability):
        return _wrapped("The model's probabilities are nan (not a number): it is broken,",
                        "most likely trained with a learning rate that is too high.")
    if probability < AT_CHANCE:
        return _wrapped("No better than guessing: every class gets about 1 in 10. This model",
                        "cannot tell the classes apart (was it trained?).")
    if probability < 0.5:
        # Softmax always picks some class, even for a photo of a cat.
        return ["The model is unsure: it may not be clothing, or not look like the",
                "training photos."]
    return []


def print_photo_verdict(probability):
    """Print photo_verdict(probability), if it says anything."""
    for line in photo_verdict(probability):
        print(line)
