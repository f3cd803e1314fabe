"""ISchedule implementations (``org.nd4j.linalg.schedule``); JSON = getter names.

``valueAt(iteration, epoch)`` mirrors each class's ``ISchedule#valueAt`` in double precision (Java ``double`` /
``int`` arithmetic, ``Math.pow`` / ``Math.exp``); checked against real ND4J in
tests/torch_backend/training/test_schedules_regularization.py. The torch backend's training reads schedules through it.
"""

from __future__ import annotations

import bisect
import math

from ..base import COERCERS, DOUBLE, INT, SCHEDULES, ConfObject, EnumCodec, Field, MapCodec, poly
from ..enums import ScheduleType
from ..javautil import hash_order

PKG = "org.nd4j.linalg.schedule."
STYPE = EnumCodec(ScheduleType)


class BaseSchedule(ConfObject):
    """Mirrors org.nd4j.linalg.schedule.ISchedule."""

    def valueAt(self, iteration, epoch):
        """Mirrors ISchedule#valueAt(int iteration, int epoch)."""
        raise NotImplementedError(type(self).__name__)

    def _counter(self, iteration, epoch) -> int:
        """ScheduleType.ITERATION -> iteration, EPOCH -> epoch (the counter the schedule reads)."""
        name = getattr(self.scheduleType, "name", self.scheduleType)
        return int(epoch) if str(name) == "EPOCH" else int(iteration)


def _schedule(name, fields, positional, value_at, doc=""):
    value_at.__doc__ = f"Mirrors {name}#valueAt(iteration, epoch): {value_at.__doc__}"
    cls = type(name, (BaseSchedule,), {
        "dl4jClass": PKG + name, "FIELDS": tuple(fields), "POSITIONAL": tuple(positional), "valueAt": value_at,
        "__doc__": f"Mirrors {PKG}{name}.{(' ' + doc) if doc else ''}", "__module__": __name__})
    return SCHEDULES.register(cls)


def _fixed(s, iteration, epoch):
    """the value."""
    return float(s.value)


def _step(s, iteration, epoch):
    """initialValue * decayRate ^ floor(i / step) (step is a double)."""
    return s.initialValue * math.pow(s.decayRate, math.floor(s._counter(iteration, epoch) / s.step))


def _exponential(s, iteration, epoch):
    """initialValue * gamma ^ i."""
    return s.initialValue * math.pow(s.gamma, s._counter(iteration, epoch))


def _inverse(s, iteration, epoch):
    """initialValue / (1 + gamma * i) ^ power."""
    return s.initialValue / math.pow(1 + s.gamma * s._counter(iteration, epoch), s.power)


def _poly(s, iteration, epoch):
    """initialValue * (1 + i / maxIter) ^ power, 0 from maxIter on.

    Note the ``+``: DL4J's javadoc promises the usual decaying ``(1 - i/maxIter)^power``, but M2.1 computes
    ``1 + i/maxIter`` (checked against real ND4J), so the value *grows* until it drops to 0 at ``i >= maxIter``;
    we match ND4J."""
    i = s._counter(iteration, epoch)
    if i >= s.maxIter:
        return 0.0
    return s.initialValue * math.pow(1 + i / float(s.maxIter), s.power)


def _sigmoid(s, iteration, epoch):
    """initialValue / (1 + exp(-gamma * (i - stepSize)))."""
    return s.initialValue / (1.0 + math.exp(-s.gamma * (s._counter(iteration, epoch) - s.stepSize)))


FixedSchedule = _schedule("FixedSchedule", [Field("value", DOUBLE, default=0.0)], ("value",), _fixed)
StepSchedule = _schedule("StepSchedule", [Field("scheduleType", STYPE), Field("initialValue", DOUBLE, default=0.0),
                                          Field("decayRate", DOUBLE, default=0.0), Field("step", DOUBLE, default=0.0)],
                         ("scheduleType", "initialValue", "decayRate", "step"), _step)
ExponentialSchedule = _schedule("ExponentialSchedule", [Field("scheduleType", STYPE),
                                                        Field("initialValue", DOUBLE, default=0.0),
                                                        Field("gamma", DOUBLE, default=0.0)],
                                ("scheduleType", "initialValue", "gamma"), _exponential)
InverseSchedule = _schedule("InverseSchedule", [Field("scheduleType", STYPE), Field("initialValue", DOUBLE, default=0.0),
                                                Field("gamma", DOUBLE, default=0.0), Field("power", DOUBLE, default=0.0)],
                            ("scheduleType", "initialValue", "gamma", "power"), _inverse)
PolySchedule = _schedule("PolySchedule", [Field("scheduleType", STYPE), Field("initialValue", DOUBLE, default=0.0),
                                          Field("power", DOUBLE, default=0.0), Field("maxIter", INT, default=0)],
                         ("scheduleType", "initialValue", "power", "maxIter"), _poly)
SigmoidSchedule = _schedule("SigmoidSchedule", [Field("scheduleType", STYPE), Field("initialValue", DOUBLE, default=0.0),
                                                Field("gamma", DOUBLE, default=0.0), Field("stepSize", INT, default=0)],
                            ("scheduleType", "initialValue", "gamma", "stepSize"), _sigmoid)


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

    def getValues(self):
        """Mirrors MapSchedule#getValues: {iteration or epoch (int): value}."""
        return {int(k): v for k, v in (self.values or {}).items()}

    def valueAt(self, iteration, epoch):
        """Mirrors MapSchedule#valueAt: the value of the largest key <= i (keys must include 0)."""
        i = self._counter(iteration, epoch)
        values = self.getValues()
        keys = sorted(values)
        if i in values:
            return values[i]
        if i >= keys[-1]:
            return values[keys[-1]]
        return values[keys[bisect.bisect_right(keys, i) - 1]]

    def getAllKeysSorted(self):
        """Mirrors MapSchedule#getAllKeysSorted: the iteration/epoch keys, ascending."""
        return sorted(int(k) for k in self.values or {})


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

    def valueAt(self, iteration, epoch):
        """Mirrors CycleSchedule#valueAt (one-cycle: ramp up, ramp down, then anneal; iteration-based)."""
        pos = int(iteration) % self.cycleLength
        if pos < self.stepSize:
            return self.initialLearningRate + self.increment * pos
        if pos < 2 * self.stepSize:
            return self.maxLearningRate - self.increment * (pos - self.stepSize)
        return self.initialLearningRate * math.pow(self.annealingDecay,
                                                   self.annealingLength - (self.cycleLength - pos))

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

    def valueAt(self, iteration, epoch):
        """Mirrors RampSchedule#valueAt: base * (iteration + 1) / numIter until numIter, then base."""
        base = self.baseSchedule.valueAt(iteration, epoch)
        if int(iteration) >= self.numIter:
            return base
        return base * ((int(iteration) + 1) / float(self.numIter))


def to_schedule(value):
    """A number becomes FixedSchedule(value)."""
    if value is None or isinstance(value, BaseSchedule):
        return value
    return FixedSchedule(float(value))


COERCERS[SCHEDULES.kind] = to_schedule
SCHEDULE = poly(SCHEDULES)
