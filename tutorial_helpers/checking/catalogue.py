"""The mistakes beginners make in steps 2 and 3, each said in the page's words.

Each entry: the thing the page asked for that it spoils (an item of ITEMS, in step
2's words: step 3 files compile and fit under "train"; empty for a mistake that
belongs to the block its line is in), the message (str.format()ed with what the
run found: {line}, {code}, ...) and a hint. The page's section that teaches it
follows from its item (SECTIONS). judge.py decides which one a run shows;
docs/exercises.md lists them all.
"""
from dataclasses import dataclass

# What each step's page asks for, in the order the judge checks them: (item, name).
ITEMS = {
    "2": [("model", "the model: Flatten, a hidden Dense layer with ReLU, 10 scores "
                    "made probabilities by softmax"),
          ("compile", "compile(): a loss that fits the labels, an optimizer, accuracy"),
          ("data", "the data as the model sees it: pixels from 0 to 1, labels the ten classes"),
          ("fit", "fit(): training on the training images"),
          ("evaluate", "evaluate() on the test images: an accuracy above chance"),
          ("predict", "predict() on test images, with their batch axis: ten probabilities")],
    "3": [("callback", "your callback: stops at a validation accuracy"),
          ("model", "the convolutional model"),
          ("train", "compile() and fit(), with a validation set and your callback"),
          ("data", "the data as the model sees it: pixels from 0 to 1, labels the ten classes"),
          ("evaluate", "evaluate() on the test images: an accuracy above chance")],
}
# Made with these targets, at these validation accuracies, a callback that compares
# with its target stops (True) or not; one that ignores it, whatever number it uses
# instead, gets one of the two wrong.
TARGET_CASES = {"target_0.99_at_0.95": (0.99, 0.95, False),
                "target_0.5_at_0.6": (0.5, 0.6, True)}
# The page's section that teaches each item.
SECTIONS = {
    "2": {"data": "1. The data, as in step 1", "model": "2. The model",
          "compile": "3. How it learns: compile", "fit": "4. Training: fit",
          "evaluate": "5. Testing: evaluate", "predict": "6. One prediction"},
    "3": {"data": "1. A validation set", "callback": "Your turn: a callback of your own",
          "model": "Your turn: the convolutional model",
          "train": "Your turn: train and test", "evaluate": "Your turn: train and test"},
}


def plural(n, word):
    """'1 neuron', '2 neurons', '0.5 seconds': a number with its word, agreeing."""
    return f"{n:g} {word}{'' if n == 1 else 's'}"


def item_in(step, item):
    """A mistake's item in step's own items: step 3 has compile and fit in "train"."""
    return "train" if step == "3" and item in ("compile", "fit") else item


@dataclass(frozen=True)
class Mistake:
    item: str
    message: str
    hint: str


MISTAKES = {
    # --- any step: filed under the block that holds the line -----------------------
    "syntax-error": Mistake(
        "", "Python cannot read line {line} of your file: {reason}.\n    {code}",
        "Compare that line (and the one above it) with the page's block, character "
        "by character: brackets and quotes come in pairs, and a line that starts a "
        "block ends in a colon."),
    "time-limit": Mistake(
        "", "Your file ran for more than {limit}, so the check stopped it{where}. "
            "On the check's few thousand images it should end in seconds: something "
            "in it never ends, such as a loop that never stops.",
        "Look at that line: a `while` loop needs a condition that becomes false."),
    "name-error": Mistake(
        "", "Line {line} uses `{name}`, but your file has not defined it by then."
            "{suggestion}\n    {code}",
        "Blocks run from top to bottom: write each block below its own [label], in "
        "the page's order, and spell the name as the page does."),
    "misspelt": Mistake(
        "", "Line {line} asks for `{name}`, which does not exist{suggestion}.\n    {code}",
        "Compare its spelling, capitals included, with the page's block."),
    "misspelt-keyword": Mistake(
        "", "Line {line} gives {function}() a keyword argument `{name}` that it does not "
            "have{suggestion}.\n    {code}",
        "Keyword arguments are spelt exactly as Keras names them: compare with the "
        "page's block."),
    "tf1-name": Mistake(
        "", "Line {line} uses `{name}`, a TensorFlow 1 name that TensorFlow 2 no longer "
            "has.\n    {code}",
        "In TensorFlow 2, write {modern}."),
    "import-error": Mistake(
        "", "Line {line} imports `{name}`, which Python cannot find{suggestion}.\n    {code}",
        "The tutorial's venv has tensorflow, keras and numpy: check the name's spelling, "
        "and that the venv is active (your prompt starts with (.venv))."),
    "numpy-error": Mistake(
        "", "Line {line} stopped your file with NumPy's {type}: {reason}\n    {code}",
        "NumPy's errors are about the arrays' shapes and values: print them just before "
        "that line (x_train.shape, say). The data holds 60,000 training and 10,000 test "
        "images of 28 by 28 pixels."),
    "stopped": Mistake(
        "", "Your file stopped before its end:\n    {reason}",
        "Run it yourself to see more:  python {file}"),
    "error": Mistake(
        "", "Line {line} stopped your file with {type}: {reason}\n    {code}",
        "Run your file yourself to read Python's whole message:  python {file}"),
    # --- a run with no note of its end: killed, or TensorFlow would not load -------
    "no-start": Mistake(
        "", "Your file never started: Python stopped while the check loaded TensorFlow, "
            "before your file's first line{printed}",
        "See whether TensorFlow loads on its own:  "
        "python -c \"import tensorflow\"   and if it fails there too, install again:  "
        "pip install -r requirements.txt"),
    "cut-short": Mistake(
        "", "Your file was ended partway, with no error from Python ({how}), so the "
            "check could not see the rest of it.{cause}",
        "Close what else is running (a TensorBoard, another python stepN.py), then check "
        "again; or run your file yourself to see more:  python {file}"),
    # --- the data as the model sees it -------------------------------------------
    "not-normalized": Mistake(
        "data", "fit() gets pixels from {low:g} to {high:g}, not from 0 to 1: the images "
                "are not normalized. The model then learns much worse.",
        "Scale the pixels to 0..1 before they reach the Dense layers: a "
        "Rescaling(1 / 255) layer first in the model, or the images divided by 255.0."),
    "divided-twice": Mistake(
        "data", "The pixels reach your model from 0 to {high:.4f}, not from 0 to 1: {how}, "
                "so they are divided by 255 twice. To the model every image is then nearly "
                "black, and it learns much worse.",
        "{fix}"),
    "no-images": Mistake(
        "data", "fit() gets {count} images: there is nothing to learn from. The slicing "
                "before it probably leaves none.",
        "Print len(x_train) just before fit(): holding out a validation set such as "
        "x_train[:5000] leaves x_train[5000:], 55,000 images, to train on."),
    "nan-pixels": Mistake(
        "data", "fit() gets pixels that are NaN (not a number), which the model cannot "
                "learn from: something before fit() made them so, such as 0 / 0.",
        "Print x_train.min() and x_train.max() where you scale the images: they should "
        "be 0.0 and 1.0."),
    "labels-changed": Mistake(
        "data", "fit() gets labels from {low:g} to {high:g}{fraction}: not the ten class "
                "numbers 0 to 9 (nor one-hot rows of them). The model cannot learn the "
                "classes from them.",
        "Leave the labels as the data comes: only the images are divided by 255.0."),
    "no-labels": Mistake(
        "fit", "fit() got the images but not their labels: it cannot learn what is right "
               "without the answers.",
        "Pass both:  model.fit(x_train, y_train, ...)"),
    # --- the model ---------------------------------------------------------------
    "input-784": Mistake(
        "model", "Your model expects each image as a row of 784 numbers "
                 "(Input(shape=(784,))), but the images are 28 by 28.",
        "Keep Input(shape=(28, 28)) and let Flatten() unroll each image."),
    "no-flatten": Mistake(
        "model", "Your model has no Flatten() before its Dense layers, so each image "
                 "stays 28 by 28 and the last layer gives {shape} instead of one "
                 "row of 10 scores per image.",
        "Put tf.keras.layers.Flatten() right after the Input."),
    "wrong-units": Mistake(
        "model", "Your last layer has {neurons}, but there are 10 classes: it "
                 "needs one neuron, one score, per class.",
        "The last layer is Dense(10, activation=\"softmax\")."),
    "not-softmax": Mistake(
        "model", "Your last layer's activation is {activation}, not softmax: its 10 "
                 "scores are not probabilities, and the loss expects probabilities.",
        "The last layer is Dense(10, activation=\"softmax\") (or Dense(10) with a loss "
        "made with from_logits=True)."),
    "no-hidden-layer": Mistake(
        "model", "Your model goes straight from the pixels to the 10 scores: it has no "
                 "hidden layer to learn features with.",
        "Put Dense(128, activation=\"relu\") between Flatten() and the last layer."),
    "no-relu": Mistake(
        "model", "Your hidden Dense layer has no activation: without ReLU, a stack of "
                 "Dense layers is no more powerful than a single one.",
        "Write Dense(128, activation=\"relu\")."),
    "hidden-softmax": Mistake(
        "model", "Your hidden layer, Dense({units}), has softmax as its activation, not "
                 "ReLU: softmax turns its {outputs} into probabilities that add up to 1, so "
                 "the layer after it gets tiny numbers that compete, and the model learns "
                 "much worse. Softmax belongs to the last layer only, where the 10 scores "
                 "become probabilities.",
        "Write Dense({units}, activation=\"relu\"): ReLU keeps a positive sum and turns "
        "a negative one into 0."),
    # --- compile ------------------------------------------------------------------
    "categorical-loss": Mistake(
        "compile", "Your loss is \"categorical_crossentropy\", which wants each label "
                   "as a row of ten numbers (one-hot), but fit() gets the labels as plain "
                   "class numbers 0-9.",
        "Use loss=\"sparse_categorical_crossentropy\": \"sparse\" is for plain class "
        "numbers."),
    "sparse-loss-one-hot": Mistake(
        "compile", "Your loss is \"sparse_categorical_crossentropy\", which wants plain "
                   "class numbers 0-9, but fit() gets each label as a row of ten numbers "
                   "(one-hot, as to_categorical() makes them).",
        "For one-hot labels, use loss=\"categorical_crossentropy\"; or leave the labels "
        "as class numbers, as the page does."),
    "no-accuracy": Mistake(
        "compile", "compile() has no metrics=[\"accuracy\"], so Keras measures only the "
                   "loss: there is no accuracy to print, and evaluate() gives one number, "
                   "not two.",
        "Add metrics=[\"accuracy\"] to compile()."),
    "no-compile": Mistake(
        "compile", "fit() was called before compile(): the model does not know yet "
                   "how to learn (its loss and its optimizer).",
        "Write the compile block between the model and fit()."),
    # --- fit and evaluate ----------------------------------------------------------
    "fit-on-test": Mistake(
        "fit", "fit() trains on the test images. They must stay aside, unseen, so "
               "that the test accuracy is honest.",
        "Train on x_train and y_train; keep x_test for evaluate()."),
    "evaluate-on-train": Mistake(
        "evaluate", "evaluate() tests the model on the training images, the very ones it "
                    "learned from: that accuracy says nothing about new images.",
        "Evaluate on x_test and y_test."),
    "test-not-normalized": Mistake(
        "evaluate", "evaluate() gives the model pixels from {low:g} to {high:g}{after}, but "
                    "it learned on 0 to 1. A model must always be given its inputs in the "
                    "form it learned from.",
        "Scale the test images as fit()'s: divided by 255.0 once, by the file or by the "
        "model's Rescaling layer, never both."),
    "swapped-results": Mistake(
        "evaluate", "Your `{name}` holds the test loss ({value:.4f}), not the accuracy: "
                    "evaluate() gives the loss first, then the accuracy.",
        "Write  test_loss, test_accuracy = model.evaluate(...)"),
    "learned-nothing": Mistake(
        "evaluate", "Your model's test accuracy is {accuracy:.4f}, what guessing one of "
                    "ten classes gets (0.10): it has learned nothing. That usually means "
                    "the labels were changed, nothing was trained, or fit() got the wrong "
                    "arrays.",
        "Compare your fit() with the page's:  model.fit(x_train, y_train, ...), with "
        "the labels as they were loaded."),
    "predict-no-batch": Mistake(
        "predict", "predict() gets one image of shape {shape}, without the batch axis: "
                   "the model always takes a batch of images, shape (batch, 28, 28).",
        "Give it a batch of one:  model.predict(x_test[:1])  (not x_test[0])."),
    "predict-not-normalized": Mistake(
        "predict", "predict() gives the model pixels up to {high:g}{after}, but it learned "
                   "on 0 to 1: its answer is then a guess.",
        "Predict on the test images as evaluate() gets them, x_test, scaled once."),
    # --- step 3 ------------------------------------------------------------------
    "no-validation": Mistake(
        "train", "fit() has no validation set, so there is no val_accuracy for your "
                 "callback to watch.",
        "Pass validation_data=(x_val, y_val) to fit()."),
    "callback-not-passed": Mistake(
        "train", "Your callback {name} is written, but fit() never gets it, so it never "
                 "runs.",
        "Pass it to fit():  callbacks=[{name}(0.9)]"),
    "callback-class": Mistake(
        "train", "fit() got the class {name} itself, not a callback made from it.",
        "Call it, with the target:  callbacks=[{name}(0.9)]"),
    "callback-never-stops": Mistake(
        "callback", "Your callback does not stop training, even when the validation "
                    "accuracy is 0.999: training always runs all its epochs.",
        "When logs[\"val_accuracy\"] reaches the target, set "
        "self.model.stop_training = True (self.model, not self)."),
    "callback-watches-training": Mistake(
        "callback", "Your callback stops training when the *training* accuracy is high, "
                    "even though the validation accuracy is only 0.05.",
        "Watch logs[\"val_accuracy\"], the accuracy on the held-out images."),
    "callback-fails": Mistake(
        "callback", "Your callback's on_epoch_end() fails: {reason}",
        "Its signature is  def on_epoch_end(self, epoch, logs=None):  and logs holds "
        "{logs}."),
    "no-callback": Mistake(
        "callback", "Your file has no callback: no class made from "
                    "tf.keras.callbacks.Callback reaches fit().",
        "Write class StopAtAccuracy(tf.keras.callbacks.Callback)."),
    "conv-no-channel": Mistake(
        "model", "Conv2D gets images of 28 by 28 with no channel axis: it wants "
                 "(28, 28, 1), one grey channel.",
        "Put tf.keras.layers.Reshape((28, 28, 1)) before the first Conv2D, right after "
        "the Input."),
    "scaled-twice": Mistake(
        "model", "Your model starts with a Rescaling layer, but your file also scaled "
                 "the pixels to 0..1 before fit(): the model sees them divided by 255 "
                 "twice, from 0 to {high:.4f}, and learns much worse.",
        "Keep the Rescaling layer and give fit() the images as they were loaded, "
        "0..255: leave out your own / 255."),
    "no-conv": Mistake(
        "model", "Your model has no Conv2D layer: it is still the dense model of step 2.",
        "Add the Conv2D and MaxPooling2D layers."),
}

# Not a mistake: a number of epochs other than the page's is said, and passes.
EPOCHS_NOTE = ("Note: your fit() trains for {epochs} epoch{s}{default}; the page uses 5. "
               "That is fine, and the check passes: {cost}")
MORE_EPOCHS = ("on all the data each epoch takes about as long as the first, so {epochs} "
               "take about {ratio:g} times as long as 5, and the training accuracy then "
               "climbs faster than the test accuracy (step 3 shows why).")
FEWER_EPOCHS = "fewer epochs take less time, and the model learns less."

# Not a mistake: a block the file does not have yet. Said above "Next: add ...", each
# true of the file it is said of (the keys: what fit() was given to validate on).
NO_EVALUATE = {
    None: "Your file does not call evaluate() yet: nothing has tested the model on "
          "images it has not learned from.",
    "test": "Your fit() already measures the model on the test images after each epoch "
            "(its validation_data): images it has not learned from. The page's last block "
            "still asks for evaluate(): one test, once training is over, that gives the "
            "test accuracy your file keeps. Numbers watched while training are what you "
            "choose by (how many epochs, when to stop), and test images that help you "
            "choose are no longer \"never seen\": evaluate() at the end is the honest "
            "last word. (Step 3 validates on images held out from the training ones.)",
    "held-out": "Your fit() measures the model after each epoch on its validation set, "
                "images it does not learn from. The page's last block still asks for "
                "evaluate() on the test images, which nothing was chosen by: one test, "
                "once training is over, the honest last word.",
}
