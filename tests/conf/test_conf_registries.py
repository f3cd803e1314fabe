"""Every registered conf class: JSON defaults equal DL4J's, JSON round trip, builder == keyword form."""

import pytest

import pydl4j_transfer.conf as conf
from pydl4j_transfer.conf import jsonio
from pydl4j_transfer.conf.base import ALL_REGISTRIES, Registry
from pydl4j_transfer.errors import InvalidConfigurationError, UnsupportedLayerError

from .conf_testdata import load_data

ALL = [(r, key, cls) for r in ALL_REGISTRIES for key, cls in r.items()]
IDS = [key.rsplit(".", 1)[-1] + "-" + r.kind.replace(" ", "_") for r, key, cls in ALL]
MISSING = load_data("missing_key_defaults.json")
BUILDER = load_data("builder_defaults.json")
# DL4J classes deliberately without a Python class (SameDiff/capsule/attention layers, VAE, ...): parsing them
# raises UnsupportedLayerError naming the class.
NOT_IMPLEMENTED = {
}
# Classes whose DL4J builder refuses its own defaults (new X.Builder().build() throws in M2.1): the builder and keyword
# forms raise InvalidConfigurationError with DL4J's message; the JSON round trip starts from the missing-key defaults.
BUILDER_REFUSES_DEFAULTS = {
    "org.deeplearning4j.nn.conf.layers.SelfAttentionLayer": "projectInput must be true when nHeads != 1",
    "org.deeplearning4j.nn.conf.layers.LearnedSelfAttentionLayer": "projectInput must be true when nHeads != 1",
    "org.deeplearning4j.nn.conf.layers.RecurrentAttentionLayer": "nOut must be specified when projectInput is true",
    "org.deeplearning4j.nn.conf.graph.AttentionVertex": "You have to set nOut",
    "org.deeplearning4j.nn.conf.layers.CapsuleLayer": "capsules, capsuleDimensions, and routings must be > 0",
    "org.deeplearning4j.nn.conf.layers.PrimaryCapsules": "capsuleDimensions and channels must be > 0",
}

# Classes whose default object DL4J cannot write (Jackson's getLayerParams() runs defineParameters, whose check
# fails): toJson raises InvalidConfigurationError with DL4J's message; the round trip starts from these keywords.
JSON_REFUSES_DEFAULTS = {
    "org.deeplearning4j.nn.conf.layers.LocallyConnected1D": ("Feature dimension is set to 0", {"nIn": 2}),
}


def _registry_of(key):
    for r in ALL_REGISTRIES:
        if key in r:
            return r
    return None


def test_registry_sizes():
    sizes = {r.kind: len(r) for r in ALL_REGISTRIES}
    assert sizes["layer"] >= 45 and sizes["graph vertex"] >= 16 and sizes["input preprocessor"] == 12
    assert sizes["activation"] == 22 and sizes["updater"] == 11 and sizes["loss function"] == 19


@pytest.mark.parametrize("key", sorted(MISSING))
def test_missing_key_defaults_match_dl4j(key):
    """{"@class": X} binds to the same values DL4J's Jackson gives (Java field defaults)."""
    if key in NOT_IMPLEMENTED:
        pytest.skip("not implemented (listed in NOT_IMPLEMENTED)")
    r = _registry_of(key)
    assert r is not None, f"{key} is not registered"
    obj = r.decode({r.type_key: key})
    assert obj.toJson() == MISSING[key]


@pytest.mark.parametrize("key", sorted(BUILDER))
def test_builder_defaults_match_dl4j(key):
    """Cls() / Cls.Builder().build() equal DL4J's new X.Builder().build() (layers) or new X() (values)."""
    entry = BUILDER[key]
    if key in NOT_IMPLEMENTED:
        pytest.skip("not implemented (listed in NOT_IMPLEMENTED)")
    if entry["how"] == "ctor" and ".layers." in key:
        pytest.skip("DL4J has no public no-arg builder for this layer: its public constructor is the Jackson path")
    r = _registry_of(key)
    cls = r.lookup(key)
    assert cls().toJson() == entry["json"]
    if key in BUILDER_REFUSES_DEFAULTS:  # a public no-arg constructor beside a builder that checks (AttentionVertex)
        with pytest.raises(InvalidConfigurationError, match=BUILDER_REFUSES_DEFAULTS[key]):
            cls.Builder().build()
        return
    assert cls.Builder().build().toJson() == entry["json"]


@pytest.mark.parametrize("r, key, cls", ALL, ids=IDS)
def test_round_trip_and_builder_forms_agree(r, key, cls):
    if key in BUILDER_REFUSES_DEFAULTS:
        with pytest.raises(InvalidConfigurationError, match=BUILDER_REFUSES_DEFAULTS[key]):
            cls.Builder().build()
        obj = r.decode({r.type_key: key})
        back = r.decode(jsonio.loads(obj.toJson()))
        assert type(back) is cls and back.toJson() == obj.toJson() and back == obj
        assert obj.clone() == obj and cls.__doc__.startswith("Mirrors ")
        return
    kwargs = {}
    if key in JSON_REFUSES_DEFAULTS:
        message, kwargs = JSON_REFUSES_DEFAULTS[key]
        with pytest.raises(InvalidConfigurationError, match=message):
            cls().toJson()
    obj = cls(**kwargs)
    text = obj.toJson()
    back = r.decode(jsonio.loads(text))
    assert type(back) is cls
    assert back.toJson() == text
    built = cls.Builder(**kwargs).build()
    # Java's Convolution2D.Builder is ConvolutionLayer's (it builds a ConvolutionLayer): mirrored
    assert built == (obj if type(built) is cls else type(built)())
    assert obj.clone() == obj and obj.clone() is not obj
    assert cls.__doc__.startswith("Mirrors ")


@pytest.mark.parametrize("r, key, cls", ALL, ids=IDS)
def test_every_class_is_exported(r, key, cls):
    assert getattr(conf, cls.__name__) is cls and cls.__name__ in conf.__all__


def test_duplicate_registration_is_an_error_naming_the_key():
    reg = Registry("thing")

    class A(conf.ConfObject):
        dl4jClass = "x.y.A"

    reg.register(A)
    with pytest.raises(InvalidConfigurationError, match="x.y.A"):
        reg.register(A)


def test_lookup_miss_names_the_key():
    with pytest.raises(UnsupportedLayerError, match="org.example.Nope") as info:
        conf.LAYERS.lookup("org.example.Nope", where="dense1")
    assert info.value.dl4j_class == "org.example.Nope" and info.value.where == "dense1"


def test_builder_and_keyword_forms_agree_with_arguments():
    a = conf.DenseLayer.Builder().nIn(4).nOut(3).activation(conf.Activation.RELU).weightInit("XAVIER").l2(1e-4) \
        .dropOut(0.5).updater(conf.Adam(0.01)).name("d").build()
    b = conf.DenseLayer(nIn=4, nOut=3, activation="relu", weightInit=conf.WeightInit.XAVIER, l2=1e-4, dropOut=0.5,
                        updater=conf.Adam(learningRate=0.01), name="d")
    assert a == b and a.toJson() == b.toJson()
    assert a.activationFn == conf.ActivationReLU() and a.regularization == [conf.L2Regularization(1e-4)]
    c1 = conf.ConvolutionLayer.Builder(3, 3).nOut(8).stride(2, 2).build()
    c2 = conf.ConvolutionLayer(kernelSize=(3, 3), nOut=8, stride=[2, 2])
    assert c1 == c2 and c1.kernelSize == [3, 3]
    assert conf.OutputLayer.Builder(conf.LossFunctions.LossFunction.MSE).build() == conf.OutputLayer(lossFunction="mse")


def test_enum_strings_and_errors():
    assert conf.Activation.of("relu") is conf.Activation.RELU
    assert conf.WeightInit.of("xavier_uniform") is conf.WeightInit.XAVIER_UNIFORM
    assert conf.GradientNormalization.of("None").name == "None"
    with pytest.raises(InvalidConfigurationError, match="not a Activation"):
        conf.Activation.of("nope")
    with pytest.raises(InvalidConfigurationError):
        conf.DenseLayer(weightInit=conf.WeightInit.DISTRIBUTION)
    with pytest.raises(TypeError, match="noSuchThing"):
        conf.DenseLayer(noSuchThing=1)


ENUMS = load_data("enum_mappings.json")


@pytest.mark.parametrize("kind, method", [("Activation", "getActivationFunction"), ("WeightInit", "getWeightInitFunction"),
                                          ("LossFunction", "getILossFunction"), ("Updater", "getIUpdaterWithDefaultConfig")])
def test_enum_mappings_match_dl4j(kind, method):
    enum_cls = conf.LossFunctions.LossFunction if kind == "LossFunction" else getattr(conf.enums, kind)
    assert list(enum_cls.__members__) == list(ENUMS[kind])
    for name, expected in ENUMS[kind].items():
        if isinstance(expected, str) and expected.startswith("ERROR"):
            with pytest.raises(InvalidConfigurationError):
                getattr(enum_cls[name], method)()
            continue
        obj = getattr(enum_cls[name], method)()
        assert jsonio.loads(obj.toJson()) == expected, name


def test_enum_constant_lists_match_dl4j():
    names = {"org.deeplearning4j.nn.conf.ConvolutionMode": conf.ConvolutionMode,
             "org.deeplearning4j.nn.conf.layers.PoolingType": conf.PoolingType,
             "org.deeplearning4j.nn.conf.GradientNormalization": conf.GradientNormalization,
             "org.deeplearning4j.nn.conf.CNN2DFormat": conf.CNN2DFormat, "org.deeplearning4j.nn.conf.RNNFormat": conf.RNNFormat,
             "org.deeplearning4j.nn.conf.BackpropType": conf.BackpropType,
             "org.deeplearning4j.nn.conf.WorkspaceMode": conf.WorkspaceMode, "org.deeplearning4j.nn.conf.CacheMode": conf.CacheMode,
             "org.deeplearning4j.nn.api.OptimizationAlgorithm": conf.OptimizationAlgorithm,
             "org.deeplearning4j.nn.conf.graph.ElementWiseVertex$Op": conf.ElementWiseOp,
             "org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional$Mode": conf.BidirectionalMode,
             "org.nd4j.linalg.api.buffer.DataType": conf.DataType}
    for java, py in names.items():
        assert list(py.__members__) == ENUMS["enums"][java], java
