"""Shared helpers for the ports of DL4J's VGG16 transfer-learning examples (examples/transfer_*.py) and of the
transfer-learning guide's code sections (examples/guide_*.py).

Not a DL4J class: this plays the part of the Java examples' ``FlowerDataSetIterator`` and of the
``initPretrained()`` call, so that every script runs offline in CI in seconds:

* ``--pretrained``: ``VGG16.builder().build().initPretrained(PretrainedType.IMAGENET)`` (224x224, needs DL4J's
  cached zip under ``~/.deeplearning4j/models/vgg16/``); default: ``init()`` with random weights on a small
  input (``--size``, 32x32).
* ``--data DIR``: an image folder (``DIR/<label>/<image>``) read with ``ImageFolderDataSetIterator`` and split
  80/20 with a seed; default: synthetic 5-class images (a per-class colour tint plus noise).

Vertex names: DL4J's pretrained VGG16 (imported from Keras) names its vertices ``block1_conv1`` ... ``fc2``,
``predictions``; DL4J's zoo ``VGG16.init()`` names them ``"0"`` ... ``"20"``. :func:`vertex` maps the Keras
names the Java examples use onto whichever the network has. The guide scripts use :func:`keras_named_vgg16`
instead: a random-init graph with the pretrained zip's own names, so the guide's names work as written.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

NUM_CLASSES = 5
SEED = 12345
TRAIN_PERC = 80
BATCH_SIZE = 16

# Keras name (pretrained zip) -> DL4J zoo VGG16.init() name
ZOO_INIT_NAMES = {
    "input_1": "in",
    "block4_pool": "13",
    "block5_pool": "17",
    "fc1": "18",
    "fc2": "19",
    "predictions": "20",
}


def parser(description: str, epochs: int = 1) -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("--out", default="transfer_output", help="output folder (default: ./transfer_output/)")
    ap.add_argument("--epochs", type=int, default=epochs, help=f"passes over the training data (default: {epochs})")
    ap.add_argument("--pretrained", action="store_true",
                    help="use VGG16 initPretrained(IMAGENET) at 224x224 (DL4J's cached zip) instead of random init()")
    ap.add_argument("--data", default=None, help="image folder DIR/<label>/<image> (default: synthetic images)")
    ap.add_argument("--size", type=int, default=32, help="image height and width without --pretrained (default: 32)")
    ap.add_argument("--examples", type=int, default=100, help="synthetic images in all (default: 100)")
    ap.add_argument("--batch", type=int, default=BATCH_SIZE, help=f"minibatch size (default: {BATCH_SIZE})")
    ap.add_argument("--eval-every", type=int, default=10, help="evaluate on the test set every N iterations")
    return ap


def setup(args) -> Path:
    """Output folder, 2 torch threads at most (CI), and the start time."""
    import torch

    torch.set_num_threads(min(2, torch.get_num_threads()))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    args.t0 = time.perf_counter()
    return out


def image_size(args) -> int:
    return 224 if args.pretrained else args.size


def load_vgg16(args):
    """``VGG16.builder().build().initPretrained()`` with --pretrained, else a randomly initialised small VGG16."""
    from pydl4j_transfer import VGG16, PretrainedType

    if args.pretrained:
        return VGG16.builder().build().initPretrained(PretrainedType.IMAGENET)
    size = image_size(args)
    return VGG16.builder().inputShape([3, size, size]).numClasses(NUM_CLASSES).seed(SEED).build().init()


def keras_named_vgg16(size: int = 32, seed: int = 1234):
    """A random-init stand-in for ``initPretrained(IMAGENET)``, for the guide scripts (examples/guide_*.py).

    The same graph as DL4J's pretrained VGG16 zip (a Keras import): vertices ``input_1``, ``block1_conv1`` ...
    ``block5_pool``, ``flatten`` (a PreprocessorVertex), ``fc1``, ``fc2`` (Dense 4096) and ``predictions`` (a
    **DenseLayer** 4096 -> 1000 with softmax, not an OutputLayer), so the guide's vertex names work as written.
    Differs: random weights (He init, ``WeightInit.RELU``, so activations keep their scale through 16 ReLU layers;
    ``seed`` 1234, the zoo VGG16's default), and a ``size`` x ``size`` input (32 by default: ``fc1`` is 512 -> 4096).
    """
    from pydl4j_transfer import (Activation, CnnToFeedForwardPreProcessor, ComputationGraph, ConvolutionLayer,
                                 ConvolutionMode, DenseLayer, InputType, NeuralNetConfiguration, PoolingType,
                                 PreprocessorVertex, SubsamplingLayer, WeightInit)

    if size % 32:
        raise ValueError(f"--size must be a multiple of 32 (VGG16 pools 5 times), got {size}")
    g = (NeuralNetConfiguration.Builder().seed(seed).activation(Activation.RELU).weightInit(WeightInit.RELU)
         .convolutionMode(ConvolutionMode.Same).graphBuilder().addInputs("input_1"))
    prev, channels = "input_1", 3
    for block, n_convs, n_out in ((1, 2, 64), (2, 2, 128), (3, 3, 256), (4, 3, 512), (5, 3, 512)):
        for k in range(1, n_convs + 1):
            g.addLayer(f"block{block}_conv{k}", ConvolutionLayer.Builder(3, 3).nIn(channels).nOut(n_out).build(), prev)
            prev, channels = f"block{block}_conv{k}", n_out
        g.addLayer(f"block{block}_pool",
                   SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build(), prev)
        prev = f"block{block}_pool"
    side = size // 32
    g.addVertex("flatten", PreprocessorVertex(CnnToFeedForwardPreProcessor(side, side, channels)), prev)
    g.addLayer("fc1", DenseLayer.Builder().nIn(channels * side * side).nOut(4096).build(), "flatten")
    g.addLayer("fc2", DenseLayer.Builder().nIn(4096).nOut(4096).build(), "fc1")
    g.addLayer("predictions", DenseLayer.Builder().nIn(4096).nOut(1000).activation(Activation.SOFTMAX).build(), "fc2")
    conf = g.setOutputs("predictions").setInputTypes(InputType.convolutional(size, size, 3)).build()
    return ComputationGraph(conf).init()


def frozen_vertices(net) -> list:
    """Names of the vertices whose configuration is frozen (FrozenLayer or FrozenVertex), in graph order."""
    return [name for name, v in net.getConfiguration().vertices.items()
            if "Frozen" in type(getattr(v, "layer", v)).__name__]


def run_main(main, argv=None) -> int:
    """``main(argv)``, with the project's missing-file error for ``--pretrained`` printed without a traceback."""
    from pydl4j_transfer.errors import PretrainedModelNotFoundError

    try:
        return main(argv)
    except PretrainedModelNotFoundError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def vertex(net, keras_name: str) -> str:
    """The vertex the Java example names ``keras_name`` (see the module doc)."""
    names = set(net.getConfiguration().vertices) | set(net.getConfiguration().networkInputs)
    if keras_name in names:
        return keras_name
    mapped = ZOO_INIT_NAMES.get(keras_name)
    if mapped is None or mapped not in names:
        raise KeyError(f"no vertex {keras_name!r} (nor its zoo-init name {mapped!r}) in {sorted(names)}")
    return mapped


def _synthetic(args, size):
    rng = np.random.default_rng(SEED)
    n = args.examples
    labels = np.arange(n) % NUM_CLASSES
    rng.shuffle(labels)
    tint = rng.uniform(0.2, 0.8, size=(NUM_CLASSES, 3, 1, 1)).astype(np.float32)
    x = tint[labels] + 0.15 * rng.standard_normal((n, 3, size, size)).astype(np.float32)
    x = np.clip(x, 0.0, 1.0).astype(np.float32)
    if args.pretrained:  # the pretrained VGG16 expects pixel values 0-255 less the ImageNet mean
        from pydl4j_transfer import VGG16ImagePreProcessor

        x = np.asarray(VGG16ImagePreProcessor().transform(x * 255.0), dtype=np.float32)
    return x, np.eye(NUM_CLASSES, dtype=np.float32)[labels]


def _folder(args, size):
    from pydl4j_transfer import DataSet, ImageFolderDataSetIterator, ImagePreProcessingScaler, VGG16ImagePreProcessor

    pre = VGG16ImagePreProcessor() if args.pretrained else ImagePreProcessingScaler(0, 1)
    it = ImageFolderDataSetIterator(args.data, size, size, 3, batchSize=64, seed=SEED, preProcessor=pre)
    ds = DataSet.merge(list(it))
    return np.asarray(ds.getFeatures(), np.float32), np.asarray(ds.getLabels(), np.float32)


def iterators(args):
    """(trainIter, testIter): ``ListDataSetIterator``s over an 80/20 split, as ``FlowerDataSetIterator`` gives."""
    from pydl4j_transfer import DataSet, ListDataSetIterator

    size = image_size(args)
    x, y = _folder(args, size) if args.data else _synthetic(args, size)
    split = DataSet(x, y).splitTestAndTrain(TRAIN_PERC / 100.0, SEED)
    train, test = split.getTrain(), split.getTest()
    source = args.data or "synthetic"
    print(f"data: {source}, {train.numExamples()} train / {test.numExamples()} test images, "
          f"{size}x{size}, {y.shape[1]} classes, minibatch {args.batch}")
    return ListDataSetIterator(train.asList(), args.batch), ListDataSetIterator(test.asList(), args.batch)


def fit_loop(net, trainIter, testIter, args, fit=None, evaluate=None):
    """The Java examples' loop: evaluate before fit, then fit minibatch by minibatch, evaluating every N."""
    fit = fit or net.fit
    evaluate = evaluate or net.evaluate
    evaluation = evaluate(testIter)
    print("Eval stats BEFORE fit.....")
    print(evaluation.stats())
    testIter.reset()
    for epoch in range(args.epochs):
        it = 0
        while trainIter.hasNext():
            fit(trainIter.next())
            if it % args.eval_every == 0:
                print(f"Evaluate model at iter {it} .... (epoch {epoch}, score {score_of(net):.4f})")
                evaluation = evaluate(testIter)
                print(evaluation.stats())
                testIter.reset()
            it += 1
        trainIter.reset()
        print(f"Epoch #{epoch} complete")
    evaluation = evaluate(testIter)
    testIter.reset()
    print(f"final test accuracy: {float(evaluation.accuracy()):.4f}")
    return evaluation


def score_of(net) -> float:
    try:
        return float(net.score())
    except Exception:  # noqa: BLE001 - score before any fit
        return float("nan")


def done(args) -> None:
    print(f"Model build complete ({time.perf_counter() - args.t0:.1f} s)")
