"""The converter registries: a DL4J configuration class -> a small function building its torch module.

One registry per kind (layers, graph vertices, input preprocessors, activations, dropouts, weight noise),
each a :class:`pydl4j_transfer.registry.Registry` keyed by the configuration class it serves::

    @LAYER_CONVERTERS.register(DenseLayer)
    def _dense(conf, ctx): ...

(a module class whose constructor takes ``(conf, ctx)`` can be the converter itself). A duplicate
registration or a lookup miss is an error naming the key (a miss is
:class:`~pydl4j_transfer.errors.UnsupportedLayerError`, carrying the layer/vertex name).

Classes that are deliberately not converted are listed in :data:`UNSUPPORTED` with the reason;
``tests/torch_backend/test_registry.py`` checks that every class of every conf registry is in
exactly one of the two places, so this table cannot drift from ``pydl4j_transfer.conf``.
"""

from __future__ import annotations

from pydl4j_transfer.registry import Registry, dl4j_class_of

#: DL4J classes with no torch converter, and why. A lookup of one of these raises
#: UnsupportedLayerError with the reason as its hint.
UNSUPPORTED: dict = {
    # "<@class>": "<why>"   -- every class of the layer / vertex / preprocessor / activation / dropout
    # registries of pydl4j_transfer.conf currently has a converter, so this table is empty.
}


def _hint(dl4j_class: str) -> str:
    return UNSUPPORTED.get(dl4j_class, "") or (
        "the torch backend has no converter for it; run the model with backend='dl4j', or open an issue"
        " with the model's configuration.json")


def _converters(kind: str) -> Registry:
    return Registry(kind, hint=_hint)


LAYER_CONVERTERS = _converters("layer")
VERTEX_CONVERTERS = _converters("graph vertex")
PREPROCESSOR_CONVERTERS = _converters("input preprocessor")
ACTIVATION_CONVERTERS = _converters("activation")
DROPOUT_CONVERTERS = _converters("dropout")
WEIGHT_NOISE_CONVERTERS = _converters("weight noise")

#: conf registry kind -> converter registry (the coverage test walks this)
BY_CONF_KIND = {
    "layer": LAYER_CONVERTERS,
    "graph vertex": VERTEX_CONVERTERS,
    "input preprocessor": PREPROCESSOR_CONVERTERS,
    "activation": ACTIVATION_CONVERTERS,
    "dropout": DROPOUT_CONVERTERS,
    "weight noise": WEIGHT_NOISE_CONVERTERS,
}

__all__ = ["Registry", "dl4j_class_of", "UNSUPPORTED", "BY_CONF_KIND", "LAYER_CONVERTERS", "VERTEX_CONVERTERS",
           "PREPROCESSOR_CONVERTERS", "ACTIVATION_CONVERTERS", "DROPOUT_CONVERTERS", "WEIGHT_NOISE_CONVERTERS"]
