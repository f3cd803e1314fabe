"""The fuzz harness of issue 17: structure-aware mutators, entry points, a fork-per-input runner.

``python -m tests.fuzz --inputs N`` (``make fuzz``: 100,000 inputs) runs it; RELIABILITY.md has the
promises it checks and the latest numbers. ``tests/fuzz/test_fuzz_smoke.py`` runs a short seeded
slice inside the normal test suite; ``tests/fuzz/test_fuzz_regressions.py`` replays every finding.
"""
