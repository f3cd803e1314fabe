"""A short seeded slice of the fuzz run inside the normal suite (``make fuzz`` runs 100,000 inputs).

500 inputs over every entry point, each in its own child process under a 2 GiB address-space limit and a
10 s timeout: none may end in an untyped exception, a hang, a crash or an allocation beyond the memory
budget. Fixed seed, so a failure reproduces with ``python -m tests.fuzz --seed 17 --inputs 500``.
"""

from __future__ import annotations

from .runner import BAD, run
from .targets import TARGETS

SEED, INPUTS = 17, 500


def test_short_fuzz_run_has_no_bad_outcome(tmp_path):
    summary = run(INPUTS, seed=SEED, jobs=2, out_dir=tmp_path)
    table = summary.to_json()
    bad = [f for f in table["findings"] if f["outcome"] in BAD]
    assert not bad, "\n".join(f"{f['outcome']} {f['target']} input {f['index']}: {f['exc_type']}: {f['message']} "
                              f"[{f['where']}]" for f in bad)
    assert table["inputs"] == INPUTS
    assert set(table["by_target"]) == set(TARGETS), "every entry point was exercised"
    assert table["counts"]["typed"] > INPUTS // 4  # the mutators do reach the error paths
