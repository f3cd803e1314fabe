"""InputType: the activation shape flowing between layers, for nIn/preprocessor inference.

Mirrors org.deeplearning4j.nn.conf.inputs.InputType and its subclasses (plain Python:
InputTypes are not part of configuration.json). Each subclass is a Lombok ``@Data`` class in Java: its fields have
getters and setters (``getHeight()``, ``setChannels(c)``); ``getType()`` returns ``InputType.Type.CNN`` etc. (a
``str`` enum, so it also equals ``"CNN"``, the value of the ``type`` attribute).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, fields

from pydl4j_transfer.errors import InvalidConfigurationError
from pydl4j_transfer.java_names import JavaNames

from .enums import CNN2DFormat, Convolution3DDataFormat, RNNFormat


class Type(str, enum.Enum):
    """Mirrors org.deeplearning4j.nn.conf.inputs.InputType.Type (each member equals its name as a string)."""

    FF = "FF"
    RNN = "RNN"
    CNN = "CNN"
    CNNFlat = "CNNFlat"
    CNN3D = "CNN3D"

    def __str__(self):
        return self.value


_DEFAULT_CNN2D_FORMAT = [CNN2DFormat.NCHW]


class InputType(JavaNames):
    """Mirrors org.deeplearning4j.nn.conf.inputs.InputType (use the static factories)."""

    __slots__ = ()
    Type = Type
    type = None

    @staticmethod
    def feedForward(size, timeDistributedFormat=None):
        """Mirrors InputType.feedForward(long[, DataFormat])."""
        return InputTypeFeedForward(int(size), timeDistributedFormat)

    @staticmethod
    def recurrent(size, timeSeriesLength=-1, format=RNNFormat.NCW):
        """Mirrors InputType.recurrent(size[, timeSeriesLength][, RNNFormat])."""
        if isinstance(timeSeriesLength, (RNNFormat, str)):
            format, timeSeriesLength = timeSeriesLength, -1
        return InputTypeRecurrent(int(size), int(timeSeriesLength), RNNFormat.of(format))

    @staticmethod
    def convolutional(height, width, depth, format=None):
        """Mirrors InputType.convolutional(height, width, depth[, CNN2DFormat]) (default: getDefaultCNN2DFormat())."""
        return InputTypeConvolutional(int(height), int(width), int(depth),
                                      CNN2DFormat.of(format) if format is not None else _DEFAULT_CNN2D_FORMAT[0])

    @staticmethod
    def convolutionalFlat(height, width, depth):
        """Mirrors InputType.convolutionalFlat(height, width, depth)."""
        return InputTypeConvolutionalFlat(int(height), int(width), int(depth))

    @staticmethod
    def convolutional3D(*args):
        """Mirrors InputType.convolutional3D([dataFormat,] depth, height, width, channels); as in Java, the
        four-argument form is NDHWC."""
        fmt = Convolution3DDataFormat.NDHWC
        if len(args) == 5:
            fmt, args = Convolution3DDataFormat.of(args[0]), args[1:]
        d, h, w, c = (int(x) for x in args)
        return InputTypeConvolutional3D(d, h, w, c, fmt)

    @staticmethod
    def getDefaultCNN2DFormat():
        """Mirrors InputType.getDefaultCNN2DFormat (NCHW unless set)."""
        return _DEFAULT_CNN2D_FORMAT[0]

    @staticmethod
    def setDefaultCNN2DFormat(defaultCNN2DFormat):
        """Mirrors InputType.setDefaultCNN2DFormat: the format of ``convolutional(h, w, c)`` from now on."""
        _DEFAULT_CNN2D_FORMAT[0] = CNN2DFormat.of(defaultCNN2DFormat)

    @staticmethod
    def inferInputType(inputArray):
        """Mirrors InputType.inferInputType(INDArray): from the array's rank and shape (2: feedForward, 3: recurrent
        [mb, size, T], 4: convolutional [mb, c, h, w], 5: convolutional3D as DL4J reads [mb, c, d, h, w])."""
        shape = _shape_of(inputArray)
        if len(shape) == 2:
            return InputType.feedForward(shape[1])
        if len(shape) == 3:
            return InputType.recurrent(shape[1], shape[2])
        if len(shape) == 4:
            return InputType.convolutional(shape[2], shape[3], shape[1])
        if len(shape) == 5:  # DL4J M2.1: convolutional3D(size(2), size(3), size(4), size(1)), i.e. NDHWC
            return InputType.convolutional3D(shape[2], shape[3], shape[4], shape[1])
        raise InvalidConfigurationError(f"Cannot infer input type for array with shape: {list(shape)}")

    @staticmethod
    def inferInputTypes(*inputArrays):
        """Mirrors InputType.inferInputTypes(INDArray...): one InputType per array (a list of arrays works too)."""
        if len(inputArrays) == 1 and isinstance(inputArrays[0], (list, tuple)):
            inputArrays = tuple(inputArrays[0])
        return [InputType.inferInputType(a) for a in inputArrays]

    def arrayElementsPerExample(self):
        """Mirrors InputType#arrayElementsPerExample (each subclass's own)."""
        raise NotImplementedError(type(self).__name__)

    def getType(self):
        """Mirrors InputType#getType."""
        return Type(self.type)

    def getShape(self, includeBatchDim=False):
        """Mirrors InputType#getShape([includeBatchDim]): the shape of one example ([-1, ...] with the batch dim)."""
        shape = self._shape()
        return [-1, *shape] if includeBatchDim else shape


def _shape_of(array):
    shape = getattr(array, "shape", None)
    if shape is None:
        import numpy as np  # a list of lists
        shape = np.asarray(array).shape
    return [int(s) for s in shape]


def _lombok(cls):
    """Lombok @Data getters and setters for the dataclass fields (``getHeight``/``setHeight``) unless defined."""
    for f in fields(cls):
        cap = f.name[0].upper() + f.name[1:]
        if "get" + cap not in cls.__dict__:
            setattr(cls, "get" + cap, (lambda n: lambda self: getattr(self, n))(f.name))
        if "set" + cap not in cls.__dict__:
            setattr(cls, "set" + cap, (lambda n: lambda self, value: setattr(self, n, value))(f.name))
    return cls


@_lombok
@dataclass(unsafe_hash=True)
class InputTypeFeedForward(InputType):
    """Mirrors InputType.InputTypeFeedForward."""

    size: int
    timeDistributedFormat: object = None
    type = "FF"

    def arrayElementsPerExample(self):
        return self.size

    def _shape(self):
        return [self.size]


@_lombok
@dataclass(unsafe_hash=True)
class InputTypeRecurrent(InputType):
    """Mirrors InputType.InputTypeRecurrent (timeSeriesLength -1 = unknown)."""

    size: int
    timeSeriesLength: int = -1
    format: RNNFormat = RNNFormat.NCW
    type = "RNN"

    def arrayElementsPerExample(self):
        """Mirrors InputTypeRecurrent#arrayElementsPerExample (needs the time series length)."""
        if self.timeSeriesLength <= 0:
            raise InvalidConfigurationError("Cannot calculate number of array elements per example: time series "
                                            "length is not set. Use InputType.recurrent(int size, int timeSeriesLength)"
                                            " instead?")
        return self.size * self.timeSeriesLength

    def _shape(self):
        t = self.timeSeriesLength
        return [self.size, t] if self.format == RNNFormat.NCW else [t, self.size]


@_lombok
@dataclass(unsafe_hash=True)
class InputTypeConvolutional(InputType):
    """Mirrors InputType.InputTypeConvolutional."""

    height: int
    width: int
    channels: int
    format: CNN2DFormat = CNN2DFormat.NCHW
    type = "CNN"

    def getDepth(self):
        """Mirrors the deprecated InputTypeConvolutional#getDepth (= channels)."""
        return self.channels

    def setDepth(self, depth):
        """Mirrors the deprecated InputTypeConvolutional#setDepth (= setChannels)."""
        self.channels = depth

    def arrayElementsPerExample(self):
        return self.height * self.width * self.channels

    def _shape(self):
        if self.format == CNN2DFormat.NCHW:
            return [self.channels, self.height, self.width]
        return [self.height, self.width, self.channels]


@_lombok
@dataclass(unsafe_hash=True)
class InputTypeConvolutionalFlat(InputType):
    """Mirrors InputType.InputTypeConvolutionalFlat (flattened images, e.g. MNIST rows)."""

    height: int
    width: int
    depth: int
    type = "CNNFlat"

    def getFlattenedSize(self):
        return self.height * self.width * self.depth

    def getUnflattenedType(self):
        """Mirrors InputTypeConvolutionalFlat#getUnflattenedType: InputType.convolutional(height, width, depth)."""
        return InputType.convolutional(self.height, self.width, self.depth)

    def arrayElementsPerExample(self):
        return self.getFlattenedSize()

    def _shape(self):
        return [self.depth, self.height, self.width]


@_lombok
@dataclass(unsafe_hash=True)
class InputTypeConvolutional3D(InputType):
    """Mirrors InputType.InputTypeConvolutional3D."""

    depth: int
    height: int
    width: int
    channels: int
    dataFormat: Convolution3DDataFormat = Convolution3DDataFormat.NCDHW
    type = "CNN3D"

    def arrayElementsPerExample(self):
        return self.depth * self.height * self.width * self.channels

    def _shape(self):
        if self.dataFormat == Convolution3DDataFormat.NCDHW:
            return [self.channels, self.depth, self.height, self.width]
        return [self.depth, self.height, self.width, self.channels]


# Java's nested classes, reachable as InputType.InputTypeFeedForward etc. (as in `InputType.InputTypeConvolutional c =
# (InputType.InputTypeConvolutional) t;`)
for _cls in (InputTypeFeedForward, InputTypeRecurrent, InputTypeConvolutional, InputTypeConvolutionalFlat,
             InputTypeConvolutional3D):
    setattr(InputType, _cls.__name__, _cls)
