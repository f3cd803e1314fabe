"""Every zoo model's configuration equals DL4J's zoo class's (JSON after json.loads), and so do param counts."""

from __future__ import annotations

import json

import pytest

from pydl4j_transfer import zoo
from pydl4j_transfer.zoo import PretrainedType, ZooType

pytestmark = pytest.mark.dl4j

# model -> option variants (builder options, applied the same way on both sides)
CASES = {
    "LeNet": [{}, {"numClasses": 10}, {"numClasses": 3, "inputShape": [3, 32, 32], "seed": 7}],
    "SimpleCNN": [{"numClasses": 10}, {"numClasses": 4, "inputShape": [1, 64, 64]}],
    "AlexNet": [{"numClasses": 10}, {"numClasses": 1000, "inputShape": [3, 227, 227]}],
    "VGG16": [{"numClasses": 1000}, {"numClasses": 5, "inputShape": [3, 64, 64], "seed": 42}],
    "ResNet50": [{"numClasses": 1000}, {"numClasses": 5, "inputShape": [3, 64, 64], "seed": 42}],
    "VGG19": [{"numClasses": 1000}, {"numClasses": 5, "inputShape": [3, 128, 128]}],
}
VARIANT_OPTIONS = {"cacheMode": "DEVICE", "workspaceMode": "NONE", "cudnnAlgoMode": "NO_WORKSPACE"}


def _java_builder(name, options):
    import jpype

    b = jpype.JClass("org.deeplearning4j.zoo.model." + name).builder()
    for key, value in options.items():
        if key == "inputShape":
            value = jpype.JArray(jpype.JInt)(value)
        elif key == "cacheMode":
            value = jpype.JClass("org.deeplearning4j.nn.conf.CacheMode").valueOf(value)
        elif key == "workspaceMode":
            value = jpype.JClass("org.deeplearning4j.nn.conf.WorkspaceMode").valueOf(value)
        elif key == "cudnnAlgoMode":
            value = jpype.JClass("org.deeplearning4j.nn.conf.layers.ConvolutionLayer$AlgoMode").valueOf(value)
        elif key == "updater":
            value = jpype.JClass("org.nd4j.linalg.learning.config." + type(value).__name__).fromJson(value.toJson()) \
                if hasattr(jpype.JClass("org.nd4j.linalg.learning.config." + type(value).__name__), "fromJson") else value
        b = getattr(b, key)(value)
    return b.build()


def _java_conf(model):
    """DL4J's configuration of a zoo model without initialising it (some classes only have graphBuilder())."""
    if hasattr(model, "conf"):
        return model.conf()
    return model.graphBuilder().build()


def _java_num_params(conf) -> int:
    if hasattr(conf, "getVertices"):
        total = 0
        for v in conf.getVertices().values():
            if hasattr(v, "getLayerConf"):
                lc = v.getLayerConf()
                total += int(lc.getLayer().initializer().numParams(lc))
        return total
    return sum(int(c.getLayer().initializer().numParams(c)) for c in conf.getConfs())


def _diff(a, b, path="", out=None):
    """Paths where two JSON values differ (first 10), for readable failures."""
    out = [] if out is None else out
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b), key=str):
            if k not in a or k not in b:
                out.append(f"{path}/{k}: {'missing in ours' if k not in a else 'missing in DL4J'}")
            else:
                _diff(a[k], b[k], f"{path}/{k}", out)
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            _diff(x, y, f"{path}[{i}]", out)
    elif a != b:
        out.append(f"{path}: ours {str(a)[:120]} != DL4J {str(b)[:120]}")
    return out[:10]


def _params():
    for name, variants in CASES.items():
        for i, options in enumerate(variants):
            yield pytest.param(name, options, id=f"{name}-{i}")
        yield pytest.param(name, {**variants[-1], **VARIANT_OPTIONS}, id=f"{name}-modes")


@pytest.mark.parametrize("name,options", list(_params()))
def test_conf_json_and_num_params_equal_dl4j(name, options):
    ours = getattr(zoo, name)(**options).conf()
    java_conf = _java_conf(_java_builder(name, options))
    a, b = json.loads(ours.toJson()), json.loads(str(java_conf.toJson()))
    assert a == b, "\n".join(_diff(a, b))
    assert ours.numParams() == _java_num_params(java_conf)


@pytest.mark.parametrize("name", sorted(CASES))
def test_builder_and_keyword_forms_agree(name):
    cls = getattr(zoo, name)
    a = cls.builder().numClasses(7).seed(3).build()
    b = cls(numClasses=7, seed=3)
    assert a.conf().toJson() == b.conf().toJson()


@pytest.mark.parametrize("name", sorted(CASES))
def test_metadata_pretrained_and_names_equal_dl4j(name):
    import jpype

    ours = getattr(zoo, name)()
    java = _java_builder(name, {})
    assert ours.modelName() == str(java.modelName())
    assert ours.modelType().__name__ == str(java.modelType().getSimpleName())
    for t in PretrainedType:
        jt = jpype.JClass("org.deeplearning4j.zoo.PretrainedType").valueOf(t.name)
        url = java.pretrainedUrl(jt)
        assert ours.pretrainedUrl(t) == (None if url is None else str(url))
        assert ours.pretrainedChecksum(t) == int(java.pretrainedChecksum(jt))
        assert ours.pretrainedAvailable(t) == bool(java.pretrainedAvailable(jt))
    jm, om = java.metaData(), ours.metaData()
    assert om.getInputShape() == [[int(x) for x in row] for row in jm.getInputShape()]
    assert om.getNumOutputs() == int(jm.getNumOutputs())
    assert om.getZooType() == ZooType[str(jm.getZooType())]


def test_enums_equal_dl4j():
    import jpype

    assert [t.name for t in PretrainedType] == [str(t) for t in jpype.JClass("org.deeplearning4j.zoo.PretrainedType").values()]
    assert [t.name for t in ZooType] == [str(t) for t in jpype.JClass("org.deeplearning4j.zoo.ZooType").values()]
    RT = jpype.JClass("org.deeplearning4j.common.resources.ResourceType")
    assert {t.name: t.resourceName() for t in zoo.ResourceType} == {str(t): str(t.resourceName()) for t in RT.values()}
