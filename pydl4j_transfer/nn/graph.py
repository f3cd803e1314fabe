"""ComputationGraph: a DAG of vertices (configuration + flat params), run by torch or real DL4J."""

from __future__ import annotations

import numpy as np

from pydl4j_transfer.conf import ComputationGraphConfiguration, LayerVertex
from pydl4j_transfer.conf.vertices import FrozenVertex
from pydl4j_transfer.errors import InvalidConfigurationError
from pydl4j_transfer.nn.layers import runtime_layer
from pydl4j_transfer.nn import pretrain as PT
from pydl4j_transfer.nn.network import BaseNetwork
from pydl4j_transfer.nn.reading import restore_network
from pydl4j_transfer.nn.training import is_tensor, to_host
from pydl4j_transfer.nn.vertices import runtime_vertex


class ComputationGraph(BaseNetwork):
    """Mirrors org.deeplearning4j.nn.graph.ComputationGraph.

    Parameters are laid out vertex by vertex in the configuration's topological order
    (``topologicalOrderStr``), and named ``"<vertexName>_<key>"``.
    """

    _is_graph = True
    KIND = "ComputationGraph"
    CONFIGURATION_CLASS = ComputationGraphConfiguration

    def __init__(self, conf: ComputationGraphConfiguration, backend: str = "torch"):
        if not isinstance(conf, ComputationGraphConfiguration):
            raise InvalidConfigurationError(
                f"ComputationGraph needs a ComputationGraphConfiguration, got {type(conf).__name__}"
                + ("; use MultiLayerNetwork for a list configuration" if "MultiLayer" in type(conf).__name__ else ""))
        super().__init__(conf, backend)

    @classmethod
    def load(cls, f, loadUpdater: bool = True, *, backend: str = "torch") -> "ComputationGraph":
        """Mirrors ComputationGraph.load(File, boolean loadUpdater): ModelSerializer.restoreComputationGraph."""
        return restore_network(f, cls, loadUpdater, backend)

    def _owners_and_layers(self):
        return self._conf.param_owners()

    def _updater_owners_and_layers(self):
        return self._conf.updater_owners()

    def _layer_confs(self):
        confs = [self._conf.defaultConfiguration] if self._conf.defaultConfiguration is not None else []
        return confs + [v.layerConf for v in self._conf.vertices.values() if isinstance(v, LayerVertex)]

    def _indexed_layers(self):
        index = self._conf.vertexIndices()
        return [(index[n], n, v.layer) for n, v in self._conf.vertices.items() if isinstance(v, LayerVertex)]

    def _seed(self) -> int:
        d = self._conf.defaultConfiguration
        return int(d.seed) if d is not None else 0

    def getConfiguration(self) -> ComputationGraphConfiguration:
        """Mirrors ComputationGraph#getConfiguration()."""
        return self._conf

    def _mini_batch(self) -> bool:
        d = self._conf.defaultConfiguration
        return getattr(d, "miniBatch", True) is not False if d is not None else True

    def feedForward(self, inputs, train: bool = False, *, featuresMasks=None, autocast=None,
                    vertices=None):
        """Mirrors ComputationGraph#feedForward(INDArray[], boolean): {vertex name: activation}, inputs included
        (numpy in -> numpy out). ``autocast="bf16"|"fp16"``: see :meth:`output`. ``vertices`` (an extension):
        only these vertices' activations (and the inputs), and only the part of the graph they need is run."""
        xs = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        if len(xs) != self.getNumInputArrays():
            raise InvalidConfigurationError(
                f"this graph has {self.getNumInputArrays()} inputs {list(self._conf.networkInputs)}, got {len(xs)}")
        torch_in = any(is_tensor(x) for x in xs)
        # numpy results need no autograd record at all; torch results stay usable in later autograd code
        acts = self.getRuntime().feed_forward(xs, train=bool(train), masks=featuresMasks, autocast=autocast,
                                              targets=None if vertices is None else list(vertices),
                                              inference=not torch_in)
        if torch_in:
            return dict(acts)
        given = dict(zip(self._conf.networkInputs, xs))
        dtype = self.params().dtype

        def host(name, t):  # an input already in the network's dtype comes back as given, without a device copy
            g = np.asarray(given[name]) if name in given else None
            if g is not None and g.shape == tuple(t.shape) and g.dtype == dtype and t.dtype.is_floating_point:
                return g
            return to_host(t)

        return {k: host(k, v) for k, v in acts.items()}

    # ---- DL4J's runtime objects (nn/vertices.py, nn/layers.py) ----------------------------------------------

    def _vertex_names(self) -> list:
        """Every vertex name in DL4J's vertex-index order: the network inputs, then the vertices in map order."""
        names = {i: n for n, i in self._conf.vertexIndices().items()}
        return [names[i] for i in sorted(names)]

    def _layer_vertex_conf(self, name):
        """The LayerVertex configuration holding vertex ``name``'s layer (inside a FrozenVertex too), or None."""
        vertex = self._conf.vertices.get(name)
        while isinstance(vertex, FrozenVertex):
            vertex = vertex.underlying
        return vertex if isinstance(vertex, LayerVertex) else None

    def getVertices(self) -> list:
        """Mirrors ComputationGraph#getVertices(): the runtime vertices, indexed by vertex index (network inputs first,
        then the configuration's vertices in map order)."""
        return [runtime_vertex(self, n, i) for i, n in enumerate(self._vertex_names())]

    def getVertex(self, name: str):
        """Mirrors ComputationGraph#getVertex(String): the runtime vertex (``nn.vertices.GraphVertex``: getLayer,
        setLayerAsFrozen, getInputVertices...), or None when there is no vertex of that name (as DL4J)."""
        index = self._conf.vertexIndices().get(name)
        return None if index is None else runtime_vertex(self, name, index)

    def topologicalSortOrder(self) -> list:
        """Mirrors ComputationGraph#topologicalSortOrder(): vertex indices in DL4J's topological order (the order of
        the forward pass and of the flat parameter vector)."""
        return list(self._conf.topologicalSortOrder())

    def pretrain(self, iterator, numEpochs: int = 1) -> None:
        """Mirrors ComputationGraph#pretrain((Multi)DataSetIterator[, int numEpochs]): layer-wise unsupervised training
        of the pretrainable layers in topological order, one pass each (M2.1 does not repeat it numEpochs times)."""
        PT.graph_pretrain(self, iterator, numEpochs)

    def pretrainLayer(self, layerName: str, iterator) -> None:
        """Mirrors ComputationGraph#pretrainLayer(String, (Multi)DataSetIterator): one pass over ``iterator``."""
        PT.graph_pretrain_layer(self, layerName, iterator)

    def getLayer(self, name):
        """Mirrors ComputationGraph#getLayer(int) / getLayer(String): the runtime layer
        (:class:`pydl4j_transfer.nn.layers.Layer`) by layer number (0..getNumLayers()-1, in vertex-index order, NOT
        the vertex index) or by vertex name; None for a vertex without a layer, as DL4J."""
        if not isinstance(name, str):
            layers = self._layer_names()
            if isinstance(name, bool) or not -len(layers) <= int(name) < len(layers):
                raise KeyError(f"no layer {name!r}; this graph has {len(layers)} layers (0..{len(layers) - 1})")
            name = layers[int(name)]
        index = self._conf.vertexIndices().get(name)
        if index is None or name in self._conf.networkInputs:
            raise KeyError(f"Layer with name {name!r} does not exist in the network; its vertices are "
                           f"{list(self._conf.vertices)}")
        vertex = self._layer_vertex_conf(name)
        if vertex is None:
            return None
        return runtime_layer(self, name, index, vertex.layer, vertex.layerConf)

    def _layer_names(self) -> list:
        return [n for n in self._vertex_names() if self._layer_vertex_conf(n) is not None]

    def getLayers(self) -> list:
        """Mirrors ComputationGraph#getLayers(): the runtime layers, in vertex-index order."""
        return [self.getLayer(n) for n in self._layer_names()]

    def getNumLayers(self) -> int:
        """Mirrors ComputationGraph#getNumLayers()."""
        return len(self._layer_names())

    def getOutputLayer(self, outputLayerIdx: int):
        """Mirrors ComputationGraph#getOutputLayer(int): the layer of network output ``outputLayerIdx``."""
        outputs = self._conf.networkOutputs
        if not 0 <= int(outputLayerIdx) < len(outputs):
            raise InvalidConfigurationError(f"Invalid index: cannot get output layer {outputLayerIdx}, total number of "
                                            f"network outputs = {len(outputs)}")
        return self.getLayer(outputs[int(outputLayerIdx)])

    def setInputs(self, *inputs) -> None:
        """Mirrors ComputationGraph#setInputs(INDArray...): the inputs computeGradientAndScore() uses."""
        self._set_input = list(inputs[0]) if len(inputs) == 1 and isinstance(inputs[0], (list, tuple)) else list(inputs)

    def setInput(self, inputNum: int, input) -> None:
        """Mirrors ComputationGraph#setInput(int, INDArray)."""
        xs = list(self._set_input or [None] * self.getNumInputArrays())
        xs[int(inputNum)] = input
        self._set_input = xs

    def getInputs(self):
        """Mirrors ComputationGraph#getInputs()."""
        return self._set_input

    def setLabels(self, *labels) -> None:
        """Mirrors ComputationGraph#setLabels(INDArray...): the labels computeGradientAndScore() uses."""
        self._set_labels = list(labels[0]) if len(labels) == 1 and isinstance(labels[0], (list, tuple)) else list(labels)

    def setLabel(self, labelNum: int, label) -> None:
        """Mirrors ComputationGraph#setLabel(int, INDArray)."""
        ys = list(self._set_labels or [None] * self.getNumOutputArrays())
        ys[int(labelNum)] = label
        self._set_labels = ys

    def getNumInputArrays(self) -> int:
        return len(self._conf.networkInputs)

    def getNumOutputArrays(self) -> int:
        return len(self._conf.networkOutputs)

    def output(self, *inputs, train: bool = False, autocast=None):
        """Mirrors ComputationGraph#output(INDArray...) / output(boolean train, INDArray...): a list of outputs, in
        networkOutputs order (``train`` also as Java's leading boolean).

        ``autocast="bf16"|"fp16"`` (an extension; torch backend only): run under ``torch.autocast`` in that
        precision; the outputs come back in the network's dtype (torch_backend/precision.py)."""
        if inputs and isinstance(inputs[0], bool):  # Java's output(boolean train, INDArray... input)
            train, inputs = inputs[0], inputs[1:]
        if len(inputs) == 1 and isinstance(inputs[0], (list, tuple)):  # Java's INDArray[] as a list
            inputs = tuple(inputs[0])
        self._require_init()
        if len(inputs) != self.getNumInputArrays():
            raise InvalidConfigurationError(
                f"this graph has {self.getNumInputArrays()} inputs {list(self._conf.networkInputs)}, got {len(inputs)}")
        return [to_host(o) for o in self.getRuntime().output(inputs, train=train, autocast=autocast)]

    def outputSingle(self, *inputs, train: bool = False, autocast=None):
        """Mirrors ComputationGraph#outputSingle(INDArray...) / outputSingle(boolean train, INDArray...): the one
        output of a single-output graph (``train`` also as Java's leading boolean)."""
        if inputs and isinstance(inputs[0], bool):
            train, inputs = inputs[0], inputs[1:]
        if self.getNumOutputArrays() != 1:
            raise InvalidConfigurationError(
                "Cannot use outputSingle with ComputationGraph that does not have exactly 1 output. nOutputs: "
                f"{self.getNumOutputArrays()} {list(self._conf.networkOutputs)}; use output(...) instead")
        return self.output(*inputs, train=train, autocast=autocast)[0]
