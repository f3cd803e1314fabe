"""Workload: the guide's data path: JPEG folder -> ImageRecordReader -> featurize -> disk -> fitFeaturized epochs.

Generated 320x240 JPEGs (quality 90, 5 label folders; the same files for both engines, kept in
bench/.cache/pipeline/) read as 224x224x3 with the VGG16 mean offset, minibatches of 32:

(a) pipeline throughput, one epoch over N_PIPE images (median of the repetitions after a warm-up), against
    * the machine's decode limit: cores x the single-core rate of the same per-image work (read the file,
      ``cv2.imdecode``, ``cv2.resize``) on one thread with OpenCV's own threads off;
    * DL4J 1.0.0-M2.1's DataVec pipeline (FileSplit + ImageRecordReader + RecordReaderDataSetIterator +
      VGG16ImagePreProcessor), driven through JPype a minibatch per call;
    * ResNet50's featurize (``optimize=True``, bs 32) fed by the pipeline against fed from minibatches already
      in memory: the pipeline is the bottleneck only if the first is slower;
(b) the guide end to end on N_E2E images: VGG16 (zoo, random weights, 5 classes) featurized to fc2 straight to
    DL4J DataSet files, 10 epochs of fitFeaturized over the files, then Evaluation of the unfrozen part on
    them; DL4J runs the same calls on the same zip (its own TransferLearningHelper, DataSet.save,
    ExistingMiniBatchDataSetIterator + AsyncDataSetIterator, as the DL4J examples' FeaturizedPreSave /
    FitFromFeaturized do);
(c) the peak resident memory of (b)'s path for N = 1k, 5k, 20k images, each N in a fresh process, with a
    small frozen CNN instead of VGG16 (so that 20k images take minutes, not hours; the data path and its
    buffers are the same): flat in N means the path streams.

Every engine runs in its own child process; JVM start and model loading are outside the timings.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import time

from bench import common

N_PIPE = int(os.environ.get("BENCH_PIPELINE_N", "1000"))
N_E2E = int(os.environ.get("BENCH_E2E_N", "64"))
N_RSS = tuple(int(n) for n in os.environ.get("BENCH_RSS_N", "1000,5000,20000").split(","))
N_RESNET = int(os.environ.get("BENCH_RESNET_N", "256"))
BATCH, CLASSES, SIZE, EPOCHS = 32, 5, 224, 10
FORMATS = ["jpg"]


def make_jpegs(root, n: int, width: int = 320, height: int = 240) -> str:
    """``n`` JPEGs in ``root/class<k>/`` (k = i mod 5), made once and kept; returns the folder."""
    import numpy as np

    root = str(root)
    stamp = os.path.join(root, f".complete-{n}-{width}x{height}")
    if os.path.exists(stamp):
        return root
    import cv2

    shutil.rmtree(root, ignore_errors=True)
    rng = np.random.default_rng(0)
    y, x = np.mgrid[0:height, 0:width]
    for i in range(n):
        folder = os.path.join(root, f"class{i % CLASSES}")
        os.makedirs(folder, exist_ok=True)
        base = np.stack([(x * (1 + i % 7) + y * (1 + i % 3) + 40 * k + 11 * i) % 256 for k in range(3)], -1)
        img = np.clip(base + rng.integers(0, 40, (height, width, 3)), 0, 255).astype(np.uint8)
        cv2.imwrite(os.path.join(folder, f"img{i:06d}.jpg"), img, [cv2.IMWRITE_JPEG_QUALITY, 90])
    open(stamp, "w").close()
    return root


def _cpu() -> float:
    """CPU seconds this process has used, all its threads (JVM ones included): unlike wall time, not inflated
    by other processes on a shared machine."""
    import resource

    u = resource.getrusage(resource.RUSAGE_SELF)
    return u.ru_utime + u.ru_stime


def _warm(root):
    """Read every file once, so that each measurement starts from the page cache."""
    for folder, _, names in os.walk(root):
        for name in names:
            with open(os.path.join(folder, name), "rb") as f:
                f.read()


# ---- children -------------------------------------------------------------------------------------

def _child_limit(root, reps):
    """Single-core rate of read + imdecode + resize (OpenCV's threads off)."""
    import glob

    import cv2
    import numpy as np

    cv2.setNumThreads(1)
    files = sorted(glob.glob(os.path.join(root, "*", "*.jpg")))
    _warm(root)
    times, cpu = [], []
    for _ in range(reps + 1):
        t, c = time.perf_counter(), _cpu()
        for f in files:
            with open(f, "rb") as fh:
                data = fh.read()
            img = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_ANYDEPTH | cv2.IMREAD_ANYCOLOR)
            cv2.resize(img, (SIZE, SIZE), interpolation=cv2.INTER_LINEAR)
        times.append(time.perf_counter() - t)
        cpu.append(_cpu() - c)
    return {"times": times, "cpu": cpu, "images": len(files), "cores": os.cpu_count()}


def _our_iterator(root, n_seed=123, workers=None):
    from pydl4j_transfer.data import (FileSplit, ImageRecordReader, JavaRandom, ParentPathLabelGenerator,
                                      RecordReaderDataSetIterator, VGG16ImagePreProcessor)

    reader = ImageRecordReader(SIZE, SIZE, 3, ParentPathLabelGenerator())
    reader.initialize(FileSplit(root, FORMATS, JavaRandom(n_seed)))
    it = RecordReaderDataSetIterator(reader, BATCH, 1, reader.numLabels(), workers=workers)
    it.setPreProcessor(VGG16ImagePreProcessor())
    return it


def _epoch_times(it, reps):
    times, cpu, count = [], [], 0
    for _ in range(reps + 1):
        it.reset()
        t, c = time.perf_counter(), _cpu()
        count = 0
        while it.hasNext():
            count += it.next().numExamples()
        times.append(time.perf_counter() - t)
        cpu.append(_cpu() - c)
    return times, cpu, count


def _child_ours(root, reps):
    _warm(root)
    it = _our_iterator(root)
    times, cpu, count = _epoch_times(it, reps)
    return {"times": times, "cpu": cpu, "images": count, "workers": it.workers}


def _dl4j(name):
    from pydl4j_transfer.dl4j_backend import jclass

    return jclass(name)


def _dl4j_iterator(root, seed=123):
    from pydl4j_transfer.dl4j_backend import jstrings, start_jvm

    start_jvm()
    split = _dl4j("org.datavec.api.split.FileSplit")(_dl4j("java.io.File")(root), jstrings(FORMATS),
                                                      _dl4j("java.util.Random")(seed))
    reader = _dl4j("org.datavec.image.recordreader.ImageRecordReader")(
        SIZE, SIZE, 3, _dl4j("org.datavec.api.io.labels.ParentPathLabelGenerator")())
    reader.initialize(split)
    it = _dl4j("org.deeplearning4j.datasets.datavec.RecordReaderDataSetIterator")(reader, BATCH, 1,
                                                                                 reader.numLabels())
    it.setPreProcessor(_dl4j("org.nd4j.linalg.dataset.api.preprocessor.VGG16ImagePreProcessor")())
    return it


def _child_dl4j(root, reps):
    _warm(root)
    it = _dl4j_iterator(root)
    times, cpu, count = _epoch_times(it, reps)
    return {"times": times, "cpu": cpu, "images": count}


def _child_resnet(root, reps):
    """ResNet50 featurize fed by the pipeline vs from minibatches in memory (alternating, same images)."""
    from pydl4j_transfer import TransferLearningHelper, WeightInit
    from pydl4j_transfer.data import DataSet
    from pydl4j_transfer.zoo import ResNet50

    _warm(root)
    net = ResNet50(numClasses=CLASSES, weightInit=WeightInit.RELU).init()
    helper = TransferLearningHelper(net, "avgpool")
    it = _our_iterator(root)
    batches = [DataSet(d.features.copy(), d.labels.copy()) for d in it]
    helper.featurize(batches[0], optimize=True)  # builds the frozen graph for this shape
    if batches[-1].numExamples() != BATCH:
        helper.featurize(batches[-1], optimize=True)
    fed, mem = [], []
    for _ in range(reps + 1):
        it.reset()
        t = time.perf_counter()
        while it.hasNext():
            helper.featurize(it.next(), optimize=True)
        fed.append(time.perf_counter() - t)
        t = time.perf_counter()
        for d in batches:
            helper.featurize(d, optimize=True)
        mem.append(time.perf_counter() - t)
    return {"fed": fed, "memory": mem, "images": sum(d.numExamples() for d in batches)}


def _child_e2e_ours(root, work, zip_path):
    from pydl4j_transfer import ModelSerializer, TransferLearningHelper
    from pydl4j_transfer.data import AsyncDataSetIterator

    net = ModelSerializer.restoreComputationGraph(zip_path, False)
    helper = TransferLearningHelper(net, "19")
    out = os.path.join(work, "ours")
    shutil.rmtree(out, ignore_errors=True)
    _warm(root)
    t0 = time.perf_counter()
    it = _our_iterator(root)
    files = helper.featurize(it, saveTo=out, pattern="vgg16-train-%d.bin")
    t1 = time.perf_counter()
    for _ in range(EPOCHS):
        files.reset()
        helper.fitFeaturized(AsyncDataSetIterator(files))
    t2 = time.perf_counter()
    files.reset()
    ev = helper.unfrozenGraph().evaluate(files)
    t3 = time.perf_counter()
    return {"featurize_s": t1 - t0, "fit_s": t2 - t1, "eval_s": t3 - t2, "total_s": t3 - t0,
            "accuracy": float(ev.accuracy()), "batches": len(files)}


def _child_e2e_dl4j(root, work, zip_path):
    from pydl4j_transfer.dl4j_backend import jstrings, start_jvm

    start_jvm()
    J = _dl4j
    net = J("org.deeplearning4j.util.ModelSerializer").restoreComputationGraph(J("java.io.File")(zip_path), False)
    helper = J("org.deeplearning4j.nn.transferlearning.TransferLearningHelper")(net, jstrings(["19"]))
    out = os.path.join(work, "dl4j")
    shutil.rmtree(out, ignore_errors=True)
    os.makedirs(out)
    _warm(root)
    t0 = time.perf_counter()
    it = _dl4j_iterator(root)
    n = 0
    while it.hasNext():  # FeaturizedPreSave
        helper.featurize(it.next()).save(J("java.io.File")(os.path.join(out, f"vgg16-train-{n}.bin")))
        n += 1
    t1 = time.perf_counter()
    files = J("org.nd4j.linalg.dataset.ExistingMiniBatchDataSetIterator")(
        J("java.io.File")(out), "vgg16-train-%d.bin")
    for _ in range(EPOCHS):  # FitFromFeaturized
        files.reset()
        helper.fitFeaturized(J("org.deeplearning4j.datasets.iterator.AsyncDataSetIterator")(files))
    t2 = time.perf_counter()
    files.reset()
    ev = helper.unfrozenGraph().evaluate(files)
    t3 = time.perf_counter()
    return {"featurize_s": t1 - t0, "fit_s": t2 - t1, "eval_s": t3 - t2, "total_s": t3 - t0,
            "accuracy": float(ev.accuracy()), "batches": n}


def _small_cnn():
    """Frozen: conv 3->8 (8x8, stride 8) + max pool 4x4/4 (392 features at 224x224); head: dense 392->32, output."""
    from pydl4j_transfer import (Activation, ConvolutionLayer, DenseLayer, InputType, LossFunctions,
                                 MultiLayerNetwork, NeuralNetConfiguration, OutputLayer, Sgd, SubsamplingLayer)

    conf = (NeuralNetConfiguration.Builder().seed(1).updater(Sgd(0.01)).list(
        ConvolutionLayer.Builder(8, 8).stride(8, 8).nOut(8).activation(Activation.RELU).build(),
        SubsamplingLayer.Builder().kernelSize(4, 4).stride(4, 4).build(),
        DenseLayer.Builder().nOut(32).activation(Activation.RELU).build(),
        OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(CLASSES).activation(Activation.SOFTMAX).build())
        .setInputType(InputType.convolutional(SIZE, SIZE, 3)).build())
    return MultiLayerNetwork(conf).init()


def _child_rss(root, work):
    import resource

    from pydl4j_transfer import TransferLearningHelper
    from pydl4j_transfer.data import AsyncDataSetIterator

    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    helper = TransferLearningHelper(_small_cnn(), 1)
    out = os.path.join(work, "rss")
    shutil.rmtree(out, ignore_errors=True)
    t0 = time.perf_counter()
    files = helper.featurize(_our_iterator(root), saveTo=out)
    t1 = time.perf_counter()
    for _ in range(3):
        files.reset()
        helper.fitFeaturized(AsyncDataSetIterator(files))
    files.reset()
    acc = helper.unfrozenMLN().evaluate(files).accuracy()
    shutil.rmtree(out, ignore_errors=True)
    return {"featurize_s": t1 - t0, "total_s": time.perf_counter() - t0, "accuracy": float(acc),
            "rss_before_bytes": before}


def _child(argv):
    kind, args = argv[0], argv[1:]
    fn = {"limit": lambda: _child_limit(args[0], int(args[1])), "ours": lambda: _child_ours(args[0], int(args[1])),
          "dl4j": lambda: _child_dl4j(args[0], int(args[1])), "resnet": lambda: _child_resnet(args[0], int(args[1])),
          "e2e_ours": lambda: _child_e2e_ours(*args), "e2e_dl4j": lambda: _child_e2e_dl4j(*args),
          "rss": lambda: _child_rss(*args)}[kind]
    print(json.dumps(fn()))


# ---- the parent ------------------------------------------------------------------------------------

def _rate(times, images):
    s = common.summarize(times)
    return images / s["median_s"], s


def _others():
    """Other processes using the CPU while this ran (the machine may be shared)."""
    try:
        return os.getloadavg()[0]
    except OSError:
        return None


def run(reps: int) -> dict:
    reps = max(2, min(reps, 5))
    cache = common.CACHE / "pipeline"
    res = {"workload": "pipeline", "machine": common.machine(), "load_before": _others(),
           "model": f"320x240 JPEGs (q90) read as {SIZE}x{SIZE}x3 + VGG16 mean, minibatch {BATCH}"}
    py = lambda *a: common.python("bench.pipeline", ["child", *map(str, a)])  # noqa: E731

    root = make_jpegs(cache / f"jpg{N_PIPE}", N_PIPE)
    print(f"  (a) pipeline, {N_PIPE} images ...", flush=True)
    limit, _ = py("limit", root, reps)
    ours, _ = py("ours", root, reps)
    theirs, _ = py("dl4j", root, reps)
    one_core, ls = _rate(limit["times"], limit["images"])
    our_rate, os_ = _rate(ours["times"], ours["images"])
    their_rate, ts = _rate(theirs["times"], theirs["images"])
    cpu_ms = {k: 1e3 * common.summarize(v["cpu"])["median_s"] / v["images"]
              for k, v in (("limit", limit), ("ours", ours), ("dl4j", theirs))}
    res["pipeline"] = {"cpu_ms_per_image": cpu_ms, "images": ours["images"], "cores": limit["cores"], "workers": ours["workers"],
                       "single_core_per_s": one_core, "limit_per_s": one_core * limit["cores"],
                       "ours_per_s": our_rate, "dl4j_per_s": their_rate, "ours": os_, "dl4j": ts, "limit": ls,
                       "share_of_limit": our_rate / (one_core * limit["cores"]), "speedup": our_rate / their_rate}

    print(f"  (a) ResNet50 featurize fed by the pipeline, {N_RESNET} images ...", flush=True)
    rroot = make_jpegs(cache / f"jpg{N_RESNET}", N_RESNET)
    rn, _ = py("resnet", rroot, max(1, reps - 1))
    fed, fs = _rate(rn["fed"], rn["images"])
    mem, ms = _rate(rn["memory"], rn["images"])
    res["resnet50"] = {"images": rn["images"], "fed_per_s": fed, "memory_per_s": mem, "fed": fs, "memory": ms,
                       "slowdown": mem / fed - 1}

    print(f"  (b) end to end, {N_E2E} images, VGG16 ...", flush=True)
    eroot = make_jpegs(cache / f"jpg{N_E2E}", N_E2E)
    work = cache / "e2e"
    work.mkdir(parents=True, exist_ok=True)
    zip_path = work / "vgg16_5.zip"
    if not zip_path.exists():
        from bench.featurize import guide_vgg16
        from pydl4j_transfer import ModelSerializer

        ModelSerializer.writeModel(guide_vgg16(), str(zip_path), False)
    e_ours, e_ours_rss = py("e2e_ours", eroot, work, zip_path)
    e_dl4j, e_dl4j_rss = py("e2e_dl4j", eroot, work, zip_path)
    res["e2e"] = {"images": N_E2E, "ours": e_ours, "dl4j": e_dl4j, "speedup": e_dl4j["total_s"] / e_ours["total_s"],
                  "rss": {"ours": e_ours_rss, "dl4j": e_dl4j_rss}}

    res["rss"] = {}
    for n in N_RSS:
        print(f"  (c) peak RSS, {n} images ...", flush=True)
        nroot = make_jpegs(cache / f"jpg{n}", n)
        out, rss = py("rss", nroot, work)
        res["rss"][n] = {"peak_bytes": rss, **out}
    peaks = [v["peak_bytes"] for v in res["rss"].values()]
    res["rss_spread"] = max(peaks) / min(peaks) - 1
    res["load_after"] = _others()
    return res


def table(res: dict) -> str:
    p, r, e = res["pipeline"], res["resnet50"], res["e2e"]
    lines = [
        "| measurement | pydl4j-transfer | DL4J 1.0.0-M2.1 | ratio | target |", "|---|---|---|---|---|",
        f"| (a) pipeline, images/s ({p['images']} JPEGs, {p['workers']} threads) | {p['ours_per_s']:.0f} | "
        f"{p['dl4j_per_s']:.0f} | {p['speedup']:.1f}x DL4J | >= 5x |",
        f"| (a) machine decode limit: {p['cores']} cores x {p['single_core_per_s']:.0f}/s single-core read+imdecode+"
        f"resize | {p['limit_per_s']:.0f} | - | ours at {100 * p['share_of_limit']:.0f}% | >= 90% |",
        f"| (a) CPU time per image, all threads (ms; limit: {p['cpu_ms_per_image']['limit']:.2f}) | "
        f"{p['cpu_ms_per_image']['ours']:.2f} | {p['cpu_ms_per_image']['dl4j']:.2f} | ours at "
        f"{100 * p['cpu_ms_per_image']['limit'] / p['cpu_ms_per_image']['ours']:.0f}% of the limit's efficiency | |",
        f"| (a) ResNet50 featurize (optimize=True, bs{BATCH}) fed by the pipeline vs from memory, images/s | "
        f"{r['fed_per_s']:.1f} vs {r['memory_per_s']:.1f} | - | {100 * r['slowdown']:+.1f}% | pipeline not the "
        "bottleneck |",
        f"| (b) end to end, {e['images']} images: featurize to fc2 + save (s) | {e['ours']['featurize_s']:.1f} | "
        f"{e['dl4j']['featurize_s']:.1f} | {e['dl4j']['featurize_s'] / e['ours']['featurize_s']:.1f}x | |",
        f"| (b) 10 epochs fitFeaturized from the files (s) | {e['ours']['fit_s']:.2f} | {e['dl4j']['fit_s']:.2f} | "
        f"{e['dl4j']['fit_s'] / e['ours']['fit_s']:.1f}x | |",
        f"| (b) Evaluation (s) | {e['ours']['eval_s']:.2f} | {e['dl4j']['eval_s']:.2f} | | |",
        f"| (b) total (s) | {e['ours']['total_s']:.1f} | {e['dl4j']['total_s']:.1f} | {e['speedup']:.1f}x DL4J | "
        ">= 8x |",
    ]
    rss = "; ".join(f"{n}: {v['peak_bytes'] / 2**20:.0f} MiB ({v['total_s']:.0f} s)" for n, v in res["rss"].items())
    lines += ["", f"(c) peak RSS of the streaming path (featurize to files, 3 epochs from the files, Evaluation; "
              f"small frozen CNN), one process per N: {rss}; spread {100 * res['rss_spread']:.1f}% (target: within "
              "10%).", "",
              f"Accuracy after (b): ours {e['ours']['accuracy']:.3f}, DL4J {e['dl4j']['accuracy']:.3f} (random "
              f"weights, 5 synthetic classes). Peak RSS of (b): ours {e['rss']['ours'] / 2**30:.2f} GiB, DL4J's "
              f"process (JVM + Python) {e['rss']['dl4j'] / 2**30:.2f} GiB. Load average before/after: "
              f"{res['load_before']} / {res['load_after']} (other processes share the CPU). Timings: median of "
              "the repetitions after one warm-up ((a)); one run each ((b), (c)); JVM start and model loading "
              "excluded."]
    return "\n".join(lines)


if __name__ == "__main__":
    if sys.argv[1] == "child":
        _child(sys.argv[2:])
