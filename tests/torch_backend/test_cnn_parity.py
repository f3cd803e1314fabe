"""Convolution-family layers against real DL4J: seeded params, same configuration, same input."""

from __future__ import annotations

import pytest
import numpy as np
from .parity import check_parity, conf_from_json, dl4j_net, rand, seeded_params

from pydl4j_transfer.torch_backend import build_module

from pydl4j_transfer.conf import (BatchNormalization, CnnLossLayer, Convolution1DLayer, Convolution3D, ConvolutionLayer,
                                  Cropping2D, Deconvolution2D, DenseLayer, DepthwiseConvolution2D, GlobalPoolingLayer,
                                  InputType, LocalResponseNormalization, NeuralNetConfiguration, OutputLayer,
                                  RnnOutputLayer, SeparableConvolution2D, SpaceToBatchLayer, SpaceToDepthLayer,
                                  Subsampling1DLayer, SubsamplingLayer, Upsampling2D, Yolo2OutputLayer, ZeroPaddingLayer)

pytestmark = pytest.mark.dl4j


def mln(*layers, input_type, seed=1, **glob):
    b = NeuralNetConfiguration.Builder().seed(seed)
    for k, v in glob.items():
        getattr(b, k)(v)
    lb = b.list()
    for layer in layers:
        lb.layer(layer)
    return lb.setInputType(input_type).build()


def out(n_out=3, act="softmax"):
    return OutputLayer(nOut=n_out, activation=act, lossFunction="mcxent")


CONV_MODES = [
    ("truncate_pad", dict(kernelSize=[3, 3], stride=[1, 1], padding=[1, 1], convolutionMode="Truncate")),
    ("truncate_stride", dict(kernelSize=[3, 2], stride=[2, 2], padding=[0, 1], convolutionMode="Truncate")),
    ("same_s1", dict(kernelSize=[3, 3], stride=[1, 1], convolutionMode="Same")),
    ("same_s2_even", dict(kernelSize=[2, 4], stride=[2, 2], convolutionMode="Same")),
    ("same_dilated", dict(kernelSize=[3, 3], stride=[1, 2], dilation=[2, 2], convolutionMode="Same")),
    ("strict", dict(kernelSize=[3, 3], stride=[2, 2], padding=[0, 0], convolutionMode="Strict")),
    ("truncate_dilated", dict(kernelSize=[2, 3], stride=[1, 1], dilation=[2, 1], convolutionMode="Truncate")),
    ("nobias", dict(kernelSize=[3, 3], convolutionMode="Same", hasBias=False)),
]


@pytest.mark.parametrize("name,kw", CONV_MODES, ids=[c[0] for c in CONV_MODES])
def test_conv2d_modes(name, kw):
    conf = mln(ConvolutionLayer(nOut=4, activation="relu", **kw), out(), input_type=InputType.convolutional(7, 9, 2))
    check_parity(conf, rand(3, 2, 7, 9))


POOLS = [(t, m, inc, kw) for t in ("MAX", "AVG", "PNORM") for (m, inc, kw) in [
    ("Truncate", False, dict(kernelSize=[2, 2], stride=[2, 2])),
    ("Truncate", True, dict(kernelSize=[3, 3], stride=[2, 1], padding=[1, 1])),
    ("Truncate", False, dict(kernelSize=[3, 3], stride=[2, 1], padding=[1, 1])),
    ("Same", False, dict(kernelSize=[3, 2], stride=[2, 2])),
    ("Same", True, dict(kernelSize=[3, 3], stride=[2, 2])),
    ("Same", False, dict(kernelSize=[2, 2], stride=[1, 1], dilation=[2, 2])),
]]


@pytest.mark.parametrize("ptype,mode,include,kw", POOLS, ids=[f"{p[0]}-{p[1]}-{p[2]}-{i}" for i, p in enumerate(POOLS)])
def test_subsampling(ptype, mode, include, kw):
    sub = SubsamplingLayer(poolingType=ptype, convolutionMode=mode, avgPoolIncludePadInDivisor=include, pnorm=2, **kw)
    conf = mln(sub, out(), input_type=InputType.convolutional(7, 8, 2))
    check_parity(conf, rand(3, 2, 7, 8))


@pytest.mark.parametrize("mode,k,s", [("Truncate", 3, 2), ("Same", 3, 2), ("Same", 2, 2), ("Same", 4, 3), ("Truncate", 2, 1)])
def test_deconvolution2d(mode, k, s):
    conf = mln(Deconvolution2D(nOut=3, kernelSize=[k, k], stride=[s, s], convolutionMode=mode, activation="tanh",
                               padding=[0, 0] if mode == "Same" else [1, 0]),
               out(), input_type=InputType.convolutional(4, 5, 2))
    check_parity(conf, rand(2, 2, 4, 5))


@pytest.mark.parametrize("mode", ["Same", "Truncate"])
def test_depthwise_and_separable(mode):
    conf = mln(DepthwiseConvolution2D(depthMultiplier=2, kernelSize=[3, 3], stride=[1, 2], convolutionMode=mode,
                                      activation="relu"),
               SeparableConvolution2D(nOut=5, depthMultiplier=3, kernelSize=[2, 3], convolutionMode=mode, activation="tanh"),
               out(), input_type=InputType.convolutional(8, 9, 3))
    check_parity(conf, rand(2, 3, 8, 9))


def test_nhwc_conv_pool_bn():
    conf = mln(ConvolutionLayer(nOut=4, kernelSize=[3, 3], convolutionMode="Same", activation="relu"),
               BatchNormalization(),
               SubsamplingLayer(poolingType="MAX", kernelSize=[2, 2], stride=[2, 2]),
               LocalResponseNormalization(),
               Upsampling2D(size=2), ZeroPaddingLayer(padding=[1, 0, 2, 1]), Cropping2D(cropping=[0, 1, 1, 2]),
               out(), input_type=InputType.convolutional(6, 6, 2, "NHWC"))
    check_parity(conf, rand(3, 6, 6, 2))


def test_shape_layers_nchw_and_cnn_loss():
    conf = mln(ZeroPaddingLayer(padding=[1, 2, 0, 1]), Cropping2D(cropping=[1, 0, 0, 1]), Upsampling2D(size=[2, 3]),
               ZeroPaddingLayer(padding=[0, 1, 1, 0]),
               ConvolutionLayer(nOut=4, kernelSize=[2, 2], stride=[1, 1], activation="identity"),
               SpaceToDepthLayer(blockSize=2), LocalResponseNormalization(n=3, k=1.5, alpha=0.3, beta=0.6),
               ConvolutionLayer(nOut=3, kernelSize=[1, 1], activation="identity"),
               CnnLossLayer(activation="softmax", lossFunction="mcxent"),
               input_type=InputType.convolutional(5, 4, 2))
    check_parity(conf, rand(2, 2, 5, 4))


def test_space_to_batch():
    conf = mln(SpaceToBatchLayer(blocks=[2, 2], padding=[[0, 1], [1, 1]]),
               ConvolutionLayer(nOut=2, kernelSize=[1, 1], activation="identity"),
               CnnLossLayer(activation="identity", lossFunction="mse"), input_type=InputType.convolutional(5, 4, 2))
    check_parity(conf, rand(2, 2, 5, 4))


def test_global_pooling_cnn():
    for ptype in ("MAX", "AVG", "SUM", "PNORM"):
        conf = mln(ConvolutionLayer(nOut=3, kernelSize=[2, 2], activation="tanh"), GlobalPoolingLayer(poolingType=ptype, pnorm=3),
                   out(), input_type=InputType.convolutional(5, 4, 2))
        check_parity(conf, rand(2, 2, 5, 4))


def test_batchnorm_variants_inference_and_training():
    for kw in (dict(), dict(lockGammaBeta=True, gamma=1.5, beta=-0.5), dict(useLogStd=False), dict(eps=1e-3)):
        conf = mln(ConvolutionLayer(nOut=3, kernelSize=[2, 2], activation="identity"), BatchNormalization(**kw),
                   DenseLayer(nOut=4, activation="identity"), BatchNormalization(**kw), out(),
                   input_type=InputType.convolutional(5, 4, 2))
        check_parity(conf, rand(4, 2, 5, 4, scale=2.0))
        check_parity(conf, rand(4, 2, 5, 4, scale=2.0), train=True)  # batch statistics (training mode)


@pytest.mark.parametrize("mode,fmt", [("Truncate", "NCW"), ("Same", "NCW"), ("Causal", "NCW"), ("Same", "NWC"), ("Causal", "NWC")])
def test_conv1d(mode, fmt):
    conf = mln(Convolution1DLayer(nOut=4, kernelSize=3, stride=1, dilation=2 if mode == "Causal" else 1, convolutionMode=mode,
                                  activation="relu", rnnDataFormat=fmt),
               *([Subsampling1DLayer(poolingType="MAX", kernelSize=2, stride=1, convolutionMode="Same")] if fmt == "NCW" else []),
               RnnOutputLayer(nOut=3, activation="softmax", lossFunction="mcxent", rnnDataFormat=fmt),
               input_type=InputType.recurrent(2, 10, fmt))
    x = rand(3, 2, 10) if fmt == "NCW" else rand(3, 10, 2)
    if fmt == "NCW":
        check_parity(conf, x)
        return
    # DL4J M2.1 bugs with NWC Convolution1D: an RnnOutputLayer(NWC) after it returns garbage (a repeated slice of
    # its input buffer), and when the Convolution1D(NWC) activation itself is returned to the caller DL4J hands
    # back its NCW buffer reshaped (not permuted) to [mb, T, nOut]; inside the network the next layer gets the
    # correct array. So: two NWC conv layers, and DL4J's returned array un-reshaped before comparing.
    conf = mln(Convolution1DLayer(nOut=4, kernelSize=3, dilation=2 if mode == "Causal" else 1, convolutionMode=mode,
                                  activation="relu", rnnDataFormat=fmt),
               Convolution1DLayer(nOut=3, kernelSize=2, convolutionMode=mode, activation="tanh", rnnDataFormat=fmt),
               input_type=InputType.recurrent(2, 10, fmt))
    params = seeded_params(conf)
    model, json_back = dl4j_net(conf, params)
    got = build_module(conf_from_json(json_back), params)(x).detach().numpy()
    dl4j = model.output(x)
    fixed = dl4j.reshape(dl4j.shape[0], dl4j.shape[2], dl4j.shape[1]).transpose(0, 2, 1)
    np.testing.assert_allclose(got, fixed, atol=1e-5, rtol=0)


def test_conv3d():
    conf = mln(Convolution3D(nOut=3, kernelSize=[2, 2, 2], stride=[1, 1, 1], convolutionMode="Same", activation="relu"),
               Convolution3D(nOut=2, kernelSize=[2, 3, 2], stride=[1, 2, 1], convolutionMode="Truncate", activation="tanh"),
               out(), input_type=InputType.convolutional3D("NCDHW", 4, 5, 4, 2))
    check_parity(conf, rand(2, 2, 4, 5, 4))


def test_yolo2():
    import numpy as np

    priors = np.array([[1.0, 1.5], [2.0, 0.5]], dtype=np.float64)
    conf = mln(ConvolutionLayer(nOut=2 * (5 + 3), kernelSize=[1, 1], activation="identity"),
               Yolo2OutputLayer(boundingBoxPriors=priors), input_type=InputType.convolutional(3, 4, 2))
    check_parity(conf, rand(2, 2, 3, 4))


def test_subsampling_sum_is_refused_like_dl4j():
    from pydl4j_transfer.errors import UnsupportedLayerError
    from pydl4j_transfer.torch_backend import build_module

    conf = mln(SubsamplingLayer(poolingType="SUM", kernelSize=[2, 2], stride=[2, 2], name="pool"), out(),
               input_type=InputType.convolutional(4, 4, 1))
    with pytest.raises(UnsupportedLayerError, match="SUM.*pool|pool.*SUM"):
        build_module(conf)
