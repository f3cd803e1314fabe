"""DL4J's JSON object mapper for configuration objects: ``JsonMappers.getMapper().writeValueAsString(x)``.

Mirrors ``org.deeplearning4j.nn.conf.serde.JsonMappers`` for what Java code does with the mapper: write any
configuration object (a layer, weight init, updater, activation, loss...) as DL4J's JSON text, and read it back by
the class (``readValue(json, WeightInitDistribution)``) or by an interface registry's ``@class``. The text is the
object's own ``toJson()`` (DL4J's Jackson output: pretty-printed, keys in Jackson's order).
"""

from __future__ import annotations

from pydl4j_transfer.errors import MalformedConfigError

from . import jsonio
from .base import ConfObject

__all__ = ["JsonMappers", "ObjectMapper"]


class ObjectMapper:
    """Mirrors the Jackson ObjectMapper DL4J configures (writeValueAsString / readValue of configuration objects)."""

    def writeValueAsString(self, value) -> str:
        """Mirrors ObjectMapper#writeValueAsString: DL4J's JSON text of a configuration object (or plain value)."""
        if isinstance(value, ConfObject):
            return value.toJson()
        return jsonio.dumps(value)

    def readValue(self, content: str, valueType):
        """Mirrors ObjectMapper#readValue(String, Class): a configuration object of ``valueType`` (a configuration
        class; for a base class the JSON's ``@class`` picks the subclass through its registry)."""
        tree = jsonio.loads(content, entry=None)
        if not isinstance(valueType, type) or not issubclass(valueType, ConfObject):
            return tree
        registry = valueType._registry
        if registry is not None and isinstance(tree, dict) and registry.type_key in tree:
            obj = registry.decode(tree)
            if not isinstance(obj, valueType):
                raise MalformedConfigError(f"the JSON holds a {type(obj).__name__}, not a {valueType.__name__}")
            return obj
        return valueType._from_tree(tree)


class JsonMappers:
    """Mirrors org.deeplearning4j.nn.conf.serde.JsonMappers."""

    _mapper = ObjectMapper()

    @staticmethod
    def getMapper() -> ObjectMapper:
        return JsonMappers._mapper
