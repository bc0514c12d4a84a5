"""Photos for step 6: reading them safely, loading the saved model, drawing the answer.

- read_photo(): PNG, JPEG, GIF (first frame) or BMP, decoded by TensorFlow, with
  every way a file can be wrong turned into one line. The size is checked in the
  file's header before anything is decoded (at most MAX_MEGAPIXELS).
- load_model(): the .keras file step4.py saved, checked to take 28x28 images.
- write_png(), write_jpeg(): an image written whole or not at all.
- drawn_photo(): a photo to try that is not a test image: a garment drawn by code.
- draw_side_by_side(), probability_bars(): what the learner sees.
"""
from pathlib import Path

import numpy as np

from .console import fail, quiet_tensorflow, stderr_dropped
from .drawing import image_lines, print_columns, use_color
from .files import written_whole

MAX_MEGAPIXELS = 40     # refuse bigger photos: decoding one would take too much memory
MAX_FILE_MB = 200       # refuse bigger files before reading them
WORKING_SIDE = 1000     # a bigger photo is reduced to this many pixels on its longest edge
FORMATS = "PNG, JPEG, GIF or BMP"


def _tf():
    with quiet_tensorflow():
        import tensorflow as tf
    return tf


# --- what kind of file, and how big, from its first bytes --------------------

def _damaged(shown, kind):
    fail(f"Error: {shown} is a damaged or incomplete {kind} file: TensorFlow cannot "
         "decode it. Copy or download it again.")


def _gif_first_frame(data, shown):
    """(width, height, the GIF cut after its first frame) from the GIF's blocks.

    Cutting it lets TensorFlow's decode_gif decode one frame, not all of them.
    """
    try:
        width, height = int.from_bytes(data[6:8], "little"), int.from_bytes(data[8:10], "little")
        flags, pos = data[10], 13
        if flags & 0x80:  # a global colour table follows
            pos += 3 * 2 ** ((flags & 7) + 1)
        while True:
            block = data[pos]
            if block == 0x21:  # an extension: label, then sub-blocks
                pos += 2
                while data[pos]:
                    pos += data[pos] + 1
                pos += 1
            elif block == 0x2C:  # an image: descriptor, colour table, LZW data
                frame_w = int.from_bytes(data[pos + 5:pos + 7], "little")
                frame_h = int.from_bytes(data[pos + 7:pos + 9], "little")
                flags = data[pos + 9]
                pos += 10
                if flags & 0x80:
                    pos += 3 * 2 ** ((flags & 7) + 1)
                pos += 1  # LZW minimum code size
                while data[pos]:
                    pos += data[pos] + 1
                pos += 1
                return max(width, frame_w), max(height, frame_h), data[:pos] + b";"
            else:  # the trailer (no picture at all) or garbage
                _damaged(shown, "GIF")
    except IndexError:
        _damaged(shown, "GIF")


def _jpeg_orientation(data):
    """The EXIF orientation (1-8) of a JPEG, 1 when it has none.

    Phones often store a portrait photo's pixels sideways and add this tag to say
    how to turn them; TensorFlow's decoder ignores it, so read_photo() turns them.
    """
    pos = 2
    while pos + 4 <= len(data) and data[pos] == 0xFF and data[pos + 1] not in (0xDA, 0xD9):
        length = int.from_bytes(data[pos + 2:pos + 4], "big")
        segment = data[pos + 4:pos + 2 + length]
        if data[pos + 1] == 0xE1 and segment.startswith(b"Exif\0\0"):
            tiff = segment[6:]
            order = "little" if tiff[:2] == b"II" else "big"
            ifd = int.from_bytes(tiff[4:8], order)
            for i in range(int.from_bytes(tiff[ifd:ifd + 2], order)):
                entry = tiff[ifd + 2 + 12 * i: ifd + 14 + 12 * i]
                if len(entry) == 12 and int.from_bytes(entry[:2], order) == 0x0112:
                    value = int.from_bytes(entry[8:10], order)
                    return value if 1 <= value <= 8 else 1
            return 1
        pos += 2 + length
    return 1


def _turned_upright(tf, image, orientation):
    """The decoded pixels turned as the EXIF orientation says."""
    if orientation in (5, 6, 7, 8):
        image = tf.image.transpose(image)  # now 5 is right, 6 needs a left-right flip, ...
    if orientation in (2, 3, 6, 7):
        image = tf.image.flip_left_right(image)
    if orientation in (3, 4, 7, 8):
        image = tf.image.flip_up_down(image)
    return image


def _bmp_colour_table(data):
    """An 8-bit BMP's colours, (256, 3) uint8 RGB; TensorFlow's decoder gives the
    pixels' numbers into this table and leaves looking them up to us."""
    header = int.from_bytes(data[14:18], "little")
    size = 3 if header == 12 else 4  # BGR (OS/2) or BGR and a spare byte
    used = 0 if header == 12 else int.from_bytes(data[46:50], "little")
    start = 14 + header
    table = np.frombuffer(data[start:start + size * (used or 256)], np.uint8)
    table = table[:len(table) // size * size].reshape(-1, size)[:256, 2::-1]  # to RGB
    return np.concatenate([table, np.zeros((256 - len(table), 3), np.uint8)])


def _kind_and_size(data, shown):
    """('png'|'jpeg'|'gif'|'bmp', width, height, data to decode), or a one-line exit."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        if len(data) < 33 or data[12:16] != b"IHDR":
            _damaged(shown, "PNG")
        return ("png", int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big"),
                data)
    if data.startswith(b"\xff\xd8\xff"):
        tf = _tf()
        try:
            with stderr_dropped():
                height, width, _ = tf.io.extract_jpeg_shape(data).numpy()
        except tf.errors.OpError:
            _damaged(shown, "JPEG")
        return "jpeg", int(width), int(height), data
    if data[:6] in (b"GIF87a", b"GIF89a"):
        return ("gif",) + _gif_first_frame(data, shown)
    if data.startswith(b"BM") and len(data) >= 34:
        if int.from_bytes(data[14:18], "little") == 12:  # the old OS/2 header
            width, height = (int.from_bytes(data[18:20], "little"),
                             int.from_bytes(data[20:22], "little"))
            bits, compression = int.from_bytes(data[24:26], "little"), 0
        else:
            width = int.from_bytes(data[18:22], "little", signed=True)
            height = int.from_bytes(data[22:26], "little", signed=True)
            bits = int.from_bytes(data[28:30], "little")
            compression = int.from_bytes(data[30:34], "little")
        if bits not in (8, 24, 32) or compression not in (0, 3):
            what = ("compression" if bits in (8, 24, 32) else
                    f"{bits} bit{'s' if bits != 1 else ''} per pixel")
            fail(f"Error: {shown} is a BMP file with {what}, which TensorFlow's decoder "
                 "cannot read. Save it as PNG or JPEG.")
        return "bmp", abs(width), abs(height), data
    # Not one of the four: say what it looks like, when we can tell.
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        what = "a WebP image"
    elif data[4:8] == b"ftyp" and data[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"avif"):
        what = "a HEIC or AVIF image (the format of many phone cameras)"
    elif data.lstrip()[:1] == b"<":
        what = "a web page or other text (HTML?), not an image"
    elif data and all(32 <= byte < 127 or byte in b"\t\n\r" for byte in data[:4096]):
        what = "text, not an image"
    elif not data:
        what = "empty"
    else:
        what = "not an image TensorFlow can read"
    fail(f"Error: {shown} is {what}. Step 6 reads {FORMATS}: save or convert it as one "
         "of those.")


def read_photo(path):
    """A photo as a float32 array of shape (height, width, 3), values 0..255.

    Grey photos come back with three equal channels; 16-bit ones scaled to 0..255;
    a GIF's first frame; transparent pixels painted with a background colour
    (white under a dark object, black under a light one). A photo bigger than
    WORKING_SIDE pixels is reduced to that on its longest edge (the model sees 28x28
    anyway). Returns (photo, description) such as "640x480 JPEG".
    """
    path = Path(path)
    shown = str(path)
    if not path.exists():
        fail(f"Error: {shown}: no such file. Check the name, or list the folder with  ls")
    if path.is_dir():
        fail(f"Error: {shown} is a folder: give a photo file in it.")
    if not path.is_file():
        fail(f"Error: {shown} is not a regular file: give a photo file.")
    size = path.stat().st_size
    if size > MAX_FILE_MB * 1_000_000:
        fail(f"Error: {shown} is {size / 1e6:.0f} MB: step 6 reads files up to {MAX_FILE_MB} "
             "MB. Make the photo smaller first.")
    try:
        data = path.read_bytes()
    except PermissionError:
        fail(f"Error: cannot read {shown}: permission denied.")
    except OSError as error:
        fail(f"Error: cannot read {shown}: {error.strerror or error}.")

    kind, width, height, data = _kind_and_size(data, shown)
    if width * height > MAX_MEGAPIXELS * 1_000_000:
        fail(f"Error: {shown} is {width}x{height} pixels ({width * height / 1e6:.0f} "
             f"megapixels): step 6 reads photos up to {MAX_MEGAPIXELS} megapixels. "
             "Make it smaller first.")
    if width == 0 or height == 0:
        _damaged(shown, kind.upper())

    tf = _tf()
    try:
        with stderr_dropped():
            if kind == "png":
                bits16 = data[24] == 16  # bit depth, from the PNG header
                image = tf.io.decode_png(data, dtype=tf.uint16 if bits16 else tf.uint8)
            elif kind == "jpeg":
                # libjpeg can decode at 1/2, 1/4 or 1/8 of the size: far less memory.
                ratio = next(r for r in (8, 4, 2, 1) if max(width, height) / r >= WORKING_SIDE
                             or r == 1)
                image = tf.io.decode_jpeg(data, channels=3, ratio=ratio)
                image = _turned_upright(tf, image, _jpeg_orientation(data))
            elif kind == "gif":
                image = tf.io.decode_gif(data)[0]  # the first frame
            else:
                image = tf.io.decode_bmp(data)
                if image.shape[-1] == 1:  # 8 bits a pixel: numbers into a colour table
                    image = tf.gather(_bmp_colour_table(data), tf.cast(image[..., 0], tf.int32))
    except (tf.errors.OpError, IndexError, ValueError):
        _damaged(shown, kind.upper())
    photo = _to_rgb(tf, image)
    return photo, f"{width}x{height} {kind.upper()}"


def _to_rgb(tf, image):
    """float32 (height, width, 3), 0..255, alpha painted over, reduced to WORKING_SIDE."""
    scale = 257.0 if image.dtype == tf.uint16 else 1.0
    # A big image loses most of its pixels by striding first, cheaply, while still
    # integers; the smooth resize below then works on a small float copy.
    step = max(1, max(image.shape[:2]) // (2 * WORKING_SIDE))
    image = tf.cast(image[::step, ::step], tf.float32) / scale
    if max(image.shape[:2]) > WORKING_SIDE:
        image = tf.image.resize(image, _fit(image.shape[:2], WORKING_SIDE), antialias=True)
    channels = image.shape[-1]
    if channels in (2, 4):  # with alpha: transparent is background
        colour, alpha = image[..., :-1], image[..., -1:] / 255.0
        seen = float(tf.reduce_sum(colour * alpha) / (tf.reduce_sum(alpha) * (channels - 1)
                                                       + 1e-6))
        background = 0.0 if seen > 127.5 else 255.0
        image = colour * alpha + background * (1 - alpha)
    if image.shape[-1] == 1:
        image = tf.image.grayscale_to_rgb(image)
    return image.numpy()


def _fit(shape, side):
    """(height, width) scaled so that the longest edge is `side`, at least 1 each."""
    height, width = shape
    scale = side / max(height, width)
    return max(1, round(height * scale)), max(1, round(width * scale))


# --- the model ---------------------------------------------------------------------

def load_model(path):
    """tf.keras.models.load_model(path), checked: the model must take 28x28 images and
    give 10 class probabilities. A model made for (28, 28, 1) inputs is accepted too.
    What comes back takes pixels of 0..255, as step 4's models do."""
    path = Path(path)
    make = "python step4.py"
    if not path.exists():
        fail(f"Error: no model at {path}. Train and save one first:  {make}")
    if path.is_dir():
        fail(f"Error: {path} is a folder, not a model file. Give the file that "
             f"step4.py saved, or make one:  {make}")
    if path.suffix != ".keras":
        fail(f"Error: {path} is not a .keras file. Give the file that step4.py saved, "
             f"or make one:  {make}")
    tf = _tf()
    try:
        with stderr_dropped():
            model = tf.keras.models.load_model(path)
    except PermissionError:
        fail(f"Error: cannot read {path}: permission denied.")
    except Exception:  # Keras raises many kinds for a file that is not a model
        fail(f"Error: {path} is not a Keras model, or a damaged one. Make it again:  {make}")
    inputs = getattr(model, "input_shape", None)
    outputs = getattr(model, "output_shape", None)
    if not (isinstance(inputs, tuple) and tuple(inputs[1:]) in ((28, 28), (28, 28, 1))):
        fail(f"Error: {path} is a model for inputs of shape {inputs}, not for 28x28 images "
             f"like Fashion-MNIST's. Use the model step 4 makes:  {make}")
    if not (isinstance(outputs, tuple) and tuple(outputs[1:]) == (10,)):
        fail(f"Error: {path} gives outputs of shape {outputs}, not the 10 probabilities of "
             f"Fashion-MNIST's classes. Use the model step 4 makes:  {make}")
    front = [tf.keras.Input(shape=(28, 28))]
    layers = getattr(model, "layers", [])
    if not (layers and isinstance(layers[0], tf.keras.layers.Rescaling)):
        # Trained on pixels scaled to 0..1 beforehand (as in step 2, or by an older
        # tutorial's step 3): it gets the scaling step 4's models have as their first layer.
        front.append(tf.keras.layers.Rescaling(1 / 255))
    if tuple(inputs[1:]) == (28, 28, 1):
        front.append(tf.keras.layers.Reshape((28, 28, 1)))
    if len(front) == 1:
        return model
    if isinstance(model, tf.keras.Sequential):
        return _flat_copy(tf, front, model)
    return tf.keras.Sequential(front + [model])


def _flat_copy(tf, front, model):
    """front's layers, then copies of the Sequential model's own layers with its weights:
    one flat model, whose layers (a Conv2D, say) are its own, so that step 5 can make
    a model from its input to any of them, as for a model step 4 saved."""
    copies = [type(layer).from_config(layer.get_config()) for layer in model.layers]
    flat = tf.keras.Sequential(front + copies)
    for copy, layer in zip(copies, model.layers):
        copy.set_weights(layer.get_weights())
    return flat


# --- writing a photo ---------------------------------------------------------------

def write_png(image, path):
    """Write a (height, width, 1 or 3) image, values 0..255, as a PNG, whole or not at all."""
    _write_image(image, path, "png")


def write_jpeg(image, path):
    """Write a (height, width, 3) image, values 0..255, as a JPEG, as a camera would."""
    _write_image(image, path, "jpeg")


def _write_image(image, path, kind):
    tf = _tf()
    path = Path(path)
    image = tf.saturate_cast(tf.round(tf.cast(image, tf.float32)), tf.uint8)
    data = (tf.io.encode_png(image) if kind == "png"
            else tf.io.encode_jpeg(image, quality=90)).numpy()
    try:
        with written_whole(path) as temporary:
            temporary.write_bytes(data)
    except OSError as error:
        fail(f"Error: could not write {path}: {error.strerror or error}.")


# --- a photo to try that is not a test image ----------------------------------------

# Outlines of garments, as (x, y) corners inside a box of 1 by 1, clockwise.
DRAWN = {
    "trousers": dict(colour=(52, 78, 128), height=0.8, aspect=0.55, outline=[
        (0.18, 0.0), (0.82, 0.0), (0.86, 0.08), (0.95, 1.0), (0.6, 1.0), (0.5, 0.3),
        (0.4, 1.0), (0.05, 1.0), (0.14, 0.08)]),
    "bag": dict(colour=(150, 82, 40), height=0.62, aspect=1.15, outline=[
        (0.06, 0.38), (0.3, 0.38), (0.3, 0.06), (0.7, 0.06), (0.7, 0.38), (0.94, 0.38),
        (1.0, 1.0), (0.0, 1.0)], hole=[(0.37, 0.14), (0.63, 0.14), (0.63, 0.38),
                                      (0.37, 0.38)]),
}


def _inside(outline, xs, ys):
    """True for each point (xs, ys) inside the polygon (even-odd rule)."""
    inside = np.zeros(xs.shape, bool)
    for (x1, y1), (x2, y2) in zip(outline, outline[1:] + outline[:1]):
        if y1 == y2:
            continue
        crosses = (ys >= min(y1, y2)) & (ys < max(y1, y2))
        x_at = x1 + (ys - y1) * (x2 - x1) / (y2 - y1)
        inside ^= crosses & (xs < x_at)
    return inside


def _blurred(mask, radius):
    """mask (0..1) averaged over squares of 2 * radius + 1 pixels: soft edges."""
    out = mask.astype(float)
    for axis in (0, 1):
        padded = np.pad(out, [(radius + 1, radius) if a == axis else (0, 0) for a in (0, 1)],
                        mode="edge")
        total = padded.cumsum(axis=axis)
        size = 2 * radius + 1
        out = (np.take(total, range(size, total.shape[axis]), axis=axis)
               - np.take(total, range(0, total.shape[axis] - size), axis=axis)) / size
    return out


def drawn_photo(kind, height=480, width=640, seed=0):
    """A photo of a garment drawn by code, not taken from Fashion-MNIST: DRAWN[kind]
    in its colour on a light table, lit from the top left (a gentle gradient), with
    a soft shadow, a little camera noise and some texture. height x width x 3, 0..255."""
    garment = DRAWN[kind]
    rng = np.random.default_rng(seed)
    ys, xs = np.mgrid[0:height, 0:width].astype(float)
    # The table: warm off-white, a little lighter towards the top left.
    light = 1 - 0.03 * (xs / width + ys / height)
    photo = np.array([236, 232, 224], float) * light[..., None]
    # Where the garment is: its outline in a box centred in the photo.
    box_h = garment["height"] * height
    box_w = box_h * garment["aspect"]
    top, left = (height - box_h) / 2, (width - box_w) / 2
    u, v = (xs - left) / box_w, (ys - top) / box_h
    mask = _inside(garment["outline"], u, v)
    if "hole" in garment:
        mask &= ~_inside(garment["hole"], u, v)
    # Its shadow on the table, down and to the right, soft.
    shadow = _blurred(np.roll(mask, (10, 14), axis=(0, 1)), 12)
    photo *= 1 - 0.06 * shadow[..., None]
    # The garment: its colour, lit from the left, with a woven texture.
    shade = (1.15 - 0.35 * u.clip(0, 1)) * (1 + 0.05 * rng.standard_normal((height, width)))
    cloth = np.array(garment["colour"], float) * shade[..., None]
    edge = _blurred(mask, 1)[..., None]  # anti-aliased outline
    photo = photo * (1 - edge) + cloth * edge
    photo += rng.normal(0, 2.5, photo.shape)  # the camera's noise
    return photo.clip(0, 255)


# --- drawing -----------------------------------------------------------------------

def _thumbnail(photo, side=28):
    """The photo as grey pixels fitting side x side, an even number of rows (two
    rows make one line of text, which keeps the photo's proportions)."""
    tf = _tf()
    height, width = _fit(photo.shape[:2], side)
    height = max(2, height + height % 2)
    small = tf.image.resize(photo, (height, width), antialias=True)
    return tf.image.rgb_to_grayscale(small)[:, :, 0].numpy().clip(0, 255)


def draw_side_by_side(photo, model_input, captions, width=36):
    """Draw the photo (reduced, grey) and the model's 28x28 input next to each other,
    each with its lines of caption below."""
    # A long file name keeps its end, which tells photos apart best.
    captions = [[text if len(text) < width else "..." + text[-(width - 4):] for text in caption]
                for caption in captions]
    print_columns([image_lines(_thumbnail(photo), compact=True),
                   image_lines(np.asarray(model_input), compact=True)],
                  captions, width)


def probability_bars(probabilities, names, top=3, width=30, by_size=True):
    """Lines for the `top` most likely classes (by_size=False: the first `top` classes,
    in class order): name, probability and a bar. A nan probability (a model whose
    training blew up) gets no bar."""
    mark = "\u2588" if use_color() else "#"  # a full block on a terminal, # otherwise
    best = np.argsort(probabilities)[::-1][:top] if by_size else range(top)
    bars = np.nan_to_num(np.asarray(probabilities, float), nan=0.0)
    return [f"  {names[k]:<11}  {probabilities[k]:>6.1%}  {mark * round(bars[k] * width)}"
            .rstrip() for k in best]
