"""Evaluation / ROC / ROCMultiClass / RegressionEvaluation against real DL4J 1.0.0-M2.1 on the same seeded predictions."""

import json

import numpy as np
import pytest

from pydl4j_transfer.eval import ROC, Evaluation, RegressionEvaluation, ROCMultiClass

pytestmark = pytest.mark.dl4j


def _j(name):
    import jpype

    return jpype.JClass(name)


def _arr(a):
    from pydl4j_transfer.dl4j_backend import to_indarray

    return to_indarray(a)


def _data(n, c, seed, skip_class=None):
    r = np.random.default_rng(seed)
    y = np.eye(c, dtype=np.float32)[r.integers(0, c, n)]
    p = r.random((n, c)).astype(np.float32)
    if skip_class is not None:
        p[:, skip_class] = 0.0  # never predicted -> DL4J's warnings and exclusions
    return y, p / p.sum(1, keepdims=True)


@pytest.mark.parametrize("n,c,seed,skip", [(20, 3, 0, None), (200, 5, 1, 2), (50, 2, 2, None), (300, 12, 3, 4),
                                           (40, 25, 4, None)])
def test_evaluation_equals_dl4j(jvm, n, c, seed, skip):
    y, p = _data(n, c, seed, skip)
    je = _j("org.nd4j.evaluation.classification.Evaluation")(c)
    ours = Evaluation(c)
    for lo in range(0, n, 16):  # minibatches, as a fit loop would
        je.eval(_arr(y[lo:lo + 16]), _arr(p[lo:lo + 16]))
        ours.eval(y[lo:lo + 16], p[lo:lo + 16])
    assert ours.accuracy() == je.accuracy()
    assert ours.precision() == pytest.approx(je.precision(), rel=1e-12, nan_ok=True)
    assert ours.recall() == pytest.approx(je.recall(), rel=1e-12, nan_ok=True)
    assert ours.f1() == pytest.approx(je.f1(), rel=1e-12, nan_ok=True)
    for i in range(c):
        assert ours.precision(i) == pytest.approx(je.precision(_j("java.lang.Integer")(i)), rel=1e-12)
        assert ours.recall(i) == pytest.approx(je.recall(i), rel=1e-12)
        assert ours.f1(i) == pytest.approx(je.f1(i), rel=1e-12)
    assert ours.stats() == str(je.stats())
    assert ours.stats(True) == str(je.stats(True))
    # JSON: DL4J reads ours, and we read DL4J's, with the same numbers
    back = _j("org.nd4j.evaluation.classification.Evaluation").fromJson(ours.toJson())
    assert str(back.stats()) == str(je.stats())
    mine = Evaluation.fromJson(str(je.toJson()))
    assert mine.stats() == ours.stats()
    theirs = json.loads(str(je.toJson()))
    for key in ("truePositives", "falsePositives", "trueNegatives", "falseNegatives"):
        want = {k: v for k, v in theirs[key]["map"].items() if v}
        assert json.loads(ours.toJson())[key]["map"] == want, key


def test_evaluation_with_mask_and_label_names(jvm):
    y, p = _data(30, 3, 7)
    mask = (np.arange(30) % 3 != 0).astype(np.float32).reshape(-1, 1)
    names = ["cat", "dog", "bird"]
    import jpype

    je = _j("org.nd4j.evaluation.classification.Evaluation")(jpype.java.util.Arrays.asList(names))
    je.eval(_arr(y), _arr(p), _arr(mask))
    ours = Evaluation(labels=names)
    ours.eval(y, p, mask)
    assert ours.stats() == str(je.stats())


def test_roc_equals_dl4j(jvm):
    y, p = _data(60, 2, 11)
    jr = _j("org.nd4j.evaluation.classification.ROC")(0)
    jr.eval(_arr(y), _arr(p))
    ours = ROC()
    ours.eval(y, p)
    assert ours.calculateAUC() == pytest.approx(jr.calculateAUC(), rel=1e-12)
    assert ours.calculateAUCPR() == pytest.approx(jr.calculateAUCPR(), rel=1e-12)
    ours_nums = [float(line.split(":")[1]) for line in ours.stats().splitlines()]
    java_nums = [float(line.split(":")[1]) for line in str(jr.stats()).splitlines()]
    assert ours_nums == pytest.approx(java_nums, rel=1e-12)  # same layout; last-bit sums may differ
    back = ROC.fromJson(str(jr.toJson()))
    assert back.calculateAUC() == jr.calculateAUC()


def test_roc_multiclass_equals_dl4j(jvm):
    y, p = _data(80, 4, 12)
    jr = _j("org.nd4j.evaluation.classification.ROCMultiClass")(0)
    jr.eval(_arr(y), _arr(p))
    ours = ROCMultiClass()
    ours.eval(y, p)
    for i in range(4):
        assert ours.calculateAUC(i) == pytest.approx(jr.calculateAUC(i), rel=1e-12)
        assert ours.calculateAUCPR(i) == pytest.approx(jr.calculateAUCPR(i), rel=1e-12)
    assert ours.calculateAverageAUC() == pytest.approx(jr.calculateAverageAUC(), rel=1e-12)
    assert ours.stats() == str(jr.stats())


def test_regression_equals_dl4j(jvm):
    r = np.random.default_rng(13)
    y, p = r.random((40, 3)).astype(np.float32), r.random((40, 3)).astype(np.float32)
    jr = _j("org.nd4j.evaluation.regression.RegressionEvaluation")(3)
    ours = RegressionEvaluation(3)
    for lo in (0, 25):
        jr.eval(_arr(y[lo:lo + 25]), _arr(p[lo:lo + 25]))
        ours.eval(y[lo:lo + 25], p[lo:lo + 25])
    for i in range(3):
        for m in ("meanSquaredError", "meanAbsoluteError", "rootMeanSquaredError", "relativeSquaredError",
                  "pearsonCorrelation", "rSquared"):
            assert getattr(ours, m)(i) == pytest.approx(getattr(jr, m)(i), rel=1e-5), m
    # same layout; DL4J keeps some running sums in float32, so the 6th digit may differ
    ours_rows, java_rows = ours.stats().splitlines(), str(jr.stats()).splitlines()
    assert ours_rows[0] == java_rows[0] and len(ours_rows) == len(java_rows)
    for a, b in zip(ours_rows[1:], java_rows[1:]):
        assert a.split()[0] == b.split()[0] and len(a) == len(b)
        assert [float(v) for v in a.split()[1:]] == pytest.approx([float(v) for v in b.split()[1:]], rel=1e-4)
    back = _j("org.nd4j.evaluation.regression.RegressionEvaluation").fromJson(ours.toJson())
    assert str(back.stats()).splitlines()[0] == str(jr.stats()).splitlines()[0]
    mine = RegressionEvaluation.fromJson(str(jr.toJson()))
    assert [mine.rSquared(i) for i in range(3)] == pytest.approx([jr.rSquared(i) for i in range(3)], rel=1e-9)


@pytest.mark.parametrize("c,seed", [(3, 5), (2, 6)])
def test_score_for_metric_and_nested_metric_enums_equal_dl4j(jvm, c, seed):
    y, p = _data(60, c, seed)
    je, ours = _j("org.nd4j.evaluation.classification.Evaluation")(c), Evaluation(c)
    je.eval(_arr(y), _arr(p))
    ours.eval(y, p)
    JMetric = _j("org.nd4j.evaluation.classification.Evaluation$Metric")
    for m in Evaluation.Metric:
        assert ours.scoreForMetric(m) == pytest.approx(je.scoreForMetric(getattr(JMetric, m.name)), rel=1e-12,
                                                       nan_ok=True), m
    r = np.random.default_rng(seed)
    labels, preds = r.random((30, 2)).astype(np.float32), r.random((30, 2)).astype(np.float32)
    jr, reg = _j("org.nd4j.evaluation.regression.RegressionEvaluation")(2), RegressionEvaluation(2)
    jr.eval(_arr(labels), _arr(preds))
    reg.eval(labels, preds)
    JRMetric = _j("org.nd4j.evaluation.regression.RegressionEvaluation$Metric")
    for m in RegressionEvaluation.Metric:
        # DL4J sums in float32: agreement to float32 accumulation error
        assert reg.scoreForMetric(m) == pytest.approx(jr.scoreForMetric(getattr(JRMetric, m.name)), rel=1e-3), m
