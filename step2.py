"""Step 2: build a neural network, train it and test it on images it has never seen.

Run:  python step2.py            (python step2.py --help lists the flags)
"""
from tutorial_helpers import (load_fashion_mnist, logdir, make_parser, quiet_tensorflow,
                              run_folder, save_results)

parser = make_parser(__doc__, epochs=5)
parser.add_argument("--logdir", type=logdir, metavar="DIR",
                    help="also write each epoch's numbers under DIR, for TensorBoard")
args = parser.parse_args()

# Load the data, as in step 1.
(x_train, y_train), (x_test, y_test) = load_fashion_mnist(args.data_dir)
print(f"{len(x_train):,} training and {len(x_test):,} test images of "
      f"{x_train.shape[1]}x{x_train.shape[2]} pixels.")

# TensorFlow takes a few seconds to load: say so, or the wait looks like a hang.
print("Starting TensorFlow ...", flush=True)
with quiet_tensorflow():
    import tensorflow as tf

# The same seed gives the same starting weights and the same shuffling, so a
# rerun prints the same numbers.
tf.keras.utils.set_random_seed(args.seed)


# Normalize, as in step 1: pixels from 0..255 to 0..1.
@tf.function  # runs as one TensorFlow graph, which needs no temporary copy of the images
def normalize(images):
    return tf.cast(images, tf.float32) / 255.0


x_train, x_test = normalize(x_train), normalize(x_test)

# The model: a stack of layers, each feeding the next.
model = tf.keras.Sequential([
    tf.keras.Input(shape=(28, 28)),
    tf.keras.layers.Flatten(),                        # 28x28 pixels -> a row of 784
    tf.keras.layers.Dense(128, activation="relu"),    # 128 neurons learn features
    tf.keras.layers.Dense(10, activation="softmax"),  # 10 scores, one per class
])

# How it learns: the Adam optimizer adjusts the weights to shrink the loss;
# accuracy is the share of images classified right.
# steps_per_execution=50 lets TensorFlow run 50 training steps at a time without
# returning to Python: the same math, much less overhead.
model.compile(optimizer=tf.keras.optimizers.Adam(),
              loss="sparse_categorical_crossentropy",
              metrics=["accuracy"],
              steps_per_execution=50)

# Train: each epoch is one pass over the 60,000 training images. With --logdir,
# Keras's TensorBoard callback also writes each epoch's numbers for TensorBoard.
callbacks = []
if args.logdir:
    callbacks.append(tf.keras.callbacks.TensorBoard(log_dir=run_folder(parser, args, "dense")))
print()
history = model.fit(x_train, y_train, epochs=args.epochs, callbacks=callbacks)

# Test: how well does it do on the 10,000 images it never saw while training?
print()
test_loss, test_accuracy = model.evaluate(x_test, y_test, verbose=2)

train_accuracy = history.history["accuracy"][-1]
print()
print(f"Training accuracy: {train_accuracy:.4f}   Test accuracy: {test_accuracy:.4f}")
if train_accuracy - test_accuracy > 0.005:
    print("The model does a little worse on new images than on the ones it learned "
          "from: it has partly memorized its training set (overfitting).")
else:
    print("The model does as well on new images as on the ones it learned from: "
          "it has learned general patterns, not memorized its training set.")

# Note what this run measured (the scenario's checks and the benchmark read it).
save_results("step2", epochs=args.epochs, seed=args.seed,
             train_accuracy=train_accuracy, test_accuracy=test_accuracy)
