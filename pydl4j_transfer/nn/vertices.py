"""DL4J's runtime graph vertices: what ``graph.getVertex(name)`` / ``graph.getVertices()`` return.

Mirrors ``org.deeplearning4j.nn.graph.vertex.GraphVertex`` (and ``VertexIndices``, ``impl.InputVertex``,
``impl.LayerVertex``, ``impl.FrozenVertex``). Import path: ``from pydl4j_transfer.nn.vertices import LayerVertex``
is the RUNTIME vertex (``org.deeplearning4j.nn.graph.vertex.impl.LayerVertex``); ``pydl4j_transfer.LayerVertex``
stays the configuration class (``org.deeplearning4j.nn.conf.graph.LayerVertex``), as the two packages do in Java.

Vertex indices are DL4J's: the network inputs first (0..k-1), then the configuration's vertices in their map
order; ``ComputationGraph#topologicalSortOrder()`` is a permutation of them.
"""

from __future__ import annotations

from pydl4j_transfer.java_names import JavaNames
from pydl4j_transfer.conf.javautil import hash_order
from pydl4j_transfer.conf.layers.feedforward import OutputLayer as OutputLayerConf
from pydl4j_transfer.conf.layers.wrappers import FrozenLayer as FrozenLayerConf
from pydl4j_transfer.conf.vertices import FrozenVertex as FrozenVertexConf
from pydl4j_transfer.conf.vertices import LayerVertex as LayerVertexConf
from pydl4j_transfer.errors import InvalidConfigurationError
from pydl4j_transfer.nn.layers import IOutputLayer

__all__ = ["VertexIndices", "GraphVertex", "InputVertex", "LayerVertex", "FrozenVertex", "runtime_vertex"]


class VertexIndices:
    """Mirrors org.deeplearning4j.nn.graph.vertex.VertexIndices: (vertex index, edge number)."""

    def __init__(self, vertexIndex: int, vertexEdgeNumber: int):
        self._index, self._edge = int(vertexIndex), int(vertexEdgeNumber)

    def getVertexIndex(self) -> int:
        return self._index

    def getVertexEdgeNumber(self) -> int:
        return self._edge

    def __eq__(self, other):
        return isinstance(other, VertexIndices) and (other._index, other._edge) == (self._index, self._edge)

    def __hash__(self):
        return hash((self._index, self._edge))

    def __repr__(self):
        return f"VertexIndices(vertexIndex={self._index}, vertexEdgeNumber={self._edge})"


class GraphVertex(JavaNames):
    """Mirrors org.deeplearning4j.nn.graph.vertex.GraphVertex (BaseGraphVertex): one vertex of a ComputationGraph at
    run time. Made by ``ComputationGraph#getVertex`` / ``getVertices``; never built by hand."""

    def __init__(self, graph, name: str, index: int):
        self._graph, self._name, self._index = graph, str(name), int(index)

    def _conf(self):
        """The vertex configuration (None for a network input)."""
        return self._graph.getConfiguration().vertices.get(self._name)

    def getVertexName(self) -> str:
        return self._name

    def getVertexIndex(self) -> int:
        return self._index

    def getNumInputArrays(self) -> int:
        return len(self._graph.getConfiguration().vertexInputs.get(self._name, []))

    def getNumOutputConnections(self) -> int:
        outs = self.getOutputVertices()
        return 0 if outs is None else len(outs)

    def getInputVertices(self):
        """Mirrors getInputVertices(): ``VertexIndices`` of the inputs in input order (None for a network input)."""
        conf = self._graph.getConfiguration()
        names = conf.vertexInputs.get(self._name)
        if names is None or self._name in conf.networkInputs:
            return None
        index = conf.vertexIndices()
        return [VertexIndices(index[n], names.index(n)) for n in names]

    def getOutputVertices(self):
        """Mirrors getOutputVertices(): ``VertexIndices(vertex fed, input number there)``, in DL4J's HashSet order
        (None when nothing takes this vertex's output)."""
        conf = self._graph.getConfiguration()
        consumers = [v for v, ins in conf.vertexInputs.items() if self._name in ins]
        if not consumers:
            return None
        index = conf.vertexIndices()
        out = []
        for v in hash_order(dict.fromkeys(consumers)):
            out.extend(VertexIndices(index[v], k) for k, n in enumerate(conf.vertexInputs[v]) if n == self._name)
        return out

    def hasLayer(self) -> bool:
        return False

    def isInputVertex(self) -> bool:
        return False

    def isOutputVertex(self) -> bool:
        """Mirrors isOutputVertex(): a network output (or a layer vertex with an output layer)."""
        return self._name in self._graph.getConfiguration().networkOutputs

    def getLayer(self):
        return None

    def setLayerAsFrozen(self) -> None:
        """Mirrors BaseGraphVertex#setLayerAsFrozen(): only layer vertices can be frozen."""
        raise InvalidConfigurationError(f"Cannot set non layer vertices as frozen (vertex {self._name!r} is a "
                                        f"{type(self._conf()).__name__})")

    def numParams(self) -> int:
        return sum(s.size for s in self._graph.paramLayout() if s.owner == self._name)

    def paramTable(self, backpropOnly: bool = False) -> dict:
        return {}

    def params(self):
        layer = self.getLayer()
        return None if layer is None else layer.params()

    def __repr__(self):
        return f"{type(self).__name__}(name={self._name!r}, idx={self._index})"

    def __eq__(self, other):
        return type(other) is type(self) and other._graph is self._graph and other._name == self._name

    def __hash__(self):
        return hash((id(self._graph), self._name))


class InputVertex(GraphVertex):
    """Mirrors org.deeplearning4j.nn.graph.vertex.impl.InputVertex: a network input."""

    def isInputVertex(self) -> bool:
        return True


class LayerVertex(GraphVertex):
    """Mirrors org.deeplearning4j.nn.graph.vertex.impl.LayerVertex: a vertex holding a layer."""

    def hasLayer(self) -> bool:
        return True

    def getLayer(self):
        """Mirrors LayerVertex#getLayer(): the runtime layer (a FrozenLayer after setLayerAsFrozen)."""
        return self._graph.getLayer(self._name)

    def paramTable(self, backpropOnly: bool = False) -> dict:
        return self.getLayer().paramTable(backpropOnly)

    def isOutputVertex(self) -> bool:
        return super().isOutputVertex() or isinstance(self.getLayer(), IOutputLayer)

    def setLayerAsFrozen(self) -> None:
        """Mirrors LayerVertex#setLayerAsFrozen(): the vertex's layer becomes a FrozenLayer (no-op if it is one).

        DL4J changes only its runtime layer object; here the layer configuration is wrapped in a
        ``conf.layers.misc.FrozenLayer`` (so it shows in ``toJson()`` and survives save and clone: see
        docs/deviations.md), and the network's runtime is rebuilt on its next use. An updater state whose layout
        the freezing changes is dropped (DL4J keeps a stale updater), as TransferLearningHelper does."""
        vconf = self._conf()
        inner = vconf.layerConf.layer
        if isinstance(inner, FrozenLayerConf):
            return
        if type(inner) is OutputLayerConf:  # DL4J's runtime FrozenLayer constructor refuses an nn.layers.OutputLayer
            raise InvalidConfigurationError(f"Output Layers are not allowed to be frozen (layer name: {self._name}, "
                                            f"layer index: {self._index})")
        graph = self._graph
        before = graph.updaterStateSize()
        graph.releaseRuntime()
        wrapped = FrozenLayerConf(layer=inner)
        wrapped.layerName = self._name  # LayerVertex#setLayerAsFrozen: conf().getLayer().setLayerName(vertexName)
        vconf.layerConf.layer = wrapped
        if graph.getUpdaterState() is not None and graph.updaterStateSize() != before:
            graph.setUpdaterState(None)

    def getLayerConf(self):
        return self._conf().layerConf


class FrozenVertex(GraphVertex):
    """Mirrors org.deeplearning4j.nn.graph.vertex.impl.FrozenVertex: a frozen non-layer vertex (its wrapped vertex's
    layer, if any, is returned by getLayer)."""

    def hasLayer(self) -> bool:
        return isinstance(self._conf().underlying, LayerVertexConf)

    def getLayer(self):
        return self._graph.getLayer(self._name) if self.hasLayer() else None


def runtime_vertex(graph, name: str, index: int) -> GraphVertex:
    """The runtime vertex DL4J instantiates for vertex ``name``."""
    conf = graph.getConfiguration()
    if name in conf.networkInputs:
        return InputVertex(graph, name, index)
    vconf = conf.vertices[name]
    if isinstance(vconf, LayerVertexConf):
        return LayerVertex(graph, name, index)
    if isinstance(vconf, FrozenVertexConf):
        return FrozenVertex(graph, name, index)
    return GraphVertex(graph, name, index)
