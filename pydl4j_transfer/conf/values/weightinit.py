"""IWeightInit implementations (``org.deeplearning4j.nn.weights``) and the
``org.deeplearning4j.nn.conf.distribution`` distributions (type id property ``"type"``)."""

from __future__ import annotations

from ..base import COERCERS, DISTRIBUTIONS, DOUBLE, INT, WEIGHT_INITS, ConfObject, Field, poly
from ..enums import WeightInit

PKG = "org.deeplearning4j.nn.weights."
DPKG = "org.deeplearning4j.nn.conf.distribution."


class Distribution(ConfObject):
    """Mirrors org.deeplearning4j.nn.conf.distribution.Distribution (JSON type id: ``"type"``)."""


def _dist(name, fields, positional):
    cls = type(name, (Distribution,), {"dl4jClass": DPKG + name, "FIELDS": tuple(fields), "POSITIONAL": tuple(positional),
                                       "__doc__": f"Mirrors {DPKG}{name}.", "__module__": __name__})
    return DISTRIBUTIONS.register(cls)


_MS = [Field("mean", DOUBLE, default=0.0), Field("std", DOUBLE, default=0.0)]
NormalDistribution = _dist("NormalDistribution", _MS, ("mean", "std"))
GaussianDistribution = _dist("GaussianDistribution", _MS, ("mean", "std"))
TruncatedNormalDistribution = _dist("TruncatedNormalDistribution", _MS, ("mean", "std"))
LogNormalDistribution = _dist("LogNormalDistribution", _MS, ("mean", "std"))
UniformDistribution = _dist("UniformDistribution", [Field("lower", DOUBLE, default=0.0), Field("upper", DOUBLE, default=0.0)],
                            ("lower", "upper"))
ConstantDistribution = _dist("ConstantDistribution", [Field("value", DOUBLE, default=0.0)], ("value",))
OrthogonalDistribution = _dist("OrthogonalDistribution", [Field("gain", DOUBLE, default=0.0)], ("gain",))
BinomialDistribution = _dist("BinomialDistribution", [Field("numberOfTrials", INT, default=0),
                                                      Field("probabilityOfSuccess", DOUBLE, default=0.0)],
                             ("numberOfTrials", "probabilityOfSuccess"))


class BaseWeightInit(ConfObject):
    """Mirrors org.deeplearning4j.nn.weights.IWeightInit."""


def _wi(name, fields=(), positional=()):
    cls = type(name, (BaseWeightInit,), {"dl4jClass": PKG + name, "FIELDS": tuple(fields), "POSITIONAL": tuple(positional),
                                         "__doc__": f"Mirrors {PKG}{name}.", "__module__": __name__})
    return WEIGHT_INITS.register(cls)


WeightInitXavier = _wi("WeightInitXavier")
WeightInitXavierUniform = _wi("WeightInitXavierUniform")
WeightInitXavierLegacy = _wi("WeightInitXavierLegacy")
WeightInitRelu = _wi("WeightInitRelu")
WeightInitReluUniform = _wi("WeightInitReluUniform")
WeightInitSigmoidUniform = _wi("WeightInitSigmoidUniform")
WeightInitLecunUniform = _wi("WeightInitLecunUniform")
WeightInitNormal = _wi("WeightInitNormal")
WeightInitUniform = _wi("WeightInitUniform")
WeightInitConstant = _wi("WeightInitConstant", [Field("value", DOUBLE, default=0.0)], ("value",))
_SCALE = [Field("scale", DOUBLE)]
WeightInitIdentity = _wi("WeightInitIdentity", _SCALE, ("scale",))
WeightInitVarScalingNormalFanIn = _wi("WeightInitVarScalingNormalFanIn", _SCALE, ("scale",))
WeightInitVarScalingNormalFanOut = _wi("WeightInitVarScalingNormalFanOut", _SCALE, ("scale",))
WeightInitVarScalingNormalFanAvg = _wi("WeightInitVarScalingNormalFanAvg", _SCALE, ("scale",))
WeightInitVarScalingUniformFanIn = _wi("WeightInitVarScalingUniformFanIn", _SCALE, ("scale",))
WeightInitVarScalingUniformFanOut = _wi("WeightInitVarScalingUniformFanOut", _SCALE, ("scale",))
WeightInitVarScalingUniformFanAvg = _wi("WeightInitVarScalingUniformFanAvg", _SCALE, ("scale",))
WeightInitDistribution = _wi("WeightInitDistribution", [Field("distribution", poly(DISTRIBUTIONS))], ("distribution",))


def to_weight_init(value):
    """IWeightInit, Distribution (-> WeightInitDistribution) or WeightInit member/name -> IWeightInit."""

    if value is None or isinstance(value, BaseWeightInit):
        return value
    if isinstance(value, Distribution):
        return WeightInitDistribution(value)
    return WeightInit.of(value).getWeightInitFunction()


COERCERS[WEIGHT_INITS.kind] = to_weight_init
