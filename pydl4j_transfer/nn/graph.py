"""ComputationGraph: a DAG of vertices (configuration + flat params), run by torch or real DL4J."""

from __future__ import annotations

import numpy as np

from pydl4j_transfer.conf import ComputationGraphConfiguration, LayerVertex
from pydl4j_transfer.conf.updater_layout import FrozenParams
from pydl4j_transfer.errors import InvalidConfigurationError
from pydl4j_transfer.nn.network import BaseNetwork, LayerView
from pydl4j_transfer.nn.training import is_tensor, to_host


class ComputationGraph(BaseNetwork):
    """Mirrors org.deeplearning4j.nn.graph.ComputationGraph.

    Parameters are laid out vertex by vertex in the configuration's topological order
    (``topologicalOrderStr``), and named ``"<vertexName>_<key>"``.
    """

    _is_graph = True

    def __init__(self, conf: ComputationGraphConfiguration, backend: str = "torch"):
        if not isinstance(conf, ComputationGraphConfiguration):
            raise InvalidConfigurationError(
                f"ComputationGraph needs a ComputationGraphConfiguration, got {type(conf).__name__}"
                + ("; use MultiLayerNetwork for a list configuration" if "MultiLayer" in type(conf).__name__ else ""))
        super().__init__(conf, backend)

    def _owners_and_layers(self):
        return self._conf.param_owners()

    def _updater_owners_and_layers(self):
        return self._conf.updater_owners()

    def _layer_confs(self):
        confs = [self._conf.defaultConfiguration] if self._conf.defaultConfiguration is not None else []
        return confs + [v.layerConf for v in self._conf.vertices.values() if isinstance(v, LayerVertex)]

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

    def getVertex(self, name: str):
        """Mirrors ComputationGraph#getVertex(String): here the vertex's configuration object."""
        if name not in self._conf.vertices:
            raise KeyError(f"no vertex {name!r}; vertices: {list(self._conf.vertices)}")
        return self._conf.vertices[name]

    def getLayer(self, name: str):
        """Mirrors ComputationGraph#getLayer(String): the layer of a layer vertex (config and params)."""
        vertex = self.getVertex(name)
        layer = vertex.updater_layer()
        if layer is None:
            raise KeyError(f"vertex {name!r} is a {type(vertex).__name__}, not a layer")
        names = list(self._conf.vertices)
        return LayerView(self, name, layer.layer if isinstance(layer, FrozenParams) else layer, names.index(name))

    def getNumInputArrays(self) -> int:
        return len(self._conf.networkInputs)

    def getNumOutputArrays(self) -> int:
        return len(self._conf.networkOutputs)

    def output(self, *inputs, train: bool = False, autocast=None):
        """Mirrors ComputationGraph#output(boolean, INDArray...): a list of outputs, in networkOutputs order.

        ``autocast="bf16"|"fp16"`` (an extension; torch backend only): run under ``torch.autocast`` in that
        precision; the outputs come back in the network's dtype (torch_backend/precision.py)."""
        self._require_init()
        if len(inputs) != self.getNumInputArrays():
            raise InvalidConfigurationError(
                f"this graph has {self.getNumInputArrays()} inputs {list(self._conf.networkInputs)}, got {len(inputs)}")
        return [to_host(o) for o in self.getRuntime().output(inputs, train=train, autocast=autocast)]
