"""Parameter-less spatial layers: Subsampling(1D/3D), Pooling1D/2D, GlobalPooling, ZeroPadding(1D/3D),
Cropping1D/2D/3D, Upsampling1D/2D/3D, SpaceToDepth, SpaceToBatch, LocalResponseNormalization."""

from __future__ import annotations

from pydl4j_transfer.errors import InvalidConfigurationError

from ..base import BOOL, DOUBLE, INT, INT_ARRAY, EnumCodec, Field, array
from ..enums import CNN2DFormat, ConvolutionMode, Convolution3DDataFormat, Pooling3DType, PoolingType, SpaceToDepthDataFormat
from ..inputs import InputType
from ..preprocessors import preprocessor_for_cnn, preprocessor_for_rnn
from .base import NoParamLayer, register
from .convolution import CMODE, cnn3d_out_format, cnn_layer_dims, conv_out_size, kernel_builder_args

CNN2D = EnumCodec(CNN2DFormat)


def _is_pooling_type(v):
    return isinstance(v, (str, PoolingType, Pooling3DType)) or type(v).__name__ == "PoolingType"


def _pooling_builder_args(cls, obj, args):
    args = list(args)
    if args and _is_pooling_type(args[0]):
        obj._set("poolingType", args.pop(0))
    kernel_builder_args().__get__(None, cls)(obj, tuple(args))


def _cnn_only(layer, inputType):
    if inputType.type != "CNN":
        raise InvalidConfigurationError(f"{layer._name()}: needs CNN input, got {inputType}")


class _SpatialLayer(NoParamLayer):
    def getPreProcessorForInputType(self, inputType):
        return preprocessor_for_cnn(inputType, self._name())


class SubsamplingLayer(_SpatialLayer):
    """Mirrors org.deeplearning4j.nn.conf.layers.SubsamplingLayer (``Builder(PoolingType.MAX, [2, 2], [2, 2])``)."""

    FIELDS = (Field("avgPoolIncludePadInDivisor", BOOL, default=False, missing=True),
              Field("cnn2dDataFormat", CNN2D, default=CNN2DFormat.NCHW),
              Field("convolutionMode", CMODE, default=None, missing=ConvolutionMode.Truncate),
              Field("cudnnAllowFallback", BOOL, default=True), Field("dilation", INT_ARRAY, default=[1, 1]),
              Field("eps", DOUBLE, default=1e-8, missing=0.0), Field("kernelSize", INT_ARRAY, default=[1, 1], missing=None),
              Field("padding", INT_ARRAY, default=[0, 0], missing=None), Field("pnorm", INT, default=0),
              Field("poolingType", EnumCodec(PoolingType), default=PoolingType.MAX, missing=None),
              Field("stride", INT_ARRAY, default=[2, 2], missing=None))
    SETTERS = {"dataFormat": lambda self, v: setattr(self, "cnn2dDataFormat", CNN2DFormat.of(v))}
    _builder_args = classmethod(_pooling_builder_args)

    def _output_type(self, inputType):
        _cnn_only(self, inputType)
        fmt = self.cnn2dDataFormat
        in_h, in_w, depth = cnn_layer_dims(inputType, fmt, inputType.channels)
        h = conv_out_size(in_h, self.kernelSize[0], self.stride[0], self.padding[0], self.dilation[0],
                          self.convolutionMode)
        w = conv_out_size(in_w, self.kernelSize[1], self.stride[1], self.padding[1], self.dilation[1],
                          self.convolutionMode)
        return InputType.convolutional(h, w, depth, fmt if fmt in (CNN2DFormat.NCHW, CNN2DFormat.NHWC) else inputType.format)

    #: M2.1's SubsamplingLayer#defaultValueOverridden (not in the JSON): setNIn adopts the input's format only
    #: while it is false (and then sets it); DL4J's Keras import sets it, so imported pooling keeps its own format
    defaultValueOverridden = False

    def setNIn(self, inputType, override=False):
        if inputType.type == "CNN" and (not self.defaultValueOverridden or override):
            self.cnn2dDataFormat = inputType.format
            self.defaultValueOverridden = True


register(SubsamplingLayer)


@register
class Pooling2D(SubsamplingLayer):
    """Mirrors org.deeplearning4j.nn.conf.layers.Pooling2D."""

    RUNTIME_NAME = "SubsamplingLayer"


class Subsampling1DLayer(SubsamplingLayer):
    """Mirrors org.deeplearning4j.nn.conf.layers.Subsampling1DLayer (sizes stored as [k, 1])."""

    DEFAULTS = {"kernelSize": [2, 1], "stride": [1, 1], "padding": [0, 0]}

    def _set_1d(attr, fill):
        def setter(self, value):
            v = list(value) if isinstance(value, (list, tuple)) else [int(value)]
            setattr(self, attr, [int(v[0]), fill] if len(v) == 1 else [int(x) for x in v])
        return setter

    def _set_pair(attr):
        # M2.1 Subsampling1DLayer.Builder#setStride / #setPadding: ConvolutionUtils.getIntConfig(v, 1), which
        # repeats a single value ([s] -> [s, s]); setKernelSize only sets kernelSize[0]
        def setter(self, value):
            v = list(value) if isinstance(value, (list, tuple)) else [int(value)]
            setattr(self, attr, [int(v[0]), int(v[0])] if len(v) == 1 else [int(x) for x in v])
        return setter

    SETTERS = {"kernelSize": _set_1d("kernelSize", 1), "stride": _set_pair("stride"), "padding": _set_pair("padding")}

    def _output_type(self, inputType):
        if inputType.type != "RNN":
            raise InvalidConfigurationError(f"{self._name()}: Subsampling1D needs RNN input, got {inputType}")
        t = inputType.timeSeriesLength
        out = conv_out_size(t, self.kernelSize[0], self.stride[0], self.padding[0], self.dilation[0],
                            self.convolutionMode) if t > 0 else t
        return InputType.recurrent(inputType.size, out, inputType.format)

    def setNIn(self, inputType, override=False):
        pass

    def getPreProcessorForInputType(self, inputType):
        return preprocessor_for_rnn(inputType, layer_name=self._name())


register(Subsampling1DLayer)


@register
class Pooling1D(Subsampling1DLayer):
    """Mirrors org.deeplearning4j.nn.conf.layers.Pooling1D."""

    RUNTIME_NAME = "Subsampling1DLayer"


@register
class Subsampling3DLayer(NoParamLayer):
    """Mirrors org.deeplearning4j.nn.conf.layers.Subsampling3DLayer."""

    FIELDS = (Field("convolutionMode", CMODE, default=ConvolutionMode.Same, missing=ConvolutionMode.Truncate),
              Field("cudnnAllowFallback", BOOL, default=True),
              Field("dataFormat", EnumCodec(Convolution3DDataFormat), default=Convolution3DDataFormat.NCDHW),
              Field("dilation", INT_ARRAY, default=[1, 1, 1], missing=None),
              Field("kernelSize", INT_ARRAY, default=[1, 1, 1], missing=None),
              Field("padding", INT_ARRAY, default=[0, 0, 0], missing=None),
              Field("poolingType", EnumCodec(Pooling3DType), default=Pooling3DType.MAX, missing=None),
              Field("stride", INT_ARRAY, default=[2, 2, 2], missing=None))
    _builder_args = classmethod(_pooling_builder_args)

    def _output_type(self, inputType):
        dims = [conv_out_size(s, self.kernelSize[i], self.stride[i], self.padding[i], self.dilation[i],
                              self.convolutionMode) for i, s in enumerate((inputType.depth, inputType.height, inputType.width))]
        return InputType.convolutional3D(cnn3d_out_format(self), *dims, inputType.channels)


@register
class GlobalPoolingLayer(NoParamLayer):
    """Mirrors org.deeplearning4j.nn.conf.layers.GlobalPoolingLayer (``Builder(PoolingType.AVG)``)."""

    FIELDS = (Field("collapseDimensions", BOOL, default=True), Field("pnorm", INT, default=2),
              Field("poolingDimensions", INT_ARRAY), Field("poolingType", EnumCodec(PoolingType), default=PoolingType.MAX))
    POSITIONAL = ("poolingType",)

    def _output_type(self, inputType):
        t = inputType.type
        if t == "CNN":
            return InputType.feedForward(inputType.channels) if self.collapseDimensions else \
                InputType.convolutional(1, 1, inputType.channels, inputType.format)
        if t == "RNN":
            return inputType  # M2.1 returns the RNN input type unchanged, even with collapseDimensions (checked vs the jar)
        if t == "CNN3D":
            return InputType.feedForward(inputType.channels)
        return inputType

    def setNIn(self, inputType, override=False):
        # M2.1 sets poolingDimensions for CNN input only (always, NCHW [2, 3] / NHWC [1, 2]); RNN and CNN3D keep
        # null, which the runtime reads as "all but the minibatch and feature axes"
        if inputType.type == "CNN":
            self.poolingDimensions = [2, 3] if getattr(inputType, "format", None) != CNN2DFormat.NHWC else [1, 2]


@register
class LocalResponseNormalization(NoParamLayer):
    """Mirrors org.deeplearning4j.nn.conf.layers.LocalResponseNormalization."""

    FIELDS = (Field("alpha", DOUBLE, default=1e-4), Field("beta", DOUBLE, default=0.75),
              Field("cudnnAllowFallback", BOOL, default=True), Field("dataFormat", CNN2D, default=CNN2DFormat.NCHW),
              Field("k", DOUBLE, default=2.0), Field("n", DOUBLE, default=5.0))

    def setNIn(self, inputType, override=False):
        if inputType.type == "CNN":
            self.dataFormat = inputType.format

    def getPreProcessorForInputType(self, inputType):
        return preprocessor_for_cnn(inputType, self._name())


def _pad_setter(attr, n, expand):
    def setter(self, value):
        v = [int(x) for x in value] if isinstance(value, (list, tuple)) else [int(value)]
        setattr(self, attr, expand(v) if len(v) < n else v)
    return setter


def _hw_to_tblr(v):
    return [v[0], v[0], v[-1], v[-1]]


@register
class ZeroPaddingLayer(_SpatialLayer):
    """Mirrors org.deeplearning4j.nn.conf.layers.ZeroPaddingLayer: padding [top, bottom, left, right]."""

    FIELDS = (Field("dataFormat", CNN2D, default=CNN2DFormat.NCHW), Field("padding", INT_ARRAY, default=[0, 0, 0, 0], missing=None))
    SETTERS = {"padding": _pad_setter("padding", 4, _hw_to_tblr)}
    POSITIONAL = ("padding",)
    _builder_args = kernel_builder_args(("padding",))

    def _output_type(self, inputType):
        _cnn_only(self, inputType)
        t, b, l, r = self.padding
        return InputType.convolutional(inputType.height + t + b, inputType.width + l + r, inputType.channels, inputType.format)

    def setNIn(self, inputType, override=False):
        if inputType.type == "CNN":
            self.dataFormat = inputType.format


class _Rnn1DSpatial(NoParamLayer):
    def getPreProcessorForInputType(self, inputType):
        return preprocessor_for_rnn(inputType, layer_name=self._name())

    def _rnn_out(self, inputType, delta=0, factor=1):
        if inputType.type != "RNN":
            raise InvalidConfigurationError(f"{self._name()}: needs RNN input, got {inputType}")
        t = inputType.timeSeriesLength
        return InputType.recurrent(inputType.size, t * factor + delta if t > 0 else t, inputType.format)


@register
class ZeroPadding1DLayer(_Rnn1DSpatial):
    """Mirrors org.deeplearning4j.nn.conf.layers.ZeroPadding1DLayer: padding [left, right]."""

    FIELDS = (Field("padding", INT_ARRAY, default=[0, 0], missing=None),)
    SETTERS = {"padding": _pad_setter("padding", 2, lambda v: [v[0], v[0]])}
    _builder_args = kernel_builder_args(("padding",))

    def _output_type(self, inputType):
        return self._rnn_out(inputType, delta=sum(self.padding))


@register
class ZeroPadding3DLayer(NoParamLayer):
    """Mirrors org.deeplearning4j.nn.conf.layers.ZeroPadding3DLayer: padding [d0, d1, h0, h1, w0, w1]."""

    FIELDS = (Field("padding", INT_ARRAY, default=[0] * 6, missing=None),)
    SETTERS = {"padding": _pad_setter("padding", 6, lambda v: [v[0], v[0], v[1], v[1], v[2], v[2]] if len(v) == 3 else v * 6)}
    _builder_args = kernel_builder_args(("padding",))


@register
class Cropping1D(_Rnn1DSpatial):
    """Mirrors org.deeplearning4j.nn.conf.layers.convolutional.Cropping1D: cropping [top, bottom]."""

    RUNTIME_NAME = "Cropping1DLayer"

    dl4jClass = "org.deeplearning4j.nn.conf.layers.convolutional.Cropping1D"
    FIELDS = (Field("cropping", INT_ARRAY, default=[0, 0], missing=None),)
    SETTERS = {"cropping": _pad_setter("cropping", 2, lambda v: [v[0], v[0]])}
    POSITIONAL = ("cropping",)
    _builder_args = kernel_builder_args(("cropping",))

    def __init__(self, *args, **kwargs):
        if args and all(isinstance(a, int) for a in args):
            kwargs["cropping"], args = (list(args) if len(args) > 1 else args[0]), ()
        super().__init__(*args, **kwargs)

    def _output_type(self, inputType):
        return self._rnn_out(inputType, delta=-sum(self.cropping))


@register
class Cropping2D(_SpatialLayer):
    """Mirrors org.deeplearning4j.nn.conf.layers.convolutional.Cropping2D: cropping [top, bottom, left, right]."""

    RUNTIME_NAME = "Cropping2DLayer"

    dl4jClass = "org.deeplearning4j.nn.conf.layers.convolutional.Cropping2D"
    FIELDS = (Field("cropping", INT_ARRAY, default=[0, 0, 0, 0], missing=None),
              Field("dataFormat", CNN2D, default=CNN2DFormat.NCHW))
    SETTERS = {"cropping": _pad_setter("cropping", 4, _hw_to_tblr)}
    POSITIONAL = ("cropping",)
    _builder_args = kernel_builder_args(("cropping",))

    def __init__(self, *args, **kwargs):
        if args and all(isinstance(a, int) for a in args):
            kwargs["cropping"], args = (list(args) if len(args) > 1 else args[0]), ()
        super().__init__(*args, **kwargs)

    def _output_type(self, inputType):
        _cnn_only(self, inputType)
        t, b, l, r = self.cropping
        return InputType.convolutional(inputType.height - t - b, inputType.width - l - r, inputType.channels, inputType.format)

    def setNIn(self, inputType, override=False):
        if inputType.type == "CNN":
            self.dataFormat = inputType.format


@register
class Cropping3D(NoParamLayer):
    """Mirrors org.deeplearning4j.nn.conf.layers.convolutional.Cropping3D."""

    RUNTIME_NAME = "Cropping3DLayer"

    dl4jClass = "org.deeplearning4j.nn.conf.layers.convolutional.Cropping3D"
    FIELDS = (Field("cropping", INT_ARRAY, default=[0] * 6, missing=None),)
    _builder_args = kernel_builder_args(("cropping",))


def _size_setter(n):
    def setter(self, value):
        v = [int(x) for x in value] if isinstance(value, (list, tuple)) else [int(value)]
        self.size = v * n if len(v) == 1 else v
    return setter


@register
class Upsampling1D(_Rnn1DSpatial):
    """Mirrors org.deeplearning4j.nn.conf.layers.Upsampling1D (``Builder(2)`` stores size [2, 2])."""

    FIELDS = (Field("size", INT_ARRAY, default=[1], missing=None),)
    SETTERS = {"size": _size_setter(2)}
    POSITIONAL = ("size",)

    def _output_type(self, inputType):
        return self._rnn_out(inputType, factor=self.size[0])


@register
class Upsampling2D(_SpatialLayer):
    """Mirrors org.deeplearning4j.nn.conf.layers.Upsampling2D (nearest neighbour)."""

    FIELDS = (Field("format", CNN2D, default=CNN2DFormat.NCHW), Field("size", INT_ARRAY, default=[1], missing=None))
    SETTERS = {"size": _size_setter(2), "dataFormat": lambda self, v: setattr(self, "format", CNN2DFormat.of(v))}
    POSITIONAL = ("size",)

    def _output_type(self, inputType):
        _cnn_only(self, inputType)
        s = self.size * 2 if len(self.size) == 1 else self.size
        return InputType.convolutional(inputType.height * s[0], inputType.width * s[1], inputType.channels, inputType.format)

    def setNIn(self, inputType, override=False):
        if inputType.type == "CNN":
            self.format = inputType.format


@register
class Upsampling3D(NoParamLayer):
    """Mirrors org.deeplearning4j.nn.conf.layers.Upsampling3D."""

    FIELDS = (Field("dataFormat", EnumCodec(Convolution3DDataFormat), default=Convolution3DDataFormat.NCDHW),
              Field("size", INT_ARRAY, default=[1], missing=None))
    SETTERS = {"size": _size_setter(3)}
    POSITIONAL = ("size",)


@register
class SpaceToDepthLayer(_SpatialLayer):
    """Mirrors org.deeplearning4j.nn.conf.layers.SpaceToDepthLayer (``Builder(blockSize, dataFormat)``)."""

    RUNTIME_NAME = "SpaceToDepth"

    FIELDS = (Field("blockSize", INT, default=0), Field("dataFormat", EnumCodec(SpaceToDepthDataFormat),
                                                         default=SpaceToDepthDataFormat.NCHW, missing=None))
    POSITIONAL = ("blockSize", "dataFormat")

    def _output_type(self, inputType):
        _cnn_only(self, inputType)
        b = self.blockSize
        return InputType.convolutional(inputType.height // b, inputType.width // b, inputType.channels * b * b,
                                       inputType.format)


@register
class SpaceToBatchLayer(_SpatialLayer):
    """Mirrors org.deeplearning4j.nn.conf.layers.SpaceToBatchLayer (``Builder(blocks[, padding])``)."""

    RUNTIME_NAME = "SpaceToBatch"

    FIELDS = (Field("blocks", INT_ARRAY), Field("format", CNN2D, default=CNN2DFormat.NCHW),
              Field("padding", array(INT_ARRAY), default=[[0, 0], [0, 0]], missing=None))
    POSITIONAL = ("blocks", "padding")

    def _output_type(self, inputType):
        _cnn_only(self, inputType)
        p = self.padding
        return InputType.convolutional((inputType.height + p[0][0] + p[0][1]) // self.blocks[0],
                                       (inputType.width + p[1][0] + p[1][1]) // self.blocks[1],
                                       inputType.channels, inputType.format)

    def setNIn(self, inputType, override=False):
        if inputType.type == "CNN":
            self.format = inputType.format
