"""Capsule networks (Sabour et al., "Dynamic Routing Between Capsules"): PrimaryCapsules, CapsuleLayer,
CapsuleStrengthLayer. DL4J 1.0.0-M2.1 defines all three with SameDiff; the math is in
``torch_backend/layers/capsule.py``.

A capsule activation is a rank 3 array [mb, capsules, capsuleDimensions], which DL4J's InputType calls
``recurrent(capsules, capsuleDimensions)`` (size = capsules, "time steps" = dimensions). Parameters
(``defineParameters``, 'c' order, weights then biases):

================  =============================================================================================
layer             parameters
================  =============================================================================================
PrimaryCapsules   weight [kH, kW, inputChannels, capsuleDimensions*channels] (conv2d YXIO); (hasBias) bias [.]
CapsuleLayer      weight [1, inputCapsules, capsules*capsuleDimensions, inputCapsuleDimensions, 1];
                  (hasBias) bias [1, 1, capsules, capsuleDimensions, 1]
CapsuleStrength   none (a SameDiffLambdaLayer: the L2 norm of each capsule)
================  =============================================================================================

Input types: PrimaryCapsules CNN -> recurrent(capsules, capsuleDimensions); CapsuleLayer recurrent -> recurrent(capsules,
capsuleDimensions); CapsuleStrengthLayer recurrent -> feedForward(capsules). None of them is a FeedForwardLayer in DL4J.
"""

from __future__ import annotations

from pydl4j_transfer.errors import InvalidConfigurationError

from ..base import BOOL, DOUBLE, INT, INT_ARRAY, LONG, EnumCodec, Field
from ..enums import CNN2DFormat, ConvolutionMode, WeightInit
from ..inputs import InputType
from .base import register
from .convolution import cnn_layer_dims, conv_out_size
from .samediff import AbstractSameDiffLayer, SameDiffLambdaLayer, SameDiffLayer, SDLayerParams

CMODE = EnumCodec(ConvolutionMode)


def _java_name(layer):
    return "null" if layer.layerName is None else layer.layerName


def _two_non_negative(name, allow_single=True):
    """Mirrors ValidationUtils.validate2NonNegative(values, allowSz1, name): [a] -> [a, a]; values >= 0."""
    def setter(self, value):
        values = [int(v) for v in (value if isinstance(value, (list, tuple)) else (value,))]
        if any(v < 0 for v in values):
            raise InvalidConfigurationError(f"Values for {name} must be >= 0, got: {values}")
        if len(values) not in ((1, 2) if allow_single else (2,)):
            need = "either 1 or 2" if allow_single else "2"
            raise InvalidConfigurationError(f"Need {need} {name} values, got {len(values)} values: {values}")
        return values * 2 if len(values) == 1 else values
    return setter


def _set_two(attr):
    check = _two_non_negative(attr)
    return lambda self, value: setattr(self, attr, check(self, value))


def _input_shape(self, value):
    a, b = _two_non_negative("inputShape", allow_single=False)(self, value)
    self.inputCapsules, self.inputCapsuleDimensions = a, b


class _NoArgConstructor:
    """``Cls()`` without arguments is Java's public no-arg constructor (the JSON's missing-key values, no checks);
    with arguments it is the builder (``Cls.Builder(...)...build()``)."""

    def __init__(self, *args, **kwargs):
        if not args and not kwargs:
            fresh = type(self)._from_tree({})
            self.__dict__.update(fresh.__dict__)
            return
        super().__init__(*args, **kwargs)


@register
class PrimaryCapsules(_NoArgConstructor, SameDiffLayer):
    """Mirrors org.deeplearning4j.nn.conf.layers.PrimaryCapsules: a 2-D convolution with ``capsuleDimensions *
    channels`` output channels (optionally ReLU / LeakyReLU), reshaped to [mb, capsules, capsuleDimensions] and
    squashed. ``Builder(capsuleDimensions, channels[, kernelSize, stride, padding, dilation, convolutionMode])``;
    ``capsules`` is inferred from the input type (``setNIn``)."""

    FIELDS = (Field("capsuleDimensions", INT, default=0),
              Field("capsules", INT, default=0),
              Field("channels", INT, default=32, missing=0),
              Field("convolutionMode", CMODE, default=ConvolutionMode.Truncate, missing=ConvolutionMode.Truncate),
              Field("dilation", INT_ARRAY, default=[1, 1], missing=None),
              Field("hasBias", BOOL, default=True, missing=False),
              Field("inputChannels", INT, default=0),
              Field("kernelSize", INT_ARRAY, default=[9, 9], missing=None),
              Field("leak", DOUBLE, default=0.0),
              Field("padding", INT_ARRAY, default=[0, 0], missing=None),
              Field("stride", INT_ARRAY, default=[2, 2], missing=None),
              Field("useRelu", BOOL, default=False))
    BUILDER_POSITIONAL = ("capsuleDimensions", "channels", "kernelSize", "stride", "padding", "dilation",
                          "convolutionMode")
    SETTERS = {"kernelSize": _set_two("kernelSize"), "stride": _set_two("stride"), "padding": _set_two("padding"),
               "dilation": _set_two("dilation"),
               "nOut": lambda self, v: setattr(self, "channels", int(v)),
               "convolutionMode": lambda self, v: setattr(self, "convolutionMode", ConvolutionMode.of(v)),
               "useReLU": lambda self, v: setattr(self, "useRelu", True if v == () else bool(v)),
               "useLeakyReLU": lambda self, v: (setattr(self, "useRelu", True), setattr(self, "leak", float(v)))}

    def _on_build(self):
        """Mirrors PrimaryCapsules(Builder)'s checks, in DL4J's words."""
        if self.capsuleDimensions <= 0 or self.channels <= 0:
            raise InvalidConfigurationError(
                f'Invalid configuration for Primary Capsules (layer name = "{_java_name(self)}"): capsuleDimensions'
                f" and channels must be > 0.  Got: {self.capsuleDimensions}, {self.channels}")
        if self.capsules < 0:
            raise InvalidConfigurationError(
                f'Invalid configuration for Capsule Layer (layer name = "{_java_name(self)}"): capsules must be >= 0'
                f" if set.  Got: {self.capsules}")
        super()._on_build()

    def _require_kernel(self):
        for attr in ("kernelSize", "stride", "padding", "dilation"):
            if getattr(self, attr) is None:
                raise InvalidConfigurationError(
                    f"PrimaryCapsules {self._name()!r}: {attr} is not set (DL4J: NullPointerException)")

    def defineParameters(self, params: SDLayerParams):
        """Mirrors PrimaryCapsules#defineParameters: weight [kH, kW, inputChannels, capsuleDimensions*channels]."""
        self._require_kernel()
        params.clear()
        n_out = int(self.capsuleDimensions) * int(self.channels)
        params.addWeightParam("weight", int(self.kernelSize[0]), int(self.kernelSize[1]), int(self.inputChannels), n_out)
        if self.hasBias:
            params.addBiasParam("bias", n_out)

    def getLayerParams(self):
        """AbstractSameDiffLayer#getLayerParams; None where DL4J throws a NullPointerException (no kernelSize: the
        no-arg constructor's object, which DL4J cannot write to JSON at all; written here with a null layerParams)."""
        if self.layerParams is None and self.kernelSize is None:
            return None
        return super().getLayerParams()

    def _to_tree(self):
        if self.getLayerParams() is None:
            return super(AbstractSameDiffLayer, self)._to_tree()
        return super()._to_tree()

    def initWeightsFor(self, key):
        """PrimaryCapsules#initializeParameters: fanIn = inputChannels*kH*kW, fanOut = capsuleDimensions*channels*kH*kW
        / (sH*sW); the bias zeros."""
        if key == "bias":
            return None
        k0, k1 = int(self.kernelSize[0]), int(self.kernelSize[1])
        fan_in = float(self.inputChannels * k0 * k1)
        fan_out = self.capsuleDimensions * self.channels * k0 * k1 / float(self.stride[0] * self.stride[1])
        return _scheme(self), fan_in, fan_out

    def _inferred_capsules(self, inputType):
        """InputTypeUtil.getOutputTypeCnnLayers(..., capsuleDimensions*channels, ...) (NCHW; only Same and Strict are
        special there, Causal sizes as Truncate), then channels*h*w / capsuleDimensions (Java int division)."""
        self._require_kernel()
        in_h, in_w, depth = cnn_layer_dims(inputType, CNN2DFormat.NCHW, self.capsuleDimensions * self.channels)
        mode = ConvolutionMode.Truncate if self.convolutionMode == ConvolutionMode.Causal else self.convolutionMode
        h = conv_out_size(in_h, self.kernelSize[0], self.stride[0], self.padding[0], self.dilation[0], mode)
        w = conv_out_size(in_w, self.kernelSize[1], self.stride[1], self.padding[1], self.dilation[1], mode)
        return int(depth * h * w) // int(self.capsuleDimensions)

    def _check_cnn(self, inputType):
        if inputType is None or inputType.type != "CNN":
            raise InvalidConfigurationError(
                f'Invalid input for Primary Capsules layer (layer name = "{_java_name(self)}"): expect CNN input.'
                f"  Got: {inputType}")

    def _output_type(self, inputType):
        """Mirrors PrimaryCapsules#getOutputType: recurrent(capsules, capsuleDimensions)."""
        self._check_cnn(inputType)
        capsules = self.capsules if self.capsules > 0 else self._inferred_capsules(inputType)
        return InputType.recurrent(capsules, self.capsuleDimensions)

    def setNIn(self, inputType, override=False):
        """Mirrors PrimaryCapsules#setNIn: inputChannels always; capsules when unset (or ``override``)."""
        self._check_cnn(inputType)
        self.inputChannels = int(inputType.channels)
        if self.capsules <= 0 or override:
            self.capsules = self._inferred_capsules(inputType)


@register
class CapsuleLayer(_NoArgConstructor, SameDiffLayer):
    """Mirrors org.deeplearning4j.nn.conf.layers.CapsuleLayer: ``routings`` iterations of dynamic routing from
    [mb, inputCapsules, inputCapsuleDimensions] to [mb, capsules, capsuleDimensions].
    ``Builder(capsules, capsuleDimensions[, routings=3])``; the input sizes are inferred (``setNIn``)."""

    FIELDS = (Field("capsuleDimensions", INT, default=0),
              Field("capsules", INT, default=0),
              Field("hasBias", BOOL, default=False),
              Field("inputCapsuleDimensions", LONG, default=0),
              Field("inputCapsules", LONG, default=0),
              Field("routings", INT, default=3))
    BUILDER_POSITIONAL = ("capsules", "capsuleDimensions", "routings")
    SETTERS = {"inputShape": _input_shape}

    def _on_build(self):
        """Mirrors CapsuleLayer(Builder)'s checks, in DL4J's words."""
        if self.capsules <= 0 or self.capsuleDimensions <= 0 or self.routings <= 0:
            raise InvalidConfigurationError(
                f'Invalid configuration for Capsule Layer (layer name = "{_java_name(self)}"): capsules,'
                f" capsuleDimensions, and routings must be > 0.  Got: {self.capsules}, {self.capsuleDimensions},"
                f" {self.routings}")
        if self.inputCapsules < 0 or self.inputCapsuleDimensions < 0:
            raise InvalidConfigurationError(
                f'Invalid configuration for Capsule Layer (layer name = "{_java_name(self)}"): inputCapsules and'
                f" inputCapsuleDimensions must be >= 0 if set.  Got: {self.inputCapsules},"
                f" {self.inputCapsuleDimensions}")
        super()._on_build()

    def defineParameters(self, params: SDLayerParams):
        """Mirrors CapsuleLayer#defineParameters."""
        params.clear()
        caps, dims = int(self.capsules), int(self.capsuleDimensions)
        params.addWeightParam("weight", 1, int(self.inputCapsules), caps * dims, int(self.inputCapsuleDimensions), 1)
        if self.hasBias:
            params.addBiasParam("bias", 1, 1, caps, dims, 1)

    def paramSpecs(self):
        specs = super().paramSpecs()
        if any(d < 0 for s in specs for d in s.shape):
            raise InvalidConfigurationError(
                f"CapsuleLayer {self._name()!r}: parameter shapes {[list(s.shape) for s in specs]} are negative:"
                " inputCapsuleDimensions comes from the input type's time series length, which must be known"
                " (InputType.recurrent(capsules, capsuleDimensions))")
        return specs

    def initWeightsFor(self, key):
        """CapsuleLayer#initializeParameters: fanIn = inputCapsules*inputCapsuleDimensions, fanOut =
        capsules*capsuleDimensions; the bias zeros."""
        if key == "bias":
            return None
        return (_scheme(self), float(self.inputCapsules * self.inputCapsuleDimensions),
                float(self.capsules * self.capsuleDimensions))

    def _output_type(self, inputType):
        """Mirrors CapsuleLayer#getOutputType: recurrent(capsules, capsuleDimensions), whatever the input."""
        return InputType.recurrent(self.capsules, self.capsuleDimensions)

    def setNIn(self, inputType, override=False):
        """Mirrors CapsuleLayer#setNIn: RNN input only; the input sizes when either is unset (``override`` unused,
        as in DL4J)."""
        if inputType is None or inputType.type != "RNN":
            raise InvalidConfigurationError(
                f'Invalid input for Capsule layer (layer name = "{_java_name(self)}"): expect RNN input.  Got:'
                f" {inputType}")
        if self.inputCapsules <= 0 or self.inputCapsuleDimensions <= 0:
            self.inputCapsules = int(inputType.size)
            self.inputCapsuleDimensions = int(inputType.timeSeriesLength)


@register
class CapsuleStrengthLayer(SameDiffLambdaLayer):
    """Mirrors org.deeplearning4j.nn.conf.layers.CapsuleStrengthLayer: the L2 norm of each capsule,
    [mb, capsules, capsuleDimensions] -> [mb, capsules].

    As in DL4J, ``CapsuleStrengthLayer(Builder)`` calls the no-arg constructor: what the builder (or the keyword
    form) was given -- a name, dropout, an updater -- is dropped."""

    def _on_build(self):
        fresh = type(self)._new_with_defaults()
        self.__dict__.update(fresh.__dict__)

    def _output_type(self, inputType):
        """Mirrors CapsuleStrengthLayer#getOutputType: feedForward(capsules) of RNN input."""
        if inputType is None or inputType.type != "RNN":
            raise InvalidConfigurationError(
                f'Invalid input for Capsule Strength layer (layer name = "{_java_name(self)}"): expect RNN input.'
                f"  Got: {inputType}")
        return InputType.feedForward(inputType.size)

    def getOutputType(self, *args):
        return self._output_type(args[-1])


def _scheme(layer):
    if layer.weightInit is None:
        raise InvalidConfigurationError(f"{layer._name()}: weightInit is not set (DL4J: NullPointerException)")
    return WeightInit.of(layer.weightInit).getWeightInitFunction()
