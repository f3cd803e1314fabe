"""Restarting a data-parallel run from its last checkpoint (torchrun --max-restarts).

``resumeOrStart(dir, build)`` is what every rank of a restartable script calls first: rank 0 reads the last
checkpoint CheckpointListener wrote into ``dir`` (nn/checkpoint.py ``resumeLastCheckpoint``: params, updater
state, iteration and epoch counts as an uninterrupted run would have them) or, on the first start, builds
the network; the other ranks build theirs and get rank 0's state through :func:`dataParallel`. So only rank 0
needs to see ``dir`` (checkpoints are written by rank 0 only).
"""

from __future__ import annotations

from pydl4j_transfer.nn.checkpoint import CheckpointListener

from . import group as G
from .data_parallel import dataParallel

__all__ = ["resumeOrStart"]


def resumeOrStart(checkpointDir, build, group=None):
    """``(network, stepsDoneInEpoch)`` on every rank (an extension): the last checkpoint's network in ``checkpointDir``
    (read by rank 0), else ``build()``'s, made data-parallel over ``group``. Skip ``stepsDoneInEpoch``
    minibatches of the (deterministic) data order, then fit on: the run ends with the params of one that was
    never stopped. ``build``: a function returning a new network of the checkpoint's configuration."""
    net, done = CheckpointListener.resumeLastCheckpoint(checkpointDir) if G.getRank(group) == 0 else (None, 0)
    _, done = G.all_reduce_ints([int(net is not None), done], "sum", group)
    if net is None:
        net = build()
    dataParallel(net, group)
    return net, done
