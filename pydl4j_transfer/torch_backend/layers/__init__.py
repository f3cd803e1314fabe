"""Converters per layer family (importing this package fills LAYER_CONVERTERS)."""

from . import convolution, feedforward, normalization, output, pooling, recurrent, samediff, shape, wrappers  # noqa: F401
