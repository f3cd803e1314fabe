"""Wrapper layers: FrozenLayer, FrozenLayerWithBackprop, LastTimeStep, MaskZeroLayer, Bidirectional, TimeDistributed.

Wrappers have exactly the wrapped layer's parameters (Bidirectional: ``f``/``b`` prefixes).
Their ``gradientNormalization``/``gradientNormalizationThreshold`` JSON properties are read-only
getters delegating to the wrapped layer: written, ignored on input. Frozen: FrozenLayer's
updater is NoOp for every parameter (DL4J runs it in inference mode and returns no gradient).
"""

from __future__ import annotations

from pydl4j_transfer.errors import InvalidConfigurationError

from ..base import DOUBLE, LAYERS, EnumCodec, Field, poly
from ..enums import BidirectionalMode, GradientNormalization, RNNFormat
from ..inputs import InputType
from ..values.updaters import NoOp
from .base import Layer, register

LAYER = poly(LAYERS)


class _DelegatingGN(Layer):
    INNER = "underlying"

    @classmethod
    def _ignored_keys(cls):
        return ("gradientNormalization", "gradientNormalizationThreshold")

    def wrapped(self):
        """The wrapped layer configuration (FrozenLayer: ``layer``; the other wrappers: ``underlying``; Bidirectional: ``fwd``)."""
        return getattr(self, self.INNER)

    def getGradientNormalization(self):
        """Mirrors FrozenLayer/BaseWrapperLayer/Bidirectional#getGradientNormalization: the wrapped layer's."""
        return self.wrapped().getGradientNormalization()

    def getGradientNormalizationThreshold(self):
        """Mirrors FrozenLayer/BaseWrapperLayer/Bidirectional#getGradientNormalizationThreshold: the wrapped layer's."""
        return self.wrapped().getGradientNormalizationThreshold()

    def _extra_tree_items(self):
        inner = self.wrapped()
        if inner is None:
            return (("gradientNormalization", None), ("gradientNormalizationThreshold", None))
        if "gradientNormalization" in inner._attr_fields:
            return (("gradientNormalization", EnumCodec(GradientNormalization).encode(inner.gradientNormalization)),
                    ("gradientNormalizationThreshold", DOUBLE.encode(inner.gradientNormalizationThreshold)))
        items = dict(inner._extra_tree_items())
        return (("gradientNormalization", items.get("gradientNormalization")),
                ("gradientNormalizationThreshold", items.get("gradientNormalizationThreshold")))

    # params: the wrapped layer's
    def paramSpecs(self):
        return self.wrapped().paramSpecs()

    def paramKeys(self):
        return self.wrapped().paramKeys()

    def paramTableKeys(self):
        return self.wrapped().paramTableKeys()

    def constrained_layers(self, prefix: str = ""):
        """BaseWrapperLayer#applyConstraints: the wrapped layer's; FrozenLayer(WithBackprop): none."""
        return [] if self.FROZEN_PARAMS else self.wrapped().constrained_layers(prefix)

    def biasKeys(self):
        return self.wrapped().biasKeys()

    def weightKeys(self):
        return self.wrapped().weightKeys()

    def getUpdaterByParam(self, key):
        return self.wrapped().getUpdaterByParam(key)

    def _output_type(self, inputType):
        return self.wrapped()._output_type(inputType)

    def setNIn(self, inputType, override=False):
        self.wrapped().setNIn(inputType, override)

    def getPreProcessorForInputType(self, inputType):
        return self.wrapped().getPreProcessorForInputType(inputType)

    def _set_name(self, name):
        self.layerName = name
        if self.wrapped() is not None:
            self.wrapped()._set_name(name) if hasattr(self.wrapped(), "_set_name") else setattr(self.wrapped(), "layerName", name)


def _unwrap_last_time_step(layer):
    return layer.underlying if type(layer).__name__ == "LastTimeStep" else layer


def _inner_setter(attr):
    return lambda self, v: setattr(self, attr, v)


@register
class FrozenLayer(_DelegatingGN):
    """Mirrors org.deeplearning4j.nn.conf.layers.misc.FrozenLayer (property ``layer``): params kept, NoOp updater."""

    dl4jClass = "org.deeplearning4j.nn.conf.layers.misc.FrozenLayer"
    INNER = "layer"
    RUNTIME_WRAPS = True
    FROZEN_PARAMS = True
    FIELDS = (Field("layer", LAYER),)
    KEY_ORDER = ("layer",)  # Jackson creator property first
    POSITIONAL = ("layer",)
    BUILDER_POSITIONAL = ()

    #: False for a freeze DL4J keeps at run time only and cannot write: TransferLearningHelper freezing a
    #: VariationalAutoencoder in place (DL4J's FrozenLayer cannot hold one). The network runs it frozen; its JSON,
    #: and so a saved zip, holds the bare layer, as DL4J's toJson and writeModel of the same network do.
    persisted = True

    def getUpdaterByParam(self, key):
        return NoOp()

    def _to_tree(self) -> dict:
        return super()._to_tree() if self.persisted else self.layer._to_tree()

    def runtime_class_name(self) -> str:
        return "Frozen " + self.layer.runtime_class_name()  # DL4J's FrozenLayer#toString-style summary name


@register
class FrozenLayerWithBackprop(_DelegatingGN):
    """Mirrors org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop (property ``underlying``).

    Frozen (inference mode, zero gradient) but passes the epsilon back; DL4J still uses the
    inner layer's updater config.
    """

    dl4jClass = "org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop"
    RUNTIME_WRAPS = True
    FROZEN_PARAMS = True
    FIELDS = (Field("underlying", LAYER),)
    POSITIONAL = ("underlying",)
    SETTERS = {"layer": _inner_setter("underlying")}


@register
class LastTimeStep(_DelegatingGN):
    """Mirrors org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep (RNN -> FF of the last step)."""

    dl4jClass = "org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep"
    RUNTIME_NAME = "LastTimeStepLayer"
    RUNTIME_WRAPS = True
    FIELDS = (Field("underlying", LAYER),)
    POSITIONAL = ("underlying",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if args and self.underlying is not None and self.layerName is None:
            self.layerName = self.underlying.layerName  # M2.1 LastTimeStep(Layer): "needed for keras import"

    def variables(self):
        return []  # DL4J's init does not register the wrapped layer's keys here

    def _output_type(self, inputType):
        out = self.underlying._output_type(inputType)
        return InputType.feedForward(out.size)


@register
class MaskZeroLayer(_DelegatingGN):
    """Mirrors org.deeplearning4j.nn.conf.layers.util.MaskZeroLayer (masks time steps equal to maskingValue)."""

    dl4jClass = "org.deeplearning4j.nn.conf.layers.util.MaskZeroLayer"
    RUNTIME_WRAPS = True
    FIELDS = (Field("maskingValue", DOUBLE, default=0.0), Field("underlying", LAYER))
    POSITIONAL = ("underlying", "maskingValue")
    KEY_ORDER = ("maskingValue", "underlying")
    SETTERS = {"setMaskValue": lambda self, v: setattr(self, "maskingValue", float(v)),
               "setUnderlying": _inner_setter("underlying")}

    def variables(self):
        return []


@register
class Bidirectional(_DelegatingGN):
    """Mirrors org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional (``Bidirectional([mode,] layer)``).

    ``bwd`` is a copy of ``fwd``; params: every ``fwd`` key prefixed ``f`` then every key prefixed ``b``.
    ``nin``/``nout``/``rnndataFormat`` are read-only getters (nout doubles for CONCAT).
    """

    dl4jClass = "org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional"
    INNER = "fwd"
    RUNTIME_NAME = "BidirectionalLayer"
    FIELDS = (Field("bwd", LAYER), Field("fwd", LAYER), Field("mode", EnumCodec(BidirectionalMode),
                                                            default=BidirectionalMode.CONCAT, missing=None))

    def __init__(self, *args, **kwargs):
        if len(args) == 1:
            kwargs["fwd"] = args[0]
        elif len(args) == 2:
            kwargs["mode"], kwargs["fwd"] = args
        super().__init__(**kwargs)

    def _on_build(self):
        if self.fwd is not None and self.bwd is None:
            self.bwd = self.fwd.clone()
        if self.fwd is not None:
            super()._on_build()

    @classmethod
    def _ignored_keys(cls):
        return ("gradientNormalization", "gradientNormalizationThreshold", "nin", "nout", "rnndataFormat")

    def _extra_tree_items(self):
        f = self.fwd
        # M2.1's getters: a LastTimeStep fwd reports its underlying layer's nIn / nOut (nOut not doubled);
        # getRNNDataFormat is TimeSeriesUtils.getFormatFromRnnLayer(fwd) (through wrappers)
        if type(f).__name__ == "LastTimeStep":
            n_in, n_out = getattr(f.underlying, "nIn", 0), getattr(f.underlying, "nOut", 0)
        else:
            n_in, n_out = getattr(f, "nIn", 0), getattr(f, "nOut", 0)
            if self.mode == BidirectionalMode.CONCAT:
                n_out *= 2
        inner = f
        while inner is not None and not hasattr(inner, "rnnDataFormat") and hasattr(inner, "underlying"):
            inner = inner.underlying
        fmt = getattr(inner, "rnnDataFormat", None)
        return tuple(super()._extra_tree_items()) + (("nin", n_in), ("nout", n_out),
                                                     ("rnndataFormat", EnumCodec(RNNFormat).encode(fmt)))

    def getNIn(self):
        """Mirrors Bidirectional#getNIn: the wrapped layer's nIn (LastTimeStep: its underlying layer's)."""
        return _unwrap_last_time_step(self.fwd).nIn

    def getNOut(self):
        """Mirrors Bidirectional#getNOut: the wrapped layer's nOut, doubled for Mode.CONCAT."""
        inner = self.fwd
        if type(inner).__name__ == "LastTimeStep":
            return inner.underlying.nOut
        return inner.nOut * 2 if self.mode == BidirectionalMode.CONCAT else inner.nOut

    def getRNNDataFormat(self):
        """Mirrors Bidirectional#getRNNDataFormat (TimeSeriesUtils.getFormatFromRnnLayer of the wrapped layer)."""
        inner = self.fwd
        while inner is not None and getattr(inner, "rnnDataFormat", None) is None and inner.RUNTIME_WRAPS:
            inner = inner.wrapped()
        return getattr(inner, "rnnDataFormat", None) or RNNFormat.NCW

    def paramSpecs(self):
        return ([p._replace(key="f" + p.key) for p in self.fwd.paramSpecs()]
                + [p._replace(key="b" + p.key) for p in self.bwd.paramSpecs()])

    def paramKeys(self):
        return ["f" + k for k in self.fwd.paramKeys()] + ["b" + k for k in self.bwd.paramKeys()]

    def biasKeys(self):
        return ["f" + k for k in self.fwd.biasKeys()] + ["b" + k for k in self.bwd.biasKeys()]

    def weightKeys(self):
        return [k for k in self.paramKeys() if k not in self.biasKeys()]

    def getUpdaterByParam(self, key):
        return self.fwd.getUpdaterByParam(key[1:])

    def paramTableKeys(self):
        return ["f" + k for k in self.fwd.paramTableKeys()] + ["b" + k for k in self.bwd.paramTableKeys()]

    def constrained_layers(self, prefix: str = ""):
        """BidirectionalLayer#applyConstraints: fwd then bwd, keys "f..." / "b..."."""
        return self.fwd.constrained_layers(prefix + "f") + self.bwd.constrained_layers(prefix + "b")

    def _output_type(self, inputType):
        out = self.fwd._output_type(inputType)
        if self.mode == BidirectionalMode.CONCAT and out.type != "RNN":
            return InputType.feedForward(out.size * 2)
        if self.mode == BidirectionalMode.CONCAT:
            # M2.1 returns InputType.recurrent(2 * size, getRNNDataFormat()): no timeSeriesLength, and the
            # fwd layer's rnnDataFormat (checked against the jar)
            return InputType.recurrent(out.size * 2, getattr(self.fwd, "rnnDataFormat", None) or RNNFormat.NCW)
        return out

    def setNIn(self, inputType, override=False):
        self.fwd.setNIn(inputType, override)
        self.bwd.setNIn(inputType, override)

    def _set_name(self, name):
        self.layerName = name
        for inner in (self.fwd, self.bwd):
            if inner is not None:
                inner._set_name(name)  # DL4J: fwd/bwd.setLayerName, which a wrapper passes on to its underlying


@register
class TimeDistributed(_DelegatingGN):
    """Mirrors org.deeplearning4j.nn.conf.layers.recurrent.TimeDistributed (``TimeDistributed(underlying[,
    rnnDataFormat])``): the wrapped (feed-forward) layer applied to every time step of [mb, size, T] (NCW) or
    [mb, T, size] (NWC) input, the time axis folded into the minibatch.

    ``setNIn`` takes the format from the input type (whatever the constructor was given) and gives the wrapped layer
    ``feedForward(size)``; no preprocessor (the wrapper is the preprocessor). Params: the wrapped layer's."""

    dl4jClass = "org.deeplearning4j.nn.conf.layers.recurrent.TimeDistributed"
    RUNTIME_NAME = "TimeDistributedLayer"
    RUNTIME_WRAPS = True
    # the Jackson creator's rnnDataFormat is null when the key is missing; the one-argument constructor keeps NCW
    FIELDS = (Field("rnnDataFormat", EnumCodec(RNNFormat), default=RNNFormat.NCW, missing=None),
              Field("underlying", LAYER))
    POSITIONAL = ("underlying", "rnnDataFormat")
    KEY_ORDER = ("rnnDataFormat", "underlying")  # Jackson creator properties first

    def variables(self):
        return []  # DL4J's instantiate initialises the wrapped layer on a cloned NeuralNetConfiguration

    def getOutputType(self, *args):
        """Mirrors TimeDistributed#getOutputType(layerIndex, inputType)."""
        index = args[0] if len(args) > 1 else -1
        return self._output_type(args[-1], index)

    def _output_type(self, inputType, index=-1):
        self._check_rnn(inputType, f" (layer #{index})")
        out = self.underlying.getOutputType(index, InputType.feedForward(inputType.size))
        return InputType.recurrent(out.arrayElementsPerExample(), inputType.timeSeriesLength,
                                   self.rnnDataFormat or RNNFormat.NCW)

    def setNIn(self, inputType, override=False):
        """Mirrors TimeDistributed#setNIn: the input's format, and feedForward(size) for the wrapped layer."""
        self._check_rnn(inputType, "")
        self.rnnDataFormat = inputType.format
        self.underlying.setNIn(InputType.feedForward(inputType.size), override)

    def getPreProcessorForInputType(self, inputType):
        """Mirrors TimeDistributed#getPreProcessorForInputType: none (the wrapper reshapes)."""
        return None

    def _check_rnn(self, inputType, where):
        if inputType is None or inputType.type != "RNN":
            raise InvalidConfigurationError(
                f"Only RNN input type is supported as input to TimeDistributed layer{where} (layer"
                f" {self.layerName!r}), got {inputType}")


_ = RNNFormat
