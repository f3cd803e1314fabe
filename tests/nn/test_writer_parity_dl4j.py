"""Our writer against real DL4J 1.0.0-M2.1: every registered configuration class, written by us, restored by DL4J.

For each case (one per class of every registry in ``pydl4j_transfer.conf.base``, plus the scenarios of
``nn_recipes.SCENARIOS``): the network is built in Python from an explicit recipe, ``init()``-ed, given an
updater state of exactly ``updaterStateSize()`` random values, written with
``ModelSerializer.writeModel(net, zip, True)`` and

* restored by us (``pydl4j_transfer.load``): JSON text, params and updater state identical;
* restored by real DL4J (``Dl4jModel.restore``, i.e. ``ModelSerializer.restoreMultiLayerNetwork`` /
  ``restoreComputationGraph``): params and updater state bit-identical (same dtype), and DL4J's
  ``configurationJson()`` equal to ours once both are parsed (whether the text is also byte-identical is
  recorded, not asserted; the rate is printed at the end of the run, see conftest.py).

A registered class without a recipe fails (``test_class_parity``) unless ``nn_recipes.EXCLUDED`` gives the
reason, so no class can be added to a registry without being written for DL4J here.
"""

from __future__ import annotations

import zipfile

import numpy as np
import pytest

import pydl4j_transfer
from pydl4j_transfer.errors import Dl4jBackendError
from pydl4j_transfer.nn import ModelSerializer

from . import nn_recipes as R
from ..json_diff import canonical, format_diffs, jdiff
from .nn_parity import JSON_DIFFS, TEXT_IDENTITY, network_for, same_array, state_values, type_ids

CLASSES = R.registered_classes()
SCENARIO_IDS = sorted(R.SCENARIOS)


# ------------------------------------------------------------------------------------------------
# the tables themselves (no JVM)


def test_tables_are_consistent():
    unknown = sorted(set(R.RECIPES) - set(CLASSES))
    assert not unknown, f"recipes for classes that are not registered (renamed or removed?): {unknown}"
    stale = sorted(set(R.EXCLUDED) - set(CLASSES))
    assert not stale, f"EXCLUDED rows for classes that are not registered: {stale}"
    both = sorted(set(R.RECIPES) & set(R.EXCLUDED))
    assert not both, f"classes both with a recipe and EXCLUDED: {both}"
    for key, reason in R.EXCLUDED.items():
        assert isinstance(reason, str) and len(reason) > 20, f"EXCLUDED[{key!r}] needs a real reason"
    for table in (R.DL4J_REJECTS, R.DL4J_JSON_CHANGES, R.WRAPPERS, R.DTYPES, R.BLOCK_COUNTS, R.SETUP):
        orphans = sorted(set(table) - set(R.RECIPES) - set(R.SCENARIOS))
        assert not orphans, f"rows naming no recipe or scenario: {orphans}"


def test_every_registered_class_has_a_recipe_or_an_exclusion():
    """The no-JVM twin of test_class_parity's guard: fails even where the DL4J tests cannot run."""
    missing = sorted(k for k in CLASSES if k not in R.RECIPES and k not in R.EXCLUDED)
    assert not missing, ("registered classes with neither a recipe nor an EXCLUDED row in tests/nn/nn_recipes.py: "
                         + ", ".join(f"{k} ({CLASSES[k][1].dl4jClass})" for k in missing))


@pytest.mark.parametrize("key", sorted(R.RECIPES))
def test_recipe_contains_its_class(key):
    """Each recipe really builds a network holding the class it stands for (checked in its JSON)."""
    registry, cls = CLASSES[key]
    net = network_for(R.RECIPES[key]()).init()
    assert cls.dl4jClass in type_ids(canonical(net.toJson())), (
        f"the recipe for {key} builds no {cls.dl4jClass} (registry {registry.kind!r})")


# ------------------------------------------------------------------------------------------------
# the round trip


def _write(key, conf, tmp_path):
    """Build, init, give a state, write; returns (net, zip path)."""
    net = network_for(conf).init()
    setup = R.SETUP.get(key)
    if setup is not None:
        setup(net)
    n = net.updaterStateSize()
    if n > 0:
        net.setUpdaterState(state_values(n, net.params().dtype))
    path = tmp_path / "model.zip"
    ModelSerializer.writeModel(net, path, True)
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
    assert names[:2] == ["configuration.json", "coefficients.bin"], names
    assert ("updaterState.bin" in names) == (n > 0), f"updaterState.bin present: {'updaterState.bin' in names}, size {n}"
    return net, path


def _check_own_round_trip(net, path):
    back = pydl4j_transfer.load(path)
    assert type(back) is type(net)
    assert back.toJson() == net.toJson(), "our own reader + toJson does not give back the JSON text we wrote"
    why = same_array(net.params(), back.params())
    assert why is None, f"params after our own round trip: {why}"
    why = same_array(net.getUpdaterState(), back.getUpdaterState())
    assert why is None, f"updater state after our own round trip: {why}"
    assert back.updaterStateSize() == net.updaterStateSize()


def _check_json(key, ours_text, dl4j_text):
    TEXT_IDENTITY[key] = ours_text == dl4j_text
    diffs = jdiff(canonical(ours_text), canonical(dl4j_text))
    JSON_DIFFS[key] = diffs
    expected = R.DL4J_JSON_CHANGES.get(key, [])
    assert diffs == expected, (
        f"DL4J's configurationJson() differs from ours ({len(diffs)} differences"
        + (f", expected exactly {expected}" if expected else "") + "):\n" + format_diffs(diffs))


def _check_wrappers(key, dl4j_text):
    tree = canonical(dl4j_text)
    for path, dl4j_class in R.WRAPPERS.get(key, {}).items():
        node = tree
        for part in path.strip("/").split("/"):
            name, _, index = part.partition("[")
            node = node[name]
            if index:
                node = node[int(index.rstrip("]"))]
        assert node.get("@class") == dl4j_class, f"{path} in DL4J's JSON is {node.get('@class')}, not {dl4j_class}"


def _check_dl4j(key, net, path):
    import jpype

    from pydl4j_transfer.dl4j_backend import Dl4jModel

    reject = R.DL4J_REJECTS.get(key)
    if reject is not None:
        message, compare_without_updater, why = reject
        with pytest.raises((Dl4jBackendError, jpype.JException), match=message):
            Dl4jModel.restore(path).updaterState()
        if not compare_without_updater:
            pytest.xfail(f"real DL4J M2.1 refuses this zip (DL4J bug, still failing as recorded): {why}")
        model = Dl4jModel.restore(path, loadUpdater=False)
    else:
        model = Dl4jModel.restore(path)

    ours = net.params()
    theirs = model.params()
    expected_dtype = R.DTYPES.get(key)
    if expected_dtype is not None:
        assert ours.dtype == expected_dtype, f"our params are {ours.dtype}, the recipe asks for {np.dtype(expected_dtype)}"
    why = same_array(ours, theirs)
    assert why is None, f"params restored by DL4J: {why}"

    dl4j_text = model.configurationJson()
    _check_json(key, net.toJson(), dl4j_text)
    _check_wrappers(key, dl4j_text)

    if reject is not None:
        pytest.xfail(f"params and JSON match; DL4J cannot create the updater (DL4J bug): {reject[2]}")
    state = model.updaterState()
    n = net.updaterStateSize()
    if n == 0:
        assert state is None or state.size == 0, f"DL4J has an updater state of {state.size} values, we computed 0"
    else:
        assert state is not None, f"DL4J restored no updater state; ours has {n} values"
        assert state.size == n, f"DL4J's updater state has {state.size} values, our updaterStateSize() is {n}"
        why = same_array(net.getUpdaterState(), state)
        assert why is None, f"updater state restored by DL4J: {why}"


def _run(key, conf, tmp_path):
    net, path = _write(key, conf, tmp_path)
    _check_own_round_trip(net, path)
    _check_dl4j(key, net, path)


@pytest.mark.dl4j
@pytest.mark.parametrize("key", sorted(CLASSES))
def test_class_parity(key, tmp_path):
    if key in R.EXCLUDED:
        pytest.skip(f"EXCLUDED: {R.EXCLUDED[key]}")
    if key not in R.RECIPES:
        pytest.fail(f"{key} ({CLASSES[key][1].dl4jClass}) is registered but has no recipe in tests/nn/nn_recipes.py: "
                    "add a small network holding it, or an EXCLUDED row with the reason")
    _run(key, R.RECIPES[key](), tmp_path)


@pytest.mark.dl4j
@pytest.mark.parametrize("key", SCENARIO_IDS)
def test_scenario_parity(key, tmp_path):
    conf = R.SCENARIOS[key]()
    if key in R.BLOCK_COUNTS:
        blocks = network_for(conf.clone()).init().updaterBlocks()
        assert len(blocks) == R.BLOCK_COUNTS[key], [(type(b.updater).__name__, b.params) for b in blocks]
    _run(key, conf, tmp_path)


def test_zero_param_networks_write_no_arrays(tmp_path):
    """A network without parameters: empty coefficients.bin (+ noParams.marker), no updaterState.bin."""
    for key in ("zero_params/mln", "zero_params/graph"):
        net, path = _write(key, R.SCENARIOS[key](), tmp_path)
        assert net.numParams() == 0 and net.updaterStateSize() == 0
        with zipfile.ZipFile(path) as zf:
            assert zf.getinfo("coefficients.bin").file_size == 0
            assert "updaterState.bin" not in zf.namelist()
        _check_own_round_trip(net, path)


@pytest.mark.dl4j
def test_dl4j_rejects_its_own_ramp_schedule_json():
    """Pins the DL4J bug behind DL4J_REJECTS['schedule/RampSchedule']: DL4J's own toJson() output fails too."""
    from pathlib import Path

    from pydl4j_transfer.dl4j_backend import Dl4jModel

    text = (Path(__file__).resolve().parents[1] / "conf" / "data" / "dl4j_cases" / "mln_values.json").read_text("utf-8")
    assert "org.nd4j.linalg.schedule.RampSchedule" in text
    with pytest.raises(Dl4jBackendError, match="RampSchedule"):
        Dl4jModel.fromJson(text)


@pytest.mark.dl4j
def test_dl4j_cannot_create_an_adabelief_updater_itself():
    """Pins the DL4J bug behind DL4J_REJECTS['updater/AdaBelief']: no zip of ours involved."""
    from pydl4j_transfer.dl4j_backend import Dl4jModel

    import jpype

    model = Dl4jModel.fromJson(R.RECIPES["updater/AdaBelief"]().toJson())
    with pytest.raises(jpype.JException, match="Index 1 out of bounds for length 1"):
        model.updaterState()
    with pytest.raises(Dl4jBackendError, match="ArrayIndexOutOfBounds"):
        model.fit(np.ones((2, 4), np.float32), np.eye(3, dtype=np.float32)[:2])

