"""Structural validation at load (conf/validate_structure.py, issue 17): each damaged configuration of the issue
is refused by ``fromJson`` -- and by ``load`` of a zip holding it -- with InvalidConfigurationError or
MalformedConfigError naming the layer or vertex, instead of an AttributeError / KeyError / TypeError later."""

from __future__ import annotations

import copy
import json
import zipfile
from pathlib import Path

import pytest

from pydl4j_transfer import load
from pydl4j_transfer.conf import ComputationGraphConfiguration, MultiLayerConfiguration
from pydl4j_transfer.errors import InvalidConfigurationError, MalformedConfigError, Pydl4jTransferError

FIX = Path(__file__).parents[2] / "compat_fixtures" / "1.0.0-M2.1"
LEGACY = Path(__file__).parents[2].parent / "shared" / "dl4j-legacy"


def _tree(case: str) -> dict:
    with zipfile.ZipFile(FIX / case / "model.zip") as zf:
        return json.loads(zf.read("configuration.json"))


def _zip_with(tmp_path, case: str, tree) -> Path:
    src = FIX / case / "model.zip"
    out = tmp_path / f"{case}.zip"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "configuration.json":
                data = json.dumps(tree).encode()
            zout.writestr(info.filename, data)
    return out


def _refused(tmp_path, case, tree, error, match):
    cls = MultiLayerConfiguration if "confs" in tree else ComputationGraphConfiguration
    with pytest.raises(error, match=match):
        cls.fromJson(json.dumps(tree))
    with pytest.raises(error, match=match):
        load(_zip_with(tmp_path, case, tree))


# --- MultiLayerConfiguration -------------------------------------------------------------------------------


def test_conf_without_layer(tmp_path):
    tree = _tree("mlp_dense_output")
    del tree["confs"][1]["layer"]
    _refused(tmp_path, "mlp_dense_output", tree, InvalidConfigurationError, "layer 1: the layer is missing")


def test_no_layers_at_all(tmp_path):
    tree = _tree("mlp_dense_output")
    tree["confs"] = []
    _refused(tmp_path, "mlp_dense_output", tree, Pydl4jTransferError, "confs")


def test_nin_null(tmp_path):
    tree = _tree("mlp_dense_output")
    tree["confs"][0]["layer"]["nin"] = None
    _refused(tmp_path, "mlp_dense_output", tree, InvalidConfigurationError, "layer 0.*nIn")


def test_negative_nout(tmp_path):
    tree = _tree("mlp_dense_output")
    tree["confs"][0]["layer"]["nout"] = -3
    _refused(tmp_path, "mlp_dense_output", tree, InvalidConfigurationError, "layer 0.*nout is -3")


def test_convolution_without_kernel_size(tmp_path):
    tree = _tree("cnn_basic")
    conv = next(i for i, c in enumerate(tree["confs"]) if c["layer"]["@class"].endswith("ConvolutionLayer"))
    del tree["confs"][conv]["layer"]["kernelSize"]
    _refused(tmp_path, "cnn_basic", tree, InvalidConfigurationError, f"layer {conv}.*ConvolutionLayer")


def test_wrong_json_type(tmp_path):
    tree = _tree("mlp_dense_output")
    tree["confs"][0]["layer"]["nout"] = {"x": 1}
    _refused(tmp_path, "mlp_dense_output", tree, MalformedConfigError, "expected an integer")


def test_layer_without_updater(tmp_path):
    tree = _tree("mlp_dense_output")
    tree["confs"][0]["layer"]["iupdater"] = None
    _refused(tmp_path, "mlp_dense_output", tree, InvalidConfigurationError, "layer 0.*no updater")


def test_frozen_layer_with_backprop_without_inner_layer(tmp_path):
    tree = _tree("frozen_with_backprop")
    i = next(i for i, c in enumerate(tree["confs"]) if c["layer"]["@class"].endswith("FrozenLayerWithBackprop"))
    tree["confs"][i]["layer"]["underlying"] = None
    _refused(tmp_path, "frozen_with_backprop", tree, InvalidConfigurationError,
             f"layer {i}.*FrozenLayerWithBackprop wraps no layer")


def test_preprocessor_for_a_layer_that_does_not_exist(tmp_path):
    tree = _tree("cnn_basic")
    tree["inputPreProcessors"]["42"] = next(iter(tree["inputPreProcessors"].values()))
    _refused(tmp_path, "cnn_basic", tree, InvalidConfigurationError, "layer 42")


def test_deeply_nested_unknown_key(tmp_path):
    """An unknown key nested 900 deep: RecursionError from copy.deepcopy."""
    tree = _tree("mlp_dense_output")
    node = 1
    for _ in range(900):
        node = {"k": node}
    tree["confs"][0]["layer"]["unknownKey"] = node
    _refused(tmp_path, "mlp_dense_output", tree, MalformedConfigError, "nested more than")


def test_legacy_l1_list_of_null(tmp_path):
    path = LEGACY / "080" / "080_ModelSerializer_Regression_MLP_1.zip"
    if not path.exists():
        pytest.skip("legacy files not here")
    with zipfile.ZipFile(path) as zf:
        tree = json.loads(zf.read("configuration.json"))
    layer = tree["confs"][0]["layer"]
    body = next(iter(layer.values())) if "@class" not in layer else layer
    body["l1"] = [None]
    tree["confs"][0]["useRegularization"] = True  # else DL4J (and the upgrader) ignore l1
    with pytest.raises(MalformedConfigError, match="legacy numeric field"):
        MultiLayerConfiguration.fromJson(json.dumps(tree))


# --- ComputationGraphConfiguration ------------------------------------------------------------------------


def _graph():
    return _tree("cg_transfer_frozen")


def _some_vertex(tree, kind="LayerVertex"):
    return next(n for n, v in tree["vertices"].items() if v["@class"].endswith(kind))


def test_cycle(tmp_path):
    tree = _graph()
    order = list(tree["vertexInputs"])
    a, b = order[0], order[-1]
    tree["vertexInputs"][a] = tree["vertexInputs"][a] + [b]
    tree.pop("topologicalOrder", None)
    tree.pop("topologicalOrderStr", None)
    _refused(tmp_path, "cg_transfer_frozen", tree, InvalidConfigurationError, "cycle")


def test_dangling_input(tmp_path):
    tree = _graph()
    name = _some_vertex(tree)
    tree["vertexInputs"][name] = ["no_such_vertex"]
    _refused(tmp_path, "cg_transfer_frozen", tree, InvalidConfigurationError,
             f"vertex '{name}' has input 'no_such_vertex'")


def test_empty_vertices(tmp_path):
    tree = _graph()
    tree["vertices"] = {}
    _refused(tmp_path, "cg_transfer_frozen", tree, Pydl4jTransferError, "vertices")


def test_vertex_without_layer_conf(tmp_path):
    tree = _graph()
    name = _some_vertex(tree)
    del tree["vertices"][name]["layerConf"]
    _refused(tmp_path, "cg_transfer_frozen", tree, InvalidConfigurationError, f"vertex '{name}': LayerVertex has no")


@pytest.mark.parametrize("value", [-1, 999, "x"])
def test_topological_order_garbage(tmp_path, value):
    tree = _graph()
    tree["topologicalOrder"][0] = value
    error = MalformedConfigError if value == "x" else InvalidConfigurationError
    _refused(tmp_path, "cg_transfer_frozen", tree, error, "topologicalOrder|integer")


def test_topological_order_that_is_not_topological(tmp_path):
    tree = _graph()
    order = tree["topologicalOrder"]
    names = tree["topologicalOrderStr"]
    tree["topologicalOrder"], tree["topologicalOrderStr"] = order[::-1], names[::-1]
    _refused(tmp_path, "cg_transfer_frozen", tree, InvalidConfigurationError, "before its input")


def test_output_that_is_not_a_vertex(tmp_path):
    tree = _graph()
    tree["networkOutputs"] = ["nope"]
    _refused(tmp_path, "cg_transfer_frozen", tree, InvalidConfigurationError, "network output 'nope'")


def test_every_fixture_and_legacy_file_still_loads():
    """No false positives: every configuration real DL4J wrote (5 releases, and 0.5.0-1.0.0-beta6) passes."""
    paths = sorted(Path(FIX.parent).glob("*/*/model.zip"))
    if LEGACY.is_dir():
        paths += sorted(LEGACY.rglob("*_Regression_*.zip"))
    assert len(paths) > 300
    for path in paths:
        with zipfile.ZipFile(path) as zf:
            tree = json.loads(zf.read("configuration.json"))
        cls = MultiLayerConfiguration if "confs" in tree else ComputationGraphConfiguration
        cls.fromJson(json.dumps(copy.deepcopy(tree)))
