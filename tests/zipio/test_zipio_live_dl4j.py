"""Live check against real DL4J 1.0.0-M2.1: its records decode here, our files load there.

Runs ``Nd4jCheck.java`` (next to this file) in Java's source-file mode, in a subprocess, on the
jars that ``java/`` builds (``java/target/lib``): no JPype needed, so these tests are marked
``slow`` but not ``dl4j``. Skipped where ``java`` or the jars are missing, unless
``PYDL4J_TRANSFER_REQUIRE_JVM=1`` (CI), where that is a failure.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import numpy as np
import pytest

from pydl4j_transfer.zipio import RawModelZip, read_array, read_model_zip, write_array, write_model_zip
from pydl4j_transfer.zipio.nd4j_binary import DTYPES

pytestmark = pytest.mark.slow

REPO = Path(__file__).parents[2]
JARS = REPO / "java" / "target" / "lib"
HARNESS = Path(__file__).with_name("Nd4jCheck.java")


def _run_java(mode: str, directory: Path) -> list[str]:
    java = shutil.which("java")
    if java is None or not list(JARS.glob("nd4j-api-*.jar")):
        why = f"needs `java` and the DL4J jars in {JARS} (build them with `make java`)"
        if os.environ.get("PYDL4J_TRANSFER_REQUIRE_JVM") == "1":
            pytest.fail(f"PYDL4J_TRANSFER_REQUIRE_JVM=1 but this check {why}")
        pytest.skip(why)
    proc = subprocess.run([java, "-cp", f"{JARS}/*", str(HARNESS), mode, str(directory)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return [line for line in proc.stdout.splitlines() if line.split(" ", 1)[0] in
            ("ARRAY", "MODEL", "OUTPUT", "FAILED")]


def _values(text: str) -> np.ndarray:
    text = text.strip("[]")
    return np.array([float(v) for v in text.split(", ")] if text else [], dtype=np.float64)


@pytest.fixture(scope="module")
def m21(tmp_path_factory):
    """Files written by real M2.1, and the outputs it printed for its own net.zip."""
    directory = tmp_path_factory.mktemp("m21")
    lines = _run_java("make", directory)
    outputs = {line.split(" ", 2)[1]: _values(line.split(" ", 2)[2]) for line in lines
               if line.startswith("OUTPUT")}
    return directory, outputs


SMALL = np.array([0, 1, 0, 3, 4, 1], dtype=np.float64).reshape(2, 3)
M21_ARRAYS = {  # name -> (expected array, order M2.1 wrote it in)
    "row_float": (np.array([[1, 2, 3]], np.float32), "c"),
    "mat_double_f": (np.arange(1, 7, dtype=np.float64).reshape(2, 3, order="F"), "f"),
    "t3_int": (np.arange(24, dtype=np.int32).reshape(2, 3, 4), "c"),
    "scalar_float": (np.array(2.5, np.float32), "c"),
    "empty_float": (np.zeros(0, np.float32), "c"),
    "permuted_float": (np.arange(24, dtype=np.float32).reshape(2, 3, 4).transpose(2, 0, 1), "c"),
    **{f"dtype_{n}": (SMALL.astype(dt.native), "c") for n, dt in DTYPES.items()},
}


@pytest.mark.parametrize("name", sorted(M21_ARRAYS))
def test_m21_records_decode_and_reencode_identically(m21, name):
    directory, _ = m21
    raw = (directory / f"{name}.bin").read_bytes()
    expected, order = M21_ARRAYS[name]
    arr = read_array(raw, entry=name)
    assert arr.dtype == expected.dtype and arr.shape == expected.shape
    np.testing.assert_array_equal(arr, expected)
    if name != "dtype_BFLOAT16":  # numpy cannot hold bfloat16, so it is not writable
        assert write_array(arr, order=order) == raw


def test_m21_model_zips(m21):
    directory, _ = m21
    net = read_model_zip(directory / "net.zip")
    assert net.params.shape == (23,) and net.updater_state.shape == (46,)
    with zipfile.ZipFile(directory / "net.zip") as zf:  # M2.1 itself writes rank-1 [N]
        assert read_array(zf.read("coefficients.bin")).shape == (23,)
    zero = read_model_zip(directory / "net0.zip")  # M2.1's own empty-array record
    assert zero.params is None and zero.updater_state is None


class _Pipe(io.RawIOBase):
    def __init__(self, fileobj):
        self._f = fileobj

    def writable(self):
        return True

    def write(self, b):
        return self._f.write(b)


PY_ARRAYS = {
    "c_t3": (np.arange(24, dtype=np.float32).reshape(2, 3, 4), "c"),
    "f_t3": (np.arange(24, dtype=np.float64).reshape(2, 3, 4), "f"),
    "f_row": (np.arange(5, dtype=np.float32).reshape(1, 5), "f"),
    "scalar": (np.array(7.0), "c"),
    "empty": (np.zeros((2, 0), np.float32), "c"),
    "half": (np.array([1.5, -2.0, 65504.0], np.float16), "c"),
    **{f"dtype_{n}": (SMALL.astype(dt.native), "c") for n, dt in DTYPES.items() if n != "BFLOAT16"},
}


def test_python_written_files_load_in_m21(m21, tmp_path):
    directory, outputs = m21
    for name, (arr, order) in PY_ARRAYS.items():
        (tmp_path / f"{name}.bin").write_bytes(write_array(arr, order=order))
    net = read_model_zip(directory / "net.zip")
    write_model_zip(tmp_path / "deflated.zip", net)
    write_model_zip(tmp_path / "stored.zip", net, compression="stored")
    with open(tmp_path / "descriptors.zip", "wb") as f:  # non-seekable: data descriptors
        write_model_zip(_Pipe(f), net)
    write_model_zip(tmp_path / "no_updater.zip", RawModelZip(net.configuration_json, net.params))
    zero = read_model_zip(directory / "net0.zip")
    write_model_zip(tmp_path / "zero.zip", zero)
    # issue 17: an unknown entry read raw (never inflated) and copied as stored; and the zip64 local headers the
    # writer uses for entries announced as >= 4 GiB
    from pydl4j_transfer.zipio.archive import RawEntry, SizedWriter, write_zip_atomic
    from pydl4j_transfer.zipio.model_zip import _array_writer

    with_extra = RawModelZip(net.configuration_json, net.params, net.updater_state,
                             extra_entries={"objects/key": RawEntry.from_bytes(b"\xac\xed raw")})
    write_model_zip(tmp_path / "extras_raw.zip", with_extra)
    assert isinstance(read_model_zip(tmp_path / "extras_raw.zip").extra_entries["objects/key"], RawEntry)
    write_zip_atomic(tmp_path / "zip64_headers.zip", [
        ("configuration.json", net.configuration_json.encode()),
        ("coefficients.bin", SizedWriter(5 << 30, _array_writer(net.params).write)),
        ("updaterState.bin", SizedWriter(5 << 30, _array_writer(net.updater_state).write))], compression="stored")

    lines = {tuple(line.split(" ", 2)[:2]): line.split(" ", 2)[2] for line in _run_java("check", tmp_path)}
    assert not [key for key in lines if key[0] == "FAILED"], lines
    nd4j_name = {np.dtype(dt.native): n for n, dt in DTYPES.items() if n != "BFLOAT16"}
    for name, (arr, _) in PY_ARRAYS.items():
        dtype, shape, values = re.fullmatch(r"(\w+) \[([^\]]*)\] (\[[^\]]*\])",
                                            lines[("ARRAY", f"{name}.bin")]).groups()
        assert dtype == nd4j_name[arr.dtype]
        assert [int(s) for s in shape.split(", ") if s] == list(arr.shape)
        np.testing.assert_array_equal(_values(values), arr.astype(np.float64).ravel())
    for name in ("deflated.zip", "stored.zip", "descriptors.zip", "no_updater.zip", "extras_raw.zip",
                 "zip64_headers.zip"):
        n_params, params, state = re.fullmatch(r"(\d+) (\[[^\]]*\]) (\[[^\]]*\]|null)",
                                               lines[("MODEL", name)]).groups()
        assert int(n_params) == 23
        np.testing.assert_array_equal(_values(params), net.params)
        if name == "no_updater.zip":
            assert not _values(state).any()  # fresh Adam state
        else:
            np.testing.assert_array_equal(_values(state), net.updater_state)
        np.testing.assert_array_equal(_values(lines[("OUTPUT", name)]), outputs["net.zip"])
    assert lines[("MODEL", "zero.zip")].split(" ")[0] == "0"
