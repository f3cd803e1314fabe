"""Every public DL4J-named class is importable from the top level and from its home module.

EXPECTED is the list of top-level names; a capability that lands adds its names here, and a
name that disappears fails this test.
"""

import importlib

import pytest

import pydl4j_transfer

EXPECTED = {
    # errors
    "Pydl4jTransferError", "Dl4jFormatError", "NotADl4jZipError", "MissingEntryError",
    "CorruptEntryError", "UnknownDtypeError", "ParamLengthMismatchError", "ZipBombError",
    "MalformedConfigError", "UnsupportedLayerError", "InvalidConfigurationError",
    "JvmUnavailableError", "Dl4jBackendError",
    # the Java side
    "Dl4jModel", "start_jvm",
}


def test_top_level_names_are_exactly_the_expected_ones():
    assert set(pydl4j_transfer.__all__) == EXPECTED


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_name_resolves_to_its_home_module_object(name):
    obj = getattr(pydl4j_transfer, name)
    home = importlib.import_module(pydl4j_transfer._EXPORTS[name])
    assert getattr(home, name) is obj
    assert obj.__doc__, f"{name} needs a docstring naming the DL4J original"


def test_unknown_name_raises_attribute_error():
    with pytest.raises(AttributeError, match="NoSuchLayer"):
        pydl4j_transfer.NoSuchLayer  # noqa: B018
