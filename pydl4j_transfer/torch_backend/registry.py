"""The converter registries: DL4J ``"@class"`` -> a small function building the torch module.

One registry per kind (layers, graph vertices, input preprocessors, activations, dropouts),
keyed by the full DL4J class name exactly as it appears in configuration.json. A duplicate
registration or a lookup miss is an error naming the key (a miss is
:class:`~pydl4j_transfer.errors.UnsupportedLayerError`, carrying the layer/vertex name).

Classes that are deliberately not converted are listed in :data:`UNSUPPORTED` with the reason;
``tests/torch_backend/test_registry.py`` checks that every class of every conf registry is in
exactly one of the two places, so this table cannot drift from ``pydl4j_transfer.conf``.
"""

from __future__ import annotations

from pydl4j_transfer.errors import InvalidConfigurationError, UnsupportedLayerError

_NN = "org.deeplearning4j.nn.conf."
_L = _NN + "layers."

#: DL4J classes with no torch converter, and why. A lookup of one of these raises
#: UnsupportedLayerError with the reason as its hint.
UNSUPPORTED: dict = {
    # "<@class>": "<why>"   -- every class of the layer / vertex / preprocessor / activation / dropout
    # registries of pydl4j_transfer.conf currently has a converter, so this table is empty.
}


class ConverterRegistry:
    """``"@class"`` -> converter function, for one kind of DL4J object."""

    def __init__(self, kind: str):
        self.kind = kind
        self._fns: dict = {}

    def register(self, *dl4j_classes):
        """Decorator: ``@LAYER_CONVERTERS.register("org...DenseLayer", ...)``."""
        def deco(fn):
            for key in dl4j_classes:
                if key in self._fns:
                    raise InvalidConfigurationError(
                        f"duplicate torch {self.kind} converter for {key!r}: {self._fns[key].__qualname__} and {fn.__qualname__}")
                self._fns[key] = fn
            return fn
        return deco

    def lookup(self, dl4j_class: str, where: str | None = None):
        try:
            return self._fns[dl4j_class]
        except KeyError:
            hint = UNSUPPORTED.get(dl4j_class, "") or (
                "the torch backend has no converter for it; run the model with backend='dl4j', or open an issue"
                " with the model's configuration.json")
            raise UnsupportedLayerError(dl4j_class, where, what=self.kind, hint=hint) from None

    def convert(self, obj, *args, where: str | None = None, **kwargs):
        """Look up ``obj``'s ``dl4jClass`` and call its converter with ``(obj, *args)``."""
        return self.lookup(dl4j_class_of(obj), where)(obj, *args, **kwargs)

    def __contains__(self, key):
        return key in self._fns

    def __iter__(self):
        return iter(self._fns)

    def __len__(self):
        return len(self._fns)

    def __repr__(self):
        return f"ConverterRegistry({self.kind!r}, {len(self)} classes)"


def dl4j_class_of(obj) -> str:
    """The DL4J ``"@class"`` of a conf object (unknown JSON classes keep theirs too)."""
    return getattr(obj, "dl4jClass", None) or type(obj).__name__


LAYER_CONVERTERS = ConverterRegistry("layer")
VERTEX_CONVERTERS = ConverterRegistry("graph vertex")
PREPROCESSOR_CONVERTERS = ConverterRegistry("input preprocessor")
ACTIVATION_CONVERTERS = ConverterRegistry("activation")
DROPOUT_CONVERTERS = ConverterRegistry("dropout")
WEIGHT_NOISE_CONVERTERS = ConverterRegistry("weight noise")

#: conf registry kind -> converter registry (the coverage test walks this)
BY_CONF_KIND = {
    "layer": LAYER_CONVERTERS,
    "graph vertex": VERTEX_CONVERTERS,
    "input preprocessor": PREPROCESSOR_CONVERTERS,
    "activation": ACTIVATION_CONVERTERS,
    "dropout": DROPOUT_CONVERTERS,
    "weight noise": WEIGHT_NOISE_CONVERTERS,
}

