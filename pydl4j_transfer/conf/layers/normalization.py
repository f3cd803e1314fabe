"""BatchNormalization.

Convention flip: DL4J ``decay`` is the weight of the OLD running statistic
(running = decay*running + (1-decay)*batch); torch's ``momentum`` = 1 - decay.
Params: gamma, beta (absent when lockGammaBeta), mean, then var or log10stdev (useLogStd).
On load DL4J recomputes useLogStd = !variables.contains("var") (dl4j-format.md §3.8 rule 1).
"""

from __future__ import annotations

import math

from ..base import BOOL, DOUBLE, EnumCodec, Field
from ..enums import CNN2DFormat
from ..inputs import InputType
from ..preprocessors import FeedForwardToCnnPreProcessor
from ..values.updaters import NoOp
from .base import FeedForwardLayer, ParamSpec, register


@register
class BatchNormalization(FeedForwardLayer):
    """Mirrors org.deeplearning4j.nn.conf.layers.BatchNormalization."""

    FIELDS = (Field("beta", DOUBLE, default=0.0), Field("cnn2DFormat", EnumCodec(CNN2DFormat), default=CNN2DFormat.NCHW),
              Field("cudnnAllowFallback", BOOL, default=True), Field("decay", DOUBLE, default=0.9),
              Field("eps", DOUBLE, default=1e-5), Field("gamma", DOUBLE, default=1.0),
              Field("lockGammaBeta", BOOL, default=False), Field("minibatch", BOOL, java="isMinibatch", default=True),
              Field("useLogStd", BOOL, default=True))
    # DL4J M2.1 binds a BN with missing keys through the builder path: the "missing" values equal the
    # builder's (checked against DL4J: tests/conf/data/missing_key_defaults.json).
    MISSING_DEFAULTS = {"biasInit": math.nan, "gainInit": math.nan, "gradientNormalization": None,
                        "gradientNormalizationThreshold": math.nan, "regularization": [], "regularizationBias": []}
    SETTERS = {"minibatch": lambda self, v: setattr(self, "minibatch", bool(v))}

    def paramSpecs(self):
        n = self.nOut
        specs = [] if self.lockGammaBeta else [ParamSpec("gamma", (n,), "f"), ParamSpec("beta", (n,), "f")]
        return specs + [ParamSpec("mean", (n,), "f"), ParamSpec("log10stdev" if self.useLogStd else "var", (n,), "f")]

    def biasKeys(self):
        return ["beta"] if not self.lockGammaBeta else []

    def getUpdaterByParam(self, key):
        """Running statistics are not trained: NoOp."""
        if key in ("mean", "var", "log10stdev"):
            return NoOp()
        return super().getUpdaterByParam(key)

    def _output_type(self, inputType):
        if inputType.type == "CNNFlat":
            return InputType.convolutional(inputType.height, inputType.width, inputType.depth)
        return inputType

    def setNIn(self, inputType, override=False):
        if self.nIn <= 0 or override:
            t = inputType.type
            n = {"FF": lambda: inputType.size, "RNN": lambda: inputType.size, "CNN": lambda: inputType.channels,
                 "CNNFlat": lambda: inputType.depth, "CNN3D": lambda: inputType.channels}[t]()
            self.nIn = self.nOut = n
        if inputType.type == "CNN":
            self.cnn2DFormat = inputType.format

    def getPreProcessorForInputType(self, inputType):
        if inputType.type == "CNNFlat":
            return FeedForwardToCnnPreProcessor(inputType.height, inputType.width, inputType.depth)
        return None
