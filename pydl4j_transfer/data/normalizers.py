"""DL4J's data normalizers and their binary form (``normalizer.bin`` inside a model zip).

Mirrors ``org.nd4j.linalg.dataset.api.preprocessor.serializer.NormalizerSerializer`` and its
strategies. Byte layout (Java ``DataOutputStream``, big-endian)::

    writeUTF("NORMALIZER")  writeInt(1)  writeUTF(type)  [writeUTF(strategyClass) if type == CUSTOM]
    STANDARDIZE    writeBoolean(fitLabel)  mean  std  [labelMean  labelStd]          (ND4J arrays)
    MIN_MAX        writeBoolean(fitLabel)  writeDouble(targetMin)  writeDouble(targetMax)
                   min  max  [labelMin  labelMax]
    IMAGE_MIN_MAX  writeDouble(minRange)  writeDouble(maxRange)  writeDouble(maxPixelVal)

Other types (MULTI_*, CUSTOM, IMAGE_VGG16 -- for which DL4J registers no strategy) are kept as
an :class:`OpaqueNormalizer` holding the bytes, so a zip round-trips unchanged.
"""

from __future__ import annotations

import io
import struct

import numpy as np

from pydl4j_transfer.errors import CorruptEntryError, UnsupportedLayerError
from pydl4j_transfer.zipio import read_array_from, write_array
from pydl4j_transfer.zipio.files import atomic_write, read_bounded

HEADER = "NORMALIZER"
VERSION = 1
ENTRY = "normalizer.bin"


def _write_utf(out, s: str) -> None:
    b = s.encode("utf-8")
    out.write(struct.pack(">H", len(b)) + b)


def _where(stream) -> str:
    return getattr(stream, "entry_name", ENTRY)


class _Source(io.BytesIO):
    """The normalizer's bytes, with the name errors report (``normalizer.bin`` or the file's path)."""

    def __init__(self, data: bytes, entry_name: str):
        super().__init__(data)
        self.entry_name = entry_name


def _read_exact(stream, n: int) -> bytes:
    b = stream.read(n)
    if len(b) != n:
        raise CorruptEntryError(f"truncated: wanted {n} more bytes, got {len(b)}", entry=_where(stream))
    return b


def _read_utf(stream) -> str:
    (n,) = struct.unpack(">H", _read_exact(stream, 2))
    return _read_exact(stream, n).decode("utf-8", errors="replace")


def _read_double(stream) -> float:
    return struct.unpack(">d", _read_exact(stream, 8))[0]


def _read_bool(stream) -> bool:
    return _read_exact(stream, 1) != b"\x00"


def _array(stream) -> np.ndarray:
    return read_array_from(stream, entry=_where(stream))


def _stats_shape(stat: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Broadcast a per-feature statistic over x: features are dim 1 (DL4J's convention for 2-4D)."""
    flat = np.asarray(stat).reshape(-1)
    shape = [1] * x.ndim
    shape[1 if x.ndim > 1 else 0] = flat.size
    return flat.reshape(shape).astype(x.dtype, copy=False)


class _FeatureStatsNormalizer:
    """What NormalizerStandardize and NormalizerMinMaxScaler share: per-feature statistics, optional label fit."""

    _fit_label = False

    def fitLabel(self, fitLabels: bool = True):
        """Mirrors AbstractDataSetNormalizer#fitLabel: also normalize the labels."""
        self._fit_label = bool(fitLabels)
        return self

    def isFitLabel(self) -> bool:
        return self._fit_label

    @staticmethod
    def _stats_input(features):
        """(features as float64, the axes statistics reduce over: all but the feature axis 1)."""
        x = np.asarray(features, dtype=np.float64)
        return x, tuple(i for i in range(x.ndim) if i != (1 if x.ndim > 1 else 0))


class NormalizerStandardize(_FeatureStatsNormalizer):
    """Mirrors org.nd4j.linalg.dataset.api.preprocessor.NormalizerStandardize: (x - mean) / std per feature."""

    TYPE = "STANDARDIZE"

    def __init__(self, mean=None, std=None):
        self.mean = None if mean is None else np.asarray(mean)
        self.std = None if std is None else np.asarray(std)
        self.labelMean = self.labelStd = None

    def fit(self, features):
        """Per-feature mean and (population) standard deviation over examples (and time / space)."""
        x, axes = self._stats_input(features)
        self.mean = x.mean(axis=axes).astype(np.float32).reshape(1, -1)
        self.std = np.maximum(x.std(axis=axes), 1e-5).astype(np.float32).reshape(1, -1)
        return self

    def transform(self, features):
        """Mirrors NormalizerStandardize#transform (returns a new array)."""
        x = np.asarray(features)
        return (x - _stats_shape(self.mean, x)) / _stats_shape(self.std, x)

    def revertFeatures(self, features):
        x = np.asarray(features)
        return x * _stats_shape(self.std, x) + _stats_shape(self.mean, x)

    def _write(self, out):
        out.write(b"\x01" if self._fit_label else b"\x00")
        for arr in (self.mean, self.std) + ((self.labelMean, self.labelStd) if self._fit_label else ()):
            write_array(np.asarray(arr), stream=out)

    @classmethod
    def _read(cls, stream):
        fit_label = _read_bool(stream)
        obj = cls(_array(stream), _array(stream))
        obj.fitLabel(fit_label)
        if fit_label:
            obj.labelMean, obj.labelStd = _array(stream), _array(stream)
        return obj


class NormalizerMinMaxScaler(_FeatureStatsNormalizer):
    """Mirrors org.nd4j.linalg.dataset.api.preprocessor.NormalizerMinMaxScaler: features to [targetMin, targetMax]."""

    TYPE = "MIN_MAX"

    def __init__(self, minRange: float = 0.0, maxRange: float = 1.0):
        self.targetMin, self.targetMax = float(minRange), float(maxRange)
        self.min = self.max = self.labelMin = self.labelMax = None

    def fit(self, features):
        """Per-feature minimum and maximum over examples (and time / space)."""
        x, axes = self._stats_input(features)
        self.min = x.min(axis=axes).astype(np.float32).reshape(1, -1)
        self.max = x.max(axis=axes).astype(np.float32).reshape(1, -1)
        return self

    def transform(self, features):
        x = np.asarray(features)
        lo, hi = _stats_shape(self.min, x), _stats_shape(self.max, x)
        scaled = (x - lo) / np.maximum(hi - lo, 1e-5)
        return scaled * (self.targetMax - self.targetMin) + self.targetMin

    def _write(self, out):
        out.write(b"\x01" if self._fit_label else b"\x00")
        out.write(struct.pack(">dd", self.targetMin, self.targetMax))
        for arr in (self.min, self.max) + ((self.labelMin, self.labelMax) if self._fit_label else ()):
            write_array(np.asarray(arr), stream=out)

    @classmethod
    def _read(cls, stream):
        fit_label = _read_bool(stream)
        obj = cls(_read_double(stream), _read_double(stream))
        obj.fitLabel(fit_label)
        obj.min, obj.max = _array(stream), _array(stream)
        if fit_label:
            obj.labelMin, obj.labelMax = _array(stream), _array(stream)
        return obj


class ImagePreProcessingScaler:
    """Mirrors org.nd4j.linalg.dataset.api.preprocessor.ImagePreProcessingScaler: pixels / maxPixelVal to [min, max]."""

    TYPE = "IMAGE_MIN_MAX"

    def __init__(self, minRange: float = 0.0, maxRange: float = 1.0, maxBits: int = 8):
        self.minRange, self.maxRange = float(minRange), float(maxRange)
        self.maxPixelVal = float(2 ** maxBits - 1)

    def transform(self, features):
        x = np.asarray(features) / self.maxPixelVal
        return x * (self.maxRange - self.minRange) + self.minRange

    def _write(self, out):
        out.write(struct.pack(">ddd", self.minRange, self.maxRange, self.maxPixelVal))

    @classmethod
    def _read(cls, stream):
        obj = cls(_read_double(stream), _read_double(stream))
        obj.maxPixelVal = _read_double(stream)
        return obj


class OpaqueNormalizer:
    """A normalizer of a type this package does not model (MULTI_*, CUSTOM, ...): its bytes, kept verbatim."""

    def __init__(self, normalizer_type: str, data: bytes):
        self.TYPE = normalizer_type
        self.data = bytes(data)

    def transform(self, features):
        raise UnsupportedLayerError(self.TYPE, what="normalizer", hint="it is kept and written back unchanged, "
                                    "but cannot be applied here")


#: NormalizerSerializer's default strategies, by NormalizerType name.
STRATEGIES = {cls.TYPE: cls for cls in (NormalizerStandardize, NormalizerMinMaxScaler, ImagePreProcessingScaler)}


def read_normalizer(data: bytes, *, entry: str = ENTRY):
    """Mirrors NormalizerSerializer.getDefault().restore(stream). ``entry`` names the data in errors."""
    stream = _Source(bytes(data), entry)
    if _read_utf(stream) != HEADER:
        raise CorruptEntryError("does not start with the NORMALIZER header", entry=entry)
    (version,) = struct.unpack(">i", _read_exact(stream, 4))
    if version != VERSION:
        raise CorruptEntryError(f"normalizer format version {version}, expected {VERSION}", entry=entry)
    kind = _read_utf(stream)
    cls = STRATEGIES.get(kind)
    if cls is None:
        return OpaqueNormalizer(kind, data)
    obj = cls._read(stream)
    if stream.read(1):
        raise CorruptEntryError(f"trailing bytes after the {kind} normalizer", entry=entry)
    return obj


#: The largest normalizer file :meth:`NormalizerSerializer.restore` reads (a normalizer holds a few
#: per-feature statistics; DL4J's largest are kilobytes): as for ``normalizer.bin`` in a zip.
MAX_NORMALIZER_BYTES = 64 << 20


class NormalizerSerializer:
    """Mirrors org.nd4j.linalg.dataset.api.preprocessor.serializer.NormalizerSerializer (default strategies)."""

    @staticmethod
    def getDefault() -> "NormalizerSerializer":
        """Mirrors NormalizerSerializer.getDefault()."""
        return NormalizerSerializer()

    def write(self, normalizer, target) -> None:
        """Mirrors NormalizerSerializer#write(Normalizer, File / OutputStream / String path).

        To a path it is written atomically (zipio/files.py); to a binary stream in place."""
        data = write_normalizer(normalizer)
        if hasattr(target, "write"):
            target.write(data)
            return
        with atomic_write(target) as f:
            f.write(data)

    def restore(self, source, *, max_bytes: int = MAX_NORMALIZER_BYTES):
        """Mirrors NormalizerSerializer#restore(File / InputStream / String path): the normalizer a file holds.

        ``source``: a path (a regular file; ``NotARegularFileError`` otherwise), a binary stream or bytes.
        ``max_bytes``: larger files are refused (``InputTooLargeError``; default 64 MiB); pass more for a
        trusted file with very many features.
        """
        if isinstance(source, (bytes, bytearray, memoryview)):
            return read_normalizer(bytes(source), entry="<bytes>")
        data, where = read_bounded(source, max_bytes, "normalizer file")
        return read_normalizer(data, entry=where)


def write_normalizer(normalizer) -> bytes:
    """Mirrors NormalizerSerializer.getDefault().write(normalizer, stream)."""
    if isinstance(normalizer, OpaqueNormalizer):
        return normalizer.data
    if type(normalizer).TYPE not in STRATEGIES:
        raise UnsupportedLayerError(type(normalizer).__name__, what="normalizer")
    out = io.BytesIO()
    _write_utf(out, HEADER)
    out.write(struct.pack(">i", VERSION))
    _write_utf(out, normalizer.TYPE)
    normalizer._write(out)
    return out.getvalue()
