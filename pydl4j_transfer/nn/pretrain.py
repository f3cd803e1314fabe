"""DL4J's layer-wise unsupervised pretraining: ``pretrain`` / ``pretrainLayer`` of MultiLayerNetwork and
ComputationGraph, for VariationalAutoencoder layers.

Mirrors ``MultiLayerNetwork#pretrain(DataSetIterator, int)``, ``#pretrainLayer(int, DataSetIterator, int)``,
``#pretrainLayer(int, INDArray)``, ``ComputationGraph#pretrain(MultiDataSetIterator / DataSetIterator, int)`` and
``#pretrainLayer(String, ...)`` in DL4J 1.0.0-M2.1:

* each minibatch is one ``Layer#fit(input)`` of the layer: its own Solver, i.e. the layer's
  ``computeGradientAndScore`` and a **LayerUpdater of its own** (its updater state is not the network's and is not
  saved in the zip; it lives as long as this network object), every updater block updated, pretrain params included;
  the iteration count is the layer's NeuralNetConfiguration's (``conf().getIterationCount()``), incremented per
  minibatch (it is written to the configuration JSON, as DL4J's is);
* MultiLayerNetwork: M2.1 gives layer ``i`` the raw features through layer ``i``'s input preprocessor (not the
  output of layers 0..i-1: see TorchRuntime#pretrain_input and docs/deviations.md), and after ``numEpochs``
  passes sets the layer configuration's epoch count + 1; ``pretrain`` visits every layer in order;
* ComputationGraph: the layer's input is the inference-mode activation of its input vertex; ``pretrain`` visits
  the pretrainable non-output layers in topological order and, as M2.1's ``pretrainLayerHelper``, makes ONE pass
  whatever ``numEpochs`` says;
* a layer that is not pretrainable is skipped; a frozen one (FrozenLayer / FrozenLayerWithBackprop) is a no-op
  (DL4J's frozen ``fit`` logs and returns).
"""

from __future__ import annotations

import logging

from pydl4j_transfer.conf.layers.variational import VariationalAutoencoder
from pydl4j_transfer.conf.layers.wrappers import FrozenLayer, FrozenLayerWithBackprop
from pydl4j_transfer.conf.values.stepfunctions import step_sign
from pydl4j_transfer.errors import InvalidConfigurationError
from pydl4j_transfer.nn import training as T

log = logging.getLogger(__name__)


def is_pretrain_layer(layer_conf) -> bool:
    """Mirrors Layer#isPretrainLayer (wrappers answer the wrapped layer's)."""
    inner = layer_conf
    while isinstance(inner, (FrozenLayer, FrozenLayerWithBackprop)):
        inner = inner.wrapped()
    return any(inner.isPretrainParam(k) for k in inner.paramKeys()) if inner is not None else False


def _features(item):
    """The features of one minibatch of an iterator (DataSet-like, MultiDataSet-like, (x, y) pair or an array)."""
    if hasattr(item, "numFeatureArrays"):
        return [item.getFeatures(i) for i in range(int(item.numFeatureArrays()))]
    if hasattr(item, "getFeatures"):
        return item.getFeatures()
    if isinstance(item, (tuple, list)) and len(item) >= 1 and not T.is_tensor(item) and hasattr(item[0], "shape"):
        return item[0]
    return item


def fit_layer(net, owner, layer_conf, nnc, features) -> float | None:
    """One ``Layer#fit(input)`` of a pretrain layer on one minibatch; returns the layer's score (None: no-op)."""
    if isinstance(layer_conf, (FrozenLayer, FrozenLayerWithBackprop)):
        log.info("Frozen layers cannot be fit. Warning will be issued only once per instance")
        return None
    if not isinstance(layer_conf, VariationalAutoencoder):
        raise InvalidConfigurationError(
            f"layer {owner!r} ({layer_conf.runtime_class_name()}): layer-wise pretraining is implemented for "
            "VariationalAutoencoder only (AutoEncoder's pretraining is not mirrored)")
    rt = net.getRuntime()
    x = rt.pretrain_input(str(owner), features)
    states = net.__dict__.setdefault("_pretrain_states", {})
    iteration = int(nnc.iterationCount or 0)
    epoch = int(nnc.epochCount or 0)
    score, states[str(owner)] = rt.pretrain_step(
        str(owner), x, iteration=iteration, epoch=epoch, state=states.get(str(owner)),
        mini_batch=getattr(nnc, "miniBatch", True) is not False, step_sign=step_sign(getattr(nnc, "stepFunction", None)))
    nnc.iterationCount = iteration + 1  # BaseOptimizer.incrementIterationCount(layer): conf().setIterationCount
    net.__dict__.setdefault("_pretrain_scores", {})[str(owner)] = score
    return score


def _batches(data):
    if T.is_iterator(data):
        yield from T.iterate(data)
    else:
        yield data


def mln_pretrain_layer(net, layer_idx: int, data, num_epochs: int = 1) -> None:
    """Mirrors MultiLayerNetwork#pretrainLayer(int, DataSetIterator, int) and #pretrainLayer(int, INDArray)."""
    net._require_init()
    layers = net._conf.confs
    if int(num_epochs) <= 0:
        raise InvalidConfigurationError(f"Number of epochs ({num_epochs}) must be a positive number")
    if layer_idx >= len(layers):
        raise InvalidConfigurationError(f"Cannot pretrain layer: layerIdx ({layer_idx}) >= numLayers ({len(layers)})")
    nnc = layers[layer_idx]
    if not is_pretrain_layer(nnc.layer):
        return
    iterator = T.is_iterator(data)
    for e in range(int(num_epochs) if iterator else 1):
        if e > 0 and hasattr(data, "reset"):
            data.reset()
        for item in _batches(data):
            fit_layer(net, layer_idx, nnc.layer, nnc, _features(item))
    if iterator:
        nnc.epochCount = int(nnc.epochCount or 0) + 1


def mln_pretrain(net, data, num_epochs: int = 1) -> None:
    """Mirrors MultiLayerNetwork#pretrain(DataSetIterator, int): pretrainLayer on every layer in order."""
    for i in range(len(net._conf.confs)):
        mln_pretrain_layer(net, i, data, num_epochs)


def graph_pretrain_layer(net, name: str, data) -> None:
    """Mirrors ComputationGraph#pretrainLayer(String, (Multi)DataSetIterator): one pass over the iterator."""
    net._require_init()
    conf = net._conf
    vertex = conf.vertices.get(name)
    if vertex is None:
        raise InvalidConfigurationError(f"Invalid vertex name: {name} - all vertex names: {list(conf.vertices)}")
    layer = getattr(vertex, "layer", None)
    if layer is None:
        return
    nnc = vertex.layerConf
    for item in _batches(data):
        fit_layer(net, name, layer, nnc, _features(item))


def graph_pretrain(net, data, num_epochs: int = 1) -> None:
    """Mirrors ComputationGraph#pretrain(iterator, numEpochs): the pretrainable layers that are not network outputs
    (DL4J: not IOutputLayers), in topological order, one pass each (M2.1 ignores numEpochs there)."""
    conf = net._conf
    for name in conf.topological_names():
        vertex = conf.vertices.get(name)
        layer = getattr(vertex, "layer", None) if vertex is not None else None
        if layer is None or not is_pretrain_layer(layer) or _is_output_layer(layer):
            continue
        graph_pretrain_layer(net, name, data)


def _is_output_layer(layer) -> bool:
    return hasattr(layer, "lossFn") or type(layer).__name__.endswith(("OutputLayer", "LossLayer"))
