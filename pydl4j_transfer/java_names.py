"""What to write instead of a DL4J method that stays unmirrored: the reason table and the ``__getattr__`` that uses it.

A Java program ported line by line may call a DL4J method this package does not mirror. Instead of a bare
``AttributeError`` (or a ``TypeError`` from deep inside numpy or torch), the mirrored classes raise
:class:`~pydl4j_transfer.errors.NotMirroredError` naming the DL4J original and the Python replacement, taken from
:data:`NOT_MIRRORED`. docs/api-porting.md (convert/porting.py) prints the same table next to every Java method that
is not mirrored, and tests/cli/test_porting_table.py checks that each has an entry here.

Keys: ``"Class#method"`` for one class (the Java simple name; a base class name covers its subclasses, e.g.
``"Layer#instantiate"``), or ``"method"`` for every mirrored class. Layer 0.5: imports only ``errors``.
"""

from __future__ import annotations

from pydl4j_transfer.errors import NotMirroredError

_INTERNAL = "DL4J-internal"

#: Java method -> what a Python user writes instead (or why there is nothing to write).
NOT_MIRRORED: dict = {}


def reason(class_names, name: str):
    """The advice for the Java method ``name`` of a class known by ``class_names`` (its Java simple name and its
    bases', most specific first), or None when the name is not a known unmirrored DL4J method."""
    for cls in class_names:
        advice = NOT_MIRRORED.get(f"{cls}#{name}")
        if advice is not None:
            return advice
    return NOT_MIRRORED.get(name)


def _class_names(cls) -> list:
    names = []
    for klass in cls.__mro__:
        java = klass.__dict__.get("dl4jClass") or klass.__dict__.get("JAVA_CLASS")
        names.append(java.rsplit(".", 1)[-1].rsplit("$", 1)[-1] if isinstance(java, str) else klass.__name__)
    return names


def missing(owner_cls, name: str, obj=None) -> AttributeError:
    """The error for an attribute lookup that failed: NotMirroredError for a known DL4J method, else AttributeError."""
    advice = None if name.startswith("_") else reason(_class_names(owner_cls), name)
    if advice is not None:
        return NotMirroredError(owner_cls.__name__, name, advice)
    what = f"type object {owner_cls.__name__!r}" if obj is None else f"{owner_cls.__name__!r} object"
    return AttributeError(f"{what} has no attribute {name!r}", name=name, obj=obj if obj is not None else owner_cls)


class _JavaNamesMeta(type):
    def __getattr__(cls, name):  # class-level lookups: static methods, nested classes (ModelSerializer.x, Layer.Y)
        raise missing(cls, name)


class JavaNames(metaclass=_JavaNamesMeta):
    """Mixin of the mirrored classes: a DL4J name that stays unmirrored raises NotMirroredError saying what to write
    instead (on instances and on the class)."""

    __slots__ = ()

    def __getattr__(self, name):
        raise missing(type(self), name, self)
