"""DL4J's training loop for MultiLayerNetwork / ComputationGraph: minibatches, iterations, listeners.

One DL4J iteration (``Solver#optimize`` -> ``StochasticGradientDescent#optimize``) is :func:`train_step`,
on the network's runtime (``torch_backend/runtime.py`` for the torch backend):

1. ``computeGradientAndScore`` (``runtime.compute_gradient_and_score``: the forward pass in training mode, each
   output layer's loss, backprop into one flat gradient in DL4J's order; torch_backend/training/backprop.py);
   then the listeners' ``onBackwardPass`` / ``onGradientCalculation``;
2. the updater (``runtime.update``: minibatch division, gradient normalization, L1/L2, updater, weight decay,
   ``params -= update``) with the iteration and epoch counts *before* the step;
3. the listeners' ``iterationDone``, then ``iterationCount += 1`` (kept in the configuration, as DL4J's
   ``BaseOptimizer#incrementIterationCount``);
4. the layers' parameter constraints (``runtime.apply_constraints``; ``BaseOptimizer#applyConstraints``).

Data parallelism (``pydl4j_transfer.parallelism``) has one hook here: a network listed in
:data:`GRADIENT_REDUCERS` has its gradient all-reduced between steps 1 and 2, so the updater of every process
sees the gradient (and minibatch size) of the whole global batch.

With ``BackpropType.TruncatedBPTT``, :func:`fit_batch` runs DL4J's ``doTruncatedBPTT`` instead: one
iteration per time segment, RNN state carried between segments (nn/rnn.py).
"""

from __future__ import annotations

import sys
import weakref

import numpy as np

from pydl4j_transfer.errors import InvalidConfigurationError
from pydl4j_transfer.nn import rnn
from pydl4j_transfer.nn.listeners import fire, listeners_of


# ---- data ------------------------------------------------------------------------------------


def _get(obj, name, *args):
    fn = getattr(obj, name, None)
    if fn is None:
        return None
    try:
        return fn(*args) if callable(fn) else fn
    except TypeError:
        return None


def _as_list(v):
    if v is None:
        return None
    return list(v) if isinstance(v, (list, tuple)) else [v]


def as_minibatch(data, labels=None, fmask=None, lmask=None, graph=False):
    """(features list, labels list, features masks list|None, labels masks list|None) from arrays,
    a DataSet-like (getFeatures/getLabels[+masks]) or a MultiDataSet-like object (duck typing)."""
    if labels is not None or not hasattr(data, "getFeatures"):
        if labels is None:
            raise InvalidConfigurationError("fit/computeGradientAndScore needs labels (or a DataSet-like object)")
        return _as_list(data), _as_list(labels), _as_list(fmask), _as_list(lmask)
    if hasattr(data, "numFeatureArrays"):  # MultiDataSet
        nf, nl = int(data.numFeatureArrays()), int(data.numLabelsArrays())
        feats = [data.getFeatures(i) for i in range(nf)]
        labs = [data.getLabels(i) for i in range(nl)]
        fm = [_get(data, "getFeaturesMaskArray", i) for i in range(nf)] if hasattr(data, "getFeaturesMaskArray") else None
        lm = [_get(data, "getLabelsMaskArray", i) for i in range(nl)] if hasattr(data, "getLabelsMaskArray") else None
        return feats, labs, fm, lm
    return (_as_list(data.getFeatures()), _as_list(data.getLabels()),
            _as_list(_get(data, "getFeaturesMaskArray")), _as_list(_get(data, "getLabelsMaskArray")))


def is_iterator(data) -> bool:
    """A DataSetIterator-like (hasNext/next) or a Python iterable of DataSet-likes / (features, labels) pairs."""
    if isinstance(data, (list, tuple)):
        return len(data) > 0 and (hasattr(data[0], "getFeatures") or isinstance(data[0], (list, tuple)))
    if data is None or hasattr(data, "getFeatures") or isinstance(data, np.ndarray) or is_tensor(data):
        return False
    return (hasattr(data, "hasNext") and hasattr(data, "next")) or hasattr(data, "__iter__")


def iterate(data):
    """Mirrors fitHelper's loop over a DataSetIterator: reset first if exhausted and resettable."""
    if hasattr(data, "hasNext"):
        if not data.hasNext() and _get(data, "resetSupported") is not False and hasattr(data, "reset"):
            data.reset()
        while data.hasNext():
            yield data.next()
    else:
        yield from data


def is_tensor(x) -> bool:
    """A torch tensor (without importing torch: if it is not loaded, nothing is a tensor)."""
    torch = sys.modules.get("torch")
    return torch is not None and isinstance(x, torch.Tensor)


def to_host(a) -> np.ndarray:
    """A result as numpy (a tensor is copied to the host)."""
    return a.detach().cpu().numpy() if is_tensor(a) else np.asarray(a)


#: network -> ``reduce(runtime, minibatch_size, score) -> (global minibatch size, global score)``, called by
#: :func:`train_step` between computeGradientAndScore and the updater: the one place gradients cross processes
#: (filled by pydl4j_transfer.parallelism.dataParallel; weak keys, so a dropped network leaves the table)
GRADIENT_REDUCERS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


# ---- one iteration -----------------------------------------------------------------------------


def compute_gradient_and_score(net, rt, feats, labels, fmasks=None, lmasks=None):
    """Mirrors Model#computeGradientAndScore on the network's runtime, with the network's counters."""
    return rt.compute_gradient_and_score(feats, labels, fmasks, lmasks, iteration=net.getIterationCount(),
                                         epoch=net.getEpochCount())


def score_without_changes(net, rt, batch) -> float:
    """Mirrors Model#score(DataSet): the score of a minibatch; the gradient and the last score are kept."""
    saved = rt.grads.clone(), rt.score
    try:
        s = compute_gradient_and_score(net, rt, *batch)
    finally:
        rt.grads.copy_(saved[0])
        rt.score = saved[1]
    return float(s)


def train_step(net, rt, feats, labels, fmasks=None, lmasks=None):
    """One DL4J iteration: computeGradientAndScore, the updater, iterationCount += 1, the constraints."""
    score = compute_gradient_and_score(net, rt, feats, labels, fmasks, lmasks)
    mb = num_examples(feats)
    reduce = GRADIENT_REDUCERS.get(net)
    if reduce is not None:  # data parallelism: the global batch's gradient, minibatch size and score
        mb, score = reduce(rt, mb, score)
    has_listeners = bool(listeners_of(net))
    if has_listeners:  # DL4J: computeGradientAndScore -> onBackwardPass; BaseOptimizer -> onGradientCalculation
        fire(net, "onBackwardPass")
        fire(net, "onGradientCalculation")
    net._last_batch_size = mb
    rt.update(iteration=net.getIterationCount(), epoch=net.getEpochCount(), minibatch_size=mb,
              mini_batch=net._mini_batch())
    if has_listeners:  # StochasticGradientDescent#optimize: iterationDone, then incrementIterationCount
        fire(net, "iterationDone", net.getIterationCount(), net.getEpochCount())
    net.setIterationCount(net.getIterationCount() + 1)
    rt.apply_constraints()  # StochasticGradientDescent#optimize: applyConstraints(model) comes last
    return score


def fit_batch(net, rt, feats, labels, fmasks=None, lmasks=None):
    """Mirrors fitHelper for one minibatch: ``doTruncatedBPTT`` (BackpropType.TruncatedBPTT) or one iteration."""
    if rnn.is_tbptt(net):
        return rnn.tbptt_fit(net, rt, feats, labels, fmasks, lmasks,
                             lambda f, l, fm, lm: train_step(net, rt, f, l, fm, lm))
    return train_step(net, rt, feats, labels, fmasks, lmasks)


def num_examples(feats) -> int:
    return int(np.shape(feats[0])[0]) if not hasattr(feats[0], "shape") else int(feats[0].shape[0])
