"""Parameter constraints in fit (torch backend) against real DL4J M2.1.

Same configuration and initial parameters on both sides, 5 fit iterations, params compared within 1e-5
relative (tests/nn/test_training.py's harness). DL4J applies every constraint of a non-frozen layer after
each iteration, twice per parameter (BaseConstraint#applyConstraint, docs/deviations.md row 12); the
MinMaxNormConstraint ``rate`` blend uses the norm itself (row 13). Both are reproduced and pinned here.
"""

from __future__ import annotations

import numpy as np
import pytest

from pydl4j_transfer.conf import (LSTM, Adam, ConvolutionLayer, FrozenLayer, InputType,
                                  MaxNormConstraint, MergeVertex, MinMaxNormConstraint, Nesterovs,
                                  NonNegativeConstraint, RmsProp, Sgd, SubsamplingLayer, UnitNormConstraint)
from pydl4j_transfer.errors import InvalidConfigurationError
from pydl4j_transfer.nn import MultiLayerNetwork

from . import nn_recipes as R
from .test_training import MAXDIFF, check, data, fit_both, java_fit, jparams, ours_batch, pair

pytestmark = pytest.mark.dl4j


def _dense(**constraints):
    return R.mln(R.dense(5, 6, **constraints), R.dense(6, 4, activation="sigmoid"), R.out(4, 3), updater=Adam(0.05))


def _cnn(**constraints):
    return R.mln(R._conv(ConvolutionLayer, 2, 2, nOut=3, activation="relu", **constraints),
                 R._conv(SubsamplingLayer, 2, 2, stride=(2, 2)), R.out(None, 3),
                 input_type=InputType.convolutional(6, 6, 2), updater=Nesterovs(0.05, 0.9))


def _graph():
    def build(gb):
        return (gb.addLayer("d0", R.dense(5, 4, constrainWeights=UnitNormConstraint([1])), "in0")
                .addLayer("d1", R.dense(2, 3, activation="relu", constrainBias=NonNegativeConstraint()), "in1")
                .addVertex("m", MergeVertex(), "d0", "d1")
                .addLayer("out", R.out(7, 3, constrainWeights=MaxNormConstraint(0.5, [0])), "m"))

    return R.graph(build, inputs=("in0", "in1"), updater=Adam(0.05))


def _frozen():
    """A FrozenLayer's constraints are never applied (FrozenLayer#applyConstraints is a no-op)."""
    return R.mln(FrozenLayer(R.dense(5, 6, constrainWeights=MaxNormConstraint(0.1, [1]))),
                 R.dense(6, 4, constrainAllParameters=NonNegativeConstraint()), R.out(4, 3), updater=Adam(0.05))


CASES = {
    # dense W is [nIn, nOut]: dimension 1 -> one norm per input unit (DL4J's axes, not torch's [out, in])
    "dense_maxnorm": (lambda: _dense(constrainWeights=MaxNormConstraint(0.3, [1])), "dense"),
    "dense_minmax_rate": (lambda: _dense(constrainAllParameters=MinMaxNormConstraint(0.2, 0.6, 0.7, [0])), "dense"),
    "dense_minmax": (lambda: _dense(constrainWeights=MinMaxNormConstraint(0.4, 0.6, dimensions=[0])), "dense"),
    "dense_nonneg": (lambda: _dense(constrainWeights=NonNegativeConstraint(), constrainBias=NonNegativeConstraint()),
                     "dense"),
    "dense_unitnorm": (lambda: _dense(constrainWeights=UnitNormConstraint([1])), "dense"),
    "global_maxnorm_bias": (lambda: R.mln(R.dense(5, 6), R.out(6, 3), updater=Sgd(0.5),
                                          constrainWeights=MaxNormConstraint(0.4, [1]),
                                          constrainBias=MaxNormConstraint(0.05, [0])), "dense"),
    # conv W is [nOut, nIn, kH, kW]: dimensions 1, 2, 3 -> one norm per output channel
    "cnn_maxnorm": (lambda: _cnn(constrainWeights=MaxNormConstraint(0.4, [1, 2, 3])), "cnn"),
    "cnn_minmax_unit": (lambda: _cnn(constrainWeights=[MinMaxNormConstraint(0.5, 0.8, 0.5, [1, 2, 3]),
                                                        UnitNormConstraint([0, 2, 3])]), "cnn"),
    # LSTM: W [nIn, 4H] and RW [H, 4H] are its weight keys
    "lstm_maxnorm": (lambda: R.rnn_net(LSTM.Builder().nOut(4).activation("tanh")
                                       .constrainWeights(MaxNormConstraint(0.6, [1])).build(),
                                       n_in=3, length=5, updater=RmsProp(0.05)), "lstm"),
    "graph": (_graph, "graph"),
    "frozen": (_frozen, "dense"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_fit_with_constraints_matches_dl4j(name):
    make, kind = CASES[name]
    ours, theirs, before = fit_both(make, kind)
    check(f"constraints/{name}", ours.params(), jparams(theirs))
    assert not np.allclose(ours.params(), before)
    if name == "frozen":
        fresh = MultiLayerNetwork(make()).init(before.copy())
        np.testing.assert_array_equal(ours.getParam("0_W"), fresh.getParam("0_W"))
    if name == "dense_nonneg":
        assert (ours.getParam("0_W") >= 0).all() and (ours.getParam("0_b") >= 0).all()
    if name == "dense_unitnorm":
        np.testing.assert_allclose(np.linalg.norm(ours.getParam("0_W"), axis=1), 1.0, rtol=1e-5)
    if name == "cnn_maxnorm":
        assert (np.linalg.norm(ours.getParam("0_W").reshape(3, -1), axis=1) <= 0.4 + 1e-6).all()


def test_constraints_are_applied_twice_as_dl4j_does(monkeypatch):
    """Rows 12/13: applying MinMaxNorm(rate 0.7) once per iteration would be far from DL4J; twice matches."""
    import pydl4j_transfer.torch_backend.training.constraints as C

    from .test_training import rel

    make, kind = CASES["dense_minmax_rate"]
    batch = data(kind)
    ours, theirs = pair(make)
    once = MultiLayerNetwork(make()).init(ours.params().copy())
    with monkeypatch.context() as m:
        m.setattr(C, "DL4J_APPLY_COUNT", 1)
        once.fit(**ours_batch(batch, False), epochs=5)
    ours.fit(**ours_batch(batch, False), epochs=5)
    java_fit(theirs, batch, 5, False)
    check("constraints/twice", ours.params(), jparams(theirs))
    assert rel(once.params(), jparams(theirs)) > 1e-2


def test_constraints_after_listeners_and_not_in_compute_gradient():
    """iterationDone sees the unconstrained params (DL4J: listeners, count++, then applyConstraints);
    computeGradientAndScore never applies constraints."""
    make = lambda: _dense(constrainWeights=NonNegativeConstraint())  # noqa: E731
    net = MultiLayerNetwork(make()).init()
    x, y = data("dense")[0][0], data("dense")[1][0]
    seen = []

    class L:
        def iterationDone(self, model, iteration, epoch):
            seen.append(float(model.getParam("0_W").min()))

    net.computeGradientAndScore(x, y)
    assert net.getParam("0_W").min() < 0  # untouched by computeGradientAndScore
    net.setListeners(L())
    net.fit(x, y, epochs=2)
    assert seen[0] < 0 and net.getParam("0_W").min() >= 0


def test_bad_dimensions_fail_like_dl4j():
    """A dimension beyond a parameter's rank: DL4J's norm2 throws (biases are rank 1 in M2.1); ours names the layer."""
    net = MultiLayerNetwork(_dense(constrainAllParameters=MaxNormConstraint(0.5, [1]))).init()
    with pytest.raises(InvalidConfigurationError, match=r"layer 0 \(DenseLayer\) parameter 'b'.*rank 1"):
        net.fit(data("dense")[0][0], data("dense")[1][0])


def test_constraints_survive_json_round_trip():
    conf = _cnn(constrainWeights=MaxNormConstraint(0.4, [1, 2, 3]))
    back = type(conf).fromJson(conf.toJson())
    net = MultiLayerNetwork(back).init()
    net.fit(*[a[0] for a in data("cnn")[:2]])
    assert (np.linalg.norm(net.getParam("0_W").reshape(3, -1), axis=1) <= 0.4 + 1e-6).all()


def teardown_module(module):
    worst = sorted(((k, v) for k, v in MAXDIFF.items() if k.startswith("constraints/")), key=lambda kv: -kv[1])[:5]
    if worst:
        print("\nconstraint parity: worst relative differences:", ", ".join(f"{k}={v:.2g}" for k, v in worst))


def test_both_runtimes_apply_constraints_alike():
    """Model#applyConstraints through each runtime (CheckpointListener's resume calls it on either backend):
    DL4J's own applyConstraints and the torch backend's give the same params."""
    conf = _dense(constrainWeights=MaxNormConstraint(0.5, [1]), constrainBias=NonNegativeConstraint())
    ours = MultiLayerNetwork(conf).init()
    big = (np.random.default_rng(3).standard_normal(ours.numParams()) * 3).astype(np.float32)
    ours.setParams(big)
    theirs = MultiLayerNetwork(conf, backend="dl4j").init(big.copy())
    ours.getRuntime().apply_constraints()
    theirs.getRuntime().apply_constraints()
    assert not np.allclose(ours.params(), big)
    np.testing.assert_allclose(ours.params(), theirs.params(), rtol=1e-5, atol=1e-6)
