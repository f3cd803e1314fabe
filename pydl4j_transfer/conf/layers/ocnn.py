"""OCNNOutputLayer (``org.deeplearning4j.nn.conf.ocnn``): the one-class neural network output layer.

Parameters (OCNNParamInitializer, flat order): ``w`` [1, hiddenSize] (the first hiddenSize values), ``v``
[nIn, hiddenSize] 'f', then ``r`` (a scalar, the last value). Output: ``act(x·v)·wᵀ``, shape [minibatch] (rank 1).
nOut is always 1. The JSON has no ``lossFn`` (@JsonIgnoreProperties); the creator properties come first.
"""

from __future__ import annotations

from pydl4j_transfer.errors import InvalidConfigurationError

from ..base import ACTIVATIONS, BOOL, DOUBLE, INT, Field, poly
from ..inputs import InputType
from ..values.activations import ActivationIdentity, to_activation
from .base import ParamSpec, register
from .feedforward import BaseOutputLayer


def _refuse_nout(self, value):
    raise InvalidConfigurationError("Unable to specify number of outputs with ocnn. Outputs are fixed to 1.")


@register
class OCNNOutputLayer(BaseOutputLayer):
    """Mirrors org.deeplearning4j.nn.conf.ocnn.OCNNOutputLayer (``OCNNOutputLayer.Builder().nu(0.1).hiddenLayerSize(3)``)."""

    dl4jClass = "org.deeplearning4j.nn.conf.ocnn.OCNNOutputLayer"
    FIELDS = (Field("configureR", BOOL, default=True, missing=False), Field("hiddenSize", INT, default=0),
              Field("initialRValue", DOUBLE, default=0.1, missing=0.0), Field("nu", DOUBLE, default=0.04, missing=0.0),
              Field("windowSize", INT, default=10000, missing=0), Field("lastEpochSinceRUpdated", INT, default=0),
              Field("activationFn", poly(ACTIVATIONS), default=ActivationIdentity))
    DEFAULTS = {"lossFn": None}  # the runtime sets its own OCNNLossFunction; never written
    KEY_ORDER = ("@class", "configureR", "hiddenSize", "initialRValue", "nu", "windowSize")  # Jackson creator properties
    POSITIONAL = ()
    SETTERS = {"hiddenLayerSize": lambda self, v: setattr(self, "hiddenSize", int(v)), "nOut": _refuse_nout,
               "units": _refuse_nout, "activation": lambda self, v: setattr(self, "activationFn", to_activation(v))}

    @classmethod
    def _ignored_keys(cls):
        return ("lossFn",)

    def _to_tree(self):
        tree = super()._to_tree()
        tree.pop("lossFn", None)  # @JsonIgnoreProperties("lossFn")
        tree["nout"] = 1  # getNOut() is always 1
        return tree

    def _init_state(self):
        super()._init_state()
        self.nOut = 1

    def paramSpecs(self):
        h, n_in = int(self.hiddenSize), int(self.nIn)
        return [ParamSpec("w", (1, h), "f"), ParamSpec("v", (n_in, h), "f"), ParamSpec("r", (), "c")]

    def biasKeys(self):
        return []

    def getRegularizationByParam(self, key):
        """Mirrors OCNNOutputLayer#getRegularizationByParam: none."""
        return None

    def _output_type(self, inputType):
        return InputType.feedForward(1)

    def onInstantiate(self, params):
        """Mirrors OCNNOutputLayer#instantiate: r = initialRValue while configureR and lastEpochSinceRUpdated == 0, on
        every network init (DL4J's restore included, so a trained r read from a zip is reset as in DL4J)."""
        if self.lastEpochSinceRUpdated == 0 and self.configureR and "r" in params:
            params["r"][...] = self.initialRValue

    def initWeightsFor(self, key):
        # createWeightMatrix: the layer's weight init with fans (nIn, nOut=1) for every param; r is then set to
        # initialRValue (instantiate, configureR and lastEpochSinceRUpdated == 0)
        if key == "r":
            return None
        return self.weightInitFn, float(self.nIn), 1.0
