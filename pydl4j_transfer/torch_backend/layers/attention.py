"""Attention layers (SelfAttentionLayer, LearnedSelfAttentionLayer, RecurrentAttentionLayer) and AttentionVertex.

Mirrors the SameDiff graphs of DL4J 1.0.0-M2.1's ``defineLayer``/``defineVertex`` and libnd4j's
``dot_product_attention`` / ``multi_head_dot_product_attention`` ops, step by step:

* dot_product_attention(q [mb, (H,) F, Q], k [mb, (H,) F, T], v [mb, (H,) Fv, T], mask [mb, T]):
  ``w = kᵀ·q`` ([mb, (H,) T, Q]); scaled: ``w /= sqrt(F)`` (F = the KEYS' feature size);
  masked: ``w += (mask - 1) * 1e9`` (a large finite negative, not -inf: a fully masked example
  attends uniformly-ish in float32, as DL4J's does); ``softmax`` over T (axis -2); ``out = v·w``.
* multi_head_dot_product_attention: ``project(x, W)[b, h, p, t] = Σ_f W[h, p, f] x[b, f, t]`` for
  q/k/v with Wq/Wk/Wv [H, P, F]; attention per head; heads concatenated as ``[mb·Q, H·P]``
  (head-major: index h·P + p), times Wo [H·P, nOut]; output [mb, nOut, Q].

Convention flips: everything is NCW ([minibatch, features, time]), DL4J's layout, as the SameDiff
graph sees it; parameters are 'c'-order and so stored with DL4J's own shapes (``p("Wq")`` IS DL4J's
``[nHeads, headSize, nIn]`` array). torch's ``scaled_dot_product_attention`` is NLC/[mb, H, L, E]
and masks with -inf, so it is not used (bench/attention.py compares the speed).

DL4J's SameDiff runtime applies no input dropout and no weight noise, so neither do these modules; for its
gradient (doubled in M2.1) see ``layers/samediff.py``.
"""

from __future__ import annotations

import math

import torch

from pydl4j_transfer.conf import Activation, AttentionVertex, LearnedSelfAttentionLayer, RecurrentAttentionLayer, SelfAttentionLayer
from pydl4j_transfer.errors import InvalidConfigurationError

from ..activations import activation_module
from ..registry import LAYER_CONVERTERS, VERTEX_CONVERTERS
from ..vertices import VertexModule
from .samediff import SameDiffModule, samediff_output

def dot_product_attention(q, k, v, mask=None, scaled=True):
    """Mirrors libnd4j dot_product_attention (rank 3 or 4 inputs; ``mask`` [mb, T] of 1/0)."""
    w = torch.matmul(k.transpose(-1, -2), q)  # [mb, (H,) T, Q]
    if scaled:
        w = w / math.sqrt(k.shape[-2])
    if mask is not None:
        m = mask.to(w.dtype)
        m = m.reshape(m.shape[0], 1, m.shape[1], 1) if w.dim() == 4 else m.reshape(m.shape[0], m.shape[1], 1)
        w = w + (m - 1) * 1e9  # libnd4j: "1e9 to mean effectively infinity"
    w = torch.softmax(w, dim=-2)
    return torch.matmul(v, w)  # [mb, (H,) Fv, Q]


def multi_head_project(x, w):
    """Mirrors AttentionHelper::multiHeadProject: x [mb, F, T], W [H, P, F] -> [mb, H, P, T]."""
    return torch.einsum("hpf,bft->bhpt", w, x)


def multi_head_attention(q, k, v, wq, wk, wv, wo, mask=None, scaled=True):
    """Mirrors libnd4j multi_head_dot_product_attention: [mb, nOut, Q]."""
    att = dot_product_attention(multi_head_project(q, wq), multi_head_project(k, wk), multi_head_project(v, wv),
                                mask, scaled)  # [mb, H, P, Q]
    mb, h, p, n_q = att.shape
    heads = att.permute(0, 3, 1, 2).reshape(mb * n_q, h * p)  # [mb*Q, H*P], head-major
    return torch.matmul(heads, wo).reshape(mb, n_q, wo.shape[1]).permute(0, 2, 1)


def _bad_mask(module, mask, mb, t):
    if mask.dim() != 2 or mask.shape[0] != mb or mask.shape[1] != t:
        raise InvalidConfigurationError(
            f"{module._what()}: expected a features mask of shape [{mb}, {t}] ([minibatch, time steps]), got"
            f" {list(mask.shape)}")


class _AttentionModule(SameDiffModule):
    """Shared: input checks (rank 3, nIn features), no dropout, the projection or plain attention."""

    def __init__(self, conf, ctx):
        super().__init__(conf, ctx)
        self.dl4j_class = conf.dl4jClass
        self.n_in, self.n_out = int(conf.nIn), int(conf.nOut)
        self.project = bool(conf.projectInput)

    def _what(self):
        return f"layer {self.layer_name!r} ({self.dl4j_class.rsplit('.', 1)[-1]})"

    def check_input(self, x, mask):
        if x.dim() != 3 or x.shape[1] != self.n_in:
            raise self.bad_input(x, f"rank 3 [minibatch, {self.n_in}, T] (nIn = {self.n_in}; NCW)")
        if mask is not None:
            _bad_mask(self, mask, x.shape[0], x.shape[2])
        for key, axis in self.INPUT_AXES:
            if self.project or key not in ("Wq", "Wk", "Wv", "Wo"):
                if self.has_p(key) and self.p(key).shape[axis] != x.shape[1]:
                    raise InvalidConfigurationError(
                        f"{self._what()}: its parameter {key} {list(self.p(key).shape)} was defined for"
                        f" {self.p(key).shape[axis]} input features but nIn is {self.n_in}: DL4J keeps a SameDiff"
                        " layer's parameter shapes (layerParams) as first defined, so changing nIn afterwards (e.g."
                        " TransferLearning's nOutReplace on the layer before it) leaves them apart; rebuild this layer"
                        " with the new nIn (removeLayersFromOutput/addLayer) instead")

    #: (param, axis) that must equal the input's feature size
    INPUT_AXES = (("Wk", 2), ("Wv", 2))

    def attend(self, q, kv, mask):
        if self.project:
            return multi_head_attention(q, kv, kv, self.p("Wq"), self.p("Wk"), self.p("Wv"), self.p("Wo"), mask, True)
        return dot_product_attention(q, kv, kv, mask, True)


@LAYER_CONVERTERS.register(SelfAttentionLayer)
class SelfAttentionModule(_AttentionModule):
    """Mirrors SelfAttentionLayer#defineLayer: (multi-head) attention of the input over itself, scaled; the mask
    passes on unchanged (SameDiffLayer#feedForwardMaskArray)."""

    def compute(self, x, mask=None):
        self.check_input(x, mask)
        return self.attend(x, x, mask)


@LAYER_CONVERTERS.register(LearnedSelfAttentionLayer)
class LearnedSelfAttentionModule(_AttentionModule):
    """Mirrors LearnedSelfAttentionLayer#defineLayer: the learned queries Q [1, nIn, nQueries], tiled over the
    minibatch, attend over the input (scaled); no mask after it (feedForwardMaskArray returns null).

    Note: real DL4J 1.0.0-M2.1 cannot run this layer (its tile-count ``scatterUpdate`` fails in libnd4j:
    "scatter_update: Number of Integer arguments should be positive number"); this is the math its
    defineLayer describes, checked against DL4J's own attention ops (docs/deviations.md)."""

    def compute(self, x, mask=None):
        self.check_input(x, mask)
        q = self.p("Q")
        return self.attend(q.expand(x.shape[0], q.shape[1], q.shape[2]), x, mask)

    def feed_forward_mask(self, mask, x=None):
        return None


#: Activation.asSameDiff of DL4J M2.1 (RecurrentAttentionLayer's activation): name -> the IActivation that computes
#: the same function. LEAKYRELU is ``sd.nn().leakyRelu(x, 0.0)``, i.e. ReLU; the rest throw in DL4J.
_SAMEDIFF_ACTIVATION = {"CUBE": "CUBE", "ELU": "ELU", "HARDTANH": "HARDTANH", "IDENTITY": "IDENTITY",
                        "LEAKYRELU": "RELU", "RELU": "RELU", "SIGMOID": "SIGMOID", "SOFTMAX": "SOFTMAX",
                        "SOFTPLUS": "SOFTPLUS", "SOFTSIGN": "SOFTSIGN", "TANH": "TANH", "GELU": "GELU"}


@LAYER_CONVERTERS.register(RecurrentAttentionLayer)
class RecurrentAttentionModule(_AttentionModule):
    """Mirrors RecurrentAttentionLayer#defineLayer, unrolled over time:
    ``a_0 = act(x_0·W + b)``, ``a_t = act(x_t·W + b + attention(a_{t-1}, x, x)·RW)``, output [mb, nOut, T].

    The attention's query is the previous output (one query); keys and values are the whole input, masked by
    the features mask. DL4J builds the unrolled graph once, for the first input's T: a later input with another
    length fails ("This layer only supports fixed length mini-batches"), so here too (the first length is also
    written to the configuration's ``timeSteps``, as DL4J's defineLayer does)."""

    def __init__(self, conf, ctx):
        super().__init__(conf, ctx)
        name = getattr(conf.activation, "name", conf.activation)
        self.activation_name = name
        self.act = None
        if name in _SAMEDIFF_ACTIVATION:
            self.act = activation_module(Activation[_SAMEDIFF_ACTIVATION[name]].getActivationFunction(), ctx)
        self.has_bias = bool(conf.hasBias)
        self.time_steps = None

    def compute(self, x, mask=None):
        self.check_input(x, mask)
        if self.act is None:  # DL4J throws on the first forward (defineLayer), not when the network is built
            raise InvalidConfigurationError(
                f"{self._what()}: Activation function not yet supported: {self.activation_name} (DL4J's"
                f" Activation.asSameDiff supports {', '.join(_SAMEDIFF_ACTIVATION)})")
        t_len = int(x.shape[2])
        if self.time_steps is None:
            self.time_steps = t_len
            self.dl4j_conf.timeSteps = t_len
        elif t_len != self.time_steps:
            raise InvalidConfigurationError(
                f"{self._what()}: This layer only supports fixed length mini-batches. Expected {self.time_steps} time"
                f" steps but got {t_len}.")
        w, rw = self.p("W"), self.p("RW")
        b = self.p("b") if self.has_bias else None
        outs, prev = [], None
        for i in range(t_len):
            o = torch.matmul(x[:, :, i], w)
            if b is not None:
                o = o + b
            if prev is not None:
                attn = self.attend(prev, x, mask).squeeze(2)  # [mb, nOut]
                o = o + torch.matmul(attn, rw)
            o = self.act(o)
            prev = o.unsqueeze(2)
            outs.append(prev)
        return torch.cat(outs, dim=2)

    INPUT_AXES = (("W", 0), ("Wk", 2), ("Wv", 2))


@VERTEX_CONVERTERS.register(AttentionVertex)
class AttentionVertexModule(VertexModule):
    """Mirrors AttentionVertex#defineVertex: inputs (queries, keys, values), keys/values masked by
    min(keys mask, values mask), the result multiplied by the queries mask; the queries' mask passes on
    (AttentionVertex#feedForwardMaskArrays)."""

    N_INPUTS = 3

    def __init__(self, conf, ctx):
        super().__init__(conf, ctx)
        object.__setattr__(self, "_store", self)  # params live on the top module (a FrozenVertex's, when wrapped)
        self.project = bool(conf.projectInput)
        self.sizes = (int(conf.nInQueries), int(conf.nInKeys), int(conf.nInValues))

    def p(self, key):
        return self._store._parameters[key]

    def forward(self, xs, masks=None, state=None):
        return samediff_output(super().forward(xs, masks, state))

    def compute(self, xs, masks, state):
        for x, n, what in zip(xs, self.sizes, ("queries", "keys", "values")):
            if x.dim() != 3 or (self.project and x.shape[1] != n):
                raise self.bad(f"expected {what} of shape [minibatch, {n}, T], got {list(x.shape)}")
        q, k, v = xs
        mq, mk, mv = masks
        if k.shape[2] != v.shape[2]:
            raise self.bad(f"keys and values must have the same time steps, got {list(k.shape)} and {list(v.shape)}")
        for m, x in zip(masks, xs):
            if m is not None and (m.dim() != 2 or tuple(m.shape) != (x.shape[0], x.shape[2])):
                raise self.bad(f"expected masks of shape [minibatch, T], got {list(m.shape)} for input {list(x.shape)}")
        mask = mk if mv is None else (mv if mk is None else torch.minimum(mk, mv))
        if self.project:
            out = multi_head_attention(q, k, v, self.p("Wq"), self.p("Wk"), self.p("Wv"), self.p("Wo"), mask, True)
        else:
            out = dot_product_attention(q, k, v, mask, True)
        if mq is not None:
            out = out * mq.to(out.dtype).unsqueeze(1)
        return out

    def feed_forward_masks(self, masks, xs=None, state=None):
        return masks[0] if masks else None


