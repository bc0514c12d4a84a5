"""Steps 3 and 4, written by you: a callback that stops training, and a convolutional model.

Run your file:   python exercises/step3.py
Check it:        python check.py 3       (python check.py --help lists the options)
"""
from tutorial_helpers import load_fashion_mnist, what_next

# The data, as in steps 1 and 2. The pixels stay 0..255 here: the model's first
# layer scales them, as in step3.py and step4.py.
(x_train, y_train), (x_test, y_test) = load_fashion_mnist()

import tensorflow as tf  # noqa: E402

tf.keras.utils.set_random_seed(42)  # the same seed, the same numbers on every run

# A validation set, as in step 3: the last tenth of the training images, held out.
n_validation = len(x_train) // 10
x_val, y_val = x_train[-n_validation:], y_train[-n_validation:]
x_train, y_train = x_train[:-n_validation], y_train[:-n_validation]
print(f"Training on {len(x_train):,} images; {len(x_val):,} are held out for validation.")

# Write each block of the pages below its marked line, the comment that names it
# in brackets (the model's is [model]), in this order.

# [callback] Your callback: step 3's page, "Your turn: a callback of your own".
class StopAtAccuracy(tf.keras.callbacks.Callback):
    """Stop training as soon as the validation accuracy reaches a target."""

    def __init__(self, target):
        super().__init__()  # first, Keras's Callback sets up its part (self.model, ...)
        self.target = target  # self is this callback: it keeps the target for later

    def on_epoch_end(self, epoch, logs=None):
        # logs holds this epoch's numbers: accuracy, loss, val_accuracy, val_loss.
        if logs["val_accuracy"] >= self.target:
            print(f"Validation accuracy {logs['val_accuracy']:.4f} reached {self.target}: "
                  "training stops here.")
            self.model.stop_training = True  # fit() ends after this epoch

# [model] The convolutional model: step 4's page, "Your turn: the convolutional model".
model = tf.keras.Sequential([
    tf.keras.Input(shape=(28, 28)),
    tf.keras.layers.Rescaling(1 / 255),
    tf.keras.layers.Reshape((28, 28, 1)),  # Conv2D wants a channel axis: 1, grey
    tf.keras.layers.Conv2D(16, 3, padding="same", activation="relu"),  # 28x28x16
    tf.keras.layers.MaxPooling2D(),                                     # 14x14x16
    tf.keras.layers.Conv2D(32, 3, padding="same", activation="relu"),  # 14x14x32
    tf.keras.layers.MaxPooling2D(),                                     # 7x7x32
    tf.keras.layers.Flatten(),                                          # 1,568
    tf.keras.layers.Dense(128, activation="relu"),
    tf.keras.layers.Dense(10, activation="softmax"),
])

# [train] compile() and fit(): step 4's page, "Your turn: train and test".
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy",
              metrics=["accuracy"])
history = model.fit(x_train, y_train, validation_data=(x_val, y_val), epochs=10,
                    batch_size=128, verbose=2, callbacks=[StopAtAccuracy(0.9)])

# [evaluate] evaluate() and the test accuracy: step 4's page, "Your turn: train and test".
test_loss, test_accuracy = model.evaluate(x_test, y_test, verbose=2)
print(f"Trained for {len(history.epoch)} epochs. Test accuracy: {test_accuracy:.4f}")

# Keep this line last: until your file is complete, it says what to add next.
what_next(globals())
