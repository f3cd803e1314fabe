"""Workload: the JPype bridge alone (what the dl4j backend pays per call and per byte).

In one fresh Python child: the JVM start (JPype import + JVM + our facade class) and ND4J's native
init (the first INDArray), timed apart; then the steady state:

* a trivial Java call: the static ``java.lang.Integer.bitCount(int)`` (returns an int), and a no-op
  Python function call as the interpreter's own floor;
* float32 arrays of 1, 1e3, 1e6 and 1e7 elements numpy -> INDArray (``dl4j_backend.to_indarray``) and
  INDArray -> numpy (``dl4j_backend.to_numpy``), as us/call and GB/s of the array's bytes one way; the
  round trip must return the array bit for bit (its largest difference is printed), and a numpy copy of
  the same array (``np.copyto``) is the machine's reference rate.

No DL4J-side timing: the bridge has no counterpart in a Java program.
"""

from __future__ import annotations

import json
import sys
import time

from bench import common

SIZES = (1, 1_000, 1_000_000, 10_000_000)
CALL_BATCH = 20_000  # trivial calls per timed repetition


def _inner(n: int) -> int:
    """Calls per timed repetition for arrays of n elements (about 10 ms of work or more each)."""
    return max(1, min(2_000, 4_000_000 // max(n, 1)))


def _time(fn, reps: int, inner: int) -> list[float]:
    """Seconds per call of ``fn`` over ``reps`` repetitions of ``inner`` calls each (one more as warm-up)."""
    out = []
    for _ in range(reps):
        t = time.perf_counter()
        for _ in range(inner):
            fn()
        out.append((time.perf_counter() - t) / inner)
    return out


def _child(argv) -> None:
    """Python side: ``child REPS``."""
    import numpy as np

    reps = int(argv[0])
    t = time.perf_counter()
    from pydl4j_transfer.dl4j_backend import jclass, start_jvm, to_indarray, to_numpy

    start_jvm()
    jvm_start = time.perf_counter() - t
    t = time.perf_counter()
    to_numpy(to_indarray(np.zeros(1, np.float32)))
    nd4j_init = time.perf_counter() - t

    integer = jclass("java.lang.Integer")
    bit_count = integer.bitCount

    def noop(v):
        return v

    res = {"jvm_start_s": jvm_start, "nd4j_init_s": nd4j_init,
           "java_static_call_s": _time(lambda: bit_count(7), reps, CALL_BATCH),
           "python_call_s": _time(lambda: noop(7), reps, CALL_BATCH), "arrays": {}}
    rng = np.random.default_rng(5)
    for n in SIZES:
        a = rng.standard_normal(n, dtype=np.float32)
        inner = _inner(n)
        ind = to_indarray(a)
        back = to_numpy(ind)
        b = np.empty_like(a)
        res["arrays"][str(n)] = {
            "bytes": a.nbytes, "inner": inner,
            "max_abs_roundtrip_diff": float(np.abs(back - a).max()), "bitwise_equal": bool(np.array_equal(back, a)),
            "to_indarray_s": _time(lambda: to_indarray(a), reps, inner),
            "to_numpy_s": _time(lambda: to_numpy(ind), reps, inner),
            "numpy_copy_s": _time(lambda: np.copyto(b, a), reps, inner)}
    print(json.dumps(res))


def run(reps: int) -> dict:
    print("  Python + JVM ...", flush=True)
    ours, rss = common.python("bench.bridge", ["child", str(reps + 1)])
    res = {"workload": "bridge", "model": "JPype bridge: a static Java call and float32 arrays through "
                                          "dl4j_backend.to_indarray / to_numpy",
           "machine": common.machine(), "jvm_start_s": ours["jvm_start_s"], "nd4j_init_s": ours["nd4j_init_s"],
           "peak_rss": rss, "calls": {}, "arrays": {}}
    for key, label in (("java_static_call_s", "Java static call (Integer.bitCount)"), ("python_call_s", "Python call (no-op)")):
        res["calls"][label] = common.summarize(ours[key])
    for n, r in ours["arrays"].items():
        row = {"bytes": r["bytes"], "calls_per_rep": r["inner"], "max_abs_roundtrip_diff": r["max_abs_roundtrip_diff"],
               "bitwise_equal": r["bitwise_equal"]}
        for key in ("to_indarray_s", "to_numpy_s", "numpy_copy_s"):
            s = common.summarize(r[key])
            s["gb_s"] = r["bytes"] / s["median_s"] / 1e9
            row[key.removesuffix("_s")] = s
        res["arrays"][n] = row
    return res


def table(res: dict) -> str:
    us = lambda s: f"{1e6 * s['median_s']:.2f} ({1e6 * s['min_s']:.2f}-{1e6 * s['max_s']:.2f})"  # noqa: E731
    lines = ["| call | us/call, median (min-max) |", "|---|---|"]
    lines += [f"| {label} | {us(s)} |" for label, s in res["calls"].items()]
    lines += ["", "| float32 elements | numpy -> INDArray: us/call (GB/s) | INDArray -> numpy: us/call (GB/s) | "
              "numpy copy: us/call (GB/s) | round trip max abs diff |", "|---|---|---|---|---|"]
    for n, r in res["arrays"].items():
        cells = [f"{us(r[k])} ({r[k]['gb_s']:.3g})" for k in ("to_indarray", "to_numpy", "numpy_copy")]
        lines.append(f"| {int(n):,} | {' | '.join(cells)} | {r['max_abs_roundtrip_diff']:.1e}"
                     f"{' (bitwise equal)' if r['bitwise_equal'] else ''} |")
    lines += ["", f"JVM start (JPype import, JVM, facade class): {res['jvm_start_s']:.2f} s; ND4J native init (first "
              f"INDArray): {res['nd4j_init_s']:.2f} s; both excluded from the table. Peak resident memory of the child "
              f"(interpreter + JVM): {res['peak_rss'] / 2**30:.2f} GiB. GB/s: the array's bytes, one way, per call. "
              "Timings: median (min-max) over repetitions (each many calls, per-call average) after one warm-up."]
    return "\n".join(lines)


if __name__ == "__main__":
    if sys.argv[1] == "child":
        _child(sys.argv[2:])
