"""ND4J's binary INDArray format, as written by ``Nd4j.write`` and read by ``Nd4j.read``.

Mirrors ``org.nd4j.linalg.factory.Nd4j#write(INDArray, DataOutputStream)`` / ``#read(DataInputStream)``
and ``org.nd4j.linalg.api.buffer.BaseDataBuffer#write`` / ``#readHeader`` / ``#read``
(reference: shared/reference/dl4j-format.md §2, §6, §7).

Byte-level spec (Java ``DataOutputStream``: everything big-endian)::

    array  := buffer(shapeInfo) buffer(data)
    buffer := UTF allocMode, length, UTF dtypeName, element[length]
    UTF    := uint16 byte count, then (modified) UTF-8 bytes -- all names here are ASCII

``allocMode`` decides the width of ``length`` (``ALLOC_LENGTH_FORMAT``):

    ===================  =======  ===========  ========================================
    allocMode            ordinal  length       written by
    ===================  =======  ===========  ========================================
    DIRECT, HEAP         0, 1     int32        very old files; decode like JAVACPP
    JAVACPP              2        int32        0.5.0 .. 1.0.0-alpha (shape buffer dtype INT)
    LONG_SHAPE           3        int64        1.0.0-beta .. beta3 (shape buffer dtype LONG)
    MIXED_DATA_TYPES     4        int64        1.0.0-beta4 .. 1.0.0-M2.1 (what we write)
    ===================  =======  ===========  ========================================

The shape-info buffer (dtype INT or LONG) holds ``2*rank + 4`` integers::

    [rank, shape[0..rank), stride[0..rank), extras, elementWiseStride, order]

* ``stride`` is in elements; ``order`` is the character code 99 ('c') or 102 ('f').
* ``extras``: in JAVACPP-era files this slot is the buffer *offset* (always 0 in practice); from
  LONG_SHAPE on it is an option bit mask: data-type bits (``DTYPES[...].extras``; 0 in files
  before beta4, when the data header's dtype is used instead), 8 = EMPTY, 4 = COMPRESSED.
  Other flag bits are ignored.
* ``elementWiseStride`` is informational; readers ignore it.
* ND4J gives a 2-D vector (``[1, N]`` or ``[N, 1]``) strides ``[1, 1]`` whatever the order
  (``ArrayUtil.calcStrides`` / ``calcStridesFortran``); a writer must do the same.

The data buffer holds exactly ``prod(shape)`` elements of its header's dtype, big-endian
(``DTYPES[...].wire``). HALF is IEEE binary16; BFLOAT16 is the top 16 bits of a binary32 (numpy has
no bfloat16, so it is **decoded to float32** and cannot be written); BOOL is one byte 0/1.
ND4J indexes the data with the stored strides verbatim (``Nd4j.create(data, shape, strides,
offset, order)``), so an array whose strides are not the dense ones (a permuted array saved by
beta4, for example) is gathered through those strides here as well.

Empty arrays (a 0 in the shape, or the EMPTY bit) decode to an empty numpy array. M2.1 writes
them with strides 0, extras ``dtype | EMPTY``, ews 0 and a 0-element data record (checked
byte for byte against ``Nd4j.write(Nd4j.zeros(FLOAT, 0))`` of a real M2.1 JVM); so do we. A record
that ends right after the shape info is accepted too.

Checked against real DL4J 1.0.0-M2.1 (tests/zipio/test_zipio_live_dl4j.py): every dtype, 'c' and
'f', rank 0..3, empty and permuted arrays written by ``Nd4j.write`` re-encode byte-identically here,
and everything written here is read back by ``Nd4j.read`` with the same dtype, shape and values.

Memory: decoding a ``bytes`` buffer makes exactly one copy of the data (big-endian view ->
native array); decoding from a stream reads into the result array and byte-swaps in place (an
array with non-dense strides costs one more copy there, to gather it).
A stream's array is allocated at its declared size only when the bytes provably exist (the rest
of a BytesIO or regular file, a STORED zip entry; ``preallocate``) or the size is small
(``PREALLOCATE_UNPROVEN``); otherwise the array grows as its data arrives (an anonymous mapping
enlarged with ``mremap``: no copy, no second buffer), so a header that lies about its size costs
nothing. A stream of unknown length is refused beyond ``max_bytes`` (4 GiB by default).
Encoding streams in chunks (``_CHUNK_ELEMENTS``) and never holds a second full copy.
"""

from __future__ import annotations

import io
import mmap
import os
import stat
import struct
from dataclasses import dataclass
from typing import BinaryIO

import numpy as np

from pydl4j_transfer.errors import (
    CorruptEntryError, InputTooLargeError, InsufficientMemoryError, UnknownDtypeError,
)
from pydl4j_transfer.zipio.files import DEFAULT_MAX_STREAM_BYTES, open_regular

__all__ = [
    "ALLOC_LENGTH_FORMAT", "DTYPES", "WRITE_ALLOC_MODE", "SHAPE_DTYPE_NAME",
    "EXTRAS_EMPTY", "EXTRAS_COMPRESSED", "ORDER_CODES", "MAX_RANK",
    "read_array", "read_array_from", "read_array_file", "read_header", "write_array", "encoded_size",
    "PREALLOCATE_UNPROVEN",
]

# --- tables ---------------------------------------------------------------------------------

#: allocMode name -> struct format of the ``length`` field (ordinal < 3: int32, else int64).
ALLOC_LENGTH_FORMAT: dict[str, str] = {
    "DIRECT": ">i",
    "HEAP": ">i",
    "JAVACPP": ">i",
    "LONG_SHAPE": ">q",
    "MIXED_DATA_TYPES": ">q",
}
#: Alloc modes whose shape-info ``extras`` slot is the buffer offset rather than option bits.
LEGACY_OFFSET_ALLOC_MODES = frozenset({"DIRECT", "HEAP", "JAVACPP"})
#: What DL4J 1.0.0-beta4 .. M2.1 write, and what we write.
WRITE_ALLOC_MODE = "MIXED_DATA_TYPES"
SHAPE_DTYPE_NAME = "LONG"

#: Shape-info ``extras`` option bits (ArrayOptionsHelper / libnd4j ArrayOptions.h).
EXTRAS_COMPRESSED = 4
EXTRAS_EMPTY = 8
_UNSIGNED = 8388608  # 0x800000, combined with a signed type's bit

#: Order character codes in the last shape-info slot.
ORDER_CODES: dict[str, int] = {"c": 99, "f": 102}
_ORDER_BY_CODE = {code: char for char, code in ORDER_CODES.items()}

#: libnd4j MAX_RANK; anything above is a corrupt header, not a real array.
MAX_RANK = 32


@dataclass(frozen=True)
class Nd4jDtype:
    """One ND4J ``DataType``: its big-endian wire encoding, the numpy dtype we return, its extras bits."""

    wire: str
    native: str
    extras: int


#: ND4J ``DataType.name()`` -> encoding (DataType.java, BaseDataBuffer#write, ArrayOptionsHelper).
DTYPES: dict[str, Nd4jDtype] = {
    "DOUBLE": Nd4jDtype(">f8", "float64", 16384),
    "FLOAT": Nd4jDtype(">f4", "float32", 8192),
    "HALF": Nd4jDtype(">f2", "float16", 4096),
    "BFLOAT16": Nd4jDtype(">u2", "float32", 2048),  # decoded to float32: numpy has no bfloat16
    "LONG": Nd4jDtype(">i8", "int64", 262144),
    "INT": Nd4jDtype(">i4", "int32", 131072),
    "SHORT": Nd4jDtype(">i2", "int16", 65536),
    "BYTE": Nd4jDtype("i1", "int8", 32768),
    "UBYTE": Nd4jDtype("u1", "uint8", 32768 | _UNSIGNED),
    "BOOL": Nd4jDtype("u1", "bool", 524288),
    "UINT16": Nd4jDtype(">u2", "uint16", 65536 | _UNSIGNED),
    "UINT32": Nd4jDtype(">u4", "uint32", 131072 | _UNSIGNED),
    "UINT64": Nd4jDtype(">u8", "uint64", 262144 | _UNSIGNED),
}
#: ND4J names that exist but cannot hold a numeric array here.
_UNSUPPORTED_DTYPES = {
    "UTF8": "string arrays are not supported",
    "COMPRESSED": "compressed data buffers (CompressedDataBuffer) are not supported",
    "UNKNOWN": "the writer did not know the data type",
}
_BFLOAT16, _BOOL = DTYPES["BFLOAT16"], DTYPES["BOOL"]
_DTYPE_BY_EXTRAS = {dt.extras: name for name, dt in DTYPES.items()}
_DTYPE_BITS = 0
for _dt in DTYPES.values():
    _DTYPE_BITS |= _dt.extras
_DTYPE_BITS |= 1048576  # UTF8

#: numpy (kind, itemsize) -> ND4J name, for writing. BFLOAT16 has no numpy dtype.
_NAME_BY_NUMPY = {(np.dtype(dt.native).kind, np.dtype(dt.native).itemsize): name
                  for name, dt in DTYPES.items() if name != "BFLOAT16"}

_SHAPE_INT_DTYPES = {"INT": ">i4", "LONG": ">i8"}
_CHUNK_ELEMENTS = 1 << 18  # encode granularity (elements): bounds the writer's temporary buffer
_READ_CHUNK_BYTES = 1 << 20  # bounds the temporaries of a chunked stream read
# Arrays this large are read into anonymous memory with transparent huge pages turned off. numpy asks for huge
# pages, and when the kernel has none free it compacts memory in the faulting thread: reading DL4J's VGG16 zip
# took 1.6 or 2.2 s at random (bench/zip_io.py); on 4 KiB pages it takes 1.6-1.7 s every time.
_SMALL_PAGES_MIN_BYTES = 64 << 20


#: A stream's array of at most this many bytes is allocated at its declared size before its data is read, even
#: where nothing proves the data exists: a constant cost. Larger ones grow with the data.
PREALLOCATE_UNPROVEN = 16 << 20
_PAGE = mmap.PAGESIZE


def _mapping(nbytes: int, populate: bool) -> mmap.mmap:
    """Anonymous memory on small pages; ``populate``: map every page at once (MAP_POPULATE: 0.14 s for 553 MB
    instead of 0.21-0.25 s of page faults) -- only for bytes known to exist, never for a length a header claims."""
    # MAP_PRIVATE: Python's default for anonymous maps is MAP_SHARED (shmem), which mremap cannot enlarge:
    # touching the grown part would raise SIGBUS
    flags = mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS
    if populate and hasattr(mmap, "MAP_POPULATE"):
        flags |= mmap.MAP_POPULATE
    buf = mmap.mmap(-1, nbytes, flags=flags)
    if hasattr(mmap, "MADV_NOHUGEPAGE"):
        buf.madvise(mmap.MADV_NOHUGEPAGE)
    return buf


def _empty(count: int, dtype: np.dtype, populate: bool = False) -> np.ndarray:
    """A fresh writable 1-D array of ``count`` elements (large ones on small pages, see above)."""
    nbytes = count * dtype.itemsize
    if nbytes < _SMALL_PAGES_MIN_BYTES:
        return np.empty(count, dtype=dtype)
    return np.frombuffer(_mapping(nbytes, populate), dtype=dtype, count=count)  # writable; keeps the mapping alive

# --- reading: byte sources ------------------------------------------------------------------


class _BufferSource:
    """A bytes-like object read front to back without copying."""

    def __init__(self, buf, entry):
        self.view = memoryview(buf).cast("B")
        self.pos = 0
        self.entry = entry

    def remaining(self) -> int | None:
        return len(self.view) - self.pos

    def read(self, n: int, what: str) -> memoryview:
        if n > len(self.view) - self.pos:
            raise _truncated(what, n, len(self.view) - self.pos, self.entry)
        out = self.view[self.pos:self.pos + n]
        self.pos += n
        return out

    def read_elements(self, wire: np.dtype, count: int, what: str) -> tuple[np.ndarray, bool]:
        """A read-only big-endian view of ``count`` elements; False = caller must copy."""
        raw = self.read(count * wire.itemsize, what)
        return np.frombuffer(raw, dtype=wire, count=count), False


class _StreamSource:
    """A binary file object; reads exactly what is asked, fails on early end of stream."""

    def __init__(self, stream, entry, size=None, preallocate=None, max_bytes=None):
        self.stream = stream
        self.entry = entry
        self.size = size  # bytes the array must occupy, when the caller knows it (may be only a claim)
        self.pos = 0
        self.known = _stream_remaining(stream)  # bytes that provably remain (BytesIO, regular files), else None
        self.preallocate = self.known if preallocate is None else preallocate
        self.max_bytes = DEFAULT_MAX_STREAM_BYTES if max_bytes is None else max_bytes

    def remaining(self) -> int | None:
        if self.size is not None:
            return self.size - self.pos
        if self.known is not None:
            return self.known - self.pos
        return None

    def read(self, n: int, what: str) -> bytes:
        left = self.remaining()
        if left is not None and n > left:
            raise _truncated(what, n, left, self.entry)
        parts, got = [], 0
        while got < n:
            chunk = self.stream.read(n - got)
            if not chunk:
                raise _truncated(what, n, got, self.entry)
            parts.append(chunk)
            got += len(chunk)
        self.pos += n
        return b"".join(parts)

    def _readinto(self, view) -> int:
        readinto = getattr(self.stream, "readinto", None)
        if readinto is not None:
            return readinto(view) or 0
        chunk = self.stream.read(len(view))
        view[:len(chunk)] = chunk
        return len(chunk)

    def read_elements(self, wire: np.dtype, count: int, what: str) -> tuple[np.ndarray, bool]:
        """A fresh writable array of ``count`` wire-dtype elements read straight from the stream."""
        nbytes = count * wire.itemsize
        left = self.remaining()
        if left is not None and nbytes > left:
            raise _truncated(what, nbytes, left, self.entry)
        if nbytes > self.max_bytes:
            raise InputTooLargeError(f"{what} declares {count} elements ({nbytes} bytes), more than "
                                     f"max_bytes={self.max_bytes}; pass a larger max_bytes if the input is trusted",
                                     self.entry)
        backed = max(0, self.preallocate or 0)
        try:
            if nbytes <= max(backed, PREALLOCATE_UNPROVEN):
                out = _empty(count, wire, populate=nbytes <= backed)
                got = self._fill(memoryview(out).cast("B"), 0, nbytes, what)
            else:
                out, got = self._grow(wire, count, nbytes, backed, what)
        except (MemoryError, OSError) as exc:
            if isinstance(exc, InsufficientMemoryError):
                raise
            raise InsufficientMemoryError(f"{what}: the data is there, but this process cannot hold its "
                                          f"{nbytes} bytes ({exc}; an address-space limit?)", self.entry) from None
        self.pos += got
        return out, True

    def _fill(self, view, got: int, end: int, what: str) -> int:
        while got < end:
            n = self._readinto(view[got:min(end, got + _READ_CHUNK_BYTES)])
            if not n:
                raise _truncated(what, end, got, self.entry)
            got += n
        return got

    def _grow(self, wire: np.dtype, count: int, nbytes: int, backed: int, what: str) -> tuple[np.ndarray, int]:
        """Read into an anonymous mapping that is enlarged (mremap, no copy) only once the data filled it."""
        cap = min(nbytes, max(PREALLOCATE_UNPROVEN, backed - backed % _PAGE))
        buf = _mapping(cap, populate=cap <= backed)
        got = 0
        while True:
            with memoryview(buf) as view:
                got = self._fill_some(view, got, cap, nbytes, what)
            if got == nbytes:
                break
            cap = min(nbytes, 2 * cap)
            buf.resize(cap)
        return np.frombuffer(buf, dtype=wire, count=count), got

    def _fill_some(self, view, got: int, cap: int, nbytes: int, what: str) -> int:
        while got < cap:
            n = self._readinto(view[got:min(cap, got + _READ_CHUNK_BYTES)])
            if not n:
                raise _truncated(what, nbytes, got, self.entry)
            got += n
        return got


def _stream_remaining(stream) -> int | None:
    """Bytes left in ``stream`` when cheap to know (BytesIO, regular files), else None."""
    try:
        if isinstance(stream, io.BytesIO):  # not getbuffer(): that would copy a shared buffer
            here = stream.tell()
            end = stream.seek(0, io.SEEK_END)
            stream.seek(here)
            return end - here
        st = os.fstat(stream.fileno())
        if stat.S_ISREG(st.st_mode):
            return st.st_size - stream.tell()
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        pass
    return None


def _truncated(what: str, needed: int, available: int, entry) -> CorruptEntryError:
    return CorruptEntryError(f"truncated ND4J array: {what} needs {needed} bytes, only {available} "
                             "remain; the file was cut short or is not an ND4J array", entry)


# --- reading: headers -----------------------------------------------------------------------


def _read_utf(src, what: str) -> str:
    (n,) = struct.unpack(">H", src.read(2, f"{what} (UTF length)"))
    raw = bytes(src.read(n, f"{what} (UTF bytes)"))
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise CorruptEntryError(f"{what} is not a valid name: {raw[:40]!r}", src.entry) from None


def _read_buffer_header(src, which: str) -> tuple[str, int, str]:
    """Mirrors ``BaseDataBuffer#readHeader``: (allocMode, length, dtype name)."""
    alloc = _read_utf(src, f"{which} buffer alloc mode")
    fmt = ALLOC_LENGTH_FORMAT.get(alloc)
    if fmt is None:
        raise UnknownDtypeError(f"unknown ND4J allocation mode {alloc!r} in the {which} buffer header "
                                f"(known: {', '.join(ALLOC_LENGTH_FORMAT)}); not an ND4J array or a "
                                "newer format", src.entry)
    (length,) = struct.unpack(fmt, src.read(struct.calcsize(fmt), f"{which} buffer length"))
    dtype = _read_utf(src, f"{which} buffer dtype")
    if length < 0:
        raise CorruptEntryError(f"{which} buffer declares a negative length {length}", src.entry)
    return alloc, length, dtype


def _data_dtype(name: str, entry) -> Nd4jDtype:
    dt = DTYPES.get(name)
    if dt is None:
        why = _UNSUPPORTED_DTYPES.get(name, "not an ND4J DataType name")
        raise UnknownDtypeError(f"unsupported ND4J data type {name!r}: {why} "
                                f"(supported: {', '.join(DTYPES)})", entry)
    return dt


@dataclass(frozen=True)
class _Header:
    shape: tuple[int, ...]
    strides: tuple[int, ...]
    offset: int
    extras: int
    order: str
    alloc: str = "MIXED_DATA_TYPES"


def _read_shape_info(src) -> _Header:
    alloc, length, dtype = _read_buffer_header(src, "shape-info")
    wire = _SHAPE_INT_DTYPES.get(dtype)
    if wire is None:
        raise CorruptEntryError(f"shape-info buffer has dtype {dtype!r}, expected INT or LONG", src.entry)
    if not 4 <= length <= 2 * MAX_RANK + 4:
        raise CorruptEntryError(f"shape-info buffer length {length} is impossible "
                                f"(must be 2*rank+4 with rank <= {MAX_RANK})", src.entry)
    values, _ = src.read_elements(np.dtype(wire), length, "shape-info values")
    info = [int(v) for v in values]  # at most 68 small ints
    rank = info[0]
    if rank < 0 or length != 2 * rank + 4:
        raise CorruptEntryError(f"shape info says rank {rank} but holds {length} values "
                                "(expected 2*rank+4)", src.entry)
    shape, strides = tuple(info[1:1 + rank]), tuple(info[1 + rank:1 + 2 * rank])
    slot, code = info[2 * rank + 1], info[2 * rank + 3]
    if any(s < 0 for s in shape):
        raise CorruptEntryError(f"negative dimension in shape {list(shape)}", src.entry)
    if code not in _ORDER_BY_CODE:
        raise CorruptEntryError(f"order code {code} is neither 99 ('c') nor 102 ('f')", src.entry)
    legacy = alloc in LEGACY_OFFSET_ALLOC_MODES
    return _Header(shape, strides, offset=slot if legacy else 0, extras=0 if legacy else slot,
                   order=_ORDER_BY_CODE[code], alloc=alloc)


def _extras_dtype(header: _Header, data_name: str, entry) -> None:
    """Mirrors ``ArrayOptionsHelper#dataType``: the extras dtype must agree with the data header."""
    if header.extras & EXTRAS_COMPRESSED:
        raise UnknownDtypeError("compressed ND4J arrays (extras bit 4) are not supported", entry)
    bits = header.extras & _DTYPE_BITS
    if bits == 0:  # files before 1.0.0-beta4: the data header is the only dtype record
        return
    name = _DTYPE_BY_EXTRAS.get(bits)
    if name != data_name:
        raise CorruptEntryError(f"shape-info extras {header.extras} name data type {name or hex(bits)} "
                                f"but the data buffer header says {data_name}", entry)


# --- reading: assembling the array ----------------------------------------------------------


def _to_native(wire_values: np.ndarray, dt: Nd4jDtype, owned: bool, order: str = "K") -> np.ndarray:
    """Big-endian wire elements -> native, writable; in place when ``owned`` (no extra copy).

    Otherwise exactly one new array is made, laid out in ``order``.
    """
    if dt is _BFLOAT16:  # the top half of a binary32: widen, shift, reinterpret
        wide = wire_values.astype(np.uint32, order=order)
        wide <<= 16
        return wide.view(np.float32)
    if dt is _BOOL:  # any non-zero byte is true, as in ND4J's BOOL buffers
        return np.not_equal(wire_values, 0, order=order)
    native = np.dtype(dt.native)
    if not owned:
        return wire_values.astype(native, order=order)
    if wire_values.dtype.byteorder == ">" and wire_values.dtype.itemsize > 1 and native.byteorder != ">":
        wire_values.byteswap(inplace=True)
    return wire_values.view(native)


def _dense_order(shape, strides) -> str | None:
    """'C' or 'F' when the strides are the dense ones for that order (size-1 dims ignored)."""
    for order, dims in (("C", range(len(shape) - 1, -1, -1)), ("F", range(len(shape)))):
        step, ok = 1, True
        for k in dims:
            if shape[k] != 1 and strides[k] != step:
                ok = False
                break
            step *= shape[k]
        if ok:
            return order
    return None


def _strided(flat: np.ndarray, header: _Header, length: int, entry) -> np.ndarray:
    """ND4J semantics: element[i] = data[offset + sum(i_k * stride_k)], bounds-checked first.

    The stride of a dimension of size 1 is never used (ND4J ignores it too), so it is taken as 0: a
    header may put any number there without reaching numpy's stride arithmetic.
    """
    strides = [st if s > 1 else 0 for s, st in zip(header.shape, header.strides)]
    lo = header.offset + sum((s - 1) * st for s, st in zip(header.shape, strides) if st < 0)
    hi = header.offset + sum((s - 1) * st for s, st in zip(header.shape, strides) if st > 0)
    if lo < 0 or hi >= length:
        raise CorruptEntryError(f"shape {list(header.shape)} with strides {list(header.strides)} and "
                                f"offset {header.offset} reaches outside the {length}-element data "
                                "buffer", entry)
    item = flat.dtype.itemsize
    return np.lib.stride_tricks.as_strided(flat[header.offset:], shape=header.shape,
                                           strides=[st * item for st in strides], writeable=False)


#: numpy's limit on an array's byte size (also for an empty array: numpy multiplies the non-zero dimensions)
_MAX_ARRAY_BYTES = np.iinfo(np.intp).max


def _check_numpy_size(shape, itemsize: int, entry) -> None:
    """Refuse a shape numpy cannot represent even when empty (``[0, 2**62]``: "array is too big")."""
    total = itemsize
    for s in shape:
        total *= max(s, 1)
        if total > _MAX_ARRAY_BYTES:
            raise CorruptEntryError(f"shape {list(shape)} is larger than any array can be (its non-zero "
                                    "dimensions multiply past 2**63 bytes); the array header is corrupt", entry)


def _read(src) -> np.ndarray:
    header = _read_shape_info(src)
    count = 1
    for s in header.shape:
        count *= s
    empty = count == 0 or bool(header.extras & EXTRAS_EMPTY)
    if empty:
        return _read_empty(src, header)
    _, length, name = _read_buffer_header(src, "data")
    dt = _data_dtype(name, src.entry)
    _extras_dtype(header, name, src.entry)
    if length != count:
        raise CorruptEntryError(f"data buffer holds {length} elements but shape {list(header.shape)} "
                                f"needs {count}", src.entry)
    wire = np.dtype(dt.wire)
    remaining = src.remaining()
    if remaining is not None and length * wire.itemsize > remaining:
        raise _truncated(f"data buffer ({length} x {name})", length * wire.itemsize, remaining, src.entry)
    flat, owned = src.read_elements(wire, length, f"data buffer ({length} x {name})")
    order = None if header.offset else _dense_order(header.shape, header.strides)
    if order is None:
        strided = _strided(flat, header, length, src.entry)
        return _to_native(strided, dt, owned=False, order=header.order.upper())
    return _to_native(flat, dt, owned).reshape(header.shape, order=order)


def _read_empty(src, header: _Header) -> np.ndarray:
    """An empty array: 0 in the shape or EMPTY bit; its data record may be absent or 0 long."""
    if 0 not in header.shape and header.shape:
        raise CorruptEntryError(f"EMPTY flag set but shape {list(header.shape)} has no zero "
                                "dimension", src.entry)
    shape = header.shape or (0,)  # an empty scalar has no numpy equivalent: shape (0,)
    name = _DTYPE_BY_EXTRAS.get(header.extras & _DTYPE_BITS, "FLOAT")
    _check_numpy_size(shape, 8, src.entry)
    if src.remaining() == 0 or _at_eof(src):
        return np.zeros(shape, dtype=DTYPES[name].native)
    _, length, name = _read_buffer_header(src, "data")
    dt = _data_dtype(name, src.entry)
    if length != 0:
        raise CorruptEntryError(f"empty array of shape {list(header.shape)} is followed by "
                                f"{length} data elements", src.entry)
    return np.zeros(shape, dtype=dt.native)


def _at_eof(src) -> bool:
    """For streams of unknown length: peek one byte where the stream allows it."""
    stream = getattr(src, "stream", None)
    if stream is None or not hasattr(stream, "peek"):
        return False
    return not stream.peek(1)


def _entry_name(entry, stream=None):
    if entry is not None:
        return entry
    name = getattr(stream, "name", None)
    return name if isinstance(name, str) else None


def read_array(buf, *, entry: str | None = None) -> np.ndarray:
    """Decode one ND4J binary array that fills ``buf`` entirely.

    Mirrors ``org.nd4j.linalg.factory.Nd4j#read(DataInputStream)`` for every generation written by
    DL4J 0.5.0 .. 1.0.0-M2.1 (JAVACPP/HEAP/DIRECT, LONG_SHAPE, MIXED_DATA_TYPES).
    Differs: BFLOAT16 comes back as float32; trailing bytes are an error (ND4J ignores them);
    the result is a native-endian, writable numpy array with the stored shape and order.
    ``entry`` names the zip entry in error messages. Raises ``CorruptEntryError`` or
    ``UnknownDtypeError`` (both ``Dl4jFormatError``).
    """
    src = _BufferSource(buf, entry)
    arr = _read(src)
    if src.pos != len(src.view):
        raise CorruptEntryError(f"{len(src.view) - src.pos} trailing bytes after the ND4J array "
                                f"(array ends at byte {src.pos} of {len(src.view)})", entry)
    return arr


def read_array_from(stream: BinaryIO, *, entry: str | None = None, size: int | None = None,
                    preallocate: int | None = None, max_bytes: int | None = None) -> np.ndarray:
    """Decode the ND4J binary array at the current position of a binary file object.

    Mirrors ``org.nd4j.linalg.factory.Nd4j#read(DataInputStream)``: reads exactly one array and
    leaves the stream positioned after it, so several arrays can be read in a row (DataSet files,
    ``normalizer.bin``). The data is read straight into the result (no second copy).
    ``size``: the number of bytes the array occupies, when known (a zip entry's size): header
    sizes are checked against it, and bytes left over are an error. Without it, sizes are checked
    against the remaining length of BytesIO objects and regular files.
    Memory: the array is allocated at its declared size only up to ``preallocate`` bytes (default:
    what the stream provably holds -- the rest of a BytesIO or regular file) or 16 MiB; beyond that it
    grows as the data arrives, so a header's claim alone never allocates. ``max_bytes`` (default
    4 GiB) refuses larger arrays at once (``InputTooLargeError``): the ceiling for non-seekable streams.
    Differs: BFLOAT16 comes back as float32.
    """
    src = _StreamSource(stream, _entry_name(entry, stream), size, preallocate, max_bytes)
    arr = _read(src)
    if size is not None and src.pos != size:
        raise CorruptEntryError(f"{size - src.pos} trailing bytes after the ND4J array "
                                f"(array ends at byte {src.pos} of {size})", src.entry)
    return arr


def read_array_file(path, *, max_bytes: int | None = None) -> np.ndarray:
    """Mirrors ``org.nd4j.linalg.factory.Nd4j#readBinary(File)``: the one ND4J array a file holds.

    Regular files only (``NotARegularFileError`` for a FIFO, device or directory); trailing bytes are
    an error.
    """
    with open_regular(path, "ND4J array file") as f:
        size = os.fstat(f.fileno()).st_size
        return read_array_from(f, entry=os.fspath(path), size=size, max_bytes=max_bytes)


def read_header(stream: BinaryIO, *, entry: str | None = None, size: int | None = None) -> dict:
    """The header of the ND4J array at the stream's position, without its data: ``alloc_mode``, ``rank``,
    ``shape``, ``order`` and ``dtype`` (the data buffer's DataType name). Raises as :func:`read_array_from`."""
    src = _StreamSource(stream, _entry_name(entry, stream), size)
    header = _read_shape_info(src)
    count = 1
    for s in header.shape:
        count *= s
    if count == 0 or header.extras & EXTRAS_EMPTY:
        dtype = _DTYPE_BY_EXTRAS.get(header.extras & _DTYPE_BITS, "FLOAT")
    else:
        _, _, dtype = _read_buffer_header(src, "data")
    return {"alloc_mode": header.alloc, "rank": len(header.shape), "shape": list(header.shape), "order": header.order,
            "dtype": dtype}


# --- writing --------------------------------------------------------------------------------


def _utf(text: str) -> bytes:
    raw = text.encode("ascii")
    return struct.pack(">H", len(raw)) + raw


def _nd4j_strides(shape: tuple[int, ...], order: str) -> list[int]:
    """Mirrors ``ArrayUtil.calcStrides`` / ``calcStridesFortran`` incl. the 2-D vector special case."""
    if len(shape) == 2 and 1 in shape:
        return [1, 1]
    strides, step = [0] * len(shape), 1
    dims = range(len(shape) - 1, -1, -1) if order == "c" else range(len(shape))
    for k in dims:
        strides[k] = step
        step *= shape[k]
    return strides


def _dtype_name(dtype: np.dtype) -> str:
    name = _NAME_BY_NUMPY.get((dtype.kind, dtype.itemsize))
    if name is None:
        raise UnknownDtypeError(f"numpy dtype {dtype} has no ND4J DataType "
                                f"(writable: {', '.join(n for n in DTYPES if n != 'BFLOAT16')})")
    return name


def _header_bytes(arr: np.ndarray, name: str, order: str) -> bytes:
    shape = tuple(int(s) for s in arr.shape)
    extras = DTYPES[name].extras
    if arr.size == 0:
        strides, extras, ews = [0] * len(shape), extras | EXTRAS_EMPTY, 0
    else:
        strides, ews = _nd4j_strides(shape, order), 1
    info = [len(shape), *shape, *strides, extras, ews, ORDER_CODES[order]]
    return b"".join([
        _utf(WRITE_ALLOC_MODE), struct.pack(">q", len(info)), _utf(SHAPE_DTYPE_NAME),
        np.asarray(info, dtype=">i8").tobytes(),
        _utf(WRITE_ALLOC_MODE), struct.pack(">q", arr.size), _utf(name),
    ])


def _write_data(arr: np.ndarray, order: str, write) -> None:
    """Stream the elements big-endian in ``order``, one bounded chunk at a time."""
    if arr.size == 0:
        return
    wire = arr.dtype.newbyteorder(">")
    it = np.nditer(arr, flags=["external_loop", "buffered", "zerosize_ok"], op_flags=[["readonly"]],
                   op_dtypes=[wire], casting="equiv", order=order.upper(), buffersize=_CHUNK_ELEMENTS)
    for chunk in it:
        write(memoryview(np.ascontiguousarray(chunk)).cast("B"))


def encoded_size(arr, order: str = "c") -> int:
    """The number of bytes :func:`write_array` writes for ``arr``."""
    arr = np.asarray(arr)
    return len(_header_bytes(arr, _dtype_name(arr.dtype), order.lower())) + arr.size * arr.dtype.itemsize


def write_array(arr, *, order: str = "c", stream: BinaryIO | None = None) -> bytes | None:
    """Encode ``arr`` exactly as DL4J 1.0.0-M2.1's ``Nd4j.write`` does.

    Mirrors ``org.nd4j.linalg.factory.Nd4j#write(INDArray, DataOutputStream)``: MIXED_DATA_TYPES
    headers, int64 lengths, LONG shape info ``[rank, shape, stride, extras, ews, order]`` with the
    dtype bits in ``extras`` and ND4J's strides (a 2-D vector gets ``[1, 1]``), then the elements
    big-endian in ``order`` ('c' or 'f'). ``arr`` may be any array-like of a numeric or bool dtype.
    With ``stream`` the bytes are written there in bounded chunks and None is returned; without it
    the encoded bytes are returned. Differs: BFLOAT16 cannot be written (numpy has no such dtype).
    """
    order = order.lower()
    if order not in ORDER_CODES:
        raise ValueError(f"order must be 'c' or 'f', got {order!r}")
    arr = np.asarray(arr)
    name = _dtype_name(arr.dtype)
    header = _header_bytes(arr, name, order)
    if stream is not None:
        stream.write(header)
        _write_data(arr, order, stream.write)
        return None
    total = len(header) + arr.size * arr.dtype.itemsize
    out = io.BytesIO()
    if total:  # size the buffer once: getvalue() then hands it over without another copy
        out.seek(total - 1)
        out.write(b"\0")
        out.seek(0)
    out.write(header)
    _write_data(arr, order, out.write)
    return out.getvalue()
