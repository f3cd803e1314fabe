"""DL4J's training semantics on the network objects (torch backend) against real DL4J M2.1.

Each case builds the same configuration and the same initial parameters on both sides, then
compares one computeGradientAndScore (gradient + score) or N fit iterations (params, updater
state, iteration count). Dropout is off everywhere (DL4J's random stream is not ours).
"""

from __future__ import annotations

import numpy as np
import pytest

from pydl4j_transfer.conf import (AdaDelta, AdaGrad, AdaMax, Adam, AMSGrad, BatchNormalization, ExponentialSchedule,
                                  FrozenLayer, FrozenLayerWithBackprop, InputType, LSTM, MapSchedule, MergeVertex, Nadam, Nesterovs, NoOp, RmsProp, ScheduleType, Sgd,
                                  SubsamplingLayer, ConvolutionLayer)
from pydl4j_transfer.conf.values.losses import LossBinaryXENT, LossKLD, LossMCXENT, LossMSE, LossSparseMCXENT
from pydl4j_transfer.errors import InvalidConfigurationError
from pydl4j_transfer.nn import ComputationGraph, ModelSerializer, MultiLayerNetwork

from . import nn_recipes as R

pytestmark = pytest.mark.dl4j

RTOL = 1e-5
MAXDIFF: dict = {}


def rel(ours, theirs):
    ours, theirs = np.asarray(ours, np.float64).reshape(-1), np.asarray(theirs, np.float64).reshape(-1)
    scale = max(float(np.abs(theirs).max()) if theirs.size else 0.0, 1e-30)
    return float(np.abs(ours - theirs).max() / scale) if theirs.size else 0.0


def check(what, ours, theirs, rtol=RTOL):
    d = rel(ours, theirs)
    MAXDIFF[what] = d
    assert np.asarray(ours).size == np.asarray(theirs).size, what
    assert d <= rtol, f"{what}: max relative difference {d:.3g} > {rtol}"


# ---- networks ---------------------------------------------------------------------------------


def dense_net(updater=None, **kw):
    return R.mln(R.dense(5, 6), R.dense(6, 4, activation="sigmoid"), R.out(4, 3),
                 updater=updater if updater is not None else Adam(0.01), **kw)


def cnn_net():
    return R.mln(R._conv(ConvolutionLayer, 2, 2, nOut=3, activation="relu"),
                 R._conv(SubsamplingLayer, 2, 2, stride=(2, 2)), R.out(None, 3),
                 input_type=InputType.convolutional(6, 6, 2), updater=Nesterovs(0.05, 0.9), l2=0.01)


def lstm_net():
    return R.rnn_net(LSTM.Builder().nOut(4).activation("tanh").build(), n_in=3, length=5, updater=RmsProp(0.02))


def bn_net():
    return R.mln(R.dense(5, 6), BatchNormalization(nOut=6), R.dense(6, 4, activation="sigmoid"), R.out(4, 3),
                 updater=Adam(0.02), l2=0.001)


def frozen_net():
    return R.mln(R.dense(5, 6), FrozenLayer(R.dense(6, 5)), FrozenLayerWithBackprop(R.dense(5, 4)), R.out(4, 3),
                 updater=Adam(0.02), l2=0.01)


def graph_net():
    def build(gb):
        return (gb.addLayer("d0", R.dense(5, 4), "in0").addLayer("d1", R.dense(2, 3, activation="relu"), "in1")
                .addVertex("m", MergeVertex(), "d0", "d1").addLayer("out", R.out(7, 3), "m"))

    return R.graph(build, inputs=("in0", "in1"), updater=AMSGrad(0.02), l1=0.001, weightDecay=0.01)


def data(kind, mb=7, seed=0):
    """(features list, labels list, features masks or None, labels masks or None)"""
    rng = np.random.default_rng(seed)
    onehot = lambda n, *s: np.eye(n, dtype=np.float32)[rng.integers(0, n, s)]  # noqa: E731
    if kind == "cnn":
        return [rng.standard_normal((mb, 2, 6, 6)).astype(np.float32)], [onehot(3, mb)], None, None
    if kind == "lstm":
        y = np.moveaxis(onehot(2, mb, 5), 2, 1)  # [mb, 2, T]
        m = np.ones((mb, 5), np.float32)
        m[0, 3:] = 0
        m[2, 4:] = 0
        return [rng.standard_normal((mb, 3, 5)).astype(np.float32)], [y], [m], [m]
    if kind == "graph":
        return ([rng.standard_normal((mb, 5)).astype(np.float32), rng.standard_normal((mb, 2)).astype(np.float32)],
                [onehot(3, mb)], None, None)
    if kind == "sparse":  # LossSparseMCXENT: class indices [mb, 1]
        return [rng.standard_normal((mb, 5)).astype(np.float32)], [rng.integers(0, 3, (mb, 1)).astype(np.float32)], None, None
    if kind == "regression":
        return [rng.standard_normal((mb, 5)).astype(np.float32)], [rng.random((mb, 3), dtype=np.float32)], None, None
    return [rng.standard_normal((mb, 5)).astype(np.float32)], [onehot(3, mb)], None, None


def loss_net(loss, activation="softmax"):
    """A dense layer, then an output layer with ``loss`` (the loss's own score and gradient decide the step)."""
    return R.mln(R.dense(5, 6), R.out(6, 3, loss=loss, activation=activation), updater=Adam(0.02), l2=0.001)


#: losses whose score/gradient the training step takes from training/losses.py: (net maker, data kind)
LOSS_CASES = {
    "loss_sparse_mcxent": (lambda: loss_net(LossSparseMCXENT()), "sparse"),
    "loss_mcxent_weighted": (lambda: loss_net(LossMCXENT(np.array([1.0, 2.0, 0.5], np.float32))), "dense"),
    "loss_binary_xent": (lambda: loss_net(LossBinaryXENT(), "sigmoid"), "regression"),
    "loss_mse": (lambda: loss_net(LossMSE(), "identity"), "regression"),
    "loss_kld": (lambda: loss_net(LossKLD(), "softmax"), "regression"),
}


def pair(make):
    """(ours, theirs: the Java network) with identical configuration and initial parameters."""
    from pydl4j_transfer.dl4j_backend import Dl4jModel

    conf = make()
    cls = ComputationGraph if hasattr(conf, "vertices") else MultiLayerNetwork
    p0 = cls(make()).init().params().copy()
    ours = cls(make()).init(p0.copy())
    theirs = Dl4jModel.fromJson(make().toJson(), p0).java
    return ours, theirs


def _jarr(arrays):
    import jpype

    from pydl4j_transfer.dl4j_backend import to_indarray

    return jpype.JArray(jpype.JClass("org.nd4j.linalg.api.ndarray.INDArray"))(
        [None if a is None else to_indarray(np.ascontiguousarray(a)) for a in arrays])


def java_dataset(x, y, fm, lm, graph):
    import jpype

    from pydl4j_transfer.dl4j_backend import to_indarray

    if graph:
        return jpype.JClass("org.nd4j.linalg.dataset.MultiDataSet")(
            _jarr(x), _jarr(y), None if fm is None else _jarr(fm), None if lm is None else _jarr(lm))
    nd = lambda a: None if a is None else to_indarray(np.ascontiguousarray(a))  # noqa: E731
    return jpype.JClass("org.nd4j.linalg.dataset.DataSet")(nd(x[0]), nd(y[0]), nd(fm and fm[0]), nd(lm and lm[0]))


def java_fit(theirs, batch, steps, graph):
    ds = java_dataset(*batch, graph)
    for _ in range(steps):
        theirs.fit(ds)


def java_grad_score(theirs, batch, graph):
    from pydl4j_transfer.dl4j_backend import to_numpy

    x, y, fm, lm = batch
    if graph:
        theirs.setInputs(_jarr(x))
        theirs.setLabels(_jarr(y))
        theirs.setLayerMaskArrays(None if fm is None else _jarr(fm), None if lm is None else _jarr(lm))
    else:
        from pydl4j_transfer.dl4j_backend import to_indarray

        theirs.setInput(to_indarray(x[0]))
        theirs.setLabels(to_indarray(y[0]))
        if fm is not None or lm is not None:
            theirs.setLayerMaskArrays(to_indarray(fm[0]), to_indarray(lm[0]))
    theirs.computeGradientAndScore()
    return to_numpy(theirs.gradient().gradient()).reshape(-1), float(theirs.score())


def jparams(theirs):
    from pydl4j_transfer.dl4j_backend import to_numpy

    return to_numpy(theirs.params()).reshape(-1)


def jstate(theirs):
    from pydl4j_transfer.dl4j_backend import to_numpy

    s = theirs.getUpdater().getStateViewArray()
    return None if s is None else to_numpy(s).reshape(-1)


def ours_batch(batch, graph):
    x, y, fm, lm = batch
    if graph:
        return dict(data=x, labels=y, featuresMask=fm, labelsMask=lm)
    return dict(data=x[0], labels=y[0], featuresMask=fm and fm[0], labelsMask=lm and lm[0])


def fit_both(make, kind, steps=5):
    """The same network in both engines, ``steps`` fit calls on the same batch in each: (ours, theirs, params before)."""
    ours, theirs = pair(make)
    graph = isinstance(ours, ComputationGraph)
    batch = data(kind)
    before = ours.params().copy()
    ours.fit(**ours_batch(batch, graph), epochs=steps)
    java_fit(theirs, batch, steps, graph)
    return ours, theirs, before


NETS = {"dense": (lambda: dense_net(l2=0.01, l1=0.001), "dense"), "cnn": (cnn_net, "cnn"),
        "lstm_masked": (lstm_net, "lstm"), "graph_merge": (graph_net, "graph"), "batchnorm": (bn_net, "dense"),
        "frozen": (frozen_net, "dense"), **LOSS_CASES}


@pytest.mark.parametrize("name", list(NETS))
def test_gradient_and_score(name):
    make, kind = NETS[name]
    ours, theirs = pair(make)
    graph = isinstance(ours, ComputationGraph)
    batch = data(kind)
    g, s = ours.computeGradientAndScore(**ours_batch(batch, graph))
    jg, js = java_grad_score(theirs, batch, graph)
    check(f"gradient/{name}", g, jg)
    assert abs(s - js) <= RTOL * abs(js), (s, js)
    MAXDIFF[f"score/{name}"] = abs(s - js) / abs(js)


UPDATERS = {"Sgd": Sgd(0.1), "Adam": Adam(0.01), "AdaMax": AdaMax(0.01), "Nadam": Nadam(0.01),
            "AMSGrad": AMSGrad(0.01), "Nesterovs": Nesterovs(0.05, 0.9), "RmsProp": RmsProp(0.01),
            "AdaGrad": AdaGrad(0.05), "AdaDelta": AdaDelta(), "NoOp": NoOp()}

FIT_CASES = {f"updater_{k}": (lambda u=u: dense_net(u, l2=0.01, l1=0.002), "dense") for k, u in UPDATERS.items()}
FIT_CASES.update({
    "weight_decay": (lambda: dense_net(Adam(0.01), weightDecay=0.05), "dense"),
    "l2_bias": (lambda: dense_net(Sgd(0.1), l2=0.02, l2Bias=0.03, l1Bias=0.01), "dense"),
    "cnn_bias_reg": (lambda: R.mln(R._conv(ConvolutionLayer, 2, 2, nOut=3), R.out(None, 3), updater=Adam(0.02), l2=0.02,
                                   l2Bias=0.05, input_type=InputType.convolutional(6, 6, 2)), "cnn"),
    "lr_schedule": (lambda: dense_net(Adam(MapSchedule(ScheduleType.ITERATION, {0: 0.05, 2: 0.01, 4: 0.002}))), "dense"),
    "lr_schedule_exp": (lambda: dense_net(Sgd(ExponentialSchedule(ScheduleType.ITERATION, 0.2, 0.8))), "dense"),
    "gradnorm_l2_layer": (lambda: dense_net(Sgd(0.5), gradientNormalization="ClipL2PerLayer",
                                            gradientNormalizationThreshold=0.1), "dense"),
    "gradnorm_renorm": (lambda: dense_net(Adam(0.05), gradientNormalization="RenormalizeL2PerParamType"), "dense"),
    "frozen": (frozen_net, "dense"), "batchnorm": (bn_net, "dense"), "cnn": (cnn_net, "cnn"),
    "lstm_masked": (lstm_net, "lstm"), "graph_merge": (graph_net, "graph"), **LOSS_CASES,
})


@pytest.mark.parametrize("name", list(FIT_CASES))
def test_fit_matches_dl4j(name):
    make, kind = FIT_CASES[name]
    ours, theirs, before = fit_both(make, kind)
    check(f"fit5/{name}", ours.params(), jparams(theirs))
    js = jstate(theirs)
    if js is None:
        assert ours.updaterStateSize() == 0
    else:
        check(f"state5/{name}", ours.getUpdaterState(), js, 1e-4)
    assert ours.getIterationCount() == 5
    assert abs(ours.score() - float(theirs.score())) <= 1e-5 * abs(float(theirs.score()))
    if name == "frozen":  # FrozenLayer params bit-identical; FrozenLayerWithBackprop's W moves under L2 in DL4J M2.1
        for key in ("1_W", "1_b", "2_b"):
            np.testing.assert_array_equal(ours.getParam(key), MultiLayerNetwork(make()).init(before.copy()).getParam(key))
    if name == "batchnorm":  # running mean/var changed, as DL4J's
        fresh = MultiLayerNetwork(make()).init(before.copy())
        assert not np.array_equal(ours.getParam("1_mean"), fresh.getParam("1_mean"))


def _make_iter(batches):
    class It:
        def __init__(self):
            self.i = 0

        def hasNext(self):
            return self.i < len(batches)

        def next(self):
            self.i += 1
            return DS(*batches[self.i - 1])

        def reset(self):
            self.i = 0

    class DS:
        def __init__(self, x, y):
            self.x, self.y = x, y

        def getFeatures(self):
            return self.x

        def getLabels(self):
            return self.y

    return It()


def test_fit_iterator_epochs_and_counts():
    """fit(iterator, epochs=2): 2 x 3 iterations, epochCount 2 (DL4J's fit(DataSetIterator, int))."""
    ours, theirs = pair(lambda: dense_net(Adam(ExponentialSchedule(ScheduleType.EPOCH, 0.05, 0.5))))
    batches = [tuple(a[0] for a in data("dense", mb=4 + i, seed=i)[:2]) for i in range(3)]
    ours.fit(_make_iter(batches), epochs=2)
    for _ in range(2):
        for x, y in batches:
            java_fit(theirs, ([x], [y], None, None), 1, False)
        theirs.incrementEpochCount()
    assert (ours.getIterationCount(), ours.getEpochCount()) == (6, 2)
    assert ours.getLayerWiseConfigurations().confs[0].epochCount == 2
    check("fit_iterator", ours.params(), jparams(theirs))
    # a plain Python iterable of (x, y) pairs works too
    ours.fit(batches)
    assert ours.getEpochCount() == 3


@pytest.mark.parametrize("direction", ["python_then_dl4j", "dl4j_then_python"])
@pytest.mark.parametrize("updater", ["RmsProp", "Adam"])
def test_updater_state_continuity(tmp_path, direction, updater):
    """3 steps on one side, save, restore on the other, 2 more == DL4J 5 steps (params and updater state)."""
    from pydl4j_transfer.dl4j_backend import Dl4jModel

    make = lambda: dense_net(UPDATERS[updater], l2=0.01)  # noqa: E731
    ours, theirs = pair(make)
    p0 = ours.params().copy()
    batch = data("dense")
    java_fit(theirs, batch, 5, False)
    path = tmp_path / "m.zip"
    if direction == "python_then_dl4j":
        ours.fit(**ours_batch(batch, False), epochs=3)
        ours.save(path)
        other = Dl4jModel.restore(path).java
        assert other.getLayerWiseConfigurations().getIterationCount() == 3
        java_fit(other, batch, 2, False)
        final_p, final_s = jparams(other), jstate(other)
    else:
        first = Dl4jModel.fromJson(make().toJson(), p0)
        java_fit(first.java, batch, 3, False)
        first.save(path)
        other = ModelSerializer.restoreMultiLayerNetwork(path)
        assert other.getIterationCount() == 3
        other.fit(**ours_batch(batch, False), epochs=2)
        final_p, final_s = other.params(), other.getUpdaterState()
    check(f"continuity/{direction}/{updater}/params", final_p, jparams(theirs))
    check(f"continuity/{direction}/{updater}/state", final_s, jstate(theirs), 1e-4)


def test_fresh_updater_state_and_save(tmp_path):
    """RmsProp's state starts at epsilon; saved with the model after fit; iterationCount in the zip."""
    net = MultiLayerNetwork(dense_net(RmsProp(0.01, 0.95, 1e-6))).init()
    assert net.getUpdaterState() is None
    x, y = data("dense")[0][0], data("dense")[1][0]
    net.fit(x, y)
    st = net.getUpdaterState()
    assert st.size == net.updaterStateSize() and np.all(st > 0)
    net.save(tmp_path / "a.zip")
    back = ModelSerializer.restoreMultiLayerNetwork(tmp_path / "a.zip")
    np.testing.assert_array_equal(back.getUpdaterState(), st)
    np.testing.assert_array_equal(back.params(), net.params())
    assert back.getIterationCount() == 1


def test_sparse_mcxent_label_outside_the_classes_counts_as_a_zero_row_as_in_dl4j():
    ours, theirs = pair(LOSS_CASES["loss_sparse_mcxent"][0])
    x, y, fm, lm = data("sparse")
    y[0][0, 0], y[0][1, 0] = 5.0, -1.0  # nOut = 3: libnd4j's onehot gives these rows no class, without an error
    g, s = ours.computeGradientAndScore(**ours_batch((x, y, fm, lm), False))
    jg, js = java_grad_score(theirs, (x, y, fm, lm), False)
    check("gradient/sparse_outside", g, jg)
    assert abs(s - js) <= RTOL * abs(js), (s, js)


def test_feed_forward_and_torch_module():
    import torch

    net = MultiLayerNetwork(dense_net()).init()
    x = data("dense")[0][0]
    acts = net.feedForward(x)
    assert len(acts) == 4 and acts[0].shape == (7, 5) and acts[-1].shape == (7, 3)
    np.testing.assert_allclose(acts[-1], net.output(x), rtol=1e-6)
    assert len(net.feedForwardToLayer(1, x)) == 3
    m = net.torchModule()
    assert isinstance(m, torch.nn.Module)
    assert list(m.state_dict())[:2] == ["layer0.W", "layer0.b"] or all("." in k for k in m.state_dict())
    net.fit(x, data("dense")[1][0])
    flat = torch.cat([p.detach().reshape(-1) for p in (m.get_parameter(n) for n in m.dl4j_param_names)])
    np.testing.assert_array_equal(flat.numpy(), net.params())  # the module sees the trained params
    g = ComputationGraph(graph_net()).init()
    ff = g.feedForward(data("graph")[0])
    assert set(ff) >= {"in0", "in1", "d0", "d1", "m", "out"}


def test_errors_name_layer_and_expected_input():
    net = MultiLayerNetwork(dense_net()).init()
    x, y = data("dense")[0][0], data("dense")[1][0]
    with pytest.raises(InvalidConfigurationError, match=r"layer0.*\[minibatch, 5\]"):
        net.fit(x[:, :4], y)
    with pytest.raises(InvalidConfigurationError, match=r"output layer 'layer2'.*\[7, 3\]"):
        net.fit(x, y[:, :2])
    g = ComputationGraph(graph_net()).init()
    gx, gy = data("graph")[0], data("graph")[1]
    with pytest.raises(InvalidConfigurationError, match=r"2 inputs \['in0', 'in1'\]"):
        g.fit([gx[0]], gy)
    with pytest.raises(InvalidConfigurationError, match=r"'d1'.*\[minibatch, 2\]"):
        g.fit([gx[0], gx[0]], gy)


@pytest.mark.gpu
def test_cuda_fit_matches_cpu():
    make = lambda: dense_net(Adam(0.01), l2=0.01)  # noqa: E731
    p0 = MultiLayerNetwork(make()).init().params().copy()
    cpu = MultiLayerNetwork(make()).init(p0.copy())
    gpu = MultiLayerNetwork(make()).init(p0.copy()).to("cuda")
    batch = data("dense")
    cpu.fit(**ours_batch(batch, False), epochs=5)
    gpu.fit(**ours_batch(batch, False), epochs=5)
    check("cuda_vs_cpu", gpu.params(), cpu.params(), 1e-4)
    check("cuda_vs_cpu_state", gpu.getUpdaterState(), cpu.getUpdaterState(), 1e-4)


def teardown_module(module):
    if MAXDIFF:
        worst = sorted(MAXDIFF.items(), key=lambda kv: -kv[1])[:5]
        print("\ntraining parity: worst relative differences:", ", ".join(f"{k}={v:.2g}" for k, v in worst))
