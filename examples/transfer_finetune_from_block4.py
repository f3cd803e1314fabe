"""Port of DL4J's FineTuneFromBlockFour: restore the model saved by the bottleneck example and fine-tune above block4_pool.

Restores ``MyComputationGraph.zip`` from ``--out`` (written by ``transfer_edit_at_bottleneck.py``; built here the
same way, untrained, when missing), freezes block4_pool and below with a plain ``Sgd(1e-5)`` fine-tune
configuration, trains, and saves ``MyComputationGraphFineTune.zip`` with ``ModelSerializer.writeModel``.
See docs/porting.md for the Java -> Python call table.

Usage: ``python examples/transfer_finetune_from_block4.py [--out DIR] [--epochs N] [--pretrained] [--data DIR]``
"""

from __future__ import annotations

import sys

import _transfer_common as common
import transfer_edit_at_bottleneck as bottleneck

SAVED_NAME = "MyComputationGraphFineTune.zip"


def frozen_params(net) -> int:
    """Parameters in FrozenLayer-wrapped vertices (DL4J's summary() 'Frozen Parameters')."""
    from pydl4j_transfer.conf.layers.wrappers import FrozenLayer
    from pydl4j_transfer.conf.vertices import LayerVertex

    total = 0
    table = net.paramTable()
    for name, v in net.getConfiguration().vertices.items():
        if isinstance(v, LayerVertex) and isinstance(v.layer, FrozenLayer):
            total += sum(int(getattr(a, "size", 0)) for k, a in table.items() if k.split("_", 1)[0] == name)
    return total


def main(argv=None) -> int:
    args = common.parser(__doc__.split("\n")[0]).parse_args(argv)
    out = common.setup(args)
    from pydl4j_transfer import FineTuneConfiguration, ModelSerializer, Sgd, TransferLearning

    locationToSave = out / bottleneck.SAVED_NAME
    if locationToSave.is_file():
        print(f"Restoring saved model {locationToSave} ...")
        vgg16Transfer = ModelSerializer.restoreComputationGraph(locationToSave)
    else:
        print(f"{locationToSave} not found (run transfer_edit_at_bottleneck.py first to train it); "
              "building the same architecture untrained")
        vgg16Transfer = bottleneck.build(common.load_vgg16(args))
    print(f"restored model: {frozen_params(vgg16Transfer):,} frozen of {vgg16Transfer.numParams():,} params")

    fineTuneConf = FineTuneConfiguration.Builder().updater(Sgd(1e-5)).seed(common.SEED).build()
    vgg16FineTune = (TransferLearning.GraphBuilder(vgg16Transfer)
                     .fineTuneConfiguration(fineTuneConf)
                     .setFeatureExtractor(common.vertex(vgg16Transfer, "block4_pool"))
                     .build())
    print(vgg16FineTune.summary())
    print(f"fine-tune model: {frozen_params(vgg16FineTune):,} frozen of {vgg16FineTune.numParams():,} params")

    trainIter, testIter = common.iterators(args)
    common.fit_loop(vgg16FineTune, trainIter, testIter, args)
    common.done(args)
    locationToSaveFineTune = out / SAVED_NAME
    ModelSerializer.writeModel(vgg16FineTune, locationToSaveFineTune, False)  # saveUpdater = false
    print(f"Model saved: {locationToSaveFineTune}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
