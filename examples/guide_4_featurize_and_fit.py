"""DL4J's transfer-learning guide, section IV: save "featurized" datasets and train with them.

The guide's Java, line for line (see docs/porting.md, "Guide IV")::

    TransferLearningHelper transferLearningHelper =
        new TransferLearningHelper(pretrainedNet, "fc2");
    while (trainIter.hasNext()) {
        DataSet currentFeaturized = transferLearningHelper.featurize(trainIter.next());
        saveToDisk(currentFeaturized, trainDataSaved, true);
        trainDataSaved++;
    }

    TransferLearningHelper transferLearningHelper =
        new TransferLearningHelper(vgg16Transfer);
    while (trainIter.hasNext()) {
        transferLearningHelper.fitFeaturized(trainIter.next());
    }

Part 1 runs the expensive forward pass through the frozen layers once: ``TransferLearningHelper(pretrainedNet,
"fc2")`` freezes fc2 and everything below it **in place** (the configuration is untouched), and every training
minibatch is featurized and written with ``DataSet.save`` (ND4J's binary format, which DL4J reads) as
``trainFolder/flowers-fc2-train-<i>.bin`` under ``--out``. The guide does not show ``saveToDisk``; this is the one from
DL4J's FeaturizedPreSave example. The test minibatches are saved too (not in the guide) to evaluate on.

Part 2 trains section III.A's ``vgg16Transfer`` (built from the same ``pretrainedNet``, so the features fit it)
from the saved files only: the second ``trainIter`` reads them back in order, as DL4J's
``ExistingMiniBatchDataSetIterator(dir, "flowers-fc2-train-%d.bin")`` does (here: ``DataSet.load`` of each file
in an ``ExistingDataSetIterator``). The loop runs ``--epochs`` times with ``trainIter.reset()`` between passes;
the script prints the training score over all featurized examples before and after, and the test accuracy of
``outputFromFeaturized``.

Usage: ``python examples/guide_4_featurize_and_fit.py [--out DIR] [--epochs N] [--lr LR] [--pretrained] [--data DIR]``
"""

from __future__ import annotations

import sys
from pathlib import Path

import _transfer_common as common
import guide_1_zoo_import as guide_1
import guide_2_fine_tune_configuration as guide_2
import guide_3a_modify_last_layer as guide_3a

N_EPOCHS = 3
FEATURIZE_EXTRACTION_LAYER = "fc2"


def file_name(index: int, isTrain: bool) -> str:
    return f"flowers-{FEATURIZE_EXTRACTION_LAYER}-{'train' if isTrain else 'test'}-{index}.bin"


def folder(out, isTrain: bool) -> Path:
    return Path(out) / ("trainFolder" if isTrain else "testFolder")


def saveToDisk(out, currentFeaturized, iterNum: int, isTrain: bool) -> Path:
    """DL4J FeaturizedPreSave's ``saveToDisk``: ``currentFeaturized.save(new File(folder, fileName))``."""
    target = folder(out, isTrain)
    target.mkdir(parents=True, exist_ok=True)
    currentFeaturized.save(target / file_name(iterNum, isTrain))
    return target / file_name(iterNum, isTrain)


def saved_iterator(out, isTrain=True):
    """What ExistingMiniBatchDataSetIterator(dir, "flowers-fc2-train-%d.bin") reads: files 0, 1, 2, ... in order."""
    from pydl4j_transfer import DataSet, ExistingDataSetIterator

    batches, i = [], 0
    while (folder(out, isTrain) / file_name(i, isTrain)).is_file():
        batches.append(DataSet.load(folder(out, isTrain) / file_name(i, isTrain)))
        i += 1
    if not batches:
        raise FileNotFoundError(f"no featurized data in {folder(out, isTrain)}: run part 1 first")
    return ExistingDataSetIterator(batches)


def accuracy(transferLearningHelper, testIter) -> float:
    import numpy as np

    correct = total = 0
    while testIter.hasNext():
        ds = testIter.next()
        out = np.asarray(transferLearningHelper.outputFromFeaturized(ds.getFeatures()))
        correct += int((out.argmax(1) == np.asarray(ds.getLabels()).argmax(1)).sum())
        total += ds.numExamples()
    testIter.reset()
    return correct / max(total, 1)


def main(argv=None) -> int:
    from pydl4j_transfer import DataSet, TransferLearningHelper

    args = guide_2.parser(__doc__.split("\n")[0], epochs=N_EPOCHS).parse_args(argv)
    out = common.setup(args)
    pretrainedNet = guide_1.import_zoo_model(args)
    trainIter, testIter = common.iterators(args)

    for isTrain in (True, False):  # not in the guide: no stale files from an earlier, larger run
        for stale in folder(out, isTrain).glob(f"flowers-{FEATURIZE_EXTRACTION_LAYER}-*.bin"):
            stale.unlink()

    # Part 1: featurize once, save to disk
    transferLearningHelper = TransferLearningHelper(pretrainedNet, FEATURIZE_EXTRACTION_LAYER)
    trainDataSaved = 0
    while trainIter.hasNext():
        currentFeaturized = transferLearningHelper.featurize(trainIter.next())
        saveToDisk(out, currentFeaturized, trainDataSaved, True)
        trainDataSaved += 1
    testDataSaved = 0  # not in the guide: the test set too, to evaluate on
    while testIter.hasNext():
        saveToDisk(out, transferLearningHelper.featurize(testIter.next()), testDataSaved, False)
        testDataSaved += 1
    print(f"saved {trainDataSaved} featurized train and {testDataSaved} test minibatches "
          f"{tuple(currentFeaturized.getFeatures().shape)} to {folder(out, True)}, {folder(out, False)}")

    # Part 2: section III.A's model, trained from the saved files only
    fineTuneConf = guide_2.fine_tune_configuration(guide_2.seed, args.lr)
    vgg16Transfer = guide_3a.modify_last_layer(pretrainedNet, fineTuneConf)
    trainIter = saved_iterator(out, True)
    testIter = saved_iterator(out, False)
    everything = DataSet.merge(list(trainIter))  # not in the guide: to score the training set before and after
    trainIter.reset()

    transferLearningHelper = TransferLearningHelper(vgg16Transfer)
    scoreBefore = transferLearningHelper.unfrozenGraph().score(everything)
    for _ in range(args.epochs):  # the guide shows one pass
        while trainIter.hasNext():
            transferLearningHelper.fitFeaturized(trainIter.next())
        trainIter.reset()
    unfrozen = transferLearningHelper.unfrozenGraph()
    print(unfrozen.summary())
    scoreAfter = unfrozen.score(everything)
    print(f"score on the {everything.numExamples()} featurized training examples: {scoreBefore:.6f} before "
          f"fitFeaturized, {scoreAfter:.6f} after {args.epochs} epoch(s)")
    if scoreAfter > scoreBefore and args.lr is None:
        print("note: DL4J reads the guide's `new Nesterovs(5e-5)` as learning rate 0.1, momentum 5e-5 "
              "(guide_2_fine_tune_configuration.py); --lr 1e-4 trains more gently")
    print(f"test accuracy (outputFromFeaturized): {accuracy(transferLearningHelper, testIter):.4f}")
    common.done(args)
    return 0


if __name__ == "__main__":
    sys.exit(common.run_main(main))
