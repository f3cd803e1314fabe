"""Transfer learning through LocallyConnected1D/2D, RepeatVector and MaskLayer, against DL4J's own builders and helper.

The locally connected layers are SameDiff layers, not FeedForwardLayers: nOutReplace / nInReplace refuse them (DL4J's
message). RepeatVector is a FeedForwardLayer without parameters; MaskLayer has none either.
"""

from __future__ import annotations

import numpy as np
import pytest

from pydl4j_transfer.conf import (Adam, DenseLayer, GlobalPoolingLayer, InputType, LocallyConnected1D,
                                  LocallyConnected2D, LSTM, MaskLayer, Nesterovs, NeuralNetConfiguration, OutputLayer,
                                  PoolingType, RepeatVector, RnnOutputLayer, Sgd, SimpleRnn)
from pydl4j_transfer.conf.enums import Activation, LossFunctions
from pydl4j_transfer.data import DataSet
from pydl4j_transfer.errors import InvalidConfigurationError
from pydl4j_transfer.nn import MultiLayerNetwork
from pydl4j_transfer.torch_backend.layers.samediff import samediff_gradient
from pydl4j_transfer.transfer import FineTuneConfiguration, TransferLearning, TransferLearningHelper

from .test_helper import _assert_rel, _java_helper, _java_net, _jds, _np
from .tl_support import assert_same_conf, both, feature_extractor_as_dl4j

LF = LossFunctions.LossFunction
FTC = FineTuneConfiguration(updater=Nesterovs(0.05, 0.9), seed=777)


def mln(updater=None, rnn_first=False):
    b = NeuralNetConfiguration.Builder().seed(1).updater(updater or Adam(0.01)).activation(Activation.TANH).list()
    if rnn_first:
        b = b.layer(SimpleRnn.Builder().nOut(3).build())
    conf = (b.layer(LocallyConnected1D.Builder().nOut(5).kernelSize(2).build())
            .layer(MaskLayer())
            .layer(SimpleRnn.Builder().nOut(4).build())
            .layer(GlobalPoolingLayer.Builder(PoolingType.AVG).build())
            .layer(DenseLayer.Builder().nOut(4).build())
            .layer(RepeatVector.Builder(3).build())
            .layer(LSTM.Builder().nOut(3).build())
            .layer(RnnOutputLayer.Builder(LF.MCXENT).nOut(3).activation(Activation.SOFTMAX).build())
            .setInputType(InputType.recurrent(3, 6)).build())
    return MultiLayerNetwork(conf).init()


def _data(n=4, seed=0, t_out=3):
    rng = np.random.default_rng(seed)
    y = np.eye(3, dtype=np.float32)[rng.integers(0, 3, (n, t_out))].transpose(0, 2, 1).copy()
    return rng.standard_normal((n, 3, 6)).astype(np.float32), y


@pytest.mark.dl4j
@pytest.mark.parametrize("frozen_till", [0, 1, 5])
def test_mln_feature_extractor_matches_dl4j(frozen_till):
    feature_extractor_as_dl4j(mln(), FTC, frozen_till, _data()[0])


@pytest.mark.dl4j
def test_mln_n_out_replace_before_repeat_vector_matches_dl4j():
    """nOutReplace on the Dense before RepeatVector: the "next" FeedForward layer is RepeatVector (its nIn only); the
    LSTM after it keeps nIn 4, as in DL4J: the same JSON, and a typed error naming the LSTM when run."""
    orig = mln()
    ours, theirs = both(TransferLearning.Builder(orig).fineTuneConfiguration(FTC).nOutReplace(4, 6, weightInit="xavier"))
    assert_same_conf(ours, theirs)
    assert ours.getLayerWiseConfigurations().confs[5].layer.nIn == 6
    with pytest.raises(InvalidConfigurationError, match="layer6"):
        ours.output(_data()[0])


@pytest.mark.parametrize("edit", ["nOutReplace", "nInReplace"])
def test_mln_refuses_to_resize_a_locally_connected_layer(edit):
    b = TransferLearning.Builder(mln()).fineTuneConfiguration(FTC)
    with pytest.raises(InvalidConfigurationError, match=f"{edit} can only be applied on FeedForward layers"):
        getattr(b, edit)(0, 8, weightInit="xavier").build()


@pytest.mark.dl4j
def test_an_inferred_input_type_of_unknown_length_fails_as_in_dl4j():
    """With a recurrent first layer DL4J's builder infers recurrent(nIn) (no length) and runs the input-type pass:
    LocallyConnected1D then cannot size itself. DL4J: IllegalArgumentException("Length must be >= 0"); here typed."""
    b = TransferLearning.Builder(mln(rnn_first=True)).fineTuneConfiguration(FTC).setFeatureExtractor(0)
    with pytest.raises(Exception, match="Length must be >= 0"):
        b.replayInDl4j()
    with pytest.raises(InvalidConfigurationError, match="time series length must be known"):
        b.build()


@pytest.mark.dl4j
def test_mln_helper_featurizes_through_locally_connected_as_dl4j():
    x, y = _data(t_out=6)
    conf = (NeuralNetConfiguration.Builder().seed(1).updater(Sgd(0.1)).activation(Activation.TANH).list()
            .layer(LocallyConnected1D.Builder().nOut(5).kernelSize(2).build()).layer(MaskLayer())
            .layer(SimpleRnn.Builder().nOut(4).build())
            .layer(RnnOutputLayer.Builder(LF.MCXENT).nOut(3).activation(Activation.SOFTMAX).build())
            .setInputType(InputType.recurrent(3, 6)).build())
    net = MultiLayerNetwork(conf).init()
    jnet = _java_net(net)
    helper, jhelper = TransferLearningHelper(net, frozenTill=1), _java_helper(jnet, 1)
    feat, jfeat = helper.featurize(DataSet(x, y)), jhelper.featurize(_jds(x, y))
    assert feat.getFeatures().shape == (4, 5, 6)  # LocallyConnected1D (Same) -> MaskLayer
    _assert_rel(feat.getFeatures(), _np(jfeat.getFeatures()), what="featurized")
    with samediff_gradient("dl4j"):
        for _ in range(3):
            helper.fitFeaturized(feat)
            jhelper.fitFeaturized(jfeat)
    _assert_rel(net.params(), jnet.params(), what="params after fitFeaturized")


@pytest.mark.dl4j
def test_frozen_locally_connected_2d_trains_below_as_dl4j():
    """FrozenLayerWithBackprop(LocallyConnected2D): the layer below trains through it, in step with DL4J."""
    from pydl4j_transfer.conf import ConvolutionLayer, FrozenLayerWithBackprop

    conf = (NeuralNetConfiguration.Builder().seed(2).updater(Sgd(0.1)).dataType("DOUBLE").list()
            .layer(ConvolutionLayer.Builder(2, 2).nOut(2).build())
            .layer(FrozenLayerWithBackprop(LocallyConnected2D.Builder().nOut(3).kernelSize(2, 2).build()))
            .layer(OutputLayer.Builder(LF.MCXENT).nOut(3).activation(Activation.SOFTMAX).build())
            .setInputType(InputType.convolutional(5, 5, 1)).build())
    net = MultiLayerNetwork(conf).init()
    jnet = _java_net(net)
    rng = np.random.default_rng(3)
    x, y = rng.standard_normal((3, 1, 5, 5)), np.eye(3)[rng.integers(0, 3, 3)]
    w_before = net.getParam("1_W").copy()
    with samediff_gradient("dl4j"):
        for _ in range(3):
            net.fit(x, y)
            jnet.java.fit(_jds(x, y))
    np.testing.assert_array_equal(net.getParam("1_W"), w_before)
    _assert_rel(net.params(), jnet.params(), what="params after 3 fits")
