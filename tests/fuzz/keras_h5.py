"""Fuzzing the Keras import (``KerasModelImport``): mutated Keras HDF5 files (``.h5``) and Keras 3 archives.

An opt-in target (``--targets keras.h5``; ``make fuzz FUZZ_ARGS="--targets keras.h5"``): it needs h5py (the
``keras`` extra), so it is not part of the default target set, whose weights (and so the inputs of a given
seed) stay those of the recorded 100,000-input run.

Seeds: the Keras files of ``compat_fixtures/keras/`` (written by real Keras: DL4J's importer test resources and
the Keras 3 archives) and ``../shared/keras/`` when present, up to 64 KB each. Mutations, each drawn from a seed:

* bytes: bit flips, truncation, insertion... of the file as a whole (HDF5 superblock, object headers, B-trees,
  heaps; or the archive's zip structure);
* model_config: the JSON of the ``model_config`` attribute (``config.json`` in a Keras 3 archive) mutated as a
  tree (values replaced, keys deleted, class names swapped for other Keras layers, shapes and sizes made
  negative, huge, empty or of the wrong type, inbound nodes pointing nowhere), rewritten through h5py;
* weights: a weight dataset replaced by one of another shape, dtype or rank, or removed; a ``weight_names``
  attribute pointing at a missing dataset.

The entry point is ``KerasModelImport.importKerasModel`` (which calls ``importKerasSequentialModelAndWeights``
for a Sequential model, ``importKerasModelAndWeights`` otherwise), then, once in two, the other one of those
two on the same file (the wrong kind must be a typed error too), with ``enforceTrainingConfig`` on or off.
"""

from __future__ import annotations

import copy
import functools
import io
import json
import os
import random
import zipfile
from pathlib import Path

from . import mutators as M

REPO = Path(__file__).resolve().parents[2]
SHARED = Path(os.environ.get("PYDL4J_TRANSFER_KERAS_DIR", REPO.parent / "shared" / "keras"))
MAX_SEED_BYTES = 64 << 10
_SUFFIXES = (".h5", ".hdf5", ".keras")

_KERAS_CLASSES = ["Dense", "Conv1D", "Conv2D", "Conv3D", "LSTM", "GRU", "SimpleRNN", "Bidirectional", "Embedding",
                  "Flatten", "Reshape", "Permute", "Dropout", "BatchNormalization", "MaxPooling2D", "AveragePooling1D",
                  "GlobalAveragePooling2D", "ZeroPadding2D", "Cropping2D", "UpSampling2D", "Activation", "Add",
                  "Concatenate", "Multiply", "InputLayer", "RepeatVector", "TimeDistributed", "Masking", "LeakyReLU",
                  "PReLU", "DepthwiseConv2D", "SeparableConv2D", "Conv2DTranspose", "Lambda", "NoSuchLayer", "",
                  "Sequential", "Model", "Functional"]
_SIZE_KEYS = ("units", "filters", "kernel_size", "strides", "pool_size", "padding", "dilation_rate", "input_dim",
              "output_dim", "target_shape", "dims", "n", "size", "cropping", "batch_input_shape", "batch_shape",
              "rate", "axis", "depth_multiplier", "input_length")
_SIZE_VALUES = [None, -1, 0, 2 ** 31, 2 ** 40, [None], [-1, 1], [0, 0], [], [3], "3", 1.5, [2 ** 31, 2 ** 31],
                [None, 2 ** 40], {"a": 1}]


def _seed_paths() -> list[Path]:
    roots = [REPO / "compat_fixtures" / "keras"] + ([SHARED] if SHARED.is_dir() else [])
    paths = []
    for root in roots:
        paths += sorted(p for p in root.rglob("*") if p.suffix in _SUFFIXES and p.is_file()
                        and p.stat().st_size <= MAX_SEED_BYTES)
    return paths


@functools.lru_cache(maxsize=1)
def keras_seeds() -> list[tuple[str, bytes]]:
    """(name, bytes) of every seed file, deduplicated by content."""
    seen, out = set(), []
    for p in _seed_paths():
        data = p.read_bytes()
        if data not in seen:
            seen.add(data)
            out.append((str(p), data))
    return out


def _mutate_keras_tree(rng: random.Random, tree):
    tree = copy.deepcopy(tree)
    for _ in range(rng.randint(1, 3)):
        paths = M._paths(tree)
        op = rng.randrange(6)
        if op == 0:  # the generic tree mutations (values, deletions, nesting)
            tree = M.mutate_tree(rng, tree)
        elif op == 1:  # a class name swapped
            named = [p for p in paths if isinstance(M._get(tree, p), dict) and "class_name" in M._get(tree, p)]
            if named:
                M._get(tree, rng.choice(named))["class_name"] = rng.choice(_KERAS_CLASSES)
        elif op == 2:  # a size or shape
            sized = [p for p in paths if p and p[-1] in _SIZE_KEYS]
            if sized:
                tree = M._set(tree, rng.choice(sized), copy.deepcopy(rng.choice(_SIZE_VALUES)))
        elif op == 3:  # graph edges: inbound nodes, model inputs / outputs
            edges = [p for p in paths if p and p[-1] in ("inbound_nodes", "input_layers", "output_layers", "layers")]
            if edges:
                tree = M._set(tree, rng.choice(edges), rng.choice([[], None, [["no_such_layer", 0, 0, {}]],
                                                                   [[["no_such_layer", 0, 0, {}]]], "x", [[]],
                                                                   [["dense", 99, 99]]]))
        elif op == 4:  # layers duplicated (same name twice) or dropped
            layers = [p for p in paths if p and p[-1] == "layers" and isinstance(M._get(tree, p), list)]
            if layers:
                lst = M._get(tree, rng.choice(layers))
                if lst and rng.random() < 0.5:
                    lst.append(copy.deepcopy(rng.choice(lst)))
                elif lst:
                    del lst[rng.randrange(len(lst))]
        elif len(paths) > 1:  # a config object replaced by a scalar / list
            path = rng.choice(paths[1:])
            tree = M._set(tree, path, rng.choice([None, 1, "", [], {}, True]))
    return tree


def _mutate_json_text(rng: random.Random, text: str) -> bytes:
    if rng.random() < 0.1:
        return M.mutate_bytes(rng, text.encode("utf-8"))
    try:
        tree = json.loads(text)
    except ValueError:
        return M.mutate_bytes(rng, text.encode("utf-8"))
    return json.dumps(_mutate_keras_tree(rng, tree)).encode("utf-8")


def _text(value) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def _h5_structured(rng: random.Random, data: bytes, config_attr: str | None = "model_config") -> bytes:
    """``data`` (an HDF5 file) with its model_config or one of its weights mutated, through h5py."""
    import h5py
    import numpy as np

    buf = io.BytesIO(data)
    with h5py.File(buf, "r+") as f:
        if config_attr and config_attr in f.attrs and rng.random() < 0.6:
            new = _mutate_json_text(rng, _text(f.attrs[config_attr]))
            del f.attrs[config_attr]
            f.attrs[config_attr] = new if rng.random() < 0.5 else new.decode("utf-8", "replace")
        else:
            datasets = []
            f.visititems(lambda name, obj: datasets.append(name) if isinstance(obj, h5py.Dataset) else None)
            groups_with_names = []
            f.visititems(lambda name, obj: groups_with_names.append(name)
                         if isinstance(obj, h5py.Group) and "weight_names" in obj.attrs else None)
            op = rng.randrange(4)
            if op == 0 and datasets:  # another shape / rank / dtype
                name = rng.choice(datasets)
                old = f[name]
                shape = list(old.shape)
                r = rng.randrange(4)
                if r == 0 and shape:
                    shape[rng.randrange(len(shape))] = rng.choice([0, 1, 2, 7])
                elif r == 1:
                    shape = shape + [1]
                elif r == 2:
                    shape = shape[:-1]
                else:
                    shape = [rng.randint(0, 3) for _ in range(rng.choice([0, 1, 6]))]
                dtype = rng.choice(["f4", "f8", "i8", "u1", "f2", "S4"])
                del f[name]
                f.create_dataset(name, data=np.ones(shape, dtype=np.float64).astype(dtype))
            elif op == 1 and datasets:  # removed
                del f[rng.choice(datasets)]
            elif op == 2 and groups_with_names:  # weight_names pointing nowhere / not strings
                g = f[rng.choice(groups_with_names)]
                g.attrs["weight_names"] = rng.choice([np.array([b"no/such:0"]), np.array([1, 2]), b"", np.array([], "S1")])
            elif "layer_names" in f.attrs or ("model_weights" in f and "layer_names" in f["model_weights"].attrs):
                owner = f if "layer_names" in f.attrs else f["model_weights"]
                names = list(owner.attrs["layer_names"])
                names = names + [b"no_such_layer"] if rng.random() < 0.5 else names[::-1][: max(0, len(names) - 1)]
                owner.attrs["layer_names"] = np.array(names or [b""])
    return buf.getvalue()


def _archive_structured(rng: random.Random, data: bytes) -> bytes:
    """A Keras 3 archive with its config.json or its weights file mutated."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            if info.filename == "config.json" and rng.random() < 0.6:
                content = _mutate_json_text(rng, content.decode("utf-8", "replace"))
            elif info.filename.endswith(".h5") and rng.random() < 0.5:
                content = _h5_structured(rng, content, config_attr=None)
            dst.writestr(info.filename, content, compress_type=info.compress_type)
    return out.getvalue()


def mutate_keras(rng: random.Random, seeds) -> bytes:
    """A mutated Keras file (``seeds``, the ND4J/zip seeds of the other targets, are not used)."""
    name, data = rng.choice(keras_seeds())
    r = rng.random()
    if r < 0.35:
        return M.mutate_bytes(rng, data)
    try:
        if data[:4] == b"PK\x03\x04":
            out = _archive_structured(rng, data)
        else:
            out = _h5_structured(rng, data)
    except (OSError, KeyError, ValueError, TypeError, RuntimeError) as exc:
        # h5py / zipfile could not express the mutation: the generator draws again (runner.generate)
        raise ValueError(f"mutation of {name} not expressible: {exc}") from None
    return M.mutate_bytes(rng, out, 1) if r > 0.9 else out


def run_keras(data, path, workdir):
    from pydl4j_transfer.keras import KerasModelImport

    from pydl4j_transfer.errors import Pydl4jTransferError

    enforce = bool(len(data) % 2)
    if len(data) % 3 == 0:
        # both named entry points on the same file: the wrong kind must be a typed error too
        for fn in (KerasModelImport.importKerasSequentialModelAndWeights, KerasModelImport.importKerasModelAndWeights):
            try:
                fn(path, enforce)
            except Pydl4jTransferError:
                pass
    KerasModelImport.importKerasModel(path, enforce)
