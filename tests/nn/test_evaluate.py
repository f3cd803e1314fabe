"""Network-level evaluation (evaluate / evaluateRegression / evaluateROC...) against real DL4J."""

from pathlib import Path

import numpy as np
import pytest

import pydl4j_transfer
from pydl4j_transfer.data import DataSet, ListDataSetIterator
from pydl4j_transfer.dl4j_backend import Dl4jModel, to_indarray

CASE = Path(__file__).resolve().parents[2] / "compat_fixtures" / "1.0.0-M2.1" / "mlp_dense_output"


def _data(n=40, seed=5):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 4)).astype(np.float32)
    y = np.eye(3, dtype=np.float32)[rng.integers(0, 3, n)]
    return x, y


@pytest.mark.dl4j
def test_evaluate_equals_dl4j_evaluate_on_the_same_iterator():
    import jpype

    x, y = _data()
    net = pydl4j_transfer.load(CASE / "model.zip")
    ours = net.evaluate(ListDataSetIterator(DataSet(x, y).asList(), 16))

    java_net = Dl4jModel.restore(CASE / "model.zip").java
    ArrayList = jpype.JClass("java.util.ArrayList")
    JDataSet = jpype.JClass("org.nd4j.linalg.dataset.DataSet")
    Iterator = jpype.JClass("org.deeplearning4j.datasets.iterator.utilty.ListDataSetIterator")
    examples = ArrayList()
    for i in range(len(x)):
        examples.add(JDataSet(to_indarray(x[i:i + 1]), to_indarray(y[i:i + 1])))
    theirs = java_net.evaluate(Iterator(examples, 16))
    assert ours.accuracy() == pytest.approx(float(theirs.accuracy()), abs=1e-12)
    assert ours.f1() == pytest.approx(float(theirs.f1()), abs=1e-12)
    assert ours.stats() == str(theirs.stats())


def test_evaluate_regression_and_roc_run_over_an_iterator():
    x, y = _data(30, seed=9)
    net = pydl4j_transfer.load(CASE / "model.zip")
    it = ListDataSetIterator(DataSet(x, y).asList(), 8)
    reg = net.evaluateRegression(it)
    out = net.output(x)
    assert reg.meanSquaredError(0) == pytest.approx(float(np.mean((out[:, 0] - y[:, 0]) ** 2)), rel=1e-5)
    roc = net.evaluateROCMultiClass(ListDataSetIterator(DataSet(x, y).asList(), 8))
    assert 0.0 <= roc.calculateAUC(0) <= 1.0


def test_get_layer_views_share_the_network_params_and_summary_prints_dl4j_table():
    net = pydl4j_transfer.load(CASE / "model.zip")
    layer = net.getLayer("layer1")
    assert layer.getIndex() == 1 and type(layer.conf().getLayer()).__name__ == "OutputLayer"
    assert layer.numParams() == 18 and layer.params().shape == (18,)
    np.testing.assert_array_equal(layer.getParam("W"), net.paramTable()["1_W"])
    layer.setParam("b", np.zeros(3, np.float32))
    assert not net.paramTable()["1_b"].any()
    assert net.getLayer(0).conf().getLayer().nOut == 5
    with pytest.raises(KeyError, match="layer7"):
        net.getLayer("layer7")
    text = net.summary()
    assert "layer0 (DenseLayer)" in text and "Total Parameters:  43" in text
