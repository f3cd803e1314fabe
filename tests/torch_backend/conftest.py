"""torch_backend tests: every parity test here needs the JVM (one per session, see tests/conftest.py)."""
