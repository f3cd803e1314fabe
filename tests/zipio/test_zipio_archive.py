"""The zip container: reading with DL4J's rules and zip-bomb limits, atomic writing."""

from __future__ import annotations

import io
import os
import signal
import struct
import subprocess
import sys
import textwrap
import time
import tracemalloc
import warnings
import zipfile
from pathlib import Path

import pytest

from pydl4j_transfer.errors import CorruptEntryError, NotADl4jZipError, ZipBombError
from pydl4j_transfer.zipio import read_zip_entries, write_zip_atomic

from ._support import LEGACY_ZIPS, legacy_file

REPO_ROOT = Path(__file__).parents[2]


def _zip(path: Path, entries, method=zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compression=method) as zf:
        for name, data in entries:
            zf.writestr(name, data)
    return path


# --- reading ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("rel", LEGACY_ZIPS[:4] + ("100a/upsampling/net.bin",))
def test_reads_real_dl4j_zips_in_order(rel):
    path = legacy_file(rel)
    entries = read_zip_entries(path)
    with zipfile.ZipFile(path) as zf:
        assert list(entries) == zf.namelist()
        assert all(entries[n] == zf.read(n) for n in zf.namelist())
    assert list(entries)[:2] == ["configuration.json", "coefficients.bin"]


def test_reads_from_a_file_object(tmp_path):
    raw = _zip(tmp_path / "a.zip", [("b", b"2"), ("a", b"1")]).read_bytes()
    assert read_zip_entries(io.BytesIO(raw)) == {"b": b"2", "a": b"1"}
    assert list(read_zip_entries(io.BytesIO(raw))) == ["b", "a"]


def test_large_entry_round_trip_is_exact(tmp_path):
    payload = os.urandom(1 << 20) * 9  # > two read chunks, incompressible-ish
    path = tmp_path / "big.zip"
    write_zip_atomic(path, [("p", payload)])
    assert read_zip_entries(path)["p"] == payload


def test_duplicate_names_last_wins(tmp_path):
    path = tmp_path / "dup.zip"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _zip(path, [("x", b"first"), ("x", b"second")])
    assert read_zip_entries(path) == {"x": b"second"}


def test_missing_path(tmp_path):
    missing = tmp_path / "nope.zip"
    with pytest.raises(NotADl4jZipError, match="nope.zip: no such file") as info:
        read_zip_entries(missing)
    assert info.value.entry == str(missing)


def test_directory_path(tmp_path):
    with pytest.raises(NotADl4jZipError, match="directory"):
        read_zip_entries(tmp_path)


@pytest.mark.parametrize("content", [b"", b"{\"json\": true}\n", b"PK\x03\x04 not really"])
def test_not_a_zip(tmp_path, content):
    path = tmp_path / "model.zip"
    path.write_bytes(content)
    with pytest.raises(NotADl4jZipError, match="model.zip: not a zip"):
        read_zip_entries(path)


@pytest.mark.parametrize("keep", [0.5, 0.9, -10])
def test_truncated_zip(tmp_path, keep):
    entries = [("configuration.json", b"{}" * 5000), ("coefficients.bin", os.urandom(5000))]
    raw = _zip(tmp_path / "a.zip", entries).read_bytes()
    cut = tmp_path / "cut.zip"
    cut.write_bytes(raw[:int(len(raw) * keep)] if keep > 0 else raw[:keep])
    with pytest.raises(NotADl4jZipError, match="cut.zip"):
        read_zip_entries(cut)


def test_directory_entry_is_rejected(tmp_path):
    path = tmp_path / "dirs.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("configuration.json", b"{}")
        zf.writestr(zipfile.ZipInfo("objects/"), b"")
    with pytest.raises(CorruptEntryError, match=r"objects/: directory entry") as info:
        read_zip_entries(path)
    assert info.value.entry == "objects/"


def _flip_data_byte(raw: bytes) -> bytes:
    """Corrupt one byte of the first entry's data (after its local header)."""
    pos = raw.index(b"PK\x03\x04")
    name_len, extra_len = struct.unpack_from("<HH", raw, pos + 26)
    at = pos + 30 + name_len + extra_len + 3
    return raw[:at] + bytes([raw[at] ^ 0xFF]) + raw[at + 1:]


@pytest.mark.parametrize("method", [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
def test_crc_error(tmp_path, method):
    raw = _zip(tmp_path / "a.zip", [("coefficients.bin", bytes(range(256)) * 40)], method).read_bytes()
    bad = tmp_path / "bad.zip"
    bad.write_bytes(_flip_data_byte(raw))
    with pytest.raises(CorruptEntryError, match="coefficients.bin: ") as info:
        read_zip_entries(bad)
    assert info.value.entry == "coefficients.bin"


def _declare_size(raw: bytes, size: int) -> bytes:
    """Patch the central directory's uncompressed-size field of the first entry."""
    cd = raw.index(b"PK\x01\x02")
    return raw[:cd + 24] + struct.pack("<I", size) + raw[cd + 28:]


def test_zip_bomb_declared_size_is_refused_before_inflating(tmp_path):
    raw = _zip(tmp_path / "a.zip", [("coefficients.bin", b"\0" * 1000)]).read_bytes()
    bomb = tmp_path / "bomb.zip"
    bomb.write_bytes(_declare_size(raw, 0xFFFFFFF0))  # ~4 GiB declared
    tracemalloc.start()
    try:
        with pytest.raises(ZipBombError, match=r"coefficients.bin: compression ratio"):
            read_zip_entries(bomb)
        with pytest.raises(ZipBombError, match=r"coefficients.bin: declared uncompressed size"):
            read_zip_entries(bomb, max_ratio=float("inf"), max_total=1 << 30)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1 << 20  # nothing near the declared size was allocated


def test_zip_bomb_real_high_ratio_entry(tmp_path):
    path = _zip(tmp_path / "zeros.zip", [("updaterState.bin", b"\0" * (20 << 20))])
    ratio = (20 << 20) / zipfile.ZipFile(path).getinfo("updaterState.bin").compress_size
    assert ratio > 500  # a real, honest DEFLATE entry with a very high ratio
    assert len(read_zip_entries(path)["updaterState.bin"]) == 20 << 20  # defaults accept it
    with pytest.raises(ZipBombError, match=r"updaterState.bin: compression ratio .* max_ratio=100"):
        read_zip_entries(path, max_ratio=100)
    with pytest.raises(ZipBombError, match="updaterState.bin: .*max_total"):
        read_zip_entries(path, max_total=10 << 20)


def test_too_many_entries(tmp_path):
    path = _zip(tmp_path / "many.zip", [(f"objects/{i}", b"x") for i in range(12)])
    with pytest.raises(ZipBombError, match="12 entries"):
        read_zip_entries(path, max_entries=10)
    assert len(read_zip_entries(path)) == 12


def test_real_beta6_zip_passes_default_limits():
    """SyntheticCNN_100b6's updaterState.bin is 107.8:1 -- later DL4J's 100:1 would refuse it."""
    path = legacy_file("100b6/SyntheticCNN_100b6.bin")
    read_zip_entries(path)
    with pytest.raises(ZipBombError, match="updaterState.bin"):
        read_zip_entries(path, max_ratio=100)


# --- writing ---------------------------------------------------------------------------------------


def test_write_order_method_and_no_directories(tmp_path):
    path = tmp_path / "m.zip"
    entries = [("configuration.json", b"{}"), ("coefficients.bin", b"\1" * 1000),
               ("updaterState.bin", lambda f: f.write(b"\2" * 1000)), ("objects/x", bytearray(b"o"))]
    write_zip_atomic(path, entries)
    with zipfile.ZipFile(path) as zf:
        infos = zf.infolist()
        assert [i.filename for i in infos] == [n for n, _ in entries]
        assert {i.compress_type for i in infos} == {zipfile.ZIP_DEFLATED}
        assert not any(i.is_dir() for i in infos)
        assert zf.read("updaterState.bin") == b"\2" * 1000
        assert zf.testzip() is None


def test_stored_entries_carry_sizes_in_the_local_header(tmp_path):
    """Java's ZipInputStream rejects STORED entries that rely on a data descriptor."""
    path = tmp_path / "s.zip"
    write_zip_atomic(path, [("a", b"abc"), ("b", lambda f: f.write(b"defg"))], compression="stored")
    raw = path.read_bytes()
    pos = 0
    for name, size in ((b"a", 3), (b"b", 4)):
        pos = raw.index(b"PK\x03\x04", pos)
        flags, method = struct.unpack_from("<HH", raw, pos + 6)
        csize, usize = struct.unpack_from("<II", raw, pos + 18)
        assert (flags & 8, method, csize, usize) == (0, 0, size, size)
        pos += 30
    assert read_zip_entries(path) == {"a": b"abc", "b": b"defg"}


def test_write_to_file_object_and_bad_arguments(tmp_path):
    buf = io.BytesIO()
    write_zip_atomic(buf, [("a", b"1")])
    assert read_zip_entries(io.BytesIO(buf.getvalue())) == {"a": b"1"}
    with pytest.raises(ValueError, match="directory"):
        write_zip_atomic(buf, [("dir/", b"")])
    with pytest.raises(ValueError, match="duplicate"):
        write_zip_atomic(buf, [("a", b""), ("a", b"")])
    with pytest.raises(ValueError, match="compression"):
        write_zip_atomic(buf, [("a", b"")], compression="lzma")


class _Pipe(io.RawIOBase):
    def writable(self):
        return True

    def write(self, b):
        return len(b)


def test_stored_to_unseekable_output_is_refused():
    with pytest.raises(ValueError, match="seekable"):
        write_zip_atomic(_Pipe(), [("a", b"1")], compression="stored")
    write_zip_atomic(_Pipe(), [("a", b"1")])  # DEFLATED with a data descriptor is fine for Java


def test_replaces_existing_file_with_normal_permissions(tmp_path):
    path = tmp_path / "m.zip"
    path.write_bytes(b"old")
    write_zip_atomic(path, [("a", b"new")])
    assert read_zip_entries(path) == {"a": b"new"}
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.zip"]


def test_failing_entry_leaves_old_file_and_no_temp_file(tmp_path):
    path = tmp_path / "m.zip"
    write_zip_atomic(path, [("a", b"old")])
    before = path.read_bytes()

    def boom(f):
        f.write(b"x" * 100000)
        raise RuntimeError("writer failed")
    with pytest.raises(RuntimeError, match="writer failed"):
        write_zip_atomic(path, [("a", b"new"), ("b", boom)])
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.zip"]
    with pytest.raises(RuntimeError):
        write_zip_atomic(tmp_path / "fresh.zip", [("b", boom)])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.zip"]


_KILLED_WRITER = textwrap.dedent("""
    import sys, time
    from pydl4j_transfer.zipio import write_zip_atomic

    def slow(f):
        chunk = bytes(range(256)) * 4096
        f.write(chunk)
        print("started", flush=True)
        for _ in range(3_000):  # bounded, should the kill ever be missed
            f.write(chunk)
            time.sleep(0.01)

    write_zip_atomic(sys.argv[1], [("configuration.json", b"{}"), ("coefficients.bin", slow)])
    print("finished", flush=True)
""")


def test_sigkill_mid_write_leaves_old_file_intact(tmp_path):
    path = tmp_path / "model.zip"
    write_zip_atomic(path, [("configuration.json", b'{"old": true}')])
    before = path.read_bytes()
    env = dict(os.environ, PYTHONPATH=str(REPO_ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    proc = subprocess.Popen([sys.executable, "-c", _KILLED_WRITER, str(path)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "started", proc.stderr.read()
        time.sleep(0.2)
        temps = [p for p in tmp_path.iterdir() if p.name != "model.zip"]
        assert len(temps) == 1 and temps[0].name.startswith(".model.zip.")  # mid-write
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert path.read_bytes() == before
    assert read_zip_entries(path) == {"configuration.json": b'{"old": true}'}


# --- large DEFLATE entries inflated on several cores (rapidgzip) --------------------------------------


def _float_bytes(n: int) -> bytes:
    import numpy as np

    return np.random.default_rng(5).standard_normal(n).astype(">f4").tobytes()  # DL4J-like: poorly compressible


@pytest.fixture
def parallel_inflate(monkeypatch):
    from pydl4j_transfer.zipio import archive

    if archive._rapidgzip is None or archive._CORES < 2:
        pytest.skip("rapidgzip not installed or a single core: large entries inflate on one core")
    if not archive.parallel_inflate_allowed():
        pytest.skip("this process has an address-space limit: rapidgzip is not used under one")
    monkeypatch.setattr(archive, "PARALLEL_INFLATE_MIN", 1 << 20)  # small entries take the parallel path too
    monkeypatch.setattr(archive, "PARALLEL_COMPRESSED_MIN", 1 << 20)
    return archive


def test_large_deflate_entry_inflates_in_parallel_to_the_same_bytes(tmp_path, parallel_inflate):
    data = _float_bytes(1_500_000)  # 6 MB
    path = _zip(tmp_path / "a.zip", [("configuration.json", b"{}"), ("coefficients.bin", data)])
    with parallel_inflate.ZipReader(path) as zf:
        info = zf.getinfo("coefficients.bin")
        with parallel_inflate.open_member(zf, info) as member:
            assert isinstance(member.raw, parallel_inflate._ParallelMemberReader)
            assert member.read() == data
    assert read_zip_entries(path)["coefficients.bin"] == data


def test_large_deflate_entry_corrupt_in_the_middle_is_a_corrupt_entry_error(tmp_path, parallel_inflate):
    raw = bytearray(_zip(tmp_path / "a.zip", [("coefficients.bin", _float_bytes(1_500_000))]).read_bytes())
    raw[len(raw) // 2] ^= 0xFF
    bad = tmp_path / "bad.zip"
    bad.write_bytes(bytes(raw))
    with pytest.raises(CorruptEntryError) as info:
        read_zip_entries(bad)
    assert info.value.entry == "coefficients.bin"


def test_stored_first_block_stays_on_the_single_stream_path(tmp_path, parallel_inflate):
    # a raw DEFLATE stream that opens with a stored block (level 0) could look like a zlib header to rapidgzip
    data = _float_bytes(400_000)
    path = tmp_path / "a.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=0) as zf:
        zf.writestr("coefficients.bin", data)
    with parallel_inflate.ZipReader(path) as zf:
        with parallel_inflate.open_member(zf, zf.getinfo("coefficients.bin")) as member:
            assert isinstance(member.raw, parallel_inflate._MemberReader)
            assert member.read() == data


@pytest.mark.parametrize("level", [1, 6, 9])
def test_highly_compressible_deflate_entry_reads_back(tmp_path, level):
    """Found by the SIGKILL harness (tests/fuzz/kill_writes.py): 32 MiB of nearly constant floats deflate to
    ~150 KB; once every compressed byte was in, the inflater still held output (a long match cut at the
    previous call's max_length) and the reader reported 'compressed data ends early'."""
    import numpy as np

    from pydl4j_transfer.zipio import RawModelZip, read_model_zip, write_model_zip

    params = np.full(8 << 20, 3.0, np.float32)
    params[::4096] = 1.0
    path = tmp_path / "m.zip"
    write_model_zip(path, RawModelZip("{}", params), compression="deflated", compresslevel=level)
    np.testing.assert_array_equal(read_model_zip(path).params, params)
    zeros = bytes(40 << 20)
    write_zip_atomic(path, [("a", zeros)], compresslevel=level)
    assert read_zip_entries(path)["a"] == zeros


def test_entries_announced_as_4_gib_or_more_get_zip64_headers(tmp_path):
    """A streamed entry whose size hint is >= 4 GiB is written with zip64 sizes in its local header
    (0xFFFFFFFF + the zip64 extra field, which Java's ZipInputStream reads); readers see the true sizes."""
    from pydl4j_transfer.zipio.archive import SizedWriter

    path = tmp_path / "z64.zip"
    write_zip_atomic(path, [("configuration.json", b"{}"), ("coefficients.bin",
                                                            SizedWriter(5 << 30, lambda f: f.write(b"x" * 1000)))],
                     compression="stored")
    raw = path.read_bytes()
    pos = raw.index(b"PK\x03\x04coefficients.bin"[:4], raw.index(b"{}"))
    csize, usize, n_name, n_extra = struct.unpack_from("<IIHH", raw, pos + 18)
    assert (csize, usize) == (0xFFFFFFFF, 0xFFFFFFFF)
    tag, size, real_usize, real_csize = struct.unpack_from("<HHQQ", raw, pos + 30 + n_name)
    assert (tag, size, real_usize, real_csize) == (1, 16, 1000, 1000)
    assert read_zip_entries(path)["coefficients.bin"] == b"x" * 1000
    with zipfile.ZipFile(path) as zf:
        assert zf.read("coefficients.bin") == b"x" * 1000
