"""Workload: TransferLearningHelper on VGG16 (zoo, 224x224, random weights), torch vs real DL4J.

The guide's workflow IV: freeze VGG16 up to fc2 (vertex "19" in the zoo's from-scratch naming),
featurize a batch of 8 images, then fitFeaturized steps of the 4096 -> 5 head (Nesterovs, the zoo
default) at batch 16. Python writes the zip and the arrays; DL4J restores the same zip and runs the
same calls (its own TransferLearningHelper). The featurized outputs of the two engines are compared.
"""

from __future__ import annotations

import json
import sys
import time

from bench import common

BOUNDARY = "19"  # fc2


def _child(argv) -> None:
    """Python side: ``child REPS_FEATURIZE REPS_FIT WORKDIR``."""
    import numpy as np

    from pydl4j_transfer import DataSet, ModelSerializer, TransferLearningHelper
    from pydl4j_transfer.zoo import VGG16

    reps_feat, reps_fit, work = int(argv[0]), int(argv[1]), argv[2]
    net = VGG16(numClasses=5).init()
    ModelSerializer.writeModel(net, f"{work}/vgg16_5.zip", False)
    rng = np.random.default_rng(3)
    x = rng.random((8, 3, 224, 224), dtype=np.float32)
    y = np.eye(5, dtype=np.float32)[np.arange(8) % 5]
    f = rng.random((16, 4096), dtype=np.float32)
    fy = np.eye(5, dtype=np.float32)[np.arange(16) % 5]
    for name, a in (("images", x), ("labels", y), ("feats", f), ("flabels", fy)):
        np.save(f"{work}/{name}.npy", a)
    helper = TransferLearningHelper(net, BOUNDARY)
    feat_times, fit_times = [], []
    for i in range(reps_feat):
        t = time.perf_counter()
        out = helper.featurize(DataSet(x, y))
        feat_times.append(time.perf_counter() - t)
        if i == 0:
            np.save(f"{work}/ours_feats.npy", np.asarray(out.getFeatures()))
    ds = DataSet(f, fy)
    for _ in range(reps_fit):
        t = time.perf_counter()
        helper.fitFeaturized(ds)
        fit_times.append(time.perf_counter() - t)
    print(json.dumps({"featurize_s": feat_times, "fit_featurized_s": fit_times}))


def run(reps: int) -> dict:
    import numpy as np

    work = common.CACHE / "featurize"
    work.mkdir(parents=True, exist_ok=True)
    r_feat, r_fit = max(3, min(reps + 1, 6)), reps + 1
    print("  Python ...", flush=True)
    ours, ours_rss = common.python("bench.featurize", ["child", str(r_feat), str(r_fit), str(work)])
    print("  DL4J ...", flush=True)
    theirs, dl4j_rss = common.java(["org.pydl4j.transfer.bench.FeaturizeBench", str(work / "vgg16_5.zip"), BOUNDARY,
                                    *[str(work / f"{n}.npy") for n in ("images", "labels", "feats", "flabels")],
                                    str(work / "dl4j_feats.npy"), str(r_feat), str(r_fit)])
    diff = float(np.abs(np.load(work / "ours_feats.npy") - np.load(work / "dl4j_feats.npy")).max())
    res = {"workload": "featurize", "model": "VGG16 (zoo, 224x224, random weights) frozen to fc2; head 4096->5, Nesterovs",
           "machine": common.machine(), "max_abs_feature_diff": diff, "rows": {}}
    for key, label, batch in (("featurize_s", "featurize to fc2 (bs8)", 8), ("fit_featurized_s", "fitFeaturized step (bs16)", 16)):
        p, d = common.summarize(ours[key]), common.summarize(theirs[key])
        res["rows"][label] = {"python": p, "dl4j": d, "speedup": d["median_s"] / p["median_s"],
                              "python_examples_s": batch / p["median_s"], "dl4j_examples_s": batch / d["median_s"]}
    res["peak_rss"] = {"python": ours_rss, "dl4j": dl4j_rss}
    return res


def table(res: dict) -> str:
    lines = ["| operation | pydl4j-transfer (median s) | DL4J 1.0.0-M2.1 (median s) | speed-up | examples/s (ours / DL4J) |",
             "|---|---|---|---|---|"]
    for name, row in res["rows"].items():
        p, d = row["python"], row["dl4j"]
        lines.append(f"| {name} | {p['median_s']:.4f} ({p['min_s']:.4f}-{p['max_s']:.4f}) | {d['median_s']:.4f} "
                     f"({d['min_s']:.4f}-{d['max_s']:.4f}) | {row['speedup']:.1f}x | "
                     f"{row['python_examples_s']:.1f} / {row['dl4j_examples_s']:.1f} |")
    lines += ["", f"Largest difference between the two engines' fc2 features: {res['max_abs_feature_diff']:.1e}. "
              "Timings: median (min-max) after one warm-up; JVM start and ND4J init excluded."]
    return "\n".join(lines)


if __name__ == "__main__":
    if sys.argv[1] == "child":
        _child(sys.argv[2:])
