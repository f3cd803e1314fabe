"""pydl4j-transfer's benchmark suite: each workload in torch/Python and in real DL4J, side by side.

Run with ``make bench`` or ``python -m bench [WORKLOAD ...] [--reps N]``. Results go to
``bench/results/<workload>.json`` and to the tables in ``BENCHMARKS.md``.
"""
