"""Where the JVM's jars come from: the environment variable, a clone's Maven build, or setup-java's folder.

Standard library only; nothing here downloads (``setup_java.py`` is the one module that does, and only
when the ``pydl4j-transfer setup-java`` command runs it).

The classpath is looked up in this order, and the first that applies wins:

1. ``$PYDL4J_TRANSFER_CLASSPATH``: entries separated by ``os.pathsep``; ``dir/*`` means every jar in ``dir``
   (as for ``java -cp``). Used as given.
2. A clone's Maven build: ``<clone>/java/target/pydl4j-transfer-java.jar`` and ``java/target/lib/*``
   (``make java``), when this package runs from a clone that has it.
3. The folder ``pydl4j-transfer setup-java`` fills: ``$PYDL4J_TRANSFER_JAVA_HOME/<platform>/``, by default
   ``<user cache dir>/pydl4j-transfer/java/<platform>/`` (platformdirs' ``user_cache_dir`` rule: ``~/.cache``
   or ``$XDG_CACHE_HOME`` on Linux, ``~/Library/Caches`` on macOS, ``%LOCALAPPDATA%\\pydl4j-transfer\\Cache``
   on Windows), with the facade jar the wheel carries. The jars on the classpath are exactly those of the
   list the wheel carries (``dl4j-jars.json``), not whatever else the folder holds.

``dl4j-jars.json`` (made by the repository's ``setup.py`` from ``java/target`` when the wheel is built) lists
every runtime jar Maven resolved from ``java/pom.xml``: group, artifact, version, classifier, type, file
name, size and SHA-1, and the native ``platform`` the pom pins (``linux-x86_64``). For another platform the
jars whose classifier names that platform are swapped for the same artifact with this platform's classifier
(DL4J publishes one native jar per platform); their size and SHA-1 are then Maven Central's.
"""

from __future__ import annotations

import json
import os
import platform as _platform
import sys
from dataclasses import dataclass, field, replace
from pathlib import Path

from pydl4j_transfer.errors import JavaSetupError

ENV_CLASSPATH = "PYDL4J_TRANSFER_CLASSPATH"
ENV_JAVA_HOME = "PYDL4J_TRANSFER_JAVA_HOME"
SETUP_COMMAND = "pydl4j-transfer setup-java"
BUILD_COMMAND = "make java   (or: cd java && mvn -q package)"
FACADE_NAME = "pydl4j-transfer-java.jar"
JAR_LIST_NAME = "dl4j-jars.json"

PACKAGE_DIR = Path(__file__).resolve().parent
PACKAGED_FACADE = PACKAGE_DIR / FACADE_NAME  # in a wheel (setup.py puts it there); absent in a clone
PACKAGED_JAR_LIST = PACKAGE_DIR / JAR_LIST_NAME
CLONE_ROOT = PACKAGE_DIR.parents[1]
CLONE_TARGET = CLONE_ROOT / "java" / "target"

# JavaCPP's platform names (the classifier of ND4J's native jars) for which DL4J 1.0.0-M2.1 publishes
# nd4j-native on Maven Central (checked: linux-ppc64le has openblas and javacpp but no nd4j-native).
PLATFORMS = ("linux-x86_64", "linux-arm64", "macosx-x86_64", "macosx-arm64", "windows-x86_64")
_OS = {"linux": "linux", "darwin": "macosx", "win32": "windows", "cygwin": "windows"}
_ARCH = {"x86_64": "x86_64", "amd64": "x86_64", "x64": "x86_64", "aarch64": "arm64", "arm64": "arm64",
         "ppc64le": "ppc64le"}


def current_platform() -> str:
    """This machine's JavaCPP platform name (``linux-x86_64``, ``macosx-arm64``...), as DL4J's classifiers spell it."""
    os_name = next((v for k, v in _OS.items() if sys.platform.startswith(k)), sys.platform)
    machine = _platform.machine().lower()
    return f"{os_name}-{_ARCH.get(machine, machine)}"


def user_cache_dir() -> Path:
    """platformdirs' ``user_cache_dir("pydl4j-transfer", appauthor=False)``, without the dependency."""
    if sys.platform.startswith("win"):
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "pydl4j-transfer" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "pydl4j-transfer"
    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    return Path(base if os.path.isabs(base) else Path.home() / ".cache") / "pydl4j-transfer"


def java_home() -> Path:
    """The folder setup-java fills (one sub-folder per platform): ``$PYDL4J_TRANSFER_JAVA_HOME`` or the cache's."""
    env = os.environ.get(ENV_JAVA_HOME, "").strip()
    return Path(env).expanduser() if env else user_cache_dir() / "java"


def jar_dir(platform: str | None = None) -> Path:
    """setup-java's folder of jars for ``platform`` (default: this machine's)."""
    return java_home() / (platform or current_platform())


@dataclass(frozen=True)
class Artifact:
    """One jar of the list: Maven coordinates, the file name, and the size / SHA-1 where the list knows them."""

    group: str
    artifact: str
    version: str
    classifier: str
    type: str
    file: str
    size: int | None
    sha1: str | None

    @property
    def repository_path(self) -> str:
        """The path inside a Maven repository (Maven Central's layout, and ``~/.m2/repository``'s)."""
        return "/".join([*self.group.split("."), self.artifact, self.version, self.file])

    @property
    def coordinates(self) -> str:
        classifier = f":{self.classifier}" if self.classifier else ""
        return f"{self.group}:{self.artifact}:{self.version}{classifier}"


@dataclass(frozen=True)
class JarList:
    """``dl4j-jars.json``: the runtime jars Maven resolved from ``java/pom.xml`` for ``platform``."""

    dl4j_version: str
    platform: str
    artifacts: tuple[Artifact, ...]
    source: str = ""

    def for_platform(self, platform: str) -> list[Artifact]:
        """The list with the native jars of ``platform`` in place of the build platform's."""
        if platform == self.platform:
            return list(self.artifacts)
        out = []
        for a in self.artifacts:
            if a.classifier == self.platform or a.classifier.startswith(self.platform + "-"):
                classifier = platform + a.classifier[len(self.platform):]
                file = f"{a.artifact}-{a.version}-{classifier}.{a.type}"
                # size and SHA-1 unknown here: the repository's published .sha1 is the check
                a = replace(a, classifier=classifier, file=file, size=None, sha1=None)
            out.append(a)
        return out

    @property
    def total_size(self) -> int:
        return sum(a.size or 0 for a in self.artifacts)


def _field(entry: dict, key: str, kind, where: str):
    value = entry.get(key)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise JavaSetupError(f"{where}: entry {entry.get('file', '?')!r} has no valid {key!r}; "
                             "reinstall pydl4j-transfer")
    return value


def load_jar_list(path: Path | None = None) -> JarList:
    """Read ``dl4j-jars.json`` (by default the one in this package). Raises :class:`JavaSetupError` when absent."""
    path = Path(path) if path is not None else PACKAGED_JAR_LIST
    if not path.is_file():
        raise JavaSetupError(
            f"{path.name} (the list of DL4J's jars) is not in {path.parent}: this pydl4j_transfer runs from a "
            f"source checkout, not an installed wheel; build the jars there with: {BUILD_COMMAND}")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise JavaSetupError(f"{path}: unreadable ({exc}); reinstall pydl4j-transfer") from exc
    if not isinstance(data, dict) or data.get("format") != 1 or not isinstance(data.get("artifacts"), list):
        raise JavaSetupError(f"{path}: not a format-1 jar list; reinstall pydl4j-transfer")
    artifacts = []
    for e in data["artifacts"]:
        if not isinstance(e, dict):
            raise JavaSetupError(f"{path}: an entry is not an object; reinstall pydl4j-transfer")
        sha1 = _field(e, "sha1", str, str(path))
        file = _field(e, "file", str, str(path))
        if len(sha1) != 40 or any(c not in "0123456789abcdef" for c in sha1) or "/" in file or "\\" in file:
            raise JavaSetupError(f"{path}: entry {file!r} has a malformed sha1 or file name; reinstall pydl4j-transfer")
        artifacts.append(Artifact(
            group=_field(e, "group", str, str(path)), artifact=_field(e, "artifact", str, str(path)),
            version=_field(e, "version", str, str(path)), classifier=e.get("classifier") or "",
            type=_field(e, "type", str, str(path)), file=file, size=_field(e, "size", int, str(path)), sha1=sha1))
    return JarList(dl4j_version=str(data.get("dl4j_version")), platform=_field(data, "platform", str, str(path)),
                   artifacts=tuple(artifacts), source=str(path))


@dataclass
class Classpath:
    """The classpath the JVM would start with, and where it came from (``pydl4j-transfer env`` prints both)."""

    source: str             # "$PYDL4J_TRANSFER_CLASSPATH", "clone", "setup-java"
    where: str              # the folder (or the variable's value)
    entries: list[str]      # before globbing: may hold ``dir/*``
    missing: list[str] = field(default_factory=list)  # setup-java jars the folder lacks

    @property
    def label(self) -> str:
        return {"clone": "the clone's Maven build (make java)",
                "setup-java": f"{SETUP_COMMAND}'s folder"}.get(self.source, self.source)


def _in_a_clone() -> bool:
    return (CLONE_ROOT / "java" / "pom.xml").is_file() and (CLONE_ROOT / "pydl4j_transfer").is_dir()


def find_classpath() -> Classpath:
    """The classpath by the module docstring's order (environment variable, clone, setup-java's folder)."""
    env = os.environ.get(ENV_CLASSPATH)
    if env:
        return Classpath(f"${ENV_CLASSPATH}", env, [e for e in env.split(os.pathsep) if e])
    clone = Classpath("clone", str(CLONE_TARGET),
                      [str(CLONE_TARGET / FACADE_NAME), str(CLONE_TARGET / "lib" / "*")])
    if (_in_a_clone() and (CLONE_TARGET / FACADE_NAME).is_file()) or not PACKAGED_JAR_LIST.is_file():
        return clone  # a clone with its Maven build, or a checkout without it (the error says: make java)
    folder = jar_dir()
    wanted = load_jar_list().for_platform(current_platform())
    entries = [str(PACKAGED_FACADE)] + [str(folder / a.file) for a in wanted]
    missing = [a.file for a in wanted if not (folder / a.file).is_file()]
    return Classpath("setup-java", str(folder), entries, missing)


def expand(entries: list[str]) -> list[str]:
    """Glob ``dir/*`` entries into jar files; keep plain entries that exist."""
    import glob

    jars: list[str] = []
    for entry in entries:
        if entry.endswith("*"):
            jars.extend(sorted(glob.glob(entry[:-1] + "*.jar")))
        elif os.path.exists(entry):
            jars.append(entry)
    return jars


def setup_hint() -> str:
    """The lines a JvmUnavailableError ends with: how to get the jars, for a wheel and for a clone."""
    lines = []
    if PACKAGED_JAR_LIST.is_file():
        try:
            jl = load_jar_list()
            size = f"{len(jl.artifacts)} jars, {jl.total_size / 1e6:.0f} MB, "
        except JavaSetupError:
            size = ""
        lines.append(f"  to fetch DL4J's jars: {SETUP_COMMAND}   ({size}from Maven Central into {jar_dir()})")
    if _in_a_clone():
        lines.append(f"  to build the jars in this clone: {BUILD_COMMAND}")
    elif not lines:
        lines.append(f"  to fetch DL4J's jars: {SETUP_COMMAND}   (from an installed wheel), or in a clone: "
                     f"{BUILD_COMMAND}")
    lines.append(f"  or point ${ENV_CLASSPATH} at a folder of DL4J 1.0.0-M2.1 jars plus {FACADE_NAME}")
    return "\n".join(lines)
