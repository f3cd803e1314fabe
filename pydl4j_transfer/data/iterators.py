"""The DataSetIterator protocol DL4J scripts use, and iterators over lists, numpy arrays and torch data.

Mirrors ``org.nd4j.linalg.dataset.api.iterator.DataSetIterator`` (hasNext / next / reset / batch /
totalExamples / inputColumns / totalOutcomes / setPreProcessor) and
``org.deeplearning4j.datasets.iterator.impl.ListDataSetIterator``. Python iteration works as
well: ``for ds in it`` resets the iterator first (when it can be reset) and yields every batch.

A pre-processor is anything with ``preProcess(DataSet)`` (DL4J's ``DataSetPreProcessor``:
:class:`VGG16ImagePreProcessor`, the normalizers) or ``transform(features)``; it is applied to
every DataSet ``next()`` returns, never to the stored data.

torch is imported only inside the functions that need it.
"""

from __future__ import annotations

import numpy as np

from pydl4j_transfer.java_names import JavaNames
from pydl4j_transfer.data.dataset import DataSet, MultiDataSet

__all__ = [
    "DataSetIterator", "ListDataSetIterator", "ExistingDataSetIterator", "INDArrayDataSetIterator",
    "NumpyDataSetIterator", "TorchDataSetIterator", "MultiDataSetIterator", "ListMultiDataSetIterator",
    "apply_preprocessor", "fromNumpy", "fromTorch", "trainTestSplit",
]


def apply_preprocessor(pre, ds):
    """Apply a DataSetPreProcessor (``preProcess(ds)``) or a normalizer (``transform``) to ``ds`` in place."""
    if pre is None or ds is None:
        return ds
    if hasattr(pre, "preProcess"):
        pre.preProcess(ds)
    elif hasattr(pre, "transform"):
        ds.features = pre.transform(ds.features)
    elif callable(pre):
        out = pre(ds)
        if out is not None:
            return out
    else:
        raise TypeError(f"{type(pre).__name__} is not a pre-processor: it needs preProcess(DataSet) or transform(x)")
    return ds


class _IteratorProtocol(JavaNames):
    """What DL4J's DataSetIterator and MultiDataSetIterator share: next/reset/pre-processor, Python iteration.

    Subclasses implement ``_next(num)`` (an unprocessed batch), ``hasNext`` and ``reset``;
    ``_preprocess`` applies the pre-processor the way each interface does."""

    def __init__(self):
        self.preProcessor = None

    # protocol -----------------------------------------------------------------------------------
    def hasNext(self) -> bool:
        raise NotImplementedError

    def _next(self, num):
        raise NotImplementedError

    def _preprocess(self, batch):
        raise NotImplementedError

    def next(self, num=None):
        """Mirrors next() / next(int): the next batch, pre-processed."""
        if not self.hasNext():
            raise StopIteration("no more data: call reset() first")
        return self._preprocess(self._next(num))

    def reset(self) -> None:
        raise NotImplementedError

    def resetSupported(self) -> bool:
        return True

    def asyncSupported(self) -> bool:
        return False

    def setPreProcessor(self, preProcessor) -> None:
        """Mirrors setPreProcessor."""
        self.preProcessor = preProcessor

    def getPreProcessor(self):
        return self.preProcessor

    # Python manners -----------------------------------------------------------------------------
    def __iter__(self):
        if self.resetSupported():
            self.reset()
        while self.hasNext():
            yield self.next()

    def __next__(self):
        if not self.hasNext():
            raise StopIteration
        return self.next()


class DataSetIterator(_IteratorProtocol):
    """Mirrors org.nd4j.linalg.dataset.api.iterator.DataSetIterator (the protocol; subclasses fill it in).

    Subclasses implement ``_next(num)`` (returning an unprocessed DataSet), ``hasNext``,
    ``reset``, ``batch``; everything else has a default.
    """

    def __init__(self):
        super().__init__()
        self.labels = None

    def _preprocess(self, batch):
        return apply_preprocessor(self.preProcessor, batch)

    def batch(self) -> int:
        raise NotImplementedError

    def totalExamples(self) -> int:
        raise NotImplementedError

    def inputColumns(self) -> int:
        raise NotImplementedError

    def totalOutcomes(self) -> int:
        raise NotImplementedError

    def getLabels(self):
        """Mirrors DataSetIterator#getLabels: the class names, where known."""
        return self.labels


class ListDataSetIterator(DataSetIterator):
    """Mirrors org.deeplearning4j.datasets.iterator.impl.ListDataSetIterator(Collection<DataSet>, int batch).

    The list may hold single examples (DL4J's use, ``ds.asList()``) or DataSets of any size;
    each ``next()`` merges the next ``batch`` list entries (DL4J counts entries, not examples).
    """

    def __init__(self, coll, batch: int = 10):
        super().__init__()
        if isinstance(coll, DataSet):
            coll = coll.asList()
        self.list = list(coll)
        self._batch = int(batch)
        if self._batch < 1:
            raise ValueError(f"batch must be >= 1, got {batch}")
        self.curr = 0
        if self.list and self.list[0].labelNames:
            self.labels = list(self.list[0].labelNames)

    def hasNext(self) -> bool:
        return self.curr < len(self.list)

    def _next(self, num):
        num = self._batch if num is None else int(num)
        end = min(self.curr + num, len(self.list))
        ds = DataSet.merge([d.copy() for d in self.list[self.curr:end]]) if end - self.curr > 1 \
            else self.list[self.curr].copy()
        self.curr = end
        return ds

    def reset(self) -> None:
        self.curr = 0

    def batch(self) -> int:
        return self._batch

    def totalExamples(self) -> int:
        return sum(d.numExamples() for d in self.list)

    def inputColumns(self) -> int:
        return self.list[0].numInputs() if self.list else 0

    def totalOutcomes(self) -> int:
        return self.list[0].numOutcomes() if self.list else 0

    def cursor(self) -> int:
        return self.curr

    def __len__(self):
        return -(-len(self.list) // self._batch)


class ExistingDataSetIterator(DataSetIterator):
    """Mirrors org.deeplearning4j.datasets.iterator.ExistingDataSetIterator: ready-made batches, as they are."""

    def __init__(self, iterable, labels=None):
        super().__init__()
        self._source = iterable
        self._items = list(iterable) if not hasattr(iterable, "__getitem__") else iterable
        self.labels = labels
        self.curr = 0

    def hasNext(self) -> bool:
        return self.curr < len(self._items)

    def _next(self, num):
        ds = self._items[self.curr]
        self.curr += 1
        return ds.copy() if isinstance(ds, DataSet) else ds

    def reset(self) -> None:
        self.curr = 0

    def batch(self) -> int:
        return self._items[0].numExamples() if len(self._items) else 0

    def totalExamples(self) -> int:
        return sum(d.numExamples() for d in self._items)

    def inputColumns(self) -> int:
        return self._items[0].numInputs() if len(self._items) else 0

    def totalOutcomes(self) -> int:
        return self._items[0].numOutcomes() if len(self._items) else 0


class NumpyDataSetIterator(DataSetIterator):
    """Batches of whole arrays: like DL4J's INDArrayDataSetIterator over (features, labels) arrays.

    ``shuffle=True`` draws a new permutation (numpy, ``seed``) at every ``reset()``.
    """

    def __init__(self, features, labels=None, batchSize: int = 32, featuresMask=None, labelsMask=None,
                 shuffle: bool = False, seed=None, labelNames=None):
        super().__init__()
        self.data = DataSet(features, labels, featuresMask, labelsMask)
        self._batch = int(batchSize)
        self._shuffle = shuffle
        self._rng = np.random.default_rng(seed)
        self.labels = None if labelNames is None else list(labelNames)
        self.reset()

    def hasNext(self) -> bool:
        return self.curr < self.data.numExamples()

    def _next(self, num):
        num = self._batch if num is None else int(num)
        idx = self._order[self.curr:self.curr + num]
        self.curr += len(idx)
        ds = self.data._take(idx)._copied()
        ds.labelNames = self.labels
        return ds

    def reset(self) -> None:
        n = self.data.numExamples()
        self._order = self._rng.permutation(n) if self._shuffle else np.arange(n)
        self.curr = 0

    def batch(self) -> int:
        return self._batch

    def totalExamples(self) -> int:
        return self.data.numExamples()

    def inputColumns(self) -> int:
        return self.data.numInputs()

    def totalOutcomes(self) -> int:
        return self.data.numOutcomes()

    def __len__(self):
        return -(-self.data.numExamples() // self._batch)


#: DL4J's name for an iterator over in-memory arrays.
INDArrayDataSetIterator = NumpyDataSetIterator


def _to_numpy(x):
    if x is None:
        return None
    if hasattr(x, "detach"):
        return x.detach().cpu().numpy()
    return np.asarray(x)


class TorchDataSetIterator(DataSetIterator):
    """A DataSetIterator over a torch ``DataLoader`` (or any re-iterable of ``(features, labels)`` batches).

    Each batch may be a tuple/list ``(features, labels[, featuresMask, labelsMask])``, a dict
    with those keys, or a single tensor (features only). ``numClasses`` one-hot encodes integer
    class labels (rank-1 labels), as DL4J's RecordReaderDataSetIterator does.
    """

    def __init__(self, loader, numClasses=None, labelNames=None):
        super().__init__()
        self.loader = loader
        self.numClasses = numClasses
        self.labels = None if labelNames is None else list(labelNames)
        self._it = None
        self._peek = None
        self.reset()

    def _convert(self, batch):
        if isinstance(batch, dict):
            parts = [batch.get(k) for k in ("features", "labels", "featuresMask", "labelsMask")]
        elif isinstance(batch, (tuple, list)):
            parts = list(batch) + [None] * (4 - len(batch))
        else:
            parts = [batch, None, None, None]
        f, l, fm, lm = (_to_numpy(p) for p in parts[:4])
        if l is not None and self.numClasses is not None and l.ndim == 1:
            l = np.eye(int(self.numClasses), dtype=np.float32)[l.astype(np.int64)]
        ds = DataSet(f, l, fm, lm)
        ds.labelNames = self.labels
        return ds

    def hasNext(self) -> bool:
        if self._peek is None:
            try:
                self._peek = next(self._it)
            except StopIteration:
                return False
        return True

    def _next(self, num):
        batch, self._peek = self._peek, None
        return self._convert(batch)

    def reset(self) -> None:
        self._it = iter(self.loader)
        self._peek = None

    def batch(self) -> int:
        return int(getattr(self.loader, "batch_size", None) or 0)

    def totalExamples(self) -> int:
        dataset = getattr(self.loader, "dataset", None)
        return len(dataset) if dataset is not None else -1

    def _first(self):
        return self._convert(next(iter(self.loader)))

    def inputColumns(self) -> int:
        return self._first().numInputs()

    def totalOutcomes(self) -> int:
        return self.numClasses if self.numClasses is not None else self._first().numOutcomes()


def fromNumpy(features, labels=None, batchSize: int = 32, **kwargs) -> NumpyDataSetIterator:
    """A DataSetIterator over numpy arrays (see :class:`NumpyDataSetIterator` for the options)."""
    return NumpyDataSetIterator(features, labels, batchSize, **kwargs)


def fromTorch(data, labels=None, batchSize: int = 32, numClasses=None, **kwargs):
    """A DataSetIterator from torch: a ``DataLoader`` / ``Dataset`` / iterable of batches, or tensors.

    * tensors (``data`` and ``labels``): batched like :func:`fromNumpy` (integer class labels
      of rank 1 are one-hot encoded when ``numClasses`` is given);
    * a ``torch.utils.data.Dataset``: wrapped in a ``DataLoader(batch_size=batchSize)``;
    * a ``DataLoader`` or any re-iterable of batches: :class:`TorchDataSetIterator`.
    """
    if hasattr(data, "detach"):
        f, lab = _to_numpy(data), _to_numpy(labels)
        if lab is not None and numClasses is not None and lab.ndim == 1:
            lab = np.eye(int(numClasses), dtype=np.float32)[lab.astype(np.int64)]
        return NumpyDataSetIterator(f, lab, batchSize, **kwargs)
    import torch.utils.data as tud

    if isinstance(data, tud.Dataset) and not isinstance(data, tud.IterableDataset):
        data = tud.DataLoader(data, batch_size=batchSize, shuffle=False)
    return TorchDataSetIterator(data, numClasses=numClasses, **kwargs)


def trainTestSplit(features, labels=None, fractionTrain: float = 0.8, batchSize: int = 32, seed=None):
    """(train, test) iterators over a seeded split of arrays or of a DataSet.

    Mirrors the ``DataSet#splitTestAndTrain(fraction)`` + ``ListDataSetIterator`` idiom of DL4J's
    examples. ``features`` may be a DataSet (``labels`` then unused).
    """
    ds = features if isinstance(features, DataSet) else DataSet(features, labels)
    split = ds.splitTestAndTrain(float(fractionTrain), seed=seed)
    mk = [NumpyDataSetIterator(d.features, d.labels, batchSize, d.featuresMask, d.labelsMask,
                               labelNames=ds.labelNames) for d in (split.getTrain(), split.getTest())]
    return mk[0], mk[1]


class MultiDataSetIterator(_IteratorProtocol):
    """Mirrors org.nd4j.linalg.dataset.api.iterator.MultiDataSetIterator (the protocol)."""

    def _preprocess(self, batch):
        if self.preProcessor is not None:  # MultiDataSetPreProcessor#preProcess, in place
            self.preProcessor.preProcess(batch)
        return batch


class ListMultiDataSetIterator(MultiDataSetIterator):
    """A MultiDataSetIterator over a list of MultiDataSets, ``batch`` list entries merged per ``next()``."""

    def __init__(self, coll, batch: int = 1):
        super().__init__()
        self.list = list(coll.asList() if isinstance(coll, MultiDataSet) else coll)
        self._batch = int(batch)
        self.curr = 0

    def hasNext(self) -> bool:
        return self.curr < len(self.list)

    def _next(self, num):
        num = self._batch if num is None else int(num)
        end = min(self.curr + num, len(self.list))
        out = MultiDataSet.merge(self.list[self.curr:end])
        self.curr = end
        return out

    def reset(self) -> None:
        self.curr = 0

    def batch(self) -> int:
        return self._batch
