"""ComputationGraph: a DAG of vertices (configuration + flat params), run by torch or real DL4J."""

from __future__ import annotations

import numpy as np

from pydl4j_transfer.conf import ComputationGraphConfiguration, FrozenVertex, LayerVertex
from pydl4j_transfer.errors import InvalidConfigurationError
from pydl4j_transfer.nn.network import BaseNetwork
from pydl4j_transfer.nn.updater_layout import FrozenParams


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

    def _topological_names(self) -> list:
        names = {i: n for n, i in self._conf.vertexIndices().items()}
        return [names[i] for i in self._conf.topologicalSortOrder()]

    def _owners_and_layers(self):
        return [(n, self._conf.vertices[n]) for n in self._topological_names() if n in self._conf.vertices]

    def _updater_owners_and_layers(self):
        return [(n, _updater_layer(v)) for n, v in self._owners_and_layers()]

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
        import torch

        from pydl4j_transfer.torch_backend import autocast as autocast_ctx
        from pydl4j_transfer.torch_backend import feed_forward

        xs = list(inputs) if isinstance(inputs, (list, tuple)) else [inputs]
        if len(xs) != self.getNumInputArrays():
            raise InvalidConfigurationError(
                f"this graph has {self.getNumInputArrays()} inputs {list(self._conf.networkInputs)}, got {len(xs)}")
        module = self._torch_module()
        torch_in = any(isinstance(x, torch.Tensor) for x in xs)
        # numpy results need no autograd record at all; torch results stay usable in later autograd code
        with (torch.no_grad() if torch_in else torch.inference_mode()), autocast_ctx(autocast, self._device):
            acts = feed_forward(module, xs, bool(train), masks=featuresMasks,
                                targets=None if vertices is None else list(vertices))
        if autocast is not None:  # results in the network's dtype, as DL4J would give them
            dtype = torch.from_numpy(self._flat[:0]).dtype
            acts = {k: v.to(dtype) if v.is_floating_point() else v for k, v in acts.items()}
        if torch_in:
            return dict(acts)
        given = dict(zip(self._conf.networkInputs, xs))

        def host(name, t):  # an input already in the network's dtype comes back as given, without a device copy
            g = np.asarray(given[name]) if name in given else None
            if g is not None and g.shape == tuple(t.shape) and g.dtype == torch.empty(0, dtype=t.dtype).numpy().dtype:
                return g
            return t.detach().cpu().numpy()

        return {k: host(k, v) for k, v in acts.items()}

    def getVertex(self, name: str):
        """Mirrors ComputationGraph#getVertex(String): here the vertex's configuration object."""
        if name not in self._conf.vertices:
            raise KeyError(f"no vertex {name!r}; vertices: {list(self._conf.vertices)}")
        return self._conf.vertices[name]

    def getLayer(self, name: str):
        """Mirrors ComputationGraph#getLayer(String): the layer of a layer vertex (config and params)."""
        from pydl4j_transfer.nn.network import LayerView

        vertex = self.getVertex(name)
        layer = _updater_layer(vertex)
        if layer is None:
            raise KeyError(f"vertex {name!r} is a {type(vertex).__name__}, not a layer")
        names = list(self._conf.vertices)
        return LayerView(self, name, getattr(layer, "_layer", layer), names.index(name))

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
        if self._backend == "dl4j":
            return self._dl4j_model().output(*[np.asarray(x) for x in inputs], train=train)
        import torch

        from pydl4j_transfer.torch_backend import set_mode

        module = set_mode(self._torch_module(), bool(train))
        dtype = torch.from_numpy(self._flat[:0]).dtype
        from pydl4j_transfer.torch_backend.base import to_tensor

        tensors = [to_tensor(x).to(dtype=dtype) for x in inputs]
        from pydl4j_transfer.torch_backend import autocast as autocast_ctx

        with torch.inference_mode(not train), autocast_ctx(autocast, self._device):
            outs = module(*tensors)
        return [o.detach().to(dtype).cpu().numpy() for o in outs]


def _updater_layer(vertex):
    """The layer whose updaters a vertex's params use (DL4J wraps a FrozenVertex's layer in a FrozenLayer)."""
    if isinstance(vertex, LayerVertex):
        return vertex.layer
    if hasattr(vertex, "getVertexParams"):  # a SameDiffVertex (AttentionVertex) is its own TrainingConfig
        return vertex
    if isinstance(vertex, FrozenVertex):
        inner = _updater_layer(vertex.underlying)
        return None if inner is None else FrozenParams(inner)
    return None
