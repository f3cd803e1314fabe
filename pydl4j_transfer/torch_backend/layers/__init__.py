"""Converters per layer family (importing this package fills LAYER_CONVERTERS)."""

from . import attention, convolution, ocnn, feedforward, normalization, output, pooling, recurrent, shape, wrappers  # noqa: F401
