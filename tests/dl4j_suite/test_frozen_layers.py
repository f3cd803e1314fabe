"""DL4J 1.0.0-M2.1's TestFrozenLayers (org.eclipse.deeplearning4j.dl4jcore.nn.transferlearning), transcribed line by
line (see test_transfer_learning_mln.py). ``FrozenLayer`` in the ``instanceof`` checks is the runtime layer
``org.deeplearning4j.nn.layers.FrozenLayer``: ``pydl4j_transfer.nn.layers.FrozenLayer``."""

from __future__ import annotations

from pydl4j_transfer import *  # DL4J's names, as the Java imports them
from pydl4j_transfer.nn.layers import FrozenLayer

from .junit import Nd4j, assertEquals, assertNotEquals, assertTrue


def test_testFrozenMLN():
    orig = getOriginalNet(12345)

    for l1 in [0.0, 0.3]:
        for l2 in [0.0, 0.4]:
            msg = "l1=" + str(l1) + ", l2=" + str(l2)

            ftc = FineTuneConfiguration.Builder().updater(Sgd(0.5)).l1(l1).l2(l2).build()

            transfer = TransferLearning.Builder(orig).fineTuneConfiguration(ftc).setFeatureExtractor(4).removeOutputLayer().addLayer(OutputLayer.Builder().nIn(64).nOut(10).lossFunction(LossFunctions.LossFunction.MEAN_ABSOLUTE_ERROR).build()).build()

            assertEquals(6, transfer.getnLayers())
            for i in range(5):
                assertTrue(isinstance(transfer.getLayer(i), FrozenLayer))

            paramsBefore = {}
            for key, value in transfer.paramTable().items():
                paramsBefore[key] = value.copy()

            for i in range(20):
                f = Nd4j.rand([16, 1, 28, 28])
                l = Nd4j.rand([16, 10])
                transfer.fit(f, l)

            for key, value in transfer.paramTable().items():
                s = msg + " - " + key
                if key.startswith("5_"):
                    # Non-frozen layer
                    assertNotEquals(paramsBefore.get(key), value, s)
                else:
                    assertEquals(paramsBefore.get(key), value, s)


def test_testFrozenCG():
    orig = getOriginalGraph(12345)

    for l1 in [0.0, 0.3]:
        for l2 in [0.0, 0.4]:
            msg = "l1=" + str(l1) + ", l2=" + str(l2)

            ftc = FineTuneConfiguration.Builder().updater(Sgd(0.5)).l1(l1).l2(l2).build()

            transfer = TransferLearning.GraphBuilder(orig).fineTuneConfiguration(ftc).setFeatureExtractor("4").removeVertexAndConnections("5").addLayer("5", OutputLayer.Builder().nIn(64).nOut(10).lossFunction(LossFunctions.LossFunction.MEAN_ABSOLUTE_ERROR).build(), "4").setOutputs("5").build()

            assertEquals(6, transfer.getNumLayers())
            for i in range(5):
                assertTrue(isinstance(transfer.getLayer(i), FrozenLayer))

            paramsBefore = {}
            for key, value in transfer.paramTable().items():
                paramsBefore[key] = value.copy()

            for i in range(20):
                f = Nd4j.rand([16, 1, 28, 28])
                l = Nd4j.rand([16, 10])
                transfer.fit([f], [l])

            for key, value in transfer.paramTable().items():
                s = msg + " - " + key
                if key.startswith("5_"):
                    # Non-frozen layer
                    assertNotEquals(paramsBefore.get(key), value, s)
                else:
                    assertEquals(paramsBefore.get(key), value, s)


def getOriginalNet(seed):
    conf = NeuralNetConfiguration.Builder().seed(seed).weightInit(WeightInit.XAVIER).activation(Activation.TANH).convolutionMode(ConvolutionMode.Same).updater(Sgd(0.3)).list().layer(ConvolutionLayer.Builder().nOut(3).kernelSize(2, 2).stride(1, 1).build()).layer(SubsamplingLayer.Builder().kernelSize(2, 2).stride(1, 1).build()).layer(ConvolutionLayer.Builder().nIn(3).nOut(3).kernelSize(2, 2).stride(1, 1).build()).layer(DenseLayer.Builder().nOut(64).build()).layer(DenseLayer.Builder().nIn(64).nOut(64).build()).layer(OutputLayer.Builder().nIn(64).nOut(10).lossFunction(LossFunctions.LossFunction.MSE).build()).setInputType(InputType.convolutionalFlat(28, 28, 1)).build()

    net = MultiLayerNetwork(conf)
    net.init()
    return net


def getOriginalGraph(seed):
    conf = NeuralNetConfiguration.Builder().seed(seed).weightInit(WeightInit.XAVIER).activation(Activation.TANH).convolutionMode(ConvolutionMode.Same).updater(Sgd(0.3)).graphBuilder().addInputs("in").layer("0", ConvolutionLayer.Builder().nOut(3).kernelSize(2, 2).stride(1, 1).build(), "in").layer("1", SubsamplingLayer.Builder().kernelSize(2, 2).stride(1, 1).build(), "0").layer("2", ConvolutionLayer.Builder().nIn(3).nOut(3).kernelSize(2, 2).stride(1, 1).build(), "1").layer("3", DenseLayer.Builder().nOut(64).build(), "2").layer("4", DenseLayer.Builder().nIn(64).nOut(64).build(), "3").layer("5", OutputLayer.Builder().nIn(64).nOut(10).lossFunction(LossFunctions.LossFunction.MSE).build(), "4").setOutputs("5").setInputTypes(InputType.convolutionalFlat(28, 28, 1)).build()

    net = ComputationGraph(conf)
    net.init()
    return net
