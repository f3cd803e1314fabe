"""DL4J's transfer-learning guide, section III.B: attach new layers to the bottleneck (block5_pool).

The guide's Java, line for line (see docs/porting.md, "Guide III.B")::

    ComputationGraph vgg16Transfer = new TransferLearning.GraphBuilder(pretrainedNet)
        .fineTuneConfiguration(fineTuneConf)
        .setFeatureExtractor("block5_pool")
        .nOutReplace("fc2", 1024, WeightInit.XAVIER)
        .removeVertexAndConnections("predictions")
        .addLayer("fc3", new DenseLayer.Builder()
            .activation(Activation.RELU)
            .nIn(1024).nOut(256).build(), "fc2")
        .addLayer("newpredictions", new OutputLayer
            .Builder(LossFunctions.LossFunction.NEGATIVELOGLIKELIHOOD)
            .activation(Activation.SOFTMAX)
            .nIn(256).nOut(numClasses).build(), "fc3")
        .setOutputs("newpredictions")
        .build();

Everything up to ``block5_pool`` is frozen; ``fc1`` stays trainable, ``fc2`` is re-created with 1024 outputs,
``fc3`` and ``newpredictions`` are new. The script trains ``--epochs`` passes and, because section III.C starts
from "our model from (B)" saved to disk, writes it (without updater state) as ``vgg16Transfer.zip`` in ``--out``.

Usage: ``python examples/guide_3b_attach_at_bottleneck.py [--out DIR] [--epochs N] [--lr LR] [--pretrained] [--data DIR]``
"""

from __future__ import annotations

import sys

import _transfer_common as common
import guide_1_zoo_import as guide_1
import guide_2_fine_tune_configuration as guide_2

numClasses = common.NUM_CLASSES  # the guide's name
SAVED_NAME = "vgg16Transfer.zip"  # not named in the guide ("say we have saved off our model from (B)")


def attach_at_bottleneck(pretrainedNet, fineTuneConf):
    """III.B: ``vgg16Transfer``, frozen up to block5_pool, fc2 resized to 1024, fc3 and newpredictions added."""
    from pydl4j_transfer import Activation, DenseLayer, LossFunctions, OutputLayer, TransferLearning, WeightInit

    vgg16Transfer = (TransferLearning.GraphBuilder(pretrainedNet)
                     .fineTuneConfiguration(fineTuneConf)
                     .setFeatureExtractor("block5_pool")
                     .nOutReplace("fc2", 1024, WeightInit.XAVIER)
                     .removeVertexAndConnections("predictions")
                     .addLayer("fc3", DenseLayer.Builder()
                               .activation(Activation.RELU)
                               .nIn(1024).nOut(256).build(), "fc2")
                     .addLayer("newpredictions", OutputLayer
                               .Builder(LossFunctions.LossFunction.NEGATIVELOGLIKELIHOOD)
                               .activation(Activation.SOFTMAX)
                               .nIn(256).nOut(numClasses).build(), "fc3")
                     .setOutputs("newpredictions")
                     .build())
    return vgg16Transfer


def main(argv=None) -> int:
    from pydl4j_transfer import ModelSerializer

    args = guide_2.parser(__doc__.split("\n")[0]).parse_args(argv)
    out = common.setup(args)
    pretrainedNet = guide_1.import_zoo_model(args)
    fineTuneConf = guide_2.fine_tune_configuration(guide_2.seed, args.lr)
    vgg16Transfer = attach_at_bottleneck(pretrainedNet, fineTuneConf)
    print(vgg16Transfer.summary())
    trainIter, testIter = common.iterators(args)
    common.fit_loop(vgg16Transfer, trainIter, testIter, args)
    common.done(args)

    # "Say we have saved off our model from (B)": Java's vgg16Transfer.save(new File(...), false)
    ModelSerializer.writeModel(vgg16Transfer, out / SAVED_NAME, False)  # saveUpdater = false
    frozen = common.frozen_vertices(vgg16Transfer)
    print(f"Model saved: {out / SAVED_NAME} ({len(frozen)} frozen vertices, {frozen[0]} ... {frozen[-1]})")
    return 0


if __name__ == "__main__":
    sys.exit(common.run_main(main))
