"""Locally connected layers: LocallyConnected1D and LocallyConnected2D (SameDiff layers in DL4J 1.0.0-M2.1).

A convolution without weight sharing: every output position has its own [featureDim, nOut] weight matrix.
Parameters (``defineParameters``, 'c' order, weights then biases):

==================  ===================================================================================
layer               parameters
==================  ===================================================================================
LocallyConnected1D  W [outputSize, kernel*nIn, nOut]; (hasBias) b [nOut]
LocallyConnected2D  W [outH*outW, kH*kW*nIn, nOut]; (hasBias) b [nOut]
==================  ===================================================================================

The feature axis of W is the patch in 'c' order over (channel, kernel position(s)). DL4J fills ``inputSize``,
``outputSize`` and, in ConvolutionMode.Same, the padding (``padding`` top/left and ``paddingR`` /
``paddingBr`` bottom/right) while it infers the output type (``computeOutputSize``); they are written to the
JSON and read back from it, so a network read from a zip runs with the sizes it was built for. The math (the
patches, one batched matmul, DL4J's order of the 2-D positions) is in ``torch_backend/layers/local.py``.
"""

from __future__ import annotations

import math

from pydl4j_transfer.errors import InvalidConfigurationError

from ..base import BOOL, INT, INT_ARRAY, LONG, EnumCodec, Field
from ..enums import Activation, CNN2DFormat, ConvolutionMode, RNNFormat, WeightInit
from ..inputs import InputType
from ..preprocessors import preprocessor_for_cnn, preprocessor_for_rnn
from .attention import _from_iactivation
from .base import register
from .convolution import cnn_layer_dims
from .samediff import SameDiffLayer, SDLayerParams

CMODE = EnumCodec(ConvolutionMode)
ACTIVATION = EnumCodec(Activation)


def _activation_setter(self, value):
    self.activation = None if value is None else Activation.of(_from_iactivation(value))


def _effective_kernel(k, d):
    """Mirrors Convolution1DUtils/ConvolutionUtils.effectiveKernelSize."""
    return k if d == 1 else k + (k - 1) * (d - 1)


def _out_size(where, in_size, k, s, p, mode, d):
    """Mirrors Convolution1DUtils.getOutputSize / ConvolutionUtils.getOutputSize for one axis (with validateShapes)."""
    ek = _effective_kernel(k, d)
    if mode == ConvolutionMode.Truncate and (ek <= 0 or ek > in_size + 2 * p):
        raise InvalidConfigurationError(
            f"{where}: Invalid input data or configuration: kernel height and input height must satisfy 0 < kernel"
            f" height <= input height + 2 * padding height. Got kernel height = {ek}, input height = {in_size} and"
            f" padding height = {p}")
    if mode == ConvolutionMode.Strict and (in_size - ek + 2 * p) % s != 0:
        raise InvalidConfigurationError(
            f"{where}: Invalid input data or configuration: Combination of kernel size, stride and padding are not"
            f" valid for given input height, using ConvolutionMode.Strict (input {in_size}, kernel {ek}, stride {s},"
            f" padding {p})")
    if mode in (ConvolutionMode.Same, ConvolutionMode.Causal):
        return math.ceil(in_size / s)
    return int((in_size - ek + 2 * p) / s) + 1  # Java int division truncates toward zero


def _same_padding(where, out_size, in_size, k, s, d):
    """Mirrors getSameModeTopLeftPadding / getSameModeBottomRightPadding: (top/left, bottom/right)."""
    total = (out_size - 1) * s + _effective_kernel(k, d) - in_size
    top = int(total / 2)
    if top < 0 or total - top < 0:
        raise InvalidConfigurationError(
            f"{where}: Invalid padding values calculated: {top} - layer configuration is invalid? Input size"
            f" {in_size}, output size {out_size}, kernel {k}, strides {s}, dilation {d}")
    return top, total - top


def _cnn_out(where, in_size, k, s, p, mode, index):
    """One axis of InputTypeUtil.getOutputTypeCnn(1D)Layers (dilation 1, as the locally connected layers pass it)."""
    if mode is None:
        raise InvalidConfigurationError(
            f"Invalid configuration: convolution mode is null for layer (idx={index}, name={where})")
    if s <= 0:
        raise InvalidConfigurationError(f"{where}: Invalid strides: strides must be > 0 (got {s})")
    if k <= 0 or (p > 0 and k > in_size + 2 * p):
        raise InvalidConfigurationError(
            f"{where}: Invalid input configuration for kernel size. Require 0 < k <= inSize + 2*pad; got (k={k},"
            f" inSize={in_size}, pad={p})")
    if mode == ConvolutionMode.Strict and (in_size - k + 2 * p) % s != 0:
        raise InvalidConfigurationError(
            f"{where}: Combination of kernel size, stride and padding are not valid for given input size, using"
            f" ConvolutionMode.Strict (input {in_size}, kernel {k}, stride {s}, padding {p})")
    if mode == ConvolutionMode.Same:
        return math.ceil(in_size / s)
    return int((in_size - k + 2 * p) / s) + 1


class _LocallyConnected(SameDiffLayer):
    """Shared: the activation and convolution mode from the global configuration, the weight init's fans."""

    SETTERS = {"activation": _activation_setter,
               "convolutionMode": lambda self, v: setattr(self, "cm", None if v is None else ConvolutionMode.of(v))}

    def applyGlobalConfigToLayer(self, b):
        """Mirrors applyGlobalConfigToLayer: an unset activation / convolution mode takes the global one."""
        if self.activation is None:
            self.activation = Activation.of(_from_iactivation(b.activationFn))
        if self.cm is None:
            self.cm = b.convolutionMode

    def _scheme(self):
        if self.weightInit is None:
            raise InvalidConfigurationError(f"{self._name()}: weightInit is not set (DL4J: NullPointerException)")
        return WeightInit.of(self.weightInit).getWeightInitFunction()


@register
class LocallyConnected1D(_LocallyConnected):
    """Mirrors org.deeplearning4j.nn.conf.layers.LocallyConnected1D: input [mb, nIn, T] (NCW), output
    [mb, nOut, outputSize]; ``out[:, :, i] = act(x[:, :, i*stride : i*stride+kernel]·W[i] + b)``, the input
    zero-padded by (padding, paddingR) first (dilation counts in the sizes only, as in DL4J)."""

    FIELDS = (Field("activation", ACTIVATION, default=Activation.TANH, missing=None),
              Field("cm", CMODE, default=ConvolutionMode.Same, missing=None),
              Field("dilation", INT, default=1, missing=0),
              Field("featureDim", INT, default=0),
              Field("hasBias", BOOL, default=True, missing=False),
              Field("inputSize", INT, default=0),
              Field("kernel", INT, default=2, missing=0),
              Field("nin", LONG, attr="nIn", default=0),
              Field("nout", LONG, attr="nOut", default=0),
              Field("outputSize", INT, default=0),
              Field("padding", INT, default=0),
              Field("paddingR", INT, default=0),
              Field("stride", INT, default=1, missing=0))
    SETTERS = {"kernelSize": lambda self, v: setattr(self, "kernel", int(v)),
               "setInputSize": lambda self, v: setattr(self, "inputSize", int(v))}

    def _on_build(self):
        """Mirrors Builder#build (validateConvolutionModePadding, validateCnn1DKernelStridePadding) and the
        constructor's ``featureDim = kernel * nIn``."""
        where = self._name()
        if self.cm == ConvolutionMode.Same and self.padding != 0:
            raise InvalidConfigurationError(f"{where}: Padding cannot be used when using the `same' convolution mode")
        for value, strict in ((self.kernel, True), (self.stride, True), (self.padding, False)):
            if value < 0 or (strict and value == 0):  # DL4J words all three the same way
                raise InvalidConfigurationError(
                    f"{where}: Invalid kernel size: value must be positive (> 0). Got: {value}")
        self.featureDim = int(self.kernel) * int(self.nIn)
        super()._on_build()

    def computeOutputSize(self):
        """Mirrors LocallyConnected1D#computeOutputSize: outputSize and (Same mode) the padding from inputSize."""
        where = self._name()
        if self.inputSize == 0:
            raise InvalidConfigurationError(f"{where}: Input size has to be set for Locally connected layers")
        if self.inputSize < 0:
            raise InvalidConfigurationError(
                f"{where}: the input's time series length must be known (InputType.recurrent(size, length)): got"
                f" {self.inputSize} (DL4J: ND4J fails creating its shape-inference array)")
        if self.cm == ConvolutionMode.Same:
            self.outputSize = _out_size(where, self.inputSize, self.kernel, self.stride, 0, self.cm, self.dilation)
            self.padding, self.paddingR = _same_padding(where, self.outputSize, self.inputSize, self.kernel,
                                                        self.stride, self.dilation)
        else:
            self.outputSize = _out_size(where, self.inputSize, self.kernel, self.stride, self.padding, self.cm,
                                        self.dilation)

    def getOutputType(self, *args):
        """Mirrors LocallyConnected1D#getOutputType: RNN input only; sets inputSize, outputSize, padding."""
        inputType = args[-1]
        index = args[0] if len(args) > 1 else -1
        if inputType is None or inputType.type != "RNN":
            raise InvalidConfigurationError(
                f"{self._name()}: Provided input type for locally connected 1D layers has to be of CNN1D/RNN type,"
                f" got: {inputType}")
        self.inputSize = int(inputType.timeSeriesLength)
        self.computeOutputSize()
        out = _cnn_out(self._name(), self.inputSize, self.kernel, self.stride, self.padding, self.cm, index)
        return InputType.recurrent(self.nOut, out)

    def _output_type(self, inputType):
        return self.getOutputType(-1, inputType)

    def setNIn(self, inputType, override=False):
        """Mirrors LocallyConnected1D#setNIn: nIn (when unset) and featureDim (when unset) from the RNN input."""
        if inputType.type != "RNN":
            raise InvalidConfigurationError(
                f"{self._name()}: locally connected 1D layers need a recurrent input type, got {inputType}"
                " (DL4J: ClassCastException)")
        if self.nIn <= 0 or override:
            self.nIn = int(inputType.size)
        if self.featureDim <= 0 or override:
            self.featureDim = int(self.kernel) * int(inputType.size)

    def getPreProcessorForInputType(self, inputType):
        """Mirrors InputTypeUtil.getPreprocessorForInputTypeRnnLayers(inputType, RNNFormat.NCW, layerName)."""
        return preprocessor_for_rnn(inputType, RNNFormat.NCW, self._name())

    def defineParameters(self, params: SDLayerParams):
        if self.featureDim <= 0:
            raise InvalidConfigurationError(
                f"{self._name()}: Cannot initialize layer: Feature dimension is set to {self.featureDim}")
        params.clear()
        params.addWeightParam("W", int(self.outputSize), int(self.featureDim), int(self.nOut))
        if self.hasBias:
            params.addBiasParam("b", int(self.nOut))

    def initWeightsFor(self, key):
        # initializeParameters: fanIn = nIn*kernel, fanOut = nOut*kernel/stride; the bias is zero
        if key == "b":
            return None
        return (self._scheme(), float(self.nIn * self.kernel),
                float(self.nOut * self.kernel) / float(self.stride))


def _pair(name):
    """Builder#setKernel / setStride / setPadding / setDilation: ValidationUtils.validate2NonNegative (2 values)."""
    def setter(self, value):
        v = [int(x) for x in (value if isinstance(value, (list, tuple)) else [value])]
        if any(x < 0 for x in v):
            raise InvalidConfigurationError(f"Invalid {name} values: must be >= 0, got {v}")
        if len(v) != 2:
            raise InvalidConfigurationError(f"Need 2 {name} values, got {len(v)} values: {v}")
        setattr(self, {"kernelSize": "kernel"}.get(name, name), v)
    return setter


def _input_size(self, value):
    """Builder#setInputSize(int...): ValidationUtils.validate2 (2 values)."""
    v = [int(x) for x in (value if isinstance(value, (list, tuple)) else [value])]
    if len(v) != 2:
        raise InvalidConfigurationError(f"Need 2 inputSize values, got {len(v)} values: {v}")
    self.inputSize = v


@register
class LocallyConnected2D(_LocallyConnected):
    """Mirrors org.deeplearning4j.nn.conf.layers.LocallyConnected2D: input [mb, nIn, H, W] (NCHW) or
    [mb, H, W, nIn] (NHWC, ``format``), output [mb, nOut, outH, outW] / [mb, outH, outW, nOut].

    M2.1 gathers the patches x-major (patch (y, x) is row ``x*outH + y`` of the batched matmul, with weight
    ``W[x*outH + y]``) but reads the result back y-major (``reshape(outH, outW, ...)``): for outH != 1 and
    outW != 1 output position (i, j) holds the patch at (y, x) with ``x*outH + y = i*outW + j``. Mirrored
    exactly (DL4J's own tests check shapes and gradients only, which this does not change)."""

    FIELDS = (Field("activation", ACTIVATION, default=Activation.TANH, missing=None),
              Field("cm", CMODE, default=ConvolutionMode.Same, missing=None),
              Field("dilation", INT_ARRAY, default=[1, 1], missing=None),
              Field("featureDim", INT, default=0),
              Field("format", EnumCodec(CNN2DFormat), default=CNN2DFormat.NCHW),
              Field("hasBias", BOOL, default=True, missing=False),
              Field("inputSize", INT_ARRAY),
              Field("kernel", INT_ARRAY, default=[2, 2], missing=None),
              Field("nin", LONG, attr="nIn", default=0),
              Field("nout", LONG, attr="nOut", default=0),
              Field("outputSize", INT_ARRAY),
              Field("padding", INT_ARRAY, default=[0, 0], missing=None),
              Field("paddingBr", INT_ARRAY),
              Field("stride", INT_ARRAY, default=[1, 1], missing=None))
    SETTERS = {"kernelSize": _pair("kernelSize"), "kernel": _pair("kernel"), "stride": _pair("stride"),
               "padding": _pair("padding"), "dilation": _pair("dilation"), "setInputSize": _input_size,
               "dataFormat": lambda self, v: setattr(self, "format", CNN2DFormat.of(v))}

    def _on_build(self):
        """Mirrors Builder#build (ConvolutionUtils.validateConvolutionModePadding, validateCnnKernelStridePadding)
        and the constructor's ``featureDim = kernel[0] * kernel[1] * nIn``."""
        where = self._name()
        if self.cm == ConvolutionMode.Same and any(int(p) != 0 for p in self.padding):
            raise InvalidConfigurationError(f"{where}: Padding cannot be used when using the `same' convolution mode")
        if any(k <= 0 for k in self.kernel):
            raise InvalidConfigurationError(
                f"{where}: Invalid kernel size: values must be positive (> 0) for all dimensions. Got: {self.kernel}")
        if any(s <= 0 for s in self.stride):
            raise InvalidConfigurationError(
                f"{where}: Invalid stride configuration: values must be positive (> 0) for all dimensions. Got:"
                f" {self.stride}")
        self.featureDim = int(self.kernel[0]) * int(self.kernel[1]) * int(self.nIn)
        super()._on_build()

    def computeOutputSize(self):
        """Mirrors LocallyConnected2D#computeOutputSize: outputSize and (Same mode) paddings from inputSize."""
        where = self._name()
        if self.inputSize is None:
            raise InvalidConfigurationError(f"{where}: Input size has to be specified for locally connected layers.")
        if any(int(v) <= 0 for v in self.inputSize):
            raise InvalidConfigurationError(f"{where}: the input's height and width must be known, got {self.inputSize}")
        out, top, br = [], [], []
        for a in range(2):
            args = (self.inputSize[a], self.kernel[a], self.stride[a])
            if self.cm == ConvolutionMode.Same:
                o = _out_size(where, *args, 0, self.cm, self.dilation[a])
                t, b = _same_padding(where, o, self.inputSize[a], self.kernel[a], self.stride[a], self.dilation[a])
                top.append(t)
                br.append(b)
            else:
                o = _out_size(where, *args, self.padding[a], self.cm, self.dilation[a])
            out.append(o)
        self.outputSize = out
        if self.cm == ConvolutionMode.Same:
            self.padding, self.paddingBr = top, br

    def getOutputType(self, *args):
        """Mirrors LocallyConnected2D#getOutputType: CNN input only; sets inputSize, outputSize and the paddings."""
        inputType = args[-1]
        index = args[0] if len(args) > 1 else -1
        if inputType is None or inputType.type != "CNN":
            raise InvalidConfigurationError(
                f"{self._name()}: Provided input type for locally connected 2D layers has to be of CNN type, got:"
                f" {inputType}")
        self.inputSize = [int(inputType.height), int(inputType.width)]
        self.computeOutputSize()
        fmt = self.format or CNN2DFormat.NCHW
        in_h, in_w, depth = cnn_layer_dims(inputType, fmt, self.nOut)
        h = _cnn_out(self._name(), in_h, self.kernel[0], self.stride[0], self.padding[0], self.cm, index)
        w = _cnn_out(self._name(), in_w, self.kernel[1], self.stride[1], self.padding[1], self.cm, index)
        return InputType.convolutional(h, w, depth, fmt)

    def _output_type(self, inputType):
        return self.getOutputType(-1, inputType)

    def setNIn(self, inputType, override=False):
        """Mirrors LocallyConnected2D#setNIn: nIn and featureDim (when nIn is unset); the format, always."""
        if inputType.type != "CNN":
            raise InvalidConfigurationError(
                f"{self._name()}: locally connected 2D layers need a convolutional input type, got {inputType}"
                " (DL4J: ClassCastException)")
        if self.nIn <= 0 or override:
            self.nIn = int(inputType.channels)
            self.featureDim = int(self.kernel[0]) * int(self.kernel[1]) * int(self.nIn)
        self.format = inputType.format

    def getPreProcessorForInputType(self, inputType):
        """Mirrors InputTypeUtil.getPreProcessorForInputTypeCnnLayers."""
        return preprocessor_for_cnn(inputType, self._name())

    def defineParameters(self, params: SDLayerParams):
        params.clear()
        out = self.outputSize or [0, 0]
        params.addWeightParam("W", int(out[0]) * int(out[1]), int(self.featureDim), int(self.nOut))
        if self.hasBias:
            params.addBiasParam("b", int(self.nOut))

    def initWeightsFor(self, key):
        # initializeParameters: fanIn = nIn*kH*kW, fanOut = nOut*kH*kW/(sH*sW); the bias is zero
        if key == "b":
            return None
        k = float(self.kernel[0] * self.kernel[1])
        return (self._scheme(), float(self.nIn) * k,
                float(self.nOut) * k / (float(self.stride[0]) * float(self.stride[1])))
