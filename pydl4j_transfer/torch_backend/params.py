"""DL4J's flat parameter vector <-> the torch module's parameters.

Layout rule ("the same bytes"): a DL4J parameter of shape S reshaped in 'f' order from its
slice of the flat vector is stored as a torch tensor of shape ``reversed(S)`` in 'c' order; a
'c' parameter keeps S. Either way ``tensor.reshape(-1)`` IS the DL4J slice, so

* :func:`flatten_params` = concatenation of every parameter's ``reshape(-1)`` in DL4J flat
  order (MultiLayerNetwork: layer order; ComputationGraph: topological order; inside a layer:
  the ParamInitializer's order, e.g. conv ``b`` before ``W``), bit-exact;
* :func:`load_flat_params` = the reverse, slice by slice.

Convention flip (comment required by design.md): dense ``W [nIn, nOut] 'f'`` has the bytes
of torch's ``Linear.weight [out, in]``; LSTM ``W [nIn, 4H] 'f'`` is torch ``[4H, nIn]``
(gate blocks are then ROW blocks); PReLU's alpha ``inputShape 'f'`` is the reversed shape.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

from pydl4j_transfer.errors import ParamLengthMismatchError


def torch_shape(spec) -> tuple:
    """Torch shape of a DL4J ParamSpec in the same-bytes layout."""
    shape = tuple(int(s) for s in spec.shape)
    return tuple(reversed(shape)) if str(spec.order).lower() == "f" else shape


def dl4j_view(t: torch.Tensor, spec_order: str) -> torch.Tensor:
    """The DL4J-shaped view of a stored parameter (a permutation for 'f', identity for 'c')."""
    if str(spec_order).lower() == "f" and t.dim() > 1:
        return t.permute(*reversed(range(t.dim())))
    return t


def install_params(module: nn.Module, specs, dtype, device=None) -> list:
    """Register one zero-filled Parameter per ParamSpec on ``module`` (DL4J key = attribute name)."""
    names = []
    for spec in specs:
        p = nn.Parameter(torch.zeros(torch_shape(spec), dtype=dtype, device=device))
        module.register_parameter(spec.key, p)
        names.append(spec.key)
    return names


def flat_param_names(module) -> list:
    """``"<layerName>.<key>"`` of every parameter in DL4J flat-vector order."""
    return list(module.dl4j_param_names)


def flatten_params(module: nn.Module, *, detach: bool = True) -> torch.Tensor:
    """DL4J's flat parameter vector (``Model#params()``) from a module built by ``build_module``.

    Concatenates every parameter's ``reshape(-1)`` in DL4J order; bit-exact with the zip's
    ``coefficients.bin``. A network without parameters gives an empty vector.
    """
    tensors = [module.get_parameter(n) for n in flat_param_names(module)]
    if not tensors:
        ref = next(module.parameters(), None)
        return torch.zeros(0, dtype=getattr(module, "dl4j_dtype", torch.float32),
                           device=None if ref is None else ref.device)
    flat = torch.cat([t.reshape(-1) for t in tensors])
    return flat.detach() if detach else flat


def num_params(module: nn.Module) -> int:
    return sum(math.prod(module.get_parameter(n).shape) for n in flat_param_names(module))


def load_flat_params(module: nn.Module, flat) -> nn.Module:
    """Copy DL4J's flat parameter vector into the module's parameters (mirrors Model#setParams)."""
    if isinstance(flat, np.ndarray):
        flat = torch.from_numpy(np.ascontiguousarray(flat))
    elif not isinstance(flat, torch.Tensor):
        flat = torch.as_tensor(np.asarray(flat))
    flat = flat.reshape(-1)
    expected = num_params(module)
    if flat.numel() != expected:
        raise ParamLengthMismatchError(
            f"the flat parameter vector has {flat.numel()} values but the network's configuration implies {expected};"
            " the parameters and the configuration do not belong together")
    offset = 0
    with torch.no_grad():
        for n in flat_param_names(module):
            p = module.get_parameter(n)
            k = p.numel()
            p.copy_(flat[offset: offset + k].reshape(p.shape).to(device=p.device, dtype=p.dtype))
            offset += k
    return module
