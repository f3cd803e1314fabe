"""Keras import as DL4J does it: ``KerasModelImport`` and the Keras-class mappers.

Mirrors org.deeplearning4j.nn.modelimport.keras (deeplearning4j-modelimport 1.0.0-M2.1): Keras 1 and 2 HDF5 files
(``model.save()``), JSON configs with or without an HDF5 weights file, Theano and TensorFlow dimension orderings;
plus Keras 3 ``.keras`` archives (keras3.py), which DL4J cannot read. Reading HDF5 needs ``h5py``
(``pip install 'pydl4j-transfer[keras]'``). Nothing here imports torch at module level.
"""

from pydl4j_transfer.errors import InvalidKerasConfigurationError, UnsupportedKerasConfigurationError

from . import layers  # noqa: F401  (fills the mapper registry)
from .config import KerasModelConfiguration
from .hdf5 import Hdf5Archive
from .importer import KerasModelImport
from .layer import DimOrder, KerasLayer, register, registered
from .layers.embeddings import KerasLocallyConnected2D, KerasLRN, KerasPoolHelper
from .model import KerasModel, KerasModelBuilder, KerasSequentialModel
from .values import clearCustomLoss, registerCustomLoss

#: DL4J's exception names (org.deeplearning4j.nn.modelimport.keras.exceptions), for ported Java code
InvalidKerasConfigurationException = InvalidKerasConfigurationError
UnsupportedKerasConfigurationException = UnsupportedKerasConfigurationError


class KerasLossUtils:
    """Mirrors org.deeplearning4j.nn.modelimport.keras.utils.KerasLossUtils (the custom-loss registry)."""

    registerCustomLoss = staticmethod(registerCustomLoss)
    clearCustomLoss = staticmethod(clearCustomLoss)


__all__ = ["KerasModelImport", "KerasModel", "KerasSequentialModel", "KerasModelBuilder", "KerasLayer", "DimOrder",
           "Hdf5Archive", "KerasModelConfiguration", "KerasLossUtils", "KerasLRN", "KerasPoolHelper",
           "KerasLocallyConnected2D", "register",
           "registered", "InvalidKerasConfigurationError", "UnsupportedKerasConfigurationError",
           "InvalidKerasConfigurationException", "UnsupportedKerasConfigurationException"]
