"""DL4J's ``computeGradientAndScore`` on a :class:`~pydl4j_transfer.torch_backend.runtime.TorchRuntime`.

Mirrors ``MultiLayerNetwork#computeGradientAndScore`` / ``ComputationGraph#computeGradientAndScore``:

* the forward pass in training mode; the loss from each output layer's *preOutput* and activation
  (``losses.score_and_gradient``: DL4J's ``computeScore`` and ``computeGradient``); autograd carries that
  gradient from the preOutput through the hidden layers (``calcBackpropGradients``);
* the gradients land directly in the runtime's flat gradient tensor in DL4J's parameter order (the module's
  ``.grad`` tensors are views into it, bound by the runtime);
* BatchNormalization's running-statistics slots get ``old - new`` (DL4J's NoOp-updater trick:
  ``params -= (old - new)`` gives ``new``);
* score = Σ_outputs (loss / minibatch + regularization score): DL4J adds the L1/L2/WeightDecay score once per
  output layer (``ComputationGraph#computeGradientAndScore``).

DL4J writes a layer's gradient view only when backprop reaches it; below a FrozenLayer the view keeps its
old content (the previous update), which the next step uses as the gradient: reproduced here.
"""

from __future__ import annotations

import math

import torch

from pydl4j_transfer.errors import InvalidConfigurationError

from ..layers.normalization import BatchNormModule
from .losses import score_and_gradient
from .regularization import regularizations_for
from .schedules import value_at


def _class_name(conf) -> str:
    return (getattr(conf, "dl4jClass", "") or "").rsplit(".", 1)[-1]


def output_layers(rt):
    """[(output name, layer module, layer conf, NeuralNetConfiguration-ish for miniBatch)]"""
    module, conf = rt.module, rt.conf
    if not rt.graph:
        name = module.layer_names[-1]
        nnc = conf.confs[-1]
        return [(name, getattr(module, name), nnc.layer, nnc)]
    out = []
    for name in module.output_names:
        v = getattr(module, name)
        layer = getattr(v, "layer", None)
        vconf = conf.vertices[name]
        if layer is None or getattr(vconf, "layer", None) is None:
            raise InvalidConfigurationError(f"network output {name!r} is not a layer vertex with an output layer")
        out.append((name, layer, vconf.layer, getattr(vconf, "layerConf", None) or conf.defaultConfiguration))
    return out


def _loss_inputs(lname, layer, lconf, pre, labels, lmask):
    """preOutput / labels / mask as DL4J's 2-D [rows, nOut] (time steps / pixels become rows)."""
    if getattr(lconf, "lossFn", None) is None:
        raise InvalidConfigurationError(
            f"layer {lname!r} ({_class_name(lconf)}) is the network output but is not an output layer (no loss function)")
    n = pre.shape[-1]
    if pre.dim() == 2:
        if tuple(labels.shape) != tuple(pre.shape) and not (labels.dim() == 2 and labels.shape[0] == pre.shape[0]
                                                            and labels.shape[1] == 1 and "Sparse" in _class_name(lconf.lossFn)):
            raise InvalidConfigurationError(
                f"output layer {lname!r} ({_class_name(lconf)}): expected labels of shape {list(pre.shape)}"
                f" ([minibatch, nOut = {n}]), got {list(labels.shape)}")
        return pre, labels, lmask
    channels_last = bool(getattr(layer, "nwc", False) or getattr(layer, "channels_last", False))

    def to2d(a, width):
        a = a if channels_last else a.movedim(1, -1)
        return a.reshape(-1, width)

    want = tuple(pre.shape) if channels_last else (pre.shape[0], n) + tuple(pre.shape[1:-1])
    if tuple(labels.shape) != want:
        raise InvalidConfigurationError(
            f"output layer {lname!r} ({_class_name(lconf)}): expected labels of shape {list(want)}, got {list(labels.shape)}")
    l2 = to2d(labels, n)
    m2 = None
    if lmask is not None:
        m2 = to2d(lmask, n) if tuple(lmask.shape) == want else lmask.reshape(-1, 1)
    return pre.reshape(-1, n), l2, m2


def regularization_score(rt, iteration, epoch):
    """Mirrors calcRegularizationScore(true): Σ over non-frozen layers' backprop params of reg.score(param).

    Uses the real per-parameter slices (the layer's paramTable views), not the updater blocks'
    sequential positions (which differ for layers whose flat order is not their param-table order).
    Which regularization covers which slice is worked out once per runtime (``rt.score_plan``)."""
    if rt.score_plan is None:
        rt.score_plan = _score_plan(rt)
    total = None
    for cls, reg, s, e in rt.score_plan:
        p = rt.params[s:e]
        if cls == "L1Regularization":
            term = value_at(reg.l1, iteration, epoch) * p.abs().sum()
        elif cls == "L2Regularization":
            term = 0.5 * value_at(reg.l2, iteration, epoch) * (p * p).sum()
        else:  # WeightDecay
            term = 0.5 * value_at(reg.coeff, iteration, epoch) * (p * p).sum()
        total = term if total is None else total + term
    return total


def _score_plan(rt) -> list:
    """[(regularization class name, reg, start, end)] for :func:`regularization_score`."""
    layers = {str(o): layer for o, layer in rt.layers_by_owner.items()}
    plan = []
    for slot in rt.slots:
        layer = layers.get(str(slot.owner))
        if layer is None or getattr(layer, "isPretrainParam", lambda k: False)(slot.key):
            continue
        for reg in regularizations_for(layer, slot.key):
            cls = _class_name(reg)
            if cls not in ("L1Regularization", "L2Regularization", "WeightDecay"):
                raise InvalidConfigurationError(f"no score for regularization {reg.dl4jClass!r}")
            plan.append((cls, reg, slot.offset, slot.offset + math.prod(slot.shape)))
    return plan


def compute_gradient_and_score(rt, feats, labels, fmasks, lmasks, iteration, epoch, mini_batch_default=True):
    """Mirrors computeGradientAndScore: fills ``rt.grads`` (DL4J order, raw: not divided by the
    minibatch) and returns the score tensor; BatchNorm running-stat slots hold ``old - new``."""
    module = rt.module
    xs = [rt.tensor(x) for x in feats]
    ys = [rt.tensor(y) for y in labels]
    fms = None if fmasks is None or all(m is None for m in fmasks) else [rt.tensor(m, rt.params.dtype) for m in fmasks]
    lms = [None] * len(ys) if lmasks is None else [rt.tensor(m, rt.params.dtype) for m in lmasks]
    outs = output_layers(rt)
    if len(ys) != len(outs):
        raise InvalidConfigurationError(
            f"the network has {len(outs)} output(s) {[o[0] for o in outs]} but {len(ys)} label array(s) were given")
    if not rt.graph and len(xs) != 1:
        raise InvalidConfigurationError(f"a MultiLayerNetwork takes 1 input array, got {len(xs)}")

    captured, bn_inputs, bn_reached, handles = {}, [], set(), []
    cuts, bns = rt.enter_training()
    try:
        for name, layer, _, _ in outs:
            handles.append(layer.act.register_forward_pre_hook(
                lambda m, args, _n=name: captured.__setitem__(_n, args[0])))
        for m in cuts:
            handles.append(m.register_forward_hook(lambda mod, args, out: out.detach()))
        for m in bns:
            handles.append(m.register_forward_hook(
                lambda mod, args, out: _bn_seen(mod, args[0], out, bn_inputs, bn_reached)))
        prev = rt.grads.clone() if rt.has_cut else None
        reached = set()
        if prev is not None:
            for _, m in rt.top_modules():
                handles.append(m.register_forward_hook(lambda mod, args, out: _mark(mod, out, reached)))
        rt.bind_grads()
        if rt.graph:
            module(*xs, masks=fms)
        else:
            module(xs[0], mask=None if fms is None else fms[0])
    finally:
        for h in handles:
            h.remove()

    reg = regularization_score(rt, iteration, epoch)
    mb = xs[0].shape[0]
    score, pres, grads = None, [], []
    for (name, layer, lconf, nnc), y, lm in zip(outs, ys, lms):
        pre = captured.get(name)
        if pre is None:
            raise InvalidConfigurationError(f"output layer {name!r} produced no preOutput")
        pre2, y2, m2 = _loss_inputs(name, layer, lconf, pre, y, lm)
        # DL4J's output layer: the loss function's computeScore and computeGradient (dL/dpreOutput), then
        # backprop of that gradient through the layers (autograd from the preOutput down)
        loss, g = score_and_gradient(lconf.lossFn, y2, pre2, lconf.activationFn, m2)
        if pre2.requires_grad:
            pres.append(pre2)
            grads.append(g)
        s = loss / mb if getattr(nnc, "miniBatch", mini_batch_default) is not False else loss
        if reg is not None:
            s = s + reg
        score = s if score is None else score + s
    if pres:
        torch.autograd.backward(pres, grads)
    rt.collect_grads()
    if prev is not None:
        reached.update(id(getattr(module, name)) for name, *_ in outs)  # the loss starts at their preOutput
        with torch.no_grad():
            rt.restore_unreached(prev, reached)
    with torch.no_grad():
        for bn, x in bn_inputs:
            if id(bn) not in bn_reached:
                continue  # DL4J never called this layer's backprop (below a FrozenLayer)
            for key, new in bn.running_update(x).items():
                p = bn._store.get_parameter(bn.param_prefix + key)
                s, e = rt.slices[id(p)]
                rt.grads[s:e].copy_((p - new.reshape(p.shape)).reshape(-1))
    rt.score = score
    return score


def _mark(mod, out, reached):
    if isinstance(out, torch.Tensor) and out.requires_grad:
        out.register_hook(lambda g: reached.add(id(mod)))
    return None


def _bn_seen(mod, x, out, inputs, reached):
    inputs.append((mod, x.detach()))
    if out.requires_grad:
        out.register_hook(lambda g: reached.add(id(mod)))
    return None


def is_batch_norm_in_training(m) -> bool:
    return isinstance(m, BatchNormModule) and m.training


__all__ = ["compute_gradient_and_score", "regularization_score", "output_layers"]
