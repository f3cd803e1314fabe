"""Pooling: SubsamplingLayer / Pooling2D, Subsampling1DLayer / Pooling1D, Subsampling3DLayer,
GlobalPoolingLayer.

Mirrors ``org.deeplearning4j.nn.layers.convolution.subsampling.*`` (libnd4j maxpool2d /
avgpool2d / pnormpool2d) and ``pooling.GlobalPoolingLayer`` (MaskedReductionUtil for masks).

MAX pads with -inf (padding never wins), AVG/SUM/PNORM pad with zeros; AVG divides by the
window size when ``avgPoolIncludePadInDivisor`` is true, else by the number of real (unpadded)
elements in the window. PNORM is (Σ|x|^p)^(1/p). SUM is computed as a grouped convolution
with a ones kernel (so dilation works in 1-D/2-D/3-D alike).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F

from pydl4j_transfer.conf.base import enum_name
from pydl4j_transfer.errors import InvalidConfigurationError
from pydl4j_transfer.conf import (GlobalPoolingLayer, Pooling1D, Pooling2D, Subsampling1DLayer, Subsampling3DLayer, SubsamplingLayer)
from ..base import LayerModule
from ..registry import LAYER_CONVERTERS
from .convolution import pads_for, torch_pad_arg


_MAXPOOL = {1: F.max_pool1d, 2: F.max_pool2d, 3: F.max_pool3d}
_CONV = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}


def window_sum(x, kernel, stride, dilation):
    """Σ over each pooling window (channels-first, already padded), via a grouped ones-convolution."""
    c = x.shape[1]
    w = torch.ones((c, 1, *kernel), dtype=x.dtype, device=x.device)
    return _CONV[len(kernel)](x, w, stride=stride, dilation=dilation, groups=c)


def pool(x, kind, kernel, stride, pads, dilation, pnorm=2, include_pad=False):
    """Mirrors libnd4j max/avg/pnorm pooling (and DL4J's SUM) on a channels-first array."""
    pad_arg = torch_pad_arg(pads)
    padded = any(a or b for a, b in pads)
    if kind == "MAX":
        xp = F.pad(x, pad_arg, value=-math.inf) if padded else x
        return _MAXPOOL[len(kernel)](xp, kernel, stride, dilation=dilation)
    if kind == "PNORM":
        xp = F.pad(x, pad_arg) if padded else x
        return window_sum(xp.abs() ** pnorm, kernel, stride, dilation) ** (1.0 / pnorm)
    xp = F.pad(x, pad_arg) if padded else x
    s = window_sum(xp, kernel, stride, dilation)
    if kind == "SUM":
        return s
    if kind == "AVG":
        if include_pad or not padded:
            return s / float(math.prod(kernel))
        ones = F.pad(torch.ones((1, 1, *x.shape[2:]), dtype=x.dtype, device=x.device), pad_arg)
        return s / window_sum(ones, kernel, stride, dilation)
    raise ValueError(f"unknown pooling type {kind}")


@LAYER_CONVERTERS.register(SubsamplingLayer, Pooling2D)
class SubsamplingModule(LayerModule):
    """Mirrors org.deeplearning4j.nn.layers.convolution.subsampling.SubsamplingLayer (2-D; 1-D/3-D by DIMS)."""

    DIMS = 2

    def __init__(self, conf, ctx):
        super().__init__(conf, ctx)
        d = self.DIMS
        self.kind = enum_name(conf.poolingType) or "MAX"
        self.kernel = [int(k) for k in conf.kernelSize[:d]]
        self.stride = [int(s) for s in conf.stride[:d]]
        self.padding = [int(p) for p in (conf.padding or [0] * d)[:d]]
        self.dilation = [int(x) for x in (conf.dilation or [1] * d)[:d]]
        self.mode = enum_name(getattr(conf, "convolutionMode", None)) or "Truncate"
        self.pnorm = int(getattr(conf, "pnorm", 2) or 2)
        self.include_pad = bool(getattr(conf, "avgPoolIncludePadInDivisor", True))
        self.channels_last = self._channels_last(conf)
        if self.kind == "SUM":
            from pydl4j_transfer.errors import UnsupportedLayerError

            raise UnsupportedLayerError(conf.dl4jClass, ctx.name, hint=(
                "poolingType SUM is not supported by DL4J 1.0.0-M2.1's subsampling layers either (DL4J throws"
                " UnsupportedOperationException('Not supported: SUM') at the first forward pass); use AVG or PNORM"))

    def _channels_last(self, conf):
        return enum_name(conf.cnn2dDataFormat) == "NHWC"

    def compute(self, x, mask=None):
        if x.dim() != self.DIMS + 2:
            raise self.bad_input(x, f"rank {self.DIMS + 2}" + (" (channels last)" if self.channels_last else ""))
        xc = x.movedim(x.dim() - 1, 1) if self.channels_last else x  # not -1: see ConvModule.to_channels_first
        pads = pads_for(self.mode, list(xc.shape[2:]), self.kernel, self.stride, self.padding, self.dilation,
                        self.layer_name)
        y = pool(xc, self.kind, self.kernel, self.stride, pads, self.dilation, self.pnorm, self.include_pad)
        return y.movedim(1, y.dim() - 1) if self.channels_last else y


@LAYER_CONVERTERS.register(Subsampling1DLayer, Pooling1D)
class Subsampling1DModule(SubsamplingModule):
    """Mirrors org.deeplearning4j.nn.layers.convolution.subsampling.Subsampling1DLayer ([mb, C, T])."""

    DIMS = 1

    def _channels_last(self, conf):
        # M2.1 views [mb, C, T] as [mb, C, T, 1] (NCHW) but an NHWC layer's [mb, T, C] as [mb, T, 1, C]: the time
        # axis stays the pooled one and the channels are last (DL4J's Keras import sets NHWC for channels_last)
        return enum_name(getattr(conf, "cnn2dDataFormat", None)) == "NHWC"

    def compute(self, x, mask=None):
        y = super().compute(x, mask)
        if mask is not None:
            y = y * self.feed_forward_mask(mask, x).to(y.dtype).unsqueeze(2 if self.channels_last else 1)
        return y

    def feed_forward_mask(self, mask, x=None):
        """Mirrors Subsampling1DLayer#feedForwardMaskArray (Convolution1DUtils.cnn1dMaskReduction)."""
        if mask is None:
            return None
        if self.mode == "Same" and self.stride[0] == 1:
            return mask
        m = mask.reshape(mask.shape[0], 1, -1).to(torch.float32)
        pads = pads_for(self.mode, [m.shape[-1]], self.kernel, self.stride, self.padding, self.dilation, self.layer_name)
        out = F.max_pool1d(F.pad(m, torch_pad_arg(pads)), self.kernel[0], self.stride[0], dilation=self.dilation[0])
        return out[:, 0, :].to(mask.dtype)


@LAYER_CONVERTERS.register(Subsampling3DLayer)
class Subsampling3DModule(SubsamplingModule):
    """Mirrors org.deeplearning4j.nn.layers.convolution.subsampling.Subsampling3DLayer (MAX / AVG)."""

    DIMS = 3

    def __init__(self, conf, ctx):
        super().__init__(conf, ctx)
        self.include_pad = False

    def _channels_last(self, conf):
        return enum_name(conf.dataFormat) == "NDHWC"


def max_first(x, dims, keepdim):
    """``x.amax(dims)`` whose gradient goes to the first maximal element of each reduced block (in the
    row-major order of ``dims``), as DL4J's backward does with libnd4j's IsMax: torch's amax splits it
    among ties (an all-masked example is all ties: -inf everywhere). Same values as amax."""
    dims = sorted(d % x.dim() for d in dims)
    rest = [d for d in range(x.dim()) if d not in dims]
    flat = x.permute(*rest, *dims).reshape(*[x.shape[d] for d in rest], -1)
    y = flat.max(dim=-1).values  # max(dim) returns the first maximal index and routes the gradient to it alone
    if keepdim:
        y = y.reshape([1 if d in dims else x.shape[d] for d in range(x.dim())])
    return y


class MaskedPnorm(torch.autograd.Function):
    """Masked PNORM over axes 2.. (kept, size 1) with MaskedReductionUtil#maskedPoolingEpsilon*'s
    gradient: ``x |x|^(p-2) * eps / pnorm^(p-1) * mask``. Autograd would give ``mask^p`` where DL4J
    multiplies by the mask once; the two agree for 0/1 masks only."""

    @staticmethod
    def forward(ctx, x, mask, p):
        dims = list(range(2, x.dim()))
        pn = ((x * mask).abs() ** p).sum(dim=dims, keepdim=True) ** (1.0 / p)
        ctx.save_for_backward(x, mask, pn)
        ctx.p = p
        return pn

    @staticmethod
    def backward(ctx, eps):
        x, mask, pn = ctx.saved_tensors
        p = ctx.p
        numerator = x if p == 2 else x * x.abs() ** (p - 2)
        return numerator * (eps / pn ** (p - 1)) * mask, None, None


@LAYER_CONVERTERS.register(GlobalPoolingLayer)
class GlobalPoolingModule(LayerModule):
    """Mirrors org.deeplearning4j.nn.layers.pooling.GlobalPoolingLayer: MAX/AVG/SUM/PNORM over the
    pooling dimensions (default: all spatial/time axes), masked steps excluded; the output has no
    mask. collapseDimensions=false keeps the pooled axes with size 1.

    With a mask it follows MaskedReductionUtil (maskedPoolingTimeSeries / maskedPoolingConvolution),
    quirks included: ``poolingDimensions`` is ignored (time for rank 3, axes 2 and 3 of the raw array
    for rank 4, so an NHWC ``[mb, h, w, c]`` input pools w and c and gives ``[mb, h]``); the mask must be
    ``[mb, T]`` for rank 3 and rank 4 for rank 4 (see :meth:`_broadcast_mask`), and rank 5 takes none
    (DL4J throws; here an InvalidConfigurationError). AVG divides the masked sum by the sum of the mask
    array **as given** (``mask.sum(1,2,3)``), not of the mask broadcast over the input: with a
    ``[mb, 1, h, 1]`` mask the width is summed, not averaged (``[mb, 1, 1, 1]``: AVG = SUM). MAX adds
    ``1 - mask`` with 1 replaced by -inf; its gradient goes to the first maximal element (IsMax), also
    for an example whose steps are all masked out. PNORM's gradient multiplies by the mask once
    (:class:`MaskedPnorm`).
    """

    def __init__(self, conf, ctx):
        super().__init__(conf, ctx)
        self.kind = enum_name(conf.poolingType) or "MAX"
        self.pnorm = int(conf.pnorm or 2)
        self.dims = [int(d) for d in conf.poolingDimensions] if conf.poolingDimensions else None
        self.collapse = conf.collapseDimensions is not False

    def pooling_dims(self, x):
        if self.dims is not None:
            return self.dims
        return {3: [2], 4: [2, 3], 5: [2, 3, 4]}.get(x.dim()) or list(range(2, x.dim()))

    def _mask_error(self, x, mask, expected):
        cls = self.dl4j_class.rsplit(".", 1)[-1] or type(self).__name__
        return InvalidConfigurationError(
            f"layer {self.layer_name!r} ({cls}): a mask for input of shape {list(x.shape)} must be {expected},"
            f" got shape {list(mask.shape)} (DL4J's GlobalPoolingLayer/MaskedReductionUtil refuse it too)")

    def _broadcast_mask(self, x, mask):
        """The mask as an array of ``x``'s shape, read as DL4J's broadcast ops read it.

        Rank 4: MaskedReductionUtil broadcasts the mask along the axes whose size equals the input's; the
        broadcast op then walks the mask with its own (c-order) strides over the input's shape, a size-1
        axis repeating. A mask whose every axis is 1 or the input's is plain broadcasting (whatever the
        data format: an NHWC input's natural ``[mb, h, w, 1]`` mask, or ``[mb, h, 1, 1]``); a batch-sized
        mask with other axis sizes is read as that strided view (an NCHW-style ``[mb, 1, h, w]`` mask on
        an NHWC input reads the flat mask at ``w*W + c`` in each example). Refused: no axis in common
        (DL4J's broadcast op throws), and the masks DL4J reads past their end or leaves output rows
        unwritten for (another batch size on a non-broadcastable mask) -- see docs/deviations.md.
        """
        if x.dim() == 3:
            if mask.dim() != 2 or mask.shape[1] != x.shape[2] or mask.shape[0] not in (1, x.shape[0]):
                raise self._mask_error(x, mask, "[minibatch, timeSeriesLength]")
            return mask.to(x.dtype).unsqueeze(1)  # [mb, T] -> [mb, 1, T]: broadcast over the channels
        if x.dim() != 4:
            raise self._mask_error(x, mask, "absent (masked global pooling supports rank 3 and 4 input only)")
        if mask.dim() != 4:
            raise self._mask_error(x, mask, "rank 4 (DL4J: 'Only 4d mask arrays are currently supported')")
        xs, ms = list(x.shape), list(mask.shape)
        if not any(a == b for a, b in zip(ms, xs)):
            raise self._mask_error(x, mask, "of the input's size on at least one axis (DL4J's broadcast op:"
                                   " 'When no dimensions are provided, X and Y shapes must be equal')")
        m = mask.to(x.dtype)
        if all(a in (1, b) for a, b in zip(ms, xs)):
            return m
        strides = [0 if ms[i] == 1 else math.prod(ms[i + 1:]) for i in range(4)]
        if ms[0] != xs[0] or sum((n - 1) * st for n, st in zip(xs, strides)) >= mask.numel():
            raise self._mask_error(x, mask, "rank 4 with each axis 1 or the input's, or of the input's batch size"
                                   " and no larger a strided read than the mask holds (DL4J reads memory past"
                                   " this mask's end)")
        # DL4J's BroadcastAddOp/BroadcastMulOp walk the mask with its own strides over the input's shape
        return m.contiguous().as_strided(xs, strides)

    def compute(self, x, mask=None):
        if x.dim() < 3:
            raise self.bad_input(x, "rank 3 (RNN), 4 (CNN) or 5 (CNN3D)")
        keep = not self.collapse
        if mask is None:
            dims = self.pooling_dims(x)
            if self.kind == "MAX":
                return max_first(x, dims, keep)  # DL4J's IsMax: the gradient to the first maximum
            if self.kind == "SUM":
                return x.sum(dim=dims, keepdim=keep)
            if self.kind == "AVG":
                return x.mean(dim=dims, keepdim=keep)
            if self.kind == "PNORM":
                return (x.abs() ** self.pnorm).sum(dim=dims, keepdim=keep) ** (1.0 / self.pnorm)
            raise ValueError(f"unknown pooling type {self.kind}")
        m = self._broadcast_mask(x, mask)
        dims = list(range(2, x.dim()))  # DL4J's masked path ignores poolingDimensions
        if self.kind == "MAX":
            neg = 1.0 - m
            neg = neg.masked_fill(neg == 1.0, -math.inf)  # rsub(1.0), then 1 -> -inf
            return max_first(x + neg, dims, keep)
        if self.kind == "PNORM":
            y = MaskedPnorm.apply(x, m, self.pnorm)
            return y if keep else y.reshape(y.shape[:2])
        xm = x * m
        if self.kind == "SUM":
            return xm.sum(dim=dims, keepdim=keep)
        if self.kind == "AVG":
            # DL4J divides by mask.sum(1) / mask.sum(1,2,3): the mask's own elements, not broadcast ones
            counts = mask.to(x.dtype).reshape(mask.shape[0], -1).sum(dim=1)
            y = xm.sum(dim=dims, keepdim=keep)
            y = y / counts.reshape([-1] + [1] * (y.dim() - 1))
            if mask.shape[0] != x.shape[0] and y.requires_grad:
                # a batch-1 mask: DL4J's forward divides by its one count, its backward (BroadcastDivOp along
                # axis 0) throws 'Shapes do not match'
                y.register_hook(self._refuse_avg_backward(x, mask))
            return y
        raise ValueError(f"unknown pooling type {self.kind}")

    def _refuse_avg_backward(self, x, mask):
        error = self._mask_error(x, mask, "of the input's batch size to backpropagate masked AVG pooling (DL4J's"
                                 " backward divides by the mask's per-example counts along axis 0 and throws)")

        def hook(grad):
            raise error
        return hook

    def feed_forward_mask(self, mask, x=None):
        return None


