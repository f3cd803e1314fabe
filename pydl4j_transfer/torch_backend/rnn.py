"""DL4J's stored RNN state on the torch backend: which layers keep it, running a forward from it.

Mirrors ``BaseRecurrentLayer``'s ``stateMap`` (keys ``"prevAct"`` and, for LSTM/GravesLSTM, ``"prevMem"``) and
``MultiLayerNetwork#rnnTimeStep`` / ``ComputationGraph#rnnTimeStep`` of 1.0.0-M2.1. The state itself is kept
by the network (``nn/rnn.py``: it survives rebuilding the runtime); truncated BPTT's segment loop is there too.

Recurrent layers are found as DL4J's forward finds them: a layer (vertex layer) that keeps RNN state
(``LayerModule.rnn_state_keys``: LSTM, GravesLSTM, SimpleRnn), or a wrapper whose underlying layer does (DL4J
then runs the underlying layer directly). Layers DL4J refuses (``rnn_state_refused``: Bidirectional,
GravesBidirectionalLSTM) and wrappers whose DL4J behaviour here differs from the wrapper's own (LastTimeStep,
MaskZeroLayer; FrozenLayerWithBackprop under truncated BPTT) raise :class:`InvalidConfigurationError`.
"""

from __future__ import annotations

from contextlib import contextmanager

import torch

from pydl4j_transfer.errors import InvalidConfigurationError

from .base import set_mode, to_tensor
from .layers.recurrent import RnnRun
from .layers.wrappers import FrozenModule
from .vertices import FrozenVertexModule


def _layer_of_top(module, graph):
    """The layer module DL4J's forward sees for a top module (graph: the vertex's layer, through a FrozenVertex)."""
    if not graph:
        return module
    if isinstance(module, FrozenVertexModule):
        module = module.inner
    return getattr(module, "layer", None)


def _refuse(name, purpose, layer):
    if layer.rnn_state_refused:
        raise InvalidConfigurationError(f"layer {name!r}: {purpose} is not supported with {layer.rnn_state_refused}")


def recurrent_layers(rt, purpose: str) -> list:
    """[(owner, recurrent LayerModule)] in network order; ``purpose``: "rnnTimeStep" or "truncated BPTT"."""
    out = []
    for i, (name, top) in enumerate(rt.top_modules()):
        owner = name if rt.graph else i
        layer = _layer_of_top(top, rt.graph)
        if layer is None:
            continue
        _refuse(name, purpose, layer)
        if layer.rnn_state_keys:
            out.append((owner, layer))
            continue
        inner = getattr(layer, "inner", None)
        if inner is None:
            continue
        _refuse(name, purpose, inner)
        if not inner.rnn_state_keys:
            continue
        frozen = isinstance(layer, FrozenModule)
        if frozen and not (layer.backprop and purpose == "truncated BPTT"):
            out.append((owner, inner))  # DL4J runs the underlying RecurrentLayer of a BaseWrapperLayer directly
            continue
        what = "FrozenLayerWithBackprop" if frozen else layer.dl4j_class.rsplit(".", 1)[-1]
        raise InvalidConfigurationError(
            f"layer {name!r}: {purpose} through a {what} wrapper around a recurrent layer is not supported (DL4J"
            " bypasses the wrapper and runs the wrapped layer directly, which this backend does not reproduce)")
    return out


def is_rnn_owner(rt, owner) -> bool:
    try:
        found = recurrent_layers(rt, "rnnGetPreviousState")
    except InvalidConfigurationError:
        return False
    return any(o == owner for o, _ in found)


@contextmanager
def stored_state_pass(layers, states: dict, zero_state_gradient=False):
    """Set each recurrent module's ``rnn_run`` (initial state from ``states``) for one forward; yields
    {owner: RnnRun}; afterwards each run's ``last`` holds the state after the last step."""
    runs = {}
    try:
        for owner, m in layers:
            runs[owner] = m.rnn_run = RnnRun(state=states.get(owner) or None, zero_state_gradient=zero_state_gradient)
        yield runs
    finally:
        for _, m in layers:
            m.rnn_run = None


def last_states(runs) -> dict:
    """{owner: state after the last step} of a :func:`stored_state_pass`."""
    return {owner: run.last for owner, run in runs.items() if run.last is not None}


def rnn_time_step(rt, inputs, store: dict, last_layer_recurrent: bool):
    """Mirrors MultiLayerNetwork#rnnTimeStep(INDArray) / ComputationGraph#rnnTimeStep(INDArray...): tensors out;
    ``store`` ({owner: {key: tensor}}) is read and updated."""
    module = rt.module
    layers = recurrent_layers(rt, "rnnTimeStep")
    xs = [to_tensor(x).to(device=rt.device, dtype=rt.dtype) for x in inputs]
    was = module.training
    set_mode(module, False)
    try:
        with stored_state_pass(layers, store) as runs, torch.inference_mode():
            outs = module(*xs) if rt.graph else [module(xs[0])]
    finally:
        set_mode(module, was)
    store.update({o: {k: v.clone() for k, v in s.items()} for o, s in last_states(runs).items()})
    outs = list(outs)
    if rt.graph:
        squeeze = all(x.dim() == 2 for x in xs)  # ComputationGraph: all inputs rank 2 -> rank-3 outputs of length 1
        outs = [o[:, :, 0] if squeeze and o.dim() == 3 and o.shape[2] == 1 else o for o in outs]
    elif xs[0].dim() == 2 and outs[0].dim() == 3 and last_layer_recurrent:
        outs = [outs[0][:, :, 0]]  # MultiLayerNetwork: out.tensorAlongDimension(0, 1, 0) -> [mb, nOut]
    return outs


def state_tensors(rt, state: dict) -> dict:
    """rnnSetPreviousState's map as tensors on the runtime's device and dtype."""
    return {str(k): to_tensor(v).detach().to(device=rt.device, dtype=rt.dtype).clone() for k, v in dict(state or {}).items()}
