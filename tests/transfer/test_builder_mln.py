"""TransferLearning.Builder (MultiLayerNetwork) against DL4J's own builder on the same plan."""

from __future__ import annotations

import json

import numpy as np
import pytest
from .tl_support import (SEED, assert_distribution, assert_kept, assert_kept_in_dl4j, assert_same_conf, both, cnn_mln,
                        mln, xavier_std)

from pydl4j_transfer.conf import Adam, CnnToFeedForwardPreProcessor, DenseLayer, NormalDistribution, OutputLayer
from pydl4j_transfer.conf.enums import Activation, LossFunctions, WeightInit
from pydl4j_transfer.errors import InvalidConfigurationError
from pydl4j_transfer.transfer import FineTuneConfiguration, TransferLearning

FTC = FineTuneConfiguration(updater=Adam(1e-2), seed=777)
FROZEN = "org.deeplearning4j.nn.conf.layers.misc.FrozenLayer"


def _classes(net):
    return [json.loads(c.toJson())["layer"]["@class"].rsplit(".", 1)[1] for c in net.getLayerWiseConfigurations().confs]


@pytest.mark.dl4j
def test_fine_tune_only_keeps_params_and_matches_dl4j():
    orig = mln()
    before = orig.params().copy()
    ours, theirs = both(TransferLearning.Builder(orig).fineTuneConfiguration(
        FineTuneConfiguration(updater=Adam(1e-2), seed=777, activation="relu", l2=0.0, dropOut=0.7))
                        .validateOutputLayerConfig(False))  # relu on the MCXENT output: DL4J's check would refuse
    assert_same_conf(ours, theirs)
    assert ours.params().tobytes() == orig.params().tobytes()
    np.testing.assert_array_equal(theirs.params(), orig.params())
    assert orig.params().tobytes() == before.tobytes()  # the original is untouched
    assert ours is not orig and ours.getLayerWiseConfigurations() is not orig.getLayerWiseConfigurations()


@pytest.mark.dl4j
def test_set_feature_extractor_inclusive():
    orig = mln()
    ours, theirs = both(TransferLearning.Builder(orig).fineTuneConfiguration(FTC).setFeatureExtractor(1))
    assert_same_conf(ours, theirs)
    assert _classes(ours) == ["FrozenLayer", "FrozenLayer", "DenseLayer", "OutputLayer"]
    assert ours.params().tobytes() == orig.params().tobytes()


def test_freezing_the_output_layer_is_an_error():
    with pytest.raises(InvalidConfigurationError, match="Output Layers are not allowed to be frozen"):
        TransferLearning.Builder(mln()).setFeatureExtractor(3).build()


@pytest.mark.dl4j
def test_n_out_replace_reinitialises_target_and_next():
    orig = mln()
    ours, theirs = both(TransferLearning.Builder(orig).fineTuneConfiguration(FTC)
                        .nOutReplace(1, 40, weightInit=WeightInit.XAVIER, dist=None, weightInitNext=WeightInit.RELU))
    assert_same_conf(ours, theirs)
    t = ours.paramTable()
    assert t["1_W"].shape == (5, 40) and t["2_W"].shape == (40, 3)
    assert_kept(ours, orig, [("0_W", "0_W"), ("0_b", "0_b"), ("3_W", "3_W"), ("3_b", "3_b")])
    assert_kept_in_dl4j(theirs, orig, [("0_W", "0_W"), ("3_W", "3_W")])
    assert_distribution(np.concatenate([t["1_W"].ravel()] * 1), 0.0, xavier_std(5, 40))
    assert_distribution(t["2_W"], 0.0, np.sqrt(2.0 / 40))  # RELU: N(0, 2/fanIn)
    assert not t["1_b"].any() and not t["2_b"].any()


@pytest.mark.dl4j
def test_n_out_replace_with_distributions_and_chain():
    orig = mln()
    ours, theirs = both(TransferLearning.Builder(orig).fineTuneConfiguration(FTC)
                        .nOutReplace(1, 30, dist=NormalDistribution(0.0, 0.5), distNext=NormalDistribution(1.0, 0.1))
                        .nOutReplace(0, 20, weightInit="xavier"))
    assert_same_conf(ours, theirs)
    t = ours.paramTable()
    assert t["0_W"].shape == (4, 20) and t["1_W"].shape == (20, 30) and t["2_W"].shape == (30, 3)
    assert_distribution(t["2_W"], 1.0, 0.1, atol_mean=0.05)


def test_n_out_replace_argument_errors():
    b = TransferLearning.Builder(mln())
    with pytest.raises(InvalidConfigurationError, match="DISTRIBUTION|Distribution"):
        b.nOutReplace(1, 3, weightInit=WeightInit.DISTRIBUTION)
    with pytest.raises(InvalidConfigurationError, match="Invalid layer index"):
        TransferLearning.Builder(mln()).nOutReplace(7, 3, weightInit="xavier").build()


@pytest.mark.dl4j
def test_n_in_replace_and_non_feedforward_next_layer():
    orig = cnn_mln()
    # conv0 nOut 4 -> 6: the next layer is a subsampling layer, so conv2 needs nInReplace (testChangeNOutNIn)
    ours, theirs = both(TransferLearning.Builder(orig).fineTuneConfiguration(FTC)
                        .nOutReplace(0, 6, weightInit="xavier").nInReplace(2, 6, weightInit=WeightInit.RELU))
    assert_same_conf(ours, theirs)
    t = ours.paramTable()
    assert t["0_W"].shape == (6, 3, 3, 3) and t["2_W"].shape == (5, 6, 3, 3)
    assert_kept(ours, orig, [("3_W", "3_W"), ("4_W", "4_W"), ("4_b", "4_b")])
    assert_distribution(t["2_W"], 0.0, np.sqrt(2.0 / (6 * 9)))


@pytest.mark.dl4j
def test_remove_and_add_layers_workflow():
    orig = mln()
    ours, theirs = both(TransferLearning.Builder(orig).fineTuneConfiguration(FineTuneConfiguration(seed=5))
                        .removeLayersFromOutput(2)
                        .addLayer(DenseLayer.Builder().nIn(6).nOut(9).activation(Activation.RELU).build())
                        .addLayer(OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(9).nOut(4)
                                  .activation(Activation.SOFTMAX).build())
                        .setFeatureExtractor(0))
    assert_same_conf(ours, theirs)
    assert _classes(ours) == ["FrozenLayer", "DenseLayer", "DenseLayer", "OutputLayer"]
    assert [c.layer.layerName for c in ours.getLayerWiseConfigurations().confs] == ["layer0", "layer1", "layer2", "layer3"]
    assert_kept(ours, orig, [("0_W", "0_W"), ("1_W", "1_W"), ("1_b", "1_b")])
    t = ours.paramTable()
    assert t["2_W"].shape == (6, 9) and t["3_W"].shape == (9, 4)
    assert_distribution(t["2_W"], 0.0, xavier_std(6, 9), rtol=0.5)


@pytest.mark.dl4j
def test_remove_output_layer_and_preprocessor():
    orig = cnn_mln()
    ours, theirs = both(TransferLearning.Builder(orig).fineTuneConfiguration(FTC).removeOutputLayer()
                        .addLayer(OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(7).nOut(2)
                                  .activation(Activation.SOFTMAX).build())
                        .setInputPreProcessor(3, CnnToFeedForwardPreProcessor(6, 6, 5)))
    assert_same_conf(ours, theirs)
    assert_kept(ours, orig, [("0_W", "0_W"), ("2_W", "2_W"), ("3_W", "3_W")])


def test_remove_layers_twice_and_edits_after_add_layer():
    with pytest.raises(InvalidConfigurationError, match="only be called once"):
        TransferLearning.Builder(mln()).removeOutputLayer().removeLayersFromOutput(2)
    b = TransferLearning.Builder(mln())
    with pytest.raises(InvalidConfigurationError, match="fineTuneConfiguration"):
        b.addLayer(DenseLayer.Builder().nIn(2).nOut(2).build())
    b = TransferLearning.Builder(mln()).fineTuneConfiguration(FTC).removeOutputLayer().addLayer(
        OutputLayer.Builder("mcxent").nIn(3).nOut(2).build())
    with pytest.raises(InvalidConfigurationError, match="after addLayer"):  # deviation: DL4J ignores it silently
        b.nOutReplace(0, 3, weightInit="xavier")


def test_preprocessors_of_popped_layers_are_dropped():
    """Deviation: DL4J's pop loop removes keys n..n-popN+1 (off by one), keeping the first popped layer's preprocessor."""
    orig = cnn_mln()
    assert 3 in orig.getLayerWiseConfigurations().inputPreProcessors
    ours = (TransferLearning.Builder(orig).fineTuneConfiguration(FTC).removeLayersFromOutput(2)
            .addLayer(OutputLayer.Builder("mcxent").nIn(180).nOut(2).activation("softmax").build()).build())
    assert 3 not in ours.getLayerWiseConfigurations().inputPreProcessors


def test_tbptt_kept_unless_ftc_sets_it():
    """Deviation: DL4J resets backpropType/tbptt to Standard/20/20 in the MLN builder."""
    orig = mln()
    orig.getLayerWiseConfigurations().tbpttFwdLength = 7
    ours = TransferLearning.Builder(orig).fineTuneConfiguration(FTC).build()
    assert ours.getLayerWiseConfigurations().tbpttFwdLength == 7
    ours = TransferLearning.Builder(orig).fineTuneConfiguration(FineTuneConfiguration(tbpttFwdLength=9)).build()
    assert ours.getLayerWiseConfigurations().tbpttFwdLength == 9


@pytest.mark.dl4j
def test_frozen_net_runs_in_dl4j_and_save_roundtrip(tmp_path):
    from pydl4j_transfer.nn import ModelSerializer

    ours = TransferLearning.Builder(mln(seed=SEED + 1)).fineTuneConfiguration(FTC).setFeatureExtractor(2).build()
    path = tmp_path / "tl.zip"
    ours.save(path)
    back = ModelSerializer.restoreMultiLayerNetwork(path)
    assert _classes(back)[:3] == ["FrozenLayer"] * 3
    x = np.random.default_rng(0).normal(size=(3, 4)).astype(np.float32)
    np.testing.assert_allclose(back.output(x), ours.output(x), rtol=1e-5)
