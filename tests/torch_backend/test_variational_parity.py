"""VariationalAutoencoder's math against real DL4J and against finite differences.

* The reconstruction distributions (DL4J's TestReconstructionDistributions, transcribed and extended): for each
  distribution, ``negLogProbability`` (averaged and not), ``exampleNegLogProbability``, ``gradient`` and
  ``generateAtMean`` on the same random data / distribution parameters as real DL4J's objects, in double precision;
  and DL4J's gradient-check of ``gradient`` against central differences of ``negLogProbability``.
* VaeGradientCheckTests (transcribed, double precision, our autograd vs central differences): the VAE as a layer of
  a network (testVaeAsMLP: activations, L1/L2) and the pretraining score and gradient (testVaePretrain, every
  reconstruction distribution, numSamples 1 and 3) with ε held fixed.
* TestVAE#testInitialization / #testForwardPass: parameter count and shapes, forward output = pzxActivationFn(mean).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from pydl4j_transfer.conf import (Activation, BernoulliReconstructionDistribution, CompositeReconstructionDistribution,
                                  ExponentialReconstructionDistribution, GaussianReconstructionDistribution,
                                  LossFunctions, LossFunctionWrapper, NeuralNetConfiguration, NoOp, OutputLayer,
                                  VariationalAutoencoder, WeightInit)
from pydl4j_transfer.conf.values.losses import LossMSE
from pydl4j_transfer.nn import MultiLayerNetwork
from pydl4j_transfer.torch_backend import build_module
from pydl4j_transfer.torch_backend.layers import variational as V

LF = LossFunctions.LossFunction


def _dists():
    return {
        "gaussian_identity": (GaussianReconstructionDistribution(Activation.IDENTITY), 4),
        "gaussian_tanh": (GaussianReconstructionDistribution(Activation.TANH), 4),
        "bernoulli": (BernoulliReconstructionDistribution(Activation.SIGMOID), 4),
        "exponential_tanh": (ExponentialReconstructionDistribution(Activation.TANH), 4),
        "loss_mse": (LossFunctionWrapper(Activation.TANH, LossMSE()), 4),
        "composite": (CompositeReconstructionDistribution.Builder()
                      .addDistribution(2, GaussianReconstructionDistribution(Activation.TANH))
                      .addDistribution(2, BernoulliReconstructionDistribution())
                      .addDistribution(1, ExponentialReconstructionDistribution()).build(), 5),
    }


def _data(name, size, mb=4, seed=0):
    rng = np.random.default_rng(seed)
    dist, _ = _dists()[name]
    x = rng.random((mb, size))
    if name == "bernoulli":
        x = (x > 0.5).astype(np.float64)
    if name == "composite":
        x[:, 2:4] = x[:, 2:4] > 0.5
    pre = rng.standard_normal((mb, dist.distributionInputSize(size)))
    return torch.from_numpy(x), torch.from_numpy(pre)


# ---- the distributions ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(_dists()))
def test_distribution_gradient_matches_central_differences(name):
    """TestReconstructionDistributions#gradientCheckReconstructionDistributions: gradient() against the numerical
    derivative of negLogProbability(average=false), double precision (eps 1e-6, max relative error 1e-4)."""
    dist, size = _dists()[name]
    x, pre = _data(name, size)
    analytic = V.gradient(dist, x, pre).numpy()
    eps = 1e-6
    flat = pre.clone().reshape(-1)
    for i in range(flat.numel()):
        plus, minus = flat.clone(), flat.clone()
        plus[i] += eps
        minus[i] -= eps
        numeric = float(V.neg_log_probability(dist, x, plus.reshape(pre.shape), False)
                        - V.neg_log_probability(dist, x, minus.reshape(pre.shape), False)) / (2 * eps)
        a = analytic.reshape(-1)[i]
        rel = abs(a - numeric) / max(abs(a) + abs(numeric), 1e-12)
        assert rel < 1e-4 or abs(a - numeric) < 1e-8, (name, i, a, numeric)


def test_distribution_log_probabilities_by_hand():
    """TestReconstructionDistributions#testGaussianLogProb / #testBernoulliLogProb / #testExponentialLogProb: the
    negative log probability is the textbook one (scipy-free: the densities written out)."""
    x, pre = _data("gaussian_identity", 4)
    mean, log_s2 = pre[:, :4], pre[:, 4:]
    s2 = torch.exp(log_s2)
    expected = -(-0.5 * torch.log(2 * np.pi * s2) - (x - mean) ** 2 / (2 * s2)).sum(1, keepdim=True)
    d = GaussianReconstructionDistribution(Activation.IDENTITY)
    torch.testing.assert_close(V.example_neg_log_probability(d, x, pre), expected)
    torch.testing.assert_close(V.neg_log_probability(d, x, pre, True), expected.sum() / x.shape[0])
    xb, pb = _data("bernoulli", 4)
    p = torch.sigmoid(pb)
    expected = -(xb * torch.log(p) + (1 - xb) * torch.log(1 - p)).sum(1, keepdim=True)
    torch.testing.assert_close(V.example_neg_log_probability(BernoulliReconstructionDistribution(), xb, pb), expected)
    xe, pe = _data("exponential_tanh", 4)
    lam = torch.exp(pe)  # identity activation: gamma = preOut = log(lambda)
    expected = -(torch.log(lam) - lam * xe).sum(1, keepdim=True)
    torch.testing.assert_close(V.example_neg_log_probability(ExponentialReconstructionDistribution(), xe, pe), expected)


@pytest.mark.dl4j
@pytest.mark.parametrize("name", list(_dists()))
def test_distribution_math_matches_dl4j(name):
    import jpype

    from pydl4j_transfer.dl4j_backend import to_indarray, to_numpy

    dist, size = _dists()[name]
    x, pre = _data(name, size)
    mapper = jpype.JClass("org.deeplearning4j.nn.conf.NeuralNetConfiguration").mapper()
    jdist = mapper.readValue(dist.toJson(), jpype.JClass(
        "org.deeplearning4j.nn.conf.layers.variational.ReconstructionDistribution").class_)
    assert str(mapper.writeValueAsString(jdist)).replace(" ", "").replace("\n", "") == \
        dist.toJson().replace(" ", "").replace("\n", "")
    # fresh Java arrays for every call: DL4J's loss functions may overwrite the preOut they are given
    jx = lambda: to_indarray(x.numpy())  # noqa: E731
    jpre = lambda: to_indarray(pre.numpy())  # noqa: E731
    for average in (True, False):
        ours = float(V.neg_log_probability(dist, x, pre, average))
        theirs = float(jdist.negLogProbability(jx(), jpre(), average))
        assert abs(ours - theirs) <= 1e-10 * max(abs(theirs), 1.0), (average, ours, theirs)
    np.testing.assert_allclose(V.example_neg_log_probability(dist, x, pre).numpy(),
                               to_numpy(jdist.exampleNegLogProbability(jx(), jpre())).reshape(-1, 1), rtol=1e-10)
    np.testing.assert_allclose(V.gradient(dist, x, pre).numpy(), to_numpy(jdist.gradient(jx(), jpre())), rtol=1e-9,
                               atol=1e-12)
    np.testing.assert_allclose(V.generate_at_mean(dist, pre).numpy(), to_numpy(jdist.generateAtMean(jpre())),
                               rtol=1e-6)  # the composite's output array is DL4J's default FLOAT
    assert dist.hasLossFunction() is bool(jdist.hasLossFunction())
    assert dist.distributionInputSize(size) == int(jdist.distributionInputSize(size))


# ---- VaeGradientCheckTests --------------------------------------------------------------------------------------


def _vae_conf(dist, activation="tanh", pzx="identity", samples=1, l1=0.0, l2=0.0, head=True, n_in=4):
    b = (NeuralNetConfiguration.Builder().dataType("DOUBLE").seed(12345).updater(NoOp()).l1(l1).l2(l2)
         .weightInit(WeightInit.XAVIER).list()
         .layer(VariationalAutoencoder.Builder().nIn(n_in).nOut(3).encoderLayerSizes(5, 4).decoderLayerSizes(4, 5)
                .reconstructionDistribution(dist).pzxActivationFunction(pzx).numSamples(samples)
                .activation(activation).build()))
    if head:
        b = b.layer(OutputLayer.Builder(LF.MCXENT).nIn(3).nOut(3).activation(Activation.SOFTMAX).build())
    return b.build()


@pytest.mark.parametrize("activation,pzx,l1,l2", [("tanh", "identity", 0.0, 0.0), ("sigmoid", "tanh", 0.01, 0.0),
                                                  ("softsign", "identity", 0.0, 0.02), ("leakyrelu", "tanh", 0.0, 0.0)])
def test_vae_as_mlp_gradients(activation, pzx, l1, l2):
    """VaeGradientCheckTests#testVaeAsMLP: the VAE in a network, supervised backprop (encoder + pZXMean only; the
    pretrain params get a zero gradient), double precision central differences of the score."""
    net = MultiLayerNetwork(_vae_conf(GaussianReconstructionDistribution(), activation, pzx, l1=l1, l2=l2)).init()
    rng = np.random.default_rng(1)
    x, y = rng.random((3, 4)), np.eye(3)[rng.integers(0, 3, 3)]
    grad, _ = net.computeGradientAndScore(x, y)
    analytic = grad / 3
    params = net.params()
    from pydl4j_transfer.data import DataSet

    ds = DataSet(x, y)
    layer = net._conf.confs[0].layer
    offset = 0
    for key, shape in layer.paramShapes().items():
        n = int(np.prod(shape))
        for j in range(n):
            i = offset + j
            if layer.isPretrainParam(key):
                assert analytic[i] == 0.0
                continue
            orig = params[i]
            params[i] = orig + 1e-6
            plus = net.score(ds, True)
            params[i] = orig - 1e-6
            minus = net.score(ds, True)
            params[i] = orig
            numeric = (plus - minus) / 2e-6
            # DL4J's score counts L1/L2 of the backprop params; its gradient adds them in the updater: compare the data term
            numeric -= _reg_grad(orig, l1, l2)
            assert abs(analytic[i] - numeric) <= 1e-3 * (abs(analytic[i]) + abs(numeric)) or \
                abs(analytic[i] - numeric) < 1e-8, (key, j, analytic[i], numeric)
        offset += n


def _reg_grad(p, l1, l2):
    return l1 * np.sign(p) + l2 * p


@pytest.mark.parametrize("name", list(_dists()))
@pytest.mark.parametrize("samples", [1, 3])
def test_vae_pretrain_gradients(name, samples):
    """VaeGradientCheckTests#testVaePretrain / #testVaePretrainReconstructionDistributions /
    #testVaePretrainMultipleSamples: the pretrain score's gradient (autograd through DL4J's distribution gradients)
    against central differences of the pretrain score, with ε fixed (DL4J fixes its RNG seed for the same reason).
    numSamples > 1 is checked in float64 on the module directly (DL4J's network path refuses it in DOUBLE)."""
    dist, size = _dists()[name]
    conf = _vae_conf(dist, samples=1, head=False, n_in=size)
    conf.confs[0].layer.numSamples = samples
    net = MultiLayerNetwork(conf).init()
    module = build_module(conf, net.params())
    module.train()
    vae = getattr(module, module.layer_names[0])
    x, _ = _data(name, size, mb=3, seed=2)
    eps = [torch.from_numpy(np.random.default_rng(s).standard_normal((3, 3))) for s in range(samples)]

    def score():
        stream = iter(eps)
        with V.dl4j_noise(lambda kind, shape, dtype, device: next(stream)):
            return _score(vae, x)

    s = score()
    params = [p for p in vae.parameters()]
    grads = torch.autograd.grad(s, params)
    rng = np.random.default_rng(0)
    with torch.no_grad():
        for p, g in zip(params, grads):
            flat, gflat = p.view(-1), g.reshape(-1)
            for i in rng.choice(flat.numel(), min(6, flat.numel()), replace=False):
                orig = float(flat[i])
                flat[i] = orig + 1e-6
                plus = float(score())
                flat[i] = orig - 1e-6
                minus = float(score())
                flat[i] = orig
                numeric, a = (plus - minus) / 2e-6, float(gflat[i])
                assert abs(a - numeric) <= 1e-3 * (abs(a) + abs(numeric)) or abs(a - numeric) < 1e-7, (i, a, numeric)


def _score(vae, x):
    """The pretrain score times the minibatch (what autograd differentiates), numSamples checked in double too."""
    h = vae.encode(x)
    mean = vae.pzx_act(vae._dense(h, "pZXMean"))
    log_s2 = vae.pzx_act(vae._dense(h, "pZXLogStd2"))
    s2 = torch.exp(log_s2)
    mb = x.shape[0]
    score = -0.5 / mb * (-(mean * mean + s2) + log_s2 + 1.0).sum()
    for _ in range(vae.num_samples):
        z = torch.sqrt(s2) * V._draw("randn", mean.shape, mean) + mean
        score = score + V.neg_log_probability_dl4j_gradient(vae.distribution, x, vae.decode(z), True) / vae.num_samples
    return score * mb


# ---- TestVAE ---------------------------------------------------------------------------------------------------


def test_initialization_and_forward_pass():
    """TestVAE#testInitialization (param count and shapes, pretrain params) and #testForwardPass (the output is
    pzxActivationFn of the mean of p(z|x))."""
    conf = (NeuralNetConfiguration.Builder().list()
            .layer(VariationalAutoencoder.Builder().nIn(10).nOut(5).encoderLayerSizes(12).decoderLayerSizes(13)
                   .build()).build())
    layer = conf.confs[0].layer
    expected = (10 * 12 + 12) + 2 * (12 * 5 + 5) + (5 * 13 + 13) + (13 * 2 * 10 + 2 * 10)  # Gaussian: 2 * nIn
    assert layer.numParams() == expected
    assert list(layer.paramShapes()) == ["e0W", "e0b", "pZXMeanW", "pZXMeanb", "pZXLogStd2W", "pZXLogStd2b",
                                         "d0W", "d0b", "pXZW", "pXZb"]
    assert [k for k in layer.paramKeys() if layer.isPretrainParam(k)] == ["pZXLogStd2W", "pZXLogStd2b", "d0W",
                                                                          "d0b", "pXZW", "pXZb"]
    net = MultiLayerNetwork(conf).init()
    assert not np.any(net.getLayer(0).getParam("e0b")) and not np.any(net.getLayer(0).getParam("pXZb"))
    x = np.random.default_rng(0).random((7, 10)).astype(np.float32)
    t = net.getLayer(0)
    w, b = t.getParam("e0W"), t.getParam("e0b")
    h = 1 / (1 + np.exp(-(x @ w + b)))  # the default activation (sigmoid)
    mean = h @ t.getParam("pZXMeanW") + t.getParam("pZXMeanb")
    np.testing.assert_allclose(net.output(x), mean, rtol=1e-5, atol=1e-6)  # pzx identity by default
