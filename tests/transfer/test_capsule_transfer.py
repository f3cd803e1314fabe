"""Transfer learning through the capsule layers (SameDiff layers) and TimeDistributed, against DL4J's own builders,
TransferLearningHelper and rnnTimeStep.

What DL4J 1.0.0-M2.1 does (and so do we): none of PrimaryCapsules, CapsuleLayer, CapsuleStrengthLayer, TimeDistributed
is a FeedForwardLayer, so nOutReplace/nInReplace refuse them and skip them as the "next" layer; freezing wraps them in
FrozenLayer like any layer (their params kept bit for bit, NoOp updater).
"""

from __future__ import annotations

import numpy as np
import pytest

from pydl4j_transfer.conf import (ActivationLayer, Adam, CapsuleLayer, CapsuleStrengthLayer, ConvolutionLayer,
                                  DenseLayer, InputType, LossLayer, LSTM, Nesterovs, NeuralNetConfiguration,
                                  PrimaryCapsules, RnnOutputLayer, Sgd, TimeDistributed)
from pydl4j_transfer.conf.enums import Activation, LossFunctions
from pydl4j_transfer.data import DataSet
from pydl4j_transfer.errors import InvalidConfigurationError
from pydl4j_transfer.nn import MultiLayerNetwork
from pydl4j_transfer.torch_backend.layers.samediff import samediff_gradient
from pydl4j_transfer.transfer import FineTuneConfiguration, TransferLearning, TransferLearningHelper

from .test_helper import _assert_rel, _java_helper, _java_net, _jds, _np
from .tl_support import assert_kept, assert_same_conf, both, feature_extractor_as_dl4j

LF = LossFunctions.LossFunction
FTC = FineTuneConfiguration(updater=Nesterovs(0.05, 0.9), seed=777)


def capsnet(updater=None):
    conf = (NeuralNetConfiguration.Builder().seed(1).updater(updater or Adam(0.01)).list()
            .layer(ConvolutionLayer.Builder().nOut(4).kernelSize(3, 3).activation(Activation.RELU).build())
            .layer(PrimaryCapsules.Builder(3, 2).kernelSize(3, 3).stride(2, 2).build())
            .layer(CapsuleLayer.Builder(3, 4, 2).hasBias(True).build())
            .layer(CapsuleStrengthLayer.Builder().build())
            .layer(ActivationLayer.Builder().activation(Activation.SOFTMAX).build())
            .layer(LossLayer.Builder(LF.MCXENT).build())
            .setInputType(InputType.convolutional(9, 9, 2)).build())
    return MultiLayerNetwork(conf).init()


def td_net(updater=None, dense=True):
    third = DenseLayer.Builder().nOut(6).build() if dense else TimeDistributed(DenseLayer.Builder().nOut(6).build())
    conf = (NeuralNetConfiguration.Builder().seed(1).updater(updater or Adam(0.01)).activation(Activation.TANH).list()
            .layer(LSTM.Builder().nOut(5).build())
            .layer(TimeDistributed(DenseLayer.Builder().nOut(4).build()))
            .layer(third)
            .layer(RnnOutputLayer.Builder(LF.MCXENT).nOut(3).activation(Activation.SOFTMAX).build())
            .setInputType(InputType.recurrent(3)).build())
    return MultiLayerNetwork(conf).init()


def _caps_data(n=4, seed=0):
    rng = np.random.default_rng(seed)
    return rng.random((n, 2, 9, 9)).astype(np.float32), np.eye(3, dtype=np.float32)[rng.integers(0, 3, n)]


def _td_data(n=4, t=5, seed=0):
    rng = np.random.default_rng(seed)
    y = np.eye(3, dtype=np.float32)[rng.integers(0, 3, (n, t))].transpose(0, 2, 1)
    return rng.standard_normal((n, 3, t)).astype(np.float32), np.ascontiguousarray(y)


@pytest.mark.dl4j
@pytest.mark.parametrize("frozen_till", [1, 2, 3])
def test_capsnet_feature_extractor_matches_dl4j(frozen_till):
    orig = capsnet()
    x, y = _caps_data()
    ours = feature_extractor_as_dl4j(orig, FTC, frozen_till, x)
    jnet = _java_net(ours)
    with samediff_gradient("dl4j"):
        for _ in range(3):
            ours.fit(DataSet(x, y))
            jnet.java.fit(_jds(x, y))
    _assert_rel(ours.params(), jnet.params(), what="params after 3 fit steps")
    for k in orig.paramTable():
        if int(k.split("_")[0]) <= frozen_till:
            np.testing.assert_array_equal(ours.getParam(k), orig.getParam(k))


@pytest.mark.dl4j
def test_capsnet_n_out_replace_before_primary_capsules_as_dl4j():
    """nOutReplace(0) skips the (non-FeedForward) PrimaryCapsules, whose inputChannels and weight keep 4 channels:
    the same JSON as DL4J, and a typed error when run (DL4J fails in its conv2d)."""
    orig = capsnet()
    ours, theirs = both(TransferLearning.Builder(orig).fineTuneConfiguration(FTC).nOutReplace(0, 6, weightInit="xavier"))
    assert_same_conf(ours, theirs)
    layer = ours.getLayerWiseConfigurations().confs[1].layer
    assert layer.inputChannels == 4 and layer.layerParams.weightParams["weight"] == [3, 3, 4, 6]
    with pytest.raises(InvalidConfigurationError, match=r"'layer1' \(PrimaryCapsules\).*\[minibatch, 4, height"):
        ours.output(_caps_data()[0])


@pytest.mark.parametrize("edit, layer", [("nOutReplace", 1), ("nInReplace", 2), ("nOutReplace", 3)])
def test_mln_refuses_to_resize_capsule_layers(edit, layer):
    b = TransferLearning.Builder(capsnet()).fineTuneConfiguration(FTC)
    with pytest.raises(InvalidConfigurationError, match=f"{edit} can only be applied on FeedForward layers"):
        getattr(b, edit)(layer, 8, weightInit="xavier").build()


def test_mln_refuses_to_resize_time_distributed():
    b = TransferLearning.Builder(td_net()).fineTuneConfiguration(FTC)
    with pytest.raises(InvalidConfigurationError, match="nOutReplace can only be applied on FeedForward layers"):
        b.nOutReplace(1, 8, weightInit="xavier").build()


@pytest.mark.dl4j
@pytest.mark.parametrize("frozen_till", [0, 1])
def test_time_distributed_feature_extractor_and_fit_match_dl4j(frozen_till):
    orig = td_net(Sgd(0.1))
    ours, theirs = both(TransferLearning.Builder(orig).fineTuneConfiguration(FTC).setFeatureExtractor(frozen_till)
                        .nOutReplace(2, 7, weightInit="xavier"))
    assert_same_conf(ours, theirs)
    assert_kept(ours, orig, [(k, k) for k in orig.paramTable() if int(k.split("_")[0]) <= frozen_till])
    x, y = _td_data()
    jnet = _java_net(ours)
    np.testing.assert_allclose(ours.output(x), jnet.output(x), rtol=1e-5, atol=1e-6)
    for _ in range(3):
        ours.fit(DataSet(x, y))
        jnet.java.fit(_jds(x, y))
    _assert_rel(ours.params(), jnet.params(), what="params after 3 fit steps")


# ---- TransferLearningHelper: the frozen boundary at a capsule layer / TimeDistributed --------------------------


@pytest.mark.dl4j
def test_helper_featurizes_through_capsules_as_dl4j():
    x, y = _caps_data()
    net = capsnet(Sgd(0.1))
    jnet = _java_net(net)
    helper, jhelper = TransferLearningHelper(net, frozenTill=1), _java_helper(jnet, 1)
    feat, jfeat = helper.featurize(DataSet(x, y)), jhelper.featurize(_jds(x, y))
    assert feat.getFeatures().shape == (4, 18, 3)  # PrimaryCapsules' output: 18 capsules of 3 dimensions
    _assert_rel(feat.getFeatures(), _np(jfeat.getFeatures()), what="featurized")
    with samediff_gradient("dl4j"):
        for _ in range(3):
            helper.fitFeaturized(feat)
            jhelper.fitFeaturized(jfeat)
    _assert_rel(net.params(), jnet.params(), what="params after fitFeaturized")
    _assert_rel(helper.outputFromFeaturized(feat.getFeatures()), _np(jhelper.outputFromFeaturized(jfeat.getFeatures())),
                what="outputFromFeaturized")


def _td_short(updater):
    conf = (NeuralNetConfiguration.Builder().seed(1).updater(updater).activation(Activation.TANH).list()
            .layer(LSTM.Builder().nOut(5).build())
            .layer(TimeDistributed(DenseLayer.Builder().nOut(4).build()))
            .layer(RnnOutputLayer.Builder(LF.MCXENT).nOut(3).activation(Activation.SOFTMAX).build())
            .setInputType(InputType.recurrent(3)).build())
    return MultiLayerNetwork(conf).init()


@pytest.mark.dl4j
def test_helper_featurizes_through_time_distributed_as_dl4j():
    """The boundary right after TimeDistributed: its activations featurized, the RnnOutputLayer trained on them."""
    x, y = _td_data()
    net = _td_short(Sgd(0.1))
    jnet = _java_net(net)
    helper, jhelper = TransferLearningHelper(net, frozenTill=1), _java_helper(jnet, 1)
    feat, jfeat = helper.featurize(DataSet(x, y)), jhelper.featurize(_jds(x, y))
    assert feat.getFeatures().shape == (4, 4, 5)
    _assert_rel(feat.getFeatures(), _np(jfeat.getFeatures()), what="featurized")
    for _ in range(3):
        helper.fitFeaturized(feat)
        jhelper.fitFeaturized(jfeat)
    _assert_rel(net.params(), jnet.params(), what="params after fitFeaturized")


@pytest.mark.dl4j
def test_helper_keeps_time_distributed_after_the_boundary():
    """Deviation: DL4J's helper builds the unfrozen network from the runtime layers' conf(), which for a
    TimeDistributedLayer is the wrapped DenseLayer's: the wrapper is lost, the subset's input-type pass puts a
    FeedForwardToRnnPreProcessor into the preprocessor map it shares with the original, and featurize fails (pinned).
    Here the unfrozen network keeps TimeDistributed and trains as the full network with that boundary frozen does."""
    x, y = _td_data()
    net = _td_short(Sgd(0.1))
    jhelper = _java_helper(_java_net(net), 0)
    with pytest.raises(Exception, match="expect NDArray with rank 2"):  # (already in featurize)
        jhelper.fitFeaturized(jhelper.featurize(_jds(x, y)))
    helper = TransferLearningHelper(net, frozenTill=0)
    assert [c.layer.dl4jSimpleName for c in helper.unfrozenMLN().getLayerWiseConfigurations().confs] == [
        "TimeDistributed", "RnnOutputLayer"]
    full = TransferLearning.Builder(_td_short(Sgd(0.1))).setFeatureExtractor(0).build()
    full.setParams(net.params())
    feat = helper.featurize(DataSet(x, y))
    for _ in range(3):
        helper.fitFeaturized(feat)
        full.fit(DataSet(x, y))
    np.testing.assert_allclose(net.params(), full.params(), rtol=1e-6, atol=1e-7)


# ---- rnnTimeStep ---------------------------------------------------------------------------------------------


@pytest.mark.dl4j
def test_rnn_time_step_through_time_distributed_as_dl4j():
    """rnnTimeStep: the LSTM keeps its state, TimeDistributed(Dense) runs on the given steps (one or several)."""
    from pydl4j_transfer.dl4j_backend import to_indarray, to_numpy

    ours = td_net()
    theirs = _java_net(ours).java
    rng = np.random.default_rng(4)
    for t in (1, 1, 3, 1):
        x = rng.standard_normal((2, 3, t)).astype(np.float32)
        _assert_rel(ours.rnnTimeStep(x), to_numpy(theirs.rnnTimeStep(to_indarray(x))), what="rnnTimeStep")
    x = rng.standard_normal((2, 3)).astype(np.float32)  # rank 2: one step, rank 2 back
    _assert_rel(ours.rnnTimeStep(x), to_numpy(theirs.rnnTimeStep(to_indarray(x))), what="rnnTimeStep rank 2")
