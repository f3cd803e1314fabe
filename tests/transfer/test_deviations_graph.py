"""Tests for two GraphBuilder deviations of docs/deviations.md (rows 9 and 10)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from .tl_support import vgg

from pydl4j_transfer.conf import Nesterovs, OutputLayer
from pydl4j_transfer.conf.enums import Activation, LossFunctions
from pydl4j_transfer.nn import ComputationGraph
from pydl4j_transfer.transfer import FineTuneConfiguration, TransferLearning


def _plan(net, ftc):
    return (TransferLearning.GraphBuilder(net).fineTuneConfiguration(ftc).setFeatureExtractor("fc2")
            .removeVertexKeepConnections("predictions")
            .addLayer("predictions", OutputLayer.Builder(LossFunctions.LossFunction.NEGATIVELOGLIKELIHOOD)
                      .nIn(10).nOut(3).activation(Activation.SOFTMAX).build(), "fc2"))


@pytest.mark.dl4j
def test_row9_a_double_graph_stays_double_while_dl4j_makes_it_float():
    g = vgg()
    double = ComputationGraph(g.getConfiguration().clone()).init(g.params().astype(np.float64))
    assert json.loads(double.toJson())["dataType"] == "DOUBLE"
    plan = _plan(double, FineTuneConfiguration(updater=Nesterovs(5e-5), seed=7))
    ours = plan.build()
    assert json.loads(ours.toJson())["dataType"] == "DOUBLE" and ours.params().dtype == np.float64
    assert json.loads(plan.replayInDl4j().configurationJson())["dataType"] == "FLOAT"  # DL4J's behaviour


def test_row10_an_ftc_without_seed_uses_the_original_seed_and_is_reproducible():
    g = vgg()
    seed = g.getConfiguration().defaultConfiguration.seed
    a = _plan(g, FineTuneConfiguration(updater=Nesterovs(5e-5))).build()
    b = _plan(g, FineTuneConfiguration(updater=Nesterovs(5e-5))).build()
    assert a.getConfiguration().defaultConfiguration.seed == seed
    np.testing.assert_array_equal(a.paramTable()["predictions_W"], b.paramTable()["predictions_W"])
