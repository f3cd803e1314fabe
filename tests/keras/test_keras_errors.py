"""Bad and unusual Keras input: typed errors naming the layer and the file, user registration hooks (custom layers,
Lambda layers: their marshalled bytecode is never read), HDF5 size claims that are not trusted."""

from __future__ import annotations

import json
import marshal
import shutil

import h5py
import numpy as np
from numpy.testing import assert_allclose
import pytest

from pydl4j_transfer.conf.layers.samediff import SameDiffLambdaLayer
from pydl4j_transfer.errors import InvalidKerasConfigurationError, UnsupportedKerasConfigurationError
from pydl4j_transfer.keras import KerasLayer, KerasModelImport
from pydl4j_transfer.keras.layers.core import KerasDense

from .cases import ROOT

LAMBDA = ROOT / "unsupported" / "examples" / "lambda" / "sequential_lambda.h5"
DENSE = ROOT / "weights" / "dense_tensorflow_2.h5"


class Square(SameDiffLambdaLayer):
    """x * x (a user's replacement for a Keras Lambda layer)."""

    dl4jClass = "org.example.keras.Square"

    def defineLayer(self, x):
        return x * x

    def getOutputType(self, *args):
        return args[-1]


class TimesThree(SameDiffLambdaLayer):
    """3 x."""

    dl4jClass = "org.example.keras.TimesThree"

    def defineLayer(self, x):
        return 3 * x

    def getOutputType(self, *args):
        return args[-1]


@pytest.fixture
def clean_registrations(monkeypatch):
    """Registrations made by the test (Keras hooks, and the layer / torch converter registries that
    registerLambdaLayer fills) are undone after it, so later tests see the package's own classes only."""
    from pydl4j_transfer.conf.layers.base import LAYERS
    from pydl4j_transfer.torch_backend.registry import LAYER_CONVERTERS

    monkeypatch.setattr(LAYERS, "_entries", dict(LAYERS._entries))
    monkeypatch.setattr(LAYER_CONVERTERS, "_entries", dict(LAYER_CONVERTERS._entries))
    yield
    KerasLayer.clearLambdaLayers()
    KerasLayer.clearCustomLayers()


def test_unregistered_lambda_names_the_hook_and_the_file():
    with pytest.raises(UnsupportedKerasConfigurationError, match="registerLambdaLayer") as info:
        KerasModelImport.importKerasSequentialModelAndWeights(LAMBDA)
    assert "lambda_1" in str(info.value) and LAMBDA.name in str(info.value)


def test_registered_lambdas_replace_the_bytecode_which_is_never_read(monkeypatch, clean_registrations):
    def refuse(*args, **kwargs):
        raise AssertionError("marshalled Lambda bytecode must not be read")

    KerasLayer.registerLambdaLayer("lambda_1", Square())
    KerasLayer.registerLambdaLayer("lambda_2", TimesThree())
    x = np.random.default_rng(1).standard_normal((3, 100)).astype(np.float32)
    KerasModelImport.importKerasSequentialModelAndWeights(LAMBDA, False).output(x)  # Python's own imports first
    # (importing a module reads its .pyc with marshal.loads): from here on, nothing may unmarshal
    monkeypatch.setattr(marshal, "loads", refuse)
    net = KerasModelImport.importKerasSequentialModelAndWeights(LAMBDA, False)
    w1, b1 = net.getParam("0_W"), net.getParam("0_b")
    w2, b2 = net.getParam("3_W"), net.getParam("3_b")
    expected = (3 * np.maximum(x @ w1 + b1, 0) ** 2) @ w2 + b2  # dense_1 (relu), lambda_1, lambda_2, dense_2
    assert_allclose(net.output(x), expected, rtol=1e-5, atol=1e-5)
    assert [type(l).__name__ for l in net.getLayerWiseConfigurations().layers] == \
        ["DenseLayer", "Square", "TimesThree", "DenseLayer"]


def test_unsupported_layer_names_its_class_and_the_registration_hook():
    path = ROOT / "unsupported" / "weights" / "keras-attention.h5"
    with pytest.raises(UnsupportedKerasConfigurationError) as info:
        KerasModelImport.importKerasModelAndWeights(path)
    text = str(info.value)
    assert "Attention" in text and "registerCustomLayer" in text and path.name in text


def test_register_custom_layer(tmp_path, clean_registrations):
    """KerasLayer.registerCustomLayer: a Keras class DL4J does not know, mapped by a user's KerasLayer subclass."""
    with h5py.File(DENSE, "r") as f:
        config = json.loads(f.attrs["model_config"])
        config["keras_version"], config["backend"] = f.attrs["keras_version"], f.attrs["backend"]
    config["config"][0]["class_name"] = "MyDense"
    path = tmp_path / "custom.json"
    path.write_text(json.dumps(config))
    with pytest.raises(UnsupportedKerasConfigurationError, match="MyDense"):
        KerasModelImport.importKerasSequentialConfiguration(path)

    class KerasMyDense(KerasDense):
        """A user's mapper."""

    KerasLayer.registerCustomLayer("MyDense", KerasMyDense)
    conf = KerasModelImport.importKerasSequentialConfiguration(path)
    assert type(conf.layers[0]).__name__ == "DenseLayer" and conf.layers[0].nOut == 6


def _copy(tmp_path, name="m.h5"):
    out = tmp_path / name
    shutil.copy(DENSE, out)
    return out


def test_truncated_file(tmp_path):
    path = tmp_path / "cut.h5"
    path.write_bytes(DENSE.read_bytes()[:3000])
    with pytest.raises(InvalidKerasConfigurationError, match="cut.h5"):
        KerasModelImport.importKerasSequentialModelAndWeights(path)


def test_not_json_model_config(tmp_path):
    path = _copy(tmp_path)
    with h5py.File(path, "r+") as f:
        f.attrs["model_config"] = "{not json"
    with pytest.raises(InvalidKerasConfigurationError, match="not valid JSON"):
        KerasModelImport.importKerasSequentialModelAndWeights(path)


def test_a_size_claim_is_not_trusted(tmp_path):
    """A weight whose shape claims 40 GB with next to nothing stored is refused before any allocation."""
    path = _copy(tmp_path)
    with h5py.File(path, "r+") as f:
        group = f["model_weights/dense_1/dense_1"]
        del group["kernel:0"]
        group.create_dataset("kernel:0", shape=(100_000, 100_000), dtype="f4", chunks=(1000, 1000),
                             compression="gzip")
    with pytest.raises(InvalidKerasConfigurationError, match="kernel") as info:
        KerasModelImport.importKerasSequentialModelAndWeights(path)
    assert "m.h5" in str(info.value)


def test_weights_of_the_wrong_shape_name_the_layer(tmp_path):
    path = _copy(tmp_path)
    with h5py.File(path, "r+") as f:
        group = f["model_weights/dense_1/dense_1"]
        del group["kernel:0"]
        group["kernel:0"] = np.zeros((5, 5), dtype=np.float32)
    with pytest.raises(InvalidKerasConfigurationError, match="dense_1") as info:
        KerasModelImport.importKerasSequentialModelAndWeights(path)
    assert "m.h5" in str(info.value)


def test_missing_weights_name_the_layer(tmp_path):
    path = _copy(tmp_path)
    with h5py.File(path, "r+") as f:
        del f["model_weights/dense_1"]
    with pytest.raises(InvalidKerasConfigurationError, match="dense_1"):
        KerasModelImport.importKerasSequentialModelAndWeights(path)


def test_missing_file_and_wrong_model_class(tmp_path):
    with pytest.raises(InvalidKerasConfigurationError, match="does not exist"):
        KerasModelImport.importKerasSequentialModelAndWeights(tmp_path / "nope.h5")
    with pytest.raises(InvalidKerasConfigurationError, match="Model or Functional"):
        KerasModelImport.importKerasModelAndWeights(DENSE)  # a Sequential file through the functional entry


def test_keras3_archive_without_weights(tmp_path):
    import zipfile

    path = tmp_path / "bad.keras"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("config.json", json.dumps({"class_name": "Sequential", "config": {"layers": []}}))
        zf.writestr("metadata.json", "{}")
    with pytest.raises(InvalidKerasConfigurationError, match="model.weights.h5") as info:
        KerasModelImport.importKerasModel(path)
    assert "bad.keras" in str(info.value)


def test_inputstream_form_leaves_no_temporary_file(tmp_path, monkeypatch):
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    with open(DENSE, "rb") as f:
        net = KerasModelImport.importKerasSequentialModelAndWeights(f, False)
    assert net.numParams() == 30
    assert not list(tmp_path.iterdir())
