"""GPU check: DL4J networks run by the torch backend on one CUDA card, against hand-written torch models.

Self-contained (the package, numpy and torch; no JVM); a few minutes on one card at the defaults.

1. Parity: every 1.0.0-M2.1 fixture in compat_fixtures/ run on the card in fp32 (TF32 off) against the
   output real DL4J stored (max |diff| per case).
2. Speed, in the same run, for two of DL4J's zoo architectures built with our builders (random weights):
   VGG16 (a MultiLayerNetwork; featurize = the frozen forward to "fc2") and ResNet50 (the zoo's
   ComputationGraph; featurize to "avgpool"), each against a hand-written torch model of the same
   architecture holding the same weights (their featurize outputs are compared first):

   * ``featurize``: the frozen forward to the boundary on device tensors, fp32 and bf16 autocast, in NCHW
     and channels_last memory (ours: ``INFERENCE_CHANNELS_LAST`` with "cuda" added; hand: the model and
     input converted to channels_last);
   * ``featurize_api``: what a user runs, ``TransferLearningHelper.featurize(DataSet)`` with numpy in and
     numpy out, against the hand-written model with the same host copies;
   * ``fit``: one training step. fp32: ours = ``fit`` with DL4J's semantics (softmax + NLL score, the
     configuration's L1/L2 and updater); hand = forward, cross entropy, backward, the torch optimizer of the
     same kind. bf16: DL4J has no mixed-precision fit, so ours = ``torchModule()`` in a plain autocast
     training loop against the hand-written model in the same loop (same loss, same optimizer).

   Timing: CUDA events; warm-up, then ours and hand-written alternate (their order swapped at each
   repetition), median of ``--reps``. Reported: images/s, our overhead against the hand-written model, and
   model FLOP utilisation against the card's dense peak (``--peak-bf16`` / ``--peak-tf32`` TFLOP/s; H100/H200
   SXM datasheet values by default) and against the GEMM peak measured in the same run. "fp32" runs with
   torch's defaults, where cuDNN convolutions use TF32, hence the TF32 peak.
   On a GPU every featurize row also gives the host time of each engine's call (launching its kernels):
   when ours reaches its device time, the overhead is Python and kernel launches, not the card's work.
3. ``--profile``: the top CUDA kernels of one bf16 featurize of each engine (torch.profiler), to show where
   an overhead comes from.
4. ``--compile``: our featurize under ``torch.compile`` (``mode="reduce-overhead"`` on a GPU: CUDA graphs)
   against the eager hand-written model, fp32 and bf16, with the compile time.

5. ``--pipeline N`` (default 512): the image pipeline (data/images.py: N JPEGs decoded on the host's CPUs into
   page-locked minibatches) against each model's ``featurize_api`` rate: does the pipeline keep the card fed?

``--device cpu`` runs the same code on the CPU (tests/test_bench_gpu_smoke.py does, with a small input).

Usage: python -m bench.gpu [--batch 64] [--reps 20] [--size 224] [--models vgg16,resnet50] [--skip-parity]
       [--profile] [--compile] [--out results.json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import pydl4j_transfer  # noqa: E402
from pydl4j_transfer.conf import (  # noqa: E402
    Activation, ConvolutionLayer, ConvolutionMode, DenseLayer, InputType, LossFunctions, NeuralNetConfiguration,
    Nesterovs, OutputLayer, PoolingType, SubsamplingLayer,
)
from pydl4j_transfer.torch_backend import build_module  # noqa: E402
from pydl4j_transfer.torch_backend.layers import convolution  # noqa: E402

VGG16_BLOCKS = [(64, 2), (128, 2), (256, 3), (512, 3), (512, 3)]
VGG16_FC2 = 19  # layer index of fc2: 13 convolutions + 5 poolings, fc1, fc2
RESNET50_STAGES = [(2, 3, (64, 64, 256)), (3, 4, (128, 128, 512)), (4, 6, (256, 256, 1024)), (5, 3, (512, 512, 2048))]
DATASHEET = {"H100": (989.0, 494.0), "H200": (989.0, 494.0), "A100": (312.0, 156.0)}  # dense bf16, tf32 TFLOP/s


# ---- the networks ---------------------------------------------------------------------------------------


def vgg16_conf(num_classes=1000, size=224):
    """DL4J zoo VGG16's layer stack (conv 3x3 Same + ReLU, 2x2 max pools, fc1/fc2 4096, softmax), NCHW input,
    no dropout, the zoo's Nesterovs updater."""
    b = (NeuralNetConfiguration.Builder().seed(12345).updater(Nesterovs(0.01, 0.9))
         .convolutionMode(ConvolutionMode.Same).list())
    for channels, convs in VGG16_BLOCKS:
        for _ in range(convs):
            b = b.layer(ConvolutionLayer.Builder().kernelSize(3, 3).stride(1, 1).nOut(channels)
                        .activation(Activation.RELU).build())
        b = b.layer(SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build())
    b = b.layer(DenseLayer.Builder().nOut(4096).activation(Activation.RELU).build())
    b = b.layer(DenseLayer.Builder().nOut(4096).activation(Activation.RELU).build())
    b = b.layer(OutputLayer.Builder(LossFunctions.LossFunction.NEGATIVELOGLIKELIHOOD).nOut(num_classes)
                .activation(Activation.SOFTMAX).build())
    return b.setInputType(InputType.convolutional(size, size, 3)).build()


class HandVGG16(nn.Module):
    """VGG16 written directly in torch (NCHW), for the overhead comparison."""

    def __init__(self, num_classes=1000, size=224):
        super().__init__()
        layers, c_in = [], 3
        for channels, convs in VGG16_BLOCKS:
            for _ in range(convs):
                layers += [nn.Conv2d(c_in, channels, 3, padding=1), nn.ReLU(inplace=True)]
                c_in = channels
            layers.append(nn.MaxPool2d(2, 2))
        self.features = nn.Sequential(*layers)
        side = size // 32
        self.fc = nn.Sequential(nn.Flatten(), nn.Linear(512 * side * side, 4096), nn.ReLU(inplace=True),
                                nn.Linear(4096, 4096), nn.ReLU(inplace=True))
        self.out = nn.Linear(4096, num_classes)

    def forward(self, x, to="output"):
        h = self.fc(self.features(x))
        if to == "boundary":
            return h
        logits = self.out(h)
        return logits if to == "logits" else torch.softmax(logits, dim=1)

    def dl4j_pairs(self, ours):
        """(hand module, our layer name) for every layer with parameters, in order."""
        mods = [m for m in [*self.features, *self.fc, self.out] if isinstance(m, (nn.Conv2d, nn.Linear))]
        names = [n for n in ours.layer_names if any(k.startswith(n + ".") for k in ours.state_dict())]
        return list(zip(mods, names))


class HandResNet50(nn.Module):
    """DL4J zoo ResNet50 written directly in torch, modules named as DL4J's vertices (the zoo's quirks kept:
    stage 2's conv block strides by 2, the stride sits on the first 1x1 convolution, "avgpool" is a 3x3/2 max
    pooling, BatchNormalization eps 1e-5)."""

    def __init__(self, num_classes=1000):
        super().__init__()
        L = self.l = nn.ModuleDict()
        L["stem-cnn1"] = nn.Conv2d(3, 64, 7, stride=2)
        L["stem-batch1"] = nn.BatchNorm2d(64, eps=1e-5)
        self.blocks, c_in = [], 64
        for stage, n_blocks, (f1, f2, f3) in RESNET50_STAGES:
            for i in range(n_blocks):
                name, stride = f"{stage}{'abcdef'[i]}", 2 if i == 0 else 1
                L[f"res{name}_branch2a"] = nn.Conv2d(c_in, f1, 1, stride=stride)
                L[f"res{name}_branch2b"] = nn.Conv2d(f1, f2, 3, padding=1)
                L[f"res{name}_branch2c"] = nn.Conv2d(f2, f3, 1)
                for part, c in (("2a", f1), ("2b", f2), ("2c", f3)):
                    L[f"bn{name}_branch{part}"] = nn.BatchNorm2d(c, eps=1e-5)
                if i == 0:
                    L[f"res{name}_branch1"] = nn.Conv2d(c_in, f3, 1, stride=stride)
                    L[f"bn{name}_branch1"] = nn.BatchNorm2d(f3, eps=1e-5)
                self.blocks.append((name, i == 0))
                c_in = f3
        L["output"] = nn.Linear(2048, num_classes)

    def forward(self, x, to="output"):
        L = self.l
        x = F.relu(L["stem-batch1"](L["stem-cnn1"](F.pad(x, (3, 3, 3, 3)))), inplace=True)
        x = F.max_pool2d(x, 3, 2)
        for name, projection in self.blocks:
            h = F.relu(L[f"bn{name}_branch2a"](L[f"res{name}_branch2a"](x)), inplace=True)
            h = F.relu(L[f"bn{name}_branch2b"](L[f"res{name}_branch2b"](h)), inplace=True)
            h = L[f"bn{name}_branch2c"](L[f"res{name}_branch2c"](h))
            short = L[f"bn{name}_branch1"](L[f"res{name}_branch1"](x)) if projection else x
            x = F.relu(h + short, inplace=True)
        x = F.max_pool2d(x, 3, 2)
        if to == "boundary":
            return x
        logits = L["output"](torch.flatten(x, 1))
        return logits if to == "logits" else torch.softmax(logits, dim=1)

    def dl4j_pairs(self, ours):
        return [(m, name) for name, m in self.l.items()]


@torch.no_grad()
def load_hand(hand, ours):
    """Our module's DL4J parameters -> the hand-written model. Conv W [out, in, kh, kw] as is; dense W is
    stored in torch's [out, in] already (DL4J's [nIn, nOut] 'f' bytes); BatchNormalization's log-std mode
    holds log10(std): var = (10^log10stdev)^2."""
    sd = ours.state_dict()
    for mod, name in hand.dl4j_pairs(ours):
        if isinstance(mod, nn.BatchNorm2d):
            mod.weight.copy_(sd[f"{name}.gamma"])
            mod.bias.copy_(sd[f"{name}.beta"])
            mod.running_mean.copy_(sd[f"{name}.mean"])
            var = sd.get(f"{name}.var")
            mod.running_var.copy_(var if var is not None else torch.pow(10.0, sd[f"{name}.log10stdev"]) ** 2)
        else:
            mod.weight.copy_(sd[f"{name}.W"].reshape(mod.weight.shape))
            mod.bias.copy_(sd[f"{name}.b"].reshape(-1))
    return hand


def build(name, size, classes, device):
    """(our network on ``device``, the hand-written model with the same weights, the featurize boundary)."""
    if name == "vgg16":
        net = pydl4j_transfer.MultiLayerNetwork(vgg16_conf(classes, size)).init()
        hand, boundary = HandVGG16(classes, size), VGG16_FC2
    else:
        from pydl4j_transfer import WeightInit
        from pydl4j_transfer.zoo import ResNet50

        # the zoo's TruncatedNormal(0, 0.5) init overflows float32 activations through 50 layers: He init
        net = ResNet50(numClasses=classes, weightInit=WeightInit.RELU, inputShape=[3, size, size]).init()
        hand, boundary = HandResNet50(classes), "avgpool"
    net.to(device)
    load_hand(hand, net.torchModule())
    return net, hand.to(device), boundary


def our_features(net, boundary):
    """The frozen forward to the boundary on a device tensor, as TransferLearningHelper.featurize runs it."""
    module = net.torchModule()
    if isinstance(boundary, int):
        return lambda x: module.activate_range(x, 0, boundary)
    return lambda x: module.feed_forward(x, targets=[boundary])[boundary]


# ---- timing ---------------------------------------------------------------------------------------------


def sync(device):
    if device.type == "cuda":
        torch.cuda.synchronize(device)


def once(fn, device):
    """(seconds on the device, seconds the host spent in the call). On a GPU the host time is what launching
    the work costs: when it reaches the device time, the run is bound by Python and kernel launches, not by
    the card. On the CPU both are the wall time."""
    if device.type == "cuda":
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        t = time.perf_counter()
        fn()
        host = time.perf_counter() - t
        end.record()
        end.synchronize()
        return start.elapsed_time(end) / 1e3, host
    t = time.perf_counter()
    fn()
    wall = time.perf_counter() - t
    return wall, wall


def ab(fns: dict, reps: int, device, warmup: int = 3, host: dict = None) -> dict:
    """Median seconds of each function, the functions alternating (order swapped every repetition).
    ``host``: filled with the median host seconds of each (see :func:`once`)."""
    for fn in fns.values():
        for _ in range(warmup):
            fn()
    sync(device)
    keys, times, hosts = list(fns), {k: [] for k in fns}, {k: [] for k in fns}
    for r in range(reps):
        for k in keys if r % 2 == 0 else keys[::-1]:
            dev, h = once(fns[k], device)
            times[k].append(dev)
            hosts[k].append(h)
    if host is not None:
        host.update({k: float(np.median(v)) for k, v in hosts.items()})
    return {k: float(np.median(v)) for k, v in times.items()}


def gemm_peak(device, dtype, n=8192, reps=10):
    """Best TFLOP/s of an n^3 matmul in ``dtype`` (fp32 under torch's TF32 default on a GPU)."""
    n = n if device.type == "cuda" else 1024
    a = torch.randn(n, n, device=device, dtype=dtype)
    b = torch.randn(n, n, device=device, dtype=dtype)
    best = min(once(lambda: a @ b, device)[0] for _ in range(reps + 2))
    return 2 * n ** 3 / best / 1e12


def forward_flops(hand, x, to):
    from torch.utils.flop_counter import FlopCounterMode

    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        hand(x, to=to)
    return counter.get_total_flops()


# ---- the measurements -----------------------------------------------------------------------------------


def autocast_ctx(device, prec):
    return torch.autocast(device.type, dtype=torch.bfloat16, enabled=prec == "bf16")


def measure_model(name, args, device, peaks):
    classes = 1000
    net, hand, boundary = build(name, args.size, classes, device)
    hand.eval()
    feats = our_features(net, boundary)
    rng = np.random.default_rng(0)
    x_np = rng.random((args.batch, 3, args.size, args.size), dtype=np.float32)
    labels = np.arange(args.batch) % classes
    y_np = np.eye(classes, dtype=np.float32)[labels]
    x, y, y_idx = (torch.from_numpy(a).to(device) for a in (x_np, y_np, labels))
    out = {"model": name, "boundary": str(boundary if isinstance(boundary, str) else "fc2"), "rows": []}

    old_tf32 = torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32
    torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = False
    with torch.inference_mode():  # same weights, same math: the featurize outputs agree (fp32, TF32 off)
        a, b = feats(x[:2]).float(), hand(x[:2], to="boundary").float().reshape(2, -1)
        out["featurize_max_rel_diff"] = float((a.reshape(2, -1) - b).abs().max() / b.abs().max())
    torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32 = old_tf32

    flops_feat = forward_flops(hand, x[:1], "boundary") * args.batch
    flops_fit = 3 * forward_flops(hand, x[:1], "logits") * args.batch  # forward + backward ~ 3 forwards

    def row(what, prec, layout, t, flops, host=None):
        peak = peaks["bf16" if prec == "bf16" else "fp32"]
        r = {"what": what, "precision": prec, "layout": layout, "ours_s": t["ours"], "hand_s": t["hand"],
             "ours_img_s": args.batch / t["ours"], "hand_img_s": args.batch / t["hand"],
             "overhead": t["ours"] / t["hand"] - 1, "ours_tflops": flops / t["ours"] / 1e12}
        if host:
            r["ours_host_s"], r["hand_host_s"] = host["ours"], host["hand"]
        r["ours_share_datasheet"] = r["ours_tflops"] / peak["datasheet"] if peak["datasheet"] else None
        r["ours_share_measured_gemm"] = r["ours_tflops"] / peak["measured"]
        out["rows"].append(r)
        share = "" if r["ours_share_datasheet"] is None else f", {100 * r['ours_share_datasheet']:.1f}% of datasheet"
        launch = ""
        if host and device.type == "cuda":
            launch = (f"; host {1e3 * host['ours']:.1f} / {1e3 * host['hand']:.1f} ms of "
                      f"{1e3 * t['ours']:.1f} / {1e3 * t['hand']:.1f} ms (ours / hand)")
        print(f"  {name:8s} {what:18s} {prec} {layout:13s} ours {r['ours_img_s']:8.1f} img/s  hand "
              f"{r['hand_img_s']:8.1f} img/s  overhead {100 * r['overhead']:+6.1f}%  {r['ours_tflops']:.1f} TFLOP/s"
              f"{share}, {100 * r['ours_share_measured_gemm']:.1f}% of measured GEMM peak{launch}", flush=True)

    # featurize on device tensors, NCHW and channels_last
    for layout in ("nchw", "channels_last"):
        cl = layout == "channels_last"
        xin = x.contiguous(memory_format=torch.channels_last) if cl else x
        hand_l = hand.to(memory_format=torch.channels_last if cl else torch.contiguous_format)
        saved = convolution.INFERENCE_CHANNELS_LAST
        convolution.INFERENCE_CHANNELS_LAST = saved | {device.type} if cl else saved - {device.type}
        try:
            for prec in ("fp32", "bf16"):
                host = {}
                with torch.inference_mode(), autocast_ctx(device, prec):
                    t = ab({"ours": lambda: feats(xin), "hand": lambda: hand_l(xin, to="boundary")}, args.reps, device,
                           args.warmup, host=host)
                row("featurize", prec, layout, t, flops_feat, host)
        finally:
            convolution.INFERENCE_CHANNELS_LAST = saved
    hand.to(memory_format=torch.contiguous_format)

    # --compile: our featurize through torch.compile (on a GPU mode "reduce-overhead": CUDA graphs, so no
    # per-kernel launch cost from Python), against the eager hand-written model: what one line buys a user
    # whose forward is launch-bound (small layers, large GPUs)
    if args.compile:
        from torch import _dynamo

        mode = "reduce-overhead" if device.type == "cuda" else "default"
        for prec in ("fp32", "bf16"):
            _dynamo.reset()
            compiled = torch.compile(feats, mode=mode)
            host = {}
            with torch.inference_mode(), autocast_ctx(device, prec):
                t0 = time.perf_counter()
                compiled(x)
                sync(device)
                out[f"compile_s_{prec}"] = time.perf_counter() - t0
                # CUDA graphs hand back the same output buffers at every replay: clone, as a user keeping them must
                t = ab({"ours": lambda: compiled(x).clone(), "hand": lambda: hand(x, to="boundary")}, args.reps, device,
                       args.warmup, host=host)
            row("featurize_compiled", prec, "nchw", t, flops_feat, host)

    # fit, fp32: ours = fit with DL4J's semantics; hand = the same step in plain torch
    hand.train()
    if name == "vgg16":
        opt = torch.optim.SGD(hand.parameters(), lr=0.01, momentum=0.9, nesterov=True)
    else:  # the zoo's RmsProp(0.1, 0.96, 1e-3) and l2 5e-5 (ours also applies the zoo's l1 1e-7)
        opt = torch.optim.RMSprop(hand.parameters(), lr=0.1, alpha=0.96, eps=1e-3, weight_decay=5e-5)

    # set_to_none frees the gradients each step: free on a GPU (caching allocator), page faults on a CPU
    to_none = device.type == "cuda"

    def hand_step(prec="fp32"):
        opt.zero_grad(set_to_none=to_none)
        with autocast_ctx(device, prec):
            loss = F.nll_loss(torch.log(hand(x, to="output")), y_idx)
        loss.backward()
        opt.step()

    fit_in = (x, y) if isinstance(boundary, int) else ([x], [y])
    t = ab({"ours": lambda: net.fit(*fit_in), "hand": hand_step}, args.reps, device, args.warmup)
    row("fit", "fp32", "nchw", t, flops_fit)

    # fit, bf16: torchModule() in a plain autocast loop, against the hand-written model in the same loop
    module = net.torchModule().train()
    trainable = [p for p in module.parameters() if p.requires_grad]
    mopt = (torch.optim.SGD(trainable, lr=0.01, momentum=0.9, nesterov=True) if name == "vgg16"
            else torch.optim.RMSprop(trainable, lr=0.1, alpha=0.96, eps=1e-3, weight_decay=5e-5))

    def module_step():
        mopt.zero_grad(set_to_none=to_none)
        with autocast_ctx(device, "bf16"):
            probs = module(x) if isinstance(boundary, int) else module(x)[0]
            loss = F.nll_loss(torch.log(probs.float()), y_idx)
        loss.backward()
        mopt.step()

    t = ab({"ours": module_step, "hand": lambda: hand_step("bf16")}, args.reps, device, args.warmup)
    row("fit_module", "bf16", "nchw", t, flops_fit)

    # the user's featurize: numpy in, numpy out (last: TransferLearningHelper freezes the network in place, as
    # DL4J's does)
    hand.eval()
    from pydl4j_transfer import DataSet, TransferLearningHelper

    helper = TransferLearningHelper(net, boundary)
    ds = DataSet(x_np, y_np)
    for prec in ("fp32", "bf16"):
        def hand_api():
            with torch.inference_mode(), autocast_ctx(device, prec):
                return hand(torch.from_numpy(x_np).to(device), to="boundary").float().cpu().numpy()

        t = ab({"ours": lambda: helper.featurize(ds, autocast="bf16" if prec == "bf16" else None), "hand": hand_api},
               args.reps, device, args.warmup)
        row("featurize_api", prec, "nchw", t, flops_feat)

    if args.profile and device.type == "cuda":
        out["profile"] = profile(feats, hand.eval(), x, device)
    return out


def profile(feats, hand, x, device, top=12):
    """The top CUDA kernels (total time, count) of one bf16 featurize of each engine."""
    from torch.profiler import ProfilerActivity
    from torch.profiler import profile as torch_profile

    result = {}
    for who, fn in (("ours", lambda: feats(x)), ("hand", lambda: hand(x, to="boundary"))):
        with torch.inference_mode(), autocast_ctx(device, "bf16"):
            fn()
            sync(device)
            with torch_profile(activities=[ProfilerActivity.CUDA]) as prof:
                fn()
                sync(device)
        events = sorted(prof.key_averages(), key=lambda e: -e.device_time_total)[:top]
        result[who] = [{"kernel": e.key[:100], "count": e.count, "ms": e.device_time_total / 1e3} for e in events]
        print(f"  top CUDA kernels, {who}:")
        for e in result[who]:
            print(f"    {e['ms']:8.3f} ms  x{e['count']:<4d} {e['kernel']}")
    return result


def parity(device):
    """Every M2.1 fixture on the device in fp32 (TF32 off) against DL4J's stored output."""
    rows = []
    old = torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32
    torch.backends.cuda.matmul.allow_tf32 = torch.backends.cudnn.allow_tf32 = False
    try:
        for case in sorted((REPO / "compat_fixtures" / "1.0.0-M2.1").iterdir()):
            manifest = case / "manifest.json"
            if not manifest.exists():
                continue
            info = json.loads(manifest.read_text())
            try:
                net = pydl4j_transfer.load(case / "model.zip")
                conf = net.getConfiguration()
                module = build_module(conf, net.params(), device=device)
                ins = info.get("inputs") or ["input.npy"]
                xs = [torch.from_numpy(np.load(case / f)).to(device) for f in ins]
                with torch.inference_mode():
                    outs = module(*xs) if hasattr(conf, "vertices") else module(xs[0])
                outs = outs if isinstance(outs, (tuple, list)) else [outs]
                names = info.get("outputs") or ["output.npy"]
                diff = max(float(np.abs(o.float().cpu().numpy() - np.load(case / f)).max())
                           for o, f in zip(outs, names))
                rows.append((case.name, diff, ""))
            except Exception as exc:  # noqa: BLE001 - report, do not stop: this is a survey
                rows.append((case.name, None, f"{type(exc).__name__}: {str(exc)[:120]}"))
    finally:
        torch.backends.cuda.matmul.allow_tf32, torch.backends.cudnn.allow_tf32 = old
    return rows


def measure_pipeline(args, device, models: dict) -> dict:
    """The image pipeline on this machine's CPUs (bench/pipeline.py's JPEGs, 320x240 -> size x size, VGG16 mean,
    page-locked minibatches on a GPU) against each model's user-level featurize rate on the card: the card is
    kept fed where the pipeline delivers at least as many images per second."""
    import tempfile

    from bench.pipeline import _warm, make_jpegs
    from pydl4j_transfer.data import (FileSplit, ImageRecordReader, ParentPathLabelGenerator,
                                      RecordReaderDataSetIterator, VGG16ImagePreProcessor)

    root = make_jpegs(Path(tempfile.gettempdir()) / f"pydl4j-bench-jpg{args.pipeline}", args.pipeline)
    _warm(root)
    reader = ImageRecordReader(args.size, args.size, 3, ParentPathLabelGenerator())
    reader.initialize(FileSplit(root, ["jpg"]))
    it = RecordReaderDataSetIterator(reader, args.batch, 1, reader.numLabels(), pinMemory=device.type == "cuda")
    it.setPreProcessor(VGG16ImagePreProcessor())
    times = []
    for _ in range(3):
        it.reset()
        t, n = time.perf_counter(), 0
        while it.hasNext():
            n += it.next().numExamples()
        times.append(time.perf_counter() - t)
    it.close()
    rate = n / statistics.median(times[1:])
    out = {"images": n, "workers": it.workers, "images_per_s": rate, "pinned": device.type == "cuda",
           "keeps_fed": {}}
    for name, model in models.items():
        for r in model["rows"]:
            if r["what"] == "featurize_api":
                out["keeps_fed"][f"{name} {r['precision']}"] = {"featurize_img_s": r["ours_img_s"],
                                                                "fed": rate >= r["ours_img_s"]}
    fed = ", ".join(f"{k} {v['featurize_img_s']:.0f} img/s: {'fed' if v['fed'] else 'STARVED'}"
                    for k, v in out["keeps_fed"].items())
    print(f"pipeline: {rate:.0f} images/s on {it.workers} threads ({n} JPEGs); featurize {fed}", flush=True)
    return out


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--reps", type=int, default=20)
    ap.add_argument("--warmup", type=int, default=3, help="untimed runs of each function before timing")
    ap.add_argument("--size", type=int, default=224, help="input height/width (a multiple of 32, >= 160)")
    ap.add_argument("--models", default="vgg16,resnet50")
    ap.add_argument("--device", default="cuda")
    ap.add_argument("--peak-bf16", type=float, default=None, help="dense bf16 TFLOP/s (datasheet)")
    ap.add_argument("--peak-tf32", type=float, default=None, help="dense TF32 TFLOP/s (datasheet)")
    ap.add_argument("--skip-parity", action="store_true")
    ap.add_argument("--profile", action="store_true")
    ap.add_argument("--compile", action="store_true", help="add our featurize under torch.compile (minutes)")
    ap.add_argument("--pipeline", type=int, default=512, help="JPEGs for the image-pipeline check (0: skip)")
    ap.add_argument("--out", default=None)
    args = ap.parse_args(argv)
    device = torch.device(args.device)
    started = time.perf_counter()
    if device.type == "cuda":
        torch.backends.cudnn.benchmark = True
        card = torch.cuda.get_device_name(device)
    else:
        import platform

        card = f"CPU ({platform.processor() or platform.machine()}, {torch.get_num_threads()} threads)"
    sheet = next((v for k, v in DATASHEET.items() if k in card), (None, None)) if device.type == "cuda" else (None, None)
    peaks = {"bf16": {"datasheet": args.peak_bf16 or sheet[0], "measured": gemm_peak(device, torch.bfloat16)},
             "fp32": {"datasheet": args.peak_tf32 or sheet[1], "measured": gemm_peak(device, torch.float32)}}
    result = {"device": card, "torch": torch.__version__, "batch": args.batch, "size": args.size, "reps": args.reps,
              "peaks_tflops": peaks, "date": time.strftime("%Y-%m-%d")}
    print(f"{card}, torch {torch.__version__}: measured GEMM peak bf16 {peaks['bf16']['measured']:.1f} TFLOP/s, "
          f"fp32 (TF32 on a GPU) {peaks['fp32']['measured']:.1f} TFLOP/s", flush=True)

    if not args.skip_parity:
        rows = parity(device)
        result["parity"] = [{"case": n, "max_abs_diff": d, "error": e} for n, d, e in rows]
        bad = [r for r in rows if r[1] is None or r[1] > 1e-4]
        print(f"parity: {len(rows) - len(bad)}/{len(rows)} fixtures within 1e-4 of DL4J; outside: "
              + (", ".join(f"{n} ({e or f'{d:.1e}'})" for n, d, e in bad) or "none"), flush=True)

    result["models"] = {}
    for name in [m.strip() for m in args.models.split(",") if m.strip()]:
        print(f"{name}, batch {args.batch}, {args.size}x{args.size}:", flush=True)
        result["models"][name] = measure_model(name, args, device, peaks)
        print(f"  featurize outputs, ours vs hand-written: max relative diff "
              f"{result['models'][name]['featurize_max_rel_diff']:.1e} (fp32)", flush=True)
    if args.pipeline:
        result["pipeline"] = measure_pipeline(args, device, result["models"])
    result["seconds"] = time.perf_counter() - started
    print(f"done in {result['seconds']:.0f} s")
    if args.out:
        tmp = Path(args.out).with_suffix(".tmp")
        tmp.write_text(json.dumps(result, indent=2))
        tmp.replace(args.out)
    return result


if __name__ == "__main__":
    main()
