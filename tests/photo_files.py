"""Picture files for step 4's tests, generated here: nothing is downloaded or committed.

PNG and JPEG come from TensorFlow's encoders (run in a subprocess, so that the test
process never imports TensorFlow); GIF and BMP, which TensorFlow cannot write, are
written byte by byte below. Also: a tiny Keras model file of any input shape.
"""
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

from conftest import HANG_S

ENCODE = r"""
import json, sys
import numpy as np
import tensorflow as tf
jobs = json.loads(sys.argv[1])
for job in jobs:
    image = np.load(job["array"])
    if job["kind"] == "jpeg":
        data = tf.io.encode_jpeg(image, quality=95)
    else:
        data = tf.io.encode_png(image)
    tf.io.write_file(job["path"], data)
"""

MODEL = r"""
import sys
import keras
shape = tuple(int(n) for n in sys.argv[2].split(","))
layers = [keras.Input(shape=shape), keras.layers.Flatten()]
bias = [float(b) for b in sys.argv[4].split(",")] if sys.argv[4] else "zeros"
layers += [keras.layers.Dense(int(sys.argv[3]), activation="softmax",
                              kernel_initializer="zeros",
                              bias_initializer=keras.initializers.Constant(bias)
                              if bias != "zeros" else "zeros")]
model = keras.Sequential(layers)
model.save(sys.argv[1])
"""


def _quiet_env(tmp):
    return dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3", KERAS_HOME=str(tmp), HOME=str(tmp))


def encode(files, tmp):
    """Write {path: (kind, uint8/uint16 array)} with TensorFlow's encoders, in one process."""
    jobs = []
    for i, (path, (kind, array)) in enumerate(files.items()):
        array_path = Path(tmp) / f"array-{i}.npy"
        np.save(array_path, array)
        jobs.append(dict(path=str(path), kind=kind, array=str(array_path)))
    result = subprocess.run([sys.executable, "-c", ENCODE, json.dumps(jobs)],
                            capture_output=True, text=True, env=_quiet_env(tmp), timeout=HANG_S)
    assert result.returncode == 0, result.stderr


def tiny_model(path, shape=(28, 28), classes=10, bias=None):
    """Save a Keras model that takes `shape` and gives `classes` probabilities, all
    weights 0: whatever it is shown, each class gets 1 / classes (or, given a bias
    per class, softmax of those)."""
    result = subprocess.run(
        [sys.executable, "-c", MODEL, str(path), ",".join(map(str, shape)), str(classes),
         ",".join(map(str, bias or []))],
        capture_output=True, text=True, env=_quiet_env(Path(path).parent), timeout=HANG_S)
    assert result.returncode == 0, result.stderr
    return path


def gif_bytes(frames):
    """A GIF of grey frames (lists of equal-sized 2-D uint8 arrays), 256 grey levels.

    The LZW data uses 9-bit codes only: each pixel is a literal code and a clear
    code comes every 254 pixels, before the code table would need a tenth bit.
    """
    height, width = frames[0].shape
    palette = bytes(v for level in range(256) for v in (level, level, level))
    out = bytearray(b"GIF89a" + width.to_bytes(2, "little") + height.to_bytes(2, "little")
                    + bytes([0xF7, 0, 0]) + palette)
    for frame in frames:
        out += b"\x21\xf9\x04\x00\x0a\x00\x00\x00"  # graphic control: 0.1 s a frame
        out += (b"\x2c" + (0).to_bytes(2, "little") * 2 + width.to_bytes(2, "little")
                + height.to_bytes(2, "little") + b"\x00" + b"\x08")
        codes, pixels = [], frame.reshape(-1).tolist()
        for start in range(0, len(pixels), 254):
            codes += [256] + pixels[start:start + 254]
        codes.append(257)  # end of information
        bits = "".join(format(code, "09b")[::-1] for code in codes)  # least significant first
        bits += "0" * (-len(bits) % 8)
        data = bytes(int(bits[i:i + 8][::-1], 2) for i in range(0, len(bits), 8))
        for start in range(0, len(data), 255):
            chunk = data[start:start + 255]
            out += bytes([len(chunk)]) + chunk
        out += b"\x00"
    return bytes(out + b";")


def bmp_bytes(rgb):
    """A 24-bit BMP of an (height, width, 3) uint8 array."""
    height, width, _ = rgb.shape
    row_size = (3 * width + 3) // 4 * 4
    rows = b"".join(rgb[y, :, ::-1].tobytes().ljust(row_size, b"\0")
                    for y in range(height - 1, -1, -1))  # bottom row first, BGR
    header = (b"BM" + (54 + len(rows)).to_bytes(4, "little") + b"\0" * 4
              + (54).to_bytes(4, "little") + (40).to_bytes(4, "little")
              + width.to_bytes(4, "little", signed=True)
              + height.to_bytes(4, "little", signed=True)
              + (1).to_bytes(2, "little") + (24).to_bytes(2, "little") + b"\0" * 24)
    return header + rows


def bmp8_bytes(indices, palette):
    """An 8-bit BMP: (height, width) uint8 numbers into palette, a list of (r, g, b)."""
    height, width = indices.shape
    row_size = (width + 3) // 4 * 4
    rows = b"".join(indices[y].tobytes().ljust(row_size, b"\0")
                    for y in range(height - 1, -1, -1))
    table = b"".join(bytes([b, g, r, 0]) for r, g, b in palette)
    start = 54 + len(table)
    header = (b"BM" + (start + len(rows)).to_bytes(4, "little") + b"\0" * 4
              + start.to_bytes(4, "little") + (40).to_bytes(4, "little")
              + width.to_bytes(4, "little") + height.to_bytes(4, "little")
              + (1).to_bytes(2, "little") + (8).to_bytes(2, "little") + b"\0" * 16
              + len(palette).to_bytes(4, "little") + b"\0" * 4)
    return header + table + rows


def object_on(background, height, width, box, value, channels=1, dtype=np.uint8):
    """An image of one background value with a filled rectangle (top, left, h, w) of value."""
    image = np.full((height, width, channels), background, dtype=dtype)
    top, left, h, w = box
    image[top:top + h, left:left + w] = value
    return image
