"""The one JSON diff of the test suite: where our configuration JSON and DL4J's differ, readably."""

from __future__ import annotations

import json
import math


def canonical(text: str):
    """DL4J JSON parsed (Jackson writes NaN/Infinity as strings or bare tokens: json.loads takes both)."""
    return json.loads(text)


def jdiff(ours, theirs, path: str = "") -> list:
    """``[(path, ours, theirs)]``: where two parsed JSON trees differ (NaN equals NaN; 1 != 1.0 by type)."""
    out = []
    if isinstance(ours, dict) and isinstance(theirs, dict):
        for key in list(ours) + [k for k in theirs if k not in ours]:
            if key not in theirs:
                out.append((f"{path}/{key}", ours[key], "<absent>"))
            elif key not in ours:
                out.append((f"{path}/{key}", "<absent>", theirs[key]))
            else:
                out += jdiff(ours[key], theirs[key], f"{path}/{key}")
    elif isinstance(ours, list) and isinstance(theirs, list) and len(ours) == len(theirs):
        for i, (a, b) in enumerate(zip(ours, theirs)):
            out += jdiff(a, b, f"{path}[{i}]")
    elif isinstance(ours, float) and isinstance(theirs, float) and math.isnan(ours) and math.isnan(theirs):
        pass
    elif type(ours) is not type(theirs) or ours != theirs:
        out.append((path, ours, theirs))
    return out


def format_diffs(diffs, limit: int = 25) -> str:
    """The first ``limit`` differences of :func:`jdiff`, one line each."""
    lines = [f"  {p}: ours={json.dumps(a)[:160]} dl4j={json.dumps(b)[:160]}" for p, a, b in diffs[:limit]]
    if len(diffs) > limit:
        lines.append(f"  ... and {len(diffs) - limit} more")
    return "\n".join(lines)


def assert_same_json(ours, theirs, what: str = "configuration", skip=()) -> None:
    """Two JSON texts (or parsed trees) are equal, except under the path prefixes in ``skip``."""
    a = canonical(ours) if isinstance(ours, str) else ours
    b = canonical(theirs) if isinstance(theirs, str) else theirs
    diffs = [d for d in jdiff(a, b) if not any(d[0].startswith(p) for p in skip)]
    if diffs:
        raise AssertionError(f"{what} differs from DL4J's:\n{format_diffs(diffs)}")
