"""setup.py's build step: a wheel built from a clone needs java/target (made by `make java`), and says so."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _source_copy(dest: Path) -> Path:
    """What `python -m build` reads from a clone (no java/target, no tests)."""
    dest.mkdir()
    for name in ("setup.py", "pyproject.toml", "README.md", "LICENSE", "MANIFEST.in", "CHANGELOG.md"):
        shutil.copy2(REPO / name, dest / name)
    shutil.copytree(REPO / "pydl4j_transfer", dest / "pydl4j_transfer",
                    ignore=shutil.ignore_patterns("__pycache__", "*.jar", "dl4j-jars.json"))
    (dest / "java").mkdir()
    shutil.copy2(REPO / "java" / "pom.xml", dest / "java" / "pom.xml")
    shutil.copytree(REPO / "java" / "src", dest / "java" / "src")
    return dest


def _build_wheel(src: Path, out: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "build", "--no-isolation", "--wheel", "--outdir", str(out), str(src)],
                          capture_output=True, text=True, timeout=300, cwd=out)


@pytest.mark.slow
def test_wheel_without_java_target_fails_naming_make_java(tmp_path):
    src = _source_copy(tmp_path / "src")
    r = _build_wheel(src, tmp_path)
    assert r.returncode != 0
    assert "java/target/pydl4j-transfer-java.jar" in r.stdout + r.stderr and "make java" in r.stdout + r.stderr
    assert not list(tmp_path.glob("*.whl"))


@pytest.mark.slow
def test_wheel_from_a_stale_java_target_fails(tmp_path):
    src = _source_copy(tmp_path / "src")
    target = src / "java" / "target"
    target.mkdir()
    for name in ("pydl4j-transfer-java.jar", "dependencies.txt"):
        shutil.copy2(REPO / "java" / "target" / name, target / name)
        os.utime(target / name, (1_000_000_000, 1_000_000_000))   # built in 2001: older than every source
    r = _build_wheel(src, tmp_path)
    assert r.returncode != 0 and "is older than" in r.stdout + r.stderr, r.stdout[-2000:] + r.stderr[-2000:]
