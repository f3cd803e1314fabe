"""RepeatVector and MaskLayer (parameter-less): ``org.deeplearning4j.nn.layers.RepeatVector`` and
``org.deeplearning4j.nn.layers.util.MaskLayer``.

* RepeatVector: [mb, size] -> [mb, size, n] (NCW) / [mb, n, size] (NWC); DL4J's backprop sums the epsilon over
  the time axis, which is autograd's gradient of the repeat. The mask passes through unchanged.
* MaskLayer: the input times the mask the network propagated to it (2-D: a [mb, 1] column; 3-D [mb, size, T]:
  a [mb, T] mask; 4-D: broadcast along the axes where the mask's size equals the input's); no mask: the input
  unchanged. Backprop applies the same mask to the epsilon (autograd's gradient of the product).
"""

from __future__ import annotations

from pydl4j_transfer.conf import MaskLayer, RepeatVector
from pydl4j_transfer.conf.base import enum_name
from pydl4j_transfer.errors import InvalidConfigurationError

from ..base import LayerModule
from ..registry import LAYER_CONVERTERS


@LAYER_CONVERTERS.register(RepeatVector)
class RepeatVectorModule(LayerModule):
    """Mirrors RepeatVector#preOutput (input dropout applies, as DL4J's applyDropOutIfNecessary)."""

    def __init__(self, conf, ctx):
        super().__init__(conf, ctx)
        self.n = int(conf.n)
        self.nwc = enum_name(conf.dataFormat) == "NWC"

    def compute(self, x, mask=None):
        if x.dim() != 2:
            raise InvalidConfigurationError(
                f"Got rank {x.dim()} array as input to RepeatVector with shape {list(x.shape)}. Expected rank 2 array"
                f" with shape [minibatchSize, size]. (layer name: {self.layer_name})")
        if self.nwc:
            return x.unsqueeze(1).repeat(1, self.n, 1)  # [mb, n, size]
        return x.unsqueeze(2).repeat(1, 1, self.n)  # [mb, size, n]


@LAYER_CONVERTERS.register(MaskLayer)
class MaskLayerModule(LayerModule):
    """Mirrors MaskLayer#activate (applyMask)."""

    def compute(self, x, mask=None):
        if mask is None:
            return x
        m = mask.to(x.dtype)
        rank = x.dim()
        if rank == 2:
            if m.dim() > 2 or m.numel() != x.shape[0] or (m.dim() == 2 and m.shape[1] != 1):
                raise InvalidConfigurationError(
                    "Expected column vector for mask with 2d input, with same size(0) as input. Got mask with shape: "
                    f"{list(mask.shape)}, input shape = {list(x.shape)} (layer {self.layer_name!r})")
            return x * m.reshape(-1, 1)
        if rank == 3:
            if m.dim() != 2 or m.shape[0] != x.shape[0] or m.shape[1] != x.shape[2]:
                raise InvalidConfigurationError(
                    f"With 3d (time series) input with shape [minibatch, size, sequenceLength]={list(x.shape)},"
                    " expected 2d mask array with shape [minibatch, sequenceLength]. Got mask with shape: "
                    f"{list(mask.shape)} (layer {self.layer_name!r})")
            return x * m.unsqueeze(1)
        if rank == 4:
            # Broadcast.mul over the axes whose sizes agree: the others must be 1 in the mask
            if m.dim() != 4 or any(ms not in (xs, 1) for ms, xs in zip(m.shape, x.shape)):
                raise InvalidConfigurationError(
                    f"layer {self.layer_name!r} (MaskLayer): a mask of shape {list(mask.shape)} cannot be broadcast"
                    f" along the axes of a {list(x.shape)} input ([mb,1,h,1], [mb,1,1,w], [mb,1,h,w] or [mb,1,1,1])")
            return x * m
        raise InvalidConfigurationError(
            f"Expected rank 2 to 4 input. Got rank {rank} with shape {list(x.shape)} (layer {self.layer_name!r})")
