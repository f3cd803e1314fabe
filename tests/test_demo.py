"""`make demo`'s main job (examples/demo.py), run as a user would, into a temporary folder."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "examples" / "demo.py"

pytest.importorskip("sklearn", reason="the demo's digits come with scikit-learn (pip install '.[demo]')")


@pytest.mark.dl4j
@pytest.mark.slow
def test_demo_end_to_end(tmp_path):
    from pydl4j_transfer.dl4j_backend import start_jvm

    try:
        start_jvm()  # the demo's parity step needs the Java side (make java)
    except Exception as e:  # noqa: BLE001
        if os.environ.get("PYDL4J_TRANSFER_REQUIRE_JVM") == "1":
            raise
        pytest.skip(f"JVM side not available: {e}")

    out = tmp_path / "out"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    proc = subprocess.run([sys.executable, str(DEMO), "--out", str(out)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log

    acc = re.search(r"accuracy on held-out digits 5-9: ([0-9.]+)%", proc.stdout)
    assert acc, log
    assert float(acc.group(1)) >= 95.0, log
    assert "Evaluation Metrics" in proc.stdout and "Confusion Matrix" in proc.stdout

    parity = re.search(r"real DL4J \S+ restored .*output difference .*= ([0-9.eE+-]+) ", proc.stdout)
    assert parity, log
    assert float(parity.group(1)) <= 1e-5, log

    final_zip = out / "digits5-9_transfer.zip"
    png = out / "training_score.png"
    assert (out / "digits0-4_cnn.zip").is_file() and final_zip.is_file(), log
    assert png.is_file() and png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    import pydl4j_transfer

    net = pydl4j_transfer.load(final_zip)
    assert net.getLayerWiseConfigurations().layers[-1].nOut == 5


def test_numpy_png_writer(tmp_path):
    """The fallback PNG writer (no matplotlib) writes a valid PNG."""
    import zlib

    from pydl4j_transfer import demo

    path = tmp_path / "plot.png"
    demo._plot_numpy(path, [("a", [3.0, 2.0, 1.0, 0.5], (255, 0, 0)), ("b", [1.0, 0.2], (0, 0, 255))])
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    idat_len = int.from_bytes(data[33:37], "big")
    raw = zlib.decompress(data[41:41 + idat_len])
    assert len(raw) == 400 * (1 + 640 * 3)
