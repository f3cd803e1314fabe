"""Starting the JVM that runs real DL4J (lazy, idempotent, loud).

Nothing here runs at import time: :func:`start_jvm` starts the JVM the first time something
needs it, and later calls return at once. A JVM cannot be restarted inside one process, so
every check that can fail (JPype installed, Java found, jars present) runs *before* it starts.

Classpath: the environment variable ``PYDL4J_TRANSFER_CLASSPATH`` (``os.pathsep``-separated;
an entry ending in ``*`` is a folder of jars, as for ``java -cp``), or else the output of the
``java/`` Maven build: ``java/target/pydl4j-transfer-java.jar`` and ``java/target/lib/*``.

One process or a worker? ND4J's native code (OpenBLAS + OpenMP through JavaCPP), JPype and
torch were checked to live in one process, in either import order and with both running
matrix products on two threads at once (``tests/test_dl4j_backend.py::test_torch_and_nd4j_share_a_process``);
so the JVM runs in-process, with no worker.
"""

from __future__ import annotations

import glob
import os
import threading
from pathlib import Path

from pydl4j_transfer.errors import JvmUnavailableError

ENV_CLASSPATH = "PYDL4J_TRANSFER_CLASSPATH"
FACADE_CLASS = "org.pydl4j.transfer.Facade"
BUILD_COMMAND = "make java   (or: cd java && mvn -q package)"

_REPO_ROOT = Path(__file__).resolve().parents[2]
_JAVA_TARGET = _REPO_ROOT / "java" / "target"

# DL4J logs every ND4J init line at INFO through slf4j-simple; keep stderr for warnings.
_JVM_OPTIONS = (
    "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
    "-Djava.awt.headless=true",
)

_lock = threading.Lock()
_facade = None


def default_classpath() -> list[str]:
    """The classpath entries the JVM would be started with, before globbing."""
    env = os.environ.get(ENV_CLASSPATH)
    if env:
        return [e for e in env.split(os.pathsep) if e]
    return [str(_JAVA_TARGET / "pydl4j-transfer-java.jar"), str(_JAVA_TARGET / "lib" / "*")]


def _expand(entries: list[str]) -> list[str]:
    """Glob ``dir/*`` entries into jar files; keep plain entries that exist."""
    jars: list[str] = []
    for entry in entries:
        if entry.endswith("*"):
            jars.extend(sorted(glob.glob(entry[:-1] + "*.jar")))
        elif os.path.exists(entry):
            jars.append(entry)
    return jars


def _unavailable(why: str, classpath: list[str]) -> JvmUnavailableError:
    source = f"${ENV_CLASSPATH}" if os.environ.get(ENV_CLASSPATH) else "the java/ build output"
    return JvmUnavailableError(
        f"cannot start real DL4J: {why}\n"
        f"  classpath tried (from {source}): {os.pathsep.join(classpath)}\n"
        f"  to build the jars: {BUILD_COMMAND}\n"
        f"  or point ${ENV_CLASSPATH} at a folder of DL4J 1.0.0-M2.1 jars plus pydl4j-transfer-java.jar"
    )


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
    :class:`~pydl4j_transfer.errors.JvmUnavailableError` naming the classpath and the build
    command when JPype, Java or the jars are missing.
    """
    global _facade
    if _facade is not None:
        return _facade
    with _lock:
        if _facade is not None:
            return _facade
        classpath = default_classpath()
        try:
            import jpype
        except ImportError as exc:
            raise _unavailable(
                "JPype is not installed (pip install 'pydl4j-transfer[dl4j]')", classpath
            ) from exc
        if not jpype.isJVMStarted():
            jars = _expand(classpath)
            if not any(j.endswith(".jar") and "nd4j-api" in os.path.basename(j) for j in jars):
                raise _unavailable("the DL4J jars are not there", classpath)
            if not any(os.path.basename(j).startswith("pydl4j-transfer-java") for j in jars):
                raise _unavailable("pydl4j-transfer-java.jar (our facade) is not there", classpath)
            try:
                jvm_path = jpype.getDefaultJVMPath()
            except Exception as exc:  # JVMNotFoundException and friends
                raise _unavailable(f"no Java found ({exc}); install Java 11+ or set JAVA_HOME", classpath) from exc
            jpype.startJVM(jvm_path, *_JVM_OPTIONS, classpath=jars, convertStrings=False)
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
