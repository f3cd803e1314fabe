"""``pydl4j-transfer convert`` for Keras files and pretrained weights, and ``inspect`` of a Keras file."""

from __future__ import annotations

import numpy as np

from pydl4j_transfer.cli import main
from pydl4j_transfer.keras import KerasModelImport
from pydl4j_transfer.nn.serializer import ModelSerializer

from .cases import ROOT

K3 = ROOT.parent / "keras3"
APPS = ROOT.parent / "applications"


def test_convert_keras_h5_to_a_dl4j_zip(tmp_path, capsys):
    src = ROOT / "examples" / "12net.h5"
    out = tmp_path / "12net.zip"
    assert main(["convert", str(src), str(out)]) == 0
    assert "6632 parameters" in capsys.readouterr().out
    restored = ModelSerializer.restoreComputationGraph(out)
    direct = KerasModelImport.importKerasModelAndWeights(src)
    assert np.array_equal(restored.params(), direct.params())
    # the same configuration, the seed aside (DL4J's builder seeds with the clock)
    assert restored.getConfiguration().toJson().split("seed")[0] == direct.getConfiguration().toJson().split("seed")[0]
    assert restored.getConfiguration().numParams() == direct.getConfiguration().numParams()


def test_convert_json_with_weights_and_keras3(tmp_path):
    out = tmp_path / "m.zip"
    assert main(["convert", str(ROOT / "examples/activations/LeakyReLU_0_config.json"), str(out),
                 "--weights", str(ROOT / "examples/activations/LeakyReLU_0_weights.h5")]) == 0
    assert ModelSerializer.restoreMultiLayerNetwork(out).numParams() == 544
    assert main(["convert", str(K3 / "cnn2d.keras"), str(tmp_path / "k3.zip")]) == 0
    ref = np.load(K3 / "cnn2d.npz")
    net = ModelSerializer.restoreMultiLayerNetwork(tmp_path / "k3.zip")
    assert float(np.abs(net.output(ref["input0"]) - ref["prediction0"]).max()) <= 1e-5


def test_convert_pretrained_weights_into_a_zoo_model(tmp_path, capsys):
    out = tmp_path / "vgg16.zip"
    assert main(["convert", str(APPS / "vgg16_torchvision.pth"), str(out), "--zoo", "VGG16"]) == 0
    assert "VGG16" in capsys.readouterr().out
    assert ModelSerializer.restoreComputationGraph(out).numParams() == 163054
    assert main(["convert", str(APPS / "vgg16_torchvision.pth"), str(out), "--zoo", "NotAModel"]) == 2


def test_inspect_shows_each_keras_layer_and_what_it_maps_to(capsys):
    assert main(["inspect", str(ROOT / "examples" / "masking" / "masking_zero_lstm.h5")]) == 0
    text = capsys.readouterr().out
    assert "Masking" in text and "MaskZeroLayer(IdentityLayer)" in text and "LastTimeStep(LSTM)" in text
    assert main(["inspect", str(ROOT / "unsupported" / "weights" / "keras-attention.h5")]) == 1
    text = capsys.readouterr().out
    assert "UNSUPPORTED" in text and "Attention" in text and "registerCustomLayer" in text


def test_convert_error_is_one_line(tmp_path, capsys):
    bad = tmp_path / "bad.h5"
    bad.write_bytes(b"\x89HDF\r\n\x1a\n" + b"\0" * 100)
    assert main(["convert", str(bad), str(tmp_path / "x.zip")]) == 2
    err = capsys.readouterr().err
    assert "bad.h5" in err and "Traceback" not in err
    assert not (tmp_path / "x.zip").exists()
