"""``python -m tests.fuzz``: run the fuzzer (see runner.py), print the outcome table, exit 1 on any bad outcome."""

from __future__ import annotations

import argparse
import json
import sys

from .runner import BAD, OUTCOMES, generate, run
from .targets import ALL_TARGETS


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m tests.fuzz", description=__doc__)
    p.add_argument("--inputs", type=int, default=1000, help="number of inputs (default 1000)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--start", type=int, default=0, help="first input index (resume a run)")
    p.add_argument("--jobs", type=int, default=1, help="children running at once")
    p.add_argument("--limit-gib", type=float, default=2.0, help="RLIMIT_AS of each child (0: none)")
    p.add_argument("--timeout", type=float, default=10.0, help="seconds before a child counts as hung")
    p.add_argument("--targets", help="comma-separated target names (default: all)")
    p.add_argument("--out", default="fuzz-results", help="folder for summary.json and findings/")
    p.add_argument("--progress", type=int, default=1000, help="print a line every N inputs")
    p.add_argument("--replay", type=int, metavar="INDEX", help="write input INDEX to --out/replay.bin and exit")
    args = p.parse_args(argv)
    targets = args.targets.split(",") if args.targets else None
    if targets:
        unknown = [t for t in targets if t not in ALL_TARGETS]
        if unknown:
            p.error(f"unknown targets {unknown}; known: {', '.join(ALL_TARGETS)}")
    if args.replay is not None:
        from pathlib import Path

        target, data = generate(args.seed, args.replay, targets)
        Path(args.out).mkdir(parents=True, exist_ok=True)
        Path(args.out, "replay.bin").write_bytes(data)
        print(f"input {args.replay}: target {target}, {len(data)} bytes -> {args.out}/replay.bin")
        return 0
    summary = run(args.inputs, seed=args.seed, start=args.start, jobs=args.jobs, limit_gib=args.limit_gib,
                  timeout=args.timeout, targets=targets, out_dir=args.out, progress_every=args.progress)
    table = summary.to_json()
    print(f"{table['inputs']} inputs in {table['seconds']} s (seed {args.seed}, start {args.start})")
    print(" ".join(f"{k}={table['counts'][k]}" for k in OUTCOMES))
    for f in table["findings"]:
        print(f"  {f['outcome']:9} x{f['count']:<5} {f['target']:20} {f['exc_type']}: {f['message'][:120]} "
              f"[{f['where']}] (input {f['index']})")
    json.dumps(table)
    return 1 if any(table["counts"][k] for k in BAD) else 0


if __name__ == "__main__":
    sys.exit(main())
