"""Step 3: make the model better, and see what it still gets wrong.

Run:  python step3.py            (python step3.py --help lists the flags)
"""
import math
import sys
import time

# tutorial_helpers first: without the requirements it says what to do, in one line.
from tutorial_helpers import (CLASS_NAMES, already_made, draw_images_in_a_row, fraction,
                              gap_bar, keras_file, load_fashion_mnist, log_test_images,
                              logdir, make_parser, positive_int, print_table,
                              run_folder, save_model, save_results)

import numpy as np  # noqa: E402

parser = make_parser(__doc__, epochs=10)
parser.add_argument("--target-accuracy", type=fraction, default=0.92, metavar="ACC",
                    help="stop training a model once its validation accuracy reaches ACC")
parser.add_argument("--patience", type=positive_int, default=2,
                    help="EarlyStopping: how many epochs to wait for the validation "
                         "loss to improve before stopping")
parser.add_argument("--save", type=keras_file, metavar="FILE.keras",
                    help="save the trained convolutional model to FILE.keras")
parser.add_argument("--logdir", type=logdir, metavar="DIR",
                    help="also write each model's epochs, mistakes and confusion "
                         "matrix under DIR, for TensorBoard")
parser.add_argument("--if-missing", action="store_true",
                    help="train only if the --save file or the --logdir logs of these "
                         "settings are missing; otherwise use them as they are")
parser.add_argument("--dense-only", action="store_true",
                    help="train only the dense model and stop after it: enough for "
                         "experiments with the callbacks, in a fraction of the time")
parser.epilog = ("Two models train here, each for at most --epochs epochs: "
                 "the callbacks may stop either one sooner. Nothing is kept unless "
                 "you ask: --save keeps the model for step 4, --logdir the logs for "
                 "TensorBoard; a run with other settings never overwrites them.")
args = parser.parse_args()
if args.dense_only and args.save:
    parser.error("--save keeps the convolutional model, which --dense-only does not train")
if args.if_missing and already_made(parser, args, "dense" if args.dense_only else "conv"):
    sys.exit()  # an earlier run left what this one would make

# Load the data, as in steps 1 and 2.
(x_train, y_train), (x_test, y_test) = load_fashion_mnist(args.data_dir)
print(f"{len(x_train):,} training and {len(x_test):,} test images of "
      f"{x_train.shape[1]}x{x_train.shape[2]} pixels.")
import tensorflow as tf  # noqa: E402

# 1. Hold out a validation set: the last tenth of the training images. The models
#    never learn from these; after each epoch Keras measures the accuracy on them,
#    which shows how well the model does on images it has not seen. The test set
#    stays untouched until the very end.
n_validation = len(x_train) // 10
x_val, y_val = x_train[-n_validation:], y_train[-n_validation:]
x_train, y_train = x_train[:-n_validation], y_train[:-n_validation]


# The pixels stay as they were loaded, 0..255 in 8 bits: a quarter of the memory
# that 32-bit floats take (55 MB for all 70,000 images, instead of 220 MB). Each
# model normalizes them itself, one batch at a time, with a Rescaling layer (see
# the models below); the saved model then takes pixels as Fashion-MNIST has them.
print(f"Training on {len(x_train):,} images; {len(x_val):,} are held out for validation.")


# 2. Callbacks: objects that fit() calls at moments of training, such as the end
#    of each epoch. This one stops training once the model is good enough.
class StopAtAccuracy(tf.keras.callbacks.Callback):
    """Stop training as soon as the validation accuracy reaches a target."""

    def __init__(self, target):
        super().__init__()
        self.target = target
        self.stopped_at = None  # the epoch that reached the target, if one did

    def on_epoch_end(self, epoch, logs=None):
        # logs holds this epoch's numbers: accuracy, loss, val_accuracy, val_loss.
        if logs["val_accuracy"] >= self.target:
            self.stopped_at = epoch + 1  # Keras counts epochs from 0, we from 1
            self.reached = logs["val_accuracy"]
            self.model.stop_training = True  # fit() ends after this epoch

    def on_train_end(self, logs=None):
        # Said here, once fit() has printed the last epoch's progress line.
        if self.stopped_at:
            print(f"Epoch {self.stopped_at}: validation accuracy {self.reached:.4f} "
                  f"reached the target {self.target}, so training stopped here.")


BATCH_SIZE = 128  # images per training step (Keras's default is 32)


def train(model):
    """Train a model on the training images, the same way every time.

    Returns fit()'s history, the seconds training took, and the epoch at which
    StopAtAccuracy stopped it (None if the target was never reached).
    """
    # The learning rate is the size of the optimizer's steps. Cosine decay starts
    # with big steps (0.002) and shrinks them smoothly to 0 by the last epoch, so
    # that the weights settle down at the end instead of jumping around.
    total_steps = args.epochs * math.ceil(len(x_train) / BATCH_SIZE)
    learning_rate = tf.keras.optimizers.schedules.CosineDecay(0.002, total_steps)
    model.compile(optimizer=tf.keras.optimizers.Adam(learning_rate),
                  loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"],
                  steps_per_execution=50)  # as in step 2: same math, less overhead
    stop_at_target = StopAtAccuracy(args.target_accuracy)
    # Keras's own EarlyStopping watches the validation loss instead, and stops
    # when it has not improved for `patience` epochs. restore_best_weights=True
    # then hands back the weights of the epoch with the lowest validation loss.
    early_stopping = tf.keras.callbacks.EarlyStopping(
        monitor="val_loss", patience=args.patience, restore_best_weights=True, verbose=1)
    callbacks = [stop_at_target, early_stopping]
    if args.logdir:  # Keras's TensorBoard callback writes each epoch's numbers there
        log_dir = run_folder(parser, args, model.name)  # such as logs/step3/conv
        callbacks.append(tf.keras.callbacks.TensorBoard(log_dir=log_dir))
    start = time.perf_counter()
    # Bigger batches make an epoch faster on a small CPU. verbose=2 prints one
    # line per epoch, with the validation numbers.
    history = model.fit(x_train, y_train, validation_data=(x_val, y_val),
                        epochs=args.epochs, batch_size=BATCH_SIZE, verbose=2,
                        callbacks=callbacks)
    return history, time.perf_counter() - start, stop_at_target.stopped_at


def summarize(model, history, seconds, stop):
    """One model's row of the comparison: its accuracies on the training and on the
    test images (kept aside until now), and how it trained."""
    _, train_accuracy = model.evaluate(x_train, y_train, batch_size=BATCH_SIZE, verbose=0)
    _, test_accuracy = model.evaluate(x_test, y_test, batch_size=BATCH_SIZE, verbose=0)
    return dict(params=model.count_params(), epochs=len(history.epoch),
                target_reached_at=stop, train_accuracy=train_accuracy,
                test_accuracy=test_accuracy, train_seconds=seconds)


def print_comparison(summary):
    print()
    print_table(["Model", "Parameters", "Epochs", "Training acc", "Test acc", "Seconds"],
                [[label, f"{s['params']:,}", s["epochs"], f"{s['train_accuracy']:.4f}",
                  f"{s['test_accuracy']:.4f}", f"{s['train_seconds']:.0f}"]
                 for label, s in zip(["Dense", "Convolutional"], summary.values())])
    print("(Training and test accuracy of the final weights; Seconds: training time.)")


def note_results(summary, **more):
    """Note what this run measured (the scenario's checks and the benchmark read it)."""
    last = list(summary.values())[-1]  # the convolutional model, unless --dense-only
    save_results("step3", epochs=args.epochs, seed=args.seed,
                  target_accuracy=args.target_accuracy, patience=args.patience,
                  dense_only=args.dense_only, train_accuracy=last["train_accuracy"],
                  test_accuracy=last["test_accuracy"], stop_epoch=last["target_reached_at"],
                  **summary, **more)


def show_epochs(history):
    """Print each epoch's accuracy on the training and on the validation images."""
    train, val = history.history["accuracy"], history.history["val_accuracy"]
    # The chart's ends: multiples of 0.05 around the accuracies, at most 1.
    high = min(np.floor(max(train + val) * 20) / 20 + 0.05, 1.0)
    low = min(np.floor(min(train + val) * 20) / 20, high - 0.05)
    print(f"Epoch  Training  Validation     Gap  {low:.2f}{high:26.2f}")
    for epoch, (t, v) in enumerate(zip(train, val), start=1):
        print(f"{epoch:>5}  {t:>8.4f}  {v:>10.4f}  {t - v:>+7.4f}  {gap_bar(t, v, low, high)}")


# The dense model of step 2, trained while watching the validation accuracy.
tf.keras.utils.set_random_seed(args.seed)
dense = tf.keras.Sequential([
    tf.keras.Input(shape=(28, 28)),
    tf.keras.layers.Rescaling(1 / 255),  # normalize: 0..255 to 0..1, as step 2 did
    tf.keras.layers.Flatten(),
    tf.keras.layers.Dense(128, activation="relu"),
    tf.keras.layers.Dense(10, activation="softmax"),
], name="dense")  # TensorBoard shows each model under its name
print("\nThe dense model of step 2:")
dense_history, dense_seconds, dense_stop = train(dense)
print("\nPer epoch, T marks the training accuracy and V the validation accuracy:")
show_epochs(dense_history)
gap = dense_history.history["accuracy"][-1] - dense_history.history["val_accuracy"][-1]
if gap > 0.01:
    print("The training accuracy keeps climbing, while the validation accuracy levels\n"
          "off: the gap between them is the model memorizing its training images\n"
          "(overfitting). Memorizing does not help on new images, so training this\n"
          "model longer would not make it better.")
else:
    print("The two accuracies stay close: no sign yet of the model memorizing its\n"
          "training images (overfitting). With more epochs, a gap would open.")
print(f"\nTwo callbacks could stop training early. StopAtAccuracy stops once the\n"
      f"validation accuracy reaches {args.target_accuracy}, a goal we chose; EarlyStopping "
      f"stops once\nthe validation loss has not improved for {args.patience} epochs, "
      f"whatever the accuracy,\nand goes back to the weights of the best epoch.")
summary = {"dense": summarize(dense, dense_history, dense_seconds, dense_stop)}
if args.dense_only:  # what the callbacks do shows on the dense model alone
    print_comparison(summary)
    note_results(summary)
    sys.exit()

# 3. A convolutional network. A Conv2D layer slides small 3x3 filters over the
#    image; each filter learns to respond to a local pattern (an edge, a corner, a
#    stripe) wherever it appears. padding="same" lets the filters run over the
#    image's border too, so the output keeps the image's size. MaxPooling2D keeps
#    the strongest response in each 2x2 patch, halving the size. The second Conv2D
#    finds patterns made of the first one's patterns (a collar, a sole). Dense
#    layers then classify what was found.
tf.keras.utils.set_random_seed(args.seed)  # the same seed as the dense model
conv = tf.keras.Sequential([
    tf.keras.Input(shape=(28, 28)),
    tf.keras.layers.Rescaling(1 / 255),    # normalize, as in the dense model
    tf.keras.layers.Reshape((28, 28, 1)),  # Conv2D wants a channel axis: 1, grey
    tf.keras.layers.Conv2D(16, 3, padding="same", activation="relu"),  # 28x28x16
    tf.keras.layers.MaxPooling2D(),                                     # 14x14x16
    tf.keras.layers.Conv2D(32, 3, padding="same", activation="relu"),  # 14x14x32
    tf.keras.layers.MaxPooling2D(),                                     # 7x7x32
    tf.keras.layers.Flatten(),                                          # 1,568
    tf.keras.layers.Dropout(0.3),  # while training, drop 30% of these at random,
                                   # so no single feature can be memorized
    tf.keras.layers.Dense(128, activation="relu"),
    tf.keras.layers.Dense(10, activation="softmax"),
], name="conv")
print("\nThe convolutional model:")
conv_history, conv_seconds, conv_stop = train(conv)
print()
show_epochs(conv_history)

# Compare the two on the training images and on the test images.
summary["conv"] = summarize(conv, conv_history, conv_seconds, conv_stop)
print_comparison(summary)
mistakes_dense, mistakes_conv = (round((1 - summary[name]["test_accuracy"]) * len(y_test))
                                 for name in ("dense", "conv"))
print(f"Of the {len(y_test):,} test images, the dense model gets {mistakes_dense:,} wrong "
      f"and the convolutional one {mistakes_conv:,}.")

# 4. What does it get wrong? predict() gives 10 probabilities per image; the
#    largest one is the model's answer, and its size is how confident it is.
probabilities = conv.predict(x_test, batch_size=BATCH_SIZE, verbose=0)
predicted = probabilities.argmax(axis=1)
confidence = probabilities.max(axis=1)
right = np.flatnonzero(predicted == y_test)[:2]
wrong = np.flatnonzero(predicted != y_test)[:2]
for title, picks in [("right", right), ("wrong", wrong)]:
    if len(picks) == 0:
        continue
    print(f"\nTest images it got {title}:")
    draw_images_in_a_row(x_test[picks], [
        [f"Test image {i}", f"Predicted: {CLASS_NAMES[predicted[i]]}",
         f"Confidence: {confidence[i]:.0%}", f"True class: {CLASS_NAMES[y_test[i]]}"]
        for i in picks])

# The confusion matrix counts, for each true class (a row), how often the model
# predicted each class (a column). The diagonal holds the right answers.
matrix = tf.math.confusion_matrix(y_test, predicted, num_classes=10).numpy()
per_class = matrix.diagonal() / matrix.sum(axis=1).clip(min=1)
print("\nConfusion matrix of the test images: rows are the true classes, columns the")
print("predicted ones (numbered as the rows); Right is each class's accuracy.")
print_table(["True class"] + [str(k) for k in range(10)] + ["Right"],
            [[f"{k} {name}"] + list(matrix[k]) + [f"{per_class[k]:.1%}"]
             for k, name in enumerate(CLASS_NAMES)])
if args.logdir:  # the same mistakes and matrix, as pictures in TensorBoard's Images tab
    log_test_images(run_folder(parser, args, conv.name), x_test, y_test,
                    predicted, confidence, matrix)

# The pair of classes mixed up most often, counting both directions.
mistakes = matrix + matrix.T
np.fill_diagonal(mistakes, 0)
a, b = np.unravel_index(mistakes.argmax(), mistakes.shape)
if matrix[b, a] > matrix[a, b]:
    a, b = b, a  # name first the class that is taken for the other more often
if mistakes[a, b] == 0:
    print("\nThe model confused no two classes: every test image was right.")
    most_confused = None
else:
    most_confused = [CLASS_NAMES[a], CLASS_NAMES[b]]
    print(f"\nMost often confused: {CLASS_NAMES[a]} and {CLASS_NAMES[b]} "
          f"({matrix[a, b]} {CLASS_NAMES[a]} taken for {CLASS_NAMES[b]}, "
          f"{matrix[b, a]} the other way round).")

# 5. Save the trained model in Keras's own format: one .keras file that holds the
#    layers, the weights and the training settings. Load it back with
#    model = tf.keras.models.load_model("FILE.keras").
if args.save:
    save_model(conv, args.save)
    print(f"\nSaved the convolutional model to {args.save}")

note_results(summary, most_confused=most_confused, confusion_matrix=matrix.tolist())
