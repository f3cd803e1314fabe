"""The Keras-class mappers, one module per family (importing this package fills the registry of layer.py)."""

from . import convolutional, core, embeddings, pooling, recurrent  # noqa: F401
