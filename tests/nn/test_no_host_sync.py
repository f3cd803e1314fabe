"""Issue 4: no host synchronisation inside the training step.

A host sync is any op whose result the host must read before it can go on: ``Tensor.item()`` /
``float(t)`` / ``bool(t)`` (all ``aten._local_scalar_dense``) and data-dependent shapes
(``nonzero``, ``masked_select``, ``unique``). On a GPU each one stalls the launch queue. They are
caught here on the CPU by a TorchDispatchMode that sees every aten op the step runs, so the check
needs no GPU. ``score()`` may sync: DL4J semantics need its value, and it converts on demand.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch.utils._python_dispatch import TorchDispatchMode

from pydl4j_transfer.data import DataSet
from pydl4j_transfer.nn import ComputationGraph, MultiLayerNetwork

from .test_training import FIT_CASES, data, dense_net, ours_batch

SYNC_OPS = frozenset({"_local_scalar_dense", "item", "is_nonzero", "nonzero", "masked_select", "unique",
                      "_unique", "_unique2", "unique_consecutive", "equal", "allclose"})

#: indexing with a boolean mask (``t[mask]``, ``t[mask] = v``) runs nonzero inside the kernel on a GPU
BOOL_INDEX_OPS = frozenset({"index", "index_put", "index_put_", "_index_put_impl_"})


def _bool_index(args) -> bool:
    indices = args[1] if len(args) > 1 and isinstance(args[1], (list, tuple)) else ()
    return any(isinstance(i, torch.Tensor) and i.dtype == torch.bool for i in indices)


class HostSyncs(TorchDispatchMode):
    """Records the host-syncing aten ops run inside the ``with`` block."""

    def __init__(self):
        super().__init__()
        self.ops = []

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        name = func.overloadpacket.__name__
        if name in SYNC_OPS or (name in BOOL_INDEX_OPS and _bool_index(args)):
            self.ops.append(name)
        return func(*args, **(kwargs or {}))


def test_the_probe_sees_a_sync():
    t = torch.ones(3)
    with HostSyncs() as seen:
        float(t.sum())
        bool((t > 0).any())
        t[t > 0]
        t.nonzero()
    assert seen.ops == ["_local_scalar_dense", "_local_scalar_dense", "index", "nonzero"], seen.ops


@pytest.mark.parametrize("name", list(FIT_CASES))
def test_fit_step_has_no_host_sync(name):
    make, kind = FIT_CASES[name]
    conf = make()
    cls = ComputationGraph if hasattr(conf, "vertices") else MultiLayerNetwork
    net = cls(conf).init()
    batch = ours_batch(data(kind), cls is ComputationGraph)
    net.fit(**batch)  # the first step creates the updater state
    with HostSyncs() as seen:
        net.fit(**batch)
        net.fit(**batch)
    assert seen.ops == [], f"{name}: the training step synchronises with the host through {sorted(set(seen.ops))}"
    assert net.getIterationCount() == 3


def test_fit_featurized_step_has_no_host_sync():
    from pydl4j_transfer import TransferLearningHelper

    net = MultiLayerNetwork(dense_net()).init()
    helper = TransferLearningHelper(net, 0)
    x, y = data("dense")[0][0], data("dense")[1][0]
    feats = helper.featurize(DataSet(x, y))
    helper.fitFeaturized(feats)
    before = net.params().copy()
    with HostSyncs() as seen:
        helper.fitFeaturized(feats)
        helper.fitFeaturized(feats)
    assert seen.ops == [], sorted(set(seen.ops))
    assert not np.array_equal(net.params(), before)


@pytest.mark.gpu
@pytest.mark.parametrize("name", ["cnn", "batchnorm", "graph_merge", "updater_Nesterovs", "gradnorm_renorm",
                                  "loss_mcxent_weighted", "loss_sparse_mcxent"])
def test_cuda_fit_from_numpy_never_syncs(name):
    """On a card, CUDA's own sync detector: numpy minibatches reach the GPU through pinned memory with
    non-blocking copies (a pageable copy would wait for the queued kernels), and the step itself does not sync."""
    make, kind = FIT_CASES[name]
    conf = make()
    cls = ComputationGraph if hasattr(conf, "vertices") else MultiLayerNetwork
    p0 = cls(make()).init().params().copy()
    cpu, gpu = cls(make()).init(p0.copy()), cls(conf).init(p0.copy()).to("cuda")
    batch = ours_batch(data(kind), cls is ComputationGraph)
    cpu.fit(**batch)
    gpu.fit(**batch)  # creates the updater state
    torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = False  # DL4J's float32 math
    torch.cuda.synchronize()
    torch.cuda.set_sync_debug_mode("error")
    try:
        for _ in range(3):
            gpu.fit(**batch)
    finally:
        torch.cuda.set_sync_debug_mode("default")
    for _ in range(3):
        cpu.fit(**batch)
    np.testing.assert_allclose(gpu.params(), cpu.params(), rtol=1e-4, atol=1e-6)
