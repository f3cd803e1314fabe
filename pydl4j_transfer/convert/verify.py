"""``pydl4j-transfer verify``: the same zip and inputs through torch and through real DL4J."""

from __future__ import annotations

import numpy as np

__all__ = ["verify"]


def _load_inputs(path, n: int) -> list:
    """The arrays of an ``.npz`` file (a regular file; no pickled objects), in sorted name order."""
    import zipfile

    from pydl4j_transfer.errors import CorruptEntryError, InvalidConfigurationError
    from pydl4j_transfer.zipio.files import open_regular

    with open_regular(path, ".npz inputs file") as f:
        try:
            data = np.load(f, allow_pickle=False)
            if not hasattr(data, "files"):
                raise CorruptEntryError("holds one array, not an .npz archive of named arrays", str(path))
            with data:
                keys = sorted(data.files)
                if len(keys) != n:
                    raise InvalidConfigurationError(f"{path} holds {len(keys)} arrays {keys}; the network takes {n} "
                                                    "inputs (arrays are taken in sorted name order)")
                return [data[k] for k in keys]
        except (ValueError, OSError, EOFError, KeyError, zipfile.BadZipFile) as exc:
            if isinstance(exc, (InvalidConfigurationError, CorruptEntryError)):
                raise
            raise CorruptEntryError(f"not a readable .npz file of arrays ({type(exc).__name__}: {exc})",
                                    str(path)) from None


def verify(path, *, inputs=None, seed: int = 12345, tol: float = 1e-5, batch: int = 2) -> dict:
    """Run ``path`` in torch and in DL4J on ``inputs`` (an .npz path, a list of arrays, or None: seeded random).

    Returns ``{"outputs": [{"name", "shape", "max_abs", "max_rel"}], "ok": bool, "tol": tol}``;
    ``ok`` when every max abs diff is <= tol.
    """
    from pydl4j_transfer.convert.formats import random_inputs
    from pydl4j_transfer.dl4j_backend import Dl4jModel
    from pydl4j_transfer.nn import load

    net = load(path, loadUpdater=False)
    n_in = net.getNumInputArrays() if hasattr(net, "getNumInputArrays") else 1
    if inputs is None:
        xs = random_inputs(net, seed=seed, batch=batch)
    elif isinstance(inputs, (str, bytes)) or hasattr(inputs, "__fspath__"):
        xs = _load_inputs(inputs, n_in)
    else:
        xs = [np.asarray(x) for x in inputs]
    ours = net.output(*xs)
    ours = list(ours) if isinstance(ours, list) else [ours]
    java = Dl4jModel.restore(path, loadUpdater=False)
    theirs = java.output(*xs)
    theirs = list(theirs) if isinstance(theirs, list) else [theirs]
    names = list(net.getConfiguration().networkOutputs) if n_in and hasattr(net, "getNumInputArrays") else ["output"]
    rows = []
    for name, a, b in zip(names, ours, theirs):
        a64, b64 = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
        if a64.shape != b64.shape:
            rows.append({"name": name, "shape": list(a64.shape), "max_abs": float("inf"), "max_rel": float("inf"),
                         "note": f"shape differs: torch {list(a64.shape)} vs DL4J {list(b64.shape)}"})
            continue
        diff = np.abs(a64 - b64)
        rel = diff / np.maximum(np.abs(b64), 1e-12)
        rows.append({"name": name, "shape": list(a64.shape), "max_abs": float(diff.max()) if diff.size else 0.0,
                     "max_rel": float(rel.max()) if rel.size else 0.0})
    ok = all(r["max_abs"] <= tol for r in rows)
    return {"outputs": rows, "ok": ok, "tol": tol, "inputs": [list(x.shape) for x in xs]}
