"""Classification evaluation, as DL4J's ``Evaluation`` computes, prints and serialises it.

Mirrors ``org.nd4j.evaluation.classification.Evaluation`` (1.0.0-M2.1): counts per class
(TP / FP / TN / FN), a confusion matrix, macro-averaged precision / recall / F1 (classes whose
value is 0/0 excluded, as DL4J does), ``stats()`` text laid out exactly as DL4J's, and the
Jackson JSON of ``toJson`` / ``fromJson`` (also the 1.0.0-beta ``org.deeplearning4j.eval``
class names).

JSON: counters are ``{"map": {"<class>": count}, "totalCount", "dirty", "empty"}`` (classes
with a count of 0 left out); the confusion matrix is ``{"classes": [..], "matrix": {"<actual>":
[[predicted..], [count..]]}}`` (DL4J pads those two lists with zeros; both forms are read).
"""

from __future__ import annotations

import enum
import json
import math

import numpy as np
from pydl4j_transfer.java_names import JavaNames

__all__ = ["Evaluation", "EvaluationAveraging", "to_2d"]

CONFUSION_PRINT_MAX_CLASSES = 20
CLASS_NAMES = ("org.nd4j.evaluation.classification.Evaluation", "org.deeplearning4j.eval.Evaluation")


def _mcc(tp, fp, fn, tn) -> float:
    den = math.sqrt((tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))
    return (tp * tn - fp * fn) / den if den else math.nan


class EvaluationAveraging:
    """Mirrors org.nd4j.evaluation.EvaluationAveraging."""

    Macro = "Macro"
    Micro = "Micro"


def _np(x):
    if x is None:
        return None
    if hasattr(x, "detach"):
        x = x.detach().cpu().numpy()
    return np.asarray(x)


def to_2d(labels, predictions, mask=None, axis: int = 1):
    """DL4J's BaseEvaluation.reshapeAndExtractNotMasked: rank 3/4 -> [N*T.., C]; masked-out rows dropped."""
    labels, predictions, mask = _np(labels), _np(predictions), _np(mask)
    if labels.ndim == 1:
        labels, predictions = labels[:, None], predictions.reshape(-1, 1)
    if labels.ndim > 2:
        labels = np.moveaxis(labels, axis, -1).reshape(-1, labels.shape[axis])
        predictions = np.moveaxis(predictions, axis, -1).reshape(-1, predictions.shape[axis])
        if mask is not None:
            if mask.size == labels.shape[0]:
                mask = mask.reshape(-1)
            else:  # per-output mask, same shape as labels
                mask = np.moveaxis(mask, axis, -1).reshape(-1, labels.shape[1]).max(axis=1)
    if mask is not None:
        keep = mask.reshape(-1) != 0 if mask.size == labels.shape[0] else mask.reshape(labels.shape).max(1) != 0
        labels, predictions = labels[keep], predictions[keep]
    return labels, predictions


def _fbeta_pr(beta, precision, recall):
    if precision == 0.0 or recall == 0.0:
        return 0.0
    b2 = beta * beta
    return (1 + b2) * precision * recall / (b2 * precision + recall)


def _fbeta_counts(beta, tp, fp, fn):
    prec = tp / (tp + fp) if tp + fp else math.nan
    rec = tp / (tp + fn) if tp + fn else math.nan
    return _fbeta_pr(beta, prec, rec)


def _fmt4(x) -> str:
    """Java DecimalFormat("0.0000") (NaN / Infinity as Java's String.valueOf)."""
    if math.isnan(x):
        return "NaN"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    s = f"{x:.4f}"
    return "0.0000" if s == "-0.0000" else s


class Evaluation(JavaNames):
    """Mirrors org.nd4j.evaluation.classification.Evaluation (multi-class; argmax of labels and predictions).

    ``Evaluation(numClasses)``, ``Evaluation(labels=[names])`` or ``Evaluation()`` (classes from the first batch).
    Differs: single-output binary (one column, decision threshold), top-N, cost arrays and record
    metadata are not modelled.
    """

    def __init__(self, numClasses=None, labels=None, binaryPositiveClass=None):
        if isinstance(numClasses, (list, tuple)):
            numClasses, labels = None, numClasses
        self.labelsList = None if labels is None else [str(x) for x in labels]
        n = len(self.labelsList) if self.labelsList is not None else numClasses
        self.binaryPositiveClass = binaryPositiveClass if binaryPositiveClass is not None else (1 if n == 2 else None)
        self.numRowCounter = 0
        self.confusion = None if n is None else np.zeros((n, n), dtype=np.int64)
        self.axis = 1
        self.topN = 1
        self.maxWarningClassesToPrint = 16
        if n is not None and self.labelsList is None:
            self.labelsList = [str(i) for i in range(n)]

    # --- accumulating ----------------------------------------------------------------------------
    def eval(self, labels, predictions, mask=None):
        """Mirrors Evaluation#eval(INDArray labels, INDArray predictions[, INDArray mask])."""
        labels, predictions = to_2d(labels, predictions, mask, self.axis)
        if labels.shape[0] == 0:
            return
        n = labels.shape[1]
        if n == 1:
            raise NotImplementedError("single-column (binary threshold) evaluation is not modelled; "
                                      "use two columns [p(0), p(1)]")
        if self.confusion is None:
            self.confusion = np.zeros((n, n), dtype=np.int64)
            if self.labelsList is None:
                self.labelsList = [str(i) for i in range(n)]
            if n == 2 and self.binaryPositiveClass is None:
                self.binaryPositiveClass = 1
        elif self.confusion.shape[0] != n:
            raise ValueError(f"labels have {n} classes but this Evaluation has {self.confusion.shape[0]}")
        actual = labels.argmax(axis=1)
        predicted = predictions.argmax(axis=1)
        np.add.at(self.confusion, (actual, predicted), 1)
        self.numRowCounter += int(labels.shape[0])

    def merge(self, other: "Evaluation") -> None:
        """Mirrors Evaluation#merge."""
        if other is None or other.confusion is None:
            return
        if self.confusion is None:
            self.confusion = other.confusion.copy()
            self.labelsList = other.labelsList
        else:
            self.confusion = self.confusion + other.confusion
        self.numRowCounter += other.numRowCounter

    def reset(self) -> None:
        if self.confusion is not None:
            self.confusion[:] = 0
        self.numRowCounter = 0

    # --- counts -----------------------------------------------------------------------------------
    def _tp(self):
        return np.diag(self.confusion)

    def _fp(self):
        return self.confusion.sum(axis=0) - self._tp()

    def _fn(self):
        return self.confusion.sum(axis=1) - self._tp()

    def _tn(self):
        return self.numRowCounter - self._tp() - self._fp() - self._fn()

    def numClasses(self) -> int:
        return 0 if self.confusion is None else int(self.confusion.shape[0])

    def getNumRowCounter(self) -> int:
        return self.numRowCounter

    def truePositives(self) -> dict:
        return {i: int(v) for i, v in enumerate(self._tp())}

    def falsePositives(self) -> dict:
        return {i: int(v) for i, v in enumerate(self._fp())}

    def trueNegatives(self) -> dict:
        return {i: int(v) for i, v in enumerate(self._tn())}

    def falseNegatives(self) -> dict:
        return {i: int(v) for i, v in enumerate(self._fn())}

    def getConfusionMatrix(self):
        """The confusion matrix as a numpy array [actual, predicted] (DL4J returns a ConfusionMatrix object)."""
        return None if self.confusion is None else self.confusion.copy()

    def classCount(self, clazz: int) -> int:
        return int(self.confusion[clazz].sum())

    # --- metrics ----------------------------------------------------------------------------------
    def accuracy(self) -> float:
        """Mirrors Evaluation#accuracy."""
        if self.numRowCounter == 0:
            return 0.0
        return int(self._tp().sum()) / float(self.numRowCounter)

    def _prec(self, i, edge):
        tp, fp = int(self._tp()[i]), int(self._fp()[i])
        return edge if tp == 0 and fp == 0 else tp / float(tp + fp)

    def _rec(self, i, edge):
        tp, fn = int(self._tp()[i]), int(self._fn()[i])
        return edge if tp == 0 and fn == 0 else tp / float(tp + fn)

    def _fbeta_class(self, beta, i, edge):
        p, r = self._prec(i, -1), self._rec(i, -1)
        if p == -1 or r == -1:
            return edge
        return _fbeta_pr(beta, p, r)

    def _macro(self, fn):
        total, count = 0.0, 0
        for i in range(self.numClasses()):
            v = fn(i)
            if v != -1:
                total += v
                count += 1
        return total / count if count else math.nan

    def precision(self, classLabel=None, averaging=None) -> float:
        """Mirrors Evaluation#precision() / (int) / (EvaluationAveraging): per class, else macro (or the positive class when binary)."""
        if classLabel is not None:
            return self._prec(int(classLabel), 0.0)
        if averaging is None and self.binaryPositiveClass is not None and self.numClasses() == 2:
            return self._prec(self.binaryPositiveClass, 0.0)
        if self.numRowCounter == 0:
            return 0.0
        if averaging == EvaluationAveraging.Micro:
            tp, fp = int(self._tp().sum()), int(self._fp().sum())
            return 0.0 if tp + fp == 0 else tp / float(tp + fp)
        return self._macro(lambda i: self._prec(i, -1))

    def recall(self, classLabel=None, averaging=None) -> float:
        """Mirrors Evaluation#recall() / (int) / (EvaluationAveraging)."""
        if classLabel is not None:
            return self._rec(int(classLabel), 0.0)
        if averaging is None and self.binaryPositiveClass is not None and self.numClasses() == 2:
            return self._rec(self.binaryPositiveClass, 0.0)
        if self.numRowCounter == 0:
            return 0.0
        if averaging == EvaluationAveraging.Micro:
            tp, fn = int(self._tp().sum()), int(self._fn().sum())
            return 0.0 if tp + fn == 0 else tp / float(tp + fn)
        return self._macro(lambda i: self._rec(i, -1))

    def fBeta(self, beta: float, classLabel=None, averaging=None) -> float:
        """Mirrors Evaluation#fBeta(beta, int) / (beta, EvaluationAveraging)."""
        if classLabel is not None:
            return self._fbeta_class(beta, int(classLabel), 0.0)
        if self.numRowCounter == 0:
            return math.nan
        if self.numClasses() == 2:  # DL4J: binary -> class 1's counts whatever the averaging
            return _fbeta_counts(beta, int(self._tp()[1]), int(self._fp()[1]), int(self._fn()[1]))
        if averaging == EvaluationAveraging.Micro:
            return _fbeta_counts(beta, int(self._tp().sum()), int(self._fp().sum()), int(self._fn().sum()))
        return self._macro(lambda i: self._fbeta_class(beta, i, -1))

    def f1(self, classLabel=None, averaging=None) -> float:
        """Mirrors Evaluation#f1() / (int) / (EvaluationAveraging)."""
        if classLabel is not None:
            return self.fBeta(1.0, classLabel=classLabel)
        if averaging is None and self.binaryPositiveClass is not None and self.numClasses() == 2:
            return self.fBeta(1.0, classLabel=self.binaryPositiveClass)
        return self.fBeta(1.0, averaging=averaging or EvaluationAveraging.Macro)

    def falsePositiveRate(self, classLabel: int) -> float:
        fp, tn = int(self._fp()[classLabel]), int(self._tn()[classLabel])
        return 0.0 if fp + tn == 0 else fp / float(fp + tn)

    def falseNegativeRate(self, classLabel: int) -> float:
        fn, tp = int(self._fn()[classLabel]), int(self._tp()[classLabel])
        return 0.0 if fn + tp == 0 else fn / float(fn + tp)

    def matthewsCorrelation(self, classIdx) -> float:
        """Mirrors Evaluation#matthewsCorrelation(int) / (EvaluationAveraging): per class; Macro averages the classes'
        values, Micro takes the summed counts."""
        if classIdx in (EvaluationAveraging.Macro, EvaluationAveraging.Micro):
            if classIdx == EvaluationAveraging.Macro:
                return sum(self.matthewsCorrelation(i) for i in range(self.numClasses())) / self.numClasses()
            return _mcc(*(float(a.sum()) for a in (self._tp(), self._fp(), self._fn(), self._tn())))
        return _mcc(*(float(a[classIdx]) for a in (self._tp(), self._fp(), self._fn(), self._tn())))

    def gMeasure(self, output) -> float:
        """Mirrors Evaluation#gMeasure(int) / (EvaluationAveraging): sqrt(precision * recall) per class; Macro averages
        the classes' values, Micro takes the summed counts."""
        if output == EvaluationAveraging.Macro:
            return sum(self.gMeasure(i) for i in range(self.numClasses())) / self.numClasses()
        if output == EvaluationAveraging.Micro:
            tp, fp, fn = int(self._tp().sum()), int(self._fp().sum()), int(self._fn().sum())
            precision = 0.0 if tp + fp == 0 else tp / float(tp + fp)
            recall = 0.0 if tp + fn == 0 else tp / float(tp + fn)
            return math.sqrt(precision * recall)
        return math.sqrt(self.precision(classLabel=output) * self.recall(classLabel=output))

    def scoreForMetric(self, metric) -> float:
        """Mirrors Evaluation#scoreForMetric(Evaluation.Metric)."""
        metric = Evaluation.Metric[getattr(metric, "name", metric)]
        if metric is Evaluation.Metric.GMEASURE:
            return self.gMeasure(EvaluationAveraging.Macro)
        if metric is Evaluation.Metric.MCC:
            return self.matthewsCorrelation(EvaluationAveraging.Macro)
        return getattr(self, {"ACCURACY": "accuracy", "F1": "f1", "PRECISION": "precision", "RECALL": "recall"}[
            metric.name])()

    def _excluded(self, fn) -> int:
        return sum(1 for i in range(self.numClasses()) if fn(i) == -1)

    # --- text -------------------------------------------------------------------------------------
    def _label(self, i) -> str:
        return self.labelsList[i] if self.labelsList is not None and len(self.labelsList) > i else str(i)

    def confusionMatrix(self) -> str:
        """Mirrors Evaluation#confusionMatrix(): the text block of stats()."""
        if self.confusion is None:
            return "Confusion matrix: <no data>"
        n = self.numClasses()
        max_count = max(1, int(self.confusion.max()) if self.confusion.size else 1, n)
        digits = max(1, int(math.ceil(math.log10(max_count))))
        w = digits + 1
        lines = ["".join(f"{i:{w}d}" for i in range(n)), "-" * (w * n + 1)]
        for a in range(n):
            lines.append("".join(f"{int(c):{w}d}" for c in self.confusion[a]) + f" | {a} = {self._label(a)}")
        return "\n".join(lines) + "\n\nConfusion matrix format: Actual (rowClass) predicted as (columnClass) N times"

    def stats(self, suppressWarnings: bool = False, includeConfusion=None) -> str:
        """Mirrors Evaluation#stats() / (boolean) / (boolean, boolean): the same text, character for character."""
        n = self.numClasses()
        log_size_warning = False
        if includeConfusion is None:
            includeConfusion = n <= CONFUSION_PRINT_MAX_CLASSES
            log_size_warning = n > CONFUSION_PRINT_MAX_CLASSES
        warnings = []
        if self.confusion is not None and not suppressWarnings:
            tp, fp, fn = self._tp(), self._fp(), self._fn()
            no_prec = [i for i in range(n) if tp[i] == 0 and fp[i] == 0]
            no_rec = [i for i in range(n) if tp[i] == 0 and fn[i] == 0]
            for lst, metric in ((no_prec, "precision"), (no_rec, "recall")):
                if lst:
                    was = "was" if len(lst) == 1 else "were"
                    warnings.append(f"Warning: {len(lst)} class{'' if len(lst) == 1 else 'es'} {was} never predicted "
                                    f"by the model and {was} excluded from average {metric}\n"
                                    f"Classes excluded from average {metric}: [{', '.join(map(str, lst))}]\n")
        out = ["\n", "\n========================Evaluation Metrics========================",
               f"\n # of classes:    {n}", f"\n Accuracy:        {_fmt4(self.accuracy())}"]

        def excluded(ex):
            return f"\t({ex} class{'es' if ex > 1 else ''} excluded from average)" if n > 2 and ex > 0 else ""

        has = self.confusion is not None
        out.append(f"\n Precision:       {_fmt4(self.precision())}")
        out.append(excluded(self._excluded(lambda i: self._prec(i, -1)) if has else 0))
        out.append(f"\n Recall:          {_fmt4(self.recall())}")
        out.append(excluded(self._excluded(lambda i: self._rec(i, -1)) if has else 0))
        out.append(f"\n F1 Score:        {_fmt4(self.f1() if has else math.nan)}")
        out.append(excluded(self._excluded(lambda i: self._fbeta_class(1.0, i, -1)) if has else 0))
        if n > 2 or self.binaryPositiveClass is None:
            out.append(f"\nPrecision, recall & F1: macro-averaged (equally weighted avg. of {n} classes)")
        if n == 2 and self.binaryPositiveClass is not None:
            out.append(f"\nPrecision, recall & F1: reported for positive class (class {self.binaryPositiveClass}")
            if self.labelsList is not None:
                out.append(f' - "{self.labelsList[self.binaryPositiveClass]}"')
            out.append(") only")
        out.append("\n\n")
        out.extend(warnings)
        if includeConfusion:
            out.append("\n=========================Confusion Matrix=========================\n")
            out.append(self.confusionMatrix())
        elif log_size_warning:
            out.append(f"\n\nNote: Confusion matrix not generated due to space requirements for {n} classes.\n"
                       "Use stats(false,true) to generate anyway")
        out.append("\n==================================================================")
        return "".join(out)

    def __str__(self):
        return self.stats()

    # --- JSON -------------------------------------------------------------------------------------
    @staticmethod
    def _counter(values) -> dict:
        return {"map": {str(i): float(v) for i, v in enumerate(values) if v != 0},
                "totalCount": float(np.sum(values)), "dirty": False, "empty": not bool(np.any(values))}

    def toJson(self) -> str:
        """Mirrors Evaluation#toJson: Jackson's layout (2-space indent, ``" : "``) for DL4J 1.0.0-M2.1."""
        n = self.numClasses()
        conf = None
        if self.confusion is not None:
            matrix = {}
            for a in range(n):
                cols = [int(p) for p in range(n) if self.confusion[a, p]]
                if cols:
                    matrix[str(a)] = [cols, [int(self.confusion[a, p]) for p in cols]]
            conf = {"classes": list(range(n)), "matrix": matrix}
        zeros = np.zeros(n, dtype=np.int64)
        has = self.confusion is not None
        obj = {
            "@class": CLASS_NAMES[0], "axis": self.axis, "binaryPositiveClass": self.binaryPositiveClass,
            "topN": self.topN, "topNCorrectCount": 0, "topNTotalCount": 0,
            "truePositives": self._counter(self._tp() if has else zeros),
            "falsePositives": self._counter(self._fp() if has else zeros),
            "trueNegatives": self._counter(self._tn() if has else zeros),
            "falseNegatives": self._counter(self._fn() if has else zeros),
            "confusion": conf, "numRowCounter": self.numRowCounter, "labelsList": self.labelsList,
            "binaryDecisionThreshold": None, "costArray": None,
            "maxWarningClassesToPrint": self.maxWarningClassesToPrint,
        }
        return jackson_dumps(obj)

    @classmethod
    def fromJson(cls, text: str) -> "Evaluation":
        """Mirrors Evaluation.fromJson: DL4J 1.0.0-beta .. M2.1 JSON (``org.deeplearning4j.eval`` names too)."""
        obj = json.loads(text) if isinstance(text, str) else text
        if obj.get("@class") not in CLASS_NAMES:
            raise ValueError(f"not an Evaluation JSON: @class {obj.get('@class')!r}")
        conf = obj.get("confusion")
        ev = cls(labels=obj.get("labelsList")) if obj.get("labelsList") else cls()
        if conf is not None:
            n = len(conf["classes"])
            ev.confusion = np.zeros((n, n), dtype=np.int64)
            for actual, (cols, counts) in conf.get("matrix", {}).items():
                for p, c in zip(cols, counts):
                    if c:
                        ev.confusion[int(actual), int(p)] += int(c)
            if ev.labelsList is None:
                ev.labelsList = [str(i) for i in range(n)]
        ev.numRowCounter = int(obj.get("numRowCounter", 0))
        ev.binaryPositiveClass = obj.get("binaryPositiveClass")
        ev.axis = int(obj.get("axis", 1))
        ev.topN = int(obj.get("topN", 1))
        ev.maxWarningClassesToPrint = int(obj.get("maxWarningClassesToPrint", 16))
        return ev


def jackson_dumps(obj) -> str:
    """JSON as Jackson's default pretty printer writes it (DL4J's toJson): ``"k" : v``, arrays inline."""

    def enc(v, ind):
        pad = "  " * ind
        if isinstance(v, dict):
            if not v:
                return "{ }"
            items = [f'{pad}  {json.dumps(k)} : {enc(x, ind + 1)}' for k, x in v.items()]
            return "{\n" + ",\n".join(items) + "\n" + pad + "}"
        if isinstance(v, (list, tuple)):
            if not v:
                return "[ ]"
            if all(isinstance(x, dict) for x in v):
                return "[ " + ", ".join(enc(x, ind) for x in v) + " ]"
            return "[ " + ", ".join(enc(x, ind) for x in v) + " ]"
        if isinstance(v, float):
            if math.isnan(v):
                return '"NaN"'
            return repr(v)
        return json.dumps(v)

    return enc(obj, 0)


Evaluation.Metric = enum.Enum("Metric", [(m, m) for m in ("ACCURACY", "F1", "PRECISION", "RECALL", "GMEASURE", "MCC")])
Evaluation.Metric.__doc__ = "Mirrors org.nd4j.evaluation.classification.Evaluation.Metric."
