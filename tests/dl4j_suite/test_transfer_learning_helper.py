"""DL4J 1.0.0-M2.1's TransferLearningHelperTest, transcribed line by line (see test_transfer_learning_mln.py)."""

from __future__ import annotations

from pydl4j_transfer import *  # DL4J's names, as the Java imports them

from .junit import Nd4j, assertEquals


def test_tesUnfrozenSubset():
    overallConf = NeuralNetConfiguration.Builder().seed(124).activation(Activation.IDENTITY).optimizationAlgo(OptimizationAlgorithm.STOCHASTIC_GRADIENT_DESCENT).updater(Sgd(0.1))
    #
    #                      (inCentre)                        (inRight)
    #                         |                                |
    #                     denseCentre0                         |
    #                         |                                |
    #          ,--------  denseCentre1                       denseRight0
    #         /               |                                |
    # subsetLeft(0-3)    denseCentre2 ---- denseRight ----  mergeRight
    #       |                 |                                |
    #  denseLeft0        denseCentre3                        denseRight1
    #       |                 |                                |
    #   (outLeft)         (outCentre)                        (outRight)
    #
    conf = overallConf.graphBuilder().addInputs("inCentre", "inRight").addLayer("denseCentre0", DenseLayer.Builder().nIn(10).nOut(9).build(), "inCentre").addLayer("denseCentre1", DenseLayer.Builder().nIn(9).nOut(8).build(), "denseCentre0").addLayer("denseCentre2", DenseLayer.Builder().nIn(8).nOut(7).build(), "denseCentre1").addLayer("denseCentre3", DenseLayer.Builder().nIn(7).nOut(7).build(), "denseCentre2").addLayer("outCentre", OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(7).nOut(4).build(), "denseCentre3").addVertex("subsetLeft", SubsetVertex(0, 3), "denseCentre1").addLayer("denseLeft0", DenseLayer.Builder().nIn(4).nOut(5).build(), "subsetLeft").addLayer("outLeft", OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(5).nOut(6).build(), "denseLeft0").addLayer("denseRight", DenseLayer.Builder().nIn(7).nOut(7).build(), "denseCentre2").addLayer("denseRight0", DenseLayer.Builder().nIn(2).nOut(3).build(), "inRight").addVertex("mergeRight", MergeVertex(), "denseRight", "denseRight0").addLayer("denseRight1", DenseLayer.Builder().nIn(10).nOut(5).build(), "mergeRight").addLayer("outRight", OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(5).nOut(5).build(), "denseRight1").setOutputs("outLeft", "outCentre", "outRight").build()
    modelToTune = ComputationGraph(conf)
    modelToTune.init()
    helper = TransferLearningHelper(modelToTune, "denseCentre2")
    modelSubset = helper.unfrozenGraph()
    expectedConf = (  # inputs are in sorted order
        overallConf.graphBuilder().addInputs("denseCentre1", "denseCentre2", "inRight").addLayer("denseCentre3", DenseLayer.Builder().nIn(7).nOut(7).build(), "denseCentre2").addLayer("outCentre", OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(7).nOut(4).build(), "denseCentre3").addVertex("subsetLeft", SubsetVertex(0, 3), "denseCentre1").addLayer("denseLeft0", DenseLayer.Builder().nIn(4).nOut(5).build(), "subsetLeft").addLayer("outLeft", OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(5).nOut(6).build(), "denseLeft0").addLayer("denseRight", DenseLayer.Builder().nIn(7).nOut(7).build(), "denseCentre2").addLayer("denseRight0", DenseLayer.Builder().nIn(2).nOut(3).build(), "inRight").addVertex("mergeRight", MergeVertex(), "denseRight", "denseRight0").addLayer("denseRight1", DenseLayer.Builder().nIn(10).nOut(5).build(), "mergeRight").addLayer("outRight", OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(5).nOut(5).build(), "denseRight1").setOutputs("outLeft", "outCentre", "outRight").build())
    expectedModel = ComputationGraph(expectedConf)
    expectedModel.init()
    assertEquals(expectedConf.toJson(), modelSubset.getConfiguration().toJson())


def test_testFitUnFrozen():
    overallConf = NeuralNetConfiguration.Builder().updater(Sgd(0.9)).seed(124).activation(Activation.IDENTITY).optimizationAlgo(OptimizationAlgorithm.STOCHASTIC_GRADIENT_DESCENT)
    conf = overallConf.graphBuilder().addInputs("inCentre", "inRight").addLayer("denseCentre0", DenseLayer.Builder().nIn(10).nOut(9).build(), "inCentre").addLayer("denseCentre1", DenseLayer.Builder().nIn(9).nOut(8).build(), "denseCentre0").addLayer("denseCentre2", DenseLayer.Builder().nIn(8).nOut(7).build(), "denseCentre1").addLayer("denseCentre3", DenseLayer.Builder().nIn(7).nOut(7).build(), "denseCentre2").addLayer("outCentre", OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(7).nOut(4).build(), "denseCentre3").addVertex("subsetLeft", SubsetVertex(0, 3), "denseCentre1").addLayer("denseLeft0", DenseLayer.Builder().nIn(4).nOut(5).build(), "subsetLeft").addLayer("outLeft", OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(5).nOut(6).build(), "denseLeft0").addLayer("denseRight", DenseLayer.Builder().nIn(7).nOut(7).build(), "denseCentre2").addLayer("denseRight0", DenseLayer.Builder().nIn(2).nOut(3).build(), "inRight").addVertex("mergeRight", MergeVertex(), "denseRight", "denseRight0").addLayer("denseRight1", DenseLayer.Builder().nIn(10).nOut(5).build(), "mergeRight").addLayer("outRight", OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(5).nOut(5).build(), "denseRight1").setOutputs("outLeft", "outCentre", "outRight").build()
    modelToTune = ComputationGraph(conf)
    modelToTune.init()
    inRight = Nd4j.rand(10, 2)
    inCentre = Nd4j.rand(10, 10)
    outLeft = Nd4j.rand(10, 6)
    outRight = Nd4j.rand(10, 5)
    outCentre = Nd4j.rand(10, 4)
    origData = MultiDataSet([inCentre, inRight], [outLeft, outCentre, outRight])
    modelIdentical = modelToTune.clone()
    modelIdentical.getVertex("denseCentre0").setLayerAsFrozen()
    modelIdentical.getVertex("denseCentre1").setLayerAsFrozen()
    modelIdentical.getVertex("denseCentre2").setLayerAsFrozen()
    helper = TransferLearningHelper(modelToTune, "denseCentre2")
    featurizedDataSet = helper.featurize(origData)
    assertEquals(modelIdentical.getLayer("denseRight0").params(), modelToTune.getLayer("denseRight0").params())
    modelIdentical.fit(origData)
    helper.fitFeaturized(featurizedDataSet)
    assertEquals(modelIdentical.getLayer("denseCentre0").params(), modelToTune.getLayer("denseCentre0").params())
    assertEquals(modelIdentical.getLayer("denseCentre1").params(), modelToTune.getLayer("denseCentre1").params())
    assertEquals(modelIdentical.getLayer("denseCentre2").params(), modelToTune.getLayer("denseCentre2").params())
    assertEquals(modelIdentical.getLayer("denseCentre3").params(), modelToTune.getLayer("denseCentre3").params())
    assertEquals(modelIdentical.getLayer("outCentre").params(), modelToTune.getLayer("outCentre").params())
    assertEquals(modelIdentical.getLayer("denseRight").conf().toJson(), modelToTune.getLayer("denseRight").conf().toJson())
    assertEquals(modelIdentical.getLayer("denseRight").params(), modelToTune.getLayer("denseRight").params())
    assertEquals(modelIdentical.getLayer("denseRight0").conf().toJson(), modelToTune.getLayer("denseRight0").conf().toJson())
    # assertEquals(modelIdentical.getLayer("denseRight0").params(),modelToTune.getLayer("denseRight0").params());
    assertEquals(modelIdentical.getLayer("denseRight1").params(), modelToTune.getLayer("denseRight1").params())
    assertEquals(modelIdentical.getLayer("outRight").params(), modelToTune.getLayer("outRight").params())
    assertEquals(modelIdentical.getLayer("denseLeft0").params(), modelToTune.getLayer("denseLeft0").params())
    assertEquals(modelIdentical.getLayer("outLeft").params(), modelToTune.getLayer("outLeft").params())
    # log.info(modelIdentical.summary());
    # log.info(helper.unfrozenGraph().summary());
    modelIdentical.summary()
    helper.unfrozenGraph().summary()


def test_testMLN():
    randomData = DataSet(Nd4j.rand(10, 4), Nd4j.rand(10, 3))
    overallConf = NeuralNetConfiguration.Builder().updater(Sgd(0.1)).optimizationAlgo(OptimizationAlgorithm.STOCHASTIC_GRADIENT_DESCENT).activation(Activation.IDENTITY)
    modelToFineTune = MultiLayerNetwork(overallConf.clone().list().layer(0, DenseLayer.Builder().nIn(4).nOut(3).build()).layer(1, DenseLayer.Builder().nIn(3).nOut(2).build()).layer(2, DenseLayer.Builder().nIn(2).nOut(3).build()).layer(3, OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX).nIn(3).nOut(3).build()).build())
    modelToFineTune.init()
    modelNow = TransferLearning.Builder(modelToFineTune).setFeatureExtractor(1).build()
    ff = modelToFineTune.feedForwardToLayer(2, randomData.getFeatures(), False)
    asFrozenFeatures = ff[2]
    helper = TransferLearningHelper(modelToFineTune, 1)
    paramsLastTwoLayers = Nd4j.hstack(modelToFineTune.getLayer(2).params(), modelToFineTune.getLayer(3).params())
    notFrozen = MultiLayerNetwork(overallConf.clone().list().layer(0, DenseLayer.Builder().nIn(2).nOut(3).build()).layer(1, OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX).nIn(3).nOut(3).build()).build(), paramsLastTwoLayers)
    assertEquals(asFrozenFeatures, helper.featurize(randomData).getFeatures())
    assertEquals(randomData.getLabels(), helper.featurize(randomData).getLabels())
    for i in range(5):
        notFrozen.fit(DataSet(asFrozenFeatures, randomData.getLabels()))
        helper.fitFeaturized(helper.featurize(randomData))
        modelNow.fit(randomData)
    expected = Nd4j.hstack(modelToFineTune.getLayer(0).params(), modelToFineTune.getLayer(1).params(), notFrozen.params())
    act = modelNow.params()
    assertEquals(expected, act)
