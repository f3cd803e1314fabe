"""Capsule layers: PrimaryCapsules, CapsuleLayer, CapsuleStrengthLayer (DL4J 1.0.0-M2.1's SameDiff ``defineLayer``,
step by step).

* squash (CapsuleUtils.squash, along ``dim``): ``|s|² = Σ s²``; ``s · |s|² / ((|s|² + 1) · sqrt(|s|² + 1e-5))``.
* PrimaryCapsules: SameDiff ``conv2d`` (NCHW input, weights YXIO [kH, kW, inC, outC], ConvolutionMode through
  ``ConvolutionMode.mapToMode``: Truncate/Strict VALID with the explicit padding, Same SAME), optional ReLU /
  LeakyReLU(leak), then ``reshape(-1, capsules, capsuleDimensions)`` of the 'c'-ordered [mb, C, H, W] output and
  squash along the capsule dimensions.
* CapsuleLayer: ``uHat[b, i, j, d] = Σ_k W[0, i, j·D + d, k, 0] · x[b, i, k]`` ([mb, inCaps, caps, D, 1]); logits b = 0;
  ``routings`` times: ``c = softmax(b)`` over the output capsules (axis 2), ``s = Σ_i c · uHat`` (+ bias),
  ``v = squash(s)`` over D; the last iteration returns v as [mb, caps, D], the others add ``Σ_d uHat · v`` to b.
  Gradients flow through the whole routing (SameDiff differentiates every iteration).
* CapsuleStrengthLayer: ``norm2`` over the capsule dimensions, [mb, caps, D] -> [mb, caps].

Convention flips: PrimaryCapsules' weight is DL4J's [kH, kW, inC, outC] 'c' array stored as it is; torch's conv2d
wants [outC, inC, kH, kW]: ``permute(3, 2, 0, 1)``. Everything else keeps DL4J's layout. DL4J's SameDiff runtime
applies no input dropout and no weight noise; the gradient mode (M2.1's doubled epsilon) is ``layers/samediff.py``'s.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from pydl4j_transfer.conf import CapsuleLayer, CapsuleStrengthLayer, PrimaryCapsules
from pydl4j_transfer.errors import InvalidConfigurationError

from ..registry import LAYER_CONVERTERS
from .convolution import mode_of, pads_for, torch_pad_arg
from .samediff import SameDiffModule


def squash(x, dim):
    """Mirrors CapsuleUtils.squash(SameDiff, x, dim)."""
    squared_norm = torch.square(x).sum(dim=dim, keepdim=True)
    scale = torch.sqrt(squared_norm + 1e-5)
    return x * squared_norm / ((squared_norm + 1.0) * scale)


@LAYER_CONVERTERS.register(PrimaryCapsules)
class PrimaryCapsulesModule(SameDiffModule):
    """Mirrors PrimaryCapsules#defineLayer: conv2d -> (Leaky)ReLU -> [mb, capsules, capsuleDimensions] -> squash."""

    def __init__(self, conf, ctx):
        super().__init__(conf, ctx)
        # the input channels of the weight DL4J allocated (layerParams: a later inputChannels change does not reach it)
        self.n_in = int(conf.getLayerParams().weightParams["weight"][2])
        self.capsules, self.dims = int(conf.capsules), int(conf.capsuleDimensions)
        self.kernel = [int(k) for k in conf.kernelSize]
        self.stride = [int(s) for s in conf.stride]
        self.padding = [int(p) for p in conf.padding]
        self.dilation = [int(d) for d in conf.dilation]
        self.mode = mode_of(conf)
        self.has_bias = bool(conf.hasBias)
        self.use_relu, self.leak = bool(conf.useRelu), float(conf.leak or 0.0)

    def compute(self, x, mask=None):
        if self.mode == "Causal":
            raise InvalidConfigurationError(
                f"layer {self.layer_name!r} (PrimaryCapsules): ConvolutionMode.Causal is not supported: DL4J infers"
                " the capsule count from Truncate's output size but its conv2d pads to ceil(input / stride), and the"
                " reshape to capsules fails (DL4J: 'Op reshape with name reshape failed to execute')")
        if x.dim() != 4 or x.shape[1] != self.n_in:
            raise self.bad_input(x, f"rank 4 [minibatch, {self.n_in}, height, width] (NCHW)")
        pads = pads_for(self.mode, x.shape[2:], self.kernel, self.stride, self.padding, self.dilation, self.layer_name)
        weight = self.p("weight").permute(3, 2, 0, 1)  # DL4J YXIO [kH, kW, inC, outC] -> torch [outC, inC, kH, kW]
        bias = self.p("bias") if self.has_bias else None
        if all(before == after for before, after in pads):
            out = F.conv2d(x, weight, bias, self.stride, [p[0] for p in pads], self.dilation)
        else:
            out = F.conv2d(F.pad(x, torch_pad_arg(pads)), weight, bias, self.stride, 0, self.dilation)
        if self.use_relu:
            out = F.relu(out) if self.leak == 0 else F.leaky_relu(out, self.leak)
        per_example = out[0].numel() if out.shape[0] else 0
        if out.numel() % (self.capsules * self.dims) != 0 or (per_example and per_example % (self.capsules * self.dims)):
            raise InvalidConfigurationError(
                f"layer {self.layer_name!r} (PrimaryCapsules): the convolution's output {list(out.shape)} does not"
                f" split into {self.capsules} capsules of {self.dims} dimensions (capsules is inferred from the input"
                " type; check the input's height and width)")
        return squash(out.reshape(-1, self.capsules, self.dims), 2)  # 'c' order of [mb, C, H, W], as SameDiff


@LAYER_CONVERTERS.register(CapsuleLayer)
class CapsuleModule(SameDiffModule):
    """Mirrors CapsuleLayer#defineLayer: prediction vectors, then ``routings`` iterations of dynamic routing."""

    def __init__(self, conf, ctx):
        super().__init__(conf, ctx)
        shape = conf.getLayerParams().weightParams["weight"]  # [1, inCaps, caps*D, inD, 1] as DL4J allocated it
        self.in_caps, self.in_dims = int(shape[1]), int(shape[3])
        self.capsules, self.dims = int(conf.capsules), int(conf.capsuleDimensions)
        self.routings = int(conf.routings)
        self.has_bias = bool(conf.hasBias)

    def compute(self, x, mask=None):
        if x.dim() != 3 or x.shape[1] != self.in_caps or x.shape[2] != self.in_dims:
            raise self.bad_input(x, f"rank 3 [minibatch, {self.in_caps} capsules, {self.in_dims} dimensions]")
        mb = x.shape[0]
        w = self.p("weight")[0, :, :, :, 0]  # [inCaps, caps*D, inD]
        # weights.times(tiled).sum(true, 3), reshaped to [mb, inCaps, caps, D, 1]
        u_hat = torch.einsum("iok,bik->bio", w, x).reshape(mb, self.in_caps, self.capsules, self.dims, 1)
        logits = torch.zeros(mb, self.in_caps, self.capsules, 1, 1, dtype=x.dtype, device=x.device)
        for i in range(self.routings):
            c = torch.softmax(logits, dim=2)  # coupling coefficients over the output capsules
            s = (c * u_hat).sum(dim=1, keepdim=True)  # [mb, 1, caps, D, 1]
            if self.has_bias:
                s = s + self.p("bias")
            v = squash(s, 3)
            if i == self.routings - 1:
                return v.reshape(mb, self.capsules, self.dims)  # sd.squeeze(sd.squeeze(v, 1), 3)
            logits = logits + (u_hat * v).sum(dim=3, keepdim=True)  # v tiled over the input capsules
        raise InvalidConfigurationError(f"layer {self.layer_name!r} (CapsuleLayer): routings must be > 0")


@LAYER_CONVERTERS.register(CapsuleStrengthLayer)
class CapsuleStrengthModule(SameDiffModule):
    """Mirrors CapsuleStrengthLayer#defineLayer: ``norm2`` over axis 2, [mb, caps, D] -> [mb, caps]."""

    def compute(self, x, mask=None):
        if x.dim() != 3:
            raise self.bad_input(x, "rank 3 [minibatch, capsules, capsuleDimensions]")
        return torch.linalg.vector_norm(x, dim=2)
