"""docs/api-porting.md's generator: the Java snapshot matches the live JVM, every class and method is there."""

import pytest

from pydl4j_transfer import cli
from pydl4j_transfer.conf import base as conf_base
from pydl4j_transfer.convert.porting import load_java_snapshot


@pytest.fixture(scope="module")
def table():
    return cli.porting_table()


def test_every_registry_class_has_a_row(table):
    for registry in conf_base.ALL_REGISTRIES:
        for key, cls in registry.items():
            row = next((line for line in table.splitlines() if line.startswith(f"| `{key}` |")), None)
            assert row is not None, key
            assert cls.__name__ in row


def test_every_api_method_of_the_snapshot_is_placed(table):
    """Each public Java method of each API class is a row (mirrored) or listed as not mirrored."""
    sections = table.split("\n### ")
    for java, spelled, _ in cli._PORTING_API:
        methods = load_java_snapshot()["api"][java]
        section = next(s for s in sections if s.startswith(spelled + "\n"))
        for name in methods or {}:
            if name != "<init>":
                assert f"| `{name}` |" in section or f"- `{name}`: " in section, (java, name)


def test_every_unmirrored_java_method_says_what_to_write_instead(table):
    """docs/api-porting.md lists no Java method as not mirrored without a reason (pydl4j_transfer/java_names.py)."""
    from pydl4j_transfer.convert.porting import NO_REASON

    missing = [line for line in table.splitlines() if NO_REASON in line]
    assert not missing, "\n".join(missing[:20])
    assert "- `instantiate` (" in table and "getLayer" in table.split("- `instantiate` (")[1].splitlines()[0]


def test_coverage_line_counts_the_mirrored_methods(table):
    import re

    api, api_total, conf, conf_total = map(int, re.search(
        r"\*\*(\d+) of (\d+)\*\* on the API classes below, \*\*(\d+) of (\d+)\*\*", table).groups())
    assert 0 < api <= api_total and 0 < conf <= conf_total
    assert conf / conf_total > 0.75  # the Lombok getters and setters are generated


def test_overloads_become_keyword_arguments(table):
    row = next(line for line in table.splitlines() if line.startswith("| `nOutReplace` | `nOutReplace(layerName"))
    assert "optional: weightInit, weightInitNext, dist, distNext" in row
    assert "Java overloads with 3/4 arguments" in row


def test_cli_prints_the_table(capsys, table):
    assert cli.main(["porting-table"]) == 0
    assert capsys.readouterr().out == table + "\n"


@pytest.mark.dl4j
def test_java_snapshot_matches_the_jvm():
    live = cli.java_api_snapshot()
    assert live == load_java_snapshot(), (
        "pydl4j_transfer/convert/dl4j_api.json is stale: regenerate it with `pydl4j-transfer porting-table "
        "--java-snapshot pydl4j_transfer/convert/dl4j_api.json`, then docs/api-porting.md")
