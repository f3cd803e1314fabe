"""The updaters' positional constructors mean what DL4J's Java overloads mean (checked in the JVM).

A port writes ``new Nesterovs(5e-5)`` as ``Nesterovs(5e-5)``: in nd4j that one-number overload is
``Nesterovs(double momentum)`` (learning rate 0.1), unlike ``Sgd(double learningRate)``."""

import json

import pytest

from pydl4j_transfer.conf.values import updaters as V
from pydl4j_transfer.conf.values.schedules import ScheduleType, StepSchedule

CASES = [
    ("Nesterovs", (5e-5,)), ("Nesterovs", (0.01, 0.8)), ("Nesterovs", ()),
    ("Sgd", (0.3,)), ("Adam", (0.02,)), ("Adam", (0.02, 0.8, 0.99, 1e-7)), ("AdaMax", (0.02,)), ("Nadam", (0.02,)),
    ("AMSGrad", (0.02,)), ("RmsProp", (0.02,)), ("RmsProp", (0.02, 0.9, 1e-6)), ("AdaGrad", (0.02,)),
    ("AdaGrad", (0.02, 1e-5)), ("AdaDelta", ()), ("AdaDelta", (0.9, 1e-5)),
]


def _java_updater(name, args):
    import jpype

    cls = jpype.JClass("org.nd4j.linalg.learning.config." + name)
    return cls(*[jpype.JDouble(a) for a in args])


@pytest.mark.dl4j
@pytest.mark.parametrize("name, args", CASES, ids=[f"{n}{a}" for n, a in CASES])
def test_positional_constructor_equals_java_overload(name, args):
    import jpype

    mapper = jpype.JClass("org.deeplearning4j.nn.conf.NeuralNetConfiguration").mapper()
    theirs = json.loads(str(mapper.writeValueAsString(_java_updater(name, args))))
    ours = json.loads(getattr(V, name)(*args).toJson())
    assert ours == theirs


@pytest.mark.dl4j
def test_nesterovs_schedule_overloads_equal_java():
    import jpype

    mapper = jpype.JClass("org.deeplearning4j.nn.conf.NeuralNetConfiguration").mapper()
    jsched = jpype.JClass("org.nd4j.linalg.schedule.StepSchedule")(
        jpype.JClass("org.nd4j.linalg.schedule.ScheduleType").EPOCH, 0.1, 0.5, 10.0)
    sched = StepSchedule(ScheduleType.EPOCH, 0.1, 0.5, 10)
    nest = jpype.JClass("org.nd4j.linalg.learning.config.Nesterovs")
    for ours, theirs in [(V.Nesterovs(sched), nest(jsched)), (V.Nesterovs(sched, 0.7), nest(jsched, 0.7))]:
        assert json.loads(ours.toJson()) == json.loads(str(mapper.writeValueAsString(theirs)))
