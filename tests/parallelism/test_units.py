"""The pieces of pydl4j_transfer.parallelism that need no second process: the distributed split, sharded featurize
after a crash, dl4j-spark's entry points, the gradient ranges that are averaged rather than summed, and
CheckpointListener's resume."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from pydl4j_transfer.data import DataSet, ListDataSetIterator
from pydl4j_transfer.errors import (CorruptEntryError, DistributedTrainingError, InvalidConfigurationError,
                                    NotMirroredError)
from pydl4j_transfer.nn import BaseTrainingListener, CheckpointListener
from pydl4j_transfer.parallelism import (DistributedDataSetIterator, ParameterAveragingTrainingMaster,
                                         SharedTrainingMaster, SparkComputationGraph, SparkDl4jMultiLayer,
                                         featurizeSharded)
from pydl4j_transfer.transfer import TransferLearningHelper
from pydl4j_transfer.zipio.files import TEMP_SUFFIX

from . import scenarios as S


def ids(it):
    """The first feature value of each minibatch an iterator gives (the minibatch's identity here)."""
    return [int(ds.getFeatures()[0, 0]) for ds in it]


def numbered(n, mb=1):
    return [DataSet(np.full((mb, 2), i, np.float32), np.zeros((mb, 1), np.float32)) for i in range(n)]


# ---- DistributedDataSetIterator --------------------------------------------------------------------


def test_batches_split_is_strided_and_resets():
    data = numbered(7)
    assert ids(DistributedDataSetIterator(data, rank=0, worldSize=2)) == [0, 2, 4, 6]
    it = DistributedDataSetIterator(ListDataSetIterator(data, 1), rank=1, worldSize=3)
    assert ids(it) == [1, 4] and ids(it) == [1, 4]  # Python iteration resets first
    assert len(DistributedDataSetIterator(ListDataSetIterator(data, 1), rank=0, worldSize=2)) == 3


def test_examples_split_and_skip():
    ds = DataSet(np.arange(10, dtype=np.float32).reshape(5, 2), np.zeros((5, 1), np.float32))
    parts = [DistributedDataSetIterator([ds], split="examples", rank=r, worldSize=2).next() for r in (0, 1)]
    assert [p.numExamples() for p in parts] == [2, 3]
    assert np.array_equal(np.concatenate([p.getFeatures() for p in parts]), ds.getFeatures())
    it = DistributedDataSetIterator(numbered(6), rank=0, worldSize=2)
    assert it.skip(2) == 2 and ids([it.next()]) == [4] and not it.hasNext()
    with pytest.raises(InvalidConfigurationError, match="split"):
        DistributedDataSetIterator(numbered(2), split="rows")


# ---- sharded featurize -------------------------------------------------------------------------------


class Counting:
    """A TransferLearningHelper that counts featurize calls and can fail after some."""

    def __init__(self, helper, fail_after=None):
        self.helper, self.calls, self.fail_after = helper, 0, fail_after

    def featurize(self, ds, **kw):
        if self.fail_after is not None and self.calls >= self.fail_after:
            raise RuntimeError("killed")
        self.calls += 1
        return self.helper.featurize(ds, **kw)


def test_featurize_shards_survive_a_crash_and_redo_only_the_missing(tmp_path):
    data = S.minibatches("mln_uneven")  # 7 minibatches
    helper = TransferLearningHelper(S.network("mln_sgd_l2"), 0)
    single = tmp_path / "single"
    featurizeSharded(helper, data, saveTo=single)
    shards = tmp_path / "shards"
    (shards).mkdir()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()  # a killed writer's leftover: zipio/files.py's temp name, with its (gone) process id
    (shards / f".featurized-2.bin.{dead.pid}.k7x_q{TEMP_SUFFIX}").write_bytes(b"half a file")
    crashing = Counting(helper, fail_after=1)
    with pytest.raises(RuntimeError, match="killed"):
        featurizeSharded(crashing, data, saveTo=shards, rank=0, worldSize=2)
    assert sorted(os.listdir(shards)) == ["featurized-0.bin"]  # whole files only, the stale temp file gone
    for rank, expected in ((0, 3), (1, 3)):  # rank 0 redoes 2, 4, 6 only; rank 1 does 1, 3, 5
        again = Counting(helper)
        mine = featurizeSharded(again, data, saveTo=shards, rank=rank, worldSize=2)
        assert again.calls == expected and len(mine.source) == 4 - rank
    assert sorted(os.listdir(shards)) == sorted(os.listdir(single))
    assert all((shards / f).read_bytes() == (single / f).read_bytes() for f in os.listdir(single))
    with pytest.raises(InvalidConfigurationError, match="exactly one"):
        featurizeSharded(helper, data)


# ---- dl4j-spark's names ---------------------------------------------------------------------------------


@pytest.mark.parametrize("cls", [SparkDl4jMultiLayer, SparkComputationGraph, ParameterAveragingTrainingMaster,
                                 SharedTrainingMaster])
def test_spark_entry_points_name_their_replacement(cls):
    with pytest.raises(DistributedTrainingError, match="TorchDistributor"):
        cls(None, None, None)
    with pytest.raises(DistributedTrainingError, match=cls.__name__ + ".Builder"):
        cls.Builder(4)


def test_unmirrored_parallel_wrapper_methods_say_what_to_write():
    """A ported Java call to ParallelWrapper's internals (or a Lombok setter) names the Builder call instead."""
    from pydl4j_transfer.parallelism import ParallelWrapper

    with pytest.raises(NotMirroredError, match="Builder"):
        ParallelWrapper.Builder.trainerFactory
    with pytest.raises(NotMirroredError, match="workers"):
        ParallelWrapper.setWorkers
    with pytest.raises(AttributeError):
        ParallelWrapper.noSuchMethod


# ---- the gradient ranges data parallelism averages ------------------------------------------------------


def test_per_process_ranges_cover_frozen_and_unreached_layers():
    net = S.network("mln_adam_frozen")  # dense 0 | FrozenLayer 1 | FrozenLayerWithBackprop 2 | output 3
    net.fit(S.minibatches("mln_adam_frozen")[0])
    slots = {f"{s.owner}_{s.key}": (s.offset, s.offset + s.size) for s in net.getRuntime().slots}
    rest = net.getRuntime().per_process_gradient_ranges()
    covered = lambda r: any(a <= r[0] and r[1] <= b for a, b in rest)  # noqa: E731
    assert all(covered(slots[k]) for k in ("0_W", "0_b", "1_W", "1_b", "2_W", "2_b"))  # unreached, frozen
    assert not any(covered(slots[k]) for k in ("3_W", "3_b"))  # sums over the minibatch


# ---- CheckpointListener: resume ------------------------------------------------------------------------


class StopError(Exception):
    pass


class StopAt(BaseTrainingListener):
    def __init__(self, iteration):
        self.at = iteration

    def iterationDone(self, model, iteration, epoch):
        if iteration == self.at:
            raise StopError


def _train(net, it, listeners, epochs=3):
    net.setListeners(*listeners)
    for _ in range(net.getEpochCount(), epochs):
        net.fit(it)


@pytest.mark.parametrize("stop_at", [4, 6])  # 6: the checkpoint at iteration 6 is the last step of an epoch
def test_resume_from_checkpoint_equals_uninterrupted(tmp_path, stop_at):
    """3 rounds per epoch, 3 epochs, a checkpoint every 2 iterations; stopped after iteration ``stop_at``,
    resumed from the last checkpoint: the params of the run that was never stopped. Adam, MaxNorm that binds."""
    name = "mln_adam_transfer"
    rounds = S.rounds(name)[:3]
    whole = S.network(name)
    _train(whole, ListDataSetIterator(rounds, 1), [])
    ckpt = tmp_path / "ckpt"
    net = S.network(name)
    with pytest.raises(StopError):
        _train(net, ListDataSetIterator(rounds, 1),
               [CheckpointListener.Builder(ckpt).saveEveryNIterations(2).logSaving(False).build(), StopAt(stop_at)])
    resumed, done = CheckpointListener.resumeLastCheckpoint(ckpt)
    assert (resumed.getIterationCount(), done) == ((5, 2) if stop_at == 4 else (7, 1))
    it = DistributedDataSetIterator(ListDataSetIterator(rounds, 1), split="none")
    it.skip(done)
    _train(resumed, it, [CheckpointListener.Builder(ckpt).saveEveryNIterations(2).resumeExisting(True)
                         .logSaving(False).build()])
    assert float(np.abs(resumed.params() - whole.params()).max()) <= 1e-6 * float(np.abs(whole.params()).max())
    assert resumed.getIterationCount() == 9 and resumed.getEpochCount() == 3
    # DL4J's own way (load the last checkpoint and go on) repeats an iteration number and skips the constraints
    naive = CheckpointListener.loadCheckpointMLN(ckpt, CheckpointListener.availableCheckpoints(ckpt)[1])
    assert naive.getIterationCount() == 4


def test_checkpoint_record_and_rank(tmp_path, monkeypatch):
    net = S.network("mln_sgd_l2")
    monkeypatch.setenv("RANK", "1")  # torchrun's rank 1, no group: writes nothing
    listener = CheckpointListener.Builder(tmp_path / "r1").saveEveryNIterations(1).build()
    net.setListeners(listener)
    for ds in S.minibatches("mln_sgd_l2")[:3]:
        net.fit(ds)
    assert not (tmp_path / "r1").exists()
    monkeypatch.setenv("RANK", "0")
    ckpt = tmp_path / "r0"
    net.setListeners(CheckpointListener.Builder(ckpt).saveEveryNIterations(1).keepLast(2).build())
    for ds in S.minibatches("mln_sgd_l2")[:4]:
        net.fit(ds)
    lines = (ckpt / "checkpointInfo.txt").read_text().splitlines()
    assert lines[0] == "checkpointNum,timestamp,iteration,epoch,modelType,filename" and len(lines) == 4
    assert sorted(p.name for p in ckpt.iterdir()) == ["checkpointInfo.txt", "checkpoint_1_MultiLayerNetwork.zip",
                                                      "checkpoint_2_MultiLayerNetwork.zip"]
    with pytest.raises(RuntimeError, match="Detected existing checkpoint files"):
        CheckpointListener.Builder(ckpt).build()


def test_corrupt_resume_entry_is_a_typed_error(tmp_path):
    from pydl4j_transfer.nn.checkpoint import RESUME_ENTRY
    from pydl4j_transfer.zipio import read_zip_entries
    from pydl4j_transfer.zipio.archive import write_zip_atomic

    net = S.network("mln_sgd_l2")
    ckpt = tmp_path / "ckpt"
    net.setListeners(CheckpointListener.Builder(ckpt).saveEveryNIterations(1).build())
    for ds in S.minibatches("mln_sgd_l2")[:3]:
        net.fit(ds)
    path = CheckpointListener.getFileForCheckpoint(ckpt, CheckpointListener.lastCheckpoint(ckpt))
    entries = read_zip_entries(path)
    entries[RESUME_ENTRY] = b"{not json"
    write_zip_atomic(path, list(entries.items()))
    with pytest.raises(CorruptEntryError, match=RESUME_ENTRY):
        CheckpointListener.resumeLastCheckpoint(ckpt)
