"""InputPreProcessors (``org.deeplearning4j.nn.conf.preprocessor``): reshapes between layer kinds.

Each converter returns a small stateless callable ``pre(x, minibatch) -> x`` with
``feed_forward_mask(mask, minibatch)`` (Mirrors InputPreProcessor#preProcess /
#feedForwardMaskArray). They hold no parameters, so they are plain objects, not modules.

Row order (kept exactly, so per-layer activations equal DL4J's feedForward): RNN -> FF
flattens [mb, size, T] to [mb*T, size] with row r = t*mb + n (DL4J permutes to [mb, T, size]
and reshapes in 'f' order); FF -> RNN is the inverse. CNN -> FF flattens each example in 'c'
order of the array as it is (NCHW: c, h, w; NHWC: h, w, c).
"""

from __future__ import annotations

from pydl4j_transfer.conf import (Cnn3DToFeedForwardPreProcessor, CnnToFeedForwardPreProcessor, CnnToRnnPreProcessor,
                                    ComposableInputPreProcessor, FeedForwardToCnn3DPreProcessor,
                                    FeedForwardToCnnPreProcessor, FeedForwardToRnnPreProcessor,
                                    KerasFlattenRnnPreprocessor, PermutePreprocessor, ReshapePreprocessor,
                                    RnnToCnnPreProcessor, RnnToFeedForwardPreProcessor)
from pydl4j_transfer.conf.base import enum_name
from pydl4j_transfer.errors import InvalidConfigurationError

from .registry import PREPROCESSOR_CONVERTERS


def rnn_to_rows(x):
    """[mb, size, T] -> [mb*T, size], row t*mb + n (DL4J's 'f'-order reshape)."""
    mb, size, t = x.shape
    return x.permute(2, 0, 1).reshape(t * mb, size)


def rows_to_rnn(x, mb):
    """[mb*T, size] (row t*mb + n) -> [mb, size, T]."""
    rows, size = x.shape[0], x.shape[1]
    if rows % mb:
        raise InvalidConfigurationError(f"cannot reshape {rows} rows into time series of minibatch {mb}")
    return x.reshape(rows // mb, mb, size).permute(1, 2, 0)


def mask_to_rows(mask):
    """Mirrors TimeSeriesUtils.reshapeTimeSeriesMaskToVector: [mb, T] -> [mb*T, 1] (row t*mb + n)."""
    if mask is None or mask.dim() != 2:
        return mask
    return mask.t().reshape(-1, 1)


def rows_to_mask(mask, mb):
    """Inverse of :func:`mask_to_rows`: [mb*T, 1] -> [mb, T]."""
    if mask is None or mask.dim() != 2 or mask.shape[1] != 1:
        return mask
    return mask.reshape(-1, mb).t()


class Preprocessor:
    """Base: identity mask handling."""

    def __init__(self, conf):
        self.conf = conf
        self.dl4j_class = conf.dl4jClass

    def __call__(self, x, minibatch):
        return self.pre_process(x, minibatch)

    def feed_forward_mask(self, mask, minibatch):
        return mask

    def __repr__(self):
        return f"{type(self).__name__}()"


@PREPROCESSOR_CONVERTERS.register(CnnToFeedForwardPreProcessor)
class CnnToFeedForward(Preprocessor):
    """Mirrors CnnToFeedForwardPreProcessor: [mb, C, H, W] (or NHWC [mb, H, W, C]) -> [mb, C*H*W] ('c' order)."""

    def pre_process(self, x, mb):
        if x.dim() == 2:
            return x
        if x.dim() != 4:
            raise InvalidConfigurationError(f"CnnToFeedForwardPreProcessor: expected rank 4 input, got {list(x.shape)}")
        c = self.conf
        n_ch = int(c.numChannels or 0)
        ch_axis = 3 if enum_name(c.format) == "NHWC" else 1
        if n_ch and x.shape[ch_axis] != n_ch:
            raise InvalidConfigurationError(
                f"CnnToFeedForwardPreProcessor: expected {n_ch} channels on axis {ch_axis}, got shape {list(x.shape)}")
        return x.reshape(x.shape[0], -1)


@PREPROCESSOR_CONVERTERS.register(FeedForwardToCnnPreProcessor)
class FeedForwardToCnn(Preprocessor):
    """Mirrors FeedForwardToCnnPreProcessor: [mb, C*H*W] -> [mb, C, H, W] ('c' order)."""

    def pre_process(self, x, mb):
        c = self.conf
        shape = (int(c.numChannels), int(c.inputHeight), int(c.inputWidth))
        if x.dim() == 4:
            return x
        if x.dim() != 2 or x.shape[1] != shape[0] * shape[1] * shape[2]:
            raise InvalidConfigurationError(
                f"FeedForwardToCnnPreProcessor: expected [minibatch, {shape[0] * shape[1] * shape[2]}] (= channels*height*width"
                f" {shape}), got {list(x.shape)}")
        return x.reshape(x.shape[0], *shape)


@PREPROCESSOR_CONVERTERS.register(RnnToFeedForwardPreProcessor)
class RnnToFeedForward(Preprocessor):
    """Mirrors RnnToFeedForwardPreProcessor: [mb, size, T] (NWC: [mb, T, size]) -> [mb*T, size]."""

    def pre_process(self, x, mb):
        if x.dim() == 2:
            return x
        if x.dim() != 3:
            raise InvalidConfigurationError(f"RnnToFeedForwardPreProcessor: expected rank 3 input, got {list(x.shape)}")
        if enum_name(self.conf.rnnDataFormat) == "NWC":
            x = x.permute(0, 2, 1)
        return rnn_to_rows(x)

    def feed_forward_mask(self, mask, mb):
        return mask_to_rows(mask)


@PREPROCESSOR_CONVERTERS.register(FeedForwardToRnnPreProcessor)
class FeedForwardToRnn(Preprocessor):
    """Mirrors FeedForwardToRnnPreProcessor: [mb*T, size] -> [mb, size, T] (NWC: [mb, T, size])."""

    def pre_process(self, x, mb):
        if x.dim() == 3:
            return x
        out = rows_to_rnn(x, mb)
        return out.permute(0, 2, 1) if enum_name(self.conf.rnnDataFormat) == "NWC" else out

    def feed_forward_mask(self, mask, mb):
        return rows_to_mask(mask, mb)


@PREPROCESSOR_CONVERTERS.register(CnnToRnnPreProcessor)
class CnnToRnn(Preprocessor):
    """Mirrors CnnToRnnPreProcessor: [mb*T, C, H, W] -> [mb, C*H*W, T] (NWC: [mb, T, C*H*W])."""

    def pre_process(self, x, mb):
        if x.dim() != 4:
            raise InvalidConfigurationError(f"CnnToRnnPreProcessor: expected rank 4 input, got {list(x.shape)}")
        out = rows_to_rnn(x.reshape(x.shape[0], -1), mb)
        return out.permute(0, 2, 1) if enum_name(self.conf.rnnDataFormat) == "NWC" else out

    def feed_forward_mask(self, mask, mb):
        return rows_to_mask(mask, mb)


@PREPROCESSOR_CONVERTERS.register(RnnToCnnPreProcessor)
class RnnToCnn(Preprocessor):
    """Mirrors RnnToCnnPreProcessor: [mb, C*H*W, T] (NWC: [mb, T, C*H*W]) -> [mb*T, C, H, W]."""

    def pre_process(self, x, mb):
        c = self.conf
        if x.dim() != 3:
            raise InvalidConfigurationError(f"RnnToCnnPreProcessor: expected rank 3 input, got {list(x.shape)}")
        if enum_name(c.rnnDataFormat) == "NWC":
            x = x.permute(0, 2, 1)
        rows = rnn_to_rows(x)
        return rows.reshape(rows.shape[0], int(c.numChannels), int(c.inputHeight), int(c.inputWidth))

    def feed_forward_mask(self, mask, mb):
        return mask_to_rows(mask)


@PREPROCESSOR_CONVERTERS.register(Cnn3DToFeedForwardPreProcessor)
class Cnn3DToFeedForward(Preprocessor):
    """Mirrors Cnn3DToFeedForwardPreProcessor: [mb, C, D, H, W] (or NDHWC) -> [mb, C*D*H*W] ('c' order)."""

    def pre_process(self, x, mb):
        if x.dim() == 2:
            return x
        if x.dim() != 5:
            raise InvalidConfigurationError(f"Cnn3DToFeedForwardPreProcessor: expected rank 5 input, got {list(x.shape)}")
        return x.reshape(x.shape[0], -1)


@PREPROCESSOR_CONVERTERS.register(FeedForwardToCnn3DPreProcessor)
class FeedForwardToCnn3D(Preprocessor):
    """Mirrors FeedForwardToCnn3DPreProcessor: [mb, C*D*H*W] -> [mb, C, D, H, W] (or [mb, D, H, W, C])."""

    def pre_process(self, x, mb):
        c = self.conf
        if x.dim() == 5:
            return x
        d, h, w, ch = int(c.inputDepth), int(c.inputHeight), int(c.inputWidth), int(c.numChannels)
        shape = (ch, d, h, w) if c.ncdhw else (d, h, w, ch)
        return x.reshape(x.shape[0], *shape)


class Composable(Preprocessor):
    """Mirrors ComposableInputPreProcessor: each preprocessor in turn."""

    def __init__(self, conf, parts):
        super().__init__(conf)
        self.parts = parts

    def pre_process(self, x, mb):
        for p in self.parts:
            x = p(x, mb)
        return x

    def feed_forward_mask(self, mask, mb):
        for p in self.parts:
            mask = p.feed_forward_mask(mask, mb)
        return mask


@PREPROCESSOR_CONVERTERS.register(ReshapePreprocessor)
class Reshape(Preprocessor):
    """Mirrors org.deeplearning4j.preprocessors.ReshapePreprocessor: each example reshaped in 'c' order to
    targetShape (the array as it is: an NHWC activation reshapes in (h, w, c) order, as in DL4J)."""

    def pre_process(self, x, mb):
        c = self.conf
        shape = list(c.targetShape)
        if c.hasMiniBatchDimension:
            shape = shape[1:]
        if x[0].numel() != _prod(shape):
            raise InvalidConfigurationError(f"ReshapePreprocessor: input shape {list(x.shape)} and target shape "
                                            f"{[x.shape[0]] + shape} do not match")
        return x.reshape(x.shape[0], *shape)


@PREPROCESSOR_CONVERTERS.register(PermutePreprocessor)
class Permute(Preprocessor):
    """Mirrors org.deeplearning4j.preprocessors.PermutePreprocessor: the example axes permuted (minibatch first)."""

    def pre_process(self, x, mb):
        idx = [int(i) for i in self.conf.permutationIndices]
        if len(idx) + 1 == x.dim():
            idx = [0] + idx
        return x.permute(*idx)


@PREPROCESSOR_CONVERTERS.register(KerasFlattenRnnPreprocessor)
class KerasFlattenRnn(Preprocessor):
    """Mirrors org.deeplearning4j.preprocessors.KerasFlattenRnnPreprocessor: [mb, a, b] -> [mb, a*b] ('c' order)."""

    def pre_process(self, x, mb):
        c = self.conf
        return x.reshape(x.shape[0], int(c.depth) * int(c.tsLength))


def _prod(shape):
    out = 1
    for v in shape:
        out *= int(v)
    return out


@PREPROCESSOR_CONVERTERS.register(ComposableInputPreProcessor)
def _composable(conf, where=None):
    return Composable(conf, [convert_preprocessor(p, where) for p in conf.inputPreProcessors or ()])


def convert_preprocessor(conf, where=None):
    """The callable for a DL4J InputPreProcessor conf object (None -> None)."""
    if conf is None:
        return None
    return PREPROCESSOR_CONVERTERS.convert(conf, where=where)

