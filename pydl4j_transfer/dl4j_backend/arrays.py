"""numpy <-> ND4J INDArray, in bulk.

An array crosses as one direct byte buffer in native byte order: numpy memory is wrapped as
a ``java.nio`` direct buffer (no copy) and copied once into a fresh 'c'-order INDArray by the
Java facade; the way back views the INDArray's native memory as a Python buffer and copies it
once into numpy. Never element by element.
"""

from __future__ import annotations

import numpy as np

from pydl4j_transfer.dl4j_backend.jvm import start_jvm

# numpy dtype <-> ND4J DataType.name(). ND4J's FLOAT16/INT32/INT64 are aliases whose name()
# is HALF/INT/LONG.
DTYPE_TO_ND4J = {
    np.dtype(np.float16): "HALF",
    np.dtype(np.float32): "FLOAT",
    np.dtype(np.float64): "DOUBLE",
    np.dtype(np.int8): "BYTE",
    np.dtype(np.uint8): "UBYTE",
    np.dtype(np.int16): "SHORT",
    np.dtype(np.int32): "INT",
    np.dtype(np.int64): "LONG",
    np.dtype(np.bool_): "BOOL",
}
ND4J_TO_DTYPE = {v: k for k, v in DTYPE_TO_ND4J.items()}


def to_indarray(array):
    """A new INDArray ('c' order) holding a copy of ``array`` (numpy, torch tensor or list)."""
    facade = start_jvm()
    import jpype

    if hasattr(array, "detach") and hasattr(array, "cpu"):  # a torch tensor, without importing torch
        array = array.detach().cpu().numpy()
    a = np.asarray(array)
    a = a.astype(a.dtype.newbyteorder("="), copy=False)  # big-endian input -> native
    if a.dtype not in DTYPE_TO_ND4J:
        supported = ", ".join(sorted(str(d) for d in DTYPE_TO_ND4J))
        raise TypeError(f"cannot send dtype {a.dtype} to ND4J; supported: {supported}")
    # One contiguous, native-endian, writable block (convertToDirectBuffer needs writable memory).
    a = np.require(a, requirements=["C", "W"])
    shape = jpype.JArray(jpype.JLong)(list(a.shape))
    if a.size == 0:
        return facade.fromBuffer(None, DTYPE_TO_ND4J[a.dtype], shape)
    buf = jpype.nio.convertToDirectBuffer(a.reshape(-1).view(np.uint8))
    return facade.fromBuffer(buf, DTYPE_TO_ND4J[a.dtype], shape)


def to_numpy(indarray) -> np.ndarray:
    """A numpy copy of an INDArray (any order, views included)."""
    facade = start_jvm()
    if indarray is None:
        return None
    c = facade.contiguous(indarray)
    dtype_name = str(c.dataType().name())
    if dtype_name not in ND4J_TO_DTYPE:
        raise TypeError(f"ND4J dtype {dtype_name} has no numpy counterpart here")
    dtype = ND4J_TO_DTYPE[dtype_name]
    shape = tuple(int(s) for s in c.shape())
    if int(c.length()) == 0:
        return np.zeros(shape, dtype=dtype)
    view = memoryview(facade.bufferOf(c))
    return np.frombuffer(view, dtype=dtype, count=int(c.length())).reshape(shape).copy()
