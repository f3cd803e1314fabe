"""MultiLayerNetwork: a stack of layers (configuration + flat params), run by torch or real DL4J."""

from __future__ import annotations

import numpy as np

from pydl4j_transfer.conf import MultiLayerConfiguration
from pydl4j_transfer.errors import InvalidConfigurationError
from pydl4j_transfer.nn.network import BaseNetwork


class MultiLayerNetwork(BaseNetwork):
    """Mirrors org.deeplearning4j.nn.multilayer.MultiLayerNetwork.

    ``MultiLayerNetwork(conf).init()`` or ``.init(params)``; restored from a zip with
    ``ModelSerializer.restoreMultiLayerNetwork``. Parameters live in one flat numpy vector
    in DL4J's order; ``backend="dl4j"`` runs the same network in real DL4J.
    """

    def __init__(self, conf: MultiLayerConfiguration, backend: str = "torch"):
        if not isinstance(conf, MultiLayerConfiguration):
            raise InvalidConfigurationError(
                f"MultiLayerNetwork needs a MultiLayerConfiguration, got {type(conf).__name__}"
                + ("; use ComputationGraph for a graph configuration" if "Graph" in type(conf).__name__ else ""))
        super().__init__(conf, backend)

    def _owners_and_layers(self):
        return [(i, layer) for i, layer in enumerate(self._conf.layers)]

    _updater_owners_and_layers = _owners_and_layers

    def _layer_confs(self):
        return list(self._conf.confs)

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
        import torch

        from pydl4j_transfer.torch_backend import autocast as autocast_ctx
        from pydl4j_transfer.torch_backend import feed_forward

        n = len(self._conf.confs)
        if not 0 <= int(layerNum) < n:
            raise InvalidConfigurationError(f"layerNum must be in [0, {n - 1}], got {layerNum}")
        module = self._torch_module()
        with torch.no_grad(), autocast_ctx(autocast, self._device):
            acts = feed_forward(module, x, bool(train), mask=featuresMask, upto=int(layerNum))
        if autocast is not None:  # results in the network's dtype, as DL4J would give them
            dtype = torch.from_numpy(self._flat[:0]).dtype
            acts = [a.to(dtype) if isinstance(a, torch.Tensor) and a.is_floating_point() else a for a in acts]
        if isinstance(x, torch.Tensor):
            return acts
        return [a.detach().cpu().numpy() if isinstance(a, torch.Tensor) else np.asarray(a) for a in acts]

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
        import torch

        from pydl4j_transfer.torch_backend import autocast as autocast_ctx
        from pydl4j_transfer.torch_backend import set_mode

        module = self._torch_module()
        was = module.training
        set_mode(module, False)
        try:
            with torch.inference_mode(), autocast_ctx(autocast, self._device):
                out = module.activate_range(x, start, upto)
        finally:
            set_mode(module, was)
        dtype = torch.from_numpy(self._flat[:0]).dtype
        if out.is_floating_point() and out.dtype != dtype:  # autocast: the network's dtype, as DL4J gives
            out = out.to(dtype)
        return out if isinstance(x, torch.Tensor) else out.detach().cpu().numpy()

    def getLayerWiseConfigurations(self) -> MultiLayerConfiguration:
        """Mirrors MultiLayerNetwork#getLayerWiseConfigurations()."""
        return self._conf

    getConfiguration = getLayerWiseConfigurations

    def getnLayers(self) -> int:
        """Mirrors MultiLayerNetwork#getnLayers()."""
        return len(self._conf.confs)

    def getLayer(self, indexOrName):
        """Mirrors MultiLayerNetwork#getLayer(int) / getLayer(String)."""
        from pydl4j_transfer.nn.network import LayerView

        names = self.getLayerNames()
        index = names.index(indexOrName) if isinstance(indexOrName, str) and indexOrName in names else indexOrName
        if not isinstance(index, int) or not -len(names) <= index < len(names):
            raise KeyError(f"no layer {indexOrName!r}; layers are 0..{len(names) - 1}: {names}")
        index %= len(names)
        return LayerView(self, index, self._conf.layers[index], index)

    def getLayers(self) -> list:
        """Mirrors MultiLayerNetwork#getLayers()."""
        return [self.getLayer(i) for i in range(self.getnLayers())]

    def getLayerNames(self) -> list:
        return [layer.layerName for layer in self._conf.layers]

    def output(self, input, train: bool = False, *, autocast=None):
        """Mirrors MultiLayerNetwork#output(INDArray, boolean): numpy in (or torch), numpy out.

        ``autocast="bf16"|"fp16"`` (an extension; torch backend only): run under ``torch.autocast`` in that
        precision; the result comes back in the network's dtype (torch_backend/precision.py)."""
        self._require_init()
        if self._backend == "dl4j":
            return self._dl4j_model().output(np.asarray(input), train=train)
        import torch

        from pydl4j_transfer.torch_backend import autocast as autocast_ctx
        from pydl4j_transfer.torch_backend import set_mode

        module = set_mode(self._torch_module(), bool(train))
        dtype = torch.from_numpy(self._flat[:0]).dtype
        from pydl4j_transfer.torch_backend.base import to_tensor

        x = to_tensor(input)
        with torch.inference_mode(not train), autocast_ctx(autocast, self._device):
            out = module(x.to(dtype=dtype))
        out = out.to(dtype)
        return out.detach().cpu().numpy() if not isinstance(input, torch.Tensor) else out
