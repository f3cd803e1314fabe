"""Training through LocallyConnected1D / LocallyConnected2D (SameDiff layers), RepeatVector and MaskLayer.

* DL4J's own unit tests, transcribed: ``LocallyConnectedLayerTest`` (forward shapes, every dtype runs fit),
  ``CNN1DGradientCheckTest#testCnn1DWithLocallyConnected1D``, ``CNNGradientCheckTest#testCnnLocallyConnected2D``
  (NCHW and NHWC), ``GradientCheckTestsMasking/UtilLayerGradientChecks#testMaskLayer`` (rank 2, 3, 4 inputs with
  and without masks) and ``RepeatVectorTest`` (values and the summed epsilon): numerical gradient checks in double
  precision with our default ("exact") gradient.
* Real DL4J 1.0.0-M2.1 in the JVM: gradient, score and 5 fit steps within 1e-5 relative, in the ``"dl4j"``
  SameDiff gradient mode for the locally connected layers (M2.1 doubles the epsilon through SameDiff layers,
  layers/samediff.py), float32 and double, frozen wrappers included.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from pydl4j_transfer.conf import (Adam, ConvolutionLayer, Convolution1DLayer, DenseLayer, FrozenLayer,
                                  FrozenLayerWithBackprop, GlobalPoolingLayer, InputType, LocallyConnected1D,
                                  LocallyConnected2D, LSTM, MaskLayer, Nesterovs, NeuralNetConfiguration, NoOp,
                                  NormalDistribution, OutputLayer, PoolingType, RepeatVector, RmsProp, RnnOutputLayer,
                                  Sgd, SimpleRnn)
from pydl4j_transfer.conf.enums import Activation, CNN2DFormat, ConvolutionMode, LossFunctions, WeightInit
from pydl4j_transfer.nn import MultiLayerNetwork
from pydl4j_transfer.torch_backend.layers.samediff import samediff_gradient

from .test_attention_training import _grad_check
from .test_training import java_fit, jparams, jstate, ours_batch, rel

LF = LossFunctions.LossFunction
CM = ConvolutionMode
RTOL = 1e-5
#: "fit5/<case>" / "grad/<case>" -> max relative difference to DL4J (read by the report)
MAXDIFF: dict = {}


# ---- DL4J's tests, transcribed ---------------------------------------------------------------------------------


def test_locally_connected_2d_forward_shape():
    """LocallyConnectedLayerTest#test2dForward: 8x8 kernel, stride 4, Strict, on 28x28x3 -> [10, 10]."""
    conf = (NeuralNetConfiguration.Builder().dataType("DOUBLE").seed(123).l2(2e-4).updater(Nesterovs(0.9)).dropOut(0.5)
            .list()
            .layer(LocallyConnected2D.Builder().kernelSize(8, 8).nIn(3).stride(4, 4).nOut(16).dropOut(0.5)
                   .convolutionMode(CM.Strict).setInputSize(28, 28).activation(Activation.RELU)
                   .weightInit(WeightInit.XAVIER).build())
            .layer(OutputLayer.Builder(LF.SQUARED_LOSS).nOut(10).weightInit(WeightInit.XAVIER)
                   .activation(Activation.SOFTMAX).build())
            .setInputType(InputType.convolutionalFlat(28, 28, 3)).build())
    net = MultiLayerNetwork(conf).init()
    assert net.output(np.ones((10, 3, 28, 28))).shape == (10, 10)


def test_locally_connected_1d_forward_shape_and_fit():
    """LocallyConnectedLayerTest#test1dForward: kernel 4, Strict, on recurrent(3, 8) -> [(8-4+1)*10, 10]; fit runs."""
    conf = (NeuralNetConfiguration.Builder().dataType("DOUBLE").seed(123).l2(2e-4).updater(Nesterovs(0.9)).dropOut(0.5)
            .list()
            .layer(LocallyConnected1D.Builder().kernelSize(4).nIn(3).stride(1).nOut(16).dropOut(0.5)
                   .convolutionMode(CM.Strict).setInputSize(28).activation(Activation.RELU)
                   .weightInit(WeightInit.XAVIER).build())
            .layer(OutputLayer.Builder(LF.SQUARED_LOSS).nOut(10).weightInit(WeightInit.XAVIER)
                   .activation(Activation.SOFTMAX).build())
            .setInputType(InputType.recurrent(3, 8)).build())
    net = MultiLayerNetwork(conf).init()
    x = np.ones((10, 3, 8))
    out = net.output(x)
    assert out.shape == ((8 - 4 + 1) * 10, 10)
    assert net.getLayer(0).conf().getLayer().inputSize == 8  # the input type overrides setInputSize(28)
    net.fit(x, out)


@pytest.mark.parametrize("dtype", ["DOUBLE", "FLOAT", "HALF"])
@pytest.mark.parametrize("test", [0, 1])
def test_locally_connected_dtypes(dtype, test):
    """LocallyConnectedLayerTest#testLocallyConnected: output, feedForward, gradient and fit in every dtype."""
    from pydl4j_transfer.data import MultiDataSet
    from pydl4j_transfer.nn import ComputationGraph

    b = (NeuralNetConfiguration.Builder().dataType(dtype).seed(123).updater(NoOp()).weightInit(WeightInit.XAVIER)
         .convolutionMode(CM.Same).graphBuilder())
    rng = np.random.default_rng(test)
    if test == 0:
        b = (b.addInputs("in").addLayer("1", LSTM.Builder().nOut(5).build(), "in")
             .addLayer("2", LocallyConnected1D.Builder().kernelSize(2).nOut(4).build(), "1")
             .addLayer("out", RnnOutputLayer.Builder().nOut(10).build(), "2")
             .setOutputs("out").setInputTypes(InputType.recurrent(5, 4)))
        x, y = rng.random((2, 5, 4)), np.eye(10)[rng.integers(0, 10, (2, 4))].transpose(0, 2, 1)
    else:
        b = (b.addInputs("in").addLayer("1", ConvolutionLayer.Builder().kernelSize(2, 2).nOut(5)
                                        .convolutionMode(CM.Same).build(), "in")
             .addLayer("2", LocallyConnected2D.Builder().kernelSize(2, 2).nOut(5).build(), "1")
             .addLayer("out", OutputLayer.Builder().nOut(10).build(), "2")
             .setOutputs("out").setInputTypes(InputType.convolutional(8, 8, 1)))
        x, y = rng.random((2, 1, 8, 8)), np.eye(10)[rng.integers(0, 10, 2)]
    net = ComputationGraph(b.build()).init()
    want = {"DOUBLE": np.float64, "FLOAT": np.float32, "HALF": np.float16}[dtype]
    assert net.outputSingle(x).dtype == want
    for name, act in net.feedForward(x, False).items():
        if name != "in":
            assert act.dtype == want, name
    net.computeGradientAndScore(data=[x], labels=[y])
    net.fit(MultiDataSet([x.astype(want)], [y.astype(want)]))


def test_cnn1d_with_locally_connected_1d_gradients():
    """CNN1DGradientCheckTest#testCnn1DWithLocallyConnected1D (kernel 1, stride 1, no padding, sigmoid, no bias)."""
    rng = np.random.default_rng(1337)
    for mb in (2, 3):
        conf = (NeuralNetConfiguration.Builder().seed(12345).dataType("DOUBLE").updater(NoOp()).dist(NormalDistribution(0, 1))
                .convolutionMode(CM.Same).list()
                .layer(Convolution1DLayer.Builder().activation(Activation.SIGMOID).kernelSize(1).stride(1).padding(0)
                       .nIn(2).nOut(3).build())
                .layer(LocallyConnected1D.Builder().activation(Activation.SIGMOID).kernelSize(1).stride(1).padding(0)
                       .nIn(3).nOut(4).hasBias(False).build())
                .layer(RnnOutputLayer.Builder(LF.MCXENT).activation(Activation.SOFTMAX).nOut(4).build())
                .setInputType(InputType.recurrent(2, 7)).build())
        assert type(conf).fromJson(conf.toJson()) == conf
        net = MultiLayerNetwork(conf).init()
        x = rng.random((mb, 2, 7))
        y = np.zeros((mb, 4, 7))
        for i in range(mb):
            y[i, i % 4, :] = 1.0
        failures = _grad_check(net, (x, y, None), rng, max_per_param=6)
        assert not failures, f"mb={mb}: {failures[:5]}"


@pytest.mark.parametrize("fmt", ["NCHW", "NHWC"])
def test_cnn_locally_connected_2d_gradients(fmt):
    """CNNGradientCheckTest#testCnnLocallyConnected2D: conv -> LocallyConnected2D (Strict, no bias) -> conv."""
    rng = np.random.default_rng(12345)
    for depth, act, mb in ((1, Activation.SIGMOID, 2), (2, Activation.TANH, 1), (4, Activation.SOFTPLUS, 3)):
        conf = (NeuralNetConfiguration.Builder().seed(12345).updater(NoOp()).dataType("DOUBLE").activation(act).list()
                .layer(ConvolutionLayer.Builder().kernelSize(2, 2).stride(1, 1).dataFormat(fmt).padding(0, 0)
                       .nIn(depth).nOut(2).build())
                .layer(LocallyConnected2D.Builder().nIn(2).nOut(7).kernelSize(2, 2).dataFormat(fmt)
                       .setInputSize(4, 4).convolutionMode(CM.Strict).hasBias(False).stride(1, 1).padding(0, 0).build())
                .layer(ConvolutionLayer.Builder().nIn(7).nOut(2).kernelSize(2, 2).dataFormat(fmt).stride(1, 1)
                       .padding(0, 0).build())
                .layer(OutputLayer.Builder(LF.MCXENT).activation(Activation.SOFTMAX).nIn(2 * 2 * 2).nOut(3).build())
                .setInputType(InputType.convolutional(5, 5, depth, CNN2DFormat.of(fmt))).build())
        assert conf.confs[0].layer.convolutionMode == CM.Truncate
        net = MultiLayerNetwork(conf).init()
        shape = (mb, depth, 5, 5) if fmt == "NCHW" else (mb, 5, 5, depth)
        x, y = rng.random(shape), np.eye(3)[rng.integers(0, 3, mb)]
        failures = _grad_check(net, (x, y, None), rng, max_per_param=6)
        assert not failures, f"depth={depth}: {failures[:5]}"


@pytest.mark.parametrize("rank", [2, 3, 4])
def test_mask_layer_gradients(rank):
    """GradientCheckTestsMasking#testMaskLayer: l1 -> MaskLayer -> l2 -> output, with and without an input mask."""
    rng = np.random.default_rng(12345)
    ts = 3
    for mb in (1, 3):
        for masked in (False, True):
            mask = None
            if masked:
                if rank == 2:
                    mask = np.ones((1, 1)) if mb == 1 else np.array([[1.0], [0.0], [1.0]])
                elif rank == 4:
                    mask = np.ones((1, 1, 1, 1)) if mb == 1 else np.array([1.0, 0.0, 1.0]).reshape(3, 1, 1, 1)
                else:
                    mask = np.ones((mb, ts))
                    for i in range(mb):
                        mask[i, i + 1:] = 0.0
            if rank == 2:
                layers = (DenseLayer.Builder().nOut(3).build(), DenseLayer.Builder().nOut(3).build(),
                          OutputLayer.Builder().nOut(3).lossFunction(LF.MSE).activation(Activation.TANH).build())
                it, x, y = InputType.feedForward(3), rng.random((mb, 3)) * 100, rng.random((mb, 3))
            elif rank == 3:
                layers = (SimpleRnn.Builder().nIn(3).nOut(3).activation(Activation.TANH).build(),
                          SimpleRnn.Builder().nIn(3).nOut(3).activation(Activation.TANH).build(),
                          RnnOutputLayer.Builder().nIn(3).nOut(3).lossFunction(LF.SQUARED_LOSS)
                          .activation(Activation.IDENTITY).build())
                it, x, y = InputType.recurrent(3), rng.random((mb, 3, ts)) * 100, rng.random((mb, 3, ts))
            else:
                conv = lambda: (ConvolutionLayer.Builder().nOut(5).convolutionMode(CM.Truncate).stride(1, 1)  # noqa: E731
                                .kernelSize(2, 2).padding(0, 0).build())
                layers = (conv(), conv(), OutputLayer.Builder().nOut(5).lossFunction(LF.SQUARED_LOSS)
                          .activation(Activation.IDENTITY).build())
                it, x, y = InputType.convolutional(5, 5, 1), rng.random((mb, 1, 5, 5)) * 100, rng.random((mb, 5))
            conf = (NeuralNetConfiguration.Builder().seed(12345).updater(NoOp()).activation(Activation.TANH).dataType("DOUBLE")
                    .dist(NormalDistribution(0, 2)).list()
                    .layer(layers[0]).layer(MaskLayer()).layer(layers[1]).layer(layers[2])
                    .setInputType(it).build())
            net = MultiLayerNetwork(conf).init()
            failures = _grad_check(net, (x, y, mask), rng, max_per_param=8, min_abs=1e-6)
            assert not failures, f"mb={mb} masked={masked}: {failures[:5]}"


def test_repeat_vector_values_and_epsilon():
    """RepeatVectorTest#testRepeatVector: [1,2,3] -> each repeated 4 times along time; the epsilon of ones sums to 4."""
    net = MultiLayerNetwork(NeuralNetConfiguration.Builder().seed(123).dataType("DOUBLE").list()
                            .layer(RepeatVector.Builder(4).build())
                            .layer(RnnOutputLayer.Builder(LF.MSE).nIn(3).nOut(3).activation(Activation.IDENTITY).build())
                            .build()).init()
    module = net.torchModule() if hasattr(net, "torchModule") else None
    layer = module.layer0 if module is not None else None
    x = torch.tensor([[1.0, 2.0, 3.0]], dtype=torch.float64, requires_grad=True)
    out = layer(x)
    assert out.shape == (1, 3, 4)
    np.testing.assert_array_equal(out.detach().numpy(), np.array([[[1.0] * 4, [2.0] * 4, [3.0] * 4]]))
    out.backward(torch.ones(1, 3, 4, dtype=torch.float64))
    np.testing.assert_array_equal(x.grad.numpy(), [[4.0, 4.0, 4.0]])


def test_repeat_vector_nwc_epsilon_sums_over_axis_1():
    net = MultiLayerNetwork(NeuralNetConfiguration.Builder().dataType("DOUBLE").list()
                            .layer(RepeatVector.Builder(3).dataFormat("NWC").build())
                            .layer(RnnOutputLayer.Builder(LF.MSE).nIn(2).nOut(2).dataFormat("NWC")
                                   .activation(Activation.IDENTITY).build()).build()).init()
    x = torch.tensor([[1.0, -2.0]], dtype=torch.float64, requires_grad=True)
    out = net.torchModule().layer0(x)
    assert out.shape == (1, 3, 2)
    (out * torch.arange(6, dtype=torch.float64).reshape(1, 3, 2)).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[0.0 + 2 + 4, 1.0 + 3 + 5]])


# ---- against real DL4J: gradient, score and 5 fit steps ----------------------------------------------------------


def _lc_mln(updater, dtype=None, frozen=False, same_length=False, **kw):
    b = NeuralNetConfiguration.Builder().seed(12345).updater(updater).activation(Activation.TANH)
    if dtype is not None:
        b = b.dataType(dtype)
    for k, v in kw.items():
        b = getattr(b, k)(*v) if isinstance(v, tuple) else getattr(b, k)(v)
    first = LocallyConnected1D.Builder().nOut(5).kernelSize(3).build()
    # (a features mask passes a SameDiff layer unchanged: with a mask, every layer keeps the length)
    middle = (LocallyConnected1D.Builder().nOut(4).kernelSize(2) if same_length else
              LocallyConnected1D.Builder().nOut(4).kernelSize(2).stride(2).convolutionMode(CM.Truncate))\
        .activation(Activation.SIGMOID).build()
    if frozen:
        first, middle = FrozenLayer(first), FrozenLayerWithBackprop(middle)
    return (b.list()
            .layer(SimpleRnn.Builder().nOut(4).build())
            .layer(first)
            .layer(MaskLayer())
            .layer(middle)
            .layer(GlobalPoolingLayer.Builder(PoolingType.AVG).build())
            .layer(DenseLayer.Builder().nOut(4).build())
            .layer(RepeatVector.Builder(3).build())
            .layer(LSTM.Builder().nOut(3).build())
            .layer(RnnOutputLayer.Builder(LF.MCXENT).nOut(3).activation(Activation.SOFTMAX).build())
            .setInputType(InputType.recurrent(3, 8)).build())


def _lc2_mln(updater, dtype=None, fmt="NCHW", **kw):
    b = NeuralNetConfiguration.Builder().seed(12345).updater(updater).activation(Activation.TANH)
    if dtype is not None:
        b = b.dataType(dtype)
    for k, v in kw.items():
        b = getattr(b, k)(*v) if isinstance(v, tuple) else getattr(b, k)(v)
    return (b.list()
            .layer(ConvolutionLayer.Builder(2, 2).nOut(3).dataFormat(fmt).build())
            .layer(LocallyConnected2D.Builder().nOut(4).kernelSize(2, 3).stride(1, 2).dataFormat(fmt).build())
            .layer(LocallyConnected2D.Builder().nOut(2).kernelSize(2, 2).convolutionMode(CM.Truncate).padding(1, 0)
                   .dataFormat(fmt).activation(Activation.RELU).build())
            .layer(OutputLayer.Builder(LF.MCXENT).nOut(3).activation(Activation.SOFTMAX).build())
            .setInputType(InputType.convolutional(6, 7, 2, CNN2DFormat.of(fmt))).build())


def _batch(kind, dtype, mb=4, seed=0, masked=False):
    rng = np.random.default_rng(seed)
    if kind == "lc1":
        x = rng.standard_normal((mb, 3, 8)).astype(dtype)
        y = np.eye(3, dtype=dtype)[rng.integers(0, 3, (mb, 3))].transpose(0, 2, 1).copy()
        fm = None
        if masked:
            fm = np.ones((mb, 8), dtype)
            for i in range(mb):
                fm[i, 8 - i:] = 0.0
        return [x], [y], None if fm is None else [fm], None
    shape = (mb, 2, 6, 7) if kind == "lc2" else (mb, 6, 7, 2)
    return [rng.standard_normal(shape).astype(dtype)], [np.eye(3, dtype=dtype)[rng.integers(0, 3, mb)]], None, None


FIT_CASES = {
    "lc1_Adam_double": (lambda: _lc_mln(Adam(0.01), "DOUBLE"), "lc1", False),
    "lc1_Nesterovs_double_masked": (lambda: _lc_mln(Nesterovs(0.05, 0.9), "DOUBLE", same_length=True), "lc1", True),
    "lc1_frozen_double": (lambda: _lc_mln(Adam(0.02), "DOUBLE", frozen=True, l2=0.01), "lc1", False),
    "lc1_Sgd_float": (lambda: _lc_mln(Sgd(0.1)), "lc1", False),
    "lc1_RmsProp_float_masked": (lambda: _lc_mln(RmsProp(0.01), same_length=True, l2=1e-3), "lc1", True),
    "lc2_Adam_double": (lambda: _lc2_mln(Adam(0.01), "DOUBLE"), "lc2", False),
    "lc2_nhwc_Nesterovs_double": (lambda: _lc2_mln(Nesterovs(0.05, 0.9), "DOUBLE", fmt="NHWC"), "lc2_nhwc", False),
    "lc2_Sgd_float": (lambda: _lc2_mln(Sgd(0.1), l1=1e-3), "lc2", False),
    "lc2_nhwc_RmsProp_float": (lambda: _lc2_mln(RmsProp(0.01), fmt="NHWC"), "lc2_nhwc", False),
}


def _pair(make):
    from pydl4j_transfer.dl4j_backend import Dl4jModel

    p0 = MultiLayerNetwork(make()).init().params().copy()
    return MultiLayerNetwork(make()).init(p0.copy()), Dl4jModel.fromJson(make().toJson(), p0).java


@pytest.mark.dl4j
@pytest.mark.parametrize("name", sorted(FIT_CASES))
def test_gradient_and_five_fit_steps_match_dl4j(name):
    from pydl4j_transfer.dl4j_backend import to_indarray, to_numpy

    make, kind, masked = FIT_CASES[name]
    ours, theirs = _pair(make)
    dtype = ours.params().dtype.type
    batch = _batch(kind, dtype, masked=masked)
    x, y, fm, _ = batch
    with samediff_gradient("dl4j"):
        g, s = ours.computeGradientAndScore(**ours_batch(batch, False))
    theirs.setInput(to_indarray(x[0]))
    theirs.setLabels(to_indarray(y[0]))
    theirs.setLayerMaskArrays(None if fm is None else to_indarray(fm[0]), None)
    theirs.computeGradientAndScore()
    jg, js = to_numpy(theirs.gradient().gradient()).reshape(-1), float(theirs.score())
    MAXDIFF[f"grad/{name}"] = rel(g, jg)
    assert rel(g, jg) <= RTOL, f"gradient: max relative difference {rel(g, jg):.3g}"
    assert abs(s - js) <= RTOL * abs(js), (s, js)
    theirs.clearLayerMaskArrays()
    ours, theirs = _pair(make)
    before = ours.params().copy()
    with samediff_gradient("dl4j"):
        ours.fit(**ours_batch(batch, False), epochs=5)
    java_fit(theirs, batch, 5, False)
    d = rel(ours.params(), jparams(theirs))
    MAXDIFF[f"fit5/{name}"] = d
    assert d <= RTOL, f"params after 5 fit steps: max relative difference {d:.3g}"
    js = jstate(theirs)
    if js is not None:
        assert rel(ours.getUpdaterState(), js) <= 1e-4
    assert abs(ours.score() - float(theirs.score())) <= RTOL * abs(float(theirs.score()))
    if "frozen" in name:  # FrozenLayer's params stay bit for bit
        np.testing.assert_array_equal(ours.getParam("1_W"), MultiLayerNetwork(make()).init(before.copy()).getParam("1_W"))
