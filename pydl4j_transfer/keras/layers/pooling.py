"""Keras pooling layers. Mirrors org.deeplearning4j.nn.modelimport.keras.layers.pooling.*."""

from __future__ import annotations

from pydl4j_transfer.conf import (FeedForwardToRnnPreProcessor, GlobalPoolingLayer, Subsampling1DLayer,
                                  Subsampling3DLayer, SubsamplingLayer)
from pydl4j_transfer.conf.enums import CNN2DFormat, PoolingType
from pydl4j_transfer.errors import InvalidKerasConfigurationError, UnsupportedKerasConfigurationError

from ..layer import DimOrder, KerasLayer, register
from .convolutional import cnn3d_format_of, convolution_mode_of, kernel_size_of, padding_from_border_mode, stride_of

#: KerasPoolingUtils#mapPoolingType (DL4J lists no 3-D global pooling here: those raise, as in DL4J)
POOLING_TYPES = {name: PoolingType.MAX for name in ("MaxPooling1D", "MaxPooling2D", "MaxPooling3D", "GlobalMaxPooling1D",
                                                    "GlobalMaxPooling2D")}
POOLING_TYPES.update({name: PoolingType.AVG for name in ("AveragePooling1D", "AveragePooling2D", "AveragePooling3D",
                                                         "GlobalAveragePooling1D", "GlobalAveragePooling2D")})

#: KerasPoolingUtils#mapGlobalPoolingDimensions: class -> (dims for TensorFlow/none ordering, for Theano)
GLOBAL_DIMS = {"1D": ([1], [2]), "2D": ([1, 2], [2, 3]), "3D": ([1, 2, 3], [2, 3, 4])}


def pooling_type(class_name, layer_name=None):
    if class_name not in POOLING_TYPES:
        raise UnsupportedKerasConfigurationError(f"Unsupported Keras pooling layer {class_name}", layer=layer_name)
    return POOLING_TYPES[class_name]


def _one(layer, inputType, what):
    if len(inputType) > 1:
        raise InvalidKerasConfigurationError(f"Keras {what} layer accepts only one input (received {len(inputType)})",
                                             layer=layer.layerName)
    return inputType[0]


@register("MaxPooling1D", "AveragePooling1D")
class KerasPooling1D(KerasLayer):
    """Mirrors layers.pooling.KerasPooling1D -> Subsampling1DLayer."""

    def __init__(self, layerConfig, enforceTrainingConfig=True, previousLayers=None):
        super().__init__(layerConfig, enforceTrainingConfig)
        conf, v = self.conf, self.kerasMajorVersion
        b = Subsampling1DLayer.Builder(pooling_type(self.className, self.layerName)).name(self.layerName) \
            .dropOut(self.dropout) \
            .dataFormat(CNN2DFormat.NHWC if self.dimOrder == DimOrder.TENSORFLOW else CNN2DFormat.NCHW) \
            .convolutionMode(convolution_mode_of(layerConfig, conf)) \
            .kernelSize(kernel_size_of(layerConfig, 1, conf, v)[0]).stride(stride_of(layerConfig, 1, conf)[0])
        padding = padding_from_border_mode(layerConfig, 1, conf, v)
        if padding is not None:
            b.padding(padding[0])
        self.layer = b.build()
        self.layer.defaultValueOverridden = True  # DL4J: setDefaultValueOverridden(true)

    def getOutputType(self, *inputType):
        return self.layer.getOutputType(-1, _one(self, inputType, "Subsampling 1D"))


@register("MaxPooling2D", "AveragePooling2D")
class KerasPooling2D(KerasLayer):
    """Mirrors layers.pooling.KerasPooling2D -> SubsamplingLayer."""

    def __init__(self, layerConfig, enforceTrainingConfig=True, previousLayers=None):
        super().__init__(layerConfig, enforceTrainingConfig)
        conf, v = self.conf, self.kerasMajorVersion
        b = SubsamplingLayer.Builder(pooling_type(self.className, self.layerName)).name(self.layerName) \
            .dropOut(self.dropout) \
            .dataFormat(CNN2DFormat.NHWC if self.dimOrder == DimOrder.TENSORFLOW else CNN2DFormat.NCHW) \
            .convolutionMode(convolution_mode_of(layerConfig, conf)) \
            .kernelSize(kernel_size_of(layerConfig, 2, conf, v)).stride(stride_of(layerConfig, 2, conf))
        padding = padding_from_border_mode(layerConfig, 2, conf, v)
        if padding is not None:
            b.padding(padding)
        self.layer = b.build()
        self.layer.defaultValueOverridden = True  # DL4J: setDefaultValueOverridden(true)

    def getOutputType(self, *inputType):
        return self.layer.getOutputType(-1, _one(self, inputType, "Subsampling 2D"))


@register("MaxPooling3D", "AveragePooling3D")
class KerasPooling3D(KerasLayer):
    """Mirrors layers.pooling.KerasPooling3D -> Subsampling3DLayer."""

    def __init__(self, layerConfig, enforceTrainingConfig=True, previousLayers=None):
        super().__init__(layerConfig, enforceTrainingConfig)
        conf, v = self.conf, self.kerasMajorVersion
        b = Subsampling3DLayer.Builder(pooling_type(self.className, self.layerName).name).name(self.layerName) \
            .dropOut(self.dropout).dataFormat(cnn3d_format_of(layerConfig, conf)) \
            .convolutionMode(convolution_mode_of(layerConfig, conf)) \
            .kernelSize(kernel_size_of(layerConfig, 3, conf, v)).stride(stride_of(layerConfig, 3, conf))
        padding = padding_from_border_mode(layerConfig, 3, conf, v)
        if padding is not None:
            b.padding(padding)
        self.layer = b.build()

    def getOutputType(self, *inputType):
        return self.layer.getOutputType(-1, _one(self, inputType, "Subsampling/Pooling 3D"))


@register("GlobalMaxPooling1D", "GlobalMaxPooling2D", "GlobalMaxPooling3D", "GlobalAveragePooling1D",
          "GlobalAveragePooling2D", "GlobalAveragePooling3D")
class KerasGlobalPooling(KerasLayer):
    """Mirrors layers.pooling.KerasGlobalPooling -> GlobalPoolingLayer (collapsed, Keras 2 style)."""

    def __init__(self, layerConfig, enforceTrainingConfig=True, previousLayers=None):
        super().__init__(layerConfig, enforceTrainingConfig)
        tf, th = GLOBAL_DIMS[self.className[-2:]]
        self.dimensions = th if self.dimOrder == DimOrder.THEANO else tf
        self.layer = GlobalPoolingLayer.Builder(pooling_type(self.className, self.layerName)) \
            .poolingDimensions(*self.dimensions).collapseDimensions(True).name(self.layerName) \
            .dropOut(self.dropout).build()

    def getInputPreprocessor(self, *inputType):
        t = _one(self, inputType, "GlobalPooling")
        if t.type == "FF" and len(self.dimensions) == 1:
            return FeedForwardToRnnPreProcessor()
        return self.layer.getPreProcessorForInputType(t)

    def getOutputType(self, *inputType):
        t = _one(self, inputType, "Subsampling")
        pre = self.getInputPreprocessor(t)
        return self.layer.getOutputType(-1, pre.getOutputType(t) if pre is not None else t)
