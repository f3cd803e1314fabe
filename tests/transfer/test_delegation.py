"""Delegation: the same TransferLearning calls on a network loaded with backend="dl4j" run on DL4J's
own Java builders, and the result comes back through the same Python API."""

import json

import numpy as np
import pytest

import pydl4j_transfer
from pydl4j_transfer import FineTuneConfiguration, ModelSerializer, TransferLearning
from pydl4j_transfer.conf import Nesterovs, OutputLayer
from pydl4j_transfer.conf.enums import Activation, LossFunctions, WeightInit

from tl_support import mln, vgg

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
    assert built_dl4j._dl4j is not None  # the Java network DL4J's builder returned
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
