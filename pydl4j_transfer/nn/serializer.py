"""ModelSerializer: DL4J model zips <-> MultiLayerNetwork / ComputationGraph objects.

Mirrors ``org.deeplearning4j.util.ModelSerializer`` (writeModel, restoreMultiLayerNetwork,
restoreComputationGraph, the ...AndNormalizer variants, addNormalizerToModel,
restoreNormalizerFromFile) plus DL4J's ``ModelGuesser``-style :func:`load`. The bytes are
handled by :mod:`pydl4j_transfer.zipio`; this module maps them onto network objects:

* the configuration JSON goes through ``conf`` (unknown keys kept; pre-1.0 JSON upgraded);
* the network dtype is forced to the dtype of ``coefficients.bin``, as DL4J's restore does;
* ``updaterState.bin`` must have exactly the length the configuration implies (DL4J's
  ``setStateViewArray`` check) -- except in pre-1.0 zips, whose updater layout predates
  DL4J's UpdaterBlocks: their state is kept as read and dropped (with a warning) on write if
  its length does not fit;
* ``normalizer.bin`` is decoded when its type is known and kept byte for byte otherwise; other
  unknown entries are written back unchanged.

Nothing here imports torch or jpype.
"""

from __future__ import annotations

from pydl4j_transfer.conf import ComputationGraphConfiguration, MultiLayerConfiguration
from pydl4j_transfer.java_names import JavaNames
from pydl4j_transfer.data.normalizers import read_normalizer, write_normalizer
from pydl4j_transfer.nn.graph import ComputationGraph
from pydl4j_transfer.nn.multilayer import MultiLayerNetwork
from pydl4j_transfer.nn.reading import CG, MLN, build_network, is_legacy_json, network_kind
from pydl4j_transfer.nn.writing import write_model
from pydl4j_transfer.zipio import RawModelZip, read_model_zip, write_model_zip
from pydl4j_transfer.zipio.model_zip import read_normalizer_entry

_CLASSES = {MLN: MultiLayerNetwork, CG: ComputationGraph}
_is_legacy_json = is_legacy_json  # the name convert/inspect.py imports


def network_from_configuration_json(configuration_json: str, backend: str = "torch"):
    """A MultiLayerNetwork or ComputationGraph (not initialised) for a configuration.json text."""
    graph = network_kind(configuration_json) == CG
    conf = (ComputationGraphConfiguration if graph else MultiLayerConfiguration).fromJson(configuration_json)
    return (ComputationGraph if graph else MultiLayerNetwork)(conf, backend=backend)


def _build(raw: RawModelZip, kind: str, path, backend: str = "torch") -> "MultiLayerNetwork | ComputationGraph":
    return build_network(raw, _CLASSES[kind], path, backend)


class ModelSerializer(JavaNames):
    """Mirrors org.deeplearning4j.util.ModelSerializer."""

    @staticmethod
    def writeModel(model, path, saveUpdater: bool = True, dataNormalization=None, *,
                   compression: str | None = None) -> None:
        """Mirrors ModelSerializer.writeModel(Model, File, boolean[, DataNormalization]) (nn/writing.py).

        Atomic: written to a temp file beside ``path``, then renamed. Differs: entries are STORED
        by default (DL4J writes DEFLATE): float parameters barely compress (a VGG16 zip is 93% of
        its params' size), DL4J reads STORED entries as well, and writing/reading is then ~20x
        faster (BENCHMARKS.md). ``compression="deflated"`` writes what DL4J writes; it is also
        used for a non-seekable stream, where a STORED entry cannot carry its sizes up front.
        """
        write_model(model, path, saveUpdater, dataNormalization, compression=compression)

    @staticmethod
    def restoreMultiLayerNetwork(path, loadUpdater: bool = True, *, backend: str = "torch") -> MultiLayerNetwork:
        """Mirrors ModelSerializer.restoreMultiLayerNetwork(File, boolean); ``backend="dl4j"`` runs it in real DL4J."""
        return _build(read_model_zip(path, load_updater=loadUpdater), MLN, path, backend)

    @staticmethod
    def restoreComputationGraph(path, loadUpdater: bool = True, *, backend: str = "torch") -> ComputationGraph:
        """Mirrors ModelSerializer.restoreComputationGraph(File, boolean); ``backend="dl4j"`` runs it in real DL4J."""
        return _build(read_model_zip(path, load_updater=loadUpdater), CG, path, backend)

    @staticmethod
    def restoreMultiLayerNetworkAndNormalizer(path, loadUpdater: bool = True):
        """Mirrors ModelSerializer.restoreMultiLayerNetworkAndNormalizer: ``(net, normalizer or None)``."""
        net = ModelSerializer.restoreMultiLayerNetwork(path, loadUpdater)
        return net, _normalizer_of(net)

    @staticmethod
    def restoreComputationGraphAndNormalizer(path, loadUpdater: bool = True):
        """Mirrors ModelSerializer.restoreComputationGraphAndNormalizer: ``(graph, normalizer or None)``."""
        net = ModelSerializer.restoreComputationGraph(path, loadUpdater)
        return net, _normalizer_of(net)

    @staticmethod
    def restoreNormalizerFromFile(path):
        """Mirrors ModelSerializer.restoreNormalizerFromFile: the zip's normalizer, or None."""
        data = read_normalizer_entry(path)
        return None if data is None else read_normalizer(data)

    @staticmethod
    def addNormalizerToModel(path, normalizer) -> None:
        """Mirrors ModelSerializer.addNormalizerToModel: (re)write ``normalizer.bin`` into an existing zip, atomically."""
        raw = read_model_zip(path)
        raw.normalizer = write_normalizer(normalizer)
        write_model_zip(path, raw)


def _normalizer_of(net):
    data = getattr(net, "_normalizer_bytes", None)
    return None if data is None else read_normalizer(data)


def network_from_raw(raw: RawModelZip, path=None, *, backend: str = "torch"):
    """The network (MultiLayerNetwork or ComputationGraph) the parts of a zip read by
    :func:`~pydl4j_transfer.zipio.read_model_zip` describe; raises as :func:`load`."""
    return _build(raw, network_kind(raw.configuration_json), path if path is not None else "the zip", backend)


def load(path, loadUpdater: bool = True, *, backend: str = "torch"):
    """Restore whichever network a DL4J zip holds (DL4J's ModelGuesser for model zips).

    ``backend="dl4j"`` runs the network (and transfer-learning builds on it) in real DL4J.
    ``path``: a path (a regular file) or a binary stream. Every damaged or hostile input raises a
    ``Pydl4jTransferError`` naming the file entry, layer or vertex (RELIABILITY.md)."""
    return network_from_raw(read_model_zip(path, load_updater=loadUpdater), path, backend=backend)


def network_from_dl4j(model):
    """A network object for a network DL4J holds (a ``Dl4jModel`` or a Java MultiLayerNetwork / ComputationGraph):
    configuration and params read from DL4J; it keeps running in the JVM (``backend="dl4j"``)."""
    from pydl4j_transfer.dl4j_backend import Dl4jModel
    from pydl4j_transfer.dl4j_backend.runtime import Dl4jRuntime

    if not isinstance(model, Dl4jModel):
        model = Dl4jModel(model)
    net = network_from_configuration_json(model.configurationJson(), backend="dl4j").init(model.params())
    net.useRuntime(Dl4jRuntime(net.getConfiguration(), net.params(), None, model=model))
    return net
