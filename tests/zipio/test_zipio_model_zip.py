"""RawModelZip: reading real DL4J zips, writing what ModelSerializer writes, and layer hygiene."""

from __future__ import annotations

import ast
import io
import struct
import subprocess
import sys
import tracemalloc
import zipfile
from pathlib import Path

import numpy as np
import pytest

from pydl4j_transfer.errors import CorruptEntryError, MissingEntryError, NotADl4jZipError
from pydl4j_transfer.zipio import (
    COEFFICIENTS_BIN, CONFIGURATION_JSON, NO_PARAMS_MARKER, NORMALIZER_BIN, UPDATER_BIN, RawModelZip,
    read_array, read_model_zip, write_array, write_model_zip,
)

from ._support import LEGACY_ZIPS, M21_EMPTY_FLOAT, legacy_file, record

ZIPIO_DIR = Path(__file__).parents[2] / "pydl4j_transfer" / "zipio"


def _zip(path: Path, entries) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries:
            zf.writestr(name, data)
    return path


# --- reading real files ---------------------------------------------------------------------------


@pytest.mark.parametrize("rel", LEGACY_ZIPS)
def test_legacy_zip_params_and_state(rel):
    raw = read_model_zip(legacy_file(rel))
    assert raw.configuration_json.lstrip().startswith("{")
    for vec in (raw.params, raw.updater_state):
        assert vec.ndim == 1 and vec.dtype == np.float32
        np.testing.assert_array_equal(vec, np.arange(1, vec.size + 1, dtype=np.float32))
    assert raw.normalizer is None and raw.extra_entries == {}
    assert read_model_zip(legacy_file(rel), load_updater=False).updater_state is None


@pytest.mark.parametrize("rel, n_params, n_state", [
    ("100a/upsampling/net.bin", 94178, None),
    ("100b4/SyntheticCNN_100b4.bin", 1304, 2608),
    ("100b6/SyntheticBidirectionalRNNGraph_100b6.bin", 4515, 9030),
])
def test_later_zips(rel, n_params, n_state):
    raw = read_model_zip(legacy_file(rel))
    assert raw.params.shape == (n_params,)
    assert (raw.updater_state is None) if n_state is None else raw.updater_state.shape == (n_state,)


@pytest.mark.parametrize("rel", [LEGACY_ZIPS[0], "100b6/SyntheticCNN_100b6.bin"])
def test_rewriting_a_real_zip_keeps_everything(tmp_path, rel):
    original = read_model_zip(legacy_file(rel))
    out = tmp_path / "again.zip"
    write_model_zip(out, original)
    again = read_model_zip(out)
    assert again.configuration_json == original.configuration_json
    np.testing.assert_array_equal(again.params, original.params)
    np.testing.assert_array_equal(again.updater_state, original.updater_state)
    with zipfile.ZipFile(legacy_file(rel)) as zf:
        if rel.startswith("100b6"):  # MIXED_DATA_TYPES [1,N] float: identical entry bytes
            with zipfile.ZipFile(out) as mine:
                assert mine.read(COEFFICIENTS_BIN) == zf.read(COEFFICIENTS_BIN)
                assert mine.read(UPDATER_BIN) == zf.read(UPDATER_BIN)


# --- writing ----------------------------------------------------------------------------------------


def _full(params=None) -> RawModelZip:
    return RawModelZip(
        configuration_json='{"confs": [], "name": "caf\u00e9"}',
        params=np.arange(10, dtype=np.float32) if params is None else params,
        updater_state=np.arange(20, dtype=np.float32) * 0.5,
        normalizer=b"\x00\x0aNORMALIZER...",
        extra_entries={"objects/key": b"\xac\xed java", "preprocessor.bin": b"\xac\xed pp"},
    )


def test_write_entry_order_and_contents(tmp_path):
    path = tmp_path / "m.zip"
    raw = _full()
    write_model_zip(path, raw)
    with zipfile.ZipFile(path) as zf:
        assert zf.namelist() == [CONFIGURATION_JSON, COEFFICIENTS_BIN, UPDATER_BIN, NORMALIZER_BIN,
                                 "objects/key", "preprocessor.bin"]
        assert {i.compress_type for i in zf.infolist()} == {zipfile.ZIP_DEFLATED}
        assert zf.read(CONFIGURATION_JSON) == raw.configuration_json.encode("utf-8")
        coeff = zf.read(COEFFICIENTS_BIN)
        assert coeff == write_array(raw.params.reshape(1, -1), order="c")
        assert list(struct.unpack_from(">8q", coeff, 32)) == [2, 1, 10, 1, 1, 8192, 1, 99]
        assert read_array(zf.read(UPDATER_BIN)).shape == (1, 20)
        assert zf.read(NORMALIZER_BIN) == raw.normalizer
    back = read_model_zip(path)
    assert back.configuration_json == raw.configuration_json
    np.testing.assert_array_equal(back.params, raw.params)
    np.testing.assert_array_equal(back.updater_state, raw.updater_state)
    assert back.normalizer == raw.normalizer and back.extra_entries == raw.extra_entries
    assert list(back.extra_entries) == ["objects/key", "preprocessor.bin"]


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16])
def test_param_dtypes_survive(tmp_path, dtype):
    raw = RawModelZip("{}", np.linspace(-1, 1, 33).astype(dtype))
    write_model_zip(tmp_path / "m.zip", raw, compression="stored")
    back = read_model_zip(tmp_path / "m.zip")
    assert back.params.dtype == dtype and back.updater_state is None
    np.testing.assert_array_equal(back.params, raw.params)


@pytest.mark.parametrize("params", [None, np.zeros(0, np.float32)])
def test_zero_param_network(tmp_path, params):
    path = tmp_path / "z.zip"
    write_model_zip(path, RawModelZip("{}", params, updater_state=np.zeros(0)))
    with zipfile.ZipFile(path) as zf:
        assert zf.namelist() == [CONFIGURATION_JSON, COEFFICIENTS_BIN, NO_PARAMS_MARKER]
        assert zf.read(COEFFICIENTS_BIN) == b"" and zf.read(NO_PARAMS_MARKER) == b""
    back = read_model_zip(path)
    assert back.params is None and back.updater_state is None and back.extra_entries == {}


@pytest.mark.parametrize("coeff", [
    M21_EMPTY_FLOAT,  # exactly what M2.1 writes for a zero-param network
    record([0], b"", extras=8192 | 8),  # shape [0] + a 0-element data record
    record([0], b"", extras=8192 | 8).rsplit(b"\x00\x10MIXED_DATA_TYPES", 1)[0],  # no data record
])
def test_m21_empty_array_record_reads_as_no_params(tmp_path, coeff):
    path = _zip(tmp_path / "m21.zip", [(CONFIGURATION_JSON, b"{}"), (COEFFICIENTS_BIN, coeff)])
    assert read_model_zip(path).params is None


def test_rank1_m21_params_are_read(tmp_path):
    vec = np.arange(7, dtype=np.float32)
    path = _zip(tmp_path / "r1.zip", [(CONFIGURATION_JSON, b"{}"), (COEFFICIENTS_BIN, write_array(vec)),
                                      (UPDATER_BIN, write_array(vec * 2))])
    back = read_model_zip(path)
    np.testing.assert_array_equal(back.params, vec)
    np.testing.assert_array_equal(back.updater_state, vec * 2)


def test_reserved_names_in_extra_entries_are_refused(tmp_path):
    raw = RawModelZip("{}", np.ones(2, np.float32), extra_entries={UPDATER_BIN: b""})
    with pytest.raises(ValueError, match="updaterState.bin"):
        write_model_zip(tmp_path / "x.zip", raw)


def test_write_model_zip_to_a_file_object():
    buf = io.BytesIO()
    write_model_zip(buf, _full())
    buf.seek(0)
    np.testing.assert_array_equal(read_model_zip(buf).params, _full().params)


# --- bad input ----------------------------------------------------------------------------------------


def test_missing_configuration(tmp_path):
    path = _zip(tmp_path / "m.zip", [(COEFFICIENTS_BIN, write_array(np.ones((1, 2))))])
    with pytest.raises(MissingEntryError, match=r"^configuration.json: .*m.zip") as info:
        read_model_zip(path)
    assert info.value.entry == CONFIGURATION_JSON


def test_configuration_not_utf8(tmp_path):
    path = _zip(tmp_path / "m.zip", [(CONFIGURATION_JSON, b"{\xff}"), (COEFFICIENTS_BIN, b"")])
    with pytest.raises(CorruptEntryError, match="configuration.json: not UTF-8"):
        read_model_zip(path)


def test_missing_coefficients(tmp_path):
    path = _zip(tmp_path / "m.zip", [(CONFIGURATION_JSON, b"{}")])
    with pytest.raises(MissingEntryError, match="coefficients.bin"):
        read_model_zip(path)


def test_empty_coefficients_without_marker(tmp_path):
    path = _zip(tmp_path / "m.zip", [(CONFIGURATION_JSON, b"{}"), (COEFFICIENTS_BIN, b"")])
    with pytest.raises(CorruptEntryError, match="coefficients.bin: .*noParams.marker"):
        read_model_zip(path)


@pytest.mark.parametrize("entry", [COEFFICIENTS_BIN, UPDATER_BIN])
@pytest.mark.parametrize("damage, match", [
    (lambda b: b + b"\0\0", "2 trailing bytes"),
    (lambda b: b[:-3], "truncated"),
    (lambda b: b[:20], "truncated"),
])
def test_damaged_array_entries_name_the_entry(tmp_path, entry, damage, match):
    good = write_array(np.ones((1, 50), np.float32))
    entries = {CONFIGURATION_JSON: b"{}", COEFFICIENTS_BIN: good, UPDATER_BIN: good}
    entries[entry] = damage(good)
    path = _zip(tmp_path / "m.zip", list(entries.items()))
    with pytest.raises(CorruptEntryError, match=f"{entry}: .*{match}") as info:
        read_model_zip(path)
    assert info.value.entry == entry


def test_matrix_params_are_refused(tmp_path):
    path = _zip(tmp_path / "m.zip", [(CONFIGURATION_JSON, b"{}"),
                                     (COEFFICIENTS_BIN, write_array(np.ones((2, 3), np.float32)))])
    with pytest.raises(CorruptEntryError, match=r"coefficients.bin: .*\[2, 3\]"):
        read_model_zip(path)


def test_not_a_zip(tmp_path):
    (tmp_path / "m.zip").write_text("hello")
    with pytest.raises(NotADl4jZipError):
        read_model_zip(tmp_path / "m.zip")


def test_crc_error_while_streaming_params_is_corrupt_entry(tmp_path):
    path = tmp_path / "m.zip"
    write_model_zip(path, RawModelZip("{}", np.arange(5000, dtype=np.float32)), compression="stored")
    raw = bytearray(path.read_bytes())
    raw[raw.index(b"coefficients.bin") + len(b"coefficients.bin") + 200] ^= 0x01  # inside the data
    path.write_bytes(bytes(raw))
    with pytest.raises(CorruptEntryError, match="coefficients.bin: .*CRC"):
        read_model_zip(path)


# --- memory ------------------------------------------------------------------------------------------


def test_read_model_zip_peak_memory_is_about_the_params(tmp_path):
    n = 5_000_000
    path = tmp_path / "big.zip"
    write_model_zip(path, RawModelZip("{}", np.arange(n, dtype=np.float32)), compresslevel=1)
    tracemalloc.start()
    try:
        raw = read_model_zip(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert raw.params.shape == (n,)
    assert peak < 4 * n + (8 << 20)  # the decoded params plus a few 1 MiB inflate chunks


# --- layer hygiene -------------------------------------------------------------------------------------


# isal: optional, faster DEFLATE (imported in a try; zlib when absent)
ALLOWED_IMPORTS = {"numpy", "isal", "rapidgzip", "pydl4j_transfer.errors", "pydl4j_transfer.zipio", "__future__"}


def _imports(path: Path):
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            yield node.module


def test_zipio_imports_only_stdlib_numpy_and_errors():
    stdlib = sys.stdlib_module_names
    for path in sorted(ZIPIO_DIR.glob("*.py")):
        for module in _imports(path):
            top = module.split(".")[0]
            ok = top in stdlib or any(module == a or module.startswith(a + ".") for a in ALLOWED_IMPORTS)
            assert ok, f"{path.name} imports {module}"
            assert top != "pickle", path.name
        assert "allow_pickle=True" not in path.read_text()


def test_importing_zipio_pulls_in_no_torch_jpype_or_conf():
    code = ("import sys, pydl4j_transfer.zipio; "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('torch', 'jpype') "
            "or m.startswith('pydl4j_transfer.conf')]; print(bad); assert not bad")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parents[2])
