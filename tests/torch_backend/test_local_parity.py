"""LocallyConnected1D / LocallyConnected2D (SameDiff layers), RepeatVector and MaskLayer against real DL4J 1.0.0-M2.1:
network outputs on the same parameters (convolution modes with their paddings, strides, dilation, NHWC, no bias,
SameDiff activations incl. softmax over the last axis, float and double; RepeatVector NCW/NWC; MaskLayer with
rank 2, 3 and 4 masks)."""

from __future__ import annotations

import numpy as np
import pytest

from pydl4j_transfer.conf import (ConvolutionLayer, DenseLayer, GlobalPoolingLayer, InputType, LocallyConnected1D, LocallyConnected2D, LSTM,
                                  MaskLayer, NeuralNetConfiguration, OutputLayer, RepeatVector, RnnOutputLayer,
                                  PoolingType, SimpleRnn)
from pydl4j_transfer.conf.enums import Activation, ConvolutionMode, LossFunctions
from pydl4j_transfer.errors import InvalidConfigurationError
from pydl4j_transfer.torch_backend import build_module

from .parity import check_parity, rand

LF = LossFunctions.LossFunction
CM = ConvolutionMode
#: case -> worst max abs difference to DL4J
WORST: dict = {}


def mln(input_type, *layers, dtype=None, **kw):
    b = NeuralNetConfiguration.Builder().seed(12345).activation(Activation.TANH)
    if dtype is not None:
        b = b.dataType(dtype)
    for k, v in kw.items():
        b = getattr(b, k)(v)
    lb = b.list()
    for layer in layers:
        lb = lb.layer(layer)
    return lb.setInputType(input_type).build()


def rnn_out(n=2, fmt=None):
    b = RnnOutputLayer.Builder(LF.MSE).nOut(n).activation(Activation.IDENTITY)
    return (b.dataFormat(fmt) if fmt else b).build()


def ff_out(n=2):
    return OutputLayer.Builder(LF.MSE).nOut(n).activation(Activation.IDENTITY).build()


def lc1(**kw):
    b = LocallyConnected1D.Builder()
    for k, v in kw.items():
        b = getattr(b, k)(*v) if isinstance(v, tuple) else getattr(b, k)(v)
    return b.build()


def lc2(**kw):
    b = LocallyConnected2D.Builder()
    for k, v in kw.items():
        b = getattr(b, k)(*v) if isinstance(v, tuple) else getattr(b, k)(v)
    return b.build()


CASES = {
    # name: (configuration factory(dtype), input shape)
    "lc1_same_k3": (lambda dt: mln(InputType.recurrent(3, 7), lc1(nOut=4, kernelSize=3), rnn_out(), dtype=dt),
                    (2, 3, 7)),
    "lc1_same_k2_stride2": (lambda dt: mln(InputType.recurrent(3, 8), lc1(nOut=4, kernelSize=2, stride=2), rnn_out(),
                                           dtype=dt), (3, 3, 8)),
    "lc1_same_dilation2": (lambda dt: mln(InputType.recurrent(2, 6), lc1(nOut=3, kernelSize=2, dilation=2), rnn_out(),
                                          dtype=dt), (2, 2, 6)),
    "lc1_truncate_pad_softmax_nobias": (lambda dt: mln(InputType.recurrent(3, 7), lc1(
        nOut=4, kernelSize=2, stride=2, padding=1, convolutionMode=CM.Truncate, hasBias=False,
        activation=Activation.SOFTMAX), rnn_out(), dtype=dt), (2, 3, 7)),
    "lc1_strict_relu_stacked": (lambda dt: mln(InputType.recurrent(3, 8), LSTM.Builder().nOut(4).build(), lc1(
        nOut=5, kernelSize=4, convolutionMode=CM.Strict, activation=Activation.RELU),
        lc1(nOut=3, kernelSize=2, activation=Activation.ELU), rnn_out(), dtype=dt), (2, 3, 8)),
    "lc2_same_k2x3": (lambda dt: mln(InputType.convolutional(5, 6, 2), lc2(nOut=3, kernelSize=(2, 3)), ff_out(),
                                     dtype=dt), (2, 2, 5, 6)),
    "lc2_same_stride2": (lambda dt: mln(InputType.convolutional(7, 5, 2), lc2(nOut=3, kernelSize=(3, 2), stride=(2, 2),
                                                                             activation=Activation.SIGMOID), ff_out(),
                                        dtype=dt), (2, 2, 7, 5)),
    "lc2_truncate_pad_softmax": (lambda dt: mln(InputType.convolutional(7, 6, 2), lc2(
        nOut=3, kernelSize=(3, 2), stride=(2, 1), padding=(1, 0), convolutionMode=CM.Truncate,
        activation=Activation.SOFTMAX), ff_out(), dtype=dt), (2, 2, 7, 6)),
    "lc2_nhwc_nobias": (lambda dt: mln(InputType.convolutional(5, 4, 2, "NHWC"), lc2(nOut=3, kernelSize=(2, 2),
                                                                                     hasBias=False), ff_out(), dtype=dt),
                        (2, 5, 4, 2)),
    "lc2_after_conv_strict": (lambda dt: mln(InputType.convolutional(5, 5, 1), ConvolutionLayer.Builder(2, 2).nOut(2)
                                             .build(), lc2(nOut=4, kernelSize=(2, 2), convolutionMode=CM.Strict),
                                             ff_out(), dtype=dt), (3, 1, 5, 5)),
    "repeat_ncw": (lambda dt: mln(InputType.feedForward(3), DenseLayer.Builder().nOut(4).build(),
                                  RepeatVector.Builder(5).build(), LSTM.Builder().nOut(3).build(), rnn_out(), dtype=dt),
                   (2, 3)),
    "repeat_nwc": (lambda dt: mln(InputType.feedForward(3), RepeatVector.Builder(4).dataFormat("NWC").build(),
                                  SimpleRnn.Builder().nOut(3).dataFormat("NWC").build(), rnn_out(fmt="NWC"), dtype=dt),
                   (3, 3)),
}


@pytest.mark.dl4j
@pytest.mark.parametrize("dtype", ["FLOAT", "DOUBLE"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_output_matches_dl4j(name, dtype):
    make, shape = CASES[name]
    x = rand(*shape, seed=3)
    if dtype == "DOUBLE":
        x = x.astype(np.float64)
    # M2.1 returns NWC activations scrambled with workspaces on (test_rnn_parity.py::test_nwc_workspace_bug)
    worst, _ = check_parity(make(dtype), x, atol=1e-5 if dtype == "FLOAT" else 1e-12,
                            workspaces=name != "repeat_nwc")
    WORST[f"{name}/{dtype}"] = worst


def _seq_mask(mb, t):
    m = np.ones((mb, t), np.float32)
    for i in range(mb):
        m[i, t - i:] = 0.0 if i else 1.0
    return m


MASK_CASES = {
    "rank3": (lambda: mln(InputType.recurrent(3), SimpleRnn.Builder().nOut(3).build(), MaskLayer(),
                          SimpleRnn.Builder().nOut(3).build(), rnn_out()), (3, 3, 4), lambda: _seq_mask(3, 4)),
    "rank2": (lambda: mln(InputType.feedForward(3), DenseLayer.Builder().nOut(3).build(), MaskLayer(),
                          DenseLayer.Builder().nOut(3).build(), ff_out()), (3, 3),
              lambda: np.array([[1.0], [0.0], [1.0]], np.float32)),
    "rank4_per_example": (lambda: mln(InputType.convolutional(5, 5, 1), MaskLayer(), ConvolutionLayer.Builder(2, 2)
                                      .nOut(3).build(), ff_out()), (3, 1, 5, 5),
                          lambda: np.array([1, 0, 1], np.float32).reshape(3, 1, 1, 1)),
    "rank4_rows": (lambda: mln(InputType.convolutional(4, 5, 2), MaskLayer(),
                               GlobalPoolingLayer.Builder(PoolingType.SUM).build(), ff_out()), (2, 2, 4, 5),
                   lambda: np.array([[1, 1, 1, 0], [1, 1, 0, 0]], np.float32).reshape(2, 1, 4, 1)),
    "no_mask": (lambda: mln(InputType.recurrent(3), MaskLayer(), SimpleRnn.Builder().nOut(3).build(), rnn_out()),
                (2, 3, 4), lambda: None),
}


@pytest.mark.dl4j
@pytest.mark.parametrize("name", sorted(MASK_CASES))
def test_mask_layer_matches_dl4j(name):
    make, shape, mask = MASK_CASES[name]
    m = mask()
    worst, _ = check_parity(make(), rand(*shape, seed=4), masks=None if m is None else [m])
    WORST[f"mask_{name}"] = worst


def test_locally_connected_2d_keeps_dl4j_position_order():
    """M2.1's patch (y, x) sits at row x*outH + y of the matmul, read back y-major: pinned on a 2x3 output whose
    W is one-hot per row, so output (i, j) shows which input patch it came from."""
    conf = mln(InputType.convolutional(2, 3, 1), lc2(nOut=1, kernelSize=(1, 1), hasBias=False,
                                                     activation=Activation.IDENTITY), ff_out(1))
    m = build_module(conf)
    w = m.get_parameter("layer0.W")
    assert tuple(w.shape) == (6, 1, 1)
    with np.errstate(all="ignore"):
        import torch

        with torch.no_grad():
            w.fill_(1.0)
            x = torch.arange(6, dtype=torch.float32).reshape(1, 1, 2, 3)
            y = m.layer0(x)
    # rows x*outH + y in y-major reading order: (0,0)(1,0)(0,1) / (1,1)(0,2)(1,2) -> values x[y, x]
    assert y.reshape(2, 3).tolist() == [[0.0, 3.0, 1.0], [4.0, 2.0, 5.0]]


def test_errors_are_typed_and_name_the_layer():
    conf = mln(InputType.recurrent(3, 7), lc1(nOut=4, kernelSize=3), rnn_out())
    m = build_module(conf)
    with pytest.raises(InvalidConfigurationError, match="layer0"):
        m(rand(2, 3, 4))  # shorter than the layer was built for
    with pytest.raises(InvalidConfigurationError, match="layer0"):
        m(rand(2, 5, 7))  # wrong channel count
    with pytest.raises(InvalidConfigurationError, match="time series length must be known"):
        mln(InputType.feedForward(3), lc1(nOut=2))
    with pytest.raises(InvalidConfigurationError, match="has to be of CNN type"):
        lc2(nOut=2).getOutputType(0, InputType.recurrent(3, 4))
    with pytest.raises(InvalidConfigurationError, match="Expected FF input"):
        RepeatVector.Builder(2).build().getOutputType(0, InputType.recurrent(3, 4))
    with pytest.raises(InvalidConfigurationError, match="Padding cannot be used"):
        lc2(padding=(1, 1))
    with pytest.raises(InvalidConfigurationError, match="Need 2 kernel"):
        lc2(kernelSize=(1, 2, 3))
    rv = build_module(mln(InputType.feedForward(3), RepeatVector.Builder(2).build(), rnn_out()))
    with pytest.raises(InvalidConfigurationError, match="Expected rank 2"):
        rv(rand(2, 3, 4))
    masked = build_module(mln(InputType.recurrent(3), MaskLayer(), rnn_out()))
    with pytest.raises(InvalidConfigurationError, match="expected 2d mask"):
        masked(rand(2, 3, 4), mask=np.ones((2, 5), np.float32))


@pytest.mark.dl4j
def test_activation_dl4j_cannot_run_is_refused_on_forward():
    """Activation.asSameDiff has no SELU: DL4J builds the layer and throws on its first forward; so here."""
    conf = mln(InputType.recurrent(3, 5), lc1(nOut=2, activation=Activation.SELU), rnn_out())
    with pytest.raises(InvalidConfigurationError, match="not yet supported: SELU"):
        build_module(conf)(rand(1, 3, 5))
