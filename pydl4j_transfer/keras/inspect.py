"""What a Keras file holds and what each of its layers maps to (``pydl4j-transfer inspect model.h5``).

Not in DL4J. Each Keras layer is mapped on its own (the registry of layer.py, as KerasModelImport would), so one
unsupported layer does not hide the others: a row says the Keras class, the DL4J layer / vertex / preprocessor it
becomes, or why it cannot be imported and how to register a mapper for it.
"""

from __future__ import annotations

import json
import os

from pydl4j_transfer.errors import InvalidKerasConfigurationError, UnsupportedKerasConfigurationError

from .config import KerasModelConfiguration as Config
from .config import layer_configuration
from .layer import layer_from_config


def _model_config(path):
    """(Keras model config with keras_version/backend, keras version string, file kind)."""
    from .hdf5 import Hdf5Archive
    from .keras3 import is_keras_archive, read_archive
    from .model import _read_text, parse_json

    path = os.fspath(path)
    if is_keras_archive(path):
        config, _, version = read_archive(path)
        return config, f"{version} (Keras 3 archive)", "keras"
    if path.endswith(".json"):
        config = parse_json(_read_text(path))
        return config, config.get(Config.fieldKerasVersion), "json"
    with Hdf5Archive(path) as archive:
        if not archive.hasAttribute(Config.trainingModelConfigAttribute):
            raise InvalidKerasConfigurationError(f"Model configuration attribute missing from {path} archive "
                                                 "(a weights-only file? give its model JSON with --weights)", file=path)
        config = parse_json(archive.readAttributeAsJson(Config.trainingModelConfigAttribute))
        for attr in (Config.fieldKerasVersion, Config.fieldBackend):
            if archive.hasAttribute(attr):
                config[attr] = archive.readAttributeAsString(attr)
    return config, config.get(Config.fieldKerasVersion), "h5"


def _dl4j_of(mapper) -> str:
    """The DL4J object a mapper made, e.g. "LastTimeStep(LSTM)", "MergeVertex", "preprocessor"."""
    def name(layer):
        inner = getattr(layer, "underlying", None) or getattr(layer, "fwd", None)
        return f"{type(layer).__name__}({name(inner)})" if inner is not None else type(layer).__name__

    if mapper.isLayer():
        return name(mapper.getLayer())
    if mapper.isVertex():
        return type(mapper.getVertex()).__name__
    if mapper.isInputPreProcessor():
        return "input preprocessor (" + type(mapper).__name__.replace("Keras", "") + ")"
    if type(mapper).__name__ == "KerasInput":
        return "network input"
    return "-"


def describe(path) -> dict:
    """{"file", "keras_version", "model_class", "layers": [{"name", "keras_class", "maps_to" | "unsupported"}]}."""
    from .model import determine_keras_major_version

    config, version, _ = _model_config(path)
    major = determine_keras_major_version(config)
    conf = layer_configuration(major)
    inner = config.get("config")
    layers = inner if isinstance(inner, list) else (inner or {}).get("layers") or []
    rows, previous = [], {}
    for cfg in layers:
        if not isinstance(cfg, dict):
            continue
        cfg = dict(cfg)
        cfg[Config.fieldKerasVersion] = major
        if major == 2 and config.get(Config.fieldBackend):
            cfg[Config.fieldBackend] = config[Config.fieldBackend]
        lname = (cfg.get("config") or {}).get("name") if isinstance(cfg.get("config"), dict) else None
        row = {"name": lname, "keras_class": cfg.get("class_name")}
        try:
            mapper = layer_from_config(cfg, False, conf, previous)
            previous[mapper.getLayerName()] = mapper
            row["maps_to"] = _dl4j_of(mapper)
        except (InvalidKerasConfigurationError, UnsupportedKerasConfigurationError) as exc:
            row["unsupported"] = exc.detail
        rows.append(row)
    return {"file": os.fspath(path), "keras_version": version, "model_class": config.get("class_name"),
            "layers": rows}


def format_description(info: dict) -> str:
    lines = [f"{info['file']}: Keras {info['keras_version']} {info['model_class']} model, {len(info['layers'])} layers"]
    width = max([len(str(r["name"])) for r in info["layers"]] + [4])
    cwidth = max([len(str(r["keras_class"])) for r in info["layers"]] + [5])
    for r in info["layers"]:
        target = r.get("maps_to") or f"UNSUPPORTED: {r['unsupported']}"
        lines.append(f"  {str(r['name']):<{width}}  {str(r['keras_class']):<{cwidth}}  -> {target}")
    bad = [r for r in info["layers"] if "unsupported" in r]
    lines.append(f"{len(bad)} unsupported layer(s)" if bad else "every layer maps to DL4J")
    return "\n".join(lines)


_ = json
