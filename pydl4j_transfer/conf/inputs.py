"""InputType: the activation shape flowing between layers, for nIn/preprocessor inference.

Mirrors org.deeplearning4j.nn.conf.inputs.InputType and its subclasses (plain Python:
InputTypes are not part of configuration.json).
"""

from __future__ import annotations

from dataclasses import dataclass

from .enums import CNN2DFormat, Convolution3DDataFormat, RNNFormat


class InputType:
    """Mirrors org.deeplearning4j.nn.conf.inputs.InputType (use the static factories)."""

    type = None

    @staticmethod
    def feedForward(size, timeDistributedFormat=None):
        """Mirrors InputType.feedForward(long)."""
        return InputTypeFeedForward(int(size), timeDistributedFormat)

    @staticmethod
    def recurrent(size, timeSeriesLength=-1, format=RNNFormat.NCW):
        """Mirrors InputType.recurrent(size[, timeSeriesLength][, RNNFormat])."""
        if isinstance(timeSeriesLength, (RNNFormat, str)):
            format, timeSeriesLength = timeSeriesLength, -1
        return InputTypeRecurrent(int(size), int(timeSeriesLength), RNNFormat.of(format))

    @staticmethod
    def convolutional(height, width, depth, format=CNN2DFormat.NCHW):
        """Mirrors InputType.convolutional(height, width, depth[, CNN2DFormat])."""
        return InputTypeConvolutional(int(height), int(width), int(depth), CNN2DFormat.of(format))

    @staticmethod
    def convolutionalFlat(height, width, depth):
        """Mirrors InputType.convolutionalFlat(height, width, depth)."""
        return InputTypeConvolutionalFlat(int(height), int(width), int(depth))

    @staticmethod
    def convolutional3D(*args):
        """Mirrors InputType.convolutional3D([dataFormat,] depth, height, width, channels)."""
        fmt = Convolution3DDataFormat.NCDHW
        if len(args) == 5:
            fmt, args = Convolution3DDataFormat.of(args[0]), args[1:]
        d, h, w, c = (int(x) for x in args)
        return InputTypeConvolutional3D(d, h, w, c, fmt)

    def getType(self):
        return self.type


@dataclass(frozen=True)
class InputTypeFeedForward(InputType):
    """Mirrors InputType.InputTypeFeedForward."""

    size: int
    timeDistributedFormat: object = None
    type = "FF"

    def arrayElementsPerExample(self):
        return self.size

    def getShape(self):
        return [self.size]


@dataclass(frozen=True)
class InputTypeRecurrent(InputType):
    """Mirrors InputType.InputTypeRecurrent (timeSeriesLength -1 = unknown)."""

    size: int
    timeSeriesLength: int = -1
    format: RNNFormat = RNNFormat.NCW
    type = "RNN"

    def arrayElementsPerExample(self):
        return self.size * self.timeSeriesLength if self.timeSeriesLength > 0 else self.size

    def getShape(self):
        t = self.timeSeriesLength
        return [self.size, t] if self.format == RNNFormat.NCW else [t, self.size]


@dataclass(frozen=True)
class InputTypeConvolutional(InputType):
    """Mirrors InputType.InputTypeConvolutional."""

    height: int
    width: int
    channels: int
    format: CNN2DFormat = CNN2DFormat.NCHW
    type = "CNN"

    def arrayElementsPerExample(self):
        return self.height * self.width * self.channels

    def getShape(self):
        if self.format == CNN2DFormat.NCHW:
            return [self.channels, self.height, self.width]
        return [self.height, self.width, self.channels]


@dataclass(frozen=True)
class InputTypeConvolutionalFlat(InputType):
    """Mirrors InputType.InputTypeConvolutionalFlat (flattened images, e.g. MNIST rows)."""

    height: int
    width: int
    depth: int
    type = "CNNFlat"

    def getFlattenedSize(self):
        return self.height * self.width * self.depth

    def arrayElementsPerExample(self):
        return self.getFlattenedSize()

    def getShape(self):
        return [self.getFlattenedSize()]


@dataclass(frozen=True)
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

    def getShape(self):
        if self.dataFormat == Convolution3DDataFormat.NCDHW:
            return [self.channels, self.depth, self.height, self.width]
        return [self.depth, self.height, self.width, self.channels]


# Java's nested classes, reachable as InputType.InputTypeFeedForward etc. (as in `InputType.InputTypeConvolutional c =
# (InputType.InputTypeConvolutional) t;`)
for _cls in (InputTypeFeedForward, InputTypeRecurrent, InputTypeConvolutional, InputTypeConvolutionalFlat,
             InputTypeConvolutional3D):
    setattr(InputType, _cls.__name__, _cls)
