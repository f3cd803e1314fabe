"""Convolution layers: ConvolutionLayer/Convolution2D, Convolution1DLayer/Convolution1D,
Deconvolution2D, Convolution3D, Deconvolution3D, DepthwiseConvolution2D, SeparableConvolution2D.

Convention flips: conv params store the BIAS FIRST in the flat vector (``b`` then ``W``,
kernels in 'c' order) while the param table / ``variables`` list ``W`` first. Deconvolution2D's
W is [nIn, nOut, kH, kW] (nIn first).
"""

from __future__ import annotations

import math

from pydl4j_transfer.errors import InvalidConfigurationError

from ..base import BOOL, INT, INT_ARRAY, EnumCodec, Field
from ..enums import AlgoMode, BwdDataAlgo, BwdFilterAlgo, CNN2DFormat, ConvolutionMode, Convolution3DDataFormat, FwdAlgo, RNNFormat
from ..inputs import InputType
from ..preprocessors import preprocessor_for_cnn, preprocessor_for_rnn
from .base import FeedForwardLayer, ParamSpec, register

CMODE = EnumCodec(ConvolutionMode)


def conv_out_size(size, k, s, p, d, mode, deconv=False):
    """Mirrors ConvolutionUtils.getOutputSize / getDeconvolutionOutputSize for one dimension."""
    mode = mode or ConvolutionMode.Truncate
    eff_k = k + (k - 1) * (d - 1)
    if deconv:
        return size * s if mode == ConvolutionMode.Same else s * (size - 1) + eff_k - 2 * p
    if mode in (ConvolutionMode.Same, ConvolutionMode.Causal):
        return math.ceil(size / s)
    if size <= 0:  # unknown size (0 or an earlier negative result): DL4J computes on, with Java's division
        n = size - eff_k + 2 * p
        return (abs(n) // s) * (1 if n >= 0 else -1) + 1
    out = (size - eff_k + 2 * p) / s + 1
    if mode == ConvolutionMode.Strict and not float(out).is_integer():
        raise InvalidConfigurationError(f"ConvolutionMode.Strict: input {size}, kernel {k}, stride {s}, padding {p}"
                                        " do not divide exactly; use ConvolutionMode.Truncate or Same")
    return int(out)


def cnn_layer_dims(inputType, fmt, out_depth):
    """(inH, inW, outputDepth) as M2.1's InputTypeUtil.getOutputTypeCnnLayers reads them: when the layer's
    format (NCHW/NHWC) differs from the input's, DL4J takes inWidth from the channels and outputDepth
    from the width (checked against the M2.1 jar: conv NHWC on InputTypeConvolutional(7,11,13,NCHW)
    gives (h=7,w=13,c=11,NHWC))."""
    if fmt in (CNN2DFormat.NCHW, CNN2DFormat.NHWC) and inputType.format != fmt:
        return inputType.height, inputType.channels, inputType.width
    return inputType.height, inputType.width, out_depth


def cnn3d_out_format(layer):
    """The 3-D output format: the layer's dataFormat.

    Deviation: M2.1's InputTypeUtil.getOutputTypeCnn3DLayers reports NDHWC outside ConvolutionMode.Same
    (InputType.convolutional3D(d, h, w, c)'s default), whatever the layer computes; a network built on that
    inference (e.g. Convolution3D(Truncate) -> Cnn3DToFeedForward) then fails at run time in DL4J itself
    (tests/torch_backend/test_cnn_parity.py::test_conv3d). We keep the layer's real format; only the summary
    text of such a layer differs (tests/cli/test_summary_live.py KNOWN_SHAPE_DIFFS, docs/deviations.md)."""
    return layer.dataFormat


def kernel_builder_args(attrs=("kernelSize", "stride", "padding")):
    """``Builder(3, 3)`` (varargs kernel) or ``Builder([3, 3], [1, 1], [0, 0])`` (kernel, stride, padding)."""
    def builder_args(cls, obj, args):
        if not args:
            return
        if all(isinstance(a, int) for a in args):
            obj._set(attrs[0], tuple(args) if len(args) > 1 else args[0])
        else:
            for name, value in zip(attrs, args):
                obj._set(name, value)
    return classmethod(builder_args)


class ConvolutionLayer(FeedForwardLayer):
    """Mirrors org.deeplearning4j.nn.conf.layers.ConvolutionLayer: b [nOut] then W [nOut, nIn, kH, kW] 'c'."""

    FIELDS = (Field("cnn2dDataFormat", EnumCodec(CNN2DFormat), default=CNN2DFormat.NCHW),
              Field("convolutionMode", CMODE, default=None, missing=ConvolutionMode.Truncate),
              Field("cudnnAlgoMode", EnumCodec(AlgoMode), default=None, missing=AlgoMode.PREFER_FASTEST),
              Field("cudnnAllowFallback", BOOL, default=True),
              Field("cudnnBwdDataAlgo", EnumCodec(BwdDataAlgo)), Field("cudnnBwdFilterAlgo", EnumCodec(BwdFilterAlgo)),
              Field("cudnnFwdAlgo", EnumCodec(FwdAlgo)),
              Field("dilation", INT_ARRAY, default=[1, 1]), Field("hasBias", BOOL, default=True),
              Field("kernelSize", INT_ARRAY, default=[5, 5], missing=None),
              Field("padding", INT_ARRAY, default=[0, 0], missing=None),
              Field("stride", INT_ARRAY, default=[1, 1], missing=None))
    SETTERS = {"dataFormat": lambda self, v: setattr(self, "cnn2dDataFormat", CNN2DFormat.of(v))}
    _builder_args = kernel_builder_args()
    DIMS = 2

    def _kernel_shape(self):
        return tuple(self.kernelSize[: self.DIMS])

    def paramSpecs(self):
        specs = [ParamSpec("b", (self.nOut,), "c")] if self.hasBias else []
        return specs + [ParamSpec("W", (self.nOut, self.nIn) + self._kernel_shape(), "c")]

    def paramKeys(self):
        return ["W", "b"] if self.hasBias else ["W"]

    def _out_hw(self, inputType, deconv=False, in_hw=None):
        in_h, in_w = in_hw or (inputType.height, inputType.width)
        h = conv_out_size(in_h, self.kernelSize[0], self.stride[0], self.padding[0], self.dilation[0],
                          self.convolutionMode, deconv)
        w = conv_out_size(in_w, self.kernelSize[1], self.stride[1], self.padding[1], self.dilation[1],
                          self.convolutionMode, deconv)
        return h, w

    def _output_type(self, inputType):
        if inputType.type != "CNN":
            raise InvalidConfigurationError(f"{self._name()}: convolution needs CNN input, got {inputType}")
        in_h, in_w, depth = cnn_layer_dims(inputType, self.cnn2dDataFormat, self.nOut)
        h, w = self._out_hw(inputType, in_hw=(in_h, in_w))
        return InputType.convolutional(h, w, depth, self.cnn2dDataFormat or CNN2DFormat.NCHW)

    #: M2.1's ConvolutionLayer#defaultValueOverriden (not in the JSON): DL4J's Keras import sets it, and then
    #: setNIn keeps the layer's own data format unless nIn is still unset
    defaultValueOverriden = False

    def setNIn(self, inputType, override=False):
        if inputType.type != "CNN":
            raise InvalidConfigurationError(f"{self._name()}: convolution needs CNN input, got {inputType}")
        if self.defaultValueOverriden:
            if self.nIn <= 0 or override:
                self.nIn = inputType.channels
                self.cnn2dDataFormat = inputType.format
            elif self.cnn2dDataFormat is None:
                self.cnn2dDataFormat = inputType.format
            return
        if self.nIn <= 0 or override:
            self.nIn = inputType.channels
        self.cnn2dDataFormat = inputType.format

    def getPreProcessorForInputType(self, inputType):
        return preprocessor_for_cnn(inputType, self._name())


@register
class Convolution2D(ConvolutionLayer):
    """Mirrors org.deeplearning4j.nn.conf.layers.Convolution2D (same as ConvolutionLayer).

    Java's ``Convolution2D.Builder`` is ConvolutionLayer's (it builds a ConvolutionLayer); so is ours.
    """

    RUNTIME_NAME = "ConvolutionLayer"

    @classmethod
    def Builder(cls, *args, **kwargs):
        return ConvolutionLayer.Builder(*args, **kwargs)


register(ConvolutionLayer)


class Convolution1DLayer(ConvolutionLayer):
    """Mirrors org.deeplearning4j.nn.conf.layers.Convolution1DLayer: b [nOut], W [nOut, nIn, k, 1] 'c'.

    M2.1 builders store the 1-D sizes duplicated (``kernelSize: [3, 3]``); only element 0 is used.
    """

    FIELDS = (Field("rnnDataFormat", EnumCodec(RNNFormat), default=RNNFormat.NCW),)
    DEFAULTS = {"kernelSize": None}

    def _set_1d(attr):
        def setter(self, value):
            v = list(value) if isinstance(value, (list, tuple)) else [int(value)]
            setattr(self, attr, [int(v[0]), int(v[0])] if len(v) == 1 else [int(x) for x in v])
        return setter

    SETTERS = {"kernelSize": _set_1d("kernelSize"), "stride": _set_1d("stride"), "padding": _set_1d("padding"),
               "dilation": _set_1d("dilation")}

    def _kernel_shape(self):
        return (self.kernelSize[0], 1)

    def _output_type(self, inputType):
        if inputType.type != "RNN":
            raise InvalidConfigurationError(f"{self._name()}: Convolution1D needs RNN input, got {inputType}")
        t = inputType.timeSeriesLength
        out = conv_out_size(t, self.kernelSize[0], self.stride[0], self.padding[0], self.dilation[0],
                            self.convolutionMode) if t > 0 else t
        return InputType.recurrent(self.nOut, out, self.rnnDataFormat or RNNFormat.NCW)

    def setNIn(self, inputType, override=False):
        """Mirrors Convolution1DLayer#setNIn (M2.1): the formats are taken from the input only when unset or on
        override (a builder always sets them, so this matters for overrideNinUponBuild(false), e.g. Keras import)."""
        if inputType.type == "RNN":
            if self.nIn <= 0 or override:
                self.nIn = inputType.size
            if self.rnnDataFormat is None or override:
                self.rnnDataFormat = inputType.format
        elif inputType.type == "FF":
            if self.nIn <= 0 or override:
                self.nIn = inputType.size
            fmt = inputType.timeDistributedFormat
            if self.rnnDataFormat is None or override:
                name = getattr(fmt, "name", fmt)
                if name in ("NCHW", "NHWC"):
                    self.rnnDataFormat = RNNFormat.NCW if name == "NCHW" else RNNFormat.NWC
                    self.cnn2dDataFormat = CNN2DFormat.of(name)
                elif name in ("NCW", "NWC"):
                    self.rnnDataFormat = RNNFormat.of(name)
        else:
            raise InvalidConfigurationError(f"{self._name()}: Convolution1D needs RNN input, got {inputType}")
        if self.cnn2dDataFormat is None or override:
            self.cnn2dDataFormat = CNN2DFormat.NCHW if self.rnnDataFormat == RNNFormat.NCW else CNN2DFormat.NHWC

    def getPreProcessorForInputType(self, inputType):
        return preprocessor_for_rnn(inputType, self.rnnDataFormat or RNNFormat.NCW, self._name())


register(Convolution1DLayer)


@register
class Convolution1D(Convolution1DLayer):
    """Mirrors org.deeplearning4j.nn.conf.layers.Convolution1D."""

    RUNTIME_NAME = "Convolution1DLayer"


@register
class Deconvolution2D(ConvolutionLayer):
    """Mirrors org.deeplearning4j.nn.conf.layers.Deconvolution2D: b [nOut], W [nIn, nOut, kH, kW] 'c'."""

    RUNTIME_NAME = "Deconvolution2DLayer"

    def paramSpecs(self):
        specs = [ParamSpec("b", (self.nOut,), "c")] if self.hasBias else []
        return specs + [ParamSpec("W", (self.nIn, self.nOut) + self._kernel_shape(), "c")]

    def _output_type(self, inputType):
        h, w = self._out_hw(inputType, deconv=True)
        return InputType.convolutional(h, w, self.nOut, self.cnn2dDataFormat or CNN2DFormat.NCHW)


@register
class DepthwiseConvolution2D(ConvolutionLayer):
    """Mirrors org.deeplearning4j.nn.conf.layers.DepthwiseConvolution2D: b [nOut], W [kH, kW, nIn, dm] 'c'; nOut = nIn*dm."""

    RUNTIME_NAME = "DepthwiseConvolution2DLayer"

    FIELDS = (Field("depthMultiplier", INT, default=1, missing=0),)

    def paramSpecs(self):
        specs = [ParamSpec("b", (self.nOut,), "c")] if self.hasBias else []
        return specs + [ParamSpec("W", self._kernel_shape() + (self.nIn, self.depthMultiplier), "c")]

    def setNIn(self, inputType, override=False):
        super().setNIn(inputType, override)
        self.nOut = self.nIn * self.depthMultiplier

    def paramTableKeys(self):
        return self.paramKeys()  # DepthwiseConvolutionParamInitializer's map: W, b (the flat vector: b first)


@register
class SeparableConvolution2D(ConvolutionLayer):
    """Mirrors org.deeplearning4j.nn.conf.layers.SeparableConvolution2D:
    b [nOut], W [dm, nIn, kH, kW] 'c' (depthwise), pW [nOut, nIn*dm, 1, 1] 'c' (pointwise)."""

    RUNTIME_NAME = "SeparableConvolution2DLayer"

    FIELDS = (Field("depthMultiplier", INT, default=1, missing=0),)
    DEFAULTS = {"cnn2dDataFormat": None}

    def paramSpecs(self):
        specs = [ParamSpec("b", (self.nOut,), "c")] if self.hasBias else []
        return specs + [ParamSpec("W", (self.depthMultiplier, self.nIn) + self._kernel_shape(), "c"),
                        ParamSpec("pW", (self.nOut, self.nIn * self.depthMultiplier, 1, 1), "c")]

    def paramKeys(self):
        return ["W", "pW", "b"] if self.hasBias else ["W", "pW"]

    def paramTableKeys(self):
        return self.paramKeys()  # SeparableConvolutionParamInitializer's map: W, pW, b (the flat vector: b first)


@register
class Convolution3D(ConvolutionLayer):
    """Mirrors org.deeplearning4j.nn.conf.layers.Convolution3D: b [nOut], W [nOut, nIn, kD, kH, kW] 'c'."""

    RUNTIME_NAME = "Convolution3DLayer"

    FIELDS = (Field("dataFormat", EnumCodec(Convolution3DDataFormat), default=Convolution3DDataFormat.NCDHW),
              Field("mode", CMODE, default=ConvolutionMode.Same))
    DEFAULTS = {"kernelSize": [2, 2, 2], "stride": [1, 1, 1], "padding": [0, 0, 0], "dilation": [1, 1, 1]}
    SETTERS = {"dataFormat": lambda self, v: setattr(self, "dataFormat", Convolution3DDataFormat.of(v)),
               "convolutionMode": lambda self, v: (setattr(self, "convolutionMode", ConvolutionMode.of(v)),
                                                   setattr(self, "mode", ConvolutionMode.of(v)))}
    DIMS = 3

    def _output_type(self, inputType):
        if inputType.type != "CNN3D":
            raise InvalidConfigurationError(f"{self._name()}: Convolution3D needs CNN3D input, got {inputType}")
        dims = [conv_out_size(s, self.kernelSize[i], self.stride[i], self.padding[i], self.dilation[i],
                              self.convolutionMode) for i, s in enumerate((inputType.depth, inputType.height, inputType.width))]
        return InputType.convolutional3D(cnn3d_out_format(self), *dims, self.nOut)

    def setNIn(self, inputType, override=False):
        if inputType.type != "CNN3D":
            raise InvalidConfigurationError(f"{self._name()}: Convolution3D needs CNN3D input, got {inputType}")
        if self.nIn <= 0 or override:
            self.nIn = inputType.channels

    def getPreProcessorForInputType(self, inputType):
        return None


@register
class Deconvolution3D(Convolution3D):
    """Mirrors org.deeplearning4j.nn.conf.layers.Deconvolution3D: b [nOut], W [kD, kH, kW, nOut, nIn] 'c'."""

    RUNTIME_NAME = "Deconvolution3DLayer"

    FIELDS = (Field("mode", CMODE, default=None),)

    def _to_tree(self):
        tree = super()._to_tree()
        tree.pop("mode", None)  # Deconvolution3D has no 'mode' property
        return tree

    def paramSpecs(self):
        specs = [ParamSpec("b", (self.nOut,), "c")] if self.hasBias else []
        return specs + [ParamSpec("W", self._kernel_shape() + (self.nOut, self.nIn), "c")]
