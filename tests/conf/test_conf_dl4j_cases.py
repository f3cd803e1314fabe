"""Byte equality with the JSON real DL4J 1.0.0-M2.1 printed for the same builder calls (data/dl4j_cases)."""

import pytest

from pydl4j_transfer.conf import ComputationGraphConfiguration, MultiLayerConfiguration

from .conf_testdata import CASES_DIR
from .dl4j_cases import CASES

# DL4J quirks after init() that are not mirrored (documented): DL4J's MultiLayerNetwork.init() rewrites
# PReLULayer.inputShape to the network input's shape ([1] here, was [10]).
INIT_XFAIL = {"mln_misc": "DL4J init() resets PReLULayer.inputShape to the network input shape (not mirrored)"}


def _parse(text):
    return (ComputationGraphConfiguration if '"vertices"' in text else MultiLayerConfiguration).fromJson(text)


@pytest.mark.parametrize("name", sorted(CASES))
def test_builder_output_equals_dl4j(name):
    assert CASES[name]().toJson() == (CASES_DIR / f"{name}.json").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(CASES))
def test_init_variables_equal_dl4j(name):
    if name in INIT_XFAIL:
        pytest.xfail(INIT_XFAIL[name])
    assert CASES[name]().initVariables().toJson() == (CASES_DIR / f"{name}.init.json").read_text(encoding="utf-8")


# DL4J's loader sets BatchNormalization.useLogStd = !variables.contains("var"): a BN written before init()
# (variables [ ]) with useLogStd=false reads back as true. Checked with DL4J M2.1 (fromJson -> toJson).
RELOAD_CHANGES = {("mln_cnn2", ".json"): ('"useLogStd" : false', '"useLogStd" : true')}


@pytest.mark.parametrize("suffix", [".json", ".init.json"])
@pytest.mark.parametrize("name", sorted(CASES))
def test_dl4j_text_round_trips_byte_for_byte(name, suffix):
    text = (CASES_DIR / f"{name}{suffix}").read_text(encoding="utf-8")
    conf = _parse(text)
    old, new = RELOAD_CHANGES.get((name, suffix), ("", ""))
    assert conf.toJson() == text.replace(old, new)
    assert _parse(conf.toJson()) == conf


def test_builder_result_equals_parsed_dl4j_text():
    for name, fn in CASES.items():
        if (name, ".json") not in RELOAD_CHANGES:
            assert fn() == _parse((CASES_DIR / f"{name}.json").read_text(encoding="utf-8")), name
