"""docs/api-porting.md: the Java -> Python table of every DL4J class and method this package mirrors.

Two sources, both introspected, so the table cannot drift:

* the Python side: the ``conf`` registries (every configuration class, its builder setters and
  positional arguments, the enum constants that stand for it) and the public methods of the API
  classes (their signatures: Java overloads become optional or keyword arguments);
* the Java side: ``convert/dl4j_api.json``, a snapshot of DL4J 1.0.0-M2.1's public API
  taken by reflection in the JVM (:func:`java_snapshot`): how each class is built (``new X.Builder()``,
  ``X.builder()``, constructors), its builder methods, and the public methods of the API classes.
  ``tests/cli/test_porting_table.py`` checks the snapshot against the live JVM.

Rendering takes the API classes as arguments (the CLI, layer 4, picks them), so this module needs
only ``conf``.
"""

from __future__ import annotations

import enum
import inspect
import json
import re
from pathlib import Path

from pydl4j_transfer.java_names import class_names, reason as java_reason
from pydl4j_transfer.conf import base as conf_base
from pydl4j_transfer.conf import enums

__all__ = ["java_snapshot", "snapshot_json", "load_java_snapshot", "render_porting_table", "ApiClass"]

# methods every Java object has, never worth a row
_OBJECT_METHODS = {"equals", "hashCode", "toString", "getClass", "notify", "notifyAll", "wait"}
_ENUM_TABLES = (("Activation", enums.ACTIVATION_TABLE), ("WeightInit", enums.WEIGHT_INIT_TABLE),
                ("LossFunctions.LossFunction", enums.LOSS_TABLE))


class ApiClass:
    """One row group of the API table: the Java class, its Python counterpart and how to name it."""

    def __init__(self, java: str, python_name: str, obj, import_name: str | None = None, note: str = "",
                 top_level: bool = True):
        self.java = java  # fully-qualified (nested classes with '$')
        self.python_name = python_name  # how Python code spells it, e.g. "TransferLearning.Builder"
        self.obj = obj
        self.import_name = import_name or python_name.split(".")[0].split("(")[0]
        self.note = note
        self.top_level = top_level  # False: imported from its module (the top-level name is another class)


# ---------------------------------------------------------------------------------------------
# the Java side (needs the JVM)


def _public_methods(jcls) -> dict:
    """{method name: sorted arities} of a java.lang.Class's public methods (Object's left out)."""
    out: dict = {}
    for m in jcls.getMethods():
        name = str(m.getName())
        if name in _OBJECT_METHODS or "$" in name:
            continue
        out.setdefault(name, set()).add(len(m.getParameterTypes()))
    return {k: sorted(v) for k, v in sorted(out.items())}


def _nested_classes(jcls, modifier) -> dict:
    """{simple name: enum constants, or None for a class} of the public member classes a Java program can reach as
    ``Outer.Name`` (declared on the class or inherited from its superclasses), builders left out."""
    out: dict = {}
    k = jcls
    while k is not None and not str(k.getName()).startswith("java."):
        for nested in k.getDeclaredClasses():
            name = str(nested.getSimpleName())
            if not modifier.isPublic(nested.getModifiers()) or name in out or name.endswith("Builder"):
                continue
            out[name] = [str(c.name()) for c in nested.getEnumConstants()] if nested.isEnum() else None
        k = k.getSuperclass()
    return dict(sorted(out.items()))


def _builder_facts(jcls, modifier) -> dict:
    """How DL4J builds a class: Lombok ``builder()``, ``new X.Builder(...)``, constructors; builder methods; the
    class's own public methods and nested classes."""
    facts = {"constructors": sorted({len(k.getParameterTypes()) for k in jcls.getConstructors()}),
             "methods": _public_methods(jcls), "nested": _nested_classes(jcls, modifier)}
    builder_cls = None
    for m in jcls.getMethods():
        if str(m.getName()) == "builder" and not m.getParameterTypes() and modifier.isStatic(m.getModifiers()):
            builder_cls = m.getReturnType()
            facts["static_builder"] = True
    for nested in jcls.getDeclaredClasses():
        if str(nested.getSimpleName()) == "Builder" and modifier.isPublic(nested.getModifiers()):
            arities = sorted({len(k.getParameterTypes()) for k in nested.getConstructors()})
            if arities:
                facts["new_builder"] = arities
                builder_cls = builder_cls or nested
    if builder_cls is not None:
        # Lombok's getX/setX/isX accessors of the builder's fields are not builder calls
        facts["builder_methods"] = sorted(n for n in _public_methods(builder_cls)
                                          if n != "build" and not re.match(r"(get|set|is)[A-Z]", n))
    return facts


def java_snapshot(built_classes, api_classes) -> dict:
    """Reflect DL4J's public API in the JVM: ``{"builders": {fqn: facts}, "api": {fqn: {method: arities}},
    "nested": {fqn: {simple name: enum constants or None}}}``.

    ``built_classes``: configuration "@class" names and zoo model classes (how each is built, its
    builder methods, its public methods and nested classes); ``api_classes``: fully-qualified names ('$' for
    nested classes) whose public methods are listed, ``"<init>"`` holding the public constructors' arities (None:
    the class is not on the classpath of ``java/``, e.g. DataVec's). Starts the JVM.
    """
    from pydl4j_transfer.dl4j_backend import jclass

    class_for_name = jclass("java.lang.Class").forName
    modifier = jclass("java.lang.reflect.Modifier")
    builders = {fqn: _builder_facts(class_for_name(fqn), modifier) for fqn in sorted(built_classes)}
    api, nested = {}, {}
    for fqn in sorted(api_classes):
        try:
            jcls = class_for_name(fqn)
        except Exception:  # noqa: BLE001 - ClassNotFoundException: not on java/'s classpath (e.g. DataVec)
            api[fqn] = None
            continue
        methods = _public_methods(jcls)
        ctors = sorted({len(k.getParameterTypes()) for k in jcls.getConstructors()})
        if ctors:
            methods["<init>"] = ctors
        api[fqn] = methods
        if _nested_classes(jcls, modifier):
            nested[fqn] = _nested_classes(jcls, modifier)
    return {"builders": builders, "api": api, "nested": nested}


#: DL4J 1.0.0-M2.1's public API reflected in the JVM, as package data: {"builders": how each configuration / zoo
#: class is built and its builder's methods, "api": the public methods of the API classes with their arities (null:
#: not on the classpath of java/)}. Regenerate with ``pydl4j-transfer porting-table --java-snapshot FILE`` (needs the
#: JVM); ``tests/cli/test_porting_table.py`` checks it against the live JVM.
SNAPSHOT_PATH = Path(__file__).with_name("dl4j_api.json")


def snapshot_json(snapshot: dict) -> str:
    """The text of ``convert/dl4j_api.json`` for a :func:`java_snapshot` result (deterministic: keys sorted; a list
    of numbers or strings on one line)."""
    text = json.dumps(snapshot, indent=1, sort_keys=True)
    return re.sub(r"\[\n\s*([^\[\]{}]*?)\n\s*\]", lambda m: "[" + re.sub(r",\n\s*", ", ", m.group(1)) + "]", text) + "\n"


def load_java_snapshot() -> dict:
    """The committed snapshot (``{"builders": ..., "api": ...}``)."""
    return json.loads(SNAPSHOT_PATH.read_text(encoding="utf-8"))


# ---------------------------------------------------------------------------------------------
# the Python side


def _code(text: str) -> str:
    return "`" + text.replace("|", "\\|") + "`"


def _default_repr(value) -> str:
    if isinstance(value, enum.Enum):
        return f"{type(value).__name__}.{value.name}"
    text = repr(value)
    return "..." if " at 0x" in text else text


def _signature(func) -> tuple[str, list, list]:
    """(``(a, b=1, *, c=None)`` without annotations, optional names, keyword-only names)."""
    try:
        sig = inspect.signature(func)
    except (TypeError, ValueError):
        return "(...)", [], []
    parts, optional, kwonly, star = [], [], [], False
    for p in sig.parameters.values():
        if p.name in ("self", "cls"):
            continue
        if p.kind is p.VAR_POSITIONAL:
            parts.append(f"*{p.name}")
            star = True
        elif p.kind is p.VAR_KEYWORD:
            parts.append(f"**{p.name}")
        else:
            if p.kind is p.KEYWORD_ONLY and not star:
                parts.append("*")
                star = True
            if p.kind is p.KEYWORD_ONLY:
                kwonly.append(p.name)
            elif p.default is not p.empty:
                optional.append(p.name)
            parts.append(p.name if p.default is p.empty else f"{p.name}={_default_repr(p.default)}")
    return "(" + ", ".join(parts) + ")", optional, kwonly


def _python_members(obj) -> dict:
    """{public name: function or property} of a class (nested classes and constants left out)."""
    out = {}
    for name in dir(obj):
        if name.startswith("_"):
            continue
        raw = inspect.getattr_static(obj, name, None)
        if isinstance(raw, (staticmethod, classmethod)):
            raw = raw.__func__
        if isinstance(raw, property) or inspect.isfunction(raw):
            out[name] = raw
    return out


def _import_line(name: str, obj, exported) -> str:
    if name in exported:
        return f"from pydl4j_transfer import {name}"
    return f"from {obj.__module__} import {name}"


def _enum_aliases(fqn: str) -> list:
    return [f"{enum_name}.{member}" for enum_name, table in _ENUM_TABLES
            for member, (cls, kwargs) in table.items() if cls == fqn and not kwargs]


def _java_form(fqn: str, facts: dict) -> str:
    simple = fqn.rsplit(".", 1)[-1]
    forms = []
    if "new_builder" in facts:
        forms.append(f"new {simple}.Builder({'' if facts['new_builder'] == [0] else '...'})...build()")
    if facts.get("static_builder"):
        forms.append(f"{simple}.builder()...build()")
    ctors = facts.get("constructors", [])
    if 0 in ctors:
        forms.append(f"new {simple}()")
    if any(n > 0 for n in ctors):
        forms.append(f"new {simple}(...)")
    text = " / ".join(_code(f) for f in forms) or "(no public constructor)"
    aliases = _enum_aliases(fqn)
    if aliases:
        text += " or " + ", ".join(_code(a) for a in aliases)
    return text


def _python_form(cls, fqn: str) -> str:
    pos = cls.BUILDER_POSITIONAL if cls.BUILDER_POSITIONAL is not None else cls.POSITIONAL
    name = cls.__name__
    builder = name + ".Builder(" + ", ".join(pos) + ")...build()"
    keywords = name + "(" + "".join(p + ", " for p in cls.POSITIONAL) + "key=value...)"
    text = _code(builder) + " / " + _code(keywords)
    aliases = _enum_aliases(fqn)
    if aliases:
        text += " or " + ", ".join(_code(a) for a in aliases) + " or its name as a string"
    return text


def _reason(cls_or_names, name: str) -> str:
    """What to write instead of the unmirrored Java method ``name`` (java_names.py), or a loud placeholder."""
    names = cls_or_names if isinstance(cls_or_names, (list, tuple)) else class_names(cls_or_names)
    return java_reason(names, name) or NO_REASON


#: what docs/api-porting.md prints for an unmirrored Java method without an entry in java_names.NOT_MIRRORED
#: (tests/cli/test_porting_table.py fails on it)
NO_REASON = "**no reason given: add one to pydl4j_transfer/java_names.py**"


def _conf_section(registry, java_builders: dict, exported, counts: dict) -> list:
    title = f"{registry.kind[0].upper()}{registry.kind[1:]}s"
    out = [f"### {title} ({len(registry)})", "",
           "| DL4J class | Java | Python | builder setters / keyword arguments |", "|---|---|---|---|"]
    java_only: dict = {}
    unmirrored: dict = {}
    for fqn, cls in sorted(registry.items()):
        facts = java_builders.get(fqn)
        setters = sorted(set(cls._setters) | set(cls._attr_fields))
        cell = ", ".join(setters) if setters else "(none)"
        if facts is None:
            java = "(not in the snapshot: regenerate it)"
        else:
            java = _java_form(fqn, facts)
            missing = sorted(set(facts.get("builder_methods", [])) - set(setters))
            if missing:
                cell += "; **Java only**: " + ", ".join(missing)
                for name in missing:
                    java_only.setdefault(name, []).append(cls.__name__)
            methods = [n for n in facts.get("methods", {}) if n not in _OBJECT_METHODS]
            have = [n for n in methods if hasattr(cls, n)]
            counts["conf"][0] += len(have)
            counts["conf"][1] += len(methods)
            for name in sorted(set(methods) - set(have)):
                unmirrored.setdefault(name, []).append(cls)
        python = f"{_code(_import_line(cls.__name__, cls, exported))}<br>{_python_form(cls, fqn)}"
        out.append(f"| `{fqn}` | {java} | {python} | {cell} |")
    out.append("")
    if java_only:
        out += ["*Java only* builder methods, and what to write instead:", ""]
        out += [f"- `{name}` ({_classes(owners)}): {_reason(['Builder'], name)}" for name, owners in sorted(java_only.items())]
        out.append("")
    if unmirrored:
        out += ["Methods of these classes (from DL4J's public API) not mirrored, and what to write instead (DL4J's "
                "getters and setters are generated from the `Field` rows, see [architecture.md](architecture.md)):", ""]
        out += [f"- `{name}` ({_classes([c.__name__ for c in owners])}): {_reason(owners[0], name)}"
                for name, owners in sorted(unmirrored.items())]
        out.append("")
    return out


def _classes(names) -> str:
    names = sorted(set(names))
    return ", ".join(names) if len(names) <= 4 else f"{', '.join(names[:3])} and {len(names) - 3} more"


def _overload_note(java_arities, optional, kwonly) -> str:
    notes = []
    if java_arities and len(java_arities) > 1:
        notes.append("Java overloads with " + "/".join(map(str, java_arities)) + " arguments")
    if optional:
        notes.append("optional: " + ", ".join(optional))
    if kwonly:
        notes.append("keyword-only: " + ", ".join(kwonly))
    return "; ".join(notes)


def _api_section(api: ApiClass, java_api: dict, exported, counts: dict) -> list:
    known = java_api.get(api.java) is not None
    java = java_api.get(api.java) or {}
    members = _python_members(api.obj)
    title = api.java.replace("$", ".")
    out = [f"### {api.python_name}", "",
           f"Java: `{title}`. Python: `{_import_line(api.import_name, api.obj, exported if api.top_level else ())}`"
           + (f". {api.note}" if api.note else "") + ".", "",
           "| Java method | Python | Java overloads -> Python arguments |", "|---|---|---|"]
    if "<init>" in java:
        sig, optional, kwonly = _signature(api.obj.__init__)
        ctor = api.import_name if not api.top_level else api.python_name.split("(")[0]
        java_ctor = api.java.rsplit(".", 1)[-1].replace("$", ".") + ("()" if java["<init>"] == [0] else "(...)")
        out.append(f"| `new {java_ctor}` | {_code(ctor + sig)} | "
                   f"{_overload_note(java.get('<init>'), optional, kwonly)} |")
    names = sorted(n for n in java if n != "<init>" and n in members) if known else sorted(members)
    for name in names:
        member = members[name]
        if isinstance(member, property):
            out.append(f"| `{name}()` | `.{name}` (attribute) | |")
            continue
        sig, optional, kwonly = _signature(member)
        out.append(f"| `{name}` | {_code(name + sig)} | {_overload_note(java.get(name), optional, kwonly)} |")
    out.append("")
    missing = sorted(n for n in java if n != "<init>" and n not in members)
    extra = sorted(n for n in members if n not in java) if known else []
    if known:
        counts["api"][0] += len([n for n in java if n != "<init>" and n in members])
        counts["api"][1] += len([n for n in java if n != "<init>"])
    if not known:
        out += ["The Java class is not on the classpath of `java/` (the facade's jars), so this list is the "
                "Python methods, not checked against DL4J's.", ""]
    if missing:
        out += ["Not mirrored (Java only), and what to write instead:", ""]
        out += [f"- `{n}`: {_reason(api.obj, n)}" for n in missing]
        out.append("")
    if extra:
        out += ["Python only: " + ", ".join(f"`{n}`" for n in extra) + ".", ""]
    return out


def _zoo_section(zoo_classes, java_builders: dict, exported) -> list:
    out = ["### Zoo models", "",
           "Java: `VGG16.builder().numClasses(5).inputShape(new int[]{3, 224, 224}).build()`, then `init()` / "
           "`initPretrained()`. Python: the same chain (`inputShape([3, 224, 224])`); the methods of every zoo "
           "model are those of `ZooModel` above.", "",
           "| DL4J class | Python | builder options |", "|---|---|---|"]
    for cls in zoo_classes:
        fqn = f"org.deeplearning4j.zoo.model.{cls.__name__}"
        options = sorted(cls.OPTIONS)
        cell = ", ".join(options)
        missing = sorted(set(java_builders.get(fqn, {}).get("builder_methods", [])) - set(options))
        if missing:
            cell += "; **Java only**: " + ", ".join(missing)
        out.append(f"| `{fqn}` | `{_import_line(cls.__name__, cls, exported)}` | {cell} |")
    out.append("")
    return out


def render_porting_table(api_classes, zoo_classes, exported, java=None) -> str:
    """docs/api-porting.md for these API classes (:class:`ApiClass`) and zoo model classes.

    ``exported``: the names ``pydl4j_transfer`` exports at the top level (they get the one-line
    import). ``java``: the snapshot (default: the committed one, :func:`load_java_snapshot`).
    """
    if java is None:
        java = load_java_snapshot()
    exported = set(exported)
    out = ["# Porting DL4J code: the Java -> Python table", "",
           "Generated by `pydl4j-transfer porting-table` from the registries, the Python classes and a snapshot",
           "of DL4J 1.0.0-M2.1's public API taken by reflection in the JVM (`pydl4j_transfer/convert/dl4j_api.json`);",
           "do not edit by hand (`tests/test_docs.py` fails when this file and the code disagree).", "",
           "Conventions (shared/design.md): class and method names are DL4J's; where Java has overloads Python",
           "has one method with optional and keyword arguments; every `X.Builder()` also works as `X(key=value)`;",
           "enum constants also accept their names as strings (`activation=\"relu\"`). Which classes run in torch",
           "is in [supported.md](supported.md); the five transfer-learning examples, call by call, are in",
           "[porting.md](porting.md).", "",
           "## Configuration classes", "",
           "Every class of every configuration registry, keyed by the `@class` DL4J writes into",
           "`configuration.json`. *Java only* lists builder methods of DL4J's builder that Python does not take.", ""]
    counts = {"api": [0, 0], "conf": [0, 0]}
    conf_out = []
    for registry in conf_base.ALL_REGISTRIES:
        conf_out += _conf_section(registry, java["builders"], exported, counts)
    api_out = []
    for api in api_classes:
        api_out += _api_section(api, java["api"], exported, counts)
    out[out.index("## Configuration classes"):out.index("## Configuration classes")] = [
        "## Coverage", "",
        f"Java methods mirrored (each public method name of each class, from the snapshot): "
        f"**{counts['api'][0]} of {counts['api'][1]}** on the API classes below, "
        f"**{counts['conf'][0]} of {counts['conf'][1]}** on the configuration classes. Every one that is not",
        "mirrored is listed with what to write instead; calling it raises `NotMirroredError` (an `AttributeError`) "
        "with the same advice",
        "(`pydl4j_transfer/java_names.py`). DL4J's getters and setters of configuration classes (`getNOut()`, "
        "`getIUpdater()`, `isHasBias()`,",
        "`setLayerName(...)`) are generated from their fields; nested enums are attributes of their classes "
        "(`SubsamplingLayer.PoolingType.MAX`,",
        "`ElementWiseVertex.Op.Add`, `ConvolutionLayer.AlgoMode`, `InputType.Type`, `Evaluation.Metric`).", ""]
    out += conf_out
    out += ["## API classes", "",
            "Every public Java method (from the snapshot) next to its Python method (same name) and signature.",
            "*Not mirrored* lists the public Java methods without a Python counterpart; *Python only* the",
            "additions.", ""]
    out += api_out
    out += _zoo_section(zoo_classes, java["builders"], exported)
    return "\n".join(out).rstrip("\n")
