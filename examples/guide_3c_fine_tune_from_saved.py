"""DL4J's transfer-learning guide, section III.C: fine-tune layers from a previously saved model.

The guide's Java, line for line (see docs/porting.md, "Guide III.C")::

    ComputationGraph vgg16FineTune = new TransferLearning.GraphBuilder(vgg16Transfer)
        .fineTuneConfiguration(fineTuneConf)
        .setFeatureExtractor("block4_pool")
        .build();

``vgg16Transfer`` is "our model from (B)": restored from ``vgg16Transfer.zip`` in ``--out``, which
guide_3b_attach_at_bottleneck.py writes (when it is missing, this script builds the same model untrained).

Where the guide and DL4J 1.0.0-M2.1 differ: the guide wants this to "allow block_5 layers to train", and says
frozen layer configurations are not saved. That note is out of date for models built by the TransferLearning
builders: the zip keeps the ``FrozenLayer`` wrappers, restoring brings them back, and DL4J has no way to unfreeze
a layer, so ``setFeatureExtractor("block4_pool")`` adds no trainable layer and block 5 stays frozen (DL4J's own
builder gives the same configuration; tests/test_examples.py checks it against real DL4J). The script prints the
frozen vertices before and after, trains, and shows which layers moved. To train block 5 in M2.1, build section
III.B's model again from ``pretrainedNet`` with ``setFeatureExtractor("block4_pool")`` and copy the trained
fc1/fc2/fc3/newpredictions parameters into it by name.

Usage: ``python examples/guide_3c_fine_tune_from_saved.py [--out DIR] [--epochs N] [--lr LR] [--pretrained] [--data DIR]``
"""

from __future__ import annotations

import sys
from pathlib import Path

import _transfer_common as common
import guide_1_zoo_import as guide_1
import guide_2_fine_tune_configuration as guide_2
import guide_3b_attach_at_bottleneck as guide_3b


def restore_model_from_b(args):
    """``vgg16Transfer`` from section III.B's zip (or, when it is missing, section III.B's model untrained)."""
    from pydl4j_transfer import ModelSerializer

    saved = Path(args.out) / guide_3b.SAVED_NAME
    if saved.is_file():
        print(f"Restoring saved model {saved} ...")
        return ModelSerializer.restoreComputationGraph(saved)
    print(f"{saved} not found (run guide_3b_attach_at_bottleneck.py first to train it); "
          "building section III.B's model untrained")
    fineTuneConf = guide_2.fine_tune_configuration(guide_2.seed, args.lr)
    return guide_3b.attach_at_bottleneck(guide_1.import_zoo_model(args), fineTuneConf)


def fine_tune_from_saved(vgg16Transfer, fineTuneConf):
    """III.C: ``vgg16FineTune``, frozen up to block4_pool (block 5 stays frozen in M2.1: see the module doc)."""
    from pydl4j_transfer import TransferLearning

    vgg16FineTune = (TransferLearning.GraphBuilder(vgg16Transfer)
                     .fineTuneConfiguration(fineTuneConf)
                     .setFeatureExtractor("block4_pool")
                     .build())
    return vgg16FineTune


def main(argv=None) -> int:
    import numpy as np

    args = guide_2.parser(__doc__.split("\n")[0]).parse_args(argv)
    common.setup(args)
    vgg16Transfer = restore_model_from_b(args)
    before = common.frozen_vertices(vgg16Transfer)
    print(f"restored model: {len(before)} frozen vertices ({before[0]} ... {before[-1]})")

    fineTuneConf = guide_2.fine_tune_configuration(guide_2.seed, args.lr)
    vgg16FineTune = fine_tune_from_saved(vgg16Transfer, fineTuneConf)
    print(vgg16FineTune.summary())
    after = common.frozen_vertices(vgg16FineTune)
    print(f"fine-tune model: {len(after)} frozen vertices ({after[0]} ... {after[-1]}); "
          f"unfrozen by setFeatureExtractor(\"block4_pool\"): {sorted(set(before) - set(after)) or 'none'}")

    start = {k: v.copy() for k, v in vgg16FineTune.paramTable().items()}
    trainIter, testIter = common.iterators(args)
    common.fit_loop(vgg16FineTune, trainIter, testIter, args)
    table = vgg16FineTune.paramTable()
    moved = sorted({k.rsplit("_", 1)[0] for k in table if not np.array_equal(table[k], start[k])})
    print(f"layers whose parameters changed: {moved}")
    common.done(args)
    return 0


if __name__ == "__main__":
    sys.exit(common.run_main(main))
