"""A rank killed mid-training under ``torchrun --max-restarts 1``: both ranks restart, resume from the last
checkpoint rank 0 wrote (CheckpointListener), and finish with the params of a run that was never stopped."""

from __future__ import annotations

import json

import numpy as np
import pytest

from pydl4j_transfer.nn import CheckpointListener, ModelSerializer

from . import restart_script as RS
from . import scenarios as S
from .torchrun import torchrun


@pytest.fixture(scope="module")
def restarted(tmp_path_factory):
    out = tmp_path_factory.mktemp("restart")
    torchrun("restart_script.py", out, "--max-restarts", "1")
    return out


def test_killed_rank_resumes_to_the_uninterrupted_result(restarted):
    final = json.loads((restarted / "final.json").read_text())
    assert final["attempt"] == 1, "the run was not restarted"
    assert final["resumedSteps"] > 0  # resumed inside an epoch: the data order was skipped forward
    params, _, iterations, _ = S.single_process(RS.NAME)
    assert final["iterations"] == iterations and final["epochs"] == RS.EPOCHS
    got = np.load(restarted / "final.npy")
    assert float(np.abs(got - params).max() / np.abs(params).max()) <= 1e-6


def test_checkpoints_are_whole_dl4j_zips(restarted):
    ckpt = restarted / "checkpoints"
    assert not list(ckpt.glob("*.tmp")) and not list(ckpt.glob(".*"))
    available = CheckpointListener.availableCheckpoints(ckpt)
    assert len(available) == 2  # keepLast(2), across the restart
    last = CheckpointListener.lastCheckpoint(ckpt)
    net = ModelSerializer.restoreMultiLayerNetwork(CheckpointListener.getFileForCheckpoint(ckpt, last), True)
    assert net.getUpdaterState() is not None and net.getIterationCount() == last.iteration


@pytest.mark.dl4j
def test_dl4j_restores_the_checkpoint(restarted):
    """The extra resume entry does not bother DL4J: its ModelSerializer restores the zip, same params."""
    from pydl4j_transfer.dl4j_backend import Dl4jModel

    ckpt = restarted / "checkpoints"
    path = CheckpointListener.getFileForCheckpoint(ckpt, CheckpointListener.lastCheckpoint(ckpt))
    theirs = Dl4jModel.restore(path)
    ours = ModelSerializer.restoreMultiLayerNetwork(path, True)
    assert np.array_equal(theirs.params(), ours.params())
    assert np.array_equal(theirs.updaterState(), ours.getUpdaterState())
