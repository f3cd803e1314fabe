"""ND4J binary array codec: real DL4J files of every generation, hand-built records, bad input."""

from __future__ import annotations

import io
import struct
import time
import tracemalloc
import zipfile

import numpy as np
import pytest

from pydl4j_transfer.errors import CorruptEntryError, Dl4jFormatError, UnknownDtypeError, InputTooLargeError
from pydl4j_transfer.zipio import read_array, read_array_from, write_array
from pydl4j_transfer.zipio.nd4j_binary import DTYPES

from ._support import LEGACY_ZIPS, M21_EMPTY_FLOAT, field_offsets, legacy_file, record, utf

# --- real files ------------------------------------------------------------------------------


def _zip_entry(rel: str, name: str) -> bytes:
    with zipfile.ZipFile(legacy_file(rel)) as zf:
        return zf.read(name)


@pytest.mark.parametrize("rel", LEGACY_ZIPS)
def test_legacy_params_and_updater_are_one_to_n(rel):
    """0.5.0..0.8.0 (JAVACPP, int32 lengths, INT shape info): params 1..N, updater state 1..S."""
    for name in ("coefficients.bin", "updaterState.bin"):
        arr = read_array(_zip_entry(rel, name), entry=name)
        assert arr.dtype == np.float32 and arr.ndim == 2 and arr.shape[0] == 1
        n = arr.shape[1]
        np.testing.assert_array_equal(arr, np.arange(1, n + 1, dtype=np.float32)[None, :])
        assert arr.flags.writeable and arr.dtype.isnative


@pytest.mark.parametrize("rel, shape, order", [
    ("100a/upsampling/in.bin", (3, 1, 28, 28), "C"),
    ("100a/upsampling/labels.bin", (3, 10), "C"),
    ("100a/upsampling/out.bin", (3, 10), "F"),
    ("100a/upsampling/gradient.bin", (1, 94178), "F"),
])
def test_100a_bare_arrays(rel, shape, order):
    """1.0.0-alpha: JAVACPP generation, including 'f'-ordered arrays."""
    arr = read_array(legacy_file(rel).read_bytes(), entry=rel)
    assert arr.shape == shape and arr.dtype == np.float32
    assert arr.flags[f"{order}_CONTIGUOUS"]
    assert np.isfinite(arr).all() and np.abs(arr).sum() > 0


def test_100a_f_order_matches_its_flat_data():
    """out.bin is [3,10] 'f' with strides [1,3]: element (i, j) is flat[i + 3 j]."""
    raw = legacy_file("100a/upsampling/out.bin").read_bytes()
    arr = read_array(raw)
    flat = np.frombuffer(raw, ">f4", count=30, offset=len(raw) - 120)
    np.testing.assert_array_equal(arr, flat.reshape(10, 3).T)


@pytest.mark.parametrize("rel, shape", [
    ("100b4/SyntheticCNN_Input_100b4.bin", (4, 1, 28, 28)),
    ("100b4/SyntheticCNN_Output_100b4.bin", (4, 4, 11, 22)),
    ("100b4/SyntheticBidirectionalRNNGraph_Input_100b4.bin", (4, 10, 10)),
    ("100b4/SyntheticBidirectionalRNNGraph_Output_100b4.bin", (4, 3)),
    ("100b6/SyntheticCNN_Input_100b6.bin", (4, 1, 28, 28)),
    ("100b6/SyntheticCNN_Output_100b6.bin", (4, 4, 11, 22)),
    ("100b6/SyntheticBidirectionalRNNGraph_Input_100b6.bin", (4, 10, 10)),
    ("100b6/SyntheticBidirectionalRNNGraph_Output_100b6.bin", (4, 3)),
])
def test_100b_bare_arrays(rel, shape):
    arr = read_array(legacy_file(rel).read_bytes(), entry=rel)
    assert arr.shape == shape and arr.dtype == np.float32 and arr.flags.c_contiguous


@pytest.mark.parametrize("rel, n_params, n_state", [
    ("100b4/SyntheticCNN_100b4.bin", 1304, 2608),
    ("100b6/SyntheticCNN_100b6.bin", 1304, 2608),
    ("100b4/SyntheticBidirectionalRNNGraph_100b4.bin", 4515, 9030),
    ("100b6/SyntheticBidirectionalRNNGraph_100b6.bin", 4515, 9030),
    ("100a/upsampling/net.bin", 94178, None),
])
def test_model_zip_arrays(rel, n_params, n_state):
    assert read_array(_zip_entry(rel, "coefficients.bin")).shape == (1, n_params)
    if n_state is not None:
        assert read_array(_zip_entry(rel, "updaterState.bin")).shape == (1, n_state)


def test_permuted_100b4_output_is_gathered_through_its_strides():
    """beta4 saved a permuted array: shape [4,4,11,22], strides [968,1,88,4] (neither 'c' nor 'f')."""
    raw = legacy_file("100b4/SyntheticCNN_Output_100b4.bin").read_bytes()
    assert struct.unpack_from(">4q", raw, 32 + 8 * 5) == (968, 1, 88, 4)
    permuted = read_array(raw)
    dense = read_array(legacy_file("100b6/SyntheticCNN_Output_100b6.bin").read_bytes())
    np.testing.assert_allclose(permuted, dense, rtol=0, atol=1e-6)  # same net, two DL4J versions
    flat = np.frombuffer(raw, ">f4", offset=len(raw) - 3872 * 4)
    np.testing.assert_array_equal(permuted[1, 2, 3, 4], flat[968 + 2 + 88 * 3 + 4 * 4])
    assert permuted.flags.c_contiguous and permuted.flags.writeable


def _mixed_arrays():
    """Every MIXED_DATA_TYPES record in 100b4/100b6 that DL4J wrote densely."""
    out = []
    for v in ("100b4", "100b6"):
        for model in ("SyntheticCNN", "SyntheticBidirectionalRNNGraph"):
            for kind in ("Input", "Output"):
                rel = f"{v}/{model}_{kind}_{v}.bin"
                if rel != "100b4/SyntheticCNN_Output_100b4.bin":  # permuted: see the test above
                    out.append((rel, None))
            for entry in ("coefficients.bin", "updaterState.bin"):
                out.append((f"{v}/{model}_{v}.bin", entry))
    return out


@pytest.mark.parametrize("rel, entry", _mixed_arrays())
def test_reencoding_real_mixed_arrays_is_byte_identical(rel, entry):
    raw = _zip_entry(rel, entry) if entry else legacy_file(rel).read_bytes()
    arr = read_array(raw, entry=entry)
    assert write_array(arr, order="c") == raw
    out = io.BytesIO()
    assert write_array(arr, order="c", stream=out) is None
    assert out.getvalue() == raw


# --- the reference notes' worked example (§2.5) ------------------------------------------------

DOC_ROW_VECTOR = bytes.fromhex("""
00 10 4d 49 58 45 44 5f 44 41 54 41 5f 54 59 50
45 53 00 00 00 00 00 00 00 08 00 04 4c 4f 4e 47
00 00 00 00 00 00 00 02 00 00 00 00 00 00 00 01
00 00 00 00 00 00 00 03 00 00 00 00 00 00 00 01
00 00 00 00 00 00 00 01 00 00 00 00 00 00 20 00
00 00 00 00 00 00 00 01 00 00 00 00 00 00 00 63
00 10 4d 49 58 45 44 5f 44 41 54 41 5f 54 59 50
45 53 00 00 00 00 00 00 00 03 00 05 46 4c 4f 41
54 3f 80 00 00 40 00 00 00 40 40 00 00
""")
DOC_RANK1_SHAPE_INFO = bytes.fromhex("""
00 10 4d 49 58 45 44 5f 44 41 54 41 5f 54 59 50
45 53 00 00 00 00 00 00 00 06 00 04 4c 4f 4e 47
00 00 00 00 00 00 00 01 00 00 00 00 00 00 00 03
00 00 00 00 00 00 00 01 00 00 00 00 00 00 20 00
00 00 00 00 00 00 00 01 00 00 00 00 00 00 00 63
""")


def test_doc_example_row_vector_exact_bytes():
    assert len(DOC_ROW_VECTOR) == 141
    assert write_array(np.array([[1.0, 2.0, 3.0]], dtype=np.float32)) == DOC_ROW_VECTOR
    np.testing.assert_array_equal(read_array(DOC_ROW_VECTOR), [[1.0, 2.0, 3.0]])


def test_doc_example_rank1_exact_bytes():
    expected = DOC_RANK1_SHAPE_INFO + DOC_ROW_VECTOR[0x60:]
    assert len(expected) == 125
    assert write_array(np.array([1.0, 2.0, 3.0], dtype=np.float32)) == expected
    assert read_array(expected).shape == (3,)


# --- writer header details -----------------------------------------------------------------------


def _shape_info(raw: bytes) -> list[int]:
    (n,) = struct.unpack_from(">q", raw, 18)
    return list(struct.unpack_from(f">{n}q", raw, 32))


@pytest.mark.parametrize("shape, order, strides", [
    ((1, 5), "c", [1, 1]), ((5, 1), "c", [1, 1]), ((1, 5), "f", [1, 1]), ((5, 1), "f", [1, 1]),
    ((2, 3), "c", [3, 1]), ((2, 3), "f", [1, 2]), ((2, 3, 4), "c", [12, 4, 1]),
    ((2, 3, 4), "f", [1, 2, 6]), ((1, 3, 1), "c", [3, 1, 1]), ((7,), "f", [1]), ((), "c", []),
])
def test_writer_uses_nd4j_strides(shape, order, strides):
    info = _shape_info(write_array(np.zeros(shape, np.float64), order=order))
    rank = len(shape)
    assert info == [rank, *shape, *strides, 16384, 1, ord(order)]


def _data_header(raw: bytes) -> tuple[str, int, str]:
    pos = 32 + 8 * struct.unpack_from(">q", raw, 18)[0]
    (n,) = struct.unpack_from(">H", raw, pos)
    alloc = raw[pos + 2:pos + 2 + n].decode()
    pos += 2 + n
    (length,) = struct.unpack_from(">q", raw, pos)
    (n,) = struct.unpack_from(">H", raw, pos + 8)
    return alloc, length, raw[pos + 10:pos + 10 + n].decode()


def test_writer_extras_and_names_per_dtype():
    for name, dt in DTYPES.items():
        if name == "BFLOAT16":
            continue
        raw = write_array(np.zeros((2, 2), dt.native))
        assert _shape_info(raw)[-3] == dt.extras, name
        assert _data_header(raw) == ("MIXED_DATA_TYPES", 4, name)
        assert raw.startswith(utf("MIXED_DATA_TYPES") + struct.pack(">q", 8) + utf("LONG"))


# --- round trips ---------------------------------------------------------------------------------

WRITABLE = [n for n in DTYPES if n != "BFLOAT16"]
SHAPES = [(), (5,), (1, 4), (4, 1), (3, 4), (2, 3, 4), (2, 1, 3, 2), (1, 2, 1, 2, 3)]


def _sample(native: str, shape, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    dt = np.dtype(native)
    if dt.kind == "b":
        return rng.integers(0, 2, shape).astype(bool)
    if dt.kind == "f":
        return (rng.standard_normal(shape) * 1e3).astype(dt)
    info = np.iinfo(dt)
    return rng.integers(info.min, info.max, shape, dtype=dt, endpoint=True)


@pytest.mark.parametrize("name", WRITABLE)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("order", ["c", "f"])
def test_round_trip(name, shape, order):
    arr = _sample(DTYPES[name].native, shape, seed=len(shape) * 31 + len(name))
    raw = write_array(arr, order=order)
    back = read_array(raw)
    assert back.dtype == arr.dtype and back.shape == arr.shape
    np.testing.assert_array_equal(back, arr)
    assert back.flags.writeable and back.dtype.isnative
    if arr.ndim >= 2 and min(arr.shape) > 1:
        assert back.flags["C_CONTIGUOUS" if order == "c" else "F_CONTIGUOUS"]
    # element order on the wire is the requested order
    n = arr.size * arr.dtype.itemsize
    wire = np.frombuffer(raw[len(raw) - n:], arr.dtype.newbyteorder(">"))
    np.testing.assert_array_equal(wire, arr.ravel(order=order.upper()))


@pytest.mark.parametrize("order", ["c", "f"])
def test_round_trip_of_views_and_big_endian_input(order):
    base = np.arange(60, dtype=np.float64).reshape(3, 4, 5)
    for view in (base.T, base[:, ::2, 1:], base[::-1], base.astype(">f8"), base[1]):
        back = read_array(write_array(view, order=order))
        np.testing.assert_array_equal(back, view)
        out = io.BytesIO()
        write_array(view, order=order, stream=out)
        assert out.getvalue() == write_array(view, order=order)


def test_several_arrays_in_a_row_from_a_stream():
    arrays = [np.arange(6, dtype=np.int32).reshape(2, 3), np.float16(2.5), np.zeros((0, 3)),
              np.array([True, False]), np.arange(12.0).reshape(3, 4)]
    stream = io.BytesIO()
    for i, a in enumerate(arrays):
        write_array(a, order="cf"[i % 2], stream=stream)
    stream.seek(0)
    for a in arrays:
        back = read_array_from(stream)
        assert back.shape == np.shape(a) and back.dtype == np.asarray(a).dtype
        np.testing.assert_array_equal(back, a)
    assert stream.read() == b""


class _Unseekable(io.RawIOBase):
    """A pipe-like stream: no seek, no fileno, short reads."""

    def __init__(self, data: bytes, step: int = 7):
        self._data, self._pos, self._step = data, 0, step

    def readable(self):
        return True

    def readinto(self, b):
        n = min(len(b), self._step, len(self._data) - self._pos)
        b[:n] = self._data[self._pos:self._pos + n]
        self._pos += n
        return n


def test_stream_with_short_reads_and_no_seek():
    arr = np.arange(1000, dtype=np.float32).reshape(10, 100)
    back = read_array_from(_Unseekable(write_array(arr, order="f")))
    np.testing.assert_array_equal(back, arr)


def test_read_array_from_with_size_rejects_trailing_bytes():
    raw = write_array(np.arange(4.0))
    np.testing.assert_array_equal(read_array_from(io.BytesIO(raw), size=len(raw)), np.arange(4.0))
    with pytest.raises(CorruptEntryError, match="trailing"):
        read_array_from(io.BytesIO(raw + b"\0"), size=len(raw) + 1, entry="x.bin")


# --- hand-built records: every dtype and generation ---------------------------------------------


@pytest.mark.parametrize("name", list(DTYPES))
def test_handmade_mixed_record_each_dtype(name):
    values = {"BOOL": [1, 0, 1, 1, 0, 1], "BFLOAT16": [1.0, -2.5, 0.15625, 2.0 ** 100, -0.0, 7.0]}.get(
        name, [0, 1, 2, 3, 100, 120])
    native = np.dtype(DTYPES[name].native)
    if name == "BFLOAT16":
        wire = (np.array(values, np.float32).view(np.uint32) >> 16).astype(">u2").tobytes()
    else:
        wire = np.array(values).astype(DTYPES[name].wire).tobytes()
    arr = read_array(record([2, 3], wire, dtype=name))
    assert arr.dtype == native and arr.shape == (2, 3)
    np.testing.assert_array_equal(arr, np.array(values).astype(native).reshape(2, 3))


def test_bfloat16_rounds_as_the_top_half_of_binary32():
    x = np.array([1.0 + 2 ** -7, 1.0 + 2 ** -9], np.float32)  # the second needs more bits
    wire = (x.view(np.uint32) >> 16).astype(">u2").tobytes()
    np.testing.assert_array_equal(read_array(record([2], wire, dtype="BFLOAT16")), [1.0 + 2 ** -7, 1.0])


@pytest.mark.parametrize("alloc", ["JAVACPP", "HEAP", "DIRECT", "LONG_SHAPE"])
@pytest.mark.parametrize("dtype", ["FLOAT", "DOUBLE", "HALF"])
def test_legacy_generations(alloc, dtype):
    data = np.arange(6).astype(DTYPES[dtype].wire).tobytes()
    arr = read_array(record([2, 3], data, dtype=dtype, alloc=alloc))
    assert arr.dtype == DTYPES[dtype].native
    np.testing.assert_array_equal(arr, np.arange(6).reshape(2, 3))
    arr = read_array(record([2, 3], data, dtype=dtype, alloc=alloc, strides=[1, 2], order="f"))
    np.testing.assert_array_equal(arr, np.arange(6).reshape(3, 2).T)


def test_legacy_offset_slot_is_honoured():
    """JAVACPP-era shape info keeps the buffer offset where later files keep extras."""
    data = np.arange(4, dtype=">f4").tobytes()
    arr = read_array(record([2, 2], data, alloc="JAVACPP", strides=[0, 1], extras=2))
    np.testing.assert_array_equal(arr, [[2, 3], [2, 3]])
    with pytest.raises(CorruptEntryError, match="offset 3"):
        read_array(record([2, 2], data, alloc="JAVACPP", strides=[0, 1], extras=3), entry="c.bin")


def test_mixed_record_with_no_dtype_bits_uses_the_data_header():
    arr = read_array(record([3], np.arange(3, dtype=">f8").tobytes(), dtype="DOUBLE", extras=0))
    assert arr.dtype == np.float64


def test_extra_flag_bits_are_ignored():
    raw = record([3], np.arange(3, dtype=">f4").tobytes(), extras=8192 | (1 << 25))
    np.testing.assert_array_equal(read_array(raw), [0, 1, 2])


def test_non_dense_strides_are_gathered():
    data = np.arange(12, dtype=">i4").tobytes()
    arr = read_array(record([3, 4], data, dtype="INT", strides=[1, 3], order="c"))
    np.testing.assert_array_equal(arr, np.arange(12).reshape(4, 3).T)
    arr = read_array(record([2, 2], np.arange(4, dtype=">i4").tobytes(), dtype="INT", strides=[0, 1]))
    np.testing.assert_array_equal(arr, [[0, 1], [0, 1]])  # stride 0: a broadcast, still in bounds
    assert arr.flags.writeable and arr.flags.owndata


def test_strides_reaching_outside_the_data_are_corrupt():
    with pytest.raises(CorruptEntryError, match="outside"):
        read_array(record([3, 4], np.zeros(12, ">f4").tobytes(), strides=[4, 2]), entry="e.bin")


# --- empty arrays ----------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(0,), (2, 0), (0, 3, 2)])
def test_empty_round_trip(shape):
    raw = write_array(np.zeros(shape, np.float32))
    info = _shape_info(raw)
    assert info[-3] == 8192 | 8  # FLOAT | EMPTY
    back = read_array(raw)
    assert back.shape == shape and back.dtype == np.float32


def test_m21_empty_record_exact_bytes():
    arr = read_array(M21_EMPTY_FLOAT, entry="coefficients.bin")
    assert arr.shape == (0,) and arr.dtype == np.float32
    assert write_array(np.zeros(0, np.float32)) == M21_EMPTY_FLOAT


def test_empty_record_without_data_buffer():
    """M2.1's Nd4j.zeros(FLOAT, 0) record may end right after its shape info."""
    shape_only = record([0], b"", extras=8192 | 8)
    shape_only = shape_only[:shape_only.index(utf("MIXED_DATA_TYPES"), 10)]
    assert read_array(shape_only).shape == (0,)
    assert read_array_from(io.BytesIO(shape_only)).shape == (0,)
    scalar = record([], b"", extras=8192 | 8, count=0)
    assert read_array(scalar).shape == (0,)


def test_empty_flag_with_positive_shape_is_corrupt():
    with pytest.raises(CorruptEntryError, match="EMPTY"):
        read_array(record([3], b"", count=0, extras=8192 | 8), entry="coefficients.bin")


# --- bad input -------------------------------------------------------------------------------------


def _good() -> bytes:
    return write_array(np.arange(6, dtype=np.float32).reshape(2, 3))


def test_truncation_at_every_header_field_and_every_byte():
    raw = _good()
    cuts = {off for _, off in field_offsets(raw)} | set(range(len(raw)))
    assert len(field_offsets(raw)) == 8
    for cut in sorted(cuts):
        with pytest.raises(CorruptEntryError, match="coefficients.bin") as info:
            read_array(raw[:cut], entry="coefficients.bin")
        assert info.value.entry == "coefficients.bin"
        with pytest.raises(CorruptEntryError):
            read_array_from(io.BytesIO(raw[:cut]), entry="coefficients.bin")
        with pytest.raises(CorruptEntryError):
            read_array_from(_Unseekable(raw[:cut]), entry="coefficients.bin")


def test_truncation_messages_name_the_field():
    raw = _good()
    for field, off in field_offsets(raw):
        with pytest.raises(CorruptEntryError) as info:
            read_array(raw[:off + 1], entry="u.bin")
        word = field.split()[1]  # alloc / length / dtype / elements
        expected = {"alloc": "alloc mode", "length": "length", "dtype": "dtype",
                    "elements": "values" if field.startswith("shape") else "data buffer"}[word]
        assert expected in str(info.value), (field, str(info.value))


def test_trailing_bytes():
    with pytest.raises(CorruptEntryError, match=r"updaterState.bin: 3 trailing bytes"):
        read_array(_good() + b"abc", entry="updaterState.bin")


def test_unknown_dtype_name():
    raw = record([2], b"\0" * 8, dtype="FLOAT128")
    with pytest.raises(UnknownDtypeError, match=r"coefficients.bin: .*'FLOAT128'"):
        read_array(raw, entry="coefficients.bin")
    for name in ("UTF8", "COMPRESSED"):
        with pytest.raises(UnknownDtypeError, match=name):
            read_array(record([2], b"\0" * 8, dtype=name, extras=0), entry="x")


def test_unknown_alloc_mode():
    raw = _good().replace(b"MIXED_DATA_TYPES", b"MIXED_DATA_TYPEX", 1)
    with pytest.raises(UnknownDtypeError, match=r"normalizer.bin: .*'MIXED_DATA_TYPEX'"):
        read_array(raw, entry="normalizer.bin")


def test_length_mismatch_with_shape():
    raw = record([2, 3], np.zeros(5, ">f4").tobytes(), count=5)
    with pytest.raises(CorruptEntryError, match=r"c.bin: data buffer holds 5 elements .* needs 6"):
        read_array(raw, entry="c.bin")


def test_extras_dtype_contradicting_the_data_header():
    raw = record([2], np.zeros(2, ">f4").tobytes(), dtype="FLOAT", extras=16384)
    with pytest.raises(CorruptEntryError, match="DOUBLE"):
        read_array(raw, entry="c.bin")


@pytest.mark.parametrize("kwargs, match", [
    ({"rank": 1000, "info_len": 2004}, "impossible"),
    ({"info_len": 10 ** 12}, "impossible"),
    ({"rank": 3}, "rank 3"),
    ({"order": "x"}, "order code"),
])
def test_absurd_shape_info(kwargs, match):
    raw = record([2, 3], np.zeros(6, ">f4").tobytes(), **kwargs)
    with pytest.raises(CorruptEntryError, match=match):
        read_array(raw, entry="c.bin")


def test_negative_dimension():
    with pytest.raises(CorruptEntryError, match="negative"):
        read_array(record([2, -3], b"", count=0), entry="c.bin")


def _absurd() -> bytes:
    raw = record([2 ** 30, 2 ** 30], b"\0" * 16)  # 2**60 floats announced, 16 bytes present
    assert len(raw) < 200
    return raw


@pytest.mark.parametrize("reader", [
    lambda raw: read_array(raw, entry="c.bin"),
    lambda raw: read_array_from(io.BytesIO(raw), entry="c.bin"),
    lambda raw: read_array_from(_Unseekable(raw), entry="c.bin"),
], ids=["bytes", "BytesIO", "pipe"])
def test_absurd_length_fails_fast_without_allocating(reader):
    raw = _absurd()
    tracemalloc.start()
    t0 = time.process_time()  # CPU time: a stalled VM does not make it fail
    try:
        with pytest.raises((CorruptEntryError, InputTooLargeError), match="c.bin"):  # the pipe: over max_bytes
            reader(raw)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.process_time() - t0 < 1.0
    assert peak < 1 << 20


def test_every_error_is_a_format_error():
    for bad in (b"", b"\x00", _good()[:50], _good() + b"x"):
        with pytest.raises(Dl4jFormatError):
            read_array(bad)


def test_writer_rejects_unknown_dtypes_and_orders():
    with pytest.raises(UnknownDtypeError, match="complex"):
        write_array(np.zeros(2, np.complex64))
    with pytest.raises(ValueError, match="order"):
        write_array(np.zeros(2), order="k")


# --- memory --------------------------------------------------------------------------------------


def _peak(fn):
    tracemalloc.start()
    try:
        result = fn()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_decode_and_encode_memory_stays_near_one_copy():
    """A scaled-down VGG16 check: decoding costs ~1x the data, encoding to a stream ~0x."""
    n = 5_000_000
    arr = np.arange(n, dtype=np.float32)
    nbytes = arr.nbytes
    slack = 4 << 20  # one encode chunk / bookkeeping
    raw, peak = _peak(lambda: write_array(arr))
    assert peak < nbytes + slack
    back, peak = _peak(lambda: read_array(raw))
    assert peak < nbytes + slack and np.array_equal(back, arr)
    del back
    back, peak = _peak(lambda: read_array_from(io.BytesIO(raw)))
    assert peak < nbytes + slack and np.array_equal(back, arr)
    sink = _Sink()
    _, peak = _peak(lambda: write_array(arr, order="f", stream=sink))
    assert sink.n == len(raw) and peak < slack


class _Sink:
    def __init__(self):
        self.n = 0

    def write(self, b):
        self.n += len(b)
        return len(b)
