"""Inputs in any numpy layout reach the torch backend as the same values: big-endian arrays (as read from some
files), reversed and Fortran-ordered strides. torch.from_numpy takes native byte order only; these used to stop
there with a ValueError from torch."""

from __future__ import annotations

import numpy as np
import pytest

from pydl4j_transfer.conf import LSTM
from pydl4j_transfer.nn import ComputationGraph, MultiLayerNetwork

from .nn_recipes import dense, ff_graph, mln, out, rnn_net


def _variants(a):
    return {"big-endian": a.astype(a.dtype.newbyteorder(">")), "reversed strides": a[::-1].copy()[::-1],
            "fortran": np.asfortranarray(a)}


@pytest.mark.parametrize("variant", ["big-endian", "reversed strides", "fortran"])
def test_mln_output_and_fit(variant):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((5, 4)).astype(np.float32)
    y = np.eye(3, dtype=np.float32)[rng.integers(0, 3, 5)]
    a, b = (MultiLayerNetwork(mln(dense(4, 6), out(6, 3), seed=3)).init() for _ in range(2))
    np.testing.assert_array_equal(a.output(_variants(x)[variant]), b.output(x))
    a.fit(_variants(x)[variant], _variants(y)[variant])
    b.fit(x, y)
    np.testing.assert_array_equal(a.params(), b.params())


@pytest.mark.parametrize("variant", ["big-endian", "reversed strides", "fortran"])
def test_graph_output(variant):
    from pydl4j_transfer.conf import MergeVertex

    g = ComputationGraph(ff_graph(MergeVertex(), n_inputs=2, out_n_in=10)).init()
    rng = np.random.default_rng(1)
    xs = [rng.standard_normal((3, 4)).astype(np.float32) for _ in range(2)]
    np.testing.assert_array_equal(g.output(*[_variants(x)[variant] for x in xs])[0], g.output(*xs)[0])


def test_rnn_time_step_big_endian():
    net = MultiLayerNetwork(rnn_net(LSTM.Builder().nOut(4).build(), seed=2)).init()
    x = np.random.default_rng(2).standard_normal((2, 3, 5)).astype(np.float32)
    expected = net.rnnTimeStep(x)
    net.rnnClearPreviousState()
    np.testing.assert_array_equal(net.rnnTimeStep(x.astype(">f4")), expected)
