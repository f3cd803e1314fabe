"""ISchedule implementations (``org.nd4j.linalg.schedule``); JSON = getter names."""

from __future__ import annotations

from ..base import COERCERS, DOUBLE, INT, SCHEDULES, ConfObject, EnumCodec, Field, MapCodec, poly
from ..enums import ScheduleType
from ..javautil import hash_order

PKG = "org.nd4j.linalg.schedule."
STYPE = EnumCodec(ScheduleType)


class BaseSchedule(ConfObject):
    """Mirrors org.nd4j.linalg.schedule.ISchedule."""


def _schedule(name, fields, positional, key_order=None, doc=""):
    cls = type(name, (BaseSchedule,), {
        "dl4jClass": PKG + name, "FIELDS": tuple(fields), "POSITIONAL": tuple(positional), "KEY_ORDER": key_order,
        "__doc__": f"Mirrors {PKG}{name}.{(' ' + doc) if doc else ''}", "__module__": __name__})
    return SCHEDULES.register(cls)


FixedSchedule = _schedule("FixedSchedule", [Field("value", DOUBLE, default=0.0)], ("value",))
StepSchedule = _schedule("StepSchedule", [Field("scheduleType", STYPE), Field("initialValue", DOUBLE, default=0.0),
                                          Field("decayRate", DOUBLE, default=0.0), Field("step", DOUBLE, default=0.0)],
                         ("scheduleType", "initialValue", "decayRate", "step"))
ExponentialSchedule = _schedule("ExponentialSchedule", [Field("scheduleType", STYPE),
                                                        Field("initialValue", DOUBLE, default=0.0),
                                                        Field("gamma", DOUBLE, default=0.0)],
                                ("scheduleType", "initialValue", "gamma"))
InverseSchedule = _schedule("InverseSchedule", [Field("scheduleType", STYPE), Field("initialValue", DOUBLE, default=0.0),
                                                Field("gamma", DOUBLE, default=0.0), Field("power", DOUBLE, default=0.0)],
                            ("scheduleType", "initialValue", "gamma", "power"))
PolySchedule = _schedule("PolySchedule", [Field("scheduleType", STYPE), Field("initialValue", DOUBLE, default=0.0),
                                          Field("power", DOUBLE, default=0.0), Field("maxIter", INT, default=0)],
                         ("scheduleType", "initialValue", "power", "maxIter"))
SigmoidSchedule = _schedule("SigmoidSchedule", [Field("scheduleType", STYPE), Field("initialValue", DOUBLE, default=0.0),
                                                Field("gamma", DOUBLE, default=0.0), Field("stepSize", INT, default=0)],
                            ("scheduleType", "initialValue", "gamma", "stepSize"))


@SCHEDULES.register
class MapSchedule(BaseSchedule):
    """Mirrors org.nd4j.linalg.schedule.MapSchedule.

    ``values`` keeps the order it was given or parsed in; a dict passed to the constructor is
    put in Java HashMap order (what DL4J writes for a HashMap argument).
    """

    dl4jClass = PKG + "MapSchedule"
    FIELDS = (Field("scheduleType", STYPE), Field("values", MapCodec(DOUBLE, key_type=str)))
    POSITIONAL = ("scheduleType", "values")
    SETTERS = {"values": lambda self, v: setattr(self, "values", {str(k): float(v[k]) for k in hash_order([int(k) for k in v])}
                                                 if v is not None else None)}


@SCHEDULES.register
class CycleSchedule(BaseSchedule):
    """Mirrors org.nd4j.linalg.schedule.CycleSchedule (stepSize/increment derived as DL4J does)."""

    dl4jClass = PKG + "CycleSchedule"
    FIELDS = (Field("scheduleType", STYPE), Field("initialLearningRate", DOUBLE, default=0.0),
              Field("maxLearningRate", DOUBLE, default=0.0), Field("cycleLength", INT, default=0),
              Field("annealingLength", INT, default=0), Field("annealingDecay", DOUBLE, default=0.0),
              Field("increment", DOUBLE, default=float("nan")), Field("stepSize", INT, default=0))
    POSITIONAL = ("scheduleType", "initialLearningRate", "maxLearningRate", "cycleLength", "annealingLength",
                  "annealingDecay")
    KEY_ORDER = ("annealingDecay", "annealingLength", "cycleLength", "initialLearningRate", "maxLearningRate",
                 "scheduleType", "increment", "stepSize")

    def _on_build(self):
        if self.cycleLength:
            self.stepSize = (self.cycleLength - self.annealingLength) // 2
            if self.stepSize:
                self.increment = (self.maxLearningRate - self.initialLearningRate) / self.stepSize


@SCHEDULES.register
class RampSchedule(BaseSchedule):
    """Mirrors org.nd4j.linalg.schedule.RampSchedule.

    DL4J M2.1 writes it as ``{"@class": ...}`` only (no visible properties), so
    ``baseSchedule``/``numIter`` do not survive a JSON round trip, in DL4J as here.
    """

    dl4jClass = PKG + "RampSchedule"
    POSITIONAL = ("baseSchedule", "numIter")
    SETTERS = {"baseSchedule": lambda self, v: setattr(self, "baseSchedule", v),
               "numIter": lambda self, v: setattr(self, "numIter", int(v))}

    def _init_state(self):
        self.__dict__.setdefault("baseSchedule", None)
        self.__dict__.setdefault("numIter", 0)

    def _state(self):
        return [self._extra]


def to_schedule(value):
    """A number becomes FixedSchedule(value)."""
    if value is None or isinstance(value, BaseSchedule):
        return value
    return FixedSchedule(float(value))


COERCERS[SCHEDULES.kind] = to_schedule
SCHEDULE = poly(SCHEDULES)
