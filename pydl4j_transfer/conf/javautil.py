"""Java collection iteration orders DL4J's JSON depends on.

``HashMap``/``HashSet`` iterate by bucket (``hash & (capacity - 1)``, with
``hash = h ^ (h >>> 16)``), ties in insertion order; capacity starts at 16 and doubles when
the size exceeds 0.75 x capacity. DL4J writes such collections into JSON (constraint
``params`` sets, ``MapSchedule.values``) and computes the graph's topological order with
them (``ComputationGraphConfiguration`` / ``ComputationGraph.topologicalSortOrder``).
"""

from __future__ import annotations


def java_string_hash(text: str) -> int:
    """``String.hashCode()`` as a signed 32-bit int."""
    h = 0
    for unit in text.encode("utf-16-be").hex(" ", 2).split() if text else ():
        h = (31 * h + int(unit, 16)) & 0xFFFFFFFF
    return h - (1 << 32) if h >= 1 << 31 else h


def java_hash(key) -> int:
    if isinstance(key, bool):
        return 1231 if key else 1237
    if isinstance(key, int):
        h = key & 0xFFFFFFFF
    elif isinstance(key, str):
        h = java_string_hash(key) & 0xFFFFFFFF
    else:
        raise TypeError(f"no Java hash for {type(key).__name__}")
    return (h ^ (h >> 16)) & 0xFFFFFFFF


def capacity_for(count: int, initial: int = 16) -> int:
    cap = initial
    while count > 0.75 * cap:
        cap *= 2
    return cap


def hash_order(keys, capacity: int | None = None) -> list:
    """Iteration order of a Java HashSet/HashMap that had ``keys`` inserted in this order."""
    keys = list(dict.fromkeys(keys))
    cap = capacity or capacity_for(len(keys))
    return sorted(keys, key=lambda k: java_hash(k) & (cap - 1))  # sorted() is stable: ties keep insertion order


class Optional:
    """Mirrors org.nd4j.common.primitives.Optional (java.util.Optional's API): what DL4J's getters of ``Optional``
    fields return (FineTuneConfiguration's
    ``getDropout()``, ``getWeightNoise()``, ``getGradientNormalization()``, ``getConstraints()``), so Java code
    such as ``ftc.getDropout().isPresent()`` / ``.get()`` ports as written."""

    __slots__ = ("_value",)

    def __init__(self, value=None):
        self._value = value

    @staticmethod
    def of(value):
        """Mirrors Optional.of (value must not be None)."""
        if value is None:
            raise ValueError("Optional.of(null): use Optional.empty() or Optional.ofNullable(value)")
        return Optional(value)

    @staticmethod
    def ofNullable(value):
        return Optional(value)

    @staticmethod
    def empty():
        return Optional(None)

    def isPresent(self) -> bool:
        return self._value is not None

    def isEmpty(self) -> bool:
        return self._value is None

    def get(self):
        """Mirrors Optional#get: the value; an empty Optional raises (Java: NoSuchElementException)."""
        if self._value is None:
            raise LookupError("No value present (Optional.get() on an empty Optional)")
        return self._value

    def orElse(self, other):
        return other if self._value is None else self._value

    def ifPresent(self, consumer) -> None:
        if self._value is not None:
            consumer(self._value)

    def __eq__(self, other):
        return isinstance(other, Optional) and self._value == other._value

    def __hash__(self):
        return hash(("Optional", repr(self._value)))

    def __repr__(self):
        return f"Optional[{self._value!r}]" if self._value is not None else "Optional.empty"
