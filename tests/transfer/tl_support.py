"""Small networks and comparison helpers for the transfer-learning parity tests.

Each case builds the same plan twice: with our builders (``build()``) and, through
``builder.replayInDl4j()``, with DL4J's own Java builders on the same
original network (JSON + params). Configuration JSON is compared after ``json.loads``.
"""

from __future__ import annotations


import numpy as np

from pydl4j_transfer.conf import (Adam, ConvolutionLayer, ConvolutionMode, DenseLayer, InputType, NeuralNetConfiguration,
                                  OutputLayer, PoolingType, Sgd, SubsamplingLayer)
from pydl4j_transfer.conf.enums import Activation, LossFunctions, WeightInit
from pydl4j_transfer.nn import ComputationGraph, MultiLayerNetwork

from ..json_diff import assert_same_json, canonical

SEED = 12345


def mln(seed=SEED, dropout_on_hidden=False):
    """A 4-layer MLP: dense 4->5 (relu), dense 5->6 (tanh), dense 6->3, output 3->2."""
    h = DenseLayer.Builder().nIn(4).nOut(5).activation(Activation.RELU)
    if dropout_on_hidden:
        h = h.dropOut(0.8)
    conf = (NeuralNetConfiguration.Builder().seed(seed).updater(Sgd(0.1)).activation(Activation.TANH)
            .weightInit(WeightInit.XAVIER)
            .list(h.build(),
                  DenseLayer.Builder().nIn(5).nOut(6).l2(0.01).l1(0.02).build(),
                  DenseLayer.Builder().nIn(6).nOut(3).build(),
                  OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(3).nOut(2)
                  .activation(Activation.SOFTMAX).build())
            .build())
    return MultiLayerNetwork(conf).init()


def cnn_mln(seed=SEED):
    """conv(3->4, 3x3) - maxpool - conv(4->5) - dense - output, at 3x12x12 (MLN)."""
    conf = (NeuralNetConfiguration.Builder().seed(seed).updater(Adam(1e-3)).activation(Activation.RELU)
            .convolutionMode(ConvolutionMode.Same)
            .list(ConvolutionLayer.Builder(3, 3).nIn(3).nOut(4).build(),
                  SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build(),
                  ConvolutionLayer.Builder(3, 3).nIn(4).nOut(5).build(),
                  DenseLayer.Builder().nOut(7).build(),
                  OutputLayer.Builder(LossFunctions.LossFunction.NEGATIVELOGLIKELIHOOD).nOut(3)
                  .activation(Activation.SOFTMAX).build())
            .setInputType(InputType.convolutional(12, 12, 3))
            .build())
    return MultiLayerNetwork(conf).init()


VGG_BLOCKS = ((1, 2, 4), (2, 2, 4), (3, 3, 6), (4, 3, 6), (5, 3, 8))  # (block, convs, channels)


def vgg(seed=SEED, output_layer=False):
    """A small VGG16-shaped graph at 3x32x32, with Keras-style names as the zoo's pretrained VGG16.

    input_1 -> block1_conv1 .. block5_pool -> flatten (PreprocessorVertex) -> fc1 -> fc2 -> predictions
    (a DenseLayer, as in the pretrained file, unless ``output_layer``).
    """
    from pydl4j_transfer.conf import CnnToFeedForwardPreProcessor, PreprocessorVertex

    g = (NeuralNetConfiguration.Builder().seed(seed).updater(Sgd(0.01)).activation(Activation.RELU)
         .convolutionMode(ConvolutionMode.Same).graphBuilder().addInputs("input_1"))
    prev, ch = "input_1", 3
    for block, n, c in VGG_BLOCKS:
        for k in range(1, n + 1):
            name = f"block{block}_conv{k}"
            g.addLayer(name, ConvolutionLayer.Builder(3, 3).nIn(ch).nOut(c).build(), prev)
            prev, ch = name, c
        name = f"block{block}_pool"
        g.addLayer(name, SubsamplingLayer.Builder(PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build(), prev)
        prev = name
    g.addVertex("flatten", PreprocessorVertex(CnnToFeedForwardPreProcessor(1, 1, ch)), prev)
    g.addLayer("fc1", DenseLayer.Builder().nIn(ch).nOut(10).build(), "flatten")
    g.addLayer("fc2", DenseLayer.Builder().nIn(10).nOut(10).build(), "fc1")
    if output_layer:
        g.addLayer("predictions", OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(10).nOut(5)
                   .activation(Activation.SOFTMAX).build(), "fc2")
    else:
        g.addLayer("predictions", DenseLayer.Builder().nIn(10).nOut(5).activation(Activation.SOFTMAX).build(), "fc2")
    conf = g.setOutputs("predictions").setInputTypes(InputType.convolutional(32, 32, 3)).build()
    return ComputationGraph(conf).init()


canon = canonical  # configuration JSON -> comparable tree (the key order is irrelevant)


def layer_trees(tree):
    """{layer name: layer JSON} of an MLN or graph configuration tree."""
    if "confs" in tree:
        return {c["layer"]["layerName"]: c for c in tree["confs"]}
    return {k: v for k, v in tree["vertices"].items()}


def both(builder):
    """(our network, DL4J's network as Dl4jModel) for the same recorded plan."""
    ours = builder.build()
    theirs = builder.replayInDl4j()
    return ours, theirs


def assert_same_conf(ours, theirs, ignore=(), skip=()):
    """Our configuration JSON equals DL4J's (after json.loads), except the listed top-level keys and the paths
    under the ``skip`` prefixes."""
    a, b = canon(ours.toJson()), canon(theirs.configurationJson())
    for k in ignore:
        a.pop(k, None)
        b.pop(k, None)
    assert_same_json(a, b, skip=skip)


def java_param_table(model):
    """{name: numpy array} of a Java network's paramTable (DL4J's names)."""
    from pydl4j_transfer.dl4j_backend.arrays import to_numpy

    table = model.java.paramTable()
    return {str(k): to_numpy(table.get(k)) for k in table.keySet()}


def assert_kept(ours, orig, names):
    """Each (new name, original name) pair: bit-identical params."""
    ot, nt = orig.paramTable(), ours.paramTable()
    for new, old in names:
        np.testing.assert_array_equal(nt[new], ot[old], err_msg=f"{new} (from {old}) not kept bit for bit")
        assert nt[new].tobytes() == ot[old].tobytes()


def feature_extractor_as_dl4j(orig, ftc, frozen_till, x):
    """``TransferLearning.Builder(orig).fineTuneConfiguration(ftc).setFeatureExtractor(frozen_till)`` here and in
    DL4J: the same configuration, layers 0..frozen_till in FrozenLayer, every param kept bit for bit, and the same
    output on ``x`` as DL4J's network made from ours. Returns our network."""
    from pydl4j_transfer.dl4j_backend import Dl4jModel
    from pydl4j_transfer.transfer import TransferLearning

    ours, theirs = both(TransferLearning.Builder(orig).fineTuneConfiguration(ftc).setFeatureExtractor(frozen_till))
    assert_same_conf(ours, theirs)
    kinds = [c.layer.dl4jSimpleName for c in ours.getLayerWiseConfigurations().confs]
    assert kinds[:frozen_till + 1] == ["FrozenLayer"] * (frozen_till + 1)
    assert_kept(ours, orig, [(k, k) for k in orig.paramTable()])
    jnet = Dl4jModel.fromJson(ours.toJson(), ours.params().copy())
    np.testing.assert_allclose(ours.output(x), jnet.output(x), rtol=1e-5, atol=1e-6)
    return ours


def assert_kept_in_dl4j(theirs, orig, names):
    jt = java_param_table(theirs)
    ot = orig.paramTable()
    for new, old in names:
        np.testing.assert_array_equal(jt[new].reshape(ot[old].shape), ot[old])


def xavier_std(fan_in, fan_out):
    return float(np.sqrt(2.0 / (fan_in + fan_out)))


def assert_distribution(values, mean, std, rtol=0.35, atol_mean=None):
    v = np.asarray(values, dtype=np.float64).ravel()
    atol_mean = atol_mean if atol_mean is not None else 4 * std / np.sqrt(v.size) + 1e-6
    assert abs(v.mean() - mean) <= atol_mean, (v.mean(), mean)
    assert abs(v.std() - std) <= rtol * std, (v.std(), std)
