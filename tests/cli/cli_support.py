"""Helpers shared by the command-line tests (a module of its own: several test folders have a
conftest.py, so importing names from "conftest" depends on collection order)."""

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
M21 = REPO / "compat_fixtures" / "1.0.0-M2.1"
CASES = sorted(p.name for p in M21.iterdir() if p.is_dir())


def run_cli(*argv, pre: str = "", env=None):
    """Run ``python -m pydl4j_transfer ARGV`` in a fresh interpreter (``pre``: code run before main)."""
    code = f"import sys\n{pre}\nfrom pydl4j_transfer import cli\nsys.exit(cli.main({list(map(str, argv))!r}))"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO,
                          env={**os.environ, "PYTHONPATH": str(REPO), **(env or {})})
