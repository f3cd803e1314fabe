"""pydl4j_transfer.torch_backend: DL4J networks run natively in PyTorch, with DL4J's exact math.

Layer 2 (shared/design.md): imports ``conf``, ``zipio``, ``torch`` and numpy; never ``dl4j_backend``.

* :func:`build_module` (conf [, flat params]) -> ``torch.nn.Module``
  (MultiLayerNetwork: ``forward(x, *, mask=None)``; ComputationGraph: ``forward(*inputs, masks=None)``
  returning a tuple in ``networkOutputs`` order);
* :func:`flatten_params` / :func:`load_flat_params`: the module's parameters <-> DL4J's flat
  vector (``coefficients.bin``), bit-exact;
* :func:`feed_forward`: per-layer (MLN: list) / per-vertex (graph: dict) activations;
* :func:`autocast`: bf16/fp16 inference on request (:mod:`.precision`).

Converters are registered per DL4J configuration class in :mod:`.registry` (one registry per kind);
one file per layer family under :mod:`.layers`; vertices in :mod:`.vertices`; preprocessors in
:mod:`.preprocessors`; activations in :mod:`.activations`; dropout in :mod:`.dropout`; weight
noise in :mod:`.weightnoise`. ``BY_CONF_KIND`` maps each conf registry kind to its converter registry.
"""

from __future__ import annotations

from . import activations, dropout, layers, preprocessors, vertices, weightnoise  # noqa: F401  (fill the registries)
from .base import ConvertContext, LayerModule, set_mode
from .layers.samediff import register_samediff, samediff_gradient, samediff_gradient_mode, set_samediff_gradient
from .network import GraphModule, MultiLayerModule, build_module, feed_forward
from .params import flat_param_names, flatten_params, load_flat_params
from .precision import autocast, autocast_dtype
from .registry import (ACTIVATION_CONVERTERS, BY_CONF_KIND, DROPOUT_CONVERTERS, LAYER_CONVERTERS,
                       PREPROCESSOR_CONVERTERS, UNSUPPORTED, VERTEX_CONVERTERS, WEIGHT_NOISE_CONVERTERS,
                       Registry)

__all__ = [
    "build_module", "flatten_params", "load_flat_params", "feed_forward", "flat_param_names", "autocast",
    "autocast_dtype", "set_mode",
    "MultiLayerModule", "GraphModule", "LayerModule", "ConvertContext",
    "LAYER_CONVERTERS", "VERTEX_CONVERTERS", "PREPROCESSOR_CONVERTERS", "ACTIVATION_CONVERTERS",
    "DROPOUT_CONVERTERS", "WEIGHT_NOISE_CONVERTERS", "BY_CONF_KIND", "UNSUPPORTED", "Registry",
    "register_samediff", "samediff_gradient", "samediff_gradient_mode", "set_samediff_gradient",
]
