"""Training scenarios run twice: by 2 gloo ranks under torchrun (dist_script.py) and by one process here.

Each scenario builds the same network (deterministic init from the configuration's seed) and the same
minibatches on every rank. The single-process reference trains on each *round's* global batch: the
concatenation, in rank order, of the minibatches the ranks train together (split "batches": source minibatches
2k and 2k+1; split "examples": the source minibatch itself, cut in two).
"""

from __future__ import annotations

import numpy as np

from pydl4j_transfer.conf import (Adam, FrozenLayer, FrozenLayerWithBackprop, MaxNormConstraint, MergeVertex, Nesterovs,
                                  Sgd)
from pydl4j_transfer.data import DataSet, MultiDataSet
from pydl4j_transfer.nn import ComputationGraph, MultiLayerNetwork

from ..nn import nn_recipes as R

WORLD = 2


def _mln_sgd():
    return R.mln(R.dense(5, 6), R.dense(6, 4, activation="sigmoid"), R.out(4, 3), updater=Sgd(0.3), l2=0.01)


def _mln_nesterovs():
    return R.mln(R.dense(5, 6), R.dense(6, 4, activation="relu"), R.out(4, 3), updater=Nesterovs(0.1, 0.9), l1=0.002)


def _mln_adam_frozen():
    # layer 0 sits below a FrozenLayer: DL4J's backprop never reaches it (its gradient view keeps the last update)
    return R.mln(R.dense(5, 6), FrozenLayer(R.dense(6, 5)), FrozenLayerWithBackprop(R.dense(5, 4)), R.out(4, 3),
                 updater=Adam(0.02), l1=0.001, l2=0.01)


def _mln_adam_transfer():
    # transfer learning's usual shape: the frozen layers at the bottom, a MaxNorm constraint on the head
    head = R.dense(6, 4, activation="relu", constrainWeights=MaxNormConstraint(0.6, [1]))
    return R.mln(FrozenLayer(R.dense(5, 6)), head, R.out(4, 3), updater=Adam(0.05), l2=0.005)


def _graph_adam():
    def build(gb):
        return (gb.addLayer("d0", R.dense(5, 4), "in0").addLayer("d1", R.dense(2, 3, activation="relu"), "in1")
                .addVertex("m", MergeVertex(), "d0", "d1").addLayer("out", R.out(7, 3), "m"))

    return R.graph(build, inputs=("in0", "in1"), updater=Adam(0.02), l2=0.001, weightDecay=0.01)


#: name -> (configuration maker, split, number of source minibatches, examples per minibatch, epochs)
SCENARIOS = {
    "mln_sgd_l2": (_mln_sgd, "batches", 6, 4, 2),
    "mln_nesterovs_l1": (_mln_nesterovs, "batches", 6, 4, 1),
    "mln_adam_frozen": (_mln_adam_frozen, "batches", 6, 4, 2),
    "mln_adam_transfer": (_mln_adam_transfer, "batches", 6, 4, 3),
    "graph_adam_wd": (_graph_adam, "batches", 4, 3, 1),
    "mln_uneven": (_mln_sgd, "batches", 7, 4, 2),  # 7 minibatches on 2 ranks: 3 rounds, the 7th left out
    "mln_examples": (_mln_nesterovs, "examples", 3, 5, 1),  # each minibatch of 5 cut into 2 + 3 examples
}


def network(name):
    make = SCENARIOS[name][0]
    conf = make()
    net = ComputationGraph(conf) if hasattr(conf, "vertices") else MultiLayerNetwork(conf)
    return net.init()


def minibatches(name, seed=3):
    make, _, n, mb, _ = SCENARIOS[name]
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        y = np.eye(3, dtype=np.float32)[rng.integers(0, 3, mb)]
        if name.startswith("graph"):
            out.append(MultiDataSet([rng.standard_normal((mb, 5)).astype(np.float32),
                                     rng.standard_normal((mb, 2)).astype(np.float32)], [y]))
        else:
            out.append(DataSet(rng.standard_normal((mb, 5)).astype(np.float32), y))
    return out


def rounds(name):
    """The global batch of each iteration, in order, over all epochs (what one process trains on)."""
    _, split, n, _, epochs = SCENARIOS[name]
    data = minibatches(name)
    if split == "examples":
        per_epoch = data
    else:
        per_epoch = [_concat(data[k * WORLD:(k + 1) * WORLD]) for k in range(n // WORLD)]
    return per_epoch * epochs


def _concat(parts):
    if isinstance(parts[0], MultiDataSet):
        return MultiDataSet([np.concatenate([p.getFeatures(i) for p in parts]) for i in range(parts[0].numFeatureArrays())],
                            [np.concatenate([p.getLabels(i) for p in parts]) for i in range(parts[0].numLabelsArrays())])
    return DataSet(np.concatenate([p.getFeatures() for p in parts]), np.concatenate([p.getLabels() for p in parts]))


def single_process(name):
    """(params, updater state, iteration count, score) after one process trains on the rounds."""
    net = network(name)
    for ds in rounds(name):
        net.fit(ds)
    return net.params().copy(), net.getUpdaterState(), net.getIterationCount(), net.score()
