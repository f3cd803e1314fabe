"""Port of the Java Deep Learning Cookbook's TransferLearnChurnExample (chapter 11): load the chapter 3 churn model,
freeze layers 0..1, and train the unfrozen rest on the featurized minibatches cookbook_churn_save_featurized.py
saved, evaluating the unfrozen network every 10 iterations.

As written in Java: ``MultiLayerNetwork.load(file, true)``, the FineTuneConfiguration (with the distribution
DL4J 1.0.0-M2.1 asks for instead of ``WeightInit.DISTRIBUTION``), ``TransferLearning.Builder ... setFeatureExtractor``,
``new TransferLearningHelper(newModel)``, ``unfrozenMLN().evaluate(...)``, ``fitFeaturized(...)``, the iterators'
``reset()``. The featurized files are read in order as ExistingMiniBatchDataSetIterator does (_churn_data.py).
Without them it runs cookbook_churn_save_featurized.py first.

Usage: ``python examples/cookbook_churn_transfer.py [--out DIR] [--data Churn_Modelling.csv] [--epochs N]``
"""

from __future__ import annotations

import sys

import _churn_data as data

seed = data.SEED
featurizeExtractionLayer = data.FEATURIZE_EXTRACTION_LAYER


def main(argv=None) -> int:
    args = data.parser(__doc__.split("\n")[0], epochs=2).parse_args(argv)
    out = data.setup(args)
    nEpochs = args.epochs
    from pydl4j_transfer import (FineTuneConfiguration, GradientNormalization, MultiLayerNetwork, Nesterovs,
                                 NormalDistribution, OptimizationAlgorithm, TransferLearning, TransferLearningHelper)

    # Use the model file saved from chapter 3 example.
    savedLocation = out / "model.zip"
    saveUpdater = True
    if not (data.featurized_folder(out, True) / f"churn-{featurizeExtractionLayer}-train-0.bin").is_file():
        print("featurized data not found: running cookbook_churn_save_featurized.py first")
        import cookbook_churn_save_featurized

        cookbook_churn_save_featurized.main(sys.argv[1:] if argv is None else list(argv))
    oldModel = MultiLayerNetwork.load(savedLocation, saveUpdater)
    # print(oldModel.getLayerWiseConfigurations().toJson())

    fineTuneConf = (FineTuneConfiguration.Builder()
                    .optimizationAlgo(OptimizationAlgorithm.STOCHASTIC_GRADIENT_DESCENT)
                    .updater(Nesterovs(5e-5))
                    .biasInit(0.001)
                    .gradientNormalization(GradientNormalization.RenormalizeL2PerLayer)
                    .l2(0.0001)
                    .weightInit(NormalDistribution(0, 1))  # the book: WeightInit.DISTRIBUTION, refused by M2.1
                    .seed(seed)
                    .build())

    newModel = (TransferLearning.Builder(oldModel)
                .fineTuneConfiguration(fineTuneConf)
                .setFeatureExtractor(featurizeExtractionLayer)
                .build())

    transferLearningHelper = TransferLearningHelper(newModel)

    trainIterFeaturized = data.featurized_iterator(out, True)
    testIterFeaturized = data.featurized_iterator(out, False)

    for i in range(nEpochs):
        if i == 0:
            eval = transferLearningHelper.unfrozenMLN().evaluate(testIterFeaturized)
            print("Eval stats BEFORE fit.....")
            print(eval.stats() + "\n")
            testIterFeaturized.reset()
        iter = 0
        while trainIterFeaturized.hasNext():
            transferLearningHelper.fitFeaturized(trainIterFeaturized.next())
            if iter % 10 == 0:
                print("Evaluate model at iter " + str(iter) + " ....")
                eval = transferLearningHelper.unfrozenMLN().evaluate(testIterFeaturized)
                print(eval.stats())
                testIterFeaturized.reset()
            iter += 1
        trainIterFeaturized.reset()
        print("Epoch #" + str(i) + " complete")
    frozen = [newModel.getLayer(k) for k in range(featurizeExtractionLayer + 1)]
    print("frozen layers kept their parameters:", all(
        (layer.params() == oldModel.getLayer(k).params()).all() for k, layer in enumerate(frozen)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
