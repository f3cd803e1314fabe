"""OCNNOutputLayer (org.deeplearning4j.nn.conf.ocnn) against real DL4J 1.0.0-M2.1: JSON, parameter layout (w, v,
r), DL4J's r reset on every init, the forward pass; training is refused with a typed error (DL4J's hand-written
OCNN gradient and r-percentile window are not reproduced)."""

from __future__ import annotations

import numpy as np
import pytest

from pydl4j_transfer.conf import DenseLayer, NeuralNetConfiguration, OCNNOutputLayer
from pydl4j_transfer.conf.enums import Activation
from pydl4j_transfer.errors import InvalidConfigurationError
from pydl4j_transfer.nn import MultiLayerNetwork

from .parity import rand, seeded_params


def _conf(act=Activation.SIGMOID):
    return (NeuralNetConfiguration.Builder().seed(1).list().layer(DenseLayer.Builder().nIn(4).nOut(5).build())
            .layer(OCNNOutputLayer.Builder().nu(0.1).hiddenLayerSize(3).activation(act).initialRValue(0.3).build())
            .build())


def test_layout_builder_and_errors():
    conf = _conf()
    layer = conf.confs[1].layer
    assert layer.nIn == 5 and layer.nOut == 1 and layer.paramShapes() == {"w": (1, 3), "v": (5, 3), "r": ()}
    assert '"lossFn"' not in layer.toJson() and '"nout" : 1' in layer.toJson()
    with pytest.raises(InvalidConfigurationError, match="Outputs are fixed to 1"):
        OCNNOutputLayer.Builder().nOut(3)
    net = MultiLayerNetwork(conf).init()
    assert float(net.getParam("1_r")) == pytest.approx(0.3)  # instantiate: r = initialRValue
    assert net.output(rand(6, 4)).shape == (6,)
    assert "layer1 (OCNNOutputLayer)   5,1        19            w:{1,3}, v:{5,3}, r:{}" in net.summary()
    with pytest.raises(InvalidConfigurationError, match="OCNNOutputLayer.*training is not implemented"):
        net.fit(rand(6, 4), np.zeros((6, 1), np.float32))


@pytest.mark.dl4j
@pytest.mark.parametrize("act", [Activation.SIGMOID, Activation.RELU])
def test_json_params_and_output_match_dl4j(act):
    from pydl4j_transfer.dl4j_backend import Dl4jModel

    conf = _conf(act)
    params = seeded_params(conf)
    model = Dl4jModel.fromJson(conf.toJson(), params)
    assert model.configurationJson().replace('"variables" : [ "W", "b" ]', '"variables" : [ ]') \
        .replace('"variables" : [ "w", "v", "r" ]', '"variables" : [ ]') == conf.toJson()
    net = MultiLayerNetwork(conf).init(params)
    np.testing.assert_array_equal(net.params(), model.params())  # DL4J's r reset to initialRValue, mirrored
    assert float(net.getParam("1_r")) == pytest.approx(0.3) and params[-1] != net.params()[-1]
    x = rand(7, 4, seed=3)
    np.testing.assert_allclose(net.output(x), model.output(x), rtol=1e-5, atol=1e-6)
