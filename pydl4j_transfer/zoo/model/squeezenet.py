"""Mirrors org.deeplearning4j.zoo.model.SqueezeNet (DL4J 1.0.0-M2.1), transcribed with our builders.

The real M2.1 jar differs from the GitHub source of that file (checked against its JSON): "conv10"
reads "drop9" (the source says "input") and the expand 1x1 layers are named "fire<N>_exp1x1" (the
source says "fire<N>exp1x1") and the expand 3x3 layers use ConvolutionMode.Same (the source leaves
the graph's Truncate); this mirrors the jar.
"""

from __future__ import annotations

from pydl4j_transfer.conf import (Activation, ActivationLayer, AdaDelta, ConvolutionLayer, ConvolutionMode,
                                  DropoutLayer, GlobalPoolingLayer, InputType, LossFunctions, LossLayer, MergeVertex,
                                  NeuralNetConfiguration, OptimizationAlgorithm, PoolingType, SubsamplingLayer,
                                  WeightInit)
from pydl4j_transfer.zoo.base import PretrainedType, ZooModel
from pydl4j_transfer.zoo.model.classic import _COMMON


def _act(activation):
    return ActivationLayer.Builder().activation(activation).build()


def _maxpool():
    return SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(3, 3).stride(2, 2).build()


class SqueezeNet(ZooModel):
    """Mirrors org.deeplearning4j.zoo.model.SqueezeNet (ComputationGraph; ImageNet weights)."""

    OPTIONS = {"seed": 1234, "inputShape": [3, 227, 227], "numClasses": 0, "weightInit": WeightInit.RELU,
               "updater": AdaDelta, **_COMMON}
    PRETRAINED = {PretrainedType.IMAGENET: ("models/squeezenet_dl4j_inference.v2.zip", 3711411239)}

    def _fire(self, g, fire_id, squeeze, expand, input_name):
        p = f"fire{fire_id}"
        g.addLayer(p + "_sq1x1", ConvolutionLayer.Builder(1, 1).nOut(squeeze).cudnnAlgoMode(self.cudnnAlgoMode).build(),
                   input_name)
        g.addLayer(p + "_relu_sq1x1", _act(Activation.RELU), p + "_sq1x1")
        g.addLayer(p + "_exp1x1", ConvolutionLayer.Builder(1, 1).nOut(expand).cudnnAlgoMode(self.cudnnAlgoMode).build(),
                   p + "_relu_sq1x1")
        g.addLayer(p + "_relu_exp1x1", _act(Activation.RELU), p + "_exp1x1")
        g.addLayer(p + "_exp3x3", ConvolutionLayer.Builder(3, 3).nOut(expand).convolutionMode(ConvolutionMode.Same)
                   .cudnnAlgoMode(self.cudnnAlgoMode).build(), p + "_relu_sq1x1")
        g.addLayer(p + "_relu_exp3x3", _act(Activation.RELU), p + "_exp3x3")
        g.addVertex(p, MergeVertex(), p + "_relu_exp1x1", p + "_relu_exp3x3")
        return p

    def graphBuilder(self):
        """Mirrors SqueezeNet#graphBuilder: like DL4J's, it has no inputs yet (``conf()``/``init()`` add "input")."""
        g = (NeuralNetConfiguration.Builder().seed(self.seed)
             .optimizationAlgo(OptimizationAlgorithm.STOCHASTIC_GRADIENT_DESCENT)
             .updater(self.updater).weightInit(self.weightInit).l2(5e-5).miniBatch(True)
             .cacheMode(self.cacheMode).trainingWorkspaceMode(self.workspaceMode)
             .inferenceWorkspaceMode(self.workspaceMode).convolutionMode(ConvolutionMode.Truncate)
             .graphBuilder())
        g.addLayer("conv1", ConvolutionLayer.Builder(3, 3).stride(2, 2).nOut(64).cudnnAlgoMode(self.cudnnAlgoMode)
                   .build(), "input")
        g.addLayer("conv1_act", _act(Activation.RELU), "conv1")
        g.addLayer("pool1", _maxpool(), "conv1_act")
        self._fire(g, 2, 16, 64, "pool1")
        self._fire(g, 3, 16, 64, "fire2")
        g.addLayer("pool3", _maxpool(), "fire3")
        self._fire(g, 4, 32, 128, "pool3")
        self._fire(g, 5, 32, 128, "fire4")
        g.addLayer("pool5", _maxpool(), "fire5")
        self._fire(g, 6, 48, 192, "pool5")
        self._fire(g, 7, 48, 192, "fire6")
        self._fire(g, 8, 64, 256, "fire7")
        self._fire(g, 9, 64, 256, "fire8")
        g.addLayer("drop9", DropoutLayer.Builder(0.5).build(), "fire9")
        g.addLayer("conv10", ConvolutionLayer.Builder(1, 1).nOut(self.numClasses).cudnnAlgoMode(self.cudnnAlgoMode)
                   .build(), "drop9")
        g.addLayer("conv10_act", _act(Activation.RELU), "conv10")
        g.addLayer("avg_pool", GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "conv10_act")
        g.addLayer("softmax", _act(Activation.SOFTMAX), "avg_pool")
        g.addLayer("loss", LossLayer.Builder(LossFunctions.LossFunction.MCXENT).build(), "softmax")
        return g.setOutputs("loss")

    def conf(self):
        """The configuration DL4J's ``init()`` builds: ``graphBuilder()`` plus input "input" (addition)."""
        c, h, w = self.inputShape
        g = self.graphBuilder()
        g.addInputs("input").setInputTypes(InputType.convolutional(w, h, c))
        return g.build()
