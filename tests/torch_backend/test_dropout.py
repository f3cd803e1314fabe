"""Training-mode dropout variants: DL4J's conventions (p = RETAIN probability, inverted scaling), checked
statistically (and against real DL4J's train-mode output for Dropout)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from pydl4j_transfer.conf import DenseLayer, DropoutLayer, NeuralNetConfiguration
from pydl4j_transfer.conf.values import dropout as D
from pydl4j_transfer.torch_backend import build_module
from pydl4j_transfer.torch_backend.dropout import convert_dropout


def _ones(n=200_000):
    return torch.ones(n, dtype=torch.float64)


def test_dropout_p_is_retain_probability():
    torch.manual_seed(0)
    m = convert_dropout(D.Dropout(0.8)).train()
    y = m(_ones())
    assert abs((y == 0).double().mean().item() - 0.2) < 0.01  # DL4J p=0.8 keeps 80 %
    assert torch.allclose(y[y != 0], torch.tensor(1.25, dtype=torch.float64))  # inverted: kept / 0.8
    assert torch.equal(m.eval()(_ones(10)), _ones(10))


def test_gaussian_dropout_noise_alpha_and_spatial():
    torch.manual_seed(0)
    y = convert_dropout(D.GaussianDropout(0.2)).train()(_ones())
    assert abs(y.mean().item() - 1) < 0.01 and abs(y.std().item() - (0.2 / 0.8) ** 0.5) < 0.01
    y = convert_dropout(D.GaussianNoise(0.3)).train()(torch.zeros(200_000, dtype=torch.float64))
    assert abs(y.mean().item()) < 0.01 and abs(y.std().item() - 0.3) < 0.01
    x = torch.randn(200_000, dtype=torch.float64)
    y = convert_dropout(D.AlphaDropout(0.9)).train()(x)  # self-normalising: keeps mean 0 / variance 1
    assert abs(y.mean().item()) < 0.02 and abs(y.var().item() - 1) < 0.03
    y = convert_dropout(D.SpatialDropout(0.5)).train()(torch.ones(400, 8, 3, 3))
    per_channel = y.reshape(400, 8, 9)
    assert torch.all((per_channel == 0).all(2) | (per_channel == 2).all(2))  # whole channels, scaled 1/0.5


@pytest.mark.dl4j
def test_dropout_layer_training_statistics_match_dl4j():
    from .parity import dl4j_net

    conf = (NeuralNetConfiguration.Builder().seed(1).list()
            .layer(DenseLayer(nIn=4, nOut=4, activation="identity")).layer(DropoutLayer(0.7)).build())
    params = np.concatenate([np.eye(4).reshape(-1), np.zeros(4)]).astype(np.float32)
    model, _ = dl4j_net(conf, params)
    x = np.ones((20000, 4), np.float32)
    dl4j = model.output(x, train=True)
    ours = build_module(conf, params).train()(x).detach().numpy()
    for y in (dl4j, ours):
        assert abs((y == 0).mean() - 0.3) < 0.01
        np.testing.assert_allclose(y[y != 0], 1 / 0.7, rtol=1e-6)


def test_weight_noise_training_only():
    from pydl4j_transfer.conf.values.dropout import DropConnect, WeightNoise
    from pydl4j_transfer.conf.values.weightinit import NormalDistribution

    torch.manual_seed(0)
    for noise, check in (
            (DropConnect(0.5), lambda w: set(np.unique(w).tolist()) <= {0.0, 2.0} and abs((w == 0).mean() - 0.5) < 0.05),
            (WeightNoise(NormalDistribution(0.0, 0.1), True), lambda w: abs(w.std() - 0.1) < 0.01 and abs(w.mean() - 1) < 0.01)):
        conf = (NeuralNetConfiguration.Builder().list()
                .layer(DenseLayer(nIn=50, nOut=40, activation="identity", weightNoise=noise, name="d")).build())
        m = build_module(conf, np.concatenate([np.ones(2000), np.zeros(40)]).astype(np.float32))
        x = torch.eye(50)
        np.testing.assert_array_equal(m.eval()(x).detach().numpy(), np.ones((50, 40), np.float32))
        w_seen = m.train()(x).detach().numpy()  # identity input: the output rows are the (noisy) weight rows
        assert check(w_seen), noise
        np.testing.assert_array_equal(m.d.p("b").detach().numpy(), np.zeros(40))  # biases untouched by default
