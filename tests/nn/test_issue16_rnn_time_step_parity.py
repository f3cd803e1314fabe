"""Issue 16's sequence layers against real DL4J 1.0.0-M2.1: TimeDistributed trained in a ComputationGraph (gradient,
score and 5 fit steps), and rnnTimeStep through LocallyConnected1D, RepeatVector, MaskLayer and TimeDistributed
networks (MultiLayerNetwork and ComputationGraph), float32 and double.

What DL4J does with rnnTimeStep here: MaskLayer and TimeDistributed run on the given steps (one or several; a rank 2
input is one step, answered rank 2) while the recurrent layers keep their state; RepeatVector's network takes
feed-forward input (rank 2 works, rank 3 is refused by the first DenseLayer); LocallyConnected1D is built for its
inputSize, so only a full-length segment works (a shorter one makes its SameDiff graph slice past the end, a rank 2
input fails in its pad op): here those are InvalidConfigurationErrors naming the layer.
"""

from __future__ import annotations

import numpy as np
import pytest

from pydl4j_transfer.conf import (LSTM, Adam, DenseLayer, InputType, LocallyConnected1D, MaskLayer, RepeatVector,
                                  RnnOutputLayer, SimpleRnn, Sgd, TimeDistributed)
from pydl4j_transfer.conf.enums import Activation, ConvolutionMode, LossFunctions, RNNFormat
from pydl4j_transfer.errors import InvalidConfigurationError
from pydl4j_transfer.nn import ComputationGraph, MultiLayerNetwork

from ..torch_backend.parity import reset_workspaces
from . import nn_recipes as R
from .test_training import java_fit, java_grad_score, jparams, ours_batch, pair, rel

LF = LossFunctions.LossFunction
NP = {"FLOAT": np.float32, "DOUBLE": np.float64}
#: case -> worst max relative difference to DL4J
WORST: dict = {}


def _rel_check(what, ours, theirs, rtol=1e-5):
    d = rel(ours, theirs)
    WORST[what] = max(WORST.get(what, 0.0), d)
    assert np.shape(ours) == np.shape(theirs), (what, np.shape(ours), np.shape(theirs))
    assert d <= rtol, f"{what}: max relative difference {d:.3g}"


# ---- TimeDistributed in a ComputationGraph: gradient, score, 5 fit steps ------------------------------------------

def _td_graph(dtype, updater, fmt="NCW"):
    def build(gb):
        return (gb.addLayer("rnn", SimpleRnn.Builder().nOut(5).activation(Activation.TANH).dataFormat(RNNFormat.of(fmt))
                            .build(), "in")
                .addLayer("td", TimeDistributed(DenseLayer.Builder().nOut(4).activation(Activation.TANH).build()), "rnn")
                .addLayer("td2", TimeDistributed(DenseLayer.Builder().nOut(3).activation(Activation.SIGMOID).build(),
                                                 RNNFormat.of(fmt)), "td")
                .addLayer("out", RnnOutputLayer.Builder(LF.MCXENT).nOut(2).activation(Activation.SOFTMAX)
                          .dataFormat(RNNFormat.of(fmt)).build(), "td2"))
    return R.graph(build, input_types=[InputType.recurrent(3, 5, fmt)], updater=updater, dtype=dtype)


@pytest.mark.dl4j
@pytest.mark.parametrize("fmt", ["NCW", "NWC"])
@pytest.mark.parametrize("dtype", ["FLOAT", "DOUBLE"])
def test_time_distributed_graph_fit_matches_dl4j(dtype, fmt):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 3, 5)).astype(NP[dtype])
    y = np.moveaxis(np.eye(2, dtype=NP[dtype])[rng.integers(0, 2, (4, 5))], 2, 1)  # [mb, 2, T]
    m = np.ones((4, 5), NP[dtype])
    m[1, 3:] = 0.0
    if fmt == "NWC":
        x, y = x.transpose(0, 2, 1).copy(), y.transpose(0, 2, 1).copy()
    for updater in (Sgd(0.1), Adam(0.02)):
        for masks in (None, [m]):
            batch = ([x], [y], masks, masks)
            make = lambda: _td_graph(dtype, updater, fmt)  # noqa: E731
            ours, theirs = pair(make)
            assert isinstance(ours, ComputationGraph)
            g, s = ours.computeGradientAndScore(**ours_batch(batch, True))
            jg, js = java_grad_score(theirs, batch, True)
            case = f"graph_td/{fmt}/{type(updater).__name__}/{'mask' if masks else 'nomask'}/{dtype}"
            _rel_check(f"{case}/grad", g, jg)
            assert abs(s - js) <= 1e-5 * abs(js), (case, s, js)
            ours, theirs = pair(make)
            ours.fit(**ours_batch(batch, True), epochs=5)
            java_fit(theirs, batch, 5, True)
            _rel_check(f"{case}/fit5", ours.params(), jparams(theirs))


# ---- rnnTimeStep ----------------------------------------------------------------------------------------------------

def _lc1d(dtype):
    return R.rnn_net(LocallyConnected1D.Builder().nOut(4).kernelSize(3).stride(2).build(),
                     LocallyConnected1D.Builder().nOut(3).kernelSize(2).hasBias(False)
                     .convolutionMode(ConvolutionMode.Truncate).activation(Activation.RELU).build(), dtype=dtype)


def _repeat(dtype):
    return R.mln(R.dense(4, 5), RepeatVector.Builder(3).build(), LSTM.Builder().nOut(3).build(), R.rnn_out(),
                 input_type=InputType.feedForward(4), dtype=dtype)


def _mask(dtype):
    return R.rnn_net(SimpleRnn.Builder().nOut(4).build(), MaskLayer(), LSTM.Builder().nOut(3).build(), dtype=dtype)


def _td(dtype):
    return R.rnn_net(LSTM.Builder().nOut(4).build(),
                     TimeDistributed(DenseLayer.Builder().nOut(3).activation(Activation.RELU).build()),
                     TimeDistributed(DenseLayer.Builder().nOut(4).build(), RNNFormat.NWC), dtype=dtype)


def _td_cg(dtype):
    def build(gb):
        return (gb.addLayer("lstm", LSTM.Builder().nOut(4).build(), "in")
                .addLayer("mask", MaskLayer(), "lstm")
                .addLayer("td", TimeDistributed(DenseLayer.Builder().nOut(3).activation(Activation.RELU).build()), "mask")
                .addLayer("out", R.rnn_out(), "td"))
    return R.graph(build, input_types=[InputType.recurrent(3, 7)], dtype=dtype)


#: network -> (steps fed one rnnTimeStep call after another: shape, or shape plus the expected error's text)
TIME_STEP_CASES = {
    "LocallyConnected1D": (_lc1d, [(2, 3, 7), (2, 3, 7), ((2, 3, 1), "time steps"), ((2, 3), "expected input")]),
    "RepeatVector": (_repeat, [(2, 4), (2, 4), (2, 4), ((2, 4, 3), "expected input")]),
    "MaskLayer": (_mask, [(2, 3, 1), (2, 3, 1), (2, 3, 4), (2, 3)]),
    "TimeDistributed": (_td, [(2, 3, 1), (2, 3, 1), (2, 3, 4), (2, 3)]),
    "TimeDistributed_graph": (_td_cg, [(2, 3, 1), (2, 3, 1), (2, 3, 4), (2, 3)]),
}


@pytest.mark.dl4j
@pytest.mark.parametrize("dtype", ["FLOAT", "DOUBLE"])
@pytest.mark.parametrize("name", sorted(TIME_STEP_CASES))
def test_rnn_time_step_matches_dl4j(name, dtype):
    """rnnTimeStep calls one after another (the state carried), then rnnClearPreviousState and one more."""
    from pydl4j_transfer.dl4j_backend import Dl4jModel, to_indarray, to_numpy

    make, steps = TIME_STEP_CASES[name]
    conf = make(dtype)
    ours = (ComputationGraph if hasattr(conf, "vertices") else MultiLayerNetwork)(conf).init()
    theirs = Dl4jModel.fromJson(ours.toJson(), ours.params().copy()).java
    rng = np.random.default_rng(3)
    for step in steps + [None, steps[0]]:
        if step is None:
            ours.rnnClearPreviousState()
            theirs.rnnClearPreviousState()
            continue
        shape, error = (step, None) if isinstance(step[0], int) else step
        x = rng.standard_normal(shape).astype(NP[dtype])
        if error is not None:
            with pytest.raises(Exception):
                try:
                    theirs.rnnTimeStep(to_indarray(x))
                finally:
                    reset_workspaces()
            with pytest.raises(InvalidConfigurationError, match=error):
                ours.rnnTimeStep(x)
            continue
        if hasattr(conf, "vertices"):
            got, want = ours.rnnTimeStep(x)[0], to_numpy(theirs.rnnTimeStep(to_indarray(x))[0])
        else:
            got, want = ours.rnnTimeStep(x), to_numpy(theirs.rnnTimeStep(to_indarray(x)))
        _rel_check(f"rnnTimeStep/{name}/{dtype}", got, want, 1e-5 if dtype == "FLOAT" else 1e-12)


def test_worst_numbers_report():
    """Prints the worst differences measured by the tests above (run with -s)."""
    for k, v in sorted(WORST.items()):
        print(f"{k}: {v:.3g}")
