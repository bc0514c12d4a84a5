"""Models like the one step 4 saves, made for the tests without running step 4.

small_conv_model() trains a convolutional model of step 4's kind (Rescaling, Reshape,
Conv2D, MaxPooling, Dense) in a subprocess and saves it; filters=16 and full=True
give step 4's very model. The test process itself never imports TensorFlow.
"""
import subprocess
import sys
from pathlib import Path

from conftest import HANG_S, ROOT
from tutorial_helpers.saved_model import MAKER  # step4.py

TRAIN = r"""
import sys
sys.path.insert(0, sys.argv[1])
from tutorial_helpers import load_fashion_mnist
import tensorflow as tf
path, data_dir, epochs, filters, full = sys.argv[2], sys.argv[3] or None, *map(int, sys.argv[4:])
(x, y), _ = load_fashion_mnist(data_dir)
tf.keras.utils.set_random_seed(0)
layers = tf.keras.layers
middle = ([layers.MaxPooling2D(), layers.Conv2D(32, 3, padding="same", activation="relu"),
           layers.MaxPooling2D(), layers.Flatten(), layers.Dropout(0.3),
           layers.Dense(128, activation="relu")] if full else
          [layers.MaxPooling2D(4), layers.Flatten()])
model = tf.keras.Sequential(
    [tf.keras.Input((28, 28)), layers.Rescaling(1 / 255), layers.Reshape((28, 28, 1)),
     layers.Conv2D(filters, 3, padding="same", activation="relu")] + middle
    + [layers.Dense(10, activation="softmax")])
model.compile(optimizer=tf.keras.optimizers.Adam(0.005 if not full else 0.001),
              loss="sparse_categorical_crossentropy")
model.fit(x, y, epochs=epochs, batch_size=64 if not full else 128, verbose=0)
model.save(path)
"""


def small_conv_model(run, path, data_dir=None, epochs=2, filters=8, full=False, timeout=HANG_S):
    """Train and save a convolutional model to path, in the Runner's environment (its
    Keras cache: the generated data, unless data_dir says otherwise); return path."""
    result = subprocess.run(
        [sys.executable, "-c", TRAIN, str(ROOT), str(path), str(data_dir or ""),
         str(epochs), str(filters), str(int(full))],
        env=run.env, text=True, capture_output=True, timeout=timeout, cwd=Path(path).parent)
    assert result.returncode == 0, result.stderr
    return Path(path)
