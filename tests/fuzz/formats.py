"""Editable models of the formats the fuzzer mutates, each parsed from a valid seed and serialised again.

Written from the byte-level specs (shared/reference/dl4j-format.md, PKWARE APPNOTE) with ``struct`` and
``zlib`` only, so a mutated field lands where a reader looks for it without the code under test building it:

* :class:`Rec` -- one ``Nd4j.write`` record (alloc mode, lengths, dtype names, shape info, data bytes);
* :class:`ZipModel` -- a zip as entries (name, method, flags, CRC, sizes, stored bytes) whose serialisation
  also reports the offset of every header field, so field-level mutations hit real fields;
* DataSet / MultiDataSet / normalizer files as sequences of parts around :class:`Rec` records.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass, field

LEGACY_ALLOCS = ("DIRECT", "HEAP", "JAVACPP")
ALLOC_MODES = ("DIRECT", "HEAP", "JAVACPP", "LONG_SHAPE", "MIXED_DATA_TYPES")
DTYPE_SIZES = {"DOUBLE": 8, "FLOAT": 4, "HALF": 2, "BFLOAT16": 2, "LONG": 8, "INT": 4, "SHORT": 2, "BYTE": 1,
               "UBYTE": 1, "BOOL": 1, "UINT16": 2, "UINT32": 4, "UINT64": 8, "UTF8": 1, "COMPRESSED": 1,
               "UNKNOWN": 1}


def pack_int(fmt: str, value: int) -> bytes:
    """``struct.pack`` that wraps any Python int into the field's width (a fuzzer wants every bit pattern)."""
    size = struct.calcsize(fmt)
    value &= (1 << (8 * size)) - 1
    if fmt[-1].islower() and value >= 1 << (8 * size - 1):  # signed
        value -= 1 << (8 * size)
    return struct.pack(fmt, value)


def utf(text: str | bytes) -> bytes:
    raw = text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text
    return struct.pack(">H", len(raw) & 0xFFFF) + raw[:0xFFFF]


# --- ND4J records ------------------------------------------------------------------------------------------


@dataclass
class Rec:
    """One ND4J array record. ``shape_len`` / ``data_len`` None: the consistent value."""

    alloc: str
    shape_dtype: str
    info: list
    data_alloc: str
    data_dtype: str
    data: bytes
    shape_len: int | None = None
    data_len: int | None = None
    width: str | None = None  # ">i" / ">q" override of the length field width (else implied by alloc)

    def count(self) -> int:
        rank = self.info[0] if self.info else 0
        n = 1
        for s in self.info[1:1 + max(0, min(rank, len(self.info) - 1))]:
            n *= s
        return n

    def dump(self) -> bytes:
        lfmt = self.width or (">i" if self.alloc in LEGACY_ALLOCS else ">q")
        vfmt = ">i" if self.shape_dtype == "INT" else ">q"
        out = [utf(self.alloc), pack_int(lfmt, len(self.info) if self.shape_len is None else self.shape_len),
               utf(self.shape_dtype), b"".join(pack_int(vfmt, v) for v in self.info)]
        if self.data_alloc is not None:
            dfmt = self.width or (">i" if self.data_alloc in LEGACY_ALLOCS else ">q")
            size = DTYPE_SIZES.get(self.data_dtype, 4)
            n = len(self.data) // size if self.data_len is None else self.data_len
            out += [utf(self.data_alloc), pack_int(dfmt, n), utf(self.data_dtype), self.data]
        return b"".join(out)


def _read_utf(buf: bytes, pos: int) -> tuple[str, int]:
    (n,) = struct.unpack_from(">H", buf, pos)
    return buf[pos + 2:pos + 2 + n].decode("ascii"), pos + 2 + n


def parse_record(buf: bytes, pos: int = 0) -> tuple[Rec, int]:
    """A valid record at ``pos`` (as DL4J or this package writes it) and the offset after it."""
    alloc, pos = _read_utf(buf, pos)
    lfmt = ">i" if alloc in LEGACY_ALLOCS else ">q"
    (length,) = struct.unpack_from(lfmt, buf, pos)
    pos += struct.calcsize(lfmt)
    shape_dtype, pos = _read_utf(buf, pos)
    vfmt = ">i" if shape_dtype == "INT" else ">q"
    info = list(struct.unpack_from(f">{length}{vfmt[1]}", buf, pos))
    pos += length * struct.calcsize(vfmt)
    rank = info[0]
    count = 1
    for s in info[1:1 + rank]:
        count *= s
    empty = count == 0 or (alloc not in LEGACY_ALLOCS and info[2 * rank + 1] & 8)
    if pos >= len(buf) or (empty and pos + 2 > len(buf)):
        return Rec(alloc, shape_dtype, info, None, "FLOAT", b""), pos
    data_alloc, pos = _read_utf(buf, pos)
    dfmt = ">i" if data_alloc in LEGACY_ALLOCS else ">q"
    (n,) = struct.unpack_from(dfmt, buf, pos)
    pos += struct.calcsize(dfmt)
    data_dtype, pos = _read_utf(buf, pos)
    size = DTYPE_SIZES[data_dtype]
    data = buf[pos:pos + n * size]
    return Rec(alloc, shape_dtype, info, data_alloc, data_dtype, data), pos + n * size


def parse_records(buf: bytes, pos: int = 0) -> list[Rec]:
    out = []
    while pos < len(buf):
        rec, pos = parse_record(buf, pos)
        out.append(rec)
    return out


# --- zips -------------------------------------------------------------------------------------------------


@dataclass
class ZEntry:
    name: bytes
    method: int
    flags: int
    crc: int
    usize: int
    data: bytes  # as stored (compressed for method 8)
    local_extra: bytes = b""
    central_extra: bytes = b""
    descriptor: bool = False  # write a data descriptor (and zero sizes in the local header), as DL4J does

    @classmethod
    def of(cls, name: str | bytes, content: bytes, method: int = 8, descriptor: bool = False) -> "ZEntry":
        raw = name.encode("utf-8") if isinstance(name, str) else name
        return cls(raw, method, 8 if descriptor else 0, zlib.crc32(content) & 0xFFFFFFFF, len(content),
                   deflate(content) if method == 8 else content, descriptor=descriptor)

    def content(self) -> bytes:
        return inflate(self.data) if self.method == 8 else self.data


def deflate(data: bytes, level: int = 6) -> bytes:
    co = zlib.compressobj(level, zlib.DEFLATED, -15)
    return co.compress(data) + co.flush()


def inflate(data: bytes, limit: int = 64 << 20) -> bytes:
    d = zlib.decompressobj(-15)
    return d.decompress(data, limit)


@dataclass
class ZipModel:
    entries: list[ZEntry]
    comment: bytes = b""
    # central directory records to write, as indices into entries (aliases and omissions are mutations)
    central: list[int] | None = None
    prefix: bytes = b""
    fields: list = field(default_factory=list)  # (name, offset, struct fmt) of the last dump

    def dump(self) -> bytes:
        out = bytearray(self.prefix)
        fields = []
        offsets = []
        for i, e in enumerate(self.entries):
            offsets.append(len(out))
            base = len(out)
            csize, usize, crc = len(e.data), e.usize, e.crc
            if e.descriptor:
                csize = usize = crc = 0
            out += struct.pack("<4s2B4HL2L2H", b"PK\x03\x04", 20, 0, e.flags, e.method, 0, 0x21, crc,
                               csize, usize, len(e.name), len(e.local_extra))
            for name, off, fmt in (("flags", 6, "<H"), ("method", 8, "<H"), ("crc", 14, "<L"),
                                   ("csize", 18, "<L"), ("usize", 22, "<L"), ("name_len", 26, "<H"),
                                   ("extra_len", 28, "<H"), ("version", 4, "<H")):
                fields.append((f"local[{i}].{name}", base + off, fmt))
            out += e.name + e.local_extra + e.data
            if e.descriptor:
                fields.append((f"descriptor[{i}].crc", len(out) + 4, "<L"))
                out += struct.pack("<4sLLL", b"PK\x07\x08", e.crc, len(e.data), e.usize)
        cd_start = len(out)
        central = [i for i in self.central if i < len(self.entries)] if self.central is not None else None
        for k, i in enumerate(central if central is not None else range(len(self.entries))):
            e = self.entries[i]
            base = len(out)
            out += struct.pack("<4s4B4HL2L5H2L", b"PK\x01\x02", 20, 0, 20, 0, e.flags, e.method, 0, 0x21, e.crc,
                               len(e.data), e.usize, len(e.name), len(e.central_extra), 0, 0, 0, 0, offsets[i])
            for name, off, fmt in (("flags", 8, "<H"), ("method", 10, "<H"), ("crc", 16, "<L"), ("csize", 20, "<L"),
                                   ("usize", 24, "<L"), ("name_len", 28, "<H"), ("extra_len", 30, "<H"),
                                   ("comment_len", 32, "<H"), ("disk", 34, "<H"), ("offset", 42, "<L"),
                                   ("version", 6, "<H")):
                fields.append((f"central[{k}].{name}", base + off, fmt))
            out += e.name + e.central_extra
        cd_size = len(out) - cd_start
        n = len(central) if central is not None else len(self.entries)
        base = len(out)
        out += struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, n, n, cd_size, cd_start, len(self.comment))
        for name, off, fmt in (("disk", 4, "<H"), ("cd_disk", 6, "<H"), ("n_disk", 8, "<H"), ("n_total", 10, "<H"),
                               ("cd_size", 12, "<L"), ("cd_offset", 16, "<L"), ("comment_len", 20, "<H")):
            fields.append((f"eocd.{name}", base + off, fmt))
        out += self.comment
        self.fields = fields
        return bytes(out)


def parse_zip(buf: bytes) -> ZipModel:
    """A valid zip (a seed) as a ZipModel, entries in local-header order, stored bytes kept as they are."""
    import io
    import zipfile

    entries = []
    with zipfile.ZipFile(io.BytesIO(buf)) as zf:
        for info in zf.infolist():
            n_name, n_extra = struct.unpack_from("<HH", buf, info.header_offset + 26)
            start = info.header_offset + 30 + n_name + n_extra
            entries.append(ZEntry(info.filename.encode("utf-8" if info.flag_bits & 0x800 else "cp437"),
                                  info.compress_type, info.flag_bits, info.CRC, info.file_size,
                                  buf[start:start + info.compress_size],
                                  descriptor=bool(info.flag_bits & 8)))
    return ZipModel(entries)
