"""The one registry of the package: DL4J's ``"@class"`` -> an entry, filled by a decorator keyed by the class.

Every kind of DL4J polymorphic object has a registry per job: ``conf`` keeps one per kind of configuration
class (``LAYERS``, ``VERTICES``, ``ACTIVATIONS``, ...; a configuration class registers itself), the torch
backend one per kind of converter (``LAYER_CONVERTERS``, ...; a converter registers under the configuration
classes it serves), the training code one each for updater and schedule rules. All use this class and one
style, the decorator::

    @LAYERS.register                              # a configuration class, under its own dl4jClass
    class DenseLayer(FeedForwardLayer): ...

    @LAYER_CONVERTERS.register(DenseLayer)        # a converter, under DenseLayer.dl4jClass
    def _dense(conf, ctx): ...

A duplicate key or a lookup miss is an error naming the key (onnx2torch's ``node_converters/registry.py``);
a miss is :class:`~pydl4j_transfer.errors.UnsupportedLayerError` carrying the layer or vertex name.
Layer 0: imports nothing of the package but ``errors``.
"""

from __future__ import annotations

from pydl4j_transfer.errors import InvalidConfigurationError, UnsupportedLayerError


def dl4j_class_of(obj) -> str:
    """The DL4J ``"@class"`` of a configuration object or class (unknown JSON classes keep theirs too)."""
    return getattr(obj, "dl4jClass", None) or type(obj).__name__


class Registry:
    """``"@class"`` -> entry, for one kind of DL4J object and one job.

    ``self_keyed``: the entries are the configuration classes themselves (``@REG.register`` on the class);
    otherwise ``@REG.register(ConfClass, ...)`` registers the decorated object under those classes' keys.
    ``hint(key)``: the advice a lookup miss carries.
    """

    def __init__(self, kind: str, *, self_keyed: bool = False, type_key: str = "@class", hint=None):
        self.kind = kind
        self.self_keyed = self_keyed
        self.type_key = type_key
        self._hint = hint
        self._entries: dict = {}

    def register(self, *targets):
        """The decorator (see the module docstring)."""
        if self.self_keyed:
            if len(targets) != 1 or not isinstance(targets[0], type):
                raise TypeError(f"@{self.kind} registry: decorate a configuration class, got {targets!r}")
            cls = targets[0]
            self.add(cls.dl4jClass, cls, cls.__name__)
            return cls
        if not targets or not all(getattr(t, "dl4jClass", None) for t in targets):
            raise TypeError(f"{self.kind} registry: register(ConfigurationClass, ...) needs configuration classes,"
                            f" got {targets!r}")

        def deco(entry):
            for target in targets:
                self.add(target.dl4jClass, entry, getattr(entry, "__qualname__", repr(entry)))
            return entry
        return deco

    def add(self, key: str, entry, name: str = "") -> None:
        """Register ``entry`` under ``key`` (a DL4J "@class"); a second entry for a key is an error."""
        if not key:
            raise InvalidConfigurationError(f"{name or entry!r} declares no dl4jClass for the {self.kind} registry")
        if key in self._entries:
            old = self._entries[key]
            raise InvalidConfigurationError(
                f"duplicate {self.kind} registration for {key!r}: {getattr(old, '__qualname__', old)!s} and {name}")
        self._entries[key] = entry

    def lookup(self, key: str, where: str | None = None):
        """The entry for ``key``; a miss is an UnsupportedLayerError naming the key and ``where``."""
        try:
            return self._entries[key]
        except (KeyError, TypeError):
            hint = self._hint(key) if self._hint is not None else ""
            raise UnsupportedLayerError(str(key), where, what=self.kind, hint=hint) from None

    def get(self, key: str, default=None):
        return self._entries.get(key, default)

    def convert(self, obj, *args, where: str | None = None, **kwargs):
        """Look up ``obj``'s DL4J class and call its entry with ``(obj, *args)`` (converter registries)."""
        return self.lookup(dl4j_class_of(obj), where)(obj, *args, **kwargs)

    def __contains__(self, key):
        return key in self._entries

    def __iter__(self):
        """The entries (conf registries: the configuration classes)."""
        return iter(self._entries.values())

    def keys(self):
        return self._entries.keys()

    def items(self):
        return self._entries.items()

    def __len__(self):
        return len(self._entries)

    def __repr__(self):
        return f"Registry({self.kind!r}, {len(self)} classes)"
