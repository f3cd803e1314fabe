"""``convert``, ``verify`` and ``graph`` on real fixtures."""

import json
import shutil

import numpy as np
import pytest
from .cli_support import M21, run_cli

from pydl4j_transfer import cli, load
from pydl4j_transfer.convert import graph_dot, to_dl4j_zip, to_onnx, to_safetensors, to_state_dict

ROUND_TRIP = ["mlp_dense_output", "cnn_basic", "cg_transfer_frozen", "rnn_lstm", "dtype_double", "dtype_half",
              "rnn_bidirectional_modes", "cnn_deconv_depthwise_separable", "batchnorm_ff", "cg_merge_elementwise"]


def _same_bits(a, b):
    return a.dtype == b.dtype and np.array_equal(a.view(np.uint8), b.view(np.uint8))


@pytest.mark.parametrize("case", ROUND_TRIP)
def test_zip_safetensors_zip_keeps_params_bit_identical(case, tmp_path):
    pytest.importorskip("safetensors")
    src = M21 / case / "model.zip"
    st, back = tmp_path / "m.safetensors", tmp_path / "back.zip"
    assert cli.main(["convert", str(src), str(st)]) == 0
    assert cli.main(["convert", str(st), str(back)]) == 0
    assert _same_bits(load(src).params(), load(back).params())


@pytest.mark.parametrize("case", ["mlp_dense_output", "cg_transfer_frozen", "cnn_basic"])
def test_state_dict_round_trip_with_config(case, tmp_path):
    import torch

    src = M21 / case / "model.zip"
    pt, conf, back = tmp_path / "m.pt", tmp_path / "configuration.json", tmp_path / "back.zip"
    to_state_dict(src, pt)
    state = torch.load(pt, weights_only=True)
    assert all(isinstance(v, torch.Tensor) for v in state.values())
    assert cli.main(["convert", str(src), str(conf)]) == 0
    assert cli.main(["convert", str(pt), str(back), "--config", str(conf)]) == 0
    assert _same_bits(load(src).params(), load(back).params())
    r = run_cli("convert", pt, tmp_path / "x.zip")  # no configuration: a clear error
    assert r.returncode == 2 and "--config" in r.stderr and "Traceback" not in r.stderr


def test_safetensors_metadata_holds_configuration(tmp_path):
    pytest.importorskip("safetensors")
    from safetensors import safe_open

    src = M21 / "cg_transfer_frozen" / "model.zip"
    to_safetensors(src, tmp_path / "m.safetensors")
    with safe_open(str(tmp_path / "m.safetensors"), framework="pt") as f:
        meta = f.metadata()
    assert json.loads(meta["configuration.json"])["networkInputs"] == ["a", "b"]
    assert meta["dl4j_network"] == "ComputationGraph"


@pytest.mark.dl4j
@pytest.mark.parametrize("case", ["mlp_dense_output", "cg_transfer_frozen", "dtype_double"])
def test_real_dl4j_restores_the_converted_zip(case, tmp_path):
    pytest.importorskip("safetensors")
    from pydl4j_transfer.dl4j_backend import Dl4jModel

    src = M21 / case / "model.zip"
    to_safetensors(src, tmp_path / "m.safetensors")
    to_dl4j_zip(tmp_path / "m.safetensors", tmp_path / "back.zip")
    assert _same_bits(load(src).params(), Dl4jModel.restore(tmp_path / "back.zip").params())


@pytest.mark.parametrize("case", ["mlp_dense_output", "cnn_basic", "rnn_lstm", "cg_transfer_frozen", "cnn_nhwc",
                                  "cg_merge_elementwise"])
def test_onnx_matches_torch(case, tmp_path):
    pytest.importorskip("onnx")
    pytest.importorskip("onnxruntime")
    xs = [np.load(M21 / case / n) for n in json.loads((M21 / case / "manifest.json").read_text())["inputs"]]
    result = to_onnx(M21 / case / "model.zip", tmp_path / "m.onnx", inputs=xs)
    assert result["checked"] and result["max_abs_diff"] <= 1e-4


def test_convert_unknown_direction(tmp_path):
    r = run_cli("convert", M21 / "cnn_basic" / "model.zip", tmp_path / "out.txt")
    assert r.returncode == 2 and "extension" in r.stderr
    r = run_cli("convert", tmp_path / "missing.zip", tmp_path / "out.pt")
    assert r.returncode == 2 and "no such file" in r.stderr


@pytest.mark.dl4j
@pytest.mark.parametrize("case", ["mlp_dense_output", "cnn_basic", "cg_transfer_frozen", "rnn_lstm"])
def test_verify_random_and_given_inputs(case, tmp_path, capsys):
    assert cli.main(["verify", str(M21 / case / "model.zip")]) == 0
    out = capsys.readouterr().out
    assert "max abs diff" in out and "OK" in out
    names = json.loads((M21 / case / "manifest.json").read_text())["inputs"]
    np.savez(tmp_path / "in.npz", **{f"x{i}": np.load(M21 / case / n) for i, n in enumerate(names)})
    assert cli.main(["verify", str(M21 / case / "model.zip"), "--inputs", str(tmp_path / "in.npz")]) == 0


@pytest.mark.dl4j
def test_verify_exits_1_beyond_tolerance(capsys):
    assert cli.main(["verify", str(M21 / "mlp_dense_output" / "model.zip"), "--tol", "-1"]) == 1
    assert "FAIL" in capsys.readouterr().out


def test_graph_dot_shades_frozen(tmp_path, capsys):
    dot = graph_dot(load(M21 / "cg_transfer_frozen" / "model.zip"))
    assert '"merge" -> "d3"' in dot and "Frozen DenseLayer" in dot
    frozen = [ln for ln in dot.splitlines() if "fillcolor=\"#bbbbbb\"" in ln]
    assert {ln.split('"')[1] for ln in frozen} == {"da", "db", "merge", "d3"}
    assert cli.main(["graph", str(M21 / "transfer_frozen_mln" / "model.zip"), "-o", str(tmp_path / "g.dot")]) == 0
    assert (tmp_path / "g.dot").read_text().startswith("digraph")
    assert cli.main(["graph", str(M21 / "cnn_basic" / "model.zip"), "-o", str(tmp_path / "g.svg")]) == 0
    out = capsys.readouterr().out
    if shutil.which("dot"):
        assert (tmp_path / "g.svg").read_text().lstrip().startswith("<")
    else:
        assert "not on PATH" in out and (tmp_path / "g.svg.dot").exists()
