"""Step 3: stop training at the right time.

Run:  python step3.py            (python step3.py --help lists the flags)
"""
from tutorial_helpers import (gap_bar, load_fashion_mnist, logdir, make_parser, positive_int,
                              print_verdict, run_folder, save_results)

parser = make_parser(__doc__, epochs=30, seed=1)  # seed 1: every epoch's row moves
parser.add_argument("--patience", type=positive_int, default=5,
                    help="how many epochs EarlyStopping waits for the validation loss "
                         "to improve before it stops training")
parser.add_argument("--logdir", type=logdir, metavar="DIR",
                    help="also write each epoch's numbers under DIR, for TensorBoard")
args = parser.parse_args()

# The data, as in steps 1 and 2.
(x_train, y_train), (x_test, y_test) = load_fashion_mnist(args.data_dir)

import tensorflow as tf  # noqa: E402

# 1. A validation set: the last tenth of the training images. The model never
#    learns from them; after each epoch Keras measures them, which shows how it
#    does on images it has not seen. The test images wait until the very end.
n_validation = len(x_train) // 10
x_val, y_val = x_train[-n_validation:], y_train[-n_validation:]
x_train, y_train = x_train[:-n_validation], y_train[:-n_validation]
print(f"Training on {len(x_train):,} images; {len(x_val):,} are held out for validation.")

# 2. The model of step 2, compiled as in step 2.
tf.keras.utils.set_random_seed(args.seed)
model = tf.keras.Sequential([
    tf.keras.Input(shape=(28, 28)),
    tf.keras.layers.Rescaling(1 / 255),
    tf.keras.layers.Flatten(),
    tf.keras.layers.Dense(128, activation="relu"),
    tf.keras.layers.Dense(10, activation="softmax"),
])
model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])


# 3. A callback is an object that fit() calls at moments of training, such as the
#    end of each epoch. This one measures the training accuracy as step 2 did, with
#    evaluate(), on as many training images as there are validation images.
class TrainingAccuracy(tf.keras.callbacks.Callback):
    def on_epoch_end(self, epoch, logs=None):
        _, logs["train_accuracy"] = self.model.evaluate(
            x_train[:n_validation], y_train[:n_validation], verbose=0)


# 4. EarlyStopping watches the validation loss after each epoch. When it has not
#    improved for `patience` epochs in a row, it stops training and puts back the
#    weights of the best epoch. epochs is now only the most it may train.
early_stopping = tf.keras.callbacks.EarlyStopping(
    monitor="val_loss", patience=args.patience, restore_best_weights=True, verbose=1)
callbacks = [TrainingAccuracy(), early_stopping]
if args.logdir:  # the TensorBoard callback writes each epoch's numbers there
    callbacks.append(tf.keras.callbacks.TensorBoard(log_dir=run_folder(parser, args, "dense")))
history = model.fit(x_train, y_train, validation_data=(x_val, y_val), epochs=args.epochs,
                    callbacks=callbacks, verbose=2)

# 5. The epochs side by side: T marks the training accuracy, V the validation one.
train, val = history.history["train_accuracy"], history.history["val_accuracy"]
best = early_stopping.best_epoch + 1  # Keras counts epochs from 0, we from 1
print("\nEpoch  Training  Validation     Gap  0.85                      0.95")
for epoch, (t, v) in enumerate(zip(train, val), start=1):
    mark = "  <- best: these weights are kept" if epoch == best else ""
    print(f"{epoch:>5}  {t:>8.4f}  {v:>10.4f}  {t - v:>+7.4f}  {gap_bar(t, v, 0.85, 0.95):30}{mark}"
          .rstrip())

# 6. Only now, the test images: once, with the weights we kept.
test_loss, test_accuracy = model.evaluate(x_test, y_test, verbose=0)
print(f"Test accuracy: {test_accuracy:.4f}")
print_verdict(test_accuracy, loss=test_loss)  # says it if no better than guessing

# Note what this run measured (the scenario's checks and the benchmark read it).
save_results("step3", epochs=args.epochs, seed=args.seed, patience=args.patience,
             trained_epochs=len(history.epoch), stopped_epoch=early_stopping.stopped_epoch,
             best_epoch=best, train_accuracy=train, val_accuracy=val,
             val_loss=history.history["val_loss"], test_accuracy=test_accuracy)
