"""DL4J's loss functions (``org.nd4j.linalg.lossfunctions.impl.Loss*``) on torch tensors.

``score_array(loss_conf, labels, pre_output, activation_fn, mask=None)`` mirrors
``ILossFunction#computeScoreArray`` (one score per example, ``[minibatch, 1]``) and
``compute_score(..., average=True)`` mirrors ``computeScore``. As in DL4J, a loss takes the
*pre-activation* output and the output layer's activation (``IActivation`` conf or a torch
callable), because some pairs have their own math (MCXENT/NLL + softmax: gradient
``softmax - labels``, probabilities clipped to ``[softmaxClipEps, 1 - softmaxClipEps]`` in the score).

Both are differentiable: the backward pass is DL4J's own ``computeGradient`` formula (not
autograd through the score), so ``d(sum of score_array)/d(pre_output)`` equals
``computeGradient(labels, preOutput, activationFn, mask)`` even where DL4J's gradient is not the
exact derivative of its score (clipping in MCXENT/BinaryXENT/KLD). ``grad_output`` scales each
example's gradient row. ``compute_gradient`` returns it directly.

Tables: :data:`LOSS_FNS` maps the loss "@class" to a :class:`LossDef` (element score array before
the per-example reduction, dL/dOutput, optional whole-gradient override, reduction divisor);
:data:`UNSUPPORTED_LOSSES` lists the ones not implemented, with the reason.
Masks: ``[minibatch, 1]`` (per example) or the labels' shape (per output), as ``LossUtil.applyMask``.
Weights: the conf's ``weights`` row vector multiplies the score and gradient columns.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Optional

import numpy as np
import torch

from pydl4j_transfer.conf.values import losses as L  # the configuration classes (L.LossMCXENT, ...)
from pydl4j_transfer.errors import InvalidConfigurationError

from ..base import to_device

_SOFTMAX = "org.nd4j.linalg.activations.impl.ActivationSoftmax"
_SIGMOID = "org.nd4j.linalg.activations.impl.ActivationSigmoid"


@dataclass(frozen=True)
class LossDef:
    """One loss: ``score(l, out, conf)`` -> element scores (summed per example, then / ``divisor``),
    ``dl_dout(l, out, conf)`` -> dL/dOutput; ``grad`` (optional) -> dL/dPreOutput directly."""

    score: Callable
    dl_dout: Optional[Callable]
    divisor: Callable = lambda l: 1  # noqa: E731  per-example score divisor (MSE, MAE...: nOut)
    grad: Optional[Callable] = None  # (l, out, pre, act, conf) -> dL/dpre or None to use dl_dout
    weighted: bool = True  # weights multiply the score columns
    array_divisor: Optional[Callable] = None  # computeScoreArray's divisor when it differs (LossMAE: 1)


def _act_name(act) -> str:
    return getattr(act, "dl4jClass", "") or ""


def _activation_fn(act):
    """A callable for a DL4J IActivation conf (via the torch backend's converter) or a callable."""
    if act is None:
        return lambda x: x
    if callable(act) and not hasattr(act, "dl4jClass"):
        return act
    from ..activations import activation_module

    return activation_module(act)


def _weights(conf, like):
    w = getattr(conf, "weights", None)
    if w is None:
        return None
    # through pinned memory without blocking (to_device): a plain host-to-GPU copy waits for the queued kernels
    return to_device(torch.as_tensor(np.asarray(w), dtype=like.dtype), like.device).reshape(1, -1)


def _apply_mask(arr, mask):
    """Mirrors LossUtil.applyMask: a [mb,1] (or [mb]) mask scales rows, a full-shape mask elements."""
    if mask is None:
        return arr
    m = mask.to(arr.dtype)
    if m.dim() == 1:
        m = m.reshape(-1, 1)
    return arr * m


def _backprop(act, pre, dl_dout):
    """Mirrors IActivation#backprop(preOut, epsilon).getFirst(): dL/dOut -> dL/dPre (vector-Jacobian product)."""
    fn = _activation_fn(act)
    with torch.enable_grad():
        p = pre.detach().requires_grad_(True)
        out = fn(p)
        (g,) = torch.autograd.grad(out, p, dl_dout)
    return g


# ---- the element scores and dL/dOut of each loss (DL4J's formulas; labels l, activation output o)

def _clip_softmax(conf, act):
    eps = float(getattr(conf, "softmaxClipEps", 0.0) or 0.0)
    if _act_name(act) == _SOFTMAX and eps > 0.0:
        return lambda o: o.clamp(eps, 1.0 - eps)
    return None


def _mcxent_grad(l, o, pre, act, conf, w):
    """LossMCXENT#computeGradient: softmax -> o - l (weights: o * sum(l*w) - l*w); otherwise -l/o backprop."""
    if _act_name(act) == _SOFTMAX:
        if w is not None:
            t = l * w
            return o * t.sum(1, keepdim=True) - t
        return o - l
    g = _backprop(act, pre, -(l / o))
    return g * w if w is not None else g


def _xent_clip(conf, act):
    eps = float(getattr(conf, "clipEps", 0.0) or 0.0)
    return (lambda o: o.clamp(eps, 1.0 - eps)) if eps > 0.0 else None


def _kld_clip(conf, act):
    return lambda o: o.clamp(1e-5, 1.0)


def _cosine_score(l, o, conf):
    ln = torch.linalg.vector_norm(l, dim=1, keepdim=True)
    on = torch.linalg.vector_norm(o, dim=1, keepdim=True)
    return -(l * o) / (ln * on)


def _cosine_dl(l, o, conf):
    ln = torch.linalg.vector_norm(l, dim=1, keepdim=True)
    on = torch.linalg.vector_norm(o, dim=1, keepdim=True)
    lo = (l * o).sum(1, keepdim=True)
    return -(l / (ln * on) - o * lo / (ln * on ** 3))


def _n_out(l):
    return l.shape[1]


LOSS_FNS = {
    L.LossL2.dl4jClass: LossDef(lambda l, o, c: (o - l) ** 2, lambda l, o, c: 2 * (o - l)),
    L.LossMSE.dl4jClass: LossDef(lambda l, o, c: (o - l) ** 2, lambda l, o, c: 2 * (o - l), divisor=_n_out),
    L.LossL1.dl4jClass: LossDef(lambda l, o, c: (o - l).abs(), lambda l, o, c: torch.sign(o - l)),
    L.LossMAE.dl4jClass: LossDef(lambda l, o, c: (o - l).abs(), lambda l, o, c: torch.sign(o - l), divisor=_n_out,
                            array_divisor=lambda l: 1),
    L.LossMAPE.dl4jClass: LossDef(lambda l, o, c: ((l - o) / l).abs() * (100.0 / l.shape[1]),
                             lambda l, o, c: torch.sign(o - l) / l.abs() * (100.0 / l.shape[1])),
    L.LossMSLE.dl4jClass: LossDef(lambda l, o, c: torch.log((o + 1) / (l + 1)) ** 2 / l.shape[1],
                             lambda l, o, c: 2.0 / l.shape[1] * torch.log((o + 1) / (l + 1)) / (o + 1)),
    L.LossPoisson.dl4jClass: LossDef(lambda l, o, c: o - l * torch.log(o), lambda l, o, c: 1 - l / o),
    L.LossKLD.dl4jClass: LossDef(lambda l, o, c: l.clamp(1e-5, 1.0) * torch.log(l.clamp(1e-5, 1.0) / o),
                            lambda l, o, c: -l.clamp(1e-5, 1.0) / o),
    L.LossCosineProximity.dl4jClass: LossDef(_cosine_score, _cosine_dl),
    L.LossHinge.dl4jClass: LossDef(lambda l, o, c: (1 - l * o).clamp_min(0),
                              lambda l, o, c: torch.where(1 - l * o > 0, -l, torch.zeros_like(l))),
    L.LossSquaredHinge.dl4jClass: LossDef(lambda l, o, c: (1 - l * o).clamp_min(0) ** 2,
                                     lambda l, o, c: -2 * (1 - l * o).clamp_min(0) * l),
    L.LossWasserstein.dl4jClass: LossDef(lambda l, o, c: l * o, lambda l, o, c: l, divisor=_n_out),
    L.LossBinaryXENT.dl4jClass: LossDef(lambda l, o, c: -(l * torch.log(o) + (1 - l) * torch.log(1 - o)),
                                   lambda l, o, c: (o - l) / (o * (1 - o))),
    L.LossMCXENT.dl4jClass: LossDef(lambda l, o, c: -(l * torch.log(o)), None, grad=_mcxent_grad),
    L.LossNegativeLogLikelihood.dl4jClass: LossDef(lambda l, o, c: -(l * torch.log(o)), None, grad=_mcxent_grad),
    L.LossSparseMCXENT.dl4jClass: LossDef(lambda l, o, c: -(l * torch.log(o)), None, grad=_mcxent_grad),
}

#: "@class" -> the function giving the clipped output used by the score (None: no clipping)
_CLIP = {L.LossMCXENT.dl4jClass: _clip_softmax, L.LossNegativeLogLikelihood.dl4jClass: _clip_softmax,
         L.LossSparseMCXENT.dl4jClass: _clip_softmax, L.LossBinaryXENT.dl4jClass: _xent_clip, L.LossKLD.dl4jClass: _kld_clip}

#: losses with a different clipping for the gradient than for the score
_GRAD_CLIP = {L.LossBinaryXENT.dl4jClass: _xent_clip, L.LossKLD.dl4jClass: _kld_clip}

UNSUPPORTED_LOSSES = {
    L.LossFMeasure.dl4jClass: "batch-level score (no per-example score array in DL4J); not implemented yet",
    L.LossMultiLabel.dl4jClass: "pairwise ranking loss; not implemented yet",
    L.LossMixtureDensity.dl4jClass: "mixture density network loss; not implemented yet",
}


def _lookup(conf) -> LossDef:
    key = conf.dl4jClass
    if key in UNSUPPORTED_LOSSES:
        raise InvalidConfigurationError(f"loss {key!r} is not supported by the torch backend: {UNSUPPORTED_LOSSES[key]}")
    try:
        return LOSS_FNS[key]
    except KeyError:
        raise InvalidConfigurationError(f"no torch loss for {key!r}") from None


def _sparse_to_one_hot(conf, labels, pre):
    """LossSparseMCXENT: labels [mb, 1] hold class indices -> one-hot [mb, nOut] (libnd4j's onehot op: an index
    outside [0, nOut) gives a row of zeros). By comparison with the class numbers, not F.one_hot, which reads the
    largest index back to the host to check it: a sync in every training step."""
    if conf.dl4jClass != L.LossSparseMCXENT.dl4jClass:
        return labels
    idx = labels.reshape(-1, 1).to(torch.long)
    return (idx == torch.arange(pre.shape[1], device=pre.device)).to(pre.dtype)


def _forward_scores(conf, labels, pre, act, mask, for_score=False, out=None):
    d = _lookup(conf)
    out = _activation_fn(act)(pre) if out is None else out
    clip = _CLIP.get(conf.dl4jClass)
    c = clip(conf, act) if clip else None
    o = c(out) if c else out
    s = d.score(labels, o, conf)
    w = _weights(conf, s)
    if w is not None and d.weighted:
        s = s * w
    s = _apply_mask(s, mask)
    # LossMAE (M2.1) divides by nOut in computeScore/computeGradient but not in computeScoreArray.
    div = d.divisor if (for_score or d.array_divisor is None) else d.array_divisor
    return s.sum(1, keepdim=True) / div(labels)


def compute_gradient(loss_conf, labels, pre_output, activation_fn, mask=None, out=None):
    """Mirrors ILossFunction#computeGradient: dL/dPreOutput of the (unaveraged) summed score.
    ``out``: ``activation_fn(pre_output)`` when the caller has it already."""
    d = _lookup(loss_conf)
    pre = pre_output.detach()
    labels = _sparse_to_one_hot(loss_conf, labels.detach().to(pre.dtype), pre)
    out = _activation_fn(activation_fn)(pre) if out is None else out
    w = _weights(loss_conf, pre)
    if d.grad is not None:
        g = d.grad(labels, out, pre, activation_fn, loss_conf, w)
    else:
        clip = _GRAD_CLIP.get(loss_conf.dl4jClass)
        c = clip(loss_conf, activation_fn) if clip else None
        o = c(out) if c else out
        dl = d.dl_dout(labels, o, loss_conf) / d.divisor(labels)
        if mask is not None and mask.shape == dl.shape:
            dl = dl * mask.to(dl.dtype)  # per-output mask before backprop (avoids NaN * 0)
        g = _backprop(activation_fn, pre, dl)
        if w is not None:
            g = g * w
    return _apply_mask(g, mask)


class _DL4JLoss(torch.autograd.Function):
    """Forward: DL4J's score array; backward: DL4J's computeGradient, row-scaled by grad_output."""

    @staticmethod
    def forward(ctx, pre, labels, mask, conf, act, for_score):
        ctx.save_for_backward(pre, labels, mask if mask is not None else torch.empty(0))
        ctx.conf, ctx.act, ctx.has_mask = conf, act, mask is not None
        return _forward_scores(conf, _sparse_to_one_hot(conf, labels.to(pre.dtype), pre), pre, act, mask, for_score)

    @staticmethod
    def backward(ctx, grad_out):
        pre, labels, mask = ctx.saved_tensors
        g = compute_gradient(ctx.conf, labels, pre, ctx.act, mask if ctx.has_mask else None)
        return g * grad_out, None, None, None, None, None


def score_array(loss_conf, labels, pre_output, activation_fn, mask=None):
    """Mirrors ILossFunction#computeScoreArray: per-example scores ``[minibatch, 1]`` (differentiable)."""
    return _DL4JLoss.apply(pre_output, labels, mask, loss_conf, activation_fn, False)


def compute_score(loss_conf, labels, pre_output, activation_fn, mask=None, average=True):
    """Mirrors ILossFunction#computeScore: the summed score, divided by the minibatch size when ``average``."""
    s = _DL4JLoss.apply(pre_output, labels, mask, loss_conf, activation_fn, True).sum()
    return s / pre_output.shape[0] if average else s


def score_and_gradient(loss_conf, labels, pre_output, activation_fn, mask=None):
    """Mirrors what BaseOutputLayer#computeGradientAndScore asks of its ILossFunction: ``computeScore``
    (summed, not averaged) and ``computeGradient`` (dL/dPreOutput), outside autograd and from one evaluation
    of the activation. The training step hands the gradient to ``torch.autograd.backward(preOutput, grad)``:
    the same numbers as backpropagating :func:`compute_score`, without a Python autograd Function per step."""
    with torch.no_grad():
        pre = pre_output.detach()
        lab = _sparse_to_one_hot(loss_conf, labels.detach().to(pre.dtype), pre)
        out = _activation_fn(activation_fn)(pre)
        score = _forward_scores(loss_conf, lab, pre, activation_fn, mask, True, out=out).sum()
        grad = compute_gradient(loss_conf, labels, pre, activation_fn, mask, out=out)  # one-hot again if sparse
    return score, grad
