"""ISchedule.valueAt for every schedule class of ``pydl4j_transfer.conf`` (``org.nd4j.linalg.schedule``).

The arithmetic is the configuration class's own ``valueAt`` (conf/values/schedules.py, pure Python, so a DL4J
port can call ``schedule.valueAt(iteration, epoch)`` without torch); this registry says which schedule classes
the torch backend's training evaluates (docs/supported.md) and :func:`value_at` is what it calls. Checked against
real ND4J in tests/torch_backend/training/test_schedules_regularization.py.
"""

from __future__ import annotations

from pydl4j_transfer.conf.values import schedules as S  # the configuration classes (S.StepSchedule, ...)
from pydl4j_transfer.errors import InvalidConfigurationError
from pydl4j_transfer.registry import Registry

#: DL4J schedule configuration class -> its valueAt(iteration, epoch)
SCHEDULE_FNS = Registry("schedule rule")

for _cls in (S.FixedSchedule, S.MapSchedule, S.StepSchedule, S.ExponentialSchedule, S.InverseSchedule, S.PolySchedule,
             S.SigmoidSchedule, S.CycleSchedule, S.RampSchedule):
    SCHEDULE_FNS.register(_cls)(_cls.valueAt)


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
