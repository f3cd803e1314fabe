"""One rank of ``python -m bench distributed``: run under torchrun (1 or 2 gloo ranks, one thread each unless
``--threads``), time data-parallel fit steps of a workload; rank 0 prints one JSON line.

Workloads (per-rank minibatch; every rank trains the same network on its own minibatch):

* ``head``: the guide's VGG16 head on featurized data (fc2 4096 -> 5, Nesterovs), batch 16: 20 k params;
* ``mlp``: MLP 784-1000-10 (Adam), batch 128: 0.8 M params;
* ``fc``: VGG16's fc2 + head on fc1 features (4096 -> 4096 -> 5, Adam), batch 16: 16.8 M params.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import numpy as np


def network(name):
    from pydl4j_transfer.conf import Adam, DenseLayer, Nesterovs, NeuralNetConfiguration, OutputLayer
    from pydl4j_transfer.nn import MultiLayerNetwork

    sizes, updater, batch = {"head": ([4096], Nesterovs(0.1, 5e-5), 16), "mlp": ([784, 1000], Adam(1e-3), 128),
                             "fc": ([4096, 4096], Adam(1e-4), 16)}[name]
    b = NeuralNetConfiguration.Builder().seed(7).updater(updater).list()
    for i in range(len(sizes) - 1):
        b = b.layer(DenseLayer(nIn=sizes[i], nOut=sizes[i + 1], activation="relu"))
    n_out = 10 if name == "mlp" else 5
    b = b.layer(OutputLayer(nIn=sizes[-1], nOut=n_out, activation="softmax", lossFn="MCXENT"))
    return MultiLayerNetwork(b.build()).init(), sizes[0], n_out, batch


def main(argv=None):
    import torch
    import torch.distributed as dist

    from pydl4j_transfer.data import DataSet
    from pydl4j_transfer.nn.training import GRADIENT_REDUCERS
    from pydl4j_transfer.parallelism import dataParallel, destroyDistributed, getRank, getWorldSize, initDistributed

    p = argparse.ArgumentParser()
    p.add_argument("--workload", default="mlp")
    p.add_argument("--reps", type=int, default=20)
    p.add_argument("--threads", type=int, default=1)
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    initDistributed(backend="gloo")
    net, n_in, n_out, batch = network(args.workload)
    dataParallel(net)
    rng = np.random.default_rng(getRank())
    ds = DataSet(rng.standard_normal((batch, n_in)).astype(np.float32),
                 np.eye(n_out, dtype=np.float32)[rng.integers(0, n_out, batch)])
    times = []
    for i in range(args.reps + 2):
        t0 = time.perf_counter()
        net.fit(ds)
        if i >= 2:
            times.append(time.perf_counter() - t0)
    grads = net.getRuntime().grads
    comm = []
    if getWorldSize() > 1:
        buf = torch.zeros_like(grads)
        for i in range(args.reps + 2):
            dist.barrier()
            t0 = time.perf_counter()
            dist.all_reduce(buf)
            if i >= 2:
                comm.append(time.perf_counter() - t0)
    reducer = GRADIENT_REDUCERS.get(net)
    out = {"workload": args.workload, "world": getWorldSize(), "threads": args.threads, "batch_per_rank": batch,
           "params": int(net.numParams()), "step_median_s": statistics.median(times), "step_min_s": min(times),
           "allreduce_median_s": statistics.median(comm) if comm else 0.0,
           "bytes_per_step": reducer.bytesPerStep if reducer is not None else 0}
    if getRank() == 0:
        print(json.dumps(out), flush=True)
    destroyDistributed()


if __name__ == "__main__":
    main()
