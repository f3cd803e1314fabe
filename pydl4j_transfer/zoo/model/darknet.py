"""Mirrors org.deeplearning4j.zoo.model.{Darknet19, TinyYOLO, YOLO2} and model.helper.DarknetHelper
(DL4J 1.0.0-M2.1), transcribed with our builders."""

from __future__ import annotations

from pydl4j_transfer.conf import (Activation, ActivationLayer, ActivationLReLU, Adam, BatchNormalization,
                                  ConvolutionLayer, ConvolutionMode, GlobalPoolingLayer, GradientNormalization,
                                  InputType, LossFunctions, LossLayer, MergeVertex, Nesterovs, NeuralNetConfiguration,
                                  OptimizationAlgorithm, PoolingType, SpaceToDepthLayer, SubsamplingLayer, WeightInit,
                                  Yolo2OutputLayer)
from pydl4j_transfer.zoo.base import PretrainedType, ZooModel
from pydl4j_transfer.zoo.model.classic import _COMMON


class DarknetHelper:
    """Mirrors org.deeplearning4j.zoo.model.helper.DarknetHelper."""

    @staticmethod
    def getGridWidth(inputShape) -> int:
        return int(inputShape[1]) // 32

    @staticmethod
    def getGridHeight(inputShape) -> int:
        return int(inputShape[2]) // 32

    @staticmethod
    def addLayers(g, layerNumber, *args):
        """``addLayers(g, n, filterSize, nIn, nOut, poolSize[, poolStride])`` (input: the previous block's last
        vertex, else "input") or ``addLayers(g, n, input, filterSize, nIn, nOut, poolSize, poolStride)``:
        conv (no bias, Same) -> BN -> leaky ReLU 0.1 [-> max pool (Same)]."""
        if isinstance(args[0], str):
            input_name, filter_size, n_in, n_out, pool_size, pool_stride = args
        else:
            filter_size, n_in, n_out, pool_size = args[:4]
            pool_stride = args[4] if len(args) > 4 else pool_size
            input_name = "input"
            for prefix in ("maxpooling2d_", "activation_", "concatenate_"):
                if prefix + str(layerNumber - 1) in g.getVertices():
                    input_name = prefix + str(layerNumber - 1)
                    break
        n = str(layerNumber)
        g.addLayer("convolution2d_" + n, ConvolutionLayer.Builder(filter_size, filter_size).nIn(n_in).nOut(n_out)
                   .weightInit(WeightInit.XAVIER).convolutionMode(ConvolutionMode.Same).hasBias(False).stride(1, 1)
                   .activation(Activation.IDENTITY).build(), input_name)
        g.addLayer("batchnormalization_" + n, BatchNormalization.Builder().nIn(n_out).nOut(n_out)
                   .weightInit(WeightInit.XAVIER).activation(Activation.IDENTITY).build(), "convolution2d_" + n)
        g.addLayer("activation_" + n, ActivationLayer.Builder().activation(ActivationLReLU(0.1)).build(),
                   "batchnormalization_" + n)
        if pool_size > 0:
            g.addLayer("maxpooling2d_" + n, SubsamplingLayer.Builder().kernelSize(pool_size, pool_size)
                       .stride(pool_stride, pool_stride).convolutionMode(ConvolutionMode.Same).build(),
                       "activation_" + n)
        return g


_add = DarknetHelper.addLayers

# Darknet19's first 18 blocks (also YOLO2's): (filterSize, nIn, nOut, poolSize); nIn 0 = the input's channels
_DARKNET19 = [(3, 0, 32, 2), (3, 32, 64, 2), (3, 64, 128, 0), (1, 128, 64, 0), (3, 64, 128, 2),
              (3, 128, 256, 0), (1, 256, 128, 0), (3, 128, 256, 2), (3, 256, 512, 0), (1, 512, 256, 0),
              (3, 256, 512, 0), (1, 512, 256, 0), (3, 256, 512, 2), (3, 512, 1024, 0), (1, 1024, 512, 0),
              (3, 512, 1024, 0), (1, 1024, 512, 0), (3, 512, 1024, 0)]


def _graph(m, yolo: bool):
    c, h, w = m.inputShape
    b = NeuralNetConfiguration.Builder().seed(m.seed)
    if yolo:
        b = (b.optimizationAlgo(OptimizationAlgorithm.STOCHASTIC_GRADIENT_DESCENT)
             .gradientNormalization(GradientNormalization.RenormalizeL2PerLayer).gradientNormalizationThreshold(1.0)
             .updater(m.updater))
    else:
        b = b.updater(m.updater).weightInit(m.weightInit)
    g = (b.l2(0.00001).activation(Activation.IDENTITY).cacheMode(m.cacheMode)
         .trainingWorkspaceMode(m.workspaceMode).inferenceWorkspaceMode(m.workspaceMode)
         .cudnnAlgoMode(m.cudnnAlgoMode).graphBuilder())
    g.addInputs("input").setInputTypes(InputType.convolutional(w, h, c))
    return g


def _darknet19_blocks(g, channels):
    for i, (k, n_in, n_out, pool) in enumerate(_DARKNET19, start=1):
        _add(g, i, k, n_in or channels, n_out, pool)


def _final_conv(n_out, cudnn_algo_mode=None):
    b = (ConvolutionLayer.Builder(1, 1).nIn(1024).nOut(n_out).weightInit(WeightInit.XAVIER).stride(1, 1)
         .convolutionMode(ConvolutionMode.Same).weightInit(WeightInit.RELU).activation(Activation.IDENTITY))
    if cudnn_algo_mode is not None:
        b = b.cudnnAlgoMode(cudnn_algo_mode)
    return b.build()


class Darknet19(ZooModel):
    """Mirrors org.deeplearning4j.zoo.model.Darknet19 (ComputationGraph; ImageNet weights for 224x224 and
    448x448 inputs: the pretrained URL and checksum depend on ``inputShape``, as in DL4J)."""

    OPTIONS = {"seed": 1234, "inputShape": [3, 224, 224], "numClasses": 0, "weightInit": WeightInit.RELU,
               "updater": lambda: Nesterovs(1e-3, 0.9), **_COMMON}
    PRETRAINED = {PretrainedType.IMAGENET: ("models/darknet19_dl4j_inference.v2.zip", 691100891)}
    PRETRAINED_448 = {PretrainedType.IMAGENET: ("models/darknet19_448_dl4j_inference.v2.zip", 1054319943)}

    def __getattribute__(self, name):
        if name == "PRETRAINED":
            shape = object.__getattribute__(self, "inputShape")
            if shape[1] == 448 and shape[2] == 448:
                return object.__getattribute__(self, "PRETRAINED_448")
        return object.__getattribute__(self, name)

    def conf(self):
        g = _graph(self, yolo=False)
        _darknet19_blocks(g, self.inputShape[0])
        g.addLayer("convolution2d_19", _final_conv(self.numClasses), "activation_18")
        g.addLayer("globalpooling", GlobalPoolingLayer.Builder(PoolingType.AVG).build(), "convolution2d_19")
        g.addLayer("softmax", ActivationLayer.Builder().activation(Activation.SOFTMAX).build(), "globalpooling")
        g.addLayer("loss", LossLayer.Builder(LossFunctions.LossFunction.NEGATIVELOGLIKELIHOOD).build(), "softmax")
        return g.setOutputs("loss").build()


class TinyYOLO(ZooModel):
    """Mirrors org.deeplearning4j.zoo.model.TinyYOLO (ComputationGraph; Pascal VOC weights under IMAGENET)."""

    OPTIONS = {"nBoxes": 5, "priorBoxes": [[1.08, 1.19], [3.42, 4.41], [6.63, 11.38], [9.42, 5.11], [16.62, 10.52]],
               "seed": 1234, "inputShape": [3, 416, 416], "numClasses": 0, "updater": lambda: Adam(1e-3), **_COMMON}
    # the M2.1 jar has "models/" in this path (the GitHub source does not)
    PRETRAINED = {PretrainedType.IMAGENET: ("models/tiny-yolo-voc_dl4j_inference.v2.zip", 1256226465)}

    def getNBoxes(self) -> int:
        return self.nBoxes

    def getPriorBoxes(self):
        return self.priorBoxes

    def conf(self):
        g = _graph(self, yolo=True)
        for i, (n_in, n_out, pool, stride) in enumerate(
                [(self.inputShape[0], 16, 2, 2), (16, 32, 2, 2), (32, 64, 2, 2), (64, 128, 2, 2), (128, 256, 2, 2),
                 (256, 512, 2, 1), (512, 1024, 0, 0), (1024, 1024, 0, 0)], start=1):
            _add(g, i, 3, n_in, n_out, pool, stride)
        g.addLayer("convolution2d_9", _final_conv(self.nBoxes * (5 + self.numClasses)), "activation_8")
        g.addLayer("outputs", Yolo2OutputLayer.Builder().boundingBoxPriors(self.priorBoxes).build(), "convolution2d_9")
        return g.setOutputs("outputs").build()


class YOLO2(ZooModel):
    """Mirrors org.deeplearning4j.zoo.model.YOLO2 (ComputationGraph; COCO weights under IMAGENET)."""

    DEFAULT_PRIOR_BOXES = [[0.57273, 0.677385], [1.87446, 2.06253], [3.33843, 5.47434], [7.88282, 3.52778],
                           [9.77052, 9.16828]]
    OPTIONS = {"nBoxes": 5, "priorBoxes": DEFAULT_PRIOR_BOXES, "seed": 1234, "inputShape": [3, 608, 608],
               "numClasses": 0, "updater": lambda: Adam(1e-3), **_COMMON}
    PRETRAINED = {PretrainedType.IMAGENET: ("models/yolo2_dl4j_inference.v3.zip", 3658373840)}

    def getNBoxes(self) -> int:
        return self.nBoxes

    def getPriorBoxes(self):
        return self.priorBoxes

    def conf(self):
        g = _graph(self, yolo=True)
        _darknet19_blocks(g, self.inputShape[0])
        _add(g, 19, 3, 1024, 1024, 0)
        _add(g, 20, 3, 1024, 1024, 0)
        _add(g, 21, "activation_13", 1, 512, 64, 0, 0)  # route
        g.addLayer("rearrange_21", SpaceToDepthLayer.Builder(2).build(), "activation_21")  # reorg
        g.addVertex("concatenate_21", MergeVertex(), "rearrange_21", "activation_20")  # route
        _add(g, 22, "concatenate_21", 3, 1024 + 256, 1024, 0, 0)
        g.addLayer("convolution2d_23", _final_conv(self.nBoxes * (5 + self.numClasses), self.cudnnAlgoMode),
                   "activation_22")
        g.addLayer("outputs", Yolo2OutputLayer.Builder().boundingBoxPriors(self.priorBoxes).build(), "convolution2d_23")
        return g.setOutputs("outputs").build()
