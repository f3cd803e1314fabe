"""NeuralNetConfiguration (+ its Builder and ListBuilder) and MultiLayerConfiguration.

The global builder's values are copied into each layer exactly as DL4J's
``NeuralNetConfiguration.Builder#configureLayer`` / ``copyConfigToLayer`` and
``LayerValidation.generalValidation`` do: a layer's own value wins where it set one.
``MultiLayerConfiguration.Builder#build`` runs InputType inference (nIn + preprocessors) when an
input type is set, or can be taken from the first layer's nIn (as M2.1 does).
"""

from __future__ import annotations

import copy
import time

from pydl4j_transfer.java_names import JavaNames
from pydl4j_transfer.errors import InvalidConfigurationError, MalformedConfigError

from . import jsonio, yamlio
from .base import (BOOL, INT, LAYERS, LONG, PREPROCESSORS, STR_ARRAY, Codec, ConfObject, EnumCodec, Field, ObjCodec,
                   add_lombok_accessors, array, enum_value, poly, yaml_type_key)
from .enums import (AlgoMode, BackpropType, CacheMode, ConvolutionMode, DataType, GradientNormalization,
                    OptimizationAlgorithm, WorkspaceMode)
from .inputs import InputType
from .validate_structure import typed_decoding, validate_multilayer
from .javautil import hash_order
from .layers.base import REGULARIZATION_SETTERS, BaseLayer, FeedForwardLayer, Layer
from .layers.feedforward import ActivationLayer
from .layers.normalization import BatchNormalization
from .layers.pooling import SubsamplingLayer
from .layers.wrappers import Bidirectional, FrozenLayer
from .layers.recurrent import BaseRecurrentLayer
from .legacy import upgrade_multilayer
from .validation import validate_output_layer
from .vertices import NEURAL_NET_CONFIGURATION
from .values.stepfunctions import STEP_FUNCTION, to_step_function
from .values.activations import ActivationSigmoid, to_activation
from .values.dropout import to_dropout
from .values.regularization import L1Regularization, L2Regularization
from .values.updaters import Sgd, to_updater
from .values.weightinit import WeightInitDistribution, WeightInitXavier, to_weight_init


class NeuralNetConfiguration(ConfObject):
    """Mirrors org.deeplearning4j.nn.conf.NeuralNetConfiguration (one per layer; CG defaultConfiguration has layer null)."""

    WRITE_TYPE = False
    FIELDS = (Field("cacheMode", EnumCodec(CacheMode), default=CacheMode.NONE, missing=None),
              Field("dataType", EnumCodec(DataType), default=DataType.FLOAT),
              Field("epochCount", INT, default=0), Field("iterationCount", INT, default=0),
              Field("layer", poly(LAYERS)),
              Field("maxNumLineSearchIterations", INT, default=5, missing=0),
              Field("miniBatch", BOOL, default=True), Field("minimize", BOOL, default=True),
              Field("optimizationAlgo", EnumCodec(OptimizationAlgorithm),
                    default=OptimizationAlgorithm.STOCHASTIC_GRADIENT_DESCENT, missing=None),
              Field("seed", LONG, default=0), Field("stepFunction", STEP_FUNCTION), Field("variables", STR_ARRAY, default=[]))

    @classmethod
    def _from_tree(cls, raw, where=None):
        if isinstance(raw, dict) and isinstance(raw.get("layer"), dict) and not where:
            where = raw["layer"].get("layerName")
        return super()._from_tree(raw, where)

    def getLayer(self):
        """Mirrors NeuralNetConfiguration#getLayer(): the layer configuration (a runtime layer's ``conf().getLayer()``)."""
        return self.layer

    def setLayer(self, layer):
        """Mirrors NeuralNetConfiguration#setLayer(Layer)."""
        self.layer = layer

    def addVariable(self, name):
        """Mirrors NeuralNetConfiguration#addVariable (no duplicates)."""
        if name not in self.variables:
            self.variables.append(name)

    def clearVariables(self):
        self.variables.clear()

    @staticmethod
    def fromJson(text):
        """Mirrors NeuralNetConfiguration.fromJson."""
        return NeuralNetConfiguration._from_json_tree(jsonio.loads(text))

    @staticmethod
    def _from_json_tree(tree):
        if not isinstance(tree, dict):
            raise MalformedConfigError("a NeuralNetConfiguration must be a JSON object")
        return NeuralNetConfiguration._from_tree(tree)

    def toYaml(self) -> str:
        """Mirrors NeuralNetConfiguration#toYaml (DL4J's YAML text, conf/yamlio.py)."""
        return yamlio.dumps(self._to_tree())

    @staticmethod
    def fromYaml(text):
        """Mirrors NeuralNetConfiguration.fromYaml."""
        return NeuralNetConfiguration._from_json_tree(yamlio.loads(text, yaml_type_key))

    @staticmethod
    def Builder():
        """Mirrors NeuralNetConfiguration.Builder: global defaults copied into layers that did not set them."""
        return NeuralNetConfigurationBuilder()


def _gn(value):
    return enum_value(GradientNormalization, value)


class _State:
    """The global builder's values (kept apart from its fluent method names)."""


class NeuralNetConfigurationBuilder(JavaNames):
    """Mirrors org.deeplearning4j.nn.conf.NeuralNetConfiguration.Builder (global defaults)."""

    def __init__(self):
        self._s = _State()
        self._s.activationFn = ActivationSigmoid()
        self._s.weightInitFn = WeightInitXavier()
        self._s.biasInit = 0.0
        self._s.gainInit = 1.0
        self._s.regularization = []
        self._s.regularizationBias = []
        self._s.idropOut = None
        self._s.weightNoise = None
        self._s.iUpdater = Sgd()
        self._s.biasUpdater = None
        self._s._layer = None
        self._s.miniBatch = True
        self._s.maxNumLineSearchIterations = 5
        self._s.seed = int(time.time() * 1000)
        self._s.optimizationAlgo = OptimizationAlgorithm.STOCHASTIC_GRADIENT_DESCENT
        self._s.stepFunction = None
        self._s.minimize = True
        self._s.gradientNormalization = GradientNormalization["None"]
        self._s.gradientNormalizationThreshold = 1.0
        self._s.allParamConstraints = None
        self._s.weightConstraints = None
        self._s.biasConstraints = None
        self._s.trainingWorkspaceMode = WorkspaceMode.ENABLED
        self._s.inferenceWorkspaceMode = WorkspaceMode.ENABLED
        self._s.setTWM = False
        self._s.setIWM = False
        self._s.cacheMode = CacheMode.NONE
        self._s.dataType = DataType.FLOAT
        self._s.convolutionMode = ConvolutionMode.Truncate
        self._s.cudnnAlgoMode = AlgoMode.PREFER_FASTEST

    # ---- fluent setters (DL4J names)
    def _chain(self, **kw):
        for k, v in kw.items():
            setattr(self._s, k, v)
        return self

    def seed(self, seed):
        return self._chain(seed=int(seed))

    def activation(self, a):
        return self._chain(activationFn=to_activation(a))

    def weightInit(self, w):
        if getattr(w, "name", w) == "DISTRIBUTION":
            raise InvalidConfigurationError("weightInit(WeightInit.DISTRIBUTION): use weightInit(Distribution)")
        return self._chain(weightInitFn=to_weight_init(w))

    def dist(self, d):
        return self._chain(weightInitFn=WeightInitDistribution(d))

    def biasInit(self, v):
        return self._chain(biasInit=float(v))

    def gainInit(self, v):
        return self._chain(gainInit=float(v))

    def updater(self, u):
        return self._chain(iUpdater=to_updater(u))

    def biasUpdater(self, u):
        return self._chain(biasUpdater=to_updater(u))

    def dropOut(self, p):
        return self._chain(idropOut=None if (isinstance(p, (int, float)) and p == 0.0) else to_dropout(p))

    dropout = dropOut

    def weightNoise(self, w):
        return self._chain(weightNoise=w)

    def miniBatch(self, b):
        return self._chain(miniBatch=bool(b))

    def minimize(self, b):
        return self._chain(minimize=bool(b))

    def maxNumLineSearchIterations(self, n):
        return self._chain(maxNumLineSearchIterations=int(n))

    def optimizationAlgo(self, a):
        return self._chain(optimizationAlgo=enum_value(OptimizationAlgorithm, a))

    def stepFunction(self, s):
        return self._chain(stepFunction=to_step_function(s))

    def gradientNormalization(self, g):
        return self._chain(gradientNormalization=_gn(g))

    def gradientNormalizationThreshold(self, t):
        return self._chain(gradientNormalizationThreshold=float(t))

    def convolutionMode(self, m):
        return self._chain(convolutionMode=enum_value(ConvolutionMode, m))

    def cudnnAlgoMode(self, m):
        return self._chain(cudnnAlgoMode=enum_value(AlgoMode, m))

    def cacheMode(self, m):
        return self._chain(cacheMode=enum_value(CacheMode, m))

    def dataType(self, d):
        d = enum_value(DataType, d)
        if d.name not in ("DOUBLE", "FLOAT", "HALF"):
            raise InvalidConfigurationError(f"Data type must be a floating point type: one of DOUBLE, FLOAT, or HALF. Got {d.name}")
        return self._chain(dataType=d)

    def trainingWorkspaceMode(self, m):
        return self._chain(trainingWorkspaceMode=enum_value(WorkspaceMode, m), setTWM=True)

    def inferenceWorkspaceMode(self, m):
        return self._chain(inferenceWorkspaceMode=enum_value(WorkspaceMode, m), setIWM=True)

    def constrainAllParameters(self, *c):
        return self._chain(allParamConstraints=list(c))

    def constrainWeights(self, *c):
        return self._chain(weightConstraints=list(c))

    def constrainBias(self, *c):
        return self._chain(biasConstraints=list(c))

    def regularizationList(self, lst):
        return self._chain(regularization=list(lst))

    def regularization(self, regularization):
        """Mirrors Builder#regularization(List<Regularization>): the weights' regularization, replacing l1/l2/weightDecay."""
        return self._chain(regularization=list(regularization))

    def regularizationBias(self, regularizationBias):
        """Mirrors Builder#regularizationBias(List<Regularization>)."""
        return self._chain(regularizationBias=list(regularizationBias))

    def layer(self, layer):
        self._s._layer = layer
        return self

    def clone(self):
        return copy.deepcopy(self)

    def list(self, *layers):
        """Mirrors Builder#list(): a ListBuilder for a MultiLayerConfiguration."""
        lb = ListBuilder(self)
        for layer in layers:
            lb.layer(layer)
        return lb

    def graphBuilder(self):
        """Mirrors Builder#graphBuilder(): a GraphBuilder for a ComputationGraphConfiguration (conf/graph.py, which
        builds on this module, registers it in :data:`GRAPH_BUILDER`)."""
        return GRAPH_BUILDER[0](self)

    # ---- build

    def build(self) -> NeuralNetConfiguration:
        """Mirrors Builder#build(): the per-layer NeuralNetConfiguration, with global values copied into the layer."""
        conf = NeuralNetConfiguration()
        conf.minimize = self._s.minimize
        conf.maxNumLineSearchIterations = self._s.maxNumLineSearchIterations
        conf.layer = self._s._layer
        conf.optimizationAlgo = self._s.optimizationAlgo
        conf.seed = self._s.seed
        conf.stepFunction = self._s.stepFunction
        conf.miniBatch = self._s.miniBatch
        conf.cacheMode = self._s.cacheMode
        conf.dataType = self._s.dataType
        self._configure_layer(self._s._layer)
        inner = _frozen_inner(self._s._layer)
        if inner is not None:
            self._configure_layer(inner)
        return conf

    def _configure_layer(self, layer):
        if layer is None:
            return
        if hasattr(layer, "applyGlobalConfig"):  # AbstractSameDiffLayer (DL4J: configureLayer, before copyConfig)
            layer.applyGlobalConfig(self._s)
        self._copy_config_to_layer(layer)
        for inner in _direct_inners(layer):
            self._copy_config_to_layer(inner)
        if _is_wrapper(layer):
            self._configure_layer(layer.underlying)
        if hasattr(layer, "cudnnAlgoMode") and "cudnnAlgoMode" in layer._attr_fields:  # ConvolutionLayer family
            if layer.convolutionMode is None:
                layer.convolutionMode = self._s.convolutionMode
            if layer.cudnnAlgoMode is None:
                layer.cudnnAlgoMode = self._s.cudnnAlgoMode
        elif _is_subsampling(layer) and layer.convolutionMode is None:
            layer.convolutionMode = self._s.convolutionMode
        self._general_validation(layer)

    def _copy_config_to_layer(self, layer):
        if layer.iDropout is None:
            layer.iDropout = copy.deepcopy(self._s.idropOut)
        if isinstance(layer, BaseLayer):
            if not layer.regularization:
                layer.regularization = copy.deepcopy(self._s.regularization)
            if not layer.regularizationBias:
                layer.regularizationBias = copy.deepcopy(self._s.regularizationBias)
            if layer.activationFn is None:
                layer.activationFn = copy.deepcopy(self._s.activationFn)
            if layer.weightInitFn is None:
                layer.weightInitFn = copy.deepcopy(self._s.weightInitFn)
            if _isnan(layer.biasInit):
                layer.biasInit = self._s.biasInit
            if _isnan(layer.gainInit):
                layer.gainInit = self._s.gainInit
            if self._s.weightNoise is not None and layer.weightNoise is None:
                layer.weightNoise = copy.deepcopy(self._s.weightNoise)
            if self._s.iUpdater is not None and layer.iUpdater is None:
                layer.iUpdater = copy.deepcopy(self._s.iUpdater)
            if self._s.biasUpdater is not None and layer.biasUpdater is None:
                layer.biasUpdater = copy.deepcopy(self._s.biasUpdater)
            if layer.iUpdater is None and self._s.iUpdater is None and layer.numParams() > 0:
                layer.iUpdater = Sgd()
            if layer.gradientNormalization is None:
                layer.gradientNormalization = self._s.gradientNormalization
            if _isnan(layer.gradientNormalizationThreshold):
                layer.gradientNormalizationThreshold = self._s.gradientNormalizationThreshold
        if isinstance(layer, ActivationLayer) and layer.activationFn is None:
            layer.activationFn = copy.deepcopy(self._s.activationFn)

    def _general_validation(self, layer):
        """Mirrors LayerValidation.generalValidation (M2.1): regularization merge and global constraints."""
        target = layer
        if not isinstance(layer, BaseLayer):
            inner = layer.layer if isinstance(layer, FrozenLayer) else None
            target = inner if isinstance(inner, BaseLayer) else None
        if target is not None:
            self._configure_base_layer(target)
        elif isinstance(layer, Bidirectional):
            for inner in (layer.fwd, layer.bwd):
                self._general_validation(inner)
        if not layer.constraints:
            out = []
            # the keys only where constraints are set, as DL4J (a SameDiff layer defines its params when asked)
            for consts, keys_of in ((self._s.allParamConstraints, layer.paramKeys),
                                    (self._s.weightConstraints, layer.weightKeys),
                                    (self._s.biasConstraints, layer.biasKeys)):
                keys = keys_of() if consts is not None else None
                if consts is not None and keys:
                    for c in consts:
                        c2 = c.clone()
                        c2.params = hash_order(keys)
                        out.append(c2)
            layer.constraints = out or None

    def _configure_base_layer(self, layer):
        for attr in ("regularization", "regularizationBias"):
            glob = getattr(self._s, attr)
            if not glob:
                continue
            current = list(getattr(layer, attr) or [])
            if not current:
                setattr(layer, attr, copy.deepcopy(glob))
                continue
            has_l1 = any(isinstance(r, L1Regularization) for r in current)
            has_l2 = any(isinstance(r, L2Regularization) for r in current)
            for r in glob:
                if isinstance(r, L1Regularization):
                    if not has_l1:
                        current.append(copy.deepcopy(r))
                elif isinstance(r, L2Regularization):
                    if not has_l2:
                        current.append(copy.deepcopy(r))
                else:
                    current.append(copy.deepcopy(r))
            setattr(layer, attr, current)


add_lombok_accessors(NeuralNetConfigurationBuilder, {
    name: name for name in ("activationFn", "weightInitFn", "biasInit", "gainInit", "regularization", "regularizationBias",
                            "idropOut", "weightNoise", "iUpdater", "biasUpdater", "miniBatch", "maxNumLineSearchIterations",
                            "seed", "optimizationAlgo", "stepFunction", "minimize", "gradientNormalization",
                            "gradientNormalizationThreshold", "allParamConstraints", "weightConstraints", "biasConstraints",
                            "trainingWorkspaceMode", "inferenceWorkspaceMode", "setTWM", "setIWM", "cacheMode", "dataType",
                            "convolutionMode", "cudnnAlgoMode")} | {"layer": "_layer"},
    store="_s", booleans=("miniBatch", "minimize", "setTWM", "setIWM"))

for _name, _fn in REGULARIZATION_SETTERS.items():
    setattr(NeuralNetConfigurationBuilder, _name,
            (lambda fn: lambda self, *args: (fn(self._s, args[0] if len(args) == 1 else tuple(args)), self)[1])(_fn))


def fix_samediff_params(obj):
    """DL4J's init asks every SameDiff layer (and vertex) for its params, and ``getLayerParams()`` /
    ``getVertexParams()`` keep what they define from then on: a later nIn/nOut change does not reach
    them (TransferLearning's input-type pass can leave such a layer's nIn and params apart, as DL4J does).
    Wrappers are walked to the wrapped layers."""
    seen = 0
    while obj is not None and seen < 8:
        if hasattr(obj, "getLayerParams"):
            obj.layerParams = obj.getLayerParams()
        elif hasattr(obj, "getVertexParams"):
            obj.vertexParams = obj.getVertexParams()
        for attr in ("fwd", "bwd"):
            if getattr(obj, attr, None) is not None:
                fix_samediff_params(getattr(obj, attr))
        obj = getattr(obj, "layer", None) if type(obj).__name__ == "FrozenLayer" else getattr(obj, "underlying", None)
        seen += 1


def infer_layer_inputs(conf, input_type=None, override=True):
    """Mirrors the input-type part of MultiLayerConfiguration.Builder#build: without an input type, one is
    inferred from a first recurrent / Dense / Embedding / Output layer with nIn set; then every layer gets
    its missing preprocessor and ``setNIn(type, override)`` (M2.1's overrideNinUponBuild defaults to true)."""
    layers = [c.layer for c in conf.confs]
    if input_type is None and conf.inputPreProcessors.get(0) is None:
        first = layers[0]
        if isinstance(first, BaseRecurrentLayer):
            if first.nIn > 0:
                input_type = InputType.recurrent(first.nIn, first.rnnDataFormat)
        elif type(first).__name__ in ("DenseLayer", "EmbeddingLayer", "OutputLayer") and first.nIn > 0:
            input_type = InputType.feedForward(first.nIn)
    if input_type is None:
        return
    current = input_type
    for i, layer in enumerate(layers):
        if conf.inputPreProcessors.get(i) is None:
            pre = layer.getPreProcessorForInputType(current)
            if pre is not None:
                conf.inputPreProcessors[i] = pre
        pre = conf.inputPreProcessors.get(i)
        if pre is not None:
            current = pre.getOutputType(current)
        prev = layers[i - 1] if i > 0 else None
        if prev is not None and type(prev).__name__ in ("Convolution1DLayer", "Convolution1D") \
                and type(layer).__name__ == "DenseLayer" and input_type.type == "RNN":
            layer.nIn = input_type.timeSeriesLength  # DL4J M2.1 quirk (Convolution1D followed by Dense)
        else:
            layer.setNIn(current, override)
        current = layer.getOutputType(i, current)


def _isnan(x):
    return x is None or x != x


def _frozen_inner(layer):
    return layer.wrapped() if layer is not None and layer.FROZEN_PARAMS else None


def _direct_inners(layer):
    if isinstance(layer, Bidirectional):
        return [layer.fwd, layer.bwd]
    return [layer.wrapped()] if layer.FROZEN_PARAMS else []


def _is_wrapper(layer):
    # BaseWrapperLayer subclasses: FrozenLayerWithBackprop, LastTimeStep, MaskZeroLayer, TimeDistributed
    return layer.RUNTIME_WRAPS and not isinstance(layer, FrozenLayer)


def _is_subsampling(layer):
    return isinstance(layer, SubsamplingLayer)


class _PreprocessorMap(Codec):
    """``inputPreProcessors``: layer index -> preprocessor, written in Java HashMap order."""

    def decode(self, raw, where=None):
        if raw is None:
            return {}
        if not isinstance(raw, dict):
            raise MalformedConfigError(f"inputPreProcessors must be an object, got {raw!r:.60}")
        out = {}
        for k, v in raw.items():
            try:
                idx = int(k)
            except ValueError:
                raise MalformedConfigError(f"inputPreProcessors key {k!r} is not a layer index") from None
            out[idx] = PREPROCESSORS.decode(v, f"preprocessor of layer {idx}")
        return out

    def encode(self, value):
        if value is None:
            return None
        # int keys: JSON writes them as strings; YAML (Jackson's writeFieldId) plain, where a string key "0" is quoted
        return {int(k): value[k]._to_tree() for k in hash_order(list(value))}


class MultiLayerConfiguration(ConfObject):
    """Mirrors org.deeplearning4j.nn.conf.MultiLayerConfiguration (configuration.json of a MultiLayerNetwork zip)."""

    WRITE_TYPE = False
    FIELDS = (Field("backpropType", EnumCodec(BackpropType), default=BackpropType.Standard),
              Field("cacheMode", EnumCodec(CacheMode), default=CacheMode.NONE),
              Field("confs", array(ObjCodec(lambda: NeuralNetConfiguration)), default=[]),
              Field("dataType", EnumCodec(DataType), default=DataType.FLOAT),
              Field("epochCount", INT, default=0),
              Field("inferenceWorkspaceMode", EnumCodec(WorkspaceMode), default=WorkspaceMode.ENABLED),
              Field("inputPreProcessors", _PreprocessorMap(), default={}),
              Field("iterationCount", INT, default=0),
              Field("tbpttBackLength", INT, default=20), Field("tbpttFwdLength", INT, default=20),
              Field("trainingWorkspaceMode", EnumCodec(WorkspaceMode), default=WorkspaceMode.ENABLED),
              Field("validateOutputLayerConfig", BOOL, default=True))

    @classmethod
    def _from_tree(cls, raw, where=None):
        confs = raw.get("confs")
        if isinstance(confs, list):
            raw = dict(raw)
            raw["confs"] = confs
        obj = super()._from_tree(raw, where)
        _fix_batchnorm_log_std(obj.confs)
        return obj

    @staticmethod
    @typed_decoding
    def fromJson(text):
        """Mirrors MultiLayerConfiguration.fromJson (legacy pre-1.0 JSON is upgraded, see legacy.py)."""
        return MultiLayerConfiguration._from_json_tree(jsonio.loads(text))

    def toYaml(self) -> str:
        """Mirrors MultiLayerConfiguration#toYaml (DL4J's YAML text, character for character; conf/yamlio.py)."""
        return yamlio.dumps(self._to_tree())

    @staticmethod
    def fromYaml(text):
        """Mirrors MultiLayerConfiguration.fromYaml."""
        return MultiLayerConfiguration._from_json_tree(yamlio.loads(text, yaml_type_key))

    @staticmethod
    def _from_json_tree(tree):
        if not isinstance(tree, dict) or not isinstance(tree.get("confs"), list):
            raise MalformedConfigError("not a DL4J MultiLayerConfiguration: no 'confs' array")
        tree = upgrade_multilayer(tree)
        confs = []
        for i, c in enumerate(tree["confs"]):
            if not isinstance(c, dict):
                raise MalformedConfigError(f"confs[{i}] is not an object")
            where = (c.get("layer") or {}).get("layerName") if isinstance(c.get("layer"), dict) else None
            confs.append(NeuralNetConfiguration._from_tree(c, where or f"layer {i}"))
        obj = MultiLayerConfiguration._from_tree({k: v for k, v in tree.items() if k != "confs"})
        obj.confs = confs
        _fix_batchnorm_log_std(confs)
        validate_multilayer(obj)
        return obj

    def getConf(self, i):
        return self.confs[i]

    def getInputPreProcess(self, i):
        return self.inputPreProcessors.get(i)

    @property
    def layers(self):
        return [c.layer for c in self.confs]

    def numParams(self) -> int:
        return sum(layer.numParams() for layer in self.layers)

    def param_owners(self) -> list:
        """[(layer index, layer conf)] in flat-vector order: the one source of the flat parameter order
        (conf/params.py lays the parameters out from it; the torch module binds to that layout)."""
        return list(enumerate(self.layers))

    def updater_owners(self) -> list:
        """[(layer index, the layer conf whose updaters apply)] in flat-vector order (conf/updater_layout.py)."""
        return self.param_owners()

    def paramShapes(self) -> dict:
        """{"<layerIndex>_<key>": shape} in flat-vector order (MultiLayerNetwork param table names)."""
        return {f"{i}_{k}": s for i, layer in enumerate(self.layers) for k, s in layer.paramShapes().items()}

    def initVariables(self):
        """What MultiLayerNetwork.init() does to the configuration: fill each conf's ``variables``
        (and fix SameDiff layers' ``layerParams``, see :func:`fix_samediff_params`)."""
        for conf in self.confs:
            fix_samediff_params(conf.layer)
            for key in conf.layer.variables():
                conf.addVariable(key)
        return self

    def getLayerActivationTypes(self, inputType):
        """Mirrors MultiLayerConfiguration#getLayerActivationTypes: output type of every layer."""
        out = []
        for i, conf in enumerate(self.confs):
            pre = self.inputPreProcessors.get(i)
            if pre is not None:
                inputType = pre.getOutputType(inputType)
            inputType = conf.layer.getOutputType(i, inputType)
            out.append(inputType)
        return out


def _fix_batchnorm_log_std(confs):
    """Mirrors the M2.1 (MultiLayer|ComputationGraph)ConfigurationDeserializer rule: for every non-wrapped
    BatchNormalization, useLogStd = not variables.contains("var"), whatever the JSON says (so a BN conf with
    ``"variables" : [ ]`` loads in log10-std mode; checked against DL4J M2.1: a builder-made BN with
    useLogStd=false, written before init(), reads back with useLogStd=true in DL4J too)."""
    for conf in confs:
        layer = conf.layer
        if isinstance(layer, BatchNormalization):
            layer.useLogStd = "var" not in (conf.variables or [])


#: the ComputationGraphConfiguration.GraphBuilder class (registered by conf/graph.py, which imports this module)
GRAPH_BUILDER: list = []
NEURAL_NET_CONFIGURATION.append(NeuralNetConfiguration)  # what a LayerVertex's layerConf decodes to (conf/vertices.py)


class _NetworkBuilderCommon(JavaNames):
    """Setters that DL4J's ListBuilder and GraphBuilder both have (backprop type, TBPTT lengths, output check)."""

    def backpropType(self, t):
        self._backprop_type = enum_value(BackpropType, t)
        return self

    def tBPTTLength(self, n):
        self._tbptt_fwd = self._tbptt_back = int(n)
        return self

    def tBPTTForwardLength(self, n):
        self._tbptt_fwd = int(n)
        return self

    def tBPTTBackwardLength(self, n):
        self._tbptt_back = int(n)
        return self

    def validateOutputLayerConfig(self, v):
        self._validate_output = bool(v)
        return self


class ListBuilder(_NetworkBuilderCommon):
    """Mirrors org.deeplearning4j.nn.conf.NeuralNetConfiguration.ListBuilder (MultiLayerConfiguration.Builder)."""

    def __init__(self, global_conf: NeuralNetConfigurationBuilder):
        self._global = global_conf
        self._layerwise: dict = {}
        self._counter = -1
        self._preprocessors: dict = {}
        self._backprop_type = BackpropType.Standard
        self._tbptt_fwd = 20
        self._tbptt_back = 20
        self._input_type = None
        self._training_wsm = WorkspaceMode.ENABLED
        self._inference_wsm = WorkspaceMode.ENABLED
        self._validate_output = True
        self._validate_tbptt = True
        self._override_nin = True  # M2.1 MultiLayerConfiguration.Builder default
        self._damping_factor = 100.0  # legacy (unused by DL4J M2.1 too)

    def layer(self, *args):
        """``layer(layer)`` or ``layer(index, layer)``."""
        if len(args) == 1:
            self._counter += 1
            index, layer = self._counter, args[0]
        else:
            index, layer = int(args[0]), args[1]
        if layer is None:
            raise InvalidConfigurationError("layer is null")
        if isinstance(layer, type):
            raise InvalidConfigurationError(f"pass a layer instance, not the class {layer.__name__}")
        if hasattr(layer, "build") and not isinstance(layer, Layer):
            layer = layer.build()
        self._layerwise[index] = self._global.clone().layer(layer)
        self._counter = max(self._counter, index)
        return self

    def inputPreProcessor(self, index, processor):
        self._preprocessors[int(index)] = processor
        return self

    def inputPreProcessors(self, processors):
        self._preprocessors = dict(processors)
        return self

    def setInputType(self, inputType):
        self._input_type = inputType
        return self

    def trainingWorkspaceMode(self, m):
        self._training_wsm = enum_value(WorkspaceMode, m)
        return self

    def inferenceWorkspaceMode(self, m):
        self._inference_wsm = enum_value(WorkspaceMode, m)
        return self

    def validateTbpttConfig(self, v):
        self._validate_tbptt = bool(v)
        return self

    def overrideNinUponBuild(self, v):
        self._override_nin = bool(v)
        return self

    def cacheMode(self, m):
        self._global.cacheMode(m)
        return self

    def dataType(self, d):
        self._global.dataType(d)
        return self

    def inputType(self, inputType):
        """Mirrors MultiLayerConfiguration.Builder#inputType (= setInputType)."""
        return self.setInputType(inputType)

    def getCacheMode(self):
        """Mirrors ListBuilder#getCacheMode (the global builder's)."""
        return self._global._s.cacheMode

    def setCacheMode(self, cacheMode):
        self._global.cacheMode(cacheMode)

    def getDataType(self):
        """Mirrors ListBuilder#getDataType (the global builder's)."""
        return self._global._s.dataType

    def setDataType(self, dataType):
        self._global.dataType(dataType)

    def getConfs(self):
        """Mirrors ListBuilder#getConfs: the per-layer NeuralNetConfigurations built so far (built by build())."""
        return []

    def getLayerActivationTypes(self):
        """Mirrors ListBuilder#getLayerActivationTypes: the output InputType of every layer (needs setInputType)."""
        if self._input_type is None:
            raise InvalidConfigurationError("Can only calculate activation types if input type has been set. Use "
                                            "setInputType(InputType)")
        return self.build().getLayerActivationTypes(self._input_type)

    def build(self) -> MultiLayerConfiguration:
        """Mirrors ListBuilder#build + MultiLayerConfiguration.Builder#build."""
        if not self._layerwise:
            raise InvalidConfigurationError("Invalid configuration: no layers defined")
        n = len(self._layerwise)
        confs = []
        for i in range(n):
            if i not in self._layerwise:
                raise InvalidConfigurationError(f"Invalid configuration: layer number {i} not specified. Expect layer "
                                                f"numbers to be 0 to {n - 1} inclusive (number of layers defined: {n})")
            builder = copy.deepcopy(self._layerwise[i])
            if builder._s._layer.layerName is None:
                builder._s._layer._set_name(f"layer{i}")
            confs.append(builder.build())
        g = self._global._s
        conf = MultiLayerConfiguration()
        conf.backpropType = self._backprop_type
        conf.tbpttFwdLength, conf.tbpttBackLength = self._tbptt_fwd, self._tbptt_back
        conf.trainingWorkspaceMode = g.trainingWorkspaceMode if g.setTWM else self._training_wsm
        conf.inferenceWorkspaceMode = g.inferenceWorkspaceMode if g.setIWM else self._inference_wsm
        conf.cacheMode = g.cacheMode
        conf.dataType = g.dataType
        # DL4J M2.1's ListBuilder does not carry the flag into the built configuration (JSON always true)
        conf.validateOutputLayerConfig = True
        conf.confs = confs
        conf.inputPreProcessors = dict(self._preprocessors)
        self._infer(conf)
        if self._validate_output:  # MultiLayerConfiguration.Builder#build: OutputLayerUtil.validateOutputLayer
            for c in confs:
                validate_output_layer(c.layer.layerName, c.layer)
        return conf

    def _infer(self, conf):
        layers = [c.layer for c in conf.confs]
        if conf.backpropType == BackpropType.TruncatedBPTT and self._validate_tbptt:
            for i, layer in enumerate(layers):
                if type(layer).__name__ in ("LastTimeStep", "GlobalPoolingLayer"):
                    raise InvalidConfigurationError(
                        f"Invalid network configuration: layer {i} ({type(layer).__name__}) cannot be used with truncated"
                        " BPTT (it collapses the time axis). Use BackpropType.Standard, or validateTbpttConfig(false)")
        infer_layer_inputs(conf, self._input_type, self._override_nin)


add_lombok_accessors(ListBuilder, {
    "backpropType": "_backprop_type", "tbpttFwdLength": "_tbptt_fwd", "tbpttBackLength": "_tbptt_back",
    "inputPreProcessors": "_preprocessors", "inputType": "_input_type", "layerwise": "_layerwise",
    "validateOutputConfig": "_validate_output", "validateTbpttConfig": "_validate_tbptt",
    "overrideNinUponBuild": "_override_nin", "dampingFactor": "_damping_factor",
    "trainingWorkspaceMode": "_training_wsm", "inferenceWorkspaceMode": "_inference_wsm"},
    booleans=("validateOutputConfig", "validateTbpttConfig", "overrideNinUponBuild"))

_ = (FeedForwardLayer,)
