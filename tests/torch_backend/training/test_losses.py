"""Every supported ILossFunction: score array and gradient w.r.t. preOutput equal real DL4J's."""

from __future__ import annotations

import zlib

import numpy as np
import pytest
import torch

from pydl4j_transfer.conf.base import LOSSES
from pydl4j_transfer.conf.values import activations as A
from pydl4j_transfer.conf.values import losses as LF
from pydl4j_transfer.torch_backend.training.losses import (LOSS_FNS, UNSUPPORTED_LOSSES, compute_gradient,
                                                           compute_score, score_array)

from ._jhelpers import assert_close, nd, npy, to_java

pytestmark = pytest.mark.dl4j
MB, N = 6, 4
W = np.array([0.5, 1.0, 2.0, 1.5])

# name -> (loss conf factory taking weights, activation, label kind, supports weights)
CASES = {
    "MCXENT-softmax": (lambda w: LF.LossMCXENT(w) if w is not None else LF.LossMCXENT(), A.ActivationSoftmax, "onehot"),
    "MCXENT-sigmoid": (lambda w: LF.LossMCXENT(w) if w is not None else LF.LossMCXENT(), A.ActivationSigmoid, "onehot"),
    "NLL-softmax": (lambda w: LF.LossNegativeLogLikelihood(w) if w is not None else LF.LossNegativeLogLikelihood(),
                    A.ActivationSoftmax, "onehot"),
    "SparseMCXENT": (lambda w: LF.LossSparseMCXENT(w) if w is not None else LF.LossSparseMCXENT(),
                     A.ActivationSoftmax, "sparse"),
    "BinaryXENT": (lambda w: LF.LossBinaryXENT(w) if w is not None else LF.LossBinaryXENT(), A.ActivationSigmoid, "binary"),
    "MSE": (lambda w: LF.LossMSE(w), A.ActivationTanH, "real"),
    "L2": (lambda w: LF.LossL2(w), A.ActivationIdentity, "real"),
    "L1": (lambda w: LF.LossL1(w), A.ActivationTanH, "real"),
    "MAE": (lambda w: LF.LossMAE(w), A.ActivationIdentity, "real"),
    "MAPE": (lambda w: LF.LossMAPE(w), A.ActivationIdentity, "positive"),
    "MSLE": (lambda w: LF.LossMSLE(w), A.ActivationSoftPlus, "positive"),
    "Poisson": (lambda w: None if w is not None else LF.LossPoisson(), A.ActivationSoftPlus, "positive"),
    "KLD": (lambda w: None if w is not None else LF.LossKLD(), A.ActivationSoftmax, "prob"),
    "CosineProximity": (lambda w: None if w is not None else LF.LossCosineProximity(), A.ActivationTanH, "real"),
    "Hinge": (lambda w: None if w is not None else LF.LossHinge(), A.ActivationIdentity, "pm1"),
    "SquaredHinge": (lambda w: None if w is not None else LF.LossSquaredHinge(), A.ActivationTanH, "pm1"),
    "Wasserstein": (lambda w: None if w is not None else LF.LossWasserstein(), A.ActivationIdentity, "real"),
}


def _labels(kind, rng):
    if kind in ("onehot", "sparse"):
        idx = rng.integers(0, N, MB)
        return idx.reshape(-1, 1).astype(np.float64) if kind == "sparse" else np.eye(N)[idx]
    if kind == "binary":
        return (rng.random((MB, N)) > 0.5).astype(np.float64)
    if kind == "positive":
        return rng.random((MB, N)) + 0.5
    if kind == "prob":
        p = rng.random((MB, N)) + 0.1
        return p / p.sum(1, keepdims=True)
    if kind == "pm1":
        return np.where(rng.random((MB, N)) > 0.5, 1.0, -1.0)
    return rng.standard_normal((MB, N))


def test_every_loss_is_covered_or_listed():
    classes = {c.dl4jClass for c in LOSSES}
    assert set(LOSS_FNS) | set(UNSUPPORTED_LOSSES) == classes
    assert not set(LOSS_FNS) & set(UNSUPPORTED_LOSSES)
    assert {CASES[k][0](None).dl4jClass for k in CASES} == set(LOSS_FNS)


MASKS = ["none", "example", "output"]
PARAMS = [(n, m, w) for n in CASES for m in MASKS for w in (False, True)
          if not (w and CASES[n][0](W) is None)]  # weights only where DL4J has them


@pytest.mark.parametrize("name,masking,weighted", PARAMS)
def test_loss_matches_dl4j(name, masking, weighted):
    factory, act_cls, kind = CASES[name]
    conf = factory(W if weighted else None)
    if masking == "output" and (kind in ("onehot", "sparse") and act_cls is A.ActivationSoftmax):
        pytest.skip("DL4J: per-output masking for MCXENT + softmax is not supported")
    if masking == "output" and name == "CosineProximity":
        pytest.skip("per-output masks of a per-example cosine: not meaningful")
    rng = np.random.default_rng(zlib.crc32(repr((name, masking, weighted)).encode()))  # the same in every run
    labels = _labels(kind, rng)
    pre = rng.standard_normal((MB, N))
    mask = {"none": None, "example": (rng.random((MB, 1)) > 0.3).astype(np.float64),
            "output": (rng.random((MB, N)) > 0.3).astype(np.float64)}[masking]
    act = act_cls()
    jloss = to_java(conf, "org.nd4j.linalg.lossfunctions.ILossFunction")
    jact = to_java(act, "org.nd4j.linalg.activations.IActivation")
    jmask = nd(mask) if mask is not None else None

    j_scores = npy(jloss.computeScoreArray(nd(labels), nd(pre), jact, jmask)).reshape(-1)
    j_grad = npy(jloss.computeGradient(nd(labels), nd(pre), jact, jmask))
    j_score = float(jloss.computeScore(nd(labels), nd(pre), jact, jmask, True))

    tpre = torch.tensor(pre, requires_grad=True)
    tmask = torch.tensor(mask) if mask is not None else None
    scores = score_array(conf, torch.tensor(labels), tpre, act, tmask)
    scores.sum().backward()
    d1 = assert_close(scores.detach().numpy().reshape(-1), j_scores, 1e-5, f"{name} score array")
    d2 = assert_close(tpre.grad.numpy(), j_grad, 1e-5, f"{name} autograd gradient")
    d3 = assert_close(compute_gradient(conf, torch.tensor(labels), torch.tensor(pre), act, tmask).numpy(), j_grad,
                      1e-5, f"{name} gradient")
    s = compute_score(conf, torch.tensor(labels), torch.tensor(pre), act, tmask, average=True)
    assert float(s) == pytest.approx(j_score, rel=1e-5, abs=1e-9)
    print(f"\n{name} {masking} {'w' if weighted else ''}: {max(d1, d2, d3):.3g}")


def test_float32_scores_and_gradient_close():
    conf, act = LF.LossMCXENT(), A.ActivationSoftmax()
    rng = np.random.default_rng(3)
    labels = np.eye(N)[rng.integers(0, N, MB)].astype(np.float32)
    pre = rng.standard_normal((MB, N)).astype(np.float32)
    jloss = to_java(conf, "org.nd4j.linalg.lossfunctions.ILossFunction")
    jact = to_java(act, "org.nd4j.linalg.activations.IActivation")
    j_scores = npy(jloss.computeScoreArray(nd(labels), nd(pre), jact, None)).reshape(-1)
    tpre = torch.tensor(pre, requires_grad=True)
    s = score_array(conf, torch.tensor(labels), tpre, act)
    s.sum().backward()
    assert s.dtype == torch.float32
    assert_close(s.detach().numpy().reshape(-1), j_scores, 1e-5)
    assert_close(tpre.grad.numpy(), npy(jloss.computeGradient(nd(labels), nd(pre), jact, None)), 1e-5)
