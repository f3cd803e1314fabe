"""The recorded calls of TransferLearning.Builder / GraphBuilder: one small registered class per DL4J method.

A transfer-learning builder only records its calls (``builder.edits``); ``build()`` executes the plan in one of
two ways, which is how the parity suite compares the two backends:

* ``edit.apply(plan)``: on the configuration and params, in Python (the torch backend). The MultiLayerNetwork
  builder's edits fill an :class:`MlnPlan` that :meth:`MlnPlan.build` applies in DL4J's fixed order (DL4J's
  ``Builder#build``: fine-tune, nOutReplace, nInReplace, pop, add, freeze); the graph builder's edits act in call
  order on a :class:`GraphPlan` holding a configuration ``GraphBuilder`` made with
  ``GraphBuilder.fromConfiguration`` (DL4J's ``GraphBuilder(ComputationGraphConfiguration, Builder)``);
* ``edit.replay(java_builder, java)``: the same call on DL4J's own Java builder (the dl4j backend; the Java values
  come from ``java``, i.e. :mod:`pydl4j_transfer.dl4j_backend.transfer`, the one place they are made).

Adding an edit: a class with DL4J's method name in ``method``, its arguments as attributes, ``apply`` and
``replay``, registered in :data:`MLN_EDITS` or :data:`GRAPH_EDITS` (or both).
"""

from __future__ import annotations

import copy
from collections import OrderedDict

import numpy as np

from pydl4j_transfer.conf import MultiLayerConfiguration
from pydl4j_transfer.conf.fine_tune import FineTuneConfiguration
from pydl4j_transfer.conf.graph import GraphBuilder as ConfGraphBuilder
from pydl4j_transfer.conf.layers.base import FeedForwardLayer
from pydl4j_transfer.conf.network import infer_layer_inputs
from pydl4j_transfer.conf.layers.feedforward import OutputLayer
from pydl4j_transfer.conf.layers.variational import VariationalAutoencoder
from pydl4j_transfer.conf.layers.wrappers import FrozenLayer
from pydl4j_transfer.conf.validation import validate_output_layer
from pydl4j_transfer.conf.vertices import FrozenVertex, LayerVertex
from pydl4j_transfer.errors import InvalidConfigurationError
from pydl4j_transfer.nn.graph import ComputationGraph
from pydl4j_transfer.nn.multilayer import MultiLayerNetwork

#: DL4J method name -> edit class, for each builder
MLN_EDITS: dict = {}
GRAPH_EDITS: dict = {}


def _registered(*registries):
    def deco(cls):
        for registry in registries:
            if cls.method in registry:
                raise InvalidConfigurationError(f"duplicate transfer-learning edit {cls.method!r}")
            registry[cls.method] = cls
        return cls
    return deco


def frozen(layer):
    """Mirrors building conf.layers.misc.FrozenLayer(inner) under the inner layer's name."""
    wrapped = FrozenLayer(layer=layer)
    wrapped.layerName = layer.layerName
    return wrapped


def refuse_frozen_vae(layer, where, below, helper_arg) -> None:
    """setFeatureExtractor over a VariationalAutoencoder: DL4J 1.0.0-M2.1's builders wrap it in a FrozenLayer whose
    parameter count (FrozenLayerParamInitializer asks numParams(Layer), which the VAE's initializer leaves at
    nIn*nOut + nOut) is not the VAE's: the network it returns gives outputs, but fit, clone and save fail
    (IllegalStateException "Indices are out of range" / "Invalid parameters"), and its JSON cannot be initialised.
    Refused here, when built, saying what works instead."""
    inner = layer.wrapped() if isinstance(layer, FrozenLayer) else layer
    if isinstance(inner, VariationalAutoencoder):
        raise InvalidConfigurationError(
            f"setFeatureExtractor would freeze {where}, a VariationalAutoencoder: DL4J 1.0.0-M2.1 cannot train, clone "
            "or save a network with a FrozenLayer around a VariationalAutoencoder (the wrapper counts its parameters "
            f"as nIn*nOut + nOut); freeze only what is below it ({below}), or keep the network as it is and featurize "
            f"through the VariationalAutoencoder with TransferLearningHelper({helper_arg}), which DL4J supports")


def is_output_layer_impl(layer) -> bool:
    """DL4J's runtime FrozenLayer rejects an nn.layers.OutputLayer (conf OutputLayer; not RnnOutputLayer/LossLayer...)."""
    return type(layer) is OutputLayer


class Edit:
    """One recorded builder call: DL4J's method name and its arguments."""

    method = ""
    structural = True  # GraphBuilder: fineTuneConfiguration must come before every structural edit

    def __init__(self, *args, **kwargs):
        self.args, self.kwargs = args, kwargs

    def apply(self, plan) -> None:  # pragma: no cover - every edit defines it
        raise NotImplementedError

    def replay(self, jb, java) -> None:
        """The call on DL4J's Java builder ``jb`` (``java``: dl4j_backend.transfer, which makes the Java values)."""
        getattr(jb, self.method)(*self.args)

    def __repr__(self):
        return f"{self.method}{self.args!r}"


# ---- edits of both builders ---------------------------------------------------------------------------


@_registered(MLN_EDITS, GRAPH_EDITS)
class FineTune(Edit):
    method, structural = "fineTuneConfiguration", False

    def apply(self, plan):
        plan.ftc = self.args[0]

    def replay(self, jb, java):
        jb.fineTuneConfiguration(java.ftc_to_java(self.args[0]))


@_registered(MLN_EDITS, GRAPH_EDITS)
class ValidateOutputLayerConfig(Edit):
    method, structural = "validateOutputLayerConfig", False

    def apply(self, plan):
        plan.validate = self.args[0]

    def replay(self, jb, java):
        jb.validateOutputLayerConfig(bool(self.args[0]))


class _Replace(Edit):
    """nOutReplace / nInReplace: (layer index or vertex name, n, weight init scheme(s))."""

    def replay(self, jb, java):
        target = java.jstring(self.args[0]) if isinstance(self.args[0], str) else int(self.args[0])
        getattr(jb, self.method)(target, int(self.args[1]), *java.scheme_args(self.method, *self.args[2:]))


@_registered(MLN_EDITS, GRAPH_EDITS)
class NOutReplace(_Replace):
    method = "nOutReplace"

    def apply(self, plan):
        plan.nOutReplace(*self.args)


@_registered(MLN_EDITS, GRAPH_EDITS)
class NInReplace(_Replace):
    method = "nInReplace"

    def apply(self, plan):
        plan.nInReplace(*self.args)


# ---- MultiLayerNetwork builder -------------------------------------------------------------------------


@_registered(MLN_EDITS)
class SetFeatureExtractorLayer(Edit):
    method, structural = "setFeatureExtractor", False

    def apply(self, plan):
        plan.frozen_till = self.args[0]

    def replay(self, jb, java):
        jb.setFeatureExtractor(int(self.args[0]))


@_registered(MLN_EDITS)
class RemoveOutputLayer(Edit):
    method = "removeOutputLayer"

    def apply(self, plan):
        plan.pop_n = 1


@_registered(MLN_EDITS)
class RemoveLayersFromOutput(Edit):
    method = "removeLayersFromOutput"

    def apply(self, plan):
        plan.pop_n = self.args[0]

    def replay(self, jb, java):
        jb.removeLayersFromOutput(int(self.args[0]))


@_registered(MLN_EDITS)
class AddLayerToStack(Edit):
    method = "addLayer"

    def apply(self, plan):
        plan.added.append(self.args[0])

    def replay(self, jb, java):
        jb.addLayer(java.to_java(self.args[0], "layer"))


@_registered(MLN_EDITS)
class SetInputPreProcessor(Edit):
    method = "setInputPreProcessor"

    def apply(self, plan):
        plan.pre_set.append(self.args)

    def replay(self, jb, java):
        jb.setInputPreProcessor(int(self.args[0]), java.to_java(self.args[1], "preprocessor"))


def _layer_params(net) -> dict:
    """{original layer index: {key: array copy}}."""
    out = {}
    for name, value in net.paramTable().items():
        idx, key = name.split("_", 1)
        out.setdefault(int(idx), OrderedDict())[key] = np.array(value, copy=True)
    return out


class MlnPlan:
    """What TransferLearning.Builder's recorded calls ask for; :meth:`build` applies it in DL4J's order."""

    def __init__(self, orig: MultiLayerNetwork):
        self.orig = orig
        self.ftc, self.frozen_till, self.validate, self.pop_n = None, -1, True, 0
        self.nout, self.nin, self.added, self.pre_set = {}, {}, [], []

    def nOutReplace(self, layer, n_out, scheme, scheme_next):
        self.nout[layer] = (n_out, scheme, scheme_next)

    def nInReplace(self, layer, n_in, scheme):
        self.nin[layer] = (n_in, scheme)

    def build(self) -> MultiLayerNetwork:
        """Mirrors Builder#build(): a new, initialised MultiLayerNetwork on the original's backend."""
        oconf = self.orig.getLayerWiseConfigurations()
        ftc = self.ftc
        # 1. fine-tune each original layer's NeuralNetConfiguration (a clone)
        confs = [c.clone() for c in oconf.confs]
        if ftc is not None:
            for c in confs:
                ftc.applyToNeuralNetConfiguration(c)
        # 2. which original params are kept (by position): final index -> original index, or None
        origin = list(range(len(confs)))
        self._replace(confs, origin)
        # 3. pop layers from the output end (with their preprocessors: DL4J is off by one, see deviations.md)
        pre = {k: copy.deepcopy(v) for k, v in oconf.inputPreProcessors.items()}
        if self.pop_n > len(confs):
            raise InvalidConfigurationError(f"cannot remove {self.pop_n} layers from a network of {len(confs)} layers")
        for _ in range(self.pop_n):
            confs.pop()
            origin.pop()
            pre.pop(len(confs), None)
        # 4. appended layers
        for layer in self.added:
            confs.append(ftc.appliedNeuralNetConfigurationBuilder().layer(copy.deepcopy(layer)).build())
            origin.append(None)
        for idx, processor in self.pre_set:
            pre[idx] = processor
        for i, c in enumerate(confs):
            if c.layer.layerName is None:
                c.layer.setLayerName(f"layer{i}")
        conf = self._configuration(oconf, confs, pre)
        self._freeze(confs)
        return self._network(conf, origin)

    def _replace(self, confs, origin):
        """nOutReplace then nInReplace, ascending layer order (edits are in place, so chains work in any order)."""
        n = len(confs)

        def check(i, what):
            if i < 0 or i >= n:
                raise InvalidConfigurationError(
                    f"Invalid layer index: must be 0 to numLayers-1 = {n - 1} inclusive, got {i} ({what})")
            if not isinstance(confs[i].layer, FeedForwardLayer):
                raise InvalidConfigurationError(
                    f"{what} can only be applied on FeedForward layers; got layer of type "
                    f"{type(confs[i].layer).__name__} (layer {i})")

        for i in sorted(self.nout):
            n_out, scheme, scheme_next = self.nout[i]
            check(i, "nOutReplace")
            layer = confs[i].layer
            layer.weightInitFn, layer.nOut = copy.deepcopy(scheme), n_out
            origin[i] = None
            if i + 1 < n and isinstance(confs[i + 1].layer, FeedForwardLayer):
                nxt = confs[i + 1].layer
                nxt.weightInitFn, nxt.nIn = copy.deepcopy(scheme_next), n_out
                if nxt.numParams() > 0:
                    origin[i + 1] = None
        for i in sorted(self.nin):
            n_in, scheme = self.nin[i]
            check(i, "nInReplace")
            layer = confs[i].layer
            layer.weightInitFn, layer.nIn = copy.deepcopy(scheme), n_in
            origin[i] = None

    def _configuration(self, oconf, confs, pre) -> MultiLayerConfiguration:
        conf = MultiLayerConfiguration()
        conf.confs = confs
        conf.inputPreProcessors = pre
        conf.dataType = oconf.dataType
        conf.validateOutputLayerConfig = True  # DL4J M2.1 writes true whatever the builder flag
        # Deviation (docs/deviations.md): keep the original backprop type / tbptt lengths unless the FTC sets them
        conf.backpropType, conf.tbpttFwdLength, conf.tbpttBackLength = (
            oconf.backpropType, oconf.tbpttFwdLength, oconf.tbpttBackLength)
        if self.ftc is not None:
            self.ftc.applyToMultiLayerConfiguration(conf)
        infer_layer_inputs(conf)  # MultiLayerConfiguration.Builder#build's input-type pass (nIn set with override)
        if self.validate:  # MultiLayerConfiguration.Builder#build with validateOutputLayerConfig: every layer
            for c in confs:
                validate_output_layer(c.layer.layerName, c.layer)
        return conf

    def _freeze(self, confs):
        """setFeatureExtractor: freeze 0..frozenTill (inclusive) of the final network."""
        if self.frozen_till >= len(confs):
            raise InvalidConfigurationError(f"setFeatureExtractor({self.frozen_till}): the network has only "
                                            f"{len(confs)} layers (0..{len(confs) - 1})")
        for i in range(self.frozen_till, -1, -1):
            layer = confs[i].layer
            if is_output_layer_impl(layer):
                raise InvalidConfigurationError(
                    f"Output Layers are not allowed to be frozen (layer name: {layer.layerName}, layer index: {i})")
            refuse_frozen_vae(layer, f"layer {layer.layerName!r} (index {i})",
                              f"setFeatureExtractor({i - 1})" if i > 0 else "no layer", f"net, {i}")
        for i in range(self.frozen_till, -1, -1):
            confs[i].layer = frozen(confs[i].layer)

    def _network(self, conf, origin) -> MultiLayerNetwork:
        """Fresh init from the (FTC) seed, then the kept layers' params copied by position."""
        layer_params = _layer_params(self.orig)
        net = MultiLayerNetwork(conf, backend=self.orig.backend).init()
        for i in range(self.frozen_till + 1):
            # DL4J wraps the layers in FrozenLayer after building the network: each keeps the variables of the layer
            # it wraps (a wrapper's, e.g. TimeDistributed's, are empty), not those FrozenLayer#instantiate would copy
            variables = conf.confs[i].variables
            variables[:] = [k for k in conf.confs[i].layer.wrapped().variables() if k in variables]
        table = net.paramTable()
        for i, j in enumerate(origin):
            if j is None:
                continue
            for key, value in layer_params.get(j, {}).items():
                table[f"{i}_{key}"][...] = value
        return net


# ---- ComputationGraph builder --------------------------------------------------------------------------


@_registered(GRAPH_EDITS)
class SetFeatureExtractorVertices(Edit):
    method, structural = "setFeatureExtractor", False

    def apply(self, plan):
        plan.frozen_names.extend(self.args)

    def replay(self, jb, java):
        jb.setFeatureExtractor(java.jstrings(self.args))


class _RemoveVertex(Edit):
    remove_connections = True

    def apply(self, plan):
        name = self.args[0]
        gb = plan.gb
        if name not in gb.getVertices() and name not in gb.getNetworkInputs():
            plan.require(name, self.method)
        gb.removeVertex(name, self.remove_connections)
        plan.known_removed.add(name)


@_registered(GRAPH_EDITS)
class RemoveVertexKeepConnections(_RemoveVertex):
    method, remove_connections = "removeVertexKeepConnections", False


@_registered(GRAPH_EDITS)
class RemoveVertexAndConnections(_RemoveVertex):
    method = "removeVertexAndConnections"


@_registered(GRAPH_EDITS)
class AddLayerToGraph(Edit):
    method = "addLayer"

    def apply(self, plan):
        name, layer, *inputs = self.args
        plan.check_new(name)
        pre = self.kwargs.get("preProcessor")
        plan.gb.addLayer(name, copy.deepcopy(layer), *(((pre,) if pre is not None else ()) + tuple(inputs)))
        plan.edited.add(name)

    def replay(self, jb, java):
        name, layer, *inputs = self.args
        pre = self.kwargs.get("preProcessor")
        pre_args = () if pre is None else (java.to_java(pre, "preprocessor"),)
        jb.addLayer(name, java.to_java(layer, "layer"), *pre_args, java.jstrings(inputs))


@_registered(GRAPH_EDITS)
class AddVertex(Edit):
    method = "addVertex"

    def apply(self, plan):
        name, vertex, *inputs = self.args
        plan.check_new(name)
        plan.gb.addVertex(name, copy.deepcopy(vertex), *inputs)
        plan.edited.add(name)

    def replay(self, jb, java):
        name, vertex, *inputs = self.args
        jb.addVertex(name, java.to_java(vertex, "vertex"), java.jstrings(inputs))


class _NameList(Edit):
    def replay(self, jb, java):
        getattr(jb, self.method)(java.jstrings(self.args))


@_registered(GRAPH_EDITS)
class SetInputs(_NameList):
    method = "setInputs"

    def apply(self, plan):
        plan.gb.setNetworkInputs(self.args)


@_registered(GRAPH_EDITS)
class AddInputs(_NameList):
    method = "addInputs"

    def apply(self, plan):
        plan.gb.getNetworkInputs().extend(self.args)


@_registered(GRAPH_EDITS)
class SetOutputs(_NameList):
    method = "setOutputs"

    def apply(self, plan):
        plan.gb.setOutputs(*self.args)


@_registered(GRAPH_EDITS)
class SetInputTypes(Edit):
    method = "setInputTypes"

    def apply(self, plan):
        gb = plan.gb
        existing = gb.getNetworkInputTypes()
        if len(existing) + len(self.args) != len(gb.getNetworkInputs()):  # checked even before any input exists
            raise InvalidConfigurationError(
                f"Invalid number of InputTypes: existing inputTypes ({len(existing)}) + additional inputTypes "
                f"({len(self.args)}) != number of network inputs ({len(gb.getNetworkInputs())})")
        gb.setInputTypes(*self.args)

    def replay(self, jb, java):
        jb.setInputTypes(java.input_types_to_java(self.args))


@_registered(GRAPH_EDITS)
class SetWorkspaceMode(Edit):
    method, structural = "setWorkspaceMode", False

    def apply(self, plan):
        plan.workspace = self.args[0]

    def replay(self, jb, java):
        jb.setWorkspaceMode(java.enum("org.deeplearning4j.nn.conf.WorkspaceMode", self.args[0]))


class GraphPlan:
    """The graph being edited: a configuration GraphBuilder over a clone of the original's configuration, and
    what build() needs besides (edited vertices get fresh params, frozen vertex names, the workspace mode)."""

    def __init__(self, orig: ComputationGraph, edits):
        self.orig = orig
        oconf = orig.getConfiguration()
        self.oconf = oconf
        ftc = next((e.args[0] for e in edits if isinstance(e, FineTune)), None)
        orig_seed = oconf.defaultConfiguration.seed if oconf.defaultConfiguration is not None else 0
        if ftc is None:
            ftc = FineTuneConfiguration(seed=orig_seed)
        elif ftc.seed is None:  # deviation: DL4J takes System.currentTimeMillis() here
            ftc = ftc.clone()
            ftc.seed = orig_seed
        self.gb = ConfGraphBuilder.fromConfiguration(oconf, ftc.appliedNeuralNetConfigurationBuilder())
        if any(isinstance(e, FineTune) for e in edits):
            for name, v in self.gb.getVertices().items():
                if isinstance(v, LayerVertex):
                    ftc.applyToNeuralNetConfiguration(v.layerConf)
                    v.layer.setLayerName(name)
        self.ftc = ftc
        self.validate = True
        self.workspace = None
        self.edited, self.frozen_names, self.known_removed = set(), [], set()

    # ---- helpers the edits use
    def require(self, name, what):
        vertices = self.gb.getVertices()
        if name not in vertices:
            extra = " (it was removed)" if name in self.known_removed else ""
            raise InvalidConfigurationError(
                f"{what}: no vertex named {name!r}{extra}; the vertices are {list(vertices)}")
        return vertices[name]

    def check_new(self, name):
        if name in self.gb.getVertices() or name in self.gb.getNetworkInputs():
            raise InvalidConfigurationError(f'Cannot add vertex: a vertex with name "{name}" already exists')

    def _reinsert(self, name, vertex):
        vertices = self.gb.getVertices()
        vertices.pop(name)
        vertices[name] = vertex  # DL4J re-adds a rebuilt vertex at the end of the vertex map
        self.edited.add(name)

    def _own_activation(self, name, vertex):
        """A layer nOutReplace / nInReplace rebuilds keeps its own activation, not the FTC's: DL4J rebuilds it from
        the original (pre-FTC) layer, whose activation the FTC-built defaults never override (its
        TransferLearningCompGraphTest#testNoutChanges pins it: an nOutReplaced softmax output layer under an FTC
        activation(IDENTITY) stays softmax). The FTC's other settings do apply (deviation #8, docs/deviations.md)."""
        orig = self.oconf.vertices.get(name)
        if isinstance(orig, LayerVertex) and hasattr(orig.layer, "activationFn") and hasattr(vertex.layer, "activationFn"):
            vertex.layer.activationFn = copy.deepcopy(orig.layer.activationFn)

    def nOutReplace(self, name, n_out, scheme, scheme_next):
        vertex = self.require(name, "nOutReplace")
        if not isinstance(vertex, LayerVertex):
            raise InvalidConfigurationError(
                f"noutReplace can only be applied to layer vertices. {name} is not a layer vertex")
        if not isinstance(vertex.layer, FeedForwardLayer):
            raise InvalidConfigurationError(
                f"nOutReplace can only be applied on FeedForward layers; {name} is a {type(vertex.layer).__name__}")
        vertices = self.gb.getVertices()
        fan_out = [v for v, ins in self.gb.getVertexInputs().items() if name in ins and v in vertices]
        for v in fan_out:
            if not isinstance(vertices[v], LayerVertex):
                raise InvalidConfigurationError(
                    f"Cannot modify nOut of a layer vertex that feeds non-layer vertices ({name} feeds {v}). "
                    "Use removeVertexKeepConnections followed by addVertex instead")
        vertex.layer.weightInitFn, vertex.layer.nOut = copy.deepcopy(scheme), n_out
        self._own_activation(name, vertex)
        self._reinsert(name, vertex)
        for v in fan_out:
            fv = vertices[v]
            if isinstance(fv.layer, FeedForwardLayer):
                fv.layer.weightInitFn, fv.layer.nIn = copy.deepcopy(scheme_next), n_out
                self._own_activation(v, fv)
                self._reinsert(v, fv)

    def nInReplace(self, name, n_in, scheme):
        vertex = self.gb.getVertices().get(name)
        if vertex is None:
            raise InvalidConfigurationError(f"Layer with name {name} not found")
        if not isinstance(vertex, LayerVertex):
            raise InvalidConfigurationError(
                f"nInReplace can only be applied on vertices with layers. Vertex {name} does not have a layer")
        if not isinstance(vertex.layer, FeedForwardLayer):
            raise InvalidConfigurationError(
                f"Can only use nInReplace on FeedForward layers;got layer of type {type(vertex.layer).__name__} "
                f"for layer name {name}")
        vertex.layer.weightInitFn, vertex.layer.nIn = copy.deepcopy(scheme), n_in
        self._own_activation(name, vertex)
        self._reinsert(name, vertex)

    # ---- build
    def build(self) -> ComputationGraph:
        """Mirrors GraphBuilder#build(): a new, initialised ComputationGraph on the original's backend."""
        gb = self.gb
        for name in self.frozen_names:
            if name not in gb.getVertices() and name not in gb.getNetworkInputs():
                raise InvalidConfigurationError(f"setFeatureExtractor: no vertex named {name!r} in the new graph; "
                                                f"the vertices are {list(gb.getVertices())}")
        gb.validateOutputLayerConfig(self.validate)
        conf = gb.build()  # GraphBuilder#build validates every layer vertex's output-layer configuration
        conf.dataType = self.oconf.dataType  # deviation: DL4J resets it to FLOAT
        if self.workspace is not None:
            conf.trainingWorkspaceMode = self.workspace
        self._freeze(conf)
        return self._network(conf)

    def _freeze(self, conf):
        """setFeatureExtractor: the named vertices and all their ancestors (reverse topological order)."""
        if not self.frozen_names:
            return
        all_frozen = set(self.frozen_names)
        for nm in reversed(conf.topological_names()):
            if nm not in all_frozen or nm in conf.networkInputs:
                continue
            vertex = conf.vertices[nm]
            if isinstance(vertex, LayerVertex):
                if is_output_layer_impl(vertex.layer):
                    raise InvalidConfigurationError(f"Output Layers are not allowed to be frozen (vertex {nm!r})")
                inputs = ", ".join(repr(i) for i in conf.vertexInputs.get(nm, []))
                refuse_frozen_vae(vertex.layer, f"vertex {nm!r}", f"setFeatureExtractor({inputs})", f"graph, {nm!r}")
                vertex.layerConf.layer = frozen(vertex.layer)
            else:
                conf.vertices[nm] = FrozenVertex(vertex)
            all_frozen.update(conf.vertexInputs.get(nm, []))

    def _network(self, conf) -> ComputationGraph:
        """Fresh init, then every param layer not edited gets the original's params BY NAME."""
        net = ComputationGraph(conf, backend=self.orig.backend).init()
        otable = self.orig.paramTable()
        for pname, view in net.paramTable().items():
            owner = pname.rsplit("_", 1)[0] if pname not in otable else _owner_of(pname, conf)
            if owner in self.edited or pname not in otable:
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
