"""MultiLayerNetwork: a stack of layers (configuration + flat params), run by torch or real DL4J."""

from __future__ import annotations


import numpy as np

from pydl4j_transfer.conf import MultiLayerConfiguration
from pydl4j_transfer.conf.layers.wrappers import FrozenLayerWithBackprop
from pydl4j_transfer.errors import InvalidConfigurationError
from pydl4j_transfer.nn.layers import runtime_layer
from pydl4j_transfer.nn import pretrain as PT
from pydl4j_transfer.nn.network import BaseNetwork
from pydl4j_transfer.nn.reading import restore_network
from pydl4j_transfer.nn.training import is_tensor, to_host


class MultiLayerNetwork(BaseNetwork):
    """Mirrors org.deeplearning4j.nn.multilayer.MultiLayerNetwork.

    ``MultiLayerNetwork(conf).init()`` or ``.init(params)``; ``MultiLayerNetwork(conf, params)`` (Java's
    ``new MultiLayerNetwork(conf, params)``: initialised, with those params); restored from a zip with
    ``MultiLayerNetwork.load(file, loadUpdater)`` / ``ModelSerializer.restoreMultiLayerNetwork``. Parameters live in
    one flat numpy vector in DL4J's order; ``backend="dl4j"`` runs the same network in real DL4J.
    """

    KIND = "MultiLayerNetwork"
    CONFIGURATION_CLASS = MultiLayerConfiguration

    def __init__(self, conf: MultiLayerConfiguration, params=None, backend: str = "torch"):
        """Mirrors new MultiLayerNetwork(MultiLayerConfiguration), (MultiLayerConfiguration, INDArray params) and
        (String json, INDArray params): with ``params`` the network is initialised and takes them (in its own
        data type, as DL4J's ``init(); setParameters(params)``)."""
        if isinstance(conf, str):
            conf = MultiLayerConfiguration.fromJson(conf)
        if not isinstance(conf, MultiLayerConfiguration):
            raise InvalidConfigurationError(
                f"MultiLayerNetwork needs a MultiLayerConfiguration, got {type(conf).__name__}"
                + ("; use ComputationGraph for a graph configuration" if "Graph" in type(conf).__name__ else ""))
        if isinstance(params, str):
            raise InvalidConfigurationError(f"MultiLayerNetwork(conf, params): params must be an array, got "
                                            f"{params!r}; the backend is a keyword argument: backend={params!r}")
        super().__init__(conf, backend)
        if params is not None:
            self.init(np.asarray(params).reshape(-1).astype(self._dtype))

    @classmethod
    def load(cls, f, loadUpdater: bool = True, *, backend: str = "torch") -> "MultiLayerNetwork":
        """Mirrors MultiLayerNetwork.load(File, boolean loadUpdater): ModelSerializer.restoreMultiLayerNetwork."""
        return restore_network(f, cls, loadUpdater, backend)

    def _owners_and_layers(self):
        return self._conf.param_owners()

    def _updater_owners_and_layers(self):
        return self._conf.updater_owners()

    def _layer_confs(self):
        return list(self._conf.confs)

    def _indexed_layers(self):
        return [(i, c.layer.layerName, c.layer) for i, c in enumerate(self._conf.confs)]

    def _seed(self) -> int:
        return int(self._conf.confs[0].seed) if self._conf.confs else 0

    def setEpochCount(self, count: int) -> None:
        """Mirrors MultiLayerNetwork#setEpochCount -> MultiLayerConfiguration#setEpochCount, which also sets
        every layer conf's ``epochCount`` (DL4J's Jackson calls that setter on load too, so a restored
        network's layer confs always carry the network's epoch count; graphs have no such setter)."""
        super().setEpochCount(count)
        for conf in self._conf.confs:
            conf.epochCount = int(count)

    def _mini_batch(self) -> bool:
        return getattr(self._conf.confs[0], "miniBatch", True) is not False if self._conf.confs else True

    def feedForward(self, x, train: bool = False, *, featuresMask=None, autocast=None):
        """Mirrors MultiLayerNetwork#feedForward(INDArray, boolean): [input, layer 0 output, ..., output]
        (numpy in -> numpy out; torch in -> torch out). ``autocast="bf16"|"fp16"``: see :meth:`output`."""
        return self.feedForwardToLayer(len(self._conf.confs) - 1, x, train, featuresMask=featuresMask,
                                       autocast=autocast)

    def feedForwardToLayer(self, layerNum: int, x, train: bool = False, *, featuresMask=None,
                           autocast=None):
        """Mirrors MultiLayerNetwork#feedForwardToLayer(int, INDArray, boolean): [input, ..., output of layer layerNum]."""
        n = len(self._conf.confs)
        if not 0 <= int(layerNum) < n:
            raise InvalidConfigurationError(f"layerNum must be in [0, {n - 1}], got {layerNum}")
        acts = self.getRuntime().feed_forward(x, train=bool(train), mask=featuresMask, upto=int(layerNum),
                                              autocast=autocast)
        if is_tensor(x):
            return acts
        return [to_host(a) for a in acts]

    def activateSelectedLayers(self, from_: int, to: int, input, *, autocast=None):
        """Mirrors MultiLayerNetwork#activateSelectedLayers(int from, int to, INDArray input): layers ``from``..``to``
        (inclusive, inference mode) on ``input``; returns the output of layer ``to`` only (numpy in -> numpy out,
        torch in -> torch out). ``autocast="bf16"|"fp16"``: see :meth:`output`."""
        n = len(self._conf.confs)
        if input is None:
            raise InvalidConfigurationError("Unable to perform activation; no input found")
        if not 0 <= int(from_) < n or int(from_) >= int(to):
            raise InvalidConfigurationError(f"Unable to perform activation; FROM is out of layer space: from={from_} "
                                            f"must be in [0, {n - 1}] and below to={to}")
        if not 1 <= int(to) < n:
            raise InvalidConfigurationError(f"Unable to perform activation; TO is out of layer space: to={to} must be "
                                            f"in [1, {n - 1}]")
        return self._activate_range(int(from_), int(to), input, autocast)

    def _activate_range(self, start: int, upto: int, x, autocast=None):
        """Layers start..upto in inference mode, only the last activation kept and converted (featurize's path:
        on a GPU only the boundary activation crosses to the host)."""
        out = self.getRuntime().activate_range(x, start, upto, autocast=autocast)
        return out if is_tensor(x) else to_host(out)

    def getLayerWiseConfigurations(self) -> MultiLayerConfiguration:
        """Mirrors MultiLayerNetwork#getLayerWiseConfigurations()."""
        return self._conf

    getConfiguration = getLayerWiseConfigurations

    def getnLayers(self) -> int:
        """Mirrors MultiLayerNetwork#getnLayers()."""
        return len(self._conf.confs)

    def pretrain(self, iterator, numEpochs: int = 1) -> None:
        """Mirrors MultiLayerNetwork#pretrain(DataSetIterator[, int numEpochs]): layer-wise unsupervised training of
        every pretrainable layer (VariationalAutoencoder), one after the other (nn/pretrain.py)."""
        PT.mln_pretrain(self, iterator, numEpochs)

    def pretrainLayer(self, layerIdx: int, data, numEpochs: int = 1) -> None:
        """Mirrors MultiLayerNetwork#pretrainLayer(int, DataSetIterator[, int]) and pretrainLayer(int, INDArray
        features): unsupervised training of one pretrainable layer; a no-op for any other (nn/pretrain.py)."""
        PT.mln_pretrain_layer(self, int(layerIdx), data, numEpochs)

    def getLayer(self, indexOrName):
        """Mirrors MultiLayerNetwork#getLayer(int) / getLayer(String): the runtime layer
        (:class:`pydl4j_transfer.nn.layers.Layer`; a ``nn.layers.FrozenLayer`` for a frozen one), its parameters
        views into ``params()``."""
        names = self.getLayerNames()
        index = names.index(indexOrName) if isinstance(indexOrName, str) and indexOrName in names else indexOrName
        if isinstance(index, (bool, str)) or not isinstance(index, (int, np.integer)) or not -len(names) <= index < len(names):
            raise KeyError(f"no layer {indexOrName!r}; layers are 0..{len(names) - 1}: {names}")
        index = int(index) % len(names)
        nnc = self._conf.confs[index]
        return runtime_layer(self, index, index, nnc.layer, nnc)

    def getLayers(self) -> list:
        """Mirrors MultiLayerNetwork#getLayers(): the runtime layers, in order."""
        return [self.getLayer(i) for i in range(self.getnLayers())]

    def getOutputLayer(self):
        """Mirrors MultiLayerNetwork#getOutputLayer(): the last layer (the layer inside a FrozenLayerWithBackprop, as
        DL4J unwraps it)."""
        layer = self.getLayer(self.getnLayers() - 1)
        if isinstance(self._conf.confs[-1].layer, FrozenLayerWithBackprop):
            return layer.getInsideLayer()
        return layer

    def setInput(self, input) -> None:
        """Mirrors MultiLayerNetwork#setInput(INDArray): the input computeGradientAndScore() uses."""
        self._set_input = input

    def getInput(self):
        """Mirrors MultiLayerNetwork#getInput()."""
        return self._set_input

    def setLabels(self, labels) -> None:
        """Mirrors MultiLayerNetwork#setLabels(INDArray): the labels computeGradientAndScore() uses."""
        self._set_labels = labels

    def getLabels(self):
        """Mirrors MultiLayerNetwork#getLabels()."""
        return self._set_labels

    def getLayerNames(self) -> list:
        return [layer.layerName for layer in self._conf.layers]

    def output(self, input, train: bool = False, *, autocast=None):
        """Mirrors MultiLayerNetwork#output(INDArray, boolean): numpy in (or torch), numpy out.

        ``autocast="bf16"|"fp16"`` (an extension; torch backend only): run under ``torch.autocast`` in that
        precision; the result comes back in the network's dtype (torch_backend/precision.py)."""
        out = self.getRuntime().output([input], train=train, autocast=autocast)
        return out if is_tensor(input) else to_host(out)
