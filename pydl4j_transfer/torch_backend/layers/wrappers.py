"""Wrapper layers: FrozenLayer, FrozenLayerWithBackprop, Bidirectional, LastTimeStep, MaskZeroLayer, TimeDistributed.

A wrapper's module holds the wrapped layer's module as a child (``inner``); the parameters stay
on the network-level module under DL4J's keys (the wrapped keys; Bidirectional prefixes ``f``/``b``),
see base.py. Wrappers apply no dropout of their own (the wrapped layer's configuration does).

Frozen (Mirrors org.deeplearning4j.nn.layers.FrozenLayer / FrozenLayerWithBackprop): always
inference mode (no dropout, BatchNorm running statistics), whatever ``train()`` says; the
parameters get ``requires_grad=False``. FrozenLayer also returns no gradient to its input
(DL4J's backpropGradient returns a null epsilon), so its input is detached; the WithBackprop
variant passes the gradient through.
"""

from __future__ import annotations

import torch

from pydl4j_transfer.conf.base import enum_name
from pydl4j_transfer.conf import (Bidirectional, FrozenLayer, FrozenLayerWithBackprop, LastTimeStep, MaskZeroLayer,
                                  TimeDistributed)
from ..base import LayerModule
from ..registry import LAYER_CONVERTERS



def _convert(inner_conf, ctx):
    from ..network import convert_layer

    return convert_layer(inner_conf, ctx)


class WrapperModule(LayerModule):
    """Delegates to ``inner``; subclasses add the wrapper's behaviour."""

    def __init__(self, conf, ctx, inner_conf, prefix=""):
        super().__init__(conf, ctx)
        self.input_dropout = None
        self.inner = _convert(inner_conf, ctx.child(prefix))

    def compute(self, x, mask=None):
        return self.inner(x, mask)

    def feed_forward_mask(self, mask, x=None):
        return self.inner.feed_forward_mask(mask, x)

    def take_network_mask(self, mask):
        return self.inner.take_network_mask(mask)  # BaseWrapperLayer#feedForwardMaskArray delegates


class FrozenModule(WrapperModule):
    """Mirrors org.deeplearning4j.nn.layers.FrozenLayer(WithBackprop): inference mode always."""

    def __init__(self, conf, ctx, inner_conf, backprop):
        super().__init__(conf, ctx, inner_conf)
        self.frozen = True
        self.backprop = backprop
        self.cuts_backprop = not backprop
        self.train(False)

    def output_layer(self):
        """DL4J's getOutputLayer() unwraps a FrozenLayerWithBackprop (its output layer's loss trains the layers below;
        its own parameters get a zero gradient); a FrozenLayer is not an IOutputLayer (DL4J cannot fit it)."""
        return self.inner.output_layer() if self.backprop else None

    def compute(self, x, mask=None):
        if not self.backprop and isinstance(x, torch.Tensor):
            x = x.detach()  # FrozenLayer: no gradient flows to the layers below (null epsilon in DL4J)
        return self.inner(x, mask)


@LAYER_CONVERTERS.register(FrozenLayer)
def _frozen(conf, ctx):
    return FrozenModule(conf, ctx, conf.layer, backprop=False)


@LAYER_CONVERTERS.register(FrozenLayerWithBackprop)
def _frozen_with_backprop(conf, ctx):
    return FrozenModule(conf, ctx, conf.underlying, backprop=True)


def reverse_time(x, time_axis, mask=None):
    """Mirrors TimeSeriesUtils.reverseTimeSeries: along the time axis; with a [mb, T] mask, each example's
    steps up to its last unmasked one are reversed and the trailing (masked) steps stay where they are."""
    if mask is None:
        return torch.flip(x, dims=[time_axis])
    t_len = mask.shape[1]
    steps = torch.arange(t_len, device=mask.device)
    last = ((mask != 0).to(torch.int64) * (steps + 1)).max(dim=1).values - 1  # -1: fully masked
    idx = torch.where(steps.unsqueeze(0) <= last.unsqueeze(1), last.unsqueeze(1) - steps.unsqueeze(0), steps.unsqueeze(0))
    if time_axis == 2:
        return torch.gather(x, 2, idx.unsqueeze(1).expand(-1, x.shape[1], -1))
    return torch.gather(x, 1, idx.unsqueeze(2).expand(-1, -1, x.shape[2]))


@LAYER_CONVERTERS.register(Bidirectional)
class BidirectionalModule(LayerModule):
    """Mirrors org.deeplearning4j.nn.layers.recurrent.BidirectionalLayer: ``fwd`` on the input,
    ``bwd`` on the time-reversed input, its output reversed back, then combined: CONCAT (feature
    axis, [fwd; bwd]), ADD, MUL or AVERAGE.

    With a mask that the wrapped layer keeps (SimpleRnn; not LSTM, which ignores network masks),
    DL4J reverses each example only up to its last unmasked step (padding stays at the end) and
    gives ``bwd`` the same mask; without one, the whole time axis is reversed (checked against DL4J)."""

    rnn_state_refused = 'Bidirectional (DL4J: "cannot use this method (or truncated BPTT) with bidirectional layers")'

    def __init__(self, conf, ctx):
        super().__init__(conf, ctx)
        self.input_dropout = None
        self.mode = enum_name(conf.mode) or "CONCAT"
        self.fwd = _convert(conf.fwd, ctx.child("f"))
        self.bwd = _convert(conf.bwd, ctx.child("b"))
        inner = conf.fwd  # the format of the wrapped recurrent layer, through LastTimeStep / MaskZeroLayer
        while inner is not None and not hasattr(inner, "rnnDataFormat") and hasattr(inner, "underlying"):
            inner = inner.underlying
        self.nwc = enum_name(getattr(inner, "rnnDataFormat", None)) == "NWC"

    def compute(self, x, mask=None):
        t_axis = 1 if self.nwc else 2
        out_f = self.fwd(x, mask)
        out_b = self.bwd(reverse_time(x, t_axis, mask), mask)
        if out_b.dim() == 3:
            out_b = reverse_time(out_b, t_axis, mask)
        if self.mode == "ADD":
            return out_f + out_b
        if self.mode == "MUL":
            return out_f * out_b
        if self.mode == "AVERAGE":
            return (out_f + out_b) * 0.5
        axis = (2 if self.nwc else 1) if out_f.dim() == 3 else 1
        return torch.cat([out_f, out_b], dim=axis)

    def feed_forward_mask(self, mask, x=None):
        return self.fwd.feed_forward_mask(mask, x)

    def take_network_mask(self, mask):
        return self.fwd.take_network_mask(mask)


def last_time_step(y, mask, nwc=False):
    """Mirrors TimeSeriesUtils.pullLastTimeSteps: [mb, size, T] -> [mb, size] at the last step whose
    mask is non-zero (the last step overall without a mask)."""
    if nwc:
        y = y.permute(0, 2, 1)
    if mask is None:
        return y[:, :, -1]
    t_len = mask.shape[1]
    nz = (mask != 0).to(torch.int64) * torch.arange(1, t_len + 1, device=mask.device)
    idx = (nz.max(dim=1).values - 1).clamp(min=0)  # DL4J: lastIndex of a non-zero mask entry
    return y[torch.arange(y.shape[0], device=y.device), :, idx]


@LAYER_CONVERTERS.register(LastTimeStep)
class LastTimeStepModule(WrapperModule):
    """Mirrors org.deeplearning4j.nn.layers.recurrent.LastTimeStepLayer: the wrapped RNN's output at
    each example's last unmasked step; the output has no mask."""

    def __init__(self, conf, ctx):
        super().__init__(conf, ctx, conf.underlying)
        self.nwc = enum_name(getattr(conf.underlying, "rnnDataFormat", None)) == "NWC"

    def take_network_mask(self, mask):
        return mask  # LastTimeStepLayer#feedForwardMaskArray calls setMaskArray(mask): the wrapped layer uses it

    def compute(self, x, mask=None):
        y = self.inner(x, mask)
        if y.dim() != 3:
            raise self.bad_input(y, "the wrapped layer to return a rank 3 time series")
        return last_time_step(y, mask, self.nwc)

    def feed_forward_mask(self, mask, x=None):
        return None


@LAYER_CONVERTERS.register(MaskZeroLayer)
class MaskZeroModule(WrapperModule):
    """Mirrors org.deeplearning4j.nn.layers.recurrent.MaskZeroLayer: a time step whose features ALL
    equal ``maskingValue`` is masked for the wrapped layer ([mb, size, T] input, features on axis 1).
    The mask passed on to later layers is the network's own, as in DL4J."""

    def __init__(self, conf, ctx):
        super().__init__(conf, ctx, conf.underlying)
        self.masking_value = float(conf.maskingValue or 0.0)

    def compute(self, x, mask=None):
        if x.dim() != 3:
            raise self.bad_input(x, "rank 3 [minibatch, size, T]")
        computed = (x != self.masking_value).any(dim=1).to(x.dtype)
        return self.inner(x, computed)


def time_series_mask_to_vector(mask):
    """Mirrors TimeSeriesUtils.reshapeTimeSeriesMaskToVector: [mb, T] -> [mb*T, 1] in 'f' order (row b + t*mb)."""
    return mask.transpose(0, 1).reshape(-1, 1)


def vector_to_time_series_mask(mask, mb):
    """Mirrors TimeSeriesUtils.reshapeVectorToTimeSeriesMask: [mb*T(, 1)] -> [mb, T] in 'f' order."""
    return mask.reshape(-1, mb).transpose(0, 1)


@LAYER_CONVERTERS.register(TimeDistributed)
class TimeDistributedModule(WrapperModule):
    """Mirrors org.deeplearning4j.nn.layers.recurrent.TimeDistributedLayer: the time axis folded into the
    minibatch, the wrapped layer run on the rows, the result unfolded.

    NCW [mb, size, T] -> permute(0, 2, 1) -> 'c' reshape [mb*T, size] (row b*T + t); the output [mb*T, n] -> [mb, T, n]
    -> permute back to [mb, n, T]. NWC needs no permute. A [mb, T] mask reaches the wrapped layer as DL4J passes it,
    reshaped in 'f' order ([mb*T, 1], row b + t*mb): rows and mask entries line up only for a minibatch of 1 or one
    time step, as in DL4J 1.0.0-M2.1 (the mask passed on to later layers is the network's own)."""

    def __init__(self, conf, ctx):
        super().__init__(conf, ctx, conf.underlying)
        self.nwc = enum_name(conf.rnnDataFormat) == "NWC"

    def _fold(self, x):
        if not self.nwc:
            x = x.transpose(1, 2)  # NCW [mb, size, T, ...] -> [mb, T, size, ...]
        return x.reshape((x.shape[0] * x.shape[1],) + tuple(x.shape[2:]))

    def _unfold(self, y, mb):
        y = y.reshape((mb, y.shape[0] // mb) + tuple(y.shape[1:]))  # [mb, T, n, ...]
        return y if self.nwc else y.transpose(1, 2)  # -> NCW [mb, n, T, ...]

    def compute(self, x, mask=None):
        if x.dim() < 3:
            raise self.bad_input(x, "rank 3 [minibatch, size, T] (NCW) or [minibatch, T, size] (NWC)")
        inner_mask = None if mask is None else self.inner.take_network_mask(time_series_mask_to_vector(mask))
        return self._unfold(self.inner(self._fold(x), inner_mask), x.shape[0])

    def take_network_mask(self, mask):
        return mask  # reshaped for the wrapped layer in compute

    def feed_forward_mask(self, mask, x=None):
        if mask is None:
            return self.inner.feed_forward_mask(None, None)
        out = self.inner.feed_forward_mask(time_series_mask_to_vector(mask), None)
        return None if out is None else vector_to_time_series_mask(out, mask.shape[0])
