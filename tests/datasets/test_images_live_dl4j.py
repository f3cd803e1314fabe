"""The image pipeline against DataVec 1.0.0-M2.1 itself (JPype): the same files, seeds and calls on both sides.

The judge is DL4J's own NativeImageLoader / ImageRecordReader / RecordReaderDataSetIterator / FileSplit /
BalancedPathFilter / image transforms, run in the JVM on files these tests write (image_files.py).
"""

import numpy as np
import pytest

from pydl4j_transfer.data import (
    BalancedPathFilter,
    CropImageTransform,
    FileSplit,
    FlipImageTransform,
    ImageRecordReader,
    JavaRandom,
    NativeImageLoader,
    ParentPathLabelGenerator,
    PipelineImageTransform,
    RecordReaderDataSetIterator,
    ResizeImageTransform,
    ScaleImageTransform,
    WarpImageTransform,
)
from pydl4j_transfer.errors import ImageDecodeError

from .image_files import FORMATS, write_images

pytestmark = pytest.mark.dl4j

# (height, width, channels): no resize (-1), down, up, non-square, grey, RGBA
SHAPES = [(-1, -1, -1), (24, 24, 3), (50, 70, 3), (224, 224, 3), (16, 20, 1), (30, 30, 4)]


def _j(name):
    from pydl4j_transfer.dl4j_backend import jclass

    return jclass(name)


def _np(x):
    from pydl4j_transfer.dl4j_backend import to_numpy

    return to_numpy(x)


def _file(p):
    return _j("java.io.File")(str(p))


def test_java_random_matches_java_util_random(jvm):
    for seed in (0, 42, -7, 2**40 + 3):
        jr, ours = _j("java.util.Random")(seed), JavaRandom(seed)
        for bound in (1, 2, 7, 16, 1000, 2**30 + 1):
            assert [jr.nextInt(bound) for _ in range(50)] == [ours.nextInt(bound) for _ in range(50)]
        assert [int(jr.nextInt()) for _ in range(20)] == [ours.nextInt() for _ in range(20)]
        assert [int(jr.nextLong()) for _ in range(20)] == [ours.nextLong() for _ in range(20)]
        assert [float(jr.nextFloat()) for _ in range(20)] == [ours.nextFloat() for _ in range(20)]
        assert [float(jr.nextDouble()) for _ in range(20)] == [ours.nextDouble() for _ in range(20)]
        assert [bool(jr.nextBoolean()) for _ in range(20)] == [ours.nextBoolean() for _ in range(20)]
        # Java's StrictMath.log (fdlibm) and the C library's log may differ in the last bit
        np.testing.assert_allclose([float(jr.nextGaussian()) for _ in range(20)],
                                   [ours.nextGaussian() for _ in range(20)], rtol=1e-15)


@pytest.fixture(scope="module")
def images(tmp_path_factory):
    return write_images(tmp_path_factory.mktemp("images"))


def _dl4j_matrix(path, shape):
    h, w, c = shape
    loader = _j("org.datavec.image.loader.NativeImageLoader")
    loader = loader() if h < 0 else loader(h, w, c)
    return _np(loader.asMatrix(_file(path)))


@pytest.mark.parametrize("name", [n for n in FORMATS if n not in ("palette.gif", "truncated.jpg")])
def test_native_image_loader_pixels_are_dl4j_s(jvm, images, name):
    for shape in SHAPES:
        theirs = _dl4j_matrix(images[name], shape)
        ours = NativeImageLoader(*shape).asMatrix(images[name])
        assert ours.dtype == np.float32 and ours.shape == theirs.shape, (name, shape)
        diff = np.abs(ours - theirs)
        assert diff.max() == 0, f"{name} {shape}: {int((diff > 0).sum())} pixels differ, by up to {diff.max()}"


def test_gif_dl4j_fails_we_decode_it_as_the_same_palette_png(jvm, images):
    """Deviation (docs/deviations.md): DL4J's OpenCV 4.5.5 has no GIF decoder and its Leptonica fallback
    is unreachable, so DL4J throws; ours decodes GIF to the same pixels DL4J gives for the same image as PNG."""
    import jpype

    with pytest.raises(jpype.JException, match="Could not decode image"):
        _dl4j_matrix(images["palette.gif"], (24, 24, 3))
    for shape in SHAPES:
        np.testing.assert_array_equal(NativeImageLoader(*shape).asMatrix(images["palette.gif"]),
                                      _dl4j_matrix(images["palette.png"], shape))


def test_truncated_jpeg_dl4j_repeats_the_last_row_we_raise(jvm, images):
    """Deviation (docs/deviations.md): DL4J's OpenCV 4.5.5 reads a truncated JPEG through a suspending memory
    source, and every row after the data ends is a copy of the last row decoded; OpenCV >= 4.8 (and this)
    report the file instead."""
    theirs = _dl4j_matrix(images["truncated.jpg"], (-1, -1, -1))[0]
    rows = theirs.shape[1]
    assert np.array_equal(theirs[:, -1], theirs[:, rows // 2 + 10]) and np.array_equal(theirs[:, -1], theirs[:, -2])
    with pytest.raises(ImageDecodeError, match="truncated.jpg"):
        NativeImageLoader(24, 24, 3).asMatrix(images["truncated.jpg"])


def test_corrupt_and_empty_files_fail_in_both(jvm, tmp_path):
    import jpype

    bad = tmp_path / "a" / "noise.jpg"
    bad.parent.mkdir()
    bad.write_bytes(np.random.default_rng(0).integers(0, 256, 300, dtype=np.uint8).tobytes())
    empty = tmp_path / "a" / "empty.png"
    empty.write_bytes(b"")
    for path in (bad, empty):
        with pytest.raises(jpype.JException, match="Could not decode image"):
            _dl4j_matrix(path, (8, 8, 3))
        with pytest.raises(ImageDecodeError, match="Could not decode image") as err:
            NativeImageLoader(8, 8, 3).asMatrix(path)
        assert err.value.path == str(path)
    # DL4J's record reader wraps the IOException in a RuntimeException; ours names the file
    reader = ImageRecordReader(8, 8, 3, ParentPathLabelGenerator())
    reader.initialize(FileSplit(tmp_path))
    with pytest.raises(ImageDecodeError):
        list(RecordReaderDataSetIterator(reader, 2, 1, 1, workers=2))


def _dl4j_epochs(root, formats, seed, shape, batch, epochs, transform=None):
    """DL4J: FileSplit(root, formats, new Random(seed)) + ImageRecordReader + RecordReaderDataSetIterator."""
    from pydl4j_transfer.dl4j_backend import jstrings

    h, w, c = shape
    split = _j("org.datavec.api.split.FileSplit")(_file(root), jstrings(formats), _j("java.util.Random")(seed))
    gen = _j("org.datavec.api.io.labels.ParentPathLabelGenerator")()
    cls = _j("org.datavec.image.recordreader.ImageRecordReader")
    reader = cls(h, w, c, gen) if transform is None else cls(h, w, c, gen, transform)
    reader.initialize(split)
    it = _j("org.deeplearning4j.datasets.datavec.RecordReaderDataSetIterator")(reader, batch, 1, reader.numLabels())
    out = []
    for _ in range(epochs):
        batches = []
        while it.hasNext():
            ds = it.next()
            batches.append((_np(ds.getFeatures()), _np(ds.getLabels())))
        out.append(batches)
        it.reset()
    return [str(s) for s in reader.getLabels()], out


def _our_epochs(root, formats, seed, shape, batch, epochs, transform=None, workers=2):
    reader = ImageRecordReader(*shape, ParentPathLabelGenerator(), transform)
    reader.initialize(FileSplit(root, formats, JavaRandom(seed)))
    it = RecordReaderDataSetIterator(reader, batch, 1, reader.numLabels(), workers=workers, prefetch=2)
    out = []
    for _ in range(epochs):
        batches = []
        while it.hasNext():
            ds = it.next()
            batches.append((ds.features, ds.labels))
        out.append(batches)
        it.reset()
    it.close()
    return reader.getLabels(), out


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    """Three labels, a few files each, mixed formats (every one DL4J decodes)."""
    root = tmp_path_factory.mktemp("folder")
    names = [n for n in FORMATS if n not in ("palette.gif", "truncated.jpg")]
    for i, label in enumerate(("cat", "Dog", "zebra")):
        files = write_images(root / label, seed=i, names=names[i::3])
        assert files
    return root


def _assert_same_epochs(ours, theirs):
    assert ours[0] == theirs[0]  # labels
    assert len(ours[1]) == len(theirs[1])
    for e, (eo, et) in enumerate(zip(ours[1], theirs[1])):
        assert len(eo) == len(et), e
        for b, ((fo, lo), (ft, lt)) in enumerate(zip(eo, et)):
            assert fo.shape == ft.shape, (e, b)
            np.testing.assert_array_equal(lo, lt, err_msg=f"labels, epoch {e} batch {b}")
            np.testing.assert_array_equal(fo, ft, err_msg=f"features, epoch {e} batch {b}")


@pytest.mark.parametrize("workers", [0, 3])
def test_record_reader_iterator_matches_dl4j_order_and_pixels(jvm, folder, workers):
    """FileSplit with new Random(123): DL4J's order over three epochs (the reshuffle at every reset and
    RecordReaderDataSetIterator's first-record reset included), pixels and one-hot labels; with and
    without decoding threads."""
    formats = ["jpg", "png", "bmp", "tif", "webp"]
    theirs = _dl4j_epochs(folder, formats, 123, (32, 40, 3), 4, 3)
    ours = _our_epochs(folder, formats, 123, (32, 40, 3), 4, 3, workers=workers)
    _assert_same_epochs(ours, theirs)


TRANSFORMS = {
    "flip": (lambda J: J("org.datavec.image.transform.FlipImageTransform")(J("java.util.Random")(7)),
             lambda: FlipImageTransform(JavaRandom(7))),
    "crop": (lambda J: J("org.datavec.image.transform.CropImageTransform")(J("java.util.Random")(7), 5),
             lambda: CropImageTransform(JavaRandom(7), 5)),
    "scale": (lambda J: J("org.datavec.image.transform.ScaleImageTransform")(J("java.util.Random")(7), 9.0),
              lambda: ScaleImageTransform(JavaRandom(7), 9.0)),
    "warp": (lambda J: J("org.datavec.image.transform.WarpImageTransform")(J("java.util.Random")(7), 6.0),
             lambda: WarpImageTransform(JavaRandom(7), 6.0)),
    "resize": (lambda J: J("org.datavec.image.transform.ResizeImageTransform")(20, 30),
               lambda: ResizeImageTransform(20, 30)),
    "fixed_crop": (lambda J: J("org.datavec.image.transform.CropImageTransform")(2, 3, 4, 1),
                   lambda: CropImageTransform(2, 3, 4, 1)),
}


def _dl4j_pipeline(J):
    from pydl4j_transfer.dl4j_backend import jarray

    t = [J("org.datavec.image.transform.FlipImageTransform")(J("java.util.Random")(3)),
         J("org.datavec.image.transform.CropImageTransform")(J("java.util.Random")(4), 3),
         J("org.datavec.image.transform.WarpImageTransform")(J("java.util.Random")(5), 4.0)]
    return J("org.datavec.image.transform.PipelineImageTransform")(
        jarray(J("org.datavec.image.transform.ImageTransform"), t))


def _our_pipeline():
    return PipelineImageTransform(FlipImageTransform(JavaRandom(3)), CropImageTransform(JavaRandom(4), 3),
                                  WarpImageTransform(JavaRandom(5), 4.0))


TRANSFORMS["pipeline"] = (_dl4j_pipeline, _our_pipeline)


@pytest.mark.parametrize("name", sorted(TRANSFORMS))
def test_seeded_transforms_give_dl4j_s_pixels(jvm, folder, name):
    """DataVec's transforms with new Random(7) inside ImageRecordReader: the same draws (java.util.Random),
    in the same order (on 3 threads), through the same OpenCV calls: the same pixels over two epochs."""
    dl4j_t, our_t = TRANSFORMS[name]
    formats = ["jpg", "png", "bmp"]
    theirs = _dl4j_epochs(folder, formats, 5, (28, 28, 3), 3, 2, transform=dl4j_t(_j))
    ours = _our_epochs(folder, formats, 5, (28, 28, 3), 3, 2, transform=our_t(), workers=3)
    _assert_same_epochs(ours, theirs)


def test_balanced_path_filter_and_sample_give_dl4j_s_splits(jvm, folder):
    """FileSplit + BalancedPathFilter(new Random(42), formats, labelGenerator) + sample(filter, 80, 20): the
    same files in each part, in the same order (the DL4J examples' train/test split)."""
    from pydl4j_transfer.dl4j_backend import jstrings

    formats = ["jpg", "png", "bmp", "tif", "webp"]
    gen = _j("org.datavec.api.io.labels.ParentPathLabelGenerator")()
    split = _j("org.datavec.api.split.FileSplit")(_file(folder), jstrings(formats), _j("java.util.Random")(42))
    filt = _j("org.datavec.api.io.filters.BalancedPathFilter")(_j("java.util.Random")(42), jstrings(formats), gen)
    import jpype

    theirs = [[str(u.getPath()) for u in s.locations()]
              for s in split.sample(filt, jpype.JArray(jpype.JDouble)([80.0, 20.0]))]
    ours_split = FileSplit(folder, formats, JavaRandom(42))
    assert ours_split.locations() == [str(u.getPath()) for u in split.locations()]
    parts = ours_split.sample(BalancedPathFilter(JavaRandom(42), formats, ParentPathLabelGenerator()), 80, 20)
    assert [p.locations() for p in parts] == theirs
    assert sum(len(t) for t in theirs) > 0
