"""Mirrors org.deeplearning4j.zoo.{ZooModel, PretrainedType, ZooType, ModelMetaData} (DL4J 1.0.0-M2.1).

A zoo model is a set of builder options (``numClasses``, ``seed``, ``inputShape``, ``updater``,
``cacheMode``, ``workspaceMode``, ``cudnnAlgoMode`` and per-model extras) plus ``conf()``, which
builds DL4J's configuration for them. Both spellings work::

    VGG16.builder().numClasses(5).seed(42).build()
    VGG16(numClasses=5, seed=42)

``initPretrained(type)`` never downloads: it loads the zip DL4J would have cached under
``DL4JResources.getDirectory(ResourceType.ZOO_MODEL, modelName())`` and checks DL4J's Adler-32
checksum. Differences from DL4J: a missing file raises an error saying where to put it and where
DL4J publishes it (DL4J downloads it); a file that fails the checksum is left in place (DL4J
deletes it, so that its next call downloads a fresh copy).
"""

from __future__ import annotations

import enum
import zlib
from pathlib import Path

from pydl4j_transfer.java_names import JavaNames
from pydl4j_transfer.conf import AlgoMode, CacheMode, WorkspaceMode
from pydl4j_transfer.conf.base import enum_value
from pydl4j_transfer.errors import Dl4jFormatError, PretrainedModelNotFoundError, PretrainedNotAvailableError
from pydl4j_transfer.nn import ComputationGraph, ModelSerializer, MultiLayerNetwork
from pydl4j_transfer.zoo.resources import DL4J_RESOURCES_DIR_PROPERTY, ENV_RESOURCES_DIR, DL4JResources, ResourceType


class PretrainedType(enum.Enum):
    """Mirrors org.deeplearning4j.zoo.PretrainedType."""

    IMAGENET = "IMAGENET"
    IMAGENETLARGE = "IMAGENETLARGE"
    MNIST = "MNIST"
    CIFAR10 = "CIFAR10"
    VGGFACE = "VGGFACE"
    SEGMENT = "SEGMENT"

    def __str__(self) -> str:
        return self.value


class ZooType(enum.Enum):
    """Mirrors org.deeplearning4j.zoo.ZooType."""

    CNN = "CNN"
    RNN = "RNN"
    TEXTGENLSTM = "TEXTGENLSTM"

    def __str__(self) -> str:
        return self.value


class ModelMetaData:
    """Mirrors org.deeplearning4j.zoo.ModelMetaData (deprecated in DL4J, kept for ported code)."""

    def __init__(self, inputShape, numOutputs: int, zooType: ZooType):
        self._input_shape = None if inputShape is None else [list(s) for s in inputShape]
        self._num_outputs = int(numOutputs)
        self._zoo_type = zooType

    def getInputShape(self):
        return self._input_shape

    def getNumOutputs(self) -> int:
        return self._num_outputs

    def getZooType(self) -> ZooType:
        return self._zoo_type

    def useMDS(self) -> bool:
        """True if the model has more than one input (DL4J: use a MultiDataSet)."""
        return self._input_shape is not None and len(self._input_shape) > 1

    def __repr__(self) -> str:
        return f"ModelMetaData(inputShape={self._input_shape}, numOutputs={self._num_outputs}, zooType={self._zoo_type})"


def adler32_of_file(path, chunk_size: int = 1 << 20) -> int:
    """Adler-32 of a file's bytes, as DL4J computes it (``FileUtils.checksum(file, new Adler32()).getValue()``)."""
    value = 1
    with open(path, "rb") as fh:
        while True:
            block = fh.read(chunk_size)
            if not block:
                break
            value = zlib.adler32(block, value)
    return value & 0xFFFFFFFF


def _convert_option(name, value):
    if value is None:
        return None
    if name == "cacheMode":
        return enum_value(CacheMode, value)
    if name == "workspaceMode":
        return enum_value(WorkspaceMode, value)
    if name == "cudnnAlgoMode":
        return enum_value(AlgoMode, value)
    if name == "inputShape":
        return [int(v) for v in value]
    if name in ("seed",):
        return int(value)
    if name in ("numClasses", "nBoxes", "maxLength", "totalUniqueCharacters", "numBlocks", "penultimateFilters",
                "stemFilters", "filterMultiplier"):
        return int(value)
    if name == "priorBoxes":
        return [[float(x) for x in row] for row in value]
    return value


class _ZooBuilder:
    """The Lombok builder DL4J's zoo classes have: one setter per option, then ``build()``."""

    def __init__(self, cls):
        self._cls = cls
        self._options: dict = {}

    def __getattr__(self, name):
        if name.startswith("_") or name not in self._cls.defaults():
            raise AttributeError(f"{self._cls.__name__}.builder() has no option {name!r}; "
                                 f"options: {', '.join(self._cls.defaults())}")

        def setter(value):
            self._options[name] = value
            return self

        return setter

    def build(self):
        return self._cls(**self._options)

    def __repr__(self) -> str:
        return f"{self._cls.__name__}.builder({self._options})"


class ZooModel(JavaNames):
    """Mirrors org.deeplearning4j.zoo.ZooModel (and InstantiableModel).

    Subclasses set ``OPTIONS`` (option name -> default, or a zero-argument callable making the
    default, as DL4J's ``@Builder.Default``), ``MODEL_TYPE``, ``PRETRAINED`` ({PretrainedType:
    (URL path relative to DL4J's base URL, Adler-32 checksum)}) and implement ``conf()``.
    """

    OPTIONS: dict = {}
    MODEL_TYPE = ComputationGraph
    PRETRAINED: dict = {}
    ZOO_TYPE = ZooType.CNN

    def __init__(self, **options):
        defaults = self.defaults()
        unknown = sorted(set(options) - set(defaults))
        if unknown:
            raise TypeError(f"{type(self).__name__} has no option(s) {unknown}; options: {', '.join(defaults)}")
        for name, default in defaults.items():
            value = options[name] if name in options else (default() if callable(default) else default)
            setattr(self, name, _convert_option(name, value))

    @classmethod
    def defaults(cls) -> dict:
        return dict(cls.OPTIONS)

    @classmethod
    def builder(cls) -> _ZooBuilder:
        """Mirrors the Lombok ``builder()`` of DL4J's zoo classes."""
        return _ZooBuilder(cls)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({', '.join(f'{k}={getattr(self, k)!r}' for k in self.defaults())})"

    # ---- InstantiableModel ---------------------------------------------------------------

    def conf(self):
        """The network configuration for these options (DL4J has a public ``conf()`` on most zoo classes)."""
        raise NotImplementedError

    def init(self, backend: str = "torch"):
        """Mirrors InstantiableModel#init: a randomly initialised MultiLayerNetwork or ComputationGraph.

        Weights are drawn by pydl4j_transfer's initialisers from the configuration's seed, so they
        are not DL4J's numbers (the distributions are DL4J's).
        """
        return self.MODEL_TYPE(self.conf(), backend=backend).init()

    def modelType(self):
        """Mirrors InstantiableModel#modelType: ``MultiLayerNetwork`` or ``ComputationGraph`` (the class)."""
        return self.MODEL_TYPE

    def modelName(self) -> str:
        """Mirrors ZooModel#modelName: the class's simple name in lower case."""
        return type(self).__name__.lower()

    def metaData(self) -> ModelMetaData:
        """Mirrors InstantiableModel#metaData."""
        return ModelMetaData([self.inputShape], 1, self.ZOO_TYPE)

    def setInputShape(self, inputShape) -> None:
        """Mirrors InstantiableModel#setInputShape(int[][]): the first row is the model's input shape."""
        self.inputShape = [int(v) for v in inputShape[0]]

    # ---- pretrained weights --------------------------------------------------------------

    def pretrainedUrl(self, pretrainedType) -> str | None:
        """Mirrors InstantiableModel#pretrainedUrl: where DL4J publishes the weights, or None."""
        entry = self.PRETRAINED.get(PretrainedType(pretrainedType))
        return None if entry is None else DL4JResources.getURLString(entry[0])

    def pretrainedChecksum(self, pretrainedType) -> int:
        """Mirrors InstantiableModel#pretrainedChecksum: DL4J's Adler-32 of the zip, 0 if none."""
        entry = self.PRETRAINED.get(PretrainedType(pretrainedType))
        return 0 if entry is None else int(entry[1])

    def pretrainedAvailable(self, pretrainedType) -> bool:
        """Mirrors ZooModel#pretrainedAvailable."""
        return self.pretrainedUrl(pretrainedType) is not None

    def pretrainedFile(self, pretrainedType=PretrainedType.IMAGENET) -> Path:
        """Where DL4J caches the pretrained zip: ``<base>/models/<modelName>/<file name of the URL>`` (addition)."""
        url = self.pretrainedUrl(pretrainedType)
        if url is None:
            raise self._not_available(pretrainedType)
        return DL4JResources.getDirectory(ResourceType.ZOO_MODEL, self.modelName()) / url.rsplit("/", 1)[-1]

    def _not_available(self, pretrainedType):
        available = [t.value for t in PretrainedType if self.pretrainedAvailable(t)]
        return PretrainedNotAvailableError(
            f"Pretrained {PretrainedType(pretrainedType)} weights are not available for this model "
            f"({type(self).__name__}; available: {', '.join(available) or 'none'}).")

    def initPretrained(self, pretrainedType=PretrainedType.IMAGENET, backend: str = "torch"):
        """Mirrors ZooModel#initPretrained: restore DL4J's pretrained zip from DL4J's cache folder.

        Never downloads. Raises :class:`~pydl4j_transfer.errors.PretrainedNotAvailableError` when the type
        is not available for this model, :class:`~pydl4j_transfer.errors.PretrainedModelNotFoundError` when the file is not in the cache (the message names the
        file, the folder and the URL to fetch it from), and
        :class:`~pydl4j_transfer.errors.Dl4jFormatError` when the file fails DL4J's checksum.
        """
        pretrainedType = PretrainedType(pretrainedType)
        if not self.pretrainedAvailable(pretrainedType):
            raise self._not_available(pretrainedType)
        path = self.pretrainedFile(pretrainedType)
        if not path.is_file():
            raise PretrainedModelNotFoundError(
                f"pretrained {pretrainedType} weights for {type(self).__name__} not found: {path}\n"
                f"  pydl4j_transfer never downloads. Fetch {self.pretrainedUrl(pretrainedType)}\n"
                f"  and save it as {path.name} in {path.parent}\n"
                f"  (DL4J's cache folder is set with DL4JResources.setBaseDirectory(...), -D{_PROP} in JAVA_TOOL_OPTIONS, or "
                f"${_ENV}; default ~/.deeplearning4j). Real DL4J's initPretrained() downloads it there too.")
        expected = self.pretrainedChecksum(pretrainedType)
        if expected != 0:
            local = adler32_of_file(path)
            if local != expected:
                raise Dl4jFormatError(
                    f"Pretrained model file failed checksum: Adler-32 is {local}, DL4J expects {expected}. "
                    f"The file is incomplete or not the one DL4J publishes; fetch it again from "
                    f"{self.pretrainedUrl(pretrainedType)} (DL4J deletes such a file; it was left in place).",
                    entry=str(path))
        if self.MODEL_TYPE is MultiLayerNetwork:
            return ModelSerializer.restoreMultiLayerNetwork(path, backend=backend)
        return ModelSerializer.restoreComputationGraph(path, backend=backend)


    #: the Keras application whose weights files this model takes (keras_applications/<name>.json.gz), if any
    KERAS_APPLICATION = None

    def initPretrainedFrom(self, path, pretrainedType=PretrainedType.IMAGENET, backend: str = "torch", *,
                           architecture=None):
        """Pretrained weights from a file the user already has (not in DL4J, whose initPretrained downloads).

        ``path`` is DL4J's own pretrained zoo zip (checked against DL4J's Adler-32 checksum for
        ``pretrainedType``, then restored, as initPretrained does), a Keras applications weights file (``.h5``:
        VGG16, VGG19, ResNet50; imported into the Keras application's architecture, Keras layer names, NHWC input)
        or a torchvision state_dict (``.pth`` / ``.safetensors``: VGG16, VGG19; the zoo's conf() graph, NCHW
        input). ``architecture`` overrides the Keras architecture (a ``model.to_json()`` file) for a variant of
        the application. See zoo/pretrained_files.py for every layout change."""
        from pydl4j_transfer.zoo import pretrained_files as pf

        path = Path(path)
        if not path.is_file():
            raise PretrainedModelNotFoundError(f"no such file: {path}")
        kind = pf.file_kind(path)
        if kind == "dl4j-zip":
            pretrainedType = PretrainedType(pretrainedType)
            expected = self.pretrainedChecksum(pretrainedType)
            if expected != 0:
                local = adler32_of_file(path)
                if local != expected:
                    raise Dl4jFormatError(
                        f"not DL4J's {pretrainedType} zip for {type(self).__name__}: Adler-32 is {local}, DL4J expects "
                        f"{expected} (fetch it again from {self.pretrainedUrl(pretrainedType)})", entry=str(path))
            restore = (ModelSerializer.restoreMultiLayerNetwork if self.MODEL_TYPE is MultiLayerNetwork
                       else ModelSerializer.restoreComputationGraph)
            return pf._on_backend(restore(path), backend)
        if kind == "hdf5":
            arch = architecture or self.KERAS_APPLICATION
            if arch is None:
                raise PretrainedNotAvailableError(f"{type(self).__name__} takes no Keras applications weights file "
                                                  "(VGG16, VGG19 and ResNet50 do)")
            return pf.import_keras_application(path, arch, backend)
        if kind in ("torch", "safetensors"):
            return self._from_torch_state(pf.load_state_dict(path, kind), str(path), backend)
        raise PretrainedNotAvailableError(f"{path}: a Keras 3 archive is a whole model: import it with "
                                          "KerasModelImport.importKerasModel")

    def _from_torch_state(self, state, where, backend):
        raise PretrainedNotAvailableError(f"{type(self).__name__} takes no torchvision state_dict (VGG16 and VGG19 do)")


_PROP = DL4J_RESOURCES_DIR_PROPERTY
_ENV = ENV_RESOURCES_DIR
