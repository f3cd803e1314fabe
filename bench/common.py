"""Timing, memory and machine helpers shared by the workloads."""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CACHE = REPO / "bench" / ".cache"
RESULTS = REPO / "bench" / "results"
JAVA_CP = os.pathsep.join([str(REPO / "java" / "target" / "pydl4j-transfer-java.jar"),
                           str(REPO / "java" / "target" / "lib" / "*")])


def summarize(times: list[float], warmup: int = 1) -> dict:
    """Median and spread of the repetitions after ``warmup`` discarded ones."""
    kept = times[warmup:] if len(times) > warmup else times
    return {"median_s": statistics.median(kept), "min_s": min(kept), "max_s": max(kept),
            "reps": len(kept), "warmup": len(times) - len(kept)}


def run_child(argv: list[str], env: dict | None = None) -> tuple[dict, int]:
    """Run a child that prints one JSON line last; return (that JSON, the child's own peak RSS in bytes)."""
    with tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=err, text=True,
                                env={**os.environ, **(env or {})})
        stdout = proc.stdout.read()
        proc.stdout.close()
        # wait4 gives this child's own rusage (RUSAGE_CHILDREN would mix every child so far)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            err.seek(0)
            raise RuntimeError(f"{' '.join(argv[:6])} ... failed ({proc.returncode}):\n{err.read()[-3000:]}")
    last = [line for line in stdout.splitlines() if line.startswith("{")][-1]
    return json.loads(last), usage.ru_maxrss * 1024


def java(args: list[str]) -> tuple[dict, int]:
    return run_child(["java", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", JAVA_CP, *args])


def python(module: str, args: list[str]) -> tuple[dict, int]:
    return run_child([sys.executable, "-m", module, *args], env={"PYTHONPATH": str(REPO)})


def machine() -> dict:
    """What the numbers were measured on."""
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        cpu = platform.processor()
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    jv = subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.splitlines()
    return {"date": time.strftime("%Y-%m-%d"), "cpu": cpu, "cores": os.cpu_count(), "memory_gib": round(mem / 2**30, 1),
            "python": platform.python_version(), "java": jv[0] if jv else "?", "platform": platform.platform()}


def write_result(name: str, result: dict) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(result, indent=2) + "\n")
    os.replace(tmp, path)
    return path
