"""DL4J's build-time output-layer validation (OutputLayerUtil) in the transfer builders, against DL4J."""

from __future__ import annotations

import pytest
from .tl_support import mln, vgg

from pydl4j_transfer.conf import OutputLayer, Sgd
from pydl4j_transfer.conf.enums import Activation, LossFunctions
from pydl4j_transfer.errors import InvalidConfigurationError
from pydl4j_transfer.transfer import FineTuneConfiguration, TransferLearning

pytestmark = pytest.mark.dl4j
FTC = FineTuneConfiguration(updater=Sgd(0.1), seed=1)


def _mln_plan(activation, loss, n_out=2, validate=None):
    b = (TransferLearning.Builder(mln()).fineTuneConfiguration(FTC).removeOutputLayer()
         .addLayer(OutputLayer.Builder(loss).nIn(3).nOut(n_out).activation(activation).build()))
    return b if validate is None else b.validateOutputLayerConfig(validate)


@pytest.mark.parametrize("activation,loss,n_out", [
    (Activation.RELU, LossFunctions.LossFunction.MCXENT, 2),
    (Activation.SOFTMAX, LossFunctions.LossFunction.MCXENT, 1),
    (Activation.SOFTMAX, LossFunctions.LossFunction.XENT, 2),
    (Activation.SIGMOID, LossFunctions.LossFunction.NEGATIVELOGLIKELIHOOD, 2),
], ids=["relu+mcxent", "softmax-nout1", "softmax+xent", "sigmoid+nll"])
def test_invalid_output_layers_are_refused_like_dl4j(activation, loss, n_out):
    with pytest.raises(InvalidConfigurationError, match="Invalid output layer configuration"):
        _mln_plan(activation, loss, n_out).build()
    with pytest.raises(Exception, match="Invalid output layer configuration"):
        _mln_plan(activation, loss, n_out).replayInDl4j()  # DL4J's own builder refuses it too
    # and both accept it with the check switched off
    assert _mln_plan(activation, loss, n_out, validate=False).build() is not None
    _mln_plan(activation, loss, n_out, validate=False).replayInDl4j()


def test_graph_output_layers_are_validated():
    plan = (TransferLearning.GraphBuilder(vgg()).fineTuneConfiguration(FTC).setFeatureExtractor("fc2")
            .removeVertexKeepConnections("predictions")
            .addLayer("predictions", OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(10).nOut(3)
                      .activation(Activation.TANH).build(), "fc2"))
    with pytest.raises(InvalidConfigurationError, match="predictions"):
        plan.build()
    with pytest.raises(Exception, match="Invalid output layer configuration"):
        plan.replayInDl4j()
