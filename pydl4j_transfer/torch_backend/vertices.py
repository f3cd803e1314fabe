"""ComputationGraph vertices (``org.deeplearning4j.nn.graph.vertex.impl.*``) as torch modules.

A vertex module's ``forward(xs, masks, state)`` takes the list of its input activations (in
``vertexInputs`` order) and their masks; ``state`` carries the graph's network inputs and input
masks (DuplicateToTimeSeriesVertex, LastTimeStepVertex, ReverseTimeSeriesVertex read them).
``feed_forward_masks`` mirrors GraphVertex#feedForwardMaskArrays. LayerVertex holds its layer's
module as the child ``layer``; the layer's parameters live on the vertex module (keys
``"<vertexName>.<key>"``).
"""

from __future__ import annotations

import torch
from torch import nn

from pydl4j_transfer.conf.base import enum_name
from pydl4j_transfer.conf import (DuplicateToTimeSeriesVertex, ElementWiseVertex, FrozenVertex, L2NormalizeVertex, L2Vertex, LastTimeStepVertex,
                                    LayerVertex, MergeVertex, PoolHelperVertex, PreprocessorVertex,
                                    ReshapeVertex, ReverseTimeSeriesVertex, ScaleVertex, ShiftVertex,
                                    StackVertex, SubsetVertex, UnstackVertex)
from pydl4j_transfer.errors import InvalidConfigurationError

from .base import ConvertContext, bind_store
from .preprocessors import convert_preprocessor
from .registry import VERTEX_CONVERTERS



def or_masks(masks):
    """Mirrors MergeVertex/ElementWiseVertex#feedForwardMaskArrays: null if any input has none, else OR."""
    if not masks or any(m is None for m in masks):
        return None
    out = masks[0]
    for m in masks[1:]:
        out = ((out != 0) | (m != 0)).to(out.dtype)
    return out


class VertexModule(nn.Module):
    """Base of every converted vertex."""

    dl4j_class = ""
    N_INPUTS = None  # None: any number >= 1

    def __init__(self, conf, ctx: ConvertContext):
        super().__init__()
        self.vertex_name = ctx.name
        self.frozen = False
        self.dl4j_class = conf.dl4jClass
        object.__setattr__(self, "dl4j_conf", conf)

    def train(self, mode: bool = True):
        return super().train(bool(mode) and not self.frozen)

    def check_inputs(self, xs):
        n = self.N_INPUTS
        if (n is not None and len(xs) != n) or not xs:
            raise InvalidConfigurationError(
                f"vertex {self.vertex_name!r} ({self.dl4j_class.rsplit('.', 1)[-1]}): expected"
                f" {n if n is not None else 'at least 1'} input(s), got {len(xs)}")

    def forward(self, xs, masks=None, state=None):
        self.check_inputs(xs)
        return self.compute(xs, masks or [None] * len(xs), state or {})

    def feed_forward_masks(self, masks, xs=None, state=None):
        return masks[0] if masks and len(masks) == 1 else or_masks(masks)

    def bad(self, msg):
        return InvalidConfigurationError(f"vertex {self.vertex_name!r} ({self.dl4j_class.rsplit('.', 1)[-1]}): {msg}")

    def extra_repr(self):
        return f"name={self.vertex_name!r}" + (", frozen=True" if self.frozen else "")


@VERTEX_CONVERTERS.register(LayerVertex)
class LayerVertexModule(VertexModule):
    """Mirrors org.deeplearning4j.nn.graph.vertex.impl.LayerVertex: optional preprocessor, then the layer."""

    N_INPUTS = 1

    def __init__(self, conf, ctx):
        super().__init__(conf, ctx)
        from .network import convert_layer

        if conf.layer is None:
            raise self.bad("LayerVertex without a layer")
        self.layer = convert_layer(conf.layer, ctx)
        # a frozen layer (FrozenLayer, FrozenLayerWithBackprop) freezes the vertex: its parameters, stored here, get
        # no gradient (DL4J: a zero gradient), as the same layer's in a MultiLayerNetwork
        self.frozen = bool(getattr(self.layer, "frozen", False))
        self.preprocessor = convert_preprocessor(conf.preProcessor, where=ctx.name)
        bind_store(self)

    def take_network_mask(self, mask):
        return self.layer.take_network_mask(mask)

    def compute(self, xs, masks, state):
        x, mask = xs[0], masks[0]
        mb = x.shape[0]
        if self.preprocessor is not None:
            x = self.preprocessor(x, mb)
            if mask is not None:
                mask = self.preprocessor.feed_forward_mask(mask, mb)
        return self.layer(x, None if mask is None else self.layer.take_network_mask(mask))

    def feed_forward_masks(self, masks, xs=None, state=None):
        mask = masks[0] if masks else None
        if mask is None:
            return None
        x = xs[0] if xs else None
        if self.preprocessor is not None:
            mb = x.shape[0] if x is not None else mask.shape[0]
            mask = self.preprocessor.feed_forward_mask(mask, mb)
            x = self.preprocessor(x, mb) if x is not None else None
        return self.layer.feed_forward_mask(mask, x)




@VERTEX_CONVERTERS.register(FrozenVertex)
class FrozenVertexModule(VertexModule):
    """Mirrors org.deeplearning4j.nn.graph.vertex.impl.FrozenVertex: the wrapped vertex, always in
    inference mode, parameters not trained."""

    cuts_backprop = True  # DL4J's FrozenVertex: no gradient flows to the vertices below

    def __init__(self, conf, ctx):
        super().__init__(conf, ctx)
        self.inner = VERTEX_CONVERTERS.convert(conf.underlying, ctx, where=ctx.name)
        self.frozen = True
        self.train(False)

    def forward(self, xs, masks=None, state=None):
        return self.inner(xs, masks, state)

    def feed_forward_masks(self, masks, xs=None, state=None):
        return self.inner.feed_forward_masks(masks, xs, state)




@VERTEX_CONVERTERS.register(MergeVertex)
class MergeVertexModule(VertexModule):
    """Mirrors MergeVertex: concatenation along ``mergeAxis`` (1 = features / channels for NCHW, NCW)."""

    def compute(self, xs, masks, state):
        if len(xs) == 1:
            return xs[0]
        axis = int(self.dl4j_conf.mergeAxis if self.dl4j_conf.mergeAxis is not None else 1)
        ranks = {x.dim() for x in xs}
        if len(ranks) != 1:
            raise self.bad(f"inputs of different ranks {[list(x.shape) for x in xs]}")
        return torch.cat(xs, dim=axis)



_ELEMENTWISE = {
    "Add": lambda xs: _fold(xs, torch.add),
    "Subtract": lambda xs: xs[0] - xs[1],
    "Product": lambda xs: _fold(xs, torch.mul),
    "Average": lambda xs: _fold(xs, torch.add) / len(xs),
    "Max": lambda xs: _fold(xs, torch.maximum),
}


def _fold(xs, op):
    out = xs[0]
    for x in xs[1:]:
        out = op(out, x)
    return out


@VERTEX_CONVERTERS.register(ElementWiseVertex)
class ElementWiseVertexModule(VertexModule):
    """Mirrors ElementWiseVertex: Add, Subtract (exactly 2 inputs), Product, Average, Max."""

    def __init__(self, conf, ctx):
        super().__init__(conf, ctx)
        self.op = enum_name(conf.op)
        if self.op not in _ELEMENTWISE:
            raise self.bad(f"unknown op {self.op!r}")

    def compute(self, xs, masks, state):
        if self.op == "Subtract" and len(xs) != 2:
            raise self.bad(f"Subtract needs exactly 2 inputs, got {len(xs)}")
        # ints, not torch.Size: under torch.onnx.export / jit tracing the sizes are 0-d tensors,
        # which hash by identity, so a set of traced shapes never collapses to one element.
        shapes = {tuple(int(d) for d in x.shape) for x in xs}
        if len(shapes) != 1:
            raise self.bad(f"inputs must have the same shape, got {[list(x.shape) for x in xs]}")
        return _ELEMENTWISE[self.op](xs)




@VERTEX_CONVERTERS.register(SubsetVertex)
class SubsetVertexModule(VertexModule):
    """Mirrors SubsetVertex: features ``from`` .. ``to`` (inclusive) along axis 1."""

    N_INPUTS = 1

    def compute(self, xs, masks, state):
        a, b = int(self.dl4j_conf.from_), int(self.dl4j_conf.to)
        x = xs[0]
        if b >= x.shape[1]:
            raise self.bad(f"subset {a}..{b} out of range for input shape {list(x.shape)}")
        return x[:, a: b + 1]




@VERTEX_CONVERTERS.register(StackVertex)
class StackVertexModule(VertexModule):
    """Mirrors StackVertex: concatenation along the minibatch axis (time series padded to the longest)."""

    def compute(self, xs, masks, state):
        if xs[0].dim() == 3:
            t_max = max(x.shape[2] for x in xs)
            xs = [torch.nn.functional.pad(x, (0, t_max - x.shape[2])) for x in xs]
        return torch.cat(xs, dim=0)

    def feed_forward_masks(self, masks, xs=None, state=None):
        if not masks or all(m is None for m in masks):
            return None
        filled = []
        for m, x in zip(masks, xs or [None] * len(masks)):
            if m is None:
                m = torch.ones((x.shape[0], x.shape[2] if x.dim() == 3 else 1), dtype=x.dtype, device=x.device)
            filled.append(m)
        t_max = max(m.shape[1] for m in filled)
        return torch.cat([torch.nn.functional.pad(m, (0, t_max - m.shape[1])) for m in filled], dim=0)




@VERTEX_CONVERTERS.register(UnstackVertex)
class UnstackVertexModule(VertexModule):
    """Mirrors UnstackVertex: rows ``from``*n .. (``from``+1)*n of a [stackSize*n, ...] input."""

    N_INPUTS = 1

    def _slice(self, x):
        k, size = int(self.dl4j_conf.from_), int(self.dl4j_conf.stackSize)
        if x.shape[0] % size:
            raise self.bad(f"minibatch {x.shape[0]} is not a multiple of stackSize {size}")
        step = x.shape[0] // size
        return x[k * step: (k + 1) * step]

    def compute(self, xs, masks, state):
        return self._slice(xs[0])

    def feed_forward_masks(self, masks, xs=None, state=None):
        return None if not masks or masks[0] is None else self._slice(masks[0])




@VERTEX_CONVERTERS.register(ScaleVertex)
class ScaleVertexModule(VertexModule):
    """Mirrors ScaleVertex: x * scaleFactor."""

    N_INPUTS = 1

    def compute(self, xs, masks, state):
        return xs[0] * float(self.dl4j_conf.scaleFactor)


@VERTEX_CONVERTERS.register(ShiftVertex)
class ShiftVertexModule(VertexModule):
    """Mirrors ShiftVertex: x + shiftFactor."""

    N_INPUTS = 1

    def compute(self, xs, masks, state):
        return xs[0] + float(self.dl4j_conf.shiftFactor)




@VERTEX_CONVERTERS.register(L2Vertex)
class L2VertexModule(VertexModule):
    """Mirrors L2Vertex: Euclidean distance of two inputs over all non-minibatch axes -> [mb, 1]."""

    N_INPUTS = 2

    def compute(self, xs, masks, state):
        a, b = xs
        if a.shape != b.shape:
            raise self.bad(f"inputs must have the same shape, got {list(a.shape)} and {list(b.shape)}")
        d = (a - b).reshape(a.shape[0], -1)
        return torch.sqrt((d * d).sum(dim=1, keepdim=True))

    def feed_forward_masks(self, masks, xs=None, state=None):
        return None




@VERTEX_CONVERTERS.register(L2NormalizeVertex)
class L2NormalizeVertexModule(VertexModule):
    """Mirrors L2NormalizeVertex: x / max(||x||_2, eps) over ``dimension`` (default: all but axis 0)."""

    N_INPUTS = 1

    def compute(self, xs, masks, state):
        x = xs[0]
        dims = [int(d) for d in (self.dl4j_conf.dimension or [])] or list(range(1, x.dim()))
        norm = torch.sqrt((x * x).sum(dim=dims, keepdim=True))
        return x / torch.clamp(norm, min=float(self.dl4j_conf.eps))




@VERTEX_CONVERTERS.register(PoolHelperVertex)
class PoolHelperVertexModule(VertexModule):
    """Mirrors PoolHelperVertex: drops the first row and column of [mb, C, H, W] (GoogLeNet import helper)."""

    N_INPUTS = 1

    def compute(self, xs, masks, state):
        x = xs[0]
        if x.dim() != 4:
            raise self.bad(f"expected rank 4 input, got {list(x.shape)}")
        return x[:, :, 1:, 1:]




@VERTEX_CONVERTERS.register(PreprocessorVertex)
class PreprocessorVertexModule(VertexModule):
    """Mirrors PreprocessorVertex: an InputPreProcessor as a vertex."""

    N_INPUTS = 1

    def __init__(self, conf, ctx):
        super().__init__(conf, ctx)
        self.preprocessor = convert_preprocessor(conf.preProcessor, where=ctx.name)

    def compute(self, xs, masks, state):
        return self.preprocessor(xs[0], xs[0].shape[0])

    def feed_forward_masks(self, masks, xs=None, state=None):
        if not masks or masks[0] is None:
            return None
        mb = xs[0].shape[0] if xs else masks[0].shape[0]
        return self.preprocessor.feed_forward_mask(masks[0], mb)




def reshape_order(x, shape, order):
    """ND4J reshape in 'c' or 'f' order (-1 allowed)."""
    if str(order or "c").lower() == "f":
        rev = list(reversed(range(x.dim())))
        y = x.permute(*rev).reshape(list(reversed(shape)))
        return y.permute(*reversed(range(y.dim())))
    return x.reshape(shape)


@VERTEX_CONVERTERS.register(ReshapeVertex)
class ReshapeVertexModule(VertexModule):
    """Mirrors ReshapeVertex: reshape to ``newShape`` (minibatch axis included) in ``reshapeOrder``."""

    N_INPUTS = 1

    def compute(self, xs, masks, state):
        shape = [int(s) for s in self.dl4j_conf.newShape]
        try:
            return reshape_order(xs[0], shape, self.dl4j_conf.reshapeOrder)
        except RuntimeError as exc:
            raise self.bad(f"cannot reshape input {list(xs[0].shape)} to newShape {shape}") from exc

    def feed_forward_masks(self, masks, xs=None, state=None):
        if not masks or masks[0] is None:
            return None
        if self.dl4j_conf.maskShape:
            return reshape_order(masks[0], [int(s) for s in self.dl4j_conf.maskShape], self.dl4j_conf.reshapeOrder)
        return masks[0]




@VERTEX_CONVERTERS.register(DuplicateToTimeSeriesVertex)
class DuplicateToTimeSeriesVertexModule(VertexModule):
    """Mirrors DuplicateToTimeSeriesVertex: [mb, n] repeated over the time steps of network input ``inputName``."""

    N_INPUTS = 1

    def compute(self, xs, masks, state):
        name = self.dl4j_conf.inputName
        ref = (state.get("inputs") or {}).get(name)
        if ref is None or ref.dim() != 3:
            raise self.bad(f"network input {name!r} must be a rank 3 time series")
        x = xs[0]
        return x.unsqueeze(2).expand(x.shape[0], x.shape[1], ref.shape[2]).contiguous()

    def feed_forward_masks(self, masks, xs=None, state=None):
        return ((state or {}).get("input_masks") or {}).get(self.dl4j_conf.inputName)




@VERTEX_CONVERTERS.register(LastTimeStepVertex)
class LastTimeStepVertexModule(VertexModule):
    """Mirrors LastTimeStepVertex: [mb, n, T] -> [mb, n] at each example's last step unmasked in the
    mask of network input ``maskArrayInputName`` (the last step without one)."""

    N_INPUTS = 1

    def compute(self, xs, masks, state):
        from .layers.wrappers import last_time_step

        x = xs[0]
        if x.dim() != 3:
            raise self.bad(f"expected rank 3 input, got {list(x.shape)}")
        name = self.dl4j_conf.maskArrayInputName
        mask = ((state.get("input_masks") or {}).get(name)) if name else None
        return last_time_step(x, mask)

    def feed_forward_masks(self, masks, xs=None, state=None):
        return None




@VERTEX_CONVERTERS.register(ReverseTimeSeriesVertex)
class ReverseTimeSeriesVertexModule(VertexModule):
    """Mirrors ReverseTimeSeriesVertex: reverse along time; with the mask of network input
    ``maskArrayInputName``, each example only up to its last unmasked step."""

    N_INPUTS = 1

    def compute(self, xs, masks, state):
        from .layers.wrappers import reverse_time

        name = self.dl4j_conf.maskArrayInputName
        mask = ((state.get("input_masks") or {}).get(name)) if name else None
        return reverse_time(xs[0], 2, mask)


