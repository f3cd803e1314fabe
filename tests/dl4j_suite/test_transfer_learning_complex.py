"""DL4J 1.0.0-M2.1's TransferLearningComplex, transcribed line by line (see test_transfer_learning_mln.py).
``FrozenLayer`` in the ``instanceof`` checks is the runtime ``org.deeplearning4j.nn.layers.FrozenLayer``."""

from __future__ import annotations

import logging

from pydl4j_transfer import *  # DL4J's names, as the Java imports them
from pydl4j_transfer.nn.layers import FrozenLayer

from .junit import Nd4j, assertEquals, assertFalse, assertTrue

log = logging.getLogger(__name__)


def test_testMergeAndFreeze():
    # in1 -> A -> B -> merge, in2 -> C -> merge -> D -> out
    # Goal here: test a number of things...
    # (a) Ensure that freezing C doesn't impact A and B. Only C should be frozen in this config
    # (b) Test global override (should be selective)

    conf = NeuralNetConfiguration.Builder().updater(Adam(1e-4)).activation(Activation.LEAKYRELU).graphBuilder().addInputs("in1", "in2").addLayer("A", DenseLayer.Builder().nIn(10).nOut(9).build(), "in1").addLayer("B", DenseLayer.Builder().nIn(9).nOut(8).build(), "A").addLayer("C", DenseLayer.Builder().nIn(7).nOut(6).build(), "in2").addLayer("D", DenseLayer.Builder().nIn(8 + 7).nOut(5).build(), "B", "C").addLayer("out", OutputLayer.Builder().nIn(5).nOut(4).activation(Activation.LEAKYRELU).build(), "D").setOutputs("out").validateOutputLayerConfig(False).build()

    graph = ComputationGraph(conf)
    graph.init()

    topologicalOrder = graph.topologicalSortOrder()
    vertices = graph.getVertices()

    for i in range(len(topologicalOrder)):
        v = vertices[topologicalOrder[i]]
        log.info(str(i) + "\t" + v.getVertexName())

    graph2 = TransferLearning.GraphBuilder(graph).fineTuneConfiguration(FineTuneConfiguration.Builder().updater(Adam(2e-2)).build()).setFeatureExtractor("C").validateOutputLayerConfig(False).build()

    cFound = False
    layers = graph2.getLayers()

    for l in layers:
        name = l.conf().getLayer().getLayerName()
        log.info(name + "\t frozen: " + str(isinstance(l, FrozenLayer)))
        if "C" == l.conf().getLayer().getLayerName():
            # Only C should be frozen in this config
            cFound = True
            assertTrue(isinstance(l, FrozenLayer), name)
        else:
            assertFalse(isinstance(l, FrozenLayer), name)

        # Also check config:
        bl = l.conf().getLayer()
        assertEquals(Adam(2e-2), bl.getIUpdater())
        assertEquals(Activation.LEAKYRELU.getActivationFunction(), bl.getActivationFn())
    assertTrue(cFound)


def test_testSimplerMergeBackProp():

    overallConf = NeuralNetConfiguration.Builder().updater(Sgd(0.9)).activation(Activation.IDENTITY).optimizationAlgo(OptimizationAlgorithm.STOCHASTIC_GRADIENT_DESCENT)

    #
    #         inCentre                inRight
    #            |                        |
    #      denseCentre0               denseRight0
    #            |                        |
    #            |------ mergeRight ------|
    #                         |
    #                       outRight
    #

    conf = overallConf.graphBuilder().addInputs("inCentre", "inRight").addLayer("denseCentre0", DenseLayer.Builder().nIn(2).nOut(2).build(), "inCentre").addLayer("denseRight0", DenseLayer.Builder().nIn(2).nOut(2).build(), "inRight").addVertex("mergeRight", MergeVertex(), "denseCentre0", "denseRight0").addLayer("outRight", OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(4).nOut(2).build(), "mergeRight").setOutputs("outRight").build()
    modelToTune = ComputationGraph(conf)
    modelToTune.init()

    randData = MultiDataSet([Nd4j.rand(2, 2), Nd4j.rand(2, 2)], [Nd4j.rand(2, 2)])
    denseCentre0 = modelToTune.feedForward(randData.getFeatures(), False).get("denseCentre0")
    otherRandData = MultiDataSet([denseCentre0, randData.getFeatures(1)], randData.getLabels())

    otherConf = overallConf.graphBuilder().addInputs("denseCentre0", "inRight").addLayer("denseRight0", DenseLayer.Builder().nIn(2).nOut(2).build(), "inRight").addVertex("mergeRight", MergeVertex(), "denseCentre0", "denseRight0").addLayer("outRight", OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(4).nOut(2).build(), "mergeRight").setOutputs("outRight").build()
    modelOther = ComputationGraph(otherConf)
    modelOther.init()
    modelOther.getLayer("denseRight0").setParams(modelToTune.getLayer("denseRight0").params())
    modelOther.getLayer("outRight").setParams(modelToTune.getLayer("outRight").params())

    modelToTune.getVertex("denseCentre0").setLayerAsFrozen()
    modelNow = TransferLearning.GraphBuilder(modelToTune).setFeatureExtractor("denseCentre0").build()
    n = 0
    while n < 5:
        if n == 0:
            # confirm activations out of the merge are equivalent
            assertEquals(modelToTune.feedForward(randData.getFeatures(), False).get("mergeRight"), modelOther.feedForward(otherRandData.getFeatures(), False).get("mergeRight"))
            assertEquals(modelNow.feedForward(randData.getFeatures(), False).get("mergeRight"), modelOther.feedForward(otherRandData.getFeatures(), False).get("mergeRight"))
        # confirm activations out of frozen vertex is the same as the input to the other model
        modelOther.fit(otherRandData)
        modelToTune.fit(randData)
        modelNow.fit(randData)

        assertEquals(otherRandData.getFeatures(0), modelNow.feedForward(randData.getFeatures(), False).get("denseCentre0"))
        assertEquals(otherRandData.getFeatures(0), modelToTune.feedForward(randData.getFeatures(), False).get("denseCentre0"))

        assertEquals(modelOther.getLayer("denseRight0").params(), modelNow.getLayer("denseRight0").params())
        assertEquals(modelOther.getLayer("denseRight0").params(), modelToTune.getLayer("denseRight0").params())

        assertEquals(modelOther.getLayer("outRight").params(), modelNow.getLayer("outRight").params())
        assertEquals(modelOther.getLayer("outRight").params(), modelToTune.getLayer("outRight").params())
        n += 1


def test_testLessSimpleMergeBackProp():

    overallConf = NeuralNetConfiguration.Builder().updater(Sgd(0.9)).activation(Activation.IDENTITY)

    #
    #         inCentre                inRight
    #            |                        |
    #      denseCentre0               denseRight0
    #            |                        |
    #            |------ mergeRight ------|
    #            |            |
    #          outCentre     outRight
    #

    conf = overallConf.graphBuilder().addInputs("inCentre", "inRight").addLayer("denseCentre0", DenseLayer.Builder().nIn(2).nOut(2).build(), "inCentre").addLayer("outCentre", OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(2).nOut(2).build(), "denseCentre0").addLayer("denseRight0", DenseLayer.Builder().nIn(3).nOut(2).build(), "inRight").addVertex("mergeRight", MergeVertex(), "denseCentre0", "denseRight0").addLayer("outRight", OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(4).nOut(2).build(), "mergeRight").setOutputs("outCentre", "outRight").build()
    modelToTune = ComputationGraph(conf)
    modelToTune.init()
    modelToTune.getVertex("denseCentre0").setLayerAsFrozen()

    randData = MultiDataSet([Nd4j.rand(2, 2), Nd4j.rand(2, 3)], [Nd4j.rand(2, 2), Nd4j.rand(2, 2)])
    denseCentre0 = modelToTune.feedForward(randData.getFeatures(), False).get("denseCentre0")
    otherRandData = MultiDataSet([denseCentre0, randData.getFeatures(1)], randData.getLabels())

    modelNow = TransferLearning.GraphBuilder(modelToTune).setFeatureExtractor("denseCentre0").build()
    assertTrue(isinstance(modelNow.getLayer("denseCentre0"), FrozenLayer))
    n = 0
    while n < 5:
        # confirm activations out of frozen vertex is the same as the input to the other model
        modelToTune.fit(randData)
        modelNow.fit(randData)

        assertEquals(otherRandData.getFeatures(0), modelNow.feedForward(randData.getFeatures(), False).get("denseCentre0"))
        assertEquals(otherRandData.getFeatures(0), modelToTune.feedForward(randData.getFeatures(), False).get("denseCentre0"))

        assertEquals(modelToTune.getLayer("denseRight0").params(), modelNow.getLayer("denseRight0").params())

        assertEquals(modelToTune.getLayer("outRight").params(), modelNow.getLayer("outRight").params())

        assertEquals(modelToTune.getLayer("outCentre").params(), modelNow.getLayer("outCentre").params())
        n += 1


def test_testAddOutput():
    overallConf = NeuralNetConfiguration.Builder().updater(Sgd(0.9)).activation(Activation.IDENTITY)

    conf = overallConf.graphBuilder().addInputs("inCentre", "inRight").addLayer("denseCentre0", DenseLayer.Builder().nIn(2).nOut(2).build(), "inCentre").addLayer("denseRight0", DenseLayer.Builder().nIn(2).nOut(2).build(), "inRight").addVertex("mergeRight", MergeVertex(), "denseCentre0", "denseRight0").addLayer("outRight", OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(4).nOut(2).build(), "mergeRight").setOutputs("outRight").build()
    modelToTune = ComputationGraph(conf)
    modelToTune.init()

    modelNow = TransferLearning.GraphBuilder(modelToTune).addLayer("outCentre", OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(2).nOut(3).build(), "denseCentre0").setOutputs("outRight", "outCentre").build()

    assertEquals(2, modelNow.getNumOutputArrays())
    rand = MultiDataSet([Nd4j.rand(2, 2), Nd4j.rand(2, 2)], [Nd4j.rand(2, 2), Nd4j.rand(2, 3)])
    modelNow.fit(rand)
    #        log.info(modelNow.summary());
    #        log.info(modelNow.summary(InputType.feedForward(2),InputType.feedForward(2)));
    modelNow.summary()
    modelNow.summary(InputType.feedForward(2), InputType.feedForward(2))
