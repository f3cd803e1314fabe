"""The torch backend on CUDA: every DL4J 1.0.0-M2.1 fixture built on the GPU reproduces DL4J's stored output,
and parameters round-trip bit-exactly through the device. Skipped without CUDA (run via the device tool)."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from .test_fixtures import FIXTURES, TOLERANCE, _conf, _unscramble_nwc, _uses_nwc

from pydl4j_transfer.conf import ComputationGraphConfiguration
from pydl4j_transfer.torch_backend import build_module, flatten_params, load_flat_params
from pydl4j_transfer.zipio import read_model_zip

pytestmark = pytest.mark.gpu

CASES = sorted(p.parent for p in (FIXTURES / "1.0.0-M2.1").glob("*/manifest.json")) if FIXTURES.is_dir() else []


@pytest.fixture(autouse=True)
def _exact_cuda_math():
    # TF32 would round matmul/conv inputs to 10 mantissa bits: DL4J computes in full float32
    old = torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    yield
    torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32 = old


@pytest.mark.parametrize("case_dir", CASES, ids=[c.name for c in CASES])
def test_fixture_on_cuda(case_dir):
    manifest = json.loads((case_dir / "manifest.json").read_text())
    raw = read_model_zip(case_dir / "model.zip", load_updater=False)
    conf = _conf(raw.configuration_json)
    module = build_module(conf, raw.params, device="cuda")
    flat = flatten_params(module)
    expected = np.zeros(0, np.float32) if raw.params is None else np.asarray(raw.params).reshape(-1)
    assert flat.numel() == 0 or flat.device.type == "cuda"
    np.testing.assert_array_equal(flat.cpu().numpy(), expected.astype(flat.cpu().numpy().dtype))
    load_flat_params(module, torch.from_numpy(expected))
    inputs = [torch.from_numpy(np.load(case_dir / n)).cuda() for n in manifest["inputs"]]
    outputs = [np.load(case_dir / n) for n in manifest["outputs"]]
    with torch.no_grad():
        got = module(*inputs) if isinstance(conf, ComputationGraphConfiguration) else (module(inputs[0]),)
    tol = TOLERANCE.get(case_dir.name, (1e-5, ""))[0]
    for g, e in zip(got, outputs):
        assert g.device.type == "cuda"
        g = g.cpu().numpy().astype(np.float64)
        diff = np.abs(g - e)
        if diff.max(initial=0.0) > tol and e.ndim == 3 and _uses_nwc(raw.configuration_json):
            diff = np.abs(g - _unscramble_nwc(e))
        assert diff.max(initial=0.0) <= tol, f"{case_dir.name}: max abs diff {diff.max()} on CUDA"
