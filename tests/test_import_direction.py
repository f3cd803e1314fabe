"""The layering of shared/design.md, enforced over every module's imports (ast, no import).

layer 0: errors                     -> stdlib
layer 1: zipio, conf                -> numpy, errors; not each other; never torch/jpype
layer 2: torch_backend, dl4j_backend -> layers 0-1 (+ torch resp. jpype); never each other
layer 2.5: data, eval               -> layers 0-2 (numpy; torch only inside functions)
layer 3: nn (networks, ModelSerializer) -> layers 0-2.5 (torch_backend / dl4j_backend only inside functions)
layer 3.5: transfer, zoo, convert   -> layers 0-3
layer 4: __init__, __main__, cli    -> everything
jpype is imported only inside functions, and only in dl4j_backend (and layer 4).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "pydl4j_transfer"

LAYER = {
    "errors": 0,
    "zipio": 1, "conf": 1,
    "torch_backend": 2, "dl4j_backend": 2,
    "data": 2.5, "eval": 2.5,
    "nn": 3,
    "transfer": 3.5, "zoo": 3.5, "convert": 3.5,
    "__init__": 4, "__main__": 4, "cli": 4, "demo": 4,
}
FORBIDDEN_PAIRS = {("zipio", "conf"), ("conf", "zipio"),
                   ("torch_backend", "dl4j_backend"), ("dl4j_backend", "torch_backend")}
THIRD_PARTY_ALLOWED = {
    0: set(),
    1: {"numpy", "isal", "rapidgzip"},  # isal, rapidgzip: optional faster DEFLATE in zipio (zlib fallback)
    2: {"numpy", "torch", "jpype"},
    2.5: {"numpy", "torch", "tqdm", "cv2"},  # cv2 (OpenCV): image decoding as DL4J's NativeImageLoader, inside functions
    3: {"numpy", "torch", "tqdm", "matplotlib"},  # matplotlib: plotScores, inside the function
    3.5: {"numpy", "torch", "tqdm", "safetensors", "onnx", "onnxruntime"},  # convert (optional)
    4: {"numpy", "torch", "tqdm", "sklearn", "matplotlib"},  # the last two: the demo, inside functions
}
# Packages that must load without torch (and without the backends): torch only inside functions.
TORCH_FREE_AT_IMPORT = {"errors", "zipio", "conf", "data", "eval", "nn", "__init__", "__main__", "cli", "demo"}
STDLIB = set(__import__("sys").stdlib_module_names)


def _modules():
    for path in sorted(PKG.rglob("*.py")):
        rel = path.relative_to(PKG)
        top = rel.parts[0].removesuffix(".py")
        yield path, top


def _imports(path: Path):
    """(imported module name, is_module_level) for every import in the file."""
    tree = ast.parse(path.read_text(), filename=str(path))
    module_level = set()
    for node in tree.body:
        for sub in ast.walk(node) if isinstance(node, (ast.If, ast.Try)) else [node]:
            module_level.add(id(sub))
    pkg_parts = ["pydl4j_transfer", *path.relative_to(PKG).parent.parts]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, id(node) in module_level
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = pkg_parts[: len(pkg_parts) - node.level + 1]
                name = ".".join(base + ([node.module] if node.module else []))
            else:
                name = node.module or ""
            yield name, id(node) in module_level


@pytest.mark.parametrize("path,top", list(_modules()), ids=lambda v: str(v).split("pydl4j_transfer/")[-1])
def test_imports_follow_the_layers(path, top):
    assert top in LAYER, f"{top} has no layer in this test's table: add it (see shared/design.md)"
    layer = LAYER[top]
    for name, at_module_level in _imports(path):
        root = name.split(".")[0]
        if root == "pydl4j_transfer":
            parts = name.split(".")
            target = parts[1] if len(parts) > 1 else "__init__"
            if target == top:
                continue
            assert target in LAYER, f"{path.name} imports unknown subpackage {target}"
            assert LAYER[target] < layer or (layer == 4 and target in LAYER), (
                f"{path} (layer {layer}) imports {name} (layer {LAYER[target]})")
            assert (top, target) not in FORBIDDEN_PAIRS, f"{path} must not import {name}"
            if top in TORCH_FREE_AT_IMPORT and target in ("torch_backend", "dl4j_backend"):
                assert not at_module_level, f"{path}: import {name} inside the function that needs it"
        elif root in STDLIB or root == "__future__":
            continue
        else:
            assert root in THIRD_PARTY_ALLOWED[layer], f"{path} (layer {layer}) imports {name}"
            if root == "jpype":
                assert not at_module_level, f"{path} imports jpype at module level; import it inside functions"
                assert top in ("dl4j_backend", "cli"), f"{path}: jpype belongs to dl4j_backend"
            if root == "torch" and top in TORCH_FREE_AT_IMPORT:
                assert not at_module_level, f"{path}: torch at module level would load with the package"
