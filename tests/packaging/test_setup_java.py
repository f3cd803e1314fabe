"""`pydl4j-transfer setup-java` against a real local Maven-layout repository made here (jar bytes + .sha1 files):
what it fetches, the checksum checks, nothing half-written, the platform swap, and the JVM's lookup order."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pydl4j_transfer.dl4j_backend import jars
from pydl4j_transfer.dl4j_backend.setup_java import INSTALLED_NAME, Repository, plan, setup_java
from pydl4j_transfer.errors import JavaSetupError

REPO = Path(__file__).resolve().parents[2]


def _artifact(group, artifact, version, classifier="", payload=b""):
    file = f"{artifact}-{version}{'-' + classifier if classifier else ''}.jar"
    return {"group": group, "artifact": artifact, "version": version, "classifier": classifier, "type": "jar",
            "file": file, "size": len(payload), "sha1": hashlib.sha1(payload).hexdigest()}, payload


def _publish(repo: Path, entry: dict, payload: bytes, sha1: str | None = None) -> Path:
    """Put a jar and its .sha1 into ``repo`` in Maven's layout (as Maven Central and ~/.m2 hold them)."""
    a = jars.Artifact(**{k: entry[k] for k in ("group", "artifact", "version", "classifier", "type", "file",
                                                "size", "sha1")})
    path = repo / a.repository_path
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(payload)
    path.with_name(path.name + ".sha1").write_text((sha1 or hashlib.sha1(payload).hexdigest()) + "\n")
    return path


@pytest.fixture
def world(tmp_path, monkeypatch):
    """A jar list of three artifacts (one native for linux-x86_64), a local repository holding them (and the
    macosx-arm64 native), and setup-java's folder under tmp_path."""
    entries = [_artifact("org.nd4j", "nd4j-api", "1.0.0-M2.1", payload=os.urandom(3000)),
               _artifact("org.nd4j", "nd4j-native", "1.0.0-M2.1", "linux-x86_64", os.urandom(5000)),
               _artifact("org.slf4j", "slf4j-api", "1.7.21", payload=b"PK\x03\x04 small")]
    repo = tmp_path / "m2"
    for e, payload in entries:
        _publish(repo, e, payload)
    mac = os.urandom(4000)
    mac_entry, _ = _artifact("org.nd4j", "nd4j-native", "1.0.0-M2.1", "macosx-arm64", mac)
    _publish(repo, mac_entry, mac)
    listing = tmp_path / "dl4j-jars.json"
    listing.write_text(json.dumps({"format": 1, "dl4j_version": "1.0.0-M2.1", "platform": "linux-x86_64",
                                   "artifacts": [e for e, _ in entries]}))
    monkeypatch.setenv(jars.ENV_JAVA_HOME, str(tmp_path / "home"))
    return {"repo": repo, "list": jars.load_jar_list(listing), "entries": entries, "home": tmp_path / "home",
            "mac": mac}


def _run(world, **kw):
    lines = []
    p = setup_java(repository=world["repo"], platform=kw.pop("platform", "linux-x86_64"), out=lines.append,
                   jar_list=world["list"], **kw)
    return p, "\n".join(lines)


def test_fetches_every_jar_verified_then_nothing_the_second_time(world):
    p, text = _run(world)
    folder = world["home"] / "linux-x86_64"
    assert p.folder == folder
    for e, payload in world["entries"]:
        assert (folder / e["file"]).read_bytes() == payload
    assert "fetch: 3 jars" in text and "8.0 KB" in text          # says what and how big before fetching
    installed = json.loads((folder / INSTALLED_NAME).read_text())
    assert installed == {e["file"]: e["sha1"] for e, _ in world["entries"]}
    assert sorted(os.listdir(folder)) == sorted([INSTALLED_NAME] + [e["file"] for e, _ in world["entries"]])
    p2, text2 = _run(world)
    assert "fetch: nothing" in text2 and not p2.to_fetch and len(p2.present) == 3


def test_dry_run_fetches_nothing(world):
    p, text = _run(world, dry_run=True)
    assert len(p.to_fetch) == 3 and "nd4j-native:1.0.0-M2.1:linux-x86_64" in text
    assert not world["home"].exists()


def test_a_jar_that_does_not_match_the_published_sha1_is_never_written(world):
    e, payload = world["entries"][1]
    _publish(world["repo"], e, payload[:-1] + bytes([payload[-1] ^ 0xFF]), sha1=e["sha1"])   # tampered jar (last
    # byte flipped: a fixed replacement byte equals the random one 1 time in 256), original .sha1
    with pytest.raises(JavaSetupError, match="nd4j-native-1.0.0-M2.1-linux-x86_64.jar: SHA-1 .* differs"):
        _run(world)
    folder = world["home"] / "linux-x86_64"
    assert not (folder / e["file"]).exists()
    assert not [n for n in os.listdir(folder) if n.startswith(".")]   # no temp file left
    # the jar fetched before the failure is kept and recorded; a rerun after the fix fetches only the rest
    assert list(json.loads((folder / INSTALLED_NAME).read_text())) == [world["entries"][0][0]["file"]]


def test_a_published_sha1_that_differs_from_the_build_time_one_is_refused(world):
    e, _ = world["entries"][0]
    other = os.urandom(3000)
    _publish(world["repo"], e, other)                               # jar and .sha1 both replaced
    with pytest.raises(JavaSetupError, match="Maven verified"):
        _run(world)
    assert not (world["home"] / "linux-x86_64" / e["file"]).exists()


def test_a_missing_sha1_file_is_an_error_not_a_skip(world):
    e, _ = world["entries"][2]
    path = next(world["repo"].rglob(e["file"] + ".sha1"))
    path.unlink()
    with pytest.raises(JavaSetupError, match=r"slf4j-api-1.7.21.jar.sha1: not in the local repository"):
        _run(world)


def test_a_corrupt_jar_in_the_folder_is_fetched_again(world):
    _run(world)
    e, payload = world["entries"][1]
    (world["home"] / "linux-x86_64" / e["file"]).write_bytes(b"garbage")
    p, text = _run(world)
    assert [a.file for a in p.to_fetch] == [e["file"]] and "fetch: 1 jars" in text
    assert (world["home"] / "linux-x86_64" / e["file"]).read_bytes() == payload


def test_another_platform_swaps_the_native_classifier_and_checks_the_repository_sha1(world):
    p, text = _run(world, platform="macosx-arm64")
    assert [a.classifier for a in p.artifacts] == ["", "macosx-arm64", ""]
    folder = world["home"] / "macosx-arm64"
    assert (folder / "nd4j-native-1.0.0-M2.1-macosx-arm64.jar").read_bytes() == world["mac"]
    assert not (folder / "nd4j-native-1.0.0-M2.1-linux-x86_64.jar").exists()
    # its SHA-1 (unknown to the list) is recorded, so the next run keeps it
    assert len(plan(Repository(world["repo"]), "macosx-arm64", world["list"]).present) == 3


def test_unknown_platform_and_foreign_repositories_are_refused(world):
    with pytest.raises(JavaSetupError, match="no native ND4J build for 'linux-ppc64le'"):
        _run(world, platform="linux-ppc64le")
    with pytest.raises(JavaSetupError, match="Maven Central .* only"):
        setup_java(repository="https://example.invalid/maven2", jar_list=world["list"], out=lambda s: None)
    with pytest.raises(JavaSetupError, match="no such folder"):
        setup_java(repository=world["repo"] / "nope", jar_list=world["list"], out=lambda s: None)


def test_a_damaged_jar_list_is_a_typed_error(tmp_path):
    bad = tmp_path / "dl4j-jars.json"
    bad.write_text('{"format": 1, "platform": "linux-x86_64", "artifacts": [{"file": "../x.jar"}]}')
    with pytest.raises(JavaSetupError, match="reinstall"):
        jars.load_jar_list(bad)
    with pytest.raises(JavaSetupError, match="source checkout"):
        jars.load_jar_list(tmp_path / "absent.json")


def test_cache_folder_follows_platformdirs_rule_and_the_override(monkeypatch, tmp_path):
    monkeypatch.delenv(jars.ENV_JAVA_HOME, raising=False)
    if sys.platform.startswith("linux"):
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
        assert jars.java_home() == tmp_path / "xdg" / "pydl4j-transfer" / "java"
    monkeypatch.setenv(jars.ENV_JAVA_HOME, str(tmp_path / "mine"))
    assert jars.jar_dir("macosx-arm64") == tmp_path / "mine" / "macosx-arm64"


def _lookup(**env) -> dict:
    """find_classpath() in a fresh interpreter running this clone's package."""
    code = ("import json; from pydl4j_transfer.dl4j_backend import jars; c = jars.find_classpath(); "
            "print(json.dumps({'source': c.source, 'where': c.where, 'entries': c.entries}))")
    full = {k: v for k, v in os.environ.items() if k not in (jars.ENV_CLASSPATH, jars.ENV_JAVA_HOME)}
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                       env={**full, "PYTHONPATH": str(REPO), **env})
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_lookup_order_environment_variable_then_the_clone(tmp_path):
    got = _lookup(**{jars.ENV_CLASSPATH: f"{tmp_path}/a.jar{os.pathsep}{tmp_path}/lib/*"})
    assert got["source"] == f"${jars.ENV_CLASSPATH}" and got["entries"] == [f"{tmp_path}/a.jar", f"{tmp_path}/lib/*"]
    # a clone with its Maven build wins over setup-java's folder, even when that is set
    got = _lookup(**{jars.ENV_JAVA_HOME: str(tmp_path)})
    assert got["source"] == "clone" and got["where"] == str(REPO / "java" / "target")


def test_fetched_jars_are_readable_by_others_of_a_shared_folder(world):
    _run(world)
    folder = world["home"] / "linux-x86_64"
    for name in os.listdir(folder):
        assert (folder / name).stat().st_mode & 0o044 == 0o044, name
