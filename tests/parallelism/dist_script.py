"""Run under ``torchrun --nproc-per-node 2`` by test_data_parallel.py: every scenario of scenarios.py on 2 gloo
ranks (dataParallel + DistributedDataSetIterator), then sharded featurize and fitFeaturized through a
TransferLearningHelper. Rank 0 writes the results into the folder given as argv[1]."""

from __future__ import annotations

import json
import os
import sys

import numpy as np

from pydl4j_transfer.data import ListDataSetIterator
from pydl4j_transfer.parallelism import (DistributedDataSetIterator, dataParallel, destroyDistributed, featurizeSharded, initDistributed)
from pydl4j_transfer.transfer import TransferLearningHelper

from tests.parallelism import scenarios as S


def main(out):
    rank, world = initDistributed()  # $PYDL4J_TRANSFER_DIST_BACKEND: gloo in the tests, nccl in bench/gpu_check.sh
    device = os.environ.get("PYDL4J_TEST_DEVICE")  # "cuda": the networks on the GPU (bench/gpu_check.sh)
    assert world == S.WORLD, world
    record = {}
    for name, (_, split, n, mb, epochs) in S.SCENARIOS.items():
        net = S.network(name)
        if rank == 1:  # rank 0's state must win: start rank 1 from other params
            net.setParams(net.params() * 0.5)
        if device:
            net.to(device)
        dataParallel(net)
        it = DistributedDataSetIterator(S.minibatches(name), split=split)
        net.fit(it, epochs=epochs)
        if rank == 0:
            np.save(os.path.join(out, f"{name}.params.npy"), net.params())
            state = net.getUpdaterState()
            if state is not None:
                np.save(os.path.join(out, f"{name}.state.npy"), state)
            record[name] = {"iterations": net.getIterationCount(), "epochs": net.getEpochCount(),
                            "score": net.score()}
    # sharded featurize (feature cache and DL4J DataSet files) and fitFeaturized of the unfrozen part
    for kind in ("cache", "files"):
        net = S.network("mln_sgd_l2")
        helper = TransferLearningHelper(net, 0)
        data = ListDataSetIterator(S.minibatches("mln_uneven"), 1)
        target = os.path.join(out, f"featurized_{kind}")
        mine = featurizeSharded(helper, data, **({"cache": target} if kind == "cache" else {"saveTo": target}))
        dataParallel(helper)
        helper.fitFeaturized(mine)
        if rank == 0:
            np.save(os.path.join(out, f"helper_{kind}.params.npy"), net.params())
            record[f"helper_{kind}"] = {"local": len(mine.source)}
    if rank == 0:
        with open(os.path.join(out, "record.json"), "w") as fh:
            json.dump(record, fh)
    destroyDistributed()


if __name__ == "__main__":
    main(sys.argv[1])
