"""Layer 2.5: evaluation (Evaluation, ROC, ROCMultiClass, RegressionEvaluation), numpy only."""

from pydl4j_transfer.eval.evaluation import Evaluation, EvaluationAveraging
from pydl4j_transfer.eval.regression import RegressionEvaluation
from pydl4j_transfer.eval.roc import ROC, ROCMultiClass

__all__ = ["Evaluation", "EvaluationAveraging", "ROC", "ROCMultiClass", "RegressionEvaluation"]
