"""A DL4J model zip as raw parts: configuration JSON text, flat params, updater state, extras.

Mirrors ``org.deeplearning4j.util.ModelSerializer`` (``writeModel``, ``restoreMultiLayerNetworkHelper``,
``restoreComputationGraphHelper``); reference: shared/reference/dl4j-format.md §1, §2.6, §2.7, §5.

Entries, in the order ``writeModel`` puts them (``ENTRY_ORDER``)::

    configuration.json   always; MultiLayerConfiguration / ComputationGraphConfiguration JSON, UTF-8
    coefficients.bin     always; Nd4j.write(params) -- or 0 bytes when the network has no params
    noParams.marker      0 bytes, only after an empty coefficients.bin
    updaterState.bin     only when the updater state exists and is non-empty
    normalizer.bin       only when a normalizer was saved (NormalizerSerializer format; kept as bytes)
    anything else        (objects/<key>, preprocessor.bin, ...) kept as stored (compressed, never
                         inflated: :class:`~pydl4j_transfer.zipio.archive.RawEntry`) and copied
                         back unchanged on write

Shapes written: params ``[1, N]`` and updater state ``[1, M]``, order 'c' -- what DL4J <= 1.0.0-M2
writes and every version loads (M2.1 itself writes rank 1 ``[N]`` / ``[M]``; both are read).
Reading returns both vectors flat (1-D views of the decoded arrays). A zero-param network is
written the <= M2 way (empty coefficients.bin + noParams.marker); M2.1 itself writes an empty-array
record and no marker -- both are read as ``params=None``, and real M2.1 restores both
(tests/zipio/test_zipio_live_dl4j.py, which also restores our DEFLATED, STORED and
data-descriptor zips in M2.1 and compares parameters, updater state and outputs).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import BinaryIO

import numpy as np

from pydl4j_transfer.errors import CorruptEntryError, MissingEntryError, ZipBombError
from pydl4j_transfer.zipio.archive import (
    DEFAULT_MAX_ENTRIES, DEFAULT_MAX_RATIO, DEFAULT_MAX_TOTAL, STORED, RawEntry, SizedWriter, entry_errors,
    open_checked_zip, open_member, read_entry, read_raw, write_zip_atomic,
)
from pydl4j_transfer.zipio.nd4j_binary import encoded_size, read_array_from, write_array

__all__ = [
    "CONFIGURATION_JSON", "COEFFICIENTS_BIN", "UPDATER_BIN", "NORMALIZER_BIN", "NO_PARAMS_MARKER",
    "PREPROCESSOR_BIN", "ENTRY_ORDER", "RESERVED_ENTRIES", "RawModelZip", "RawEntry", "read_model_zip",
    "read_normalizer_entry", "write_model_zip",
]

# ModelSerializer's entry-name constants.
CONFIGURATION_JSON = "configuration.json"
COEFFICIENTS_BIN = "coefficients.bin"
UPDATER_BIN = "updaterState.bin"
NORMALIZER_BIN = "normalizer.bin"
NO_PARAMS_MARKER = "noParams.marker"
PREPROCESSOR_BIN = "preprocessor.bin"  # legacy Java-serialised object: passed through, never read

#: The order writeModel creates entries in; extras follow.
ENTRY_ORDER = (CONFIGURATION_JSON, COEFFICIENTS_BIN, NO_PARAMS_MARKER, UPDATER_BIN, NORMALIZER_BIN)
#: Entries RawModelZip holds in named fields; everything else lives in ``extra_entries``.
RESERVED_ENTRIES = frozenset(ENTRY_ORDER)


@dataclass
class RawModelZip:
    """The parts of a DL4J model zip, undecoded beyond the ND4J arrays.

    ``params`` / ``updater_state`` are flat 1-D arrays (None: no params / no saved state),
    ``normalizer`` the raw ``normalizer.bin`` bytes, ``extra_entries`` every other entry in order: bytes,
    or (as read) a :class:`RawEntry` holding the entry as stored, compressed -- ``bytes(entry)`` inflates
    it under the zip-bomb limits, ``entry == b"..."`` compares the content.
    """

    configuration_json: str
    params: np.ndarray | None = None
    updater_state: np.ndarray | None = None
    normalizer: bytes | None = None
    extra_entries: dict[str, "bytes | RawEntry"] = field(default_factory=dict)


def _flat_vector(arr: np.ndarray, entry: str) -> np.ndarray | None:
    """A decoded params / state array as a flat vector; None for an empty array.

    Mirrors ``MultiLayerNetwork#init``'s ``isRowVectorOrScalar`` check (rank <= 1 or ``[1, N]``).
    """
    if arr.size == 0:
        return None
    if arr.ndim > 2 or (arr.ndim == 2 and arr.shape[0] != 1):
        raise CorruptEntryError(f"expected a row vector [1, N] or [N], got shape {list(arr.shape)}", entry)
    return arr.reshape(-1)


#: The most a DEFLATE entry's array may allocate before its data has inflated, as a multiple of its compressed
#: size: DL4J's float parameters deflate to ~93% of their size, so an honest entry is allocated once; one that
#: inflates further (an all-zero updater state) grows as its data arrives.
PREALLOCATE_RATIO = 2


def _decode_entry(zf, where: str, name: str) -> np.ndarray | None:
    """Decode an array entry straight from the inflating stream: no copy of the entry's bytes."""
    info = zf.getinfo(name)  # the last entry of that name, as in DL4J
    backed = info.file_size if info.compress_type == STORED else PREALLOCATE_RATIO * info.compress_size
    with entry_errors(where, name), open_member(zf, info) as stream:
        arr = read_array_from(stream, entry=name, size=info.file_size, preallocate=backed)
    return _flat_vector(arr, name)


def _read_params(zf, where: str, names: set[str]) -> np.ndarray | None:
    if COEFFICIENTS_BIN not in names:
        raise MissingEntryError("the zip has no coefficients.bin, so it holds no DL4J model (DL4J: "
                                "'Model wasnt found within file')", COEFFICIENTS_BIN)
    if zf.getinfo(COEFFICIENTS_BIN).file_size == 0:
        if NO_PARAMS_MARKER not in names:
            raise CorruptEntryError("entry is empty and there is no noParams.marker; DL4J refuses "
                                    "this zip", COEFFICIENTS_BIN)
        return None
    return _decode_entry(zf, where, COEFFICIENTS_BIN)


#: The largest ``configuration.json`` / ``normalizer.bin`` inflated (a VGG16 configuration is 30 KB, a
#: 1000-layer graph's a few MB): text decoded into Python objects costs many times its size, so these are
#: refused well before the 4 GiB ``max_total``.
MAX_TEXT_ENTRY_BYTES = {CONFIGURATION_JSON: 16 << 20, NORMALIZER_BIN: 64 << 20}


def _read_bytes(zf, where: str, name: str) -> bytes:
    info = zf.getinfo(name)
    limit = MAX_TEXT_ENTRY_BYTES.get(name)
    if limit is not None and info.file_size > limit:
        raise ZipBombError(f"declares {info.file_size} bytes; a DL4J {name} is far smaller (limit {limit} bytes)",
                           name)
    with entry_errors(where, name):
        return read_entry(zf, info)


def read_model_zip(path_or_file, load_updater: bool = True, *, max_total: int = DEFAULT_MAX_TOTAL,
                   max_ratio: float = DEFAULT_MAX_RATIO,
                   max_entries: int = DEFAULT_MAX_ENTRIES) -> RawModelZip:
    """Read a DL4J model zip into a :class:`RawModelZip`, with neither torch nor Java.

    Mirrors ``org.deeplearning4j.util.ModelSerializer#restoreMultiLayerNetwork(File, boolean)`` up to
    the point where DL4J builds the network: configuration text, params (None for a zero-param
    network: empty entry + ``noParams.marker``, or an empty array record), updater state when
    ``load_updater`` (else it is dropped, as DL4J does), ``normalizer.bin`` as bytes, and any other
    entry as stored (:class:`RawEntry`, never inflated). Differs: the JSON text is returned as stored
    (DL4J re-joins its lines with ``\\n``).
    Memory: the arrays are decoded while they inflate, so peak memory is about the decoded arrays
    alone, plus the stored bytes of the unknown entries (RELIABILITY.md states the ceiling).
    Raises ``MissingEntryError`` / ``CorruptEntryError`` naming the entry, plus everything
    :func:`read_zip_entries` raises (the limits are the same, applied to the entries inflated here).
    """
    def inflated(name: str) -> bool:
        return name in RESERVED_ENTRIES and (load_updater or name != UPDATER_BIN)

    with open_checked_zip(path_or_file, max_total=max_total, max_ratio=max_ratio,
                          max_entries=max_entries, inflated=inflated) as (zf, where):
        names = {info.filename for info in zf.infolist()}
        if CONFIGURATION_JSON not in names:
            raise MissingEntryError(f"{where} has no configuration.json, so it holds no DL4J model; "
                                    "was it written by ModelSerializer.writeModel?", CONFIGURATION_JSON)
        try:
            configuration_json = _read_bytes(zf, where, CONFIGURATION_JSON).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise CorruptEntryError(f"not UTF-8 text ({exc})", CONFIGURATION_JSON) from None
        params = _read_params(zf, where, names)
        updater_state = None
        if load_updater and UPDATER_BIN in names:
            updater_state = _decode_entry(zf, where, UPDATER_BIN)
        normalizer = _read_bytes(zf, where, NORMALIZER_BIN) if NORMALIZER_BIN in names else None
        extras = {}
        for info in zf.infolist():
            if info.filename not in RESERVED_ENTRIES and info.filename not in extras:
                extras[info.filename] = read_raw(zf, zf.getinfo(info.filename))
    return RawModelZip(configuration_json, params, updater_state, normalizer, extras)


def read_normalizer_entry(path_or_file, *, max_total: int = DEFAULT_MAX_TOTAL, max_ratio: float = DEFAULT_MAX_RATIO,
                          max_entries: int = DEFAULT_MAX_ENTRIES) -> bytes | None:
    """The ``normalizer.bin`` bytes of a model zip (None when it has none); nothing else is inflated."""
    with open_checked_zip(path_or_file, max_total=max_total, max_ratio=max_ratio, max_entries=max_entries,
                          inflated=lambda name: name == NORMALIZER_BIN) as (zf, where):
        return _read_bytes(zf, where, NORMALIZER_BIN) if NORMALIZER_BIN in zf else None


def _array_writer(vector: np.ndarray):
    """A zip-entry callable streaming ``vector`` as a ``[1, N]`` 'c' ND4J array (no full copy)."""
    row = np.asarray(vector).reshape(1, -1)

    def write(fileobj: BinaryIO) -> None:
        write_array(row, order="c", stream=fileobj)
    return SizedWriter(encoded_size(row), write)


def write_model_zip(path_or_file, raw: RawModelZip, *, compression: str = "deflated",
                    compresslevel: int | None = None) -> None:
    """Write ``raw`` as a DL4J model zip, atomically when given a path.

    Mirrors ``org.deeplearning4j.util.ModelSerializer#writeModel(Model, OutputStream, boolean,
    DataNormalization)``: configuration.json first, then coefficients.bin (params as ``[1, N]`` 'c';
    an empty entry plus an empty noParams.marker when params is None or empty), updaterState.bin
    only when the state is non-empty, normalizer.bin, then the extra entries unchanged (DL4J's
    ``addObjectToFile`` appends its ``objects/<key>`` entries after the model's too).
    ``compression`` / ``compresslevel`` as in :func:`write_zip_atomic`.
    """
    clash = RESERVED_ENTRIES.intersection(raw.extra_entries)
    if clash:
        raise ValueError(f"extra_entries may not hold the reserved entries {sorted(clash)}; use the "
                         "RawModelZip fields")
    entries: list = [(CONFIGURATION_JSON, raw.configuration_json.encode("utf-8"))]
    if raw.params is None or np.size(raw.params) == 0:
        entries += [(COEFFICIENTS_BIN, b""), (NO_PARAMS_MARKER, b"")]
    else:
        entries.append((COEFFICIENTS_BIN, _array_writer(raw.params)))
    if raw.updater_state is not None and np.size(raw.updater_state) > 0:
        entries.append((UPDATER_BIN, _array_writer(raw.updater_state)))
    if raw.normalizer is not None:
        entries.append((NORMALIZER_BIN, raw.normalizer))
    entries += list(raw.extra_entries.items())
    write_zip_atomic(path_or_file, entries, compression=compression, compresslevel=compresslevel)
