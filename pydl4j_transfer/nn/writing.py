"""Writing a network as a DL4J model zip: what ModelSerializer.writeModel and ``net.save`` do.

A module of its own, below the network classes (it needs only a network's public verbs, zipio and the
normalizer codec), so that networks can save themselves without importing ModelSerializer, which builds
networks when it restores them.
"""

from __future__ import annotations

import logging

from pydl4j_transfer.data.normalizers import write_normalizer
from pydl4j_transfer.zipio import UPDATER_BIN, RawModelZip, write_model_zip

log = logging.getLogger("pydl4j_transfer.nn.serializer")


def write_model(model, path, saveUpdater: bool = True, dataNormalization=None, *, compression: str | None = None):
    """Mirrors ModelSerializer.writeModel(Model, File, boolean[, DataNormalization]): see ModelSerializer.writeModel."""
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
