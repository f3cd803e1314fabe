"""Mirrors org.deeplearning4j.zoo.model.InceptionResNetV1 and model.helper.InceptionResNetHelper
(DL4J 1.0.0-M2.1), transcribed with our builders.

``BatchNormalization.Builder(false)`` of DL4J is written ``BatchNormalization.Builder().lockGammaBeta(False)``
(the same configuration; our builder takes no positional argument).
"""

from __future__ import annotations

from pydl4j_transfer.conf import (Activation, ActivationLayer, AlgoMode, BatchNormalization, CenterLossOutputLayer,
                                  ConvolutionLayer, ConvolutionMode, DenseLayer, ElementWiseOp, ElementWiseVertex,
                                  InputType, L2NormalizeVertex, LossFunctions, MergeVertex, NeuralNetConfiguration,
                                  OptimizationAlgorithm, PoolingType, RmsProp, ScaleVertex, SubsamplingLayer,
                                  TruncatedNormalDistribution, WeightInitDistribution)
from pydl4j_transfer.zoo.base import ZooModel
from pydl4j_transfer.zoo.model.classic import _COMMON


def _bn(n, activation=None):
    b = BatchNormalization.Builder().lockGammaBeta(False).decay(0.995).eps(0.001)
    if activation is not None:
        b = b.activation(activation)
    return b.nIn(n).nOut(n).build()


def _act(activation):
    return ActivationLayer.Builder().activation(activation).build()


class InceptionResNetHelper:
    """Mirrors org.deeplearning4j.zoo.model.helper.InceptionResNetHelper."""

    @staticmethod
    def nameLayer(blockName, layerName, i) -> str:
        return f"{blockName}-{layerName}-{i}"

    @staticmethod
    def _conv(kernel, n_in, n_out):
        return (ConvolutionLayer.Builder(list(kernel)).convolutionMode(ConvolutionMode.Same).nIn(n_in).nOut(n_out)
                .cudnnAlgoMode(AlgoMode.NO_WORKSPACE).build())

    @classmethod
    def _blocks(cls, g, block_name, scale, activation_scale, input_name, branches, merge_in, width, merge_kernel,
                bn_act=None):
        """The shared loop: branches (each a list of (kernel, nIn, nOut)) from the previous block, merged, a 1x1
        conv (``merge_kernel``) back to ``width``, scaled, added to the identity shortcut, tanh."""
        n = cls.nameLayer
        previous = input_name
        for i in range(1, scale + 1):
            ends, k = [], 0
            for branch in branches:
                x = previous
                for j, (kernel, n_in, n_out) in enumerate(branch):
                    k += 1
                    g.addLayer(n(block_name, f"cnn{k}", i), cls._conv(kernel, n_in, n_out), x)
                    last = j == len(branch) - 1 and branch is branches[-1]
                    g.addLayer(n(block_name, f"batch{k}", i), _bn(n_out, bn_act if last else None),
                               n(block_name, f"cnn{k}", i))
                    x = n(block_name, f"batch{k}", i)
                ends.append(x)
            k += 1
            g.addVertex(n(block_name, "merge1", i), MergeVertex(), *ends)
            g.addLayer(n(block_name, f"cnn{k}", i), cls._conv(merge_kernel, merge_in, width),
                       n(block_name, "merge1", i))
            g.addLayer(n(block_name, f"batch{k}", i), _bn(width, bn_act), n(block_name, f"cnn{k}", i))
            g.addVertex(n(block_name, "scaling", i), ScaleVertex(activation_scale), n(block_name, f"batch{k}", i))
            g.addLayer(n(block_name, "shortcut-identity", i), _act(Activation.IDENTITY), previous)
            g.addVertex(n(block_name, "shortcut", i), ElementWiseVertex(ElementWiseOp.Add),
                        n(block_name, "scaling", i), n(block_name, "shortcut-identity", i))
            g.addLayer(block_name if i == scale else n(block_name, "activation", i), _act(Activation.TANH),
                       n(block_name, "shortcut", i))
            previous = n(block_name, "activation", i)
        return g

    @classmethod
    def inceptionV1ResA(cls, graph, blockName, scale, activationScale, input):
        return cls._blocks(graph, blockName, scale, activationScale, input,
                           [[((1, 1), 192, 32)], [((1, 1), 192, 32), ((3, 3), 32, 32)],
                            [((1, 1), 192, 32), ((3, 3), 32, 32), ((3, 3), 32, 32)]], 96, 192, (3, 3))

    @classmethod
    def inceptionV1ResB(cls, graph, blockName, scale, activationScale, input):
        graph.addLayer(cls.nameLayer(blockName, "activation1", 0), _act(Activation.TANH), input)
        return cls._blocks(graph, blockName, scale, activationScale, cls.nameLayer(blockName, "activation1", 0),
                           [[((1, 1), 576, 128)], [((1, 1), 576, 128), ((1, 3), 128, 128), ((3, 1), 128, 128)]],
                           256, 576, (1, 1))

    @classmethod
    def inceptionV1ResC(cls, graph, blockName, scale, activationScale, input):
        # the last BN of the 1x1 -> 1x3 -> 3x1 branch and the BN after the merge have a tanh activation
        return cls._blocks(graph, blockName, scale, activationScale, input,
                           [[((1, 1), 1344, 192)], [((1, 1), 1344, 192), ((1, 3), 192, 192), ((3, 1), 192, 192)]],
                           384, 1344, (1, 1), bn_act=Activation.TANH)


class InceptionResNetV1(ZooModel):
    """Mirrors org.deeplearning4j.zoo.model.InceptionResNetV1 (ComputationGraph; no pretrained weights).

    DL4J has ``graphBuilder(String input)`` (the body, up to "avgpool") and ``init()``, which adds the input,
    a 128-unit "bottleneck" Dense layer, L2-normalised "embeddings" and a center-loss "outputLayer";
    ``conf()`` (addition) builds that same configuration without initialising it.
    """

    OPTIONS = {"seed": 1234, "inputShape": [3, 160, 160], "numClasses": 0,
               "updater": lambda: RmsProp(0.1, 0.96, 0.001), **_COMMON}

    def _conv(self, kernel, n_in, n_out, stride=None, same=False):
        b = ConvolutionLayer.Builder(list(kernel), list(stride)) if stride else ConvolutionLayer.Builder(list(kernel))
        if same:
            b = b.convolutionMode(ConvolutionMode.Same)
        return b.nIn(n_in).nOut(n_out).cudnnAlgoMode(self.cudnnAlgoMode).build()

    @staticmethod
    def _maxpool():
        return SubsamplingLayer.Builder(PoolingType.MAX, [3, 3], [2, 2]).build()

    def graphBuilder(self, input):
        """Mirrors InceptionResNetV1#graphBuilder(String): the body, without inputs, ending at "avgpool"."""
        g = (NeuralNetConfiguration.Builder().seed(self.seed).activation(Activation.RELU)
             .optimizationAlgo(OptimizationAlgorithm.STOCHASTIC_GRADIENT_DESCENT).updater(self.updater)
             .weightInit(WeightInitDistribution(TruncatedNormalDistribution(0.0, 0.5))).l2(5e-5).miniBatch(True)
             .cacheMode(self.cacheMode).trainingWorkspaceMode(self.workspaceMode)
             .inferenceWorkspaceMode(self.workspaceMode).convolutionMode(ConvolutionMode.Truncate).graphBuilder())
        # stem
        g.addLayer("stem-cnn1", self._conv((3, 3), self.inputShape[0], 32, stride=(2, 2)), input)
        g.addLayer("stem-batch1", _bn(32), "stem-cnn1")
        g.addLayer("stem-cnn2", self._conv((3, 3), 32, 32), "stem-batch1")
        g.addLayer("stem-batch2", _bn(32), "stem-cnn2")
        g.addLayer("stem-cnn3", self._conv((3, 3), 32, 64, same=True), "stem-batch2")
        g.addLayer("stem-batch3", _bn(64), "stem-cnn3")
        g.addLayer("stem-pool4", self._maxpool(), "stem-batch3")
        g.addLayer("stem-cnn5", self._conv((1, 1), 64, 80), "stem-pool4")
        g.addLayer("stem-batch5", _bn(80), "stem-cnn5")
        g.addLayer("stem-cnn6", self._conv((3, 3), 80, 128), "stem-batch5")
        g.addLayer("stem-batch6", _bn(128), "stem-cnn6")
        g.addLayer("stem-cnn7", self._conv((3, 3), 128, 192, stride=(2, 2)), "stem-batch6")
        g.addLayer("stem-batch7", _bn(192), "stem-cnn7")
        # 5x Inception-ResNet-A
        InceptionResNetHelper.inceptionV1ResA(g, "resnetA", 5, 0.17, "stem-batch7")
        # Reduction-A
        g.addLayer("reduceA-cnn1", self._conv((3, 3), 192, 192, stride=(2, 2)), "resnetA")
        g.addLayer("reduceA-batch1", _bn(192), "reduceA-cnn1")
        g.addLayer("reduceA-cnn2", self._conv((1, 1), 192, 128, same=True), "resnetA")
        g.addLayer("reduceA-batch2", _bn(128), "reduceA-cnn2")
        g.addLayer("reduceA-cnn3", self._conv((3, 3), 128, 128, same=True), "reduceA-batch2")
        g.addLayer("reduceA-batch3", _bn(128), "reduceA-cnn3")
        g.addLayer("reduceA-cnn4", self._conv((3, 3), 128, 192, stride=(2, 2)), "reduceA-batch3")
        g.addLayer("reduceA-batch4", _bn(192), "reduceA-cnn4")
        g.addLayer("reduceA-pool5", self._maxpool(), "resnetA")
        g.addVertex("reduceA", MergeVertex(), "reduceA-batch1", "reduceA-batch4", "reduceA-pool5")
        # 10x Inception-ResNet-B
        InceptionResNetHelper.inceptionV1ResB(g, "resnetB", 10, 0.10, "reduceA")
        # Reduction-B
        g.addLayer("reduceB-pool1", self._maxpool(), "resnetB")
        g.addLayer("reduceB-cnn2", self._conv((1, 1), 576, 256, same=True), "resnetB")
        g.addLayer("reduceB-batch1", _bn(256), "reduceB-cnn2")
        g.addLayer("reduceB-cnn3", self._conv((3, 3), 256, 256, stride=(2, 2)), "reduceB-batch1")
        g.addLayer("reduceB-batch2", _bn(256), "reduceB-cnn3")
        g.addLayer("reduceB-cnn4", self._conv((1, 1), 576, 256, same=True), "resnetB")
        g.addLayer("reduceB-batch3", _bn(256), "reduceB-cnn4")
        g.addLayer("reduceB-cnn5", self._conv((3, 3), 256, 256, stride=(2, 2)), "reduceB-batch3")
        g.addLayer("reduceB-batch4", _bn(256), "reduceB-cnn5")
        g.addLayer("reduceB-cnn6", self._conv((1, 1), 576, 256, same=True), "resnetB")
        g.addLayer("reduceB-batch5", _bn(256), "reduceB-cnn6")
        g.addLayer("reduceB-cnn7", self._conv((3, 3), 256, 256, same=True), "reduceB-batch5")
        g.addLayer("reduceB-batch6", _bn(256), "reduceB-cnn7")
        g.addLayer("reduceB-cnn8", self._conv((3, 3), 256, 256, stride=(2, 2)), "reduceB-batch6")
        g.addLayer("reduceB-batch7", _bn(256), "reduceB-cnn8")
        g.addVertex("reduceB", MergeVertex(), "reduceB-pool1", "reduceB-batch2", "reduceB-batch4", "reduceB-batch7")
        # 5x Inception-ResNet-C
        InceptionResNetHelper.inceptionV1ResC(g, "resnetC", 5, 0.20, "reduceB")
        g.addLayer("avgpool", SubsamplingLayer.Builder(PoolingType.AVG, [1, 1]).build(), "resnetC")
        return g

    def conf(self):
        """The configuration DL4J's ``init()`` builds (addition)."""
        c, h, w = self.inputShape
        embedding_size = 128
        g = self.graphBuilder("input1")
        g.addInputs("input1").setInputTypes(InputType.convolutional(w, h, c))
        g.addLayer("bottleneck", DenseLayer.Builder().nIn(5376).nOut(embedding_size).build(), "avgpool")
        g.addVertex("embeddings", L2NormalizeVertex([1], 1e-10), "bottleneck")
        g.addLayer("outputLayer", CenterLossOutputLayer.Builder()
                   .lossFunction(LossFunctions.LossFunction.NEGATIVELOGLIKELIHOOD).activation(Activation.SOFTMAX)
                   .alpha(0.9).lambda_(1e-4).nIn(embedding_size).nOut(self.numClasses).build(), "embeddings")
        return g.setOutputs("outputLayer").build()
