"""KerasLayer: the base of every Keras-class mapper, and the registry keyed by the Keras class name.

Mirrors org.deeplearning4j.nn.modelimport.keras.KerasLayer and the parts of KerasLayerUtils that read a layer's
config. One mapper class per Keras class, registered with ``@register("Dense", "TimeDistributedDense")``
(optionally only for one Keras major version, ``@register("Conv2D", versions=(2,))``): where DL4J's
``KerasLayerUtils#getKerasLayerFromConfig`` is an if-chain over class names, this is one dictionary lookup.

A mapper turns one Keras layer config into a DL4J layer (``self.layer``), a graph vertex (``self.vertex``) or an
input preprocessor (``isInputPreProcessor()``), infers its output :class:`~pydl4j_transfer.conf.InputType` and
rearranges its Keras weights into DL4J's parameter layout (``setWeights``).

User hooks (DL4J's names): ``KerasLayer.registerCustomLayer("MyLayer", MyMapper)`` for a Keras class DL4J does
not know, ``KerasLayer.registerLambdaLayer("lambda_1", layer)`` for a Keras ``Lambda`` layer. A Lambda layer's
config holds marshalled Python bytecode; it is never unmarshalled or run: the user registers the function.
"""

from __future__ import annotations

import enum
import logging

from pydl4j_transfer.errors import InvalidKerasConfigurationError, UnsupportedKerasConfigurationError

from . import values
from .config import layer_configuration

log = logging.getLogger(__name__)

#: (Keras major version, Keras class name) -> mapper class
_REGISTRY: dict = {}


def register(*class_names, versions=(1, 2)):
    """Decorator: the mapper for these Keras class names (for the given Keras major versions)."""
    def deco(cls):
        for v in versions:
            for name in class_names:
                key = (v, name)
                if key in _REGISTRY:
                    raise InvalidKerasConfigurationError(
                        f"duplicate Keras mapper for {name!r} (Keras {v}): {_REGISTRY[key].__name__} and {cls.__name__}")
                _REGISTRY[key] = cls
        cls.KERAS_CLASSES = tuple(dict.fromkeys(getattr(cls, "KERAS_CLASSES", ()) + class_names))
        return cls
    return deco


def registered() -> dict:
    """{(Keras major version, Keras class name): mapper class} (a copy; the docs' support table)."""
    return dict(_REGISTRY)


class DimOrder(enum.Enum):
    """Mirrors KerasLayer.DimOrder."""

    NONE = "NONE"
    THEANO = "THEANO"
    TENSORFLOW = "TENSORFLOW"


# ---------------------------------------------------------------------------------------- config readers


def inner_config(layerConfig: dict, conf) -> dict:
    """Mirrors KerasLayerUtils#getInnerLayerConfigFromConfig."""
    inner = layerConfig.get(conf.LAYER_FIELD_CONFIG) if isinstance(layerConfig, dict) else None
    if not isinstance(inner, dict):
        raise InvalidKerasConfigurationError(f"Field {conf.LAYER_FIELD_CONFIG} missing from layer config")
    return inner


def class_name_of(layerConfig: dict, conf) -> str:
    """Mirrors KerasLayerUtils#getClassNameFromConfig."""
    name = layerConfig.get(conf.LAYER_FIELD_CLASS_NAME) if isinstance(layerConfig, dict) else None
    if not isinstance(name, str):
        raise InvalidKerasConfigurationError(f"Field {conf.LAYER_FIELD_CLASS_NAME} missing from layer config")
    return name


def layer_name_of(layerConfig: dict, conf) -> str:
    """Mirrors KerasLayerUtils#getLayerNameFromConfig (TensorFlowOpLayer: the outer name)."""
    if getattr(conf, "TENSORFLOW_OP_LAYER", None) == class_name_of(layerConfig, conf):
        name = layerConfig.get(conf.LAYER_FIELD_NAME)
    else:
        name = inner_config(layerConfig, conf).get(conf.LAYER_FIELD_NAME)
    if not isinstance(name, str):
        raise InvalidKerasConfigurationError(f"Field {conf.LAYER_FIELD_NAME} missing from layer config")
    return name


def time_distributed_config(layerConfig: dict, conf) -> dict:
    """Mirrors KerasLayerUtils#getTimeDistributedLayerConfig: TimeDistributed(X) is imported as X."""
    outer = inner_config(layerConfig, conf)
    inner_layer = outer.get(conf.LAYER_FIELD_LAYER)
    if not isinstance(inner_layer, dict):
        raise InvalidKerasConfigurationError("TimeDistributed layer config has no wrapped layer")
    layerConfig[conf.LAYER_FIELD_CLASS_NAME] = class_name_of(inner_layer, conf)
    inner = dict(inner_config(inner_layer, conf))
    inner[conf.LAYER_FIELD_NAME] = outer.get(conf.LAYER_FIELD_NAME)
    outer.update(inner)
    outer.pop(conf.LAYER_FIELD_LAYER, None)
    return layerConfig


def _int(v, what, layer=None, minimum=None):
    """A config value that must be an integer (an integral float passes, as Keras 1 writes some sizes), at least
    ``minimum`` when given; InvalidKerasConfigurationError naming the field (and the layer) otherwise."""
    if isinstance(v, bool) or not isinstance(v, (int, float)) or (isinstance(v, float) and not v.is_integer()):
        raise InvalidKerasConfigurationError(f"{what} must be an integer, got {v!r:.60}; the model config is "
                                             "damaged or not what Keras writes", layer=layer)
    if minimum is not None and v < minimum:
        raise InvalidKerasConfigurationError(f"{what} must be at least {minimum}, got {v!r:.60}; the model config "
                                             "is damaged or not what Keras writes", layer=layer)
    return int(v)


def input_shape_of(layerConfig: dict, conf):
    """Mirrors KerasLayerUtils#getInputShapeFromConfig (batch_input_shape without the batch axis; None -> 0)."""
    shape = inner_config(layerConfig, conf).get(conf.LAYER_FIELD_BATCH_INPUT_SHAPE)
    if shape is None:
        return None
    if not isinstance(shape, list) or not shape:
        raise InvalidKerasConfigurationError(f"batch_input_shape must be a list, got {shape!r:.60}")
    return [0 if d is None else _int(d, "batch_input_shape entry", minimum=0) for d in shape[1:]]


def dim_order_of(layerConfig: dict, conf) -> DimOrder:
    """Mirrors KerasLayerUtils#getDimOrderFromConfig (the model's backend, then the layer's data_format)."""
    inner = inner_config(layerConfig, conf)
    order = DimOrder.NONE
    backend = layerConfig.get(conf.LAYER_FIELD_BACKEND)
    if backend in ("tensorflow", "cntk"):
        order = DimOrder.TENSORFLOW
    elif backend == "theano":
        order = DimOrder.THEANO
    fmt = inner.get(conf.LAYER_FIELD_DIM_ORDERING)
    if conf.LAYER_FIELD_DIM_ORDERING in inner:
        if fmt == conf.DIM_ORDERING_TENSORFLOW:
            order = DimOrder.TENSORFLOW
        elif fmt == conf.DIM_ORDERING_THEANO:
            order = DimOrder.THEANO
        else:
            log.warning("Keras layer has unknown Keras dimension order: %s", fmt)
    return order


def inbound_names_of(layerConfig: dict, conf) -> list:
    """Mirrors KerasLayerUtils#getInboundLayerNamesFromConfig (every node's every inbound layer, in order)."""
    out = []
    nodes = layerConfig.get(conf.LAYER_FIELD_INBOUND_NODES) or []
    if not isinstance(nodes, list):
        raise InvalidKerasConfigurationError(f"inbound_nodes must be a list, got {nodes!r:.60}")
    for node in nodes:
        if not isinstance(node, list):
            raise InvalidKerasConfigurationError(f"inbound node must be a list, got {node!r:.60}")
        for entry in node:
            if not isinstance(entry, list) or not entry:
                raise InvalidKerasConfigurationError(f"inbound node entry must be a list, got {entry!r:.60}")
            out.append(str(entry[0]))
    return out


def n_out_of(layerConfig: dict, conf) -> int:
    """Mirrors KerasLayerUtils#getNOutFromConfig."""
    inner = inner_config(layerConfig, conf)
    for field in (conf.LAYER_FIELD_OUTPUT_DIM, conf.LAYER_FIELD_EMBEDDING_OUTPUT_DIM, conf.LAYER_FIELD_NB_FILTER):
        if field in inner:
            return _int(inner[field], field, minimum=1)
    raise InvalidKerasConfigurationError(f"Could not determine number of outputs for layer: no "
                                         f"{conf.LAYER_FIELD_OUTPUT_DIM} or {conf.LAYER_FIELD_NB_FILTER} field found")


def n_in_from_input_dim(layerConfig: dict, conf):
    """Mirrors KerasLayerUtils#getNInFromInputDim (None when absent or not a number)."""
    v = inner_config(layerConfig, conf).get(conf.LAYER_FIELD_INPUT_DIM)
    return int(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None


def _rate(v, what):
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise InvalidKerasConfigurationError(f"{what} must be a number, got {v!r:.60}")
    return float(v)


def dropout_of(layerConfig: dict, conf) -> float:
    """Mirrors KerasLayerUtils#getDropoutFromConfig: DL4J's retain probability 1 - Keras's drop rate."""
    inner = inner_config(layerConfig, conf)
    if conf.LAYER_FIELD_DROPOUT in inner:
        return 1.0 - _rate(inner[conf.LAYER_FIELD_DROPOUT], conf.LAYER_FIELD_DROPOUT)
    if conf.LAYER_FIELD_DROPOUT_W in inner:
        return 1.0 - _rate(inner[conf.LAYER_FIELD_DROPOUT_W], conf.LAYER_FIELD_DROPOUT_W)
    return 1.0


def has_bias_of(layerConfig: dict, conf) -> bool:
    """Mirrors KerasLayerUtils#getHasBiasFromConfig."""
    return bool(inner_config(layerConfig, conf).get(conf.LAYER_FIELD_USE_BIAS, True))


def check_unsupported(layerConfig: dict, enforce: bool, conf) -> None:
    """Mirrors KerasLayerUtils#checkForUnsupportedConfigurations (bias regularizers, unknown regularizer fields)."""
    inner = inner_config(layerConfig, conf)
    breg = inner.get(conf.LAYER_FIELD_B_REGULARIZER)
    if isinstance(breg, dict):
        if conf.REGULARIZATION_TYPE_L1 in breg:
            raise UnsupportedKerasConfigurationError("L1 regularization for bias parameter not supported")
        if conf.REGULARIZATION_TYPE_L2 in breg:
            raise UnsupportedKerasConfigurationError("L2 regularization for bias parameter not supported")
    known = {conf.REGULARIZATION_TYPE_L1, conf.REGULARIZATION_TYPE_L2, conf.LAYER_FIELD_NAME,
             conf.LAYER_FIELD_CLASS_NAME, conf.LAYER_FIELD_CONFIG}
    for field in (conf.LAYER_FIELD_W_REGULARIZER, conf.LAYER_FIELD_B_REGULARIZER):
        reg = inner.get(field)
        if isinstance(reg, dict):
            for key in reg:
                if key not in known:
                    if enforce:
                        raise UnsupportedKerasConfigurationError(f"Unknown regularization field {key}")
                    log.warning("Ignoring unknown regularization field %s", key)


# ---------------------------------------------------------------------------------------- the base class


class KerasLayer:
    """Mirrors org.deeplearning4j.nn.modelimport.keras.KerasLayer.

    ``KerasLayer(layerConfig, enforceTrainingConfig, previousLayers)``: ``layerConfig`` is the Keras layer's
    JSON object with ``keras_version`` (and, for Keras 2, ``backend``) filled in by the model, as DL4J does.
    Subclasses set ``self.layer`` / ``self.vertex`` in ``__init__`` and override what differs.
    """

    #: user-registered mappers (KerasLayer.registerCustomLayer) and Lambda layers (registerLambdaLayer)
    customLayers: dict = {}
    lambdaLayers: dict = {}
    DimOrder = DimOrder

    def __init__(self, layerConfig: dict | None = None, enforceTrainingConfig: bool = True, previousLayers=None,
                 kerasVersion: int = 2):
        self.className = None
        self.layerName = None
        self.inputShape = None
        self.dimOrder = DimOrder.NONE
        self.inboundLayerNames: list = []
        self.outboundLayerNames: list = []
        self.layer = None
        self.vertex = None
        self.weights = None
        self.weightL1Regularization = 0.0
        self.weightL2Regularization = 0.0
        self.dropout = 1.0
        self.kerasMajorVersion = kerasVersion
        self.originalLayerConfig = layerConfig
        self.enforceTrainingConfig = bool(enforceTrainingConfig)
        self.conf = layer_configuration(kerasVersion if layerConfig is None else layerConfig.get("keras_version"))
        if layerConfig is None:
            return
        conf = self.conf
        self.kerasMajorVersion = int(layerConfig["keras_version"])
        self.className = class_name_of(layerConfig, conf)
        self.layerName = layer_name_of(layerConfig, conf)
        self.inputShape = input_shape_of(layerConfig, conf)
        self.dimOrder = dim_order_of(layerConfig, conf)
        self.inboundLayerNames = inbound_names_of(layerConfig, conf)
        self.outboundLayerNames = []
        inner = inner_config(layerConfig, conf)
        self.weightL1Regularization = values.weight_regularizer_from_config(
            inner, conf.LAYER_FIELD_W_REGULARIZER, conf.REGULARIZATION_TYPE_L1, conf)
        self.weightL2Regularization = values.weight_regularizer_from_config(
            inner, conf.LAYER_FIELD_W_REGULARIZER, conf.REGULARIZATION_TYPE_L2, conf)
        self.dropout = dropout_of(layerConfig, conf)
        check_unsupported(layerConfig, enforceTrainingConfig, conf)

    # ---- convenience for subclasses

    @property
    def inner(self) -> dict:
        """The layer's inner ``config`` object."""
        return inner_config(self.originalLayerConfig, self.conf)

    # ---- DL4J's static registration hooks

    @staticmethod
    def registerCustomLayer(layerName: str, configClass) -> None:
        """Mirrors KerasLayer#registerCustomLayer(String, Class): map Keras class ``layerName`` with ``configClass``
        (a KerasLayer subclass taking ``(layerConfig, enforceTrainingConfig, previousLayers)``)."""
        if not (isinstance(configClass, type) and issubclass(configClass, KerasLayer)):
            raise TypeError(f"registerCustomLayer needs a KerasLayer subclass, got {configClass!r}")
        KerasLayer.customLayers[str(layerName)] = configClass

    @staticmethod
    def clearCustomLayers() -> None:
        """Mirrors KerasLayer#clearCustomLayers."""
        KerasLayer.customLayers.clear()

    @staticmethod
    def registerLambdaLayer(lambdaLayerName: str, sameDiffLambdaLayer) -> None:
        """Mirrors KerasLayer#registerLambdaLayer(String, SameDiffLambdaLayer): the DL4J layer (a
        :class:`~pydl4j_transfer.conf.layers.samediff.SameDiffLambdaLayer` subclass whose ``defineLayer`` is a
        torch function) that replaces the Keras ``Lambda`` layer named ``lambdaLayerName``."""
        from pydl4j_transfer.conf.layers.samediff import SameDiffLambdaLayer

        if not isinstance(sameDiffLambdaLayer, SameDiffLambdaLayer):
            raise TypeError("registerLambdaLayer needs a SameDiffLambdaLayer instance (subclass it and define "
                            f"defineLayer / getOutputType), got {type(sameDiffLambdaLayer).__name__}")
        KerasLayer.lambdaLayers[str(lambdaLayerName)] = sameDiffLambdaLayer
        from pydl4j_transfer.conf.layers.base import LAYERS

        cls = type(sameDiffLambdaLayer)
        if cls.dl4jClass and cls.dl4jClass not in LAYERS:  # so a zip holding it reads back
            LAYERS.register(cls)
        try:  # the torch backend runs it through its defineLayer
            from pydl4j_transfer.torch_backend.layers.samediff import register_lambda_class
        except ImportError:  # pragma: no cover - torch missing: the conf still imports and writes
            return
        if cls.dl4jClass:
            register_lambda_class(cls)

    @staticmethod
    def clearLambdaLayers() -> None:
        """Mirrors KerasLayer#clearLambdaLayers."""
        KerasLayer.lambdaLayers.clear()

    # ---- DL4J's instance API

    def getClassName(self):
        return self.className

    def getLayerName(self):
        return self.layerName

    def getInputShape(self):
        return None if self.inputShape is None else list(self.inputShape)

    def getDimOrder(self):
        return self.dimOrder

    def setDimOrder(self, dimOrder):
        self.dimOrder = dimOrder

    def getInboundLayerNames(self) -> list:
        return self.inboundLayerNames

    def setInboundLayerNames(self, names):
        self.inboundLayerNames = list(names)

    def getKerasMajorVersion(self):
        return self.kerasMajorVersion

    def getNumParams(self) -> int:
        """Mirrors KerasLayer#getNumParams: how many Keras weight arrays the layer has (0: none)."""
        return 0

    def usesRegularization(self) -> bool:
        return self.weightL1Regularization > 0.0 or self.weightL2Regularization > 0.0 or self.dropout < 1.0

    def setWeights(self, weights: dict) -> None:
        """Mirrors KerasLayer#setWeights: Keras weight arrays (by Keras parameter name) -> DL4J params (by key)."""

    def getWeights(self):
        return self.weights

    def _set_kernel_and_bias(self, weights: dict, kernel=lambda w: w) -> None:
        """The common setWeights of DL4J's Dense / convolution / locally connected mappers: W from the Keras kernel
        (through ``kernel``, the layer's layout change), and b when the layer has a bias; a missing one is an error."""
        conf = self.conf
        self.weights = {}
        if conf.KERAS_PARAM_NAME_W not in weights:
            raise InvalidKerasConfigurationError(f"Parameter {conf.KERAS_PARAM_NAME_W} does not exist in weights",
                                                 layer=self.layerName)
        self.weights["W"] = kernel(weights[conf.KERAS_PARAM_NAME_W])
        if self.hasBias:
            if conf.KERAS_PARAM_NAME_B not in weights:
                raise InvalidKerasConfigurationError(f"Parameter {conf.KERAS_PARAM_NAME_B} does not exist in weights",
                                                     layer=self.layerName)
            self.weights["b"] = weights[conf.KERAS_PARAM_NAME_B]

    def isLayer(self) -> bool:
        return self.layer is not None

    def getLayer(self):
        return self.layer

    def setLayer(self, layer):
        self.layer = layer

    def isVertex(self) -> bool:
        return self.vertex is not None

    def getVertex(self):
        return self.vertex

    def isInputPreProcessor(self) -> bool:
        return False

    def getInputPreprocessor(self, *inputType):
        """Mirrors KerasLayer#getInputPreprocessor: the DL4J layer's own preprocessor for the input type."""
        if self.layer is None:
            return None
        if len(inputType) > 1:
            use = None
            for t in inputType:
                if t is not None:
                    if use is None:
                        use = t
                    elif use != t:
                        raise InvalidKerasConfigurationError(
                            f'Keras layer of type "{self.className}" accepts only one input', layer=self.layerName)
            if use is None:
                raise InvalidKerasConfigurationError(f'Keras layer of type "{self.className} did not have any inputs!',
                                                     layer=self.layerName)
            return self.layer.getPreProcessorForInputType(use)
        return self.layer.getPreProcessorForInputType(inputType[0])

    def getOutputType(self, *inputType):
        """Mirrors KerasLayer#getOutputType (subclasses override)."""
        raise UnsupportedKerasConfigurationError(f"Cannot determine output type for Keras layer of type "
                                                 f"{self.className}", layer=self.layerName)

    def isValidInboundLayer(self) -> bool:
        return (self.getLayer() is not None or self.getVertex() is not None
                or self.getInputPreprocessor() is not None or self.className == self.conf.LAYER_CLASS_NAME_INPUT)

    def copyWeightsToLayer(self, net, owner: str, layer_conf=None) -> None:
        """Mirrors KerasLayer#copyWeightsToLayer: check the key sets match, then set each DL4J param (reshaped
        when only the shape differs)."""
        import numpy as np

        if self.getNumParams() <= 0:
            return
        msg = f"Error when attempting to copy weights from Keras layer {self.layerName} to DL4J layer {owner}"
        if self.weights is None:
            raise InvalidKerasConfigurationError(msg + "(weights is null)", layer=self.layerName)
        full = net.paramTable()
        keys = layer_conf.paramKeys() if layer_conf is not None else \
            [k[len(owner) + 1:] for k in full if k.startswith(f"{owner}_")]
        table = {k: full[f"{owner}_{k}"] for k in keys if f"{owner}_{k}" in full}
        missing = set(table) - set(self.weights)
        if missing:
            raise InvalidKerasConfigurationError(
                msg + f"(no stored weights for parameters: {', '.join(sorted(missing))})", layer=self.layerName)
        extra = set(self.weights) - set(table)
        if extra:
            raise InvalidKerasConfigurationError(
                msg + f"(found no parameters named: {', '.join(sorted(extra))})", layer=self.layerName)
        for key, current in table.items():
            value = np.asarray(self.weights[key])
            if tuple(value.shape) != tuple(current.shape):
                if value.size != current.size:
                    raise InvalidKerasConfigurationError(
                        f"Tried to set weights for layer with name {self.layerName}, of "
                        f"{type(self.layer).__name__}. Failed to set weights for parameter {key}. Expected shape for this"
                        f" parameter: {list(current.shape)}, got: {list(value.shape)}", layer=self.layerName)
                # DL4J: variable.reshape(dl4jShape) -- a 'c'-order reshape of the Keras array
                value = value.reshape(current.shape)
            net.setParam(f"{owner}_{key}", value)

    def __repr__(self):
        return f"{type(self).__name__}({self.layerName!r})"


def layer_from_config(layerConfig: dict, enforceTrainingConfig: bool, conf, previousLayers: dict):
    """Mirrors KerasLayerUtils#getKerasLayerFromConfig: the mapper for one Keras layer config (registry lookup)."""
    class_name = class_name_of(layerConfig, conf)
    if class_name == conf.LAYER_CLASS_NAME_TIME_DISTRIBUTED:
        layerConfig = time_distributed_config(layerConfig, conf)
        class_name = class_name_of(layerConfig, conf)
    if class_name == conf.LAYER_CLASS_NAME_LAMBDA:
        name = layer_name_of(layerConfig, conf)
        lam = KerasLayer.lambdaLayers.get(name)
        if lam is None and class_name not in KerasLayer.customLayers:
            raise UnsupportedKerasConfigurationError(
                f"No SameDiff Lambda layer found for Lambda layer {name}. You can register a SameDiff Lambda layer using "
                "KerasLayer.registerLambdaLayer(lambdaLayerName, sameDiffLambdaLayer); (Keras Lambda layers store "
                "marshalled Python bytecode, which is never unmarshalled or executed here)", layer=name)
    version = layerConfig.get("keras_version")
    mapper = _REGISTRY.get((version, class_name)) or KerasLayer.customLayers.get(class_name)
    if class_name == conf.LAYER_CLASS_NAME_LAMBDA and layer_name_of(layerConfig, conf) not in KerasLayer.lambdaLayers:
        mapper = KerasLayer.customLayers.get(class_name)  # a custom mapper registered for Lambda itself
    if mapper is None:
        name = None
        try:
            name = layer_name_of(layerConfig, conf)
        except InvalidKerasConfigurationError:
            pass
        raise UnsupportedKerasConfigurationError(
            f"Unsupported keras layer type {class_name}. Register a mapper for it with "
            f"KerasLayer.registerCustomLayer({class_name!r}, YourKerasLayerSubclass)", layer=name)
    return mapper(layerConfig, enforceTrainingConfig, previousLayers)
