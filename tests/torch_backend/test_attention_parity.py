"""Attention (SelfAttentionLayer, LearnedSelfAttentionLayer, RecurrentAttentionLayer, AttentionVertex) against real
DL4J 1.0.0-M2.1: libnd4j's attention ops on the same arrays, then whole networks' outputs (masks, heads, head sizes,
projection on/off, activations, float/double, train mode).

LearnedSelfAttentionLayer cannot run in M2.1 (its forward fails in scatter_update); DL4J runs it as
``compat.LearnedSelfAttentionTileFix`` (java/), the same layer with the tile count built by a concat.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from pydl4j_transfer.conf import (AttentionVertex, Dropout, GlobalPoolingLayer,
                                  InputType, LearnedSelfAttentionLayer, LSTM, MultiLayerConfiguration,
                                  NeuralNetConfiguration, OutputLayer, PoolingType, RecurrentAttentionLayer,
                                  RnnOutputLayer, SelfAttentionLayer, SimpleRnn)
from pydl4j_transfer.conf.enums import Activation, LossFunctions
from pydl4j_transfer.errors import InvalidConfigurationError
from pydl4j_transfer.torch_backend import build_module
from pydl4j_transfer.torch_backend.layers.attention import dot_product_attention, multi_head_attention

from .parity import check_parity, dl4j_output_with_masks, rand, seeded_params

LF = LossFunctions.LossFunction
TILE_FIX = "org.pydl4j.transfer.compat.LearnedSelfAttentionTileFix"
LSA = "org.deeplearning4j.nn.conf.layers.LearnedSelfAttentionLayer"
#: case -> worst max abs difference to DL4J (printed by tests/conftest.py's summary is not needed: the report reads it)
WORST: dict = {}


def _mask(mb, t, seed=5):
    """Per-example masks as DL4J's AttentionLayerTest builds them (last steps masked), one example fully masked."""
    m = np.ones((mb, t), np.float32)
    for i in range(mb):
        first = t - 1 - i
        m[i, max(first, 0):] = 0.0
    m[0, :] = 1.0
    return m


def mln(*layers, n_in=4, dtype=None, **kw):
    b = NeuralNetConfiguration.Builder().seed(12345).activation(Activation.TANH)
    if dtype is not None:
        b = b.dataType(dtype)
    for k, v in kw.items():
        b = getattr(b, k)(v)
    lb = b.list()
    for layer in layers:
        lb = lb.layer(layer)
    return lb.setInputType(InputType.recurrent(n_in)).build()


def rnn_out(n=2):
    return RnnOutputLayer.Builder(LF.MSE).nOut(n).activation(Activation.IDENTITY).build()


# ---- the ops ----------------------------------------------------------------------------------


def _j(a):
    from pydl4j_transfer.dl4j_backend import to_indarray

    return None if a is None else to_indarray(np.ascontiguousarray(a))


def _exec(op):
    import jpype

    from pydl4j_transfer.dl4j_backend import to_numpy

    return to_numpy(jpype.JClass("org.nd4j.linalg.factory.Nd4j").exec_(op)[0])  # JPype spells Java exec as exec_


@pytest.mark.dl4j
@pytest.mark.parametrize("rank", [3, 4])
@pytest.mark.parametrize("scaled", [True, False])
@pytest.mark.parametrize("masked", [False, True])
def test_dot_product_attention_op(rank, scaled, masked):
    """libnd4j dot_product_attention (DotProductAttention) on the same arrays, incl. a fully masked example."""
    import jpype

    rng = np.random.default_rng(rank * 10 + scaled * 2 + masked)
    lead = (3,) if rank == 3 else (3, 2)
    q, k, v = (rng.standard_normal(lead + s).astype(np.float32) for s in ((5, 4), (5, 6), (7, 6)))
    mask = _mask(3, 6) if masked else None
    if masked:
        mask[1, :] = 0.0  # every key masked: softmax over a -1e9 shift, as DL4J
    op = jpype.JClass("org.nd4j.linalg.api.ops.impl.transforms.custom.DotProductAttention")(
        _j(q), _j(k), _j(v), _j(mask), scaled)
    expected = _exec(op)
    got = dot_product_attention(*(torch.from_numpy(a) for a in (q, k, v)),
                                None if mask is None else torch.from_numpy(mask), scaled).numpy()
    assert got.shape == expected.shape == lead[:1] + lead[1:] + (7, 4)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


@pytest.mark.dl4j
@pytest.mark.parametrize("masked", [False, True])
def test_multi_head_attention_op(masked):
    """libnd4j multi_head_dot_product_attention: projections [H, P, F], head-major concat, Wo [H*P, nOut]."""
    import jpype

    rng = np.random.default_rng(7 + masked)
    q, k, v = rng.standard_normal((2, 5, 3)), rng.standard_normal((2, 4, 6)), rng.standard_normal((2, 6, 6))
    wq, wk, wv = rng.standard_normal((3, 2, 5)), rng.standard_normal((3, 2, 4)), rng.standard_normal((3, 4, 6))
    wo = rng.standard_normal((12, 7))
    arrays = [a.astype(np.float32) for a in (q, k, v, wq, wk, wv, wo)]
    mask = _mask(2, 6) if masked else None
    op = jpype.JClass("org.nd4j.linalg.api.ops.impl.transforms.custom.MultiHeadDotProductAttention")(
        *[_j(a) for a in arrays], _j(mask), True)
    expected = _exec(op)
    got = multi_head_attention(*(torch.from_numpy(a) for a in arrays), None if mask is None else torch.from_numpy(mask),
                               True).numpy()
    assert got.shape == expected.shape == (2, 7, 3)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)


# ---- networks ---------------------------------------------------------------------------------

MLN_CASES = {
    "self_projected": lambda: mln(SelfAttentionLayer.Builder().nOut(6).nHeads(2).projectInput(True).build(), rnn_out()),
    "self_plain": lambda: mln(SelfAttentionLayer.Builder().nHeads(1).build(), rnn_out()),
    "self_head_size": lambda: mln(SelfAttentionLayer.Builder().nOut(5).nHeads(2).headSize(3).projectInput(True).build(),
                                  rnn_out()),
    "self_stacked_double": lambda: mln(LSTM.Builder().nOut(6).build(),
                                       SelfAttentionLayer.Builder().nOut(6).nHeads(3).projectInput(True).build(),
                                       SelfAttentionLayer.Builder().nHeads(1).build(), rnn_out(), dtype="DOUBLE"),
    "recurrent_projected": lambda: mln(RecurrentAttentionLayer.Builder().nOut(6).nHeads(2).build(), rnn_out()),
    "recurrent_plain_relu": lambda: mln(RecurrentAttentionLayer.Builder().nIn(4).nOut(4).nHeads(1).projectInput(False)
                                        .activation(Activation.RELU).build(), rnn_out()),
    "recurrent_no_bias_elu": lambda: mln(RecurrentAttentionLayer.Builder().nOut(6).nHeads(3).hasBias(False)
                                         .activation(Activation.ELU).build(), rnn_out()),
    # Activation.asSameDiff: LEAKYRELU is leakyRelu(x, 0.0), i.e. ReLU; SOFTMAX, CUBE, GELU the SameDiff ops
    "recurrent_leakyrelu": lambda: mln(RecurrentAttentionLayer.Builder().nOut(5).nHeads(1).activation(Activation.LEAKYRELU)
                                       .build(), rnn_out()),
    "recurrent_softmax": lambda: mln(RecurrentAttentionLayer.Builder().nOut(5).nHeads(1).activation(Activation.SOFTMAX)
                                     .build(), rnn_out()),
    "recurrent_gelu_cube": lambda: mln(RecurrentAttentionLayer.Builder().nOut(4).nHeads(2).activation(Activation.GELU).build(),
                                       RecurrentAttentionLayer.Builder().nOut(4).nHeads(1).activation(Activation.CUBE).build(),
                                       rnn_out()),
}


@pytest.mark.dl4j
@pytest.mark.parametrize("masked", [False, True])
@pytest.mark.parametrize("name", sorted(MLN_CASES))
def test_mln_output_matches_dl4j(name, masked):
    conf = MLN_CASES[name]()
    dtype = np.float64 if "double" in name else np.float32
    x = rand(3, 4, 6, seed=len(name)).astype(dtype)
    masks = [_mask(3, 6).astype(dtype)] if masked else None
    worst, _ = check_parity(conf, [x], masks=masks, scale=0.5,
                             atol=1e-10 if dtype == np.float64 else 5e-6)  # f32: 7.8e-7 worst here, ~3 ulp of 2.2
    WORST[f"{name}{'/masked' if masked else ''}"] = worst


@pytest.mark.dl4j
def test_dropout_is_not_applied_in_training_mode():
    """SameDiffLayer#activate never applies dropout: train-mode output with dropOut(0.5) equals inference's (both)."""
    conf = mln(SelfAttentionLayer.Builder().nOut(6).nHeads(2).projectInput(True).dropOut(0.5).build(),
               RecurrentAttentionLayer.Builder().nOut(4).nHeads(1).dropOut(Dropout(0.3)).build(), rnn_out())
    assert '"idropout"' in conf.toJson() and "Dropout" in conf.toJson()
    x = rand(2, 4, 5, seed=3)
    worst, module = check_parity(conf, [x], train=True)
    with torch.no_grad():
        np.testing.assert_array_equal(module.train()(x).numpy(), module.eval()(x).numpy())


def _lsa_net(project, dtype=None):
    lsa = (LearnedSelfAttentionLayer.Builder().nOut(6).nHeads(2).nQueries(3).projectInput(True).build() if project
           else LearnedSelfAttentionLayer.Builder().nHeads(1).nQueries(2).build())
    return mln(SimpleRnn.Builder().nOut(6).build(), lsa, GlobalPoolingLayer.Builder(PoolingType.AVG).build(),
               OutputLayer.Builder(LF.MSE).nOut(2).activation(Activation.IDENTITY).build(), dtype=dtype)


@pytest.mark.dl4j
@pytest.mark.parametrize("masked", [False, True])
@pytest.mark.parametrize("project", [False, True])
def test_learned_self_attention_matches_dl4j_tile_fix(project, masked):
    """LearnedSelfAttentionLayer against DL4J's own layer code with the broken tile op replaced (TileFix)."""
    from pydl4j_transfer.dl4j_backend import Dl4jModel

    conf = _lsa_net(project)
    params = seeded_params(conf)
    model = Dl4jModel.fromJson(conf.toJson().replace(LSA, TILE_FIX), params)
    x = rand(3, 4, 6, seed=11)
    mask = _mask(3, 6) if masked else None
    expected = dl4j_output_with_masks(model, [x], [mask])
    back = MultiLayerConfiguration.fromJson(model.configurationJson().replace(TILE_FIX, LSA))
    module = build_module(back, params)
    with torch.no_grad():
        got = module(x, mask=mask).numpy()
    np.testing.assert_array_equal(module.dl4j_params().numpy(), model.params())
    worst = float(np.abs(got - expected).max())
    WORST[f"learned_{'projected' if project else 'plain'}{'/masked' if masked else ''}"] = worst
    assert worst <= 2e-6


@pytest.mark.dl4j
def test_dl4j_m21_cannot_run_learned_self_attention():
    """Pins the DL4J bug the TileFix stands in for: M2.1's own LearnedSelfAttentionLayer fails in its forward pass."""
    from pydl4j_transfer.dl4j_backend import Dl4jModel
    from pydl4j_transfer.errors import Dl4jBackendError

    from .parity import reset_workspaces

    model = Dl4jModel.fromJson(_lsa_net(True).toJson(), None)
    with pytest.raises(Dl4jBackendError, match="scatter_update"):
        try:
            model.output(rand(2, 4, 5))
        finally:
            reset_workspaces()


def cg(vertex, q_in=3, kv_in=4, self_vertex=None):
    gb = (NeuralNetConfiguration.Builder().seed(12345).graphBuilder().addInputs("q", "kv")
          .addVertex("att", vertex, "q", "kv", "kv"))
    last = "att"
    if self_vertex is not None:
        gb = gb.addVertex("self", self_vertex, "att", "att", "att")
        last = "self"
    return (gb.addLayer("out", rnn_out(), last).setOutputs("out")
            .setInputTypes(InputType.recurrent(q_in), InputType.recurrent(kv_in)).build())


VERTEX_CASES = {
    "vertex_projected": lambda: cg(AttentionVertex.Builder().nInQueries(3).nInKeys(4).nInValues(4).nOut(6).nHeads(2)
                                   .projectInput(True).build()),
    "vertex_plain": lambda: cg(AttentionVertex.Builder().nInQueries(4).nInKeys(4).nInValues(4).nOut(4).build(), q_in=4),
    "vertex_stacked": lambda: cg(AttentionVertex.Builder().nInQueries(3).nInKeys(4).nInValues(4).nOut(5).nHeads(1)
                                 .headSize(3).projectInput(True).build(),
                                 self_vertex=AttentionVertex.Builder().nInQueries(5).nInKeys(5).nInValues(5).nOut(5).build()),
}


@pytest.mark.dl4j
@pytest.mark.parametrize("masks", ["none", "both", "keys", "queries"])
@pytest.mark.parametrize("name", sorted(VERTEX_CASES))
def test_attention_vertex_matches_dl4j(name, masks):
    conf = VERTEX_CASES[name]()
    q_in = 4 if name == "vertex_plain" else 3
    xs = [rand(3, q_in, 5, seed=2), rand(3, 4, 6, seed=3)]
    mq, mkv = _mask(3, 5), _mask(3, 6, seed=1)
    mkv[2, :] = 0.0
    ms = {"none": None, "both": [mq, mkv], "keys": [None, mkv], "queries": [mq, None]}[masks]
    worst, _ = check_parity(conf, xs, masks=ms, atol=2e-6)
    WORST[f"{name}/{masks}"] = worst


# ---- errors (typed, naming the layer) ---------------------------------------------------------


def test_wrong_inputs_are_typed_errors():
    m = build_module(MLN_CASES["self_projected"]())
    with pytest.raises(InvalidConfigurationError, match=r"'layer0' \(SelfAttentionLayer\).*\[minibatch, 4, T\]"):
        m(np.zeros((2, 5, 3), np.float32))
    with pytest.raises(InvalidConfigurationError, match="layer0"):
        m(np.zeros((2, 4), np.float32))
    with pytest.raises(InvalidConfigurationError, match=r"features mask of shape \[2, 3\]"):
        m(np.zeros((2, 4, 3), np.float32), mask=np.ones((2, 4), np.float32))
    g = build_module(VERTEX_CASES["vertex_projected"]())
    with pytest.raises(InvalidConfigurationError, match="vertex 'att' .*keys"):
        g(np.zeros((2, 3, 5), np.float32), np.zeros((2, 3, 6), np.float32))


def test_recurrent_attention_fixed_length_and_unsupported_activation():
    """As DL4J: the unrolled graph keeps the first T ("fixed length mini-batches"); Activation.asSameDiff throws."""
    conf = MLN_CASES["recurrent_projected"]()
    m = build_module(conf)
    with torch.no_grad():
        m(np.zeros((2, 4, 5), np.float32))
        m(np.zeros((3, 4, 5), np.float32))
        with pytest.raises(InvalidConfigurationError, match="Expected 5 time steps but got 4"):
            m(np.zeros((2, 4, 4), np.float32))
    assert conf.confs[0].layer.timeSteps == 5  # defineLayer's timeSteps, written to the JSON as DL4J does
    selu = build_module(mln(RecurrentAttentionLayer.Builder().nOut(4).nHeads(1).activation(Activation.SELU).build(),
                            rnn_out()))
    with pytest.raises(InvalidConfigurationError, match="Activation function not yet supported: SELU"):
        selu(np.zeros((2, 4, 3), np.float32))
