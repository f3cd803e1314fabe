"""Structure-aware mutators: each parses a valid seed (formats.py), changes 1-4 things a careless writer or an
attacker could change, and serialises the result. Deterministic for a given ``random.Random``.

* zip: header fields (local, central, end record) set to boundary values; entries duplicated, aliased
  (two central records on one local header: overlapping), removed, reordered, added (unknown names, DEFLATE
  bombs, zip64 extras); methods and flags flipped; truncation, garbage before/after; and the entries'
  contents mutated by the mutators below (configuration JSON, ND4J arrays, normalizer) and re-deflated.
* ND4J record: alloc modes, length fields and their widths, dtype names, rank / shape / strides / extras /
  order, data lengths and bytes; consistent re-shapes with odd strides.
* configuration JSON: keys deleted, values replaced by nulls, wrong JSON types and boundary numbers,
  ``@class`` swapped, deep nesting, graph edges turned into cycles or dangling inputs, orders garbled.
* DataSet / MultiDataSet / normalizer files: flag bytes, counts, type names, versions, doubles, and their
  arrays through the ND4J mutator; truncation and trailing bytes.
"""

from __future__ import annotations

import copy
import functools
import json
import random
import struct
import zlib

from .formats import (
    ALLOC_MODES, DTYPE_SIZES, Rec, ZEntry, pack_int, parse_record, parse_zip,
)
from .seeds import Seeds, dump_normalizer

INTS = [0, 1, -1, 2, 3, 4, 7, 8, 16, 31, 32, 33, 64, 65, 68, 69, 99, 102, 127, 128, 255, 256, 1000, 65535, 65536,
        2 ** 31 - 1, 2 ** 31, -2 ** 31, 2 ** 32 - 1, 2 ** 32, 2 ** 40, 2 ** 53, 2 ** 61, 2 ** 62, 2 ** 63 - 1,
        -2 ** 63, 2 ** 64 - 1]
U32 = [0, 1, 2, 29, 30, 100, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFF, 0x10000]
STRINGS = ["", "x", "MIXED_DATA_TYPES", "LONG_SHAPE", "JAVACPP", "HEAP", "DIRECT", "FLOAT", "DOUBLE", "LONG", "INT",
           "UTF8", "COMPRESSED", "UNKNOWN", "BFLOAT16", "BOOL", "\u00e9\u00e9", "A" * 300, "NORMALIZER",
           "STANDARDIZE", "MIN_MAX", "IMAGE_MIN_MAX", "CUSTOM", "MULTI_STANDARDIZE", "IMAGE_VGG16"]
DTYPES = list(DTYPE_SIZES) + ["float", "GARBAGE"]


def interesting_int(rng: random.Random, old: int = 0) -> int:
    r = rng.random()
    if r < 0.5:
        return rng.choice(INTS)
    if r < 0.75:
        return old + rng.choice([-2, -1, 1, 2])
    if r < 0.9:
        return rng.randrange(-1000, 1000)
    return rng.getrandbits(64) - (1 << 63)


# --- bytes ------------------------------------------------------------------------------------------------


def mutate_bytes(rng: random.Random, data: bytes, rounds: int | None = None) -> bytes:
    buf = bytearray(data)
    for _ in range(rounds or rng.randint(1, 4)):
        op = rng.randrange(7)
        if op == 0 and buf:  # bit flip
            i = rng.randrange(len(buf))
            buf[i] ^= 1 << rng.randrange(8)
        elif op == 1 and buf:  # byte set
            buf[rng.randrange(len(buf))] = rng.choice([0, 1, 0x7F, 0x80, 0xFF, rng.randrange(256)])
        elif op == 2 and buf:  # truncate
            del buf[rng.randrange(len(buf) + 1):]
        elif op == 3:  # insert
            i = rng.randrange(len(buf) + 1)
            buf[i:i] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
        elif op == 4 and buf:  # delete a span
            i = rng.randrange(len(buf))
            del buf[i:i + rng.randint(1, 16)]
        elif op == 5:  # append
            buf += bytes(rng.randrange(256) for _ in range(rng.randint(1, 32)))
        elif op == 6 and len(buf) >= 4:  # 32-bit boundary value somewhere
            i = rng.randrange(len(buf) - 3)
            buf[i:i + 4] = struct.pack(rng.choice("<>") + "L", rng.choice(U32))
    return bytes(buf)


# --- ND4J records -----------------------------------------------------------------------------------------


def mutate_record(rng: random.Random, rec: Rec) -> Rec:
    rec = copy.deepcopy(rec)
    for _ in range(rng.randint(1, 3)):
        op = rng.randrange(14)
        rank = rec.info[0] if rec.info else 0
        if op == 0:
            rec.alloc = rng.choice(list(ALLOC_MODES) + STRINGS[:3] + ["", "GARBAGE"])
        elif op == 1:
            rec.shape_len = interesting_int(rng, len(rec.info))
        elif op == 2:
            rec.shape_dtype = rng.choice(["LONG", "INT", "FLOAT", "", "UTF8"])
        elif op == 3 and rec.info:  # one shape-info slot
            i = rng.randrange(len(rec.info))
            rec.info[i] = interesting_int(rng, rec.info[i])
        elif op == 4 and rec.info:  # rank consistent or not
            new = rng.choice([0, 1, 2, 3, 4, 5, 32, 33, rank + 1, rank - 1, -1, 2 ** 31])
            if rng.random() < 0.5 and 0 <= new <= 6:
                rec.info = [new] + [rng.choice([1, 2, 3])] * new + [1] * new + rec.info[-3:]
            else:
                rec.info[0] = new
        elif op == 5 and rec.info and rank > 0 and len(rec.info) == 2 * rank + 4:  # strides
            i = 1 + rank + rng.randrange(rank)
            rec.info[i] = rng.choice([0, -1, -2, 1, 2, 2 ** 31, 2 ** 61, 2 ** 62, -2 ** 62, 2 ** 63 - 1])
        elif op == 6 and rec.info and len(rec.info) == 2 * rank + 4:  # extras bits
            rec.info[2 * rank + 1] ^= 1 << rng.randrange(24)
        elif op == 7 and rec.info:  # order code
            rec.info[-1] = rng.choice([99, 102, 0, 97, 255, -1])
        elif op == 8:
            rec.data_alloc = rng.choice(list(ALLOC_MODES) + ["", "GARBAGE", None])
        elif op == 9:
            rec.data_len = interesting_int(rng, len(rec.data) // max(DTYPE_SIZES.get(rec.data_dtype, 4), 1))
        elif op == 10:
            rec.data_dtype = rng.choice(DTYPES)
        elif op == 11:
            rec.data = mutate_bytes(rng, rec.data)
        elif op == 12:  # a consistent array with odd strides and a small shape: reaches the gather code
            r = rng.randint(0, 4)
            shape = [rng.choice([0, 1, 2, 3]) for _ in range(r)]
            strides = [rng.choice([0, 1, 2, 3, -1, 6, 2 ** 61]) for _ in range(r)]
            n = 1
            for s in shape:
                n *= s
            n = max(n, rng.choice([n, n + 1, n * 2]))
            dtype = rng.choice(["FLOAT", "DOUBLE", "HALF", "BFLOAT16", "BOOL", "LONG", "INT", "UBYTE"])
            legacy = rng.random() < 0.3
            extras = 0 if legacy else rng.choice([0, 8192, 16384, 8, 8192 | 8])
            info = [r, *shape, *strides, rng.choice([0, 1, 2]) if legacy else extras, rng.choice([1, 0, -1]),
                    rng.choice([99, 102])]
            alloc = "JAVACPP" if legacy else "MIXED_DATA_TYPES"
            data = bytes(rng.randrange(256) for _ in range(min(n, 4096) * DTYPE_SIZES[dtype]))
            rec = Rec(alloc, "INT" if legacy else "LONG", info, alloc, dtype, data)
        elif op == 13:
            rec.width = rng.choice([">i", ">q", None])
    return rec


def mutate_nd4j(rng: random.Random, seeds: Seeds) -> bytes:
    _, rec = rng.choice(seeds.arrays)
    out = mutate_record(rng, rec).dump()
    if rng.random() < 0.15:
        out = mutate_bytes(rng, out)
    return out


# --- configuration JSON -----------------------------------------------------------------------------------


def _paths(tree, limit: int = 4000) -> list[list]:
    out, stack = [], [([], tree)]
    while stack and len(out) < limit:
        path, node = stack.pop()
        out.append(path)
        if isinstance(node, dict):
            stack.extend((path + [k], v) for k, v in node.items())
        elif isinstance(node, list):
            stack.extend((path + [i], v) for i, v in enumerate(node))
    return out


def _get(tree, path):
    for k in path:
        tree = tree[k]
    return tree


def _set(tree, path, value):
    if not path:
        return value
    _get(tree, path[:-1])[path[-1]] = value
    return tree


def _class_names() -> list[str]:
    from pydl4j_transfer.conf import base

    names = [key for registry in base.ALL_REGISTRIES for key, _ in registry.items()]
    return names + ["org.deeplearning4j.nn.conf.layers.NoSuchLayer", "", "java.lang.Object"]


_CLASSES: list[str] = []


def _replacement(rng: random.Random, old):
    r = rng.randrange(12)
    if r == 0:
        return None
    if r == 1:
        return rng.choice([True, False])
    if r == 2:
        return rng.choice(["", "x", "NaN", "Infinity", "-1", "RELU", "FLOAT", "1e309"])
    if r == 3:
        return rng.choice(INTS)
    if r == 4:
        return rng.choice([0.5, -0.0, 1e308, -1e308, 1e-320, float("nan"), float("inf")])
    if r == 5:
        return []
    if r == 6:
        return {}
    if r == 7:
        return [None]
    if r == 8:  # deep nesting (the recursion-limit bug class)
        node = old
        for _ in range(rng.choice([50, 99, 150, 900])):
            node = [node] if rng.random() < 0.5 else {"k": node}
        return node
    if r == 9 and isinstance(old, (int, float)) and not isinstance(old, bool):
        return interesting_int(rng, int(old) if old == old and abs(old) < 1e18 else 0)
    if r == 10 and isinstance(old, list) and old:
        return old + [copy.deepcopy(rng.choice(old))]
    return copy.deepcopy(old) if not isinstance(old, (dict, list)) else rng.choice([{}, [], None])


def mutate_tree(rng: random.Random, tree):
    if not _CLASSES:
        _CLASSES.extend(_class_names())
    tree = copy.deepcopy(tree)
    for _ in range(rng.randint(1, 3)):
        paths = _paths(tree)
        op = rng.randrange(10)
        if op <= 2 and len(paths) > 1:  # replace a value
            path = rng.choice(paths[1:])
            tree = _set(tree, path, _replacement(rng, _get(tree, path)))
        elif op == 3 and len(paths) > 1:  # delete a key / an element
            path = rng.choice(paths[1:])
            parent = _get(tree, path[:-1])
            if isinstance(parent, dict):
                del parent[path[-1]]
            elif isinstance(parent, list):
                del parent[path[-1]]
        elif op == 4:  # swap a class name
            typed = [p for p in paths if isinstance(_get(tree, p), dict) and ("@class" in _get(tree, p)
                                                                              or "type" in _get(tree, p))]
            if typed:
                node = _get(tree, rng.choice(typed))
                node["@class" if "@class" in node else "type"] = rng.choice(_CLASSES)
        elif op == 5 and isinstance(tree, dict) and isinstance(tree.get("vertexInputs"), dict):  # graph edges
            vi = tree["vertexInputs"]
            names = list(vi) + list(tree.get("networkInputs") or [])
            if vi:
                victim = rng.choice(list(vi))
                kind = rng.randrange(5)
                if kind == 0:  # a cycle: an input of the victim takes the victim as input
                    srcs = [s for s in (vi[victim] or []) if s in vi]
                    if srcs:
                        vi[rng.choice(srcs)] = list(vi[rng.choice(srcs)] or []) + [victim]
                    else:
                        vi[victim] = list(vi[victim] or []) + [victim]
                elif kind == 1:
                    vi[victim] = list(vi[victim] or []) + ["no_such_vertex"]
                elif kind == 2:
                    vi[victim] = []
                elif kind == 3:
                    del vi[victim]
                else:
                    vi[victim] = [rng.choice(names)] * rng.randint(1, 3)
        elif op == 6 and isinstance(tree, dict) and "vertices" in tree:
            r = rng.randrange(4)
            if r == 0:
                tree["vertices"] = {}
            elif r == 1 and tree.get("topologicalOrder"):
                order = tree["topologicalOrder"]
                i = rng.randrange(len(order))
                order[i] = rng.choice([-1, len(order), 2 ** 31, order[0]])
            elif r == 2 and isinstance(tree["vertices"], dict) and tree["vertices"]:
                name = rng.choice(list(tree["vertices"]))
                if rng.random() < 0.5:
                    del tree["vertices"][name]
                else:
                    tree["vertices"][name + "_copy"] = copy.deepcopy(tree["vertices"][name])
            else:
                tree["networkOutputs"] = rng.choice([[], ["no_such"], list(tree.get("networkInputs") or [])])
        elif op == 7 and isinstance(tree, dict) and isinstance(tree.get("confs"), list):
            confs = tree["confs"]
            r = rng.randrange(4)
            if r == 0:
                tree["confs"] = []
            elif r == 1 and confs:
                c = rng.choice(confs)
                if isinstance(c, dict):
                    c.pop("layer", None)
            elif r == 2 and confs:
                confs.append(copy.deepcopy(rng.choice(confs)))
            else:
                tree["inputPreProcessors"] = {str(rng.choice([-1, 0, 99, "x"])): {"@class": rng.choice(_CLASSES)}}
        elif op == 8:  # layer sizes
            sized = [p for p in paths if p and p[-1] in ("nin", "nout", "nIn", "nOut", "kernelSize", "stride",
                                                         "padding", "dilation", "size", "newShape")]
            if sized:
                path = rng.choice(sized)
                tree = _set(tree, path, rng.choice([None, -1, 0, 2 ** 31, 2 ** 40, [None], [-1, 1], [0, 0], [],
                                                    [3], "3", 1.5]))
        else:  # a wrapped layer's inner layer / a vertex's layerConf removed
            wrappers = [p for p in paths if p and p[-1] in ("layer", "underlying", "fwd", "bwd", "layerConf",
                                                            "iUpdater", "preProcessor")]
            if wrappers:
                path = rng.choice(wrappers)
                tree = _set(tree, path, rng.choice([None, {}, {"@class": rng.choice(_CLASSES)}]))
    return tree


def mutate_config(rng: random.Random, seeds: Seeds) -> tuple[bytes, bytes]:
    """(mutated configuration.json bytes, the seed zip it came from)."""
    _, text, zip_bytes = rng.choice(seeds.configs)
    if rng.random() < 0.1:
        return mutate_bytes(rng, text.encode("utf-8")), zip_bytes
    tree = json.loads(text)
    out = json.dumps(mutate_tree(rng, tree), indent=rng.choice([None, 2])).encode("utf-8")
    return out, zip_bytes


# --- zips -------------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=None)
def _bomb_payload(n: int) -> bytes:
    """``n`` zero bytes deflated (about n/1000 bytes); computed once per size."""
    # after a full flush the compressor starts from an empty history, so every 1 MiB segment compresses to the
    # same bytes: the stream is one segment repeated, then the final block (instant, even for 900 MiB)
    co = zlib.compressobj(9, zlib.DEFLATED, -15)
    segment = co.compress(b"\0" * (1 << 20)) + co.flush(zlib.Z_FULL_FLUSH)
    return segment * (n >> 20) + co.flush()


def _bomb(rng: random.Random) -> tuple[bytes, int]:
    n = rng.choice([1 << 20, 16 << 20, 100 << 20, 900 << 20])
    return _bomb_payload(n), n


def mutate_content(rng: random.Random, name: bytes, content: bytes, seeds: Seeds) -> bytes:
    if name == b"configuration.json":
        try:
            tree = json.loads(content)
        except ValueError:
            return mutate_bytes(rng, content)
        return json.dumps(mutate_tree(rng, tree)).encode("utf-8")
    if name in (b"coefficients.bin", b"updaterState.bin") and content:
        try:
            rec, _ = parse_record(content)
        except (struct.error, KeyError, UnicodeDecodeError, IndexError):
            return mutate_bytes(rng, content)
        return mutate_record(rng, rec).dump()
    if name == b"normalizer.bin":
        return mutate_normalizer_parts(rng, rng.choice(seeds.normalizers)[1])
    return mutate_bytes(rng, content)


def mutate_zip(rng: random.Random, seeds: Seeds) -> bytes:
    _, data = rng.choice(seeds.zips)
    model = parse_zip(data)
    byte_level = False
    for _ in range(rng.randint(1, 3)):
        op = rng.randrange(16)
        entries = model.entries
        if op <= 4 and entries:  # an entry's content, re-stored consistently (the main path into the decoders)
            e = rng.choice(entries)
            new = mutate_content(rng, e.name, e.content(), seeds)
            entries[entries.index(e)] = ZEntry.of(e.name, new, e.method, e.descriptor)
        elif op == 5:  # field values (decided after dump, below)
            byte_level = True
        elif op == 6 and entries:  # duplicate entry (same name, both with data)
            e = rng.choice(entries)
            entries.insert(rng.randrange(len(entries) + 1), copy.deepcopy(e))
        elif op == 7 and entries:  # alias: a second central record on the same local header (overlap)
            i = rng.randrange(len(entries))
            central = list(range(len(entries)))
            central.insert(rng.randrange(len(central) + 1), i)
            model.central = central
        elif op == 8:  # a DEFLATE bomb under an unknown or a known name
            payload, n = _bomb(rng)
            name = rng.choice([b"objects/bomb", b"preprocessor.bin", b"normalizer.bin", b"updaterState.bin",
                               b"configuration.json"])
            e = ZEntry(name, 8, 0, 0, n, payload)
            e.crc = rng.choice([0, 0x12345678])
            entries.append(e)
        elif op == 9:  # unknown entries with odd names
            name = rng.choice([b"", b"/", b"dir/", b"objects/x", b"\xff\xfe", "\u00e9".encode(), b"a" * 300,
                               b"../../etc/passwd", b"noParams.marker"])
            entries.append(ZEntry.of(name, bytes(rng.randrange(256) for _ in range(rng.randint(0, 64))),
                                     rng.choice([0, 8])))
        elif op == 10 and entries:
            del entries[rng.randrange(len(entries))]
        elif op == 11 and len(entries) > 1:
            rng.shuffle(entries)
        elif op == 12 and entries:  # method / flag flips without recompressing
            e = rng.choice(entries)
            if rng.random() < 0.5:
                e.method = rng.choice([0, 8, 9, 12, 14, 99, 1])
            else:
                e.flags ^= rng.choice([0x1, 0x8, 0x40, 0x800, 0x2000])
        elif op == 13 and entries:  # zip64 extra with odd values
            e = rng.choice(entries)
            values = [rng.choice(INTS) & (2 ** 64 - 1) for _ in range(rng.randint(0, 3))]
            extra = struct.pack("<HH", 1, 8 * len(values) + rng.choice([0, 0, -1, 4]) & 0xFFFF)
            extra += b"".join(struct.pack("<Q", v) for v in values)
            if rng.random() < 0.5:
                e.central_extra = extra
            else:
                e.local_extra = extra
            byte_level = True
        elif op == 14:
            model.comment = rng.choice([b"", b"PK\x05\x06" + b"\0" * 18, b"x" * 100])
        else:
            model.prefix = rng.choice([b"", b"garbage", b"PK\x03\x04" + b"\0" * 26])
    out = model.dump()
    if byte_level and model.fields:
        for _ in range(rng.randint(1, 3)):
            _, offset, fmt = rng.choice(model.fields)
            old = struct.unpack_from(fmt, out, offset)[0]
            value = rng.choice(U32) if fmt == "<L" else rng.choice([0, 1, 8, 9, 12, 14, 99, 0x800, 0xFFFF, old + 1,
                                                                    old - 1])
            out = out[:offset] + pack_int(fmt.upper(), value) + out[offset + struct.calcsize(fmt):]
    r = rng.random()
    if r < 0.08:
        out = out[:rng.randrange(len(out) + 1)]
    elif r < 0.16:
        out = mutate_bytes(rng, out)
    return out


def zip_with_config(rng: random.Random, config: bytes, zip_bytes: bytes) -> bytes:
    model = parse_zip(zip_bytes)
    for i, e in enumerate(model.entries):
        if e.name == b"configuration.json":
            model.entries[i] = ZEntry.of(e.name, config, e.method, e.descriptor)
    return model.dump()


# --- DataSet, MultiDataSet, normalizer --------------------------------------------------------------------


def mutate_dataset(rng: random.Random, seeds: Seeds) -> bytes:
    _, flags, recs = rng.choice(seeds.datasets)
    recs = list(recs)
    for _ in range(rng.randint(1, 2)):
        op = rng.randrange(5)
        if op == 0:
            flags = rng.choice([0, 1, 2, 3, 4, 5, 7, 8, 16, 31, 255, rng.randrange(256)])
        elif op in (1, 2) and recs:
            i = rng.randrange(len(recs))
            recs[i] = mutate_record(rng, recs[i])
        elif op == 3 and recs:
            del recs[rng.randrange(len(recs))]
        elif recs:
            recs.append(rng.choice(recs))
    out = bytes([flags & 0xFF]) + b"".join(r.dump() for r in recs)
    return mutate_bytes(rng, out) if rng.random() < 0.15 else out


def mutate_multidataset(rng: random.Random, seeds: Seeds) -> bytes:
    _, counts, recs = rng.choice(seeds.multidatasets)
    counts, recs = list(counts), list(recs)
    for _ in range(rng.randint(1, 2)):
        op = rng.randrange(4)
        if op == 0:
            i = rng.randrange(4)
            counts[i] = rng.choice([-1, 0, 1, 2, 3, 2 ** 31 - 1, -2 ** 31, counts[i] + 1])
        elif op in (1, 2) and recs:
            i = rng.randrange(len(recs))
            recs[i] = mutate_record(rng, recs[i])
        elif recs:
            del recs[rng.randrange(len(recs))]
    out = b"".join(pack_int(">i", c) for c in counts) + b"".join(r.dump() for r in recs)
    return mutate_bytes(rng, out) if rng.random() < 0.15 else out


def mutate_normalizer_parts(rng: random.Random, parts: list) -> bytes:
    parts = copy.deepcopy(parts)
    for _ in range(rng.randint(1, 3)):
        if not parts:
            break
        i = rng.randrange(len(parts))
        kind, value = parts[i]
        op = rng.randrange(4)
        if op == 0:
            del parts[i]
        elif op == 1:
            parts.insert(i, (kind, copy.deepcopy(value)))
        elif kind == "utf":
            parts[i] = (kind, rng.choice(STRINGS))
        elif kind == "i32":
            parts[i] = (kind, interesting_int(rng, value))
        elif kind == "bool":
            parts[i] = (kind, rng.randrange(256))
        elif kind == "f64":
            parts[i] = (kind, rng.choice([float("nan"), float("inf"), -1.0, 0.0, 1e308, value * 2]))
        elif kind == "rec":
            parts[i] = (kind, mutate_record(rng, value))
        else:
            parts[i] = (kind, mutate_bytes(rng, bytes(value)))
    out = dump_normalizer(parts)
    return mutate_bytes(rng, out) if rng.random() < 0.1 else out


def mutate_normalizer(rng: random.Random, seeds: Seeds) -> bytes:
    return mutate_normalizer_parts(rng, rng.choice(seeds.normalizers)[1])
