"""pydl4j_transfer.conf: DL4J 1.0.0-M2.1's configuration classes in pure Python.

Reads, edits and writes DL4J ``configuration.json`` byte-compatibly (stdlib + numpy only).
Public names are DL4J's: ``NeuralNetConfiguration.Builder().list().layer(DenseLayer.Builder()
.nIn(4).nOut(3).build())...build().toJson()``; ``MultiLayerConfiguration.fromJson(text)``.
Every polymorphic kind has one registry keyed by DL4J's ``"@class"`` (see ``REGISTRIES``).
"""

from __future__ import annotations

from . import base, enums, inputs, jsonio, preprocessors, vertices
from .base import (ACTIVATIONS, ALL_REGISTRIES, CONSTRAINTS, DISTRIBUTIONS, DROPOUTS, LAYERS, LOSSES, PREPROCESSORS,
                   REGULARIZATIONS, SCHEDULES, UPDATERS, VERTICES, WEIGHT_INITS, WEIGHT_NOISES, ConfObject, Field, Registry)
from .base import RECONSTRUCTION_DISTRIBUTIONS
from .enums import *  # noqa: F401,F403
from .graph import ComputationGraphConfiguration, GraphBuilder
from .inputs import (InputType, InputTypeConvolutional, InputTypeConvolutional3D, InputTypeConvolutionalFlat,
                     InputTypeFeedForward, InputTypeRecurrent)
from .layers import MODULES as _LAYER_MODULES
from .layers.base import BaseLayer, FeedForwardLayer, Layer, NoParamLayer, ParamSpec
from .network import ListBuilder, MultiLayerConfiguration, NeuralNetConfiguration, NeuralNetConfigurationBuilder
from .values import MODULES as _VALUE_MODULES

REGISTRIES = {r.kind: r for r in ALL_REGISTRIES}


def _attach_nested_enums():
    """Java's nested enums as attributes of their outer configuration classes (``SubsamplingLayer.PoolingType``,
    ``ElementWiseVertex.Op``, ``ConvolutionLayer.AlgoMode`` -- inherited by subclasses, as in Java)."""
    for java, enum_cls in enums.NESTED.items():
        outer, name = java.split("$")
        for registry in ALL_REGISTRIES:
            if outer in registry:
                setattr(registry.lookup(outer), name, enum_cls)


_attach_nested_enums()


def _export(module):
    names = []
    for name, obj in vars(module).items():
        if isinstance(obj, type) and issubclass(obj, ConfObject) and obj.__module__ == module.__name__ and not name.startswith("_"):
            globals()[name] = obj
            names.append(name)
    return names


_exported = []
for _m in (*_VALUE_MODULES, *_LAYER_MODULES, preprocessors, vertices):
    _exported += _export(_m)

from .values.weightinit import ArrayEmbeddingInitializer  # noqa: E402  (not JSON: outside the registries)

_exported.append("ArrayEmbeddingInitializer")

__all__ = sorted(set(_exported) | set(enums.__dict__) & {n for n in dir(enums) if not n.startswith("_") and n[0].isupper()} | {
    "ACTIVATIONS", "CONSTRAINTS", "DISTRIBUTIONS", "DROPOUTS", "LAYERS", "LOSSES", "PREPROCESSORS", "REGULARIZATIONS",
    "SCHEDULES", "UPDATERS", "VERTICES", "WEIGHT_INITS", "WEIGHT_NOISES", "REGISTRIES", "Registry", "ConfObject", "Field",
    "ComputationGraphConfiguration", "GraphBuilder", "InputType", "InputTypeConvolutional", "InputTypeConvolutional3D",
    "InputTypeConvolutionalFlat", "InputTypeFeedForward", "InputTypeRecurrent", "ListBuilder", "MultiLayerConfiguration",
    "NeuralNetConfiguration", "NeuralNetConfigurationBuilder", "ParamSpec", "jsonio", "RECONSTRUCTION_DISTRIBUTIONS"})
