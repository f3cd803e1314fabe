"""TransferLearningHelper against DL4J's own helper (JPype), on a small MLN and small graphs (dropout off)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from .tl_support import assert_same_conf, mln, vgg

from pydl4j_transfer.conf import DenseLayer, MergeVertex, NeuralNetConfiguration, Nesterovs, OutputLayer
from pydl4j_transfer.conf.enums import Activation, LossFunctions, WeightInit
from pydl4j_transfer.data import DataSet, MultiDataSet
from pydl4j_transfer.errors import InvalidConfigurationError
from pydl4j_transfer.nn import ComputationGraph
from pydl4j_transfer.transfer import TransferLearning, TransferLearningHelper

STEPS = 3


def _mln_data(n=6, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 4)).astype(np.float32)
    y = np.eye(2, dtype=np.float32)[rng.integers(0, 2, n)]
    return x, y


def _vgg_data(n=4, seed=1):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, 3, 32, 32)).astype(np.float32)
    y = np.eye(5, dtype=np.float32)[rng.integers(0, 5, n)]
    return x, y


def two_input_graph(seed=7):
    """zin -> dz (dense 3->4) ; merge(dz, ain[2]) -> hid (dense 6->5) -> out (output 5->3). Nesterovs."""
    g = (NeuralNetConfiguration.Builder().seed(seed).updater(Nesterovs(0.05, 0.9)).activation(Activation.TANH)
         .weightInit(WeightInit.XAVIER).graphBuilder().addInputs("zin", "ain")
         .addLayer("dz", DenseLayer.Builder().nIn(3).nOut(4).build(), "zin")
         .addVertex("m", MergeVertex(), "dz", "ain")
         .addLayer("hid", DenseLayer.Builder().nIn(6).nOut(5).build(), "m")
         .addLayer("out", OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nIn(5).nOut(3)
                   .activation(Activation.SOFTMAX).build(), "hid")
         .setOutputs("out").build())
    return ComputationGraph(g).init()


def _two_input_data(n=5, seed=2):
    rng = np.random.default_rng(seed)
    z = rng.standard_normal((n, 3)).astype(np.float32)
    a = rng.standard_normal((n, 2)).astype(np.float32)
    y = np.eye(3, dtype=np.float32)[rng.integers(0, 3, n)]
    return z, a, y


# ---- Java side ------------------------------------------------------------------------------


def _java_net(net):
    """DL4J's own network from our (not yet frozen) configuration + params."""
    from pydl4j_transfer.dl4j_backend import Dl4jModel

    return Dl4jModel.fromJson(net.toJson(), net.params().copy())


def _java_helper(jnet, *frozen):
    import jpype

    cls = jpype.JClass("org.deeplearning4j.nn.transferlearning.TransferLearningHelper")
    if frozen and isinstance(frozen[0], int):
        return cls(jnet.java, jpype.JInt(frozen[0]))
    if frozen:
        return cls(jnet.java, jpype.JArray(jpype.JString)(list(frozen)))
    return cls(jnet.java)


def _jds(x, y):
    import jpype

    from pydl4j_transfer.dl4j_backend.arrays import to_indarray

    return jpype.JClass("org.nd4j.linalg.dataset.DataSet")(to_indarray(x), to_indarray(y))


def _jmds(xs, ys):
    import jpype

    from pydl4j_transfer.dl4j_backend.arrays import to_indarray

    arr = jpype.JArray(jpype.JClass("org.nd4j.linalg.api.ndarray.INDArray"))
    return jpype.JClass("org.nd4j.linalg.dataset.MultiDataSet")(arr([to_indarray(x) for x in xs]),
                                                                 arr([to_indarray(y) for y in ys]))


def _np(indarray):
    from pydl4j_transfer.dl4j_backend.arrays import to_numpy

    return to_numpy(indarray)


def _assert_rel(ours, theirs, rtol=1e-5, what=""):
    ours, theirs = np.asarray(ours, np.float64), np.asarray(theirs, np.float64).reshape(np.shape(ours))
    scale = max(1.0, float(np.abs(theirs).max()))
    err = float(np.abs(ours - theirs).max()) / scale
    assert err <= rtol, f"{what}: max relative difference {err:.3g} > {rtol}"


def _frozen_bits(net, names):
    t = net.paramTable()
    return {k: t[k].tobytes() for k in t if any(k.startswith(n + "_") for n in names)}


# ---- MultiLayerNetwork ----------------------------------------------------------------------


@pytest.mark.dl4j
def test_mln_featurize_and_fit_featurized_match_dl4j():
    x, y = _mln_data()
    net = mln()
    jnet = _java_net(net)
    helper = TransferLearningHelper(net, frozenTill=1)
    jhelper = _java_helper(jnet, 1)
    assert helper.frozenInputLayer == 1 and helper.unfrozenMLN().getnLayers() == 2

    feat = helper.featurize(DataSet(x, y))
    jfeat = jhelper.featurize(_jds(x, y))
    np.testing.assert_allclose(feat.getFeatures(), _np(jfeat.getFeatures()), rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(feat.getLabels(), y)

    frozen_before = _frozen_bits(net, ["0", "1"])
    for _ in range(STEPS):
        helper.fitFeaturized(feat)
        jhelper.fitFeaturized(jfeat)
    _assert_rel(net.params(), jnet.params(), what="original MLN params after fitFeaturized")
    _assert_rel(helper.unfrozenMLN().params(), _np(jhelper.unfrozenMLN().params()), what="subset MLN params")
    assert _frozen_bits(net, ["0", "1"]) == frozen_before  # l1/l2 on layer 1, still bit-identical
    np.testing.assert_allclose(helper.outputFromFeaturized(feat.getFeatures()), net.output(x), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(helper.outputFromFeaturized(feat.getFeatures()),
                               _np(jhelper.outputFromFeaturized(jfeat.getFeatures())),
                               rtol=1e-5, atol=1e-5)


def test_mln_fit_featurized_equals_fit_on_frozen_model():
    x, y = _mln_data(8, seed=3)
    a, b = mln(), mln()
    np.testing.assert_array_equal(a.params(), b.params())
    ha = TransferLearningHelper(a, 1)  # positional frozenTill
    TransferLearningHelper(b, frozenTill=1)  # freezes b in place; b is trained directly
    feat = ha.featurize(DataSet(x, y))
    for _ in range(STEPS):
        ha.fitFeaturized(feat)
        b.fit(x, y)
    np.testing.assert_allclose(a.params(), b.params(), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(ha.outputFromFeaturized(feat.getFeatures()), b.output(x), rtol=1e-6, atol=1e-6)


def test_mln_output_from_featurized_equals_full_output():
    x, y = _mln_data()
    net = mln()
    h = TransferLearningHelper(net, frozenTill=2)
    assert h.unfrozenMLN().getnLayers() == 1
    np.testing.assert_allclose(h.outputFromFeaturized(h.featurize(DataSet(x, y)).getFeatures()), net.output(x),
                               rtol=1e-6, atol=1e-7)


def test_mln_in_place_freezing_and_already_frozen_constructor():
    net = mln()
    TransferLearningHelper(net, frozenTill=1)
    kinds = [c["layer"]["@class"].rsplit(".", 1)[1] for c in json.loads(net.toJson())["confs"]]
    assert kinds[:2] == ["FrozenLayer", "FrozenLayer"] and kinds[2] == "DenseLayer"
    h2 = TransferLearningHelper(net)  # the model already holds frozen layers
    assert h2.frozenInputLayer == 1
    # DL4J quirk: no frozen layer -> boundary 0, silently
    h3 = TransferLearningHelper(mln())
    assert h3.frozenInputLayer == 0 and h3.unfrozenMLN().getnLayers() == 3
    # TL-built frozen MLN
    tl = TransferLearning.Builder(mln()).setFeatureExtractor(2).build()
    assert TransferLearningHelper(tl).frozenInputLayer == 2


def test_mln_errors():
    with pytest.raises(InvalidConfigurationError, match="Output Layers are not allowed to be frozen"):
        TransferLearningHelper(mln(), frozenTill=3)
    h = TransferLearningHelper(mln(), frozenTill=0)
    with pytest.raises(InvalidConfigurationError, match="Cannot apply methods related to computation graphs"):
        h.unfrozenGraph()
    with pytest.raises(InvalidConfigurationError, match="Cannot use multidatasets"):
        h.featurize(MultiDataSet([np.zeros((1, 4), np.float32)], [np.zeros((1, 2), np.float32)]))
    x, y = _mln_data()
    with pytest.raises(NotImplementedError, match="Feature masks"):
        h.featurize(DataSet(x, y, np.ones((6, 1), np.float32)))


# ---- ComputationGraph -----------------------------------------------------------------------


@pytest.mark.dl4j
def test_graph_featurize_and_fit_featurized_match_dl4j():
    x, y = _vgg_data()
    g = vgg(output_layer=True)
    jg = _java_net(g)
    helper = TransferLearningHelper(g, "fc1")
    jhelper = _java_helper(jg, "fc1")
    assert helper.graphInputs == ["fc1"] == [str(s) for s in jhelper.unfrozenGraph().getConfiguration().getNetworkInputs()]
    from pydl4j_transfer.dl4j_backend import Dl4jModel

    assert_same_conf(helper.unfrozenGraph(), Dl4jModel(jhelper.unfrozenGraph()))

    feat = helper.featurize(DataSet(x, y))
    jfeat = jhelper.featurize(_jds(x, y))
    np.testing.assert_allclose(feat.getFeatures(), _np(jfeat.getFeatures()), rtol=1e-5, atol=1e-5)

    frozen_names = [n for n in g.getConfiguration().vertices if n not in ("fc2", "predictions")]
    frozen_before = _frozen_bits(g, frozen_names)
    for _ in range(STEPS):
        helper.fitFeaturized(feat)
        jhelper.fitFeaturized(jfeat)
    _assert_rel(g.params(), jg.params(), what="original graph params after fitFeaturized")
    assert _frozen_bits(g, frozen_names) == frozen_before
    np.testing.assert_allclose(helper.outputFromFeaturized(feat.getFeatures()), g.output(x)[0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(helper.outputFromFeaturized(feat.getFeatures()),
                               _np(jhelper.outputFromFeaturized(jfeat.getFeatures())), rtol=1e-5, atol=1e-5)


def test_graph_fit_featurized_equals_fit_on_frozen_graph():
    x, y = _vgg_data(seed=5)
    a, b = vgg(output_layer=True), vgg(output_layer=True)
    ha = TransferLearningHelper(a, "fc1")
    TransferLearningHelper(b, "fc1")
    feat = ha.featurize(DataSet(x, y))
    for _ in range(STEPS):
        ha.fitFeaturized(feat)
        b.fit(x, y)
    np.testing.assert_allclose(a.params(), b.params(), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(ha.outputFromFeaturized(feat.getFeatures()), b.output(x)[0], rtol=1e-6, atol=1e-6)


@pytest.mark.dl4j
def test_two_input_graph_sorted_inputs_multidataset_match_dl4j():
    z, a, y = _two_input_data()
    g = two_input_graph()
    jg = _java_net(g)
    helper = TransferLearningHelper(g, "dz")
    jhelper = _java_helper(jg, "dz")
    assert helper.graphInputs == ["ain", "dz"]
    from pydl4j_transfer.dl4j_backend import Dl4jModel

    # DL4J adds the subset's inputs in HashSet order (here dz, ain); we use the sorted order of featurize
    assert_same_conf(helper.unfrozenGraph(), Dl4jModel(jhelper.unfrozenGraph()),
                     skip=("/networkInputs", "/topologicalOrderStr"))
    assert helper.unfrozenGraph().getConfiguration().networkInputs == ["ain", "dz"]
    feat = helper.featurize(MultiDataSet([z, a], [y]))
    jfeat = jhelper.featurize(_jmds([z, a], [y]))
    assert feat.numFeatureArrays() == 2
    for i in range(2):
        np.testing.assert_allclose(feat.getFeatures(i), _np(jfeat.getFeatures(i)), rtol=1e-5, atol=1e-5)
    np.testing.assert_array_equal(feat.getFeatures(0), a)  # original input passes through
    dz_before = _frozen_bits(g, ["dz"])
    # DL4J bug (M2.1): featurize returns the arrays in sorted order but its subset graph's inputs are in
    # HashSet order, so DL4J's own featurize -> fitFeaturized feeds them to the wrong inputs whenever the two
    # orders differ (here silently, as both go into one MergeVertex). Feed DL4J its subset's own order:
    jorder = [str(s) for s in jhelper.unfrozenGraph().getConfiguration().getNetworkInputs()]
    assert jorder == ["dz", "ain"]
    jfeat_fixed = _jmds([_np(jfeat.getFeatures(helper.graphInputs.index(n))) for n in jorder], [y])
    for _ in range(STEPS):  # Nesterovs: the subset's updater state carries between calls
        helper.fitFeaturized(feat)
        jhelper.fitFeaturized(jfeat_fixed)
    _assert_rel(g.params(), jg.params(), what="two-input graph params after fitFeaturized (Nesterovs)")
    assert _frozen_bits(g, ["dz"]) == dz_before
    out = helper.outputFromFeaturized([feat.getFeatures(0), feat.getFeatures(1)])
    np.testing.assert_allclose(out[0], g.output(z, a)[0], rtol=1e-6, atol=1e-6)


def test_graph_already_frozen_and_errors():
    g = TransferLearning.GraphBuilder(vgg(output_layer=True)).setFeatureExtractor("fc1").build()
    h = TransferLearningHelper(g)
    assert h.graphInputs == ["fc1"]
    assert sorted(h.unfrozenGraph().paramTable()) == ["fc2_W", "fc2_b", "predictions_W", "predictions_b"]
    with pytest.raises(InvalidConfigurationError, match="No frozen layers found"):
        TransferLearningHelper(vgg(output_layer=True))
    with pytest.raises(InvalidConfigurationError, match="Output Layers are not allowed to be frozen"):
        TransferLearningHelper(vgg(output_layer=True), "predictions")
    with pytest.raises(InvalidConfigurationError, match="Cannot apply methods related to MLN"):
        h.unfrozenMLN()
    h2 = TransferLearningHelper(two_input_graph(), "dz")
    z, a, y = _two_input_data()
    with pytest.raises(InvalidConfigurationError, match="Requires use of a MultiDataSet"):
        h2.featurize(DataSet(z, y))
    with pytest.raises(InvalidConfigurationError, match="feature masks"):
        h2.featurize(MultiDataSet([z, a], [y], [np.ones((5, 1), np.float32), None]))


def test_fit_featurized_iterator_and_stale_subset_semantics():
    x, y = _mln_data(8, seed=9)
    net = mln()
    h = TransferLearningHelper(net, frozenTill=1)
    feats = [h.featurize(DataSet(x[:4], y[:4])), h.featurize(DataSet(x[4:], y[4:]))]
    h.fitFeaturized(feats)  # a Python list of DataSets is an iterator for fit
    np.testing.assert_array_equal(net.paramTable()["3_W"], h.unfrozenMLN().paramTable()["1_W"])


def test_mln_helper_shifts_preprocessors_onto_the_subset_network():
    """Deviation (docs/deviations.md): DL4J copies the input preprocessors with their original indices."""
    from .tl_support import cnn_mln

    net = cnn_mln()
    pre = dict(net.getLayerWiseConfigurations().inputPreProcessors)
    assert 3 in pre  # CnnToFeedForward in front of the dense layer (index 3)
    helper = TransferLearningHelper(net, frozenTill=1)
    sub = helper.unfrozenMLN().getLayerWiseConfigurations()
    assert set(sub.inputPreProcessors) == {1} and type(sub.inputPreProcessors[1]) is type(pre[3])
    x = np.random.default_rng(4).standard_normal((3, 3, 12, 12)).astype(np.float32)
    feats = helper.featurize(DataSet(x, np.eye(3, dtype=np.float32)[[0, 1, 2]])).getFeatures()
    np.testing.assert_allclose(helper.outputFromFeaturized(feats), net.output(x), rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("device", ["cpu", pytest.param("cuda", marks=pytest.mark.gpu)])
def test_fit_featurized_keeps_the_originals_torch_state_and_updates_it(device):
    """After fitFeaturized the original's torch state (its module, on its device) is kept, not rebuilt: featurize
    runs next on the same module, and the original's output shows the head's new params, as on a CPU twin."""
    x, y = _mln_data(8, seed=4)
    net, twin = mln(), mln()
    net.to(device)
    helper, twin_helper = TransferLearningHelper(net, 1), TransferLearningHelper(twin, 1)
    feat, twin_feat = helper.featurize(DataSet(x, y)), twin_helper.featurize(DataSet(x, y))
    module = net.torchModule()
    for _ in range(STEPS):
        helper.fitFeaturized(feat)
        twin_helper.fitFeaturized(twin_feat)
    assert net.torchModule() is module
    head = [s for s in net._slots if str(s.owner) == "2"]
    assert helper._copy_ranges == [(head[0].offset, net.numParams())]  # layers 2 and 3 (unfrozen): the tail
    np.testing.assert_allclose(net.output(x), twin.output(x), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(helper.featurize(DataSet(x, y)).getFeatures(), feat.getFeatures(), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(net.params(), twin.params(), rtol=1e-5, atol=1e-6)


def test_networks_first_used_in_inference_mode_still_train():
    """featurize / output build the torch state lazily inside torch.inference_mode; fit must still work after."""
    import torch

    x, y = _vgg_data(seed=6)
    g = vgg(output_layer=True)
    TransferLearningHelper(g, "fc1").featurize(DataSet(x, y))  # the graph's first use: inside inference mode
    before = g.params().copy()
    g.fit(x, y)
    assert not np.array_equal(g.params(), before)

    net = mln()
    xm = np.random.default_rng(0).random((4, 4), dtype=np.float32)
    with torch.inference_mode():
        net.output(xm)
    before = net.params().copy()
    net.fit(xm, np.eye(2, dtype=np.float32)[[0, 1, 0, 1]])
    assert not np.array_equal(net.params(), before)
