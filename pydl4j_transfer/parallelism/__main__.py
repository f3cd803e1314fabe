"""``python -m pydl4j_transfer.parallelism``: a ParallelWrapper worker process (workers.py; started by
ParallelWrapper, not by hand)."""

import sys

from pydl4j_transfer.parallelism.workers import worker_main

sys.exit(worker_main())
