"""Recurrent layers: LSTM, GravesLSTM (peepholes), GravesBidirectionalLSTM, SimpleRnn.

Mirrors ``org.deeplearning4j.nn.layers.recurrent.LSTMHelpers#activateHelper`` and
``SimpleRnn#activateHelper`` step by step (zero initial state, as ``output()`` uses).

Convention flips:
* Gate order. z = x·W + h_{t-1}·RW + b has column blocks [0:H) cell input g (layer activation,
  tanh by default), [H:2H) forget f, [2H:3H) output o, [3H:4H) input i (gate activation,
  sigmoid by default) -- torch's nn.LSTM uses (i, f, g, o), so stock nn.LSTM is NOT used.
* Layout. W [nIn, 4H] 'f' / RW [H, 4H(+3)] 'f' are stored as torch [4H, nIn] / [4H(+3), H]
  (same bytes), so the gate blocks are ROW blocks of the stored tensors.
* GravesLSTM peepholes: RW rows 4H, 4H+1, 4H+2 (DL4J columns) weigh c_{t-1} into f,
  c_t into o, c_{t-1} into i.
* Masks [mb, T]: LSTM zeroes h and c at masked steps (so the state carried on is zero);
  SimpleRnn runs through masked steps and zeroes only its outputs, as DL4J does.
  DL4J surprise (checked against real DL4J): LSTM and GravesLSTM IGNORE a features mask that the
  network propagates (their feedForwardMaskArray passes it on without storing it), so in
  ``output(x, train, featuresMask, null)`` they run unmasked; they do use a mask set on them directly
  (by LastTimeStep, MaskZeroLayer, ...). GravesBidirectionalLSTM and SimpleRnn store it.
* NWC input/output ([mb, T, size]) is permuted to/from NCW.

Stored state (``rnnTimeStep``, truncated BPTT; driven by ``pydl4j_transfer/nn/rnn.py``): while a
module's ``rnn_run`` is an :class:`RnnRun`, ``run`` starts from ``rnn_run.state`` (DL4J's stateMap:
``{"prevAct": h [mb, nOut], "prevMem": c [mb, nOut]}``; SimpleRnn: ``prevAct`` only) instead of zeros
and leaves the state after its last step in ``rnn_run.last``. With ``zero_state_gradient`` (truncated
BPTT training) the output has the stored-state pass's values but the gradient of a zero-state pass:
DL4J 1.0.0-M2.1's ``computeGradientAndScore`` runs the forward with the stored state
(``rnnActivateUsingStoredState``) but then calls the layers' plain ``backpropGradient``, which recomputes
the forward from a zero state and backpropagates through the whole segment.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F

from pydl4j_transfer.conf.base import enum_name
from pydl4j_transfer.conf import (GravesBidirectionalLSTM, GravesLSTM, LSTM, SimpleRnn)
from pydl4j_transfer.errors import InvalidConfigurationError

from ..activations import activation_module
from ..base import LayerModule
from ..registry import LAYER_CONVERTERS
from .feedforward import dl4j_layer_norm



@dataclass
class RnnRun:
    """One forward pass with DL4J's stored RNN state (set on a module as ``rnn_run`` by nn/rnn.py).

    ``state``: the initial state (DL4J's stateMap keys ``prevAct`` / ``prevMem``), None: zeros;
    ``zero_state_gradient``: values from ``state``, gradient from a zero-state pass (see the module docstring);
    ``last``: set by the module, the (detached) state after the last time step."""

    state: dict | None = None
    zero_state_gradient: bool = False
    last: dict | None = None


def _initial(state, key, mb, size, like):
    """The stored state ``key`` as [mb, size] (None if absent), checked as DL4J checks it."""
    v = None if state is None else state.get(key)
    if v is None:
        return None
    if tuple(v.shape) != (mb, size):
        raise InvalidConfigurationError(
            f"stored RNN state {key!r} has shape {list(v.shape)} but this input needs [{mb}, {size}] ([minibatch,"
            " nOut]): rnnTimeStep with a different minibatch size? Call rnnClearPreviousState() between sequences")
    return v.to(device=like.device, dtype=like.dtype)


class RecurrentModule(LayerModule):
    """Shared: input checks, NCW/NWC handling, step loop direction."""

    #: an RnnRun while nn/rnn.py runs this layer with stored state (rnnTimeStep, truncated BPTT); None: the
    #: standard forward (zero initial state, nothing kept), as output() and fit() without TBPTT
    rnn_run = None

    def __init__(self, conf, ctx):
        super().__init__(conf, ctx)
        self.n_in, self.n_out = int(conf.nIn), int(conf.nOut)
        self.nwc = enum_name(getattr(conf, "rnnDataFormat", None)) == "NWC"

    def to_ncw(self, x):
        if x.dim() == 2:  # DL4J accepts [mb, nIn] as a single time step
            x = x.unsqueeze(2) if not self.nwc else x.unsqueeze(1)
        if x.dim() != 3:
            raise self.bad_input(x, f"rank 3 [minibatch, {self.n_in}, T]" + (" (NWC: [minibatch, T, nIn])" if self.nwc else ""))
        x = x.permute(0, 2, 1) if self.nwc else x
        if x.shape[1] != self.n_in:
            raise self.bad_input(x if not self.nwc else x.permute(0, 2, 1), f"{self.n_in} input features (nIn)")
        return x

    def from_ncw(self, y):
        return y.permute(0, 2, 1) if self.nwc else y

    def compute(self, x, mask=None):
        x = self.to_ncw(x)
        run = self.rnn_run
        if run is not None and run.zero_state_gradient and run.state and torch.is_grad_enabled():
            # DL4J M2.1 (truncated BPTT): values from the stored state, gradient from LSTM/SimpleRnn#backpropGradient's
            # recomputed zero-state forward over the whole segment (straight-through: value + (grad path - its value))
            with torch.no_grad():
                value = self.run(x, mask, forwards=True)
            state, last = run.state, run.last
            run.state = None
            try:
                grad_path = self.run(x, mask, forwards=True)
            finally:
                run.state, run.last = state, last
            return self.from_ncw(grad_path + (value - grad_path).detach())
        return self.from_ncw(self.run(x, mask, forwards=True))


class LSTMModule(RecurrentModule):
    """Mirrors org.deeplearning4j.nn.layers.recurrent.LSTM (and GravesLSTM with ``peepholes``)."""

    rnn_state_keys = ("prevAct", "prevMem")

    def __init__(self, conf, ctx, peepholes=False, suffix=""):
        super().__init__(conf, ctx)
        self.peepholes = peepholes
        self.suffix = suffix
        self.act = activation_module(conf.activationFn, ctx)
        self.gate_act = activation_module(conf.gateActivationFn, ctx)

    def take_network_mask(self, mask):
        return None  # LSTM#feedForwardMaskArray: returns (mask, Passthrough) without setting it

    def run(self, x, mask, forwards=True, suffix=None):
        sfx = self.suffix if suffix is None else suffix
        h_size = self.n_out
        w, rw, b = self.p("W" + sfx), self.p("RW" + sfx), self.p("b" + sfx)
        rw_gates = rw[: 4 * h_size]  # [4H, H]: DL4J RW[:, 0:4H]
        if self.peepholes:
            w_ff, w_oo, w_gg = rw[4 * h_size], rw[4 * h_size + 1], rw[4 * h_size + 2]
        mb, _, t_len = x.shape
        run = self.rnn_run if suffix is None else None  # GravesBidirectionalLSTM keeps no state (DL4J refuses it)
        state = None if run is None else run.state
        h = _initial(state, "prevAct", mb, h_size, x)
        c = _initial(state, "prevMem", mb, h_size, x)
        h = x.new_zeros(mb, h_size) if h is None else h
        c = x.new_zeros(mb, h_size) if c is None else c
        xw = torch.einsum("bit,gi->btg", x, w) + b  # x_t·W + b for every step: [mb, T, 4H]
        outs = [None] * t_len
        steps = range(t_len) if forwards else range(t_len - 1, -1, -1)
        for t in steps:
            z = xw[:, t] + F.linear(h, rw_gates)
            g = self.act(z[:, :h_size])
            zf, zo, zi = z[:, h_size:2 * h_size], z[:, 2 * h_size:3 * h_size], z[:, 3 * h_size:]
            if self.peepholes:
                zf = zf + c * w_ff
                zi = zi + c * w_gg
            f = self.gate_act(zf)
            i = self.gate_act(zi)
            c = c * f + i * g
            if self.peepholes:
                zo = zo + c * w_oo
            o = self.gate_act(zo)
            h = self.act(c) * o
            if mask is not None:
                m = mask[:, t: t + 1].to(h.dtype)
                c = c * m
                h = h * m
            outs[t] = h
        if run is not None:
            run.last = {"prevAct": h.detach(), "prevMem": c.detach()}  # FwdPassReturn lastAct / lastMemCell
        return torch.stack(outs, dim=2)


class GravesBidirectionalLSTMModule(LSTMModule):
    """Mirrors org.deeplearning4j.nn.layers.recurrent.GravesBidirectionalLSTM: forward pass with
    (WF, RWF, bF), backward pass (time T-1 .. 0) with (WB, RWB, bB); output = sum of the two."""

    rnn_state_keys = ()
    rnn_state_refused = "GravesBidirectionalLSTM (DL4J: UnsupportedOperationException)"

    def take_network_mask(self, mask):
        return mask

    def run(self, x, mask, forwards=True, suffix=None):
        return super().run(x, mask, True, "F") + super().run(x, mask, False, "B")


@LAYER_CONVERTERS.register(SimpleRnn)
class SimpleRnnModule(RecurrentModule):
    """Mirrors org.deeplearning4j.nn.layers.recurrent.SimpleRnn: h_t = act(x_t·W + h_{t-1}·RW + b)
    (with layer norm, g = [gx | gh]: act(LN(x_t·W)·gx + LN(h_{t-1}·RW)·gh + b)); masked outputs zeroed
    afterwards. Note: real DL4J 1.0.0-M2.1 fails in its own forward pass with hasLayerNorm=true
    (an interval on its rank-1 gain view), so the layer-norm variant is checked against numpy only."""

    rnn_state_keys = ("prevAct",)

    def __init__(self, conf, ctx):
        super().__init__(conf, ctx)
        self.act = activation_module(conf.activationFn, ctx)
        self.layer_norm = bool(conf.hasLayerNorm)

    def run(self, x, mask, forwards=True):
        w, rw, b = self.p("W"), self.p("RW"), self.p("b")
        mb, _, t_len = x.shape
        outs = [None] * t_len
        run = self.rnn_run if forwards else None  # inside Bidirectional (backwards): no state (DL4J refuses it)
        h = _initial(None if run is None else run.state, "prevAct", mb, self.n_out, x)
        steps = range(t_len) if forwards else range(t_len - 1, -1, -1)
        for t in steps:
            z = F.linear(x[:, :, t], w)
            if self.layer_norm:
                z = dl4j_layer_norm(z, self.p("g")[: self.n_out])  # g = [gx | gh], 2*nOut
            if h is not None:
                r = F.linear(h, rw)
                if self.layer_norm:
                    r = dl4j_layer_norm(r, self.p("g")[self.n_out:])
                z = z + r
            h = self.act(z + b)
            outs[t] = h
        out = torch.stack(outs, dim=2)
        if mask is not None:
            out = out * mask.to(out.dtype).unsqueeze(1)
        if run is not None:
            run.last = {"prevAct": out[:, :, -1].detach().clone()}  # DL4J keeps out[:, :, T-1] (after the mask)
        return out


@LAYER_CONVERTERS.register(LSTM)
def _lstm(conf, ctx):
    return LSTMModule(conf, ctx)


@LAYER_CONVERTERS.register(GravesLSTM)
def _graves_lstm(conf, ctx):
    return LSTMModule(conf, ctx, peepholes=True)


@LAYER_CONVERTERS.register(GravesBidirectionalLSTM)
def _graves_bidirectional_lstm(conf, ctx):
    return GravesBidirectionalLSTMModule(conf, ctx, peepholes=True)
