"""``pydl4j-transfer summary``: the table DL4J's ``summary()`` prints, from the configuration alone.

Mirrors ``MultiLayerNetwork#summary(InputType)`` and ``ComputationGraph#summary(InputType...)`` of
DL4J 1.0.0-M2.1, character for character (tests/cli/test_summary_live.py compares every M2.1
fixture with real DL4J). Needs neither torch nor Java.

DL4J's quirks kept: the type column shows the *runtime* class (``Bidirectional`` ->
``BidirectionalLayer``, ``PReLULayer`` -> ``PReLU``); frozen layers read ``Frozen <inner>``
(``FrozenLayerWithBackprop`` is not counted as frozen, as in DL4J); wrappers (``LastTimeStep``,
``MaskZeroLayer``, frozen layers) show the wrapped layer's nIn/nOut and params; a MultiLayerNetwork
lists param shapes in param-table order (conv: ``b`` first), a graph in ``variables`` order;
the preprocessor arrow is ``"--> "`` in a MultiLayerNetwork and ``"-->"`` in a graph.
Differs: DL4J's ``ComputationGraph#summary()`` without input types throws
ArrayIndexOutOfBoundsException in M2.1 (the column array has 5 slots, each row 7 values); here it
prints the 5-column table DL4J intended.
"""

from __future__ import annotations

from pydl4j_transfer.conf import InputType, LayerVertex
from pydl4j_transfer.conf.base import enum_name
from pydl4j_transfer.conf.layers.wrappers import Bidirectional, FrozenLayer
from pydl4j_transfer.errors import InvalidConfigurationError

__all__ = ["summary", "runtime_class_name", "input_type_string", "parse_input_type"]

def runtime_class_name(layer) -> str:
    """The simple name of the runtime class DL4J's summary prints for a layer conf (``Layer.RUNTIME_NAME``)."""
    return layer.runtime_class_name()


def _inner(layer):
    """What a runtime wrapper's conf() returns: the wrapped layer's (recursively; ``Layer.RUNTIME_WRAPS``)."""
    while layer.RUNTIME_WRAPS:
        layer = layer.wrapped()
    return layer


def _fmt_int(n: int) -> str:
    return f"{n:,}"  # Java String.format("%,d") in an English locale


def _shape_str(shape) -> str:
    return "{" + ",".join(str(int(d)) for d in shape) + "}"  # commons-lang ArrayUtils.toString(long[])


def _n_in_out(layer) -> tuple[str, str]:
    inner = _inner(layer)
    if isinstance(inner, Bidirectional):
        fwd = inner.fwd
        n_out = int(fwd.nOut) * (2 if enum_name(inner.mode) == "CONCAT" else 1)
        return str(int(fwd.nIn)), str(n_out)
    if inner.DL4J_FEED_FORWARD:
        return str(int(inner.nIn)), str(int(inner.nOut))
    return "-", "-"


def _param_shapes(layer, graph: bool) -> str:
    specs = {s.key: s.shape for s in layer.paramSpecs()}
    keys = list(specs)
    if graph:  # ComputationGraph#summary walks conf().variables()
        inner = _inner(layer)
        variables = [k for k in inner.variables() if k in specs] if hasattr(inner, "variables") else keys
        keys = variables + [k for k in keys if k not in variables]
    else:  # MultiLayerNetwork#summary walks paramTable().keySet() (conv: b first; depthwise/separable: W first)
        order = _inner(layer).paramTableKeys()
        keys = [k for k in order if k in specs] + [k for k in keys if k not in order]
    return ", ".join(f"{k}:{_shape_str(specs[k])}" for k in keys)


def input_type_string(t) -> str:
    """Mirrors the InputType subclasses' Lombok/handwritten toString() of DL4J M2.1."""
    kind = t.type
    if kind == "FF":
        fmt = getattr(t, "timeDistributedFormat", None)
        return f"InputTypeFeedForward({t.size}" + (f",{enum_name(fmt)}" if fmt is not None else "") + ")"
    if kind == "RNN":
        ts = f",timeSeriesLength={t.timeSeriesLength}" if t.timeSeriesLength > 0 else ""
        return f"InputTypeRecurrent({t.size}{ts},format={enum_name(t.format)})"
    if kind == "CNN":
        return f"InputTypeConvolutional(h={t.height},w={t.width},c={t.channels},{enum_name(t.format)})"
    if kind == "CNNFlat":
        return f"InputTypeConvolutionalFlat(h={t.height},w={t.width},d={t.depth})"
    if kind == "CNN3D":
        return (f"InputTypeConvolutional3D(format={enum_name(t.dataFormat)},d={t.depth},h={t.height},w={t.width},"
                f"c={t.channels})")
    return str(t)


def parse_input_type(text: str):
    """``ff:N``, ``rnn:N[:T][:NCW|NWC]``, ``cnn:H:W:C[:NCHW|NHWC]``, ``cnnflat:H:W:C``, ``cnn3d:D:H:W:C[:NCDHW|NDHWC]``."""
    parts = text.strip().split(":")
    kind, rest = parts[0].lower(), parts[1:]
    try:
        nums = [int(p) for p in rest if p.lstrip("-").isdigit()]
        fmts = [p.upper() for p in rest if not p.lstrip("-").isdigit()]
        if kind in ("ff", "feedforward") and len(nums) == 1:
            return InputType.feedForward(nums[0])
        if kind in ("rnn", "recurrent") and 1 <= len(nums) <= 2:
            return InputType.recurrent(nums[0], nums[1] if len(nums) > 1 else -1, *(fmts or ["NCW"]))
        if kind in ("cnn", "convolutional") and len(nums) == 3:
            return InputType.convolutional(*nums, *(fmts or ["NCHW"]))
        if kind in ("cnnflat", "convolutionalflat") and len(nums) == 3:
            return InputType.convolutionalFlat(*nums)
        if kind in ("cnn3d", "convolutional3d") and len(nums) == 4:
            return InputType.convolutional3D(*(fmts or ["NCDHW"]), *nums)
    except (KeyError, ValueError) as exc:
        raise InvalidConfigurationError(f"bad --input-type {text!r}: {exc}") from None
    raise InvalidConfigurationError(
        f"bad --input-type {text!r}; use ff:N, rnn:N[:T][:NCW|NWC], cnn:H:W:C[:NCHW|NHWC], cnnflat:H:W:C "
        "or cnn3d:D:H:W:C[:NCDHW|NDHWC]")


def _render(lines: list[list[str]], total: int, frozen: int) -> str:
    widths = [max(len(line[i]) for line in lines) for i in range(len(lines[0]))]
    widths = [w + 3 if i < len(widths) - 1 else w for i, w in enumerate(widths)]
    width = sum(widths)
    ret = ["\n", "=" * width, "\n"]
    for i, line in enumerate(lines):
        ret.append("".join(v.ljust(w) for v, w in zip(line, widths)) + "\n")
        if i == 0:
            ret += ["=" * width, "\n"]
    ret.append("-" * width)
    ret.append(f"\n{'Total Parameters: ':>30} {_fmt_int(total)}")
    ret.append(f"\n{' Trainable Parameters: ':>30} {_fmt_int(total - frozen)}")
    ret.append(f"\n{' Frozen Parameters: ':>30} {_fmt_int(frozen)}")
    ret += ["\n", "=" * width, "\n"]
    return "".join(ret)


def _mln_summary(conf, input_type) -> str:
    header = ["LayerName (LayerType)", "nIn,nOut", "TotalParams", "ParamsShape"]
    if input_type is not None:
        header += ["InputShape", "OutputShape"]
    lines, frozen, total = [header], 0, 0
    for i, nnc in enumerate(conf.confs):
        layer = nnc.layer
        name = _inner(layer).layerName
        name = name if name is not None else str(i)
        n = layer.numParams()
        total += n
        in_, out, shapes = "-", "-", "-"
        if n > 0:
            in_, out = _n_in_out(layer)
            shapes = _param_shapes(layer, graph=False)
        if isinstance(layer, FrozenLayer):  # FrozenLayerWithBackprop is not counted as frozen, as in DL4J
            frozen += n
        line = [f"{name} ({runtime_class_name(layer)})", f"{in_},{out}", _fmt_int(n), shapes]
        if input_type is not None:
            in_shape = input_type_string(input_type)
            pre = conf.inputPreProcessors.get(i)
            if pre is not None:
                input_type = pre.getOutputType(input_type)
                in_shape += "--> " + input_type_string(input_type)
            input_type = layer.getOutputType(i, input_type)
            line += [in_shape, input_type_string(input_type)]
        lines.append(line)
    return _render(lines, total, frozen)


def _cg_summary(conf, input_types) -> str:
    header = ["VertexName (VertexType)", "nIn,nOut", "TotalParams", "ParamsShape", "Vertex Inputs"]
    if input_types:
        header += ["InputShape", "OutputShape"]
        if len(input_types) != len(conf.networkInputs):
            raise InvalidConfigurationError(f"the graph has {len(conf.networkInputs)} inputs "
                                            f"{list(conf.networkInputs)} but {len(input_types)} input types were given")
    names = {i: n for n, i in conf.vertexIndices().items()}
    outputs, lines, frozen, total, layer_idx = {}, [header], 0, 0, -1
    for vi in conf.topologicalSortOrder():
        name = names[vi]
        cls, conns, in_shape, out_shape, count, in_, out, shapes = "InputVertex", "-", "-", "-", "-", "-", "-", "-"
        if name in conf.networkInputs:
            if input_types:
                outputs[name] = input_types[list(conf.networkInputs).index(name)]
        else:
            vertex = conf.vertices[name]
            srcs = list(conf.vertexInputs.get(name) or [])
            conns = "[" + ", ".join(srcs) + "]"
            in_types = []
            if isinstance(vertex, LayerVertex):
                layer = vertex.layer
                cls = runtime_class_name(layer)
                n = layer.numParams()
                total += n
                count = _fmt_int(n)
                if n > 0:
                    in_, out = _n_in_out(layer)
                    shapes = _param_shapes(layer, graph=True)
                if isinstance(layer, FrozenLayer):
                    frozen += n
                if input_types:
                    t = outputs[srcs[0]]
                    in_shape = input_type_string(t)
                    in_types.append(t)
                    if vertex.preProcessor is not None:
                        in_shape += "-->" + input_type_string(vertex.preProcessor.getOutputType(t))
                layer_idx += 1
            else:
                cls = runtime_class_name(vertex)
                total += vertex.numParams()
                if input_types:
                    in_types = [outputs[s] for s in srcs]
            if input_types:
                t = vertex.getOutputType(layer_idx, *in_types)
                out_shape = input_type_string(t)
                outputs[name] = t
        line = [f"{name} ({cls})", f"{in_},{out}", count, shapes, conns]
        if input_types:
            line += [in_shape, out_shape]
        lines.append(line)
    return _render(lines, total, frozen)


def summary(net_or_conf, *input_types) -> str:
    """Mirrors MultiLayerNetwork#summary([InputType]) / ComputationGraph#summary(InputType...): DL4J's text."""
    conf = net_or_conf.getConfiguration() if hasattr(net_or_conf, "getConfiguration") else net_or_conf
    input_types = [t for t in input_types if t is not None]
    if hasattr(conf, "confs"):
        if len(input_types) > 1:
            raise InvalidConfigurationError("a MultiLayerNetwork takes one input type")
        return _mln_summary(conf, input_types[0] if input_types else None)
    return _cg_summary(conf, input_types)
