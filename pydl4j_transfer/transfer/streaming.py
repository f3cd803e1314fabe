"""Featurize a whole data set to disk in bounded memory, then train on it epoch after epoch.

The DL4J examples' two programs (``FeaturizedPreSave`` then ``FitFromFeaturized``) in two calls::

    train = helper.featurize(trainIter, saveTo="features/", pattern="vgg16-train-%d.bin")
    for epoch in range(10):
        helper.fitFeaturized(AsyncDataSetIterator(train))   # reads the files back, one ahead
        train.reset()

``featurize(..., saveTo=dir)`` (the hook in helper.py) runs :func:`featurize_to_files`: each minibatch the
iterator gives is featurized and written at once, ``pattern % i`` in ``dir``, then dropped; the files are
written on a background thread while the next minibatch runs through the frozen part (at most ``queueSize``
featurized minibatches wait for the disk). Peak memory is that of a few minibatches, whatever the number of
images. It returns an iterator over the files:

* ``fmt="dl4j"`` (default): ND4J's binary DataSet files, the ones DL4J's ``DataSet.save`` writes and its
  ``ExistingMiniBatchDataSetIterator`` reads (DL4J can train on them too);
* ``fmt="npy"``: each minibatch as ``.npy`` files (features, labels, masks) read back memory-mapped: the
  features go from the page cache to the network without a parse or a byte swap. Not a DL4J format.

Each file is written to a temp name and renamed when complete (a crash leaves no half file); files of an
earlier run with the same pattern and a higher index are removed, so the folder holds exactly this run.
"""

from __future__ import annotations

import os
import queue
import re
import threading

import numpy as np

from pydl4j_transfer.data import DataSet, ExistingMiniBatchDataSetIterator
from pydl4j_transfer.data.iterators import DataSetIterator
from pydl4j_transfer.errors import InvalidConfigurationError
from pydl4j_transfer.zipio.files import atomic_write

__all__ = ["featurize_to_files", "NpyMiniBatchDataSetIterator"]

_NPY_PARTS = ("features", "labels", "featuresMask", "labelsMask")


def _npy_paths(directory: str, pattern: str, i: int) -> dict:
    stem = os.path.join(directory, pattern % i)
    return {part: f"{stem}.{part}.npy" for part in _NPY_PARTS}


def _save_npy(ds, directory: str, pattern: str, i: int) -> None:
    paths = _npy_paths(directory, pattern, i)
    for part, path in paths.items():
        a = getattr(ds, part)
        if a is None:
            if os.path.exists(path):
                os.remove(path)
            continue
        with atomic_write(path) as f:  # zipio/files.py: no half file, no leftover temp file
            np.save(f, np.ascontiguousarray(a), allow_pickle=False)


class NpyMiniBatchDataSetIterator(DataSetIterator):
    """Minibatches saved by ``featurize(..., saveTo=dir, fmt="npy")``: ``pattern % i`` + ``.features.npy``
    (``.labels.npy``, masks), i = 0, 1, ..., memory-mapped read-only. A minibatch's mapping is released once
    the caller drops its DataSet, so an epoch holds one minibatch of the files in memory."""

    def __init__(self, rootDir, pattern: str = "featurized-%d"):
        super().__init__()
        self.rootDir, self.pattern = os.fspath(rootDir), pattern
        n = 0
        while os.path.isfile(_npy_paths(self.rootDir, pattern, n)["features"]):
            n += 1
        self.totalBatches = n
        self.currIdx = 0

    def hasNext(self) -> bool:
        return self.currIdx < self.totalBatches

    def _next(self, num):
        paths = _npy_paths(self.rootDir, self.pattern, self.currIdx)
        self.currIdx += 1
        parts = [np.load(paths[p], mmap_mode="r", allow_pickle=False) if os.path.isfile(paths[p]) else None
                 for p in _NPY_PARTS]
        return DataSet(*parts)

    def reset(self) -> None:
        self.currIdx = 0

    def asyncSupported(self) -> bool:
        return True

    def batch(self) -> int:
        if not self.totalBatches:
            return 0
        return int(np.load(_npy_paths(self.rootDir, self.pattern, 0)["features"], mmap_mode="r").shape[0])

    def __len__(self):
        return self.totalBatches


def _remove_stale(directory: str, pattern: str, first_unused: int, fmt: str) -> None:
    """Files of an earlier run with this pattern and an index >= first_unused (they would be read as ours)."""
    i = first_unused
    while True:
        paths = list(_npy_paths(directory, pattern, i).values()) if fmt == "npy" else [
            os.path.join(directory, pattern % i)]
        present = [p for p in paths if os.path.exists(p)]
        if not present:
            return
        for p in present:
            os.remove(p)
        i += 1


class _Writer:
    """A background thread writing featurized minibatches, at most ``size`` waiting (bounded memory)."""

    def __init__(self, save, size: int):
        self._save = save
        self._queue = queue.Queue(maxsize=max(1, size))
        self._error = None
        self._thread = threading.Thread(target=self._run, name="pydl4j-featurize-writer", daemon=True)
        self._thread.start()

    def _run(self):
        while True:
            item = self._queue.get()
            if item is None:
                return
            if self._error is None:
                try:
                    self._save(*item)
                except BaseException as exc:  # noqa: BLE001 - raised in the caller's thread
                    self._error = exc

    def put(self, i, ds):
        if self._error is not None:
            raise self._error
        self._queue.put((i, ds))

    def close(self):
        self._queue.put(None)
        self._thread.join()
        if self._error is not None:
            raise self._error


def featurize_to_files(helper, data, directory, pattern=None, fmt: str = "dl4j", progress: bool = False,
                       autocast=None, optimize: bool = False, queueSize: int = 2):
    """Featurize every minibatch of ``data`` (a DataSetIterator or an iterable of DataSets) into
    ``directory`` as it comes, in bounded memory; returns the iterator over the files (module docstring).
    ``pattern``: Java-style ``%d`` file pattern (default ``"featurized-%d.bin"``, npy: ``"featurized-%d"``)."""
    from pydl4j_transfer.nn.listeners import ProgressBar, length_of
    from pydl4j_transfer.nn.training import iterate

    if fmt not in ("dl4j", "npy"):
        raise InvalidConfigurationError(f"featurize saveTo: fmt must be 'dl4j' (DL4J DataSet files) or 'npy', "
                                        f"got {fmt!r}")
    if pattern is None:
        pattern = "featurized-%d.bin" if fmt == "dl4j" else "featurized-%d"
    if not re.search(r"%d", pattern) or pattern.count("%") != 1:
        raise InvalidConfigurationError(f"featurize saveTo: the file pattern needs exactly one %d, got {pattern!r}")
    directory = os.fspath(directory)
    os.makedirs(directory, exist_ok=True)

    if fmt == "dl4j":
        def save(i, ds):
            ds.save(os.path.join(directory, pattern % i))
    else:
        def save(i, ds):
            _save_npy(ds, directory, pattern, i)

    if hasattr(data, "getFeatures"):  # one DataSet: one file
        data = [data]
    source = data
    if hasattr(data, "hasNext") and getattr(data, "asyncSupported", lambda: False)():
        from pydl4j_transfer.data import AsyncDataSetIterator

        if not data.hasNext() and data.resetSupported():
            data.reset()
        source = AsyncDataSetIterator(data, 2)  # the next minibatch loads while this one is featurized
    writer = _Writer(save, queueSize)
    count = 0
    try:
        with ProgressBar(progress, length_of(data), "featurize", "batch") as bar:
            for ds in iterate(source):
                if hasattr(ds, "numFeatureArrays"):
                    raise InvalidConfigurationError("featurize saveTo writes DataSets; featurize MultiDataSets "
                                                    "in memory or through the feature cache")
                out = helper._featurize_cached(ds, None, autocast, optimize)
                writer.put(count, out)
                count += 1
                bar.update(out.numExamples())
    finally:
        if source is not data:
            source.shutdown()
        writer.close()
    _remove_stale(directory, pattern, count, fmt)
    if fmt == "dl4j":
        return ExistingMiniBatchDataSetIterator(directory, pattern)
    return NpyMiniBatchDataSetIterator(directory, pattern)
