"""Step 6: use the trained model on your own photo.

Run:  python step6.py PHOTO [PHOTO ...]   (python step6.py --help lists the flags)
No photo at hand?  python step6.py --drawn trousers  writes one to try, drawn-trousers.jpg;
python step6.py --example 0  writes test image 0 as a photo, example-0.png.
"""
import sys

from tutorial_helpers import (CLASS_NAMES, DRAWN, MAX_MEGAPIXELS, draw_side_by_side,
                              drawn_photo, fail, load_fashion_mnist, load_or_remake,
                              make_parser, non_negative_int, print_photo_verdict,
                              probability_bars, read_photo, save_results, write_jpeg,
                              write_png)

import numpy as np  # noqa: E402  (after tutorial_helpers, which checks it is installed)

parser = make_parser(__doc__)
parser.add_argument("photos", nargs="*", metavar="PHOTO",
                    help=f"photos to classify: PNG, JPEG, GIF or BMP, up to "
                         f"{MAX_MEGAPIXELS} megapixels")
parser.add_argument("--model", default="fashion.keras", metavar="FILE.keras",
                    help="the model that step4.py saved (fashion.keras: made again "
                         "by running step4.py when it is missing)")
parser.add_argument("--raw", action="store_true",
                    help="skip the preparation: only make the photo grey and squeeze it "
                         "to 28x28, to see why the preparation matters")
parser.add_argument("--example", type=non_negative_int, metavar="N",
                    help="write test image N as example-N.png, made to look like a "
                         "product photo on white (--data-dir: where the test images are)")
parser.add_argument("--drawn", choices=sorted(DRAWN), metavar="KIND",
                    help="write drawn-KIND.jpg, a photo of a garment drawn by code, not "
                         f"a test image: {' or '.join(sorted(DRAWN))}")
args = parser.parse_args()
if not args.photos and args.example is None and args.drawn is None:
    parser.error("give one or more photos, or --drawn KIND or --example N to make one")

import tensorflow as tf  # noqa: E402

# Fashion-MNIST's images are not photos. Zalando made each one from a product
# photo: trimmed to the object, its longest edge resized to 28 pixels, centred
# on a 28x28 canvas, negated (a light object on black) and made grey (Xiao,
# Rasul and Vollgraf, 2017). The model has only ever seen images made that way,
# so a photo must be prepared the same way before the model can make sense of it.

# 0. No photo at hand? A garment drawn by code (tutorial_helpers/photos.py): an
#    outline in colour on a light table, with light, shadow and a camera's noise.
if args.drawn:
    name = f"drawn-{args.drawn}.jpg"
    write_jpeg(drawn_photo(args.drawn), name)
    print(f"Wrote {name}: {args.drawn} drawn by code, a 640x480 photo on a table.")
    if not args.photos and args.example is None:
        print(f"Now ask the model what it is:  python step6.py {name}")
        sys.exit()

#    Or make one from a test image by undoing that preparation:
#    ten times bigger (each pixel a 10x10 square), negated (a dark object on
#    white), with a white margin.
if args.example is not None:
    (_, _), (x_test, y_test) = load_fashion_mnist(args.data_dir)
    if args.example >= len(x_test):
        parser.error(f"--example must be below {len(x_test)}, the number of test images")
    image = x_test[args.example][:, :, np.newaxis]                 # 28x28x1, 0..255
    photo = tf.image.resize(image, (280, 280), method="nearest")   # 280x280
    photo = 255 - photo                                             # dark on white
    photo = tf.pad(photo, [[40, 40], [40, 40], [0, 0]], constant_values=255)  # 360x360
    name = f"example-{args.example}.png"
    write_png(photo, name)
    label = CLASS_NAMES[y_test[args.example]]
    print(f"Wrote {name}: test image {args.example} ({label}) as a 360x360 photo on white.")
    if not args.photos:
        print(f"Now ask the model what it is:  python step6.py {name}")
        sys.exit()


# 1. The preparation, stage by stage. photo is height x width x 3 colours
#    (red, green, blue), each 0..255; what comes out is what the model expects.
def prepare(photo, name):
    # a. To grey: one brightness per pixel, from 0 (black) to 255 (white).
    grey = tf.image.rgb_to_grayscale(photo)[:, :, 0].numpy()

    # b. Find the background: the usual brightness of the pixels along the border.
    border = np.concatenate([grey[0], grey[-1], grey[:, 0], grey[:, -1]])
    background = np.median(border)
    #    Fashion-MNIST's objects are light on black. A photo on a light background,
    #    as product photos are, is negated: 255 - brightness turns light into dark.
    if background > 127.5:
        grey, background = 255 - grey, 255 - background
    #    Make the background black: subtract its brightness, then stretch what is
    #    left back over 0..255.
    grey = np.clip(grey - background, 0, None) * 255 / (255 - background)

    # c. Trim to the object: keep the rows and columns that hold pixels clearly
    #    brighter than the background (by more than 20 out of 255).
    is_object = grey > 20
    if not is_object.any():
        fail(f"Error: {name} is all background: there is nothing in it to classify.")
    rows = np.flatnonzero(is_object.any(axis=1))
    columns = np.flatnonzero(is_object.any(axis=0))
    grey = grey[rows[0]:rows[-1] + 1, columns[0]:columns[-1] + 1]

    # d. Resize it so that its longest edge is 28 pixels, keeping its proportions.
    #    method="area": each new pixel is the average of the pixels it covers.
    height, width = grey.shape
    scale = 28 / max(height, width)
    size = (max(1, round(height * scale)), max(1, round(width * scale)))
    small = tf.image.resize(grey[:, :, np.newaxis], size, method="area")

    # e. Centre it on a 28x28 black canvas (0 all round). When the margins cannot
    #    be equal, the extra pixel goes before the object, as in Fashion-MNIST.
    top, left = (29 - size[0]) // 2, (29 - size[1]) // 2
    canvas = tf.image.pad_to_bounding_box(small, top, left, 28, 28)

    # That is all: the pixels stay 0..255, as in Fashion-MNIST. The model scales
    # them to 0..1 itself, with its first layer (Rescaling), as it did in training.
    return canvas[:, :, 0].numpy()


def prepare_raw(photo):
    """--raw: only what the model's input shape demands: grey, squeezed to 28x28."""
    grey = tf.image.rgb_to_grayscale(photo)
    return tf.image.resize(grey, (28, 28), method="area")[:, :, 0].numpy()


# 2. Read each photo and prepare it. read_photo() decodes PNG, JPEG, GIF and BMP
#    files with TensorFlow's own decoders (tf.io.decode_png and the like), and
#    turns colour, grey, 16-bit and transparent pictures alike into height x
#    width x 3 colours, 0..255. It refuses, in one line, what it cannot read.
photos = [read_photo(path) for path in args.photos]  # (photo, "640x480 JPEG") pairs
inputs = [prepare_raw(photo) if args.raw else prepare(photo, path)
          for path, (photo, _) in zip(args.photos, photos)]

# 3. The model that step4.py saved. load_or_remake() calls
#    tf.keras.models.load_model(FILE) and checks that the model takes 28x28 images
#    (a model trained on pixels already scaled to 0..1 gets a Rescaling layer too).
#    No fashion.keras on this machine? It runs step4.py to make it again first.
model = load_or_remake(args.model, args.data_dir)

# 4. Ask the model. predict() takes a batch of images and gives 10 probabilities
#    for each one; here the batch holds one image.
answers = []
for path, (photo, description), model_input in zip(args.photos, photos, inputs):
    probabilities = model.predict(model_input[np.newaxis], verbose=0)[0]
    ranked = np.argsort(probabilities)[::-1]  # the classes, most likely first
    best = ranked[0]
    print()
    draw_side_by_side(photo, model_input, [
        [path, description],
        ["What the model sees", "28x28, --raw" if args.raw else "28x28, prepared"]])
    print()
    print(f"The model says: {CLASS_NAMES[best]} ({probabilities[best]:.1%} sure)")
    print("\n".join(probability_bars(probabilities, CLASS_NAMES, top=3)))
    # Softmax always picks some class, even for a photo of a cat. A top
    # probability under one half says that no class fits well; about 1 in 10
    # for each class, that the model cannot tell them apart at all.
    print_photo_verdict(probabilities[best])
    answers.append(dict(photo=path, predicted=CLASS_NAMES[best], label=int(best),
                        probability=float(probabilities[best]),
                        top3=[dict(name=CLASS_NAMES[k], probability=float(probabilities[k]))
                              for k in ranked[:3]],
                        model_input=np.round(model_input).astype(int).tolist()))

if args.raw:
    print("\n--raw: the photo was only made grey and squeezed to 28x28. Run the same\n"
          "command without --raw to see it prepared the Fashion-MNIST way, and compare.")

# Note what was predicted (the scenario's check reads it).
save_results("step6", model=str(args.model), raw=args.raw, photos=answers)
