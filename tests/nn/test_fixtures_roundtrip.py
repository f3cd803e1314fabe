"""Zips written by real DL4J: read by us, written back, restored by the pinned DL4J (1.0.0-M2.1).

Cases, discovered at collection time:

* every case folder ``compat_fixtures/<dl4j version>/<case>/`` (its ``model.zip``; written by the Java
  generator in ``java/``);
* the model zips of ``../shared/dl4j-legacy`` written by DL4J 0.5.0 .. 1.0.0-beta6 (``LEGACY_EXPECTED``
  below; the tests skip, saying so, only where that folder is missing).

For each: ``pydl4j_transfer.load`` reads it; the configuration matches the zip's ``configuration.json``
(M2.1 fixtures: equal once parsed; legacy JSON is upgraded on read, so layer types / nIn / nOut and the
parameter count are checked against the legacy READMEs instead); params and updater state equal the zip's
arrays bit for bit (``zipio.read_model_zip``); ``ModelSerializer.writeModel`` + our reader give back the
same JSON text, params and state; and (``dl4j``) real DL4J restores our rewritten zip with the original
params and state, and reads the same configuration from it as from the original.

Also the bad inputs at the network level, and that reading a zip imports neither torch nor JPype.
"""

from __future__ import annotations

import json
import re
import os
import subprocess
import sys
import textwrap
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

import pydl4j_transfer
from pydl4j_transfer.errors import MalformedConfigError, ParamLengthMismatchError
from pydl4j_transfer.nn import ComputationGraph, ModelSerializer, MultiLayerNetwork
from pydl4j_transfer.zipio import RawModelZip, read_model_zip, write_model_zip

from . import nn_recipes as R
from ..json_diff import canonical, format_diffs, jdiff
from .nn_parity import FIXTURE_TEXT_IDENTITY, network_for, same_array, state_values

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "compat_fixtures"
LEGACY = Path(os.environ.get("PYDL4J_TRANSFER_LEGACY_DIR", REPO.parent / "shared" / "dl4j-legacy"))
M21 = "1.0.0-M2.1"

# ------------------------------------------------------------------------------------------------
# what the legacy READMEs say (KonduitAI/dl4j-test-resources regression_testing/<ver>/*_readme.md,
# 100a/upsampling/code.md; DL4J's RegressionTest050..080 assert the same): per layer (type, nIn, nOut),
# None = not checked (no nIn/nOut); the parameter count; the updater state size (None: no state saved).

_MLP = [("DenseLayer", 3, 4), ("OutputLayer", 4, 5)]  # 3*4+4 + 4*5+5 = 41
_CNN = [("ConvolutionLayer", 3, 3), ("SubsamplingLayer", None, None), ("OutputLayer", 26 * 26 * 3, 5)]  # 39 + 10145
_LSTM = [("GravesLSTM", 3, 4), ("GravesBidirectionalLSTM", 4, 4), ("RnnOutputLayer", 4, 5)]  # 140 + 312 + 25
_CG_LSTM = {"0": ("GravesLSTM", 3, 4), "1": ("GravesBidirectionalLSTM", 4, 4), "2": ("RnnOutputLayer", 4, 5)}
# 100b6 readme (code also used for 100b4; "Created with: DL4J 1.0.0-beta4"). DL4J's Convolution2D.Builder and
# Pooling2D.Builder are their parents' builders, so the zips hold ConvolutionLayer / SubsamplingLayer.
_SYN_CNN = [("ConvolutionLayer", 1, 4), ("SeparableConvolution2D", 4, 8), ("SubsamplingLayer", None, None),
            ("ZeroPaddingLayer", None, None), ("Upsampling2D", None, None), ("DepthwiseConvolution2D", 8, 16),
            ("SubsamplingLayer", None, None), ("Cropping2D", None, None), ("ConvolutionLayer", 16, 4),
            ("CnnLossLayer", None, None)]
_SYN_RNN = {"rnn1": ("Bidirectional(LSTM)", 10, 16), "rnn2": ("Bidirectional(SimpleRnn)", 10, 16),
            "concat": ("MergeVertex", None, None), "pooling": ("GlobalPoolingLayer", None, None),
            "out": ("OutputLayer", 64, 3)}
_UPSAMPLING = [("ConvolutionLayer", 1, 5), ("Upsampling2D", None, None), ("ConvolutionLayer", 5, 3),
               ("OutputLayer", 56 * 56 * 3, 10)]  # 25 + 63 + 94090

LEGACY_EXPECTED = {}
for _v in ("050", "060", "071", "080"):
    for _name, (_layers, _n) in {"MLP_1": (_MLP, 41), "MLP_2": (_MLP, 41), "CNN_1": (_CNN, 10184),
                                  "LSTM_1": (_LSTM, 477), "CG_LSTM_1": (_CG_LSTM, 477)}.items():
        if _v == "050" and "LSTM" in _name:
            continue  # 0.5.0 has no LSTM files
        # params were set to 1..N and the state to 1..S (Nesterovs / RmsProp: S = N) before saving
        LEGACY_EXPECTED[f"{_v}/{_v}_ModelSerializer_Regression_{_name}.zip"] = dict(layers=_layers, n=_n, state=_n,
                                                                                    linspace=True)
LEGACY_EXPECTED["100a/upsampling/net.bin"] = dict(layers=_UPSAMPLING, n=94178, state=None)  # default Sgd: no state
for _v in ("100b4", "100b6"):
    LEGACY_EXPECTED[f"{_v}/SyntheticCNN_{_v}.bin"] = dict(layers=_SYN_CNN, n=1304, state=2608)  # Adam: 2 x N
    LEGACY_EXPECTED[f"{_v}/SyntheticBidirectionalRNNGraph_{_v}.bin"] = dict(layers=_SYN_RNN, n=4515, state=9030)


def _legacy_model_files() -> list:
    """The legacy model zips present on disk (data arrays and non-model folders left out)."""
    found = []
    for pattern in ("0*/*.zip", "100a/upsampling/net.bin", "100b*/Synthetic*_100b?.bin"):
        for p in sorted(LEGACY.glob(pattern)):
            if "_Input_" not in p.name and "_Output_" not in p.name:
                found.append(p.relative_to(LEGACY).as_posix())
    return found


# ------------------------------------------------------------------------------------------------
# the cases


@dataclass
class Case:
    id: str
    path: Path
    kind: str  # "m21": an M2.1 fixture; "fixture": another version's fixture; "legacy"
    manifest: dict = field(default_factory=dict)
    expected: dict = field(default_factory=dict)


def _fixture_cases() -> list:
    cases = []
    # compat_fixtures/keras/ holds Keras files (tests/keras), not DL4J version folders; user-samediff/ holds version
    # folders one level down (tests/torch_backend/test_samediff_user.py)
    for folder in sorted(p for p in FIXTURES.glob("*/*") if p.parent.name != "keras" and (p / "model.zip").is_file()):
        manifest = {}
        if (folder / "manifest.json").is_file():
            manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        version = manifest.get("dl4j_version", folder.parent.name)
        kind = "m21" if version == M21 else "fixture"
        cases.append(Case(f"fixture/{folder.parent.name}/{folder.name}", folder / "model.zip", kind, manifest))
    return cases


def _legacy_cases() -> list:
    return [Case(f"legacy/{rel}", LEGACY / rel, "legacy", expected=exp) for rel, exp in LEGACY_EXPECTED.items()]


CASES = _fixture_cases() + _legacy_cases()
CASE_IDS = [c.id for c in CASES]


@pytest.fixture(params=CASES, ids=CASE_IDS)
def case(request):
    c = request.param
    if c.kind == "legacy" and not LEGACY.is_dir():
        pytest.skip(f"legacy DL4J files not found at {LEGACY} (set PYDL4J_TRANSFER_LEGACY_DIR); CI always has them")
    assert c.path.is_file(), f"{c.id}: {c.path} is missing" + (
        " (a fixture case folder must hold model.zip)" if c.kind != "legacy" else "")
    return c


def test_fixtures_were_found():
    assert [c for c in CASES if c.kind == "m21"], f"no M2.1 fixture case under {FIXTURES}"


def test_every_legacy_model_has_expectations():
    if not LEGACY.is_dir():
        pytest.skip(f"legacy DL4J files not found at {LEGACY}")
    unknown = sorted(set(_legacy_model_files()) - set(LEGACY_EXPECTED))
    assert not unknown, f"legacy model files without a LEGACY_EXPECTED row: {unknown}"


# ------------------------------------------------------------------------------------------------
# helpers


def _layer_summary(layer) -> tuple:
    name = type(layer).__name__
    if name == "Bidirectional":
        return f"Bidirectional({type(layer.fwd).__name__})", layer.fwd.nIn, layer.fwd.nOut
    return name, getattr(layer, "nIn", None), getattr(layer, "nOut", None)


def _summaries(net) -> "list | dict":
    conf = net.getConfiguration()
    if isinstance(net, MultiLayerNetwork):
        return [_layer_summary(c.layer) for c in conf.confs]
    out = {}
    for name, vertex in conf.vertices.items():
        layer = getattr(vertex, "layer", None)
        out[name] = _layer_summary(layer) if layer is not None else (type(vertex).__name__, None, None)
    return out


def _matches(actual, expected) -> bool:
    return actual[0] == expected[0] and all(e is None or a == e for a, e in zip(actual[1:], expected[1:]))


def _json_structure(tree) -> "list | dict":
    """(layer "@class" short name, nIn, nOut) per layer / vertex of a configuration JSON tree."""
    def layer_of(node):
        layer = node.get("layer") if isinstance(node, dict) else None
        if not isinstance(layer, dict):
            return None
        return (str(layer.get("@class", "?")).rsplit(".", 1)[-1], layer.get("nin", layer.get("nIn")),
                layer.get("nout", layer.get("nOut")))

    if isinstance(tree.get("confs"), list):
        return [layer_of(c) for c in tree["confs"]]
    return {name: (layer_of(v.get("layerConf")) or (str(v.get("@class", "?")).rsplit(".", 1)[-1], None, None))
            for name, v in tree.get("vertices", {}).items()}


# What DL4J 1.0.0-M2.1 writes differently from the older release that wrote a fixture. Each row:
# (regex over the JSON path, why). Keys the older release did not write at all are new in later
# releases (M2.1 writes their defaults) and are accepted by _version_change as "<absent>" there.
VERSION_CHANGES = [
    (r"/layer/nout$|/layerConf/layer/nout$",
     "Bidirectional's nout is a computed, read-only property: M2.1 reports 2*nOut for CONCAT, older releases nOut"),
    (r"/boundingBoxes/(dataBuffer|shapeField|strideField|offsetField|rankField|numElements|orderingField|"
     r"dataType|shape|data)$",
     "INDArray JSON: <= beta6 wrote the array's fields, later releases {dataType, shape, data}; the values are "
     "compared after decoding (test_rewrite_round_trip / test_dl4j_restores_rewrite)"),
]


def _version_change(diff) -> bool:
    path, ours, theirs = diff
    if theirs == "<absent>":
        return True  # a key added after the fixture's release (M2.1 writes its default)
    return any(re.search(rx, path) for rx, _ in VERSION_CHANGES)


def _rewrite(net, tmp_path) -> Path:
    out = tmp_path / "rewritten.zip"
    ModelSerializer.writeModel(net, out, True)
    return out


# ------------------------------------------------------------------------------------------------
# reading


def test_read(case):
    raw = read_model_zip(case.path)
    net = pydl4j_transfer.load(case.path)
    assert isinstance(net, (MultiLayerNetwork, ComputationGraph))

    why = same_array(raw.params, net.params() if raw.params is not None else None)
    assert why is None, f"params: {why}"
    why = same_array(raw.updater_state, net.getUpdaterState())
    assert why is None, f"updater state: {why}"

    if case.kind == "m21":
        FIXTURE_TEXT_IDENTITY[case.id] = net.toJson() == raw.configuration_json
        diffs = jdiff(canonical(net.toJson()), canonical(raw.configuration_json))
        assert not diffs, f"toJson() differs from the zip's configuration.json:\n{format_diffs(diffs)}"
    elif case.kind == "fixture":
        tree = canonical(raw.configuration_json)
        if "@class" in raw.configuration_json:  # 1.0.0-beta and later
            # Every key the older DL4J wrote is read and written back with its value; what differs is
            # only what 1.0.0-M2.1 writes on top (new keys) or computes differently (VERSION_CHANGES).
            diffs = [d for d in jdiff(canonical(net.toJson()), tree) if not _version_change(d)]
            assert not diffs, f"toJson() differs from the {case.id} zip beyond version changes:\n{format_diffs(diffs)}"
    else:
        summary, expected = _summaries(net), case.expected["layers"]
        if isinstance(expected, dict):
            assert list(summary) == list(expected) or set(summary) == set(expected), summary
            bad = {k: summary.get(k) for k, e in expected.items() if k not in summary or not _matches(summary[k], e)}
        else:
            assert len(summary) == len(expected), summary
            bad = {i: s for i, (s, e) in enumerate(zip(summary, expected)) if not _matches(s, e)}
        assert not bad, f"layers differ from the legacy README: {bad}; expected {expected}"
        assert net.numParams() == case.expected["n"]
        state = net.getUpdaterState()
        assert (None if state is None else state.size) == case.expected["state"]
        if case.expected.get("linspace"):
            n, s = case.expected["n"], case.expected["state"]
            np.testing.assert_array_equal(net.params(), np.arange(1, n + 1, dtype=np.float32))
            assert net.params().dtype == np.float32 and state.dtype == np.float32
            np.testing.assert_array_equal(state, np.arange(1, s + 1, dtype=np.float32))

    expected_n = case.manifest.get("num_params")
    if expected_n is not None and case.kind != "legacy" and _left_out_by_dl4j(net):
        # DL4J M2.1's ComputationGraph#numParams() sums its layers only, leaving a SameDiff vertex's (AttentionVertex)
        # params out although they are in params()/coefficients.bin; ours counts them (docs/deviations.md); it is
        # numParams(true) too, which leaves a VariationalAutoencoder's pretrain params out
        assert expected_n == net.numParams() - _left_out_by_dl4j(net)
        assert net.numParams() == int(np.prod(case.manifest["coefficients_shape"]))
    elif expected_n is not None:
        assert net.numParams() == expected_n, f"manifest num_params {expected_n}, read {net.numParams()}"
    if raw.updater_state is not None and not (case.kind == "legacy" and case.expected.get("state") is None):
        assert raw.updater_state.size == net.updaterStateSize(), "updater state length vs updaterStateSize()"


def _left_out_by_dl4j(net) -> int:
    """The params of a graph that DL4J M2.1's ComputationGraph#numParams() (numParams(true)) does not count."""
    return _samediff_vertex_params(net) + _graph_pretrain_params(net)


def _graph_pretrain_params(net) -> int:
    conf = net.getConfiguration()
    total = 0
    for v in getattr(conf, "vertices", {}).values():
        layer = getattr(v, "layer", None)
        if layer is not None and hasattr(layer, "isPretrainParam"):
            total += sum(int(np.prod(s)) for k, s in layer.paramShapes().items() if layer.isPretrainParam(k))
    return total


def _samediff_vertex_params(net) -> int:
    conf = net.getConfiguration()
    return sum(v.numParams() for v in getattr(conf, "vertices", {}).values() if hasattr(v, "getVertexParams"))


def test_rewrite_round_trip(case, tmp_path):
    raw = read_model_zip(case.path)
    net = pydl4j_transfer.load(case.path)
    out = _rewrite(net, tmp_path)

    back = pydl4j_transfer.load(out)
    assert type(back) is type(net)
    assert back.toJson() == net.toJson()
    assert same_array(raw.params, back.params() if raw.params is not None else None) is None
    assert same_array(raw.updater_state, back.getUpdaterState()) is None

    raw2 = read_model_zip(out)
    assert raw2.configuration_json == net.toJson()
    assert same_array(raw.params, raw2.params) is None
    assert same_array(raw.updater_state, raw2.updater_state) is None
    assert raw2.normalizer == raw.normalizer, "normalizer.bin is not written back byte for byte"
    assert raw2.extra_entries == raw.extra_entries, "unknown zip entries are not written back unchanged"


@pytest.mark.dl4j
def test_dl4j_restores_rewrite(case, tmp_path):
    """The pinned DL4J restores our rewrite: same params / state as the original, same configuration as it reads
    from the original (for legacy files: our JSON upgrade means to DL4J what the legacy JSON means)."""
    from pydl4j_transfer.dl4j_backend import Dl4jModel

    raw = read_model_zip(case.path)
    out = _rewrite(pydl4j_transfer.load(case.path), tmp_path)
    theirs = Dl4jModel.restore(out)
    why = same_array(raw.params, theirs.params() if raw.params is not None else None)
    assert why is None, f"params restored by DL4J from our rewrite: {why}"
    state = theirs.updaterState()
    if raw.updater_state is None:
        assert state is None or state.size == 0, f"DL4J has an updater state of {state.size} values; the zip had none"
    else:
        why = same_array(raw.updater_state, state)
        assert why is None, f"updater state restored by DL4J from our rewrite: {why}"

    original = Dl4jModel.restore(case.path)
    diffs = jdiff(canonical(theirs.configurationJson()), canonical(original.configurationJson()))
    assert not diffs, ("DL4J reads a different configuration from our rewrite than from the original "
                       f"(rewrite vs original):\n{format_diffs(diffs)}")


# ------------------------------------------------------------------------------------------------
# bad inputs at the network level


def _small_zip(tmp_path, key="updaters/per_layer") -> tuple:
    """A network of ours with a non-trivial state, written; returns (net, raw, path)."""
    net = network_for(R.SCENARIOS[key]()).init()
    if net.updaterStateSize():
        net.setUpdaterState(state_values(net.updaterStateSize(), net.params().dtype))
    path = tmp_path / f"{key.replace('/', '_')}.zip"
    ModelSerializer.writeModel(net, path, True)
    return net, read_model_zip(path), path


@pytest.mark.parametrize("delta", [-1, 1, -10])
def test_coefficients_of_the_wrong_length(tmp_path, delta):
    _, raw, _ = _small_zip(tmp_path)
    params = raw.params[:delta] if delta < 0 else np.concatenate([raw.params, raw.params[:delta]])
    bad = tmp_path / "bad.zip"
    write_model_zip(bad, RawModelZip(raw.configuration_json, params, raw.updater_state))
    for restore in (ModelSerializer.restoreMultiLayerNetwork, pydl4j_transfer.load):
        with pytest.raises(ParamLengthMismatchError, match="coefficients.bin") as info:
            restore(bad)
        assert info.value.entry == "coefficients.bin"


def test_no_coefficients_for_a_network_with_params(tmp_path):
    _, raw, _ = _small_zip(tmp_path)
    bad = tmp_path / "bad.zip"
    write_model_zip(bad, RawModelZip(raw.configuration_json, None, None))
    with pytest.raises(ParamLengthMismatchError, match="coefficients.bin"):
        pydl4j_transfer.load(bad)


@pytest.mark.parametrize("delta", [-1, 1])
def test_updater_state_of_the_wrong_length(tmp_path, delta):
    _, raw, _ = _small_zip(tmp_path)
    state = raw.updater_state[:delta] if delta < 0 else np.concatenate([raw.updater_state, raw.updater_state[:1]])
    bad = tmp_path / "bad.zip"
    write_model_zip(bad, RawModelZip(raw.configuration_json, raw.params, state))
    with pytest.raises(ParamLengthMismatchError, match="updaterState.bin") as info:
        pydl4j_transfer.load(bad)
    assert info.value.entry == "updaterState.bin"
    net = pydl4j_transfer.load(bad, loadUpdater=False)  # as in DL4J, skipping the updater skips the check
    assert net.getUpdaterState() is None


def test_updater_state_for_a_network_without_one(tmp_path):
    """All-Sgd network + an updaterState.bin: DL4J throws IllegalStateException; we name the entry."""
    _, raw, _ = _small_zip(tmp_path, "updaters/all_sgd_no_state")
    assert raw.updater_state is None
    bad = tmp_path / "bad.zip"
    write_model_zip(bad, RawModelZip(raw.configuration_json, raw.params, np.ones(5, raw.params.dtype)))
    with pytest.raises(ParamLengthMismatchError, match="updaterState.bin"):
        pydl4j_transfer.load(bad)


@pytest.mark.parametrize("text", ['{"name": "not a network", "layers": []}', "[1, 2, 3]", '"configuration"', "42",
                                  "null", '{"confs": {"0": {}}}', '{"vertices": []}'])
def test_valid_json_that_is_not_a_dl4j_configuration(tmp_path, text):
    json.loads(text)
    _, raw, _ = _small_zip(tmp_path)
    bad = tmp_path / "bad.zip"
    write_model_zip(bad, RawModelZip(text, raw.params, None))
    for restore in (pydl4j_transfer.load, ModelSerializer.restoreMultiLayerNetwork,
                    ModelSerializer.restoreComputationGraph):
        with pytest.raises(MalformedConfigError):
            restore(bad)


def test_restore_the_wrong_network_kind(tmp_path):
    _, _, graph_zip = _small_zip(tmp_path, "frozen/graph")
    with pytest.raises(MalformedConfigError, match="restoreComputationGraph") as info:
        ModelSerializer.restoreMultiLayerNetwork(graph_zip)
    assert info.value.entry == "configuration.json"
    assert isinstance(ModelSerializer.restoreComputationGraph(graph_zip), ComputationGraph)

    _, _, mln_zip = _small_zip(tmp_path)
    with pytest.raises(MalformedConfigError, match="restoreMultiLayerNetwork"):
        ModelSerializer.restoreComputationGraph(mln_zip)


def test_reading_needs_neither_torch_nor_java(tmp_path):
    fixtures = [c for c in CASES if c.kind != "legacy" and c.path.is_file()]
    if fixtures:
        path = fixtures[0].path
    else:  # pragma: no cover - the fixture folder is part of the repository
        _, _, path = _small_zip(tmp_path)
    expected = pydl4j_transfer.load(path).numParams()
    code = textwrap.dedent(f"""
        import sys
        sys.modules["torch"] = None
        sys.modules["jpype"] = None
        import pydl4j_transfer
        net = pydl4j_transfer.load({str(path)!r})
        assert "torch" not in sys.modules or sys.modules["torch"] is None
        assert "jpype" not in sys.modules or sys.modules["jpype"] is None
        print(net.numParams())
    """)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip() == str(expected)


def test_zip_written_by_us_is_a_plain_zip(tmp_path):
    """What DL4J's ZipFile needs: configuration.json and coefficients.bin first, no directory entries."""
    _, _, path = _small_zip(tmp_path)
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        assert zf.testzip() is None
    assert names[:2] == ["configuration.json", "coefficients.bin"] and not any(n.endswith("/") for n in names)
