"""Every compat_fixtures case and every legacy DL4J model with stored outputs, run by the torch backend.

For each case: build_module(configuration, coefficients) in inference mode must reproduce DL4J's stored
output within 1e-5 (float32) unless TOLERANCE below gives a looser bound with its reason, and
flatten_params must give back the zip's parameter vector bit for bit. No JVM needed.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import torch

from pydl4j_transfer.conf import ComputationGraphConfiguration, MultiLayerConfiguration
from pydl4j_transfer.torch_backend import build_module, flatten_params, load_flat_params
from pydl4j_transfer.zipio import read_array, read_model_zip

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "compat_fixtures"
LEGACY = Path(__import__("os").environ.get("PYDL4J_TRANSFER_LEGACY_DIR", REPO.parent / "shared" / "dl4j-legacy"))

DEFAULT_TOL = 1e-5
#: case -> (tolerance, reason). Only where 1e-5 cannot hold, each with its reason.
TOLERANCE = {
    "dtype_half": (1e-3, "HALF network: DL4J and torch both compute in float16 but accumulate matmuls in different"
                         " orders/precisions; float16 carries ~3 significant digits (observed 4.9e-4, one float16 ulp"
                         " near 0.5; the generator's own manifest tolerance is 2e-2)"),
}

#: "<version>/<case>" -> reason the stored output (written by that OLDER DL4J) is not what DL4J 1.0.0-M2.1, and so
#: this backend, computes for the same zip. Each is an expected failure (strict); test_version_changes_match_m21
#: shows that real M2.1 restoring the same zip agrees with the torch backend instead.
VERSION_CHANGED = {
    "1.0.0-beta6/cnn1d": "Convolution1DLayer: from 1.0.0-M1 DL4J reshapes W [nOut,nIn,k,1] as [k,nIn,nOut] (no permute); "
                         "beta6/beta7 read it as a [nOut,nIn,k] kernel, so old Conv1D models compute differently in M2.1",
    "1.0.0-beta7/cnn1d": "same Convolution1DLayer weight reinterpretation as beta6/cnn1d",
    "1.0.0-beta7/conv1d_nwc": "same Convolution1DLayer weight reinterpretation as beta6/cnn1d",
}
#: "<version>/<case>" -> reason the configuration cannot be read yet (a pydl4j_transfer.conf limitation)
CONF_LIMITATION: dict = {}

#: case -> (reason, callable(dl4j_output) -> what DL4J computed). DL4J M2.1 with workspaces ENABLED (the
#: default, used by the generator) RETURNS NWC activations scrambled: the NCW result's buffer reshaped to
#: [mb, T, n] (tests/torch_backend/test_rnn_parity.py::test_nwc_workspace_bug shows DL4J itself returns
#: ours with inferenceWorkspaceMode NONE). The comparison undoes that reshape.
NWC_UNSCRAMBLE = "DL4J M2.1 workspace bug: an NWC output is returned as the NCW buffer reshaped"


def _unscramble_nwc(a):
    mb, t, n = a.shape
    return a.reshape(mb, n, t).transpose(0, 2, 1)


def _cases():
    out = []
    if FIXTURES.is_dir():
        for manifest in sorted(FIXTURES.glob("*/*/manifest.json")):
            key = f"{manifest.parent.parent.name}/{manifest.parent.name}"
            reason = VERSION_CHANGED.get(key) or CONF_LIMITATION.get(key)
            marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
            out.append(pytest.param(manifest.parent, id=key, marks=marks))
    return out


def _conf(text):
    tree = json.loads(text)
    return ComputationGraphConfiguration.fromJson(text) if "vertices" in tree else MultiLayerConfiguration.fromJson(text)


def _uses_nwc(text):
    return '"NWC"' in text


@pytest.mark.parametrize("case_dir", _cases())
def test_fixture_output_and_params(case_dir):
    if not (case_dir / "manifest.json").is_file():
        pytest.skip(f"{case_dir}: no manifest (fixture being regenerated?)")
    manifest = json.loads((case_dir / "manifest.json").read_text())
    raw = read_model_zip(case_dir / "model.zip", load_updater=False)
    conf = _conf(raw.configuration_json)
    module = build_module(conf, raw.params)

    flat = flatten_params(module).cpu().numpy()
    expected_params = np.asarray(raw.params).reshape(-1) if raw.params is not None else np.zeros(0)
    assert flat.dtype == expected_params.dtype or flat.size == 0
    np.testing.assert_array_equal(flat, expected_params.astype(flat.dtype))
    load_flat_params(module, np.zeros_like(flat))  # the reverse direction, through zeros and back
    load_flat_params(module, expected_params)
    np.testing.assert_array_equal(flatten_params(module).cpu().numpy(), flat)

    inputs = [np.load(case_dir / n) for n in manifest["inputs"]]
    outputs = [np.load(case_dir / n) for n in manifest["outputs"]]
    with torch.no_grad():
        got = module(*inputs) if isinstance(conf, ComputationGraphConfiguration) else (module(inputs[0]),)
    tol, _why = TOLERANCE.get(case_dir.name, (DEFAULT_TOL, ""))
    assert len(got) == len(outputs)
    for g, e in zip(got, outputs):
        g = g.cpu().numpy()
        if g.shape != e.shape:
            raise AssertionError(f"{case_dir.name}: output shape {g.shape}, DL4J {e.shape}")
        diff = np.abs(g.astype(np.float64) - e.astype(np.float64))
        if diff.max(initial=0.0) > tol and e.ndim == 3 and _uses_nwc(raw.configuration_json):
            diff = np.abs(g.astype(np.float64) - _unscramble_nwc(e).astype(np.float64))  # NWC_UNSCRAMBLE
        assert diff.max(initial=0.0) <= tol, f"{case_dir.name}: max abs diff {diff.max()} > {tol}"


# ---------------------------------------------------------------------------------------------- legacy

LEGACY_CASES = [
    ("100b4", "SyntheticCNN", 1e-5), ("100b6", "SyntheticCNN", 1e-5),
    ("100b4", "SyntheticBidirectionalRNNGraph", 1e-5), ("100b6", "SyntheticBidirectionalRNNGraph", 1e-5),
]


@pytest.mark.parametrize("folder,stem,tol", LEGACY_CASES, ids=[f"{a}-{b}" for a, b, _ in LEGACY_CASES])
def test_legacy_model_output(folder, stem, tol, legacy_dir):
    d = legacy_dir / folder
    raw = read_model_zip(d / f"{stem}_{folder}.bin", load_updater=False)
    conf = _conf(raw.configuration_json)
    module = build_module(conf, raw.params)
    np.testing.assert_array_equal(flatten_params(module).numpy(), np.asarray(raw.params).reshape(-1))
    x = read_array((d / f"{stem}_Input_{folder}.bin").read_bytes())
    expected = read_array((d / f"{stem}_Output_{folder}.bin").read_bytes())
    with torch.no_grad():
        got = module(x)
    got = got[0] if isinstance(got, tuple) else got
    np.testing.assert_allclose(got.numpy(), expected, atol=tol, rtol=0)


def test_legacy_upsampling_100a(legacy_dir):
    d = legacy_dir / "100a" / "upsampling"
    raw = read_model_zip(d / "net.bin", load_updater=False)
    conf = _conf(raw.configuration_json)
    module = build_module(conf, raw.params)
    np.testing.assert_array_equal(flatten_params(module).numpy(), np.asarray(raw.params).reshape(-1))
    x, expected = read_array((d / "in.bin").read_bytes()), read_array((d / "out.bin").read_bytes())
    with torch.no_grad():
        got = module(x)
    np.testing.assert_allclose(got.numpy(), expected, atol=1e-5, rtol=0)


@pytest.mark.dl4j
@pytest.mark.parametrize("key", sorted(VERSION_CHANGED))
def test_version_changes_match_m21(key):
    """Real DL4J M2.1 restoring an older zip computes what the torch backend computes, not what the old DL4J stored."""
    from pydl4j_transfer.dl4j_backend import Dl4jModel

    case_dir = FIXTURES / key
    if not (case_dir / "manifest.json").is_file():
        pytest.skip(f"{key} not generated")
    manifest = json.loads((case_dir / "manifest.json").read_text())
    raw = read_model_zip(case_dir / "model.zip", load_updater=False)
    x = np.load(case_dir / manifest["inputs"][0])
    ours = build_module(_conf(raw.configuration_json), raw.params)(x).detach().numpy()
    m21 = Dl4jModel.restore(case_dir / "model.zip").output(x)
    stored = np.load(case_dir / manifest["outputs"][0])
    if _uses_nwc(raw.configuration_json) and np.abs(m21 - ours).max() > 1e-5:
        m21 = _unscramble_nwc(m21)  # NWC_UNSCRAMBLE
    np.testing.assert_allclose(ours, m21, atol=1e-5, rtol=0)
    assert np.abs(stored - m21).max() > 1e-3
