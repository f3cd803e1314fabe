"""``python -m tests.parallelism.compare OUT``: dist_script.py's results in OUT against one process, per scenario
(the device check's report; the CI test is test_data_parallel.py). Exit status 1 when one exceeds 1e-6."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from . import scenarios as S


def main(out) -> int:
    out = Path(out)
    record = json.loads((out / "record.json").read_text())
    worst = 0.0
    for name in S.SCENARIOS:
        params, _, iterations, _ = S.single_process(name)
        got = np.load(out / f"{name}.params.npy")
        r = float(np.abs(got.astype(np.float64) - params).max() / np.abs(params).max())
        worst = max(worst, r)
        print(f"{name}: params within {r:.2e} relative of one process; iterations {record[name]['iterations']} "
              f"(one process: {iterations})")
    print(f"worst: {worst:.2e} (target 1e-6)")
    return 0 if worst <= 1e-6 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
