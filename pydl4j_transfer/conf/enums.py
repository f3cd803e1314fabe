"""DL4J's enums, with DL4J's constant names, as plain tables.

``Activation``, ``WeightInit`` and ``LossFunctions.LossFunction`` map to their
IActivation / IWeightInit / ILossFunction objects exactly as DL4J's enums do (tables below,
checked against DL4J 1.0.0-M2.1 in tests/conf/data/enum_mappings.json). Every enum accepts
its names as strings, case-insensitively: ``Activation.of("relu")``.
"""

from __future__ import annotations

import enum

from pydl4j_transfer.errors import InvalidConfigurationError

from .base import ACTIVATIONS, LOSSES, UPDATERS, WEIGHT_INITS, enum_value

_ACT = "org.nd4j.linalg.activations.impl."
_WI = "org.deeplearning4j.nn.weights."
_LOSS = "org.nd4j.linalg.lossfunctions.impl."
_UPD = "org.nd4j.linalg.learning.config."
_LAYERS = "org.deeplearning4j.nn.conf.layers."


#: Java's nested enums -> ours: ``"org...ConvolutionLayer$AlgoMode" -> AlgoMode``. conf/__init__.py makes each an
#: attribute of its outer class (``ConvolutionLayer.AlgoMode``, inherited by ``Convolution2D.AlgoMode`` as in Java);
#: tests/conf/test_getters_dl4j.py checks the list against the nested enums of the Java API snapshot.
NESTED: dict = {}


def _make(name: str, members, doc: str, nested_in: tuple = ()):
    cls = enum.Enum(name, [(m, m) for m in members])
    cls.__doc__ = doc
    cls.of = classmethod(lambda c, value: enum_value(c, value))
    for java in nested_in:
        NESTED[java] = cls
    return cls


# name -> (IActivation @class, constructor kwargs)   (Activation.getActivationFunction)
ACTIVATION_TABLE = {
    "CUBE": (_ACT + "ActivationCube", {}),
    "ELU": (_ACT + "ActivationELU", {}),
    "HARDSIGMOID": (_ACT + "ActivationHardSigmoid", {}),
    "HARDTANH": (_ACT + "ActivationHardTanH", {}),
    "IDENTITY": (_ACT + "ActivationIdentity", {}),
    "LEAKYRELU": (_ACT + "ActivationLReLU", {}),
    "RATIONALTANH": (_ACT + "ActivationRationalTanh", {}),
    "RELU": (_ACT + "ActivationReLU", {}),
    "RELU6": (_ACT + "ActivationReLU6", {}),
    "RRELU": (_ACT + "ActivationRReLU", {}),
    "SIGMOID": (_ACT + "ActivationSigmoid", {}),
    "SOFTMAX": (_ACT + "ActivationSoftmax", {}),
    "SOFTPLUS": (_ACT + "ActivationSoftPlus", {}),
    "SOFTSIGN": (_ACT + "ActivationSoftSign", {}),
    "TANH": (_ACT + "ActivationTanH", {}),
    "RECTIFIEDTANH": (_ACT + "ActivationRectifiedTanh", {}),
    "SELU": (_ACT + "ActivationSELU", {}),
    "SWISH": (_ACT + "ActivationSwish", {}),
    "THRESHOLDEDRELU": (_ACT + "ActivationThresholdedReLU", {}),
    "GELU": (_ACT + "ActivationGELU", {}),
    "MISH": (_ACT + "ActivationMish", {}),
}

# name -> (IWeightInit @class, kwargs); DISTRIBUTION needs a Distribution (WeightInit.getWeightInitFunction)
WEIGHT_INIT_TABLE = {
    "DISTRIBUTION": (_WI + "WeightInitDistribution", {}),
    "ZERO": (_WI + "WeightInitConstant", {"value": 0.0}),
    "ONES": (_WI + "WeightInitConstant", {"value": 1.0}),
    "SIGMOID_UNIFORM": (_WI + "WeightInitSigmoidUniform", {}),
    "NORMAL": (_WI + "WeightInitNormal", {}),
    "LECUN_NORMAL": (_WI + "WeightInitNormal", {}),
    "UNIFORM": (_WI + "WeightInitUniform", {}),
    "XAVIER": (_WI + "WeightInitXavier", {}),
    "XAVIER_UNIFORM": (_WI + "WeightInitXavierUniform", {}),
    "XAVIER_FAN_IN": (_WI + "WeightInitNormal", {}),
    "XAVIER_LEGACY": (_WI + "WeightInitXavierLegacy", {}),
    "RELU": (_WI + "WeightInitRelu", {}),
    "RELU_UNIFORM": (_WI + "WeightInitReluUniform", {}),
    "IDENTITY": (_WI + "WeightInitIdentity", {}),
    "LECUN_UNIFORM": (_WI + "WeightInitLecunUniform", {}),
    "VAR_SCALING_NORMAL_FAN_IN": (_WI + "WeightInitVarScalingNormalFanIn", {}),
    "VAR_SCALING_NORMAL_FAN_OUT": (_WI + "WeightInitVarScalingNormalFanOut", {}),
    "VAR_SCALING_NORMAL_FAN_AVG": (_WI + "WeightInitVarScalingNormalFanAvg", {}),
    "VAR_SCALING_UNIFORM_FAN_IN": (_WI + "WeightInitVarScalingUniformFanIn", {}),
    "VAR_SCALING_UNIFORM_FAN_OUT": (_WI + "WeightInitVarScalingUniformFanOut", {}),
    "VAR_SCALING_UNIFORM_FAN_AVG": (_WI + "WeightInitVarScalingUniformFanAvg", {}),
}

# LossFunctions.LossFunction name -> (ILossFunction @class, kwargs)  (LossFunction.getILossFunction)
LOSS_TABLE = {
    "MSE": (_LOSS + "LossMSE", {}),
    "L1": (_LOSS + "LossL1", {}),
    "XENT": (_LOSS + "LossBinaryXENT", {}),
    "MCXENT": (_LOSS + "LossMCXENT", {}),
    "SPARSE_MCXENT": (_LOSS + "LossSparseMCXENT", {}),
    "SQUARED_LOSS": (_LOSS + "LossMSE", {}),
    "RECONSTRUCTION_CROSSENTROPY": (_LOSS + "LossKLD", {}),
    "NEGATIVELOGLIKELIHOOD": (_LOSS + "LossNegativeLogLikelihood", {}),
    "COSINE_PROXIMITY": (_LOSS + "LossCosineProximity", {}),
    "HINGE": (_LOSS + "LossHinge", {}),
    "SQUARED_HINGE": (_LOSS + "LossSquaredHinge", {}),
    "KL_DIVERGENCE": (_LOSS + "LossKLD", {}),
    "MEAN_ABSOLUTE_ERROR": (_LOSS + "LossMAE", {}),
    "L2": (_LOSS + "LossL2", {}),
    "MEAN_ABSOLUTE_PERCENTAGE_ERROR": (_LOSS + "LossMAPE", {}),
    "MEAN_SQUARED_LOGARITHMIC_ERROR": (_LOSS + "LossMSLE", {}),
    "POISSON": (_LOSS + "LossPoisson", {}),
    "WASSERSTEIN": (_LOSS + "LossWasserstein", {}),
}

# legacy org.deeplearning4j.nn.conf.Updater name -> IUpdater with default config (getIUpdaterWithDefaultConfig)
UPDATER_TABLE = {
    "SGD": _UPD + "Sgd", "ADAM": _UPD + "Adam", "ADAMAX": _UPD + "AdaMax", "ADADELTA": _UPD + "AdaDelta",
    "NESTEROVS": _UPD + "Nesterovs", "NADAM": _UPD + "Nadam", "ADAGRAD": _UPD + "AdaGrad",
    "RMSPROP": _UPD + "RmsProp", "NONE": _UPD + "NoOp",
}

Activation = _make("Activation", ACTIVATION_TABLE, "Mirrors org.nd4j.linalg.activations.Activation.")
WeightInit = _make("WeightInit", WEIGHT_INIT_TABLE, "Mirrors org.deeplearning4j.nn.weights.WeightInit.")
Updater = _make("Updater", list(UPDATER_TABLE) + ["CUSTOM"], "Mirrors org.deeplearning4j.nn.conf.Updater (legacy).")


def _get_activation_function(self):
    """Mirrors Activation#getActivationFunction: a fresh IActivation."""
    cls_name, kwargs = ACTIVATION_TABLE[self.name]
    return ACTIVATIONS.lookup(cls_name)(**kwargs)


def _get_weight_init_function(self, distribution=None):
    """Mirrors WeightInit#getWeightInitFunction(Distribution)."""
    cls_name, kwargs = WEIGHT_INIT_TABLE[self.name]
    if self.name == "DISTRIBUTION":
        if distribution is None:
            raise InvalidConfigurationError("WeightInit.DISTRIBUTION needs a distribution: use weightInit(distribution)")
        return WEIGHT_INITS.lookup(cls_name)(distribution)
    return WEIGHT_INITS.lookup(cls_name)(**kwargs)


def _get_updater(self):
    """Mirrors Updater#getIUpdaterWithDefaultConfig."""
    if self.name == "CUSTOM":
        raise InvalidConfigurationError("Unknown or not supported updater: CUSTOM")
    return UPDATERS.lookup(UPDATER_TABLE[self.name])()


Activation.getActivationFunction = _get_activation_function
WeightInit.getWeightInitFunction = _get_weight_init_function
Updater.getIUpdaterWithDefaultConfig = _get_updater


class LossFunctions:
    """Mirrors org.nd4j.linalg.lossfunctions.LossFunctions (holder of the LossFunction enum)."""

    LossFunction = _make("LossFunction", LOSS_TABLE, "Mirrors org.nd4j.linalg.lossfunctions.LossFunctions.LossFunction.")


def _get_loss(self):
    """Mirrors LossFunction#getILossFunction."""
    cls_name, kwargs = LOSS_TABLE[self.name]
    return LOSSES.lookup(cls_name)(**kwargs)


LossFunctions.LossFunction.getILossFunction = _get_loss
LossFunction = LossFunctions.LossFunction

ConvolutionMode = _make("ConvolutionMode", ["Strict", "Truncate", "Same", "Causal"],
                        "Mirrors org.deeplearning4j.nn.conf.ConvolutionMode.")
PoolingType = _make("PoolingType", ["MAX", "AVG", "SUM", "PNORM"],
                    "Mirrors org.deeplearning4j.nn.conf.layers.PoolingType (and SubsamplingLayer.PoolingType: same names).",
                    (_LAYERS + "SubsamplingLayer$PoolingType",))
Pooling3DType = _make("PoolingType", ["MAX", "AVG"], "Mirrors org.deeplearning4j.nn.conf.layers.Subsampling3DLayer.PoolingType.",
                      (_LAYERS + "Subsampling3DLayer$PoolingType",))
GradientNormalization = _make(
    "GradientNormalization",
    ["None", "RenormalizeL2PerLayer", "RenormalizeL2PerParamType", "ClipElementWiseAbsoluteValue",
     "ClipL2PerLayer", "ClipL2PerParamType"],
    "Mirrors org.deeplearning4j.nn.conf.GradientNormalization (the constant 'None' is GradientNormalization['None']).")
CNN2DFormat = _make("CNN2DFormat", ["NCHW", "NHWC"], "Mirrors org.deeplearning4j.nn.conf.CNN2DFormat.")
RNNFormat = _make("RNNFormat", ["NCW", "NWC"], "Mirrors org.deeplearning4j.nn.conf.RNNFormat.")
Convolution3DDataFormat = _make("DataFormat", ["NCDHW", "NDHWC"],
                                "Mirrors org.deeplearning4j.nn.conf.layers.Convolution3D.DataFormat.",
                                (_LAYERS + "Convolution3D$DataFormat",))
SpaceToDepthDataFormat = _make("DataFormat", ["NCHW", "NHWC"],
                               "Mirrors org.deeplearning4j.nn.conf.layers.SpaceToDepthLayer.DataFormat.",
                               (_LAYERS + "SpaceToDepthLayer$DataFormat",))
BackpropType = _make("BackpropType", ["Standard", "TruncatedBPTT"], "Mirrors org.deeplearning4j.nn.conf.BackpropType.")
WorkspaceMode = _make("WorkspaceMode", ["NONE", "ENABLED", "SINGLE", "SEPARATE"],
                      "Mirrors org.deeplearning4j.nn.conf.WorkspaceMode.")
CacheMode = _make("CacheMode", ["DEVICE", "HOST", "NONE"], "Mirrors org.deeplearning4j.nn.conf.CacheMode.")
OptimizationAlgorithm = _make("OptimizationAlgorithm",
                              ["LINE_GRADIENT_DESCENT", "CONJUGATE_GRADIENT", "LBFGS", "STOCHASTIC_GRADIENT_DESCENT"],
                              "Mirrors org.deeplearning4j.nn.api.OptimizationAlgorithm.")
AlgoMode = _make("AlgoMode", ["NO_WORKSPACE", "PREFER_FASTEST", "USER_SPECIFIED"],
                 "Mirrors org.deeplearning4j.nn.conf.layers.ConvolutionLayer.AlgoMode.", (_LAYERS + "ConvolutionLayer$AlgoMode",))
FwdAlgo = _make("FwdAlgo", ["IMPLICIT_GEMM", "IMPLICIT_PRECOMP_GEMM", "GEMM", "DIRECT", "FFT", "FFT_TILING",
                            "WINOGRAD", "WINOGRAD_NONFUSED", "COUNT"], "Mirrors ConvolutionLayer.FwdAlgo.",
                (_LAYERS + "ConvolutionLayer$FwdAlgo",))
BwdFilterAlgo = _make("BwdFilterAlgo", ["ALGO_0", "ALGO_1", "FFT", "ALGO_3", "WINOGRAD", "WINOGRAD_NONFUSED",
                                        "FFT_TILING", "COUNT"], "Mirrors ConvolutionLayer.BwdFilterAlgo.",
                      (_LAYERS + "ConvolutionLayer$BwdFilterAlgo",))
BwdDataAlgo = _make("BwdDataAlgo", ["ALGO_0", "ALGO_1", "FFT", "FFT_TILING", "WINOGRAD", "WINOGRAD_NONFUSED", "COUNT"],
                    "Mirrors ConvolutionLayer.BwdDataAlgo.", (_LAYERS + "ConvolutionLayer$BwdDataAlgo",))
ElementWiseOp = _make("Op", ["Add", "Subtract", "Product", "Average", "Max"],
                      "Mirrors org.deeplearning4j.nn.conf.graph.ElementWiseVertex.Op.",
                      ("org.deeplearning4j.nn.conf.graph.ElementWiseVertex$Op",))
BidirectionalMode = _make("Mode", ["ADD", "MUL", "AVERAGE", "CONCAT"],
                          "Mirrors org.deeplearning4j.nn.conf.layers.recurrent.Bidirectional.Mode.",
                          (_LAYERS + "recurrent.Bidirectional$Mode",))
DataType = _make("DataType", ["DOUBLE", "FLOAT", "HALF", "LONG", "INT", "SHORT", "UBYTE", "BYTE", "BOOL", "UTF8",
                              "COMPRESSED", "BFLOAT16", "UINT16", "UINT32", "UINT64", "UNKNOWN"],
                 "Mirrors org.nd4j.linalg.api.buffer.DataType.")
ScheduleType = _make("ScheduleType", ["ITERATION", "EPOCH"], "Mirrors org.nd4j.linalg.schedule.ScheduleType.")
AutoEncoderLossFunction = LossFunctions.LossFunction
