"""FineTuneConfiguration: the selective training-setting overrides of DL4J's transfer learning.

Mirrors ``org.deeplearning4j.nn.transferlearning.FineTuneConfiguration`` (1.0.0-M2.1).

Every field is tri-state, as in DL4J: ``None`` means "not set, leave the layer's value alone";
for DL4J's ``Optional`` fields (dropout, weightNoise, gradientNormalization, constraints) the
sentinel :data:`REMOVE` (DL4J's ``Optional.empty()``) means "set to null, i.e. remove"; any
other value means "set to this". ``l1(0)`` only drops L1 from the FTC's own list (DL4J quirk:
it sets no remove flag), while ``l2(0)``, ``l1Bias(0)``, ``l2Bias(0)``, ``weightDecay(0)`` and
``weightDecayBias(0)`` set a remove flag that strips that regularization from the layers.

JSON: ``toJson()`` writes what DL4J's Jackson mapper writes (``"type"`` first, then the
non-null fields alphabetically; an ``Optional`` field is written as ``{"present": bool}``,
which loses its value: a DL4J quirk). ``fromJson()`` reads that form; see
``docs/deviations.md`` for what a ``{"present": true}`` becomes.
"""

from __future__ import annotations

import copy
import logging
import math

from pydl4j_transfer.java_names import JavaNames
from pydl4j_transfer.errors import InvalidConfigurationError, MalformedConfigError

from . import jsonio, yamlio
from .javautil import Optional, hash_order
from .base import (ACTIVATIONS, CONSTRAINTS, DROPOUTS, REGULARIZATIONS, UPDATERS, WEIGHT_INITS, WEIGHT_NOISES, enum_value,
                   yaml_type_key)
from .enums import (AlgoMode, BackpropType, ConvolutionMode, GradientNormalization, OptimizationAlgorithm, WeightInit,
                    WorkspaceMode)
from .layers.base import BaseLayer
from .layers.convolution import ConvolutionLayer
from .layers.pooling import SubsamplingLayer
from .layers.wrappers import FrozenLayer
from .network import NeuralNetConfiguration, NeuralNetConfigurationBuilder
from .values.activations import to_activation
from .values.dropout import Dropout
from .values.regularization import L1Regularization, L2Regularization, WeightDecay
from .values.updaters import to_updater
from .values.weightinit import Distribution, WeightInitDistribution, to_weight_init

log = logging.getLogger(__name__)

TYPE = "org.deeplearning4j.nn.transferlearning.FineTuneConfiguration"


class _Remove:
    """DL4J's ``Optional.empty()``: the FTC sets the layer's value to null."""

    _inst = None

    def __new__(cls):
        if cls._inst is None:
            cls._inst = super().__new__(cls)
        return cls._inst

    def __repr__(self):
        return "REMOVE"

    def __deepcopy__(self, memo):
        return self


REMOVE = _Remove()

# (field, kind): how each field is written/read in DL4J's JSON
_OPTIONAL = ("constraints", "dropout", "gradientNormalization", "weightNoise")
_OBJ = {"activationFn": ACTIVATIONS, "weightInitFn": WEIGHT_INITS, "updater": UPDATERS, "biasUpdater": UPDATERS}
_ENUMS = {"optimizationAlgo": OptimizationAlgorithm, "convolutionMode": ConvolutionMode, "cudnnAlgoMode": AlgoMode,
          "backpropType": BackpropType, "trainingWorkspaceMode": WorkspaceMode,
          "inferenceWorkspaceMode": WorkspaceMode}
_FLOATS = ("biasInit", "gradientNormalizationThreshold")
_INTS = ("maxNumLineSearchIterations", "seed", "tbpttFwdLength", "tbpttBackLength")
_BOOLS = ("miniBatch", "minimize", "pretrain", "backprop")
_FLAGS = ("removeL1", "removeL1Bias", "removeL2", "removeL2Bias", "removeWD", "removeWDBias")
FIELDS = (tuple(_OBJ) + _OPTIONAL + tuple(_ENUMS) + _FLOATS + _INTS + _BOOLS + _FLAGS
          + ("regularization", "regularizationBias", "stepFunction"))


def _opt(value):
    return REMOVE if value is None else value


def _is_zero(p):
    return isinstance(p, (int, float)) and not isinstance(p, bool) and p == 0.0


def _remove_instances(lst, cls):
    if lst:
        lst[:] = [r for r in lst if not isinstance(r, cls)]


class FineTuneConfigurationBuilder(JavaNames):
    """Mirrors FineTuneConfiguration.Builder: every setter DL4J has, same names; ``build()``."""

    def __init__(self):
        self._f = {name: None for name in FIELDS}
        self._f["regularization"] = []
        self._f["regularizationBias"] = []
        for flag in _FLAGS:
            self._f[flag] = False

    def _set(self, **kw):
        self._f.update(kw)
        return self

    # ---- layer-level values
    def activation(self, activation):
        """Mirrors Builder#activation(IActivation | Activation)."""
        return self._set(activationFn=to_activation(activation))

    def weightInit(self, weightInit):
        """Mirrors Builder#weightInit(IWeightInit | WeightInit | Distribution)."""
        if weightInit is WeightInit.DISTRIBUTION or weightInit == "DISTRIBUTION":
            raise InvalidConfigurationError(
                "Not supported!, User weightInit(Distribution distribution) instead!  (FineTuneConfiguration.Builder"
                ".weightInit(WeightInit.DISTRIBUTION): pass the Distribution itself)")
        return self._set(weightInitFn=to_weight_init(weightInit))

    def dist(self, dist):
        """Mirrors the deprecated Builder#dist(Distribution) (= weightInit(dist))."""
        return self._set(weightInitFn=WeightInitDistribution(dist))

    def biasInit(self, biasInit):
        return self._set(biasInit=float(biasInit))

    def l1(self, l1):
        """Mirrors Builder#l1. Quirk kept: l1(<=0) does NOT strip an existing L1 from the model's layers."""
        _remove_instances(self._f["regularization"], L1Regularization)
        if l1 > 0.0:
            self._f["regularization"].append(L1Regularization(l1))
        return self

    def l2(self, l2):
        _remove_instances(self._f["regularization"], L2Regularization)
        if l2 > 0.0:
            _remove_instances(self._f["regularization"], WeightDecay)
            self._f["regularization"].append(L2Regularization(l2))
        else:
            self._f["removeL2"] = True
        return self

    def l1Bias(self, l1Bias):
        _remove_instances(self._f["regularizationBias"], L1Regularization)
        if l1Bias > 0.0:
            self._f["regularizationBias"].append(L1Regularization(l1Bias))
        else:
            self._f["removeL1Bias"] = True
        return self

    def l2Bias(self, l2Bias):
        _remove_instances(self._f["regularizationBias"], L2Regularization)
        if l2Bias > 0.0:
            _remove_instances(self._f["regularizationBias"], WeightDecay)
            self._f["regularizationBias"].append(L2Regularization(l2Bias))
        else:
            self._f["removeL2Bias"] = True
        return self

    def weightDecay(self, coefficient, applyLR=True):
        _remove_instances(self._f["regularization"], WeightDecay)
        if coefficient > 0.0:
            _remove_instances(self._f["regularization"], L2Regularization)
            self._f["regularization"].append(WeightDecay(coefficient, bool(applyLR)))
        else:
            self._f["removeWD"] = True
        return self

    def weightDecayBias(self, coefficient, applyLR=True):
        _remove_instances(self._f["regularizationBias"], WeightDecay)
        if coefficient > 0.0:
            _remove_instances(self._f["regularizationBias"], L2Regularization)
            self._f["regularizationBias"].append(WeightDecay(coefficient, bool(applyLR)))
        else:
            self._f["removeWDBias"] = True
        return self

    def dropout(self, dropout):
        """Mirrors Builder#dropout(IDropout): None removes dropout from the layers; a number p is Dropout(p)."""
        if isinstance(dropout, (int, float)) and not isinstance(dropout, bool):
            return self.dropOut(dropout)
        return self._set(dropout=_opt(dropout))

    def dropOut(self, inputRetainProbability):
        """Mirrors Builder#dropOut(double): p is the RETAIN probability; 0.0 removes dropout."""
        if _is_zero(inputRetainProbability):
            return self._set(dropout=REMOVE)
        return self._set(dropout=Dropout(float(inputRetainProbability)))

    def weightNoise(self, weightNoise):
        return self._set(weightNoise=_opt(weightNoise))

    def updater(self, updater):
        """Mirrors Builder#updater(IUpdater) and the deprecated updater(Updater) (default config of that enum)."""
        return self._set(updater=to_updater(updater))

    def biasUpdater(self, biasUpdater):
        return self._set(biasUpdater=to_updater(biasUpdater))

    def gradientNormalization(self, gradientNormalization):
        gn = REMOVE if gradientNormalization is None else enum_value(GradientNormalization, gradientNormalization)
        return self._set(gradientNormalization=gn)

    def gradientNormalizationThreshold(self, threshold):
        return self._set(gradientNormalizationThreshold=float(threshold))

    def constraints(self, constraints):
        return self._set(constraints=REMOVE if constraints is None else list(constraints))

    # ---- NeuralNetConfiguration-level values
    def miniBatch(self, miniBatch):
        return self._set(miniBatch=bool(miniBatch))

    def maxNumLineSearchIterations(self, n):
        return self._set(maxNumLineSearchIterations=int(n))

    def seed(self, seed):
        return self._set(seed=int(seed))

    def optimizationAlgo(self, optimizationAlgo):
        return self._set(optimizationAlgo=enum_value(OptimizationAlgorithm, optimizationAlgo))

    def stepFunction(self, stepFunction):
        """A step function as DL4J's JSON writes it (e.g. ``{"negativeDefault": {}}``), or its short name."""
        if isinstance(stepFunction, str):
            stepFunction = {stepFunction: {}}
        return self._set(stepFunction=copy.deepcopy(stepFunction))

    def minimize(self, minimize):
        return self._set(minimize=bool(minimize))

    def convolutionMode(self, convolutionMode):
        return self._set(convolutionMode=enum_value(ConvolutionMode, convolutionMode))

    def cudnnAlgoMode(self, cudnnAlgoMode):
        return self._set(cudnnAlgoMode=enum_value(AlgoMode, cudnnAlgoMode))

    def pretrain(self, pretrain):
        """Legacy; ignored everywhere (as in DL4J)."""
        return self._set(pretrain=bool(pretrain))

    def backprop(self, backprop):
        """Legacy; ignored everywhere (as in DL4J)."""
        return self._set(backprop=bool(backprop))

    # ---- network-level values
    def backpropType(self, backpropType):
        return self._set(backpropType=enum_value(BackpropType, backpropType))

    def tbpttFwdLength(self, n):
        return self._set(tbpttFwdLength=int(n))

    def tbpttBackLength(self, n):
        return self._set(tbpttBackLength=int(n))

    def trainingWorkspaceMode(self, mode):
        return self._set(trainingWorkspaceMode=enum_value(WorkspaceMode, mode))

    def inferenceWorkspaceMode(self, mode):
        return self._set(inferenceWorkspaceMode=enum_value(WorkspaceMode, mode))

    def build(self) -> "FineTuneConfiguration":
        ftc = FineTuneConfiguration.__new__(FineTuneConfiguration)
        ftc.__dict__.update(copy.deepcopy(self._f))
        return ftc


_SETTER_NAMES = [n for n in dir(FineTuneConfigurationBuilder) if not n.startswith("_") and n != "build"]


class FineTuneConfiguration(JavaNames):
    """Mirrors org.deeplearning4j.nn.transferlearning.FineTuneConfiguration.

    ``FineTuneConfiguration.Builder().updater(Adam(1e-3)).seed(42).build()`` or the keyword form
    ``FineTuneConfiguration(updater=Adam(1e-3), seed=42)`` (keywords are the builder's method names;
    ``l2=...``, ``dropOut=...``, ``weightDecay=(c, applyLR)`` ...). Fields are readable as attributes
    (``ftc.updater``, ``ftc.seed``); ``None`` = not set, :data:`REMOVE` = set to null.
    """

    def __init__(self, **kwargs):
        b = FineTuneConfigurationBuilder()
        for name, value in kwargs.items():
            if name not in _SETTER_NAMES:
                raise TypeError(f"FineTuneConfiguration has no setting {name!r}; the settings are {', '.join(_SETTER_NAMES)}")
            if isinstance(value, tuple) and name in ("weightDecay", "weightDecayBias"):
                getattr(b, name)(*value)
            else:
                getattr(b, name)(value)
        self.__dict__.update(b.build().__dict__)

    @staticmethod
    def Builder() -> FineTuneConfigurationBuilder:
        """Mirrors ``new FineTuneConfiguration.Builder()``."""
        return FineTuneConfigurationBuilder()

    builder = Builder

    # ---- equality (Lombok @Data: all fields)
    def _state(self):
        return {name: getattr(self, name) for name in FIELDS}

    def __eq__(self, other):
        if not isinstance(other, FineTuneConfiguration):
            return NotImplemented
        return self._state() == other._state()

    def __hash__(self):
        return hash(TYPE)

    def __repr__(self):
        parts = [f"{k}={v!r}" for k, v in self._state().items() if v not in (None, False, [])]
        return f"FineTuneConfiguration({', '.join(parts)})"

    def clone(self):
        return copy.deepcopy(self)


    # ---- application (mirrors applyToNeuralNetConfiguration)
    def applyToNeuralNetConfiguration(self, nnc: NeuralNetConfiguration) -> None:
        """Mirrors FineTuneConfiguration#applyToNeuralNetConfiguration: override, in place, only what is set.

        Dropout, activation, weight init, bias init, regularization (whole list replaced when the
        FTC's list is non-empty), remove flags, gradient normalization, updaters and weight noise go to
        BaseLayers only; constraints to any layer; convolutionMode to convolution and subsampling
        layers, cudnnAlgoMode to convolution layers; miniBatch, seed, ... to the NeuralNetConfiguration.
        Weight init changes the configuration only (kept params are not re-initialised).
        """
        layer = nnc.layer
        if layer is not None:
            if self.dropout is not None and isinstance(layer, BaseLayer):
                layer.iDropout = None if self.dropout is REMOVE else copy.deepcopy(self.dropout)
            if self.constraints is not None:
                _set_constraints(layer, None if self.constraints is REMOVE else copy.deepcopy(self.constraints))
        if isinstance(layer, BaseLayer):
            if self.activationFn is not None:
                layer.activationFn = copy.deepcopy(self.activationFn)
            if self.weightInitFn is not None:
                layer.weightInitFn = copy.deepcopy(self.weightInitFn)
            if self.biasInit is not None:
                layer.biasInit = self.biasInit
            if self.regularization:
                layer.regularization = copy.deepcopy(self.regularization)
            if self.regularizationBias:
                layer.regularizationBias = copy.deepcopy(self.regularizationBias)
            for flag, attr, cls in (("removeL2", "regularization", L2Regularization),
                                    ("removeL2Bias", "regularizationBias", L2Regularization),
                                    ("removeL1", "regularization", L1Regularization),
                                    ("removeL1Bias", "regularizationBias", L1Regularization),
                                    ("removeWD", "regularization", WeightDecay),
                                    ("removeWDBias", "regularizationBias", WeightDecay)):
                if getattr(self, flag):
                    _remove_instances(getattr(layer, attr), cls)
            if self.gradientNormalization is not None:
                layer.gradientNormalization = None if self.gradientNormalization is REMOVE else self.gradientNormalization
            if self.gradientNormalizationThreshold is not None:
                layer.gradientNormalizationThreshold = self.gradientNormalizationThreshold
            if self.updater is not None:
                layer.iUpdater = copy.deepcopy(self.updater)
            if self.biasUpdater is not None:
                layer.biasUpdater = copy.deepcopy(self.biasUpdater)
            if self.weightNoise is not None:
                layer.weightNoise = None if self.weightNoise is REMOVE else copy.deepcopy(self.weightNoise)
        for name in ("miniBatch", "maxNumLineSearchIterations", "seed", "optimizationAlgo", "stepFunction", "minimize"):
            value = getattr(self, name)
            if value is not None:
                setattr(nnc, name, copy.deepcopy(value))
        if self.convolutionMode is not None and isinstance(layer, (ConvolutionLayer, SubsamplingLayer)):
            layer.convolutionMode = self.convolutionMode
        if self.cudnnAlgoMode is not None and isinstance(layer, ConvolutionLayer):
            layer.cudnnAlgoMode = self.cudnnAlgoMode
        if layer is not None:
            self._general_validation(layer)

    def _general_validation(self, layer):
        """Mirrors the LayerValidation.generalValidation call at the end of applyToNeuralNetConfiguration (M2.1):
        a BaseLayer, or the BaseLayer inside a conf FrozenLayer (checked against DL4J), without dropout takes
        the FTC's dropout; a layer without constraints takes the FTC's
        (cloned, over all its param keys)."""
        target = layer
        if not isinstance(layer, BaseLayer):
            inner = layer.layer if isinstance(layer, FrozenLayer) else None
            target = inner if isinstance(inner, BaseLayer) else None
        if target is not None:
            # (regularization: already replaced above on a BaseLayer; DL4J M2.1 leaves a frozen inner layer's alone)
            if target.iDropout is None and self.dropout not in (None, REMOVE):
                target.iDropout = copy.deepcopy(self.dropout)
        if not layer.constraints and self.constraints not in (None, REMOVE) and self.constraints:
            keys = layer.paramKeys()
            out = []
            for c in self.constraints:
                c2 = copy.deepcopy(c)
                c2.params = hash_order(keys)
                out.append(c2)
            if keys:
                layer.constraints = out

    def applyToMultiLayerConfiguration(self, conf) -> None:
        """Mirrors applyToMultiLayerConfiguration: backpropType and tbptt lengths, when set."""
        for name in ("backpropType", "tbpttFwdLength", "tbpttBackLength"):
            if getattr(self, name) is not None:
                setattr(conf, name, getattr(self, name))

    applyToComputationGraphConfiguration = applyToMultiLayerConfiguration

    def appliedNeuralNetConfigurationBuilder(self) -> NeuralNetConfigurationBuilder:
        """Mirrors appliedNeuralNetConfigurationBuilder: a NeuralNetConfiguration.Builder whose defaults are
        DL4J's, overridden by the FTC values that are set (not convolutionMode, cudnnAlgoMode, weightNoise,
        constraints or the remove flags: new layers do not inherit those)."""
        b = NeuralNetConfigurationBuilder()
        s = b._s
        for src, dst in (("activationFn", "activationFn"), ("weightInitFn", "weightInitFn"), ("biasInit", "biasInit"),
                         ("updater", "iUpdater"), ("biasUpdater", "biasUpdater"), ("miniBatch", "miniBatch"),
                         ("maxNumLineSearchIterations", "maxNumLineSearchIterations"), ("seed", "seed"),
                         ("optimizationAlgo", "optimizationAlgo"), ("stepFunction", "stepFunction"),
                         ("minimize", "minimize"), ("gradientNormalizationThreshold", "gradientNormalizationThreshold")):
            value = getattr(self, src)
            if value is not None:
                setattr(s, dst, copy.deepcopy(value))
        s.regularization = copy.deepcopy(self.regularization or [])
        s.regularizationBias = copy.deepcopy(self.regularizationBias or [])
        if self.dropout is not None:
            s.idropOut = None if self.dropout is REMOVE else copy.deepcopy(self.dropout)
        if self.gradientNormalization is not None:
            s.gradientNormalization = None if self.gradientNormalization is REMOVE else self.gradientNormalization
        if self.trainingWorkspaceMode is not None:
            b.trainingWorkspaceMode(self.trainingWorkspaceMode)
        if self.inferenceWorkspaceMode is not None:
            b.inferenceWorkspaceMode(self.inferenceWorkspaceMode)
        return b

    def appliedNeuralNetConfiguration(self, nnc: NeuralNetConfiguration) -> NeuralNetConfiguration:
        """Mirrors appliedNeuralNetConfiguration: a clone with the FTC applied."""
        nnc = nnc.clone()
        self.applyToNeuralNetConfiguration(nnc)
        return nnc

    # ---- JSON
    def _to_tree(self) -> dict:
        items = {}
        for name in FIELDS:
            value = getattr(self, name)
            if value is None:
                continue
            if name in _OPTIONAL:
                items[name] = {"present": value is not REMOVE}  # DL4J's Jackson writes Optional like this
            elif name in _OBJ:
                items[name] = value._to_tree()
            elif name in ("regularization", "regularizationBias"):
                items[name] = [r._to_tree() for r in value]
            elif name in _ENUMS:
                items[name] = value.name
            elif name in _FLOATS:
                items[name] = float(value)
            else:
                items[name] = copy.deepcopy(value)
        return {"type": TYPE, **{k: items[k] for k in sorted(items)}}

    def toJson(self) -> str:
        """Mirrors FineTuneConfiguration#toJson (DL4J's text, key for key)."""
        return jsonio.dumps(self._to_tree())

    def toYaml(self) -> str:
        """Mirrors FineTuneConfiguration#toYaml (DL4J's YAML text: the JSON tree, ``type`` as the document's tag)."""
        return yamlio.dumps(self._to_tree())

    @staticmethod
    def fromYaml(text: str) -> "FineTuneConfiguration":
        """Mirrors FineTuneConfiguration.fromYaml (reads what toYaml writes; see fromJson for ``{present: true}``)."""
        tree = yamlio.loads(text, yaml_type_key)
        if isinstance(tree, dict):
            tree.setdefault("type", TYPE)
        return FineTuneConfiguration._from_json_tree(tree)

    @staticmethod
    def fromJson(text: str) -> "FineTuneConfiguration":
        """Mirrors FineTuneConfiguration.fromJson.

        ``{"present": false}`` reads as :data:`REMOVE` (as in DL4J). ``{"present": true}`` carries no value
        (DL4J's writer loses it; DL4J reads it back as "remove"): here it reads as "not set", with a warning.
        """
        return FineTuneConfiguration._from_json_tree(jsonio.loads(text))

    @staticmethod
    def _from_json_tree(tree) -> "FineTuneConfiguration":
        if not isinstance(tree, dict):
            raise MalformedConfigError("a FineTuneConfiguration must be a JSON object")
        if tree.get("type", TYPE) != TYPE:
            raise MalformedConfigError(f"not a FineTuneConfiguration: type {tree.get('type')!r}")
        ftc = FineTuneConfigurationBuilder().build()
        for key, raw in tree.items():
            if key == "type" or raw is None:
                continue
            if key in _OPTIONAL:
                value = _read_optional(key, raw)
            elif key in _OBJ:
                value = _OBJ[key].decode(raw, key)
            elif key in ("regularization", "regularizationBias"):
                value = [REGULARIZATIONS.decode(r, key) for r in raw]
            elif key in _ENUMS:
                value = enum_value(_ENUMS[key], raw)
            elif key in _FLOATS:
                value = float(raw)
            elif key in _INTS:
                value = int(raw)
            elif key in _BOOLS or key in _FLAGS:
                value = bool(raw)
            elif key == "stepFunction":
                value = copy.deepcopy(raw)
            else:
                raise MalformedConfigError(f"FineTuneConfiguration JSON has an unknown property {key!r}")
            setattr(ftc, key, value)
        return ftc


_OPTIONAL_KINDS = {"dropout": DROPOUTS, "weightNoise": WEIGHT_NOISES}


def _ftc_accessors(name):
    """DL4J's Lombok getter and setter of one FineTuneConfiguration field (``@Data``): ``getX``/``setX``; ``isX``
    for the primitive boolean remove flags; an ``Optional`` field's getter returns a
    :class:`~pydl4j_transfer.conf.javautil.Optional` (None while not set) and its setter takes one."""
    cap = name[0].upper() + name[1:]
    if name in _OPTIONAL:
        def getter(self):
            value = getattr(self, name)
            return None if value is None else Optional(None if value is REMOVE else value)

        def setter(self, value):
            if isinstance(value, Optional):
                value = value.orElse(REMOVE)
            setattr(self, name, value)
    else:
        def getter(self):
            return getattr(self, name)

        def setter(self, value):
            setattr(self, name, value)
    getter.__name__, setter.__name__ = ("is" if name in _FLAGS else "get") + cap, "set" + cap
    getter.__doc__ = f"Mirrors FineTuneConfiguration#{getter.__name__} (None: not set)."
    setter.__doc__ = f"Mirrors FineTuneConfiguration#{setter.__name__}."
    return getter, setter


for _name in FIELDS:
    for _fn in _ftc_accessors(_name):
        setattr(FineTuneConfiguration, _fn.__name__, _fn)


def _read_optional(key, raw):
    if isinstance(raw, dict) and set(raw) == {"present"}:
        if raw["present"]:
            log.warning("FineTuneConfiguration JSON: %s is {\"present\": true} but DL4J's writer dropped its value; "
                        "reading it as 'not set' (DL4J would read it as 'remove')", key)
            return None
        return REMOVE
    # a value written by hand / by another writer: accept it
    if key == "gradientNormalization":
        return enum_value(GradientNormalization, raw)
    if key == "constraints":
        return [CONSTRAINTS.decode(c, key) for c in raw]
    return _OPTIONAL_KINDS[key].decode(raw, key)


def _set_constraints(layer, constraints):
    """Mirrors Layer#setConstraints (a conf FrozenLayer forwards it to the wrapped layer)."""
    layer.constraints = constraints
    inner = layer.layer if isinstance(layer, FrozenLayer) else None
    if inner is not None:
        _set_constraints(inner, copy.deepcopy(constraints))


_ = (math, Distribution)
