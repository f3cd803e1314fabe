"""Workload: output() and fit() throughput of whole networks, torch backend vs real DL4J, on CPU.

The networks of issue 4's benchmark: an MLP 784-1000-10 at batch 128, LeNet (zoo) at batch 64 and
VGG16 (zoo, 224x224, random weights) at batch 8. Python initialises each network once, writes it
as a DL4J zip with the input it uses; DL4J restores that zip (the same params) and runs the same
input, so every timing comes with the two engines' largest output difference. Both sides use the
machine's cores (torch's and ND4J's OpenMP default: all of them). The machine's own fp32 GEMM peak
is measured in the same run; each workload reports the fraction of it that it reaches (forward
FLOPs counted by torch's FlopCounterMode; a fit step counted as 3x the forward).
"""

from __future__ import annotations

import json
import sys
import time

from bench import common

# name -> (builder of the configuration, batch, reps for output, reps for fit)
WORKLOADS = {
    "mlp_784_1000_10": ("mlp", 128, 20, 20),
    "lenet": ("lenet", 64, 20, 20),
    "vgg16_224": ("vgg16", 8, 6, 4),
}


def _conf(kind):
    from pydl4j_transfer import (Activation, DenseLayer, LossFunctions, Nesterovs, NeuralNetConfiguration,
                                 OutputLayer)
    from pydl4j_transfer.zoo import VGG16, LeNet

    # (a configuration, or a zoo model whose init() picks MultiLayerNetwork / ComputationGraph)
    if kind == "mlp":
        return (NeuralNetConfiguration.Builder().seed(12345).updater(Nesterovs(0.01, 0.9)).list()
                .layer(DenseLayer.Builder().nIn(784).nOut(1000).activation(Activation.RELU).build())
                .layer(OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(1000).nOut(10)
                       .activation(Activation.SOFTMAX).build())
                .build()), (784,)
    if kind == "lenet":
        return LeNet(numClasses=10), (1, 28, 28)
    return VGG16(numClasses=1000), (3, 224, 224)


def _child(argv) -> None:
    """Python side: ``child KIND BATCH REPS_OUT REPS_FIT WORKDIR``."""
    import numpy as np
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    from pydl4j_transfer import ModelSerializer, MultiLayerNetwork

    kind, batch, reps_out, reps_fit, workdir = argv[0], int(argv[1]), int(argv[2]), int(argv[3]), argv[4]
    conf, shape = _conf(kind)
    net = conf.init() if hasattr(conf, "init") else MultiLayerNetwork(conf).init()
    ModelSerializer.writeModel(net, f"{workdir}/{kind}.zip", False)
    rng = np.random.default_rng(1)
    x = rng.random((batch, *shape), dtype=np.float32)
    np.save(f"{workdir}/{kind}_in.npy", x)
    n_out = _n_out(net)
    y = np.eye(n_out, dtype=np.float32)[np.arange(batch) % n_out]
    out_times, fit_times = [], []
    for i in range(reps_out):
        t = time.perf_counter()
        out = net.output(x)
        out = out[0] if isinstance(out, list) else out
        out_times.append(time.perf_counter() - t)
        if i == 0:
            np.save(f"{workdir}/{kind}_ours.npy", out)
    module = net.torchModule()
    with FlopCounterMode(display=False) as counter, torch.no_grad():
        module(torch.from_numpy(x))
    for _ in range(reps_fit):
        t = time.perf_counter()
        net.fit(x, y)
        fit_times.append(time.perf_counter() - t)
    print(json.dumps({"output_s": out_times, "fit_s": fit_times, "forward_flops": counter.get_total_flops(), "n_out": n_out,
                      "num_params": int(net.numParams()), "threads": torch.get_num_threads()}))


def _n_out(net) -> int:
    """The output layer's nOut (the last layer of a MultiLayerNetwork, the graph's first output)."""
    conf = net.getConfiguration()
    if hasattr(conf, "confs"):
        return int(conf.layers[-1].nOut)
    return int(conf.vertices[conf.networkOutputs[0]].layer.nOut)


def _gemm_peak() -> float:
    """The machine's fp32 GEMM rate (GFLOP/s): best of several 2048^3 products through torch (MKL)."""
    import torch

    a = torch.randn(2048, 2048)
    b = torch.randn(2048, 2048)
    best = float("inf")
    for _ in range(8):
        t = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - t)
    return 2 * 2048 ** 3 / best / 1e9


def run(reps: int) -> dict:
    import numpy as np

    work = common.CACHE / "throughput"
    work.mkdir(parents=True, exist_ok=True)
    res = {"workload": "throughput", "model": "MLP 784-1000-10 bs128, LeNet bs64, VGG16 224x224 bs8 (random weights)",
           "machine": common.machine(), "rows": {}}
    peak = _gemm_peak()
    res["gemm_peak_gflops"] = peak
    for name, (kind, batch, r_out, r_fit) in WORKLOADS.items():
        r_out, r_fit = (max(3, min(r_out, reps + 1)), max(3, min(r_fit, reps + 1)))
        print(f"  {name}: Python ...", flush=True)
        ours, ours_rss = common.python("bench.throughput", ["child", kind, str(batch), str(r_out), str(r_fit), str(work)])
        print(f"  {name}: DL4J ...", flush=True)
        theirs, dl4j_rss = common.java(["org.pydl4j.transfer.bench.ThroughputBench", str(work / f"{kind}.zip"),
                                        str(work / f"{kind}_in.npy"), str(work / f"{kind}_dl4j.npy"),
                                        str(r_out), str(r_fit), str(ours["n_out"])])
        diff = float(np.abs(np.load(work / f"{kind}_ours.npy") - np.load(work / f"{kind}_dl4j.npy")).max())
        row = {"batch": batch, "max_abs_output_diff": diff, "python_peak_rss": ours_rss, "dl4j_peak_rss": dl4j_rss}
        for verb, flops in (("output", ours["forward_flops"]), ("fit", 3 * ours["forward_flops"])):
            p, d = common.summarize(ours[f"{verb}_s"]), common.summarize(theirs[f"{verb}_s"])
            row[verb] = {"python": p, "dl4j": d, "speedup": d["median_s"] / p["median_s"],
                         "python_examples_s": batch / p["median_s"], "dl4j_examples_s": batch / d["median_s"],
                         "python_peak_fraction": flops / p["median_s"] / 1e9 / peak,
                         "dl4j_peak_fraction": flops / d["median_s"] / 1e9 / peak}
        res["rows"][name] = row
    return res


def table(res: dict) -> str:
    lines = ["| workload | verb | pydl4j-transfer (median s) | DL4J 1.0.0-M2.1 (median s) | speed-up | "
             "share of GEMM peak (ours / DL4J) | max abs output diff |", "|---|---|---|---|---|---|---|"]
    for name, row in res["rows"].items():
        for verb in ("output", "fit"):
            v = row[verb]
            p, d = v["python"], v["dl4j"]
            lines.append(f"| {name} (bs{row['batch']}) | {verb} | {p['median_s']:.4f} ({p['min_s']:.4f}-{p['max_s']:.4f}) | "
                         f"{d['median_s']:.4f} ({d['min_s']:.4f}-{d['max_s']:.4f}) | {v['speedup']:.1f}x | "
                         f"{100 * v['python_peak_fraction']:.0f}% / {100 * v['dl4j_peak_fraction']:.0f}% | "
                         f"{row['max_abs_output_diff']:.1e} |")
    lines += ["", f"Machine fp32 GEMM peak (torch, 2048^3, best of 8): {res['gemm_peak_gflops']:.0f} GFLOP/s. "
              "Timings: median (min-max) after one warm-up; JVM start and ND4J init excluded."]
    return "\n".join(lines)


if __name__ == "__main__":
    if sys.argv[1] == "child":
        _child(sys.argv[2:])
