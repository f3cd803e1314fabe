"""IWeightInit implementations (``org.deeplearning4j.nn.weights``) and the
``org.deeplearning4j.nn.conf.distribution`` distributions (type id property ``"type"``)."""

from __future__ import annotations

from pydl4j_transfer.errors import InvalidConfigurationError

from ..base import COERCERS, DISTRIBUTIONS, DOUBLE, INT, RAW, WEIGHT_INITS, ConfObject, Field, poly
from ..enums import WeightInit

PKG = "org.deeplearning4j.nn.weights."
DPKG = "org.deeplearning4j.nn.conf.distribution."


class Distribution(ConfObject):
    """Mirrors org.deeplearning4j.nn.conf.distribution.Distribution (JSON type id: ``"type"``)."""


def _dist(name, fields, positional):
    cls = type(name, (Distribution,), {"dl4jClass": DPKG + name, "FIELDS": tuple(fields), "POSITIONAL": tuple(positional),
                                       "__doc__": f"Mirrors {DPKG}{name}.", "__module__": __name__})
    return DISTRIBUTIONS.register(cls)


_MS = [Field("mean", DOUBLE, default=0.0), Field("std", DOUBLE, default=0.0)]
NormalDistribution = _dist("NormalDistribution", _MS, ("mean", "std"))
GaussianDistribution = _dist("GaussianDistribution", _MS, ("mean", "std"))
TruncatedNormalDistribution = _dist("TruncatedNormalDistribution", _MS, ("mean", "std"))
LogNormalDistribution = _dist("LogNormalDistribution", _MS, ("mean", "std"))
UniformDistribution = _dist("UniformDistribution", [Field("lower", DOUBLE, default=0.0), Field("upper", DOUBLE, default=0.0)],
                            ("lower", "upper"))
ConstantDistribution = _dist("ConstantDistribution", [Field("value", DOUBLE, default=0.0)], ("value",))
OrthogonalDistribution = _dist("OrthogonalDistribution", [Field("gain", DOUBLE, default=0.0)], ("gain",))
BinomialDistribution = _dist("BinomialDistribution", [Field("numberOfTrials", INT, default=0),
                                                      Field("probabilityOfSuccess", DOUBLE, default=0.0)],
                             ("numberOfTrials", "probabilityOfSuccess"))


class BaseWeightInit(ConfObject):
    """Mirrors org.deeplearning4j.nn.weights.IWeightInit."""


def _wi(name, fields=(), positional=()):
    cls = type(name, (BaseWeightInit,), {"dl4jClass": PKG + name, "FIELDS": tuple(fields), "POSITIONAL": tuple(positional),
                                         "__doc__": f"Mirrors {PKG}{name}.", "__module__": __name__})
    return WEIGHT_INITS.register(cls)


WeightInitXavier = _wi("WeightInitXavier")
WeightInitXavierUniform = _wi("WeightInitXavierUniform")
WeightInitXavierLegacy = _wi("WeightInitXavierLegacy")
WeightInitRelu = _wi("WeightInitRelu")
WeightInitReluUniform = _wi("WeightInitReluUniform")
WeightInitSigmoidUniform = _wi("WeightInitSigmoidUniform")
WeightInitLecunUniform = _wi("WeightInitLecunUniform")
WeightInitNormal = _wi("WeightInitNormal")
WeightInitUniform = _wi("WeightInitUniform")
WeightInitConstant = _wi("WeightInitConstant", [Field("value", DOUBLE, default=0.0)], ("value",))
_SCALE = [Field("scale", DOUBLE)]
WeightInitIdentity = _wi("WeightInitIdentity", _SCALE, ("scale",))
WeightInitVarScalingNormalFanIn = _wi("WeightInitVarScalingNormalFanIn", _SCALE, ("scale",))
WeightInitVarScalingNormalFanOut = _wi("WeightInitVarScalingNormalFanOut", _SCALE, ("scale",))
WeightInitVarScalingNormalFanAvg = _wi("WeightInitVarScalingNormalFanAvg", _SCALE, ("scale",))
WeightInitVarScalingUniformFanIn = _wi("WeightInitVarScalingUniformFanIn", _SCALE, ("scale",))
WeightInitVarScalingUniformFanOut = _wi("WeightInitVarScalingUniformFanOut", _SCALE, ("scale",))
WeightInitVarScalingUniformFanAvg = _wi("WeightInitVarScalingUniformFanAvg", _SCALE, ("scale",))
WeightInitDistribution = _wi("WeightInitDistribution", [Field("distribution", poly(DISTRIBUTIONS))], ("distribution",))

EPKG = PKG + "embeddings."


class ArrayEmbeddingInitializer:
    """Mirrors org.deeplearning4j.nn.weights.embeddings.ArrayEmbeddingInitializer: pretrained vectors [vocabSize,
    vectorSize]. Not JSON-serializable (``jsonSerializable()`` is false): DL4J's JSON never holds it, so it lives only
    in the Python object that was built with it (as in Java)."""

    dl4jClass = EPKG + "ArrayEmbeddingInitializer"

    def __init__(self, embeddings):
        import numpy as np

        arr = np.asarray(embeddings)
        if arr.ndim != 2:
            raise InvalidConfigurationError(f"Embedding array must be rank 2 with shape [vocabSize, vectorSize], got"
                                            f" array with shape {list(arr.shape)}")
        self.embeddings = arr

    def loadWeightsInto(self, array):
        array[...] = self.embeddings

    def vocabSize(self) -> int:
        return int(self.embeddings.shape[0])

    def vectorSize(self) -> int:
        return int(self.embeddings.shape[1])

    def jsonSerializable(self) -> bool:
        return False

    def __eq__(self, other):
        import numpy as np

        return isinstance(other, ArrayEmbeddingInitializer) and np.array_equal(self.embeddings, other.embeddings)

    def __hash__(self):
        return hash(self.embeddings.shape)


@WEIGHT_INITS.register
class WeightInitEmbedding(BaseWeightInit):
    """Mirrors org.deeplearning4j.nn.weights.embeddings.WeightInitEmbedding (``WeightInitEmbedding(initializer)``).

    JSON holds ``serializableInit`` only (null for ArrayEmbeddingInitializer, kept as written otherwise); a
    non-serializable initializer stays on this object (``nonSerializableInit``) until the weights are drawn. A
    configuration read back from JSON has none: initialising such a layer again fails, as in DL4J."""

    dl4jClass = EPKG + "WeightInitEmbedding"
    FIELDS = (Field("serializableInit", RAW),)

    def __init__(self, embeddingInitializer=None, **kwargs):
        super().__init__(**kwargs)
        if embeddingInitializer is not None:
            if not hasattr(embeddingInitializer, "jsonSerializable"):
                embeddingInitializer = ArrayEmbeddingInitializer(embeddingInitializer)
            if embeddingInitializer.jsonSerializable():
                self.serializableInit = embeddingInitializer
            else:
                self.nonSerializableInit = embeddingInitializer

    def _init_state(self):
        self.nonSerializableInit = None

    def _state(self):
        return super()._state() + [self.nonSerializableInit]

    def initializer(self):
        init = self.serializableInit if hasattr(self.serializableInit, "loadWeightsInto") else self.nonSerializableInit
        if init is None:
            raise InvalidConfigurationError(
                "Cannot initialize embedding layer weights: no EmbeddingInitializer is available. This can occur if you"
                " save network configuration, load it, and the try to initialize the weights (DL4J's message): build the"
                " layer with its embeddings again, or load the parameters from the zip")
        return init

    def shape(self):
        """Mirrors WeightInitEmbedding#shape: [vocabSize, vectorSize] of the initializer (None without one)."""
        init = self.serializableInit if hasattr(self.serializableInit, "vocabSize") else self.nonSerializableInit
        return None if init is None else [init.vocabSize(), init.vectorSize()]


def to_weight_init(value):
    """IWeightInit, Distribution (-> WeightInitDistribution) or WeightInit member/name -> IWeightInit."""

    if value is None or isinstance(value, BaseWeightInit):
        return value
    if isinstance(value, Distribution):
        return WeightInitDistribution(value)
    if hasattr(value, "loadWeightsInto"):  # an EmbeddingInitializer (EmbeddingLayer.Builder#weightInit)
        return WeightInitEmbedding(value)
    return WeightInit.of(value).getWeightInitFunction()


COERCERS[WEIGHT_INITS.kind] = to_weight_init
