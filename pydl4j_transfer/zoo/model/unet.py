"""Mirrors org.deeplearning4j.zoo.model.UNet (DL4J 1.0.0-M2.1), transcribed with our builders."""

from __future__ import annotations

from pydl4j_transfer.conf import (Activation, AdaDelta, CnnLossLayer, ConvolutionLayer, ConvolutionMode, DropoutLayer,
                                  InputType, LossFunctions, MergeVertex, NeuralNetConfiguration,
                                  OptimizationAlgorithm, PoolingType, SubsamplingLayer, Upsampling2D, WeightInit)
from pydl4j_transfer.zoo.base import PretrainedType, ZooModel
from pydl4j_transfer.zoo.model.classic import _COMMON


class UNet(ZooModel):
    """Mirrors org.deeplearning4j.zoo.model.UNet (ComputationGraph; SEGMENT weights).

    As in DL4J, ``numClasses`` is accepted but not used (the output is one sigmoid channel per pixel),
    and ``graphBuilder()`` has no inputs yet: ``conf()`` (addition) adds "input" as DL4J's ``init()`` does.
    The M2.1 jar's "conv10" is 1x1 (the GitHub source says 3x3); this mirrors the jar.
    """

    OPTIONS = {"seed": 1234, "inputShape": [3, 512, 512], "numClasses": 0, "weightInit": WeightInit.RELU,
               "updater": AdaDelta, **_COMMON}
    PRETRAINED = {PretrainedType.SEGMENT: ("models/unet_dl4j_segment_inference.v1.zip", 712347958)}

    def _conv(self, k, n_out, activation=Activation.RELU):
        return (ConvolutionLayer.Builder(k, k).stride(1, 1).nOut(n_out).convolutionMode(ConvolutionMode.Same)
                .cudnnAlgoMode(self.cudnnAlgoMode).activation(activation).build())

    def graphBuilder(self):
        """Mirrors UNet#graphBuilder (no inputs)."""
        g = (NeuralNetConfiguration.Builder().seed(self.seed)
             .optimizationAlgo(OptimizationAlgorithm.STOCHASTIC_GRADIENT_DESCENT)
             .updater(self.updater).weightInit(self.weightInit).l2(5e-5).miniBatch(True)
             .cacheMode(self.cacheMode).trainingWorkspaceMode(self.workspaceMode)
             .inferenceWorkspaceMode(self.workspaceMode).graphBuilder())

        def pool():
            return SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).build()

        prev = "input"
        for i, n in [(1, 64), (2, 128), (3, 256), (4, 512), (5, 1024)]:
            g.addLayer(f"conv{i}-1", self._conv(3, n), prev)
            g.addLayer(f"conv{i}-2", self._conv(3, n), f"conv{i}-1")
            prev = f"conv{i}-2"
            if i >= 4:
                g.addLayer(f"drop{i}", DropoutLayer.Builder(0.5).build(), prev)
                prev = f"drop{i}"
            if i < 5:
                g.addLayer(f"pool{i}", pool(), prev)
                prev = f"pool{i}"
        for i, n, skip in [(6, 512, "drop4"), (7, 256, "conv3-2"), (8, 128, "conv2-2"), (9, 64, "conv1-2")]:
            g.addLayer(f"up{i}-1", Upsampling2D.Builder(2).build(), prev)
            g.addLayer(f"up{i}-2", self._conv(2, n), f"up{i}-1")
            g.addVertex(f"merge{i}", MergeVertex(), skip, f"up{i}-2")
            g.addLayer(f"conv{i}-1", self._conv(3, n), f"merge{i}")
            g.addLayer(f"conv{i}-2", self._conv(3, n), f"conv{i}-1")
            prev = f"conv{i}-2"
        g.addLayer("conv9-3", self._conv(3, 2), "conv9-2")
        g.addLayer("conv10", self._conv(1, 1, Activation.IDENTITY), "conv9-3")  # 1x1 in the jar (3x3 in the source)
        g.addLayer("output", CnnLossLayer.Builder(LossFunctions.LossFunction.XENT).activation(Activation.SIGMOID)
                   .build(), "conv10")
        return g.setOutputs("output")

    def conf(self):
        """The configuration DL4J's ``init()`` builds: ``graphBuilder()`` plus input "input" (addition)."""
        c, h, w = self.inputShape
        g = self.graphBuilder()
        g.addInputs("input").setInputTypes(InputType.convolutional(w, h, c))
        return g.build()
