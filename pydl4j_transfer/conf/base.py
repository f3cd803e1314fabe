"""The declarative base of every DL4J configuration class, its value codecs and registries.

A conf class declares its DL4J ``"@class"`` (``dl4jClass``) and its JSON properties as
:class:`Field` rows: JSON key, Python attribute (the Java field name, e.g. ``nIn``,
``iUpdater``), the value codec (how the JSON value decodes: double, int, enum, or a
polymorphic object through a registry), the construction default (what DL4J's builder or
public constructor leaves) and the *missing* default (what Jackson leaves when the key is
absent: the Java field initialiser, which is not always the builder default).

Everything else is generic: JSON in/out (``@class`` first, then Jackson's alphabetical order
unless the class pins ``KEY_ORDER``; unknown keys kept and written back), equality,
``clone()``, the keyword constructor and ``Cls.Builder()`` (both route every argument
through the same setters, so the two forms agree by construction).

Registries (one per kind, keyed by ``"@class"``): a duplicate key or a lookup miss is an
error naming the key.
"""

from __future__ import annotations

import copy
import enum
import math
import re

from pydl4j_transfer.errors import InvalidConfigurationError, MalformedConfigError, NotMirroredError, UnsupportedLayerError
from pydl4j_transfer.java_names import JavaNames, reason as java_reason
from pydl4j_transfer.registry import Registry as _Registry

from . import jsonio

MISSING = object()


# --------------------------------------------------------------------------------------
# registries


class Registry(_Registry):
    """A registry of configuration classes (``@LAYERS.register`` on the class, keyed by its own ``dl4jClass``),
    which also decodes JSON objects carrying its kind's type id (pydl4j_transfer/registry.py)."""

    def __init__(self, kind: str, type_key: str = "@class"):
        super().__init__(kind, self_keyed=True, type_key=type_key)

    def register(self, cls):
        super().register(cls)
        cls._registry = self
        return cls

    def lookup(self, key: str, where: str | None = None):
        if not isinstance(key, str):
            raise MalformedConfigError(f"{self.kind} type id must be a string, got {key!r}" + _where(where))
        return super().lookup(key, where)

    def decode(self, raw, where: str | None = None):
        """Decode a JSON object carrying this kind's type id into a conf object."""
        if raw is None:
            return None
        if not isinstance(raw, dict):
            raise MalformedConfigError(f"expected a {self.kind} object, got {raw!r:.80}" + (f" (in {where})" if where else ""))
        if self.type_key not in raw:
            raise MalformedConfigError(f"{self.kind} object without {self.type_key!r}: keys {list(raw)[:6]}"
                                       + (f" (in {where})" if where else ""))
        try:
            cls = self.lookup(raw[self.type_key], where)
        except UnsupportedLayerError:
            hint = _user_samediff_hint(self.kind, raw)  # a user's SameDiff class: say how to register it
            if not hint:
                raise
            raise UnsupportedLayerError(raw[self.type_key], where, what=self.kind, hint=hint) from None
        return cls._from_tree(raw, where)


def _user_samediff_hint(kind: str, raw: dict) -> str:
    """The message for an unregistered class whose JSON is a SameDiff layer's or vertex's ("" otherwise)."""
    samediff = ("layerParams" in raw) if kind == "layer" else ("vertexParams" in raw) if kind == "graph vertex" else False
    if not samediff:
        return ""
    name = raw.get("@class")
    user_kind = "vertex" if kind == "graph vertex" else "layer"
    return (f"{name} is a user-defined SameDiff {user_kind}: its Java code (defineLayer/defineVertex) is not in the"
            f" zip. Register a torch forward for it with pydl4j_transfer.register_samediff({name!r}, fn"
            + (', kind="vertex"' if user_kind == "vertex" else "") + ") before reading the model (docs/samediff.md)")


LAYERS = Registry("layer")
VERTICES = Registry("graph vertex")
PREPROCESSORS = Registry("input preprocessor")
ACTIVATIONS = Registry("activation")
UPDATERS = Registry("updater")
LOSSES = Registry("loss function")
WEIGHT_INITS = Registry("weight init")
DISTRIBUTIONS = Registry("distribution", type_key="type")
DROPOUTS = Registry("dropout")
WEIGHT_NOISES = Registry("weight noise")
CONSTRAINTS = Registry("constraint")
REGULARIZATIONS = Registry("regularization")
SCHEDULES = Registry("schedule")
RECONSTRUCTION_DISTRIBUTIONS = Registry("reconstruction distribution")  # VariationalAutoencoder's p(x|z)

ALL_REGISTRIES = (LAYERS, VERTICES, PREPROCESSORS, ACTIVATIONS, UPDATERS, LOSSES, WEIGHT_INITS, DISTRIBUTIONS,
                  DROPOUTS, WEIGHT_NOISES, CONSTRAINTS, REGULARIZATIONS, SCHEDULES, RECONSTRUCTION_DISTRIBUTIONS)

# How user input (enum member, name string, instance) becomes an object of a registry's
# kind, e.g. ``"relu"`` -> ActivationReLU(). Filled by the value modules.
COERCERS: dict = {}


def _where(where):
    return f" (in {where})" if where else ""


# --------------------------------------------------------------------------------------
# codecs: JSON value <-> Python attribute value


class Codec:
    """Converts one property's JSON value to the Python value and back."""

    def decode(self, raw, where=None):
        return raw

    def encode(self, value):
        return value

    def coerce(self, value):
        """User input (builder/keyword argument) -> attribute value."""
        return value


class _Double(Codec):
    def decode(self, raw, where=None):
        if raw is None:
            return None
        if isinstance(raw, bool):
            raise MalformedConfigError(f"expected a number, got {raw!r}{_where(where)}")
        if isinstance(raw, (int, float)):
            return float(raw)
        if isinstance(raw, str):
            try:
                return float(raw)  # "NaN", "Infinity", "-Infinity", "1e-3"
            except ValueError:
                pass
        raise MalformedConfigError(f"expected a number, got {raw!r:.60}{_where(where)}")

    def encode(self, value):
        return None if value is None else float(value)

    def coerce(self, value):
        return None if value is None else float(value)


class _Int(Codec):
    def decode(self, raw, where=None):
        if raw is None:
            return None
        if isinstance(raw, bool) or not isinstance(raw, (int, float)) or (isinstance(raw, float) and not raw.is_integer()):
            raise MalformedConfigError(f"expected an integer, got {raw!r:.60}{_where(where)}")
        return int(raw)

    def encode(self, value):
        return None if value is None else int(value)

    def coerce(self, value):
        return None if value is None else int(value)


class _Bool(Codec):
    def decode(self, raw, where=None):
        if raw is None or isinstance(raw, bool):
            return raw
        raise MalformedConfigError(f"expected true/false, got {raw!r:.60}{_where(where)}")

    def coerce(self, value):
        return None if value is None else bool(value)


class _Str(Codec):
    def decode(self, raw, where=None):
        if raw is None or isinstance(raw, str):
            return raw
        raise MalformedConfigError(f"expected a string, got {raw!r:.60}{_where(where)}")

    def coerce(self, value):
        return None if value is None else str(value)


class _Raw(Codec):
    """Kept exactly as parsed (unknown structure, written back unchanged)."""

    def decode(self, raw, where=None):
        return copy.deepcopy(raw)

    def encode(self, value):
        return value


DOUBLE = _Double()
INT = _Int()
LONG = INT
BOOL = _Bool()
STR = _Str()
RAW = _Raw()


class EnumCodec(Codec):
    """A Java enum: JSON holds the constant name. An unknown name is kept as a string."""

    def __init__(self, enum_cls):
        self.enum_cls = enum_cls

    def decode(self, raw, where=None):
        if raw is None:
            return None
        if not isinstance(raw, str):
            raise MalformedConfigError(f"expected a {self.enum_cls.__name__} name, got {raw!r:.60}{_where(where)}")
        member = self.enum_cls.__members__.get(raw)
        return member if member is not None else raw

    def encode(self, value):
        if value is None:
            return None
        return value.name if isinstance(value, enum.Enum) else str(value)

    def coerce(self, value):
        return None if value is None else enum_value(self.enum_cls, value)


def enum_name(value):
    """The constant name of an enum attribute: a member's ``name``, or the string an unknown JSON name was kept as
    (EnumCodec keeps those, so a zip from a newer DL4J round-trips); None stays None. The one accessor every
    layer of the package reads enum attributes through."""
    if value is None:
        return None
    return value.name if isinstance(value, enum.Enum) else str(value)


def enum_value(enum_cls, value):
    """Accept an enum member, its exact name, or its name in any case ('relu' -> RELU)."""
    if isinstance(value, enum_cls):
        return value
    if isinstance(value, enum.Enum):
        value = value.name
    if isinstance(value, str):
        if value in enum_cls.__members__:
            return enum_cls.__members__[value]
        folded = {name.upper().replace("_", ""): m for name, m in enum_cls.__members__.items()}
        member = folded.get(value.upper().replace("_", ""))
        if member is not None:
            return member
    raise InvalidConfigurationError(
        f"{value!r} is not a {enum_cls.__name__}; expected one of {', '.join(enum_cls.__members__)}")


class ArrayCodec(Codec):
    """A Java array or List of one element kind (list in Python; None stays None)."""

    def __init__(self, item: Codec):
        self.item = item

    def decode(self, raw, where=None):
        if raw is None:
            return None
        if not isinstance(raw, list):
            raise MalformedConfigError(f"expected an array, got {raw!r:.60}{_where(where)}")
        return [self.item.decode(x, where) for x in raw]

    def encode(self, value):
        return None if value is None else [self.item.encode(x) for x in value]

    def coerce(self, value):
        if value is None:
            return None
        if isinstance(value, (int, float, str)) and not isinstance(value, bool) and isinstance(self.item, (_Int, _Double)):
            return [self.item.coerce(value)]
        return [self.item.coerce(x) for x in value]


class MapCodec(Codec):
    """A Java Map with string keys; keeps insertion order."""

    def __init__(self, value: Codec, key_type=str):
        self.value = value
        self.key_type = key_type

    def decode(self, raw, where=None):
        if raw is None:
            return None
        if not isinstance(raw, dict):
            raise MalformedConfigError(f"expected an object, got {raw!r:.60}{_where(where)}")
        return {self.key_type(k): self.value.decode(v, where) for k, v in raw.items()}

    def encode(self, value):
        return None if value is None else {str(k): self.value.encode(v) for k, v in value.items()}

    def coerce(self, value):
        return None if value is None else {self.key_type(k): self.value.coerce(v) for k, v in value.items()}


class PolyCodec(Codec):
    """A polymorphic DL4J object, decoded through its kind's registry."""

    def __init__(self, registry: Registry):
        self.registry = registry

    def decode(self, raw, where=None):
        return self.registry.decode(raw, where)

    def encode(self, value):
        return None if value is None else value._to_tree()

    def coerce(self, value):
        if value is None or isinstance(value, ConfObject):
            return value
        coercer = COERCERS.get(self.registry.kind)
        if coercer is None:
            raise InvalidConfigurationError(f"expected a {self.registry.kind} object, got {value!r}")
        return coercer(value)


class ObjCodec(Codec):
    """A non-polymorphic nested conf object of one fixed class (e.g. NeuralNetConfiguration)."""

    def __init__(self, cls_getter):
        self._getter = cls_getter

    def decode(self, raw, where=None):
        if raw is None:
            return None
        if not isinstance(raw, dict):
            raise MalformedConfigError(f"expected an object, got {raw!r:.60}{_where(where)}")
        return self._getter()._from_tree(raw, where)

    def encode(self, value):
        return None if value is None else value._to_tree()


def poly(registry):
    return PolyCodec(registry)


def array(item):
    return ArrayCodec(item)


INT_ARRAY = ArrayCodec(INT)
LONG_ARRAY = INT_ARRAY
DOUBLE_ARRAY = ArrayCodec(DOUBLE)
STR_ARRAY = ArrayCodec(STR)


# --------------------------------------------------------------------------------------
# fields and the base class


class Field:
    """One JSON property: key, Python attribute, codec, construction and missing-key defaults.

    ``java``: the Java field's name where it is not ``attr`` (e.g. ``isNCDHW`` for the attribute ``ncdhw``);
    it names DL4J's Lombok accessors (:meth:`accessors`), which every configuration class gets generated.
    """

    __slots__ = ("key", "attr", "codec", "default", "missing", "java")

    def __init__(self, key, codec=RAW, attr=None, default=None, missing=MISSING, java=None):
        self.key = key
        self.attr = attr or key
        self.codec = codec
        self.default = default
        self.missing = default if missing is MISSING else missing
        self.java = java or self.attr.rstrip("_")  # "from_" (a Python keyword) is Java's "from"

    def accessors(self) -> tuple:
        """(getter, setter): Lombok's names for the Java field: ``getX``/``setX``, ``isX`` for a primitive boolean
        (a boolean field already named ``isX`` keeps it: getter ``isX``, setter ``setX``)."""
        name = self.java
        if self.codec is BOOL:
            if re.match(r"is[A-Z]", name):
                return name, "set" + name[2:]
            return "is" + name[0].upper() + name[1:], "set" + name[0].upper() + name[1:]
        cap = name[0].upper() + name[1:]
        return "get" + cap, "set" + cap

    def __repr__(self):
        return f"Field({self.key!r} -> {self.attr})"


def _getter(field):
    def getter(self):
        return getattr(self, field.attr)
    getter.__doc__ = f"Mirrors DL4J's getter of the Java field ``{field.java}`` (JSON ``{field.key}``)."
    getter._generated_accessor = True
    return getter


def _setter(field):
    def setter(self, value):
        setattr(self, field.attr, field.codec.coerce(value))
    setter.__doc__ = f"Mirrors DL4J's setter of the Java field ``{field.java}`` (JSON ``{field.key}``)."
    setter._generated_accessor = True
    return setter


def serves_accessor(method):
    """Mark a base-class method that also serves as the Lombok accessor of a field its subclasses declare (a Java
    overload such as ``IUpdater#getLearningRate(iteration, epoch)`` next to ``getLearningRate()``): the subclasses'
    fields then do not get a generated accessor of that name."""
    method._serves_accessor = True
    return method


def _add_accessors(cls, fields):
    """DL4J's getters and setters of the class's own Field rows (a method the class defines itself wins, and so
    does a base-class method marked :func:`serves_accessor`)."""
    attrs = {f.attr for f in cls._fields}
    for f in fields:
        for name, make in zip(f.accessors(), (_getter, _setter)):
            if name in attrs:
                raise InvalidConfigurationError(f"{cls.__name__}: accessor {name}() would be hidden by the attribute "
                                                f"{name!r}; give the Field another attr and java={name!r}")
            if name not in cls.__dict__ and not getattr(getattr(cls, name, None), "_serves_accessor", False):
                fn = make(f)
                fn.__name__ = fn.__qualname__ = name
                setattr(cls, name, fn)


def add_lombok_accessors(cls, fields: dict, store: str | None = None, booleans=(), read_only=()):
    """Lombok ``@Data`` accessors on a class without Field rows (DL4J's builders): ``fields`` maps each Java field
    name to the attribute holding its value (on the object, or on ``getattr(obj, store)``); ``booleans`` are the
    primitive boolean fields (``isX``); ``read_only`` get no setter. A method the class defines itself wins."""
    for java, attr in fields.items():
        cap = java[0].upper() + java[1:]
        names = (("is" if java in booleans else "get") + cap, "set" + cap)

        def getter(self, attr=attr):
            return getattr(getattr(self, store) if store else self, attr)

        def setter(self, value, attr=attr):
            setattr(getattr(self, store) if store else self, attr, value)
        for name, fn, kind in zip(names, (getter, setter), ("getter", "setter")):
            if name in cls.__dict__ or (kind == "setter" and java in read_only):
                continue
            fn.__name__ = fn.__qualname__ = name
            fn.__doc__ = f"Mirrors DL4J's Lombok {kind} of {cls.__name__}'s field ``{java}``."
            setattr(cls, name, fn)


def make_default(value):
    """A fresh default value: classes are instantiated, containers copied."""
    if isinstance(value, type) and issubclass(value, ConfObject):
        return value()
    if callable(value) and getattr(value, "_is_factory", False):
        return value()
    if isinstance(value, (list, dict, set, ConfObject)):
        return copy.deepcopy(value)
    return value


def factory(fn):
    """Mark a zero-argument function as a default factory."""
    fn._is_factory = True
    return fn


def values_equal(a, b) -> bool:
    """Equality that treats NaN == NaN and compares lists/arrays element-wise."""
    if isinstance(a, float) and isinstance(b, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(values_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a) == list(b) and all(values_equal(a[k], b[k]) for k in a)
    if type(a).__module__ == "numpy" or type(b).__module__ == "numpy":
        import numpy as np
        return isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape == b.shape and bool(np.array_equal(a, b))
    return a == b


class _Builder:
    """``Cls.Builder(...)``: DL4J-style fluent builder; every call goes through the class's setters."""

    def __init__(self, cls, args, kwargs):
        object.__setattr__(self, "_obj", cls._new_with_defaults())
        cls._builder_args(self._obj, args)
        for name, value in kwargs.items():
            self._obj._set(name, value)

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        obj = self._obj
        if name not in obj._setters and name not in obj._attr_fields:
            advice = java_reason(["Builder"], name)
            if advice is not None:  # a method of DL4J's builder that is not taken here
                raise NotMirroredError(f"{type(obj).__name__}.Builder", name, advice)
            raise AttributeError(f"{type(obj).__name__}.Builder has no method {name!r}")

        def call(*args, **kwargs):
            if kwargs:
                obj._set(name, (args, kwargs))
            else:
                obj._set(name, args[0] if len(args) == 1 else tuple(args))
            return self

        return call

    def build(self):
        obj = copy.deepcopy(self._obj)
        obj._on_build()
        return obj


class ConfObject(JavaNames):
    """Base of every DL4J configuration object (layers, vertices, values, networks).

    DL4J's Lombok getters and setters (``getNOut()``, ``isHasBias()``, ``setIUpdater(u)`` ...) are generated from
    the ``Field`` rows (:meth:`Field.accessors`); a DL4J method that stays unmirrored raises NotMirroredError
    saying what to write instead (pydl4j_transfer/java_names.py)."""

    dl4jClass: str | None = None
    FIELDS: tuple = ()
    DEFAULTS: dict = {}  # attr -> construction default override for this class
    MISSING_DEFAULTS: dict = {}  # attr -> missing-key default override for this class
    SETTERS: dict = {}  # builder method name -> function(obj, value)
    POSITIONAL: tuple = ()  # names that positional constructor args are routed to
    BUILDER_POSITIONAL: tuple | None = None  # same for Builder(...) (default: POSITIONAL)
    KEY_ORDER: tuple | None = None  # Jackson order where it is not alphabetical (creator properties)
    WRITE_TYPE = True  # write "@class"
    _registry: Registry | None = None

    _fields: tuple = ()
    _attr_fields: dict = {}
    _key_fields: dict = {}
    _setters: dict = {}
    _defaults: dict = {}
    _missing: dict = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        fields = {f.key: f for f in cls._fields}
        for f in cls.__dict__.get("FIELDS", ()):
            fields[f.key] = f
        cls._fields = tuple(fields.values())
        cls._key_fields = dict(fields)
        cls._attr_fields = {f.attr: f for f in cls._fields}
        cls._setters = {**cls._setters, **cls.__dict__.get("SETTERS", {})}
        cls._defaults = {**cls._defaults, **{f.attr: f.default for f in cls.__dict__.get("FIELDS", ())},
                         **cls.__dict__.get("DEFAULTS", {})}
        cls._missing = {**cls._missing, **{f.attr: f.missing for f in cls.__dict__.get("FIELDS", ())},
                        **cls.__dict__.get("MISSING_DEFAULTS", {})}
        _add_accessors(cls, cls.__dict__.get("FIELDS", ()))

    # ---- construction

    @classmethod
    def _new_with_defaults(cls):
        obj = cls.__new__(cls)
        object.__setattr__(obj, "_extra", {})
        for f in cls._fields:
            object.__setattr__(obj, f.attr, make_default(cls._defaults.get(f.attr)))
        obj._init_state()
        return obj

    def _init_state(self):
        """Hook: non-JSON state (called after defaults are set and after decoding)."""

    def __init__(self, *args, **kwargs):
        fresh = type(self)._new_with_defaults()
        self.__dict__.update(fresh.__dict__)
        if len(args) > len(self.POSITIONAL):
            raise TypeError(f"{type(self).__name__}() takes at most {len(self.POSITIONAL)} positional arguments")
        for name, value in zip(self.POSITIONAL, args):
            self._set(name, value)
        for name, value in kwargs.items():
            self._set(name, value)
        self._on_build()

    @classmethod
    def Builder(cls, *args, **kwargs):  # DL4J's name
        """Mirrors DL4J's ``X.Builder``: fluent setters named as in Java, then ``build()``."""
        return _Builder(cls, args, kwargs)

    @classmethod
    def builder(cls, *args, **kwargs):
        """Mirrors Lombok's ``X.builder()``."""
        return _Builder(cls, args, kwargs)

    @classmethod
    def _builder_args(cls, obj, args):
        names = cls.BUILDER_POSITIONAL if cls.BUILDER_POSITIONAL is not None else cls.POSITIONAL
        if len(args) > len(names):
            if len(names) == 1:  # varargs form, e.g. ConvolutionLayer.Builder(3, 3)
                obj._set(names[0], tuple(args))
                return
            raise TypeError(f"{cls.__name__}.Builder() takes at most {len(names)} arguments")
        for name, value in zip(names, args):
            obj._set(name, value)

    def _set(self, name, value):
        setter = self._setters.get(name)
        if setter is not None:
            setter(self, value)
            return
        field = self._attr_fields.get(name)
        if field is None:
            raise TypeError(f"{type(self).__name__} has no property or builder method {name!r}")
        setattr(self, field.attr, field.codec.coerce(value))

    def _on_build(self):
        """Hook run by the keyword constructor and ``Builder.build()`` (DL4J's builder constructor work)."""

    # ---- JSON

    @classmethod
    def _from_tree(cls, raw: dict, where=None):
        obj = cls.__new__(cls)
        object.__setattr__(obj, "_extra", {})
        for f in cls._fields:
            if f.key in raw:
                value = f.codec.decode(raw[f.key], where)
            else:
                value = make_default(cls._missing.get(f.attr))
            object.__setattr__(obj, f.attr, value)
        type_key = cls._registry.type_key if cls._registry else "@class"
        for key, value in raw.items():
            if key not in cls._key_fields and key != type_key and key not in cls._ignored_keys():
                obj._extra[key] = copy.deepcopy(value)
        obj._init_state()
        obj._after_decode(raw, where)
        return obj

    @classmethod
    def _ignored_keys(cls):
        """Keys DL4J writes from read-only getters and ignores on input."""
        return ()

    def _after_decode(self, raw, where):
        """Hook: fix-ups after decoding."""

    def _extra_tree_items(self):
        """Hook: computed (read-only) properties to write, as (key, json value) pairs."""
        return ()

    def _to_tree(self) -> dict:
        items = {f.key: f.codec.encode(getattr(self, f.attr)) for f in self._fields}
        items.update(self._extra_tree_items())
        items.update(self._extra)
        tree = {}
        if self.WRITE_TYPE and self.dl4jClass:
            tree[self._registry.type_key if self._registry else "@class"] = self.dl4jClass
        order = list(self.KEY_ORDER or ())
        for key in order:
            if key in items:
                tree[key] = items.pop(key)
        for key in sorted(items):
            tree[key] = items[key]
        return tree

    def toJson(self) -> str:
        """DL4J's JSON text of this object (Jackson pretty-printed, keys in Jackson's order)."""
        return jsonio.dumps(self._to_tree())

    # ---- misc

    def clone(self):
        """Deep copy (mirrors DL4J's ``clone()``)."""
        return copy.deepcopy(self)

    def _state(self):
        return [getattr(self, f.attr) for f in self._fields] + [self._extra]

    def __eq__(self, other):
        if type(other) is not type(self):
            return NotImplemented
        return values_equal(self._state(), other._state())

    def __hash__(self):
        return hash(type(self).__name__)

    def __repr__(self):
        parts = []
        for f in self._fields:
            value = getattr(self, f.attr)
            if not values_equal(value, make_default(self._missing.get(f.attr))):
                if isinstance(value, enum.Enum):
                    value = value.name
                parts.append(f"{f.attr}={value!r}")
        return f"{type(self).__name__}({', '.join(parts)})"

    @property
    def unknownProperties(self) -> dict:
        """JSON keys this class does not model; kept and written back unchanged."""
        return self._extra


def yaml_type_key(class_name: str) -> str:
    """The JSON key a YAML tag ``!<class>`` stands for: ``"type"`` for the classes whose type id DL4J writes under
    that name (distributions, FineTuneConfiguration), ``"@class"`` otherwise."""
    return DISTRIBUTIONS.type_key if class_name in DISTRIBUTIONS or class_name.endswith(".FineTuneConfiguration") \
        else "@class"
