"""DL4J's CheckpointListener and Checkpoint: DL4J zips saved during training, found and restored again.

Mirrors ``org.deeplearning4j.optimize.listeners.CheckpointListener`` / ``Checkpoint`` of 1.0.0-M2.1 (its file
names, its ``checkpointInfo.txt`` record, its builder and its static ``availableCheckpoints`` /
``loadCheckpoint...`` methods). A module of its own because restoring needs ModelSerializer, which builds
networks: the listeners the training loop calls (nn/listeners.py) stay below the network classes.
"""

from __future__ import annotations

import logging
import os
import time

from pydl4j_transfer.nn.listeners import BaseTrainingListener, show_reports
from pydl4j_transfer.nn.serializer import ModelSerializer

__all__ = ["Checkpoint", "CheckpointListener"]

log = logging.getLogger(__name__)

_MODEL_TYPES = ("MultiLayerNetwork", "ComputationGraph", "Model")
_RECORD = "checkpointInfo.txt"
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


def _load(root, checkpoint, kind, _instance=False):
    path = _file_for(root, checkpoint)
    if kind == "MultiLayerNetwork":
        return ModelSerializer.restoreMultiLayerNetwork(path, True)
    return ModelSerializer.restoreComputationGraph(path, True)


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
        os.makedirs(self.rootDir, exist_ok=True)
        self._record = os.path.join(self.rootDir, _RECORD)
        if os.path.exists(self._record) and os.path.getsize(self._record) > 0:
            if not self.deleteExisting:
                raise RuntimeError(f"Detected existing checkpoint files at directory {os.path.abspath(self.rootDir)}. "
                                   "Use deleteExisting(true) to delete existing checkpoint files when present.")
            os.remove(self._record)
            for name in os.listdir(self.rootDir):
                if name.startswith("checkpoint_") and name.endswith(("MultiLayerNetwork.zip", "ComputationGraph.zip")):
                    os.remove(os.path.join(self.rootDir, name))

    # ---- callbacks ---------------------------------------------------------------------------

    def onEpochEnd(self, model):
        done = model.getEpochCount() + 1
        if self.saveEveryNEpochs is not None and done > 0 and done % self.saveEveryNEpochs == 0:
            self._save(model)

    def iterationDone(self, model, iteration, epoch):
        now = time.time() * 1000.0
        if self._start_time is None:
            self._start_time, self._start_iter = now, iteration
            return
        if self.saveEveryNIterations is not None:
            if self.saveEveryNIterSinceLast:
                last = self._last_checkpoint.iteration if self._last_checkpoint is not None else self._start_iter
                if iteration - last >= self.saveEveryNIterations:
                    self._save(model)
                    return
            elif iteration > 0 and iteration % self.saveEveryNIterations == 0:
                self._save(model)
                return
        if self.saveEveryMs is not None:
            if self.saveEverySinceLast:
                last = self._last_checkpoint.timestamp if self._last_checkpoint is not None else self._start_time
                if now - last >= self.saveEveryMs:
                    self._save(model)
            else:
                last = self._last_time_save if self._last_time_save is not None else self._start_time
                if now - last > self.saveEveryMs:
                    self._save(model)
                    self._last_time_save = now

    # ---- saving ------------------------------------------------------------------------------

    def _save(self, model):
        if not os.path.exists(self._record):
            with open(self._record, "w", encoding="utf-8") as fh:
                fh.write(Checkpoint.getFileHeader() + "\n")
        self._last_num += 1
        c = Checkpoint(self._last_num, int(time.time() * 1000), model.getIterationCount(), model.getEpochCount(),
                       _model_type(model))
        c.filename = _file_name(c.checkpointNum, c.modelType)
        path = os.path.join(self.rootDir, c.filename)
        model.save(path, True)
        with open(self._record, "a", encoding="utf-8") as fh:
            fh.write(c.toFileString() + "\n")
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
    loadLastCheckpointCG = _RootDirMethod(
        lambda root, _instance=False: None if _last(root, _instance) is None
        else _load(root, _last(root, _instance), "ComputationGraph"))

    class Builder:
        """Mirrors CheckpointListener.Builder(File rootDir)."""

        def __init__(self, rootDir):
            self._root = os.fspath(rootDir)
            self._keep_mode, self._keep_last, self._keep_every = None, 0, 0
            self._log_saving, self._delete_existing = True, False
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

        def build(self) -> "CheckpointListener":
            return CheckpointListener(self)


# ---- EvaluativeListener ----------------------------------------------------------------------
