"""``import pydl4j_transfer`` is cheap: no JVM, no JPype, no torch (checked in fresh interpreters)."""

import subprocess
import sys
import textwrap


def _run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True)


def test_import_starts_no_jvm_and_loads_no_jpype_or_torch():
    r = _run("""
        import sys
        import pydl4j_transfer
        dir(pydl4j_transfer)
        heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('jpype', '_jpype', 'torch'))
        print(heavy)
    """)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[]"


def test_error_names_resolve_without_torch_or_jpype():
    r = _run("""
        import sys
        sys.modules['torch'] = None   # any import of torch now fails
        sys.modules['jpype'] = None
        from pydl4j_transfer import Dl4jFormatError, JvmUnavailableError
        from pydl4j_transfer import errors
        assert issubclass(errors.ZipBombError, Dl4jFormatError)
        print('ok')
    """)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "ok"
