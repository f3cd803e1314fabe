"""Training networks with attention layers on the torch backend, against two judges.

* DL4J's own unit tests (deeplearning4j-core ``gradientcheck/AttentionLayerTest``, transcribed): numerical
  gradient checks in double precision (eps 1e-6, max relative error 1e-3, min absolute error 1e-8) of every
  attention class, masks and minibatch sizes as there. These hold for our default ("exact") gradient. Real
  DL4J 1.0.0-M2.1 FAILS them: its SameDiff runtime backpropagates twice the epsilon through every SameDiff
  layer/vertex (``test_dl4j_m21_fails_its_own_gradient_check`` pins it; docs/deviations.md).
* Real DL4J 1.0.0-M2.1 in the JVM: with ``samediff_gradient("dl4j")`` (M2.1's doubled epsilon reproduced),
  computeGradientAndScore and 5 fit steps through every updater give DL4J's gradient, parameters, updater
  state and score within 1e-5 relative. LearnedSelfAttentionLayer runs in DL4J as compat.LearnedSelfAttentionTileFix.
"""

from __future__ import annotations

import numpy as np
import pytest

from pydl4j_transfer.conf import (AdaDelta, AdaGrad, AdaMax, Adam, AMSGrad, AttentionVertex, FrozenLayer,
                                  FrozenLayerWithBackprop, GlobalPoolingLayer, InputType, LearnedSelfAttentionLayer,
                                  LSTM, Nadam, Nesterovs, NeuralNetConfiguration, NoOp, OutputLayer, PoolingType,
                                  RecurrentAttentionLayer, RmsProp, SelfAttentionLayer, Sgd, SimpleRnn)
from pydl4j_transfer.conf.enums import Activation, LossFunctions, WeightInit
from pydl4j_transfer.data import DataSet, MultiDataSet
from pydl4j_transfer.nn import ComputationGraph, MultiLayerNetwork
from pydl4j_transfer.torch_backend.layers.samediff import samediff_gradient

from .test_training import _jarr, java_fit, jparams, jstate, ours_batch, rel

LF = LossFunctions.LossFunction
TILE_FIX = "org.pydl4j.transfer.compat.LearnedSelfAttentionTileFix"
LSA = "org.deeplearning4j.nn.conf.layers.LearnedSelfAttentionLayer"
RTOL = 1e-5
#: "fit5/<case>" / "grad/<case>" -> max relative difference to DL4J (read by the report)
MAXDIFF: dict = {}


def _in_mask(mb, t):
    """AttentionLayerTest's input mask: example i has its last i+1 steps masked (none when that would be all)."""
    m = np.ones((mb, t))
    for i in range(mb):
        first = t - 1 - i
        if first == 0:
            first = t
        m[i, first:] = 0.0
    return m


def _labels(mb, n, rng):
    return np.eye(n)[rng.integers(0, n, mb)]


# ---- DL4J's AttentionLayerTest, transcribed ------------------------------------------------------------------


def _grad_check(net, batch, rng, max_per_param=3, eps=1e-6, max_rel=1e-3, min_abs=1e-8):
    """GradientCheckUtil.checkGradients: central differences of the score against the gradient / minibatch
    (DL4J's updater divides by the minibatch before it checks), for up to ``max_per_param`` entries per param."""
    x, y, fm = batch
    grad, _ = net.computeGradientAndScore(data=x, labels=y, featuresMask=fm)
    mb = (x[0] if isinstance(x, list) else x).shape[0]
    analytic = grad / mb
    params = net.params()
    ds = (MultiDataSet(x, y, fm, None) if isinstance(x, list) else DataSet(x, y, fm, None))
    failures, offset = [], 0
    for name, view in net.paramTable().items():
        n = view.size
        picks = np.unique(rng.integers(0, n, max_per_param)) if n > max_per_param else np.arange(n)
        for j in picks:
            i = offset + int(j)
            orig = params[i]  # params() is the network's live vector: changed in place, no rebuild
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


def _mln_gc(middle, n_in=3, pooling=PoolingType.MAX, activation=Activation.TANH):
    conf = (NeuralNetConfiguration.Builder().dataType("DOUBLE").activation(activation).updater(NoOp())
            .weightInit(WeightInit.XAVIER).seed(12345).list()
            .layer(LSTM.Builder().nOut(8).build())
            .layer(middle)
            .layer(GlobalPoolingLayer.Builder().poolingType(pooling).build())
            .layer(OutputLayer.Builder().nOut(5).activation(Activation.SOFTMAX).lossFunction(LF.MCXENT).build())
            .setInputType(InputType.recurrent(n_in)).build())
    return MultiLayerNetwork(conf).init()


#: (minibatch, input mask) of DL4J's loops that run here (DL4J: mb 1, 2, 3 with and without a mask); with the
#: entries checked per parameter capped (GradientCheckUtil's subset mode) the suite stays quick
CONFIGS = ((1, False), (3, True))


def _check_configs(make_net, n_in=3, graph=False):
    rng = np.random.default_rng(12345)
    for mb, masked in CONFIGS:
        net = make_net()
        x = rng.random((mb, n_in, 4))
        fm = _in_mask(mb, 4) if masked else None
        y = _labels(mb, 5, rng)
        batch = ([x], [y], None if fm is None else [fm]) if graph else (x, y, fm)
        failures = _grad_check(net, batch, rng)
        assert not failures, f"mb={mb} mask={masked}: {failures[:5]}"


@pytest.mark.parametrize("project", [False, True])
def test_self_attention_layer_gradients(project):
    """AttentionLayerTest#testSelfAttentionLayer."""
    layer = lambda: (SelfAttentionLayer.Builder().nOut(8).nHeads(2).projectInput(True).build() if project  # noqa: E731
                     else SelfAttentionLayer.Builder().nHeads(1).projectInput(False).build())
    _check_configs(lambda: _mln_gc(layer()))


@pytest.mark.parametrize("project", [False, True])
def test_learned_self_attention_layer_gradients(project):
    """AttentionLayerTest#testLearnedSelfAttentionLayer (numQueries 6; M2.1's builder calls it nQueries)."""
    layer = lambda: (LearnedSelfAttentionLayer.Builder().nOut(8).nHeads(2).nQueries(6).projectInput(True).build()  # noqa: E731
                     if project else LearnedSelfAttentionLayer.Builder().nHeads(1).nQueries(6).projectInput(False).build())
    _check_configs(lambda: _mln_gc(layer()))


def test_recurrent_attention_layer_gradients():
    """AttentionLayerTest#testRecurrentAttentionLayer (nIn 9, identity activation, AVG pooling, no bias)."""
    _check_configs(lambda: _mln_gc(RecurrentAttentionLayer.Builder().nIn(8).nOut(8).nHeads(1).projectInput(False)
                                   .hasBias(False).build(), n_in=9, pooling=PoolingType.AVG,
                                   activation=Activation.IDENTITY), n_in=9)


def _vertex_gc(project, same_input):
    b = (NeuralNetConfiguration.Builder().dataType("DOUBLE").activation(Activation.TANH).updater(NoOp())
         .weightInit(WeightInit.XAVIER).seed(12345).graphBuilder().addInputs("input"))
    av = (AttentionVertex.Builder().nOut(8).nHeads(2).projectInput(True) if project
          else AttentionVertex.Builder().nOut(8).nHeads(1).projectInput(False)).nInQueries(8).nInKeys(8).nInValues(8).build()
    if same_input:
        b = b.addLayer("lstm", LSTM.Builder().nOut(8).build(), "input").addVertex("attention", av, "lstm", "lstm", "lstm")
    else:
        b = (b.addLayer("lstmKeys", LSTM.Builder().nOut(8).build(), "input")
             .addLayer("lstmQueries", LSTM.Builder().nOut(8).build(), "input")
             .addLayer("lstmValues", LSTM.Builder().nOut(8).build(), "input")
             .addVertex("attention", av, "lstmQueries", "lstmKeys", "lstmValues"))
    conf = (b.addLayer("pooling", GlobalPoolingLayer.Builder().poolingType(PoolingType.MAX).build(), "attention")
            .addLayer("output", OutputLayer.Builder().nOut(5).activation(Activation.SOFTMAX).lossFunction(LF.MCXENT)
                      .build(), "pooling")
            .setOutputs("output").setInputTypes(InputType.recurrent(3)).build())
    return ComputationGraph(conf).init()


@pytest.mark.parametrize("same_input", [False, True])
@pytest.mark.parametrize("project", [False, True])
def test_attention_vertex_gradients(project, same_input):
    """AttentionLayerTest#testAttentionVertex and #testAttentionVertexSameInput."""
    _check_configs(lambda: _vertex_gc(project, same_input), graph=True)


def test_dl4j_mode_doubles_the_epsilon_through_each_samediff_layer():
    """``samediff_gradient("dl4j")``: each SameDiff layer doubles what flows through it (params of the upper one 2x,
    of the lower one 4x, of the LSTM below both 4x); the output layer and the score are unchanged."""
    conf = (NeuralNetConfiguration.Builder().dataType("DOUBLE").seed(3).list()
            .layer(LSTM.Builder().nOut(4).build())
            .layer(SelfAttentionLayer.Builder().nOut(4).nHeads(2).projectInput(True).build())
            .layer(RecurrentAttentionLayer.Builder().nOut(4).nHeads(1).build())
            .layer(GlobalPoolingLayer.Builder().build())
            .layer(OutputLayer.Builder(LF.MSE).nOut(2).activation(Activation.IDENTITY).build())
            .setInputType(InputType.recurrent(3)).build())
    net = MultiLayerNetwork(conf).init()
    rng = np.random.default_rng(0)
    batch = dict(data=rng.random((3, 3, 5)), labels=rng.random((3, 2)))
    exact, s1 = net.computeGradientAndScore(**batch)
    with samediff_gradient("dl4j"):
        doubled, s2 = net.computeGradientAndScore(**batch)
    assert s1 == s2
    offset, factors = 0, {}
    for name, view in net.paramTable().items():
        a, b = exact[offset: offset + view.size], doubled[offset: offset + view.size]
        factors[name] = float(np.abs(b).sum() / np.abs(a).sum())
        offset += view.size
    expected = {"0": 4.0, "1": 4.0, "2": 2.0, "4": 1.0}
    for name, f in factors.items():
        assert f == pytest.approx(expected[name.split("_")[0]], rel=1e-9), (name, factors)


@pytest.mark.dl4j
def test_dl4j_m21_fails_its_own_gradient_check():
    """Pins the M2.1 bug behind the "dl4j" mode: DL4J's GradientCheckUtil on AttentionLayerTest's SelfAttention net
    (projectInput, mb 2, no mask) fails in real DL4J, while the same check passes here (tests above)."""
    import jpype

    from pydl4j_transfer.dl4j_backend import Dl4jModel, to_indarray

    net = _mln_gc(SelfAttentionLayer.Builder().nOut(8).nHeads(2).projectInput(True).build())
    model = Dl4jModel.fromJson(net.toJson(), net.params())
    rng = np.random.default_rng(1)
    gcu = jpype.JClass("org.deeplearning4j.gradientcheck.GradientCheckUtil")
    nd4j = jpype.JClass("org.nd4j.linalg.factory.Nd4j")
    dt = jpype.JClass("org.nd4j.linalg.api.buffer.DataType")
    x, y = rng.random((2, 3, 4)), _labels(2, 5, rng)
    # only the attention layer's own params (the LSTM's below it are 2x off too), 2 entries each
    cfg = (gcu.MLNConfig().net(model.java).input(to_indarray(x)).labels(to_indarray(y)).subset(True).maxPerParam(2)
           .excludeParams(jpype.java.util.HashSet(jpype.java.util.Arrays.asList(["0_W", "0_RW", "0_b"]))))
    old = nd4j.dataType(), nd4j.defaultFloatingPointType()
    nd4j.setDefaultDataTypes(dt.DOUBLE, dt.DOUBLE)  # GradientCheckUtil refuses a FLOAT default
    try:
        assert not gcu.checkGradients(cfg)
    finally:
        nd4j.setDefaultDataTypes(*old)
    assert not _grad_check(net, (x, y, None), rng)


# ---- against real DL4J: gradients and 5 fit steps --------------------------------------------------------------


def _all_layers_mln(updater, **kw):
    b = NeuralNetConfiguration.Builder().seed(12345).updater(updater).activation(Activation.TANH)
    for k, v in kw.items():
        b = getattr(b, k)(*v) if isinstance(v, tuple) else getattr(b, k)(v)
    return (b.list()
            .layer(LSTM.Builder().nOut(6).build())
            .layer(SelfAttentionLayer.Builder().nOut(6).nHeads(2).projectInput(True).build())
            .layer(RecurrentAttentionLayer.Builder().nOut(6).nHeads(3).build())
            .layer(LearnedSelfAttentionLayer.Builder().nOut(4).nHeads(2).nQueries(3).projectInput(True).build())
            .layer(GlobalPoolingLayer.Builder(PoolingType.AVG).build())
            .layer(OutputLayer.Builder(LF.MCXENT).nOut(3).activation(Activation.SOFTMAX).build())
            .setInputType(InputType.recurrent(4)).build())


def _vertex_graph(updater, **kw):
    b = NeuralNetConfiguration.Builder().seed(12345).updater(updater).activation(Activation.TANH)
    for k, v in kw.items():
        b = getattr(b, k)(*v) if isinstance(v, tuple) else getattr(b, k)(v)
    return (b.graphBuilder().addInputs("q", "kv")
            .addLayer("lq", SimpleRnn.Builder().nOut(4).build(), "q")
            .addLayer("lkv", LSTM.Builder().nOut(5).build(), "kv")
            .addVertex("att", AttentionVertex.Builder().nInQueries(4).nInKeys(5).nInValues(5).nOut(6).nHeads(2)
                       .projectInput(True).build(), "lq", "lkv", "lkv")
            .addLayer("sa", SelfAttentionLayer.Builder().nHeads(1).build(), "att")
            .addLayer("pool", GlobalPoolingLayer.Builder(PoolingType.MAX).build(), "sa")
            .addLayer("out", OutputLayer.Builder(LF.MCXENT).nOut(3).activation(Activation.SOFTMAX).build(), "pool")
            .setOutputs("out").setInputTypes(InputType.recurrent(3), InputType.recurrent(3)).build())


def _frozen_mln(updater):
    # (FrozenLayer below FrozenLayerWithBackprop: DL4J keeps a stale gradient view for a FrozenLayerWithBackprop that
    # sits BELOW a FrozenLayer, which this backend zeroes, a general difference not specific to attention)
    return (NeuralNetConfiguration.Builder().seed(12345).updater(updater).activation(Activation.TANH).l2(0.01)
            .dataType("DOUBLE").list()
            .layer(LSTM.Builder().nOut(6).build())
            .layer(FrozenLayer(RecurrentAttentionLayer.Builder().nOut(5).nHeads(1).build()))
            .layer(FrozenLayerWithBackprop(SelfAttentionLayer.Builder().nOut(6).nHeads(2).projectInput(True).build()))
            .layer(RecurrentAttentionLayer.Builder().nOut(4).nHeads(2).build())
            .layer(GlobalPoolingLayer.Builder(PoolingType.AVG).build())
            .layer(OutputLayer.Builder(LF.MCXENT).nOut(3).activation(Activation.SOFTMAX).build())
            .setInputType(InputType.recurrent(4)).build())


def pair(make):
    """(ours, DL4J's Java network) with the same configuration and initial params (LSA as the TileFix in DL4J)."""
    from pydl4j_transfer.dl4j_backend import Dl4jModel

    conf = make()
    cls = ComputationGraph if hasattr(conf, "vertices") else MultiLayerNetwork
    p0 = cls(make()).init().params().copy()
    ours = cls(make()).init(p0.copy())
    theirs = Dl4jModel.fromJson(make().toJson().replace(LSA, TILE_FIX), p0).java
    return ours, theirs


def java_grad_score(theirs, batch, graph):
    """DL4J's computeGradientAndScore on ``batch`` (features masks only)."""
    from pydl4j_transfer.dl4j_backend import to_indarray, to_numpy

    x, y, fm, _ = batch
    if graph:
        theirs.setInputs(_jarr(x))
        theirs.setLabels(_jarr(y))
        theirs.setLayerMaskArrays(None if fm is None else _jarr(fm), None)
    else:
        theirs.setInput(to_indarray(x[0]))
        theirs.setLabels(to_indarray(y[0]))
        theirs.setLayerMaskArrays(None if fm is None else to_indarray(fm[0]), None)
    theirs.computeGradientAndScore()
    return to_numpy(theirs.gradient().gradient()).reshape(-1), float(theirs.score())


def _batch(graph, masked=False, mb=4, seed=0, dtype=np.float32):
    rng = np.random.default_rng(seed)
    y = np.eye(3, dtype=dtype)[rng.integers(0, 3, mb)]
    if graph:
        xs = [rng.standard_normal((mb, 3, 4)).astype(dtype), rng.standard_normal((mb, 3, 6)).astype(dtype)]
        ms = [_in_mask(mb, 4).astype(dtype), _in_mask(mb, 6).astype(dtype)] if masked else None
        return xs, [y], ms, None
    x = rng.standard_normal((mb, 4, 5)).astype(dtype)
    return [x], [y], [_in_mask(mb, 5).astype(dtype)] if masked else None, None


def _dtype(net):
    return net.params().dtype.type


UPDATERS = {"Sgd": Sgd(0.1), "Adam": Adam(0.01), "AdaMax": AdaMax(0.01), "Nadam": Nadam(0.01), "AMSGrad": AMSGrad(0.01),
            "Nesterovs": Nesterovs(0.05, 0.9), "RmsProp": RmsProp(0.01), "AdaGrad": AdaGrad(0.05), "AdaDelta": AdaDelta(),
            "NoOp": NoOp()}


def _self_attention_mln(updater):
    return (NeuralNetConfiguration.Builder().seed(12345).updater(updater).activation(Activation.TANH).list()
            .layer(LSTM.Builder().nOut(6).build())
            .layer(SelfAttentionLayer.Builder().nOut(6).nHeads(2).projectInput(True).build())
            .layer(GlobalPoolingLayer.Builder(PoolingType.AVG).build())
            .layer(OutputLayer.Builder(LF.MCXENT).nOut(3).activation(Activation.SOFTMAX).build())
            .setInputType(InputType.recurrent(4)).build())


# Every updater, in double precision (the math agrees to ~1e-13 there). In float32 the sweep is not a fair judge of
# the math: RecurrentAttentionLayer's query/key projections and the graph's deep recurrent inputs have gradient entries
# 1e-5..1e-7 of the largest, whose float32 rounding (different summation orders, both sides correct to 1e-7 of the
# largest entry) Adam/AdaMax/Nadam/AMSGrad normalise to full-size steps, and NoOp's raw lr-1 steps make the score climb:
# 1e-4 .. 6e-2 after 5 steps (measured), while Sgd, Nesterovs, RmsProp, AdaGrad, AdaDelta stay under 1e-5 in float32.
FIT_CASES = {f"mln_{k}": (lambda u=u: _all_layers_mln(u, dataType="DOUBLE"), False, False) for k, u in UPDATERS.items()}
# the vertex's params go through the same updater blocks: four updaters with 0, 1 and 2 state arrays are enough
FIT_CASES.update({f"graph_{k}": (lambda u=UPDATERS[k]: _vertex_graph(u, dataType="DOUBLE"), True, False)
                  for k in ("Sgd", "Nesterovs", "Adam", "AdaDelta")})
FIT_CASES.update({
    # float32, as users train: well-conditioned updaters on the whole MLN / graph, and Adam on SelfAttention
    "float_mln_Nesterovs": (lambda: _all_layers_mln(Nesterovs(0.05, 0.9)), False, False),
    "float_mln_RmsProp": (lambda: _all_layers_mln(RmsProp(0.01)), False, False),
    "float_graph_AdaGrad": (lambda: _vertex_graph(AdaGrad(0.05)), True, False),
    "float_self_attention_Adam": (lambda: _self_attention_mln(Adam(0.01)), False, False),
    "float_mln_masked": (lambda: _all_layers_mln(Nesterovs(0.05, 0.9)), False, True),
    "float_graph_masked": (lambda: _vertex_graph(Nesterovs(0.05, 0.9)), True, True),
    "float_weight_decay_gradnorm": (lambda: _all_layers_mln(RmsProp(0.02), weightDecay=0.01,
                                                            gradientNormalization="ClipL2PerLayer",
                                                            gradientNormalizationThreshold=0.5), False, False),
    # regularization, bias updater, per-param-type renormalization, frozen wrappers (double: Adam, see above)
    "mln_regularization": (lambda: _all_layers_mln(Adam(0.02), l1=1e-3, l2=1e-2, l2Bias=0.05, biasUpdater=Sgd(0.2),
                                                   dataType="DOUBLE"), False, False),
    "graph_renorm_l2": (lambda: _vertex_graph(Adam(0.02), l2=0.01, gradientNormalization="RenormalizeL2PerParamType",
                                              dataType="DOUBLE"), True, False),
    "mln_masked": (lambda: _all_layers_mln(Adam(0.02), dataType="DOUBLE"), False, True),
    "mln_frozen": (lambda: _frozen_mln(Adam(0.02)), False, False),
})


@pytest.mark.dl4j
@pytest.mark.parametrize("name", ["mln_Adam", "graph_Adam", "mln_masked", "float_graph_masked", "mln_frozen",
                                  "float_self_attention_Adam"])
def test_gradient_and_score_match_dl4j(name):
    make, graph, masked = FIT_CASES[name]
    ours, theirs = pair(make)
    batch = _batch(graph, masked, dtype=_dtype(ours))
    with samediff_gradient("dl4j"):
        g, s = ours.computeGradientAndScore(**ours_batch(batch, graph))
    jg, js = java_grad_score(theirs, batch, graph)
    MAXDIFF[f"grad/{name}"] = rel(g, jg)
    assert rel(g, jg) <= RTOL, f"gradient: max relative difference {rel(g, jg):.3g}"
    assert abs(s - js) <= RTOL * abs(js), (s, js)


@pytest.mark.dl4j
@pytest.mark.parametrize("name", sorted(FIT_CASES))
def test_five_fit_steps_match_dl4j(name):
    make, graph, masked = FIT_CASES[name]
    ours, theirs = pair(make)
    before = ours.params().copy()
    batch = _batch(graph, masked, dtype=_dtype(ours))
    with samediff_gradient("dl4j"):
        ours.fit(**ours_batch(batch, graph), epochs=5)
    java_fit(theirs, batch, 5, graph)
    d = rel(ours.params(), jparams(theirs))
    MAXDIFF[f"fit5/{name}"] = d
    assert d <= RTOL, f"params after 5 fit steps: max relative difference {d:.3g}"
    js = jstate(theirs)
    if js is None:
        assert ours.updaterStateSize() == 0
    else:
        assert rel(ours.getUpdaterState(), js) <= 1e-4
    assert ours.getIterationCount() == 5
    assert abs(ours.score() - float(theirs.score())) <= RTOL * abs(float(theirs.score()))
    if name == "mln_frozen":  # FrozenLayer's params stay bit for bit; FrozenLayerWithBackprop's move under L2 (M2.1)
        for key in ("1_W", "1_RW", "1_b", "1_Wq"):
            np.testing.assert_array_equal(ours.getParam(key), MultiLayerNetwork(make()).init(before.copy()).getParam(key))


def test_exact_and_dl4j_modes_train_differently_and_default_is_exact():
    from pydl4j_transfer.torch_backend.layers.samediff import samediff_gradient_mode

    assert samediff_gradient_mode() == "exact"
    make = lambda: _all_layers_mln(Sgd(0.1))  # noqa: E731
    a, b = MultiLayerNetwork(make()).init(), None
    b = MultiLayerNetwork(make()).init(a.params().copy())
    batch = ours_batch(_batch(False), False)
    a.fit(**batch)
    with samediff_gradient("dl4j"):
        b.fit(**batch)
    assert samediff_gradient_mode() == "exact"
    t_a, t_b = a.paramTable(), b.paramTable()
    np.testing.assert_array_equal(t_a["5_W"], t_b["5_W"])  # the output layer: same gradient in both modes
    assert not np.array_equal(t_a["1_Wq"], t_b["1_Wq"])
