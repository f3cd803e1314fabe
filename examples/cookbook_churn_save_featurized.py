"""Port of the Java Deep Learning Cookbook's SaveFeaturizedDataExample (chapter 11): load the churn model chapter 3
saved, set layers 0..1 as a feature extractor, and save the featurized train and test minibatches to disk
(``trainFolder/churn-1-train-<i>.bin``, ``testFolder/churn-1-test-<i>.bin``: ND4J's binary DataSet format).

As written in Java: ``MultiLayerNetwork.load(file, saveUpdater)``, the FineTuneConfiguration, ``TransferLearning.Builder``,
``new TransferLearningHelper(oldModel)`` and ``featurize``. Two notes (docs/porting.md): DL4J 1.0.0-M2.1 refuses the
book's ``.weightInit(WeightInit.DISTRIBUTION)`` ("Not supported!, User weightInit(Distribution distribution)
instead!"), so the port passes a distribution as DL4J asks; and the helper is built on ``oldModel``, which has no
frozen layer: DL4J then featurizes at layer 0 (its helper's boundary defaults to 0), and so does pydl4j_transfer.
Without a saved model (``--out``/model.zip) it runs cookbook_churn_train.py first.

Usage: ``python examples/cookbook_churn_save_featurized.py [--out DIR] [--data Churn_Modelling.csv]``
"""

from __future__ import annotations

import sys

import _churn_data as data

featurizeExtractionLayer = data.FEATURIZE_EXTRACTION_LAYER
seed = data.SEED


def main(argv=None) -> int:
    args = data.parser(__doc__.split("\n")[0], epochs=3).parse_args(argv)
    out = data.setup(args)
    from pydl4j_transfer import (FineTuneConfiguration, GradientNormalization, MultiLayerNetwork, Nesterovs,
                                 NormalDistribution, OptimizationAlgorithm, TransferLearning, TransferLearningHelper)

    # Use the model file saved from chapter 3 example.
    savedLocation = out / "model.zip"
    saveUpdater = True
    if not savedLocation.is_file():
        print(f"{savedLocation} not found: running the chapter 3 example (cookbook_churn_train.py) first")
        import cookbook_churn_train

        cookbook_churn_train.main(sys.argv[1:] if argv is None else list(argv))

    oldModel = MultiLayerNetwork.load(savedLocation, saveUpdater)

    fineTuneConf = (FineTuneConfiguration.Builder()
                    .optimizationAlgo(OptimizationAlgorithm.STOCHASTIC_GRADIENT_DESCENT)
                    .updater(Nesterovs(5e-5))
                    .biasInit(0.001)
                    .gradientNormalization(GradientNormalization.RenormalizeL2PerLayer)
                    .l2(0.0001)
                    .weightInit(NormalDistribution(0, 1))  # the book: WeightInit.DISTRIBUTION, refused by M2.1
                    .seed(seed)
                    .build())

    newModel = (TransferLearning.Builder(oldModel)  # noqa: F841  (the book builds it and leaves it unused)
                .fineTuneConfiguration(fineTuneConf)
                .setFeatureExtractor(featurizeExtractionLayer)
                .build())

    transferLearningHelper = TransferLearningHelper(oldModel)
    trainIter, testIter, _ = data.data_set_iterator_splitter(data.churn_csv(args, out))

    trainDataSaved = 0
    while trainIter.hasNext():
        currentFeaturized = transferLearningHelper.featurize(trainIter.next())
        saveToDisk(out, currentFeaturized, trainDataSaved, True)
        trainDataSaved += 1

    testDataSaved = 0
    while testIter.hasNext():
        currentFeaturized = transferLearningHelper.featurize(testIter.next())
        saveToDisk(out, currentFeaturized, testDataSaved, False)
        testDataSaved += 1
    print(f"Finished saving featurized data: {trainDataSaved} train / {testDataSaved} test minibatches")
    return 0


def saveToDisk(out, currentFeaturized, iterNum, isTrain):
    fileFolder = data.featurized_folder(out, isTrain)
    if iterNum == 0:
        fileFolder.mkdir(parents=True, exist_ok=True)
    fileName = "churn-" + str(featurizeExtractionLayer) + "-"
    fileName += "train-" if isTrain else "test-"
    fileName += str(iterNum) + ".bin"
    currentFeaturized.save(fileFolder / fileName)
    print("Saved " + ("train " if isTrain else "test ") + "dataset #" + str(iterNum))


if __name__ == "__main__":
    sys.exit(main())
