"""Iterators over DataSets saved one minibatch per file (ND4J's binary DataSet format).

Mirrors ``org.nd4j.linalg.dataset.ExistingMiniBatchDataSetIterator`` (the DL4J examples'
``FitFromFeaturized``: ``new ExistingMiniBatchDataSetIterator(dir, "vgg16-train-%d.bin")``) and
``org.deeplearning4j.datasets.iterator.file.FileDataSetIterator``. Each ``next()`` reads one file
(``DataSet.load``); nothing else is kept, so an epoch over any number of files needs the memory of one
minibatch (wrap the iterator in :class:`~pydl4j_transfer.data.async_iterators.AsyncDataSetIterator` to read
ahead on a background thread, as the DL4J examples do).
"""

from __future__ import annotations

import os

from pydl4j_transfer.data.dataset import DataSet
from pydl4j_transfer.data.iterators import DataSetIterator
from pydl4j_transfer.data.javarandom import JavaRandom, as_java_random, shuffle_array

__all__ = ["ExistingMiniBatchDataSetIterator", "FileDataSetIterator"]


class ExistingMiniBatchDataSetIterator(DataSetIterator):
    """Mirrors ExistingMiniBatchDataSetIterator(File rootDir[, String pattern]): the files
    ``pattern % 0``, ``pattern % 1``, ... (Java's ``String.format``; default ``"dataset-%d.bin"``) in
    ``rootDir``, in index order. Differs: the number of batches is the count of consecutive indices whose file
    exists (DL4J counts every file in the folder, so any other file there makes it read past the end)."""

    def __init__(self, rootDir, pattern: str = "dataset-%d.bin"):
        super().__init__()
        self.rootDir = os.fspath(rootDir)
        if not os.path.isdir(self.rootDir):
            raise FileNotFoundError(f"ExistingMiniBatchDataSetIterator: no folder {self.rootDir}")
        self.pattern = pattern
        n = 0
        while os.path.isfile(self._path(n)):
            n += 1
        self.totalBatches = n
        self.currIdx = 0
        self._first = None

    def _path(self, i: int) -> str:
        return os.path.join(self.rootDir, self.pattern % i)

    def hasNext(self) -> bool:
        return self.currIdx < self.totalBatches

    def _next(self, num):
        ds = DataSet.load(self._path(self.currIdx))
        self.currIdx += 1
        return ds

    def reset(self) -> None:
        self.currIdx = 0

    def asyncSupported(self) -> bool:
        return True

    def _peek(self):
        if self._first is None and self.totalBatches:
            self._first = DataSet.load(self._path(0))
        return self._first

    def batch(self) -> int:
        first = self._peek()
        return first.numExamples() if first is not None else 0

    def totalExamples(self) -> int:
        """The examples in all the files (reads each once; DL4J: UnsupportedOperationException)."""
        return sum(DataSet.load(self._path(i)).numExamples() for i in range(self.totalBatches))

    def inputColumns(self) -> int:
        first = self._peek()
        return first.numInputs() if first is not None else 0

    def totalOutcomes(self) -> int:
        first = self._peek()
        return first.numOutcomes() if first is not None else 0

    def __len__(self):
        return self.totalBatches


def _list_files(root: str, extensions, recursive: bool) -> list[str]:
    """commons-io FileUtils.listFiles(dir, extensions, recursive): files whose extension (after the last dot,
    case-sensitive) is one of ``extensions`` (all files when None)."""
    out = []
    for folder, dirs, names in os.walk(root):
        for name in names:
            if extensions is None or os.path.splitext(name)[1][1:] in extensions:
                out.append(os.path.join(folder, name))
        if not recursive:
            dirs[:] = []
    return out


class FileDataSetIterator(DataSetIterator):
    """Mirrors org.deeplearning4j.datasets.iterator.file.FileDataSetIterator(File rootDir[, boolean recursive,
    Random rng, int batchSize, String... validExtensions]): every DataSet file under ``rootDir``, in an order
    shuffled with ``rng`` at construction and at each ``reset()`` (DL4J's default: ``new Random()``, not
    reproducible; ``rng=None`` after the other arguments: the listing order). ``batchSize`` > 0 merges or
    splits the files' DataSets into minibatches of that many examples (the split part is not shuffled
    here); -1 returns each file's DataSet as it is."""

    _DEFAULT = object()

    def __init__(self, rootDir, recursive: bool = True, rng=_DEFAULT, batchSize: int = -1, *validExtensions):
        super().__init__()
        if isinstance(recursive, int) and not isinstance(recursive, bool):  # FileDataSetIterator(File, int)
            recursive, batchSize = True, recursive
        self.rng = JavaRandom() if rng is FileDataSetIterator._DEFAULT else as_java_random(rng)
        self.batchSize = int(batchSize)
        root = os.fspath(rootDir)
        self.list = _list_files(root, set(validExtensions) if validExtensions else None, bool(recursive))
        if not self.list:
            raise ValueError(f"Root directory is empty (no files found) {root}"
                             + (" (or all files rejected by extension filter)" if validExtensions else ""))
        self.order = None
        if self.rng is not None:
            self.order = list(range(len(self.list)))
            shuffle_array(self.order, self.rng)
        self.position = 0
        self._partial = None

    def hasNext(self) -> bool:
        return self._partial is not None or self.position < len(self.list)

    def _load_next(self) -> DataSet:
        i = self.order[self.position] if self.order is not None else self.position
        self.position += 1
        return DataSet.load(self.list[i])

    def _next(self, num):
        if self._partial is not None:
            ds, self._partial = self._partial, None
        else:
            ds = self._load_next()
        if self.batchSize <= 0 or ds.numExamples() == self.batchSize:
            return ds
        parts, count = [ds], ds.numExamples()
        while count < self.batchSize and self.position < len(self.list):
            nxt = self._load_next()
            parts.append(nxt)
            count += nxt.numExamples()
        merged = DataSet.merge(parts) if len(parts) > 1 else parts[0]
        if merged.numExamples() > self.batchSize:
            n = merged.numExamples()
            self._partial = merged._take(list(range(self.batchSize, n)))._copied()
            merged = merged._take(list(range(self.batchSize)))._copied()
        return merged

    def reset(self) -> None:
        self.position = 0
        self._partial = None
        if self.rng is not None:
            shuffle_array(self.order, self.rng)

    def batch(self) -> int:
        return self.batchSize

    def asyncSupported(self) -> bool:
        return True
