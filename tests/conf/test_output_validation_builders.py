"""Which configuration builders validate output layers, and which layers they check: as DL4J 1.0.0-M2.1 does.

DL4J's ``ListBuilder.build()`` (MultiLayerConfiguration.Builder#build) and ``GraphBuilder.build()`` both call
OutputLayerUtil.validateOutputLayer on every layer unless ``validateOutputLayerConfig(false)`` (issue 15: ours did
not). Each case builds the same layers with DL4J's own builders in the JVM (layers passed through DL4J's JSON mapper)
and with ours, and both must accept or both refuse.
"""

from __future__ import annotations

import pytest

from pydl4j_transfer.conf import (Activation, Cnn3DLossLayer, DenseLayer, FrozenLayer, LossLayer, NeuralNetConfiguration,
                                  OutputLayer, RnnOutputLayer, Yolo2OutputLayer)
from pydl4j_transfer.conf.enums import LossFunctions
from pydl4j_transfer.errors import InvalidConfigurationError

pytestmark = pytest.mark.dl4j
LF = LossFunctions.LossFunction


def _out(loss, act, n_out=3, cls=OutputLayer):
    return cls.Builder(loss).nIn(4).nOut(n_out).activation(act).build()


CASES = {
    "softmax_nout1": (_out(LF.MCXENT, Activation.SOFTMAX, 1), False),
    "relu_mcxent": (_out(LF.MCXENT, Activation.RELU), False),
    "softmax_xent": (_out(LF.XENT, Activation.SOFTMAX), False),
    "sigmoid_nll": (_out(LF.NEGATIVELOGLIKELIHOOD, Activation.SIGMOID), False),
    "rnn_relu_mcxent": (_out(LF.MCXENT, Activation.RELU, cls=RnnOutputLayer), False),
    "loss_identity_mcxent": (LossLayer.Builder(LF.MCXENT).activation(Activation.IDENTITY).build(), True),
    "loss_relu_mcxent": (LossLayer.Builder(LF.MCXENT).activation(Activation.RELU).build(), False),
    "cnn3d_relu_mcxent": (Cnn3DLossLayer.Builder(LF.MCXENT).activation(Activation.RELU).build(), True),
    "frozen_relu_mcxent": (FrozenLayer(_out(LF.MCXENT, Activation.RELU)), True),
    "softmax_mcxent_ok": (_out(LF.MCXENT, Activation.SOFTMAX), True),
    "dense_relu": (DenseLayer.Builder().nIn(4).nOut(3).activation(Activation.RELU).build(), True),
    "yolo": (Yolo2OutputLayer.Builder().boundingBoxPriors([[1.0, 1.0]]).build(), True),
}


def _java_builders(layer, graph, validate):
    from pydl4j_transfer.dl4j_backend import jclass, jstring, jstrings, start_jvm
    from pydl4j_transfer.dl4j_backend.transfer import to_java

    start_jvm()
    first = to_java(DenseLayer.Builder().nIn(4).nOut(4).build(), "layer")
    last = to_java(layer, "layer")
    nnc = jclass("org.deeplearning4j.nn.conf.NeuralNetConfiguration")
    alone = _alone(layer)  # a CNN3D loss layer after a dense one fails DL4J's input-type check first
    if graph:
        gb = nnc.Builder().graphBuilder().addInputs(jstrings(["in"]))
        if not alone:
            gb = gb.addLayer(jstring("d"), first, jstrings(["in"]))
        gb = gb.addLayer(jstring("out"), last, jstrings(["in" if alone else "d"])).setOutputs(jstrings(["out"]))
    else:
        gb = nnc.Builder().list(last) if alone else nnc.Builder().list(first, last)
    if validate is not None:
        gb = gb.validateOutputLayerConfig(validate)
    return gb


def _alone(layer):
    return isinstance(layer, (Cnn3DLossLayer, Yolo2OutputLayer))


def _our_builders(layer, graph, validate):
    alone = _alone(layer)
    if graph:
        gb = NeuralNetConfiguration.Builder().graphBuilder().addInputs("in")
        if not alone:
            gb = gb.addLayer("d", DenseLayer.Builder().nIn(4).nOut(4).build(), "in")
        gb = gb.addLayer("out", layer.clone(), "in" if alone else "d").setOutputs("out")
    else:
        gb = NeuralNetConfiguration.Builder().list()
        if not alone:
            gb = gb.layer(DenseLayer.Builder().nIn(4).nOut(4).build())
        gb = gb.layer(layer.clone())
    if validate is not None:
        gb = gb.validateOutputLayerConfig(validate)
    return gb


@pytest.mark.parametrize("validate", [None, False], ids=["default", "validate_false"])
@pytest.mark.parametrize("graph", [False, True], ids=["ListBuilder", "GraphBuilder"])
@pytest.mark.parametrize("case", list(CASES))
def test_builders_validate_output_layers_as_dl4j(case, graph, validate):
    import jpype

    layer, valid = CASES[case]
    expect_ok = valid or validate is False
    try:
        _java_builders(layer, graph, validate).build()
        dl4j_ok = True
    except jpype.JException as exc:
        assert "Invalid output layer configuration" in str(exc.getMessage()), exc
        dl4j_ok = False
    assert dl4j_ok == expect_ok, f"DL4J {'accepted' if dl4j_ok else 'refused'} {case}: the table above is wrong"
    if expect_ok:
        _our_builders(layer, graph, validate).build()
    else:
        with pytest.raises(InvalidConfigurationError, match='Invalid output layer configuration for layer "(out|layer1)"'):
            _our_builders(layer, graph, validate).build()
