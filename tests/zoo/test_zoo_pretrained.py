"""initPretrained against pretrained zips written by real DL4J into a temporary DL4J cache folder."""

from __future__ import annotations

import os

import numpy as np
import pytest

from pydl4j_transfer import zoo
from pydl4j_transfer.errors import Dl4jFormatError, PretrainedModelNotFoundError, PretrainedNotAvailableError
from pydl4j_transfer.nn import ComputationGraph, MultiLayerNetwork
from pydl4j_transfer.zoo import DL4JResources, LeNet, PretrainedType, ResourceType, SimpleCNN, VGG16


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    """A fresh DL4J base directory (as DL4JResources.setBaseDirectory would set it)."""
    monkeypatch.delenv("DL4J_RESOURCES_DIRECTORY", raising=False)
    DL4JResources.setBaseDirectory(tmp_path)
    yield tmp_path
    DL4JResources.resetBaseDirectoryLocation()


def _write_dl4j_zip(path, model_name, num_classes):
    """Initialise a zoo model in real DL4J and save it with DL4J's ModelSerializer; returns DL4J's Adler-32."""
    import jpype

    path.parent.mkdir(parents=True, exist_ok=True)
    net = jpype.JClass("org.deeplearning4j.zoo.model." + model_name).builder().numClasses(num_classes).build().init()
    jpype.JClass("org.deeplearning4j.util.ModelSerializer").writeModel(net, jpype.JClass("java.io.File")(str(path)), False)
    adler = jpype.JClass("java.util.zip.Adler32")()
    jpype.JClass("org.apache.commons.io.FileUtils").checksum(jpype.JClass("java.io.File")(str(path)), adler)
    return int(adler.getValue())


@pytest.mark.dl4j
def test_init_pretrained_loads_dl4j_zip_and_matches_dl4j_outputs(cache_dir, monkeypatch):
    from pydl4j_transfer.dl4j_backend.model import Dl4jModel

    model = LeNet(numClasses=10)
    path = cache_dir / "models" / "lenet" / "lenet_dl4j_mnist_inference.zip"
    assert model.pretrainedFile(PretrainedType.MNIST) == path
    checksum = _write_dl4j_zip(path, "LeNet", 10)
    assert zoo.adler32_of_file(path) == checksum  # our Adler-32 is DL4J's
    monkeypatch.setitem(LeNet.PRETRAINED, PretrainedType.MNIST, ("models/lenet_dl4j_mnist_inference.zip", checksum))

    net = model.initPretrained(PretrainedType.MNIST)
    assert isinstance(net, MultiLayerNetwork)
    x = np.random.default_rng(0).random((3, 784), dtype=np.float32)
    ours = net.output(x)
    theirs = Dl4jModel.restore(str(path)).output(x)
    theirs = theirs[0] if isinstance(theirs, list) else theirs
    assert ours.shape == (3, 10)
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)


@pytest.mark.dl4j
def test_checksum_mismatch_raises_and_keeps_file(cache_dir):
    path = cache_dir / "models" / "lenet" / "lenet_dl4j_mnist_inference.zip"
    _write_dl4j_zip(path, "LeNet", 10)
    with pytest.raises(Dl4jFormatError, match="failed checksum") as info:
        LeNet().initPretrained(PretrainedType.MNIST)
    assert "1906861161" in str(info.value) and str(path) in str(info.value)
    assert path.is_file()


def test_missing_file_error_names_file_folder_and_url(cache_dir):
    with pytest.raises(PretrainedModelNotFoundError) as info:
        VGG16().initPretrained()
    msg = str(info.value)
    expected = cache_dir / "models" / "vgg16" / "vgg16_dl4j_inference.zip"
    assert str(expected) in msg
    assert str(expected.parent) in msg
    assert "https://dl4jdata.blob.core.windows.net/models/vgg16_dl4j_inference.zip" in msg
    assert not expected.exists()


def test_unavailable_pretrained_type_raises():
    assert not SimpleCNN().pretrainedAvailable(PretrainedType.IMAGENET)
    assert SimpleCNN().pretrainedUrl(PretrainedType.IMAGENET) is None
    with pytest.raises(PretrainedNotAvailableError, match="Pretrained IMAGENET weights are not available"):
        SimpleCNN().initPretrained()


def test_cache_directory_resolution(tmp_path, monkeypatch):
    DL4JResources.resetBaseDirectoryLocation()
    for var in ("DL4J_RESOURCES_DIRECTORY", "JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS"):
        monkeypatch.delenv(var, raising=False)
    assert DL4JResources.getBaseDirectory() == type(tmp_path)(os.path.expanduser("~")) / ".deeplearning4j"
    monkeypatch.setenv("JAVA_TOOL_OPTIONS", f"-Xmx1g -Dorg.deeplearning4j.resources.directory={tmp_path / 'j'}")
    assert DL4JResources.getDirectory(ResourceType.ZOO_MODEL, "vgg16") == tmp_path / "j" / "models" / "vgg16"
    monkeypatch.setenv("DL4J_RESOURCES_DIRECTORY", str(tmp_path / "e"))
    assert DL4JResources.getBaseDirectory() == tmp_path / "e"
    DL4JResources.setBaseDirectory(tmp_path)
    try:
        assert VGG16().pretrainedFile(PretrainedType.CIFAR10) == \
            tmp_path / "models" / "vgg16" / "vgg16_dl4j_cifar10_inference.v1.zip"
    finally:
        DL4JResources.resetBaseDirectoryLocation()


def test_base_url_override(monkeypatch):
    monkeypatch.setattr(DL4JResources, "_base_url", "http://mirror.example/dl4j/")
    assert LeNet().pretrainedUrl("MNIST") == "http://mirror.example/dl4j/models/lenet_dl4j_mnist_inference.zip"


def test_builder_rejects_unknown_options():
    with pytest.raises(AttributeError, match="no option"):
        VGG16.builder().nBoxes(3)
    with pytest.raises(TypeError):
        VGG16(nBoxes=3)


def test_init_small_models_gives_networks_of_the_right_size():
    net = LeNet(numClasses=10).init()
    assert isinstance(net, MultiLayerNetwork) and net.numParams() == LeNet(numClasses=10).conf().numParams()
    assert net.output(np.zeros((2, 784), np.float32)).shape == (2, 10)
    assert VGG16().modelType() is ComputationGraph
