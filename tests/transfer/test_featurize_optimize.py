"""TransferLearningHelper.featurize(optimize=True): the frozen part as a frozen TorchScript graph
(torch_backend/frozen_graph.py), against DL4J's own featurize and against the ordinary forward."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from .test_helper import _java_helper, _java_net, _jds, _jmds, _np

from pydl4j_transfer.conf import (ActivationLayer, BatchNormalization, ConvolutionLayer, ConvolutionMode, DenseLayer,
                                  ElementWiseVertex, EmbeddingLayer, InputType, MergeVertex, NeuralNetConfiguration,
                                  OutputLayer, PoolingType, Sgd, SubsamplingLayer)
from pydl4j_transfer.conf.enums import Activation, ElementWiseOp, LossFunctions, WeightInit
from pydl4j_transfer.data import DataSet, MultiDataSet
from pydl4j_transfer.errors import InvalidConfigurationError
from pydl4j_transfer.nn import ComputationGraph, MultiLayerNetwork
from pydl4j_transfer.torch_backend import frozen_graph
from pydl4j_transfer.transfer import FeatureCache, TransferLearningHelper


def _set_bn_stats(net, rng):
    """Running statistics far from (0, 1), so that a BatchNormalization left out or folded wrongly shows."""
    for key, view in net.paramTable().items():
        if key.endswith("_mean"):
            view[...] = rng.uniform(-0.5, 0.5, view.shape)
        elif key.endswith("_var"):
            view[...] = rng.uniform(0.3, 3.0, view.shape)
        elif key.endswith("_log10stdev"):
            view[...] = rng.uniform(-0.4, 0.4, view.shape)
        elif key.endswith("_gamma"):
            view[...] = rng.uniform(0.5, 1.5, view.shape)
        elif key.endswith("_beta"):
            view[...] = rng.uniform(-0.3, 0.3, view.shape)
    return net


def residual_graph(seed=11, dtype=None):
    """in(3x12x12) -> conv/BN(log-std)/relu -> {conv/BN(var)/relu -> conv/BN ; 1x1 conv/BN} -> add -> relu
    -> pool, and a second input merged after the pool; frozen at "pool" and "dense_a" (two boundaries)."""
    b = NeuralNetConfiguration.Builder().seed(seed).updater(Sgd(0.1)).weightInit(WeightInit.RELU)
    if dtype is not None:
        b = b.dataType(dtype)
    g = (b.convolutionMode(ConvolutionMode.Same).graphBuilder().addInputs("img", "aux")
         .addLayer("c0", ConvolutionLayer.Builder(3, 3).nIn(3).nOut(6).stride(2, 2).activation(Activation.IDENTITY)
                   .build(), "img")
         .addLayer("bn0", BatchNormalization.Builder().build(), "c0")
         .addLayer("r0", ActivationLayer.Builder().activation(Activation.RELU).build(), "bn0")
         .addLayer("c1", ConvolutionLayer.Builder(3, 3).nOut(6).activation(Activation.IDENTITY).build(), "r0")
         .addLayer("bn1", BatchNormalization.Builder().useLogStd(False).build(), "c1")
         .addLayer("r1", ActivationLayer.Builder().activation(Activation.RELU).build(), "bn1")
         .addLayer("c2", ConvolutionLayer.Builder(3, 3).nOut(8).activation(Activation.IDENTITY).build(), "r1")
         .addLayer("bn2", BatchNormalization.Builder().build(), "c2")
         .addLayer("sc", ConvolutionLayer.Builder(1, 1).nOut(8).activation(Activation.IDENTITY).build(), "r0")
         .addLayer("bnsc", BatchNormalization.Builder().build(), "sc")
         .addVertex("add", ElementWiseVertex(ElementWiseOp.Add), "bn2", "bnsc")
         .addLayer("r2", ActivationLayer.Builder().activation(Activation.RELU).build(), "add")
         .addLayer("pool", SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build(), "r2")
         .addLayer("dense_a", DenseLayer.Builder().nOut(5).activation(Activation.TANH).build(), "aux")
         .addLayer("fc", DenseLayer.Builder().nOut(7).activation(Activation.RELU).build(), "pool")
         .addVertex("m", MergeVertex(), "fc", "dense_a")
         .addLayer("out", OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(3)
                   .activation(Activation.SOFTMAX).build(), "m")
         .setOutputs("out")
         .setInputTypes(InputType.convolutional(12, 12, 3), InputType.feedForward(4))
         .build())
    return _set_bn_stats(ComputationGraph(g).init(), np.random.default_rng(seed))


def conv_bn_mln(seed=5):
    """conv/BN/relu - pool - conv(relu) - dense - output at 3x10x10; frozen to the dense layer (index 4)."""
    conf = (NeuralNetConfiguration.Builder().seed(seed).updater(Sgd(0.1)).weightInit(WeightInit.XAVIER)
            .list(ConvolutionLayer.Builder(3, 3).nIn(3).nOut(4).activation(Activation.IDENTITY).build(),
                  BatchNormalization.Builder().build(),
                  ActivationLayer.Builder().activation(Activation.RELU).build(),
                  SubsamplingLayer.Builder(PoolingType.AVG).kernelSize(2, 2).stride(2, 2).build(),
                  DenseLayer.Builder().nOut(6).activation(Activation.SIGMOID).build(),
                  OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(2).activation(Activation.SOFTMAX).build())
            .setInputType(InputType.convolutional(10, 10, 3))
            .build())
    return _set_bn_stats(MultiLayerNetwork(conf).init(), np.random.default_rng(seed))


def _graph_data(n=4, seed=3):
    rng = np.random.default_rng(seed)
    return ([rng.standard_normal((n, 3, 12, 12)).astype(np.float32), rng.standard_normal((n, 4)).astype(np.float32)],
            [np.eye(3, dtype=np.float32)[rng.integers(0, 3, n)]])


def _mln_data(n=4, seed=4):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, 3, 10, 10)).astype(np.float32), np.eye(2, dtype=np.float32)[rng.integers(0, 2, n)]


def _rel(a, b):
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    return float(np.abs(a - b).max()) / max(1.0, float(np.abs(b).max()))


def _graphs_built(helper):
    return [entry[1] is not None for entry in helper._graphs.graphs.values()]


@pytest.mark.dl4j
def test_graph_featurize_optimized_matches_dl4j_and_the_ordinary_forward():
    xs, ys = _graph_data()
    g = residual_graph()
    jhelper = _java_helper(_java_net(g), "pool", "dense_a")
    helper = TransferLearningHelper(g, "pool", "dense_a")
    ours = helper.featurize(MultiDataSet(xs, ys), optimize=True)
    plain = helper.featurize(MultiDataSet(xs, ys))
    theirs = jhelper.featurize(_jmds(xs, ys))
    assert _graphs_built(helper) == [True]  # traced, not the eager fallback
    assert ours.numFeatureArrays() == 2
    for i in range(2):
        assert _rel(ours.getFeatures(i), _np(theirs.getFeatures(i))) <= 1e-5
        assert _rel(ours.getFeatures(i), plain.getFeatures(i)) <= 1e-5
    np.testing.assert_array_equal(ours.getLabels(0), ys[0])


@pytest.mark.dl4j
def test_mln_featurize_optimized_matches_dl4j():
    x, y = _mln_data()
    net = conv_bn_mln()
    jhelper = _java_helper(_java_net(net), 4)
    helper = TransferLearningHelper(net, frozenTill=4)
    ours = helper.featurize(DataSet(x, y), optimize=True).getFeatures()
    assert _graphs_built(helper) == [True]
    assert _rel(ours, _np(jhelper.featurize(_jds(x, y)).getFeatures())) <= 1e-5
    assert _rel(ours, helper.featurize(DataSet(x, y)).getFeatures()) <= 1e-5


def test_weights_changed_through_the_api_rebuild_the_graph():
    x, y = _mln_data(seed=8)
    net = conv_bn_mln()
    helper = TransferLearningHelper(net, frozenTill=4)
    before = helper.featurize(DataSet(x, y), optimize=True).getFeatures()
    first = helper._graphs
    net.setParam("0_W", net.getParam("0_W") * -1.5)  # a new torch module: new graphs
    after = helper.featurize(DataSet(x, y), optimize=True).getFeatures()
    assert helper._graphs is not first
    assert _rel(after, helper.featurize(DataSet(x, y)).getFeatures()) <= 1e-6 and _rel(after, before) > 1e-3
    with torch.no_grad():  # in place on a torch Parameter: the same module, the graph rebuilt
        net.torchModule().get_parameter("layer0.W").mul_(0.5)
    again = helper.featurize(DataSet(x, y), optimize=True).getFeatures()
    assert _rel(again, helper.featurize(DataSet(x, y)).getFeatures()) <= 1e-6 and _rel(again, after) > 1e-3


def test_fit_featurized_in_between_keeps_the_graph():
    x, y = _mln_data(seed=9)
    net = conv_bn_mln()
    helper = TransferLearningHelper(net, frozenTill=4)
    feats = helper.featurize(DataSet(x, y), optimize=True)
    graph = next(iter(helper._graphs.graphs.values()))
    for _ in range(3):  # the head's params are written back into the original: not the frozen part
        helper.fitFeaturized(feats)
    assert _rel(helper.featurize(DataSet(x, y), optimize=True).getFeatures(), feats.getFeatures()) == 0.0
    assert next(iter(helper._graphs.graphs.values())) is graph


def test_one_graph_per_input_shape_and_batches_of_an_iterator():
    g = residual_graph()
    helper = TransferLearningHelper(g, "pool", "dense_a")
    sets = [MultiDataSet(*_graph_data(n, seed=n)) for n in (4, 4, 3, 2, 1, 5, 4)]
    ours = helper.featurize(sets, optimize=True)
    for mds, out in zip(sets, ours):
        plain = helper.featurize(mds)
        for i in range(2):
            assert _rel(out.getFeatures(i), plain.getFeatures(i)) <= 1e-6
    assert len(helper._graphs.graphs) == frozen_graph.MAX_GRAPHS  # sizes 4, 3, 2, 1, 5, 4: the oldest dropped
    assert list(helper._graphs.graphs)[-1][0][0][0] == 4


def test_float64_network():
    xs, ys = _graph_data(seed=6)
    g = residual_graph(dtype="DOUBLE")
    helper = TransferLearningHelper(g, "pool", "dense_a")
    ours = helper.featurize(MultiDataSet(xs, ys), optimize=True)
    plain = helper.featurize(MultiDataSet(xs, ys))
    assert ours.getFeatures(0).dtype == np.float64
    assert _rel(ours.getFeatures(0), plain.getFeatures(0)) <= 1e-12


def test_bad_input_gives_the_ordinary_error_without_a_warning():
    helper = TransferLearningHelper(conv_bn_mln(), frozenTill=4)
    x, y = _mln_data()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(InvalidConfigurationError, match="expected input rank 4"):
            helper.featurize(DataSet(x[:, :2], y), optimize=True)
    with pytest.raises(InvalidConfigurationError, match="either optimize or autocast"):
        helper.featurize(DataSet(x, y), optimize=True, autocast="bf16")


def test_a_graph_that_fails_on_an_input_falls_back_to_the_layer_error():
    """EmbeddingLayer's index check is a Python branch: the trace keeps the branch its example took, so an
    index out of range later fails inside the graph; the eager forward then raises the layer's own error."""
    conf = (NeuralNetConfiguration.Builder().seed(1).updater(Sgd(0.1))
            .list(EmbeddingLayer.Builder().nIn(6).nOut(3).build(),
                  DenseLayer.Builder().nIn(3).nOut(4).activation(Activation.TANH).build(),
                  OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(4).nOut(2)
                  .activation(Activation.SOFTMAX).build())
            .build())
    helper = TransferLearningHelper(MultiLayerNetwork(conf).init(), frozenTill=1)
    y = np.eye(2, dtype=np.float32)[[0, 1, 0]]
    good = np.array([[0], [5], [2]], dtype=np.float32)
    assert _rel(helper.featurize(DataSet(good, y), optimize=True).getFeatures(),
                helper.featurize(DataSet(good, y)).getFeatures()) <= 1e-6
    assert _graphs_built(helper) == [True]
    with pytest.raises(InvalidConfigurationError, match=r"layer 'layer0': embedding indices must be in \[0, 6\)"):
        helper.featurize(DataSet(np.array([[0], [9], [2]], dtype=np.float32), y), optimize=True)


def test_an_untraceable_forward_runs_eagerly_with_a_warning(monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("not traceable")

    monkeypatch.setattr(frozen_graph, "build", fail)
    xs, ys = _graph_data()
    helper = TransferLearningHelper(residual_graph(), "pool", "dense_a")
    with pytest.warns(RuntimeWarning, match="could not be traced"):
        ours = helper.featurize(MultiDataSet(xs, ys), optimize=True)
    assert _graphs_built(helper) == [False]
    np.testing.assert_array_equal(ours.getFeatures(0), helper.featurize(MultiDataSet(xs, ys)).getFeatures(0))


def test_feature_cache_keeps_optimized_features_apart(tmp_path):
    x, y = _mln_data()
    helper = TransferLearningHelper(conv_bn_mln(), frozenTill=4)
    cache = FeatureCache(tmp_path)
    helper.featurize(DataSet(x, y), cache=cache)
    helper.featurize(DataSet(x, y), cache=cache, optimize=True)
    assert sorted(p.name for p in tmp_path.rglob("*.npy")) == ["features_0.npy"] * 2  # two keys, one shard each
    hit = helper.featurize(DataSet(x, y), cache=cache, optimize=True).getFeatures()
    np.testing.assert_array_equal(hit, helper.featurize(DataSet(x, y), optimize=True).getFeatures())


@pytest.mark.gpu
def test_on_a_gpu_the_ordinary_forward_runs():
    xs, ys = _graph_data()
    g = residual_graph()
    cpu = TransferLearningHelper(g.clone(), "pool", "dense_a").featurize(MultiDataSet(xs, ys))
    g.to("cuda")
    helper = TransferLearningHelper(g, "pool", "dense_a")
    ours = helper.featurize(MultiDataSet(xs, ys), optimize=True)
    assert helper._graphs is None
    assert _rel(ours.getFeatures(0), cpu.getFeatures(0)) <= 1e-5


def test_inputs_in_any_numpy_layout():
    """Strided, reversed and big-endian arrays (as the ordinary forward takes them)."""
    x, y = _mln_data(n=4, seed=12)
    helper = TransferLearningHelper(conv_bn_mln(), frozenTill=4)
    plain = helper.featurize(DataSet(x, y)).getFeatures()
    for variant in (x[::-1].copy()[::-1], np.asfortranarray(x), x.astype(">f4"), x.astype(np.float64)):
        assert _rel(helper.featurize(DataSet(variant, y), optimize=True).getFeatures(), plain) <= 1e-6
    # the ordinary forward too (it used to stop in torch.from_numpy on the big-endian array)
    np.testing.assert_array_equal(helper.featurize(DataSet(x.astype(">f4"), y)).getFeatures(), plain)
