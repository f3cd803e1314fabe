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

import logging
import os

from pydl4j_transfer.conf import ComputationGraphConfiguration, MultiLayerConfiguration, jsonio
from pydl4j_transfer.conf.validate_structure import PROBE_ERRORS
from pydl4j_transfer.data.normalizers import read_normalizer, write_normalizer
from pydl4j_transfer.errors import (
    InvalidConfigurationError, MalformedConfigError, ParamLengthMismatchError, Pydl4jTransferError,
)
from pydl4j_transfer.nn import params as P
from pydl4j_transfer.nn.graph import ComputationGraph
from pydl4j_transfer.nn.multilayer import MultiLayerNetwork
from pydl4j_transfer.zipio import (
    CONFIGURATION_JSON, COEFFICIENTS_BIN, UPDATER_BIN, RawModelZip, read_model_zip, write_model_zip,
)
from pydl4j_transfer.zipio.model_zip import read_normalizer_entry

log = logging.getLogger(__name__)

MLN, CG = "MultiLayerNetwork", "ComputationGraph"


def network_kind(configuration_json: str, *, entry: str = CONFIGURATION_JSON) -> str:
    """Which network a configuration describes: ``"MultiLayerNetwork"`` or ``"ComputationGraph"``."""
    tree = jsonio.loads(configuration_json) if isinstance(configuration_json, str) else configuration_json
    if isinstance(tree, dict) and isinstance(tree.get("confs"), list):
        return MLN
    if isinstance(tree, dict) and isinstance(tree.get("vertices"), dict):
        return CG
    raise MalformedConfigError("neither a MultiLayerConfiguration (no 'confs') nor a ComputationGraphConfiguration "
                               "(no 'vertices'): this is not a DL4J network configuration", entry=entry)


def _is_legacy_json(text: str) -> bool:
    """Pre-1.0.0-beta JSON names its types with wrapper objects instead of "@class"."""
    return '"@class"' not in text


def _build(raw: RawModelZip, kind: str, path, backend: str = "torch") -> "MultiLayerNetwork | ComputationGraph":
    """The network a zip's parts describe. The configuration's structure is checked when it is decoded
    (conf/validate_structure.py); should anything still fail inside Python while the configuration is turned
    into a network, that is reported as InvalidConfigurationError naming configuration.json (the Python
    exception kept as ``__cause__``), never as a bare AttributeError / KeyError / TypeError."""
    try:
        return _build_checked(raw, kind, path, backend)
    except Pydl4jTransferError:
        raise
    except PROBE_ERRORS as exc:
        err = InvalidConfigurationError(f"{CONFIGURATION_JSON}: the configuration cannot be turned into a network "
                                        f"({type(exc).__name__}: {str(exc)[:200]}); it is damaged or incomplete")
        raise err from exc


def _build_checked(raw: RawModelZip, kind: str, path, backend: str) -> "MultiLayerNetwork | ComputationGraph":
    found = network_kind(raw.configuration_json)
    if found != kind:
        other = "restoreComputationGraph" if found == CG else "restoreMultiLayerNetwork"
        raise MalformedConfigError(f"{os.fspath(path) if not hasattr(path, 'read') else 'the zip'} holds a {found}, "
                                   f"not a {kind}: use ModelSerializer.{other} (or pydl4j_transfer.load)",
                                   entry=CONFIGURATION_JSON)
    conf_cls, net_cls = (MultiLayerConfiguration, MultiLayerNetwork) if kind == MLN else (
        ComputationGraphConfiguration, ComputationGraph)
    conf = conf_cls.fromJson(raw.configuration_json)
    net = net_cls(conf, backend=backend)
    if raw.params is None:
        expected = P.total_size(P.layout(net._owners_and_layers()))
        if expected:
            raise ParamLengthMismatchError(f"the zip holds no parameters but the configuration implies {expected}",
                                           entry=COEFFICIENTS_BIN)
        net.init(params=None)
    else:
        try:
            net.init(raw.params, cloneParametersArray=False)
        except ParamLengthMismatchError as exc:
            raise ParamLengthMismatchError(str(exc), entry=COEFFICIENTS_BIN) from None
    if raw.updater_state is not None:
        if _is_legacy_json(raw.configuration_json) and raw.updater_state.size != net.updaterStateSize():
            log.warning("%s: pre-1.0 updater state of %d values kept as read (this configuration's updaters "
                        "need %d)", UPDATER_BIN, raw.updater_state.size, net.updaterStateSize())
            net._updater_state = raw.updater_state
        else:
            net.setUpdaterState(raw.updater_state, entry=UPDATER_BIN)
    net._zip_extras = dict(raw.extra_entries)
    net._normalizer_bytes = raw.normalizer
    return net


class ModelSerializer:
    """Mirrors org.deeplearning4j.util.ModelSerializer."""

    @staticmethod
    def writeModel(model, path, saveUpdater: bool = True, dataNormalization=None, *,
                   compression: str | None = None) -> None:
        """Mirrors ModelSerializer.writeModel(Model, File, boolean[, DataNormalization]).

        Atomic: written to a temp file beside ``path``, then renamed. Differs: entries are STORED
        by default (DL4J writes DEFLATE): float parameters barely compress (a VGG16 zip is 93% of
        its params' size), DL4J reads STORED entries as well, and writing/reading is then ~20x
        faster (BENCHMARKS.md). ``compression="deflated"`` writes what DL4J writes; it is also
        used for a non-seekable stream, where a STORED entry cannot carry its sizes up front.
        """
        if compression is None:
            seekable = not hasattr(path, "write") or (hasattr(path, "seekable") and path.seekable())
            compression = "stored" if seekable else "deflated"
        params = model.params()
        state = model.getUpdaterState() if saveUpdater else None
        if state is not None and state.size != model.updaterStateSize():
            log.warning("%s: the updater state (%d values) does not fit this configuration (%d); not saved",
                        UPDATER_BIN, state.size, model.updaterStateSize())
            state = None
        normalizer = (write_normalizer(dataNormalization) if dataNormalization is not None
                      else getattr(model, "_normalizer_bytes", None))
        raw = RawModelZip(configuration_json=model.toJson(), params=params if params.size else None,
                          updater_state=state, normalizer=normalizer, extra_entries=dict(model._zip_extras))
        write_model_zip(path, raw, compression=compression)

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
