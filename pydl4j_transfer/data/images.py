"""Image pre-processing and an image-folder iterator, as DL4J's DataVec image pipeline gives them.

Mirrors ``org.nd4j.linalg.dataset.api.preprocessor.VGG16ImagePreProcessor``,
``org.datavec.image.recordreader.ImageRecordReader`` (with ``NativeImageLoader``),
``org.datavec.api.io.labels.ParentPathLabelGenerator``, ``org.datavec.api.split.FileSplit``
and ``org.deeplearning4j.datasets.datavec.RecordReaderDataSetIterator`` for the image case.

What DL4J does, and so we do:

* labels are the names of the files' parent folders, sorted (Java ``String`` order, which is
  Python's ``str`` order for BMP text) -- ``BaseImageRecordReader#initialize``;
* images are decoded as OpenCV does in ``NativeImageLoader``: **BGR channel order**, 0..255
  values as float32, layout **NCHW** ``[batch, channels, height, width]``; grey images with
  ``channels=3`` are replicated, colour images with ``channels=1`` are converted to grey
  (ITU-R 601: 0.299 R + 0.587 G + 0.114 B); alpha is dropped;
* images whose size differs from ``height x width`` are resized with bilinear interpolation
  (OpenCV ``INTER_LINEAR``'s half-pixel mapping);
* labels come out one-hot, ``[batch, numClasses]``.

Differs: files are listed in sorted path order (DL4J's ``FileSplit`` takes the file system's
order unless given a Random); a seeded shuffle uses numpy's generator. Resized pixels are
computed in float and rounded, so they can differ from OpenCV's fixed-point result by 1.

Decoding uses Pillow when it is installed (every format it reads); without it, PNG (8-bit,
grey / grey+alpha / RGB / RGBA, not interlaced) is decoded by a small stdlib reader here.
"""

from __future__ import annotations

import os
import struct
import zlib
from pathlib import Path

import numpy as np

from pydl4j_transfer.java_names import JavaNames
from pydl4j_transfer.data.dataset import DataSet
from pydl4j_transfer.data.iterators import DataSetIterator
from pydl4j_transfer.data.normalizers import NormalizerType, numeric_array

__all__ = [
    "VGG16ImagePreProcessor", "ParentPathLabelGenerator", "FileSplit", "ImageRecordReader",
    "RecordReaderDataSetIterator", "ImageFolderDataSetIterator", "read_image", "write_png",
    "ALLOWED_FORMATS",
]

#: NativeImageLoader.ALLOWED_FORMATS (lower case, no dot).
ALLOWED_FORMATS = ("bmp", "gif", "jpg", "jpeg", "jp2", "pbm", "pgm", "ppm", "pnm", "png", "tif", "tiff",
                   "exr", "webp", "BMP", "GIF", "JPG", "JPEG", "JP2", "PBM", "PGM", "PPM", "PNM", "PNG",
                   "TIF", "TIFF", "EXR", "WEBP")


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


class ParentPathLabelGenerator(JavaNames):
    """Mirrors org.datavec.api.io.labels.ParentPathLabelGenerator: the label is the parent folder's name."""

    def getLabelForPath(self, path) -> str:
        return Path(path).parent.name

    def inferLabelClasses(self) -> bool:
        return True


class FileSplit(JavaNames):
    """Mirrors org.datavec.api.split.FileSplit(File root, String[] allowFormat, Random random).

    Files under ``root`` (recursively) with an allowed extension, in sorted path order, or
    shuffled with numpy's generator when ``seed`` is given.
    """

    def __init__(self, rootDir, allowFormat=ALLOWED_FORMATS, seed=None):
        self.rootDir = Path(rootDir)
        exts = {("." + e.lstrip(".")).lower() for e in (allowFormat or ())}
        if not self.rootDir.exists():
            raise FileNotFoundError(f"FileSplit: {self.rootDir} does not exist")
        files = [self.rootDir] if self.rootDir.is_file() else sorted(
            p for p in self.rootDir.rglob("*") if p.is_file() and (not exts or p.suffix.lower() in exts))
        if seed is not None:
            files = [files[i] for i in np.random.default_rng(seed).permutation(len(files))]
        self.locations = files

    def locations_(self):
        return list(self.locations)

    def length(self) -> int:
        return len(self.locations)


# --- decoding ---------------------------------------------------------------------------------

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_PNG_CHANNELS = {0: 1, 2: 3, 4: 2, 6: 4}  # colour type -> samples per pixel


def _paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else (b if pb <= pc else c)


def _decode_png(data: bytes) -> np.ndarray:
    """[H, W, C] uint8 from an 8-bit non-interlaced PNG (stdlib only)."""
    if not data.startswith(_PNG_SIGNATURE):
        raise ValueError("not a PNG file (install Pillow to read other image formats)")
    pos, idat, header = 8, [], None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
    if header is None:
        raise ValueError("PNG without IHDR")
    width, height, depth, ctype, _, _, interlace = header
    if depth != 8 or ctype not in _PNG_CHANNELS or interlace:
        raise ValueError(f"PNG with bit depth {depth}, colour type {ctype}, interlace {interlace} needs Pillow "
                         "(pip install pillow)")
    ch = _PNG_CHANNELS[ctype]
    raw = np.frombuffer(zlib.decompress(b"".join(idat)), dtype=np.uint8)
    stride = width * ch
    raw = raw[: height * (stride + 1)].reshape(height, stride + 1)
    out = np.zeros((height, stride), dtype=np.int32)
    prev = np.zeros(stride, dtype=np.int32)
    for y in range(height):
        ftype, line = raw[y, 0], raw[y, 1:].astype(np.int32)
        if ftype == 0:
            cur = line
        elif ftype == 2:
            cur = (line + prev) & 0xFF
        else:
            cur = line.copy()
            for x in range(stride):
                left = cur[x - ch] if x >= ch else 0
                if ftype == 1:
                    cur[x] = (cur[x] + left) & 0xFF
                elif ftype == 3:
                    cur[x] = (cur[x] + ((left + prev[x]) >> 1)) & 0xFF
                elif ftype == 4:
                    upleft = prev[x - ch] if x >= ch else 0
                    cur[x] = (cur[x] + _paeth(left, prev[x], upleft)) & 0xFF
                else:
                    raise ValueError(f"PNG filter type {ftype} is invalid")
        out[y] = cur
        prev = cur
    return out.astype(np.uint8).reshape(height, width, ch)


def write_png(path, pixels) -> None:
    """Write ``pixels`` ([H, W] grey or [H, W, 3|4] RGB(A), uint8) as a PNG (stdlib; for tests and demos)."""
    a = np.asarray(pixels, dtype=np.uint8)
    if a.ndim == 2:
        a = a[:, :, None]
    ctype = {1: 0, 2: 4, 3: 2, 4: 6}[a.shape[2]]
    h, w, _ = a.shape
    raw = b"".join(b"\x00" + a[y].tobytes() for y in range(h))

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    with open(os.fspath(path), "wb") as f:
        f.write(_PNG_SIGNATURE + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, ctype, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def _decode(path) -> np.ndarray:
    """[H, W, C] uint8, C in (1, 2, 3, 4), colour channels in RGB order."""
    try:
        from PIL import Image  # optional dependency
    except ImportError:
        Image = None
    if Image is not None:
        with Image.open(path) as im:
            if im.mode not in ("L", "LA", "RGB", "RGBA"):
                im = im.convert("RGBA" if "A" in im.getbands() else "RGB")
            a = np.asarray(im, dtype=np.uint8)
        return a[:, :, None] if a.ndim == 2 else a
    with open(path, "rb") as f:
        return _decode_png(f.read())


def _resize_bilinear(img: np.ndarray, height: int, width: int) -> np.ndarray:
    """OpenCV INTER_LINEAR's mapping (half-pixel centres, edge clamp) on [H, W, C] float32."""
    h, w = img.shape[:2]
    if (h, w) == (height, width):
        return img

    def axis(n_out, n_in):
        src = (np.arange(n_out, dtype=np.float64) + 0.5) * (n_in / n_out) - 0.5
        src = np.clip(src, 0, None)
        i0 = np.minimum(np.floor(src).astype(np.int64), n_in - 1)
        i1 = np.minimum(i0 + 1, n_in - 1)
        frac = (src - i0).astype(np.float32)
        return i0, i1, frac

    y0, y1, fy = axis(height, h)
    x0, x1, fx = axis(width, w)
    top = img[y0][:, x0] * (1 - fx)[None, :, None] + img[y0][:, x1] * fx[None, :, None]
    bot = img[y1][:, x0] * (1 - fx)[None, :, None] + img[y1][:, x1] * fx[None, :, None]
    return top * (1 - fy)[:, None, None] + bot * fy[:, None, None]


def read_image(path, height: int, width: int, channels: int = 3) -> np.ndarray:
    """One image as NativeImageLoader#asMatrix gives it: float32 [channels, height, width], BGR, 0..255."""
    a = _decode(path)
    if a.shape[2] in (2, 4):  # drop alpha
        a = a[:, :, :-1]
    a = a.astype(np.float32)
    if channels == 1 and a.shape[2] == 3:
        a = np.rint(a @ np.array([0.299, 0.587, 0.114], dtype=np.float32))[:, :, None]
    elif channels == 3 and a.shape[2] == 1:
        a = np.repeat(a, 3, axis=2)
    elif channels == 3:
        a = a[:, :, ::-1]  # RGB -> BGR, as OpenCV decodes
    elif channels != a.shape[2]:
        raise ValueError(f"cannot load {path} with {a.shape[2]} channels as {channels} channels")
    a = _resize_bilinear(a, int(height), int(width))
    if a.dtype != np.float32 or not np.array_equal(a, np.rint(a)):
        a = np.clip(np.rint(a), 0, 255)
    return np.ascontiguousarray(a.transpose(2, 0, 1), dtype=np.float32)


class ImageRecordReader(JavaNames):
    """Mirrors org.datavec.image.recordreader.ImageRecordReader(height, width, channels, labelGenerator)."""

    def __init__(self, height: int, width: int, channels: int = 3, labelGenerator=None):
        self.height, self.width, self.channels = int(height), int(width), int(channels)
        self.labelGenerator = labelGenerator
        self.labels = []
        self.locations = []
        self.curr = 0

    def initialize(self, split) -> None:
        """Mirrors ImageRecordReader#initialize(InputSplit): list the files and infer the labels."""
        if not isinstance(split, FileSplit):
            split = FileSplit(split)
        self.locations = list(split.locations)
        if self.labelGenerator is not None and self.labelGenerator.inferLabelClasses():
            self.labels = sorted({self.labelGenerator.getLabelForPath(p) for p in self.locations})
        self.curr = 0

    def getLabels(self):
        return list(self.labels)

    def numLabels(self) -> int:
        return len(self.labels)

    def hasNext(self) -> bool:
        return self.curr < len(self.locations)

    def next(self):
        """(image [C, H, W] float32, label index or None) for the next file."""
        path = self.locations[self.curr]
        self.curr += 1
        img = read_image(path, self.height, self.width, self.channels)
        label = None
        if self.labelGenerator is not None:
            label = self.labels.index(self.labelGenerator.getLabelForPath(path))
        return img, label

    def reset(self) -> None:
        self.curr = 0


class RecordReaderDataSetIterator(DataSetIterator):
    """Mirrors org.deeplearning4j.datasets.datavec.RecordReaderDataSetIterator(reader, batchSize, labelIndex, numPossibleLabels) for images.

    Features ``[batch, channels, height, width]`` float32, labels one-hot ``[batch, numPossibleLabels]``.
    ``labelIndex`` is accepted for a line-by-line port (DL4J passes 1 for images) and unused.
    """

    def __init__(self, recordReader, batchSize: int, labelIndex: int = 1, numPossibleLabels=None):
        super().__init__()
        self.recordReader = recordReader
        self._batch = int(batchSize)
        self.numPossibleLabels = int(numPossibleLabels if numPossibleLabels is not None
                                     else recordReader.numLabels())
        self.labels = recordReader.getLabels()

    def hasNext(self) -> bool:
        return self.recordReader.hasNext()

    def _next(self, num):
        num = self._batch if num is None else int(num)
        images, labels = [], []
        while len(images) < num and self.recordReader.hasNext():
            img, label = self.recordReader.next()
            images.append(img)
            labels.append(label)
        feats = np.stack(images)
        lab = None
        if labels and labels[0] is not None:
            lab = np.zeros((len(labels), self.numPossibleLabels), dtype=np.float32)
            lab[np.arange(len(labels)), labels] = 1.0
        ds = DataSet(feats, lab)
        ds.labelNames = list(self.labels)
        return ds

    def reset(self) -> None:
        self.recordReader.reset()

    def batch(self) -> int:
        return self._batch

    def totalExamples(self) -> int:
        return len(self.recordReader.locations)

    def inputColumns(self) -> int:
        r = self.recordReader
        return r.channels * r.height * r.width

    def totalOutcomes(self) -> int:
        return self.numPossibleLabels


def ImageFolderDataSetIterator(root, height: int, width: int, channels: int = 3, batchSize: int = 32,
                               seed=None, preProcessor=None) -> RecordReaderDataSetIterator:
    """The DL4J idiom in one call: FileSplit + ImageRecordReader(ParentPathLabelGenerator) + RecordReaderDataSetIterator.

    ``root/<label>/<image>`` folders; labels sorted; ``seed`` shuffles the file order (numpy).
    """
    reader = ImageRecordReader(height, width, channels, ParentPathLabelGenerator())
    reader.initialize(FileSplit(root, ALLOWED_FORMATS, seed=seed))
    it = RecordReaderDataSetIterator(reader, batchSize, 1, reader.numLabels())
    if preProcessor is not None:
        it.setPreProcessor(preProcessor)
    return it
