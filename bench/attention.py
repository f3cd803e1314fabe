"""Workload: the attention layers' forward (torch backend) against torch.nn.functional.scaled_dot_product_attention.

For each shape, the DL4J layer as the torch backend runs it (``torch_backend/layers/attention.py``: libnd4j's
``multi_head_dot_product_attention`` step by step, NCW, -1e9 masking) and the same computation written around
torch's fused ``scaled_dot_product_attention`` (projections by einsum, SDPA on [mb, H, T, P], the output
projection), on the same parameters and input; the two outputs are compared. Inference mode, float32, CPU unless
``--device cuda`` is given to ``python -m bench.attention``. SelfAttentionLayer and LearnedSelfAttentionLayer are one
attention each; RecurrentAttentionLayer runs one attention per time step (its query is the previous output), so
both sides loop over T there.
"""

from __future__ import annotations

import os
import sys
import time

from bench import common

# name -> (layer, minibatch, nIn, T, nHeads, nOut, nQueries)
SHAPES = {
    "self_mb32_n64_T128_h4": ("self", 32, 64, 128, 4, 64, 0),
    "self_mb8_n256_T512_h8": ("self", 8, 256, 512, 8, 256, 0),
    "learned_mb32_n128_T256_h4_q16": ("learned", 32, 128, 256, 4, 128, 16),
    "recurrent_mb16_n32_T32_h2": ("recurrent", 16, 32, 32, 2, 32, 0),
}


def _module(kind, n_in, n_heads, n_out, n_queries):
    from pydl4j_transfer.conf import (InputType, LearnedSelfAttentionLayer, NeuralNetConfiguration,
                                      RecurrentAttentionLayer, SelfAttentionLayer)
    from pydl4j_transfer.nn import MultiLayerNetwork

    builder = {"self": SelfAttentionLayer.Builder(), "recurrent": RecurrentAttentionLayer.Builder(),
               "learned": LearnedSelfAttentionLayer.Builder().nQueries(n_queries)}[kind]
    layer = builder.nOut(n_out).nHeads(n_heads).projectInput(True).build()
    conf = NeuralNetConfiguration.Builder().seed(7).list().layer(layer).setInputType(InputType.recurrent(n_in)).build()
    net = MultiLayerNetwork(conf).init()
    module = net.torchModule()
    return getattr(module, module.layer_names[0]).eval()  # the layer's own module (its params are DL4J's arrays)


def _sdpa_attend(q, kv, wq, wk, wv, wo):
    """The same attention around torch's fused SDPA: [mb, F, Tq] queries, [mb, F, T] keys/values -> [mb, nOut, Tq]."""
    import torch
    import torch.nn.functional as F

    pq = torch.einsum("hpf,bft->bhtp", wq, q)  # [mb, H, Tq, P]: SDPA's layout (length before features)
    pk = torch.einsum("hpf,bft->bhtp", wk, kv)
    pv = torch.einsum("hpf,bft->bhtp", wv, kv)
    att = F.scaled_dot_product_attention(pq, pk, pv)  # scaled by 1/sqrt(P), as DL4J's
    mb, h, tq, p = att.shape
    return (att.permute(0, 2, 1, 3).reshape(mb, tq, h * p) @ wo).permute(0, 2, 1)


def _sdpa_forward(kind, module, x):
    import torch

    ps = {k: module.p(k) for k in ("Wq", "Wk", "Wv", "Wo")}
    if kind == "self":
        return _sdpa_attend(x, x, ps["Wq"], ps["Wk"], ps["Wv"], ps["Wo"])
    if kind == "learned":
        q = module.p("Q").expand(x.shape[0], -1, -1)
        return _sdpa_attend(q, x, ps["Wq"], ps["Wk"], ps["Wv"], ps["Wo"])
    w, rw, b = module.p("W"), module.p("RW"), module.p("b")  # recurrent: the same loop, SDPA for each step
    outs, prev = [], None
    for i in range(x.shape[2]):
        o = x[:, :, i] @ w + b
        if prev is not None:
            o = o + _sdpa_attend(prev, x, ps["Wq"], ps["Wk"], ps["Wv"], ps["Wo"]).squeeze(2) @ rw
        o = torch.tanh(o)
        prev = o.unsqueeze(2)
        outs.append(prev)
    return torch.cat(outs, dim=2)


def _time_pair(fa, fb, reps):
    """Alternate the two per repetition so both see the same load (the machine may be shared)."""
    ta, tb = [], []
    for _ in range(reps + 1):
        for fn, times in ((fa, ta), (fb, tb)):
            t0 = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t0)
    return common.summarize(ta), common.summarize(tb)


def run(reps: int = 10, device: str = "cpu") -> dict:
    import torch

    # The 1-minute load average at the start: on a shared machine other processes inflate every timing.
    out = {"machine": common.machine(), "device": device, "threads": torch.get_num_threads(),
           "load_avg_1m": os.getloadavg()[0],
           "model": "Attention layers' forward (torch backend) vs torch.nn.functional.scaled_dot_product_attention",
           "rows": {}}
    for name, (kind, mb, n_in, t, heads, n_out, nq) in SHAPES.items():
        module = _module(kind, n_in, heads, n_out, nq).to(device)
        x = torch.randn(mb, n_in, t, generator=torch.Generator().manual_seed(1)).to(device)
        sync = (lambda: torch.cuda.synchronize()) if device.startswith("cuda") else (lambda: None)
        with torch.inference_mode():
            ours = module(x)
            ref = _sdpa_forward(kind, module, x)
            diff = float((ours - ref).abs().max() / ref.abs().max())
            a, b = _time_pair(lambda: (module(x), sync()), lambda: (_sdpa_forward(kind, module, x), sync()), reps)
        out["rows"][name] = {"ours_s": a["median_s"], "sdpa_s": b["median_s"], "ratio": a["median_s"] / b["median_s"],
                             "ours_min_s": a["min_s"], "sdpa_min_s": b["min_s"], "max_rel_diff": diff, "reps": reps}
        print(f"  {name}: ours {a['median_s'] * 1e3:.2f} ms, sdpa {b['median_s'] * 1e3:.2f} ms", flush=True)
    return out


def table(res: dict) -> str:
    load = res.get("load_avg_1m")
    note = "" if load is None else f" 1-minute load average at the start: {load:.1f}" + (
        " (other processes were running: the timings are inflated and noisy)." if load > 2.5 else ".")
    lines = [f"Device {res['device']}, {res['threads']} torch threads; median (min) of the repetitions after one warm-up,"
             " the two alternating."
             + note, "",
             "| layer / shape | torch backend (DL4J's math) | around SDPA | ours / SDPA | max rel. diff |",
             "|---|---|---|---|---|"]
    for name, r in res["rows"].items():
        lines.append(f"| {name} | {r['ours_s'] * 1e3:.2f} ({r['ours_min_s'] * 1e3:.2f}) ms"
                     f" | {r['sdpa_s'] * 1e3:.2f} ({r['sdpa_min_s'] * 1e3:.2f}) ms | {r['ratio']:.2f}x |"
                     f" {r['max_rel_diff']:.1e} |")
    return "\n".join(lines)


if __name__ == "__main__":
    args = sys.argv[1:]
    dev = args[args.index("--device") + 1] if "--device" in args else "cpu"
    res = run(10, dev)
    print(table(res))
