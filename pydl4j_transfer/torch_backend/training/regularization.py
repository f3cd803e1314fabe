"""ND4J's Regularization (``org.nd4j.linalg.learning.regularization``) as in-place tensor math.

``apply_regularization(reg, param, grad_view, lr, iteration, epoch)`` mirrors
``Regularization#apply(param, gradView, lr, iteration, epoch)``. Where it applies
(``Regularization#applyStep``, used by DL4J's UpdaterBlock):

* L1Regularization, L2Regularization: ``BEFORE_UPDATER`` — added to the *gradient*, which the
  updater (Adam, ...) then sees; so with Adam this is L2-through-the-moments, not decoupled.
* WeightDecay: ``POST_UPDATER`` — added to the *update* (the array the updater wrote), i.e.
  decoupled weight decay; multiplied by the learning rate when ``applyLR`` (AdamW style).

Weight params use the layer's ``regularization`` list, bias params ``regularizationBias``
(``BaseLayer#getRegularizationByParam``); frozen layers have none.
"""

from __future__ import annotations

import torch

from pydl4j_transfer.conf.layers.wrappers import FrozenLayerWithBackprop
from pydl4j_transfer.conf.values import regularization as R  # the configuration classes
from pydl4j_transfer.errors import InvalidConfigurationError

from .schedules import value_at

BEFORE_UPDATER, POST_UPDATER = "BEFORE_UPDATER", "POST_UPDATER"


def _l1(reg, param, grad, lr, it, ep):
    """Mirrors L1Regularization#apply: grad += l1 * sign(param)."""
    grad.add_(torch.sign(param), alpha=value_at(reg.l1, it, ep))


def _l2(reg, param, grad, lr, it, ep):
    """Mirrors L2Regularization#apply (Axpy): grad += l2 * param (no 1/2: the score term is l2/2 * ||w||²)."""
    grad.add_(param, alpha=value_at(reg.l2, it, ep))


def _weight_decay(reg, param, update, lr, it, ep):
    """Mirrors WeightDecay#apply (Axpy): update += coeff * param, times lr when applyLR."""
    coeff = value_at(reg.coeff, it, ep)
    update.add_(param, alpha=coeff * lr if reg.applyLR else coeff)


#: "@class" -> (apply function, ApplyStep)
REGULARIZATION_FNS = {
    R.L1Regularization.dl4jClass: (_l1, BEFORE_UPDATER),
    R.L2Regularization.dl4jClass: (_l2, BEFORE_UPDATER),
    R.WeightDecay.dl4jClass: (_weight_decay, POST_UPDATER),
}


def _entry(reg):
    try:
        return REGULARIZATION_FNS[reg.dl4jClass]
    except KeyError:
        raise InvalidConfigurationError(f"no torch regularization for {reg.dl4jClass!r}") from None


def apply_step(reg) -> str:
    """Mirrors Regularization#applyStep."""
    return _entry(reg)[1]


def apply_regularization(reg, param, grad_view, lr: float, iteration: int, epoch: int) -> None:
    """Mirrors Regularization#apply(param, gradView, lr, iteration, epoch): modifies ``grad_view`` in place."""
    _entry(reg)[0](reg, param, grad_view, float(lr), int(iteration), int(epoch))


def regularizations_for(layer, key) -> list:
    """Mirrors TrainingConfig#getRegularizationByParam: bias params -> regularizationBias, others -> regularization.

    Frozen wrappers (FrozenLayer, FrozenLayerWithBackprop) and BatchNormalization return none, as
    DL4J's do; other wrappers delegate to the wrapped layer. (DL4J's BaseLayer asks its
    ParamInitializer's isWeightParam/isBiasParam; here every non-bias param counts as a weight.)
    """
    if layer is None or _is_frozen(layer):
        return []
    inner = _unwrap(layer)
    if getattr(inner, "dl4jClass", None) in NO_REGULARIZATION:
        return []
    attr = "regularizationBias" if inner.isBiasParam(key) else "regularization"
    return list(getattr(inner, attr, None) or [])


def update_regularizations_for(layer, key) -> list:
    """The regularizations DL4J's UpdaterBlock applies to a param: as :func:`regularizations_for`, except
    that FrozenLayerWithBackprop delegates to the wrapped layer (checked against M2.1: its params move
    under L1/L2 even though its gradient is zero; its score contribution stays 0)."""
    if isinstance(layer, FrozenLayerWithBackprop):
        return regularizations_for(_unwrap(layer), key)
    return regularizations_for(layer, key)


def in_score(layer) -> bool:
    """Whether DL4J's calcRegularizationScore counts this layer's params: not for SameDiff layers and vertices
    (their runtime classes keep AbstractLayer's ``return 0.0`` / are not layers), although the updater still
    applies their regularization (conf attribute ``REGULARIZATION_IN_SCORE``)."""
    return getattr(_unwrap(layer), "REGULARIZATION_IN_SCORE", True)


#: layers whose getRegularizationByParam returns null for every param (M2.1 bytecode):
#: BatchNormalization ("don't regularize batch norm params", gamma and beta included).
NO_REGULARIZATION = frozenset({"org.deeplearning4j.nn.conf.layers.BatchNormalization"})

def _is_frozen(layer) -> bool:
    """FrozenLayer, FrozenLayerWithBackprop and a graph's FrozenVertex (conf.updater_layout.FrozenParams)."""
    return getattr(layer, "FROZEN_PARAMS", False)


def _unwrap(layer):
    """The innermost layer conf of wrappers (LastTimeStep, MaskZeroLayer, ...), for per-param settings."""
    seen = 0
    while hasattr(layer, "wrapped") and seen < 8:
        inner = layer.wrapped()
        if inner is None:
            break
        layer, seen = inner, seen + 1
    return layer
