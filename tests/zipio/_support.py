"""Shared helpers for the zipio tests: the legacy-file locator and an independent ND4J record builder.

The record builder is written from the byte-level spec (shared/reference/dl4j-format.md §2) with
``struct`` only, so reader tests do not depend on the writer under test.
"""

from __future__ import annotations

import os
import struct
from pathlib import Path

import pytest

LEGACY_ENV = "PYDL4J_TRANSFER_LEGACY_DIR"
DEFAULT_LEGACY_DIR = Path(__file__).parents[2].parent / "shared" / "dl4j-legacy"

LEGACY_VERSIONS = ("050", "060", "071", "080")
LEGACY_CASES = ("MLP_1", "MLP_2", "CNN_1", "LSTM_1", "CG_LSTM_1")
#: Every ModelSerializer regression zip in the legacy folder (0.5.0 has no LSTM cases).
LEGACY_ZIPS = tuple(
    f"{v}/{v}_ModelSerializer_Regression_{c}.zip"
    for v in LEGACY_VERSIONS for c in LEGACY_CASES
    if not (v == "050" and "LSTM" in c)
)


def legacy_dir() -> Path:
    """The dl4j-legacy folder, or skip the calling test when this checkout has none."""
    path = Path(os.environ.get(LEGACY_ENV) or DEFAULT_LEGACY_DIR)
    if not path.is_dir():
        pytest.skip(f"DL4J legacy test files not found at {path}: they live in the shared/ folder "
                    f"next to the project (set {LEGACY_ENV} to point elsewhere)")
    return path


def legacy_file(rel: str) -> Path:
    return legacy_dir() / rel


#: What real DL4J 1.0.0-M2.1 writes for Nd4j.zeros(FLOAT, 0) -- a zero-param network's params():
#: shape [0], stride [0], extras FLOAT|EMPTY, ews 0, then a 0-element FLOAT data record.
M21_EMPTY_FLOAT = bytes.fromhex(
    "00104d495845445f444154415f5459504553000000000000000600044c4f4e47"
    "0000000000000001000000000000000000000000000000000000000000002008"
    "0000000000000000000000000000006300104d495845445f444154415f545950"
    "455300000000000000000005464c4f4154")


# --- an independent ND4J record builder ----------------------------------------------------

LEGACY_ALLOCS = ("JAVACPP", "HEAP", "DIRECT")
EXTRAS = {"DOUBLE": 16384, "FLOAT": 8192, "HALF": 4096, "BFLOAT16": 2048, "LONG": 262144,
          "INT": 131072, "SHORT": 65536, "BYTE": 32768, "UBYTE": 32768 | 8388608, "BOOL": 524288,
          "UINT16": 65536 | 8388608, "UINT32": 131072 | 8388608, "UINT64": 262144 | 8388608}


def utf(text: str) -> bytes:
    raw = text.encode()
    return struct.pack(">H", len(raw)) + raw


def buffer_header(alloc: str, length: int, dtype: str) -> bytes:
    fmt = ">i" if alloc in LEGACY_ALLOCS else ">q"
    return utf(alloc) + struct.pack(fmt, length) + utf(dtype)


def c_strides(shape):
    out, step = [], 1
    for s in reversed(shape):
        out.insert(0, step)
        step *= s
    return out


def record(shape, data: bytes, *, dtype="FLOAT", count=None, strides=None, extras=None, ews=1,
           order="c", alloc="MIXED_DATA_TYPES", data_alloc=None, info_len=None, rank=None) -> bytes:
    """One array record: shape-info buffer then data buffer (``data`` already big-endian)."""
    shape = list(shape)
    strides = c_strides(shape) if strides is None else list(strides)
    if extras is None:
        extras = 0 if alloc in LEGACY_ALLOCS or alloc == "LONG_SHAPE" else EXTRAS.get(dtype, 0)
    info = [len(shape) if rank is None else rank, *shape, *strides, extras, ews, ord(order)]
    legacy = alloc in LEGACY_ALLOCS
    fmt = ">i" if legacy else ">q"
    shape_part = buffer_header(alloc, len(info) if info_len is None else info_len,
                               "INT" if legacy else "LONG")
    shape_part += b"".join(struct.pack(fmt, v) for v in info)
    if count is None:
        count = 1
        for s in shape:
            count *= s
    return shape_part + buffer_header(data_alloc or alloc, count, dtype) + data


def field_offsets(rec: bytes) -> list[tuple[str, int]]:
    """(field name, byte offset) of every header field of a MIXED_DATA_TYPES record."""
    out, pos = [], 0
    for which in ("shape-info", "data"):
        (n,) = struct.unpack_from(">H", rec, pos)
        out.append((f"{which} alloc mode", pos))
        pos += 2 + n
        out.append((f"{which} length", pos))
        pos += 8
        (n,) = struct.unpack_from(">H", rec, pos)
        out.append((f"{which} dtype", pos))
        pos += 2 + n
        out.append((f"{which} elements", pos))
        if which == "shape-info":
            (rank,) = struct.unpack_from(">q", rec, pos)
            pos += 8 * (2 * rank + 4)
    return out
