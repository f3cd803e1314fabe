"""A Keras VGG16 weights file -> a DL4J zip -> the guide's edit A -> fitFeaturized, offline.

The pretrained path for a DL4J user who has Keras's ImageNet weights (or Keras's whole model) instead of DL4J's
cached zoo zip. Java DL4J would download its own zip (``VGG16.builder().build().initPretrained()``) or import the
Keras file (``KerasModelImport.importKerasModelAndWeights("vgg16.h5")``); here::

    ComputationGraph pretrainedNet = VGG16().initPretrainedFrom(weightsFile)          # Keras applications file
    # or: KerasModelImport.importKerasModelAndWeights("vgg16.h5")                    # a whole Keras model file
    ModelSerializer.writeModel(pretrainedNet, "vgg16_dl4j.zip", false)                # a zip DL4J restores
    pretrainedNet = ModelSerializer.restoreComputationGraph("vgg16_dl4j.zip")

    ComputationGraph vgg16Transfer = new TransferLearning.GraphBuilder(pretrainedNet) # the guide's edit A
        .fineTuneConfiguration(fineTuneConf)
        .setFeatureExtractor("fc2")
        .removeVertexKeepConnections("predictions")
        .addLayer("predictions", new OutputLayer.Builder(NEGATIVELOGLIKELIHOOD)
            .nIn(4096).nOut(numClasses).weightInit(XAVIER).activation(SOFTMAX).build(), "fc2")
        .build();
    TransferLearningHelper helper = new TransferLearningHelper(vgg16Transfer);        # guide section IV
    helper.fitFeaturized(helper.featurize(trainIter.next()));

By default the script uses the reduced-width VGG16 in ``compat_fixtures/keras/applications/``: a weights file in
the exact layout of Keras's ``vgg16_weights_tf_dim_ordering_tf_kernels.h5`` (same layer and weight names, NHWC
kernels, legacy ``save_weights`` HDF5), written by the real keras package with random weights, with the
architecture at 1/16 width and 64x64 input (``--architecture``), so it runs in seconds. With
``--weights vgg16_weights_tf_dim_ordering_tf_kernels.h5`` (Keras's published 528 MB file; nothing is downloaded
here) it is the real pretrained VGG16 at 224x224, and ``--model vgg16.h5`` imports a whole Keras model file
(``keras.applications.VGG16().save("vgg16.h5")``) through KerasModelImport instead. The Keras-imported graph keeps
Keras's layer names (``fc2``, ``predictions``, ...) and takes NHWC images, as DL4J's own pretrained VGG16 does.

Usage: ``python examples/keras_vgg16_to_dl4j.py [--out DIR] [--weights FILE [--architecture JSON] | --model FILE]
[--size N] [--epochs N] [--lr LR]``
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

APPS = Path(__file__).resolve().parents[1] / "compat_fixtures" / "keras" / "applications"
NUM_CLASSES = 5
SEED = 12345


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--out", default="keras_vgg16_output", help="folder for the DL4J zips")
    p.add_argument("--weights", help="a Keras applications VGG16 weights file (default: the reduced-width one)")
    p.add_argument("--architecture", help="the architecture (model.to_json()) for a variant of VGG16")
    p.add_argument("--model", help="a whole Keras VGG16 model file (.h5 / .keras), imported with KerasModelImport")
    p.add_argument("--size", type=int, help="image size (default: 64 for the reduced-width file, else 224)")
    p.add_argument("--epochs", type=int, default=20)
    p.add_argument("--lr", type=float, default=1e-2)
    return p


def load_pretrained(args):
    """The pretrained VGG16 as a ComputationGraph, from the Keras file the user has."""
    from pydl4j_transfer import KerasModelImport
    from pydl4j_transfer.zoo import VGG16, PretrainedType

    if args.model:
        return KerasModelImport.importKerasModelAndWeights(args.model, False)
    if args.weights:
        return VGG16().initPretrainedFrom(args.weights, PretrainedType.IMAGENET, architecture=args.architecture)
    return VGG16().initPretrainedFrom(APPS / "vgg16_keras_weights_tf_dim_ordering_tf_kernels.h5",
                                      PretrainedType.IMAGENET, architecture=APPS / "vgg16_keras_architecture.json")


def synthetic_data(size, n=60):
    """Synthetic NHWC images (DL4J's pretrained VGG16 layout), NUM_CLASSES classes told apart by a colour band."""
    import numpy as np

    from pydl4j_transfer import DataSet

    h, w, c = size, size, 3
    rng = np.random.default_rng(SEED)
    labels = rng.integers(0, NUM_CLASSES, size=n)
    x = rng.uniform(0, 60, size=(n, h, w, c)).astype(np.float32)
    for k in range(NUM_CLASSES):  # class k: a bright band at rows k*h/5.., channel k % 3
        x[labels == k, k * h // NUM_CLASSES:(k + 1) * h // NUM_CLASSES, :, k % c] += 150
    y = np.eye(NUM_CLASSES, dtype=np.float32)[labels]
    return DataSet(x, y)


def main(argv=None) -> int:
    import numpy as np

    from pydl4j_transfer import (Activation, Adam, FineTuneConfiguration, LossFunctions, ModelSerializer,
                                 OutputLayer, TransferLearning, TransferLearningHelper, WeightInit)

    args = parser().parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    pretrainedNet = load_pretrained(args)
    zip_path = out / "vgg16_dl4j.zip"
    ModelSerializer.writeModel(pretrainedNet, zip_path, False)  # a zip real DL4J restores as its own
    pretrainedNet = ModelSerializer.restoreComputationGraph(zip_path)
    fc2 = pretrainedNet.getLayer("fc2").conf().getLayer().getNOut()
    print(f"pretrained VGG16: {pretrainedNet.numParams():,} parameters, fc2 width {fc2}, saved as {zip_path}")

    # The guide's edit A: frozen up to fc2, a new numClasses-way output layer that keeps the name "predictions"
    fineTuneConf = FineTuneConfiguration.Builder().updater(Adam(args.lr)).seed(SEED).build()
    vgg16Transfer = (TransferLearning.GraphBuilder(pretrainedNet)
                     .fineTuneConfiguration(fineTuneConf)
                     .setFeatureExtractor("fc2")
                     .removeVertexKeepConnections("predictions")
                     .addLayer("predictions",
                               OutputLayer.Builder(LossFunctions.LossFunction.NEGATIVELOGLIKELIHOOD)
                               .nIn(fc2).nOut(NUM_CLASSES)
                               .weightInit(WeightInit.XAVIER)
                               .activation(Activation.SOFTMAX).build(), "fc2")
                     .build())

    # Guide section IV: featurize once through the frozen part, then train the new layer from the features
    data = synthetic_data(args.size or (224 if args.weights or args.model else 64))
    helper = TransferLearningHelper(vgg16Transfer)
    featurized = helper.featurize(data)
    before = helper.unfrozenGraph().score(featurized)
    batches = featurized.batchBy(20)
    for _ in range(args.epochs):
        for ds in batches:
            helper.fitFeaturized(ds)
    after = helper.unfrozenGraph().score(featurized)
    acc = float((np.asarray(helper.outputFromFeaturized(featurized.getFeatures())).argmax(1)
                 == np.asarray(featurized.getLabels()).argmax(1)).mean())
    print(f"fitFeaturized on {featurized.numExamples()} featurized examples {tuple(featurized.getFeatures().shape)}: "
          f"score {before:.4f} -> {after:.4f} after {args.epochs} epoch(s), training accuracy {acc:.2f}")
    final = out / "vgg16_transfer.zip"
    ModelSerializer.writeModel(vgg16Transfer, final, True)
    print(f"saved {final}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
