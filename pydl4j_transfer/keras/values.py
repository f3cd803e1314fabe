"""Keras vocabularies -> DL4J values: activations, initializers, constraints, regularizers, losses, optimizers.

Mirrors org.deeplearning4j.nn.modelimport.keras.utils.{KerasActivationUtils, KerasInitilizationUtils,
KerasConstraintUtils, KerasRegularizerUtils, KerasLossUtils, KerasOptimizerUtils}, as tables where DL4J has
if-chains. What DL4J cannot map raises UnsupportedKerasConfigurationError with DL4J's message; where DL4J falls
back when ``enforceTrainingConfig`` is false (unknown initializer -> XAVIER, unknown loss -> MSE), so does this.
"""

from __future__ import annotations

import logging

from pydl4j_transfer.conf import (AdaDelta, AdaGrad, AdaMax, Adam, ConstantDistribution, InverseSchedule,
                                  MaxNormConstraint, MinMaxNormConstraint, Nadam, Nesterovs, NonNegativeConstraint,
                                  NormalDistribution, OrthogonalDistribution, RmsProp, TruncatedNormalDistribution,
                                  UniformDistribution, UnitNormConstraint, WeightInitDistribution, WeightInitIdentity,
                                  WeightInitVarScalingNormalFanAvg, WeightInitVarScalingNormalFanIn,
                                  WeightInitVarScalingNormalFanOut, WeightInitVarScalingUniformFanAvg,
                                  WeightInitVarScalingUniformFanIn, WeightInitVarScalingUniformFanOut,
                                  WeightInitXavier)
from pydl4j_transfer.conf.enums import Activation, LossFunctions, WeightInit
from pydl4j_transfer.errors import InvalidKerasConfigurationError, UnsupportedKerasConfigurationError

log = logging.getLogger(__name__)

# ---------------------------------------------------------------------------------------- activations

#: KerasActivationUtils#mapToActivation (Keras name -> DL4J Activation)
ACTIVATIONS = {
    "softmax": "SOFTMAX", "softplus": "SOFTPLUS", "softsign": "SOFTSIGN", "relu": "RELU", "relu6": "RELU6",
    "elu": "ELU", "selu": "SELU", "tanh": "TANH", "sigmoid": "SIGMOID", "hard_sigmoid": "HARDSIGMOID",
    "linear": "IDENTITY", "swish": "SWISH",
}


def map_activation(keras_name):
    """Mirrors KerasActivationUtils#mapToIActivation."""
    name = ACTIVATIONS.get(keras_name) if isinstance(keras_name, str) else None
    if name is None:
        raise UnsupportedKerasConfigurationError(f"Unknown Keras activation function {keras_name}")
    return Activation.of(name).getActivationFunction()


def activation_from_config(inner: dict, conf):
    """Mirrors KerasActivationUtils#getIActivationFromConfig."""
    if conf.LAYER_FIELD_ACTIVATION not in inner:
        raise InvalidKerasConfigurationError(f"Keras layer is missing {conf.LAYER_FIELD_ACTIVATION} field")
    return map_activation(inner[conf.LAYER_FIELD_ACTIVATION])


# ---------------------------------------------------------------------------------------- initializers


def _num(cfg, key, what="initializer"):
    value = cfg.get(key) if isinstance(cfg, dict) else None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidKerasConfigurationError(f"Keras {what} field {key!r} missing or not a number: {value!r}")
    return float(value)


def _uniform(cfg, v):
    if v == 2:
        return WeightInitDistribution(UniformDistribution(_num(cfg, "minval"), _num(cfg, "maxval")))
    scale = _num(cfg, "scale") if "scale" in cfg else 0.05
    return WeightInitDistribution(UniformDistribution(-scale, scale))


def _normal(cfg, v):
    if v == 2:
        return WeightInitDistribution(NormalDistribution(_num(cfg, "mean"), _num(cfg, "stddev")))
    scale = _num(cfg, "scale") if "scale" in cfg else 0.05
    return WeightInitDistribution(NormalDistribution(0.0, scale))


def _orthogonal(cfg, v):
    # DL4J samples OrthogonalDistribution through ND4J's SVD when it initialises a network; the imported weights
    # replace the draw, and this package never draws it (no SVD here).
    gain = _num(cfg, "gain") if v == 2 else (_num(cfg, "scale") if "scale" in cfg else 1.1)
    return WeightInitDistribution(OrthogonalDistribution(gain))


def _identity(cfg, v):
    gain = _num(cfg, "gain") if v == 2 else (_num(cfg, "scale") if "scale" in cfg else 1.0)
    return WeightInitIdentity(gain) if gain != 1.0 else WeightInitIdentity()


_VAR_SCALING = {("fan_in", True): WeightInitVarScalingNormalFanIn, ("fan_in", False): WeightInitVarScalingUniformFanIn,
                ("fan_out", True): WeightInitVarScalingNormalFanOut,
                ("fan_out", False): WeightInitVarScalingUniformFanOut,
                ("fan_avg", True): WeightInitVarScalingNormalFanAvg,
                ("fan_avg", False): WeightInitVarScalingUniformFanAvg}


def _variance_scaling(cfg, v):
    mode = cfg.get("mode")
    key = (mode, cfg.get("distribution") == "normal")
    if key not in _VAR_SCALING:
        raise InvalidKerasConfigurationError("Initialization argument 'mode' has to be either fan_in, fan_out or fan_avg")
    return _VAR_SCALING[key](_num(cfg, "scale"))


def _enum(name):
    return lambda cfg, v: WeightInit.of(name).getWeightInitFunction()


#: KerasInitilizationUtils#mapWeightInitialization (Keras 1 names and Keras 2 class names / aliases)
INITIALIZERS = {}
for _names, _fn in (
        (("glorot_normal", "GlorotNormal"), _enum("XAVIER")),
        (("glorot_uniform", "GlorotUniform"), _enum("XAVIER_UNIFORM")),
        (("lecun_normal", "LecunNormal"), _enum("LECUN_NORMAL")),
        (("lecun_uniform", "LecunUniform"), _enum("LECUN_UNIFORM")),
        (("he_normal", "HeNormal"), _enum("RELU")),
        (("he_uniform", "HeUniform"), _enum("RELU_UNIFORM")),
        (("one", "ones", "Ones"), _enum("ONES")),
        (("zero", "zeros", "Zeros"), _enum("ZERO")),
        (("uniform", "random_uniform", "RandomUniform"), _uniform),
        (("normal", "random_normal", "RandomNormal"), _normal),
        (("constant", "Constant"), lambda cfg, v: WeightInitDistribution(ConstantDistribution(_num(cfg, "value")))),
        (("orthogonal", "Orthogonal"), _orthogonal),
        (("truncated_normal", "TruncatedNormal"),
         lambda cfg, v: WeightInitDistribution(TruncatedNormalDistribution(_num(cfg, "mean"), _num(cfg, "stddev")))),
        (("identity", "Identity"), _identity),
        (("VarianceScaling",), _variance_scaling)):
    for _n in _names:
        INITIALIZERS[_n] = _fn


def map_weight_init(keras_init, init_config, keras_major_version):
    """Mirrors KerasInitilizationUtils#mapWeightInitialization."""
    fn = INITIALIZERS.get(keras_init) if isinstance(keras_init, str) else None
    if fn is None:
        raise UnsupportedKerasConfigurationError(f"Unknown keras weight initializer {keras_init}")
    return fn(init_config if isinstance(init_config, dict) else {}, keras_major_version)


def weight_init_from_config(inner: dict, field: str, enforce: bool, keras_major_version: int):
    """Mirrors KerasInitilizationUtils#getWeightInitFromConfig (unknown initializer: XAVIER unless enforced)."""
    if field not in inner:
        raise InvalidKerasConfigurationError(f"Keras layer is missing {field} field")
    if keras_major_version != 2:
        keras_init, init_map = inner[field], inner
    else:
        full = inner[field]
        if not isinstance(full, dict):
            raise InvalidKerasConfigurationError(f"Keras 2 initializer {field} is not an object: {full!r:.80}")
        init_map = full.get("config") or {}
        if "class_name" not in full:
            raise UnsupportedKerasConfigurationError("Incomplete initialization class")
        keras_init = full["class_name"]
    try:
        return map_weight_init(keras_init, init_map, keras_major_version)
    except UnsupportedKerasConfigurationError:
        if enforce:
            raise
        log.warning("Unknown weight initializer %s (Using XAVIER instead).", keras_init)
        return WeightInitXavier()


# ---------------------------------------------------------------------------------------- constraints


def _axis(cfg, conf):
    return int(_num(cfg, conf.LAYER_FIELD_CONSTRAINT_DIM, "constraint")) + 1  # Keras axis -> DL4J dimension


#: KerasConstraintUtils#mapConstraint
CONSTRAINTS = {}
for _names, _fn in (
        (("MinMaxNorm", "min_max_norm"),
         lambda cfg, conf: MinMaxNormConstraint(_num(cfg, conf.LAYER_FIELD_MINMAX_MIN_CONSTRAINT, "constraint"),
                                                _num(cfg, conf.LAYER_FIELD_MINMAX_MAX_CONSTRAINT, "constraint"),
                                                _num(cfg, conf.LAYER_FIELD_CONSTRAINT_RATE, "constraint"),
                                                _axis(cfg, conf))),
        (("MaxNorm", "max_norm", "maxnorm"),
         lambda cfg, conf: MaxNormConstraint(_num(cfg, conf.LAYER_FIELD_MAX_CONSTRAINT, "constraint"), _axis(cfg, conf))),
        (("UnitNorm", "unitnorm", "unit_norm"), lambda cfg, conf: UnitNormConstraint(_axis(cfg, conf))),
        (("NonNeg", "nonneg", "non_neg"), lambda cfg, conf: NonNegativeConstraint())):
    for _n in _names:
        CONSTRAINTS[_n] = _fn


def constraint_from_config(inner: dict, field: str, conf, keras_major_version: int):
    """Mirrors KerasConstraintUtils#getConstraintsFromConfig (None when the layer has none)."""
    cmap = inner.get(field)
    if not cmap:
        return None
    if not isinstance(cmap, dict) or conf.LAYER_FIELD_CONSTRAINT_NAME not in cmap:
        raise InvalidKerasConfigurationError(f"Keras layer is missing {conf.LAYER_FIELD_CONSTRAINT_NAME} field")
    name = cmap[conf.LAYER_FIELD_CONSTRAINT_NAME]
    cfg = cmap.get(conf.LAYER_FIELD_CONFIG) if keras_major_version == 2 else cmap
    if keras_major_version == 2 and not isinstance(cfg, dict):
        raise InvalidKerasConfigurationError(f"Field {conf.LAYER_FIELD_CONFIG} missing from layer config")
    fn = CONSTRAINTS.get(name)
    if fn is None:
        raise UnsupportedKerasConfigurationError(f"Unknown keras constraint {name}")
    return fn(cfg, conf)


# ---------------------------------------------------------------------------------------- regularizers


def weight_regularizer_from_config(inner: dict, field: str, kind: str, conf) -> float:
    """Mirrors KerasRegularizerUtils#getWeightRegularizerFromConfig (``kind`` "l1" or "l2"; 0 when absent)."""
    reg = inner.get(field)
    if isinstance(reg, dict):
        if kind in reg:
            return _num(reg, kind, "regularizer")
        if reg.get(conf.LAYER_FIELD_CLASS_NAME) == "L1L2":
            cfg = reg.get(conf.LAYER_FIELD_CONFIG)
            if not isinstance(cfg, dict):
                raise InvalidKerasConfigurationError(f"Field {conf.LAYER_FIELD_CONFIG} missing from layer config")
            return _num(cfg, kind, "regularizer")
    return 0.0


# ---------------------------------------------------------------------------------------- losses

#: KerasLossUtils#mapLossFunction (lower-cased Keras / tf.keras name -> DL4J LossFunction)
LOSSES = {}
for _names, _loss in (
        (("mean_squared_error", "mse", "meansquarederror"), "SQUARED_LOSS"),
        (("mean_absolute_error", "mae", "meanabsoluteerror"), "MEAN_ABSOLUTE_ERROR"),
        (("mean_absolute_percentage_error", "mape", "meanabsolutepercentageerror"), "MEAN_ABSOLUTE_PERCENTAGE_ERROR"),
        (("mean_squared_logarithmic_error", "msle", "meansquaredlogarithmicerror"), "MEAN_SQUARED_LOGARITHMIC_ERROR"),
        (("squared_hinge", "squaredhinge"), "SQUARED_HINGE"),
        (("hinge",), "HINGE"),
        (("sparse_categorical_crossentropy", "sparsecategoricalcrossentropy"), "SPARSE_MCXENT"),
        (("binary_crossentropy", "binarycrossentropy"), "XENT"),
        (("categorical_crossentropy",), "MCXENT"),
        (("kullback_leibler_divergence", "kld", "kldivergence"), "KL_DIVERGENCE"),
        (("poisson",), "POISSON"),
        (("cosine_proximity", "cosinesimilarity"), "COSINE_PROXIMITY")):
    for _n in _names:
        LOSSES[_n] = _loss

#: KerasLossUtils.registerCustomLoss: lower-cased name -> DL4J loss object
CUSTOM_LOSSES: dict = {}


def registerCustomLoss(lossName: str, lossFunction) -> None:
    """Mirrors KerasLossUtils#registerCustomLoss(String, ILossFunction)."""
    CUSTOM_LOSSES[str(lossName)] = lossFunction


def clearCustomLoss() -> None:
    """Mirrors KerasLossUtils#clearCustomLoss."""
    CUSTOM_LOSSES.clear()


def map_loss(keras_loss):
    """Mirrors KerasLossUtils#mapLossFunction."""
    if not isinstance(keras_loss, str):
        raise InvalidKerasConfigurationError(f"Unknown Keras loss {keras_loss!r}")
    name = keras_loss.lower()
    if name in LOSSES:
        return LossFunctions.LossFunction[LOSSES[name]].getILossFunction()
    # DL4J looks the lower-cased name up in the map the user filled with the name as given
    if name in CUSTOM_LOSSES:
        return CUSTOM_LOSSES[name]
    raise UnsupportedKerasConfigurationError(f"Unknown Keras loss function {name}")


# ---------------------------------------------------------------------------------------- optimizers


def _lr(p):
    return _num(p, "lr" if "lr" in p else "learning_rate", "optimizer")


def _schedule(lr, decay):
    # Keras's time-based decay lr / (1 + decay * iteration) is DL4J's InverseSchedule with power 1
    return None if decay == 0 else InverseSchedule("ITERATION", lr, decay, 1.0)


def _adam(p):
    lr = _lr(p)
    return Adam.Builder().beta1(_num(p, "beta_1", "optimizer")).beta2(_num(p, "beta_2", "optimizer")) \
        .epsilon(_num(p, "epsilon", "optimizer")).learningRate(lr) \
        .learningRateSchedule(_schedule(lr, _num(p, "decay", "optimizer"))).build()


def _adagrad(p):
    lr = _lr(p)
    return AdaGrad.Builder().epsilon(_num(p, "epsilon", "optimizer")).learningRate(lr) \
        .learningRateSchedule(_schedule(lr, _num(p, "decay", "optimizer"))).build()


def _nadam(p):
    lr = _lr(p)
    decay = float(p.get("schedule_decay", 0.0) or 0.0)
    return Nadam.Builder().beta1(_num(p, "beta_1", "optimizer")).beta2(_num(p, "beta_2", "optimizer")) \
        .epsilon(_num(p, "epsilon", "optimizer")).learningRate(lr).learningRateSchedule(_schedule(lr, decay)).build()


def _sgd(p):
    lr = _lr(p)
    # DL4J M2.1 reads the momentum from "epsilon" when the config has one (it never has) else "momentum"
    momentum = _num(p, "epsilon" if "epsilon" in p else "momentum", "optimizer")
    return Nesterovs.Builder().momentum(momentum).learningRate(lr) \
        .learningRateSchedule(_schedule(lr, _num(p, "decay", "optimizer"))).build()


def _rmsprop(p):
    lr = _lr(p)
    return RmsProp.Builder().epsilon(_num(p, "epsilon", "optimizer")).rmsDecay(_num(p, "rho", "optimizer")) \
        .learningRate(lr).learningRateSchedule(_schedule(lr, _num(p, "decay", "optimizer"))).build()


#: KerasOptimizerUtils#mapOptimizer (Keras optimizer class name -> DL4J IUpdater). DL4J M2.1 spells AdaGrad's key
#: "Adgrad", so Keras's "Adagrad" is not matched (shared/keras/optimizers/adagrad.h5 fails with enforce=true).
OPTIMIZERS = {
    "Adam": _adam,
    "Adadelta": lambda p: AdaDelta.Builder().epsilon(_num(p, "epsilon", "optimizer")).rho(_num(p, "rho", "optimizer"))
    .build(),
    "Adgrad": _adagrad,
    "Adamax": lambda p: AdaMax(_lr(p), _num(p, "beta_1", "optimizer"), _num(p, "beta_2", "optimizer"),
                               _num(p, "epsilon", "optimizer")),
    "Nadam": _nadam,
    "SGD": _sgd,
    "RMSprop": _rmsprop,
}


def map_optimizer(optimizer_config):
    """Mirrors KerasOptimizerUtils#mapOptimizer."""
    if not isinstance(optimizer_config, dict) or "class_name" not in optimizer_config:
        raise InvalidKerasConfigurationError("Optimizer config does not contain a name field.")
    name = optimizer_config["class_name"]
    if not isinstance(optimizer_config.get("config"), dict):
        raise InvalidKerasConfigurationError("Field config missing from layer config")
    fn = OPTIMIZERS.get(name)
    if fn is None:
        raise UnsupportedKerasConfigurationError(
            f"Optimizer with name {name}can not bematched to a DL4J optimizer. Note that custom TFOptimizers are not "
            "supported by model import")
    return fn(optimizer_config["config"])
