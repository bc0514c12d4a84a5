"""Step 5: what does the model get wrong? Its mistakes, and what one of its filters sees.

Run:  python step5.py            (python step5.py --help lists the flags)
It trains nothing: it loads fashion.keras, the convolutional model step 4 saved.
"""
from tutorial_helpers import (CLASS_NAMES, as_grey, draw_images_in_rows, load_fashion_mnist,
                              load_or_remake, log_test_images, logdir, make_parser,
                              print_table, print_verdict, run_folder, save_results)

import numpy as np  # noqa: E402

parser = make_parser(__doc__)
parser.add_argument("--logdir", type=logdir, metavar="DIR",
                    help="also write the mistakes and the confusion matrix under DIR, "
                         "as pictures for TensorBoard")
args = parser.parse_args()

# The test images, as in the steps before: the model never learned from them.
(_, _), (x_test, y_test) = load_fashion_mnist(args.data_dir)

import tensorflow as tf  # noqa: E402

# 1. The model step 4 saved. (Not on this machine? It is made again first: that
#    runs step4.py, which takes a few minutes.)
model = load_or_remake("fashion.keras", args.data_dir)

# 2. Its answers for all 10,000 test images: 10 probabilities each. The largest
#    one is the model's answer, and its size is how confident the model is.
probabilities = model.predict(x_test, batch_size=256, verbose=0)
predicted = probabilities.argmax(axis=1)
confidence = probabilities.max(axis=1)
wrong = np.flatnonzero(predicted != y_test)
test_accuracy = 1 - len(wrong) / len(y_test)
print(f"Test accuracy: {test_accuracy:.4f}. It gets {len(wrong):,} of the "
      f"{len(y_test):,} test images wrong.")
print_verdict(test_accuracy)  # says it if the model is no better than guessing

# 3. The most confident mistakes: the wrong answers, the surest first.
worst = wrong[np.argsort(-confidence[wrong], kind="stable")][:3]
if len(worst):
    print("\nThe mistakes it is surest of:")
    draw_images_in_rows(x_test[worst], [
        [f"Test image {i}", f"Predicted: {CLASS_NAMES[predicted[i]]}",
         f"Confidence: {confidence[i]:.1%}", f"True class: {CLASS_NAMES[y_test[i]]}"]
        for i in worst])
    print("Look at them as a person would: a confident mistake is often a picture that\n"
          "could be either class, or one whose label looks wrong.")

# 4. The confusion matrix counts, for each true class (a row), how often the model
#    predicted each class (a column). The diagonal holds the right answers.
matrix = tf.math.confusion_matrix(y_test, predicted, num_classes=10).numpy()
per_class = matrix.diagonal() / matrix.sum(axis=1).clip(min=1)
print("\nConfusion matrix of the test images: rows are the true classes, columns the")
print("predicted ones (numbered as the rows); Right is each class's accuracy.")
print_table(["True class"] + [str(k) for k in range(10)] + ["Right"],
            [[f"{k} {name}"] + list(matrix[k]) + [f"{per_class[k]:.1%}"]
             for k, name in enumerate(CLASS_NAMES)])
if args.logdir:  # the mistakes and the matrix, as pictures in TensorBoard's Images tab
    log_test_images(run_folder(parser, args, "conv"), x_test, y_test,
                    predicted, confidence, matrix)

# The pair of classes mixed up most often, counting both directions.
mistakes = matrix + matrix.T
np.fill_diagonal(mistakes, 0)
a, b = np.unravel_index(mistakes.argmax(), mistakes.shape)
if matrix[b, a] > matrix[a, b]:
    a, b = b, a  # name first the class that is taken for the other more often
if mistakes[a, b] == 0:
    print("\nThe model confused no two classes: every test image was right.")
    most_confused = None
else:
    most_confused = [CLASS_NAMES[a], CLASS_NAMES[b]]
    print(f"\nMost often confused: {CLASS_NAMES[a]} and {CLASS_NAMES[b]} "
          f"({matrix[a, b]} {CLASS_NAMES[a]} taken for {CLASS_NAMES[b]}, "
          f"{matrix[b, a]} the other way round).")

# 5. What one convolution filter sees. Keras can make a model out of a part of
#    another: from the input to the first Conv2D layer's output. For an image it
#    gives one 28x28 feature map per filter: bright where the filter found its
#    pattern (an edge, a stripe), dark where it did not.
convs = [layer for layer in model.layers if isinstance(layer, tf.keras.layers.Conv2D)]
filter_shown = None
if convs:
    first_conv = convs[0]
    feature_model = tf.keras.Model(model.inputs, first_conv.output)
    image = 0  # the first test image, as in step 2
    maps = feature_model.predict(x_test[image:image + 1], verbose=0)[0]  # 28x28x16
    # The 4 filters that respond the most to this image, in their own order.
    shown = sorted(np.argsort(-maps.mean(axis=(0, 1)), kind="stable")[:4].tolist())
    print(f"\nTest image {image} and what {len(shown)} of the first Conv2D layer's "
          f"{maps.shape[-1]} filters find in it\n(bright: where a filter found its pattern):")
    draw_images_in_rows([x_test[image]] + [as_grey(maps[:, :, k]) for k in shown],
                        [[f"Test image {image}", CLASS_NAMES[y_test[image]]]]
                        + [[f"filter {k}"] for k in shown])
    filter_shown = dict(image=image, layer=first_conv.name, filters=shown)
else:
    print("\nThis model has no Conv2D layer, so it has no filters to show: step 4's\n"
          "convolutional model has.")

# Note what this run measured (the scenario's checks and the benchmark read it).
save_results("step5", test_accuracy=test_accuracy, mistakes=len(wrong),
             most_confused=most_confused, confusion_matrix=matrix.tolist(),
             most_confident_mistakes=[
                 dict(index=int(i), predicted=CLASS_NAMES[predicted[i]],
                      true=CLASS_NAMES[y_test[i]], confidence=float(confidence[i]))
                 for i in worst],
             filter_shown=filter_shown)
