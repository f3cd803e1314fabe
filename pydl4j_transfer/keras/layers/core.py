"""Keras core layers: Input, Dense, Activation, Dropout, Flatten, Reshape, Permute, RepeatVector, Merge and its
Keras 2 classes, Masking, Lambda, SpatialDropout, and the loss layer DL4J appends for the training config.

Mirrors org.deeplearning4j.nn.modelimport.keras.layers.{KerasInput, KerasLoss} and layers.core.*.
"""

from __future__ import annotations

from pydl4j_transfer.conf import (CnnToFeedForwardPreProcessor, CnnLossLayer, Cnn3DToFeedForwardPreProcessor,
                                  DenseLayer, DropoutLayer, ElementWiseVertex, LossLayer, MaskZeroLayer, MergeVertex,
                                  RepeatVector, RnnLossLayer, SpatialDropout)
from pydl4j_transfer.conf.enums import CNN2DFormat, Convolution3DDataFormat, RNNFormat
from pydl4j_transfer.conf.inputs import InputType
from pydl4j_transfer.conf.values.activations import ActivationIdentity
from pydl4j_transfer.errors import InvalidKerasConfigurationError, UnsupportedKerasConfigurationError

from .. import values
from ..layer import DimOrder, KerasLayer, _int, has_bias_of, n_out_of, register

_PP = "org.deeplearning4j.preprocessors."


def _one_input(layer, inputType, what):
    if len(inputType) > 1:
        raise InvalidKerasConfigurationError(f"Keras {what} layer accepts only one input (received {len(inputType)})",
                                             layer=layer.layerName)
    return inputType[0]


@register("InputLayer")
class KerasInput(KerasLayer):
    """Mirrors org.deeplearning4j.nn.modelimport.keras.layers.KerasInput (also the placeholder input DL4J adds in
    front of a Sequential model whose first layer is not an InputLayer: ``KerasInput.placeholder``)."""

    NO_TRUNCATED_BPTT = 0

    def __init__(self, layerConfig=None, enforceTrainingConfig=True, previousLayers=None):
        super().__init__(layerConfig, enforceTrainingConfig)
        if layerConfig is not None:
            if self.inputShape is None:
                raise InvalidKerasConfigurationError("Keras InputLayer has no batch_input_shape", layer=self.layerName)
            self._check_rank()

    @classmethod
    def placeholder(cls, layerName, inputShape, kerasVersion=2):
        """Mirrors KerasInput(String layerName, int[] inputShape)."""
        obj = cls(None)
        obj.className = obj.conf.LAYER_CLASS_NAME_INPUT
        obj.layerName = layerName
        obj.inputShape = list(inputShape)
        obj._check_rank()
        return obj

    def _check_rank(self):
        if len(self.inputShape) > 4:
            raise UnsupportedKerasConfigurationError(f"Inputs with {len(self.inputShape)} dimensions not supported",
                                                     layer=self.layerName)

    def getOutputType(self, *inputType):
        s, order = self.inputShape, self.dimOrder
        n = len(s)
        if n == 1:
            return InputType.feedForward(s[0])
        if n == 2:
            if order == DimOrder.THEANO:  # NCW == channels_first
                return InputType.recurrent(s[0], s[1], RNNFormat.NCW)
            return InputType.recurrent(s[1], s[0], RNNFormat.NWC)  # NWC == channels_last (and the default)
        if n == 3:
            if order == DimOrder.TENSORFLOW:  # rows, cols, channels
                return InputType.convolutional(s[0], s[1], s[2], CNN2DFormat.NHWC)
            if order != DimOrder.THEANO:  # DL4J assumes Theano when the file names no ordering
                self.dimOrder = DimOrder.THEANO
            return InputType.convolutional(s[1], s[2], s[0], CNN2DFormat.NCHW)  # channels, rows, cols
        if n == 4:
            if order == DimOrder.TENSORFLOW:
                return InputType.convolutional3D(Convolution3DDataFormat.NDHWC, s[0], s[1], s[2], s[3])
            if order != DimOrder.THEANO:
                self.dimOrder = DimOrder.THEANO
            return InputType.convolutional3D(Convolution3DDataFormat.NCDHW, s[3], s[0], s[1], s[2])
        raise UnsupportedKerasConfigurationError(f"Inputs with {n} dimensions not supported", layer=self.layerName)

    def getTruncatedBptt(self) -> int:
        if len(self.inputShape) == 2 and self.inputShape[0] > 0:
            return self.inputShape[0]
        return self.NO_TRUNCATED_BPTT


class KerasLoss(KerasLayer):
    """Mirrors org.deeplearning4j.nn.modelimport.keras.layers.KerasLoss: the loss layer appended after an output
    when the training config is enforced (LossLayer / RnnLossLayer / CnnLossLayer by the output's type)."""

    def __init__(self, layerName, inboundLayerName, kerasLoss, enforceTrainingConfig=True, kerasVersion=2):
        super().__init__(None, kerasVersion=kerasVersion)
        self.className = "Loss"
        self.layerName = layerName
        self.inboundLayerNames = [inboundLayerName]
        try:
            self.loss = values.map_loss(kerasLoss)
        except UnsupportedKerasConfigurationError:
            if enforceTrainingConfig:
                raise
            values.log.warning("Unsupported Keras loss function. Replacing with MSE.")
            self.loss = values.map_loss("mse")

    _KIND = {"FF": LossLayer, "RNN": RnnLossLayer, "CNN": CnnLossLayer}

    def getLossLayer(self, inputType):
        cls = self._KIND.get(inputType.type)
        if cls is None:
            raise UnsupportedKerasConfigurationError(f"Unsupported output layer typegot : {inputType}",
                                                     layer=self.layerName)
        self.layer = cls.Builder(self.loss).name(self.layerName).activation(ActivationIdentity()).build()
        return self.layer

    def getOutputType(self, *inputType):
        if len(inputType) > 1:
            raise InvalidKerasConfigurationError(f"Keras Loss layer accepts only one input (received {len(inputType)})",
                                                 layer=self.layerName)
        return self.getLossLayer(inputType[0]).getOutputType(-1, inputType[0])


@register("Activation")
class KerasActivation(KerasLayer):
    """Mirrors layers.core.KerasActivation -> ActivationLayer."""

    def __init__(self, layerConfig, enforceTrainingConfig=True, previousLayers=None):
        super().__init__(layerConfig, enforceTrainingConfig)
        from pydl4j_transfer.conf import ActivationLayer

        self.layer = ActivationLayer.Builder().name(self.layerName) \
            .activation(values.activation_from_config(self.inner, self.conf)).build()

    def getOutputType(self, *inputType):
        return self.layer.getOutputType(-1, _one_input(self, inputType, "Activation"))


@register("Dense", "TimeDistributedDense")
class KerasDense(KerasLayer):
    """Mirrors layers.core.KerasDense -> DenseLayer (W: Keras's kernel [nIn, nOut] is DL4J's W as is)."""

    def __init__(self, layerConfig, enforceTrainingConfig=True, previousLayers=None):
        super().__init__(layerConfig, enforceTrainingConfig)
        conf, inner, v = self.conf, self.inner, self.kerasMajorVersion
        self.hasBias = has_bias_of(layerConfig, conf)
        self.numTrainableParams = 2 if self.hasBias else 1
        bias_c = values.constraint_from_config(inner, conf.LAYER_FIELD_B_CONSTRAINT, conf, v)
        weight_c = values.constraint_from_config(inner, conf.LAYER_FIELD_W_CONSTRAINT, conf, v)
        init = values.weight_init_from_config(inner, conf.LAYER_FIELD_INIT, enforceTrainingConfig, v)
        b = DenseLayer.Builder().name(self.layerName).nOut(n_out_of(layerConfig, conf)).dropOut(self.dropout) \
            .activation(values.activation_from_config(inner, conf)).weightInit(init).biasInit(0.0) \
            .l1(self.weightL1Regularization).l2(self.weightL2Regularization).hasBias(self.hasBias)
        if bias_c is not None:
            b.constrainBias(bias_c)
        if weight_c is not None:
            b.constrainWeights(weight_c)
        self.layer = b.build()

    def getOutputType(self, *inputType):
        pre = self.getInputPreprocessor(inputType[0])
        t = pre.getOutputType(inputType[0]) if pre is not None else inputType[0]
        return self.layer.getOutputType(-1, t)

    def getNumParams(self):
        return self.numTrainableParams

    def setWeights(self, weights):
        self._set_kernel_and_bias(weights)


@register("Dropout")
class KerasDropout(KerasLayer):
    """Mirrors layers.core.KerasDropout -> DropoutLayer (retain probability 1 - rate)."""

    def __init__(self, layerConfig, enforceTrainingConfig=True, previousLayers=None):
        super().__init__(layerConfig, enforceTrainingConfig)
        self.layer = DropoutLayer.Builder().name(self.layerName).dropOut(self.dropout).build()

    def getOutputType(self, *inputType):
        return self.layer.getOutputType(-1, _one_input(self, inputType, "Dropout"))


@register("SpatialDropout1D", "SpatialDropout2D", "SpatialDropout3D")
class KerasSpatialDropout(KerasLayer):
    """Mirrors layers.core.KerasSpatialDropout -> DropoutLayer(SpatialDropout(1 - rate))."""

    def __init__(self, layerConfig, enforceTrainingConfig=True, previousLayers=None):
        super().__init__(layerConfig, enforceTrainingConfig)
        rate = _rate_field(self, self.conf.LAYER_FIELD_RATE, "spatial dropout")
        self.layer = DropoutLayer.Builder().name(self.layerName).dropOut(SpatialDropout(1 - rate)).build()

    def getOutputType(self, *inputType):
        return self.layer.getOutputType(-1, _one_input(self, inputType, "SpatialDropout"))


def _rate_field(layer, field, what):
    inner = layer.inner
    if field not in inner:
        raise InvalidKerasConfigurationError(f"Keras configuration does not contain parameter{field}needed for {what}",
                                             layer=layer.layerName)
    v = inner[field]
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise InvalidKerasConfigurationError(f"{field} must be a number, got {v!r:.40}", layer=layer.layerName)
    return float(v)


@register("Flatten")
class KerasFlatten(KerasLayer):
    """Mirrors layers.core.KerasFlatten: a preprocessor (CNN: CnnToFeedForward in the layer's channel order; RNN:
    KerasFlattenRnnPreprocessor; FF: a no-op ReshapePreprocessor; CNN3D: Cnn3DToFeedForward)."""

    def isInputPreProcessor(self):
        return True

    def getInputPreprocessor(self, *inputType):
        t = _one_input(self, inputType, "Flatten")
        from pydl4j_transfer.conf.preprocessors import KerasFlattenRnnPreprocessor, ReshapePreprocessor

        if t.type == "CNN":
            # Keras flattens channels_last tensors in (h, w, c) order: NHWC keeps that order
            fmt = CNN2DFormat.NHWC if self.dimOrder == DimOrder.TENSORFLOW else CNN2DFormat.NCHW
            return CnnToFeedForwardPreProcessor(t.height, t.width, t.channels, fmt)
        if t.type == "RNN":
            return KerasFlattenRnnPreprocessor(t.size, t.timeSeriesLength)
        if t.type == "FF":
            return ReshapePreprocessor([t.size], [t.size], False, None)
        if t.type == "CNN3D":
            ncdhw = t.dataFormat == Convolution3DDataFormat.NCDHW
            return Cnn3DToFeedForwardPreProcessor(t.depth, t.height, t.width, t.channels,
                                                  ncdhw if self.dimOrder != DimOrder.TENSORFLOW else not ncdhw)
        return None

    def getOutputType(self, *inputType):
        pre = self.getInputPreprocessor(*inputType)
        return pre.getOutputType(inputType[0]) if pre is not None else inputType[0]


@register("Reshape")
class KerasReshape(KerasLayer):
    """Mirrors layers.core.KerasReshape: a ReshapePreprocessor, with DL4J's target-shape reorderings for
    Theano / Keras 1 files."""

    def __init__(self, layerConfig, enforceTrainingConfig=True, previousLayers=None):
        super().__init__(layerConfig, enforceTrainingConfig)
        ts = self.inner.get("target_shape")
        if ts is not None and (not isinstance(ts, list) or not ts):
            raise InvalidKerasConfigurationError(f"Reshape target_shape must be a non-empty list of sizes, got "
                                                 f"{ts!r:.60}; the model config is damaged or not what Keras writes",
                                                 layer=self.layerName)
        # -1: the one size Keras infers
        self.targetShape = None if ts is None else [_int(x, "Reshape target_shape entry", self.layerName, minimum=-1)
                                                    for x in ts]

    def isInputPreProcessor(self):
        return True

    def _theano(self):
        return self.dimOrder == DimOrder.THEANO or (self.dimOrder == DimOrder.NONE and self.kerasMajorVersion == 1)

    def getInputPreprocessor(self, *inputType):
        from pydl4j_transfer.conf.preprocessors import ReshapePreprocessor

        t = _one_input(self, inputType, "Reshape")
        ts = self.targetShape
        if ts is None:
            raise InvalidKerasConfigurationError("Keras Reshape layer has no target_shape", layer=self.layerName)
        if t.type == "CNN":
            shape = [t.channels, t.height, t.width]
            if self._theano():
                self._need_rank(ts, (2, 3), "a convolutional input (Theano ordering)")
                ts = [ts[1], ts[0]] if len(ts) == 2 else [ts[1], ts[0], ts[2]]
                self.targetShape = ts
                return ReshapePreprocessor(shape, ts, False, CNN2DFormat.NCHW)
            return ReshapePreprocessor(shape, ts, False, CNN2DFormat.NHWC)
        if t.type == "CNN3D":
            shape = [t.depth, t.height, t.width, t.channels]
            if self._theano():
                self._need_rank(ts, (3, 4), "a 3-D convolutional input (Theano ordering)")
                ts = [ts[1], ts[0], ts[2]] if len(ts) == 3 else [ts[2], ts[1], ts[0], ts[3]]
            elif shape[0] != ts[0]:
                self._need_rank(ts, (4,), "a 3-D convolutional input")
                ts = [ts[3], ts[0], ts[1], ts[2]]
            self.targetShape = ts
            return ReshapePreprocessor(shape, ts, False, None)
        if t.type == "RNN":
            return ReshapePreprocessor([t.size, t.timeSeriesLength], ts, False, None)
        if t.type == "FF":
            if len(ts) == 3:
                ts = self._target_for_dim_order([t.size], ts)
                self.targetShape = ts
            return ReshapePreprocessor([t.size], ts, False, None)
        return None

    def _need_rank(self, ts, ranks, what):
        if len(ts) not in ranks:
            raise InvalidKerasConfigurationError(
                f"Reshape target_shape {ts} after {what} must have {' or '.join(map(str, ranks))} entries; the model "
                "config is damaged or not what Keras writes", layer=self.layerName)

    def _target_for_dim_order(self, input_shape, ts):
        """Mirrors KerasReshape#targetShapeForDimOrder."""
        if self._theano():
            return [ts[2], ts[0], ts[1]] if self.dimOrder == DimOrder.NONE else [ts[1], ts[2], ts[0]]
        return list(ts)

    def getOutputType(self, *inputType):
        return self.getInputPreprocessor(*inputType).getOutputType(inputType[0])


@register("Permute")
class KerasPermute(KerasLayer):
    """Mirrors layers.core.KerasPermute: a PermutePreprocessor (CNN with TensorFlow ordering: DL4J's (1, 3, 2))."""

    def __init__(self, layerConfig, enforceTrainingConfig=True, previousLayers=None):
        super().__init__(layerConfig, enforceTrainingConfig)
        dims = self.inner.get("dims")
        if dims is not None and not isinstance(dims, list):
            raise InvalidKerasConfigurationError(f"Permute dims must be a list of axes, got {dims!r:.60}",
                                                 layer=self.layerName)
        self.permutationIndices = None if dims is None else [_int(d, "Permute dims entry") for d in dims]

    def isInputPreProcessor(self):
        return True

    def getInputPreprocessor(self, *inputType):
        from pydl4j_transfer.conf.preprocessors import PermutePreprocessor

        t = _one_input(self, inputType, "Permute")
        p = self.permutationIndices
        if t.type == "CNN":
            if p is None or len(p) != 3:
                raise InvalidKerasConfigurationError(f"Permute dims after a convolutional input must be 3 axes, got {p}",
                                                     layer=self.layerName)
            if self.dimOrder == DimOrder.THEANO:
                return PermutePreprocessor(*p)
            self.permutationIndices = [p[2], p[0], p[1]]
            return PermutePreprocessor(1, 3, 2)
        if t.type == "RNN":
            if p == [2, 1]:
                return PermutePreprocessor(*p)
            raise InvalidKerasConfigurationError(f"For RNN type input data, permutation dims have to be(2, 1) in Permute "
                                                 f"layer, got {p}", layer=self.layerName)
        if t.type == "FF":
            return None
        raise InvalidKerasConfigurationError(f"Input type not supported: {t}", layer=self.layerName)

    def getOutputType(self, *inputType):
        pre = self.getInputPreprocessor(*inputType)
        if pre is None:  # DL4J: NullPointerException on a feed-forward input
            raise InvalidKerasConfigurationError("Keras Permute layer on a feed-forward input", layer=self.layerName)
        return pre.getOutputType(inputType[0])


@register("RepeatVector")
class KerasRepeatVector(KerasLayer):
    """Mirrors layers.core.KerasRepeatVector -> org.deeplearning4j.nn.conf.layers.misc.RepeatVector (NWC)."""

    def __init__(self, layerConfig, enforceTrainingConfig=True, previousLayers=None):
        super().__init__(layerConfig, enforceTrainingConfig)
        n = self.inner.get(self.conf.LAYER_FIELD_REPEAT_MULTIPLIER)
        if isinstance(n, bool) or not isinstance(n, int):
            raise InvalidKerasConfigurationError(f"RepeatVector's n must be an integer, got {n!r:.40}",
                                                 layer=self.layerName)
        self.layer = RepeatVector.Builder().repetitionFactor(n).dataFormat(RNNFormat.NWC).name(self.layerName).build()

    def getOutputType(self, *inputType):
        return self.layer.getOutputType(-1, _one_input(self, inputType, "RepeatVector"))


_MERGE_MODES = {"sum": "Add", "mul": "Product", "concat": None, "ave": "Average", "max": "Max"}


class _KerasMergeBase(KerasLayer):
    """Mirrors layers.core.KerasMerge: MergeVertex (concatenation, with its axis) or ElementWiseVertex(op)."""

    OP = None

    def __init__(self, layerConfig, enforceTrainingConfig=True, previousLayers=None):
        super().__init__(layerConfig, enforceTrainingConfig)
        op = self._op()
        if op is None:
            self.vertex = MergeVertex()
            axis = self.inner.get(self.conf.LAYER_FIELD_CONSTRAINT_DIM, "absent")
            if axis != "absent":  # MergeVertex#setMergeAxis also marks the vertex modified
                self.vertex.mergeAxis = None if axis is None else _int(axis, self.conf.LAYER_FIELD_CONSTRAINT_DIM,
                                                                       self.layerName)
                self.vertex.modified = True
        else:
            self.vertex = ElementWiseVertex(op)

    def _op(self):
        return self.OP

    def getOutputType(self, *inputType):
        return self.vertex.getOutputType(-1, *inputType)


@register("Merge")
class KerasMerge(_KerasMergeBase):
    """Keras 1 ``Merge`` (its ``mode`` picks the vertex; cos and dot are not supported)."""

    def _op(self):
        inner = self.inner
        if "mode" not in inner:
            raise InvalidKerasConfigurationError("Keras Merge layer config missing mode field", layer=self.layerName)
        mode = inner["mode"]
        if mode not in _MERGE_MODES:
            raise UnsupportedKerasConfigurationError(f"Keras Merge layer mode {mode} not supported", layer=self.layerName)
        return _MERGE_MODES[mode]


def _merge(op, *names):
    cls = type(f"KerasMerge{op or 'Concatenate'}", (_KerasMergeBase,),
               {"OP": op, "__doc__": f"Keras {', '.join(names)} -> {'MergeVertex' if op is None else 'ElementWiseVertex.' + op}.",
                "__module__": __name__})
    return register(*names)(cls)


# DL4J's Keras 2 merge classes; the lower-case functional names are DL4J's constants too (it lists "add" only for
# Add's alias check, so lower-case "add" is not matched: kept as DL4J has it)
KerasAdd = _merge("Add", "Add")
KerasSubtract = _merge("Subtract", "Subtract", "subtract")
KerasAverage = _merge("Average", "Average", "average")
KerasMultiply = _merge("Product", "Multiply", "multiply")
KerasMaximum = _merge("Max", "Maximum", "maximum")
KerasConcatenate = _merge(None, "Concatenate", "concatenate")


@register("Masking")
class KerasMasking(KerasLayer):
    """Mirrors layers.core.KerasMasking -> MaskZeroLayer(IdentityLayer, mask_value)."""

    def __init__(self, layerConfig, enforceTrainingConfig=True, previousLayers=None):
        super().__init__(layerConfig, enforceTrainingConfig)
        from pydl4j_transfer.conf.layers.samediff import IdentityLayer

        inner = self.inner
        if self.conf.LAYER_FIELD_MASK_VALUE not in inner:
            raise InvalidKerasConfigurationError(f"No mask value found, field {self.conf.LAYER_FIELD_MASK_VALUE}",
                                                 layer=self.layerName)
        v = inner[self.conf.LAYER_FIELD_MASK_VALUE]
        self.maskingValue = float(v) if isinstance(v, float) else 0.0  # DL4J: (double) cast, 0.0 when it fails
        self.layer = MaskZeroLayer.Builder().setMaskValue(self.maskingValue) \
            .setUnderlying(IdentityLayer(self.layerName)).name(self.layerName).build()

    def getMaskingValue(self):
        return self.maskingValue

    def getOutputType(self, *inputType):
        return self.layer.getOutputType(-1, _one_input(self, inputType, "Masking"))


@register("Lambda")
class KerasLambda(KerasLayer):
    """Mirrors layers.core.KerasLambda: the user's registered SameDiffLambdaLayer (KerasLayer.registerLambdaLayer,
    checked by layer_from_config), renamed to the Keras layer. The Keras config's marshalled function is never read."""

    def __init__(self, layerConfig, enforceTrainingConfig=True, previousLayers=None, sameDiffLayer=None):
        super().__init__(layerConfig, enforceTrainingConfig)
        import copy

        if sameDiffLayer is None:
            sameDiffLayer = KerasLayer.lambdaLayers[self.layerName]
        layer = copy.deepcopy(sameDiffLayer)
        layer.setLayerName(self.layerName)
        self.layer = layer

    def getOutputType(self, *inputType):
        return self.layer.getOutputType(-1, inputType[0])


_ = (DenseLayer, ActivationIdentity)
