"""ONNX export of the zoo's VGG16 and ResNet50 (issue 7): onnxruntime matches torch within 1e-4.

Small input shapes keep these fast; the full 224x224 numbers are in docs/cli.md. ResNet50's
smallest input is 136x136 (its final 3x3 max pooling needs a 3x3 map), and it is initialised with
WeightInit.XAVIER: with the zoo default (truncated normal, std 0.5) the untrained 50-layer network
overflows to NaN (in torch as in DL4J), and with RELU its softmax saturates to one-hot outputs;
either would make the comparison meaningless, so the tests also check the outputs are not saturated.
"""

import numpy as np
import pytest
from .cli_support import M21, run_cli

from pydl4j_transfer import WeightInit
from pydl4j_transfer.convert import to_onnx
from pydl4j_transfer.convert.formats import _max_abs_diff
from pydl4j_transfer.errors import InvalidConfigurationError
from pydl4j_transfer.zoo import VGG16, ResNet50

pytest.importorskip("onnx")
ort = pytest.importorskip("onnxruntime")


def _check(net, path, x):
    result = to_onnx(net, path, inputs=[x])
    assert result["checked"] and result["finite"], result
    assert result["max_abs_diff"] <= 1e-4, result
    # a second batch size through the exported graph: the batch axis is dynamic
    x3 = np.concatenate([x, x[:1]])
    got = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"]).run(None, {"input_0": x3})[0]
    want = net.output(x3)
    want = want[0] if isinstance(want, list) else want
    assert got.shape == want.shape and np.max(np.abs(got - want)) <= 1e-4
    assert np.max(want) < 0.99, "saturated softmax: the comparison would prove little"
    return result


@pytest.mark.slow
def test_vgg16_onnx_matches_torch(tmp_path):
    net = VGG16.builder().inputShape([3, 32, 32]).numClasses(5).seed(12345).build().init()
    x = np.random.default_rng(0).standard_normal([2, 3, 32, 32]).astype(np.float32)
    _check(net, tmp_path / "vgg16.onnx", x)
    # VGG16's input type is convolutionalFlat: the flat [mb, 3*32*32] form exports too (the default inputs)
    assert to_onnx(net, tmp_path / "vgg16_flat.onnx")["max_abs_diff"] <= 1e-4


@pytest.mark.slow
def test_resnet50_onnx_matches_torch(tmp_path):
    net = ResNet50.builder().inputShape([3, 136, 136]).numClasses(5).weightInit(WeightInit.XAVIER).build().init()
    x = np.random.default_rng(0).standard_normal([2, 3, 136, 136]).astype(np.float32)
    _check(net, tmp_path / "resnet50.onnx", x)


def test_onnx_check_fails_on_nan_mismatch():
    nan, inf = float("nan"), float("inf")
    assert _max_abs_diff(np.array([nan, inf, 1.0]), np.array([nan, inf, 1.0])) == 0.0
    assert _max_abs_diff(np.array([nan, 1.0]), np.array([0.5, 1.0])) == inf
    assert _max_abs_diff(np.array([1.0, 2.0]), np.array([1.0, 2.5])) == 0.5


def test_cli_convert_onnx_with_input_type(tmp_path):
    out = tmp_path / "m.onnx"
    r = run_cli("convert", M21 / "cnn_nhwc" / "model.zip", out, "--input-type", "cnn:6:6:2:NHWC")
    assert r.returncode == 0, r.stderr
    assert "max abs diff" in r.stdout and out.stat().st_size > 0
    sess = ort.InferenceSession(str(out), providers=["CPUExecutionProvider"])
    assert [list(i.shape)[1:] for i in sess.get_inputs()] == [[6, 6, 2]]


def test_onnx_names_input_type_when_shape_unknown(tmp_path):
    net = ResNet50.builder().inputShape([3, 136, 136]).numClasses(2).build().init()
    with pytest.raises(InvalidConfigurationError, match="--input-type"):
        to_onnx(net, tmp_path / "r.onnx")
