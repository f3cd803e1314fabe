"""Shared helpers for the command-line tests."""

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
M21 = REPO / "compat_fixtures" / "1.0.0-M2.1"
CASES = sorted(p.name for p in M21.iterdir() if p.is_dir())


def run_cli(*argv, pre: str = "", env=None):
    """Run ``python -m pydl4j_transfer ARGV`` in a fresh interpreter (``pre``: code run before main)."""
    code = f"import sys\n{pre}\nfrom pydl4j_transfer import cli\nsys.exit(cli.main({list(map(str, argv))!r}))"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO,
                          env={**os.environ, "PYTHONPATH": str(REPO), **(env or {})})


@pytest.fixture
def unsupported_zip(tmp_path):
    """A fixture zip whose first layer's @class is unknown to DL4J and to us."""
    src = M21 / "mlp_dense_output" / "model.zip"
    out = tmp_path / "unsupported.zip"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "configuration.json":
                data = data.replace(b"org.deeplearning4j.nn.conf.layers.DenseLayer", b"org.example.FancyLayer", 1)
            zout.writestr(info, data)
    return out


@pytest.fixture
def not_a_zip(tmp_path):
    p = tmp_path / "model.zip"
    p.write_text("hello")
    return p
