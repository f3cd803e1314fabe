"""The on-disk feature cache of TransferLearningHelper.featurize (an extension: not in DL4J)."""

import numpy as np
from .tl_support import mln, vgg

from pydl4j_transfer.data import DataSet
from pydl4j_transfer.transfer import FeatureCache, TransferLearningHelper


def _data(shape, n_out, n=6, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, *shape)).astype(np.float32)
    return DataSet(x, np.eye(n_out, dtype=np.float32)[np.arange(n) % n_out])


def test_second_featurize_reads_the_cache_memory_mapped_and_equal(tmp_path, monkeypatch):
    helper = TransferLearningHelper(mln(), frozenTill=1)
    ds = _data((4,), 2)
    cache = FeatureCache(tmp_path / "features")
    first = helper.featurize(ds, cache=cache)
    assert (cache.hits, cache.misses) == (0, 1)

    calls = []
    monkeypatch.setattr(helper, "_featurize_one", lambda d: calls.append(d) or None)
    second = helper.featurize(ds, cache=cache)
    assert calls == [] and (cache.hits, cache.misses) == (1, 1)  # no forward pass the second time
    feats = second.getFeatures()
    assert not feats.flags.owndata and not feats.flags.writeable  # a read-only view of the mapped shard
    np.testing.assert_array_equal(np.asarray(second.getFeatures()), first.getFeatures())
    np.testing.assert_array_equal(second.getLabels(), ds.getLabels())


def test_training_the_unfrozen_part_keeps_the_key_changing_frozen_params_or_data_does_not(tmp_path):
    net = mln()
    helper = TransferLearningHelper(net, frozenTill=1)
    ds = _data((4,), 2)
    cache = FeatureCache(tmp_path)
    helper.fitFeaturized(helper.featurize(ds, cache=cache))  # changes only the unfrozen layers
    helper.featurize(ds, cache=cache)
    assert cache.hits == 1

    helper.featurize(_data((4,), 2, seed=9), cache=cache)  # other data: a miss
    assert cache.misses == 2

    other = TransferLearningHelper(mln(), frozenTill=1)
    other._orig.paramTable()["0_W"][0, 0] += 1.0  # another frozen weight: another key
    other.featurize(ds, cache=cache)
    assert cache.misses == 3


def test_graph_featurize_through_the_cache_equals_without(tmp_path):
    helper = TransferLearningHelper(vgg(output_layer=True), "fc1")
    ds = _data((3, 32, 32), 5, n=3)
    plain = helper.featurize(ds)
    cached = helper.featurize(ds, cache=tmp_path)
    again = helper.featurize(ds, cache=tmp_path)
    for out in (cached, again):
        np.testing.assert_allclose(np.asarray(out.getFeatures()), plain.getFeatures(), rtol=0, atol=0)
    assert not list(tmp_path.rglob("*tmp"))  # shards are renamed into place, no temp file is left

