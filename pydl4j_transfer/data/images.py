"""DataVec's image pipeline on OpenCV: DL4J's pixels, decoded in parallel.

Mirrors ``org.datavec.image.loader.NativeImageLoader``, ``org.datavec.image.recordreader.ImageRecordReader``
(``BaseImageRecordReader``), ``org.deeplearning4j.datasets.datavec.RecordReaderDataSetIterator`` for images
and ``org.nd4j.linalg.dataset.api.preprocessor.VGG16ImagePreProcessor`` (DL4J 1.0.0-M2.1). Splits, filters
and label generators: :mod:`.splits`; transforms: :mod:`.transforms`.

DL4J's NativeImageLoader is OpenCV 4.5.5 through JavaCPP, and so is this (opencv-python), call for call:

* ``imdecode(bytes, IMREAD_ANYDEPTH | IMREAD_ANYCOLOR)``: BGR order; grey stays one channel, colour becomes
  three (alpha dropped), 16-bit stays 16-bit; EXIF orientation applied;
* the image transform, if any, on the decoded image;
* ``cvtColor`` to the channels asked for (``GRAY2BGR``, ``GRAY2RGBA``, ``BGR2GRAY``, ``BGR2RGBA``,
  ``RGBA2GRAY``, ``RGBA2BGR``; any other pair: an error, as in DL4J);
* the optional centre crop, then ``resize`` (``INTER_LINEAR``) when the size differs from height x width;
* float32, NCHW ``[1, channels, height, width]``, values 0..255 (0..65535 for 16-bit images).

Checked pixel for pixel against DL4J's own ImageRecordReader on JPEG, PNG (8/16-bit, grey, grey+alpha,
RGBA, palette), BMP, TIFF and WebP files, resized up and down and converted between 1, 3 and 4 channels
(tests/data/test_images_live_dl4j.py). Two conventions where OpenCV changed after 4.5.5:

* 16-bit images are resized as 4.5.5 did (separable float32 interpolation, rounded; newer OpenCV uses a
  fixed-point kernel that differs by 1 in ~1% of the pixels): :func:`resize_linear`;
* GIF: OpenCV 4.5.5 has no GIF decoder and DL4J's Leptonica fallback is unreachable (it passes the Mat's
  column count, 1, as the byte count), so DL4J fails on every GIF; OpenCV >= 4.11 decodes GIF and so does
  this (docs/deviations.md).

Files that cannot be decoded raise :class:`~pydl4j_transfer.errors.ImageDecodeError` naming the file (DL4J:
``RuntimeException(IOException("Could not decode image from input stream"))``; it skips nothing). A
truncated JPEG decodes as libjpeg leaves it (the missing rows grey), as in DL4J.

Parallel loading: :class:`RecordReaderDataSetIterator` decodes each minibatch on a pool of threads (OpenCV's
decode and resize and numpy's conversion release the GIL) into one preallocated array, keeps ``prefetch``
minibatches in flight while the caller works on the current one, and returns them in DL4J's order. The
random draws of an image transform are made in file order before the work is handed out, so a seeded
transform gives DL4J's sequence whatever the number of threads.
"""

from __future__ import annotations

import os
import sys
import threading
from collections import deque

import numpy as np

from pydl4j_transfer.java_names import JavaNames
from pydl4j_transfer.data.dataset import DataSet
from pydl4j_transfer.data.iterators import DataSetIterator
from pydl4j_transfer.data.normalizers import NormalizerType, numeric_array
from pydl4j_transfer.data.splits import CollectionInputSplit, FileSplit, InputSplit, ParentPathLabelGenerator
from pydl4j_transfer.errors import ImageDecodeError
from pydl4j_transfer.zipio.files import atomic_write

__all__ = [
    "VGG16ImagePreProcessor", "NativeImageLoader", "ImageRecordReader", "RecordReaderDataSetIterator",
    "ImageFolderDataSetIterator", "ParentPathLabelGenerator", "FileSplit", "read_image", "decode_image",
    "resize_linear", "write_png", "ALLOWED_FORMATS",
]

#: NativeImageLoader.ALLOWED_FORMATS (FileSplit's suffixes: case-sensitive, no dot).
ALLOWED_FORMATS = ("bmp", "gif", "jpg", "jpeg", "jp2", "pbm", "pgm", "ppm", "pnm", "png", "tif", "tiff",
                   "exr", "webp", "BMP", "GIF", "JPG", "JPEG", "JP2", "PBM", "PGM", "PPM", "PNM", "PNG",
                   "TIF", "TIFF", "EXR", "WEBP")

# OpenCV checks a header's claimed size against this before it allocates (its own default is 2**30 pixels,
# 3 GiB for a colour image, from a file of a few bytes); 2**28 pixels is a 16k x 16k image. A user's own
# setting wins. Read once, when OpenCV first decodes.
os.environ.setdefault("OPENCV_IO_MAX_IMAGE_PIXELS", str(1 << 28))

_cv2_module = None
_cv2_lock = threading.Lock()


def cv2():
    """OpenCV, imported on first use (``import pydl4j_transfer`` does not load it), its log quieted to errors
    (libtiff's and libpng's warnings about harmless tags would otherwise go to stderr per file)."""
    global _cv2_module
    if _cv2_module is None:
        with _cv2_lock:
            if _cv2_module is None:
                import cv2 as module

                try:
                    module.utils.logging.setLogLevel(module.utils.logging.LOG_LEVEL_ERROR)
                except AttributeError:  # builds without the logging utilities
                    pass
                _cv2_module = module
    return _cv2_module


class VGG16ImagePreProcessor(JavaNames):
    """Mirrors org.nd4j.linalg.dataset.api.preprocessor.VGG16ImagePreProcessor: subtracts the ImageNet means.

    ``VGG_MEAN_OFFSET_BGR`` = [103.939, 116.779, 123.68] is subtracted along dimension 1
    (channels of NCHW), channel 0 getting 103.939: BGR order, as NativeImageLoader produces.
    """

    VGG_MEAN_OFFSET_BGR = np.array([103.939, 116.779, 123.68], dtype=np.float32)

    def _offset(self, x):
        shape = [1] * x.ndim
        shape[1] = 3
        return self.VGG_MEAN_OFFSET_BGR.reshape(shape).astype(x.dtype if x.dtype.kind == "f" else np.float32)

    def transform(self, features, featuresMask=None):
        """Mirrors VGG16ImagePreProcessor#transform(DataSet | INDArray[, mask]) (= preProcess): in place on a float
        numpy array (and returned); another input comes back as a new float32 array."""
        return self.preProcess(features)

    def preProcess(self, data):
        """Mirrors VGG16ImagePreProcessor#preProcess(DataSet / INDArray): in place."""
        if isinstance(data, DataSet):
            data.features = self.preProcess(data.features)
            return data
        x = data
        if isinstance(x, np.ndarray) and x.dtype.kind == "f" and x.flags.writeable:
            x -= self._offset(x)
            return x
        x = numeric_array(x)
        x = x.astype(np.float32) if x.dtype.kind != "f" else x
        return x - self._offset(x)

    def revertFeatures(self, features, featuresMask=None):
        """Mirrors VGG16ImagePreProcessor#revertFeatures: adds the means back (in place on a float numpy array)."""
        x = features
        if isinstance(x, np.ndarray) and x.dtype.kind == "f" and x.flags.writeable:
            x += self._offset(x)
            return x
        x = numeric_array(x)
        return x + self._offset(x)

    def revert(self, data):
        """Mirrors VGG16ImagePreProcessor#revert(DataSet): the features only."""
        data.features = self.revertFeatures(data.features)
        return data

    def transformLabel(self, label, labelsMask=None):
        """Mirrors VGG16ImagePreProcessor#transformLabel: labels are left alone."""
        return label

    def revertLabels(self, labels, labelsMask=None):
        """Mirrors VGG16ImagePreProcessor#revertLabels: labels are left alone."""
        return labels

    def fitLabel(self, fitLabels=True):
        """Mirrors VGG16ImagePreProcessor#fitLabel: not supported (DL4J logs a warning and leaves labels alone)."""
        return self

    def isFitLabel(self) -> bool:
        return False

    def getType(self):
        """Mirrors getType(): NormalizerType.IMAGE_VGG16."""
        return NormalizerType.IMAGE_VGG16

    def fit(self, *_args, **_kwargs):
        """Mirrors VGG16ImagePreProcessor#fit: nothing to fit."""
        return self


# --- decoding and resizing ------------------------------------------------------------------------

def decode_image(source, name=None) -> np.ndarray:
    """Mirrors NativeImageLoader's ``imdecode(mat, IMREAD_ANYDEPTH | IMREAD_ANYCOLOR)``: ``[H, W, C]`` (C 1 or
    3, BGR), uint8 / uint16 / float32 as stored. ``source``: a path or the file's bytes."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = source
    else:
        name = source if name is None else name
        try:
            with open(os.fspath(source), "rb") as f:
                data = f.read()
        except OSError as exc:
            raise ImageDecodeError(f"cannot read the file ({exc.strerror or exc})", name) from exc
    if len(data) == 0:
        raise ImageDecodeError("Could not decode image from input stream: input stream was empty (no data)", name)
    c = cv2()
    try:
        img = c.imdecode(np.frombuffer(data, dtype=np.uint8), c.IMREAD_ANYDEPTH | c.IMREAD_ANYCOLOR)
    except c.error as exc:  # a header claiming more than OPENCV_IO_MAX_IMAGE_PIXELS, a broken codec stream
        raise ImageDecodeError(f"Could not decode image from input stream (OpenCV: {str(exc).strip()[:200]})",
                               name) from exc
    if img is None or img.size == 0:
        raise ImageDecodeError("Could not decode image from input stream: not an image OpenCV can read "
                               "(DL4J's NativeImageLoader fails on it too); remove or convert the file", name)
    return img[:, :, None] if img.ndim == 2 else img


def _linear_coefficients(n_out: int, n_in: int, clamp_weights: bool):
    """OpenCV 4.5.5's INTER_LINEAR source indices and float32 weights along one axis (resize.cpp, generic path:
    ``f = (float)((d + 0.5) * scale - 0.5)``, ``s = floor(f)``, weights ``1 - (f - s)``, ``f - s``). Columns
    outside the image get the edge column with weights (1, 0) (``clamp_weights``); rows outside it keep their
    weights and read the edge row twice (resizeGeneric_ clips the row index only)."""
    scale = n_in / n_out
    f = ((np.arange(n_out, dtype=np.float64) + 0.5) * scale - 0.5).astype(np.float32)
    s = np.floor(f).astype(np.int64)
    frac = (f - s.astype(np.float32)).astype(np.float32)
    if clamp_weights:
        frac[s < 0] = 0
        s[s < 0] = 0
        last = s >= n_in - 1
        frac[last] = 0
        s[last] = n_in - 1
    return np.clip(s, 0, n_in - 1), np.clip(s + 1, 0, n_in - 1), (np.float32(1) - frac).astype(np.float32), frac


def _resize_float_path(img: np.ndarray, height: int, width: int) -> np.ndarray:
    """OpenCV 4.5.5's resize of a 16-bit image (HResizeLinear + VResizeLinear in float32, no fused multiply-add,
    then rounded to nearest even and saturated): what DL4J's JavaCPP OpenCV computes."""
    a = img.astype(np.float32)
    y0, y1, b0, b1 = _linear_coefficients(height, a.shape[0], False)
    x0, x1, a0, a1 = _linear_coefficients(width, a.shape[1], True)
    rows = a[:, x0] * a0[None, :, None] + a[:, x1] * a1[None, :, None]  # float32 products, then the sum
    out = rows[y0] * b0[:, None, None] + rows[y1] * b1[:, None, None]
    info = np.iinfo(img.dtype)
    return np.clip(np.rint(out), info.min, info.max).astype(img.dtype)


def resize_linear(img: np.ndarray, height: int, width: int) -> np.ndarray:
    """Mirrors ``cv::resize(src, dst, Size(width, height))`` (INTER_LINEAR) as OpenCV 4.5.5 computes it: 8-bit
    images through OpenCV's bit-exact kernel (unchanged since), 16-bit ones through :func:`_resize_float_path`.
    ``[H, W, C]`` in and out."""
    if img.dtype == np.uint16 or img.dtype == np.int16:
        return _resize_float_path(img, int(height), int(width))
    out = cv2().resize(img, (int(width), int(height)), interpolation=cv2().INTER_LINEAR)
    return out[:, :, None] if out.ndim == 2 else out


# (source channels, target channels) -> OpenCV colour conversion code name, as NativeImageLoader#transformImage
_CONVERSIONS = {(1, 3): "COLOR_GRAY2BGR", (1, 4): "COLOR_GRAY2RGBA", (3, 1): "COLOR_BGR2GRAY",
                (3, 4): "COLOR_BGR2RGBA", (4, 1): "COLOR_RGBA2GRAY", (4, 3): "COLOR_RGBA2BGR"}


class NativeImageLoader(JavaNames):
    """Mirrors org.datavec.image.loader.NativeImageLoader([height, width[, channels[, imageTransform |
    centerCropIfNeeded]]]): images as float32 NCHW arrays, OpenCV's pixels (module docstring).

    A height, width or channels of -1 (the default) keeps the image's own."""

    ALLOWED_FORMATS = ALLOWED_FORMATS

    def __init__(self, height: int = -1, width: int = -1, channels: int = -1, imageTransform=None,
                 centerCropIfNeeded: bool = False):
        if isinstance(imageTransform, bool):
            imageTransform, centerCropIfNeeded = None, imageTransform
        self.height, self.width, self.channels = int(height), int(width), int(channels)
        self.imageTransform = imageTransform
        self.centerCropIfNeeded = bool(centerCropIfNeeded)

    def getAllowedFormats(self):
        return list(ALLOWED_FORMATS)

    # the steps, split so that a worker thread can run _process with parameters drawn on the caller's thread
    def _draw(self):
        """The image transform's random parameters for the next image (drawn in file order)."""
        t = self.imageTransform
        return None if t is None else t._draw(t.random)

    def _process(self, img: np.ndarray, plan=None, name=None) -> np.ndarray:
        """NativeImageLoader#transformImage on a decoded ``[H, W, C]`` image: transform, channels, crop, resize."""
        if self.imageTransform is not None:
            img = self.imageTransform._apply(img, plan)
            if img.ndim == 2:
                img = img[:, :, None]
        c = img.shape[2]
        if self.channels > 0 and c != self.channels:
            code = _CONVERSIONS.get((c, self.channels))
            if code is None:
                raise ImageDecodeError(f"Cannot convert from {c} to {self.channels} channels.", name)
            img = cv2().cvtColor(img, getattr(cv2(), code))
            if img.ndim == 2:
                img = img[:, :, None]
        if self.centerCropIfNeeded:
            img = self._center_crop(img)
        if self.height > 0 and self.width > 0 and img.shape[:2] != (self.height, self.width):
            img = resize_linear(img, self.height, self.width)
        return img

    @staticmethod
    def _center_crop(img):
        """NativeImageLoader#centerCropIfNeeded (its arithmetic, including the width it keeps)."""
        h, w = img.shape[:2]
        diff = abs(w - h) // 2
        x = y = 0
        if w > h:
            x, w = diff, w - diff
        elif h > w:
            y, h = diff, h - diff
        return img[y:y + h, x:x + w]

    def _load_into(self, path, out: np.ndarray, plan=None) -> None:
        """Decode ``path`` and write it into ``out`` ([C, H, W] float32): the whole of one worker's job."""
        img = self._process(decode_image(path), plan, path)
        if img.shape[2] != out.shape[0] or img.shape[:2] != out.shape[1:]:
            raise ImageDecodeError(f"INDArray provided to store image not equal to image: {{channels: {img.shape[2]}, "
                                   f"rows: {img.shape[0]}, columns: {img.shape[1]}}}", path)
        if img.shape[2] == 1:
            out[0] = img[:, :, 0]
        else:  # HWC -> CHW: OpenCV's split (no GIL, contiguous planes), then each plane cast to float32
            for k, plane in enumerate(cv2().split(img)):
                out[k] = plane

    def _as_chw(self, img, name=None):
        img = self._process(img, self._draw(), name)
        return np.ascontiguousarray(img.transpose(2, 0, 1), dtype=np.float32)

    def asMatrix(self, image, nchw: bool = True) -> np.ndarray:
        """Mirrors asMatrix(File | String | InputStream | Mat): ``[1, C, H, W]`` float32 (``nchw=False``:
        ``[1, H, W, C]``). ``image``: a path, bytes, or a decoded ``[H, W(, C)]`` array (OpenCV's order)."""
        if isinstance(image, np.ndarray):
            arr = self._as_chw(image[:, :, None] if image.ndim == 2 else image)
        else:
            arr = self._as_chw(decode_image(image), image if not isinstance(image, (bytes, bytearray)) else None)
        arr = arr[None]
        return arr if nchw else arr.transpose(0, 2, 3, 1)

    def asRowVector(self, image) -> np.ndarray:
        """Mirrors asRowVector: ``asMatrix(image).ravel()``."""
        return self.asMatrix(image).ravel()

    def asMatrixView(self, image, view) -> None:
        """Mirrors asMatrixView(File, INDArray): into an existing ``[C, H, W]`` float32 array."""
        self._load_into(image, view, self._draw())


def read_image(path, height: int, width: int, channels: int = 3) -> np.ndarray:
    """One image as NativeImageLoader(height, width, channels).asMatrix gives it, without the batch axis:
    float32 ``[channels, height, width]``, BGR, 0..255."""
    return NativeImageLoader(height, width, channels).asMatrix(path)[0]


def write_png(path, pixels) -> None:
    """Write ``pixels`` ([H, W] grey or [H, W, 3|4] **RGB(A)**, uint8/uint16) as a PNG, atomically (tests, demos)."""
    a = np.asarray(pixels)
    if a.ndim == 3 and a.shape[2] in (3, 4):
        a = a[:, :, [2, 1, 0] + ([3] if a.shape[2] == 4 else [])]  # RGB(A) -> OpenCV's BGR(A)
    ok, buf = cv2().imencode(".png", np.ascontiguousarray(a))
    if not ok:
        raise ValueError(f"cannot encode an array of shape {a.shape} and dtype {a.dtype} as PNG")
    with atomic_write(os.fspath(path)) as f:  # zipio/files.py: no half file, no leftover temp file
        f.write(buf.tobytes())


# --- the record reader ------------------------------------------------------------------------------

def _java_sorted(strings) -> list:
    """Collections.sort on Strings: UTF-16 code unit order."""
    return sorted(strings, key=lambda s: s.encode("utf-16-be"))


class ImageRecordReader(JavaNames):
    """Mirrors org.datavec.image.recordreader.ImageRecordReader(height, width, channels[, labelGenerator]
    [, imageTransform]) (and ``ImageRecordReader(height, width[, labelGenerator])``: one channel, and the
    no-argument form: 28 x 28 x 1, as DataVec's).

    ``initialize(split)`` takes an InputSplit (``FileSplit``, ``CollectionInputSplit``, a ``sample`` part), a
    folder (as ``FileSplit(folder)``) or a list of files (as ``CollectionInputSplit``). Labels: the label
    generator's names over all locations, sorted (Java String order). ``next()`` returns DL4J's record:
    ``[image [1, C, H, W] float32, label index]`` (no label without a label generator); ``next(num)``
    DL4J's batch: ``[features [n, C, H, W], one-hot labels [n, numLabels]]``."""

    def __init__(self, height: int = 28, width: int = 28, channels=1, labelGenerator=None, imageTransform=None,
                 nchw_channels_first: bool = True):
        if hasattr(channels, "getLabelForPath"):  # ImageRecordReader(height, width, labelGenerator)
            channels, labelGenerator = 1, channels
        if hasattr(labelGenerator, "_draw") and imageTransform is None:  # (h, w, c, imageTransform)
            labelGenerator, imageTransform = None, labelGenerator
        self.height, self.width, self.channels = int(height), int(width), int(channels)
        self.labelGenerator = labelGenerator
        self.imageTransform = imageTransform
        self.nchw_channels_first = bool(nchw_channels_first)
        self.appendLabel = labelGenerator is not None
        self.imageLoader = None
        self.inputSplit = None
        self.labels: list = []
        self.currentFile = None
        self._iter = None
        self._pending = deque()  # (path) taken from the iterator but not yet returned (hasNext look-ahead)
        self._label_index = {}

    # -- set-up --------------------------------------------------------------------------------------
    def initialize(self, split, imageTransform=None) -> None:
        """Mirrors initialize(InputSplit) / initialize(InputSplit, ImageTransform)."""
        if imageTransform is not None:
            self.imageTransform = imageTransform
            self.imageLoader = None
        if self.imageLoader is None:
            self.imageLoader = NativeImageLoader(self.height, self.width, self.channels, self.imageTransform)
        if not isinstance(split, InputSplit):
            if isinstance(split, (list, tuple)):
                split = CollectionInputSplit(split)
            else:
                split = FileSplit(split)
        locations = split.locations()
        if not locations:
            raise ValueError("No path locations found in the split.")
        self.inputSplit = split
        if self.appendLabel and self.labelGenerator.inferLabelClasses():
            names = {str(self.labelGenerator.getLabelForPath(p)) for p in locations}
            if isinstance(split, FileSplit):
                names.discard(split.getRootDir())  # DL4J removes the root folder's path (a no-op in practice)
            self.labels = _java_sorted(names)
        self._label_index = {name: i for i, name in enumerate(self.labels)}
        self._iter = split.locationsPathIterator()
        self._pending.clear()

    def getLabels(self) -> list:
        return list(self.labels)

    def setLabels(self, labels) -> None:
        self.labels = list(labels)
        self._label_index = {name: i for i, name in enumerate(self.labels)}
        self.appendLabel = True

    def numLabels(self) -> int:
        return len(self.labels)

    def getCurrentFile(self):
        return self.currentFile

    def batchesSupported(self) -> bool:
        return True

    def resetSupported(self) -> bool:
        return self.inputSplit is not None and self.inputSplit.resetSupported()

    # -- iteration -----------------------------------------------------------------------------------
    def _check(self):
        if self._iter is None:
            raise RuntimeError("ImageRecordReader: call initialize(split) first")

    def hasNext(self) -> bool:
        self._check()
        if self._pending:
            return True
        try:
            self._pending.append(next(self._iter))
        except StopIteration:
            return False
        return True

    def _take_path(self):
        if not self.hasNext():
            raise StopIteration("No more elements")
        path = self._pending.popleft()
        self.currentFile = path
        return path

    def _label_of(self, path):
        if not self.appendLabel:
            return None
        label = self.labelGenerator.getLabelForPath(path)
        if self.labelGenerator.inferLabelClasses():
            return self._label_index.get(str(label), -1)  # List#indexOf: -1 when missing
        return label

    def _take(self, num: int):
        """The next ``num`` files (fewer at the end) with their label indices and transform draws, in order."""
        out = []
        while len(out) < num and self.hasNext():
            path = self._take_path()
            out.append((path, self._label_of(path), self.imageLoader._draw()))
        return out

    def next(self, num=None):
        """Mirrors next() (one record) and next(int num) (a batch)."""
        self._check()
        if num is not None:
            items = self._take(int(num))
            if not items:
                raise StopIteration("No more elements")
            feats = np.empty((len(items), self.channels, self.height, self.width), dtype=np.float32)
            for i, (path, _, plan) in enumerate(items):
                self.imageLoader._load_into(path, feats[i], plan)
            if not self.nchw_channels_first:
                feats = feats.transpose(0, 2, 3, 1)
            out = [feats]
            if self.appendLabel:
                out.append(_one_hot([lab for _, lab, _ in items], len(self.labels)))
            return out
        path, label, plan = self._take(1)[0]
        img = self.imageLoader._process(decode_image(path), plan, path)
        arr = np.ascontiguousarray(img.transpose(2, 0, 1), dtype=np.float32)[None]
        if not self.nchw_channels_first:
            arr = arr.transpose(0, 2, 3, 1)
        return [arr] if label is None else [arr, label]

    def reset(self) -> None:
        """Mirrors reset(): the split's reset (a FileSplit with a Random shuffles again), iteration restarts."""
        if self.inputSplit is None:
            raise RuntimeError("Cannot reset without first initializing")
        self.inputSplit.reset()
        self._iter = self.inputSplit.locationsPathIterator()
        self._pending.clear()

    def close(self) -> None:
        """Mirrors close() (nothing to release)."""


def _one_hot(indices, n: int) -> np.ndarray:
    lab = np.zeros((len(indices), n), dtype=np.float32)
    for row, i in enumerate(indices):
        if 0 <= i < n:
            lab[row, i] = 1.0
    return lab


# --- the DataSetIterator ----------------------------------------------------------------------------

def default_workers() -> int:
    """Threads for image decoding: the CPUs this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


class _Batch:
    """One minibatch in flight: its array, labels, and the worker tasks writing into it."""

    __slots__ = ("features", "labels", "paths", "futures")

    def __init__(self, features, labels, paths, futures):
        self.features, self.labels, self.paths, self.futures = features, labels, paths, futures


class RecordReaderDataSetIterator(DataSetIterator):
    """Mirrors org.deeplearning4j.datasets.datavec.RecordReaderDataSetIterator(recordReader, batchSize
    [, labelIndex, numPossibleLabels[, maxNumBatches]]) over an :class:`ImageRecordReader`.

    Features ``[batch, channels, height, width]`` float32, labels one-hot ``[batch, numPossibleLabels]``
    (none without a label generator). ``labelIndex`` is accepted for a line-by-line port (DL4J passes 1 for
    images; the label is the record's last entry either way).

    Extensions (keyword arguments): ``workers`` decoding threads (default: the CPUs; 0 decodes on the
    caller's thread), ``prefetch`` minibatches decoded ahead while the caller computes (default 2; memory:
    ``(prefetch + 1) x`` one minibatch), ``pinMemory`` (CUDA hosts: minibatches in page-locked memory, so
    copies to the card overlap compute; ignored without CUDA).

    Like DL4J's, the first ``next()`` reads one record and resets the reader before the first minibatch
    (RecordReaderDataSetIterator#initializeUnderlying): with a ``FileSplit`` given a Random the first epoch
    therefore runs in the split's second order, and a seeded transform has made one draw, as in DL4J.
    """

    def __init__(self, recordReader, batchSize: int, labelIndex: int = -1, numPossibleLabels: int = -1,
                 maxNumBatches: int = -1, *, workers=None, prefetch: int = 2, pinMemory: bool = False):
        super().__init__()
        self.recordReader = recordReader
        self._batch = int(batchSize)
        if self._batch < 1:
            raise ValueError(f"batchSize must be >= 1, got {batchSize}")
        self.labelIndex = int(labelIndex)
        if numPossibleLabels is None or int(numPossibleLabels) < 0:
            labels = recordReader.getLabels()
            numPossibleLabels = len(labels) if labels is not None else -1
        self.numPossibleLabels = int(numPossibleLabels)
        self.maxNumBatches = int(maxNumBatches)
        self.workers = default_workers() if workers is None else int(workers)
        self.prefetch = max(0, int(prefetch))
        self.pinMemory = bool(pinMemory)
        self.labels = recordReader.getLabels()
        self.batchNum = 0
        self._initialized = False
        self._inflight: deque = deque()
        self._leftover = None  # examples decoded but not yet returned (after a next(num) of another size)
        self._pool = None
        self._buffers = _BufferPool(self.prefetch + 3)

    # -- the pipeline --------------------------------------------------------------------------------
    def _executor(self):
        if self._pool is None and self.workers > 0:
            from concurrent.futures import ThreadPoolExecutor

            self._pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="pydl4j-images")
        return self._pool

    def _alloc(self, n: int):
        r = self.recordReader
        shape = (n, r.channels, r.height, r.width)
        if self.pinMemory:
            from pydl4j_transfer.data.async_iterators import pinned_empty

            return pinned_empty(shape)
        return self._buffers.take(shape)

    def _submit(self, num: int) -> bool:
        """Take the next ``num`` files from the reader and hand their decoding out; False when none are left."""
        if self.maxNumBatches >= 0 and self.batchNum + len(self._inflight) >= self.maxNumBatches:
            return False
        items = self.recordReader._take(num)
        if not items:
            return False
        feats = self._alloc(len(items))
        loader = self.recordReader.imageLoader
        pool = self._executor()
        futures = []
        if pool is None:
            for i, (path, _, plan) in enumerate(items):
                loader._load_into(path, feats[i], plan)
        else:
            # contiguous chunks, about two per thread: few tasks, and a slow file holds up only its chunk
            n_chunks = min(len(items), 2 * self.workers)
            bounds = np.linspace(0, len(items), n_chunks + 1).astype(int)
            for a, b in zip(bounds[:-1], bounds[1:]):
                futures.append(pool.submit(_load_chunk, loader, items[a:b], feats[a:b]))
        labels = [lab for _, lab, _ in items]
        self._inflight.append(_Batch(feats, labels, [p for p, _, _ in items], futures))
        return True

    def _take_exactly(self, num: int) -> _Batch:
        """next(num) with a size other than the batch size: the minibatches in flight (finished) and new files
        make up ``num`` examples; what is left over is kept, finished, at the head of the queue."""
        feats, labels, paths = [], [], []
        if self._leftover is not None:
            b, self._leftover = self._leftover, None
            feats, labels, paths = [b.features], list(b.labels), [b.paths]
        while sum(len(p) for p in paths) < num and (self._inflight or self._submit(self._batch)):
            b = self._inflight.popleft()
            for f in b.futures:
                f.result()
            feats.append(b.features)
            labels.extend(b.labels)
            paths.append(b.paths)
        if not feats:
            raise StopIteration("no more data: call reset() first")
        allf, allp = np.concatenate(feats), [p for ps in paths for p in ps]
        if len(allp) > num:
            self._leftover = _Batch(allf[num:], labels[num:], allp[num:], [])
        return _Batch(allf[:num], labels[:num], allp[:num], [])

    def _first_use(self):
        """RecordReaderDataSetIterator#initializeUnderlying: one record read, then the reader reset."""
        if not self._initialized:
            self._initialized = True
            if self.recordReader.hasNext():
                self.recordReader.next()
            self.recordReader.reset()

    def hasNext(self) -> bool:
        if self.maxNumBatches >= 0 and self.batchNum >= self.maxNumBatches:
            return False
        return bool(self._inflight) or self._leftover is not None or self.recordReader.hasNext()

    def _next(self, num):
        self._first_use()
        num = self._batch if num is None else int(num)
        if num != self._batch or self._leftover is not None:
            batch = self._take_exactly(num)
        else:
            if not self._inflight:
                self._submit(num)
            if not self._inflight:
                raise StopIteration("no more data: call reset() first")
            batch = self._inflight.popleft()
        # keep the threads busy while the caller works on this minibatch
        while len(self._inflight) < self.prefetch and self._submit(self._batch):
            pass
        try:
            for f in batch.futures:
                f.result()
        except BaseException:
            self._drain()
            raise
        self.batchNum += 1
        lab = None
        if self.recordReader.appendLabel and self.numPossibleLabels >= 1:
            lab = _one_hot(batch.labels, self.numPossibleLabels)
        feats = batch.features
        if not self.recordReader.nchw_channels_first:
            feats = feats.transpose(0, 2, 3, 1)
        ds = DataSet(feats, lab)
        ds.labelNames = list(self.labels) if self.labels else None
        return ds

    def _drain(self):
        """Wait for and drop the minibatches in flight (their files are consumed from the reader)."""
        self._leftover = None
        while self._inflight:
            for f in self._inflight.popleft().futures:
                f.cancel()
                try:
                    f.result()
                except BaseException:  # noqa: BLE001 - a dropped minibatch's error does not matter
                    pass

    def reset(self) -> None:
        """Mirrors reset(): the reader's reset (a FileSplit with a Random shuffles again)."""
        self._drain()
        self.batchNum = 0
        if self._initialized:
            self.recordReader.reset()

    def close(self) -> None:
        """Stop the decoding threads (they also stop with the interpreter)."""
        self._drain()
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None

    def __del__(self):
        pool = getattr(self, "_pool", None)
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)

    def __iter__(self):
        # DL4J's fit resets an iterator only once it is used up: a fresh iterator starts in its first order
        if self.batchNum > 0 or (self._initialized and not self.hasNext()):
            self.reset()
        while self.hasNext():
            yield self.next()

    def resetSupported(self) -> bool:
        return self.recordReader.resetSupported()

    def asyncSupported(self) -> bool:
        return True

    def batch(self) -> int:
        return self._batch

    def totalExamples(self) -> int:
        return self.recordReader.inputSplit.length() if self.recordReader.inputSplit is not None else 0

    def inputColumns(self) -> int:
        r = self.recordReader
        return r.channels * r.height * r.width

    def totalOutcomes(self) -> int:
        return self.numPossibleLabels

    def getLabels(self):
        return self.recordReader.getLabels()


def _mapped_empty(shape) -> np.ndarray:
    """A float32 array in its own anonymous memory map, unmapped when the last view of it goes.

    A minibatch (32 x 3 x 224 x 224 floats: 19 MB) from ``np.empty`` comes from glibc's malloc, which after the
    first such block is freed raises its mmap threshold above it and serves the next ones from the heap, where
    thousands of them fragment it: peak RSS then grew with the number of images (556 MiB for 1k and 5k images,
    614 MiB for 20k, bench pipeline (c)). A private map goes back to the system whole."""
    import mmap

    count = int(np.prod(shape))
    if count * 4 < 1 << 20:
        return np.empty(shape, dtype=np.float32)
    return np.frombuffer(mmap.mmap(-1, count * 4), dtype=np.float32, count=count).reshape(shape)


class _BufferPool:
    """Minibatch arrays reused once nothing refers to them any more (issue 19's pipeline bench).

    A fresh 19 MB minibatch costs the kernel 4,700 page faults, each a zeroed page: on the project's VM that was
    11 ms per minibatch of 32 images, a third of the CPU time the pipeline spends per image. The pool keeps up to
    ``size`` arrays and hands one out again only when CPython's reference count says that no one else holds it: a
    DataSet, a view, a torch tensor from ``torch.from_numpy`` or a memoryview of it all keep a reference (a view's
    ``base`` is the array itself), so an array the caller still uses is never written to. Arrays that do not fit
    in the pool come from :func:`_mapped_empty` and go back to the system when dropped."""

    def __init__(self, size: int):
        self.size = max(1, int(size))
        self.arrays: list = []

    def take(self, shape) -> np.ndarray:
        shape = tuple(int(n) for n in shape)
        for a in self.arrays:
            # 3 references: the list, the loop variable and getrefcount's argument -- nobody else holds it
            if a.shape == shape and sys.getrefcount(a) <= 3:
                return a
        if len(self.arrays) >= self.size:
            return _mapped_empty(shape)
        # an array that owns its memory, so that every view of it refers to it (numpy's base collapsing)
        a = np.empty(shape, dtype=np.float32)
        self.arrays.append(a)
        return a


def _load_chunk(loader, items, out):
    for i, (path, _, plan) in enumerate(items):
        loader._load_into(path, out[i], plan)


def ImageFolderDataSetIterator(root, height: int, width: int, channels: int = 3, batchSize: int = 32,
                               seed=None, preProcessor=None, workers=None, prefetch: int = 2,
                               imageTransform=None) -> RecordReaderDataSetIterator:
    """The DL4J idiom in one call: ``FileSplit(root, ALLOWED_FORMATS, new Random(seed))`` +
    ``ImageRecordReader(height, width, channels, new ParentPathLabelGenerator()[, imageTransform])`` +
    ``RecordReaderDataSetIterator(reader, batchSize, 1, numLabels)``.

    ``root/<label>/<image>`` folders; labels sorted; ``seed`` shuffles the file order as DL4J's
    ``FileSplit`` does with ``new Random(seed)`` (None: the file system's order, as DL4J without a Random)."""
    reader = ImageRecordReader(height, width, channels, ParentPathLabelGenerator(), imageTransform)
    reader.initialize(FileSplit(root, ALLOWED_FORMATS, seed))
    it = RecordReaderDataSetIterator(reader, batchSize, 1, reader.numLabels(), workers=workers, prefetch=prefetch)
    if preProcessor is not None:
        it.setPreProcessor(preProcessor)
    return it
