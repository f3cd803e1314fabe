"""DL4J 1.0.0-M2.1's TransferLearningMLNTest (platform-tests, org.eclipse.deeplearning4j.dl4jcore.nn.transferlearning),
transcribed line by line: ``new``, ``;``, casts and Java's local types dropped, INDArray's ``shape()`` / ``dup()`` as
numpy's ``shape`` / ``copy()``, overloads as keyword arguments."""

from __future__ import annotations


from pydl4j_transfer import *  # DL4J's names, as the Java imports them
from pydl4j_transfer.conf.serde import JsonMappers

from .junit import Nd4j, TestUtils, assertArrayEquals, assertEquals, assertNull


def test_simpleFineTune():
    rng = 12345
    Nd4j.getRandom().setSeed(rng)
    randomData = DataSet(Nd4j.rand(DataType.FLOAT, 10, 4), TestUtils.randomOneHot(DataType.FLOAT, 10, 3))
    # original conf
    confToChange = NeuralNetConfiguration.Builder().seed(rng).optimizationAlgo(OptimizationAlgorithm.LBFGS).updater(Nesterovs(0.01, 0.99))
    modelToFineTune = MultiLayerNetwork(confToChange.list().layer(0, DenseLayer.Builder().nIn(4).nOut(3).build()).layer(1, OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX).nIn(3).nOut(3).build()).build())
    modelToFineTune.init()
    # model after applying changes with transfer learning
    modelNow = TransferLearning.Builder(modelToFineTune).fineTuneConfiguration(FineTuneConfiguration.Builder().seed(rng).optimizationAlgo(OptimizationAlgorithm.STOCHASTIC_GRADIENT_DESCENT).updater(  # Intent: override both weight and bias LR, unless bias LR is manually set also
        RmsProp(0.5)).l2(0.4).build()).build()
    for l in modelNow.getLayers():
        bl = l.conf().getLayer()
        assertEquals(RmsProp(0.5), bl.getIUpdater())
    confSet = NeuralNetConfiguration.Builder().seed(rng).optimizationAlgo(OptimizationAlgorithm.STOCHASTIC_GRADIENT_DESCENT).updater(RmsProp(0.5)).l2(0.4)
    expectedModel = MultiLayerNetwork(confSet.list().layer(0, DenseLayer.Builder().nIn(4).nOut(3).build()).layer(1, OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX).nIn(3).nOut(3).build()).build())
    expectedModel.init()
    expectedModel.setParams(modelToFineTune.params().copy())
    assertEquals(expectedModel.params(), modelNow.params())
    # Check json
    expectedConf = expectedModel.getLayerWiseConfigurations()
    assertEquals(expectedConf.toJson(), modelNow.getLayerWiseConfigurations().toJson())
    # Check params after fit
    modelNow.fit(randomData)
    expectedModel.fit(randomData)
    assertEquals(modelNow.score(), expectedModel.score(), 1e-6)
    pExp = expectedModel.params()
    pNow = modelNow.params()
    assertEquals(pExp, pNow)


def test_testNoutChanges():
    Nd4j.getRandom().setSeed(12345)
    randomData = DataSet(Nd4j.rand(DataType.FLOAT, 10, 4), TestUtils.randomOneHot(DataType.FLOAT, 10, 2))
    equivalentConf = NeuralNetConfiguration.Builder().updater(Sgd(0.1))
    overallConf = FineTuneConfiguration.Builder().updater(Sgd(0.1)).build()
    modelToFineTune = MultiLayerNetwork(equivalentConf.list().layer(0, DenseLayer.Builder().nIn(4).nOut(5).build()).layer(1, DenseLayer.Builder().nIn(3).nOut(2).build()).layer(2, DenseLayer.Builder().nIn(2).nOut(3).build()).layer(3, OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX).nIn(3).nOut(3).build()).build())
    modelToFineTune.init()
    modelNow = TransferLearning.Builder(modelToFineTune).fineTuneConfiguration(overallConf).nOutReplace(3, 2, WeightInit.XAVIER, WeightInit.XAVIER).nOutReplace(0, 3, WeightInit.XAVIER, NormalDistribution(1, 1e-1)).build()
    modelExpectedArch = MultiLayerNetwork(equivalentConf.list().layer(0, DenseLayer.Builder().nIn(4).nOut(3).build()).layer(1, DenseLayer.Builder().nIn(3).nOut(2).build()).layer(2, DenseLayer.Builder().nIn(2).nOut(3).build()).layer(3, OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX).nIn(3).nOut(2).build()).build())
    modelExpectedArch.init()
    # Will fail - expected because of dist and weight init changes
    # assertEquals(modelExpectedArch.getLayerWiseConfigurations().toJson(), modelNow.getLayerWiseConfigurations().toJson());
    bl0 = modelNow.getLayerWiseConfigurations().getConf(0).getLayer()
    bl1 = modelNow.getLayerWiseConfigurations().getConf(1).getLayer()
    bl3 = modelNow.getLayerWiseConfigurations().getConf(3).getLayer()
    assertEquals(type(bl0.getWeightInitFn()), WeightInitXavier)
    assertEquals(JsonMappers.getMapper().writeValueAsString(bl1.getWeightInitFn()), JsonMappers.getMapper().writeValueAsString(WeightInitDistribution(NormalDistribution(1, 1e-1))))
    assertEquals(bl3.getWeightInitFn(), WeightInitXavier())
    # modelNow should have the same architecture as modelExpectedArch
    assertArrayEquals(modelExpectedArch.params().shape, modelNow.params().shape)
    assertArrayEquals(modelExpectedArch.getLayer(0).params().shape, modelNow.getLayer(0).params().shape)
    assertArrayEquals(modelExpectedArch.getLayer(1).params().shape, modelNow.getLayer(1).params().shape)
    assertArrayEquals(modelExpectedArch.getLayer(2).params().shape, modelNow.getLayer(2).params().shape)
    assertArrayEquals(modelExpectedArch.getLayer(3).params().shape, modelNow.getLayer(3).params().shape)
    modelNow.setParams(modelExpectedArch.params())
    # fit should give the same results
    modelExpectedArch.fit(randomData)
    modelNow.fit(randomData)
    assertEquals(modelExpectedArch.score(), modelNow.score(), 0.000001)
    assertEquals(modelExpectedArch.params(), modelNow.params())


def test_testRemoveAndAdd():
    Nd4j.getRandom().setSeed(12345)
    randomData = DataSet(Nd4j.rand(DataType.FLOAT, 10, 4), TestUtils.randomOneHot(DataType.FLOAT, 10, 3))
    equivalentConf = NeuralNetConfiguration.Builder().updater(Sgd(0.1))
    overallConf = FineTuneConfiguration.Builder().updater(Sgd(0.1)).build()
    modelToFineTune = MultiLayerNetwork(  # overallConf.list()
        equivalentConf.list().layer(0, DenseLayer.Builder().nIn(4).nOut(5).build()).layer(1, DenseLayer.Builder().nIn(5).nOut(2).build()).layer(2, DenseLayer.Builder().nIn(2).nOut(3).build()).layer(3, OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX).nIn(3).nOut(3).build()).build())
    modelToFineTune.init()
    modelNow = TransferLearning.Builder(modelToFineTune).fineTuneConfiguration(overallConf).nOutReplace(0, 7, WeightInit.XAVIER, WeightInit.XAVIER).nOutReplace(2, 5, WeightInit.XAVIER).removeOutputLayer().addLayer(OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(5).nOut(3).updater(Sgd(0.5)).activation(Activation.SOFTMAX).build()).build()
    modelExpectedArch = MultiLayerNetwork(equivalentConf.list().layer(0, DenseLayer.Builder().nIn(4).nOut(7).build()).layer(1, DenseLayer.Builder().nIn(7).nOut(2).build()).layer(2, DenseLayer.Builder().nIn(2).nOut(5).build()).layer(3, OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX).updater(Sgd(0.5)).nIn(5).nOut(3).build()).build())
    modelExpectedArch.init()
    # modelNow should have the same architecture as modelExpectedArch
    assertArrayEquals(modelExpectedArch.params().shape, modelNow.params().shape)
    assertArrayEquals(modelExpectedArch.getLayer(0).params().shape, modelNow.getLayer(0).params().shape)
    assertArrayEquals(modelExpectedArch.getLayer(1).params().shape, modelNow.getLayer(1).params().shape)
    assertArrayEquals(modelExpectedArch.getLayer(2).params().shape, modelNow.getLayer(2).params().shape)
    assertArrayEquals(modelExpectedArch.getLayer(3).params().shape, modelNow.getLayer(3).params().shape)
    modelNow.setParams(modelExpectedArch.params())
    # fit should give the same results
    modelExpectedArch.fit(randomData)
    modelNow.fit(randomData)
    scoreExpected = modelExpectedArch.score()
    scoreActual = modelNow.score()
    assertEquals(scoreExpected, scoreActual, 1e-4)
    assertEquals(modelExpectedArch.params(), modelNow.params())


def test_testRemoveAndProcessing():
    V_WIDTH = 130
    V_HEIGHT = 130
    V_NFRAMES = 150
    confForArchitecture = (  # l2 regularization on all layers
        NeuralNetConfiguration.Builder().seed(12345).l2(0.001).optimizationAlgo(OptimizationAlgorithm.STOCHASTIC_GRADIENT_DESCENT).updater(AdaGrad(0.4)).list().layer(0,  # 3 channels: RGB
        ConvolutionLayer.Builder(10, 10).nIn(3).nOut(30).stride(4, 4).activation(Activation.RELU).weightInit(WeightInit.RELU).build()).layer(1, SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(3, 3).stride(2, 2).build()).layer(2, ConvolutionLayer.Builder(3, 3).nIn(30).nOut(10).stride(2, 2).activation(Activation.RELU).weightInit(WeightInit.RELU).build()).layer(3, DenseLayer.Builder().activation(Activation.RELU).nIn(490).nOut(50).weightInit(WeightInit.RELU).updater(AdaGrad(0.5)).gradientNormalization(GradientNormalization.ClipElementWiseAbsoluteValue).gradientNormalizationThreshold(10).build()).layer(4, GravesLSTM.Builder().activation(Activation.SOFTSIGN).nIn(50).nOut(50).weightInit(WeightInit.XAVIER).updater(AdaGrad(0.6)).gradientNormalization(GradientNormalization.ClipElementWiseAbsoluteValue).gradientNormalizationThreshold(10).build()).layer(5, RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX).nIn(50).nOut(  # 4 possible shapes: circle, square, arc, line
        4).weightInit(WeightInit.XAVIER).gradientNormalization(GradientNormalization.ClipElementWiseAbsoluteValue).gradientNormalizationThreshold(10).build()).inputPreProcessor(0, RnnToCnnPreProcessor(V_HEIGHT, V_WIDTH, 3)).inputPreProcessor(3, CnnToFeedForwardPreProcessor(7, 7, 10)).inputPreProcessor(4, FeedForwardToRnnPreProcessor()).backpropType(BackpropType.TruncatedBPTT).tBPTTForwardLength(V_NFRAMES // 5).tBPTTBackwardLength(V_NFRAMES // 5).build())
    modelExpectedArch = MultiLayerNetwork(confForArchitecture)
    modelExpectedArch.init()
    modelToTweak = MultiLayerNetwork(NeuralNetConfiguration.Builder().seed(12345).updater(RmsProp(0.1)).list().layer(0,  # Only keep the first layer the same
        ConvolutionLayer.Builder(10, 10).nIn(  # 3 channels: RGB
        3).nOut(30).stride(4, 4).activation(Activation.RELU).weightInit(WeightInit.RELU).updater(AdaGrad(0.1)).build()).layer(1, SubsamplingLayer.Builder(  # change kernel size
        SubsamplingLayer.PoolingType.MAX).kernelSize(5, 5).stride(2, 2).build()).layer(2,  # change here
        ConvolutionLayer.Builder(6, 6).nIn(30).nOut(10).stride(2, 2).activation(Activation.RELU).weightInit(WeightInit.RELU).build()).layer(3,  # change here
        DenseLayer.Builder().activation(Activation.RELU).nIn(250).nOut(50).weightInit(WeightInit.RELU).gradientNormalization(GradientNormalization.ClipElementWiseAbsoluteValue).gradientNormalizationThreshold(10).updater(RmsProp(0.01)).build()).layer(4,  # change here
        GravesLSTM.Builder().activation(Activation.SOFTSIGN).nIn(50).nOut(25).weightInit(WeightInit.XAVIER).build()).layer(5, RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX).nIn(25).nOut(4).weightInit(WeightInit.XAVIER).gradientNormalization(GradientNormalization.ClipElementWiseAbsoluteValue).gradientNormalizationThreshold(10).build()).inputPreProcessor(0, RnnToCnnPreProcessor(V_HEIGHT, V_WIDTH, 3)).inputPreProcessor(3, CnnToFeedForwardPreProcessor(5, 5, 10)).inputPreProcessor(4, FeedForwardToRnnPreProcessor()).backpropType(BackpropType.TruncatedBPTT).tBPTTForwardLength(V_NFRAMES // 5).tBPTTBackwardLength(V_NFRAMES // 5).build())
    modelToTweak.init()
    modelNow = TransferLearning.Builder(modelToTweak).fineTuneConfiguration(  # l2 regularization on all layers
        FineTuneConfiguration.Builder().seed(12345).l2(0.001).updater(AdaGrad(0.4)).weightInit(WeightInit.RELU).build()).removeLayersFromOutput(5).addLayer(SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(3, 3).stride(2, 2).build()).addLayer(ConvolutionLayer.Builder(3, 3).nIn(30).nOut(10).stride(2, 2).activation(Activation.RELU).weightInit(WeightInit.RELU).build()).addLayer(DenseLayer.Builder().activation(Activation.RELU).nIn(490).nOut(50).weightInit(WeightInit.RELU).updater(AdaGrad(0.5)).gradientNormalization(GradientNormalization.ClipElementWiseAbsoluteValue).gradientNormalizationThreshold(10).build()).addLayer(GravesLSTM.Builder().activation(Activation.SOFTSIGN).nIn(50).nOut(50).weightInit(WeightInit.XAVIER).updater(AdaGrad(0.6)).gradientNormalization(GradientNormalization.ClipElementWiseAbsoluteValue).gradientNormalizationThreshold(10).build()).addLayer(RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX).nIn(50).nOut(  # 4 possible shapes: circle, square, arc, line
        4).weightInit(WeightInit.XAVIER).gradientNormalization(GradientNormalization.ClipElementWiseAbsoluteValue).gradientNormalizationThreshold(10).build()).setInputPreProcessor(3, CnnToFeedForwardPreProcessor(7, 7, 10)).setInputPreProcessor(4, FeedForwardToRnnPreProcessor()).build()
    # modelNow should have the same architecture as modelExpectedArch
    assertEquals(modelExpectedArch.getLayerWiseConfigurations().getConf(0).toJson(), modelNow.getLayerWiseConfigurations().getConf(0).toJson())
    # some learning related info the subsampling layer will not be overwritten
    # assertTrue(modelExpectedArch.getLayerWiseConfigurations().getConf(1).toJson().equals(modelNow.getLayerWiseConfigurations().getConf(1).toJson()));
    assertEquals(modelExpectedArch.getLayerWiseConfigurations().getConf(2).toJson(), modelNow.getLayerWiseConfigurations().getConf(2).toJson())
    assertEquals(modelExpectedArch.getLayerWiseConfigurations().getConf(3).toJson(), modelNow.getLayerWiseConfigurations().getConf(3).toJson())
    assertEquals(modelExpectedArch.getLayerWiseConfigurations().getConf(4).toJson(), modelNow.getLayerWiseConfigurations().getConf(4).toJson())
    assertEquals(modelExpectedArch.getLayerWiseConfigurations().getConf(5).toJson(), modelNow.getLayerWiseConfigurations().getConf(5).toJson())
    assertArrayEquals(modelExpectedArch.params().shape, modelNow.params().shape)
    assertArrayEquals(modelExpectedArch.getLayer(0).params().shape, modelNow.getLayer(0).params().shape)
    # subsampling has no params
    # assertArrayEquals(modelExpectedArch.getLayer(1).params().shape(), modelNow.getLayer(1).params().shape());
    assertArrayEquals(modelExpectedArch.getLayer(2).params().shape, modelNow.getLayer(2).params().shape)
    assertArrayEquals(modelExpectedArch.getLayer(3).params().shape, modelNow.getLayer(3).params().shape)
    assertArrayEquals(modelExpectedArch.getLayer(4).params().shape, modelNow.getLayer(4).params().shape)
    assertArrayEquals(modelExpectedArch.getLayer(5).params().shape, modelNow.getLayer(5).params().shape)


def test_testAllWithCNN():
    Nd4j.getRandom().setSeed(12345)
    randomData = DataSet(Nd4j.rand(DataType.FLOAT, 10, 28 * 28 * 3).reshape(10, 3, 28, 28), TestUtils.randomOneHot(DataType.FLOAT, 10, 10))
    modelToFineTune = MultiLayerNetwork(NeuralNetConfiguration.Builder().seed(123).weightInit(WeightInit.XAVIER).updater(Nesterovs(0.01, 0.9)).list().layer(0, ConvolutionLayer.Builder(5, 5).nIn(3).stride(1, 1).nOut(20).activation(Activation.IDENTITY).build()).layer(1, SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build()).layer(2, ConvolutionLayer.Builder(5, 5).stride(1, 1).nOut(50).activation(Activation.IDENTITY).build()).layer(3, SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build()).layer(4, DenseLayer.Builder().activation(Activation.RELU).nOut(500).build()).layer(5, DenseLayer.Builder().activation(Activation.RELU).nOut(250).build()).layer(6, OutputLayer.Builder(LossFunctions.LossFunction.NEGATIVELOGLIKELIHOOD).nOut(100).activation(Activation.SOFTMAX).build()).setInputType(InputType.convolutionalFlat(28, 28, 3)).build())
    modelToFineTune.init()
    # 10x20x12x12
    asFrozenFeatures = modelToFineTune.feedForwardToLayer(2, randomData.getFeatures(), False)[2]
    equivalentConf = NeuralNetConfiguration.Builder().updater(Sgd(0.2)).optimizationAlgo(OptimizationAlgorithm.STOCHASTIC_GRADIENT_DESCENT)
    overallConf = FineTuneConfiguration.Builder().updater(Sgd(0.2)).build()
    modelNow = TransferLearning.Builder(modelToFineTune).fineTuneConfiguration(overallConf).setFeatureExtractor(1).nOutReplace(4, 600, WeightInit.XAVIER).removeLayersFromOutput(2).addLayer(DenseLayer.Builder().activation(Activation.RELU).nIn(600).nOut(300).build()).addLayer(DenseLayer.Builder().activation(Activation.RELU).nIn(300).nOut(150).build()).addLayer(DenseLayer.Builder().activation(Activation.RELU).nIn(150).nOut(50).build()).addLayer(OutputLayer.Builder(LossFunctions.LossFunction.NEGATIVELOGLIKELIHOOD).activation(Activation.SOFTMAX).nIn(50).nOut(10).build()).build()
    notFrozen = MultiLayerNetwork(equivalentConf.list().layer(0, ConvolutionLayer.Builder(5, 5).stride(1, 1).nOut(50).activation(Activation.IDENTITY).build()).layer(1, SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build()).layer(2, DenseLayer.Builder().activation(Activation.RELU).nOut(600).build()).layer(3, DenseLayer.Builder().activation(Activation.RELU).nOut(300).build()).layer(4, DenseLayer.Builder().activation(Activation.RELU).nOut(150).build()).layer(5, DenseLayer.Builder().activation(Activation.RELU).nOut(50).build()).layer(6, OutputLayer.Builder(LossFunctions.LossFunction.NEGATIVELOGLIKELIHOOD).nOut(10).activation(Activation.SOFTMAX).build()).setInputType(InputType.convolutionalFlat(12, 12, 20)).build())
    notFrozen.init()
    assertArrayEquals(modelToFineTune.getLayer(0).params().shape, modelNow.getLayer(0).params().shape)
    # subsampling has no params
    # assertArrayEquals(modelExpectedArch.getLayer(1).params().shape(), modelNow.getLayer(1).params().shape());
    assertArrayEquals(notFrozen.getLayer(0).params().shape, modelNow.getLayer(2).params().shape)
    modelNow.getLayer(2).setParams(notFrozen.getLayer(0).params())
    # subsampling has no params
    # assertArrayEquals(notFrozen.getLayer(1).params().shape(), modelNow.getLayer(3).params().shape());
    assertArrayEquals(notFrozen.getLayer(2).params().shape, modelNow.getLayer(4).params().shape)
    modelNow.getLayer(4).setParams(notFrozen.getLayer(2).params())
    assertArrayEquals(notFrozen.getLayer(3).params().shape, modelNow.getLayer(5).params().shape)
    modelNow.getLayer(5).setParams(notFrozen.getLayer(3).params())
    assertArrayEquals(notFrozen.getLayer(4).params().shape, modelNow.getLayer(6).params().shape)
    modelNow.getLayer(6).setParams(notFrozen.getLayer(4).params())
    assertArrayEquals(notFrozen.getLayer(5).params().shape, modelNow.getLayer(7).params().shape)
    modelNow.getLayer(7).setParams(notFrozen.getLayer(5).params())
    assertArrayEquals(notFrozen.getLayer(6).params().shape, modelNow.getLayer(8).params().shape)
    modelNow.getLayer(8).setParams(notFrozen.getLayer(6).params())
    i = 0
    while i < 3:
        notFrozen.fit(DataSet(asFrozenFeatures, randomData.getLabels()))
        modelNow.fit(randomData)
        i += 1
    expectedParams = Nd4j.hstack(modelToFineTune.getLayer(0).params(), notFrozen.params())
    assertEquals(expectedParams, modelNow.params())


def test_testFineTuneOverride():
    # Check that fine-tune overrides are selective - i.e., if I only specify a new LR, only the LR should be modified
    conf = NeuralNetConfiguration.Builder().updater(Adam(1e-4)).activation(Activation.TANH).weightInit(WeightInit.RELU).l1(0.1).l2(0.2).list().layer(0, DenseLayer.Builder().nIn(10).nOut(5).build()).layer(1, OutputLayer.Builder().nIn(5).nOut(4).activation(Activation.HARDSIGMOID).build()).build()
    net = MultiLayerNetwork(conf)
    net.init()
    net2 = TransferLearning.Builder(net).fineTuneConfiguration(FineTuneConfiguration.Builder().updater(Adam(2e-2)).backpropType(  # Should be set on MLC
        BackpropType.TruncatedBPTT).build()).build()
    # Check original net isn't modified:
    l0 = net.getLayer(0).conf().getLayer()
    assertEquals(Adam(1e-4), l0.getIUpdater())
    assertEquals(Activation.TANH.getActivationFunction(), l0.getActivationFn())
    assertEquals(WeightInitRelu(), l0.getWeightInitFn())
    assertEquals(0.1, TestUtils.getL1(l0), 1e-6)
    l1 = net.getLayer(1).conf().getLayer()
    assertEquals(Adam(1e-4), l1.getIUpdater())
    assertEquals(Activation.HARDSIGMOID.getActivationFunction(), l1.getActivationFn())
    assertEquals(WeightInitRelu(), l1.getWeightInitFn())
    assertEquals(0.2, TestUtils.getL2(l1), 1e-6)
    assertEquals(BackpropType.Standard, conf.getBackpropType())
    # Check new net has only the appropriate things modified (i.e., LR)
    l0 = net2.getLayer(0).conf().getLayer()
    assertEquals(Adam(2e-2), l0.getIUpdater())
    assertEquals(Activation.TANH.getActivationFunction(), l0.getActivationFn())
    assertEquals(WeightInitRelu(), l0.getWeightInitFn())
    assertEquals(0.1, TestUtils.getL1(l0), 1e-6)
    l1 = net2.getLayer(1).conf().getLayer()
    assertEquals(Adam(2e-2), l1.getIUpdater())
    assertEquals(Activation.HARDSIGMOID.getActivationFunction(), l1.getActivationFn())
    assertEquals(WeightInitRelu(), l1.getWeightInitFn())
    assertEquals(0.2, TestUtils.getL2(l1), 1e-6)
    assertEquals(BackpropType.TruncatedBPTT, net2.getLayerWiseConfigurations().getBackpropType())


def test_testAllWithCNNNew():
    Nd4j.getRandom().setSeed(12345)
    randomData = DataSet(Nd4j.rand(DataType.FLOAT, 10, 28 * 28 * 3).reshape(10, 3, 28, 28), TestUtils.randomOneHot(10, 10))
    modelToFineTune = MultiLayerNetwork(NeuralNetConfiguration.Builder().seed(123).weightInit(WeightInit.XAVIER).updater(Nesterovs(0.01, 0.9)).list().layer(0, ConvolutionLayer.Builder(5, 5).nIn(3).stride(1, 1).nOut(20).activation(Activation.IDENTITY).build()).layer(1, SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build()).layer(2, ConvolutionLayer.Builder(5, 5).stride(1, 1).nOut(50).activation(Activation.IDENTITY).build()).layer(3, SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build()).layer(4, DenseLayer.Builder().activation(Activation.RELU).nOut(500).build()).layer(5, DenseLayer.Builder().activation(Activation.RELU).nOut(250).build()).layer(6, OutputLayer.Builder(LossFunctions.LossFunction.NEGATIVELOGLIKELIHOOD).nOut(100).activation(Activation.SOFTMAX).build()).setInputType(  # See note below
        InputType.convolutionalFlat(28, 28, 3)).build())
    modelToFineTune.init()
    # 10x20x12x12
    asFrozenFeatures = modelToFineTune.feedForwardToLayer(2, randomData.getFeatures(), False)[2]
    equivalentConf = NeuralNetConfiguration.Builder().updater(Sgd(0.2))
    overallConf = FineTuneConfiguration.Builder().updater(Sgd(0.2)).build()
    modelNow = TransferLearning.Builder(modelToFineTune).fineTuneConfiguration(overallConf).setFeatureExtractor(1).removeLayersFromOutput(5).addLayer(DenseLayer.Builder().activation(Activation.RELU).nIn(12 * 12 * 20).nOut(300).build()).addLayer(DenseLayer.Builder().activation(Activation.RELU).nIn(300).nOut(150).build()).addLayer(DenseLayer.Builder().activation(Activation.RELU).nIn(150).nOut(50).build()).addLayer(OutputLayer.Builder(LossFunctions.LossFunction.NEGATIVELOGLIKELIHOOD).activation(Activation.SOFTMAX).nIn(50).nOut(10).build()).setInputPreProcessor(2, CnnToFeedForwardPreProcessor(12, 12, 20)).build()
    notFrozen = MultiLayerNetwork(equivalentConf.list().layer(0, DenseLayer.Builder().activation(Activation.RELU).nIn(12 * 12 * 20).nOut(300).build()).layer(1, DenseLayer.Builder().activation(Activation.RELU).nIn(300).nOut(150).build()).layer(2, DenseLayer.Builder().activation(Activation.RELU).nIn(150).nOut(50).build()).layer(3, OutputLayer.Builder(LossFunctions.LossFunction.NEGATIVELOGLIKELIHOOD).nIn(50).nOut(10).activation(Activation.SOFTMAX).build()).inputPreProcessor(0, CnnToFeedForwardPreProcessor(12, 12, 20)).build())
    notFrozen.init()
    assertArrayEquals(modelToFineTune.getLayer(0).params().shape, modelNow.getLayer(0).params().shape)
    # subsampling has no params
    # assertArrayEquals(modelExpectedArch.getLayer(1).params().shape(), modelNow.getLayer(1).params().shape());
    assertArrayEquals(notFrozen.getLayer(0).params().shape, modelNow.getLayer(2).params().shape)
    modelNow.getLayer(2).setParams(notFrozen.getLayer(0).params())
    assertArrayEquals(notFrozen.getLayer(1).params().shape, modelNow.getLayer(3).params().shape)
    modelNow.getLayer(3).setParams(notFrozen.getLayer(1).params())
    assertArrayEquals(notFrozen.getLayer(2).params().shape, modelNow.getLayer(4).params().shape)
    modelNow.getLayer(4).setParams(notFrozen.getLayer(2).params())
    assertArrayEquals(notFrozen.getLayer(3).params().shape, modelNow.getLayer(5).params().shape)
    modelNow.getLayer(5).setParams(notFrozen.getLayer(3).params())
    i = 0
    while i < 3:
        notFrozen.fit(DataSet(asFrozenFeatures, randomData.getLabels()))
        modelNow.fit(randomData)
        i += 1
    expectedParams = Nd4j.hstack(modelToFineTune.getLayer(0).params(), notFrozen.params())
    assertEquals(expectedParams, modelNow.params())


def test_testObjectOverrides():
    # https://github.com/eclipse/deeplearning4j/issues/4368
    conf = NeuralNetConfiguration.Builder().dropOut(0.5).weightNoise(DropConnect(0.5)).l2(0.5).constrainWeights(UnitNormConstraint()).list().layer(DenseLayer.Builder().nIn(10).nOut(10).build()).build()
    orig = MultiLayerNetwork(conf)
    orig.init()
    ftc = FineTuneConfiguration.Builder().dropOut(0).weightNoise(None).constraints(None).l2(0.0).build()
    transfer = TransferLearning.Builder(orig).fineTuneConfiguration(ftc).build()
    l = transfer.getLayer(0).conf().getLayer()
    assertNull(l.getIDropout())
    assertNull(l.getWeightNoise())
    assertNull(l.getConstraints())
    assertNull(TestUtils.getL2Reg(l))


def test_testTransferLearningSubsequent():
    input = Nd4j.create(6, 6, 6, 6)
    net = MultiLayerNetwork(NeuralNetConfiguration.Builder().weightInit(ConstantDistribution(666)).list().setInputType(InputType.inferInputTypes(input)[0]).layer(Convolution2D.Builder(3, 3).nOut(10).build()).layer(Convolution2D.Builder(1, 1).nOut(3).build()).layer(OutputLayer.Builder().nOut(2).lossFunction(LossFunctions.LossFunction.MSE).build()).build())
    net.init()
    newGraph = TransferLearning.Builder(net).fineTuneConfiguration(FineTuneConfiguration.Builder().build()).nOutReplace(0, 7, ConstantDistribution(333)).nOutReplace(1, 3, ConstantDistribution(111)).removeLayersFromOutput(1).addLayer(OutputLayer.Builder().nIn(48).nOut(2).lossFunction(LossFunctions.LossFunction.MSE).build()).setInputPreProcessor(2, CnnToFeedForwardPreProcessor(4, 4, 3)).build()
    newGraph.init()
    assertEquals(7, newGraph.layerInputSize(1), "Incorrect # inputs")
    newGraph.output(input)


def test_testChangeNOutNIn():
    input = Nd4j.create([1, 2, 4, 4])
    net = MultiLayerNetwork(NeuralNetConfiguration.Builder().list().setInputType(InputType.inferInputTypes(input)[0]).layer(Convolution2D.Builder(1, 1).nOut(10).build()).layer(SubsamplingLayer.Builder(1, 1).build()).layer(Convolution2D.Builder(1, 1).nOut(7).build()).layer(OutputLayer.Builder().activation(Activation.SOFTMAX).nOut(2).build()).build())
    net.init()
    newNet = TransferLearning.Builder(net).nOutReplace(0, 5, WeightInit.XAVIER).nInReplace(2, 5, WeightInit.XAVIER).build()
    newNet.init()
    assertEquals(5, newNet.layerSize(0), "Incorrect number of outputs!")
    assertEquals(5, newNet.layerInputSize(2), "Incorrect number of inputs!")
    newNet.output(input)


def test_testTransferLearningSameDiffLayers():
    conf = NeuralNetConfiguration.Builder().dataType(DataType.DOUBLE).activation(Activation.TANH).updater(Adam(0.01)).weightInit(WeightInit.XAVIER).list().layer(LSTM.Builder().nOut(8).build()).layer(SelfAttentionLayer.Builder().nOut(4).nHeads(2).projectInput(True).build()).layer(GlobalPoolingLayer.Builder().poolingType(PoolingType.MAX).build()).layer(OutputLayer.Builder().nOut(2).activation(Activation.SOFTMAX).lossFunction(LossFunctions.LossFunction.MCXENT).build()).setInputType(InputType.recurrent(4)).build()
    net = MultiLayerNetwork(conf)
    net.init()
    in_ = Nd4j.rand(DataType.FLOAT, 3, 4, 5)
    out = net.output(in_)
    net2 = TransferLearning.Builder(net).fineTuneConfiguration(FineTuneConfiguration.builder().updater(Adam(0.01)).build()).removeLayersFromOutput(1).addLayer(OutputLayer.Builder().nIn(4).nOut(2).activation(Activation.SOFTMAX).lossFunction(LossFunctions.LossFunction.MCXENT).build()).build()
    net2.setParam("3_W", net.getParam("3_W"))
    net2.setParam("3_b", net.getParam("3_b"))
    p1 = net.paramTable()
    p2 = net2.paramTable()
    for s in p1.keys():
        i1 = p1.get(s)
        i2 = p2.get(s)
        assertEquals(i1, i2, s)
    out2 = net2.output(in_)
    assertEquals(out, out2)
