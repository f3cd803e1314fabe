"""Run under ``torchrun --nproc-per-node 2 --max-restarts 1`` by test_restart.py: data-parallel training with a
CheckpointListener; on the first attempt rank 1 kills itself (SIGKILL) in iteration KILL_AT, torchrun restarts
both ranks, and the second attempt resumes from the last checkpoint (resumeOrStart) and finishes. Rank 0 writes
the final params and the attempt it finished in into argv[1]."""

from __future__ import annotations

import json
import os
import signal
import sys

import numpy as np

from pydl4j_transfer.nn import BaseTrainingListener, CheckpointListener
from pydl4j_transfer.parallelism import (DistributedDataSetIterator, destroyDistributed, getRank, initDistributed,
                                         resumeOrStart)

from tests.parallelism import scenarios as S

NAME, EPOCHS, KILL_AT = "mln_adam_transfer", 3, 7  # 3 rounds per epoch: killed in epoch 2, between checkpoints


class KillRank1(BaseTrainingListener):
    def iterationDone(self, model, iteration, epoch):
        if getRank() == 1 and iteration == KILL_AT and os.environ.get("TORCHELASTIC_RESTART_COUNT", "0") == "0":
            os.kill(os.getpid(), signal.SIGKILL)


def main(out):
    if os.environ.get("PYDL4J_TEST_HANG_DUMP"):  # debugging a hang: every thread's stack after N seconds
        import faulthandler

        faulthandler.dump_traceback_later(int(os.environ["PYDL4J_TEST_HANG_DUMP"]), exit=True)
    initDistributed(backend="gloo")
    ckpt = os.path.join(out, "checkpoints")
    net, done = resumeOrStart(ckpt, lambda: S.network(NAME))
    it = DistributedDataSetIterator(S.minibatches(NAME))
    it.skip(done)
    net.setListeners(CheckpointListener.Builder(ckpt).saveEveryNIterations(2).keepLast(2).resumeExisting(True)
                     .logSaving(False).build(), KillRank1())
    for _ in range(net.getEpochCount(), EPOCHS):
        net.fit(it)
    if getRank() == 0:
        np.save(os.path.join(out, "final.npy"), net.params())
        with open(os.path.join(out, "final.json"), "w") as fh:
            json.dump({"attempt": int(os.environ.get("TORCHELASTIC_RESTART_COUNT", "0")), "resumedSteps": done,
                       "iterations": net.getIterationCount(), "epochs": net.getEpochCount()}, fh)
    destroyDistributed()


if __name__ == "__main__":
    main(sys.argv[1])
