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


def main(argv=None) -> int:
    folder = Path((argv or sys.argv[1:] or ["fuzz-results"])[0])
    summary = json.loads((folder / "summary.json").read_text())
    print(f"Seed {summary['seed']}, inputs {summary['start']}..{summary['start'] + summary['inputs'] - 1}, "
          f"{summary['seconds'] / 3600:.1f} h.\n")
    print(fuzz_table(summary))
    if summary["findings"]:
        print("\nFindings:\n")
        for f in summary["findings"]:
            print(f"- {f['outcome']} x{f['count']} `{f['target']}` {f['exc_type']}: {f['message'][:160]} "
                  f"[{f['where']}] (input {f['index']})")
    kills = folder / "kill_writes.json"
    if kills.exists():
        print()
        print(kill_table(json.loads(kills.read_text())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
