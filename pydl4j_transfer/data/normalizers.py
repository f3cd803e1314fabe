"""DL4J's data normalizers and their binary form (``normalizer.bin`` inside a model zip).

Mirrors ``org.nd4j.linalg.dataset.api.preprocessor.serializer.NormalizerSerializer`` and its
strategies. Byte layout (Java ``DataOutputStream``, big-endian)::

    writeUTF("NORMALIZER")  writeInt(1)  writeUTF(type)  [writeUTF(strategyClass) if type == CUSTOM]
    STANDARDIZE    writeBoolean(fitLabel)  mean  std  [labelMean  labelStd]          (ND4J arrays)
    MIN_MAX        writeBoolean(fitLabel)  writeDouble(targetMin)  writeDouble(targetMax)
                   min  max  [labelMin  labelMax]
    IMAGE_MIN_MAX  writeDouble(minRange)  writeDouble(maxRange)  writeDouble(maxPixelVal)
    MULTI_STANDARDIZE  writeBoolean(fitLabel)  writeInt(numInputs)  writeInt(fitLabel ? numOutputs : -1)
                   (mean  std) per input  [(labelMean  labelStd) per output]
    MULTI_MIN_MAX  as MULTI_STANDARDIZE with writeDouble(targetMin) writeDouble(targetMax) after the counts,
                   (min  max) per array

Other types (MULTI_HYBRID, CUSTOM, IMAGE_VGG16 -- for which DL4J registers no strategy) are kept as
an :class:`OpaqueNormalizer` holding the bytes, so a zip round-trips unchanged.
"""

from __future__ import annotations

import enum
import io
import struct

import numpy as np

from pydl4j_transfer.java_names import JavaNames
from pydl4j_transfer.errors import CorruptEntryError, InvalidConfigurationError, UnsupportedLayerError
from pydl4j_transfer.data.dataset import MultiDataSet
from pydl4j_transfer.data.iterators import DataSetIterator, MultiDataSetIterator
from pydl4j_transfer.zipio import read_array_from, write_array
from pydl4j_transfer.zipio.files import atomic_write, open_regular, read_bounded

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


class NormalizerType(enum.Enum):
    """Mirrors org.nd4j.linalg.dataset.api.preprocessor.serializer.NormalizerType (what ``getType()`` returns)."""

    STANDARDIZE = "STANDARDIZE"
    MIN_MAX = "MIN_MAX"
    IMAGE_MIN_MAX = "IMAGE_MIN_MAX"
    IMAGE_VGG16 = "IMAGE_VGG16"
    MULTI_STANDARDIZE = "MULTI_STANDARDIZE"
    MULTI_MIN_MAX = "MULTI_MIN_MAX"
    MULTI_HYBRID = "MULTI_HYBRID"
    CUSTOM = "CUSTOM"


EPS_THRESHOLD = 1e-5  # Nd4j.EPS_THRESHOLD: the floor of a std, the least max - min range


def _is_dataset(data) -> bool:
    return hasattr(data, "getFeatures") and hasattr(data, "getLabelsMaskArray")


def _is_iterator(data) -> bool:
    return hasattr(data, "hasNext") and hasattr(data, "next") and hasattr(data, "reset")


def _refuse_multi(owner, data):
    """fit/transform of a MultiDataSet (or its iterator) on a single-array normalizer: DL4J's overloads take a
    DataSet; its MultiNormalizer* classes take MultiDataSets."""
    if isinstance(data, (MultiDataSet, MultiDataSetIterator)):
        raise InvalidConfigurationError(
            f"{type(owner).__name__} normalizes a DataSet (or a DataSetIterator, or a features array); got a "
            f"{type(data).__name__}: use Multi{type(owner).__name__} (MultiNormalizerStandardize / "
            "MultiNormalizerMinMaxScaler), as in DL4J.")


def _tailor2d(data, mask):
    """Mirrors DataSetUtil.tailor2d: the rows statistics are taken over: [mb, n] as is; [mb, n, T] as
    [mb * T, n] without the masked-out time steps (None when all are masked); [mb, c, h, w] as [mb * h * w, c]."""
    x = numeric_array(data)
    if x.ndim <= 2:
        return x.reshape(1, -1) if x.ndim == 1 else x
    if x.ndim == 3:
        rows = np.moveaxis(x, 1, 2).reshape(-1, x.shape[1])
        if mask is None:
            return rows
        keep = np.asarray(mask).reshape(-1) != 0
        return rows[keep] if keep.any() else None
    if x.ndim == 4:
        return np.moveaxis(x, 1, 3).reshape(-1, x.shape[1])
    raise InvalidConfigurationError(f"Unsupported data rank {x.ndim}: normalizers take 2d, 3d (time series) or 4d "
                                    "(image) arrays")


def _per_feature(stat, x):
    """A [1, n] statistic broadcast along dimension 1 of x (DL4J's addiRowVector / BroadcastOp(..., 1))."""
    flat = np.asarray(stat).reshape(-1)
    shape = [1] * x.ndim
    shape[1 if x.ndim > 1 else 0] = flat.size
    return flat.reshape(shape).astype(x.dtype if x.dtype.kind == "f" else np.float32, copy=False)


def numeric_array(array):
    """``array`` as a numpy array of numbers; anything else (an iterator, a MultiDataSet, None) is a typed error
    saying what the method takes, instead of a TypeError from inside numpy."""
    x = array if isinstance(array, np.ndarray) else None
    if x is None and not isinstance(array, (DataSetIterator, MultiDataSetIterator, MultiDataSet)) and array is not None:
        try:
            x = np.asarray(array)
        except (TypeError, ValueError):
            x = None
    if x is None or x.dtype.kind not in "fiub":
        raise InvalidConfigurationError(
            f"expected a features/labels array (numpy, torch or nested lists of numbers) or a DataSet, got "
            f"{type(array).__name__}: fit takes a DataSet or a DataSetIterator; transform / preProcess / revert take "
            "a DataSet or an array")
    return x


def _inplace(array, fn):
    """Apply fn(x) -> new values in place when ``array`` is a writable float numpy array (DL4J's ``transform`` is
    void: it edits the INDArray), and return the result either way."""
    if isinstance(array, np.ndarray) and array.dtype.kind == "f" and array.flags.writeable:
        array[...] = fn(array)
        return array
    x = numeric_array(array)
    return fn(x.astype(np.float32) if x.dtype.kind != "f" else x)


def _zero_masked(x, mask):
    """Mirrors DataSetUtil.setMaskedValuesToZero: only time series ([mb, n, T] with a [mb, T] mask)."""
    if mask is not None and x.ndim == 3:
        return x * np.asarray(mask, dtype=x.dtype)[:, None, :]
    return x


class _Stats:
    """What a normalizer's ``fit`` gathers, DataSet by DataSet (DistributionStats / MinMaxStats builders)."""

    def __init__(self):
        self.rows = []

    def add(self, data, mask):
        rows = _tailor2d(data, mask)
        if rows is not None:
            self.rows.append(np.asarray(rows, dtype=np.float64))

    def all_rows(self):
        if not self.rows:
            raise InvalidConfigurationError("No data was added, statistics cannot be determined")
        return np.concatenate(self.rows, axis=0)


class _FeatureStatsNormalizer(JavaNames):
    """Mirrors AbstractDataSetNormalizer: per-feature statistics of the features (and, with fitLabel(true), of the
    labels), gathered by ``fit`` and applied in place by ``transform`` / ``preProcess``.

    Java's overloads as one method each: ``fit(DataSet | DataSetIterator)`` (and a features array, a Python
    addition); ``transform(DataSet | INDArray[, mask])``; ``preProcess(DataSet)``; ``revert(DataSet)``;
    ``revertFeatures(INDArray[, mask])``; ``transformLabel`` / ``revertLabels(INDArray[, mask])``. As in Java the
    array forms edit the array in place; they also return it (a list or an integer array comes back as a new
    float array)."""

    _fit_label = False

    def fitLabel(self, fitLabels: bool = True):
        """Mirrors AbstractDataSetNormalizer#fitLabel: also normalize the labels."""
        self._fit_label = bool(fitLabels)
        return self

    def isFitLabel(self) -> bool:
        """Mirrors AbstractDataSetNormalizer#isFitLabel."""
        return self._fit_label

    def fit(self, data):
        """Mirrors fit(DataSet) and fit(DataSetIterator) (the iterator is reset before and after); a plain array is
        taken as the features."""
        _refuse_multi(self, data)
        features, labels = _Stats(), _Stats()
        if _is_iterator(data):
            data.reset()
            while data.hasNext():
                ds = data.next()
                features.add(ds.getFeatures(), ds.getFeaturesMaskArray())
                if self._fit_label:
                    labels.add(ds.getLabels(), ds.getLabelsMaskArray())
            data.reset()
        elif _is_dataset(data):
            features.add(data.getFeatures(), data.getFeaturesMaskArray())
            if self._fit_label:
                labels.add(data.getLabels(), data.getLabelsMaskArray())
        else:
            features.add(data, None)
        self._set_feature_stats(*self._stats(features.all_rows()))
        if self._fit_label and labels.rows:
            self._set_label_stats(*self._stats(labels.all_rows()))
        return self

    def preProcess(self, toPreProcess):
        """Mirrors AbstractDataSetNormalizer#preProcess(DataSet): features and (fitLabel) labels, in place."""
        _refuse_multi(self, toPreProcess)
        if not _is_dataset(toPreProcess):
            return self.transform(toPreProcess)
        toPreProcess.features = self.transform(toPreProcess.getFeatures(), toPreProcess.getFeaturesMaskArray())
        if toPreProcess.getLabels() is not None:
            toPreProcess.labels = self.transformLabel(toPreProcess.getLabels(), toPreProcess.getLabelsMaskArray())
        return toPreProcess

    def transform(self, features, featuresMask=None):
        """Mirrors transform(DataSet) (= preProcess) and transform(INDArray[, INDArray mask]): in place."""
        if _is_dataset(features) or isinstance(features, MultiDataSet):
            return self.preProcess(features)
        stats = self._feature_stats()
        if stats is None:
            raise InvalidConfigurationError("Features statistics were not yet calculated. Make sure to run fit() first.")
        return _inplace(features, lambda x: _zero_masked(self._apply(x, *stats), featuresMask))

    def transformLabel(self, label, labelsMask=None):
        """Mirrors transformLabel(INDArray[, mask]): a no-op unless fitLabel(true)."""
        if not self._fit_label:
            return label
        return _inplace(label, lambda x: _zero_masked(self._apply(x, *self._label_stats()), labelsMask))

    def revertFeatures(self, features, featuresMask=None):
        """Mirrors revertFeatures(INDArray[, mask]): undo transform, in place."""
        return _inplace(features, lambda x: _zero_masked(self._revert(x, *self._feature_stats()), featuresMask))

    def revertLabels(self, labels, labelsMask=None):
        """Mirrors revertLabels(INDArray[, mask]): a no-op unless fitLabel(true)."""
        if not self._fit_label:
            return labels
        return _inplace(labels, lambda x: _zero_masked(self._revert(x, *self._label_stats()), labelsMask))

    def revert(self, data):
        """Mirrors revert(DataSet): features and labels back to what they were before preProcess."""
        data.features = self.revertFeatures(data.getFeatures(), data.getFeaturesMaskArray())
        if data.getLabels() is not None:
            data.labels = self.revertLabels(data.getLabels(), data.getLabelsMaskArray())
        return data

    def getType(self):
        """Mirrors getType()."""
        return NormalizerType[self.TYPE]

    def save(self, *files):
        """Mirrors save(File...): the feature statistics (then the label statistics, with fitLabel) as ND4J binary
        files (Nd4j.saveBinary), two per kind."""
        arrays = self._feature_stats() + (self._label_stats() if self._fit_label else ())
        if len(files) < len(arrays):
            raise InvalidConfigurationError(f"{type(self).__name__}.save needs {len(arrays)} files, got {len(files)}")
        for arr, path in zip(arrays, files):
            with atomic_write(path) as out:
                write_array(np.asarray(arr), stream=out)

    def load(self, *files):
        """Mirrors load(File...): the files :meth:`save` wrote (four with fitLabel(true))."""
        def read(path):
            with open_regular(path, "normalizer statistics file") as stream:
                return read_array_from(stream, entry=str(path))
        self._set_feature_stats(read(files[0]), read(files[1]))
        if self._fit_label:
            self._set_label_stats(read(files[2]), read(files[3]))
        return self


class NormalizerStandardize(_FeatureStatsNormalizer):
    """Mirrors org.nd4j.linalg.dataset.api.preprocessor.NormalizerStandardize: (x - mean) / std per feature.

    ``NormalizerStandardize()``, or with fixed statistics ``NormalizerStandardize(featureMean, featureStd[, labelMean,
    labelStd])`` (the four-argument form turns fitLabel on, as in Java). The statistics: population std over the
    examples (time steps of unmasked time series, pixels of images), floored at 1e-5.
    """

    TYPE = "STANDARDIZE"

    def __init__(self, mean=None, std=None, labelMean=None, labelStd=None):
        self.mean = self.std = self.labelMean = self.labelStd = None
        if mean is not None:
            self._set_feature_stats(mean, std)
        if labelMean is not None:
            self._set_label_stats(labelMean, labelStd)
            self.fitLabel(True)

    @staticmethod
    def _stats(rows):
        mean = rows.mean(axis=0).reshape(1, -1).astype(np.float32)
        std = rows.std(axis=0).reshape(1, -1).astype(np.float32)
        return mean, std

    def _set_feature_stats(self, mean, std):
        self.mean, self.std = np.asarray(mean), np.maximum(np.asarray(std), EPS_THRESHOLD).astype(np.asarray(std).dtype)

    def _set_label_stats(self, mean, std):
        self.labelMean = np.asarray(mean)
        self.labelStd = np.maximum(np.asarray(std), EPS_THRESHOLD).astype(np.asarray(std).dtype)

    def _feature_stats(self):
        return None if self.mean is None else (self.mean, self.std)

    def _label_stats(self):
        return self.labelMean, self.labelStd

    @staticmethod
    def _apply(x, mean, std):
        return (x - _per_feature(mean, x)) / _per_feature(np.where(np.asarray(std) == 0, 1.0, std), x)

    @staticmethod
    def _revert(x, mean, std):
        return x * _per_feature(np.where(np.asarray(std) == 0, 1.0, std), x) + _per_feature(mean, x)

    def setLabelStats(self, labelMean, labelStd):
        """Mirrors NormalizerStandardize#setLabelStats."""
        self._set_label_stats(labelMean, labelStd)

    def getMean(self):
        """Mirrors NormalizerStandardize#getMean: the [1, n] feature means."""
        return self.mean

    def getStd(self):
        """Mirrors NormalizerStandardize#getStd."""
        return self.std

    def getLabelMean(self):
        return self.labelMean

    def getLabelStd(self):
        return self.labelStd

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
    """Mirrors org.nd4j.linalg.dataset.api.preprocessor.NormalizerMinMaxScaler: features to [targetMin, targetMax].

    A feature whose max - min is below 1e-5 gets its max raised to min + 1e-5 (DL4J's MinMaxStats), so ``getMax()``
    shows the padded value, as in Java.
    """

    TYPE = "MIN_MAX"

    def __init__(self, minRange: float = 0.0, maxRange: float = 1.0):
        self.targetMin = float(minRange)
        self.targetMax = max(float(maxRange), self.targetMin + EPS_THRESHOLD)  # MinMaxStrategy's constructor
        self.min = self.max = self.labelMin = self.labelMax = None

    @staticmethod
    def _stats(rows):
        return rows.min(axis=0).reshape(1, -1).astype(np.float32), rows.max(axis=0).reshape(1, -1).astype(np.float32)

    @staticmethod
    def _padded(lower, upper):
        lower, upper = np.asarray(lower), np.asarray(upper)
        diff = upper - lower
        return lower, upper + (np.maximum(diff, EPS_THRESHOLD) - diff).astype(upper.dtype)

    def _set_feature_stats(self, lower, upper):
        self.min, self.max = self._padded(lower, upper)

    def _set_label_stats(self, lower, upper):
        self.labelMin, self.labelMax = self._padded(lower, upper)

    def _feature_stats(self):
        return None if self.min is None else (self.min, self.max)

    def _label_stats(self):
        return self.labelMin, self.labelMax

    def _apply(self, x, lower, upper):
        lo = _per_feature(lower, x)
        scaled = (x - lo) / (_per_feature(upper, x) - lo)
        return scaled * (self.targetMax - self.targetMin) + self.targetMin

    def _revert(self, x, lower, upper):
        lo = _per_feature(lower, x)
        return (x - self.targetMin) / (self.targetMax - self.targetMin) * (_per_feature(upper, x) - lo) + lo

    def setFeatureStats(self, featureMin, featureMax):
        """Mirrors NormalizerMinMaxScaler#setFeatureStats."""
        self._set_feature_stats(featureMin, featureMax)

    def setLabelStats(self, labelMin, labelMax):
        """Mirrors NormalizerMinMaxScaler#setLabelStats."""
        self._set_label_stats(labelMin, labelMax)

    def getMin(self):
        return self.min

    def getMax(self):
        return self.max

    def getLabelMin(self):
        return self.labelMin

    def getLabelMax(self):
        return self.labelMax

    def getTargetMin(self):
        return self.targetMin

    def getTargetMax(self):
        return self.targetMax

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


class ImagePreProcessingScaler(JavaNames):
    """Mirrors org.nd4j.linalg.dataset.api.preprocessor.ImagePreProcessingScaler: pixels / maxPixelVal to [min, max].

    Nothing to fit (``fit`` accepts what DL4J's does and does nothing). With ``fitLabel(true)`` rank-4 labels
    (segmentation masks) are scaled too. As in DL4J M2.1, ``getMaxBits()`` reports the field the constructor never
    sets (0) unless ``setMaxBits`` was called; ``maxPixelVal`` is 2^maxBits - 1 of the constructor's argument.
    """

    TYPE = "IMAGE_MIN_MAX"

    def __init__(self, minRange: float = 0.0, maxRange: float = 1.0, maxBits: int = 8):
        self.minRange, self.maxRange = float(minRange), float(maxRange)
        self.maxPixelVal = float(2 ** maxBits - 1)
        self.maxBits = 0
        self.fitLabels = False

    def fit(self, data):
        """Mirrors ImagePreProcessingScaler#fit(DataSet | DataSetIterator): nothing to fit."""
        _refuse_multi(self, data)
        return self

    def _scale(self, x):
        x = x / self.maxPixelVal
        if self.maxRange - self.minRange != 1:
            x = x * (self.maxRange - self.minRange)
        if self.minRange != 0:
            x = x + self.minRange
        return x

    def _unscale(self, x):
        if self.minRange != 0:
            x = x - self.minRange
        if self.maxRange - self.minRange != 1.0:
            x = x / (self.maxRange - self.minRange)
        return x * self.maxPixelVal

    def preProcess(self, data):
        """Mirrors preProcess(DataSet) (features, and rank-4 labels with fitLabel) and preProcess(INDArray)."""
        if _is_dataset(data):
            data.features = _inplace(data.getFeatures(), self._scale)
            if self.fitLabels and data.getLabels() is not None:
                data.labels = _inplace(data.getLabels(), self._scale)
            return data
        _refuse_multi(self, data)
        return _inplace(data, self._scale)

    def transform(self, features, featuresMask=None):
        """Mirrors transform(DataSet | INDArray[, mask]) (= preProcess), in place."""
        return self.preProcess(features)

    def transformLabel(self, label, labelsMask=None):
        """Mirrors transformLabel: rank-4 (segmentation) labels only."""
        _check_rank4(label)
        return _inplace(label, self._scale)

    def revertFeatures(self, features, featuresMask=None):
        return _inplace(features, self._unscale)

    def revertLabels(self, labels, labelsMask=None):
        _check_rank4(labels)
        return _inplace(labels, self._unscale)

    def revert(self, data):
        """Mirrors revert(DataSet)."""
        data.features = self.revertFeatures(data.getFeatures())
        data.labels = self.revertLabels(data.getLabels())
        return data

    def fitLabel(self, fitLabels=True):
        self.fitLabels = bool(fitLabels)
        return self

    def isFitLabel(self) -> bool:
        return self.fitLabels

    def getType(self):
        return NormalizerType.IMAGE_MIN_MAX

    def _write(self, out):
        out.write(struct.pack(">ddd", self.minRange, self.maxRange, self.maxPixelVal))

    @classmethod
    def _read(cls, stream):
        obj = cls(_read_double(stream), _read_double(stream))
        obj.maxPixelVal = _read_double(stream)
        return obj


def _check_rank4(labels):
    if labels is None or np.ndim(labels) != 4:
        raise InvalidConfigurationError("Labels can only be transformed for segmentation use cases using this "
                                        f"preprocesser - i.e., labels must be rank 4. Got: {np.shape(labels)}")


for _java in ("minRange", "maxRange", "maxPixelVal", "maxBits", "fitLabels"):
    _cap = _java[0].upper() + _java[1:]
    setattr(ImagePreProcessingScaler, ("is" if _java == "fitLabels" else "get") + _cap,
            (lambda a: lambda self: getattr(self, a))(_java))
    setattr(ImagePreProcessingScaler, "set" + _cap, (lambda a: lambda self, v: setattr(self, a, v))(_java))


class _MultiNormalizer(JavaNames):
    """Mirrors AbstractMultiDataSetNormalizer: one set of statistics per features array (and, with fitLabel(true),
    per labels array) of a MultiDataSet, each gathered and applied as the single-array normalizer does."""

    SINGLE = None  # the single-array normalizer whose statistics and arithmetic each array uses

    def __init__(self, *args):
        self._args = args
        self._fit_label = False
        self._features: list = []
        self._labels: list = []

    def fitLabel(self, fitLabels: bool = True):
        self._fit_label = bool(fitLabels)
        return self

    def isFitLabel(self) -> bool:
        return self._fit_label

    def fit(self, data):
        """Mirrors fit(MultiDataSet) and fit(MultiDataSetIterator) (the iterator is reset before)."""
        if _is_dataset(data) or isinstance(data, DataSetIterator):
            raise InvalidConfigurationError(f"{type(self).__name__} normalizes MultiDataSets (or a MultiDataSetIterator); "
                                            f"for a {type(data).__name__} use {self.SINGLE.__name__}")
        if not isinstance(data, (MultiDataSet, MultiDataSetIterator)):
            raise InvalidConfigurationError(f"{type(self).__name__}.fit takes a MultiDataSet or a MultiDataSetIterator, "
                                            f"got {type(data).__name__}")
        features: list = []
        labels: list = []
        batches = [data] if isinstance(data, MultiDataSet) else None
        if batches is None:
            data.reset()
            batches = []
            while data.hasNext():
                batches.append(data.next())
        for mds in batches:
            if not features:
                features = [_Stats() for _ in range(mds.numFeatureArrays())]
                labels = [_Stats() for _ in range(mds.numLabelsArrays())]
            for i, stats in enumerate(features):
                stats.add(mds.getFeatures(i), mds.getFeaturesMaskArray(i))
            if self._fit_label:
                for i, stats in enumerate(labels):
                    stats.add(mds.getLabels(i), mds.getLabelsMaskArray(i))
        self._features = [self._single(stats) for stats in features]
        if self._fit_label:
            self._labels = [self._single(stats) for stats in labels]
        return self

    def _single(self, stats, arrays=None):
        norm = self.SINGLE(*self._args)
        norm._set_feature_stats(*(arrays if arrays is not None else norm._stats(stats.all_rows())))
        return norm

    def preProcess(self, toPreProcess):
        """Mirrors preProcess(MultiDataSet): every features array (and, with fitLabel, labels array) in place."""
        if not isinstance(toPreProcess, MultiDataSet):
            raise InvalidConfigurationError(f"{type(self).__name__} pre-processes a MultiDataSet, got "
                                            f"{type(toPreProcess).__name__}")
        if not self._features:
            raise InvalidConfigurationError("Features statistics were not yet calculated. Make sure to run fit() first.")
        toPreProcess.features = [n.transform(x, toPreProcess.getFeaturesMaskArray(i))
                                 for i, (n, x) in enumerate(zip(self._features, toPreProcess.getFeatures()))]
        if self._fit_label and toPreProcess.getLabels():
            toPreProcess.labels = [n.transform(x, toPreProcess.getLabelsMaskArray(i))
                                   for i, (n, x) in enumerate(zip(self._labels, toPreProcess.getLabels()))]
        return toPreProcess

    transform = preProcess

    def revertFeatures(self, features, maskArrays=None, input=None):
        """Mirrors revertFeatures(INDArray[] [, INDArray[] masks]) and revertFeatures(INDArray, mask, int input)."""
        if input is not None:
            return self._features[input].revertFeatures(features, maskArrays)
        return [n.revertFeatures(x, None if maskArrays is None else maskArrays[i])
                for i, (n, x) in enumerate(zip(self._features, features))]

    def revertLabels(self, labels, maskArrays=None, output=None):
        """Mirrors revertLabels(INDArray[] [, masks]) / (INDArray, mask, int output): a no-op unless fitLabel."""
        if not self._fit_label:
            return labels
        if output is not None:
            return self._labels[output].revertFeatures(labels, maskArrays)
        return [n.revertFeatures(x, None if maskArrays is None else maskArrays[i])
                for i, (n, x) in enumerate(zip(self._labels, labels))]

    def revert(self, data):
        """Mirrors revert(MultiDataSet)."""
        data.features = self.revertFeatures(data.getFeatures(), data.getFeaturesMaskArrays())
        if data.getLabels():
            data.labels = self.revertLabels(data.getLabels(), data.getLabelsMaskArrays())
        return data

    def save(self, featureFiles, labelFiles=()):
        """Mirrors save(List<File> featureFiles, List<File> labelFiles): two ND4J binary files per array (the label
        files only with fitLabel)."""
        for norms, files in ((self._features, list(featureFiles)), (self._labels if self._fit_label else [], list(labelFiles))):
            if len(files) != 2 * len(norms):
                raise InvalidConfigurationError(f"Need twice as many files as inputs / outputs ({2 * len(norms)}), "
                                                f"got {len(files)}")
            for i, norm in enumerate(norms):
                norm.save(files[2 * i], files[2 * i + 1])

    def load(self, featureFiles, labelFiles=()):
        """Mirrors load(List<File> featureFiles, List<File> labelFiles): the files :meth:`save` wrote."""
        def read(files):
            files = list(files)
            return [self.SINGLE(*self._args).load(files[2 * i], files[2 * i + 1]) for i in range(len(files) // 2)]
        self._features = read(featureFiles)
        if self._fit_label:
            self._labels = read(labelFiles)
        return self

    def numInputs(self) -> int:
        return len(self._features)

    def numOutputs(self) -> int:
        return len(self._labels)

    def getType(self):
        return NormalizerType[self.TYPE]

    def _write_stats(self, out):
        out.write(b"\x01" if self._fit_label else b"\x00")
        out.write(struct.pack(">ii", self.numInputs(), self.numOutputs() if self._fit_label else -1))
        self._write_extra(out)
        for norm in self._features + (self._labels if self._fit_label else []):
            for arr in norm._feature_stats():
                write_array(np.asarray(arr), stream=out)

    _write = _write_stats

    def _write_extra(self, out):
        """Type-specific values between the counts and the arrays (MultiMinMax: targetMin, targetMax)."""

    @classmethod
    def _read(cls, stream):
        fit_label = _read_bool(stream)
        (n_in, n_out) = struct.unpack(">ii", _read_exact(stream, 8))
        if not (0 <= n_in <= 4096 and (n_out == -1 or 0 <= n_out <= 4096)):
            raise CorruptEntryError(f"{cls.TYPE}: implausible numbers of inputs/outputs ({n_in}, {n_out})",
                                    entry=_where(stream))
        obj = cls(*cls._read_extra(stream))
        obj.fitLabel(fit_label)

        def pairs(n):
            return [obj._single(None, (_array(stream), _array(stream)))
                    for _ in range(n)]
        obj._features = pairs(n_in)
        if fit_label:
            obj._labels = pairs(n_out)
        return obj

    @classmethod
    def _read_extra(cls, stream):
        return ()


class MultiNormalizerStandardize(_MultiNormalizer):
    """Mirrors org.nd4j.linalg.dataset.api.preprocessor.MultiNormalizerStandardize: NormalizerStandardize per array of
    a MultiDataSet."""

    TYPE = "MULTI_STANDARDIZE"
    SINGLE = NormalizerStandardize

    def getFeatureMean(self, input):
        return self._features[input].getMean()

    def getFeatureStd(self, input):
        return self._features[input].getStd()

    def getLabelMean(self, output):
        return self._labels[output].getMean()

    def getLabelStd(self, output):
        return self._labels[output].getStd()


class MultiNormalizerMinMaxScaler(_MultiNormalizer):
    """Mirrors org.nd4j.linalg.dataset.api.preprocessor.MultiNormalizerMinMaxScaler(minRange, maxRange): a
    NormalizerMinMaxScaler per array of a MultiDataSet."""

    TYPE = "MULTI_MIN_MAX"
    SINGLE = NormalizerMinMaxScaler

    def __init__(self, minRange: float = 0.0, maxRange: float = 1.0):
        super().__init__(minRange, maxRange)
        self._target = NormalizerMinMaxScaler(minRange, maxRange)

    def getTargetMin(self):
        return self._target.targetMin

    def getTargetMax(self):
        return self._target.targetMax

    def getMin(self, input):
        return self._features[input].getMin()

    def getMax(self, input):
        return self._features[input].getMax()

    def getLabelMin(self, output):
        return self._labels[output].getMin()

    def getLabelMax(self, output):
        return self._labels[output].getMax()

    def _write_extra(self, out):
        out.write(struct.pack(">dd", self.getTargetMin(), self.getTargetMax()))

    @classmethod
    def _read_extra(cls, stream):
        return _read_double(stream), _read_double(stream)


class OpaqueNormalizer:
    """A normalizer of a type this package does not model (MULTI_*, CUSTOM, ...): its bytes, kept verbatim."""

    def __init__(self, normalizer_type: str, data: bytes):
        self.TYPE = normalizer_type
        self.data = bytes(data)

    def transform(self, features):
        raise UnsupportedLayerError(self.TYPE, what="normalizer", hint="it is kept and written back unchanged, "
                                    "but cannot be applied here")


#: NormalizerSerializer's default strategies, by NormalizerType name.
STRATEGIES = {cls.TYPE: cls for cls in (NormalizerStandardize, NormalizerMinMaxScaler, ImagePreProcessingScaler,
                                        MultiNormalizerStandardize, MultiNormalizerMinMaxScaler)}


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
