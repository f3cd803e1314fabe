"""Frozen-graph inference (an extension; DL4J has no equivalent): a network part whose weights stay fixed (the
frozen layers that ``TransferLearningHelper.featurize`` runs) executed as a TorchScript graph with its weights
baked in.

``torch.jit.trace`` records the part's forward for one input signature (shapes and dtypes: everything
shape-dependent, such as ConvolutionMode.Same's padding, is fixed by it), ``torch.jit.freeze`` turns the
weights into constants and folds every inference-mode BatchNormalization into the convolution before it, and on
the CPU ``torch.jit.optimize_for_inference`` keeps activations in oneDNN's blocked layout from the first
convolution to the last, with ReLU and residual additions fused into the convolutions. Measured (bench
featurize, 2 cores, batch 8, 224x224; BENCHMARKS.md): ResNet50 to "avgpool" 128 -> 75 ms (43% -> 73% of the
GEMM peak), VGG16 to "fc2" 0.93 -> 0.88 s; features within 3e-6 (relative to the largest) of the ordinary
forward's, and as close to DL4J's as those are.

Costs and limits, all of them why this is opt-in:

* building a graph takes a second or a few (ResNet50 1.6 s, VGG16 2.9 s in the bench), once per input
  signature; the last :data:`MAX_GRAPHS` signatures are kept;
* the graph holds a second copy of the weights it covers (oneDNN's layout): the bench's ResNet50 process
  peaked at 0.90 GiB instead of 0.68;
* the weights are read when the graph is built. A later change through the API (``setParams``, ``setParam``,
  ``fit``, any in-place torch write to ``torchModule()``'s parameters, ``to(...)``) rebuilds it; a write into
  the numpy array ``params()`` returned is not seen (as a frozen part's weights do not change, the helper's
  feature cache makes the same assumption);
* CPU only: on other devices the caller runs the ordinary forward (no measurement on a card yet);
* a forward that cannot be traced (or a graph that fails on an input) falls back to the ordinary forward, so
  the eager code's own errors (e.g. an EmbeddingLayer index out of range) still reach the user.
"""

from __future__ import annotations

import warnings
from collections import OrderedDict

import torch
from torch import nn

from pydl4j_transfer.errors import Pydl4jTransferError

from .base import set_mode, to_tensor

MAX_GRAPHS = 4  # input signatures kept per network part (a data set's last, smaller minibatch is one more)


class _Part(nn.Module):
    """``fn(module, *xs)`` as a module holding ``module``, so tracing sees its parameters as parameters."""

    def __init__(self, module, fn):
        super().__init__()
        self.module = module
        self.fn = fn

    def forward(self, *xs):
        return tuple(self.fn(self.module, *xs))


def signature(xs) -> tuple:
    return tuple((tuple(x.shape), x.dtype, x.device) for x in xs)


def build(module: nn.Module, fn, xs):
    """The frozen (and, on the CPU, oneDNN-optimized) TorchScript graph of ``fn(module, *xs)``; ``module`` is
    left in inference mode."""
    set_mode(module, False)
    part = _Part(module, fn)
    part.training = False  # freeze checks the top module only; the DL4J modules' modes are set_mode's
    with torch.no_grad(), warnings.catch_warnings():
        # the trace reads input sizes into Python (padding, reshapes): the signature key covers them
        warnings.simplefilter("ignore", torch.jit.TracerWarning)
        traced = torch.jit.trace(part, tuple(xs), check_trace=False)
        graph = torch.jit.freeze(traced)
        if all(x.device.type == "cpu" for x in xs):
            graph = torch.jit.optimize_for_inference(graph)
    return graph


class FrozenGraphs:
    """The graphs of one network part, per input signature. ``version()`` says which weights a graph holds:
    a graph built for another version is rebuilt."""

    def __init__(self, module, fn, version, dtype):
        self.module, self.fn, self.version, self.dtype = module, fn, version, dtype
        self.graphs = OrderedDict()  # signature -> (weights version, graph or None when tracing failed)

    def run(self, *arrays):
        """numpy in (floating-point arrays cast to the network's dtype, as the ordinary forward does), numpy out."""
        xs = [to_tensor(a, self.dtype) for a in arrays]
        return [y.numpy() for y in self(*xs)]

    def __call__(self, *xs):
        """``fn(module, *xs)`` as a tuple, through the graph (inference mode)."""
        key, version = signature(xs), self.version()
        entry = self.graphs.get(key)
        if entry is None or entry[0] != version:
            try:
                entry = (version, build(self.module, self.fn, xs))
            except Pydl4jTransferError:  # bad input: the layer's own error, as the ordinary forward gives it
                raise
            except Exception as e:  # noqa: BLE001  (an untraceable forward still runs, eagerly)
                warnings.warn(f"the frozen forward could not be traced ({type(e).__name__}: {e}); it runs eagerly",
                              RuntimeWarning, stacklevel=3)
                entry = (version, None)
            self.graphs[key] = entry
            while len(self.graphs) > MAX_GRAPHS:
                self.graphs.popitem(last=False)
        self.graphs.move_to_end(key)
        graph = entry[1]
        with torch.inference_mode():
            if graph is not None:
                try:
                    return tuple(graph(*xs))
                except RuntimeError:  # the eager forward gives the error that names the layer, or the result
                    pass
            set_mode(self.module, False)
            return tuple(self.fn(self.module, *xs))
