"""Graph vertices (``org.deeplearning4j.nn.conf.graph``) for ComputationGraphConfiguration."""

from __future__ import annotations

from pydl4j_transfer.errors import InvalidConfigurationError

from .updater_layout import FrozenParams
from .base import (BOOL, DOUBLE, INT, INT_ARRAY, LAYERS, LONG_ARRAY, PREPROCESSORS, STR, VERTICES, ConfObject, EnumCodec,
                   Field, ObjCodec, poly)
from .enums import ElementWiseOp
from .inputs import InputType

PKG = "org.deeplearning4j.nn.conf.graph."


class GraphVertex(ConfObject):
    """Mirrors org.deeplearning4j.nn.conf.graph.GraphVertex."""

    #: the simple name of DL4J's runtime vertex class (``org.deeplearning4j.nn.graph.vertex.impl``) where it is not
    #: the configuration class's own name (DL4J's ComputationGraph#summary prints it)
    RUNTIME_NAME: str | None = None

    def runtime_class_name(self) -> str:
        """The simple name of DL4J's runtime vertex class (what DL4J's summary prints)."""
        return self.RUNTIME_NAME or type(self).__name__

    def numParams(self, backprop=True) -> int:
        return 0

    def setDataType(self, dataType):
        """Mirrors GraphVertex#setDataType: the network's data type, handed to every vertex at init (not written to
        configuration.json)."""
        self._dataType = dataType

    def paramSpecs(self):
        return []

    def paramShapes(self):
        return {p.key: tuple(p.shape) for p in self.paramSpecs()}

    def getOutputType(self, layerIndex, *inputTypes):
        """Mirrors GraphVertex#getOutputType(layerIndex, InputType...)."""
        return inputTypes[0] if inputTypes else None

    def updater_layer(self):
        """The layer configuration whose updaters this vertex's parameters use (None: no layer)."""
        return None

    def constrained_layers(self, prefix: str = "") -> list:
        """[(param key prefix, layer conf)] whose constraints DL4J's runtime applies for this vertex."""
        return []


def _vertex(cls):
    if "dl4jClass" not in cls.__dict__:
        cls.dl4jClass = PKG + cls.__name__
    if not cls.__doc__:
        cls.__doc__ = f"Mirrors {cls.dl4jClass}."
    return VERTICES.register(cls)


#: the NeuralNetConfiguration class (registered by conf/network.py, which imports this module: the layer modules,
#: SameDiff vertices included, build on this one, and network.py on them)
NEURAL_NET_CONFIGURATION: list = []


def _nnc():
    return NEURAL_NET_CONFIGURATION[0]


@_vertex
class LayerVertex(GraphVertex):
    """Mirrors org.deeplearning4j.nn.conf.graph.LayerVertex (a layer in a graph, with an optional preprocessor)."""

    FIELDS = (Field("layerConf", ObjCodec(_nnc)), Field("outputVertex", BOOL, default=False),
              Field("preProcessor", poly(PREPROCESSORS)))
    POSITIONAL = ("layerConf", "preProcessor")

    @property
    def layer(self):
        return self.layerConf.layer if self.layerConf is not None else None

    def numParams(self, backprop=True):
        return self.layer.numParams()

    def paramSpecs(self):
        return self.layer.paramSpecs()

    def updater_layer(self):
        return self.layer

    def constrained_layers(self, prefix: str = "") -> list:
        return self.layer.constrained_layers(prefix)

    def getOutputType(self, layerIndex, *inputTypes):
        t = inputTypes[0]
        if self.preProcessor is not None:
            t = self.preProcessor.getOutputType(t)
        return self.layer.getOutputType(layerIndex, t)


def _merge_output(vertex, inputTypes):
    if len(inputTypes) == 1:
        return inputTypes[0]
    first = inputTypes[0]
    if first.type == "FF":
        return InputType.feedForward(sum(t.size for t in inputTypes))
    if first.type == "RNN":
        return InputType.recurrent(sum(t.size for t in inputTypes), first.timeSeriesLength, first.format)
    if first.type == "CNN":
        return InputType.convolutional(first.height, first.width, sum(t.channels for t in inputTypes), first.format)
    if first.type == "CNNFlat":
        return InputType.feedForward(sum(t.getFlattenedSize() for t in inputTypes))
    raise InvalidConfigurationError(f"MergeVertex: cannot merge {inputTypes}")


@_vertex
class MergeVertex(GraphVertex):
    """Mirrors org.deeplearning4j.nn.conf.graph.MergeVertex (concatenation along mergeAxis, inputs in vertexInputs order)."""

    FIELDS = (Field("mergeAxis", INT, default=1), Field("modified", BOOL, default=False))

    def getOutputType(self, layerIndex, *inputTypes):
        return _merge_output(self, inputTypes)


@_vertex
class ElementWiseVertex(GraphVertex):
    """Mirrors org.deeplearning4j.nn.conf.graph.ElementWiseVertex (``ElementWiseVertex(Op.Add)``)."""

    FIELDS = (Field("op", EnumCodec(ElementWiseOp)),)
    POSITIONAL = ("op",)


@_vertex
class SubsetVertex(GraphVertex):
    """Mirrors org.deeplearning4j.nn.conf.graph.SubsetVertex (features from..to inclusive)."""

    FIELDS = (Field("from", INT, attr="from_", default=0), Field("to", INT, default=0))
    POSITIONAL = ("from_", "to")
    SETTERS = {"from": lambda self, v: setattr(self, "from_", int(v))}

    def getOutputType(self, layerIndex, *inputTypes):
        t, n = inputTypes[0], self.to - self.from_ + 1
        if t.type == "RNN":
            return InputType.recurrent(n, t.timeSeriesLength, t.format)
        if t.type == "CNN":
            return InputType.convolutional(t.height, t.width, n, t.format)
        return InputType.feedForward(n)


@_vertex
class StackVertex(GraphVertex):
    """Mirrors org.deeplearning4j.nn.conf.graph.StackVertex (stacks inputs along the minibatch axis)."""


@_vertex
class UnstackVertex(GraphVertex):
    """Mirrors org.deeplearning4j.nn.conf.graph.UnstackVertex."""

    FIELDS = (Field("from", INT, attr="from_", default=0), Field("stackSize", INT, default=0))
    POSITIONAL = ("from_", "stackSize")
    SETTERS = {"from": lambda self, v: setattr(self, "from_", int(v))}


@_vertex
class ScaleVertex(GraphVertex):
    """Mirrors org.deeplearning4j.nn.conf.graph.ScaleVertex."""

    FIELDS = (Field("scaleFactor", DOUBLE, default=0.0),)
    POSITIONAL = ("scaleFactor",)


@_vertex
class ShiftVertex(GraphVertex):
    """Mirrors org.deeplearning4j.nn.conf.graph.ShiftVertex."""

    FIELDS = (Field("shiftFactor", DOUBLE, default=0.0),)
    POSITIONAL = ("shiftFactor",)


@_vertex
class L2Vertex(GraphVertex):
    """Mirrors org.deeplearning4j.nn.conf.graph.L2Vertex (L2 distance of two inputs -> [mb, 1])."""

    def getOutputType(self, layerIndex, *inputTypes):
        return InputType.feedForward(1)


@_vertex
class L2NormalizeVertex(GraphVertex):
    """Mirrors org.deeplearning4j.nn.conf.graph.L2NormalizeVertex."""

    FIELDS = (Field("dimension", INT_ARRAY), Field("eps", DOUBLE, default=1e-8, missing=0.0))
    POSITIONAL = ("dimension", "eps")


@_vertex
class PoolHelperVertex(GraphVertex):
    """Mirrors org.deeplearning4j.nn.conf.graph.PoolHelperVertex (drops the first row/column; GoogLeNet import)."""

    def getOutputType(self, layerIndex, *inputTypes):
        return inputTypes[0]  # as DL4J: the reported type is the input's (the runtime output is 1 smaller per side)


@_vertex
class PreprocessorVertex(GraphVertex):
    """Mirrors org.deeplearning4j.nn.conf.graph.PreprocessorVertex."""

    FIELDS = (Field("preProcessor", poly(PREPROCESSORS)),)
    POSITIONAL = ("preProcessor",)

    def getOutputType(self, layerIndex, *inputTypes):
        return self.preProcessor.getOutputType(inputTypes[0])


@_vertex
class ReshapeVertex(GraphVertex):
    """Mirrors org.deeplearning4j.nn.conf.graph.ReshapeVertex (``ReshapeVertex(*newShape)``; order 'c')."""

    FIELDS = (Field("maskShape", LONG_ARRAY), Field("newShape", LONG_ARRAY), Field("reshapeOrder", STR, default="c"))

    def __init__(self, *newShape, **kwargs):
        if newShape:
            kwargs["newShape"] = list(newShape[0]) if len(newShape) == 1 and isinstance(newShape[0], (list, tuple)) \
                else list(newShape)
        super().__init__(**kwargs)

    def getOutputType(self, layerIndex, *inputTypes):
        """Mirrors M2.1: by newShape's rank, feedForward(s[1]) / recurrent(s[1]) / convolutional(s[2], s[3], s[1])."""
        s = list(self.newShape or [])
        if len(s) == 2:
            return InputType.feedForward(s[1])
        if len(s) == 3:
            return InputType.recurrent(s[1])
        if len(s) == 4:
            return InputType.convolutional(s[2], s[3], s[1])
        raise InvalidConfigurationError(f"ReshapeVertex: cannot infer the output type for newShape {s}")


@_vertex
class FrozenVertex(GraphVertex):
    """Mirrors org.deeplearning4j.nn.conf.graph.FrozenVertex (wraps ``underlying``; its params get no updates)."""

    FIELDS = (Field("underlying", poly(VERTICES)),)
    POSITIONAL = ("underlying",)

    def numParams(self, backprop=True):
        return self.underlying.numParams(backprop)

    def paramSpecs(self):
        return self.underlying.paramSpecs()

    def updater_layer(self):
        """DL4J wraps a FrozenVertex's runtime layer in a FrozenLayer: every parameter gets the NoOp updater."""
        inner = self.underlying.updater_layer()
        return None if inner is None else FrozenParams(inner)

    def constrained_layers(self, prefix: str = "") -> list:
        return self.underlying.constrained_layers(prefix)  # FrozenVertex#getLayer(): constrained as usual

    def getOutputType(self, layerIndex, *inputTypes):
        return self.underlying.getOutputType(layerIndex, *inputTypes)


@_vertex
class LastTimeStepVertex(GraphVertex):
    """Mirrors org.deeplearning4j.nn.conf.graph.rnn.LastTimeStepVertex."""

    dl4jClass = PKG + "rnn.LastTimeStepVertex"
    FIELDS = (Field("maskArrayInputName", STR),)
    POSITIONAL = ("maskArrayInputName",)

    def getOutputType(self, layerIndex, *inputTypes):
        return InputType.feedForward(inputTypes[0].size)


@_vertex
class ReverseTimeSeriesVertex(GraphVertex):
    """Mirrors org.deeplearning4j.nn.conf.graph.rnn.ReverseTimeSeriesVertex."""

    dl4jClass = PKG + "rnn.ReverseTimeSeriesVertex"
    FIELDS = (Field("maskArrayInputName", STR),)
    POSITIONAL = ("maskArrayInputName",)


@_vertex
class DuplicateToTimeSeriesVertex(GraphVertex):
    """Mirrors org.deeplearning4j.nn.conf.graph.rnn.DuplicateToTimeSeriesVertex."""

    dl4jClass = PKG + "rnn.DuplicateToTimeSeriesVertex"
    FIELDS = (Field("inputName", STR),)
    POSITIONAL = ("inputName",)

    def getOutputType(self, layerIndex, *inputTypes):
        # M2.1 calls InputType.recurrent(size, layerIndex): the layer index lands in timeSeriesLength
        return InputType.recurrent(inputTypes[0].size, layerIndex)


_ = LAYERS
