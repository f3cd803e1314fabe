"""Every zoo model's configuration equals DL4J's zoo class's (JSON after json.loads), and so do param counts."""

from __future__ import annotations


import pytest

from pydl4j_transfer import zoo
from pydl4j_transfer.zoo import PretrainedType, ZooType

from ..json_diff import assert_same_json

pytestmark = pytest.mark.dl4j

# model -> option variants (builder options, applied the same way on both sides)
CASES = {
    "LeNet": [{}, {"numClasses": 10}, {"numClasses": 3, "inputShape": [3, 32, 32], "seed": 7}],
    "SimpleCNN": [{"numClasses": 10}, {"numClasses": 4, "inputShape": [1, 64, 64]}],
    "AlexNet": [{"numClasses": 10}, {"numClasses": 1000, "inputShape": [3, 227, 227]}],
    "VGG16": [{"numClasses": 1000}, {"numClasses": 5, "inputShape": [3, 64, 64], "seed": 42}],
    "ResNet50": [{"numClasses": 1000}, {"numClasses": 5, "inputShape": [3, 64, 64], "seed": 42}],
    "VGG19": [{"numClasses": 1000}, {"numClasses": 5, "inputShape": [3, 128, 128]}],
    "SqueezeNet": [{"numClasses": 1000}, {"numClasses": 10, "inputShape": [3, 128, 128], "seed": 5}],
    "UNet": [{}, {"inputShape": [1, 64, 96], "seed": 3}],
    "Xception": [{"numClasses": 1000}, {"numClasses": 7, "inputShape": [3, 128, 160], "seed": 11}],
    "InceptionResNetV1": [{"numClasses": 10}, {"numClasses": 100, "seed": 3}],
    "Darknet19": [{"numClasses": 1000}, {"numClasses": 10, "inputShape": [3, 448, 448], "seed": 5}],
    "TinyYOLO": [{"numClasses": 20}, {"numClasses": 3, "nBoxes": 2, "priorBoxes": [[1.5, 2.0], [3.25, 0.5]],
                                      "inputShape": [3, 224, 224]}],
    "YOLO2": [{"numClasses": 80}, {"numClasses": 4, "nBoxes": 3, "priorBoxes": [[1.0, 1.0], [2.0, 3.0], [0.5, 0.25]],
                                   "inputShape": [3, 320, 320], "seed": 9}],
    "TextGenerationLSTM": [{"inputShape": [40, 47]},
                           {"inputShape": [100, 60], "totalUniqueCharacters": 60, "maxLength": 100, "seed": 3}],
}
# options a model cannot be built without (DL4J's TextGenerationLSTM builder has no default inputShape)
REQUIRED_OPTIONS = {"TextGenerationLSTM": {"inputShape": [40, 47]}}
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
    if str(model.getClass().getSimpleName()) == "InceptionResNetV1":
        return _java_inception_resnet_v1_conf(model)
    g = model.graphBuilder()
    if len(g.getNetworkInputs()) == 0:
        # SqueezeNet, UNet: graphBuilder() has no inputs; their init() adds them as here before build()
        import jpype

        shape = list(model.metaData().getInputShape()[0])
        InputType = jpype.JClass("org.deeplearning4j.nn.conf.inputs.InputType")
        g.addInputs("input").setInputTypes(InputType.convolutional(shape[2], shape[1], shape[0]))
    return g.build()


def _java_inception_resnet_v1_conf(model):
    """InceptionResNetV1 has only ``graphBuilder(String input)``; its ``init()`` adds the input and the head
    (bottleneck Dense 5376->128, L2-normalised embeddings, center-loss output) before building. Those steps,
    done here on DL4J's builder as its init() does, without initialising the ~20M parameters."""
    import jpype

    J = lambda name: jpype.JClass("org.deeplearning4j.nn.conf." + name)  # noqa: E731
    shape = list(model.metaData().getInputShape()[0])
    g = model.graphBuilder("input1")
    g.addInputs("input1").setInputTypes(J("inputs.InputType").convolutional(shape[2], shape[1], shape[0]))
    g.addLayer("bottleneck", J("layers.DenseLayer$Builder")().nIn(5376).nOut(128).build(), "avgpool")
    g.addVertex("embeddings", J("graph.L2NormalizeVertex")(jpype.JArray(jpype.JInt)([1]), 1e-10), "bottleneck")
    field = model.getClass().getDeclaredField("numClasses")
    field.setAccessible(True)
    num_classes = int(field.getInt(model))
    loss = jpype.JClass("org.nd4j.linalg.lossfunctions.LossFunctions$LossFunction").NEGATIVELOGLIKELIHOOD
    softmax = jpype.JClass("org.nd4j.linalg.activations.Activation").SOFTMAX
    g.addLayer("outputLayer", J("layers.CenterLossOutputLayer$Builder")().lossFunction(loss).activation(softmax)
               .alpha(0.9).lambda_(1e-4).nIn(128).nOut(num_classes).build(), "embeddings")
    return g.setOutputs("outputLayer").build()


def _java_num_params(conf) -> int:
    if hasattr(conf, "getVertices"):
        total = 0
        for v in conf.getVertices().values():
            if hasattr(v, "getLayerConf"):
                lc = v.getLayerConf()
                total += int(lc.getLayer().initializer().numParams(lc))
        return total
    return sum(int(c.getLayer().initializer().numParams(c)) for c in conf.getConfs())


def _params():
    for name, variants in CASES.items():
        for i, options in enumerate(variants):
            yield pytest.param(name, options, id=f"{name}-{i}")
        yield pytest.param(name, {**variants[-1], **VARIANT_OPTIONS}, id=f"{name}-modes")


@pytest.mark.parametrize("name,options", list(_params()))
def test_conf_json_and_num_params_equal_dl4j(name, options):
    ours = getattr(zoo, name)(**options).conf()
    java_conf = _java_conf(_java_builder(name, options))
    assert_same_json(ours.toJson(), str(java_conf.toJson()), f"zoo {name} configuration")
    assert ours.numParams() == _java_num_params(java_conf)


@pytest.mark.parametrize("name", sorted(CASES))
def test_builder_and_keyword_forms_agree(name):
    cls = getattr(zoo, name)
    options = {**REQUIRED_OPTIONS.get(name, {}), "seed": 3}
    if "numClasses" in cls.defaults():
        options["numClasses"] = 7
    builder = cls.builder()
    for key, value in options.items():
        builder = getattr(builder, key)(value)
    a, b = builder.build(), cls(**options)
    assert a.conf().toJson() == b.conf().toJson()


@pytest.mark.parametrize("name", sorted(CASES))
def test_metadata_pretrained_and_names_equal_dl4j(name):
    import jpype

    ours = getattr(zoo, name)(**REQUIRED_OPTIONS.get(name, {}))
    java = _java_builder(name, REQUIRED_OPTIONS.get(name, {}))
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


@pytest.mark.parametrize("name,options", [("Darknet19", {"inputShape": [3, 448, 448]}),
                                          ("Darknet19", {"inputShape": [3, 448, 224]})])
def test_pretrained_url_depending_on_options_equals_dl4j(name, options):
    import jpype

    ours, java = getattr(zoo, name)(**options), _java_builder(name, options)
    jt = jpype.JClass("org.deeplearning4j.zoo.PretrainedType").IMAGENET
    assert ours.pretrainedUrl(PretrainedType.IMAGENET) == str(java.pretrainedUrl(jt))
    assert ours.pretrainedChecksum(PretrainedType.IMAGENET) == int(java.pretrainedChecksum(jt))


NOT_MIRRORED = {
    "NASNet": "M2.1's graphBuilder() (and so init()) fails: it computes activation types before any input is "
              "added, so there is no real configuration to check a transcription against",
    "FaceNetNN4Small2": "not transcribed yet",
}


def test_every_dl4j_zoo_model_is_mirrored_and_checked():
    """zoo.MODELS holds every class of DL4J's org.deeplearning4j.zoo.model but those in NOT_MIRRORED, and each
    has a CASES entry."""
    import zipfile
    from pathlib import Path

    jar = next((Path(__file__).resolve().parents[2] / "java" / "target" / "lib").glob("deeplearning4j-zoo-*.jar"))
    prefix = "org/deeplearning4j/zoo/model/"
    names = {n[len(prefix):-len(".class")] for n in zipfile.ZipFile(jar).namelist()
             if n.startswith(prefix) and n.endswith(".class") and "/" not in n[len(prefix):] and "$" not in n}
    assert set(zoo.MODELS) == names - set(NOT_MIRRORED)
    assert set(CASES) == set(zoo.MODELS)
    for name, cls in zoo.MODELS.items():
        assert cls.__doc__ and "org.deeplearning4j.zoo.model." + name in cls.__doc__


def test_text_generation_lstm_without_input_shape_fails_like_dl4j():
    import jpype

    with pytest.raises(jpype.JException):
        _java_builder("TextGenerationLSTM", {}).conf()
    assert zoo.TextGenerationLSTM().inputShape is None
    with pytest.raises(ValueError, match="inputShape"):
        zoo.TextGenerationLSTM().conf()


def test_enums_equal_dl4j():
    import jpype

    assert [t.name for t in PretrainedType] == [str(t) for t in jpype.JClass("org.deeplearning4j.zoo.PretrainedType").values()]
    assert [t.name for t in ZooType] == [str(t) for t in jpype.JClass("org.deeplearning4j.zoo.ZooType").values()]
    RT = jpype.JClass("org.deeplearning4j.common.resources.ResourceType")
    assert {t.name: t.resourceName() for t in zoo.ResourceType} == {str(t): str(t.resourceName()) for t in RT.values()}
