"""DL4J's training listeners, progress bars and the score plot (torch backend; no JVM needed)."""

from __future__ import annotations

import logging
import os
import subprocess
import sys

import numpy as np
import pytest

pytest.importorskip("torch")

import pydl4j_transfer
from pydl4j_transfer.conf import Adam
from pydl4j_transfer.data import DataSet
from pydl4j_transfer.data.iterators import NumpyDataSetIterator
from pydl4j_transfer.nn import (CheckpointListener, CollectScoresIterationListener, ComputationGraph,
                                EvaluativeListener, InvocationType, MultiLayerNetwork, PerformanceListener,
                                ScoreIterationListener, TrainingListener, plotScores)
from pydl4j_transfer.nn import listeners as L
from pydl4j_transfer.zipio.files import TEMP_SUFFIX

from . import nn_recipes as R

N, BATCH = 20, 5  # 4 minibatches per epoch


def data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(N, 5)).astype(np.float32)
    y = np.eye(3, dtype=np.float32)[rng.integers(0, 3, N)]
    return x, y


def iterator():
    x, y = data()
    return NumpyDataSetIterator(x, y, batchSize=BATCH)


def net():
    conf = R.mln(R.dense(5, 6), R.out(6, 3), updater=Adam(0.01))
    return MultiLayerNetwork(conf).init()


def graph_net():
    def build(gb):
        return gb.addLayer("d", R.dense(5, 6), "in").addLayer("out", R.out(6, 3), "d")

    return ComputationGraph(R.graph(build, updater=Adam(0.01))).init()


class Recorder(TrainingListener):
    def __init__(self):
        self.events = []

    def iterationDone(self, model, iteration, epoch):
        self.events.append(("iter", iteration, epoch, model.getIterationCount(), model.score()))

    def onEpochStart(self, model):
        self.events.append(("start", model.getEpochCount()))

    def onEpochEnd(self, model):
        self.events.append(("end", model.getEpochCount()))

    def onGradientCalculation(self, model):
        self.events.append(("grad",))

    def onBackwardPass(self, model):
        self.events.append(("back",))


# ---- set / add / get ----------------------------------------------------------------------------


def test_set_add_get_listeners():
    n = net()
    a, b, c = ScoreIterationListener(1), Recorder(), Recorder()
    assert n.getListeners() == []
    n.setListeners(a, b)
    assert n.getListeners() == [a, b]
    n.addListeners(c)
    assert n.getListeners() == [a, b, c]
    n.setListeners([c])  # a collection, as DL4J's setListeners(Collection)
    assert n.getListeners() == [c]
    n.setListeners()
    assert n.getListeners() == []
    n.setListeners(a)
    assert n.clone().getListeners() == []


# ---- call counts and numbers -------------------------------------------------------------------


@pytest.mark.parametrize("make", [net, graph_net], ids=["mln", "graph"])
def test_callbacks_over_two_epoch_iterator_fit(make):
    n, rec = make(), Recorder()
    n.setListeners(rec)
    n.fit(iterator(), epochs=2)
    ev = rec.events
    per_epoch = N // BATCH
    iters = [e for e in ev if e[0] == "iter"]
    assert len(iters) == 2 * per_epoch
    # DL4J passes the iteration count before incrementIterationCount, and the current epoch count
    assert [e[1] for e in iters] == list(range(2 * per_epoch))
    assert [e[2] for e in iters] == [0] * per_epoch + [1] * per_epoch
    assert all(e[1] == e[3] for e in iters)  # the counter is not yet incremented when iterationDone runs
    assert all(np.isfinite(e[4]) for e in iters)
    assert [e for e in ev if e[0] in ("start", "end")] == [("start", 0), ("end", 0), ("start", 1), ("end", 1)]
    assert ev[0] == ("start", 0) and ev[-1] == ("end", 1)
    # per iteration: onBackwardPass, onGradientCalculation, then iterationDone
    body = [e[0] for e in ev if e[0] not in ("start", "end")]
    assert body == ["back", "grad", "iter"] * (2 * per_epoch)
    assert n.getIterationCount() == 2 * per_epoch and n.getEpochCount() == 2


def test_array_fit_has_no_epoch_callbacks():
    n, rec = net(), Recorder()
    n.setListeners(rec)
    x, y = data()
    n.fit(x, y, epochs=3)
    n.fit(DataSet(x, y))
    assert [e[1] for e in rec.events if e[0] == "iter"] == [0, 1, 2, 3]
    assert not [e for e in rec.events if e[0] in ("start", "end")]


def test_duck_typed_listener_with_only_iteration_done():
    class Only:
        def __init__(self):
            self.n = 0

        def iterationDone(self, model, iteration, epoch):
            self.n += 1

    n, only = net(), Only()
    n.setListeners(only)
    n.fit(iterator(), epochs=2)
    assert only.n == 8


# ---- ScoreIterationListener ---------------------------------------------------------------------


def test_score_iteration_listener_log_text(caplog):
    n = net()
    n.setListeners(ScoreIterationListener(3))
    caplog.set_level(logging.INFO, logger="pydl4j_transfer.nn.listeners")
    n.fit(iterator(), epochs=2)
    msgs = [r.getMessage() for r in caplog.records if r.name == "pydl4j_transfer.nn.listeners"]
    assert [m.split(" is ")[0] for m in msgs] == [f"Score at iteration {i}" for i in (0, 3, 6)]
    for m in msgs:
        assert m.startswith("Score at iteration ")
        float(m.rsplit(" is ", 1)[1])  # a number in Java's Double.toString text


def test_score_iteration_listener_defaults_and_java_text():
    assert ScoreIterationListener().printIterations == 10
    assert [L.java_double(v) for v in (1.0, 0.5, 1e-5, 1e7, 2.302585092994046, float("nan"))] == \
        ["1.0", "0.5", "1.0E-5", "1.0E7", "2.302585092994046", "NaN"]


def test_no_print_in_library(capsys):
    n = net()
    n.setListeners(ScoreIterationListener(1), PerformanceListener(1, reportScore=True))
    n.fit(iterator(), epochs=1)
    captured = capsys.readouterr()
    assert captured.out == ""


# ---- PerformanceListener ------------------------------------------------------------------------


def test_performance_listener(caplog):
    n = net()
    perf = PerformanceListener(2, reportScore=True)
    n.setListeners(perf)
    caplog.set_level(logging.INFO, logger="pydl4j_transfer.nn.listeners")
    n.fit(iterator(), epochs=1)
    msgs = [r.getMessage() for r in caplog.records]
    assert len(msgs) == 2  # iterations 0 and 2
    assert msgs[0].startswith("ETL: ") and "iteration 0; " in msgs[0] and "iteration 2; " in msgs[1]
    for m in msgs:
        assert "iteration time: " in m and "samples/sec: " in m and "batches/sec: " in m and "score: " in m
    assert perf.samplesPerSec > 0 and perf.batchesPerSec > 0
    built = PerformanceListener.Builder().setFrequency(5).reportScore(True).reportETL(False).build()
    assert built.frequency == 5 and built.reportScore and not built.reportEtl
    with pytest.raises(ValueError):
        PerformanceListener(0)


# ---- CheckpointListener -------------------------------------------------------------------------


def test_checkpoint_every_n_iterations_keep_last(tmp_path):
    n = net()
    ck = CheckpointListener.Builder(tmp_path).saveEveryNIterations(2).keepLast(2).logSaving(False).build()
    n.setListeners(ck)
    n.fit(iterator(), epochs=2)  # iterations 0..7; DL4J: first call only starts the clock; saves at 2, 4, 6
    zips = sorted(p for p in os.listdir(tmp_path) if p.endswith(".zip"))
    assert zips == ["checkpoint_1_MultiLayerNetwork.zip", "checkpoint_2_MultiLayerNetwork.zip"]
    record = (tmp_path / "checkpointInfo.txt").read_text().splitlines()
    assert record[0] == "checkpointNum,timestamp,iteration,epoch,modelType,filename"
    assert [line.split(",")[2] for line in record[1:]] == ["2", "4", "6"]  # all recorded, 2 kept
    avail = ck.availableCheckpoints()
    assert [c.checkpointNum for c in avail] == [1, 2]
    assert [c.checkpointNum for c in CheckpointListener.availableCheckpoints(tmp_path)] == [1, 2]
    last = CheckpointListener.lastCheckpoint(tmp_path)
    assert last.iteration == 6 and last.epoch == 1
    restored = pydl4j_transfer.load(str(tmp_path / "checkpoint_2_MultiLayerNetwork.zip"))
    assert isinstance(restored, MultiLayerNetwork)
    assert restored.getIterationCount() == 6 and restored.numParams() == n.numParams()
    assert restored.getUpdaterState() is not None  # written with the updater, as DL4J's writeModel(.., true)
    same = ck.loadLastCheckpointMLN()
    assert np.array_equal(same.params(), restored.params())


def test_checkpoint_every_epoch_graph(tmp_path):
    n = graph_net()
    n.setListeners(CheckpointListener.Builder(tmp_path / "ck").saveEveryEpoch().build())
    n.fit(iterator(), epochs=2)
    d = tmp_path / "ck"
    assert sorted(p for p in os.listdir(d) if p.endswith(".zip")) == [
        "checkpoint_0_ComputationGraph.zip", "checkpoint_1_ComputationGraph.zip"]
    cg = pydl4j_transfer.load(str(d / "checkpoint_1_ComputationGraph.zip"))
    assert isinstance(cg, ComputationGraph)
    # saved at onEpochEnd: before the epoch count is incremented, after the pass's iterations
    assert cg.getEpochCount() == 1 and cg.getIterationCount() == 8
    x, _ = data()
    np.testing.assert_allclose(cg.output(x)[0], n.output(x)[0], rtol=1e-6)


def test_checkpoint_existing_dir(tmp_path):
    n = net()
    n.setListeners(CheckpointListener.Builder(tmp_path).saveEveryEpoch().build())
    n.fit(iterator())
    with pytest.raises(RuntimeError, match="deleteExisting"):
        CheckpointListener.Builder(tmp_path).saveEveryEpoch().build()
    CheckpointListener.Builder(tmp_path).deleteExisting(True).build()
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".zip")]


def test_checkpoint_dir_leftovers_of_a_killed_writer_are_removed(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()  # zipio/files.py's temp names, of a process that is gone (SIGKILLed mid-write)
    left = [f".checkpoint_3_MultiLayerNetwork.zip.{dead.pid}.a_1{TEMP_SUFFIX}",
            f".checkpointInfo.txt.{dead.pid}.b_2{TEMP_SUFFIX}"]
    for name in left + [".keep.me"]:
        (tmp_path / name).write_bytes(b"half")
    CheckpointListener.Builder(tmp_path).saveEveryEpoch().build()
    assert sorted(os.listdir(tmp_path)) == [".keep.me"]


# ---- EvaluativeListener -------------------------------------------------------------------------


def test_evaluative_listener(caplog):
    n = net()
    seen = []
    ev_listener = EvaluativeListener(iterator(), 1, InvocationType.EPOCH_END,
                                     callback=lambda lst, model, count, evs: seen.append((count, evs[0].accuracy())))
    it_listener = EvaluativeListener(iterator(), 3)  # ITERATION_END by default
    n.setListeners(ev_listener, it_listener)
    caplog.set_level(logging.INFO, logger="pydl4j_transfer.nn.listeners")
    n.fit(iterator(), epochs=2)
    assert [c for c, _ in seen] == [1, 2]
    assert it_listener.invocationCount == 3  # iterations 0, 3, 6
    ev = ev_listener.getEvaluations()[0]
    expected = n.evaluate(iterator())
    assert ev.accuracy() == expected.accuracy()
    msgs = [r.getMessage() for r in caplog.records]
    assert "Starting evaluation nr. 1" in msgs and "Reporting evaluation results:" in msgs


# ---- progress bars -------------------------------------------------------------------------------


def test_fit_progress_with_tqdm(capsys):
    pytest.importorskip("tqdm")
    n = net()
    n.fit(iterator(), epochs=2, progress=True)
    x, y = data()
    n.fit(x, y, epochs=3, progress=True)
    err = capsys.readouterr().err
    assert "epoch 0" in err and "epoch 1" in err and "ex/s" in err and "score" in err
    assert n.getIterationCount() == 11


def test_fit_progress_without_tqdm(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "tqdm", None)
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    n = net()
    n.fit(iterator(), epochs=2, progress=True)
    assert n.getIterationCount() == 8 and n.getEpochCount() == 2
    captured = capsys.readouterr()
    assert captured.out == "" and "epoch" not in captured.err


def test_featurize_progress(monkeypatch, capsys):
    from pydl4j_transfer.transfer import TransferLearningHelper

    x, y = data()
    helper = TransferLearningHelper(net(), frozenTill=0)
    single = helper.featurize(DataSet(x, y), progress=True)
    assert single.getFeatures().shape == (N, 6)
    many = helper.featurize(iterator(), progress=True)
    assert len(many) == N // BATCH and many[0].getFeatures().shape == (BATCH, 6)
    np.testing.assert_allclose(np.concatenate([d.getFeatures() for d in many]), single.getFeatures(), rtol=1e-5, atol=1e-6)
    monkeypatch.setitem(sys.modules, "tqdm", None)
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)
    capsys.readouterr()
    again = helper.featurize(DataSet(x, y), progress=True)
    np.testing.assert_array_equal(again.getFeatures(), single.getFeatures())
    assert "featurize" not in capsys.readouterr().err


# ---- score plot ----------------------------------------------------------------------------------


def test_plot_scores(tmp_path):
    pytest.importorskip("matplotlib")
    n = net()
    collect = CollectScoresIterationListener(1)
    n.setListeners(collect)
    n.fit(iterator(), epochs=2)
    assert [i for i, _ in collect.getScores()] == list(range(8))
    for src, name in ((collect, "a.png"), ([s for _, s in collect.getScores()], "b.png")):
        path = plotScores(src, tmp_path / name)
        with open(path, "rb") as fh:
            assert fh.read(8) == b"\x89PNG\r\n\x1a\n"


def test_plot_scores_without_matplotlib(monkeypatch, tmp_path):
    for mod in [m for m in sys.modules if m == "matplotlib" or m.startswith("matplotlib.")]:
        monkeypatch.delitem(sys.modules, mod)
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    with pytest.raises(ImportError, match="pip install matplotlib"):
        plotScores([1.0, 0.5], tmp_path / "x.png")
    assert not (tmp_path / "x.png").exists()


_SCRIPT = r"""
import logging, sys
import numpy as np
from pydl4j_transfer import (Adam, DataSet, DenseLayer, MultiLayerNetwork, NeuralNetConfiguration, OutputLayer,
                             ScoreIterationListener)
if sys.argv[1] == "configured":
    logging.basicConfig(level=logging.WARNING, format="APP %(message)s")
conf = (NeuralNetConfiguration.Builder().seed(1).updater(Adam(0.01)).list()
        .layer(DenseLayer.Builder().nIn(3).nOut(4).activation("tanh").build())
        .layer(OutputLayer.Builder().nOut(2).activation("softmax").lossFunction("MCXENT").build()).build())
net = MultiLayerNetwork(conf)
net.init()
net.setListeners(ScoreIterationListener(1))
r = np.random.default_rng(0)
net.fit(DataSet(r.random((5, 3)).astype(np.float32), np.eye(2, dtype=np.float32)[r.integers(0, 2, 5)]))
"""


@pytest.mark.parametrize("mode", ["unconfigured", "configured"])
def test_reporting_listeners_print_by_default_unless_logging_is_configured(mode):
    """Java's ScoreIterationListener prints out of the box (slf4j); here too, to stderr, unless the application
    configured logging (then its configuration decides: WARNING here, so nothing)."""
    import subprocess

    done = subprocess.run([sys.executable, "-c", _SCRIPT, mode], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout == ""
    if mode == "unconfigured":
        assert "INFO ScoreIterationListener - Score at iteration 0 is " in done.stderr
    else:
        assert "Score at iteration" not in done.stderr
