"""GlobalPoolingLayer with masks: NHWC inputs, the masks DL4J reads with its own strides, and the backward
quirks (MAX's gradient to the first maximum, PNORM's mask applied once), against real DL4J 1.0.0-M2.1.

DL4J's masked global pooling does not look at the data format: MaskedReductionUtil#maskedPoolingConvolution
pools axes 2 and 3 of the raw array (an NHWC ``[mb, h, w, c]`` activation gives ``[mb, h]``) and broadcasts the
mask along the axes whose size equals the input's; the broadcast op then reads the mask with its own c-order
strides over the input's shape (size-1 axes repeat). So every mask whose axes are 1 or the input's works as
plain broadcasting, and a batch-sized mask larger than the input on some axis reads a strided block of it.
DL4J throws when no axis matches; masks it reads past their end are refused here (docs/deviations.md).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from pydl4j_transfer.conf import (ConvolutionLayer, GlobalPoolingLayer, InputType, MaskLayer, PoolingType, SimpleRnn,
                                  Adam, Sgd)
from pydl4j_transfer.conf.enums import Activation, ConvolutionMode, LossFunctions
from pydl4j_transfer.errors import InvalidConfigurationError
from pydl4j_transfer.torch_backend import build_module

from .parity import dl4j_net, reset_workspaces, seeded_params
from .test_global_pooling_mask_parity import _mask, check_gradient_and_fit, gp, mln, out

LF = LossFunctions.LossFunction
PTYPES = ("MAX", "AVG", "SUM", "PNORM")
MB, H, W, C = 2, 3, 4, 5
#: case -> worst max abs difference (outputs, eps) or max relative difference (gradient / fit) to DL4J
WORST: dict = {}

#: masks DL4J 1.0.0-M2.1 pools an NHWC [2, 3, 4, 5] input with (broadcast, then strided reads of larger masks)
NHWC_MASKS = {"hw1": (MB, H, W, 1), "h11": (MB, H, 1, 1), "1w1": (MB, 1, W, 1), "11c": (MB, 1, 1, C),
              "hwc": (MB, H, W, C), "b_hw1": (1, H, W, 1), "example": (MB, 1, 1, 1),
              "bigger_h": (MB, H + 1, W, C), "bigger_wc": (MB, 1, W + 1, C + 2)}
#: masks DL4J throws for (no axis of the input's size) or reads past the end of (refused here)
NHWC_REFUSED = {"no_axis": (1, 1, 1, 2), "nchw_style": (MB, 1, H, W), "short_w": (MB, H, 2, 1),
                "batch_1_strided": (1, H + 1, W, C), "rank2": (MB, H)}


def _dl4j_layer(conf):
    model, _ = dl4j_net(conf, seeded_params(conf))
    return model.java.getLayer(1)


def _dl4j_forward_backward(layer, x, m, eps=None):
    """DL4J's GlobalPoolingLayer alone: activate, then backpropGradient(eps) (its input and mask set directly)."""
    from pydl4j_transfer.dl4j_backend import jclass, to_indarray, to_numpy

    mgr = jclass("org.deeplearning4j.nn.workspace.LayerWorkspaceMgr").noWorkspaces()
    try:
        layer.setInput(to_indarray(x), mgr)
        layer.setMaskArray(None if m is None else to_indarray(m))
        y = to_numpy(layer.activate(False, mgr))
        g = None if eps is None else to_numpy(layer.backpropGradient(to_indarray(eps), mgr).getSecond())
    except Exception:
        reset_workspaces()
        raise
    return y, g


def _ours_forward_backward(module, x, m, eps=None):
    xt = torch.as_tensor(x).clone().requires_grad_(eps is not None)
    y = module.layer1(xt, mask=None if m is None else torch.as_tensor(m))
    if eps is None:
        return y.detach().numpy(), None
    y.backward(torch.as_tensor(eps))
    return y.detach().numpy(), xt.grad.numpy()


def _close(what, ours, theirs, atol):
    fin = np.isfinite(theirs)
    assert ours.shape == theirs.shape, (what, ours.shape, theirs.shape)
    np.testing.assert_array_equal(np.isfinite(ours), fin, err_msg=what)
    d = float(np.max(np.abs(ours[fin].astype(np.float64) - theirs[fin]))) if fin.any() else 0.0
    WORST[what] = max(WORST.get(what, 0.0), d)
    assert d <= atol, f"{what}: max abs diff {d}"


ATOL = {"FLOAT": 1e-5, "DOUBLE": 1e-12}
NP = {"FLOAT": np.float32, "DOUBLE": np.float64}


@pytest.mark.dl4j
@pytest.mark.parametrize("dtype", ["FLOAT", "DOUBLE"])
@pytest.mark.parametrize("ptype", PTYPES)
def test_nhwc_masks_match_dl4j(ptype, dtype):
    """Outputs and the input gradient of the layer for every NHWC mask shape DL4J accepts."""
    conf = mln(InputType.convolutional(H, W, C, "NHWC"), MaskLayer(), gp(ptype), out(), dtype=dtype)
    layer, module = _dl4j_layer(conf), build_module(conf)
    x = np.random.default_rng(1).standard_normal((MB, H, W, C)).astype(NP[dtype])
    eps = np.random.default_rng(2).standard_normal((MB, H)).astype(NP[dtype])
    for name, shape in NHWC_MASKS.items():
        m = _mask(shape, seed=3).astype(NP[dtype])
        e = None if (ptype, name) == ("AVG", "b_hw1") else eps  # DL4J's backward throws: see below
        y, g = _dl4j_forward_backward(layer, x, m, e)
        ours_y, ours_g = _ours_forward_backward(module, x, m, e)
        _close(f"nhwc/out/{ptype}/{dtype}", ours_y, y, ATOL[dtype])
        if e is not None:
            _close(f"nhwc/eps/{ptype}/{dtype}", ours_g, g, ATOL[dtype] * 10)


@pytest.mark.dl4j
def test_avg_backward_with_a_batch_1_mask_fails_as_in_dl4j():
    """A [1, h, w, 1] mask: DL4J pools with it, but its AVG backward divides along axis 0 and throws."""
    from pydl4j_transfer.errors import Dl4jBackendError

    conf = mln(InputType.convolutional(H, W, C, "NHWC"), MaskLayer(), gp("AVG"), out())
    x = np.ones((MB, H, W, C), np.float32)
    m, eps = _mask(NHWC_MASKS["b_hw1"]), np.ones((MB, H), np.float32)
    with pytest.raises(Dl4jBackendError, match="Shapes do not match"):
        try:
            _dl4j_forward_backward(_dl4j_layer(conf), x, m, eps)
        except Exception as exc:  # a raw Java exception
            raise Dl4jBackendError(str(exc)) from exc
    module = build_module(conf)
    _ours_forward_backward(module, x, m)  # the forward alone works in both
    with pytest.raises(InvalidConfigurationError, match="layer1.*GlobalPoolingLayer.*backpropagate"):
        _ours_forward_backward(module, x, m, eps)


@pytest.mark.dl4j
@pytest.mark.parametrize("name", sorted(NHWC_REFUSED))
def test_nhwc_masks_refused(name):
    """Typed errors naming the layer; DL4J throws for the axis-less and rank 2 masks (the MaskLayer first), the
    others it reads past their end (an output from memory outside the mask, not reproduced)."""
    from pydl4j_transfer.errors import Dl4jBackendError

    conf = mln(InputType.convolutional(H, W, C, "NHWC"), MaskLayer(), gp("SUM"), out())
    x = np.ones((MB, H, W, C), np.float32)
    m = np.ones(NHWC_REFUSED[name], np.float32)
    with pytest.raises(InvalidConfigurationError, match="layer1.*GlobalPoolingLayer"):
        build_module(conf).layer1(torch.as_tensor(x), mask=torch.as_tensor(m))
    if name in ("no_axis", "rank2"):
        from pydl4j_transfer.dl4j_backend import to_indarray

        net = dl4j_net(conf, seeded_params(conf))[0].java
        with pytest.raises(Dl4jBackendError, match="no dimensions are provided|cannot get size of dimension 2"):
            try:
                net.setLayerMaskArrays(to_indarray(m), None)
                net.feedForwardToLayer(1, to_indarray(x), False)
            except Exception as exc:  # a raw Java exception: its message is what is checked
                reset_workspaces()
                raise Dl4jBackendError(str(exc)) from exc


def _nhwc_fit_net(ptype, dtype):
    updater = Adam(0.02) if dtype == "DOUBLE" else Sgd(0.1)
    # the conv's nOut equals the height: the masked pooling's [mb, h] output then fits the output layer's nIn
    conv = ConvolutionLayer.Builder(2, 2).nOut(H).convolutionMode(ConvolutionMode.Same).build()
    return mln(InputType.convolutional(H, W, 2, "NHWC"), conv, gp(ptype), out(3, LF.MCXENT, Activation.SOFTMAX),
               dtype=dtype, updater=updater)


@pytest.mark.dl4j
@pytest.mark.parametrize("dtype", ["FLOAT", "DOUBLE"])
@pytest.mark.parametrize("ptype", PTYPES)
def test_nhwc_gradient_and_five_fit_steps_match_dl4j(ptype, dtype):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((MB, H, W, 2)).astype(NP[dtype])
    y = np.eye(3, dtype=NP[dtype])[rng.integers(0, 3, MB)]
    masks = {"hw1": (MB, H, W, 1), "1w1": (MB, 1, W, 1), "bigger_wc": (MB, 1, W + 1, H + 2)}
    check_gradient_and_fit(lambda: _nhwc_fit_net(ptype, dtype), x, y, masks, WORST, f"nhwc/{{}}/{ptype}/{{}}/{dtype}")


# ---- backward quirks: MAX -> the first maximum (IsMax), PNORM multiplies by the mask once -------------------------

@pytest.mark.dl4j
@pytest.mark.parametrize("dtype", ["FLOAT", "DOUBLE"])
def test_max_gradient_goes_to_the_first_maximum_as_dl4j(dtype):
    """An example whose steps are all masked out (output -inf) and all-tied inputs: DL4J's IsMax sends the whole
    gradient to the first position; torch's amax would split it among the ties."""
    eps = np.array([[1.0, 2.0], [3.0, 4.0]], NP[dtype])
    cases = []
    conf = mln(InputType.convolutional(2, 3, 2), MaskLayer(), gp("MAX"), out(), dtype=dtype)
    x = np.random.default_rng(0).standard_normal((2, 2, 2, 3)).astype(NP[dtype])
    m = np.ones((2, 1, 2, 1), NP[dtype])
    m[1] = 0.0
    cases += [(conf, x, m), (conf, np.zeros_like(x), np.ones_like(m)), (conf, np.zeros_like(x), None)]
    conf3 = mln(InputType.recurrent(2, 4), MaskLayer(), gp("MAX"), out(), dtype=dtype)
    m3 = np.ones((2, 4), NP[dtype])
    m3[1] = 0.0
    cases += [(conf3, np.ones((2, 2, 4), NP[dtype]), m3), (conf3, np.ones((2, 2, 4), NP[dtype]), None)]
    confk = mln(InputType.convolutional(2, 3, 2), MaskLayer(), gp("MAX", collapseDimensions=False), out(), dtype=dtype)
    cases += [(confk, np.zeros_like(x), m)]
    for i, (c, xi, mi) in enumerate(cases):
        e = eps.reshape(2, 2, *[1] * (xi.ndim - 2)) if c is confk else eps
        y, g = _dl4j_forward_backward(_dl4j_layer(c), xi, mi, e)
        ours_y, ours_g = _ours_forward_backward(build_module(c), xi, mi, e)
        _close(f"max_first/out/{dtype}", ours_y, y, 0.0)
        _close(f"max_first/eps/{dtype}", ours_g, g, 0.0)
        assert np.count_nonzero(g) == 4, i  # one position per (example, channel)


@pytest.mark.dl4j
@pytest.mark.parametrize("dtype", ["FLOAT", "DOUBLE"])
@pytest.mark.parametrize("p", [2, 3])
def test_pnorm_gradient_with_fractional_masks_as_dl4j(p, dtype):
    """maskedPoolingEpsilon*: x|x|^(p-2) * eps / pnorm^(p-1) * mask (autograd would give mask^p)."""
    eps = np.random.default_rng(5).standard_normal((2, 2)).astype(NP[dtype])
    pn = GlobalPoolingLayer.Builder(PoolingType.PNORM).pnorm(p).build()
    conf = mln(InputType.convolutional(2, 3, 2), MaskLayer(), pn, out(), dtype=dtype)
    x = np.random.default_rng(0).standard_normal((2, 2, 2, 3)).astype(NP[dtype])
    conf3 = mln(InputType.recurrent(2, 4), SimpleRnn.Builder().nOut(2).build(),
                GlobalPoolingLayer.Builder(PoolingType.PNORM).pnorm(p).build(), out(), dtype=dtype)
    x3 = np.random.default_rng(1).standard_normal((2, 2, 4)).astype(NP[dtype])
    for c, xi, shape in ((conf, x, (2, 1, 2, 1)), (conf, x, (2, 1, 2, 3)), (conf3, x3, (2, 4))):
        m = (np.random.default_rng(2).random(shape) * 2).astype(NP[dtype])
        y, g = _dl4j_forward_backward(_dl4j_layer(c), xi, m, eps)
        ours_y, ours_g = _ours_forward_backward(build_module(c), xi, m, eps)
        _close(f"pnorm_frac/out/{dtype}", ours_y, y, ATOL[dtype])
        _close(f"pnorm_frac/eps/{dtype}", ours_g, g, ATOL[dtype] * 10)


def test_worst_numbers_report():
    """Prints the worst differences measured by the tests above (run with -s)."""
    for k, v in sorted(WORST.items()):
        print(f"{k}: {v:.3g}")
