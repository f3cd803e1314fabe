"""What every DL4J SameDiff layer and vertex shares at run time (``org.deeplearning4j.nn.layers.samediff``), the
parameter-less SameDiff layers (IdentityLayer and user SameDiffLambdaLayer subclasses: the output is the conf
object's ``defineLayer(x)``, a torch computation the user wrote; the mask passes through) and user-defined SameDiff
classes read from zips (:func:`register_samediff`).

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
from torch import nn

from pydl4j_transfer.conf.layers.samediff import IdentityLayer, user_class
from pydl4j_transfer.errors import InvalidConfigurationError

from ..base import LayerModule
from ..params import dl4j_view
from ..registry import LAYER_CONVERTERS, VERTEX_CONVERTERS

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


# --------------------------------------------------------------------------------------------------------------
# parameter-less SameDiff layers: IdentityLayer and the user's SameDiffLambdaLayer subclasses (Keras Lambda)


class LambdaModule(SameDiffModule):
    """Mirrors SameDiffLayer#activate for a SameDiffLambdaLayer: runs ``conf.defineLayer(x)``."""

    def compute(self, x, mask=None):
        return self.dl4j_conf.defineLayer(x)


@LAYER_CONVERTERS.register(IdentityLayer)
def lambda_converter(conf, ctx):
    """The converter for IdentityLayer, also registered for each user SameDiffLambdaLayer class
    (``register_lambda_class``)."""
    return LambdaModule(conf, ctx)


def register_lambda_class(conf_class) -> None:
    """Make a user SameDiffLambdaLayer subclass (a configuration class) runnable on the torch backend."""
    if conf_class.dl4jClass not in LAYER_CONVERTERS:
        LAYER_CONVERTERS.register(conf_class)(lambda_converter)


# --------------------------------------------------------------------------------------------------------------
# user-defined SameDiff classes: the forward comes from Python (register_samediff)

#: "@class" -> the registered forward function
_USER_FORWARDS: dict = {}


def ones_mask(x):
    """Mirrors AbstractSameDiffLayer#onesMaskForInput / SameDiffGraphVertex#createMask: the all-ones mask DL4J
    feeds a SameDiff layer/vertex when none is set ([mb, 1], [mb, T], [mb, 1, 1, 1], [mb, 1, 1, 1, 1])."""
    rank = x.dim()
    if rank not in (2, 3, 4, 5):
        raise InvalidConfigurationError(f"no all-ones mask for a rank {rank} input (DL4J: onesMaskForInput)")
    shape = (x.shape[0], x.shape[2]) if rank == 3 else (x.shape[0],) + (1,) * (rank - 1)
    return torch.ones(shape, dtype=x.dtype, device=x.device)


def _user_forward(conf):
    fn = _USER_FORWARDS.get(conf.dl4jClass)
    if fn is None:
        raise InvalidConfigurationError(f"{conf.dl4jClass}: no forward registered (pydl4j_transfer.register_samediff)")
    return fn


def _dl4j_shaped(module, keys, order):
    """The params as DL4J's arrays (a 'f'-order param is stored transposed: see params.py)."""
    return {k: dl4j_view(module.p(k), order) for k in keys}


class UserSameDiffModule(SameDiffModule):
    """A user's SameDiffLayer / SameDiffLambdaLayer / SameDiffOutputLayer: ``forward(params, x, mask)`` as registered,
    with DL4J's all-ones mask when there is none."""

    def __init__(self, conf, ctx):
        super().__init__(conf, ctx)
        self.dl4j_class = conf.dl4jClass
        self.fn = _user_forward(conf)
        self.keys = list(conf.paramKeys())
        self.order = conf.paramReshapeOrder()

    def compute(self, x, mask=None):
        out = self.fn(_dl4j_shaped(self, self.keys, self.order), x, ones_mask(x) if mask is None else mask)
        if not isinstance(out, torch.Tensor):
            raise InvalidConfigurationError(f"layer {self.layer_name!r} ({self.dl4j_class}): the registered forward"
                                            f" returned {type(out).__name__}, not a tensor")
        return out


class UserSameDiffVertexModule(nn.Module):
    """A user's SameDiffVertex / SameDiffLambdaVertex: ``forward(params, inputs, masks)`` with the inputs and masks
    keyed by the vertex's input names (vertexParams.inputs); the first input's mask passes on."""

    def __init__(self, conf, ctx):
        super().__init__()
        self.vertex_name = ctx.name
        self.frozen = False
        self.dl4j_class = conf.dl4jClass
        object.__setattr__(self, "dl4j_conf", conf)
        object.__setattr__(self, "_store", self)
        self.fn = _user_forward(conf)
        self.keys = list(conf.paramKeys())
        self.order = conf.paramReshapeOrder()
        self.names = list(conf.getVertexParams().inputs or [])

    def train(self, mode: bool = True):
        return super().train(bool(mode) and not self.frozen)

    def p(self, key):
        return self._store._parameters[key]

    def forward(self, xs, masks=None, state=None):
        if len(xs) != len(self.names):
            raise InvalidConfigurationError(f"vertex {self.vertex_name!r} ({self.dl4j_class}): {len(self.names)} inputs"
                                            f" {self.names} (vertexParams), got {len(xs)}")
        masks = masks or [None] * len(xs)
        ins = dict(zip(self.names, xs))
        ms = {n: ones_mask(x) if m is None else m for n, x, m in zip(self.names, xs, masks)}
        return samediff_output(self.fn(_dl4j_shaped(self, self.keys, self.order), ins, ms))

    def feed_forward_masks(self, masks, xs=None, state=None):
        return masks[0] if masks else None


def register_samediff(dl4j_class: str, forward, *, kind: str = "layer", output_type=None, param_order: str = "c"):
    """Register the forward of a user-defined DL4J SameDiff class, so that zips holding it can be read and run.

    DL4J stores a SameDiffLayer / SameDiffLambdaLayer / SameDiffOutputLayer / SameDiffVertex subclass as its class
    name, its fields and its parameter shapes (``layerParams``/``vertexParams``), never its ``defineLayer`` code.
    Reading such a zip raises :class:`~pydl4j_transfer.errors.UnsupportedLayerError` naming the class until it is
    registered here; afterwards its JSON round-trips unchanged and its params load like any layer's.

    ``forward`` is the Python twin of the Java ``defineLayer``/``defineVertex``, in torch:

    * ``kind="layer"`` (SameDiffLayer, SameDiffLambdaLayer) and ``kind="output"`` (SameDiffOutputLayer; inference
      only): ``forward(params, x, mask) -> tensor``;
    * ``kind="vertex"`` (SameDiffVertex, SameDiffLambdaVertex): ``forward(params, inputs, masks) -> tensor``, with
      ``inputs``/``masks`` dicts keyed by the vertex's input names (``defineInputs``);

    ``params`` maps each key of the JSON's ``layerParams``/``vertexParams`` to a tensor of DL4J's shape (gradients
    flow to the network's parameters); ``mask`` is DL4J's: the features mask, or all ones when there is none
    ([mb, 1] / [mb, T] / [mb, 1, 1, 1]). ``output_type(conf, *input_types)`` (optional) mirrors ``getOutputType``
    for summary() and shape inference (``conf.unknownProperties`` holds the subclass's own JSON fields);
    ``param_order`` is the Java ``paramReshapeOrder`` ('c' unless overridden). Registering the same class again
    replaces its forward. Returns the configuration class created for it (exported nowhere else)."""
    if not callable(forward):
        raise InvalidConfigurationError(f"register_samediff({dl4j_class!r}, ...): forward must be callable")
    cls = user_class(dl4j_class, kind, output_type, param_order)
    converters = VERTEX_CONVERTERS if kind == "vertex" else LAYER_CONVERTERS
    if dl4j_class not in converters:
        factory = UserSameDiffVertexModule if kind == "vertex" else UserSameDiffModule
        converters.register(cls)(lambda conf, ctx: factory(conf, ctx))
    _USER_FORWARDS[dl4j_class] = forward
    return cls
