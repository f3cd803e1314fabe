"""INDArray-valued configuration fields (loss ``weights``, Yolo2 ``boundingBoxes``).

Mirrors ``org.nd4j.serde.jackson.shaded.NDArrayTextSerializer``:
``{"dataType" : "FLOAT", "shape" : [ 3 ], "data" : [ 1.0, 2.0, 0.5 ]}``, data in 'c' order.
Decoded to a numpy array; FLOAT/HALF data is written with ``Float.toString`` digits.

Older ND4J (<= 1.0.0-beta6) wrote the array's fields instead: ``{"dataBuffer": [...],
"shapeField": [...], "strideField": [...], "offsetField": 0, "rankField": 2, "numElements": 4,
"orderingField": "c"}`` with no dtype; it is read as FLOAT (as DL4J 1.0.0-M2.1 reads it) and written
back in the current form.
"""

from __future__ import annotations

from pydl4j_transfer.errors import MalformedConfigError

from ..base import Codec
from ..jsonio import JavaFloat

_NUMPY = {"DOUBLE": "float64", "FLOAT": "float32", "HALF": "float16", "LONG": "int64", "INT": "int32",
          "SHORT": "int16", "BYTE": "int8", "UBYTE": "uint8", "BOOL": "bool"}
_ND4J = {v: k for k, v in _NUMPY.items()}


class NDArrayCodec(Codec):
    def decode(self, raw, where=None):
        import numpy as np

        if raw is None:
            return None
        if isinstance(raw, dict) and "dataBuffer" in raw and "dataType" not in raw:
            return self._decode_legacy(raw, where)
        try:
            dtype = _NUMPY[raw["dataType"]]
            return np.asarray(raw["data"], dtype=dtype).reshape(raw["shape"], order="C")
        except (KeyError, TypeError, ValueError) as exc:
            raise MalformedConfigError(f"bad INDArray JSON ({exc}): {str(raw)[:80]}" + (f" (in {where})" if where else ""))

    def _decode_legacy(self, raw, where=None):
        import numpy as np

        try:
            data = np.asarray(raw["dataBuffer"], dtype="float32")  # M2.1 reads this form as FLOAT
            shape = [int(d) for d in raw["shapeField"]]
            strides = [int(d) for d in raw.get("strideField") or []]
            offset = int(raw.get("offsetField") or 0)
            if strides and len(strides) == len(shape):  # honour the stored strides (elements, not bytes)
                view = np.lib.stride_tricks.as_strided(data[offset:], shape, [s * data.itemsize for s in strides])
                return np.array(view)
            return data[offset:].reshape(shape, order=str(raw.get("orderingField", "c")).upper())
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise MalformedConfigError(f"bad legacy INDArray JSON ({exc}): {str(raw)[:80]}"
                                       + (f" (in {where})" if where else "")) from None

    def encode(self, value):
        if value is None:
            return None
        dt = _ND4J.get(str(value.dtype), "DOUBLE")
        flat = value.reshape(-1, order="C").tolist()
        if dt in ("FLOAT", "HALF"):
            flat = [JavaFloat(x) for x in flat]
        elif dt == "DOUBLE":
            flat = [float(x) for x in flat]
        return {"dataType": dt, "shape": [int(d) for d in value.shape], "data": flat}

    def coerce(self, value):
        import numpy as np

        if value is None:
            return None
        arr = np.asarray(value)
        if arr.dtype.kind in "iu":
            arr = arr.astype("float64")
        return arr


NDARRAY = NDArrayCodec()
