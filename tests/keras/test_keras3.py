"""Keras 3 ``.keras`` archives (which DL4J M2.1 cannot read), judged by Keras itself.

compat_fixtures/keras/keras3/ holds small models saved by the real keras 3 package (torch backend) with seeded
inputs and Keras's ``model.predict`` outputs (compat_fixtures/keras/generate.py, ``make keras-fixtures``). Each is
imported with KerasModelImport; its outputs must equal Keras's within DL4J's own Keras test tolerance, and the
DL4J zip written from it must run in real DL4J with the same outputs.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from pydl4j_transfer.errors import UnsupportedKerasConfigurationError
from pydl4j_transfer.keras import KerasModelImport

HERE = Path(__file__).resolve().parents[2] / "compat_fixtures" / "keras" / "keras3"
FILES = sorted(HERE.glob("*.keras"))
EPS = 1e-5
#: models the importer refuses, and why (the rest must match Keras)
REFUSED = {
    # DL4J's 1-D padding / cropping / upsampling work on [mb, C, T]: refused on Keras's channels_last data
    "cnn1d_padding": "channels_last",
}
#: Keras layers whose DL4J layer pydl4j_transfer.conf does not have yet (issue 16)
PENDING: dict = {}


def _reference(path):
    ref = np.load(path.with_suffix(".npz"))
    return ([ref[k] for k in sorted(ref.files) if k.startswith("input")],
            [ref[k] for k in sorted(ref.files) if k.startswith("prediction")])


def _outputs(net, inputs):
    out = net.output(*inputs)
    return out if isinstance(out, list) else [out]


def test_the_fixture_set_covers_the_layer_families():
    assert len(FILES) >= 12


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_keras3_archive_matches_keras(path):
    from pydl4j_transfer.conf.layers.base import LAYERS

    inputs, preds = _reference(path)
    if path.stem in REFUSED:
        with pytest.raises(UnsupportedKerasConfigurationError, match=REFUSED[path.stem]) as info:
            KerasModelImport.importKerasModel(path)
        assert path.name in str(info.value)
        return
    if path.stem in PENDING and PENDING[path.stem][1] not in LAYERS:
        with pytest.raises(UnsupportedKerasConfigurationError, match=PENDING[path.stem][0]):
            KerasModelImport.importKerasModel(path)
        return
    net = KerasModelImport.importKerasModel(path)
    outs = _outputs(net, inputs)
    assert len(outs) == len(preds)
    for ours, keras in zip(outs, preds):
        assert ours.shape == keras.shape
        assert float(np.abs(ours - keras).max()) <= EPS


@pytest.mark.dl4j
@pytest.mark.parametrize("path", [p for p in FILES if p.stem not in REFUSED and p.stem not in PENDING],
                         ids=lambda p: p.stem)
def test_keras3_import_runs_in_dl4j(path, tmp_path, jvm):
    """The zip written from a Keras 3 import loads in real DL4J and gives the same outputs."""
    from pydl4j_transfer.nn.serializer import ModelSerializer

    inputs, preds = _reference(path)
    net = KerasModelImport.importKerasModel(path)
    out = tmp_path / "model.zip"
    ModelSerializer.writeModel(net, out, False)
    graph = type(net).__name__ == "ComputationGraph"
    theirs = (ModelSerializer.restoreComputationGraph if graph else ModelSerializer.restoreMultiLayerNetwork)(
        out, backend="dl4j")
    for ours, dl4j, keras in zip(_outputs(net, inputs), _outputs(theirs, inputs), preds):
        np.testing.assert_allclose(dl4j, ours, rtol=0, atol=EPS)
        assert float(np.abs(dl4j - keras).max()) <= EPS
