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
    # DepthwiseConv2D right after the input: DL4J M2.1's importer fails to find nIn here (docs/deviations.md)
    models["depthwise_first"] = (keras.Sequential([keras.Input((7, 7, 3)), L.DepthwiseConv2D(3, depth_multiplier=2),
                                                   L.Flatten(), L.Dense(3)]), [x(7, 7, 3)])
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


PACKAGE_ARCHITECTURES = HERE.parents[1] / "pydl4j_transfer" / "zoo" / "keras_applications"


def architectures():
    """The Keras applications' architectures (model.to_json of keras 3, gzipped) shipped with pydl4j_transfer.zoo:
    what a weights-only applications file is imported into (the weights files carry no architecture)."""
    import gzip

    import keras

    PACKAGE_ARCHITECTURES.mkdir(exist_ok=True)
    for name, fn in (("vgg16", keras.applications.VGG16), ("vgg19", keras.applications.VGG19),
                     ("resnet50", keras.applications.ResNet50)):
        text = fn(weights=None).to_json()
        (PACKAGE_ARCHITECTURES / f"{name}.json.gz").write_bytes(gzip.compress(text.encode(), mtime=0))
        print("architecture", name, len(text))


def _vgg_layout(blocks, dense, classes, input_shape):
    """keras.applications.vgg16's layer names and layout, with other widths (the reduced test variants)."""
    import keras
    from keras import layers as L

    inp = keras.Input(input_shape)
    x = inp
    for b, (n, width) in enumerate(blocks, start=1):
        for i in range(1, n + 1):
            x = L.Conv2D(width, (3, 3), activation="relu", padding="same", name=f"block{b}_conv{i}")(x)
        x = L.MaxPooling2D((2, 2), strides=(2, 2), name=f"block{b}_pool")(x)
    x = L.Flatten(name="flatten")(x)
    x = L.Dense(dense, activation="relu", name="fc1")(x)
    x = L.Dense(dense, activation="relu", name="fc2")(x)
    x = L.Dense(classes, activation="softmax", name="predictions")(x)
    return keras.Model(inp, x, name="vgg")


def _resnet50_layout(div, classes, input_shape):
    """keras.applications.resnet.ResNet50's layer names and layout (residual_block_v1 stacks), widths / ``div``."""
    import keras
    from keras import layers as L

    def block(x, filters, kernel_size=3, stride=1, conv_shortcut=True, name=None):
        if conv_shortcut:
            shortcut = L.Conv2D(4 * filters, 1, strides=stride, name=name + "_0_conv")(x)
            shortcut = L.BatchNormalization(axis=3, epsilon=1.001e-5, name=name + "_0_bn")(shortcut)
        else:
            shortcut = x
        x = L.Conv2D(filters, 1, strides=stride, name=name + "_1_conv")(x)
        x = L.BatchNormalization(axis=3, epsilon=1.001e-5, name=name + "_1_bn")(x)
        x = L.Activation("relu", name=name + "_1_relu")(x)
        x = L.Conv2D(filters, kernel_size, padding="SAME", name=name + "_2_conv")(x)
        x = L.BatchNormalization(axis=3, epsilon=1.001e-5, name=name + "_2_bn")(x)
        x = L.Activation("relu", name=name + "_2_relu")(x)
        x = L.Conv2D(4 * filters, 1, name=name + "_3_conv")(x)
        x = L.BatchNormalization(axis=3, epsilon=1.001e-5, name=name + "_3_bn")(x)
        x = L.Add(name=name + "_add")([shortcut, x])
        return L.Activation("relu", name=name + "_out")(x)

    def stack(x, filters, blocks, stride1=2, name=None):
        x = block(x, filters, stride=stride1, name=name + "_block1")
        for i in range(2, blocks + 1):
            x = block(x, filters, conv_shortcut=False, name=name + "_block" + str(i))
        return x

    inp = keras.Input(input_shape)
    x = L.ZeroPadding2D(padding=((3, 3), (3, 3)), name="conv1_pad")(inp)
    x = L.Conv2D(64 // div, 7, strides=2, use_bias=True, name="conv1_conv")(x)
    x = L.BatchNormalization(axis=3, epsilon=1.001e-5, name="conv1_bn")(x)
    x = L.Activation("relu", name="conv1_relu")(x)
    x = L.ZeroPadding2D(padding=((1, 1), (1, 1)), name="pool1_pad")(x)
    x = L.MaxPooling2D(3, strides=2, name="pool1_pool")(x)
    x = stack(x, 64 // div, 3, stride1=1, name="conv2")
    x = stack(x, 128 // div, 4, name="conv3")
    x = stack(x, 256 // div, 6, name="conv4")
    x = stack(x, 512 // div, 3, name="conv5")
    x = L.GlobalAveragePooling2D(name="avg_pool")(x)
    x = L.Dense(classes, activation="softmax", name="predictions")(x)
    return keras.Model(inp, x, name="resnet50")


def _randomize(model, seed):
    rng = np.random.default_rng(seed)
    for w in model.weights:
        value = rng.standard_normal(tuple(w.shape)).astype(np.float32)
        fan_in = int(np.prod(w.shape[:-1])) if len(w.shape) > 1 else 1
        value = value / np.sqrt(max(fan_in, 1))
        if "variance" in w.path:
            value = np.abs(value) + 0.5
        w.assign(value)


def applications():
    """Random-weight files in the exact layout of the published weight files, reduced in width (the full files are
    0.1-0.5 GB): Keras applications (legacy HDF5 ``save_weights``: root ``layer_names``, per-layer ``weight_names``)
    with the architecture JSON of the same reduced model, and torchvision state_dicts (``torch.save``)."""
    import h5py
    import torch
    import torchvision
    from keras.src.legacy.saving import legacy_h5_format

    out = HERE / "applications"
    out.mkdir(exist_ok=True)
    rng = np.random.default_rng(33)
    keras_models = {
        "vgg16_keras": _vgg_layout([(2, 4), (2, 8), (3, 16), (3, 32), (3, 32)], 64, 10, (64, 64, 3)),
        "vgg19_keras": _vgg_layout([(2, 4), (2, 8), (4, 16), (4, 32), (4, 32)], 64, 10, (64, 64, 3)),
        "resnet50_keras": _resnet50_layout(16, 10, (64, 64, 3)),
    }
    for i, (name, model) in enumerate(keras_models.items()):
        _randomize(model, 100 + i)
        x = rng.uniform(0, 255, size=(2,) + tuple(model.input_shape[1:])).astype(np.float32)
        pred = np.asarray(model.predict(x, verbose=0))
        with h5py.File(out / f"{name}_weights_tf_dim_ordering_tf_kernels.h5", "w") as f:
            legacy_h5_format.save_weights_to_hdf5_group(f, model)
        (out / f"{name}_architecture.json").write_text(model.to_json())
        np.savez_compressed(out / f"{name}.npz", input0=x, prediction0=pred)
        print("applications", name, model.count_params(), x.shape, "->", pred.shape)
    torch.manual_seed(5)
    for name, cfg in (("vgg16_torchvision", [4, 4, "M", 8, 8, "M", 16, 16, 16, "M", 32, 32, 32, "M", 32, 32, 32, "M"]),
                      ("vgg19_torchvision", [4, 4, "M", 8, 8, "M", 16, 16, 16, 16, "M", 32, 32, 32, 32, "M",
                                             32, 32, 32, 32, "M"])):
        model = torchvision.models.vgg.VGG(torchvision.models.vgg.make_layers(cfg), num_classes=10)
        # torchvision's VGG head with the reduced widths (indices 0, 3, 6 as in the published state_dicts)
        model.classifier = torch.nn.Sequential(torch.nn.Linear(32 * 7 * 7, 64), torch.nn.ReLU(True), torch.nn.Dropout(),
                                               torch.nn.Linear(64, 64), torch.nn.ReLU(True), torch.nn.Dropout(),
                                               torch.nn.Linear(64, 10))
        model.eval()
        # 8-bit images keep the committed inputs small: the network sees u8 / 255 (float32)
        u8 = rng.integers(0, 256, size=(2, 3, 224, 224), dtype=np.uint8)
        x = torch.from_numpy(u8.astype(np.float32) / np.float32(255))
        with torch.no_grad():
            pred = model(x).numpy()
        torch.save(model.state_dict(), out / f"{name}.pth")
        np.savez_compressed(out / f"{name}.npz", input0_u8=u8, prediction0=pred)
        print("applications", name, sum(p.numel() for p in model.parameters()), tuple(x.shape), "->", pred.shape)


def main(argv):
    import keras

    print("keras", keras.__version__, "backend", keras.backend.backend())
    parts = argv or ["references", "keras3", "architectures", "applications"]
    for part in parts:
        globals()[part]()


if __name__ == "__main__":
    main(sys.argv[1:])
    _ = json
