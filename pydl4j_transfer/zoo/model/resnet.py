"""Mirrors org.deeplearning4j.zoo.model.ResNet50 (DL4J 1.0.0-M2.1), transcribed with our builders.

DL4J's from-scratch ResNet50 differs from Keras's (whose names its pretrained ImageNet zip uses):
stage 2's conv block also strides by 2, and the final "avgpool" vertex is a 3x3/2 MAX pooling
layer. Both are kept here, as the configuration must equal DL4J's.
"""

from __future__ import annotations

from pydl4j_transfer.conf import (Activation, ActivationLayer, BatchNormalization, ConvolutionLayer, ConvolutionMode,
                                  ElementWiseOp, ElementWiseVertex, InputType, LossFunctions, NeuralNetConfiguration,
                                  OptimizationAlgorithm, OutputLayer, PoolingType, RmsProp, SubsamplingLayer,
                                  TruncatedNormalDistribution, WeightInitDistribution, ZeroPaddingLayer)
from pydl4j_transfer.zoo.base import PretrainedType, ZooModel
from pydl4j_transfer.zoo.model.classic import _COMMON


class ResNet50(ZooModel):
    """Mirrors org.deeplearning4j.zoo.model.ResNet50 (ComputationGraph; ImageNet weights, Keras names)."""

    OPTIONS = {"seed": 1234, "inputShape": [3, 224, 224], "numClasses": 0,
               "weightInit": lambda: WeightInitDistribution(TruncatedNormalDistribution(0.0, 0.5)),
               "updater": lambda: RmsProp(0.1, 0.96, 0.001), **_COMMON}
    PRETRAINED = {PretrainedType.IMAGENET: ("models/resnet50_dl4j_inference.v3.zip", 3914447815)}
    KERAS_APPLICATION = "resnet50"

    def _block(self, g, kernel, filters, stage, block, input_name, stride=None):
        """A bottleneck block: 1x1 -> kxk (Same) -> 1x1, each with BN; a conv block (stride given) adds a
        1x1 projection shortcut, an identity block adds its input."""
        conv, bn, act = f"res{stage}{block}_branch", f"bn{stage}{block}_branch", f"act{stage}{block}_branch"
        short = f"short{stage}{block}_branch"
        f1, f2, f3 = filters
        first = ConvolutionLayer.Builder([1, 1], stride) if stride else ConvolutionLayer.Builder([1, 1])
        g.addLayer(conv + "2a", first.nOut(f1).cudnnAlgoMode(self.cudnnAlgoMode).build(), input_name)
        g.addLayer(bn + "2a", BatchNormalization.Builder().build(), conv + "2a")
        g.addLayer(act + "2a", ActivationLayer.Builder().activation(Activation.RELU).build(), bn + "2a")
        g.addLayer(conv + "2b", ConvolutionLayer.Builder(kernel).nOut(f2).cudnnAlgoMode(self.cudnnAlgoMode)
                   .convolutionMode(ConvolutionMode.Same).build(), act + "2a")
        g.addLayer(bn + "2b", BatchNormalization.Builder().build(), conv + "2b")
        g.addLayer(act + "2b", ActivationLayer.Builder().activation(Activation.RELU).build(), bn + "2b")
        g.addLayer(conv + "2c", ConvolutionLayer.Builder([1, 1]).nOut(f3).cudnnAlgoMode(self.cudnnAlgoMode).build(),
                   act + "2b")
        g.addLayer(bn + "2c", BatchNormalization.Builder().build(), conv + "2c")
        if stride:
            g.addLayer(conv + "1", ConvolutionLayer.Builder([1, 1], stride).nOut(f3)
                       .cudnnAlgoMode(self.cudnnAlgoMode).build(), input_name)
            g.addLayer(bn + "1", BatchNormalization.Builder().build(), conv + "1")
            g.addVertex(short, ElementWiseVertex(ElementWiseOp.Add), bn + "2c", bn + "1")
        else:
            g.addVertex(short, ElementWiseVertex(ElementWiseOp.Add), bn + "2c", input_name)
        g.addLayer(conv, ActivationLayer.Builder().activation(Activation.RELU).build(), short)
        return conv

    def graphBuilder(self):
        """Mirrors ResNet50#graphBuilder."""
        c, h, w = self.inputShape
        g = (NeuralNetConfiguration.Builder().seed(self.seed).activation(Activation.IDENTITY).updater(self.updater)
             .weightInit(self.weightInit).l1(1e-7).l2(5e-5).miniBatch(True).cacheMode(self.cacheMode)
             .trainingWorkspaceMode(self.workspaceMode).inferenceWorkspaceMode(self.workspaceMode)
             .cudnnAlgoMode(self.cudnnAlgoMode).convolutionMode(ConvolutionMode.Truncate)
             .optimizationAlgo(OptimizationAlgorithm.STOCHASTIC_GRADIENT_DESCENT)
             .graphBuilder())
        g.addInputs("input").setInputTypes(InputType.convolutional(h, w, c))
        g.addLayer("stem-zero", ZeroPaddingLayer.Builder(3, 3).build(), "input")
        g.addLayer("stem-cnn1", ConvolutionLayer.Builder([7, 7], [2, 2]).nOut(64).build(), "stem-zero")
        g.addLayer("stem-batch1", BatchNormalization.Builder().build(), "stem-cnn1")
        g.addLayer("stem-act1", ActivationLayer.Builder().activation(Activation.RELU).build(), "stem-batch1")
        g.addLayer("stem-maxpool1", SubsamplingLayer.Builder(PoolingType.MAX, [3, 3], [2, 2]).build(), "stem-act1")
        prev = "stem-maxpool1"
        for stage, n_blocks, filters in [(2, 3, (64, 64, 256)), (3, 4, (128, 128, 512)),
                                         (4, 6, (256, 256, 1024)), (5, 3, (512, 512, 2048))]:
            for i in range(n_blocks):
                prev = self._block(g, [3, 3], filters, str(stage), "abcdef"[i], prev, stride=[2, 2] if i == 0 else None)
        g.addLayer("avgpool", SubsamplingLayer.Builder(PoolingType.MAX, [3, 3]).build(), prev)
        g.addLayer("output", OutputLayer.Builder(LossFunctions.LossFunction.NEGATIVELOGLIKELIHOOD).nOut(self.numClasses)
                   .activation(Activation.SOFTMAX).build(), "avgpool")
        return g.setOutputs("output")

    def conf(self):
        """The graph configuration (DL4J's ResNet50 has only graphBuilder(); addition)."""
        return self.graphBuilder().build()
