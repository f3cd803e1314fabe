"""The command line: ``pydl4j-transfer env`` and the error path."""

import os
import subprocess
import sys

import pytest

from pydl4j_transfer import cli


def _env_lines(capsys, *argv) -> dict:
    assert cli.main(["env", *argv]) == 0
    out = capsys.readouterr().out
    return dict(line.split(": ", 1) for line in out.strip().splitlines())


@pytest.mark.dl4j
def test_env_reports_every_component(capsys):
    lines = _env_lines(capsys, "--classpath")
    for key in ("python", "numpy", "torch", "cuda available", "java", "jpype", "dl4j", "classpath"):
        assert key in lines, key
    assert lines["dl4j"] == "1.0.0-M2.1"
    assert lines["java"][0].isdigit()
    assert "pydl4j-transfer-java.jar" in lines["classpath"] or os.environ.get("PYDL4J_TRANSFER_CLASSPATH")


def test_env_without_jars_still_prints_and_can_require_them(tmp_path):
    env = {**os.environ, "PYDL4J_TRANSFER_CLASSPATH": str(tmp_path / "*")}
    r = subprocess.run([sys.executable, "-m", "pydl4j_transfer", "env"], capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr
    assert "dl4j: unavailable" in r.stdout and "numpy:" in r.stdout
    r = subprocess.run([sys.executable, "-m", "pydl4j_transfer", "env", "--require-dl4j"],
                       capture_output=True, text=True, env=env)
    assert r.returncode == 1


def test_unknown_command_exits_non_zero():
    r = subprocess.run([sys.executable, "-m", "pydl4j_transfer", "frobnicate"], capture_output=True, text=True)
    assert r.returncode == 2 and "invalid choice" in r.stderr
