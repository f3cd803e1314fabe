"""What every DL4J SameDiff layer and vertex shares at run time (``org.deeplearning4j.nn.layers.samediff``).

* No input dropout and no weight noise: ``SameDiffLayer#activate`` never calls ``applyDropOutIfNecessary``.
* The gradient. DL4J 1.0.0-M2.1 backpropagates TWICE the epsilon through every SameDiff layer and vertex:
  the runtime registers the layer output's external gradient both as the gradient of the output variable
  and as the gradient of the ExternalErrorsFunction's input, and SameDiff sums the two. Every parameter
  gradient of the layer and the epsilon it passes down are 2x the true ones (checked against real DL4J for
  SelfAttentionLayer, RecurrentAttentionLayer and AttentionVertex; two stacked layers give 4x below them).
  DL4J's own gradient checks (AttentionLayerTest) fail on M2.1 because of it. The default here is the
  true gradient (what DL4J's tests assert, docs/deviations.md); :func:`samediff_gradient` ``("dl4j")``
  reproduces M2.1's doubling, e.g. to train in step with real DL4J M2.1 (the parity tests do).
"""

from __future__ import annotations

import contextlib

import torch

from pydl4j_transfer.errors import InvalidConfigurationError

from ..base import LayerModule

#: "exact": the true gradient; "dl4j": DL4J 1.0.0-M2.1's doubled epsilon through every SameDiff layer/vertex
_MODES = ("exact", "dl4j")
_mode = ["exact"]


def samediff_gradient_mode() -> str:
    """The current SameDiff gradient mode ("exact" or "dl4j")."""
    return _mode[0]


@contextlib.contextmanager
def samediff_gradient(mode: str):
    """Train SameDiff layers (attention, ...) with the true gradient (``"exact"``, the default) or with
    DL4J 1.0.0-M2.1's doubled epsilon (``"dl4j"``), inside a ``with`` block; ``set_samediff_gradient`` sets it
    for good."""
    old = _mode[0]
    set_samediff_gradient(mode)
    try:
        yield
    finally:
        _mode[0] = old


def set_samediff_gradient(mode: str) -> None:
    """Set the SameDiff gradient mode for the process (see :func:`samediff_gradient`)."""
    if mode not in _MODES:
        raise InvalidConfigurationError(f"SameDiff gradient mode must be one of {_MODES}, got {mode!r}")
    _mode[0] = mode


class _DoubleEpsilon(torch.autograd.Function):
    """Identity forward; backward passes 2x the incoming gradient (DL4J M2.1's SameDiff runtime)."""

    @staticmethod
    def forward(ctx, x):
        return x.view_as(x)

    @staticmethod
    def backward(ctx, grad):
        return grad * 2


def samediff_output(y: torch.Tensor) -> torch.Tensor:
    """A SameDiff layer's/vertex's output as DL4J's runtime hands it on (see the module docstring)."""
    if _mode[0] == "dl4j" and y.requires_grad:
        return _DoubleEpsilon.apply(y)
    return y


class SameDiffModule(LayerModule):
    """Base of the SameDiff-defined layers: no input dropout or weight noise; ``compute`` is the layer's
    ``defineLayer`` and its result goes through :func:`samediff_output`."""

    def forward(self, x, mask=None):
        return samediff_output(self.compute(x, mask))

    def p(self, key):
        return self._store._parameters[self.param_prefix + key]
