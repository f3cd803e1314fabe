"""The Keras parity table: per file of the DL4J test set, what the parity test compares, as numbers.

``python -m tests.keras.report [out.md]`` (``make keras-report``) runs DL4J's importer over every case in a child JVM
(tests/keras/judge.py), imports each file here, and prints one markdown row per file: Keras version, layers,
configuration JSON equal to DL4J's (both enforceTrainingConfig values), parameters bit-identical, max |ours - DL4J|
on the outputs and max |ours - Keras| on Keras's stored predictions. The pass/fail checks are the parity test's
(tests/keras/test_keras_parity.py); this only reports.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from ..json_diff import jdiff
from . import judge
from .cases import MIXED_FORMATS, RUNTIME, UNSUPPORTED, stored_inputs
from .test_keras_parity import (CASES, PARAMS, REFERENCE, _input_arrays, _pending, _strip_seed, import_ours)


def _keras_version(case) -> str:
    import h5py

    if case.path.suffix == ".json":
        raw = case.path.read_text()
        v = json.loads(raw).get("keras_version")
        src = case.weights
    else:
        v, src = None, case.path
    if v is None and src is not None:
        with h5py.File(src, "r") as f:
            v = f.attrs.get("keras_version")
            if v is None and "model_weights" in f:
                v = f["model_weights"].attrs.get("keras_version")
    if isinstance(v, bytes):
        v = v.decode()
    return str(v) if v is not None else "1.x (no version field)"


def _layers(model) -> str:
    counts: dict = {}
    for layer in model.layersOrdered:
        counts[layer.className] = counts.get(layer.className, 0) + 1
    return ", ".join(f"{k}" + (f"x{n}" if n > 1 else "") for k, n in counts.items())


def _dl4j_results(tmp: Path) -> dict:
    lines = []
    for case, enforce in PARAMS:
        inputs = []
        if case.has_weights:
            try:
                _, _, model = import_ours(case, enforce, network=False)
                arrays = _input_arrays(case, model)
            except Exception:  # noqa: BLE001 - the test itself checks the error kind
                arrays = stored_inputs(case)[0] if case.io is not None else []
            for k, a in enumerate(arrays):
                p = tmp / f"{case.id}.{enforce}.in{k}.npy"
                np.save(p, np.ascontiguousarray(a, dtype=np.float32))
                inputs.append(p)
        lines.append(judge.case_line(f"{case.id}.{str(enforce).lower()}", case.kind, enforce, case.path, case.weights,
                                     inputs))
    return judge.run_cases(lines, tmp / "out")


def _row(case, results) -> list:
    from pydl4j_transfer.nn.serializer import ModelSerializer

    version, layers, js, ps, d_dl4j, d_keras, note, scale = "?", "", [], [], [], [], [], []
    for enforce in (True, False):
        r = results[f"{case.id}.{str(enforce).lower()}"]
        try:
            conf, net, model = import_ours(case, enforce)
        except Exception as exc:  # noqa: BLE001 - reported, the test checks the kind
            theirs = judge.short_error(r.error_class) or "imports"
            ours = type(exc).__name__
            why = "mixes formats" if case.rel in MIXED_FORMATS or UNSUPPORTED.get(case.rel, ("", ""))[1] == \
                "mixed-formats" else ("pending issue 16" if _pending(case) else "")
            note.append(f"DL4J: {theirs}; ours: {ours}" + (f" ({why})" if why else ""))
            version = _keras_version(case)
            continue
        version, layers = _keras_version(case), _layers(model)
        if r.json is None:
            note.append(f"DL4J: {judge.short_error(r.error_class)}; ours imports")
            continue
        js.append(not jdiff(_strip_seed(json.loads(conf.toJson())), _strip_seed(json.loads(r.json))))
        if net is None:
            continue
        theirs = ModelSerializer.restoreComputationGraph(str(r.zip)) if not case.kind.startswith("seq") \
            else ModelSerializer.restoreMultiLayerNetwork(str(r.zip))
        a, b = np.asarray(net.params()), np.asarray(theirs.params()).astype(np.float32)
        ps.append(a.shape == b.shape and np.array_equal(a.view(np.uint32), b.view(np.uint32)))
        inputs = _input_arrays(case, model)
        if r.outputs:
            outs = net.output(*inputs) if not case.kind.startswith("seq") else [net.output(inputs[0])]
            d_dl4j.append(max(float(np.abs(o - t).max()) for o, t in zip(outs, r.outputs)))
            scale.append(max(float(np.abs(t).max()) for t in r.outputs))
            if r.no_workspace:
                note.append("DL4J outputs without workspaces (NPE in workspaces)")
            if case.io is not None:
                _, preds = stored_inputs(case)
                for name, keras_o in preds.items():
                    names = model.getOutputLayerNames()
                    o = outs[names.index(name)] if name in names else outs[-1]
                    d_keras.append(float(np.abs(o - keras_o).max()))
        elif RUNTIME.get(case.rel) == "keras":
            ref = np.load(REFERENCE / f"{case.id}.npz")
            ins = [ref[k] for k in sorted(ref.files) if k.startswith("input")]
            preds = [ref[k] for k in sorted(ref.files) if k.startswith("prediction")]
            outs = net.output(*ins) if not case.kind.startswith("seq") else [net.output(ins[0])]
            d_keras.append(max(float(np.abs(o - k).max()) for o, k in zip(outs, preds)))
            note.append("DL4J cannot run it (NDHWC input); vs Keras reference")
        else:
            note.append("neither runs it on its own input layout (same error kind)")

    def yes(v):
        return "-" if not v else ("yes" if all(v) else "NO")

    def mx(v):
        return "-" if not v else f"{max(v):.1e}"

    vs_dl4j = mx(d_dl4j) if not d_dl4j or max(scale) <= 1.0 else f"{mx(d_dl4j)} (outputs up to {max(scale):.0f})"
    return [case.rel, case.kind, version, layers or "-", yes(js), yes(ps), vs_dl4j, mx(d_keras),
            "; ".join(dict.fromkeys(note))]


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="keras_report_") as tmp:
        results = _dl4j_results(Path(tmp))
        t_dl4j = time.monotonic() - t0
        rows = [_row(c, results) for c in CASES]
    head = ["file", "import", "Keras", "layers", "JSON equal", "params equal", "max diff vs DL4J",
            "max diff vs Keras", "note"]
    text = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    text += ["| " + " | ".join(str(x) for x in r) + " |" for r in rows]
    text.append("")
    text.append(f"{len(rows)} files, {len(PARAMS)} import cases; DL4J's importer {t_dl4j:.0f} s, total "
                f"{time.monotonic() - t0:.0f} s")
    out = "\n".join(text) + "\n"
    if argv:
        Path(argv[0]).write_text(out)
    print(out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
