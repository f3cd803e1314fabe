"""zipio: DL4J model zips and ND4J binary arrays, with the standard library and numpy only.

Layer 1 (see shared/design.md): imports numpy, the standard library and ``pydl4j_transfer.errors``;
never torch, jpype or ``pydl4j_transfer.conf``.

* :mod:`.nd4j_binary` -- ``Nd4j.write`` / ``Nd4j.read`` (every generation since DL4J 0.5.0)
* :mod:`.archive` -- the zip container (``ModelSerializer``'s ``ZipOutputStream`` / ``loadZipData``)
* :mod:`.model_zip` -- a model zip as raw parts (:class:`RawModelZip`)
"""

from pydl4j_transfer.zipio.archive import (
    DEFAULT_MAX_ENTRIES, DEFAULT_MAX_RATIO, DEFAULT_MAX_TOTAL, read_zip_entries, write_zip_atomic,
)
from pydl4j_transfer.zipio.model_zip import (
    COEFFICIENTS_BIN, CONFIGURATION_JSON, NO_PARAMS_MARKER, NORMALIZER_BIN, PREPROCESSOR_BIN,
    UPDATER_BIN, RawModelZip, read_model_zip, write_model_zip,
)
from pydl4j_transfer.zipio.nd4j_binary import read_array, read_array_from, write_array

__all__ = [
    "read_array", "read_array_from", "write_array",
    "read_zip_entries", "write_zip_atomic",
    "DEFAULT_MAX_TOTAL", "DEFAULT_MAX_RATIO", "DEFAULT_MAX_ENTRIES",
    "RawModelZip", "read_model_zip", "write_model_zip",
    "CONFIGURATION_JSON", "COEFFICIENTS_BIN", "UPDATER_BIN", "NORMALIZER_BIN", "NO_PARAMS_MARKER",
    "PREPROCESSOR_BIN",
]
