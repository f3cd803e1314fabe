"""normalizer.bin: read from DL4J's zips, written for DL4J (ModelSerializer's normalizer methods)."""

import shutil
from pathlib import Path

import numpy as np
import pytest

from pydl4j_transfer import ModelSerializer
from pydl4j_transfer.data import (ImagePreProcessingScaler, NormalizerMinMaxScaler, NormalizerStandardize,
                                  read_normalizer, write_normalizer)
from pydl4j_transfer.dl4j_backend import to_numpy
from pydl4j_transfer.zipio import read_zip_entries

FIXTURES = Path(__file__).resolve().parents[2] / "compat_fixtures" / "1.0.0-M2.1"


def test_dl4j_written_standardize_normalizer_reads_and_rewrites_byte_for_byte():
    zip_path = FIXTURES / "normalizer_standardize" / "model.zip"
    net, norm = ModelSerializer.restoreMultiLayerNetworkAndNormalizer(zip_path)
    assert isinstance(norm, NormalizerStandardize) and norm.mean is not None and norm.std is not None
    raw = read_zip_entries(zip_path)["normalizer.bin"]
    assert write_normalizer(read_normalizer(raw)) == raw
    x = np.random.default_rng(0).standard_normal((3, norm.mean.size)).astype(np.float32)
    np.testing.assert_allclose(norm.revertFeatures(norm.transform(x)), x, rtol=1e-5, atol=1e-5)


@pytest.mark.dl4j
@pytest.mark.parametrize("make", [
    lambda x: NormalizerStandardize().fit(x),
    lambda x: NormalizerMinMaxScaler(-1.0, 1.0).fit(x),
    lambda x: ImagePreProcessingScaler(0.0, 1.0),
], ids=["standardize", "minmax", "image"])
def test_normalizer_added_here_is_read_by_dl4j(tmp_path, make):
    import jpype

    x = np.random.default_rng(1).standard_normal((50, 4)).astype(np.float32) * 3 + 1
    norm = make(x)
    zip_path = tmp_path / "model.zip"
    shutil.copy(FIXTURES / "mlp_dense_output" / "model.zip", zip_path)
    ModelSerializer.addNormalizerToModel(zip_path, norm)
    assert type(ModelSerializer.restoreNormalizerFromFile(zip_path)) is type(norm)

    theirs = jpype.JClass("org.deeplearning4j.util.ModelSerializer").restoreNormalizerFromFile(
        jpype.JClass("java.io.File")(str(zip_path)))
    if isinstance(norm, NormalizerStandardize):
        np.testing.assert_array_equal(to_numpy(theirs.getMean()).reshape(-1), norm.mean.reshape(-1))
        np.testing.assert_array_equal(to_numpy(theirs.getStd()).reshape(-1), norm.std.reshape(-1))
    elif isinstance(norm, NormalizerMinMaxScaler):
        assert float(theirs.getTargetMin()) == -1.0 and float(theirs.getTargetMax()) == 1.0
        np.testing.assert_array_equal(to_numpy(theirs.getMin()).reshape(-1), norm.min.reshape(-1))
    else:
        assert float(theirs.getMaxPixelVal()) == norm.maxPixelVal
