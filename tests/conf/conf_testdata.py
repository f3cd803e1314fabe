"""Paths and small helpers shared by the tests/conf tests."""

from __future__ import annotations

import json
import math
import os
import struct
import zipfile
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
CASES_DIR = DATA / "dl4j_cases"
LEGACY = Path(os.environ.get("PYDL4J_TRANSFER_LEGACY_DIR",
                             Path(__file__).resolve().parents[2].parent / "shared" / "dl4j-legacy"))
LEGACY_REASON = f"DL4J legacy files not found at {LEGACY} (set PYDL4J_TRANSFER_LEGACY_DIR)"


def load_data(name):
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def zip_json(path) -> str:
    """configuration.json text of a DL4J model zip (zipfile only: the reader under test is conf)."""
    with zipfile.ZipFile(path) as z:
        return z.read("configuration.json").decode("utf-8")


def coefficient_count(path) -> int:
    """Number of parameters in a zip's coefficients.bin, from its shape-info header.

    Header: Java writeUTF(allocation mode), int32 length (JAVACPP/HEAP/DIRECT) or int64
    (LONG_SHAPE/MIXED_DATA_TYPES), writeUTF(type), then the shape-info elements
    [rank, dims..., ...]; the parameter vector is [1, N].
    """
    with zipfile.ZipFile(path) as z:
        b = z.read("coefficients.bin")
    n = struct.unpack(">H", b[:2])[0]
    mode, o = b[2:2 + n].decode(), 2 + n
    if mode in ("LONG_SHAPE", "MIXED_DATA_TYPES"):
        length, o = struct.unpack(">q", b[o:o + 8])[0], o + 8
    else:
        length, o = struct.unpack(">i", b[o:o + 4])[0], o + 4
    n = struct.unpack(">H", b[o:o + 2])[0]
    typ, o = b[o + 2:o + 2 + n].decode(), o + 2 + n
    fmt, size = (">q", 8) if typ == "LONG" else (">i", 4)
    vals = [struct.unpack(fmt, b[o + i * size:o + (i + 1) * size])[0] for i in range(length)]
    return math.prod(vals[1:1 + vals[0]])


def subset_equal(original, ours, path="", ignore=()):
    """Every key/value of ``original`` is in ``ours`` (ours may add keys). Returns a list of differences."""
    diffs = []
    if isinstance(original, dict) and isinstance(ours, dict):
        for k, v in original.items():
            p = f"{path}/{k}"
            if any(p.endswith(i) for i in ignore):
                continue
            if k not in ours:
                diffs.append(f"missing {p}")
            else:
                diffs += subset_equal(v, ours[k], p, ignore)
    elif isinstance(original, list) and isinstance(ours, list):
        if len(original) != len(ours):
            diffs.append(f"length {path}: {len(original)} != {len(ours)}")
        else:
            for i, (a, b) in enumerate(zip(original, ours)):
                diffs += subset_equal(a, b, f"{path}[{i}]", ignore)
    elif original != ours and not (_nan(original) and _nan(ours)):
        diffs.append(f"value {path}: {original!r} != {ours!r}")
    return diffs


def added_keys(original, ours, path=""):
    """Keys our output has that the original lacks (e.g. M2.1 additions to beta6 JSON)."""
    out = set()
    if isinstance(original, dict) and isinstance(ours, dict):
        for k, v in ours.items():
            if k not in original:
                out.add(k)
            else:
                out |= added_keys(original[k], v, f"{path}/{k}")
    elif isinstance(original, list) and isinstance(ours, list):
        for a, b in zip(original, ours):
            out |= added_keys(a, b, path)
    return out


def _nan(x):
    return x == "NaN" or (isinstance(x, float) and math.isnan(x))
