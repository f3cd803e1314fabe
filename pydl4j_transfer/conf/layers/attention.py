"""Attention: SelfAttentionLayer, LearnedSelfAttentionLayer, RecurrentAttentionLayer (SameDiff layers) and the
graph vertex AttentionVertex (a SameDiff vertex).

DL4J 1.0.0-M2.1 defines them with SameDiff's ``multiHeadDotProductAttention`` (``projectInput=true``) or
``dotProductAttention``; the math is in ``torch_backend/layers/attention.py``. Parameters (``defineParameters``,
every one a weight, 'c' order, in this order):

=========================  ===============================================================================
layer                      parameters
=========================  ===============================================================================
SelfAttentionLayer         (projectInput) Wq, Wk, Wv [nHeads, headSize, nIn], Wo [nHeads*headSize, nOut]
LearnedSelfAttentionLayer  Q [1, nIn, nQueries]; (projectInput) Wq, Wk, Wv [nHeads, headSize, nIn], Wo
RecurrentAttentionLayer    W [nIn, nOut], RW [nOut, nOut]; (projectInput) Wq [nHeads, headSize, nOut],
                           Wk, Wv [nHeads, headSize, nIn], Wo [nHeads*headSize, nOut]; then the bias b [nOut]
AttentionVertex            (projectInput) Wq [nHeads, headSize, nInQueries], Wk [.., nInKeys],
                           Wv [.., nInValues], Wo [nHeads*headSize, nOut]
=========================  ===============================================================================

``headSize`` defaults to ``nOut / nHeads`` (integer division) when the builder leaves it 0. None of them is a
FeedForwardLayer in DL4J: TransferLearning's nOutReplace/nInReplace refuse them (and skip them as the "next" layer).
"""

from __future__ import annotations

from pydl4j_transfer.errors import InvalidConfigurationError

from ..base import BOOL, INT, LONG, VERTICES, EnumCodec, Field
from ..enums import Activation, RNNFormat, WeightInit
from ..inputs import InputType
from ..preprocessors import preprocessor_for_rnn
from .base import register
from .samediff import SameDiffLayer, SameDiffVertex, SDLayerParams, SDVertexParams

_LAYER_FIELDS = (Field("headSize", LONG, default=0), Field("nheads", INT, attr="nHeads", default=0),
                 Field("nin", LONG, attr="nIn", default=0), Field("nout", LONG, attr="nOut", default=0),
                 Field("projectInput", BOOL, default=False))


def _check(condition, message, where):
    if not condition:
        raise InvalidConfigurationError(f"{where}: {message}")


class _AttentionLayer(SameDiffLayer):
    """Shared: the builder's checks, headSize, nIn from the input type, the RNN preprocessor."""

    FIELDS = _LAYER_FIELDS
    #: DL4J's name for the layer in its IllegalStateException messages
    WHAT = "Self Attention"

    def _on_build(self):
        where = self._name()
        # Builder#build's preconditions, in DL4J's order and words
        _check(self.projectInput or self.nHeads == 1, "projectInput must be true when nHeads != 1", where)
        _check(self.projectInput or self.nIn == self.nOut, "nIn must be equal to nOut when projectInput is false", where)
        _check(not self.projectInput or self.nOut != 0, "nOut must be specified when projectInput is true", where)
        _check(self.nHeads != 0, "nHeads must be set (DL4J: ArithmeticException: / by zero)", where)
        _check(self.nOut % self.nHeads == 0 or self.headSize > 0,
               "nOut isn't divided by nHeads cleanly. Specify the headSize manually.", where)
        self._check_more(where)
        if self.headSize == 0:
            self.headSize = int(self.nOut) // int(self.nHeads)  # Java long division
        super()._on_build()

    def _check_more(self, where):
        pass

    def _check_rnn(self, inputType, what):
        if inputType is None or inputType.type != "RNN":
            raise InvalidConfigurationError(
                f"Invalid input for {self.WHAT} layer ({what}layer name = \"{self.layerName}\"): expect RNN input type"
                f" with size > 0. Got: {inputType}")

    def getOutputType(self, *args):
        """Mirrors Layer#getOutputType(layerIndex, inputType)."""
        index = f"layer index = {args[0]}, " if len(args) > 1 else ""
        self._check_rnn(args[-1], index)
        return self._output_type(args[-1])

    def setNIn(self, inputType, override=False):
        """Mirrors setNIn: RNN input only; nIn = the input's size when unset (or ``override``)."""
        self._check_rnn(inputType, "")
        if self.nIn <= 0 or override:
            self.nIn = int(inputType.size)

    def getPreProcessorForInputType(self, inputType):
        """Mirrors InputTypeUtil.getPreprocessorForInputTypeRnnLayers(inputType, RNNFormat.NCW, layerName)."""
        return preprocessor_for_rnn(inputType, RNNFormat.NCW, self._name())

    def _projection_params(self, params, n_queries_in):
        h, hs = int(self.nHeads), int(self.headSize)
        params.addWeightParam("Wq", h, hs, n_queries_in)
        params.addWeightParam("Wk", h, hs, int(self.nIn))
        params.addWeightParam("Wv", h, hs, int(self.nIn))
        params.addWeightParam("Wo", h * hs, int(self.nOut))

    def initWeightsFor(self, key):
        # initializeParameters: Wo draws with fan (nIn, headSize), the others with (nHeads*headSize, nOut)
        if key == "Wo":
            return self._scheme(), float(self.nIn), float(self.headSize)
        return self._scheme(), float(self.nHeads * self.headSize), float(self.nOut)

    def _scheme(self):
        if self.weightInit is None:
            raise InvalidConfigurationError(f"{self._name()}: weightInit is not set (DL4J: NullPointerException)")
        return WeightInit.of(self.weightInit).getWeightInitFunction()


@register
class SelfAttentionLayer(_AttentionLayer):
    """Mirrors org.deeplearning4j.nn.conf.layers.SelfAttentionLayer: dot-product self attention over the time steps
    of [mb, nIn, T] (NCW); multi-head with Wq/Wk/Wv/Wo when ``projectInput``. Always scaled by 1/sqrt(key size)."""

    def _output_type(self, inputType):
        return InputType.recurrent(self.nOut if self.projectInput else self.nIn, inputType.timeSeriesLength)

    def defineParameters(self, params: SDLayerParams):
        params.clear()
        if self.projectInput:
            self._projection_params(params, int(self.nIn))


@register
class LearnedSelfAttentionLayer(_AttentionLayer):
    """Mirrors org.deeplearning4j.nn.conf.layers.LearnedSelfAttentionLayer: ``nQueries`` learned queries Q attend
    over the input's time steps (output [mb, nOut or nIn, nQueries]); the features mask is used, then dropped."""

    FIELDS = (Field("nqueries", INT, attr="nQueries", default=0),)
    WHAT = "Learned Self Attention"

    def _check_more(self, where):
        _check(self.nQueries > 0, "You must set numQueries.", where)

    def _output_type(self, inputType):
        return InputType.recurrent(self.nOut if self.projectInput else self.nIn, self.nQueries)

    def defineParameters(self, params: SDLayerParams):
        params.clear()
        params.addWeightParam("Q", 1, int(self.nIn), int(self.nQueries))
        if self.projectInput:
            self._projection_params(params, int(self.nIn))

    def initWeightsFor(self, key):
        if key == "Q":
            return self._scheme(), float(self.nIn), float(self.nQueries)
        return super().initWeightsFor(key)


#: Activation.asSameDiff (M2.1): the activations RecurrentAttentionLayer can run; others throw
#: UnsupportedOperationException("Activation function not yet supported: X"). LEAKYRELU is leakyRelu(x, 0.0).
SAMEDIFF_ACTIVATIONS = ("CUBE", "ELU", "HARDTANH", "IDENTITY", "LEAKYRELU", "RELU", "SIGMOID", "SOFTMAX", "SOFTPLUS",
                        "SOFTSIGN", "TANH", "GELU")


def _from_iactivation(value):
    """Mirrors SameDiffLayerUtils.fromIActivation: an IActivation object -> its Activation constant."""
    from .. import base

    if isinstance(value, base.ConfObject):
        from ..enums import ACTIVATION_TABLE

        for name, (cls_name, _) in ACTIVATION_TABLE.items():
            if value.dl4jClass == cls_name:
                return name
        raise InvalidConfigurationError(f"Unknown activation function: {type(value).__name__}")
    return value


@register
class RecurrentAttentionLayer(_AttentionLayer):
    """Mirrors org.deeplearning4j.nn.conf.layers.RecurrentAttentionLayer:
    a_t = act(x_t·W + b + attention(a_{t-1}, x, x)·RW), a_0 without the attention term; output [mb, nOut, T].

    The SameDiff graph is unrolled over the first input's T: later inputs must have the same length
    ("This layer only supports fixed length mini-batches"); ``timeSteps`` records it (DL4J writes it to JSON)."""

    FIELDS = (Field("activation", EnumCodec(Activation), default=Activation.TANH, missing=None),
              Field("hasBias", BOOL, default=True, missing=False),
              Field("timeSteps", INT, default=0))
    DEFAULTS = {"projectInput": True}
    SETTERS = {"activation": lambda self, v: setattr(self, "activation", None if v is None else Activation.of(
        _from_iactivation(v)))}
    WHAT = "Recurrent Attention"

    def _output_type(self, inputType):
        return InputType.recurrent(self.nOut, inputType.timeSeriesLength)

    def defineParameters(self, params: SDLayerParams):
        params.clear()
        params.addWeightParam("W", int(self.nIn), int(self.nOut))
        params.addWeightParam("RW", int(self.nOut), int(self.nOut))
        if self.hasBias:
            params.addBiasParam("b", int(self.nOut))
        if self.projectInput:
            h, hs = int(self.nHeads), int(self.headSize)
            params.addWeightParam("Wq", h, hs, int(self.nOut))
            params.addWeightParam("Wk", h, hs, int(self.nIn))
            params.addWeightParam("Wv", h, hs, int(self.nIn))
            params.addWeightParam("Wo", h * hs, int(self.nOut))

    def initWeightsFor(self, key):
        if key == "b":
            return None
        if key == "W":
            return self._scheme(), float(self.nIn), float(self.nOut)
        if key == "RW":
            return self._scheme(), float(self.nOut), float(self.nOut)
        return super().initWeightsFor(key)

    def applyGlobalConfigToLayer(self, b):
        """Mirrors applyGlobalConfigToLayer: an unset activation takes the global one (SameDiffLayerUtils.fromIActivation)."""
        if self.activation is None:
            self.activation = Activation.of(_from_iactivation(b.activationFn))


@VERTICES.register
class AttentionVertex(SameDiffVertex):
    """Mirrors org.deeplearning4j.nn.conf.graph.AttentionVertex: inputs (queries, keys, values), all [mb, n, T];
    output [mb, nOut (nInValues without projectInput), T of the queries].

    ``AttentionVertex()`` is Java's no-arg constructor (no checks); ``AttentionVertex(nOut=..., ...)`` and
    ``AttentionVertex.Builder()...build()`` are the builder (checks, headSize and weightInit defaults)."""

    dl4jClass = "org.deeplearning4j.nn.conf.graph.AttentionVertex"
    FIELDS = (Field("headSize", LONG, default=0), Field("nheads", INT, attr="nHeads", default=1),
              Field("ninKeys", LONG, attr="nInKeys", default=0), Field("ninQueries", LONG, attr="nInQueries", default=0),
              Field("ninValues", LONG, attr="nInValues", default=0), Field("nout", LONG, attr="nOut", default=0),
              Field("projectInput", BOOL, default=False), Field("weightInit", EnumCodec(WeightInit)))
    SETTERS = {"weightInit": lambda self, v: setattr(self, "weightInit", None if v is None else WeightInit.of(v))}

    def __init__(self, *args, **kwargs):
        if not args and not kwargs:  # @NoArgsConstructor
            fresh = type(self)._new_with_defaults()
            self.__dict__.update(fresh.__dict__)
            return
        super().__init__(*args, **kwargs)

    def _on_build(self):
        """Mirrors AttentionVertex.Builder#build."""
        self.nHeads = 1 if not self.nHeads else self.nHeads
        self.weightInit = WeightInit.XAVIER if self.weightInit is None else self.weightInit
        where = "AttentionVertex"
        _check(self.nOut > 0, "You have to set nOut", where)
        _check(self.nInKeys > 0, "You have to set nInKeys", where)
        _check(self.nInQueries > 0, "You have to set nInQueries", where)
        _check(self.nInValues > 0, "You have to set nInValues", where)
        _check(self.headSize > 0 or self.nOut % self.nHeads == 0,
               "You have to set a head size if nOut isn't cleanly divided by nHeads", where)
        _check(self.projectInput or (self.nInQueries == self.nInKeys == self.nInValues == self.nOut and self.nHeads == 1),
               "You may only disable projectInput if all nIn* equal to nOut and you want to use only a single attention"
               " head", where)
        self.headSize = int(self.nOut) // int(self.nHeads) if self.headSize == 0 else self.headSize

    def clone(self):
        """Mirrors AttentionVertex#clone: a new vertex with the attention fields only (updater, regularization,
        gradient normalization, name and dataType are NOT copied; DL4J's graph builders re-apply the global ones)."""
        out = AttentionVertex()
        for attr in ("nInKeys", "nInValues", "nInQueries", "nOut", "headSize", "nHeads", "projectInput", "weightInit"):
            setattr(out, attr, getattr(self, attr))
        return out

    def defineParametersAndInputs(self, params: SDVertexParams):
        params.clear()
        params.defineInputs("queries", "keys", "values")
        if self.projectInput:
            h, hs = int(self.nHeads), int(self.headSize)
            params.addWeightParam("Wq", h, hs, int(self.nInQueries))
            params.addWeightParam("Wk", h, hs, int(self.nInKeys))
            params.addWeightParam("Wv", h, hs, int(self.nInValues))
            params.addWeightParam("Wo", h * hs, int(self.nOut))

    def getOutputType(self, layerIndex, *inputTypes):
        """Mirrors AttentionVertex#getOutputType: recurrent(nOut or nInValues, the queries' timeSeriesLength)."""
        if not inputTypes or inputTypes[0] is None or inputTypes[0].type != "RNN":
            raise InvalidConfigurationError(
                f"AttentionVertex {self.name or ''!s}: the queries input must be recurrent (InputTypeRecurrent), got"
                f" {inputTypes[0] if inputTypes else None} (DL4J: ClassCastException)")
        size = self.nOut if self.projectInput else self.nInValues
        return InputType.recurrent(size, inputTypes[0].timeSeriesLength)

    def initWeightsFor(self, key):
        if self.weightInit is None:
            raise InvalidConfigurationError(f"AttentionVertex {self.name!r}: weightInit is not set (DL4J: NullPointerException)")
        scheme = WeightInit.of(self.weightInit).getWeightInitFunction()
        fans = {"Wq": self.nInQueries, "Wk": self.nInKeys, "Wv": self.nInValues}
        if key in fans:
            return scheme, float(fans[key]), float(self.headSize)
        return scheme, float(self.nHeads * self.headSize), float(self.nOut)
