"""Workload: read and write a VGG16-size model zip (138M float32 params, random values).

DL4J side: ``org.pydl4j.transfer.bench.ZipBench`` (ModelSerializer.restoreComputationGraph and
writeModel, timed inside one JVM after ND4J's init). Python side: ``pydl4j_transfer.load`` and
``ModelSerializer.writeModel`` timed inside one interpreter. Each side runs in its own child
process so that its peak resident memory is its own (``wait4``). The zip DL4J wrote (DEFLATE)
is read by both; so is the same model rewritten by us (STORED, our default).
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time

from bench import common

DL4J_ZIP = common.CACHE / "vgg16_dl4j.zip"
OURS_ZIP = common.CACHE / "vgg16_ours.zip"


def _child(argv) -> None:
    """Runs inside the Python child: ``read PATH REPS`` or ``write PATH REPS``."""
    import numpy as np

    action, path, reps = argv[0], argv[1], int(argv[2])
    if action == "memcpy":  # the machine's own reference, in its own child so it does not inflate peaks
        a = np.ones(int(path) // 4, np.float32)
        b = np.empty_like(a)
        times = []
        for _ in range(reps):
            t = time.perf_counter()
            np.copyto(b, a)
            times.append(time.perf_counter() - t)
        print(json.dumps({"times_s": times}))
        return
    import pydl4j_transfer
    from pydl4j_transfer.nn import ModelSerializer
    from pydl4j_transfer.zipio.archive import INFLATER

    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    times, params_bytes = [], 0
    if action == "read":
        for _ in range(reps):
            t = time.perf_counter()
            net = pydl4j_transfer.load(path, loadUpdater=False)
            times.append(time.perf_counter() - t)
            params_bytes = net.params().nbytes
            del net
    else:
        net = pydl4j_transfer.load(path, loadUpdater=False)
        params_bytes = net.params().nbytes
        out = path + ".rewrite.zip"
        for _ in range(reps):
            t = time.perf_counter()
            ModelSerializer.writeModel(net, out, False)
            times.append(time.perf_counter() - t)
        os.replace(out, argv[3]) if len(argv) > 3 else os.remove(out)
    print(json.dumps({"times_s": times, "baseline_rss": baseline, "params_bytes": params_bytes,
                      "inflater": INFLATER}))


def run(reps: int) -> dict:
    common.CACHE.mkdir(parents=True, exist_ok=True)
    if not DL4J_ZIP.exists():
        print("  building VGG16 (random init) with DL4J and saving it ...", flush=True)
        common.java(["org.pydl4j.transfer.bench.ZipBench", "make", str(DL4J_ZIP)])
    res: dict = {"workload": "zip_io", "model": "VGG16 (zoo, 224x224x3, 1000 classes), random init",
                 "machine": common.machine(), "reps": reps}
    print("  Python: read DL4J's zip (deflate) ...", flush=True)
    py_read, py_read_rss = common.python("bench.zip_io", ["read", str(DL4J_ZIP), str(reps + 1)])
    print("  Python: write (stored) ...", flush=True)
    py_write, _ = common.python("bench.zip_io", ["write", str(DL4J_ZIP), str(reps + 1), str(OURS_ZIP)])
    print("  Python: read our zip (stored) ...", flush=True)
    py_read_ours, py_read_ours_rss = common.python("bench.zip_io", ["read", str(OURS_ZIP), str(reps + 1)])
    print("  DL4J: restore + write its own zip ...", flush=True)
    dl4j, dl4j_rss = common.java(["org.pydl4j.transfer.bench.ZipBench", "time", str(DL4J_ZIP), str(reps + 1)])
    print("  DL4J: restore our stored zip ...", flush=True)
    dl4j_ours, dl4j_ours_rss = common.java(["org.pydl4j.transfer.bench.ZipBench", "time", str(OURS_ZIP),
                                            str(reps + 1)])
    params_bytes = py_read["params_bytes"]
    memcpy, _ = common.python("bench.zip_io", ["memcpy", str(params_bytes), str(reps + 1)])
    memcpy_s = common.summarize(memcpy["times_s"])["median_s"]
    rows = {
        "read DL4J zip (deflate)": (common.summarize(py_read["times_s"]), common.summarize(dl4j["read_s"])),
        "read our zip (stored)": (common.summarize(py_read_ours["times_s"]), common.summarize(dl4j_ours["read_s"])),
        "write": (common.summarize(py_write["times_s"]), common.summarize(dl4j["write_s"])),
    }
    res["rows"] = {k: {"python": p, "dl4j": d, "speedup": d["median_s"] / p["median_s"]} for k, (p, d) in rows.items()}
    res["memory"] = {
        "params_bytes": params_bytes,
        "python_read_peak_over_baseline_bytes": py_read_rss - py_read["baseline_rss"],
        "python_read_peak_over_params": (py_read_rss - py_read["baseline_rss"]) / params_bytes,
        "python_read_ours_peak_over_params": (py_read_ours_rss - py_read_ours["baseline_rss"]) / params_bytes,
        "dl4j_process_peak_rss_bytes": dl4j_rss,
        "python_process_peak_rss_bytes": py_read_rss,
    }
    res["machine_reference"] = {"memcpy_params_s": memcpy_s,
                                "read_ours_vs_memcpy": common.summarize(py_read_ours["times_s"])["median_s"] / memcpy_s}
    res["inflater"] = py_read["inflater"]
    res["dl4j_nd4j_init_s"] = dl4j["nd4j_init_s"]
    res["sizes"] = {"dl4j_zip_bytes": DL4J_ZIP.stat().st_size, "our_zip_bytes": OURS_ZIP.stat().st_size}
    return res


def table(res: dict) -> str:
    lines = ["| operation | pydl4j-transfer (median s) | DL4J 1.0.0-M2.1 (median s) | speed-up |", "|---|---|---|---|"]
    for name, row in res["rows"].items():
        p, d = row["python"], row["dl4j"]
        lines.append(f"| {name} | {p['median_s']:.2f} ({p['min_s']:.2f}-{p['max_s']:.2f}) | "
                     f"{d['median_s']:.2f} ({d['min_s']:.2f}-{d['max_s']:.2f}) | {row['speedup']:.1f}x |")
    m = res["memory"]
    lines += ["", f"Peak memory of a read, over the interpreter's baseline: {m['python_read_peak_over_params']:.2f}x the "
              f"params' bytes ({m['params_bytes'] / 1e6:.0f} MB) for DL4J's deflated zip, "
              f"{m['python_read_ours_peak_over_params']:.2f}x for our stored zip; DL4J's process peaked at "
              f"{m['dl4j_process_peak_rss_bytes'] / 2**30:.2f} GiB (JVM included), ours at "
              f"{m['python_process_peak_rss_bytes'] / 2**30:.2f} GiB (interpreter included).",
              f"Machine reference: one in-memory copy of the params (warm buffers) takes {res['machine_reference']['memcpy_params_s']:.2f} s; "
              f"reading our stored zip costs {res['machine_reference']['read_ours_vs_memcpy']:.1f} such copies. "
              f"Inflater: {res['inflater']}. Zip sizes: DL4J {res['sizes']['dl4j_zip_bytes'] / 1e6:.0f} MB, "
              f"ours {res['sizes']['our_zip_bytes'] / 1e6:.0f} MB. Timings: median (min-max) of {res['reps']} "
              "repetitions after one warm-up, JVM start and ND4J init excluded."]
    return "\n".join(lines)


if __name__ == "__main__":
    _child(sys.argv[1:])
