"""The project's shell entry points must at least parse: a syntax error in `.ci/run` fails CI after 0 s, before
any test runs, and one in bench/gpu_check.sh would waste a lent GPU's minutes."""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("script", [".ci/run", "bench/gpu_check.sh"])
def test_shell_script_parses(script):
    bash = shutil.which("bash")
    assert bash, "bash is needed to run the project's scripts"
    check = subprocess.run([bash, "-n", str(ROOT / script)], capture_output=True, text=True)
    assert check.returncode == 0, f"{script} does not parse: {check.stderr}"


def test_ci_runs_the_readme_test_command():
    lines = (ROOT / ".ci" / "run").read_text().rstrip().splitlines()
    assert lines[-1] == "make test", ".ci/run must end by running the README's `make test`"
    assert "make test" in (ROOT / "README.md").read_text()
