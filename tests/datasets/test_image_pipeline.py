"""The image pipeline without the JVM: java.util.Random, splits, threads and prefetching, transforms, file
iterators, streaming featurize. (Pixel parity with DL4J: test_images_live_dl4j.py.)"""

import threading

import numpy as np
import pytest

from pydl4j_transfer.data import (
    AsyncDataSetIterator,
    BalancedPathFilter,
    CollectionInputSplit,
    CropImageTransform,
    DataSet,
    ExistingMiniBatchDataSetIterator,
    FileDataSetIterator,
    FileSplit,
    FlipImageTransform,
    ImageRecordReader,
    JavaRandom,
    ListDataSetIterator,
    NativeImageLoader,
    ParentPathLabelGenerator,
    PipelineImageTransform,
    RecordReaderDataSetIterator,
    ScaleImageTransform,
)
from pydl4j_transfer.data.images import resize_linear, write_png
from pydl4j_transfer.errors import ImageDecodeError


def test_java_random_sequences():
    """Values Java prints for new Random(42) / new Random(0) (every method against the JVM: the live test)."""
    r = JavaRandom(42)
    assert [r.nextInt() for _ in range(3)] == [-1170105035, 234785527, -1360544799]
    r = JavaRandom(42)
    assert [r.nextInt(10) for _ in range(5)] == [0, 3, 8, 4, 0]
    assert JavaRandom(0).nextDouble() == 0.730967787376657


def _folder(root, counts=(("a", 3), ("b", 2), ("c", 4)), size=(10, 12)):
    rng = np.random.default_rng(0)
    for label, n in counts:
        (root / label).mkdir(parents=True)
        for i in range(n):
            write_png(root / label / f"{i}.png", rng.integers(0, 256, (*size, 3), dtype=np.uint8))
    (root / "a" / "notes.txt").write_text("not an image")
    return root


def test_file_split_order_filter_and_reshuffle(tmp_path):
    root = _folder(tmp_path)
    plain = FileSplit(root, ["png"])
    assert len(plain.locations()) == 9 and all(p.endswith(".png") for p in plain.locations())
    assert list(plain.locationsPathIterator()) == plain.locations()  # no Random: listing order
    s1, s2 = FileSplit(root, ["png"], JavaRandom(7)), FileSplit(root, ["png"], seed=7)
    o1 = list(s1.locationsPathIterator())
    assert o1 == list(s2.locationsPathIterator()) and sorted(o1) == sorted(plain.locations())
    assert s1.locations() == plain.locations()  # locations() keeps the listing order
    s1.reset()
    assert list(s1.locationsPathIterator()) != o1  # reset draws a new order (as DL4J's)
    assert len(FileSplit(root).locations()) == 10  # no format filter: the .txt too


def test_sample_and_balanced_filter(tmp_path):
    root = _folder(tmp_path)
    split = FileSplit(root, ["png"])
    parts = split.sample(BalancedPathFilter(JavaRandom(1), ["png"], ParentPathLabelGenerator()), 80, 20)
    balanced = parts[0].locations() + parts[1].locations()
    labels = [ParentPathLabelGenerator().getLabelForPath(p) for p in balanced]
    assert sorted(labels) == ["a", "a", "b", "b", "c", "c"]  # two per label (the smallest label's count)
    assert (len(parts[0].locations()), len(parts[1].locations())) == (5, 1)  # Math.round(0.8 * 6) = 5
    assert split.sample(None, 1.0)[0].locations() == split.locations()


def test_image_record_reader_over_a_file_list_and_one_record(tmp_path):
    root = _folder(tmp_path)
    files = sorted(str(p) for p in root.rglob("*.png"))[:4]
    reader = ImageRecordReader(8, 6, 3, ParentPathLabelGenerator())
    reader.initialize(files)
    assert isinstance(reader.inputSplit, CollectionInputSplit) and reader.getLabels() == ["a", "b"]
    img, label = reader.next()
    assert img.shape == (1, 3, 8, 6) and img.dtype == np.float32 and label == 0
    np.testing.assert_array_equal(img, NativeImageLoader(8, 6, 3).asMatrix(files[0]))
    feats, onehot = reader.next(5)
    assert feats.shape == (3, 3, 8, 6) and onehot.shape == (3, 2) and not reader.hasNext()


def _epochs(root, workers, prefetch, batch=2, epochs=2, transform=None, seed=3):
    reader = ImageRecordReader(8, 8, 3, ParentPathLabelGenerator(), transform)
    reader.initialize(FileSplit(root, ["png"], JavaRandom(seed)))
    it = RecordReaderDataSetIterator(reader, batch, 1, reader.numLabels(), workers=workers, prefetch=prefetch)
    out = []
    for _ in range(epochs):
        out.append([(d.features.copy(), d.labels.copy()) for d in it])
    it.close()
    return out


@pytest.mark.parametrize("workers,prefetch", [(1, 0), (2, 1), (4, 3)])
def test_threads_and_prefetch_keep_the_sequential_result(tmp_path, workers, prefetch):
    root = _folder(tmp_path)
    transform = PipelineImageTransform(FlipImageTransform(JavaRandom(1)), CropImageTransform(JavaRandom(2), 2),
                                       ScaleImageTransform(JavaRandom(3), 3.0))
    ref = _epochs(root, 0, 0, transform=transform)
    transform = PipelineImageTransform(FlipImageTransform(JavaRandom(1)), CropImageTransform(JavaRandom(2), 2),
                                       ScaleImageTransform(JavaRandom(3), 3.0))
    got = _epochs(root, workers, prefetch, transform=transform)
    assert [len(e) for e in got] == [5, 5]
    for e_ref, e_got in zip(ref, got):
        for (f1, l1), (f2, l2) in zip(e_ref, e_got):
            np.testing.assert_array_equal(f1, f2)
            np.testing.assert_array_equal(l1, l2)
    assert not np.array_equal(got[0][0][0], got[1][0][0])  # a new order after reset


def test_next_with_another_size_and_max_batches(tmp_path):
    root = _folder(tmp_path)
    reader = ImageRecordReader(8, 8, 3, ParentPathLabelGenerator())
    reader.initialize(FileSplit(root, ["png"]))
    it = RecordReaderDataSetIterator(reader, 2, 1, 3, workers=2, prefetch=2)
    sizes = [it.next().numExamples(), it.next(3).numExamples()]
    while it.hasNext():
        sizes.append(it.next().numExamples())
    assert sizes == [2, 3, 2, 2] and sum(sizes) == 9
    reader.reset()
    capped = RecordReaderDataSetIterator(reader, 2, 1, 3, maxNumBatches=2, workers=2)
    assert [d.numExamples() for d in capped] == [2, 2]


def test_a_corrupt_file_raises_naming_it_and_no_thread_is_left(tmp_path):
    root = _folder(tmp_path)
    (root / "b" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n garbage")
    before = set(threading.enumerate())  # threads other tests left running may end meanwhile: compare sets
    reader = ImageRecordReader(8, 8, 3, ParentPathLabelGenerator())
    reader.initialize(FileSplit(root, ["png"]))
    it = RecordReaderDataSetIterator(reader, 4, 1, 3, workers=2)
    with pytest.raises(ImageDecodeError, match="broken.png"):
        list(it)
    it.close()
    assert [t for t in threading.enumerate() if t not in before] == []
    with pytest.raises(ImageDecodeError, match="Cannot convert from 3 to 2 channels"):
        NativeImageLoader(4, 4, 2).asMatrix(next(root.rglob("0.png")))


def test_resize_16_bit_rounds_as_opencv_4_5_5():
    img = np.array([[[0], [65535]], [[65535], [0]]], dtype=np.uint16)
    out = resize_linear(img, 3, 3)
    assert out.dtype == np.uint16 and out[1, 1, 0] == 32768  # 32767.5 rounds to even
    np.testing.assert_array_equal(resize_linear(np.full((5, 7, 3), 77, np.uint8), 3, 4), 77)


def test_async_iterator_order_errors_and_reset():
    data = [DataSet(np.full((2, 3), i, np.float32), np.zeros((2, 1), np.float32)) for i in range(7)]
    it = AsyncDataSetIterator(ListDataSetIterator(data, 1), 3)
    for _ in range(2):
        assert [int(d.features[0, 0]) for d in it] == list(range(7))

    class Failing(ListDataSetIterator):
        def _next(self, num):
            if self.curr == 2:
                raise RuntimeError("boom at 2")
            return super()._next(num)

    failing = AsyncDataSetIterator(Failing(data, 1))
    assert failing.next().features[0, 0] == 0 and failing.next().features[0, 0] == 1
    with pytest.raises(RuntimeError, match="boom at 2"):
        failing.next()
    failing.shutdown()


def test_async_multi_dataset_iterator_keeps_the_order():
    from pydl4j_transfer.data import AsyncMultiDataSetIterator, ListMultiDataSetIterator, MultiDataSet

    data = [MultiDataSet([np.full((1, 2), i, np.float32)], [np.zeros((1, 1), np.float32)]) for i in range(5)]
    it = AsyncMultiDataSetIterator(ListMultiDataSetIterator(data, 2), 2)
    assert [d.getFeatures(0)[:, 0].tolist() for d in it] == [[0, 1], [2, 3], [4]]
    with pytest.raises(NotImplementedError):
        it.next(3)


def test_existing_minibatch_and_file_iterators(tmp_path):
    data = [DataSet(np.full((3, 2), i, np.float32), np.eye(3, dtype=np.float32)) for i in range(4)]
    for i, d in enumerate(data):
        d.save(tmp_path / f"dataset-{i}.bin")
    (tmp_path / "readme.txt").write_text("other files do not count")
    it = ExistingMiniBatchDataSetIterator(tmp_path)
    assert len(it) == 4 and [int(d.features[0, 0]) for d in it] == [0, 1, 2, 3]
    files = FileDataSetIterator(tmp_path, True, JavaRandom(5), 4, "bin")
    got = list(files)
    assert [d.numExamples() for d in got] == [4, 4, 4]
    assert sorted(DataSet.merge(got).features[:, 0].tolist()) == sorted([i for i in range(4) for _ in range(3)])


def test_streaming_featurize_writes_dl4j_files_and_fits_from_them(tmp_path):
    from pydl4j_transfer.transfer import TransferLearningHelper

    from ..transfer.tl_support import mln

    rng = np.random.default_rng(0)
    data = [DataSet(rng.standard_normal((5, 4)).astype(np.float32), np.eye(2, dtype=np.float32)[rng.integers(0, 2, 5)])
            for _ in range(6)]
    helper = TransferLearningHelper(mln(), frozenTill=1)
    in_memory = helper.featurize(ListDataSetIterator(data, 1))
    (tmp_path / "train-9.bin").write_bytes(b"stale file of an earlier, longer run")
    files = helper.featurize(ListDataSetIterator(data, 1), saveTo=tmp_path, pattern="train-%d.bin")
    assert isinstance(files, ExistingMiniBatchDataSetIterator) and len(files) == 6
    assert (tmp_path / "train-9.bin").exists()  # not an index this run continues from: left alone
    for a, b in zip(in_memory, files):
        np.testing.assert_array_equal(a.features, b.features)
        np.testing.assert_array_equal(a.labels, b.labels)
    npy = helper.featurize(ListDataSetIterator(data, 1), saveTo=tmp_path / "npy", fmt="npy")
    first = npy.next()
    feats = first.features
    assert not feats.flags.owndata and not feats.flags.writeable  # a read-only view of the mapped file
    np.testing.assert_array_equal(first.features, in_memory[0].features)
    # fitting from the files gives the same parameters as fitting from the list in memory
    other = TransferLearningHelper(mln(), frozenTill=1)
    other.fitFeaturized(ListDataSetIterator(in_memory, 1))
    helper.fitFeaturized(AsyncDataSetIterator(files))
    np.testing.assert_allclose(helper.unfrozenMLN().params(), other.unfrozenMLN().params(), rtol=1e-6)
