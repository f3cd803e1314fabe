"""Reading a DL4J model zip into a network object: what ModelSerializer.restore* and ``X.load`` do.

A module of its own, below the network classes (it needs the zip reader, the configuration classes and the network
class it is given), so that ``MultiLayerNetwork.load`` / ``ComputationGraph.load`` can restore without importing
ModelSerializer, which imports both network classes (nn/writing.py is its twin for saving).
"""

from __future__ import annotations

import logging
import os

from pydl4j_transfer.conf import jsonio
from pydl4j_transfer.conf import params as P
from pydl4j_transfer.conf.validate_structure import PROBE_ERRORS
from pydl4j_transfer.errors import (
    InvalidConfigurationError, MalformedConfigError, ParamLengthMismatchError, Pydl4jTransferError,
)
from pydl4j_transfer.zipio import COEFFICIENTS_BIN, CONFIGURATION_JSON, UPDATER_BIN, RawModelZip, read_model_zip

log = logging.getLogger("pydl4j_transfer.nn.serializer")

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


def is_legacy_json(text: str) -> bool:
    """Pre-1.0.0-beta JSON names its types with wrapper objects instead of "@class"."""
    return '"@class"' not in text


def restore_network(path, net_cls, loadUpdater: bool = True, backend: str = "torch"):
    """Mirrors ModelSerializer.restoreMultiLayerNetwork / restoreComputationGraph(File, boolean) for ``net_cls``."""
    return build_network(read_model_zip(path, load_updater=loadUpdater), net_cls, path, backend)


def build_network(raw: RawModelZip, net_cls, path, backend: str = "torch"):
    """A ``net_cls`` (MultiLayerNetwork or ComputationGraph) from a read zip: configuration, params (the network
    takes the dtype of ``coefficients.bin``), updater state (exact length, except pre-1.0 zips), extra entries.

    The configuration's structure is checked when it is decoded (conf/validate_structure.py); should anything
    still fail inside Python while the configuration is turned into a network, that is reported as
    InvalidConfigurationError naming configuration.json (the Python exception kept as ``__cause__``), never as a
    bare AttributeError / KeyError / TypeError."""
    try:
        return _build_checked(raw, net_cls, path, backend)
    except Pydl4jTransferError:
        raise
    except PROBE_ERRORS as exc:
        err = InvalidConfigurationError(f"{CONFIGURATION_JSON}: the configuration cannot be turned into a network "
                                        f"({type(exc).__name__}: {str(exc)[:200]}); it is damaged or incomplete")
        raise err from exc


def _build_checked(raw: RawModelZip, net_cls, path, backend: str):
    found = network_kind(raw.configuration_json)
    if found != net_cls.KIND:
        other = "restoreComputationGraph" if found == CG else "restoreMultiLayerNetwork"
        raise MalformedConfigError(f"{os.fspath(path) if not hasattr(path, 'read') else 'the zip'} holds a {found}, "
                                   f"not a {net_cls.KIND}: use ModelSerializer.{other} (or pydl4j_transfer.load)",
                                   entry=CONFIGURATION_JSON)
    conf = net_cls.CONFIGURATION_CLASS.fromJson(raw.configuration_json)
    net = net_cls(conf, backend=backend)
    if raw.params is None:
        expected = P.total_size(net.paramLayout())
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
        if is_legacy_json(raw.configuration_json) and raw.updater_state.size != net.updaterStateSize():
            log.warning("%s: pre-1.0 updater state of %d values kept as read (this configuration's updaters "
                        "need %d)", UPDATER_BIN, raw.updater_state.size, net.updaterStateSize())
            net._updater_state = raw.updater_state
        else:
            net.setUpdaterState(raw.updater_state, entry=UPDATER_BIN)
    net._zip_extras = dict(raw.extra_entries)
    net._normalizer_bytes = raw.normalizer
    return net
