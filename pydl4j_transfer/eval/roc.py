"""ROC / AUC and precision-recall AUC in DL4J's exact mode (``thresholdSteps = 0``).

Mirrors ``org.nd4j.evaluation.classification.ROC`` and ``ROCMultiClass`` (1.0.0-M2.1):
examples sorted by probability (descending), cumulative TPR / FPR with the edge points
(threshold 1.0 -> (0, 0), threshold 0.0 -> (1, 1)), redundant collinear points removed
(``rocRemoveRedundantPts``), trapezoidal areas. ``fromJson`` reads the stored ``auc`` /
``auprc`` and counts of DL4J's JSON (1.0.0-beta ``org.deeplearning4j.eval`` names too).

Differs: the histogram mode (``thresholdSteps > 0``) is not modelled; examples with equal
probabilities are kept in input order (DL4J's ``sortRows`` order for ties is unspecified).
"""

from __future__ import annotations

import enum
import json

import numpy as np

from pydl4j_transfer.java_names import JavaNames
from pydl4j_transfer.eval.evaluation import to_2d

__all__ = ["ROC", "ROCMultiClass"]


def _remove_redundant(t, x, y):
    keep = np.ones(len(t), dtype=bool)
    if len(t) > 2:
        same_y = (y[:-2] == y[1:-1]) & (y[1:-1] == y[2:])
        same_x = (x[:-2] == x[1:-1]) & (x[1:-1] == x[2:])
        keep[1:-1] = ~same_x & ~same_y
    return keep


def _area(x, y):
    return float(np.sum(np.abs(np.diff(x)) * (y[:-1] + y[1:]) / 2.0))


class ROC(JavaNames):
    """Mirrors org.nd4j.evaluation.classification.ROC (binary; exact mode).

    Labels ``[N, 1]`` (1 = positive) or ``[N, 2]`` (column 1 = positive); predictions likewise.
    """

    def __init__(self, thresholdSteps: int = 0, rocRemoveRedundantPts: bool = True):
        if thresholdSteps:
            raise NotImplementedError("only DL4J's exact mode (thresholdSteps=0) is modelled")
        self.thresholdSteps = 0
        self.rocRemoveRedundantPts = rocRemoveRedundantPts
        self._prob = []
        self._label = []
        self._stored = None  # (auc, auprc, pos, neg, count) read from JSON

    def eval(self, labels, predictions, mask=None):
        """Mirrors ROC#eval(labels, predictions[, mask])."""
        labels, predictions = to_2d(labels, predictions, mask)
        col = 1 if labels.shape[1] == 2 else 0
        if labels.shape[1] > 2:
            raise ValueError("ROC is binary: use ROCMultiClass for more than 2 columns")
        self._prob.append(predictions[:, col].astype(np.float64))
        self._label.append(labels[:, col].astype(np.float64))
        self._stored = None

    def _pl(self):
        p = np.concatenate(self._prob) if self._prob else np.zeros(0)
        lab = np.concatenate(self._label) if self._label else np.zeros(0)
        order = np.argsort(-p, kind="stable")
        return p[order], lab[order]

    @property
    def exampleCount(self) -> int:
        return self._stored[4] if self._stored else int(sum(len(p) for p in self._prob))

    def getCountActualPositive(self) -> int:
        return self._stored[2] if self._stored else int(sum((lab == 1).sum() for lab in self._label))

    def getCountActualNegative(self) -> int:
        return self.exampleCount - self.getCountActualPositive()

    def getRocCurve(self):
        """(threshold, fpr, tpr) arrays, as ROC#getRocCurve."""
        p, lab = self._pl()
        pos, neg = lab.sum(), (1 - lab).sum()
        t = np.concatenate([[1.0], p, [0.0]])
        fpr = np.concatenate([[0.0], np.cumsum(1 - lab) / neg, [1.0]])
        tpr = np.concatenate([[0.0], np.cumsum(lab) / pos, [1.0]])
        if self.rocRemoveRedundantPts:
            k = _remove_redundant(t, fpr, tpr)
            t, fpr, tpr = t[k], fpr[k], tpr[k]
        return t, fpr, tpr

    def getPrecisionRecallCurve(self):
        """(threshold, precision, recall) arrays, lowest threshold first, as ROC#getPrecisionRecallCurve."""
        p, lab = self._pl()
        n = len(p)
        pos = lab.sum()
        cum = np.cumsum(lab)
        t = np.concatenate([[1.0], p, [0.0]])
        prec = np.concatenate([[1.0], cum / np.arange(1, n + 1), [cum[-1] / n]])
        rec = np.concatenate([[0.0], cum / pos, [1.0]])
        t, prec, rec = t[::-1], prec[::-1], rec[::-1]
        if self.rocRemoveRedundantPts:
            k = _remove_redundant(t, prec, rec)
            t, prec, rec = t[k], prec[k], rec[k]
        return t, prec, rec

    def calculateAUC(self) -> float:
        """Mirrors ROC#calculateAUC (trapezoids over the ROC curve)."""
        if self._stored:
            return self._stored[0]
        if self.exampleCount == 0:
            return float("nan")
        _, fpr, tpr = self.getRocCurve()
        return _area(fpr, tpr)

    def calculateAUCPR(self) -> float:
        """Mirrors ROC#calculateAUCPR (trapezoids over the precision-recall curve)."""
        if self._stored:
            return self._stored[1]
        if self.exampleCount == 0:
            return float("nan")
        _, prec, rec = self.getPrecisionRecallCurve()
        return _area(rec, prec)

    def stats(self) -> str:
        """Mirrors ROC#stats."""
        return (f"AUC (Area under ROC Curve):                {self.calculateAUC()!r}\n"
                f"AUPRC (Area under Precision/Recall Curve): {self.calculateAUCPR()!r}")

    @classmethod
    def _from_obj(cls, obj) -> "ROC":
        r = cls(0, obj.get("rocRemoveRedundantPts", True))
        pos, neg = int(obj.get("countActualPositive", 0)), int(obj.get("countActualNegative", 0))
        r._stored = (obj.get("auc"), obj.get("auprc"), pos, neg, int(obj.get("exampleCount", pos + neg)))
        return r

    @classmethod
    def fromJson(cls, text) -> "ROC":
        """Mirrors ROC.fromJson: AUC, AUPRC and counts (the curves are not rebuilt)."""
        return cls._from_obj(json.loads(text) if isinstance(text, str) else text)


class ROCMultiClass(JavaNames):
    """Mirrors org.nd4j.evaluation.classification.ROCMultiClass: one-vs-all ROC per column (exact mode)."""

    def __init__(self, thresholdSteps: int = 0, rocRemoveRedundantPts: bool = True):
        if thresholdSteps:
            raise NotImplementedError("only DL4J's exact mode (thresholdSteps=0) is modelled")
        self.rocRemoveRedundantPts = rocRemoveRedundantPts
        self.underlying = None
        self.labels = None

    def eval(self, labels, predictions, mask=None):
        """Mirrors ROCMultiClass#eval."""
        labels, predictions = to_2d(labels, predictions, mask)
        n = labels.shape[1]
        if self.underlying is None:
            self.underlying = [ROC(0, self.rocRemoveRedundantPts) for _ in range(n)]
        for i, roc in enumerate(self.underlying):
            roc.eval(labels[:, i:i + 1], predictions[:, i:i + 1])

    def getNumClasses(self) -> int:
        return 0 if self.underlying is None else len(self.underlying)

    def calculateAUC(self, classIdx: int) -> float:
        return self.underlying[classIdx].calculateAUC()

    def calculateAUCPR(self, classIdx: int) -> float:
        return self.underlying[classIdx].calculateAUCPR()

    def calculateAverageAUC(self) -> float:
        return float(np.mean([r.calculateAUC() for r in self.underlying]))

    def calculateAverageAUCPR(self) -> float:
        return float(np.mean([r.calculateAUCPR() for r in self.underlying]))

    def getCountActualPositive(self, classIdx: int) -> int:
        return self.underlying[classIdx].getCountActualPositive()

    def getCountActualNegative(self, classIdx: int) -> int:
        return self.underlying[classIdx].getCountActualNegative()

    def stats(self) -> str:
        """Mirrors ROCMultiClass#stats (the same table, including DL4J's missing line break before the average)."""
        rows = [f"{'Label':<20}{'AUC':<12}{'# Pos':<10}{'# Neg':<10}"]
        for i, r in enumerate(self.underlying or ()):
            name = self.labels[i] if self.labels and i < len(self.labels) else str(i)
            rows.append(f"{name:<20}{r.calculateAUC():<12.4f}{r.getCountActualPositive():<10d}"
                        f"{r.getCountActualNegative():<10d}")
        return "\n".join(rows) + f"Average AUC: {self.calculateAverageAUC():<12.4f}"

    @classmethod
    def fromJson(cls, text) -> "ROCMultiClass":
        """Mirrors ROCMultiClass.fromJson (per-class AUC, AUPRC and counts)."""
        obj = json.loads(text) if isinstance(text, str) else text
        r = cls(0, obj.get("rocRemoveRedundantPts", True))
        r.underlying = [ROC._from_obj(u) for u in obj.get("underlying") or ()]
        r.labels = obj.get("labels")
        return r


ROC.Metric = ROCMultiClass.Metric = enum.Enum("Metric", [("AUROC", "AUROC"), ("AUPRC", "AUPRC")])
ROC.Metric.__doc__ = "Mirrors org.nd4j.evaluation.classification.ROC.Metric (ROCMultiClass.Metric has the same names)."


def _roc_score(self, metric, idx=None):
    """Mirrors ROC#scoreForMetric(ROC.Metric) / ROCMultiClass#scoreForMetric(Metric, int classIdx)."""
    name = getattr(metric, "name", metric)
    fn = {"AUROC": self.calculateAUC, "AUPRC": self.calculateAUCPR}[name]
    return fn() if idx is None else fn(idx)


ROC.scoreForMetric = _roc_score
ROCMultiClass.scoreForMetric = _roc_score
