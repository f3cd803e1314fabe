"""Port of DL4J's FitFromFeaturized: train EditLastLayerOthersFrozen's model on the features saved by the presave example.

Builds the same model as ``transfer_edit_last_layer.py`` (Nesterovs(3e-5, 0.9)), reads the ``DataSet.save``
files that ``transfer_featurized_presave.py`` wrote under ``--out`` (running it first when they are missing, as
the Java example does), and trains only the unfrozen part with ``TransferLearningHelper.fitFeaturized``, evaluating
``helper.unfrozenGraph()`` on the saved test features. The features only fit a network with the same VGG16
weights: use the same ``--pretrained`` / ``--size`` as for the presave. See docs/porting.md.

Usage: ``python examples/transfer_fit_from_featurized.py [--out DIR] [--epochs N] [--pretrained] [--data DIR]``
"""

from __future__ import annotations

import sys

import _transfer_common as common
import transfer_edit_last_layer as edit_last_layer
import transfer_featurized_presave as presave

N_EPOCHS = 3


def existing_mini_batches(out, train: bool):
    """new AsyncDataSetIterator(new ExistingMiniBatchDataSetIterator(folder, "flowers-fc2-train-%d.bin")):
    file 0, 1, 2, ... as batches, read one ahead on a background thread."""
    from pydl4j_transfer import AsyncDataSetIterator, ExistingMiniBatchDataSetIterator

    pattern = presave.file_name(0, train).replace("-0.bin", "-%d.bin")
    return AsyncDataSetIterator(ExistingMiniBatchDataSetIterator(presave.folder(out, train), pattern))


def main(argv=None) -> int:
    args = common.parser(__doc__.split("\n")[0], epochs=N_EPOCHS).parse_args(argv)
    out = common.setup(args)
    from pydl4j_transfer import TransferLearningHelper

    first = presave.folder(out, True) / presave.file_name(0, True)
    if not first.is_file():
        print(f"FEATURIZED DATA NOT FOUND ({first}): running transfer_featurized_presave.py first")
        forwarded = ["--out", str(out), "--size", str(args.size), "--examples", str(args.examples),
                     "--batch", str(args.batch)]
        forwarded += ["--pretrained"] if args.pretrained else []
        forwarded += ["--data", args.data] if args.data else []
        presave.main(forwarded)

    print("Loading VGG16 ...")
    vgg16 = common.load_vgg16(args)
    vgg16Transfer = edit_last_layer.build(vgg16, learning_rate=3e-5, momentum=0.9)
    print(vgg16Transfer.summary())

    trainIter = existing_mini_batches(out, True)
    testIter = existing_mini_batches(out, False)
    print(f"featurized data: {trainIter.totalExamples()} train / {testIter.totalExamples()} test examples, "
          f"features {trainIter.inputColumns()} wide")

    transferLearningHelper = TransferLearningHelper(vgg16Transfer)
    unfrozen = transferLearningHelper.unfrozenGraph()
    print(unfrozen.summary())
    common.fit_loop(unfrozen, trainIter, testIter, args, fit=transferLearningHelper.fitFeaturized,
                    evaluate=lambda it: transferLearningHelper.unfrozenGraph().evaluate(it))
    common.done(args)
    return 0


if __name__ == "__main__":
    sys.exit(main())
