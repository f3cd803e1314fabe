"""Port of DL4J's EditAtBottleneckOthersFrozen: VGG16 frozen up to block5_pool, fc2 resized, fc3 and a new output added.

``block5_pool -> flatten -> fc1 -> fc2 -> predictions (1000)`` becomes
``block5_pool -> flatten -> fc1 -> fc2 (1024) -> fc3 (256) -> newpredictions (5)``; the model is trained one pass
and saved (without its updater) as ``MyComputationGraph.zip`` in ``--out``, which
``transfer_finetune_from_block4.py`` restores. See docs/porting.md for the Java -> Python call table.

Usage: ``python examples/transfer_edit_at_bottleneck.py [--out DIR] [--epochs N] [--pretrained] [--data DIR]``
"""

from __future__ import annotations

import sys

import _transfer_common as common

SAVED_NAME = "MyComputationGraph.zip"


def build(vgg16):
    """TransferLearning.GraphBuilder: freeze to block5_pool, fc2 nOut 1024, drop predictions, add fc3 + newpredictions."""
    from pydl4j_transfer import (Activation, DenseLayer, FineTuneConfiguration, LossFunctions, Nesterovs,
                                 OutputLayer, TransferLearning, WeightInit)

    fineTuneConf = (FineTuneConfiguration.Builder()
                    .activation(Activation.LEAKYRELU)
                    .weightInit(WeightInit.RELU)
                    .updater(Nesterovs(5e-5))
                    .dropOut(0.5)
                    .seed(common.SEED)
                    .build())
    fc2 = common.vertex(vgg16, "fc2")
    return (TransferLearning.GraphBuilder(vgg16)
            .fineTuneConfiguration(fineTuneConf)
            .setFeatureExtractor(common.vertex(vgg16, "block5_pool"))
            .nOutReplace(fc2, 1024, WeightInit.XAVIER)
            .removeVertexAndConnections(common.vertex(vgg16, "predictions"))
            .addLayer("fc3", DenseLayer.Builder().activation(Activation.TANH).nIn(1024).nOut(256).build(), fc2)
            .addLayer("newpredictions",
                      OutputLayer.Builder(LossFunctions.LossFunction.NEGATIVELOGLIKELIHOOD)
                      .activation(Activation.SOFTMAX).nIn(256).nOut(common.NUM_CLASSES).build(),
                      "fc3")
            .setOutputs("newpredictions")
            .build())


def main(argv=None) -> int:
    args = common.parser(__doc__.split("\n")[0]).parse_args(argv)
    out = common.setup(args)
    print("Loading VGG16 ...")
    vgg16 = common.load_vgg16(args)
    print(vgg16.summary())
    vgg16Transfer = build(vgg16)
    print(vgg16Transfer.summary())
    trainIter, testIter = common.iterators(args)
    common.fit_loop(vgg16Transfer, trainIter, testIter, args)
    common.done(args)
    locationToSave = out / SAVED_NAME
    vgg16Transfer.save(locationToSave, False)  # saveUpdater = false
    print(f"Model saved: {locationToSave}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
