"""Reduced-precision inference on request: ``autocast="bf16"`` / ``"fp16"`` (not a DL4J option).

DL4J runs a network in its own data type only (``setDataType``). The torch backend can also run
*inference* (``output``, ``feedForward``, ``TransferLearningHelper.featurize``) under
``torch.autocast``: convolutions and matrix products in bfloat16/float16, reductions and
softmax in float32, as torch's autocast policy decides. The parameters stay in the network's data
type and results come back in it, so what follows (a feature cache, ``fitFeaturized``, a DL4J zip)
sees the dtype DL4J would. Training (``fit``) never autocasts: DL4J's gradients are full precision.
"""

from __future__ import annotations

import contextlib

import torch

from pydl4j_transfer.errors import InvalidConfigurationError

__all__ = ["autocast", "autocast_dtype"]

_NAMES = {"bf16": torch.bfloat16, "bfloat16": torch.bfloat16, "fp16": torch.float16, "float16": torch.float16,
          "half": torch.float16}


def autocast_dtype(spec):
    """``None`` -> None; ``"bf16"``/``"bfloat16"``/``torch.bfloat16`` and ``"fp16"``/``"float16"``/``"half"``/
    ``torch.float16`` -> the torch dtype; anything else -> :class:`InvalidConfigurationError`."""
    if spec is None or spec is False:
        return None
    if isinstance(spec, torch.dtype) and spec in (torch.bfloat16, torch.float16):
        return spec
    if isinstance(spec, str) and spec.lower() in _NAMES:
        return _NAMES[spec.lower()]
    raise InvalidConfigurationError(f"autocast={spec!r} is not a reduced precision this backend runs; "
                                    "use None, 'bf16' or 'fp16'")


def autocast(spec, device=None):
    """A context that runs torch ops under ``torch.autocast(<device type>, dtype)``; a no-op for ``None``.

    ``device``: the network's device (None: CPU). float16 autocast on CPU is refused: torch's CPU kernels
    for it are slow or missing, so ask for bf16 there."""
    dtype = autocast_dtype(spec)
    if dtype is None:
        return contextlib.nullcontext()
    device_type = "cpu" if device is None else torch.device(device).type
    if device_type == "cpu" and dtype == torch.float16:
        raise InvalidConfigurationError("autocast='fp16' runs on CUDA only; on CPU use autocast='bf16'")
    return torch.autocast(device_type=device_type, dtype=dtype)
