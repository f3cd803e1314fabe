"""Truncated BPTT in fit and the stored RNN state (rnnTimeStep & co) on the torch backend, against real DL4J M2.1.

Same configuration and initial parameters on both sides; 5 fit calls on the same sequences, each one
``ceil(T / tbpttFwdLength)`` iterations; params, iteration count and score compared. DL4J M2.1's TBPTT
backward ignores ``tbpttBackLength`` and takes its gradient from a zero-state recomputation
(docs/deviations.md row 14): reproduced, and pinned by the ``fwd4_bwd2`` cases.
"""

from __future__ import annotations

import numpy as np
import pytest

from pydl4j_transfer.conf import (LSTM, Adam, Bidirectional, GravesLSTM, InputType, LossFunctions, MergeVertex,
                                  NeuralNetConfiguration, RmsProp, RnnOutputLayer, Sgd, SimpleRnn, WeightInit)
from pydl4j_transfer.errors import InvalidConfigurationError
from pydl4j_transfer.nn import MultiLayerNetwork

from .test_training import MAXDIFF, check, java_fit, jparams, ours_batch, pair

pytestmark = pytest.mark.dl4j

LF = LossFunctions.LossFunction


def _rnn_out(n_in, n_out=2):
    return RnnOutputLayer.Builder(LF.MCXENT).nIn(n_in).nOut(n_out).activation("softmax").build()


def _lstm(n_in, n_out, cls=LSTM):
    return cls.Builder().nIn(n_in).nOut(n_out).activation("tanh").build()


def mln(*layers, fwd=4, bwd=4, updater=None, tbptt=True):
    b = NeuralNetConfiguration.Builder().seed(7).updater(updater or Adam(0.02)).weightInit(WeightInit.XAVIER).list()
    for layer in layers:
        b = b.layer(layer)
    if tbptt:
        b = b.backpropType("TruncatedBPTT").tBPTTForwardLength(fwd).tBPTTBackwardLength(bwd)
    return b.build()


def graph(fwd=4, bwd=4):
    """a (3 features) -> LSTM, b (2 features) -> GravesLSTM, merged -> RnnOutputLayer.

    setInputTypes matters: without it DL4J leaves the RnnOutputLayer's rnnDataFormat null and its
    backpropGradient then compares the feature axis as the time axis (fails in DL4J itself)."""
    gb = (NeuralNetConfiguration.Builder().seed(7).updater(RmsProp(0.02)).weightInit(WeightInit.XAVIER).graphBuilder()
          .addInputs("a", "b").setInputTypes(InputType.recurrent(3), InputType.recurrent(2))
          .addLayer("la", _lstm(3, 4), "a").addLayer("lb", _lstm(2, 3, GravesLSTM), "b")
          .addVertex("m", MergeVertex(), "la", "lb").addLayer("out", _rnn_out(7), "m")
          .setOutputs("out").backpropType("TruncatedBPTT").tBPTTForwardLength(fwd).tBPTTBackwardLength(bwd))
    return gb.build()


def sequences(mb=5, t_len=12, n_in=3, n_out=2, seed=0, mask=False):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((mb, n_in, t_len)).astype(np.float32)
    y = np.ascontiguousarray(np.moveaxis(np.eye(n_out, dtype=np.float32)[rng.integers(0, n_out, (mb, t_len))], 2, 1))
    m = None
    if mask:
        m = np.ones((mb, t_len), np.float32)
        m[0, 9:] = 0
        m[3, 5:] = 0
    return [x], [y], None if m is None else [m], None if m is None else [m]


MLN_CASES = {
    "lstm": (lambda: mln(_lstm(3, 4), _rnn_out(4)), 12),
    "graves_lstm": (lambda: mln(_lstm(3, 4, GravesLSTM), _rnn_out(4), updater=RmsProp(0.02)), 8),
    "simple_rnn": (lambda: mln(SimpleRnn.Builder().nIn(3).nOut(4).activation("tanh").build(), _rnn_out(4),
                               updater=Sgd(0.1)), 12),
    "stacked_lstm": (lambda: mln(_lstm(3, 5), _lstm(5, 4), _rnn_out(4)), 12),
    "lstm_last_segment_shorter": (lambda: mln(_lstm(3, 4), _rnn_out(4)), 10),
    "lstm_fwd4_bwd2": (lambda: mln(_lstm(3, 4), _rnn_out(4), bwd=2), 12),
    "lstm_fwd4_bwd8": (lambda: mln(_lstm(3, 4), _rnn_out(4), bwd=8), 12),
}


@pytest.mark.parametrize("name", list(MLN_CASES))
def test_mln_tbptt_fit_matches_dl4j(name):
    make, t_len = MLN_CASES[name]
    ours, theirs = pair(make)
    batch = sequences(t_len=t_len)
    for _ in range(5):
        ours.fit(**ours_batch(batch, False))
        java_fit(theirs, batch, 1, False)
    check(f"tbptt/{name}", ours.params(), jparams(theirs))
    n_seg = -(-t_len // 4)
    assert ours.getIterationCount() == theirs.getIterationCount() == 5 * n_seg
    assert abs(ours.score() - float(theirs.score())) <= 1e-5 * abs(float(theirs.score()))
    assert ours.rnnGetPreviousState(0) == {}  # cleared after the fit, as DL4J's stateMap


def test_mln_tbptt_with_masks_matches_dl4j():
    make = lambda: mln(_lstm(3, 4), _rnn_out(4), updater=Adam(0.05))  # noqa: E731
    ours, theirs = pair(make)
    batch = sequences(mask=True)
    ours.fit(**ours_batch(batch, False), epochs=5)
    java_fit(theirs, batch, 5, False)
    check("tbptt/lstm_masked", ours.params(), jparams(theirs))


def test_graph_tbptt_fit_matches_dl4j():
    ours, theirs = pair(graph)
    rng = np.random.default_rng(3)
    xa, xb = rng.standard_normal((4, 3, 10)).astype(np.float32), rng.standard_normal((4, 2, 10)).astype(np.float32)
    y = np.ascontiguousarray(np.moveaxis(np.eye(2, dtype=np.float32)[rng.integers(0, 2, (4, 10))], 2, 1))
    batch = ([xa, xb], [y], None, None)  # 10 steps, tbpttFwdLength 4: segments of 4, 4, 2
    for _ in range(5):
        ours.fit(**ours_batch(batch, True))
        java_fit(theirs, batch, 1, True)
    check("tbptt/graph", ours.params(), jparams(theirs))
    assert ours.getIterationCount() == theirs.getIterationCount() == 15
    assert abs(ours.score() - float(theirs.score())) <= 1e-5 * abs(float(theirs.score()))


def test_backward_length_has_no_effect_as_in_dl4j():
    """Row 14: M2.1 never truncates the backward pass; bwd 2 and bwd 4 train identically."""
    results = []
    for bwd in (2, 4):
        net = MultiLayerNetwork(mln(_lstm(3, 4), _rnn_out(4), bwd=bwd)).init()
        net.fit(**ours_batch(sequences(), False))
        results.append(net.params().copy())
    np.testing.assert_array_equal(results[0], results[1])


def test_tbptt_segments_are_iterations_for_listeners():
    calls = []

    class L:
        def iterationDone(self, model, iteration, epoch):
            calls.append(iteration)

    net = MultiLayerNetwork(mln(_lstm(3, 4), _rnn_out(4))).init()
    net.setListeners(L())
    net.fit(**ours_batch(sequences(t_len=10), False))
    assert calls == [0, 1, 2]


def test_tbptt_refuses_data_dl4j_silently_ignores():
    """Row 15: DL4J logs a warning and trains nothing; ours raises."""
    net = MultiLayerNetwork(mln(_lstm(3, 4), _rnn_out(4))).init()
    x, y = sequences()[0][0], sequences()[1][0]
    with pytest.raises(InvalidConfigurationError, match="rank 3 features and labels"):
        net.fit(x[:, :, 0], y)
    with pytest.raises(InvalidConfigurationError, match="different lengths: 12 and 11"):
        net.fit(x, y[:, :, :11])
    assert net.getIterationCount() == 0


def test_rnn_time_step_matches_dl4j():
    """rnnTimeStep over several calls (3-D, then one 2-D step, then 3-D), the stored state, clearing."""
    from pydl4j_transfer.dl4j_backend import to_indarray, to_numpy

    make = lambda: mln(_lstm(3, 5), _lstm(5, 4, GravesLSTM), _rnn_out(4, 3), tbptt=False)  # noqa: E731
    ours, theirs = pair(make)
    rng = np.random.default_rng(5)
    chunks = [rng.standard_normal((2, 3, 4)).astype(np.float32), rng.standard_normal((2, 3)).astype(np.float32),
              rng.standard_normal((2, 3, 3)).astype(np.float32)]
    for i, x in enumerate(chunks):
        mine = ours.rnnTimeStep(x)
        theirs_out = to_numpy(theirs.rnnTimeStep(to_indarray(x)))
        assert mine.shape == theirs_out.shape
        check(f"rnnTimeStep/{i}", mine, theirs_out)
    for layer in (0, 1):
        state, jstate = ours.rnnGetPreviousState(layer), theirs.rnnGetPreviousState(layer)
        assert set(state) == {str(k) for k in jstate.keySet()} == {"prevAct", "prevMem"}
        for k in state:
            check(f"rnnState/{layer}/{k}", state[k], to_numpy(jstate.get(k)))
    # the state is what makes the difference: continuing differs from starting afresh
    assert not np.allclose(ours.rnnTimeStep(chunks[2]), ours.output(chunks[2]))
    ours.rnnClearPreviousState()
    theirs.rnnClearPreviousState()
    check("rnnTimeStep/cleared", ours.rnnTimeStep(chunks[0]), to_numpy(theirs.rnnTimeStep(to_indarray(chunks[0]))))


def test_rnn_time_step_graph_matches_dl4j():
    import jpype

    from pydl4j_transfer.dl4j_backend import to_indarray, to_numpy

    ours, theirs = pair(graph)
    rng = np.random.default_rng(6)
    arr = jpype.JArray(jpype.JClass("org.nd4j.linalg.api.ndarray.INDArray"))
    for t_len in (3, 1, 2):
        xa = rng.standard_normal((2, 3, t_len)).astype(np.float32)
        xb = rng.standard_normal((2, 2, t_len)).astype(np.float32)
        mine = ours.rnnTimeStep(xa, xb)
        jout = theirs.rnnTimeStep(arr([to_indarray(xa), to_indarray(xb)]))
        check(f"rnnTimeStep/graph/{t_len}", mine[0], to_numpy(jout[0]))
    # two rank-2 inputs: one step, rank-2 outputs (ComputationGraph#rnnTimeStep)
    xa, xb = rng.standard_normal((2, 3)).astype(np.float32), rng.standard_normal((2, 2)).astype(np.float32)
    mine = ours.rnnTimeStep(xa, xb)
    jout = to_numpy(theirs.rnnTimeStep(arr([to_indarray(xa), to_indarray(xb)]))[0])
    assert mine[0].shape == jout.shape == (2, 2)
    check("rnnTimeStep/graph/2d", mine[0], jout)
    check("rnnState/graph/lb", ours.rnnGetPreviousState("lb")["prevMem"],
          to_numpy(theirs.rnnGetPreviousState("lb").get("prevMem")))


def test_state_api_and_fit_interplay():
    net = MultiLayerNetwork(mln(_lstm(3, 4), _rnn_out(4))).init()
    x = sequences()[0][0]
    assert net.rnnGetPreviousState(0) == {}
    net.rnnTimeStep(x[:, :, :3])
    state = net.rnnGetPreviousState(0)
    assert state["prevAct"].shape == state["prevMem"].shape == (5, 4)
    with pytest.raises(InvalidConfigurationError, match="not an RNN layer"):
        net.rnnGetPreviousState(1)
    # rnnSetPreviousState then one step == continuing
    other = MultiLayerNetwork(mln(_lstm(3, 4), _rnn_out(4))).init(net.params().copy())
    other.rnnSetPreviousState(0, state)
    np.testing.assert_allclose(other.rnnTimeStep(x[:, :, 3:5]), net.rnnTimeStep(x[:, :, 3:5]), rtol=1e-6)
    with pytest.raises(InvalidConfigurationError, match="minibatch size"):
        net.rnnTimeStep(x[:2, :, :1])
    # a TBPTT fit clears the state (doTruncatedBPTT: rnnClearPreviousState before and after)
    net.fit(**ours_batch(sequences(), False))
    assert net.rnnGetPreviousState(0) == {}
    # a standard fit leaves it alone
    std = MultiLayerNetwork(mln(_lstm(3, 4), _rnn_out(4), tbptt=False)).init()
    std.rnnTimeStep(x[:, :, :2])
    before = std.rnnGetPreviousState(0)["prevAct"]
    std.fit(**ours_batch(sequences(), False))
    np.testing.assert_array_equal(std.rnnGetPreviousState(0)["prevAct"], before)


def test_unsupported_layers_are_named():
    conf = mln(Bidirectional(_lstm(3, 4)), _rnn_out(8), tbptt=True)
    net = MultiLayerNetwork(conf).init()
    with pytest.raises(InvalidConfigurationError, match="layer0.*Bidirectional"):
        net.rnnTimeStep(sequences()[0][0])
    with pytest.raises(InvalidConfigurationError, match="truncated BPTT.*Bidirectional"):
        net.fit(**ours_batch(sequences(), False))


@pytest.mark.gpu
def test_cuda_tbptt_and_constraints_match_cpu():
    from pydl4j_transfer.conf import MaxNormConstraint

    make = lambda: mln(LSTM.Builder().nIn(3).nOut(4).activation("tanh")  # noqa: E731
                       .constrainWeights(MaxNormConstraint(0.5, [1])).build(), _rnn_out(4))
    p0 = MultiLayerNetwork(make()).init().params().copy()
    cpu = MultiLayerNetwork(make()).init(p0.copy())
    gpu = MultiLayerNetwork(make()).init(p0.copy()).to("cuda")
    batch = ours_batch(sequences(t_len=10), False)
    for net in (cpu, gpu):
        net.fit(**batch, epochs=3)
    check("cuda_vs_cpu/tbptt", gpu.params(), cpu.params(), 1e-4)
    x = sequences()[0][0][:, :, :3]
    check("cuda_vs_cpu/rnnTimeStep", gpu.rnnTimeStep(x), cpu.rnnTimeStep(x), 1e-4)


def teardown_module(module):
    worst = sorted(((k, v) for k, v in MAXDIFF.items() if k.startswith(("tbptt/", "rnn"))), key=lambda kv: -kv[1])[:5]
    if worst:
        print("\nTBPTT / rnnTimeStep parity: worst relative differences:", ", ".join(f"{k}={v:.2g}" for k, v in worst))
