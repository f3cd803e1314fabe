"""Training capsule networks (PrimaryCapsules, CapsuleLayer, CapsuleStrengthLayer) and TimeDistributed, against two
judges.

* DL4J's own unit tests, transcribed: ``gradientcheck/CapsnetGradientCheckTest`` (numerical gradient checks in
  double precision, eps 1e-6, max relative error 1e-3, min absolute error 1e-8; our default "exact" gradient:
  DL4J M2.1's SameDiff runtime doubles the epsilon through every SameDiff layer, so DL4J itself no longer passes
  this test, which its repository has @Disabled), ``layers/capsule/CapsNetMNISTTest`` (the same network trained on
  synthetic data instead of MNIST: it must learn), ``layers/recurrent/TestTimeDistributed`` (TimeDistributed(Dense)
  gives the same outputs and fit steps as a plain DenseLayer, both formats).
* Real DL4J 1.0.0-M2.1 in the JVM: computeGradientAndScore and 5 fit steps within 1e-5 relative (the capsule layers
  with ``samediff_gradient("dl4j")``: M2.1's doubled epsilon applies to them as to every SameDiff layer).
"""

from __future__ import annotations

import numpy as np
import pytest

from pydl4j_transfer.conf import (ActivationLayer, Adam, AdaGrad, CapsuleLayer, CapsuleStrengthLayer, ConvolutionLayer,
                                  DenseLayer, FrozenLayerWithBackprop, InputType, LossLayer, LSTM, Nesterovs,
                                  NeuralNetConfiguration, NoOp, PrimaryCapsules, RmsProp, RnnOutputLayer, Sgd,
                                  SimpleRnn, TimeDistributed, UniformDistribution, WeightInitDistribution)
from pydl4j_transfer.conf.enums import Activation, LossFunctions, RNNFormat
from pydl4j_transfer.data import DataSet
from pydl4j_transfer.nn import MultiLayerNetwork
from pydl4j_transfer.torch_backend.layers.samediff import samediff_gradient

from .test_attention_training import java_grad_score
from .test_training import java_fit, jparams, jstate, ours_batch, pair, rel

LF = LossFunctions.LossFunction
RTOL = 1e-5
#: "fit5/<case>" / "grad/<case>" -> max relative difference to DL4J (read by the report)
MAXDIFF: dict = {}


# ---- DL4J's CapsnetGradientCheckTest, transcribed ------------------------------------------------------------


def _capsnet_gc(primary_dims, channels, capsules, capsule_dims, routings):
    conf = (NeuralNetConfiguration.Builder().dataType("DOUBLE").seed(123).updater(NoOp())
            # the global weight init is not taken by SameDiff layers (they keep their builder's XAVIER), as in DL4J
            .weightInit(WeightInitDistribution(UniformDistribution(-6, 6))).list()
            .layer(PrimaryCapsules.Builder(primary_dims, channels).kernelSize(3, 3).stride(2, 2).build())
            .layer(CapsuleLayer.Builder(capsules, capsule_dims, routings).build())
            .layer(CapsuleStrengthLayer.Builder().build())
            .layer(ActivationLayer.Builder().activation(Activation.SOFTMAX).build())
            .layer(LossLayer.Builder(LF.NEGATIVELOGLIKELIHOOD).build())
            .setInputType(InputType.convolutional(6, 6, 4)).build())
    return MultiLayerNetwork(conf).init()


def _grad_check(net, x, y, rng, max_per_param=10, eps=1e-6, max_rel=1e-3, min_abs=1e-8):
    """GradientCheckUtil.checkGradients (subset mode, maxPerParam entries per parameter): central differences of the
    score against the gradient divided by the minibatch."""
    grad, _ = net.computeGradientAndScore(data=x, labels=y)
    analytic = grad / x.shape[0]
    params = net.params()
    ds = DataSet(x, y, None, None)
    failures, offset = [], 0
    for name, view in net.paramTable().items():
        n = view.size
        picks = np.unique(rng.integers(0, n, max_per_param)) if n > max_per_param else np.arange(n)
        for j in picks:
            i = offset + int(j)
            orig = params[i]
            params[i] = orig + eps
            plus = net.score(ds, True)
            params[i] = orig - eps
            minus = net.score(ds, True)
            params[i] = orig
            numeric = (plus - minus) / (2 * eps)
            diff = abs(analytic[i] - numeric)
            rel_err = 0.0 if analytic[i] == numeric == 0 else diff / (abs(analytic[i]) + abs(numeric))
            if rel_err > max_rel and diff > min_abs:
                failures.append((name, int(j), float(analytic[i]), float(numeric), float(rel_err)))
        offset += n
    return failures


@pytest.mark.parametrize("minibatch", [8, 16])
@pytest.mark.parametrize("capsule_dims", [4, 8])
@pytest.mark.parametrize("primary_dims", [2, 4])
def test_capsnet_gradients(primary_dims, capsule_dims, minibatch):
    """CapsnetGradientCheckTest#testCapsNet: 6x6x4 input (rand * 10), 8 primary channels, 5 capsules, 1 routing
    (DL4J checks up to 100 entries per parameter; 10 here keep the test quick)."""
    rng = np.random.default_rng(12345)
    net = _capsnet_gc(primary_dims, 8, 5, capsule_dims, 1)
    x = (rng.random((minibatch, 4 * 6 * 6)) * 10).reshape(-1, 4, 6, 6)
    y = np.zeros((minibatch, 5))
    y[np.arange(minibatch), np.arange(minibatch) % 5] = 1.0
    failures = _grad_check(net, x, y, rng)
    assert not failures, failures[:5]


@pytest.mark.parametrize("routings", [2, 3])
def test_capsnet_gradients_more_routings_and_bias(routings):
    """Beyond DL4J's loop (routings 1 only): the gradient through 2 and 3 routing iterations, a biased CapsuleLayer
    and a LeakyReLU PrimaryCapsules with Same padding."""
    rng = np.random.default_rng(7)
    conf = (NeuralNetConfiguration.Builder().dataType("DOUBLE").seed(5).updater(NoOp()).list()
            .layer(PrimaryCapsules.Builder(3, 2).kernelSize(3, 3).stride(2, 2).convolutionMode("Same")
                   .useLeakyReLU(0.2).build())
            .layer(CapsuleLayer.Builder(4, 3, routings).hasBias(True).build())
            .layer(CapsuleStrengthLayer.Builder().build())
            .layer(ActivationLayer.Builder().activation(Activation.SOFTMAX).build())
            .layer(LossLayer.Builder(LF.MCXENT).build())
            .setInputType(InputType.convolutional(5, 5, 2)).build())
    net = MultiLayerNetwork(conf).init()
    x = rng.random((4, 2, 5, 5)) * 2
    y = np.eye(4)[[0, 1, 2, 3]]
    assert not _grad_check(net, x, y, rng, max_per_param=30)


# ---- DL4J's CapsNetMNISTTest, on synthetic data -----------------------------------------------------------------


def test_capsnet_learns_synthetic_digits():
    """CapsNetMNISTTest#testCapsNetOnMNIST's network (conv 9x9/3 -> PrimaryCapsules(8, 8, 7x7/2) -> CapsuleLayer(10,
    16, 3) -> strength -> softmax -> NLL, Adam) on 28x28 inputs; MNIST is not available offline, so 4 classes of
    synthetic images (a bright square in one quadrant, noise elsewhere) must be learned to > 95% accuracy."""
    conf = (NeuralNetConfiguration.Builder().seed(123).updater(Adam(0.01)).list()
            .layer(ConvolutionLayer.Builder().nOut(16).kernelSize(9, 9).stride(3, 3).build())
            .layer(PrimaryCapsules.Builder(8, 8).kernelSize(7, 7).stride(2, 2).build())
            .layer(CapsuleLayer.Builder(4, 16, 3).build())
            .layer(CapsuleStrengthLayer.Builder().build())
            .layer(ActivationLayer.Builder().activation(Activation.SOFTMAX).build())
            .layer(LossLayer.Builder(LF.NEGATIVELOGLIKELIHOOD).build())
            .setInputType(InputType.convolutionalFlat(28, 28, 1)).build())
    net = MultiLayerNetwork(conf).init()
    rng = np.random.default_rng(0)

    def batch(n):
        labels = rng.integers(0, 4, n)
        x = rng.random((n, 28, 28)).astype(np.float32) * 0.3
        for i, c in enumerate(labels):
            r, col = divmod(int(c), 2)
            x[i, r * 14 + 2: r * 14 + 12, col * 14 + 2: col * 14 + 12] += 0.7
        return x.reshape(n, 784), np.eye(4, dtype=np.float32)[labels]

    for _ in range(30):
        x, y = batch(32)
        net.fit(DataSet(x, y, None, None))
    x, y = batch(200)
    from pydl4j_transfer.eval import Evaluation

    ev = Evaluation(4)
    ev.eval(y, net.output(x))
    assert ev.accuracy() > 0.95 and ev.precision() > 0.95 and ev.recall() > 0.95 and ev.f1() > 0.95, ev.stats()


# ---- DL4J's TestTimeDistributed, transcribed --------------------------------------------------------------------


def _td_pair(fmt):
    def make(distributed):
        dense = DenseLayer.Builder().nIn(3).nOut(3).activation(Activation.TANH).build()
        return (NeuralNetConfiguration.Builder().seed(12345).updater(Adam(0.1)).list()
                .layer(LSTM.Builder().nIn(3).nOut(3).dataFormat(fmt).build())
                .layer(TimeDistributed(dense, fmt) if distributed else dense)
                .layer(RnnOutputLayer.Builder().nIn(3).nOut(3).activation(Activation.SOFTMAX).dataFormat(fmt)
                       .lossFunction(LF.MCXENT).build())
                .setInputType(InputType.recurrent(3, fmt)).build())
    net1 = MultiLayerNetwork(make(False)).init()
    net2 = MultiLayerNetwork(make(True)).init(net1.params().copy())
    return net1, net2


@pytest.mark.parametrize("fmt", ["NCW", "NWC"])
def test_time_distributed_equals_dense(fmt):
    """TestTimeDistributed#testTimeDistributed: outputs and fit steps of LSTM -> TimeDistributed(Dense) -> RnnOutput
    equal those of LSTM -> Dense (an RnnToFeedForward preprocessor) -> RnnOutput; the zip round trip keeps them."""
    import io

    from pydl4j_transfer.nn import ModelSerializer

    net1, net2 = _td_pair(RNNFormat.of(fmt))
    rng = np.random.default_rng(12345)
    for mb in (1, 5):
        for order in ("C", "F"):
            x = np.asarray(rng.random((mb, 3, 5), dtype=np.float32), order=order)
            if fmt == "NWC":
                x = x.transpose(0, 2, 1)
            np.testing.assert_allclose(net1.output(x), net2.output(x), rtol=1e-6, atol=1e-7)
            idx = rng.integers(0, 3, (mb, 5))
            y = np.eye(3, dtype=np.float32)[idx].transpose(0, 2, 1) if fmt == "NCW" else np.eye(3, dtype=np.float32)[idx]
            net1.fit(DataSet(x, y, None, None))
            net2.fit(DataSet(x, y, None, None))
            np.testing.assert_allclose(net1.params(), net2.params(), rtol=1e-5, atol=1e-6)
            buf = io.BytesIO()
            ModelSerializer.writeModel(net2, buf, True)
            buf.seek(0)
            net3 = ModelSerializer.restoreMultiLayerNetwork(buf)
            np.testing.assert_array_equal(net2.output(x), net3.output(x))


def _rnn(kind):
    from pydl4j_transfer.conf import Bidirectional

    return {"lstm": lambda: LSTM.Builder().nOut(5).build(), "simple": lambda: SimpleRnn.Builder().nOut(5).build(),
            "bidirectional": lambda: Bidirectional(LSTM.Builder().nOut(5).build())}[kind]()


@pytest.mark.parametrize("fmt", ["NCW", "NWC"])
@pytest.mark.parametrize("rnn", ["lstm", "simple", "bidirectional"])
def test_time_distributed_dense_formats(rnn, fmt):
    """TestTimeDistributed#testTimeDistributedDense (the Dense and AutoEncoder cases; the VAE is issue 16e's): the
    recurrent layers take the input type's format; the output has it too."""
    from pydl4j_transfer.conf import AutoEncoder, Bidirectional

    for ff in (DenseLayer.Builder().nOut(5).build(), AutoEncoder.Builder().nOut(5).build()):
        conf = (NeuralNetConfiguration.Builder().activation(Activation.TANH).list()
                .layer(_rnn(rnn)).layer(TimeDistributed(ff)).layer(_rnn(rnn))
                .setInputType(InputType.recurrent(5, 9, fmt)).build())
        for layer in (conf.confs[0].layer, conf.confs[2].layer):
            inner = layer.fwd if isinstance(layer, Bidirectional) else layer
            assert inner.rnnDataFormat == RNNFormat.of(fmt)
        assert conf.confs[1].layer.rnnDataFormat == RNNFormat.of(fmt)
        net = MultiLayerNetwork(conf).init()
        x = np.random.default_rng(0).random((2, 5, 9) if fmt == "NCW" else (2, 9, 5), dtype=np.float32)
        out = net.output(x)
        n_out = 10 if rnn == "bidirectional" else 5
        assert out.shape == ((2, n_out, 9) if fmt == "NCW" else (2, 9, n_out))


# ---- against real DL4J: gradients and 5 fit steps ----------------------------------------------------------------


def _capsnet(updater, dtype="DOUBLE", **kw):
    b = NeuralNetConfiguration.Builder().seed(12345).updater(updater).dataType(dtype)
    for k, v in kw.items():
        b = getattr(b, k)(v)
    return (b.list()
            .layer(ConvolutionLayer.Builder().nOut(4).kernelSize(3, 3).activation(Activation.RELU).build())
            .layer(PrimaryCapsules.Builder(3, 2).kernelSize(3, 3).stride(2, 2).useReLU().build())
            .layer(CapsuleLayer.Builder(3, 4, 3).hasBias(True).build())
            .layer(CapsuleStrengthLayer.Builder().build())
            .layer(ActivationLayer.Builder().activation(Activation.SOFTMAX).build())
            .layer(LossLayer.Builder(LF.MCXENT).build())
            .setInputType(InputType.convolutional(9, 9, 2)).build())


def _td_net(updater, fmt="NCW", dtype="DOUBLE", frozen=False, **kw):
    b = NeuralNetConfiguration.Builder().seed(12345).updater(updater).dataType(dtype).activation(Activation.TANH)
    for k, v in kw.items():
        b = getattr(b, k)(v)
    inner = TimeDistributed(DenseLayer.Builder().nOut(4).build())
    return (b.list()
            .layer(SimpleRnn.Builder().nOut(5).build())
            .layer(FrozenLayerWithBackprop(inner) if frozen else inner)
            .layer(TimeDistributed(DenseLayer.Builder().nOut(3).activation(Activation.SIGMOID).build()))
            .layer(RnnOutputLayer.Builder(LF.MCXENT).nOut(3).activation(Activation.SOFTMAX).dataFormat(fmt).build())
            .setInputType(InputType.recurrent(3, fmt)).build())


FIT_CASES = {
    "caps_Sgd": lambda: _capsnet(Sgd(0.1)),
    "caps_Adam": lambda: _capsnet(Adam(0.01)),
    "caps_Nesterovs_l2": lambda: _capsnet(Nesterovs(0.05, 0.9), l2=0.01),
    "float_caps_AdaGrad": lambda: _capsnet(AdaGrad(0.05), dtype="FLOAT"),
    "td_Adam": lambda: _td_net(Adam(0.02)),
    "td_nwc_RmsProp": lambda: _td_net(RmsProp(0.01), fmt="NWC"),
    "td_frozen_Sgd": lambda: _td_net(Sgd(0.2), frozen=True),
    "float_td_Nesterovs": lambda: _td_net(Nesterovs(0.05, 0.9), dtype="FLOAT"),
}


def _batch(name, dtype, mb=4, masked=False):
    rng = np.random.default_rng(3)
    if name.startswith(("caps", "float_caps")):
        return [rng.random((mb, 2, 9, 9)).astype(dtype)], [np.eye(3, dtype=dtype)[rng.integers(0, 3, mb)]], None, None
    fmt = "NWC" if "nwc" in name else "NCW"
    x = rng.standard_normal((mb, 3, 6)).astype(dtype)
    y = np.eye(3, dtype=dtype)[rng.integers(0, 3, (mb, 6))].transpose(0, 2, 1)
    if fmt == "NWC":
        x, y = x.transpose(0, 2, 1).copy(), y.transpose(0, 2, 1).copy()
    fm = None
    if masked:
        fm = np.ones((mb, 6), dtype)
        fm[1, 4:] = 0
        fm[2, 2:] = 0
    return [x], [y], None if fm is None else [fm], None


@pytest.mark.dl4j
@pytest.mark.parametrize("name", ["caps_Adam", "float_caps_AdaGrad", "td_Adam", "td_masked"])
def test_gradient_and_score_match_dl4j(name):
    make = FIT_CASES.get(name, FIT_CASES["td_Adam"])
    ours, theirs = pair(make)
    batch = _batch(name, ours.params().dtype.type, masked=name == "td_masked")
    with samediff_gradient("dl4j"):
        g, s = ours.computeGradientAndScore(**ours_batch(batch, False))
    jg, js = java_grad_score(theirs, batch, False)
    MAXDIFF[f"grad/{name}"] = rel(g, jg)
    assert rel(g, jg) <= RTOL, f"gradient: max relative difference {rel(g, jg):.3g}"
    assert abs(s - js) <= RTOL * abs(js), (s, js)
    if name.startswith(("caps", "float_caps")):  # M2.1 doubles through the capsule layers: the true gradient differs
        exact, _ = ours.computeGradientAndScore(**ours_batch(batch, False))
        assert rel(exact, jg) > 0.1


@pytest.mark.dl4j
@pytest.mark.parametrize("name", sorted(FIT_CASES))
def test_five_fit_steps_match_dl4j(name):
    ours, theirs = pair(FIT_CASES[name])
    before = ours.params().copy()
    batch = _batch(name, ours.params().dtype.type)
    with samediff_gradient("dl4j"):
        ours.fit(**ours_batch(batch, False), epochs=5)
    java_fit(theirs, batch, 5, False)
    d = rel(ours.params(), jparams(theirs))
    MAXDIFF[f"fit5/{name}"] = d
    assert d <= RTOL, f"params after 5 fit steps: max relative difference {d:.3g}"
    assert not np.array_equal(ours.params(), before)
    js = jstate(theirs)
    if js is not None:
        assert rel(ours.getUpdaterState(), js) <= 1e-4
    assert abs(ours.score() - float(theirs.score())) <= RTOL * abs(float(theirs.score()))
    if name == "td_frozen_Sgd":
        fresh = MultiLayerNetwork(FIT_CASES[name]()).init(before.copy())
        np.testing.assert_array_equal(ours.getParam("1_W"), fresh.getParam("1_W"))  # frozen: not moved


def test_dl4j_mode_doubles_through_each_capsule_layer():
    """``samediff_gradient("dl4j")`` on the capsule net: CapsuleStrengthLayer, CapsuleLayer and PrimaryCapsules are
    SameDiff layers, each doubling what passes through it (CapsuleLayer's params 4x, PrimaryCapsules' 8x, the
    convolution below them 8x); the loss and the score are unchanged."""
    net = MultiLayerNetwork(_capsnet(Sgd(0.1))).init()
    x, y, _, _ = _batch("caps", np.float64)
    exact, s1 = net.computeGradientAndScore(data=x[0], labels=y[0])
    with samediff_gradient("dl4j"):
        doubled, s2 = net.computeGradientAndScore(data=x[0], labels=y[0])
    assert s1 == s2
    offset, factors = 0, {}
    for name, view in net.paramTable().items():
        a, b = exact[offset: offset + view.size], doubled[offset: offset + view.size]
        factors[name] = float(np.abs(b).sum() / np.abs(a).sum())
        offset += view.size
    expected = {"0": 8.0, "1": 8.0, "2": 4.0}
    for name, f in factors.items():
        assert f == pytest.approx(expected[name.split("_")[0]], rel=1e-9), (name, factors)
