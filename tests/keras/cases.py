"""The Keras import cases: every file of compat_fixtures/keras/dl4j-test-resources/ that DL4J's importer reads.

Copied from shared/keras/ (DL4J's own KerasModelImport test files, see that folder's README.md). A case is one
file (or config + weights pair) imported the way DL4J's KerasModelImport would import it:

* ``seq-h5`` / ``model-h5``: a full-model HDF5 file (``importKerasSequentialModelAndWeights`` /
  ``importKerasModelAndWeights``), Sequential vs functional by the file's ``model_config`` class name;
* ``seq-json`` / ``model-json``: ``*_config.json`` + ``*_weights.h5`` (the ``(json, weights)`` forms);
* ``seq-config`` / ``model-config``: a config-only JSON (``importKerasSequentialConfiguration`` /
  ``importKerasModelConfiguration``).

Each case runs with ``enforceTrainingConfig`` true and false. Inputs: the file's ``*_inputs_and_outputs.h5``
where there is one (Keras's own predictions come with it), else a seeded random input of the model's input
shape (so every file with weights gets an output comparison against DL4J).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2] / "compat_fixtures" / "keras" / "dl4j-test-resources"

#: files DL4J M2.1 refuses (shared/keras/unsupported/): DL4J's exception, and what ours does.
#: "same" = ours raises the same kind of error; otherwise the reason is a DL4J bug (docs/deviations.md) and ours
#: imports the file.
UNSUPPORTED = {
    "unsupported/examples/lambda/sequential_lambda.h5": ("UnsupportedKerasConfigurationException", "same"),
    "unsupported/weights/keras-attention.h5": ("UnsupportedKerasConfigurationException", "same"),
    "unsupported/tfkeras/cnn2d_40.h5": ("java.lang.IndexOutOfBoundsException", "deviation"),
    "unsupported/weights/embedding_conv1d_tensorflow_1.h5": ("InvalidKerasConfigurationException", "deviation"),
    "unsupported/weights/simpleconv2d_model.hdf5": ("DL4JInvalidConfigException", "deviation"),
}


@dataclass(frozen=True)
class Case:
    id: str
    kind: str
    path: Path
    weights: Path | None = None
    io: Path | None = None

    @property
    def rel(self) -> str:
        return str(self.path.relative_to(ROOT))

    @property
    def has_weights(self) -> bool:
        return not self.kind.endswith("-config")


def _model_class(path: Path) -> str:
    import h5py

    if path.suffix == ".json":
        return json.loads(path.read_text())["class_name"]
    with h5py.File(path, "r") as f:
        raw = f.attrs["model_config"]
    return json.loads(raw if isinstance(raw, str) else raw.decode())["class_name"]


def _io_for(path: Path) -> Path | None:
    name = path.name
    for suffix in ("_model.h5", "_config.json"):
        if name.endswith(suffix):
            cand = path.with_name(name[: -len(suffix)] + "_inputs_and_outputs.h5")
            return cand if cand.exists() else None
    return None


def _case_id(rel: str) -> str:
    return rel.replace("/", "__").replace(".", "_")


def discover() -> list[Case]:
    """Every import case under ROOT (unsupported/ files included), sorted by path."""
    cases = []
    for path in sorted(ROOT.rglob("*")):
        if not path.is_file() or path.suffix not in (".h5", ".hdf5", ".json"):
            continue
        name = path.name
        if name.endswith("_inputs_and_outputs.h5") or name.endswith("_weights.h5"):
            continue
        rel = str(path.relative_to(ROOT))
        seq = _model_class(path) == "Sequential"
        prefix = "seq" if seq else "model"
        if path.suffix == ".json":
            weights = path.with_name(name[: -len("_config.json")] + "_weights.h5") if name.endswith("_config.json") else None
            if weights is not None and weights.exists():
                cases.append(Case(_case_id(rel), prefix + "-json", path, weights, _io_for(path)))
            else:
                cases.append(Case(_case_id(rel), prefix + "-config", path))
        else:
            cases.append(Case(_case_id(rel), prefix + "-h5", path, None, _io_for(path)))
    return cases


def stored_inputs(case: Case) -> tuple[list[np.ndarray], dict]:
    """(inputs in the model's input order, Keras predictions by output name) from *_inputs_and_outputs.h5."""
    import h5py

    with h5py.File(case.io, "r") as f:
        names = json.loads(f.attrs["inputs"])["inputs"]
        outs = json.loads(f.attrs["outputs"])["outputs"]
        inputs = [np.asarray(f["inputs"][n], dtype=np.float32) for n in names]
        preds = {n: np.asarray(f["predictions"][n]) for n in outs if "predictions" in f and n in f["predictions"]}
    return inputs, preds


def random_inputs(model_input_shapes: list[tuple], vocab: list[int | None], seed: int = 7) -> list[np.ndarray]:
    """Seeded inputs of the given per-example shapes (None/0 dims -> 5); integer indices below ``vocab`` where the
    input feeds an Embedding."""
    rng = np.random.default_rng(seed)
    out = []
    for shape, v in zip(model_input_shapes, vocab):
        dims = [2] + [int(d) if d else 5 for d in shape]
        if v:
            out.append(rng.integers(0, v, size=dims).astype(np.float32))
        else:
            out.append(rng.standard_normal(dims).astype(np.float32))
    return out
