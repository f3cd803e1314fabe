"""DL4J 1.0.0-M2.1's FrozenLayerTest (org.eclipse.deeplearning4j.dl4jcore.nn.layers), transcribed line by line (see
test_transfer_learning_mln.py). The Java spells the configuration classes ``org.deeplearning4j.nn.conf.layers.OutputLayer``
and ``...conf.layers.misc.FrozenLayer`` in full: ``pydl4j_transfer.conf.OutputLayer`` / ``pydl4j_transfer.conf.FrozenLayer``."""

from __future__ import annotations

import pydl4j_transfer.conf
from pydl4j_transfer import *  # DL4J's names, as the Java imports them

from .junit import Nd4j, assertEquals


def test_testFrozen():
    randomData = DataSet(Nd4j.rand(10, 4), Nd4j.rand(10, 3))
    overallConf = NeuralNetConfiguration.Builder().updater(Sgd(0.1)).activation(Activation.IDENTITY)
    finetune = FineTuneConfiguration.Builder().updater(Sgd(0.1)).build()
    modelToFineTune = MultiLayerNetwork(overallConf.clone().list().layer(0, DenseLayer.Builder().nIn(4).nOut(3).build()).layer(1, DenseLayer.Builder().nIn(3).nOut(2).build()).layer(2, DenseLayer.Builder().nIn(2).nOut(3).build()).layer(3, pydl4j_transfer.conf.OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX).nIn(3).nOut(3).build()).build())
    modelToFineTune.init()
    ff = modelToFineTune.feedForwardToLayer(2, randomData.getFeatures(), False)
    asFrozenFeatures = ff[2]
    modelNow = TransferLearning.Builder(modelToFineTune).fineTuneConfiguration(finetune).setFeatureExtractor(1).build()
    paramsLastTwoLayers = Nd4j.hstack(modelToFineTune.getLayer(2).params(), modelToFineTune.getLayer(3).params())
    notFrozen = MultiLayerNetwork(overallConf.clone().list().layer(0, DenseLayer.Builder().nIn(2).nOut(3).build()).layer(1, pydl4j_transfer.conf.OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX).nIn(3).nOut(3).build()).build(), paramsLastTwoLayers)
    # assertEquals(modelNow.getLayer(2).conf(), notFrozen.getLayer(0).conf());  //Equal, other than names
    # assertEquals(modelNow.getLayer(3).conf(), notFrozen.getLayer(1).conf());  //Equal, other than names
    # Check: forward pass
    outNow = modelNow.output(randomData.getFeatures())
    outNotFrozen = notFrozen.output(asFrozenFeatures)
    assertEquals(outNow, outNotFrozen)
    for i in range(5):
        notFrozen.fit(DataSet(asFrozenFeatures, randomData.getLabels()))
        modelNow.fit(randomData)
    expected = Nd4j.hstack(modelToFineTune.getLayer(0).params(), modelToFineTune.getLayer(1).params(), notFrozen.params())
    act = modelNow.params()
    assertEquals(expected, act)


def test_cloneMLNFrozen():
    randomData = DataSet(Nd4j.rand(10, 4), Nd4j.rand(10, 3))
    overallConf = NeuralNetConfiguration.Builder().updater(Sgd(0.1)).activation(Activation.IDENTITY)
    modelToFineTune = MultiLayerNetwork(overallConf.list().layer(0, DenseLayer.Builder().nIn(4).nOut(3).build()).layer(1, DenseLayer.Builder().nIn(3).nOut(2).build()).layer(2, DenseLayer.Builder().nIn(2).nOut(3).build()).layer(3, pydl4j_transfer.conf.OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX).nIn(3).nOut(3).build()).build())
    modelToFineTune.init()
    asFrozenFeatures = modelToFineTune.feedForwardToLayer(2, randomData.getFeatures(), False)[2]
    modelNow = TransferLearning.Builder(modelToFineTune).setFeatureExtractor(1).build()
    clonedModel = modelNow.clone()
    # Check json
    assertEquals(modelNow.getLayerWiseConfigurations().toJson(), clonedModel.getLayerWiseConfigurations().toJson())
    # Check params
    assertEquals(modelNow.params(), clonedModel.params())
    notFrozen = MultiLayerNetwork(overallConf.list().layer(0, DenseLayer.Builder().nIn(2).nOut(3).build()).layer(1, pydl4j_transfer.conf.OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX).nIn(3).nOut(3).build()).build(), Nd4j.hstack(modelToFineTune.getLayer(2).params(), modelToFineTune.getLayer(3).params()))
    i = 0
    while i < 5:
        notFrozen.fit(DataSet(asFrozenFeatures, randomData.getLabels()))
        modelNow.fit(randomData)
        clonedModel.fit(randomData)
        i += 1
    expectedParams = Nd4j.hstack(modelToFineTune.getLayer(0).params(), modelToFineTune.getLayer(1).params(), notFrozen.params())
    assertEquals(expectedParams, modelNow.params())
    assertEquals(expectedParams, clonedModel.params())


def test_testFrozenCompGraph():
    randomData = DataSet(Nd4j.rand(10, 4), Nd4j.rand(10, 3))
    overallConf = NeuralNetConfiguration.Builder().updater(Sgd(0.1)).activation(Activation.IDENTITY)
    modelToFineTune = ComputationGraph(overallConf.graphBuilder().addInputs("layer0In").addLayer("layer0", DenseLayer.Builder().nIn(4).nOut(3).build(), "layer0In").addLayer("layer1", DenseLayer.Builder().nIn(3).nOut(2).build(), "layer0").addLayer("layer2", DenseLayer.Builder().nIn(2).nOut(3).build(), "layer1").addLayer("layer3", pydl4j_transfer.conf.OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX).nIn(3).nOut(3).build(), "layer2").setOutputs("layer3").build())
    modelToFineTune.init()
    asFrozenFeatures = modelToFineTune.feedForward(randomData.getFeatures(), False).get("layer1")
    modelNow = TransferLearning.GraphBuilder(modelToFineTune).setFeatureExtractor("layer1").build()
    notFrozen = ComputationGraph(overallConf.graphBuilder().addInputs("layer0In").addLayer("layer0", DenseLayer.Builder().nIn(2).nOut(3).build(), "layer0In").addLayer("layer1", pydl4j_transfer.conf.OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX).nIn(3).nOut(3).build(), "layer0").setOutputs("layer1").build())
    notFrozen.init()
    notFrozen.setParams(Nd4j.hstack(modelToFineTune.getLayer("layer2").params(), modelToFineTune.getLayer("layer3").params()))
    i = 0
    while i < 5:
        notFrozen.fit(DataSet(asFrozenFeatures, randomData.getLabels()))
        modelNow.fit(randomData)
        i += 1
    assertEquals(Nd4j.hstack(modelToFineTune.getLayer("layer0").params(), modelToFineTune.getLayer("layer1").params(), notFrozen.params()), modelNow.params())


def test_cloneCompGraphFrozen():
    randomData = DataSet(Nd4j.rand(10, 4), Nd4j.rand(10, 3))
    overallConf = NeuralNetConfiguration.Builder().updater(Sgd(0.1)).activation(Activation.IDENTITY)
    modelToFineTune = ComputationGraph(overallConf.graphBuilder().addInputs("layer0In").addLayer("layer0", DenseLayer.Builder().nIn(4).nOut(3).build(), "layer0In").addLayer("layer1", DenseLayer.Builder().nIn(3).nOut(2).build(), "layer0").addLayer("layer2", DenseLayer.Builder().nIn(2).nOut(3).build(), "layer1").addLayer("layer3", pydl4j_transfer.conf.OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX).nIn(3).nOut(3).build(), "layer2").setOutputs("layer3").build())
    modelToFineTune.init()
    asFrozenFeatures = modelToFineTune.feedForward(randomData.getFeatures(), False).get("layer1")
    modelNow = TransferLearning.GraphBuilder(modelToFineTune).setFeatureExtractor("layer1").build()
    clonedModel = modelNow.clone()
    # Check json
    assertEquals(clonedModel.getConfiguration().toJson(), modelNow.getConfiguration().toJson())
    # Check params
    assertEquals(modelNow.params(), clonedModel.params())
    notFrozen = ComputationGraph(overallConf.graphBuilder().addInputs("layer0In").addLayer("layer0", DenseLayer.Builder().nIn(2).nOut(3).build(), "layer0In").addLayer("layer1", pydl4j_transfer.conf.OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX).nIn(3).nOut(3).build(), "layer0").setOutputs("layer1").build())
    notFrozen.init()
    notFrozen.setParams(Nd4j.hstack(modelToFineTune.getLayer("layer2").params(), modelToFineTune.getLayer("layer3").params()))
    i = 0
    while i < 5:
        notFrozen.fit(DataSet(asFrozenFeatures, randomData.getLabels()))
        modelNow.fit(randomData)
        clonedModel.fit(randomData)
        i += 1
    expectedParams = Nd4j.hstack(modelToFineTune.getLayer("layer0").params(), modelToFineTune.getLayer("layer1").params(), notFrozen.params())
    assertEquals(expectedParams, modelNow.params())
    assertEquals(expectedParams, clonedModel.params())


def test_testFrozenLayerInstantiation():
    # We need to be able to instantitate frozen layers from JSON etc, and have them be the same as if
    # they were initialized via the builder
    conf1 = NeuralNetConfiguration.Builder().seed(12345).list().layer(0, DenseLayer.Builder().nIn(10).nOut(10).activation(Activation.TANH).weightInit(WeightInit.XAVIER).build()).layer(1, DenseLayer.Builder().nIn(10).nOut(10).activation(Activation.TANH).weightInit(WeightInit.XAVIER).build()).layer(2, pydl4j_transfer.conf.OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX).nIn(10).nOut(10).build()).build()
    conf2 = NeuralNetConfiguration.Builder().seed(12345).list().layer(0, pydl4j_transfer.conf.FrozenLayer(DenseLayer.Builder().nIn(10).nOut(10).activation(Activation.TANH).weightInit(WeightInit.XAVIER).build())).layer(1, pydl4j_transfer.conf.FrozenLayer(DenseLayer.Builder().nIn(10).nOut(10).activation(Activation.TANH).weightInit(WeightInit.XAVIER).build())).layer(2, pydl4j_transfer.conf.OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX).nIn(10).nOut(10).build()).build()
    net1 = MultiLayerNetwork(conf1)
    net1.init()
    net2 = MultiLayerNetwork(conf2)
    net2.init()
    assertEquals(net1.params(), net2.params())
    json = conf2.toJson()
    fromJson = MultiLayerConfiguration.fromJson(json)
    assertEquals(conf2, fromJson)
    net3 = MultiLayerNetwork(fromJson)
    net3.init()
    input = Nd4j.rand(10, 10)
    out2 = net2.output(input)
    out3 = net3.output(input)
    assertEquals(out2, out3)


def test_testFrozenLayerInstantiationCompGraph():
    # We need to be able to instantitate frozen layers from JSON etc, and have them be the same as if
    # they were initialized via the builder
    conf1 = NeuralNetConfiguration.Builder().seed(12345).graphBuilder().addInputs("in").addLayer("0", DenseLayer.Builder().nIn(10).nOut(10).activation(Activation.TANH).weightInit(WeightInit.XAVIER).build(), "in").addLayer("1", DenseLayer.Builder().nIn(10).nOut(10).activation(Activation.TANH).weightInit(WeightInit.XAVIER).build(), "0").addLayer("2", pydl4j_transfer.conf.OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX).nIn(10).nOut(10).build(), "1").setOutputs("2").build()
    conf2 = NeuralNetConfiguration.Builder().seed(12345).graphBuilder().addInputs("in").addLayer("0", pydl4j_transfer.conf.FrozenLayer.Builder().layer(DenseLayer.Builder().nIn(10).nOut(10).activation(Activation.TANH).weightInit(WeightInit.XAVIER).build()).build(), "in").addLayer("1", pydl4j_transfer.conf.FrozenLayer.Builder().layer(DenseLayer.Builder().nIn(10).nOut(10).activation(Activation.TANH).weightInit(WeightInit.XAVIER).build()).build(), "0").addLayer("2", pydl4j_transfer.conf.OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX).nIn(10).nOut(10).build(), "1").setOutputs("2").build()
    net1 = ComputationGraph(conf1)
    net1.init()
    net2 = ComputationGraph(conf2)
    net2.init()
    assertEquals(net1.params(), net2.params())
    json = conf2.toJson()
    fromJson = ComputationGraphConfiguration.fromJson(json)
    assertEquals(conf2, fromJson)
    net3 = ComputationGraph(fromJson)
    net3.init()
    input = Nd4j.rand(10, 10)
    out2 = net2.outputSingle(input)
    out3 = net3.outputSingle(input)
    assertEquals(out2, out3)
