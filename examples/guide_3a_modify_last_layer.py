"""DL4J's transfer-learning guide, section III.A: modify only the last layer, keeping the other layers frozen.

The guide's Java, line for line (see docs/porting.md, "Guide III.A")::

    ComputationGraph vgg16Transfer = new TransferLearning.GraphBuilder(pretrainedNet)
        .fineTuneConfiguration(fineTuneConf)
        .setFeatureExtractor("fc2")
        .removeVertexKeepConnections("predictions")
        .addLayer("predictions",
            new OutputLayer.Builder(LossFunctions.LossFunction.NEGATIVELOGLIKELIHOOD)
                .nIn(4096).nOut(numClasses)
                .weightInit(WeightInit.XAVIER)
                .activation(Activation.SOFTMAX).build(), "fc2")
        .build();

``pretrainedNet`` comes from section I (guide_1_zoo_import.py), ``fineTuneConf`` from section II. Everything up
to and including ``fc2`` is frozen; the pretrained ``predictions`` (a DenseLayer for ImageNet's 1000 classes) is
replaced by an OutputLayer for ``numClasses`` (5) that keeps its name, so it is still the graph's output. The
script then trains as the guide describes ("after a mere thirty iterations"; here ``--epochs`` passes over 80
synthetic images, 5 iterations each) and prints that the frozen parameters did not move.

Usage: ``python examples/guide_3a_modify_last_layer.py [--out DIR] [--epochs N] [--lr LR] [--pretrained] [--data DIR]``
"""

from __future__ import annotations

import sys

import _transfer_common as common
import guide_1_zoo_import as guide_1
import guide_2_fine_tune_configuration as guide_2

numClasses = common.NUM_CLASSES  # the guide's name


def modify_last_layer(pretrainedNet, fineTuneConf):
    """III.A: ``vgg16Transfer``, frozen up to fc2, with a new ``numClasses``-way output layer named "predictions"."""
    from pydl4j_transfer import Activation, LossFunctions, OutputLayer, TransferLearning, WeightInit

    vgg16Transfer = (TransferLearning.GraphBuilder(pretrainedNet)
                     .fineTuneConfiguration(fineTuneConf)
                     .setFeatureExtractor("fc2")
                     .removeVertexKeepConnections("predictions")
                     .addLayer("predictions",
                               OutputLayer.Builder(LossFunctions.LossFunction.NEGATIVELOGLIKELIHOOD)
                               .nIn(4096).nOut(numClasses)
                               .weightInit(WeightInit.XAVIER)
                               .activation(Activation.SOFTMAX).build(), "fc2")
                     .build())
    return vgg16Transfer


def main(argv=None) -> int:
    import numpy as np

    args = guide_2.parser(__doc__.split("\n")[0]).parse_args(argv)
    common.setup(args)
    pretrainedNet = guide_1.import_zoo_model(args)
    fineTuneConf = guide_2.fine_tune_configuration(guide_2.seed, args.lr)
    vgg16Transfer = modify_last_layer(pretrainedNet, fineTuneConf)
    print(vgg16Transfer.summary())

    # Not in the guide's snippet: train, then check that only the new layer moved.
    frozen = common.frozen_vertices(vgg16Transfer)
    table = vgg16Transfer.paramTable()
    before = {k: v.copy() for k, v in table.items()}
    trainIter, testIter = common.iterators(args)
    common.fit_loop(vgg16Transfer, trainIter, testIter, args)
    after = vgg16Transfer.paramTable()
    moved = sorted({k.rsplit("_", 1)[0] for k in after if not np.array_equal(after[k], before[k])})
    still = all(np.array_equal(after[k], before[k]) for k in after if k.rsplit("_", 1)[0] in frozen)
    print(f"frozen vertices: {len(frozen)} ({frozen[0]} ... {frozen[-1]}); their parameters unchanged by fit: {still}")
    print(f"layers whose parameters changed: {moved}")
    common.done(args)
    return 0


if __name__ == "__main__":
    sys.exit(common.run_main(main))
