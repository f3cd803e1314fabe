"""Mirrors org.deeplearning4j.zoo.model.Xception (DL4J 1.0.0-M2.1), transcribed with our builders.

Transcribed from the real M2.1 jar's configuration JSON, where it differs from the (older) GitHub
source of that file: the jar's ``graphBuilder()`` already has the input "input" and its input type;
"block1_conv2_act" reads "block1_conv2_bn", "block2_sepconv1" reads "block1_conv2_act",
"residual3_conv" reads "add2", "block14_sepconv2" reads "block14_sepconv1_act"; the middle flow has 8
blocks (block5..block12, add4..add11), so the exit-flow shortcut is "residual12" (from "add11") and
the last add is "add12"; the pretrained URL is under DL4J's resource base URL.
"""

from __future__ import annotations

from pydl4j_transfer.conf import (Activation, ActivationLayer, AdaDelta, BatchNormalization, ConvolutionLayer,
                                  ConvolutionMode, ElementWiseOp, ElementWiseVertex, GlobalPoolingLayer, InputType,
                                  LossFunctions, NeuralNetConfiguration, OptimizationAlgorithm, OutputLayer,
                                  PoolingType, SeparableConvolution2D, SubsamplingLayer, WeightInit)
from pydl4j_transfer.zoo.base import PretrainedType, ZooModel
from pydl4j_transfer.zoo.model.classic import _COMMON


def _bn():
    return BatchNormalization.Builder().build()


def _relu():
    return ActivationLayer.Builder().activation(Activation.RELU).build()


def _maxpool():
    return (SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(3, 3).stride(2, 2)
            .convolutionMode(ConvolutionMode.Same).build())


class Xception(ZooModel):
    """Mirrors org.deeplearning4j.zoo.model.Xception (ComputationGraph; ImageNet weights)."""

    OPTIONS = {"seed": 1234, "inputShape": [3, 299, 299], "numClasses": 0, "weightInit": WeightInit.RELU,
               "updater": AdaDelta, **_COMMON}
    PRETRAINED = {PretrainedType.IMAGENET: ("models/xception_dl4j_inference.v2.zip", 3277876097)}

    def _sep(self, n_out):
        return (SeparableConvolution2D.Builder(3, 3).nOut(n_out).hasBias(False)
                .convolutionMode(ConvolutionMode.Same).cudnnAlgoMode(self.cudnnAlgoMode).build())

    def _shortcut(self, g, i, n_out, input_name):
        g.addLayer(f"residual{i}_conv", ConvolutionLayer.Builder(1, 1).stride(2, 2).nOut(n_out).hasBias(False)
                   .convolutionMode(ConvolutionMode.Same).cudnnAlgoMode(self.cudnnAlgoMode).build(), input_name)
        g.addLayer(f"residual{i}", _bn(), f"residual{i}_conv")

    def graphBuilder(self):
        """Mirrors Xception#graphBuilder (with input "input", as the jar's)."""
        c, h, w = self.inputShape
        g = (NeuralNetConfiguration.Builder().seed(self.seed)
             .optimizationAlgo(OptimizationAlgorithm.STOCHASTIC_GRADIENT_DESCENT)
             .updater(self.updater).weightInit(self.weightInit).l2(4e-5).miniBatch(True)
             .cacheMode(self.cacheMode).trainingWorkspaceMode(self.workspaceMode)
             .inferenceWorkspaceMode(self.workspaceMode).convolutionMode(ConvolutionMode.Truncate)
             .graphBuilder())
        g.addInputs("input").setInputTypes(InputType.convolutional(w, h, c))
        # block1
        g.addLayer("block1_conv1", ConvolutionLayer.Builder(3, 3).stride(2, 2).nOut(32).hasBias(False)
                   .cudnnAlgoMode(self.cudnnAlgoMode).build(), "input")
        g.addLayer("block1_conv1_bn", _bn(), "block1_conv1")
        g.addLayer("block1_conv1_act", _relu(), "block1_conv1_bn")
        g.addLayer("block1_conv2", ConvolutionLayer.Builder(3, 3).stride(1, 1).nOut(64).hasBias(False)
                   .cudnnAlgoMode(self.cudnnAlgoMode).build(), "block1_conv1_act")
        g.addLayer("block1_conv2_bn", _bn(), "block1_conv2")
        g.addLayer("block1_conv2_act", _relu(), "block1_conv2_bn")
        # entry flow: residual1/block2 (no leading relu), residual2/block3, residual3/block4
        prev = "block1_conv2_act"
        for i, n in [(1, 128), (2, 256), (3, 728)]:
            b = f"block{i + 1}"
            self._shortcut(g, i, n, prev)
            if i == 1:
                g.addLayer(b + "_sepconv1", self._sep(n), prev)
            else:
                g.addLayer(b + "_sepconv1_act", _relu(), prev)
                g.addLayer(b + "_sepconv1", self._sep(n), b + "_sepconv1_act")
            g.addLayer(b + "_sepconv1_bn", _bn(), b + "_sepconv1")
            g.addLayer(b + "_sepconv2_act" if i > 1 else b + "_sepconv1_act", _relu(), b + "_sepconv1_bn")
            g.addLayer(b + "_sepconv2", self._sep(n), b + ("_sepconv2_act" if i > 1 else "_sepconv1_act"))
            g.addLayer(b + "_sepconv2_bn", _bn(), b + "_sepconv2")
            g.addLayer(b + "_pool", _maxpool(), b + "_sepconv2_bn")
            g.addVertex(f"add{i}", ElementWiseVertex(ElementWiseOp.Add), b + "_pool", f"residual{i}")
            prev = f"add{i}"
        # middle flow: 8 blocks of three separable convolutions with identity shortcuts
        for k in range(8):
            b, previous = f"block{5 + k}", f"add{3 + k}"
            x = previous
            for j in (1, 2, 3):
                g.addLayer(f"{b}_sepconv{j}_act", _relu(), x)
                g.addLayer(f"{b}_sepconv{j}", self._sep(728), f"{b}_sepconv{j}_act")
                g.addLayer(f"{b}_sepconv{j}_bn", _bn(), f"{b}_sepconv{j}")
                x = f"{b}_sepconv{j}_bn"
            g.addVertex(f"add{4 + k}", ElementWiseVertex(ElementWiseOp.Add), x, previous)
        # exit flow
        self._shortcut(g, 12, 1024, "add11")
        g.addLayer("block13_sepconv1_act", _relu(), "add11")
        g.addLayer("block13_sepconv1", self._sep(728), "block13_sepconv1_act")
        g.addLayer("block13_sepconv1_bn", _bn(), "block13_sepconv1")
        g.addLayer("block13_sepconv2_act", _relu(), "block13_sepconv1_bn")
        g.addLayer("block13_sepconv2", self._sep(1024), "block13_sepconv2_act")
        g.addLayer("block13_sepconv2_bn", _bn(), "block13_sepconv2")
        g.addLayer("block13_pool", _maxpool(), "block13_sepconv2_bn")
        g.addVertex("add12", ElementWiseVertex(ElementWiseOp.Add), "block13_pool", "residual12")
        g.addLayer("block14_sepconv1", self._sep(1536), "add12")
        g.addLayer("block14_sepconv1_bn", _bn(), "block14_sepconv1")
        g.addLayer("block14_sepconv1_act", _relu(), "block14_sepconv1_bn")
        g.addLayer("block14_sepconv2", self._sep(2048), "block14_sepconv1_act")
        g.addLayer("block14_sepconv2_bn", _bn(), "block14_sepconv2")
        g.addLayer("block14_sepconv2_act", _relu(), "block14_sepconv2_bn")
        g.addLayer("avg_pool", GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "block14_sepconv2_act")
        g.addLayer("predictions", OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(self.numClasses)
                   .activation(Activation.SOFTMAX).build(), "avg_pool")
        return g.setOutputs("predictions")

    def conf(self):
        """``graphBuilder().build()`` (addition)."""
        return self.graphBuilder().build()
