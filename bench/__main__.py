"""``python -m bench [WORKLOAD ...] [--reps N]``: run workloads, write results and BENCHMARKS.md."""

from __future__ import annotations

import argparse
import re
import sys

from bench import attention, bridge, common, distributed, epoch, featurize, pipeline, throughput, zip_io

WORKLOADS = {"zip_io": zip_io, "throughput": throughput, "featurize": featurize, "epoch": epoch, "bridge": bridge,
             "pipeline": pipeline, "distributed": distributed, "attention": attention}


def update_benchmarks_md(name: str, res: dict, text: str) -> None:
    """Replace (or add) the section of one workload in BENCHMARKS.md."""
    path = common.REPO / "BENCHMARKS.md"
    doc = path.read_text() if path.exists() else "# Benchmarks\n\nWritten by `make bench` (`python -m bench`).\n"
    m = res["machine"]
    section = (f"<!-- bench:{name} -->\n## {name}\n\n{res.get('model', '')}. Measured {m['date']} on {m['cpu']}, "
               f"{m['cores']} cores, {m['memory_gib']} GiB; Python {m['python']}, {m['java']}.\n\n{text}\n"
               f"<!-- /bench:{name} -->\n")
    pattern = re.compile(rf"<!-- bench:{name} -->.*?<!-- /bench:{name} -->\n", re.S)
    doc = pattern.sub(lambda _: section, doc) if pattern.search(doc) else doc.rstrip("\n") + "\n\n" + section
    path.write_text(doc)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("workloads", nargs="*", help=f"some of {', '.join(WORKLOADS)} (default: all)")
    parser.add_argument("--reps", type=int, default=10, help="timed repetitions after one warm-up (default 10)")
    args = parser.parse_args(argv)
    unknown = set(args.workloads) - set(WORKLOADS)
    if unknown:
        parser.error(f"unknown workload(s) {sorted(unknown)}; choose from {list(WORKLOADS)}")
    for name in args.workloads or list(WORKLOADS):
        print(f"{name}:", flush=True)
        module = WORKLOADS[name]
        res = module.run(args.reps)
        text = module.table(res)
        print(text)
        common.write_result(name, res)
        update_benchmarks_md(name, res, text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
