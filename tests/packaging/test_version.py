"""One version: pydl4j_transfer.__version__; pyproject.toml reads it, CHANGELOG.md and java/pom.xml must agree."""

from __future__ import annotations

import re
import tomllib
import xml.etree.ElementTree as ET
from pathlib import Path

import pydl4j_transfer

REPO = Path(__file__).resolve().parents[2]


def test_pyproject_takes_the_version_from_the_package():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())
    assert "version" not in project["project"] and "version" in project["project"]["dynamic"]
    assert project["tool"]["setuptools"]["dynamic"]["version"] == {"attr": "pydl4j_transfer.__version__"}
    assert re.fullmatch(r"\d+\.\d+\.\d+((a|b|rc)\d+)?(\.dev\d+)?", pydl4j_transfer.__version__)


def test_changelog_opens_with_this_version():
    headings = re.findall(r"^## (\S+)", (REPO / "CHANGELOG.md").read_text(), re.M)
    assert headings and headings[0] == pydl4j_transfer.__version__


def test_the_facade_jar_has_the_same_version():
    ns = {"m": "http://maven.apache.org/POM/4.0.0"}
    pom = ET.parse(REPO / "java" / "pom.xml").getroot()
    assert pom.find("m:version", ns).text == pydl4j_transfer.__version__
