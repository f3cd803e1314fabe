"""The torch runtime of one network: the twin of :class:`pydl4j_transfer.dl4j_backend.Dl4jRuntime`.

A ``MultiLayerNetwork`` / ``ComputationGraph`` (``pydl4j_transfer.nn``) holds DL4J's configuration and flat
parameter vector; to run, it asks for a runtime once (``backend="torch"``: this class) and calls the same
verbs on either runtime:

* ``output`` / ``feed_forward`` / ``activate_range``: inference (and training-mode forwards), tensors out;
* ``fit_step`` parts: ``compute_gradient_and_score``, ``update``, ``apply_constraints`` (one DL4J iteration,
  the listeners in between are the network's business);
* ``host_arrays``: the current flat params and updater state as numpy (DL4J's ``params()`` /
  ``getUpdater().getStateViewArray()``); ``params_written``: the network wrote into its numpy params;
* ``rnn_time_step`` and the stored-state helpers (torch_backend/rnn.py);
* ``device``: where it runs (a network moves by building a new runtime).

What it holds (DL4J keeps the same in its network object): the module built from the configuration, the flat
parameter / gradient / updater-state tensors in DL4J's order, and the module's Parameters bound as views into
them by the configuration's own parameter layout (``conf.params.layout(conf.param_owners())``: the one source
of the flat order). On the CPU the flat tensors share memory with the network's numpy arrays, so ``params()``
is live and nothing is copied; on a GPU, ``host_arrays`` copies back what a step changed.
"""

from __future__ import annotations

import numpy as np
import torch

from pydl4j_transfer.conf.params import layout
from pydl4j_transfer.conf.updater_layout import updater_blocks
from pydl4j_transfer.conf.values.stepfunctions import step_sign
from pydl4j_transfer.errors import InvalidConfigurationError

from .base import set_mode, to_device, to_tensor
from .network import build_module, feed_forward
from .precision import autocast as autocast_ctx
from . import rnn
from .training import backprop
from .training.constraints import apply_constraints, constraint_plan
from .training.regularization import regularizations_for
from .training.step import UpdatePlan, apply_update_blocks
from .training.updaters import init_state


class TorchRuntime:
    """Mirrors what DL4J's MultiLayerNetwork / ComputationGraph hold at runtime, for the torch backend."""

    kind = "torch"
    #: TransferLearning builders and helpers run in Python on the configuration and params (pydl4j_transfer.transfer)
    replays_transfer_learning = False

    def __init__(self, conf, params: np.ndarray, updater_state: np.ndarray | None = None, device=None):
        self.conf = conf
        self.graph = hasattr(conf, "vertices")
        self.device = torch.device(device) if device is not None else torch.device("cpu")
        # built outside inference mode even when first needed inside it (output, featurize): tensors created in
        # inference mode could never be trained or updated in place afterwards
        with torch.inference_mode(False):
            self._build(params, updater_state)

    def _build(self, params, updater_state):
        if self.device.type == "cpu":
            if not (params.flags.writeable and params.flags.c_contiguous):
                params = np.ascontiguousarray(params).copy()
            self.params = torch.from_numpy(params)  # shares memory with the network's numpy params: params() is live
        else:
            self.params = torch.from_numpy(np.ascontiguousarray(params)).to(self.device)
        self._host_params = params
        self._host_state = updater_state
        self.module = build_module(self.conf, None, device=self.device)
        self.grads = torch.zeros_like(self.params)
        self.slots = layout(self.conf.param_owners())
        self.slices = {}  # id(Parameter) -> (start, end)
        self.grad_views = []  # (Parameter, its .grad view into self.grads) in DL4J order, bound at every step
        names = self.module.layer_names if not self.graph else None
        for slot in self.slots:
            owner = names[int(slot.owner)] if names is not None else slot.owner
            p = self.module.get_parameter(f"{owner}.{slot.key}")
            start, end = slot.offset, slot.offset + p.numel()
            p.data = self.params[start:end].view(p.shape)
            self.slices[id(p)] = (start, end)
            self.grad_views.append((p, self.grads[start:end].view(p.shape)))
        total = self.slots[-1].offset + self.slots[-1].size if self.slots else 0
        if total != self.params.numel():
            raise InvalidConfigurationError(f"the module has {total} parameters, the flat vector {self.params.numel()}")
        owners = self.conf.updater_owners()
        self.blocks = updater_blocks(owners)
        self.layers_by_owner = dict(owners)
        # DL4J writes a layer's gradient view only when backprop reaches it; below a FrozenLayer the view
        # keeps its old content (the previous update), which the next step uses as the gradient
        self.has_cut = any(getattr(m, "cuts_backprop", False) for m in self.module.modules())
        self.state = None  # flat updater state (torch), created on the first fit
        self.plan = None  # the UpdatePlan of self.blocks (training/step.py), made on the first fit
        self.score_plan = None  # regularization_score's (reg, start, end) list, made on first use
        self._constraints = None  # [(constraint conf, ParamSlot, where)], built on the first step
        self.score = None  # the last score (a 0-d tensor)
        self.dirty = False  # device tensors newer than the host arrays
        self._hook_targets = None  # (frozen cut modules, BatchNorm modules) in training mode, found on the first step

    # ---- host arrays ----------------------------------------------------------------------------------

    @property
    def dtype(self) -> torch.dtype:
        return self.params.dtype

    def tensor(self, x, dtype=None):
        """An input array as a tensor on this runtime's device (floating point in the network's dtype)."""
        if x is None:
            return None
        t = to_tensor(x)
        if t.is_floating_point() or dtype is not None:
            t = t.to(dtype=dtype if dtype is not None else self.params.dtype)
        return to_device(t, self.device)

    def host_arrays(self):
        """``(params, updater state or None)`` as numpy: on the CPU the very arrays the tensors share; on a device
        the host copies, refreshed when a step changed the device tensors."""
        if self.dirty and self.device.type != "cpu":
            self._host_params[...] = self.params.cpu().numpy()
            if self.state is not None:
                self._host_state = self.state.cpu().numpy().copy()
        self.dirty = False
        return self._host_params, self._host_state

    def params_written(self, ranges) -> None:
        """The host params were written in ``ranges`` ([(start, end)]) behind the tensors' back. On the CPU they
        share memory: nothing to do (rebuilding the state would cost a VGG16 a quarter of a second). On a device
        those ranges are copied up (pinned, non-blocking)."""
        if self.device.type == "cpu":
            return
        for start, end in ranges:
            self.params[start:end].copy_(to_device(torch.from_numpy(self._host_params[start:end]), self.device))

    def set_updater_state(self, state) -> None:
        """The updater state the next step starts from (None: fresh, as DL4J's new updater)."""
        self._host_state = state
        self.state = None

    # ---- inference ------------------------------------------------------------------------------------

    def output(self, inputs, *, train=False, autocast=None):
        """Mirrors output(train, inputs...): the network's output tensor(s) in its dtype (a list for a graph)."""
        module = set_mode(self.module, bool(train))
        xs = [to_tensor(x).to(dtype=self.params.dtype) for x in inputs]
        with torch.inference_mode(not train), autocast_ctx(autocast, self._autocast_device()):
            out = module(*xs) if self.graph else module(xs[0])
        if self.graph:
            return [o.detach().to(self.params.dtype) for o in out]
        return out.to(self.params.dtype)

    def feed_forward(self, x, *, train=False, mask=None, masks=None, upto=None, targets=None, autocast=None,
                     inference=False):
        """Mirrors feedForward: [input, layer outputs...] (MLN) / {vertex: activation} (graph), tensors in the
        network's dtype. ``inference``: run under torch.inference_mode (numpy callers), else no_grad."""
        grad_mode = torch.inference_mode() if inference else torch.no_grad()
        with grad_mode, autocast_ctx(autocast, self._autocast_device()):
            acts = feed_forward(self.module, x, bool(train), mask=mask, masks=masks, upto=upto, targets=targets)
        if autocast is None:
            return acts
        if self.graph:  # results in the network's dtype, as DL4J would give them
            return {k: v.to(self.params.dtype) if v.is_floating_point() else v for k, v in acts.items()}
        return [a.to(self.params.dtype) if isinstance(a, torch.Tensor) and a.is_floating_point() else a for a in acts]

    def activate_range(self, x, start, upto, *, autocast=None):
        """Layers ``start``..``upto`` (MLN) in inference mode, the last activation only (featurize's path: on a GPU
        only the boundary activation crosses to the host)."""
        module = self.module
        was = module.training
        set_mode(module, False)
        try:
            with torch.inference_mode(), autocast_ctx(autocast, self._autocast_device()):
                out = module.activate_range(x, start, upto)
        finally:
            set_mode(module, was)
        if out.is_floating_point() and out.dtype != self.params.dtype:  # autocast: the network's dtype
            out = out.to(self.params.dtype)
        return out

    def _vertex_and_layer(self, owner: str):
        """(the layer vertex module or None for an MLN, the layer's module) of a param owner."""
        if self.graph:
            vertex = getattr(self.module, owner)
            layer = getattr(vertex, "layer", None)
            while layer is None and getattr(vertex, "inner", None) is not None:  # a FrozenVertex's wrapped vertex
                vertex = vertex.inner
                layer = getattr(vertex, "layer", None)
            if layer is None:
                raise InvalidConfigurationError(f"vertex {owner!r} has no layer")
            return vertex, layer
        return None, getattr(self.module, self.module.layer_names[int(owner)])

    def activate_layer(self, owner: str, x, *, train=False):
        """Mirrors Layer#activate(input, training): one layer's module alone (no input preprocessor), tensor out.
        ``owner``: the layer index (MLN) or vertex name (graph), as in the parameter layout."""
        layer = self._vertex_and_layer(owner)[1]
        was = layer.training
        set_mode(layer, bool(train))
        try:
            with torch.inference_mode(not train):
                out = layer(self.tensor(x))
        finally:
            layer.train(was)
        return out.detach() if train else out

    def _autocast_device(self):
        return None if self.device.type == "cpu" else self.device

    # ---- layer-wise pretraining and the VariationalAutoencoder's own methods --------------------------------

    def _layer_range(self, owner: str):
        slots = [s for s in self.slots if str(s.owner) == str(owner)]
        return (slots[0].offset, slots[-1].offset + slots[-1].size) if slots else (0, 0)

    def pretrain_input(self, owner: str, features):
        """The input DL4J's layer-wise pretraining gives a layer, as a tensor.

        MultiLayerNetwork#pretrainLayer(layerIdx, features): M2.1 forwards the features through layers
        ``0..layerIndex-1`` where ``layerIndex`` is the network's own index field (0), not ``layerIdx``: no layer is
        run, and the layer gets the raw features through its own input preprocessor (reproduced; docs/deviations.md).
        ComputationGraph#pretrainLayer: the inference-mode activations of the vertex's input, through the vertex's
        preprocessor (LayerVertex#setInput)."""
        if not self.graph:
            x = self.tensor(features)
            pre = self.module._preprocessors.get(int(owner))
            with torch.no_grad():
                x = pre(x, x.shape[0]) if pre is not None else x
            n_in = getattr(self.layers_by_owner[int(owner)], "nIn", None)
            if int(owner) > 0 and n_in and (x.dim() != 2 or x.shape[1] != int(n_in)):
                raise InvalidConfigurationError(
                    f"pretrainLayer({owner}): DL4J 1.0.0-M2.1 gives layer {owner} the raw features (it forwards them "
                    f"through no earlier layer: MultiLayerNetwork#pretrainLayer uses the network's own index field), "
                    f"shape {list(x.shape)}, but the layer takes nIn = {n_in}; DL4J fails on the same call. Pretrain "
                    f"it with the activations of layer {int(owner) - 1} (net.feedForwardToLayer) as the features")
            return x
        vertex, _ = self._vertex_and_layer(owner)
        feats = features if isinstance(features, (list, tuple)) else [features]
        source = self.module.vertex_inputs[owner][0]
        with torch.no_grad():
            acts = feed_forward(self.module, [self.tensor(f) for f in feats], False, targets=[source]
                                if source not in self.module.input_names else [])
            x = acts[source]
            pre = getattr(vertex, "preprocessor", None)
            return pre(x, x.shape[0]) if pre is not None else x

    def pretrain_step(self, owner: str, x, *, iteration, epoch, state=None, mini_batch=True, step_sign=-1):
        """Mirrors Layer#fit(input) of a pretrain layer (VariationalAutoencoder): the layer's own Solver, i.e.
        computeGradientAndScore, its LayerUpdater (every block, pretrain params included; the layer's own updater
        state ``state``, fresh when None), ``params -= update``, the layer's constraints. Returns (score, state).
        The gradient lands in the layer's slice of the network's gradient view, as in DL4J."""
        _, module = self._vertex_and_layer(owner)
        if not hasattr(module, "pretrain_score"):
            raise InvalidConfigurationError(f"layer {owner!r}: layer-wise pretraining is supported for "
                                            "VariationalAutoencoder only here")
        conf = self.layers_by_owner[owner if self.graph else int(owner)]
        start, end = self._layer_range(owner)
        blocks = updater_blocks([(owner, conf)])  # the LayerUpdater's blocks, offsets within the layer
        by_owner = {owner: conf}
        if state is None:
            size = blocks[-1].state_end if blocks else 0
            state = torch.zeros(size, dtype=self.params.dtype, device=self.device) if size else None
            for b in blocks:
                if state is not None and b.state_end > b.state_start:
                    init_state(b.updater, state[b.state_start:b.state_end])
        was = module.training
        set_mode(module, True)
        try:
            with torch.enable_grad():
                self.bind_grads((start, end))
                x = self.tensor(x)
                raw = module.pretrain_score(x)  # mb * score: autograd gives DL4J's summed gradient
                raw.backward()
                self.collect_grads((start, end))
        finally:
            set_mode(module, was)
        mb = x.shape[0]
        with torch.no_grad():
            score = float(raw.detach()) / mb + self._pretrain_regularization_score(owner, conf, iteration, epoch)
            apply_update_blocks(blocks, self.params[start:end], self.grads[start:end], state, by_owner, iteration,
                                epoch, mb, mini_batch=mini_batch, plan=UpdatePlan(blocks, by_owner, layer_updater=True),
                                step_sign=step_sign)
            apply_constraints(constraint_plan([(owner, conf)], [s for s in self.slots if str(s.owner) == str(owner)]),
                              self.params)
        self.dirty = True
        return score, state

    def _pretrain_regularization_score(self, owner, conf, iteration, epoch) -> float:
        """Mirrors calcRegularizationScore(false): every parameter of the layer, pretrain params included."""
        total = 0.0
        for slot in self.slots:
            if str(slot.owner) != str(owner):
                continue
            p = self.params[slot.offset:slot.offset + slot.size]
            for reg in regularizations_for(conf, slot.key):
                term = backprop.regularization_term(reg, p, iteration, epoch)
                total += 0.0 if term is None else float(term)
        return total

    def vae_call(self, owner: str, method: str, *args):
        """One of the VariationalAutoencoder runtime methods on layer ``owner`` (torch tensors in, tensor out):
        ``reconstruction_log_probability(x, numSamples)``, ``decode(z)`` (the pXZ parameters),
        ``reconstruction_error(x)``; DL4J runs them with training=false parameters (no weight noise)."""
        _, module = self._vertex_and_layer(owner)
        if not hasattr(module, "pretrain_score"):
            raise InvalidConfigurationError(f"layer {owner!r} is not a VariationalAutoencoder")
        was = module.training
        set_mode(module, False)
        try:
            with torch.no_grad():
                return getattr(module, method)(*[self.tensor(a) if not isinstance(a, int) else a for a in args])
        finally:
            set_mode(module, was)

    # ---- one training iteration -------------------------------------------------------------------------

    def top_modules(self):
        names = self.module.vertex_names if self.graph else self.module.layer_names
        return [(n, getattr(self.module, n)) for n in names]

    def restore_unreached(self, prev, reached):
        """Layers DL4J's backprop never reached keep the previous gradient-view content."""
        unreached = []
        for name, m in self.top_modules():
            if id(m) in reached:
                continue
            for pname, p in m.named_parameters(recurse=False):
                s, e = self.slices[id(p)]
                self.grads[s:e].copy_(prev[s:e])
                unreached.append((s, e))
        self.unreached = unreached

    def per_process_gradient_ranges(self) -> list:
        """The flat gradient ranges that, after compute_gradient_and_score, hold no sum over the minibatch's
        examples: BatchNormalization's running-statistic deltas (not divided by the minibatch), frozen params,
        and the views DL4J's backprop did not reach in the last step (their previous content). Data parallelism
        (pydl4j_transfer.parallelism) adds the other ranges up across processes and averages these."""
        if self.plan is None:
            self.plan = UpdatePlan(self.blocks, self.layers_by_owner)
        cut = sorted(list(self.plan.frozen) + list(getattr(self, "unreached", ())))
        sums, pos = [], 0  # plan.divide minus the frozen and unreached ranges
        for s, e in self.plan.divide:
            for cs, ce in cut:
                if ce <= s or cs >= e:
                    continue
                if cs > s:
                    sums.append((s, cs))
                s = max(s, ce)
            if s < e:
                sums.append((s, e))
        rest = []
        for s, e in sums:  # the complement of the sums in [0, numel)
            if s > pos:
                rest.append((pos, s))
            pos = e
        if pos < self.params.numel():
            rest.append((pos, self.params.numel()))
        return rest

    def _grad_views_in(self, span):
        if span is None:
            return self.grad_views
        return [(p, view) for p, view in self.grad_views if span[0] <= self.slices[id(p)][0] < span[1]]

    def bind_grads(self, span=None):
        """Zero the flat gradient and make every trainable Parameter's ``.grad`` a view into it; ``span``
        ``(start, end)``: only that part of the flat vector and its Parameters (a layer's own pretrain step)."""
        self.grads[slice(*span) if span is not None else slice(None)].zero_()
        for p, view in self._grad_views_in(span):
            p.grad = view if p.requires_grad else None

    def collect_grads(self, span=None):
        """Autograd accumulates in place into the bound views; copy any that it replaced."""
        for p, view in self._grad_views_in(span):
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
        set_mode(self.module, True)
        if self._hook_targets is None:
            modules = list(self.module.modules())
            self._hook_targets = ([m for m in modules if getattr(m, "cuts_backprop", False)],
                                  [m for m in modules if backprop.is_batch_norm_in_training(m)])
        return self._hook_targets

    def compute_gradient_and_score(self, feats, labels, fmasks=None, lmasks=None, *, iteration=0, epoch=0,
                                   mini_batch=True):
        """Mirrors Model#computeGradientAndScore (torch_backend/training/backprop.py): the raw gradient in
        ``self.grads``, the score tensor returned (and kept in ``self.score``)."""
        return backprop.compute_gradient_and_score(self, feats, labels, fmasks, lmasks, iteration, epoch, mini_batch)

    def updater_state(self):
        """Mirrors the lazy creation of DL4J's updater: the loaded state, else fresh values (RmsProp/AdaGrad: eps)."""
        if self.state is not None:
            return self.state
        size = self.blocks[-1].state_end if self.blocks else 0
        if size == 0:
            return None
        if self._host_state is None:
            state = torch.zeros(size, dtype=self.params.dtype)
            for b in self.blocks:
                if b.state_end > b.state_start:
                    init_state(b.updater, state[b.state_start:b.state_end])
            self._host_state = state.numpy()
        src = self._host_state
        if self.device.type == "cpu":
            if not (src.flags.writeable and src.flags.c_contiguous):
                src = self._host_state = np.ascontiguousarray(src).copy()
            self.state = torch.from_numpy(src)
        else:
            self.state = torch.from_numpy(np.ascontiguousarray(src)).to(self.device)
        return self.state

    def update(self, *, iteration, epoch, minibatch_size, mini_batch=True):
        """Mirrors the updater step of one iteration (BaseMultiLayerUpdater#update + the step function)."""
        state = self.updater_state()
        if self.plan is None:
            self.plan = UpdatePlan(self.blocks, self.layers_by_owner)
        with torch.no_grad():
            apply_update_blocks(self.blocks, self.params, self.grads, state, self.layers_by_owner, iteration, epoch,
                                minibatch_size, mini_batch=mini_batch, plan=self.plan, step_sign=self.step_sign())
        self.dirty = True

    def step_sign(self) -> int:
        """The Solver's step function (StochasticGradientDescent: ``params -= update`` with the Negative* functions
        and none set, ``+=`` with Default/GradientStepFunction): the MLN's first layer's NeuralNetConfiguration's,
        the graph's defaultConfiguration's (``Solver(conf())``)."""
        conf = self.conf
        nnc = conf.defaultConfiguration if self.graph else (conf.confs[0] if conf.confs else None)
        return step_sign(getattr(nnc, "stepFunction", None))

    def apply_constraints(self):
        """Mirrors Model#applyConstraints (StochasticGradientDescent#optimize: after the iteration count)."""
        if self._constraints is None:
            self._constraints = constraint_plan(self.conf.param_owners(), self.slots)
        apply_constraints(self._constraints, self.params)

    def gradient(self) -> np.ndarray:
        """Mirrors Model#gradient().gradient(): the flat gradient view (a host copy)."""
        return self.grads.detach().cpu().numpy().copy()

    def score_value(self) -> float:
        return float("nan") if self.score is None else float(self.score)

    # ---- stored RNN state (torch_backend/rnn.py; the state itself is the network's) ---------------------

    def rnn_time_step(self, inputs, store: dict, last_layer_recurrent: bool):
        """Mirrors rnnTimeStep: tensors out; ``store`` ({owner: {key: tensor}}) is read and updated."""
        return rnn.rnn_time_step(self, inputs, store, last_layer_recurrent)

    def recurrent_layers(self, purpose: str) -> list:
        return rnn.recurrent_layers(self, purpose)

    def is_rnn_owner(self, owner) -> bool:
        return rnn.is_rnn_owner(self, owner)

    def rnn_state_tensors(self, state: dict) -> dict:
        return rnn.state_tensors(self, state)

    def with_rnn_state(self, layers, states: dict, fn, zero_state_gradient=False):
        """``fn()`` with each recurrent layer starting from ``states``; returns (fn's result, the states after)."""
        with rnn.stored_state_pass(layers, states, zero_state_gradient) as runs:
            result = fn()
        return result, rnn.last_states(runs)
