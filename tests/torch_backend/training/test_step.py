"""apply_update_blocks against one real DL4J MultiLayerUpdater step (two iterations).

The network's raw gradient comes from DL4J (computeGradientAndScore); both sides then run the
update: gradient normalization, minibatch division, L1/L2, updater, weight decay, NoOp BatchNorm stats.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from pydl4j_transfer.conf import NeuralNetConfiguration
from pydl4j_transfer.conf import BatchNormalization, DenseLayer, OutputLayer
from pydl4j_transfer.conf.values.updaters import Adam, Nesterovs, RmsProp
from pydl4j_transfer.conf.updater_layout import updater_blocks
from pydl4j_transfer.torch_backend.training.step import apply_update_blocks
from pydl4j_transfer.torch_backend.training.updaters import init_state

from ._jhelpers import assert_close, jclass, nd, npy

pytestmark = pytest.mark.dl4j


def _conf(gn):
    b = NeuralNetConfiguration.Builder().seed(3).updater(Adam(0.01)).l2(0.01).l1(0.002).weightDecayBias(0.05, True)
    return (b.list()
            .layer(DenseLayer(nIn=5, nOut=6, activation="tanh"))
            .layer(BatchNormalization(nOut=6))
            .layer(DenseLayer(nOut=4, activation="sigmoid", updater=RmsProp(0.02), gradientNormalization=gn,
                              gradientNormalizationThreshold=0.3))
            .layer(OutputLayer(nOut=3, activation="softmax", lossFunction="mcxent", updater=Nesterovs(0.05, 0.8),
                               gradientNormalization="ClipElementWiseAbsoluteValue", gradientNormalizationThreshold=0.05))
            .build())


@pytest.mark.parametrize("gn", ["ClipL2PerLayer", "RenormalizeL2PerParamType", "ClipL2PerParamType",
                                "RenormalizeL2PerLayer", "None"])
def test_step_matches_dl4j(gn):
    from pydl4j_transfer.conf import MultiLayerConfiguration
    from pydl4j_transfer.dl4j_backend import Dl4jModel

    conf = _conf(gn)
    rng = np.random.default_rng(11)
    model = Dl4jModel.fromJson(conf.toJson(), None)
    net = model.java
    conf = MultiLayerConfiguration.fromJson(model.configurationJson())  # as DL4J initialised it
    layers = {i: c.layer for i, c in enumerate(conf.confs)}
    blocks = updater_blocks(list(layers.items()))
    params = torch.from_numpy(npy(net.params()).reshape(-1).astype(np.float32).copy())
    state = torch.zeros(blocks[-1].state_end, dtype=torch.float32)
    for b in blocks:
        init_state(b.updater, state[b.state_start:b.state_end])
    mb = 7
    wsm = jclass("org.deeplearning4j.nn.workspace.LayerWorkspaceMgr").noWorkspaces()
    for it in range(2):
        x = rng.standard_normal((mb, 5)).astype(np.float32)
        y = np.eye(3, dtype=np.float32)[rng.integers(0, 3, mb)]
        net.setInput(nd(x))
        net.setLabels(nd(y))
        net.computeGradientAndScore()
        grad = torch.from_numpy(npy(net.gradient().gradient()).reshape(-1).copy())
        jparams = npy(net.params()).reshape(-1)
        net.getUpdater().update(net, net.gradient(), it, 0, mb, wsm)
        j_update = npy(net.gradient().gradient()).reshape(-1)
        j_state = npy(net.getUpdater().getStateViewArray()).reshape(-1)
        net.params().subi(net.gradient().gradient())  # DL4J's step: params -= update

        assert_close(params.numpy(), jparams, 1e-5, "params before")
        apply_update_blocks(blocks, params, grad, state, layers, it, 0, mb, mini_batch=True)
        assert_close(grad.numpy(), j_update, 2e-5, f"update it={it}")
        assert_close(state.numpy(), j_state, 2e-5, f"state it={it}")
        assert_close(params.numpy(), npy(net.params()).reshape(-1), 2e-5, f"params it={it}")
