"""Transfer learning around a VariationalAutoencoder, against DL4J's own builders and helper.

What DL4J 1.0.0-M2.1 does:

* fine-tuning, freezing below the VAE, nOutReplace on the VAE (nOut = the latent size: every VAE parameter is drawn
  again with the given WeightInit, every bias 0, the next layer's nIn follows), nInReplace on the layer after it and
  removeOutputLayer / addLayer after it all work; with ``WeightInit.ONES`` for the re-initialised parameters the
  networks are deterministic, so DL4J's own result is compared: JSON, params, outputs and 3 fit steps.
* setFeatureExtractor at or above the VAE: DL4J's builders wrap it in a FrozenLayer whose parameter count is
  nIn*nOut + nOut, not the VAE's. The MLN builder initialises the unfrozen network and wraps the runtime layers
  afterwards, so ``build()`` returns a network that gives outputs, but ``fit`` fails ("Indices are out of range")
  and so do ``clone`` ("Invalid parameters") and saving; the graph builder's network fails at ``fit`` the same way.
  We refuse it when built with an InvalidConfigurationError saying what works instead.
* TransferLearningHelper freezes the runtime layers only: a boundary before the VAE (the VAE trains in the
  unfrozen subset) and at the VAE (featurize runs through it) both work, in DL4J and here.
"""

from __future__ import annotations

import json
import zipfile

import numpy as np
import pytest

from pydl4j_transfer.conf import (DenseLayer, InputType, Nesterovs, NeuralNetConfiguration, OutputLayer, Sgd)
from pydl4j_transfer.conf.enums import Activation, LossFunctions, WeightInit
from pydl4j_transfer.conf.layers.variational import VariationalAutoencoder
from pydl4j_transfer.data import DataSet, MultiDataSet
from pydl4j_transfer.errors import InvalidConfigurationError
from pydl4j_transfer.nn import ComputationGraph, ModelSerializer, MultiLayerNetwork
from pydl4j_transfer.transfer import FineTuneConfiguration, TransferLearning, TransferLearningHelper

from .test_helper import _assert_rel, _java_helper, _java_net, _jds, _jmds, _np
from .tl_support import assert_kept, assert_same_conf, both, java_param_table

LF = LossFunctions.LossFunction
FTC = FineTuneConfiguration(updater=Nesterovs(0.05, 0.9), seed=777)
ONES = WeightInit.ONES
TOL = 1e-6


def vae(n_out=3):
    return (VariationalAutoencoder.Builder().nOut(n_out).encoderLayerSizes(4).decoderLayerSizes(4)
            .activation(Activation.TANH).build())


def mln(updater=None):
    """dense(4->5) -> VAE(5->3) -> dense(3->4) -> output(4->2)."""
    conf = (NeuralNetConfiguration.Builder().seed(1).updater(updater or Sgd(0.1)).activation(Activation.TANH).list()
            .layer(DenseLayer.Builder().nOut(5).build())
            .layer(vae())
            .layer(DenseLayer.Builder().nOut(4).build())
            .layer(OutputLayer.Builder(LF.MCXENT).nOut(2).activation(Activation.SOFTMAX).build())
            .setInputType(InputType.feedForward(4)).build())
    return MultiLayerNetwork(conf).init()


def graph(updater=None):
    """in -> d (dense 4->5) -> vae (5->3) -> h (dense 3->4) -> out (output 4->2)."""
    conf = (NeuralNetConfiguration.Builder().seed(1).updater(updater or Sgd(0.1)).activation(Activation.TANH)
            .graphBuilder().addInputs("in")
            .addLayer("d", DenseLayer.Builder().nOut(5).build(), "in")
            .addLayer("vae", vae(), "d")
            .addLayer("h", DenseLayer.Builder().nOut(4).build(), "vae")
            .addLayer("out", OutputLayer.Builder(LF.MCXENT).nOut(2).activation(Activation.SOFTMAX).build(), "h")
            .setOutputs("out").setInputTypes(InputType.feedForward(4)).build())
    return ComputationGraph(conf).init()


def _data(n=5, seed=0):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, 4)).astype(np.float32), np.eye(2, dtype=np.float32)[rng.integers(0, 2, n)]


def _assert_same_params(ours, theirs, what):
    ot, jt = ours.paramTable(), java_param_table(theirs)
    assert set(ot) == set(jt)
    for k in ot:
        _assert_rel(ot[k], jt[k], TOL, f"{what}: {k}")


def _assert_runs_as_dl4j(ours, theirs, graph_net=False):
    """Same params, outputs and 3 fit steps (each network on its own side)."""
    x, y = _data()
    _assert_same_params(ours, theirs, "params")
    _assert_rel(ours.output(x), theirs.output(x), TOL, "output")
    for step in range(3):
        ours.fit(x, y)
        theirs.java.fit(_jmds([x], [y]) if graph_net else _jds(x, y))
        _assert_rel(ours.params(), _np(theirs.java.params()), TOL, f"params after fit {step + 1}")


# ---- TransferLearning.Builder (MultiLayerNetwork) ---------------------------------------------------------------


@pytest.mark.dl4j
@pytest.mark.parametrize("frozen_till", [None, 0])
def test_mln_fine_tune_and_freeze_below_the_vae_match_dl4j(frozen_till):
    orig = mln()
    b = TransferLearning.Builder(orig).fineTuneConfiguration(FTC)
    if frozen_till is not None:
        b = b.setFeatureExtractor(frozen_till)
    ours, theirs = both(b)
    assert_same_conf(ours, theirs)
    kinds = [c.layer.dl4jSimpleName for c in ours.getLayerWiseConfigurations().confs]
    assert kinds[1] == "VariationalAutoencoder" and (frozen_till is None or kinds[0] == "FrozenLayer")
    assert_kept(ours, orig, [(k, k) for k in orig.paramTable()])
    _assert_runs_as_dl4j(ours, theirs)
    if frozen_till == 0:
        np.testing.assert_array_equal(ours.getParam("0_W"), orig.getParam("0_W"))


@pytest.mark.dl4j
@pytest.mark.parametrize("frozen_till", [1, 2])
def test_mln_feature_extractor_at_or_above_the_vae_is_refused(frozen_till):
    """DL4J builds it, gives outputs, and then cannot fit or clone it; we refuse it when built."""
    x, y = _data()
    b = TransferLearning.Builder(mln()).fineTuneConfiguration(FTC).setFeatureExtractor(frozen_till)
    theirs = b.replayInDl4j()
    assert theirs.output(x).shape == (5, 2)
    with pytest.raises(Exception, match="Indices are out of range"):
        theirs.java.fit(_jds(x, y))
    with pytest.raises(Exception, match="Invalid parameters"):
        theirs.java.clone()
    with pytest.raises(InvalidConfigurationError,
                       match=r"freeze layer 'layer1' \(index 1\), a VariationalAutoencoder.*setFeatureExtractor\(0\)"
                             r".*TransferLearningHelper\(net, 1\)"):
        b.build()


@pytest.mark.dl4j
def test_mln_n_out_replace_on_the_vae_matches_dl4j():
    """nOutReplace(VAE): the latent size; every VAE weight drawn again (ONES), every bias 0; layer 2's nIn follows."""
    orig = mln()
    ours, theirs = both(TransferLearning.Builder(orig).fineTuneConfiguration(FTC)
                        .nOutReplace(1, 6, weightInit=ONES, weightInitNext=ONES))
    assert_same_conf(ours, theirs)
    table = ours.paramTable()
    assert table["1_pZXMeanW"].shape == (4, 6) and table["1_d0W"].shape == (6, 4) and table["2_W"].shape == (6, 4)
    for k, v in table.items():
        if k.startswith(("1_", "2_")):
            np.testing.assert_array_equal(v, np.ones_like(v) if k.endswith("W") else np.zeros_like(v), err_msg=k)
    assert_kept(ours, orig, [(k, k) for k in orig.paramTable() if k.startswith(("0_", "3_"))])
    _assert_runs_as_dl4j(ours, theirs)


@pytest.mark.dl4j
def test_mln_n_in_replace_after_the_vae_matches_dl4j():
    """nOutReplace(VAE, xavier next) then nInReplace on the layer after it (ONES): DL4J applies nIn edits last."""
    orig = mln()
    ours, theirs = both(TransferLearning.Builder(orig).fineTuneConfiguration(FTC)
                        .nOutReplace(1, 6, weightInit=ONES, weightInitNext="xavier").nInReplace(2, 6, weightInit=ONES))
    assert_same_conf(ours, theirs)
    np.testing.assert_array_equal(ours.getParam("2_W"), np.ones((6, 4), np.float32))
    _assert_runs_as_dl4j(ours, theirs)


@pytest.mark.dl4j
def test_mln_remove_output_layer_and_add_after_the_vae_matches_dl4j():
    """dense -> VAE -> [removed: dense, output] + a new output layer on the latent mean."""
    orig = mln()
    ours, theirs = both(TransferLearning.Builder(orig).fineTuneConfiguration(FTC).removeLayersFromOutput(2)
                        .addLayer(OutputLayer.Builder(LF.MSE).nIn(3).nOut(2).weightInit(ONES)
                                  .activation(Activation.IDENTITY).build()))
    assert_same_conf(ours, theirs)
    assert_kept(ours, orig, [(k, k) for k in orig.paramTable() if k.startswith(("0_", "1_"))])
    _assert_runs_as_dl4j(ours, theirs)


# ---- TransferLearning.GraphBuilder (ComputationGraph) ------------------------------------------------------------


@pytest.mark.dl4j
@pytest.mark.parametrize("frozen", [None, "d"])
def test_graph_fine_tune_and_freeze_below_the_vae_match_dl4j(frozen):
    orig = graph()
    b = TransferLearning.GraphBuilder(orig).fineTuneConfiguration(FTC)
    if frozen:
        b = b.setFeatureExtractor(frozen)
    ours, theirs = both(b)
    assert_same_conf(ours, theirs)
    assert_kept(ours, orig, [(k, k) for k in orig.paramTable()])
    _assert_runs_as_dl4j(ours, theirs, graph_net=True)


@pytest.mark.dl4j
@pytest.mark.parametrize("frozen", ["vae", "h"])
def test_graph_feature_extractor_at_or_above_the_vae_is_refused(frozen):
    x, y = _data()
    b = TransferLearning.GraphBuilder(graph()).fineTuneConfiguration(FTC).setFeatureExtractor(frozen)
    theirs = b.replayInDl4j()
    assert np.asarray(theirs.output(x)).size == 10
    with pytest.raises(Exception, match="Indices are out of range"):
        theirs.java.fit(_jmds([x], [y]))
    with pytest.raises(InvalidConfigurationError,
                       match=r"freeze vertex 'vae', a VariationalAutoencoder.*setFeatureExtractor\('d'\)"
                             r".*TransferLearningHelper\(graph, 'vae'\)"):
        b.build()


@pytest.mark.dl4j
def test_graph_n_out_and_n_in_replace_around_the_vae_match_dl4j():
    orig = graph()
    ours, theirs = both(TransferLearning.GraphBuilder(orig).fineTuneConfiguration(FTC)
                        .nOutReplace("vae", 6, weightInit=ONES, weightInitNext="xavier")
                        .nInReplace("h", 6, weightInit=ONES))
    assert_same_conf(ours, theirs)
    table = ours.paramTable()
    assert table["vae_pXZW"].shape == (4, 10) and table["h_W"].shape == (6, 4)
    for k, v in table.items():
        if k.startswith(("vae_", "h_")):
            np.testing.assert_array_equal(v, np.ones_like(v) if k.endswith("W") else np.zeros_like(v), err_msg=k)
    assert_kept(ours, orig, [(k, k) for k in orig.paramTable() if k.startswith(("d_", "out_"))])
    _assert_runs_as_dl4j(ours, theirs, graph_net=True)


@pytest.mark.dl4j
def test_graph_new_output_on_the_vae_matches_dl4j():
    orig = graph()
    ours, theirs = both(TransferLearning.GraphBuilder(orig).fineTuneConfiguration(FTC)
                        .removeVertexAndConnections("out").removeVertexAndConnections("h")
                        .addLayer("out2", OutputLayer.Builder(LF.MSE).nIn(3).nOut(2).weightInit(ONES)
                                  .activation(Activation.IDENTITY).build(), "vae")
                        .setOutputs("out2"))
    assert_same_conf(ours, theirs)
    assert_kept(ours, orig, [(k, k) for k in orig.paramTable() if k.startswith(("d_", "vae_"))])
    _assert_runs_as_dl4j(ours, theirs, graph_net=True)


# ---- TransferLearningHelper: the boundary before the VAE and at it -----------------------------------------------


@pytest.mark.dl4j
@pytest.mark.parametrize("frozen_till, width", [(0, 5), (1, 3)])
def test_mln_helper_before_and_at_the_vae_as_dl4j(frozen_till, width, tmp_path):
    x, y = _data(seed=1)
    net = mln()
    jnet = _java_net(net)
    helper, jhelper = TransferLearningHelper(net, frozen_till), _java_helper(jnet, frozen_till)
    feat, jfeat = helper.featurize(DataSet(x, y)), jhelper.featurize(_jds(x, y))
    assert feat.getFeatures().shape == (5, width)
    _assert_rel(feat.getFeatures(), _np(jfeat.getFeatures()), TOL, "featurized")
    for _ in range(3):
        helper.fitFeaturized(feat)
        jhelper.fitFeaturized(jfeat)
    _assert_rel(net.params(), jnet.params(), TOL, "params after fitFeaturized")
    _assert_rel(helper.outputFromFeaturized(feat.getFeatures()), _np(jhelper.outputFromFeaturized(jfeat.getFeatures())),
                TOL, "outputFromFeaturized")
    _assert_rel(net.output(x), jnet.output(x), TOL, "output of the original")
    _assert_saved_as_dl4j(net, tmp_path)


@pytest.mark.dl4j
@pytest.mark.parametrize("frozen, width", [("d", 5), ("vae", 3)])
def test_graph_helper_before_and_at_the_vae_as_dl4j(frozen, width, tmp_path):
    x, y = _data(seed=2)
    net = graph()
    jnet = _java_net(net)
    helper, jhelper = TransferLearningHelper(net, frozen), _java_helper(jnet, frozen)
    feat, jfeat = helper.featurize(MultiDataSet([x], [y])), jhelper.featurize(_jmds([x], [y]))
    assert feat.getFeatures(0).shape == (5, width)
    _assert_rel(feat.getFeatures(0), _np(jfeat.getFeatures(0)), TOL, "featurized")
    for _ in range(3):
        helper.fitFeaturized(feat)
        jhelper.fitFeaturized(jfeat)
    _assert_rel(net.params(), jnet.params(), TOL, "params after fitFeaturized")
    _assert_rel(helper.outputFromFeaturized(feat.getFeatures()),
                _np(jhelper.outputFromFeaturized([jfeat.getFeatures(0)])[0]), TOL, "outputFromFeaturized")
    _assert_saved_as_dl4j(net, tmp_path)


def _assert_saved_as_dl4j(net, tmp_path):
    """The original, saved after the helper froze part of it (the VAE too, at a boundary at the VAE), restores here and
    in DL4J with the same params: the freeze around a VAE stays runtime only, as all of DL4J's helper freezing does
    (a FrozenLayer cannot hold a VAE in DL4J or here), so the zip holds the bare VAE."""
    from pydl4j_transfer.dl4j_backend import Dl4jModel

    path = tmp_path / "after_helper.zip"
    ModelSerializer.writeModel(net, path, True)
    with zipfile.ZipFile(path) as z:
        text = z.read("configuration.json").decode()
    assert "VariationalAutoencoder" in text
    assert not [o for o in _objects(json.loads(text)) if str(o.get("@class", "")).endswith("FrozenLayer")
                and "VariationalAutoencoder" in json.dumps(o)]
    restore = (ModelSerializer.restoreComputationGraph if isinstance(net, ComputationGraph)
               else ModelSerializer.restoreMultiLayerNetwork)
    flat = np.asarray(net.params()).reshape(-1)
    np.testing.assert_array_equal(np.asarray(restore(path).params()).reshape(-1), flat)
    np.testing.assert_array_equal(Dl4jModel.restore(path).params(), flat)


def _objects(tree):
    if isinstance(tree, dict):
        yield tree
        for v in tree.values():
            yield from _objects(v)
    elif isinstance(tree, list):
        for v in tree:
            yield from _objects(v)
