"""SIGKILL during writes: ``python -m tests.fuzz.kill_writes --kills 100`` (``make kill-writes``).

For every writer of the package (model zips STORED and DEFLATED, ``DataSet.save``, ``MultiDataSet.save``,
``NormalizerSerializer.write``, ``FeatureCache.put``, setup-java's jar download (``setup_java.fetch``), the
image pipeline's ``images.write_png``, and -- torch installed -- the safetensors, state_dict and ONNX
conversions and ``featurize(saveTo=..., fmt="npy")``; ``Dl4jModel.save``, DL4J's own writer in the JVM, only
when named in ``--writers``: a JVM starts for every kill), ``--kills`` times:

1. a child process builds version ``k`` of the data, times one complete write of it to the target, reports
   that time, then keeps rewriting the target;
2. the parent sends SIGKILL at a uniformly random moment within two write durations (so most kills land
   inside a write, some between writes);
3. the target must exist and hold a complete earlier version or version ``k`` (**corrupt**, **missing**
   otherwise); temporary files the killed write left are counted (**left after kill**, expected);
4. the parent writes version ``k`` itself: afterwards no temporary file may be left in the directory
   (**left after next write**: the leftovers of the killed process are recognised by name and removed).

Prints one row per writer and writes ``--out`` (JSON). Exit status 1 if any corrupt / missing / left after
next write is non-zero.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
N_FLOATS = 8 << 20  # 32 MiB of float32: a write takes long enough to be killed in the middle


def _values(version: int, n: int = N_FLOATS) -> np.ndarray:
    out = np.full(n, float(version), np.float32)
    out[::4096] = np.arange(len(out[::4096]), dtype=np.float32)  # not all equal: a torn write shows
    out[0] = version
    return out


def _check_values(arr, version_seen: set) -> int:
    arr = np.asarray(arr).reshape(-1)
    v = int(arr[0])
    if not np.array_equal(arr, _values(v, arr.size)):
        raise AssertionError("the values are not those of any complete version")
    version_seen.add(v)
    return v


# --- writers: (write(path, version), read(path) -> version) -------------------------------------------------


def _net(version: int):
    from pydl4j_transfer.conf import DenseLayer, NeuralNetConfiguration, OutputLayer
    from pydl4j_transfer.nn import MultiLayerNetwork

    conf = (NeuralNetConfiguration.Builder().list()
            .layer(DenseLayer.Builder().nIn(2048).nOut(2048).build())
            .layer(OutputLayer.Builder().nIn(2048).nOut(4).activation("softmax").build()).build())
    net = MultiLayerNetwork(conf)
    n = 2048 * 2048 + 2048 + 2048 * 4 + 4
    return net.init(_values(version, n))


def _zip_writer(compression):
    def write(path, version, state={}):  # noqa: B006 - per-process cache of the data of one version
        from pydl4j_transfer.zipio import RawModelZip, write_model_zip

        if state.get("v") != version:
            state.update(v=version, raw=RawModelZip("{}", _values(version)))
        write_model_zip(path, state["raw"], compression=compression, compresslevel=1)

    def read(path):
        from pydl4j_transfer.zipio import read_model_zip

        return _check_values(read_model_zip(path).params, set())
    return write, read


def _dataset_write(path, version):
    from pydl4j_transfer.data import DataSet

    x = _values(version).reshape(-1, 1024)
    DataSet(x, x[:, :4].copy()).save(path)


def _dataset_read(path):
    from pydl4j_transfer.data import DataSet

    return _check_values(DataSet.load(path).getFeatures(), set())


def _mds_write(path, version):
    from pydl4j_transfer.data import MultiDataSet

    x = _values(version).reshape(-1, 1024)
    MultiDataSet([x], [x[:, :4].copy()]).save(path)


def _mds_read(path):
    from pydl4j_transfer.data import MultiDataSet

    return _check_values(MultiDataSet.load(path).getFeatures(0), set())


def _normalizer_write(path, version):
    from pydl4j_transfer.data import NormalizerSerializer, NormalizerStandardize

    v = _values(version, N_FLOATS // 2).reshape(1, -1)  # mean and std: 32 MiB in all, under the 64 MiB a
    NormalizerSerializer.getDefault().write(NormalizerStandardize(v, v), path)  # normalizer file may have


def _normalizer_read(path):
    from pydl4j_transfer.data import NormalizerSerializer

    return _check_values(NormalizerSerializer.getDefault().restore(path).mean, set())


def _cache_write(path, version):
    from pydl4j_transfer.transfer.feature_cache import FeatureCache

    FeatureCache(Path(path).parent.parent).put(Path(path).parent.name, [_values(version)])


def _cache_read(path):
    return _check_values(np.load(path, allow_pickle=False), set())


def _safetensors_write(path, version, state={}):  # noqa: B006
    from pydl4j_transfer.convert.formats import to_safetensors

    if state.get("v") != version:
        state.update(v=version, net=_net(version))
    to_safetensors(state["net"], path)


def _safetensors_read(path):
    from safetensors.numpy import load_file

    return _check_values(load_file(path)["layer0.W"], set())


def _state_dict_write(path, version, state={}):  # noqa: B006
    from pydl4j_transfer.convert.formats import to_state_dict

    if state.get("v") != version:
        state.update(v=version, net=_net(version))
    to_state_dict(state["net"], path)


def _state_dict_read(path):
    import torch

    return _check_values(torch.load(path, weights_only=True)["layer0.W"].numpy(), set())


def _onnx_write(path, version, state={}):  # noqa: B006
    from pydl4j_transfer.convert.formats import to_onnx

    if state.get("v") != version:
        state.update(v=version, net=_net(version))
    to_onnx(state["net"], path)


def _onnx_read(path):
    import onnx
    from onnx import numpy_helper

    model = onnx.load(path)
    weights = [numpy_helper.to_array(t) for t in model.graph.initializer]
    return _check_values(max(weights, key=lambda a: a.size), set())  # layer0.W, the bytes of DL4J's W


def _jar_write(path, version, state={}):  # noqa: B006
    """setup-java's download of one jar (Repository.fetch, SHA-1 checked) from a local Maven-layout folder."""
    import hashlib
    import shutil

    from pydl4j_transfer.dl4j_backend.jars import Artifact
    from pydl4j_transfer.dl4j_backend.setup_java import Repository

    if state.get("v") != version:
        repos = Path(path).parent.parent / "jar-repos"  # the published jar of each version, outside the target's folder
        for old in repos.glob("*"):
            if old.name != str(version):
                shutil.rmtree(old, ignore_errors=True)
        artifact = Artifact("org.example", "big", "1", "", "jar", "big-1.jar", N_FLOATS * 4, None)
        src = repos / str(version) / artifact.repository_path
        src.parent.mkdir(parents=True, exist_ok=True)
        data = _values(version).tobytes()
        src.write_bytes(data)
        state.update(v=version, repo=Repository(repos / str(version)), artifact=artifact,
                     sha1=hashlib.sha1(data).hexdigest())
    state["repo"].fetch(state["artifact"], Path(path), state["sha1"])


def _jar_read(path):
    return _check_values(np.fromfile(path, dtype=np.float32), set())


def _dl4j_save_write(path, version, state={}):  # noqa: B006
    """Dl4jModel.save: DL4J's own ModelSerializer.writeModel in the JVM, writing into the helper's temp path."""
    from pydl4j_transfer.dl4j_backend import Dl4jModel

    if state.get("v") != version:
        net = _net(version)
        state.update(v=version, model=Dl4jModel.fromJson(net.toJson(), net.params()))
    state["model"].save(path, False)


def _featurize_npy_write(path, version, state={}):  # noqa: B006
    """TransferLearningHelper.featurize(..., saveTo=dir, fmt="npy"): one minibatch through a frozen identity layer."""
    from pydl4j_transfer.conf import ActivationLayer, NeuralNetConfiguration, OutputLayer
    from pydl4j_transfer.data import DataSet
    from pydl4j_transfer.nn import MultiLayerNetwork
    from pydl4j_transfer.transfer import TransferLearningHelper

    if state.get("v") != version:
        if "helper" not in state:
            conf = (NeuralNetConfiguration.Builder().list()
                    .layer(ActivationLayer.Builder().activation("identity").build())
                    .layer(OutputLayer.Builder().nIn(1024).nOut(4).activation("softmax").build()).build())
            state["helper"] = TransferLearningHelper(MultiLayerNetwork(conf).init(), 0)
        x = _values(version).reshape(-1, 1024)
        state.update(v=version, ds=DataSet(x, x[:, :4].copy()))
    state["helper"].featurize(state["ds"], saveTo=Path(path).parent, fmt="npy")


def _featurize_npy_read(path):
    return _check_values(np.load(path, allow_pickle=False), set())


def _png_write(path, version, state={}):  # noqa: B006
    from pydl4j_transfer.data.images import write_png

    if state.get("v") != version:
        state.update(v=version, pixels=_png_pixels(version))
    write_png(path, state["pixels"])


def _png_pixels(version: int) -> np.ndarray:
    out = np.random.default_rng(version).integers(0, 256, (2048, 2048, 3), dtype=np.uint8)  # incompressible
    out[0, 0] = (version >> 16) & 255, (version >> 8) & 255, version & 255
    return out


def _png_read(path):
    from pydl4j_transfer.data.images import decode_image

    img = decode_image(path)[:, :, ::-1]  # BGR -> RGB
    v = (int(img[0, 0, 0]) << 16) | (int(img[0, 0, 1]) << 8) | int(img[0, 0, 2])
    if not np.array_equal(img, _png_pixels(v)):
        raise AssertionError("the pixels are not those of any complete version")
    return v


WRITERS = {
    "zip.stored": (*_zip_writer("stored"), "model.zip"),
    "zip.deflated": (*_zip_writer("deflated"), "model.zip"),
    "DataSet.save": (_dataset_write, _dataset_read, "data.bin"),
    "MultiDataSet.save": (_mds_write, _mds_read, "data.bin"),
    "NormalizerSerializer.write": (_normalizer_write, _normalizer_read, "normalizer.bin"),
    "FeatureCache.put": (_cache_write, _cache_read, "cache/key/features_0.npy"),
    "to_safetensors": (_safetensors_write, _safetensors_read, "model.safetensors"),
    "to_state_dict": (_state_dict_write, _state_dict_read, "model.pt"),
    "to_onnx": (_onnx_write, _onnx_read, "model.onnx"),
    "setup_java.fetch": (_jar_write, _jar_read, "jars/big-1.jar"),
    "featurize.npy": (_featurize_npy_write, _featurize_npy_read, "features/featurized-0.features.npy"),
    "images.write_png": (_png_write, _png_read, "image.png"),
    "Dl4jModel.save": (_dl4j_save_write, _zip_writer("stored")[1], "model.zip"),
}
TORCH_WRITERS = ("to_safetensors", "to_state_dict", "to_onnx", "featurize.npy")
JVM_WRITERS = ("Dl4jModel.save",)  # a JVM started per kill (minutes): only when named in --writers


def _temps(directory: Path) -> list[str]:
    return glob.glob(str(directory / ".*pydl4j-tmp"))


def _child_main(name: str, target: str, version: int) -> None:
    write = WRITERS[name][0]
    write(target, version)  # warm: the data is built, modules imported
    t0 = time.perf_counter()
    write(target, version)
    print(f"ready {time.perf_counter() - t0:.4f}", flush=True)
    for _ in range(100_000):
        write(target, version)


def run_writer(name: str, kills: int, root: Path, rng: random.Random, log=sys.stdout) -> dict:
    write, read, rel = WRITERS[name]
    target = root / name / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    write(str(target), 0)
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    row = {"writer": name, "kills": 0, "mid_write": 0, "corrupt": 0, "missing": 0, "left_after_kill": 0,
           "left_after_next_write": 0, "write_s": 0.0, "errors": []}
    durations = []
    for k in range(1, kills + 1):
        proc = subprocess.Popen([sys.executable, "-m", "tests.fuzz.kill_writes", "--child", name, str(target), str(k)],
                                env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = proc.stdout.readline().split()
        if not line or line[0] != "ready":
            proc.kill()
            row["errors"].append(f"kill {k}: child did not start: {proc.stderr.read()[-500:]}")
            proc.wait()
            continue
        duration = float(line[1])
        durations.append(duration)
        time.sleep(rng.uniform(0, 2 * duration))
        mid = bool(_temps(target.parent))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
        proc.stderr.close()
        row["kills"] += 1
        row["mid_write"] += mid
        if not target.exists():
            row["missing"] += 1
        else:
            try:
                v = read(str(target))
                if v not in (k - 1, k):
                    raise AssertionError(f"version {v}, expected {k - 1} or {k}")
            except Exception as exc:  # noqa: BLE001 - any failure to read the target is a corrupt target
                row["corrupt"] += 1
                row["errors"].append(f"kill {k}: {type(exc).__name__}: {exc}"[:300])
        row["left_after_kill"] += len(_temps(target.parent))
        write(str(target), k)  # the next write to the same target
        left = _temps(target.parent)
        row["left_after_next_write"] += len(left)
        for p in left:  # keep counting independently per kill
            os.unlink(p)
    row["write_s"] = round(float(np.median(durations)), 3) if durations else 0.0
    print(f"{name:28} kills={row['kills']:4} mid-write={row['mid_write']:4} corrupt={row['corrupt']} "
          f"missing={row['missing']} left-after-kill={row['left_after_kill']} "
          f"left-after-next-write={row['left_after_next_write']} errors={len(row['errors'])} "
          f"(one write {row['write_s']} s)", file=log, flush=True)
    for error in row["errors"][:5]:
        print(f"    {error}", file=log, flush=True)
    return row


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m tests.fuzz.kill_writes", description=__doc__.splitlines()[0])
    p.add_argument("--kills", type=int, default=100)
    p.add_argument("--writers", help="comma-separated (default: all but the JVM ones; the torch ones when torch is "
                                     "installed)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--out", default="fuzz-results/kill_writes.json")
    p.add_argument("--dir", help="working folder (default: a temporary one)")
    p.add_argument("--child", nargs=3, metavar=("WRITER", "TARGET", "VERSION"), help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        _child_main(args.child[0], args.child[1], int(args.child[2]))
        return 0
    names = args.writers.split(",") if args.writers else [n for n in WRITERS if n not in JVM_WRITERS]
    try:
        import torch  # noqa: F401
    except ImportError:
        names = [n for n in names if n not in TORCH_WRITERS]
    import tempfile

    root = Path(args.dir or tempfile.mkdtemp(prefix="pydl4j-kill-"))
    rng = random.Random(args.seed)
    rows = []
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    for name in names:
        rows.append(run_writer(name, args.kills, root, rng))
        Path(args.out).write_text(json.dumps(rows, indent=1))  # after each writer: a later failure keeps these
    bad = sum(r["corrupt"] + r["missing"] + r["left_after_next_write"] + len(r["errors"]) for r in rows)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
