"""Whole networks: MultiLayerNetwork and ComputationGraph as torch modules.

:func:`build_module` turns a ``MultiLayerConfiguration`` or ``ComputationGraphConfiguration``
(plus, optionally, DL4J's flat parameter vector) into a module whose forward is DL4J's:

* MLN: ``forward(x, *, mask=None)`` -> the output layer's activations
  (Mirrors MultiLayerNetwork#output(INDArray input, boolean train, INDArray featuresMask, null)).
* CG: ``forward(*inputs, masks=None)`` -> tuple of outputs in ``networkOutputs`` order
  (Mirrors ComputationGraph#output(boolean train, INDArray[] input, INDArray[] inputMasks)).

``module.train()`` / ``module.eval()`` choose DL4J's ``train`` flag. Arrays keep DL4J's layouts
(NCHW/NHWC, NCW/NWC exactly as the configuration says). Each layer/vertex is a child module
named by its DL4J name, holding its parameters under DL4J's keys (``state_dict`` keys
``"<name>.<key>"``); ``dl4j_param_names`` lists them in flat-vector order.
"""

from __future__ import annotations

import torch
from torch import nn

from pydl4j_transfer.conf.params import layout
from pydl4j_transfer.errors import InvalidConfigurationError

from .base import ConvertContext, bind_store, set_mode, to_tensor
from .params import install_params, load_flat_params
from .preprocessors import convert_preprocessor
from .registry import LAYER_CONVERTERS, VERTEX_CONVERTERS

#: DL4J DataType name -> torch dtype (what DL4J computes in)
DTYPES = {"FLOAT": torch.float32, "DOUBLE": torch.float64, "HALF": torch.float16, "BFLOAT16": torch.bfloat16}

#: running statistics: real Parameters (they are in the flat vector) but never trained by gradient
NON_GRADIENT_KEYS = frozenset({"mean", "var", "log10stdev"})


def _dtype_of(conf, dtype):
    if dtype is not None:
        return dtype
    name = getattr(getattr(conf, "dataType", None), "name", None) or "FLOAT"
    return DTYPES.get(name, torch.float32)


def _module_name(name: str, taken) -> str:
    """A DL4J layer/vertex name as a torch child name (torch forbids '.' and empty names)."""
    if not name or "." in name or name in taken or hasattr(nn.Module, name):
        raise InvalidConfigurationError(
            f"layer/vertex name {name!r} cannot be used as a torch module name (it is empty, contains '.',"
            " is used twice, or clashes with a torch.nn.Module attribute); rename it in the configuration")
    return name


def convert_layer(layer_conf, ctx: ConvertContext) -> nn.Module:
    """The module for one DL4J layer conf (nested wrappers call this for the wrapped layer)."""
    return LAYER_CONVERTERS.convert(layer_conf, ctx, where=ctx.name)


def make_store(module: nn.Module, specs, dtype, device, frozen: bool) -> list:
    """Register a layer's/vertex's parameters on its top module and bind its sub-modules to them."""
    keys = install_params(module, specs, dtype, device)
    for key in keys:
        if key in NON_GRADIENT_KEYS or frozen:
            module.get_parameter(key).requires_grad_(False)
    bind_store(module)
    return keys


class _Dl4jNetwork(nn.Module):
    """Common parts: parameter order, dtype, loading."""

    dl4j_param_names: list

    def dl4j_params(self):
        """Mirrors Model#params(): the flat parameter vector (see flatten_params)."""
        from .params import flatten_params

        return flatten_params(self)

    def set_dl4j_params(self, flat):
        """Mirrors Model#setParams."""
        return load_flat_params(self, flat)

    def _device(self):
        p = next(self.parameters(), None)
        return None if p is None else p.device


class MultiLayerModule(_Dl4jNetwork):
    """Mirrors org.deeplearning4j.nn.multilayer.MultiLayerNetwork (forward / feedForward)."""

    def __init__(self, conf, dtype=None, device=None):
        super().__init__()
        object.__setattr__(self, "dl4j_conf", conf)
        self.dl4j_dtype = _dtype_of(conf, dtype)
        self.layer_names: list = []
        self._preprocessors: dict = {}
        for i, nnc in enumerate(conf.confs):
            layer = nnc.layer
            if layer is None:
                raise InvalidConfigurationError(f"confs[{i}] has no layer")
            name = _module_name(layer.layerName or f"layer{i}", self.layer_names)
            ctx = ConvertContext(name=name, dtype=self.dl4j_dtype)
            module = convert_layer(layer, ctx)
            make_store(module, layer.paramSpecs(), self.dl4j_dtype, device, getattr(module, "frozen", False))
            self.add_module(name, module)
            self.layer_names.append(name)
            pre = (conf.inputPreProcessors or {}).get(i)
            if pre is not None:
                self._preprocessors[i] = convert_preprocessor(pre, where=name)
        # the flat order: the configuration's layout (conf/params.py), the one source of it
        self.dl4j_param_names = [f"{self.layer_names[int(s.owner)]}.{s.key}" for s in layout(conf.param_owners())]

    def layers(self):
        return [getattr(self, n) for n in self.layer_names]

    def _run(self, x, mask, collect, upto=None, start=0):
        """Layers ``start``..``upto`` (default: all); ``collect``: every activation, else the last one only."""
        device = self._device()
        x = to_tensor(x, self.dl4j_dtype if _is_float(x) else None, device)
        if x.is_floating_point() and x.dtype != self.dl4j_dtype:
            x = x.to(self.dl4j_dtype)
        if mask is not None:
            mask = to_tensor(mask, self.dl4j_dtype, device).to(self.dl4j_dtype)
        mb = x.shape[0]
        acts = [x] if collect else None
        for i, name in enumerate(self.layer_names[: None if upto is None else int(upto) + 1]):
            if i < start:
                continue
            layer = self._modules[name]
            pre = self._preprocessors.get(i)
            if pre is not None:
                x = pre(x, mb)
                if mask is not None:
                    mask = pre.feed_forward_mask(mask, mb)
            x_in = x
            x = layer(x, None if mask is None else layer.take_network_mask(mask))
            if mask is not None:
                mask = layer.feed_forward_mask(mask, x_in)
            if collect:
                acts.append(x)
        return acts if collect else x

    def forward(self, x, *, mask=None):
        return self._run(x, mask, collect=False)

    def activate_range(self, x, start, upto, *, mask=None):
        """Mirrors MultiLayerNetwork#activateSelectedLayers: layers ``start``..``upto`` (each with its input
        preprocessor) on ``x``, the output of ``upto`` only (earlier activations are released as it goes)."""
        return self._run(x, mask, collect=False, upto=upto, start=start)

    def feed_forward(self, x, *, mask=None, upto=None):
        """Mirrors MultiLayerNetwork#feedForward: [input, output of layer 0, output of layer 1, ...]
        (``upto``: feedForwardToLayer's layer index, the layers after it are not run)."""
        return self._run(x, mask, collect=True, upto=upto)


def _is_float(x):
    if isinstance(x, torch.Tensor):
        return x.is_floating_point()
    import numpy as np

    return np.asarray(x).dtype.kind == "f"


class GraphModule(_Dl4jNetwork):
    """Mirrors org.deeplearning4j.nn.graph.ComputationGraph (output / feedForward)."""

    def __init__(self, conf, dtype=None, device=None):
        super().__init__()
        object.__setattr__(self, "dl4j_conf", conf)
        self.dl4j_dtype = _dtype_of(conf, dtype)
        self.input_names = list(conf.networkInputs)
        self.output_names = list(conf.networkOutputs)
        index_to_name = {i: n for n, i in conf.vertexIndices().items()}
        self.order = [index_to_name[i] for i in conf.topologicalSortOrder()]
        self.vertex_inputs = {n: list(conf.vertexInputs.get(n) or []) for n in conf.vertices}
        self.vertex_names: list = []
        for name in self.order:
            if name in self.input_names:
                continue
            vertex = conf.vertices[name]
            mname = _module_name(name, self.vertex_names)
            ctx = ConvertContext(name=name, dtype=self.dl4j_dtype, extra={"graph_inputs": self.input_names})
            module = VERTEX_CONVERTERS.convert(vertex, ctx, where=name)
            make_store(module, vertex.paramSpecs(), self.dl4j_dtype, device, getattr(module, "frozen", False))
            self.add_module(mname, module)
            self.vertex_names.append(name)
        for name in self.output_names:
            if name not in conf.vertices:
                raise InvalidConfigurationError(f"network output {name!r} is not a vertex of the graph")
        # the flat order: the configuration's layout (conf/params.py), the one source of it
        self.dl4j_param_names = [f"{s.owner}.{s.key}" for s in layout(conf.param_owners())]

    def _needed(self, targets) -> list:
        """The vertices ``targets`` depend on (themselves included), in topological order."""
        need, todo = set(), [t for t in targets if t not in self.input_names]
        while todo:
            name = todo.pop()
            if name not in need:
                need.add(name)
                todo += [s for s in self.vertex_inputs[name] if s not in self.input_names]
        return [n for n in self.vertex_names if n in need]

    def _plan(self, collect, targets):
        """[(name, vertex module, its input names, the activations to release after it)] for one kind of run,
        worked out once per (collect, targets): a graph's forward otherwise spends as much Python time on this
        bookkeeping as on calling its vertices (ResNet50: 175 vertices)."""
        key = (bool(collect), None if targets is None else tuple(targets))
        plans = self.__dict__.setdefault("_plans", {})
        plan = plans.get(key)
        if plan is None:
            names = self.vertex_names if targets is None else self._needed(targets)
            keep = set(self.input_names) | set(self.output_names if targets is None else targets)
            last_use = {} if collect else {s: i for i, n in enumerate(names) for s in self.vertex_inputs[n]}
            plan = plans[key] = [
                (name, self._modules[name], tuple(self.vertex_inputs[name]),
                 tuple(s for s in dict.fromkeys(self.vertex_inputs[name])  # a vertex may take the same input twice
                       if last_use.get(s) == i and s not in keep))
                for i, name in enumerate(names)]
        return plan

    def _run(self, inputs, masks, collect, targets=None):
        """Every vertex (``targets``: only what those vertices need). ``collect``: keep every activation;
        else each one is released after its last consumer (inference memory stays at the live set)."""
        if len(inputs) != len(self.input_names):
            raise InvalidConfigurationError(
                f"the graph has {len(self.input_names)} inputs {self.input_names} but {len(inputs)} arrays were given")
        device = self._device()
        acts, mask_of = {}, {}
        for i, name in enumerate(self.input_names):
            x = to_tensor(inputs[i], None, device)
            if x.is_floating_point() and x.dtype != self.dl4j_dtype:
                x = x.to(self.dl4j_dtype)
            acts[name] = x
            m = None if masks is None else masks[i]
            mask_of[name] = None if m is None else to_tensor(m, self.dl4j_dtype, device).to(self.dl4j_dtype)
        state = {"inputs": {n: acts[n] for n in self.input_names},
                 "input_masks": {n: mask_of[n] for n in self.input_names},
                 "minibatch": acts[self.input_names[0]].shape[0] if self.input_names else None}
        for name, vertex, srcs, release in self._plan(collect, targets):
            xs = [acts[s] for s in srcs]
            ms = [mask_of[s] for s in srcs]
            acts[name] = vertex(xs, ms, state)
            mask_of[name] = vertex.feed_forward_masks(ms, xs, state)
            for s in release:
                del acts[s]
        return acts

    def forward(self, *inputs, masks=None):
        acts = self._run(inputs, masks, collect=False)
        return tuple(acts[n] for n in self.output_names)

    def feed_forward(self, *inputs, masks=None, targets=None):
        """Mirrors ComputationGraph#feedForward: {vertex name: activation} (inputs included). ``targets``: only
        those vertices (and the network inputs) are returned, and only what they need is run."""
        if targets is None:
            return self._run(inputs, masks, collect=True)
        acts = self._run(inputs, masks, collect=False, targets=targets)
        return {n: acts[n] for n in [*self.input_names, *targets] if n in acts}


def build_module(conf, params=None, *, dtype=None, device=None) -> nn.Module:
    """Build the torch module that runs a DL4J network configuration with DL4J's math.

    Mirrors ``new MultiLayerNetwork(conf).init(params, false)`` / ``new ComputationGraph(conf).init(...)``
    with the torch backend: ``params`` is DL4J's flat parameter vector (numpy or torch;
    ``None`` leaves zeros: initialisation is not done here). ``dtype`` defaults to the
    configuration's ``dataType`` (FLOAT -> float32).
    """
    if hasattr(conf, "confs"):
        module = MultiLayerModule(conf, dtype, device)
    elif hasattr(conf, "vertices"):
        module = GraphModule(conf, dtype, device)
    else:
        raise InvalidConfigurationError(
            f"build_module needs a MultiLayerConfiguration or ComputationGraphConfiguration, got {type(conf).__name__}")
    if device is not None:
        module.to(device)  # buffers (Yolo priors, PReLU-activation alphas) follow the parameters
    if params is not None:
        load_flat_params(module, params)
    module.eval()
    return module


def feed_forward(module: nn.Module, x, train: bool = False, *, mask=None, masks=None, upto=None, targets=None):
    """Mirrors MultiLayerNetwork#feedForward(input, train) (a list: input, then each layer's output)
    and ComputationGraph#feedForward(inputs, train) (a dict: vertex name -> activation).

    For a graph, ``x`` is one array or a list/tuple of arrays (one per network input); ``targets``
    (graph): only those vertices, computing only what they need. ``upto`` (MLN): the last layer run.
    The module's own training flag is restored afterwards.
    """
    was = module.training
    set_mode(module, train)
    try:
        if isinstance(module, GraphModule):
            xs = list(x) if isinstance(x, (list, tuple)) else [x]
            return module.feed_forward(*xs, masks=masks, targets=targets)
        return module.feed_forward(x, mask=mask, upto=upto)
    finally:
        set_mode(module, was)
