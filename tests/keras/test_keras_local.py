"""Keras LocallyConnected1D / LocallyConnected2D import against DL4J 1.0.0-M2.1's KerasModelImport (in the JVM), on
small Keras 2 files written here (DL4J's test resources have none).

* The configuration DL4J's importer makes, key for key (KerasLocallyConnected1D: Truncate for "valid", the weight
  init under the Keras weight name, sizes from the input type).
* Keras's bias [outputLength, filters] and a "same" layer (Keras keeps one weight row per input step, DL4J's layer
  one per output step... and DL4J computes outputSize = inputLength) are refused by both with a typed error.
* DL4J M2.1 bug (docs/deviations.md): SameDiffLayer#setParam checks the shape and discards the value, so DL4J's
  imported layer keeps its random initialization; here the Keras kernel (and bias) are set, copied unchanged as
  KerasLocallyConnected1D#setWeights hands them over. The outputs are then DL4J's own math on those parameters.
* LocallyConnected2D: DL4J's importer does not map it ("Unsupported keras layer type"); the mapper class exists
  for ``KerasLayer.registerCustomLayer``, as in DL4J.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from pydl4j_transfer.errors import InvalidKerasConfigurationError, UnsupportedKerasConfigurationError

h5py = pytest.importorskip("h5py")

pytestmark = pytest.mark.dl4j

T, C, F, K = 6, 3, 4, 3


def _layer(cls, name, **cfg):
    base = {"name": name, "trainable": True, "dtype": "float32", "activation": "tanh", "use_bias": True,
            "data_format": "channels_last", "padding": "valid", "implementation": 1,
            "kernel_initializer": {"class_name": "VarianceScaling",
                                   "config": {"scale": 1.0, "mode": "fan_avg", "distribution": "uniform", "seed": None}},
            "bias_initializer": {"class_name": "Zeros", "config": {}}, "kernel_regularizer": None,
            "bias_regularizer": None, "activity_regularizer": None, "kernel_constraint": None, "bias_constraint": None}
    base.update(cfg)
    return {"class_name": cls, "config": base}


def write_model(path, layer, weights):
    """A Keras 2.2.4 (TensorFlow) Sequential HDF5 file: ``layer`` with ``weights`` {name: array}."""
    name = layer["config"]["name"]
    with h5py.File(path, "w") as f:
        f.attrs["model_config"] = json.dumps({"class_name": "Sequential", "config": [layer]})
        f.attrs["keras_version"] = "2.2.4"
        f.attrs["backend"] = "tensorflow"
        mw = f.create_group("model_weights")
        mw.attrs["layer_names"] = np.array([name.encode()])
        mw.attrs["backend"], mw.attrs["keras_version"] = "tensorflow", "2.2.4"
        g = mw.create_group(name)
        g.attrs["weight_names"] = np.array([f"{name}/{k}:0".encode() for k in weights])
        inner = g.create_group(name)
        for k, v in weights.items():
            inner[f"{k}:0"] = v
    return path


def _lc1(tmp_path, name="m.h5", bias=(F,), **cfg):
    rng = np.random.default_rng(0)
    stride = cfg.get("strides", [1])[0]
    out_len = (T - K) // stride + 1
    weights = {"kernel": rng.standard_normal((out_len, K * C, F)).astype(np.float32)}
    if bias is not None:
        weights["bias"] = rng.standard_normal(bias).astype(np.float32)
    cfg.setdefault("strides", [1])
    layer = _layer("LocallyConnected1D", "lc", batch_input_shape=[None, T, C], filters=F, kernel_size=[K],
                   use_bias=bias is not None, **cfg)
    return write_model(tmp_path / name, layer, weights), weights


def _theirs(path):
    import jpype

    kmi = jpype.JClass("org.deeplearning4j.nn.modelimport.keras.KerasModelImport")
    return kmi.importKerasSequentialModelAndWeights(str(path), False)


def _ours(path):
    from pydl4j_transfer.keras import KerasModelImport

    return KerasModelImport.importKerasSequentialModelAndWeights(path, False)


def _layer_json(text):
    return json.loads(text)["confs"][0]["layer"]


@pytest.mark.parametrize("variant", ["bias", "no_bias", "stride2_relu"])
def test_locally_connected_1d_matches_dl4j_import(tmp_path, variant, jvm):
    from pydl4j_transfer.dl4j_backend import Dl4jModel, to_indarray, to_numpy

    kw = {"bias": {}, "no_bias": {"bias": None}, "stride2_relu": {"strides": [2], "activation": "relu"}}[variant]
    path, weights = _lc1(tmp_path, **kw)
    theirs, ours = _theirs(path), _ours(path)
    assert _layer_json(ours.getLayerWiseConfigurations().toJson()) == \
        _layer_json(str(theirs.getLayerWiseConfigurations().toJson()))
    # the Keras weights land here (DL4J M2.1 drops them: SameDiffLayer#setParam assigns nothing)
    np.testing.assert_array_equal(ours.getParam("0_W"), weights["kernel"])
    if "bias" in weights:
        np.testing.assert_array_equal(ours.getParam("0_b"), weights["bias"])
    assert not np.array_equal(to_numpy(theirs.getParam("0_W")), weights["kernel"])  # pins the DL4J bug
    # the math: DL4J's own network on our configuration and parameters
    x = np.random.default_rng(1).standard_normal((2, C, T)).astype(np.float32)
    model = Dl4jModel.fromJson(ours.getLayerWiseConfigurations().toJson(), ours.params())
    np.testing.assert_allclose(ours.output(x), to_numpy(model.java.output(to_indarray(x))), rtol=0, atol=1e-5)


def test_keras_bias_shape_and_same_padding_are_refused_as_dl4j_refuses_them(tmp_path, jvm):
    for name, kw in (("keras_bias.h5", {"bias": ((T - K + 1), F)}), ("same.h5", {"padding": "same"})):
        path, _ = _lc1(tmp_path, name, **kw)
        with pytest.raises(Exception, match="InvalidKerasConfigurationException"):
            _theirs(path)
        with pytest.raises(InvalidKerasConfigurationError, match=name):
            _ours(path)


def test_locally_connected_2d_is_unmapped_as_in_dl4j_and_registrable(tmp_path, jvm):
    from pydl4j_transfer.keras import KerasLayer, KerasLocallyConnected2D

    rng = np.random.default_rng(2)
    layer = _layer("LocallyConnected2D", "lc2", batch_input_shape=[None, 5, 4, 2], filters=3, kernel_size=[2, 2],
                   strides=[1, 1])
    path = write_model(tmp_path / "lc2.h5", layer, {"kernel": rng.standard_normal((12, 8, 3)).astype(np.float32),
                                                    "bias": rng.standard_normal(3).astype(np.float32)})
    with pytest.raises(Exception, match="Unsupported keras layer type LocallyConnected2D"):
        _theirs(path)
    with pytest.raises(UnsupportedKerasConfigurationError, match="LocallyConnected2D"):
        _ours(path)
    import jpype

    jlayer = jpype.JClass("org.deeplearning4j.nn.modelimport.keras.KerasLayer")
    jmapper = jpype.JClass("org.deeplearning4j.nn.modelimport.keras.layers.local.KerasLocallyConnected2D")
    jlayer.registerCustomLayer("LocallyConnected2D", jmapper.class_)
    KerasLayer.registerCustomLayer("LocallyConnected2D", KerasLocallyConnected2D)
    try:
        # Keras's mapper sets nIn with the plain setter, so featureDim stays 0 (setNIn(InputType) only fills it while
        # nIn is unset): DL4J's network init then fails on W [12, 0, 3]; so does this import, with a typed error
        with pytest.raises(Exception, match="parameter length \\(0\\) must be > 0"):
            _theirs(path)
        with pytest.raises(InvalidKerasConfigurationError, match="lc2"):
            _ours(path)
    finally:
        jlayer.clearCustomLayers()
        KerasLayer.clearCustomLayers()
