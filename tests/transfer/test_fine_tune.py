"""FineTuneConfiguration: builder, keyword form, JSON (against DL4J's own toJson) and selective application."""

from __future__ import annotations

import json
import logging

import pytest

from pydl4j_transfer.conf import Adam, ConvolutionMode, DenseLayer, Nesterovs, NeuralNetConfiguration, Sgd
from pydl4j_transfer.conf.enums import Activation, GradientNormalization, WeightInit
from pydl4j_transfer.conf.values.regularization import L1Regularization, L2Regularization, WeightDecay
from pydl4j_transfer.errors import InvalidConfigurationError
from pydl4j_transfer.transfer import REMOVE, FineTuneConfiguration
from pydl4j_transfer.dl4j_backend.transfer import ftc_to_java

FULL = dict(activation=Activation.RELU, weightInit=WeightInit.XAVIER, biasInit=0.3, updater=Adam(1e-3),
            biasUpdater=Sgd(0.1), l1=0.1, l2=0.2, l1Bias=0.3, l2Bias=0.4, dropOut=0.5, miniBatch=False, seed=7,
            optimizationAlgo="LBFGS", minimize=False, gradientNormalization=GradientNormalization.ClipL2PerLayer,
            gradientNormalizationThreshold=2.0, convolutionMode=ConvolutionMode.Same, cudnnAlgoMode="NO_WORKSPACE",
            backpropType="TruncatedBPTT", tbpttFwdLength=5, tbpttBackLength=4, trainingWorkspaceMode="NONE",
            inferenceWorkspaceMode="NONE", maxNumLineSearchIterations=3)


def test_keyword_form_equals_builder():
    b = FineTuneConfiguration.Builder().updater(Adam(1e-3)).seed(42).l2(1e-4).dropOut(0.5).build()
    k = FineTuneConfiguration(updater=Adam(1e-3), seed=42, l2=1e-4, dropOut=0.5)
    assert b == k
    assert k.seed == 42 and k.dropout.p == 0.5


def test_regularization_builder_rules():
    f = FineTuneConfiguration.Builder().weightDecay(0.1).l2(0.2).build()
    assert [type(r) for r in f.regularization] == [L2Regularization]  # l2 removes weight decay
    f = FineTuneConfiguration.Builder().l2(0.2).weightDecay(0.1, False).build()
    assert [type(r) for r in f.regularization] == [WeightDecay] and f.regularization[0].applyLR is False
    f = FineTuneConfiguration.Builder().l1(0.1).l1(0.0).build()
    assert f.regularization == [] and f.removeL1 is False  # DL4J quirk: l1(0) sets no remove flag
    f = FineTuneConfiguration.Builder().l2(0.0).l1Bias(0).weightDecay(0).weightDecayBias(0).l2Bias(0).build()
    assert f.removeL2 and f.removeL1Bias and f.removeWD and f.removeWDBias and f.removeL2Bias
    f = FineTuneConfiguration.Builder().dropOut(0.0).gradientNormalization(None).weightNoise(None).build()
    assert f.dropout is REMOVE and f.gradientNormalization is REMOVE and f.weightNoise is REMOVE


def test_weight_init_distribution_rejected():
    with pytest.raises(InvalidConfigurationError, match="Distribution"):
        FineTuneConfiguration.Builder().weightInit(WeightInit.DISTRIBUTION)
    with pytest.raises(TypeError, match="no setting"):
        FineTuneConfiguration(learningRate=0.1)


@pytest.mark.dl4j
@pytest.mark.parametrize("kwargs", [
    {}, dict(updater=Adam(1e-3), activation="relu", l2=1e-4, l1=0.0, dropOut=0.5, seed=42, weightInit="xavier"),
    dict(l2=0.0, dropOut=0.0, l1Bias=0.0, weightDecay=0.1, gradientNormalization=None), FULL,
    dict(weightDecayBias=(0.2, False), updater="NESTEROVS", pretrain=False, backprop=True),
], ids=["empty", "typical", "removals", "full", "misc"])
def test_to_json_matches_dl4j(kwargs):
    ours = FineTuneConfiguration(**kwargs)
    theirs = ftc_to_java(ours)
    assert json.loads(ours.toJson()) == json.loads(str(theirs.toJson()))
    # and DL4J's text reads back into the same JSON on our side
    # (an Optional written {"present": true} has lost its value: it reads back as "not set", see deviations.md)
    again = FineTuneConfiguration.fromJson(str(theirs.toJson()))
    expected = {k: v for k, v in json.loads(ours.toJson()).items() if v != {"present": True}}
    assert json.loads(again.toJson()) == expected


def test_from_json_optional_present_true_is_not_set(caplog):
    text = FineTuneConfiguration(dropOut=0.5, seed=1).toJson()
    assert '"present" : true' in text
    with caplog.at_level(logging.WARNING):
        back = FineTuneConfiguration.fromJson(text)
    assert back.dropout is None and "dropped its value" in caplog.text  # deviation: DL4J reads "remove"
    assert FineTuneConfiguration.fromJson(FineTuneConfiguration(dropOut=0.0).toJson()).dropout is REMOVE


def _nnc(layer):
    return NeuralNetConfiguration.Builder().updater(Nesterovs(0.1, 0.9)).activation("tanh").list(layer).build().confs[0]


def test_apply_is_selective():
    nnc = _nnc(DenseLayer.Builder().nIn(3).nOut(4).l1(0.5).l2(0.25).dropOut(0.9).biasUpdater(Sgd(0.3)).build())
    FineTuneConfiguration(updater=Adam(1e-2)).applyToNeuralNetConfiguration(nnc)
    layer = nnc.layer
    assert layer.iUpdater == Adam(1e-2) and layer.biasUpdater == Sgd(0.3)  # bias updater kept
    assert type(layer.activationFn).__name__ == "ActivationTanH" and layer.iDropout.p == 0.9
    assert {type(r) for r in layer.regularization} == {L1Regularization, L2Regularization}
    FineTuneConfiguration(l2=0.0, dropOut=0.0, l1=0.0).applyToNeuralNetConfiguration(nnc)
    assert [type(r) for r in layer.regularization] == [L1Regularization]  # l2(0) removes, l1(0) does not
    assert layer.iDropout is None
    FineTuneConfiguration(l2=0.1).applyToNeuralNetConfiguration(nnc)
    assert [type(r) for r in layer.regularization] == [L2Regularization]  # the whole list replaced


@pytest.mark.dl4j
def test_apply_matches_dl4j_on_every_layer_kind():
    """applyToNeuralNetConfiguration on conv, pooling, dense, frozen: same JSON as DL4J's."""
    import jpype

    from pydl4j_transfer.conf import ConvolutionLayer, FrozenLayer, PoolingType, SubsamplingLayer

    layers = [ConvolutionLayer.Builder(3, 3).nIn(2).nOut(3).build(),
              SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).build(),
              DenseLayer.Builder().nIn(3).nOut(4).l1(0.5).dropOut(0.9).build(),
              FrozenLayer(layer=DenseLayer.Builder().nIn(3).nOut(4).build())]
    ftc = FineTuneConfiguration(**{k: v for k, v in FULL.items() if k not in ("backpropType",)})
    jftc = ftc_to_java(ftc)
    NNC = jpype.JClass("org.deeplearning4j.nn.conf.NeuralNetConfiguration")
    for layer in layers:
        nnc = NeuralNetConfiguration.Builder().seed(3).list(layer).build().confs[0]
        jnnc = NNC.fromJson(nnc.toJson())
        ftc.applyToNeuralNetConfiguration(nnc)
        jftc.applyToNeuralNetConfiguration(jnnc)
        assert json.loads(nnc.toJson()) == json.loads(str(jnnc.toJson())), type(layer).__name__
