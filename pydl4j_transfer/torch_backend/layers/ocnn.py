"""OCNNOutputLayer: mirrors ``org.deeplearning4j.nn.layers.ocnn.OCNNOutputLayer#doOutput``.

``out = act(x·v)·w`` with v [nIn, hidden] and w [1, hidden] ('f': stored transposed, see params.py), a rank-1
[minibatch] output. Inference only: DL4J trains this layer with a hand-written gradient (not the score's) and an
r-percentile window updated at epoch boundaries, which this backend does not reproduce; a train-mode forward raises.
"""

from __future__ import annotations

import torch

from pydl4j_transfer.conf import OCNNOutputLayer
from pydl4j_transfer.errors import InvalidConfigurationError

from ..activations import activation_module
from ..registry import LAYER_CONVERTERS
from .output import OutputModule


@LAYER_CONVERTERS.register(OCNNOutputLayer)
class OCNNModule(OutputModule):
    """Mirrors org.deeplearning4j.nn.layers.ocnn.OCNNOutputLayer (forward; an IOutputLayer whose loss is refused)."""

    def __init__(self, conf, ctx):
        super().__init__(conf, ctx)
        self.n_in = int(conf.nIn)
        self.act = activation_module(conf.activationFn, ctx)

    def _refuse_training(self):
        return InvalidConfigurationError(
            f"layer {self.layer_name!r} (OCNNOutputLayer): training is not implemented on the torch backend (DL4J"
            " trains it with its own hand-written gradient and an r-percentile window); fit it with backend='dl4j'")

    def loss_terms(self, labels, lmask, mini_batch: bool):
        raise self._refuse_training()

    def compute(self, x, mask=None):
        if self.training and torch.is_grad_enabled():
            raise self._refuse_training()
        self.check_rank(x, 2, f"[minibatch, {self.n_in}]")
        if x.shape[1] != self.n_in:
            raise self.bad_input(x, f"[minibatch, {self.n_in}]")
        v = self.p("v").transpose(0, 1)  # stored [hidden, nIn]: DL4J's v [nIn, hidden] in 'f' order
        return torch.matmul(self.act(torch.matmul(x, v)), self.p("w").reshape(-1))
