"""DL4J's IWeightNoise (``org.deeplearning4j.nn.conf.weightnoise``): noise on the PARAMETERS, training only.

Mirrors ``BaseLayer#getParamWithNoise``: in training mode a layer's weights (and, if asked, biases) are
replaced for the forward pass by a noisy copy; in inference they are used as they are.

* DropConnect(weightRetainProb[, applyToBiases]): inverted dropout on the weights; as for dropout,
  DL4J's value is the RETAIN probability (torch's dropout p = 1 - it).
* WeightNoise(distribution, applyToBias, additive): param + noise (additive) or param * noise, the
  noise drawn from the configured distribution with the parameter's shape.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from pydl4j_transfer.conf import (DropConnect as DropConnectConf, WeightNoise as WeightNoiseConf)
from pydl4j_transfer.errors import UnsupportedLayerError

from .registry import WEIGHT_NOISE_CONVERTERS

_W = "org.deeplearning4j.nn.conf.weightnoise."


def sample(dist, like: torch.Tensor) -> torch.Tensor:
    """A sample of DL4J distribution ``dist`` with the shape/dtype/device of ``like``."""
    name = type(dist).__name__
    if name in ("NormalDistribution", "GaussianDistribution"):
        return torch.randn_like(like) * dist.std + dist.mean
    if name == "UniformDistribution":
        return torch.empty_like(like).uniform_(dist.lower, dist.upper)
    if name == "ConstantDistribution":
        return torch.full_like(like, dist.value)
    if name == "LogNormalDistribution":
        return torch.exp(torch.randn_like(like) * dist.std + dist.mean)
    if name == "TruncatedNormalDistribution":
        out = torch.empty_like(like)
        return nn.init.trunc_normal_(out, dist.mean, dist.std, dist.mean - 2 * dist.std, dist.mean + 2 * dist.std)
    raise UnsupportedLayerError(getattr(dist, "dl4jClass", name), what="distribution",
                                hint="weight noise from this distribution is not implemented in the torch backend")


@WEIGHT_NOISE_CONVERTERS.register(DropConnectConf)
class DropConnect(nn.Module):
    """Mirrors DropConnect: inverted dropout of the weights with RETAIN probability ``p``."""

    def __init__(self, conf):
        super().__init__()
        p = conf.weightRetainProb
        self.p = None if p is None or (isinstance(p, float) and math.isnan(p)) else float(p)
        self.apply_to_bias = bool(conf.applyToBiases)

    def forward(self, param, is_bias):
        if is_bias and not self.apply_to_bias:
            return param
        if self.p is None:
            raise UnsupportedLayerError(_W + "DropConnect", what="weight noise",
                                        hint="a scheduled retain probability needs the training loop's iteration count")
        return F.dropout(param, p=1.0 - self.p, training=True)  # torch p = DROP probability


@WEIGHT_NOISE_CONVERTERS.register(WeightNoiseConf)
class WeightNoise(nn.Module):
    """Mirrors WeightNoise(distribution, applyToBias, additive)."""

    def __init__(self, conf):
        super().__init__()
        object.__setattr__(self, "dist", conf.distribution)
        self.apply_to_bias = bool(conf.applyToBias)
        self.additive = bool(conf.additive)

    def forward(self, param, is_bias):
        if is_bias and not self.apply_to_bias:
            return param
        noise = sample(self.dist, param)
        return param + noise if self.additive else param * noise


