"""One full DL4J parameter update over a network's UpdaterBlocks.

Mirrors ``BaseMultiLayerUpdater#update(gradient, iteration, epoch, batchSize, ...)`` +
``UpdaterBlock#update`` + the step function, in M2.1's order (read from the M2.1 bytecode):

1. frozen layers (FrozenLayer, FrozenLayerWithBackprop, a graph's FrozenVertex) have a zero
   gradient in DL4J (their backprop leaves the gradient view at 0); we zero theirs, so the NoOp
   updater (FrozenLayer) gives a zero update and FrozenLayerWithBackprop's updater runs on zeros;
2. ``miniBatch=true``: every gradient is divided by the minibatch size, except params whose
   runtime layer says ``updaterDivideByMinibatch(key) == false`` (BatchNorm running stats);
3. gradient normalization/clipping per layer (``preApply``) — note: *after* the division;
4. per UpdaterBlock (pretrain-only blocks skipped, ``skipDueToPretrainConfig``):
   L1/L2 added to the gradient (BEFORE_UPDATER), the updater, weight decay added to the update
   (POST_UPDATER, with the block updater's current lr or 1.0 if it has none);
5. ``params -= update`` (NegativeDefaultStepFunction).

``grads_flat`` ends up holding the updates, as DL4J's gradient view does. No host syncs: every
scalar here comes from the configuration, never from a tensor.
"""

from __future__ import annotations

import math

from pydl4j_transfer.conf.updater_layout import FrozenParams

from .gradnorm import normalize_layer_gradient
from .regularization import BEFORE_UPDATER, POST_UPDATER, _is_frozen, _unwrap, apply_regularization, apply_step
from .regularization import update_regularizations_for as regularizations_for
from .updaters import apply_updater, has_learning_rate, learning_rate

_BN = "org.deeplearning4j.nn.conf.layers.BatchNormalization"
#: layer "@class" -> params DL4J does not divide by the minibatch size (Layer#updaterDivideByMinibatch)
NOT_DIVIDED_BY_MINIBATCH = {_BN: frozenset({"mean", "var", "log10stdev"})}


def _layer_conf(layer):
    """The conf that carries per-layer training settings (a FrozenParams view -> its layer)."""
    return layer.layer if isinstance(layer, FrozenParams) else layer


def divide_by_minibatch(layer, key) -> bool:
    """Mirrors Layer#updaterDivideByMinibatch(paramName) (wrappers delegate to the wrapped layer)."""
    inner = _unwrap(_layer_conf(layer))
    return key not in NOT_DIVIDED_BY_MINIBATCH.get(getattr(inner, "dl4jClass", None), ())


def param_table(blocks, layers_by_owner):
    """[(block, [(owner, key, start, end), ...]), ...] from the blocks' param lists and the layers' shapes."""
    out = []
    for b in blocks:
        pos, rows = b.param_start, []
        for owner, key in b.params:
            n = math.prod(layers_by_owner[owner].paramShapes()[key])
            rows.append((owner, key, pos, pos + n))
            pos += n
        out.append((b, rows))
    return out


class UpdatePlan:
    """What :func:`apply_update_blocks` does for one network layout, worked out once (the layout only changes
    with the configuration; a small head's step is otherwise mostly this bookkeeping): the flat ranges to
    zero (frozen) and to divide by the minibatch size, merged where adjacent; the layers with gradient
    normalization; the blocks that update, each with its (regularization, apply step, range) list."""

    def __init__(self, blocks, layers_by_owner, layer_updater=False):
        # layer_updater: DL4J's LayerUpdater (a layer's own, in layer-wise pretraining): no block is skipped
        table = param_table(blocks, layers_by_owner)
        rows = [r for _, rs in table for r in rs]
        spans = _owner_spans(rows)
        self.frozen = _merge(span for owner, span in spans.items() if _is_frozen(layers_by_owner[owner]))
        self.divide = _merge((s, e) for owner, key, s, e in rows if divide_by_minibatch(layers_by_owner[owner], key))
        self.gradnorm = []
        for owner, span in spans.items():
            conf = _unwrap(_layer_conf(layers_by_owner[owner]))
            mode = getattr(conf, "gradientNormalization", None)
            if mode is not None and str(getattr(mode, "name", mode)) != "None":
                self.gradnorm.append((mode, getattr(conf, "gradientNormalizationThreshold", 0.0), span,
                                      [(rs, re) for o, _, rs, re in rows if o == owner]))
        self.blocks = []
        for block, brows in table:
            if block.param_end == block.param_start or (not layer_updater and _skip_pretrain(block, layers_by_owner)):
                continue
            regs = [(reg, apply_step(reg), s, e) for owner, key, s, e in brows
                    for reg in regularizations_for(layers_by_owner[owner], key)]
            self.blocks.append((block, [r for r in regs if r[1] == BEFORE_UPDATER],
                                [r for r in regs if r[1] == POST_UPDATER]))


def _merge(spans) -> list:
    """Sorted, disjoint (start, end) ranges with adjacent ones joined."""
    out = []
    for s, e in sorted(spans):
        if out and s == out[-1][1]:
            out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def apply_update_blocks(blocks, params_flat, grads_flat, state_flat, layers_by_owner, iteration, epoch,
                        minibatch_size, mini_batch=True, plan=None, step_sign=-1):
    """One DL4J update: gradnorm, minibatch division, L1/L2, updater, weight decay, ``params -= update``.

    ``blocks``: :func:`pydl4j_transfer.nn.updater_layout.updater_blocks` output; ``layers_by_owner``:
    owner -> layer conf (as given to updater_blocks). ``params_flat``, ``grads_flat``, ``state_flat``
    are modified in place (``state_flat`` may be None when no updater has state). ``plan``: these blocks'
    :class:`UpdatePlan` when the caller keeps one (the training loop does). ``step_sign``: -1 ``params -= update``
    (NegativeDefault/NegativeGradientStepFunction, DL4J's default), +1 ``params += update`` (Default/GradientStepFunction).
    """
    plan = plan if plan is not None else UpdatePlan(blocks, layers_by_owner)
    for s, e in plan.frozen:  # 1. frozen: zero gradient
        grads_flat[s:e].zero_()
    if mini_batch:  # 2. minibatch division
        for s, e in plan.divide:
            grads_flat[s:e].div_(minibatch_size)
    for mode, threshold, (s, e), ranges in plan.gradnorm:  # 3. gradient normalization, per layer
        normalize_layer_gradient(mode, threshold, grads_flat[s:e], [grads_flat[a:b] for a, b in ranges])

    for block, before, post in plan.blocks:  # 4. the blocks
        upd = block.updater
        lr = learning_rate(upd, iteration, epoch) if has_learning_rate(upd) else 1.0
        for reg, _, s, e in before:  # L1/L2 on the gradient
            apply_regularization(reg, params_flat[s:e], grads_flat[s:e], lr, iteration, epoch)
        g = grads_flat[block.param_start:block.param_end]
        state = state_flat[block.state_start:block.state_end] if state_flat is not None else None
        update = apply_updater(upd, g, state, iteration, epoch)
        if update is not g:
            g.copy_(update)  # DL4J's updater overwrites the gradient view with the update
        for reg, _, s, e in post:  # weight decay on the update
            apply_regularization(reg, params_flat[s:e], grads_flat[s:e], lr, iteration, epoch)
        params_flat[block.param_start:block.param_end].add_(g, alpha=step_sign)  # 5. params -= update (the step function)
    return params_flat


def _owner_spans(rows):
    spans = {}
    for owner, _, s, e in rows:
        a, b = spans.get(owner, (s, e))
        spans[owner] = (min(a, s), max(b, e))
    return spans


def _skip_pretrain(block, layers_by_owner) -> bool:
    """Mirrors UpdaterBlock#skipDueToPretrainConfig(false): a block of pretrain params is not updated in backprop."""
    owner, key = block.params[0]
    layer = layers_by_owner[owner]
    return bool(getattr(layer, "isPretrainParam", lambda k: False)(key))
