"""Parameter-less reshaping layers: ZeroPadding(1D/3D), Cropping1D/2D/3D, Upsampling1D/2D/3D,
SpaceToDepth, SpaceToBatch.

Mirrors ``org.deeplearning4j.nn.layers.convolution.*`` / ``upsampling.*``. Padding/cropping
arrays are DL4J's: 2-D ``[top, bottom, left, right]``, 1-D ``[left, right]`` (time axis),
3-D ``[d0, d1, h0, h1, w0, w1]``. Upsampling is nearest-neighbour (each value repeated
``size`` times per axis). SpaceToDepth and SpaceToBatch follow libnd4j's (TensorFlow's) element
order, which is NOT torch's pixel_unshuffle: depth-to-space channel = (dy·b + dx)·C + c; batch
index = (dy·b1 + dx)·N + n.
"""

from __future__ import annotations

import torch.nn.functional as F

from pydl4j_transfer.conf.base import enum_name
from pydl4j_transfer.conf import (Cropping1D, Cropping2D, Cropping3D, SpaceToBatchLayer, SpaceToDepthLayer, Upsampling1D, Upsampling2D,
                                    Upsampling3D, ZeroPadding1DLayer, ZeroPadding3DLayer, ZeroPaddingLayer)
from ..base import LayerModule
from ..registry import LAYER_CONVERTERS



class _Spatial(LayerModule):
    """Shared: rank check and channels-last handling (computes channels-first)."""

    RANK = 4

    def __init__(self, conf, ctx, channels_last=False):
        super().__init__(conf, ctx)
        self.channels_last = channels_last

    def compute(self, x, mask=None):
        if x.dim() != self.RANK:
            raise self.bad_input(x, f"rank {self.RANK}" + (" (channels last)" if self.channels_last else ""))
        xc = x.movedim(x.dim() - 1, 1) if self.channels_last else x  # not -1: see ConvModule.to_channels_first
        y = self.spatial(xc)
        return y.movedim(1, y.dim() - 1) if self.channels_last else y


class ZeroPadding(_Spatial):
    """Mirrors ZeroPaddingLayer / ZeroPadding1DLayer / ZeroPadding3DLayer."""

    def __init__(self, conf, ctx, rank, channels_last=False):
        super().__init__(conf, ctx, channels_last)
        self.RANK = rank
        p = [int(v) for v in conf.padding]
        pairs = [(p[i], p[i + 1]) for i in range(0, len(p), 2)]  # per spatial axis, in axis order
        self.pad_arg = [v for pair in reversed(pairs) for v in pair]

    def spatial(self, x):
        return F.pad(x, self.pad_arg)


class Cropping(_Spatial):
    """Mirrors Cropping1D / Cropping2D / Cropping3D."""

    def __init__(self, conf, ctx, rank, channels_last=False):
        super().__init__(conf, ctx, channels_last)
        self.RANK = rank
        c = [int(v) for v in conf.cropping]
        self.pairs = [(c[i], c[i + 1]) for i in range(0, len(c), 2)]

    def spatial(self, x):
        idx = [slice(None), slice(None)]
        for i, (a, b) in enumerate(self.pairs):
            n = x.shape[2 + i]
            if a + b >= n:
                raise self.bad_input(x, f"more than {a + b} elements along spatial axis {i} to crop {a} + {b}")
            idx.append(slice(a, n - b))
        return x[tuple(idx)]


class Upsampling(_Spatial):
    """Mirrors Upsampling1D / Upsampling2D / Upsampling3D (nearest neighbour)."""

    def __init__(self, conf, ctx, rank, channels_last=False):
        super().__init__(conf, ctx, channels_last)
        self.RANK = rank
        n = rank - 2
        s = [int(v) for v in conf.size]
        self.size = s * n if len(s) == 1 else s[:n]

    def spatial(self, x):
        for i, s in enumerate(self.size):
            if s != 1:
                x = x.repeat_interleave(s, dim=2 + i)
        return x


@LAYER_CONVERTERS.register(SpaceToDepthLayer)
class SpaceToDepth(_Spatial):
    """Mirrors org.deeplearning4j.nn.layers.convolution.SpaceToDepth (libnd4j space_to_depth)."""

    def __init__(self, conf, ctx):
        super().__init__(conf, ctx, enum_name(conf.dataFormat) == "NHWC")
        self.block = int(conf.blockSize)

    def spatial(self, x):
        n, c, h, w = x.shape
        b = self.block
        if h % b or w % b:
            raise self.bad_input(x, f"height and width divisible by blockSize {b}")
        y = x.reshape(n, c, h // b, b, w // b, b).permute(0, 3, 5, 1, 2, 4)  # [n, dy, dx, c, h', w']
        return y.reshape(n, b * b * c, h // b, w // b)


@LAYER_CONVERTERS.register(SpaceToBatchLayer)
class SpaceToBatch(_Spatial):
    """Mirrors org.deeplearning4j.nn.layers.convolution.SpaceToBatch (libnd4j space_to_batch_nd)."""

    def __init__(self, conf, ctx):
        super().__init__(conf, ctx, enum_name(conf.format) == "NHWC")
        self.blocks = [int(v) for v in conf.blocks]
        pad = conf.padding or [[0, 0], [0, 0]]
        self.pad_arg = [int(pad[1][0]), int(pad[1][1]), int(pad[0][0]), int(pad[0][1])]

    def spatial(self, x):
        x = F.pad(x, self.pad_arg) if any(self.pad_arg) else x
        n, c, h, w = x.shape
        b0, b1 = self.blocks
        if h % b0 or w % b1:
            raise self.bad_input(x, f"padded height/width divisible by blocks {self.blocks}")
        y = x.reshape(n, c, h // b0, b0, w // b1, b1).permute(3, 5, 0, 1, 2, 4)  # [dy, dx, n, c, h', w']
        return y.reshape(b0 * b1 * n, c, h // b0, w // b1)


def _cl(conf, attr):
    return enum_name(getattr(conf, attr, None)) in ("NHWC", "NDHWC")


@LAYER_CONVERTERS.register(ZeroPaddingLayer)
def _zero_padding_2d(conf, ctx):
    return ZeroPadding(conf, ctx, 4, _cl(conf, "dataFormat"))


@LAYER_CONVERTERS.register(ZeroPadding1DLayer)
def _zero_padding_1d(conf, ctx):
    return ZeroPadding(conf, ctx, 3)


@LAYER_CONVERTERS.register(ZeroPadding3DLayer)
def _zero_padding_3d(conf, ctx):
    return ZeroPadding(conf, ctx, 5)


@LAYER_CONVERTERS.register(Cropping1D)
def _cropping_1d(conf, ctx):
    return Cropping(conf, ctx, 3)


@LAYER_CONVERTERS.register(Cropping2D)
def _cropping_2d(conf, ctx):
    return Cropping(conf, ctx, 4, _cl(conf, "dataFormat"))


@LAYER_CONVERTERS.register(Cropping3D)
def _cropping_3d(conf, ctx):
    return Cropping(conf, ctx, 5)


@LAYER_CONVERTERS.register(Upsampling1D)
def _upsampling_1d(conf, ctx):
    return Upsampling(conf, ctx, 3)


@LAYER_CONVERTERS.register(Upsampling2D)
def _upsampling_2d(conf, ctx):
    return Upsampling(conf, ctx, 4, _cl(conf, "format"))


@LAYER_CONVERTERS.register(Upsampling3D)
def _upsampling_3d(conf, ctx):
    return Upsampling(conf, ctx, 5, _cl(conf, "dataFormat"))
