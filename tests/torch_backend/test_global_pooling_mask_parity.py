"""GlobalPoolingLayer with masks against real DL4J 1.0.0-M2.1 (MaskedReductionUtil).

DL4J's masked AVG divides the masked sum by the sum of the mask array **as given** (``mask.sum(1)`` for a
``[mb, T]`` mask, ``mask.sum(1,2,3)`` for a rank 4 one), not by the number of input elements the mask lets
through after broadcasting: with a ``[mb, 1, h, 1]`` mask over ``[mb, c, h, w]`` activations the width is
summed, not averaged (and a ``[mb, 1, 1, 1]`` mask makes AVG a SUM). DL4J's own GlobalPoolingMaskingTests only
use such masks on width-1 (height-1) activations, where it does not show; the torch backend reproduces it.

Outputs (MAX, AVG, SUM, PNORM; masks ``[mb,1,h,1]``, ``[mb,1,1,w]``, ``[mb,1,h,w]``, ``[mb,1,1,1]`` and the
rank 3 ``[mb,T]``; float32 and double) and the gradient, score and 5 fit steps of a convolution network with
a features mask are compared with DL4J in the JVM.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from pydl4j_transfer.conf import (ConvolutionLayer, GlobalPoolingLayer, InputType, MaskLayer, NeuralNetConfiguration,
                                  OutputLayer, PoolingType, SimpleRnn, Adam, Sgd)
from pydl4j_transfer.conf.enums import Activation, ConvolutionMode, LossFunctions
from pydl4j_transfer.errors import InvalidConfigurationError
from pydl4j_transfer.torch_backend import build_module

from ..nn.test_training import java_fit, jparams, ours_batch, pair, rel
from .parity import check_parity, dl4j_net, dl4j_output, rand, seeded_params

LF = LossFunctions.LossFunction
PTYPES = ("MAX", "AVG", "SUM", "PNORM")
MB, C, H, W, T = 3, 2, 4, 5, 6
#: case -> worst max abs difference (outputs) or max relative difference (gradient / fit) to DL4J
WORST: dict = {}


def _mask(shape, seed=0):
    """A 0/1 mask of ``shape`` with the first element of each example kept (no example fully masked)."""
    m = (np.random.default_rng(seed).random(shape) > 0.4).astype(np.float32)
    m.reshape(shape[0], -1)[:, 0] = 1.0
    return m


CNN_MASKS = {"rows": (MB, 1, H, 1), "cols": (MB, 1, 1, W), "full": (MB, 1, H, W), "example": (MB, 1, 1, 1)}


def mln(input_type, *layers, dtype=None, updater=None):
    b = NeuralNetConfiguration.Builder().seed(12345).activation(Activation.TANH)
    if dtype is not None:
        b = b.dataType(dtype)
    if updater is not None:
        b = b.updater(updater)
    lb = b.list()
    for layer in layers:
        lb = lb.layer(layer)
    return lb.setInputType(input_type).build()


def gp(ptype, **kw):
    b = GlobalPoolingLayer.Builder(getattr(PoolingType, ptype)).pnorm(3)
    for k, v in kw.items():
        b = getattr(b, k)(v)
    return b.build()


def out(n=3, loss=LF.MSE, act=Activation.IDENTITY):
    return OutputLayer.Builder(loss).nOut(n).activation(act).build()


def _conv():
    return ConvolutionLayer.Builder(2, 2).nOut(3).convolutionMode(ConvolutionMode.Same).build()


def _x(shape, dtype, seed=4):
    x = rand(*shape, seed=seed)
    return x.astype(np.float64) if dtype == "DOUBLE" else x


ATOL = {"FLOAT": 1e-5, "DOUBLE": 1e-12}


@pytest.mark.dl4j
@pytest.mark.parametrize("dtype", ["FLOAT", "DOUBLE"])
@pytest.mark.parametrize("ptype", PTYPES)
def test_cnn_masks_match_dl4j(ptype, dtype):
    """MaskLayer -> GlobalPooling (the mask reaches the pooling as given) and Convolution(Same) -> GlobalPooling
    (DL4J's cnnMaskReduce passes it through), every rank 4 mask shape."""
    np_dt = np.float64 if dtype == "DOUBLE" else np.float32
    for mname, shape in CNN_MASKS.items():
        m = _mask(shape).astype(np_dt)
        for arch, make in (("masklayer", lambda: mln(InputType.convolutional(H, W, C), MaskLayer(), gp(ptype), out(),
                                                     dtype=dtype)),
                           ("conv", lambda: mln(InputType.convolutional(H, W, C), _conv(), gp(ptype), out(), dtype=dtype))):
            worst, _ = check_parity(make(), _x((MB, C, H, W), dtype), masks=[m], atol=ATOL[dtype])
            WORST[f"out/{arch}/{ptype}/{mname}/{dtype}"] = worst


@pytest.mark.dl4j
@pytest.mark.parametrize("dtype", ["FLOAT", "DOUBLE"])
@pytest.mark.parametrize("ptype", PTYPES)
def test_rnn_mask_matches_dl4j(ptype, dtype):
    m = np.ones((MB, T), np.float64 if dtype == "DOUBLE" else np.float32)
    for i in range(MB):
        m[i, T - 2 * i:] = 0.0 if i else 1.0
    conf = mln(InputType.recurrent(C, T), SimpleRnn.Builder().nOut(4).build(), gp(ptype), out(), dtype=dtype)
    worst, _ = check_parity(conf, _x((MB, C, T), dtype), masks=[m], atol=ATOL[dtype])
    WORST[f"out/rnn/{ptype}/{dtype}"] = worst


@pytest.mark.dl4j
@pytest.mark.parametrize("ptype", PTYPES)
def test_masked_pooling_keeps_dims_as_dl4j(ptype):
    """collapseDimensions=false: [mb, c, 1, 1] after masked pooling (rank 3: [mb, c, 1])."""
    conf = mln(InputType.convolutional(H, W, C), MaskLayer(), gp(ptype, collapseDimensions=False), out())
    for shape in (CNN_MASKS["rows"], CNN_MASKS["cols"]):
        check_parity(conf, _x((MB, C, H, W), "FLOAT"), masks=[_mask(shape)])
    conf = mln(InputType.recurrent(C, T), MaskLayer(), gp(ptype, collapseDimensions=False), out())
    check_parity(conf, _x((MB, C, T), "FLOAT"), masks=[_mask((MB, T))])


def test_avg_divides_by_the_mask_arrays_own_sum():
    """The DL4J quirk pinned without the JVM: a [mb,1,h,1] mask divides by the kept rows, not rows x width."""
    conf = mln(InputType.convolutional(H, W, C), MaskLayer(), gp("AVG"), out(), dtype="DOUBLE")
    module = build_module(conf)
    x = torch.as_tensor(_x((MB, C, H, W), "DOUBLE"))
    m = torch.as_tensor(_mask(CNN_MASKS["rows"]).astype(np.float64))
    with torch.no_grad():
        y = module.layer1(x, mask=m)
    rows = m.reshape(MB, -1).sum(1)
    expected = (x * m).sum(dim=(2, 3)) / rows[:, None]
    torch.testing.assert_close(y, expected, rtol=0, atol=1e-14)
    # a per-example mask: AVG is the plain SUM for the kept examples
    m1 = torch.ones(MB, 1, 1, 1, dtype=torch.float64)
    with torch.no_grad():
        torch.testing.assert_close(module.layer1(x, mask=m1), x.sum(dim=(2, 3)), rtol=0, atol=1e-14)


@pytest.mark.parametrize("x_shape,m_shape", [((MB, C, H, W), (MB, H)), ((MB, C, H, W), (MB, 1, H - 1, 1)),
                                             ((MB, C, T), (MB, 1, T)), ((MB, C, 2, H, W), (MB, 1, 2, H, W))])
def test_masks_dl4j_refuses_are_typed_errors(x_shape, m_shape):
    module = build_module(mln(InputType.convolutional(H, W, C), MaskLayer(), gp("AVG"), out()))
    with pytest.raises(InvalidConfigurationError, match="layer1.*GlobalPoolingLayer"):
        module.layer1(torch.zeros(x_shape), mask=torch.ones(m_shape))


@pytest.mark.dl4j
def test_rank2_mask_on_cnn_input_fails_in_dl4j_too():
    from pydl4j_transfer.errors import Dl4jBackendError

    conf = mln(InputType.convolutional(H, W, C), gp("AVG"), out())
    model, _ = dl4j_net(conf, seeded_params(conf))
    with pytest.raises(Dl4jBackendError, match="Only 4d mask arrays"):
        dl4j_output(model, [_x((MB, C, H, W), "FLOAT")], [np.ones((MB, H), np.float32)])


# ---- gradient, score and 5 fit steps against DL4J ----------------------------------------------------------------

FIT_MASKS = {"rows": CNN_MASKS["rows"], "cols": CNN_MASKS["cols"]}


def _fit_net(ptype, dtype):
    updater = Adam(0.02) if dtype == "DOUBLE" else Sgd(0.1)
    return mln(InputType.convolutional(H, W, C), _conv(), gp(ptype),
               out(3, LF.MCXENT, Activation.SOFTMAX), dtype=dtype, updater=updater)


@pytest.mark.dl4j
@pytest.mark.parametrize("dtype", ["FLOAT", "DOUBLE"])
@pytest.mark.parametrize("ptype", PTYPES)
def test_gradient_and_five_fit_steps_match_dl4j(ptype, dtype):
    np_dt = np.float64 if dtype == "DOUBLE" else np.float32
    rng = np.random.default_rng(0)
    x = rng.standard_normal((MB, C, H, W)).astype(np_dt)
    y = np.eye(3, dtype=np_dt)[rng.integers(0, 3, MB)]
    check_gradient_and_fit(lambda: _fit_net(ptype, dtype), x, y, FIT_MASKS, WORST, f"{{}}/{ptype}/{{}}/{dtype}")


def check_gradient_and_fit(make, x, y, masks, worst, key):
    """For each features mask shape of ``masks``: computeGradientAndScore, then 5 fit steps, of ``make()`` here and
    in DL4J, within 1e-5 relative; the differences go to ``worst`` under ``key.format("grad" / "fit5", mask name)``."""
    from pydl4j_transfer.dl4j_backend import to_indarray, to_numpy

    for mname, shape in masks.items():
        fm = _mask(shape, seed=1).astype(x.dtype)
        batch = ([x], [y], [fm], None)
        ours, theirs = pair(make)
        g, s = ours.computeGradientAndScore(**ours_batch(batch, False))
        theirs.setInput(to_indarray(x))
        theirs.setLabels(to_indarray(y))
        theirs.setLayerMaskArrays(to_indarray(fm), None)
        theirs.computeGradientAndScore()
        jg, js = to_numpy(theirs.gradient().gradient()).reshape(-1), float(theirs.score())
        theirs.clearLayerMaskArrays()
        worst[key.format("grad", mname)] = rel(g, jg)
        assert rel(g, jg) <= 1e-5, f"{mname}: gradient max relative difference {rel(g, jg):.3g}"
        assert abs(s - js) <= 1e-5 * abs(js), (mname, s, js)
        ours, theirs = pair(make)
        ours.fit(**ours_batch(batch, False), epochs=5)
        java_fit(theirs, batch, 5, False)
        d = rel(ours.params(), jparams(theirs))
        worst[key.format("fit5", mname)] = d
        assert d <= 1e-5, f"{mname}: params after 5 fit steps: max relative difference {d:.3g}"
