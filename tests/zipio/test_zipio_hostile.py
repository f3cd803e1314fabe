"""The hostile and broken files of issue 17, built by hand: each gets the typed error that names the file or
entry, within bounded memory, from every entry point that reads it."""

from __future__ import annotations

import io
import struct
import tracemalloc
import zlib
from pathlib import Path

import numpy as np
import pytest

from pydl4j_transfer import load
from pydl4j_transfer.errors import (
    CorruptEntryError, NotADl4jZipError, Pydl4jTransferError, ZipBombError,
)
from pydl4j_transfer.zipio import RawModelZip, read_array, read_model_zip, read_zip_entries, write_model_zip
from pydl4j_transfer.zipio.archive import RawEntry

from ..fuzz.formats import Rec, ZEntry, ZipModel, parse_record, parse_zip

FIXTURE = Path(__file__).parents[2] / "compat_fixtures" / "1.0.0-M2.1" / "mlp_dense_output" / "model.zip"


def _fixture_model() -> ZipModel:
    return parse_zip(FIXTURE.read_bytes())


def _write(tmp_path, data: bytes, name="hostile.zip") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _patch(data: bytes, model: ZipModel, field: str, value: int) -> bytes:
    offset, fmt = next((o, f) for n, o, f in model.fields if n == field)
    return data[:offset] + struct.pack(fmt, value) + data[offset + struct.calcsize(fmt):]


def _all_readers(path, structural=True):
    """The entry points reading a zip; ``restoreNormalizerFromFile`` inflates normalizer.bin only, so it sees
    damage to the zip's structure (``structural``) but not to another entry's data."""
    from pydl4j_transfer.convert.inspect import inspect_model
    from pydl4j_transfer.nn import ModelSerializer

    readers = [lambda: load(path), lambda: read_zip_entries(path), lambda: inspect_model(path)]
    if structural:
        readers.append(lambda: ModelSerializer.restoreNormalizerFromFile(path))
    return readers


def _expect(path, error=Pydl4jTransferError, match=None, structural=True):
    for read in _all_readers(path, structural):
        with pytest.raises(error, match=match):
            read()


# --- the central directory ---------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [0xFFFFFFFF, 0x7FFFFFFF, 123456])
def test_central_directory_offset_outside_the_file(tmp_path, value):
    model = _fixture_model()
    data = _patch(model.dump(), model, "eocd.cd_offset", value)
    _expect(_write(tmp_path, data), NotADl4jZipError, "hostile.zip: not a zip")


def test_zip64_offset_of_2_to_the_64_minus_1(tmp_path):
    model = _fixture_model()
    model.entries[1].central_extra = struct.pack("<HHQ", 1, 8, 2 ** 64 - 1)
    data = _patch(model.dump(), model, "central[1].offset", 0xFFFFFFFF)
    _expect(_write(tmp_path, data), CorruptEntryError, "coefficients.bin")


def test_unknown_extract_version_is_read_like_java_does(tmp_path):
    """zipfile raised NotImplementedError('zip file version 25.5'); Java's ZipInputStream ignores the field."""
    model = _fixture_model()
    data = model.dump()
    for i in range(len(model.entries)):
        data = _patch(data, model, f"central[{i}].version", 255)
        data = _patch(data, model, f"local[{i}].version", 255)
    assert load(_write(tmp_path, data)).numParams() > 0


def test_empty_entry_name(tmp_path):
    model = _fixture_model()
    model.entries.append(ZEntry.of(b"", b"x"))
    _expect(_write(tmp_path, model.dump()), CorruptEntryError, "empty name")


@pytest.mark.parametrize("method", [9, 12, 14, 99])
def test_unsupported_compression_methods(tmp_path, method):
    model = _fixture_model()
    model.entries[1].method = method
    _expect(_write(tmp_path, model.dump()), CorruptEntryError, f"coefficients.bin: compression method {method}")


def test_encrypted_entry(tmp_path):
    model = _fixture_model()
    model.entries[0].flags |= 1
    _expect(_write(tmp_path, model.dump()), CorruptEntryError, "configuration.json: encrypted entry")


def test_bad_local_header_and_name_mismatch(tmp_path):
    model = _fixture_model()
    data = model.dump()
    offset = next(o for n, o, _ in model.fields if n == "local[1].flags") - 6
    broken = data[:offset] + b"XX" + data[offset + 2:]
    _expect(_write(tmp_path, broken), CorruptEntryError, "coefficients.bin: bad local file header")
    name_at = offset + 30
    renamed = data[:name_at] + b"C" + data[name_at + 1:]
    _expect(_write(tmp_path, renamed, "renamed.zip"), CorruptEntryError, "coefficients.bin: the local header")


@pytest.mark.parametrize("cut", [10, 100, 400, -30, -1])
def test_truncated_zip(tmp_path, cut):
    data = FIXTURE.read_bytes()
    _expect(_write(tmp_path, data[:cut]), Pydl4jTransferError, "hostile.zip")


def test_corrupt_deflate_stream_is_a_corrupt_entry_error(tmp_path):
    """isal's IsalError is not a zlib.error: it escaped untyped."""
    model = _fixture_model()
    e = model.entries[1]
    e.data = b"\xff" * len(e.data)
    _expect(_write(tmp_path, model.dump()), CorruptEntryError, "coefficients.bin: cannot inflate", structural=False)


# --- sizes that are claims -----------------------------------------------------------------------------------


def test_declared_size_of_a_small_zip_is_never_allocated(tmp_path):
    """A 1.7 KB zip whose configuration.json claims 3.9e9 bytes used 3.75 GiB before failing."""
    model = _fixture_model()
    data = _patch(model.dump(), model, "central[0].usize", 3_900_000_000)
    path = _write(tmp_path, data)
    tracemalloc.start()
    try:
        for read in _all_readers(path, structural=False):
            with pytest.raises(ZipBombError, match="configuration.json"):
                read()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 << 20


def test_overlapping_entries_are_refused(tmp_path):
    """A 48 KB zip of central records that all point at one entry (the overlapping-entry bomb)."""
    payload = zlib.compressobj(9, zlib.DEFLATED, -15)
    body = payload.compress(bytes(40 << 20)) + payload.flush()
    model = ZipModel([ZEntry(b"configuration.json", 8, 0, zlib.crc32(bytes(40 << 20)), 40 << 20, body)])
    model.entries += [ZEntry(f"objects/{i}".encode(), 8, 0, 0, 40 << 20, b"") for i in range(40)]
    data = model.dump()
    for i in range(1, 41):  # every extra central record points at the first local header
        data = _patch(data, model, f"central[{i}].offset", 0)
    tracemalloc.start()
    try:
        _expect(_write(tmp_path, data), Pydl4jTransferError)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 << 20


def test_two_central_records_on_one_local_header_is_a_zip_bomb_error(tmp_path):
    model = _fixture_model()
    model.central = [0, 1, 1]
    _expect(_write(tmp_path, model.dump()), ZipBombError, "overlap")


def test_deflate_bomb_in_an_unknown_entry_is_kept_without_inflating_and_copied_raw(tmp_path):
    """1 MB of DEFLATE that inflates to ~1 GB, under a name DL4J does not read: it used to be inflated into
    memory on every load (2.4 GiB)."""
    co = zlib.compressobj(9, zlib.DEFLATED, -15)
    segment = co.compress(bytes(1 << 20)) + co.flush(zlib.Z_FULL_FLUSH)
    bomb = segment * 1000 + co.flush()
    crc = 0
    for _ in range(1000):
        crc = zlib.crc32(bytes(1 << 20), crc)
    model = _fixture_model()
    model.entries.append(ZEntry(b"objects/bomb", 8, 0, crc, 1000 << 20, bomb))
    path = _write(tmp_path, model.dump())
    tracemalloc.start()
    try:
        net = load(path)
        raw = read_model_zip(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 3 * len(bomb) + (16 << 20)
    entry = raw.extra_entries["objects/bomb"]
    assert isinstance(entry, RawEntry) and entry.file_size == 1000 << 20 and entry.data == bomb
    from pydl4j_transfer.nn import ModelSerializer

    out = tmp_path / "rewritten.zip"
    ModelSerializer.writeModel(net, out)
    again = parse_zip(out.read_bytes())
    copied = next(e for e in again.entries if e.name == b"objects/bomb")
    assert (copied.data, copied.crc, copied.usize, copied.method) == (bomb, crc, 1000 << 20, 8)
    with pytest.raises(ZipBombError, match="objects/bomb"):  # inflating it on demand keeps the limits
        entry.inflate(max_bytes=1 << 20, entry="objects/bomb")


def test_unknown_entries_round_trip_byte_for_byte(tmp_path):
    model = _fixture_model()
    model.entries.append(ZEntry.of("objects/key", b"\xac\xed java object", method=8))
    model.entries.append(ZEntry.of("preprocessor.bin", b"stored bytes", method=0))
    path = _write(tmp_path, model.dump(), "extras.zip")
    raw = read_model_zip(path)
    assert raw.extra_entries["objects/key"] == b"\xac\xed java object"
    assert raw.extra_entries["preprocessor.bin"] == b"stored bytes"
    write_model_zip(tmp_path / "out.zip", raw)
    back = read_zip_entries(tmp_path / "out.zip")
    assert back["objects/key"] == b"\xac\xed java object" and back["preprocessor.bin"] == b"stored bytes"
    assert RawEntry.from_bytes(b"abc") == RawEntry.from_bytes(b"abc", "stored") == b"abc"


# --- ND4J arrays -----------------------------------------------------------------------------------------


def _rec_bytes(shape, strides, data_count, dtype="FLOAT") -> bytes:
    info = [len(shape), *shape, *strides, 8192, 1, 99]
    return Rec("MIXED_DATA_TYPES", "LONG", info, "MIXED_DATA_TYPES", dtype, b"\x3f\x80\0\0" * data_count).dump()


def test_huge_stride_of_a_size_one_dimension_is_ignored_as_nd4j_does():
    """strides [1, 1, 2**61]: OverflowError inside numpy's as_strided."""
    arr = read_array(_rec_bytes([2, 1, 1], [1, 1, 2 ** 61], 2), entry="c.bin")
    np.testing.assert_array_equal(arr, np.ones((2, 1, 1), np.float32))


def test_huge_stride_of_a_real_dimension_is_a_corrupt_entry():
    with pytest.raises(CorruptEntryError, match="c.bin: .*reaches outside"):
        read_array(_rec_bytes([1, 2, 2], [4, 2 ** 61, 1], 4), entry="c.bin")


def test_empty_shape_too_big_for_numpy():
    """shape [0, 2**62]: numpy's 'array is too big' ValueError."""
    rec = Rec("MIXED_DATA_TYPES", "LONG", [2, 0, 2 ** 62, 0, 0, 8192 | 8, 0, 99], "MIXED_DATA_TYPES", "FLOAT", b"")
    for read in (lambda b: read_array(b, entry="c.bin"),
                 lambda b: __import__("pydl4j_transfer.zipio", fromlist=["x"]).read_array_from(io.BytesIO(b),
                                                                                                  entry="c.bin")):
        with pytest.raises(CorruptEntryError, match="c.bin: shape"):
            read(rec.dump())


def test_array_declaring_more_than_its_entry_holds_is_refused_before_allocating(tmp_path):
    rec, _ = parse_record(_rec_bytes([4], [1], 4))
    rec.info[1] = 2 ** 40
    rec.data_len = 2 ** 40
    model = _fixture_model()
    model.entries[1] = ZEntry.of(b"coefficients.bin", rec.dump())
    tracemalloc.start()
    try:
        with pytest.raises(CorruptEntryError, match="coefficients.bin: truncated"):
            load(_write(tmp_path, model.dump()))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 << 20


def test_params_of_the_wrong_length_name_the_entry(tmp_path):
    raw = read_model_zip(FIXTURE)
    write_model_zip(tmp_path / "short.zip", RawModelZip(raw.configuration_json, raw.params[:-1]))
    from pydl4j_transfer.errors import ParamLengthMismatchError

    with pytest.raises(ParamLengthMismatchError, match="coefficients.bin"):
        load(tmp_path / "short.zip")


# --- the CLI: a message and exit status 2, never a traceback ------------------------------------------------


@pytest.mark.parametrize("damage", ["method", "encrypted", "crc", "truncated-header"])
def test_cli_inspect_and_summary_report_damage_in_one_line(tmp_path, capsys, damage):
    from pydl4j_transfer import cli

    model = _fixture_model()
    if damage == "method":
        model.entries[1].method = 12
    elif damage == "encrypted":
        model.entries[1].flags |= 1
    elif damage == "crc":
        model.entries[1].crc ^= 1
    data = model.dump()
    if damage == "truncated-header":
        data = data[:40]
    path = _write(tmp_path, data)
    for command in ("inspect", "summary"):
        assert cli.main([command, str(path)]) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"pydl4j-transfer {command}: error: ") and "Traceback" not in err
        assert len(err.strip().splitlines()) == 1
