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

# [compile] How it learns: the page's section "3. How it learns: compile".

# [fit] Training: the page's section "4. Training: fit".

# [evaluate] Testing, and the two accuracies: the page's section "5. Testing: evaluate".

# [predict] One prediction: the page's section "6. One prediction".

# Keep this line last: until your file is complete, it says what to add next.
what_next(globals())
