"""Output and loss layers: the forward (the activation of the pre-output) and DL4J's IOutputLayer loss.

OutputLayer / CenterLossOutputLayer: act(x·W + b). LossLayer: act(x). RnnOutputLayer: the dense output per time
step. RnnLossLayer / CnnLossLayer / Cnn3DLossLayer: the activation over the feature/channel axis, per step / pixel /
voxel (DL4J reshapes to 2-D [rows, features] first, so softmax normalises over features).
Yolo2OutputLayer: YoloUtils#activate.

Training (the one way every output layer exposes its loss to torch_backend/training/backprop.py): each is an
:class:`OutputModule`. During a training forward the step sets ``recording``; the module keeps its input and
preOutput (features on the last axis), and :meth:`OutputModule.loss_terms` returns DL4J's ``computeScore`` (before
the regularization term) and the gradients of its ``backpropGradient``: ``(tensor, dL/dtensor)`` pairs for autograd
(the preOutput; CenterLoss: its input too) and gradients written directly into parameters (CenterLoss's centres).
FrozenLayerWithBackprop exposes its wrapped output layer (wrappers.py), as DL4J's ``getOutputLayer()`` unwraps it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
import torch.nn.functional as F

from pydl4j_transfer.conf import (CenterLossOutputLayer, Cnn3DLossLayer, CnnLossLayer, LossLayer, OutputLayer, RnnLossLayer, RnnOutputLayer,
                                    Yolo2OutputLayer)
from pydl4j_transfer.conf.values.activations import ActivationSoftmax
from pydl4j_transfer.conf.values.losses import LossL2
from pydl4j_transfer.errors import InvalidConfigurationError
from ..activations import activate_fresh, activation_module
from ..base import LayerModule, apply_mask_rows
from ..registry import LAYER_CONVERTERS
from ..training.losses import score_and_gradient
from .feedforward import DenseModule


def _fmt(value):
    return getattr(value, "name", value)


def _cls(conf) -> str:
    return (getattr(conf, "dl4jClass", "") or "").rsplit(".", 1)[-1]


@dataclass
class LossTerms:
    """What a training step needs from an output layer: DL4J's score (data part, already divided by the minibatch
    where DL4J divides), ``(tensor, dL/dtensor)`` pairs for autograd, and direct parameter gradients ``{key: grad}``."""

    score: torch.Tensor
    backward: list = field(default_factory=list)
    param_grads: dict = field(default_factory=dict)


class OutputModule(LayerModule):
    """Mirrors org.deeplearning4j.nn.api.layers.IOutputLayer for the training step (BaseOutputLayer semantics:
    the loss function's computeScore / computeGradient on the 2-D preOutput)."""

    #: set by the training step around its forward pass: keep (input, preOutput) for :meth:`loss_terms`
    recording = False
    #: the preOutput's features are on the last axis; True when the labels are laid out that way too (NWC / NHWC)
    labels_channels_last = False

    def output_layer(self):
        return self

    def record(self, x, pre):
        if self.recording:
            self._recorded = (x, pre)

    def start_recording(self):
        self.recording, self._recorded = True, None

    def stop_recording(self):
        self.recording = False

    def recorded(self):
        rec = getattr(self, "_recorded", None)
        if rec is None:
            raise InvalidConfigurationError(f"output layer {self.layer_name!r} produced no preOutput")
        return rec

    def loss_2d(self, pre, labels, lmask):
        """preOutput / labels / mask as DL4J's 2-D [rows, nOut] (time steps / pixels become rows)."""
        conf = self.dl4j_conf
        n = pre.shape[-1]
        if pre.dim() == 2:
            sparse = "Sparse" in _cls(conf.lossFn)
            if tuple(labels.shape) != tuple(pre.shape) and not (labels.dim() == 2 and labels.shape[0] == pre.shape[0]
                                                                and labels.shape[1] == 1 and sparse):
                raise InvalidConfigurationError(
                    f"output layer {self.layer_name!r} ({_cls(conf)}): expected labels of shape {list(pre.shape)}"
                    f" ([minibatch, nOut = {n}]), got {list(labels.shape)}")
            return pre, labels, lmask
        last = self.labels_channels_last

        def to2d(a, width):
            return (a if last else a.movedim(1, -1)).reshape(-1, width)

        want = tuple(pre.shape) if last else (pre.shape[0], n) + tuple(pre.shape[1:-1])
        if tuple(labels.shape) != want:
            raise InvalidConfigurationError(f"output layer {self.layer_name!r} ({_cls(conf)}): expected labels of "
                                            f"shape {list(want)}, got {list(labels.shape)}")
        m2 = None
        if lmask is not None:
            m2 = to2d(lmask, n) if tuple(lmask.shape) == want else lmask.reshape(-1, 1)
        return pre.reshape(-1, n), to2d(labels, n), m2

    def loss_terms(self, labels, lmask, mini_batch: bool) -> LossTerms:
        """Mirrors BaseOutputLayer#computeScore (score / minibatch when miniBatch) and #backpropGradient (the loss
        function's computeGradient, dL/dpreOutput)."""
        _, pre = self.recorded()
        conf = self.dl4j_conf
        pre2, y2, m2 = self.loss_2d(pre, labels, lmask)
        loss, g = score_and_gradient(conf.lossFn, y2, pre2, conf.activationFn, m2)
        mb = labels.shape[0]
        return LossTerms(loss / mb if mini_batch else loss, [(pre2, g)] if pre2.requires_grad else [])


@LAYER_CONVERTERS.register(OutputLayer)
class OutputDenseModule(OutputModule, DenseModule):
    """Mirrors org.deeplearning4j.nn.layers.OutputLayer: act(x·W + b)."""

    def compute(self, x, mask=None):
        z = self.pre_output(x, mask)
        self.record(x, z)
        out = self.act(z) if self.recording else activate_fresh(self.act, z)
        return apply_mask_rows(out, mask)


@LAYER_CONVERTERS.register(CenterLossOutputLayer)
class CenterLossOutputModule(OutputDenseModule):
    """Mirrors org.deeplearning4j.nn.layers.training.CenterLossOutputLayer: the forward is OutputLayer's; the loss adds
    the intra-class term ``lambda/2 · Σ ||x - c_y||²`` (c_y = labels · cL, the class centres), its gradient
    ``lambda·(x - c_y)`` to the input, and the centres' update ``alpha · Lᵀ(c_y - x) / (Σ_examples L + 1)``
    (DL4J's getGradientsAndDelta; ``gradientCheck``: ``lambda · alpha · Lᵀ(c_y - x)``)."""

    def loss_terms(self, labels, lmask, mini_batch: bool) -> LossTerms:
        x, pre = self.recorded()
        conf = self.dl4j_conf
        pre2, y2, m2 = self.loss_2d(pre, labels, lmask)
        inter, g = score_and_gradient(conf.lossFn, y2, pre2, conf.activationFn, m2)
        centres = self.p("cL")  # [nOut, nIn] 'c': the same shape in torch
        lam, alpha = float(conf.lambda_), float(conf.alpha)
        with torch.no_grad():
            lab = labels.to(centres.dtype)
            c_y = lab @ centres  # [mb, nIn]
            diff = x.detach() - c_y
            intra = lam / 2.0 * (diff * diff).sum()
            numerator = lab.t() @ (-diff * alpha)  # Lᵀ((c_y - x)·alpha)
            if conf.gradientCheck:
                delta_c = numerator * lam
            else:
                delta_c = numerator / (lab.sum(0).reshape(-1, 1) + 1.0)
        score = (inter + intra) / labels.shape[0]  # DL4J divides by the minibatch whatever miniBatch says
        backward = [(pre2, g)] if pre2.requires_grad else []
        if x.requires_grad:
            backward.append((x, diff * lam))  # epsilonNext += lambda · dLc/da_i
        return LossTerms(score, backward, {"cL": delta_c})


class LossModule(OutputModule):
    """Mirrors org.deeplearning4j.nn.layers.LossLayer: act(input), masked rows zeroed (BaseLayer-style)."""

    def __init__(self, conf, ctx):
        super().__init__(conf, ctx)
        self.act = activation_module(conf.activationFn, ctx)

    def compute(self, x, mask=None):
        if x.dim() != 2:
            raise self.bad_input(x, "[minibatch, n] (rank 2)")
        self.record(x, x)
        return apply_mask_rows(self.act(x), mask)


@LAYER_CONVERTERS.register(LossLayer)
def _loss(conf, ctx):
    return LossModule(conf, ctx)


class RnnOutputModule(OutputModule, DenseModule):
    """Mirrors org.deeplearning4j.nn.layers.recurrent.RnnOutputLayer: the dense output layer applied
    to every time step of [mb, nIn, T] (NCW) / [mb, T, nIn] (NWC). A features mask does NOT zero
    the output at masked steps (DL4J's output() gives act(0·W + b) there; masks matter for the loss)."""

    def __init__(self, conf, ctx):
        super().__init__(conf, ctx)
        self.nwc = _fmt(conf.rnnDataFormat) == "NWC"
        self.labels_channels_last = self.nwc

    def compute(self, x, mask=None):
        if x.dim() != 3:
            raise self.bad_input(x, f"rank 3 [minibatch, {self.n_in}, T]" + (" (NWC: [minibatch, T, nIn])" if self.nwc else ""))
        xt = x if self.nwc else x.permute(0, 2, 1)  # [mb, T, nIn]
        if xt.shape[2] != self.n_in:
            raise self.bad_input(x, f"{self.n_in} features on axis {2 if self.nwc else 1}")
        z = F.linear(xt, self.p("W"))
        if self.has_bias:
            z = z + self.p("b")
        self.record(x, z)  # [mb, T, nOut]: features last
        out = self.act(z)  # not masked: DL4J M2.1's output() leaves masked steps as act(b) (checked)
        return out if self.nwc else out.permute(0, 2, 1)


@LAYER_CONVERTERS.register(RnnOutputLayer)
def _rnn_output(conf, ctx):
    return RnnOutputModule(conf, ctx)


class _AxisLossModule(LossModule):
    """A loss layer whose activation runs over a feature axis that is not the last (DL4J reshapes to 2-D first)."""

    rank = 3
    feature_axis = 1

    def compute(self, x, mask=None):
        if x.dim() != self.rank:
            raise self.bad_input(x, self.expected)
        axis = self.feature_axis % x.dim()
        last = x.dim() - 1
        pre = x if axis == last else x.movedim(axis, last)  # features last (movedim with a non-negative dim: ONNX)
        self.record(x, pre)
        out = self.act(pre)  # no masking in output(), like RnnOutputLayer
        return out if axis == last else out.movedim(last, axis)


class RnnLossModule(_AxisLossModule):
    """Mirrors org.deeplearning4j.nn.layers.recurrent.RnnLossLayer: act over the feature axis per step."""

    expected = "rank 3 [minibatch, n, T]"

    def __init__(self, conf, ctx):
        super().__init__(conf, ctx)
        self.nwc = _fmt(conf.rnnDataFormat) == "NWC"
        self.feature_axis = 2 if self.nwc else 1
        self.labels_channels_last = self.nwc


@LAYER_CONVERTERS.register(RnnLossLayer)
def _rnn_loss(conf, ctx):
    return RnnLossModule(conf, ctx)


class CnnLossModule(_AxisLossModule):
    """Mirrors org.deeplearning4j.nn.layers.convolution.CnnLossLayer / Cnn3DLossLayer: act over the
    channel axis per pixel/voxel (masks only matter for the loss)."""

    def __init__(self, conf, ctx, rank, channels_last):
        super().__init__(conf, ctx)
        self.rank, self.channels_last = rank, channels_last
        self.feature_axis = -1 if channels_last else 1
        self.labels_channels_last = channels_last
        self.expected = f"rank {rank}"


@LAYER_CONVERTERS.register(CnnLossLayer)
def _cnn_loss(conf, ctx):
    return CnnLossModule(conf, ctx, 4, _fmt(conf.format) == "NHWC")


@LAYER_CONVERTERS.register(Cnn3DLossLayer)
def _cnn3d_loss(conf, ctx):
    return CnnLossModule(conf, ctx, 5, _fmt(conf.dataFormat) == "NDHWC")


@LAYER_CONVERTERS.register(Yolo2OutputLayer)
class Yolo2OutputModule(OutputModule):
    """Mirrors org.deeplearning4j.nn.layers.objdetect.Yolo2OutputLayer#activate (YoloUtils.activate):
    input [mb, B*(5+C), H, W] viewed as [mb, B, 5+C, H, W]: sigmoid(x, y), prior·exp(w, h),
    sigmoid(confidence), softmax over the C class scores. Its loss: :func:`yolo2_loss`."""

    def __init__(self, conf, ctx):
        super().__init__(conf, ctx)
        priors = torch.as_tensor(conf.boundingBoxes, dtype=torch.float64).reshape(-1, 2)
        self.register_buffer("priors", priors, persistent=False)
        self.nhwc = _fmt(conf.format) == "NHWC"

    def compute(self, x, mask=None):
        if x.dim() != 4:
            raise self.bad_input(x, "rank 4 [minibatch, B*(5+C), H, W]")
        self.record(x, x)
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

    def loss_terms(self, labels, lmask, mini_batch: bool) -> LossTerms:
        x, _ = self.recorded()
        score, eps = yolo2_loss(self, x.detach(), labels)
        return LossTerms(score, [(x, eps)] if x.requires_grad else [])


def _sigmoid_backprop(pre, grad):
    s = torch.sigmoid(pre)
    return grad * s * (1.0 - s)


def _nan_to_zero(t):
    return torch.where(torch.isnan(t), torch.zeros_like(t), t)


def _rows(t5, mb, b, h, w):
    """[mb, b, k, h, w] -> [mb*b*h*w, k] (DL4J: permute(0,1,3,4,2).dup('c').reshape)."""
    return t5.permute(0, 1, 3, 4, 2).reshape(mb * b * h * w, -1)


def _iou(label_tl, label_br, pred_wh, pred_xy_in_box, present, present_bool):
    """Mirrors Yolo2OutputLayer#calculateIOULabelPredicted: IOU [mb, b, h, w] and dIOU/dxy, dIOU/dwh [mb, b, 2, h, w]."""
    mb, _, h, w = label_tl.shape
    dtype, dev = pred_wh.dtype, pred_wh.device
    label_wh = label_br - label_tl
    grid = torch.stack([torch.arange(w, dtype=dtype, device=dev).reshape(1, w).expand(h, w),
                        torch.arange(h, dtype=dtype, device=dev).reshape(h, 1).expand(h, w)])  # [2, h, w]: x, y
    pred_xy = pred_xy_in_box + grid
    half = pred_wh * 0.5
    pred_tl, pred_br = pred_xy - half, pred_xy + half
    ltl, lbr = label_tl.unsqueeze(1), label_br.unsqueeze(1)  # [mb, 1, 2, h, w]
    diff = torch.minimum(pred_br, lbr) - torch.maximum(pred_tl, ltl)
    inter = diff.prod(2) * present.unsqueeze(1)
    no_int1, no_int2 = pred_br <= ltl, pred_tl >= lbr
    no_int = (no_int1[:, :, 0] | no_int1[:, :, 1]) | (no_int2[:, :, 0] | no_int2[:, :, 1])
    int_mask = ((~no_int) & present_bool.unsqueeze(1)).to(dtype)
    inter = inter * int_mask
    area_pred = pred_wh.prod(2) * present.unsqueeze(1)
    union = (area_pred + label_wh.prod(1).unsqueeze(1) - inter) * int_mask
    iou = _nan_to_zero(inter / union) * present.unsqueeze(1)
    mask_max_tl = (pred_tl > ltl).to(dtype)
    mask_min_br = (pred_br < lbr).to(dtype)
    di_dxy = mask_min_br - mask_max_tl
    di_dwh = (mask_min_br + mask_max_tl) * 0.5
    swap = diff[:, :, [1, 0]]  # d/dx scales with the overlap height, d/dy with the width
    di_dxy, di_dwh = di_dxy * swap, di_dwh * swap
    u_plus_i, u2 = union + inter, union * union
    diou_dxy = di_dxy * _nan_to_zero(u_plus_i / u2).unsqueeze(2)
    ihw = pred_wh[:, :, [1, 0]] * inter.unsqueeze(2)
    diou_dwh = _nan_to_zero((di_dwh * u_plus_i.unsqueeze(2) - ihw) / u2.unsqueeze(2))
    return iou, diou_dxy, diou_dwh


def yolo2_loss(module, x, labels):
    """Mirrors Yolo2OutputLayer#computeBackpropGradientAndScore: (score / minibatch, dL/dinput).

    Labels [mb, 4+C, H, W] (NHWC: [mb, H, W, 4+C]): box corners (x1, y1, x2, y2) in grid units, then the one-hot
    class (all zero where no object). Position and size losses use ``lossPositionScale`` on (x, y) in the grid cell and
    on sqrt(w, h), the confidence an L2 loss towards the IOU (``lambdaNoObj`` where no object / not the best box), the
    classes ``lossClassPredictions`` after softmax; the gradient is DL4J's, including the confidence loss's terms
    through the IOU."""
    conf = module.dl4j_conf
    with torch.no_grad():
        nchw = not module.nhwc
        inp = x if nchw else x.permute(0, 3, 1, 2)
        lab = labels.to(inp.dtype)
        if lab.dim() != 4:
            raise InvalidConfigurationError(f"output layer {module.layer_name!r} (Yolo2OutputLayer): expected rank 4 "
                                            f"labels [minibatch, 4+numClasses, H, W], got {list(labels.shape)}")
        if not nchw:
            lab = lab.permute(0, 3, 1, 2)
        lambda_coord, lambda_noobj = float(conf.lambdaCoord), float(conf.lambdaNoObj)
        mb, _, h, w = inp.shape
        priors = module.priors.to(inp.dtype)
        b, c = priors.shape[0], lab.shape[1] - 4
        if tuple(inp.shape) != (mb, b * (5 + c), h, w) or tuple(lab.shape[2:]) != (h, w):
            raise InvalidConfigurationError(
                f"output layer {module.layer_name!r} (Yolo2OutputLayer): input {list(inp.shape)} does not match "
                f"[minibatch, B*(5+C), H, W] = [{mb}, {b * (5 + c)}, {h}, {w}] with B={b} priors and C={c} classes "
                f"from labels {list(lab.shape)}; the last convolution's nOut must be B*(5+C)")
        class_labels = lab[:, 4:]
        present = class_labels.sum(1)  # [mb, h, w]
        present_bool = present != 0
        label_tl, label_br = lab[:, 0:2], lab[:, 2:4]
        center = (label_tl + label_br) * 0.5
        center_in_box = center - torch.floor(center)
        label_wh_sqrt = torch.sqrt(label_br - label_tl)

        x5 = inp.reshape(mb, b, 5 + c, h, w)
        cls_pre = x5[:, :, 5:]
        xy_pre = x5[:, :, 0:2]
        pred_xy = torch.sigmoid(xy_pre)
        pred_wh = torch.exp(x5[:, :, 2:4]) * priors.reshape(1, b, 2, 1, 1)
        pred_wh_sqrt = torch.sqrt(pred_wh)

        iou, diou_dxy, diou_dwh = _iou(label_tl, label_br, pred_wh, pred_xy, present, present_bool)
        best = F.one_hot(iou.argmax(dim=1), b).permute(0, 3, 1, 2).bool()  # IsMax over the boxes (first maximum)
        mask_obj = (best & present_bool.unsqueeze(1)).to(inp.dtype)  # 1_ij^obj [mb, b, h, w]
        mask_noobj = 1.0 - mask_obj
        label_conf = iou * mask_obj
        conf_pre = x5[:, :, 4]
        pred_conf = torch.sigmoid(conf_pre)

        n = mb * b * h * w
        m_obj = mask_obj.reshape(n, 1)
        m_noobj = 1.0 - m_obj

        def bcast(t):  # [mb, k, h, w] -> [mb, b, k, h, w]
            return t.unsqueeze(1).expand(mb, b, *t.shape[1:])

        xy2, label_xy2 = _rows(pred_xy, mb, b, h, w), _rows(bcast(center_in_box), mb, b, h, w)
        whs2, label_whs2 = _rows(pred_wh_sqrt, mb, b, h, w), _rows(bcast(label_wh_sqrt), mb, b, h, w)
        label_conf2, conf2 = label_conf.reshape(n, 1), pred_conf.reshape(n, 1)
        cls2, cls_label2 = _rows(cls_pre, mb, b, h, w), _rows(bcast(class_labels), mb, b, h, w)

        l2 = LossL2()
        pos, g_xy = score_and_gradient(conf.lossPositionScale, label_xy2, xy2, None, m_obj)
        size, g_whs = score_and_gradient(conf.lossPositionScale, label_whs2, whs2, None, m_obj)
        conf_a, g_ca = score_and_gradient(l2, label_conf2, conf2, None, m_obj)
        conf_b, g_cb = score_and_gradient(l2, label_conf2, conf2, None, m_noobj)
        cls_score, g_cls = score_and_gradient(conf.lossClassPredictions, cls_label2, cls2, ActivationSoftmax(), m_obj)
        score = (lambda_coord * (pos + size) + conf_a + lambda_noobj * conf_b + cls_score) / mb

        def five(t2, k):  # [mb*b*h*w, k] -> [mb, b, k, h, w]
            return t2.reshape(mb, b, h, w, k).permute(0, 1, 4, 2, 3)

        eps = torch.empty_like(x5)
        eps[:, :, 5:] = five(g_cls, c)
        eps_xy = _sigmoid_backprop(xy_pre, five(g_xy * lambda_coord, 2))
        g_wh = g_whs * 0.5 / whs2  # dL/dsqrt(w) -> dL/dw
        eps_wh = five(g_wh, 2) * pred_wh * lambda_coord  # w = prior·exp(t): dw/dt = w
        dlc_dc = g_ca + g_cb * lambda_noobj
        eps[:, :, 4] = _sigmoid_backprop(conf_pre.reshape(n, 1), dlc_dc).reshape(mb, b, h, w)
        # the confidence loss also reaches x, y, w, h through the IOU it is trained towards
        dlc_diou = 2.0 * (iou - pred_conf) * (mask_noobj * lambda_noobj + mask_obj)
        dlc_din_wh = diou_dwh * dlc_diou.unsqueeze(2) * pred_wh * mask_obj.unsqueeze(2)
        dlc_din_xy = _sigmoid_backprop(xy_pre, diou_dxy * dlc_diou.unsqueeze(2)) * mask_obj.unsqueeze(2)
        eps[:, :, 0:2] = eps_xy + dlc_din_xy
        eps[:, :, 2:4] = eps_wh + dlc_din_wh
        eps = eps.reshape(inp.shape)
        if not nchw:
            eps = eps.permute(0, 2, 3, 1)
    return score, eps
