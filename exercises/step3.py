"""Steps 3 and 4, written by you: a callback that stops training, and a convolutional model.

Run your file:   python exercises/step3.py
Check it:        python check.py 3       (python check.py --help lists the options)
"""
from tutorial_helpers import load_fashion_mnist, what_next

# The data, as in steps 1 and 2.
(x_train, y_train), (x_test, y_test) = load_fashion_mnist()

import tensorflow as tf  # noqa: E402

tf.keras.utils.set_random_seed(42)  # the same seed, the same numbers on every run

# A validation set, as in step 3: the last tenth of the training images, held out.
n_validation = len(x_train) // 10
x_val, y_val = x_train[-n_validation:], y_train[-n_validation:]
x_train, y_train = x_train[:-n_validation], y_train[:-n_validation]

# Normalize, as in step 1: pixels from 0..255 to 0..1, as 32-bit floats.
x_train = x_train.astype("float32") / 255.0
x_val = x_val.astype("float32") / 255.0
x_test = x_test.astype("float32") / 255.0
print(f"Training on {len(x_train):,} images; {len(x_val):,} are held out for validation.")

# Write each block of the pages below its marked line, such as # [model], in this order.

# [callback] Your callback: step 3's page, "Your turn: a callback of your own".

# [model] The convolutional model: step 4's page, "Your turn: the convolutional model".

# [train] compile() and fit(): step 4's page, "Your turn: train and test".

# [evaluate] evaluate() and the test accuracy: step 4's page, "Your turn: train and test".

# Keep this line last: until your file is complete, it says what to add next.
what_next(globals())
