"""Jackson-style JSON writing and order-preserving parsing."""

import math

import pytest

from pydl4j_transfer.conf import jsonio
from pydl4j_transfer.errors import MalformedConfigError


@pytest.mark.parametrize("value, text", [
    (0.001, "0.001"), (1e-8, "1.0E-8"), (1.0, "1.0"), (0.9, "0.9"), (1e-10, "1.0E-10"), (12345.0, "12345.0"),
    (1e7, "1.0E7"), (9999999.0, "9999999.0"), (1e-4, "1.0E-4"), (123.456, "123.456"), (-0.5, "-0.5"), (0.0, "0.0"),
    (2.5e10, "2.5E10"), (1.0507009873554805, "1.0507009873554805"), (0.30000001192092896, "0.30000001192092896"),
    (math.nan, "NaN"), (math.inf, "Infinity"), (-math.inf, "-Infinity"),
])
def test_java_double(value, text):
    assert jsonio.java_double(value) == text


def test_java_float_digits():
    assert jsonio.java_double(jsonio.JavaFloat(0.1)) == "0.1"
    assert jsonio.java_double(jsonio.JavaFloat(1e-8)) == "1.0E-8"


def test_pretty_printer_style():
    tree = {"a": 1, "b": [1, 2], "c": [], "d": {}, "e": [{"x": 0.5}, {"y": None}], "f": math.nan, "g": "q\"\n\x01"}
    assert jsonio.dumps(tree) == (
        '{\n  "a" : 1,\n  "b" : [ 1, 2 ],\n  "c" : [ ],\n  "d" : { },\n  "e" : [ {\n    "x" : 0.5\n  }, {\n'
        '    "y" : null\n  } ],\n  "f" : "NaN",\n  "g" : "q\\"\\n\\u0001"\n}')


def test_loads_keeps_order_and_reads_bare_nan():
    tree = jsonio.loads('{"z": 1, "a": NaN, "m": {"b": 1, "a": 2}}')
    assert list(tree) == ["z", "a", "m"] and list(tree["m"]) == ["b", "a"] and math.isnan(tree["a"])


@pytest.mark.parametrize("bad", ["{", "not json", b"\xff\xfe", 42])
def test_loads_errors(bad):
    with pytest.raises(MalformedConfigError):
        jsonio.loads(bad)
