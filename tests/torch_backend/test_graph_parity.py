"""ComputationGraph vertices (and graph masks) against real DL4J, plus the 3-D layers and leftovers the
fixtures do not cover."""

from __future__ import annotations

import numpy as np
import pytest
from .parity import check_parity, rand

from pydl4j_transfer.conf import (LSTM, AutoEncoder, Cnn3DLossLayer, CnnToFeedForwardPreProcessor, Convolution3D,
                                  ConvolutionLayer, Cropping3D, Deconvolution3D, DenseLayer, DuplicateToTimeSeriesVertex,
                                  ElementWiseVertex, FrozenVertex, InputType, L2NormalizeVertex, L2Vertex,
                                  LastTimeStepVertex, LossLayer, MergeVertex, NeuralNetConfiguration, OutputLayer,
                                  PoolHelperVertex, PreprocessorVertex, ReshapeVertex, ReverseTimeSeriesVertex,
                                  RnnOutputLayer, ScaleVertex, ShiftVertex, SimpleRnn, StackVertex, Subsampling3DLayer,
                                  SubsamplingLayer, SubsetVertex, UnstackVertex, Upsampling1D, Upsampling3D,
                                  ZeroPadding3DLayer)

pytestmark = pytest.mark.dl4j


def test_elementwise_ops_and_misc_vertices():
    g = (NeuralNetConfiguration.Builder().seed(1).activation("tanh").graphBuilder().addInputs("a", "b")
         .addLayer("da", DenseLayer(nIn=4, nOut=6), "a")
         .addLayer("db", DenseLayer(nIn=4, nOut=6), "b"))
    for op in ("Add", "Subtract", "Product", "Average", "Max"):
        g.addVertex(op, ElementWiseVertex(op), "da", "db")
    g = (g.addVertex("merge", MergeVertex(), "Add", "Subtract", "Product", "Average", "Max")
         .addVertex("subset", SubsetVertex(2, 20), "merge")
         .addVertex("stack", StackVertex(), "da", "db")
         .addVertex("unstack", UnstackVertex(1, 2), "stack")
         .addVertex("scale", ScaleVertex(2.5), "unstack")
         .addVertex("shift", ShiftVertex(-1.0), "scale")
         .addVertex("l2", L2Vertex(), "da", "db")
         .addVertex("l2n", L2NormalizeVertex([1], 1e-6), "Product")
         .addVertex("reshape", ReshapeVertex(-1, 2, 3), "shift")
         .addVertex("frozen", FrozenVertex(ScaleVertex(0.5)), "subset")
         .addVertex("m2", MergeVertex(), "frozen", "l2", "l2n")
         .addLayer("out", OutputLayer(nIn=26, nOut=3, activation="softmax", lossFunction="mcxent"), "m2")
         .setOutputs("out", "reshape").build())
    # (outputs "out", "reshape" AND "stack" together make real DL4J M2.1 throw a NullPointerException in output())
    check_parity(g, [rand(5, 4, seed=1), rand(5, 4, seed=2)])


def test_cnn_vertices_and_layer_vertex_preprocessor():
    g = (NeuralNetConfiguration.Builder().seed(2).activation("relu").graphBuilder().addInputs("img")
         .setInputTypes(InputType.convolutional(12, 12, 1))
         .addLayer("c1", ConvolutionLayer(kernelSize=[3, 3], nOut=4), "img")
         .addLayer("p1", SubsamplingLayer(kernelSize=[2, 2], stride=[2, 2]), "c1")
         .addVertex("pool", PoolHelperVertex(), "p1")
         .addVertex("flat", PreprocessorVertex(CnnToFeedForwardPreProcessor(4, 4, 4)), "pool")
         .addLayer("d", DenseLayer(nIn=64, nOut=5), "flat")
         .addLayer("d2", DenseLayer(nOut=5), CnnToFeedForwardPreProcessor(5, 5, 4), "p1")
         .addVertex("mcnn", MergeVertex(), "c1", "c1")
         .addLayer("out", OutputLayer(nOut=3, activation="softmax", lossFunction="mcxent"), "d", "d2")
         .setOutputs("out", "mcnn").build())
    check_parity(g, rand(3, 1, 12, 12))


@pytest.mark.parametrize("with_mask", [False, True])
def test_rnn_vertices(with_mask):
    g = (NeuralNetConfiguration.Builder().seed(2).graphBuilder().addInputs("seq", "ff")
         .setInputTypes(InputType.recurrent(3), InputType.feedForward(2))
         .addLayer("rnn", SimpleRnn(nOut=4, activation="tanh"), "seq")
         .addLayer("lstm", LSTM(nOut=4, activation="tanh"), "seq")
         .addVertex("last", LastTimeStepVertex("seq"), "rnn")
         .addVertex("dup", DuplicateToTimeSeriesVertex("seq"), "ff")
         .addVertex("rev", ReverseTimeSeriesVertex("seq"), "rnn")
         .addVertex("m", MergeVertex(), "rev", "dup", "lstm")
         .addLayer("rnnout", RnnOutputLayer(nOut=2, activation="softmax", lossFunction="mcxent"), "m")
         .addLayer("ffout", OutputLayer(nOut=2, activation="identity", lossFunction="mse"), "last")
         .setOutputs("rnnout", "ffout").build())
    # (a non-layer vertex that feeds other vertices as an extra output, e.g. "rev", makes DL4J M2.1 throw an NPE)
    masks = None
    if with_mask:
        m = np.ones((3, 6), np.float32)
        m[1, 4:] = 0
        m[2, 1:] = 0
        masks = [m, None]
    check_parity(g, [rand(3, 3, 6), rand(3, 2)], masks=masks)


@pytest.mark.parametrize("fmt", ["NCDHW", "NDHWC"])
def test_3d_layers(fmt):
    lb = NeuralNetConfiguration.Builder().seed(3).list()
    for layer in (Convolution3D(nOut=3, kernelSize=[2, 2, 2], convolutionMode="Same", activation="relu", dataFormat=fmt),
                  Subsampling3DLayer(poolingType="MAX", kernelSize=[2, 2, 2], stride=[1, 2, 1], convolutionMode="Truncate",
                                     dataFormat=fmt),
                  Subsampling3DLayer(poolingType="AVG", kernelSize=[2, 1, 2], stride=[1, 1, 1], convolutionMode="Same",
                                     dataFormat=fmt),
                  Upsampling3D(size=[1, 2, 2], dataFormat=fmt),
                  ZeroPadding3DLayer(padding=[1, 0, 0, 1, 1, 1]),
                  Cropping3D(cropping=[0, 1, 1, 0, 0, 2]),
                  Deconvolution3D(nOut=2, kernelSize=[2, 2, 2], stride=[1, 1, 1], convolutionMode="Truncate", activation="tanh",
                                  dataFormat=fmt),
                  Cnn3DLossLayer(activation="softmax", lossFunction="mcxent", dataFormat=fmt)):
        lb.layer(layer)
    conf = lb.setInputType(InputType.convolutional3D(fmt, 4, 4, 4, 2)).build()
    x = rand(2, 2, 4, 4, 4) if fmt == "NCDHW" else rand(2, 4, 4, 4, 2)
    check_parity(conf, x)


def test_autoencoder_loss_layer_upsampling1d():
    conf = (NeuralNetConfiguration.Builder().seed(4).list()
            .layer(AutoEncoder(nIn=4, nOut=3, activation="sigmoid"))
            .layer(LossLayer(activation="softmax", lossFunction="mcxent")).build())
    check_parity(conf, rand(5, 4))
    conf = (NeuralNetConfiguration.Builder().seed(4).list()
            .layer(Upsampling1D(size=3)).layer(SimpleRnn(nOut=2, activation="tanh"))
            .setInputType(InputType.recurrent(2, 4)).build())
    check_parity(conf, rand(3, 2, 4))
