"""Keras Embedding, BatchNormalization, advanced activations, noise layers, LRN / PoolHelper and
LocallyConnected1D.

Mirrors org.deeplearning4j.nn.modelimport.keras.layers.{embeddings.KerasEmbedding,
normalization.KerasBatchNormalization, advanced.activations.*, noise.*, custom.*, local.KerasLocallyConnected1D,
local.KerasLocallyConnected2D}.
"""

from __future__ import annotations

import numpy as np

from pydl4j_transfer.conf import (ActivationLayer, ActivationELU, ActivationLReLU, ActivationReLU, ActivationSoftmax,
                                  ActivationThresholdedReLU, AlphaDropout, BatchNormalization, DropoutLayer,
                                  EmbeddingSequenceLayer, GaussianDropout, GaussianNoise, LocalResponseNormalization,
                                  LocallyConnected1D, LocallyConnected2D, PReLULayer, PoolHelperVertex)
from pydl4j_transfer.conf.enums import CNN2DFormat, RNNFormat
from pydl4j_transfer.conf.values.activations import ActivationIdentity
from pydl4j_transfer.errors import InvalidKerasConfigurationError, UnsupportedKerasConfigurationError

from .. import values
from ..layer import DimOrder, KerasLayer, _int, dim_order_of, has_bias_of, n_out_of, register
from .convolutional import (convolution_mode_of, dilation_of, kernel_size_of, padding_from_border_mode,
                            stride_of)


def _one(layer, inputType, what):
    if len(inputType) > 1:
        raise InvalidKerasConfigurationError(f"Keras {what} layer accepts only one input (received {len(inputType)})",
                                             layer=layer.layerName)
    return inputType[0]


def _number(layer, key, default):
    v = layer.inner.get(key, default)
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise InvalidKerasConfigurationError(f"{key} must be a number, got {v!r:.40}", layer=layer.layerName)
    return float(v)


@register("Embedding")
class KerasEmbedding(KerasLayer):
    """Mirrors layers.embeddings.KerasEmbedding -> EmbeddingSequenceLayer (NWC output, no bias). With
    ``mask_zero`` DL4J zeroes the embedding of index 0 (its rows are otherwise Keras's weights as is)."""

    NUM_TRAINABLE_PARAMS = 1

    def __init__(self, layerConfig, enforceTrainingConfig=True, previousLayers=None):
        super().__init__(layerConfig, enforceTrainingConfig)
        conf, inner, v = self.conf, self.inner, self.kerasMajorVersion
        if conf.LAYER_FIELD_INPUT_DIM not in inner:
            raise InvalidKerasConfigurationError(f"Keras Embedding layer config missing {conf.LAYER_FIELD_INPUT_DIM} "
                                                 "field", layer=self.layerName)
        self.inputDim = _int(inner[conf.LAYER_FIELD_INPUT_DIM], conf.LAYER_FIELD_INPUT_DIM, self.layerName, minimum=1)
        if conf.LAYER_FIELD_INPUT_LENGTH not in inner:
            raise InvalidKerasConfigurationError(f"Keras Embedding layer config missing {conf.LAYER_FIELD_INPUT_LENGTH}"
                                                 " field", layer=self.layerName)
        length = inner[conf.LAYER_FIELD_INPUT_LENGTH]
        if isinstance(length, list):  # a shape: its first entry
            if not length:
                raise InvalidKerasConfigurationError(f"{conf.LAYER_FIELD_INPUT_LENGTH} must be an integer, null or a "
                                                     "non-empty list, got []; the model config is damaged or not what "
                                                     "Keras writes", layer=self.layerName)
            length = length[0]
        self.inputLength = 0 if length is None else _int(length, conf.LAYER_FIELD_INPUT_LENGTH, self.layerName,
                                                         minimum=0)
        self.inferInputLength = self.inputLength == 0
        if self.inferInputLength:
            self.inputLength = 1  # DL4J's dummy value so that shape inference works
        self.zeroMasking = bool(inner.get(conf.LAYER_FIELD_MASK_ZERO, True))
        init = values.weight_init_from_config(inner, conf.LAYER_FIELD_EMBEDDING_INIT, enforceTrainingConfig, v)
        constraint = values.constraint_from_config(inner, conf.LAYER_FIELD_EMBEDDINGS_CONSTRAINT, conf, v)
        b = EmbeddingSequenceLayer.Builder().name(self.layerName).nIn(self.inputDim).inputLength(self.inputLength) \
            .inferInputLength(self.inferInputLength).nOut(n_out_of(layerConfig, conf)).dropOut(self.dropout) \
            .activation(ActivationIdentity()).weightInit(init).biasInit(0.0).l1(self.weightL1Regularization) \
            .l2(self.weightL2Regularization).hasBias(False)
        if constraint is not None:
            b.constrainWeights(constraint)
        self.layer = b.build()
        self.layer.outputFormat = RNNFormat.NWC  # DL4J: Builder#outputDataFormat(RNNFormat.NWC)
        self.inputShape = [self.inputDim, 1]

    def isZeroMasking(self):
        return self.zeroMasking

    def getOutputType(self, *inputType):
        pre = self.getInputPreprocessor(inputType[0])
        t = pre.getOutputType(inputType[0]) if pre is not None else inputType[0]
        return self.layer.getOutputType(-1, t)

    def getNumParams(self):
        return self.NUM_TRAINABLE_PARAMS

    def setWeights(self, weights):
        key = self.conf.LAYER_FIELD_EMBEDDING_WEIGHTS
        weights = dict(weights)
        if "s" in weights:
            weights[key] = weights.pop("s")
        if key not in weights:
            raise InvalidKerasConfigurationError(f"Parameter {key} does not exist in weights", layer=self.layerName)
        kernel = np.array(weights[key], dtype=np.float32)
        if self.zeroMasking:
            kernel[0, :] = 0.0
        self.weights = {"W": kernel}


@register("BatchNormalization")
class KerasBatchNormalization(KerasLayer):
    """Mirrors layers.normalization.KerasBatchNormalization -> BatchNormalization (useLogStd false; gamma/beta,
    then Keras's moving mean / variance as DL4J's global mean / var)."""

    NUM_TRAINABLE_PARAMS = 4

    def __init__(self, layerConfig, enforceTrainingConfig=True, previousLayers=None):
        super().__init__(layerConfig, enforceTrainingConfig)
        conf, inner, v = self.conf, self.inner, self.kerasMajorVersion
        previous = previousLayers or {}
        fmt = CNN2DFormat.NCHW
        nodes = layerConfig.get(conf.LAYER_FIELD_INBOUND_NODES)
        if nodes:
            name = str(nodes[0][0][0])
            prev = previous.get(name)
            if prev is None:
                raise InvalidKerasConfigurationError(f"BatchNormalization input {name!r} is not a known layer",
                                                     layer=self.layerName)
            if dim_order_of(prev.originalLayerConfig, prev.conf) in (DimOrder.NONE, DimOrder.TENSORFLOW) \
                    if prev.originalLayerConfig is not None else True:
                fmt = CNN2DFormat.NHWC
        elif previous:
            # DL4J takes the first layer of its HashMap<String, KerasLayer> (Java's iteration order), and since a
            # layer's dim order is never null, always NHWC with that layer's dim order
            from pydl4j_transfer.conf.javautil import capacity_for, hash_order

            first = hash_order(list(previous), capacity_for(len(previous)))[0]
            self.dimOrder = previous[first].dimOrder
            fmt = CNN2DFormat.NHWC
        self.scale = bool(inner.get("scale", True))
        self.center = bool(inner.get("center", True))
        for reg in ("gamma_regularizer", "beta_regularizer"):
            if inner.get(reg) is not None:
                what = "gamma" if reg.startswith("gamma") else "beta"
                if enforceTrainingConfig:
                    raise UnsupportedKerasConfigurationError(f"Regularization for BatchNormalization {what} parameter "
                                                             "not supported", layer=self.layerName)
                values.log.warning("Regularization for BatchNormalization %s parameter not supported...ignoring.", what)
        mode = 0
        if v == 1:
            if "mode" not in inner:
                raise InvalidKerasConfigurationError("Keras BatchNorm layer config missing mode field",
                                                     layer=self.layerName)
            mode = _int(inner["mode"], "mode", self.layerName)
        if mode == 1:
            raise UnsupportedKerasConfigurationError("Keras BatchNormalization mode 1 (sample-wise) not supported",
                                                     layer=self.layerName)
        if mode == 2:
            raise UnsupportedKerasConfigurationError("Keras BatchNormalization (per-batch statistics during testing) 2 "
                                                     "not supported", layer=self.layerName)
        beta_c = values.constraint_from_config(inner, conf.LAYER_FIELD_BATCHNORMALIZATION_BETA_CONSTRAINT, conf, v)
        gamma_c = values.constraint_from_config(inner, conf.LAYER_FIELD_BATCHNORMALIZATION_GAMMA_CONSTRAINT, conf, v)
        for key in ("momentum", "epsilon"):
            if key not in inner:
                raise InvalidKerasConfigurationError(f"Keras BatchNorm layer config missing {key} field",
                                                     layer=self.layerName)
        b = BatchNormalization.Builder().name(self.layerName).dropOut(self.dropout).minibatch(True) \
            .lockGammaBeta(False).useLogStd(False).decay(_number(self, "momentum", None)) \
            .eps(_number(self, "epsilon", None))
        if beta_c is not None:
            b.constrainBeta(beta_c)
        if gamma_c is not None:
            b.constrainGamma(gamma_c)
        layer = b.build()
        layer.cnn2DFormat = fmt
        self.layer = layer

    def getOutputType(self, *inputType):
        return self.layer.getOutputType(-1, _one(self, inputType, "BatchNorm"))

    def getNumParams(self):
        return self.NUM_TRAINABLE_PARAMS

    def setWeights(self, weights):
        conf = self.conf
        out = {}
        if self.center:
            if "beta" not in weights:
                raise InvalidKerasConfigurationError("Parameter beta does not exist in weights", layer=self.layerName)
            out["beta"] = weights["beta"]
        else:
            out["beta"] = np.zeros_like(np.asarray(weights["beta"]))
        if self.scale:
            if "gamma" not in weights:
                raise InvalidKerasConfigurationError("Parameter gamma does not exist in weights", layer=self.layerName)
            out["gamma"] = weights["gamma"]
        else:
            out["gamma"] = np.ones_like(np.asarray(weights["gamma"] if "gamma" in weights else weights["beta"]))
        for key, dkey in ((conf.LAYER_FIELD_BATCHNORMALIZATION_MOVING_MEAN, "mean"),
                          (conf.LAYER_FIELD_BATCHNORMALIZATION_MOVING_VARIANCE, "var")):
            if key not in weights:
                raise InvalidKerasConfigurationError(f"Parameter {key} does not exist in weights", layer=self.layerName)
            out[dkey] = weights[key]
        self.weights = out


class _ActivationLayer(KerasLayer):
    def getOutputType(self, *inputType):
        return self.layer.getOutputType(-1, _one(self, inputType, "Activation"))

    def getActivationLayer(self):
        return self.layer


@register("LeakyReLU")
class KerasLeakyReLU(_ActivationLayer):
    """Mirrors layers.advanced.activations.KerasLeakyReLU -> ActivationLayer(LReLU(alpha))."""

    def __init__(self, layerConfig, enforceTrainingConfig=True, previousLayers=None):
        super().__init__(layerConfig, enforceTrainingConfig)
        self.layer = ActivationLayer.Builder().name(self.layerName) \
            .activation(ActivationLReLU(_number(self, "alpha", 0.01))).build()


@register("ELU")
class KerasELU(_ActivationLayer):
    """Mirrors layers.advanced.activations.KerasELU -> ActivationLayer(ELU(alpha))."""

    def __init__(self, layerConfig, enforceTrainingConfig=True, previousLayers=None):
        super().__init__(layerConfig, enforceTrainingConfig)
        self.layer = ActivationLayer.Builder().name(self.layerName) \
            .activation(ActivationELU(_number(self, "alpha", 1.0))).build()


@register("ThresholdedReLU")
class KerasThresholdedReLU(_ActivationLayer):
    """Mirrors layers.advanced.activations.KerasThresholdedReLU -> ActivationLayer(ThresholdedReLU(theta))."""

    def __init__(self, layerConfig, enforceTrainingConfig=True, previousLayers=None):
        super().__init__(layerConfig, enforceTrainingConfig)
        self.layer = ActivationLayer.Builder().name(self.layerName) \
            .activation(ActivationThresholdedReLU(_number(self, "theta", 1.0))).build()


@register("ReLU")
class KerasReLU(_ActivationLayer):
    """Mirrors layers.advanced.activations.KerasReLU -> ActivationLayer(ReLU(max_value, threshold, negative_slope))."""

    def __init__(self, layerConfig, enforceTrainingConfig=True, previousLayers=None):
        super().__init__(layerConfig, enforceTrainingConfig)
        inner = self.inner
        max_value = inner.get("max_value")
        max_value = None if max_value is None else _number(self, "max_value", None)
        self.layer = ActivationLayer.Builder().name(self.layerName) \
            .activation(ActivationReLU(max_value, _number(self, "threshold", 0.0),
                                       _number(self, "negative_slope", 0.0))).build()


@register("Softmax")
class KerasSoftmax(_ActivationLayer):
    """Mirrors layers.advanced.activations.KerasSoftmax -> ActivationLayer(Softmax)."""

    def __init__(self, layerConfig, enforceTrainingConfig=True, previousLayers=None):
        super().__init__(layerConfig, enforceTrainingConfig)
        self.layer = ActivationLayer.Builder().name(self.layerName).activation(ActivationSoftmax()).build()


@register("PReLU")
class KerasPReLU(KerasLayer):
    """Mirrors layers.advanced.activations.KerasPReLU -> PReLULayer (alpha: Keras's array, shared axes kept)."""

    def __init__(self, layerConfig, enforceTrainingConfig=True, previousLayers=None):
        super().__init__(layerConfig, enforceTrainingConfig)
        conf, inner, v = self.conf, self.inner, self.kerasMajorVersion
        constraint = values.constraint_from_config(inner, "alpha_constraint", conf, v)
        init = values.weight_init_from_config(inner, "alpha_initializer", enforceTrainingConfig, v)
        axes = inner.get("shared_axes")
        axes = [_int(a, "shared_axes entry", self.layerName) for a in axes] if isinstance(axes, list) else None
        b = PReLULayer.Builder().sharedAxes(axes).weightInit(init).name(self.layerName)
        if constraint is not None:
            b.constrainWeights(constraint)
        self.layer = b.build()

    def getOutputType(self, *inputType):
        t = _one(self, inputType, "PReLU")
        self.layer.inputShape = list(t.getShape())
        return self.layer.getOutputType(-1, t)

    def getPReLULayer(self):
        return self.layer

    def getNumParams(self):
        return 1

    def setWeights(self, weights):
        if "alpha" not in weights:
            raise InvalidKerasConfigurationError("Parameter alpha does not exist in weights", layer=self.layerName)
        self.weights = {"W": weights["alpha"]}


class _Noise(KerasLayer):
    FIELD = "rate"
    WHAT = ""

    def _value(self):
        field = getattr(self.conf, self.FIELD) if self.FIELD.isupper() else self.FIELD
        if field not in self.inner:
            raise InvalidKerasConfigurationError(f"Keras configuration does not contain parameter{field}needed for "
                                                 f"{self.WHAT}", layer=self.layerName)
        return _number(self, field, None)

    def getOutputType(self, *inputType):
        return self.layer.getOutputType(-1, _one(self, inputType, self.WHAT))


@register("AlphaDropout")
class KerasAlphaDropout(_Noise):
    """Mirrors layers.noise.KerasAlphaDropout -> DropoutLayer(AlphaDropout(1 - rate))."""

    WHAT = "AlphaDropout"

    def __init__(self, layerConfig, enforceTrainingConfig=True, previousLayers=None):
        super().__init__(layerConfig, enforceTrainingConfig)
        self.layer = DropoutLayer.Builder().name(self.layerName).dropOut(AlphaDropout(1 - self._value())).build()


@register("GaussianDropout")
class KerasGaussianDropout(_Noise):
    """Mirrors layers.noise.KerasGaussianDropout -> DropoutLayer(GaussianDropout(1 - rate))."""

    WHAT = "GaussianDropout"

    def __init__(self, layerConfig, enforceTrainingConfig=True, previousLayers=None):
        super().__init__(layerConfig, enforceTrainingConfig)
        self.layer = DropoutLayer.Builder().name(self.layerName).dropOut(GaussianDropout(1 - self._value())).build()


@register("GaussianNoise")
class KerasGaussianNoise(_Noise):
    """Mirrors layers.noise.KerasGaussianNoise -> DropoutLayer(GaussianNoise(stddev))."""

    FIELD = "LAYER_FIELD_GAUSSIAN_VARIANCE"
    WHAT = "GaussianNoise"

    def __init__(self, layerConfig, enforceTrainingConfig=True, previousLayers=None):
        super().__init__(layerConfig, enforceTrainingConfig)
        self.layer = DropoutLayer.Builder().name(self.layerName).dropOut(GaussianNoise(self._value())).build()


class KerasLRN(KerasLayer):
    """Mirrors layers.custom.KerasLRN -> LocalResponseNormalization (DL4J registers it only as a custom layer:
    ``KerasLayer.registerCustomLayer("LRN", KerasLRN)``)."""

    def __init__(self, layerConfig, enforceTrainingConfig=True, previousLayers=None):
        super().__init__(layerConfig, enforceTrainingConfig)
        self.layer = LocalResponseNormalization.Builder().name(self.layerName).dropOut(self.dropout) \
            .alpha(_number(self, "alpha", None)).beta(_number(self, "beta", None)).k(int(_number(self, "k", None))) \
            .n(int(_number(self, "n", None))).build()

    def getOutputType(self, *inputType):
        return self.layer.getOutputType(-1, _one(self, inputType, "LRN"))


class KerasPoolHelper(KerasLayer):
    """Mirrors layers.custom.KerasPoolHelper -> PoolHelperVertex (custom-registered, as in DL4J)."""

    def __init__(self, layerConfig, enforceTrainingConfig=True, previousLayers=None):
        super().__init__(layerConfig, enforceTrainingConfig)
        self.vertex = PoolHelperVertex()

    def getOutputType(self, *inputType):
        return self.vertex.getOutputType(-1, *inputType)


def _locally_connected(mapper, builder, layerConfig, enforce, dims):
    """KerasLocallyConnected1D/2D's constructor: DL4J's builder calls, in its order (the weight init goes to the
    Keras weight's name, ``weightInit("kernel", init)``, as DL4J does)."""
    conf, inner, v = mapper.conf, mapper.inner, mapper.kerasMajorVersion
    mapper.hasBias = has_bias_of(layerConfig, conf)
    mapper.numTrainableParams = 2 if mapper.hasBias else 1
    dilation = dilation_of(layerConfig, dims, conf, False)
    init = values.weight_init_from_config(inner, conf.LAYER_FIELD_INIT, enforce, v)
    kernel = kernel_size_of(layerConfig, dims, conf, v)
    stride = stride_of(layerConfig, dims, conf)
    builder.name(mapper.layerName).nOut(n_out_of(layerConfig, conf)).dropOut(mapper.dropout) \
        .activation(values.activation_from_config(inner, conf)).weightInit(conf.KERAS_PARAM_NAME_W, init) \
        .l1(mapper.weightL1Regularization).l2(mapper.weightL2Regularization) \
        .convolutionMode(convolution_mode_of(layerConfig, conf)) \
        .kernelSize(kernel[0] if dims == 1 else kernel).hasBias(mapper.hasBias) \
        .stride(stride[0] if dims == 1 else stride)
    padding = padding_from_border_mode(layerConfig, dims, conf, v)
    if padding is not None:
        builder.padding(padding[0] if dims == 1 else padding)
    if dilation is not None:
        builder.dilation(dilation[0] if dims == 1 else dilation)
    bias_c = values.constraint_from_config(inner, conf.LAYER_FIELD_B_CONSTRAINT, conf, v)
    weight_c = values.constraint_from_config(inner, conf.LAYER_FIELD_W_CONSTRAINT, conf, v)
    if bias_c is not None:
        builder.constrainBias(bias_c)
    if weight_c is not None:
        builder.constrainWeights(weight_c)
    return builder.build()


class _KerasLocallyConnected(KerasLayer):
    """Shared: the weights (DL4J copies the Keras kernel [positions, k*nIn, filters] as W unchanged: no
    transpose of its (kernel position, channel) feature order into DL4J's (channel, kernel position))."""

    def getNumParams(self):
        return self.numTrainableParams

    def setWeights(self, weights):
        self._set_kernel_and_bias(weights)

    def _one_type(self, inputType, expected, what):
        if len(inputType) > 1:
            raise InvalidKerasConfigurationError(
                f"Keras Convolution layer accepts only one input (received {len(inputType)})", layer=self.layerName)
        t = inputType[0]
        if t is None or t.type != expected:
            raise InvalidKerasConfigurationError(
                f"Keras {what} needs a {expected} input, got {t} (DL4J: ClassCastException)", layer=self.layerName)
        return t

    def _output_type(self, t):
        pre = self.getInputPreprocessor(t)
        return self.layer.getOutputType(-1, pre.getOutputType(t) if pre is not None else t)


@register("LocallyConnected1D")
class KerasLocallyConnected1D(_KerasLocallyConnected):
    """Mirrors layers.local.KerasLocallyConnected1D -> LocallyConnected1D (DL4J's NCW layer, whatever the Keras
    data format: DL4J adds no permute, so TensorFlow-ordered inputs reach it as they are)."""

    def __init__(self, layerConfig, enforceTrainingConfig=True, previousLayers=None):
        super().__init__(layerConfig, enforceTrainingConfig)
        self.layer = _locally_connected(self, LocallyConnected1D.Builder(), layerConfig, enforceTrainingConfig, 1)

    def getLocallyConnected1DLayer(self):
        return self.layer

    def getOutputType(self, *inputType):
        """Mirrors getOutputType: inputSize, nIn (the Lombok setter) and computeOutputSize from the input, then the
        layer's output type."""
        t = self._one_type(inputType, "RNN", "LocallyConnected1D")
        self.layer.setInputSize(int(t.timeSeriesLength))
        self.layer.setNIn(int(t.size))
        self.layer.computeOutputSize()
        return self._output_type(t)


class KerasLocallyConnected2D(_KerasLocallyConnected):
    """Mirrors layers.local.KerasLocallyConnected2D -> LocallyConnected2D. DL4J M2.1 has the class but its importer
    does not map "LocallyConnected2D" to it (KerasLayerUtils: "Unsupported keras layer type LocallyConnected2D");
    so here: not registered, usable with ``KerasLayer.registerCustomLayer("LocallyConnected2D",
    KerasLocallyConnected2D)`` as in DL4J."""

    def __init__(self, layerConfig, enforceTrainingConfig=True, previousLayers=None):
        super().__init__(layerConfig, enforceTrainingConfig)
        self.layer = _locally_connected(self, LocallyConnected2D.Builder(), layerConfig, enforceTrainingConfig, 2)

    def getLocallyConnected2DLayer(self):
        return self.layer

    def getOutputType(self, *inputType):
        t = self._one_type(inputType, "CNN", "LocallyConnected2D")
        self.layer.setInputSize([int(t.height), int(t.width)])
        self.layer.setNIn(int(t.channels))
        self.layer.computeOutputSize()
        return self._output_type(t)


@register("TensorFlowOpLayer", versions=(2,))
class KerasTFOpLayer(KerasLayer):
    """Mirrors layers.KerasTFOpLayer: DL4J runs the op through TensorFlow (nd4j-tensorflow), which this package does
    not have; the import stops with an UnsupportedKerasConfiguration error."""

    def __init__(self, layerConfig, enforceTrainingConfig=True, previousLayers=None):
        super().__init__(layerConfig, enforceTrainingConfig)
        raise UnsupportedKerasConfigurationError(
            "TensorFlowOpLayer needs TensorFlow to run its op (DL4J: nd4j-tensorflow); not supported here. Register a "
            "mapper with KerasLayer.registerCustomLayer('TensorFlowOpLayer', ...) to map it", layer=self.layerName)


_ = (np, RNNFormat)
