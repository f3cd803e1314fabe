"""DL4J 1.0.0-beta serialised evaluations (shared/dl4j-legacy/eval_100b) read here."""

from pydl4j_transfer.eval import Evaluation, RegressionEvaluation, ROCMultiClass


def test_legacy_evaluation(legacy_dir):
    ev = Evaluation.fromJson((legacy_dir / "eval_100b" / "evaluation.json").read_text())
    assert ev.numClasses() == 3 and ev.getNumRowCounter() == 150
    assert ev.truePositives() == {0: 45, 1: 26, 2: 46}
    assert ev.falsePositives() == {0: 0, 1: 9, 2: 24}
    assert ev.trueNegatives() == {0: 100, 1: 91, 2: 76}
    assert abs(ev.accuracy() - 117 / 150) < 1e-12
    assert " Accuracy:        0.7800" in ev.stats()


def test_legacy_roc_and_regression(legacy_dir):
    roc = ROCMultiClass.fromJson((legacy_dir / "eval_100b" / "rocMultiClass.json").read_text())
    assert roc.getNumClasses() == 3 and abs(roc.calculateAUC(0) - 0.9837999671220778) < 1e-15
    assert roc.getCountActualPositive(0) == 50 and roc.getCountActualNegative(0) == 100
    reg = RegressionEvaluation.fromJson((legacy_dir / "eval_100b" / "regressionEvaluation.json").read_text())
    assert reg.columnNames == ["col_0", "col_1", "col_2"]
    assert abs(reg.meanSquaredError(0) - 9.807138442993164 / 150) < 1e-12
    assert "col_2" in reg.stats()
