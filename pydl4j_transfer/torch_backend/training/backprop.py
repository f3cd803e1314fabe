"""DL4J's ``computeGradientAndScore`` on a :class:`~pydl4j_transfer.torch_backend.runtime.TorchRuntime`.

Mirrors ``MultiLayerNetwork#computeGradientAndScore`` / ``ComputationGraph#computeGradientAndScore``:

* the forward pass in training mode; each output layer's loss from its recorded *preOutput*
  (``OutputModule.loss_terms``, layers/output.py: DL4J's IOutputLayer ``computeScore`` and the gradient of its
  ``backpropGradient``: the loss function's ``computeGradient``, Yolo2's and CenterLoss's own); autograd carries
  that gradient from the preOutput through the hidden layers (``calcBackpropGradients``);
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
from .regularization import in_score, regularizations_for
from .schedules import value_at


def _class_name(conf) -> str:
    return (getattr(conf, "dl4jClass", "") or "").rsplit(".", 1)[-1]


def output_layers(rt):
    """[(output name, output-layer module, NeuralNetConfiguration-ish for miniBatch)]: each network output's
    :class:`~pydl4j_transfer.torch_backend.layers.output.OutputModule` (inside a FrozenLayerWithBackprop too, as
    DL4J's getOutputLayer unwraps it); a network output that is not one is DL4J's error."""
    module, conf = rt.module, rt.conf
    if not rt.graph:
        name = module.layer_names[-1]
        nnc = conf.confs[-1]
        top = getattr(module, name)
        found = top.output_layer()
        if found is None:
            raise InvalidConfigurationError(
                "Cannot calculate gradient and score with respect to labels: final layer is not an IOutputLayer. "
                f"Final layer {name!r}: {nnc.layer.runtime_class_name()} (DL4J's DL4JException). To fit a network "
                "with backpropagation, the final layer must be an output layer (a FrozenLayer around one is not)")
        return [(name, found, nnc)]
    out = []
    for name in module.output_names:
        v = getattr(module, name)
        layer = getattr(v, "layer", None)
        vconf = conf.vertices[name]
        found = None if layer is None else layer.output_layer()
        if found is None:
            kind = type(vconf).__name__ if getattr(vconf, "layer", None) is None else vconf.layer.runtime_class_name()
            raise InvalidConfigurationError(
                f"network output {name!r} ({kind}) is not an output layer (DL4J's IOutputLayer): only output layers "
                "can be fit via backprop with a labels array (a FrozenLayer around one is not; DL4J fails too)")
        out.append((name, found, getattr(vconf, "layerConf", None) or conf.defaultConfiguration))
    return out


def regularization_score(rt, iteration, epoch):
    """Mirrors calcRegularizationScore(true): Σ over non-frozen layers' backprop params of reg.score(param).

    Uses the real per-parameter slices (the layer's paramTable views), not the updater blocks'
    sequential positions (which differ for layers whose flat order is not their param-table order).
    Which regularization covers which slice is worked out once per runtime (``rt.score_plan``)."""
    if rt.score_plan is None:
        rt.score_plan = _score_plan(rt)
    total = None
    for _, reg, s, e in rt.score_plan:
        term = regularization_term(reg, rt.params[s:e], iteration, epoch)
        total = term if total is None else total + term
    return total


def regularization_term(reg, p, iteration, epoch):
    """Mirrors Regularization#score(param, iteration, epoch) of L1Regularization, L2Regularization and WeightDecay
    (a 0-d tensor); None for any other regularization."""
    cls = _class_name(reg)
    if cls == "L1Regularization":
        return value_at(reg.l1, iteration, epoch) * p.abs().sum()
    if cls == "L2Regularization":
        return 0.5 * value_at(reg.l2, iteration, epoch) * (p * p).sum()
    if cls == "WeightDecay":
        return 0.5 * value_at(reg.coeff, iteration, epoch) * (p * p).sum()
    return None


def _score_plan(rt) -> list:
    """[(regularization class name, reg, start, end)] for :func:`regularization_score`."""
    layers = {str(o): layer for o, layer in rt.layers_by_owner.items()}
    plan = []
    for slot in rt.slots:
        layer = layers.get(str(slot.owner))
        if layer is None or getattr(layer, "isPretrainParam", lambda k: False)(slot.key) or not in_score(layer):
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

    bn_inputs, bn_reached, handles = [], set(), []
    cuts, bns = rt.enter_training()
    # an output layer inside a FrozenLayerWithBackprop computes its loss in training mode (DL4J unwraps it and calls
    # its computeScore(training=true): input dropout / weight noise apply), though the wrapper keeps it in inference
    relaxed = [layer for _, layer, _ in outs if not layer.training]
    try:
        for layer in relaxed:
            layer.training = True
        for _, layer, _ in outs:
            layer.start_recording()  # the output layers keep their input and preOutput for their loss
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
        for _, layer, _ in outs:
            layer.stop_recording()
        for layer in relaxed:
            layer.training = False

    reg = regularization_score(rt, iteration, epoch)
    score, tensors, grads, direct = None, [], [], []
    for (name, layer, nnc), y, lm in zip(outs, ys, lms):
        # DL4J's output layer: computeScore (the loss function's score, / minibatch) and backpropGradient (the loss
        # gradient at the preOutput; Yolo2 / CenterLoss: their own), carried down by autograd
        terms = layer.loss_terms(y, lm, getattr(nnc, "miniBatch", mini_batch_default) is not False)
        for t, g in terms.backward:
            tensors.append(t)
            grads.append(g)
        direct.extend((layer, key, g) for key, g in terms.param_grads.items())
        s = terms.score if reg is None else terms.score + reg
        score = s if score is None else score + s
    if tensors:
        torch.autograd.backward(tensors, grads)
    with torch.no_grad():
        for layer, key, g in direct:  # gradients DL4J sets directly (CenterLoss's centres); frozen: zero, as DL4J
            p = layer._store.get_parameter(layer.param_prefix + key)
            if p.requires_grad and p.grad is not None:
                p.grad.copy_(g.reshape(p.grad.shape))
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
