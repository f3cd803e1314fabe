"""The zip container of a DL4J model file, as ``ModelSerializer`` writes and reads it.

Mirrors ``org.deeplearning4j.util.ModelSerializer#writeModel`` (a ``java.util.zip.ZipOutputStream``)
and ``#loadZipData`` (a ``ZipInputStream`` read into a ``Map<name, byte[]>``); reference:
shared/reference/dl4j-format.md §1.

Byte-level facts a reader/writer must respect (PKWARE APPNOTE; observed in DL4J-written files):

* Entries are DEFLATE (method 8) at the default level, in write order, no directory entries
  (M2.1's ``loadZipData`` rejects a name ending in ``/`` with ``IllegalArgumentException``), no
  extra fields. DL4J's own files set flag bit 3 (sizes in a trailing data descriptor); Python's
  ``zipfile`` writing to a seekable file puts the sizes in the local header instead, which
  ``ZipInputStream`` reads equally well.
* A STORED (method 0) entry must carry its sizes in the local header: ``ZipInputStream`` rejects
  STORED + data descriptor, which is what ``zipfile`` produces on a non-seekable output. So
  ``compression="stored"`` needs a path or a seekable file.
* Duplicate names: the last one wins (``HashMap.put``).

Zip-bomb limits are checked from the central directory **before** anything is inflated
(``zipfile`` never inflates more than an entry's declared size, so declared sizes bound memory):

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
"""

from __future__ import annotations

import contextlib
import io
import os
import secrets
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterable, Iterator
from typing import BinaryIO, Union

from pydl4j_transfer.errors import CorruptEntryError, NotADl4jZipError, ZipBombError

__all__ = [
    "DEFAULT_MAX_TOTAL", "DEFAULT_MAX_RATIO", "DEFAULT_MAX_ENTRIES", "COMPRESSION",
    "read_zip_entries", "write_zip_atomic", "open_checked_zip", "entry_errors", "read_entry", "open_member",
    "INFLATER",
]

DEFAULT_MAX_TOTAL = 4 * 1024 ** 3
DEFAULT_MAX_RATIO = 1100.0
DEFAULT_MAX_ENTRIES = 100

#: ``compression=`` names -> zipfile constants. DEFLATED is what DL4J writes.
COMPRESSION: dict[str, int] = {"deflated": zipfile.ZIP_DEFLATED, "stored": zipfile.ZIP_STORED}

_CHUNK = 1 << 20  # inflate granularity: bounds the temporary buffers of a read

# Inflate with ISA-L when it is installed (the ``isal`` package: the same DEFLATE, about 3x
# faster than zlib on DL4J's parameter entries); zlib otherwise. Bytes are identical.
try:
    from isal import isal_zlib as _inflate_lib
except ImportError:  # pragma: no cover - exercised where isal is absent
    _inflate_lib = zlib
# One large DEFLATE stream inflates on several cores with rapidgzip (speculative parallel decoding, its own
# threads, no GIL) when it is installed and the machine has more than one core: DL4J writes the params as one
# ~500 MB DEFLATE entry, and single-stream inflate is what bounds reading it (bench/zip_io.py).
try:
    import rapidgzip as _rapidgzip
except ImportError:  # pragma: no cover - exercised where rapidgzip is absent
    _rapidgzip = None
PARALLEL_INFLATE_MIN = 32 << 20  # entries below this inflate on one core (thread start-up would dominate)
# rapidgzip's unit of parallel work (its default is 4 MiB): on DL4J's VGG16 zip, 2 cores, 16 MiB chunks inflate
# in 1.66 s median against 1.72 s with 8 MiB (alternating A/B, 10 rounds)
PARALLEL_CHUNK = 16 << 20
_CORES = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
INFLATER = _inflate_lib.__name__ + (f"; rapidgzip ({min(_CORES, 4)} threads) for entries >= "
                                    f"{PARALLEL_INFLATE_MIN >> 20} MiB" if _rapidgzip is not None and _CORES > 1
                                    else "")
_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")  # PKWARE APPNOTE 4.3.7: local file header, 30 bytes
_LOCAL_MAGIC = b"PK\x03\x04"

#: An entry's content: bytes, or a callable that writes the content into the entry's file object.
EntryData = Union[bytes, bytearray, memoryview, Callable[[BinaryIO], object]]


# --- reading ----------------------------------------------------------------------------------


def _display_name(path_or_file) -> str:
    if isinstance(path_or_file, (str, os.PathLike)):
        return os.fspath(path_or_file)
    name = getattr(path_or_file, "name", None)
    return name if isinstance(name, str) else "<stream>"


def _open_zip(path_or_file, where: str) -> zipfile.ZipFile:
    if not isinstance(path_or_file, (str, os.PathLike)) and not _is_seekable(path_or_file):
        raise NotADl4jZipError("a zip is read through its central directory, so it needs a seekable "
                               "binary file; wrap the data in io.BytesIO", where)
    if isinstance(path_or_file, (str, os.PathLike)):
        if not os.path.exists(path_or_file):
            raise NotADl4jZipError("no such file; check the path of the DL4J model zip", where)
        if os.path.isdir(path_or_file):
            raise NotADl4jZipError("is a directory, not a DL4J model zip", where)
    try:
        return zipfile.ZipFile(path_or_file, "r")
    except (zipfile.BadZipFile, EOFError, ValueError) as exc:
        raise NotADl4jZipError(f"not a zip archive, or the zip is truncated ({exc}); DL4J models are "
                               "zips written by ModelSerializer.writeModel", where) from None


def _check_limits(infos: list[zipfile.ZipInfo], where: str, max_total, max_ratio, max_entries) -> None:
    """Refuse from the central directory alone: no byte is inflated before this passes."""
    if len(infos) > max_entries:
        raise ZipBombError(f"{len(infos)} entries in {where}, more than max_entries={max_entries}; "
                           "pass a larger max_entries if the file is trusted", where)
    total = 0
    for info in infos:
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


class _MemberReader(io.RawIOBase):
    """One zip member's uncompressed bytes, inflated in bounded chunks, CRC and size checked at the end.

    Reads the local header itself to find the data, then inflates with :data:`INFLATER`
    (``zipfile``'s own reader always uses zlib). STORED members are copied through.
    """

    def __init__(self, zf: zipfile.ZipFile, info: zipfile.ZipInfo):
        super().__init__()
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise NotImplementedError(f"compression method {info.compress_type}")
        if info.flag_bits & 0x1:
            raise RuntimeError("encrypted entry")
        self._fp = zf.fp
        self._fp.seek(info.header_offset)
        header = self._fp.read(_LOCAL_HEADER.size)
        if len(header) != _LOCAL_HEADER.size or header[:4] != _LOCAL_MAGIC:
            raise zipfile.BadZipFile("bad local file header")
        fields = _LOCAL_HEADER.unpack(header)
        self._fp.seek(info.header_offset + _LOCAL_HEADER.size + fields[-2] + fields[-1])
        self._info = info
        self._left_in = info.compress_size  # compressed bytes still to read
        self._left_out = info.file_size  # uncompressed bytes still to deliver
        self._inflater = _inflate_lib.decompressobj(-15) if info.compress_type == zipfile.ZIP_DEFLATED else None
        self._pending = memoryview(b"")  # inflated bytes not yet delivered
        self._crc = 0

    def readable(self) -> bool:
        return True

    def _fill(self) -> None:
        if self._inflater is None:
            n = min(self._left_in, _CHUNK)
            self._pending = memoryview(self._fp.read(n))
            self._left_in -= len(self._pending)
            if not self._pending and self._left_out:
                raise EOFError("compressed data ends early")
            return
        data = self._inflater.unconsumed_tail
        if not data:
            n = min(self._left_in, _CHUNK)
            data = self._fp.read(n)
            self._left_in -= len(data)
            if not data and self._left_out:
                raise EOFError("compressed data ends early")
        self._pending = memoryview(self._inflater.decompress(data, 2 * _CHUNK))

    def readinto(self, buffer) -> int:
        view = memoryview(buffer).cast("B")
        want = min(len(view), self._left_out)
        got = 0
        while got < want:
            if not self._pending:
                self._fill()
                if not self._pending:
                    break
            n = min(len(self._pending), want - got)
            chunk = self._pending[:n]  # memoryview slices: no copies
            view[got:got + n] = chunk
            self._crc = _inflate_lib.crc32(chunk, self._crc)
            self._pending = self._pending[n:]
            got += n
        self._left_out -= got
        if self._left_out == 0 and got == want and (self._crc & 0xFFFFFFFF) != self._info.CRC:
            raise zipfile.BadZipFile(f"bad CRC-32 for file {self._info.filename!r}")
        return got


class _Window(io.RawIOBase):
    """The compressed bytes of one member, read with ``os.pread`` (no shared file position: rapidgzip's
    threads may read concurrently, and ``zf.fp`` stays where zipfile left it)."""

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

    def __init__(self, info: zipfile.ZipInfo, fd: int, data_start: int):
        super().__init__()
        self._info = info
        self._left_out = info.file_size
        self._crc = 0
        self._src = _rapidgzip.RapidgzipFile(_Window(fd, data_start, info.compress_size),
                                             parallelization=min(_CORES, 4), chunk_size=PARALLEL_CHUNK)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        view = memoryview(buffer).cast("B")
        want = min(len(view), self._left_out)
        try:
            got = self._src.readinto(view[:want]) if want else 0
        except Exception as exc:  # noqa: BLE001 - rapidgzip raises plain exceptions on bad data
            raise zipfile.BadZipFile(f"inflate failed: {exc}") from None
        if want and not got:
            raise EOFError("compressed data ends early")
        self._crc = _inflate_lib.crc32(view[:got], self._crc)
        self._left_out -= got
        if self._left_out == 0 and (self._crc & 0xFFFFFFFF) != self._info.CRC:
            raise zipfile.BadZipFile(f"bad CRC-32 for file {self._info.filename!r}")
        return got

    def close(self) -> None:
        if not self.closed:
            self._src.close()
        super().close()


def _parallel_data_start(zf: zipfile.ZipFile, info: zipfile.ZipInfo):
    """Where the member's DEFLATE data starts, if rapidgzip should inflate it (else None): a large DEFLATE
    member of a real file, rapidgzip installed, several cores, and a first block that is Huffman-coded
    (rapidgzip detects the format from the first bytes; a raw stream that opens with a stored block could
    look like a zlib header, so those stay on the single-stream path)."""
    if (_rapidgzip is None or _CORES < 2 or info.compress_type != zipfile.ZIP_DEFLATED
            or info.file_size < PARALLEL_INFLATE_MIN or info.flag_bits & 0x1):
        return None
    try:
        fd = zf.fp.fileno()
    except (AttributeError, OSError, io.UnsupportedOperation):
        return None
    header = os.pread(fd, _LOCAL_HEADER.size + 1, info.header_offset)
    if len(header) != _LOCAL_HEADER.size + 1 or header[:4] != _LOCAL_MAGIC:
        return None  # _MemberReader reports the bad header
    fields = _LOCAL_HEADER.unpack(header[:_LOCAL_HEADER.size])
    start = info.header_offset + _LOCAL_HEADER.size + fields[-2] + fields[-1]
    first = os.pread(fd, 1, start)
    return (fd, start) if first and (first[0] >> 1) & 3 in (1, 2) else None


def open_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> BinaryIO:
    """A buffered stream over one member's uncompressed bytes (fast inflate, CRC checked)."""
    where = _parallel_data_start(zf, info)
    raw = _MemberReader(zf, info) if where is None else _ParallelMemberReader(info, *where)
    return io.BufferedReader(raw, buffer_size=64 * 1024)


def read_entry(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """Inflate one entry in bounded chunks straight into its final bytes object.

    A ``BytesIO`` sized once to the declared size is filled through ``getbuffer()``; ``getvalue()``
    then hands that buffer over without a copy, so a 500 MB entry costs ~500 MB, not 2-3x.
    """
    size = info.file_size
    out = io.BytesIO()
    if size:
        out.seek(size - 1)
        out.write(b"\0")
    got = 0
    with open_member(zf, info) as src, out.getbuffer() as view:
        while got < size:
            n = src.readinto(view[got:got + _CHUNK])
            if not n:
                break
            got += n
    if got != size:
        raise CorruptEntryError(f"entry ends after {got} of its declared {size} bytes", info.filename)
    return out.getvalue()


@contextlib.contextmanager
def entry_errors(where: str, name: str) -> Iterator[None]:
    """Turn zipfile's errors while inflating entry ``name`` into ``CorruptEntryError``."""
    try:
        yield
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise CorruptEntryError(f"cannot inflate entry of {where} ({exc}); the zip is damaged",
                                name) from None
    except (NotImplementedError, RuntimeError) as exc:  # unknown method, encryption
        raise CorruptEntryError(f"cannot read entry of {where} ({exc}); DL4J writes unencrypted "
                                "DEFLATE entries", name) from None


@contextlib.contextmanager
def open_checked_zip(path_or_file, *, max_total: int = DEFAULT_MAX_TOTAL,
                     max_ratio: float = DEFAULT_MAX_RATIO,
                     max_entries: int = DEFAULT_MAX_ENTRIES) -> Iterator[tuple[zipfile.ZipFile, str]]:
    """The open ``ZipFile`` and its display name, once the central directory passed every check.

    The checks of :func:`read_zip_entries`, for callers that stream entries themselves (wrap each
    read in :func:`entry_errors`).
    """
    where = _display_name(path_or_file)
    with _open_zip(path_or_file, where) as zf:
        infos = zf.infolist()
        for info in infos:
            if info.is_dir():
                raise CorruptEntryError(f"directory entry in {where}: DL4J's ModelSerializer rejects "
                                        "zips with directory entries; rebuild the zip without them",
                                        info.filename)
        _check_limits(infos, where, max_total, max_ratio, max_entries)
        yield zf, where


def read_zip_entries(path_or_file, *, max_total: int = DEFAULT_MAX_TOTAL,
                     max_ratio: float = DEFAULT_MAX_RATIO,
                     max_entries: int = DEFAULT_MAX_ENTRIES) -> dict[str, bytes]:
    """Every entry of a DL4J model zip, name -> bytes, in the archive's order.

    Mirrors ``org.deeplearning4j.util.ModelSerializer#loadZipData`` (M2.1, plus the zip-bomb limits
    of later DL4J, here checked from the central directory before inflating; see the module
    docstring for the defaults). ``path_or_file`` is a path or a seekable binary file object.
    Raises ``NotADl4jZipError`` (missing path, directory, not a zip, truncated zip),
    ``CorruptEntryError`` (directory entry, CRC or inflate error, unsupported method or
    encryption) and ``ZipBombError``. Duplicate names: the last one wins, as in DL4J.
    Differs: the entries are read through the central directory (``ZipFile``), not the local
    headers (``ZipInputStream``); directory entries are refused as M2.1 does (later DL4J skips them).
    """
    entries: dict[str, bytes] = {}
    with open_checked_zip(path_or_file, max_total=max_total, max_ratio=max_ratio,
                          max_entries=max_entries) as (zf, where):
        for info in zf.infolist():
            with entry_errors(where, info.filename):
                entries[info.filename] = read_entry(zf, info)
    return entries


# --- writing ----------------------------------------------------------------------------------


def _validate(entries: list[tuple[str, EntryData]]) -> None:
    seen = set()
    for name, _ in entries:
        if not isinstance(name, str) or not name or name.endswith("/"):
            raise ValueError(f"invalid zip entry name {name!r}: DL4J rejects directory entries")
        if name in seen:
            raise ValueError(f"duplicate zip entry name {name!r}")
        seen.add(name)


def _write_entries(fileobj: BinaryIO, entries: list[tuple[str, EntryData]], method: int,
                   level: int | None) -> None:
    with zipfile.ZipFile(fileobj, "w", compression=method, compresslevel=level, allowZip64=True) as zf:
        for name, data in entries:
            if callable(data):
                with zf.open(name, "w") as dest:
                    data(dest)
            else:
                if not isinstance(data, (bytes, bytearray)):
                    data = memoryview(data).cast("B")  # no copy of a large buffer
                zf.writestr(name, data)


def _is_seekable(fileobj) -> bool:
    try:
        return bool(fileobj.seekable())
    except (AttributeError, OSError, ValueError):
        return False


def _fsync_dir(directory: str) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _create_temp(directory: str, base: str) -> tuple[str, int]:
    """A fresh file next to the target, created with 0o666 & ~umask like a normal open()."""
    while True:
        tmp = os.path.join(directory, f".{base}.{secrets.token_hex(6)}.tmp")
        try:
            return tmp, os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0),
                                0o666)
        except FileExistsError:
            continue


def write_zip_atomic(path_or_file, entries: Iterable[tuple[str, EntryData]], *,
                     compression: str = "deflated", compresslevel: int | None = None) -> None:
    """Write a model zip with the given entries, in the given order, no directory entries.

    Mirrors ``org.deeplearning4j.util.ModelSerializer#writeModel``'s ``ZipOutputStream`` (DEFLATED,
    default level). Each entry's data is bytes, or a callable ``f(fileobj)`` that streams the content
    into the entry (so a 500 MB parameter array is never held twice). ``compression`` is
    ``"deflated"`` (DL4J's choice) or ``"stored"``; ``compresslevel`` 0-9 (None: zlib's default 6,
    which is also ``java.util.zip.Deflater``'s default).
    Differs: to a path it writes a temporary file in the same directory, fsyncs it and
    ``os.replace``s the target, so a crash leaves the old file intact; the temporary file is
    removed on error. To a file object it writes in place (no atomicity).
    """
    entries = list(entries)
    _validate(entries)
    method = COMPRESSION.get(compression)
    if method is None:
        raise ValueError(f"compression must be one of {sorted(COMPRESSION)}, got {compression!r}")
    if not isinstance(path_or_file, (str, os.PathLike)):
        if method == zipfile.ZIP_STORED and not _is_seekable(path_or_file):
            raise ValueError("compression='stored' needs a seekable output: Java's ZipInputStream "
                             "rejects STORED entries with data descriptors")
        _write_entries(path_or_file, entries, method, compresslevel)
        return
    target = os.path.abspath(os.fspath(path_or_file))
    directory, base = os.path.split(target)
    tmp, fd = _create_temp(directory, base)
    try:
        with os.fdopen(fd, "wb") as fileobj:
            _write_entries(fileobj, entries, method, compresslevel)
            fileobj.flush()
            os.fsync(fileobj.fileno())
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    _fsync_dir(directory)
