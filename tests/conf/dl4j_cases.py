"""The builder calls of tests/conf/data/dl4j_cases/*.json, written with pydl4j_transfer.conf.

Each function mirrors one case of the Java program that printed the expectations
(DL4J 1.0.0-M2.1, see data/README.md); ``<case>.json`` is ``conf.toJson()`` right after
``build()``, ``<case>.init.json`` after ``MultiLayerNetwork/ComputationGraph.init()``.
"""

from __future__ import annotations

import numpy as np

from pydl4j_transfer.conf import *  # noqa: F401,F403
from pydl4j_transfer.conf import (Activation, ConvolutionMode, InputType, LossFunctions, NeuralNetConfiguration,
                                  WeightInit)

LF = LossFunctions.LossFunction


def mln_dense_output():
    return (NeuralNetConfiguration.Builder().seed(12345).updater(Adam(1e-3)).weightInit(WeightInit.XAVIER)
            .list().layer(DenseLayer.Builder().nIn(784).nOut(64).activation(Activation.RELU).build())
            .layer(OutputLayer.Builder(LF.MCXENT).nIn(64).nOut(10).activation(Activation.SOFTMAX).build()).build())


def mln_global():
    return (NeuralNetConfiguration.Builder().seed(42).updater(Nesterovs(0.01, 0.9)).biasUpdater(Sgd(0.1))
            .weightInit(WeightInit.RELU).activation(Activation.TANH).l1(1e-4).l2(5e-4).l2Bias(1e-3).dropOut(0.8)
            .miniBatch(False).dataType("DOUBLE").gradientNormalization("ClipL2PerLayer").gradientNormalizationThreshold(2.0)
            .convolutionMode(ConvolutionMode.Same).cacheMode("HOST").trainingWorkspaceMode("NONE")
            .inferenceWorkspaceMode("NONE").optimizationAlgo("LINE_GRADIENT_DESCENT").biasInit(0.5)
            .list()
            .layer(DenseLayer.Builder().nIn(4).nOut(5).activation(Activation.LEAKYRELU).l2(0.01).updater(Adam(0.02))
                   .name("first").build())
            .layer(DenseLayer(nIn=5, nOut=6, hasBias=False, hasLayerNorm=True, weightDecay=1e-3, biasInit=0.1, dropOut=0.5))
            .layer(2, OutputLayer.Builder(LF.NEGATIVELOGLIKELIHOOD).nIn(6).nOut(3).activation(Activation.SOFTMAX)
                   .weightInit(NormalDistribution(0, 0.01)).l1Bias(0.3).gradientNormalization("None").build())
            .validateOutputLayerConfig(False).build())


def mln_values():
    sched = {0: 0.1, 10: 0.05, 100: 0.01}
    d = DenseLayer.Builder
    return (NeuralNetConfiguration.Builder().seed(1).updater(RmsProp(0.01)).weightInit(WeightInit.XAVIER_UNIFORM)
            .list()
            .layer(d().nIn(3).nOut(3).updater(Adam(MapSchedule(ScheduleType.ITERATION, sched)))
                   .dropOut(GaussianDropout(0.1)).weightNoise(DropConnect(0.9)).constrainWeights(MaxNormConstraint(2.0, 1))
                   .activation(ActivationLReLU(0.2)).weightInit(WeightInitConstant(0.5)).build())
            .layer(d().nIn(3).nOut(3).updater(Nesterovs(StepSchedule(ScheduleType.EPOCH, 0.1, 0.5, 10), 0.95))
                   .dropOut(AlphaDropout(0.9)).weightNoise(WeightNoise(UniformDistribution(-0.1, 0.1), True))
                   .constrainBias(NonNegativeConstraint()).activation(ActivationELU(0.5))
                   .weightInit(WeightInitVarScalingNormalFanAvg(2.0)).build())
            .layer(d().nIn(3).nOut(3).updater(Sgd(ExponentialSchedule(ScheduleType.ITERATION, 0.1, 0.99)))
                   .dropOut(GaussianNoise(0.05)).constrainAllParameters(UnitNormConstraint(1)).activation(Activation.RRELU)
                   .weightInit(WeightInit.VAR_SCALING_UNIFORM_FAN_IN).biasUpdater(AdaDelta()).build())
            .layer(d().nIn(3).nOut(3).updater(AdaGrad(InverseSchedule(ScheduleType.ITERATION, 0.1, 0.1, 2.0)))
                   .constrainWeights(MinMaxNormConstraint(0.1, 2.0, 0.9, 1)).activation(Activation.SELU)
                   .weightInit(WeightInit.IDENTITY).biasUpdater(NoOp()).build())
            .layer(d().nIn(3).nOut(3).updater(AdaMax(PolySchedule(ScheduleType.ITERATION, 0.1, 2.0, 100)))
                   .activation(Activation.THRESHOLDEDRELU)
                   .weightInit(WeightInitDistribution(TruncatedNormalDistribution(0, 0.5))).build())
            .layer(d().nIn(3).nOut(3).updater(Nadam(SigmoidSchedule(ScheduleType.ITERATION, 0.1, 0.5, 10)))
                   .activation(Activation.GELU).weightInit(LogNormalDistribution(0, 1))
                   .regularization([L1Regularization(FixedSchedule(0.01))]).build())
            .layer(d().nIn(3).nOut(3).updater(AMSGrad(CycleSchedule(ScheduleType.ITERATION, 0.1, 1.0, 100, 10, 0.1)))
                   .activation(ActivationReLU(6.0, 0.1, 0.01)).weightInit(OrthogonalDistribution(1.0)).build())
            .layer(d().nIn(3).nOut(3).updater(AdaBelief(RampSchedule(FixedSchedule(0.1), 10)))
                   .activation(Activation.MISH).weightInit(BinomialDistribution(3, 0.5)).weightDecayBias(0.01, False).build())
            .layer(d().nIn(3).nOut(3).activation(Activation.SWISH).weightInit(ConstantDistribution(0.2))
                   .dropOut(Dropout(StepSchedule(ScheduleType.ITERATION, 0.9, 0.5, 10))).build())
            .layer(d().nIn(3).nOut(3).activation(Activation.HARDSIGMOID).weightInit(GaussianDistribution(0, 2))
                   .updater(Sgd(0.5)).build())
            .layer(LossLayer.Builder(LossMCXENT(np.array([1.0, 2.0, 0.5], dtype="float32"))).activation(Activation.SOFTMAX).build())
            .build())


def mln_cnn():
    return (NeuralNetConfiguration.Builder().seed(123).updater(Adam(0.005)).weightInit(WeightInit.XAVIER).l2(1e-4)
            .list()
            .layer(ConvolutionLayer.Builder(5, 5).nOut(20).stride(1, 1).activation(Activation.IDENTITY).build())
            .layer(SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build())
            .layer(BatchNormalization.Builder().build())
            .layer(LocalResponseNormalization.Builder().build())
            .layer(ConvolutionLayer.Builder(3, 3).nOut(8).convolutionMode(ConvolutionMode.Same).dilation(2, 2).build())
            .layer(DenseLayer.Builder().activation(Activation.RELU).nOut(50).build())
            .layer(OutputLayer.Builder(LF.NEGATIVELOGLIKELIHOOD).nOut(10).activation(Activation.SOFTMAX).build())
            .setInputType(InputType.convolutionalFlat(28, 28, 1)).build())


def mln_cnn2():
    return (NeuralNetConfiguration.Builder().seed(7).updater(Sgd(0.1)).convolutionMode(ConvolutionMode.Same)
            .list()
            .layer(ZeroPaddingLayer.Builder(1, 1, 2, 2).build())
            .layer(SeparableConvolution2D.Builder(3, 3).nOut(6).depthMultiplier(2).activation(Activation.RELU).build())
            .layer(DepthwiseConvolution2D.Builder(3, 3).depthMultiplier(2).build())
            .layer(Deconvolution2D.Builder(2, 2).stride(2, 2).nOut(4).convolutionMode(ConvolutionMode.Truncate).build())
            .layer(Upsampling2D.Builder(2).build())
            .layer(Cropping2D(1, 1, 2, 2))
            .layer(SpaceToDepthLayer.Builder(2, "NCHW").build())
            .layer(SpaceToBatchLayer.Builder([2, 2]).build())
            .layer(BatchNormalization.Builder().useLogStd(False).lockGammaBeta(True).build())
            .layer(SubsamplingLayer.Builder(PoolingType.PNORM).pnorm(3).kernelSize(2, 2).build())
            .layer(Convolution2D.Builder(1, 1).nOut(5).hasBias(False).build())
            .layer(GlobalPoolingLayer.Builder(PoolingType.AVG).build())
            .layer(ActivationLayer.Builder().activation(Activation.SOFTSIGN).build())
            .layer(DropoutLayer.Builder(0.5).build())
            .layer(OutputLayer.Builder(LF.MSE).nOut(2).activation(Activation.IDENTITY).build())
            .setInputType(InputType.convolutional(16, 16, 3)).build())


def mln_rnn():
    return (NeuralNetConfiguration.Builder().seed(3).updater(Adam(0.01)).weightInit(WeightInit.XAVIER)
            .list()
            .layer(Convolution1DLayer.Builder(3).nOut(6).build())
            .layer(Subsampling1DLayer.Builder(2).stride(1).build())
            .layer(ZeroPadding1DLayer.Builder(1, 2).build())
            .layer(Cropping1D.Builder(1, 1).build())
            .layer(Upsampling1D.Builder(2).build())
            .layer(LSTM.Builder().nOut(8).activation(Activation.TANH).build())
            .layer(GravesLSTM.Builder().nOut(7).forgetGateBiasInit(2.0).build())
            .layer(GravesBidirectionalLSTM.Builder().nOut(5).build())
            .layer(SimpleRnn.Builder().nOut(4).build())
            .layer(Bidirectional(BidirectionalMode.CONCAT, LSTM.Builder().nOut(3).build()))
            .layer(MaskZeroLayer.Builder().setMaskValue(0.0).setUnderlying(SimpleRnn.Builder().nOut(4).build()).build())
            .layer(RnnOutputLayer.Builder(LF.MCXENT).nOut(2).activation(Activation.SOFTMAX).build())
            .setInputType(InputType.recurrent(10, 20)).backpropType("TruncatedBPTT").tBPTTForwardLength(7)
            .tBPTTBackwardLength(5).build())


def mln_rnn2():
    return (NeuralNetConfiguration.Builder().seed(3).updater(Adam(0.01))
            .list()
            .layer(EmbeddingSequenceLayer.Builder().nIn(50).nOut(8).inputLength(6).build())
            .layer(Bidirectional("ADD", GravesLSTM.Builder().nIn(8).nOut(3).build()))
            .layer(LastTimeStep(SimpleRnn.Builder().nIn(3).nOut(4).build()))
            .layer(OutputLayer.Builder().nIn(4).nOut(2).build())
            .build())


def mln_rnnloss():
    return (NeuralNetConfiguration.Builder().seed(3)
            .list()
            .layer(LSTM.Builder().nIn(5).nOut(4).gateActivationFunction(Activation.HARDSIGMOID)
                   .weightInitRecurrent(WeightInit.RELU).build())
            .layer(RnnLossLayer.Builder(LF.MSE).activation(Activation.IDENTITY).build())
            .build())


def mln_misc():
    return (NeuralNetConfiguration.Builder().seed(5).updater(Adam(0.01))
            .list()
            .layer(EmbeddingLayer.Builder().nIn(100).nOut(10).build())
            .layer(PReLULayer.Builder().inputShape(10).sharedAxes(1).build())
            .layer(ElementWiseMultiplicationLayer.Builder().nIn(10).nOut(10).build())
            .layer(AutoEncoder.Builder().nIn(10).nOut(6).corruptionLevel(0.2).build())
            .layer(CenterLossOutputLayer.Builder().nIn(6).nOut(3).alpha(0.1).lambda_(0.002).activation(Activation.SOFTMAX).build())
            .setInputType(InputType.feedForward(1)).build())


def mln_frozen():
    return (NeuralNetConfiguration.Builder().seed(12345).updater(Sgd(0.1)).activation(Activation.TANH)
            .list()
            .layer(FrozenLayer(DenseLayer.Builder().nIn(4).nOut(3).build()))
            .layer(FrozenLayerWithBackprop(DenseLayer.Builder().nIn(3).nOut(3).build()))
            .layer(FrozenLayer.Builder().layer(DenseLayer.Builder().nIn(3).nOut(3).build()).build())
            .layer(OutputLayer.Builder(LF.MSE).nIn(3).nOut(2).build())
            .build())


def mln_cnnloss():
    return (NeuralNetConfiguration.Builder().seed(9)
            .list()
            .layer(ConvolutionLayer.Builder(1, 1).nIn(3).nOut(3).build())
            .layer(CnnLossLayer.Builder(LF.XENT).activation(Activation.SIGMOID).build())
            .build())


def mln_yolo():
    return (NeuralNetConfiguration.Builder().seed(9)
            .list()
            .layer(ConvolutionLayer.Builder(1, 1).nIn(3).nOut(2 * (5 + 2)).build())
            .layer(Yolo2OutputLayer.Builder().boundingBoxPriors(np.array([[1, 2], [3, 4.5]])).build())
            .build())


def mln_conv3d():
    return (NeuralNetConfiguration.Builder().seed(9).updater(Adam())
            .list()
            .layer(Convolution3D.Builder(2, 2, 2).nOut(3).build())
            .layer(Subsampling3DLayer.Builder(2, 2, 2).build())
            .layer(DenseLayer.Builder().nOut(4).build())
            .layer(OutputLayer.Builder().nOut(2).build())
            .setInputType(InputType.convolutional3D(8, 8, 8, 2)).build())


def cg_merge():
    return (NeuralNetConfiguration.Builder().seed(12345).updater(Adam(1e-3)).weightInit(WeightInit.XAVIER)
            .graphBuilder().addInputs("in1", "in2")
            .addLayer("d1", DenseLayer.Builder().nIn(10).nOut(8).activation(Activation.RELU).build(), "in1")
            .addLayer("d2", DenseLayer(nIn=5, nOut=8, activation="relu"), "in2")
            .addVertex("merge", MergeVertex(), "d1", "d2")
            .addLayer("out", OutputLayer.Builder(LF.MCXENT).nIn(16).nOut(3).activation(Activation.SOFTMAX).build(), "merge")
            .setOutputs("out").build())


def cg_vertices():
    return (NeuralNetConfiguration.Builder().seed(1).updater(Sgd(0.1)).activation(Activation.IDENTITY)
            .graphBuilder().addInputs("a", "b")
            .addLayer("da", DenseLayer.Builder().nIn(4).nOut(6).build(), "a")
            .addLayer("db", DenseLayer.Builder().nIn(4).nOut(6).build(), "b")
            .addVertex("add", ElementWiseVertex("Add"), "da", "db")
            .addVertex("prod", ElementWiseVertex(ElementWiseOp.Product), "da", "db")
            .addVertex("subset", SubsetVertex(1, 3), "add")
            .addVertex("stack", StackVertex(), "da", "db")
            .addVertex("unstack", UnstackVertex(1, 2), "stack")
            .addVertex("scale", ScaleVertex(2.5), "unstack")
            .addVertex("shift", ShiftVertex(-1.0), "scale")
            .addVertex("l2", L2Vertex(), "da", "db")
            .addVertex("l2n", L2NormalizeVertex([1], 1e-6), "prod")
            .addVertex("reshape", ReshapeVertex(-1, 2, 3), "shift")
            .addVertex("frozen", FrozenVertex(ScaleVertex(1.0)), "subset")
            .addVertex("merge", MergeVertex(), "frozen", "l2", "l2n")
            .addLayer("out", OutputLayer.Builder().nIn(10).nOut(2).build(), "merge")
            .setOutputs("out", "reshape").build())


def cg_cnn():
    return (NeuralNetConfiguration.Builder().seed(2).updater(Adam(0.01)).weightInit(WeightInit.RELU)
            .graphBuilder().addInputs("img")
            .setInputTypes(InputType.convolutional(12, 12, 1))
            .addLayer("c1", ConvolutionLayer.Builder(3, 3).nOut(4).build(), "img")
            .addLayer("p1", SubsamplingLayer.Builder(2, 2).build(), "c1")
            .addVertex("pool", PoolHelperVertex(), "p1")
            .addVertex("flat", PreprocessorVertex(CnnToFeedForwardPreProcessor(4, 4, 4)), "pool")
            .addLayer("d", DenseLayer.Builder().nOut(5).build(), "flat")
            .addLayer("d2", DenseLayer.Builder().nOut(5).build(), CnnToFeedForwardPreProcessor(5, 5, 4), "p1")
            .addLayer("out", OutputLayer.Builder().nOut(3).build(), "d", "d2")
            .setOutputs("out").build())


def cg_rnn():
    return (NeuralNetConfiguration.Builder().seed(2).updater(Adam(0.01))
            .graphBuilder().addInputs("seq", "ff")
            .setInputTypes(InputType.recurrent(5), InputType.feedForward(3))
            .addLayer("lstm", LSTM.Builder().nOut(4).build(), "seq")
            .addVertex("last", LastTimeStepVertex("seq"), "lstm")
            .addVertex("dup", DuplicateToTimeSeriesVertex("seq"), "ff")
            .addVertex("rev", ReverseTimeSeriesVertex("seq"), "lstm")
            .addVertex("m", MergeVertex(), "rev", "dup")
            .addLayer("rnnout", RnnOutputLayer.Builder().nOut(2).build(), "m")
            .addLayer("ffout", OutputLayer.Builder().nOut(2).build(), "last")
            .setOutputs("rnnout", "ffout").build())


CASES = {name: fn for name, fn in list(globals().items()) if name.startswith(("mln_", "cg_")) and callable(fn)}
