"""DataVec's image transforms on the same OpenCV calls, with java.util.Random's draws.

Mirrors ``org.datavec.image.transform`` (DataVec 1.0.0-M2.1): ``FlipImageTransform``, ``WarpImageTransform``,
``ScaleImageTransform``, ``CropImageTransform``, ``ResizeImageTransform`` and ``PipelineImageTransform``.
Images are numpy arrays ``[height, width, channels]`` in OpenCV's (BGR) order, as NativeImageLoader decodes
them; an :class:`ImageWritable` wrapper is accepted too. A transform given a Random (``JavaRandom`` or an int
seed) draws exactly what DL4J's does from a ``java.util.Random`` with that seed, in the same order, and runs
the same OpenCV function on the result (``flip``, ``getPerspectiveTransform`` + ``warpPerspective``,
``resize``, a region of interest), so ImageRecordReader with a transform gives DL4J's pixels
(tests/data/test_images_live_dl4j.py).

Each transform's draws do not depend on the image, so the loader draws them in file order on one thread
(``_draw``) and applies them on its worker threads (``_apply``): parallel loading keeps DL4J's sequence.

Java's float arithmetic is kept where it decides a value (the warp's corner offsets, the scale's rounded
size): ``np.float32`` below.

Differs: ``PipelineImageTransform`` draws its execution probabilities from ND4J's global native generator
(``Nd4j.getRandom()`` seeded with the pipeline's seed) and shuffles (``shuffle=True``) with an unseeded
``Collections.shuffle``; here both come from a ``JavaRandom(seed)``. Pipelines whose probabilities are all
1.0 (``addImageTransform(t)``) and that do not shuffle give DL4J's pixels; the others the same kind of
augmentation with another random sequence (docs/deviations.md).
"""

from __future__ import annotations

import math

import numpy as np

from pydl4j_transfer.data.javarandom import JavaRandom, as_java_random, collections_shuffle

__all__ = ["ImageWritable", "ImageTransform", "BaseImageTransform", "FlipImageTransform", "WarpImageTransform",
           "ScaleImageTransform", "CropImageTransform", "ResizeImageTransform", "PipelineImageTransform"]

_OWN = object()  # transform(image) without a Random argument: the transform's own Random


def cv2():
    """OpenCV, imported on first use (``import pydl4j_transfer`` does not load it)."""
    import cv2 as _cv2

    return _cv2


class ImageWritable:
    """Mirrors org.datavec.image.data.ImageWritable: an image (here a numpy ``[H, W, C]`` array, BGR)."""

    def __init__(self, frame=None):
        self.frame = frame

    def getFrame(self):
        return self.frame

    def setFrame(self, frame) -> None:
        self.frame = frame

    def getWidth(self) -> int:
        return int(self.frame.shape[1])

    def getHeight(self) -> int:
        return int(self.frame.shape[0])

    def getDepth(self) -> int:
        return 1 if self.frame.ndim == 2 else int(self.frame.shape[2])


class ImageTransform:
    """Mirrors org.datavec.image.transform.ImageTransform (the protocol)."""

    def transform(self, image, random=_OWN):
        raise NotImplementedError


def _java_round(x) -> int:
    """Math.round(float): floor(x + 1/2), exact."""
    return int(math.floor(float(x) + 0.5))


def _unit(random):
    """``2 * random.nextFloat() - 1`` in float arithmetic (exact in float32)."""
    return np.float32(2.0) * np.float32(random.nextFloat()) - np.float32(1.0)


class BaseImageTransform(ImageTransform):
    """Mirrors org.datavec.image.transform.BaseImageTransform: ``transform(image)`` uses the transform's own
    Random, ``transform(image, random)`` the one given (None: no randomness, the fixed parameters)."""

    def __init__(self, random=None):
        self.random = as_java_random(random)
        self.currentImage = None

    def transform(self, image, random=_OWN):
        """Mirrors transform(ImageWritable) / transform(ImageWritable, Random)."""
        if image is None:
            return None
        rnd = self.random if random is _OWN else as_java_random(random)
        wrapped = isinstance(image, ImageWritable)
        out = self._apply(image.getFrame() if wrapped else np.asarray(image), self._draw(rnd))
        out = ImageWritable(out) if wrapped else out
        self.currentImage = out
        return out

    def getCurrentImage(self):
        return self.currentImage

    def _draw(self, random):
        """The random parameters of one application (draws from ``random``; None: the fixed ones)."""
        return None

    def _apply(self, image: np.ndarray, params) -> np.ndarray:
        raise NotImplementedError


def _as_hwc(result: np.ndarray, like: np.ndarray) -> np.ndarray:
    """OpenCV drops a single channel's axis; keep the input's rank."""
    return result[:, :, None] if result.ndim == 2 and like.ndim == 3 else result


class FlipImageTransform(BaseImageTransform):
    """Mirrors FlipImageTransform(int flipMode) / FlipImageTransform(Random): ``cv::flip``; with a Random,
    mode = nextInt(4) - 2 (-2: no flip, -1: both axes, 0: around the x-axis, 1: around the y-axis)."""

    def __init__(self, flipMode=None, random=None):
        if isinstance(flipMode, JavaRandom) or hasattr(flipMode, "nextInt"):
            flipMode, random = None, flipMode
        super().__init__(random)
        self.flipMode = 0 if flipMode is None else int(flipMode)

    def _draw(self, random):
        return random.nextInt(4) - 2 if random is not None else self.flipMode

    def _apply(self, image, mode):
        if mode < -1:
            return image.copy()
        return _as_hwc(cv2().flip(image, int(mode)), image)


class WarpImageTransform(BaseImageTransform):
    """Mirrors WarpImageTransform([Random,] float delta) and ([Random,] dx1, dy1, ..., dx4, dy4): the corners
    (0,0), (w,0), (w,h), (0,h) each moved by up to delta (times 2 nextFloat() - 1 with a Random),
    ``getPerspectiveTransform`` + ``warpPerspective`` (INTER_LINEAR, BORDER_CONSTANT, 0)."""

    def __init__(self, *deltas, random=None):
        if deltas and (isinstance(deltas[0], JavaRandom) or hasattr(deltas[0], "nextInt") or deltas[0] is None):
            random, deltas = deltas[0], deltas[1:]
        if len(deltas) == 1:
            deltas = deltas * 8
        if len(deltas) != 8:
            raise ValueError("WarpImageTransform takes one delta or eight (dx1, dy1, ..., dx4, dy4)")
        super().__init__(random)
        self.deltas = np.asarray(deltas, dtype=np.float32)
        self.interMode = 1  # INTER_LINEAR
        self.borderMode = 0  # BORDER_CONSTANT
        self.borderValue = 0.0

    def _draw(self, random):
        return [(_unit(random) if random is not None else np.float32(1.0)) for _ in range(8)]

    def _apply(self, image, factors):
        h, w = image.shape[:2]
        src = np.array([0, 0, w, 0, w, h, 0, h], dtype=np.float32)
        # Java: dst.put(i, src.get(i) + deltas[i] * factor), all in float
        dst = np.array([src[i] + self.deltas[i] * factors[i] for i in range(8)], dtype=np.float32)
        c = cv2()
        m = c.getPerspectiveTransform(src.reshape(4, 2), dst.reshape(4, 2))
        def warp(img):
            return c.warpPerspective(img, m, (w, h), flags=self.interMode, borderMode=self.borderMode,
                                     borderValue=self.borderValue)

        if image.dtype != np.uint8 and image.ndim == 3 and image.shape[2] > 1:
            # OpenCV >= 4.11's multi-channel 16-bit warp kernel differs from 4.5.5's (by up to the full range
            # here); one channel at a time gives 4.5.5's (DL4J's) pixels
            return np.stack([warp(np.ascontiguousarray(image[:, :, k])) for k in range(image.shape[2])], axis=2)
        return _as_hwc(warp(image), image)


class ScaleImageTransform(BaseImageTransform):
    """Mirrors ScaleImageTransform([Random,] float delta) / ([Random,] float dx, float dy): ``resize`` to
    (rows + dy * u, cols + dx * u) rounded (Math.round), u = 2 nextFloat() - 1 with a Random (drawn for the
    height first), 1 without."""

    def __init__(self, *args, random=None):
        if args and (isinstance(args[0], JavaRandom) or hasattr(args[0], "nextInt") or args[0] is None):
            random, args = args[0], args[1:]
        if len(args) == 1:
            args = (args[0], args[0])
        if len(args) != 2:
            raise ValueError("ScaleImageTransform takes delta or (dx, dy)")
        super().__init__(random)
        self.dx, self.dy = np.float32(args[0]), np.float32(args[1])

    def _draw(self, random):
        uy = _unit(random) if random is not None else np.float32(1.0)
        ux = _unit(random) if random is not None else np.float32(1.0)
        return uy, ux

    def _apply(self, image, params):
        uy, ux = params
        h = _java_round(np.float32(image.shape[0]) + self.dy * uy)
        w = _java_round(np.float32(image.shape[1]) + self.dx * ux)
        from pydl4j_transfer.data.images import resize_linear

        return resize_linear(image, h, w)


class CropImageTransform(BaseImageTransform):
    """Mirrors CropImageTransform([Random,] int crop) / ([Random,] cropTop, cropLeft, cropBottom, cropRight):
    a region of interest; with a Random each side's crop is nextInt(crop + 1), drawn top, left, bottom, right."""

    def __init__(self, *args, random=None):
        if args and (isinstance(args[0], JavaRandom) or hasattr(args[0], "nextInt") or args[0] is None):
            random, args = args[0], args[1:]
        if len(args) == 1:
            args = args * 4
        if len(args) != 4:
            raise ValueError("CropImageTransform takes crop or (cropTop, cropLeft, cropBottom, cropRight)")
        super().__init__(random)
        self.cropTop, self.cropLeft, self.cropBottom, self.cropRight = (int(a) for a in args)

    def _draw(self, random):
        sides = (self.cropTop, self.cropLeft, self.cropBottom, self.cropRight)
        return tuple(random.nextInt(s + 1) for s in sides) if random is not None else sides

    def _apply(self, image, params):
        top, left, bottom, right = params
        rows, cols = image.shape[:2]
        y, x = min(top, rows - 1), min(left, cols - 1)
        h, w = max(1, rows - bottom - y), max(1, cols - right - x)
        return image[y:y + h, x:x + w]


class ResizeImageTransform(BaseImageTransform):
    """Mirrors ResizeImageTransform([Random,] int newWidth, int newHeight): ``resize`` (INTER_LINEAR)."""

    def __init__(self, *args, random=None):
        if args and (isinstance(args[0], JavaRandom) or hasattr(args[0], "nextInt") or args[0] is None):
            random, args = args[0], args[1:]
        super().__init__(random)
        self.newWidth, self.newHeight = int(args[0]), int(args[1])

    def _apply(self, image, params):
        from pydl4j_transfer.data.images import resize_linear

        return resize_linear(image, self.newHeight, self.newWidth)


class PipelineImageTransform(BaseImageTransform):
    """Mirrors PipelineImageTransform: transforms applied in order, each with a probability.

    ``PipelineImageTransform(t1, t2, ...)`` (probability 1 each, seed 1234), ``PipelineImageTransform(seed,
    shuffle, t1, ...)``, ``PipelineImageTransform([(t, p), ...], shuffle=False, seed=1234, random=None)`` and
    ``PipelineImageTransform.Builder().setSeed(s).addImageTransform(t[, p]).build()``. A Random given to the
    pipeline is used by every transform in it (else each its own). Probabilities and shuffling: see the
    module docstring."""

    def __init__(self, *transforms, shuffle: bool = False, seed: int = 1234, random=None):
        if len(transforms) >= 2 and isinstance(transforms[0], int) and isinstance(transforms[1], bool):
            seed, shuffle, transforms = transforms[0], transforms[1], transforms[2:]
        if len(transforms) == 1 and isinstance(transforms[0], (list, tuple)):
            pairs = [tuple(p) if isinstance(p, (list, tuple)) else (p, 1.0) for p in transforms[0]]
        else:
            pairs = [(t, 1.0) for t in transforms]
        super().__init__(random)
        self.imageTransforms = [(t, float(p)) for t, p in pairs]
        self.shuffle = bool(shuffle)
        self.rng = JavaRandom(seed)  # stands in for ND4J's native generator (module docstring)
        self.currentTransforms = []

    def _draw(self, random):
        if self.shuffle:
            collections_shuffle(self.imageTransforms, self.rng)
        plan = []
        for t, p in self.imageTransforms:
            if p == 1.0 or self.rng.nextDouble() < p:
                sub_random = random if random is not None else getattr(t, "random", None)
                plan.append((t, t._draw(sub_random)))
        self.currentTransforms = [t for t, _ in plan]
        return plan

    def _apply(self, image, plan):
        for t, params in plan:
            image = t._apply(image, params)
        return image

    class Builder:
        """Mirrors PipelineImageTransform.Builder."""

        def __init__(self):
            self._pairs = []
            self._seed = None

        def setSeed(self, seed: int):
            self._seed = int(seed)
            return self

        def addImageTransform(self, transform, probability: float = 1.0):
            self._pairs.append((transform, min(1.0, max(0.0, float(probability)))))
            return self

        def build(self):
            return PipelineImageTransform(self._pairs, seed=1234 if self._seed is None else self._seed)
