"""``pydl4j-transfer setup-java``: DL4J's jars from Maven Central into setup-java's folder, checksums verified.

The one place pydl4j_transfer downloads anything, and only when that command runs it. No resolver: the
list is the wheel's ``dl4j-jars.json`` (every runtime jar Maven resolved from ``java/pom.xml`` when the wheel
was built; see ``jars.py``), so this fetches exactly those files, by their Maven coordinates:

* from Maven Central (``https://repo1.maven.org/maven2``), and from nowhere else, or from a local folder in
  Maven's repository layout (``--repository ~/.m2/repository``: offline installs, CI);
* each jar is checked against the SHA-1 the repository publishes beside it (``<jar>.sha1``), and against the
  SHA-1 and size in the list where the list has them (the build platform's jars: Maven verified them when it
  resolved the pom), before it is moved into place; a jar that fails is never left behind;
* into ``jars.jar_dir()`` (``$PYDL4J_TRANSFER_JAVA_HOME/<platform>`` or the user cache's); a jar already
  there with the right SHA-1 is kept, so a second run fetches nothing.

It says what it fetches and how big before it starts (``--dry-run`` stops there).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from pydl4j_transfer.dl4j_backend import jars
from pydl4j_transfer.errors import JavaSetupError
from pydl4j_transfer.zipio.files import atomic_write

MAVEN_CENTRAL = "https://repo1.maven.org/maven2"
INSTALLED_NAME = "installed.json"  # what setup-java verified, per folder: {file: sha1}
_CHUNK = 1 << 20
_UNKNOWN_SIZE_LIMIT = 1 << 30  # a jar whose size the list does not know is cut off beyond 1 GiB
_TIMEOUT_S = 60


class Repository:
    """Maven Central over HTTPS, or a local folder in Maven's repository layout."""

    def __init__(self, location: str | os.PathLike | None = None):
        loc = str(location) if location is not None else MAVEN_CENTRAL
        if loc.rstrip("/") == MAVEN_CENTRAL:
            self.url, self.folder = MAVEN_CENTRAL, None
        elif loc.startswith(("http://", "https://")):
            raise JavaSetupError(f"{loc}: setup-java fetches from Maven Central ({MAVEN_CENTRAL}) only, or from a "
                                 "local folder in Maven's repository layout (e.g. ~/.m2/repository)")
        else:
            folder = Path(loc[len("file://"):] if loc.startswith("file://") else loc).expanduser()
            if not folder.is_dir():
                raise JavaSetupError(f"{folder}: no such folder (--repository wants a local Maven repository, "
                                     "e.g. ~/.m2/repository)")
            self.url, self.folder = None, folder.resolve()

    def __str__(self) -> str:
        return "Maven Central" if self.url else str(self.folder)

    def where(self, rel: str) -> str:
        """The full URL or path of ``rel`` (for messages)."""
        return f"{self.url}/{rel}" if self.url else str(self.folder / rel)

    def _open(self, rel: str):
        """(binary stream, size or None); JavaSetupError naming the file when it is not there."""
        if self.folder is not None:
            path = self.folder / rel
            if not path.is_file():
                raise JavaSetupError(f"{path}: not in the local repository")
            return path.open("rb"), path.stat().st_size
        url = f"{self.url}/{rel}"
        request = urllib.request.Request(url, headers={"User-Agent": "pydl4j-transfer setup-java"})
        try:
            response = urllib.request.urlopen(request, timeout=_TIMEOUT_S)
        except urllib.error.HTTPError as exc:
            raise JavaSetupError(f"{url}: HTTP {exc.code} {exc.reason}") from exc
        except (urllib.error.URLError, OSError) as exc:
            raise JavaSetupError(f"{url}: cannot reach Maven Central ({getattr(exc, 'reason', exc)}); "
                                 "check the network (an HTTPS proxy is read from $https_proxy)") from exc
        length = response.headers.get("Content-Length")
        return response, int(length) if length and length.isdigit() else None

    def size(self, rel: str) -> int | None:
        """The file's size without fetching it (a HEAD request on Maven Central)."""
        if self.folder is not None:
            path = self.folder / rel
            return path.stat().st_size if path.is_file() else None
        request = urllib.request.Request(f"{self.url}/{rel}", method="HEAD",
                                         headers={"User-Agent": "pydl4j-transfer setup-java"})
        try:
            with urllib.request.urlopen(request, timeout=_TIMEOUT_S) as response:
                length = response.headers.get("Content-Length")
        except (urllib.error.URLError, OSError):
            return None
        return int(length) if length and length.isdigit() else None

    def published_sha1(self, rel: str) -> str:
        """The repository's ``<file>.sha1`` (40 hex digits; some repositories append the file name)."""
        stream, _ = self._open(rel + ".sha1")
        with stream:
            text = stream.read(256).decode("ascii", "replace").strip()
        digest = text.split()[0].lower() if text else ""
        if len(digest) != 40 or any(c not in "0123456789abcdef" for c in digest):
            raise JavaSetupError(f"{self.where(rel)}.sha1: not a SHA-1 ({text[:60]!r})")
        return digest

    def fetch(self, artifact: jars.Artifact, dest: Path, expected_sha1: str) -> int:
        """Copy the artifact to ``dest`` (atomically) if its bytes hash to ``expected_sha1``; returns its size."""
        stream, size = self._open(artifact.repository_path)
        limit = artifact.size if artifact.size is not None else _UNKNOWN_SIZE_LIMIT
        if size is not None and size > limit:
            stream.close()
            raise JavaSetupError(f"{self.where(artifact.repository_path)}: {size} bytes, the list says {limit}")
        digest, written = hashlib.sha1(), 0
        # zipio/files.py: a temp file beside ``dest``, fsynced and renamed; a killed download's temp file is
        # removed by the next fetch of the same jar. 0644: 0600 would hide the jar from other users of a shared folder
        with stream, atomic_write(dest, mode=0o644) as out:
            while chunk := stream.read(_CHUNK):
                written += len(chunk)
                if written > limit:
                    raise JavaSetupError(f"{self.where(artifact.repository_path)}: more than {limit} bytes")
                digest.update(chunk)
                out.write(chunk)
            if artifact.size is not None and written != artifact.size:
                raise JavaSetupError(f"{self.where(artifact.repository_path)}: {written} bytes, the list says "
                                     f"{artifact.size}; nothing written")
            if digest.hexdigest() != expected_sha1:
                raise JavaSetupError(f"{self.where(artifact.repository_path)}: SHA-1 {digest.hexdigest()} differs from "
                                     f"the published {expected_sha1}; nothing written")
        return written


def human_size(n: int | None) -> str:
    """``153.0 MB``, ``8.0 KB``; ``? MB`` when unknown."""
    if n is None:
        return "? MB"
    return f"{n / 1e3:.1f} KB" if n < 1e6 else f"{n / 1e6:.1f} MB"


def _file_sha1(path: Path) -> str:
    digest = hashlib.sha1()
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _read_installed(folder: Path) -> dict[str, str]:
    try:
        data = json.loads((folder / INSTALLED_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {k: v for k, v in data.items() if isinstance(k, str) and isinstance(v, str)} if isinstance(data, dict) else {}


def _write_installed(folder: Path, installed: dict[str, str]) -> None:
    if not installed and not (folder / INSTALLED_NAME).exists():
        return
    with atomic_write(folder / INSTALLED_NAME, mode=0o644) as f:  # zipio/files.py: temp file, fsync, rename
        f.write(json.dumps(dict(sorted(installed.items())), indent=1).encode("utf-8"))


@dataclass
class Plan:
    """What setup-java would do: every jar of the list, the ones already in place, the sizes."""

    folder: Path
    platform: str
    dl4j_version: str
    artifacts: list[jars.Artifact]
    present: dict[str, str]  # file -> SHA-1 of the jars already in place
    sizes: dict[str, int | None]

    @property
    def to_fetch(self) -> list[jars.Artifact]:
        return [a for a in self.artifacts if a.file not in self.present]

    def describe(self, repository: Repository) -> list[str]:
        fetch = self.to_fetch
        known = [self.sizes[a.file] for a in fetch if self.sizes.get(a.file) is not None]
        fetch_size = human_size(sum(known)) + ("" if len(known) == len(fetch) else f" + {len(fetch) - len(known)} of unknown size")
        total = sum(s for s in self.sizes.values() if s is not None)
        lines = [f"DL4J {self.dl4j_version} jars for {self.platform}: {len(self.artifacts)} jars, {human_size(total)}",
                 f"  into:  {self.folder}",
                 f"  fetch: {len(fetch)} jars, {fetch_size}, from {repository}" if fetch else "  fetch: nothing",
                 f"  kept:  {len(self.present)} jars already there (SHA-1 checked)"]
        for a in fetch:
            size = self.sizes.get(a.file)
            lines.append(f"    {a.coordinates:<72} {human_size(size):>9}")
        return lines


def plan(repository: Repository, platform: str | None = None, jar_list: jars.JarList | None = None) -> Plan:
    """Which jars of the list are missing from setup-java's folder for ``platform``, and how big they are."""
    platform = platform or jars.current_platform()
    if platform not in jars.PLATFORMS:
        raise JavaSetupError(f"DL4J 1.0.0-M2.1 publishes no native ND4J build for {platform!r}; "
                             f"platforms: {', '.join(jars.PLATFORMS)}")
    jl = jar_list or jars.load_jar_list()
    artifacts = jl.for_platform(platform)
    folder = jars.jar_dir(platform)
    installed = _read_installed(folder)
    present = {}
    for a in artifacts:
        path = folder / a.file
        want = a.sha1 or installed.get(a.file)
        if want is not None and path.is_file() and _file_sha1(path) == want:
            present[a.file] = want
    sizes = {a.file: a.size if a.size is not None else
             ((folder / a.file).stat().st_size if a.file in present else repository.size(a.repository_path))
             for a in artifacts}
    return Plan(folder, platform, jl.dl4j_version, artifacts, present, sizes)


def setup_java(repository: str | os.PathLike | None = None, platform: str | None = None, dry_run: bool = False,
               out=print, jar_list: jars.JarList | None = None) -> Plan:
    """Fetch and verify every jar of the list that setup-java's folder lacks; print what and how big first."""
    repo = Repository(repository)
    p = plan(repo, platform, jar_list)
    for line in p.describe(repo):
        out(line)
    if dry_run or not p.to_fetch:
        if not p.to_fetch:
            out(f"ready: the JVM backend finds DL4J's jars in {p.folder}")
        return p
    p.folder.mkdir(parents=True, exist_ok=True)
    free = shutil.disk_usage(p.folder).free
    need = sum(s or 0 for f, s in p.sizes.items() if f not in p.present)
    if need > free:
        raise JavaSetupError(f"{p.folder}: {need / 1e6:.0f} MB needed, {free / 1e6:.0f} MB free; "
                             f"set ${jars.ENV_JAVA_HOME} to a folder on a bigger disk")
    # keep the records of other jars still in the folder (another pydl4j-transfer version may use them)
    installed = {k: v for k, v in _read_installed(p.folder).items() if (p.folder / k).is_file()}
    installed.update(p.present)
    try:
        for i, a in enumerate(p.to_fetch, 1):
            published = repo.published_sha1(a.repository_path)
            if a.sha1 is not None and published != a.sha1:
                raise JavaSetupError(
                    f"{repo.where(a.repository_path)}.sha1 says {published}, but Maven verified {a.sha1} when this "
                    "pydl4j-transfer was built; nothing written")
            size = repo.fetch(a, p.folder / a.file, published)
            installed[a.file] = published
            out(f"  [{i}/{len(p.to_fetch)}] {a.file}  {human_size(size)}  SHA-1 ok")
    finally:
        _write_installed(p.folder, installed)
    out(f"ready: the JVM backend finds DL4J's jars in {p.folder} (check: pydl4j-transfer env --require-dl4j)")
    return p
