"""Keras recurrent layers: LSTM, SimpleRNN and the Bidirectional wrapper.

Mirrors org.deeplearning4j.nn.modelimport.keras.layers.recurrent.{KerasLSTM, KerasSimpleRnn, KerasRnnUtils} and
layers.wrappers.KerasBidirectional. Layout flips, where they happen: Keras orders the LSTM gates (i, f, c, o)
and DL4J (c, f, o, i) (DL4J's LSTM input/recurrent/bias blocks); Keras's kernels [nIn, 4*units] are DL4J's
[nIn, 4*nOut] once the gate blocks are reordered. A layer that does not return sequences becomes
LastTimeStep(LSTM); one after a Masking layer or a zero-masking Embedding is wrapped in MaskZeroLayer.
"""

from __future__ import annotations

import numpy as np

from pydl4j_transfer.conf import Bidirectional, LastTimeStep, LSTM, MaskZeroLayer, SimpleRnn
from pydl4j_transfer.conf.enums import RNNFormat
from pydl4j_transfer.conf.preprocessors import preprocessor_for_rnn
from pydl4j_transfer.errors import InvalidKerasConfigurationError, UnsupportedKerasConfigurationError

from .. import values
from ..layer import KerasLayer, has_bias_of, n_in_from_input_dim, n_out_of, register


def rnn_format_of(layer):
    """Mirrors TimeSeriesUtils#getFormatFromRnnLayer."""
    name = type(layer).__name__
    if name in ("MaskZeroLayer", "LastTimeStep"):
        return rnn_format_of(layer.underlying)
    if name == "Bidirectional":
        return rnn_format_of(layer.fwd)
    fmt = getattr(layer, "rnnDataFormat", None)
    if fmt is None:
        raise InvalidKerasConfigurationError(f"Unable to get RNNFormat from layer of type: {name}")
    return fmt


def unroll_of(layer) -> bool:
    """Mirrors KerasRnnUtils#getUnrollRecurrentLayer."""
    inner = layer.inner
    if layer.conf.LAYER_FIELD_UNROLL not in inner:
        raise InvalidKerasConfigurationError(f"Keras LSTM layer config missing {layer.conf.LAYER_FIELD_UNROLL} field",
                                             layer=layer.layerName)
    return bool(inner[layer.conf.LAYER_FIELD_UNROLL])


def recurrent_dropout_of(layer) -> float:
    """Mirrors KerasRnnUtils#getRecurrentDropout (any recurrent dropout is unsupported)."""
    inner = layer.inner
    dropout = 1.0
    if layer.conf.LAYER_FIELD_DROPOUT_U in inner:
        v = inner[layer.conf.LAYER_FIELD_DROPOUT_U]
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise InvalidKerasConfigurationError(f"{layer.conf.LAYER_FIELD_DROPOUT_U} must be a number, got {v!r:.40}",
                                                 layer=layer.layerName)
        dropout = 1.0 - float(v)
    if dropout < 1.0:
        raise UnsupportedKerasConfigurationError("Dropout > 0 on recurrent connections not supported.",
                                                 layer=layer.layerName)
    return dropout


def masking_of(inbound_names, previous) -> tuple:
    """Mirrors KerasLayerUtils#getMaskingConfiguration: (has masking, mask value) from the inbound layers."""
    from .core import KerasMasking
    from .embeddings import KerasEmbedding

    has, value = False, 0.0
    for name in inbound_names:
        inbound = previous.get(name)
        if isinstance(inbound, KerasEmbedding) and inbound.isZeroMasking():
            has = True
        elif isinstance(inbound, KerasMasking):
            has, value = True, inbound.getMaskingValue()
    return has, value


def _trailing_ones_dropped(value, rank):
    """The weight array without trailing axes of size 1 beyond ``rank`` ([nIn, 4 units, 1] -> [nIn, 4 units]): DL4J
    slices the gates with NDArrayIndex, which takes such axes along, and copies the result by length, so it imports
    these; any other rank is refused by the shape checks."""
    value = np.asarray(value)
    while value.ndim > rank and value.shape[-1] == 1:
        value = value.reshape(value.shape[:-1])
    return value


class _KerasRnn(KerasLayer):
    """What KerasLSTM and KerasSimpleRnn share: wrapping, the input preprocessor, the output type."""

    def _wrap(self, layer, previous):
        self.layer = layer
        if not self.returnSequences:
            self.layer = LastTimeStep(self.layer)
        has, value = masking_of(self.inboundLayerNames, previous or {})
        if has:
            self.layer = MaskZeroLayer(self.layer, value)

    def getUnroll(self):
        return self.unroll

    def getInputPreprocessor(self, *inputType):
        return preprocessor_for_rnn(inputType[0], rnn_format_of(self.layer), self.layerName)

    def _fix_n_in(self, n_in):
        ffl = self.layer.underlying if type(self.layer).__name__ in ("MaskZeroLayer", "LastTimeStep") else self.layer
        while type(ffl).__name__ in ("MaskZeroLayer", "LastTimeStep"):
            ffl = ffl.underlying
        if ffl.nIn != n_in:
            ffl.nIn = int(n_in)


@register("LSTM")
class KerasLSTM(_KerasRnn):
    """Mirrors layers.recurrent.KerasLSTM -> LSTM (NWC), LastTimeStep / MaskZeroLayer wrapped as DL4J does."""

    NUM_TRAINABLE_PARAMS_KERAS_2 = 3
    NUM_TRAINABLE_PARAMS = 12
    KERAS1_NAMES = ("W_c", "W_f", "W_o", "W_i", "U_c", "U_f", "U_o", "U_i", "b_c", "b_f", "b_o", "b_i")

    def __init__(self, layerConfig, enforceTrainingConfig=True, previousLayers=None):
        super().__init__(layerConfig, enforceTrainingConfig)
        conf, inner, v = self.conf, self.inner, self.kerasMajorVersion
        init = values.weight_init_from_config(inner, conf.LAYER_FIELD_INIT, enforceTrainingConfig, v)
        rinit = values.weight_init_from_config(inner, conf.LAYER_FIELD_INNER_INIT, enforceTrainingConfig, v)
        has_bias_of(layerConfig, conf)
        self.returnSequences = bool(inner.get(conf.LAYER_FIELD_RETURN_SEQUENCES))
        self.unroll = unroll_of(self)
        bias_c = values.constraint_from_config(inner, conf.LAYER_FIELD_B_CONSTRAINT, conf, v)
        weight_c = values.constraint_from_config(inner, conf.LAYER_FIELD_W_CONSTRAINT, conf, v)
        rec_c = values.constraint_from_config(inner, conf.LAYER_FIELD_RECURRENT_CONSTRAINT, conf, v)
        b = LSTM.Builder().gateActivationFunction(self._gate_activation()) \
            .forgetGateBiasInit(self._forget_bias_init(enforceTrainingConfig)).name(self.layerName) \
            .nOut(n_out_of(layerConfig, conf)).dropOut(self.dropout) \
            .activation(values.activation_from_config(inner, conf)).weightInit(init).weightInitRecurrent(rinit) \
            .biasInit(0.0).l1(self.weightL1Regularization).l2(self.weightL2Regularization).dataFormat(RNNFormat.NWC)
        n_in = n_in_from_input_dim(layerConfig, conf)
        if n_in is not None:
            b.nIn(n_in)
        if bias_c is not None:
            b.constrainBias(bias_c)
        if weight_c is not None:
            b.constrainInputWeights(weight_c)
        if rec_c is not None:
            b.constrainRecurrent(rec_c)
        self._wrap(b.build(), previousLayers)

    def getLSTMLayer(self):
        return self.layer

    def _gate_activation(self):
        inner = self.inner
        if self.conf.LAYER_FIELD_INNER_ACTIVATION not in inner:
            raise InvalidKerasConfigurationError(
                f"Keras LSTM layer config missing {self.conf.LAYER_FIELD_INNER_ACTIVATION} field", layer=self.layerName)
        return values.map_activation(inner[self.conf.LAYER_FIELD_INNER_ACTIVATION])

    def _forget_bias_init(self, train):
        inner = self.inner
        if self.conf.LAYER_FIELD_UNIT_FORGET_BIAS in inner:
            init = "one"
        elif self.conf.LAYER_FIELD_FORGET_BIAS_INIT not in inner:
            raise InvalidKerasConfigurationError(
                f"Keras LSTM layer config missing {self.conf.LAYER_FIELD_FORGET_BIAS_INIT} field", layer=self.layerName)
        else:
            init = inner[self.conf.LAYER_FIELD_FORGET_BIAS_INIT]
        if init == "zero":
            return 0.0
        if init == "one":
            return 1.0
        if train:
            raise UnsupportedKerasConfigurationError(f"Unsupported LSTM forget gate bias initialization: {init}",
                                                     layer=self.layerName)
        values.log.warning("Unsupported LSTM forget gate bias initialization: %s (using 1 instead)", init)
        return 1.0

    def getNumParams(self):
        return self.NUM_TRAINABLE_PARAMS_KERAS_2 if self.kerasMajorVersion == 2 else self.NUM_TRAINABLE_PARAMS

    def getInputPreprocessor(self, *inputType):
        if len(inputType) > 1 and len(inputType) != 3:
            raise InvalidKerasConfigurationError("Keras LSTM layer accepts only one single inputor three (input to LSTM "
                                                 f"and two states tensors, but received {len(inputType)}.",
                                                 layer=self.layerName)
        return super().getInputPreprocessor(*inputType)

    def getOutputType(self, *inputType):
        pre = self.getInputPreprocessor(*inputType)
        if pre is not None:
            if self.returnSequences:
                return pre.getOutputType(inputType[0])
            return self.layer.getOutputType(-1, pre.getOutputType(inputType[0]))
        return self.layer.getOutputType(-1, inputType[0])

    def setWeights(self, weights):
        conf = self.conf
        if self.kerasMajorVersion == 2:
            w = {}
            for key in (conf.KERAS_PARAM_NAME_W, conf.KERAS_PARAM_NAME_RW, conf.KERAS_PARAM_NAME_B):
                if key not in weights:
                    raise InvalidKerasConfigurationError(f"Keras LSTM layer does not contain parameter {key}",
                                                         layer=self.layerName)
            W, U, b = (_trailing_ones_dropped(weights[k], r) for k, r in ((conf.KERAS_PARAM_NAME_W, 2),
                                                                        (conf.KERAS_PARAM_NAME_RW, 2),
                                                                        (conf.KERAS_PARAM_NAME_B, 1)))
            n = b.size // 4
            # Keras 2: kernel [nIn, 4 units], recurrent kernel [units, 4 units], bias [4 units]
            if (W.ndim != 2 or U.ndim != 2 or b.ndim != 1 or b.size != 4 * n or W.shape[1] != 4 * n
                    or U.shape != (n, 4 * n)):
                raise InvalidKerasConfigurationError(
                    f"Keras LSTM weights must be {conf.KERAS_PARAM_NAME_W} [nIn, 4*units], {conf.KERAS_PARAM_NAME_RW} "
                    f"[units, 4*units] and {conf.KERAS_PARAM_NAME_B} [4*units], got shapes {list(W.shape)}, "
                    f"{list(U.shape)} and {list(b.shape)}; the weights in the file do not belong to this layer "
                    "(damaged, or not what Keras writes)", layer=self.layerName)
            # Keras 2 packs the gates (i, f, c, o) along the last axis
            for j, gate in enumerate("ifco"):
                w["W_" + gate] = W[:, j * n:(j + 1) * n]
                w["U_" + gate] = U[:, j * n:(j + 1) * n]
                w["b_" + gate] = b[j * n:(j + 1) * n]
        else:
            w = {}
            for key in self.KERAS1_NAMES:
                if key not in weights:
                    raise InvalidKerasConfigurationError(f"Keras LSTM layer does not contain parameter {key}",
                                                         layer=self.layerName)
                w[key] = _trailing_ones_dropped(weights[key], 1 if key.startswith("b_") else 2)
            # Keras 1: per gate W_g [nIn, units], U_g [units, units], b_g [units]
            for prefix in ("W_", "U_"):
                shapes = {tuple(w[prefix + g].shape) for g in "cfoi"}
                if len(shapes) != 1 or len(next(iter(shapes))) != 2:
                    raise InvalidKerasConfigurationError(
                        f"Keras LSTM gate weights {prefix}c/f/o/i must be matrices of one shape, got shapes "
                        f"{[list(w[prefix + g].shape) for g in 'cfoi']}; the weights in the file do not belong to this "
                        "layer (damaged, or not what Keras writes)", layer=self.layerName)
        # DL4J's gate order: (c, f, o, i) -- the block order of LSTMParamInitializer's W, RW and b
        order = "cfoi"
        W = np.concatenate([w["W_" + g] for g in order], axis=1).astype(np.float32)
        U = np.concatenate([w["U_" + g] for g in order], axis=1).astype(np.float32)
        b = np.concatenate([np.asarray(w["b_" + g]).reshape(1, -1) for g in order], axis=1).astype(np.float32)
        self.weights = {"W": W, "RW": U, "b": b}
        self._fix_n_in(W.shape[0])


@register("SimpleRNN")
class KerasSimpleRnn(_KerasRnn):
    """Mirrors layers.recurrent.KerasSimpleRnn -> SimpleRnn (NWC)."""

    NUM_TRAINABLE_PARAMS = 3

    def __init__(self, layerConfig, enforceTrainingConfig=True, previousLayers=None):
        super().__init__(layerConfig, enforceTrainingConfig)
        conf, inner, v = self.conf, self.inner, self.kerasMajorVersion
        init = values.weight_init_from_config(inner, conf.LAYER_FIELD_INIT, enforceTrainingConfig, v)
        rinit = values.weight_init_from_config(inner, conf.LAYER_FIELD_INNER_INIT, enforceTrainingConfig, v)
        self.returnSequences = bool(inner.get(conf.LAYER_FIELD_RETURN_SEQUENCES))
        recurrent_dropout_of(self)
        self.unroll = unroll_of(self)
        bias_c = values.constraint_from_config(inner, conf.LAYER_FIELD_B_CONSTRAINT, conf, v)
        weight_c = values.constraint_from_config(inner, conf.LAYER_FIELD_W_CONSTRAINT, conf, v)
        rec_c = values.constraint_from_config(inner, conf.LAYER_FIELD_RECURRENT_CONSTRAINT, conf, v)
        b = SimpleRnn.Builder().name(self.layerName).nOut(n_out_of(layerConfig, conf)).dropOut(self.dropout) \
            .activation(values.activation_from_config(inner, conf)).weightInit(init).weightInitRecurrent(rinit) \
            .biasInit(0.0).l1(self.weightL1Regularization).l2(self.weightL2Regularization).dataFormat(RNNFormat.NWC)
        n_in = n_in_from_input_dim(layerConfig, conf)
        if n_in is not None:
            b.nIn(n_in)
        if bias_c is not None:
            b.constrainBias(bias_c)
        if weight_c is not None:
            b.constrainInputWeights(weight_c)
        if rec_c is not None:
            b.constrainRecurrent(rec_c)
        self._wrap(b.build(), previousLayers)

    def getSimpleRnnLayer(self):
        return self.layer

    def getNumParams(self):
        return self.NUM_TRAINABLE_PARAMS

    def getOutputType(self, *inputType):
        if len(inputType) > 1:
            raise InvalidKerasConfigurationError(f"Keras SimpleRnn layer accepts only one input (received "
                                                 f"{len(inputType)})", layer=self.layerName)
        pre = self.getInputPreprocessor(*inputType)
        if pre is not None:
            return pre.getOutputType(inputType[0])
        return self.layer.getOutputType(-1, inputType[0])

    def setWeights(self, weights):
        conf = self.conf
        out = {}
        for key, dkey in ((conf.KERAS_PARAM_NAME_W, "W"), (conf.KERAS_PARAM_NAME_RW, "RW"), (conf.KERAS_PARAM_NAME_B, "b")):
            if key not in weights:
                raise InvalidKerasConfigurationError(f"Keras SimpleRNN layer does not contain parameter {key}",
                                                     layer=self.layerName)
            out[dkey] = _trailing_ones_dropped(weights[key], 1 if dkey == "b" else 2)
        if out["W"].ndim != 2:
            raise InvalidKerasConfigurationError(
                f"Keras SimpleRNN kernel must be a matrix [nIn, units], got shape {list(out['W'].shape)}; the weights in "
                "the file do not belong to this layer (damaged, or not what Keras writes)", layer=self.layerName)
        self.weights = out
        self._fix_n_in(out["W"].shape[0])


_BIDI_MODES = {"sum": "ADD", "concat": "CONCAT", "mul": "MUL", "ave": "AVERAGE"}


@register("Bidirectional")
class KerasBidirectional(KerasLayer):
    """Mirrors layers.wrappers.KerasBidirectional -> Bidirectional(mode, LSTM | SimpleRnn)."""

    def __init__(self, layerConfig, enforceTrainingConfig=True, previousLayers=None):
        super().__init__(layerConfig, enforceTrainingConfig)
        inner = self.inner
        if "merge_mode" not in inner:
            raise InvalidKerasConfigurationError("Field 'merge_mode' not found in configuration of Bidirectional layer.",
                                                 layer=self.layerName)
        if "layer" not in inner:
            raise InvalidKerasConfigurationError("Field 'layer' not found in configuration ofBidirectional layer, i.e. no "
                                                 "layer to be wrapped found.", layer=self.layerName)
        rnn_config = inner["layer"]
        if not isinstance(rnn_config, dict) or "class_name" not in rnn_config:
            raise InvalidKerasConfigurationError("No 'class_name' specified within Bidirectionallayerconfiguration.",
                                                 layer=self.layerName)
        mode = _BIDI_MODES.get(inner["merge_mode"])
        if mode is None:
            raise UnsupportedKerasConfigurationError(f"Merge mode {inner['merge_mode']} not supported.",
                                                     layer=self.layerName)
        rnn_config = dict(rnn_config)
        rnn_config[self.conf.LAYER_FIELD_KERAS_VERSION] = self.kerasMajorVersion
        rnn_class = rnn_config["class_name"]
        if rnn_class == "LSTM":
            self.kerasRnnlayer = KerasLSTM(rnn_config, enforceTrainingConfig, previousLayers)
        elif rnn_class == "SimpleRNN":
            self.kerasRnnlayer = KerasSimpleRnn(rnn_config, enforceTrainingConfig, previousLayers)
        else:
            raise UnsupportedKerasConfigurationError(
                "Currently only two types of recurrent Keras layers aresupported, 'LSTM' and 'SimpleRNN'. You tried to "
                f"load a layer of class:{rnn_class}", layer=self.layerName)
        self.layer = Bidirectional(mode, self.kerasRnnlayer.getLayer())
        self.layer.setLayerName(self.layerName)

    def getUnderlyingRecurrentLayer(self):
        return self.kerasRnnlayer.getLayer()

    def getNumParams(self):
        return 2 * self.kerasRnnlayer.getNumParams()

    def getInputPreprocessor(self, *inputType):
        if len(inputType) > 1:
            raise InvalidKerasConfigurationError(f"Keras Bidirectional layer accepts only one input (received "
                                                 f"{len(inputType)})", layer=self.layerName)
        return preprocessor_for_rnn(inputType[0], rnn_format_of(self.layer), self.layerName)

    def getOutputType(self, *inputType):
        pre = self.getInputPreprocessor(*inputType)
        t = pre.getOutputType(inputType[0]) if pre is not None else inputType[0]
        return self.layer.getOutputType(-1, t)

    def setWeights(self, weights):
        fwd = self._underlying(self.layer.fwd, weights, "forward")
        bwd = self._underlying(self.layer.bwd, weights, "backward")
        self.weights = {**{"f" + k: v for k, v in fwd.items()}, **{"b" + k: v for k, v in bwd.items()}}

    def _underlying(self, layer, weights, direction):
        """Mirrors KerasBidirectional#getUnderlyingWeights: this direction's weights, renamed to what the wrapped
        mapper expects ("forward_lstm_1_W_i" -> "W_i" in Keras 1, "forward_recurrent_kernel" -> "recurrent_kernel"
        in Keras 2)."""
        keep = 3 if isinstance(self.kerasRnnlayer, KerasLSTM) else 1
        renamed = {}
        for key, value in weights.items():
            if direction in key:
                if self.kerasMajorVersion == 2:
                    parts = key.split("_")
                    new = f"{parts[-2]}_{parts[-1]}" if "recurrent" in key else parts[-1]
                else:
                    new = key[-keep:]
                renamed[new] = value
        if renamed:
            weights = renamed
        before = self.kerasRnnlayer.getLayer()
        self.kerasRnnlayer.setLayer(layer)
        try:
            self.kerasRnnlayer.setWeights(dict(weights))
            return self.kerasRnnlayer.getWeights()
        finally:
            self.kerasRnnlayer.setLayer(before)
