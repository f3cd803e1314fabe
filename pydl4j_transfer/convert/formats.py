"""DL4J zip <-> torch ``state_dict`` / safetensors / ONNX (torch imported inside the functions).

* :func:`to_state_dict` -- ``torch.save`` of the torch module's ``state_dict`` (keys
  ``"<layerName>.<key>"``, DL4J's param keys), loadable with ``torch.load(path, weights_only=True)``.
* :func:`to_safetensors` -- the same tensors; the metadata holds ``configuration.json`` (the DL4J
  configuration text), ``dl4j_network`` and ``format`` = ``pydl4j-transfer``.
* :func:`to_onnx` -- ``torch.onnx.export`` of the module; with onnxruntime installed the ONNX run is
  compared with the torch run (max abs diff returned, error above ``tol``).
* :func:`to_dl4j_zip` -- back: tensors (safetensors or state_dict) + a DL4J configuration JSON ->
  a DL4J zip written atomically by ModelSerializer. The flat vector is rebuilt through the torch
  module, whose parameters are views of DL4J's layout, so the values are bit-identical.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from pydl4j_transfer.errors import CorruptEntryError, InvalidConfigurationError, MalformedConfigError
from pydl4j_transfer.zipio.files import atomic_path, atomic_write, check_regular, read_bounded

__all__ = ["to_state_dict", "to_safetensors", "to_onnx", "to_dl4j_zip", "convert", "kind_of_path",
           "random_inputs", "input_types_of"]

SAFETENSORS_CONFIG_KEY = "configuration.json"


def kind_of_path(path) -> str:
    """The format a file name says: ``zip``, ``safetensors``, ``state_dict`` (.pt/.pth/.bin), ``onnx``, ``json``."""
    suffix = Path(path).suffix.lower()
    kinds = {".zip": "zip", ".safetensors": "safetensors", ".pt": "state_dict", ".pth": "state_dict",
             ".onnx": "onnx", ".json": "json"}
    if suffix not in kinds:
        raise InvalidConfigurationError(f"cannot tell the format of {os.fspath(path)!r} from its extension "
                                        f"(known: {', '.join(kinds)})")
    return kinds[suffix]


def _module(net):
    return net.torchModule()


def _state_dict(net) -> dict:
    return {k: v.detach().cpu().contiguous().clone() for k, v in _module(net).state_dict().items()}


def to_state_dict(net_or_path, out) -> Path:
    """DL4J network (or zip path) -> ``torch.save(state_dict)`` file (tensors only: weights_only-safe)."""
    import torch

    net = _net(net_or_path)
    state = _state_dict(net)
    with atomic_write(out) as f:  # temp file beside ``out``, fsynced and renamed (zipio/files.py)
        torch.save(state, f)
    return Path(out)


def to_safetensors(net_or_path, out) -> Path:
    """DL4J network (or zip path) -> safetensors file with the DL4J configuration in its metadata."""
    from safetensors.torch import save_file

    net = _net(net_or_path)
    meta = {SAFETENSORS_CONFIG_KEY: net.toJson(), "dl4j_network": type(net).__name__, "format": "pydl4j-transfer"}
    state = _state_dict(net)
    with atomic_path(out) as tmp:  # safetensors writes by name: a temp name beside ``out``, then renamed
        save_file(state, tmp, metadata=meta)
    return Path(out)


def input_types_of(net) -> list:
    """The network's input InputTypes, inferred from the configuration (first layer nIn / conv channels)."""
    from pydl4j_transfer.conf import InputType, LayerVertex

    conf = net.getConfiguration()
    if hasattr(conf, "confs"):
        return [_guess_type(conf.confs[0].layer, conf.inputPreProcessors.get(0))]
    out = []
    for name in conf.networkInputs:
        consumers = [v for n, v in conf.vertices.items() if name in (conf.vertexInputs.get(n) or [])]
        layer = next((v for v in consumers if isinstance(v, LayerVertex)), None)
        if layer is None:
            raise InvalidConfigurationError(f"cannot infer the shape of graph input {name!r}: give its input type "
                                            "(--input-type on the command line, inputTypes= in Python)")
        out.append(_guess_type(layer.layer, layer.preProcessor))
    del InputType
    return out


def _guess_type(layer, pre):
    from pydl4j_transfer.conf import InputType

    inner = layer
    while hasattr(inner, "wrapped"):  # FrozenLayer(WithBackprop), LastTimeStep, MaskZeroLayer, Bidirectional
        inner = inner.wrapped()
    name = type(inner).__name__
    n_in = int(getattr(inner, "nIn", 0) or 0)
    if pre is not None:
        pname = type(pre).__name__
        if pname == "CnnToFeedForwardPreProcessor":
            return InputType.convolutional(pre.inputHeight, pre.inputWidth, pre.numChannels)
        if pname == "FeedForwardToCnnPreProcessor":
            return InputType.feedForward(pre.inputHeight * pre.inputWidth * pre.numChannels)
        if pname == "RnnToFeedForwardPreProcessor":
            return InputType.recurrent(n_in, 4)
        if pname == "FeedForwardToRnnPreProcessor":
            return InputType.feedForward(n_in)
    if name in ("LSTM", "GravesLSTM", "GravesBidirectionalLSTM", "SimpleRnn", "RnnOutputLayer", "Convolution1DLayer",
                "Convolution1D", "EmbeddingSequenceLayer"):
        return InputType.recurrent(n_in, 4)
    fmt = getattr(inner, "cnn2dDataFormat", None)
    if fmt is not None and n_in > 0 and "3D" not in name:
        return InputType.convolutional(8, 8, n_in, fmt)
    if name == "EmbeddingLayer":
        return InputType.feedForward(1)
    if n_in <= 0:
        raise InvalidConfigurationError(f"cannot infer the input shape from layer {type(layer).__name__}: give the "
                                        "input type (--input-type on the command line, inputTypes= in Python)")
    return InputType.feedForward(n_in)


def random_inputs(net, seed: int = 12345, batch: int = 2, inputTypes=None) -> list:
    """Seeded random inputs, one per network input, of the shapes ``inputTypes`` (InputType objects or
    ``cnn:H:W:C``-style strings) give; by default the shapes the configuration implies (a guess for
    convolutional inputs: 8x8)."""
    from pydl4j_transfer.nn.summary import parse_input_type

    rng = np.random.default_rng(seed)
    dtype = net.params().dtype
    types = input_types_of(net) if inputTypes is None else [
        parse_input_type(t) if isinstance(t, str) else t for t in inputTypes]
    out = []
    for t in types:
        dims = [t.getFlattenedSize()] if t.type == "CNNFlat" else t.getShape()  # a flat image is fed as a row
        shape = [batch] + [d if d > 0 else 4 for d in dims]
        out.append(rng.standard_normal(shape).astype(dtype))
    return out


def _max_abs_diff(got, want) -> float:
    """Max |got - want|; NaN/inf where both have the same non-finite value count as equal, a non-finite
    value facing anything else as an infinite difference (so it fails any tolerance)."""
    if not got.size:
        return 0.0
    got, want = got.astype(np.float64), want.astype(np.float64)
    same = (got == want) | (np.isnan(got) & np.isnan(want))
    with np.errstate(invalid="ignore"):  # inf - inf: masked by ``same`` or turned into inf below
        diff = np.where(same, 0.0, np.abs(got - want))
    return float(np.max(np.where(np.isnan(diff), np.inf, diff)))


def to_onnx(net_or_path, out, *, inputs=None, inputTypes=None, opset: int = 17, tol: float = 1e-4) -> dict:
    """DL4J network -> ONNX (torch.onnx.export); checked against torch with onnxruntime when installed.

    ``inputs``: the arrays to trace and check with (default: seeded random ones of the shapes
    ``inputTypes`` gives, see :func:`random_inputs`). Returns ``{"path", "checked", "max_abs_diff",
    "finite"}``; raises ``InvalidConfigurationError`` when the ONNX outputs differ from torch's by more
    than ``tol``. ``finite`` is False when torch's own outputs hold NaN or inf (e.g. an untrained deep
    network whose activations overflow): such a check proves little. Models over protobuf's 2 GB limit
    are written by torch with their weights in external data files next to ``out``.
    """
    import warnings

    import torch

    net = _net(net_or_path)
    module = _module(net).eval()
    xs = [np.asarray(x) for x in (inputs if inputs is not None else random_inputs(net, inputTypes=inputTypes))]
    tensors = tuple(torch.as_tensor(x) for x in xs)
    names = [f"input_{i}" for i in range(len(xs))]
    with torch.no_grad():
        ref = module(*tensors)
    refs = [ref] if isinstance(ref, torch.Tensor) else list(ref)
    out_names = [f"output_{i}" for i in range(len(refs))]
    dyn = {n: {0: "batch"} for n in names + out_names}
    class _Positional(torch.nn.Module):  # the tracer cannot call forward(x, *, mask=None) directly
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, *xs):
            return self.inner(*xs)

    with warnings.catch_warnings():
        # the shape checks in the layer modules read sizes as Python ints while tracing; with a dynamic
        # batch axis and fixed other sizes the traced graph is still right, so the warnings are noise
        warnings.simplefilter("ignore", torch.jit.TracerWarning)
        warnings.filterwarnings("ignore", message="Constant folding - Only steps=1")  # strided slices: harmless
        with atomic_path(out) as tmp:  # torch.onnx writes by name: a temp name beside ``out``, then renamed
            torch.onnx.export(_Positional(module).eval(), tensors, tmp, input_names=names,
                              output_names=out_names, dynamic_axes=dyn, opset_version=opset)
    finite = all(bool(torch.isfinite(r).all()) for r in refs)
    result = {"path": str(out), "checked": False, "max_abs_diff": None, "finite": finite}
    try:
        import onnxruntime as ort
    except ImportError:
        return result
    sess = ort.InferenceSession(os.fspath(out), providers=["CPUExecutionProvider"])
    got = sess.run(None, {n: x for n, x in zip(names, xs)})
    diff = max(_max_abs_diff(g, r.numpy()) for g, r in zip(got, refs))
    result.update(checked=True, max_abs_diff=diff)
    if diff > tol:
        raise InvalidConfigurationError(f"ONNX export of {out} differs from torch by {diff:.3g} (> {tol})")
    return result


def _read_tensors(path):
    """(state dict, metadata) from a safetensors or torch.save file (a regular file; what the library
    reading it raises on damaged data becomes CorruptEntryError naming the file)."""
    kind = kind_of_path(path)
    where = check_regular(path, f"{kind} file")
    if kind == "safetensors":
        from safetensors import safe_open

        try:
            with safe_open(where, framework="pt") as f:
                meta = f.metadata() or {}
                state = {k: f.get_tensor(k) for k in f.keys()}
        except MemoryError:
            raise
        except Exception as exc:  # noqa: BLE001 - safetensors raises SafetensorError and plain Python errors
            raise CorruptEntryError(f"not a readable safetensors file ({type(exc).__name__}: {exc})", where) from None
        if not isinstance(meta, dict):
            raise CorruptEntryError("the safetensors metadata is not a string map", where)
        return state, meta
    import torch

    try:
        state = torch.load(where, weights_only=True, map_location="cpu")
    except MemoryError:
        raise
    except Exception as exc:  # noqa: BLE001 - torch.load raises UnpicklingError, RuntimeError, EOFError...
        raise CorruptEntryError(f"not a readable torch state_dict file ({type(exc).__name__}: {exc})", where) from None
    if not isinstance(state, dict) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise MalformedConfigError(f"{path} does not hold a state_dict (a dict of tensors)")
    return state, {}


def _read_configuration(path) -> str:
    """A configuration JSON file's text (regular files only, UTF-8)."""
    data, _ = read_bounded(path, 16 << 20, "configuration JSON")  # as configuration.json in a zip
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MalformedConfigError(f"not UTF-8 text ({exc})", os.fspath(path)) from None


def to_dl4j_zip(tensors_path, out, configuration=None, *, saveUpdater: bool = False) -> Path:
    """safetensors / state_dict (+ DL4J configuration JSON) -> DL4J model zip (atomic, ModelSerializer).

    ``configuration``: a path to a configuration JSON or the JSON text; optional for safetensors
    written by :func:`to_safetensors` (their metadata holds it).
    """
    from pydl4j_transfer.conf import ComputationGraphConfiguration, MultiLayerConfiguration
    from pydl4j_transfer.nn import ComputationGraph, ModelSerializer, MultiLayerNetwork, network_kind
    from pydl4j_transfer.torch_backend import build_module

    state, meta = _read_tensors(tensors_path)
    if configuration is None:
        configuration = meta.get(SAFETENSORS_CONFIG_KEY)
        if configuration is None:
            raise InvalidConfigurationError(f"{tensors_path} has no DL4J configuration in its metadata: "
                                            "give the configuration JSON (--config)")
    elif not str(configuration).lstrip().startswith("{"):
        configuration = _read_configuration(configuration)
    kind = network_kind(configuration)
    conf_cls, net_cls = ((MultiLayerConfiguration, MultiLayerNetwork) if kind == "MultiLayerNetwork"
                         else (ComputationGraphConfiguration, ComputationGraph))
    conf = conf_cls.fromJson(configuration)
    probe_conf = conf_cls.fromJson(configuration)
    probe_conf.initVariables()
    module = build_module(probe_conf)
    want = module.state_dict()
    missing = [k for k in want if k not in state]
    extra = [k for k in state if k not in want]
    if missing or extra:
        raise InvalidConfigurationError(f"the tensors do not fit the configuration: missing {missing[:5]}, "
                                        f"unexpected {extra[:5]}")
    for k, v in want.items():
        if tuple(state[k].shape) != tuple(v.shape):
            raise InvalidConfigurationError(f"tensor {k} has shape {tuple(state[k].shape)}, the configuration "
                                            f"implies {tuple(v.shape)}")
    module.load_state_dict(state, strict=True)
    flat = module.dl4j_params().detach().cpu().numpy()
    net = net_cls(conf).init(flat)
    ModelSerializer.writeModel(net, out, saveUpdater)
    return Path(out)


def _net(net_or_path):
    if hasattr(net_or_path, "getConfiguration"):
        return net_or_path
    from pydl4j_transfer.nn import load

    return load(net_or_path)


def convert(src, dst, *, configuration=None, onnx_tol: float = 1e-4, input_types=None) -> dict:
    """Convert ``src`` to ``dst``, the direction chosen by the file extensions. Returns a small report.

    ``input_types`` (ONNX only): the network's input types (InputType or ``cnn:H:W:C`` strings) for the
    example inputs the export traces; default: inferred from the configuration."""
    a, b = kind_of_path(src), kind_of_path(dst)
    check_regular(src, f"{a} file")
    if a == "zip" and b == "state_dict":
        return {"wrote": str(to_state_dict(src, dst))}
    if a == "zip" and b == "safetensors":
        return {"wrote": str(to_safetensors(src, dst))}
    if a == "zip" and b == "onnx":
        return {"wrote": str(dst), **to_onnx(src, dst, tol=onnx_tol, inputTypes=input_types)}
    if a in ("safetensors", "state_dict") and b == "zip":
        return {"wrote": str(to_dl4j_zip(src, dst, configuration))}
    if a == "zip" and b == "json":
        net = _net(src)
        with atomic_write(dst) as f:
            f.write(net.toJson().encode("utf-8"))
        return {"wrote": str(dst)}
    raise InvalidConfigurationError(f"no conversion from {a} to {b}; supported: zip -> .pt/.pth/.safetensors/"
                                    ".onnx/.json, and .safetensors/.pt/.pth (+ configuration JSON) -> .zip")
