"""A wrapper layer's fresh parameters are drawn with the wrapped layer's weight init, as DL4J's wrapper param
initializers (WrapperLayerParamInitializer, FrozenLayerParamInitializer, BidirectionalParamInitializer) call the wrapped
layer's initializer. Checked against DL4J's own init of the same JSON (deterministic schemes, so bit for bit)."""

from __future__ import annotations

import numpy as np
import pytest

from pydl4j_transfer.conf import (Bidirectional, DenseLayer, FrozenLayer, FrozenLayerWithBackprop, InputType,
                                  LastTimeStep, LSTM, MaskZeroLayer, NeuralNetConfiguration, OutputLayer,
                                  RnnOutputLayer, TimeDistributed, WeightInit)
from pydl4j_transfer.nn import MultiLayerNetwork

pytestmark = pytest.mark.dl4j


def _lstm(scheme):
    return LSTM.Builder().nOut(3).weightInit(scheme).build()


WRAPPERS = {
    "TimeDistributed": (lambda s: TimeDistributed(DenseLayer.Builder().nOut(3).weightInit(s).build()), RnnOutputLayer),
    "LastTimeStep": (lambda s: LastTimeStep(_lstm(s)), OutputLayer),
    "MaskZeroLayer": (lambda s: MaskZeroLayer(_lstm(s), 0.0), RnnOutputLayer),
    "Bidirectional": (lambda s: Bidirectional(_lstm(s)), RnnOutputLayer),
    "FrozenLayer": (lambda s: FrozenLayer(_lstm(s)), RnnOutputLayer),
    "FrozenLayerWithBackprop": (lambda s: FrozenLayerWithBackprop(_lstm(s)), RnnOutputLayer),
}


def _conf(name, scheme):
    wrap, out = WRAPPERS[name]
    return (NeuralNetConfiguration.Builder().seed(7).weightInit(WeightInit.ZERO).list()
            .layer(LSTM.Builder().nIn(2).nOut(4).build()).layer(wrap(scheme)).layer(out.Builder().nOut(2).build())
            .setInputType(InputType.recurrent(2)).build())


# IDENTITY needs a square weight: the 3x3 dense inside TimeDistributed
CASES = [(n, WeightInit.ONES) for n in sorted(WRAPPERS)] + [("TimeDistributed", WeightInit.IDENTITY)]


@pytest.mark.parametrize("name, scheme", CASES, ids=lambda v: str(v))
def test_wrapped_layer_weight_init_is_used_as_dl4j(name, scheme, jvm):
    from pydl4j_transfer.dl4j_backend import Dl4jModel

    conf = _conf(name, scheme)
    if scheme == WeightInit.IDENTITY:   # a square dense inside TimeDistributed
        conf = (NeuralNetConfiguration.Builder().seed(7).weightInit(WeightInit.ZERO).list()
                .layer(LSTM.Builder().nIn(2).nOut(3).build()).layer(WRAPPERS[name][0](scheme))
                .layer(RnnOutputLayer.Builder().nOut(2).build()).setInputType(InputType.recurrent(2)).build())
    ours = MultiLayerNetwork(conf)
    ours.init()
    theirs = Dl4jModel.fromJson(conf.toJson(), None).params()
    wrapped = ours.getLayer(1).paramTable()
    assert any(float(np.asarray(v).max()) == 1.0 for v in wrapped.values())   # the wrapped scheme, not the global ZERO
    np.testing.assert_array_equal(np.asarray(ours.params()).reshape(-1), theirs)
