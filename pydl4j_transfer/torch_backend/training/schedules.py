"""ISchedule.valueAt for every schedule class of ``pydl4j_transfer.conf`` (``org.nd4j.linalg.schedule``).

One registry keyed by DL4J's ``"@class"``; each entry mirrors ``<Schedule>#valueAt(iteration, epoch)``
in double precision (Java ``double`` / ``int`` arithmetic, ``Math.pow``/``Math.exp``). Checked
against real ND4J in tests/torch_backend/training/test_schedules.py.
"""

from __future__ import annotations

import bisect
import math

from pydl4j_transfer.conf.values import schedules as S  # the configuration classes (S.StepSchedule, ...)
from pydl4j_transfer.errors import InvalidConfigurationError
from pydl4j_transfer.registry import Registry

#: DL4J schedule configuration class -> its valueAt(iteration, epoch)
SCHEDULE_FNS = Registry("schedule rule")


def _which(s, iteration, epoch) -> int:
    """ScheduleType.ITERATION -> iteration, EPOCH -> epoch (the counter the schedule reads)."""
    st = getattr(s, "scheduleType", None)
    name = getattr(st, "name", st)
    return epoch if str(name) == "EPOCH" else iteration


def value_at(schedule, iteration: int, epoch: int) -> float:
    """Mirrors ISchedule#valueAt(iteration, epoch); a plain number is returned unchanged."""
    if schedule is None:
        return None
    if isinstance(schedule, (int, float)):
        return float(schedule)
    fn = SCHEDULE_FNS.get(schedule.dl4jClass)
    if fn is None:
        raise InvalidConfigurationError(f"no schedule function for {schedule.dl4jClass!r}")
    return fn(schedule, int(iteration), int(epoch))


@SCHEDULE_FNS.register(S.FixedSchedule)
def _fixed(s, it, ep):
    """Mirrors FixedSchedule#valueAt."""
    return float(s.value)


@SCHEDULE_FNS.register(S.MapSchedule)
def _map(s, it, ep):
    """Mirrors MapSchedule#valueAt: the value of the largest key <= i (keys must include 0)."""
    i = _which(s, it, ep)
    keys = sorted(int(k) for k in s.values)
    vals = {int(k): float(v) for k, v in s.values.items()}
    if i in vals:
        return vals[i]
    if i >= keys[-1]:
        return vals[keys[-1]]
    return vals[keys[bisect.bisect_right(keys, i) - 1]]


@SCHEDULE_FNS.register(S.StepSchedule)
def _step(s, it, ep):
    """Mirrors StepSchedule#valueAt: initialValue * decayRate ^ floor(i / step) (step is a double)."""
    i = _which(s, it, ep)
    return s.initialValue * math.pow(s.decayRate, math.floor(i / s.step))


@SCHEDULE_FNS.register(S.ExponentialSchedule)
def _exponential(s, it, ep):
    """Mirrors ExponentialSchedule#valueAt: initialValue * gamma ^ i."""
    return s.initialValue * math.pow(s.gamma, _which(s, it, ep))


@SCHEDULE_FNS.register(S.InverseSchedule)
def _inverse(s, it, ep):
    """Mirrors InverseSchedule#valueAt: initialValue / (1 + gamma * i) ^ power."""
    return s.initialValue / math.pow(1 + s.gamma * _which(s, it, ep), s.power)


@SCHEDULE_FNS.register(S.PolySchedule)
def _poly(s, it, ep):
    """Mirrors PolySchedule#valueAt: initialValue * (1 + i / maxIter) ^ power.

    Note the ``+``: DL4J's javadoc promises the usual decaying ``(1 - i/maxIter)^power``, but M2.1
    computes ``1 + i/maxIter`` (checked against real ND4J), so the value *grows* until it drops to 0
    at ``i >= maxIter``; we match ND4J.
    """
    i = _which(s, it, ep)
    if i >= s.maxIter:  # M2.1: 0 from maxIter on
        return 0.0
    return s.initialValue * math.pow(1 + i / float(s.maxIter), s.power)


@SCHEDULE_FNS.register(S.SigmoidSchedule)
def _sigmoid(s, it, ep):
    """Mirrors SigmoidSchedule#valueAt: initialValue / (1 + exp(-gamma * (i - stepSize)))."""
    return s.initialValue / (1.0 + math.exp(-s.gamma * (_which(s, it, ep) - s.stepSize)))


@SCHEDULE_FNS.register(S.CycleSchedule)
def _cycle(s, it, ep):
    """Mirrors CycleSchedule#valueAt (one-cycle: ramp up, ramp down, then anneal; iteration-based)."""
    pos = it % s.cycleLength
    if pos < s.stepSize:
        return s.initialLearningRate + s.increment * pos
    if pos < 2 * s.stepSize:
        return s.maxLearningRate - s.increment * (pos - s.stepSize)
    return s.initialLearningRate * math.pow(s.annealingDecay, s.annealingLength - (s.cycleLength - pos))


@SCHEDULE_FNS.register(S.RampSchedule)
def _ramp(s, it, ep):
    """Mirrors RampSchedule#valueAt: base * (iteration + 1) / numIter until numIter, then base."""
    base = value_at(s.baseSchedule, it, ep)
    if it >= s.numIter:
        return base
    return base * ((it + 1) / float(s.numIter))
