"""check.py on files in the styles learners bring from elsewhere, each written here.

The seed's own code, the TensorFlow tutorial's, a course lab's, a textbook's, a
slicing one, the functional API, a Softmax layer, the keras-io convnet, `acc` as the
metric's name, and a callback kept in a module of the learner's own: each correct
file passes with every item ticked. Each planted mistake gets its message, and no ✓
for the item it spoils. The files get data of the real sizes (60,000 and 10,000
images), as a learner's do: the real data when it is here, otherwise generated.
"""
import gzip
import re
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from conftest import CHECK_TIME_LIMIT, HANG_S, Runner, real_data_dir
from fake_data import NAMES, idx_bytes
from test_check2 import assert_clean, assert_true_marks

LOAD = "(x_train, y_train), (x_test, y_test) = tf.keras.datasets.fashion_mnist.load_data()\n"

STYLES = {
    # The seed: no Input, tf.nn.relu and tf.nn.softmax, tf.optimizers.Adam().
    "seed": ("2", """import tensorflow as tf

mnist = tf.keras.datasets.fashion_mnist
(training_images, training_labels), (test_images, test_labels) = mnist.load_data()
training_images = training_images / 255.0
test_images = test_images / 255.0

model = tf.keras.models.Sequential([
    tf.keras.layers.Flatten(),
    tf.keras.layers.Dense(128, activation=tf.nn.relu),
    tf.keras.layers.Dense(10, activation=tf.nn.softmax)])
model.compile(optimizer=tf.optimizers.Adam(),
              loss='sparse_categorical_crossentropy', metrics=['accuracy'])
model.fit(training_images, training_labels, epochs=5)
model.evaluate(test_images, test_labels)
"""),
    # The TensorFlow tutorial's way: keras imported from tensorflow, logits, 10 epochs.
    "tf-tutorial": ("2", """import tensorflow as tf
from tensorflow import keras

fashion_mnist = keras.datasets.fashion_mnist
(train_images, train_labels), (test_images, test_labels) = fashion_mnist.load_data()
train_images, test_images = train_images / 255.0, test_images / 255.0

model = keras.Sequential([
    keras.layers.Flatten(input_shape=(28, 28)),
    keras.layers.Dense(128, activation='relu'),
    keras.layers.Dense(10)
])
model.compile(optimizer='adam',
              loss=tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True),
              metrics=['accuracy'])
model.fit(train_images, train_labels, epochs=10)
test_loss, test_acc = model.evaluate(test_images, test_labels, verbose=2)
print('Test accuracy:', test_acc)
"""),
    # A course lab: a callback on the training accuracy, in step 2's context.
    "course-lab": ("2", """import tensorflow as tf


class GoodEnough(tf.keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs={}):
        if logs.get('accuracy') > 0.95:
            print("Reached 95% accuracy, stopping")
            self.model.stop_training = True


""" + LOAD + """x_train, x_test = x_train / 255.0, x_test / 255.0
model = tf.keras.models.Sequential([
    tf.keras.layers.Flatten(input_shape=(28, 28)),
    tf.keras.layers.Dense(512, activation=tf.nn.relu),
    tf.keras.layers.Dense(10, activation=tf.nn.softmax)])
model.compile(optimizer=tf.optimizers.Adam(), loss='sparse_categorical_crossentropy',
              metrics=['accuracy'])
model.fit(x_train, y_train, epochs=5, callbacks=[GoodEnough()])
print(model.evaluate(x_test, y_test))
"""),
    # A textbook's: rows of 784, one-hot labels, rmsprop, batches of 128.
    "textbook": ("2", """import tensorflow as tf
from tensorflow.keras import layers, models
from tensorflow.keras.utils import to_categorical

""" + LOAD + """x_train = x_train.reshape((60000, 28 * 28)).astype('float32') / 255
x_test = x_test.reshape((10000, 28 * 28)).astype('float32') / 255
y_train = to_categorical(y_train)
y_test = to_categorical(y_test)

network = models.Sequential()
network.add(layers.Dense(512, activation='relu', input_shape=(28 * 28,)))
network.add(layers.Dense(10, activation='softmax'))
network.compile(optimizer='rmsprop', loss='categorical_crossentropy', metrics=['accuracy'])
network.fit(x_train, y_train, epochs=5, batch_size=128)
test_loss, test_acc = network.evaluate(x_test, y_test)
print('test_acc:', test_acc)
"""),
    # A validation set sliced off by hand, and plain SGD.
    "slicing": ("2", """import tensorflow as tf

""" + LOAD + """x_train = x_train / 255.0
x_test = x_test / 255.0
x_val, x_train = x_train[:5000], x_train[5000:]
y_val, y_train = y_train[:5000], y_train[5000:]
model = tf.keras.Sequential([tf.keras.layers.Flatten(input_shape=[28, 28]),
                             tf.keras.layers.Dense(300, activation="relu"),
                             tf.keras.layers.Dense(100, activation="relu"),
                             tf.keras.layers.Dense(10, activation="softmax")])
model.compile(loss="sparse_categorical_crossentropy", optimizer="sgd", metrics=["accuracy"])
history = model.fit(x_train, y_train, epochs=5, validation_data=(x_val, y_val))
model.evaluate(x_test, y_test)
"""),
    # The functional API, and the metric called "acc".
    "functional": ("2", """import keras
from keras import layers

(x_train, y_train), (x_test, y_test) = keras.datasets.fashion_mnist.load_data()
x_train = x_train.astype("float32") / 255
x_test = x_test.astype("float32") / 255
inputs = keras.Input(shape=(28, 28))
x = layers.Flatten()(inputs)
x = layers.Dense(128, activation="relu")(x)
outputs = layers.Dense(10, activation="softmax")(x)
model = keras.Model(inputs=inputs, outputs=outputs)
model.compile(optimizer=keras.optimizers.Adam(), loss="sparse_categorical_crossentropy",
              metrics=["acc"])
model.fit(x_train, y_train, batch_size=64, epochs=5)
loss, acc = model.evaluate(x_test, y_test)
"""),
    # Linear scores and a Softmax layer after them.
    "softmax-layer": ("2", """import tensorflow as tf

""" + LOAD + """x_train, x_test = x_train / 255.0, x_test / 255.0
model = tf.keras.Sequential([tf.keras.Input((28, 28)), tf.keras.layers.Flatten(),
                             tf.keras.layers.Dense(128), tf.keras.layers.ReLU(),
                             tf.keras.layers.Dense(10), tf.keras.layers.Softmax()])
model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
model.fit(x_train, y_train, epochs=5)
model.evaluate(x_test, y_test)
"""),
    # The keras-io convnet: a channel axis by expand_dims, one-hot labels,
    # validation_split, and a callback of the learner's.
    "keras-io-convnet": ("3", """import numpy as np
import keras
from keras import layers


class StopWhenGood(keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        if logs["val_accuracy"] >= 0.9:
            self.model.stop_training = True


(x_train, y_train), (x_test, y_test) = keras.datasets.fashion_mnist.load_data()
x_train = np.expand_dims(x_train.astype("float32") / 255, -1)
x_test = np.expand_dims(x_test.astype("float32") / 255, -1)
y_train = keras.utils.to_categorical(y_train, 10)
y_test = keras.utils.to_categorical(y_test, 10)
model = keras.Sequential([
    keras.Input(shape=(28, 28, 1)),
    layers.Conv2D(32, kernel_size=(3, 3), activation="relu"),
    layers.MaxPooling2D(pool_size=(2, 2)),
    layers.Conv2D(64, kernel_size=(3, 3), activation="relu"),
    layers.MaxPooling2D(pool_size=(2, 2)),
    layers.Flatten(),
    layers.Dropout(0.5),
    layers.Dense(10, activation="softmax"),
])
model.compile(loss="categorical_crossentropy", optimizer="adam", metrics=["accuracy"])
model.fit(x_train, y_train, batch_size=128, epochs=15, validation_split=0.1,
          callbacks=[StopWhenGood()])
score = model.evaluate(x_test, y_test, verbose=0)
print("Test accuracy:", score[1])
"""),
    # metrics=["acc"]: the logs say val_acc, and the callback reads that.
    "acc-names": ("3", """import tensorflow as tf


class StopAt(tf.keras.callbacks.Callback):
    def __init__(self, target):
        super().__init__()
        self.target = target

    def on_epoch_end(self, epoch, logs=None):
        if logs["val_acc"] >= self.target:
            self.model.stop_training = True


""" + LOAD + """x_train, x_test = x_train / 255.0, x_test / 255.0
x_train, x_val = x_train[:54000], x_train[54000:]
y_train, y_val = y_train[:54000], y_train[54000:]
model = tf.keras.Sequential([
    tf.keras.Input(shape=(28, 28)),
    tf.keras.layers.Reshape((28, 28, 1)),
    tf.keras.layers.Conv2D(16, 3, activation="relu"),
    tf.keras.layers.MaxPooling2D(),
    tf.keras.layers.Flatten(),
    tf.keras.layers.Dense(64, activation="relu"),
    tf.keras.layers.Dense(10, activation="softmax")])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["acc"])
model.fit(x_train, y_train, validation_data=(x_val, y_val), epochs=10,
          callbacks=[StopAt(0.9)])
print(model.evaluate(x_test, y_test))
"""),
    # The callback lives in the learner's own module beside the file.
    "own-module": ("3", """import tensorflow as tf
from mycallbacks import StopWhenGood

""" + LOAD + """x_train, x_test = x_train / 255.0, x_test / 255.0
model = tf.keras.Sequential([
    tf.keras.Input(shape=(28, 28, 1)),
    tf.keras.layers.Conv2D(16, 3, activation="relu"),
    tf.keras.layers.MaxPooling2D(),
    tf.keras.layers.Flatten(),
    tf.keras.layers.Dense(10, activation="softmax")])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
model.fit(x_train[..., None], y_train, validation_split=0.1, epochs=10,
          callbacks=[StopWhenGood(0.9)])
model.evaluate(x_test[..., None], y_test)
"""),
}
OWN_MODULE = """import tensorflow as tf


class StopWhenGood(tf.keras.callbacks.Callback):
    def __init__(self, target):
        super().__init__()
        self.target = target

    def on_epoch_end(self, epoch, logs=None):
        if logs["val_accuracy"] >= self.target:
            self.model.stop_training = True
"""

# The keras-io convnet before its callback, fed images with no channel axis.
CONVNET_TAIL = STYLES["keras-io-convnet"][1][STYLES["keras-io-convnet"][1].index("\n\nclass "):]
NO_CHANNEL_NO_CALLBACK = "\n\n" + CONVNET_TAIL[CONVNET_TAIL.index("(x_train, y_train)"):].replace(
    'np.expand_dims(x_train.astype("float32") / 255, -1)', 'x_train.astype("float32") / 255').replace(
    'np.expand_dims(x_test.astype("float32") / 255, -1)', 'x_test.astype("float32") / 255').replace(
    "keras.Input(shape=(28, 28, 1))", "keras.Input(shape=(28, 28))").replace(
    ",\n          callbacks=[StopWhenGood()])", ")")

# name: (style, what it says, the slip, the mistake, words its message must have)
PLANTS = {
    "seed-unscaled": ("seed", "training_images = training_images / 255.0\n", "",
                      "not-normalized", "not normalized"),
    "seed-sigmoid": ("seed", "Dense(10, activation=tf.nn.softmax)",
                     "Dense(10, activation=tf.nn.sigmoid)", "not-softmax",
                     "activation is sigmoid, not softmax"),
    "tutorial-logits-without-from-logits": (
        "tf-tutorial", "tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)",
        "tf.keras.losses.SparseCategoricalCrossentropy()", "not-softmax",
        "its scores stay raw: logits"),
    "textbook-sparse-loss": ("textbook", "loss='categorical_crossentropy'",
                             "loss='sparse_categorical_crossentropy'", "sparse-loss-one-hot",
                             "one-hot, as to_categorical() makes them"),
    "seed-categorical-loss": ("seed", "loss='sparse_categorical_crossentropy'",
                              "loss='categorical_crossentropy'", "categorical-loss",
                              "plain class numbers 0-9"),
    "seed-labels-scaled": ("seed", "test_images = test_images / 255.0\n",
                           "test_images = test_images / 255.0\n"
                           "training_labels = training_labels / 255\n", "labels-changed",
                           "not the ten class numbers"),
    "slicing-nothing-left": ("slicing", "x_val, x_train = x_train[:5000], x_train[5000:]",
                             "x_val, x_train = x_train[:5000], x_train[60000:]",
                             "no-images", "fit() gets 0 images"),
    "seed-misspelt-loss": ("seed", "'sparse_categorical_crossentropy'",
                           "'sparese_categorical_crossentropy'", "misspelt",
                           "(did you mean `sparse_categorical_crossentropy`?)"),
    "seed-epoch-keyword": ("seed", "epochs=5", "epoch=5", "misspelt-keyword",
                           "(did you mean `epochs=`?)"),
    "seed-tf1-optimizer": ("seed", "tf.optimizers.Adam()", "tf.train.AdamOptimizer()",
                           "tf1-name", "tf.keras.optimizers.Adam()"),
    "seed-oprimizer": ("seed", "model.compile(optimizer=", "model.compile(oprimizer=",
                       "misspelt-keyword", "(did you mean `optimizer=`?)"),
    "convnet-watches-training": ("keras-io-convnet", 'logs["val_accuracy"] >= 0.9',
                                 'logs["accuracy"] >= 0.9', "callback-watches-training",
                                 "*training* accuracy"),
    # Pixels divided by 255 twice, and a softmax on the hidden layer: no error, a model
    # that learns much worse, well above chance: never ticked.
    "seed-divided-twice": ("seed", "training_images = training_images / 255.0\n",
                           "training_images = training_images / 255.0 / 255.0\n",
                           "divided-twice", "your file divides the images by 255 and then by "
                           "255 again"),
    "textbook-divided-twice": ("textbook", "astype('float32') / 255\nx_test",
                               "astype('float32') / 255 / 255\nx_test", "divided-twice",
                               "from 0 to 0.0039, not from 0 to 1"),
    "seed-hidden-softmax": ("seed", "Dense(128, activation=tf.nn.relu)",
                            "Dense(128, activation=tf.nn.softmax)", "hidden-softmax",
                            "Your hidden layer, Dense(128), has softmax as its activation"),
    "textbook-hidden-softmax": ("textbook", "Dense(512, activation='relu'",
                                "Dense(512, activation='softmax'", "hidden-softmax",
                                "Dense(512), has softmax as its activation, not ReLU"),
    "seed-one-neuron": ("seed", "Dense(10, activation=tf.nn.softmax)",
                        "Dense(1, activation=tf.nn.softmax)", "wrong-units",
                        "Your last layer has 1 neuron, but there are 10 classes"),
    # No callback yet, and a model on images without their channel axis: Keras's error
    # is shown at the model, the callback is still to write.
    "convnet-no-channel-no-callback-yet": ("keras-io-convnet", CONVNET_TAIL,
                                           NO_CHANNEL_NO_CALLBACK, "conv-no-channel",
                                           "no channel axis"),
}
# No evaluate() yet, and fit() validates on the test images: not written yet, said truly.
EVALUATE_NOT_YET = {
    "seed-validates-on-test": ("seed", "epochs=5)\nmodel.evaluate(test_images, test_labels)\n",
                               "epochs=5, validation_data=(test_images, test_labels))\n"),
    "textbook-validates-on-test": (
        "textbook", "batch_size=128)\ntest_loss, test_acc = network.evaluate(x_test, y_test)\n"
        "print('test_acc:', test_acc)\n", "batch_size=128, validation_data=(x_test, y_test))\n"),
}


def full_size_dataset(folder, seed=0):
    """60,000 and 10,000 generated images (class k a bright band at rows 2k+4..2k+5)."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    for split, n in (("train", 60000), ("test", 10000)):
        labels = (np.arange(n) % 10).astype(np.uint8)
        rng.shuffle(labels)
        images = rng.integers(0, 60, size=(n, 28, 28), dtype=np.uint8)
        rows = np.arange(28)[None, :] - (2 * labels[:, None] + 4)
        band = (rows >= 0) & (rows < 2)
        images[:, :, 4:24][band] = 255
        for key, array in ((f"{split}_images", images), (f"{split}_labels", labels)):
            with gzip.open(folder / NAMES[key], "wb", compresslevel=1) as out:
                out.write(idx_bytes(array))


@pytest.fixture(scope="module")
def checked(tmp_path_factory):
    """{name: check.py's result} for every style and every plant, two at a time."""
    folder = tmp_path_factory.mktemp("styles")
    run = Runner(folder)
    real = real_data_dir()
    if real:
        run.cache.mkdir(parents=True)
        for name in NAMES.values():
            (run.cache / name).symlink_to(real / name)
    else:
        full_size_dataset(run.cache)
    jobs = {}
    for name, (step, text) in STYLES.items():
        jobs[name] = (step, text)
    for name, (style, old, new, *_) in {**PLANTS, **EVALUATE_NOT_YET}.items():
        step, text = STYLES[style]
        assert old in text, f"{name}: {style} no longer holds {old!r}"
        jobs[name] = (step, text.replace(old, new, 1))
    paths = {}
    for name, (step, text) in jobs.items():
        (folder / name).mkdir()
        paths[name] = folder / name / "mine.py"
        paths[name].write_text(text)
        (folder / name / "mycallbacks.py").write_text(OWN_MODULE)
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = pool.map(lambda n: run("check.py", jobs[n][0], "--file", paths[n],
                                         "--time-limit", CHECK_TIME_LIMIT, timeout=HANG_S),
                           jobs)
        return dict(zip(jobs, results))


@pytest.mark.parametrize("name", STYLES)
def test_each_correct_style_passes_with_every_item_ticked(name, checked):
    result = checked[name]
    assert_clean(result)
    assert result.returncode == 0 and "All done" in result.stdout, result.stdout
    assert "Mistake" not in result.stdout and "✗" not in result.stdout
    assert "(not checked yet)" not in result.stdout
    assert result.stdout.count("  ✓ ") == 5


def test_ten_epochs_is_a_note_not_a_mistake(checked):
    out = re.sub(r"\s+", " ", checked["tf-tutorial"].stdout)
    assert "Note: your fit() trains for 10 epochs; the page uses 5." in out
    assert "10 take about 2 times as long as 5" in out


@pytest.mark.parametrize("name", PLANTS)
def test_each_planted_mistake_gets_its_message_and_no_false_tick(name, checked):
    style, _, _, mistake, words = PLANTS[name]
    result = checked[name]
    assert_clean(result)
    assert result.returncode == 1
    assert f"Mistake [{mistake}]:" in result.stdout, result.stdout
    assert words in re.sub(r"\s+", " ", result.stdout), result.stdout
    assert_true_marks(STYLES[style][0], mistake, result.stdout)


def test_the_convnets_error_is_shown_though_its_callback_is_not_written_yet(checked):
    assert "StopWhenGood" not in NO_CHANNEL_NO_CALLBACK and "expand_dims" not in \
        NO_CHANNEL_NO_CALLBACK and "(28, 28, 1)" not in NO_CHANNEL_NO_CALLBACK
    out = checked["convnet-no-channel-no-callback-yet"].stdout
    assert "  · your callback: stops at a validation accuracy   (not written yet)\n" \
           "  ✗ the convolutional model\n" in out, out
    assert re.search(r"^Your file stopped at line \d+ with ValueError: .*expected min_ndim=4, "
                     r"found ndim=3", out, re.M), out
    assert "Then, not in your file yet: your callback, StopAtAccuracy" in out


@pytest.mark.parametrize("name", EVALUATE_NOT_YET)
def test_no_evaluate_is_not_yet_and_validating_on_the_test_images_is_said(name, checked):
    result = checked[name]
    out = re.sub(r"\s+", " ", result.stdout)
    assert_clean(result)
    assert result.returncode == 1 and "Mistake" not in out and "✗" not in out, result.stdout
    assert "· evaluate() on the test images: an accuracy above chance (not written yet)" in out
    assert result.stdout.count("  ✓ ") == 4
    assert "Your fit() already measures the model on the test images after each epoch" in out
    assert "nothing has tested" not in out and "never calls evaluate()" not in out
    assert "Next, not in your file yet: evaluate() and the two accuracies" in out
