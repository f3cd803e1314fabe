"""KerasModelImport: DL4J's entry points for Keras files.

Mirrors org.deeplearning4j.nn.modelimport.keras.KerasModelImport (1.0.0-M2.1). Java's overloads are one method
each with keyword arguments; the defaults are DL4J's (``enforceTrainingConfig`` is true for the one-file HDF5
forms and false for the JSON + weights forms, as in DL4J). Paths may be str or os.PathLike; DL4J's InputStream
forms take a binary file object (copied to a temporary file that is removed afterwards).

Beyond DL4J: the one-file forms also read Keras 3 ``.keras`` archives (recognised by their zip signature; see
keras3.py), and :meth:`KerasModelImport.importKerasModel` picks Sequential vs functional by itself.
"""

from __future__ import annotations

import os
import shutil
import tempfile

from pydl4j_transfer.conf.validate_structure import PROBE_ERRORS
from pydl4j_transfer.errors import InvalidKerasConfigurationError, Pydl4jTransferError

from .keras3 import is_keras_archive
from .model import KerasModel, KerasSequentialModel


def _path(source):
    """(path, temp path to remove or None): file objects are copied to a temporary file, as DL4J does."""
    if hasattr(source, "read"):
        fd, tmp = tempfile.mkstemp(prefix="DL4JKerasModelImport", suffix=".bin")
        try:
            with os.fdopen(fd, "wb") as out:
                shutil.copyfileobj(source, out)
        except BaseException:
            os.unlink(tmp)
            raise
        return tmp, tmp
    return os.fspath(source), None


def _with_path(source, fn):
    path, tmp = _path(source)
    try:
        return _typed(fn, path)
    finally:
        if tmp is not None:
            os.unlink(tmp)


def _typed(fn, path):
    """``fn(path)``; anything Python itself raises while a damaged Keras file is turned into a network (a list
    where a number belongs...) becomes InvalidKerasConfigurationError naming the file, the Python exception
    kept as ``__cause__``. The layer mappers raise the specific errors first; this is the last resort (issue 17:
    no input ends in a bare TypeError)."""
    try:
        return fn(path)
    except Pydl4jTransferError:
        raise
    except PROBE_ERRORS as exc:
        err = InvalidKerasConfigurationError(f"the Keras model cannot be imported ({type(exc).__name__}: "
                                             f"{str(exc)[:200]}); the file is damaged or not what Keras writes",
                                             file=os.fspath(path))
        raise err from exc


class KerasModelImport:
    """Mirrors org.deeplearning4j.nn.modelimport.keras.KerasModelImport (static methods)."""

    @staticmethod
    def importKerasModelAndWeights(modelHdf5OrJson, weightsHdf5Filename=None, enforceTrainingConfig=None,
                                   inputShape=None):
        """Mirrors KerasModelImport#importKerasModelAndWeights: a functional Keras model -> ComputationGraph.

        ``importKerasModelAndWeights(h5)``, ``(h5, enforceTrainingConfig)``, ``(h5, inputShape=..., ...)``, or the
        JSON + weights form ``(jsonPath, weightsHdf5Path[, enforceTrainingConfig])``."""
        if weightsHdf5Filename is not None and not isinstance(weightsHdf5Filename, bool):
            enforce = True if enforceTrainingConfig is None else bool(enforceTrainingConfig)
            return KerasModel.modelBuilder().modelJsonFilename(modelHdf5OrJson).enforceTrainingConfig(False) \
                .weightsHdf5FilenameNoRoot(weightsHdf5Filename).enforceTrainingConfig(enforce) \
                .buildModel().getComputationGraph()
        if isinstance(weightsHdf5Filename, bool):
            enforceTrainingConfig = weightsHdf5Filename
        enforce = True if enforceTrainingConfig is None else bool(enforceTrainingConfig)

        def build(path):
            b = KerasModel.modelBuilder()
            b = b.kerasArchive(path) if is_keras_archive(path) else b.modelHdf5Filename(path)
            return b.enforceTrainingConfig(enforce).inputShape(inputShape).buildModel().getComputationGraph()

        return _with_path(modelHdf5OrJson, build)

    @staticmethod
    def importKerasSequentialModelAndWeights(modelHdf5OrJson, weightsHdf5Filename=None, enforceTrainingConfig=None,
                                             inputShape=None):
        """Mirrors KerasModelImport#importKerasSequentialModelAndWeights: a Sequential model -> MultiLayerNetwork.

        ``(h5)``, ``(h5, enforceTrainingConfig)``, ``(h5, inputShape=..., ...)``, or ``(jsonPath, weightsHdf5Path[,
        enforceTrainingConfig])`` (DL4J's default there: false)."""
        if weightsHdf5Filename is not None and not isinstance(weightsHdf5Filename, bool):
            enforce = False if enforceTrainingConfig is None else bool(enforceTrainingConfig)
            return KerasSequentialModel.modelBuilder().modelJsonFilename(modelHdf5OrJson) \
                .weightsHdf5FilenameNoRoot(weightsHdf5Filename).enforceTrainingConfig(enforce) \
                .buildSequential().getMultiLayerNetwork()
        if isinstance(weightsHdf5Filename, bool):
            enforceTrainingConfig = weightsHdf5Filename
        enforce = True if enforceTrainingConfig is None else bool(enforceTrainingConfig)

        def build(path):
            b = KerasSequentialModel.modelBuilder()
            b = b.kerasArchive(path) if is_keras_archive(path) else b.modelHdf5Filename(path)
            return b.enforceTrainingConfig(enforce).inputShape(inputShape).buildSequential().getMultiLayerNetwork()

        return _with_path(modelHdf5OrJson, build)

    @staticmethod
    def importKerasModelConfiguration(modelJsonFilename, enforceTrainingConfig: bool = False):
        """Mirrors KerasModelImport#importKerasModelConfiguration -> ComputationGraphConfiguration."""
        return KerasModel.modelBuilder().modelJsonFilename(modelJsonFilename) \
            .enforceTrainingConfig(enforceTrainingConfig).buildModel().getComputationGraphConfiguration()

    @staticmethod
    def importKerasSequentialConfiguration(modelJsonFilename, enforceTrainingConfig: bool = False):
        """Mirrors KerasModelImport#importKerasSequentialConfiguration -> MultiLayerConfiguration."""
        return KerasSequentialModel.modelBuilder().modelJsonFilename(modelJsonFilename) \
            .enforceTrainingConfig(enforceTrainingConfig).buildSequential().getMultiLayerConfiguration()

    @staticmethod
    def importKerasModel(modelFile, enforceTrainingConfig: bool = False, weightsHdf5Filename=None):
        """Not in DL4J: a Keras model file (.h5 / .keras, or a config JSON with ``weightsHdf5Filename``) as a
        MultiLayerNetwork when it is a Sequential model, else as a ComputationGraph."""
        seq = _typed(_is_sequential, modelFile)
        if weightsHdf5Filename is not None:
            fn = (KerasModelImport.importKerasSequentialModelAndWeights if seq
                  else KerasModelImport.importKerasModelAndWeights)
            return fn(modelFile, weightsHdf5Filename, enforceTrainingConfig)
        fn = KerasModelImport.importKerasSequentialModelAndWeights if seq else KerasModelImport.importKerasModelAndWeights
        return fn(modelFile, enforceTrainingConfig)


def _is_sequential(path) -> bool:
    """Whether a Keras file holds a Sequential model (by its model config's class name)."""
    import json

    from pydl4j_transfer.errors import InvalidKerasConfigurationError

    from .config import KerasModelConfiguration
    from .hdf5 import Hdf5Archive
    from .keras3 import read_archive

    path = os.fspath(path)
    if is_keras_archive(path):
        return read_archive(path)[0].get("class_name") == "Sequential"
    if path.endswith(".json"):
        from .model import _read_text, parse_json

        return parse_json(_read_text(path)).get("class_name") == "Sequential"
    with Hdf5Archive(path) as archive:
        if not archive.hasAttribute(KerasModelConfiguration.trainingModelConfigAttribute):
            raise InvalidKerasConfigurationError(f"Model configuration attribute missing from {path} archive.",
                                                 file=path)
        text = archive.readAttributeAsJson(KerasModelConfiguration.trainingModelConfigAttribute)
        try:
            tree = json.loads(text)
        except ValueError as exc:
            raise InvalidKerasConfigurationError(f"model_config is not JSON ({exc})", file=path) from None
        if not isinstance(tree, dict):
            raise InvalidKerasConfigurationError("model_config is not a JSON object", file=path)
        return tree.get("class_name") == "Sequential"
