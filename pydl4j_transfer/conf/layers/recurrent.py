"""Recurrent layers: LSTM, GravesLSTM, GravesBidirectionalLSTM, SimpleRnn, RnnOutputLayer, RnnLossLayer.

LSTM gate column blocks (W [nIn, 4H] 'f', RW [H, 4H] 'f', b [4H]): [0:H) cell input (activationFn),
[H:2H) forget, [2H:3H) output, [3H:4H) input gate (gateActivationFn). GravesLSTM RW has 3 extra
peephole columns. Keras [i, f, c, o] -> DL4J [c, f, o, i].
"""

from __future__ import annotations

from ..base import ACTIVATIONS, BOOL, DOUBLE, WEIGHT_INITS, EnumCodec, Field, poly
from ..enums import RNNFormat
from ..inputs import InputType
from ..preprocessors import preprocessor_for_rnn
from ..values.activations import ActivationIdentity, ActivationSigmoid, to_activation
from ..values.weightinit import to_weight_init
from .base import FeedForwardLayer, ParamSpec, register
from .feedforward import BaseOutputLayer, LossLayer

RNNF = EnumCodec(RNNFormat)


class _RecurrentShapes:
    """Shape inference shared by recurrent layers and RnnOutputLayer (BaseRecurrentLayer / RnnOutputLayer in DL4J)."""

    def _output_type(self, inputType):
        if inputType.type == "RNN":  # M2.1: recurrent(nOut, tsLength, input's format)
            return InputType.recurrent(self.nOut, inputType.timeSeriesLength, inputType.format)
        return InputType.recurrent(self.nOut, -1, self.rnnDataFormat or RNNFormat.NCW)

    def setNIn(self, inputType, override=False):
        if self.nIn <= 0 or override:
            self.nIn = inputType.size
        # M2.1 BaseRecurrentLayer / RnnOutputLayer#setNIn: the input's format only when unset or on override
        if inputType.type == "RNN" and (self.rnnDataFormat is None or override):
            self.rnnDataFormat = inputType.format

    def getPreProcessorForInputType(self, inputType):
        return preprocessor_for_rnn(inputType, self.rnnDataFormat or RNNFormat.NCW, self._name())


class BaseRecurrentLayer(_RecurrentShapes, FeedForwardLayer):
    """Mirrors org.deeplearning4j.nn.conf.layers.BaseRecurrentLayer (rnnDataFormat, weightInitFnRecurrent)."""

    FIELDS = (Field("rnnDataFormat", RNNF, default=RNNFormat.NCW, missing=None),
              Field("weightInitFnRecurrent", poly(WEIGHT_INITS)))
    SETTERS = {"weightInitRecurrent": lambda self, v: setattr(self, "weightInitFnRecurrent", to_weight_init(v)),
               "dataFormat": lambda self, v: setattr(self, "rnnDataFormat", RNNFormat.of(v))}


class AbstractLSTM(BaseRecurrentLayer):
    """Mirrors org.deeplearning4j.nn.conf.layers.AbstractLSTM."""

    FIELDS = (Field("forgetGateBiasInit", DOUBLE, default=1.0, missing=0.0),
              Field("gateActivationFn", poly(ACTIVATIONS), default=ActivationSigmoid),
              Field("helperAllowFallback", BOOL, default=True))
    SETTERS = {"gateActivationFunction": lambda self, v: setattr(self, "gateActivationFn", to_activation(v))}

    def _lstm_specs(self, prefix="", suffix="", peephole=0):
        n_in, h = self.nIn, self.nOut
        return [ParamSpec(f"{prefix}W{suffix}", (n_in, 4 * h), "f"), ParamSpec(f"{prefix}RW{suffix}", (h, 4 * h + peephole), "f"),
                ParamSpec(f"{prefix}b{suffix}", (4 * h,), "f")]

    def paramSpecs(self):
        return self._lstm_specs()


@register
class LSTM(AbstractLSTM):
    """Mirrors org.deeplearning4j.nn.conf.layers.LSTM."""


@register
class GravesLSTM(AbstractLSTM):
    """Mirrors org.deeplearning4j.nn.conf.layers.GravesLSTM (RW [H, 4H+3]: peepholes)."""

    def paramSpecs(self):
        return self._lstm_specs(peephole=3)


@register
class GravesBidirectionalLSTM(AbstractLSTM):
    """Mirrors org.deeplearning4j.nn.conf.layers.GravesBidirectionalLSTM: WF, RWF, bF, WB, RWB, bB (sum of directions)."""

    def paramSpecs(self):
        return self._lstm_specs(suffix="F", peephole=3) + self._lstm_specs(suffix="B", peephole=3)

    def biasKeys(self):
        return ["bF", "bB"]


@register
class SimpleRnn(BaseRecurrentLayer):
    """Mirrors org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn: W [nIn, nOut] 'f', RW [nOut, nOut] 'f', b, (g [2*nOut]: input then recurrent layer-norm gains)."""

    dl4jClass = "org.deeplearning4j.nn.conf.layers.recurrent.SimpleRnn"
    FIELDS = (Field("hasLayerNorm", BOOL, default=False),)

    def paramSpecs(self):
        n_in, n = self.nIn, self.nOut
        specs = [ParamSpec("W", (n_in, n), "f"), ParamSpec("RW", (n, n), "f"), ParamSpec("b", (n,), "f")]
        if self.hasLayerNorm:
            specs.append(ParamSpec("g", (2 * n,), "f"))  # SimpleRnnParamInitializer.GAIN_KEY (checked: M2.1 paramTable 0_g [2n])
        return specs


@register
class RnnOutputLayer(_RecurrentShapes, BaseOutputLayer):
    """Mirrors org.deeplearning4j.nn.conf.layers.RnnOutputLayer (dense output applied per time step)."""

    FIELDS = (Field("rnnDataFormat", RNNF),)
    SETTERS = {"dataFormat": lambda self, v: setattr(self, "rnnDataFormat", RNNFormat.of(v))}


@register
class RnnLossLayer(LossLayer):
    """Mirrors org.deeplearning4j.nn.conf.layers.RnnLossLayer."""

    FIELDS = (Field("rnnDataFormat", RNNF, default=RNNFormat.NCW),)
    DEFAULTS = {"activationFn": None}

    def _output_type(self, inputType):
        return inputType

    def setNIn(self, inputType, override=False):
        pass

    def getPreProcessorForInputType(self, inputType):
        return preprocessor_for_rnn(inputType, self.rnnDataFormat, self._name())


_ = ActivationIdentity
