"""Every exception pydl4j_transfer raises on purpose.

Layer 0: imports nothing but the standard library. Messages name the file entry, layer or
vertex involved and say what to do next. Each class also derives from the builtin exception a
Python user would catch for that kind of problem (``ValueError``, ``RuntimeError``...), so
generic handlers keep working.
"""

from __future__ import annotations


class Pydl4jTransferError(Exception):
    """Base class of every error raised by pydl4j_transfer."""


# --- model files -------------------------------------------------------------------------


class Dl4jFormatError(Pydl4jTransferError, ValueError):
    """A DL4J model zip, ND4J binary array or configuration JSON is not what DL4J writes.

    ``entry`` names the zip entry (or file) concerned, when there is one.
    """

    def __init__(self, message: str, entry: str | None = None):
        self.entry = entry
        super().__init__(f"{entry}: {message}" if entry else message)


class NotADl4jZipError(Dl4jFormatError):
    """The path is missing, is not a zip archive, or holds no DL4J model."""


class MissingEntryError(Dl4jFormatError):
    """A required entry (``configuration.json``, ``coefficients.bin``) is absent."""


class CorruptEntryError(Dl4jFormatError):
    """An entry is truncated, has trailing bytes, or its bytes contradict its own header."""


class UnknownDtypeError(Dl4jFormatError):
    """An ND4J array header names a data type or allocation mode this reader does not know."""


class ParamLengthMismatchError(Dl4jFormatError):
    """The flat parameter (or updater state) vector does not have the length the configuration implies."""


class ZipBombError(Dl4jFormatError):
    """An entry declares a size (or compression ratio) beyond the limits; refused before inflating."""


class MalformedConfigError(Dl4jFormatError):
    """configuration.json is not valid JSON, or not a DL4J network configuration."""


class NotARegularFileError(NotADl4jZipError):
    """The path names a directory, FIFO, device or socket: every reader here reads regular files only.

    Refused before anything is read, so a FIFO never blocks and ``/dev/zero`` is never read. Pass the
    data as a binary stream instead where streams are accepted.
    """


class InputTooLargeError(Dl4jFormatError):
    """A stream, entry or array is larger than the ceiling the reader was given (``max_bytes``...).

    Raised from the declared size, before anything that large is allocated; pass a larger ceiling
    if the input is trusted.
    """


class InsufficientMemoryError(Pydl4jTransferError, MemoryError):
    """The data is real but this process cannot hold it (an address-space limit, ``RLIMIT_AS``, or a full
    machine). ``entry`` names the file entry concerned, when there is one."""

    def __init__(self, message: str, entry: str | None = None):
        self.entry = entry
        super().__init__(f"{entry}: {message}" if entry else message)


# --- configuration -----------------------------------------------------------------------


class UnsupportedLayerError(Pydl4jTransferError, NotImplementedError):
    """A DL4J class (layer, vertex, preprocessor, value) has no implementation here.

    ``dl4j_class`` is the DL4J ``"@class"`` name; ``where`` the layer or vertex name, if known.
    """

    def __init__(self, dl4j_class: str, where: str | None = None, what: str = "class", hint: str = ""):
        self.dl4j_class = dl4j_class
        self.where = where
        loc = f" (in {where})" if where else ""
        msg = f"unsupported DL4J {what} {dl4j_class!r}{loc}"
        if hint:
            msg += f": {hint}"
        else:
            msg += (": see docs/supported.md for the supported classes, or open an issue with"
                    " the model's configuration.json")
        super().__init__(msg)


class InvalidConfigurationError(Pydl4jTransferError, ValueError):
    """A configuration is inconsistent (bad nIn/nOut, unknown input name, cycle, ...)."""


# --- the model zoo ----------------------------------------------------------------------


class PretrainedModelNotFoundError(Pydl4jTransferError, FileNotFoundError):
    """A zoo model's pretrained zip is not in DL4J's cache folder (nothing is ever downloaded)."""


class PretrainedNotAvailableError(Pydl4jTransferError, ValueError):
    """DL4J publishes no pretrained weights of that type for that zoo model."""


# --- the Java side -----------------------------------------------------------------------


class JvmUnavailableError(Pydl4jTransferError, RuntimeError):
    """The JVM with the DL4J jars cannot be started (no JPype, no Java, no jars)."""


class Dl4jBackendError(Pydl4jTransferError, RuntimeError):
    """Real DL4J raised an exception; the Java message and class are kept in the text."""


__all__ = [name for name in dir() if name.endswith("Error")]
