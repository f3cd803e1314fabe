"""Structural checks of a decoded network configuration, run when it is loaded (``fromJson``).

Not a DL4J class: DL4J's ``GraphBuilder#validate`` runs when a graph is *built*; a configuration read from
JSON is trusted and fails later (a ``NullPointerException`` in ``init()``, a ``KeyError`` here in
``output()``). These checks refuse it at load, naming the layer or vertex, with ``InvalidConfigurationError``:

* a MultiLayerConfiguration: at least one layer; every ``confs[i]`` holds a layer; preprocessor indices
  name layers;
* a ComputationGraphConfiguration: inputs, unique names, every vertex's inputs known (no dangling
  input), every output a vertex, no cycle, a stored ``topologicalOrder`` that is a valid order of this
  graph; every LayerVertex holds a layer, every FrozenVertex a vertex;
* every layer (wrappers unwrapped, to any depth): an inner layer where a wrapper needs one, integer fields
  that are non-negative integers where the layer's parameters depend on them, parameter shapes that can be
  computed (``nIn``/``nOut``/``kernelSize``... present and of the right JSON type), an updater for every
  parameter.

The checks read only the decoded objects (no torch, no Java) and cost microseconds per layer.
"""

from __future__ import annotations

from pydl4j_transfer.errors import InvalidConfigurationError, MalformedConfigError, Pydl4jTransferError

from .base import LAYERS, VERTICES, ArrayCodec, ConfObject, PolyCodec, _Int

__all__ = ["validate_multilayer", "validate_graph", "check_layer", "PROBE_ERRORS", "typed_decoding"]

#: What a configuration missing a field (or holding one of the wrong JSON type) makes Python raise when the
#: layer's parameter shapes or variables are computed; turned into InvalidConfigurationError naming the layer.
PROBE_ERRORS = (AttributeError, TypeError, KeyError, IndexError, ValueError, OverflowError, ZeroDivisionError,
                RecursionError)
_MAX_WRAPPER_DEPTH = 16


def typed_decoding(fn):
    """Wrap a ``fromJson``: anything Python itself raises while a damaged configuration is decoded (a dict where
    a number belongs, ...) becomes ``MalformedConfigError`` naming configuration.json, the Python exception kept
    as ``__cause__``. The checks of this module and the codecs raise the specific errors first; this is the
    last resort, so that no input ends in a bare TypeError."""
    import functools

    @functools.wraps(fn)
    def wrapper(text):
        try:
            return fn(text)
        except Pydl4jTransferError:
            raise
        except PROBE_ERRORS as exc:
            err = MalformedConfigError(f"the configuration cannot be decoded ({type(exc).__name__}: {str(exc)[:200]}); "
                                       "it is damaged or not a DL4J configuration", "configuration.json")
            raise err from exc
    return wrapper


def _fail(where: str, message: str, cause: BaseException | None = None) -> InvalidConfigurationError:
    err = InvalidConfigurationError(f"{where}: {message}")
    err.__cause__ = cause
    err.__suppress_context__ = True
    return err


def _inner_layer_fields(obj: ConfObject):
    """(attribute, value) of every field holding a nested layer (wrappers: FrozenLayer, Bidirectional...)."""
    for f in obj._fields:
        if isinstance(f.codec, PolyCodec) and f.codec.registry is LAYERS:
            yield f.attr, getattr(obj, f.attr, None)


def _check_ints(obj: ConfObject, where: str) -> None:
    """Integer fields (and integer arrays) hold non-negative numbers; negative sizes are never valid in a
    layer (DL4J's builders refuse them), and they would make parameter shapes negative."""
    for f in obj._fields:
        value = getattr(obj, f.attr, None)
        if value is None:
            continue
        if isinstance(f.codec, _Int) and f.attr not in ("seed",) and value < 0 and f.attr in _SIZE_FIELDS:
            raise _fail(where, f"{f.key} is {value}; it must be a non-negative integer")
        if isinstance(f.codec, ArrayCodec) and isinstance(f.codec.item, _Int) and f.attr in _SIZE_FIELDS:
            if not isinstance(value, list) or any(v is None or v < 0 for v in value):
                raise _fail(where, f"{f.key} is {value!r:.80}; it must be a list of non-negative integers")


#: Fields whose value sizes parameters or outputs (negative values are refused).
_SIZE_FIELDS = frozenset({
    "nIn", "nOut", "kernelSize", "stride", "padding", "dilation", "size", "numClasses", "nLabels",
    "depthMultiplier", "blockSize", "inputSize", "outputSize", "nFilters", "numFilters", "units",
})


def check_layer(layer, where: str, depth: int = 0) -> None:
    """One layer (and the layers it wraps): present, sized, parameter shapes computable, updaters set."""
    if layer is None:
        raise _fail(where, "the layer is missing (null); the configuration is incomplete")
    if not isinstance(layer, ConfObject):
        raise _fail(where, f"expected a layer object, found {type(layer).__name__}")
    if depth > _MAX_WRAPPER_DEPTH:
        raise _fail(where, f"layers wrapped more than {_MAX_WRAPPER_DEPTH} deep")
    cls = type(layer).__name__
    for attr, inner in _inner_layer_fields(layer):
        if inner is None:
            raise _fail(where, f"{cls} wraps no layer ('{attr}' is missing or null)")
        check_layer(inner, f"{where} ({cls}.{attr})", depth + 1)
    _check_ints(layer, where)
    try:
        specs = layer.paramSpecs()
        keys = list(layer.variables())
        updaters = {s.key: layer.getUpdaterByParam(s.key) for s in specs}
    except Pydl4jTransferError:
        raise
    except PROBE_ERRORS as exc:
        raise _fail(where, f"{cls}'s parameters cannot be laid out ({type(exc).__name__}: {exc}); a required "
                           "field (nIn, nOut, kernelSize...) is missing, null or of the wrong JSON type", exc) from None
    del keys
    for spec in specs:
        shape = tuple(spec.shape)
        if not all(isinstance(d, int) and d >= 0 for d in shape):
            raise _fail(where, f"{cls} parameter {spec.key!r} would have shape {list(shape)}; check nIn/nOut and the "
                               "kernel sizes")
        updater = updaters.get(spec.key)
        # DL4J leaves the innermost layer of nested wrappers without an updater (Bidirectional(LastTimeStep(
        # SimpleRnn)), as its Keras import builds it): null is valid there (no updater state); a plain layer
        # always has one
        nested = depth > 0 or any(True for _ in _inner_layer_fields(layer))
        if (updater is None and not nested) or (updater is not None and not hasattr(updater, "stateSize")):
            raise _fail(where, f"{cls} parameter {spec.key!r} has no updater ('iUpdater' is missing or null)")


def _check_variables(nnc, where: str) -> None:
    """``variables`` (the parameter names DL4J's init records) is a list of strings; null makes DL4J's init
    fail with a NullPointerException."""
    variables = getattr(nnc, "variables", [])
    if not isinstance(variables, list) or not all(isinstance(v, str) for v in variables):
        raise _fail(where, f"'variables' is {variables!r:.60}; it must be a list of parameter names")


def validate_multilayer(conf) -> None:
    """The MultiLayerConfiguration checks of the module docstring."""
    if not conf.confs:
        raise InvalidConfigurationError("the MultiLayerConfiguration has no layers ('confs' is empty); DL4J "
                                        "refuses to build such a network")
    for i, c in enumerate(conf.confs):
        layer = getattr(c, "layer", None)
        name = getattr(layer, "layerName", None) if layer is not None else None
        where = f"layer {i}" + (f" ({name!r})" if name else "")
        _check_variables(c, where)
        check_layer(layer, where)
    for idx in conf.inputPreProcessors or {}:
        if not 0 <= idx < len(conf.confs):
            raise InvalidConfigurationError(f"inputPreProcessors has an entry for layer {idx}, but the network has "
                                            f"layers 0..{len(conf.confs) - 1}")


def _check_vertex(vertex, where: str, depth: int = 0) -> None:
    if vertex is None:
        raise _fail(where, "the vertex is missing (null)")
    if depth > _MAX_WRAPPER_DEPTH:
        raise _fail(where, f"vertices wrapped more than {_MAX_WRAPPER_DEPTH} deep")
    cls = type(vertex).__name__
    if cls == "LayerVertex":
        if vertex.layerConf is None:
            raise _fail(where, "LayerVertex has no 'layerConf'")
        _check_variables(vertex.layerConf, where)
        check_layer(vertex.layerConf.layer, where)
        return
    for f in vertex._fields:
        if isinstance(f.codec, PolyCodec) and f.codec.registry is VERTICES:
            inner = getattr(vertex, f.attr, None)
            if inner is None:
                raise _fail(where, f"{cls} wraps no vertex ('{f.attr}' is missing or null)")
            _check_vertex(inner, f"{where} ({cls}.{f.attr})", depth + 1)
    try:
        specs = vertex.paramSpecs()
    except Pydl4jTransferError:
        raise
    except PROBE_ERRORS as exc:
        raise _fail(where, f"{cls}'s parameters cannot be laid out ({type(exc).__name__}: {exc})", exc) from None
    for spec in specs:
        if not all(isinstance(d, int) and d >= 0 for d in tuple(spec.shape)):
            raise _fail(where, f"{cls} parameter {spec.key!r} would have shape {list(spec.shape)}")


def _kahn(names: list[str], inputs: dict[str, list[str]]) -> list[str]:
    """A topological order of ``names`` (inputs first), or the vertices left on a cycle in the error."""
    indegree = {n: len(set(inputs.get(n, ()))) for n in names}
    consumers: dict[str, list[str]] = {}
    for n in names:
        for src in set(inputs.get(n, ())):
            consumers.setdefault(src, []).append(n)
    ready = [n for n in names if indegree[n] == 0]
    order = []
    while ready:
        n = ready.pop()
        order.append(n)
        for c in consumers.get(n, ()):
            indegree[c] -= 1
            if indegree[c] == 0:
                ready.append(c)
    if len(order) != len(names):
        stuck = sorted(n for n in names if indegree[n] > 0)
        raise InvalidConfigurationError(f"the graph has a cycle through vertices {stuck[:8]}; a "
                                        "ComputationGraph must be acyclic")
    return order


def validate_graph(conf) -> None:
    """The ComputationGraphConfiguration checks of the module docstring."""
    inputs = list(conf.networkInputs or [])
    vertices = conf.vertices or {}
    if not inputs:
        raise InvalidConfigurationError("the graph has no network inputs ('networkInputs' is empty)")
    if len(set(inputs)) != len(inputs):
        raise InvalidConfigurationError(f"networkInputs names an input twice: {inputs}")
    if not vertices:
        raise InvalidConfigurationError("the graph has no vertices ('vertices' is empty)")
    for name in inputs:
        if name in vertices:
            raise InvalidConfigurationError(f"{name!r} is both a network input and a vertex")
    known = set(inputs) | set(vertices)
    vertex_inputs = conf.vertexInputs or {}
    for name, ins in vertex_inputs.items():
        if name not in vertices:
            raise InvalidConfigurationError(f"vertexInputs has an entry for {name!r}, which is not a vertex")
        for src in ins or ():
            if src not in known:
                raise InvalidConfigurationError(f"vertex {name!r} has input {src!r}, which is neither a network "
                                                "input nor a vertex (a dangling input)")
    for name in vertices:
        if not vertex_inputs.get(name):
            raise InvalidConfigurationError(f"vertex {name!r} has no inputs (no 'vertexInputs' entry)")
    for name in conf.networkOutputs or []:
        if name not in vertices:
            raise InvalidConfigurationError(f"network output {name!r} is not a vertex")
    _kahn(inputs + list(vertices), vertex_inputs)
    if conf.defaultConfiguration is not None:
        _check_variables(conf.defaultConfiguration, "defaultConfiguration")
    for name, vertex in vertices.items():
        _check_vertex(vertex, f"vertex {name!r}")
    stored, stored_str = conf.topologicalOrder, conf.topologicalOrderStr
    if stored is not None and stored_str is not None:
        index = conf.vertexIndices()
        n = len(index)
        if (not all(isinstance(i, int) for i in stored) or not all(isinstance(x, str) for x in stored_str)
                or sorted(stored) != list(range(n)) or len(stored_str) != n):
            raise InvalidConfigurationError(f"the stored topologicalOrder {stored[:12]} is not an order of the "
                                            f"graph's {n} vertices; remove 'topologicalOrder' and "
                                            "'topologicalOrderStr' to have it recomputed")
        names = {i: name for name, i in index.items()}
        if [names[i] for i in stored] != list(stored_str):
            raise InvalidConfigurationError("topologicalOrder and topologicalOrderStr disagree; remove both to "
                                            "have the order recomputed")
        position = {names[i]: k for k, i in enumerate(stored)}
        for name, ins in vertex_inputs.items():
            for src in ins or ():
                if position[src] > position[name]:
                    raise InvalidConfigurationError(f"the stored topologicalOrder puts vertex {name!r} before its "
                                                    f"input {src!r}; remove 'topologicalOrder' and "
                                                    "'topologicalOrderStr' to have it recomputed")
