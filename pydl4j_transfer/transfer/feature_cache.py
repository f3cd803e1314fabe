"""An on-disk cache of featurized data for TransferLearningHelper: compute the frozen part once.

Not in DL4J (its examples save featurized DataSets by hand, FeaturizedPreSave). A minibatch's
features are stored as ``.npy`` shards under ``<directory>/<key>/``, written atomically (a temp file,
fsynced and renamed: a crash leaves no half shard, and the next write removes its temp file), and read
back memory-mapped. The key is a SHA-256 over

* the frozen part: the JSON of every frozen layer/vertex configuration and its parameter bytes
  (the unfrozen layers, which ``fitFeaturized`` changes, are not part of it), plus the boundary;
* the minibatch's feature arrays (dtype, shape and bytes).

So a second run over the same data with the same frozen network skips the forward pass, and any
change to the frozen weights or the data is a miss, never a stale hit.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from pydl4j_transfer.conf.vertices import FrozenVertex, LayerVertex
from pydl4j_transfer.zipio.files import atomic_write


def _update_array(h, array) -> None:
    a = np.ascontiguousarray(np.asarray(array))
    h.update(f"{a.dtype.str}{a.shape}".encode())
    h.update(memoryview(a).cast("B"))


def frozen_digest(helper) -> str:
    """SHA-256 of the helper's frozen part: frozen configurations, their params, and the boundary."""
    net = helper._orig
    conf = net.getConfiguration()
    h = hashlib.sha256()
    h.update(repr((getattr(helper, "frozenInputLayer", None),
                   sorted(getattr(helper, "frozenInputVertices", ()) or ()))).encode())
    if hasattr(conf, "confs"):
        owners = [(str(i), layer) for i, layer in enumerate(conf.layers)]
    else:
        owners = [(name, v) for name, v in conf.vertices.items()]
    frozen = set()
    for owner, obj in owners:
        inner = obj.layer if isinstance(obj, LayerVertex) else obj
        if isinstance(obj, FrozenVertex) or getattr(inner, "FROZEN_PARAMS", False):
            frozen.add(owner)
            h.update(owner.encode() + obj.toJson().encode())
    for name, value in net.paramTable().items():
        if name.rsplit("_", 1)[0] in frozen:
            h.update(name.encode())
            _update_array(h, value)
    return h.hexdigest()


class FeatureCache:
    """Memory-mapped ``.npy`` shards of featurized minibatches, keyed by frozen network and data."""

    def __init__(self, directory):
        self.directory = Path(directory)
        self.hits = 0
        self.misses = 0

    def key(self, frozen: str, features) -> str:
        h = hashlib.sha256(frozen.encode())
        for f in features:
            _update_array(h, f)
        return h.hexdigest()[:40]

    def get(self, key: str, count: int):
        """The cached feature arrays (memory-mapped, read-only), or None.

        A shard that is not a readable ``.npy`` file (damaged on disk) counts as a miss: it is recomputed
        and rewritten, never returned."""
        folder = self.directory / key
        paths = [folder / f"features_{i}.npy" for i in range(count)]
        if not all(p.is_file() for p in paths):
            self.misses += 1
            return None
        try:
            arrays = [np.load(p, mmap_mode="r", allow_pickle=False) for p in paths]
        except (ValueError, OSError, EOFError):
            self.misses += 1
            return None
        self.hits += 1
        return arrays

    def put(self, key: str, arrays) -> None:
        """Write the shards, each atomically (zipio/files.py: temp file, fsync, rename; no leftovers)."""
        folder = self.directory / key
        folder.mkdir(parents=True, exist_ok=True)
        for i, a in enumerate(arrays):
            with atomic_write(folder / f"features_{i}.npy") as f:
                np.save(f, np.asarray(a), allow_pickle=False)
