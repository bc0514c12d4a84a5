"""Step 1: load Fashion-MNIST and look at it.

Run:  python step1.py            (python step1.py --help lists the flags)
"""
from tutorial_helpers import (CLASS_NAMES, draw_image, load_fashion_mnist,
                              make_parser, non_negative_int, save_results)

parser = make_parser(__doc__)
parser.add_argument("--index", type=non_negative_int, default=0,
                    help="which training image to draw")
args = parser.parse_args()

# Fashion-MNIST: 70,000 small grayscale photos of clothes, 28x28 pixels each,
# in 10 classes. Keras ships a loader for it, tf.keras.datasets.fashion_mnist.load_data(),
# which keeps the files in ~/.keras/datasets/fashion-mnist. load_fashion_mnist()
# gives the same arrays without starting TensorFlow, which this step does not need:
# it reads Keras's files, or a copy elsewhere on this machine so that it also works
# offline, checks them, and downloads them to Keras's folder only if there is none.
# It returns NumPy arrays: images and their labels, split into a training set
# (to learn from) and a test set (kept aside to check the model).
(x_train, y_train), (x_test, y_test) = load_fashion_mnist(args.data_dir)
if args.index >= len(x_train):
    parser.error(f"--index must be below {len(x_train)}, the number of training images")

# 1. Shapes: how many images, and how big each one is.
print()
print(f"Training images: {x_train.shape} {x_train.dtype}")
print(f"Training labels: {y_train.shape} {y_train.dtype}")
print(f"Test images:     {x_test.shape} {x_test.dtype}")
print(f"Test labels:     {y_test.shape} {y_test.dtype}")
print(f"Pixel values run from {x_train.min()} (black) to {x_train.max()} (white).")

# 2. Classes: a label is a number 0-9; CLASS_NAMES says what it stands for.
print()
print("Label  Class        Training images")
for label, name in enumerate(CLASS_NAMES):
    count = (y_train == label).sum()
    print(f"{label:>5}  {name:<11}  {count:>15,}")

# 3. One image, drawn with one character cell per pixel brightness.
label = y_train[args.index]
print()
print(f"Training image {args.index}: label {label} = {CLASS_NAMES[label]}")
draw_image(x_train[args.index])

# 4. Normalize: neural networks learn best from small numbers, so scale the
#    pixels from 0..255 down to 0..1, as 32-bit floats (what TensorFlow computes with).
x_train_norm = x_train.astype("float32") / 255.0
x_test_norm = x_test.astype("float32") / 255.0
print()
print(f"Before: {x_train.dtype}, from {x_train.min()} to {x_train.max()}")
print(f"After:  {x_train_norm.dtype}, from {x_train_norm.min()} to {x_train_norm.max()}")

# Note that this step ran to its end (the scenario checks for it).
save_results("step1", image_index=args.index, label=int(label),
             training_images=len(x_train), test_images=len(x_test))
