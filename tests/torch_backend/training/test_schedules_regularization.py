"""Every ISchedule's valueAt, and L1/L2/WeightDecay's Regularization#apply, equal real ND4J's."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from pydl4j_transfer.conf.base import SCHEDULES
from pydl4j_transfer.conf.enums import ScheduleType
from pydl4j_transfer.conf.values import schedules as S
from pydl4j_transfer.conf.values.regularization import L1Regularization, L2Regularization, WeightDecay
from pydl4j_transfer.torch_backend.training.regularization import REGULARIZATION_FNS, apply_regularization, apply_step
from pydl4j_transfer.torch_backend.training.schedules import SCHEDULE_FNS, value_at

from ._jhelpers import assert_close, jclass, nd, npy, to_java

pytestmark = pytest.mark.dl4j
IT, EP = ScheduleType.ITERATION, ScheduleType.EPOCH

SCHEDULE_CASES = {
    "Fixed": lambda: S.FixedSchedule(0.3),
    "Map-it": lambda: S.MapSchedule(IT, {0: 0.5, 3: 0.2, 7: 0.05}),
    "Map-ep": lambda: S.MapSchedule(EP, {0: 0.5, 2: 0.1}),
    "Step": lambda: S.StepSchedule(IT, 0.1, 0.5, 3.0),
    "Step-frac": lambda: S.StepSchedule(EP, 0.1, 0.7, 2.5),
    "Exponential": lambda: S.ExponentialSchedule(IT, 0.1, 0.95),
    "Inverse": lambda: S.InverseSchedule(EP, 0.1, 0.3, 0.75),
    "Poly": lambda: S.PolySchedule(IT, 0.1, 2.0, 20),
    "Sigmoid": lambda: S.SigmoidSchedule(IT, 0.1, 0.5, 6),
    "Cycle": lambda: S.CycleSchedule(IT, 0.01, 0.1, 12, 4, 0.5),
}


def _java_schedule(name, conf):
    if name == "Ramp":  # RampSchedule has no JSON properties in M2.1: built by hand
        base = jclass("org.nd4j.linalg.schedule.ExponentialSchedule")(
            jclass("org.nd4j.linalg.schedule.ScheduleType").ITERATION, 0.1, 0.9)
        return jclass("org.nd4j.linalg.schedule.RampSchedule")(base, 5)
    return to_java(conf, "org.nd4j.linalg.schedule.ISchedule")


SCHEDULE_CASES["Ramp"] = lambda: S.RampSchedule(S.ExponentialSchedule(IT, 0.1, 0.9), 5)


def test_every_schedule_has_a_function_and_a_case():
    assert set(SCHEDULE_FNS.keys()) == {c.dl4jClass for c in SCHEDULES}
    assert {c().dl4jClass for c in SCHEDULE_CASES.values()} == set(SCHEDULE_FNS.keys())


@pytest.mark.parametrize("name", list(SCHEDULE_CASES))
def test_schedule_value_at(name):
    conf = SCHEDULE_CASES[name]()
    j = _java_schedule(name, conf)
    for it in range(0, 30):
        for ep in (0, 1, 3, 7):
            assert value_at(conf, it, ep) == pytest.approx(float(j.valueAt(it, ep)), rel=1e-15, abs=0), (it, ep)


REG_CASES = {
    "L1": lambda: L1Regularization(0.01),
    "L1-sched": lambda: L1Regularization(S.StepSchedule(IT, 0.01, 0.5, 2.0)),
    "L2": lambda: L2Regularization(0.02),
    "L2-sched": lambda: L2Regularization(S.ExponentialSchedule(EP, 0.02, 0.5)),
    "WD": lambda: WeightDecay(0.03, True),
    "WD-noLR": lambda: WeightDecay(0.03, False),
    "WD-sched": lambda: WeightDecay(S.InverseSchedule(IT, 0.03, 0.5, 1.0), True),
}


def test_every_regularization_has_a_case():
    assert {c().dl4jClass for c in REG_CASES.values()} == set(REGULARIZATION_FNS)


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("name", list(REG_CASES))
def test_regularization_apply(name, dtype):
    conf = REG_CASES[name]()
    j = to_java(conf, "org.nd4j.linalg.learning.regularization.Regularization")
    assert str(j.applyStep().name()) == apply_step(conf)
    rng = np.random.default_rng(7)
    p = rng.standard_normal((4, 5)).astype(dtype)
    p[0, :2] = 0.0  # sign(0) = 0
    g = rng.standard_normal((4, 5)).astype(dtype)
    for it, ep in ((0, 0), (3, 1), (6, 2)):
        jg = nd(g)
        j.apply(nd(p), jg, 0.05, it, ep)
        ours = torch.from_numpy(g.copy())
        apply_regularization(conf, torch.from_numpy(p), ours, 0.05, it, ep)
        assert_close(ours.numpy(), npy(jg), 1e-6 if dtype is np.float32 else 1e-12, f"{name} {it}")
