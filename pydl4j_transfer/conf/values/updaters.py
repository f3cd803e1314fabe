"""IUpdater configurations (``org.nd4j.linalg.learning.config``).

Field visibility, ``@JsonInclude(NON_NULL)``: null fields are omitted. Construction defaults
are the classes' ``DEFAULT_*`` constants; a key missing from JSON leaves the Java field at
0.0 (except AdaDelta). Passing a schedule as the learning rate (``Adam(schedule)``) sets
``learningRate`` to NaN as DL4J's constructors do (DL4J writes ``"learningRate" : "NaN"``).
"""

from __future__ import annotations

import math

from pydl4j_transfer.errors import InvalidConfigurationError

from ..base import COERCERS, DOUBLE, UPDATERS, ConfObject, Field, serves_accessor
from .schedules import SCHEDULE, BaseSchedule
from ..enums import Updater

PKG = "org.nd4j.linalg.learning.config."


class BaseUpdater(ConfObject):
    """Mirrors org.nd4j.linalg.learning.config.IUpdater."""

    OMIT_NULLS = True
    STATE_MULTIPLIER = 0  # updater state length per parameter (see dl4j-format.md §5.1)

    def _to_tree(self):
        return {k: v for k, v in super()._to_tree().items() if v is not None}

    def stateSize(self, numParams: int) -> int:
        """Mirrors IUpdater#stateSize."""
        return self.STATE_MULTIPLIER * int(numParams)

    def setLrAndSchedule(self, lr, lrSchedule):
        """Mirrors IUpdater#setLrAndSchedule; an updater without a learning rate refuses, as DL4J's does."""
        raise InvalidConfigurationError(f"Cannot set learning rate for {type(self).__name__}: it has no learning rate")

    def hasLearningRate(self) -> bool:
        return "learningRate" in self._attr_fields

    @serves_accessor
    def getLearningRate(self, iteration: int = None, epoch: int = None):
        """Mirrors the Lombok getter getLearningRate() (the field; NaN when a schedule is set) and
        IUpdater#getLearningRate(iteration, epoch) (the schedule's value there, else the field)."""
        sched = getattr(self, "learningRateSchedule", None)
        if iteration is not None and sched is not None:
            return sched.valueAt(iteration, 0 if epoch is None else epoch)
        return getattr(self, "learningRate", math.nan)


def _set_lr_and_schedule(self, lr, lrSchedule):
    """Mirrors IUpdater#setLrAndSchedule(double lr, ISchedule lrSchedule)."""
    self.learningRate = float(lr)
    self.learningRateSchedule = lrSchedule


def _set_lr(self, value):
    if isinstance(value, BaseSchedule):
        self.learningRateSchedule = value
        self.learningRate = math.nan
    else:
        self.learningRate = None if value is None else float(value)


def _set_momentum(self, value):
    if isinstance(value, BaseSchedule):
        self.momentumISchedule = value
        self.momentum = math.nan
    else:
        self.momentum = None if value is None else float(value)


def _updater(name, lr, extra, positional, mult, missing=0.0):
    fields = []
    if lr is not None:
        fields += [Field("learningRate", DOUBLE, default=lr, missing=missing),
                   Field("learningRateSchedule", SCHEDULE)]
    fields += [Field(k, DOUBLE, default=v, missing=missing if missing is not None else v) for k, v in extra]
    setters = {"learningRate": _set_lr} if lr is not None else {}
    extra_methods = {"setLrAndSchedule": _set_lr_and_schedule} if lr is not None else {}
    cls = type(name, (BaseUpdater,), {
        **extra_methods,
        "dl4jClass": PKG + name, "FIELDS": tuple(fields), "POSITIONAL": tuple(positional), "SETTERS": setters,
        "STATE_MULTIPLIER": mult, "__doc__": f"Mirrors {PKG}{name}.", "__module__": __name__})
    return UPDATERS.register(cls)


_ADAM = [("beta1", 0.9), ("beta2", 0.999), ("epsilon", 1e-8)]
_LR_B = ("learningRate", "beta1", "beta2", "epsilon")
Sgd = _updater("Sgd", 1e-3, [], ("learningRate",), 0)
Adam = _updater("Adam", 1e-3, _ADAM, _LR_B, 2)
AdaMax = _updater("AdaMax", 1e-3, _ADAM, _LR_B, 2)
Nadam = _updater("Nadam", 1e-3, _ADAM, _LR_B, 2)
AMSGrad = _updater("AMSGrad", 1e-3, _ADAM, _LR_B, 3)
AdaBelief = _updater("AdaBelief", 1e-3, [("beta1", 0.9), ("beta2", 0.999), ("epsilon", 1e-14)], _LR_B, 2)
RmsProp = _updater("RmsProp", 1e-1, [("rmsDecay", 0.95), ("epsilon", 1e-8)], ("learningRate", "rmsDecay", "epsilon"), 1)
AdaGrad = _updater("AdaGrad", 1e-1, [("epsilon", 1e-6)], ("learningRate", "epsilon"), 1)
AdaDelta = _updater("AdaDelta", None, [("rho", 0.95), ("epsilon", 1e-6)], ("rho", "epsilon"), 2, missing=None)
NoOp = _updater("NoOp", None, [], (), 0)


@UPDATERS.register
class Nesterovs(BaseUpdater):
    """Mirrors org.nd4j.linalg.learning.config.Nesterovs and its constructors:

    ``Nesterovs()``; ``Nesterovs(double momentum)`` -- ONE number is the momentum (learning rate 0.1), so
    ``Nesterovs(5e-5)`` means what Java's ``new Nesterovs(5e-5)`` means; ``Nesterovs(learningRate, momentum)``;
    ``Nesterovs(ISchedule learningRateSchedule[, momentum])``. Keywords (``learningRate=``, ``momentum=``) say it
    without the overload rules."""

    dl4jClass = PKG + "Nesterovs"
    FIELDS = (Field("learningRate", DOUBLE, default=0.1, missing=0.0), Field("learningRateSchedule", SCHEDULE),
              Field("momentum", DOUBLE, default=0.9, missing=0.0), Field("momentumISchedule", SCHEDULE))
    POSITIONAL = ("learningRate", "momentum")
    SETTERS = {"learningRate": _set_lr, "momentum": _set_momentum}
    STATE_MULTIPLIER = 1
    setLrAndSchedule = _set_lr_and_schedule

    def currentMomentum(self, iteration, epoch):
        """Mirrors Nesterovs#currentMomentum(iteration, epoch): the momentum schedule's value, else the momentum."""
        if self.momentumISchedule is not None:
            return self.momentumISchedule.valueAt(iteration, epoch)
        return self.momentum

    def getMomentumSchedule(self):
        """Mirrors Nesterovs#getMomentumSchedule (the same value as getMomentumISchedule)."""
        return self.momentumISchedule

    def setMomentumSchedule(self, momentumSchedule):
        """Mirrors Nesterovs#setMomentumSchedule."""
        self.momentumISchedule = momentumSchedule

    def __init__(self, *args, **kwargs):
        if len(args) == 1 and not isinstance(args[0], BaseSchedule):  # Java: Nesterovs(double momentum)
            args, kwargs = (), {"momentum": args[0], **kwargs}
        super().__init__(*args, **kwargs)




def to_updater(value):
    """IUpdater instance, or a legacy Updater enum name ('NESTEROVS') -> IUpdater with default config."""

    if value is None or isinstance(value, BaseUpdater):
        return value
    return Updater.of(value).getIUpdaterWithDefaultConfig()


COERCERS[UPDATERS.kind] = to_updater
