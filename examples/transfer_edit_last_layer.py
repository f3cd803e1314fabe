"""Port of DL4J's EditLastLayerOthersFrozen: VGG16 with every layer frozen up to fc2 and a new 5-class output layer.

``fc2 -> predictions (1000 classes)`` becomes ``fc2 -> predictions (5 classes)``; everything up to and including
fc2 is frozen (``setFeatureExtractor``), only the new output layer trains. See docs/porting.md for the
Java -> Python call table.

Usage: ``python examples/transfer_edit_last_layer.py [--out DIR] [--epochs N] [--pretrained] [--data DIR]``
"""

from __future__ import annotations

import sys

import _transfer_common as common


def build(vgg16, learning_rate=None, momentum=5e-5):
    """TransferLearning.GraphBuilder: freeze up to fc2, replace 'predictions' by a 5-class output layer."""
    from pydl4j_transfer import (Activation, FineTuneConfiguration, LossFunctions, Nesterovs, NormalDistribution,
                                 OutputLayer, TransferLearning)

    # Java: new Nesterovs(5e-5) -- the one-number overload is Nesterovs(double momentum) (learning rate 0.1)
    updater = Nesterovs(momentum) if learning_rate is None else Nesterovs(learning_rate, momentum)
    fineTuneConf = FineTuneConfiguration.Builder().updater(updater).seed(common.SEED).build()
    fc2 = common.vertex(vgg16, "fc2")
    predictions = common.vertex(vgg16, "predictions")
    n = common.NUM_CLASSES
    return (TransferLearning.GraphBuilder(vgg16)
            .fineTuneConfiguration(fineTuneConf)
            .setFeatureExtractor(fc2)
            .removeVertexKeepConnections(predictions)
            .addLayer(predictions,
                      OutputLayer.Builder(LossFunctions.LossFunction.NEGATIVELOGLIKELIHOOD)
                      .nIn(4096).nOut(n)
                      .weightInit(NormalDistribution(0, 0.2 * (2.0 / (4096 + n))))
                      .activation(Activation.SOFTMAX).build(),
                      fc2)
            .build())


def main(argv=None) -> int:
    args = common.parser(__doc__.split("\n")[0]).parse_args(argv)
    common.setup(args)
    print("Loading VGG16 ...")
    vgg16 = common.load_vgg16(args)
    print(vgg16.summary())
    vgg16Transfer = build(vgg16)
    print(vgg16Transfer.summary())
    trainIter, testIter = common.iterators(args)
    common.fit_loop(vgg16Transfer, trainIter, testIter, args)
    common.done(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
