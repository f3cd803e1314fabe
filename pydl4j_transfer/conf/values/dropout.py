"""IDropout (``org.deeplearning4j.nn.conf.dropout``) and IWeightNoise
(``org.deeplearning4j.nn.conf.weightnoise``).

Convention flip: DL4J dropout ``p`` is the probability of RETAINING an activation
(torch's ``p`` is the drop probability).
"""

from __future__ import annotations

import math

from ..base import BOOL, COERCERS, DISTRIBUTIONS, DOUBLE, DROPOUTS, WEIGHT_NOISES, ConfObject, Field, poly
from .schedules import SCHEDULE, BaseSchedule

PKG = "org.deeplearning4j.nn.conf.dropout."
WPKG = "org.deeplearning4j.nn.conf.weightnoise."


class BaseDropout(ConfObject):
    """Mirrors org.deeplearning4j.nn.conf.dropout.IDropout."""


def _value_or_schedule(value_attr, sched_attr):
    def setter(self, value):
        if isinstance(value, BaseSchedule):
            setattr(self, sched_attr, value)
            setattr(self, value_attr, math.nan)
        else:
            setattr(self, value_attr, None if value is None else float(value))
    return {value_attr: setter}


@DROPOUTS.register
class Dropout(BaseDropout):
    """Mirrors org.deeplearning4j.nn.conf.dropout.Dropout (``p`` = retain probability, or a schedule)."""

    dl4jClass = PKG + "Dropout"
    FIELDS = (Field("p", DOUBLE, default=0.0), Field("helperAllowFallback", BOOL, default=True),
              Field("pschedule", SCHEDULE, attr="pSchedule"))
    POSITIONAL = ("p",)
    KEY_ORDER = ("p", "helperAllowFallback", "pschedule")
    SETTERS = _value_or_schedule("p", "pSchedule")


@DROPOUTS.register
class AlphaDropout(BaseDropout):
    """Mirrors org.deeplearning4j.nn.conf.dropout.AlphaDropout."""

    dl4jClass = PKG + "AlphaDropout"
    DEFAULT_ALPHA = 1.6732632423543772
    DEFAULT_LAMBDA = 1.0507009873554805
    FIELDS = (Field("p", DOUBLE, default=0.0), Field("pschedule", SCHEDULE, attr="pSchedule"),
              Field("alpha", DOUBLE, default=DEFAULT_ALPHA, missing=0.0),
              Field("lambda", DOUBLE, attr="lambda_", default=DEFAULT_LAMBDA, missing=0.0))
    POSITIONAL = ("p",)
    SETTERS = _value_or_schedule("p", "pSchedule")

    def getAlphaPrime(self):
        """Mirrors AlphaDropout#getAlphaPrime: -lambda * alpha."""
        return -self.lambda_ * self.alpha

    def a(self, p):
        """Mirrors AlphaDropout#a(p): 1 / sqrt(p + alphaPrime^2 * p * (1 - p))."""
        ap = self.getAlphaPrime()
        return 1.0 / math.sqrt(p + ap * ap * p * (1 - p))

    def b(self, p):
        """Mirrors AlphaDropout#b(p): -a(p) * (1 - p) * alphaPrime."""
        return -self.a(p) * (1 - p) * self.getAlphaPrime()

    def getA(self):
        """Mirrors AlphaDropout#getA: a(p) (0 while p comes from a schedule and no step has run)."""
        return 0.0 if self.pSchedule is not None else self.a(self.p)

    def getB(self):
        """Mirrors AlphaDropout#getB: b(p) (0 while p comes from a schedule and no step has run)."""
        return 0.0 if self.pSchedule is not None else self.b(self.p)


@DROPOUTS.register
class GaussianDropout(BaseDropout):
    """Mirrors org.deeplearning4j.nn.conf.dropout.GaussianDropout."""

    dl4jClass = PKG + "GaussianDropout"
    FIELDS = (Field("rate", DOUBLE, default=0.0), Field("rateSchedule", SCHEDULE))
    POSITIONAL = ("rate",)
    SETTERS = _value_or_schedule("rate", "rateSchedule")


@DROPOUTS.register
class GaussianNoise(BaseDropout):
    """Mirrors org.deeplearning4j.nn.conf.dropout.GaussianNoise."""

    dl4jClass = PKG + "GaussianNoise"
    FIELDS = (Field("stddev", DOUBLE, default=0.0), Field("stddevSchedule", SCHEDULE))
    POSITIONAL = ("stddev",)
    SETTERS = _value_or_schedule("stddev", "stddevSchedule")


@DROPOUTS.register
class SpatialDropout(BaseDropout):
    """Mirrors org.deeplearning4j.nn.conf.dropout.SpatialDropout (``p`` = retain probability)."""

    dl4jClass = PKG + "SpatialDropout"
    FIELDS = (Field("p", DOUBLE, default=0.0), Field("pschedule", SCHEDULE, attr="pSchedule"))
    POSITIONAL = ("p",)
    SETTERS = _value_or_schedule("p", "pSchedule")


def to_dropout(value):
    """A number p becomes Dropout(p) (p = retain probability)."""
    if value is None or isinstance(value, BaseDropout):
        return value
    return Dropout(value)


COERCERS[DROPOUTS.kind] = to_dropout


class BaseWeightNoise(ConfObject):
    """Mirrors org.deeplearning4j.nn.conf.weightnoise.IWeightNoise."""


@WEIGHT_NOISES.register
class DropConnect(BaseWeightNoise):
    """Mirrors org.deeplearning4j.nn.conf.weightnoise.DropConnect (``weightRetainProb``)."""

    dl4jClass = WPKG + "DropConnect"
    FIELDS = (Field("weightRetainProb", DOUBLE, default=0.0), Field("weightRetainProbSchedule", SCHEDULE),
              Field("applyToBiases", BOOL, default=False))
    POSITIONAL = ("weightRetainProb", "applyToBiases")
    KEY_ORDER = ("applyToBiases", "weightRetainProbSchedule", "weightRetainProb")
    SETTERS = _value_or_schedule("weightRetainProb", "weightRetainProbSchedule")


@WEIGHT_NOISES.register
class WeightNoise(BaseWeightNoise):
    """Mirrors org.deeplearning4j.nn.conf.weightnoise.WeightNoise (``WeightNoise(dist, additive)``)."""

    dl4jClass = WPKG + "WeightNoise"
    FIELDS = (Field("distribution", poly(DISTRIBUTIONS)), Field("applyToBias", BOOL, default=False),
              Field("additive", BOOL, default=False))
    POSITIONAL = ("distribution", "applyToBias", "additive")

    def __init__(self, distribution=None, *args, **kwargs):
        # Java: WeightNoise(dist, additive) and WeightNoise(dist, applyToBias, additive)
        if len(args) == 1:
            kwargs.setdefault("additive", args[0])
            args = ()
        super().__init__(distribution, *args, **kwargs)
