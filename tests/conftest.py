"""Shared fixtures: one JVM per pytest run, and the paths of real DL4J-written files.

``PYDL4J_TRANSFER_REQUIRE_JVM=1`` (set by ``make test`` and so by CI) turns a missing JVM
from a skip into a failure, so the parity tests can never be skipped silently in CI.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "compat_fixtures"
LEGACY = Path(os.environ.get("PYDL4J_TRANSFER_LEGACY_DIR", REPO.parent / "shared" / "dl4j-legacy"))
REQUIRE_JVM = os.environ.get("PYDL4J_TRANSFER_REQUIRE_JVM") == "1"


@pytest.fixture(scope="session")
def jvm():
    """The Java facade class, with the JVM started once for the whole session."""
    from pydl4j_transfer.dl4j_backend import start_jvm
    from pydl4j_transfer.errors import JvmUnavailableError

    try:
        return start_jvm()
    except JvmUnavailableError as exc:
        if REQUIRE_JVM:
            pytest.fail(f"PYDL4J_TRANSFER_REQUIRE_JVM=1 but the JVM is unavailable:\n{exc}")
        pytest.skip(f"real DL4J unavailable (run `make java`): {str(exc).splitlines()[0]}")


@pytest.fixture(scope="session")
def legacy_dir() -> Path:
    """../shared/dl4j-legacy: files written by DL4J 0.5.0 .. 1.0.0-beta6 (absent in a user's clone)."""
    if not LEGACY.is_dir():
        pytest.skip(f"legacy DL4J files not found at {LEGACY} (set PYDL4J_TRANSFER_LEGACY_DIR)")
    return LEGACY


def pytest_collection_modifyitems(config, items):
    """Tests marked ``dl4j`` get the ``jvm`` fixture, so they fail (not skip) under REQUIRE_JVM."""
    for item in items:
        if item.get_closest_marker("dl4j") and "jvm" not in getattr(item, "fixturenames", ()):
            item.fixturenames.append("jvm")
        if item.get_closest_marker("gpu"):
            try:
                import torch

                has_cuda = torch.cuda.is_available()
            except ImportError:
                has_cuda = False
            if not has_cuda:
                item.add_marker(pytest.mark.skip(reason="needs a CUDA device"))
