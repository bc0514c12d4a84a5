"""How step 3's convolutional model was chosen: candidates trained the same way, compared.

Run:  python bench/conv_choices.py [--json bench/conv_choices.json]

(Step 3 trained that model before the lessons were split; step4.py trains it now, with
Adam's default, constant learning rate and EarlyStopping: the recipe below is step 3's
then, and the names keep "step 3", as docs/step4-design.md's table does.)

Every candidate trains as step3.py trained its models (seed 42, the same 54,000 /
6,000 split, pixels normalized to 0..1, batch 128, Adam with a cosine-decaying
learning rate from 0.002, steps_per_execution=50), for a fixed number of epochs
and without callbacks, so that only the architecture (and, for two rows, the
recipe) differs. For each one it prints and records: parameters, training seconds,
final training accuracy and validation accuracy (on the 6,000 held-out training
images, as step 3 measures it). The table ranks them by validation accuracy: that
is what the choice is made on. The test images stay unseen while choosing: only
the model step 3 uses (CHOSEN) is tested, once, after all of them have trained.
The "What we tried" table in docs/step4-design.md comes from one run of it.
"""
import argparse
import json
import math
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.run import machine  # noqa: E402
from tutorial_helpers import (load_fashion_mnist, positive_int, print_table,  # noqa: E402
                              quiet_tensorflow)

CHOSEN = "conv 16-32, same padding (step 3)"  # the one candidate that is tested


def candidates(layers):
    """name -> (layers after Reshape, epochs, batch size, learning rate, cosine decay)."""
    def conv(first, second, padding, dropout=True, dense=128):
        stack = [layers.Conv2D(first, 3, padding=padding, activation="relu"),
                 layers.MaxPooling2D(),
                 layers.Conv2D(second, 3, padding=padding, activation="relu"),
                 layers.MaxPooling2D(), layers.Flatten()]
        if dropout:
            stack.append(layers.Dropout(0.3))
        return stack + [layers.Dense(dense, activation="relu")]

    return {
        "dense (step 2's model)": (lambda: [layers.Flatten(), layers.Dense(128, activation="relu")],
                                   10, 128, 0.002, True),
        "conv 32-64, valid padding, no dropout": (lambda: conv(32, 64, "valid", False),
                                                  10, 128, 0.002, True),
        "conv 32-64, valid padding": (lambda: conv(32, 64, "valid"), 10, 128, 0.002, True),
        "conv 16-32, same padding (step 3)": (lambda: conv(16, 32, "same"), 10, 128, 0.002, True),
        "conv 32-32, same padding": (lambda: conv(32, 32, "same"), 10, 128, 0.002, True),
        "conv 32-64, same padding": (lambda: conv(32, 64, "same"), 10, 128, 0.002, True),
        "step 3's model, constant learning rate 0.001": (lambda: conv(16, 32, "same"),
                                                         10, 128, 0.001, False),
        "step 3's model, 5 epochs": (lambda: conv(16, 32, "same"), 5, 128, 0.002, True),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", metavar="PATH", help="also write the results as JSON here")
    parser.add_argument("--data-dir", metavar="DIR", help="folder with the four .gz files")
    parser.add_argument("--only", metavar="N", type=positive_int,
                        help="train only the first N candidates")
    parser.add_argument("--epochs", type=positive_int,
                        help="train every candidate for this many epochs (a quick check)")
    args = parser.parse_args()

    with quiet_tensorflow():
        import tensorflow as tf
    # Each candidate is a new model, so its functions are traced anew: expected
    # here, and not worth TensorFlow's retracing warning.
    tf.get_logger().setLevel("ERROR")
    # The data as step 3 splits it, normalized here once by one TensorFlow graph
    # (step3.py normalizes in each model's first layer, Rescaling(1 / 255): the same
    # 0..1 pixels, but for the last bit of some, and a quarter of the memory).
    (x_train, y_train), (x_test, y_test) = load_fashion_mnist(args.data_dir)
    n_validation = len(x_train) // 10
    x_val, y_val = x_train[-n_validation:], y_train[-n_validation:]
    x_train, y_train = x_train[:-n_validation], y_train[:-n_validation]
    normalize = tf.function(lambda images: tf.cast(images, tf.float32) / 255.0)
    x_train, x_val, x_test = normalize(x_train), normalize(x_val), normalize(x_test)

    report = []
    for name, (make, epochs, batch, rate, cosine) in list(
            candidates(tf.keras.layers).items())[:args.only]:
        epochs = args.epochs or epochs
        tf.keras.utils.set_random_seed(42)
        model = tf.keras.Sequential([tf.keras.Input(shape=(28, 28)),
                                     tf.keras.layers.Reshape((28, 28, 1)), *make(),
                                     tf.keras.layers.Dense(10, activation="softmax")])
        if cosine:
            rate = tf.keras.optimizers.schedules.CosineDecay(
                rate, epochs * math.ceil(len(x_train) / batch))
        model.compile(optimizer=tf.keras.optimizers.Adam(rate),
                      loss="sparse_categorical_crossentropy", metrics=["accuracy"],
                      steps_per_execution=50)
        start = time.perf_counter()
        history = model.fit(x_train, y_train, validation_data=(x_val, y_val),
                            epochs=epochs, batch_size=batch, verbose=0)
        seconds = time.perf_counter() - start
        # The last epoch's validation accuracy: the final weights on the 6,000
        # held-out images (no callback restores other weights).
        result = dict(name=name, params=model.count_params(), epochs=epochs,
                      train_seconds=round(seconds, 1),
                      train_accuracy=round(history.history["accuracy"][-1], 4),
                      val_accuracy=round(history.history["val_accuracy"][-1], 4),
                      test_accuracy=None)
        report.append((result, model))
        print(f"{name}: validation accuracy {result['val_accuracy']:.4f} after {epochs} "
              f"epochs, {seconds:.0f} s", flush=True)

    # Only now, with every candidate trained and compared on the validation images,
    # is the chosen model tested: once.
    for result, model in report:
        if result["name"] == CHOSEN:
            _, test_accuracy = model.evaluate(x_test, y_test, batch_size=500, verbose=0)
            result["test_accuracy"] = round(test_accuracy, 4)
    report = [result for result, _ in report]
    ranked = sorted(report, key=lambda result: -result["val_accuracy"])
    print()
    print_table(["Candidate", "Parameters", "Epochs", "Train s", "Train acc", "Val acc",
                 "Test acc"],
                [[r["name"], f"{r['params']:,}", r["epochs"], f"{r['train_seconds']:.0f}",
                  f"{r['train_accuracy']:.4f}", f"{r['val_accuracy']:.4f}",
                  "-" if r["test_accuracy"] is None else f"{r['test_accuracy']:.4f}"]
                 for r in ranked])
    print(f"Ranked by validation accuracy. Test accuracy: {CHOSEN} only, looked at once, "
          "after choosing.")
    if args.json:
        Path(args.json).write_text(json.dumps(
            {"date": time.strftime("%Y-%m-%d"), "machine": machine(), "candidates": report}, indent=2) + "\n")


if __name__ == "__main__":
    main()
