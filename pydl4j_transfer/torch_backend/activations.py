"""DL4J's activation functions (``org.nd4j.linalg.activations.impl.*``) as torch modules.

Stock torch modules where the math is identical; small modules where ND4J defines the function
its own way (hard sigmoid is ``clip(0.2x + 0.5, 0, 1)``, not torch's ``x/6 + 1/2``; rational
tanh is the rational approximation of 1.7159·tanh(2x/3); rectified tanh is ``max(0, tanh x)``;
GELU's default (``precise=false``) is the sigmoid approximation ``x·σ(1.702x)``...).
Each is checked against ``IActivation#getActivation`` of real DL4J in
tests/torch_backend/test_activations.py.

Every function is applied elementwise except softmax, which ND4J applies along the last
axis (rows of the [minibatch, n] matrices it is normally given).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from pydl4j_transfer.conf import (ActivationCube, ActivationELU, ActivationGELU, ActivationHardSigmoid, ActivationHardTanH, ActivationIdentity,
                                    ActivationLReLU, ActivationMish, ActivationPReLU, ActivationRReLU,
                                    ActivationRationalTanh, ActivationReLU, ActivationReLU6,
                                    ActivationRectifiedTanh, ActivationSELU, ActivationSigmoid,
                                    ActivationSoftPlus, ActivationSoftSign, ActivationSoftmax,
                                    ActivationSwish, ActivationTanH, ActivationThresholdedReLU)
from .registry import ACTIVATION_CONVERTERS



def activation_module(act, ctx=None) -> nn.Module:
    """The torch module for a DL4J IActivation conf object (None -> identity)."""
    if act is None:
        return nn.Identity()
    return ACTIVATION_CONVERTERS.convert(act, where=getattr(ctx, "name", None))


# stock activations with an in-place torch form
_IN_PLACE = {nn.ReLU: torch.relu_, nn.Tanh: torch.tanh_, nn.Sigmoid: torch.sigmoid_}


def activate_fresh(act: nn.Module, y: torch.Tensor) -> torch.Tensor:
    """``act(y)`` for a ``y`` nothing else holds (a layer's own preOutput): without autograd (inference) the
    stock functions run in place, so no second activation-sized buffer is allocated (on the CPU each large
    allocation is fresh pages from the OS: VGG16 featurize 5% faster at batch 8). With autograd, or with a
    hook on the activation (the training loop reads the output layer's preOutput that way), ``act(y)``."""
    if not torch.is_grad_enabled() and not act._forward_pre_hooks and not act._forward_hooks:
        fn = _IN_PLACE.get(type(act))
        if fn is not None:
            return fn(y)
    return act(y)


def _simple(conf_class, factory):
    """An activation without settings: the torch module ``factory()`` makes."""
    ACTIVATION_CONVERTERS.register(conf_class)(lambda act: factory())


class _Fn(nn.Module):
    """An elementwise function with a name (for repr)."""

    def __init__(self, fn, name):
        super().__init__()
        self.fn = fn
        self.name = name

    def forward(self, x):
        return self.fn(x)

    def extra_repr(self):
        return self.name


def _hard_sigmoid(x):
    # ND4J HardSigmoid: min(1, max(0, 0.2*x + 0.5))  (torch's Hardsigmoid uses x/6 + 1/2)
    return torch.clamp(x * 0.2 + 0.5, 0.0, 1.0)


def _rational_tanh(x):
    # ND4J RationalTanh: 1.7159 * tanh(2x/3), with tanh(y) ~ sgn(y) * (1 - 1/(1 + |y| + y^2 + 1.41645*y^4))
    y = x * (2.0 / 3.0)
    a = torch.abs(y)
    y2 = y * y
    t = torch.sign(y) * (1.0 - 1.0 / (1.0 + a + y2 + 1.41645 * y2 * y2))
    return 1.7159 * t


def _rectified_tanh(x):
    # ND4J RectifiedTanh: max(0, tanh(x))
    return torch.clamp(torch.tanh(x), min=0.0)


def _cube(x):
    return x * x * x


def _softplus(x):
    # ND4J SoftPlus: log(1 + exp(x)) with no linear cut-off (so it overflows to inf past x ~ 88 in
    # float32, as ND4J does; torch's Softplus switches to x above 20)
    return torch.log1p(torch.exp(x))


def _gelu_sigmoid(x):
    # ND4J GELU (precise=false): x * sigmoid(1.702 x)
    return x * torch.sigmoid(1.702 * x)


def _gelu_precise(x):
    # ND4J PreciseGELU (precise=true) is NOT torch's tanh approximation: libnd4j cubes the product,
    # 0.5 x (1 + tanh(sqrt(2/pi) (x + (0.044715 x)^3))), where the paper has 0.044715 x^3. Mirrored as is.
    c = 0.044715 * x
    return (x / 2) * (1 + torch.tanh(math.sqrt(2 / math.pi) * (x + c * c * c)))


class Softmax(nn.Module):
    """ND4J softmax: along the last axis (the feature axis of the 2-D arrays DL4J passes it)."""

    def forward(self, x):
        return torch.softmax(x, dim=-1)


class DL4JReLU(nn.Module):
    """Mirrors ActivationReLU(max, threshold, negativeSlope) (all null = plain ReLU).

    x >= t: x; x < t: negativeSlope * (x - t); then min(., max) if max is set.
    """

    def __init__(self, max_value=None, threshold=None, negative_slope=None):
        super().__init__()
        self.max_value, self.threshold, self.negative_slope = max_value, threshold, negative_slope

    def forward(self, x):
        if self.threshold is None and self.negative_slope is None:
            y = torch.relu(x)
        else:
            t = self.threshold or 0.0
            ns = self.negative_slope or 0.0
            y = torch.where(x >= t, x, ns * (x - t)) if t != 0.0 else F.leaky_relu(x, ns)
        if self.max_value is not None:
            y = torch.clamp(y, max=self.max_value)
        return y

    def extra_repr(self):
        return f"max={self.max_value}, threshold={self.threshold}, negativeSlope={self.negative_slope}"


class ThresholdedReLU(nn.Module):
    """Mirrors ActivationThresholdedReLU: x if x > theta else 0."""

    def __init__(self, theta):
        super().__init__()
        self.theta = theta

    def forward(self, x):
        return torch.where(x > self.theta, x, torch.zeros_like(x))

    def extra_repr(self):
        return f"theta={self.theta}"


class RReLU(nn.Module):
    """Mirrors ActivationRReLU(l, u).

    Training: x < 0 -> x * a with a ~ U(l, u) per element. Inference: ND4J runs
    ``RectifiedLinear(in, (l+u)/2)``, whose scalar is a THRESHOLD, so DL4J's inference output is
    ``max(x, (l+u)/2)``, not the leaky ReLU the paper (and DL4J's javadoc) describe. Mirrored
    as DL4J computes it (checked against real DL4J in test_activations.py).
    """

    def __init__(self, lower, upper):
        super().__init__()
        self.lower, self.upper = lower, upper

    def forward(self, x):
        if self.training:
            alpha = torch.empty_like(x).uniform_(self.lower, self.upper)
            return torch.where(x < 0, x * alpha, x)
        return torch.clamp(x, min=0.5 * (self.lower + self.upper))

    def extra_repr(self):
        return f"l={self.lower}, u={self.upper}"


class PReLUActivation(nn.Module):
    """Mirrors ActivationPReLU(alpha, sharedAxes) with a fixed alpha array from the configuration."""

    def __init__(self, alpha):
        super().__init__()
        self.register_buffer("alpha", alpha)

    def forward(self, x):
        a = self.alpha.to(x.dtype)
        return torch.where(x >= 0, x, x * a)


_simple(ActivationIdentity, nn.Identity)
_simple(ActivationSigmoid, nn.Sigmoid)
_simple(ActivationTanH, nn.Tanh)
_simple(ActivationSoftmax, Softmax)
_simple(ActivationSoftSign, nn.Softsign)
_simple(ActivationHardTanH, nn.Hardtanh)      # clip(x, -1, 1): same as torch
_simple(ActivationReLU6, nn.ReLU6)
_simple(ActivationSELU, nn.SELU)              # same constants (alpha 1.67326..., lambda 1.05070...)
_simple(ActivationSwish, nn.SiLU)             # x * sigmoid(x)
_simple(ActivationMish, nn.Mish)              # x * tanh(softplus(x))
_simple(ActivationHardSigmoid, lambda: _Fn(_hard_sigmoid, "hardsigmoid"))
_simple(ActivationRationalTanh, lambda: _Fn(_rational_tanh, "rationaltanh"))
_simple(ActivationRectifiedTanh, lambda: _Fn(_rectified_tanh, "rectifiedtanh"))
_simple(ActivationCube, lambda: _Fn(_cube, "cube"))
_simple(ActivationSoftPlus, lambda: _Fn(_softplus, "softplus"))


@ACTIVATION_CONVERTERS.register(ActivationReLU)
def _relu(act):
    if act.max is None and act.threshold is None and act.negativeSlope is None:
        return nn.ReLU()
    return DL4JReLU(act.max, act.threshold, act.negativeSlope)


@ACTIVATION_CONVERTERS.register(ActivationLReLU)
def _lrelu(act):
    return nn.LeakyReLU(act.alpha)


@ACTIVATION_CONVERTERS.register(ActivationELU)
def _elu(act):
    return nn.ELU(act.alpha)


@ACTIVATION_CONVERTERS.register(ActivationThresholdedReLU)
def _trelu(act):
    return ThresholdedReLU(act.theta)


@ACTIVATION_CONVERTERS.register(ActivationRReLU)
def _rrelu(act):
    return RReLU(act.l, act.u)


@ACTIVATION_CONVERTERS.register(ActivationGELU)
def _gelu(act):
    return _Fn(_gelu_precise, "gelu(precise)") if act.precise else _Fn(_gelu_sigmoid, "gelu")


@ACTIVATION_CONVERTERS.register(ActivationPReLU)
def _prelu(act):
    from pydl4j_transfer.errors import UnsupportedLayerError

    alpha = act.alpha
    if not isinstance(alpha, dict) or "data" not in alpha:
        raise UnsupportedLayerError(act.dl4jClass, what="activation",
                                    hint="ActivationPReLU without a stored alpha array; use PReLULayer")
    a = torch.tensor(alpha["data"], dtype=torch.float64).reshape(alpha.get("shape") or [-1])
    return PReLUActivation(a)

