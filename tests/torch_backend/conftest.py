"""torch_backend tests: every parity test here needs the JVM (one per session, see tests/conftest.py)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
