"""The main job of `make demo` and `pydl4j-transfer demo`: DL4J's transfer-learning workflow end to end, offline, on real digits.

The workflow of DL4J's transfer-learning guide (../shared/reference/dl4j-transfer-learning-guide.md),
run in PyTorch through DL4J's API and checked against real DL4J 1.0.0-M2.1:

1. a small CNN trained on handwritten digits 0-4 (scikit-learn's bundled 8x8 digits), saved as a DL4J zip;
2. reloaded, ``TransferLearning.Builder`` with a ``FineTuneConfiguration``: the feature extractor frozen,
   the output layer replaced by a new one for digits 5-9;
3. ``TransferLearningHelper``: the 5-9 training set featurized once, then ``fitFeaturized``;
4. ``Evaluation`` on held-out digits 5-9 (``stats()``);
5. the final model saved as a DL4J zip;
6. when the JVM side is built (``make java``), that zip restored in real DL4J and the outputs compared;
7. the training score plotted to a PNG next to the model.

Usage: ``pydl4j-transfer demo [--out demo_output]`` or ``python examples/demo.py [--out demo_output]``. Exits non-zero when the accuracy is below 95%
or DL4J's outputs differ by more than 1e-5.
"""

from __future__ import annotations

import argparse
import struct
import sys
import time
import zlib
from pathlib import Path

import numpy as np

from pydl4j_transfer.zipio.files import atomic_write

MIN_ACCURACY = 0.95
MAX_DL4J_DIFF = 1e-5
SEED = 12345
BATCH = 32
BASE_EPOCHS = 8
TL_EPOCHS = 40
# layers 0-3 (conv-pool-conv-pool) frozen; the dense layer and the new output layer are trained.
# (Freezing the dense layer too, trained only on digits 0-4, gives ~91% on 5-9.)
FROZEN_TILL = 3

try:  # progress bars when tqdm is installed, plain lines otherwise
    from tqdm import tqdm as _tqdm
except ImportError:  # pragma: no cover - depends on the environment
    _tqdm = None


def _progress(iterable, desc):
    if _tqdm is not None:
        return _tqdm(iterable, desc=desc, leave=False, file=sys.stdout)
    return iterable


def load_digits_split():
    """scikit-learn's bundled 8x8 digits (1797 images, no download), scaled to [0, 1], NCHW.

    Returns (base_x, base_y) for digits 0-4 and (train_x, train_y, test_x, test_y) for digits 5-9
    (labels 0-4 meaning digits 5-9; 30% held out, stratified, fixed seed)."""
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        sys.exit("the demo's digits ship with scikit-learn: pip install -e '.[demo]' (or: make demo)")

    digits = load_digits()
    x = (digits.images / 16.0).astype(np.float32).reshape(-1, 1, 8, 8)
    y = digits.target.astype(np.int64)
    rng = np.random.default_rng(SEED)
    low = np.flatnonzero(y < 5)
    rng.shuffle(low)
    train_idx, test_idx = [], []
    for d in range(5, 10):
        idx = np.flatnonzero(y == d)
        rng.shuffle(idx)
        cut = int(round(len(idx) * 0.7))
        train_idx.extend(idx[:cut])
        test_idx.extend(idx[cut:])
    train_idx, test_idx = np.array(train_idx), np.array(test_idx)
    rng.shuffle(train_idx)
    eye = np.eye(5, dtype=np.float32)
    return ((x[low], eye[y[low]]),
            (x[train_idx], eye[y[train_idx] - 5], x[test_idx], eye[y[test_idx] - 5]))


def base_network():
    """conv 3x3 (16) - maxpool 2 - conv 3x3 (32) - maxpool 2 - dense 64 - softmax output (5), on 1x8x8."""
    from pydl4j_transfer import (Activation, Adam, ConvolutionLayer, ConvolutionMode, DenseLayer, InputType,
                                 LossFunctions, MultiLayerNetwork, NeuralNetConfiguration, OutputLayer,
                                 PoolingType, SubsamplingLayer, WeightInit)

    conf = (NeuralNetConfiguration.Builder().seed(SEED).updater(Adam(2e-3)).weightInit(WeightInit.XAVIER)
            .activation(Activation.RELU).convolutionMode(ConvolutionMode.Same)
            .list(ConvolutionLayer.Builder(3, 3).nIn(1).nOut(16).build(),
                  SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build(),
                  ConvolutionLayer.Builder(3, 3).nOut(32).build(),
                  SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build(),
                  DenseLayer.Builder().nOut(64).build(),
                  OutputLayer.Builder(LossFunctions.LossFunction.NEGATIVELOGLIKELIHOOD).nOut(5)
                  .activation(Activation.SOFTMAX).build())
            .setInputType(InputType.convolutional(8, 8, 1))
            .build())
    return MultiLayerNetwork(conf).init()


def _batches(x, y, epoch):
    from pydl4j_transfer import DataSet

    order = np.random.default_rng(SEED + epoch).permutation(len(x))
    for i in range(0, len(x), BATCH):
        idx = order[i:i + BATCH]
        yield DataSet(x[idx], y[idx])


def write_png(path, width, height, rgb):
    """A minimal 8-bit RGB PNG writer (numpy + zlib), used when matplotlib is not installed."""
    raw = b"".join(b"\x00" + rgb[r].tobytes() for r in range(height))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    with atomic_write(path) as f:  # zipio/files.py: temp file, fsync, rename
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
                + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def _plot_numpy(path, curves):
    """Score curves drawn as polylines on a white canvas with axes (no text): one colour per curve."""
    w, h, m = 640, 400, 30
    img = np.full((h, w, 3), 255, np.uint8)
    img[h - m, m:w - m] = 0
    img[m:h - m + 1, m] = 0
    top = max(max(c) for _, c, _ in curves if len(c)) or 1.0
    for _, values, colour in curves:
        v = np.asarray(values, np.float64)
        if len(v) < 2:
            continue
        xs = m + np.arange(len(v)) * (w - 2 * m - 1) / (len(v) - 1)
        ys = (h - m) - np.clip(v / top, 0, 1) * (h - 2 * m - 1)
        for (x0, y0), (x1, y1) in zip(zip(xs[:-1], ys[:-1]), zip(xs[1:], ys[1:])):
            n = int(max(abs(x1 - x0), abs(y1 - y0))) + 1
            px = np.rint(np.linspace(x0, x1, n)).astype(int)
            py = np.rint(np.linspace(y0, y1, n)).astype(int)
            for dy in (0, 1):
                img[np.clip(py + dy, 0, h - 1), px] = colour
    write_png(path, w, h, img)


def plot_scores(path, base_scores, tl_scores):
    curves = [("1. base CNN, digits 0-4", base_scores, (31, 119, 180)),
              ("3. fitFeaturized, digits 5-9", tl_scores, (214, 39, 40))]
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        _plot_numpy(path, curves)
        return "numpy/zlib writer (matplotlib not installed): blue = base CNN, red = fitFeaturized"
    fig, ax = plt.subplots(figsize=(7, 4))
    for label, values, colour in curves:
        ax.plot(np.arange(1, len(values) + 1), values, label=label, color=np.array(colour) / 255)
    ax.set_xlabel("iteration (minibatch)")
    ax.set_ylabel("score (loss)")
    ax.set_yscale("log")
    ax.set_title("Training score")
    ax.legend()
    fig.tight_layout()
    with atomic_write(path) as f:  # zipio/files.py; a file object: the format comes from the name, as savefig(path)
        fig.savefig(f, dpi=100, format=Path(path).suffix[1:] or None)
    plt.close(fig)
    return "matplotlib"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default="demo_output", help="output folder (default: demo_output/)")
    args = ap.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    t_start = time.perf_counter()

    import torch

    torch.set_num_threads(min(2, torch.get_num_threads()))

    import pydl4j_transfer
    from pydl4j_transfer import (Activation, Adam, DataSet, FineTuneConfiguration, ListDataSetIterator,
                                 LossFunctions, OutputLayer, TransferLearning, TransferLearningHelper, WeightInit)

    (bx, by), (tx, ty, vx, vy) = load_digits_split()
    print(f"data: scikit-learn digits 8x8, {len(bx)} images of digits 0-4 (base), digits 5-9: "
          f"{len(tx)} train / {len(vx)} held out")

    # 1. base CNN on digits 0-4
    t = time.perf_counter()
    net = base_network()
    base_scores = []
    for epoch in _progress(range(BASE_EPOCHS), "1. base CNN"):
        for ds in _batches(bx, by, epoch):
            net.fit(ds)
            base_scores.append(net.score())
    base_zip = out / "digits0-4_cnn.zip"
    net.save(base_zip)
    base_acc = float((net.output(bx).argmax(1) == by.argmax(1)).mean())
    print(f"1. base CNN ({net.numParams()} params) trained on digits 0-4: {BASE_EPOCHS} epochs, "
          f"final score {base_scores[-1]:.2e}, train accuracy {base_acc:.2%} ({time.perf_counter() - t:.1f} s) "
          f"-> {base_zip}")

    # 2. reload, freeze the feature extractor, new output layer for digits 5-9
    t = time.perf_counter()
    orig = pydl4j_transfer.load(base_zip)
    ftc = FineTuneConfiguration.Builder().updater(Adam(5e-3)).seed(SEED).build()
    tl = (TransferLearning.Builder(orig).fineTuneConfiguration(ftc)
          .setFeatureExtractor(FROZEN_TILL)
          .removeOutputLayer()
          .addLayer(OutputLayer.Builder(LossFunctions.LossFunction.NEGATIVELOGLIKELIHOOD).nIn(64).nOut(5)
                    .activation(Activation.SOFTMAX).weightInit(WeightInit.XAVIER).build())
          .build())
    kinds = [type(layer).__name__ for layer in tl.getLayerWiseConfigurations().layers]
    print(f"2. reloaded {base_zip.name}; TransferLearning.Builder: layers 0-{FROZEN_TILL} frozen, output replaced "
          f"(5 classes = digits 5-9): {kinds} ({time.perf_counter() - t:.1f} s)")

    # 3. featurize once, fit on the features
    t = time.perf_counter()
    helper = TransferLearningHelper(tl)  # the model already holds its frozen layers
    train_feat = helper.featurize(DataSet(tx, ty))
    ff, fl = train_feat.getFeatures(), train_feat.getLabels()
    tl_scores = []
    for epoch in _progress(range(TL_EPOCHS), "3. fitFeaturized"):
        for ds in _batches(ff, fl, 1000 + epoch):
            helper.fitFeaturized(ds)
            tl_scores.append(helper.unfrozenMLN().score())
    print(f"3. TransferLearningHelper: featurized {len(tx)} images once -> features {tuple(ff.shape)}; "
          f"fitFeaturized {TL_EPOCHS} epochs, final score {tl_scores[-1]:.2e} ({time.perf_counter() - t:.1f} s)")

    # 4. evaluate on held-out 5-9
    evaluation = tl.evaluate(ListDataSetIterator(DataSet(vx, vy).asList(), 64), [str(d) for d in range(5, 10)])
    accuracy = float(evaluation.accuracy())
    print("4. Evaluation on held-out digits 5-9:")
    print(evaluation.stats())
    print(f"accuracy on held-out digits 5-9: {accuracy:.2%} ({len(vx)} images; target >= {MIN_ACCURACY:.0%})")

    # 5. save the final model
    final_zip = out / "digits5-9_transfer.zip"
    tl.save(final_zip)
    print(f"5. final model saved: {final_zip}")

    # 6. real DL4J parity
    ok = accuracy >= MIN_ACCURACY
    try:
        from pydl4j_transfer.dl4j_backend import Dl4jModel, dl4j_version, start_jvm

        start_jvm()
    except Exception as e:  # noqa: BLE001 - any reason the JVM side is missing
        print(f"6. real DL4J: not available ({type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}); "
              "build the Java side with `make java` (needs a JDK and Maven) to compare against real DL4J")
    else:
        t = time.perf_counter()
        dl4j_out = Dl4jModel.restore(final_zip).output(vx)
        ours = tl.output(vx)
        diff = float(np.abs(ours - dl4j_out).max())
        same_pred = bool((ours.argmax(1) == dl4j_out.argmax(1)).all())
        print(f"6. real DL4J {dl4j_version()} restored {final_zip.name}: largest |PyTorch - DL4J| output difference "
              f"on the {len(vx)} test images = {diff:.2e} (limit {MAX_DL4J_DIFF:.0e}); same predictions: "
              f"{same_pred} ({time.perf_counter() - t:.1f} s incl. JVM start)")
        ok = ok and diff <= MAX_DL4J_DIFF

    # 7. plot
    png = out / "training_score.png"
    how = plot_scores(png, base_scores, tl_scores)
    print(f"7. training score plot: {png} ({how})")

    print(f"total {time.perf_counter() - t_start:.1f} s -> {'OK' if ok else 'FAILED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
