"""DL4J 1.0.0-M2.1's TransferLearningCompGraphTest, transcribed line by line (see test_transfer_learning_mln.py)."""

from __future__ import annotations


from pydl4j_transfer import *  # DL4J's names, as the Java imports them

from .junit import Nd4j, TestUtils, assertArrayEquals, assertEquals, assertNull


def test_simpleFineTune():
    rng = 12345
    randomData = DataSet(Nd4j.rand(10, 4), Nd4j.rand(10, 3))
    # original conf
    confToChange = NeuralNetConfiguration.Builder().seed(rng).optimizationAlgo(OptimizationAlgorithm.LBFGS).updater(Nesterovs(0.01, 0.99)).graphBuilder().addInputs("layer0In").setInputTypes(InputType.feedForward(4)).addLayer("layer0", DenseLayer.Builder().nIn(4).nOut(3).build(), "layer0In").addLayer("layer1", OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX).nIn(3).nOut(3).build(), "layer0").setOutputs("layer1").build()  # noqa: F841
    # conf with learning parameters changed
    expectedConf = NeuralNetConfiguration.Builder().seed(rng).updater(RmsProp(0.2)).graphBuilder().addInputs("layer0In").setInputTypes(InputType.feedForward(4)).addLayer("layer0", DenseLayer.Builder().nIn(4).nOut(3).build(), "layer0In").addLayer("layer1", OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX).nIn(3).nOut(3).build(), "layer0").setOutputs("layer1").build()
    expectedModel = ComputationGraph(expectedConf)
    expectedModel.init()
    modelToFineTune = ComputationGraph(expectedConf)
    modelToFineTune.init()
    modelToFineTune.setParams(expectedModel.params())
    # model after applying changes with transfer learning
    modelNow = TransferLearning.GraphBuilder(modelToFineTune).fineTuneConfiguration(FineTuneConfiguration.Builder().seed(rng).updater(RmsProp(0.2)).build()).build()
    # Check json
    assertEquals(expectedConf.toJson(), modelNow.getConfiguration().toJson())
    # Check params after fit
    modelNow.fit(randomData)
    expectedModel.fit(randomData)
    assertEquals(modelNow.score(), expectedModel.score(), 1e-8)
    assertEquals(modelNow.params(), expectedModel.params())


def test_testNoutChanges():
    randomData = DataSet(Nd4j.rand(10, 4), Nd4j.rand(10, 2))
    overallConf = NeuralNetConfiguration.Builder().updater(Sgd(0.1)).activation(Activation.IDENTITY)
    fineTuneConfiguration = FineTuneConfiguration.Builder().updater(Sgd(0.1)).activation(Activation.IDENTITY).build()
    modelToFineTune = ComputationGraph(overallConf.graphBuilder().addInputs("layer0In").addLayer("layer0", DenseLayer.Builder().nIn(4).nOut(5).build(), "layer0In").addLayer("layer1", DenseLayer.Builder().nIn(3).nOut(2).build(), "layer0").addLayer("layer2", DenseLayer.Builder().nIn(2).nOut(3).build(), "layer1").addLayer("layer3", OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX).nIn(3).nOut(3).build(), "layer2").setOutputs("layer3").build())
    modelToFineTune.init()
    modelNow = TransferLearning.GraphBuilder(modelToFineTune).fineTuneConfiguration(fineTuneConfiguration).nOutReplace("layer3", 2, WeightInit.XAVIER).nOutReplace("layer0", 3, NormalDistribution(1, 1e-1), WeightInit.XAVIER).build()
    bl0 = modelNow.getLayer("layer0").conf().getLayer()
    bl1 = modelNow.getLayer("layer1").conf().getLayer()
    bl3 = modelNow.getLayer("layer3").conf().getLayer()  # noqa: F841
    assertEquals(bl0.getWeightInitFn(), WeightInitDistribution(NormalDistribution(1, 1e-1)))
    assertEquals(bl1.getWeightInitFn(), WeightInitXavier())
    assertEquals(bl1.getWeightInitFn(), WeightInitXavier())
    modelExpectedArch = ComputationGraph(overallConf.graphBuilder().addInputs("layer0In").addLayer("layer0", DenseLayer.Builder().nIn(4).nOut(3).build(), "layer0In").addLayer("layer1", DenseLayer.Builder().nIn(3).nOut(2).build(), "layer0").addLayer("layer2", DenseLayer.Builder().nIn(2).nOut(3).build(), "layer1").addLayer("layer3", OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX).nIn(3).nOut(2).build(), "layer2").setOutputs("layer3").build())
    modelExpectedArch.init()
    # modelNow should have the same architecture as modelExpectedArch
    assertArrayEquals(modelExpectedArch.params().shape, modelNow.params().shape)
    assertArrayEquals(modelExpectedArch.getLayer("layer0").params().shape, modelNow.getLayer("layer0").params().shape)
    assertArrayEquals(modelExpectedArch.getLayer("layer1").params().shape, modelNow.getLayer("layer1").params().shape)
    assertArrayEquals(modelExpectedArch.getLayer("layer2").params().shape, modelNow.getLayer("layer2").params().shape)
    assertArrayEquals(modelExpectedArch.getLayer("layer3").params().shape, modelNow.getLayer("layer3").params().shape)
    modelNow.setParams(modelExpectedArch.params())
    # fit should give the same results
    modelExpectedArch.fit(randomData)
    modelNow.fit(randomData)
    assertEquals(modelExpectedArch.score(), modelNow.score(), 1e-8)
    assertEquals(modelExpectedArch.params(), modelNow.params())


def test_testRemoveAndAdd():
    randomData = DataSet(Nd4j.rand(10, 4), Nd4j.rand(10, 3))
    overallConf = NeuralNetConfiguration.Builder().updater(Sgd(0.1)).activation(Activation.IDENTITY)
    fineTuneConfiguration = FineTuneConfiguration.Builder().updater(Sgd(0.1)).activation(Activation.IDENTITY).build()
    modelToFineTune = ComputationGraph(overallConf.graphBuilder().addInputs("layer0In").addLayer("layer0", DenseLayer.Builder().nIn(4).nOut(5).build(), "layer0In").addLayer("layer1", DenseLayer.Builder().nIn(5).nOut(2).build(), "layer0").addLayer("layer2", DenseLayer.Builder().nIn(2).nOut(3).build(), "layer1").addLayer("layer3", OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX).nIn(3).nOut(3).build(), "layer2").setOutputs("layer3").build())
    modelToFineTune.init()
    modelNow = TransferLearning.GraphBuilder(modelToFineTune).fineTuneConfiguration(fineTuneConfiguration).nOutReplace("layer0", 7, WeightInit.XAVIER, WeightInit.XAVIER).nOutReplace("layer2", 5, WeightInit.XAVIER).removeVertexKeepConnections("layer3").addLayer("layer3", OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(5).nOut(3).activation(Activation.SOFTMAX).build(), "layer2").build()
    modelExpectedArch = ComputationGraph(overallConf.graphBuilder().addInputs("layer0In").addLayer("layer0", DenseLayer.Builder().nIn(4).nOut(7).build(), "layer0In").addLayer("layer1", DenseLayer.Builder().nIn(7).nOut(2).build(), "layer0").addLayer("layer2", DenseLayer.Builder().nIn(2).nOut(5).build(), "layer1").addLayer("layer3", OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX).nIn(5).nOut(3).build(), "layer2").setOutputs("layer3").build())
    modelExpectedArch.init()
    # modelNow should have the same architecture as modelExpectedArch
    assertArrayEquals(modelExpectedArch.params().shape, modelNow.params().shape)
    assertArrayEquals(modelExpectedArch.getLayer("layer0").params().shape, modelNow.getLayer("layer0").params().shape)
    assertArrayEquals(modelExpectedArch.getLayer("layer1").params().shape, modelNow.getLayer("layer1").params().shape)
    assertArrayEquals(modelExpectedArch.getLayer("layer2").params().shape, modelNow.getLayer("layer2").params().shape)
    assertArrayEquals(modelExpectedArch.getLayer("layer3").params().shape, modelNow.getLayer("layer3").params().shape)
    modelNow.setParams(modelExpectedArch.params())
    # fit should give the same results
    modelExpectedArch.fit(randomData)
    modelNow.fit(randomData)
    assertEquals(modelExpectedArch.score(), modelNow.score(), 1e-8)
    assertEquals(modelExpectedArch.params(), modelNow.params())


def test_testAllWithCNN():
    randomData = DataSet(Nd4j.rand(10, 28 * 28 * 3).reshape(10, 3, 28, 28), Nd4j.rand(10, 10))
    modelToFineTune = ComputationGraph(NeuralNetConfiguration.Builder().seed(123).weightInit(WeightInit.XAVIER).updater(Nesterovs(0.01, 0.9)).graphBuilder().addInputs("layer0In").setInputTypes(InputType.convolutionalFlat(28, 28, 3)).addLayer("layer0", ConvolutionLayer.Builder(5, 5).nIn(3).stride(1, 1).nOut(20).activation(Activation.IDENTITY).build(), "layer0In").addLayer("layer1", SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build(), "layer0").addLayer("layer2", ConvolutionLayer.Builder(5, 5).stride(1, 1).nOut(50).activation(Activation.IDENTITY).build(), "layer1").addLayer("layer3", SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build(), "layer2").addLayer("layer4", DenseLayer.Builder().activation(Activation.RELU).nOut(500).build(), "layer3").addLayer("layer5", DenseLayer.Builder().activation(Activation.RELU).nOut(250).build(), "layer4").addLayer("layer6", OutputLayer.Builder(LossFunctions.LossFunction.NEGATIVELOGLIKELIHOOD).nOut(100).activation(Activation.SOFTMAX).build(), "layer5").setOutputs("layer6").build())
    modelToFineTune.init()
    # this will override the learning configuration set in the model
    overallConf = NeuralNetConfiguration.Builder().seed(456).updater(Sgd(0.001))
    fineTuneConfiguration = FineTuneConfiguration.Builder().seed(456).updater(Sgd(0.001)).build()
    modelNow = TransferLearning.GraphBuilder(modelToFineTune).fineTuneConfiguration(fineTuneConfiguration).setFeatureExtractor("layer1").nOutReplace("layer4", 600, WeightInit.XAVIER).removeVertexAndConnections("layer5").removeVertexAndConnections("layer6").setInputs("layer0In").setInputTypes(InputType.convolutionalFlat(28, 28, 3)).addLayer("layer5", DenseLayer.Builder().activation(Activation.RELU).nIn(600).nOut(300).build(), "layer4").addLayer("layer6", DenseLayer.Builder().activation(Activation.RELU).nIn(300).nOut(150).build(), "layer5").addLayer("layer7", DenseLayer.Builder().activation(Activation.RELU).nIn(150).nOut(50).build(), "layer6").addLayer("layer8", OutputLayer.Builder(LossFunctions.LossFunction.NEGATIVELOGLIKELIHOOD).activation(Activation.SOFTMAX).nIn(50).nOut(10).build(), "layer7").setOutputs("layer8").build()
    modelExpectedArch = ComputationGraph(overallConf.graphBuilder().addInputs("layer0In").setInputTypes(InputType.convolutionalFlat(28, 28, 3)).addLayer("layer0", FrozenLayer(ConvolutionLayer.Builder(5, 5).nIn(3).stride(1, 1).nOut(20).activation(Activation.IDENTITY).build()), "layer0In").addLayer("layer1", FrozenLayer(SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build()), "layer0").addLayer("layer2", ConvolutionLayer.Builder(5, 5).stride(1, 1).nOut(50).activation(Activation.IDENTITY).build(), "layer1").addLayer("layer3", SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build(), "layer2").addLayer("layer4", DenseLayer.Builder().activation(Activation.RELU).nOut(600).build(), "layer3").addLayer("layer5", DenseLayer.Builder().activation(Activation.RELU).nOut(300).build(), "layer4").addLayer("layer6", DenseLayer.Builder().activation(Activation.RELU).nOut(150).build(), "layer5").addLayer("layer7", DenseLayer.Builder().activation(Activation.RELU).nOut(50).build(), "layer6").addLayer("layer8", OutputLayer.Builder(LossFunctions.LossFunction.NEGATIVELOGLIKELIHOOD).nOut(10).activation(Activation.SOFTMAX).build(), "layer7").setOutputs("layer8").build())
    modelExpectedArch.init()
    modelExpectedArch.getVertex("layer0").setLayerAsFrozen()
    modelExpectedArch.getVertex("layer1").setLayerAsFrozen()
    assertEquals(modelExpectedArch.getConfiguration().toJson(), modelNow.getConfiguration().toJson())
    modelNow.setParams(modelExpectedArch.params())
    i = 0
    while i < 5:
        modelExpectedArch.fit(randomData)
        modelNow.fit(randomData)
        i += 1
    assertEquals(modelExpectedArch.params(), modelNow.params())


def test_testTransferGlobalPool():
    conf = NeuralNetConfiguration.Builder().seed(12345).updater(Adam(0.1)).weightInit(WeightInit.XAVIER).graphBuilder().addInputs("in").addLayer("blstm1", GravesBidirectionalLSTM.Builder().nIn(10).nOut(10).activation(Activation.TANH).build(), "in").addLayer("pool", GlobalPoolingLayer.Builder().build(), "blstm1").addLayer("dense", DenseLayer.Builder().nIn(10).nOut(10).build(), "pool").addLayer("out", OutputLayer.Builder().nIn(10).nOut(10).activation(Activation.IDENTITY).lossFunction(LossFunctions.LossFunction.MSE).build(), "dense").setOutputs("out").build()
    g = ComputationGraph(conf)
    g.init()
    fineTuneConfiguration = FineTuneConfiguration.Builder().seed(12345).updater(Sgd(0.01)).build()
    graph = TransferLearning.GraphBuilder(g).fineTuneConfiguration(fineTuneConfiguration).removeVertexKeepConnections("out").setFeatureExtractor("dense").addLayer("out", OutputLayer.Builder().updater(Adam(0.1)).weightInit(WeightInit.XAVIER).activation(Activation.SOFTMAX).lossFunction(LossFunctions.LossFunction.MCXENT).nIn(10).nOut(5).build(), "dense").build()
    confExpected = NeuralNetConfiguration.Builder().seed(12345).updater(Sgd(0.01)).weightInit(WeightInit.XAVIER).graphBuilder().addInputs("in").addLayer("blstm1", FrozenLayer(GravesBidirectionalLSTM.Builder().nIn(10).nOut(10).activation(Activation.TANH).build()), "in").addLayer("pool", FrozenLayer(GlobalPoolingLayer.Builder().build()), "blstm1").addLayer("dense", FrozenLayer(DenseLayer.Builder().nIn(10).nOut(10).build()), "pool").addLayer("out", OutputLayer.Builder().nIn(10).nOut(5).activation(Activation.SOFTMAX).updater(Adam(0.1)).lossFunction(LossFunctions.LossFunction.MCXENT).build(), "dense").setOutputs("out").build()
    modelExpected = ComputationGraph(confExpected)
    modelExpected.init()
    # assertEquals(confExpected, graph.getConfiguration());
    assertEquals(confExpected.toJson(), graph.getConfiguration().toJson())


def test_testObjectOverrides():
    # https://github.com/eclipse/deeplearning4j/issues/4368
    conf = NeuralNetConfiguration.Builder().dropOut(0.5).weightNoise(DropConnect(0.5)).l2(0.5).constrainWeights(UnitNormConstraint()).graphBuilder().addInputs("in").addLayer("layer", DenseLayer.Builder().nIn(10).nOut(10).build(), "in").setOutputs("layer").build()
    orig = ComputationGraph(conf)
    orig.init()
    ftc = FineTuneConfiguration.Builder().dropOut(0).weightNoise(None).constraints(None).l2(0.0).build()
    transfer = TransferLearning.GraphBuilder(orig).fineTuneConfiguration(ftc).build()
    l = transfer.getLayer(0).conf().getLayer()
    assertNull(l.getIDropout())
    assertNull(l.getWeightNoise())
    assertNull(l.getConstraints())
    assertNull(TestUtils.getL2Reg(l))


def test_testTransferLearningSubsequent():
    inputName = "in"
    outputName = "out"
    firstConv = "firstConv"
    secondConv = "secondConv"
    input = Nd4j.create(6, 6, 6, 6)
    graph = ComputationGraph(NeuralNetConfiguration.Builder().weightInit(ConstantDistribution(666)).graphBuilder().addInputs(inputName).setOutputs(outputName).setInputTypes(InputType.inferInputTypes(input)).addLayer(firstConv, Convolution2D.Builder(3, 3).nOut(10).build(), inputName).addLayer(secondConv, Convolution2D.Builder(1, 1).nOut(3).build(), firstConv).addLayer(outputName, OutputLayer.Builder().nOut(2).lossFunction(LossFunctions.LossFunction.MSE).build(), secondConv).build())
    graph.init()
    newGraph = TransferLearning.GraphBuilder(graph).nOutReplace(firstConv, 7, ConstantDistribution(333)).nOutReplace(secondConv, 3, ConstantDistribution(111)).removeVertexAndConnections(outputName).addLayer(outputName, OutputLayer.Builder().nIn(48).nOut(2).lossFunction(LossFunctions.LossFunction.MSE).build(), CnnToFeedForwardPreProcessor(4, 4, 3), secondConv).setOutputs(outputName).build()
    newGraph.init()
    assertEquals(7, newGraph.layerInputSize(secondConv), "Incorrect # inputs")
    newGraph.outputSingle(input)


def test_testChangeNOutNIn():
    inputName = "input"
    changeNoutName = "changeNout"
    poolName = "pool"
    afterPoolName = "afterPool"
    outputName = "output"
    input = Nd4j.create([1, 2, 4, 4])
    graph = ComputationGraph(NeuralNetConfiguration.Builder().graphBuilder().addInputs(inputName).setOutputs(outputName).setInputTypes(InputType.inferInputTypes(input)).addLayer(changeNoutName, Convolution2D.Builder(1, 1).nOut(10).build(), inputName).addLayer(poolName, SubsamplingLayer.Builder(1, 1).build(), changeNoutName).addLayer(afterPoolName, Convolution2D.Builder(1, 1).nOut(7).build(), poolName).addLayer(outputName, OutputLayer.Builder().activation(Activation.SOFTMAX).nOut(2).build(), afterPoolName).build())
    graph.init()
    newGraph = TransferLearning.GraphBuilder(graph).nOutReplace(changeNoutName, 5, WeightInit.XAVIER).nInReplace(afterPoolName, 5, WeightInit.XAVIER).build()
    newGraph.init()
    assertEquals(5, newGraph.layerSize(changeNoutName), "Incorrect number of outputs!")
    assertEquals(5, newGraph.layerInputSize(afterPoolName), "Incorrect number of inputs!")
    newGraph.output(input)


def test_testTransferLearningSameDiffLayersGraph():
    conf = NeuralNetConfiguration.Builder().graphBuilder().addInputs("in").layer("l0", LSTM.Builder().nIn(5).nOut(5).build(), "in").layer("l1", RecurrentAttentionLayer.Builder().nHeads(1).headSize(5).nIn(5).nOut(5).build(), "l0").layer("out", RnnOutputLayer.Builder().nIn(5).nOut(5).activation(Activation.SOFTMAX).build(), "l1").setOutputs("out").build()
    cg = ComputationGraph(conf)
    cg.init()
    arr = Nd4j.rand(DataType.FLOAT, 2, 5, 10)
    out = cg.output(arr)[0]
    cg2 = TransferLearning.GraphBuilder(cg).removeVertexAndConnections("out").fineTuneConfiguration(FineTuneConfiguration.builder().updater(Adam(0.01)).build()).removeVertexAndConnections("out").addLayer("newOut", RnnOutputLayer.Builder().nIn(5).nOut(5).activation(Activation.SOFTMAX).build(), "l1").setOutputs("newOut").build()
    cg2.output(arr)
    m = dict(cg.paramTable())
    m["newOut_W"] = m.pop("out_W")
    m["newOut_b"] = m.pop("out_b")
    cg2.setParamTable(m)
    p1 = cg.paramTable()
    p2 = cg2.paramTable()
    for s in p1.keys():
        i1 = p1.get(s)
        i2 = p2.get(s.replace("out", "newOut"))
        assertEquals(i1, i2, s)
    out2 = cg2.outputSingle(arr)
    assertEquals(out, out2)


def test_testTransferLearningSameDiffLayersGraphVertex():
    conf = NeuralNetConfiguration.Builder().graphBuilder().addInputs("in").layer("l0", LSTM.Builder().nIn(5).nOut(5).build(), "in").addVertex("l1", AttentionVertex.Builder().nHeads(1).headSize(5).nInKeys(5).nInQueries(5).nInValues(5).nOut(5).build(), "l0", "l0", "l0").layer("out", RnnOutputLayer.Builder().nIn(5).nOut(5).activation(Activation.SOFTMAX).build(), "l1").setOutputs("out").build()
    cg = ComputationGraph(conf)
    cg.init()
    arr = Nd4j.rand(DataType.FLOAT, 2, 5, 10)
    out = cg.output(arr)[0]
    cg2 = TransferLearning.GraphBuilder(cg).removeVertexAndConnections("out").fineTuneConfiguration(FineTuneConfiguration.builder().updater(Adam(0.01)).build()).removeVertexAndConnections("out").addLayer("newOut", RnnOutputLayer.Builder().nIn(5).nOut(5).activation(Activation.SOFTMAX).build(), "l1").setOutputs("newOut").build()
    cg2.output(arr)
    m = dict(cg.paramTable())
    m["newOut_W"] = m.pop("out_W")
    m["newOut_b"] = m.pop("out_b")
    cg2.setParamTable(m)
    p1 = cg.paramTable()
    p2 = cg2.paramTable()
    for s in p1.keys():
        i1 = p1.get(s)
        i2 = p2.get(s.replace("out", "newOut"))
        assertEquals(i1, i2, s)
    out2 = cg2.outputSingle(arr)
    assertEquals(out, out2)
