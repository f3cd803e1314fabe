"""DL4J's parameter constraints (``org.deeplearning4j.nn.conf.constraint``), applied in place.

Mirrors ``BaseConstraint#applyConstraint`` + each class's ``apply(INDArray)`` in 1.0.0-M2.1 (read from
its bytecode). DL4J applies the constraints of every non-frozen layer after each iteration, once the
updater has changed the parameters (``StochasticGradientDescent#optimize`` -> ``BaseOptimizer#applyConstraints``
-> ``Model#applyConstraints`` -> ``Layer#applyConstraints``; FrozenLayer / FrozenLayerWithBackprop do nothing).

The arithmetic works on the parameter as DL4J sees it, in DL4J's shape (dense ``W`` is ``[nIn, nOut]``,
conv ``W`` is ``[nOut, nIn, kH, kW]``, biases rank 1 ``[nOut]`` in M2.1), so ``dimensions`` mean what they
mean in DL4J (a dimension beyond the parameter's rank fails, as ND4J's norm2 does).
:func:`dl4j_view` gives that view of the flat parameter tensor without copying.

Two DL4J M2.1 behaviours are reproduced on purpose (docs/deviations.md, "Training" table):

* ``BaseConstraint#applyConstraint`` calls ``apply`` TWICE per matching parameter (the ``params.contains``
  test is duplicated): :data:`DL4J_APPLY_COUNT`;
* ``MinMaxNormConstraint`` with ``rate != 1`` scales by ``rate * clip(n)/(n + eps) + (1 - rate) * (n + eps)``
  (the norm, not 1, in the second term).
"""

from __future__ import annotations

import torch

from pydl4j_transfer.errors import InvalidConfigurationError

#: BaseConstraint#applyConstraint (M2.1) calls apply(param) twice for every parameter it constrains
DL4J_APPLY_COUNT = 2


def dl4j_view(flat: torch.Tensor, offset: int, shape, order: str) -> torch.Tensor:
    """The parameter at ``flat[offset:]`` in DL4J's shape, as a view (in-place ops change ``flat``).

    Layout flip: an 'f'-order DL4J array of shape S has the bytes of a 'c'-order array of shape reversed(S);
    viewing it as reversed(S) and permuting the axes back gives DL4J's axis numbering."""
    shape = tuple(int(s) for s in shape)
    seg = flat[offset: offset + _prod(shape)]
    if order.lower() == "f" and len(shape) > 1:
        return seg.view(tuple(reversed(shape))).permute(*reversed(range(len(shape))))
    return seg.view(shape)


def _prod(shape):
    n = 1
    for s in shape:
        n *= s
    return n


def _class_name(c) -> str:
    return (getattr(c, "dl4jClass", "") or type(c).__name__).rsplit(".", 1)[-1]


def _dims(constraint, param, where):
    dims = [int(d) for d in (getattr(constraint, "dimensions", None) or [])]
    if not dims:
        return tuple(range(param.dim()))  # INDArray#norm2() with no dimensions: the whole array
    bad = [d for d in dims if not 0 <= d < param.dim()]
    if bad:
        raise InvalidConfigurationError(
            f"{where}: {_class_name(constraint)} dimensions {dims} do not fit the parameter's DL4J shape "
            f"{list(param.shape)} (rank {param.dim()}); DL4J fails the same way. Dense/LSTM weights [nIn, nOut] use "
            "dimension 1, convolution weights [nOut, nIn, kH, kW] use 1, 2, 3, biases [nOut] only 0")
    return tuple(dims)


def _norm2(param, dims):
    return torch.linalg.vector_norm(param, ord=2, dim=dims, keepdim=True)


def _max_norm(c, p, where):
    """MaxNormConstraint#apply: p *= min(n, maxNorm) / (n + eps), n = ||p||_2 over ``dimensions``."""
    norm = _norm2(p, _dims(c, p, where))
    max_norm = float(c.maxNorm)
    clipped = torch.where(norm > max_norm, torch.full_like(norm, max_norm), norm)  # replaceWhere(>maxNorm)
    p.mul_(clipped / (norm + float(c.epsilon)))


def _min_max_norm(c, p, where):
    """MinMaxNormConstraint#apply: p *= clip(n, min, max) / (n + eps), blended with ``rate`` as DL4J does."""
    norm = _norm2(p, _dims(c, p, where))
    clipped = norm.clamp(float(c.min), float(c.max))  # the clipbyvalue op
    norm = norm + float(c.epsilon)  # norm.addi(epsilon)
    factor = clipped / norm
    rate = float(c.rate)
    if rate != 1.0:
        # DL4J: clipped.muli(rate).addi(norm.muli(1 - rate)) -- the norm itself, not 1 (reproduced)
        factor = factor * rate + norm * (1.0 - rate)
    p.mul_(factor)


def _non_negative(c, p, where):
    """NonNegativeConstraint#apply: replaceWhere(p, 0, lessThan(0))."""
    p.clamp_(min=0.0)


def _unit_norm(c, p, where):
    """UnitNormConstraint#apply: p /= ||p||_2 over ``dimensions`` (no epsilon)."""
    p.div_(_norm2(p, _dims(c, p, where)))


#: constraint class name -> apply(constraint conf, DL4J-shaped parameter view, where)
CONSTRAINT_FUNCTIONS = {
    "MaxNormConstraint": _max_norm,
    "MinMaxNormConstraint": _min_max_norm,
    "NonNegativeConstraint": _non_negative,
    "UnitNormConstraint": _unit_norm,
}


def check_constraint(constraint, where: str) -> None:
    if _class_name(constraint) not in CONSTRAINT_FUNCTIONS:
        raise InvalidConfigurationError(
            f"{where}: no torch implementation of constraint {getattr(constraint, 'dl4jClass', constraint)!r};"
            f" supported: {sorted(CONSTRAINT_FUNCTIONS)}")


def apply_constraint(constraint, param: torch.Tensor, where: str = "", times: int | None = None) -> None:
    """Apply one constraint to one DL4J-shaped parameter view in place, ``times`` times (default
    :data:`DL4J_APPLY_COUNT`: twice, as DL4J M2.1)."""
    times = DL4J_APPLY_COUNT if times is None else int(times)
    fn = CONSTRAINT_FUNCTIONS.get(_class_name(constraint))
    if fn is None:
        check_constraint(constraint, where)
    with torch.no_grad():
        for _ in range(times):
            fn(constraint, param, where)


def constraint_plan(param_owners, slots) -> list:
    """[(constraint, ParamSlot, where)] in DL4J's order: layers in network order, each layer's constraints in
    list order, the parameters a constraint names (``params``) that the layer has (BaseConstraint#applyConstraint).

    ``param_owners``: the configuration's ``param_owners()``; which layer confs a layer or vertex constrains is
    the configuration's own ``constrained_layers()`` (wrappers delegate, frozen layers apply none)."""
    by_key = {(str(s.owner), s.key): s for s in slots}
    plan = []
    for owner, conf in param_owners:
        for prefix, layer in conf.constrained_layers():
            for c in layer.constraints:
                where = f"layer {owner!r} ({_class_name(layer)})"
                check_constraint(c, where)
                table_keys = [k[len(prefix):] for (o, k) in by_key if o == str(owner) and k.startswith(prefix)]
                for key in table_keys:  # paramTable order; DL4J tests params.contains(key)
                    if key in (c.params or ()):
                        plan.append((c, by_key[(str(owner), prefix + key)], f"{where} parameter {key!r}"))
    return plan


def apply_constraints(plan, flat: torch.Tensor) -> None:
    """Mirrors Model#applyConstraints(iteration, epoch) on the flat parameter tensor (in place)."""
    for c, slot, where in plan:
        apply_constraint(c, dl4j_view(flat, slot.offset, slot.shape, slot.order), where)

