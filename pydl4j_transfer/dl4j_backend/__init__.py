"""Layer 2: real DL4J 1.0.0-M2.1 in the JVM, through JPype and a small Java facade (``java/``).

Importing this package imports neither JPype nor Java; the JVM starts on first use
(:func:`start_jvm`).
"""

from pydl4j_transfer.dl4j_backend.arrays import DTYPE_TO_ND4J, ND4J_TO_DTYPE, to_indarray, to_numpy
from pydl4j_transfer.dl4j_backend.jvm import (
    ENV_CLASSPATH,
    default_classpath,
    dl4j_version,
    is_started,
    jarray,
    java_version,
    jclass,
    jlong,
    jstring,
    jstrings,
    start_jvm,
)
from pydl4j_transfer.dl4j_backend.model import Dl4jModel

__all__ = [
    "DTYPE_TO_ND4J",
    "ND4J_TO_DTYPE",
    "ENV_CLASSPATH",
    "Dl4jModel",
    "default_classpath",
    "dl4j_version",
    "is_started",
    "jarray",
    "java_version",
    "jclass",
    "jlong",
    "jstring",
    "jstrings",
    "start_jvm",
    "to_indarray",
    "to_numpy",
]
