"""Port of the Java Deep Learning Cookbook's CustomerRetentionPredictionExample (chapter 3): train a customer-churn
MultiLayerNetwork and save it, with its normalizer, as ``model.zip``: the model chapter 11's transfer-learning
programs (cookbook_churn_save_featurized.py, cookbook_churn_transfer.py) load.

Ported call by call (docs/porting.md, "The cookbook's churn programs"): the network, ``fit(iterator, nEpochs)``,
``evaluate(iterator, labels)``, ``ModelSerializer.writeModel`` / ``addNormalizerToModel`` as in Java. Not ported: the
DataVec pipeline (examples/_churn_data.py does its steps) and the training UI (UIServer, StatsListener).

Usage: ``python examples/cookbook_churn_train.py [--out DIR] [--data Churn_Modelling.csv] [--epochs N]``
"""

from __future__ import annotations

import sys

import numpy as np

import _churn_data as data


def main(argv=None) -> int:
    args = data.parser(__doc__.split("\n")[0], epochs=3).parse_args(argv)
    out = data.setup(args)
    from pydl4j_transfer import (Activation, Adam, DenseLayer, ModelSerializer, MultiLayerNetwork,
                                 NeuralNetConfiguration, OutputLayer, ScoreIterationListener, WeightInit)
    from pydl4j_transfer.conf.values.losses import LossMCXENT

    labelIndex = data.LABEL_INDEX  # noqa: F841  (used by the data pipeline: _churn_data.py)
    weightsArray = np.array([0.57, 0.75], np.float32)  # Nd4j.create(new double[]{0.57, 0.75})

    trainIterator, testIterator, dataNormalization = data.data_set_iterator_splitter(data.churn_csv(args, out))

    print("Building Model------------------->>>>>>>>>")

    configuration = (NeuralNetConfiguration.Builder()
                     .weightInit(WeightInit.RELU_UNIFORM)
                     .updater(Adam(0.015))
                     .list()
                     .layer(DenseLayer.Builder().nIn(11).nOut(6).activation(Activation.RELU).dropOut(0.9).build())
                     .layer(DenseLayer.Builder().nIn(6).nOut(6).activation(Activation.RELU).dropOut(0.9).build())
                     .layer(DenseLayer.Builder().nIn(6).nOut(4).activation(Activation.RELU).dropOut(0.9).build())
                     .layer(OutputLayer.Builder(LossMCXENT(weightsArray)).nIn(4).nOut(2).activation(Activation.SOFTMAX).build())
                     .build())

    multiLayerNetwork = MultiLayerNetwork(configuration)
    multiLayerNetwork.init()
    multiLayerNetwork.setListeners(ScoreIterationListener(100))  # the Java adds a StatsListener for DL4J's UI
    multiLayerNetwork.fit(trainIterator, args.epochs)  # Java's fit(DataSetIterator, int numEpochs)

    evaluation = multiLayerNetwork.evaluate(testIterator, ["0", "1"])
    print(evaluation.stats())

    file = out / "model.zip"
    ModelSerializer.writeModel(multiLayerNetwork, file, True)
    ModelSerializer.addNormalizerToModel(file, dataNormalization)
    print(f"Model saved: {file} (epochs: {multiLayerNetwork.getEpochCount()}, accuracy: {evaluation.accuracy():.3f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
