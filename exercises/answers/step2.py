"""Step 2, written by you: build a model, train it and test it.

Run your file:   python exercises/step2.py
Check it:        python check.py 2       (python check.py --help lists the options)
"""
from tutorial_helpers import load_fashion_mnist, quiet_tensorflow, what_next

# The data, as in step 1: images and labels, for training and for testing.
(x_train, y_train), (x_test, y_test) = load_fashion_mnist()
print(f"{len(x_train):,} training and {len(x_test):,} test images.")

print("Starting TensorFlow ...", flush=True)  # it takes a few seconds to load
with quiet_tensorflow():
    import tensorflow as tf

tf.keras.utils.set_random_seed(42)  # the same seed, the same numbers on every run

# Normalize, as in step 1: pixels from 0..255 to 0..1, as 32-bit floats.
x_train = x_train.astype("float32") / 255.0
x_test = x_test.astype("float32") / 255.0

# Write each block of the page below its [label], in this order.

# [model] The model: the page's section "2. The model".
model = tf.keras.Sequential([
    tf.keras.Input(shape=(28, 28)),
    tf.keras.layers.Flatten(),                        # 28x28 pixels -> a row of 784
    tf.keras.layers.Dense(128, activation="relu"),    # 128 neurons learn features
    tf.keras.layers.Dense(10, activation="softmax"),  # 10 scores, one per class
])

# [compile] How it learns: the page's section "3. How it learns: compile".
model.compile(optimizer=tf.keras.optimizers.Adam(),
              loss="sparse_categorical_crossentropy",
              metrics=["accuracy"],
              steps_per_execution=50)

# [fit] Training: the page's section "4. Training: fit".
history = model.fit(x_train, y_train, epochs=5)

# [evaluate] Testing, and the two accuracies: the page's section "5. Testing: evaluate".
test_loss, test_accuracy = model.evaluate(x_test, y_test, verbose=2)
train_accuracy = history.history["accuracy"][-1]
print()
print(f"Training accuracy: {train_accuracy:.4f}   Test accuracy: {test_accuracy:.4f}")

# Keep this line last: until your file is complete, it says what to add next.
what_next(globals())
