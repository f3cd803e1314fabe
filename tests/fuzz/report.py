"""``python -m tests.fuzz.report [fuzz-results]``: the Markdown tables of RELIABILITY.md from a fuzz run's
summary.json (and kill_writes.json when present)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from .runner import OUTCOMES


def fuzz_table(summary: dict) -> str:
    lines = ["| entry point | inputs | " + " | ".join(OUTCOMES) + " |", "|---|---|" + "---|" * len(OUTCOMES)]
    for target, counts in summary["by_target"].items():
        lines.append(f"| `{target}` | {sum(counts.values()):,} | " + " | ".join(f"{counts[k]:,}" for k in OUTCOMES)
                     + " |")
    c = summary["counts"]
    lines.append(f"| **all** | **{summary['inputs']:,}** | " + " | ".join(f"**{c[k]:,}**" for k in OUTCOMES) + " |")
    return "\n".join(lines)


def kill_table(rows: list) -> str:
    lines = ["| writer | kills | landed mid-write | corrupt | missing | temp files left by the kill | "
             "temp files left after the next write | one write (s) |", "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| `{r['writer']}` | {r['kills']} | {r['mid_write']} | {r['corrupt']} | {r['missing']} | "
                     f"{r['left_after_kill']} | {r['left_after_next_write']} | {r['write_s']} |")
    return "\n".join(lines)


def merge(summaries: list) -> dict:
    """One summary of several runs over disjoint input ranges of the same seed (e.g. two halves run at once)."""
    out = {"seed": summaries[0]["seed"], "ranges": [], "inputs": 0, "seconds": 0.0,
           "counts": {k: 0 for k in OUTCOMES}, "by_target": {}, "findings": []}
    for s in summaries:
        out["ranges"].append((s["start"], s["start"] + s["inputs"] - 1))
        out["inputs"] += s["inputs"]
        out["seconds"] = max(out["seconds"], s["seconds"])
        for k in OUTCOMES:
            out["counts"][k] += s["counts"][k]
        for t, c in s["by_target"].items():
            row = out["by_target"].setdefault(t, {k: 0 for k in OUTCOMES})
            for k in OUTCOMES:
                row[k] += c[k]
        out["findings"] += s["findings"]
    out["by_target"] = dict(sorted(out["by_target"].items()))
    return out


def main(argv=None) -> int:
    folders = [Path(a) for a in (argv or sys.argv[1:] or ["fuzz-results"])]
    summary = merge([json.loads((f / "summary.json").read_text()) for f in folders])
    ranges = ", ".join(f"{a}..{b}" for a, b in summary["ranges"])
    print(f"Seed {summary['seed']}, inputs {ranges} ({summary['inputs']:,}), {summary['seconds'] / 3600:.1f} h "
          "wall clock.\n")
    print(fuzz_table(summary))
    if summary["findings"]:
        print("\nFindings:\n")
        for f in summary["findings"]:
            print(f"- {f['outcome']} x{f['count']} `{f['target']}` {f['exc_type']}: {f['message'][:160]} "
                  f"[{f['where']}] (input {f['index']})")
    kills = folders[0].parent / "kill_writes.json" if not (folders[0] / "kill_writes.json").exists() else (
        folders[0] / "kill_writes.json")
    if kills.exists():
        print()
        print(kill_table(json.loads(kills.read_text())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
