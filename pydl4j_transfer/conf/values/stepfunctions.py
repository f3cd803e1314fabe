"""Step functions (``org.deeplearning4j.nn.conf.stepfunctions``): how the optimizer applies the update.

DL4J writes them as Jackson WRAPPER_OBJECT type ids, ``"stepFunction" : { "negativeGradient" : { } }``, not with
``"@class"``; the names are :data:`NAMES`. Stochastic gradient descent does ``params -= update`` with the Negative*
functions and with none set (NegativeDefaultStepFunction is its default), ``params += update`` with
DefaultStepFunction / GradientStepFunction (``optimize.stepfunctions``: axpy(+1) / addi). MultiLayerNetwork takes the
first layer's NeuralNetConfiguration's, ComputationGraph its defaultConfiguration's (``Solver(conf())``).
"""

from __future__ import annotations

from pydl4j_transfer.errors import InvalidConfigurationError, MalformedConfigError

from ..base import Codec, ConfObject

PKG = "org.deeplearning4j.nn.conf.stepfunctions."


class StepFunction(ConfObject):
    """Mirrors org.deeplearning4j.nn.conf.stepfunctions.StepFunction."""

    WRITE_TYPE = False
    NAME = None
    #: +1: params += update; -1: params -= update
    SIGN = -1


class DefaultStepFunction(StepFunction):
    """Mirrors org.deeplearning4j.nn.conf.stepfunctions.DefaultStepFunction (params += update)."""

    dl4jClass = PKG + "DefaultStepFunction"
    NAME = "default"
    SIGN = 1


class GradientStepFunction(StepFunction):
    """Mirrors org.deeplearning4j.nn.conf.stepfunctions.GradientStepFunction (params += update)."""

    dl4jClass = PKG + "GradientStepFunction"
    NAME = "gradient"
    SIGN = 1


class NegativeDefaultStepFunction(StepFunction):
    """Mirrors org.deeplearning4j.nn.conf.stepfunctions.NegativeDefaultStepFunction (params -= update)."""

    dl4jClass = PKG + "NegativeDefaultStepFunction"
    NAME = "negativeDefault"


class NegativeGradientStepFunction(StepFunction):
    """Mirrors org.deeplearning4j.nn.conf.stepfunctions.NegativeGradientStepFunction (params -= update)."""

    dl4jClass = PKG + "NegativeGradientStepFunction"
    NAME = "negativeGradient"


#: Jackson type name -> class (StepFunction's @JsonSubTypes)
NAMES = {c.NAME: c for c in (DefaultStepFunction, GradientStepFunction, NegativeDefaultStepFunction,
                             NegativeGradientStepFunction)}
#: "@class"-style name -> class, for the guard test and porting tables
CLASSES = {c.dl4jClass: c for c in NAMES.values()}


def to_step_function(value):
    """A StepFunction object, or its class name / Jackson name / class."""
    if value is None or isinstance(value, StepFunction):
        return value
    if isinstance(value, type) and issubclass(value, StepFunction):
        return value()
    if isinstance(value, str):
        cls = NAMES.get(value) or CLASSES.get(value) or CLASSES.get(PKG + value)
        if cls is not None:
            return cls()
    raise InvalidConfigurationError(f"{value!r} is not a step function; expected one of {', '.join(c.__name__ for c in NAMES.values())}")


class StepFunctionCodec(Codec):
    """``{"<name>" : { }}`` (Jackson WRAPPER_OBJECT) <-> a StepFunction object."""

    def decode(self, raw, where=None):
        if raw is None:
            return None
        if not isinstance(raw, dict) or len(raw) != 1:
            raise MalformedConfigError(f"expected a step function like {{\"negativeGradient\": {{}}}}, got {raw!r:.80}"
                                       + (f" (in {where})" if where else ""))
        (name, body), = raw.items()
        cls = NAMES.get(name)
        if cls is None:
            raise MalformedConfigError(f"unknown step function {name!r}; DL4J's are {', '.join(NAMES)}"
                                       + (f" (in {where})" if where else ""))
        return cls._from_tree(body if isinstance(body, dict) else {}, where)

    def encode(self, value):
        return None if value is None else {value.NAME: value._to_tree()}

    def coerce(self, value):
        return to_step_function(value)


STEP_FUNCTION = StepFunctionCodec()


def step_sign(step_function) -> int:
    """+1 (params += update) or -1 (params -= update, also with no step function set)."""
    return getattr(step_function, "SIGN", -1)
