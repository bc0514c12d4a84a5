"""The mistakes beginners make in steps 2 and 3, each said in the page's words.

Each entry: the thing the page asked for that it spoils (an item of ITEMS), the
message (str.format()ed with what the run found: {line}, {code}, {epochs}, ...),
the page's section that teaches it, and a hint. judge.py decides which one a
run shows; docs/exercises.md lists them all.
"""
from dataclasses import dataclass

# What each step's page asks for, in the page's order: (item, how the report names it).
ITEMS = {
    "2": [("data", "the data, scaled to 0..1"),
          ("model", "the model: Flatten, Dense(128, relu), Dense(10, softmax)"),
          ("compile", "compile(): loss, optimizer, accuracy"),
          ("fit", "fit(): 5 epochs on the training images"),
          ("evaluate", "evaluate() on the test images, and the two accuracies")],
    "3": [("data", "the data, scaled to 0..1, with a validation set"),
          ("callback", "your callback: stops at a validation accuracy"),
          ("model", "the convolutional model"),
          ("train", "compile() and fit(), with the validation set and your callback"),
          ("evaluate", "evaluate() on the test images")],
}


@dataclass(frozen=True)
class Mistake:
    item: str
    message: str
    section: str
    hint: str


S2, S3 = "2", "3"
MISTAKES = {
    # --- any step ----------------------------------------------------------------
    "syntax-error": Mistake(
        "", "Python cannot read line {line} of your file: {reason}.\n    {code}",
        "", "Compare that line (and the one above it) with the page's block, character "
            "by character: brackets and quotes come in pairs, and a line that starts a "
            "block ends in a colon."),
    "time-limit": Mistake(
        "", "Your file ran for more than {limit} seconds, so the check stopped it{where}. "
            "On the check's few thousand images it should end in seconds: something "
            "in it never ends, such as a loop that never stops.",
        "", "Look at that line: a `while` loop needs a condition that becomes false."),
    "name-error": Mistake(
        "", "Line {line} uses `{name}`, but your file has not defined it by then."
            "{suggestion}\n    {code}",
        "", "Blocks run from top to bottom: write each block below its own [label], in "
            "the page's order, and spell the name as the page does."),
    "misspelt": Mistake(
        "", "Line {line} asks for `{name}`, which does not exist{suggestion}.\n    {code}",
        "", "Compare its spelling, capitals included, with the page's block."),
    "stopped": Mistake(
        "", "Your file stopped before its end:\n    {reason}",
        "", "Run it yourself to see more:  python exercises/step{step}.py"),
    "error": Mistake(
        "", "Line {line} stopped your file with {type}: {reason}\n    {code}",
        "", "python check.py {step} --verbose shows TensorFlow's whole message."),
    # --- step 2 ------------------------------------------------------------------
    "not-normalized": Mistake(
        "data", "fit() gets pixels from {low:g} to {high:g}, not from 0 to 1: the images "
                "are not normalized. The model then learns much worse.",
        "1. The data, as in step 1", "Divide the images by 255.0 before training, as "
                                     "the start of your file does."),
    "input-784": Mistake(
        "model", "Your model expects each image as a row of 784 numbers "
                 "(Input(shape=(784,))), but the images are 28 by 28.",
        "2. The model", "Keep Input(shape=(28, 28)) and let Flatten() unroll each image."),
    "no-flatten": Mistake(
        "model", "Your model has no Flatten() before its Dense layers, so each image "
                 "stays 28 by 28 and the last layer gives {shape} instead of one "
                 "row of 10 scores per image.",
        "2. The model", "Put tf.keras.layers.Flatten() right after the Input."),
    "wrong-units": Mistake(
        "model", "Your last layer has {units} neurons, but there are 10 classes: it "
                 "needs one neuron, one score, per class.",
        "2. The model", "The last layer is Dense(10, activation=\"softmax\")."),
    "not-softmax": Mistake(
        "model", "Your last layer's activation is {activation}, not softmax: its 10 "
                 "scores are not probabilities, and the loss expects probabilities.",
        "2. The model", "The last layer is Dense(10, activation=\"softmax\")."),
    "no-relu": Mistake(
        "model", "Your hidden Dense layer has no activation: without ReLU, a stack of "
                 "Dense layers is no more powerful than a single one.",
        "2. The model", "Write Dense(128, activation=\"relu\")."),
    "categorical-loss": Mistake(
        "compile", "Your loss is \"categorical_crossentropy\", which wants each label "
                   "as a list of ten numbers; our labels are plain class numbers 0-9.",
        "3. How it learns: compile", "Use loss=\"sparse_categorical_crossentropy\": "
                                     "\"sparse\" is for plain class numbers."),
    "no-accuracy": Mistake(
        "compile", "compile() has no metrics=[\"accuracy\"], so Keras measures only the "
                   "loss: there is no accuracy to print, and evaluate() gives one number, "
                   "not two.",
        "3. How it learns: compile", "Add metrics=[\"accuracy\"] to compile()."),
    "no-compile": Mistake(
        "compile", "fit() was called before compile(): the model does not know yet "
                   "how to learn (its loss and its optimizer).",
        "3. How it learns: compile", "Write the compile block between the model and fit()."),
    "no-labels": Mistake(
        "fit", "fit() got the images but not their labels: it cannot learn what is right "
               "without the answers.",
        "4. Training: fit", "Pass both:  model.fit(x_train, y_train, ...)"),
    "fit-on-test": Mistake(
        "fit", "fit() trains on the test images. They must stay aside, unseen, so "
               "that the test accuracy is honest.",
        "4. Training: fit", "Train on x_train and y_train; keep x_test for evaluate()."),
    "wrong-epochs": Mistake(
        "fit", "fit() trains for {epochs} epoch{s}{default}; the page asks for 5.",
        "4. Training: fit", "Pass epochs=5 to fit()."),
    "no-evaluate": Mistake(
        "evaluate", "Your file never calls evaluate(): nothing tests the model on images "
                    "it has not seen.",
        "5. Testing: evaluate", "Add the evaluate block after fit()."),
    "evaluate-on-train": Mistake(
        "evaluate", "evaluate() tests the model on the training images, the very ones it "
                    "learned from: that accuracy says nothing about new images.",
        "5. Testing: evaluate", "Evaluate on x_test and y_test."),
    "test-not-normalized": Mistake(
        "evaluate", "evaluate() gets pixels from {low:g} to {high:g}, but the model "
                    "learned on 0 to 1. A model must always be given its inputs in the "
                    "form it learned from.",
        "5. Testing: evaluate", "Divide the test images by 255.0 too."),
    "swapped-results": Mistake(
        "evaluate", "Your `{name}` holds the test loss ({value:.4f}), not the accuracy: "
                    "evaluate() gives the loss first, then the accuracy.",
        "5. Testing: evaluate", "Write  test_loss, test_accuracy = model.evaluate(...)"),
    # --- step 3 ------------------------------------------------------------------
    "no-validation": Mistake(
        "train", "fit() has no validation set, so there is no val_accuracy for your "
                 "callback to watch.",
        "Your turn: 3. Train and test", "Pass validation_data=(x_val, y_val) to fit()."),
    "callback-not-passed": Mistake(
        "train", "Your callback {name} is written, but fit() never gets it, so it never "
                 "runs.",
        "Your turn: 3. Train and test", "Pass it to fit():  callbacks=[{name}(0.9)]"),
    "callback-class": Mistake(
        "train", "fit() got the class {name} itself, not a callback made from it.",
        "Your turn: 3. Train and test", "Call it, with the target:  callbacks=[{name}(0.9)]"),
    "callback-never-stops": Mistake(
        "callback", "Your callback does not stop training, even when the validation "
                    "accuracy is 0.999: training always runs all its epochs.",
        "Your turn: 1. A callback", "When logs[\"val_accuracy\"] reaches the target, set "
                                    "self.model.stop_training = True (self.model, not self)."),
    "callback-watches-training": Mistake(
        "callback", "Your callback stops training when the *training* accuracy is high, "
                    "even though the validation accuracy is only 0.05.",
        "Your turn: 1. A callback", "Watch logs[\"val_accuracy\"], the accuracy on the "
                                    "held-out images."),
    "callback-fails": Mistake(
        "callback", "Your callback's on_epoch_end() fails: {reason}",
        "Your turn: 1. A callback", "Its signature is  def on_epoch_end(self, epoch, "
                                    "logs=None):  and logs holds accuracy, loss, "
                                    "val_accuracy and val_loss."),
    "no-callback": Mistake(
        "callback", "Your file has no callback: no class made from "
                    "tf.keras.callbacks.Callback reaches fit().",
        "Your turn: 1. A callback", "Write class StopAtAccuracy(tf.keras.callbacks.Callback)."),
    "conv-no-channel": Mistake(
        "model", "Conv2D gets images of 28 by 28 with no channel axis: it wants "
                 "(28, 28, 1), one grey channel.",
        "Your turn: 2. The convolutional model",
        "Put tf.keras.layers.Reshape((28, 28, 1)) right after the Input."),
    "scaled-twice": Mistake(
        "model", "Your model starts with a Rescaling layer, but the start of your file "
                 "already scaled the pixels to 0..1: the model sees them divided by 255 "
                 "twice, from 0 to {high:.4f}, and learns much worse.",
        "Your turn: 2. The convolutional model",
        "Leave out the Rescaling layer: step3.py needs it because its images stay "
        "0..255; yours are scaled at the start of the file."),
    "no-conv": Mistake(
        "model", "Your model has no Conv2D layer: it is still the dense model of step 2.",
        "Your turn: 2. The convolutional model", "Add the Conv2D and MaxPooling2D layers."),
}
