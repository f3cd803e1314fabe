"""DL4J's getters and setters on every mirrored configuration class: present in Python, and the same values as DL4J's.

The names come from the Java API snapshot (pydl4j_transfer/convert/dl4j_api.json: every public method of every
configuration class, reflected in the JVM), so a class or a getter DL4J has and we lack fails here. The values are
checked in the JVM: the same configurations are loaded by real DL4J and by us, and every zero-argument getter of
every object reachable from them (network configurations, NeuralNetConfigurations, layers, vertices,
preprocessors, updaters, schedules, activations, losses, dropout, weight noise, constraints, regularization,
FineTuneConfiguration) is called on both sides and compared.
"""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pytest

from pydl4j_transfer import java_names
from pydl4j_transfer.conf import (ComputationGraphConfiguration, ConfObject, InputType, MultiLayerConfiguration,
                                  NeuralNetConfiguration, base as conf_base, enums)
from pydl4j_transfer.conf.fine_tune import FineTuneConfiguration
from pydl4j_transfer.conf.javautil import Optional
from pydl4j_transfer.convert.porting import load_java_snapshot

from .conf_testdata import CASES_DIR

SNAPSHOT = load_java_snapshot()
GETTER = re.compile(r"(get|is)[A-Z]")
SETTER = re.compile(r"set[A-Z]")
NETWORK_CLASSES = {
    "org.deeplearning4j.nn.conf.MultiLayerConfiguration": MultiLayerConfiguration,
    "org.deeplearning4j.nn.conf.ComputationGraphConfiguration": ComputationGraphConfiguration,
    "org.deeplearning4j.nn.conf.NeuralNetConfiguration": NeuralNetConfiguration,
    "org.deeplearning4j.nn.transferlearning.FineTuneConfiguration": FineTuneConfiguration,
}
# configurations DL4J itself wrote (tests/conf/data/dl4j_cases); mln_values holds a RampSchedule, which DL4J M2.1
# writes but cannot read back (no creator), so it is checked without it (see _mln_values_without_ramp)
CASES = sorted(p.name.removesuffix(".init.json") for p in CASES_DIR.glob("*.init.json"))


def _java_methods(fqn: str) -> dict:
    facts = SNAPSHOT["builders"].get(fqn)
    if facts is not None:
        return facts["methods"]
    return SNAPSHOT["api"][fqn]


def _mirrored_classes():
    """(Java class, Python class) of every configuration class: the registries' and the network configurations."""
    out = [(fqn, cls) for registry in conf_base.ALL_REGISTRIES for fqn, cls in registry.items()]
    return out + sorted(NETWORK_CLASSES.items())


def _accessors(fqn):
    """Java's zero-argument getters and one-argument setters of a class (name -> arities), from the snapshot."""
    methods = _java_methods(fqn)
    getters = sorted(n for n, ar in methods.items() if GETTER.match(n) and 0 in ar and n != "getClass")
    setters = sorted(n for n, ar in methods.items() if SETTER.match(n) and 1 in ar)
    return getters, setters


@pytest.mark.parametrize("fqn,cls", _mirrored_classes(), ids=lambda v: v.rsplit(".", 1)[-1] if isinstance(v, str) else "")
def test_every_dl4j_getter_and_setter_exists_or_says_what_to_write(fqn, cls):
    getters, setters = _accessors(fqn)
    for name in getters + setters:
        if hasattr(cls, name):
            assert callable(getattr(cls, name)), (cls.__name__, name)
            continue
        advice = java_names.reason(java_names.class_names(cls), name)
        assert advice, (f"{cls.__name__}.{name}: DL4J has it ({fqn}); mirror it (a Field row generates getters and "
                        f"setters) or give the reason in pydl4j_transfer/java_names.py NOT_MIRRORED")


def test_an_unmirrored_dl4j_method_says_what_to_write_instead():
    from pydl4j_transfer.conf import ConvolutionLayer, DenseLayer
    from pydl4j_transfer.errors import NotMirroredError

    layer = DenseLayer(nIn=3, nOut=2)
    with pytest.raises(NotMirroredError, match=r"DenseLayer\.instantiate .*getLayer"):
        layer.instantiate
    with pytest.raises(NotMirroredError, match="isDefaultValueOverriden"):
        ConvolutionLayer.isDefaultValueOverriden  # on the class too
    assert not hasattr(layer, "instantiate")  # an AttributeError, so hasattr/getattr(default) keep working
    with pytest.raises(AttributeError, match="no attribute 'noSuchThing'"):
        layer.noSuchThing
    with pytest.raises(NotMirroredError, match="cudnnFwdAlgo"):  # a DL4J builder method not taken
        ConvolutionLayer.Builder(3, 3).cudnnFwdMode


def test_nested_enums_of_the_snapshot_are_attributes_of_their_classes():
    nested = {fqn: facts["nested"] for fqn, facts in SNAPSHOT["builders"].items() if facts.get("nested")}
    for fqn, cls in _mirrored_classes():
        for name, constants in nested.get(fqn, {}).items():
            if constants is None:  # a nested class
                assert hasattr(cls, name) or java_names.reason(java_names.class_names(cls), name), (fqn, name)
                continue
            py = getattr(cls, name)
            assert list(py.__members__) == constants, (fqn, name)
    from pydl4j_transfer.conf import ConvolutionLayer, ElementWiseVertex, SubsamplingLayer
    assert SubsamplingLayer.PoolingType.MAX is enums.PoolingType.MAX
    assert ElementWiseVertex.Op.Add is enums.ElementWiseOp.Add
    assert ConvolutionLayer.AlgoMode.NO_WORKSPACE.name == "NO_WORKSPACE"


# ---------------------------------------------------------------------------------------------------------------
# values, compared in the JVM


def _jclass(name):
    from pydl4j_transfer.dl4j_backend import jclass
    return jclass(name)


class _Java:
    """Java value -> a comparable Python value (objects as their Jackson JSON tree, tagged with the class)."""

    def __init__(self):
        self.mapper = _jclass("org.deeplearning4j.nn.conf.NeuralNetConfiguration").mapper()
        self.Enum = _jclass("java.lang.Enum")
        self.Number = _jclass("java.lang.Number")
        self.Collection = _jclass("java.util.Collection")
        self.Map = _jclass("java.util.Map")
        self.Optional = (_jclass("java.util.Optional"), _jclass("org.nd4j.common.primitives.Optional"))
        self.InputType = _jclass("org.deeplearning4j.nn.conf.inputs.InputType")
        self.INDArray = _jclass("org.nd4j.linalg.api.ndarray.INDArray")
        self.String = _jclass("java.lang.String")
        self.Boolean = _jclass("java.lang.Boolean")

    def value(self, v):
        import jpype

        if v is None:
            return None
        if isinstance(v, (bool, int, float, str)):
            return v
        if isinstance(v, self.Boolean):
            return bool(v)
        if isinstance(v, self.String):
            return str(v)
        if isinstance(v, self.Number):
            return float(v.doubleValue()) if "Double" in str(v.getClass().getName()) or "Float" in str(
                v.getClass().getName()) else int(v.longValue())
        if isinstance(v, self.Enum):
            return str(v.name())
        if isinstance(v, jpype.JArray):
            return [self.value(x) for x in v]
        if isinstance(v, self.InputType):
            return ("InputType", str(v.getType().name()), [int(d) for d in v.getShape()])
        if isinstance(v, self.Optional):
            return ("Optional", self.value(v.get()) if v.isPresent() else None)
        if isinstance(v, self.Map):
            return {str(k): self.value(v.get(k)) for k in v.keySet()}
        if isinstance(v, self.Collection):
            return [self.value(x) for x in v]
        if isinstance(v, self.INDArray):
            from pydl4j_transfer.dl4j_backend import to_numpy
            return to_numpy(v).astype(float).tolist()
        return ("obj", str(v.getClass().getName()), json.loads(str(self.mapper.writeValueAsString(v))))


def _py(v):
    """Python value -> the form _Java.value gives its Java counterpart."""
    import enum as _enum

    if isinstance(v, _enum.Enum):
        return v.name
    if isinstance(v, ConfObject):
        return ("obj", v.dl4jClass or type(v).__name__, json.loads(v.toJson()))
    if isinstance(v, Optional):
        return ("Optional", _py(v.orElse(None)))
    if isinstance(v, InputType):
        return ("InputType", str(v.getType()), v.getShape())
    if isinstance(v, (list, tuple)):
        return [_py(x) for x in v]
    if isinstance(v, dict):
        return {str(k): _py(x) for k, x in v.items()}
    if isinstance(v, np.ndarray):
        return v.astype(float).tolist()
    return v


def _same(a, b) -> bool:
    if isinstance(a, tuple) and isinstance(b, tuple) and a[:1] == b[:1] == ("obj",):
        if a[1].rsplit(".", 1)[-1] != b[1].rsplit(".", 1)[-1]:
            return False
        ta, tb = dict(a[2]), dict(b[2])
        ta.pop("@class", None), tb.pop("@class", None)
        return _same(ta, tb)
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return set(a) == set(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool) and not isinstance(b, bool):
        return (math.isnan(a) and math.isnan(b)) if (isinstance(a, float) and math.isnan(a)) else a == b
    if isinstance(a, str) and isinstance(b, str) and a.startswith("{") and b.startswith("{"):
        return json.loads(a) == json.loads(b)
    return a == b


# Getters whose Java value is not the configuration's: internal caches and lazily computed state
_JAVA_STATE = {"getMemoryReport"}


def _walk(py, j, java, seen, checked, where):
    """Compare every zero-argument getter of the pair (py, j) and recurse into the configuration objects they return."""
    fqn = str(j.getClass().getName())
    if (id(py), fqn) in seen:
        return
    seen.add((id(py), fqn))
    getters, _ = _accessors(fqn)
    for name in getters:
        if not hasattr(type(py), name):
            continue  # not mirrored: test_every_dl4j_getter_and_setter_exists_or_says_what_to_write holds its reason
        jv = getattr(j, name)()
        pv = getattr(py, name)()
        theirs, ours = java.value(jv), _py(pv)
        if isinstance(pv, dict) and isinstance(theirs, dict) and all(isinstance(k, int) for k in pv):
            ours = {str(k): x for k, x in ours.items()}
        assert _same(ours, theirs), f"{where}.{name}() = {ours!r:.300} but DL4J's is {theirs!r:.300}"
        checked.append(f"{fqn.rsplit('.', 1)[-1]}#{name}")
        for p_item, j_item, sub in _children(pv, jv):
            _walk(p_item, j_item, java, seen, checked, f"{where}.{name}(){sub}")


def _children(pv, jv, path=""):
    """(python object, java object, path suffix) of the configuration objects inside a getter's value."""
    if isinstance(pv, (ConfObject, FineTuneConfiguration)) and jv is not None:
        yield pv, jv, path
    elif isinstance(pv, Optional) and pv.isPresent():
        yield from _children(pv.get(), jv.get(), path + ".get()")
    elif isinstance(pv, (list, tuple)) and jv is not None:
        for i, (p, j) in enumerate(zip(pv, list(jv))):
            yield from _children(p, j, f"{path}[{i}]")
    elif isinstance(pv, dict) and jv is not None and hasattr(jv, "keySet"):
        for k, p in pv.items():
            j = jv.get(k) if not isinstance(k, int) else jv.get(_jclass("java.lang.Integer")(k))
            if j is not None:
                yield from _children(p, j, f"{path}[{k!r}]")


def _load_pair(name):
    text = (CASES_DIR / f"{name}.init.json").read_text(encoding="utf-8")
    graph = '"vertices"' in text
    if name == "mln_values":  # DL4J cannot read the RampSchedule it writes: leave that layer's schedule out
        tree = json.loads(text)
        for conf in tree["confs"]:
            upd = conf["layer"].get("iupdater") or {}
            if (upd.get("learningRateSchedule") or {}).get("@class", "").endswith("RampSchedule"):
                upd["learningRateSchedule"] = None
        text = json.dumps(tree, indent=2)
    cls = ComputationGraphConfiguration if graph else MultiLayerConfiguration
    jcls = _jclass("org.deeplearning4j.nn.conf." + cls.__name__)
    return cls.fromJson(text), jcls.fromJson(text)


@pytest.mark.dl4j
@pytest.mark.parametrize("name", CASES)
def test_getters_return_dl4j_values(name):
    ours, theirs = _load_pair(name)
    checked: list = []
    _walk(ours, theirs, _Java(), set(), checked, name)
    assert len(checked) > 40, checked  # the walk reached the layers and their values


@pytest.mark.dl4j
def test_fine_tune_configuration_getters_return_dl4j_values():
    from pydl4j_transfer.conf import Adam, Dropout, L2Regularization, MaxNormConstraint, StepSchedule  # noqa: F401
    from pydl4j_transfer.dl4j_backend.transfer import ftc_to_java

    ftc = (FineTuneConfiguration.Builder().updater(Adam(1e-3)).seed(42).dropOut(0.5).l2(1e-4).l1Bias(0)
           .weightNoise(None).gradientNormalization(enums.GradientNormalization.ClipL2PerLayer).biasInit(0.1)
           .backpropType(enums.BackpropType.TruncatedBPTT).tbpttFwdLength(7).miniBatch(False).build())
    checked: list = []
    _walk(ftc, ftc_to_java(ftc), _Java(), set(), checked, "ftc")
    assert "FineTuneConfiguration#getDropout" in checked and "FineTuneConfiguration#isRemoveL1Bias" in checked
    assert ftc.getDropout().get().getP() == 0.5 and ftc.getWeightNoise() == Optional.empty()


@pytest.mark.dl4j
def test_schedule_value_at_and_input_type_getters_match_dl4j():
    from pydl4j_transfer.conf import ExponentialSchedule
    from pydl4j_transfer.conf.enums import ScheduleType

    ours = ExponentialSchedule(ScheduleType.ITERATION, 0.1, 0.9)
    theirs = _jclass("org.nd4j.linalg.schedule.ExponentialSchedule")(
        _jclass("org.nd4j.linalg.schedule.ScheduleType").ITERATION, 0.1, 0.9)
    assert [ours.valueAt(i, 0) for i in range(5)] == [float(theirs.valueAt(i, 0)) for i in range(5)]
    JInputType = _jclass("org.deeplearning4j.nn.conf.inputs.InputType")
    java = _Java()
    for ours, theirs in ((InputType.convolutional(8, 6, 3), JInputType.convolutional(8, 6, 3)),
                         (InputType.recurrent(5, 7), JInputType.recurrent(5, 7)),
                         (InputType.feedForward(4), JInputType.feedForward(4)),
                         (InputType.convolutionalFlat(4, 5, 1), JInputType.convolutionalFlat(4, 5, 1)),
                         (InputType.convolutional3D(2, 3, 4, 5), JInputType.convolutional3D(2, 3, 4, 5))):
        fqn = str(theirs.getClass().getName())
        for name in (n for n, ar in SNAPSHOT["api"][fqn].items() if GETTER.match(n) and 0 in ar and n != "getClass"):
            assert _same(_py(getattr(ours, name)()), java.value(getattr(theirs, name)())), (fqn, name)


@pytest.mark.dl4j
def test_infer_input_types_match_dl4j():
    from pydl4j_transfer.dl4j_backend import to_indarray

    JInputType = _jclass("org.deeplearning4j.nn.conf.inputs.InputType")
    arrays = [np.zeros(s, np.float32) for s in ((2, 5), (2, 3, 7), (2, 3, 8, 6), (1, 2, 3, 4, 5))]
    ours = InputType.inferInputTypes(*arrays)
    theirs = JInputType.inferInputTypes([to_indarray(a) for a in arrays])
    java = _Java()
    assert [_py(t) for t in ours] == [java.value(t) for t in theirs]
    assert InputType.inferInputTypes(arrays) == ours  # a list works too
