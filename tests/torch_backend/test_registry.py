"""Every conf class of every kind the torch backend runs is either converted or listed as unsupported with a
reason; unsupported classes and wrong inputs fail with clear, typed errors. No JVM needed."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from pydl4j_transfer.conf import REGISTRIES, DenseLayer, InputType, NeuralNetConfiguration, OutputLayer
from pydl4j_transfer.errors import InvalidConfigurationError, UnsupportedLayerError
from pydl4j_transfer.torch_backend import BY_CONF_KIND, UNSUPPORTED, build_module
from pydl4j_transfer.registry import Registry


def _all_classes():
    for kind, converters in BY_CONF_KIND.items():
        for key in sorted(cls.dl4jClass for cls in REGISTRIES[kind]):
            yield pytest.param(kind, key, id=key.rsplit(".", 1)[-1] + f"[{kind}]")


@pytest.mark.parametrize("kind,key", list(_all_classes()))
def test_every_conf_class_is_converted_or_listed_unsupported(kind, key):
    converted = key in BY_CONF_KIND[kind]
    listed = key in UNSUPPORTED
    assert converted != listed, f"{key}: converted={converted}, in UNSUPPORTED={listed} (exactly one must hold)"
    if listed:
        assert isinstance(UNSUPPORTED[key], str) and len(UNSUPPORTED[key]) > 10, f"{key}: give a reason"


def test_no_converter_for_a_class_conf_does_not_know():
    for kind, converters in BY_CONF_KIND.items():
        known = {cls.dl4jClass for cls in REGISTRIES[kind]}
        assert set(converters.keys()) <= known, f"{kind}: converters for unknown classes {set(converters.keys()) - known}"
    assert set(UNSUPPORTED) <= {cls.dl4jClass for r in REGISTRIES.values() for cls in r}


def test_duplicate_and_missing_keys_are_errors():
    class B:
        dl4jClass = "a.B"

    reg = Registry("thing")
    reg.register(B)(lambda c: c)
    with pytest.raises(InvalidConfigurationError, match="a.B"):
        reg.register(B)(lambda c: c)
    with pytest.raises(TypeError, match="configuration classes"):
        reg.register("a.B")
    with pytest.raises(UnsupportedLayerError, match="x.Y.*in somewhere"):
        reg.lookup("x.Y", "somewhere")


def test_unsupported_layer_names_class_and_layer(monkeypatch):
    from pydl4j_transfer.torch_backend import LAYER_CONVERTERS

    key = DenseLayer.dl4jClass
    monkeypatch.delitem(LAYER_CONVERTERS._entries, key)
    monkeypatch.setitem(UNSUPPORTED, key, "pretend it is unsupported for this test")
    conf = NeuralNetConfiguration.Builder().list().layer(DenseLayer(nIn=3, nOut=2, name="hidden")).build()
    with pytest.raises(UnsupportedLayerError) as info:
        build_module(conf)
    assert info.value.dl4j_class == key and info.value.where == "hidden"
    assert "DenseLayer" in str(info.value) and "hidden" in str(info.value) and "pretend" in str(info.value)


def test_every_listed_unsupported_class_raises_when_built():
    from pydl4j_transfer.conf import LAYERS

    for key in UNSUPPORTED:
        if key in {c.dl4jClass for c in LAYERS}:
            layer = LAYERS.lookup(key)()
            layer.layerName = "the_layer"
            conf = NeuralNetConfiguration.Builder().list().layer(layer).build()
            with pytest.raises(UnsupportedLayerError, match="the_layer"):
                build_module(conf)


def _mlp():
    return (NeuralNetConfiguration.Builder().list()
            .layer(DenseLayer(nIn=4, nOut=5, activation="relu", name="fc1"))
            .layer(OutputLayer(nIn=5, nOut=3, activation="softmax", lossFunction="mcxent", name="out")).build())


def test_wrong_input_shape_names_layer_and_expected_input():
    m = build_module(_mlp())
    with pytest.raises(InvalidConfigurationError, match=r"'fc1'.*\[minibatch, 4\]"):
        m(np.zeros((2, 7), np.float32))
    with pytest.raises(InvalidConfigurationError, match="fc1"):
        m(np.zeros((2, 4, 3), np.float32))


def test_wrong_cnn_input_names_layer_and_format():
    from pydl4j_transfer.conf import ConvolutionLayer

    conf = (NeuralNetConfiguration.Builder().list()
            .layer(ConvolutionLayer(nOut=2, kernelSize=[2, 2], name="conv"))
            .layer(OutputLayer(nOut=3, activation="softmax", lossFunction="mcxent"))
            .setInputType(InputType.convolutional(5, 5, 3)).build())
    m = build_module(conf)
    with pytest.raises(InvalidConfigurationError, match=r"'conv'.*3 input channels"):
        m(np.zeros((2, 1, 5, 5), np.float32))


def test_state_dict_keys_layout_and_round_trip():
    from pydl4j_transfer.torch_backend import flatten_params, load_flat_params

    conf = _mlp()
    n = conf.numParams()
    flat = np.arange(n, dtype=np.float32)
    m = build_module(conf, flat)
    assert list(m.state_dict()) == ["fc1.W", "fc1.b", "out.W", "out.b"]
    assert all(isinstance(p, torch.nn.Parameter) for p in m.parameters())
    # dense W [nIn, nOut] 'f' = torch [nOut, nIn]: the same bytes
    assert tuple(m.fc1.W.shape) == (5, 4)
    np.testing.assert_array_equal(m.fc1.W.detach().numpy(), flat[:20].reshape(4, 5, order="F").T)
    np.testing.assert_array_equal(flatten_params(m).numpy(), flat)
    load_flat_params(m, torch.from_numpy(flat[::-1].copy()))
    np.testing.assert_array_equal(flatten_params(m).numpy(), flat[::-1])
    from pydl4j_transfer.errors import ParamLengthMismatchError

    with pytest.raises(ParamLengthMismatchError):
        load_flat_params(m, flat[:-1])


def test_train_eval_and_frozen_layers_stay_in_inference():
    from pydl4j_transfer.conf import DropoutLayer, FrozenLayer

    conf = (NeuralNetConfiguration.Builder().list()
            .layer(FrozenLayer(DenseLayer(nIn=4, nOut=50, activation="identity", dropOut=0.5, name="frozen")))
            .layer(DenseLayer(nIn=50, nOut=50, activation="identity", name="d"))
            .layer(DropoutLayer(0.5, name="drop"))
            .build())
    m = build_module(conf, np.random.default_rng(0).standard_normal(conf.numParams()).astype(np.float32))
    x = np.ones((8, 4), np.float32)
    frozen = getattr(m, m.layer_names[0])
    m.train()
    assert not frozen.training and m.d.training and m.drop.training
    assert all(not p.requires_grad for p in frozen.parameters())
    from pydl4j_transfer.torch_backend import feed_forward

    acts = feed_forward(m, x, train=True)
    frozen_out = acts[1]
    np.testing.assert_array_equal(frozen_out.detach().numpy(), m.eval().get_submodule(m.layer_names[0])(torch.from_numpy(x)).detach().numpy())
    assert (acts[3] == 0).float().mean() > 0.2  # DropoutLayer dropped in training mode
    m.eval()
    np.testing.assert_array_equal(feed_forward(m, x)[3].detach().numpy(), feed_forward(m, x)[2].detach().numpy())
