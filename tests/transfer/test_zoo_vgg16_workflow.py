"""The guide's workflow A on the zoo's VGG16 architecture itself (3x32x32 input, random weights),
built by our builder and by DL4J's, then 5 identical training steps in both engines.

The zoo's from-scratch VGG16 names its vertices "0".."20" (the pretrained zip uses Keras names):
fc2 is "19" and predictions "20"."""

from __future__ import annotations

import numpy as np
import pytest
from .tl_support import assert_kept, assert_same_conf, both

from pydl4j_transfer.conf import Nesterovs, OutputLayer
from pydl4j_transfer.conf.enums import Activation, LossFunctions, WeightInit
from pydl4j_transfer.transfer import FineTuneConfiguration, TransferLearning
from pydl4j_transfer.zoo import VGG16

pytestmark = [pytest.mark.dl4j, pytest.mark.slow]


def test_workflow_a_on_zoo_vgg16():
    original = VGG16.builder().inputShape([3, 32, 32]).numClasses(5).build().init()
    ftc = FineTuneConfiguration(updater=Nesterovs(5e-5), seed=4242)
    ours, theirs = both(TransferLearning.GraphBuilder(original).fineTuneConfiguration(ftc).setFeatureExtractor("19")
                        .removeVertexKeepConnections("20")
                        .addLayer("20", OutputLayer.Builder(LossFunctions.LossFunction.NEGATIVELOGLIKELIHOOD)
                                  .nIn(4096).nOut(5).weightInit(WeightInit.XAVIER).activation(Activation.SOFTMAX).build(),
                                  "19"))
    assert_same_conf(ours, theirs)
    kept = [(k, k) for k in original.paramTable() if not k.startswith("20_")]
    assert_kept(ours, original, kept)

    rng = np.random.default_rng(5)
    x = rng.standard_normal((4, 3, 32, 32)).astype(np.float32)
    y = np.eye(5, dtype=np.float32)[np.arange(4) % 5]
    ours.setParams(theirs.params())
    frozen = {k: v.copy() for k, v in ours.paramTable().items() if not k.startswith("20_")}
    for _ in range(5):
        ours.fit(x, y)
    theirs.fit(x, y, steps=5)
    np.testing.assert_allclose(ours.params(), theirs.params(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ours.output(x)[0], theirs.output(x)[0], rtol=1e-5, atol=1e-6)
    for name, value in frozen.items():
        assert ours.paramTable()[name].tobytes() == value.tobytes(), name
