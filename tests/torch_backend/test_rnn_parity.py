"""Recurrent layers and RNN wrappers against real DL4J (seeded params; with and without masks)."""

from __future__ import annotations

import numpy as np
import pytest
from .parity import check_parity, rand

from pydl4j_transfer.conf import (LSTM, Bidirectional, DenseLayer, EmbeddingSequenceLayer, GlobalPoolingLayer, GravesBidirectionalLSTM,
                                  GravesLSTM, InputType, LastTimeStep, MaskZeroLayer, NeuralNetConfiguration, OutputLayer,
                                  RnnLossLayer, RnnOutputLayer, SimpleRnn)

pytestmark = pytest.mark.dl4j


def mln(*layers, input_type, seed=1):
    lb = NeuralNetConfiguration.Builder().seed(seed).list()
    for layer in layers:
        lb.layer(layer)
    return lb.setInputType(input_type).build()


def rnn_out(n=3, fmt="NCW"):
    return RnnOutputLayer(nOut=n, activation="softmax", lossFunction="mcxent", rnnDataFormat=fmt)


def mask(mb=3, t=6):
    m = np.ones((mb, t), np.float32)
    m[1, 4:] = 0
    m[2, 2:] = 0
    return m


RNNS = {
    "lstm": lambda fmt: LSTM(nOut=4, activation="tanh", rnnDataFormat=fmt),
    "lstm_softsign_hardsigmoid": lambda fmt: LSTM(nOut=4, activation="softsign", gateActivationFunction="hardsigmoid",
                                                  rnnDataFormat=fmt),
    "graves": lambda fmt: GravesLSTM(nOut=4, activation="tanh", rnnDataFormat=fmt),
    "graves_bidi": lambda fmt: GravesBidirectionalLSTM(nOut=4, activation="tanh", rnnDataFormat=fmt),
    "simple": lambda fmt: SimpleRnn(nOut=4, activation="tanh", rnnDataFormat=fmt),
}


@pytest.mark.parametrize("kind", sorted(RNNS))
@pytest.mark.parametrize("fmt", ["NCW", "NWC"])
def test_recurrent_layer(kind, fmt):
    conf = mln(RNNS[kind](fmt), rnn_out(fmt=fmt), input_type=InputType.recurrent(2, 6, fmt))
    x = rand(3, 2, 6) if fmt == "NCW" else rand(3, 6, 2)
    check_parity(conf, x, workspaces=fmt == "NCW")


def test_nwc_workspace_bug():
    """DL4J M2.1 with workspaces (the default) returns an NWC RNN output as the NCW result's buffer reshaped to
    [mb, T, n] (for minibatch > 1); with inferenceWorkspaceMode NONE it returns the right array, which is ours."""
    from .parity import conf_from_json, dl4j_net, seeded_params

    from pydl4j_transfer.torch_backend import build_module

    conf = mln(SimpleRnn(nOut=3, activation="tanh", rnnDataFormat="NWC"), rnn_out(fmt="NWC"),
               input_type=InputType.recurrent(2, 4, "NWC"))
    params = seeded_params(conf)
    model, json_back = dl4j_net(conf, params)
    x = rand(3, 4, 2)
    ours = build_module(conf_from_json(json_back), params)(x).detach().numpy()
    dl4j = model.output(x)
    assert np.abs(dl4j - ours).max() > 1e-2
    np.testing.assert_allclose(dl4j, ours.transpose(0, 2, 1).reshape(dl4j.shape), atol=1e-6)
    check_parity(conf, x, workspaces=False)


@pytest.mark.parametrize("kind", sorted(RNNS))
def test_recurrent_layer_with_mask(kind):
    conf = mln(RNNS[kind]("NCW"), rnn_out(), input_type=InputType.recurrent(2, 6))
    check_parity(conf, rand(3, 2, 6), masks=[mask()])


@pytest.mark.parametrize("mode", ["CONCAT", "ADD", "MUL", "AVERAGE"])
def test_bidirectional(mode):
    conf = mln(Bidirectional(mode, LSTM(nOut=3, activation="tanh")), Bidirectional(mode, SimpleRnn(nOut=2, activation="tanh")),
               rnn_out(), input_type=InputType.recurrent(2, 6))
    check_parity(conf, rand(3, 2, 6))
    check_parity(conf, rand(3, 2, 6), masks=[mask()])


def test_last_time_step_and_global_pooling_with_masks():
    conf = mln(LastTimeStep(LSTM(nOut=4, activation="tanh")), OutputLayer(nOut=3, activation="softmax", lossFunction="mcxent"),
               input_type=InputType.recurrent(2, 6))
    check_parity(conf, rand(3, 2, 6))
    check_parity(conf, rand(3, 2, 6), masks=[mask()])
    for ptype in ("MAX", "AVG", "SUM", "PNORM"):
        conf = mln(SimpleRnn(nOut=4, activation="tanh"), GlobalPoolingLayer(poolingType=ptype, pnorm=2),
                   OutputLayer(nOut=3, activation="softmax", lossFunction="mcxent"), input_type=InputType.recurrent(2, 6))
        check_parity(conf, rand(3, 2, 6), masks=[mask()])


def test_mask_zero_layer():
    x = rand(3, 2, 6)
    x[1, :, 4:] = 0.0
    x[0, :, 2] = 0.0
    x[2, 0, 3] = 0.0  # only one feature zero: not masked
    conf = mln(MaskZeroLayer(LSTM(nOut=4, activation="tanh"), 0.0), rnn_out(), input_type=InputType.recurrent(2, 6))
    check_parity(conf, x)


def test_dense_between_recurrent_layers_with_mask():
    conf = mln(LSTM(nOut=4, activation="tanh"), DenseLayer(nOut=5, activation="relu"), SimpleRnn(nOut=3, activation="tanh"),
               RnnLossLayer(activation="softmax", lossFunction="mcxent"), input_type=InputType.recurrent(2, 6))
    check_parity(conf, rand(3, 2, 6))
    check_parity(conf, rand(3, 2, 6), masks=[mask()])


def test_embedding_sequence():
    for fmt in ("NCW", "NWC"):
        conf = mln(EmbeddingSequenceLayer(nIn=7, nOut=3, outputFormat=fmt, hasBias=True, activation="tanh"),
                   LSTM(nOut=4, activation="tanh", rnnDataFormat=fmt), rnn_out(fmt=fmt), input_type=InputType.recurrent(1, 5))
        idx = np.random.default_rng(3).integers(0, 7, size=(3, 1, 5)).astype(np.float32)
        check_parity(conf, idx, workspaces=fmt == "NCW")


def test_simple_rnn_layer_norm_against_numpy():
    """SimpleRnn(hasLayerNorm=true) fails inside real DL4J M2.1's own forward pass (an interval on its rank-1
    gain view), so it is checked against a numpy transcription of SimpleRnn#activateHelper: DL4J's layout
    g = [gx | gh], LayerNorm = (z - mean) / (biased std + 1e-12) * gain over the features."""
    import torch

    from .parity import seeded_params

    from pydl4j_transfer.torch_backend import build_module

    conf = mln(SimpleRnn(nOut=4, activation="tanh", hasLayerNorm=True), input_type=InputType.recurrent(2, 5))
    p = seeded_params(conf).astype(np.float64)
    w = p[0:8].reshape(2, 4, order="F")
    rw = p[8:24].reshape(4, 4, order="F")
    b, g = p[24:28], p[28:36]

    def ln(z, gain):
        return (z - z.mean(1, keepdims=True)) / (z.std(1, keepdims=True) + 1e-12) * gain

    x = rand(3, 2, 5).astype(np.float64)
    h, outs = None, []
    for t in range(5):
        z = ln(x[:, :, t] @ w, g[:4])
        if h is not None:
            z = z + ln(h @ rw, g[4:])
        h = np.tanh(z + b)
        outs.append(h)
    expected = np.stack(outs, 2)
    got = build_module(conf, p, dtype=torch.float64)(x).detach().numpy()
    np.testing.assert_allclose(got, expected, atol=1e-12)
