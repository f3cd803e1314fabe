"""The sequential-style zoo models: LeNet, SimpleCNN, AlexNet, VGG16, VGG19.

Transcribed from DL4J 1.0.0-M2.1's org.deeplearning4j.zoo.model classes with our builders; the
JSON each ``conf()`` gives is checked against DL4J's in tests/zoo.
"""

from __future__ import annotations

from pydl4j_transfer.conf import (Activation, ActivationLayer, AdaDelta, BatchNormalization, ConvolutionLayer,
                                  ConvolutionMode, DenseLayer, DropoutLayer, GlobalPoolingLayer, GradientNormalization,
                                  InputType, LocalResponseNormalization, LossFunctions, Nesterovs,
                                  NeuralNetConfiguration, NormalDistribution, OptimizationAlgorithm, OutputLayer,
                                  PoolingType, SubsamplingLayer, WeightInit)
import numpy as np

from pydl4j_transfer.errors import Dl4jFormatError
from pydl4j_transfer.nn import ComputationGraph, MultiLayerNetwork
from pydl4j_transfer.zoo.base import PretrainedType, ZooModel

_COMMON = {"cacheMode": "NONE", "workspaceMode": "ENABLED", "cudnnAlgoMode": "PREFER_FASTEST"}
LossFunction = LossFunctions.LossFunction


def _options(input_shape, updater, **extra):
    return {"seed": 1234, "inputShape": list(input_shape), "numClasses": 0, "updater": updater, **_COMMON, **extra}


def _base(m):
    """The NeuralNetConfiguration.Builder settings every zoo class starts from."""
    return (NeuralNetConfiguration.Builder().seed(m.seed).updater(m.updater).cacheMode(m.cacheMode)
            .trainingWorkspaceMode(m.workspaceMode).inferenceWorkspaceMode(m.workspaceMode))


class LeNet(ZooModel):
    """Mirrors org.deeplearning4j.zoo.model.LeNet (MultiLayerNetwork; MNIST weights published)."""

    OPTIONS = _options((1, 28, 28), AdaDelta)
    MODEL_TYPE = MultiLayerNetwork
    PRETRAINED = {PretrainedType.MNIST: ("models/lenet_dl4j_mnist_inference.zip", 1906861161)}

    def conf(self):
        c, h, w = self.inputShape
        return (_base(self).activation(Activation.IDENTITY).weightInit(WeightInit.XAVIER)
                .optimizationAlgo(OptimizationAlgorithm.STOCHASTIC_GRADIENT_DESCENT)
                .cudnnAlgoMode(self.cudnnAlgoMode).convolutionMode(ConvolutionMode.Same)
                .list()
                .layer(ConvolutionLayer.Builder().name("cnn1").kernelSize(5, 5).stride(1, 1).nIn(c).nOut(20)
                       .activation(Activation.RELU).build())
                .layer(SubsamplingLayer.Builder(PoolingType.MAX).name("maxpool1").kernelSize(2, 2).stride(2, 2).build())
                .layer(ConvolutionLayer.Builder().name("cnn2").kernelSize(5, 5).stride(1, 1).nOut(50)
                       .activation(Activation.RELU).build())
                .layer(SubsamplingLayer.Builder(PoolingType.MAX).name("maxpool2").kernelSize(2, 2).stride(2, 2).build())
                .layer(DenseLayer.Builder().name("ffn1").activation(Activation.RELU).nOut(500).build())
                .layer(OutputLayer.Builder(LossFunction.MCXENT).name("output").nOut(self.numClasses)
                       .activation(Activation.SOFTMAX).build())
                # DL4J passes (inputShape[2], inputShape[1], inputShape[0]) as (height, width, channels)
                .setInputType(InputType.convolutionalFlat(w, h, c))
                .build())


class SimpleCNN(ZooModel):
    """Mirrors org.deeplearning4j.zoo.model.SimpleCNN (MultiLayerNetwork; no pretrained weights)."""

    OPTIONS = _options((3, 48, 48), AdaDelta)
    MODEL_TYPE = MultiLayerNetwork

    def conf(self):
        c, h, w = self.inputShape
        b = (_base(self).activation(Activation.IDENTITY).weightInit(WeightInit.RELU)
             .optimizationAlgo(OptimizationAlgorithm.STOCHASTIC_GRADIENT_DESCENT)
             .convolutionMode(ConvolutionMode.Same).list())
        # blocks 1-4: conv, BN, conv, BN, relu, avg-pool 2x2, dropout 0.5
        for i, (k, n) in enumerate([(7, 16), (5, 32), (3, 64), (3, 128)]):
            first = ConvolutionLayer.Builder([k, k]).nOut(n)
            if i == 0:
                first = first.name("image_array").nIn(c)
            second = ConvolutionLayer.Builder([k, k]).nOut(n)
            if i == 0:
                second = second.nIn(16)
            b = (b.layer(first.build()).layer(BatchNormalization.Builder().build())
                 .layer(second.build()).layer(BatchNormalization.Builder().build())
                 .layer(ActivationLayer.Builder().activation(Activation.RELU).build())
                 .layer(SubsamplingLayer.Builder(PoolingType.AVG, [2, 2]).build())
                 .layer(DropoutLayer.Builder(0.5).build()))
        # block 5
        b = (b.layer(ConvolutionLayer.Builder([3, 3]).nOut(256).build())
             .layer(BatchNormalization.Builder().build())
             .layer(ConvolutionLayer.Builder([3, 3]).nOut(self.numClasses).build())
             .layer(GlobalPoolingLayer.Builder(PoolingType.AVG).build())
             .layer(ActivationLayer.Builder().activation(Activation.SOFTMAX).build()))
        return b.setInputType(InputType.convolutional(w, h, c)).build()


class AlexNet(ZooModel):
    """Mirrors org.deeplearning4j.zoo.model.AlexNet (MultiLayerNetwork; no pretrained weights).

    As in DL4J, the ``cudnnAlgoMode`` option is accepted but not used (the layers keep PREFER_FASTEST).
    """

    OPTIONS = _options((3, 224, 224), lambda: Nesterovs(1e-2, 0.9))
    MODEL_TYPE = MultiLayerNetwork

    def conf(self):
        c, h, w = self.inputShape
        non_zero_bias = 1.0
        drop_out = 0.5

        def conv(name, k, s, p, n, **kw):
            b = ConvolutionLayer.Builder([k, k], [s, s], [p, p]).name(name).nOut(n)
            for key, value in kw.items():
                b = getattr(b, key)(value)
            return b.build()

        return (_base(self)
                .weightInit(NormalDistribution(0.0, 0.01)).activation(Activation.RELU)
                .biasUpdater(Nesterovs(2e-2, 0.9))
                .convolutionMode(ConvolutionMode.Same)
                .gradientNormalization(GradientNormalization.RenormalizeL2PerLayer)
                .optimizationAlgo(OptimizationAlgorithm.STOCHASTIC_GRADIENT_DESCENT)
                .l2(5 * 1e-4).miniBatch(False)
                .list()
                .layer(ConvolutionLayer.Builder([11, 11], [4, 4]).name("cnn1")
                       .convolutionMode(ConvolutionMode.Truncate).nIn(c).nOut(96).build())
                .layer(LocalResponseNormalization.Builder().build())
                .layer(SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(3, 3).stride(2, 2).padding(1, 1)
                       .name("maxpool1").build())
                .layer(ConvolutionLayer.Builder([5, 5], [1, 1], [2, 2]).name("cnn2")
                       .convolutionMode(ConvolutionMode.Truncate).nOut(256).biasInit(non_zero_bias).build())
                .layer(SubsamplingLayer.Builder(PoolingType.MAX, [3, 3], [2, 2]).convolutionMode(ConvolutionMode.Truncate)
                       .name("maxpool2").build())
                .layer(LocalResponseNormalization.Builder().build())
                .layer(ConvolutionLayer.Builder().name("cnn3").kernelSize(3, 3)
                       .stride(1, 1).nOut(384).build())
                .layer(ConvolutionLayer.Builder([3, 3]).name("cnn4").nOut(384)
                       .biasInit(non_zero_bias).build())
                .layer(ConvolutionLayer.Builder([3, 3]).name("cnn5").nOut(256)
                       .biasInit(non_zero_bias).build())
                .layer(SubsamplingLayer.Builder(PoolingType.MAX, [3, 3], [2, 2]).name("maxpool3")
                       .convolutionMode(ConvolutionMode.Truncate).build())
                .layer(DenseLayer.Builder().name("ffn1").nIn(256 * 6 * 6).nOut(4096)
                       .weightInit(NormalDistribution(0, 0.005)).biasInit(non_zero_bias).build())
                .layer(DenseLayer.Builder().name("ffn2").nOut(4096).weightInit(NormalDistribution(0, 0.005))
                       .biasInit(non_zero_bias).dropOut(drop_out).build())
                .layer(OutputLayer.Builder(LossFunction.NEGATIVELOGLIKELIHOOD).name("output").nOut(self.numClasses)
                       .activation(Activation.SOFTMAX).weightInit(NormalDistribution(0, 0.005)).biasInit(0.1).build())
                .setInputType(InputType.convolutional(w, h, c))
                .build())


def _vgg(m, blocks, dense_dropouts, dense_width=4096):
    """VGG16/VGG19: conv 3x3 blocks with 2x2 max pooling, Dense 4096 layers, NLL softmax output.

    Vertices are named "0", "1", ... (DL4J's ``layer(int, ...)``), input "in".
    """
    c, h, w = m.inputShape
    g = (_base(m).optimizationAlgo(OptimizationAlgorithm.STOCHASTIC_GRADIENT_DESCENT).activation(Activation.RELU)
         .graphBuilder().addInputs("in"))
    i, prev = 0, "in"

    def add(layer):
        nonlocal i, prev
        g.addLayer(str(i), layer, prev)
        prev, i = str(i), i + 1

    for n_convs, n_out in blocks:
        for _ in range(n_convs):
            conv = ConvolutionLayer.Builder().kernelSize(3, 3).stride(1, 1).padding(1, 1)
            if i == 0:
                conv = conv.nIn(c)
            add(conv.nOut(n_out).cudnnAlgoMode(m.cudnnAlgoMode).build())
        add(SubsamplingLayer.Builder().poolingType(PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build())
    for p in dense_dropouts:
        dense = DenseLayer.Builder().nOut(dense_width)
        add((dense.dropOut(p) if p is not None else dense).build())
    # DL4J's .name("output") is overridden by layer(int, ...): the vertex and layer are named by index
    add(OutputLayer.Builder(LossFunction.NEGATIVELOGLIKELIHOOD).name("output").nOut(m.numClasses)
        .activation(Activation.SOFTMAX).build())
    return g.setOutputs(prev).setInputTypes(InputType.convolutionalFlat(w, h, c)).build()


def _torchvision_vgg(m, state, where, backend, dropouts):
    """A torchvision VGG state_dict in the zoo's conf() graph (pretrained_files.torchvision_vgg_params). The widths
    come from the state_dict, so reduced variants of the same layout load too; numClasses from its last layer. The
    output layer is DL4J's softmax: the network's output is softmax(torchvision's logits)."""
    from pydl4j_transfer.zoo import pretrained_files as pf

    convs = sorted(int(k.split(".")[1]) for k in state if k.startswith("features.") and k.endswith(".weight"))
    heads = sorted(int(k.split(".")[1]) for k in state if k.startswith("classifier.") and k.endswith(".weight"))
    if not convs or len(heads) != 3:
        raise Dl4jFormatError("not a torchvision VGG state_dict (features.N.weight, classifier.{0,3,6}.weight)",
                              entry=where)
    widths = [state[f"features.{i}.weight"].shape[0] for i in convs]
    blocks, k = [], 0
    for n, _ in m.BLOCKS:
        blocks.append((n, widths[k]))
        k += n
    if k != len(widths):
        raise Dl4jFormatError(f"the state_dict has {len(widths)} conv layers, {type(m).__name__} has {k}", entry=where)
    copy = type(m)(**{**{o: getattr(m, o) for o in m.OPTIONS}, "numClasses": int(state[f"classifier.{heads[-1]}.weight"]
                                                                                   .shape[0])})
    net = ComputationGraph(_vgg(copy, blocks, dropouts, int(state[f"classifier.{heads[0]}.weight"].shape[0])))
    net.init(np.zeros(net.numParams(), dtype=np.float32))
    pf.torchvision_vgg_params(net, state, where)
    return pf._on_backend(net, backend)


class VGG16(ZooModel):
    """Mirrors org.deeplearning4j.zoo.model.VGG16 (ComputationGraph; ImageNet, CIFAR-10 and VGGFace weights).

    The pretrained zips hold Keras-imported graphs with Keras names (``block1_conv1`` ... ``fc2``,
    ``predictions``), not the "0".."20" names of ``conf()``.
    """

    OPTIONS = _options((3, 224, 224), Nesterovs)
    PRETRAINED = {
        PretrainedType.IMAGENET: ("models/vgg16_dl4j_inference.zip", 3501732770),
        PretrainedType.CIFAR10: ("models/vgg16_dl4j_cifar10_inference.v1.zip", 2192260131),
        PretrainedType.VGGFACE: ("models/vgg16_dl4j_vggface_inference.v1.zip", 2706403553),
    }

    KERAS_APPLICATION = "vgg16"
    BLOCKS = [(2, 64), (2, 128), (3, 256), (3, 512), (3, 512)]

    def conf(self):
        return _vgg(self, self.BLOCKS, [0.5, 0.5])

    def _from_torch_state(self, state, where, backend):
        return _torchvision_vgg(self, state, where, backend, [0.5, 0.5])


class VGG19(ZooModel):
    """Mirrors org.deeplearning4j.zoo.model.VGG19 (ComputationGraph; ImageNet weights)."""

    OPTIONS = {**_options((3, 224, 224), Nesterovs), "cudnnAlgoMode": "NO_WORKSPACE"}
    PRETRAINED = {PretrainedType.IMAGENET: ("models/vgg19_dl4j_inference.zip", 2782932419)}

    KERAS_APPLICATION = "vgg19"
    BLOCKS = [(2, 64), (2, 128), (4, 256), (4, 512), (4, 512)]

    def conf(self):
        return _vgg(self, self.BLOCKS, [None])

    def _from_torch_state(self, state, where, backend):
        # torchvision's VGG19 has VGG's two 4096-wide dense layers; DL4J's VGG19.conf() has one (its pretrained zip is
        # a Keras import): the torchvision weights go into the VGG16-style head
        return _torchvision_vgg(self, state, where, backend, [None, None])
