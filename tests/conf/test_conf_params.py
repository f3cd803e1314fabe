"""Parameter keys, shapes and flat order (dl4j-format.md §4), and shape inference."""

import pytest

import pydl4j_transfer.conf as c
from pydl4j_transfer.conf import InputType


def specs(layer):
    return [(p.key, p.shape, p.order) for p in layer.paramSpecs()]


def test_dense_and_output():
    assert specs(c.DenseLayer(nIn=4, nOut=3)) == [("W", (4, 3), "f"), ("b", (3,), "f")]
    assert specs(c.DenseLayer(nIn=4, nOut=3, hasBias=False, hasLayerNorm=True)) == [("W", (4, 3), "f"), ("g", (3,), "f")]
    assert c.OutputLayer(nIn=64, nOut=10).numParams() == 650
    assert c.LossLayer().numParams() == 0


def test_convolution_bias_first_in_flat_order_but_w_first_in_table():
    conv = c.ConvolutionLayer(kernelSize=[3, 3], nIn=2, nOut=4)
    assert specs(conv) == [("b", (4,), "c"), ("W", (4, 2, 3, 3), "c")] and conv.paramKeys() == ["W", "b"]
    assert specs(c.Deconvolution2D(kernelSize=[2, 2], nIn=2, nOut=4))[1] == ("W", (2, 4, 2, 2), "c")
    assert specs(c.DepthwiseConvolution2D(kernelSize=[3, 3], nIn=3, nOut=6, depthMultiplier=2))[1] == ("W", (3, 3, 3, 2), "c")
    sep = c.SeparableConvolution2D(kernelSize=[3, 3], nIn=3, nOut=6, depthMultiplier=2)
    assert [p[0] for p in specs(sep)] == ["b", "W", "pW"] and sep.paramKeys() == ["W", "pW", "b"]
    assert specs(sep)[2] == ("pW", (6, 6, 1, 1), "c")
    conv1d = c.Convolution1DLayer.Builder(3).nIn(5).nOut(6).build()
    assert conv1d.kernelSize == [3, 3] and specs(conv1d)[1] == ("W", (6, 5, 3, 1), "c")
    assert specs(c.Convolution3D.Builder(2, 2, 2).nIn(2).nOut(3).build())[1] == ("W", (3, 2, 2, 2, 2), "c")


def test_batchnorm_variants():
    assert [k for k, *_ in specs(c.BatchNormalization(nIn=5, nOut=5))] == ["gamma", "beta", "mean", "log10stdev"]
    assert [k for k, *_ in specs(c.BatchNormalization(nIn=5, nOut=5, useLogStd=False))] == ["gamma", "beta", "mean", "var"]
    bn = c.BatchNormalization(nIn=5, nOut=5, useLogStd=False, lockGammaBeta=True)
    assert bn.paramKeys() == ["mean", "var"] and isinstance(bn.getUpdaterByParam("mean"), c.NoOp)


def test_recurrent():
    assert specs(c.LSTM(nIn=3, nOut=4)) == [("W", (3, 16), "f"), ("RW", (4, 16), "f"), ("b", (16,), "f")]
    assert specs(c.GravesLSTM(nIn=3, nOut=4))[1] == ("RW", (4, 19), "f")
    assert c.GravesBidirectionalLSTM(nIn=3, nOut=4).paramKeys() == ["WF", "RWF", "bF", "WB", "RWB", "bB"]
    bi = c.Bidirectional(c.LSTM(nIn=3, nOut=4))
    assert bi.paramKeys() == ["fW", "fRW", "fb", "bW", "bRW", "bb"] and bi.numParams() == 2 * c.LSTM(nIn=3, nOut=4).numParams()
    assert specs(c.SimpleRnn(nIn=3, nOut=4)) == [("W", (3, 4), "f"), ("RW", (4, 4), "f"), ("b", (4,), "f")]


def test_wrappers_delegate():
    inner = c.DenseLayer(nIn=4, nOut=3)
    for w in (c.FrozenLayer(inner), c.FrozenLayerWithBackprop(inner), c.LastTimeStep(c.LSTM(nIn=4, nOut=3)),
              c.MaskZeroLayer(c.LSTM(nIn=4, nOut=3))):
        assert w.paramShapes() == w.wrapped().paramShapes()
    assert isinstance(c.FrozenLayer(inner.clone().__class__(nIn=4, nOut=3, updater=c.Adam())).getUpdaterByParam("W"), c.NoOp)


def test_misc_layers():
    assert specs(c.EmbeddingLayer(nIn=100, nOut=10)) == [("W", (100, 10), "f")]
    assert specs(c.CenterLossOutputLayer(nIn=6, nOut=3))[2] == ("cL", (3, 6), "c")
    assert specs(c.ElementWiseMultiplicationLayer(nIn=5, nOut=5)) == [("W", (5,), "f"), ("b", (5,), "f")]
    assert specs(c.PReLULayer(inputShape=[3, 4, 5], sharedAxes=[2, 3])) == [("W", (3, 1, 1), "f")]


def test_network_param_tables():
    from .dl4j_cases import CASES

    mln = CASES["mln_cnn"]()
    shapes = mln.paramShapes()
    assert list(shapes)[:2] == ["0_b", "0_W"] and shapes["0_W"] == (20, 1, 5, 5) and shapes["5_W"] == (1152, 50)
    cg = CASES["cg_merge"]()
    assert list(cg.paramShapes()) == ["d1_W", "d1_b", "d2_W", "d2_b", "out_W", "out_b"] and cg.numParams() == 187


@pytest.mark.parametrize("layer, inp, out", [
    (c.ConvolutionLayer(kernelSize=[5, 5], nOut=20), InputType.convolutional(28, 28, 1), InputType.convolutional(24, 24, 20)),
    (c.ConvolutionLayer(kernelSize=[3, 3], stride=[2, 2], nOut=4, convolutionMode="Same"), InputType.convolutional(7, 7, 1),
     InputType.convolutional(4, 4, 4)),
    (c.SubsamplingLayer(kernelSize=[2, 2], stride=[2, 2], convolutionMode="Truncate"), InputType.convolutional(24, 24, 20),
     InputType.convolutional(12, 12, 20)),
    (c.Deconvolution2D(kernelSize=[2, 2], stride=[2, 2], nOut=4, convolutionMode="Truncate"),
     InputType.convolutional(5, 5, 3), InputType.convolutional(10, 10, 4)),
    (c.GlobalPoolingLayer(), InputType.convolutional(5, 5, 3), InputType.feedForward(3)),
    (c.LSTM(nIn=3, nOut=8), InputType.recurrent(3, 10), InputType.recurrent(8, 10)),
    # DL4J M2.1: Bidirectional(CONCAT) reports recurrent(2*nOut) without the time-series length
    (c.Bidirectional(c.LSTM(nIn=3, nOut=8)), InputType.recurrent(3, 10), InputType.recurrent(16)),
    (c.LastTimeStep(c.LSTM(nIn=3, nOut=8)), InputType.recurrent(3, 10), InputType.feedForward(8)),
    (c.ZeroPaddingLayer(padding=[1, 1, 2, 2]), InputType.convolutional(5, 5, 3), InputType.convolutional(7, 9, 3)),
    (c.Upsampling2D(size=2), InputType.convolutional(5, 5, 3), InputType.convolutional(10, 10, 3)),
    (c.DenseLayer(nIn=4, nOut=3), InputType.feedForward(4), InputType.feedForward(3)),
])
def test_output_types(layer, inp, out):
    assert layer.getOutputType(0, inp) == out and layer.getOutputType(inp) == out


def test_set_input_type_adds_preprocessors():
    conf = (c.NeuralNetConfiguration.Builder().list()
            .layer(c.ConvolutionLayer.Builder(5, 5).nOut(4).build())
            .layer(c.DenseLayer.Builder().nOut(10).build())
            .layer(c.OutputLayer.Builder().nOut(2).build())
            .setInputType(InputType.convolutionalFlat(28, 28, 1)).build())
    assert isinstance(conf.inputPreProcessors[0], c.FeedForwardToCnnPreProcessor)
    assert conf.inputPreProcessors[1] == c.CnnToFeedForwardPreProcessor(24, 24, 4)
    assert [l.nIn for l in conf.layers] == [1, 24 * 24 * 4, 10]
