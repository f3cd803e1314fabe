"""Workload: epochs of the guide's head (VGG16 frozen to fc2, 4096 -> 5, the guide's Nesterovs(5e-5)) with and without the feature cache.

N images of 224x224 (random), minibatches of 8. Two copies of the same zip in each engine, each frozen
up to fc2 by a TransferLearningHelper (in place):

* without the cache: ``fit`` of the whole transfer network per minibatch (frozen forward + head), per epoch;
* with the cache: featurize every minibatch once, then ``fitFeaturized`` epochs over the features.

"With the cache" is measured the way DL4J can do it in both engines: the featurized DataSets kept in
memory (the guide's pattern without its disk round trip). Ours then goes on through its on-disk
:class:`~pydl4j_transfer.transfer.FeatureCache` (``featurize(..., cache=folder)``, an extension): featurize
once into it (forward, hashing the frozen params once, writing shards), then epochs that read the shards
back (memory-mapped, keyed by the frozen params and the images) before their fitFeaturized steps.
Both engines see the same images in the same order, so the head's params after the plain epochs and
after the in-memory epochs are compared. The warm-up is one featurize of the first minibatch (no params
change). N_IMAGES is small so that DL4J's side stays near a minute on 2 cores.
"""

from __future__ import annotations

import json
import shutil
import sys
import time

from bench import common

N_IMAGES, BATCH, CLASSES = 16, 8, 5
EPOCHS_PLAIN = 2  # each is N_IMAGES forward passes through VGG16: the expensive part in DL4J
BOUNDARY, HEAD = "19", "20"


def _child(argv) -> None:
    """Python side: ``child EPOCHS_PLAIN EPOCHS_CACHED WORKDIR``."""
    import numpy as np

    from bench.featurize import _head, guide_vgg16
    from pydl4j_transfer import DataSet, ModelSerializer, TransferLearningHelper
    from pydl4j_transfer.transfer import FeatureCache

    epochs_plain, epochs_cached, work = int(argv[0]), int(argv[1]), argv[2]
    zip_path = f"{work}/vgg16_5.zip"
    ModelSerializer.writeModel(guide_vgg16(), zip_path, False)
    rng = np.random.default_rng(7)
    x = rng.random((N_IMAGES, 3, 224, 224), dtype=np.float32)
    y = np.eye(CLASSES, dtype=np.float32)[np.arange(N_IMAGES) % CLASSES]
    np.save(f"{work}/images.npy", x)
    np.save(f"{work}/labels.npy", y)
    batches = [DataSet(x[i:i + BATCH], y[i:i + BATCH]) for i in range(0, N_IMAGES, BATCH)]

    plain = ModelSerializer.restoreComputationGraph(zip_path, False)
    plain_helper = TransferLearningHelper(plain, BOUNDARY)
    t = time.perf_counter()
    plain_helper.featurize(batches[0])
    warmup = time.perf_counter() - t
    epoch_plain = []
    for _ in range(epochs_plain):
        t = time.perf_counter()
        for ds in batches:
            plain.fit(ds)
        epoch_plain.append(time.perf_counter() - t)
    np.save(f"{work}/ours_head_plain.npy", _head(plain, HEAD))
    del plain, plain_helper

    cached = ModelSerializer.restoreComputationGraph(zip_path, False)
    helper = TransferLearningHelper(cached, BOUNDARY)
    t = time.perf_counter()
    feats = helper.featurize(batches)  # in memory, as DL4J does
    featurize_once = time.perf_counter() - t
    np.save(f"{work}/ours_feats0.npy", np.asarray(feats[0].getFeatures()))
    epoch_memory = []
    for _ in range(epochs_cached):
        t = time.perf_counter()
        for f in feats:
            helper.fitFeaturized(f)
        epoch_memory.append(time.perf_counter() - t)
    np.save(f"{work}/ours_head_cached.npy", _head(cached, HEAD))
    del feats

    # the same through the on-disk feature cache (training goes on from here: no engine comparison)
    folder = f"{work}/feature_cache"
    shutil.rmtree(folder, ignore_errors=True)
    cache = FeatureCache(folder)
    t = time.perf_counter()
    helper.featurize(batches, cache=cache)  # misses: forward + hashing the frozen params once + writing shards
    featurize_disk = time.perf_counter() - t
    epoch_disk = []
    for _ in range(epochs_cached):
        t = time.perf_counter()
        for f in helper.featurize(batches, cache=cache):  # hits: the shards, memory-mapped
            helper.fitFeaturized(f)
        epoch_disk.append(time.perf_counter() - t)
    print(json.dumps({"warmup_s": warmup, "epoch_plain_s": epoch_plain, "featurize_once_s": featurize_once,
                      "epoch_cached_s": epoch_memory, "featurize_disk_s": featurize_disk, "epoch_disk_s": epoch_disk,
                      "cache_hits": cache.hits, "cache_misses": cache.misses}))


PLAIN = "epoch without cache (fit: frozen VGG16 + head)"
ONCE = "featurize once (all images, in memory)"
CACHED = "epoch on the featurized data in memory (fitFeaturized)"


def run(reps: int) -> dict:
    from bench.featurize import _diff

    work = common.CACHE / "epoch"
    work.mkdir(parents=True, exist_ok=True)
    epochs_cached = reps + 1
    print("  Python ...", flush=True)
    ours, ours_rss = common.python("bench.epoch", ["child", str(EPOCHS_PLAIN), str(epochs_cached), str(work)])
    print("  DL4J ...", flush=True)
    theirs, dl4j_rss = common.java(["org.pydl4j.transfer.bench.EpochBench", str(work / "vgg16_5.zip"), BOUNDARY,
                                    str(work / "images.npy"), str(work / "labels.npy"), str(BATCH), str(EPOCHS_PLAIN),
                                    str(epochs_cached), HEAD, str(work / "dl4j_")])
    res = {"workload": "epoch",
           "model": f"VGG16 (zoo, 224x224, random weights) frozen to fc2, head 4096->5 (the guide's new Nesterovs(5e-5): lr 0.1, momentum 5e-5); {N_IMAGES} images, "
                    f"minibatch {BATCH}",
           "machine": common.machine(), "n_images": N_IMAGES, "batch": BATCH, "rows": {},
           "peak_rss": {"python": ours_rss, "dl4j": dl4j_rss},
           "diff": {"features": _diff(work / "ours_feats0.npy", work / "dl4j_feats0.npy"),
                    "head_plain": _diff(work / "ours_head_plain.npy", work / "dl4j_head_plain.npy"),
                    "head_cached": _diff(work / "ours_head_cached.npy", work / "dl4j_head_cached.npy")},
           "cache": {"hits": ours["cache_hits"], "misses": ours["cache_misses"]}}
    # plain epochs: all kept (the warm-up was a featurize); cached epochs: the first one dropped
    for key, label, warm in (("epoch_plain_s", PLAIN, 0), ("featurize_once_s", ONCE, 0), ("epoch_cached_s", CACHED, 1),
                             ("featurize_disk_s", "featurize once into the on-disk FeatureCache (ours only)", 0),
                             ("epoch_disk_s", "epoch reading the on-disk FeatureCache + fitFeaturized (ours only)", 1)):
        p = common.summarize(ours[key] if isinstance(ours[key], list) else [ours[key]], warm)
        d = (common.summarize(theirs[key] if isinstance(theirs[key], list) else [theirs[key]], warm)
             if key in theirs else None)
        res["rows"][label] = {"python": p, "dl4j": d, "speedup": d["median_s"] / p["median_s"] if d else None}
    for side in ("python", "dl4j"):
        plain, once, cached = (res["rows"][k][side]["median_s"] for k in (PLAIN, ONCE, CACHED))
        res.setdefault("cache_gain", {})[side] = {"per_epoch": plain / cached,
                                                  "break_even_epochs": once / max(plain - cached, 1e-12)}
    return res


def table(res: dict) -> str:
    lines = ["| operation | pydl4j-transfer (median s) | DL4J 1.0.0-M2.1 (median s) | speed-up |", "|---|---|---|---|"]
    cell = lambda s: f"{s['median_s']:.4f} ({s['min_s']:.4f}-{s['max_s']:.4f}) x{s['reps']}" if s else "-"  # noqa: E731
    for name, row in res["rows"].items():
        speedup = f"{row['speedup']:.1f}x" if row["speedup"] else "-"
        lines.append(f"| {name} | {cell(row['python'])} | {cell(row['dl4j'])} | {speedup} |")
    diff, gain, rss = res["diff"], res["cache_gain"], res["peak_rss"]
    lines += ["", f"Largest differences between the engines: first minibatch's fc2 features "
              f"{diff['features']['max_abs']:.1e}; head W and b after the epochs without cache "
              f"{diff['head_plain']['max_abs']:.1e}, with cache {diff['head_cached']['max_abs']:.1e}. "
              f"Epoch on featurized data vs plain epoch: {gain['python']['per_epoch']:.0f}x faster for ours, "
              f"{gain['dl4j']['per_epoch']:.0f}x for DL4J; featurizing once pays for itself after "
              f"{gain['python']['break_even_epochs']:.1f} (ours) / {gain['dl4j']['break_even_epochs']:.1f} (DL4J) epochs. "
              f"The on-disk cache (an extension, not in DL4J) had {res['cache']['misses']} misses and "
              f"{res['cache']['hits']} hits; its first pass also hashes the frozen params once and every pass hashes "
              f"the images (the cache key). Peak resident memory: ours {rss['python'] / 2**30:.2f} GiB, DL4J's "
              f"process {rss['dl4j'] / 2**30:.2f} GiB (two copies of VGG16 each). Timings: median (min-max) x reps; "
              "the first epoch on featurized data is dropped as a warm-up, the plain epochs follow one warm-up "
              "featurize; JVM start and ND4J init excluded."]
    return "\n".join(lines)


if __name__ == "__main__":
    if sys.argv[1] == "child":
        _child(sys.argv[2:])
