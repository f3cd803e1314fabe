"""The dl4j runtime of one network: the network running in real DL4J, the twin of TorchRuntime.

``backend="dl4j"`` networks ask for this runtime once; it builds DL4J's own MultiLayerNetwork /
ComputationGraph from the configuration JSON and flat parameters (or wraps one DL4J built, e.g. by its
TransferLearning builders) and answers the same verbs as
:class:`pydl4j_transfer.torch_backend.runtime.TorchRuntime`. Verbs DL4J's facade does not offer here raise
:class:`InvalidConfigurationError` naming the torch backend.
"""

from __future__ import annotations

import numpy as np

from pydl4j_transfer.errors import InvalidConfigurationError

from .model import Dl4jModel


class Dl4jRuntime:
    """Mirrors what DL4J's MultiLayerNetwork / ComputationGraph hold at runtime: here, DL4J itself."""

    kind = "dl4j"
    #: TransferLearning builders and helpers run DL4J's own (dl4j_backend/transfer.py)
    replays_transfer_learning = True

    def __init__(self, conf, params: np.ndarray, updater_state=None, device=None, *, model: Dl4jModel | None = None):
        # ``device`` (the torch backend's) does not apply: DL4J runs where ND4J's backend runs
        self.conf = conf
        self.graph = hasattr(conf, "vertices")
        self.model = model if model is not None else Dl4jModel.fromJson(conf.toJson(), params)
        self._host_params = params
        self._host_state = updater_state
        self.dirty = False  # DL4J's params newer than the host arrays

    # ---- host arrays
    def host_arrays(self):
        """``(params, updater state)`` as numpy: what the network holds, refreshed from DL4J after DL4J trained
        the network in place (a TransferLearningHelper's fitFeaturized)."""
        if self.dirty:
            self._host_params[...] = self.model.params()
            self.dirty = False
        return self._host_params, self._host_state

    def params_written(self, ranges) -> None:
        """The network's numpy params changed: DL4J's copy is rebuilt from them."""
        self.model = Dl4jModel.fromJson(self.conf.toJson(), self._host_params)

    def set_updater_state(self, state) -> None:
        self._host_state = state

    # ---- transfer learning in DL4J
    def transfer_learning(self, edits, graph: bool) -> Dl4jModel:
        """Replays recorded TransferLearning.Builder / GraphBuilder calls on DL4J's own builder over this network;
        returns the network DL4J built."""
        from . import transfer

        jb = transfer.transfer_builder(self.model.java, graph)
        for edit in edits:
            edit.replay(jb, transfer)
        return Dl4jModel(jb.build())

    def transfer_learning_helper(self, names=None, frozen_till=None):
        """DL4J's TransferLearningHelper over this network (it trains this network in place: see host_arrays)."""
        from .transfer import Dl4jTransferLearningHelper

        return Dl4jTransferLearningHelper(self.model.java, self.graph, names, frozen_till)

    # ---- DL4J's ParallelWrapper (dl4j_backend/parallel.py)
    def parallel_wrapper_fit(self, minibatches, **settings) -> None:
        """DL4J's own ParallelWrapper trains this network in place on ``minibatches`` (ParallelWrapper's
        builder settings as keywords); the host params and updater state follow."""
        from .parallel import parallel_wrapper_fit

        parallel_wrapper_fit(self.model.java, minibatches, **settings)
        self.dirty = True
        self._host_state = self.model.updaterState()

    def apply_constraints(self) -> None:
        """Mirrors Model#applyConstraints(iteration, epoch): DL4J applies the layers' constraints to its params."""
        java = self.model.java
        java.applyConstraints(java.getIterationCount(), java.getEpochCount())
        self.dirty = True

    # ---- verbs
    def output(self, inputs, *, train=False, autocast=None):
        """Mirrors output(train, inputs...) in DL4J: numpy out (a list for a graph)."""
        if autocast is not None:
            raise InvalidConfigurationError("autocast is a torch-backend option; DL4J computes in the network's "
                                            "own data type")
        return self.model.output(*[np.asarray(x) for x in inputs], train=train)

    def _torch_only(self, what):
        raise InvalidConfigurationError(f"{what} runs on the torch backend; this network uses backend='dl4j'")

    def feed_forward(self, *args, **kwargs):
        self._torch_only("feedForward")

    def activate_layer(self, *args, **kwargs):
        self._torch_only("Layer#activate")

    def activate_range(self, *args, **kwargs):
        self._torch_only("activateSelectedLayers")

    def pretrain_input(self, *args, **kwargs):
        self._torch_only("pretrain / pretrainLayer")

    pretrain_step = pretrain_input

    def vae_call(self, *args, **kwargs):
        self._torch_only("the VariationalAutoencoder runtime layer's methods")

    def compute_gradient_and_score(self, *args, **kwargs):
        self._torch_only("fit / computeGradientAndScore")

    update = compute_gradient_and_score

    def rnn_time_step(self, *args, **kwargs):
        self._torch_only("rnnTimeStep")

    def recurrent_layers(self, *args, **kwargs):
        self._torch_only("truncated BPTT")

    def is_rnn_owner(self, *args, **kwargs):
        self._torch_only("rnnGetPreviousState / rnnSetPreviousState")

    @property
    def module(self):
        self._torch_only("torchModule()")

    def gradient(self):
        return None

    def score_value(self) -> float:
        return float("nan")
