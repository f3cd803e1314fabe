"""Image files made by the tests: every format and pixel layout DataVec's NativeImageLoader meets.

Pillow writes what OpenCV cannot (palette PNG, GIF, grey+alpha PNG, EXIF orientation); OpenCV writes the
16-bit colour files. Pixels are smooth gradients plus noise, so resizing and JPEG have work to do.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np

#: the files; DL4J 1.0.0-M2.1 cannot decode the GIF (its OpenCV 4.5.5 has no GIF codec), and gives the truncated
#: JPEG with its missing rows copied from the last one decoded (we raise)
FORMATS = ("rgb.jpg", "grey.jpg", "exif6.jpg", "progressive.jpg", "truncated.jpg", "rgb.png", "rgba.png",
           "grey.png", "greya.png", "grey16.png", "bgr16.png", "bgra16.png", "palette.png", "rgb.bmp", "grey.bmp",
           "rgb.tif", "bgr16.tif", "rgb.webp", "lossy.webp", "palette.gif")


def _pixels(rng, h, w, c):
    y, x = np.mgrid[0:h, 0:w]
    base = np.stack([(x * 255 / w + 60 * k + y * 90 / h) % 256 for k in range(c)], -1)
    return np.clip(base * 0.8 + rng.integers(0, 50, (h, w, c)), 0, 255).astype(np.uint8)


def write_images(folder: Path, seed: int = 0, names=FORMATS) -> dict:
    """Write the files of ``names`` into ``folder``; returns name -> path."""
    import cv2
    from PIL import Image

    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    rgb = _pixels(rng, 37, 53, 3)
    out = {}

    def path(name):
        out[name] = folder / name
        return out[name]

    writers = {
        "rgb.jpg": lambda p: Image.fromarray(rgb).save(p, quality=90),
        "grey.jpg": lambda p: Image.fromarray(_pixels(rng, 40, 30, 1)[..., 0], "L").save(p, quality=85),
        "progressive.jpg": lambda p: Image.fromarray(_pixels(rng, 45, 33, 3)).save(p, quality=80, progressive=True),
        "rgb.png": lambda p: Image.fromarray(rgb).save(p),
        "rgba.png": lambda p: Image.fromarray(_pixels(rng, 29, 41, 4), "RGBA").save(p),
        "grey.png": lambda p: Image.fromarray(_pixels(rng, 20, 31, 1)[..., 0], "L").save(p),
        "greya.png": lambda p: Image.fromarray(_pixels(rng, 20, 31, 2), "LA").save(p),
        "grey16.png": lambda p: cv2.imwrite(str(p), rng.integers(0, 65536, (21, 17)).astype(np.uint16)),
        "bgr16.png": lambda p: cv2.imwrite(str(p), rng.integers(0, 65536, (19, 23, 3)).astype(np.uint16)),
        "bgra16.png": lambda p: cv2.imwrite(str(p), rng.integers(0, 65536, (19, 23, 4)).astype(np.uint16)),
        "palette.png": lambda p: Image.fromarray(rgb).quantize(16).save(p),
        "palette.gif": lambda p: Image.fromarray(rgb).quantize(16).save(p),
        "rgb.bmp": lambda p: Image.fromarray(rgb).save(p),
        "grey.bmp": lambda p: Image.fromarray(_pixels(rng, 19, 23, 1)[..., 0], "L").save(p),
        "rgb.tif": lambda p: Image.fromarray(rgb).save(p),
        "bgr16.tif": lambda p: cv2.imwrite(str(p), rng.integers(0, 65536, (17, 26, 3)).astype(np.uint16)),
        "rgb.webp": lambda p: Image.fromarray(rgb).save(p, lossless=True),
        "lossy.webp": lambda p: Image.fromarray(rgb).save(p, quality=70),
    }
    for name in names:
        p = path(name)
        if name == "exif6.jpg":  # orientation 6: decoders that honour EXIF rotate it 90 degrees
            exif = Image.Exif()
            exif[0x0112] = 6
            Image.fromarray(_pixels(rng, 24, 36, 3)).save(p, quality=90, exif=exif)
        elif name == "truncated.jpg":
            buf = io.BytesIO()
            Image.fromarray(_pixels(rng, 64, 48, 3)).save(buf, "JPEG", quality=90)
            p.write_bytes(buf.getvalue()[: len(buf.getvalue()) * 2 // 3])
        else:
            writers[name](p)
    return out
