"""Replay a recorded TransferLearning plan on DL4J's own Java builders (real DL4J through JPype).

This is how the transfer-learning API delegates to real DL4J: ``build()`` on a builder whose
original network has ``backend="dl4j"`` replays the recorded plan here and returns DL4J's result;
the parity tests replay the same plan to compare both executions. Java values are made through
``pydl4j_transfer.dl4j_backend`` (jclass, jlong, jstrings, ...): this module never imports jpype.

``replay(builder)`` takes a :class:`~pydl4j_transfer.transfer.builder.Builder` or ``GraphBuilder``
whose calls were recorded, builds the original network in the JVM from its JSON + params, calls
DL4J's ``TransferLearning.Builder`` / ``GraphBuilder`` with the same calls, and returns the Java
network wrapped as a :class:`~pydl4j_transfer.dl4j_backend.Dl4jModel`.
"""

from __future__ import annotations

from pydl4j_transfer.conf.enums import WeightInit
from pydl4j_transfer.conf.values.weightinit import WeightInitDistribution

from pydl4j_transfer.transfer.fine_tune import REMOVE, FineTuneConfiguration

_IFACES = {
    "layer": "org.deeplearning4j.nn.conf.layers.Layer",
    "vertex": "org.deeplearning4j.nn.conf.graph.GraphVertex",
    "preprocessor": "org.deeplearning4j.nn.conf.InputPreProcessor",
    "activation": "org.nd4j.linalg.activations.IActivation",
    "updater": "org.nd4j.linalg.learning.config.IUpdater",
    "weightinit": "org.deeplearning4j.nn.weights.IWeightInit",
    "dropout": "org.deeplearning4j.nn.conf.dropout.IDropout",
    "weightnoise": "org.deeplearning4j.nn.conf.weightnoise.IWeightNoise",
    "constraint": "org.deeplearning4j.nn.api.layers.LayerConstraint",
    "distribution": "org.deeplearning4j.nn.conf.distribution.Distribution",
    "inputtype": "org.deeplearning4j.nn.conf.inputs.InputType",
}


def _j(name):
    from pydl4j_transfer.dl4j_backend import jclass

    return jclass(name)


def input_type_to_java(t):
    """An InputType -> DL4J's InputType, through DL4J's own factory methods (InputType has no JSON)."""
    from pydl4j_transfer.dl4j_backend import jlong

    it = _j("org.deeplearning4j.nn.conf.inputs.InputType")
    if t.type == "FF":
        return it.feedForward(jlong(t.size))
    if t.type == "RNN":
        fmt = _enum("org.deeplearning4j.nn.conf.RNNFormat", t.format)
        return it.recurrent(jlong(t.size), jlong(t.timeSeriesLength), fmt) if t.timeSeriesLength > 0 else \
            it.recurrent(jlong(t.size), fmt)
    if t.type == "CNN":
        fmt = _enum("org.deeplearning4j.nn.conf.CNN2DFormat", t.format)
        return it.convolutional(jlong(t.height), jlong(t.width), jlong(t.channels), fmt)
    if t.type == "CNNFlat":
        return it.convolutionalFlat(jlong(t.height), jlong(t.width), jlong(t.depth))
    fmt = _enum("org.deeplearning4j.nn.conf.layers.Convolution3D$DataFormat", t.dataFormat)
    return it.convolutional3D(fmt, jlong(t.depth), jlong(t.height), jlong(t.width), jlong(t.channels))


def to_java(obj, kind):
    """A Python conf object -> the same Java object, through DL4J's own JSON mapper."""
    if obj is None:
        return None
    if kind == "inputtype":
        return input_type_to_java(obj)
    mapper = _j("org.deeplearning4j.nn.conf.NeuralNetConfiguration").mapper()
    return mapper.readValue(obj.toJson(), _j(_IFACES[kind]))


def _enum(java_enum, value):
    return getattr(_j(java_enum), value.name)


def _enum_of(java_enum):
    return lambda value: _enum(java_enum, value)


def _long(value):
    from pydl4j_transfer.dl4j_backend import jlong

    return jlong(value)


_WSM = "org.deeplearning4j.nn.conf.WorkspaceMode"
#: FineTuneConfiguration attribute (= DL4J builder method) -> how its value becomes a Java argument.
_FTC_SETTERS = (
    ("updater", lambda v: to_java(v, "updater")),
    ("biasUpdater", lambda v: to_java(v, "updater")),
    ("miniBatch", bool),
    ("maxNumLineSearchIterations", int),
    ("seed", _long),
    ("optimizationAlgo", _enum_of("org.deeplearning4j.nn.api.OptimizationAlgorithm")),
    ("minimize", bool),
    ("gradientNormalization", _enum_of("org.deeplearning4j.nn.conf.GradientNormalization")),
    ("gradientNormalizationThreshold", float),
    ("convolutionMode", _enum_of("org.deeplearning4j.nn.conf.ConvolutionMode")),
    ("cudnnAlgoMode", _enum_of("org.deeplearning4j.nn.conf.layers.ConvolutionLayer$AlgoMode")),
    ("backpropType", _enum_of("org.deeplearning4j.nn.conf.BackpropType")),
    ("tbpttFwdLength", int),
    ("tbpttBackLength", int),
    ("trainingWorkspaceMode", _enum_of(_WSM)),
    ("inferenceWorkspaceMode", _enum_of(_WSM)),
    ("pretrain", bool),
    ("backprop", bool),
)


def ftc_to_java(ftc: FineTuneConfiguration):
    """The same FineTuneConfiguration built with DL4J's Java builder (setter for setter)."""
    b = _j("org.deeplearning4j.nn.transferlearning.FineTuneConfiguration$Builder")()
    if ftc.activationFn is not None:
        b.activation(to_java(ftc.activationFn, "activation"))
    if ftc.weightInitFn is not None:
        b.weightInit(to_java(ftc.weightInitFn, "weightinit"))
    if ftc.biasInit is not None:
        b.biasInit(float(ftc.biasInit))
    for attr, setters in (("regularization", ("l1", "l2", "weightDecay")),
                          ("regularizationBias", ("l1Bias", "l2Bias", "weightDecayBias"))):
        for r in getattr(ftc, attr) or []:
            kind = type(r).__name__
            if kind == "L1Regularization":
                getattr(b, setters[0])(float(r.l1.value if hasattr(r.l1, "value") else r.l1))
            elif kind == "L2Regularization":
                getattr(b, setters[1])(float(r.l2.value if hasattr(r.l2, "value") else r.l2))
            else:
                coeff = r.coeff.value if hasattr(r.coeff, "value") else r.coeff
                getattr(b, setters[2])(float(coeff), bool(r.applyLR))
    for flag, call in (("removeL2", ("l2", 0.0)), ("removeL2Bias", ("l2Bias", 0.0)), ("removeL1Bias", ("l1Bias", 0.0)),
                       ("removeWD", ("weightDecay", 0.0)), ("removeWDBias", ("weightDecayBias", 0.0))):
        if getattr(ftc, flag):
            getattr(b, call[0])(call[1])
    if ftc.dropout is not None:
        b.dropout(None if ftc.dropout is REMOVE else to_java(ftc.dropout, "dropout"))
    if ftc.weightNoise is not None:
        b.weightNoise(None if ftc.weightNoise is REMOVE else to_java(ftc.weightNoise, "weightnoise"))
    for attr, convert in _FTC_SETTERS:  # the plain setters: FTC attribute = Java builder method
        value = getattr(ftc, attr)
        if value is not None:
            getattr(b, attr)(None if value is REMOVE else convert(value))
    if ftc.constraints is not None:
        lst = None
        if ftc.constraints is not REMOVE:
            lst = _j("java.util.ArrayList")()
            for c in ftc.constraints:
                lst.add(to_java(c, "constraint"))
        b.constraints(lst)
    return b.build()


def _wi_enum(scheme):
    """The WeightInit enum constant whose function equals ``scheme`` (for overloads taking the enum)."""
    for member in WeightInit:
        if member.name == "DISTRIBUTION":
            continue
        try:
            if member.getWeightInitFunction() == scheme:
                return _j("org.deeplearning4j.nn.weights.WeightInit").valueOf(member.name)
        except Exception:  # noqa: BLE001 - members needing arguments
            continue
    raise ValueError(f"no WeightInit enum constant for {scheme!r}")


def _scheme_args(scheme):
    if isinstance(scheme, WeightInitDistribution):
        return to_java(scheme.distribution, "distribution")
    return _wi_enum(scheme)


def replay(builder):
    """Run ``builder``'s recorded plan on DL4J's Java builder; returns the built network as a Dl4jModel."""
    from pydl4j_transfer.dl4j_backend import Dl4jModel, jarray, jstring, jstrings

    from pydl4j_transfer.transfer.builder import GraphBuilder

    orig = builder._orig
    jorig = Dl4jModel.fromJson(orig.toJson(), orig.params()).java
    graph = isinstance(builder, GraphBuilder)
    cls = "GraphBuilder" if graph else "Builder"
    jb = _j(f"org.deeplearning4j.nn.transferlearning.TransferLearning${cls}")(jorig)
    String = jstring
    for e in builder.edits:
        m, a = e.method, e.args
        if m == "fineTuneConfiguration":
            jb.fineTuneConfiguration(ftc_to_java(a[0]))
        elif m == "setFeatureExtractor":
            jb.setFeatureExtractor(*a) if graph else jb.setFeatureExtractor(int(a[0]))
        elif m == "nOutReplace":
            target = String(a[0]) if graph else int(a[0])
            jb.nOutReplace(target, int(a[1]), _scheme_args(a[2]), _scheme_args(a[3]))
        elif m == "nInReplace":
            target = String(a[0]) if graph else int(a[0])
            s = a[2]
            if isinstance(s, WeightInitDistribution):
                jb.nInReplace(target, int(a[1]), _wi_enum_distribution(), to_java(s.distribution, "distribution"))
            else:
                jb.nInReplace(target, int(a[1]), _wi_enum(s))
        elif m == "removeOutputLayer":
            jb.removeOutputLayer()
        elif m == "removeLayersFromOutput":
            jb.removeLayersFromOutput(int(a[0]))
        elif m == "addLayer":
            if graph:
                pre = e.kwargs.get("preProcessor")
                ins = jstrings(a[2:])
                if pre is not None:
                    jb.addLayer(a[0], to_java(a[1], "layer"), to_java(pre, "preprocessor"), ins)
                else:
                    jb.addLayer(a[0], to_java(a[1], "layer"), ins)
            else:
                jb.addLayer(to_java(a[0], "layer"))
        elif m == "addVertex":
            jb.addVertex(a[0], to_java(a[1], "vertex"), jstrings(a[2:]))
        elif m == "setInputPreProcessor":
            jb.setInputPreProcessor(int(a[0]), to_java(a[1], "preprocessor"))
        elif m in ("setInputs", "addInputs", "setOutputs", "setFeatureExtractor"):
            getattr(jb, m)(jstrings(a))
        elif m == "setInputTypes":
            getattr(jb, m)(jarray(_j(_IFACES["inputtype"]), [to_java(t, "inputtype") for t in a]))
        elif m == "setWorkspaceMode":
            jb.setWorkspaceMode(_enum("org.deeplearning4j.nn.conf.WorkspaceMode", a[0]))
        elif m == "validateOutputLayerConfig":
            jb.validateOutputLayerConfig(bool(a[0]))
        elif m in ("removeVertexKeepConnections", "removeVertexAndConnections"):
            getattr(jb, m)(a[0])
        else:  # pragma: no cover
            raise ValueError(f"cannot replay {m}")
    return Dl4jModel(jb.build())


def build_in_dl4j(builder):
    """``build()`` for a network on the dl4j backend: DL4J's own builder runs the plan; the result comes
    back as a network object (configuration + params read from DL4J) that keeps running in the JVM."""
    return network_from_java(replay(builder))


def network_from_java(java_model):
    """A network object (configuration + params read from DL4J) that keeps running in the JVM.

    ``java_model``: a Dl4jModel, or a Java MultiLayerNetwork / ComputationGraph."""
    from pydl4j_transfer.dl4j_backend import Dl4jModel
    from pydl4j_transfer.nn import ComputationGraph, MultiLayerNetwork
    from pydl4j_transfer.nn.serializer import CG, network_kind
    from pydl4j_transfer.conf import ComputationGraphConfiguration, MultiLayerConfiguration

    if not isinstance(java_model, Dl4jModel):
        java_model = Dl4jModel(java_model)
    text = java_model.configurationJson()
    graph = network_kind(text) == CG
    conf = (ComputationGraphConfiguration if graph else MultiLayerConfiguration).fromJson(text)
    net = (ComputationGraph if graph else MultiLayerNetwork)(conf, backend="dl4j").init(java_model.params())
    net._dl4j = java_model
    return net


def _wi_enum_distribution():
    return _j("org.deeplearning4j.nn.weights.WeightInit").DISTRIBUTION
