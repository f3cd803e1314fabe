"""Run DL4J 1.0.0-M2.1's own Keras importer over the import cases, in a child JVM, and collect what it made.

The judge is ``org.pydl4j.transfer.keras.KerasImportCases`` (java/): per case, the configuration DL4J's importer
builds (toJson), the network with the Keras weights (a ModelSerializer zip) and its outputs on the inputs given,
or the exception DL4J raised. It runs in a child process with a timeout (DL4J's native code crashed or hung the
JVM on this machine for some Keras files, shared/keras/README.md), and a crash only loses the case it died on:
the runner starts a new JVM on the cases after it. DL4J's native heap corruption (the batch_to_conv2d family) can
surface on a case other than the one that caused it, and not on every run, so a case the JVM died on is first tried
again, first in a fresh JVM, up to ``JVM_TRIES`` times; only a case that kills every JVM is recorded as crashed.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
JAR = REPO / "java" / "target" / "pydl4j-transfer-java.jar"
LIB = REPO / "java" / "target" / "lib"
CLASS = "org.pydl4j.transfer.keras.KerasImportCases"
JVM_TRIES = 3  # JVMs a case may kill before it is recorded as crashed


@dataclass
class Dl4jResult:
    id: str
    json: str | None = None
    zip: Path | None = None
    outputs: list = field(default_factory=list)
    error_class: str | None = None
    error_message: str | None = None
    output_error: str | None = None
    no_workspace: bool = False  # DL4J's outputs came from a second try without inference workspaces


def java_available() -> bool:
    return JAR.exists() and LIB.is_dir()


def run_cases(lines: list[str], out_dir: Path, timeout_s: float = 300.0) -> dict:
    """Run the TSV case lines (see KerasImportCases' javadoc) and return {id: Dl4jResult}.

    A JVM that dies or times out starts again on its current case and the rest; a case that has killed
    ``JVM_TRIES`` JVMs is recorded as crashed (error class ``"crash"``) and the rest run without it."""
    out_dir.mkdir(parents=True, exist_ok=True)
    todo = list(lines)
    crashed, deaths = {}, {}
    started = time.monotonic()
    for jvm in itertools.count():
        if not todo:
            break
        tsv = out_dir / f"cases_{jvm}.tsv"
        tsv.write_text("\n".join(todo) + "\n")
        # a JVM that dies writes its crash report beside the results, never into the repository (libhdf5
        # sometimes segfaults in its exit handler after the last case is done: tolerated, the results are written)
        cmd = ["java", "-Xmx2g", "-Dorg.slf4j.simpleLogger.defaultLogLevel=error",
               f"-XX:ErrorFile={out_dir / 'hs_err_pid%p.log'}",
               "-cp", f"{JAR}{os.pathsep}{LIB}/*", CLASS, str(tsv), str(out_dir)]
        remaining = max(30.0, timeout_s - (time.monotonic() - started))
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=remaining)
            stdout, rc = proc.stdout, proc.returncode
        except subprocess.TimeoutExpired as exc:
            stdout = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
            rc = "timeout"
        done = {line.split(" ", 1)[1] for line in stdout.splitlines() if line.startswith("DONE ")}
        todo_ids = [line.split("\t", 1)[0] for line in todo]
        rest = [line for line, cid in zip(todo, todo_ids) if cid not in done]
        if rc == 0 and not rest:
            break
        if not rest:
            break
        dead = rest[0].split("\t", 1)[0]
        deaths[dead] = deaths.get(dead, 0) + 1
        if deaths[dead] < JVM_TRIES and rc != "timeout":
            todo = rest  # a fresh JVM starts on the case the last one died on
            continue
        crashed[dead] = (f"DL4J's JVM {'timed out' if rc == 'timeout' else f'exited with {rc}'} while importing, "
                         f"in each of {deaths[dead]} JVMs that tried")
        todo = rest[1:]
    results = {}
    for line in lines:
        cid = line.split("\t", 1)[0]
        r = Dl4jResult(cid)
        if cid in crashed:
            r.error_class, r.error_message = "crash", crashed[cid]
        err = out_dir / f"{cid}.err"
        if err.exists():
            text = err.read_text(errors="replace").splitlines()
            r.error_class = text[0] if text else "?"
            r.error_message = text[1] if len(text) > 1 else ""
        outerr = out_dir / f"{cid}.outerr"
        if outerr.exists():
            r.output_error = outerr.read_text(errors="replace").strip()
        r.no_workspace = (out_dir / f"{cid}.noworkspace").exists()
        js = out_dir / f"{cid}.json"
        if js.exists():
            r.json = js.read_text()
        zp = out_dir / f"{cid}.zip"
        if zp.exists():
            r.zip = zp
        k = 0
        while (out_dir / f"{cid}.out{k}.npy").exists():
            r.outputs.append(np.load(out_dir / f"{cid}.out{k}.npy"))
            k += 1
        results[cid] = r
    return results


def case_line(cid: str, kind: str, enforce: bool, path, weights=None, inputs=()) -> str:
    return "\t".join([cid, kind, "true" if enforce else "false", str(path), str(weights or ""),
                      ",".join(str(p) for p in inputs)])


def short_error(java_class: str | None) -> str | None:
    """org.deeplearning4j...InvalidKerasConfigurationException -> InvalidKerasConfigurationException."""
    return None if java_class is None else java_class.rsplit(".", 1)[-1]


_ = json
