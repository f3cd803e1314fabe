"""DL4J's runtime layer objects: what ``net.getLayer(i)`` / ``graph.getLayer(name)`` return.

Mirrors ``org.deeplearning4j.nn.api.Layer`` and the runtime classes a porter names in ``instanceof`` checks
(``org.deeplearning4j.nn.layers.FrozenLayer``, ``FrozenLayerWithBackprop``, ``IOutputLayer``). A runtime
layer is a view of one layer of a network: its parameters are views into the network's flat parameter
vector (``net.params()``, no copies: writing them writes the network), its configuration is the network's
own. It talks to the network through the network's public API only.

Import paths. Java has two classes named ``FrozenLayer``: the configuration
``org.deeplearning4j.nn.conf.layers.misc.FrozenLayer`` (``pydl4j_transfer.FrozenLayer``, ``pydl4j_transfer.conf``)
and the runtime layer ``org.deeplearning4j.nn.layers.FrozenLayer`` (this module:
``from pydl4j_transfer.nn.layers import FrozenLayer``). Likewise ``Layer``: the configuration base class is
``pydl4j_transfer.conf.Layer``, the runtime interface ``org.deeplearning4j.nn.api.Layer`` is
``pydl4j_transfer.nn.layers.Layer``.

``conf()`` is DL4J's: a ``NeuralNetConfiguration`` whose ``getLayer()`` is the layer configuration; for a
runtime wrapper (FrozenLayer, FrozenLayerWithBackprop, LastTimeStep, MaskZeroLayer) the WRAPPED layer's
(DL4J's ``BaseWrapperLayer#conf()`` returns ``underlying.conf()``), so ``getLayer(i).conf().getLayer()`` of a
frozen layer is the layer inside the wrapper, as in DL4J.
"""

from __future__ import annotations

import copy
import enum
from collections import OrderedDict

import numpy as np

from pydl4j_transfer.java_names import JavaNames
from pydl4j_transfer.conf.layers.feedforward import BaseOutputLayer, LossLayer
from pydl4j_transfer.conf.layers.output import Yolo2OutputLayer
from pydl4j_transfer.conf.layers.variational import VariationalAutoencoder as VariationalAutoencoderConf
from pydl4j_transfer.conf.layers.wrappers import FrozenLayer as FrozenLayerConf
from pydl4j_transfer.conf.layers.wrappers import FrozenLayerWithBackprop as FrozenLayerWithBackpropConf
from pydl4j_transfer.errors import InvalidConfigurationError, ParamLengthMismatchError
from pydl4j_transfer.nn import pretrain

__all__ = ["Layer", "IOutputLayer", "BaseOutputLayerImpl", "BaseWrapperLayer", "FrozenLayer",
           "FrozenLayerWithBackprop", "VariationalAutoencoder", "runtime_layer"]


class LayerType(enum.Enum):
    """Mirrors org.deeplearning4j.nn.api.Layer.Type."""

    FEED_FORWARD = 0
    RECURRENT = 1
    CONVOLUTIONAL = 2
    CONVOLUTIONAL3D = 3
    SUBSAMPLING = 4
    UPSAMPLING = 5
    RECURSIVE = 6
    MULTILAYER = 7
    NORMALIZATION = 8


#: DL4J runtime class (simple name, ``conf.runtime_class_name()``) -> its ``type()`` (read from DL4J 1.0.0-M2.1 in
#: the JVM for every registered layer; every other runtime class answers FEED_FORWARD)
RUNTIME_TYPES = {
    **dict.fromkeys(("BatchNormalization", "LocalResponseNormalization"), LayerType.NORMALIZATION),
    **dict.fromkeys(("BidirectionalLayer", "EmbeddingSequenceLayer", "GravesBidirectionalLSTM", "GravesLSTM", "LSTM",
                     "MaskZeroLayer", "RnnLossLayer", "RnnOutputLayer", "ZeroPadding1DLayer"), LayerType.RECURRENT),
    **dict.fromkeys(("CnnLossLayer", "Convolution1DLayer", "ConvolutionLayer", "Convolution3DLayer", "Cropping1DLayer",
                     "Cropping2DLayer", "Deconvolution2DLayer", "DepthwiseConvolution2DLayer",
                     "SeparableConvolution2DLayer", "SpaceToBatch", "SpaceToDepth", "ZeroPadding3DLayer",
                     "ZeroPaddingLayer"), LayerType.CONVOLUTIONAL),
    **dict.fromkeys(("Cnn3DLossLayer", "Cropping3DLayer"), LayerType.CONVOLUTIONAL3D),
    **dict.fromkeys(("GlobalPoolingLayer", "Subsampling1DLayer", "Subsampling3DLayer", "SubsamplingLayer"),
                    LayerType.SUBSAMPLING),
    **dict.fromkeys(("Upsampling1D", "Upsampling2D", "Upsampling3D"), LayerType.UPSAMPLING),
}


class Layer(JavaNames):
    """Mirrors org.deeplearning4j.nn.api.Layer: one layer of a network at run time.

    Made by ``MultiLayerNetwork#getLayer`` / ``ComputationGraph#getLayer`` (and ``getLayers``); never built by hand.
    ``params()``, ``paramTable()`` and ``getParam`` are views into the network's flat parameter vector.
    """

    Type = LayerType

    def __init__(self, net, owner: str, index: int, layer_conf, nnc):
        self._net = net
        self._owner = str(owner)  # the prefix of this layer's entries in net.paramTable() ("0", "dense", ...)
        self._index = int(index)
        self._layer_conf = layer_conf  # the configuration the network holds for this layer (a wrapper for wrappers)
        self._nnc = nnc  # the NeuralNetConfiguration the network holds for it

    # ---- configuration
    def conf(self):
        """Mirrors Layer#conf(): the layer's NeuralNetConfiguration (``conf().getLayer()`` is the layer configuration;
        for a runtime wrapper, the wrapped layer's: DL4J's BaseWrapperLayer#conf() returns ``underlying.conf()``)."""
        return self._nnc

    def getConfig(self):
        """Mirrors Layer#getConfig(): the layer configuration (DL4J's TrainingConfig)."""
        return self.conf().layer

    def getIndex(self) -> int:
        """Mirrors Layer#getIndex(): the layer's index in a MultiLayerNetwork; its vertex index in a ComputationGraph."""
        return self._index

    def type(self):
        """Mirrors Layer#type(): the ``Layer.Type`` of DL4J's runtime class for this layer."""
        return RUNTIME_TYPES.get(self._layer_conf.runtime_class_name(), LayerType.FEED_FORWARD)

    def getIterationCount(self) -> int:
        """Mirrors Layer#getIterationCount(): the network's (DL4J keeps each layer's in step with it)."""
        return self._net.getIterationCount()

    def getEpochCount(self) -> int:
        """Mirrors Layer#getEpochCount(): the network's."""
        return self._net.getEpochCount()

    def isPretrainLayer(self) -> bool:
        """Mirrors Layer#isPretrainLayer() (AutoEncoder / VariationalAutoencoder)."""
        return any(self._layer_conf.isPretrainParam(k) for k in self._layer_conf.paramKeys())

    # ---- parameters: views into the network's flat vector
    def _slots(self):
        return [s for s in self._net.paramLayout() if s.owner == self._owner]

    def _range(self):
        slots = self._slots()
        if not slots:
            return 0, 0
        return slots[0].offset, slots[-1].offset + slots[-1].size

    def numParams(self, backwards: bool = False) -> int:
        """Mirrors Layer#numParams()."""
        start, end = self._range()
        return end - start

    def params(self) -> np.ndarray:
        """Mirrors Layer#params(): the layer's slice of the network's flat parameter vector, in DL4J's flat order
        (a convolution's bias first, its W in 'c' order), as a view: ``net.params()[start:end]`` (None without
        parameters, as in DL4J)."""
        start, end = self._range()
        if end == start:
            return None
        return self._net.params()[start:end]

    def setParams(self, params) -> None:
        """Mirrors Layer#setParams(INDArray): copy ``numParams()`` values, in DL4J's flat order, into the layer."""
        start, end = self._range()
        flat = np.asarray(params).reshape(-1)
        if flat.size != end - start:
            raise ParamLengthMismatchError(
                f"layer {self._name()!r} has {end - start} parameters, got an array of {flat.size} values")
        self._net.params()[start:end] = flat
        self._net.paramsChanged([(start, end)])

    setParameters = setParams

    def paramTable(self, backpropParamsOnly: bool = False) -> "OrderedDict[str, np.ndarray]":
        """Mirrors Layer#paramTable(): ``{key: view}`` in DL4J's param-table order (``Layer.paramTableKeys()`` of the
        configuration: a convolution's ``b`` first, a depthwise convolution's ``W`` first...)."""
        prefix = self._owner + "_"
        table = {k[len(prefix):]: v for k, v in self._net.paramTable().items() if k.startswith(prefix)}
        order = [k for k in self._inner_conf().paramTableKeys() if k in table]
        order += [k for k in table if k not in order]
        if backpropParamsOnly:
            order = [k for k in order if not self._inner_conf().isPretrainParam(k)]
        return OrderedDict((k, table[k]) for k in order)

    def setParamTable(self, paramTable) -> None:
        """Mirrors Layer#setParamTable: every key of ``paramTable()``, same shapes (checked before any is written)."""
        current = self.paramTable()
        if set(paramTable) != set(current):
            raise InvalidConfigurationError(f"layer {self._name()!r}: cannot set the param table: its keys are "
                                            f"{list(current)}, got {list(paramTable)}")
        for key, view in current.items():
            if np.shape(paramTable[key]) != view.shape:
                raise ParamLengthMismatchError(f"layer {self._name()!r}: parameter {key} has shape {view.shape}, "
                                               f"got {np.shape(paramTable[key])}")
        for key, view in current.items():
            view[...] = np.asarray(paramTable[key])
        self._net.paramsChanged([self._range()])

    def getParam(self, param: str) -> np.ndarray:
        """Mirrors Layer#getParam(String): the parameter's view, shaped as DL4J shapes it."""
        table = self.paramTable()
        if param not in table:
            raise KeyError(f"layer {self._name()!r} has no parameter {param!r}; its parameters are {list(table)}")
        return table[param]

    def setParam(self, key: str, val) -> None:
        """Mirrors Layer#setParam(String, INDArray)."""
        view = self.getParam(key)
        val = np.asarray(val)
        if val.size != view.size:
            raise ParamLengthMismatchError(f"layer {self._name()!r}: parameter {key} has shape {view.shape}, "
                                           f"got {val.shape}")
        view[...] = val.reshape(view.shape)
        self._net.paramsChanged([self._range()])

    def getGradientsViewArray(self):
        """Mirrors Layer#getGradientsViewArray(): the layer's slice of the network's flat gradient (after
        computeGradientAndScore or fit; None before either). A copy: the torch runtime keeps the gradient."""
        grad = self._net.gradient()
        start, end = self._range()
        if grad is None or end == start:
            return None
        return grad[start:end]

    # ---- running it
    def activate(self, input, training: bool = False):
        """Mirrors Layer#activate(INDArray input, boolean training, ...): this layer alone on ``input`` (the layer's
        input preprocessor is the network's business and is not applied, as in DL4J). numpy in -> numpy out."""
        return self._net.activateLayer(self._owner, input, bool(training))

    # ---- helpers
    def _inner_conf(self):
        return self.conf().layer

    def _name(self) -> str:
        return self._layer_conf.layerName or self._owner

    def getUnderlying(self):
        return None

    def __repr__(self):
        return f"{type(self).__name__}({self._name()!r}, index={self._index})"

    def __eq__(self, other):
        return (type(other) is type(self) and other._net is self._net and other._owner == self._owner)

    def __hash__(self):
        return hash((id(self._net), self._owner))


class IOutputLayer:
    """Mirrors org.deeplearning4j.nn.api.layers.IOutputLayer (a marker here: ``isinstance(layer, IOutputLayer)``)."""

    def needsLabels(self) -> bool:
        """Mirrors IOutputLayer#needsLabels()."""
        return True


class BaseOutputLayerImpl(Layer, IOutputLayer):
    """Mirrors org.deeplearning4j.nn.layers.BaseOutputLayer (and LossLayer, the RNN/CNN loss layers, Yolo2OutputLayer):
    the runtime layer of an output layer configuration."""


class BaseWrapperLayer(Layer):
    """Mirrors org.deeplearning4j.nn.layers.wrapper.BaseWrapperLayer: a runtime layer around another.

    ``conf()`` is the wrapped layer's NeuralNetConfiguration (a copy of the network's with the wrapped layer
    configuration, the very object inside the wrapper); ``getUnderlying()`` the wrapped runtime layer."""

    def conf(self):
        nnc = copy.copy(self._nnc)  # DL4J: the NeuralNetConfiguration clone it instantiated the wrapped layer with
        nnc.__dict__["layer"] = self._layer_conf.wrapped()
        return nnc

    def type(self):
        return runtime_layer(self._net, self._owner, self._index, self._layer_conf.wrapped(), self.conf()).type()

    def getUnderlying(self):
        """Mirrors BaseWrapperLayer#getUnderlying(): the wrapped layer (same parameters)."""
        return runtime_layer(self._net, self._owner, self._index, self._layer_conf.wrapped(), self.conf())

    getInsideLayer = getUnderlying


class FrozenLayer(BaseWrapperLayer):
    """Mirrors org.deeplearning4j.nn.layers.FrozenLayer: the runtime layer of a
    ``conf.layers.misc.FrozenLayer`` (or of a vertex frozen by ``setLayerAsFrozen``): inference mode always, its
    parameters never updated, no gradient to the layers below."""


class FrozenLayerWithBackprop(BaseWrapperLayer):
    """Mirrors org.deeplearning4j.nn.layers.FrozenLayerWithBackprop: frozen parameters, the gradient passes on."""


class _WrapperLayer(BaseWrapperLayer):
    """DL4J's other runtime wrappers (LastTimeStepLayer, MaskZeroLayer): conf() is the wrapped layer's."""

    def type(self):
        return RUNTIME_TYPES.get(self._layer_conf.runtime_class_name(), LayerType.FEED_FORWARD)


class VariationalAutoencoder(Layer):
    """Mirrors org.deeplearning4j.nn.layers.variational.VariationalAutoencoder: the runtime layer of a
    ``conf.layers.variational.VariationalAutoencoder``, with its own methods (inference-mode parameters, numpy in
    -> numpy out; the random draws come from torch's generator, or from ``dl4j_noise`` of the torch backend)."""

    def _dist(self):
        return self._inner_conf().outputDistribution

    def hasLossFunction(self) -> bool:
        """Mirrors VariationalAutoencoder#hasLossFunction: the reconstruction distribution is a loss function."""
        return bool(self._dist().hasLossFunction())

    def isPretrainLayer(self) -> bool:
        """Mirrors VariationalAutoencoder#isPretrainLayer (always true)."""
        return True

    def reconstructionLogProbability(self, data, numSamples: int):
        """Mirrors reconstructionLogProbability(INDArray, int): log p(x) per example, a Monte-Carlo estimate over
        ``numSamples`` draws of z ~ p(z|x) ([minibatch, 1])."""
        return self._net.layerCall(self._owner, "reconstruction_log_probability", data, int(numSamples))

    def reconstructionProbability(self, data, numSamples: int):
        """Mirrors reconstructionProbability(INDArray, int): exp of reconstructionLogProbability, in double precision."""
        return np.exp(np.asarray(self.reconstructionLogProbability(data, numSamples), dtype=np.float64))

    def generateAtMeanGivenZ(self, latentSpaceValues):
        """Mirrors generateAtMeanGivenZ(INDArray): E[p(x|z)] for the given latent values [minibatch, nOut]."""
        return self._net.layerCall(self._owner, "generate_at_mean_given_z", latentSpaceValues)

    def generateRandomGivenZ(self, latentSpaceValues, workspaceMgr=None):
        """Mirrors generateRandomGivenZ(INDArray, LayerWorkspaceMgr): a sample x ~ p(x|z)."""
        return self._net.layerCall(self._owner, "generate_random_given_z", latentSpaceValues)

    def reconstructionError(self, data):
        """Mirrors reconstructionError(INDArray): the loss of the reconstruction at the mean of p(z|x), per example
        ([minibatch, 1]; a VAE configured with a loss function only)."""
        return self._net.layerCall(self._owner, "reconstruction_error", data)

    def fit(self, data, workspaceMgr=None) -> None:
        """Mirrors Layer#fit(INDArray, LayerWorkspaceMgr): one unsupervised (pretrain) step of this layer on ``data``
        (its input, after any preprocessor)."""
        pretrain.fit_layer(self._net, self._owner, self._layer_conf, self._nnc, data)


_OUTPUT_CONFS = (BaseOutputLayer, LossLayer, Yolo2OutputLayer)


def runtime_layer(net, owner, index, layer_conf, nnc) -> Layer:
    """The runtime layer object DL4J instantiates for ``layer_conf`` (chosen from the configuration class's facts)."""
    if isinstance(layer_conf, FrozenLayerConf):
        cls = FrozenLayer
    elif isinstance(layer_conf, FrozenLayerWithBackpropConf):
        cls = FrozenLayerWithBackprop
    elif layer_conf.RUNTIME_WRAPS:
        cls = _WrapperLayer
    elif isinstance(layer_conf, _OUTPUT_CONFS):  # the RNN/CNN loss layers and CenterLoss subclass these here
        cls = BaseOutputLayerImpl
    elif isinstance(layer_conf, VariationalAutoencoderConf):
        cls = VariationalAutoencoder
    else:
        cls = Layer
    return cls(net, owner, index, layer_conf, nnc)
