"""Two gloo ranks under torchrun (spawned here) against one process: the params after N iterations agree within
1e-6 relative for Sgd, Nesterovs and Adam, l1/l2/weight decay, frozen layers, MultiLayerNetwork and
ComputationGraph, with ranks that end with different numbers of minibatches; sharded featurize writes the
files one process writes, and fitFeaturized across the ranks equals one process's."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

from pydl4j_transfer.data import ListDataSetIterator
from pydl4j_transfer.parallelism import featurizeSharded
from pydl4j_transfer.transfer import TransferLearningHelper

from . import scenarios as S
from .torchrun import torchrun

RTOL = 1e-6


def rel(ours, theirs):
    ours, theirs = np.asarray(ours, np.float64), np.asarray(theirs, np.float64)
    return float(np.abs(ours - theirs).max() / max(np.abs(theirs).max(), 1e-30))


@pytest.fixture(scope="module")
def ranks(tmp_path_factory):
    """The results of dist_script.py on 2 ranks."""
    out = tmp_path_factory.mktemp("two_ranks")
    proc = torchrun("dist_script.py", out)
    record = json.loads((out / "record.json").read_text())
    return out, record, proc.stderr


@pytest.mark.parametrize("name", list(S.SCENARIOS))
def test_two_ranks_equal_one_process(ranks, name):
    out, record, _ = ranks
    params, state, iterations, score = S.single_process(name)
    assert rel(np.load(out / f"{name}.params.npy"), params) <= RTOL
    if state is not None:
        assert rel(np.load(out / f"{name}.state.npy"), state) <= RTOL
    assert record[name]["iterations"] == iterations
    assert record[name]["epochs"] == S.SCENARIOS[name][4]
    assert abs(record[name]["score"] - score) <= RTOL * abs(score)


def test_uneven_ranks_stop_together(ranks):
    """7 minibatches on 2 ranks: rank 0 holds 4, rank 1 holds 3; both train 3 rounds per epoch, nobody hangs,
    and rank 0 says its 4th minibatch was left out."""
    _, record, stderr = ranks
    assert record["mln_uneven"]["iterations"] == 6
    assert "rank 0: the epoch ends after 3 minibatch(es) because another rank has no more" in stderr


def _featurized_single(tmp_path, kind):
    """One process: featurizeSharded into ``kind``'s target, and fitFeaturized on the 3 rounds the 2 ranks train."""
    net = S.network("mln_sgd_l2")
    helper = TransferLearningHelper(net, 0)
    data = S.minibatches("mln_uneven")
    target = tmp_path / f"single_{kind}"
    featurizeSharded(helper, ListDataSetIterator(data, 1), **({"cache": target} if kind == "cache" else
                                                              {"saveTo": target}))
    feats = [helper.featurize(ds) for ds in data]
    for k in range(3):
        helper.fitFeaturized(S._concat(feats[2 * k:2 * k + 2]))
    return net, target


def _tree(folder):
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("kind", ["cache", "files"])
def test_sharded_featurize_and_fit_featurized(ranks, tmp_path, kind):
    out, record, _ = ranks
    net, target = _featurized_single(tmp_path, kind)
    assert rel(np.load(out / f"helper_{kind}.params.npy"), net.params()) <= RTOL
    assert record[f"helper_{kind}"]["local"] == 4  # rank 0 featurized minibatches 0, 2, 4, 6
    theirs, ours = _tree(target), _tree(out / f"featurized_{kind}")
    assert sorted(ours) == sorted(theirs) and len(ours) == 7
    assert all(ours[k] == theirs[k] for k in ours), "the ranks' files differ from one process's"
    assert not [k for k in ours if k.endswith(".tmp")]


def test_no_leftovers(ranks):
    out, _, _ = ranks
    assert not [p for p in out.rglob("*.tmp")]
    assert os.path.exists(out / "featurized_files" / "featurized-6.bin")
