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
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2] / "compat_fixtures" / "keras" / "dl4j-test-resources"
#: shared/keras/ (beside the repository in CI and on the team's machines): the same files, all of them
SHARED = Path(os.environ.get("PYDL4J_TRANSFER_KERAS_DIR", Path(__file__).resolve().parents[3] / "shared" / "keras"))
#: the files above 900 KB are not committed (18.5 MB of the 23 MB): read from SHARED
LARGE = ("weights/issue_9560.h5", "examples/mnist_cnn/mnist_cnn_tf_keras_1_weights.h5",
         "examples/mnist_mlp/mnist_mlp_tf_keras_2_inputs_and_outputs.h5",
         "examples/mnist_mlp/mnist_mlp_tf_keras_2_weights.h5",
         "examples/mnist_mlp/mnist_mlp_th_keras_2_inputs_and_outputs.h5",
         "examples/mnist_mlp/mnist_mlp_th_keras_2_weights.h5", "examples/gans/dcgan_generator.h5",
         "examples/gans/dcgan_discriminator.h5")


def locate(rel: str) -> Path:
    """A test file by its path relative to the test-resources folder: committed, else from SHARED."""
    p = ROOT / rel
    return p if p.exists() else SHARED / rel


def missing_large() -> list:
    """The large files that are in neither place (the parity tests fail on them under REQUIRE_JVM)."""
    return [rel for rel in LARGE if not locate(rel).exists()]

#: files DL4J M2.1 refuses (shared/keras/unsupported/): DL4J's exception, and what ours does: "same" = the same kind
#: of error; "mixed-formats" = refused here with UnsupportedKerasConfigurationError because the model mixes
#: channels_first and channels_last layers, which DL4J imports with wrong shapes (docs/deviations.md)
UNSUPPORTED = {
    "unsupported/examples/lambda/sequential_lambda.h5": ("UnsupportedKerasConfigurationException", "same"),
    "unsupported/weights/keras-attention.h5": ("UnsupportedKerasConfigurationException", "same"),
    "unsupported/weights/embedding_conv1d_tensorflow_1.h5": ("InvalidKerasConfigurationException", "same"),
    "unsupported/tfkeras/cnn2d_40.h5": ("java.lang.IndexOutOfBoundsException", "mixed-formats"),
    "unsupported/weights/simpleconv2d_model.hdf5": ("DL4JInvalidConfigException", "mixed-formats"),
}

#: files DL4J M2.1 imports but with wrong shapes (mixed channels_first / channels_last): refused here
MIXED_FORMATS = {"tfkeras/cnn2d_52.h5", "weights/simpleconv2d.hdf5"}

#: files whose imported network DL4J M2.1 cannot run on the model's own input layout; what ours does:
#: "same" = fails too, with a typed error (the same configuration, so the same mismatch);
#: "keras" = runs (the failure is a DL4J runtime bug), checked against Keras's own predictions instead
#: (compat_fixtures/keras/reference/, made by `make keras-fixtures` with the real keras package)
RUNTIME = {
    "examples/mnist_cnn/mnist_cnn_tf_keras_1_config.json": "same",
    "weights/conv2d_reshape_tensorflow_1.h5": "same",
    "weights/flatten_3d.hdf5": "keras",
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
        for base in (ROOT, SHARED):
            try:
                return str(self.path.relative_to(base))
            except ValueError:
                pass
        return str(self.path)

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


def _io_for(rel: str):
    for suffix in ("_model.h5", "_config.json"):
        if rel.endswith(suffix):
            cand = locate(rel[: -len(suffix)] + "_inputs_and_outputs.h5")
            return cand if cand.exists() else None
    return None


def _case_id(rel: str) -> str:
    return rel.replace("/", "__").replace(".", "_")


def discover() -> list[Case]:
    """Every import case (unsupported/ files included), sorted by path: committed files and the LARGE ones."""
    rels = {str(p.relative_to(ROOT)) for p in ROOT.rglob("*") if p.is_file()}
    rels |= {rel for rel in LARGE if locate(rel).exists()}
    cases = []
    for rel in sorted(rels):
        name = rel.rsplit("/", 1)[-1]
        if not name.endswith((".h5", ".hdf5", ".json")):
            continue
        if name.endswith("_inputs_and_outputs.h5") or name.endswith("_weights.h5"):
            continue
        path = locate(rel)
        prefix = "seq" if _model_class(path) == "Sequential" else "model"
        if name.endswith(".json"):
            weights = locate(rel[: -len("_config.json")] + "_weights.h5") if name.endswith("_config.json") else None
            if weights is not None and weights.exists():
                cases.append(Case(_case_id(rel), prefix + "-json", path, weights, _io_for(rel)))
            else:
                cases.append(Case(_case_id(rel), prefix + "-config", path))
        else:
            cases.append(Case(_case_id(rel), prefix + "-h5", path, None, _io_for(rel)))
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
