"""Normalizers' Java overloads against real DL4J 1.0.0-M2.1: fit(DataSet | DataSetIterator), transform / preProcess /
revert on DataSets and arrays (in place, as in Java), labels with fitLabel(true), masked time series, images."""

import numpy as np
import pytest

from pydl4j_transfer.data import (DataSet, ImagePreProcessingScaler, ListDataSetIterator, MultiDataSet,
                                  NormalizerMinMaxScaler, NormalizerStandardize, NormalizerType, VGG16ImagePreProcessor)
from pydl4j_transfer.errors import InvalidConfigurationError


def _j(name):
    from pydl4j_transfer.dl4j_backend import jclass

    return jclass(name)


def _arr(a):
    from pydl4j_transfer.dl4j_backend import to_indarray

    return None if a is None else to_indarray(np.ascontiguousarray(a))


def _np(x):
    from pydl4j_transfer.dl4j_backend import to_numpy

    return None if x is None else to_numpy(x)


def _jds(ds):
    return _j("org.nd4j.linalg.dataset.DataSet")(_arr(ds.features), _arr(ds.labels), _arr(ds.featuresMask),
                                                 _arr(ds.labelsMask))


def _cases(r):
    f32 = np.float32
    return {
        "2d": [DataSet((r.random((6, 3)) * 5).astype(f32), r.random((6, 2)).astype(f32)) for _ in range(3)],
        "masked_rnn": [DataSet(r.random((2, 3, 5)).astype(f32), r.random((2, 2, 5)).astype(f32),
                               np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]], f32),
                               np.array([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1]], f32)) for _ in range(2)],
        "cnn": [DataSet((r.random((2, 3, 4, 4)) * 255).astype(f32), r.random((2, 2)).astype(f32)) for _ in range(2)],
        "constant_feature": [DataSet(np.concatenate([np.ones((4, 1), f32), r.random((4, 2)).astype(f32)], 1),
                                     r.random((4, 1)).astype(f32))],
    }


MAKERS = {
    "standardize": (lambda: NormalizerStandardize(),
                    lambda: _j("org.nd4j.linalg.dataset.api.preprocessor.NormalizerStandardize")(),
                    ("getMean", "getStd"), ("getLabelMean", "getLabelStd")),
    "minmax": (lambda: NormalizerMinMaxScaler(-1.0, 2.0),
               lambda: _j("org.nd4j.linalg.dataset.api.preprocessor.NormalizerMinMaxScaler")(-1.0, 2.0),
               ("getMin", "getMax"), ("getLabelMin", "getLabelMax")),
}


@pytest.mark.dl4j
@pytest.mark.parametrize("fit_label", [False, True], ids=["features", "fitLabel"])
@pytest.mark.parametrize("kind", sorted(MAKERS))
@pytest.mark.parametrize("case", ["2d", "masked_rnn", "cnn", "constant_feature"])
def test_fit_iterator_and_dataset_then_transform_and_revert_match_dl4j(case, kind, fit_label):
    datasets = _cases(np.random.default_rng(7))[case]
    make_ours, make_theirs, feature_getters, label_getters = MAKERS[kind]
    ours, theirs = make_ours(), make_theirs()
    ours.fitLabel(fit_label)
    theirs.fitLabel(fit_label)
    jlist = _j("java.util.ArrayList")()
    for ds in datasets:
        jlist.add(_jds(ds))
    if len(datasets) > 1:  # fit(DataSetIterator): batches of one DataSet each
        ours.fit(_iterator(datasets))
        theirs.fit(_j("org.deeplearning4j.datasets.iterator.ExistingDataSetIterator")(jlist))
    else:  # fit(DataSet)
        ours.fit(datasets[0].copy())
        theirs.fit(jlist.get(0))
    for name in feature_getters + (label_getters if fit_label else ()):
        np.testing.assert_allclose(getattr(ours, name)(), _np(getattr(theirs, name)()), rtol=2e-5, atol=1e-6,
                                   err_msg=name)
    ds = datasets[0].copy()
    features = ds.features  # transform(DataSet) works in place, on the arrays the DataSet holds
    ours.transform(ds)
    jds = _jds(datasets[0])
    theirs.transform(jds)
    assert ds.features is features
    np.testing.assert_allclose(ds.features, _np(jds.getFeatures()), rtol=2e-5, atol=2e-5)
    np.testing.assert_allclose(ds.labels, _np(jds.getLabels()), rtol=2e-5, atol=2e-5)
    ours.revert(ds)
    theirs.revert(jds)
    np.testing.assert_allclose(ds.features, _np(jds.getFeatures()), rtol=2e-5, atol=2e-4)
    x = datasets[0].features.copy()  # transform(INDArray): void in Java, in place here too
    jx = _arr(x)
    assert ours.transform(x) is x
    theirs.transform(jx)
    np.testing.assert_allclose(x, _np(jx), rtol=2e-5, atol=2e-5)
    assert ours.getType() is NormalizerType[str(theirs.getType().name())]


def _iterator(datasets):
    return ListDataSetIterator([d.copy() for d in datasets], 1)


@pytest.mark.dl4j
def test_image_scalers_match_dl4j():
    x = (np.random.default_rng(1).random((2, 3, 4, 4)) * 255).astype(np.float32)
    for ours, theirs in ((ImagePreProcessingScaler(-1, 1), _j("org.nd4j.linalg.dataset.api.preprocessor."
                                                             "ImagePreProcessingScaler")(-1.0, 1.0)),
                         (VGG16ImagePreProcessor(), _j("org.nd4j.linalg.dataset.api.preprocessor."
                                                       "VGG16ImagePreProcessor")())):
        mine, jx = x.copy(), _arr(x)
        ours.transform(mine)
        theirs.transform(jx)
        np.testing.assert_allclose(mine, _np(jx), rtol=1e-6, atol=1e-5)
        ours.revertFeatures(mine)
        theirs.revertFeatures(jx)
        np.testing.assert_allclose(mine, _np(jx), rtol=1e-6, atol=1e-4)
        assert ours.getType().name == str(theirs.getType().name())
        assert ours.isFitLabel() == bool(theirs.isFitLabel())
    scaler, jscaler = ImagePreProcessingScaler(0, 1, 16), _j("org.nd4j.linalg.dataset.api.preprocessor."
                                                             "ImagePreProcessingScaler")(0.0, 1.0, 16)
    for name in ("getMinRange", "getMaxRange", "getMaxPixelVal", "getMaxBits", "isFitLabels"):
        assert getattr(scaler, name)() == getattr(jscaler, name)(), name


def test_multidatasets_are_refused_with_what_to_do(tmp_path):
    norm = NormalizerStandardize()
    mds = MultiDataSet([np.ones((2, 3), np.float32)], [np.ones((2, 1), np.float32)])
    with pytest.raises(InvalidConfigurationError, match="MultiNormalizerStandardize"):
        norm.fit(mds)
    with pytest.raises(InvalidConfigurationError, match="fit\\(\\) first"):
        norm.transform(np.ones((2, 3), np.float32))
    norm.fit(np.ones((4, 3), np.float32))
    for wrong in (ListDataSetIterator([DataSet(np.ones((2, 3), np.float32), None)], 1), "text", None):
        with pytest.raises(InvalidConfigurationError, match="expected a features/labels array"):
            norm.transform(wrong)


def test_save_and_load_statistics(tmp_path):
    norm = NormalizerStandardize().fitLabel(True)
    norm.fit(DataSet(np.arange(12, dtype=np.float32).reshape(4, 3), np.arange(4, dtype=np.float32).reshape(4, 1)))
    files = [tmp_path / f"{i}.bin" for i in range(4)]
    norm.save(*files)
    back = NormalizerStandardize().fitLabel(True).load(*files)
    np.testing.assert_array_equal(back.getMean(), norm.getMean())
    np.testing.assert_array_equal(back.getLabelStd(), norm.getLabelStd())


@pytest.mark.dl4j
@pytest.mark.parametrize("kind", ["standardize", "minmax"])
def test_multi_normalizers_fit_transform_and_normalizer_bin_match_dl4j(kind):
    from pydl4j_transfer.data import (ListMultiDataSetIterator, MultiNormalizerMinMaxScaler,
                                      MultiNormalizerStandardize, read_normalizer, write_normalizer)

    r = np.random.default_rng(3)
    f32 = np.float32
    batches = [MultiDataSet([(r.random((4, 3)) * 3).astype(f32), r.random((4, 2, 5)).astype(f32)],
                            [r.random((4, 2)).astype(f32)]) for _ in range(3)]
    ours = (MultiNormalizerStandardize() if kind == "standardize" else MultiNormalizerMinMaxScaler(-1, 1)).fitLabel(True)
    theirs = (_j("org.nd4j.linalg.dataset.api.preprocessor.MultiNormalizerStandardize")() if kind == "standardize"
              else _j("org.nd4j.linalg.dataset.api.preprocessor.MultiNormalizerMinMaxScaler")(-1.0, 1.0))
    theirs.fitLabel(True)
    ours.fit(ListMultiDataSetIterator([b.copy() for b in batches], 1))
    JMDS = _j("org.nd4j.linalg.dataset.MultiDataSet")
    jbatches = [JMDS([_arr(x) for x in b.features], [_arr(y) for y in b.labels]) for b in batches]
    theirs.fit(_merged(jbatches))  # fit(MultiDataSet) on the union: the same statistics as our iterator fit
    getters = (("getFeatureMean", "getFeatureStd") if kind == "standardize" else ("getMin", "getMax"))
    for name in getters:
        for i in range(2):
            np.testing.assert_allclose(getattr(ours, name)(i), _np(getattr(theirs, name)(i)), rtol=2e-5, atol=1e-6)
    mine = batches[0].copy()
    ours.transform(mine)
    jmds = JMDS([_arr(x) for x in batches[0].features], [_arr(y) for y in batches[0].labels])
    theirs.transform(jmds)
    for i in range(2):
        np.testing.assert_allclose(mine.getFeatures(i), _np(jmds.getFeatures(i)), rtol=2e-5, atol=2e-5)
    np.testing.assert_allclose(mine.getLabels(0), _np(jmds.getLabels(0)), rtol=2e-5, atol=2e-5)
    # normalizer.bin: DL4J reads ours, we read DL4J's
    serializer = _j("org.nd4j.linalg.dataset.api.preprocessor.serializer.NormalizerSerializer").getDefault()
    restored = serializer.restore(_j("java.io.ByteArrayInputStream")(write_normalizer(ours)))
    np.testing.assert_allclose(_np(getattr(restored, getters[0])(1)), getattr(ours, getters[0])(1), rtol=1e-6)
    out = _j("java.io.ByteArrayOutputStream")()
    serializer.write(theirs, out)
    back = read_normalizer(bytes(out.toByteArray()))
    assert type(back) is type(ours) and back.numInputs() == 2 and back.isFitLabel()
    np.testing.assert_allclose(getattr(back, getters[1])(0), _np(getattr(theirs, getters[1])(0)), rtol=1e-6)


def _merged(jbatches):
    """One Java MultiDataSet of all batches (fit(MultiDataSet): the statistics are those of the union)."""
    JMDS = _j("org.nd4j.linalg.dataset.MultiDataSet")
    lst = _j("java.util.ArrayList")()
    for b in jbatches:
        lst.add(b)
    return JMDS.merge(lst)
