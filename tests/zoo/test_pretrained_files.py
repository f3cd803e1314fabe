"""Pretrained weights into zoo networks from files the user has (ZooModel.initPretrainedFrom), judged by the source
framework and by DL4J.

compat_fixtures/keras/applications/ holds random-weight files in the exact layout of the published files, written
by the real frameworks (compat_fixtures/keras/generate.py): Keras applications weights files (legacy HDF5
save_weights) and torchvision VGG state_dicts, reduced in width (the published ones are 0.1-0.5 GB; the layout and
every layout change are the same), with Keras's / torchvision's outputs on stored inputs.
"""

from __future__ import annotations

import zlib
from pathlib import Path

import numpy as np
import pytest

from pydl4j_transfer.errors import Dl4jFormatError, InvalidKerasConfigurationError, PretrainedNotAvailableError
from pydl4j_transfer.nn.serializer import ModelSerializer
from pydl4j_transfer.zoo import VGG16, VGG19, ResNet50, PretrainedType

APPS = Path(__file__).resolve().parents[2] / "compat_fixtures" / "keras" / "applications"
EPS = 1e-5
KERAS = [(VGG16, "vgg16_keras"), (VGG19, "vgg19_keras"), (ResNet50, "resnet50_keras")]
TORCH = [(VGG16, "vgg16_torchvision"), (VGG19, "vgg19_torchvision")]


def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _keras(cls, name):
    ref = np.load(APPS / f"{name}.npz")
    net = cls().initPretrainedFrom(APPS / f"{name}_weights_tf_dim_ordering_tf_kernels.h5",
                                   architecture=APPS / f"{name}_architecture.json")
    return net, ref["input0"], ref["prediction0"]


def _torch(cls, name):
    ref = np.load(APPS / f"{name}.npz")
    net = cls().initPretrainedFrom(APPS / f"{name}.pth")
    # torchvision returns logits; the zoo graph ends in DL4J's softmax output layer
    return net, ref["input0_u8"].astype(np.float32) / np.float32(255), _softmax(ref["prediction0"])


@pytest.mark.parametrize("cls,name", KERAS, ids=[n for _, n in KERAS])
def test_keras_applications_weights_give_keras_outputs(cls, name):
    net, x, keras_out = _keras(cls, name)
    assert net.getConfiguration().networkInputs == ["input_layer"] or net.getConfiguration().networkInputs
    out = net.output(x)[0]
    assert out.shape == keras_out.shape
    assert float(np.abs(out - keras_out).max()) <= EPS


@pytest.mark.parametrize("cls,name", TORCH, ids=[n for _, n in TORCH])
def test_torchvision_state_dict_gives_torchvision_outputs(cls, name):
    net, x, torch_out = _torch(cls, name)
    out = net.output(x)[0]
    assert float(np.abs(out - torch_out).max()) <= EPS


def test_torchvision_safetensors_gives_the_same_network(tmp_path):
    import torch
    from safetensors.torch import save_file

    state = torch.load(APPS / "vgg16_torchvision.pth", weights_only=True)
    save_file(state, tmp_path / "vgg16.safetensors")
    a = VGG16().initPretrainedFrom(APPS / "vgg16_torchvision.pth")
    b = VGG16().initPretrainedFrom(tmp_path / "vgg16.safetensors")
    assert np.array_equal(a.params(), b.params())


@pytest.mark.dl4j
@pytest.mark.parametrize("cls,name,how", [(c, n, _keras) for c, n in KERAS] + [(c, n, _torch) for c, n in TORCH],
                         ids=[n for _, n in KERAS + TORCH])
def test_dl4j_restores_the_zip_we_write(cls, name, how, tmp_path, jvm):
    net, x, expected = how(cls, name)
    path = tmp_path / "model.zip"
    ModelSerializer.writeModel(net, path, False)
    dl4j = ModelSerializer.restoreComputationGraph(path, backend="dl4j")
    out = dl4j.output(x)[0]
    assert float(np.abs(out - expected).max()) <= EPS
    np.testing.assert_allclose(out, net.output(x)[0], rtol=0, atol=EPS)


@pytest.mark.parametrize("cls,params", [(VGG16, 138357544), (VGG19, 143667240), (ResNet50, 25636712)])
def test_shipped_architectures_are_the_keras_applications(cls, params):
    """The full-size architectures (Keras's to_json, shipped gzipped) import with the applications' parameter
    counts (Keras's model.count_params())."""
    from pydl4j_transfer.keras import KerasModel
    from pydl4j_transfer.zoo.pretrained_files import load_architecture
    import json

    conf = KerasModel.modelBuilder().modelJson(json.dumps(load_architecture(cls.KERAS_APPLICATION))) \
        .buildModel().getComputationGraphConfiguration()
    assert conf.numParams() == params


def test_dl4j_zoo_zip_is_checked_against_dl4j_checksum(tmp_path):
    net, _, _ = _torch(VGG16, "vgg16_torchvision")
    path = tmp_path / "vgg16_dl4j_inference.zip"
    ModelSerializer.writeModel(net, path, False)
    with pytest.raises(Dl4jFormatError, match="Adler-32"):
        VGG16().initPretrainedFrom(path)  # not DL4J's file: checksum 3501732770 expected

    class Mine(VGG16):
        PRETRAINED = {PretrainedType.IMAGENET: ("models/x.zip", zlib.adler32(path.read_bytes()))}

    restored = Mine().initPretrainedFrom(path)
    assert np.array_equal(restored.params(), net.params())


def test_bad_files_give_typed_errors(tmp_path):
    junk = tmp_path / "vgg16.pth"
    junk.write_bytes(b"\x80\x04not a state dict" * 10)
    with pytest.raises(Dl4jFormatError, match="vgg16.pth"):
        VGG16().initPretrainedFrom(junk)
    with pytest.raises(InvalidKerasConfigurationError, match="vgg16_keras_weights"):
        VGG19().initPretrainedFrom(APPS / "vgg16_keras_weights_tf_dim_ordering_tf_kernels.h5",
                                   architecture=APPS / "vgg19_keras_architecture.json")
    with pytest.raises(Dl4jFormatError, match="conv layers"):
        VGG16().initPretrainedFrom(APPS / "vgg19_torchvision.pth")
    with pytest.raises(PretrainedNotAvailableError):
        ResNet50().initPretrainedFrom(APPS / "vgg16_torchvision.pth")
