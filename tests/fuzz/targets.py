"""The entry points the fuzzer drives, each with the mutator that makes its inputs.

A target is ``(generate(rng, seeds) -> bytes, run(data, path, workdir))``: the runner writes the input to
``path`` (for path-based entry points) and calls ``run`` in a child process. ``run`` returns normally (ok) or
raises; the runner classifies what it raises.

Entry points covered: ``load`` (path, BytesIO, non-seekable stream), ``ModelSerializer.restore*AndNormalizer``,
``restoreNormalizerFromFile``, ``read_zip_entries``, ``inspect`` (library and CLI), ``summary`` (library and
CLI), ``convert`` (zip -> JSON), write-back of a loaded model (unknown entries copied raw) and its reload;
``MultiLayerConfiguration`` / ``ComputationGraphConfiguration.fromJson`` and ``load`` of a zip holding the
mutated configuration; the ND4J reader from bytes, BytesIO (with and without a size), a non-seekable
stream, a file, and the header reader; ``DataSet.load`` and ``MultiDataSet.load`` (path, bytes, stream);
``read_normalizer`` and ``NormalizerSerializer.restore``. ``verify`` reads the zip with ``load`` (its other
half is the JVM), so ``load`` stands for it.
"""

from __future__ import annotations

import glob
import io
import os

from . import mutators as M
from .keras_h5 import mutate_keras, run_keras


class Unseekable(io.RawIOBase):
    """A pipe-like binary stream: read / readinto only, no seek, no fileno."""

    def __init__(self, data: bytes):
        super().__init__()
        self._data, self._pos = memoryview(data), 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return False

    def readinto(self, b) -> int:
        n = min(len(b), len(self._data) - self._pos, 1 << 16)
        b[:n] = self._data[self._pos:self._pos + n]
        self._pos += n
        return n


def _no_temp_left(workdir: str) -> None:
    left = glob.glob(os.path.join(workdir, ".*pydl4j-tmp"))
    if left:
        raise AssertionError(f"temporary files left behind: {left}")


# --- zips ------------------------------------------------------------------------------------------------


def _load(data, path, workdir):
    from pydl4j_transfer import load

    load(path)


def _load_stream(data, path, workdir):
    from pydl4j_transfer import load

    load(Unseekable(data) if len(data) % 2 else io.BytesIO(data), loadUpdater=bool(len(data) % 3))


def _restore(data, path, workdir):
    from pydl4j_transfer.errors import MalformedConfigError
    from pydl4j_transfer.nn import ModelSerializer

    try:
        ModelSerializer.restoreMultiLayerNetworkAndNormalizer(path)
    except MalformedConfigError:
        ModelSerializer.restoreComputationGraphAndNormalizer(path, False)


def _normalizer_file(data, path, workdir):
    from pydl4j_transfer.nn import ModelSerializer

    ModelSerializer.restoreNormalizerFromFile(path)


def _entries(data, path, workdir):
    from pydl4j_transfer.zipio import read_zip_entries

    # loadZipData inflates every entry: the fuzz run caps the total (the default is 4 GiB) so that its memory
    # check stays meaningful
    read_zip_entries(path, max_total=128 << 20)


def _inspect(data, path, workdir):
    from pydl4j_transfer.convert.inspect import format_inspection, inspect_model

    format_inspection(inspect_model(path))


def _cli(data, path, workdir):
    from pydl4j_transfer import cli

    for argv in (["inspect", path], ["inspect", "--json", path], ["summary", path]):
        code = cli.main(argv)
        if code not in (0, 2):
            raise AssertionError(f"exit status {code}")


def _summary(data, path, workdir):
    from pydl4j_transfer import load
    from pydl4j_transfer.nn.summary import summary

    summary(load(path, loadUpdater=False))


def _convert_json(data, path, workdir):
    from pydl4j_transfer.convert.formats import convert

    out = os.path.join(workdir, "out.json")
    try:
        convert(path, out)
    finally:
        _no_temp_left(workdir)


def _roundtrip(data, path, workdir):
    from pydl4j_transfer import load
    from pydl4j_transfer.nn import ModelSerializer

    net = load(path)
    out = os.path.join(workdir, "rewritten.zip")
    ModelSerializer.writeModel(net, out, True)
    _no_temp_left(workdir)
    again = load(out)
    if again.numParams() != net.numParams():
        raise AssertionError("the rewritten zip holds a different network")


# --- configuration JSON -------------------------------------------------------------------------------


def _gen_config(rng, seeds) -> bytes:
    return M.mutate_config(rng, seeds)[0]


def _from_json(data, path, workdir):
    from pydl4j_transfer.conf import ComputationGraphConfiguration, MultiLayerConfiguration
    from pydl4j_transfer.nn.serializer import network_kind

    text = data.decode("utf-8", "replace")
    kind = network_kind(text)
    conf = (MultiLayerConfiguration if kind == "MultiLayerNetwork" else ComputationGraphConfiguration).fromJson(text)
    conf.toJson()


def _gen_config_zip(rng, seeds) -> bytes:
    config, zip_bytes = M.mutate_config(rng, seeds)
    return M.zip_with_config(rng, config, zip_bytes)


# --- ND4J arrays --------------------------------------------------------------------------------------


def _nd4j_bytes(data, path, workdir):
    from pydl4j_transfer.zipio import read_array

    read_array(data, entry="fuzz.bin")


def _nd4j_bytesio(data, path, workdir):
    from pydl4j_transfer.zipio import read_array_from

    read_array_from(io.BytesIO(data), entry="fuzz.bin", size=len(data) if len(data) % 2 else None)


def _nd4j_pipe(data, path, workdir):
    from pydl4j_transfer.zipio import read_array_from

    read_array_from(Unseekable(data), entry="fuzz.bin")


def _nd4j_file(data, path, workdir):
    from pydl4j_transfer.zipio.nd4j_binary import read_array_file

    read_array_file(path)


def _nd4j_header(data, path, workdir):
    from pydl4j_transfer.zipio.nd4j_binary import read_header

    read_header(io.BytesIO(data), entry="fuzz.bin")


# --- DataSet / MultiDataSet / normalizer -------------------------------------------------------------


def _ds(source):
    def run(data, path, workdir):
        from pydl4j_transfer.data import DataSet

        DataSet.load({"path": path, "bytes": data, "pipe": Unseekable(data)}[source])
    return run


def _mds(source):
    def run(data, path, workdir):
        from pydl4j_transfer.data import MultiDataSet

        MultiDataSet.load({"path": path, "bytes": data, "pipe": Unseekable(data)}[source])
    return run


def _normalizer_bytes(data, path, workdir):
    from pydl4j_transfer.data.normalizers import read_normalizer

    read_normalizer(data)


def _normalizer_restore(data, path, workdir):
    from pydl4j_transfer.data.normalizers import NormalizerSerializer

    NormalizerSerializer.getDefault().restore(path)


#: name -> (weight, generator, runner)
TARGETS = {
    "zip.load": (8, M.mutate_zip, _load),
    "zip.load_stream": (3, M.mutate_zip, _load_stream),
    "zip.restore": (3, M.mutate_zip, _restore),
    "zip.normalizer_file": (2, M.mutate_zip, _normalizer_file),
    "zip.entries": (3, M.mutate_zip, _entries),
    "zip.inspect": (4, M.mutate_zip, _inspect),
    "zip.cli": (2, M.mutate_zip, _cli),
    "zip.summary": (2, M.mutate_zip, _summary),
    "zip.convert_json": (2, M.mutate_zip, _convert_json),
    "zip.roundtrip": (3, M.mutate_zip, _roundtrip),
    "config.fromJson": (10, _gen_config, _from_json),
    "config.load": (12, _gen_config_zip, _summary),
    "nd4j.bytes": (4, M.mutate_nd4j, _nd4j_bytes),
    "nd4j.bytesio": (4, M.mutate_nd4j, _nd4j_bytesio),
    "nd4j.pipe": (3, M.mutate_nd4j, _nd4j_pipe),
    "nd4j.file": (2, M.mutate_nd4j, _nd4j_file),
    "nd4j.header": (2, M.mutate_nd4j, _nd4j_header),
    "dataset.path": (4, M.mutate_dataset, _ds("path")),
    "dataset.bytes": (2, M.mutate_dataset, _ds("bytes")),
    "dataset.pipe": (2, M.mutate_dataset, _ds("pipe")),
    "multidataset.path": (3, M.mutate_multidataset, _mds("path")),
    "multidataset.pipe": (2, M.mutate_multidataset, _mds("pipe")),
    "normalizer.bytes": (5, M.mutate_normalizer, _normalizer_bytes),
    "normalizer.file": (3, M.mutate_normalizer, _normalizer_restore),
}


#: Targets run only when named (``--targets keras.h5``): they need an optional dependency (h5py, the ``keras``
#: extra), and leaving them out of the default set keeps every seed's inputs those of the recorded runs.
OPT_IN = {
    "keras.h5": (4, mutate_keras, run_keras),
}
ALL_TARGETS = {**TARGETS, **OPT_IN}


def pick(rng, names=None) -> str:
    names = list(names or TARGETS)
    return rng.choices(names, weights=[ALL_TARGETS[n][0] for n in names])[0]
