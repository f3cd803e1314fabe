"""VariationalAutoencoder (``org.deeplearning4j.nn.conf.layers.variational``).

Parameters (VariationalAutoencoderParamInitializer, flat order): per encoder layer i ``e{i}W`` [in, size] 'f' and
``e{i}b``; ``pZXMeanW`` / ``pZXMeanb`` (last encoder size -> nOut); ``pZXLogStd2W`` / ``pZXLogStd2b`` (same
shapes); per decoder layer i ``d{i}W`` / ``d{i}b`` (from nOut); ``pXZW`` / ``pXZb`` (last decoder size ->
``outputDistribution.distributionInputSize(nIn)``). Only the encoder and pZXMean take part in a network's forward
pass and backprop; pZXLogStd2, the decoder and pXZ are "pretrain params" (``isPretrainParam``), trained by the
layer-wise ``pretrain`` only. DL4J initialises every bias of this layer to 0 (``biasInit`` is not used).
"""

from __future__ import annotations

from pydl4j_transfer.errors import InvalidConfigurationError

from ..base import ACTIVATIONS, DOUBLE, INT, INT_ARRAY, RECONSTRUCTION_DISTRIBUTIONS, EnumCodec, Field, factory, poly
from ..enums import LossFunctions
from ..values.activations import ActivationIdentity, ActivationTanH, to_activation
from ..values.losses import to_loss
from ..values.reconstruction import GaussianReconstructionDistribution, LossFunctionWrapper
from .base import FeedForwardLayer, ParamSpec, register

PKG = "org.deeplearning4j.nn.conf.layers.variational."


def _sizes(what):
    def setter(self, value):
        sizes = [int(v) for v in (value if isinstance(value, (list, tuple)) else [value])] if value is not None else []
        if not sizes:  # Builder#setEncoderLayerSizes / setDecoderLayerSizes
            raise InvalidConfigurationError(f"{what} layer sizes array must have length > 0")
        setattr(self, what.lower() + "LayerSizes", sizes)
    return setter


def _loss_function(self, value):
    """BasePretrainNetwork.Builder#lossFunction(LossFunction) (one argument: the unused ``lossFunction`` enum field);
    VariationalAutoencoder.Builder#lossFunction(activation, lossFunction) (two: a LossFunctionWrapper as the
    reconstruction distribution)."""
    if isinstance(value, tuple) and len(value) == 2:
        self.outputDistribution = LossFunctionWrapper(to_activation(value[0]), to_loss(value[1]))
    else:
        self.lossFunction = None if value is None else LossFunctions.LossFunction.of(value)


def _pzx(self, value):
    self.pzxActivationFn = to_activation(value)


@factory
def _default_distribution():
    return GaussianReconstructionDistribution(ActivationTanH())


@register
class VariationalAutoencoder(FeedForwardLayer):
    """Mirrors org.deeplearning4j.nn.conf.layers.variational.VariationalAutoencoder (a BasePretrainNetwork).

    ``nOut`` is the size of the latent space z; in a network the layer outputs ``pzxActivationFn`` of the mean of
    p(z|x). Builder: ``encoderLayerSizes(...)``, ``decoderLayerSizes(...)``, ``reconstructionDistribution(d)`` or
    ``lossFunction(activation, lossFunction)``, ``pzxActivationFunction(a)``, ``numSamples(n)``."""

    dl4jClass = PKG + "VariationalAutoencoder"

    FIELDS = (Field("decoderLayerSizes", INT_ARRAY, default=[100], missing=None),
              Field("encoderLayerSizes", INT_ARRAY, default=[100], missing=None),
              Field("lossFunction", EnumCodec(LossFunctions.LossFunction),
                    default=LossFunctions.LossFunction.RECONSTRUCTION_CROSSENTROPY, missing=None),
              Field("numSamples", INT, default=1, missing=0),
              Field("outputDistribution", poly(RECONSTRUCTION_DISTRIBUTIONS), default=_default_distribution,
                    missing=None),
              Field("pzxActivationFn", poly(ACTIVATIONS), default=ActivationIdentity, missing=None),
              Field("visibleBiasInit", DOUBLE, default=0.0))
    SETTERS = {"encoderLayerSizes": _sizes("Encoder"), "decoderLayerSizes": _sizes("Decoder"),
               "reconstructionDistribution": lambda self, v: setattr(self, "outputDistribution", v),
               "lossFunction": _loss_function,
               "pzxActivationFn": _pzx, "pzxActivationFunction": _pzx}

    @classmethod
    def _ignored_keys(cls):
        return ("pretrain",)  # BasePretrainNetwork: @JsonIgnoreProperties("pretrain")

    # ---- parameters (VariationalAutoencoderParamInitializer)

    def _distribution_params(self) -> int:
        if self.outputDistribution is None:
            raise InvalidConfigurationError(f"{self._name()}: VariationalAutoencoder has no outputDistribution")
        return int(self.outputDistribution.distributionInputSize(int(self.nIn)))

    def paramSpecs(self):
        enc = [int(s) for s in (self.encoderLayerSizes or [])]
        dec = [int(s) for s in (self.decoderLayerSizes or [])]
        if not enc or not dec:
            raise InvalidConfigurationError(f"{self._name()}: VariationalAutoencoder needs encoder and decoder layer "
                                            f"sizes, got {enc} / {dec}")
        n_in, n_out = int(self.nIn), int(self.nOut)
        specs = []
        prev = n_in
        for i, size in enumerate(enc):
            specs += [ParamSpec(f"e{i}W", (prev, size), "f"), ParamSpec(f"e{i}b", (size,), "f")]
            prev = size
        for prefix in ("pZXMean", "pZXLogStd2"):
            specs += [ParamSpec(prefix + "W", (enc[-1], n_out), "f"), ParamSpec(prefix + "b", (n_out,), "f")]
        prev = n_out
        for i, size in enumerate(dec):
            specs += [ParamSpec(f"d{i}W", (prev, size), "f"), ParamSpec(f"d{i}b", (size,), "f")]
            prev = size
        n_dist = self._distribution_params()
        specs += [ParamSpec("pXZW", (dec[-1], n_dist), "f"), ParamSpec("pXZb", (n_dist,), "f")]
        return specs

    def isPretrainParam(self, key) -> bool:
        """Mirrors VariationalAutoencoder#isPretrainParam: the decoder, pZXLogStd2 and pXZ."""
        return key.startswith(("d", "pZXLogStd2", "pXZ"))

    def biasKeys(self):
        """Mirrors VariationalAutoencoderParamInitializer#biasKeys: every key ending in ``b``."""
        return [k for k in self.paramKeys() if k.endswith("b")]

    def weightKeys(self):
        """Mirrors VariationalAutoencoderParamInitializer#weightKeys: every key ending in ``W``."""
        return [k for k in self.paramKeys() if k.endswith("W")]

    #: VariationalAutoencoderParamInitializer creates every bias with 0.0 ("TODO don't hardcode 0"), not biasInit
    BIAS_INIT_HARDCODED = 0.0

    def initWeightsFor(self, key):
        """(weight init, fanIn, fanOut) of a weight: createWeightMatrix(nIn, nOut, weightInit, ...) of its own matrix."""
        shapes = self.paramShapes()
        if not key.endswith("W") or key not in shapes:
            return None
        rows, cols = shapes[key]
        return self.weightInitFn, float(rows), float(cols)
