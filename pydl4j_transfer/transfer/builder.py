"""TransferLearning.Builder (MultiLayerNetwork) and TransferLearning.GraphBuilder (ComputationGraph).

Mirrors ``org.deeplearning4j.nn.transferlearning.TransferLearning`` (1.0.0-M2.1).

Both builders only *record* their calls (``builder.edits``: one registered class per DL4J method,
transfer/edits.py); ``build()`` is a short loop over them that returns a NEW, initialised network (the
original is never touched). The original network's runtime decides how the plan runs: on the torch
backend the edits apply to a copy of the configuration and parameters in Python; on the dl4j backend
DL4J's own Java builders replay them (``Dl4jRuntime.transfer_learning``), which is how the parity
tests compare the two.

Parameters: kept layers keep their parameters bit for bit (MLN: by position, as DL4J; graph: by
vertex name); re-initialised and new layers are drawn from their weight init with the FTC seed
(or the original network's seed when the FTC sets none), through the network's ``init()``.
Where this differs from DL4J, see ``docs/deviations.md``.
"""

from __future__ import annotations

import copy

from pydl4j_transfer.java_names import JavaNames
from pydl4j_transfer.conf.base import enum_value
from pydl4j_transfer.conf.enums import WeightInit, WorkspaceMode
from pydl4j_transfer.conf.fine_tune import FineTuneConfiguration
from pydl4j_transfer.conf.layers.base import Layer
from pydl4j_transfer.conf.values.weightinit import Distribution, WeightInitDistribution, to_weight_init
from pydl4j_transfer.errors import InvalidConfigurationError
from pydl4j_transfer.nn.graph import ComputationGraph
from pydl4j_transfer.nn.multilayer import MultiLayerNetwork
from pydl4j_transfer.nn.serializer import network_from_dl4j

from . import edits as E


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


# ==============================================================================================
# MultiLayerNetwork


class Builder(JavaNames):
    """Mirrors org.deeplearning4j.nn.transferlearning.TransferLearning.Builder (MultiLayerNetwork).

    Differs from DL4J: edits after the first ``addLayer`` raise (DL4J ignores them silently);
    see docs/deviations.md for the others.
    """

    def __init__(self, origModel: MultiLayerNetwork):
        if not isinstance(origModel, MultiLayerNetwork):
            raise InvalidConfigurationError(
                f"TransferLearning.Builder needs a MultiLayerNetwork, got {type(origModel).__name__}"
                + ("; use TransferLearning.GraphBuilder for a ComputationGraph" if isinstance(origModel, ComputationGraph) else ""))
        _require_init(origModel)
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
        self.edits.append(E.MLN_EDITS[method](*args, **kwargs))
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
        if self._orig.getRuntimeClass().replays_transfer_learning:  # the dl4j backend: DL4J's own builder
            return network_from_dl4j(self._orig.getRuntime().transfer_learning(self.edits, graph=False))
        plan = E.MlnPlan(self._orig)
        for edit in self.edits:
            edit.apply(plan)
        return plan.build()

    def replayInDl4j(self):
        """The recorded plan run by DL4J's own builder on a copy of the original in the JVM (an extension: the
        parity harness, one recorded plan, two executions); returns DL4J's network as a ``Dl4jModel``."""
        from pydl4j_transfer.dl4j_backend.runtime import Dl4jRuntime

        runtime = Dl4jRuntime(self._orig.getConfiguration(), self._orig.params())
        return runtime.transfer_learning(self.edits, graph=isinstance(self._orig, ComputationGraph))


# ==============================================================================================
# ComputationGraph


class GraphBuilder(JavaNames):
    """Mirrors org.deeplearning4j.nn.transferlearning.TransferLearning.GraphBuilder (ComputationGraph).

    Differs from DL4J (docs/deviations.md): unknown vertex names are errors; ``fineTuneConfiguration``
    after a structural edit that is not repeated after it is an error (DL4J silently discards the edit, #8992);
    nOutReplace / nInReplace keep the FTC's settings (but the layer's own activation, as DL4J) on the rebuilt
    layers; the dtype is kept; params are copied by name.
    """

    def __init__(self, origGraph: ComputationGraph):
        if not isinstance(origGraph, ComputationGraph):
            raise InvalidConfigurationError(
                f"TransferLearning.GraphBuilder needs a ComputationGraph, got {type(origGraph).__name__}"
                + ("; use TransferLearning.Builder for a MultiLayerNetwork" if isinstance(origGraph, MultiLayerNetwork) else ""))
        _require_init(origGraph)
        self._orig = origGraph
        self.edits: list = []

    def _record(self, method, *args, **kwargs):
        self.edits.append(E.GRAPH_EDITS[method](*args, **kwargs))
        return self

    def fineTuneConfiguration(self, fineTuneConfiguration: FineTuneConfiguration):
        """Mirrors GraphBuilder#fineTuneConfiguration. As in DL4J, each call restarts the edited configuration from
        the original one: structural edits recorded before it are discarded (issue #8992). That is fine where they
        are repeated after it (DL4J's own attention-graph transfer tests remove a vertex, set the FTC, remove it
        again); ``build()`` raises where an edit would really be lost (deviation #6, docs/deviations.md)."""
        if not isinstance(fineTuneConfiguration, FineTuneConfiguration):
            raise InvalidConfigurationError(f"expected a FineTuneConfiguration, got {fineTuneConfiguration!r}")
        return self._record("fineTuneConfiguration", fineTuneConfiguration)

    def _effective_edits(self) -> list:
        """The edits DL4J's builder ends up applying: the last fineTuneConfiguration() restarts from the original
        configuration, so structural edits before it are discarded (the FTC and the other settings stay). Raises
        where a discarded edit is not repeated after it (DL4J would silently lose it)."""
        last = max((i for i, e in enumerate(self.edits) if isinstance(e, E.FineTune)), default=None)
        if last is None:
            return list(self.edits)
        before, after = self.edits[:last], self.edits[last + 1:]
        lost = [e for e in before if e.structural and not any(_same_edit(e, f) for f in after)]
        if lost:
            raise InvalidConfigurationError(
                f"TransferLearning.GraphBuilder: fineTuneConfiguration() after {', '.join(map(repr, lost))}: DL4J "
                "restarts the edited configuration from the original at fineTuneConfiguration() and silently discards "
                "those edits (issue #8992). Call fineTuneConfiguration() first (or repeat the edits after it)")
        return ([e for e in before if not e.structural and not isinstance(e, E.FineTune)] + [self.edits[last]]
                + after)

    def setFeatureExtractor(self, *layerNames):
        """Mirrors GraphBuilder#setFeatureExtractor(String...): freeze these vertices and ALL their ancestors."""
        return self._record("setFeatureExtractor", *[str(n) for n in layerNames])

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
        """Mirrors GraphBuilder#setInputTypes(InputType...): preprocessors and nIn inferred at build (nIn overridden).
        Java's InputType[] may come as a list."""
        if len(inputTypes) == 1 and isinstance(inputTypes[0], (list, tuple)):
            inputTypes = tuple(inputTypes[0])
        return self._record("setInputTypes", *inputTypes)

    def setWorkspaceMode(self, workspaceMode):
        """Mirrors GraphBuilder#setWorkspaceMode: the training workspace mode of the new graph."""
        return self._record("setWorkspaceMode", enum_value(WorkspaceMode, workspaceMode))

    def validateOutputLayerConfig(self, validate: bool):
        """Mirrors GraphBuilder#validateOutputLayerConfig (default true; not inherited from the original)."""
        return self._record("validateOutputLayerConfig", bool(validate))

    # ---- build

    def build(self) -> ComputationGraph:
        """Mirrors GraphBuilder#build(): a new, initialised ComputationGraph (on the original's backend)."""
        edits = self._effective_edits()
        if self._orig.getRuntimeClass().replays_transfer_learning:  # the dl4j backend: DL4J's own builder
            return network_from_dl4j(self._orig.getRuntime().transfer_learning(self.edits, graph=True))
        plan = E.GraphPlan(self._orig, edits)
        for edit in edits:
            edit.apply(plan)
        return plan.build()

    def replayInDl4j(self):
        """The recorded plan run by DL4J's own builder on a copy of the original in the JVM (an extension: the
        parity harness, one recorded plan, two executions); returns DL4J's network as a ``Dl4jModel``."""
        from pydl4j_transfer.dl4j_backend.runtime import Dl4jRuntime

        runtime = Dl4jRuntime(self._orig.getConfiguration(), self._orig.params())
        return runtime.transfer_learning(self.edits, graph=isinstance(self._orig, ComputationGraph))


def _same_edit(a, b) -> bool:
    """The same builder call with the same arguments (configuration objects compare by value)."""
    return type(a) is type(b) and a.args == b.args and a.kwargs == b.kwargs


def _require_init(net):
    if not net.isInitCalled():
        raise InvalidConfigurationError(f"this {type(net).__name__} is not initialised: call init() first")


class TransferLearning(JavaNames):
    """Mirrors org.deeplearning4j.nn.transferlearning.TransferLearning (nested Builder and GraphBuilder)."""

    Builder = Builder
    GraphBuilder = GraphBuilder
