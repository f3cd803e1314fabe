"""The guide's workflows, then training: after copying DL4J's newly initialised params across, 5
identical fit steps give the same params and outputs in torch and in real DL4J, and the frozen
params stay bit-identical."""

from __future__ import annotations

import numpy as np
import pytest
from .tl_support import both, mln, vgg

from pydl4j_transfer.conf import DenseLayer, Nesterovs, OutputLayer, Sgd
from pydl4j_transfer.conf.enums import Activation, LossFunctions, WeightInit
from pydl4j_transfer.transfer import FineTuneConfiguration, TransferLearning

pytestmark = pytest.mark.dl4j
STEPS = 5


def _first(out):
    return out[0] if isinstance(out, list) else out


def _train_and_compare(ours, theirs, x, y, is_frozen):
    """Same params in both engines, STEPS identical fit steps, then params and outputs compared."""
    ours.setParams(theirs.params())  # the new layers' params as DL4J initialised them
    frozen = {k: v.copy() for k, v in ours.paramTable().items() if is_frozen(k)}
    assert frozen, "the plan froze nothing"
    for _ in range(STEPS):
        ours.fit(x, y)
    theirs.fit(x, y, steps=STEPS)
    np.testing.assert_allclose(ours.params(), theirs.params(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(_first(ours.output(x)), _first(theirs.output(x)), rtol=1e-5, atol=1e-6)
    for name, value in frozen.items():
        assert ours.paramTable()[name].tobytes() == value.tobytes(), f"frozen {name} moved"


def _images(seed):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((6, 3, 32, 32)).astype(np.float32), np.eye(3, dtype=np.float32)[np.arange(6) % 3]


def test_workflow_a_on_the_vgg_graph_trains_like_dl4j():
    x, y = _images(11)
    ftc = FineTuneConfiguration(updater=Nesterovs(0.05), seed=4242)
    ours, theirs = both(TransferLearning.GraphBuilder(vgg()).fineTuneConfiguration(ftc).setFeatureExtractor("fc2")
                        .removeVertexKeepConnections("predictions")
                        .addLayer("predictions", OutputLayer.Builder(LossFunctions.LossFunction.NEGATIVELOGLIKELIHOOD)
                                  .nIn(10).nOut(3).weightInit(WeightInit.XAVIER).activation(Activation.SOFTMAX).build(),
                                  "fc2"))
    _train_and_compare(ours, theirs, x, y, lambda name: not name.startswith("predictions_"))


def test_workflow_b_on_the_vgg_graph_trains_like_dl4j():
    x, y = _images(12)
    ftc = FineTuneConfiguration(updater=Nesterovs(0.05), seed=4242)
    ours, theirs = both(TransferLearning.GraphBuilder(vgg()).fineTuneConfiguration(ftc).setFeatureExtractor("block5_pool")
                        .nOutReplace("fc2", 24, weightInit=WeightInit.XAVIER)
                        .removeVertexAndConnections("predictions")
                        .addLayer("fc3", DenseLayer.Builder().activation(Activation.RELU).nIn(24).nOut(16).build(), "fc2")
                        .addLayer("newpredictions", OutputLayer.Builder(LossFunctions.LossFunction.NEGATIVELOGLIKELIHOOD)
                                  .activation(Activation.SOFTMAX).nIn(16).nOut(3).build(), "fc3")
                        .setOutputs("newpredictions"))
    _train_and_compare(ours, theirs, x, y, lambda name: name.startswith("block"))


def test_mln_feature_extractor_then_fit_trains_like_dl4j():
    rng = np.random.default_rng(13)
    x = rng.standard_normal((8, 4)).astype(np.float32)
    y = np.eye(2, dtype=np.float32)[np.arange(8) % 2]
    ftc = FineTuneConfiguration(updater=Sgd(0.1), seed=99)
    ours, theirs = both(TransferLearning.Builder(mln()).fineTuneConfiguration(ftc).setFeatureExtractor(1)
                        .nOutReplace(2, 4, weightInit=WeightInit.XAVIER))
    _train_and_compare(ours, theirs, x, y, lambda name: name.split("_")[0] in ("0", "1"))


def test_workflow_c_fine_tune_the_saved_model_b_trains_like_dl4j(tmp_path):
    import pydl4j_transfer
    from pydl4j_transfer import ModelSerializer

    x, y = _images(14)
    ftc = FineTuneConfiguration(updater=Nesterovs(0.05), seed=4242)
    model_b = (TransferLearning.GraphBuilder(vgg()).fineTuneConfiguration(ftc).setFeatureExtractor("block5_pool")
               .nOutReplace("fc2", 24, weightInit=WeightInit.XAVIER)
               .removeVertexAndConnections("predictions")
               .addLayer("fc3", DenseLayer.Builder().activation(Activation.RELU).nIn(24).nOut(16).build(), "fc2")
               .addLayer("newpredictions", OutputLayer.Builder(LossFunctions.LossFunction.NEGATIVELOGLIKELIHOOD)
                         .activation(Activation.SOFTMAX).nIn(16).nOut(3).build(), "fc3")
               .setOutputs("newpredictions").build())
    path = tmp_path / "model_b.zip"
    ModelSerializer.writeModel(model_b, path, False)
    restored = pydl4j_transfer.load(path)
    ours, theirs = both(TransferLearning.GraphBuilder(restored).fineTuneConfiguration(
        FineTuneConfiguration(updater=Nesterovs(0.01), seed=4242)).setFeatureExtractor("block4_pool"))
    _train_and_compare(ours, theirs, x, y, lambda name: name.startswith(("block1", "block2", "block3", "block4")))
