"""The Java side of DL4J's transfer-learning API: the values DL4J's builders take, its builders, its helper.

The one place Java objects for the transfer-learning API are made (``pydl4j_transfer.transfer`` imports
nothing from JPype): configuration objects become Java objects through DL4J's own JSON mapper
(:func:`to_java`), a FineTuneConfiguration through DL4J's Java builder setter for setter
(:func:`ftc_to_java`), InputTypes through DL4J's factory methods. :class:`Dl4jRuntime` replays a recorded
plan on ``TransferLearning.Builder`` / ``GraphBuilder`` with :func:`transfer_builder` (each recorded edit makes
its own Java call with these values), and :class:`Dl4jTransferLearningHelper` wraps DL4J's
``TransferLearningHelper`` for networks on the dl4j backend.
"""

from __future__ import annotations

import numpy as np

from pydl4j_transfer.conf.enums import WeightInit
from pydl4j_transfer.conf.fine_tune import REMOVE, FineTuneConfiguration
from pydl4j_transfer.conf.values.weightinit import WeightInitDistribution

from .arrays import to_indarray, to_numpy
from .jvm import jarray, jclass, jlong, jstring, jstrings

__all__ = ["to_java", "ftc_to_java", "input_type_to_java", "input_types_to_java", "enum", "scheme_args", "jstring",
           "jstrings", "transfer_builder", "to_java_dataset", "Dl4jTransferLearningHelper"]

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
    return jclass(name)


def input_type_to_java(t):
    """An InputType -> DL4J's InputType, through DL4J's own factory methods (InputType has no JSON)."""
    it = _j("org.deeplearning4j.nn.conf.inputs.InputType")
    if t.type == "FF":
        return it.feedForward(jlong(t.size))
    if t.type == "RNN":
        fmt = enum("org.deeplearning4j.nn.conf.RNNFormat", t.format)
        return it.recurrent(jlong(t.size), jlong(t.timeSeriesLength), fmt) if t.timeSeriesLength > 0 else \
            it.recurrent(jlong(t.size), fmt)
    if t.type == "CNN":
        fmt = enum("org.deeplearning4j.nn.conf.CNN2DFormat", t.format)
        return it.convolutional(jlong(t.height), jlong(t.width), jlong(t.channels), fmt)
    if t.type == "CNNFlat":
        return it.convolutionalFlat(jlong(t.height), jlong(t.width), jlong(t.depth))
    fmt = enum("org.deeplearning4j.nn.conf.layers.Convolution3D$DataFormat", t.dataFormat)
    return it.convolutional3D(fmt, jlong(t.depth), jlong(t.height), jlong(t.width), jlong(t.channels))


def to_java(obj, kind):
    """A Python conf object -> the same Java object, through DL4J's own JSON mapper."""
    if obj is None:
        return None
    if kind == "inputtype":
        return input_type_to_java(obj)
    mapper = _j("org.deeplearning4j.nn.conf.NeuralNetConfiguration").mapper()
    return mapper.readValue(obj.toJson(), _j(_IFACES[kind]))


def enum(java_enum, value):
    """The constant of Java enum ``java_enum`` named like ``value`` (one of conf's enums)."""
    return getattr(_j(java_enum), value.name)


def _enum_of(java_enum):
    return lambda value: enum(java_enum, value)


def _long(value):
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


def scheme_args(method: str, *schemes) -> tuple:
    """The Java arguments after (layer, n) of DL4J's nOutReplace / nInReplace overload for these weight inits."""
    if method == "nInReplace":
        (s,) = schemes
        if isinstance(s, WeightInitDistribution):  # nInReplace(layer, nIn, WeightInit.DISTRIBUTION, Distribution)
            return _j("org.deeplearning4j.nn.weights.WeightInit").DISTRIBUTION, to_java(s.distribution, "distribution")
        return (_wi_enum(s),)
    return tuple(_scheme_arg(s) for s in schemes)  # nOutReplace(layer, nOut, scheme, schemeNext)


def _scheme_arg(scheme):
    if isinstance(scheme, WeightInitDistribution):
        return to_java(scheme.distribution, "distribution")
    return _wi_enum(scheme)


def input_types_to_java(types):
    """An InputType[] for DL4J."""
    return jarray(_j(_IFACES["inputtype"]), [input_type_to_java(t) for t in types])


def transfer_builder(java_model, graph: bool):
    """DL4J's ``TransferLearning.Builder(MultiLayerNetwork)`` / ``TransferLearning.GraphBuilder(ComputationGraph)``."""
    cls = "GraphBuilder" if graph else "Builder"
    return _j(f"org.deeplearning4j.nn.transferlearning.TransferLearning${cls}")(java_model)


def to_java_dataset(ds):
    """Our DataSet / MultiDataSet (anything with DL4J's getters) -> ND4J's, arrays in bulk."""
    def ind(a):
        return None if a is None else to_indarray(np.asarray(a))

    if hasattr(ds, "numFeatureArrays"):
        cls = _j("org.nd4j.linalg.api.ndarray.INDArray")

        def arrays(xs):
            return None if xs is None else jarray(cls, [ind(x) for x in xs])

        return _j("org.nd4j.linalg.dataset.MultiDataSet")(
            arrays([ds.getFeatures(i) for i in range(ds.numFeatureArrays())]),
            arrays([ds.getLabels(i) for i in range(ds.numLabelsArrays())]),
            arrays(ds.getFeaturesMaskArrays()), arrays(ds.getLabelsMaskArrays()))
    return _j("org.nd4j.linalg.dataset.DataSet")(ind(ds.getFeatures()), ind(ds.getLabels()),
                                                ind(ds.getFeaturesMaskArray()), ind(ds.getLabelsMaskArray()))


class Dl4jTransferLearningHelper:
    """DL4J's own org.deeplearning4j.nn.transferlearning.TransferLearningHelper on a network in the JVM
    (the dl4j backend's side of :class:`pydl4j_transfer.transfer.TransferLearningHelper`); arrays are numpy."""

    def __init__(self, java_model, graph: bool, names=None, frozen_till=None):
        helper_cls = _j("org.deeplearning4j.nn.transferlearning.TransferLearningHelper")
        if graph:
            self.java = helper_cls(java_model, jstrings(names)) if names else helper_cls(java_model)
        else:
            self.java = helper_cls(java_model, int(frozen_till)) if frozen_till is not None else helper_cls(java_model)

    def featurize(self, ds) -> list:
        """Mirrors featurize(DataSet | MultiDataSet): the featurized feature arrays (numpy)."""
        out = self.java.featurize(to_java_dataset(ds))
        if hasattr(ds, "numFeatureArrays"):
            return [to_numpy(f) for f in out.getFeatures()]
        return [to_numpy(out.getFeatures())]

    def fitFeaturized(self, ds) -> None:
        self.java.fitFeaturized(to_java_dataset(ds))

    def outputFromFeaturized(self, x):
        """One array -> one array; a list -> a list."""
        if isinstance(x, (list, tuple)):
            cls = _j("org.nd4j.linalg.api.ndarray.INDArray")
            outs = self.java.outputFromFeaturized(jarray(cls, [to_indarray(np.asarray(a)) for a in x]))
            return [to_numpy(o) for o in outs]
        return to_numpy(self.java.outputFromFeaturized(to_indarray(np.asarray(x))))

    def unfrozenGraph(self):
        return self.java.unfrozenGraph()

    def unfrozenMLN(self):
        return self.java.unfrozenMLN()
