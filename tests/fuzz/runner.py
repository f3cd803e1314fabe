"""Runs fuzz inputs, each in its own child process under an address-space limit and a timeout.

The parent imports the package and loads the seeds once, then forks one child per input (a fork costs about
a millisecond, so runs are bounded by the code under test, not by interpreter start-up). The child sets
``RLIMIT_AS`` (the parent's size + 2 GiB by default), ``RLIMIT_CPU`` and ``RLIMIT_FSIZE``, sends stdout/stderr to /dev/null and
faulthandler to a file, runs the target and reports one JSON line through a pipe. Outcomes:

=========  ====================================================================================
ok         the entry point returned
typed      it raised a ``pydl4j_transfer.errors`` exception (``typed_net``: one raised by the last-resort
           conversion in ``nn/serializer._build``, whose ``__cause__`` is a plain Python exception --
           typed for the user, but counted apart because a specific check would say more)
untyped    it raised anything else (a bug: an exception from inside numpy, zipfile, json, ...)
memory     it raised ``MemoryError`` (``InsufficientMemoryError`` included: these inputs are small, so
           running out under the limit means an allocation sized by a claim), or its peak RSS grew more
           than 512 MiB (+16x the input) over the parent's
hang       it ran past the timeout (default 10 s) and was killed
crash      it died of a signal (SIGSEGV, SIGBUS, SIGABRT...) or exited without a result
=========  ====================================================================================

Inputs are generated deterministically: input ``i`` of seed ``s`` comes from ``random.Random(f"{s}:{i}")``, so
any finding can be regenerated from its index (``python -m tests.fuzz --replay INDEX``).
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import resource
import select
import shutil
import signal
import struct
import sys
import tempfile
import time
import traceback
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .seeds import load_seeds
from .targets import ALL_TARGETS, pick

OUTCOMES = ("ok", "typed", "typed_net", "untyped", "memory", "hang", "crash")
BAD = ("untyped", "memory", "hang", "crash")
MEMORY_SLACK = 512 << 20


@dataclass
class Result:
    index: int
    target: str
    outcome: str
    exc_type: str = ""
    message: str = ""
    where: str = ""
    rss_mb: float = 0.0
    secs: float = 0.0
    size: int = 0

    def key(self) -> str:
        return f"{self.target}|{self.outcome}|{self.exc_type}|{self.where}"


def generate(seed: int, index: int, targets=None) -> tuple[str, bytes]:
    """Input ``index`` of ``seed``: (target name, bytes). Deterministic."""
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old, 20000))  # the deep-nesting mutations serialise ~2000-level JSON
    try:
        for attempt in range(5):
            rng = random.Random(f"{seed}:{index}" + (f":{attempt}" if attempt else ""))
            name = pick(rng, targets)
            try:
                return name, ALL_TARGETS[name][1](rng, load_seeds())
            except (RecursionError, ValueError, struct.error, IndexError, KeyError):
                continue  # a mutation the serialiser cannot express: draw again
        raise RuntimeError(f"input {index}: no mutation could be serialised")
    finally:
        sys.setrecursionlimit(old)


def _innermost_package_frame(tb) -> str:
    where = ""
    for frame in traceback.extract_tb(tb):
        if "pydl4j_transfer" in frame.filename:
            where = f"{frame.filename.split('pydl4j_transfer')[-1].lstrip('/')}:{frame.lineno} {frame.name}"
    return where


def _chain(exc):
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def classify(exc: BaseException) -> str:
    from pydl4j_transfer.errors import Pydl4jTransferError

    if any(isinstance(e, MemoryError) for e in _chain(exc)):
        return "memory"
    if isinstance(exc, Pydl4jTransferError):
        cause = exc.__cause__
        return "typed_net" if cause is not None and not isinstance(cause, Pydl4jTransferError) else "typed"
    return "untyped"


def _child(target: str, data: bytes, workdir: str, limit: int, timeout: float, wfd: int) -> None:
    """In the forked child: limits, run, report, _exit. Never returns."""
    report = {"outcome": "crash", "exc_type": "harness", "message": "", "where": ""}
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        import faulthandler

        faulthandler.enable(open(os.path.join(workdir, "faulthandler.txt"), "w"))  # noqa: SIM115 - kept open
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        resource.setrlimit(resource.RLIMIT_CPU, (int(timeout * 2) + 1, int(timeout * 2) + 2))
        resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 30, 1 << 30))
        if limit:
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        path = os.path.join(workdir, "input.zip" if target.startswith(("zip.", "config.load")) else "input.bin")
        with open(path, "wb") as f:
            f.write(data)
        try:
            ALL_TARGETS[target][2](data, path, workdir)
            report = {"outcome": "ok", "exc_type": "", "message": "", "where": ""}
        except BaseException as exc:  # noqa: BLE001 - the harness classifies everything
            report = {"outcome": classify(exc), "exc_type": type(exc).__name__, "message": str(exc)[:300],
                      "where": _innermost_package_frame(exc.__traceback__)}
            if report["outcome"] == "typed_net":
                cause = exc.__cause__
                report["exc_type"] += f"<-{type(cause).__name__}"
                report["where"] = _innermost_package_frame(cause.__traceback__)
    except BaseException as exc:  # noqa: BLE001
        report["message"] = f"harness error: {exc!r}"[:300]
    try:
        os.write(wfd, json.dumps(report).encode()[:3800])
    finally:
        os._exit(0)


@dataclass
class Summary:
    seed: int
    start: int
    done: int = 0
    counts: Counter = field(default_factory=Counter)
    by_target: dict = field(default_factory=dict)
    findings: dict = field(default_factory=dict)  # key -> first Result (as dict) + count
    seconds: float = 0.0

    def add(self, r: Result, data: bytes, out_dir: Path | None) -> None:
        self.done += 1
        self.counts[r.outcome] += 1
        self.by_target.setdefault(r.target, Counter())[r.outcome] += 1
        if r.outcome in BAD or r.outcome == "typed_net":
            key = r.key()
            entry = self.findings.get(key)
            if entry is None:
                entry = self.findings[key] = {**asdict(r), "count": 0}
                if out_dir is not None:
                    name = hashlib.sha1(key.encode()).hexdigest()[:12]
                    (out_dir / "findings").mkdir(parents=True, exist_ok=True)
                    (out_dir / "findings" / f"{name}.bin").write_bytes(data)
                    entry["file"] = f"findings/{name}.bin"
            entry["count"] += 1

    def to_json(self) -> dict:
        return {"seed": self.seed, "start": self.start, "inputs": self.done, "seconds": round(self.seconds, 1),
                "counts": {k: self.counts.get(k, 0) for k in OUTCOMES},
                "by_target": {t: {k: c.get(k, 0) for k in OUTCOMES} for t, c in sorted(self.by_target.items())},
                "findings": sorted(self.findings.values(), key=lambda f: (f["outcome"], f["target"]))}


def address_space_limit(gib: float) -> int:
    """RLIMIT_AS for a child: the parent's own address space (which the forked child starts with: the
    interpreter, numpy, whatever the caller imported -- pytest's process is larger than the CLI's) plus ``gib``
    GiB for the input. 0: no limit."""
    if not gib:
        return 0
    size = 0
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmSize:"):
                    size = int(line.split()[1]) * 1024
    except OSError:
        pass
    return size + int(gib * (1 << 30))


_PRELOADED = []


def preload() -> None:
    """Import everything the targets use (and fill their lazy caches) in the parent, once, so that each forked
    child starts warm: a child then costs the code under test, not imports."""
    if _PRELOADED:
        return
    _PRELOADED.append(True)
    import importlib
    import io

    for name in ("pydl4j_transfer", "pydl4j_transfer.conf", "pydl4j_transfer.nn", "pydl4j_transfer.nn.serializer",
                 "pydl4j_transfer.nn.summary", "pydl4j_transfer.data", "pydl4j_transfer.data.normalizers",
                 "pydl4j_transfer.convert.inspect", "pydl4j_transfer.convert.formats", "pydl4j_transfer.cli",
                 "pydl4j_transfer.zipio", "pydl4j_transfer.zipio.nd4j_binary", "pydl4j_transfer.errors"):
        importlib.import_module(name)
    from pydl4j_transfer import load
    from pydl4j_transfer.nn.summary import summary as net_summary

    for _, data in load_seeds().zips[:40]:
        try:
            net_summary(load(io.BytesIO(data)))
        except Exception:  # noqa: BLE001 - warming caches only; the fuzz run reports failures
            pass


def run(n: int, *, seed: int = 1, start: int = 0, jobs: int = 1, limit_gib: float = 2.0, timeout: float = 10.0,
        targets=None, out_dir: str | Path | None = None, progress_every: int = 0, log=sys.stderr) -> Summary:
    """Run inputs ``start .. start+n-1`` of ``seed``; returns the Summary (and writes it under ``out_dir``)."""
    load_seeds()
    preload()
    out = Path(out_dir) if out_dir is not None else None
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
    base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    limit = address_space_limit(limit_gib)
    summary = Summary(seed, start)
    t0 = time.time()
    root = tempfile.mkdtemp(prefix="pydl4j-fuzz-")
    in_flight: dict[int, dict] = {}
    previous = signal.signal(signal.SIGTERM, _terminate)  # `kill PID`: stop, keep the summary, clean up
    next_i, end = start, start + n
    printed = 0
    try:
        while next_i < end or in_flight:
            while len(in_flight) < jobs and next_i < end:
                target, data = generate(seed, next_i, targets)
                workdir = os.path.join(root, str(next_i))
                os.mkdir(workdir)
                r, w = os.pipe()
                pid = os.fork()
                if pid == 0:
                    os.close(r)
                    _child(target, data, workdir, limit, timeout, w)
                os.close(w)
                in_flight[r] = {"pid": pid, "index": next_i, "target": target, "data": data, "workdir": workdir,
                                "t0": time.time(), "chunks": [], "killed": False}
                next_i += 1
            now = time.time()
            wait = max(0.0, min(job["t0"] + timeout for job in in_flight.values()) - now) if in_flight else 0
            ready, _, _ = select.select(list(in_flight), [], [], min(wait, 1.0))
            for fd in ready:
                chunk = os.read(fd, 65536)
                if chunk:
                    in_flight[fd]["chunks"].append(chunk)
                    continue
                job = in_flight.pop(fd)
                summary.add(_finish(fd, job, base_rss), job["data"], out)
            now = time.time()
            for fd, job in list(in_flight.items()):
                if not job["killed"] and now - job["t0"] > timeout:
                    job["killed"] = True
                    try:
                        os.kill(job["pid"], signal.SIGKILL)
                    except ProcessLookupError:
                        pass
            if progress_every and summary.done // progress_every > printed:
                printed = summary.done // progress_every
                _progress(summary, t0, log, out)
    finally:
        for job in in_flight.values():
            try:
                os.kill(job["pid"], signal.SIGKILL)
                os.waitpid(job["pid"], 0)
            except (ProcessLookupError, ChildProcessError):
                pass
        signal.signal(signal.SIGTERM, previous)
        shutil.rmtree(root, ignore_errors=True)
        summary.seconds = time.time() - t0
        if out is not None:
            (out / "summary.json").write_text(json.dumps(summary.to_json(), indent=1))
    return summary


def _terminate(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def _progress(summary: Summary, t0: float, log, out: Path | None) -> None:
    rate = summary.done / max(time.time() - t0, 1e-9)
    counts = " ".join(f"{k}={summary.counts.get(k, 0)}" for k in OUTCOMES)
    print(f"[fuzz] {summary.done} inputs, {rate:.1f}/s: {counts}", file=log, flush=True)
    if out is not None:
        summary.seconds = time.time() - t0
        (out / "summary.json").write_text(json.dumps(summary.to_json(), indent=1))


def _finish(fd: int, job: dict, base_rss: int) -> Result:
    os.close(fd)
    _, status, usage = os.wait4(job["pid"], 0)
    secs = time.time() - job["t0"]
    raw = b"".join(job["chunks"])
    rss = usage.ru_maxrss * 1024
    data = job["data"]
    if raw:
        rep = json.loads(raw)
        result = Result(job["index"], job["target"], rep["outcome"], rep["exc_type"], rep["message"], rep["where"])
        if result.outcome in ("ok", "typed", "typed_net") and rss > base_rss + MEMORY_SLACK + 16 * len(data):
            result.outcome, result.message = "memory", f"peak RSS {rss >> 20} MiB; " + result.message
    elif job["killed"]:
        result = Result(job["index"], job["target"], "hang", message=f"killed after {secs:.1f} s")
    else:
        sig = -1
        if os.WIFSIGNALED(status):
            sig = os.WTERMSIG(status)
        fault = ""
        try:
            fault = Path(job["workdir"], "faulthandler.txt").read_text()[-1500:]
        except OSError:
            pass
        where = ""
        for line in fault.splitlines():
            if "pydl4j_transfer" in line:
                where = line.strip().split("pydl4j_transfer")[-1].lstrip("/")
        result = Result(job["index"], job["target"], "crash",
                        signal.Signals(sig).name if sig > 0 else f"exit {os.WEXITSTATUS(status)}", fault[-300:], where)
    result.rss_mb, result.secs, result.size = round(rss / 2 ** 20, 1), round(secs, 3), len(data)
    shutil.rmtree(job["workdir"], ignore_errors=True)
    return result


def run_one(target: str, data: bytes, *, limit_gib: float = 2.0, timeout: float = 10.0) -> Result:
    """One given input through one target, in a child process, classified as :func:`run` does."""
    preload()
    root = tempfile.mkdtemp(prefix="pydl4j-fuzz-")
    base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    workdir = os.path.join(root, "0")
    os.mkdir(workdir)
    try:
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(r)
            _child(target, data, workdir, address_space_limit(limit_gib), timeout, w)
        os.close(w)
        job = {"pid": pid, "index": 0, "target": target, "data": data, "workdir": workdir, "t0": time.time(),
               "chunks": [], "killed": False}
        while True:
            ready, _, _ = select.select([r], [], [], max(0.0, job["t0"] + timeout - time.time()))
            if not ready:
                job["killed"] = True
                os.kill(pid, signal.SIGKILL)
                while os.read(r, 65536):
                    pass
                break
            chunk = os.read(r, 65536)
            if not chunk:
                break
            job["chunks"].append(chunk)
        return _finish(r, job, base_rss)
    finally:
        shutil.rmtree(root, ignore_errors=True)
