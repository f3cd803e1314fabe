"""BatchNormalization and LocalResponseNormalization.

BatchNormalization (Mirrors org.deeplearning4j.nn.layers.normalization.BatchNormalization):
``y = gamma * (x - mean) / sqrt(var + eps) + beta`` per channel (axis 1; last axis for 4-D
NHWC). Inference uses the stored running statistics: ``mean`` and either ``var`` or, in
log-std mode, ``log10stdev`` with var = (10^log10stdev)^2 (eps is NOT part of the stored
value). Training uses the minibatch statistics (biased variance). With ``lockGammaBeta`` the
constants ``gamma``/``beta`` of the configuration replace the parameters.

Convention flip: DL4J's ``decay`` weighs the OLD running value
(running = decay·running + (1-decay)·batch), i.e. torch's ``momentum = 1 - decay``. DL4J updates
the running statistics during backprop (fit), not in the forward pass, so this forward-only
module never changes them; :meth:`BatchNormModule.running_update` returns DL4J's new values for
a training loop to apply.

LocalResponseNormalization (Mirrors ...normalization.LocalResponseNormalization):
``y = x / (k + alpha · Σ_{|j-c| <= n/2} x_j²)^beta`` over channels. Convention flip: DL4J's alpha
is NOT divided by n (torch's LocalResponseNorm divides it), and the window is c ± floor(n/2).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from pydl4j_transfer.conf.base import enum_name
from pydl4j_transfer.conf import (BatchNormalization, LocalResponseNormalization)
from ..base import LayerModule
from ..registry import LAYER_CONVERTERS



def _vec(t):
    """A per-channel parameter as the 1-D tensor F.batch_norm takes (M2.1's are 1-D already: no reshape dispatch)."""
    return t if t.dim() == 1 else t.reshape(-1)


@LAYER_CONVERTERS.register(BatchNormalization)
class BatchNormModule(LayerModule):
    """Mirrors org.deeplearning4j.nn.layers.normalization.BatchNormalization."""

    def __init__(self, conf, ctx):
        super().__init__(conf, ctx)
        self.n = int(conf.nOut)
        self.eps = float(conf.eps)
        self.decay = float(conf.decay)
        self.lock = bool(conf.lockGammaBeta)
        self.gamma_const, self.beta_const = float(conf.gamma), float(conf.beta)
        self.log_std = bool(conf.useLogStd)
        self.nhwc = enum_name(conf.cnn2DFormat) == "NHWC"

    def channel_axis(self, x):
        # NHWC: channels last. M2.1 views a rank-3 (recurrent) input [mb, T, C] as the image [1, mb, T, C], so with
        # NHWC its channels are last too (how DL4J's Keras import runs BatchNormalization after Conv1D)
        return x.dim() - 1 if (x.dim() in (3, 4) and self.nhwc) else 1

    def running_var(self):
        if self.log_std:
            # DL4J: pow(valueArrayOf(shape, 10.0), log10s), then squared in place. The base as a tensor of the
            # exponent's type and device, as DL4J has it: torch.pow(10.0, t) costs four more dispatches (the
            # number becomes a tensor first), and a CPU scalar tensor would keep torch.compile from CUDA graphs
            log10s = self.p("log10stdev")
            std = torch.pow(torch.full_like(log10s, 10.0), log10s)
            return std * std
        return self.p("var")

    def _bshape(self, x, axis):
        shape = [1] * x.dim()
        shape[axis] = x.shape[axis]
        return shape

    def compute(self, x, mask=None):
        if x.dim() < 2:
            raise self.bad_input(x, f"rank >= 2 with {self.n} channels")
        axis = self.channel_axis(x)
        if x.shape[axis] != self.n:
            raise self.bad_input(x, f"{self.n} channels on axis {axis}")
        # one fused kernel (torch's batch_norm; cuDNN's on a GPU) instead of five elementwise passes; it wants the
        # channels on axis 1, so NHWC is viewed as NCHW (a stride permutation, no copy)
        xc = x.movedim(axis, 1) if axis != 1 else x
        gamma = None if self.lock else _vec(self.p("gamma"))
        beta = None if self.lock else _vec(self.p("beta"))
        if self.training and xc.numel() == xc.shape[0] * xc.shape[1] and xc.shape[0] == 1:
            y = self._one_value_per_channel(xc, gamma, beta)  # torch's batch_norm refuses a single value
        elif self.training:  # minibatch statistics, biased variance (as DL4J)
            y = F.batch_norm(xc, None, None, gamma, beta, training=True, eps=self.eps)
        else:
            y = F.batch_norm(xc, _vec(self.p("mean")), _vec(self.running_var()), gamma, beta, training=False,
                             eps=self.eps)
        if self.lock and (self.gamma_const != 1.0 or self.beta_const != 0.0):
            y = y * self.gamma_const + self.beta_const
        return y.movedim(1, axis) if axis != 1 else y

    def _one_value_per_channel(self, xc, gamma, beta):
        """Training on one example with nothing else per channel: DL4J's variance is 0, x - mean is 0."""
        xhat = (xc - xc) / torch.sqrt(torch.zeros_like(xc) + self.eps)
        if gamma is None:
            return xhat
        shape = self._bshape(xc, 1)
        return xhat * gamma.reshape(shape) + beta.reshape(shape)

    @torch.no_grad()
    def running_update(self, x):
        """DL4J's running statistics after one training minibatch ``x`` (what BatchNormalization#backpropGradient
        sets): {"mean": ..., "var" | "log10stdev": ...}. decay weighs the old value."""
        axis = self.channel_axis(x)
        dims = [d for d in range(x.dim()) if d != axis]
        bvar, bmean = torch.var_mean(x, dim=dims, correction=0)  # one pass for both (biased variance)
        out = {"mean": self.decay * self.p("mean") + (1 - self.decay) * bmean}
        if self.log_std:
            var = self.decay * self.running_var() + (1 - self.decay) * bvar
            out["log10stdev"] = torch.log10(torch.sqrt(var))
        else:
            out["var"] = self.decay * self.p("var") + (1 - self.decay) * bvar
        return out




@LAYER_CONVERTERS.register(LocalResponseNormalization)
class LRNModule(LayerModule):
    """Mirrors org.deeplearning4j.nn.layers.normalization.LocalResponseNormalization."""

    def __init__(self, conf, ctx):
        super().__init__(conf, ctx)
        self.k, self.n = float(conf.k), float(conf.n)
        self.alpha, self.beta = float(conf.alpha), float(conf.beta)
        self.half = int(self.n) // 2
        self.nhwc = enum_name(conf.dataFormat) == "NHWC"

    def compute(self, x, mask=None):
        if x.dim() != 4:
            raise self.bad_input(x, "rank 4 [minibatch, channels, height, width]")
        xc = x.movedim(x.dim() - 1, 1) if self.nhwc else x  # not -1: see ConvModule.to_channels_first
        sq = xc * xc
        # Σ over channels c-half .. c+half (zero outside the channel range), as DL4J's shifted adds
        c = xc.shape[1]
        summed = sq
        for i in range(1, self.half + 1):
            if i >= c:
                break
            summed = summed + F.pad(sq[:, : c - i], (0, 0, 0, 0, i, 0)) + F.pad(sq[:, i:], (0, 0, 0, 0, 0, i))
        y = xc / torch.pow(self.k + self.alpha * summed, self.beta)
        return y.movedim(1, y.dim() - 1) if self.nhwc else y


