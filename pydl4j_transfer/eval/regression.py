"""Regression evaluation: MSE, MAE, RMSE, RSE, PC (Pearson), R^2 per column.

Mirrors ``org.nd4j.evaluation.regression.RegressionEvaluation`` (1.0.0-M2.1): running sums per
column (in float64), metrics from them, ``stats()`` as DL4J's table (``%.5e`` values), and the
JSON of ``toJson`` / ``fromJson`` (M2.1 writes each sum as ``{"dataType", "shape", "data"}``;
1.0.0-beta wrote plain lists; both are read).
"""

from __future__ import annotations

import enum
import json

import numpy as np

from pydl4j_transfer.java_names import JavaNames
from pydl4j_transfer.eval.evaluation import jackson_dumps, to_2d

__all__ = ["RegressionEvaluation"]

_SUMS = ("exampleCountPerColumn", "labelsSumPerColumn", "sumSquaredErrorsPerColumn", "sumAbsErrorsPerColumn",
         "currentMean", "currentPredictionMean", "sumOfProducts", "sumSquaredLabels", "sumSquaredPredicted",
         "sumLabels")
CLASS_NAMES = ("org.nd4j.evaluation.regression.RegressionEvaluation", "org.deeplearning4j.eval.RegressionEvaluation")


class RegressionEvaluation(JavaNames):
    """Mirrors org.nd4j.evaluation.regression.RegressionEvaluation(nColumns | columnNames, precision=5)."""

    def __init__(self, columnNames=None, precision: int = 5):
        if isinstance(columnNames, int):
            columnNames = [f"col_{i}" for i in range(columnNames)]
        self.columnNames = None if columnNames is None else list(columnNames)
        self.precision = int(precision)
        self.initialized = False

    def _init(self, n):
        for name in _SUMS:
            setattr(self, name, np.zeros(n, dtype=np.float64))
        if self.columnNames is None:
            self.columnNames = [f"col_{i}" for i in range(n)]
        self.initialized = True

    def eval(self, labels, predictions, mask=None):
        """Mirrors RegressionEvaluation#eval(labels, predictions[, mask])."""
        labels, predictions = to_2d(labels, predictions, mask)
        y, p = labels.astype(np.float64), predictions.astype(np.float64)
        if not self.initialized:
            self._init(y.shape[1])
        n_new = y.shape[0]
        self.labelsSumPerColumn += y.sum(0)
        err = p - y
        self.sumSquaredErrorsPerColumn += (err * err).sum(0)
        self.sumAbsErrorsPerColumn += np.abs(err).sum(0)
        self.sumOfProducts += (y * p).sum(0)
        self.sumSquaredLabels += (y * y).sum(0)
        self.sumSquaredPredicted += (p * p).sum(0)
        self.sumLabels += y.sum(0)
        n_old = self.exampleCountPerColumn
        total = n_old + n_new
        self.currentMean = (self.currentMean * n_old + y.sum(0)) / total
        self.currentPredictionMean = (self.currentPredictionMean * n_old + p.sum(0)) / total
        self.exampleCountPerColumn = total

    def numColumns(self) -> int:
        return len(self.columnNames or ())

    def meanSquaredError(self, column: int) -> float:
        return float(self.sumSquaredErrorsPerColumn[column] / self.exampleCountPerColumn[column])

    def meanAbsoluteError(self, column: int) -> float:
        return float(self.sumAbsErrorsPerColumn[column] / self.exampleCountPerColumn[column])

    def rootMeanSquaredError(self, column: int) -> float:
        return float(np.sqrt(self.meanSquaredError(column)))

    def _sst(self, column):
        n = self.exampleCountPerColumn[column]
        return self.sumSquaredLabels[column] - n * self.currentMean[column] ** 2

    def relativeSquaredError(self, column: int) -> float:
        return float(self.sumSquaredErrorsPerColumn[column] / self._sst(column))

    def pearsonCorrelation(self, column: int) -> float:
        n = self.exampleCountPerColumn[column]
        sx, sy = self.sumLabels[column], self.currentPredictionMean[column] * n
        num = n * self.sumOfProducts[column] - sx * sy
        den = np.sqrt(n * self.sumSquaredLabels[column] - sx * sx) * np.sqrt(n * self.sumSquaredPredicted[column] - sy * sy)
        return float(num / den)

    def rSquared(self, column: int) -> float:
        return float(1.0 - self.sumSquaredErrorsPerColumn[column] / self._sst(column))

    def _avg(self, fn):
        return float(np.mean([fn(i) for i in range(self.numColumns())]))

    def averageMeanSquaredError(self):
        return self._avg(self.meanSquaredError)

    def averageMeanAbsoluteError(self):
        return self._avg(self.meanAbsoluteError)

    def averagerootMeanSquaredError(self):
        return self._avg(self.rootMeanSquaredError)

    def averagePearsonCorrelation(self):
        return self._avg(self.pearsonCorrelation)

    def averageRSquared(self):
        return self._avg(self.rSquared)

    def averagerelativeSquaredError(self):
        """Mirrors RegressionEvaluation#averagerelativeSquaredError (DL4J's lower-case r)."""
        return self._avg(self.relativeSquaredError)

    def scoreForMetric(self, metric) -> float:
        """Mirrors RegressionEvaluation#scoreForMetric(RegressionEvaluation.Metric): the column average."""
        return getattr(self, {"MSE": "averageMeanSquaredError", "MAE": "averageMeanAbsoluteError",
                              "RMSE": "averagerootMeanSquaredError", "RSE": "averagerelativeSquaredError",
                              "PC": "averagePearsonCorrelation", "R2": "averageRSquared"}[getattr(metric, "name", metric)])()

    def stats(self) -> str:
        """Mirrors RegressionEvaluation#stats: one row per column, values as Java's %.{precision}e."""
        if not self.initialized:
            return "RegressionEvaluation: No Data"
        width = max(len("Column"), max(len(c) for c in self.columnNames)) + 4
        vw = self.precision + 10
        head = f"{'Column':<{width}}" + "".join(f"{h:<{vw}}" for h in ("MSE", "MAE", "RMSE", "RSE", "PC", "R^2"))
        rows = [head]
        for i, name in enumerate(self.columnNames):
            vals = (self.meanSquaredError(i), self.meanAbsoluteError(i), self.rootMeanSquaredError(i),
                    self.relativeSquaredError(i), self.pearsonCorrelation(i), self.rSquared(i))
            rows.append(f"{name:<{width}}" + "".join(f"{v:<{vw}.{self.precision}e}" for v in vals))
        return "\n".join(rows) + "\n"

    def toJson(self) -> str:
        """Mirrors RegressionEvaluation#toJson (M2.1 layout)."""
        obj = {"@class": CLASS_NAMES[0], "axis": 1, "initialized": self.initialized, "columnNames": self.columnNames,
               "precision": self.precision}
        for name in _SUMS:
            a = getattr(self, name, None)
            obj[name] = None if a is None else {"dataType": "DOUBLE", "shape": [len(a)], "data": [float(v) for v in a]}
        return jackson_dumps(obj)

    @classmethod
    def fromJson(cls, text) -> "RegressionEvaluation":
        """Mirrors RegressionEvaluation.fromJson (M2.1 and 1.0.0-beta layouts)."""
        obj = json.loads(text) if isinstance(text, str) else text
        if obj.get("@class") not in CLASS_NAMES:
            raise ValueError(f"not a RegressionEvaluation JSON: @class {obj.get('@class')!r}")
        r = cls(obj.get("columnNames"), obj.get("precision", 5))
        r.initialized = bool(obj.get("initialized"))
        for name in _SUMS:
            v = obj.get(name)
            if isinstance(v, dict):
                v = v.get("data")
            if v is not None:
                setattr(r, name, np.asarray(v, dtype=np.float64))
        return r


RegressionEvaluation.Metric = enum.Enum("Metric", [(m, m) for m in ("MSE", "MAE", "RMSE", "RSE", "PC", "R2")])
RegressionEvaluation.Metric.__doc__ = "Mirrors org.nd4j.evaluation.regression.RegressionEvaluation.Metric."
