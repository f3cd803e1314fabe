"""Runs the ports of DL4J's VGG16 transfer-learning examples (examples/transfer_*.py) end to end, offline.

Each script runs in a subprocess on a randomly initialised 32x32 VGG16 and synthetic images (its defaults), into
one temporary folder, in the order the Java examples need: the bottleneck model is saved before the fine-tune
restores it, the featurized data is saved before the fit reads it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"

# script, key output lines, files it must leave in --out
STEPS = [
    ("transfer_edit_last_layer.py",
     ["Eval stats BEFORE fit.....", "Evaluate model at iter 0", "Epoch #0 complete", "final test accuracy:",
      "Model build complete"], []),
    ("transfer_edit_at_bottleneck.py",
     ["newpredictions (OutputLayer)", "fc3 (DenseLayer)", "Epoch #0 complete", "Model build complete",
      "Model saved:"], ["MyComputationGraph.zip"]),
    ("transfer_finetune_from_block4.py",
     ["Restoring saved model", "Epoch #0 complete", "Model saved:"], ["MyComputationGraphFineTune.zip"]),
    ("transfer_featurized_presave.py",
     ["Saved train dataset #0 (16, 4096)", "Saved test dataset #0", "Finished pre saving featurized test and train data"],
     ["trainFolder/flowers-fc2-train-0.bin", "testFolder/flowers-fc2-test-0.bin"]),
    ("transfer_fit_from_featurized.py",
     ["featurized data: 80 train / 20 test examples", "Eval stats BEFORE fit.....", "Epoch #2 complete",
      "final test accuracy:", "Model build complete"], []),
]


def _run(script, out):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    return subprocess.run([sys.executable, str(EXAMPLES / script), "--out", str(out)], cwd=out, env=env,
                          capture_output=True, text=True, timeout=300)


def test_transfer_examples_in_order(tmp_path):
    for script, lines, files in STEPS:
        r = _run(script, tmp_path)
        assert r.returncode == 0, f"{script} exited {r.returncode}\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}"
        for line in lines:
            assert line in r.stdout, f"{script}: {line!r} not in its output\n{r.stdout[-3000:]}"
        for f in files:
            assert (tmp_path / f).is_file(), f"{script} did not write {f}"


def test_fit_from_featurized_runs_presave_when_missing(tmp_path):
    r = _run("transfer_fit_from_featurized.py", tmp_path)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    assert "FEATURIZED DATA NOT FOUND" in r.stdout
    assert "Finished pre saving featurized test and train data" in r.stdout
    assert "Epoch #2 complete" in r.stdout


def test_finetune_builds_bottleneck_model_when_missing(tmp_path):
    r = _run("transfer_finetune_from_block4.py", tmp_path)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    assert "not found" in r.stdout and "Model saved:" in r.stdout
    assert (tmp_path / "MyComputationGraphFineTune.zip").is_file()
