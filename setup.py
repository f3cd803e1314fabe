"""The one build step pyproject.toml cannot express: the Java side goes into the wheel.

Everything else (metadata, version, package data) is in pyproject.toml. ``python -m build`` (or
``make dist``) from a clone needs the Maven build's output first (``make java``, i.e.
``cd java && mvn -q package``), because the wheel carries two files made from it, under
``pydl4j_transfer/dl4j_backend/``:

* ``pydl4j-transfer-java.jar``: the facade (``java/src``), copied from ``java/target``;
* ``dl4j-jars.json``: every runtime jar Maven resolved from ``java/pom.xml``
  (``java/target/dependencies.txt``, written by the pom's ``list-runtime-jars`` execution), with its
  size and SHA-1 taken from the jar Maven copied to ``java/target/lib``. ``pydl4j-transfer
  setup-java`` fetches exactly this list; nothing else keeps a second copy of it.

The sdist carries both files already made (``make_release_tree``), so a wheel built from the sdist
needs neither Maven nor Java. An editable install (``make venv``) skips the step: a clone's JVM
backend reads ``java/target`` directly. Standard library only (no import of the package: a build
in an isolated environment has no numpy).
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.command.sdist import sdist

ROOT = Path(__file__).resolve().parent
JAVA = ROOT / "java"
TARGET = JAVA / "target"
DEST = ("pydl4j_transfer", "dl4j_backend")  # the package that holds them as package data
FACADE = "pydl4j-transfer-java.jar"
LIST = "dl4j-jars.json"
BUILD_HINT = "run `make java` (or: cd java && mvn -q package) first; it needs Java 11+ and Maven"
# maven-dependency-plugin's list line: group:artifact:type[:classifier]:version:scope[ -- module ...]
_LINE = re.compile(r"^\s+([^:\s]+):([^:\s]+):([^:\s]+)(?::([^:\s]+))?:([^:\s]+):([a-z]+)(?:\s.*)?$")


class JavaBuildMissing(SystemExit):
    """Raised (and printed by setuptools) when java/target is absent or older than its sources."""


def _newest(paths) -> tuple[float, Path | None]:
    best = (0.0, None)
    for p in paths:
        best = max(best, (p.stat().st_mtime, p), key=lambda t: t[0])
    return best


def _check_java_build() -> None:
    facade, listing = TARGET / FACADE, TARGET / "dependencies.txt"
    for path in (facade, listing):
        if not path.is_file():
            raise JavaBuildMissing(f"building the wheel needs {path.relative_to(ROOT)}: {BUILD_HINT}")
    sources = list((JAVA / "src").rglob("*.java")) + [JAVA / "pom.xml"]
    newest, which = _newest(sources)
    for path in (facade, listing):
        if path.stat().st_mtime < newest:
            raise JavaBuildMissing(f"{path.relative_to(ROOT)} is older than {which.relative_to(ROOT)}: "
                                   f"rebuild it ({BUILD_HINT})")


def _sha1(path: Path) -> str:
    digest = hashlib.sha1()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def jar_list() -> dict:
    """dl4j-jars.json's content, from Maven's resolution of java/pom.xml (see the module docstring)."""
    _check_java_build()
    pom = (JAVA / "pom.xml").read_text(encoding="utf-8")
    platform = re.search(r"<nd4j\.classifier>([^<]+)</nd4j\.classifier>", pom)
    if platform is None:
        raise JavaBuildMissing("java/pom.xml has no <nd4j.classifier> property (the native platform it pins)")
    artifacts, names = [], set()
    for line in (TARGET / "dependencies.txt").read_text(encoding="utf-8").splitlines():
        m = _LINE.match(line)
        if m is None:
            continue
        group, artifact, kind, classifier, version, scope = m.groups()
        if scope not in ("compile", "runtime") or kind != "jar":  # a pom-typed dependency has no classes
            continue
        name = f"{artifact}-{version}{'-' + classifier if classifier else ''}.{kind}"
        jar = TARGET / "lib" / name
        if not jar.is_file():
            raise JavaBuildMissing(f"java/target/dependencies.txt lists {name}, but java/target/lib has no such "
                                   f"file: {BUILD_HINT}")
        if name in names:  # copy-dependencies would have overwritten one with the other
            raise JavaBuildMissing(f"two resolved artifacts share the file name {name}")
        names.add(name)
        artifacts.append({"group": group, "artifact": artifact, "version": version, "classifier": classifier or "",
                          "type": kind, "file": name, "size": jar.stat().st_size, "sha1": _sha1(jar)})
    if not artifacts:
        raise JavaBuildMissing(f"java/target/dependencies.txt lists no runtime jar: {BUILD_HINT}")
    dl4j = next((a["version"] for a in artifacts if a["artifact"] == "deeplearning4j-nn"), None)
    return {"format": 1, "dl4j_version": dl4j, "platform": platform.group(1),
            "resolved_from": "java/pom.xml by Maven (java/target/dependencies.txt)", "artifacts": artifacts}


def write_java_files(folder: Path) -> None:
    """Write the facade jar and dl4j-jars.json into ``folder`` (the package data folder)."""
    listing = jar_list()  # checks java/target first
    folder.mkdir(parents=True, exist_ok=True)
    (folder / FACADE).write_bytes((TARGET / FACADE).read_bytes())
    (folder / LIST).write_text(json.dumps(listing, indent=1) + "\n", encoding="utf-8")


class BuildPyWithJava(build_py):
    """build_py, plus the Java files in the wheel (from the sdist's copy, or made from java/target)."""

    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install runs from the clone, whose JVM backend reads java/target
        in_sources = ROOT.joinpath(*DEST)
        if (in_sources / FACADE).is_file() and (in_sources / LIST).is_file():
            return  # building from the sdist: package-data copied them already
        write_java_files(Path(self.build_lib).joinpath(*DEST))


class SdistWithJava(sdist):
    """sdist, plus the two Java files made from java/target, so the wheel builds without Maven."""

    def make_release_tree(self, base_dir, files):
        super().make_release_tree(base_dir, files)
        if not (ROOT.joinpath(*DEST) / FACADE).is_file():
            write_java_files(Path(base_dir).joinpath(*DEST))


setup(cmdclass={"build_py": BuildPyWithJava, "sdist": SdistWithJava})
