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
class ModelGuesserError(Dl4jFormatError):
    """ModelGuesser could not load the file as any model (or configuration) kind it knows (DL4J's
    ModelGuesserException); the message lists why each attempt failed."""


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


# --- Keras import ------------------------------------------------------------------------


class _KerasError(Pydl4jTransferError):
    """Base of the Keras import errors: ``layer`` names the Keras layer, ``file`` the Keras file, when known."""

    def __init__(self, message: str, layer: str | None = None, file: str | None = None):
        self.layer = layer
        self.file = file
        self.detail = message
        where = []
        if file:
            where.append(str(file))
        if layer:
            where.append(f"Keras layer {layer!r}")
        super().__init__(f"{', '.join(where)}: {message}" if where else message)

    def with_context(self, layer: str | None = None, file: str | None = None):
        """The same error with the layer / file filled in where they were unknown (same type, same message)."""
        if (layer is None or self.layer) and (file is None or self.file):
            return self
        err = type(self)(self.detail, layer=self.layer or layer, file=self.file or file)
        err.__cause__ = self.__cause__
        return err


class InvalidKerasConfigurationError(_KerasError, ValueError):
    """Mirrors org.deeplearning4j.nn.modelimport.keras.exceptions.InvalidKerasConfigurationException: the Keras
    file (model config, training config or weights) is not what Keras writes."""


class UnsupportedKerasConfigurationError(_KerasError, NotImplementedError):
    """Mirrors org.deeplearning4j.nn.modelimport.keras.exceptions.UnsupportedKerasConfigurationException: valid
    Keras, but something DL4J's importer does not map (layer class, loss, optimizer, option)."""


class NotMirroredError(Pydl4jTransferError, AttributeError):
    """A DL4J method (or nested class) of a mirrored class that this package does not mirror.

    The message names the DL4J original and says what to write instead (the reason table of
    ``pydl4j_transfer/java_names.py``, which docs/api-porting.md lists too). An ``AttributeError``, so ``hasattr``
    and ``getattr(obj, name, default)`` keep working.
    """

    def __init__(self, owner: str, name: str, advice: str):
        self.owner = owner
        self.java_name = name
        super().__init__(f"{owner}.{name} (DL4J's {owner}#{name}) is not mirrored in Python: {advice}")


# --- data --------------------------------------------------------------------------------


class ImageDecodeError(Pydl4jTransferError, OSError):
    """An image file cannot be read as an image (empty, truncated beyond repair, not an image, a format OpenCV
    cannot decode) or cannot be converted to the channels asked for. ``path`` names the file.

    DL4J's NativeImageLoader throws ``IOException("Could not decode image from input stream")`` (wrapped in a
    RuntimeException by ImageRecordReader) for the same files; it skips none, and neither does this."""

    def __init__(self, message: str, path=None):
        self.path = None if path is None else str(path)
        super().__init__(f"{self.path}: {message}" if path is not None else message)


# --- the model zoo ----------------------------------------------------------------------


class PretrainedModelNotFoundError(Pydl4jTransferError, FileNotFoundError):
    """A zoo model's pretrained zip is not in DL4J's cache folder (nothing is ever downloaded)."""


class PretrainedNotAvailableError(Pydl4jTransferError, ValueError):
    """DL4J publishes no pretrained weights of that type for that zoo model."""


# --- the Java side -----------------------------------------------------------------------


class JvmUnavailableError(Pydl4jTransferError, RuntimeError):
    """The JVM with the DL4J jars cannot be started (no JPype, no Java, no jars)."""


class JavaSetupError(Pydl4jTransferError, RuntimeError):
    """``pydl4j-transfer setup-java`` could not put DL4J's jars in place (not found, checksum mismatch, no list)."""


class Dl4jBackendError(Pydl4jTransferError, RuntimeError):
    """Real DL4J raised an exception; the Java message and class are kept in the text."""


# --- scale-out -----------------------------------------------------------------------------


class DistributedTrainingError(Pydl4jTransferError, RuntimeError):
    """Training across processes failed: a worker process died or could not start, or a DL4J scale-out entry
    point (dl4j-spark's SparkDl4jMultiLayer, TrainingMasters...) was used; the message says what to use instead."""


__all__ = [name for name in dir() if name.endswith("Error")]
