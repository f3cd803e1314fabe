"""TransferLearning.GraphBuilder against DL4J's own GraphBuilder, on a small VGG16-shaped graph (the guide's A, B, C)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from .tl_support import assert_distribution, assert_kept, assert_kept_in_dl4j, assert_same_conf, both, vgg, xavier_std

from pydl4j_transfer.conf import Adam, DenseLayer, MergeVertex, Nesterovs, OutputLayer
from pydl4j_transfer.conf.enums import Activation, LossFunctions, WeightInit
from pydl4j_transfer.errors import InvalidConfigurationError
from pydl4j_transfer.transfer import FineTuneConfiguration, TransferLearning

FTC = FineTuneConfiguration(optimizationAlgo="STOCHASTIC_GRADIENT_DESCENT", updater=Nesterovs(5e-5), seed=4242)
CONVS = [f"block{b}_conv{k}" for b, n, _ in ((1, 2, 0), (2, 2, 0), (3, 3, 0), (4, 3, 0), (5, 3, 0)) for k in range(1, n + 1)]


def _kinds(net):
    tree = json.loads(net.toJson())["vertices"]
    out = {}
    for name, v in tree.items():
        cls = v["@class"].rsplit(".", 1)[1]
        if cls == "LayerVertex":
            cls = v["layerConf"]["layer"]["@class"].rsplit(".", 1)[1]
        out[name] = cls
    return out


def _kept_names(net, names):
    return [(f"{n}_{k}", f"{n}_{k}") for n in names for k in ("W", "b")]


@pytest.fixture(scope="module")
def orig():
    return vgg()


@pytest.mark.dl4j
def test_workflow_a_replace_last_layer_keep_others_frozen(orig):
    before = orig.params().copy()
    ours, theirs = both(TransferLearning.GraphBuilder(orig).fineTuneConfiguration(FTC).setFeatureExtractor("fc2")
                        .removeVertexKeepConnections("predictions")
                        .addLayer("predictions", OutputLayer.Builder(LossFunctions.LossFunction.NEGATIVELOGLIKELIHOOD)
                                  .nIn(10).nOut(3).weightInit(WeightInit.XAVIER).activation(Activation.SOFTMAX).build(),
                                  "fc2"))
    assert_same_conf(ours, theirs)
    kinds = _kinds(ours)
    assert all(kinds[n] == "FrozenLayer" for n in CONVS + ["fc1", "fc2", "block5_pool"])
    assert kinds["flatten"] == "FrozenVertex" and kinds["predictions"] == "OutputLayer"
    assert_kept(ours, orig, _kept_names(ours, CONVS + ["fc1", "fc2"]))
    assert_kept_in_dl4j(theirs, orig, _kept_names(ours, CONVS + ["fc1", "fc2"]))
    w = ours.paramTable()["predictions_W"]
    assert w.shape == (10, 3)
    assert_distribution(w, 0.0, xavier_std(10, 3), rtol=0.6, atol_mean=xavier_std(10, 3))
    assert orig.params().tobytes() == before.tobytes()


@pytest.mark.dl4j
def test_workflow_b_attach_new_layers_at_the_bottleneck(orig):
    ours, theirs = both(TransferLearning.GraphBuilder(orig).fineTuneConfiguration(FTC).setFeatureExtractor("block5_pool")
                        .nOutReplace("fc2", 24, weightInit=WeightInit.XAVIER)
                        .removeVertexAndConnections("predictions")
                        .addLayer("fc3", DenseLayer.Builder().activation(Activation.RELU).nIn(24).nOut(16).build(), "fc2")
                        .addLayer("newpredictions", OutputLayer.Builder(LossFunctions.LossFunction.NEGATIVELOGLIKELIHOOD)
                                  .activation(Activation.SOFTMAX).nIn(16).nOut(3).build(), "fc3")
                        .setOutputs("newpredictions"))
    assert_same_conf(ours, theirs)
    kinds = _kinds(ours)
    assert all(kinds[n] == "FrozenLayer" for n in CONVS + ["block5_pool"])
    assert kinds["flatten"] == "PreprocessorVertex" and kinds["fc1"] == "DenseLayer" and kinds["fc2"] == "DenseLayer"
    assert "predictions" not in kinds
    assert_kept(ours, orig, _kept_names(ours, CONVS + ["fc1"]))
    t = ours.paramTable()
    assert t["fc2_W"].shape == (10, 24) and t["fc3_W"].shape == (24, 16) and t["newpredictions_W"].shape == (16, 3)
    assert_distribution(t["fc2_W"], 0.0, xavier_std(10, 24), rtol=0.3)
    assert json.loads(ours.toJson())["networkOutputs"] == ["newpredictions"]


@pytest.mark.dl4j
def test_workflow_c_fine_tune_a_saved_transfer_model(orig, tmp_path):
    from pydl4j_transfer.nn import ModelSerializer

    b = (TransferLearning.GraphBuilder(orig).fineTuneConfiguration(FTC).setFeatureExtractor("block5_pool")
         .removeVertexKeepConnections("predictions")
         .addLayer("predictions", OutputLayer.Builder("mcxent").nIn(10).nOut(3).activation("softmax").build(), "fc2"))
    transfer = b.build()
    transfer.save(tmp_path / "b.zip")
    saved = ModelSerializer.restoreComputationGraph(tmp_path / "b.zip")
    ours, theirs = both(TransferLearning.GraphBuilder(saved).fineTuneConfiguration(FTC).setFeatureExtractor("block4_pool"))
    assert_same_conf(ours, theirs)
    assert ours.params().tobytes() == saved.params().tobytes()
    # no unfreezing: block5 stays frozen (its saved conf is a FrozenLayer)
    assert _kinds(ours)["block5_conv1"] == "FrozenLayer"


@pytest.mark.dl4j
def test_n_out_replace_fans_out_and_n_in_replace(orig):
    ours, theirs = both(TransferLearning.GraphBuilder(orig).fineTuneConfiguration(FTC)
                        .nOutReplace("fc1", 12, weightInit=WeightInit.XAVIER, weightInitNext=WeightInit.RELU)
                        .nInReplace("predictions", 10, weightInit=WeightInit.XAVIER))
    # deviation: DL4J rebuilds the fan-out fc2 from its pre-FTC conf (updater Sgd(0.01)); ours keeps the FTC's
    assert_same_conf(ours, theirs, skip=("/vertices/fc2/layerConf/layer/iupdater",))
    t = ours.paramTable()
    assert t["fc1_W"].shape == (8, 12) and t["fc2_W"].shape == (12, 10)
    assert_distribution(t["fc2_W"], 0.0, np.sqrt(2.0 / 12), rtol=0.3)
    assert_kept(ours, orig, _kept_names(ours, CONVS))


def test_n_out_replace_into_non_layer_vertex_is_an_error(orig):
    with pytest.raises(InvalidConfigurationError, match="non-layer vertices"):
        (TransferLearning.GraphBuilder(orig).addVertex("m", MergeVertex(), "fc1", "fc2")
         .nOutReplace("fc1", 4, weightInit="xavier").build())
    with pytest.raises(InvalidConfigurationError, match="not a layer vertex"):
        TransferLearning.GraphBuilder(orig).nOutReplace("flatten", 4, weightInit="xavier").build()


def test_unknown_vertex_names_are_errors(orig):
    for call in (lambda b: b.removeVertexKeepConnections("nope"), lambda b: b.removeVertexAndConnections("nope"),
                 lambda b: b.setFeatureExtractor("nope"), lambda b: b.nOutReplace("nope", 3, weightInit="xavier")):
        with pytest.raises(InvalidConfigurationError, match="nope"):
            call(TransferLearning.GraphBuilder(orig)).build()


def test_fine_tune_configuration_after_structural_edit_is_an_error(orig):
    """Deviation #6: an edit DL4J's fineTuneConfiguration() would silently discard is an error at build()."""
    with pytest.raises(InvalidConfigurationError, match="8992"):
        (TransferLearning.GraphBuilder(orig).removeVertexAndConnections("predictions").fineTuneConfiguration(FTC)
         .build())


@pytest.mark.dl4j
def test_fine_tune_configuration_after_an_edit_repeated_after_it_builds_as_dl4j(orig):
    """DL4J's attention-graph transfer tests do remove, FTC, remove: nothing is lost, DL4J builds it and so do we."""
    plan = (TransferLearning.GraphBuilder(orig).removeVertexAndConnections("predictions").fineTuneConfiguration(FTC)
            .removeVertexAndConnections("predictions")
            .addLayer("newOut", OutputLayer.Builder("mcxent").nIn(10).nOut(2).activation("softmax").build(), "fc2")
            .setOutputs("newOut"))
    ours, theirs = both(plan)
    assert_same_conf(ours, theirs)


@pytest.mark.dl4j
def test_add_vertex_add_inputs_set_outputs_and_merge(orig):
    ours, theirs = both(TransferLearning.GraphBuilder(orig).fineTuneConfiguration(FTC)
                        .addVertex("merged", MergeVertex(), "fc1", "fc2")
                        .addLayer("out2", OutputLayer.Builder("mcxent").nIn(20).nOut(2).activation("softmax").build(),
                                  "merged")
                        .addLayer("out3", OutputLayer.Builder("mcxent").nIn(20).nOut(2).activation("softmax").build(),
                                  "fc1", "fc2")
                        .setOutputs("predictions", "out2", "out3")
                        .setWorkspaceMode("NONE"))
    assert_same_conf(ours, theirs)
    assert "out3-merge" in _kinds(ours)
    assert_kept(ours, orig, _kept_names(ours, CONVS + ["fc1", "fc2", "predictions"]))


@pytest.mark.dl4j
def test_ftc_overrides_survive_n_out_replace(orig):
    """Deviation #8: DL4J rebuilds an nOutReplace target from its pre-FTC conf and resets its updater; we keep the FTC's
    updater. The rebuilt layers keep their OWN activation, as DL4J (its testNoutChanges pins it for an output layer)."""
    ftc = FineTuneConfiguration(updater=Adam(1e-2), seed=1, activation="elu")
    ours, theirs = both(TransferLearning.GraphBuilder(orig).fineTuneConfiguration(ftc).validateOutputLayerConfig(False)
                        .nOutReplace("fc1", 12, weightInit="xavier"))
    layers = {n: v["layerConf"]["layer"] for n, v in json.loads(ours.toJson())["vertices"].items() if "layerConf" in v}
    dl4j = {n: v["layerConf"]["layer"] for n, v in json.loads(theirs.configurationJson())["vertices"].items()
            if "layerConf" in v}
    assert dl4j["fc1"]["activationFn"]["@class"].endswith("ActivationReLU")  # DL4J: the layer's own, not the FTC's
    for name in ("fc1", "fc2"):  # the target and its fan-out: the activation DL4J gives them
        assert layers[name]["activationFn"] == dl4j[name]["activationFn"]
    assert layers["fc1"]["iupdater"]["@class"].endswith("Adam")  # the FTC's updater (DL4J resets it: deviation #8)
    assert layers["block1_conv1"]["activationFn"]["@class"].endswith("ActivationELU")  # the FTC's, as DL4J
    assert layers["block1_conv1"] == dl4j["block1_conv1"]
