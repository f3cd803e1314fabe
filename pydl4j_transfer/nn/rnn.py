"""DL4J's stored RNN state on the torch backend: rnnTimeStep, rnn{Get,Set,Clear}PreviousState, truncated BPTT.

Mirrors, in 1.0.0-M2.1 (read from its bytecode):

* ``BaseRecurrentLayer``'s ``stateMap`` (what ``rnnTimeStep`` continues from; keys ``"prevAct"`` and,
  for LSTM/GravesLSTM, ``"prevMem"``) -- kept here per layer on the network object
  (``net._rnn_state``: {owner: {key: tensor}}), so it survives rebuilding the torch module;
* ``MultiLayerNetwork#rnnTimeStep`` / ``ComputationGraph#rnnTimeStep``: inference-mode forward where
  each recurrent layer starts from its stored state and stores its last state; a rank-2 input is one
  time step (and the output comes back rank 2);
* ``MultiLayerNetwork#doTruncatedBPTT`` / ``ComputationGraph#doTruncatedBPTT``: the time series is cut into
  segments of ``tbpttFwdLength`` steps (the last one shorter); each segment is ONE iteration (updater step,
  constraints, listeners, iterationCount += 1), and its forward continues from the state the previous
  segment ended with (``rnnActivateUsingStoredState`` + ``updateRnnStateWithTBPTTState``). The state is
  cleared before the first segment and after the last (so ``rnnTimeStep`` state does not survive a TBPTT
  fit; a standard fit leaves it alone). Masks are cut like the data (``mask[:, start:end]``). ``score()`` is
  the last segment's score.

  The backward pass is M2.1's, bugs included (docs/deviations.md, "Training"): ``computeGradientAndScore``
  calls ``calcBackpropGradients(..., truncatedBPTT=false, ...)``, so every recurrent layer's plain
  ``backpropGradient`` runs -- full BPTT over the segment (``tbpttBackLength`` has no effect) on a forward
  it recomputes from a ZERO state (the carried state shapes the values, never the gradient).

Recurrent layers are found as DL4J's forward finds them: a layer (vertex layer) that is a RecurrentLayer
(LSTM, GravesLSTM, SimpleRnn), or a wrapper whose underlying layer is one (DL4J then runs the underlying
layer directly). Layers DL4J refuses (Bidirectional, GravesBidirectionalLSTM: UnsupportedOperationException)
and wrappers whose DL4J behaviour here differs from the wrapper's own (LastTimeStep, MaskZeroLayer;
FrozenLayerWithBackprop under truncated BPTT) raise :class:`InvalidConfigurationError`.
"""

from __future__ import annotations

from pydl4j_transfer.errors import InvalidConfigurationError

def is_tbptt(net) -> bool:
    return getattr(getattr(net._conf, "backpropType", None), "name", str(net._conf.backpropType)) == "TruncatedBPTT"


def _state_store(net) -> dict:
    store = getattr(net, "_rnn_state", None)
    if store is None:
        store = net._rnn_state = {}
    return store


def layer_owner(net, layer):
    """The owner key (MLN: layer index, graph: vertex name) of ``layer`` (index or name) for the state methods."""
    if net._is_graph:
        if isinstance(layer, str):
            if layer not in net._conf.vertices:
                raise InvalidConfigurationError(f"no layer {layer!r}; vertices: {list(net._conf.vertices)}")
            return layer
        names = [n for n, v in net._conf.vertices.items() if _has_layer(v)]  # DL4J's layers[]: vertex-map order
        if not 0 <= int(layer) < len(names):
            raise InvalidConfigurationError(f"Invalid layer number {layer}: the graph has {len(names)} layers {names}")
        return names[int(layer)]
    names = net.getLayerNames()
    index = names.index(layer) if isinstance(layer, str) and layer in names else layer
    if not isinstance(index, int) or not 0 <= index < len(names):
        raise InvalidConfigurationError(f"Invalid layer number {layer!r}: layers are 0..{len(names) - 1}")
    return index


def _has_layer(vertex) -> bool:
    v = getattr(vertex, "underlying", vertex)
    return getattr(v, "layer", None) is not None


def rnn_time_step(net, rt, inputs):
    """Mirrors MultiLayerNetwork#rnnTimeStep(INDArray) / ComputationGraph#rnnTimeStep(INDArray...) on the runtime."""
    return rt.rnn_time_step(inputs, _state_store(net), _last_layer_recurrent(net))


#: layers whose runtime type() is RECURRENT (MultiLayerNetwork#rnnTimeStep returns rank 2 for a rank-2 input)
_RECURRENT_TYPE = {"RnnOutputLayer", "RnnLossLayer", "LSTM", "GravesLSTM", "SimpleRnn", "GravesBidirectionalLSTM"}


def _last_layer_recurrent(net) -> bool:
    if net._is_graph:
        return False
    last = net._conf.confs[-1].layer
    return (getattr(last, "dl4jClass", "") or "").rsplit(".", 1)[-1] in _RECURRENT_TYPE


def _require_rnn_owner(rt, owner, layer):
    if not rt.is_rnn_owner(owner):
        raise InvalidConfigurationError(f"Layer is not an RNN layer: {layer!r}")


def get_previous_state(net, rt, layer) -> dict:
    """Mirrors rnnGetPreviousState(layer): the stored state as numpy copies ({} if none)."""
    owner = layer_owner(net, layer)
    _require_rnn_owner(rt, owner, layer)
    state = _state_store(net).get(owner) or {}
    return {k: v.detach().cpu().numpy().copy() for k, v in state.items()}


def set_previous_state(net, rt, layer, state) -> None:
    """Mirrors rnnSetPreviousState(layer, Map): replaces the layer's stored state."""
    owner = layer_owner(net, layer)
    _require_rnn_owner(rt, owner, layer)
    _state_store(net)[owner] = rt.rnn_state_tensors(state)


def clear_previous_state(net) -> None:
    """Mirrors rnnClearPreviousState()."""
    _state_store(net).clear()


# ---- truncated BPTT ----------------------------------------------------------------------------------------------


def _cut(a, start, end):
    return None if a is None else a[:, :, start:end]


def _cut_mask(m, start, end):
    # DL4J: mask.get(all(), interval(start, end)) -- the second axis, whatever the mask's rank
    return None if m is None else m[:, start:end]


def _size2(a) -> int:
    return int(a.shape[2])


def _rank(a) -> int:
    return len(a.shape)


def tbptt_fit(net, rt, feats, labels, fmasks, lmasks, step):
    """Mirrors doTruncatedBPTT: ``step(feats, labels, fmasks, lmasks)`` runs one iteration per segment."""
    conf = net._conf
    fwd = int(conf.tbpttFwdLength)  # tbpttBackLength: no effect in DL4J M2.1 (see the module docstring)
    if fwd <= 0:
        raise InvalidConfigurationError(f"truncated BPTT needs tbpttFwdLength > 0, got {fwd}")
    if net._is_graph:
        t_len = -1
        for what, arrays in (("input", feats), ("label", labels)):
            for a in arrays:
                if _rank(a) != 3:
                    continue
                if t_len == -1:
                    t_len = _size2(a)
                elif t_len != _size2(a):
                    # DL4J logs "Cannot do TBPTT with time series of different lengths" and trains nothing
                    raise InvalidConfigurationError(f"truncated BPTT: the time series have different lengths"
                                                    f" ({t_len} and {_size2(a)}, {what} arrays)")
        cut3 = lambda arrs, s, e: [(_cut(a, s, e) if _rank(a) == 3 else a) for a in arrs]  # noqa: E731
    else:
        x, y = feats[0], labels[0]
        if _rank(x) != 3 or _rank(y) != 3:
            # DL4J logs "Cannot do truncated BPTT with non-3d inputs or labels" and trains nothing
            raise InvalidConfigurationError(
                f"truncated BPTT needs rank 3 features and labels [minibatch, size, timeSeriesLength], got "
                f"{list(x.shape)} and {list(y.shape)}; use BackpropType.Standard for other data")
        if _size2(x) != _size2(y):
            raise InvalidConfigurationError(
                f"truncated BPTT: input and label time series have different lengths: {_size2(x)} and {_size2(y)}")
        t_len = _size2(x)
        cut3 = lambda arrs, s, e: [_cut(a, s, e) for a in arrs]  # noqa: E731
    if t_len == -1:
        n_sub = 1  # Java: -1 / fwd == 0, -1 % fwd != 0 -> 1 subset, arrays unsliced
    else:
        n_sub = t_len // fwd + (1 if t_len % fwd else 0)
    layers = rt.recurrent_layers("truncated BPTT")
    clear_previous_state(net)
    state = {}
    score = None
    try:
        for i in range(n_sub):
            start = i * fwd
            end = min(start + fwd, t_len) if t_len != -1 else None
            if t_len == -1:
                f_i, l_i, fm_i, lm_i = feats, labels, fmasks, lmasks
            else:
                f_i, l_i = cut3(feats, start, end), cut3(labels, start, end)
                fm_i = None if fmasks is None else [_cut_mask(m, start, end) for m in fmasks]
                lm_i = None if lmasks is None else [_cut_mask(m, start, end) for m in lmasks]
            score, state = rt.with_rnn_state(  # updateRnnStateWithTBPTTState: the states after the segment
                layers, state, lambda: step(f_i, l_i, fm_i, lm_i), zero_state_gradient=True)
    finally:
        clear_previous_state(net)
    return score

