"""Real DL4J-written configuration.json files: 1.0.0-beta4/beta6/alpha re-serialise equal (after key-order
canonicalisation); 0.5.0 ... 0.8.0 files upgrade to the modern model; parameter counts match coefficients.bin."""

import glob
import json

import pytest

import pydl4j_transfer.conf as c
from pydl4j_transfer.conf import ComputationGraphConfiguration, MultiLayerConfiguration

from .conf_testdata import LEGACY, LEGACY_REASON, added_keys, coefficient_count, subset_equal, zip_json

pytestmark = pytest.mark.skipif(not LEGACY.is_dir(), reason=LEGACY_REASON)

MODERN = ["100b4/SyntheticCNN_100b4.bin", "100b4/SyntheticBidirectionalRNNGraph_100b4.bin",
          "100b6/SyntheticCNN_100b6.bin", "100b6/SyntheticBidirectionalRNNGraph_100b6.bin"]
ALPHA = "100a/upsampling/net.bin"  # 1.0.0-alpha: wrapper-style type ids -> upgraded, not re-serialised as is
OLD = sorted(p.split("dl4j-legacy/")[1] for p in glob.glob(str(LEGACY / "0*" / "*.zip")))
# Keys M2.1 writes that beta4/beta6 files lack (documented in dl4j-format.md §3.6/§3.7); nothing else is added.
M21_ADDED_KEYS = {"cnn2dDataFormat", "timeDistributedFormat", "format", "dataFormat", "rnnDataFormat", "rnndataFormat",
                  "max", "negativeSlope", "threshold", "mergeAxis", "modified", "cnn2DFormat", "outputFormat"}
# beta4 files also lack these beta5/beta6 additions
BETA4_ADDED_KEYS = {"avgPoolIncludePadInDivisor", "helperAllowFallback"}
# Read-only getters whose value M2.1 computes differently from the writing version:
# Bidirectional 'nout' (M2.1 doubles it for CONCAT; beta6 wrote the wrapped layer's nOut).
# 1.0.0-alpha wrote Upsampling2D 'size' as an int; it is upgraded to [s, s].
IGNORED = ("/nout",)


def _parse(text):
    return (MultiLayerConfiguration if '"confs"' in text else ComputationGraphConfiguration).fromJson(text)


@pytest.mark.parametrize("rel", MODERN)
def test_modern_files_reserialise_equal(rel):
    text = zip_json(LEGACY / rel)
    conf = _parse(text)
    original, ours = json.loads(text), json.loads(conf.toJson())
    assert subset_equal(original, ours, ignore=IGNORED) == []
    assert added_keys(original, ours) <= M21_ADDED_KEYS | (BETA4_ADDED_KEYS if "100b4" in rel else set())
    assert _parse(conf.toJson()).toJson() == conf.toJson()


@pytest.mark.parametrize("rel", MODERN + OLD + [ALPHA])
def test_param_count_matches_coefficients(rel):
    conf = _parse(zip_json(LEGACY / rel))
    assert conf.numParams() == coefficient_count(LEGACY / rel)
    assert sum(__import__("math").prod(s) for s in conf.paramShapes().values()) == conf.numParams()


def test_known_counts():
    assert _parse(zip_json(LEGACY / "100b6/SyntheticCNN_100b6.bin")).numParams() == 1304
    graph = _parse(zip_json(LEGACY / "100b6/SyntheticBidirectionalRNNGraph_100b6.bin"))
    assert graph.numParams() == 4515
    assert graph.topologicalSortOrder() == list(graph.topologicalOrder)


EXPECTED_OLD = {
    "MLP_1": [(c.DenseLayer, 3, 4, c.ActivationReLU), (c.OutputLayer, 4, 5, c.ActivationSoftmax)],
    "MLP_2": [(c.DenseLayer, 3, 4, c.ActivationLReLU), (c.OutputLayer, 4, 5, c.ActivationIdentity)],
    "CNN_1": [(c.ConvolutionLayer, 3, 3, c.ActivationTanH), (c.SubsamplingLayer, None, None, None),
              (c.OutputLayer, 2028, 5, c.ActivationSigmoid)],
    "LSTM_1": [(c.GravesLSTM, 3, 4, c.ActivationTanH), (c.GravesBidirectionalLSTM, 4, 4, c.ActivationSoftSign),
               (c.RnnOutputLayer, 4, 5, c.ActivationSoftmax)],
}
EXPECTED_OLD["CG_LSTM_1"] = EXPECTED_OLD["LSTM_1"]


@pytest.mark.parametrize("rel", OLD)
def test_old_files_upgrade_to_modern_model(rel):
    text = zip_json(LEGACY / rel)
    conf = _parse(text)
    kind = rel.split("Regression_")[1][:-4]
    layers = conf.layers if isinstance(conf, MultiLayerConfiguration) else \
        [v.layer for v in conf.vertices.values() if isinstance(v, c.LayerVertex)]
    assert len(layers) == len(EXPECTED_OLD[kind])
    for layer, (cls, n_in, n_out, act) in zip(layers, EXPECTED_OLD[kind]):
        assert type(layer) is cls
        if n_in is not None:
            assert (layer.nIn, layer.nOut) == (n_in, n_out) and type(layer.activationFn) is act
            upd = layer.iUpdater
            if kind.startswith("MLP_1"):
                assert upd == c.Nesterovs(0.15, 0.9)  # updater "NESTEROVS", learningRate 0.15, momentum 0.9
            else:
                assert type(upd) is c.RmsProp and upd.learningRate == 0.15 and upd.rmsDecay == 0.96
            assert layer.weightInitFn is not None and layer.regularization is not None
    out = conf.toJson()
    for legacy_key in ('"learningRate" : 0.15,\n      "momentumSchedule"', '"activationFunction"', '"updater" : "', '"l1ByParam"',
                       '"pretrain"', '"dense" : {', '"LayerVertex" : {'):
        assert legacy_key not in out
    again = _parse(out)
    assert again.toJson() == out and again.numParams() == conf.numParams()


def test_old_graph_lstm_details():
    conf = _parse(zip_json(LEGACY / "071/071_ModelSerializer_Regression_CG_LSTM_1.zip"))
    lstm = conf.vertices["0"].layer
    # DL4J upgrades a pre-1.0 l2 to WeightDecay(l2, applyLR=false) (its RegressionTest050-080 assert this)
    assert lstm.regularization == [c.L1Regularization(0.1), c.WeightDecay(0.2, False)]
    assert lstm.iDropout == c.Dropout(0.6)
    assert lstm.weightInitFn == c.WeightInitDistribution(c.NormalDistribution(0.1, 1.2))
    assert lstm.gradientNormalization.name == "ClipElementWiseAbsoluteValue"
    assert conf.topologicalSortOrder() == [0, 1, 2, 3]


def test_legacy_frozen_configuration():
    path = LEGACY / "misc/legacy_frozen/configuration.json"
    text = path.read_text(encoding="utf-8")
    conf = _parse(text)
    layers = conf.layers if isinstance(conf, MultiLayerConfiguration) else \
        [v.layer for v in conf.vertices.values() if isinstance(v, c.LayerVertex)]
    frozen = [l for l in layers if isinstance(l, c.FrozenLayer)]
    assert frozen and all(f.layer is not None for f in frozen)
    assert _parse(conf.toJson()).toJson() == conf.toJson()


def test_alpha_upsampling_upgrade():
    conf = _parse(zip_json(LEGACY / ALPHA))
    assert [type(l) for l in conf.layers] == [c.ConvolutionLayer, c.Upsampling2D, c.ConvolutionLayer, c.OutputLayer]
    assert conf.layers[1].size == [2, 2] and conf.layers[0].convolutionMode.name == "Same"
    assert conf.inputPreProcessors[3] == c.CnnToFeedForwardPreProcessor(56, 56, 3)
    assert type(conf.layers[3].lossFn) is c.LossMSE and conf.layers[3].nIn == 9408
    out = conf.toJson()
    assert '"@class" : "org.deeplearning4j.nn.conf.layers.Upsampling2D"' in out and '"pretrain"' not in out
    assert _parse(out).toJson() == out
