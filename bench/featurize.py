"""Workload: TransferLearningHelper featurize on VGG16 and ResNet50 (zoo, 224x224, random weights), torch vs real DL4J.

The guide's workflow IV: freeze VGG16 up to fc2 (vertex "19" in the zoo's from-scratch naming),
featurize a batch of 8 images, then fitFeaturized steps of the 4096 -> 5 head (the guide's fine-tune
configuration, ``new Nesterovs(5e-5)``: momentum 5e-5, learning rate 0.1) at batch 16. The same featurize through DL4J's zoo ResNet50, frozen up to "avgpool" (its
last vertex before "output": a 3x3/2 max pooling, 2048 features at 224x224). Python writes each zip
and the arrays; DL4J restores the same zip and runs the same calls (its own TransferLearningHelper).
Each model runs in its own pair of child processes, so every peak RSS is that model's own. The
featurized outputs of the two engines are compared, and so are the head's params after the
fitFeaturized steps.

ResNet50 is built with ``weightInit=RELU`` (He normal): the zoo's own TruncatedNormal(0, 0.5) makes the
activations overflow float32 to inf/NaN within the 50 layers at random weights, in both engines.
"""

from __future__ import annotations

import json
import sys
import time

from bench import common

# name -> (boundary vertex, label of the boundary, head layer, reps cap for featurize, whether to time fitFeaturized)
MODELS = {
    "vgg16": ("19", "fc2", "20", 6, True),
    "resnet50": ("avgpool", "avgpool", "output", 11, False),
}
BATCH, FIT_BATCH, CLASSES = 8, 16, 5
# one fitFeaturized step takes ~1 ms (ours) / ~10 ms (DL4J): each timed repetition runs this many steps and
# records their mean, so that timer and scheduler noise does not dominate the median
FIT_STEPS_PER_REP = 20


def guide_vgg16():
    """The zoo's VGG16 (5 classes, random weights) with the guide's FineTuneConfiguration, ``new Nesterovs(5e-5)``.

    DL4J's one-argument constructor is ``Nesterovs(double momentum)``: the guide's head trains with learning
    rate 0.1 and momentum 5e-5, and so does this one (the zoo's own default: momentum 0.9). The timings do
    not depend on it until the head's softmax saturates on this repeated batch: with momentum 0.9 the
    velocities of the other classes' weights then decay into subnormal floats (after ~700 steps, beyond what
    is timed here), where the arithmetic of both engines gets several times slower."""
    from pydl4j_transfer import FineTuneConfiguration, Nesterovs, TransferLearning
    from pydl4j_transfer.zoo import VGG16

    tune = FineTuneConfiguration.Builder().updater(Nesterovs(5e-5)).seed(12345).build()
    return TransferLearning.GraphBuilder(VGG16(numClasses=CLASSES).init()).fineTuneConfiguration(tune).build()


def _model(name):
    from pydl4j_transfer import WeightInit
    from pydl4j_transfer.zoo import ResNet50

    if name == "vgg16":
        return guide_vgg16()
    return ResNet50(numClasses=CLASSES, weightInit=WeightInit.RELU).init()


def _head(net, layer):
    """The head layer's W ([nIn, nOut]) with b as one more row (the layout EpochBench.writeHead writes)."""
    import numpy as np

    w = np.asarray(net.getParam(f"{layer}_W"))
    return np.vstack([w, np.asarray(net.getParam(f"{layer}_b")).reshape(1, w.shape[1])])


def _child(argv) -> None:
    """Python side: ``child MODEL REPS_FEATURIZE REPS_FIT WORKDIR``."""
    import numpy as np
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    from pydl4j_transfer import DataSet, ModelSerializer, TransferLearningHelper

    name, reps_feat, reps_fit, work = argv[0], int(argv[1]), int(argv[2]), argv[3]
    boundary, _, head, _, _ = MODELS[name]
    net = _model(name)
    ModelSerializer.writeModel(net, f"{work}/{name}.zip", False)
    rng = np.random.default_rng(3)
    x = rng.random((BATCH, 3, 224, 224), dtype=np.float32)
    y = np.eye(CLASSES, dtype=np.float32)[np.arange(BATCH) % CLASSES]
    for stem, a in (("images", x), ("labels", y)):
        np.save(f"{work}/{name}_{stem}.npy", a)
    helper = TransferLearningHelper(net, boundary)
    feat_times, opt_times, fit_times = [], [], []
    t = time.perf_counter()
    out = helper.featurize(DataSet(x, y), optimize=True)  # builds the frozen graph for this input shape
    opt_build = time.perf_counter() - t
    np.save(f"{work}/{name}_ours_opt_feats.npy", np.asarray(out.getFeatures()))
    for i in range(reps_feat):  # the ordinary forward and optimize=True alternate, so that drift hits both
        for optimize, times in ((False, feat_times), (True, opt_times)):
            t = time.perf_counter()
            out = helper.featurize(DataSet(x, y), optimize=optimize)
            times.append(time.perf_counter() - t)
            if i == 0 and not optimize:
                feats = np.asarray(out.getFeatures())
                np.save(f"{work}/{name}_ours_feats.npy", feats)
    # FLOPs of the frozen forward, counted on the module under no_grad: featurize runs under inference_mode,
    # where the dispatcher hands torch's FlopCounterMode aten.conv2d, for which it has no formula (it counts 0)
    from bench.gpu import our_features

    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        our_features(net, boundary)(torch.from_numpy(x))
    if reps_fit:
        f = rng.random((FIT_BATCH, feats.shape[1]), dtype=np.float32)
        fy = np.eye(CLASSES, dtype=np.float32)[np.arange(FIT_BATCH) % CLASSES]
        np.save(f"{work}/{name}_feats.npy", f)
        np.save(f"{work}/{name}_flabels.npy", fy)
        ds = DataSet(f, fy)
        for _ in range(reps_fit):
            t = time.perf_counter()
            for _ in range(FIT_STEPS_PER_REP):
                helper.fitFeaturized(ds)
            fit_times.append((time.perf_counter() - t) / FIT_STEPS_PER_REP)
        np.save(f"{work}/{name}_ours_head.npy", _head(net, head))
    print(json.dumps({"featurize_s": feat_times, "featurize_opt_s": opt_times, "opt_build_s": opt_build,
                      "fit_featurized_s": fit_times, "forward_flops": counter.get_total_flops(),
                      "threads": torch.get_num_threads()}))


def _diff(a, b) -> dict:
    """Largest absolute difference, and relative to the largest magnitude (ResNet's features reach ~1e3)."""
    import numpy as np

    a, b = np.load(a), np.load(b)
    d = float(np.abs(a.reshape(-1) - b.reshape(-1)).max())
    return {"max_abs": d, "max_rel": d / max(float(np.abs(b).max()), 1e-30)}


def run(reps: int) -> dict:
    from bench.throughput import _gemm_peak

    work = common.CACHE / "featurize"
    work.mkdir(parents=True, exist_ok=True)
    res = {"workload": "featurize",
           "model": "VGG16 (zoo) frozen to fc2, head 4096->5 (the guide's new Nesterovs(5e-5): lr 0.1, momentum 5e-5); ResNet50 (zoo, He init) frozen to avgpool; "
                    "224x224, random weights",
           "machine": common.machine(), "rows": {}, "peak_rss": {}}
    peak = res["gemm_peak_gflops"] = _gemm_peak()
    for name, (boundary, label, head, cap, fit) in MODELS.items():
        r_feat, r_fit = max(3, min(reps + 1, cap)), (reps + 1 if fit else 0)
        print(f"  {name}: Python ...", flush=True)
        ours, ours_rss = common.python("bench.featurize", ["child", name, str(r_feat), str(r_fit), str(work)])
        print(f"  {name}: DL4J ...", flush=True)
        p = lambda stem: str(work / f"{name}_{stem}.npy")  # noqa: E731
        theirs, dl4j_rss = common.java(["org.pydl4j.transfer.bench.FeaturizeBench", str(work / f"{name}.zip"), boundary,
                                        p("images"), p("labels"), p("feats"), p("flabels"), p("dl4j_feats"),
                                        str(r_feat), str(r_fit), str(FIT_STEPS_PER_REP),
                                        *([head, p("dl4j_head")] if fit else [])])
        res["peak_rss"][name] = {"python": ours_rss, "dl4j": dl4j_rss}
        rows = [("featurize_s", f"{name} featurize to {label} (bs{BATCH})", BATCH, _diff(p("ours_feats"), p("dl4j_feats")),
                 "features", ours["forward_flops"]),
                ("featurize_opt_s", f"{name} featurize to {label}, optimize=True (bs{BATCH}; graph built once in "
                 f"{ours['opt_build_s']:.1f} s)", BATCH, _diff(p("ours_opt_feats"), p("dl4j_feats")), "features",
                 ours["forward_flops"])]
        if fit:
            rows.append(("fit_featurized_s", f"{name} head fitFeaturized step (bs{FIT_BATCH})", FIT_BATCH,
                         _diff(p("ours_head"), p("dl4j_head")), f"head params after {r_fit * FIT_STEPS_PER_REP} steps", None))
        for key, row_label, batch, diff, what, flops in rows:
            # DL4J has one featurize: both of our rows are set against it
            ps, ds = common.summarize(ours[key]), common.summarize(theirs[key.replace("_opt", "")])
            row = {"python": ps, "dl4j": ds, "speedup": ds["median_s"] / ps["median_s"], "batch": batch,
                   "python_examples_s": batch / ps["median_s"], "dl4j_examples_s": batch / ds["median_s"],
                   "diff": diff, "diff_of": what, "threads": ours["threads"]}
            if flops:
                row["forward_flops"] = flops
                row["python_peak_fraction"] = flops / ps["median_s"] / 1e9 / peak
                row["dl4j_peak_fraction"] = flops / ds["median_s"] / 1e9 / peak
            res["rows"][row_label] = row
    # kept for readers of the older result files: the VGG16 fc2 features' difference
    res["max_abs_feature_diff"] = res["rows"][f"vgg16 featurize to fc2 (bs{BATCH})"]["diff"]["max_abs"]
    return res


def table(res: dict) -> str:
    lines = ["| operation | pydl4j-transfer (median s) | DL4J 1.0.0-M2.1 (median s) | speed-up | examples/s (ours / DL4J) | "
             "share of GEMM peak (ours / DL4J) | max abs diff (relative) |", "|---|---|---|---|---|---|---|"]
    for name, row in res["rows"].items():
        p, d, diff = row["python"], row["dl4j"], row["diff"]
        share = (f"{100 * row['python_peak_fraction']:.0f}% / {100 * row['dl4j_peak_fraction']:.0f}%"
                 if "python_peak_fraction" in row else "-")
        lines.append(f"| {name} | {p['median_s']:.4f} ({p['min_s']:.4f}-{p['max_s']:.4f}) | {d['median_s']:.4f} "
                     f"({d['min_s']:.4f}-{d['max_s']:.4f}) | {row['speedup']:.1f}x | "
                     f"{row['python_examples_s']:.1f} / {row['dl4j_examples_s']:.1f} | {share} | "
                     f"{diff['max_abs']:.1e} ({diff['max_rel']:.1e}) of the {row['diff_of']} |")
    rss = "; ".join(f"{name} {v['python'] / 2**30:.2f} / {v['dl4j'] / 2**30:.2f}" for name, v in res["peak_rss"].items())
    lines += ["", f"Peak resident memory, ours / DL4J's process (GiB, interpreter / JVM included): {rss}. "
              f"Machine fp32 GEMM peak (torch, 2048^3, best of 8): {res['gemm_peak_gflops']:.0f} GFLOP/s; featurize "
              "FLOPs counted by torch's FlopCounterMode. Timings: median (min-max) after one warm-up; JVM start and "
              "ND4J init excluded."]
    return "\n".join(lines)


if __name__ == "__main__":
    if sys.argv[1] == "child":
        _child(sys.argv[2:])
