"""TransferLearning.Builder (MultiLayerNetwork) and TransferLearning.GraphBuilder (ComputationGraph).

Mirrors ``org.deeplearning4j.nn.transferlearning.TransferLearning`` (1.0.0-M2.1).

Both builders only *record* their calls (``builder.edits``: a list of :class:`Edit`); ``build()``
applies the plan to a copy of the original configuration and parameters and returns a NEW,
initialised network (the original is never touched). The same plan can be replayed on DL4J's
own Java builders (tests/transfer/dl4j_replay.py for now), which is how the tests check parity.

Parameters: kept layers keep their parameters bit for bit (MLN: by position, as DL4J; graph: by
vertex name); re-initialised and new layers are drawn from their weight init with the FTC seed
(or the original network's seed when the FTC sets none), through the network's ``init()``.
Where this differs from DL4J, see ``docs/deviations.md``.
"""

from __future__ import annotations

import copy
from collections import OrderedDict, namedtuple

import numpy as np

from pydl4j_transfer.conf import ComputationGraphConfiguration, MultiLayerConfiguration
from pydl4j_transfer.conf.base import enum_value
from pydl4j_transfer.conf.enums import WeightInit, WorkspaceMode
from pydl4j_transfer.conf.graph import GraphBuilder as _ConfGraphBuilder
from pydl4j_transfer.conf.network import infer_layer_inputs
from pydl4j_transfer.conf.layers.base import FeedForwardLayer, Layer
from pydl4j_transfer.conf.layers.feedforward import OutputLayer
from pydl4j_transfer.conf.layers.wrappers import FrozenLayer
from pydl4j_transfer.conf.values.weightinit import Distribution, WeightInitDistribution, to_weight_init
from pydl4j_transfer.conf.vertices import FrozenVertex, LayerVertex
from pydl4j_transfer.errors import InvalidConfigurationError
from pydl4j_transfer.nn.graph import ComputationGraph
from pydl4j_transfer.nn.multilayer import MultiLayerNetwork

from pydl4j_transfer.conf.validation import validate_output_layer

from .fine_tune import FineTuneConfiguration

Edit = namedtuple("Edit", "method args kwargs")
Edit.__doc__ = "One recorded builder call: DL4J method name, positional args, keyword args."


def _scheme(weightInit, dist, what):
    """The IWeightInit an nOutReplace/nInReplace overload resolves to (keyword form of DL4J's overloads)."""
    if dist is not None and weightInit is not None:
        raise InvalidConfigurationError(f"{what}: give weightInit or dist, not both")
    if dist is not None:
        if not isinstance(dist, Distribution):
            raise InvalidConfigurationError(f"{what}: dist must be a Distribution, got {dist!r}")
        return WeightInitDistribution(dist)
    if weightInit is None:
        return None
    if isinstance(weightInit, Distribution):
        return WeightInitDistribution(weightInit)
    if weightInit is WeightInit.DISTRIBUTION or weightInit == "DISTRIBUTION":
        raise InvalidConfigurationError(
            f"Not supported!, Use {what}(..., dist=Distribution, distNext=Distribution) instead!  "
            "(WeightInit.DISTRIBUTION needs the distribution itself)")
    return to_weight_init(weightInit)


def _resolve_schemes(weightInit, weightInitNext, dist, distNext, what):
    scheme = _scheme(weightInit, dist, what)
    nxt = _scheme(weightInitNext, distNext, what)
    if scheme is None:
        raise InvalidConfigurationError(f"{what}: a weight init (weightInit=...) or a distribution (dist=...) is required")
    if nxt is None:  # DL4J's nOutReplace(layer, nOut, scheme) / (layer, nOut, dist): the same for the next layer
        nxt = copy.deepcopy(scheme)
    return scheme, nxt


def _as_layer(layer):
    if hasattr(layer, "build") and not isinstance(layer, Layer):
        layer = layer.build()
    if not isinstance(layer, Layer):
        raise InvalidConfigurationError(f"expected a layer configuration, got {layer!r}")
    return copy.deepcopy(layer)


def _frozen(layer):
    """Mirrors building conf.layers.misc.FrozenLayer(inner) under the inner layer's name."""
    wrapped = FrozenLayer(layer=layer)
    wrapped.layerName = layer.layerName
    return wrapped


def _is_output_layer_impl(layer):
    """DL4J's impl FrozenLayer rejects an nn.layers.OutputLayer (conf OutputLayer; not RnnOutputLayer/LossLayer...)."""
    return type(layer) is OutputLayer


# ==============================================================================================
# MultiLayerNetwork


class Builder:
    """Mirrors org.deeplearning4j.nn.transferlearning.TransferLearning.Builder (MultiLayerNetwork).

    Differs from DL4J: edits after the first ``addLayer`` raise (DL4J ignores them silently);
    see docs/deviations.md for the others.
    """

    def __init__(self, origModel: MultiLayerNetwork):
        if not isinstance(origModel, MultiLayerNetwork):
            raise InvalidConfigurationError(
                f"TransferLearning.Builder needs a MultiLayerNetwork, got {type(origModel).__name__}"
                + ("; use TransferLearning.GraphBuilder for a ComputationGraph" if isinstance(origModel, ComputationGraph) else ""))
        origModel._require_init()
        self._orig = origModel
        self.edits: list = []
        self._ftc: FineTuneConfiguration | None = None
        self._added = False
        self._pop_n = 0

    def _record(self, method, *args, **kwargs):
        if self._added and method not in ("addLayer", "setFeatureExtractor", "setInputPreProcessor",
                                          "validateOutputLayerConfig"):
            raise InvalidConfigurationError(
                f"TransferLearning.Builder.{method}() after addLayer(): DL4J applies fineTuneConfiguration, nOutReplace, "
                "nInReplace, removeOutputLayer and removeLayersFromOutput when the first layer is added and silently "
                f"ignores later calls. Call {method}() before the first addLayer().")
        self.edits.append(Edit(method, args, kwargs))
        return self

    def fineTuneConfiguration(self, finetuneConfiguration: FineTuneConfiguration):
        """Mirrors Builder#fineTuneConfiguration: settings applied to every kept layer (and default for new ones)."""
        if not isinstance(finetuneConfiguration, FineTuneConfiguration):
            raise InvalidConfigurationError(f"expected a FineTuneConfiguration, got {finetuneConfiguration!r}")
        self._record("fineTuneConfiguration", finetuneConfiguration)
        self._ftc = finetuneConfiguration
        return self

    def setFeatureExtractor(self, layerNum: int):
        """Mirrors Builder#setFeatureExtractor(int): freeze layers 0..layerNum INCLUSIVE of the final network."""
        return self._record("setFeatureExtractor", int(layerNum))

    def nOutReplace(self, layerNum: int, nOut: int, weightInit=None, weightInitNext=None, dist=None,
                    distNext=None):
        """Mirrors Builder#nOutReplace (all overloads): new nOut for a layer; that layer is re-initialised
        with ``weightInit``/``dist``, and the next layer, if FeedForward, gets nIn = nOut and is re-initialised
        with ``weightInitNext``/``distNext`` (default: the same scheme)."""
        scheme, nxt = _resolve_schemes(weightInit, weightInitNext, dist, distNext, "nOutReplace")
        return self._record("nOutReplace", int(layerNum), int(nOut), scheme, nxt)

    def nInReplace(self, layerNum: int, nIn: int, weightInit=None, dist=None):
        """Mirrors Builder#nInReplace (all overloads): new nIn for one layer, re-initialised with the scheme."""
        scheme = _scheme(weightInit, dist, "nInReplace")
        if scheme is None:
            raise InvalidConfigurationError("nInReplace: a weight init (weightInit=...) or a distribution (dist=...) is required")
        return self._record("nInReplace", int(layerNum), int(nIn), scheme)

    def removeOutputLayer(self):
        """Mirrors Builder#removeOutputLayer (sets the number of layers to pop to 1, unconditionally)."""
        self._pop_n = 1
        return self._record("removeOutputLayer")

    def removeLayersFromOutput(self, layerNum: int):
        """Mirrors Builder#removeLayersFromOutput: remove the last ``layerNum`` layers (only callable once)."""
        if self._pop_n != 0:
            raise InvalidConfigurationError("Remove layers from can only be called once")
        self._pop_n = int(layerNum)
        return self._record("removeLayersFromOutput", int(layerNum))

    def addLayer(self, layer):
        """Mirrors Builder#addLayer: append a layer (its own settings, then the FTC's, then DL4J's defaults).

        As in DL4J a FineTuneConfiguration is required (DL4J: NullPointerException); give an empty
        ``FineTuneConfiguration()`` for structural edits only."""
        if self._ftc is None:
            raise InvalidConfigurationError(
                "TransferLearning.Builder.addLayer() needs a fineTuneConfiguration(...) first (DL4J throws a "
                "NullPointerException); pass FineTuneConfiguration() if you only change the structure")
        self._record("addLayer", _as_layer(layer))
        self._added = True
        return self

    def setInputPreProcessor(self, layer: int, processor):
        """Mirrors Builder#setInputPreProcessor: the preprocessor at a FINAL layer index."""
        return self._record("setInputPreProcessor", int(layer), copy.deepcopy(processor))

    def validateOutputLayerConfig(self, validate: bool):
        return self._record("validateOutputLayerConfig", bool(validate))

    # ---- build

    def build(self) -> MultiLayerNetwork:
        """Mirrors Builder#build(): a new, initialised MultiLayerNetwork (on the original's backend)."""
        if getattr(self._orig, "backend", "torch") == "dl4j":
            from pydl4j_transfer.transfer.dl4j_replay import build_in_dl4j

            return build_in_dl4j(self)
        orig = self._orig
        oconf = orig.getLayerWiseConfigurations()
        ftc, frozen_till, validate, pop_n = None, -1, True, 0
        nout, nin, added, pre_set = {}, {}, [], []
        for e in self.edits:
            if e.method == "fineTuneConfiguration":
                ftc = e.args[0]
            elif e.method == "setFeatureExtractor":
                frozen_till = e.args[0]
            elif e.method == "nOutReplace":
                nout[e.args[0]] = e.args[1:]
            elif e.method == "nInReplace":
                nin[e.args[0]] = e.args[1:]
            elif e.method == "removeOutputLayer":
                pop_n = 1
            elif e.method == "removeLayersFromOutput":
                pop_n = e.args[0]
            elif e.method == "addLayer":
                added.append(e.args[0])
            elif e.method == "setInputPreProcessor":
                pre_set.append(e.args)
            elif e.method == "validateOutputLayerConfig":
                validate = e.args[0]

        # 1. fine-tune each original layer's NeuralNetConfiguration (a clone)
        confs = [c.clone() for c in oconf.confs]
        if ftc is not None:
            for c in confs:
                ftc.applyToNeuralNetConfiguration(c)
        n = len(confs)
        # 2. which original params are kept (by position)
        origin = list(range(n))  # final index -> original index, or None for re-initialised / new
        layer_params = _mln_layer_params(orig)

        def check(i, what):
            if i < 0 or i >= n:
                raise InvalidConfigurationError(
                    f"Invalid layer index: must be 0 to numLayers-1 = {n - 1} inclusive, got {i} ({what})")
            if not isinstance(confs[i].layer, FeedForwardLayer):
                raise InvalidConfigurationError(
                    f"{what} can only be applied on FeedForward layers; got layer of type "
                    f"{type(confs[i].layer).__name__} (layer {i})")

        # 3. nOutReplace, ascending layer order (edits are in place, so chains work in any call order)
        for i in sorted(nout):
            n_out, scheme, scheme_next = nout[i]
            check(i, "nOutReplace")
            layer = confs[i].layer
            layer.weightInitFn, layer.nOut = copy.deepcopy(scheme), n_out
            origin[i] = None
            if i + 1 < n and isinstance(confs[i + 1].layer, FeedForwardLayer):
                nxt = confs[i + 1].layer
                nxt.weightInitFn, nxt.nIn = copy.deepcopy(scheme_next), n_out
                if nxt.numParams() > 0:
                    origin[i + 1] = None
        # 4. nInReplace, ascending
        for i in sorted(nin):
            n_in, scheme = nin[i]
            check(i, "nInReplace")
            layer = confs[i].layer
            layer.weightInitFn, layer.nIn = copy.deepcopy(scheme), n_in
            origin[i] = None
        # 5. pop layers from the output end (with their preprocessors: DL4J is off by one, see deviations.md)
        pre = {k: copy.deepcopy(v) for k, v in oconf.inputPreProcessors.items()}
        if pop_n > n:
            raise InvalidConfigurationError(f"cannot remove {pop_n} layers from a network of {n} layers")
        for _ in range(pop_n):
            confs.pop()
            origin.pop()
            pre.pop(len(confs), None)
        # 6. appended layers
        for layer in added:
            nnc = ftc.appliedNeuralNetConfigurationBuilder().layer(copy.deepcopy(layer)).build()
            confs.append(nnc)
            origin.append(None)
        for idx, processor in pre_set:
            pre[idx] = processor
        for i, c in enumerate(confs):
            if c.layer.layerName is None:
                c.layer._set_name(f"layer{i}")
        # 7. the configuration
        conf = MultiLayerConfiguration()
        conf.confs = confs
        conf.inputPreProcessors = pre
        conf.dataType = oconf.dataType
        conf.validateOutputLayerConfig = True  # DL4J M2.1 writes true whatever the builder flag
        # Deviation (docs/deviations.md): keep the original backprop type / tbptt lengths unless the FTC sets them
        conf.backpropType, conf.tbpttFwdLength, conf.tbpttBackLength = (
            oconf.backpropType, oconf.tbpttFwdLength, oconf.tbpttBackLength)
        if ftc is not None:
            ftc.applyToMultiLayerConfiguration(conf)
        infer_layer_inputs(conf)  # MultiLayerConfiguration.Builder#build's input-type pass (nIn set with override)
        if validate:  # MultiLayerConfiguration.Builder#build with validateOutputLayerConfig: every layer
            for c in confs:
                validate_output_layer(c.layer.layerName, c.layer)
        # 8. freeze 0..frozenTill (inclusive) of the final network
        if frozen_till >= len(confs):
            raise InvalidConfigurationError(
                f"setFeatureExtractor({frozen_till}): the network has only {len(confs)} layers (0..{len(confs) - 1})")
        for i in range(frozen_till, -1, -1):
            layer = confs[i].layer
            if _is_output_layer_impl(layer):
                raise InvalidConfigurationError(
                    f"Output Layers are not allowed to be frozen (layer name: {layer.layerName}, layer index: {i})")
            confs[i].layer = _frozen(layer)
        # 9. params: fresh init from the (FTC) seed, then the kept layers' params copied by position
        net = MultiLayerNetwork(conf, backend=orig.backend)
        net.init()
        table = net.paramTable()
        for i, j in enumerate(origin):
            if j is None:
                continue
            for key, value in layer_params.get(j, {}).items():
                table[f"{i}_{key}"][...] = value
        return net


def _mln_layer_params(net):
    """{original layer index: {key: array copy}}."""
    out = {}
    for name, value in net.paramTable().items():
        idx, key = name.split("_", 1)
        out.setdefault(int(idx), OrderedDict())[key] = np.array(value, copy=True)
    return out


# ==============================================================================================
# ComputationGraph


class GraphBuilder:
    """Mirrors org.deeplearning4j.nn.transferlearning.TransferLearning.GraphBuilder (ComputationGraph).

    Differs from DL4J (docs/deviations.md): unknown vertex names are errors; ``fineTuneConfiguration``
    after a structural edit is an error (DL4J silently discards the edits, #8992); nOutReplace /
    nInReplace keep the FTC's settings on the rebuilt layers; the dtype is kept; params are copied by name.
    """

    def __init__(self, origGraph: ComputationGraph):
        if not isinstance(origGraph, ComputationGraph):
            raise InvalidConfigurationError(
                f"TransferLearning.GraphBuilder needs a ComputationGraph, got {type(origGraph).__name__}"
                + ("; use TransferLearning.Builder for a MultiLayerNetwork" if isinstance(origGraph, MultiLayerNetwork) else ""))
        origGraph._require_init()
        self._orig = origGraph
        self.edits: list = []
        self._structural = False

    def _record(self, method, *args, structural=True, **kwargs):
        self.edits.append(Edit(method, args, kwargs))
        self._structural = self._structural or structural
        return self

    def fineTuneConfiguration(self, fineTuneConfiguration: FineTuneConfiguration):
        """Mirrors GraphBuilder#fineTuneConfiguration. Call it first: after a structural edit it raises
        (DL4J discards the earlier structural edits silently, issue #8992)."""
        if not isinstance(fineTuneConfiguration, FineTuneConfiguration):
            raise InvalidConfigurationError(f"expected a FineTuneConfiguration, got {fineTuneConfiguration!r}")
        if self._structural:
            raise InvalidConfigurationError(
                "TransferLearning.GraphBuilder.fineTuneConfiguration() must come before nOutReplace/nInReplace/remove*/"
                "add*/set* calls (DL4J silently discards structural edits made before it, issue #8992)")
        return self._record("fineTuneConfiguration", fineTuneConfiguration, structural=False)

    def setFeatureExtractor(self, *layerNames):
        """Mirrors GraphBuilder#setFeatureExtractor(String...): freeze these vertices and ALL their ancestors."""
        return self._record("setFeatureExtractor", *[str(n) for n in layerNames], structural=False)

    def nOutReplace(self, layerName: str, nOut: int, weightInit=None, weightInitNext=None, dist=None,
                    distNext=None):
        """Mirrors GraphBuilder#nOutReplace (all overloads): new nOut for a layer vertex (re-initialised with
        ``weightInit``/``dist``); every FeedForward layer it feeds gets nIn = nOut and is re-initialised with
        ``weightInitNext``/``distNext`` (default: the same). A non-layer vertex among its outputs is an error."""
        scheme, nxt = _resolve_schemes(weightInit, weightInitNext, dist, distNext, "nOutReplace")
        return self._record("nOutReplace", str(layerName), int(nOut), scheme, nxt)

    def nInReplace(self, layerName: str, nIn: int, weightInit=None, dist=None):
        """Mirrors GraphBuilder#nInReplace (all overloads): new nIn for one layer vertex, re-initialised."""
        scheme = _scheme(weightInit, dist, "nInReplace")
        if scheme is None:
            raise InvalidConfigurationError("nInReplace: a weight init (weightInit=...) or a distribution (dist=...) is required")
        return self._record("nInReplace", str(layerName), int(nIn), scheme)

    def removeVertexKeepConnections(self, vertexName: str):
        """Mirrors GraphBuilder#removeVertexKeepConnections: remove it, keep its name in other vertices' inputs
        and in the outputs, so a vertex of the same name must be added back."""
        return self._record("removeVertexKeepConnections", str(vertexName))

    def removeVertexAndConnections(self, vertexName: str):
        """Mirrors GraphBuilder#removeVertexAndConnections (downstream vertices are not removed)."""
        return self._record("removeVertexAndConnections", str(vertexName))

    def addLayer(self, layerName: str, layer, *layerInputs, preProcessor=None):
        """Mirrors GraphBuilder#addLayer(name, layer[, preProcessor], inputs...): new layer (its own settings,
        then the FTC's, then DL4J's defaults), initialised from the FTC seed; >1 input adds "<name>-merge"."""
        if layerInputs and not isinstance(layerInputs[0], str):  # DL4J's positional preprocessor overload
            preProcessor, layerInputs = layerInputs[0], layerInputs[1:]
        return self._record("addLayer", str(layerName), _as_layer(layer), *layerInputs, preProcessor=copy.deepcopy(preProcessor))

    def addVertex(self, vertexName: str, vertex, *vertexInputs):
        """Mirrors GraphBuilder#addVertex."""
        return self._record("addVertex", str(vertexName), copy.deepcopy(vertex), *vertexInputs)

    def setInputs(self, *inputs):
        """Mirrors GraphBuilder#setInputs: replaces the network inputs."""
        return self._record("setInputs", *inputs)

    def addInputs(self, *inputNames):
        """Mirrors GraphBuilder#addInputs: appends network inputs."""
        return self._record("addInputs", *inputNames)

    def setOutputs(self, *outputNames):
        """Mirrors GraphBuilder#setOutputs: REPLACES the outputs (DL4J's javadoc says 'adds'; its code replaces)."""
        return self._record("setOutputs", *outputNames)

    def setInputTypes(self, *inputTypes):
        """Mirrors GraphBuilder#setInputTypes: preprocessors and nIn inferred at build (nIn overridden)."""
        return self._record("setInputTypes", *inputTypes)

    def setWorkspaceMode(self, workspaceMode):
        """Mirrors GraphBuilder#setWorkspaceMode: the training workspace mode of the new graph."""
        return self._record("setWorkspaceMode", enum_value(WorkspaceMode, workspaceMode), structural=False)

    def validateOutputLayerConfig(self, validate: bool):
        """Mirrors GraphBuilder#validateOutputLayerConfig (default true; not inherited from the original)."""
        return self._record("validateOutputLayerConfig", bool(validate), structural=False)

    # ---- build

    def build(self) -> ComputationGraph:
        """Mirrors GraphBuilder#build(): a new, initialised ComputationGraph (on the original's backend)."""
        if getattr(self._orig, "backend", "torch") == "dl4j":
            from pydl4j_transfer.transfer.dl4j_replay import build_in_dl4j

            return build_in_dl4j(self)
        orig = self._orig
        oconf: ComputationGraphConfiguration = orig.getConfiguration().clone()
        ftc = next((e.args[0] for e in self.edits if e.method == "fineTuneConfiguration"), None)
        orig_seed = oconf.defaultConfiguration.seed if oconf.defaultConfiguration is not None else 0
        if ftc is None:
            ftc = FineTuneConfiguration(seed=orig_seed)
        elif ftc.seed is None:  # deviation: DL4J takes System.currentTimeMillis() here
            ftc = ftc.clone()
            ftc.seed = orig_seed
        gb = _ConfGraphBuilder(ftc.appliedNeuralNetConfigurationBuilder())
        # DL4J's GraphBuilder(conf, ...) clones every vertex: AttentionVertex#clone keeps only its attention fields,
        # so the fine-tune builder's updater/regularization/gradient normalization reach it in buildConfig
        gb._vertices = OrderedDict((k, v.clone() if hasattr(v, "applyGlobalConfig") else v) for k, v in oconf.vertices.items())
        gb._vertex_inputs = {k: list(v) for k, v in oconf.vertexInputs.items()}
        gb._inputs = list(oconf.networkInputs)
        gb._outputs = list(oconf.networkOutputs)
        gb._backprop_type, gb._tbptt_fwd, gb._tbptt_back = oconf.backpropType, oconf.tbpttFwdLength, oconf.tbpttBackLength
        if any(e.method == "fineTuneConfiguration" for e in self.edits):
            for name, v in gb._vertices.items():
                if isinstance(v, LayerVertex):
                    ftc.applyToNeuralNetConfiguration(v.layerConf)
                    v.layer._set_name(name)
        edited, frozen_names, workspace = set(), [], None
        known_removed = set()

        def require(name, what):
            if name not in gb._vertices:
                extra = " (it was removed)" if name in known_removed else ""
                raise InvalidConfigurationError(
                    f"{what}: no vertex named {name!r}{extra}; the vertices are {list(gb._vertices)}")
            return gb._vertices[name]

        def reinsert(name, vertex):
            gb._vertices.pop(name)
            gb._vertices[name] = vertex  # DL4J re-adds a rebuilt vertex at the end of the vertex map

        for e in self.edits:
            m, a = e.method, e.args
            if m == "setFeatureExtractor":
                frozen_names.extend(a)
            elif m == "nOutReplace":
                name, n_out, scheme, scheme_next = a
                vertex = require(name, "nOutReplace")
                if not isinstance(vertex, LayerVertex):
                    raise InvalidConfigurationError(
                        f"noutReplace can only be applied to layer vertices. {name} is not a layer vertex")
                if not isinstance(vertex.layer, FeedForwardLayer):
                    raise InvalidConfigurationError(
                        f"nOutReplace can only be applied on FeedForward layers; {name} is a {type(vertex.layer).__name__}")
                fan_out = [v for v, ins in gb._vertex_inputs.items() if name in ins and v in gb._vertices]
                for v in fan_out:
                    if not isinstance(gb._vertices[v], LayerVertex):
                        raise InvalidConfigurationError(
                            f"Cannot modify nOut of a layer vertex that feeds non-layer vertices ({name} feeds {v}). "
                            "Use removeVertexKeepConnections followed by addVertex instead")
                vertex.layer.weightInitFn, vertex.layer.nOut = copy.deepcopy(scheme), n_out
                reinsert(name, vertex)
                edited.add(name)
                for v in fan_out:
                    fv = gb._vertices[v]
                    if not isinstance(fv.layer, FeedForwardLayer):
                        continue
                    fv.layer.weightInitFn, fv.layer.nIn = copy.deepcopy(scheme_next), n_out
                    reinsert(v, fv)
                    edited.add(v)
            elif m == "nInReplace":
                name, n_in, scheme = a
                if name not in gb._vertices:
                    raise InvalidConfigurationError(f"Layer with name {name} not found")
                vertex = gb._vertices[name]
                if not isinstance(vertex, LayerVertex):
                    raise InvalidConfigurationError(
                        f"nInReplace can only be applied on vertices with layers. Vertex {name} does not have a layer")
                if not isinstance(vertex.layer, FeedForwardLayer):
                    raise InvalidConfigurationError(
                        f"Can only use nInReplace on FeedForward layers;got layer of type {type(vertex.layer).__name__} "
                        f"for layer name {name}")
                vertex.layer.weightInitFn, vertex.layer.nIn = copy.deepcopy(scheme), n_in
                reinsert(name, vertex)
                edited.add(name)
            elif m in ("removeVertexKeepConnections", "removeVertexAndConnections"):
                name = a[0]
                if name not in gb._vertices and name not in gb._inputs:
                    require(name, m)
                gb._vertices.pop(name, None)
                gb._vertex_inputs.pop(name, None)
                gb._inputs = [s for s in gb._inputs if s != name]
                known_removed.add(name)
                if m == "removeVertexAndConnections":
                    for k, ins in gb._vertex_inputs.items():
                        gb._vertex_inputs[k] = [s for s in ins if s != name]
                    gb._outputs = [s for s in gb._outputs if s != name]
            elif m in ("addLayer", "addVertex"):
                name = a[0]
                if name in gb._vertices or name in gb._inputs:
                    raise InvalidConfigurationError(f'Cannot add vertex: a vertex with name "{name}" already exists')
                if m == "addLayer":
                    pre = e.kwargs.get("preProcessor")
                    gb.addLayer(name, copy.deepcopy(a[1]), *(((pre,) if pre is not None else ()) + tuple(a[2:])))
                else:
                    gb.addVertex(name, copy.deepcopy(a[1]), *a[2:])
                edited.add(name)
            elif m == "setInputs":
                gb._inputs = list(a)
            elif m == "addInputs":
                gb._inputs.extend(a)
            elif m == "setOutputs":
                gb._outputs = list(a)
            elif m == "setInputTypes":
                existing = list(gb._input_types or [])
                if len(existing) + len(a) != len(gb._inputs):
                    raise InvalidConfigurationError(
                        f"Invalid number of InputTypes: existing inputTypes ({len(existing)}) + additional inputTypes "
                        f"({len(a)}) != number of network inputs ({len(gb._inputs)})")
                gb._input_types = existing + list(a)
            elif m == "setWorkspaceMode":
                workspace = a[0]
            elif m == "validateOutputLayerConfig":
                gb._validate_output = a[0]
        for name in frozen_names:
            if name not in gb._vertices and name not in gb._inputs:
                raise InvalidConfigurationError(
                    f"setFeatureExtractor: no vertex named {name!r} in the new graph; the vertices are {list(gb._vertices)}")

        conf = gb.build()
        if getattr(gb, "_validate_output", True):  # ComputationGraphConfiguration: the output layers
            for name in conf.networkOutputs:
                vertex = conf.vertices.get(name)
                if isinstance(vertex, LayerVertex):
                    validate_output_layer(name, vertex.layer)
        conf.dataType = oconf.dataType  # deviation: DL4J resets it to FLOAT
        if workspace is not None:
            conf.trainingWorkspaceMode = workspace
        # freeze the named vertices and all their ancestors (reverse topological order)
        if frozen_names:
            names = {i: nm for nm, i in conf.vertexIndices().items()}
            all_frozen = set(frozen_names)
            for i in reversed(conf.topologicalSortOrder()):
                nm = names[i]
                if nm not in all_frozen or nm in conf.networkInputs:
                    continue
                vertex = conf.vertices[nm]
                if isinstance(vertex, LayerVertex):
                    if _is_output_layer_impl(vertex.layer):
                        raise InvalidConfigurationError(
                            f"Output Layers are not allowed to be frozen (vertex {nm!r})")
                    vertex.layerConf.layer = _frozen(vertex.layer)
                else:
                    conf.vertices[nm] = FrozenVertex(vertex)
                all_frozen.update(conf.vertexInputs.get(nm, []))
        net = ComputationGraph(conf, backend=orig.backend)
        net.init()
        # params: every param layer not edited gets the original's params BY NAME
        otable = orig.paramTable()
        table = net.paramTable()
        for pname, view in table.items():
            owner = pname.rsplit("_", 1)[0] if pname not in otable else _owner_of(pname, conf)
            if owner in edited or pname not in otable:
                continue
            src = otable[pname]
            if src.shape != view.shape:
                raise InvalidConfigurationError(
                    f"parameter {pname}: the original has shape {src.shape}, the new graph needs {view.shape}; "
                    "change nIn/nOut with nOutReplace/nInReplace")
            view[...] = src
        return net


def _owner_of(pname, conf):
    for name in sorted(conf.vertices, key=len, reverse=True):
        if pname.startswith(name + "_"):
            return name
    return pname.rsplit("_", 1)[0]


class TransferLearning:
    """Mirrors org.deeplearning4j.nn.transferlearning.TransferLearning (nested Builder and GraphBuilder)."""

    Builder = Builder
    GraphBuilder = GraphBuilder
