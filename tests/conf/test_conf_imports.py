"""pydl4j_transfer.conf imports only the standard library, numpy and layer 0 (``errors``, ``registry``; design.md layer 1)."""

import ast
import sys
from pathlib import Path

CONF = Path(__file__).resolve().parents[2] / "pydl4j_transfer" / "conf"
ALLOWED_THIRD_PARTY = {"numpy"}
LAYER_0 = {"pydl4j_transfer.errors", "pydl4j_transfer.registry", "pydl4j_transfer.java_names"}


def test_conf_imports_are_light():
    stdlib = set(sys.stdlib_module_names)
    for path in CONF.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    continue  # relative: inside conf
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                assert top in stdlib or top in ALLOWED_THIRD_PARTY or name in LAYER_0, \
                    f"{path.relative_to(CONF)} imports {name}"
                assert "pickle" not in name, f"{path} imports pickle"
