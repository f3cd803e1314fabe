"""ND4J's gradient updaters (``org.nd4j.linalg.learning.*Updater``) as plain tensor math.

``apply_updater(conf, grad, state, iteration, epoch) -> update`` mirrors
``GradientUpdater#applyUpdater(gradient, iteration, epoch)``: it mutates ``state`` (the block's
flat slice of the updater state, ``conf.stateSize(n)`` long, laid out as in dl4j-format.md §5.1:
the updater's state arrays one after another, Adam ``m`` then ``v``) in place and returns the
update. Sign convention: ND4J overwrites the gradient with the *update*, and DL4J's default step
function then does ``params -= update`` (NegativeDefaultStepFunction), so the update has the
gradient's sign (Sgd: ``lr * g``; Nesterovs folds its ``-`` into the formula, see there).

The formulas are the libnd4j ops that M2.1's Java updaters call
(``libnd4j/include/ops/declarable/helpers/cpu/updater*.cpp``): every scalar there is cast to the
array's type T first (``static_cast<T>(lr)`` ...) and the bias corrections are computed in T, so
here the scalars go through numpy scalars of the state's dtype in the same operation order.
No ``.item()``: the learning rate comes from the conf (or its schedule) on the host. The common updaters
(Sgd, Nesterovs, RmsProp, AdaGrad, Adam) work in place in the gradient's buffer, which ND4J overwrites with
the update anyway: fewer passes over memory and no temporaries the size of the network (the rounding of a
fused multiply-add may differ from libnd4j's by one unit in the last place).
"""

from __future__ import annotations

import numpy as np
import torch

from pydl4j_transfer.conf.values import updaters as U  # the configuration classes (U.Adam, ...)
from pydl4j_transfer.errors import InvalidConfigurationError
from pydl4j_transfer.registry import Registry

from .schedules import value_at

#: DL4J updater configuration class -> the function applying its update (GradientUpdater#applyUpdater)
UPDATER_FNS = Registry("updater rule")
_NP = {torch.float32: np.float32, torch.float64: np.float64, torch.float16: np.float16, torch.bfloat16: np.float32}


def learning_rate(conf, iteration: int, epoch: int) -> float:
    """Mirrors IUpdater#getLearningRate(iteration, epoch): the schedule's value when set, else learningRate."""
    sched = getattr(conf, "learningRateSchedule", None)
    return value_at(sched, iteration, epoch) if sched is not None else float(conf.learningRate)


def has_learning_rate(conf) -> bool:
    """Mirrors IUpdater#hasLearningRate (AdaDelta and NoOp have none)."""
    return "learningRate" in getattr(conf, "_attr_fields", ()) or hasattr(conf, "learningRate")


def apply_updater(conf, grad: torch.Tensor, state: torch.Tensor, iteration: int, epoch: int) -> torch.Tensor:
    """Mirrors GradientUpdater#applyUpdater: updates ``state`` in place, returns the update (to subtract)."""
    fn = UPDATER_FNS.get(conf.dl4jClass)
    if fn is None:
        raise InvalidConfigurationError(f"no torch updater for {conf.dl4jClass!r}")
    return fn(conf, grad, state, int(iteration), int(epoch))


def init_state(conf, state: torch.Tensor) -> torch.Tensor:
    """Mirrors GradientUpdater#setStateViewArray(view, shape, order, initialize=true): fresh state values."""
    fill = _INIT_FILL.get(conf.dl4jClass, lambda c: 0.0)(conf)
    return state.fill_(fill)


# RmsProp and AdaGrad start their accumulator at epsilon, every other updater at 0 (dl4j-format.md §5.1).
_INIT_FILL = {U.RmsProp.dl4jClass: lambda c: float(c.epsilon), U.AdaGrad.dl4jClass: lambda c: float(c.epsilon)}


def _t(dtype):
    """The numpy scalar type standing for libnd4j's T."""
    return _NP.get(dtype, np.float64)


def _split(state, k):
    n = state.numel() // k
    return [state[i * n:(i + 1) * n] for i in range(k)]


@UPDATER_FNS.register(U.NoOp)
def _noop(conf, g, state, it, ep):
    """Mirrors NoOpUpdater: the gradient passes through unchanged (DL4J then subtracts it as is)."""
    return g


@UPDATER_FNS.register(U.Sgd)
def _sgd(conf, g, state, it, ep):
    """Mirrors SgdUpdater (libnd4j sgd_updater): update = lr * g."""
    T = _t(g.dtype)
    return g.mul_(float(T(learning_rate(conf, it, ep))))


@UPDATER_FNS.register(U.Nesterovs)
def _nesterovs(conf, g, state, it, ep):
    """Mirrors NesterovsUpdater (libnd4j updaterNesterovs.cpp).

    v_new = mu * v - lr * g; update = mu * v + (-mu - 1) * v_new. cs231n writes
    ``x += -mu * v_prev + (1 + mu) * v`` with params *added*; DL4J subtracts, hence the flipped signs.
    """
    T = _t(g.dtype)
    lr = T(learning_rate(conf, it, ep))
    sched = getattr(conf, "momentumISchedule", None)
    mu = T(value_at(sched, it, ep) if sched is not None else conf.momentum)  # Nesterovs#currentMomentum
    mu_t = T(-mu - T(1))
    prev = state * float(mu)
    torch.add(prev, g, alpha=-float(lr), out=state)  # v_new = prev - lr * g
    return torch.add(prev, state, alpha=float(mu_t), out=g)  # the update, written over the gradient


@UPDATER_FNS.register(U.RmsProp)
def _rmsprop(conf, g, state, it, ep):
    """Mirrors RmsPropUpdater (updaterRmsProp.cpp): s = s*decay + g²(1-decay); update = lr*g / (sqrt(s) + eps)."""
    T = _t(g.dtype)
    lr, decay, eps = T(learning_rate(conf, it, ep)), T(conf.rmsDecay), T(conf.epsilon)
    state.mul_(float(decay)).addcmul_(g, g, value=float(T(1) - decay))
    return g.mul_(float(lr)).div_(state.sqrt().add_(float(eps)))


@UPDATER_FNS.register(U.AdaGrad)
def _adagrad(conf, g, state, it, ep):
    """Mirrors AdaGradUpdater (updaterAdaGrad.cpp): h += g²; update = lr*g / (sqrt(h) + eps). h starts at eps."""
    T = _t(g.dtype)
    lr, eps = T(learning_rate(conf, it, ep)), T(conf.epsilon)
    state.addcmul_(g, g)
    return g.mul_(float(lr)).div_(state.sqrt().add_(float(eps)))


@UPDATER_FNS.register(U.AdaDelta)
def _adadelta(conf, g, state, it, ep):
    """Mirrors AdaDeltaUpdater (updaterAdaDelta.cpp); state = [msg | msdx]. No learning rate.

    update = g * sqrt(msdx_old + eps) / sqrt(msg_new + eps) (eps inside both roots), then
    msdx = rho*msdx + (1-rho)*update².
    """
    T = _t(g.dtype)
    rho, eps = T(conf.rho), T(conf.epsilon)
    rho_t = float(T(1) - rho)
    msg, msdx = _split(state, 2)
    msg.copy_(msg * float(rho) + g * g * rho_t)
    up = g * ((msdx + float(eps)).sqrt() / (msg + float(eps)).sqrt())
    msdx.copy_(msdx * float(rho) + up * up * rho_t)
    return up


def _adam_scalars(conf, dtype, it, ep):
    T = _t(dtype)
    lr, b1, b2, eps = T(learning_rate(conf, it, ep)), T(conf.beta1), T(conf.beta2), T(conf.epsilon)
    b1t = np.power(b1, T(it + 1), dtype=T)
    b2t = np.power(b2, T(it + 1), dtype=T)
    return T, lr, b1, b2, eps, b1t, b2t


def _bias_corrected_lr(T, lr, b1t, b2t, eps):
    """libnd4j's epsilonT = lr * sqrt(1 - beta2^t) / (1 - beta1^t), t = iteration + 1; eps if NaN/0/inf."""
    with np.errstate(all="ignore"):
        a = T(T(lr * np.sqrt(T(T(1) - b2t), dtype=T)) / T(T(1) - b1t))
    return eps if (np.isnan(a) or a == 0 or np.isinf(a)) else a


@UPDATER_FNS.register(U.Adam)
def _adam(conf, g, state, it, ep):
    """Mirrors AdamUpdater (updaterAdam.cpp); state = [m | v].

    The bias correction folds into the step size (``alpha_t``) and epsilon is added to sqrt(v)
    *uncorrected*: update = alpha_t * m / (sqrt(v) + eps), not torch.optim.Adam's
    lr * m_hat / (sqrt(v_hat) + eps). ``iteration`` is DL4J's count before this step (t = it + 1).
    """
    T, lr, b1, b2, eps, b1t, b2t = _adam_scalars(conf, g.dtype, it, ep)
    a = _bias_corrected_lr(T, lr, b1t, b2t, eps)
    m, v = _split(state, 2)
    m.mul_(float(b1)).add_(g, alpha=float(T(1) - b1))
    v.mul_(float(b2)).addcmul_(g, g, value=float(T(1) - b2))
    torch.sqrt(v, out=g).add_(float(eps))  # the gradient is spent: its buffer takes the denominator, then the update
    return torch.div(m, g, out=g).mul_(float(a))


@UPDATER_FNS.register(U.AdaBelief)
def _adabelief(conf, g, state, it, ep):
    """Mirrors AdaBeliefUpdater (updaterAdaBelief.cpp); state = [m | s].

    s = beta2*s + (1-beta2)*(g - m_new)² + eps (eps added to the state itself every step);
    update = alpha_t * m / (sqrt(s) + eps), alpha_t as Adam's.
    """
    T, lr, b1, b2, eps, b1t, b2t = _adam_scalars(conf, g.dtype, it, ep)
    a = _bias_corrected_lr(T, lr, b1t, b2t, eps)
    m, s = _split(state, 2)
    m.copy_(m * float(b1) + g * float(T(1) - b1))
    d = g - m
    s.copy_(s * float(b2) + d * d * float(T(1) - b2) + float(eps))
    return (m * float(a)) / (s.sqrt() + float(eps))


@UPDATER_FNS.register(U.AdaMax)
def _adamax(conf, g, state, it, ep):
    """Mirrors AdaMaxUpdater (updaterAdaMax.cpp); state = [m | u].

    u = max(beta2*u, |g|) + 1e-32; update = m * lr/(1 - beta1^t) / u — epsilon is not in the
    denominator (only a fallback step size when lr/(1-beta1^t) is NaN/0/inf).
    """
    T, lr, b1, b2, eps, b1t, _ = _adam_scalars(conf, g.dtype, it, ep)
    with np.errstate(all="ignore"):
        a = T(lr / T(T(1) - b1t))
    a = eps if (np.isnan(a) or a == 0 or np.isinf(a)) else a
    m, u = _split(state, 2)
    m.copy_(m * float(b1) + g * float(T(1) - b1))
    u.copy_(torch.maximum(u * float(b2), g.abs()) + 1e-32)
    return (m * float(a)) / u


@UPDATER_FNS.register(U.Nadam)
def _nadam(conf, g, state, it, ep):
    """Mirrors NadamUpdater (updaterNadam.cpp); state = [m | v].

    update = lr * ((beta1*m_new + (1-beta1)*g) / (1 - beta1^t)) / (sqrt(v) + eps): v is not
    bias-corrected.
    """
    T, lr, b1, b2, eps, b1t, _ = _adam_scalars(conf, g.dtype, it, ep)
    mb1t = float(T(T(1) - b1t))
    m, v = _split(state, 2)
    omb1g = g * float(T(1) - b1)
    m.copy_(m * float(b1) + omb1g)
    v.copy_(v * float(b2) + g * g * float(T(1) - b2))
    return (((m * float(b1) + omb1g) / mb1t) * float(lr)) / (v.sqrt() + float(eps))


@UPDATER_FNS.register(U.AMSGrad)
def _amsgrad(conf, g, state, it, ep):
    """Mirrors AMSGradUpdater (updaterAmsGrad.cpp); state = [m | v | vHat].

    vHat = max(vHat, v_new); update = alpha_t * m / (sqrt(vHat) + eps), alpha_t as Adam's.
    """
    T, lr, b1, b2, eps, b1t, b2t = _adam_scalars(conf, g.dtype, it, ep)
    a = _bias_corrected_lr(T, lr, b1t, b2t, eps)
    m, v, h = _split(state, 3)
    m.copy_(m * float(b1) + g * float(T(1) - b1))
    v.copy_(v * float(b2) + g * g * float(T(1) - b2))
    torch.maximum(h, v, out=h)
    return (m * float(a)) / (h.sqrt() + float(eps))
