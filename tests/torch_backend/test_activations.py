"""Every DL4J activation against ND4J's own IActivation#getActivation (real DL4J through JPype)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from pydl4j_transfer.conf import ACTIVATIONS
from pydl4j_transfer.conf.values import activations as A
from pydl4j_transfer.torch_backend.activations import activation_module

pytestmark = pytest.mark.dl4j

# (conf object, tolerance, why a looser tolerance)
CASES = [(cls(), 1e-6) for cls in ACTIVATIONS if cls.__name__ not in ("ActivationPReLU",)]
CASES += [
    (A.ActivationReLU(max=2.5), 1e-6), (A.ActivationReLU(negativeSlope=0.1), 1e-6),
    (A.ActivationReLU(threshold=0.5, negativeSlope=0.2, max=3.0), 1e-6), (A.ActivationReLU(threshold=-0.5), 1e-6),
    (A.ActivationLReLU(alpha=0.3), 1e-6), (A.ActivationELU(alpha=0.5), 1e-6), (A.ActivationGELU(precise=True), 1e-6),
    (A.ActivationThresholdedReLU(theta=0.7), 1e-6), (A.ActivationRReLU(l=0.1, u=0.3), 1e-6),
]


def _dl4j_activation(act, x):
    import jpype

    from pydl4j_transfer.dl4j_backend import to_indarray, to_numpy

    mapper = jpype.JClass("org.deeplearning4j.nn.conf.NeuralNetConfiguration").mapper()
    java_act = mapper.readValue(act.toJson(), jpype.JClass("org.nd4j.linalg.activations.IActivation"))
    return to_numpy(java_act.getActivation(to_indarray(x), False))


def _grid():
    x = np.linspace(-7, 7, 281, dtype=np.float32)
    extra = np.array([0.0, 1e-4, -1e-4, 0.5, 0.7, -0.5, 6.0, 30.0, -30.0, 100.0, -100.0], dtype=np.float32)
    return np.concatenate([x, extra, np.zeros(8, np.float32)]).reshape(10, 30)


@pytest.mark.parametrize("act,tol", CASES, ids=lambda c: c.toJson().replace("\n", "").replace(" ", "")[40:] if hasattr(c, "toJson") else str(c))
def test_activation_matches_nd4j(act, tol):
    x = _grid()
    expected = _dl4j_activation(act, x.copy())
    got = activation_module(act).eval()(torch.from_numpy(x)).numpy()
    finite = np.isfinite(expected)
    assert np.array_equal(np.isfinite(got), finite)
    np.testing.assert_allclose(got[finite], expected[finite], atol=tol, rtol=1e-6)
