"""The CI entry point must at least parse: a syntax error in `.ci/run` fails CI after 0 s, before any test."""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("script", [".ci/run"])
def test_ci_script_parses_and_calls_the_readme_test_command(script):
    bash = shutil.which("bash")
    assert bash, "bash is needed to run .ci/run"
    path = ROOT / script
    check = subprocess.run([bash, "-n", str(path)], capture_output=True, text=True)
    assert check.returncode == 0, f"{script} does not parse: {check.stderr}"
    text = path.read_text()
    assert text.rstrip().splitlines()[-1] == "make test", f"{script} must end by running the README's `make test`"
    assert "make test" in (ROOT / "README.md").read_text()
