"""Layer base classes: Layer (LB), NoParamLayer (NP), BaseLayer (BL), FeedForwardLayer (FF).

JSON property groups as in dl4j-format.md §3.6. Parameters: ``paramSpecs()`` lists the
flat-vector layout (key, shape, order) in coefficients.bin order; ``paramKeys()`` is the
param-initializer (param table / ``variables``) order, which differs for conv layers
(flat: bias first; table: W first).
"""

from __future__ import annotations

import math
from collections import namedtuple

from pydl4j_transfer.errors import InvalidConfigurationError

from ..base import (ACTIVATIONS, CONSTRAINTS, DOUBLE, DROPOUTS, LAYERS, LONG, REGULARIZATIONS, STR, UPDATERS,
                    WEIGHT_INITS, WEIGHT_NOISES, ConfObject, EnumCodec, Field, array, enum_value, poly)
from ..enums import DataType, GradientNormalization, WeightInit
from ..javautil import hash_order
from ..preprocessors import preprocessor_for_feedforward
from ..values.activations import to_activation
from ..values.dropout import to_dropout
from ..values.regularization import L1Regularization, L2Regularization, WeightDecay
from ..values.updaters import to_updater
from ..values.weightinit import WeightInitDistribution, to_weight_init
from ..inputs import InputType

PKG = "org.deeplearning4j.nn.conf.layers."
NAN = math.nan

ParamSpec = namedtuple("ParamSpec", "key shape order")
ParamSpec.__doc__ = "One parameter's slice of the flat vector: key, shape, reshape order ('f' or 'c')."

GN = EnumCodec(GradientNormalization)


def _as_list(value):
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


def _constraint_setter(kind):
    def setter(self, value):
        self._pending_constraints[kind] = _as_list(value)
    return setter


def _dropout(self, value):
    # Layer.Builder.dropOut(double p): p = RETAIN probability; 0.0 means "no dropout"
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value == 0.0:
        self.iDropout = None
    else:
        self.iDropout = to_dropout(value)


def _with_long_overload(set_nin):
    """``setNIn(InputType, override)`` plus Lombok's ``setNIn(long)`` of a layer with an ``nIn`` field."""
    def setNIn(self, inputType, override=False):
        if isinstance(inputType, int) and not isinstance(inputType, bool):  # Java: setNIn(long nIn)
            self.nIn = int(inputType)
            return
        set_nin(self, inputType, override)
    setNIn.__doc__ = set_nin.__doc__ or "Mirrors Layer#setNIn(InputType, boolean) and the Lombok setter setNIn(long)."
    setNIn._long_overload = True
    return setNIn


class Layer(ConfObject):
    """Mirrors org.deeplearning4j.nn.conf.layers.Layer (properties: constraints, idropout, layerName).

    Facts about DL4J's *runtime* layer for this configuration, kept here as class attributes so no other
    module needs a table keyed by class names (summary, training, the runtime layer objects):
    """

    #: the simple name of the runtime class DL4J instantiates (``org.deeplearning4j.nn.layers...``); None: the
    #: configuration class's own name (DL4J's summary prints it)
    RUNTIME_NAME: str | None = None
    #: DL4J's runtime is a BaseWrapperLayer: ``conf()`` of the runtime layer is the wrapped layer's configuration
    RUNTIME_WRAPS = False
    #: DL4J's FrozenLayer / FrozenLayerWithBackprop runtime: parameters never updated (NoOp, no regularization,
    #: no constraints)
    FROZEN_PARAMS = False
    #: DL4J's class is a FeedForwardLayer (its summary prints nIn,nOut only for those)
    DL4J_FEED_FORWARD = False
    #: DL4J's calcRegularizationScore counts this layer's regularization (not for SameDiff layers: their runtime
    #: class keeps AbstractLayer's 0.0, though the updater applies the regularization)
    REGULARIZATION_IN_SCORE = True

    FIELDS = (Field("constraints", array(poly(CONSTRAINTS))),
              Field("idropout", poly(DROPOUTS), attr="iDropout"),
              Field("layerName", STR))
    SETTERS = {"name": lambda self, v: setattr(self, "layerName", v),
               "dropOut": _dropout, "dropout": _dropout,
               "constrainAllParameters": _constraint_setter("all"),
               "constrainWeights": _constraint_setter("weights"),
               "constrainBias": _constraint_setter("bias")}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        own = cls.__dict__.get("setNIn")
        if own is not None and not getattr(own, "_long_overload", False) and "nIn" in cls._attr_fields:
            cls.setNIn = _with_long_overload(own)

    def _init_state(self):
        self._pending_constraints = {}

    def _on_build(self):
        # Layer(Builder) -> initializeConstraints: clone each, params = the matching key set (a HashSet)
        pending, self._pending_constraints = self._pending_constraints, {}
        if not any(pending.values()):
            return
        out = []
        for kind, keys in (("all", self.paramKeys()), ("weights", self.weightKeys()), ("bias", self.biasKeys())):
            if pending.get(kind) and keys:
                for c in pending[kind]:
                    c2 = c.clone()
                    c2.params = hash_order(keys)
                    out.append(c2)
        if out:
            self.constraints = out

    # ---- parameters (DL4J ParamInitializer)

    def paramSpecs(self) -> list:
        """Flat-vector layout: [ParamSpec(key, shape, order)] in coefficients.bin order."""
        return []

    def paramShapes(self) -> dict:
        """{key: shape} in flat-vector order."""
        return {p.key: tuple(p.shape) for p in self.paramSpecs()}

    def numParams(self) -> int:
        """Mirrors ParamInitializer#numParams."""
        return sum(math.prod(p.shape) for p in self.paramSpecs())

    def paramKeys(self) -> list:
        """Mirrors ParamInitializer#paramKeys."""
        return [p.key for p in self.paramSpecs()]

    def paramTableKeys(self) -> list:
        """The order of DL4J's param table for this layer (the ParamInitializer's map, the order DL4J's updater
        and MultiLayerNetwork#summary walk): the flat-vector order except where a layer says otherwise."""
        return [p.key for p in self.paramSpecs()]

    def runtime_class_name(self) -> str:
        """The simple name of DL4J's runtime layer class (what DL4J's summary prints)."""
        return self.RUNTIME_NAME or type(self).__name__

    def constrained_layers(self, prefix: str = "") -> list:
        """[(param key prefix, layer conf)] whose ``constraints`` DL4J's runtime applies for this layer
        (Layer#applyConstraints; wrappers delegate, frozen layers apply none)."""
        return [(prefix, self)] if getattr(self, "constraints", None) else []

    def weightKeys(self) -> list:
        return [k for k in self.paramKeys() if k not in self.biasKeys()]

    def biasKeys(self) -> list:
        return [k for k in self.paramKeys() if k == "b"]

    def isBiasParam(self, key) -> bool:
        return key in self.biasKeys()

    def isPretrainParam(self, key) -> bool:
        return False

    def variables(self) -> list:
        """The keys DL4J's network init puts into this layer's NeuralNetConfiguration.variables."""
        return self.paramKeys()

    def getUpdaterByParam(self, key):
        """Mirrors Layer#getUpdaterByParam (no updater for parameter-less layers)."""
        return None

    # ---- shape inference (DL4J Layer#getOutputType / setNIn / getPreProcessorForInputType)

    def getOutputType(self, *args):
        """Mirrors Layer#getOutputType(layerIndex, inputType); ``getOutputType(inputType)`` also works."""
        return self._output_type(args[-1])

    def _output_type(self, inputType):
        return inputType

    def setNIn(self, inputType, override=False):
        """Mirrors Layer#setNIn(InputType, boolean)."""

    def getPreProcessorForInputType(self, inputType):
        """Mirrors Layer#getPreProcessorForInputType."""
        return None

    def getGradientNormalization(self):
        """Mirrors Layer#getGradientNormalization (TrainingConfig): None for a layer without that setting."""
        return GradientNormalization["None"]

    def getGradientNormalizationThreshold(self):
        """Mirrors Layer#getGradientNormalizationThreshold for a layer without that setting."""
        return 1.0

    def setDataType(self, dataType):
        """Mirrors Layer#setDataType: the network's data type, which DL4J hands every layer at init (not written
        to configuration.json, so it does not survive a save; the network's ``dataType`` is what is kept)."""
        self._dataType = enum_value(DataType, dataType)

    def _name(self):
        return self.layerName or type(self).__name__

    def _set_name(self, name):
        self.layerName = name

    def setLayerName(self, layerName):
        """Mirrors Layer#setLayerName (wrappers propagate the name to the wrapped layers)."""
        self._set_name(layerName)

    @property
    def dl4jSimpleName(self):
        return type(self).__name__


class NoParamLayer(Layer):
    """Mirrors org.deeplearning4j.nn.conf.layers.NoParamLayer.

    ``gradientNormalization``/``gradientNormalizationThreshold`` are read-only getters there
    (``None``/0.0): written, ignored on input.
    """

    GN_THRESHOLD = 0.0

    @classmethod
    def _ignored_keys(cls):
        return ("gradientNormalization", "gradientNormalizationThreshold")

    def _extra_tree_items(self):
        return (("gradientNormalization", "None"), ("gradientNormalizationThreshold", self.GN_THRESHOLD))

    @property
    def gradientNormalization(self):
        return GradientNormalization["None"]

    def getGradientNormalization(self):
        """Mirrors NoParamLayer#getGradientNormalization (always None)."""
        return GradientNormalization["None"]

    def getGradientNormalizationThreshold(self):
        """Mirrors NoParamLayer#getGradientNormalizationThreshold (0; Yolo2OutputLayer: 1)."""
        return self.GN_THRESHOLD


def _reg_setter(cls, attr, bias):
    def setter(self, value):
        lst = getattr(self, attr)
        if lst is None:
            lst = []
        lst[:] = [r for r in lst if not isinstance(r, cls)]
        if cls is WeightDecay:
            coeff, apply_lr = (value if isinstance(value, tuple) else (value, True))
            if coeff > 0.0:
                lst[:] = [r for r in lst if not isinstance(r, L2Regularization)]
                lst.append(WeightDecay(coeff, apply_lr))
        elif value > 0.0:
            if cls is L2Regularization:
                lst[:] = [r for r in lst if not isinstance(r, WeightDecay)]
            lst.append(cls(value))
        setattr(self, attr, lst)
    return setter


def _weight_init(self, value):
    if value is WeightInit.DISTRIBUTION or value == "DISTRIBUTION":
        raise InvalidConfigurationError("weightInit(WeightInit.DISTRIBUTION) is not supported: use weightInit(Distribution)")
    self.weightInitFn = to_weight_init(value)


REGULARIZATION_SETTERS = {
    "l1": _reg_setter(L1Regularization, "regularization", False),
    "l2": _reg_setter(L2Regularization, "regularization", False),
    "weightDecay": _reg_setter(WeightDecay, "regularization", False),
    "l1Bias": _reg_setter(L1Regularization, "regularizationBias", True),
    "l2Bias": _reg_setter(L2Regularization, "regularizationBias", True),
    "weightDecayBias": _reg_setter(WeightDecay, "regularizationBias", True),
}


class BaseLayer(Layer):
    """Mirrors org.deeplearning4j.nn.conf.layers.BaseLayer.

    Builder defaults leave the inheritable values unset (null / NaN) so that the network
    builder fills them from the global configuration; a key missing from JSON takes the Java
    field value instead (biasInit 0.0, gradientNormalization None, ...).
    """

    FIELDS = (Field("activationFn", poly(ACTIVATIONS)),
              Field("biasInit", DOUBLE, default=NAN, missing=0.0),
              Field("biasUpdater", poly(UPDATERS)),
              Field("gainInit", DOUBLE, default=NAN, missing=0.0),
              Field("gradientNormalization", GN, default=None, missing=GradientNormalization["None"]),
              Field("gradientNormalizationThreshold", DOUBLE, default=NAN, missing=1.0),
              Field("iupdater", poly(UPDATERS), attr="iUpdater"),
              Field("regularization", array(poly(REGULARIZATIONS)), default=[], missing=None),
              Field("regularizationBias", array(poly(REGULARIZATIONS)), default=[], missing=None),
              Field("weightInitFn", poly(WEIGHT_INITS)),
              Field("weightNoise", poly(WEIGHT_NOISES)))
    SETTERS = {"activation": lambda self, v: setattr(self, "activationFn", to_activation(v)),
               "weightInit": _weight_init,
               "dist": lambda self, v: setattr(self, "weightInitFn", WeightInitDistribution(v)),
               "updater": lambda self, v: setattr(self, "iUpdater", to_updater(v)),
               "biasUpdater": lambda self, v: setattr(self, "biasUpdater", to_updater(v)),
               **REGULARIZATION_SETTERS}

    def getUpdaterByParam(self, key):
        """Mirrors BaseLayer#getUpdaterByParam: biasUpdater for bias params when set, else iUpdater."""
        if self.biasUpdater is not None and self.isBiasParam(key):
            return self.biasUpdater
        return self.iUpdater


class FeedForwardLayer(BaseLayer):
    """Mirrors org.deeplearning4j.nn.conf.layers.FeedForwardLayer (adds nin, nout, timeDistributedFormat)."""

    DL4J_FEED_FORWARD = True

    FIELDS = (Field("nin", LONG, attr="nIn", default=0),
              Field("nout", LONG, attr="nOut", default=0),
              Field("timeDistributedFormat", STR))
    SETTERS = {"units": lambda self, v: setattr(self, "nOut", int(v))}

    def _output_type(self, inputType):

        if inputType is None or inputType.type not in ("FF", "CNNFlat", "RNN"):
            raise InvalidConfigurationError(f"{self._name()}: invalid input type {inputType} for a feed-forward layer")
        return InputType.feedForward(self.nOut, self.timeDistributedFormat)

    def setNIn(self, inputType, override=False):
        if self.nIn <= 0 or override:
            t = inputType.type
            if t == "FF":
                self.nIn = inputType.size
            elif t == "CNNFlat":
                self.nIn = inputType.getFlattenedSize()
            elif t == "RNN":
                self.nIn = inputType.size
            else:
                raise InvalidConfigurationError(f"{self._name()}: cannot set nIn from {inputType}")
        if inputType.type == "FF" and "timeDistributedFormat" in self._attr_fields:
            # M2.1 FeedForwardLayer#setNIn: a feed-forward input type's time-distributed format, always
            fmt = inputType.timeDistributedFormat
            self.timeDistributedFormat = getattr(fmt, "name", fmt)

    def getPreProcessorForInputType(self, inputType):
        return preprocessor_for_feedforward(inputType, self._name())


def dense_specs(n_in, n_out, has_bias=True):
    """DefaultParamInitializer layout: W [nIn, nOut] 'f' then b [nOut]."""
    specs = [ParamSpec("W", (n_in, n_out), "f")]
    if has_bias:
        specs.append(ParamSpec("b", (n_out,), "f"))
    return specs


def register(cls):
    """Register a layer class under PKG + its name unless it sets dl4jClass itself."""
    if "dl4jClass" not in cls.__dict__:
        cls.dl4jClass = PKG + cls.__name__
    if not cls.__doc__:
        cls.__doc__ = f"Mirrors {cls.dl4jClass}."
    return LAYERS.register(cls)


