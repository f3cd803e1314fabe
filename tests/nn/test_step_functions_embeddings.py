"""Two configuration value classes of deeplearning4j-nn 1.0.0-M2.1 outside the layer packages, against real DL4J:
the step functions (org.deeplearning4j.nn.conf.stepfunctions: which way SGD applies the update) and
WeightInitEmbedding / ArrayEmbeddingInitializer (org.deeplearning4j.nn.weights.embeddings: pretrained vectors)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from pydl4j_transfer.conf import (ArrayEmbeddingInitializer, DefaultStepFunction, DenseLayer, EmbeddingLayer,
                                  EmbeddingSequenceLayer, GradientStepFunction, MultiLayerConfiguration,
                                  NegativeDefaultStepFunction, NegativeGradientStepFunction, NeuralNetConfiguration,
                                  OutputLayer, Sgd, WeightInitEmbedding)
from pydl4j_transfer.conf.enums import LossFunctions
from pydl4j_transfer.errors import InvalidConfigurationError, MalformedConfigError
from pydl4j_transfer.nn import MultiLayerNetwork

from .test_training import java_fit, jparams, ours_batch, pair, rel

STEP_FUNCTIONS = {"default": DefaultStepFunction, "gradient": GradientStepFunction,
                  "negativeDefault": NegativeDefaultStepFunction, "negativeGradient": NegativeGradientStepFunction}


def _net(step_function=None):
    b = NeuralNetConfiguration.Builder().seed(1).updater(Sgd(0.1))
    if step_function is not None:
        b = b.stepFunction(step_function)
    return (b.list().layer(DenseLayer.Builder().nIn(4).nOut(5).activation("tanh").build())
            .layer(OutputLayer.Builder(LossFunctions.LossFunction.MSE).nIn(5).nOut(2).activation("identity").build())
            .build())


def test_step_function_json_forms():
    conf = _net("negativeGradient")
    tree = json.loads(conf.toJson())
    assert tree["confs"][0]["stepFunction"] == {"negativeGradient": {}}
    assert MultiLayerConfiguration.fromJson(conf.toJson()) == conf
    assert isinstance(_net(DefaultStepFunction).confs[1].stepFunction, DefaultStepFunction)
    with pytest.raises(MalformedConfigError, match="unknown step function 'sideways'"):
        MultiLayerConfiguration.fromJson(conf.toJson().replace("negativeGradient", "sideways"))
    with pytest.raises(InvalidConfigurationError, match="not a step function"):
        NeuralNetConfiguration.Builder().stepFunction("uphill")


@pytest.mark.dl4j
@pytest.mark.parametrize("name", [*STEP_FUNCTIONS, None])
def test_step_functions_match_dl4j(name):
    """JSON as DL4J writes it; 3 SGD steps: Default/Gradient ADD the update (ascent), the Negative ones (and none)
    subtract it."""
    from pydl4j_transfer.dl4j_backend import Dl4jModel

    make = lambda: _net(STEP_FUNCTIONS[name]() if name else None)  # noqa: E731
    dl4j_json = json.loads(Dl4jModel.fromJson(make().toJson()).configurationJson())
    ours = json.loads(MultiLayerNetwork(make()).init().toJson())
    assert ours == dl4j_json
    a, b = pair(make)
    rng = np.random.default_rng(0)
    batch = ([rng.standard_normal((4, 4)).astype(np.float32)], [rng.standard_normal((4, 2)).astype(np.float32)], None, None)
    before = a.params().copy()
    a.fit(**ours_batch(batch, False), epochs=3)
    java_fit(b, batch, 3, False)
    assert rel(a.params(), jparams(b)) <= 1e-6
    assert a.score() != pytest.approx(float(np.nan), nan_ok=True) and not np.array_equal(a.params(), before)


VECTORS = (np.arange(15, dtype=np.float32).reshape(5, 3) - 7) / 10


@pytest.mark.dl4j
@pytest.mark.parametrize("layer", ["EmbeddingLayer", "EmbeddingSequenceLayer"])
def test_weight_init_embedding_matches_dl4j(layer):
    """Builder.weightInit(EmbeddingInitializer / INDArray): nIn/nOut from the vectors, W = the vectors; the JSON
    keeps no vectors (serializableInit null), so initialising a configuration read back fails in both."""
    import jpype

    from pydl4j_transfer.dl4j_backend import Dl4jModel, to_indarray, to_numpy

    cls = {"EmbeddingLayer": EmbeddingLayer, "EmbeddingSequenceLayer": EmbeddingSequenceLayer}[layer]
    ours_layer = cls.Builder().weightInit(ArrayEmbeddingInitializer(VECTORS)).build()
    assert (ours_layer.nIn, ours_layer.nOut) == (5, 3) and isinstance(ours_layer.weightInitFn, WeightInitEmbedding)
    assert cls.Builder().weightInit(VECTORS).build() == ours_layer  # the INDArray overload
    jcls = jpype.JClass(f"org.deeplearning4j.nn.conf.layers.{layer}")
    jinit = jpype.JClass("org.deeplearning4j.nn.weights.embeddings.ArrayEmbeddingInitializer")(to_indarray(VECTORS))
    jlayer = jcls.Builder().weightInit(jinit).build()
    mapper = jpype.JClass("org.deeplearning4j.nn.conf.NeuralNetConfiguration").mapper()
    assert json.loads(str(mapper.writeValueAsString(jlayer))) == json.loads(ours_layer.toJson())
    conf = NeuralNetConfiguration.Builder().seed(1).list().layer(ours_layer).build()
    net = MultiLayerNetwork(conf).init()
    np.testing.assert_array_equal(net.getParam("0_W"), VECTORS)
    jnet = jpype.JClass("org.deeplearning4j.nn.multilayer.MultiLayerNetwork")(
        jpype.JClass("org.deeplearning4j.nn.conf.NeuralNetConfiguration").ListBuilder(
            jpype.JClass("org.deeplearning4j.nn.conf.NeuralNetConfiguration").Builder().seed(1)).layer(jlayer).build())
    jnet.init()
    np.testing.assert_array_equal(to_numpy(jnet.getParam("0_W")), VECTORS)
    # read back from JSON: the vectors are gone
    back = MultiLayerConfiguration.fromJson(conf.toJson())
    with pytest.raises(InvalidConfigurationError, match="no EmbeddingInitializer is available"):
        MultiLayerNetwork(back).init()
    with pytest.raises(Exception, match="no EmbeddingInitializer is available"):
        Dl4jModel.fromJson(conf.toJson())
