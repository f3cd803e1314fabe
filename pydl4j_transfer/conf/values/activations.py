"""IActivation implementations (``org.nd4j.linalg.activations.impl``); JSON = Java field names."""

from __future__ import annotations

from ..base import ACTIVATIONS, COERCERS, DOUBLE, BOOL, RAW, ConfObject, Field, array, INT
from ..enums import Activation

PKG = "org.nd4j.linalg.activations.impl."


class BaseActivation(ConfObject):
    """Mirrors org.nd4j.linalg.activations.IActivation (base of every activation)."""


def _activation(name, fields=(), positional=(), doc=""):
    cls = type(name, (BaseActivation,), {
        "dl4jClass": PKG + name, "FIELDS": tuple(fields), "POSITIONAL": tuple(positional),
        "__doc__": f"Mirrors {PKG}{name}.{(' ' + doc) if doc else ''}", "__module__": __name__})
    return ACTIVATIONS.register(cls)


ActivationCube = _activation("ActivationCube")
ActivationHardSigmoid = _activation("ActivationHardSigmoid")
ActivationHardTanH = _activation("ActivationHardTanH")
ActivationIdentity = _activation("ActivationIdentity")
ActivationMish = _activation("ActivationMish")
ActivationRationalTanh = _activation("ActivationRationalTanh")
ActivationReLU6 = _activation("ActivationReLU6")
ActivationRectifiedTanh = _activation("ActivationRectifiedTanh")
ActivationSELU = _activation("ActivationSELU")
ActivationSigmoid = _activation("ActivationSigmoid")
ActivationSoftPlus = _activation("ActivationSoftPlus")
ActivationSoftSign = _activation("ActivationSoftSign")
ActivationSoftmax = _activation("ActivationSoftmax")
ActivationSwish = _activation("ActivationSwish")
ActivationTanH = _activation("ActivationTanH")
# Boxed Doubles, written as null when unset (= plain ReLU). Java ctor order: (max, threshold, negativeSlope).
ActivationReLU = _activation("ActivationReLU", [Field("max", DOUBLE), Field("negativeSlope", DOUBLE),
                                                Field("threshold", DOUBLE)],
                             ("max", "threshold", "negativeSlope"))
ActivationLReLU = _activation("ActivationLReLU", [Field("alpha", DOUBLE, default=0.01)], ("alpha",))
ActivationELU = _activation("ActivationELU", [Field("alpha", DOUBLE, default=1.0)], ("alpha",))
ActivationRReLU = _activation("ActivationRReLU", [Field("l", DOUBLE, default=1.0 / 8), Field("u", DOUBLE, default=1.0 / 3)],
                              ("l", "u"))
ActivationThresholdedReLU = _activation("ActivationThresholdedReLU", [Field("theta", DOUBLE, default=1.0)], ("theta",))
ActivationGELU = _activation("ActivationGELU", [Field("precise", BOOL, default=False)], ("precise",))
ActivationPReLU = _activation("ActivationPReLU", [Field("alpha", RAW), Field("sharedAxes", array(INT))],
                              ("alpha", "sharedAxes"), "alpha is an INDArray (kept as its JSON).")


def to_activation(value):
    """IActivation instance, Activation enum member or name ('relu') -> IActivation."""

    if value is None or isinstance(value, BaseActivation):
        return value
    return Activation.of(value).getActivationFunction()


COERCERS[ACTIVATIONS.kind] = to_activation
