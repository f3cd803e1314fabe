"""Sharded featurize: TransferLearningHelper.featurize over a data set split across ranks, into one set of files.

Each rank runs the frozen part on its share of the minibatches (minibatch ``i`` of the source belongs to rank
``i % worldSize``, as :class:`DistributedDataSetIterator`'s ``"batches"`` split) and writes what it featurized
into one shared output, which ends up identical to a single process's:

* ``saveTo=dir``: DL4J DataSet files (``DataSet.save``, ND4J's binary format that DL4J's
  ``DataSet.load`` / ``ExistingMiniBatchDataSetIterator`` read), named ``pattern % i`` with ``i`` the global
  minibatch index (MultiDataSets: ``MultiDataSet.save``);
* ``cache=dir`` (or a FeatureCache): the helper's feature cache (transfer/feature_cache.py), whose entries are
  keyed by the frozen part and the minibatch's content, so the ranks' entries never collide.

A file appears only complete (written to a temp name, then renamed), so a rank that dies mid-way leaves
whole files or none; before the pass rank 0 removes the temp files a killed run left. A rerun skips the
minibatches whose file (or cache entry) exists: it does only the missing shards. Nothing here edits the
helper: it calls ``helper.featurize(minibatch[, cache=...])`` per minibatch.
"""

from __future__ import annotations

import glob
import os
import re

from pydl4j_transfer.errors import InvalidConfigurationError
from pydl4j_transfer.nn.training import iterate
from pydl4j_transfer.zipio.files import remove_stale_temp_files_in

from . import group as G
from .data_parallel import DistributedDataSetIterator

__all__ = ["featurizeSharded", "FeaturizedFilesIterator"]

DEFAULT_PATTERN = "featurized-%d.bin"


def _barrier(group) -> None:
    if G.getWorldSize(group) > 1:
        G.all_reduce_ints([0], "sum", group)


class FeaturizedFilesIterator:
    """The featurized minibatches of one rank as a DataSetIterator (``hasNext``/``next``/``reset``): DL4J
    DataSet (or MultiDataSet) files read back with ``load`` one at a time."""

    def __init__(self, paths, multi: bool = False):
        self.paths = list(paths)
        self.multi = multi
        self.curr = 0

    def hasNext(self) -> bool:
        return self.curr < len(self.paths)

    def next(self, num=None):
        from pydl4j_transfer.data import DataSet, MultiDataSet

        path = self.paths[self.curr]
        self.curr += 1
        return (MultiDataSet if self.multi else DataSet).load(path)

    def reset(self) -> None:
        self.curr = 0

    def resetSupported(self) -> bool:
        return True

    def asyncSupported(self) -> bool:
        return False

    def __len__(self):
        return len(self.paths)

    def __iter__(self):
        self.reset()
        while self.hasNext():
            yield self.next()


def featurizeSharded(helper, data, saveTo=None, cache=None, pattern: str = DEFAULT_PATTERN, group=None,
                     rank: int | None = None, worldSize: int | None = None, overwrite: bool = False):
    """Featurize ``data`` (a DataSetIterator or iterable of DataSets) with ``helper`` across the ranks into
    ``saveTo`` (DL4J DataSet files) or ``cache`` (the feature cache): see the module docstring. An extension
    (DL4J's examples featurize in one process, FeaturizedPreSave). Every rank calls it with the same data.

    Returns this rank's featurized minibatches as a DataSetIterator that agrees with the other ranks on its
    length (a :class:`DistributedDataSetIterator` with ``split="none"``), ready for
    ``dataParallel(helper); helper.fitFeaturized(...)``; with one process, all of them. ``overwrite=True``
    featurizes every minibatch again instead of keeping existing files."""
    if (saveTo is None) == (cache is None):
        raise InvalidConfigurationError("featurizeSharded: give exactly one of saveTo (DL4J DataSet files) or cache "
                                        "(the feature cache)")
    if saveTo is not None and (pattern.count("%") != 1 or not re.search(r"%d", pattern)):
        raise InvalidConfigurationError(f"featurizeSharded: the file pattern needs exactly one %d, got {pattern!r}")
    rank = G.getRank(group) if rank is None else int(rank)
    world = G.getWorldSize(group) if worldSize is None else int(worldSize)
    folder = os.fspath(saveTo if saveTo is not None else getattr(cache, "directory", cache))
    if G.getRank(group) == 0:
        os.makedirs(folder, exist_ok=True)
        _remove_temps(folder, pattern if saveTo is not None else None)
    _barrier(group)  # no rank writes before the stale temp files are gone
    mine, multi, count = [], False, 0
    for i, ds in enumerate(iterate(data)):
        count = i + 1
        if i % world != rank:
            continue
        multi = hasattr(ds, "numFeatureArrays")
        if saveTo is None:
            mine.append(helper.featurize(ds, cache=cache))
            continue
        path = os.path.join(folder, pattern % i)
        mine.append(path)
        if overwrite or not os.path.isfile(path):
            helper.featurize(ds).save(path)  # temp file + rename: whole or absent
    _barrier(group)  # every shard is on disk
    if saveTo is not None and G.getRank(group) == 0:
        _remove_stale(folder, pattern, count)
    local = FeaturizedFilesIterator(mine, multi) if saveTo is not None else mine
    return DistributedDataSetIterator(local, split="none", group=group, rank=rank, worldSize=world)


def _remove_temps(folder: str, pattern: str | None) -> None:
    """The temp files a killed writer left (zipio/files.py's ``.<name>.<pid>.<random>.pydl4j-tmp``, removed once
    their writer is gone): beside DataSet files named by ``pattern``, ``.features_<k>.npy.*`` inside feature-cache
    entries. An existing file is not rewritten without ``overwrite``, so its write would not remove them."""
    if pattern is not None:
        remove_stale_temp_files_in(folder, glob.escape(pattern).replace("%d", "*"))
    else:
        for entry in glob.glob(os.path.join(glob.escape(folder), "*", "")):
            remove_stale_temp_files_in(entry, "features_*.npy")


def _remove_stale(folder: str, pattern: str, first_unused: int) -> None:
    """Files of an earlier run with this pattern and an index past this data set's last minibatch."""
    i = first_unused
    while os.path.exists(os.path.join(folder, pattern % i)):
        os.remove(os.path.join(folder, pattern % i))
        i += 1
