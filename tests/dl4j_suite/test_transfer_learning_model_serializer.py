"""DL4J 1.0.0-M2.1's TestTransferLearningModelSerializer, transcribed line by line (see test_transfer_learning_mln.py).

``org.deeplearning4j.nn.layers.FrozenLayer`` (the runtime layer the Java checks with ``instanceof``) is
``pydl4j_transfer.nn.layers.FrozenLayer``; the configuration class the Java spells in full,
``org.deeplearning4j.nn.conf.layers.misc.FrozenLayer``, is ``pydl4j_transfer.conf.FrozenLayer``."""

from __future__ import annotations

import pydl4j_transfer.conf
from pydl4j_transfer import *  # DL4J's names, as the Java imports them
from pydl4j_transfer.nn.layers import FrozenLayer

from .junit import Nd4j, TestUtils, assertEquals, assertFalse, assertTrue


def test_testModelSerializerFrozenLayers():

    finetune = FineTuneConfiguration.Builder().updater(Sgd(0.1)).build()

    nIn = 6
    nOut = 3

    origConf = NeuralNetConfiguration.Builder().updater(Sgd(0.1)).activation(Activation.TANH).dropOut(0.5).list().layer(0, DenseLayer.Builder().nIn(nIn).nOut(5).build()).layer(1, DenseLayer.Builder().nIn(5).nOut(4).build()).layer(2, DenseLayer.Builder().nIn(4).nOut(3).build()).layer(3, OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX).nIn(3).nOut(nOut).build()).build()
    origModel = MultiLayerNetwork(origConf)
    origModel.init()

    withFrozen = TransferLearning.Builder(origModel).fineTuneConfiguration(finetune).setFeatureExtractor(1).build()

    assertTrue(isinstance(withFrozen.getLayer(0), FrozenLayer))
    assertTrue(isinstance(withFrozen.getLayer(1), FrozenLayer))

    assertTrue(isinstance(withFrozen.getLayerWiseConfigurations().getConf(0).getLayer(), pydl4j_transfer.conf.FrozenLayer))
    assertTrue(isinstance(withFrozen.getLayerWiseConfigurations().getConf(1).getLayer(), pydl4j_transfer.conf.FrozenLayer))

    restored = TestUtils.testModelSerialization(withFrozen)

    assertTrue(isinstance(restored.getLayer(0), FrozenLayer))
    assertTrue(isinstance(restored.getLayer(1), FrozenLayer))
    assertFalse(isinstance(restored.getLayer(2), FrozenLayer))
    assertFalse(isinstance(restored.getLayer(3), FrozenLayer))

    in_ = Nd4j.rand(3, nIn)
    out = withFrozen.output(in_)
    out2 = restored.output(in_)

    assertEquals(out, out2)

    # Sanity check on train mode:
    out = withFrozen.output(in_, True)
    out2 = restored.output(in_, True)


def test_testModelSerializerFrozenLayersCompGraph():
    finetune = FineTuneConfiguration.Builder().updater(Sgd(0.1)).build()

    nIn = 6
    nOut = 3

    origConf = NeuralNetConfiguration.Builder().activation(Activation.TANH).graphBuilder().addInputs("in").addLayer("0", DenseLayer.Builder().nIn(nIn).nOut(5).build(), "in").addLayer("1", DenseLayer.Builder().nIn(5).nOut(4).build(), "0").addLayer("2", DenseLayer.Builder().nIn(4).nOut(3).build(), "1").addLayer("3", OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX).nIn(3).nOut(nOut).build(), "2").setOutputs("3").build()
    origModel = ComputationGraph(origConf)
    origModel.init()

    withFrozen = TransferLearning.GraphBuilder(origModel).fineTuneConfiguration(finetune).setFeatureExtractor("1").build()

    assertTrue(isinstance(withFrozen.getLayer(0), FrozenLayer))
    assertTrue(isinstance(withFrozen.getLayer(1), FrozenLayer))

    m = withFrozen.getConfiguration().getVertices()
    l0 = m.get("0").getLayerConf().getLayer()
    l1 = m.get("1").getLayerConf().getLayer()
    assertTrue(isinstance(l0, pydl4j_transfer.conf.FrozenLayer))
    assertTrue(isinstance(l1, pydl4j_transfer.conf.FrozenLayer))

    restored = TestUtils.testModelSerialization(withFrozen)

    assertTrue(isinstance(restored.getLayer(0), FrozenLayer))
    assertTrue(isinstance(restored.getLayer(1), FrozenLayer))
    assertFalse(isinstance(restored.getLayer(2), FrozenLayer))
    assertFalse(isinstance(restored.getLayer(3), FrozenLayer))

    in_ = Nd4j.rand(3, nIn)
    out = withFrozen.outputSingle(in_)
    out2 = restored.outputSingle(in_)

    assertEquals(out, out2)

    # Sanity check on train mode:
    out = withFrozen.outputSingle(True, in_)
    out2 = restored.outputSingle(True, in_)
