"""DataSet / MultiDataSet binary files and VGG16ImagePreProcessor against real DL4J 1.0.0-M2.1 (JPype)."""

import numpy as np
import pytest

from pydl4j_transfer.data import DataSet, MultiDataSet, VGG16ImagePreProcessor

pytestmark = pytest.mark.dl4j


def _j(name):
    import jpype

    return jpype.JClass(name)


def _arr(a):
    from pydl4j_transfer.dl4j_backend import to_indarray

    return None if a is None else to_indarray(a)


def _np(x):
    from pydl4j_transfer.dl4j_backend import to_numpy

    return None if x is None else to_numpy(x)


CASES = {
    "plain": lambda r: DataSet(r.random((5, 3)).astype(np.float32), np.eye(2, dtype=np.float32)[r.integers(0, 2, 5)]),
    "masks_3d": lambda r: DataSet(r.random((2, 3, 4)).astype(np.float32), r.random((2, 2, 4)),
                                  np.ones((2, 4), np.float32), np.array([[1, 1, 0, 0], [1, 1, 1, 1]], np.float32)),
    "features_only_cnn": lambda r: DataSet(r.random((2, 3, 4, 4)).astype(np.float32), None),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_python_saved_dataset_loads_in_java(jvm, tmp_path, case):
    ds = CASES[case](np.random.default_rng(0))
    path = tmp_path / "ds.bin"
    ds.save(path)
    jds = _j("org.nd4j.linalg.dataset.DataSet")()
    jds.load(_j("java.io.File")(str(path)))
    for ours, theirs in ((ds.features, jds.getFeatures()), (ds.labels, jds.getLabels()),
                         (ds.featuresMask, jds.getFeaturesMaskArray()), (ds.labelsMask, jds.getLabelsMaskArray())):
        if ours is None:
            assert theirs is None
        else:
            np.testing.assert_array_equal(_np(theirs), ours)


@pytest.mark.parametrize("case", sorted(CASES))
def test_java_saved_dataset_loads_here(jvm, tmp_path, case):
    ds = CASES[case](np.random.default_rng(1))
    jds = _j("org.nd4j.linalg.dataset.DataSet")(_arr(ds.features), _arr(ds.labels), _arr(ds.featuresMask),
                                                _arr(ds.labelsMask))
    path = tmp_path / "java.bin"
    jds.save(_j("java.io.File")(str(path)))
    back = DataSet.load(path)
    assert back == ds
    assert back.toBytes() == path.read_bytes()  # byte-identical re-encoding


def test_multidataset_both_ways(jvm, tmp_path):
    r = np.random.default_rng(2)
    f1, f2 = r.random((3, 4)).astype(np.float32), r.random((3, 2, 5)).astype(np.float32)
    l1 = np.eye(3, dtype=np.float32)
    mask = np.ones((3, 5), np.float32)
    ours = MultiDataSet([f1, f2], [l1], [None, mask], None)
    ours.save(tmp_path / "py.bin")
    INDArray = _j("org.nd4j.linalg.api.ndarray.INDArray")
    import jpype

    jm = _j("org.nd4j.linalg.dataset.MultiDataSet")()
    jm.load(_j("java.io.File")(str(tmp_path / "py.bin")))
    assert jm.numFeatureArrays() == 2 and jm.numLabelsArrays() == 1
    np.testing.assert_array_equal(_np(jm.getFeatures(1)), f2)
    # DL4J maps the [-1] placeholder back to null only once its thread-local placeholder exists
    # (created by a save in that thread); before that its load returns the placeholder itself.
    m0 = jm.getFeaturesMaskArray(0)
    assert m0 is None or np.array_equal(_np(m0), [-1.0])
    np.testing.assert_array_equal(_np(jm.getFeaturesMaskArray(1)), mask)
    assert jm.getLabelsMaskArrays() is None

    arr = jpype.JArray(INDArray)
    jm2 = _j("org.nd4j.linalg.dataset.MultiDataSet")(arr([_arr(f1), _arr(f2)]), arr([_arr(l1)]),
                                                     arr([None, _arr(mask)]), None)
    jm2.save(_j("java.io.File")(str(tmp_path / "java.bin")))
    back = MultiDataSet.load(tmp_path / "java.bin")
    assert back == ours
    assert back.toBytes() == (tmp_path / "java.bin").read_bytes()


def test_vgg16_preprocessor_matches_dl4j(jvm):
    x = np.random.default_rng(3).random((2, 3, 4, 5)).astype(np.float32) * 255
    jx = _arr(x)
    _j("org.nd4j.linalg.dataset.api.preprocessor.VGG16ImagePreProcessor")().preProcess(jx)
    np.testing.assert_allclose(VGG16ImagePreProcessor().transform(x), _np(jx), rtol=1e-6, atol=1e-4)
