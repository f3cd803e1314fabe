"""The main job of `make demo`: one DL4J model, run by PyTorch and by real DL4J, side by side.

Loads a small network that real DL4J 1.0.0-M2.1 wrote (compat_fixtures/), runs it natively in
PyTorch and in real DL4J (JVM through JPype) on the same input, prints both outputs and their
largest difference, then saves the model from Python and has DL4J restore that zip too.
(The end-to-end transfer-learning demo replaces this job when the zoo and transfer capabilities land.)
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import pydl4j_transfer
from pydl4j_transfer import Dl4jModel, ModelSerializer

CASE = Path(__file__).resolve().parents[1] / "compat_fixtures" / "1.0.0-M2.1" / "mlp_dense_output"


def main() -> int:
    zip_path = CASE / "model.zip"
    x = np.load(CASE / "input.npy")
    np.set_printoptions(precision=6, suppress=True)

    t = time.perf_counter()
    net = pydl4j_transfer.load(zip_path)
    torch_out = net.output(x)
    t_torch = time.perf_counter() - t
    print(f"model: {zip_path.relative_to(CASE.parents[2])} ({type(net).__name__}, {net.numParams()} params, "
          f"layers {[type(layer).__name__ for layer in net.getLayerWiseConfigurations().layers]})")
    print(f"input: {x.shape[0]} examples x {x.shape[1]} features\n")
    print(f"PyTorch output ({t_torch * 1e3:.0f} ms incl. importing torch and reading the zip):\n{torch_out}\n")

    t = time.perf_counter()
    dl4j = Dl4jModel.restore(zip_path)
    dl4j_out = dl4j.output(x)
    t_dl4j = time.perf_counter() - t
    print(f"real DL4J {pydl4j_transfer.dl4j_backend.dl4j_version()} output ({t_dl4j * 1e3:.0f} ms incl. JVM start):\n{dl4j_out}\n")

    diff = float(np.abs(torch_out - dl4j_out).max())
    print(f"largest |PyTorch - DL4J| = {diff:.2e}")

    with tempfile.TemporaryDirectory() as tmp:
        saved = Path(tmp) / "from_python.zip"
        ModelSerializer.writeModel(net, saved, True)
        again = Dl4jModel.restore(saved)
        same = np.array_equal(again.params(), net.params()) and np.array_equal(again.updaterState(),
                                                                                 net.getUpdaterState())
        print(f"saved from Python, restored by DL4J: params and updater state bit-identical: {same}; "
              f"output difference {float(np.abs(again.output(x) - torch_out).max()):.2e}")
    ok = diff <= 1e-5 and same
    print("OK" if ok else "MISMATCH")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
