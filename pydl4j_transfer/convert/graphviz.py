"""``pydl4j-transfer graph``: the network as a Graphviz DOT graph (rendered with ``dot`` when on PATH).

Each layer/vertex is a box: its name, DL4J type, nIn/nOut and output shape (when the input
types can be inferred); frozen layers and vertices are shaded grey. Needs neither torch nor Java.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from pydl4j_transfer.zipio.files import atomic_path, atomic_write

__all__ = ["graph_dot", "render_graph"]

FROZEN_STYLE = 'style="filled", fillcolor="#bbbbbb"'
INPUT_STYLE = 'shape=ellipse, style="filled", fillcolor="#ddeeff"'


def _esc(s: str) -> str:
    return str(s).replace("\\", "\\\\").replace('"', '\\"')


def _label(name, cls, nio, shape) -> str:
    parts = [f"{name}", f"{cls}"]
    if nio and nio != "-,-":
        parts.append(f"nIn,nOut {nio}")
    if shape:
        parts.append(shape)
    return "\\n".join(_esc(p) for p in parts)


def graph_dot(net, *input_types) -> str:
    """DOT text of a MultiLayerNetwork / ComputationGraph (or their configurations)."""
    from pydl4j_transfer.conf import FrozenVertex, LayerVertex
    from pydl4j_transfer.convert.formats import input_types_of
    from pydl4j_transfer.nn.summary import _n_in_out, input_type_string, runtime_class_name

    conf = net.getConfiguration() if hasattr(net, "getConfiguration") else net
    types = list(input_types)
    if not types and hasattr(net, "getConfiguration"):
        try:
            types = input_types_of(net)
        except Exception:  # noqa: BLE001 -- shapes are optional in the picture
            types = []
    lines = ["digraph dl4j {", "  rankdir=TB;", '  node [shape=box, fontname="Helvetica"];']
    if hasattr(conf, "confs"):
        shapes = []
        if types:
            try:
                shapes = [input_type_string(t) for t in conf.getLayerActivationTypes(types[0])]
            except Exception:  # noqa: BLE001
                shapes = []
        lines.append(f'  "input" [label="{_esc("input" + (chr(10) + input_type_string(types[0]) if types else ""))}"'
                     f", {INPUT_STYLE}];".replace("\n", "\\n"))
        prev = "input"
        for i, nnc in enumerate(conf.confs):
            layer = nnc.layer
            name = layer.layerName or f"layer{i}"
            frozen = type(layer).__name__.startswith("Frozen")
            in_, out = _n_in_out(layer)
            label = _label(name, runtime_class_name(layer), f"{in_},{out}", shapes[i] if i < len(shapes) else "")
            style = f", {FROZEN_STYLE}" if frozen else ""
            lines.append(f'  "{_esc(name)}" [label="{label}"{style}];')
            lines.append(f'  "{_esc(prev)}" -> "{_esc(name)}";')
            prev = name
    else:
        shapes = {}
        if types:
            try:
                shapes = {k: input_type_string(v) for k, v in conf.getLayerActivationTypes(*types).items()}
            except Exception:  # noqa: BLE001
                shapes = {}
        for name in conf.networkInputs:
            lines.append(f'  "{_esc(name)}" [label="{_label(name, "InputVertex", "", shapes.get(name, ""))}", '
                         f"{INPUT_STYLE}];")
        for name, v in conf.vertices.items():
            if isinstance(v, LayerVertex):
                cls, frozen = runtime_class_name(v.layer), type(v.layer).__name__.startswith("Frozen")
                in_, out = _n_in_out(v.layer)
                nio = f"{in_},{out}"
            else:
                cls, frozen, nio = type(v).__name__, isinstance(v, FrozenVertex), ""
                if frozen:
                    cls = f"Frozen {type(v.underlying).__name__}"
            style = f", {FROZEN_STYLE}" if frozen else ""
            shape = shapes.get(name, "")
            lines.append(f'  "{_esc(name)}" [label="{_label(name, cls, nio, shape)}"{style}'
                         + (", peripheries=2" if name in conf.networkOutputs else "") + "];")
            for src in conf.vertexInputs.get(name) or []:
                lines.append(f'  "{_esc(src)}" -> "{_esc(name)}";')
    lines.append("}")
    return "\n".join(lines) + "\n"


def render_graph(net, out, *input_types) -> tuple[Path, str]:
    """Write the picture: ``.dot`` as text; ``.svg``/``.png`` with Graphviz's ``dot`` when on PATH, else the DOT
    text beside it (``<out>.dot``). Returns (path written, message)."""
    out = Path(out)
    dot_text = graph_dot(net, *input_types)
    fmt = out.suffix.lower().lstrip(".")
    if fmt == "dot" or fmt == "gv":
        with atomic_write(out) as f:
            f.write(dot_text.encode("utf-8"))
        return out, f"wrote {out}"
    if fmt not in ("svg", "png", "pdf"):
        from pydl4j_transfer.errors import InvalidConfigurationError

        raise InvalidConfigurationError(f"unknown picture format {out.suffix!r}: use .svg, .png, .pdf or .dot")
    exe = shutil.which("dot")
    if exe is None:
        dot_path = out.with_suffix(out.suffix + ".dot")
        with atomic_write(dot_path) as f:
            f.write(dot_text.encode("utf-8"))
        return dot_path, (f"Graphviz 'dot' is not on PATH: wrote the DOT text to {dot_path} instead "
                          f"(render it with: dot -T{fmt} {dot_path} -o {out})")
    with atomic_path(out) as tmp:  # temp file beside ``out``, renamed once dot succeeded (zipio/files.py)
        subprocess.run([exe, f"-T{fmt}", "-o", tmp], input=dot_text.encode(), check=True)
    return out, f"wrote {out}"
