"""Convolution layers: ConvolutionLayer / Convolution2D, Convolution1DLayer / Convolution1D,
Deconvolution2D, DepthwiseConvolution2D, SeparableConvolution2D, Convolution3D, Deconvolution3D.

Mirrors ``org.deeplearning4j.nn.layers.convolution.*`` (libnd4j conv2d / conv1d / deconv2d /
depthwise_conv2d / sconv2d / conv3dnew / deconv3d): ``out = act(conv(x, W) + b)``.

ConvolutionMode (ConvolutionUtils): Truncate/Strict pad ``padding`` on both sides and floor
the output size (Strict: only exact fits pass DL4J's own checks); Same pads so that
out = ceil(in / stride), top/left = floor(total / 2), the odd one at bottom/right (as
ConvolutionUtils.getSameModeTopLeftPadding); Causal (1-D) pads (k-1)·dilation on the left only.
Symmetric padding (e.g. Same with an odd kernel) is passed to the stock torch convolution; asymmetric
padding (Same with an even kernel, Causal) is applied explicitly with F.pad first.

Convention flips: the flat vector stores the BIAS FIRST (``b`` then ``W``), kernels in 'c'
order. Conv W [nOut, nIn, kH, kW] is torch's conv2d weight as is; Deconvolution2D W
[nIn, nOut, kH, kW] is torch's conv_transpose2d weight as is; DepthwiseConvolution2D W
[kH, kW, nIn, depthMultiplier] puts output channel ``c*dm + m``, which is torch's grouped
layout after permute(2, 3, 0, 1); SeparableConvolution2D's depthwise W [dm, nIn, kH, kW]
is the same after permute(1, 0, 2, 3). NHWC / NWC / NDHWC inputs are permuted to channels-first
for the convolution; the activation runs in the layer's own layout, as in DL4J.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from pydl4j_transfer.conf.base import enum_name
from pydl4j_transfer.conf import (Convolution1D, Convolution1DLayer, Convolution2D, Convolution3D, ConvolutionLayer, Deconvolution2D,
                                    Deconvolution3D, DepthwiseConvolution2D, SeparableConvolution2D)
from pydl4j_transfer.errors import InvalidConfigurationError

from ..activations import activate_fresh, activation_module
from ..base import LayerModule
from ..registry import LAYER_CONVERTERS




# Inference (no autograd: output, feedForward, featurize) on the device types listed here runs 2-D
# convolutions on channels_last memory: the same tensor (same shape [mb, c, h, w], same values) with NHWC
# strides, which selects oneDNN's (CPU) or cuDNN's (CUDA) NHWC kernels; each following conv/pool/activation
# keeps that layout, so only the first conv copies. Measured on CPU (bench, VGG16 224x224 batch 8, 2 cores):
# 1.2x faster, outputs within 2e-8. CUDA is not listed until bench/gpu.py (its channels_last rows) shows a
# gain on a card. Training keeps NCHW (the parameters are views of DL4J's flat vector). Not while torch.jit
# traces a frozen graph (frozen_graph.py): there optimize_for_inference keeps the activations in oneDNN's own
# blocked layout from conv to conv, and a layout copy between two convolutions would cut that chain.
INFERENCE_CHANNELS_LAST = frozenset({"cpu"})

def mode_of(conf):
    return enum_name(getattr(conf, "convolutionMode", None)) or "Truncate"


def same_pads(size, k, s, d):
    """(before, after) padding of ConvolutionMode.Same for one dimension: out = ceil(size / s)."""
    ek = k + (k - 1) * (d - 1)
    out = -(-size // s)
    total = max(0, (out - 1) * s + ek - size)
    return total // 2, total - total // 2


def pads_for(mode, sizes, kernel, stride, padding, dilation, layer=None):
    """Per spatial dim (before, after) padding for a DL4J ConvolutionMode."""
    pads = []
    for i, size in enumerate(sizes):
        k, s, d = int(kernel[i]), int(stride[i]), int(dilation[i])
        ek = k + (k - 1) * (d - 1)
        if mode == "Same":
            pads.append(same_pads(size, k, s, d))
        elif mode == "Causal":
            pads.append(((k - 1) * d, 0))
        else:
            p = int(padding[i]) if padding is not None else 0
            if mode == "Strict" and (size + 2 * p - ek) % s != 0:
                raise InvalidConfigurationError(
                    f"layer {layer!r}: ConvolutionMode.Strict: input size {size}, kernel {k}, stride {s}, padding {p}"
                    f" (dilation {d}) do not fit exactly: (in + 2p - k_eff) % stride != 0; use Truncate or Same")
            if size + 2 * p < ek:
                raise InvalidConfigurationError(
                    f"layer {layer!r}: input size {size} (+ padding 2*{p}) is smaller than the effective kernel {ek}")
            pads.append((p, p))
    return pads


def torch_pad_arg(pads):
    """[(b0, a0), (b1, a1), ...] over spatial dims in order -> F.pad's reversed flat list."""
    out = []
    for before, after in reversed(pads):
        out += [before, after]
    return out


@LAYER_CONVERTERS.register(ConvolutionLayer, Convolution2D)
class ConvModule(LayerModule):
    """Mirrors org.deeplearning4j.nn.layers.convolution.ConvolutionLayer (2-D; also 1-D and 3-D through DIMS)."""

    DIMS = 2

    def __init__(self, conf, ctx):
        super().__init__(conf, ctx)
        d = self.DIMS
        self.n_in, self.n_out = int(conf.nIn), int(conf.nOut)
        self.kernel = [int(k) for k in conf.kernelSize[:d]]
        self.stride = [int(s) for s in (conf.stride or [1] * d)[:d]]
        self.padding = [int(p) for p in (conf.padding or [0] * d)[:d]]
        self.dilation = [int(x) for x in (conf.dilation or [1] * d)[:d]]
        self.mode = mode_of(conf)
        self.has_bias = getattr(conf, "hasBias", True) is not False
        self.channels_last = self._channels_last(conf)
        self.act = activation_module(conf.activationFn, ctx)

    def _channels_last(self, conf):
        return enum_name(conf.cnn2dDataFormat) == "NHWC"

    def expected(self):
        return (f"rank {self.DIMS + 2} [minibatch, {self.n_in}, height, width]" if not self.channels_last
                else f"rank {self.DIMS + 2} [minibatch, height, width, {self.n_in}] (NHWC)")

    def to_channels_first(self, x):
        if x.dim() != self.DIMS + 2:
            raise self.bad_input(x, self.expected())
        if self.channels_last:
            # movedim with x.dim() - 1, not -1: torch.onnx.export (torch 2.5) copies a negative dim into the
            # ONNX Transpose perm unchanged, and onnxruntime rejects the model ("Invalid attribute perm").
            x = x.movedim(x.dim() - 1, 1)
        if x.shape[1] != self.n_in:
            raise self.bad_input(x, self.expected() + f": {self.n_in} input channels")
        return x

    def from_channels_first(self, y):
        return y.movedim(1, y.dim() - 1) if self.channels_last else y  # not -1: see to_channels_first

    def pad(self, x):
        pads = pads_for(self.mode, list(x.shape[2:]), self.kernel, self.stride, self.padding, self.dilation,
                        self.layer_name)
        return F.pad(x, torch_pad_arg(pads)) if any(a or b for a, b in pads) else x

    def bias(self):
        return self.p("b") if self.has_bias else None

    def conv(self, x):
        if (x.dim() == 4 and x.device.type in INFERENCE_CHANNELS_LAST and not torch.is_grad_enabled()
                and not torch.jit.is_tracing()):
            x = x.contiguous(memory_format=torch.channels_last)  # see INFERENCE_CHANNELS_LAST
        w = self.p("W")
        pads = pads_for(self.mode, list(x.shape[2:]), self.kernel, self.stride, self.padding, self.dilation,
                        self.layer_name)
        if all(a == b for a, b in pads):  # symmetric (e.g. Same with an odd kernel): let the conv pad, no copy
            return F.conv2d(x, w, self.bias(), stride=self.stride, padding=tuple(a for a, _ in pads),
                            dilation=self.dilation)
        return F.conv2d(F.pad(x, torch_pad_arg(pads)), w, self.bias(), stride=self.stride, dilation=self.dilation)

    def compute(self, x, mask=None):
        y = self.conv(self.to_channels_first(x))
        return activate_fresh(self.act, self.from_channels_first(y))


@LAYER_CONVERTERS.register(Convolution1DLayer, Convolution1D)
class Conv1DModule(ConvModule):
    """Mirrors org.deeplearning4j.nn.layers.convolution.Convolution1DLayer: [mb, nIn, T] (NCW) or
    [mb, T, nIn] (NWC); W [nOut, nIn, k, 1]; masked output steps are zeroed."""

    DIMS = 1

    def _channels_last(self, conf):
        return enum_name(conf.rnnDataFormat) == "NWC"

    def expected(self):
        return (f"rank 3 [minibatch, {self.n_in}, T]" if not self.channels_last
                else f"rank 3 [minibatch, T, {self.n_in}] (NWC)")

    def conv(self, x):
        # DL4J M2.1 surprise: Convolution1DLayer#preOutput RESHAPES (does not permute) W [nOut, nIn, k, 1]
        # ('c') into libnd4j's conv1d layout [k, nIn, nOut] (Convolution1DUtils.reshapeWeightArrayOrGradientForFormat),
        # so the flat slice is read as [k][nIn][nOut]. Mirrored: reshape the same bytes, then to torch [nOut, nIn, k].
        w = self.p("W").reshape(self.kernel[0], self.n_in, self.n_out).permute(2, 1, 0)
        return F.conv1d(self.pad(x), w, self.bias(), stride=self.stride, dilation=self.dilation)

    def to_channels_first(self, x):
        if (not self.channels_last and x.dim() == 3 and x.shape[1] != self.n_in and x.shape[2] == self.n_in
                and not getattr(self, "_strict_ncw", False)):
            # M2.1 runs an NCW Convolution1D on an NWC activation whose channel count matches the last axis
            # (DL4J's Keras import: Embedding (NWC output) -> Theano-ordered Conv1D) as if it were [mb, T, nIn]:
            # checked against the jar (tests/keras: weights/embedding_conv1d_flatten_theano_2.h5)
            x = x.transpose(1, 2)
        return super().to_channels_first(x)

    def compute(self, x, mask=None):
        y = self.act(self.conv(self.to_channels_first(x)))  # DL4J applies the activation on the NCW array
        if mask is not None:
            y = y * self.feed_forward_mask(mask, x).to(y.dtype).unsqueeze(1)
        # NWC: the NCW result permuted back. (DL4J M2.1 passes exactly this to the next layer, but when a
        # Convolution1D(NWC) activation is RETURNED to the caller, by output() or feedForward(), DL4J hands back
        # the NCW buffer reshaped to [mb, T, nOut] instead: a DL4J bug in the returned copy, not mirrored;
        # see tests/torch_backend/test_cnn_parity.py::test_conv1d.)
        return self.from_channels_first(y)

    def feed_forward_mask(self, mask, x=None):
        """Mirrors Convolution1DUtils.cnn1dMaskReduction: the mask max-pooled like the convolution's windows."""
        if mask is None:
            return None
        if self.mode == "Same" and self.stride[0] == 1:
            return mask
        m = mask.reshape(mask.shape[0], 1, -1).to(torch.float32)
        pads = pads_for(self.mode, [m.shape[-1]], self.kernel, self.stride, self.padding, self.dilation, self.layer_name)
        m = F.pad(m, torch_pad_arg(pads))
        out = F.max_pool1d(m, self.kernel[0], self.stride[0], dilation=self.dilation[0])
        return out[:, 0, :].to(mask.dtype)


@LAYER_CONVERTERS.register(Deconvolution2D)
class Deconv2DModule(ConvModule):
    """Mirrors org.deeplearning4j.nn.layers.convolution.Deconvolution2DLayer (transposed convolution).

    Truncate: out = s*(in-1) + k_eff - 2p. Same: out = in*s, the full transposed output cropped
    from floor((k_eff - s) / 2) at the top/left (libnd4j deconv2d's calcPadding2D)."""

    def conv(self, x):
        w = self.p("W")  # DL4J [nIn, nOut, kH, kW] = torch conv_transpose weight [in, out, kH, kW]
        if self.mode == "Same":
            full = F.conv_transpose2d(x, w, None, stride=self.stride, dilation=self.dilation)
            out_hw = [x.shape[2 + i] * self.stride[i] for i in range(2)]
            starts = []
            for i in range(2):
                ek = self.kernel[i] + (self.kernel[i] - 1) * (self.dilation[i] - 1)
                starts.append(max(0, ((x.shape[2 + i] - 1) * self.stride[i] + ek - out_hw[i]) // 2))
            y = full[:, :, starts[0]: starts[0] + out_hw[0], starts[1]: starts[1] + out_hw[1]]
            return y + self.p("b").reshape(1, -1, 1, 1) if self.has_bias else y
        return F.conv_transpose2d(x, w, self.bias(), stride=self.stride, padding=self.padding, dilation=self.dilation)


@LAYER_CONVERTERS.register(DepthwiseConvolution2D)
class DepthwiseModule(ConvModule):
    """Mirrors org.deeplearning4j.nn.layers.convolution.DepthwiseConvolution2DLayer."""

    def __init__(self, conf, ctx):
        super().__init__(conf, ctx)
        self.dm = int(conf.depthMultiplier)

    def depthwise_weight(self):
        # DL4J W [kH, kW, nIn, dm]; output channel c*dm + m = torch grouped weight [nIn*dm, 1, kH, kW]
        w = self.p("W")
        return w.permute(2, 3, 0, 1).reshape(self.n_in * self.dm, 1, w.shape[0], w.shape[1])

    def conv(self, x):
        return F.conv2d(self.pad(x), self.depthwise_weight(), self.bias(), stride=self.stride,
                        dilation=self.dilation, groups=self.n_in)


@LAYER_CONVERTERS.register(SeparableConvolution2D)
class SeparableModule(DepthwiseModule):
    """Mirrors org.deeplearning4j.nn.layers.convolution.SeparableConvolution2DLayer: depthwise
    (W [dm, nIn, kH, kW]) then pointwise 1x1 (pW [nOut, nIn*dm, 1, 1]) then the bias."""

    def _channels_last(self, conf):
        return enum_name(conf.cnn2dDataFormat) == "NHWC"

    def depthwise_weight(self):
        w = self.p("W")  # [dm, nIn, kH, kW] -> [nIn, dm, kH, kW] -> grouped [nIn*dm, 1, kH, kW]
        return w.permute(1, 0, 2, 3).reshape(self.n_in * self.dm, 1, w.shape[2], w.shape[3])

    def conv(self, x):
        y = F.conv2d(self.pad(x), self.depthwise_weight(), None, stride=self.stride, dilation=self.dilation,
                     groups=self.n_in)
        return F.conv2d(y, self.p("pW"), self.bias())


@LAYER_CONVERTERS.register(Convolution3D)
class Conv3DModule(ConvModule):
    """Mirrors org.deeplearning4j.nn.layers.convolution.Convolution3DLayer: W [nOut, nIn, kD, kH, kW]."""

    DIMS = 3

    def _channels_last(self, conf):
        return enum_name(conf.dataFormat) == "NDHWC"

    def expected(self):
        return (f"rank 5 [minibatch, {self.n_in}, depth, height, width]" if not self.channels_last
                else f"rank 5 [minibatch, depth, height, width, {self.n_in}] (NDHWC)")

    def conv(self, x):
        return F.conv3d(self.pad(x), self.p("W"), self.bias(), stride=self.stride, dilation=self.dilation)


@LAYER_CONVERTERS.register(Deconvolution3D)
class Deconv3DModule(Conv3DModule):
    """Mirrors org.deeplearning4j.nn.layers.convolution.Deconvolution3DLayer: W [kD, kH, kW, nOut, nIn]."""

    def conv(self, x):
        w = self.p("W").permute(4, 3, 0, 1, 2)  # [kD, kH, kW, nOut, nIn] -> torch [nIn, nOut, kD, kH, kW]
        if self.mode == "Same":
            full = F.conv_transpose3d(x, w, None, stride=self.stride, dilation=self.dilation)
            sl = [slice(None), slice(None)]
            for i in range(3):
                out = x.shape[2 + i] * self.stride[i]
                ek = self.kernel[i] + (self.kernel[i] - 1) * (self.dilation[i] - 1)
                start = max(0, ((x.shape[2 + i] - 1) * self.stride[i] + ek - out) // 2)
                sl.append(slice(start, start + out))
            y = full[tuple(sl)]
            return y + self.p("b").reshape(1, -1, 1, 1, 1) if self.has_bias else y
        return F.conv_transpose3d(x, w, self.bias(), stride=self.stride, padding=self.padding, dilation=self.dilation)


