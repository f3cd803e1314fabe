"""DL4J's runtime objects (issue 15): getLayer / getLayers / getVertex / getVertices and what they answer, compared
with the same calls on real DL4J 1.0.0-M2.1's network objects in the JVM (defects 2 and 3 among them: a convolution's
``params()`` is its slice of ``net.params()``; a frozen layer's ``conf().getLayer()`` is the wrapped layer)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from pydl4j_transfer.conf import (Activation, ConvolutionLayer, DenseLayer, FrozenLayer, FrozenLayerWithBackprop,
                                  InputType, LastTimeStep, LSTM, MergeVertex, OutputLayer, SubsamplingLayer)
from pydl4j_transfer.errors import InvalidConfigurationError, ParamLengthMismatchError
from pydl4j_transfer.nn import ComputationGraph, ModelSerializer, MultiLayerNetwork
from pydl4j_transfer.nn import layers as RL
from pydl4j_transfer.nn import vertices as RV

from . import nn_recipes as R


def mln_conf():
    return R.mln(ConvolutionLayer.Builder(2, 2).nOut(3).activation(Activation.RELU).build(),
                 SubsamplingLayer.Builder(2, 2).build(),
                 FrozenLayer(DenseLayer.Builder().nOut(5).activation(Activation.TANH).build()),
                 FrozenLayerWithBackprop(DenseLayer.Builder().nIn(5).nOut(4).build()),
                 OutputLayer.Builder("mcxent").nIn(4).nOut(3).activation(Activation.SOFTMAX).build(),
                 input_type=InputType.convolutional(6, 6, 2))


def graph_conf():
    def build(gb):
        return (gb.addLayer("b", DenseLayer(nIn=3, nOut=4), "in2").addLayer("a", FrozenLayer(DenseLayer(nIn=5, nOut=4)), "in1")
                .addVertex("m", MergeVertex(), "a", "b").addLayer("d", DenseLayer(nIn=8, nOut=6), "m")
                .addLayer("out", OutputLayer.Builder("mse").nIn(6).nOut(2).activation(Activation.IDENTITY).build(), "d")
                .addLayer("out2", OutputLayer.Builder("mse").nIn(4).nOut(2).activation(Activation.IDENTITY).build(), "b"))
    return R.graph(build, inputs=("in1", "in2"), outputs=("out", "out2"))


def _java(conf, params):
    from pydl4j_transfer.dl4j_backend import Dl4jModel

    return Dl4jModel.fromJson(conf.toJson(), params).java


def _np(a):
    from pydl4j_transfer.dl4j_backend import to_numpy

    return None if a is None else to_numpy(a).reshape(-1)


def _check_layer(ours, theirs):
    """One runtime layer against DL4J's."""
    from pydl4j_transfer.dl4j_backend import jclass

    assert ours.getIndex() == theirs.getIndex()
    assert ours.type().name == str(theirs.type())
    assert ours.numParams() == theirs.numParams()
    their_class = str(theirs.getClass().getSimpleName())
    assert isinstance(ours, RL.FrozenLayer) == (their_class == "FrozenLayer")
    assert isinstance(ours, RL.FrozenLayerWithBackprop) == (their_class == "FrozenLayerWithBackprop")
    assert isinstance(ours, RL.IOutputLayer) == bool(jclass_is_output(theirs)), their_class
    # conf(): a NeuralNetConfiguration whose layer is DL4J's (the wrapped layer for a frozen one: defect 3)
    mapper = jclass("org.deeplearning4j.nn.conf.NeuralNetConfiguration").mapper()
    assert json.loads(ours.conf().getLayer().toJson()) == json.loads(str(mapper.writeValueAsString(theirs.conf().getLayer())))
    if ours.numParams():
        np.testing.assert_array_equal(ours.params(), _np(theirs.params()))  # defect 2: conv W 'c', b first
        assert list(ours.paramTable()) == [str(k) for k in theirs.paramTable().keySet()]
        from pydl4j_transfer.dl4j_backend import to_numpy

        for key, view in ours.paramTable().items():  # same shape, same values (DL4J's 'f'/'c' views read alike)
            np.testing.assert_array_equal(view, to_numpy(theirs.getParam(key)))
    else:
        assert ours.params() is None


def jclass_is_output(layer):
    from pydl4j_transfer.dl4j_backend import jclass

    return jclass("org.deeplearning4j.nn.api.layers.IOutputLayer").class_.isInstance(layer)


@pytest.mark.dl4j
def test_mln_runtime_layers_match_dl4j():
    net = MultiLayerNetwork(mln_conf()).init()
    theirs = _java(mln_conf(), net.params())
    assert net.getnLayers() == theirs.getnLayers() == len(net.getLayers())
    for i in range(net.getnLayers()):
        _check_layer(net.getLayer(i), theirs.getLayer(i))
        assert net.getLayer(net.getLayer(i).conf().getLayer().layerName).getIndex() == i
    assert net.getOutputLayer().getIndex() == theirs.getOutputLayer().getIndex() == 4
    # views: writing a layer's params writes the network's
    conv = net.getLayer(0)
    assert np.shares_memory(conv.params(), net.params())
    conv.setParams(np.arange(conv.numParams(), dtype=np.float32))
    np.testing.assert_array_equal(net.params()[:conv.numParams()], np.arange(conv.numParams()))
    conv.setParam("b", np.ones(3, np.float32))
    np.testing.assert_array_equal(net.getParam("0_b"), np.ones(3))
    with pytest.raises(ParamLengthMismatchError, match="layer0"):
        conv.setParams(np.zeros(3))
    # the layer alone on an input (no preprocessor), as DL4J's activate(input, false)
    from pydl4j_transfer.dl4j_backend import to_indarray, jclass

    x = np.random.default_rng(1).standard_normal((2, 2, 6, 6)).astype(np.float32)
    theirs.setParams(to_indarray(net.params()))
    ws = jclass("org.deeplearning4j.nn.workspace.LayerWorkspaceMgr").noWorkspaces()
    np.testing.assert_allclose(conv.activate(x), _np(theirs.getLayer(0).activate(to_indarray(x), False, ws))
                               .reshape(2, 3, 5, 5), rtol=1e-5, atol=1e-6)


@pytest.mark.dl4j
def test_graph_runtime_layers_and_vertices_match_dl4j():
    net = ComputationGraph(graph_conf()).init()
    theirs = _java(graph_conf(), net.params())
    assert net.getNumLayers() == theirs.getNumLayers()
    assert [layer.conf().getLayer().layerName for layer in net.getLayers()] == \
        [str(layer.conf().getLayer().getLayerName()) for layer in theirs.getLayers()]
    for i in range(net.getNumLayers()):
        _check_layer(net.getLayer(i), theirs.getLayer(i))
    assert list(net.topologicalSortOrder()) == list(theirs.topologicalSortOrder())
    ours_v, their_v = net.getVertices(), theirs.getVertices()
    assert [v.getVertexName() for v in ours_v] == [str(v.getVertexName()) for v in their_v]

    def indices(vi):
        return None if vi is None else sorted((int(x.getVertexIndex()), int(x.getVertexEdgeNumber())) for x in vi)

    for o, t in zip(ours_v, their_v):
        assert o.getVertexIndex() == t.getVertexIndex()
        assert (o.hasLayer(), o.isInputVertex(), o.isOutputVertex()) == (t.hasLayer(), t.isInputVertex(), t.isOutputVertex())
        assert indices(o.getInputVertices()) == indices(t.getInputVertices())
        assert indices(o.getOutputVertices()) == indices(t.getOutputVertices())
        assert o.numParams() == t.numParams()
    assert isinstance(net.getVertex("m"), RV.GraphVertex) and not isinstance(net.getVertex("m"), RV.LayerVertex)
    assert net.getVertex("nope") is None and net.getLayer("m") is None
    assert net.getOutputLayer(1).conf().getLayer().layerName == "out2"


def test_set_layer_as_frozen_freezes_the_vertex():
    net = ComputationGraph(graph_conf()).init()
    x = [np.ones((3, 5), np.float32), np.ones((3, 3), np.float32)]
    y = [np.zeros((3, 2), np.float32), np.zeros((3, 2), np.float32)]
    net.getVertex("b").setLayerAsFrozen()
    assert isinstance(net.getLayer("b"), RL.FrozenLayer)
    assert net.getLayer("b").conf().getLayer().layerName == "b"
    before = net.getLayer("b").params().copy()
    net.fit(x, y)
    np.testing.assert_array_equal(net.getLayer("b").params(), before)
    with pytest.raises(InvalidConfigurationError, match="non layer vertices"):
        net.getVertex("m").setLayerAsFrozen()
    with pytest.raises(InvalidConfigurationError, match="Output Layers are not allowed to be frozen"):
        net.getVertex("out").setLayerAsFrozen()


def test_wrapper_conf_is_the_wrapped_layer_and_type_as_dl4j():
    conf = R.mln(LastTimeStep(LSTM.Builder().nIn(3).nOut(4).build()),
                 OutputLayer.Builder("mcxent").nIn(4).nOut(2).activation(Activation.SOFTMAX).build())
    net = MultiLayerNetwork(conf).init()
    layer = net.getLayer(0)
    assert type(layer.conf().getLayer()).__name__ == "LSTM"
    assert layer.type() is RL.Layer.Type.FEED_FORWARD  # DL4J's LastTimeStepLayer (read in the JVM)
    assert layer.getUnderlying().type() is RL.Layer.Type.RECURRENT


def test_constructor_with_params_load_and_fit_epochs(tmp_path):
    conf = R.mln(R.dense(5, 6), R.out(6, 3))
    params = MultiLayerNetwork(R.mln(R.dense(5, 6), R.out(6, 3))).init().params().astype(np.float64)
    net = MultiLayerNetwork(conf, params)  # Java's new MultiLayerNetwork(conf, params): initialised, conf's dtype
    assert net.isInitCalled() and net.params().dtype == np.float32
    np.testing.assert_allclose(net.params(), params)
    before = net.params().copy()
    net.init()  # DL4J: init() on an initialised network does nothing
    np.testing.assert_array_equal(net.params(), before)
    rng = np.random.default_rng(0)
    batches = [(rng.standard_normal((4, 5)).astype(np.float32), np.eye(3, dtype=np.float32)[rng.integers(0, 3, 4)])
               for _ in range(3)]
    net.fit(batches, 2)  # Java's fit(DataSetIterator, int numEpochs)
    assert (net.getIterationCount(), net.getEpochCount()) == (6, 2)
    with pytest.raises(InvalidConfigurationError, match="numEpochs"):
        net.fit(batches[0][0], 3)
    net.save(tmp_path / "m.zip")
    back = MultiLayerNetwork.load(tmp_path / "m.zip", True)
    np.testing.assert_array_equal(back.params(), net.params())
    assert back.getUpdaterState() is not None
    assert MultiLayerNetwork.load(tmp_path / "m.zip", False).getUpdaterState() is None
    with pytest.raises(InvalidConfigurationError, match="backend="):
        MultiLayerNetwork(conf, "dl4j")
    # setInput / setLabels / computeGradientAndScore(), as Java code calls them
    net.setInput(batches[0][0])
    net.setLabels(batches[0][1])
    g, s = net.computeGradientAndScore()
    g2, s2 = net.computeGradientAndScore(batches[0][0], batches[0][1])
    np.testing.assert_array_equal(g, g2)
    assert s == s2


def test_graph_load_output_single_and_set_param_table(tmp_path):
    conf = R.graph(lambda gb: gb.addLayer("d", R.dense(5, 4), "in").addLayer("out", R.out(4, 3), "d"))
    net = ComputationGraph(conf).init()
    x = np.ones((2, 5), np.float32)
    np.testing.assert_array_equal(net.outputSingle(x), net.output(x)[0])
    np.testing.assert_array_equal(net.outputSingle(True, x).shape, (2, 3))
    ModelSerializer.writeModel(net, tmp_path / "g.zip", True)
    back = ComputationGraph.load(tmp_path / "g.zip", False)
    table = {k: np.zeros_like(v) for k, v in back.paramTable().items()}
    back.setParamTable(table)
    assert not back.params().any()
    with pytest.raises(InvalidConfigurationError, match="keys are not equal"):
        back.setParamTable({"d_W": table["d_W"]})
    with pytest.raises(ParamLengthMismatchError, match="d_b"):
        back.setParamTable({**table, "d_b": np.zeros(7, np.float32)})
    two = ComputationGraph(graph_conf()).init()
    with pytest.raises(InvalidConfigurationError, match="exactly 1 output"):
        two.outputSingle(np.ones((1, 5), np.float32), np.ones((1, 3), np.float32))
