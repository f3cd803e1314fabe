"""SameDiff layers without parameters: SameDiffLambdaLayer (the base a user subclasses for a Keras ``Lambda``
layer) and IdentityLayer (what DL4J's Keras import puts inside a Masking layer's MaskZeroLayer).

Mirrors org.deeplearning4j.nn.conf.layers.samediff.{AbstractSameDiffLayer, SameDiffLayer, SameDiffLambdaLayer}
and org.deeplearning4j.nn.layers.util.IdentityLayer. DL4J defines the computation with SameDiff; here a
subclass defines ``defineLayer(x)`` on torch tensors (the torch backend calls it) and ``getOutputType``.
JSON: the AbstractSameDiffLayer properties (updater, biasUpdater, regularization, regularizationBias,
gradientNormalization[Threshold], layerParams) and SameDiffLayer's weightInit / paramWeightInit; the global
configuration fills the unset ones (AbstractSameDiffLayer#applyGlobalConfig).
"""

from __future__ import annotations

import math

from ..base import DOUBLE, RAW, REGULARIZATIONS, UPDATERS, Field, array, poly
from .base import GN, LAYERS, Layer

_REG = array(poly(REGULARIZATIONS))


class AbstractSameDiffLayer(Layer):
    """Mirrors org.deeplearning4j.nn.conf.layers.samediff.AbstractSameDiffLayer (no parameters here)."""

    FIELDS = (Field("biasUpdater", poly(UPDATERS)),
              Field("gradientNormalization", GN),
              Field("gradientNormalizationThreshold", DOUBLE, default=math.nan),
              Field("layerParams", RAW, default={"biasParams": {}, "weightParams": {}}),
              Field("regularization", _REG), Field("regularizationBias", _REG),
              Field("updater", poly(UPDATERS)))

    def applyGlobalConfig(self, state) -> None:
        """Mirrors AbstractSameDiffLayer#applyGlobalConfig(NeuralNetConfiguration.Builder) (``state`` is the
        builder's state: regularization, regularizationBias, iUpdater, biasUpdater, gradientNormalization[...])."""
        import copy

        if not self.regularization:
            self.regularization = copy.deepcopy(state.regularization)
        if not self.regularizationBias:
            self.regularizationBias = copy.deepcopy(state.regularizationBias)
        if self.updater is None:
            self.updater = copy.deepcopy(state.iUpdater)
        if self.biasUpdater is None:
            self.biasUpdater = copy.deepcopy(state.biasUpdater)
        if self.gradientNormalization is None:
            self.gradientNormalization = state.gradientNormalization
        if self.gradientNormalizationThreshold is None or math.isnan(self.gradientNormalizationThreshold):
            self.gradientNormalizationThreshold = state.gradientNormalizationThreshold


class SameDiffLayer(AbstractSameDiffLayer):
    """Mirrors org.deeplearning4j.nn.conf.layers.samediff.SameDiffLayer (weightInit / paramWeightInit kept as JSON)."""

    FIELDS = (Field("paramWeightInit", RAW), Field("weightInit", RAW))


class SameDiffLambdaLayer(SameDiffLayer):
    """Mirrors org.deeplearning4j.nn.conf.layers.samediff.SameDiffLambdaLayer.

    Subclass it for a Keras ``Lambda`` layer and register an instance with
    ``KerasLayer.registerLambdaLayer(name, layer)``; give the subclass a ``dl4jClass`` (its Java class name, so
    the zip loads in DL4J when that class is on DL4J's classpath) and define:

    * ``defineLayer(self, x)``: the computation on a torch tensor (DL4J: ``defineLayer(SameDiff, SDVariable)``);
    * ``getOutputType(self, layerIndex, inputType)``: the output InputType (DL4J requires it too).

    Register the subclass in the layer registry (``LAYERS.register(MyLambda)``) so zips holding it read back.
    """

    def defineLayer(self, x):
        raise NotImplementedError(f"{type(self).__name__} must define defineLayer(x) (a torch computation)")

    def getOutputType(self, *args):
        raise NotImplementedError("Override SameDiffLamdaLayer.getOutputType to use OutputType functionality")


@LAYERS.register
class IdentityLayer(SameDiffLambdaLayer):
    """Mirrors org.deeplearning4j.nn.layers.util.IdentityLayer: returns its input (``IdentityLayer(name)``)."""

    dl4jClass = "org.deeplearning4j.nn.layers.util.IdentityLayer"
    POSITIONAL = ("layerName",)

    def defineLayer(self, x):
        return x

    def getOutputType(self, *args):
        return args[-1]
