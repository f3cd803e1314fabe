"""User-defined SameDiff classes: ``pydl4j_transfer.register_samediff`` (docs/samediff.md).

The example classes are real Java (java/src/main/java/org/pydl4j/transfer/compat/ExampleSameDiff*.java: a dense
layer with a mask, a lambda layer, a gated vertex); compat_fixtures/user-samediff/1.0.0-M2.1/samediff_user_{layer,
vertex} were written by real DL4J with them (apart from the DL4J fixtures, which the generic tests walk). Each test registers what it needs and the ``registry`` fixture removes it again,
so the registries (and docs/supported.md) never see these classes outside this file.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pytest
import torch

import pydl4j_transfer
from pydl4j_transfer.conf import LAYERS, VERTICES, InputType, MultiLayerConfiguration
from pydl4j_transfer.errors import InvalidConfigurationError, UnsupportedLayerError
from pydl4j_transfer.nn import ComputationGraph, ModelSerializer, MultiLayerNetwork
from pydl4j_transfer.torch_backend import LAYER_CONVERTERS, VERTEX_CONVERTERS, samediff_gradient
from pydl4j_transfer.torch_backend.layers import samediff as sd

M21 = Path(__file__).resolve().parents[2] / "compat_fixtures" / "user-samediff" / "1.0.0-M2.1"
PKG = "org.pydl4j.transfer.compat."


@pytest.fixture
def registry():
    """Restore every registry register_samediff touches after the test."""
    tables = (LAYERS._entries, VERTICES._entries, LAYER_CONVERTERS._entries, VERTEX_CONVERTERS._entries, sd._USER_FORWARDS)
    saved = [dict(t) for t in tables]
    yield
    for table, old in zip(tables, saved):
        table.clear()
        table.update(old)


def dense(params, x, mask):
    """ExampleSameDiffDense#defineLayer: tanh(x W + b) * mask (W [nIn, nOut], b [1, nOut])."""
    return torch.tanh(x @ params["W"] + params["b"]) * mask


def swish_half(params, x, mask):
    """ExampleSameDiffLambda#defineLayer with scale 0.5."""
    return x * torch.sigmoid(x) * 0.5


def gate(params, inputs, masks):
    """ExampleSameDiffVertex#defineVertex: sigmoid(g) * a + (1 - sigmoid(g)) * b."""
    g = torch.sigmoid(params["g"])
    return inputs["a"] * g + inputs["b"] * (1 - g)


def _register_layer_example():
    pydl4j_transfer.register_samediff(PKG + "ExampleSameDiffDense", dense,
                                      output_type=lambda conf, t: InputType.feedForward(conf.unknownProperties["nout"]))
    pydl4j_transfer.register_samediff(PKG + "ExampleSameDiffLambda", swish_half, output_type=lambda conf, t: t)


def test_unregistered_user_classes_name_the_class_and_the_hook(registry):
    for case, kind in (("samediff_user_layer", "layer"), ("samediff_user_vertex", "vertex")):
        with pytest.raises(UnsupportedLayerError) as info:
            pydl4j_transfer.load(M21 / case / "model.zip")
        msg = str(info.value)
        assert info.value.dl4j_class.startswith(PKG + "ExampleSameDiff") and "user-defined SameDiff" in msg
        assert "register_samediff(" in msg and (('kind="vertex"' in msg) == (kind == "vertex"))
    # an unknown class that is NOT a SameDiff layer keeps the generic message
    text = zipfile.ZipFile(M21.parents[1] / "1.0.0-M2.1" / "mlp_dense_output" / "model.zip").read("configuration.json").decode()
    with pytest.raises(UnsupportedLayerError, match="docs/supported.md"):
        MultiLayerConfiguration.fromJson(text.replace("org.deeplearning4j.nn.conf.layers.DenseLayer", "com.example.X"))


def test_registered_user_layers_read_run_and_round_trip(registry, tmp_path):
    _register_layer_example()
    case = M21 / "samediff_user_layer"
    net = pydl4j_transfer.load(case / "model.zip")
    raw = zipfile.ZipFile(case / "model.zip")
    assert net.toJson() == raw.read("configuration.json").decode()  # the user's fields (nin, nout, scale, ...) kept
    layer = net.getLayerWiseConfigurations().confs[1].layer
    assert layer.paramShapes() == {"W": (5, 6), "b": (1, 6)} and layer.unknownProperties["activation"] == "TANH"
    out = net.output(np.load(case / "input.npy"))
    np.testing.assert_allclose(out, np.load(case / "output.npy"), rtol=1e-5, atol=2e-6)
    assert "layer1 (SameDiffLayer)" in net.summary() and "layer2 (SameDiffLayer)" in net.summary()  # DL4J's runtime class
    path = tmp_path / "again.zip"
    ModelSerializer.writeModel(net, path, True)
    back = pydl4j_transfer.load(path)
    np.testing.assert_array_equal(back.params(), net.params())
    assert back.toJson() == net.toJson()


def test_registered_user_vertex_reads_and_runs(registry):
    pydl4j_transfer.register_samediff(PKG + "ExampleSameDiffVertex", gate, kind="vertex",
                                      output_type=lambda conf, *types: types[0])
    case = M21 / "samediff_user_vertex"
    net = pydl4j_transfer.load(case / "model.zip")
    assert isinstance(net, ComputationGraph)
    assert net.toJson() == zipfile.ZipFile(case / "model.zip").read("configuration.json").decode()
    vertex = net.getConfiguration().vertices["gate"]
    assert vertex.paramShapes() == {"g": (1, 5)} and vertex.getVertexParams().inputs == ["a", "b"]
    out = net.output(np.load(case / "input.npy"))[0]
    np.testing.assert_allclose(out, np.load(case / "output.npy"), rtol=1e-5, atol=2e-6)


@pytest.mark.dl4j
def test_user_layers_train_as_dl4j(registry):
    """With the forward registered, 5 fit steps match real DL4J running the Java class (its SameDiff gradient
    doubling reproduced by samediff_gradient("dl4j"), as for DL4J's own SameDiff layers)."""
    from pydl4j_transfer.dl4j_backend import Dl4jModel

    _register_layer_example()
    case = M21 / "samediff_user_layer"
    ours = pydl4j_transfer.load(case / "model.zip")
    theirs = Dl4jModel.restore(str(case / "model.zip"))
    rng = np.random.default_rng(0)
    x = rng.standard_normal((6, 4)).astype(np.float32)
    y = np.eye(3, dtype=np.float32)[rng.integers(0, 3, 6)]
    with samediff_gradient("dl4j"):
        ours.fit(x, y, epochs=5)
    theirs.fit(x, y, steps=5)
    p = theirs.params()
    assert float(np.abs(ours.params() - p).max() / np.abs(p).max()) <= 1e-5
    np.testing.assert_allclose(ours.output(x), theirs.output(x), rtol=1e-5, atol=1e-6)


@pytest.mark.dl4j
def test_zip_written_here_is_restored_by_dl4j(registry, tmp_path):
    from pydl4j_transfer.dl4j_backend import Dl4jModel

    _register_layer_example()
    net = pydl4j_transfer.load(M21 / "samediff_user_layer" / "model.zip")
    net.setParams(net.params() * 0.5)
    path = tmp_path / "half.zip"
    ModelSerializer.writeModel(net, path, True)
    model = Dl4jModel.restore(str(path))
    np.testing.assert_array_equal(model.params(), net.params())
    assert json.loads(model.configurationJson()) == json.loads(net.toJson())
    x = np.load(M21 / "samediff_user_layer" / "input.npy")
    np.testing.assert_allclose(net.output(x), model.output(x), rtol=1e-5, atol=2e-6)


def test_registration_errors_and_replacement(registry):
    with pytest.raises(InvalidConfigurationError, match="callable"):
        pydl4j_transfer.register_samediff("com.example.A", 42)
    with pytest.raises(InvalidConfigurationError, match="not a user-defined"):
        pydl4j_transfer.register_samediff("org.deeplearning4j.nn.conf.layers.DenseLayer", dense)
    with pytest.raises(InvalidConfigurationError, match="kind must be one of"):
        pydl4j_transfer.register_samediff("com.example.A", dense, kind="loss")
    pydl4j_transfer.register_samediff("com.example.A", dense)
    with pytest.raises(InvalidConfigurationError, match="another kind"):
        pydl4j_transfer.register_samediff("com.example.A", gate, kind="vertex")
    # again: the new forward replaces the old one
    _register_layer_example()
    pydl4j_transfer.register_samediff(PKG + "ExampleSameDiffLambda", lambda p, x, m: x * 0.0)
    net = pydl4j_transfer.load(M21 / "samediff_user_layer" / "model.zip")
    assert float(np.abs(net.feedForward(np.ones((2, 4), np.float32))[3]).max()) == 0.0
    # a forward that returns no tensor is a typed error naming the layer
    pydl4j_transfer.register_samediff(PKG + "ExampleSameDiffLambda", lambda p, x, m: "oops")
    with pytest.raises(InvalidConfigurationError, match="layer2.*not a tensor"):
        pydl4j_transfer.load(M21 / "samediff_user_layer" / "model.zip").output(np.ones((2, 4), np.float32))
    # without an output_type, shape inference through the class says what to register
    pydl4j_transfer.register_samediff(PKG + "ExampleSameDiffLambda", swish_half)
    net = pydl4j_transfer.load(M21 / "samediff_user_layer" / "model.zip")
    with pytest.raises(InvalidConfigurationError, match="output_type"):
        net.summary(InputType.feedForward(4))


def test_a_user_class_is_not_left_in_the_registries():
    """The fixture above really restores: outside those tests no user class is registered."""
    assert not [c for c in LAYERS if getattr(c, "user_samediff", False)]
    assert not [c for c in VERTICES if getattr(c, "user_samediff", False)]
    assert isinstance(MultiLayerNetwork, type)
