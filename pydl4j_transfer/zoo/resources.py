"""Mirrors org.deeplearning4j.common.resources.DL4JResources and ResourceType (DL4J 1.0.0-M2.1).

Where DL4J keeps downloaded resources, and where it downloads them from:

* base directory: the Java system property ``org.deeplearning4j.resources.directory`` if set,
  else ``<user.home>/.deeplearning4j``; ``DL4JResources.setBaseDirectory(dir)`` overrides it
  (the directory must exist). DL4J reads no environment variable. A Python process has no Java
  system properties, so we look for the property where a JVM started from this environment
  would see it: a ``-Dorg.deeplearning4j.resources.directory=...`` in ``JAVA_TOOL_OPTIONS``,
  ``JDK_JAVA_OPTIONS`` or ``_JAVA_OPTIONS``. (Addition: the environment variable
  ``DL4J_RESOURCES_DIRECTORY`` is honoured too, before those.)
* zoo models: ``<base>/models/<modelName>/<file name of the URL>``
  (``getDirectory(ResourceType.ZOO_MODEL, "vgg16")``).
* base URL: property ``org.deeplearning4j.resources.baseurl`` (same lookup), else
  ``https://dl4jdata.blob.core.windows.net/``; ``setBaseDownloadURL`` overrides it.

Difference: DL4J's ``getDirectory`` creates the directories; ours only computes the path
(nothing here downloads, so nothing needs to exist).
"""

from __future__ import annotations

import enum
import os
import shlex
from pathlib import Path

from pydl4j_transfer.java_names import JavaNames
from pydl4j_transfer.errors import InvalidConfigurationError

DL4J_RESOURCES_DIR_PROPERTY = "org.deeplearning4j.resources.directory"
DL4J_BASE_URL_PROPERTY = "org.deeplearning4j.resources.baseurl"
DL4J_DEFAULT_URL = "https://dl4jdata.blob.core.windows.net/"
ENV_RESOURCES_DIR = "DL4J_RESOURCES_DIRECTORY"
_JAVA_OPTION_VARS = ("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS", "_JAVA_OPTIONS")


class ResourceType(enum.Enum):
    """Mirrors org.deeplearning4j.common.resources.ResourceType."""

    DATASET = "data"
    ZOO_MODEL = "models"
    RESOURCE = "resources"

    def resourceName(self) -> str:
        return self.value


def _java_property(name: str) -> str | None:
    """The value of ``-D<name>=...`` as a JVM started from this environment would see it (last one wins)."""
    found = None
    for var in _JAVA_OPTION_VARS:
        text = os.environ.get(var)
        if not text:
            continue
        try:
            words = shlex.split(text)
        except ValueError:
            words = text.split()
        for word in words:
            if word.startswith(f"-D{name}="):
                found = word.split("=", 1)[1]
    return found


class DL4JResources(JavaNames):
    """Mirrors org.deeplearning4j.common.resources.DL4JResources (static methods, process-wide state)."""

    _base_directory: Path | None = None
    _base_url: str | None = None

    @staticmethod
    def resetBaseDirectoryLocation() -> None:
        """Mirrors DL4JResources#resetBaseDirectoryLocation: back to the property / default lookup."""
        DL4JResources._base_directory = None

    @staticmethod
    def setBaseDirectory(f) -> None:
        """Mirrors DL4JResources#setBaseDirectory: the directory must exist."""
        p = Path(f)
        if not p.is_dir():
            raise InvalidConfigurationError(
                f"Specified base directory does not exist and/or is not a directory: {p.absolute()}")
        DL4JResources._base_directory = p

    @staticmethod
    def getBaseDirectory() -> Path:
        """Mirrors DL4JResources#getBaseDirectory."""
        if DL4JResources._base_directory is not None:
            return DL4JResources._base_directory
        value = os.environ.get(ENV_RESOURCES_DIR) or _java_property(DL4J_RESOURCES_DIR_PROPERTY)
        if value:
            return Path(value)
        return Path(os.path.expanduser("~")) / ".deeplearning4j"

    @staticmethod
    def getDirectory(resourceType: ResourceType, resourceName: str) -> Path:
        """Mirrors DL4JResources#getDirectory (without creating the directory)."""
        return DL4JResources.getBaseDirectory() / ResourceType(resourceType).resourceName() / resourceName

    @staticmethod
    def setBaseDownloadURL(baseDownloadURL: str) -> None:
        """Mirrors DL4JResources#setBaseDownloadURL (only used to name URLs: nothing is downloaded)."""
        if baseDownloadURL is None:
            raise InvalidConfigurationError("baseDownloadURL is marked non-null but is null")
        DL4JResources._base_url = baseDownloadURL

    @staticmethod
    def getBaseDownloadURL() -> str:
        """Mirrors DL4JResources#getBaseDownloadURL."""
        if DL4JResources._base_url is not None:
            return DL4JResources._base_url
        return _java_property(DL4J_BASE_URL_PROPERTY) or DL4J_DEFAULT_URL

    @staticmethod
    def getURLString(relativeToBase: str) -> str:
        """Mirrors DL4JResources#getURLString."""
        if relativeToBase.startswith("/"):
            relativeToBase = relativeToBase[1:]
        return DL4JResources.getBaseDownloadURL() + relativeToBase
