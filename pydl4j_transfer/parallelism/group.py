"""The torch.distributed process group this package trains in: who is who, and on which device.

``torchrun`` (or ``python -m torch.distributed.run``) starts one process per rank and sets ``RANK``,
``WORLD_SIZE``, ``LOCAL_RANK``, ``MASTER_ADDR`` and ``MASTER_PORT``; :func:`initDistributed` joins that group
(NCCL when CUDA is available, one GPU per local rank; gloo on CPUs). A script started without ``torchrun``
is one process: rank 0 of 1, and nothing here communicates.

Two groups are used: the *data* group (NCCL or gloo) carries gradients, parameters and updater state where
they live; the *control* group (always gloo, CPU tensors) carries the few host-side integers (minibatch sizes,
"has a batch" flags), so a step on a GPU never waits for a device-to-host copy to learn the global batch size.
"""

from __future__ import annotations

import collections
import datetime
import os

from pydl4j_transfer.errors import InvalidConfigurationError

__all__ = ["initDistributed", "getRank", "getWorldSize", "getLocalRank", "isPrimary", "deviceForRank",
           "destroyDistributed"]

#: environment variable choosing the data group's backend ("gloo" or "nccl"), else the default
BACKEND_ENV = "PYDL4J_TRANSFER_DIST_BACKEND"
_control = {}  # id of the data group (None: the default group) -> its gloo control group


def _dist():
    import torch.distributed as dist

    return dist


def _initialized() -> bool:
    dist = _dist()
    return dist.is_available() and dist.is_initialized()


def initDistributed(backend: str | None = None, timeout_s: float = 1800.0) -> tuple:
    """Join the process group ``torchrun`` set up (an extension, no DL4J original); returns ``(rank, worldSize)``.

    Idempotent. Without torchrun's environment (no ``WORLD_SIZE``) it returns ``(0, 1)`` and starts nothing,
    so the same script runs alone. ``backend``: ``"gloo"`` or ``"nccl"``; default ``$PYDL4J_TRANSFER_DIST_BACKEND``,
    else NCCL where CUDA is available (each process then uses ``cuda:LOCAL_RANK``), else gloo."""
    dist = _dist()
    if _initialized():
        return dist.get_rank(), dist.get_world_size()
    if "WORLD_SIZE" not in os.environ:
        return 0, 1
    import torch

    backend = backend or os.environ.get(BACKEND_ENV) or ("nccl" if torch.cuda.is_available() else "gloo")
    if backend not in ("gloo", "nccl"):
        raise InvalidConfigurationError(f"initDistributed: backend must be 'gloo' or 'nccl', got {backend!r}")
    if backend == "nccl":
        if not torch.cuda.is_available():
            raise InvalidConfigurationError("initDistributed: the NCCL backend needs CUDA; use backend='gloo' on CPUs")
        torch.cuda.set_device(getLocalRank())
    dist.init_process_group(backend, timeout=datetime.timedelta(seconds=float(timeout_s)))
    return dist.get_rank(), dist.get_world_size()


#: The last collectives' own tensors, held from Python until the group is destroyed. gloo's worker thread can
#: release a collective's work after the caller has returned; when that work holds the last reference to a tensor
#: made in Python, releasing it needs the GIL, and destroy_process_group holds the GIL while it joins gloo's threads:
#: a deadlock, seen in ParallelWrapper.close on a busy 2-core machine (ProcessGroupGloo::~ProcessGroupGloo in
#: std::thread::join, gloo's runLoop in ~AsyncBroadcastWork waiting for the GIL). Only the last few works can still
#: be pending, so a short queue is enough.
_HELD: collections.deque = collections.deque(maxlen=16)


def held(t):
    """``t``, kept alive from Python until the group is destroyed (see ``_HELD``); pass a collective's own tensors
    through it."""
    _HELD.append(t)
    return t


def release_held() -> None:
    """After destroy_process_group (gloo's threads joined): the held tensors can go."""
    _HELD.clear()


def destroyDistributed() -> None:
    """Leave the process group (an extension): every rank waits for the others (a barrier), then
    ``torch.distributed.destroy_process_group()``. Call it at the end of a script: gloo's teardown can hang or
    abort when one rank tears its group down while another still has it open, or none does."""
    if _initialized():
        dist = _dist()
        dist.barrier(group=control_group(None))
        forget_groups()
        dist.destroy_process_group()
        release_held()


def getRank(group=None) -> int:
    """This process's rank (0 when no group is joined)."""
    return _dist().get_rank(group) if _initialized() else 0


def getWorldSize(group=None) -> int:
    """The number of processes (1 when no group is joined)."""
    return _dist().get_world_size(group) if _initialized() else 1


def getLocalRank() -> int:
    """The rank on this machine (torchrun's ``LOCAL_RANK``; 0 without torchrun)."""
    return int(os.environ.get("LOCAL_RANK", "0"))


def isPrimary() -> bool:
    """Rank 0 (the one process that writes checkpoints and shared files); True without a group."""
    if _initialized():
        return _dist().get_rank() == 0
    return int(os.environ.get("RANK", "0")) == 0


def deviceForRank():
    """The torch device this rank trains on: ``cuda:LOCAL_RANK`` under NCCL, else None (the CPU)."""
    if _initialized() and _dist().get_backend() == "nccl":
        return f"cuda:{getLocalRank()}"
    return None


def control_group(group=None):
    """A gloo group over the same ranks as ``group`` (the default group when None), for host-side integers.
    Made once per group (``new_group`` is itself a collective: every rank calls this at the same point)."""
    dist = _dist()
    backend = dist.get_backend(group)
    if backend == "gloo":
        return group
    key = id(group)
    if key not in _control:
        ranks = None if group is None else dist.get_process_group_ranks(group)
        _control[key] = dist.new_group(ranks=ranks, backend="gloo")
    return _control[key]


def forget_groups() -> None:
    """Drop the gloo side groups (the process group they belong to is being destroyed)."""
    _control.clear()


def register_control(group, control) -> None:
    """``control`` (a gloo group over the same ranks) carries ``group``'s host integers (made by the caller,
    when every rank makes its groups together)."""
    _control[id(group)] = control


def all_reduce_ints(values, op: str = "sum", group=None) -> list:
    """All-reduce a few integers on the host (control group); ``op``: "sum", "min" or "max"."""
    import torch

    dist = _dist()
    t = torch.tensor([int(v) for v in values], dtype=torch.int64)
    if _initialized() and dist.get_world_size(group) > 1:
        dist.all_reduce(held(t), op={"sum": dist.ReduceOp.SUM, "min": dist.ReduceOp.MIN, "max": dist.ReduceOp.MAX}[op],
                        group=control_group(group))
    return [int(v) for v in t.tolist()]
