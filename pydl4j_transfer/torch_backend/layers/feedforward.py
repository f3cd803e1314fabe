"""Feed-forward layers: DenseLayer, EmbeddingLayer, EmbeddingSequenceLayer, ActivationLayer,
DropoutLayer, PReLULayer, ElementWiseMultiplicationLayer, AutoEncoder.

Mirrors ``org.deeplearning4j.nn.layers.feedforward.*`` and ``BaseLayer#preOutput``:
``z = x·W (+ LayerNorm) + b; out = activation(z)``, masked rows zeroed.

Convention flip: DL4J's dense ``W`` is ``[nIn, nOut]`` in 'f' order = the bytes of torch's
``[nOut, nIn]`` Linear weight, so ``x·W`` is ``F.linear(x, W_torch)``.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from pydl4j_transfer.conf import (ActivationLayer, AutoEncoder, DenseLayer, DropoutLayer, ElementWiseMultiplicationLayer, EmbeddingLayer,
                                    EmbeddingSequenceLayer, PReLULayer)
from pydl4j_transfer.errors import InvalidConfigurationError

from ..activations import activate_fresh, activation_module
from ..base import LayerModule, act_on_axis, apply_mask_rows, time_mask
from ..params import dl4j_view
from ..registry import LAYER_CONVERTERS



def dl4j_layer_norm(z, gain):
    """Mirrors libnd4j ``layer_norm`` over axis 1 (as BaseLayer calls it): ND4J ``standardize``
    ((z - mean) / (biased std + 1e-12)) times the gain; the bias is added afterwards by the layer."""
    mean = z.mean(dim=1, keepdim=True)
    std = z.var(dim=1, unbiased=False, keepdim=True).sqrt()
    return (z - mean) / (std + 1e-12) * gain


class DenseModule(LayerModule):
    """Mirrors org.deeplearning4j.nn.layers.feedforward.dense.DenseLayer (and OutputLayer,
    CenterLossOutputLayer, AutoEncoder's encoder): act(x·W [LN·g] + b)."""

    def __init__(self, conf, ctx, layer_norm=False):
        super().__init__(conf, ctx)
        self.n_in, self.n_out = int(conf.nIn), int(conf.nOut)
        self.has_bias = getattr(conf, "hasBias", True) is not False
        self.layer_norm = bool(layer_norm)
        self.act = activation_module(conf.activationFn, ctx)

    def pre_output(self, x, mask=None):
        """Mirrors BaseLayer#preOutput: x·W, layer norm, + b, mask."""
        if x.dim() != 2 or x.shape[1] != self.n_in:
            raise self.bad_input(x, f"[minibatch, {self.n_in}] (rank 2, nIn = {self.n_in})")
        if not self.layer_norm:  # the bias joins the matrix product (addmm: one kernel, no extra pass)
            return apply_mask_rows(F.linear(x, self.p("W"), self.p("b").reshape(-1) if self.has_bias else None), mask)
        z = dl4j_layer_norm(F.linear(x, self.p("W")), self.p("g"))
        if self.has_bias:
            z = z + self.p("b")
        return apply_mask_rows(z, mask)

    def compute(self, x, mask=None):
        return apply_mask_rows(activate_fresh(self.act, self.pre_output(x, mask)), mask)


@LAYER_CONVERTERS.register(DenseLayer)
def _dense(conf, ctx):
    return DenseModule(conf, ctx, layer_norm=bool(conf.hasLayerNorm))


@LAYER_CONVERTERS.register(AutoEncoder)
def _autoencoder(conf, ctx):
    """AutoEncoder in a network = its encoder, act(x·W + b) (``vb`` and corruption are pretraining-only)."""
    return DenseModule(conf, ctx)


class EmbeddingModule(LayerModule):
    """Mirrors org.deeplearning4j.nn.layers.feedforward.embedding.EmbeddingLayer: row ``idx`` of
    W [nIn, nOut] (+ b), then the activation. Input: [minibatch, 1] (or [minibatch]) class indices."""

    def __init__(self, conf, ctx):
        super().__init__(conf, ctx)
        self.n_in, self.n_out = int(conf.nIn), int(conf.nOut)
        self.has_bias = bool(conf.hasBias)
        self.act = activation_module(conf.activationFn, ctx)

    def indices(self, x):
        idx = x.to(torch.int64) if x.is_floating_point() else x.long()
        if (idx < 0).any() or (idx >= self.n_in).any():
            raise InvalidConfigurationError(
                f"layer {self.layer_name!r}: embedding indices must be in [0, {self.n_in}), got values in"
                f" [{int(idx.min())}, {int(idx.max())}]")
        return idx

    def lookup(self, idx):
        # DL4J W [nIn, nOut] 'f' is stored as torch [nOut, nIn]: the vector of index i is column i
        rows = F.embedding(idx, self.p("W").t())
        return rows + self.p("b") if self.has_bias else rows

    def compute(self, x, mask=None):
        if x.dim() == 1:
            x = x.reshape(-1, 1)
        if x.dim() != 2 or x.shape[1] != 1:
            raise self.bad_input(x, "[minibatch, 1] of class indices")
        out = self.act(self.lookup(self.indices(x[:, 0])))
        return apply_mask_rows(out, mask)


@LAYER_CONVERTERS.register(EmbeddingLayer)
def _embedding(conf, ctx):
    return EmbeddingModule(conf, ctx)


class EmbeddingSequenceModule(EmbeddingModule):
    """Mirrors org.deeplearning4j.nn.layers.feedforward.embedding.EmbeddingSequenceLayer: input
    [minibatch, T] or [minibatch, 1, T] indices -> [minibatch, nOut, T] (NCW) or [minibatch, T, nOut] (NWC)."""

    def __init__(self, conf, ctx):
        super().__init__(conf, ctx)
        self.nwc = getattr(conf.outputFormat, "name", conf.outputFormat) == "NWC"

    def compute(self, x, mask=None):
        if x.dim() == 3 and x.shape[1] == 1:
            x = x[:, 0, :]
        elif x.dim() == 3 and x.shape[2] == 1:
            x = x[:, :, 0]
        if x.dim() != 2:
            raise self.bad_input(x, "[minibatch, T] or [minibatch, 1, T] of indices")
        out = act_on_axis(self.act, self.lookup(self.indices(x)), -1)  # [mb, T, nOut]
        out = time_mask(mask, out, 1)
        return out if self.nwc else out.permute(0, 2, 1)


@LAYER_CONVERTERS.register(EmbeddingSequenceLayer)
def _embedding_seq(conf, ctx):
    return EmbeddingSequenceModule(conf, ctx)


class ActivationModule(LayerModule):
    """Mirrors org.deeplearning4j.nn.layers.ActivationLayer: the activation on the input as it is
    (any rank; softmax along the last axis, as ND4J applies it)."""

    def __init__(self, conf, ctx):
        super().__init__(conf, ctx)
        self.act = activation_module(conf.activationFn, ctx)

    def compute(self, x, mask=None):
        return self.act(x)


@LAYER_CONVERTERS.register(ActivationLayer)
def _activation_layer(conf, ctx):
    return ActivationModule(conf, ctx)


class DropoutModule(LayerModule):
    """Mirrors org.deeplearning4j.nn.layers.DropoutLayer: identity in inference; in training the
    layer's dropout (applied to the input by LayerModule#forward) is all it does."""

    def compute(self, x, mask=None):
        return x


@LAYER_CONVERTERS.register(DropoutLayer)
def _dropout_layer(conf, ctx):
    return DropoutModule(conf, ctx)


class PReLUModule(LayerModule):
    """Mirrors org.deeplearning4j.nn.layers.feedforward.PReLU: x >= 0 ? x : alpha·x, alpha = W
    (shape inputShape with the shared axes set to 1, broadcast over the minibatch)."""

    def __init__(self, conf, ctx):
        super().__init__(conf, ctx)
        self.input_shape = [int(s) for s in (conf.inputShape or [])]

    def compute(self, x, mask=None):
        alpha = dl4j_view(self.p("W"), "f")  # stored reversed ('f' order): permute back to the DL4J shape
        if x.dim() != alpha.dim() + 1 or any(a not in (1, s) for a, s in zip(alpha.shape, x.shape[1:])):
            raise self.bad_input(x, f"[minibatch, {', '.join(map(str, self.input_shape))}] (alpha shape {list(alpha.shape)})")
        return torch.where(x >= 0, x, x * alpha.unsqueeze(0))


@LAYER_CONVERTERS.register(PReLULayer)
def _prelu(conf, ctx):
    return PReLUModule(conf, ctx)


class ElementWiseMultiplicationModule(LayerModule):
    """Mirrors org.deeplearning4j.nn.layers.feedforward.elementwise.ElementWiseMultiplicationLayer:
    act(x ⊙ W + b)."""

    def __init__(self, conf, ctx):
        super().__init__(conf, ctx)
        self.n_in = int(conf.nIn)
        self.act = activation_module(conf.activationFn, ctx)

    def compute(self, x, mask=None):
        if x.dim() != 2 or x.shape[1] != self.n_in:
            raise self.bad_input(x, f"[minibatch, {self.n_in}]")
        return apply_mask_rows(self.act(x * self.p("W") + self.p("b")), mask)


@LAYER_CONVERTERS.register(ElementWiseMultiplicationLayer)
def _elementwise_mult(conf, ctx):
    return ElementWiseMultiplicationModule(conf, ctx)
