"""GPU check: DL4J networks run by the torch backend on one CUDA card.

Self-contained (the package, numpy and torch; no JVM): finishes in a few minutes.
1. Parity: every 1.0.0-M2.1 fixture in compat_fixtures/ run on the GPU in fp32 against the
   output real DL4J stored (max |diff| per case).
2. Speed: VGG16 (DL4J's zoo architecture, built here with our configuration builders, random
   weights) forward to "fc2" (featurize) and full forward at 224x224, fp32 and bf16 autocast, against
   a hand-written torch VGG16 of the same architecture with the same weights, in the same run:
   images/s, our overhead, and model FLOP utilisation against the card's dense peak (--peak-bf16 /
   --peak-tf32 in TFLOP/s, default H100/H200 SXM: 989 / 494). "fp32" runs with torch's defaults,
   where cuDNN convolutions use TF32, hence the TF32 peak.

Usage: python -m bench.gpu [--batch 64] [--reps 20] [--out results.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch
from torch import nn

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import pydl4j_transfer  # noqa: E402
from pydl4j_transfer.conf import (  # noqa: E402
    Activation, ConvolutionLayer, ConvolutionMode, DenseLayer, InputType, LossFunctions, NeuralNetConfiguration,
    OutputLayer, PoolingType, SubsamplingLayer,
)
from pydl4j_transfer.torch_backend import build_module, feed_forward  # noqa: E402

VGG16_BLOCKS = [(64, 2), (128, 2), (256, 3), (512, 3), (512, 3)]


def vgg16_conf(num_classes=1000, size=224):
    """DL4J zoo VGG16's layer stack (conv 3x3 Same + ReLU, 2x2 max pools, fc1/fc2 4096, softmax)."""
    b = NeuralNetConfiguration.Builder().seed(12345).convolutionMode(ConvolutionMode.Same).list()
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
    """The same network written directly in torch (NCHW), for the overhead comparison."""

    def __init__(self, num_classes=1000):
        super().__init__()
        layers, c_in = [], 3
        for channels, convs in VGG16_BLOCKS:
            for _ in range(convs):
                layers += [nn.Conv2d(c_in, channels, 3, padding=1), nn.ReLU(inplace=True)]
                c_in = channels
            layers.append(nn.MaxPool2d(2, 2))
        self.features = nn.Sequential(*layers)
        self.fc = nn.Sequential(nn.Flatten(), nn.Linear(512 * 7 * 7, 4096), nn.ReLU(inplace=True),
                                nn.Linear(4096, 4096), nn.ReLU(inplace=True))
        self.out = nn.Linear(4096, num_classes)

    def forward(self, x, upto_fc2=False):
        h = self.fc(self.features(x))
        return h if upto_fc2 else torch.softmax(self.out(h), dim=1)


def copy_weights(flat: np.ndarray, conf, hand: HandVGG16):
    """DL4J flat params -> the hand-written model (conv W [out,in,kh,kw] 'c', b first; dense W [in,out] 'f')."""
    pos = 0
    convs = [m for m in hand.features if isinstance(m, nn.Conv2d)]
    linears = [m for m in hand.fc if isinstance(m, nn.Linear)] + [hand.out]
    for layer, spec_layer in zip([*convs, *linears], [lay for lay in conf.layers if lay.numParams()]):
        for spec in spec_layer.paramSpecs():
            n = int(np.prod(spec.shape))
            chunk = torch.from_numpy(flat[pos:pos + n].copy())
            pos += n
            if spec.key == "b":
                layer.bias.data.copy_(chunk)
            elif isinstance(layer, nn.Conv2d):
                layer.weight.data.copy_(chunk.view(spec.shape))
            else:  # DL4J dense W [nIn, nOut] in 'f' order: the same bytes as torch's [out, in]
                layer.weight.data.copy_(chunk.view(spec.shape[1], spec.shape[0]))
    # DL4J flattens CNN activations in NCHW 'c' order (CnnToFeedForwardPreProcessor), as nn.Flatten does


def timed(fn, reps):
    torch.cuda.synchronize()
    for _ in range(3):
        fn()
    torch.cuda.synchronize()
    start = torch.cuda.Event(enable_timing=True)
    end = torch.cuda.Event(enable_timing=True)
    times = []
    for _ in range(reps):
        start.record()
        fn()
        end.record()
        torch.cuda.synchronize()
        times.append(start.elapsed_time(end) / 1e3)
    return float(np.median(times))


def parity(device):
    rows = []
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
            diff = max(float(np.abs(o.float().cpu().numpy() - np.load(case / f)).max()) for o, f in zip(outs, names))
            rows.append((case.name, diff, ""))
        except Exception as exc:  # report, do not stop: this is a survey
            rows.append((case.name, None, f"{type(exc).__name__}: {str(exc)[:120]}"))
    return rows


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--reps", type=int, default=20)
    ap.add_argument("--peak-bf16", type=float, default=989.0)
    ap.add_argument("--peak-tf32", type=float, default=494.0)
    ap.add_argument("--out", default=None)
    ap.add_argument("--skip-speed", action="store_true")
    args = ap.parse_args(argv)
    device = torch.device("cuda")
    torch.backends.cudnn.benchmark = True
    result = {"device": torch.cuda.get_device_name(0), "torch": torch.__version__, "batch": args.batch}

    rows = parity(device)
    result["parity"] = [{"case": n, "max_abs_diff": d, "error": e} for n, d, e in rows]
    bad = [r for r in rows if r[1] is None or r[1] > 1e-4]
    print(f"parity on {result['device']}: {len(rows) - len(bad)}/{len(rows)} fixtures within 1e-4 of DL4J")
    for n, d, e in rows:
        print(f"  {n:32s} {'' if d is None else f'{d:.2e}'} {e}")

    if not args.skip_speed:
        conf = vgg16_conf()
        net = pydl4j_transfer.MultiLayerNetwork(conf).init()
        ours = build_module(conf, net.params(), device=device).eval()
        hand = HandVGG16()
        copy_weights(net.params(), conf, hand)
        hand = hand.to(device).eval()
        x = torch.randn(args.batch, 3, 224, 224, device=device)
        with torch.inference_mode():  # compare fc2 activations (the softmax output is near-uniform)
            d = float((feed_forward(ours, x[:4])[-2].float() - hand(x[:4], upto_fc2=True).float()).abs().max())
        result["vgg16_ours_vs_hand_fc2_max_abs_diff"] = d
        flops = 2 * 15.47e9 * args.batch  # VGG16 forward at 224x224: ~15.5 GMAC per image
        speed = {}
        for prec, ctx in (("fp32", torch.autocast("cuda", enabled=False)),
                          ("bf16", torch.autocast("cuda", dtype=torch.bfloat16))):
            with torch.inference_mode(), ctx:
                t_ours = timed(lambda: ours(x), args.reps)
                t_hand = timed(lambda: hand(x), args.reps)
            peak = args.peak_bf16 if prec == "bf16" else args.peak_tf32
            speed[prec] = {"ours_img_s": args.batch / t_ours, "hand_img_s": args.batch / t_hand,
                           "overhead": t_ours / t_hand - 1, "ours_mfu": flops / t_ours / 1e12 / peak}
            print(f"VGG16 forward {prec} bs{args.batch}: ours {args.batch / t_ours:.0f} img/s, hand-written "
                  f"{args.batch / t_hand:.0f} img/s, overhead {100 * (t_ours / t_hand - 1):+.1f}%, "
                  f"MFU {100 * flops / t_ours / 1e12 / peak:.1f}% of {peak:.0f} TFLOP/s")
        result["vgg16_forward"] = speed
        print(f"VGG16 fc2 activations, ours vs hand-written: max |diff| (fp32, 4 images) = {d:.2e}")
    if args.out:
        Path(args.out).write_text(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
