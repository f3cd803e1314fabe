"""VariationalAutoencoder's reconstruction distributions p(x|z) (``org.deeplearning4j.nn.conf.layers.variational``).

Configuration values only: the activation applied to the decoder's distribution parameters (and, for
LossFunctionWrapper, the loss function; for CompositeReconstructionDistribution, the parts and their data sizes).
Their math (negLogProbability, gradient, generateAtMean / generateRandom) is the torch backend's
(``torch_backend/layers/variational.py``): ``conf`` never imports torch.

JSON as DL4J writes it: ``{"@class": ..., "activationFn": {...}}``; LossFunctionWrapper adds ``lossFunction``;
the composite writes ``distributionSizes``, ``reconstructionDistributions`` (each with its ``@class``) and
``totalSize`` (Jackson's creator properties, in alphabetical order).
"""

from __future__ import annotations

import logging

from pydl4j_transfer.errors import InvalidConfigurationError

from ..base import ACTIVATIONS, INT, INT_ARRAY, LOSSES, RECONSTRUCTION_DISTRIBUTIONS, ConfObject, Field, array, poly
from .activations import ActivationIdentity, ActivationSigmoid, to_activation
from .losses import to_loss

PKG = "org.deeplearning4j.nn.conf.layers.variational."
log = logging.getLogger(__name__)


def _set_activation(self, value):
    self.activationFn = to_activation(value)


class ReconstructionDistribution(ConfObject):
    """Mirrors org.deeplearning4j.nn.conf.layers.variational.ReconstructionDistribution (the interface)."""

    def hasLossFunction(self) -> bool:
        """Mirrors ReconstructionDistribution#hasLossFunction: a loss function (not a probability) is minimised."""
        return False

    def distributionInputSize(self, dataSize: int) -> int:
        """Mirrors ReconstructionDistribution#distributionInputSize: the number of distribution parameters (the
        decoder's pXZ output size) for ``dataSize`` data columns."""
        return int(dataSize)


class _ActivatedDistribution(ReconstructionDistribution):
    """The distributions with an ``activationFn`` (every one but the composite)."""

    FIELDS = (Field("activationFn", poly(ACTIVATIONS)),)
    POSITIONAL = ("activationFn",)
    SETTERS = {"activationFn": _set_activation, "activation": _set_activation}


def _register(cls):
    cls.dl4jClass = PKG + cls.__name__
    return RECONSTRUCTION_DISTRIBUTIONS.register(cls)


@_register
class BernoulliReconstructionDistribution(_ActivatedDistribution):
    """Mirrors org.deeplearning4j.nn.conf.layers.variational.BernoulliReconstructionDistribution (binary data;
    ``new BernoulliReconstructionDistribution()``: sigmoid). DL4J logs a warning for an activation other than
    sigmoid / hard sigmoid; so does this class."""

    DEFAULTS = {"activationFn": ActivationSigmoid}

    def _on_build(self):
        name = type(self.activationFn).__name__ if self.activationFn is not None else None
        if name not in ("ActivationSigmoid", "ActivationHardSigmoid"):
            log.warning(
                'Using BernoulliRecontructionDistribution with activation function "%s". Using sigmoid/hard sigmoid '
                "is recommended to bound probabilities in range 0 to 1", self.activationFn)


@_register
class GaussianReconstructionDistribution(_ActivatedDistribution):
    """Mirrors org.deeplearning4j.nn.conf.layers.variational.GaussianReconstructionDistribution (real-valued data;
    ``new GaussianReconstructionDistribution()``: identity): 2 * dataSize parameters, the means then log(sigma^2)."""

    DEFAULTS = {"activationFn": ActivationIdentity}

    def distributionInputSize(self, dataSize: int) -> int:
        """Mirrors GaussianReconstructionDistribution#distributionInputSize: a mean and a log variance per column."""
        return 2 * int(dataSize)


@_register
class ExponentialReconstructionDistribution(_ActivatedDistribution):
    """Mirrors org.deeplearning4j.nn.conf.layers.variational.ExponentialReconstructionDistribution (non-negative
    data; ``new ExponentialReconstructionDistribution()``: identity): the parameter is gamma = log(lambda)."""

    DEFAULTS = {"activationFn": ActivationIdentity}


def _wrapper_loss(self, value):
    self.lossFunction = to_loss(value)


@_register
class LossFunctionWrapper(_ActivatedDistribution):
    """Mirrors org.deeplearning4j.nn.conf.layers.variational.LossFunctionWrapper: a plain loss function (MSE, ...)
    on the activated reconstruction instead of a probability (``LossFunctionWrapper(activation, lossFunction)``)."""

    FIELDS = (Field("lossFunction", poly(LOSSES)),)
    POSITIONAL = ("activationFn", "lossFunction")
    SETTERS = {"lossFunction": _wrapper_loss}

    def hasLossFunction(self) -> bool:
        """Mirrors LossFunctionWrapper#hasLossFunction (always true)."""
        return True

    def getLossFunction(self):
        """Mirrors the Lombok getter of ``lossFunction``."""
        return self.lossFunction


def _add_distribution(self, value):
    """CompositeReconstructionDistribution.Builder#addDistribution(int, ReconstructionDistribution); totalSize is the
    sum of the data sizes, as the Builder's build() makes it."""
    size, distribution = value
    if not isinstance(distribution, ReconstructionDistribution):
        raise InvalidConfigurationError(
            f"addDistribution: expected a ReconstructionDistribution, got {type(distribution).__name__}")
    self.distributionSizes = list(self.distributionSizes or []) + [int(size)]
    self.reconstructionDistributions = list(self.reconstructionDistributions or []) + [distribution]
    self.totalSize = sum(self.distributionSizes)


@_register
class CompositeReconstructionDistribution(ReconstructionDistribution):
    """Mirrors org.deeplearning4j.nn.conf.layers.variational.CompositeReconstructionDistribution: consecutive column
    ranges of the data, each with its own distribution (``distributionSizes[i]`` data columns, that distribution's
    ``distributionInputSize`` parameter columns). ``CompositeReconstructionDistribution.Builder().addDistribution(
    3, BernoulliReconstructionDistribution()).addDistribution(2, GaussianReconstructionDistribution()).build()``."""

    FIELDS = (Field("distributionSizes", INT_ARRAY, default=[], missing=None),  # the Builder's empty lists
              Field("reconstructionDistributions", array(poly(RECONSTRUCTION_DISTRIBUTIONS)), default=[], missing=None),
              Field("totalSize", INT, default=0))
    POSITIONAL = ("distributionSizes", "reconstructionDistributions", "totalSize")
    BUILDER_POSITIONAL = ()
    SETTERS = {"addDistribution": _add_distribution}

    def parts(self) -> list:
        """[(data columns, distribution)] of the composite, in order (its two lists, checked to be as long)."""
        sizes = list(self.distributionSizes or [])
        dists = list(self.reconstructionDistributions or [])
        if len(sizes) != len(dists):
            raise InvalidConfigurationError(f"CompositeReconstructionDistribution: {len(sizes)} distributionSizes for "
                                            f"{len(dists)} reconstructionDistributions")
        return list(zip(sizes, dists))

    def hasLossFunction(self) -> bool:
        """Mirrors CompositeReconstructionDistribution#hasLossFunction: every part has one."""
        return all(d.hasLossFunction() for _, d in self.parts())

    def distributionInputSize(self, dataSize: int) -> int:
        """Mirrors CompositeReconstructionDistribution#distributionInputSize (DL4J's IllegalStateException when the
        data size is not totalSize)."""
        if int(dataSize) != int(self.totalSize):
            raise InvalidConfigurationError(
                f"Invalid input size: Got input size {dataSize} for data, but expected input size for all "
                f"distributions is {self.totalSize}. Distribution sizes: {list(self.distributionSizes or [])}")
        return sum(d.distributionInputSize(n) for n, d in self.parts())
