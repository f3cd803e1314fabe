"""Parameter-less reshaping and masking layers: RepeatVector (``org.deeplearning4j.nn.conf.layers.misc``) and
MaskLayer (``org.deeplearning4j.nn.conf.layers.util``). Their math is in ``torch_backend/layers/misc.py``."""

from __future__ import annotations

from pydl4j_transfer.errors import InvalidConfigurationError

from ..base import INT, EnumCodec, Field
from ..enums import RNNFormat
from ..inputs import InputType
from .base import FeedForwardLayer, NoParamLayer, register


@register
class RepeatVector(FeedForwardLayer):
    """Mirrors org.deeplearning4j.nn.conf.layers.misc.RepeatVector: [mb, size] -> [mb, size, n] (NCW) or
    [mb, n, size] (NWC), the input repeated ``n`` times along the time axis (``RepeatVector.Builder(n)``,
    ``repetitionFactor(n)``, ``dataFormat(RNNFormat)``). No parameters; the gradient sums over time."""

    dl4jClass = "org.deeplearning4j.nn.conf.layers.misc.RepeatVector"
    FIELDS = (Field("dataFormat", EnumCodec(RNNFormat), default=RNNFormat.NCW),
              Field("n", INT, default=1))
    POSITIONAL = ("n",)
    SETTERS = {"repetitionFactor": lambda self, v: setattr(self, "n", int(v)),
               "setRepetitionFactor": lambda self, v: setattr(self, "n", int(v)),
               "dataFormat": lambda self, v: setattr(self, "dataFormat", RNNFormat.of(v))}

    def getRepetitionFactor(self) -> int:
        """Mirrors RepeatVector.Builder#getRepetitionFactor (the layer's ``n``)."""
        return self.n

    def getOutputType(self, *args):
        """Mirrors RepeatVector#getOutputType: a feed-forward input only; recurrent(size, n, dataFormat)."""
        inputType = args[-1]
        if inputType is None or inputType.type != "FF":
            raise InvalidConfigurationError(
                f"Invalid input for RepeatVector layer (layer name=\"{self.layerName}\"): Expected FF input, got"
                f" {inputType}")
        return InputType.recurrent(inputType.size, self.n, self.dataFormat or RNNFormat.NCW)

    def _output_type(self, inputType):
        return self.getOutputType(-1, inputType)

    def isPretrainParam(self, key) -> bool:
        """Mirrors RepeatVector#isPretrainParam: DL4J throws (the layer has no parameters)."""
        raise InvalidConfigurationError("UpsamplingLayer does not contain parameters (DL4J's message for RepeatVector)")


@register
class MaskLayer(NoParamLayer):
    """Mirrors org.deeplearning4j.nn.conf.layers.util.MaskLayer: multiplies its input by the mask the network
    hands it (features mask, propagated) and passes the mask on; without a mask the input passes unchanged.
    Input type, nIn and preprocessor: none of its own (the input's type passes through)."""

    dl4jClass = "org.deeplearning4j.nn.conf.layers.util.MaskLayer"

    def getOutputType(self, *args):
        """Mirrors MaskLayer#getOutputType: the input type."""
        return args[-1]

    def getRegularizationByParam(self, key):
        """Mirrors MaskLayer#getRegularizationByParam: not applicable (null)."""
        return None

    def __str__(self):
        return "MaskLayer()"
