"""ModelGuesser: load a DL4J model or configuration without saying what it is.

Mirrors ``org.deeplearning4j.core.util.ModelGuesser`` (deeplearning4j-core, 1.0.0-M2.1) and its order of attempts:
``loadModelGuess``: MultiLayerNetwork with updater, ComputationGraph with updater, then both without it;
``loadConfigGuess``: MultiLayerConfiguration from JSON, ComputationGraphConfiguration from JSON, then both from YAML.
DL4J also tries its Keras importer (``KerasModelImport``) in between; this package reads no Keras files, so a Keras
file ends in :class:`~pydl4j_transfer.errors.ModelGuesserError`, whose message lists why each attempt failed.
A stream (a file-like object) is copied to a temporary file first, as DL4J does, and the file is removed after.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile

from pydl4j_transfer.conf import ComputationGraphConfiguration, MultiLayerConfiguration
from pydl4j_transfer.errors import ModelGuesserError, Pydl4jTransferError
from pydl4j_transfer.java_names import JavaNames
from pydl4j_transfer.nn.serializer import ModelSerializer

_KERAS = "Keras files (KerasModelImport's fallback in DL4J) are not read by this package"


@contextlib.contextmanager
def _as_path(source, tempDirectory=None):
    """A path for ``source`` (a path, or a file-like object copied to a temporary file that is removed after)."""
    if isinstance(source, (str, os.PathLike)):
        yield os.fspath(source)
        return
    fd, tmp = tempfile.mkstemp(prefix="loadModelGuess", suffix=".bin",
                               dir=None if tempDirectory is None else os.fspath(tempDirectory))
    try:
        with os.fdopen(fd, "wb") as out:
            shutil.copyfileobj(source, out)
        yield tmp
    finally:
        with contextlib.suppress(OSError):
            os.remove(tmp)


def _first(attempts, what: str, where: str):
    tried = []
    for name, fn in attempts:
        try:
            return fn()
        except (Pydl4jTransferError, OSError, ValueError, KeyError) as exc:  # every reader's typed errors
            tried.append(f"{name}: {str(exc).splitlines()[0][:200]}")
    raise ModelGuesserError(f"Unable to load {what} from {where} (invalid {what} file or not a known {what} type). "
                            f"Tried: " + "; ".join(tried) + f". {_KERAS}.", entry=where)


class ModelGuesser(JavaNames):
    """Mirrors org.deeplearning4j.core.util.ModelGuesser (static methods)."""

    @staticmethod
    def loadModelGuess(path, tempDirectory=None):
        """Mirrors ModelGuesser.loadModelGuess(String path) / (InputStream[, File tempDirectory]): a
        MultiLayerNetwork or ComputationGraph, tried in DL4J's order (with the updater state first, then without)."""
        with _as_path(path, tempDirectory) as p:
            return _first([("MultiLayerNetwork", lambda: ModelSerializer.restoreMultiLayerNetwork(p, True)),
                           ("ComputationGraph", lambda: ModelSerializer.restoreComputationGraph(p, True)),
                           ("MultiLayerNetwork without updater", lambda: ModelSerializer.restoreMultiLayerNetwork(p, False)),
                           ("ComputationGraph without updater", lambda: ModelSerializer.restoreComputationGraph(p, False))],
                          "model", p if isinstance(path, (str, os.PathLike)) else "input stream")

    @staticmethod
    def loadConfigGuess(path):
        """Mirrors ModelGuesser.loadConfigGuess(String path) / (InputStream): a MultiLayerConfiguration or
        ComputationGraphConfiguration from a JSON or YAML file (JSON first, as DL4J)."""
        with _as_path(path) as p:
            try:
                with open(p, encoding="utf-8") as fh:
                    text = fh.read()
            except (OSError, UnicodeDecodeError) as exc:
                raise ModelGuesserError(f"Unable to load configuration from {p}: {exc}", entry=p) from None
            return _first([("MultiLayerConfiguration JSON", lambda: MultiLayerConfiguration.fromJson(text)),
                           ("ComputationGraphConfiguration JSON", lambda: ComputationGraphConfiguration.fromJson(text)),
                           ("MultiLayerConfiguration YAML", lambda: MultiLayerConfiguration.fromYaml(text)),
                           ("ComputationGraphConfiguration YAML", lambda: ComputationGraphConfiguration.fromYaml(text))],
                          "configuration", p if isinstance(path, (str, os.PathLike)) else "input stream")

    @staticmethod
    def loadNormalizer(path):
        """Mirrors ModelGuesser.loadNormalizer(String | InputStream): the zip's normalizer (None if it has none)."""
        with _as_path(path) as p:
            return ModelSerializer.restoreNormalizerFromFile(p)
