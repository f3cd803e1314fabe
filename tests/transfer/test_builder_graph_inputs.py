"""GraphBuilder's input calls (addInputs, setInputs, setInputTypes) against DL4J's own GraphBuilder."""

from __future__ import annotations

import pytest
from .tl_support import assert_same_conf, both, vgg

from pydl4j_transfer.conf import DenseLayer, InputType, MergeVertex, Nesterovs, OutputLayer
from pydl4j_transfer.conf.enums import Activation, LossFunctions
from pydl4j_transfer.transfer import FineTuneConfiguration, TransferLearning

pytestmark = pytest.mark.dl4j
FTC = FineTuneConfiguration(updater=Nesterovs(5e-5), seed=4242)


def test_add_inputs_feeds_a_new_branch_merged_into_the_head():
    ours, theirs = both(
        TransferLearning.GraphBuilder(vgg()).fineTuneConfiguration(FTC).setFeatureExtractor("fc2")
        .removeVertexKeepConnections("predictions")
        .addInputs("side")
        .addLayer("side_dense", DenseLayer.Builder().nIn(4).nOut(6).activation(Activation.RELU).build(), "side")
        .addVertex("merged", MergeVertex(), "fc2", "side_dense")
        .addLayer("predictions", OutputLayer.Builder(LossFunctions.LossFunction.NEGATIVELOGLIKELIHOOD)
                  .nIn(16).nOut(3).activation(Activation.SOFTMAX).build(), "merged"))
    assert_same_conf(ours, theirs)
    assert list(ours.getConfiguration().networkInputs)[-1] == "side"


def test_set_input_types_infers_nin_as_dl4j_does():
    ours, theirs = both(
        TransferLearning.GraphBuilder(vgg()).fineTuneConfiguration(FTC).setFeatureExtractor("fc2")
        .removeVertexKeepConnections("predictions")
        .addLayer("predictions", OutputLayer.Builder(LossFunctions.LossFunction.NEGATIVELOGLIKELIHOOD)
                  .nIn(10).nOut(3).activation(Activation.SOFTMAX).build(), "fc2")
        .setInputTypes(InputType.convolutional(32, 32, 3)))
    assert_same_conf(ours, theirs)


def test_set_inputs_renames_the_network_input():
    builder = (TransferLearning.GraphBuilder(vgg()).fineTuneConfiguration(FTC)
               .setInputs("input_1"))  # the same input name: replaces the list, keeps the graph valid
    ours, theirs = both(builder)
    assert_same_conf(ours, theirs)
    assert list(ours.getConfiguration().networkInputs) == ["input_1"]
