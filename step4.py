"""Step 4: a model made for images, side by side with the dense one.

Run:  python step4.py            (python step4.py --help lists the flags)
"""
import time

from tutorial_helpers import (load_fashion_mnist, make_parser, print_table, print_verdict,
                              save_model, save_results)

parser = make_parser(__doc__, epochs=10)
args = parser.parse_args()

# The data and the validation set, as in step 3.
(x_train, y_train), (x_test, y_test) = load_fashion_mnist(args.data_dir)

import tensorflow as tf  # noqa: E402

n_validation = len(x_train) // 10
x_val, y_val = x_train[-n_validation:], y_train[-n_validation:]
x_train, y_train = x_train[:-n_validation], y_train[:-n_validation]

# 1. The dense model of steps 2 and 3.
tf.keras.utils.set_random_seed(args.seed)
dense = tf.keras.Sequential([
    tf.keras.Input(shape=(28, 28)),
    tf.keras.layers.Rescaling(1 / 255),
    tf.keras.layers.Flatten(),
    tf.keras.layers.Dense(128, activation="relu"),
    tf.keras.layers.Dense(10, activation="softmax"),
], name="dense")

# 2. A convolutional model. Conv2D slides 3x3 filters over the image; each filter
#    learns a small pattern (an edge, a stripe) and finds it wherever it is.
#    MaxPooling2D keeps the strongest answer of each 2x2 patch: half the size.
#    The second Conv2D finds patterns made of the first one's (a collar, a sole).
tf.keras.utils.set_random_seed(args.seed)
conv = tf.keras.Sequential([
    tf.keras.Input(shape=(28, 28)),
    tf.keras.layers.Rescaling(1 / 255),
    tf.keras.layers.Reshape((28, 28, 1)),  # Conv2D wants a channel axis: 1, grey
    tf.keras.layers.Conv2D(16, 3, padding="same", activation="relu"),  # 28x28x16
    tf.keras.layers.MaxPooling2D(),                                     # 14x14x16
    tf.keras.layers.Conv2D(32, 3, padding="same", activation="relu"),  # 14x14x32
    tf.keras.layers.MaxPooling2D(),                                     # 7x7x32
    tf.keras.layers.Flatten(),                                          # 1,568
    tf.keras.layers.Dropout(0.3),  # while training, drop 30% of these at random
    tf.keras.layers.Dense(128, activation="relu"),
    tf.keras.layers.Dense(10, activation="softmax"),
], name="conv")

# 3. Each model's layers, the shape of what each one outputs, and its weights.
dense.summary()
conv.summary()


# 4. Train both the same way, with step 3's EarlyStopping. 128 images a batch
#    (Keras's default is 32) makes each epoch quicker on a small computer.
def train(model, label):
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    early_stopping = tf.keras.callbacks.EarlyStopping(
        monitor="val_loss", patience=2, restore_best_weights=True, verbose=1)
    print(f"\nThe {label} model:")
    start = time.perf_counter()
    history = model.fit(x_train, y_train, validation_data=(x_val, y_val), epochs=args.epochs,
                        batch_size=128, callbacks=[early_stopping], verbose=2)
    seconds = time.perf_counter() - start
    # Training and test accuracy as in step 2: evaluate() with the weights kept.
    _, train_accuracy = model.evaluate(x_train, y_train, batch_size=128, verbose=0)
    test_loss, test_accuracy = model.evaluate(x_test, y_test, batch_size=128, verbose=0)
    return dict(params=model.count_params(), epochs=len(history.epoch), test_loss=test_loss,
                train_accuracy=train_accuracy, test_accuracy=test_accuracy, seconds=seconds)


results = {"dense": train(dense, "dense"), "conv": train(conv, "convolutional")}

# 5. Side by side.
print()
print_table(["Model", "Weights", "Epochs", "Training acc", "Test acc", "Seconds"],
            [[name, f"{r['params']:,}", r["epochs"], f"{r['train_accuracy']:.4f}",
              f"{r['test_accuracy']:.4f}", f"{r['seconds']:.0f}"]
             for name, r in zip(["Dense", "Convolutional"], results.values())])
wrong = {name: round((1 - r["test_accuracy"]) * len(y_test)) for name, r in results.items()}
print(f"Of the {len(y_test):,} test images, the dense model gets {wrong['dense']:,} wrong "
      f"and the convolutional one {wrong['conv']:,}.")
for label, r in zip(["dense", "convolutional"], results.values()):  # if no better than guessing
    print_verdict(r["test_accuracy"], loss=r["test_loss"], model=f"The {label} model")

# 6. Save the convolutional model in Keras's own format, one file with its layers
#    and weights, for steps 5 and 6: tf.keras.models.load_model("fashion.keras").
save_model(conv, "fashion.keras")
print("Saved the convolutional model to fashion.keras")

# Note what this run measured (the scenario's checks and the benchmark read it).
save_results("step4", epochs=args.epochs, seed=args.seed, **results)
