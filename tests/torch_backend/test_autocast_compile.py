"""Reduced-precision inference on request (``autocast=``) and ``torch.compile`` of ``torchModule()``."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from pydl4j_transfer.conf import (ConvolutionLayer, DenseLayer, InputType, MergeVertex, NeuralNetConfiguration,
                                  OutputLayer, SubsamplingLayer)
from pydl4j_transfer.data import DataSet
from pydl4j_transfer.errors import InvalidConfigurationError
from pydl4j_transfer.nn import ComputationGraph, MultiLayerNetwork
from pydl4j_transfer.transfer import TransferLearningHelper


def _cnn():
    conf = (NeuralNetConfiguration.Builder().seed(7).list()
            .layer(ConvolutionLayer.Builder().kernelSize(3, 3).nOut(6).activation("RELU").build())
            .layer(SubsamplingLayer.Builder().kernelSize(2, 2).stride(2, 2).build())
            .layer(DenseLayer.Builder().nOut(16).activation("TANH").build())
            .layer(OutputLayer.Builder().nOut(3).activation("SOFTMAX").lossFunction("MCXENT").build())
            .setInputType(InputType.convolutional(12, 12, 2)).build())
    return MultiLayerNetwork(conf).init()


def _graph():
    conf = (NeuralNetConfiguration.Builder().seed(3).graphBuilder().addInputs("a", "b")
            .addLayer("da", DenseLayer.Builder().nIn(5).nOut(7).activation("RELU").build(), "a")
            .addLayer("db", DenseLayer.Builder().nIn(4).nOut(7).activation("SIGMOID").build(), "b")
            .addVertex("m", MergeVertex(), "da", "db")
            .addLayer("out", OutputLayer.Builder().nIn(14).nOut(2).activation("SOFTMAX").lossFunction("MCXENT").build(),
                      "m")
            .setOutputs("out").build())
    return ComputationGraph(conf).init()


def _x(*shape, seed=0):
    return np.random.default_rng(seed).random(shape, dtype=np.float32)


def test_bf16_autocast_output_is_close_and_in_the_network_dtype():
    net = _cnn()
    x = _x(8, 2, 12, 12)
    full = net.output(x)
    bf16 = net.output(x, autocast="bf16")
    assert bf16.dtype == np.float32
    np.testing.assert_allclose(bf16, full, rtol=0, atol=2e-2)  # bf16 keeps 8 mantissa bits
    # and it really ran in reduced precision: the first dense pre-activation differs
    acts32 = net.feedForward(x)
    acts16 = net.feedForward(x, autocast=torch.bfloat16)
    assert all(a.dtype == np.float32 for a in acts16)
    assert np.abs(acts16[3] - acts32[3]).max() > 0
    np.testing.assert_array_equal(net.output(x), full)  # no state left behind


def test_bf16_autocast_graph_output_and_feed_forward():
    g = _graph()
    a, b = _x(6, 5, seed=1), _x(6, 4, seed=2)
    full = g.output(a, b)[0]
    bf16 = g.output(a, b, autocast="bfloat16")[0]
    assert bf16.dtype == np.float32
    np.testing.assert_allclose(bf16, full, atol=2e-2)
    assert g.feedForward([a, b], autocast="bf16")["m"].dtype == np.float32


def test_featurize_with_autocast_keeps_its_own_cache_entries(tmp_path):
    net = _cnn()
    helper = TransferLearningHelper(net, 1)
    ds = DataSet(_x(4, 2, 12, 12), np.eye(3, dtype=np.float32)[[0, 1, 2, 0]])
    f32 = helper.featurize(ds, cache=tmp_path).getFeatures()
    f16 = helper.featurize(ds, cache=tmp_path, autocast="bf16").getFeatures()
    assert f16.dtype == np.float32
    assert np.abs(f16 - f32).max() > 0  # not served the float32 entry
    np.testing.assert_allclose(f16, f32, atol=2e-2)
    np.testing.assert_array_equal(helper.featurize(ds, cache=tmp_path).getFeatures(), f32)


@pytest.mark.parametrize("spec, message", [("fp8", "is not a reduced precision"), (torch.float64, "not a reduced"),
                                           ("fp16", "CUDA only")])
def test_autocast_refuses_what_it_cannot_run_on_cpu(spec, message):
    with pytest.raises(InvalidConfigurationError, match=message):
        _cnn().output(_x(2, 2, 12, 12), autocast=spec)


@pytest.mark.slow
def test_torch_compile_of_torch_module_matches_eager_without_graph_breaks():
    import torch._dynamo as dynamo

    torch.manual_seed(0)
    net = _cnn()
    module = net.torchModule().eval()
    x = torch.rand(5, 2, 12, 12)
    dynamo.reset()
    explained = dynamo.explain(module)(x)
    assert explained.graph_break_count == 0, [b.reason for b in explained.break_reasons]
    compiled = torch.compile(module)
    with torch.no_grad():
        np.testing.assert_allclose(compiled(x).numpy(), module(x).numpy(), rtol=1e-5, atol=1e-6)
    # a plain torch training loop on the compiled module trains the DL4J network's own parameters
    module.train()
    before = net.params().copy()
    opt = torch.optim.SGD(module.parameters(), lr=0.1)
    labels = torch.tensor([0, 1, 2, 0, 1])
    for _ in range(2):
        opt.zero_grad()
        loss = torch.nn.functional.nll_loss(torch.log(compiled(x)), labels)
        loss.backward()
        opt.step()
    assert not np.array_equal(net.params(), before)
    np.testing.assert_allclose(net.output(x.numpy()), module.eval()(x).detach().numpy(), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("fmt", ["NCHW", "NHWC"])
def test_inference_on_channels_last_memory_gives_the_nchw_results_and_training_is_untouched(fmt, monkeypatch):
    from pydl4j_transfer.conf import CNN2DFormat
    from pydl4j_transfer.torch_backend.layers import convolution

    def net():
        conf = (NeuralNetConfiguration.Builder().seed(11).list()
                .layer(ConvolutionLayer.Builder().kernelSize(3, 3).nOut(5).activation("RELU")
                       .dataFormat(CNN2DFormat[fmt]).build())
                .layer(SubsamplingLayer.Builder().kernelSize(2, 2).stride(2, 2).dataFormat(CNN2DFormat[fmt]).build())
                .layer(ConvolutionLayer.Builder().kernelSize(2, 2).nOut(4).activation("TANH")
                       .dataFormat(CNN2DFormat[fmt]).build())
                .layer(OutputLayer.Builder().nOut(3).activation("SOFTMAX").lossFunction("MCXENT").build())
                .setInputType(InputType.convolutional(10, 10, 2, CNN2DFormat[fmt])).build())
        return MultiLayerNetwork(conf).init()

    x = _x(6, 2, 10, 10) if fmt == "NCHW" else _x(6, 10, 10, 2)
    y = np.eye(3, dtype=np.float32)[[0, 1, 2, 0, 1, 2]]
    results = {}
    for flag in (False, True):
        monkeypatch.setattr(convolution, "INFERENCE_CHANNELS_LAST", frozenset({"cpu"} if flag else ()))
        n = net()
        out = n.output(x)
        n.fit(x, y)
        results[flag] = out, n.params().copy()
    np.testing.assert_allclose(results[True][0], results[False][0], rtol=1e-6, atol=1e-7)
    np.testing.assert_array_equal(results[True][1], results[False][1])  # fit never switches layout
