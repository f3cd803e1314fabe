"""The module every converted DL4J layer becomes, and the context converters receive.

Parameters. A layer's parameters live on ONE module, the layer's top module (the one the
network registers under the layer's name), under DL4J's own keys, so ``state_dict()`` keys
are ``"<layerName>.<key>"`` (``fc2.W``, ``lstm.RW``, ``bi.fb``...). Each is stored in "the
same bytes" layout as DL4J's flat vector: a DL4J parameter of shape S in 'f' order is a torch
tensor of shape ``reversed(S)`` in 'c' order (so dense ``W [nIn, nOut] 'f'`` is torch's
``[nOut, nIn]`` Linear weight); 'c' parameters keep their shape.

Wrapped layers (FrozenLayer, Bidirectional, LastTimeStep, MaskZeroLayer, ...) are converted to
child modules that hold no parameters of their own: they read them from the top module (the
"store") through :meth:`LayerModule.p`, with the key prefix DL4J gives them (Bidirectional:
``f``/``b``). The same converter therefore serves a layer on its own and inside any wrapper.

Training/inference. ``module.train()`` selects DL4J's ``training=true`` forward (input
dropout, batch statistics in BatchNormalization, random RReLU slopes); ``eval()`` inference. A
frozen module (``frozen = True``: FrozenLayer, FrozenLayerWithBackprop, FrozenVertex) refuses
training mode for itself and everything below it, as DL4J's FrozenLayer calls
``underlying.activate(false)``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import torch
from torch import nn

from pydl4j_transfer.errors import InvalidConfigurationError


@dataclass
class ConvertContext:
    """What a converter needs besides the conf object."""

    name: str                 # layer / vertex name, for messages
    prefix: str = ""          # parameter-key prefix inside the store (Bidirectional: "f" / "b")
    dtype: torch.dtype = torch.float32
    extra: dict = field(default_factory=dict)

    def child(self, prefix: str = "") -> "ConvertContext":
        return replace(self, prefix=self.prefix + prefix)


class LayerModule(nn.Module):
    """Base of every converted DL4J layer: parameter access through the store, frozen mode,
    DL4J's input dropout (``Layer#applyDropOutIfNecessary``), mask propagation.

    Subclasses implement :meth:`compute` (the layer's math on the already-dropped-out input)
    and, where the layer changes the mask, :meth:`feed_forward_mask`.
    """

    #: a FrozenLayer: DL4J's backprop returns a null epsilon here, nothing below gets a gradient from this layer
    cuts_backprop = False
    #: the keys of DL4J's stateMap when this layer keeps RNN state (rnnTimeStep, truncated BPTT; torch_backend/rnn.py)
    rnn_state_keys: tuple = ()
    #: why DL4J refuses rnnTimeStep / truncated BPTT through this layer (None: it does not)
    rnn_state_refused: str | None = None

    def __init__(self, conf, ctx: ConvertContext):
        super().__init__()
        self.dl4j_class = conf.dl4jClass  # for messages: the DL4J configuration class this module runs
        self.layer_name = ctx.name
        self.param_prefix = ctx.prefix
        self.frozen = False
        object.__setattr__(self, "_store", self)  # not a submodule: no cycle in .modules()
        object.__setattr__(self, "dl4j_conf", conf)
        self.input_dropout = None
        idrop = getattr(conf, "iDropout", None)
        if idrop is not None:
            from .dropout import convert_dropout

            self.input_dropout = convert_dropout(idrop, ctx)
        self.weight_noise = None
        noise = getattr(conf, "weightNoise", None)
        if noise is not None:
            from .registry import WEIGHT_NOISE_CONVERTERS

            self.weight_noise = WEIGHT_NOISE_CONVERTERS.convert(noise, where=ctx.name)
            self._bias_keys = frozenset(conf.biasKeys())

    # ---- parameters
    def p(self, key: str) -> torch.Tensor:
        """The parameter DL4J calls ``key`` (for this module's prefix), in the same-bytes layout.

        In training mode with weight noise configured, the noisy copy (BaseLayer#getParamWithNoise)."""
        param = self._store._parameters[self.param_prefix + key]
        if self.weight_noise is not None and self.training:
            return self.weight_noise(param, key in self._bias_keys)
        return param

    def has_p(self, key: str) -> bool:
        return (self.param_prefix + key) in self._store._parameters

    def output_layer(self):
        """The module that computes this layer's loss when it is a network output (DL4J's IOutputLayer; the
        output-layer modules of layers/output.py), else None. FrozenLayerWithBackprop answers its wrapped layer's."""
        return None

    # ---- modes
    def train(self, mode: bool = True):
        return super().train(bool(mode) and not self.frozen)

    # ---- forward
    def forward(self, x, mask=None):
        if self.training and self.input_dropout is not None:
            x = self.input_dropout(x)
        return self.compute(x, mask)

    def compute(self, x, mask=None):  # pragma: no cover - abstract
        raise NotImplementedError

    def feed_forward_mask(self, mask, x=None):
        """Mirrors Layer#feedForwardMaskArray: the mask of this layer's output given its input mask."""
        return mask

    def take_network_mask(self, mask):
        """The mask this layer computes with when the NETWORK propagates ``mask`` to it
        (Layer#feedForwardMaskArray); most layers store it, LSTM/GravesLSTM do not (see recurrent.py)."""
        return mask

    # ---- errors
    def bad_input(self, x, expected: str):
        cls = self.dl4j_class.rsplit(".", 1)[-1] or type(self).__name__
        return InvalidConfigurationError(
            f"layer {self.layer_name!r} ({cls}): expected input {expected}, got shape {list(x.shape)}."
            " Check the input array's shape, data format (NCHW/NHWC, NCW/NWC) and any input preprocessor")

    def check_rank(self, x, rank: int, expected: str):
        if x.dim() != rank:
            raise self.bad_input(x, expected)

    def extra_repr(self):
        return f"name={self.layer_name!r}" + (", frozen=True" if self.frozen else "")


def set_mode(module: nn.Module, train: bool) -> nn.Module:
    """``module.train(train)`` (DL4J's train flag), without walking every submodule when each one still holds
    the mode that walk gave it the last time (ResNet50: ~600 modules, milliseconds of host time, paid twice by
    every output/feedForward call). A part whose mode was switched by hand since (``torchModule()`` is the
    user's module too) fails the check and gets the walk. Modules do not change their frozen flag after
    they are built, so the recorded modes stay what ``train(train)`` gives."""
    modes = module.__dict__.setdefault("_dl4j_modes", {})
    recorded = modes.get(bool(train))
    if recorded is None or any(m.training is not want for m, want in recorded):
        module.train(bool(train))
        modes[bool(train)] = [(m, m.training) for m in module.modules()]
    return module


def bind_store(top: nn.Module) -> None:
    """Point every LayerModule under ``top`` (itself included) at ``top`` for its parameters."""
    for m in top.modules():
        if isinstance(m, LayerModule) or "_store" in m.__dict__:  # (a vertex with params keeps a store too)
            object.__setattr__(m, "_store", top)


def apply_mask_rows(x, mask):
    """Mirrors AbstractLayer#applyMask for 2-D activations: multiply by a [mb, 1] (or [mb]) mask."""
    if mask is None:
        return x
    return x * mask.reshape(mask.shape[0], -1).to(x.dtype)  # [mb, 1] per example, or [mb, n] per output


def to_tensor(x, dtype=None, device=None):
    """numpy / list / tensor -> tensor (a tensor keeps its dtype unless one is asked)."""
    if isinstance(x, torch.Tensor):
        t = x
    else:
        import numpy as np

        a = np.asarray(x)
        if not a.dtype.isnative:  # torch takes native byte order only (e.g. a '>f4' array read from disk)
            a = a.astype(a.dtype.newbyteorder("="))
        t = torch.from_numpy(np.ascontiguousarray(a))
    if dtype is not None and t.is_floating_point() and t.dtype != dtype:
        t = t.to(dtype)
    return to_device(t, device)


def to_device(t: torch.Tensor, device) -> torch.Tensor:
    """``t`` on ``device`` (None: where it is). A host tensor bound for a GPU goes through pinned
    memory with a non-blocking copy: a copy from pageable memory makes CUDA wait for every kernel
    already queued, so the host could not prepare the next step while the GPU runs this one. torch's
    pinned-memory cache keeps the staging buffer alive until the copy has run."""
    if device is None:
        return t
    device = torch.device(device)
    if t.device == device:
        return t
    if device.type == "cuda" and t.device.type == "cpu":
        return (t if t.is_pinned() else t.pin_memory()).to(device, non_blocking=True)
    return t.to(device)


def act_on_axis(act, x, axis: int):
    """Apply an activation the way DL4J does after reshaping to 2-D [rows, features]: feature axis last.

    Only softmax cares (it normalises along the last axis); elementwise functions are unaffected.
    """
    if axis in (-1, x.dim() - 1):
        return act(x)
    # movedim with x.dim() - 1, not -1: torch.onnx.export (torch 2.5) copies a negative dim into the
    # ONNX Transpose perm unchanged, and onnxruntime rejects the model ("Invalid attribute perm").
    last = x.dim() - 1
    return act(x.movedim(axis, last)).movedim(last, axis)


def time_mask(mask, x, time_axis: int):
    """Multiply a [mb, features, T] / [mb, T, features] activation by a [mb, T] per-step mask."""
    if mask is None:
        return x
    m = mask.reshape(mask.shape[0], -1).to(x.dtype)
    return x * (m.unsqueeze(1) if time_axis == 2 else m.unsqueeze(2))
