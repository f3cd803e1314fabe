"""Every output-layer type trains as in DL4J (issue 15, defect 1), judged by real DL4J M2.1 in the JVM.

OutputLayer, LossLayer, RnnOutputLayer, RnnLossLayer, CnnLossLayer, Cnn3DLossLayer, CenterLossOutputLayer and
Yolo2OutputLayer: 5 fit steps on the same configuration, initial parameters and batch give DL4J's params, score and
updater state (1e-5 relative); one computeGradientAndScore gives DL4J's gradient and score. Each again inside a
FrozenLayerWithBackprop (DL4J's getOutputLayer unwraps it: its loss trains the layers below, its own parameters stay,
except where DL4J's L2 moves them). Inside a FrozenLayer DL4J cannot fit at all (an OutputLayer: its FrozenLayer
constructor refuses it at init; the others: "final layer is not an IOutputLayer" / a graph's backprop error): ours
refuses the same networks with an InvalidConfigurationError.
"""

from __future__ import annotations

import numpy as np
import pytest

from pydl4j_transfer.conf import (Activation, Adam, CenterLossOutputLayer, Cnn3DLossLayer, CnnLossLayer, Convolution3D,
                                  ConvolutionLayer, ConvolutionMode, DenseLayer, FrozenLayer, FrozenLayerWithBackprop,
                                  InputType, LossLayer, LSTM, OutputLayer, RnnLossLayer, RnnOutputLayer, Sgd,
                                  Yolo2OutputLayer)
from pydl4j_transfer.conf.enums import LossFunctions
from pydl4j_transfer.errors import InvalidConfigurationError
from pydl4j_transfer.nn import ComputationGraph, MultiLayerNetwork

from . import nn_recipes as R
from .test_training import check, java_dataset, java_grad_score, jparams, jstate, ours_batch, pair

pytestmark = pytest.mark.dl4j

LF = LossFunctions.LossFunction
MCXENT = LF.MCXENT
MB = 6


def _onehot(rng, n, shape, axis):
    """One-hot labels with the class on ``axis``."""
    idx = rng.integers(0, n, shape)
    return np.moveaxis(np.eye(n, dtype=np.float32)[idx], -1, axis)


def _yolo_labels(rng, mb, c, h, w):
    """[mb, 4+C, H, W]: boxes (x1, y1, x2, y2 in grid units) with their class in a few cells, zeros elsewhere."""
    lab = np.zeros((mb, 4 + c, h, w), np.float32)
    for i in range(mb):
        for _ in range(2):
            cx, cy = rng.uniform(0.3, w - 0.3), rng.uniform(0.3, h - 0.3)
            bw, bh = rng.uniform(0.4, 1.8), rng.uniform(0.4, 1.8)
            gx, gy = int(cx), int(cy)
            lab[i, 0:4, gy, gx] = [cx - bw / 2, cy - bh / 2, cx + bw / 2, cy + bh / 2]
            lab[i, 4:, gy, gx] = 0.0
            lab[i, 4 + rng.integers(0, c), gy, gx] = 1.0
    return lab


PRIORS = np.array([[1.0, 1.5], [2.0, 1.0]], np.float32)  # B = 2 bounding-box priors (w, h) in grid units


def _head(kind):
    """(the output layer, (the layers before it), input type, labels maker) of one output-layer type."""
    if kind == "OutputLayer":
        return (OutputLayer.Builder(MCXENT).nIn(6).nOut(3).activation(Activation.SOFTMAX).build(),
                [R.dense(5, 6)], InputType.feedForward(5), lambda rng: _onehot(rng, 3, (MB,), 1))
    if kind == "LossLayer":
        return (LossLayer.Builder(MCXENT).activation(Activation.SOFTMAX).build(), [R.dense(5, 3)],
                InputType.feedForward(5), lambda rng: _onehot(rng, 3, (MB,), 1))
    if kind == "CenterLossOutputLayer":
        return (CenterLossOutputLayer.Builder(MCXENT).nIn(6).nOut(3).activation(Activation.SOFTMAX).alpha(0.3)
                .lambda_(0.4).build(), [R.dense(5, 6)], InputType.feedForward(5), lambda rng: _onehot(rng, 3, (MB,), 1))
    if kind == "RnnOutputLayer":
        return (RnnOutputLayer.Builder(MCXENT).nIn(4).nOut(3).activation(Activation.SOFTMAX).build(),
                [LSTM.Builder().nIn(3).nOut(4).activation(Activation.TANH).build()], InputType.recurrent(3, 5),
                lambda rng: _onehot(rng, 3, (MB, 5), 1))
    if kind == "RnnLossLayer":
        return (RnnLossLayer.Builder(MCXENT).activation(Activation.SOFTMAX).build(),
                [LSTM.Builder().nIn(3).nOut(3).activation(Activation.TANH).build()], InputType.recurrent(3, 5),
                lambda rng: _onehot(rng, 3, (MB, 5), 1))
    if kind == "CnnLossLayer":
        return (CnnLossLayer.Builder(MCXENT).activation(Activation.SOFTMAX).build(),
                [ConvolutionLayer.Builder(2, 2).nOut(3).convolutionMode(ConvolutionMode.Same)
                 .activation(Activation.TANH).build()], InputType.convolutional(4, 4, 2),
                lambda rng: _onehot(rng, 3, (MB, 4, 4), 1))
    if kind == "Cnn3DLossLayer":
        return (Cnn3DLossLayer.Builder(MCXENT).activation(Activation.SOFTMAX).build(),
                [Convolution3D.Builder().kernelSize(2, 2, 2).nOut(3).convolutionMode(ConvolutionMode.Same)
                 .activation(Activation.TANH).build()], InputType.convolutional3D("NCDHW", 3, 3, 3, 2),
                lambda rng: _onehot(rng, 3, (MB, 3, 3, 3), 1))
    if kind == "Yolo2OutputLayer":
        return (Yolo2OutputLayer.Builder().boundingBoxPriors(PRIORS).build(),
                [ConvolutionLayer.Builder(3, 3).nOut(2 * (5 + 3)).convolutionMode(ConvolutionMode.Same)
                 .activation(Activation.IDENTITY).build()], InputType.convolutional(4, 4, 3),
                lambda rng: _yolo_labels(rng, MB, 3, 4, 4))
    raise KeyError(kind)


KINDS = ["OutputLayer", "LossLayer", "CenterLossOutputLayer", "RnnOutputLayer", "RnnLossLayer", "CnnLossLayer",
         "Cnn3DLossLayer", "Yolo2OutputLayer"]


def _features(itype, rng):
    return rng.standard_normal((MB, *[int(d) for d in itype.getShape()])).astype(np.float32)


def _case(kind, wrap=None, graph=False, l2=0.0):
    """(configuration maker, batch) for an output-layer type, optionally wrapped (FrozenLayer[WithBackprop])."""
    head, before, itype, labels = _head(kind)
    if wrap is not None:
        head = wrap(head)

    def make():
        if graph:
            def build(gb):
                prev = "in"
                for i, layer in enumerate(before):
                    gb = gb.addLayer(f"l{i}", layer.clone(), prev)
                    prev = f"l{i}"
                return gb.addLayer("out", head.clone(), prev)
            return R.graph(build, input_types=(itype,), updater=Adam(0.05), l2=l2)
        return R.mln(*[layer.clone() for layer in before], head.clone(), input_type=itype, updater=Adam(0.05), l2=l2)

    rng = np.random.default_rng(7)
    x = _features(itype, rng)
    return make, ([x], [labels(rng)], None, None)


CASES = [(k, None) for k in KINDS] + [(k, "FrozenLayerWithBackprop") for k in KINDS]


@pytest.mark.parametrize("graph", [False, True], ids=["mln", "graph"])
@pytest.mark.parametrize("kind,wrap", CASES, ids=[f"{k}{'-' + w if w else ''}" for k, w in CASES])
def test_output_layer_fits_as_in_dl4j(kind, wrap, graph):
    wrapper = FrozenLayerWithBackprop if wrap else None
    make, batch = _case(kind, wrapper, graph, l2=0.01 if wrap else 0.0)
    if wrap and kind == "CenterLossOutputLayer":
        _assert_both_refuse_at_init(make, graph, "CenterLossOutputLayer")
        return
    ours, theirs = pair(make)
    g, s = ours.computeGradientAndScore(**ours_batch(batch, graph))  # changes no parameter, on either side
    jg, js = java_grad_score(theirs, batch, graph)
    check(f"output-gradient/{kind}/{wrap}/{graph}", g, jg)
    assert abs(s - js) <= 1e-5 * abs(js), (s, js)
    ours.fit(**ours_batch(batch, graph), epochs=5)
    ds = java_dataset(*batch, graph)
    for _ in range(5):
        theirs.fit(ds)
    check(f"output-fit5/{kind}/{wrap}/{graph}", ours.params(), jparams(theirs))
    assert abs(ours.score() - float(theirs.score())) <= 1e-5 * abs(float(theirs.score()))
    js = jstate(theirs)
    if js is not None:
        check(f"output-state5/{kind}/{wrap}/{graph}", ours.getUpdaterState(), js, 1e-4)


@pytest.mark.parametrize("graph", [False, True], ids=["mln", "graph"])
@pytest.mark.parametrize("kind", KINDS)
def test_output_layer_inside_frozen_layer_is_refused_as_dl4j_refuses_it(kind, graph):
    """DL4J: FrozenLayer(OutputLayer) fails at init (IllegalArgumentException); FrozenLayer(another output layer) fails
    at fit (MLN: DL4JException "final layer is not an IOutputLayer"; graph: IllegalStateException)."""
    import jpype

    from pydl4j_transfer.dl4j_backend import Dl4jModel

    make, batch = _case(kind, FrozenLayer, graph)
    cls = ComputationGraph if graph else MultiLayerNetwork
    if kind in ("OutputLayer", "CenterLossOutputLayer"):
        _assert_both_refuse_at_init(make, graph, "Output Layers are not allowed to be frozen" if kind == "OutputLayer"
                                    else "CenterLossOutputLayer")
        return
    net = cls(make()).init()
    theirs = Dl4jModel.fromJson(make().toJson(), net.params().copy()).java
    with pytest.raises(jpype.JException):
        theirs.fit(java_dataset(*batch, graph))
    with pytest.raises(InvalidConfigurationError, match="IOutputLayer"):
        net.fit(**ours_batch(batch, graph))


def _assert_both_refuse_at_init(make, graph, ours_message):
    """DL4J's init fails (FrozenLayer(OutputLayer): its FrozenLayer constructor; a frozen wrapper around a
    CenterLossOutputLayer: its param initializer counts W and b only, and the centres' view is out of range)."""
    from pydl4j_transfer.dl4j_backend import Dl4jModel
    from pydl4j_transfer.errors import Dl4jBackendError

    with pytest.raises(Dl4jBackendError, match="Output Layers are not allowed to be frozen|Indices are out of range"):
        Dl4jModel.fromJson(make().toJson(), None)
    with pytest.raises(InvalidConfigurationError, match=ours_message):
        (ComputationGraph if graph else MultiLayerNetwork)(make()).init()


def test_tiny_yolo_zoo_model_trains():
    """The issue's example: TinyYOLO.builder()...build().init() could not fit (no 'act' on Yolo2OutputModule)."""
    from pydl4j_transfer.zoo import TinyYOLO

    net = TinyYOLO.builder().numClasses(2).inputShape([3, 64, 64]).build().init()
    rng = np.random.default_rng(0)
    x = rng.random((1, 3, 64, 64), dtype=np.float32)
    grid = net.outputSingle(x).shape[2]
    y = _yolo_labels(rng, 1, 2, grid, grid)
    before = net.params().copy()
    net.fit(x, y)
    assert np.isfinite(net.score()) and not np.array_equal(before, net.params())


def test_dense_layer_as_network_output_is_refused():
    conf = R.mln(R.dense(5, 6), DenseLayer(nIn=6, nOut=3))
    net = MultiLayerNetwork(conf).init()
    with pytest.raises(InvalidConfigurationError, match="not an IOutputLayer"):
        net.fit(np.zeros((2, 5), np.float32), np.zeros((2, 3), np.float32))


def test_sgd_frozen_output_layer_params_unchanged_bit_for_bit():
    """FrozenLayerWithBackprop(OutputLayer) without regularization: the output layer's params never change."""
    make, batch = _case("OutputLayer", FrozenLayerWithBackprop)
    conf = make()
    conf.confs[-1].layer.underlying.iUpdater = Sgd(0.5)
    net = MultiLayerNetwork(conf).init()
    before = net.getLayer(1).params().copy()
    net.fit(**ours_batch(batch, False), epochs=3)
    np.testing.assert_array_equal(net.getLayer(1).params(), before)
    assert not np.array_equal(net.getLayer(0).params(), MultiLayerNetwork(make()).init().getLayer(0).params())
