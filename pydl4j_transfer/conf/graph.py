"""ComputationGraphConfiguration and its GraphBuilder.

Vertex indices: network inputs 0..nIn-1 (networkInputs order), then ``vertices`` in JSON/insertion
order. ``topologicalOrder``/``topologicalOrderStr`` are filled by :meth:`initVariables` (what
ComputationGraph.init() does) with DL4J's Kahn sort over Java HashMap/HashSet iteration order,
so the parameter order matches DL4J's exactly (dl4j-format.md §3.4).
"""

from __future__ import annotations

import copy

from pydl4j_transfer.errors import InvalidConfigurationError, MalformedConfigError

from . import jsonio, yamlio
from .base import (BOOL, INT, INT_ARRAY, STR_ARRAY, VERTICES, Codec, ConfObject, EnumCodec, Field, MapCodec, ObjCodec,
                   add_lombok_accessors, yaml_type_key)
from .enums import BackpropType, CacheMode, DataType, WorkspaceMode
from .javautil import capacity_for, hash_order
from .layers.base import Layer
from .network import (GRAPH_BUILDER, NeuralNetConfiguration, _NetworkBuilderCommon, _fix_batchnorm_log_std,
                      fix_samediff_params)
from .validate_structure import typed_decoding, validate_graph
from .vertices import FrozenVertex, LayerVertex, MergeVertex
from .legacy import upgrade_graph
from .validation import validate_output_layer


class _VertexMap(Codec):
    def decode(self, raw, where=None):
        if raw is None:
            return {}
        if not isinstance(raw, dict):
            raise MalformedConfigError(f"vertices must be an object, got {raw!r:.60}")
        return {name: VERTICES.decode(v, name) for name, v in raw.items()}

    def encode(self, value):
        return None if value is None else {k: v._to_tree() for k, v in value.items()}


class ComputationGraphConfiguration(ConfObject):
    """Mirrors org.deeplearning4j.nn.conf.ComputationGraphConfiguration (configuration.json of a ComputationGraph zip)."""

    WRITE_TYPE = False
    FIELDS = (Field("backpropType", EnumCodec(BackpropType), default=BackpropType.Standard),
              Field("cacheMode", EnumCodec(CacheMode), default=CacheMode.NONE),
              Field("dataType", EnumCodec(DataType), default=DataType.FLOAT),
              Field("defaultConfiguration", ObjCodec(lambda: NeuralNetConfiguration)),
              Field("epochCount", INT, default=0),
              Field("inferenceWorkspaceMode", EnumCodec(WorkspaceMode), default=WorkspaceMode.ENABLED),
              Field("iterationCount", INT, default=0),
              Field("networkInputs", STR_ARRAY, default=[]), Field("networkOutputs", STR_ARRAY, default=[]),
              Field("tbpttBackLength", INT, default=20), Field("tbpttFwdLength", INT, default=20),
              Field("topologicalOrder", INT_ARRAY), Field("topologicalOrderStr", STR_ARRAY),
              Field("trainingWorkspaceMode", EnumCodec(WorkspaceMode), default=WorkspaceMode.ENABLED),
              Field("validateOutputLayerConfig", BOOL, default=True),
              Field("vertexInputs", MapCodec(STR_ARRAY), default={}),
              Field("vertices", _VertexMap(), default={}))

    @staticmethod
    @typed_decoding
    def fromJson(text):
        """Mirrors ComputationGraphConfiguration.fromJson (legacy pre-1.0 JSON is upgraded, see legacy.py)."""
        return ComputationGraphConfiguration._from_json_tree(jsonio.loads(text))

    def toYaml(self) -> str:
        """Mirrors ComputationGraphConfiguration#toYaml (DL4J's YAML text, character for character; conf/yamlio.py)."""
        return yamlio.dumps(self._to_tree())

    @staticmethod
    def fromYaml(text):
        """Mirrors ComputationGraphConfiguration.fromYaml."""
        return ComputationGraphConfiguration._from_json_tree(yamlio.loads(text, yaml_type_key))

    @staticmethod
    def _from_json_tree(tree):
        if not isinstance(tree, dict) or not isinstance(tree.get("vertices"), dict):
            raise MalformedConfigError("not a DL4J ComputationGraphConfiguration: no 'vertices' object")
        tree = upgrade_graph(tree)
        obj = ComputationGraphConfiguration._from_tree(tree)
        _fix_batchnorm_log_std([v.layerConf for v in obj.vertices.values()
                                if isinstance(v, LayerVertex) and v.layerConf is not None])
        validate_graph(obj)
        return obj

    # ---- structure

    def vertexIndices(self) -> dict:
        """name -> vertex index (inputs first, then vertices in order)."""
        names = list(self.networkInputs) + [n for n in self.vertices if n not in self.networkInputs]
        return {n: i for i, n in enumerate(names)}

    def topologicalSortOrder(self) -> list:
        """Vertex indices in DL4J's topological order (stored order if both fields are set)."""
        if self.topologicalOrder is not None and self.topologicalOrderStr is not None:
            return list(self.topologicalOrder)
        idx = self.vertexIndices()
        input_edges, output_edges = {}, {}
        for name in self.networkInputs:
            input_edges[idx[name]] = None
        for name in self.vertices:
            i = idx[name]
            ins = self.vertexInputs.get(name) or []
            if not ins:
                input_edges[i] = None
                continue
            s = set()
            for src in ins:
                if src not in idx:
                    raise InvalidConfigurationError(f"vertex {name!r} has unknown input {src!r}")
                s.add(idx[src])
                output_edges.setdefault(idx[src], []).append(i)
            input_edges[i] = s
        out, queue = [], [k for k in hash_order(list(input_edges), capacity_for(len(input_edges))) if not input_edges[k]]
        while queue:
            nxt = queue.pop(0)
            out.append(nxt)
            targets = output_edges.get(nxt, [])
            for v in hash_order(targets, capacity_for(len(set(targets)))):
                input_edges[v].discard(nxt)
                if not input_edges[v]:
                    queue.append(v)
        if len(out) != len(idx):
            raise InvalidConfigurationError("Invalid configuration: cycle detected in the graph (or disconnected inputs)")
        return out

    def layerVertexNames(self) -> list:
        return [n for n, v in self.vertices.items() if isinstance(v, LayerVertex)]

    def topological_names(self) -> list:
        """Vertex names (network inputs included) in DL4J's topological order."""
        names = {i: n for n, i in self.vertexIndices().items()}
        return [names[i] for i in self.topologicalSortOrder()]

    def param_owners(self) -> list:
        """[(vertex name, vertex conf)] in flat-vector (topological) order: the one source of the flat parameter
        order (conf/params.py lays the parameters out from it; the torch module binds to that layout)."""
        return [(n, self.vertices[n]) for n in self.topological_names() if n in self.vertices]

    def updater_owners(self) -> list:
        """[(vertex name, the layer conf whose updaters apply, or None)] in flat-vector order."""
        return [(n, v.updater_layer()) for n, v in self.param_owners()]

    def paramShapes(self) -> dict:
        """{"<vertexName>_<key>": shape} in flat-vector (topological) order."""
        names = {i: n for n, i in self.vertexIndices().items()}
        out = {}
        for i in self.topologicalSortOrder():
            v = self.vertices.get(names[i])
            if v is not None:
                for k, s in v.paramShapes().items():
                    out[f"{names[i]}_{k}"] = s
        return out

    def numParams(self) -> int:
        return sum(v.numParams() for v in self.vertices.values())

    def initVariables(self):
        """What ComputationGraph.init() does to the configuration: topological order + ``variables``."""
        order = self.topologicalSortOrder()
        names = {i: n for n, i in self.vertexIndices().items()}
        self.topologicalOrder = list(order)
        self.topologicalOrderStr = [names[i] for i in order]
        for i in sorted(names):  # DL4J registers variables in vertex-index order (params are laid out topologically)
            v = self.vertices.get(names[i])
            inner = v
            while isinstance(inner, FrozenVertex):
                inner = inner.underlying
            if hasattr(inner, "getVertexParams"):  # SameDiffVertex: ComputationGraph#init sets its dataType and name
                inner.setDataType(self.dataType)
                inner.name = names[i]
            fix_samediff_params(inner.layer if isinstance(inner, LayerVertex) else inner)
            while isinstance(v, FrozenVertex):  # DL4J instantiates the wrapped LayerVertex: its layerConf gets them
                v = v.underlying
            if isinstance(v, LayerVertex):
                for key in v.layer.variables():
                    v.layerConf.addVariable(key)
                    self.defaultConfiguration.addVariable(f"{names[i]}_{key}")
        return self

    def getLayerActivationTypes(self, *inputTypes, add_preprocessors=False) -> dict:
        """Mirrors getLayerActivationTypes: vertex name -> output InputType (optionally adding preprocessors/nIn)."""
        if len(inputTypes) != len(self.networkInputs):
            raise InvalidConfigurationError(f"{len(self.networkInputs)} network inputs but {len(inputTypes)} input types")
        types = dict(zip(self.networkInputs, inputTypes))
        names = {i: n for n, i in self.vertexIndices().items()}
        for i in self.topologicalSortOrder():
            name = names[i]
            if name in types:
                continue
            vertex = self.vertices[name]
            ins = [types[s] for s in self.vertexInputs.get(name, [])]
            if isinstance(vertex, LayerVertex):
                t = ins[0]
                if vertex.preProcessor is None and add_preprocessors:
                    vertex.preProcessor = vertex.layer.getPreProcessorForInputType(t)
                if vertex.preProcessor is not None:
                    t = vertex.preProcessor.getOutputType(t)
                if add_preprocessors:
                    vertex.layer.setNIn(t, False)
                types[name] = vertex.layer.getOutputType(i, t)
            else:
                types[name] = vertex.getOutputType(i, *ins)
        return types


class GraphBuilder(_NetworkBuilderCommon):
    """Mirrors org.deeplearning4j.nn.conf.ComputationGraphConfiguration.GraphBuilder (with its Lombok @Data
    getters and setters: ``getVertices()``, ``getVertexInputs()``, ``getNetworkInputs()`` ... return the live
    maps and lists, as Java's do)."""

    def __init__(self, global_conf):
        self._global = global_conf
        self._vertices: dict = {}
        self._vertex_inputs: dict = {}
        self._inputs: list = []
        self._outputs: list = []
        self._input_types: list = []
        self._backprop_type = BackpropType.Standard
        self._tbptt_fwd = 20
        self._tbptt_back = 20
        self._validate_output = True
        self._allow_disconnected = False
        self._allow_no_output = False
        self._validate_tbptt = True

    @classmethod
    def fromConfiguration(cls, newConf, globalConfiguration) -> "GraphBuilder":
        """Mirrors ``new GraphBuilder(ComputationGraphConfiguration newConf, NeuralNetConfiguration.Builder global)``:
        a builder holding a clone of the configuration's vertices, vertex inputs, network inputs and outputs,
        backprop type and TBPTT lengths (what DL4J's TransferLearning.GraphBuilder edits)."""
        clone = newConf.clone()
        builder = cls(globalConfiguration)
        # ComputationGraphConfiguration#clone clones every vertex with its own clone(): AttentionVertex#clone keeps
        # only its attention fields, so the global configuration's updater/regularization/gradient normalization
        # reach it again in build() (SameDiffVertex#applyGlobalConfig)
        builder._vertices = {k: v.clone() for k, v in clone.vertices.items()}
        builder._vertex_inputs = {k: list(v) for k, v in clone.vertexInputs.items()}
        builder._inputs = list(clone.networkInputs)
        builder._outputs = list(clone.networkOutputs)
        builder._backprop_type = clone.backpropType
        builder._tbptt_fwd, builder._tbptt_back = clone.tbpttFwdLength, clone.tbpttBackLength
        return builder

    # ---- Lombok @Data accessors (the live objects, as in Java)
    def getVertices(self) -> dict:
        return self._vertices

    def getVertexInputs(self) -> dict:
        return self._vertex_inputs

    def getNetworkInputs(self) -> list:
        return self._inputs

    def setNetworkInputs(self, networkInputs) -> None:
        self._inputs = list(networkInputs)

    def getNetworkOutputs(self) -> list:
        return self._outputs

    def setNetworkOutputs(self, networkOutputs) -> None:
        self._outputs = list(networkOutputs)

    def getNetworkInputTypes(self) -> list:
        return self._input_types

    def getGlobalConfiguration(self):
        return self._global

    def isValidateOutputConfig(self) -> bool:
        return self._validate_output

    def setValidateOutputConfig(self, validateOutputConfig: bool) -> None:
        self._validate_output = bool(validateOutputConfig)

    def addInputs(self, *names):
        self._inputs.extend(names)
        return self

    def setInputTypes(self, *types):
        """Mirrors GraphBuilder#setInputTypes(InputType...): APPENDS to the input types given so far; their total must
        equal the number of network inputs (when inputs were added already). Java's InputType[] may come as a list."""
        if len(types) == 1 and isinstance(types[0], (list, tuple)):
            types = tuple(types[0])
        if types:
            if self._inputs and len(self._input_types) + len(types) != len(self._inputs):
                raise InvalidConfigurationError(
                    f"Invalid number of InputTypes: existing inputTypes ({len(self._input_types)}) + additional "
                    f"inputTypes ({len(types)}) != number of network inputs ({len(self._inputs)})")
            self._input_types.extend(types)
        return self

    def setOutputs(self, *names):
        self._outputs = list(names)
        return self

    def addLayer(self, name, layer, *inputs):
        """``addLayer(name, layer, *inputs)`` or ``addLayer(name, layer, preprocessor, *inputs)``."""
        pre = None
        if inputs and not isinstance(inputs[0], str):
            pre, inputs = inputs[0], inputs[1:]
        if hasattr(layer, "build") and not isinstance(layer, Layer):
            layer = layer.build()
        layer = copy.deepcopy(layer)
        layer._set_name(name)
        conf = self._global.clone().layer(layer).build()
        self._vertices[name] = LayerVertex(conf, pre)
        if len(inputs) > 1:
            merge = f"{name}-merge"
            self.addVertex(merge, MergeVertex(), *inputs)
            self._vertex_inputs[name] = [merge]
        else:
            self._vertex_inputs[name] = list(inputs)
        return self

    layer = addLayer

    def addVertex(self, name, vertex, *inputs):
        self._vertices[name] = vertex
        self._vertex_inputs[name] = list(inputs)
        return self

    def removeVertex(self, name, removeConnections=True):
        """Mirrors GraphBuilder#removeVertex(String[, boolean]): the vertex, its input list and its place among the
        network inputs; with removeConnections also its name in other vertices' inputs and in the outputs."""
        self._vertices.pop(name, None)
        self._vertex_inputs.pop(name, None)
        self._inputs = [s for s in self._inputs if s != name]
        if removeConnections:
            for k, ins in self._vertex_inputs.items():
                self._vertex_inputs[k] = [s for s in ins if s != name]
            self._outputs = [s for s in self._outputs if s != name]
        return self

    def validateTbpttConfig(self, v):
        """Mirrors GraphBuilder#validateTbpttConfig(boolean)."""
        self._validate_tbptt = bool(v)
        return self

    def getLayerActivationTypes(self):
        """Mirrors GraphBuilder#getLayerActivationTypes: vertex name -> output InputType (needs setInputTypes)."""
        if not self._input_types:
            raise InvalidConfigurationError("Cannot calculate activation types if no inputs have been set (use "
                                            "addInputs(String...) and setInputTypes(InputType...))")
        return self.build().getLayerActivationTypes(*self._input_types)

    def allowDisconnected(self, v):
        self._allow_disconnected = bool(v)
        return self

    def allowNoOutput(self, v):
        self._allow_no_output = bool(v)
        return self

    def build(self) -> ComputationGraphConfiguration:
        """Mirrors GraphBuilder#build (validation, input-type inference when setInputTypes was called)."""
        g = self._global._s
        conf = ComputationGraphConfiguration()
        conf.backpropType = self._backprop_type
        conf.tbpttFwdLength, conf.tbpttBackLength = self._tbptt_fwd, self._tbptt_back
        conf.networkInputs = list(self._inputs)
        conf.networkOutputs = list(self._outputs)
        conf.vertices = copy.deepcopy(self._vertices)
        conf.vertexInputs = copy.deepcopy(self._vertex_inputs)
        conf.trainingWorkspaceMode = g.trainingWorkspaceMode
        conf.inferenceWorkspaceMode = g.inferenceWorkspaceMode
        conf.cacheMode = g.cacheMode
        conf.dataType = g.dataType
        conf.validateOutputLayerConfig = self._validate_output
        default = self._global.clone()
        default._s._layer = None
        conf.defaultConfiguration = default.build()
        for vertex in conf.vertices.values():  # buildConfig(): SameDiffVertex#applyGlobalConfig
            if hasattr(vertex, "applyGlobalConfig"):
                vertex.applyGlobalConfig(g)
        self._validate(conf)
        if self._input_types:
            conf.getLayerActivationTypes(*self._input_types, add_preprocessors=True)
        if self._validate_output:  # GraphBuilder#build: OutputLayerUtil.validateOutputLayer on every layer vertex
            for name, vertex in conf.vertices.items():
                if isinstance(vertex, LayerVertex):
                    validate_output_layer(name, vertex.layer)
        return conf

    def _validate(self, conf):
        if not conf.networkInputs:
            raise InvalidConfigurationError("Invalid configuration: network has no inputs. Use .addInputs(String...)")
        if not conf.networkOutputs and not self._allow_no_output:
            raise InvalidConfigurationError("Invalid configuration: network has no outputs. Use .setOutputs(String...)")
        known = set(conf.networkInputs) | set(conf.vertices)
        for name in conf.networkInputs:
            if name in conf.vertices:
                raise InvalidConfigurationError(f"Invalid configuration: name {name!r} is both an input and a vertex")
        for name, ins in conf.vertexInputs.items():
            for s in ins:
                if s not in known:
                    raise InvalidConfigurationError(f"Invalid configuration: vertex {name!r} has input {s!r} that does not exist")
        for name in conf.networkOutputs:
            if name not in conf.vertices:
                raise InvalidConfigurationError(f"Invalid configuration: output {name!r} is not a vertex")
        if not self._allow_disconnected:
            used = {s for ins in conf.vertexInputs.values() for s in ins}
            disconnected = [n for n in conf.vertices if n not in used and n not in conf.networkOutputs]
            if disconnected:
                raise InvalidConfigurationError(
                    f"Invalid configuration: disconnected vertices found - {disconnected}. Set them as outputs with"
                    " setOutputs(...) or use GraphBuilder.allowDisconnected(true)")
        conf.topologicalSortOrder()  # raises on cycles


add_lombok_accessors(GraphBuilder, {
    "backpropType": "_backprop_type", "tbpttFwdLength": "_tbptt_fwd", "tbpttBackLength": "_tbptt_back",
    "allowDisconnected": "_allow_disconnected", "allowNoOutput": "_allow_no_output",
    "validateTbpttConfig": "_validate_tbptt", "vertices": "_vertices", "vertexInputs": "_vertex_inputs",
    "networkInputTypes": "_input_types", "globalConfiguration": "_global"},
    booleans=("allowDisconnected", "allowNoOutput", "validateTbpttConfig"))

GRAPH_BUILDER.append(GraphBuilder)  # what NeuralNetConfiguration.Builder#graphBuilder() returns
