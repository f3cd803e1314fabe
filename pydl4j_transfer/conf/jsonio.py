"""JSON text in and out, the way DL4J's Jackson mapper writes it.

Mirrors the output of ``org.deeplearning4j.nn.conf.serde.JsonMappers`` (Jackson
``DefaultPrettyPrinter``, ``SORT_PROPERTIES_ALPHABETICALLY``):

* objects: ``{`` newline, members ``"key" : value`` indented two spaces per object level,
  ``}``; an empty object is ``{ }``;
* arrays stay on one line: ``[ 1, 2 ]``, ``[ ]``; an array of objects opens with ``[ {``;
* doubles as Java's ``Double.toString`` prints them (``0.001``, ``1.0E-8``, ``1.0``);
  non-finite doubles as quoted strings ``"NaN"``, ``"Infinity"``, ``"-Infinity"``;
* strings: only ``"``, ``\\`` and control characters are escaped (upper-case hex).

Key order is the caller's business (the dict order is written as is): the conf classes
put ``@class`` first and the rest in Jackson's order. Parsing keeps JSON object order
(the order of ``vertices`` defines vertex indices).
"""

from __future__ import annotations

import json
import math
from decimal import Decimal

from pydl4j_transfer.errors import MalformedConfigError

_NON_FINITE = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}
_SHORT_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b", "\f": "\\f"}


def loads(text, entry: str | None = "configuration.json"):
    """Parse JSON text, keeping object order; errors become MalformedConfigError."""
    if isinstance(text, (bytes, bytearray)):
        try:
            text = text.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise MalformedConfigError(f"not UTF-8 text: {exc}", entry) from None
    if not isinstance(text, str):
        raise MalformedConfigError(f"expected JSON text, got {type(text).__name__}", entry)
    try:
        tree = json.loads(text, parse_constant=lambda name: _NON_FINITE[name])
    except (ValueError, RecursionError) as exc:
        raise MalformedConfigError(f"not valid JSON: {exc}", entry) from None
    _check_depth(tree, entry)
    return tree


#: The deepest nesting accepted. DL4J's configurations nest about 10 levels (network, confs, layer, updater,
#: schedule...); anything far deeper is not a configuration, and would exhaust Python's recursion in the
#: recursive code that copies and compares configuration trees.
MAX_DEPTH = 100


def _check_depth(tree, entry) -> None:
    stack = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise MalformedConfigError(f"JSON nested more than {MAX_DEPTH} levels deep; not a DL4J configuration",
                                       entry)
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)


class JavaFloat(float):
    """A value DL4J writes as a Java ``float`` (``Float.toString`` digits), e.g. FLOAT array data."""


def java_double(value: float, shortest: str | None = None) -> str:
    """Format a double as Java's ``Double.toString`` does (shortest repr digits).

    ``shortest`` overrides the digit source (e.g. a float32's shortest repr for ``Float.toString``).
    """
    if isinstance(value, JavaFloat) and shortest is None:
        import numpy as np
        shortest = np.format_float_scientific(np.float32(value), unique=True)
    value = float(value)
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0.0:
        return "-0.0" if math.copysign(1.0, value) < 0 else "0.0"
    sign, digit_tuple, exp = Decimal(shortest or repr(value)).as_tuple()
    all_digits = "".join(map(str, digit_tuple)).lstrip("0")
    exp += 0  # value = int(all_digits) * 10**exp
    point = len(all_digits) + exp  # value = 0.d1d2... * 10**point
    digits = all_digits.rstrip("0") or "0"
    prefix = "-" if sign else ""
    if 1e-3 <= abs(value) < 1e7:
        if point <= 0:
            return f"{prefix}0.{'0' * -point}{digits}"
        whole = digits[:point].ljust(point, "0")
        frac = digits[point:] or "0"
        return f"{prefix}{whole}.{frac}"
    mantissa = digits[0] + "." + (digits[1:] or "0")
    return f"{prefix}{mantissa}E{point - 1}"


def _string(text: str) -> str:
    out = ['"']
    for ch in text:
        if ch in _SHORT_ESCAPES:
            out.append(_SHORT_ESCAPES[ch])
        elif ord(ch) < 0x20:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _scalar(value) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isfinite(value):
            return java_double(value)
        return _string(java_double(value))
    if isinstance(value, str):
        return _string(value)
    raise TypeError(f"cannot write {type(value).__name__} as JSON: {value!r}")


def _write(value, depth: int, out: list) -> None:
    if isinstance(value, dict):
        if not value:
            out.append("{ }")
            return
        out.append("{\n")
        pad = "  " * (depth + 1)
        last = len(value) - 1
        for i, (key, item) in enumerate(value.items()):
            out.append(pad + _string(str(key)) + " : ")
            _write(item, depth + 1, out)
            out.append(",\n" if i < last else "\n")
        out.append("  " * depth + "}")
    elif isinstance(value, (list, tuple)):
        if not value:
            out.append("[ ]")
            return
        out.append("[ ")
        for i, item in enumerate(value):
            if i:
                out.append(", ")
            _write(item, depth, out)
        out.append(" ]")
    else:
        out.append(_scalar(value))


def dumps(tree) -> str:
    """Write a JSON tree (dicts in the order to print) in Jackson's pretty-printed style."""
    out: list = []
    _write(tree, 0, out)
    return "".join(out)
