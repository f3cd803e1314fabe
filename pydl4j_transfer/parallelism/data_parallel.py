"""Data-parallel training on torch.distributed: one gradient all-reduce per DL4J iteration, each rank its shard.

The same user script runs on every rank (``torchrun --nproc-per-node ... train.py``)::

    initDistributed()                                   # joins torchrun's group (one process: does nothing)
    net = ModelSerializer.restoreMultiLayerNetwork("model.zip")
    dataParallel(net)                                   # rank 0's params and updater state everywhere
    net.fit(DistributedDataSetIterator(trainIter), epochs=3)   # each rank its own minibatches

One DL4J iteration on every rank (nn/training.py ``train_step``): ``computeGradientAndScore`` on the rank's
minibatch, then the hook :data:`pydl4j_transfer.nn.training.GRADIENT_REDUCERS` runs
:class:`GradientAllReduce`: the flat gradient is summed over the ranks (one ``all_reduce`` of the runtime's
gradient buffer, no copy) and the minibatch sizes are summed, so the updater divides the global batch's
gradient by the global batch size, exactly as one process training on the union of the ranks' minibatches
(rank order) would; the ranks stay identical without ever exchanging parameters. Gradient entries that are
not sums over examples (BatchNormalization's running-statistic deltas, frozen params, the gradient views
DL4J's backprop leaves untouched below a FrozenLayer) are averaged instead (``per_process_gradient_ranges``).

Ranks that run out of data at different times: :class:`DistributedDataSetIterator` agrees, before every
minibatch, whether *every* rank still has one (an all-reduce of one integer); when one has not, the epoch
ends on all ranks together, and the minibatches left on the others are not trained in that epoch (logged).
So no rank waits for an all-reduce the others never join. (A plain iterator of unequal length per rank
would hang; wrap it with ``split="none"``.)
"""

from __future__ import annotations

import logging

import numpy as np

from pydl4j_transfer.data import DataSet, MultiDataSet
from pydl4j_transfer.data.iterators import DataSetIterator
from pydl4j_transfer.errors import InvalidConfigurationError
from pydl4j_transfer.nn.training import GRADIENT_REDUCERS, iterate

from . import group as G

__all__ = ["dataParallel", "stopDataParallel", "GradientAllReduce", "DistributedDataSetIterator", "networkOf"]

log = logging.getLogger(__name__)


def networkOf(model):
    """The network a model trains: a MultiLayerNetwork / ComputationGraph itself, or a TransferLearningHelper's
    unfrozen subset (what its ``fitFeaturized`` trains)."""
    if hasattr(model, "unfrozenMLN") and hasattr(model, "fitFeaturized"):  # a TransferLearningHelper
        try:
            return model.unfrozenMLN()
        except InvalidConfigurationError:
            return model.unfrozenGraph()
    if not hasattr(model, "getRuntime"):
        raise InvalidConfigurationError(f"dataParallel needs a MultiLayerNetwork, ComputationGraph or "
                                        f"TransferLearningHelper, got {type(model).__name__}")
    return model


class GradientAllReduce:
    """The reducer :func:`dataParallel` installs (``GRADIENT_REDUCERS[net]``): sums the gradient, minibatch size
    and minibatch-weighted score of one iteration over the ranks of ``group``.

    ``bytesPerStep``: what one iteration sends into the all-reduce (the gradient buffer plus the score), the
    payload a ring all-reduce moves ``2 (n-1)/n`` times per rank."""

    def __init__(self, group=None):
        self.group = group
        self.world = G.getWorldSize(group)
        self.steps = 0
        self.bytesPerStep = 0

    def __call__(self, rt, minibatch_size, score):
        import torch
        import torch.distributed as dist

        if self.world == 1:
            return minibatch_size, score
        # DL4J's score is loss / minibatch (+ the same regularization terms on every rank): the global one is
        # the minibatch-weighted mean of the ranks' scores
        if rt.grads.device.type == "cpu":  # minibatch size and score in one small all-reduce
            small = torch.tensor([float(minibatch_size), float(score) * minibatch_size], dtype=torch.float64)
            dist.all_reduce(G.held(small), op=dist.ReduceOp.SUM, group=G.control_group(self.group))
            total = int(round(float(small[0])))
            score = torch.tensor(float(small[1]) / total, dtype=rt.grads.dtype)
        else:  # on a device: the size through the gloo side group, the score stays on the device (no sync)
            total = G.all_reduce_ints([minibatch_size], "sum", self.group)[0]
            small = torch.as_tensor(score, dtype=torch.float64, device=rt.grads.device).reshape(1) * minibatch_size
            dist.all_reduce(G.held(small), op=dist.ReduceOp.SUM, group=self.group)
            score = (small[0] / total).to(rt.grads.dtype)
        dist.all_reduce(rt.grads, op=dist.ReduceOp.SUM, group=self.group)
        for s, e in rt.per_process_gradient_ranges():
            rt.grads[s:e].div_(self.world)
        rt.score = score
        self.steps += 1
        self.bytesPerStep = rt.grads.numel() * rt.grads.element_size() + small.numel() * small.element_size()
        return total, score


def _broadcast_state(net, src: int, group) -> None:
    """Rank ``src``'s params, updater state, iteration and epoch counts into every rank's network."""
    import torch.distributed as dist

    rt = net.getRuntime()
    src_global = dist.get_global_rank(group, src) if group is not None else src
    dist.broadcast(rt.params, src_global, group=group)
    counts = [net.getIterationCount(), net.getEpochCount()] if G.getRank(group) == src else [0, 0]
    counts = G.all_reduce_ints(counts, "sum", group)
    net.setIterationCount(counts[0])
    net.setEpochCount(counts[1])
    state = rt.updater_state()  # the loaded state, or a fresh one on ranks that hold none
    if state is not None:
        dist.broadcast(state, src_global, group=group)
    rt.dirty = True  # a device copy is newer than the host arrays


def dataParallel(model, group=None, src: int = 0):
    """Train ``model`` data-parallel over the ranks of ``group`` (an extension; DL4J's own answers are
    ParallelWrapper and dl4j-spark): rank ``src``'s parameters, updater state and iteration / epoch counts are
    broadcast to every rank, and from now on every iteration's gradient is all-reduced before the updater
    (module docstring). ``model``: a MultiLayerNetwork, ComputationGraph or TransferLearningHelper (its
    unfrozen subset trains; the frozen part must be the same on every rank, e.g. the same zip). Under NCCL the
    network moves to this rank's GPU first. Returns ``model``. With one process it changes nothing."""
    net = networkOf(model)
    if net.backend != "torch":
        raise InvalidConfigurationError(f"dataParallel trains on the torch backend; this {type(net).__name__} uses "
                                        f"backend={net.backend!r} (DL4J's own scale-out is ParallelWrapper)")
    if G.getWorldSize(group) == 1:
        return model
    device = G.deviceForRank()
    if device is not None and net.device is None:
        net.to(device)
    _broadcast_state(net, src, group)
    GRADIENT_REDUCERS[net] = GradientAllReduce(group)
    return model


def stopDataParallel(model) -> None:
    """Train ``model`` alone again (its gradient no longer all-reduced)."""
    GRADIENT_REDUCERS.pop(networkOf(model), None)


# ---- the distributed split of a DataSetIterator ----------------------------------------------------


def _rows(a, lo, hi):
    return None if a is None else a[lo:hi]


def _slice(ds, lo, hi):
    """Examples ``lo:hi`` of a DataSet / MultiDataSet (views of its arrays)."""
    if hasattr(ds, "numFeatureArrays"):
        fm, lm = ds.getFeaturesMaskArrays(), ds.getLabelsMaskArrays()
        return MultiDataSet([_rows(f, lo, hi) for f in ds.getFeatures()], [_rows(y, lo, hi) for y in ds.getLabels()],
                            None if fm is None else [_rows(m, lo, hi) for m in fm],
                            None if lm is None else [_rows(m, lo, hi) for m in lm])
    return DataSet(_rows(ds.getFeatures(), lo, hi), _rows(ds.getLabels(), lo, hi),
                   _rows(ds.getFeaturesMaskArray(), lo, hi), _rows(ds.getLabelsMaskArray(), lo, hi))


def _num_examples(ds) -> int:
    f = ds.getFeatures(0) if hasattr(ds, "numFeatureArrays") else ds.getFeatures()
    return int(np.shape(f)[0])


class DistributedDataSetIterator(DataSetIterator):
    """This rank's shard of a DataSetIterator (an extension; dl4j-spark splits an RDD instead).

    ``split``:

    * ``"batches"`` (default): the source's minibatch ``i`` goes to rank ``i % worldSize``; one *round* (the
      global batch of one iteration) is ``worldSize`` consecutive minibatches. Each rank still calls the
      source's ``next()`` for the minibatches of the others (cheap for in-memory data; give decoding sources
      a per-rank file list and ``split="none"`` instead);
    * ``"examples"``: every minibatch of the source is cut into ``worldSize`` contiguous parts (sizes differ by
      at most one); the global batch is then the source's own minibatch;
    * ``"none"``: the source already is this rank's shard (e.g. its own files).

    ``agree=True`` (training): before each minibatch the ranks agree (one all-reduce of an integer) that every
    rank has one; the epoch ends on all ranks when one has none, so ranks with more minibatches never wait
    for an all-reduce the others skip. ``agree=False``: no communication (featurize, evaluation).

    Every rank must call ``hasNext``/``next``/``reset`` at the same points (the training loop does). Not
    asynchronous (``asyncSupported()`` is False): the agreement is a collective of the training thread."""

    def __init__(self, source, split: str = "batches", rank: int | None = None, worldSize: int | None = None,
                 group=None, agree: bool = True):
        super().__init__()
        if split not in ("batches", "examples", "none"):
            raise InvalidConfigurationError(f"DistributedDataSetIterator: split must be 'batches', 'examples' or "
                                            f"'none', got {split!r}")
        self.source = source
        self.split = split
        self.group = group
        self.rank = G.getRank(group) if rank is None else int(rank)
        self.worldSize = G.getWorldSize(group) if worldSize is None else int(worldSize)
        if not 0 <= self.rank < self.worldSize:
            raise InvalidConfigurationError(f"rank {self.rank} is not in [0, {self.worldSize})")
        self.agree = bool(agree) and self.worldSize > 1
        self.labels = getattr(source, "labels", None)
        self._items = None  # the source's minibatches, as a generator over one pass
        self._index = 0  # the source's next minibatch index in this pass
        self._pending = None  # this rank's next minibatch, once fetched
        self._agreed = None  # the agreed hasNext of the current position
        self._position = 0  # minibatches this rank returned in this pass
        self._warned = False

    # ---- one pass over the source ---------------------------------------------------------

    def _source_next(self):
        if self._items is None:
            self._items = iter(iterate(self.source))
        item = next(self._items, None)
        if item is not None:
            self._index += 1
            if isinstance(item, (tuple, list)) and not hasattr(item, "getFeatures"):
                item = DataSet(*item)
        return item

    def _fetch(self):
        """This rank's next minibatch (None at the end of the pass)."""
        if self._pending is not None:
            return self._pending
        if self.split == "none":
            self._pending = self._source_next()
        elif self.split == "batches":
            while True:
                index = self._index
                item = self._source_next()
                if item is None or index % self.worldSize == self.rank:
                    self._pending = item
                    break
        else:
            item = self._source_next()
            if item is not None:
                n = _num_examples(item)
                lo, hi = (n * self.rank) // self.worldSize, (n * (self.rank + 1)) // self.worldSize
                item = _slice(item, lo, hi) if hi > lo else None
            self._pending = item
        return self._pending

    # ---- the DataSetIterator protocol -------------------------------------------------------

    def hasNext(self) -> bool:
        if self._agreed is not None:
            return self._agreed
        local = self._fetch() is not None
        if not self.agree:
            return local
        everyone = G.all_reduce_ints([int(local)], "min", self.group)[0] == 1
        if local and not everyone and not self._warned:
            log.warning("rank %d: the epoch ends after %d minibatch(es) because another rank has no more; this "
                        "rank's remaining minibatches are not trained in this epoch", self.rank, self._position)
            self._warned = True
        self._agreed = everyone
        return everyone

    def _next(self, num):
        item = self._fetch()
        self._pending, self._agreed = None, None
        self._position += 1
        return item

    def next(self, num=None):
        if not self.hasNext():
            raise StopIteration("no more data: call reset() first")
        return self._preprocess(self._next(num))

    def skip(self, count: int) -> int:
        """Consume ``count`` of this rank's minibatches without returning them (every rank the same count): a
        restarted run continues its epoch where the checkpoint was taken. Returns how many were skipped."""
        done = 0
        while done < int(count) and self.hasNext():
            self._next(None)
            done += 1
        return done

    def reset(self) -> None:
        if hasattr(self.source, "reset"):
            self.source.reset()
        self._items, self._index, self._pending, self._agreed, self._position = None, 0, None, None, 0
        self._warned = False

    def resetSupported(self) -> bool:
        """A source with ``reset`` (and ``resetSupported()`` not false), or a list / tuple (iterated afresh)."""
        if isinstance(self.source, (list, tuple)):
            return True
        fn = getattr(self.source, "resetSupported", None)
        return bool(fn()) if callable(fn) else hasattr(self.source, "reset")

    def asyncSupported(self) -> bool:
        return False

    def batch(self) -> int:
        b = int(self.source.batch()) if hasattr(self.source, "batch") else 0
        return -(-b // self.worldSize) if self.split == "examples" else b

    def totalExamples(self) -> int:
        return int(self.source.totalExamples())

    def inputColumns(self) -> int:
        return int(self.source.inputColumns())

    def totalOutcomes(self) -> int:
        return int(self.source.totalOutcomes())

    def getLabels(self):
        return self.labels

    def cursor(self) -> int:
        """This rank's minibatches returned in the current pass."""
        return self._position

    def __len__(self):
        n = len(self.source) if hasattr(self.source, "__len__") else None
        if n is None or self.split == "none":
            return None
        return n // self.worldSize if self.split == "batches" else n
