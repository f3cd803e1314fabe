"""The fuzzer's seeds: files written by real DL4J (compat_fixtures/, ../shared/dl4j-legacy/) and, where DL4J
wrote none, files written by this package's writers (checked byte for byte against DL4J by the parity tests:
DataSet / MultiDataSet files, normalizers, ND4J records of every dtype and order).

Every seed is a valid input; the mutators (mutators.py) start from a parsed copy.
"""

from __future__ import annotations

import functools
import glob
import io
import os
import struct
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .formats import Rec, parse_record, parse_records, parse_zip

REPO = Path(__file__).resolve().parents[2]
LEGACY = Path(os.environ.get("PYDL4J_TRANSFER_LEGACY_DIR", REPO.parent / "shared" / "dl4j-legacy"))
MAX_SEED_BYTES = 64 << 10  # keeps every run fast: the fixtures are 1-45 KB


@dataclass
class Seeds:
    zips: list  # (name, bytes)
    arrays: list  # (name, Rec)
    configs: list  # (name, configuration JSON text, zip bytes it came from)
    datasets: list  # (name, flags, [Rec])
    multidatasets: list  # (name, counts, [Rec])
    normalizers: list  # (name, [parts]); a part is ("utf", str) / ("i32", int) / ("bool", int) / ("f64", float) / ("rec", Rec)


def _zip_paths() -> list[Path]:
    paths = sorted(Path(p) for p in glob.glob(str(REPO / "compat_fixtures" / "*" / "*" / "model.zip")))
    if LEGACY.is_dir():
        paths += sorted(LEGACY.rglob("*.zip"))
        paths += sorted(p for p in LEGACY.glob("100b*/Synthetic*.bin") if "_Input_" not in p.name
                        and "_Output_" not in p.name)
        paths += [p for p in [LEGACY / "100a" / "upsampling" / "net.bin"] if p.exists()]
    return [p for p in paths if p.stat().st_size <= MAX_SEED_BYTES]


def _synthetic_arrays() -> list:
    from pydl4j_transfer.zipio import write_array

    rng = np.random.default_rng(7)
    out = []
    for dtype in ("float32", "float64", "float16", "int64", "int32", "int16", "int8", "uint8", "bool", "uint16",
                  "uint32", "uint64"):
        for shape, order in (((3,), "c"), ((2, 3), "c"), ((2, 3), "f"), ((1, 4), "c"), ((2, 2, 3), "f"), ((), "c"),
                             ((0,), "c"), ((2, 0), "c")):
            arr = (rng.standard_normal(shape) * 10).astype(dtype)
            out.append((f"{dtype}{list(shape)}{order}", parse_record(write_array(arr, order=order))[0]))
    return out


def _legacy_records(recs: list) -> list:
    """JAVACPP (0.5.0-alpha) and LONG_SHAPE (beta-beta3) forms of a few records: other length widths."""
    out = []
    for name, rec in recs[:6]:
        if rec.data_alloc is None or rec.data_dtype not in ("FLOAT", "DOUBLE"):
            continue
        rank = rec.info[0]
        info = list(rec.info)
        info[2 * rank + 1] = 0  # no dtype bits before beta4
        out.append((name + "/javacpp", Rec("JAVACPP", "INT", info, "JAVACPP", rec.data_dtype, rec.data)))
        out.append((name + "/long_shape", Rec("LONG_SHAPE", "LONG", info, "LONG_SHAPE", rec.data_dtype, rec.data)))
    return out


@functools.lru_cache(maxsize=1)
def load_seeds() -> Seeds:
    from pydl4j_transfer.data import DataSet, MultiDataSet
    from pydl4j_transfer.data.normalizers import (
        ImagePreProcessingScaler, NormalizerMinMaxScaler, NormalizerStandardize, write_normalizer,
    )

    zips, arrays, configs, normalizers = [], [], [], []
    inputs = []
    for path in _zip_paths():
        data = path.read_bytes()
        name = str(path.relative_to(path.parents[2] if "compat_fixtures" in path.parts else LEGACY))
        zips.append((name, data))
        model = parse_zip(data)
        for e in model.entries:
            content = e.content()
            if e.name == b"configuration.json":
                configs.append((name, content.decode("utf-8"), data))
            elif e.name in (b"coefficients.bin", b"updaterState.bin") and 0 < len(content) <= 16 << 10:
                arrays.append((f"{name}:{e.name.decode()}", parse_record(content)[0]))
            elif e.name == b"normalizer.bin":
                normalizers.append((f"{name}:normalizer.bin", _normalizer_parts(content)))
        folder = path.parent
        if (folder / "input.npy").exists() and (folder / "output.npy").exists():
            inputs.append((folder.name, np.load(folder / "input.npy"), np.load(folder / "output.npy")))
    if LEGACY.is_dir():
        for path in sorted(LEGACY.glob("100b*/*_Input_*.bin")) + sorted(LEGACY.glob("100b*/*_Output_*.bin")):
            if path.stat().st_size <= MAX_SEED_BYTES:
                arrays.append((path.name, parse_record(path.read_bytes())[0]))
    arrays += _synthetic_arrays()
    arrays += _legacy_records(arrays)

    datasets, multidatasets = [], []
    seen = set()
    for name, x, y in inputs:
        if name in seen or x.nbytes > 16 << 10 or y.nbytes > 16 << 10 or x.dtype == object:
            continue
        seen.add(name)
        mask = np.ones((x.shape[0], x.shape[2]), np.float32) if x.ndim == 3 else None
        lmask = np.ones((y.shape[0], y.shape[2]), np.float32) if y.ndim == 3 else None
        for ds in (DataSet(x, y), DataSet(x, y, mask, lmask), DataSet(x, x)):
            raw = ds.toBytes()
            datasets.append((name, raw[0], parse_records(raw, 1)))
        for mds in (MultiDataSet([x], [y]), MultiDataSet([x, x], [y], [mask, None] if mask is not None else None)):
            raw = mds.toBytes()
            multidatasets.append((name, list(struct.unpack(">4i", raw[:16])), parse_records(raw, 16)))

    std = NormalizerStandardize(np.array([[0.5, 1.0, -2.0]], np.float32), np.array([[1.0, 2.0, 0.5]], np.float32))
    std_label = NormalizerStandardize(np.array([[0.5]], np.float32), np.array([[2.0]], np.float32)).fitLabel(True)
    std_label.labelMean, std_label.labelStd = np.array([[1.0]], np.float32), np.array([[3.0]], np.float32)
    mm = NormalizerMinMaxScaler(-1.0, 1.0)
    mm.min, mm.max = np.zeros((1, 4), np.float32), np.ones((1, 4), np.float32)
    for i, norm in enumerate((std, std_label, mm, ImagePreProcessingScaler(0.0, 1.0, 8))):
        normalizers.append((f"synthetic{i}:{type(norm).__name__}", _normalizer_parts(write_normalizer(norm))))
    normalizers.append(("synthetic:opaque", [("utf", "NORMALIZER"), ("i32", 1), ("utf", "MULTI_STANDARDIZE"),
                                             ("raw", b"\0\1\2\3")]))
    return Seeds(zips, arrays, configs, datasets, multidatasets, normalizers)


def _normalizer_parts(raw: bytes) -> list:
    """Parse a normalizer.bin of a known type into parts (see Seeds)."""
    s = io.BytesIO(raw)

    def utf_():
        (n,) = struct.unpack(">H", s.read(2))
        return s.read(n).decode("utf-8")
    parts = [("utf", utf_()), ("i32", struct.unpack(">i", s.read(4))[0])]
    kind = utf_()
    parts.append(("utf", kind))
    rest = s.read()
    pos = 0
    if kind == "STANDARDIZE":
        parts.append(("bool", rest[0]))
        pos = 1
    elif kind == "MIN_MAX":
        parts += [("bool", rest[0]), ("f64", struct.unpack_from(">d", rest, 1)[0]),
                  ("f64", struct.unpack_from(">d", rest, 9)[0])]
        pos = 17
    elif kind == "IMAGE_MIN_MAX":
        return parts + [("f64", v) for v in struct.unpack(">ddd", rest)]
    else:
        return parts + [("raw", rest)]
    while pos < len(rest):
        rec, pos = parse_record(rest, pos)
        parts.append(("rec", rec))
    return parts


def dump_normalizer(parts: list) -> bytes:
    from .formats import pack_int, utf

    out = []
    for kind, value in parts:
        if kind == "utf":
            out.append(utf(value))
        elif kind == "i32":
            out.append(pack_int(">i", value))
        elif kind == "bool":
            out.append(bytes([value & 0xFF]))
        elif kind == "f64":
            out.append(struct.pack(">d", value))
        elif kind == "rec":
            out.append(value.dump())
        else:
            out.append(bytes(value))
    return b"".join(out)
