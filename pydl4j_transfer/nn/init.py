"""Fresh parameters for a network built in Python (``init()`` without a params array).

Mirrors the effect of DL4J's ParamInitializers with the ``org.deeplearning4j.nn.weights``
schemes (fan-in / fan-out as ``WeightInitUtil`` uses them), drawn with numpy from the
configuration's seed. The *distribution* is DL4J's; the random stream is numpy's, so values
differ from what DL4J would draw with the same seed (DL4J's RNG is native code).

Special keys: biases take ``biasInit``; BatchNormalization gamma/beta take ``gamma``/``beta``,
``mean`` 0, ``var`` 1, ``log10stdev`` 0 (std 1); LSTM/GravesLSTM forget-gate biases take
``forgetGateBiasInit``; PReLU alpha 0; ``gainInit`` for layer-norm gains.
"""

from __future__ import annotations

import math

import numpy as np

from pydl4j_transfer.conf.params import ParamSlot, view
from pydl4j_transfer.errors import InvalidConfigurationError


def _fans(layer, slot: ParamSlot) -> tuple[float, float]:
    """DL4J's (fanIn, fanOut) for a weight param: nIn / nOut times the kernel's receptive field."""
    inner = getattr(layer, "underlying", None) or getattr(layer, "layer", None) or getattr(layer, "fwd", None)
    base = inner if inner is not None and not hasattr(layer, "nIn") else layer
    n_in = getattr(base, "nIn", None) or slot.shape[0]
    n_out = getattr(base, "nOut", None) or slot.shape[-1]
    kernel = getattr(base, "kernelSize", None)
    field = math.prod(kernel) if kernel else 1
    stride = getattr(base, "stride", None)
    div = math.prod(stride) if (kernel and stride) else 1
    return float(n_in * field), float(n_out * field / max(div, 1))


def _sample(scheme, shape, fan_in, fan_out, rng) -> np.ndarray:
    name = type(scheme).__name__ if scheme is not None else "WeightInitXavier"
    fan_in, fan_out = max(fan_in, 1.0), max(fan_out, 1.0)
    normal = lambda std: rng.normal(0.0, std, shape)  # noqa: E731
    uniform = lambda a: rng.uniform(-a, a, shape)  # noqa: E731
    table = {
        "WeightInitXavier": lambda: normal(math.sqrt(2.0 / (fan_in + fan_out))),
        "WeightInitXavierUniform": lambda: uniform(math.sqrt(6.0 / (fan_in + fan_out))),
        "WeightInitXavierLegacy": lambda: normal(math.sqrt(1.0 / (fan_in + fan_out))),
        "WeightInitRelu": lambda: normal(math.sqrt(2.0 / fan_in)),
        "WeightInitReluUniform": lambda: uniform(math.sqrt(6.0 / fan_in)),
        "WeightInitSigmoidUniform": lambda: uniform(4.0 * math.sqrt(6.0 / (fan_in + fan_out))),
        "WeightInitLecunUniform": lambda: uniform(math.sqrt(3.0 / fan_in)),
        "WeightInitNormal": lambda: normal(1.0 / math.sqrt(fan_in)),
        "WeightInitUniform": lambda: uniform(1.0 / math.sqrt(fan_in)),
        "WeightInitConstant": lambda: np.full(shape, float(getattr(scheme, "value", 0.0) or 0.0)),
        "WeightInitIdentity": lambda: _identity(shape, float(getattr(scheme, "scale", 1.0) or 1.0)),
        "WeightInitVarScalingNormalFanIn": lambda: _truncated(rng, shape, math.sqrt((scheme.scale or 1.0) / fan_in)),
        "WeightInitVarScalingNormalFanOut": lambda: _truncated(rng, shape, math.sqrt((scheme.scale or 1.0) / fan_out)),
        "WeightInitVarScalingNormalFanAvg": lambda: _truncated(
            rng, shape, math.sqrt((scheme.scale or 1.0) / ((fan_in + fan_out) / 2))),
        "WeightInitVarScalingUniformFanIn": lambda: uniform(3.0 * (scheme.scale or 1.0) / math.sqrt(fan_in)),
        "WeightInitVarScalingUniformFanOut": lambda: uniform(3.0 * (scheme.scale or 1.0) / math.sqrt(fan_out)),
        "WeightInitVarScalingUniformFanAvg": lambda: uniform(
            3.0 * (scheme.scale or 1.0) / math.sqrt((fan_in + fan_out) / 2)),
        "WeightInitDistribution": lambda: _from_distribution(getattr(scheme, "distribution", None), shape, rng),
        "WeightInitEmbedding": lambda: _embedding(scheme, shape),
    }
    return table.get(name, table["WeightInitXavier"])()


def _embedding(scheme, shape):
    """WeightInitEmbedding#init: the initializer's vectors, whose [vocabSize, vectorSize] must be the param's shape."""
    init = scheme.initializer()
    if tuple(shape) != (init.vocabSize(), init.vectorSize()):
        raise InvalidConfigurationError(
            f"Parameters shape {list(shape)} does not match the embedding initializer's [vocabSize, vectorSize] ="
            f" [{init.vocabSize()}, {init.vectorSize()}]")
    out = np.empty(shape)
    init.loadWeightsInto(out)
    return out


def _identity(shape, scale):
    out = np.zeros(shape)
    if len(shape) == 2:
        np.fill_diagonal(out, scale)
    return out


def _truncated(rng, shape, std):
    return np.clip(rng.normal(0.0, std, shape), -2 * std, 2 * std)


def _from_distribution(dist, shape, rng):
    name = type(dist).__name__ if dist is not None else "NormalDistribution"
    table = {
        "NormalDistribution": lambda: rng.normal(dist.mean or 0.0, dist.std or 1.0, shape),
        "GaussianDistribution": lambda: rng.normal(dist.mean or 0.0, dist.std or 1.0, shape),
        "TruncatedNormalDistribution": lambda: (dist.mean or 0.0) + _truncated(rng, shape, dist.std or 1.0),
        "LogNormalDistribution": lambda: rng.lognormal(dist.mean or 0.0, dist.std or 1.0, shape),
        "UniformDistribution": lambda: rng.uniform(dist.lower or 0.0, dist.upper or 1.0, shape),
        "ConstantDistribution": lambda: np.full(shape, dist.value or 0.0),
        "OrthogonalDistribution": lambda: _orthogonal(rng, shape, dist.gain or 1.0),
        "BinomialDistribution": lambda: rng.binomial(dist.numberOfTrials or 1, dist.probabilityOfSuccess or 0.5, shape),
    }
    return table.get(name, table["NormalDistribution"])()


def _orthogonal(rng, shape, gain):
    rows, cols = shape[0], int(np.prod(shape[1:])) if len(shape) > 1 else 1
    a = rng.normal(0.0, 1.0, (max(rows, cols), min(rows, cols)))
    q, _ = np.linalg.qr(a)
    q = q if rows >= cols else q.T
    return gain * q[:rows, :cols].reshape(shape)


# BatchNormalization's and layer-norm's params, by key; biases go through _bias
_NON_WEIGHT = {
    "gamma": lambda layer, shape: np.full(shape, float(getattr(layer, "gamma", 1.0) or 1.0)),
    "beta": lambda layer, shape: np.full(shape, float(getattr(layer, "beta", 0.0) or 0.0)),
    "mean": lambda layer, shape: np.zeros(shape),
    "var": lambda layer, shape: np.ones(shape),
    "log10stdev": lambda layer, shape: np.zeros(shape),
    "g": lambda layer, shape: np.full(shape, float(getattr(layer, "gainInit", 1.0) or 1.0)),
}


def _special(layer, slot: ParamSlot):
    """Values for a non-weight param, or None for a weight drawn from the scheme."""
    if layer.isBiasParam(slot.key):
        return _bias(layer, slot)
    make = _NON_WEIGHT.get(slot.key)
    return None if make is None else make(layer, slot.shape)


def _bias(layer, slot):
    inner = getattr(layer, "fwd", None) or getattr(layer, "underlying", None) or getattr(layer, "layer", None) or layer
    fixed = getattr(inner, "BIAS_INIT_HARDCODED", None)  # VariationalAutoencoder: every bias 0, whatever biasInit
    out = np.full(slot.shape, float(fixed if fixed is not None else (getattr(inner, "biasInit", 0.0) or 0.0)))
    forget = getattr(inner, "forgetGateBiasInit", None)
    n_out = getattr(inner, "nOut", None)
    if forget is not None and n_out and out.size >= 4 * n_out:
        # DL4J LSTM bias layout [input, forget, output, gate] blocks of nOut: forget is block 1
        out.reshape(-1)[n_out: 2 * n_out] = forget
    return out


def _param_layer(conf):
    """The layer conf that owns a param owner's params: a graph's LayerVertex (or FrozenVertex) unwrapped."""
    while conf is not None and not hasattr(conf, "isBiasParam"):
        inner = getattr(conf, "layer", None) if hasattr(conf, "layerConf") else getattr(conf, "underlying", None)
        if inner is None:
            break
        conf = inner
    return conf


def _weight_source(layer):
    """The layer whose weight init scheme draws a wrapper's weights: DL4J's WrapperLayerParamInitializer,
    FrozenLayerParamInitializer and BidirectionalParamInitializer all call the wrapped layer's initializer (which
    side, bias or weight, a key is stays the wrapper's: Bidirectional's keys are prefixed)."""
    while callable(getattr(layer, "wrapped", None)) and layer.wrapped() is not None:
        layer = layer.wrapped()
    return layer


def init_params(owners_and_layers, slots, dtype, seed: int) -> np.ndarray:
    """A fresh flat parameter vector for the given layout."""
    rng = np.random.default_rng(seed)
    flat = np.empty(sum(s.size for s in slots), dtype=dtype)
    layers = {str(owner): _param_layer(layer) for owner, layer in owners_and_layers}
    for slot in slots:
        layer = layers[slot.owner]
        values = _special(layer, slot)
        hook = getattr(layer, "initWeightsFor", None)  # SameDiff layers: initializeParameters' own fans per key
        if values is None and hook is not None:
            spec = hook(slot.key)
            values = np.zeros(slot.shape) if spec is None else _sample(spec[0], slot.shape, spec[1], spec[2], rng)
        if values is None:
            layer_like = _weight_source(layer)
            scheme = getattr(layer_like, "weightInitFn", None)
            if slot.key in ("RW", "fRW", "bRW") and getattr(layer_like, "weightInitFnRecurrent", None) is not None:
                scheme = layer_like.weightInitFnRecurrent
            values = _sample(scheme, slot.shape, *_fans(layer_like, slot), rng)
        flat[slot.offset: slot.offset + slot.size] = np.asarray(values).reshape(-1, order=slot.order.upper())
    return flat


def apply_instantiate_hooks(owners_and_layers, flat: np.ndarray, slots) -> None:
    """What DL4J's layer ``instantiate`` does to the params on every network init (restore included), for the layers
    that do something (OCNNOutputLayer: ``r = initialRValue`` while configureR and lastEpochSinceRUpdated == 0)."""
    by_owner = {}
    for slot in slots:
        by_owner.setdefault(slot.owner, {})[slot.key] = slot
    for owner, layer in owners_and_layers:
        layer = _param_layer(layer)
        hook = getattr(layer, "onInstantiate", None)
        if hook is not None:
            hook({k: view(flat, s) for k, s in by_owner.get(str(owner), {}).items()})
