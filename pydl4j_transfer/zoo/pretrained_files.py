"""Pretrained ImageNet weights into a zoo network from a file the user already has (nothing is downloaded).

``ZooModel.initPretrainedFrom(path)`` (a sibling of DL4J's ``initPretrained``, whose download servers rot) takes:

* **DL4J's own zoo zip** (e.g. ``vgg16_dl4j_inference.zip``): checked against DL4J's Adler-32 checksum for the
  pretrained type, then restored (what ``initPretrained`` does once the file is cached);
* **a Keras applications weights file** (``vgg16_weights_tf_dim_ordering_tf_kernels.h5``,
  ``vgg19_...``, ``resnet50_...``): a weights-only HDF5 (root ``layer_names``, per layer ``weight_names``). It has
  no architecture, so the Keras application's architecture shipped in ``keras_applications/`` (Keras's own
  ``to_json``) is imported with :class:`~pydl4j_transfer.keras.KerasModelImport`'s machinery and the file's weights
  go in by position. This is how DL4J made its pretrained zips (Keras-imported graphs with Keras's layer names);
  the layout changes happen in the Keras mappers: conv kernels [kH, kW, in, out] -> DL4J [out, in, kH, kW]
  (keras/layers/convolutional.py), channels_last kept (NHWC input [mb, 224, 224, 3], BGR "caffe" preprocessing as
  Keras's), the Flatten before fc1 in Keras's (h, w, c) order (CnnToFeedForwardPreProcessor NHWC);
* **a torchvision VGG16 / VGG19 state_dict** (``.pth`` via ``torch.load(weights_only=True)``, or ``.safetensors``):
  mapped onto the zoo's own ``conf()`` graph (layout changes commented in :func:`torchvision_vgg_params`).

Every path checks that the file's arrays have the shapes the architecture needs and raises a typed error naming
the file and the layer otherwise.
"""

from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import numpy as np

from pydl4j_transfer.errors import Dl4jFormatError, InvalidKerasConfigurationError
from pydl4j_transfer.zipio.archive import ZipReader
from pydl4j_transfer.zipio.files import open_regular

ARCHITECTURES = Path(__file__).resolve().parent / "keras_applications"
HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"
ZIP_MAGIC = b"PK\x03\x04"


def file_kind(path) -> str:
    """"dl4j-zip", "keras-archive", "hdf5", "safetensors" or "torch" (by content, then by suffix)."""
    path = Path(path)
    with open_regular(path, "model file") as f:  # a FIFO or device is refused before a byte is read
        head = f.read(8)
    if head == HDF5_MAGIC:
        return "hdf5"
    if head[:4] == ZIP_MAGIC:
        # zipio's checked reader (issue 17): Python's zipfile raised NotImplementedError, IndexError... on
        # damaged zips; a zip it refuses is taken for a DL4J zip, whose loader then says what is wrong
        try:
            with ZipReader(path) as zf:
                names = set(zf.namelist())
        except Dl4jFormatError:
            names = set()
        if "configuration.json" in names:
            return "dl4j-zip"
        if "config.json" in names and "model.weights.h5" in names:
            return "keras-archive"
        if any(n.endswith("data.pkl") for n in names):  # torch.save's zip format
            return "torch"
        return "dl4j-zip"
    if path.suffix == ".safetensors":
        return "safetensors"
    return "torch"


# ---------------------------------------------------------------------------------------- Keras applications


def load_architecture(name_or_path) -> dict:
    """A Keras architecture (``model.to_json()``, Keras 3 format, optionally gzipped) -> the Keras 2 style config."""
    from pydl4j_transfer.keras.keras3 import convert_config

    path = Path(name_or_path)
    if not path.exists():
        path = ARCHITECTURES / f"{name_or_path}.json.gz"
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    config = json.loads(raw.decode("utf-8"))
    if "module" in config or config.get("class_name") == "Functional":
        return convert_config(config, str(path))
    return config


def keras_application_weights(path, model_config: dict) -> dict:
    """{layer: {Keras 2 parameter name: array}} from a weights-only (or full-model) Keras HDF5 file, by position:
    each layer group's ``weight_names`` order is Keras's variable order (kernel, bias; gamma, beta, moving mean,
    moving variance), whatever the names (Keras 1 ``W``/``b``, ``kernel:0``, Keras 3 ``kernel``)."""
    from pydl4j_transfer.keras.hdf5 import Hdf5Archive
    from pydl4j_transfer.keras.keras3 import VARIABLES

    out = {}
    with Hdf5Archive(path) as archive:
        root = ["model_weights"] if archive.hasGroup("model_weights") else []
        for layer in model_config["config"]["layers"]:
            cls, cfg = layer.get("class_name"), layer.get("config") or {}
            name = cfg.get("name")
            names = VARIABLES.get(cls, [])
            names = names(cfg) if callable(names) else list(names)
            if not names:
                continue
            if not archive.hasGroup(*root, name):
                raise InvalidKerasConfigurationError(f"no weights for layer {name} in the file (is it the weights file "
                                                     "of this architecture?)", layer=name, file=str(path))
            weight_names = archive.readAttributeAsList("weight_names", *root, name) \
                if archive.hasAttribute("weight_names", *root, name) else []
            if not cfg.get("use_bias", True) and "bias" in names:
                names = [n for n in names if n != "bias"]
            if len(weight_names) != len(names):
                raise InvalidKerasConfigurationError(f"{len(weight_names)} weights stored, the architecture's {cls} has "
                                                     f"{len(names)} ({names})", layer=name, file=str(path))
            arrays = {}
            for pname, wn in zip(names, weight_names):
                parts = [p for p in wn.split("/") if p]
                arrays[pname] = archive.readDataSet(parts[-1], *root, name, *parts[:-1])
            out[name] = arrays
    return out


def import_keras_application(path, architecture, backend="torch"):
    """A Keras applications weights file + its architecture -> ComputationGraph (Keras layer names, NHWC)."""
    from pydl4j_transfer.keras import KerasModel

    model_config = load_architecture(architecture)
    weights = keras_application_weights(path, model_config)
    builder = KerasModel.modelBuilder().modelJson(json.dumps(model_config)).enforceTrainingConfig(False)
    builder.source = os.fspath(path)
    builder.weightsMap = weights
    net = builder.buildModel().getComputationGraph()
    return _on_backend(net, backend)


# ---------------------------------------------------------------------------------------- torchvision


def load_state_dict(path, kind) -> dict:
    """{key: float32 numpy array} of a torch state_dict file (never unpickled beyond tensors) or safetensors."""
    if kind == "safetensors":
        from safetensors.numpy import load_file

        return {k: np.asarray(v, dtype=np.float32) for k, v in load_file(os.fspath(path)).items()}
    import torch

    try:
        state = torch.load(os.fspath(path), map_location="cpu", weights_only=True)  # tensors only: no code runs
    except MemoryError:
        raise
    except Exception as exc:  # noqa: BLE001 - as convert.formats: torch.load raises UnpicklingError, RuntimeError...
        raise Dl4jFormatError(f"not a torch state_dict readable with weights_only=True ({exc})",
                              entry=os.fspath(path)) from None
    if isinstance(state, dict) and "state_dict" in state and isinstance(state["state_dict"], dict):
        state = state["state_dict"]
    if not isinstance(state, dict):
        raise Dl4jFormatError(f"expected a state_dict (a dict of tensors), got {type(state).__name__}",
                              entry=os.fspath(path))
    return {k: v.detach().float().numpy() for k, v in state.items() if hasattr(v, "detach")}


def torchvision_vgg_params(net, state: dict, where: str) -> None:
    """torchvision ``vgg16`` / ``vgg19`` state_dict -> the zoo's VGG conf() graph (vertices "0", "1", ...).

    torchvision's ``features`` holds Conv2d at the indices before each ReLU; ``classifier`` holds Linear at 0, 3, 6.
    Layout changes:
    * conv: torch weight [out, in, kH, kW] is DL4J's W [nOut, nIn, kH, kW] as is (NCHW both; no kernel flip, both
      cross-correlate); bias as is;
    * dense: torch Linear weight [out, in] -> DL4J W [nIn, nOut] (a transpose);
    * flatten before the first dense layer: torchvision flattens NCHW features in (c, h, w) order, which is DL4J's
      CnnToFeedForwardPreProcessor order for NCHW: fc1's rows need no permutation (at 224x224 torchvision's
      AdaptiveAvgPool2d((7, 7)) is the identity, and the zoo graph has none);
    * channel order: RGB, as torchvision; the network expects torchvision's preprocessing (x / 255, then ImageNet
      mean / std per channel), which is not part of the graph.
    """
    conf = net.getConfiguration()
    from pydl4j_transfer.conf import ConvolutionLayer, DenseLayer, OutputLayer

    convs = [n for n, v in conf.vertices.items() if hasattr(v, "layer") and type(v.layer) is ConvolutionLayer]
    dense = [n for n, v in conf.vertices.items() if hasattr(v, "layer") and type(v.layer) in (DenseLayer, OutputLayer)]
    feats = sorted({int(k.split(".")[1]) for k in state if k.startswith("features.") and k.endswith(".weight")})
    heads = sorted({int(k.split(".")[1]) for k in state if k.startswith("classifier.") and k.endswith(".weight")})
    if len(feats) != len(convs) or len(heads) != len(dense):
        raise Dl4jFormatError(f"the state_dict has {len(feats)} conv and {len(heads)} linear layers; this VGG has "
                              f"{len(convs)} and {len(dense)}: is it a torchvision {type(net).__name__} of that depth?",
                              entry=where)
    for name, idx in zip(convs, feats):
        _set(net, name, "W", state[f"features.{idx}.weight"], where)
        _set(net, name, "b", state[f"features.{idx}.bias"], where)
    for name, idx in zip(dense, heads):
        _set(net, name, "W", state[f"classifier.{idx}.weight"].T, where)  # [out, in] -> [nIn, nOut]
        _set(net, name, "b", state[f"classifier.{idx}.bias"], where)


def _set(net, owner, key, value, where):
    target = net.getParam(f"{owner}_{key}")
    value = np.asarray(value, dtype=np.float32)
    if tuple(value.shape) != tuple(target.shape):
        raise Dl4jFormatError(f"layer {owner} parameter {key}: the file has shape {list(value.shape)}, the network "
                              f"needs {list(target.shape)}", entry=where)
    net.setParam(f"{owner}_{key}", value)


def _on_backend(net, backend):
    if backend != "torch":
        net = type(net)(net.getConfiguration(), backend=backend).init(net.params())
    return net
