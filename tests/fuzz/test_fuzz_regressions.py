"""Every distinct finding of the fuzzer, replayed: each input of tests/fuzz/corpus/ (findings.json says what it
did before the fix: an untyped exception, a hang, a SIGSEGV, a 1 GiB allocation...) now ends in a result or a
typed error (``exception_after``, where given: that error class, raised by a specific check rather than a
last-resort conversion), in a child process under an address-space limit of 0.5 GiB and of 4 GiB over the
parent's size (the SIGSEGVs were rapidgzip's under a limit) and a 10 s timeout, as in the fuzz run."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from .runner import run_one

CORPUS = Path(__file__).parent / "corpus"
FINDINGS = json.loads((CORPUS / "findings.json").read_text())


@pytest.mark.parametrize("gib", [0.5, 4])
@pytest.mark.parametrize("finding", FINDINGS, ids=[f["file"].removesuffix(".bin.gz") for f in FINDINGS])
def test_finding_is_fixed(finding, gib):
    data = gzip.decompress((CORPUS / finding["file"]).read_bytes())
    result = run_one(finding["target"], data, limit_gib=gib)
    assert result.outcome in ("ok", "typed"), (
        f"{finding['file']} (was {finding['outcome_before']} {finding['exception_before']}): now {result}")
    if "exception_after" in finding:  # the specific check that replaced a last-resort conversion
        assert result.exc_type == finding["exception_after"], f"{finding['file']}: now {result}"


def test_corpus_index_lists_every_file():
    files = {p.name for p in CORPUS.glob("*.bin.gz")}
    assert files == {f["file"] for f in FINDINGS}
