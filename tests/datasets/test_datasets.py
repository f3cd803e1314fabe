"""DataSet / MultiDataSet / iterators / image pipeline, numpy side; JVM parity in test_datasets_live_dl4j.py."""

import io

import numpy as np
import pytest

from pydl4j_transfer.data import (
    DataSet, ImageFolderDataSetIterator, ListDataSetIterator, MultiDataSet, NormalizerStandardize,
    VGG16ImagePreProcessor, fromNumpy, fromTorch, trainTestSplit,
)
from pydl4j_transfer.data.images import read_image, write_png


def _ds(n=10, masks=False):
    rng = np.random.default_rng(1)
    f = rng.random((n, 4)).astype(np.float32)
    l = np.eye(3, dtype=np.float32)[rng.integers(0, 3, n)]
    return DataSet(f, l, np.ones((n, 4), np.float32) if masks else None, None)


def test_dataset_accessors_and_roundtrip():
    ds = _ds(masks=True)
    assert ds.numExamples() == 10 and ds.numInputs() == 4 and ds.numOutcomes() == 3
    assert ds.getFeaturesMaskArray().shape == (10, 4) and ds.getLabelsMaskArray() is None
    back = DataSet.load(ds.toBytes())
    assert back == ds
    assert DataSet.load(io.BytesIO(ds.toBytes())) == ds


def test_labels_same_as_features_flag(tmp_path):
    f = np.arange(6, dtype=np.float64).reshape(2, 3)
    ds = DataSet(f, None)
    ds.labels = ds.features
    raw = ds.toBytes()
    assert raw[0] == 1 | 4
    ds.save(tmp_path / "x.bin")
    back = DataSet.load(tmp_path / "x.bin")
    assert back.labels is back.features and np.array_equal(back.features, f)


def test_split_shuffle_aslist_merge():
    ds = _ds(10)
    s = ds.splitTestAndTrain(0.7, seed=3)
    assert s.getTrain().numExamples() == 7 and s.getTest().numExamples() == 3
    s2 = ds.splitTestAndTrain(0.7, seed=3)
    assert s2.getTrain() == s.getTrain()
    assert DataSet.merge([s.getTrain(), s.getTest()]).numExamples() == 10
    parts = ds.asList()
    assert len(parts) == 10 and parts[3].features.shape == (1, 4)
    assert DataSet.merge(parts) == ds
    c = ds.copy()
    c.shuffle(seed=5)
    assert sorted(map(tuple, c.features)) == sorted(map(tuple, ds.features)) and c != ds
    with pytest.raises(ValueError):
        ds.splitTestAndTrain(1.5)


def test_multidataset_roundtrip_with_null_mask():
    f = np.ones((2, 3), np.float32)
    m = MultiDataSet([f, f * 2], [np.eye(2, dtype=np.float32)], [f, None], None)
    back = MultiDataSet.load(m.toBytes())
    assert back == m and back.getFeaturesMaskArray(1) is None and back.getLabelsMaskArrays() is None
    assert m.numFeatureArrays() == 2 and m.numLabelsArrays() == 1 and m.numExamples() == 2
    assert MultiDataSet.merge(m.asList()) == m


def test_list_iterator_protocol():
    ds = _ds(10)
    it = ListDataSetIterator(ds.asList(), 4)
    assert it.batch() == 4 and it.totalExamples() == 10 and it.inputColumns() == 4 and it.totalOutcomes() == 3
    sizes = []
    while it.hasNext():
        sizes.append(it.next().numExamples())
    assert sizes == [4, 4, 2]
    it.reset()
    assert [d.numExamples() for d in it] == [4, 4, 2]
    assert [d.numExamples() for d in it] == [4, 4, 2]  # iteration resets
    norm = NormalizerStandardize().fit(ds.features)
    it.setPreProcessor(norm)
    got = DataSet.merge(list(it))
    np.testing.assert_allclose(got.features, norm.transform(ds.features), rtol=1e-6)
    np.testing.assert_array_equal(ds.features, ListDataSetIterator(ds.asList(), 10).next().features)  # stored data untouched


def test_numpy_and_torch_adapters_and_split():
    ds = _ds(10)
    it = fromNumpy(ds.features, ds.labels, batchSize=3)
    assert [d.numExamples() for d in it] == [3, 3, 3, 1]
    it = fromNumpy(ds.features, ds.labels, batchSize=5, shuffle=True, seed=0)
    assert DataSet.merge(list(it)).features.shape == (10, 4)
    tr, te = trainTestSplit(ds.features, ds.labels, 0.8, batchSize=4, seed=1)
    assert tr.totalExamples() == 8 and te.totalExamples() == 2
    torch = pytest.importorskip("torch")
    x, y = torch.from_numpy(ds.features), torch.from_numpy(ds.labels.argmax(1))
    it = fromTorch(x, y, batchSize=4, numClasses=3)
    got = DataSet.merge(list(it))
    np.testing.assert_array_equal(got.labels, ds.labels)
    loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(x, y), batch_size=4)
    it = fromTorch(loader, numClasses=3)
    assert [d.numExamples() for d in it] == [4, 4, 2] and it.totalExamples() == 10 and it.batch() == 4
    got = DataSet.merge(list(it))
    np.testing.assert_array_equal(got.features, ds.features)
    np.testing.assert_array_equal(got.labels, ds.labels)
    assert it.totalOutcomes() == 3


def test_vgg16_preprocessor_bgr_means():
    x = np.zeros((1, 3, 2, 2), np.float32)
    ds = DataSet(x.copy(), np.ones((1, 2), np.float32))
    VGG16ImagePreProcessor().preProcess(ds)
    np.testing.assert_allclose(ds.features[0, :, 0, 0], [-103.939, -116.779, -123.68], rtol=1e-6)
    np.testing.assert_allclose(VGG16ImagePreProcessor().revertFeatures(ds.features), x, atol=1e-4)


def test_png_codec_and_bgr_order(tmp_path):
    rgb = np.zeros((4, 5, 3), np.uint8)
    rgb[..., 0] = 200  # red
    rgb[1, 2] = (10, 20, 30)
    write_png(tmp_path / "a.png", rgb)
    img = read_image(tmp_path / "a.png", 4, 5, 3)
    assert img.shape == (3, 4, 5) and img.dtype == np.float32
    assert img[2, 0, 0] == 200 and img[0, 0, 0] == 0  # channel 2 = R (BGR)
    assert tuple(img[:, 1, 2]) == (30, 20, 10)
    grey = read_image(tmp_path / "a.png", 2, 2, 1)
    assert grey.shape == (1, 2, 2)
    # resize: a constant image stays constant
    write_png(tmp_path / "c.png", np.full((6, 6, 3), 77, np.uint8))
    assert np.all(read_image(tmp_path / "c.png", 3, 4, 3) == 77)


def test_image_folder_iterator(tmp_path):
    rng = np.random.default_rng(0)
    for label, value in (("dog", 50), ("cat", 100), ("Zebra", 150)):
        (tmp_path / label).mkdir()
        for i in range(3):
            write_png(tmp_path / label / f"{i}.png", np.full((8, 6, 3), value, np.uint8) + rng.integers(0, 2, (8, 6, 3)).astype(np.uint8))
    (tmp_path / "dog" / "notes.txt").write_text("ignored")
    it = ImageFolderDataSetIterator(tmp_path, 4, 4, 3, batchSize=4)
    assert it.getLabels() == ["Zebra", "cat", "dog"]  # Java String order: upper case first
    batches = list(it)
    assert [b.numExamples() for b in batches] == [4, 4, 1]
    ds = DataSet.merge(batches)
    assert ds.features.shape == (9, 3, 4, 4) and ds.labels.shape == (9, 3)
    means = ds.features.mean(axis=(1, 2, 3))
    for row, m in zip(ds.labels.argmax(1), means):
        assert abs(m - {0: 150, 1: 100, 2: 50}[row]) < 2
    it.setPreProcessor(VGG16ImagePreProcessor())
    it.reset()
    np.testing.assert_allclose(it.next().features, VGG16ImagePreProcessor().transform(batches[0].features))
