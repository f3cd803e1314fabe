"""Locally connected layers (LocallyConnected1D, LocallyConnected2D): DL4J 1.0.0-M2.1's ``defineLayer``.

Each output position's patch (channels first, then the kernel positions, in 'c' order: ``c*k + i`` in 1-D,
``c*kH*kW + i*kW + j`` in 2-D) is gathered, the patches are stacked as [positions, mb, featureDim] and multiplied
by W [positions, featureDim, nOut] in one batched matmul, as DL4J's concat + ``mmul`` does; then the bias (on the
channel axis) and the activation (``Activation.asSameDiff``: softmax over the LAST axis of the NCW / NCHW / NHWC
result, as SameDiff's ``softmax(x)`` does). W and b are 'c'-order parameters: ``p("W")`` is DL4J's own
[positions, featureDim, nOut] array. Dilation only changes the sizes DL4J computes (the patches are contiguous, as
in DL4J's ``SDIndex.interval``). No input dropout or weight noise (SameDiff runtime); the gradient mode is
``layers/samediff.py``'s.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from pydl4j_transfer.conf import LocallyConnected1D, LocallyConnected2D
from pydl4j_transfer.conf.base import enum_name
from pydl4j_transfer.conf.enums import Activation
from pydl4j_transfer.errors import InvalidConfigurationError

from ..activations import activation_module
from ..registry import LAYER_CONVERTERS
from .attention import _SAMEDIFF_ACTIVATION
from .samediff import SameDiffModule


class _LocallyConnectedModule(SameDiffModule):
    """Shared: the SameDiff activation (refused on the first forward when DL4J's asSameDiff lacks it)."""

    def __init__(self, conf, ctx):
        super().__init__(conf, ctx)
        name = enum_name(conf.activation)
        self.activation_name = name
        self.act = None
        if name in _SAMEDIFF_ACTIVATION:
            self.act = activation_module(Activation[_SAMEDIFF_ACTIVATION[name]].getActivationFunction(), ctx)
        self.has_bias = bool(conf.hasBias)
        self.same = enum_name(conf.cm) == "Same"

    def _what(self):
        return f"layer {self.layer_name!r} ({self.dl4j_class.rsplit('.', 1)[-1]})"

    def finish(self, y, channel_axis):
        if self.act is None:  # DL4J throws in defineLayer, on the first forward
            raise InvalidConfigurationError(
                f"{self._what()}: Activation function not yet supported: {self.activation_name} (DL4J's"
                f" Activation.asSameDiff supports {', '.join(_SAMEDIFF_ACTIVATION)})")
        if self.has_bias:
            shape = [1] * y.dim()
            shape[channel_axis] = -1
            y = y + self.p("b").reshape(shape)  # biasAdd on the channel axis
        return self.act(y)

    def check_fit(self, x, axis, needed, what):
        if x.shape[axis] < needed:
            raise InvalidConfigurationError(
                f"{self._what()}: the (padded) input has {x.shape[axis]} {what} but the layer was built for an input"
                f" that gives {needed} (inputSize {self.dl4j_conf.inputSize}): DL4J's SameDiff graph slices past the"
                " end. Feed inputs of the size the configuration was built with")


@LAYER_CONVERTERS.register(LocallyConnected1D)
class LocallyConnected1DModule(_LocallyConnectedModule):
    """Mirrors LocallyConnected1D#defineLayer: [mb, nIn, T] -> [mb, nOut, outputSize] (NCW)."""

    def __init__(self, conf, ctx):
        super().__init__(conf, ctx)
        self.kernel, self.stride = int(conf.kernel), int(conf.stride)
        self.out_size = int(conf.outputSize)
        self.pad = (int(conf.padding), int(conf.paddingR) if self.same else int(conf.padding))
        self.feature_dim = int(conf.featureDim)

    def compute(self, x, mask=None):
        if x.dim() != 3 or x.shape[1] * self.kernel != self.feature_dim:
            raise self.bad_input(x, f"[minibatch, {self.feature_dim // max(self.kernel, 1)}, time] (NCW)")
        if self.pad[0] > 0 or (self.same and self.pad[1] > 0):
            x = F.pad(x, self.pad)
        needed = (self.out_size - 1) * self.stride + self.kernel
        self.check_fit(x, 2, needed, "time steps")
        # [mb, nIn, windows, k] -> the first outputSize windows as [outH, mb, nIn*k] (DL4J's concat of reshaped slices)
        patches = x[:, :, :needed].unfold(2, self.kernel, self.stride)[:, :, : self.out_size]
        patches = patches.permute(2, 0, 1, 3).reshape(self.out_size, x.shape[0], self.feature_dim)
        y = torch.bmm(patches, self.p("W"))  # [outH, mb, nOut]
        return self.finish(y.permute(1, 2, 0), 1)  # -> [mb, nOut, outH]


@LAYER_CONVERTERS.register(LocallyConnected2D)
class LocallyConnected2DModule(_LocallyConnectedModule):
    """Mirrors LocallyConnected2D#defineLayer: NCHW [mb, nIn, H, W] -> [mb, nOut, outH, outW], NHWC likewise
    channels last (the input is permuted to NCHW first, the result permuted to the format's layout)."""

    def __init__(self, conf, ctx):
        super().__init__(conf, ctx)
        self.kernel = [int(v) for v in conf.kernel]
        self.stride = [int(v) for v in conf.stride]
        self.out_size = [int(v) for v in (conf.outputSize or [0, 0])]
        top = [int(v) for v in conf.padding]
        br = [int(v) for v in (conf.paddingBr or top)] if self.same else top
        self.do_pad = any(v > 0 for v in top) or (self.same and any(v > 0 for v in br))
        self.pad_arg = [top[1], br[1], top[0], br[0]]  # F.pad: (left, right, top, bottom)
        self.nchw = enum_name(conf.format) != "NHWC"
        self.feature_dim = int(conf.featureDim)

    def compute(self, x, mask=None):
        kh, kw = self.kernel
        if x.dim() != 4:
            raise self.bad_input(x, "rank 4 " + ("[minibatch, channels, height, width] (NCHW)" if self.nchw
                                                 else "[minibatch, height, width, channels] (NHWC)"))
        if not self.nchw:
            x = x.permute(0, 3, 1, 2)  # NHWC -> NCHW, as DL4J's defineLayer
        if x.shape[1] * kh * kw != self.feature_dim:
            raise self.bad_input(x, f"{self.feature_dim // max(kh * kw, 1)} channels")
        if self.do_pad:
            x = F.pad(x, self.pad_arg)
        out_h, out_w = self.out_size
        need_h, need_w = (out_h - 1) * self.stride[0] + kh, (out_w - 1) * self.stride[1] + kw
        self.check_fit(x, 2, need_h, "rows")
        self.check_fit(x, 3, need_w, "columns")
        mb = x.shape[0]
        # [mb, C, nH, nW, kH, kW]: the first outH x outW patches
        patches = x[:, :, :need_h, :need_w].unfold(2, kh, self.stride[0]).unfold(3, kw, self.stride[1])
        patches = patches[:, :, :out_h, :out_w]
        # DL4J stacks patch (y, x) at row x*outH + y: [outW, outH, mb, C, kH, kW] -> [outW*outH, mb, C*kH*kW]
        patches = patches.permute(3, 2, 0, 1, 4, 5).reshape(out_w * out_h, mb, self.feature_dim)
        y = torch.bmm(patches, self.p("W"))  # [outH*outW, mb, nOut]
        y = y.reshape(out_h, out_w, mb, y.shape[-1])  # ... read back y-major: DL4J's reshape(outH, outW, mb, nOut)
        if self.nchw:
            return self.finish(y.permute(2, 3, 0, 1), 1)  # -> [mb, nOut, outH, outW]
        return self.finish(y.permute(2, 0, 1, 3), 3)  # -> [mb, outH, outW, nOut]
