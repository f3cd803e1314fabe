"""The data side of the Java Deep Learning Cookbook's customer-churn programs (chapter 3's
CustomerRetentionPredictionExample, chapter 11's DataSetIteratorHelper), ported to what pydl4j_transfer has.

Not a DL4J class. The cookbook reads Kaggle's ``Churn_Modelling.csv`` with DataVec (CSVRecordReader, a Schema and a
TransformProcess, TransformProcessRecordReader, RecordReaderDataSetIterator.Builder(...).classification(11, 2),
DataSetIteratorSplitter(iterator, 1250, 0.8)); pydl4j_transfer mirrors no DataVec transforms, so this module does
the same steps in plain Python (docs/porting.md lists them):

* drop RowNumber, CustomerId, Surname; Gender categorical -> integer (Male 0, Female 1); Geography -> one-hot
  (France, Germany, Spain), then drop Geography[France]: 11 features, in the TransformProcess's column order;
* Exited (column 11 after the transform) is the label, one-hot over 2 classes; minibatches of 8;
* the first 1250 minibatches are split 80/20 into train and test iterators (DataSetIteratorSplitter).

``--data CSV`` reads the real file; the default writes a synthetic CSV with the same 14 columns (a seeded,
learnable churn rule) into ``--out``, so the scripts run offline in CI.
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import numpy as np

LABEL_INDEX = 11
BATCH_SIZE = 8
NUM_CLASSES = 2
FEATURIZE_EXTRACTION_LAYER = 1
SEED = 12345
COLUMNS = ["RowNumber", "CustomerId", "Surname", "CreditScore", "Geography", "Gender", "Age", "Tenure", "Balance",
           "NumOfProducts", "HasCrCard", "IsActiveMember", "EstimatedSalary", "Exited"]


def parser(description: str, epochs: int) -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--out", default="churn_output", help="output folder (default: ./churn_output/)")
    ap.add_argument("--data", default=None, help="Kaggle's Churn_Modelling.csv (default: a synthetic one in --out)")
    ap.add_argument("--rows", type=int, default=800, help="rows of the synthetic CSV (default: 800)")
    ap.add_argument("--epochs", type=int, default=epochs, help=f"training epochs (default: {epochs}; the book: 100)")
    return ap


def setup(args) -> Path:
    import torch

    torch.set_num_threads(min(2, torch.get_num_threads()))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    return out


def synthetic_csv(path: Path, rows: int, seed: int = SEED) -> Path:
    """A CSV with Churn_Modelling.csv's header and value ranges; churn follows age, balance, activity, geography."""
    rng = np.random.default_rng(seed)
    geo = rng.choice(["France", "Germany", "Spain"], rows, p=[0.5, 0.25, 0.25])
    gender = rng.choice(["Male", "Female"], rows)
    age = rng.integers(18, 80, rows)
    balance = np.where(rng.random(rows) < 0.35, 0.0, rng.normal(110000, 30000, rows).clip(1000, 250000))
    active = rng.integers(0, 2, rows)
    products = rng.choice([1, 2, 3, 4], rows, p=[0.5, 0.4, 0.07, 0.03])
    logit = (0.09 * (age - 45) + 0.9 * (geo == "Germany") - 1.2 * active + 0.7 * (products >= 3)
             + 0.5 * (gender == "Female") + 0.000004 * (balance - 75000) - 0.5)
    exited = (rng.random(rows) < 1.0 / (1.0 + np.exp(-logit))).astype(int)
    with open(path, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(COLUMNS)
        for i in range(rows):
            w.writerow([i + 1, 15600000 + i, f"Surname{i}", int(rng.integers(350, 851)), geo[i], gender[i], age[i],
                        int(rng.integers(0, 11)), f"{balance[i]:.2f}", products[i], int(rng.integers(0, 2)), active[i],
                        f"{rng.uniform(10000, 200000):.2f}", exited[i]])
    return path


def churn_csv(args, out: Path) -> Path:
    return Path(args.data) if args.data else synthetic_csv(out / "Churn_Modelling.csv", args.rows)


def read_transformed(path: Path):
    """CSVRecordReader(1, ',') + the cookbook's TransformProcess: (features [n, 11], labels one-hot [n, 2])."""
    rows = []
    with open(path, newline="") as f:
        reader = csv.reader(f)
        next(reader)  # skipNumLines = 1
        for r in reader:
            rec = dict(zip(COLUMNS, r))
            geo = rec["Geography"]
            rows.append([float(rec["CreditScore"]), float(geo == "Germany"), float(geo == "Spain"),
                         float(["Male", "Female"].index(rec["Gender"])), float(rec["Age"]), float(rec["Tenure"]),
                         float(rec["Balance"]), float(rec["NumOfProducts"]), float(rec["HasCrCard"]),
                         float(rec["IsActiveMember"]), float(rec["EstimatedSalary"]), float(rec["Exited"])])
    table = np.asarray(rows, np.float32)
    features = np.delete(table, LABEL_INDEX, axis=1)
    labels = np.eye(NUM_CLASSES, dtype=np.float32)[table[:, LABEL_INDEX].astype(int)]
    return features, labels


def data_set_iterator_splitter(path: Path, total_batches: int = 1250, ratio: float = 0.8):
    """RecordReaderDataSetIterator (batch 8, classification(11, 2)) + NormalizerStandardize fitted on it and set as
    its pre-processor + DataSetIteratorSplitter(iterator, 1250, 0.8): (train iterator, test iterator, normalizer)."""
    from pydl4j_transfer import DataSet, ListDataSetIterator, NormalizerStandardize

    features, labels = read_transformed(path)
    dataNormalization = NormalizerStandardize()
    dataNormalization.fit(features)  # the Java: dataNormalization.fit(dataSetIterator), over the same rows
    features = dataNormalization.transform(features)
    batches = [DataSet(features[i:i + BATCH_SIZE], labels[i:i + BATCH_SIZE])
               for i in range(0, len(features), BATCH_SIZE)][:total_batches]
    n_train = int(round(len(batches) * ratio))
    train = [e for b in batches[:n_train] for e in b.asList()]
    test = [e for b in batches[n_train:] for e in b.asList()]
    return ListDataSetIterator(train, BATCH_SIZE), ListDataSetIterator(test, BATCH_SIZE), dataNormalization


def featurized_folder(out: Path, train: bool) -> Path:
    return out / ("trainFolder" if train else "testFolder")


def featurized_iterator(out: Path, train: bool):
    """ExistingMiniBatchDataSetIterator(folder, "churn-1-train-%d.bin") (wrapped in AsyncDataSetIterator in the Java):
    the saved minibatches 0, 1, 2... in order."""
    from pydl4j_transfer import DataSet, ExistingDataSetIterator

    pattern = f"churn-{FEATURIZE_EXTRACTION_LAYER}-{'train' if train else 'test'}-%d.bin"
    folder, sets, i = featurized_folder(out, train), [], 0
    while (folder / (pattern % i)).is_file():
        sets.append(DataSet.load(folder / (pattern % i)))
        i += 1
    return ExistingDataSetIterator(sets)
