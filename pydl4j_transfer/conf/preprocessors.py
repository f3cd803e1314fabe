"""InputPreProcessors (``org.deeplearning4j.nn.conf.preprocessor``): reshape activations between
layers of different kinds. They have no parameters."""

from __future__ import annotations

from pydl4j_transfer.errors import InvalidConfigurationError, MalformedConfigError

from .base import BOOL, INT, INT_ARRAY, LONG_ARRAY, PREPROCESSORS, Codec, ConfObject, EnumCodec, Field, array, poly
from .enums import CNN2DFormat, Convolution3DDataFormat, RNNFormat
from .inputs import InputType

PKG = "org.deeplearning4j.nn.conf.preprocessor."
_CNN_FIELDS = (Field("inputHeight", INT, default=0), Field("inputWidth", INT, default=0),
               Field("numChannels", INT, default=0))
_HWC = ("inputHeight", "inputWidth", "numChannels")


class InputPreProcessor(ConfObject):
    """Mirrors org.deeplearning4j.nn.conf.InputPreProcessor."""

    def getOutputType(self, inputType):
        raise NotImplementedError


class CnnToFeedForwardPreProcessor(InputPreProcessor):
    """Mirrors org.deeplearning4j.nn.conf.preprocessor.CnnToFeedForwardPreProcessor."""

    dl4jClass = PKG + "CnnToFeedForwardPreProcessor"
    FIELDS = _CNN_FIELDS + (Field("format", EnumCodec(CNN2DFormat), default=CNN2DFormat.NCHW),)
    POSITIONAL = _HWC + ("format",)

    def getOutputType(self, inputType):
        if inputType.type == "CNN":
            return InputType.feedForward(inputType.height * inputType.width * inputType.channels)
        return InputType.feedForward(self.inputHeight * self.inputWidth * self.numChannels)


class FeedForwardToCnnPreProcessor(InputPreProcessor):
    """Mirrors org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnnPreProcessor."""

    dl4jClass = PKG + "FeedForwardToCnnPreProcessor"
    FIELDS = _CNN_FIELDS
    POSITIONAL = _HWC

    def getOutputType(self, inputType):
        return InputType.convolutional(self.inputHeight, self.inputWidth, self.numChannels)


class RnnToFeedForwardPreProcessor(InputPreProcessor):
    """Mirrors org.deeplearning4j.nn.conf.preprocessor.RnnToFeedForwardPreProcessor."""

    dl4jClass = PKG + "RnnToFeedForwardPreProcessor"
    FIELDS = (Field("rnnDataFormat", EnumCodec(RNNFormat), default=RNNFormat.NCW),)
    POSITIONAL = ("rnnDataFormat",)

    def getOutputType(self, inputType):
        if inputType.type != "RNN":
            raise InvalidConfigurationError(f"RnnToFeedForwardPreProcessor: expected RNN input, got {inputType}")
        return InputType.feedForward(inputType.size, inputType.format)  # M2.1: timeDistributedFormat = input's format


class FeedForwardToRnnPreProcessor(InputPreProcessor):
    """Mirrors org.deeplearning4j.nn.conf.preprocessor.FeedForwardToRnnPreProcessor."""

    dl4jClass = PKG + "FeedForwardToRnnPreProcessor"
    FIELDS = (Field("rnnDataFormat", EnumCodec(RNNFormat), default=RNNFormat.NCW),)
    POSITIONAL = ("rnnDataFormat",)

    def getOutputType(self, inputType):
        size = inputType.size if inputType.type == "FF" else inputType.arrayElementsPerExample()
        return InputType.recurrent(size, format=self.rnnDataFormat or RNNFormat.NCW)


class CnnToRnnPreProcessor(InputPreProcessor):
    """Mirrors org.deeplearning4j.nn.conf.preprocessor.CnnToRnnPreProcessor."""

    dl4jClass = PKG + "CnnToRnnPreProcessor"
    FIELDS = _CNN_FIELDS + (Field("rnnDataFormat", EnumCodec(RNNFormat), default=RNNFormat.NCW, missing=None),)
    POSITIONAL = _HWC + ("rnnDataFormat",)

    def getOutputType(self, inputType):
        return InputType.recurrent(self.inputHeight * self.inputWidth * self.numChannels,
                                   format=self.rnnDataFormat or RNNFormat.NCW)


class RnnToCnnPreProcessor(InputPreProcessor):
    """Mirrors org.deeplearning4j.nn.conf.preprocessor.RnnToCnnPreProcessor."""

    dl4jClass = PKG + "RnnToCnnPreProcessor"
    FIELDS = _CNN_FIELDS + (Field("rnnDataFormat", EnumCodec(RNNFormat), default=RNNFormat.NCW, missing=None),)
    POSITIONAL = _HWC + ("rnnDataFormat",)

    def getOutputType(self, inputType):
        return InputType.convolutional(self.inputHeight, self.inputWidth, self.numChannels)


_CNN3D_FIELDS = (Field("inputDepth", INT, default=0),) + _CNN_FIELDS + (Field("ncdhw", BOOL, default=True, missing=False, java="isNCDHW"),)
_CNN3D_ORDER = ("inputDepth", "inputHeight", "inputWidth", "numChannels", "ncdhw")


class Cnn3DToFeedForwardPreProcessor(InputPreProcessor):
    """Mirrors org.deeplearning4j.nn.conf.preprocessor.Cnn3DToFeedForwardPreProcessor."""

    dl4jClass = PKG + "Cnn3DToFeedForwardPreProcessor"
    FIELDS = _CNN3D_FIELDS
    POSITIONAL = _CNN3D_ORDER
    KEY_ORDER = _CNN3D_ORDER

    def getOutputType(self, inputType):
        return InputType.feedForward(self.inputDepth * self.inputHeight * self.inputWidth * self.numChannels)


class FeedForwardToCnn3DPreProcessor(InputPreProcessor):
    """Mirrors org.deeplearning4j.nn.conf.preprocessor.FeedForwardToCnn3DPreProcessor."""

    dl4jClass = PKG + "FeedForwardToCnn3DPreProcessor"
    FIELDS = _CNN3D_FIELDS
    POSITIONAL = _CNN3D_ORDER
    KEY_ORDER = _CNN3D_ORDER

    def getOutputType(self, inputType):
        # M2.1 calls InputType.convolutional3D(d, h, w, c) (default NDHWC) whatever isNCDHW says
        return InputType.convolutional3D(Convolution3DDataFormat.NDHWC, self.inputDepth, self.inputHeight,
                                         self.inputWidth, self.numChannels)


class ComposableInputPreProcessor(InputPreProcessor):
    """Mirrors org.deeplearning4j.nn.conf.preprocessor.ComposableInputPreProcessor."""

    dl4jClass = PKG + "ComposableInputPreProcessor"
    FIELDS = (Field("inputPreProcessors", array(poly(PREPROCESSORS))),)

    def __init__(self, *preprocessors, **kwargs):
        if preprocessors:
            kwargs["inputPreProcessors"] = list(preprocessors)
        super().__init__(**kwargs)

    def getOutputType(self, inputType):
        for p in self.inputPreProcessors or ():
            inputType = p.getOutputType(inputType)
        return inputType


for _c in (CnnToFeedForwardPreProcessor, FeedForwardToCnnPreProcessor, RnnToFeedForwardPreProcessor,
           FeedForwardToRnnPreProcessor, CnnToRnnPreProcessor, RnnToCnnPreProcessor, Cnn3DToFeedForwardPreProcessor,
           FeedForwardToCnn3DPreProcessor, ComposableInputPreProcessor):
    PREPROCESSORS.register(_c)


# ---- the preprocessors DL4J's Keras import makes (org.deeplearning4j.preprocessors, in deeplearning4j-nn)

_KPKG = "org.deeplearning4j.preprocessors."


class _DataFormatCodec(Codec):
    """org.deeplearning4j.nn.conf.DataFormat (an interface over CNN2DFormat, RNNFormat and Convolution3D's
    DataFormat): JSON holds the constant name; the name says which enum it is."""

    def decode(self, raw, where=None):
        if raw is None:
            return None
        for enum_cls in (CNN2DFormat, RNNFormat, Convolution3DDataFormat):
            if isinstance(raw, str) and raw in enum_cls.__members__:
                return enum_cls.__members__[raw]
        raise MalformedConfigError(f"unknown DataFormat {raw!r:.40}" + (f" (in {where})" if where else ""))

    def encode(self, value):
        return None if value is None else getattr(value, "name", str(value))

    def coerce(self, value):
        return self.decode(value) if isinstance(value, str) else value


class ReshapePreprocessor(InputPreProcessor):
    """Mirrors org.deeplearning4j.preprocessors.ReshapePreprocessor (Keras Reshape / Flatten): a 'c'-order reshape
    of each example to ``targetShape`` (``ReshapePreprocessor(inputShape, targetShape, hasMiniBatchDimension,
    dataFormat)``)."""

    dl4jClass = _KPKG + "ReshapePreprocessor"
    FIELDS = (Field("format", _DataFormatCodec()), Field("hasMiniBatchDimension", BOOL, default=False),
              Field("inputShape", LONG_ARRAY), Field("targetShape", LONG_ARRAY))
    POSITIONAL = ("inputShape", "targetShape", "hasMiniBatchDimension", "format")
    KEY_ORDER = ("hasMiniBatchDimension", "inputShape", "targetShape", "format")
    SETTERS = {"dataFormat": lambda self, v: setattr(self, "format", _DataFormatCodec().coerce(v))}

    def _shape(self, mb=0):
        shape = list(self.targetShape or [])
        if not self.hasMiniBatchDimension:
            shape = [mb] + shape
        shape[0] = mb
        return shape

    def getOutputType(self, inputType):
        shape, fmt = self._shape(), self.format
        n = len(shape)
        if n == 2:
            return InputType.feedForward(shape[1])
        if n == 3:
            return InputType.recurrent(shape[2], shape[1], fmt if isinstance(fmt, RNNFormat) else RNNFormat.NWC)
        from_ff_or_rnn = len(self.inputShape or []) == 1 or inputType.type == "RNN"
        if n == 5 and from_ff_or_rnn:
            if fmt == Convolution3DDataFormat.NCDHW:
                return InputType.convolutional3D(fmt, shape[2], shape[3], shape[4], shape[1])
            return InputType.convolutional3D(Convolution3DDataFormat.NDHWC, shape[1], shape[2], shape[3], shape[4])
        if n == 4 and from_ff_or_rnn:
            return InputType.convolutional(shape[1], shape[2], shape[3], CNN2DFormat.NHWC)
        if n in (4, 5):
            cnn = fmt if isinstance(fmt, CNN2DFormat) else CNN2DFormat.NCHW
            if cnn == CNN2DFormat.NCHW:
                return InputType.convolutional(shape[2], shape[3], shape[1], cnn)
            return InputType.convolutional(shape[1], shape[2], shape[3], cnn)
        raise InvalidConfigurationError(f"Cannot infer input type for reshape array {shape}")


class PermutePreprocessor(InputPreProcessor):
    """Mirrors org.deeplearning4j.preprocessors.PermutePreprocessor (Keras Permute): the example axes permuted
    (``PermutePreprocessor(*permutationIndices)``; the minibatch axis stays first)."""

    dl4jClass = _KPKG + "PermutePreprocessor"
    FIELDS = (Field("permutationIndices", INT_ARRAY),)

    def __init__(self, *indices, **kwargs):
        if indices:
            kwargs["permutationIndices"] = [int(i) for i in indices]
        super().__init__(**kwargs)

    def getOutputType(self, inputType):
        t = inputType.type
        if t == "CNN":  # M2.1 swaps height and width and drops the format (NCHW)
            return InputType.convolutional(inputType.width, inputType.height, inputType.channels)
        if t == "RNN":  # M2.1: recurrent(timeSeriesLength, size), NCW
            return InputType.recurrent(inputType.timeSeriesLength, inputType.size)
        if t in ("FF", "CNN3D"):
            return inputType
        raise InvalidConfigurationError(f"Unsupported Input type {inputType}")


class KerasFlattenRnnPreprocessor(InputPreProcessor):
    """Mirrors org.deeplearning4j.preprocessors.KerasFlattenRnnPreprocessor (Keras Flatten after a recurrent
    layer): each example's [T, size] (or [size, T]) array flattened in 'c' order to depth * tsLength."""

    dl4jClass = _KPKG + "KerasFlattenRnnPreprocessor"
    FIELDS = (Field("depth", INT, default=0), Field("tsLength", INT, default=0))
    POSITIONAL = ("depth", "tsLength")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.tsLength = abs(int(self.tsLength or 0))

    def getOutputType(self, inputType):
        return InputType.feedForward(self.depth * self.tsLength)


for _c in (ReshapePreprocessor, PermutePreprocessor, KerasFlattenRnnPreprocessor):
    PREPROCESSORS.register(_c)


def preprocessor_for_feedforward(inputType, layer_name=None):
    """Mirrors InputTypeUtil.getPreProcessorForInputTypeFeedForwardLayer."""
    t = inputType.type
    if t in ("FF", "CNNFlat"):
        return None
    if t == "RNN":
        return RnnToFeedForwardPreProcessor(inputType.format)
    if t == "CNN":
        return CnnToFeedForwardPreProcessor(inputType.height, inputType.width, inputType.channels, inputType.format)
    if t == "CNN3D":
        return Cnn3DToFeedForwardPreProcessor(inputType.depth, inputType.height, inputType.width, inputType.channels,
                                              inputType.dataFormat == Convolution3DDataFormat.NCDHW)
    raise InvalidConfigurationError(f"no preprocessor from {inputType} to a feed-forward layer ({layer_name})")


def preprocessor_for_rnn(inputType, rnn_format=RNNFormat.NCW, layer_name=None):
    """Mirrors InputTypeUtil.getPreprocessorForInputTypeRnnLayers."""
    t = inputType.type
    if t in ("FF", "CNNFlat"):
        return FeedForwardToRnnPreProcessor(rnn_format)
    if t == "RNN":
        return None
    if t == "CNN":
        return CnnToRnnPreProcessor(inputType.height, inputType.width, inputType.channels, rnn_format)
    raise InvalidConfigurationError(f"no preprocessor from {inputType} to a recurrent layer ({layer_name})")


def preprocessor_for_cnn(inputType, layer_name=None):
    """Mirrors InputTypeUtil.getPreProcessorForInputTypeCnnLayers."""
    t = inputType.type
    if t == "CNNFlat":
        return FeedForwardToCnnPreProcessor(inputType.height, inputType.width, inputType.depth)
    if t == "CNN":
        return None
    raise InvalidConfigurationError(f"no preprocessor from {inputType} to a convolutional layer ({layer_name}):"
                                    " use InputType.convolutionalFlat for flattened images")
