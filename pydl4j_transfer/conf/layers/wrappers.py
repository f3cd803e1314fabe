"""Wrapper layers: FrozenLayer, FrozenLayerWithBackprop, LastTimeStep, MaskZeroLayer, Bidirectional.

Wrappers have exactly the wrapped layer's parameters (Bidirectional: ``f``/``b`` prefixes).
Their ``gradientNormalization``/``gradientNormalizationThreshold`` JSON properties are read-only
getters delegating to the wrapped layer: written, ignored on input. Frozen: FrozenLayer's
updater is NoOp for every parameter (DL4J runs it in inference mode and returns no gradient).
"""

from __future__ import annotations

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

    def _inner(self):
        return getattr(self, self.INNER)

    def _extra_tree_items(self):
        inner = self._inner()
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
        return self._inner().paramSpecs()

    def paramKeys(self):
        return self._inner().paramKeys()

    def biasKeys(self):
        return self._inner().biasKeys()

    def weightKeys(self):
        return self._inner().weightKeys()

    def getUpdaterByParam(self, key):
        return self._inner().getUpdaterByParam(key)

    def _output_type(self, inputType):
        return self._inner()._output_type(inputType)

    def setNIn(self, inputType, override=False):
        self._inner().setNIn(inputType, override)

    def getPreProcessorForInputType(self, inputType):
        return self._inner().getPreProcessorForInputType(inputType)

    def _set_name(self, name):
        self.layerName = name
        if self._inner() is not None:
            self._inner()._set_name(name) if hasattr(self._inner(), "_set_name") else setattr(self._inner(), "layerName", name)


def _inner_setter(attr):
    return lambda self, v: setattr(self, attr, v)


@register
class FrozenLayer(_DelegatingGN):
    """Mirrors org.deeplearning4j.nn.conf.layers.misc.FrozenLayer (property ``layer``): params kept, NoOp updater."""

    dl4jClass = "org.deeplearning4j.nn.conf.layers.misc.FrozenLayer"
    INNER = "layer"
    FIELDS = (Field("layer", LAYER),)
    KEY_ORDER = ("layer",)  # Jackson creator property first
    POSITIONAL = ("layer",)
    BUILDER_POSITIONAL = ()

    def getUpdaterByParam(self, key):
        return NoOp()


@register
class FrozenLayerWithBackprop(_DelegatingGN):
    """Mirrors org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop (property ``underlying``).

    Frozen (inference mode, zero gradient) but passes the epsilon back; DL4J still uses the
    inner layer's updater config.
    """

    dl4jClass = "org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop"
    FIELDS = (Field("underlying", LAYER),)
    POSITIONAL = ("underlying",)
    SETTERS = {"layer": _inner_setter("underlying")}


@register
class LastTimeStep(_DelegatingGN):
    """Mirrors org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep (RNN -> FF of the last step)."""

    dl4jClass = "org.deeplearning4j.nn.conf.layers.recurrent.LastTimeStep"
    FIELDS = (Field("underlying", LAYER),)
    POSITIONAL = ("underlying",)

    def variables(self):
        return []  # DL4J's init does not register the wrapped layer's keys here

    def _output_type(self, inputType):
        out = self.underlying._output_type(inputType)
        return InputType.feedForward(out.size)


@register
class MaskZeroLayer(_DelegatingGN):
    """Mirrors org.deeplearning4j.nn.conf.layers.util.MaskZeroLayer (masks time steps equal to maskingValue)."""

    dl4jClass = "org.deeplearning4j.nn.conf.layers.util.MaskZeroLayer"
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
        n_out = getattr(f, "nOut", 0)
        if self.mode == BidirectionalMode.CONCAT:
            n_out *= 2
        fmt = getattr(f, "rnnDataFormat", None)
        return tuple(super()._extra_tree_items()) + (("nin", getattr(f, "nIn", 0)), ("nout", n_out),
                                                     ("rnndataFormat", EnumCodec(RNNFormat).encode(fmt)))

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
                inner.layerName = name


_ = RNNFormat
