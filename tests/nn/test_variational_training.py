"""VariationalAutoencoder on the torch backend against real DL4J 1.0.0-M2.1 in the JVM.

* Supervised use (the VAE as a layer of a network: pzxActivationFn of the mean of p(z|x)): outputs, one
  computeGradientAndScore (gradient and score) and 5 fit steps (params, updater state, score) in float32 and double.
* Layer-wise pretraining (``pretrainLayer`` / ``pretrain``): DL4J draws the reparameterisation noise ε with Nd4j's
  native RNG, which Python cannot reproduce. The comparison is made deterministic by replaying DL4J's own stream:
  in the JVM the RNG is seeded, the ε arrays DL4J's ``computeGradientAndScore`` will draw (``Nd4j.randn(dataType,
  mb, nOut)``, ``numSamples`` per step) are drawn ahead with the same calls, the RNG is seeded again and DL4J
  pretrains; our side gets those very arrays through ``dl4j_noise``. Then 5 pretrain steps must give DL4J's
  parameters and the layer's score within 1e-5 (float32 and double), for every reconstruction distribution.
* The runtime layer's methods: ``reconstructionLogProbability`` (ε replayed the same way), ``generateAtMeanGivenZ``,
  ``reconstructionError``, ``hasLossFunction``.
"""

from __future__ import annotations

import numpy as np
import pytest

from pydl4j_transfer.conf import (Activation, Adam, BernoulliReconstructionDistribution,
                                  CompositeReconstructionDistribution, ExponentialReconstructionDistribution,
                                  FrozenLayer, FrozenLayerWithBackprop, GaussianReconstructionDistribution, LossFunctionWrapper,
                                  LossFunctions, NeuralNetConfiguration, OutputLayer, RmsProp, Sgd,
                                  VariationalAutoencoder)
from pydl4j_transfer.conf.values.losses import LossMSE
from pydl4j_transfer.errors import InvalidConfigurationError
from pydl4j_transfer.nn import ComputationGraph, MultiLayerNetwork
from pydl4j_transfer.torch_backend.layers.variational import dl4j_noise

from .test_training import check, java_fit, java_grad_score, jparams, jstate, ours_batch, pair

pytestmark = pytest.mark.dl4j

LF = LossFunctions.LossFunction
N_IN, N_OUT = 6, 3


def _dists():
    return {
        "gaussian": GaussianReconstructionDistribution(Activation.TANH),
        "bernoulli": BernoulliReconstructionDistribution(Activation.SIGMOID),
        "exponential": ExponentialReconstructionDistribution(Activation.TANH),
        "loss_mse": LossFunctionWrapper(Activation.SIGMOID, LossMSE()),
        "composite": (CompositeReconstructionDistribution.Builder()
                      .addDistribution(2, GaussianReconstructionDistribution(Activation.IDENTITY))
                      .addDistribution(3, BernoulliReconstructionDistribution())
                      .addDistribution(1, ExponentialReconstructionDistribution()).build()),
    }


def vae(dist="gaussian", samples=1, pzx=Activation.TANH, **kw):
    return (VariationalAutoencoder.Builder().nIn(N_IN).nOut(N_OUT).encoderLayerSizes(5, 4).decoderLayerSizes(4, 5)
            .reconstructionDistribution(_dists()[dist]).pzxActivationFunction(pzx).numSamples(samples)
            .activation(kw.pop("activation", Activation.TANH)).build())


def net_conf(dist="gaussian", samples=1, dtype=None, updater=None, head=True, **kw):
    b = (NeuralNetConfiguration.Builder().seed(12345).updater(updater if updater is not None else Adam(0.01))
         .l2(kw.pop("l2", 0.01)))
    if dtype is not None:
        b = b.dataType(dtype)
    lb = b.list().layer(vae(dist, samples, **kw))
    if head:
        lb = lb.layer(OutputLayer.Builder(LF.MSE).nIn(N_OUT).nOut(2).activation(Activation.IDENTITY).build())
    return lb.build()


def data(dist="gaussian", mb=5, seed=0, dtype=np.float32):
    rng = np.random.default_rng(seed)
    x = rng.random((mb, N_IN))
    if dist in ("bernoulli",):
        x = (x > 0.5).astype(np.float64)
    if dist == "composite":
        x[:, 2:5] = (x[:, 2:5] > 0.5)
    return x.astype(dtype), rng.standard_normal((mb, 2)).astype(dtype)


# ---- supervised -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", ["FLOAT", "DOUBLE"])
@pytest.mark.parametrize("dist", ["gaussian", "bernoulli", "loss_mse"])
def test_output_gradient_and_fit_match_dl4j(dist, dtype):
    npdt = np.float32 if dtype == "FLOAT" else np.float64
    make = lambda: net_conf(dist, dtype=dtype)  # noqa: E731
    ours, theirs = pair(make)
    x, y = data(dist, dtype=npdt)
    from pydl4j_transfer.dl4j_backend import to_indarray, to_numpy

    check(f"vae_output/{dist}/{dtype}", ours.output(x), to_numpy(theirs.output(to_indarray(x))))
    batch = ([x], [y], None, None)
    g, s = ours.computeGradientAndScore(**ours_batch(batch, False))
    jg, js = java_grad_score(theirs, batch, False)
    check(f"vae_gradient/{dist}/{dtype}", g, jg)
    assert abs(s - js) <= 1e-5 * abs(js)
    ours2, theirs2 = pair(make)
    before = ours2.params().copy()
    ours2.fit(**ours_batch(batch, False), epochs=5)
    java_fit(theirs2, batch, 5, False)
    check(f"vae_fit5/{dist}/{dtype}", ours2.params(), jparams(theirs2))
    check(f"vae_state5/{dist}/{dtype}", ours2.getUpdaterState(), jstate(theirs2), 1e-4)
    # the pretrain params (pZXLogStd2, decoder, pXZ) do not move in supervised training, in DL4J either
    layer = ours2.getLayer(0)
    for key in ("pZXLogStd2W", "d0W", "pXZb"):
        start = sum(v.size for k, v in layer.paramTable().items() if list(layer.paramTable()).index(k)
                    < list(layer.paramTable()).index(key))
        n = layer.paramTable()[key].size
        np.testing.assert_array_equal(ours2.params()[start:start + n], before[start:start + n])


@pytest.mark.parametrize("wrapper", [FrozenLayer, FrozenLayerWithBackprop])
def test_frozen_vae_cannot_be_built_as_in_dl4j(wrapper):
    """DL4J M2.1 cannot init a FrozenLayer / FrozenLayerWithBackprop around a VAE (the wrapper's initializer asks
    numParams(Layer), which the VAE's initializer does not override); we refuse it with a typed error."""
    from pydl4j_transfer.dl4j_backend import Dl4jModel
    from pydl4j_transfer.errors import Dl4jBackendError

    def make():
        return (NeuralNetConfiguration.Builder().seed(1).updater(Sgd(0.1)).list()
                .layer(wrapper(vae()))
                .layer(OutputLayer.Builder(LF.MSE).nIn(N_OUT).nOut(2).activation(Activation.IDENTITY).build())
                .build())
    with pytest.raises(InvalidConfigurationError, match="cannot instantiate a .* around a VariationalAutoencoder"):
        MultiLayerNetwork(make()).init()
    n = sum(s.size for s in [np.zeros(make().numParams())])
    with pytest.raises(Dl4jBackendError, match="Invalid parameters: expected length 29"):
        Dl4jModel.fromJson(make().toJson(), np.zeros(n, np.float32))


# ---- pretraining with DL4J's random stream replayed ------------------------------------------------------------


def _java_randn(count, dtype, shape, seed):
    """The next ``count`` arrays Nd4j.randn(dataType, shape) gives after seeding, then the RNG seeded again."""
    import jpype

    from pydl4j_transfer.dl4j_backend import to_numpy

    nd4j = jpype.JClass("org.nd4j.linalg.factory.Nd4j")
    dt = jpype.JClass("org.nd4j.linalg.api.buffer.DataType").valueOf(dtype)
    nd4j.getRandom().setSeed(jpype.JLong(seed))
    arrays = [to_numpy(nd4j.randn(dt, jpype.JArray(jpype.JLong)(list(shape)))).copy() for _ in range(count)]
    nd4j.getRandom().setSeed(jpype.JLong(seed))
    return arrays


def _replay(arrays):
    stream = iter(arrays)

    def source(kind, shape, dtype, device):
        a = next(stream)
        assert kind == "randn" and tuple(a.shape) == tuple(shape), (kind, a.shape, shape)
        return a
    return dl4j_noise(source)


CASES = {f"{d}": (d, 1) for d in _dists()}
CASES["gaussian_3samples"] = ("gaussian", 3)
CASES["bernoulli_2samples"] = ("bernoulli", 2)


@pytest.mark.parametrize("dtype", ["FLOAT", "DOUBLE"])
@pytest.mark.parametrize("case", list(CASES))
def test_pretrain_layer_matches_dl4j(case, dtype):
    dist, samples = CASES[case]
    npdt = np.float32 if dtype == "FLOAT" else np.float64
    make = lambda: net_conf(dist, samples, dtype=dtype, updater=RmsProp(0.02))  # noqa: E731
    ours, theirs = pair(make)
    x, _ = data(dist, dtype=npdt)
    from pydl4j_transfer.dl4j_backend import to_indarray

    steps = 5
    if samples > 1 and dtype == "DOUBLE":  # DL4J M2.1 fails (a FLOAT Nd4j.ones in its encoder backprop): so do we
        with pytest.raises(Exception, match="tanh_bp"):
            theirs.pretrainLayer(0, to_indarray(x))
        with pytest.raises(InvalidConfigurationError, match="numSamples > 1"):
            ours.pretrainLayer(0, x)
        return
    eps = _java_randn(steps * samples, dtype, (x.shape[0], N_OUT), seed=42)
    for _ in range(steps):
        theirs.pretrainLayer(0, to_indarray(x))
    with _replay(eps):
        for _ in range(steps):
            ours.pretrainLayer(0, x)
    check(f"vae_pretrain5/{case}/{dtype}", ours.params(), jparams(theirs))
    js = float(theirs.getLayer(0).score())
    assert abs(ours._pretrain_scores["0"] - js) <= 1e-5 * abs(js), (ours._pretrain_scores["0"], js)
    assert ours.getLayerWiseConfigurations().getConf(0).getIterationCount() == steps
    assert int(theirs.getLayerWiseConfigurations().getConf(0).getIterationCount()) == steps


def test_pretrain_iterator_epochs_and_graph_match_dl4j():
    """MultiLayerNetwork#pretrain(iterator, 2) (epoch count + 1 on the layer's conf) and ComputationGraph#pretrain
    (one pass whatever numEpochs says), both against DL4J with its stream replayed."""
    import jpype

    from pydl4j_transfer.data import DataSet, ListDataSetIterator
    from pydl4j_transfer.dl4j_backend import Dl4jModel, to_indarray

    x, y = data()
    batches = [(x[:3], y[:3]), (x[3:], y[3:])]
    ours, theirs = pair(lambda: net_conf("gaussian"))
    jds = jpype.JClass("org.nd4j.linalg.dataset.DataSet")
    jlist = jpype.JClass("java.util.ArrayList")()
    for a, b in batches:
        jlist.add(jds(to_indarray(a), to_indarray(b)))
    jit = jpype.JClass("org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator")(jlist, 1)
    eps = []
    import pydl4j_transfer.dl4j_backend as DB
    nd4j = jpype.JClass("org.nd4j.linalg.factory.Nd4j")
    dt = jpype.JClass("org.nd4j.linalg.api.buffer.DataType").FLOAT
    nd4j.getRandom().setSeed(jpype.JLong(7))
    for _ in range(2):
        for a, _b in batches:
            eps.append(DB.to_numpy(nd4j.randn(dt, jpype.JArray(jpype.JLong)([a.shape[0], N_OUT]))).copy())
    nd4j.getRandom().setSeed(jpype.JLong(7))
    theirs.pretrain(jit, 2)
    with _replay(eps):
        ours.pretrain(ListDataSetIterator([DataSet(a, b) for a, b in batches], 1), 2)
    check("vae_pretrain_iterator", ours.params(), jparams(theirs))
    assert ours.getLayerWiseConfigurations().getConf(0).getEpochCount() == 1
    assert int(theirs.getLayerWiseConfigurations().getConf(0).getEpochCount()) == 1

    def graph():
        return (NeuralNetConfiguration.Builder().seed(3).updater(Adam(0.01)).graphBuilder().addInputs("in")
                .addLayer("vae", vae(), "in")
                .addLayer("out", OutputLayer.Builder(LF.MSE).nIn(N_OUT).nOut(2).activation(Activation.IDENTITY).build(),
                          "vae").setOutputs("out").build())
    p0 = ComputationGraph(graph()).init().params().copy()
    og = ComputationGraph(graph()).init(p0.copy())
    jg = Dl4jModel.fromJson(graph().toJson(), p0).java
    jit.reset()
    nd4j.getRandom().setSeed(jpype.JLong(9))
    eps = [DB.to_numpy(nd4j.randn(dt, jpype.JArray(jpype.JLong)([a.shape[0], N_OUT]))).copy() for a, _ in batches]
    nd4j.getRandom().setSeed(jpype.JLong(9))
    jg.pretrain(jit, 3)
    with _replay(eps):
        og.pretrain(ListDataSetIterator([DataSet(a, b) for a, b in batches], 1), 3)
    check("vae_graph_pretrain", og.params(), jparams(jg))


# ---- the runtime layer's methods --------------------------------------------------------------------------------


@pytest.mark.parametrize("dist", ["gaussian", "bernoulli", "exponential", "composite"])
def test_reconstruction_log_probability_and_generate_match_dl4j(dist):
    from pydl4j_transfer.dl4j_backend import to_indarray, to_numpy

    ours, theirs = pair(lambda: net_conf(dist, dtype="DOUBLE"))
    x, _ = data(dist, dtype=np.float64)
    eps = _java_randn(4, "DOUBLE", (x.shape[0], N_OUT), seed=5)
    expected = to_numpy(theirs.getLayer(0).reconstructionLogProbability(to_indarray(x), 4))
    with _replay(eps):
        got = ours.getLayer(0).reconstructionLogProbability(x, 4)
    check(f"vae_reconLogProb/{dist}", got, expected)
    z = np.random.default_rng(1).standard_normal((4, N_OUT))
    check(f"vae_generateAtMean/{dist}", ours.getLayer(0).generateAtMeanGivenZ(z),
          to_numpy(theirs.getLayer(0).generateAtMeanGivenZ(to_indarray(z))))
    assert ours.getLayer(0).hasLossFunction() is bool(theirs.getLayer(0).hasLossFunction())


def test_reconstruction_error_matches_dl4j():
    from pydl4j_transfer.dl4j_backend import to_indarray, to_numpy

    ours, theirs = pair(lambda: net_conf("loss_mse", dtype="DOUBLE"))
    x, _ = data(dtype=np.float64)
    check("vae_reconstructionError", ours.getLayer(0).reconstructionError(x),
          to_numpy(theirs.getLayer(0).reconstructionError(to_indarray(x))))
    assert ours.getLayer(0).hasLossFunction() and bool(theirs.getLayer(0).hasLossFunction())
    _ = MultiLayerNetwork


def test_mln_pretrain_layer_above_the_first_gets_the_raw_features_as_in_dl4j():
    """M2.1's MultiLayerNetwork#pretrainLayer(i > 0) forwards the features through no layer (it uses the network's
    own index field): layer 1 is pretrained on the raw features. Widths that differ fail in DL4J and here; equal
    widths train on the raw features in both (compared with DL4J's stream replayed)."""
    from pydl4j_transfer.dl4j_backend import to_indarray

    def make(n_first):
        return (NeuralNetConfiguration.Builder().seed(2).updater(Sgd(0.05)).list()
                .layer(VariationalAutoencoder.Builder().nIn(N_IN).nOut(n_first).encoderLayerSizes(4)
                       .decoderLayerSizes(4).build())
                .layer(VariationalAutoencoder.Builder().nIn(n_first).nOut(N_OUT).encoderLayerSizes(5)
                       .decoderLayerSizes(5).activation(Activation.TANH).build())
                .layer(OutputLayer.Builder(LF.MSE).nIn(N_OUT).nOut(2).activation(Activation.IDENTITY).build()).build())
    x, _ = data()
    ours, theirs = pair(lambda: make(4))
    with pytest.raises(InvalidConfigurationError, match="raw features"):
        ours.pretrainLayer(1, x)
    with pytest.raises(Exception):
        theirs.pretrainLayer(1, to_indarray(x))
    ours, theirs = pair(lambda: make(N_IN))
    eps = _java_randn(2, "FLOAT", (x.shape[0], N_OUT), seed=3)
    for _ in range(2):
        theirs.pretrainLayer(1, to_indarray(x))
    with _replay(eps):
        for _ in range(2):
            ours.pretrainLayer(1, x)
    check("vae_pretrain_layer1_raw", ours.params(), jparams(theirs))
