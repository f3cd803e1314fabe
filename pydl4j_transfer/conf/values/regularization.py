"""Regularization (``org.nd4j.linalg.learning.regularization``) and layer constraints
(``org.deeplearning4j.nn.conf.constraint``)."""

from __future__ import annotations

from ..base import BOOL, CONSTRAINTS, DOUBLE, INT_ARRAY, REGULARIZATIONS, STR_ARRAY, ConfObject, Field
from ..javautil import hash_order
from .schedules import SCHEDULE, to_schedule

PKG = "org.nd4j.linalg.learning.regularization."
CPKG = "org.deeplearning4j.nn.conf.constraint."


class Regularization(ConfObject):
    """Mirrors org.nd4j.linalg.learning.regularization.Regularization."""


def _sched_setter(attr):
    return {attr: lambda self, v: setattr(self, attr, to_schedule(v))}


@REGULARIZATIONS.register
class L1Regularization(Regularization):
    """Mirrors org.nd4j.linalg.learning.regularization.L1Regularization (``L1Regularization(1e-4)``)."""

    dl4jClass = PKG + "L1Regularization"
    FIELDS = (Field("l1", SCHEDULE),)
    POSITIONAL = ("l1",)
    SETTERS = _sched_setter("l1")


@REGULARIZATIONS.register
class L2Regularization(Regularization):
    """Mirrors org.nd4j.linalg.learning.regularization.L2Regularization."""

    dl4jClass = PKG + "L2Regularization"
    FIELDS = (Field("l2", SCHEDULE),)
    POSITIONAL = ("l2",)
    SETTERS = _sched_setter("l2")


@REGULARIZATIONS.register
class WeightDecay(Regularization):
    """Mirrors org.nd4j.linalg.learning.regularization.WeightDecay (``WeightDecay(coeff, applyLR)``)."""

    dl4jClass = PKG + "WeightDecay"
    FIELDS = (Field("coeff", SCHEDULE), Field("applyLR", BOOL, default=True, missing=False))
    POSITIONAL = ("coeff", "applyLR")
    SETTERS = _sched_setter("coeff")




class BaseConstraint(ConfObject):
    """Mirrors org.deeplearning4j.nn.conf.constraint.BaseConstraint.

    ``params`` is a Java HashSet: DL4J writes it in hash order, which construction reproduces.
    """

    FIELDS = (Field("dimensions", INT_ARRAY), Field("epsilon", DOUBLE, default=1e-6), Field("params", STR_ARRAY, default=[]))
    SETTERS = {"params": lambda self, v: setattr(self, "params", hash_order(v) if v is not None else None),
               "dimensions": lambda self, v: setattr(self, "dimensions", INT_ARRAY.coerce(v))}


def _constraint(name, fields, positional):
    cls = type(name, (BaseConstraint,), {"dl4jClass": CPKG + name, "FIELDS": tuple(fields), "POSITIONAL": tuple(positional),
                                         "__doc__": f"Mirrors {CPKG}{name}.", "__module__": __name__})
    return CONSTRAINTS.register(cls)


MaxNormConstraint = _constraint("MaxNormConstraint", [Field("maxNorm", DOUBLE, default=0.0)], ("maxNorm", "dimensions"))
MinMaxNormConstraint = _constraint("MinMaxNormConstraint", [Field("min", DOUBLE, default=0.0), Field("max", DOUBLE, default=0.0),
                                                            Field("rate", DOUBLE, default=1.0, missing=0.0)],
                                   ("min", "max", "rate", "dimensions"))
NonNegativeConstraint = _constraint("NonNegativeConstraint", [], ())
UnitNormConstraint = _constraint("UnitNormConstraint", [], ("dimensions",))
