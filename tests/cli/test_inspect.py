"""``pydl4j-transfer inspect``: every fixture, JSON, no torch/Java, bad input."""

import json

import pytest
from .cli_support import CASES, M21, REPO, run_cli

from pydl4j_transfer import cli
from pydl4j_transfer.convert import inspect_model

NO_TORCH_NO_JAVA = "sys.modules['torch'] = None\nsys.modules['jpype'] = None"


#: case -> params DL4J M2.1's ComputationGraph#numParams() leaves out, so the manifest's num_params lacks them:
#: its SameDiff vertices' (it sums the layers only) and a VAE's pretrain params (it sums numParams(false), the
#: backprop params); inspect counts every parameter in coefficients.bin (docs/deviations.md row 18)
DL4J_NUM_PARAMS_WITHOUT_VERTICES = {"attention_vertex": 114, "vae_graph_composite": 97}


@pytest.mark.parametrize("case", CASES)
def test_inspect_every_fixture(case, capsys):
    path = M21 / case / "model.zip"
    manifest = json.loads((M21 / case / "manifest.json").read_text())
    info = inspect_model(path)
    assert info["network"] == manifest["network"]
    if case in DL4J_NUM_PARAMS_WITHOUT_VERTICES:  # see the table
        assert info["num_params"] == manifest["num_params"] + DL4J_NUM_PARAMS_WITHOUT_VERTICES[case]
        manifest["num_params"] = info["num_params"]
    assert info["num_params"] == manifest["num_params"]
    assert info["dtype"] == manifest["dtype"]
    assert info["updater_state_length"] == (manifest.get("updater_state_length") or 0)
    assert [e["name"] for e in info["entries"]] == manifest["zip_entries"]
    if manifest["num_params"]:
        assert info["format"]["generation"] == "M2.1 [N]"
    assert sum(r["params"] for r in info["layers"]) == manifest["num_params"]
    assert cli.main(["inspect", str(path)]) == 0
    assert "network:" in capsys.readouterr().out


def test_inspect_older_generation_and_frozen_and_normalizer():
    old = inspect_model(REPO / "compat_fixtures" / "1.0.0-beta6" / "cnn_basic" / "model.zip")
    assert old["format"]["generation"] == "<=M2 [1,N]"
    assert old["format"]["coefficients"]["shape"] == [1, 200]
    frozen = inspect_model(M21 / "cg_transfer_frozen" / "model.zip")
    assert frozen["frozen"] == ["da", "db", "merge", "d3"]
    assert frozen["updater_blocks"][0]["updater"] == "NoOp"
    assert inspect_model(M21 / "normalizer_standardize" / "model.zip")["normalizer"] == "NormalizerStandardize"
    assert inspect_model(M21 / "transfer_frozen_mln" / "model.zip")["frozen"] == ["layer0"]


def test_inspect_json_without_torch_or_java():
    r = run_cli("inspect", "--json", M21 / "cg_transfer_frozen" / "model.zip", pre=NO_TORCH_NO_JAVA)
    assert r.returncode == 0, r.stderr
    info = json.loads(r.stdout)
    assert info["network"] == "ComputationGraph" and info["num_params"] == 116
    r = run_cli("summary", M21 / "cnn_basic" / "model.zip", "--input-type", "ff:64", pre=NO_TORCH_NO_JAVA)
    assert r.returncode == 0, r.stderr
    assert "Total Parameters:  200" in r.stdout


@pytest.mark.parametrize("command", ["inspect", "summary", "verify", "graph"])
def test_bad_input_one_line_no_traceback(command, tmp_path, not_a_zip, unsupported_zip):
    extra = ["-o", str(tmp_path / "g.dot")] if command == "graph" else []
    for path, words in ((tmp_path / "missing.zip", "no such file"), (not_a_zip, "not a zip"),
                        (unsupported_zip, "org.example.FancyLayer")):
        r = run_cli(command, path, *extra)
        assert r.returncode == 2, (command, path, r.stdout, r.stderr)
        assert "Traceback" not in r.stderr
        lines = r.stderr.strip().splitlines()
        assert len(lines) == 1 and words in lines[0], r.stderr
    r = run_cli("--debug", command, tmp_path / "missing.zip", *extra)
    assert r.returncode != 0 and "Traceback" in r.stderr


def test_help_of_every_command():
    for command in ("inspect", "summary", "convert", "verify", "graph"):
        r = run_cli(command, "--help")
        assert r.returncode == 0 and "usage:" in r.stdout
    r = run_cli("--help")
    for command in ("inspect", "summary", "convert", "verify", "graph", "env", "supported"):
        assert command in r.stdout
