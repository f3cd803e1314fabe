"""Unknown keys kept, unknown classes named, malformed input refused."""

import json

import pytest

from pydl4j_transfer.conf import ComputationGraphConfiguration, DenseLayer, MultiLayerConfiguration, jsonio
from pydl4j_transfer.errors import MalformedConfigError, UnsupportedLayerError

from .conf_testdata import CASES_DIR


def _mln_tree():
    return jsonio.loads((CASES_DIR / "mln_dense_output.init.json").read_text())


def test_unknown_keys_are_kept_everywhere():
    tree = _mln_tree()
    tree["futureTopLevel"] = {"b": 1, "a": [1.5, None]}
    tree["confs"][0]["futureConfKey"] = 7
    tree["confs"][0]["layer"]["futureLayerKey"] = "x"
    tree["confs"][0]["layer"]["iupdater"]["futureUpdaterKey"] = 0.25
    conf = MultiLayerConfiguration.fromJson(json.dumps(tree))
    assert conf.confs[0].layer.unknownProperties == {"futureLayerKey": "x"}
    out = jsonio.loads(conf.toJson())
    assert out["futureTopLevel"] == {"b": 1, "a": [1.5, None]} and list(out["futureTopLevel"]) == ["b", "a"]
    assert out["confs"][0]["futureConfKey"] == 7
    assert out["confs"][0]["layer"]["futureLayerKey"] == "x"
    assert out["confs"][0]["layer"]["iupdater"]["futureUpdaterKey"] == 0.25
    assert out == tree


def test_edit_then_write():
    conf = MultiLayerConfiguration.fromJson((CASES_DIR / "mln_dense_output.init.json").read_text())
    conf.confs[1].layer.nOut = 7
    conf.confs[0].layer.activation = None  # plain attribute, not a JSON property
    out = jsonio.loads(conf.toJson())
    assert out["confs"][1]["layer"]["nout"] == 7 and "activation" not in out["confs"][0]["layer"]
    assert conf.paramShapes()["1_W"] == (64, 7)


def test_unknown_layer_class_names_class_and_layer():
    tree = _mln_tree()
    tree["confs"][1]["layer"]["@class"] = "org.example.MyCustomLayer"
    with pytest.raises(UnsupportedLayerError) as info:
        MultiLayerConfiguration.fromJson(json.dumps(tree))
    assert "org.example.MyCustomLayer" in str(info.value) and "layer1" in str(info.value)
    assert info.value.dl4j_class == "org.example.MyCustomLayer" and info.value.where == "layer1"


def test_unknown_vertex_and_value_classes():
    tree = jsonio.loads((CASES_DIR / "cg_merge.json").read_text())
    tree["vertices"]["merge"]["@class"] = "org.example.MyVertex"
    with pytest.raises(UnsupportedLayerError, match="org.example.MyVertex.*merge"):
        ComputationGraphConfiguration.fromJson(json.dumps(tree))
    tree = jsonio.loads((CASES_DIR / "cg_merge.json").read_text())
    tree["vertices"]["d1"]["layerConf"]["layer"]["activationFn"]["@class"] = "org.example.MyActivation"
    with pytest.raises(UnsupportedLayerError, match="activation 'org.example.MyActivation'.*d1"):
        ComputationGraphConfiguration.fromJson(json.dumps(tree))


@pytest.mark.parametrize("text", ["", "{", "[1, 2]", '{"hello": "world"}', '{"confs": 3}', '{"vertices": []}',
                                  '{"confs": [{"layer": {"nin": 1}}]}', '{"confs": [{"layer": {"@class": 5}}]}'])
def test_malformed_or_non_dl4j_json(text):
    with pytest.raises(MalformedConfigError):
        MultiLayerConfiguration.fromJson(text)
    with pytest.raises(MalformedConfigError):
        ComputationGraphConfiguration.fromJson(text)


def test_bad_value_types_are_malformed():
    tree = _mln_tree()
    tree["confs"][0]["layer"]["nin"] = "many"
    with pytest.raises(MalformedConfigError, match="layer0"):
        MultiLayerConfiguration.fromJson(json.dumps(tree))


def test_nan_written_as_string_and_read_back():
    layer = DenseLayer(nIn=1, nOut=1)
    assert '"biasInit" : "NaN"' in layer.toJson()
