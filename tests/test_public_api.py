"""Every public DL4J-named class is importable from the top level and from its home module.

tests/data/public_api.txt is the list of top-level names; a capability that lands adds its
names there, and a name that disappears fails this test.
"""

import importlib
from pathlib import Path

import pytest

import pydl4j_transfer

# One name a line; a capability that lands adds its names here (sorted).
EXPECTED = set(Path(__file__).with_name("data").joinpath("public_api.txt").read_text().split())


def test_top_level_names_are_exactly_the_expected_ones():
    assert set(pydl4j_transfer.__all__) == EXPECTED


def test_a_ported_java_example_needs_one_import_line():
    from pydl4j_transfer import (  # noqa: F401
        Activation, DenseLayer, InputType, LossFunctions, ModelSerializer, MultiLayerNetwork, Nesterovs,
        NeuralNetConfiguration, OutputLayer, WeightInit,
    )


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_name_resolves_to_its_home_module_object(name):
    obj = getattr(pydl4j_transfer, name)
    home = importlib.import_module(pydl4j_transfer._EXPORTS[name])
    assert getattr(home, name) is obj
    assert obj.__doc__, f"{name} needs a docstring naming the DL4J original"


def test_unknown_name_raises_attribute_error():
    with pytest.raises(AttributeError, match="NoSuchLayer"):
        pydl4j_transfer.NoSuchLayer
