"""ParallelWrapper's worker processes: what rank 0 (the caller's process) and ranks 1..n-1 do each round.

Mirrors DL4J's ``DefaultTrainer`` / ``SymmetricTrainer`` (deeplearning4j-parallel-wrapper 1.0.0-M2.1), with a
process per worker instead of a thread. Rank 0 is the caller's process and trains the caller's network (DL4J's
worker 0 trains the original model too); ranks 1..n-1 are ``python -m pydl4j_transfer.parallelism``
processes that join the group through a TCPStore and then follow rank 0's commands, sent as a small int64
tensor broadcast on the gloo control group:

* ``SYNC``: a fit() starts. Each worker builds a fresh network from rank 0's configuration JSON (DL4J:
  ``MultiLayerConfiguration.fromJson(original.toJson())``, iteration and epoch counts included) and takes rank
  0's params and updater state (broadcast on the data group);
* ``ROUND m avg``: the first ``m`` workers get one minibatch each (rank 0 sends them point to point) and each
  runs one iteration (``fit(DataSet)``); ``avg``: then those ``m`` average their params, updater states (with
  ``averageUpdaters``) and scores (DL4J's ``Nd4j.averageAndPropagate`` over the workers that trained this
  round); with SHARED_GRADIENTS each iteration's gradient is all-reduced instead (data_parallel.py);
* ``STOP``: the worker leaves the group and exits.

Minibatches cross as a header (int64, control group) and their arrays (data group: CUDA tensors under NCCL).
Nothing is pickled.
"""

from __future__ import annotations

import datetime
import os

import numpy as np

from pydl4j_transfer.data import DataSet, MultiDataSet
from pydl4j_transfer.errors import DistributedTrainingError
from pydl4j_transfer.nn import ComputationGraph, MultiLayerNetwork
from pydl4j_transfer.nn.training import GRADIENT_REDUCERS

from . import group as G
from .data_parallel import GradientAllReduce

SYNC, ROUND, STOP = 1, 2, 3
#: environment of a worker process (set by ParallelWrapper)
ENV_STORE = "PYDL4J_TRANSFER_PW_STORE"  # host:port of rank 0's TCPStore
ENV_RANK, ENV_WORLD, ENV_BACKEND = "PYDL4J_TRANSFER_PW_RANK", "PYDL4J_TRANSFER_PW_WORLD", "PYDL4J_TRANSFER_PW_BACKEND"
ENV_DEVICE, ENV_THREADS, ENV_TIMEOUT = "PYDL4J_TRANSFER_PW_DEVICE", "PYDL4J_TRANSFER_PW_THREADS", "PYDL4J_TRANSFER_PW_TIMEOUT"

_DTYPES = [np.float32, np.float64, np.float16, np.int64, np.int32, np.int16, np.int8, np.uint8, np.bool_]
_CODES = {np.dtype(t): i for i, t in enumerate(_DTYPES)}


def _dist():
    import torch.distributed as dist

    return dist


class Groups:
    """The process groups of one ParallelWrapper: all ``n`` workers, and the first ``m`` for a short last round
    (``new_group`` is a collective of every rank: every worker makes them at the same point, on the command)."""

    def __init__(self, world: int, backend: str):
        self.world, self.backend = world, backend
        self._groups = {world: None}
        if backend != "gloo":
            G.control_group(None)

    def data(self, m: int):
        if m not in self._groups:
            dist = _dist()
            grp = dist.new_group(ranks=list(range(m)), backend=self.backend)
            if self.backend != "gloo":  # its gloo twin for host integers, made by every rank too
                ctrl = dist.new_group(ranks=list(range(m)), backend="gloo")
                if grp is not None and grp != dist.GroupMember.NON_GROUP_MEMBER:
                    G.register_control(grp, ctrl)
            self._groups[m] = grp
        return self._groups[m]


# ---- commands and minibatches ----------------------------------------------------------------------


def command(op: int = 0, *args) -> list:
    """Rank 0 broadcasts ``[op, args...]`` (5 integers) on the control group; the others receive it."""
    import torch

    t = torch.zeros(5, dtype=torch.int64)
    if G.getRank() == 0:
        t[:1 + len(args)] = torch.tensor([op, *args], dtype=torch.int64)
    _dist().broadcast(G.held(t), 0, group=G.control_group(None))
    return [int(v) for v in t.tolist()]


def _slots(ds):
    """(kind, counts, arrays): a DataSet's 4 arrays, or a MultiDataSet's lists (None kept as None)."""
    if hasattr(ds, "numFeatureArrays"):
        lists = [ds.getFeatures(), ds.getLabels(), ds.getFeaturesMaskArrays(), ds.getLabelsMaskArrays()]
        counts = [-1 if xs is None else len(xs) for xs in lists]
        return 1, counts, [a for xs in lists if xs is not None for a in xs]
    return 0, [], [ds.getFeatures(), ds.getLabels(), ds.getFeaturesMaskArray(), ds.getLabelsMaskArray()]


def send_dataset(ds, dst: int, device) -> None:
    """Send one minibatch to rank ``dst``: header on the control group, arrays on the data group."""
    import torch

    dist = _dist()
    kind, counts, arrays = _slots(ds)
    header = [kind, len(counts), *counts, len(arrays)]
    host = []
    for a in arrays:
        if a is None:
            header += [-1]
            host.append(None)
            continue
        a = np.ascontiguousarray(np.asarray(a.detach().cpu().numpy() if hasattr(a, "detach") else a))
        if a.dtype not in _CODES:
            a = a.astype(np.float32)
        header += [_CODES[a.dtype], a.ndim, *a.shape]
        host.append(a)
    h = torch.tensor(header, dtype=torch.int64)
    ctrl = G.control_group(None)
    dist.send(torch.tensor([h.numel()], dtype=torch.int64), dst, group=ctrl)
    dist.send(h, dst, group=ctrl)
    for a in host:
        if a is not None:
            t = torch.from_numpy(a)
            dist.send(t if device is None else t.to(device), dst)


def recv_dataset(device):
    """Receive one minibatch from rank 0 (see :func:`send_dataset`); arrays come back as numpy."""
    import torch

    dist = _dist()
    ctrl = G.control_group(None)
    n = torch.zeros(1, dtype=torch.int64)
    dist.recv(n, 0, group=ctrl)
    h = torch.zeros(int(n[0]), dtype=torch.int64)
    dist.recv(h, 0, group=ctrl)
    header = [int(v) for v in h.tolist()]
    kind, ncounts = header[0], header[1]
    counts, pos = header[2:2 + ncounts], 2 + ncounts
    narrays, pos = header[pos], pos + 1
    arrays = []
    for _ in range(narrays):
        code = header[pos]
        if code < 0:
            arrays.append(None)
            pos += 1
            continue
        ndim = header[pos + 1]
        shape = header[pos + 2:pos + 2 + ndim]
        pos += 2 + ndim
        t = torch.from_numpy(np.empty(shape, dtype=_DTYPES[code]))
        if device is None:
            dist.recv(t, 0)
        else:
            buf = t.to(device)
            dist.recv(buf, 0)
            t = buf.cpu()
        arrays.append(t.numpy())
    if kind == 0:
        return DataSet(*arrays)
    out, it = [], iter(arrays)
    for c in counts:
        out.append(None if c < 0 else [next(it) for _ in range(c)])
    return MultiDataSet(*out)


# ---- what every worker does -----------------------------------------------------------------------


def sync_network(net, device):
    """``SYNC``: rank 0 passes ``net`` (its network); the others pass None and get a fresh network built from
    rank 0's configuration JSON, with rank 0's params and updater state."""
    import torch

    dist = _dist()
    rank = G.getRank()
    ctrl = G.control_group(None)
    if rank == 0:
        text = net.toJson().encode("utf-8")
        meta = torch.tensor([len(text), 1 if isinstance(net, ComputationGraph) else 0], dtype=torch.int64)
    else:
        meta = torch.zeros(2, dtype=torch.int64)
    dist.broadcast(G.held(meta), 0, group=ctrl)
    buf = torch.from_numpy(np.frombuffer(text, dtype=np.uint8).copy()) if rank == 0 else \
        torch.zeros(int(meta[0]), dtype=torch.uint8)
    dist.broadcast(G.held(buf), 0, group=ctrl)
    if rank != 0:
        net = _build(bytes(buf.numpy()).decode("utf-8"), bool(meta[1]), device)
    rt = net.getRuntime()
    dist.broadcast(rt.params, 0)
    state = rt.updater_state()
    if state is not None:
        dist.broadcast(state, 0)
    rt.dirty = True
    return net


def _build(text: str, graph: bool, device):
    """A network from configuration JSON (DL4J's DefaultTrainer: ``new MultiLayerNetwork(conf); init()``)."""
    from pydl4j_transfer.conf import ComputationGraphConfiguration, MultiLayerConfiguration

    if graph:
        net = ComputationGraph(ComputationGraphConfiguration.fromJson(text))
    else:
        net = MultiLayerNetwork(MultiLayerConfiguration.fromJson(text))
    net.init()
    if device is not None:
        net.to(device)
    return net


def train_round(net, ds, m: int, average: bool, shared: bool, average_updaters: bool, groups: Groups):
    """One round on one worker: one iteration on its minibatch, then (``average``) the average over the ``m``
    workers of this round. Returns the worker's (or, averaged, the round's) score."""
    import torch

    dist = _dist()
    grp = groups.data(m)
    if shared and m > 1:
        GRADIENT_REDUCERS[net] = GradientAllReduce(grp)
    try:
        net.fit(ds)
    finally:
        GRADIENT_REDUCERS.pop(net, None)
    score = net.score()
    if not average or m == 1:
        return score
    rt = net.getRuntime()
    dist.all_reduce(rt.params, op=dist.ReduceOp.SUM, group=grp)
    rt.params.div_(m)
    if average_updaters:
        state = rt.updater_state()
        if state is not None:
            dist.all_reduce(state, op=dist.ReduceOp.SUM, group=grp)
            state.div_(m)
    rt.dirty = True
    s = torch.tensor([score], dtype=torch.float64, device=rt.params.device)
    dist.all_reduce(G.held(s), op=dist.ReduceOp.SUM, group=grp)
    score = float(s[0]) / m
    rt.score = torch.tensor(score, dtype=rt.params.dtype)
    return score


def worker_main() -> int:
    """A worker process (ranks 1..n-1): join the group, then follow rank 0's commands until STOP."""
    import torch

    dist = _dist()
    host, port = os.environ[ENV_STORE].rsplit(":", 1)
    rank, world = int(os.environ[ENV_RANK]), int(os.environ[ENV_WORLD])
    backend = os.environ.get(ENV_BACKEND, "gloo")
    device = os.environ.get(ENV_DEVICE) or None
    if os.environ.get(ENV_THREADS):
        torch.set_num_threads(int(os.environ[ENV_THREADS]))
    if device is not None and device.startswith("cuda"):
        torch.cuda.set_device(torch.device(device))
    timeout = datetime.timedelta(seconds=float(os.environ.get(ENV_TIMEOUT, "1800")))
    store = dist.TCPStore(host, int(port), world, is_master=False, timeout=timeout)
    store.set(f"ready_{rank}", "1")
    dist.init_process_group(backend, store=store, rank=rank, world_size=world, timeout=timeout)
    groups = Groups(world, backend)
    net = None
    try:
        while True:
            op, m, average, shared, average_updaters = command()
            if op == SYNC:
                net = sync_network(None, device)
            elif op == ROUND:
                groups.data(m)  # made by every rank, members or not
                if rank < m:
                    ds = recv_dataset(device if backend == "nccl" else None)
                    train_round(net, ds, m, bool(average), bool(shared), bool(average_updaters), groups)
            elif op == STOP:
                leave_group()
                return 0
            else:
                raise DistributedTrainingError(f"ParallelWrapper worker {rank}: unknown command {op}")
    finally:
        if dist.is_initialized():
            G.forget_groups()
            dist.destroy_process_group()
        G.release_held()


def leave_group() -> None:
    """Every rank, after STOP: a barrier, then the group is destroyed (gloo's teardown can hang when one rank
    destroys its group while another still uses it)."""
    dist = _dist()
    dist.barrier(group=G.control_group(None))
    G.forget_groups()
    dist.destroy_process_group()
    G.release_held()  # gloo's threads are joined

