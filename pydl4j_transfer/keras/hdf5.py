"""Reading Keras HDF5 files defensively (h5py).

Mirrors org.deeplearning4j.nn.modelimport.keras.Hdf5Archive: groups, datasets and string attributes of a Keras
``.h5`` (full model: attributes ``model_config``, ``training_config``, ``keras_version``, ``backend`` at the root
and the weights under ``model_weights/<layer>/...``; weights only: the same layer groups at the root). Each
layer group has an attribute ``weight_names`` listing its datasets' paths relative to the group.

What DL4J does and this keeps: weights are read as 32-bit floats whatever the file stores (DL4J reads every
dataset through ``PredType.NATIVE_FLOAT``), ranks 1 to 5 only.

What this adds (the bad-input rules): nothing is allocated because the file says so. Before a dataset is read,
its byte size (shape x 4) is checked against what the file really holds: a contiguous dataset must have its
bytes in the file, a chunked (possibly compressed) one may expand at most :data:`MAX_EXPANSION` times, and no
dataset may exceed :data:`MAX_DATASET_BYTES`. Attributes are size-checked the same way before they are read.
Every failure is an :class:`~pydl4j_transfer.errors.InvalidKerasConfigurationError` naming the file and the
object, never an exception from inside h5py.
"""

from __future__ import annotations

import os

import numpy as np

from pydl4j_transfer.errors import InvalidKerasConfigurationError, UnsupportedKerasConfigurationError

#: DL4J's Hdf5Archive.MAX_BUFFER_SIZE_BYTES: the largest attribute (model_config JSON) it reads
MAX_ATTRIBUTE_BYTES = 2 ** 28
#: the largest single weight array read (override with the environment variable below)
MAX_DATASET_BYTES = int(os.environ.get("PYDL4J_TRANSFER_MAX_HDF5_DATASET_BYTES", 8 * 2 ** 30))
#: a chunked dataset may decompress to at most this many times its stored bytes (an HDF5 "zip bomb" guard)
MAX_EXPANSION = 1000
#: below this a dataset is read whatever its storage (fill values, tiny compressed arrays)
_SMALL = 1 << 20


def _h5py():
    try:
        import h5py
    except ImportError as exc:  # pragma: no cover - h5py is a dependency of the keras extra
        raise UnsupportedKerasConfigurationError(
            "reading Keras HDF5 files needs h5py: pip install 'pydl4j-transfer[keras]'") from exc
    return h5py


class Hdf5Archive:
    """Mirrors org.deeplearning4j.nn.modelimport.keras.Hdf5Archive (read-only; a context manager)."""

    def __init__(self, archiveFilename):
        h5py = _h5py()
        self.path = str(archiveFilename)
        if not os.path.isfile(self.path):
            raise InvalidKerasConfigurationError(f"File with name {self.path} does not exist.", file=self.path)
        try:
            self._file = h5py.File(self.path, "r")
        except (OSError, ValueError) as exc:
            raise InvalidKerasConfigurationError(f"not an HDF5 file a Keras model could be in ({exc})",
                                                 file=self.path) from None

    # ---- plumbing

    def close(self):
        f, self._file = getattr(self, "_file", None), None
        if f is not None:
            f.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _err(self, msg):
        return InvalidKerasConfigurationError(msg, file=self.path)

    def _group(self, groups):
        h5py = _h5py()
        obj = self._file
        for name in groups:
            if not name:
                continue
            try:
                obj = obj[name]
            except (KeyError, ValueError, OSError):
                raise self._err(f"HDF5 group {'/'.join(groups)!r} not found") from None
            if not isinstance(obj, h5py.Group):
                raise self._err(f"HDF5 object {'/'.join(groups)!r} is not a group")
        return obj

    def _children(self, groups, kind):
        h5py = _h5py()
        g = self._group(groups)
        out = []
        try:
            for name in g.keys():  # HDF5's name index: DL4J's getObjnameByIdx order
                link = g.get(name, getlink=True)
                if isinstance(link, h5py.ExternalLink):
                    raise self._err(f"HDF5 external link {name!r} refused (it would open another file)")
                obj = g.get(name)
                if isinstance(obj, kind):
                    out.append(name)
        except (KeyError, OSError, RuntimeError) as exc:
            raise self._err(f"cannot list HDF5 group {'/'.join(groups) or '/'!r}: {exc}") from None
        return out

    # ---- DL4J's API

    def getGroups(self, *groups) -> list:
        """Mirrors Hdf5Archive#getGroups: the sub-group names of the given group path."""
        return self._children(groups, _h5py().Group)

    def getDataSets(self, *groups) -> list:
        """Mirrors Hdf5Archive#getDataSets: the dataset names of the given group path."""
        return self._children(groups, _h5py().Dataset)

    def hasGroup(self, *groups) -> bool:
        """True when the group path exists (not in DL4J's API)."""
        try:
            self._group(groups)
            return True
        except InvalidKerasConfigurationError:
            return False

    def hasAttribute(self, attributeName, *groups) -> bool:
        """Mirrors Hdf5Archive#hasAttribute."""
        g = self._group(groups)
        try:
            return attributeName in g.attrs
        except (KeyError, OSError, RuntimeError, ValueError, TypeError) as exc:  # a damaged attribute heap
            raise self._err(f"cannot read the attributes of HDF5 group {'/'.join(groups) or '/'!r}: {exc}") from None

    def readAttributeAsString(self, attributeName, *groups) -> str:
        """Mirrors Hdf5Archive#readAttributeAsString: a string attribute (an array of strings is joined, as
        DL4J's raw read of a fixed-length string array concatenates them)."""
        value = self._read_attribute(attributeName, groups)
        return _as_text(value, self, attributeName)

    readAttributeAsJson = readAttributeAsString

    def readAttributeAsFixedLengthString(self, attributeName, bufferSize) -> str:
        """Mirrors Hdf5Archive#readAttributeAsFixedLengthString (the first ``bufferSize`` characters)."""
        return self.readAttributeAsString(attributeName)[: int(bufferSize)]

    def readAttributeAsList(self, attributeName, *groups) -> list:
        """A string-array attribute (``weight_names``, ``layer_names``) as a list of str."""
        value = self._read_attribute(attributeName, groups)
        if isinstance(value, np.ndarray):
            return [_as_text(v, self, attributeName) for v in value.reshape(-1)]
        return [_as_text(value, self, attributeName)]

    def readDataSet(self, datasetName, *groups) -> np.ndarray:
        """Mirrors Hdf5Archive#readDataSet: the dataset as float32 (rank 1..5), size-checked before reading."""
        h5py = _h5py()
        g = self._group(groups)
        where = "/".join([*groups, datasetName])
        try:
            ds = g[datasetName]
        except (KeyError, ValueError, OSError):
            raise self._err(f"HDF5 dataset {where!r} not found") from None
        if not isinstance(ds, h5py.Dataset):
            raise self._err(f"HDF5 object {where!r} is not a dataset")
        if ds.dtype.kind not in "fiub":
            raise self._err(f"HDF5 dataset {where!r} holds {ds.dtype}, not numbers")
        shape = ds.shape
        if shape is None or not 1 <= len(shape) <= 5:
            raise UnsupportedKerasConfigurationError(f"Cannot import weights with rank {0 if not shape else len(shape)}"
                                                     f" ({where})", file=self.path)
        self._check_size(ds, where, int(np.prod(shape, dtype=np.int64)) * max(ds.dtype.itemsize, 4))
        try:
            return np.asarray(ds[()], dtype=np.float32)
        except (OSError, ValueError, TypeError) as exc:
            raise self._err(f"cannot read HDF5 dataset {where!r}: {exc}") from None

    # ---- the size checks

    def _check_size(self, ds, where, nbytes):
        if nbytes > MAX_DATASET_BYTES:
            raise self._err(f"HDF5 dataset {where!r} claims {nbytes} bytes, above the limit {MAX_DATASET_BYTES} "
                            "(set PYDL4J_TRANSFER_MAX_HDF5_DATASET_BYTES to read it)")
        if nbytes <= _SMALL:
            return
        stored = int(ds.id.get_storage_size())
        if ds.chunks is None:
            if stored < nbytes and ds.id.get_offset() is not None:
                raise self._err(f"HDF5 dataset {where!r} claims {nbytes} bytes but the file holds {stored} (truncated?)")
            if stored < nbytes:
                raise self._err(f"HDF5 dataset {where!r} claims {nbytes} bytes and stores none")
            if stored > os.path.getsize(self.path):
                raise self._err(f"HDF5 dataset {where!r} claims more bytes than the file has")
        elif stored * MAX_EXPANSION < nbytes:
            raise self._err(f"HDF5 dataset {where!r} would expand {stored} stored bytes to {nbytes} "
                            f"(more than {MAX_EXPANSION}x): refused")

    def _read_attribute(self, name, groups):
        g = self._group(groups)
        if name not in g.attrs:
            raise self._err(f"HDF5 attribute {name!r} missing from {'/'.join(groups) or 'the root'}")
        try:
            aid = g.attrs.get_id(name)
            shape = aid.shape or ()
            size = int(np.prod(shape, dtype=np.int64)) * int(aid.dtype.itemsize)
        except (KeyError, OSError, RuntimeError, TypeError) as exc:
            raise self._err(f"cannot open HDF5 attribute {name!r}: {exc}") from None
        if size > MAX_ATTRIBUTE_BYTES:
            raise UnsupportedKerasConfigurationError(
                f"Could not read abnormally long HDF5 attribute {name!r}: size exceeds {MAX_ATTRIBUTE_BYTES} bytes",
                file=self.path)
        if _is_variable_length(aid):
            self._check_global_heaps()
        try:
            return g.attrs[name]
        except (OSError, ValueError, TypeError) as exc:
            raise self._err(f"cannot read HDF5 attribute {name!r}: {exc}") from None

    def _check_global_heaps(self):
        """Variable-length data (h5py writes ``model_config`` as a variable-length string) lives in the file's
        global heap collections; libhdf5 loops forever on a collection whose free-space object has size 0 and
        walks out of one whose objects overrun it (H5HG_load). Each collection is walked here as libhdf5 walks
        it, once per file, before the first variable-length value is read (issue 17: never a hang)."""
        if getattr(self, "_heaps_checked", False):
            return
        problem = _global_heap_problem(self.path)
        if problem:
            raise self._err(f"damaged HDF5 global heap ({problem}); the file cannot be read safely")
        self._heaps_checked = True


def _is_variable_length(aid) -> bool:
    try:
        t = aid.get_type()
        return bool(t.is_variable_str()) if hasattr(t, "is_variable_str") else type(t).__name__ == "TypeVlenID"
    except (AttributeError, OSError, RuntimeError, TypeError, ValueError):
        return True  # unknown: check the heaps


_GCOL = b"GCOL\x01\x00\x00\x00"  # signature, version 1, 3 reserved bytes
_OBJ_HEADER = 16  # index (2), reference count (2), reserved (4), size (8 with 8-byte lengths)


def _global_heap_problem(path) -> str | None:
    """What is wrong with the first damaged global heap collection of an HDF5 file (None: all consistent).

    Only files with 8-byte lengths (every h5py / Keras file) are walked; the layout is the HDF5 spec's
    (III.E "Global Heap"): a 16-byte collection header (signature, version, reserved, collection size), then
    objects of a 16-byte header and their data padded to 8 bytes; object index 0 is the free space."""
    import mmap
    import struct

    with open(path, "rb") as f:
        try:
            m = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        except (ValueError, OSError):
            return None  # empty or unmappable: h5py reports it
    with m:
        sb = m.find(b"\x89HDF\r\n\x1a\n", 0, 1 << 16)
        if sb < 0 or sb + 16 > len(m):
            return None
        version = m[sb + 8]
        size_of_lengths = m[sb + 14] if version in (0, 1) else m[sb + 10]
        if size_of_lengths != 8:
            return None
        pos = m.find(_GCOL)
        while pos >= 0:
            if pos + 16 > len(m):
                return f"collection at byte {pos} cut off by the end of the file"
            (size,) = struct.unpack_from("<Q", m, pos + 8)
            end = pos + size
            if size < 16 or end > len(m):
                return f"collection at byte {pos} claims {size} bytes, the file has {len(m) - pos} from there"
            p = pos + 16
            while p < end:
                if p + _OBJ_HEADER > end:
                    break  # too small for an object header: libhdf5 takes it as free space
                idx, _, _, obj_size = struct.unpack_from("<HHIQ", m, p)
                need = obj_size if idx == 0 else _OBJ_HEADER + ((obj_size + 7) & ~7)
                if idx == 0 and obj_size < _OBJ_HEADER:
                    return f"collection at byte {pos}: free space of {obj_size} bytes at byte {p}"
                if p + need > end:
                    return f"collection at byte {pos}: object {idx} at byte {p} runs past the collection's end"
                p += need
            pos = m.find(_GCOL, pos + 1)
    return None


def _as_text(value, archive, name) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace").rstrip("\x00")
    if isinstance(value, str):
        return value
    if isinstance(value, np.ndarray):
        if value.dtype.kind in "SUO":
            return "".join(_as_text(v, archive, name) for v in value.reshape(-1))
    if isinstance(value, (np.bytes_, np.str_)):
        return _as_text(value.item(), archive, name)
    raise archive._err(f"HDF5 attribute {name!r} is not a string ({type(value).__name__})")
