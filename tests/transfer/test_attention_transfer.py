"""Transfer learning through attention layers and AttentionVertex, against DL4J's own builders and helper.

What DL4J 1.0.0-M2.1 does (and so do we): the attention layers are not FeedForwardLayers, so nOutReplace/nInReplace
refuse them and skip them as the "next" layer; the MLN builder's input-type pass (overrideNinUponBuild) still sets
their nIn, while their parameter shapes stay as first defined (DL4J's cached layerParams): such a network cannot run
(a typed error here). The graph builder clones every vertex, and AttentionVertex#clone drops its updater and
regularization, so a fine-tuned AttentionVertex takes the fine-tune configuration's (or the builder defaults').
"""

from __future__ import annotations

import numpy as np
import pytest

from pydl4j_transfer.conf import (Adam, AttentionVertex, GlobalPoolingLayer, InputType, LSTM, Nesterovs,
                                  NeuralNetConfiguration, OutputLayer, PoolingType, RecurrentAttentionLayer,
                                  RnnOutputLayer, SelfAttentionLayer, Sgd)
from pydl4j_transfer.conf.enums import Activation, LossFunctions
from pydl4j_transfer.data import DataSet, MultiDataSet
from pydl4j_transfer.errors import InvalidConfigurationError
from pydl4j_transfer.nn import ComputationGraph, MultiLayerNetwork
from pydl4j_transfer.torch_backend.layers.samediff import samediff_gradient
from pydl4j_transfer.transfer import FineTuneConfiguration, TransferLearning, TransferLearningHelper

from .test_helper import _assert_rel, _java_helper, _java_net, _jds, _jmds, _np
from .tl_support import assert_kept, assert_same_conf, both

LF = LossFunctions.LossFunction
FTC = FineTuneConfiguration(updater=Nesterovs(0.05, 0.9), seed=777)


def mln(updater=None):
    conf = (NeuralNetConfiguration.Builder().seed(1).updater(updater or Adam(0.01)).activation(Activation.TANH).list()
            .layer(LSTM.Builder().nOut(6).build())
            .layer(SelfAttentionLayer.Builder().nOut(6).nHeads(3).projectInput(True).build())
            .layer(RecurrentAttentionLayer.Builder().nOut(4).nHeads(2).build())
            .layer(GlobalPoolingLayer.Builder(PoolingType.AVG).build())
            .layer(OutputLayer.Builder(LF.MCXENT).nOut(3).activation(Activation.SOFTMAX).build())
            .setInputType(InputType.recurrent(3)).build())
    return MultiLayerNetwork(conf).init()


def graph(updater=None):
    conf = (NeuralNetConfiguration.Builder().seed(1).updater(updater or Adam(0.01)).activation(Activation.TANH).l2(1e-3)
            .graphBuilder().addInputs("in")
            .addLayer("q", LSTM.Builder().nOut(4).build(), "in").addLayer("kv", LSTM.Builder().nOut(4).build(), "in")
            .addVertex("att", AttentionVertex.Builder().nInQueries(4).nInKeys(4).nInValues(4).nOut(6).nHeads(2)
                       .projectInput(True).build(), "q", "kv", "kv")
            .addLayer("sa", SelfAttentionLayer.Builder().nOut(6).nHeads(2).projectInput(True).build(), "att")
            .addLayer("pool", GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "sa")
            .addLayer("out", OutputLayer.Builder(LF.MCXENT).nOut(3).activation(Activation.SOFTMAX).build(), "pool")
            .setOutputs("out").setInputTypes(InputType.recurrent(3)).build())
    return ComputationGraph(conf).init()


def _data(n=4, t=5, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, 3, t)).astype(np.float32), np.eye(3, dtype=np.float32)[rng.integers(0, 3, n)]


# ---- the builders against DL4J's -----------------------------------------------------------------------------


@pytest.mark.dl4j
def test_mln_feature_extractor_through_attention_matches_dl4j():
    orig = mln()
    ours, theirs = both(TransferLearning.Builder(orig).fineTuneConfiguration(FTC).setFeatureExtractor(1)
                        .nOutReplace(4, 5, weightInit="xavier"))
    assert_same_conf(ours, theirs)
    kinds = [c.layer.dl4jSimpleName for c in ours.getLayerWiseConfigurations().confs]
    assert kinds[:3] == ["FrozenLayer", "FrozenLayer", "RecurrentAttentionLayer"]
    assert_kept(ours, orig, [(k, k) for k in orig.paramTable() if k.startswith(("0_", "1_", "2_"))])
    x, _ = _data()  # the re-initialised output layer differs (random init): run DL4J with ours
    np.testing.assert_allclose(ours.output(x), _java_net(ours).output(x), rtol=1e-5, atol=1e-6)


@pytest.mark.dl4j
def test_mln_n_out_replace_before_attention_leaves_its_params_as_dl4j_does():
    """nOutReplace(0) skips the (non-FeedForward) SelfAttentionLayer; the input-type pass sets its nIn to 8, its
    parameters keep nIn 6 (DL4J's cached layerParams): the same JSON as DL4J, and a typed error when run."""
    orig = mln()
    ours, theirs = both(TransferLearning.Builder(orig).fineTuneConfiguration(FTC).nOutReplace(0, 8, weightInit="xavier"))
    assert_same_conf(ours, theirs)
    layer = ours.getLayerWiseConfigurations().confs[1].layer
    assert layer.nIn == 8 and layer.layerParams.weightParams["Wq"] == [3, 2, 6]
    with pytest.raises(InvalidConfigurationError, match=r"'layer1' \(SelfAttentionLayer\).*defined for 6 input features"):
        ours.output(_data()[0])


@pytest.mark.parametrize("edit", ["nOutReplace", "nInReplace"])
def test_mln_refuses_to_resize_an_attention_layer(edit):
    b = TransferLearning.Builder(mln()).fineTuneConfiguration(FTC)
    with pytest.raises(InvalidConfigurationError, match=f"{edit} can only be applied on FeedForward layers.*SelfAttention"):
        getattr(b, edit)(1, 8, weightInit="xavier").build()


@pytest.mark.dl4j
@pytest.mark.parametrize("frozen", [None, "att", "sa"])
def test_graph_fine_tune_and_freeze_match_dl4j(frozen):
    """DL4J clones the AttentionVertex (dropping its Adam + l2) and gives it the fine-tune Nesterovs, no l2."""
    orig = graph()
    b = TransferLearning.GraphBuilder(orig).fineTuneConfiguration(FTC)
    if frozen:
        b = b.setFeatureExtractor(frozen)
    ours, theirs = both(b)
    assert_same_conf(ours, theirs)
    conf = ours.getConfiguration()
    att = conf.vertices["att"]
    att = getattr(att, "underlying", att)
    assert type(att.updater).__name__ == "Nesterovs" and att.regularization == []
    assert_kept(ours, orig, [(k, k) for k in orig.paramTable()])
    if frozen:
        assert type(conf.vertices["att"]).__name__ == "FrozenVertex"


def test_graph_refuses_to_resize_around_the_vertex():
    with pytest.raises(InvalidConfigurationError, match="feeds non-layer vertices"):
        TransferLearning.GraphBuilder(graph()).fineTuneConfiguration(FTC).nOutReplace("q", 5, weightInit="xavier").build()
    with pytest.raises(InvalidConfigurationError, match="FeedForward layers; sa is a SelfAttentionLayer"):
        TransferLearning.GraphBuilder(graph()).fineTuneConfiguration(FTC).nOutReplace("sa", 5, weightInit="xavier").build()


# ---- TransferLearningHelper: the frozen boundary at an attention layer / the vertex ---------------------------


@pytest.mark.dl4j
def test_mln_helper_featurizes_through_self_attention_as_dl4j():
    x, y = _data()
    net = mln(Sgd(0.1))
    jnet = _java_net(net)
    helper, jhelper = TransferLearningHelper(net, frozenTill=1), _java_helper(jnet, 1)
    feat, jfeat = helper.featurize(DataSet(x, y)), jhelper.featurize(_jds(x, y))
    assert feat.getFeatures().shape == (4, 6, 5)  # the SelfAttentionLayer's output
    _assert_rel(feat.getFeatures(), _np(jfeat.getFeatures()), what="featurized")
    with samediff_gradient("dl4j"):  # M2.1's doubled epsilon: Sgd shows it
        for _ in range(3):
            helper.fitFeaturized(feat)
            jhelper.fitFeaturized(jfeat)
    _assert_rel(net.params(), jnet.params(), what="params after fitFeaturized")
    _assert_rel(helper.outputFromFeaturized(feat.getFeatures()), _np(jhelper.outputFromFeaturized(jfeat.getFeatures())),
                what="outputFromFeaturized")


@pytest.mark.dl4j
def test_graph_helper_boundary_at_the_attention_vertex_as_dl4j():
    x, y = _data(seed=2)
    net = graph(Sgd(0.1))
    jnet = _java_net(net)
    helper, jhelper = TransferLearningHelper(net, "att"), _java_helper(jnet, "att")
    feat, jfeat = helper.featurize(MultiDataSet([x], [y])), jhelper.featurize(_jmds([x], [y]))
    assert feat.getFeatures(0).shape == (4, 6, 5)
    _assert_rel(feat.getFeatures(0), _np(jfeat.getFeatures(0)), what="featurized")
    with samediff_gradient("dl4j"):
        for _ in range(3):
            helper.fitFeaturized(feat)
            jhelper.fitFeaturized(jfeat)
    _assert_rel(net.params(), jnet.params(), what="params after fitFeaturized")


# ---- rnnTimeStep ---------------------------------------------------------------------------------------------


@pytest.mark.dl4j
def test_rnn_time_step_through_attention_as_dl4j():
    """rnnTimeStep: the LSTM keeps its state, the attention layers run on the given steps only (no state); the
    RecurrentAttentionLayer's unrolled graph fixes T at the first call, so a later length fails as in DL4J."""
    from pydl4j_transfer.dl4j_backend import to_indarray, to_numpy

    from ..torch_backend.parity import reset_workspaces

    conf = (NeuralNetConfiguration.Builder().seed(3).list().layer(LSTM.Builder().nOut(4).build())
            .layer(SelfAttentionLayer.Builder().nOut(4).nHeads(2).projectInput(True).build())
            .layer(RecurrentAttentionLayer.Builder().nOut(4).nHeads(1).build())
            .layer(RnnOutputLayer.Builder(LF.MSE).nOut(2).activation(Activation.IDENTITY).build())
            .setInputType(InputType.recurrent(3)).build())
    ours = MultiLayerNetwork(conf).init()
    theirs = _java_net(ours).java
    rng = np.random.default_rng(4)
    for _ in range(3):
        x = rng.standard_normal((2, 3, 1)).astype(np.float32)
        _assert_rel(ours.rnnTimeStep(x), to_numpy(theirs.rnnTimeStep(to_indarray(x))), what="rnnTimeStep")
    x = rng.standard_normal((2, 3, 3)).astype(np.float32)
    with pytest.raises(InvalidConfigurationError, match="Expected 1 time steps but got 3"):
        ours.rnnTimeStep(x)
    with pytest.raises(Exception, match="Expected 1 time steps but got 3"):
        try:
            theirs.rnnTimeStep(to_indarray(x))
        finally:
            reset_workspaces()
