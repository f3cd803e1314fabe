"""Delegation: the same TransferLearning calls on a network loaded with backend="dl4j" run on DL4J's
own Java builders, and the result comes back through the same Python API."""

import json

import numpy as np
import pytest

import pydl4j_transfer
from pydl4j_transfer import FineTuneConfiguration, ModelSerializer, TransferLearning
from pydl4j_transfer.conf import Nesterovs, OutputLayer
from pydl4j_transfer.conf.enums import Activation, LossFunctions, WeightInit

from .tl_support import mln, vgg

pytestmark = pytest.mark.dl4j


def _plan_mln(net):
    ftc = FineTuneConfiguration.Builder().updater(Nesterovs(5e-5)).seed(42).build()
    return (TransferLearning.Builder(net).fineTuneConfiguration(ftc).setFeatureExtractor(1)
            .nOutReplace(2, 4, weightInit=WeightInit.XAVIER))


def test_mln_build_on_the_dl4j_backend_runs_in_dl4j_and_matches_the_torch_build(tmp_path):
    original = mln()
    path = tmp_path / "mln.zip"
    ModelSerializer.writeModel(original, path, False)
    on_dl4j = pydl4j_transfer.load(path, backend="dl4j")
    on_torch = pydl4j_transfer.load(path)

    built_dl4j = _plan_mln(on_dl4j).build()
    built_torch = _plan_mln(on_torch).build()
    assert built_dl4j.backend == "dl4j" and built_torch.backend == "torch"
    assert built_dl4j.getRuntime().model.java is not None  # the Java network DL4J's builder returned
    assert json.loads(built_dl4j.toJson()) == json.loads(built_torch.toJson())
    # kept (frozen) layers keep their params bit for bit on both backends
    for key in ("0_W", "0_b", "1_W", "1_b"):
        np.testing.assert_array_equal(built_dl4j.paramTable()[key], original.paramTable()[key])
        np.testing.assert_array_equal(built_torch.paramTable()[key], original.paramTable()[key])
    # the dl4j-backend network answers output() from the JVM, with DL4J's own (re-initialised) params
    x = np.random.default_rng(0).standard_normal((5, 4)).astype(np.float32)
    built_torch.setParams(built_dl4j.params())
    np.testing.assert_allclose(built_dl4j.output(x), built_torch.output(x), atol=1e-6)


def test_graph_build_on_the_dl4j_backend_matches_the_torch_build(tmp_path):
    original = vgg()
    path = tmp_path / "vgg.zip"
    ModelSerializer.writeModel(original, path, False)

    def plan(net):
        ftc = FineTuneConfiguration.Builder().updater(Nesterovs(5e-5)).seed(42).build()
        return (TransferLearning.GraphBuilder(net).fineTuneConfiguration(ftc).setFeatureExtractor("fc2")
                .removeVertexKeepConnections("predictions")
                .addLayer("predictions", OutputLayer.Builder(LossFunctions.LossFunction.NEGATIVELOGLIKELIHOOD)
                          .nIn(int(net.getConfiguration().vertices["fc2"].layer.nOut)).nOut(5)
                          .weightInit(WeightInit.XAVIER).activation(Activation.SOFTMAX).build(), "fc2"))

    built_dl4j = plan(pydl4j_transfer.load(path, backend="dl4j")).build()
    built_torch = plan(pydl4j_transfer.load(path)).build()
    assert built_dl4j.backend == "dl4j"
    assert json.loads(built_dl4j.toJson()) == json.loads(built_torch.toJson())
    for key, value in original.paramTable().items():
        if not key.startswith("predictions_"):
            np.testing.assert_array_equal(built_dl4j.paramTable()[key], value)


def test_helper_on_the_dl4j_backend_runs_dl4j_helper_and_matches_the_torch_helper(tmp_path):
    from pydl4j_transfer import DataSet, TransferLearningHelper

    path = tmp_path / "mln.zip"
    ModelSerializer.writeModel(mln(), path, False)
    rng = np.random.default_rng(3)
    x = rng.standard_normal((6, 4)).astype(np.float32)
    y = np.eye(2, dtype=np.float32)[np.arange(6) % 2]

    on_dl4j = pydl4j_transfer.load(path, backend="dl4j")
    on_torch = pydl4j_transfer.load(path)
    h_dl4j = TransferLearningHelper(on_dl4j, 1)
    h_torch = TransferLearningHelper(on_torch, 1)
    assert h_dl4j._java is not None and h_torch._java is None

    f_dl4j, f_torch = h_dl4j.featurize(DataSet(x, y)), h_torch.featurize(DataSet(x, y))
    np.testing.assert_allclose(f_dl4j.getFeatures(), f_torch.getFeatures(), rtol=1e-5, atol=1e-6)
    frozen = on_dl4j.paramTable()["0_W"].copy()
    for _ in range(3):
        h_dl4j.fitFeaturized(f_dl4j)
        h_torch.fitFeaturized(f_torch)
    np.testing.assert_allclose(on_dl4j.params(), on_torch.params(), rtol=1e-5, atol=1e-6)
    assert on_dl4j.paramTable()["0_W"].tobytes() == frozen.tobytes()
    np.testing.assert_allclose(h_dl4j.outputFromFeaturized(f_dl4j.getFeatures()),
                               h_torch.outputFromFeaturized(f_torch.getFeatures()), rtol=1e-5, atol=1e-6)
    sub = h_dl4j.unfrozenMLN()
    assert sub.backend == "dl4j" and sub.getnLayers() == 2


def test_helper_multidataset_featurize_on_the_dl4j_backend(tmp_path):
    from .test_helper import _two_input_data, two_input_graph

    from pydl4j_transfer import MultiDataSet, TransferLearningHelper

    path = tmp_path / "g.zip"
    ModelSerializer.writeModel(two_input_graph(), path, False)
    z, a, y = _two_input_data()
    mds = MultiDataSet([z, a], [y])
    on_dl4j = TransferLearningHelper(pydl4j_transfer.load(path, backend="dl4j"), "dz").featurize(mds)
    on_torch = TransferLearningHelper(pydl4j_transfer.load(path), "dz").featurize(mds)
    assert on_dl4j.numFeatureArrays() == on_torch.numFeatureArrays() == 2  # sorted: ain, dz
    for i in range(2):
        np.testing.assert_allclose(on_dl4j.getFeatures(i), on_torch.getFeatures(i), rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(on_dl4j.getLabels(0), y)
