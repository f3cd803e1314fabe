"""Shared machinery of the tests/nn parity tests: array identity, the text-identity record (JSON diffs: tests/json_diff.py)."""

from __future__ import annotations


import numpy as np

from pydl4j_transfer.conf import MultiLayerConfiguration
from pydl4j_transfer.nn import ComputationGraph, MultiLayerNetwork

#: case id -> whether DL4J's configurationJson() text was byte-identical to ours (recorded, never asserted).
TEXT_IDENTITY: dict = {}
#: case id -> the canonical JSON differences found (recorded for the summary / report file).
JSON_DIFFS: dict = {}
#: M2.1 fixture id -> whether our toJson() text was byte-identical to the zip's configuration.json (recorded only).
FIXTURE_TEXT_IDENTITY: dict = {}


def type_ids(tree) -> set:
    """Every ``"@class"`` and distribution ``"type"`` value in a JSON tree."""
    found = set()
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("@class", "type") and isinstance(value, str):
                    found.add(value)
                else:
                    stack.append(value)
        elif isinstance(node, list):
            stack.extend(node)
    return found


def network_for(conf):
    """``MultiLayerNetwork(conf)`` or ``ComputationGraph(conf)``, not yet initialised."""
    return MultiLayerNetwork(conf) if isinstance(conf, MultiLayerConfiguration) else ComputationGraph(conf)


def state_values(n: int, dtype, seed: int = 7) -> np.ndarray:
    """A non-trivial updater state of ``n`` values in the network dtype (random, not the fresh-init zeros)."""
    rng = np.random.default_rng(seed)
    values = rng.standard_normal(n) * 3.0 + np.linspace(-1.0, 1.0, n)
    return values.astype(dtype)


def same_array(ours, theirs) -> str | None:
    """None if both are None or bit-identical with the same dtype; else why not."""
    if ours is None or theirs is None:
        if ours is None and theirs is None:
            return None
        return (f"one side has no array: ours={None if ours is None else ours.shape} "
                f"theirs={None if theirs is None else theirs.shape}")
    ours, theirs = np.asarray(ours).reshape(-1), np.asarray(theirs).reshape(-1)
    if ours.dtype != theirs.dtype:
        return f"dtype differs: ours {ours.dtype}, theirs {theirs.dtype}"
    if ours.shape != theirs.shape:
        return f"length differs: ours {ours.size}, theirs {theirs.size}"
    if not np.array_equal(ours.view(np.uint8), theirs.view(np.uint8)):
        bad = np.flatnonzero(ours.view(f"u{ours.itemsize}") != theirs.view(f"u{theirs.itemsize}"))
        return (f"{bad.size} of {ours.size} values differ, first at {bad[0]}: ours {ours[bad[0]]!r} "
                f"theirs {theirs[bad[0]]!r}")
    return None
