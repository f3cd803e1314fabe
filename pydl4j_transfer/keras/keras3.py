"""Keras 3 ``.keras`` archives (beyond DL4J: 1.0.0-M2.1 reads Keras 1/2 HDF5 only).

Format (Keras 3 ``saving_lib``): a zip with ``metadata.json`` (``keras_version``), ``config.json`` (the model's
``serialize_keras_object`` tree: ``{"module", "class_name", "config", "registered_name"}`` objects, layers with
``inbound_nodes`` as ``[{"args": [keras tensors], "kwargs": {}}]``) and ``model.weights.h5`` (each layer's variables
as ``layers/<saveable name>/vars/<i>``, where the saveable name is the snake-cased class name, numbered ``_1``,
``_2``... in layer order; recurrent layers keep theirs under ``.../cell/vars``, Bidirectional under
``forward_layer`` / ``backward_layer``).

The importer maps Keras 3 onto the Keras 2 path: the config becomes a Keras 2 style model config (serialized
objects unwrapped to ``{"class_name", "config"}``, ``batch_shape`` -> ``batch_input_shape``, ``negative_slope`` ->
LeakyReLU's ``alpha``, Keras 2 inbound nodes) read with the channels_last defaults (Keras 3's), and each layer's
variables get the Keras 2 parameter names (table ``VARIABLES``) so the same mappers set DL4J's parameters.
What Keras 3 changed and DL4J has no equivalent for is refused by name (``hard_sigmoid`` is x/6 + 1/2 clipped in
Keras 3, 0.2x + 1/2 in Keras 2 and DL4J).
"""

from __future__ import annotations

import json
import os
import re
import tempfile

from pydl4j_transfer.errors import InvalidKerasConfigurationError, UnsupportedKerasConfigurationError

CONFIG_ENTRY = "config.json"
METADATA_ENTRY = "metadata.json"
WEIGHTS_ENTRY = "model.weights.h5"
#: limits for reading the archive (zip bomb guards)
MAX_CONFIG_BYTES = 64 * 2 ** 20

#: Keras 3 layer class -> its variables' Keras 2 parameter names, in the order Keras 3 stores them
#: (callables take the layer config: BatchNormalization stores gamma / beta only when scale / center)
VARIABLES = {
    **{c: ["kernel", "bias"] for c in ("Dense", "Conv1D", "Conv2D", "Conv3D", "Conv2DTranspose", "Conv3DTranspose",
                                       "Conv1DTranspose", "LocallyConnected1D")},
    "DepthwiseConv2D": ["depthwise_kernel", "bias"],
    "SeparableConv2D": ["depthwise_kernel", "pointwise_kernel", "bias"],
    "SeparableConv1D": ["depthwise_kernel", "pointwise_kernel", "bias"],
    "LSTM": ["kernel", "recurrent_kernel", "bias"],
    "SimpleRNN": ["kernel", "recurrent_kernel", "bias"],
    "Embedding": ["embeddings"],
    "PReLU": ["alpha"],
    "BatchNormalization": lambda cfg: ((["gamma"] if cfg.get("scale", True) else [])
                                       + (["beta"] if cfg.get("center", True) else [])
                                       + ["moving_mean", "moving_variance"]),
}
#: recurrent layers keep their variables in the cell
CELL_LAYERS = {"LSTM", "SimpleRNN", "GRU"}
#: Keras 3 activation names with another meaning than Keras 2's / DL4J's, and their replacements (None: refused)
ACTIVATIONS = {"hard_sigmoid": None, "silu": "swish"}


def is_keras_archive(path) -> bool:
    """True when ``path`` is a zip (Keras 3 ``.keras``), not HDF5."""
    try:
        with open(path, "rb") as f:
            return f.read(4) == b"PK\x03\x04"
    except OSError:
        return False


def snake_case(name: str) -> str:
    """Keras's naming.to_snake_case (the saveable names of model.weights.h5)."""
    name = re.sub(r"\W+", "", name)
    name = re.sub("(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub("([a-z])([A-Z])", r"\1_\2", name).lower()


def read_archive(path):
    """(Keras 2 style model config, {layer name: {param: array}}, keras version) of a ``.keras`` file."""
    from pydl4j_transfer.zipio.archive import entry_errors, open_checked_zip, open_member, read_entry

    from .hdf5 import Hdf5Archive

    path = os.fspath(path)
    try:
        with open_checked_zip(path) as (zf, where):
            names = set(zf.namelist())
            for entry in (CONFIG_ENTRY, WEIGHTS_ENTRY):
                if entry not in names:
                    raise InvalidKerasConfigurationError(f"not a Keras 3 archive: no {entry} entry", file=path)
            for entry in (CONFIG_ENTRY, METADATA_ENTRY):
                if entry in names and zf.getinfo(entry).file_size > MAX_CONFIG_BYTES:
                    raise InvalidKerasConfigurationError(f"{entry} is larger than {MAX_CONFIG_BYTES} bytes", file=path)

            def read(name):  # zipio's reader: CRC checked, inflate errors typed (issue 17)
                with entry_errors(where, name):
                    return read_entry(zf, zf.getinfo(name))

            config = _json(read(CONFIG_ENTRY), path, CONFIG_ENTRY)
            meta = _json(read(METADATA_ENTRY), path, METADATA_ENTRY) if METADATA_ENTRY in names else {}
            fd, tmp = tempfile.mkstemp(prefix="pydl4j_keras3_", suffix=".h5")
            try:
                with os.fdopen(fd, "wb") as out, entry_errors(where, WEIGHTS_ENTRY), \
                        open_member(zf, zf.getinfo(WEIGHTS_ENTRY)) as src:
                    while True:
                        chunk = src.read(1 << 20)
                        if not chunk:
                            break
                        out.write(chunk)
                with Hdf5Archive(tmp) as archive:
                    model_config = convert_config(config, path)
                    weights = read_weights(archive, config, path)
            finally:
                os.unlink(tmp)
    except InvalidKerasConfigurationError:
        raise
    except UnsupportedKerasConfigurationError:
        raise
    except Exception as exc:  # zipio's typed errors (not a zip, bombs): say what the file is supposed to be
        from pydl4j_transfer.errors import Dl4jFormatError

        if isinstance(exc, Dl4jFormatError):
            raise InvalidKerasConfigurationError(f"not a readable Keras 3 archive: {exc}", file=path) from None
        raise
    version = meta.get("keras_version") if isinstance(meta, dict) else None
    return model_config, weights, version


def _json(raw, path, entry):
    try:
        value = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise InvalidKerasConfigurationError(f"{entry} is not valid JSON ({exc})", file=path) from None
    if not isinstance(value, dict):
        raise InvalidKerasConfigurationError(f"{entry} is not a JSON object", file=path)
    return value


# ---------------------------------------------------------------------------------------- config


def _unwrap(value):
    """Keras 3 serialized objects -> Keras 2 ``{"class_name", "config"}``; dtype policies dropped."""
    if isinstance(value, dict):
        if "class_name" in value and "config" in value and ("module" in value or "registered_name" in value):
            if value["class_name"] in ("DTypePolicy", "FloatDTypePolicy"):
                return None
            return {"class_name": value["class_name"], "config": _unwrap(value["config"])}
        return {k: _unwrap(v) for k, v in value.items() if k not in ("dtype", "shared_object_id")}
    if isinstance(value, list):
        return [_unwrap(v) for v in value]
    return value


def _layer_config(layer, path):
    """One Keras 3 layer object -> Keras 2 style ``{"class_name", "config"[, "name", "inbound_nodes"]}``."""
    if not isinstance(layer, dict) or not isinstance(layer.get("config"), dict):
        raise InvalidKerasConfigurationError(f"a layer of config.json is not a serialized Keras layer: {layer!r:.80}",
                                             file=path)
    cls = layer.get("class_name")
    cfg = _unwrap(layer["config"])
    name = cfg.get("name")
    if not isinstance(cls, str):
        raise InvalidKerasConfigurationError(f"a layer's class_name in config.json must be a Keras class name, got "
                                             f"{cls!r:.60}; the archive is damaged or not what Keras writes",
                                             layer=name if isinstance(name, str) else None, file=path)
    if "batch_shape" in cfg:
        cfg["batch_input_shape"] = cfg.pop("batch_shape")
    if cls == "LeakyReLU" and "negative_slope" in cfg:
        cfg["alpha"] = cfg.pop("negative_slope")
    if cls == "Embedding":
        cfg.setdefault("input_length", None)
    for key in ("activation", "recurrent_activation"):
        act = cfg.get(key)
        if act is not None and not isinstance(act, (str, dict)):
            raise InvalidKerasConfigurationError(f"{key} in config.json must be a name or a serialized activation, "
                                                 f"got {act!r:.60}; the archive is damaged or not what Keras writes",
                                                 layer=name if isinstance(name, str) else None, file=path)
        if isinstance(act, str) and act in ACTIVATIONS:
            if ACTIVATIONS[act] is None:
                raise UnsupportedKerasConfigurationError(
                    f"Keras 3's {act} (relu6(x + 3) / 6) is not Keras 2's (0.2x + 0.5, DL4J's HARDSIGMOID)", layer=name,
                    file=path)
            cfg[key] = ACTIVATIONS[act]
    for key in ("layer", "backward_layer"):
        if isinstance(layer["config"].get(key), dict):
            cfg[key] = _layer_config(layer["config"][key], path)
    out = {"class_name": cls, "config": cfg}
    if "inbound_nodes" in layer:
        out["name"] = layer.get("name", name)
        out["inbound_nodes"] = [_inbound(node, path, name) for node in layer["inbound_nodes"] or []]
    return out


def _inbound(node, path, name):
    """A Keras 3 node ``{"args": [...], "kwargs": {...}}`` -> a Keras 2 node ``[[layer, node, tensor, {}], ...]``."""
    tensors = []

    def walk(v):
        if isinstance(v, dict) and v.get("class_name") == "__keras_tensor__":
            tensor = v.get("config") or {}
            if not isinstance(tensor, dict):
                raise InvalidKerasConfigurationError(f"a keras tensor's config in an inbound node is not an object: "
                                                     f"{tensor!r:.60}; the archive is damaged or not what Keras writes",
                                                     layer=name, file=path)
            hist = tensor.get("keras_history")
            if not isinstance(hist, list) or len(hist) < 3:
                raise InvalidKerasConfigurationError("a keras tensor without keras_history", layer=name, file=path)
            tensors.append([hist[0], hist[1], hist[2], {}])
        elif isinstance(v, list):
            for item in v:
                walk(item)
    if not isinstance(node, dict):
        raise InvalidKerasConfigurationError(f"inbound node is not an object: {node!r:.60}", layer=name, file=path)
    walk(node.get("args"))
    return tensors


def _endpoints(value):
    """input_layers / output_layers: one [name, 0, 0] or a list of them."""
    if isinstance(value, list) and len(value) == 3 and isinstance(value[0], str):
        return [value]
    return value


def convert_config(config: dict, path=None) -> dict:
    """A Keras 3 config.json -> the Keras 2 style model config the Keras 2 importer reads."""
    cls = config.get("class_name")
    inner = config.get("config")
    if cls not in ("Sequential", "Functional", "Model") or not isinstance(inner, dict):
        raise UnsupportedKerasConfigurationError(f"Keras 3 model class {cls!r} is not supported (Sequential or "
                                                 "Functional)", file=path)
    layers = inner.get("layers")
    if not isinstance(layers, list):
        raise InvalidKerasConfigurationError("config.json has no layer list", file=path)
    converted = [_layer_config(layer, path) for layer in layers]
    # Keras 3 models are channels_last unless a layer says otherwise, as Keras 2 on TensorFlow
    model = {"class_name": cls, "keras_version": "2 (Keras 3 archive)", "backend": "tensorflow"}
    if cls == "Sequential":
        model["config"] = {"name": inner.get("name"), "layers": converted}
    else:
        model["config"] = {"name": inner.get("name"), "layers": converted,
                           "input_layers": _endpoints(inner.get("input_layers")),
                           "output_layers": _endpoints(inner.get("output_layers"))}
    return model


# ---------------------------------------------------------------------------------------- weights


def _param_names(layer, layer_name=None, path=None):
    if layer == {}:
        return []  # a wrapper without its wrapped layer: its mapper says so
    cls = layer.get("class_name") if isinstance(layer, dict) else None
    cfg = (layer.get("config") or {}) if isinstance(layer, dict) else None
    if not isinstance(cls, str) or not isinstance(cfg, dict):
        raise InvalidKerasConfigurationError(f"a layer of config.json with weights has no Keras class name and config "
                                             f"object (class_name {cls!r:.40}); the archive is damaged or not what "
                                             "Keras writes", layer=layer_name, file=path)
    names = VARIABLES.get(cls, [])
    return names(cfg) if callable(names) else list(names)


def _read_vars(archive, group, names, layer_name, path):
    if not archive.hasGroup(*group, "vars"):
        return {}
    stored = sorted(archive.getDataSets(*group, "vars"), key=lambda s: int(s) if s.isdigit() else 1 << 30)
    if len(stored) > len(names):
        raise InvalidKerasConfigurationError(f"{len(stored)} variables stored for {len(names)} known ones ({names})",
                                             layer=layer_name, file=path)
    if layer_name and names and "bias" in names and len(stored) == len(names) - 1:
        names = [n for n in names if n != "bias"]  # use_bias=False
    return {names[i]: archive.readDataSet(v, *group, "vars") for i, v in enumerate(stored)}


def read_weights(archive, config: dict, path=None) -> dict:
    """{layer name: {Keras 2 parameter name: float32 array}} from model.weights.h5."""
    used = {}
    out = {}
    for layer in (config.get("config") or {}).get("layers") or []:
        cls = layer.get("class_name") or ""
        cfg = layer.get("config") or {}
        name = cfg.get("name")
        saveable = snake_case(cls)
        if saveable in used:
            used[saveable] += 1
            saveable = f"{saveable}_{used[saveable]}"
        else:
            used[saveable] = 0
        base = ["layers", saveable]
        if not archive.hasGroup(*base):
            continue
        if cls == "Bidirectional":
            weights = {}
            for direction, key in (("forward", "layer"), ("backward", "backward_layer")):
                inner = cfg.get(key) or cfg.get("layer") or {}
                names = _param_names(inner, name, path)
                sub = base + [f"{direction}_layer"] + (["cell"] if inner.get("class_name") in CELL_LAYERS else [])
                for pname, value in _read_vars(archive, sub, names, name, path).items():
                    weights[f"{direction}_{pname}"] = value
        elif cls == "TimeDistributed":
            inner = cfg.get("layer") or {}
            weights = _read_vars(archive, base + ["layer"], _param_names(inner, name, path), name, path)
        else:
            sub = base + (["cell"] if cls in CELL_LAYERS else [])
            weights = _read_vars(archive, sub, _param_names(layer, name, path), name, path)
        if weights:
            out[name] = weights
    return out
