"""DataSet and MultiDataSet, with ND4J's binary ``save``/``load`` formats.

Mirrors ``org.nd4j.linalg.dataset.DataSet`` and ``org.nd4j.linalg.dataset.MultiDataSet``.
Arrays are numpy (torch tensors and lists are accepted and converted).

Byte-level spec (Java ``DataOutputStream``, big-endian; ``array`` is ``Nd4j.write``'s record,
see :mod:`pydl4j_transfer.zipio.nd4j_binary`)::

    DataSet      := uint8 flags, [array features], [array labels], [array featuresMask], [array labelsMask]
    flags        := 1 features present | 2 labels present | 4 labels same object as features
                    | 8 features mask present | 16 labels mask present
                    (with 4 set, the labels array is not written; it is the features array)

    MultiDataSet := int32 nFeatures, int32 nLabels, int32 nFeaturesMasks, int32 nLabelsMasks,
                    array features[nFeatures], array labels[nLabels],
                    array featuresMasks[nFeaturesMasks], array labelsMasks[nLabelsMasks]
                    (a missing mask inside a mask list is written as the placeholder FLOAT
                    array ``[-1.0]`` of shape [1]; readers map it back to None)

Checked both ways against real DL4J 1.0.0-M2.1 (tests/datasets/test_dataset_live_dl4j.py).
"""

from __future__ import annotations

import contextlib
import io
import os
import struct

import numpy as np

from pydl4j_transfer.errors import CorruptEntryError
from pydl4j_transfer.zipio.files import atomic_write, open_regular
from pydl4j_transfer.java_names import JavaNames
from pydl4j_transfer.zipio.nd4j_binary import read_array_from, write_array

__all__ = ["DataSet", "MultiDataSet", "SplitTestAndTrain"]

FLAG_FEATURES = 1
FLAG_LABELS = 2
FLAG_LABELS_SAME_AS_FEATURES = 4
FLAG_FEATURES_MASK = 8
FLAG_LABELS_MASK = 16

#: MultiDataSet's stand-in for a null mask inside a mask list (``EMPTY_MASK_ARRAY_PLACEHOLDER``).
EMPTY_MASK_PLACEHOLDER = np.array([-1.0], dtype=np.float32)


def as_array(x):
    """numpy view/copy of a numpy array, torch tensor (without importing torch) or list; None stays None."""
    if x is None:
        return None
    if hasattr(x, "detach") and hasattr(x, "cpu"):
        x = x.detach().cpu().numpy()
    return np.asarray(x)


@contextlib.contextmanager
def _writing(target):
    """A binary stream to write ``target`` through: the stream itself, or for a path the atomic writer
    (zipio/files.py: a temp file beside it, fsynced and renamed once complete; permissions kept, symlinks
    written through, leftovers of killed writes removed)."""
    if hasattr(target, "write"):
        yield target
        return
    with atomic_write(target) as f:
        yield f


def _open_in(source, what: str):
    """(stream, close it?, display name) for a path, a binary stream or bytes. Paths must be regular files."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        return io.BytesIO(bytes(source)), True, "<bytes>"
    if hasattr(source, "read"):
        name = getattr(source, "name", None)
        return source, False, name if isinstance(name, str) else "<stream>"
    return open_regular(source, what), True, os.fspath(source)


def _read_exact(stream, n: int, where: str) -> bytes:
    b = stream.read(n)
    if len(b) != n:
        raise CorruptEntryError(f"truncated: needed {n} bytes, got {len(b)}; not a complete ND4J file", where)
    return b


def _concat(arrays, what: str):
    present = [a for a in arrays if a is not None]
    if not present:
        return None
    if len(present) != len(arrays):
        raise ValueError(f"cannot merge: {what} is present in some DataSets and missing in others")
    return np.concatenate(present, axis=0)


def _merge_masks(masks, arrays):
    """Masks to merge: if any is present, absent ones become all-ones masks of the array's [mb, T] shape."""
    if all(m is None for m in masks):
        return None
    filled = []
    for m, a in zip(masks, arrays):
        if m is None:
            shape = (a.shape[0],) + ((a.shape[2],) if a.ndim == 3 else (1,) if a.ndim == 2 else a.shape[2:])
            m = np.ones(shape, dtype=a.dtype)
        filled.append(m)
    return np.concatenate(filled, axis=0)


class SplitTestAndTrain(JavaNames):
    """Mirrors org.nd4j.linalg.dataset.SplitTestAndTrain: a (train, test) pair of DataSets."""

    def __init__(self, train, test):
        self.train, self.test = train, test

    def getTrain(self):
        return self.train

    def getTest(self):
        return self.test

    def __iter__(self):
        return iter((self.train, self.test))


class DataSet(JavaNames):
    """Mirrors org.nd4j.linalg.dataset.DataSet: features, labels and their optional masks.

    Differs: ``splitTestAndTrain`` and ``shuffle`` draw their permutation from numpy's
    ``default_rng(seed)``, not java.util.Random, so the same seed picks different rows than DL4J.
    """

    def __init__(self, features=None, labels=None, featuresMask=None, labelsMask=None):
        self.features = as_array(features)
        self.labels = as_array(labels)
        self.featuresMask = as_array(featuresMask)
        self.labelsMask = as_array(labelsMask)
        self.labelNames = None
        self.exampleMetaData = None

    # --- accessors (DL4J names) ---------------------------------------------------------------
    def getFeatures(self):
        """Mirrors DataSet#getFeatures."""
        return self.features

    def getLabels(self):
        """Mirrors DataSet#getLabels."""
        return self.labels

    def getFeaturesMaskArray(self):
        """Mirrors DataSet#getFeaturesMaskArray."""
        return self.featuresMask

    def getLabelsMaskArray(self):
        """Mirrors DataSet#getLabelsMaskArray."""
        return self.labelsMask

    def setFeatures(self, features):
        self.features = as_array(features)

    def setLabels(self, labels):
        self.labels = as_array(labels)

    def setFeaturesMaskArray(self, mask):
        self.featuresMask = as_array(mask)

    def setLabelsMaskArray(self, mask):
        self.labelsMask = as_array(mask)

    def hasMaskArrays(self) -> bool:
        """Mirrors DataSet#hasMaskArrays."""
        return self.featuresMask is not None or self.labelsMask is not None

    def getLabelNamesList(self):
        return self.labelNames

    def setLabelNames(self, names):
        self.labelNames = None if names is None else list(names)

    def numExamples(self) -> int:
        """Mirrors DataSet#numExamples: size of dimension 0 of the features (else the labels)."""
        for a in (self.features, self.labels):
            if a is not None:
                return int(a.shape[0]) if a.ndim else 1
        return 0

    def numInputs(self) -> int:
        """Mirrors DataSet#numInputs: features.size(1)."""
        return int(self.features.shape[1]) if self.features is not None and self.features.ndim > 1 else 0

    def numOutcomes(self) -> int:
        """Mirrors DataSet#numOutcomes: labels.size(1)."""
        return int(self.labels.shape[1]) if self.labels is not None and self.labels.ndim > 1 else 0

    def isEmpty(self) -> bool:
        return self.features is None and self.labels is None

    def __len__(self):
        return self.numExamples()

    def __repr__(self):
        def s(a):
            return None if a is None else tuple(a.shape)
        return (f"DataSet(features={s(self.features)}, labels={s(self.labels)}, "
                f"featuresMask={s(self.featuresMask)}, labelsMask={s(self.labelsMask)})")

    def __eq__(self, other):
        if not isinstance(other, DataSet):
            return NotImplemented
        for a, b in ((self.features, other.features), (self.labels, other.labels),
                     (self.featuresMask, other.featuresMask), (self.labelsMask, other.labelsMask)):
            if (a is None) != (b is None) or (a is not None and (a.shape != b.shape or not np.array_equal(a, b))):
                return False
        return True

    __hash__ = None

    # --- slicing, splitting, merging ----------------------------------------------------------
    def _take(self, idx) -> "DataSet":
        def t(a):
            return None if a is None else a[idx]
        out = DataSet(t(self.features), t(self.labels), t(self.featuresMask), t(self.labelsMask))
        out.labelNames = self.labelNames
        return out

    def get(self, i) -> "DataSet":
        """Mirrors DataSet#get(int) / #get(int[]): the example(s) at i, dimension 0 kept."""
        idx = [i] if np.isscalar(i) else list(i)
        return self._take(np.asarray(idx, dtype=np.int64))

    def copy(self) -> "DataSet":
        """Mirrors DataSet#copy."""
        return self._take(slice(None))._copied()

    def _copied(self):
        for name in ("features", "labels", "featuresMask", "labelsMask"):
            a = getattr(self, name)
            if a is not None:
                setattr(self, name, a.copy())
        return self

    def splitTestAndTrain(self, fractionTrain, seed=None) -> SplitTestAndTrain:
        """Mirrors DataSet#splitTestAndTrain(double) / (int numHolds, Random).

        ``fractionTrain``: a float in (0, 1) (fraction of examples for train, DL4J's
        ``(int)(fraction * numExamples)``) or an int (number of train examples). With ``seed``
        the examples are shuffled first (numpy's generator, not java.util.Random).
        """
        n = self.numExamples()
        if isinstance(fractionTrain, (float, np.floating)):
            if not 0.0 < fractionTrain < 1.0:
                raise ValueError(f"fractionTrain must be in (0, 1), got {fractionTrain}")
            n_train = int(fractionTrain * n)
        else:
            n_train = int(fractionTrain)
        if not 0 < n_train < n:
            raise ValueError(f"cannot split {n} examples into {n_train} train and {n - n_train} test")
        order = np.arange(n) if seed is None else np.random.default_rng(seed).permutation(n)
        return SplitTestAndTrain(self._take(order[:n_train]), self._take(order[n_train:]))

    def shuffle(self, seed=None) -> None:
        """Mirrors DataSet#shuffle(long seed): permutes the examples (and masks) in place."""
        order = np.random.default_rng(seed).permutation(self.numExamples())
        shuffled = self._take(order)
        self.features, self.labels = shuffled.features, shuffled.labels
        self.featuresMask, self.labelsMask = shuffled.featuresMask, shuffled.labelsMask

    def asList(self) -> list:
        """Mirrors DataSet#asList: one DataSet per example (dimension 0 kept, size 1)."""
        return [self._take(slice(i, i + 1)) for i in range(self.numExamples())]

    def batchBy(self, num: int) -> list:
        """Mirrors DataSet#batchBy: consecutive DataSets of at most ``num`` examples."""
        n = self.numExamples()
        return [self._take(slice(i, min(i + num, n))) for i in range(0, n, num)]

    def sample(self, numSamples: int, seed=None) -> "DataSet":
        """Mirrors DataSet#sample(int, Random) (without replacement; numpy's generator)."""
        idx = np.random.default_rng(seed).choice(self.numExamples(), size=numSamples, replace=False)
        return self._take(idx)

    @staticmethod
    def merge(data) -> "DataSet":
        """Mirrors DataSet.merge(List<DataSet>): concatenated along dimension 0.

        Differs: time series of different lengths are not padded (DL4J pads and masks them);
        a DataSet without a mask where others have one gets an all-ones mask.
        """
        data = list(data)
        if not data:
            raise ValueError("cannot merge an empty list of DataSets")
        if len(data) == 1:
            return data[0]
        feats = [d.features for d in data]
        labs = [d.labels for d in data]
        out = DataSet(_concat(feats, "features"), _concat(labs, "labels"),
                      _merge_masks([d.featuresMask for d in data], feats) if feats[0] is not None else None,
                      _merge_masks([d.labelsMask for d in data], labs) if labs[0] is not None else None)
        out.labelNames = data[0].labelNames
        return out

    # --- ND4J binary format ---------------------------------------------------------------------
    def save(self, to) -> None:
        """Mirrors DataSet#save(File / OutputStream): ND4J's binary DataSet format (module docstring)."""
        flags = 0
        if self.features is not None:
            flags |= FLAG_FEATURES
        if self.labels is not None:
            flags |= FLAG_LABELS_SAME_AS_FEATURES if self.labels is self.features else FLAG_LABELS
        if self.featuresMask is not None:
            flags |= FLAG_FEATURES_MASK
        if self.labelsMask is not None:
            flags |= FLAG_LABELS_MASK
        with _writing(to) as out:
            out.write(struct.pack(">B", flags))
            for a in (self.features, None if self.labels is self.features else self.labels,
                      self.featuresMask, self.labelsMask):
                if a is not None:
                    write_array(a, stream=out)

    def toBytes(self) -> bytes:
        """The bytes :meth:`save` writes."""
        buf = io.BytesIO()
        self.save(buf)
        return buf.getvalue()

    @classmethod
    def load(cls, source, *, max_bytes: int | None = None) -> "DataSet":
        """Mirrors DataSet#load(File / InputStream): a new DataSet from ND4J's binary format.

        ``source``: a path (a regular file), a binary stream or bytes. (DL4J's ``load`` fills an
        existing DataSet; here it is a class method returning the new one.) ``max_bytes``: the
        largest array accepted from a stream of unknown length (default 4 GiB). Raises a
        ``Dl4jFormatError`` naming the file and the array for damaged input.
        """
        stream, close, where = _open_in(source, "DataSet file")
        try:
            (flags,) = struct.unpack(">B", _read_exact(stream, 1, where))

            def array(name):
                return read_array_from(stream, entry=f"{where} [{name}]", max_bytes=max_bytes)
            features = array("features") if flags & FLAG_FEATURES else None
            if flags & FLAG_LABELS:
                labels = array("labels")
            elif flags & FLAG_LABELS_SAME_AS_FEATURES:
                labels = features
            else:
                labels = None
            fmask = array("featuresMask") if flags & FLAG_FEATURES_MASK else None
            lmask = array("labelsMask") if flags & FLAG_LABELS_MASK else None
        finally:
            if close:
                stream.close()
        ds = cls.__new__(cls)
        DataSet.__init__(ds)
        ds.features, ds.labels, ds.featuresMask, ds.labelsMask = features, labels, fmask, lmask
        return ds


def _as_list(arrays):
    if arrays is None:
        return None
    if isinstance(arrays, (list, tuple)):
        return [as_array(a) for a in arrays]
    return [as_array(arrays)]


class MultiDataSet(JavaNames):
    """Mirrors org.nd4j.linalg.dataset.MultiDataSet: several feature / label arrays and their masks."""

    def __init__(self, features=None, labels=None, featuresMaskArrays=None, labelsMaskArrays=None):
        self.features = _as_list(features)
        self.labels = _as_list(labels)
        self.featuresMaskArrays = _as_list(featuresMaskArrays)
        self.labelsMaskArrays = _as_list(labelsMaskArrays)

    @staticmethod
    def _pick(arrays, index):
        if index is None:
            return arrays
        return None if arrays is None else arrays[index]

    def getFeatures(self, index=None):
        """Mirrors MultiDataSet#getFeatures() / #getFeatures(int)."""
        return self._pick(self.features, index)

    def getLabels(self, index=None):
        """Mirrors MultiDataSet#getLabels() / #getLabels(int)."""
        return self._pick(self.labels, index)

    def getFeaturesMaskArrays(self):
        return self.featuresMaskArrays

    def getLabelsMaskArrays(self):
        return self.labelsMaskArrays

    def getFeaturesMaskArray(self, index):
        return self._pick(self.featuresMaskArrays, index)

    def getLabelsMaskArray(self, index):
        return self._pick(self.labelsMaskArrays, index)

    def _put(self, attr, args):
        """Java's setX(INDArray[]) and setX(int idx, INDArray) forms."""
        if len(args) == 2:
            arrays = list(getattr(self, attr) or [])
            arrays[int(args[0])] = args[1]
            setattr(self, attr, arrays)
        else:
            setattr(self, attr, _as_list(args[0]))

    def setFeatures(self, *args):
        """Mirrors MultiDataSet#setFeatures(INDArray[]) / (int idx, INDArray)."""
        self._put("features", args)

    def setLabels(self, *args):
        """Mirrors MultiDataSet#setLabels(INDArray[]) / (int idx, INDArray)."""
        self._put("labels", args)

    def setFeaturesMaskArrays(self, maskArrays):
        self._put("featuresMaskArrays", (maskArrays,))

    def setLabelsMaskArray(self, *args):
        """Mirrors MultiDataSet#setLabelsMaskArray(INDArray[]) / (int idx, INDArray)."""
        self._put("labelsMaskArrays", args)

    def setFeaturesMaskArray(self, idx, maskArray):
        """Mirrors MultiDataSet#setFeaturesMaskArray(int idx, INDArray)."""
        self._put("featuresMaskArrays", (idx, maskArray))

    def isEmpty(self) -> bool:
        """Mirrors MultiDataSet#isEmpty: no features and no labels."""
        return not self.features and not self.labels

    def copy(self) -> "MultiDataSet":
        """Mirrors MultiDataSet#copy (the arrays copied too)."""
        def dup(arrays):
            return None if arrays is None else [None if a is None else np.array(a, copy=True) for a in arrays]
        return MultiDataSet(dup(self.features), dup(self.labels), dup(self.featuresMaskArrays),
                            dup(self.labelsMaskArrays))

    def numFeatureArrays(self) -> int:
        return 0 if self.features is None else len(self.features)

    def numLabelsArrays(self) -> int:
        return 0 if self.labels is None else len(self.labels)

    def hasMaskArrays(self) -> bool:
        return any(m is not None for ms in (self.featuresMaskArrays, self.labelsMaskArrays) if ms for m in ms)

    def numExamples(self) -> int:
        for arrays in (self.features, self.labels):
            if arrays:
                return int(arrays[0].shape[0])
        return 0

    def __len__(self):
        return self.numExamples()

    def __eq__(self, other):
        if not isinstance(other, MultiDataSet):
            return NotImplemented
        for xs, ys in ((self.features, other.features), (self.labels, other.labels),
                       (self.featuresMaskArrays, other.featuresMaskArrays),
                       (self.labelsMaskArrays, other.labelsMaskArrays)):
            if (xs is None) != (ys is None) or (xs is not None and len(xs) != len(ys)):
                return False
            for a, b in zip(xs or (), ys or ()):
                if (a is None) != (b is None) or (a is not None and (a.shape != b.shape or not np.array_equal(a, b))):
                    return False
        return True

    __hash__ = None

    def _take(self, idx):
        def t(arrays):
            return None if arrays is None else [None if a is None else a[idx] for a in arrays]
        return MultiDataSet(t(self.features), t(self.labels), t(self.featuresMaskArrays), t(self.labelsMaskArrays))

    def asList(self) -> list:
        """Mirrors MultiDataSet#asList: one MultiDataSet per example."""
        return [self._take(slice(i, i + 1)) for i in range(self.numExamples())]

    def shuffle(self, seed=None) -> None:
        """Mirrors MultiDataSet#shuffle (numpy's generator)."""
        s = self._take(np.random.default_rng(seed).permutation(self.numExamples()))
        self.features, self.labels = s.features, s.labels
        self.featuresMaskArrays, self.labelsMaskArrays = s.featuresMaskArrays, s.labelsMaskArrays

    def splitTestAndTrain(self, fractionTrain, seed=None):
        """Like DataSet#splitTestAndTrain, for every array at once: (train, test) MultiDataSets."""
        n = self.numExamples()
        n_train = int(fractionTrain * n) if isinstance(fractionTrain, float) else int(fractionTrain)
        if not 0 < n_train < n:
            raise ValueError(f"cannot split {n} examples into {n_train} train and {n - n_train} test")
        order = np.arange(n) if seed is None else np.random.default_rng(seed).permutation(n)
        return SplitTestAndTrain(self._take(order[:n_train]), self._take(order[n_train:]))

    @staticmethod
    def merge(data) -> "MultiDataSet":
        """Mirrors MultiDataSet.merge: every array concatenated along dimension 0 (no time-series padding)."""
        data = list(data)
        if not data:
            raise ValueError("cannot merge an empty list of MultiDataSets")
        if len(data) == 1:
            return data[0]

        def cat(attr, masks_for=None):
            lists = [getattr(d, attr) for d in data]
            if all(x is None for x in lists):
                return None
            n = max(len(x) for x in lists if x is not None)
            out = []
            for i in range(n):
                col = [None if x is None else x[i] for x in lists]
                if masks_for is None:
                    out.append(_concat(col, f"{attr}[{i}]"))
                else:
                    out.append(_merge_masks(col, [getattr(d, masks_for)[i] for d in data]))
            return out

        return MultiDataSet(cat("features"), cat("labels"), cat("featuresMaskArrays", "features"),
                            cat("labelsMaskArrays", "labels"))

    def save(self, to) -> None:
        """Mirrors MultiDataSet#save(File / OutputStream): ND4J's binary MultiDataSet format."""
        groups = (self.features, self.labels, self.featuresMaskArrays, self.labelsMaskArrays)
        with _writing(to) as out:
            out.write(struct.pack(">4i", *(0 if g is None else len(g) for g in groups)))
            for gi, g in enumerate(groups):
                for a in g or ():
                    if a is None:
                        if gi < 2:
                            raise ValueError("MultiDataSet features / labels cannot contain None")
                        a = EMPTY_MASK_PLACEHOLDER
                    write_array(a, stream=out)

    def toBytes(self) -> bytes:
        buf = io.BytesIO()
        self.save(buf)
        return buf.getvalue()

    @classmethod
    def load(cls, source, *, max_bytes: int | None = None) -> "MultiDataSet":
        """Mirrors MultiDataSet#load(File / InputStream) (a class method here, returning the new object).

        ``source`` and ``max_bytes`` as in :meth:`DataSet.load`.
        """
        stream, close, where = _open_in(source, "MultiDataSet file")
        try:
            counts = struct.unpack(">4i", _read_exact(stream, 16, where))
            if any(n < 0 for n in counts):
                raise CorruptEntryError(f"negative array counts {list(counts)} in the header; not a MultiDataSet "
                                        "file", where)
            groups = []
            for gi, n in enumerate(counts):
                group = ("features", "labels", "featuresMasks", "labelsMasks")[gi]
                arrays = [read_array_from(stream, entry=f"{where} [{group}[{i}]]", max_bytes=max_bytes)
                          for i in range(n)]
                if gi >= 2:
                    arrays = [None if (a.shape == (1,) and a.dtype == np.float32 and a[0] == -1.0) else a
                              for a in arrays]
                groups.append(arrays if n else None)
        finally:
            if close:
                stream.close()
        return cls(*groups)
