"""Build-time checks of output / loss layers, as DL4J's builders run them.

Mirrors ``org.deeplearning4j.util.OutputLayerUtil#validateOutputLayer``: softmax with nOut=1, a probability loss
(MCXENT, NegativeLogLikelihood, BinaryXENT) after an activation that is not bounded to [0, 1], softmax +
BinaryXENT, sigmoid + MCXENT. Who calls it, as in DL4J 1.0.0-M2.1 (checked in the JVM,
tests/conf/test_output_validation_builders.py): ``ListBuilder.build()`` (MultiLayerConfiguration.Builder#build: every
layer, named by its layerName) and ``GraphBuilder.build()`` (every layer vertex, named by its vertex name, after the
input-type inference), both unless ``validateOutputLayerConfig(false)``; the transfer-learning builders through them.
Only the classes DL4J checks: BaseOutputLayer subclasses (OutputLayer, RnnOutputLayer, CenterLossOutputLayer),
LossLayer, RnnLossLayer and CnnLossLayer; not Cnn3DLossLayer, Yolo2OutputLayer or a layer inside a wrapper
(FrozenLayer...), which DL4J does not recognise as output layers.
"""

from __future__ import annotations

from pydl4j_transfer.errors import InvalidConfigurationError

_A = "org.nd4j.linalg.activations.impl."
#: Activations whose output is not confined to [0, 1] (OutputLayerUtil.OUTSIDE_ZERO_ONE_RANGE).
OUTSIDE_ZERO_ONE_RANGE = frozenset(_A + n for n in (
    "ActivationCube", "ActivationELU", "ActivationHardTanH", "ActivationIdentity", "ActivationLReLU",
    "ActivationPReLU", "ActivationRationalTanh", "ActivationReLU", "ActivationReLU6", "ActivationRReLU",
    "ActivationSELU", "ActivationSoftPlus", "ActivationSoftSign", "ActivationSwish", "ActivationTanH",
    "ActivationThresholdedReLU"))
_L = "org.nd4j.linalg.lossfunctions.impl."
#: Losses that expect probabilities (LossNegativeLogLikelihood extends LossMCXENT).
PROBABILITY_LOSSES = frozenset(_L + n for n in ("LossMCXENT", "LossNegativeLogLikelihood", "LossBinaryXENT"))
_OUTPUT_LAYERS = frozenset(("OutputLayer", "RnnOutputLayer", "CenterLossOutputLayer"))  # BaseOutputLayer
_LOSS_LAYERS = frozenset(("LossLayer", "RnnLossLayer", "CnnLossLayer"))
_HINT = ("\nThis configuration validation check can be disabled with validateOutputLayerConfig(false), "
         "however this is not recommended.")


def _cls(obj) -> str:
    return getattr(obj, "dl4jClass", "") or ""


def validate_output_layer(name: str, layer) -> None:
    """Mirrors OutputLayerUtil.validateOutputLayer: raise for the invalid combinations DL4J refuses."""
    kind = type(layer).__name__
    if kind not in _OUTPUT_LAYERS and kind not in _LOSS_LAYERS:
        return
    loss_layer = kind in _LOSS_LAYERS
    act, loss, n_out = _cls(layer.activationFn), _cls(layer.lossFn), layer.nOut
    where = f"Invalid output layer configuration for layer \"{name}\": "
    if not loss_layer and n_out == 1 and act == _A + "ActivationSoftmax":
        raise InvalidConfigurationError(where + "Softmax + nOut=1 networks are not supported: the output is always 1.0."
                                        + _HINT)
    exceeds = act in OUTSIDE_ZERO_ONE_RANGE and not (loss_layer and act == _A + "ActivationIdentity")
    if loss in PROBABILITY_LOSSES and exceeds:
        raise InvalidConfigurationError(where + f"loss function {loss.rsplit('.', 1)[-1]} expects probabilities (0 to 1) "
                                        f"but activation {act.rsplit('.', 1)[-1]} is not bounded to that range." + _HINT)
    if act == _A + "ActivationSoftmax" and loss == _L + "LossBinaryXENT":
        raise InvalidConfigurationError(where + "softmax with LossBinaryXENT: use softmax + MCXENT for multi-class, "
                                        "sigmoid + XENT for binary multi-label classification." + _HINT)
    if act == _A + "ActivationSigmoid" and loss in (_L + "LossMCXENT", _L + "LossNegativeLogLikelihood"):
        raise InvalidConfigurationError(where + "sigmoid with LossMCXENT: use softmax + MCXENT for multi-class, "
                                        "sigmoid + XENT for binary multi-label classification." + _HINT)
