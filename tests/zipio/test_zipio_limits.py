"""Reading under resource limits (issue 17): the documented memory ceiling, address-space limits of 1, 2 and
4 GiB, and special files. Each read runs in a fresh interpreter whose limits are set before it starts."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from pydl4j_transfer.errors import InputTooLargeError, NotARegularFileError
from pydl4j_transfer.zipio import RawModelZip, read_array_from, read_model_zip, read_zip_entries, write_model_zip

REPO_ROOT = Path(__file__).parents[2]
MLP_CONF = (REPO_ROOT / "compat_fixtures" / "1.0.0-M2.1" / "mlp_dense_output" / "model.zip")


def _child(code: str, limit: int | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))

    def limits():
        if limit:
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], env=env, capture_output=True, text=True,
                          timeout=timeout, preexec_fn=limits)


def _big_zip(path: Path, n_floats: int, compression: str) -> int:
    """A model zip whose params are ``n_floats`` random float32 (DL4J-like: barely compressible)."""
    params = np.random.default_rng(3).standard_normal(n_floats).astype(np.float32)
    write_model_zip(path, RawModelZip("{}", params), compression=compression, compresslevel=1)
    return params.nbytes


# --- the documented ceiling: peak <= 1.5 x the params' bytes + 64 MiB ---------------------------------------

CEILING = """
import os, resource, sys
from pydl4j_transfer.zipio import read_model_zip
from pydl4j_transfer.zipio.archive import parallel_inflate_allowed

def vm(key):
    for line in open("/proc/self/status"):
        if line.startswith(key):
            return int(line.split()[1]) * 1024

params_bytes = int(sys.argv[2])
ceiling = int(1.5 * params_bytes) + (64 << 20)
resource.setrlimit(resource.RLIMIT_AS, (vm("VmSize:") + ceiling, vm("VmSize:") + ceiling))
base = vm("VmRSS:")
raw = read_model_zip(sys.argv[1])
assert raw.params.nbytes == params_bytes
print("ok", vm("VmHWM:") - base, ceiling, parallel_inflate_allowed())
"""


@pytest.mark.parametrize("compression", ["stored", "deflated"])
def test_reading_a_zip_stays_under_the_documented_memory_ceiling(tmp_path, compression):
    """RELIABILITY.md: reading a model zip needs at most 1.5x its arrays' bytes plus 64 MiB. Checked as an
    address-space limit (RLIMIT_AS = the interpreter's size after its imports + the ceiling) and as the
    growth of the peak resident set."""
    path = tmp_path / "big.zip"
    nbytes = _big_zip(path, 24 << 20, compression)  # 96 MiB of float32 params
    env_code = CEILING.replace("sys.argv[1]", repr(str(path))).replace("sys.argv[2]", repr(str(nbytes)))
    out = _child(env_code)
    assert out.returncode == 0, out.stderr[-2000:]
    status, grew, ceiling, parallel = out.stdout.split()
    assert status == "ok" and int(grew) <= int(ceiling)
    assert parallel == "False"  # under an address-space limit rapidgzip is never used


# --- no crash under address-space limits -------------------------------------------------------------------

READ = """
from pydl4j_transfer.zipio import read_model_zip
from pydl4j_transfer.zipio.archive import parallel_inflate_allowed
raw = read_model_zip({path!r})
print("ok", raw.params.size, parallel_inflate_allowed())
"""


@pytest.fixture(scope="module")
def deflated_40mb(tmp_path_factory):
    path = tmp_path_factory.mktemp("limits") / "deflated.zip"
    _big_zip(path, 10 << 20, "deflated")  # 40 MiB of params in one ~37 MiB DEFLATE stream: rapidgzip's size
    return path


@pytest.mark.parametrize("gib", [1, 2, 4])
def test_valid_deflate_model_reads_under_an_address_space_limit(deflated_40mb, gib):
    """rapidgzip reserves several GB of virtual memory for a stream this size and dies with SIGSEGV when a
    limit refuses it (2.7 GB for 120 MB of data under ``ulimit -v 2000000``): under any limit the
    single-stream inflater is used, and the read succeeds."""
    out = _child(READ.format(path=str(deflated_40mb)), limit=gib << 30)
    assert out.returncode == 0, f"exit {out.returncode}: {out.stderr[-2000:]}"
    assert out.stdout.split() == ["ok", str(10 << 20), "False"]


def test_without_a_limit_the_parallel_inflater_reads_the_same(deflated_40mb):
    from pydl4j_transfer.zipio.archive import parallel_inflate_allowed

    out = _child(READ.format(path=str(deflated_40mb)))
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split()[:2] == ["ok", str(10 << 20)]
    assert out.stdout.split()[2] == str(parallel_inflate_allowed())


# --- special files and streams -------------------------------------------------------------------------------


def test_fifo_is_refused_at_once(tmp_path):
    fifo = tmp_path / "model.zip"
    os.mkfifo(fifo)
    result = {}

    def read():
        try:
            read_model_zip(fifo)
        except NotARegularFileError as exc:
            result["error"] = exc
    t = threading.Thread(target=read, daemon=True)
    t0 = time.perf_counter()
    t.start()
    t.join(5)
    assert not t.is_alive(), "reading a FIFO blocked"
    assert time.perf_counter() - t0 < 5
    assert "FIFO" in str(result["error"]) and str(fifo) in str(result["error"])


@pytest.mark.parametrize("path", ["/dev/zero", "/dev/null", "/"])
def test_devices_and_directories_are_refused(path):
    from pydl4j_transfer import load
    from pydl4j_transfer.data import DataSet, MultiDataSet, NormalizerSerializer
    from pydl4j_transfer.zipio.nd4j_binary import read_array_file

    readers = (load, read_zip_entries, DataSet.load, MultiDataSet.load, read_array_file,
               NormalizerSerializer.getDefault().restore)
    for reader in readers:
        with pytest.raises(NotARegularFileError, match=path.rstrip("/") or "/"):
            reader(path)


class _Endless:
    """A non-seekable stream that never ends (like a pipe from /dev/zero)."""

    def read(self, n=-1):
        return b"\0" * min(n if n > 0 else 1 << 16, 1 << 16)

    def seekable(self):
        return False


def test_endless_stream_is_refused_at_the_ceiling():
    with pytest.raises(InputTooLargeError, match="max_bytes=1048576"):
        read_zip_entries_stream = __import__("pydl4j_transfer.zipio.archive", fromlist=["ZipReader"]).ZipReader
        read_zip_entries_stream(_Endless(), max_stream_bytes=1 << 20)


def test_array_from_a_pipe_grows_with_its_data_and_refuses_claims_over_the_ceiling():
    from pydl4j_transfer.zipio import write_array

    from ..fuzz.targets import Unseekable

    big = np.arange(6 << 20, dtype=np.float32)  # 24 MiB: above the 16 MiB allocated before data arrives
    out = read_array_from(Unseekable(write_array(big)), entry="pipe")
    np.testing.assert_array_equal(out, big)
    with pytest.raises(InputTooLargeError, match="pipe: .*max_bytes=1000"):
        read_array_from(Unseekable(write_array(big)), entry="pipe", max_bytes=1000)


def test_read_model_zip_from_a_pipe(tmp_path):
    from ..fuzz.targets import Unseekable

    raw = read_model_zip(Unseekable(MLP_CONF.read_bytes()))
    assert raw.params is not None and raw.configuration_json.startswith("{")
