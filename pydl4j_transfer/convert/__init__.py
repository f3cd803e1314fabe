"""pydl4j_transfer.convert: inspect, summarise, convert, verify and draw DL4J model zips.

Layer 4 helpers behind the ``pydl4j-transfer`` command line. ``inspect`` and ``summary`` need
neither torch nor Java; the format converters import torch (and safetensors / onnx /
onnxruntime) inside their functions; ``verify`` starts the JVM.
"""

from pydl4j_transfer.convert.formats import (
    convert, input_types_of, kind_of_path, random_inputs, to_dl4j_zip, to_onnx, to_safetensors, to_state_dict,
)
from pydl4j_transfer.convert.graphviz import graph_dot, render_graph
from pydl4j_transfer.convert.inspect import format_inspection, inspect_model
from pydl4j_transfer.nn.summary import input_type_string, parse_input_type, summary
from pydl4j_transfer.convert.verify import verify

__all__ = ["convert", "to_state_dict", "to_safetensors", "to_onnx", "to_dl4j_zip", "kind_of_path", "random_inputs",
           "input_types_of", "inspect_model", "format_inspection", "summary", "parse_input_type",
           "input_type_string", "verify", "graph_dot", "render_graph"]
