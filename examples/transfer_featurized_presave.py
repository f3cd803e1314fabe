"""Port of DL4J's FeaturizedPreSave: run VGG16 once up to fc2 over the data and save the features to disk.

``TransferLearningHelper(vgg16, "fc2")`` freezes fc2 and everything below it **in place**; each train and test
minibatch is featurized and written with ``DataSet.save`` (ND4J's binary format, readable by DL4J) as
``trainFolder/flowers-fc2-train-<i>.bin`` and ``testFolder/flowers-fc2-test-<i>.bin`` under ``--out``.
``transfer_fit_from_featurized.py`` trains on them. See docs/porting.md for the Java -> Python call table.

Usage: ``python examples/transfer_featurized_presave.py [--out DIR] [--pretrained] [--data DIR]``
"""

from __future__ import annotations

import sys

import _transfer_common as common

FEATURIZE_EXTRACTION_LAYER = "fc2"


def file_name(index: int, train: bool) -> str:
    return f"flowers-{FEATURIZE_EXTRACTION_LAYER}-{'train' if train else 'test'}-{index}.bin"


def folder(out, train: bool):
    return out / ("trainFolder" if train else "testFolder")


def save_to_disk(out, featurized, index: int, train: bool) -> None:
    target = folder(out, train)
    target.mkdir(parents=True, exist_ok=True)
    featurized.save(target / file_name(index, train))
    print(f"Saved {'train' if train else 'test'} dataset #{index} {tuple(featurized.getFeatures().shape)}")


def main(argv=None) -> int:
    args = common.parser(__doc__.split("\n")[0]).parse_args(argv)
    out = common.setup(args)
    from pydl4j_transfer import TransferLearningHelper

    print("Loading VGG16 ...")
    vgg16 = common.load_vgg16(args)
    print(vgg16.summary())
    # in place: fc2 and below become frozen in vgg16 itself
    transferLearningHelper = TransferLearningHelper(vgg16, common.vertex(vgg16, FEATURIZE_EXTRACTION_LAYER))
    print(vgg16.summary())

    trainIter, testIter = common.iterators(args)
    for train, it in ((True, trainIter), (False, testIter)):
        saved = 0
        while it.hasNext():
            save_to_disk(out, transferLearningHelper.featurize(it.next()), saved, train)
            saved += 1
    print(f"Finished pre saving featurized test and train data -> {folder(out, True)}, {folder(out, False)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
