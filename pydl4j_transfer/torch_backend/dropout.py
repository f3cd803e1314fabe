"""DL4J's IDropout variants (``org.deeplearning4j.nn.conf.dropout``) as torch modules.

DL4J applies a layer's dropout to the layer's INPUT, in training mode only
(``AbstractLayer#applyDropOutIfNecessary``); inference is the identity for every variant.

Convention flip: DL4J's dropout ``p`` is the probability of RETAINING an activation; torch's
``p`` is the probability of dropping it. So DL4J ``Dropout(0.8)`` is torch ``dropout(p=0.2)``
(both inverted: kept values are scaled by 1/retain).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from pydl4j_transfer.conf.values import dropout as D  # the configuration classes (D.Dropout, ...)
from pydl4j_transfer.errors import UnsupportedLayerError

from .registry import DROPOUT_CONVERTERS



def convert_dropout(conf, ctx=None) -> nn.Module:
    return DROPOUT_CONVERTERS.convert(conf, where=getattr(ctx, "name", None))


class _BaseDropout(nn.Module):
    def __init__(self, value, schedule, what):
        super().__init__()
        self.value = None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)
        self.schedule = schedule
        self.what = what

    def current(self):
        if self.value is None:
            raise UnsupportedLayerError(self.what, what="dropout",
                                        hint="a scheduled dropout value needs the training loop's iteration count;"
                                             " the forward-only torch backend supports fixed values")
        return self.value

    def forward(self, x):
        if not self.training:
            return x
        return self.apply(x)

    def extra_repr(self):
        return f"value={self.value}"


class Dropout(_BaseDropout):
    """Mirrors Dropout(p): keep with probability p (RETAIN probability), scale kept values by 1/p."""

    def apply(self, x):
        retain = self.current()
        return F.dropout(x, p=1.0 - retain, training=True)  # torch p = DROP probability = 1 - DL4J p


class AlphaDropout(_BaseDropout):
    """Mirrors AlphaDropout(p) (p = retain probability; SELU constants alpha, lambda from the conf)."""

    def __init__(self, value, schedule, what, alpha, lam):
        super().__init__(value, schedule, what)
        self.alpha_prime = -lam * alpha

    def apply(self, x):
        p = self.current()
        a = 1.0 / math.sqrt(p + self.alpha_prime ** 2 * p * (1 - p))
        b = -a * (1 - p) * self.alpha_prime
        keep = torch.bernoulli(torch.full_like(x, p))
        return a * (x * keep + self.alpha_prime * (1 - keep)) + b


class GaussianDropout(_BaseDropout):
    """Mirrors GaussianDropout(rate): multiply by N(1, sqrt(rate / (1 - rate)))."""

    def apply(self, x):
        rate = self.current()
        std = math.sqrt(rate / (1.0 - rate))
        return x * (1.0 + torch.randn_like(x) * std)


class GaussianNoise(_BaseDropout):
    """Mirrors GaussianNoise(stddev): add N(0, stddev)."""

    def apply(self, x):
        return x + torch.randn_like(x) * self.current()


class SpatialDropout(_BaseDropout):
    """Mirrors SpatialDropout(p): drop whole channels (axis 1) of 3-D/4-D/5-D input; p = retain probability."""

    def apply(self, x):
        p = self.current()
        if x.dim() < 3:
            raise ValueError(f"SpatialDropout needs 3-D, 4-D or 5-D input, got shape {list(x.shape)}")
        keep = torch.bernoulli(torch.full(x.shape[:2] + (1,) * (x.dim() - 2), p, dtype=x.dtype, device=x.device))
        return x * keep / p


@DROPOUT_CONVERTERS.register(D.Dropout)
def _dropout(conf):
    return Dropout(conf.p, conf.pSchedule, conf.dl4jClass)


@DROPOUT_CONVERTERS.register(D.AlphaDropout)
def _alpha(conf):
    return AlphaDropout(conf.p, conf.pSchedule, conf.dl4jClass, conf.alpha, conf.lambda_)


@DROPOUT_CONVERTERS.register(D.GaussianDropout)
def _gaussian_dropout(conf):
    return GaussianDropout(conf.rate, conf.rateSchedule, conf.dl4jClass)


@DROPOUT_CONVERTERS.register(D.GaussianNoise)
def _gaussian_noise(conf):
    return GaussianNoise(conf.stddev, conf.stddevSchedule, conf.dl4jClass)


@DROPOUT_CONVERTERS.register(D.SpatialDropout)
def _spatial(conf):
    return SpatialDropout(conf.p, conf.pSchedule, conf.dl4jClass)
