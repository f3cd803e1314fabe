"""The Keras judge's own contract: a JVM that dies does not lose its case, and a case that kills every JVM is reported.

CI once lost weights/batch_to_conv2d_tensorflow_2.h5 to DL4J's native heap corruption (a JVM death that does not
come back on a rerun, shared/keras/README.md); the judge then tries the case again in a fresh JVM. Here the JVM is
really killed (SIGKILL from outside, as the kernel or glibc's abort would end it), not simulated.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import pytest

from . import judge
from .cases import discover

pytestmark = pytest.mark.dl4j


def _case():
    return next(c for c in discover() if c.rel == "examples/activations/ReLU_0_model.h5")


def _judge_pids(out_dir: Path) -> list[int]:
    """The pids of the judge JVMs working in out_dir (their command line names its case list there)."""
    pids = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                cmdline = (proc / "cmdline").read_bytes().decode(errors="replace")
            except OSError:
                continue
            if judge.CLASS in cmdline and str(out_dir) in cmdline:
                pids.append(int(proc.name))
    return pids


def _kill_jvms(out_dir: Path, times: int, stop: threading.Event) -> None:
    """SIGKILL the first ``times`` judge JVMs that start in out_dir, each as soon as it is seen."""
    killed = set()
    while len(killed) < times and not stop.is_set():
        for pid in _judge_pids(out_dir):
            if pid not in killed:
                os.kill(pid, signal.SIGKILL)
                killed.add(pid)
        time.sleep(0.01)


def _run_with_kills(tmp_path, times):
    if not judge.java_available():
        pytest.fail(f"the java/ build is missing ({judge.JAR}): run `make java`")
    if not Path("/proc/self/cmdline").exists():  # the killer finds the JVMs through /proc (Linux, as CI)
        msg = "no /proc: the judge's JVMs cannot be found to kill them"
        if os.environ.get("PYDL4J_TRANSFER_REQUIRE_JVM") == "1":
            pytest.fail(msg)
        pytest.skip(msg)
    case = _case()
    lines = [judge.case_line(f"{case.id}.{e}", case.kind, e == "true", case.path) for e in ("true", "false")]
    out = tmp_path / "out"
    stop = threading.Event()
    killer = threading.Thread(target=_kill_jvms, args=(out, times, stop), daemon=True)
    killer.start()
    try:
        return case, judge.run_cases(lines, out)
    finally:
        stop.set()
        killer.join()


def test_a_jvm_killed_on_a_case_does_not_lose_it(tmp_path):
    case, results = _run_with_kills(tmp_path, times=judge.JVM_TRIES - 1)
    for enforce in ("true", "false"):
        r = results[f"{case.id}.{enforce}"]
        assert r.error_class is None, r.error_message
        assert r.json is not None and '"activationFn"' in r.json  # DL4J's configuration, from a later JVM


def test_a_case_that_kills_every_jvm_is_reported_as_crashed_and_the_rest_still_run(tmp_path):
    case, results = _run_with_kills(tmp_path, times=judge.JVM_TRIES)
    first, second = results[f"{case.id}.true"], results[f"{case.id}.false"]
    assert first.error_class == "crash"
    assert f"each of {judge.JVM_TRIES} JVMs" in first.error_message
    assert second.error_class is None and second.json is not None
