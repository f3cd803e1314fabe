"""The clean room of issue 21: the wheel, installed outside the clone, runs real DL4J after `setup-java`.

`python -m build` makes the sdist and, from it, the wheel (so the sdist is checked too); the wheel goes into a
fresh virtual environment outside the clone; `pydl4j-transfer setup-java` fills a fresh cache folder from the
local Maven repository (the one `make java` filled: offline, checksums checked the same way as against Maven
Central); then `env --require-dl4j` and `verify` on a DL4J-written fixture run from a folder that is not the clone,
with nothing of the clone on the path.

The fresh environment reuses the test environment's installed dependencies (torch, numpy, JPype...) through a
`.pth` line naming a folder of links to them, without pydl4j_transfer's own (editable) install, so nothing is
downloaded: pip installs the wheel with `--no-index` and must find every dependency already there.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import zipfile
from pathlib import Path

import pytest

import pydl4j_transfer

REPO = Path(__file__).resolve().parents[2]
FIXTURE = REPO / "compat_fixtures" / "1.0.0-M2.1" / "cg_transfer_frozen" / "model.zip"
M2 = Path(os.environ.get("M2_REPO", Path.home() / ".m2" / "repository"))

pytestmark = [pytest.mark.dl4j, pytest.mark.slow]


def _run(argv, **kw) -> subprocess.CompletedProcess:
    r = subprocess.run([str(a) for a in argv], capture_output=True, text=True, timeout=300, **kw)
    assert r.returncode == 0, f"{argv}\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}"
    return r


@pytest.fixture(scope="module")
def dist(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    _run([sys.executable, "-m", "build", "--no-isolation", "--outdir", out, REPO], cwd=out)
    return out


def test_sdist_and_wheel_carry_the_java_side_and_py_typed(dist):
    version = pydl4j_transfer.__version__
    wheel = dist / f"pydl4j_transfer-{version}-py3-none-any.whl"   # pure-Python tag
    assert wheel.is_file(), os.listdir(dist)
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        listing = json.loads(z.read("pydl4j_transfer/dl4j_backend/dl4j-jars.json"))
        facade = z.read("pydl4j_transfer/dl4j_backend/pydl4j-transfer-java.jar")
        metadata = z.read(f"pydl4j_transfer-{version}.dist-info/METADATA").decode()
    assert "pydl4j_transfer/py.typed" in names
    assert facade == (REPO / "java" / "target" / "pydl4j-transfer-java.jar").read_bytes()
    assert re.search(rf"^Version: {re.escape(version)}$", metadata, re.M)
    # the list is Maven's resolution of java/pom.xml: one entry per jar line of java/target/dependencies.txt, each
    # a jar `mvn package` copied to java/target/lib (which may also hold jars of an older pom: not on the list)
    resolved = [line for line in (REPO / "java" / "target" / "dependencies.txt").read_text().splitlines()
                if re.match(r"\s+\S+:\S+:jar:", line)]
    files = [a["file"] for a in listing["artifacts"]]
    assert len(files) == len(set(files)) == len(resolved) > 30
    assert set(files) <= {p.name for p in (REPO / "java" / "target" / "lib").glob("*.jar")}
    assert listing["dl4j_version"] == "1.0.0-M2.1" and listing["platform"] == "linux-x86_64"
    with tarfile.open(dist / f"pydl4j_transfer-{version}.tar.gz") as t:
        members = set(t.getnames())
    root = f"pydl4j_transfer-{version}"
    for name in ("pydl4j_transfer/dl4j_backend/pydl4j-transfer-java.jar", "pydl4j_transfer/dl4j_backend/dl4j-jars.json",
                 "pydl4j_transfer/py.typed", "java/pom.xml", "setup.py", "CHANGELOG.md", "LICENSE"):
        assert f"{root}/{name}" in members, name
    assert not any("/java/target/" in m or "/tests/" in m for m in members)


def _venv_reusing_installed_dependencies(where: Path) -> Path:
    """A fresh venv whose site-packages links to this environment's installed packages, minus pydl4j_transfer."""
    _run([sys.executable, "-m", "venv", "--without-pip", where / "venv"])
    deps = where / "deps"
    deps.mkdir()
    for site in dict.fromkeys([sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]]):
        for entry in Path(site).iterdir():
            if entry.name.startswith(("pydl4j_transfer", "__editable__")) or entry.suffix == ".pth":
                continue
            if not (deps / entry.name).exists():
                (deps / entry.name).symlink_to(entry)
    python = where / "venv" / ("Scripts" if os.name == "nt" else "bin") / "python"
    site = _run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"]).stdout.strip()
    Path(site, "_reused_dependencies.pth").write_text(f"{deps}\n")
    return python


def test_clean_room_install_setup_java_env_and_verify(dist, tmp_path):
    if not (M2 / "org" / "nd4j" / "nd4j-api").is_dir():
        pytest.fail(f"no local Maven repository with DL4J's jars at {M2} (run `make java`, or set M2_REPO)")
    python = _venv_reusing_installed_dependencies(tmp_path)
    elsewhere = tmp_path / "elsewhere"   # not the clone, and nothing of the clone on the path
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "PYDL4J_TRANSFER_CLASSPATH", "PYDL4J_TRANSFER_JAVA_HOME")}
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")   # the default (platformdirs-style) folder, in tmp
    wheel = next(dist.glob("*.whl"))
    with zipfile.ZipFile(wheel) as z:
        files = [a["file"] for a in json.loads(z.read("pydl4j_transfer/dl4j_backend/dl4j-jars.json"))["artifacts"]]
    _run([python, "-m", "pip", "install", "--no-index", "--no-cache-dir", "--disable-pip-version-check", "--quiet",
          f"{wheel}[dl4j]"], cwd=elsewhere, env=env)
    cli = python.parent / "pydl4j-transfer"
    where = _run([python, "-c", "import pydl4j_transfer; print(pydl4j_transfer.__file__)"], cwd=elsewhere, env=env)
    assert Path(where.stdout.strip()).is_relative_to(tmp_path / "venv")

    # before setup-java: the error names the command (and no JVM was started)
    before = subprocess.run([python, "-c", "from pydl4j_transfer import start_jvm; start_jvm()"], cwd=elsewhere,
                            env=env, capture_output=True, text=True, timeout=120)
    assert before.returncode != 0 and "JvmUnavailableError" in before.stderr
    assert "pydl4j-transfer setup-java" in before.stderr and "Maven Central" in before.stderr

    setup = _run([cli, "setup-java", "--repository", M2], cwd=elsewhere, env=env)
    folder = tmp_path / "cache" / "pydl4j-transfer" / "java" / "linux-x86_64"
    assert f"into:  {folder}" in setup.stdout and "MB" in setup.stdout and "ready:" in setup.stdout
    assert {p.name for p in folder.glob("*.jar")} == set(files)

    shown = _run([cli, "env", "--require-dl4j"], cwd=elsewhere, env=env).stdout
    lines = dict(line.split(": ", 1) for line in shown.strip().splitlines())
    assert lines["dl4j"] == "1.0.0-M2.1"
    assert lines["jars"].startswith(f"{folder} (from pydl4j-transfer setup-java's folder")
    assert Path(lines["facade jar"]).is_relative_to(tmp_path / "venv")
    assert Path(lines["package"]).is_relative_to(tmp_path / "venv")

    model = shutil.copy(FIXTURE, elsewhere / "model.zip")
    checked = _run([cli, "verify", model], cwd=elsewhere, env=env).stdout
    assert checked.strip().splitlines()[-1].startswith("OK:"), checked
