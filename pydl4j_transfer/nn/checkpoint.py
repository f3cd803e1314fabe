"""DL4J's CheckpointListener and Checkpoint: DL4J zips saved during training, found and restored again.

Mirrors ``org.deeplearning4j.optimize.listeners.CheckpointListener`` / ``Checkpoint`` of 1.0.0-M2.1 (its file
names, its ``checkpointInfo.txt`` record, its builder and its static ``availableCheckpoints`` /
``loadCheckpoint...`` methods). A module of its own because restoring needs ModelSerializer, which builds
networks: the listeners the training loop calls (nn/listeners.py) stay below the network classes.

For training across processes and restarts (docs/distributed.md) it also: writes only from rank 0 (the
torch.distributed rank, else torchrun's ``RANK``); writes ``checkpointInfo.txt`` atomically (a temp file
renamed, as the zips are); stores in each zip one extra entry, :data:`RESUME_ENTRY` (DL4J ignores entries it
does not know), saying when in the training loop the zip was taken; and resumes from the last checkpoint
(:meth:`CheckpointListener.resumeLastCheckpoint`, builder ``resumeExisting(true)``) so that a run restarted
on a deterministic data order ends with the params of an uninterrupted one.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time

from pydl4j_transfer.errors import CorruptEntryError
from pydl4j_transfer.nn.listeners import BaseTrainingListener, show_reports
from pydl4j_transfer.nn.serializer import ModelSerializer
from pydl4j_transfer.zipio.archive import entry_errors, open_checked_zip, read_entry
from pydl4j_transfer.zipio.files import atomic_write, remove_stale_temp_files_in

__all__ = ["Checkpoint", "CheckpointListener", "RESUME_ENTRY"]

log = logging.getLogger(__name__)

_MODEL_TYPES = ("MultiLayerNetwork", "ComputationGraph", "Model")
_RECORD = "checkpointInfo.txt"
#: the zip entry recording when in the training loop a checkpoint was taken (JSON; an extension DL4J ignores)
RESUME_ENTRY = "pydl4jCheckpoint.json"
_TIME_UNITS_MS = {"MILLISECONDS": 1, "SECONDS": 1000, "MINUTES": 60_000, "HOURS": 3_600_000, "DAYS": 86_400_000}


class Checkpoint:
    """Mirrors org.deeplearning4j.optimize.listeners.Checkpoint (one line of checkpointInfo.txt)."""

    def __init__(self, checkpointNum, timestamp, iteration, epoch, modelType, filename=None):
        self.checkpointNum, self.timestamp = int(checkpointNum), int(timestamp)
        self.iteration, self.epoch, self.modelType, self.filename = int(iteration), int(epoch), modelType, filename

    @staticmethod
    def getFileHeader() -> str:
        return "checkpointNum,timestamp,iteration,epoch,modelType,filename"

    def toFileString(self) -> str:
        return ",".join(str(v) for v in (self.checkpointNum, self.timestamp, self.iteration, self.epoch,
                                         self.modelType, self.filename))

    @staticmethod
    def fromFileString(line: str) -> "Checkpoint":
        parts = line.strip().split(",")
        if len(parts) != 6:
            raise ValueError(f"Invalid checkpoint line: {line!r}")
        return Checkpoint(int(parts[0]), int(parts[1]), int(parts[2]), int(parts[3]), parts[4], parts[5])

    def getCheckpointNum(self):
        return self.checkpointNum

    def getIteration(self):
        return self.iteration

    def getEpoch(self):
        return self.epoch

    def getFilename(self):
        return self.filename

    def __repr__(self):
        return (f"Checkpoint(checkpointNum={self.checkpointNum}, iteration={self.iteration}, epoch={self.epoch}, "
                f"modelType={self.modelType}, filename={self.filename})")


class _RootDirMethod:
    """DL4J has both ``listener.availableCheckpoints()`` and static ``availableCheckpoints(File dir)``: on an
    instance the function gets the listener's directory, on the class the caller passes one."""

    def __init__(self, fn):
        self.fn = fn
        self.__doc__ = fn.__doc__

    def __get__(self, obj, cls):
        if obj is None:
            return lambda rootDir, *a: self.fn(os.fspath(rootDir), *a)
        return lambda *a: self.fn(obj.rootDir, *a, _instance=True)


def _available(root, _instance=False):
    """The checkpoints listed in checkpointInfo.txt whose zip still exists (oldest first)."""
    record = os.path.join(root, _RECORD)
    if not os.path.exists(record):
        if _instance:
            return []
        raise FileNotFoundError(f"Could not find checkpoint record file at expected path {os.path.abspath(record)}")
    with open(record, encoding="utf-8") as fh:
        lines = [ln for ln in fh.read().splitlines() if ln.strip()]
    out = []
    for line in lines[1:]:
        c = Checkpoint.fromFileString(line)
        if os.path.exists(os.path.join(root, c.filename)):
            out.append(c)
    return out


def _last(root, _instance=False):
    all_ = _available(root, _instance)
    return all_[-1] if all_ else None


def _file_for(root, checkpoint, _instance=False):
    num = checkpoint.checkpointNum if isinstance(checkpoint, Checkpoint) else int(checkpoint)
    if num < 0:
        raise ValueError(f"Invalid checkpoint number: {num}")
    for t in _MODEL_TYPES:
        f = os.path.join(root, _file_name(num, t))
        if os.path.exists(f):
            return f
    raise FileNotFoundError(f"Model file for checkpoint {num} does not exist")


def _zip_resume_info(path) -> dict:
    """The :data:`RESUME_ENTRY` of a checkpoint zip (only that entry is read), ``{}`` when it has none."""
    with open_checked_zip(path) as (zf, where):
        for info in zf.infolist():
            if info.filename == RESUME_ENTRY:
                with entry_errors(where, info.filename):
                    raw = read_entry(zf, info)
                return _parse_resume(raw, where)
    return {}


def _load(root, checkpoint, kind, _instance=False):
    path = _file_for(root, checkpoint)
    if kind == "MultiLayerNetwork":
        return ModelSerializer.restoreMultiLayerNetwork(path, True)
    return ModelSerializer.restoreComputationGraph(path, True)


def _is_primary() -> bool:
    """Rank 0 of a torch.distributed group (or of torchrun's ``RANK``): the one process that writes checkpoints."""
    torch = sys.modules.get("torch")  # never imported for this: a process without torch has no group
    dist = getattr(torch, "distributed", None) if torch is not None else None
    if dist is not None and dist.is_available() and dist.is_initialized():
        return dist.get_rank() == 0
    return int(os.environ.get("RANK", "0") or 0) == 0


def _write_atomic(path: str, text: str) -> None:
    """zipio/files.py's atomic write: a killed writer's temp file is removed by the next write (issue 17)."""
    with atomic_write(path) as fh:
        fh.write(text.encode("utf-8"))


def _remove_temp_files(root: str) -> None:
    """Temp files a killed writer left (zipio/files.py's ``.<name>.<pid>.<random>.pydl4j-tmp`` of a checkpoint zip
    or of the record), once their writer is gone: a checkpoint's name is not written twice, so no later write
    of the same target would remove them."""
    remove_stale_temp_files_in(root, "checkpoint_*.zip")
    remove_stale_temp_files_in(root, _RECORD)


def _parse_resume(raw, where) -> dict:
    try:
        info = json.loads(bytes(raw).decode("utf-8"))
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError
        raise CorruptEntryError(f"{where}: the checkpoint's {RESUME_ENTRY} is not JSON ({exc}); resume from an "
                                "earlier checkpoint or delete this one", RESUME_ENTRY) from None
    if not isinstance(info, dict):
        raise CorruptEntryError(f"{where}: the checkpoint's {RESUME_ENTRY} is not a JSON object", RESUME_ENTRY)
    return info


def _resume_info(model, where) -> dict:
    extras = getattr(model, "_zip_extras", None) or {}
    raw = extras.get(RESUME_ENTRY)
    return _parse_resume(raw, where) if raw else {}


def _resume_last(root):
    """See CheckpointListener.resumeLastCheckpoint."""
    if not os.path.exists(os.path.join(root, _RECORD)):
        return None, 0
    last = _last(root, True)
    if last is None:
        return None, 0
    path = _file_for(root, last)
    model = ModelSerializer.restoreComputationGraph(path, True) if last.modelType == "ComputationGraph" else \
        ModelSerializer.restoreMultiLayerNetwork(path, True)
    info = _resume_info(model, path)
    model._zip_extras.pop(RESUME_ENTRY, None)
    if info.get("event") == "iteration":
        # taken inside iterationDone: the step's update is in the params, but the iteration count is not yet
        # incremented and the layers' constraints not yet applied (StochasticGradientDescent#optimize)
        model.setIterationCount(model.getIterationCount() + 1)
        model.getRuntime().apply_constraints()
    elif info.get("event") == "epoch":
        model.setEpochCount(model.getEpochCount() + 1)  # taken in onEpochEnd, before epochCount += 1
        return model, 0
    start = info.get("epochStartIteration")
    return model, (max(0, model.getIterationCount() - int(start)) if start is not None else 0)


def _file_name(num, model_type):
    return f"checkpoint_{num}_{model_type}.zip"


def _model_type(model) -> str:
    name = type(model).__name__
    return name if name in ("MultiLayerNetwork", "ComputationGraph") else "Model"


class CheckpointListener(BaseTrainingListener):
    """Mirrors CheckpointListener: saves DL4J zips (``ModelSerializer.writeModel(model, f, true)``) named
    ``checkpoint_<n>_<MultiLayerNetwork|ComputationGraph>.zip`` in the root directory, records them in
    ``checkpointInfo.txt`` and deletes old ones per the keep mode. Build it with
    ``CheckpointListener.Builder(dir).saveEveryNIterations(n).keepLast(k).build()``.

    DL4J's rule for iterations: the first ``iterationDone`` only records the start; afterwards a checkpoint is
    written when ``iteration > 0 and iteration % n == 0`` (or, with ``sinceLast``, n iterations after the last
    one). Epochs: at ``onEpochEnd`` when ``(epochCount + 1) % n == 0``."""

    def __init__(self, builder: "CheckpointListener.Builder"):
        self.rootDir = builder._root
        self.keepMode, self.keepLast_, self.keepEvery = builder._keep_mode, builder._keep_last, builder._keep_every
        self.logSaving = builder._log_saving
        self.deleteExisting = builder._delete_existing
        self.saveEveryNEpochs = builder._every_epochs
        self.saveEveryNIterations = builder._every_iters
        self.saveEveryNIterSinceLast = builder._iters_since_last
        self.saveEveryMs = builder._every_ms
        self.saveEverySinceLast = builder._time_since_last
        self._last_num = -1
        self._last_checkpoint = None
        if self.logSaving:
            show_reports(log)
        self._start_time = None
        self._start_iter = -1
        self._last_time_save = None
        self.resumeExisting_ = builder._resume_existing
        self._epoch_start_iter = None  # iteration count at the start of the current epoch
        self._resumed = None  # (epoch, epochStartIteration) of the checkpoint a resumed run continues
        self._record = os.path.join(self.rootDir, _RECORD)
        self._primary = _is_primary()
        if not self._primary:  # another rank: rank 0 owns the directory
            return
        os.makedirs(self.rootDir, exist_ok=True)
        _remove_temp_files(self.rootDir)
        if self.resumeExisting_ and os.path.exists(self._record):
            available = self.availableCheckpoints()
            with open(self._record, encoding="utf-8") as fh:
                nums = [Checkpoint.fromFileString(ln).checkpointNum for ln in fh.read().splitlines()[1:] if ln.strip()]
            self._last_num = max(nums) if nums else -1
            if available:
                self._last_checkpoint = available[-1]
                info = _zip_resume_info(self.getFileForCheckpoint(available[-1]))
                if info.get("event") == "iteration" and info.get("epochStartIteration") is not None:
                    self._resumed = (available[-1].epoch, int(info["epochStartIteration"]))
        elif os.path.exists(self._record) and os.path.getsize(self._record) > 0:
            if not self.deleteExisting:
                raise RuntimeError(f"Detected existing checkpoint files at directory {os.path.abspath(self.rootDir)}. "
                                   "Use deleteExisting(true) to delete existing checkpoint files when present.")
            os.remove(self._record)
            for name in os.listdir(self.rootDir):
                if name.startswith("checkpoint_") and name.endswith(("MultiLayerNetwork.zip", "ComputationGraph.zip")):
                    os.remove(os.path.join(self.rootDir, name))

    # ---- callbacks ---------------------------------------------------------------------------

    def onEpochStart(self, model):
        self._epoch_start_iter = model.getIterationCount()
        if self._resumed is not None and model.getEpochCount() == self._resumed[0]:
            self._epoch_start_iter = self._resumed[1]  # the epoch the checkpoint was taken in goes on
        self._resumed = None

    def onEpochEnd(self, model):
        done = model.getEpochCount() + 1
        if self.saveEveryNEpochs is not None and done > 0 and done % self.saveEveryNEpochs == 0:
            self._save(model, "epoch")

    def iterationDone(self, model, iteration, epoch):
        now = time.time() * 1000.0
        if self._start_time is None:
            self._start_time, self._start_iter = now, iteration
            return
        if self.saveEveryNIterations is not None:
            if self.saveEveryNIterSinceLast:
                last = self._last_checkpoint.iteration if self._last_checkpoint is not None else self._start_iter
                if iteration - last >= self.saveEveryNIterations:
                    self._save(model, "iteration")
                    return
            elif iteration > 0 and iteration % self.saveEveryNIterations == 0:
                self._save(model, "iteration")
                return
        if self.saveEveryMs is not None:
            if self.saveEverySinceLast:
                last = self._last_checkpoint.timestamp if self._last_checkpoint is not None else self._start_time
                if now - last >= self.saveEveryMs:
                    self._save(model, "iteration")
            else:
                last = self._last_time_save if self._last_time_save is not None else self._start_time
                if now - last > self.saveEveryMs:
                    self._save(model, "iteration")
                    self._last_time_save = now

    # ---- saving ------------------------------------------------------------------------------

    def _save(self, model, event="iteration"):
        self._last_num += 1
        c = Checkpoint(self._last_num, int(time.time() * 1000), model.getIterationCount(), model.getEpochCount(),
                       _model_type(model))
        c.filename = _file_name(c.checkpointNum, c.modelType)
        if not self._primary:  # every rank keeps the count; rank 0 writes
            self._last_checkpoint = c
            return
        path = os.path.join(self.rootDir, c.filename)
        info = {"event": event, "epochStartIteration": self._epoch_start_iter}
        extras = model._zip_extras
        extras[RESUME_ENTRY] = json.dumps(info).encode("utf-8")
        try:
            model.save(path, True)  # ModelSerializer.writeModel(model, file, true): a temp file, then renamed
        finally:
            extras.pop(RESUME_ENTRY, None)
        lines = []
        if os.path.exists(self._record):
            with open(self._record, encoding="utf-8") as fh:
                lines = [ln for ln in fh.read().splitlines() if ln.strip()]
        lines = (lines or [Checkpoint.getFileHeader()]) + [c.toFileString()]
        _write_atomic(self._record, "\n".join(lines) + "\n")
        if self.logSaving:
            log.info("Model checkpoint saved: epoch %s, iteration %s, path: %s", c.epoch, c.iteration, path,
                     extra={"listener": "CheckpointListener"})
        self._last_checkpoint = c
        if self.keepMode in (None, "ALL"):
            return
        available = self.availableCheckpoints()
        if self.keepMode == "LAST":
            while len(available) > self.keepLast_:
                os.remove(self.getFileForCheckpoint(available.pop(0)))
        else:  # LAST_AND_EVERY
            for cp in available:
                if cp.checkpointNum > 0 and (cp.checkpointNum + 1) % self.keepEvery == 0:
                    continue
                if cp.checkpointNum > self._last_num - self.keepLast_:
                    continue
                os.remove(self.getFileForCheckpoint(cp))

    # ---- reading checkpoints back (instance: this listener's directory; class: pass the directory) --------

    availableCheckpoints = _RootDirMethod(_available)
    lastCheckpoint = _RootDirMethod(_last)
    getFileForCheckpoint = _RootDirMethod(_file_for)
    loadCheckpointMLN = _RootDirMethod(lambda root, cp, _instance=False: _load(root, cp, "MultiLayerNetwork"))
    loadCheckpointCG = _RootDirMethod(lambda root, cp, _instance=False: _load(root, cp, "ComputationGraph"))
    loadLastCheckpointMLN = _RootDirMethod(
        lambda root, _instance=False: None if _last(root, _instance) is None
        else _load(root, _last(root, _instance), "MultiLayerNetwork"))
    @staticmethod
    def resumeLastCheckpoint(rootDir):
        """The network of the last checkpoint in ``rootDir``, ready to go on training as if never stopped, and
        how many iterations of its current epoch were done: ``(network, stepsDoneInEpoch)``; ``(None, 0)``
        without checkpoints (an extension, no DL4J original).

        A checkpoint DL4J's listener takes inside ``iterationDone`` holds the params after that iteration's
        update but the iteration count before ``+1`` and before the layers' constraints; the network returned
        has the count incremented and the constraints applied, as the training loop would have. One taken at an
        epoch's end gets ``epochCount + 1``. With a deterministic data order, skip ``stepsDoneInEpoch``
        minibatches (``DistributedDataSetIterator.skip``) and fit on."""
        return _resume_last(os.fspath(rootDir))

    loadLastCheckpointCG = _RootDirMethod(
        lambda root, _instance=False: None if _last(root, _instance) is None
        else _load(root, _last(root, _instance), "ComputationGraph"))

    class Builder:
        """Mirrors CheckpointListener.Builder(File rootDir)."""

        def __init__(self, rootDir):
            self._root = os.fspath(rootDir)
            self._keep_mode, self._keep_last, self._keep_every = None, 0, 0
            self._log_saving, self._delete_existing, self._resume_existing = True, False, False
            self._every_epochs = self._every_iters = self._every_ms = None
            self._iters_since_last = self._time_since_last = False

        def saveEveryEpoch(self):
            return self.saveEveryNEpochs(1)

        def saveEveryNEpochs(self, n: int):
            self._every_epochs = int(n)
            return self

        def saveEveryNIterations(self, n: int, sinceLast: bool = False):
            self._every_iters, self._iters_since_last = int(n), bool(sinceLast)
            return self

        def saveEvery(self, amount, unit="SECONDS", sinceLast: bool = False):
            """``unit``: a TimeUnit name (MILLISECONDS, SECONDS, MINUTES, HOURS, DAYS)."""
            name = getattr(unit, "name", str(unit)).upper()
            if name not in _TIME_UNITS_MS:
                raise ValueError(f"unknown time unit {unit!r}; use one of {sorted(_TIME_UNITS_MS)}")
            self._every_ms, self._time_since_last = float(amount) * _TIME_UNITS_MS[name], bool(sinceLast)
            return self

        def keepAll(self):
            self._keep_mode = "ALL"
            return self

        def keepLast(self, n: int):
            if int(n) <= 0:
                raise ValueError(f"Number of model files to keep should be > 0 (got: {n})")
            self._keep_mode, self._keep_last = "LAST", int(n)
            return self

        def keepLastAndEvery(self, nLast: int, everyN: int):
            if int(nLast) <= 0 or int(everyN) <= 0:
                raise ValueError(f"nLast and everyN must be > 0 (got: {nLast}, {everyN})")
            self._keep_mode, self._keep_last, self._keep_every = "LAST_AND_EVERY", int(nLast), int(everyN)
            return self

        def logSaving(self, value: bool):
            self._log_saving = bool(value)
            return self

        def deleteExisting(self, value: bool):
            self._delete_existing = bool(value)
            return self

        def resumeExisting(self, value: bool):
            """Keep the checkpoints already in the directory and go on numbering after the last (an extension for
            restarted runs; DL4J refuses such a directory unless ``deleteExisting(true)`` empties it)."""
            self._resume_existing = bool(value)
            return self

        def build(self) -> "CheckpointListener":
            return CheckpointListener(self)


# ---- EvaluativeListener ----------------------------------------------------------------------
