"""CNN output layers: CnnLossLayer, Cnn3DLossLayer, Yolo2OutputLayer."""

from __future__ import annotations

from ..base import DOUBLE, LOSSES, EnumCodec, Field, poly
from ..enums import CNN2DFormat, Convolution3DDataFormat
from ..values.losses import LossL2
from ..values.ndarray import NDARRAY
from .base import NoParamLayer, register
from .feedforward import LossLayer


@register
class CnnLossLayer(LossLayer):
    """Mirrors org.deeplearning4j.nn.conf.layers.CnnLossLayer (per-pixel loss, no params)."""

    FIELDS = (Field("format", EnumCodec(CNN2DFormat), default=CNN2DFormat.NCHW),)
    SETTERS = {"dataFormat": lambda self, v: setattr(self, "format", CNN2DFormat.of(v))}

    def setNIn(self, inputType, override=False):
        if inputType.type == "CNN":
            self.format = inputType.format

    def getPreProcessorForInputType(self, inputType):
        return None


@register
class Cnn3DLossLayer(LossLayer):
    """Mirrors org.deeplearning4j.nn.conf.layers.Cnn3DLossLayer."""

    FIELDS = (Field("dataFormat", EnumCodec(Convolution3DDataFormat), default=Convolution3DDataFormat.NCDHW, missing=None),)

    def setNIn(self, inputType, override=False):
        pass

    def getPreProcessorForInputType(self, inputType):
        return None


@register
class Yolo2OutputLayer(NoParamLayer):
    """Mirrors org.deeplearning4j.nn.conf.layers.objdetect.Yolo2OutputLayer (boundingBoxes: [nBoxes, 2] priors)."""

    dl4jClass = "org.deeplearning4j.nn.conf.layers.objdetect.Yolo2OutputLayer"
    GN_THRESHOLD = 1.0
    FIELDS = (Field("boundingBoxes", NDARRAY), Field("format", EnumCodec(CNN2DFormat), default=CNN2DFormat.NCHW),
              Field("lambdaCoord", DOUBLE, default=5.0, missing=0.0), Field("lambdaNoObj", DOUBLE, default=0.5, missing=0.0),
              Field("lossClassPredictions", poly(LOSSES), default=LossL2, missing=None),
              Field("lossPositionScale", poly(LOSSES), default=LossL2, missing=None))
    SETTERS = {"boundingBoxPriors": lambda self, v: setattr(self, "boundingBoxes", NDARRAY.coerce(v))}
