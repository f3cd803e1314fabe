"""Workload: data-parallel scaling (issue 18): time per step on 1 and 2 gloo ranks, bytes all-reduced per step,
and a ring all-reduce model of 8 GPUs x N nodes for VGG16 and ResNet50 fine-tuning.

Measured here: each workload of bench/distributed_worker.py under ``torchrun --standalone`` with 1 rank (1 and 2
threads) and 2 ranks (1 thread each), every rank with its own minibatch (weak scaling). Scaling efficiency 1 -> 2
ranks = (2 ranks' examples/s) / (2 x one rank's at 1 thread). This machine has 2 cores: two ranks of one thread
use all of it, so the ranks also compete for memory bandwidth and with whatever else runs (the load average at
the start and end of the run is recorded).

Modelled: one fine-tuning step per GPU = the measured compute (the H200 VGG16 forward of bench/results/gpu_h200.json
times 3 for forward + backward; ResNet50 scaled by its forward FLOPs), then a ring all-reduce of the fp32 gradient
(this package all-reduces after the whole backward, no overlap): two levels, reduce-scatter / all-gather over
NVLink inside a node and a ring over each GPU's own network rail between nodes:
``T = 2 (g-1)/g S/B_nvlink + 2 (N-1)/N (S/g)/B_rail + 2 (g-1) a_nvlink + 2 (N-1) a_rail`` with g = 8 GPUs per node.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from bench import common

WORKLOADS = ("head", "mlp", "fc")
#: the model's assumptions: NVLink bus bandwidth inside a node, per-GPU network rail between nodes, latencies
NVLINK_GBS, NVLINK_LAT_S = 300.0, 5e-6
RAILS = {"400 Gb/s InfiniBand per GPU (DGX-like)": 50.0, "100 Gb/s Ethernet per node (shared by 8 GPUs)": 12.5 / 8}
RAIL_LAT_S = 10e-6
GPUS_PER_NODE, NODES = 8, (1, 2, 4, 8, 16)
#: (params, forward GFLOPs per 224x224 image): VGG16 / ResNet50 of the zoo (1000 classes)
MODELS = {"vgg16": (138_357_544, 15.5), "resnet50": (25_557_032, 4.1)}
GPU_BATCH = 64


def _torchrun(nproc, workload, threads, reps):
    env = dict(os.environ, PYTHONPATH=str(common.REPO), OMP_NUM_THREADS=str(threads))
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node", str(nproc),
           "-m", "bench.distributed_worker", "--workload", workload, "--reps", str(reps), "--threads", str(threads)]
    out = subprocess.run(cmd, cwd=common.REPO, env=env, capture_output=True, text=True, timeout=1800)
    if out.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)}:\n{out.stderr[-3000:]}")
    return json.loads([ln for ln in out.stdout.splitlines() if ln.startswith("{")][-1])


def _busy():
    """The load average and the other processes using the CPU now (what else was running)."""
    try:
        ps = subprocess.run(["ps", "-eo", "pcpu,comm", "--sort=-pcpu"], capture_output=True, text=True).stdout
        top = [ln.strip() for ln in ps.splitlines()[1:8]]
    except OSError:
        top = []
    return {"loadavg": os.getloadavg(), "top": top}


def _gpu_step_s():
    """Per-GPU step time at batch 64 from the measured H200 VGG16 forward (fp32/TF32), x3 for the backward."""
    path = common.RESULTS / "gpu_h200.json"
    ips = None
    if path.exists():
        fwd = json.loads(path.read_text()).get("vgg16_forward", {})
        ips = (fwd.get("fp32") or {}).get("ours_img_s") if isinstance(fwd, dict) else None
    ips = ips or 3764.0  # BENCHMARKS.md "GPU": ours, fp32, H200, batch 64
    vgg = 3 * GPU_BATCH / ips
    return {"vgg16": vgg, "resnet50": vgg * MODELS["resnet50"][1] / MODELS["vgg16"][1], "source_img_s": ips}


def ring_allreduce_s(payload_bytes, nodes, rail_gbs):
    g = GPUS_PER_NODE
    t = 2 * (g - 1) / g * payload_bytes / (NVLINK_GBS * 1e9) + 2 * (g - 1) * NVLINK_LAT_S
    if nodes > 1:
        t += 2 * (nodes - 1) / nodes * (payload_bytes / g) / (rail_gbs * 1e9) + 2 * (nodes - 1) * RAIL_LAT_S
    return t


def run(reps):
    res = {"workload": "distributed", "machine": common.machine(), "busy_start": _busy(),
           "model": "Data-parallel fit steps on gloo ranks (torchrun --standalone), 1 vs 2 ranks; ring all-reduce "
                    "model of 8 GPUs x N nodes", "measured": {}}
    for w in WORKLOADS:
        one = _torchrun(1, w, 1, reps)
        one2 = _torchrun(1, w, 2, reps)
        two = _torchrun(2, w, 1, reps)
        res["measured"][w] = {"one_rank_1t": one, "one_rank_2t": one2, "two_ranks": two}
        print(w, one["step_median_s"], one2["step_median_s"], two["step_median_s"], flush=True)
    res["busy_end"] = _busy()
    steps = _gpu_step_s()
    model = {"gpu_step_s": steps, "rails": {}}
    for rail, gbs in RAILS.items():
        rows = {}
        for name, (params, _) in MODELS.items():
            payload = 4 * params
            rows[name] = [{"nodes": n, "gpus": n * GPUS_PER_NODE, "allreduce_s": ring_allreduce_s(payload, n, gbs),
                           "compute_s": steps[name]} for n in NODES]
            for r in rows[name]:
                r["efficiency_no_overlap"] = r["compute_s"] / (r["compute_s"] + r["allreduce_s"])
                r["efficiency_full_overlap"] = min(1.0, r["compute_s"] / r["allreduce_s"])
        model["rails"][rail] = rows
    res["model_8xN"] = model
    return res


def table(res):
    lines = ["| workload (params, batch per rank) | 1 rank, 1 thread (s/step) | 1 rank, 2 threads | 2 ranks x 1 thread "
             "| all-reduce alone | bytes all-reduced per step (x params) | scaling efficiency 1 -> 2 ranks |",
             "|---|---|---|---|---|---|---|"]
    for w, m in res["measured"].items():
        one, one2, two = m["one_rank_1t"], m["one_rank_2t"], m["two_ranks"]
        eff = one["step_median_s"] / two["step_median_s"]
        lines.append(f"| {w} ({one['params']:,}, {one['batch_per_rank']}) | {one['step_median_s']:.4f} | "
                     f"{one2['step_median_s']:.4f} | {two['step_median_s']:.4f} | {two['allreduce_median_s']:.4f} | "
                     f"{two['bytes_per_step']:,} ({two['bytes_per_step'] / two['params']:.2f} B/param) | "
                     f"{100 * eff:.0f}% |")
    b0, b1 = res["busy_start"], res["busy_end"]
    lines.append("")
    lines.append(f"Load average at the start / end of the run: {b0['loadavg'][0]:.1f} / {b1['loadavg'][0]:.1f} on "
                 f"{res['machine']['cores']} cores; the busiest processes at the start: "
                 f"{'; '.join(b0['top'][:5])}.")
    m = res["model_8xN"]
    lines.append("")
    lines.append(f"Model: one step per GPU at batch {GPU_BATCH} = VGG16 {1000 * m['gpu_step_s']['vgg16']:.1f} ms "
                 f"(3 x the measured H200 fp32 forward, {m['gpu_step_s']['source_img_s']:.0f} img/s), ResNet50 "
                 f"{1000 * m['gpu_step_s']['resnet50']:.1f} ms (scaled by forward FLOPs); fp32 gradients "
                 f"(VGG16 553 MB, ResNet50 102 MB), NVLink {NVLINK_GBS:.0f} GB/s inside a node. Efficiency = compute / "
                 "(compute + all-reduce) as implemented (all-reduce after the backward); with full overlap in "
                 "brackets.")
    for rail, rows in m["rails"].items():
        lines.append("")
        lines.append(f"| {rail} | " + " | ".join(f"{n} node{'s' if n > 1 else ''} ({n * GPUS_PER_NODE} GPUs)"
                                                for n in NODES) + " |")
        lines.append("|---|" + "---|" * len(NODES))
        for name, rs in rows.items():
            cells = [f"{1000 * r['allreduce_s']:.1f} ms, {100 * r['efficiency_no_overlap']:.0f}% "
                     f"({100 * r['efficiency_full_overlap']:.0f}%)" for r in rs]
            lines.append(f"| {name} full fine-tune | " + " | ".join(cells) + " |")
    return "\n".join(lines)
