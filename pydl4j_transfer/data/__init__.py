"""Layer 2.5: data (DataSet, iterators, normalizers), numpy only; torch adapters import torch lazily."""

from pydl4j_transfer.data.normalizers import (
    ImagePreProcessingScaler,
    NormalizerMinMaxScaler,
    NormalizerStandardize,
    OpaqueNormalizer,
    read_normalizer,
    write_normalizer,
)

__all__ = ["ImagePreProcessingScaler", "NormalizerMinMaxScaler", "NormalizerStandardize", "OpaqueNormalizer",
           "read_normalizer", "write_normalizer"]
