"""DL4J 1.0.0-M2.1's FrozenLayerWithBackpropTest (org.eclipse.deeplearning4j.dl4jcore.nn.layers), transcribed line by
line (see test_transfer_learning_mln.py). ``org.deeplearning4j.nn.conf.layers.misc.FrozenLayerWithBackprop`` (spelled in
full in the Java) is ``pydl4j_transfer.conf.FrozenLayerWithBackprop``."""

from __future__ import annotations

import pydl4j_transfer.conf
from pydl4j_transfer import *  # DL4J's names, as the Java imports them

from .junit import Nd4j, assertEquals, assertNotEquals


def test_testFrozenWithBackpropLayerInstantiation():
    # We need to be able to instantitate frozen layers from JSON etc, and have them be the same as if
    # they were initialized via the builder
    conf1 = NeuralNetConfiguration.Builder().seed(12345).list().layer(0, DenseLayer.Builder().nIn(10).nOut(10).activation(Activation.TANH).weightInit(WeightInit.XAVIER).build()).layer(1, DenseLayer.Builder().nIn(10).nOut(10).activation(Activation.TANH).weightInit(WeightInit.XAVIER).build()).layer(2, OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX).nIn(10).nOut(10).build()).build()
    conf2 = NeuralNetConfiguration.Builder().seed(12345).list().layer(0, pydl4j_transfer.conf.FrozenLayerWithBackprop(DenseLayer.Builder().nIn(10).nOut(10).activation(Activation.TANH).weightInit(WeightInit.XAVIER).build())).layer(1, pydl4j_transfer.conf.FrozenLayerWithBackprop(DenseLayer.Builder().nIn(10).nOut(10).activation(Activation.TANH).weightInit(WeightInit.XAVIER).build())).layer(2, OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX).nIn(10).nOut(10).build()).build()
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
    conf1 = NeuralNetConfiguration.Builder().seed(12345).graphBuilder().addInputs("in").addLayer("0", DenseLayer.Builder().nIn(10).nOut(10).activation(Activation.TANH).weightInit(WeightInit.XAVIER).build(), "in").addLayer("1", DenseLayer.Builder().nIn(10).nOut(10).activation(Activation.TANH).weightInit(WeightInit.XAVIER).build(), "0").addLayer("2", OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX).nIn(10).nOut(10).build(), "1").setOutputs("2").build()
    conf2 = NeuralNetConfiguration.Builder().seed(12345).graphBuilder().addInputs("in").addLayer("0", pydl4j_transfer.conf.FrozenLayerWithBackprop(DenseLayer.Builder().nIn(10).nOut(10).activation(Activation.TANH).weightInit(WeightInit.XAVIER).build()), "in").addLayer("1", pydl4j_transfer.conf.FrozenLayerWithBackprop(DenseLayer.Builder().nIn(10).nOut(10).activation(Activation.TANH).weightInit(WeightInit.XAVIER).build()), "0").addLayer("2", OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX).nIn(10).nOut(10).build(), "1").setOutputs("2").build()
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


def test_testMultiLayerNetworkFrozenLayerParamsAfterBackprop():
    Nd4j.getRandom().setSeed(12345)
    randomData = DataSet(Nd4j.rand(100, 4), Nd4j.rand(100, 1))
    conf1 = NeuralNetConfiguration.Builder().seed(12345).weightInit(WeightInit.XAVIER).updater(Sgd(2)).list().layer(DenseLayer.Builder().nIn(4).nOut(3).build()).layer(pydl4j_transfer.conf.FrozenLayerWithBackprop(DenseLayer.Builder().nIn(3).nOut(4).build())).layer(pydl4j_transfer.conf.FrozenLayerWithBackprop(DenseLayer.Builder().nIn(4).nOut(2).build())).layer(pydl4j_transfer.conf.FrozenLayerWithBackprop(OutputLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.TANH).nIn(2).nOut(1).build())).build()
    network = MultiLayerNetwork(conf1)
    network.init()
    unfrozenLayerParams = network.getLayer(0).params().copy()
    frozenLayerParams1 = network.getLayer(1).params().copy()
    frozenLayerParams2 = network.getLayer(2).params().copy()
    frozenOutputLayerParams = network.getLayer(3).params().copy()
    for i in range(100):
        network.fit(randomData)
    assertNotEquals(unfrozenLayerParams, network.getLayer(0).params())
    assertEquals(frozenLayerParams1, network.getLayer(1).params())
    assertEquals(frozenLayerParams2, network.getLayer(2).params())
    assertEquals(frozenOutputLayerParams, network.getLayer(3).params())


def test_testComputationGraphFrozenLayerParamsAfterBackprop():
    Nd4j.getRandom().setSeed(12345)
    randomData = DataSet(Nd4j.rand(100, 4), Nd4j.rand(100, 1))
    frozenBranchName = "B1-"
    unfrozenBranchName = "B2-"
    initialLayer = "initial"
    frozenBranchUnfrozenLayer0 = frozenBranchName + "0"
    frozenBranchFrozenLayer1 = frozenBranchName + "1"
    frozenBranchFrozenLayer2 = frozenBranchName + "2"
    frozenBranchOutput = frozenBranchName + "Output"
    unfrozenLayer0 = unfrozenBranchName + "0"
    unfrozenLayer1 = unfrozenBranchName + "1"
    unfrozenBranch2 = unfrozenBranchName + "Output"
    computationGraphConf = NeuralNetConfiguration.Builder().updater(Sgd(2.0)).seed(12345).graphBuilder().addInputs("input").addLayer(initialLayer, DenseLayer.Builder().nIn(4).nOut(4).build(), "input").addLayer(frozenBranchUnfrozenLayer0, DenseLayer.Builder().nIn(4).nOut(3).build(), initialLayer).addLayer(frozenBranchFrozenLayer1, pydl4j_transfer.conf.FrozenLayerWithBackprop(DenseLayer.Builder().nIn(3).nOut(4).build()), frozenBranchUnfrozenLayer0).addLayer(frozenBranchFrozenLayer2, pydl4j_transfer.conf.FrozenLayerWithBackprop(DenseLayer.Builder().nIn(4).nOut(2).build()), frozenBranchFrozenLayer1).addLayer(unfrozenLayer0, DenseLayer.Builder().nIn(4).nOut(4).build(), initialLayer).addLayer(unfrozenLayer1, DenseLayer.Builder().nIn(4).nOut(2).build(), unfrozenLayer0).addLayer(unfrozenBranch2, DenseLayer.Builder().nIn(2).nOut(1).build(), unfrozenLayer1).addVertex("merge", MergeVertex(), frozenBranchFrozenLayer2, unfrozenBranch2).addLayer(frozenBranchOutput, pydl4j_transfer.conf.FrozenLayerWithBackprop(OutputLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.TANH).nIn(3).nOut(1).build()), "merge").setOutputs(frozenBranchOutput).build()
    computationGraph = ComputationGraph(computationGraphConf)
    computationGraph.init()
    unfrozenLayerParams = computationGraph.getLayer(frozenBranchUnfrozenLayer0).params().copy()
    frozenLayerParams1 = computationGraph.getLayer(frozenBranchFrozenLayer1).params().copy()
    frozenLayerParams2 = computationGraph.getLayer(frozenBranchFrozenLayer2).params().copy()
    frozenOutputLayerParams = computationGraph.getLayer(frozenBranchOutput).params().copy()
    for i in range(100):
        computationGraph.fit(randomData)
    assertNotEquals(unfrozenLayerParams, computationGraph.getLayer(frozenBranchUnfrozenLayer0).params())
    assertEquals(frozenLayerParams1, computationGraph.getLayer(frozenBranchFrozenLayer1).params())
    assertEquals(frozenLayerParams2, computationGraph.getLayer(frozenBranchFrozenLayer2).params())
    assertEquals(frozenOutputLayerParams, computationGraph.getLayer(frozenBranchOutput).params())


def test_testFrozenLayerVsSgd():
    """Frozen layer should have same results as a layer with Sgd updater with learning rate set to 0"""
    Nd4j.getRandom().setSeed(12345)
    randomData = DataSet(Nd4j.rand(100, 4), Nd4j.rand(100, 1))
    confSgd = NeuralNetConfiguration.Builder().seed(12345).weightInit(WeightInit.XAVIER).updater(Sgd(2)).list().layer(0, DenseLayer.Builder().nIn(4).nOut(3).build()).layer(1, DenseLayer.Builder().updater(Sgd(0.0)).biasUpdater(Sgd(0.0)).nIn(3).nOut(4).build()).layer(2, DenseLayer.Builder().updater(Sgd(0.0)).biasUpdater(Sgd(0.0)).nIn(4).nOut(2).build()).layer(3, OutputLayer.Builder(LossFunctions.LossFunction.MSE).updater(Sgd(0.0)).biasUpdater(Sgd(0.0)).activation(Activation.TANH).nIn(2).nOut(1).build()).build()
    confFrozen = NeuralNetConfiguration.Builder().seed(12345).weightInit(WeightInit.XAVIER).updater(Sgd(2)).list().layer(0, DenseLayer.Builder().nIn(4).nOut(3).build()).layer(1, pydl4j_transfer.conf.FrozenLayerWithBackprop(DenseLayer.Builder().nIn(3).nOut(4).build())).layer(2, pydl4j_transfer.conf.FrozenLayerWithBackprop(DenseLayer.Builder().nIn(4).nOut(2).build())).layer(3, pydl4j_transfer.conf.FrozenLayerWithBackprop(OutputLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.TANH).nIn(2).nOut(1).build())).build()
    frozenNetwork = MultiLayerNetwork(confFrozen)
    frozenNetwork.init()
    unfrozenLayerParams = frozenNetwork.getLayer(0).params().copy()  # noqa: F841
    frozenLayerParams1 = frozenNetwork.getLayer(1).params().copy()  # noqa: F841
    frozenLayerParams2 = frozenNetwork.getLayer(2).params().copy()  # noqa: F841
    frozenOutputLayerParams = frozenNetwork.getLayer(3).params().copy()  # noqa: F841
    sgdNetwork = MultiLayerNetwork(confSgd)
    sgdNetwork.init()
    unfrozenSgdLayerParams = sgdNetwork.getLayer(0).params().copy()  # noqa: F841
    frozenSgdLayerParams1 = sgdNetwork.getLayer(1).params().copy()  # noqa: F841
    frozenSgdLayerParams2 = sgdNetwork.getLayer(2).params().copy()  # noqa: F841
    frozenSgdOutputLayerParams = sgdNetwork.getLayer(3).params().copy()  # noqa: F841
    for i in range(100):
        frozenNetwork.fit(randomData)
    for i in range(100):
        sgdNetwork.fit(randomData)
    assertEquals(frozenNetwork.getLayer(0).params(), sgdNetwork.getLayer(0).params())
    assertEquals(frozenNetwork.getLayer(1).params(), sgdNetwork.getLayer(1).params())
    assertEquals(frozenNetwork.getLayer(2).params(), sgdNetwork.getLayer(2).params())
    assertEquals(frozenNetwork.getLayer(3).params(), sgdNetwork.getLayer(3).params())


def test_testComputationGraphVsSgd():
    Nd4j.getRandom().setSeed(12345)
    randomData = DataSet(Nd4j.rand(100, 4), Nd4j.rand(100, 1))
    frozenBranchName = "B1-"
    unfrozenBranchName = "B2-"
    initialLayer = "initial"
    frozenBranchUnfrozenLayer0 = frozenBranchName + "0"
    frozenBranchFrozenLayer1 = frozenBranchName + "1"
    frozenBranchFrozenLayer2 = frozenBranchName + "2"
    frozenBranchOutput = frozenBranchName + "Output"
    unfrozenLayer0 = unfrozenBranchName + "0"
    unfrozenLayer1 = unfrozenBranchName + "1"
    unfrozenBranch2 = unfrozenBranchName + "Output"
    computationGraphConf = NeuralNetConfiguration.Builder().updater(Sgd(2.0)).seed(12345).graphBuilder().addInputs("input").addLayer(initialLayer, DenseLayer.Builder().nIn(4).nOut(4).build(), "input").addLayer(frozenBranchUnfrozenLayer0, DenseLayer.Builder().nIn(4).nOut(3).build(), initialLayer).addLayer(frozenBranchFrozenLayer1, pydl4j_transfer.conf.FrozenLayerWithBackprop(DenseLayer.Builder().nIn(3).nOut(4).build()), frozenBranchUnfrozenLayer0).addLayer(frozenBranchFrozenLayer2, pydl4j_transfer.conf.FrozenLayerWithBackprop(DenseLayer.Builder().nIn(4).nOut(2).build()), frozenBranchFrozenLayer1).addLayer(unfrozenLayer0, DenseLayer.Builder().nIn(4).nOut(4).build(), initialLayer).addLayer(unfrozenLayer1, DenseLayer.Builder().nIn(4).nOut(2).build(), unfrozenLayer0).addLayer(unfrozenBranch2, DenseLayer.Builder().nIn(2).nOut(1).build(), unfrozenLayer1).addVertex("merge", MergeVertex(), frozenBranchFrozenLayer2, unfrozenBranch2).addLayer(frozenBranchOutput, pydl4j_transfer.conf.FrozenLayerWithBackprop(OutputLayer.Builder(LossFunctions.LossFunction.MSE).activation(Activation.TANH).nIn(3).nOut(1).build()), "merge").setOutputs(frozenBranchOutput).build()
    computationSgdGraphConf = NeuralNetConfiguration.Builder().updater(Sgd(2.0)).seed(12345).graphBuilder().addInputs("input").addLayer(initialLayer, DenseLayer.Builder().nIn(4).nOut(4).build(), "input").addLayer(frozenBranchUnfrozenLayer0, DenseLayer.Builder().nIn(4).nOut(3).build(), initialLayer).addLayer(frozenBranchFrozenLayer1, DenseLayer.Builder().updater(Sgd(0.0)).biasUpdater(Sgd(0.0)).nIn(3).nOut(4).build(), frozenBranchUnfrozenLayer0).addLayer(frozenBranchFrozenLayer2, DenseLayer.Builder().updater(Sgd(0.0)).biasUpdater(Sgd(0.0)).nIn(4).nOut(2).build(), frozenBranchFrozenLayer1).addLayer(unfrozenLayer0, DenseLayer.Builder().nIn(4).nOut(4).build(), initialLayer).addLayer(unfrozenLayer1, DenseLayer.Builder().nIn(4).nOut(2).build(), unfrozenLayer0).addLayer(unfrozenBranch2, DenseLayer.Builder().nIn(2).nOut(1).build(), unfrozenLayer1).addVertex("merge", MergeVertex(), frozenBranchFrozenLayer2, unfrozenBranch2).addLayer(frozenBranchOutput, OutputLayer.Builder(LossFunctions.LossFunction.MSE).updater(Sgd(0.0)).biasUpdater(Sgd(0.0)).activation(Activation.TANH).nIn(3).nOut(1).build(), "merge").setOutputs(frozenBranchOutput).build()
    frozenComputationGraph = ComputationGraph(computationGraphConf)
    frozenComputationGraph.init()
    unfrozenLayerParams = frozenComputationGraph.getLayer(frozenBranchUnfrozenLayer0).params().copy()  # noqa: F841
    frozenLayerParams1 = frozenComputationGraph.getLayer(frozenBranchFrozenLayer1).params().copy()  # noqa: F841
    frozenLayerParams2 = frozenComputationGraph.getLayer(frozenBranchFrozenLayer2).params().copy()  # noqa: F841
    frozenOutputLayerParams = frozenComputationGraph.getLayer(frozenBranchOutput).params().copy()  # noqa: F841
    sgdComputationGraph = ComputationGraph(computationSgdGraphConf)
    sgdComputationGraph.init()
    unfrozenSgdLayerParams = sgdComputationGraph.getLayer(frozenBranchUnfrozenLayer0).params().copy()  # noqa: F841
    frozenSgdLayerParams1 = sgdComputationGraph.getLayer(frozenBranchFrozenLayer1).params().copy()  # noqa: F841
    frozenSgdLayerParams2 = sgdComputationGraph.getLayer(frozenBranchFrozenLayer2).params().copy()  # noqa: F841
    frozenSgdOutputLayerParams = sgdComputationGraph.getLayer(frozenBranchOutput).params().copy()  # noqa: F841
    for i in range(100):
        frozenComputationGraph.fit(randomData)
    for i in range(100):
        sgdComputationGraph.fit(randomData)
    assertEquals(frozenComputationGraph.getLayer(frozenBranchUnfrozenLayer0).params(), sgdComputationGraph.getLayer(frozenBranchUnfrozenLayer0).params())
    assertEquals(frozenComputationGraph.getLayer(frozenBranchFrozenLayer1).params(), sgdComputationGraph.getLayer(frozenBranchFrozenLayer1).params())
    assertEquals(frozenComputationGraph.getLayer(frozenBranchFrozenLayer2).params(), sgdComputationGraph.getLayer(frozenBranchFrozenLayer2).params())
    assertEquals(frozenComputationGraph.getLayer(frozenBranchOutput).params(), sgdComputationGraph.getLayer(frozenBranchOutput).params())
