"""Capsule layers (PrimaryCapsules, CapsuleLayer, CapsuleStrengthLayer) and TimeDistributed against real DL4J
1.0.0-M2.1: network outputs (float and double, train mode, masks, both RNN formats, graphs, frozen wrappers), and
DL4J's own unit tests of the capsule layers (``layers/capsule/*Test``), transcribed.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from pydl4j_transfer.conf import (LAYERS, ActivationLayer, CapsuleLayer, CapsuleStrengthLayer, ConvolutionLayer, DenseLayer,
                                  FrozenLayer, InputType, LossLayer, LSTM, MergeVertex, MultiLayerConfiguration,
                                  NeuralNetConfiguration, OutputLayer, PrimaryCapsules, RnnOutputLayer, SimpleRnn,
                                  TimeDistributed)
from pydl4j_transfer.conf.enums import Activation, ConvolutionMode, LossFunctions, RNNFormat
from pydl4j_transfer.errors import InvalidConfigurationError
from pydl4j_transfer.nn import MultiLayerNetwork
from pydl4j_transfer.torch_backend import build_module
from pydl4j_transfer.torch_backend.layers.capsule import squash

from .parity import check_parity, dl4j_net, dl4j_output_with_masks, rand, seeded_params

LF = LossFunctions.LossFunction
#: case -> worst max abs difference to DL4J (read by the report)
WORST: dict = {}


def caps_net(*layers, input_type=InputType.convolutional(7, 7, 2), dtype=None):
    b = NeuralNetConfiguration.Builder().seed(123)
    if dtype is not None:
        b = b.dataType(dtype)
    lb = b.list()
    for layer in layers:
        lb = lb.layer(layer)
    return lb.setInputType(input_type).build()


def primary(**kw):
    b = PrimaryCapsules.Builder(kw.pop("dims", 2), kw.pop("channels", 3)).kernelSize(*kw.pop("kernel", (3, 3)))
    for k, v in kw.items():
        b = getattr(b, k)(*v) if isinstance(v, tuple) else getattr(b, k)(v)
    return b.build()


def head(n=3):
    return (CapsuleStrengthLayer.Builder().build(), ActivationLayer.Builder().activation(Activation.SOFTMAX).build(),
            LossLayer.Builder(LF.NEGATIVELOGLIKELIHOOD).build())


CAPS_CASES = {
    "primary_truncate": lambda: caps_net(primary(stride=(2, 2)), CapsuleStrengthLayer.Builder().build()),
    "primary_relu_nobias": lambda: caps_net(primary(stride=(1, 1), useReLU=True, hasBias=False),
                                            CapsuleStrengthLayer.Builder().build()),
    "primary_leaky_padding_dilation": lambda: caps_net(primary(dims=4, channels=2, stride=(2, 1), padding=(1, 2),
                                                               dilation=(2, 1), useLeakyReLU=0.3)),
    # Same with an even kernel: asymmetric padding (top/left = floor(total / 2)), as libnd4j's SAME
    "primary_same_even_kernel": lambda: caps_net(primary(kernel=(2, 4), stride=(2, 3), convolutionMode="Same")),
    "primary_strict": lambda: caps_net(primary(kernel=(3, 3), stride=(2, 2), convolutionMode=ConvolutionMode.Strict)),
    "capsule_routing1": lambda: caps_net(CapsuleLayer.Builder(4, 3, 1).build(),
                                         input_type=InputType.recurrent(5, 6)),
    "capsule_routing3_bias": lambda: caps_net(CapsuleLayer.Builder(4, 3).hasBias(True).build(),
                                              input_type=InputType.recurrent(5, 6)),
    "capsule_one_capsule_routing4": lambda: caps_net(CapsuleLayer.Builder(1, 5, 4).hasBias(True).build(),
                                                     input_type=InputType.recurrent(3, 2)),
    "strength": lambda: caps_net(CapsuleStrengthLayer.Builder().build(), input_type=InputType.recurrent(5, 6)),
    "capsnet": lambda: caps_net(ConvolutionLayer.Builder().nOut(4).kernelSize(3, 3).build(),
                                primary(dims=4, channels=4, stride=(2, 2)),
                                CapsuleLayer.Builder(3, 5, 3).build(), *head(),
                                input_type=InputType.convolutional(11, 11, 2)),
    "capsnet_double": lambda: caps_net(primary(dims=3, channels=2, stride=(1, 1), useReLU=True),
                                       CapsuleLayer.Builder(4, 4, 2).hasBias(True).build(), *head(),
                                       dtype="DOUBLE"),
    # capsules into ordinary layers: a capsule activation is an RNN [mb, capsules, dims] for DL4J's InputType
    "capsules_into_lstm_and_dense": lambda: caps_net(primary(stride=(2, 2)), CapsuleLayer.Builder(3, 4, 2).build(),
                                                     LSTM.Builder().nOut(2).build(),
                                                     RnnOutputLayer.Builder(LF.MSE).nOut(2)
                                                     .activation(Activation.IDENTITY).build()),
}


def _caps_input(name, mb=3, seed=1):
    shape = {"capsule_routing1": (5, 6), "capsule_routing3_bias": (5, 6), "capsule_one_capsule_routing4": (3, 2),
             "strength": (5, 6), "capsnet": (2, 11, 11)}.get(name, (2, 7, 7))
    return rand(mb, *shape, seed=seed)


@pytest.mark.dl4j
@pytest.mark.parametrize("train", [False, True])
@pytest.mark.parametrize("name", sorted(CAPS_CASES))
def test_capsule_output_matches_dl4j(name, train):
    conf = CAPS_CASES[name]()
    double = name.endswith("double")
    x = _caps_input(name, seed=len(name)).astype(np.float64 if double else np.float32)
    worst, _ = check_parity(conf, [x], atol=1e-12 if double else 2e-6, train=train)
    WORST[f"{name}{'/train' if train else ''}"] = worst


@pytest.mark.dl4j
def test_capsules_in_a_graph_match_dl4j():
    """The capsule layers as graph layer vertices, two capsule heads merged (DL4J's MergeVertex on RNN-typed input)."""
    conf = (NeuralNetConfiguration.Builder().seed(3).graphBuilder().addInputs("img")
            .addLayer("primary", primary(stride=(2, 2), useReLU=True), "img")
            .addLayer("caps_a", CapsuleLayer.Builder(3, 4, 2).build(), "primary")
            .addLayer("caps_b", CapsuleLayer.Builder(2, 4, 3).hasBias(True).build(), "primary")
            .addVertex("merge", MergeVertex(), "caps_a", "caps_b")
            .addLayer("strength", CapsuleStrengthLayer.Builder().build(), "merge")
            .addLayer("out", OutputLayer.Builder(LF.MCXENT).nOut(2).activation(Activation.SOFTMAX).build(), "strength")
            .setOutputs("out").setInputTypes(InputType.convolutional(7, 7, 2)).build())
    WORST["capsules_graph"], _ = check_parity(conf, [rand(3, 2, 7, 7)], atol=2e-6)


@pytest.mark.dl4j
def test_primary_capsules_causal_fails_as_in_dl4j():
    """Causal: DL4J infers the capsule count from Truncate's size, its conv2d pads to ceil(in / stride), and the
    reshape fails; here the conversion refuses the layer with that reason (typed)."""
    from pydl4j_transfer.errors import Dl4jBackendError

    from .parity import reset_workspaces

    conf = caps_net(primary(stride=(2, 2), convolutionMode="Causal"))
    assert conf.confs[0].layer.capsules == 27  # (7 - 3) / 2 + 1 = 3; 3 * 3 * 6 / 2
    model, _ = dl4j_net(conf, seeded_params(conf))
    with pytest.raises(Dl4jBackendError, match="reshape"):
        try:
            model.output(rand(2, 2, 7, 7))
        finally:
            reset_workspaces()
    with pytest.raises(InvalidConfigurationError, match="Causal"):
        build_module(conf)(rand(2, 2, 7, 7))


# ---- TimeDistributed ------------------------------------------------------------------------------------------


def td_net(fmt="NCW", inner=None, tail=True, dtype=None, frozen=False):
    b = NeuralNetConfiguration.Builder().seed(7).activation(Activation.TANH)
    if dtype is not None:
        b = b.dataType(dtype)
    td = TimeDistributed(inner or DenseLayer.Builder().nOut(4).build())
    lb = (b.list().layer(SimpleRnn.Builder().nOut(3).build()).layer(FrozenLayer(td) if frozen else td))
    if tail:
        lb = lb.layer(RnnOutputLayer.Builder(LF.MSE).nOut(2).activation(Activation.IDENTITY).dataFormat(fmt).build())
    return lb.setInputType(InputType.recurrent(3, fmt)).build()


TD_CASES = {
    "ncw": lambda: td_net(),
    "nwc": lambda: td_net("NWC"),
    "double": lambda: td_net(dtype="DOUBLE"),
    "frozen": lambda: td_net(frozen=True),
    "dense_layer_norm_relu": lambda: td_net(inner=DenseLayer.Builder().nOut(5).hasLayerNorm(True)
                                            .activation(Activation.RELU).build()),
    "activation_layer": lambda: td_net(inner=ActivationLayer.Builder().activation(Activation.SOFTSIGN).build()),
    "softmax_output_layer_last": lambda: td_net(inner=OutputLayer.Builder(LF.MCXENT).nOut(3)
                                                .activation(Activation.SOFTMAX).build(), tail=False),
}


def _td_input(name, mb=3, t=5):
    x = rand(mb, 3, t, seed=len(name))
    return x.transpose(0, 2, 1).copy() if name == "nwc" else x


def _mask(mb=3, t=5):
    m = np.ones((mb, t), np.float32)
    m[1, 3:] = 0.0
    m[2:, 1:] = 0.0
    return m


@pytest.mark.dl4j
@pytest.mark.parametrize("masked", [False, True])
@pytest.mark.parametrize("name", sorted(TD_CASES))
def test_time_distributed_output_matches_dl4j(name, masked):
    conf = TD_CASES[name]()
    double = name == "double"
    x = _td_input(name).astype(np.float64 if double else np.float32)
    masks = [_mask().astype(x.dtype)] if masked else None
    # NWC: DL4J M2.1 scrambles NWC activations it returns with workspaces on (test_rnn_parity.py pins it)
    worst, _ = check_parity(conf, [x], masks=masks, atol=1e-12 if double else 2e-6, workspaces=name != "nwc")
    WORST[f"td_{name}{'/masked' if masked else ''}"] = worst


@pytest.mark.dl4j
@pytest.mark.parametrize("mb", [1, 3])
def test_time_distributed_mask_rows_as_dl4j(mb):
    """DL4J's TimeDistributedLayer folds the data 'c'-order (row b*T + t) but the mask 'f'-order (row b + t*mb), so the
    wrapped DenseLayer zeroes the wrong rows for a minibatch > 1; this backend does what DL4J does (pinned here with
    the wrapper as the last layer, whose output is its own activations)."""
    conf = td_net(tail=False)
    params = seeded_params(conf)
    model, _ = dl4j_net(conf, params)
    x, m = rand(mb, 3, 5, seed=4), _mask(3, 5)[-mb:]
    expected = dl4j_output_with_masks(model, [x], [m])
    module = build_module(MultiLayerConfiguration.fromJson(conf.toJson()), params)
    with torch.no_grad():
        got = module(x, mask=m).numpy()
    np.testing.assert_allclose(got, expected, atol=2e-6)
    zero_at = np.all(expected == 0.0, axis=1)  # [mb, T]: the steps the dense layer zeroed
    if mb == 1:
        np.testing.assert_array_equal(zero_at, m == 0)
    else:
        assert not np.array_equal(zero_at, m == 0)
        f_order = m.T.reshape(-1).reshape(mb, 5) == 0  # the 'f'-order vector read back in row order
        np.testing.assert_array_equal(zero_at, f_order)


@pytest.mark.dl4j
def test_time_distributed_in_a_graph_matches_dl4j():
    conf = (NeuralNetConfiguration.Builder().seed(3).graphBuilder().addInputs("in")
            .addLayer("rnn", LSTM.Builder().nOut(4).build(), "in")
            .addLayer("td", TimeDistributed(DenseLayer.Builder().nOut(3).activation(Activation.SIGMOID).build()), "rnn")
            .addLayer("out", RnnOutputLayer.Builder(LF.MSE).nOut(2).activation(Activation.IDENTITY).build(), "td")
            .setOutputs("out").setInputTypes(InputType.recurrent(3)).build())
    WORST["td_graph"], _ = check_parity(conf, [rand(2, 3, 6)], masks=[_mask(2, 6)], atol=2e-6)


def test_time_distributed_typed_errors():
    conf = (NeuralNetConfiguration.Builder().list().layer(TimeDistributed(DenseLayer.Builder().nOut(4).build()))
            .setInputType(InputType.recurrent(3)).build())
    m = build_module(conf)
    with pytest.raises(InvalidConfigurationError, match=r"'layer0' \(TimeDistributed\).*rank 3"):
        m(np.zeros((2, 3), np.float32))
    with pytest.raises(InvalidConfigurationError, match="Only RNN input type is supported as input to TimeDistributed"):
        TimeDistributed(DenseLayer.Builder().nOut(3).build()).getOutputType(0, InputType.feedForward(3))


def test_capsule_typed_errors():
    m = build_module(CAPS_CASES["capsnet"]())
    with pytest.raises(InvalidConfigurationError, match="layer0"):
        m(np.zeros((2, 3, 11, 11), np.float32))
    m = build_module(CAPS_CASES["capsule_routing1"]())
    with pytest.raises(InvalidConfigurationError, match=r"'layer0' \(CapsuleLayer\).*\[minibatch, 5 capsules, 6"):
        m(np.zeros((2, 5, 4), np.float32))
    m = build_module(CAPS_CASES["primary_truncate"]())
    with pytest.raises(InvalidConfigurationError, match="does not split into 27 capsules"):
        m(np.zeros((2, 2, 9, 9), np.float32))
    with pytest.raises(InvalidConfigurationError, match="expect CNN input"):
        primary().getOutputType(0, InputType.recurrent(3, 4))
    with pytest.raises(InvalidConfigurationError, match="expect RNN input"):
        CapsuleLayer.Builder(2, 3).build().setNIn(InputType.feedForward(3), False)
    with pytest.raises(InvalidConfigurationError, match="Capsule Strength layer"):
        CapsuleStrengthLayer().getOutputType(0, InputType.feedForward(3))
    with pytest.raises(InvalidConfigurationError, match="time series length"):
        caps_net(CapsuleLayer.Builder(2, 3).build(), input_type=InputType.recurrent(4)).confs[0].layer.paramSpecs()


def test_squash():
    """CapsuleUtils.squash: |s|² / (1 + |s|²) · s / sqrt(|s|² + 1e-5), along the given axis."""
    s = torch.tensor([[3.0, 4.0], [0.0, 0.0]], dtype=torch.float64)
    out = squash(s, 1)
    np.testing.assert_allclose(out[0].numpy(), np.array([3.0, 4.0]) * 25 / (26 * np.sqrt(25 + 1e-5)))
    np.testing.assert_array_equal(out[1].numpy(), [0.0, 0.0])


# ---- DL4J's layers/capsule tests, transcribed ---------------------------------------------------------------


def test_capsule_layer_test():
    """CapsuleLayerTest: testOutputType, testInputType, testConfig, testLayer."""
    layer = CapsuleLayer.Builder(10, 16, 5).build()
    assert layer.getOutputType(0, InputType.recurrent(5, 8)) == InputType.recurrent(10, 16)
    layer.setNIn(InputType.recurrent(5, 8), True)
    assert (layer.getInputCapsules(), layer.getInputCapsuleDimensions()) == (5, 8)
    layer1 = CapsuleLayer.Builder(10, 16, 5).build()
    assert (layer1.getCapsules(), layer1.getCapsuleDimensions(), layer1.getRoutings()) == (10, 16, 5)
    assert not layer1.isHasBias()
    assert CapsuleLayer.Builder(10, 16, 5).hasBias(True).build().isHasBias()
    model = MultiLayerNetwork(caps_net(CapsuleLayer.Builder(10, 16, 3).build(),
                                       input_type=InputType.recurrent(10, 8))).init()
    assert model.output(np.zeros((64, 10, 8), np.float32)).shape == (64, 10, 16)


def test_capsule_strength_layer_test():
    """CapsuleStrengthLayerTest: testOutputType, testLayer (DL4J feeds [64, 5, 10] to an input type of T = 8)."""
    assert CapsuleStrengthLayer.Builder().build().getOutputType(0, InputType.recurrent(5, 8)) == InputType.feedForward(5)
    model = MultiLayerNetwork(caps_net(CapsuleStrengthLayer.Builder().build(),
                                       input_type=InputType.recurrent(5, 8))).init()
    assert model.output(np.zeros((64, 5, 10), np.float32)).shape == (64, 5)


def test_primary_capsules_test():
    """PrimaryCapsulesTest: testOutputType, testInputType, testConfig, testLayer."""
    make = lambda: PrimaryCapsules.Builder(8, 8).kernelSize(7, 7).stride(2, 2).build()  # noqa: E731
    assert make().getOutputType(0, InputType.convolutional(7, 7, 16)) == InputType.recurrent(8, 8)
    layer = make()
    layer.setNIn(InputType.convolutional(7, 7, 16), True)
    assert (layer.getCapsules(), layer.getCapsuleDimensions()) == (8, 8)
    layer1 = PrimaryCapsules.Builder(8, 10).kernelSize(5, 5).stride(4, 4).useLeakyReLU(0.5).build()
    assert (layer1.getCapsuleDimensions(), layer1.getChannels()) == (8, 10)
    assert (layer1.getKernelSize(), layer1.getStride(), layer1.getPadding(), layer1.getDilation()) == (
        [5, 5], [4, 4], [0, 0], [1, 1])
    assert layer1.isUseRelu() and layer1.getLeak() == pytest.approx(0.5, abs=0.001)
    assert not PrimaryCapsules.Builder(8, 10).kernelSize(5, 5).stride(4, 4).build().isUseRelu()
    layer3 = PrimaryCapsules.Builder(8, 10).kernelSize(5, 5).stride(4, 4).useReLU().build()
    assert layer3.isUseRelu() and layer3.getLeak() == pytest.approx(0, abs=0.001)
    model = MultiLayerNetwork(caps_net(layer1, input_type=InputType.convolutional(20, 20, 20))).init()
    assert model.output(np.zeros((64, 20, 20, 20), np.float32)).shape == (64, 160, 8)


def test_builders_check_as_dl4j():
    with pytest.raises(InvalidConfigurationError, match="capsules, capsuleDimensions, and routings must be > 0"):
        CapsuleLayer.Builder(0, 3).build()
    with pytest.raises(InvalidConfigurationError, match="inputCapsules and inputCapsuleDimensions must be >= 0"):
        CapsuleLayer.Builder(2, 3).inputCapsules(-1).build()
    with pytest.raises(InvalidConfigurationError, match="Need 2 inputShape values"):
        CapsuleLayer.Builder(2, 3).inputShape(4)
    with pytest.raises(InvalidConfigurationError, match="capsuleDimensions and channels must be > 0"):
        PrimaryCapsules.Builder(0, 3).build()
    with pytest.raises(InvalidConfigurationError, match="capsules must be >= 0"):
        PrimaryCapsules.Builder(2, 3).capsules(-2).build()
    with pytest.raises(InvalidConfigurationError, match="Values for kernelSize must be >= 0"):
        PrimaryCapsules.Builder(2, 3).kernelSize(-1, 2)
    assert PrimaryCapsules.Builder(2, 3).kernelSize(4).nOut(5).build().kernelSize == [4, 4]
    assert PrimaryCapsules.Builder(2, 3).nOut(5).build().channels == 5
    # CapsuleStrengthLayer(Builder) calls the no-arg constructor: the builder's settings are dropped, as in DL4J
    assert CapsuleStrengthLayer.Builder().name("strength").dropOut(0.5).build() == CapsuleStrengthLayer()
    assert CapsuleLayer() == LAYERS.decode({"@class": "org.deeplearning4j.nn.conf.layers.CapsuleLayer"})
    td = TimeDistributed(DenseLayer.Builder().nOut(3).build())
    assert td.rnnDataFormat == RNNFormat.NCW and TimeDistributed(td.underlying, "NWC").rnnDataFormat == RNNFormat.NWC


@pytest.mark.dl4j
@pytest.mark.parametrize("recipe", ["layer/TimeDistributed", "layer/PrimaryCapsules", "layer/CapsuleLayer"])
def test_runtime_layers_as_dl4j(recipe):
    """net.getLayer(i) as DL4J's runtime layers: type() (TimeDistributedLayer answers its wrapped layer's), conf()
    (the wrapped DenseLayer's for TimeDistributed), params and param tables."""
    from ..nn.nn_recipes import RECIPES
    from ..nn.test_runtime_layers import _check_layer, _java

    net = MultiLayerNetwork(RECIPES[recipe]()).init()
    theirs = _java(RECIPES[recipe](), net.params())
    for i in range(net.getnLayers()):
        _check_layer(net.getLayer(i), theirs.getLayer(i))
