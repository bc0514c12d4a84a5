"""Step 2, written by you: build a model, train it and test it.

Run your file:   python exercises/step2.py
Check it:        python check.py 2       (python check.py --help lists the options)
"""
from tutorial_helpers import load_fashion_mnist, what_next

# The data, as in step 1: images and labels, for training and for testing. The
# pixels stay 0..255 here: the model's first layer scales them.
(x_train, y_train), (x_test, y_test) = load_fashion_mnist()
print(f"{len(x_train):,} training and {len(x_test):,} test images.")

import tensorflow as tf  # noqa: E402

tf.keras.utils.set_random_seed(42)  # the same seed, the same numbers on every run

# Write each block of the page below its marked line, the comment that names it
# in brackets (the model's is [model]), in this order.

# [model] The model: the page's section "2. The model".
model = tf.keras.Sequential([
    tf.keras.Input(shape=(28, 28)),
    tf.keras.layers.Rescaling(1 / 255),               # pixels 0..255 -> 0..1
    tf.keras.layers.Flatten(),                        # 28x28 pixels -> a row of 784
    tf.keras.layers.Dense(128, activation="relu"),    # 128 neurons learn features
    tf.keras.layers.Dense(10, activation="softmax"),  # 10 scores, one per class
])
model.summary()

# [compile] How it learns: the page's section "3. How it learns: compile".
model.compile(optimizer=tf.keras.optimizers.Adam(learning_rate=0.001),
              loss="sparse_categorical_crossentropy",
              metrics=["accuracy"])

# [fit] Training: the page's section "4. Training: fit".
model.fit(x_train, y_train, epochs=5)

# [evaluate] Testing, and the two accuracies: the page's section "5. Testing: evaluate".
test_loss, test_accuracy = model.evaluate(x_test, y_test, verbose=2)
train_loss, train_accuracy = model.evaluate(x_train, y_train, verbose=0)
print(f"Training accuracy: {train_accuracy:.4f}   Test accuracy: {test_accuracy:.4f}")

# [predict] One prediction: the page's section "6. One prediction".
probabilities = model.predict(x_test[:1], verbose=0)[0]
print("The first test image, the model's ten probabilities:", probabilities.round(3))

# Keep this line last: until your file is complete, it says what to add next.
what_next(globals())
