"""pydl4j_transfer: Deeplearning4j models and DL4J's transfer-learning API in Python.

Public DL4J-named classes are importable from here (``from pydl4j_transfer import DenseLayer``)
and from their home modules. Importing this package starts no JVM and imports neither JPype
nor torch: names are resolved lazily on first access (PEP 562).
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

# public name -> home module. Grows as capabilities land; tests/test_public_api.py lists it.
_EXPORTS: dict[str, str] = {}


def _register(module: str, names) -> None:
    for name in names:
        _EXPORTS[name] = module


_register("pydl4j_transfer.errors", [
    "Pydl4jTransferError", "Dl4jFormatError", "NotADl4jZipError", "MissingEntryError",
    "CorruptEntryError", "UnknownDtypeError", "ParamLengthMismatchError", "ZipBombError",
    "MalformedConfigError", "ModelGuesserError", "UnsupportedLayerError", "InvalidConfigurationError", "NotMirroredError",
    "NotARegularFileError", "InputTooLargeError", "InsufficientMemoryError",
    "JvmUnavailableError", "Dl4jBackendError", "PretrainedModelNotFoundError", "PretrainedNotAvailableError",
    "InvalidKerasConfigurationError", "UnsupportedKerasConfigurationError",
    "DistributedTrainingError",
])
_register("pydl4j_transfer.keras", ["KerasModelImport", "KerasLayer", "KerasModel", "KerasSequentialModel",
                                    "KerasLossUtils", "InvalidKerasConfigurationException",
                                    "UnsupportedKerasConfigurationException"])
_register("pydl4j_transfer.dl4j_backend", ["Dl4jModel", "start_jvm"])
_register("pydl4j_transfer.torch_backend", ["register_samediff", "samediff_gradient", "set_samediff_gradient"])
_register("pydl4j_transfer.nn", ["MultiLayerNetwork", "ComputationGraph", "ModelSerializer", "ModelGuesser", "load",
                                 "TrainingListener", "BaseTrainingListener", "ScoreIterationListener",
                                 "PerformanceListener", "CheckpointListener", "EvaluativeListener", "InvocationType",
                                 "CollectScoresIterationListener"])
# DL4J's runtime objects whose simple names are free at the top level (nn.layers.Layer / FrozenLayer and
# nn.vertices.GraphVertex / LayerVertex share theirs with configuration classes: import them from their modules)
_register("pydl4j_transfer.nn.layers", ["IOutputLayer"])
_register("pydl4j_transfer.nn.vertices", ["VertexIndices"])
_register("pydl4j_transfer.conf.serde", ["JsonMappers"])
_register("pydl4j_transfer.transfer", ["TransferLearning", "FineTuneConfiguration", "TransferLearningHelper",
                                       "FeatureCache"])
_register("pydl4j_transfer.parallelism", ["ParallelWrapper", "SparkDl4jMultiLayer", "SparkComputationGraph",
                                          "ParameterAveragingTrainingMaster", "SharedTrainingMaster"])
_register("pydl4j_transfer.eval", ["Evaluation", "EvaluationAveraging", "ROC", "ROCMultiClass",
                                   "RegressionEvaluation"])
_register("pydl4j_transfer.zoo", ["ZooModel", "PretrainedType", "ZooType", "DL4JResources", "ResourceType",
                                  "ModelMetaData", "AlexNet", "Darknet19", "InceptionResNetV1", "LeNet", "ResNet50",
                                  "SimpleCNN", "SqueezeNet", "TextGenerationLSTM", "TinyYOLO", "UNet", "VGG16", "VGG19",
                                  "Xception", "YOLO2"])

# Modules whose DL4J-named classes (capitalised names, registries excluded) are re-exported.
# They need neither torch nor jpype; they are imported on the first lookup that needs them.
_STAR_MODULES = ("pydl4j_transfer.conf", "pydl4j_transfer.data")
_star_loaded = False


def _is_dl4j_name(name: str) -> bool:
    return name[:1].isupper() and (not name.isupper() or name == "LSTM")


def _load_star_modules() -> None:
    global _star_loaded
    if not _star_loaded:
        for module in _STAR_MODULES:
            for name in importlib.import_module(module).__all__:
                if _is_dl4j_name(name):
                    _EXPORTS.setdefault(name, module)
        _star_loaded = True


def __getattr__(name: str):
    if name == "__all__":
        _load_star_modules()
        return sorted(_EXPORTS)
    if name not in _EXPORTS:
        _load_star_modules()
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'pydl4j_transfer' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__():
    _load_star_modules()
    return sorted(set(globals()) | set(_EXPORTS))
