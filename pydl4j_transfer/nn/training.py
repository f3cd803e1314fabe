"""DL4J's training loop for MultiLayerNetwork / ComputationGraph on the torch backend.

One DL4J iteration (``Solver#optimize`` -> ``StochasticGradientDescent#optimize``) is
:func:`train_step`:

1. ``computeGradientAndScore``: the forward pass in training mode; the loss from each output
   layer's *preOutput* and activation (``training.losses.score_and_gradient``: DL4J's ``computeScore``
   and ``computeGradient``); autograd carries that gradient from the preOutput through the hidden layers
   (``calcBackpropGradients``);
   the gradients land directly in one flat tensor in DL4J's parameter order (the module's
   ``.grad`` tensors are views into it). BatchNormalization's running-statistics slots get
   ``old - new`` (DL4J's NoOp-updater trick: ``params -= (old - new)`` gives ``new``).
   Score = Σ_outputs (loss / minibatch + regularization score) — DL4J adds the L1/L2/WeightDecay
   score once per output layer (``ComputationGraph#computeGradientAndScore``).
2. the updater: ``training.step.apply_update_blocks`` (minibatch division, gradient
   normalization, L1/L2, updater, weight decay, ``params -= update``) with the iteration and
   epoch counts *before* the step;
3. ``iterationCount += 1`` (kept in the configuration, as DL4J's ``BaseOptimizer#incrementIterationCount``);
4. the layers' parameter constraints (``BaseOptimizer#applyConstraints``, after the listeners'
   ``iterationDone`` and the count increment; frozen layers none): ``training.constraints``.

With ``BackpropType.TruncatedBPTT``, :func:`fit_batch` runs DL4J's ``doTruncatedBPTT`` instead: one
iteration per time segment, RNN state carried between segments (nn/rnn.py).

The network's parameters and updater state live in flat torch tensors (on CPU they share memory
with the network's numpy ``params()`` / updater state); the module's Parameters are views into
the flat parameter tensor, so ``torchModule()`` always sees the trained values. Nothing in a step
copies to the host except where asked (``score()`` converts the score tensor on demand).
"""

from __future__ import annotations

import math

import numpy as np

from pydl4j_transfer.errors import InvalidConfigurationError

_BN = "BatchNormModule"


def _class_name(conf) -> str:
    return (getattr(conf, "dl4jClass", "") or "").rsplit(".", 1)[-1]


# ---- the per-network torch state -------------------------------------------------------------


class TrainState:
    """Flat params / gradient / updater-state tensors for one network, and its module bound to them."""

    def __init__(self, net, device=None):
        import torch
        from pydl4j_transfer.torch_backend import build_module

        self.device = torch.device(device) if device is not None else torch.device("cpu")
        flat_np = net._flat
        if self.device.type == "cpu":
            if not (flat_np.flags.writeable and flat_np.flags.c_contiguous):
                flat_np = net._flat = np.ascontiguousarray(flat_np).copy()
            self.params = torch.from_numpy(flat_np)  # shares memory with net._flat: params() is live
        else:
            self.params = torch.from_numpy(np.ascontiguousarray(flat_np)).to(self.device)
        self.module = build_module(net._conf, None, device=self.device)
        self.grads = torch.zeros_like(self.params)
        self.slices = {}  # id(Parameter) -> (start, end)
        self.grad_views = []  # (Parameter, its .grad view into self.grads) in DL4J order, bound at every step
        pos = 0
        for name in self.module.dl4j_param_names:
            p = self.module.get_parameter(name)
            n = p.numel()
            p.data = self.params[pos:pos + n].view(p.shape)
            self.slices[id(p)] = (pos, pos + n)
            self.grad_views.append((p, self.grads[pos:pos + n].view(p.shape)))
            pos += n
        if pos != self.params.numel():
            raise InvalidConfigurationError(f"the module has {pos} parameters, the flat vector {self.params.numel()}")
        self.blocks = net.updaterBlocks()
        self.layers_by_owner = dict(net._updater_owners_and_layers())
        # DL4J writes a layer's gradient view only when backprop reaches it; below a FrozenLayer the view
        # keeps its old content (the previous update), which the next step uses as the gradient
        self.has_cut = any(_frozen_no_backprop(m) for m in self.module.modules())
        self.state = None  # flat updater state (torch), created on the first fit
        self.plan = None  # the UpdatePlan of self.blocks (training/step.py), made on the first fit
        self.score_plan = None  # regularization_score's (reg, start, end) list, made on first use
        self._constraints = None  # [(constraint conf, ParamSlot, where)], built on the first step
        self.score = None  # the last score (a 0-d tensor)
        self.dirty = False  # device tensors newer than the network's numpy arrays
        self._hook_targets = None  # (frozen cut modules, BatchNorm modules) in training mode, found on the first step

    def top_modules(self):
        names = self.module.layer_names if hasattr(self.module, "layer_names") else self.module.vertex_names
        return [(n, getattr(self.module, n)) for n in names]

    def restore_unreached(self, prev, reached):
        """Layers DL4J's backprop never reached keep the previous gradient-view content."""
        for name, m in self.top_modules():
            if id(m) in reached:
                continue
            for pname, p in m.named_parameters(recurse=False):
                s, e = self.slices[id(p)]
                self.grads[s:e].copy_(prev[s:e])

    def bind_grads(self):
        """Zero the flat gradient and make every trainable Parameter's ``.grad`` a view into it."""
        self.grads.zero_()
        for p, view in self.grad_views:
            p.grad = view if p.requires_grad else None

    def collect_grads(self):
        """Autograd accumulates in place into the bound views; copy any that it replaced."""
        for p, view in self.grad_views:
            g = p.grad
            if g is None:
                continue
            if g.data_ptr() != view.data_ptr():
                view.copy_(g.reshape(view.shape))
            p.grad = None

    def enter_training(self):
        """``module.train(True)`` (DL4J's training=true forward; frozen parts stay in inference mode), and the
        modules the step hooks: (frozen modules that cut backprop, BatchNorm modules in training mode).

        The modules are found on the first step; ``set_mode`` skips the walk while no module's mode changed."""
        from pydl4j_transfer.torch_backend import set_mode

        set_mode(self.module, True)
        if self._hook_targets is None:
            modules = list(self.module.modules())
            self._hook_targets = ([m for m in modules if _frozen_no_backprop(m)],
                                  [m for m in modules if type(m).__name__ == _BN and m.training])
        return self._hook_targets

    def ensure_updater_state(self, net):
        """Mirrors the lazy creation of DL4J's updater: the loaded state, else fresh values (RmsProp/AdaGrad: eps)."""
        import torch
        from pydl4j_transfer.torch_backend.training.updaters import init_state

        if self.state is not None:
            return self.state
        size = net.updaterStateSize()
        if size == 0:
            return None
        if net._updater_state is None:
            state = torch.zeros(size, dtype=self.params.dtype)
            for b in self.blocks:
                if b.state_end > b.state_start:
                    init_state(b.updater, state[b.state_start:b.state_end])
            net._updater_state = state.numpy()
        src = net._updater_state
        if self.device.type == "cpu":
            if not (src.flags.writeable and src.flags.c_contiguous):
                src = net._updater_state = np.ascontiguousarray(src).copy()
            self.state = torch.from_numpy(src)
        else:
            self.state = torch.from_numpy(np.ascontiguousarray(src)).to(self.device)
        return self.state

    def pull(self, net):
        """Copy device tensors back into the network's numpy arrays (a no-op on CPU: they share memory)."""
        if not self.dirty:
            return
        if self.device.type != "cpu":
            net._flat[...] = self.params.cpu().numpy()
            if self.state is not None:
                net._updater_state = self.state.cpu().numpy().copy()
        self.dirty = False


# ---- data ------------------------------------------------------------------------------------


def _get(obj, name, *args):
    fn = getattr(obj, name, None)
    if fn is None:
        return None
    try:
        return fn(*args) if callable(fn) else fn
    except TypeError:
        return None


def _as_list(v):
    if v is None:
        return None
    return list(v) if isinstance(v, (list, tuple)) else [v]


def as_minibatch(data, labels=None, fmask=None, lmask=None, graph=False):
    """(features list, labels list, features masks list|None, labels masks list|None) from arrays,
    a DataSet-like (getFeatures/getLabels[+masks]) or a MultiDataSet-like object (duck typing)."""
    if labels is not None or not hasattr(data, "getFeatures"):
        if labels is None:
            raise InvalidConfigurationError("fit/computeGradientAndScore needs labels (or a DataSet-like object)")
        return _as_list(data), _as_list(labels), _as_list(fmask), _as_list(lmask)
    if hasattr(data, "numFeatureArrays"):  # MultiDataSet
        nf, nl = int(data.numFeatureArrays()), int(data.numLabelsArrays())
        feats = [data.getFeatures(i) for i in range(nf)]
        labs = [data.getLabels(i) for i in range(nl)]
        fm = [_get(data, "getFeaturesMaskArray", i) for i in range(nf)] if hasattr(data, "getFeaturesMaskArray") else None
        lm = [_get(data, "getLabelsMaskArray", i) for i in range(nl)] if hasattr(data, "getLabelsMaskArray") else None
        return feats, labs, fm, lm
    return (_as_list(data.getFeatures()), _as_list(data.getLabels()),
            _as_list(_get(data, "getFeaturesMaskArray")), _as_list(_get(data, "getLabelsMaskArray")))


def is_iterator(data) -> bool:
    """A DataSetIterator-like (hasNext/next) or a Python iterable of DataSet-likes / (features, labels) pairs."""
    import torch
    if isinstance(data, (list, tuple)):
        return len(data) > 0 and (hasattr(data[0], "getFeatures") or isinstance(data[0], (list, tuple)))
    if data is None or hasattr(data, "getFeatures") or isinstance(data, (np.ndarray, torch.Tensor)):
        return False
    return (hasattr(data, "hasNext") and hasattr(data, "next")) or hasattr(data, "__iter__")


def iterate(data):
    """Mirrors fitHelper's loop over a DataSetIterator: reset first if exhausted and resettable."""
    if hasattr(data, "hasNext"):
        if not data.hasNext() and _get(data, "resetSupported") is not False and hasattr(data, "reset"):
            data.reset()
        while data.hasNext():
            yield data.next()
    else:
        yield from data


def _tensor(x, ts, dtype):
    if x is None:
        return None
    from pydl4j_transfer.torch_backend.base import to_tensor

    t = to_tensor(x)
    if t.is_floating_point() or dtype is not None:
        t = t.to(dtype=dtype if dtype is not None else ts.params.dtype)
    from pydl4j_transfer.torch_backend.base import to_device

    return to_device(t, ts.device)


# ---- one iteration -----------------------------------------------------------------------------


def _frozen_no_backprop(m) -> bool:
    """FrozenLayer / FrozenVertex: DL4J returns a null epsilon, so nothing below gets a gradient from here."""
    name = type(m).__name__
    return (name == "FrozenVertexModule") or (name == "FrozenModule" and not getattr(m, "backprop", False))


def _output_layers(net, module):
    """[(output name, layer module, layer conf, NeuralNetConfiguration-ish for miniBatch)]"""
    if hasattr(module, "layer_names"):
        name = module.layer_names[-1]
        nnc = net._conf.confs[-1]
        return [(name, getattr(module, name), nnc.layer, nnc)]
    out = []
    for name in module.output_names:
        v = getattr(module, name)
        layer = getattr(v, "layer", None)
        vconf = net._conf.vertices[name]
        if layer is None or getattr(vconf, "layer", None) is None:
            raise InvalidConfigurationError(f"network output {name!r} is not a layer vertex with an output layer")
        out.append((name, layer, vconf.layer, getattr(vconf, "layerConf", None) or net._conf.defaultConfiguration))
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


def regularization_score(net, ts, iteration, epoch):
    """Mirrors calcRegularizationScore(true): Σ over non-frozen layers' backprop params of reg.score(param).

    Uses the real per-parameter slices (the layer's paramTable views), not the updater blocks'
    sequential positions (which differ for layers whose flat order is not their param-table order).
    Which regularization covers which slice is worked out once per network (``ts.score_plan``)."""
    from pydl4j_transfer.torch_backend.training.schedules import value_at

    if ts.score_plan is None:
        ts.score_plan = _score_plan(net, ts)
    total = None
    for cls, reg, s, e in ts.score_plan:
        p = ts.params[s:e]
        if cls == "L1Regularization":
            term = value_at(reg.l1, iteration, epoch) * p.abs().sum()
        elif cls == "L2Regularization":
            term = 0.5 * value_at(reg.l2, iteration, epoch) * (p * p).sum()
        else:  # WeightDecay
            term = 0.5 * value_at(reg.coeff, iteration, epoch) * (p * p).sum()
        total = term if total is None else total + term
    return total


def _score_plan(net, ts) -> list:
    """[(regularization class name, reg, start, end)] for :func:`regularization_score`."""
    from pydl4j_transfer.torch_backend.training.regularization import in_score, regularizations_for

    layers = {str(o): layer for o, layer in ts.layers_by_owner.items()}
    plan = []
    for slot in net._slots:
        layer = layers.get(str(slot.owner))
        if layer is None or getattr(layer, "isPretrainParam", lambda k: False)(slot.key) or not in_score(layer):
            continue
        for reg in regularizations_for(layer, slot.key):
            cls = _class_name(reg)
            if cls not in ("L1Regularization", "L2Regularization", "WeightDecay"):
                raise InvalidConfigurationError(f"no score for regularization {reg.dl4jClass!r}")
            plan.append((cls, reg, slot.offset, slot.offset + prod(slot.shape)))
    return plan


def compute_gradient_and_score(net, ts, feats, labels, fmasks=None, lmasks=None):
    """Mirrors computeGradientAndScore: fills ``ts.grads`` (DL4J order, raw: not divided by the
    minibatch) and returns the score tensor; BatchNorm running-stat slots hold ``old - new``."""
    import torch
    module = ts.module
    graph = not hasattr(module, "layer_names")
    xs = [_tensor(x, ts, None) for x in feats]
    ys = [_tensor(y, ts, None) for y in labels]
    fms = None if fmasks is None or all(m is None for m in fmasks) else [_tensor(m, ts, ts.params.dtype) for m in fmasks]
    lms = [None] * len(ys) if lmasks is None else [_tensor(m, ts, ts.params.dtype) for m in lmasks]
    outs = _output_layers(net, module)
    if len(ys) != len(outs):
        raise InvalidConfigurationError(
            f"the network has {len(outs)} output(s) {[o[0] for o in outs]} but {len(ys)} label array(s) were given")
    if not graph and len(xs) != 1:
        raise InvalidConfigurationError(f"a MultiLayerNetwork takes 1 input array, got {len(xs)}")

    captured, bn_inputs, bn_reached, handles = {}, [], set(), []
    cuts, bns = ts.enter_training()
    try:
        for name, layer, _, _ in outs:
            handles.append(layer.act.register_forward_pre_hook(
                lambda m, args, _n=name: captured.__setitem__(_n, args[0])))
        for m in cuts:
            handles.append(m.register_forward_hook(lambda mod, args, out: out.detach()))
        for m in bns:
            handles.append(m.register_forward_hook(
                lambda mod, args, out: _bn_seen(mod, args[0], out, bn_inputs, bn_reached)))
        prev = ts.grads.clone() if ts.has_cut else None
        reached = set()
        if prev is not None:
            for _, m in ts.top_modules():
                handles.append(m.register_forward_hook(lambda mod, args, out: _mark(mod, out, reached)))
        ts.bind_grads()
        if graph:
            module(*xs, masks=fms)
        else:
            module(xs[0], mask=None if fms is None else fms[0])
    finally:
        for h in handles:
            h.remove()

    it, ep = net.getIterationCount(), net.getEpochCount()
    from pydl4j_transfer.torch_backend.training.losses import score_and_gradient

    reg = regularization_score(net, ts, it, ep)
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
        s = loss / mb if getattr(nnc, "miniBatch", True) is not False else loss
        if reg is not None:
            s = s + reg
        score = s if score is None else score + s
    if pres:
        torch.autograd.backward(pres, grads)
    ts.collect_grads()
    if prev is not None:
        reached.update(id(getattr(module, name)) for name, *_ in outs)  # the loss starts at their preOutput
        with torch.no_grad():
            ts.restore_unreached(prev, reached)
    with torch.no_grad():
        for bn, x in bn_inputs:
            if id(bn) not in bn_reached:
                continue  # DL4J never called this layer's backprop (below a FrozenLayer)
            for key, new in bn.running_update(x).items():
                p = bn._store.get_parameter(bn.param_prefix + key)
                s, e = ts.slices[id(p)]
                ts.grads[s:e].copy_((p - new.reshape(p.shape)).reshape(-1))
    ts.score = score
    return score


def _step_sign(net) -> int:
    """The Solver's step function: the MLN's first layer conf's / the graph's defaultConfiguration's stepFunction."""
    from pydl4j_transfer.conf.values.stepfunctions import step_sign

    conf = net._conf
    nnc = conf.defaultConfiguration if hasattr(conf, "vertices") else (conf.confs[0] if conf.confs else None)
    return step_sign(getattr(nnc, "stepFunction", None))


def _mark(mod, out, reached):
    import torch
    if isinstance(out, torch.Tensor) and out.requires_grad:
        out.register_hook(lambda g: reached.add(id(mod)))
    return None


def _bn_seen(mod, x, out, inputs, reached):
    inputs.append((mod, x.detach()))
    if out.requires_grad:
        out.register_hook(lambda g: reached.add(id(mod)))
    return None


def train_step(net, ts, feats, labels, fmasks=None, lmasks=None):
    """One DL4J iteration: computeGradientAndScore, the updater, iterationCount += 1."""
    import torch
    from pydl4j_transfer.torch_backend.training.step import UpdatePlan, apply_update_blocks

    from pydl4j_transfer.nn.listeners import fire, listeners_of

    score = compute_gradient_and_score(net, ts, feats, labels, fmasks, lmasks)
    has_listeners = bool(listeners_of(net))
    if has_listeners:  # DL4J: computeGradientAndScore -> onBackwardPass; BaseOptimizer -> onGradientCalculation
        fire(net, "onBackwardPass")
        fire(net, "onGradientCalculation")
    state = ts.ensure_updater_state(net)
    mb = int(np.shape(feats[0])[0]) if not isinstance(feats[0], torch.Tensor) else int(feats[0].shape[0])
    net._last_batch_size = mb
    if ts.plan is None:
        ts.plan = UpdatePlan(ts.blocks, ts.layers_by_owner)
    with torch.no_grad():
        apply_update_blocks(ts.blocks, ts.params, ts.grads, state, ts.layers_by_owner,
                            net.getIterationCount(), net.getEpochCount(), mb, mini_batch=net._mini_batch(),
                            plan=ts.plan, step_sign=_step_sign(net))
    ts.dirty = True
    if has_listeners:  # StochasticGradientDescent#optimize: iterationDone, then incrementIterationCount
        fire(net, "iterationDone", net.getIterationCount(), net.getEpochCount())
    net.setIterationCount(net.getIterationCount() + 1)
    apply_constraints(net, ts)  # StochasticGradientDescent#optimize: applyConstraints(model) comes last
    return score


def fit_batch(net, ts, feats, labels, fmasks=None, lmasks=None):
    """Mirrors fitHelper for one minibatch: ``doTruncatedBPTT`` (BackpropType.TruncatedBPTT) or one iteration."""
    from pydl4j_transfer.nn import rnn

    if rnn.is_tbptt(net):
        return rnn.tbptt_fit(net, ts, feats, labels, fmasks, lmasks,
                             lambda f, l, fm, lm: train_step(net, ts, f, l, fm, lm))
    return train_step(net, ts, feats, labels, fmasks, lmasks)


# ---- parameter constraints --------------------------------------------------------------------------------------

#: wrapper confs whose runtime (BaseWrapperLayer#applyConstraints) applies the wrapped layer's constraints
_DELEGATING_WRAPPERS = ("LastTimeStep", "MaskZeroLayer", "TimeDistributed")
#: FrozenLayer#applyConstraints / FrozenLayerWithBackprop#applyConstraints: no-ops
_NO_CONSTRAINTS = ("FrozenLayer", "FrozenLayerWithBackprop")


def _constrained_layers(conf, prefix=""):
    """[(param key prefix, layer conf)] whose ``constraints`` DL4J's runtime applies for a layer / vertex conf."""
    if conf is None:
        return []
    name = _class_name(conf)
    if name == "LayerVertex":
        return _constrained_layers(conf.layer, prefix)
    if name == "FrozenVertex":  # FrozenVertex#getLayer() is the underlying vertex's layer: constrained as usual
        return _constrained_layers(conf.underlying, prefix)
    if name in _NO_CONSTRAINTS:
        return []
    if name == "Bidirectional":  # BidirectionalLayer#applyConstraints: fwd then bwd, keys "f..." / "b..."
        return _constrained_layers(conf.fwd, prefix + "f") + _constrained_layers(conf.bwd, prefix + "b")
    if name in _DELEGATING_WRAPPERS and hasattr(conf, "_inner"):
        return _constrained_layers(conf._inner(), prefix)
    return [(prefix, conf)] if getattr(conf, "constraints", None) else []


def constraint_plan(net) -> list:
    """[(constraint, ParamSlot, where)] in DL4J's order: layers in network order, each layer's constraints in
    list order, the parameters a constraint names (``params``) that the layer has (BaseConstraint#applyConstraint)."""
    from pydl4j_transfer.torch_backend.training.constraints import check_constraint

    slots = {(str(s.owner), s.key): s for s in net._slots}
    plan = []
    for owner, conf in net._owners_and_layers():
        for prefix, layer in _constrained_layers(conf):
            for c in layer.constraints:
                where = f"layer {owner!r} ({_class_name(layer)})"
                check_constraint(c, where)
                table_keys = [k[len(prefix):] for (o, k) in slots if o == str(owner) and k.startswith(prefix)]
                for key in table_keys:  # paramTable order; DL4J tests params.contains(key)
                    if key in (c.params or ()):
                        plan.append((c, slots[(str(owner), prefix + key)], f"{where} parameter {key!r}"))
    return plan


def apply_constraints(net, ts) -> None:
    """Mirrors Model#applyConstraints(iteration, epoch) on the flat parameter tensor (in place)."""
    from pydl4j_transfer.torch_backend.training.constraints import apply_constraint, dl4j_view

    if ts._constraints is None:
        ts._constraints = constraint_plan(net)
    for c, slot, where in ts._constraints:
        apply_constraint(c, dl4j_view(ts.params, slot.offset, slot.shape, slot.order), where)


def num_examples(feats) -> int:
    return int(feats[0].shape[0])


def feed_forward_list(module, x, train, mask=None):
    """[input, layer 0 output, ...] as DL4J's feedForward (MLN)."""
    import torch
    from pydl4j_transfer.torch_backend import feed_forward

    with torch.set_grad_enabled(False):
        return feed_forward(module, x, train, mask=mask)


def prod(shape):
    return math.prod(shape)
