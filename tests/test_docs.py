"""Docs generated from the registries must match the registries (so they cannot drift)."""

from pathlib import Path

from pydl4j_transfer.cli import support_table

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_supported_md_is_generated_from_the_registries():
    committed = (DOCS / "supported.md").read_text()
    assert committed == support_table() + "\n", (
        "docs/supported.md is stale: regenerate it with `pydl4j-transfer supported > docs/supported.md`")


def test_every_unsupported_torch_class_is_said_so_in_the_table():
    from pydl4j_transfer import torch_backend

    table = support_table()
    for key in torch_backend.UNSUPPORTED:
        row = next((line for line in table.splitlines() if line.startswith(f"| `{key}`")), None)
        if row is not None:
            assert "| no:" in row, row


def test_api_porting_md_is_generated_from_the_code():
    from pydl4j_transfer.cli import porting_table

    committed = (DOCS / "api-porting.md").read_text()
    assert committed == porting_table() + "\n", (
        "docs/api-porting.md is stale: regenerate it with `pydl4j-transfer porting-table > docs/api-porting.md`")
