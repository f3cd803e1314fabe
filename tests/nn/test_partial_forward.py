"""feedForwardToLayer and feedForward(vertices=...) run only the part of the network they need, and give
the activations a full pass gives (featurize relies on it)."""

from __future__ import annotations

import numpy as np

from pydl4j_transfer.conf import DenseLayer, ElementWiseVertex, MergeVertex, NeuralNetConfiguration, OutputLayer
from pydl4j_transfer.nn import ComputationGraph, MultiLayerNetwork


def _ran(net):
    """Names of the torch modules run by the next forward pass (filled by forward hooks)."""
    ran = []
    for name, m in net.torchModule().named_children():
        m.register_forward_hook(lambda mod, args, out, name=name: ran.append(name))
    return ran


def test_mln_feed_forward_to_layer_stops_there():
    conf = (NeuralNetConfiguration.Builder().seed(1).list()
            .layer(DenseLayer(nIn=4, nOut=6, activation="tanh", layerName="a"))
            .layer(DenseLayer(nIn=6, nOut=5, activation="relu", layerName="b"))
            .layer(OutputLayer(nIn=5, nOut=3, activation="softmax", lossFunction="mcxent", layerName="c")).build())
    net = MultiLayerNetwork(conf).init()
    x = np.random.default_rng(0).random((7, 4), dtype=np.float32)
    full = net.feedForward(x)
    ran = _ran(net)
    part = net.feedForwardToLayer(1, x)
    assert ran == ["a", "b"] and len(part) == 3
    for a, b in zip(part, full):
        np.testing.assert_array_equal(a, b)


def test_graph_feed_forward_of_some_vertices_runs_only_their_ancestors():
    conf = (NeuralNetConfiguration.Builder().seed(2).graphBuilder().addInputs("in")
            .addLayer("d1", DenseLayer(nIn=4, nOut=5, activation="tanh"), "in")
            .addLayer("d2", DenseLayer(nIn=5, nOut=5, activation="relu"), "d1")
            .addVertex("sum", ElementWiseVertex("Add"), "d1", "d2")
            .addVertex("twice", MergeVertex(), "sum", "sum")
            .addLayer("side", DenseLayer(nIn=4, nOut=3), "in")
            .addLayer("out", OutputLayer(nIn=13, nOut=2, activation="softmax", lossFunction="mcxent"), "twice", "side")
            .setOutputs("out").build())
    g = ComputationGraph(conf).init()
    x = np.random.default_rng(1).random((6, 4), dtype=np.float32)
    full = g.feedForward([x])
    ran = _ran(g)
    part = g.feedForward([x], vertices=["twice"])
    assert sorted(ran) == ["d1", "d2", "sum", "twice"]  # not "side", not "out"
    assert set(part) == {"in", "twice"}
    np.testing.assert_array_equal(part["twice"], full["twice"])
    np.testing.assert_array_equal(g.output(x)[0], full["out"])  # the releasing full pass gives the same output


def _cnn_mln():
    from pydl4j_transfer.conf import ConvolutionLayer, InputType, SubsamplingLayer

    return (NeuralNetConfiguration.Builder().seed(4).list()
            .layer(ConvolutionLayer.Builder().kernelSize(3, 3).nOut(4).activation("RELU").build())
            .layer(SubsamplingLayer.Builder().kernelSize(2, 2).stride(2, 2).build())
            .layer(DenseLayer.Builder().nOut(6).activation("TANH").build())  # CnnToFeedForward preprocessor
            .layer(OutputLayer.Builder().nOut(3).activation("SOFTMAX").lossFunction("MCXENT").build())
            .setInputType(InputType.convolutional(8, 8, 2)).build())


def test_activate_selected_layers_matches_dl4j_and_runs_only_those_layers():
    import pytest

    from pydl4j_transfer.dl4j_backend import Dl4jModel, to_indarray, to_numpy
    from pydl4j_transfer.errors import InvalidConfigurationError

    net = MultiLayerNetwork(_cnn_mln()).init()
    theirs = Dl4jModel.fromJson(net.getConfiguration().toJson(), net.params()).java
    x = np.random.default_rng(5).standard_normal((3, 2, 8, 8)).astype(np.float32)
    full = net.feedForward(x)
    theirs.setInput(to_indarray(x))  # DL4J reads the minibatch size for preprocessors from the stored input
    for lo, hi in ((0, 2), (0, 3), (1, 2), (2, 3)):
        ran = _ran(net)
        ours = net.activateSelectedLayers(lo, hi, full[lo])
        assert ran == list(dict(net.torchModule().named_children()))[lo:hi + 1]
        expected = to_numpy(theirs.activateSelectedLayers(lo, hi, to_indarray(full[lo])))
        np.testing.assert_allclose(ours, expected, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(ours, full[hi + 1], rtol=1e-6, atol=1e-7)
    for lo, hi, what in ((1, 1, "FROM"), (2, 1, "FROM"), (0, 4, "TO"), (-1, 2, "FROM")):
        with pytest.raises(InvalidConfigurationError, match=what):
            net.activateSelectedLayers(lo, hi, x)
