"""The zip container of a DL4J model file, as ``ModelSerializer`` writes and reads it.

Mirrors ``org.deeplearning4j.util.ModelSerializer#writeModel`` (a ``java.util.zip.ZipOutputStream``)
and ``#loadZipData`` (a ``ZipInputStream`` read into a ``Map<name, byte[]>``); reference:
shared/reference/dl4j-format.md §1.

Byte-level facts a reader/writer must respect (PKWARE APPNOTE; observed in DL4J-written files):

* Entries are DEFLATE (method 8) at the default level, in write order, no directory entries
  (M2.1's ``loadZipData`` rejects a name ending in ``/`` with ``IllegalArgumentException``), no
  extra fields. DL4J's own files set flag bit 3 (sizes in a trailing data descriptor); the writer
  here puts the sizes in the local header instead (it seeks back to patch them), which
  ``ZipInputStream`` reads equally well.
* A STORED (method 0) entry must carry its sizes in the local header: ``ZipInputStream`` rejects
  STORED + data descriptor. So ``compression="stored"`` needs a path or a seekable file.
* Duplicate names: the last one wins (``HashMap.put``).

Reading is this module's own parser of the central directory (``zipfile`` trusts too much of what a
file declares: it raises ``NotImplementedError``, ``OSError`` or ``ValueError`` on hostile headers and
inflates overlapping entries). Before any byte is inflated, :class:`ZipReader` checks:

* the end-of-central-directory record (zip64 included), one disk only, the central directory exactly
  where the record says it ends, every record of it well formed (no empty names, known compression
  method STORED or DEFLATED, no encryption, STORED sizes equal);
* every entry's local header: its signature, the same name and method as the central directory, and
  its data inside the file, before the central directory;
* no two entries overlapping (the overlapping-entry zip bomb), and the limits below.

Zip-bomb limits, checked from the central directory for the entries that are inflated:

=================  ==================  =====================================================
limit              default             why
=================  ==================  =====================================================
``max_total``      4 GiB               sum of declared uncompressed sizes. Later DL4J uses
                                       1 GiB, but VGG16 params (553 MB float32) plus an Adam
                                       state (2x that) are ~1.7 GB.
``max_ratio``      1100                declared uncompressed / compressed size of one entry.
                                       DEFLATE cannot exceed ~1032:1, so no honest entry is
                                       refused (a freshly initialised all-zero updater state
                                       legitimately reaches ~1000:1). Later DL4J's 100:1 would
                                       refuse the real 1.0.0-beta6 ``updaterState.bin`` in
                                       ``SyntheticCNN_100b6.bin`` (107.8:1) were it not that
                                       ``ZipInputStream`` sees no sizes in DL4J's own files.
``max_entries``    100                 same as later DL4J; real model zips have 2..6 entries.
=================  ==================  =====================================================

Memory is bounded by the real data, never by a declared size: a DEFLATE entry's output grows as it
inflates (:func:`read_entry`); only a STORED entry, whose bytes are in the file, is allocated at its
declared size up front. Entries a caller does not decode are kept compressed (:class:`RawEntry`,
:func:`read_raw`) and copied unchanged on write.

Inflating uses ISA-L (``isal``) when installed, zlib otherwise; one large DEFLATE stream (DL4J's
params) inflates on several cores with ``rapidgzip`` -- only in a process without an address-space
limit (``RLIMIT_AS`` / ``RLIMIT_DATA``): rapidgzip reserves several times the data in virtual memory
and dies with SIGSEGV when a reservation fails, so under a limit the single-stream path is used.
"""

from __future__ import annotations

import contextlib
import io
import os
import struct
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO, Union

from pydl4j_transfer.errors import (
    CorruptEntryError, InsufficientMemoryError, NotADl4jZipError, ZipBombError,
)
from pydl4j_transfer.zipio.files import DEFAULT_MAX_STREAM_BYTES, atomic_write, open_regular, spool

__all__ = [
    "DEFAULT_MAX_TOTAL", "DEFAULT_MAX_RATIO", "DEFAULT_MAX_ENTRIES", "COMPRESSION", "STORED", "DEFLATED",
    "ZipEntry", "ZipReader", "RawEntry", "read_zip_entries", "write_zip_atomic", "open_checked_zip",
    "entry_errors", "read_entry", "read_raw", "open_member", "INFLATER", "parallel_inflate_allowed",
]

DEFAULT_MAX_TOTAL = 4 * 1024 ** 3
DEFAULT_MAX_RATIO = 1100.0
DEFAULT_MAX_ENTRIES = 100

STORED, DEFLATED = 0, 8
#: ``compression=`` names -> zip method numbers. DEFLATED is what DL4J writes.
COMPRESSION: dict[str, int] = {"deflated": DEFLATED, "stored": STORED}

_CHUNK = 1 << 20  # inflate granularity: bounds the temporary buffers of a read

# Inflate with ISA-L when it is installed (the ``isal`` package: the same DEFLATE, about 3x
# faster than zlib on DL4J's parameter entries); zlib otherwise. Bytes are identical.
try:
    from isal import isal_zlib as _inflate_lib
except ImportError:  # pragma: no cover - exercised where isal is absent
    _inflate_lib = zlib
#: What a corrupt DEFLATE stream raises: isal's IsalError is not a zlib.error.
_INFLATE_ERRORS = tuple({zlib.error, getattr(_inflate_lib, "error", zlib.error)})
# One large DEFLATE stream inflates on several cores with rapidgzip (speculative parallel decoding, its own
# threads, no GIL) when it is installed and the machine has more than one core: DL4J writes the params as one
# ~500 MB DEFLATE entry, and single-stream inflate is what bounds reading it (bench/zip_io.py).
try:
    import rapidgzip as _rapidgzip
except ImportError:  # pragma: no cover - exercised where rapidgzip is absent
    _rapidgzip = None
PARALLEL_INFLATE_MIN = 32 << 20  # entries below this inflate on one core (thread start-up would dominate)
# ... and only a stream that is itself large (parameters barely compress): a small hostile stream that
# declares a large size never reaches rapidgzip
PARALLEL_COMPRESSED_MIN = 16 << 20
# rapidgzip's unit of parallel work (its default is 4 MiB): on DL4J's VGG16 zip, 2 cores, 16 MiB chunks inflate
# in 1.66 s median against 1.72 s with 8 MiB (alternating A/B, 10 rounds)
PARALLEL_CHUNK = 16 << 20
_CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
INFLATER = _inflate_lib.__name__ + (f"; rapidgzip ({min(_CORES, 4)} threads) for entries >= "
                                    f"{PARALLEL_INFLATE_MIN >> 20} MiB without an address-space limit"
                                    if _rapidgzip is not None and _CORES > 1 else "")

# PKWARE APPNOTE 4.3: the records, little-endian
_LOCAL = struct.Struct("<4s2B4HL2L2H")  # local file header, 30 bytes
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")  # central directory file header, 46 bytes
_EOCD = struct.Struct("<4s4H2LH")  # end of central directory, 22 bytes
_EOCD64_LOCATOR = struct.Struct("<4sLQL")  # 20 bytes
_EOCD64 = struct.Struct("<4sQ2H2L4Q")  # 56 bytes
_LOCAL_MAGIC, _CENTRAL_MAGIC, _EOCD_MAGIC = b"PK\x03\x04", b"PK\x01\x02", b"PK\x05\x06"
_EOCD64_MAGIC, _EOCD64_LOCATOR_MAGIC, _DD_MAGIC = b"PK\x06\x06", b"PK\x06\x07", b"PK\x07\x08"
_ZIP64_EXTRA = 0x0001
_U32, _U16 = 0xFFFFFFFF, 0xFFFF
_FLAG_ENCRYPTED, _FLAG_DATA_DESCRIPTOR, _FLAG_STRONG, _FLAG_UTF8, _FLAG_MASKED = 0x1, 0x8, 0x40, 0x800, 0x2000
_MAX_COMMENT = 0xFFFF

#: An entry's content: bytes, a callable that writes the content into the entry's file object, or a RawEntry.
EntryData = Union[bytes, bytearray, memoryview, Callable[[BinaryIO], object], "RawEntry"]


# --- reading: the central directory ------------------------------------------------------------------------


@dataclass
class ZipEntry:
    """One entry as the central directory and its local header describe it (the fields ``zipfile.ZipInfo``
    has under the same names, plus ``data_offset``: where the entry's (compressed) bytes start)."""

    filename: str
    compress_type: int
    flag_bits: int
    CRC: int
    compress_size: int
    file_size: int
    header_offset: int
    data_offset: int = 0

    def is_dir(self) -> bool:
        return self.filename.endswith("/")


def _display_name(path_or_file) -> str:
    if isinstance(path_or_file, (str, os.PathLike)):
        return os.fspath(path_or_file)
    name = getattr(path_or_file, "name", None)
    return name if isinstance(name, str) else "<stream>"


def _is_seekable(fileobj) -> bool:
    try:
        return bool(fileobj.seekable())
    except (AttributeError, OSError, ValueError):
        return False


def _not_a_zip(where: str, why: str) -> NotADl4jZipError:
    return NotADl4jZipError(f"not a zip archive, or the zip is truncated or damaged ({why}); DL4J models are "
                            "zips written by ModelSerializer.writeModel", where)


def _zip64_values(extra: bytes, wanted: list[str], where: str, name: str) -> dict[str, int]:
    """The zip64 extended-information fields that replace 0xFFFFFFFF values, in APPNOTE order."""
    pos = 0
    while pos + 4 <= len(extra):
        tag, size = struct.unpack_from("<HH", extra, pos)
        body = extra[pos + 4:pos + 4 + size]
        if len(body) != size:
            break
        if tag == _ZIP64_EXTRA:
            if len(body) < 8 * len(wanted):
                raise CorruptEntryError(f"zip64 extra field of {where} holds {len(body)} bytes, {8 * len(wanted)} "
                                        "needed; the zip is damaged", name)
            return {k: struct.unpack_from("<Q", body, 8 * i)[0] for i, k in enumerate(wanted)}
        pos += 4 + size
    raise CorruptEntryError(f"a size or offset in {where} is 0xFFFFFFFF but the entry has no zip64 extra field; "
                            "the zip is damaged", name)


def _decode_name(raw: bytes, flags: int, where: str) -> str:
    try:
        return raw.decode("utf-8") if flags & _FLAG_UTF8 else raw.decode("cp437")
    except UnicodeDecodeError:
        raise CorruptEntryError(f"an entry name in {where} is flagged UTF-8 but is not: {raw[:40]!r}",
                                repr(raw[:40])) from None


class ZipReader:
    """A zip archive opened for reading, every structural check of the module docstring already passed.

    ``infolist()`` / ``getinfo(name)`` / ``namelist()`` as in ``zipfile.ZipFile`` (the last entry of a
    duplicated name wins, as in DL4J); ``fp`` is the underlying seekable binary file.
    """

    def __init__(self, path_or_file, *, max_entries: int = DEFAULT_MAX_ENTRIES,
                 max_stream_bytes: int = DEFAULT_MAX_STREAM_BYTES):
        self.where = where = _display_name(path_or_file)
        self._close = False
        if isinstance(path_or_file, (str, os.PathLike)):
            self.fp = open_regular(path_or_file, "DL4J model zip")
            self._close = True
        elif _is_seekable(path_or_file):
            self.fp = path_or_file
        elif hasattr(path_or_file, "read"):  # a pipe, a socket: copied into memory up to a ceiling
            self.fp = spool(path_or_file, where, max_stream_bytes)
        else:
            raise NotADl4jZipError(f"expected a path or a binary file object, got {type(path_or_file).__name__}",
                                   where)
        try:
            self._entries = self._parse(max_entries)
        except BaseException:
            self.close()
            raise
        self._by_name = {e.filename: e for e in self._entries}

    # the checks, in the order of the module docstring
    def _pread(self, offset: int, n: int) -> bytes:
        self.fp.seek(offset)
        return self.fp.read(n)

    def _parse(self, max_entries: int) -> list[ZipEntry]:
        where = self.where
        try:
            size = self.fp.seek(0, io.SEEK_END)
        except (OSError, ValueError) as exc:
            raise _not_a_zip(where, f"cannot seek: {exc}") from None
        if size < _EOCD.size:
            raise _not_a_zip(where, f"{size} bytes, shorter than an end-of-central-directory record")
        tail_start = max(0, size - _EOCD.size - _MAX_COMMENT)
        tail = self._pread(tail_start, size - tail_start)
        eocd_at = self._find_eocd(tail)
        if eocd_at is None:
            raise _not_a_zip(where, "no end-of-central-directory record")
        _, disk, cd_disk, n_disk, n_total, cd_size, cd_offset, _ = _EOCD.unpack_from(tail, eocd_at)
        eocd_pos = tail_start + eocd_at
        cd_end = eocd_pos
        loc_at = eocd_pos - _EOCD64_LOCATOR.size
        if loc_at >= 0 and self._pread(loc_at, 4) == _EOCD64_LOCATOR_MAGIC:
            _, loc_disk, eocd64_pos, n_disks = _EOCD64_LOCATOR.unpack(self._pread(loc_at, _EOCD64_LOCATOR.size))
            if loc_disk != 0 or n_disks > 1 or eocd64_pos + _EOCD64.size > loc_at:
                raise _not_a_zip(where, "bad zip64 end-of-central-directory locator")
            rec = self._pread(eocd64_pos, _EOCD64.size)
            if len(rec) != _EOCD64.size or rec[:4] != _EOCD64_MAGIC:
                raise _not_a_zip(where, "bad zip64 end-of-central-directory record")
            _, _, _, _, disk, cd_disk, n_disk, n_total, cd_size, cd_offset = _EOCD64.unpack(rec)
            cd_end = eocd64_pos
        if disk != 0 or cd_disk != 0 or n_disk != n_total:
            raise _not_a_zip(where, "a multi-disk (split) zip")
        if n_total > max_entries:
            raise ZipBombError(f"{n_total} entries in {where}, more than max_entries={max_entries}; pass a "
                               "larger max_entries if the file is trusted", where)
        if cd_offset + cd_size != cd_end:
            raise _not_a_zip(where, f"the central directory ({cd_size} bytes at offset {cd_offset}) does not end "
                                    f"where the end record is ({cd_end})")
        cd = self._pread(cd_offset, cd_size)
        entries, pos = [], 0
        for _ in range(n_total):
            entry, pos = self._central_record(cd, pos, cd_offset)
            entries.append(entry)
        if pos != len(cd):
            raise _not_a_zip(where, f"the central directory holds {len(cd) - pos} bytes after its {n_total} records")
        for entry in entries:
            self._check_local_header(entry, cd_offset)
        ordered = sorted(entries, key=lambda e: e.header_offset)
        for a, b in zip(ordered, ordered[1:]):
            if a.data_offset + a.compress_size > b.header_offset:
                raise ZipBombError(f"entries {a.filename!r} and {b.filename!r} of {where} overlap (bytes "
                                   f"{a.header_offset}..{a.data_offset + a.compress_size} and from "
                                   f"{b.header_offset}): a zip-bomb construction DL4J never writes; refused",
                                   b.filename)
        return entries

    @staticmethod
    def _find_eocd(tail: bytes) -> int | None:
        """The end record nearest the end whose comment length fits the file (exactly, if one does)."""
        pos, fallback = len(tail), None
        while True:
            pos = tail.rfind(_EOCD_MAGIC, 0, pos)
            if pos < 0:
                return fallback
            if pos + _EOCD.size <= len(tail):
                comment = struct.unpack_from("<H", tail, pos + 20)[0]
                if pos + _EOCD.size + comment == len(tail):
                    return pos
                if fallback is None and pos + _EOCD.size + comment <= len(tail):
                    fallback = pos

    def _central_record(self, cd: bytes, pos: int, cd_offset: int) -> tuple[ZipEntry, int]:
        where = self.where
        if pos + _CENTRAL.size > len(cd) or cd[pos:pos + 4] != _CENTRAL_MAGIC:
            raise _not_a_zip(where, f"bad central directory record at byte {cd_offset + pos}")
        (_, _, _, _, _, flags, method, _, _, crc, csize, usize, n_name, n_extra, n_comment, disk, _, _,
         offset) = _CENTRAL.unpack_from(cd, pos)
        end = pos + _CENTRAL.size + n_name + n_extra + n_comment
        if end > len(cd):
            raise _not_a_zip(where, f"central directory record at byte {cd_offset + pos} runs past the directory")
        raw_name = cd[pos + _CENTRAL.size:pos + _CENTRAL.size + n_name]
        name = _decode_name(raw_name, flags, where)
        if not name:
            raise CorruptEntryError(f"{where} holds an entry with an empty name; DL4J cannot read it", "''")
        wanted = [k for k, v in (("file_size", usize), ("compress_size", csize), ("header_offset", offset))
                  if v == _U32]
        if wanted:
            extra = cd[pos + _CENTRAL.size + n_name:pos + _CENTRAL.size + n_name + n_extra]
            values = _zip64_values(extra, wanted, where, name)
            usize, csize, offset = (values.get("file_size", usize), values.get("compress_size", csize),
                                    values.get("header_offset", offset))
        if disk not in (0, _U16):
            raise _not_a_zip(where, f"entry {name!r} is on disk {disk}")
        if name.endswith("/"):
            raise CorruptEntryError(f"directory entry in {where}: DL4J's ModelSerializer rejects zips with "
                                    "directory entries; rebuild the zip without them", name)
        if flags & (_FLAG_ENCRYPTED | _FLAG_STRONG | _FLAG_MASKED):
            raise CorruptEntryError(f"encrypted entry in {where}: DL4J writes (and reads) unencrypted entries only",
                                    name)
        if method not in (STORED, DEFLATED):
            raise CorruptEntryError(f"compression method {method} in {where}: DL4J's ZipInputStream reads STORED "
                                    "(0) and DEFLATED (8) entries only; recompress the zip", name)
        if method == STORED and csize != usize:
            raise CorruptEntryError(f"STORED entry of {where} declares {csize} stored but {usize} uncompressed "
                                    "bytes; the zip is damaged", name)
        return ZipEntry(name, method, flags, crc, csize, usize, offset), end

    def _check_local_header(self, entry: ZipEntry, cd_offset: int) -> None:
        where, name = self.where, entry.filename
        if entry.header_offset + _LOCAL.size > cd_offset:
            raise CorruptEntryError(f"the local header offset {entry.header_offset} lies outside the entries of "
                                    f"{where}; the zip is damaged", name)
        header = self._pread(entry.header_offset, _LOCAL.size)
        if len(header) != _LOCAL.size or header[:4] != _LOCAL_MAGIC:
            raise CorruptEntryError(f"bad local file header at offset {entry.header_offset} of {where}; the zip is "
                                    "damaged", name)
        fields = _LOCAL.unpack(header)
        method, n_name, n_extra = fields[4], fields[-2], fields[-1]
        local_name = self._pread(entry.header_offset + _LOCAL.size, n_name)
        if _decode_name(local_name, fields[3], where) != name or method != entry.compress_type:
            raise CorruptEntryError(f"the local header of {where} names {local_name[:60]!r} with method {method}, "
                                    f"the central directory {name!r} with method {entry.compress_type}; a reader "
                                    "going by local headers (DL4J's ZipInputStream) would read something else",
                                    name)
        entry.data_offset = entry.header_offset + _LOCAL.size + n_name + n_extra
        if entry.data_offset + entry.compress_size > cd_offset:
            raise CorruptEntryError(f"the entry's {entry.compress_size} bytes at offset {entry.data_offset} run "
                                    f"past the end of the entries of {where}; the zip is truncated or damaged",
                                    name)

    # the zipfile.ZipFile-like surface
    def infolist(self) -> list[ZipEntry]:
        return list(self._entries)

    def namelist(self) -> list[str]:
        return [e.filename for e in self._entries]

    def getinfo(self, name: str) -> ZipEntry:
        try:
            return self._by_name[name]
        except KeyError:
            raise KeyError(f"there is no item named {name!r} in the archive") from None

    def __contains__(self, name) -> bool:
        return name in self._by_name

    def fileno(self) -> int | None:
        try:
            return self.fp.fileno()
        except (AttributeError, OSError, io.UnsupportedOperation, ValueError):
            return None

    def close(self) -> None:
        if self._close:
            self.fp.close()
            self._close = False

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _check_limits(entries: list[ZipEntry], where: str, max_total, max_ratio) -> None:
    """Refuse from the central directory alone: no byte is inflated before this passes."""
    total = 0
    for info in entries:
        total += info.file_size
        if total > max_total:
            raise ZipBombError(f"declared uncompressed size {info.file_size} bytes brings {where} to "
                               f"{total} bytes, more than max_total={max_total}; pass a larger "
                               "max_total if the file is trusted", info.filename)
        if info.file_size and info.file_size > max_ratio * max(info.compress_size, 1):
            raise ZipBombError(f"compression ratio {info.file_size / max(info.compress_size, 1):.1f}:1 "
                               f"({info.compress_size} -> {info.file_size} bytes) exceeds "
                               f"max_ratio={max_ratio:g}; pass a larger max_ratio if the file is "
                               "trusted", info.filename)


# --- reading: entry data ---------------------------------------------------------------------------------


class _InflateError(Exception):
    """Internal: bad data in an entry (turned into CorruptEntryError by :func:`entry_errors`)."""


class _MemberReader(io.RawIOBase):
    """One zip member's uncompressed bytes, inflated in bounded chunks, CRC and size checked at the end.

    Inflates with :data:`INFLATER`; STORED members are copied through.
    """

    def __init__(self, zf: ZipReader, info: ZipEntry):
        super().__init__()
        self._fp = zf.fp
        self._pos = info.data_offset  # the next compressed byte to read (the file position is shared)
        self._info = info
        self._left_in = info.compress_size  # compressed bytes still to read
        self._left_out = info.file_size  # uncompressed bytes still to deliver
        self._inflater = _inflate_lib.decompressobj(-15) if info.compress_type == DEFLATED else None
        self._pending = memoryview(b"")  # inflated bytes not yet delivered
        self._crc = 0

    def readable(self) -> bool:
        return True

    def _read_in(self) -> bytes:
        n = min(self._left_in, _CHUNK)
        if not n:
            return b""
        self._fp.seek(self._pos)
        data = self._fp.read(n)
        self._pos += len(data)
        self._left_in -= len(data)
        return data

    def _fill(self) -> None:
        if self._inflater is None:
            self._pending = memoryview(self._read_in())
            if not self._pending and self._left_out:
                raise _InflateError("compressed data ends early")
            return
        data = self._inflater.unconsumed_tail
        if not data:
            if self._inflater.eof:
                raise _InflateError(f"the DEFLATE stream ends {self._left_out} bytes before the declared size")
            # b"" once every compressed byte is in: the inflater may still hold output (highly compressible
            # data: a long match copied only up to the max_length of the previous call), drained below
            data = self._read_in()
        try:
            out = self._inflater.decompress(data, 2 * _CHUNK)
        except _INFLATE_ERRORS as exc:
            raise _InflateError(f"invalid DEFLATE data: {exc}") from None
        if not out and not data:
            raise _InflateError("compressed data ends early")
        self._pending = memoryview(out)

    def readinto(self, buffer) -> int:
        view = memoryview(buffer).cast("B")
        want = min(len(view), self._left_out)
        got = 0
        while got < want:
            if not self._pending:
                self._fill()
            n = min(len(self._pending), want - got)
            chunk = self._pending[:n]  # memoryview slices: no copies
            view[got:got + n] = chunk
            self._crc = _inflate_lib.crc32(chunk, self._crc)
            self._pending = self._pending[n:]
            got += n
        self._left_out -= got
        if self._left_out == 0 and got == want and (self._crc & 0xFFFFFFFF) != self._info.CRC:
            raise _InflateError(f"bad CRC-32 for file {self._info.filename!r}")
        return got


class _Window(io.RawIOBase):
    """The compressed bytes of one member, read with ``os.pread`` (no shared file position: rapidgzip's
    threads may read concurrently)."""

    def __init__(self, fd: int, start: int, size: int):
        super().__init__()
        self._fd, self._start, self._size, self._pos = fd, start, size, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        self._pos = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self._size}[whence] + offset
        return self._pos

    def readinto(self, buffer) -> int:
        n = max(0, min(len(buffer), self._size - self._pos))
        data = os.pread(self._fd, n, self._start + self._pos) if n else b""
        memoryview(buffer).cast("B")[:len(data)] = data
        self._pos += len(data)
        return len(data)


class _ParallelMemberReader(io.RawIOBase):
    """A large DEFLATE member inflated by rapidgzip on several threads; CRC and size checked as
    :class:`_MemberReader` does."""

    def __init__(self, info: ZipEntry, fd: int):
        super().__init__()
        self._info = info
        self._left_out = info.file_size
        self._crc = 0
        self._src = _rapidgzip.RapidgzipFile(_Window(fd, info.data_offset, info.compress_size),
                                             parallelization=min(_CORES, 4), chunk_size=PARALLEL_CHUNK)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        view = memoryview(buffer).cast("B")
        want = min(len(view), self._left_out)
        try:
            got = self._src.readinto(view[:want]) if want else 0
        except Exception as exc:  # noqa: BLE001 - rapidgzip raises plain exceptions on bad data
            raise _InflateError(f"inflate failed: {exc}") from None
        if want and not got:
            raise _InflateError("compressed data ends early")
        self._crc = _inflate_lib.crc32(view[:got], self._crc)
        self._left_out -= got
        if self._left_out == 0 and (self._crc & 0xFFFFFFFF) != self._info.CRC:
            raise _InflateError(f"bad CRC-32 for file {self._info.filename!r}")
        return got

    def close(self) -> None:
        if not self.closed:
            self._src.close()
        super().close()


def parallel_inflate_allowed() -> bool:
    """rapidgzip is installed, there are several cores, and no address-space limit can make its virtual-memory
    reservations fail (it dies with SIGSEGV instead of raising when one does)."""
    if _rapidgzip is None or _CORES < 2:
        return False
    try:
        import resource
    except ImportError:  # pragma: no cover - not on POSIX
        return False
    for which in ("RLIMIT_AS", "RLIMIT_DATA"):
        limit = getattr(resource, which, None)
        if limit is not None and resource.getrlimit(limit)[0] != resource.RLIM_INFINITY:
            return False
    return True


def _parallel_fd(zf: ZipReader, info: ZipEntry) -> int | None:
    """The file descriptor to inflate the member from with rapidgzip, or None for the single-stream path: a
    large DEFLATE member of a real file, :func:`parallel_inflate_allowed`, and a first block that is
    Huffman-coded (rapidgzip detects the format from the first bytes; a raw stream that opens with a stored
    block could look like a zlib header, so those stay on the single-stream path)."""
    if (info.compress_type != DEFLATED or info.file_size < PARALLEL_INFLATE_MIN
            or info.compress_size < PARALLEL_COMPRESSED_MIN or not parallel_inflate_allowed()):
        return None
    fd = zf.fileno()
    if fd is None:
        return None
    first = os.pread(fd, 1, info.data_offset)
    return fd if first and (first[0] >> 1) & 3 in (1, 2) else None


def open_member(zf: ZipReader, info: ZipEntry) -> BinaryIO:
    """A buffered stream over one member's uncompressed bytes (fast inflate, CRC checked)."""
    fd = _parallel_fd(zf, info)
    raw = _MemberReader(zf, info) if fd is None else _ParallelMemberReader(info, fd)
    return io.BufferedReader(raw, buffer_size=64 * 1024)


def read_entry(zf: ZipReader, info: ZipEntry) -> bytes:
    """Inflate one entry into a bytes object that grows with the data actually inflated.

    A STORED entry (its bytes are in the file) is read into a buffer of its size at once; a DEFLATE entry's
    buffer grows as its output arrives, so a size the header merely claims is never allocated.
    """
    size = info.file_size
    out = io.BytesIO()
    got = 0
    try:
        with open_member(zf, info) as src:
            if info.compress_type == STORED and size:
                out.seek(size - 1)
                out.write(b"\0")
                out.seek(0)
                with out.getbuffer() as view:
                    while got < size:
                        n = src.readinto(view[got:got + _CHUNK])
                        if not n:
                            break
                        got += n
            else:
                while got < size:
                    chunk = src.read(min(_CHUNK, size - got))
                    if not chunk:
                        break
                    out.write(chunk)
                    got += len(chunk)
    except MemoryError:
        raise InsufficientMemoryError(f"{got} bytes of the entry's {size} inflated, then this process ran out of "
                                      "memory (an address-space limit?)", info.filename) from None
    if got != size:
        raise CorruptEntryError(f"entry ends after {got} of its declared {size} bytes", info.filename)
    return out.getvalue()


@dataclass(eq=False)
class RawEntry:
    """An entry kept as it is stored in the zip (compressed, never inflated): method, CRC-32, sizes and
    the stored bytes. Written back unchanged by :func:`write_zip_atomic`. Compares equal to another
    RawEntry with the same content, and to ``bytes`` holding the inflated content."""

    compress_type: int
    CRC: int
    file_size: int
    data: bytes

    @property
    def compress_size(self) -> int:
        return len(self.data)

    @classmethod
    def from_bytes(cls, content: bytes, compression: str = "deflated") -> "RawEntry":
        content = bytes(content)
        method = COMPRESSION[compression]
        data = content
        if method == DEFLATED:
            co = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
            data = co.compress(content) + co.flush()
        return cls(method, zlib.crc32(content) & _U32, len(content), data)

    def inflate(self, max_bytes: int = DEFAULT_MAX_TOTAL, max_ratio: float = DEFAULT_MAX_RATIO,
                entry: str | None = None) -> bytes:
        """The content, inflated under the same limits as a zip entry (ZipBombError beyond them)."""
        if self.file_size > max_bytes or self.file_size > max_ratio * max(len(self.data), 1):
            raise ZipBombError(f"declares {self.file_size} bytes from {len(self.data)} compressed; beyond the limits",
                               entry)
        if self.compress_type == STORED:
            out = self.data
        else:
            d = _inflate_lib.decompressobj(-15)
            try:
                out = d.decompress(self.data, self.file_size + 1)
            except _INFLATE_ERRORS as exc:
                raise CorruptEntryError(f"invalid DEFLATE data: {exc}", entry) from None
        if len(out) != self.file_size or (zlib.crc32(out) & _U32) != self.CRC:
            raise CorruptEntryError("the stored data does not inflate to the declared size and CRC-32", entry)
        return bytes(out)

    def __bytes__(self) -> bytes:
        return self.inflate()

    def __eq__(self, other) -> bool:
        if isinstance(other, RawEntry):
            if (self.compress_type, self.data) == (other.compress_type, other.data):
                return (self.CRC, self.file_size) == (other.CRC, other.file_size)
            return (self.CRC, self.file_size) == (other.CRC, other.file_size) and self.inflate() == other.inflate()
        if isinstance(other, (bytes, bytearray, memoryview)):
            other = bytes(other)
            return (len(other) == self.file_size and (zlib.crc32(other) & _U32) == self.CRC
                    and self.inflate() == other)
        return NotImplemented

    def __repr__(self) -> str:
        return (f"RawEntry(method={self.compress_type}, crc=0x{self.CRC:08x}, file_size={self.file_size}, "
                f"compress_size={len(self.data)})")


def read_raw(zf: ZipReader, info: ZipEntry) -> RawEntry:
    """One entry as stored (compressed bytes, method, CRC, size): the bytes read are the file's own."""
    zf.fp.seek(info.data_offset)
    data = zf.fp.read(info.compress_size)
    if len(data) != info.compress_size:
        raise CorruptEntryError(f"entry data ends after {len(data)} of its {info.compress_size} stored bytes",
                                info.filename)
    return RawEntry(info.compress_type, info.CRC, info.file_size, data)


@contextlib.contextmanager
def entry_errors(where: str, name: str) -> Iterator[None]:
    """Turn inflate errors while reading entry ``name`` into ``CorruptEntryError`` (MemoryError into
    ``InsufficientMemoryError``)."""
    try:
        yield
    except _InflateError as exc:
        raise CorruptEntryError(f"cannot inflate entry of {where} ({exc}); the zip is damaged", name) from None
    except _INFLATE_ERRORS as exc:
        raise CorruptEntryError(f"cannot inflate entry of {where} ({exc}); the zip is damaged", name) from None
    except MemoryError as exc:
        if isinstance(exc, InsufficientMemoryError):
            raise
        raise InsufficientMemoryError(f"this process ran out of memory reading the entry of {where} (an "
                                      "address-space limit?)", name) from None


@contextlib.contextmanager
def open_checked_zip(path_or_file, *, max_total: int = DEFAULT_MAX_TOTAL,
                     max_ratio: float = DEFAULT_MAX_RATIO, max_entries: int = DEFAULT_MAX_ENTRIES,
                     inflated: Callable[[str], bool] | None = None,
                     max_stream_bytes: int = DEFAULT_MAX_STREAM_BYTES) -> Iterator[tuple[ZipReader, str]]:
    """The open :class:`ZipReader` and its display name, once the central directory passed every check.

    ``inflated(name)`` says which entries the caller will inflate (default: all); the size and ratio
    limits apply to those. Wrap each read in :func:`entry_errors`. A non-seekable stream is copied into
    memory first, up to ``max_stream_bytes``.
    """
    with ZipReader(path_or_file, max_entries=max_entries, max_stream_bytes=max_stream_bytes) as zf:
        names = {e.filename: e for e in zf.infolist()}  # the entries a reader sees (the last of a duplicated name)
        checked = [e for n, e in names.items() if inflated is None or inflated(n)]
        _check_limits(checked, zf.where, max_total, max_ratio)
        yield zf, zf.where


def read_zip_entries(path_or_file, *, max_total: int = DEFAULT_MAX_TOTAL,
                     max_ratio: float = DEFAULT_MAX_RATIO,
                     max_entries: int = DEFAULT_MAX_ENTRIES) -> dict[str, bytes]:
    """Every entry of a DL4J model zip, name -> bytes, in the archive's order.

    Mirrors ``org.deeplearning4j.util.ModelSerializer#loadZipData`` (M2.1, plus the zip-bomb limits
    of later DL4J, here checked from the central directory before inflating; see the module
    docstring for the defaults). ``path_or_file`` is a path or a binary file object (a non-seekable one
    is copied into memory first, up to 4 GiB).
    Raises ``NotADl4jZipError`` (missing path, not a zip, truncated zip), ``NotARegularFileError``
    (directory, FIFO, device), ``CorruptEntryError`` (directory entry, CRC or inflate error,
    unsupported method or encryption, damaged headers) and ``ZipBombError`` (limits, overlapping
    entries). Duplicate names: the last one wins, as in DL4J.
    Differs: the entries are read through the central directory, not the local headers
    (``ZipInputStream``; the two must agree); directory entries are refused as M2.1 does (later DL4J
    skips them).
    """
    entries: dict[str, bytes] = {}
    with open_checked_zip(path_or_file, max_total=max_total, max_ratio=max_ratio,
                          max_entries=max_entries) as (zf, where):
        for info in zf.infolist():
            last = zf.getinfo(info.filename)  # a duplicated name: the last one wins (read once, at the first place)
            if info.filename not in entries:
                with entry_errors(where, info.filename):
                    entries[info.filename] = read_entry(zf, last)
    return entries


# --- writing ----------------------------------------------------------------------------------------------


class SizedWriter:
    """An entry's content as a callable ``f(fileobj)`` plus the number of bytes it will write (lets the
    writer choose zip64 up front for entries of 4 GiB and more)."""

    def __init__(self, size: int, write: Callable[[BinaryIO], object]):
        self.size = int(size)
        self.write = write

    def __call__(self, fileobj: BinaryIO) -> object:
        return self.write(fileobj)


def _validate(entries: list[tuple[str, EntryData]]) -> None:
    seen = set()
    for name, _ in entries:
        if not isinstance(name, str) or not name or name.endswith("/"):
            raise ValueError(f"invalid zip entry name {name!r}: DL4J rejects directory entries")
        if name in seen:
            raise ValueError(f"duplicate zip entry name {name!r}")
        seen.add(name)


def _dos_time() -> tuple[int, int]:
    t = time.localtime()
    year = max(1980, min(2107, t.tm_year))
    return ((t.tm_hour << 11) | (t.tm_min << 5) | (t.tm_sec // 2),
            ((year - 1980) << 9) | (t.tm_mon << 5) | t.tm_mday)


class _EntrySink(io.RawIOBase):
    """What a callable entry writes into: counts, checksums and (DEFLATE) compresses on the way to the file."""

    def __init__(self, out: BinaryIO, method: int, level: int):
        super().__init__()
        self._out = out
        self._co = zlib.compressobj(level, zlib.DEFLATED, -15) if method == DEFLATED else None
        self.crc = 0
        self.size = 0
        self.compressed = 0

    def writable(self) -> bool:
        return True

    def write(self, b) -> int:
        view = memoryview(b).cast("B")
        n = len(view)
        if not n:
            return 0
        self.crc = _inflate_lib.crc32(view, self.crc)
        self.size += n
        data = view if self._co is None else self._co.compress(view)
        if len(data):
            self._out.write(data)
            self.compressed += len(data)
        return n

    def finish(self) -> None:
        if self._co is not None:
            tail = self._co.flush()
            self._out.write(tail)
            self.compressed += len(tail)


@dataclass
class _Written:
    name: bytes
    flags: int
    method: int
    crc: int
    csize: int
    usize: int
    offset: int
    dos: tuple[int, int]


class _ZipWriter:
    """A minimal ``ZipOutputStream``: local header, data, (data descriptor), then the central directory."""

    def __init__(self, out: BinaryIO, seekable: bool):
        self._out, self._seekable = out, seekable
        self._pos = out.tell() if seekable else 0
        self._written: list[_Written] = []

    def _emit(self, data) -> None:
        self._out.write(data)
        self._pos += len(data)

    def _local(self, w: _Written, zip64: bool) -> bytes:
        csize, usize = (_U32, _U32) if zip64 else (w.csize, w.usize)
        extra = struct.pack("<HHQQ", _ZIP64_EXTRA, 16, w.usize, w.csize) if zip64 else b""
        return _LOCAL.pack(_LOCAL_MAGIC, 45 if zip64 else 20, 0, w.flags, w.method, w.dos[0], w.dos[1], w.crc,
                           csize, usize, len(w.name), len(extra)) + w.name + extra

    def add(self, name: str, data: EntryData, method: int, level: int) -> None:
        try:
            raw_name, flags = name.encode("ascii"), 0
        except UnicodeEncodeError:
            raw_name, flags = name.encode("utf-8"), _FLAG_UTF8
        w = _Written(raw_name, flags, method, 0, 0, 0, self._pos, _dos_time())
        if isinstance(data, RawEntry):
            w.method, w.crc, w.csize, w.usize = data.compress_type, data.CRC, len(data.data), data.file_size
            zip64 = w.usize >= _U32 or w.csize >= _U32
            self._emit(self._local(w, zip64))
            self._emit(data.data)
        elif not callable(data):
            view = memoryview(data).cast("B")  # no copy of a large buffer
            w.crc, w.usize = _inflate_lib.crc32(view) & _U32, len(view)
            if method == DEFLATED:
                co = zlib.compressobj(level, zlib.DEFLATED, -15)
                body = co.compress(view) + co.flush()
            else:
                body = view
            w.csize = len(body)
            zip64 = w.usize >= _U32 or w.csize >= _U32
            self._emit(self._local(w, zip64))
            self._emit(body)
        else:
            size_hint = getattr(data, "size", None)
            zip64 = size_hint is not None and size_hint * 1.05 + (1 << 20) >= _U32
            if not self._seekable:
                w.flags |= _FLAG_DATA_DESCRIPTOR  # sizes follow the data (DEFLATED only, checked by the caller)
            start = self._pos
            self._emit(self._local(w, zip64))
            sink = _EntrySink(self._out, method, level)
            data(sink)
            sink.finish()
            self._pos += sink.compressed
            w.crc, w.usize, w.csize = sink.crc & _U32, sink.size, sink.compressed
            if not zip64 and (w.usize >= _U32 or w.csize >= _U32) and self._seekable:
                raise ValueError(f"zip entry {name!r} grew to {w.usize} bytes without a size hint; wrap its writer "
                                 "in archive.SizedWriter(size, writer) so that zip64 is used")
            if self._seekable:
                end = self._pos
                self._out.seek(start)
                self._out.write(self._local(w, zip64))
                self._out.seek(end)
            else:
                big = w.usize >= _U32 or w.csize >= _U32
                self._emit(struct.pack("<4sLQQ" if big else "<4sLLL", _DD_MAGIC, w.crc, w.csize, w.usize))
        self._written.append(w)

    def close(self) -> None:
        cd_start = self._pos
        for w in self._written:
            fields = []
            usize, csize, offset = w.usize, w.csize, w.offset
            if usize >= _U32:
                fields.append(usize)
                usize = _U32
            if csize >= _U32:
                fields.append(csize)
                csize = _U32
            if offset >= _U32:
                fields.append(offset)
                offset = _U32
            extra = struct.pack(f"<HH{len(fields)}Q", _ZIP64_EXTRA, 8 * len(fields), *fields) if fields else b""
            version = 45 if fields else 20
            self._emit(_CENTRAL.pack(_CENTRAL_MAGIC, version, 3, version, 0, w.flags, w.method, w.dos[0], w.dos[1],
                                     w.crc, csize, usize, len(w.name), len(extra), 0, 0, 0, 0o600 << 16, offset)
                       + w.name + extra)
        cd_size = self._pos - cd_start
        n = len(self._written)
        if n >= _U16 or cd_size >= _U32 or cd_start >= _U32:
            eocd64_at = self._pos
            self._emit(_EOCD64.pack(_EOCD64_MAGIC, _EOCD64.size - 12, 45, 45, 0, 0, n, n, cd_size, cd_start))
            self._emit(_EOCD64_LOCATOR.pack(_EOCD64_LOCATOR_MAGIC, 0, eocd64_at, 1))
            self._emit(_EOCD.pack(_EOCD_MAGIC, 0, 0, min(n, _U16), min(n, _U16), min(cd_size, _U32),
                                  min(cd_start, _U32), 0))
        else:
            self._emit(_EOCD.pack(_EOCD_MAGIC, 0, 0, n, n, cd_size, cd_start, 0))


def _write_entries(fileobj: BinaryIO, entries: list[tuple[str, EntryData]], method: int,
                   level: int | None) -> None:
    writer = _ZipWriter(fileobj, _is_seekable(fileobj))
    level = zlib.Z_DEFAULT_COMPRESSION if level is None else int(level)
    for name, data in entries:
        writer.add(name, data, method, level)
    writer.close()


def write_zip_atomic(path_or_file, entries: Iterable[tuple[str, EntryData]], *,
                     compression: str = "deflated", compresslevel: int | None = None) -> None:
    """Write a model zip with the given entries, in the given order, no directory entries.

    Mirrors ``org.deeplearning4j.util.ModelSerializer#writeModel``'s ``ZipOutputStream`` (DEFLATED,
    default level). Each entry's data is bytes, a callable ``f(fileobj)`` that streams the content
    into the entry (so a 500 MB parameter array is never held twice; :class:`SizedWriter` adds its
    size), or a :class:`RawEntry` copied as stored. ``compression`` is ``"deflated"`` (DL4J's choice) or
    ``"stored"``; ``compresslevel`` 0-9 (None: zlib's default 6, which is also ``java.util.zip.Deflater``'s).
    Differs: to a path it writes through :func:`pydl4j_transfer.zipio.files.atomic_write` (a temporary
    file beside the target, fsynced and renamed; permissions kept; symlinks written through; leftovers of
    killed writes removed), so a crash leaves the old file intact. To a file object it writes in place.
    """
    entries = list(entries)
    _validate(entries)
    method = COMPRESSION.get(compression)
    if method is None:
        raise ValueError(f"compression must be one of {sorted(COMPRESSION)}, got {compression!r}")
    if not isinstance(path_or_file, (str, os.PathLike)):
        if method == STORED and not _is_seekable(path_or_file):
            raise ValueError("compression='stored' needs a seekable output: Java's ZipInputStream "
                             "rejects STORED entries with data descriptors")
        _write_entries(path_or_file, entries, method, compresslevel)
        return
    with atomic_write(path_or_file) as fileobj:
        _write_entries(fileobj, entries, method, compresslevel)
