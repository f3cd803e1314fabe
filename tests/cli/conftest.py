"""Shared helpers for the command-line tests."""

import zipfile

import pytest

from .cli_support import M21


@pytest.fixture
def unsupported_zip(tmp_path):
    """A fixture zip whose first layer's @class is unknown to DL4J and to us."""
    src = M21 / "mlp_dense_output" / "model.zip"
    out = tmp_path / "unsupported.zip"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "configuration.json":
                data = data.replace(b"org.deeplearning4j.nn.conf.layers.DenseLayer", b"org.example.FancyLayer", 1)
            zout.writestr(info, data)
    return out


@pytest.fixture
def not_a_zip(tmp_path):
    p = tmp_path / "model.zip"
    p.write_text("hello")
    return p
