"""DL4J's SameDiff layer and vertex bases (``org.deeplearning4j.nn.conf.layers.samediff``) and the parameter-less
SameDiff layers: SameDiffLambdaLayer (the base a user subclasses, e.g. for a Keras ``Lambda`` layer) and IdentityLayer
(what DL4J's Keras import puts inside a Masking layer's MaskZeroLayer).

The bases, as in DL4J: :class:`AbstractSameDiffLayer` (-> :class:`SameDiffLayer` -> :class:`SameDiffLambdaLayer`,
and :class:`SameDiffOutputLayer`) and :class:`SameDiffVertex` (-> :class:`SameDiffLambdaVertex`). DL4J defines these
layers as SameDiff graphs; the configuration side is plain data:

* ``layerParams`` / ``vertexParams`` (:class:`SDLayerParams` / :class:`SDVertexParams`): the
  parameter shapes, weights then biases, each map in insertion order. Jackson writes them from
  ``getLayerParams()``, which defines them from the layer's fields when they are not set; a value
  read from JSON is used as it is (DL4J does not recompute it, so a stale one stays stale).
* The flat-vector layout (``SameDiffParamInitializer#subsetAndReshape``): every weight param, then
  every bias param, each reshaped in 'c' order (``paramReshapeOrder``).
* Global configuration (``applyGlobalConfig``): regularization, updater, bias updater, gradient
  normalization come from the network builder when the layer leaves them unset; weight init does
  not (the builder default XAVIER stays).
* The runtime classes DL4J instantiates (``RUNTIME_NAME``, what its summary prints): ``SameDiffLayer`` for every
  AbstractSameDiffLayer but SameDiffOutputLayer (``SameDiffOutputLayer``), ``SameDiffGraphVertex`` for vertices.

The math of DL4J's own SameDiff layers (attention: ``conf/layers/attention.py``) is in ``torch_backend/layers``.
Two ways in for a user's own SameDiff classes, whose Java code is never in a zip:

* a Python subclass of :class:`SameDiffLambdaLayer` defining ``defineLayer(x)`` on torch tensors (and
  ``getOutputType``), registered with ``LAYERS.register`` (``KerasLayer.registerLambdaLayer`` does it);
* a class known only by its ``"@class"`` in a zip: :func:`user_class` makes the configuration class that reads its
  JSON once a torch forward is registered with :func:`pydl4j_transfer.register_samediff` (docs/samediff.md).
"""

from __future__ import annotations

import copy
import math

from pydl4j_transfer.errors import InvalidConfigurationError

from ..base import (DOUBLE, LAYERS, LONG_ARRAY, REGULARIZATIONS, STR, STR_ARRAY, UPDATERS, VERTICES, WEIGHT_INITS,
                    ConfObject, EnumCodec, Field, MapCodec, ObjCodec, array, poly)
from ..enums import DataType, GradientNormalization, WeightInit
from ..javautil import hash_order
from ..vertices import GraphVertex
from ..values.updaters import to_updater
from ..values.weightinit import to_weight_init
from .base import REGULARIZATION_SETTERS, Layer, ParamSpec

GN = EnumCodec(GradientNormalization)
SHAPES = MapCodec(LONG_ARRAY)


class SDLayerParams(ConfObject):
    """Mirrors org.deeplearning4j.nn.conf.layers.samediff.SDLayerParams: weight and bias param shapes, in insertion order."""

    WRITE_TYPE = False
    FIELDS = (Field("biasParams", SHAPES, default={}), Field("weightParams", SHAPES, default={}))

    def addWeightParam(self, paramKey, *paramShape):
        """Mirrors SDLayerParams#addWeightParam(String, long...)."""
        self.weightParams[paramKey] = _shape(paramKey, paramShape)

    def addBiasParam(self, paramKey, *paramShape):
        """Mirrors SDLayerParams#addBiasParam(String, long...)."""
        self.biasParams[paramKey] = _shape(paramKey, paramShape)

    def clear(self):
        self.weightParams = {}
        self.biasParams = {}

    def getParameterKeys(self) -> list:
        return list(self.weightParams or {}) + list(self.biasParams or {})

    def getWeightParameterKeys(self) -> list:
        return list(self.weightParams or {})

    def getBiasParameterKeys(self) -> list:
        return list(self.biasParams or {})

    def getParamShapes(self) -> dict:
        """Weights then biases (a bias key that is also a weight key keeps the weight's position)."""
        return {**(self.weightParams or {}), **(self.biasParams or {})}

    def isWeightParam(self, key) -> bool:
        return key in (self.weightParams or {})

    def isBiasParam(self, key) -> bool:
        return key in (self.biasParams or {})


class SDVertexParams(SDLayerParams):
    """Mirrors org.deeplearning4j.nn.conf.layers.samediff.SDVertexParams (adds the vertex's input names)."""

    FIELDS = (Field("inputs", STR_ARRAY),)

    def defineInputs(self, *inputNames):
        """Mirrors SDVertexParams#defineInputs(String...)."""
        if not inputNames:
            raise InvalidConfigurationError("Input names must not be null, and must have length > 0")
        self.inputs = [str(n) for n in inputNames]


def _shape(key, shape):
    if len(shape) == 1 and isinstance(shape[0], (list, tuple)):
        shape = tuple(shape[0])
    if not shape:
        raise InvalidConfigurationError(
            f"Provided parameter shape is invalid: length 0 provided for shape. Parameter: {key}")
    return [int(s) for s in shape]


def param_specs(params: SDLayerParams, order="c") -> list:
    """Mirrors SameDiffParamInitializer#subsetAndReshape: weights then biases, each reshaped in ``order``."""
    return [ParamSpec(k, tuple(int(d) for d in s), order) for k, s in params.getParamShapes().items()]


def _weight_init_setter(self, value):
    # SameDiffLayer.Builder#weightInit(WeightInit) and #weightInit(String param, IWeightInit) (a HashMap)
    if isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], str):
        param, init = value
        table = dict(self.paramWeightInit or {})
        table[param] = to_weight_init(init)
        self.paramWeightInit = {k: table[k] for k in hash_order(table)}
    else:
        self.weightInit = None if value is None else WeightInit.of(value)


def _updater_setter(attr):
    return lambda self, v: setattr(self, attr, to_updater(v))


class _GlobalConfig:
    """The global-configuration part AbstractSameDiffLayer and SameDiffVertex share (``applyGlobalConfig``)."""

    #: DL4J's score leaves their regularization out (the runtime classes keep AbstractLayer's 0.0 / are vertices)
    REGULARIZATION_IN_SCORE = False

    def applyGlobalConfig(self, b):
        """Mirrors AbstractSameDiffLayer#applyGlobalConfig(NeuralNetConfiguration.Builder) (``b``: its values)."""
        if not self.regularization:
            self.regularization = copy.deepcopy(list(b.regularization or []))
        if not self.regularizationBias:
            self.regularizationBias = copy.deepcopy(list(b.regularizationBias or []))
        if self.updater is None:
            self.updater = copy.deepcopy(b.iUpdater)
        if self.biasUpdater is None:
            self.biasUpdater = copy.deepcopy(b.biasUpdater)
        if self.gradientNormalization is None:
            self.gradientNormalization = b.gradientNormalization
        if self.gradientNormalizationThreshold is None or math.isnan(self.gradientNormalizationThreshold):
            self.gradientNormalizationThreshold = b.gradientNormalizationThreshold
        self.applyGlobalConfigToLayer(b)

    def applyGlobalConfigToLayer(self, b):
        """Mirrors AbstractSameDiffLayer#applyGlobalConfigToLayer (default: nothing)."""

    # ---- parameters (SameDiffParamInitializer)

    def _params(self) -> SDLayerParams:
        raise NotImplementedError

    def paramReshapeOrder(self, key=None) -> str:
        """Mirrors AbstractSameDiffLayer#paramReshapeOrder: 'c'."""
        return "c"

    def paramSpecs(self):
        return param_specs(self._params(), self.paramReshapeOrder())

    def paramKeys(self):
        return self._params().getParameterKeys()

    def paramTableKeys(self):
        """SameDiffParamInitializer#getParamShapes's order: the flat order (weights, then biases)."""
        return self.paramKeys()

    def weightKeys(self):
        return self._params().getWeightParameterKeys()

    def biasKeys(self):
        return self._params().getBiasParameterKeys()

    def isBiasParam(self, key) -> bool:
        return self._params().isBiasParam(key)

    def isPretrainParam(self, key) -> bool:
        return False

    def initWeightsFor(self, key):
        """(IWeightInit, fanIn, fanOut) that ``initializeParameters`` draws ``key`` with; None: zeros (biases)."""
        return None


class AbstractSameDiffLayer(_GlobalConfig, Layer):
    """Mirrors org.deeplearning4j.nn.conf.layers.samediff.AbstractSameDiffLayer.

    No activation, bias init or weight noise of its own; DL4J's SameDiff runtime applies no input
    dropout either (``idropout`` is kept in the JSON only)."""

    RUNTIME_NAME = "SameDiffLayer"  # org.deeplearning4j.nn.layers.samediff.SameDiffLayer

    FIELDS = (Field("biasUpdater", poly(UPDATERS)),
              Field("gradientNormalization", GN),
              Field("gradientNormalizationThreshold", DOUBLE, default=math.nan),
              Field("layerParams", ObjCodec(lambda: SDLayerParams)),
              Field("regularization", array(poly(REGULARIZATIONS)), default=[], missing=None),
              Field("regularizationBias", array(poly(REGULARIZATIONS)), default=[], missing=None),
              Field("updater", poly(UPDATERS)))
    SETTERS = {"updater": _updater_setter("updater"), "biasUpdater": _updater_setter("biasUpdater"),
               **REGULARIZATION_SETTERS}

    def getLayerParams(self) -> SDLayerParams:
        """Mirrors AbstractSameDiffLayer#getLayerParams: the JSON's value, else defined from the fields."""
        if self.layerParams is not None:
            return self.layerParams
        params = SDLayerParams()
        self.defineParameters(params)
        return params

    _params = getLayerParams

    def defineParameters(self, params: SDLayerParams):
        """Mirrors AbstractSameDiffLayer#defineParameters (abstract)."""

    def _to_tree(self):
        tree = super()._to_tree()
        if self.layerParams is None:  # Jackson calls getLayerParams()
            tree["layerParams"] = self.getLayerParams()._to_tree()
        return tree

    def _state(self):
        return [getattr(self, f.attr) if f.attr != "layerParams" else self.getLayerParams() for f in self._fields] \
            + [self._extra]

    def getUpdaterByParam(self, key):
        """Mirrors AbstractSameDiffLayer#getUpdaterByParam."""
        if self.biasUpdater is not None and self.isBiasParam(key):
            return self.biasUpdater
        if key in self.paramKeys():
            return self.updater
        raise InvalidConfigurationError(f"Unknown parameter key: {key}")

    def getRegularizationByParam(self, key):
        """Mirrors AbstractSameDiffLayer#getRegularizationByParam (None for a key that is neither)."""
        params = self.getLayerParams()
        if params.isWeightParam(key):
            return self.regularization
        if params.isBiasParam(key):
            return self.regularizationBias
        return None


class SameDiffLayer(AbstractSameDiffLayer):
    """Mirrors org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer (weightInit, paramWeightInit).

    The runtime class DL4J's summary prints is ``SameDiffLayer`` (org.deeplearning4j.nn.layers.samediff)."""

    FIELDS = (Field("paramWeightInit", MapCodec(poly(WEIGHT_INITS))),
              Field("weightInit", EnumCodec(WeightInit), default=WeightInit.XAVIER, missing=None))
    SETTERS = {"weightInit": _weight_init_setter}


class SameDiffOutputLayer(AbstractSameDiffLayer):
    """Mirrors org.deeplearning4j.nn.conf.layers.samediff.SameDiffOutputLayer (no fields of its own; the runtime
    class is ``SameDiffOutputLayer``). DL4J has no concrete subclass: a user's is read with ``register_samediff(...,
    kind="output")``."""

    RUNTIME_NAME = "SameDiffOutputLayer"  # org.deeplearning4j.nn.layers.samediff.SameDiffOutputLayer


class SameDiffLambdaLayer(SameDiffLayer):
    """Mirrors org.deeplearning4j.nn.conf.layers.samediff.SameDiffLambdaLayer: a SameDiffLayer without parameters.

    Subclass it for a Keras ``Lambda`` layer and register an instance with
    ``KerasLayer.registerLambdaLayer(name, layer)``; give the subclass a ``dl4jClass`` (its Java class name, so
    the zip loads in DL4J when that class is on DL4J's classpath) and define:

    * ``defineLayer(self, x)``: the computation on a torch tensor (DL4J: ``defineLayer(SameDiff, SDVariable)``);
    * ``getOutputType(self, layerIndex, inputType)``: the output InputType (DL4J requires it too).

    Register the subclass in the layer registry (``LAYERS.register(MyLambda)``) so zips holding it read back.
    Built with Java's no-arg constructor: regularization and weightInit stay null until the network builder's
    global configuration fills what ``applyGlobalConfig`` fills.
    """

    DEFAULTS = {"regularization": None, "regularizationBias": None, "weightInit": None}

    def defineParameters(self, params: SDLayerParams):
        """Mirrors SameDiffLambdaLayer#defineParameters: no parameters."""

    def defineLayer(self, x):
        raise NotImplementedError(f"{type(self).__name__} must define defineLayer(x) (a torch computation)")

    def getOutputType(self, *args):
        raise NotImplementedError("Override SameDiffLamdaLayer.getOutputType to use OutputType functionality")


@LAYERS.register
class IdentityLayer(SameDiffLambdaLayer):
    """Mirrors org.deeplearning4j.nn.layers.util.IdentityLayer: returns its input (``IdentityLayer(name)``)."""

    dl4jClass = "org.deeplearning4j.nn.layers.util.IdentityLayer"
    POSITIONAL = ("layerName",)

    def defineLayer(self, x):
        return x

    def getOutputType(self, *args):
        return args[-1]


class SameDiffVertex(_GlobalConfig, GraphVertex):
    """Mirrors org.deeplearning4j.nn.conf.layers.samediff.SameDiffVertex (a graph vertex with SameDiff params).

    ``name`` and ``dataType`` are set by ComputationGraph#init (``instantiate`` / ``setDataType``);
    ``layerName`` is a read-only getter returning ``name`` (written, ignored on input). The runtime
    class DL4J's summary prints is ``SameDiffGraphVertex``; a SameDiffVertex is its own TrainingConfig
    (:meth:`updater_layer`)."""

    RUNTIME_NAME = "SameDiffGraphVertex"  # org.deeplearning4j.nn.layers.samediff.SameDiffGraphVertex

    FIELDS = (Field("biasUpdater", poly(UPDATERS)),
              Field("dataType", EnumCodec(DataType)),
              Field("gradientNormalization", GN),
              Field("gradientNormalizationThreshold", DOUBLE, default=math.nan),
              Field("name", STR),
              Field("regularization", array(poly(REGULARIZATIONS))),
              Field("regularizationBias", array(poly(REGULARIZATIONS))),
              Field("updater", poly(UPDATERS)),
              Field("vertexParams", ObjCodec(lambda: SDVertexParams)))
    SETTERS = {"updater": _updater_setter("updater"), "biasUpdater": _updater_setter("biasUpdater")}

    @classmethod
    def _ignored_keys(cls):
        return ("layerName",)

    def _extra_tree_items(self):
        return (("layerName", self.name),)

    def getVertexParams(self) -> SDVertexParams:
        """Mirrors SameDiffVertex#getVertexParams: the JSON's value, else defined from the fields."""
        if self.vertexParams is not None:
            return self.vertexParams
        params = SDVertexParams()
        self.defineParametersAndInputs(params)
        return params

    _params = getVertexParams

    def defineParametersAndInputs(self, params: SDVertexParams):
        """Mirrors SameDiffVertex#defineParametersAndInputs (abstract)."""

    def _to_tree(self):
        tree = super()._to_tree()
        if self.vertexParams is None:
            tree["vertexParams"] = self.getVertexParams()._to_tree()
        return tree

    def _state(self):
        return [getattr(self, f.attr) if f.attr != "vertexParams" else self.getVertexParams() for f in self._fields] \
            + [self._extra]

    def numParams(self, backprop=True) -> int:
        return sum(math.prod(s) for s in self.getVertexParams().getParamShapes().values())

    def paramShapes(self):
        return {p.key: tuple(p.shape) for p in self.paramSpecs()}

    def getLayerName(self):
        return self.name

    def setDataType(self, dataType):
        """Mirrors SameDiffVertex#setDataType (ComputationGraph#init calls it)."""
        self.dataType = DataType.of(dataType)

    def getUpdaterByParam(self, key):
        """Mirrors SameDiffVertex#getUpdaterByParam."""
        params = self.getVertexParams()
        if params.isWeightParam(key):
            return self.updater
        if params.isBiasParam(key):
            return self.updater if self.biasUpdater is None else self.biasUpdater
        raise InvalidConfigurationError(
            f"Unknown parameter name: {key} - not in weights ({params.getWeightParameterKeys()}) or biases"
            f" ({params.getBiasParameterKeys()})")

    def getRegularizationByParam(self, key):
        """Mirrors SameDiffVertex#getRegularizationByParam (None when neither list has entries)."""
        if not self.regularization and not self.regularizationBias:
            return None
        params = self.getVertexParams()
        if params.isWeightParam(key):
            return self.regularization
        if params.isBiasParam(key):
            return self.regularizationBias
        raise InvalidConfigurationError(f"Unknown parameter name: {key}")

    def variables(self):
        return []

    def updater_layer(self):
        """A SameDiffVertex is its own TrainingConfig: its parameters use its own updaters (getUpdaterByParam)."""
        return self

    def _name(self):
        return self.name or type(self).__name__


class SameDiffLambdaVertex(SameDiffVertex):
    """Mirrors org.deeplearning4j.nn.conf.layers.samediff.SameDiffLambdaVertex: a SameDiffVertex without parameters
    (DL4J has no concrete subclass: a user's is read with ``register_samediff(..., kind="vertex")``)."""



# --------------------------------------------------------------------------------------------------------------
# user-defined SameDiff classes (their Java code is not in the zip; the forward is registered in Python)

#: "layer" (SameDiffLayer / SameDiffLambdaLayer), "output" (SameDiffOutputLayer), "vertex" (SameDiffVertex /
#: SameDiffLambdaVertex)
USER_KINDS = ("layer", "output", "vertex")


class _UserClass:
    """What a user's SameDiff class's conf knows: its JSON (the subclass fields are kept as unknown keys and written
    back unchanged), its params (from the JSON's layerParams/vertexParams) and, if registered, its output type."""

    user_samediff = True
    #: ``fn(conf, *inputTypes) -> InputType``, given to register_samediff (None: not registered)
    OUTPUT_TYPE = None
    PARAM_ORDER = "c"

    def paramReshapeOrder(self, key=None):
        return self.PARAM_ORDER

    def _user_output_type(self, input_types):
        if self.OUTPUT_TYPE is None:
            raise InvalidConfigurationError(
                f"{self.dl4jClass}: the output type of a user-defined SameDiff class comes from its Java getOutputType;"
                " give register_samediff(..., output_type=fn) to infer shapes through it")
        return self.OUTPUT_TYPE(self, *input_types)

    def initWeightsFor(self, key):
        # DL4J would run the user's initializeParameters; fresh params here are XAVIER over the shape's last axis
        shape = self.paramShapes()[key]
        fan_in = float(math.prod(shape[:-1]) or 1)
        return WeightInit.XAVIER.getWeightInitFunction(), fan_in, float(shape[-1])


class _UserSameDiffLayer(_UserClass, AbstractSameDiffLayer):
    """A user's SameDiffLayer / SameDiffLambdaLayer subclass (``register_samediff(..., kind="layer")``)."""

    def getLayerParams(self):
        return self.layerParams if self.layerParams is not None else SDLayerParams()

    _params = getLayerParams

    def _output_type(self, inputType):
        return self._user_output_type([inputType])


class _UserSameDiffOutputLayer(_UserSameDiffLayer, SameDiffOutputLayer):
    """A user's SameDiffOutputLayer subclass (``kind="output"``): inference only on the torch backend."""


class _UserSameDiffVertex(_UserClass, SameDiffVertex):
    """A user's SameDiffVertex / SameDiffLambdaVertex subclass (``register_samediff(..., kind="vertex")``)."""

    def getVertexParams(self):
        return self.vertexParams if self.vertexParams is not None else SDVertexParams()

    _params = getVertexParams

    def getOutputType(self, layerIndex, *inputTypes):
        return self._user_output_type(list(inputTypes))


def user_class(dl4j_class: str, kind: str = "layer", output_type=None, param_order: str = "c"):
    """The conf class for a user's SameDiff subclass ``dl4j_class`` (created and registered on first use; a second
    call updates its output type and param order). See :func:`pydl4j_transfer.register_samediff`."""
    if kind not in USER_KINDS:
        raise InvalidConfigurationError(f"kind must be one of {USER_KINDS}, got {kind!r}")
    if not isinstance(dl4j_class, str) or not dl4j_class or dl4j_class.startswith("org.deeplearning4j."):
        raise InvalidConfigurationError(f"{dl4j_class!r} is not a user-defined class name (DL4J's own classes are"
                                        " built in)")
    if str(param_order).lower() not in ("c", "f"):
        raise InvalidConfigurationError(f"param_order must be 'c' or 'f', got {param_order!r}")
    registry = VERTICES if kind == "vertex" else LAYERS
    other = LAYERS if kind == "vertex" else VERTICES
    if dl4j_class in other or (dl4j_class in registry and not getattr(registry.lookup(dl4j_class), "user_samediff", False)):
        raise InvalidConfigurationError(f"{dl4j_class} is already registered as another kind of class")
    if dl4j_class in registry:
        cls = registry.lookup(dl4j_class)
        want = {"layer": _UserSameDiffLayer, "output": _UserSameDiffOutputLayer, "vertex": _UserSameDiffVertex}[kind]
        if cls.__bases__[0] is not want:
            raise InvalidConfigurationError(f"{dl4j_class} is already registered with kind {cls.USER_KIND!r}")
    else:
        base = {"layer": _UserSameDiffLayer, "output": _UserSameDiffOutputLayer, "vertex": _UserSameDiffVertex}[kind]
        cls = type(dl4j_class.rsplit(".", 1)[-1], (base,), {
            "dl4jClass": dl4j_class, "USER_KIND": kind, "__module__": __name__,
            "__doc__": f"Mirrors {dl4j_class}, a user-defined SameDiff {kind} (registered with register_samediff)."})
        registry.register(cls)
    cls.OUTPUT_TYPE = staticmethod(output_type) if output_type is not None else None
    cls.PARAM_ORDER = str(param_order).lower()
    return cls
