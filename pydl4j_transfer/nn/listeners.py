"""DL4J's training listeners (org.deeplearning4j.optimize.api / optimize.listeners), progress bars, score plots.

Set on a network with ``net.setListeners(...)`` / ``net.addListeners(...)`` as in DL4J. The fit loop calls,
at DL4J's points (``MultiLayerNetwork#fitHelper``, ``StochasticGradientDescent#optimize``):

* ``onEpochStart(model)`` before each pass of an iterator fit, ``onEpochEnd(model)`` after it (before the
  epoch count is incremented, as DL4J);
* per iteration: ``onBackwardPass(model)`` and ``onGradientCalculation(model)`` after the gradient is
  computed (before the updater), then ``iterationDone(model, iteration, epoch)`` after the parameters are
  updated, with the iteration count *before* DL4J's ``incrementIterationCount`` (so the first is 0).

``onForwardPass(model, activations)`` exists on :class:`TrainingListener` for API parity but the torch
fit loop does not call it (the per-layer activations are not materialised during training).

A listener may be any object with some of these methods (missing ones are skipped). Everything here
reports through :mod:`logging` (logger ``pydl4j_transfer.nn.listeners``), never ``print``.

Seen by default, as in Java (where slf4j prints ScoreIterationListener's lines out of the box): creating a
*reporting* listener (ScoreIterationListener, PerformanceListener, EvaluativeListener, a CheckpointListener that
logs its saves) while the application has not configured :mod:`logging` (no handler on the listener's logger or
any ancestor, root included) attaches one :class:`ReportHandler` to that logger and sets it to INFO. It prints
``INFO ScoreIterationListener - Score at iteration 0 is 0.693...`` lines to stderr, like DL4J's slf4j-simple,
and steps aside as soon as the application configures the root logger (``logging.basicConfig(...)``: then the
application's handlers print them). To silence the reports:
``logging.getLogger("pydl4j_transfer.nn.listeners").setLevel(logging.WARNING)``.
"""

from __future__ import annotations

import enum
import logging
import math
import os
import time
from pydl4j_transfer.java_names import JavaNames
from pydl4j_transfer.zipio.files import atomic_write

log = logging.getLogger(__name__)


class ReportHandler(logging.StreamHandler):
    """The stderr handler a reporting listener attaches when logging is not configured (see the module docstring):
    ``LEVEL ListenerClass - message``, and nothing once the root logger has handlers of its own."""

    def __init__(self):
        super().__init__()  # sys.stderr, as slf4j-simple's System.err
        self.setFormatter(logging.Formatter("%(levelname)s %(listener)s - %(message)s", defaults={"listener": "listener"}))

    def emit(self, record):
        if logging.getLogger().handlers:  # the application configured logging: its handlers print the record
            return
        super().emit(record)


def show_reports(logger: logging.Logger = log) -> None:
    """Make a reporting listener's INFO lines visible when the application has not configured logging: attach a
    :class:`ReportHandler` to ``logger`` (once) and set it to INFO if its level is unset. Does nothing when the
    logger or any ancestor already has a handler (the application's choice stands)."""
    if any(isinstance(h, ReportHandler) for h in logger.handlers) or logger.hasHandlers():
        return
    logger.addHandler(ReportHandler())
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.INFO)


def _report(listener, message, *args):
    log.info(message, *args, extra={"listener": type(listener).__name__})

__all__ = ["BaseTrainingListener", "CollectScoresIterationListener",
           "EvaluativeListener", "InvocationType", "PerformanceListener", "ScoreIterationListener",
           "TrainingListener", "plotScores"]


def java_double(x) -> str:
    """Java's Double.toString text of a float (``1.0``, ``0.123``, ``1.0E-5``, ``NaN``, ``Infinity``)."""
    x = float(x)
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    if x == 0.0:
        return "-0.0" if math.copysign(1.0, x) < 0 else "0.0"
    if 1e-3 <= abs(x) < 1e7:
        s = repr(x)  # shortest round-trip digits, positional in this range
        return s if "." in s else s + ".0"
    import numpy as np

    mant, exp = np.format_float_scientific(x, unique=True, trim="0").split("e")
    return f"{mant}E{int(exp)}"


# ---- the listener interface ------------------------------------------------------------------


class TrainingListener(JavaNames):
    """Mirrors org.deeplearning4j.optimize.api.TrainingListener (every callback a no-op by default)."""

    def iterationDone(self, model, iteration: int, epoch: int) -> None:
        pass

    def onEpochStart(self, model) -> None:
        pass

    def onEpochEnd(self, model) -> None:
        pass

    def onForwardPass(self, model, activations) -> None:
        pass

    def onGradientCalculation(self, model) -> None:
        pass

    def onBackwardPass(self, model) -> None:
        pass


class BaseTrainingListener(TrainingListener):
    """Mirrors org.deeplearning4j.optimize.api.BaseTrainingListener."""


def listeners_of(net) -> list:
    return getattr(net, "_listeners", None) or []


def fire(net, callback: str, *args) -> None:
    """Call ``callback(net, *args)`` on every listener of ``net`` that has it (in order)."""
    for listener in list(listeners_of(net)):
        fn = getattr(listener, callback, None)
        if fn is not None:
            fn(net, *args)


def as_listener_list(listeners) -> list:
    """setListeners(a, b) / setListeners([a, b]) / setListeners(None) -> a flat list."""
    out = []
    for item in listeners:
        if item is None:
            continue
        if isinstance(item, (list, tuple, set)):
            out.extend(as_listener_list(item))
        else:
            out.append(item)
    return out


class InvocationType(enum.Enum):
    """Mirrors org.deeplearning4j.optimize.api.InvocationType."""

    EPOCH_START = "EPOCH_START"
    EPOCH_END = "EPOCH_END"
    ITERATION_END = "ITERATION_END"


# ---- ScoreIterationListener / CollectScoresIterationListener ------------------------------------


class ScoreIterationListener(BaseTrainingListener):
    """Mirrors ScoreIterationListener: logs ``"Score at iteration N is S"`` (INFO) every printIterations."""

    def __init__(self, printIterations: int = 10):
        self.printIterations = int(printIterations)
        show_reports()

    def iterationDone(self, model, iteration, epoch):
        if self.printIterations <= 0:
            self.printIterations = 1
        if iteration % self.printIterations == 0:
            _report(self, "Score at iteration %s is %s", iteration, java_double(model.score()))

    def __repr__(self):
        return f"ScoreIterationListener({self.printIterations})"


class CollectScoresIterationListener(BaseTrainingListener):
    """Mirrors CollectScoresIterationListener: keeps (iteration, score) every ``frequency`` iterations
    (``getScores()``); ``plotScores(listener, path)`` draws them."""

    def __init__(self, frequency: int = 1):
        self.frequency = max(1, int(frequency))
        self.iterations: list = []
        self.scores: list = []

    def iterationDone(self, model, iteration, epoch):
        if iteration % self.frequency == 0:
            self.iterations.append(int(iteration))
            self.scores.append(float(model.score()))

    def getScores(self):
        return list(zip(self.iterations, self.scores))


# ---- PerformanceListener ---------------------------------------------------------------------


class PerformanceListener(BaseTrainingListener):
    """Mirrors PerformanceListener(frequency[, reportScore[, reportGC]]): every ``frequency`` iterations logs
    ``"ETL: e ms; iteration i; iteration time: t ms; samples/sec: x; batches/sec: y; [score: s;]"``.

    As DL4J, the time is that of the last iteration (since the previous ``iterationDone``) and samples are
    the last minibatch's size. The last values are kept in ``samplesPerSec`` / ``batchesPerSec``.
    ``reportGC`` is accepted and ignored (no JVM garbage collector here)."""

    def __init__(self, frequency: int = 1, reportScore: bool = False, reportGC: bool = False):
        if int(frequency) <= 0:
            raise ValueError(f"Invalid frequency, must be > 0: Got {frequency}")
        self.frequency = int(frequency)
        self.reportScore = bool(reportScore)
        self.reportGC = bool(reportGC)
        self.reportSample = self.reportBatch = self.reportIteration = self.reportEtl = self.reportTime = True
        self.samplesPerSec = 0.0
        self.batchesPerSec = 0.0
        self._last_time = time.perf_counter()
        show_reports()

    def iterationDone(self, model, iteration, epoch):
        if iteration % self.frequency == 0:
            now = time.perf_counter()
            spent_ms = int((now - self._last_time) * 1000)
            sec = now - self._last_time
            n = int(getattr(model, "_last_batch_size", 0) or 0)
            self.samplesPerSec = n / sec if sec > 0 else math.inf
            self.batchesPerSec = 1.0 / sec if sec > 0 else math.inf
            parts = []
            if self.reportEtl:
                etl = model.getLastEtlTime() if hasattr(model, "getLastEtlTime") else 0
                parts.append(f"ETL: {etl} ms; ")
            if self.reportIteration:
                parts.append(f"iteration {iteration}; ")
            if self.reportTime:
                parts.append(f"iteration time: {spent_ms} ms; ")
            if self.reportSample:
                parts.append(f"samples/sec: {_fmt3(self.samplesPerSec)}; ")
            if self.reportBatch:
                parts.append(f"batches/sec: {_fmt3(self.batchesPerSec)}; ")
            if self.reportScore:
                parts.append(f"score: {java_double(model.score())};")
            _report(self, "%s", "".join(parts))
        self._last_time = time.perf_counter()

    class Builder:
        """Mirrors PerformanceListener.Builder."""

        def __init__(self):
            self._frequency, self._score = 1, False
            self._flags = dict(reportIteration=True, reportTime=True, reportEtl=True, reportSample=True, reportBatch=True)

        def setFrequency(self, frequency: int):
            self._frequency = int(frequency)
            return self

        def reportScore(self, value: bool = True):
            self._score = bool(value)
            return self

        def reportIteration(self, value: bool = True):
            self._flags["reportIteration"] = bool(value)
            return self

        def reportTime(self, value: bool = True):
            self._flags["reportTime"] = bool(value)
            return self

        def reportETL(self, value: bool = True):
            self._flags["reportEtl"] = bool(value)
            return self

        def reportSample(self, value: bool = True):
            self._flags["reportSample"] = bool(value)
            return self

        def reportBatch(self, value: bool = True):
            self._flags["reportBatch"] = bool(value)
            return self

        def build(self) -> "PerformanceListener":
            listener = PerformanceListener(self._frequency, self._score)
            for k, v in self._flags.items():
                setattr(listener, k, v)
            return listener


def _fmt3(x: float) -> str:
    if math.isinf(x):
        return "Infinity"
    return f"{x:.3f}"


# ---- CheckpointListener ----------------------------------------------------------------------

class EvaluativeListener(BaseTrainingListener):
    """Mirrors EvaluativeListener(iterator|dataSet, frequency[, invocationType][, evaluations...]).

    Every ``frequency``-th invocation (iteration ends by default, or epoch starts/ends) resets the
    evaluations and the iterator, evaluates the model (``Evaluation`` unless others are given, as
    ``net.evaluate(iterator)``), logs ``stats()`` and calls ``callback(listener, model, invocationCount,
    evaluations)`` when set. The last evaluations are in ``getEvaluations()``."""

    def __init__(self, iterator, frequency: int = 1, invocationType=InvocationType.ITERATION_END,
                 *evaluations, callback=None):
        if isinstance(invocationType, str):
            invocationType = InvocationType[invocationType]
        elif not isinstance(invocationType, InvocationType):  # EvaluativeListener(iterator, frequency, evaluation...)
            evaluations = (invocationType,) + evaluations
            invocationType = InvocationType.ITERATION_END
        self.data = iterator
        self.frequency = max(1, int(frequency))
        self.invocationType = invocationType
        self.evaluations = list(evaluations) if evaluations else None
        self.callback = callback
        self._calls = 0
        self.invocationCount = 0
        show_reports()

    def getEvaluations(self):
        return self.evaluations

    def getInvocationType(self):
        return self.invocationType

    def setCallback(self, callback):
        self.callback = callback

    def iterationDone(self, model, iteration, epoch):
        if self.invocationType == InvocationType.ITERATION_END:
            self._invoke(model)

    def onEpochStart(self, model):
        if self.invocationType == InvocationType.EPOCH_START:
            self._invoke(model)

    def onEpochEnd(self, model):
        if self.invocationType == InvocationType.EPOCH_END:
            self._invoke(model)

    def _invoke(self, model):
        n, self._calls = self._calls, self._calls + 1
        if n % self.frequency != 0:
            return
        data = self.data
        if hasattr(data, "getFeatures"):
            data = [data]  # a single DataSet
        elif hasattr(data, "reset") and getattr(data, "resetSupported", lambda: True)() is not False:
            data.reset()
        self.invocationCount += 1
        _report(self, "Starting evaluation nr. %s", self.invocationCount)
        if self.evaluations is None:
            self.evaluations = [model.evaluate(data)]
        else:
            for ev in self.evaluations:
                if hasattr(ev, "reset"):
                    ev.reset()
            for i, ev in enumerate(self.evaluations):
                if i > 0 and hasattr(data, "reset"):
                    data.reset()
                model._run_evaluation(ev, data)
        _report(self, "Reporting evaluation results:")
        for ev in self.evaluations:
            _report(self, "%s:\n%s", type(ev).__name__, ev.stats())
        if self.callback is not None:
            fn = getattr(self.callback, "call", self.callback)
            fn(self, model, self.invocationCount, self.evaluations)


# ---- progress bars ---------------------------------------------------------------------------


class ProgressBar:
    """A tqdm bar when tqdm is installed and ``enabled``; otherwise every method does nothing."""

    def __init__(self, enabled: bool, total=None, desc=None, unit="it"):
        self.bar = None
        self._examples = 0
        self._t0 = time.perf_counter()
        if not enabled:
            return
        try:
            from tqdm.auto import tqdm
        except Exception:  # noqa: BLE001  (tqdm missing or blocked: no bar)
            log.debug("tqdm is not installed: no progress bar")
            return
        self.bar = tqdm(total=total, desc=desc, unit=unit, leave=True, dynamic_ncols=True)

    def update(self, n_examples: int = 0, score=None, steps: int = 1):
        if self.bar is None:
            return
        self._examples += int(n_examples)
        elapsed = time.perf_counter() - self._t0
        post = {}
        if score is not None:
            post["score"] = f"{float(score):.5g}"
        if elapsed > 0 and self._examples:
            post["ex/s"] = f"{self._examples / elapsed:.1f}"
        if post:
            self.bar.set_postfix(post, refresh=False)
        self.bar.update(steps)

    def close(self):
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


def length_of(data):
    """How many minibatches an iterator will give, when it can tell (len(), else None)."""
    try:
        return len(data)
    except Exception:  # noqa: BLE001
        return None


# ---- score plot ------------------------------------------------------------------------------


def plotScores(scores, path, title: str = "Score vs iteration") -> str:
    """Write a PNG of a score history: a list of scores (x = index), a list of (iteration, score) pairs, or a
    :class:`CollectScoresIterationListener`. Needs matplotlib (drawn without pyplot's global state); raises
    ImportError with an install hint when it is missing. Returns the path written."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as e:
        raise ImportError("plotScores needs matplotlib: pip install matplotlib") from e
    if hasattr(scores, "getScores"):
        scores = scores.getScores()
    scores = list(scores)
    if scores and isinstance(scores[0], (tuple, list)):
        xs, ys = [float(p[0]) for p in scores], [float(p[1]) for p in scores]
    else:
        xs, ys = list(range(len(scores))), [float(s) for s in scores]
    fig = Figure(figsize=(7, 4), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    ax.plot(xs, ys, linewidth=1.2)
    ax.set_xlabel("iteration")
    ax.set_ylabel("score")
    ax.set_title(title)
    ax.grid(True, alpha=0.3)
    fig.tight_layout()
    path = os.fspath(path)
    with atomic_write(path) as f:  # zipio/files.py: no half-written PNG, no leftover temp file
        fig.savefig(f, format="png")
    return path
