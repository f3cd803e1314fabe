"""``pydl4j-transfer inspect``: what a DL4J model zip holds, with neither torch nor Java.

Reads the zip with :mod:`pydl4j_transfer.zipio` and the configuration with
:mod:`pydl4j_transfer.conf` (numpy + stdlib only). Reports the entries and their sizes, the
network type, the DL4J format generation (ND4J allocation mode and rank of the stored param
vector; legacy wrapper-object JSON or ``"@class"`` JSON), the dtype, params per layer, the
updater(s) with their state layout (DL4J's UpdaterBlocks), frozen layers and the normalizer type.
"""

from __future__ import annotations

from pydl4j_transfer.errors import Pydl4jTransferError
from pydl4j_transfer.zipio import COEFFICIENTS_BIN, UPDATER_BIN
from pydl4j_transfer.zipio.archive import STORED, entry_errors, open_checked_zip, open_member
from pydl4j_transfer.zipio.nd4j_binary import read_header

__all__ = ["inspect_model", "format_inspection", "array_header", "FORMAT_GENERATIONS"]

#: (allocation mode, rank of the stored params) -> which DL4J releases write that
FORMAT_GENERATIONS = {
    ("MIXED_DATA_TYPES", 1): "M2.1 [N]",
    ("MIXED_DATA_TYPES", 2): "<=M2 [1,N]",
    ("LONG_SHAPE", 2): "1.0.0-beta..beta3 [1,N]",
    ("JAVACPP", 2): "0.5.0..1.0.0-alpha [1,N]",
    ("HEAP", 2): "pre-0.5 [1,N]",
    ("DIRECT", 2): "pre-0.5 [1,N]",
}


def array_header(stream, entry: str, size: int | None = None) -> dict:
    """The header of an ``Nd4j.write`` record: alloc mode, rank, shape, order and data dtype (no data read).

    Raises ``CorruptEntryError`` / ``UnknownDtypeError`` naming ``entry`` for a damaged header."""
    return read_header(stream, entry=entry, size=size)


def _header_of(zf, where, name):
    info = zf.getinfo(name)
    if info.file_size == 0:
        return None
    with entry_errors(where, name), open_member(zf, info) as stream:
        return array_header(stream, name, size=info.file_size)


def _type_name(obj) -> str:
    return type(obj).__name__ if obj is not None else "-"


def _frozen_kind(layer) -> str | None:
    name = type(layer).__name__
    if name == "FrozenLayer":
        return "frozen"
    if name == "FrozenLayerWithBackprop":
        return "frozen (with backprop)"
    return None


def _layers(net) -> list[dict]:
    """One row per layer / vertex in flat-vector order."""
    from pydl4j_transfer.conf import FrozenVertex, LayerVertex

    rows = []
    for owner, item in net.getConfiguration().param_owners():
        if isinstance(item, LayerVertex):
            layer, kind = item.layer, _frozen_kind(item.layer)
            cls = type(layer).__name__
        elif isinstance(item, FrozenVertex):
            layer, kind, cls = None, "frozen", f"FrozenVertex({type(item.underlying).__name__})"
        elif hasattr(item, "paramSpecs") and hasattr(item, "layerName"):
            layer, kind, cls = item, _frozen_kind(item), type(item).__name__
        else:
            layer, kind, cls = item, None, type(item).__name__
        inner = getattr(layer, "layer", None) or getattr(layer, "underlying", None)
        if kind and inner is not None and type(layer).__name__.startswith("Frozen"):
            cls = f"{cls}({type(inner).__name__})"
        specs = item.paramSpecs() if hasattr(item, "paramSpecs") else []
        n = sum(int(__import__("math").prod(s.shape)) for s in specs)
        rows.append({"name": str(getattr(layer, "layerName", None) or owner) if not isinstance(owner, str) else owner,
                     "index": owner, "type": cls, "params": n, "frozen": kind,
                     "param_shapes": {s.key: [int(d) for d in s.shape] for s in specs}})
    return rows


def _updater_name(upd) -> str:
    return type(upd).__name__ if upd is not None else "None"


def inspect_model(path) -> dict:
    """Everything ``inspect`` reports, as a JSON-ready dict. Needs neither torch nor Java."""
    from pydl4j_transfer.nn.serializer import _is_legacy_json, network_from_raw
    from pydl4j_transfer.zipio import read_model_zip

    with open_checked_zip(path, inflated=lambda name: name in (COEFFICIENTS_BIN, UPDATER_BIN)) as (zf, where):
        entries = [{"name": i.filename, "size": i.file_size, "compressed": i.compress_size,
                    "method": "STORED" if i.compress_type == STORED else "DEFLATED"}
                   for i in zf.infolist()]
        names = {e["name"] for e in entries}
        coeff = _header_of(zf, where, COEFFICIENTS_BIN) if COEFFICIENTS_BIN in names else None
        upd_header = _header_of(zf, where, UPDATER_BIN) if UPDATER_BIN in names else None
    raw = read_model_zip(path)
    net = network_from_raw(raw, path)
    legacy = _is_legacy_json(raw.configuration_json)
    generation = "-"
    if coeff is not None:
        generation = FORMAT_GENERATIONS.get((coeff["alloc_mode"], coeff["rank"]),
                                            f"{coeff['alloc_mode']} rank {coeff['rank']}")
    layers = _layers(net)
    by_owner = {str(r["index"]): r["name"] for r in layers}
    blocks = [{"updater": _updater_name(b.updater), "params": [b.param_start, b.param_end],
               "state": [b.state_start, b.state_end],
               "layers": list(dict.fromkeys(by_owner.get(str(o), str(o)) for o, _ in b.params))}
              for b in net.updaterBlocks()]
    normalizer = None
    if raw.normalizer is not None:
        try:
            from pydl4j_transfer.data.normalizers import read_normalizer

            normalizer = _type_name(read_normalizer(raw.normalizer))
        except Pydl4jTransferError as exc:  # report, never fail inspect on an odd normalizer
            normalizer = f"unreadable ({exc})"
    updaters = sorted({b["updater"] for b in blocks if b["updater"] != "NoOp"} or {b["updater"] for b in blocks})
    return {
        "file": str(path),
        "entries": entries,
        "network": type(net).__name__,
        "format": {"generation": generation, "json": "legacy (pre-1.0.0-beta wrapper objects)" if legacy else "@class",
                   "coefficients": coeff, "updater_state": upd_header},
        "dtype": (coeff or {}).get("dtype") or str(getattr(net.getConfiguration().dataType, "name", "FLOAT")),
        "num_params": int(net.numParams()),
        "layers": layers,
        "updaters": updaters,
        "updater_state_length": 0 if raw.updater_state is None else int(raw.updater_state.size),
        "updater_state_expected": int(net.updaterStateSize()),
        "updater_blocks": blocks,
        "frozen": [r["name"] for r in layers if r["frozen"]],
        "normalizer": normalizer,
        "iteration_count": net.getIterationCount(),
        "epoch_count": net.getEpochCount(),
        "extra_entries": sorted(raw.extra_entries),
    }


def _table(rows, header) -> list[str]:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    return [fmt.format(*header).rstrip()] + [fmt.format(*map(str, r)).rstrip() for r in rows]


def format_inspection(info: dict) -> str:
    """The human-readable text of :func:`inspect_model`'s dict."""
    fmt = info["format"]
    coeff = fmt["coefficients"]
    out = [f"file:        {info['file']}",
           f"network:     {info['network']}",
           f"format:      {fmt['generation']}"
           + (f" (coefficients.bin: {coeff['alloc_mode']}, shape {coeff['shape']}, order '{coeff['order']}')" if coeff else ""),
           f"json:        {fmt['json']}",
           f"dtype:       {info['dtype']}",
           f"params:      {info['num_params']:,}",
           f"updater:     {', '.join(info['updaters']) or 'none'}; state {info['updater_state_length']:,} values"
           + ("" if info["updater_state_length"] in (0, info["updater_state_expected"])
              else f" (configuration implies {info['updater_state_expected']:,})")
           + ("" if info["updater_state_length"] else " (no updaterState.bin)"),
           f"frozen:      {', '.join(info['frozen']) or 'none'}",
           f"normalizer:  {info['normalizer'] or 'none'}",
           f"iterations:  {info['iteration_count']}, epochs: {info['epoch_count']}",
           "", "entries:"]
    out += ["  " + line for line in _table([(e["name"], f"{e['size']:,}", f"{e['compressed']:,}", e["method"])
                                            for e in info["entries"]], ("name", "bytes", "compressed", "method"))]
    out += ["", "layers:"]
    out += ["  " + line for line in _table(
        [(r["name"], r["type"], f"{r['params']:,}", r["frozen"] or "",
          ", ".join(f"{k}:{v}" for k, v in r["param_shapes"].items()) or "-") for r in info["layers"]],
        ("name", "type", "params", "frozen", "shapes"))]
    if info["updater_blocks"]:
        out += ["", "updater blocks:"]
        out += ["  " + line for line in _table(
            [(i, b["updater"], f"{b['params'][0]}..{b['params'][1]}", f"{b['state'][0]}..{b['state'][1]}",
              ", ".join(b["layers"])) for i, b in enumerate(info["updater_blocks"])],
            ("#", "updater", "params", "state", "layers"))]
    return "\n".join(out)
