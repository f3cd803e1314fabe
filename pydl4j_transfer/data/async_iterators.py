"""Prefetching wrappers: DL4J's AsyncDataSetIterator and AsyncMultiDataSetIterator.

Mirrors ``org.deeplearning4j.datasets.iterator.AsyncDataSetIterator`` and ``AsyncMultiDataSetIterator``
(DL4J 1.0.0-M2.1): one background thread calls the wrapped iterator's ``next()`` and puts the batches into a
bounded queue (``queueSize``, default 8 as DL4J's), so loading the next batches overlaps the caller's work on
the current one. The order is the wrapped iterator's (one producer, first in first out). An exception in the
background thread is raised in the caller's ``next()``. ``reset()`` stops the thread, resets the wrapped
iterator and starts again; ``shutdown()`` stops it for good.

``useWorkspace`` and ``deviceId`` are accepted for a line-by-line port (ND4J memory workspaces and device
affinity have no counterpart here). :func:`pinned_empty`: page-locked host buffers on CUDA hosts (the
image iterator's ``pinMemory=True``), plain numpy elsewhere.
"""

from __future__ import annotations

import queue
import threading

import numpy as np

from pydl4j_transfer.data.iterators import DataSetIterator, MultiDataSetIterator

__all__ = ["AsyncDataSetIterator", "AsyncMultiDataSetIterator", "pinned_empty"]

_END = object()


def pinned_empty(shape, dtype=np.float32) -> np.ndarray:
    """An uninitialized array in page-locked memory when torch sees a CUDA device (host-to-device copies from
    it run asynchronously), else a plain numpy array. torch is imported only here."""
    try:
        import torch

        if torch.cuda.is_available():
            t = torch.empty(tuple(shape), dtype=getattr(torch, np.dtype(dtype).name), pin_memory=True)
            return t.numpy()
    except (ImportError, RuntimeError):
        pass
    return np.empty(shape, dtype=dtype)


class _Failure:
    __slots__ = ("exc",)

    def __init__(self, exc):
        self.exc = exc


class _AsyncBase:
    """The background thread and the bounded queue shared by both iterators."""

    def _init_async(self, base, queueSize: int):
        if queueSize < 2:
            queueSize = 2  # DL4J: queue size must be at least 2
        self.backedIterator = base
        self.queueSize = int(queueSize)
        self._queue = None
        self._thread = None
        self._stop = None
        self._peek = None
        self._done = False

    def _start(self):
        self._queue = queue.Queue(maxsize=self.queueSize)
        self._stop = threading.Event()
        self._peek = None
        self._done = False
        base, q, stop = self.backedIterator, self._queue, self._stop

        def produce():
            try:
                while not stop.is_set() and base.hasNext():
                    item = base.next()
                    while not stop.is_set():
                        try:
                            q.put(item, timeout=0.1)
                            break
                        except queue.Full:
                            continue
            except BaseException as exc:  # noqa: BLE001 - handed to the consumer, raised there
                item = _Failure(exc)
                while not stop.is_set():
                    try:
                        q.put(item, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                return
            while not stop.is_set():
                try:
                    q.put(_END, timeout=0.1)
                    return
                except queue.Full:
                    continue

        self._thread = threading.Thread(target=produce, name="pydl4j-async-iterator", daemon=True)
        self._thread.start()

    def _stop_thread(self):
        if self._thread is not None:
            self._stop.set()
            self._thread.join()
            self._thread = None
        self._queue = None
        self._peek = None

    def hasNext(self) -> bool:
        if self._done:
            return False
        if self._thread is None:
            self._start()
        if self._peek is None:
            self._peek = self._queue.get()
        if self._peek is _END:
            self._done = True
            self._thread.join()
            self._thread = None
            return False
        return True

    def _next(self, num):
        if num is not None:
            raise NotImplementedError("Can't call next(num) on an async iterator (DL4J: "
                                      "UnsupportedOperationException)")
        if not self.hasNext():
            raise StopIteration("no more data: call reset() first")
        item, self._peek = self._peek, None
        if isinstance(item, _Failure):
            self._done = True
            raise item.exc
        return item

    def next(self, num=None):
        """Mirrors next(): the wrapped iterator's next batch (its pre-processor already applied)."""
        return self._next(num)

    def reset(self) -> None:
        """Mirrors reset(): stop the thread, reset the wrapped iterator; loading starts again on next use."""
        self._stop_thread()
        self._done = False
        self.backedIterator.reset()

    def shutdown(self) -> None:
        """Mirrors shutdown(): stop the background thread."""
        self._stop_thread()
        self._done = True

    def resetSupported(self) -> bool:
        return self.backedIterator.resetSupported()

    def asyncSupported(self) -> bool:
        return False  # DL4J: an async iterator is not wrapped again

    def setPreProcessor(self, preProcessor) -> None:
        """Mirrors setPreProcessor: set on the wrapped iterator (applied on the background thread)."""
        self.backedIterator.setPreProcessor(preProcessor)

    def getPreProcessor(self):
        return self.backedIterator.getPreProcessor()

    def batch(self) -> int:
        return self.backedIterator.batch()

    def __iter__(self):
        if self._done or self._thread is not None:
            self.reset()
        while self.hasNext():
            yield self.next()

    def __del__(self):
        stop = getattr(self, "_stop", None)
        if stop is not None:
            stop.set()


class AsyncDataSetIterator(_AsyncBase, DataSetIterator):
    """Mirrors org.deeplearning4j.datasets.iterator.AsyncDataSetIterator(baseIterator[, queueSize
    [, useWorkspace[, deviceId]]])."""

    def __init__(self, baseIterator, queueSize: int = 8, useWorkspace: bool = True, deviceId=None):
        DataSetIterator.__init__(self)
        self._init_async(baseIterator, queueSize)
        self.useWorkspace = useWorkspace
        self.deviceId = deviceId

    def totalExamples(self) -> int:
        return self.backedIterator.totalExamples()

    def inputColumns(self) -> int:
        return self.backedIterator.inputColumns()

    def totalOutcomes(self) -> int:
        return self.backedIterator.totalOutcomes()

    def getLabels(self):
        return self.backedIterator.getLabels()


class AsyncMultiDataSetIterator(_AsyncBase, MultiDataSetIterator):
    """Mirrors org.deeplearning4j.datasets.iterator.AsyncMultiDataSetIterator(baseIterator[, queueSize
    [, useWorkspace[, deviceId]]])."""

    def __init__(self, baseIterator, queueSize: int = 8, useWorkspace: bool = True, deviceId=None):
        MultiDataSetIterator.__init__(self)
        self._init_async(baseIterator, queueSize)
        self.useWorkspace = useWorkspace
        self.deviceId = deviceId
