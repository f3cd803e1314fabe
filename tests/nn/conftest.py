"""tests/nn: report how often DL4J's configuration JSON text was byte-identical to ours (recorded, not asserted).

``PYDL4J_TRANSFER_PARITY_REPORT=<file>`` also writes the per-case record (byte identity, JSON differences) as JSON.
"""

from __future__ import annotations

import json
import os


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    from .nn_parity import FIXTURE_TEXT_IDENTITY, JSON_DIFFS, TEXT_IDENTITY

    if FIXTURE_TEXT_IDENTITY:
        same = sum(1 for v in FIXTURE_TEXT_IDENTITY.values() if v)
        terminalreporter.write_line(
            f"tests/nn fixtures: our toJson() byte-identical to the M2.1 zip's configuration.json in {same} of "
            f"{len(FIXTURE_TEXT_IDENTITY)} fixtures ({100.0 * same / len(FIXTURE_TEXT_IDENTITY):.1f}%)")
    if not TEXT_IDENTITY:
        return
    same = sum(1 for v in TEXT_IDENTITY.values() if v)
    terminalreporter.write_line(
        f"tests/nn writer parity: DL4J's configurationJson() text byte-identical to ours in {same} of "
        f"{len(TEXT_IDENTITY)} restored cases ({100.0 * same / len(TEXT_IDENTITY):.1f}%); "
        f"canonical JSON differences in {sum(1 for d in JSON_DIFFS.values() if d)} cases")
    differing = sorted(k for k, v in TEXT_IDENTITY.items() if not v)
    if differing:
        terminalreporter.write_line("  text differs (parsed JSON compared instead): " + ", ".join(differing))
    report = os.environ.get("PYDL4J_TRANSFER_PARITY_REPORT")
    if report:
        with open(report, "w", encoding="utf-8") as fh:
            json.dump({"byte_identical": TEXT_IDENTITY, "fixture_byte_identical": FIXTURE_TEXT_IDENTITY,
                       "json_diffs": {k: [[p, a, b] for p, a, b in v] for k, v in JSON_DIFFS.items()}},
                      fh, indent=1, default=str)
