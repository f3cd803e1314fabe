"""Feed-forward layers: Dense, Output, Loss, Embedding(Sequence), Activation, Dropout, PReLU,
ElementWiseMultiplication, CenterLossOutput, AutoEncoder."""

from __future__ import annotations

from pydl4j_transfer.errors import InvalidConfigurationError

from ..base import ACTIVATIONS, BOOL, DOUBLE, INT, LONG_ARRAY, LOSSES, STR, EnumCodec, Field, poly
from ..enums import LossFunctions, RNNFormat
from ..inputs import InputType
from ..values.activations import ActivationIdentity, ActivationSigmoid, ActivationSoftmax, to_activation
from ..values.losses import LossMCXENT, to_loss
from ..values.weightinit import ArrayEmbeddingInitializer, WeightInitConstant, WeightInitEmbedding
from .base import FeedForwardLayer, NoParamLayer, ParamSpec, dense_specs, register
from ..values.updaters import NoOp

LOSS_FN = poly(LOSSES)


def _loss_setter(self, value):
    self.lossFn = to_loss(value)


@register
class DenseLayer(FeedForwardLayer):
    """Mirrors org.deeplearning4j.nn.conf.layers.DenseLayer. W [nIn, nOut] 'f' (same bytes as torch's [out, in]), b, g (layer norm)."""

    FIELDS = (Field("hasBias", BOOL, default=True), Field("hasLayerNorm", BOOL, default=False))

    def paramSpecs(self):
        specs = dense_specs(self.nIn, self.nOut, self.hasBias)
        if self.hasLayerNorm:
            specs.append(ParamSpec("g", (self.nOut,), "f"))
        return specs


class BaseOutputLayer(FeedForwardLayer):
    """Mirrors org.deeplearning4j.nn.conf.layers.BaseOutputLayer (lossFn, hasBias)."""

    FIELDS = (Field("hasBias", BOOL, default=True), Field("lossFn", LOSS_FN, default=LossMCXENT, missing=None))
    DEFAULTS = {"activationFn": ActivationSoftmax}
    POSITIONAL = ("lossFunction",)
    SETTERS = {"lossFunction": _loss_setter, "lossFn": _loss_setter}

    def paramSpecs(self):
        return dense_specs(self.nIn, self.nOut, self.hasBias)


@register
class OutputLayer(BaseOutputLayer):
    """Mirrors org.deeplearning4j.nn.conf.layers.OutputLayer (``OutputLayer.Builder(LossFunction.MCXENT)``)."""


@register
class LossLayer(FeedForwardLayer):
    """Mirrors org.deeplearning4j.nn.conf.layers.LossLayer (no parameters; applies activation + loss)."""

    FIELDS = (Field("lossFn", LOSS_FN, default=LossMCXENT, missing=None),)
    DEFAULTS = {"activationFn": ActivationIdentity}
    POSITIONAL = ("lossFunction",)
    SETTERS = {"lossFunction": _loss_setter, "lossFn": _loss_setter}

    def _output_type(self, inputType):
        if inputType.type in ("FF", "CNNFlat"):  # M2.1: FeedForwardLayer#getOutputType, i.e. feedForward(nOut) (0)
            return super()._output_type(inputType)
        return inputType

    def setNIn(self, inputType, override=False):
        if inputType.type in ("FF", "CNNFlat", "RNN"):
            super().setNIn(inputType, override)

    def getPreProcessorForInputType(self, inputType):
        return None if inputType.type in ("FF", "CNNFlat") else super().getPreProcessorForInputType(inputType)


@register
class CenterLossOutputLayer(BaseOutputLayer):
    """Mirrors org.deeplearning4j.nn.conf.layers.CenterLossOutputLayer: W, b, cL [nOut, nIn] 'c' (class centres)."""

    FIELDS = (Field("alpha", DOUBLE, default=0.05, missing=0.0), Field("lambda", DOUBLE, attr="lambda_", default=2e-4,
                                                                         missing=0.0),
              Field("gradientCheck", BOOL, default=False))
    SETTERS = {"lambda": lambda self, v: setattr(self, "lambda_", float(v))}

    def getGradientCheck(self):
        """Mirrors CenterLossOutputLayer#getGradientCheck (Lombok's isGradientCheck also exists)."""
        return self.gradientCheck

    def paramSpecs(self):
        return dense_specs(self.nIn, self.nOut, True) + [ParamSpec("cL", (self.nOut, self.nIn), "c")]

    def getUpdaterByParam(self, key):

        return NoOp() if key == "cL" else super().getUpdaterByParam(key)


def _embedding_weight_init(self, value):
    """EmbeddingLayer/EmbeddingSequenceLayer.Builder#weightInit: an EmbeddingInitializer or the vectors themselves
    (INDArray -> ArrayEmbeddingInitializer) set nIn = vocabSize and nOut = vectorSize."""
    if type(value).__module__ == "numpy":
        value = ArrayEmbeddingInitializer(value)
    if hasattr(value, "loadWeightsInto"):
        value = WeightInitEmbedding(value)
    if isinstance(value, WeightInitEmbedding):
        shape = value.shape()
        if shape is not None:
            self.nIn, self.nOut = int(shape[0]), int(shape[1])
        self.weightInitFn = value
    else:
        FeedForwardLayer._setters["weightInit"](self, value)


@register
class EmbeddingLayer(FeedForwardLayer):
    """Mirrors org.deeplearning4j.nn.conf.layers.EmbeddingLayer (builder hasBias false, JSON-missing true)."""

    FIELDS = (Field("hasBias", BOOL, default=False, missing=True),)
    DEFAULTS = {"activationFn": ActivationIdentity}
    SETTERS = {"weightInit": _embedding_weight_init}

    def paramSpecs(self):
        return dense_specs(self.nIn, self.nOut, self.hasBias)

    def getPreProcessorForInputType(self, inputType):
        return None if inputType.type == "RNN" else super().getPreProcessorForInputType(inputType)


@register
class EmbeddingSequenceLayer(FeedForwardLayer):
    """Mirrors org.deeplearning4j.nn.conf.layers.EmbeddingSequenceLayer (output is recurrent)."""

    FIELDS = (Field("hasBias", BOOL, default=False), Field("inferInputLength", BOOL, default=True, missing=False),
              Field("inputLength", INT, default=1), Field("outputFormat", EnumCodec(RNNFormat), default=RNNFormat.NCW))
    DEFAULTS = {"activationFn": ActivationIdentity}
    SETTERS = {"weightInit": _embedding_weight_init}

    def paramSpecs(self):
        return dense_specs(self.nIn, self.nOut, self.hasBias)

    def _output_type(self, inputType):
        return InputType.recurrent(self.nOut, self.inputLength, self.outputFormat)

    def setNIn(self, inputType, override=False):
        pass  # nIn is the vocabulary size, not an activation size

    def getPreProcessorForInputType(self, inputType):
        return None


@register
class ActivationLayer(NoParamLayer):
    """Mirrors org.deeplearning4j.nn.conf.layers.ActivationLayer (``ActivationLayer(Activation.RELU)``)."""

    FIELDS = (Field("activationFn", poly(ACTIVATIONS)),)
    POSITIONAL = ("activation",)
    SETTERS = {"activation": lambda self, v: setattr(self, "activationFn", to_activation(v))}


@register
class DropoutLayer(FeedForwardLayer):
    """Mirrors org.deeplearning4j.nn.conf.layers.DropoutLayer (``DropoutLayer(p)``; p = retain probability)."""

    POSITIONAL = ("dropOut",)

    def _output_type(self, inputType):
        return inputType

    def setNIn(self, inputType, override=False):
        pass

    def getPreProcessorForInputType(self, inputType):
        return None


@register
class ElementWiseMultiplicationLayer(FeedForwardLayer):
    """Mirrors org.deeplearning4j.nn.conf.layers.misc.ElementWiseMultiplicationLayer: W [nIn], b [nIn]."""

    dl4jClass = "org.deeplearning4j.nn.conf.layers.misc.ElementWiseMultiplicationLayer"

    def paramSpecs(self):
        if self.nIn != self.nOut:
            raise InvalidConfigurationError(f"{self._name()}: ElementWiseMultiplicationLayer needs nIn == nOut")
        return [ParamSpec("W", (self.nIn,), "f"), ParamSpec("b", (self.nOut,), "f")]


@register
class PReLULayer(FeedForwardLayer):
    """Mirrors org.deeplearning4j.nn.conf.layers.PReLULayer: W = inputShape with sharedAxes (1-based) set to 1, 'f'."""

    RUNTIME_NAME = "PReLU"
    DL4J_FEED_FORWARD = False  # DL4J's PReLULayer is a BaseLayer

    FIELDS = (Field("inputShape", LONG_ARRAY), Field("sharedAxes", LONG_ARRAY))
    MISSING_DEFAULTS = {"timeDistributedFormat": None}
    DEFAULTS = {"weightInitFn": WeightInitConstant}

    def _to_tree(self):
        tree = super()._to_tree()
        tree.pop("timeDistributedFormat", None)  # PReLULayer overrides the getter away (not in its JSON)
        return tree

    def paramSpecs(self):
        shape = list(self.inputShape or [])
        for axis in self.sharedAxes or ():
            shape[int(axis) - 1] = 1
        return [ParamSpec("W", tuple(shape), "f")]

    def _output_type(self, inputType):
        return inputType

    def setNIn(self, inputType, override=False):
        if self.inputShape is None or override:
            self.inputShape = list(inputType.getShape())

    def getPreProcessorForInputType(self, inputType):
        return None


@register
class AutoEncoder(FeedForwardLayer):
    """Mirrors org.deeplearning4j.nn.conf.layers.AutoEncoder: W, b, vb [nIn] (vb is a pretrain param)."""

    FIELDS = (Field("corruptionLevel", DOUBLE, default=0.30000001192092896, missing=0.0),
              Field("lossFunction", EnumCodec(LossFunctions.LossFunction),
                    default=LossFunctions.LossFunction.RECONSTRUCTION_CROSSENTROPY, missing=None),
              Field("sparsity", DOUBLE, default=0.0), Field("visibleBiasInit", DOUBLE, default=0.0))

    def paramSpecs(self):
        return dense_specs(self.nIn, self.nOut, True) + [ParamSpec("vb", (self.nIn,), "f")]

    def isPretrainParam(self, key):
        return key == "vb"

    def biasKeys(self):
        return ["b", "vb"]


_ = (STR, ActivationSigmoid)
