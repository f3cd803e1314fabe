"""Output and loss layers (forward only: the activation of the pre-output; losses are not here).

OutputLayer / CenterLossOutputLayer: act(x·W + b) (CenterLoss's ``cL`` centres are training-only).
LossLayer: act(x). RnnOutputLayer: the dense output per time step. RnnLossLayer / CnnLossLayer /
Cnn3DLossLayer: the activation over the feature/channel axis, per step / pixel / voxel (DL4J
reshapes to 2-D [rows, features] first, so softmax normalises over features).
Yolo2OutputLayer: YoloUtils#activate.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from pydl4j_transfer.conf import (CenterLossOutputLayer, Cnn3DLossLayer, CnnLossLayer, LossLayer, OutputLayer, RnnLossLayer, RnnOutputLayer,
                                    Yolo2OutputLayer)
from ..activations import activation_module
from ..base import LayerModule, act_on_axis, apply_mask_rows
from ..registry import LAYER_CONVERTERS
from .feedforward import DenseModule



def _fmt(value):
    return getattr(value, "name", value)


@LAYER_CONVERTERS.register(OutputLayer, CenterLossOutputLayer)
def _output(conf, ctx):
    """Mirrors org.deeplearning4j.nn.layers.OutputLayer / training.CenterLossOutputLayer (forward = dense)."""
    return DenseModule(conf, ctx)


class LossModule(LayerModule):
    """Mirrors org.deeplearning4j.nn.layers.LossLayer: act(input), masked rows zeroed (BaseLayer-style)."""

    def __init__(self, conf, ctx):
        super().__init__(conf, ctx)
        self.act = activation_module(conf.activationFn, ctx)

    def compute(self, x, mask=None):
        if x.dim() != 2:
            raise self.bad_input(x, "[minibatch, n] (rank 2)")
        return apply_mask_rows(self.act(x), mask)


@LAYER_CONVERTERS.register(LossLayer)
def _loss(conf, ctx):
    return LossModule(conf, ctx)


class RnnOutputModule(DenseModule):
    """Mirrors org.deeplearning4j.nn.layers.recurrent.RnnOutputLayer: the dense output layer applied
    to every time step of [mb, nIn, T] (NCW) / [mb, T, nIn] (NWC). A features mask does NOT zero
    the output at masked steps (DL4J's output() gives act(0·W + b) there; masks matter for the loss)."""

    def __init__(self, conf, ctx):
        super().__init__(conf, ctx)
        self.nwc = _fmt(conf.rnnDataFormat) == "NWC"

    def compute(self, x, mask=None):
        if x.dim() != 3:
            raise self.bad_input(x, f"rank 3 [minibatch, {self.n_in}, T]" + (" (NWC: [minibatch, T, nIn])" if self.nwc else ""))
        xt = x if self.nwc else x.permute(0, 2, 1)  # [mb, T, nIn]
        if xt.shape[2] != self.n_in:
            raise self.bad_input(x, f"{self.n_in} features on axis {2 if self.nwc else 1}")
        z = F.linear(xt, self.p("W"))
        if self.has_bias:
            z = z + self.p("b")
        out = self.act(z)  # not masked: DL4J M2.1's output() leaves masked steps as act(b) (checked)
        return out if self.nwc else out.permute(0, 2, 1)


@LAYER_CONVERTERS.register(RnnOutputLayer)
def _rnn_output(conf, ctx):
    return RnnOutputModule(conf, ctx)


class RnnLossModule(LossModule):
    """Mirrors org.deeplearning4j.nn.layers.recurrent.RnnLossLayer: act over the feature axis per step."""

    def __init__(self, conf, ctx):
        super().__init__(conf, ctx)
        self.nwc = _fmt(conf.rnnDataFormat) == "NWC"

    def compute(self, x, mask=None):
        if x.dim() != 3:
            raise self.bad_input(x, "rank 3 [minibatch, n, T]")
        return act_on_axis(self.act, x, 2 if self.nwc else 1)  # no masking in output(), like RnnOutputLayer


@LAYER_CONVERTERS.register(RnnLossLayer)
def _rnn_loss(conf, ctx):
    return RnnLossModule(conf, ctx)


class CnnLossModule(LossModule):
    """Mirrors org.deeplearning4j.nn.layers.convolution.CnnLossLayer / Cnn3DLossLayer: act over the
    channel axis per pixel/voxel (masks only matter for the loss)."""

    def __init__(self, conf, ctx, rank, channels_last):
        super().__init__(conf, ctx)
        self.rank, self.channels_last = rank, channels_last

    def compute(self, x, mask=None):
        if x.dim() != self.rank:
            raise self.bad_input(x, f"rank {self.rank}")
        return act_on_axis(self.act, x, -1 if self.channels_last else 1)


@LAYER_CONVERTERS.register(CnnLossLayer)
def _cnn_loss(conf, ctx):
    return CnnLossModule(conf, ctx, 4, _fmt(conf.format) == "NHWC")


@LAYER_CONVERTERS.register(Cnn3DLossLayer)
def _cnn3d_loss(conf, ctx):
    return CnnLossModule(conf, ctx, 5, _fmt(conf.dataFormat) == "NDHWC")


class Yolo2OutputModule(LayerModule):
    """Mirrors org.deeplearning4j.nn.layers.objdetect.Yolo2OutputLayer#activate (YoloUtils.activate):
    input [mb, B*(5+C), H, W] viewed as [mb, B, 5+C, H, W]: sigmoid(x, y), prior·exp(w, h),
    sigmoid(confidence), softmax over the C class scores."""

    def __init__(self, conf, ctx):
        super().__init__(conf, ctx)
        priors = torch.as_tensor(conf.boundingBoxes, dtype=torch.float64).reshape(-1, 2)
        self.register_buffer("priors", priors, persistent=False)
        self.nhwc = _fmt(conf.format) == "NHWC"

    def compute(self, x, mask=None):
        if x.dim() != 4:
            raise self.bad_input(x, "rank 4 [minibatch, B*(5+C), H, W]")
        if self.nhwc:
            x = x.permute(0, 3, 1, 2)
        mb, ch, h, w = x.shape
        b = self.priors.shape[0]
        if ch % b or ch // b < 5:
            raise self.bad_input(x, f"B*(5+C) channels with B = {b} bounding-box priors")
        x5 = x.reshape(mb, b, ch // b, h, w)
        xy = torch.sigmoid(x5[:, :, 0:2])
        wh = torch.exp(x5[:, :, 2:4]) * self.priors.to(x.dtype).reshape(1, b, 2, 1, 1)
        conf = torch.sigmoid(x5[:, :, 4:5])
        cls = torch.softmax(x5[:, :, 5:], dim=2)
        out = torch.cat([xy, wh, conf, cls], dim=2).reshape(mb, ch, h, w)
        return out.permute(0, 2, 3, 1) if self.nhwc else out


@LAYER_CONVERTERS.register(Yolo2OutputLayer)
def _yolo(conf, ctx):
    return Yolo2OutputModule(conf, ctx)
