"""DL4J's GradientNormalization, applied per layer before the updater.

Mirrors ``BaseMultiLayerUpdater#preApply(layer, gradient, iteration)`` (deeplearning4j-nn M2.1),
which runs once per layer *after* the minibatch division and before any UpdaterBlock. "Per layer"
is the layer's whole gradient view (all its params, BatchNorm running-stat "gradients"
included); "per param type" is each param's gradient separately. Norms are L2 norms over the
flattened arrays. All in place, on-device: thresholds are applied with ``torch.where`` instead of
a host-side ``if`` so that no value is synced to the host.
"""

from __future__ import annotations

import torch

from pydl4j_transfer.conf.base import enum_name
from pydl4j_transfer.errors import InvalidConfigurationError


def _renorm(g, threshold):
    """RenormalizeL2PerLayer/PerParamType: g /= ||g||₂ (a zero norm is replaced by 1e-5)."""
    n = torch.linalg.vector_norm(g)
    g.div_(torch.where(n == 0, torch.full_like(n, 1e-5), n))


def _clip_value(g, threshold):
    """ClipElementWiseAbsoluteValue: clamp to [-threshold, threshold] (libnd4j clipbyvalue)."""
    g.clamp_(-threshold, threshold)


def _clip_l2_layer(g, threshold):
    """ClipL2PerLayer: if ||g||₂ > threshold, g *= threshold / ||g||₂."""
    n = torch.linalg.vector_norm(g)
    g.mul_(torch.where(n > threshold, threshold / n, torch.ones_like(n)))


def _clip_l2_param(g, threshold):
    """ClipL2PerParamType: if ||g||₂ > threshold, g /= (||g||₂ / threshold)."""
    n = torch.linalg.vector_norm(g)
    g.div_(torch.where(n > threshold, n / threshold, torch.ones_like(n)))


#: GradientNormalization name -> (function, applied to the whole layer (True) or per param (False))
GRADNORM_FNS = {
    "None": (None, True),
    "RenormalizeL2PerLayer": (_renorm, True),
    "RenormalizeL2PerParamType": (_renorm, False),
    "ClipElementWiseAbsoluteValue": (_clip_value, True),
    "ClipL2PerLayer": (_clip_l2_layer, True),
    "ClipL2PerParamType": (_clip_l2_param, False),
}


def _name(mode) -> str:
    return enum_name(mode) or "None"


def normalize_layer_gradient(mode, threshold, layer_grad: torch.Tensor, param_grads) -> None:
    """Mirrors BaseMultiLayerUpdater#preApply for one layer.

    ``layer_grad``: the layer's contiguous gradient view; ``param_grads``: its per-param views
    (both alias the same memory, modified in place).
    """
    try:
        fn, whole = GRADNORM_FNS[_name(mode)]
    except KeyError:
        raise InvalidConfigurationError(f"unknown GradientNormalization {mode!r}") from None
    if fn is None or layer_grad.numel() == 0:
        return
    t = float(threshold) if threshold is not None else 0.0
    if whole:
        fn(layer_grad, t)
    else:
        for g in param_grads:
            fn(g, t)
