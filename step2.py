"""Step 2: build a neural network, train it and test it on images it has never seen.

Run:  python step2.py            (python step2.py --help lists the flags)
"""
from tutorial_helpers import (CLASS_NAMES, load_fashion_mnist, logdir, make_parser,
                              positive_number, print_verdict, probability_bars, run_folder,
                              save_results)

parser = make_parser(__doc__, epochs=5)
parser.add_argument("--learning-rate", type=positive_number, default=0.001, metavar="RATE",
                    help="how big a step Adam takes when it changes the weights")
parser.add_argument("--logdir", type=logdir, metavar="DIR",
                    help="also write each epoch's numbers under DIR, for TensorBoard")
args = parser.parse_args()

# The data, as in step 1: images and labels, for training and for testing.
(x_train, y_train), (x_test, y_test) = load_fashion_mnist(args.data_dir)
print(f"{len(x_train):,} training and {len(x_test):,} test images of "
      f"{x_train.shape[1]}x{x_train.shape[2]} pixels.")

import tensorflow as tf  # noqa: E402

# The same seed gives the same starting weights and the same shuffling, so a
# rerun prints the same numbers.
tf.keras.utils.set_random_seed(args.seed)

# 1. The model: a stack of layers, each feeding the next. Its first layer scales
#    the pixels from 0..255 to 0..1, as step 1 did: the model carries its own
#    preprocessing, for every image it is ever given.
model = tf.keras.Sequential([
    tf.keras.Input(shape=(28, 28)),
    tf.keras.layers.Rescaling(1 / 255),               # pixels 0..255 -> 0..1
    tf.keras.layers.Flatten(),                        # 28x28 pixels -> a row of 784
    tf.keras.layers.Dense(128, activation="relu"),    # 128 neurons learn features
    tf.keras.layers.Dense(10, activation="softmax"),  # 10 scores, one per class
])
model.summary()

# 2. How it learns: Adam changes the weights to shrink the loss, in steps whose
#    size the learning rate sets; accuracy is the share of images classified right.
model.compile(optimizer=tf.keras.optimizers.Adam(learning_rate=args.learning_rate),
              loss="sparse_categorical_crossentropy",
              metrics=["accuracy"])

# 3. Train: each epoch is one pass over the 60,000 training images. With --logdir,
#    Keras's TensorBoard callback also writes each epoch's numbers for TensorBoard.
callbacks = []
if args.logdir:
    callbacks.append(tf.keras.callbacks.TensorBoard(log_dir=run_folder(parser, args, "dense")))
history = model.fit(x_train, y_train, epochs=args.epochs, callbacks=callbacks)

# 4. Test on the 10,000 images it never saw; then measure the training images the
#    same way, with the final weights: that is the training accuracy.
test_loss, test_accuracy = model.evaluate(x_test, y_test, verbose=2)
train_loss, train_accuracy = model.evaluate(x_train, y_train, verbose=0)
print(f"Training accuracy: {train_accuracy:.4f}   Test accuracy: {test_accuracy:.4f}")
# What the two say: a gap, or none; or, at the extremes, no better than guessing.
print_verdict(test_accuracy, train_accuracy, test_loss, learning_rate=args.learning_rate)

# 5. One prediction: the ten probabilities the model gives the first test image.
probabilities = model.predict(x_test[:1], verbose=0)[0]
print()
name = CLASS_NAMES[y_test[0]].lower()
print(f"The first test image is {'an' if name[0] in 'aeiou' else 'a'} {name}. "
      "The model's ten probabilities:")
print(probabilities.round(3))
print("\n".join(probability_bars(probabilities, CLASS_NAMES, top=10, by_size=False)))

# Note what this run measured (the scenario's checks and the benchmark read it).
save_results("step2", epochs=args.epochs, seed=args.seed, learning_rate=args.learning_rate,
             train_accuracy=train_accuracy, test_accuracy=test_accuracy)
