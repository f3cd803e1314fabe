"""VariationalAutoencoder and its reconstruction distributions.

Mirrors ``org.deeplearning4j.nn.layers.variational.VariationalAutoencoder`` and the math of
``org.deeplearning4j.nn.conf.layers.variational.*ReconstructionDistribution`` / ``LossFunctionWrapper``.

* In a network (``compute``): the encoder (``act(x·e{i}W + e{i}b)``, the layer's activation) then
  ``pzxActivationFn(h·pZXMeanW + pZXMeanb)``: the mean of p(z|x). Autograd backpropagates through the encoder and
  pZXMean only, as DL4J's ``backpropGradient``; the other parameters are pretrain params (their updater blocks are
  skipped in a network's fit). DL4J's VAE applies no input dropout (its ``activate`` never calls
  ``applyDropOutIfNecessary``), so neither does this module; weight noise applies (``getParamWithNoise``).
* Layer-wise pretraining (:meth:`VaeModule.pretrain_score`): DL4J's ``computeGradientAndScore``: the KL term
  ``-0.5/mb · Σ(1 + log σ² - μ² - σ²)`` (μ and log σ² both through ``pzxActivationFn``), then for each of
  ``numSamples`` draws ε ~ N(0, 1): ``z = μ + σ·ε``, the decoder (the layer's activation), the pXZ parameters and
  the distribution's ``negLogProbability(x, pXZ, average=true) / numSamples``. Autograd of ``mb · score`` is
  DL4J's hand-written gradient (summed over the minibatch; the layer's updater divides by it): every distribution's
  backward pass is DL4J's own ``gradient`` formula (:class:`_NegLogProb`), NaN replacement included.
* The random draws (ε, ``generateRandom``) come from :func:`dl4j_noise`'s source when one is set (the parity
  tests replay the values DL4J's Nd4j RNG gives), else from torch's default generator.

Convention flip: every weight here is DL4J ``[nIn, nOut]`` in 'f' order, i.e. the bytes of torch's
``[nOut, nIn]`` Linear weight, so ``x·W + b`` is ``F.linear(x, W_torch, b)``.
"""

from __future__ import annotations

import contextlib
import math

import torch
import torch.nn.functional as F

from pydl4j_transfer.conf.layers.variational import VariationalAutoencoder
from pydl4j_transfer.conf.values import reconstruction as R  # the configuration classes (R.GaussianReconstruction...)
from pydl4j_transfer.errors import InvalidConfigurationError

from ..activations import activation_module
from ..base import LayerModule
from ..registry import LAYER_CONVERTERS
from ..training import losses

NEG_HALF_LOG_2PI = -0.5 * math.log(2 * math.pi)

# ---- random draws ------------------------------------------------------------------------------------

_NOISE: list = [None]


@contextlib.contextmanager
def dl4j_noise(source):
    """Within the block, every random array the VAE code draws comes from ``source(kind, shape, dtype, device)``
    (``kind``: ``"randn"`` for Nd4j.randn, ``"rand"`` for Nd4j.rand), in DL4J's order of draws: the pretrain
    ε (one [mb, nOut] per sample), reconstructionLogProbability's ε, generateRandom's draws."""
    prev = _NOISE[0]
    _NOISE[0] = source
    try:
        yield
    finally:
        _NOISE[0] = prev


def _draw(kind, shape, like):
    source = _NOISE[0]
    if source is not None:
        t = source(kind, tuple(int(s) for s in shape), like.dtype, like.device)
        return torch.as_tensor(t, dtype=like.dtype, device=like.device).reshape(shape)
    if kind == "rand":
        return torch.rand(shape, dtype=like.dtype, device=like.device)
    return torch.randn(shape, dtype=like.dtype, device=like.device)


# ---- the reconstruction distributions' math ----------------------------------------------------------


def _act(dist):
    return activation_module(dist.activationFn)


def _backprop(dist, pre, dl_dout):
    """IActivation#backprop(preOut, epsilon).getFirst() of the distribution's activation (a vector-Jacobian product)."""
    with torch.enable_grad():
        p = pre.detach().requires_grad_(True)
        (g,) = torch.autograd.grad(_act(dist)(p), p, dl_dout)
    return g


def _parts(dist):
    """[(distribution, data columns slice, parameter columns slice)] of a composite (DL4J's loops)."""
    out, data_at, params_at = [], 0, 0
    for size, part in dist.parts():
        n_params = part.distributionInputSize(size)
        out.append((part, slice(data_at, data_at + size), slice(params_at, params_at + n_params)))
        data_at, params_at = data_at + size, params_at + n_params
    return out


def _bernoulli_log_prob(dist, x, pre):
    """BernoulliReconstructionDistribution#calcLogProbArray: x·log(p) + (1-x)·log(1-p), an infinite log -> 0."""
    out = _act(dist)(pre)
    log_out = torch.log(out)
    log_1m = torch.log(1.0 - out)
    log_out = torch.where(torch.isinf(log_out), torch.zeros_like(log_out), log_out)
    log_1m = torch.where(torch.isinf(log_1m), torch.zeros_like(log_1m), log_1m)
    return log_out * x + (1.0 - x) * log_1m


def _gaussian_terms(dist, x, pre):
    """GaussianReconstructionDistribution#calcLogProbArrayExConstants: (log σ², (x - μ)² / σ² / 2)."""
    out = _act(dist)(pre)
    size = out.shape[1] // 2
    mean, log_s2 = out[:, :size], out[:, size:2 * size]
    s2 = torch.exp(log_s2)
    return log_s2, (x - mean) * (x - mean) / s2 / 2


def _exponential_terms(dist, x, pre):
    """ExponentialReconstructionDistribution: gamma - lambda·x (log p(x)), gamma = act(pre), lambda = exp(gamma)."""
    gamma = _act(dist)(pre)
    return gamma - torch.exp(gamma) * x


def neg_log_probability(dist, x, pre, average=True):
    """Mirrors ReconstructionDistribution#negLogProbability(x, preOutDistributionParams, average) (a 0-d tensor)."""
    x = x.to(pre.dtype)
    if isinstance(dist, R.CompositeReconstructionDistribution):
        total = None
        for part, d, p in _parts(dist):
            s = neg_log_probability(part, x[:, d], pre[:, p], average)
            total = s if total is None else total + s
        return total
    if isinstance(dist, R.LossFunctionWrapper):  # the loss value: not a probability, but minimised the same way
        return losses.compute_score(dist.lossFunction, x, pre, dist.activationFn, None, average)
    mb = x.shape[0]
    if isinstance(dist, R.BernoulliReconstructionDistribution):
        s = -_bernoulli_log_prob(dist, x, pre).sum()
    elif isinstance(dist, R.GaussianReconstructionDistribution):
        size = pre.shape[1] // 2
        log_s2, last = _gaussian_terms(dist, x, pre)
        s = -(mb * size * NEG_HALF_LOG_2PI - 0.5 * log_s2.sum() - last.sum())
    elif isinstance(dist, R.ExponentialReconstructionDistribution):
        s = -_exponential_terms(dist, x, pre).sum()
    else:
        raise InvalidConfigurationError(f"no torch implementation of reconstruction distribution {dist.dl4jClass!r}")
    return s / mb if average else s


def example_neg_log_probability(dist, x, pre):
    """Mirrors ReconstructionDistribution#exampleNegLogProbability: one value per example, [minibatch, 1]."""
    x = x.to(pre.dtype)
    if isinstance(dist, R.CompositeReconstructionDistribution):
        total = None
        for part, d, p in _parts(dist):
            s = example_neg_log_probability(part, x[:, d], pre[:, p])
            total = s if total is None else total + s
        return total
    if isinstance(dist, R.LossFunctionWrapper):
        return losses.score_array(dist.lossFunction, x, pre, dist.activationFn)
    if isinstance(dist, R.BernoulliReconstructionDistribution):
        return -_bernoulli_log_prob(dist, x, pre).sum(1, keepdim=True)
    if isinstance(dist, R.GaussianReconstructionDistribution):
        size = pre.shape[1] // 2
        log_s2, last = _gaussian_terms(dist, x, pre)
        return log_s2.sum(1, keepdim=True) * 0.5 - size * NEG_HALF_LOG_2PI + last.sum(1, keepdim=True)
    if isinstance(dist, R.ExponentialReconstructionDistribution):
        return -_exponential_terms(dist, x, pre).sum(1, keepdim=True)
    raise InvalidConfigurationError(f"no torch implementation of reconstruction distribution {dist.dl4jClass!r}")


def gradient(dist, x, pre):
    """Mirrors ReconstructionDistribution#gradient: dL/dPreOut of the (unaveraged) negative log probability, by
    DL4J's own formula for each distribution (Bernoulli: NaN -> 0 where p is exactly 0 or 1)."""
    with torch.no_grad():
        x = x.to(pre.dtype)
        if isinstance(dist, R.CompositeReconstructionDistribution):
            out = torch.zeros_like(pre)
            for part, d, p in _parts(dist):
                out[:, p] = gradient(part, x[:, d], pre[:, p])
            return out
        if isinstance(dist, R.LossFunctionWrapper):
            return losses.compute_gradient(dist.lossFunction, x, pre, dist.activationFn)
        if isinstance(dist, R.BernoulliReconstructionDistribution):
            out = _act(dist)(pre)
            grad = _backprop(dist, pre, (x - out) / ((1.0 - out) * out))
            return -torch.where(torch.isnan(grad), torch.zeros_like(grad), grad)
        if isinstance(dist, R.GaussianReconstructionDistribution):
            out = _act(dist)(pre)
            size = out.shape[1] // 2
            mean, log_s2 = out[:, :size], out[:, size:2 * size]
            s2 = torch.exp(log_s2)
            diff = x - mean
            sigma = torch.sqrt(s2)
            dl_dsigma = -1.0 / sigma + diff * diff / torch.pow(s2, 1.5)
            dl = -torch.cat([diff / s2, sigma / 2 * dl_dsigma], dim=1)
            return _backprop(dist, pre, dl)
        if isinstance(dist, R.ExponentialReconstructionDistribution):
            gamma = _act(dist)(pre)
            return _backprop(dist, pre, x * torch.exp(gamma) - 1.0)
    raise InvalidConfigurationError(f"no torch implementation of reconstruction distribution {dist.dl4jClass!r}")


def generate_at_mean(dist, pre):
    """Mirrors ReconstructionDistribution#generateAtMean: E[p(x|params)] (Bernoulli: p; Gaussian: act(mean half);
    Exponential: 1/lambda; LossFunctionWrapper: act(pre))."""
    if isinstance(dist, R.CompositeReconstructionDistribution):
        return torch.cat([generate_at_mean(part, pre[:, p]) for part, _, p in _parts(dist)], dim=1)
    if isinstance(dist, R.GaussianReconstructionDistribution):
        return _act(dist)(pre[:, :pre.shape[1] // 2])
    if isinstance(dist, R.ExponentialReconstructionDistribution):
        return 1.0 / torch.exp(_act(dist)(pre))
    if isinstance(dist, (R.BernoulliReconstructionDistribution, R.LossFunctionWrapper)):
        return _act(dist)(pre)
    raise InvalidConfigurationError(f"no torch implementation of reconstruction distribution {dist.dl4jClass!r}")


def generate_random(dist, pre):
    """Mirrors ReconstructionDistribution#generateRandom: one sample x ~ p(x|params) (Bernoulli: rand < p as
    0/1 floats; Gaussian: μ + σ·N(0,1); Exponential: -log(U)/lambda; LossFunctionWrapper: generateAtMean)."""
    if isinstance(dist, R.CompositeReconstructionDistribution):
        return torch.cat([generate_random(part, pre[:, p]) for part, _, p in _parts(dist)], dim=1)
    if isinstance(dist, R.LossFunctionWrapper):
        return generate_at_mean(dist, pre)
    if isinstance(dist, R.BernoulliReconstructionDistribution):
        p = _act(dist)(pre)
        return (_draw("rand", p.shape, p) < p).to(pre.dtype)
    if isinstance(dist, R.GaussianReconstructionDistribution):
        out = _act(dist)(pre)
        size = out.shape[1] // 2
        sigma = torch.sqrt(torch.exp(out[:, size:2 * size]))
        return _draw("randn", sigma.shape, sigma) * sigma + out[:, :size]
    if isinstance(dist, R.ExponentialReconstructionDistribution):
        lam = torch.exp(_act(dist)(pre))
        return -torch.log(_draw("rand", pre.shape, pre)) / lam
    raise InvalidConfigurationError(f"no torch implementation of reconstruction distribution {dist.dl4jClass!r}")


class _NegLogProb(torch.autograd.Function):
    """Forward: negLogProbability(x, pre, average); backward: DL4J's ``gradient(x, pre)`` (÷ mb when averaged)."""

    @staticmethod
    def forward(ctx, pre, x, dist, average):
        ctx.save_for_backward(pre, x)
        ctx.dist, ctx.average = dist, average
        with torch.no_grad():
            return neg_log_probability(dist, x, pre, average)

    @staticmethod
    def backward(ctx, grad_out):
        pre, x = ctx.saved_tensors
        g = gradient(ctx.dist, x, pre)
        if ctx.average:
            g = g / x.shape[0]
        return g * grad_out, None, None, None


def neg_log_probability_dl4j_gradient(dist, x, pre, average=True):
    """:func:`neg_log_probability` whose backward pass is DL4J's ``gradient`` (what the pretrain step uses)."""
    return _NegLogProb.apply(pre, x.to(pre.dtype), dist, average)


# ---- the layer -------------------------------------------------------------------------------------------


class VaeModule(LayerModule):
    """Mirrors org.deeplearning4j.nn.layers.variational.VariationalAutoencoder."""

    def __init__(self, conf, ctx):
        super().__init__(conf, ctx)
        self.input_dropout = None  # DL4J's VAE never applies its input dropout (activate/backprop/pretrain)
        self.n_in, self.n_out = int(conf.nIn), int(conf.nOut)
        self.encoder_sizes = [int(s) for s in conf.encoderLayerSizes]
        self.decoder_sizes = [int(s) for s in conf.decoderLayerSizes]
        self.num_samples = int(conf.numSamples)
        self.distribution = conf.outputDistribution
        self.act = activation_module(conf.activationFn, ctx)
        self.pzx_act = activation_module(conf.pzxActivationFn, ctx)

    def _dense(self, x, prefix):
        # DL4J W [nIn, nOut] 'f' is stored as torch [nOut, nIn]: x·W + b is F.linear(x, W, b)
        return F.linear(x, self.p(prefix + "W"), self.p(prefix + "b").reshape(-1))

    def _check(self, x):
        if x.dim() != 2 or x.shape[1] != self.n_in:
            raise self.bad_input(x, f"[minibatch, {self.n_in}] (rank 2, nIn = {self.n_in})")

    def encode(self, x):
        """The encoder's activations (VariationalAutoencoder#doForward), last layer's last."""
        self._check(x)
        h = x
        for i in range(len(self.encoder_sizes)):
            h = self.act(self._dense(h, f"e{i}"))
        return h

    def _pzx(self, x):
        """(mean, log σ²) of p(z|x), both through pzxActivationFn."""
        h = self.encode(x)
        return self.pzx_act(self._dense(h, "pZXMean")), self.pzx_act(self._dense(h, "pZXLogStd2"))

    def compute(self, x, mask=None):
        if mask is not None:  # VariationalAutoencoder#feedForwardMaskArray: "Not yet implemented"
            raise InvalidConfigurationError(
                f"layer {self.layer_name!r} (VariationalAutoencoder): DL4J does not support masks through this layer "
                "(feedForwardMaskArray is not implemented)")
        return self.pzx_act(self._dense(self.encode(x), "pZXMean"))

    def decode(self, z):
        """The pXZ distribution parameters (preOut) for latent values ``z`` (decodeGivenLatentSpaceValues)."""
        if z.dim() != 2 or z.shape[1] != self.n_out:
            raise InvalidConfigurationError(
                f"Invalid latent space values: expected size {self.n_out}, got size (dimension 1) = "
                f"{z.shape[1] if z.dim() > 1 else list(z.shape)} (layer {self.layer_name!r})")
        h = z
        for i in range(len(self.decoder_sizes)):
            h = self.act(self._dense(h, f"d{i}"))
        return self._dense(h, "pXZ")

    def generate_at_mean_given_z(self, z):
        """Mirrors VariationalAutoencoder#generateAtMeanGivenZ: E[p(x|z)]."""
        return generate_at_mean(self.distribution, self.decode(z))

    def generate_random_given_z(self, z):
        """Mirrors VariationalAutoencoder#generateRandomGivenZ: x ~ p(x|z)."""
        return generate_random(self.distribution, self.decode(z))

    def pretrain_score(self, x, mb_scale=True):
        """Mirrors VariationalAutoencoder#computeGradientAndScore without the regularization term: the score tensor
        (``mb_scale``: times the minibatch size, so that autograd gives DL4J's summed gradient)."""
        if self.num_samples > 1 and x.dtype != torch.float32:
            # M2.1 multiplies by afn.backprop(preOut, Nd4j.ones(shape)): ones in the default FLOAT type, and the op
            # refuses mixed types ("all three arrays ... must have the same type")
            raise InvalidConfigurationError(
                f"layer {self.layer_name!r} (VariationalAutoencoder): DL4J 1.0.0-M2.1 cannot pretrain with "
                f"numSamples > 1 ({self.num_samples}) in a {str(x.dtype).replace('torch.', '')} network (its "
                "encoder backprop mixes a FLOAT array of ones into the op: tanh_bp/... 'must have the same type')")
        mean, log_s2 = self._pzx(x)
        s2 = torch.exp(log_s2)
        sigma = torch.sqrt(s2)
        mb = x.shape[0]
        score = -0.5 / mb * (-(mean * mean + s2) + log_s2 + 1.0).sum()
        for _ in range(self.num_samples):
            eps = _draw("randn", mean.shape, mean)
            z = sigma * eps + mean
            score = score + neg_log_probability_dl4j_gradient(self.distribution, x, self.decode(z), True) / self.num_samples
        return score * mb if mb_scale else score

    def reconstruction_log_probability(self, x, num_samples):
        """Mirrors VariationalAutoencoder#reconstructionLogProbability(data, numSamples): [minibatch, 1]."""
        if num_samples <= 0:
            raise InvalidConfigurationError(f"Invalid input: numSamples must be > 0. Got: {num_samples} "
                                            f"(layer {self.layer_name!r})")
        if isinstance(self.distribution, R.LossFunctionWrapper):
            raise InvalidConfigurationError(
                "Cannot calculate reconstruction log probability when using a LossFunction (via LossFunctionWrapper) "
                "instead of a ReconstructionDistribution: ILossFunction instances are not in general probabilistic, "
                f"hence it is not possible to calculate reconstruction probability (layer {self.layer_name!r})")
        mean, log_s2 = self._pzx(x)
        sigma = torch.sqrt(torch.exp(log_s2))
        total = None
        for _ in range(int(num_samples)):
            z = _draw("randn", mean.shape, mean) * sigma + mean
            s = example_neg_log_probability(self.distribution, x, self.decode(z))
            total = s if total is None else total + s
        return total / -int(num_samples)

    def reconstruction_error(self, x):
        """Mirrors VariationalAutoencoder#reconstructionError(data): [minibatch, 1] loss values of the reconstruction
        at the mean of p(z|x) (a VAE with a loss function only)."""
        if not self.distribution.hasLossFunction():
            raise InvalidConfigurationError(
                "Cannot use reconstructionError method unless the variational autoencoder is configured with a "
                "standard loss function (via LossFunctionWrapper). For VAEs utilizing a reconstruction distribution, "
                f"use the reconstructionProbability or reconstructionLogProbability methods (layer {self.layer_name!r})")
        reconstruction = generate_at_mean(self.distribution, self.decode(self.compute(x)))
        return _loss_score_array(self.distribution, x, reconstruction)


def _loss_score_array(dist, data, reconstruction):
    """CompositeReconstructionDistribution#computeLossFunctionScoreArray / the wrapper's loss score array, on the
    activated reconstruction (identity activation: the activation is already applied)."""
    if isinstance(dist, R.CompositeReconstructionDistribution):
        total = None
        for part, d, p in _parts(dist):
            # the reconstruction has data columns: a part's parameters and data share the composite's data ranges
            s = _loss_score_array(part, data[:, d], reconstruction[:, d])
            total = s if total is None else total + s
        return total
    if isinstance(dist, R.LossFunctionWrapper):
        return losses.score_array(dist.lossFunction, data.to(reconstruction.dtype), reconstruction, None)
    raise InvalidConfigurationError("Cannot calculate composite reconstruction distribution")


@LAYER_CONVERTERS.register(VariationalAutoencoder)
def _vae(conf, ctx):
    return VaeModule(conf, ctx)
