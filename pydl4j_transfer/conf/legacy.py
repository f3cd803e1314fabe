"""Upgraders for pre-1.0 configuration JSON (DL4J 0.5 ... 1.0.0-alpha).

Mirrors what M2.1's ``serde/legacy/LegacyJsonFormat`` (wrapper-style type ids such as
``{"dense": {...}}`` instead of ``"@class"``) and ``BaseNetConfigDeserializer`` (0.x per-layer
training fields: ``updater`` + ``learningRate``/``momentum``/..., ``l1``/``l2``, ``weightInit``
+ ``dist``, ``activationFunction``, ``lossFunction``, ``dropOut``) do. The result is the modern
object model; the consumed legacy keys are dropped, so it is written back as M2.1 JSON.
Works on the raw JSON tree before decoding; modern JSON passes through unchanged.
"""

from __future__ import annotations

import math

from pydl4j_transfer.errors import MalformedConfigError, UnsupportedLayerError
from .base import LAYERS, UPDATERS
from .base import DISTRIBUTIONS
from .enums import WeightInit
from .values.weightinit import WeightInitDistribution
from .values.regularization import L1Regularization, WeightDecay
from .enums import Activation, LossFunctions
from .values.dropout import Dropout
from .values.weightnoise_compat import drop_connect

_L = "org.deeplearning4j.nn.conf.layers."
_G = "org.deeplearning4j.nn.conf.graph."
_P = "org.deeplearning4j.nn.conf.preprocessor."
_A = "org.nd4j.linalg.activations.impl."
_LF = "org.nd4j.linalg.lossfunctions.impl."
_D = "org.deeplearning4j.nn.conf.distribution."

LEGACY_LAYER_NAMES = {
    "dense": _L + "DenseLayer", "output": _L + "OutputLayer", "rnnoutput": _L + "RnnOutputLayer", "loss": _L + "LossLayer",
    "convolution": _L + "ConvolutionLayer", "convolution1d": _L + "Convolution1DLayer", "subsampling": _L + "SubsamplingLayer",
    "subsampling1d": _L + "Subsampling1DLayer", "batchNormalization": _L + "BatchNormalization",
    "localResponseNormalization": _L + "LocalResponseNormalization", "embedding": _L + "EmbeddingLayer",
    "activation": _L + "ActivationLayer", "dropout": _L + "DropoutLayer", "GlobalPooling": _L + "GlobalPoolingLayer",
    "zeroPadding": _L + "ZeroPaddingLayer", "zeroPadding1d": _L + "ZeroPadding1DLayer", "gravesLSTM": _L + "GravesLSTM",
    "LSTM": _L + "LSTM", "gravesBidirectionalLSTM": _L + "GravesBidirectionalLSTM", "autoEncoder": _L + "AutoEncoder",
    "VariationalAutoencoder": _L + "variational.VariationalAutoencoder", "CenterLossOutputLayer": _L + "CenterLossOutputLayer",
    "FrozenLayer": _L + "misc.FrozenLayer", "Upsampling2D": _L + "Upsampling2D", "Yolo2OutputLayer": _L + "objdetect.Yolo2OutputLayer",
    "RnnLossLayer": _L + "RnnLossLayer", "CnnLossLayer": _L + "CnnLossLayer", "Bidirectional": _L + "recurrent.Bidirectional",
    "SimpleRnn": _L + "recurrent.SimpleRnn", "ElementWiseMult": _L + "misc.ElementWiseMultiplicationLayer",
    "MaskLayer": _L + "util.MaskLayer", "MaskZeroLayer": _L + "util.MaskZeroLayer", "Cropping1D": _L + "convolutional.Cropping1D",
    "Cropping2D": _L + "convolutional.Cropping2D",
}
LEGACY_VERTEX_NAMES = {
    "LayerVertex": _G + "LayerVertex", "MergeVertex": _G + "MergeVertex", "ElementWiseVertex": _G + "ElementWiseVertex",
    "SubsetVertex": _G + "SubsetVertex", "LastTimeStepVertex": _G + "rnn.LastTimeStepVertex",
    "DuplicateToTimeSeriesVertex": _G + "rnn.DuplicateToTimeSeriesVertex", "PreprocessorVertex": _G + "PreprocessorVertex",
    "ScaleVertex": _G + "ScaleVertex", "ShiftVertex": _G + "ShiftVertex", "StackVertex": _G + "StackVertex",
    "UnstackVertex": _G + "UnstackVertex", "L2Vertex": _G + "L2Vertex", "L2NormalizeVertex": _G + "L2NormalizeVertex",
    "PoolHelperVertex": _G + "PoolHelperVertex", "ReshapeVertex": _G + "ReshapeVertex", "FrozenVertex": _G + "FrozenVertex",
    "ReverseTimeSeriesVertex": _G + "rnn.ReverseTimeSeriesVertex",
}
LEGACY_ACTIVATION_NAMES = {
    "Cube": "ActivationCube", "ELU": "ActivationELU", "HardSigmoid": "ActivationHardSigmoid", "HardTanh": "ActivationHardTanH",
    "Identity": "ActivationIdentity", "LReLU": "ActivationLReLU", "RationalTanh": "ActivationRationalTanh",
    "RectifiedTanh": "ActivationRectifiedTanh", "ReLU": "ActivationReLU", "SELU": "ActivationSELU", "SWISH": "ActivationSwish",
    "RReLU": "ActivationRReLU", "Sigmoid": "ActivationSigmoid", "SoftPlus": "ActivationSoftPlus", "SoftSign": "ActivationSoftSign",
    "Softmax": "ActivationSoftmax", "TanH": "ActivationTanH",
}
LEGACY_LOSS_NAMES = {
    "BinaryXENT": "LossBinaryXENT", "CosineProximity": "LossCosineProximity", "Hinge": "LossHinge", "KLD": "LossKLD",
    "MAE": "LossMAE", "L1": "LossL1", "L2": "LossL2", "MAPE": "LossMAPE", "MCXENT": "LossMCXENT", "MSE": "LossMSE",
    "MSLE": "LossMSLE", "NegativeLogLikelihood": "LossNegativeLogLikelihood", "Poisson": "LossPoisson",
    "SquaredHinge": "LossSquaredHinge", "FMeasure": "LossFMeasure",
}
LEGACY_PREPROCESSOR_NAMES = {
    "cnnToFeedForward": _P + "CnnToFeedForwardPreProcessor", "feedForwardToCnn": _P + "FeedForwardToCnnPreProcessor",
    "feedForwardToRnn": _P + "FeedForwardToRnnPreProcessor", "rnnToFeedForward": _P + "RnnToFeedForwardPreProcessor",
    "cnnToRnn": _P + "CnnToRnnPreProcessor", "rnnToCnn": _P + "RnnToCnnPreProcessor",
    "composableInput": _P + "ComposableInputPreProcessor",
}
LEGACY_DISTRIBUTION_NAMES = {
    "normal": "NormalDistribution", "gaussian": "GaussianDistribution", "uniform": "UniformDistribution",
    "binomial": "BinomialDistribution", "constant": "ConstantDistribution", "logNormal": "LogNormalDistribution",
    "orthogonal": "OrthogonalDistribution", "truncatedNormal": "TruncatedNormalDistribution",
}

# 0.x keys that the modern classes do not have; consumed (or ignored) by the upgrade.
LEGACY_LAYER_KEYS = ("activationFunction", "adamMeanDecay", "adamVarDecay", "biasL1", "biasL2", "biasLearningRate", "dist",
                     "dropOut", "epsilon", "l1", "l1Bias", "l2", "l2Bias", "learningRate", "learningRateSchedule",
                     "lossFunction", "momentum", "momentumSchedule", "rho", "rmsDecay", "updater", "weightInit",
                     "learningRatePolicy", "lrScoreBasedDecay", "customLossFunction")
LEGACY_CONF_KEYS = ("extraArgs", "l1ByParam", "l2ByParam", "learningRateByParam", "leakyreluAlpha", "learningRatePolicy",
                    "lrPolicyDecayRate", "lrPolicyPower", "lrPolicySteps", "numIterations", "useDropConnect",
                    "useRegularization", "pretrain", "lrPolicy")
LEGACY_NET_KEYS = ("backprop", "pretrain", "redistributeParams")

_UPDATER_CLASS = {"SGD": "Sgd", "ADAM": "Adam", "ADAMAX": "AdaMax", "ADADELTA": "AdaDelta", "NESTEROVS": "Nesterovs",
                  "NADAM": "Nadam", "ADAGRAD": "AdaGrad", "RMSPROP": "RmsProp", "NONE": "NoOp"}


def _num(v):
    """A legacy numeric field (a number, a numeric string, or null/absent: NaN)."""
    if isinstance(v, str):
        try:
            return float(v)
        except ValueError:
            return math.nan
    if v is None:
        return math.nan
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise MalformedConfigError(f"a legacy numeric field (learningRate, l1, l2, dropOut...) holds {v!r:.60}, "
                                   "not a number")
    return float(v)


def _unwrap(raw, table, prefix="", type_key="@class", what="class", where=None):
    """{"name": {...}} -> {"@class": FQN, ...}; modern objects pass through."""
    if not isinstance(raw, dict) or type_key in raw or len(raw) != 1:
        return raw
    (name, body), = raw.items()
    if not isinstance(body, dict):
        return raw
    fqn = table.get(name)
    if fqn is None:
        raise UnsupportedLayerError(name, where, what=f"legacy {what}")
    return {type_key: prefix + fqn, **body}


def is_legacy_layer(raw) -> bool:
    return isinstance(raw, dict) and "@class" not in raw and len(raw) == 1


def _upgrade_values(layer, where):
    """Nested value objects of one layer (wrapper-style ids -> @class)."""
    if isinstance(layer.get("activationFn"), dict):
        layer["activationFn"] = _unwrap(layer["activationFn"], LEGACY_ACTIVATION_NAMES, _A, what="activation", where=where)
    if isinstance(layer.get("gateActivationFn"), dict):
        layer["gateActivationFn"] = _unwrap(layer["gateActivationFn"], LEGACY_ACTIVATION_NAMES, _A, what="activation", where=where)
    if isinstance(layer.get("lossFn"), dict):
        layer["lossFn"] = _unwrap(layer["lossFn"], LEGACY_LOSS_NAMES, _LF, what="loss function", where=where)
    for key in ("layer", "underlying", "fwd", "bwd"):
        if isinstance(layer.get(key), dict):
            layer[key] = upgrade_layer(layer[key], where)


def _legacy_updater(layer):

    name = layer.get("updater")
    if not isinstance(name, str) or name not in _UPDATER_CLASS:
        return None
    cls = UPDATERS.lookup("org.nd4j.linalg.learning.config." + _UPDATER_CLASS[name])
    upd = cls()
    lr = _num(layer.get("learningRate"))
    fields = {"learningRate": lr, "momentum": _num(layer.get("momentum")), "beta1": _num(layer.get("adamMeanDecay")),
              "beta2": _num(layer.get("adamVarDecay")), "rho": _num(layer.get("rho")), "rmsDecay": _num(layer.get("rmsDecay")),
              "epsilon": _num(layer.get("epsilon"))}
    for attr, value in fields.items():
        if attr in upd._attr_fields and not math.isnan(value):
            setattr(upd, attr, value)
    return upd


def _legacy_weight_init(layer, where):

    name = layer.get("weightInit")
    if not isinstance(name, str):
        return None
    if name == "DISTRIBUTION":
        dist = _unwrap(layer.get("dist"), {k: _D + v for k, v in LEGACY_DISTRIBUTION_NAMES.items()}, type_key="type",
                       what="distribution", where=where)
        return WeightInitDistribution(DISTRIBUTIONS.decode(dist, where)) if dist else None
    return WeightInit.of(name).getWeightInitFunction()


def _reg_list(l1, l2):
    """BaseNetConfigDeserializer.handleL1L2BackwardCompatibility: l1 -> L1Regularization, l2 -> WeightDecay(l2, false).

    DL4J maps a legacy ``l2`` (and ``l2Bias``) to a non-LR WeightDecay, "to match behaviour in 1.0.0-beta3"
    (pinned by DL4J's RegressionTest050..080 ``assertEquals(new WeightDecay(0.2, false), ...)``).
    """

    out = []
    if not math.isnan(l1) and l1 > 0:
        out.append(L1Regularization(l1)._to_tree())
    if not math.isnan(l2) and l2 > 0:
        out.append(WeightDecay(l2, False)._to_tree())
    return out


def _upgrade_training_fields(layer, conf, where):
    """BaseNetConfigDeserializer: 0.x per-layer fields -> modern objects (only where the modern one is absent)."""

    if layer.get("iupdater") is None and "updater" in layer:
        upd = _legacy_updater(layer)
        if upd is not None:
            layer["iupdater"] = upd._to_tree()
            blr = _num(layer.get("biasLearningRate"))
            if not math.isnan(blr) and "learningRate" in upd._attr_fields and blr != upd.learningRate:
                bias = upd.clone()
                bias.learningRate = blr
                layer["biasUpdater"] = bias._to_tree()
    if layer.get("regularization") is None and any(k in layer for k in ("l1", "l2", "l1Bias", "l2Bias", "biasL1", "biasL2")):
        use_reg = conf.get("useRegularization", True) if isinstance(conf, dict) else True
        if use_reg is not False:
            layer["regularization"] = _reg_list(_num(layer.get("l1")), _num(layer.get("l2")))
            layer["regularizationBias"] = _reg_list(_num(layer.get("l1Bias", layer.get("biasL1"))),
                                                    _num(layer.get("l2Bias", layer.get("biasL2"))))
        else:
            layer["regularization"], layer["regularizationBias"] = [], []
    if layer.get("weightInitFn") is None and "weightInit" in layer:
        wi = _legacy_weight_init(layer, where)
        if wi is not None:
            layer["weightInitFn"] = wi._to_tree()
    if layer.get("activationFn") is None and isinstance(layer.get("activationFunction"), str):
        layer["activationFn"] = Activation.of(layer["activationFunction"]).getActivationFunction()._to_tree()
    if (layer.get("lossFn") is None and isinstance(layer.get("lossFunction"), str)
            and not str(layer.get("@class", "")).endswith(("AutoEncoder", "VariationalAutoencoder"))):
        try:
            layer["lossFn"] = LossFunctions.LossFunction.of(layer["lossFunction"]).getILossFunction()._to_tree()
        except Exception:  # noqa: BLE001 - AutoEncoder keeps its enum 'lossFunction'
            pass
    if layer.get("idropout") is None and "dropOut" in layer:
        p = _num(layer.get("dropOut"))
        if not math.isnan(p) and p > 0.0:
            if isinstance(conf, dict) and conf.get("useDropConnect"):
                layer.setdefault("weightNoise", drop_connect(p))
            else:
                layer["idropout"] = Dropout(p)._to_tree()


def upgrade_layer(raw, where=None, conf=None):
    """One layer object (wrapper-style or modern with 0.x fields) -> modern layer JSON."""
    if not isinstance(raw, dict):
        return raw
    layer = dict(_unwrap(raw, LEGACY_LAYER_NAMES, what="layer", where=where))
    was_legacy = layer is not raw and "@class" not in raw
    where = layer.get("layerName") or where
    _upgrade_values(layer, where)
    cls_name = str(layer.get("@class", ""))
    if _is_samediff(layer, cls_name) and not was_legacy:
        return layer  # SameDiff layers (1.0.0-beta4+) are modern: their "updater"/"weightInit" are not 0.x keys
    if (any(k in layer for k in ("updater", "learningRate", "activationFunction", "weightInit", "dropOut", "l1", "l2"))
            or was_legacy):
        _upgrade_training_fields(layer, conf, where)
    cls_name = str(layer.get("@class", ""))
    if cls_name.endswith(("Upsampling2D", "Upsampling1D")) and isinstance(layer.get("size"), int):
        layer["size"] = [layer["size"], layer["size"]]  # <= 1.0.0-alpha: int size (DL4J's legacy handling)
    keep_loss_enum = cls_name.endswith(("AutoEncoder", "VariationalAutoencoder"))
    for key in LEGACY_LAYER_KEYS:
        if key == "lossFunction" and keep_loss_enum:
            continue
        layer.pop(key, None)
    return layer


def _is_samediff(layer, cls_name) -> bool:
    """A SameDiff layer's JSON (DL4J always writes its ``layerParams``; a registered class tells too)."""
    if "layerParams" in layer:
        return True
    return cls_name in LAYERS and hasattr(LAYERS.lookup(cls_name), "getLayerParams")


def upgrade_conf(conf, where=None):
    """One NeuralNetConfiguration object."""
    if not isinstance(conf, dict):
        return conf
    conf = dict(conf)
    if isinstance(conf.get("layer"), dict):
        conf["layer"] = upgrade_layer(conf["layer"], where, conf)
    for key in LEGACY_CONF_KEYS:
        conf.pop(key, None)
    return conf


def _upgrade_preprocessor(raw, where=None):
    pre = _unwrap(raw, LEGACY_PREPROCESSOR_NAMES, what="input preprocessor", where=where)
    if isinstance(pre, dict) and isinstance(pre.get("inputPreProcessors"), list):
        pre = dict(pre)
        pre["inputPreProcessors"] = [_upgrade_preprocessor(p, where) for p in pre["inputPreProcessors"]]
    return pre


def upgrade_multilayer(tree):
    """MultiLayerConfiguration JSON tree (any version) -> modern tree."""
    tree = dict(tree)
    tree["confs"] = [upgrade_conf(c, f"layer {i}") for i, c in enumerate(tree["confs"])]
    if isinstance(tree.get("inputPreProcessors"), dict):
        tree["inputPreProcessors"] = {k: _upgrade_preprocessor(v, f"preprocessor of layer {k}")
                                      for k, v in tree["inputPreProcessors"].items()}
    for key in LEGACY_NET_KEYS:
        tree.pop(key, None)
    return tree


def upgrade_graph(tree):
    """ComputationGraphConfiguration JSON tree (any version) -> modern tree."""
    tree = dict(tree)
    vertices = {}
    for name, raw in tree["vertices"].items():
        v = _unwrap(raw, LEGACY_VERTEX_NAMES, what="graph vertex", where=name)
        if isinstance(v, dict):
            v = dict(v)
            if isinstance(v.get("layerConf"), dict):
                v["layerConf"] = upgrade_conf(v["layerConf"], name)
            if v.get("preProcessor") is not None:
                v["preProcessor"] = _upgrade_preprocessor(v["preProcessor"], name)
            if isinstance(v.get("underlying"), dict) and "layerConf" not in v:
                v["underlying"] = _unwrap(v["underlying"], LEGACY_VERTEX_NAMES, what="graph vertex", where=name)
        vertices[name] = v
    tree["vertices"] = vertices
    if isinstance(tree.get("defaultConfiguration"), dict):
        tree["defaultConfiguration"] = upgrade_conf(tree["defaultConfiguration"])
    for key in LEGACY_NET_KEYS:
        tree.pop(key, None)
    return tree
