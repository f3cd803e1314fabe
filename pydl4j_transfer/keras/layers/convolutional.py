"""Keras convolution, padding, cropping and upsampling layers.

Mirrors org.deeplearning4j.nn.modelimport.keras.layers.convolutional.* and KerasConvolutionUtils. Weight layout
flips, where they happen: Keras (TensorFlow ordering) stores a 2-D kernel as [kH, kW, nIn, nOut] and DL4J as
[nOut, nIn, kH, kW]; Theano-ordered kernels are already [nOut, nIn, kH, kW] but flipped (Theano convolves), so
DL4J reverses each kH x kW filter.
"""

from __future__ import annotations

import numpy as np

from pydl4j_transfer.conf import (Convolution1DLayer, Convolution3D, ConvolutionLayer, Cropping1D, Cropping2D,
                                  Cropping3D, Deconvolution2D, Deconvolution3D, DepthwiseConvolution2D,
                                  SeparableConvolution2D, Upsampling1D, Upsampling2D, Upsampling3D, ZeroPadding1DLayer,
                                  ZeroPadding3DLayer, ZeroPaddingLayer)
from pydl4j_transfer.conf.enums import CNN2DFormat, ConvolutionMode, Convolution3DDataFormat, RNNFormat
from pydl4j_transfer.conf.preprocessors import preprocessor_for_rnn
from pydl4j_transfer.errors import InvalidKerasConfigurationError, UnsupportedKerasConfigurationError

from .. import values
from ..layer import DimOrder, KerasLayer, _int, has_bias_of, inner_config, n_out_of, register

# ---------------------------------------------------------------------------------------- KerasConvolutionUtils


def _ints(v, what, minimum=1):
    """A size field (an integer or a non-empty list of them, each at least ``minimum``: a stride, kernel size or
    dilation of 0 has no output size)."""
    if isinstance(v, list) and v and all(isinstance(x, int) and not isinstance(x, bool) for x in v):
        out = list(v)
    elif isinstance(v, int) and not isinstance(v, bool):
        out = [v]
    else:
        raise InvalidKerasConfigurationError(f"{what} must be an integer or a non-empty list of integers, got "
                                             f"{v!r:.60}; the model config is damaged or not what Keras writes")
    if any(x < minimum for x in out):
        raise InvalidKerasConfigurationError(f"{what} must be at least {minimum}, got {v!r:.60}; the model config is "
                                             "damaged or not what Keras writes")
    return out


def stride_of(layerConfig, dim, conf):
    """Mirrors KerasConvolutionUtils#getStrideFromConfig."""
    inner = inner_config(layerConfig, conf)
    if conf.LAYER_FIELD_CONVOLUTION_STRIDES in inner and dim >= 2:
        return _ints(inner[conf.LAYER_FIELD_CONVOLUTION_STRIDES], "strides")
    if conf.LAYER_FIELD_SUBSAMPLE_LENGTH in inner and dim == 1:
        return _ints(inner[conf.LAYER_FIELD_SUBSAMPLE_LENGTH], "strides")
    if conf.LAYER_FIELD_POOL_STRIDES in inner and dim >= 2:
        return _ints(inner[conf.LAYER_FIELD_POOL_STRIDES], "strides")
    if conf.LAYER_FIELD_POOL_1D_STRIDES in inner and dim == 1:
        return _ints(inner[conf.LAYER_FIELD_POOL_1D_STRIDES], "strides")
    raise InvalidKerasConfigurationError(f"Could not determine layer stride: no {conf.LAYER_FIELD_CONVOLUTION_STRIDES} "
                                         f"or {conf.LAYER_FIELD_POOL_STRIDES} field found")


def depth_multiplier_of(layerConfig, conf):
    """Mirrors the (int) cast of the depth multiplier in KerasDepthwiseConvolution2D / KerasSeparableConvolution2D."""
    inner = inner_config(layerConfig, conf)
    if conf.LAYER_FIELD_DEPTH_MULTIPLIER not in inner:
        raise InvalidKerasConfigurationError(f"Keras layer config missing {conf.LAYER_FIELD_DEPTH_MULTIPLIER} field")
    return _int(inner[conf.LAYER_FIELD_DEPTH_MULTIPLIER], conf.LAYER_FIELD_DEPTH_MULTIPLIER, minimum=1)


def dilation_of(layerConfig, dim, conf, force):
    """Mirrors KerasConvolutionUtils#getDilationRate (1-D: the rate twice, as DL4J builds it)."""
    inner = inner_config(layerConfig, conf)
    if conf.LAYER_FIELD_DILATION_RATE in inner:
        rate = _ints(inner[conf.LAYER_FIELD_DILATION_RATE], "dilation_rate")
        return rate if dim >= 2 else [rate[0], rate[0]]
    if force:
        raise InvalidKerasConfigurationError(f"Could not determine dilation rate: no {conf.LAYER_FIELD_DILATION_RATE} "
                                             "field found")
    return None


def cnn3d_format_of(layerConfig, conf):
    """Mirrors KerasConvolutionUtils#getCNN3DDataFormatFromConfig."""
    fmt = inner_config(layerConfig, conf).get(conf.LAYER_FIELD_DIM_ORDERING, "channels_last")
    return Convolution3DDataFormat.NDHWC if fmt == "channels_last" else Convolution3DDataFormat.NCDHW


def cnn2d_format_of(layerConfig, conf):
    """Mirrors KerasConvolutionUtils#getDataFormatFromConfig (Keras 2 strings; a Keras 1 'tf'/'th' reads NCHW)."""
    fmt = inner_config(layerConfig, conf).get(conf.LAYER_FIELD_DIM_ORDERING, "channels_last")
    return CNN2DFormat.NHWC if fmt == "channels_last" else CNN2DFormat.NCHW


def upsampling_size_of(layerConfig, dim, conf):
    """Mirrors KerasConvolutionUtils#getUpsamplingSizeFromConfig."""
    inner = inner_config(layerConfig, conf)
    if dim >= 2 and conf.LAYER_FIELD_UPSAMPLING_2D_SIZE in inner:
        return _ints(inner[conf.LAYER_FIELD_UPSAMPLING_2D_SIZE], "size", minimum=0)
    if dim == 1 and conf.LAYER_FIELD_UPSAMPLING_1D_SIZE in inner:
        return _ints(inner[conf.LAYER_FIELD_UPSAMPLING_1D_SIZE], "size", minimum=0)[:1]
    raise InvalidKerasConfigurationError(f"Could not determine kernel size: no {conf.LAYER_FIELD_UPSAMPLING_1D_SIZE}, "
                                         f"{conf.LAYER_FIELD_UPSAMPLING_2D_SIZE}")


def kernel_size_of(layerConfig, dim, conf, keras_major_version):
    """Mirrors KerasConvolutionUtils#getKernelSizeFromConfig."""
    inner = inner_config(layerConfig, conf)
    if keras_major_version != 2:
        if dim == 2 and conf.LAYER_FIELD_NB_ROW in inner and conf.LAYER_FIELD_NB_COL in inner:
            return [_int(inner[k], k, minimum=1) for k in (conf.LAYER_FIELD_NB_ROW, conf.LAYER_FIELD_NB_COL)]
        if dim == 3 and all(k in inner for k in (conf.LAYER_FIELD_3D_KERNEL_1, conf.LAYER_FIELD_3D_KERNEL_2,
                                                 conf.LAYER_FIELD_3D_KERNEL_3)):
            return [_int(inner[k], k, minimum=1) for k in (conf.LAYER_FIELD_3D_KERNEL_1, conf.LAYER_FIELD_3D_KERNEL_2,
                                                           conf.LAYER_FIELD_3D_KERNEL_3)]
        if dim == 1 and conf.LAYER_FIELD_FILTER_LENGTH in inner:
            return _ints(inner[conf.LAYER_FIELD_FILTER_LENGTH], "filter_length")[:1]
        if dim >= 2 and conf.LAYER_FIELD_POOL_SIZE in inner:
            return _ints(inner[conf.LAYER_FIELD_POOL_SIZE], "pool_size")
        if dim == 1 and conf.LAYER_FIELD_POOL_1D_SIZE in inner:
            return _ints(inner[conf.LAYER_FIELD_POOL_1D_SIZE], "pool_length")[:1]
    else:
        if dim >= 2 and conf.LAYER_FIELD_KERNEL_SIZE in inner:
            return _ints(inner[conf.LAYER_FIELD_KERNEL_SIZE], "kernel_size")
        if dim == 1 and conf.LAYER_FIELD_FILTER_LENGTH in inner:
            return _ints(inner[conf.LAYER_FIELD_FILTER_LENGTH], "kernel_size")
        if dim >= 2 and conf.LAYER_FIELD_POOL_SIZE in inner:
            return _ints(inner[conf.LAYER_FIELD_POOL_SIZE], "pool_size")
        if dim == 1 and conf.LAYER_FIELD_POOL_1D_SIZE in inner:
            return _ints(inner[conf.LAYER_FIELD_POOL_1D_SIZE], "pool_size")
    raise InvalidKerasConfigurationError("Could not determine kernel size: no kernel_size, filter_length or pool_size "
                                         "field found")


#: Keras border mode -> DL4J ConvolutionMode (KerasConvolutionUtils#getConvolutionModeFromConfig)
BORDER_MODES = {"same": ConvolutionMode.Same, "valid": ConvolutionMode.Truncate, "full": ConvolutionMode.Truncate,
                "causal": ConvolutionMode.Causal}


def convolution_mode_of(layerConfig, conf):
    """Mirrors KerasConvolutionUtils#getConvolutionModeFromConfig."""
    inner = inner_config(layerConfig, conf)
    if conf.LAYER_FIELD_BORDER_MODE not in inner:
        raise InvalidKerasConfigurationError(f"Could not determine convolution border mode: no "
                                             f"{conf.LAYER_FIELD_BORDER_MODE} field found")
    mode = inner[conf.LAYER_FIELD_BORDER_MODE]
    if not isinstance(mode, str):
        raise InvalidKerasConfigurationError(f"{conf.LAYER_FIELD_BORDER_MODE} must be a name, got {mode!r:.60}")
    if mode not in BORDER_MODES:
        raise UnsupportedKerasConfigurationError(f"Unsupported convolution border mode: {mode}")
    return BORDER_MODES[mode]


def padding_from_border_mode(layerConfig, dim, conf, keras_major_version):
    """Mirrors KerasConvolutionUtils#getPaddingFromBorderModeConfig. DL4J compares the border mode with the
    *field name* ("border_mode"/"padding"), so this is None for every real Keras file; kept as DL4J has it."""
    inner = inner_config(layerConfig, conf)
    if conf.LAYER_FIELD_BORDER_MODE not in inner:
        raise InvalidKerasConfigurationError(f"Could not determine convolution border mode: no "
                                             f"{conf.LAYER_FIELD_BORDER_MODE} field found")
    if inner[conf.LAYER_FIELD_BORDER_MODE] == conf.LAYER_FIELD_BORDER_MODE:
        return [k - 1 for k in kernel_size_of(layerConfig, dim, conf, keras_major_version)]
    return None


def padding_of(layerConfig, conf, field, dim):
    """Mirrors KerasConvolutionUtils#getPaddingFromConfig (ZeroPadding / Cropping amounts)."""
    inner = inner_config(layerConfig, conf)
    if field not in inner:
        raise InvalidKerasConfigurationError(f"Field {field} not found in Keras cropping or padding layer")
    v = inner[field]
    if dim >= 2:
        if isinstance(v, list) and v:
            nested = isinstance(v[0], list)
            if len(v) == dim and not nested:
                return [_int(x, field, minimum=0) for x in v]
            if len(v) == dim and nested:
                if not all(isinstance(pair, list) and len(pair) == 2 for pair in v):
                    raise InvalidKerasConfigurationError(f"{field} must hold {dim} pairs (before, after), got {v!r:.60};"
                                                         " the model config is damaged or not what Keras writes")
                return [_int(x, field, minimum=0) for pair in v for x in pair]
            raise InvalidKerasConfigurationError(f"Found Keras ZeroPadding{dim}D layer with invalid {len(v)}D padding.")
        n = _int(v, field, minimum=0)
        return [n] * (2 * dim)
    if dim == 1:
        if isinstance(v, list):
            if len(v) != 2:
                raise InvalidKerasConfigurationError(f"{field} must be an integer or a pair (before, after), got "
                                                     f"{v!r:.60}; the model config is damaged or not what Keras writes")
            return [_int(v[0], field, minimum=0), _int(v[1], field, minimum=0)]
        n = _int(v, field, minimum=0)
        return [n, n]
    raise UnsupportedKerasConfigurationError("Keras padding layer not supported")


# ---------------------------------------------------------------------------------------- convolutions


def _kernel_of_rank(w, ranks, what, layer):
    """The weight array ``w`` when its rank is one of ``ranks``; InvalidKerasConfigurationError naming the layer
    before any layout flip is tried on it otherwise."""
    w = np.asarray(w)
    if w.ndim not in ranks:
        raise InvalidKerasConfigurationError(
            f"{what} must have rank {' or '.join(map(str, ranks))}, got shape {list(w.shape)}; the weights in the "
            "file do not belong to this layer (damaged, or not what Keras writes)", layer=layer)
    return w


def _kernel_tf_to_dl4j(w):
    # Keras (TensorFlow): [kH, kW, nIn, nOut] -> DL4J [nOut, nIn, kH, kW]; 3-D: [kD, kH, kW, nIn, nOut] ->
    # [nOut, nIn, kD, kH, kW]
    return np.transpose(w, (4, 3, 0, 1, 2)) if w.ndim == 5 else np.transpose(w, (3, 2, 0, 1))


def _kernel_theano_to_dl4j(w):
    # Theano kernels are [nOut, nIn, kH, kW] already, but Theano convolves (flips the filter): reverse each
    # kH x kW filter (DL4J reverses the flattened filter, i.e. both axes)
    return np.ascontiguousarray(w[..., ::-1, ::-1])


class KerasConvolution(KerasLayer):
    """Mirrors layers.convolutional.KerasConvolution: the weights of every convolution mapper."""

    def getNumParams(self):
        return self.numTrainableParams

    def getConvParameterValues(self, kernel):
        kernel = _kernel_of_rank(kernel, (4, 5), "convolution kernel ([kH, kW, nIn, nOut] or [kD, kH, kW, nIn, nOut])",
                                 self.layerName)
        if self.dimOrder == DimOrder.TENSORFLOW:
            return _kernel_tf_to_dl4j(kernel)
        if self.dimOrder == DimOrder.THEANO:
            return _kernel_theano_to_dl4j(kernel)
        raise InvalidKerasConfigurationError(f"Unknown keras backend {self.dimOrder.name}", layer=self.layerName)

    def setWeights(self, weights):
        self._set_kernel_and_bias(weights, self.getConvParameterValues)

    # shared builder setup
    def _common(self, builder, layerConfig, enforce, dims, init_field=None, dilation_force=False):
        conf, inner, v = self.conf, self.inner, self.kerasMajorVersion
        self.hasBias = has_bias_of(layerConfig, conf)
        self.numTrainableParams = 2 if self.hasBias else 1
        init = values.weight_init_from_config(inner, init_field or conf.LAYER_FIELD_INIT, enforce, v)
        builder.name(self.layerName).dropOut(self.dropout) \
            .activation(values.activation_from_config(inner, conf)).weightInit(init) \
            .l1(self.weightL1Regularization).l2(self.weightL2Regularization) \
            .convolutionMode(convolution_mode_of(layerConfig, conf)).hasBias(self.hasBias)
        return builder

    def _constraints(self, builder, weight_field=None):
        conf, inner, v = self.conf, self.inner, self.kerasMajorVersion
        bias_c = values.constraint_from_config(inner, conf.LAYER_FIELD_B_CONSTRAINT, conf, v)
        weight_c = values.constraint_from_config(inner, weight_field or conf.LAYER_FIELD_W_CONSTRAINT, conf, v)
        if bias_c is not None:
            builder.constrainBias(bias_c)
        if weight_c is not None:
            builder.constrainWeights(weight_c)

    def _out(self, inputType, what="Convolution"):
        if len(inputType) > 1:
            raise InvalidKerasConfigurationError(f"Keras {what} layer accepts only one input (received {len(inputType)})",
                                                 layer=self.layerName)
        return inputType[0]


@register("Conv2D", versions=(2,))
@register("Convolution2D", versions=(1,))
class KerasConvolution2D(KerasConvolution):
    """Mirrors layers.convolutional.KerasConvolution2D -> ConvolutionLayer (NHWC for TensorFlow ordering)."""

    def __init__(self, layerConfig, enforceTrainingConfig=True, previousLayers=None):
        super().__init__(layerConfig, enforceTrainingConfig)
        conf, v = self.conf, self.kerasMajorVersion
        dilation = dilation_of(layerConfig, 2, conf, False)
        b = self._common(ConvolutionLayer.Builder(), layerConfig, enforceTrainingConfig, 2)
        b.nOut(n_out_of(layerConfig, conf)) \
            .dataFormat(CNN2DFormat.NHWC if self.dimOrder == DimOrder.TENSORFLOW else CNN2DFormat.NCHW) \
            .kernelSize(kernel_size_of(layerConfig, 2, conf, v)).stride(stride_of(layerConfig, 2, conf))
        padding = padding_from_border_mode(layerConfig, 2, conf, v)
        if self.hasBias:
            b.biasInit(0.0)
        if padding is not None:
            b.padding(padding)
        if dilation is not None:
            b.dilation(dilation)
        self._constraints(b)
        self.layer = b.build()
        self.layer.defaultValueOverriden = True  # DL4J: setDefaultValueOverriden(true)

    def getOutputType(self, *inputType):
        t = self._out(inputType)
        pre = self.getInputPreprocessor(t)
        return self.layer.getOutputType(-1, pre.getOutputType(t) if pre is not None else t)


@register("AtrousConvolution2D", versions=(1,))
class KerasAtrousConvolution2D(KerasConvolution):
    """Mirrors layers.convolutional.KerasAtrousConvolution2D (Keras 1) -> ConvolutionLayer with dilation."""

    def __init__(self, layerConfig, enforceTrainingConfig=True, previousLayers=None):
        super().__init__(layerConfig, enforceTrainingConfig)
        conf, v = self.conf, self.kerasMajorVersion
        b = self._common(ConvolutionLayer.Builder(), layerConfig, enforceTrainingConfig, 2)
        b.nOut(n_out_of(layerConfig, conf)).dilation(dilation_of(layerConfig, 2, conf, True)) \
            .kernelSize(kernel_size_of(layerConfig, 2, conf, v)) \
            .dataFormat(CNN2DFormat.NHWC if self.dimOrder == DimOrder.TENSORFLOW else CNN2DFormat.NCHW) \
            .stride(stride_of(layerConfig, 2, conf))
        padding = padding_from_border_mode(layerConfig, 2, conf, v)
        if self.hasBias:
            b.biasInit(0.0)
        if padding is not None:
            b.padding(padding)
        self._constraints(b)
        self.layer = b.build()

    def getOutputType(self, *inputType):
        return self.layer.getOutputType(-1, self._out(inputType))


@register("Conv1D", versions=(2,))
@register("Convolution1D", versions=(1,))
class KerasConvolution1D(KerasConvolution):
    """Mirrors layers.convolutional.KerasConvolution1D -> Convolution1DLayer (NWC for TensorFlow ordering)."""

    def __init__(self, layerConfig, enforceTrainingConfig=True, previousLayers=None):
        super().__init__(layerConfig, enforceTrainingConfig)
        conf, v = self.conf, self.kerasMajorVersion
        dilation = dilation_of(layerConfig, 1, conf, False)
        tf = self.dimOrder == DimOrder.TENSORFLOW
        b = self._common(Convolution1DLayer.Builder(), layerConfig, enforceTrainingConfig, 1)
        b.nOut(n_out_of(layerConfig, conf)).kernelSize(kernel_size_of(layerConfig, 1, conf, v)[0]) \
            .stride(stride_of(layerConfig, 1, conf)[0]).rnnDataFormat(RNNFormat.NWC if tf else RNNFormat.NCW)
        padding = padding_from_border_mode(layerConfig, 1, conf, v)
        if self.hasBias:
            b.biasInit(0.0)
        if padding is not None:
            b.padding(padding[0])
        if dilation is not None:
            b.dilation(dilation[0])
        self._constraints(b)
        self.layer = b.build()
        self.layer.defaultValueOverriden = True  # DL4J: setDefaultValueOverriden(true)
        self.layer.cnn2dDataFormat = CNN2DFormat.NHWC if tf else CNN2DFormat.NCHW

    def getInputPreprocessor(self, *inputType):
        t = self._out(inputType, "Conv1D")
        if t is None or t.type != "RNN":
            return preprocessor_for_rnn(t, RNNFormat.NCW, self.layerName)
        return preprocessor_for_rnn(t, t.format, self.layerName)

    def getOutputType(self, *inputType):
        t = self._out(inputType)
        pre = self.getInputPreprocessor(t)
        return self.layer.getOutputType(-1, pre.getOutputType(t) if pre is not None else t)

    def setWeights(self, weights):
        self._set_kernel_and_bias(weights, self._conv1d_kernel)

    def _conv1d_kernel(self, w):
        w = np.asarray(w)
        if w.ndim != 3:
            raise InvalidKerasConfigurationError(f"Conv1D kernel must have rank 3 [k, nIn, nOut], got shape "
                                                 f"{list(w.shape)}", layer=self.layerName)
        if self.dimOrder == DimOrder.TENSORFLOW:
            # [k, nIn, nOut] -> [k, nIn, nOut, 1]; copyWeightsToLayer's 'c' reshape then lays it into DL4J's
            # [nOut, nIn, k, 1] (DL4J M2.1 does exactly this, no transpose)
            w = w.reshape(w.shape[0], w.shape[1], w.shape[2], 1)
        elif self.dimOrder == DimOrder.THEANO:
            k, n_in, n_out = w.shape
            w = np.ascontiguousarray(w).reshape(n_out, n_in, k, 1)
        else:
            raise InvalidKerasConfigurationError(f"Unknown keras backend {self.dimOrder.name}", layer=self.layerName)
        return w


@register("AtrousConvolution1D", versions=(1,))
class KerasAtrousConvolution1D(KerasConvolution):
    """Mirrors layers.convolutional.KerasAtrousConvolution1D (Keras 1) -> Convolution1DLayer with dilation."""

    def __init__(self, layerConfig, enforceTrainingConfig=True, previousLayers=None):
        super().__init__(layerConfig, enforceTrainingConfig)
        conf, v = self.conf, self.kerasMajorVersion
        tf = self.dimOrder == DimOrder.TENSORFLOW
        b = self._common(Convolution1DLayer.Builder(), layerConfig, enforceTrainingConfig, 1)
        b.nOut(n_out_of(layerConfig, conf)).dilation(dilation_of(layerConfig, 1, conf, True)[0]) \
            .kernelSize(kernel_size_of(layerConfig, 1, conf, v)[0]) \
            .rnnDataFormat(RNNFormat.NWC if tf else RNNFormat.NCW).stride(stride_of(layerConfig, 1, conf)[0])
        padding = padding_from_border_mode(layerConfig, 1, conf, v)
        if self.hasBias:
            b.biasInit(0.0)
        if padding is not None:
            b.padding(padding[0])
        self._constraints(b)
        self.layer = b.build()
        self.layer.defaultValueOverriden = True  # DL4J: setDefaultValueOverriden(true)

    def getOutputType(self, *inputType):
        return self.layer.getOutputType(-1, self._out(inputType))


@register("Conv3D", versions=(2,))
@register("Convolution3D", versions=(1,))
class KerasConvolution3D(KerasConvolution):
    """Mirrors layers.convolutional.KerasConvolution3D -> Convolution3D."""

    def __init__(self, layerConfig, enforceTrainingConfig=True, previousLayers=None):
        super().__init__(layerConfig, enforceTrainingConfig)
        conf, v = self.conf, self.kerasMajorVersion
        dilation = dilation_of(layerConfig, 3, conf, False)
        b = self._common(Convolution3D.Builder(), layerConfig, enforceTrainingConfig, 3)
        b.nOut(n_out_of(layerConfig, conf)).kernelSize(kernel_size_of(layerConfig, 3, conf, v)) \
            .dataFormat(cnn3d_format_of(layerConfig, conf)).stride(stride_of(layerConfig, 3, conf))
        padding = padding_from_border_mode(layerConfig, 3, conf, v)
        if self.hasBias:
            b.biasInit(0.0)
        if padding is not None:
            b.padding(padding)
        if dilation is not None:
            b.dilation(dilation)
        self._constraints(b)
        self.layer = b.build()

    def getOutputType(self, *inputType):
        t = self._out(inputType)
        pre = self.getInputPreprocessor(t)
        return self.layer.getOutputType(-1, pre.getOutputType(t) if pre is not None else t)


@register("Conv2DTranspose", versions=(2,))
@register("Deconvolution2D", versions=(1,))
class KerasDeconvolution2D(KerasConvolution):
    """Mirrors layers.convolutional.KerasDeconvolution2D -> Deconvolution2D."""

    def __init__(self, layerConfig, enforceTrainingConfig=True, previousLayers=None):
        super().__init__(layerConfig, enforceTrainingConfig)
        conf, v = self.conf, self.kerasMajorVersion
        dilation = dilation_of(layerConfig, 2, conf, False)
        b = self._common(Deconvolution2D.Builder(), layerConfig, enforceTrainingConfig, 2)
        b.nOut(n_out_of(layerConfig, conf)).dataFormat(cnn2d_format_of(layerConfig, conf)) \
            .kernelSize(kernel_size_of(layerConfig, 2, conf, v)).stride(stride_of(layerConfig, 2, conf))
        padding = padding_from_border_mode(layerConfig, 2, conf, v)
        if self.hasBias:
            b.biasInit(0.0)
        if padding is not None:
            b.padding(padding)
        if dilation is not None:
            b.dilation(dilation)
        self._constraints(b)
        self.layer = b.build()
        self.layer.defaultValueOverriden = True  # DL4J: setDefaultValueOverriden(true)

    def getOutputType(self, *inputType):
        return self.layer.getOutputType(-1, self._out(inputType))


@register("Conv3DTranspose", versions=(2,))
class KerasDeconvolution3D(KerasConvolution):
    """Mirrors layers.convolutional.KerasDeconvolution3D -> Deconvolution3D (DL4J reads a 2-D kernel size)."""

    def __init__(self, layerConfig, enforceTrainingConfig=True, previousLayers=None):
        super().__init__(layerConfig, enforceTrainingConfig)
        conf, v = self.conf, self.kerasMajorVersion
        dilation = dilation_of(layerConfig, 3, conf, False)
        b = self._common(Deconvolution3D.Builder(), layerConfig, enforceTrainingConfig, 3)
        b.nOut(n_out_of(layerConfig, conf)).dataFormat(cnn3d_format_of(layerConfig, conf)) \
            .kernelSize(kernel_size_of(layerConfig, 2, conf, v)).stride(stride_of(layerConfig, 3, conf))
        padding = padding_from_border_mode(layerConfig, 3, conf, v)
        if self.hasBias:
            b.biasInit(0.0)
        if padding is not None:
            b.padding(padding)
        if dilation is not None:
            b.dilation(dilation)
        self._constraints(b)
        self.layer = b.build()
        self.layer.defaultValueOverriden = True  # DL4J: setDefaultValueOverriden(true)

    def getOutputType(self, *inputType):
        return self.layer.getOutputType(-1, self._out(inputType))


@register("DepthwiseConv2D", versions=(2,))
class KerasDepthwiseConvolution2D(KerasConvolution):
    """Mirrors layers.convolutional.KerasDepthwiseConvolution2D -> DepthwiseConvolution2D.

    Deviation (docs/deviations.md): DL4J M2.1 finds nIn by walking inbound layers for a FeedForwardLayer with nOut
    and fails with IndexOutOfBoundsException when it reaches the input first (every DepthwiseConv2D not preceded by
    a convolution, e.g. shared/keras/unsupported/tfkeras/cnn2d_40.h5); here nIn comes from the inferred input
    type when that walk finds nothing."""

    def __init__(self, layerConfig, enforceTrainingConfig=True, previousLayers=None):
        super().__init__(layerConfig, enforceTrainingConfig)
        conf, inner, v = self.conf, self.inner, self.kerasMajorVersion
        self.hasBias = has_bias_of(layerConfig, conf)
        self.numTrainableParams = 2 if self.hasBias else 1
        dilation = dilation_of(layerConfig, 2, conf, False)
        init = values.weight_init_from_config(inner, conf.LAYER_FIELD_DEPTH_WISE_INIT, enforceTrainingConfig, v)
        n_in = self._n_in_from_previous(previousLayers or {})
        dm = depth_multiplier_of(layerConfig, conf)
        self.weightL1Regularization = values.weight_regularizer_from_config(
            inner, conf.LAYER_FIELD_DEPTH_WISE_REGULARIZER, conf.REGULARIZATION_TYPE_L1, conf)
        self.weightL2Regularization = values.weight_regularizer_from_config(
            inner, conf.LAYER_FIELD_DEPTH_WISE_REGULARIZER, conf.REGULARIZATION_TYPE_L2, conf)
        b = DepthwiseConvolution2D.Builder().name(self.layerName).dropOut(self.dropout)
        if n_in is not None:
            b.nIn(n_in).nOut(n_in * dm)
        b.activation(values.activation_from_config(inner, conf)).weightInit(init).depthMultiplier(dm) \
            .l1(self.weightL1Regularization).l2(self.weightL2Regularization) \
            .convolutionMode(convolution_mode_of(layerConfig, conf)).kernelSize(kernel_size_of(layerConfig, 2, conf, v)) \
            .hasBias(self.hasBias) \
            .dataFormat(CNN2DFormat.NHWC if self.dimOrder == DimOrder.TENSORFLOW else CNN2DFormat.NCHW) \
            .stride(stride_of(layerConfig, 2, conf))
        padding = padding_from_border_mode(layerConfig, 2, conf, v)
        if self.hasBias:
            b.biasInit(0.0)
        if padding is not None:
            b.padding(padding)
        if dilation is not None:
            b.dilation(dilation)
        self._constraints(b, conf.LAYER_FIELD_DEPTH_WISE_CONSTRAINT)
        self.layer = b.build()
        self.layer.defaultValueOverriden = True  # DL4J: setDefaultValueOverriden(true)
        self._dm = dm

    def _n_in_from_previous(self, previous):
        """Mirrors KerasLayer#getNInFromConfig, returning None where DL4J's walk fails."""
        name = self.inboundLayerNames[0] if self.inboundLayerNames else None
        seen = set()
        while name is not None and name in previous and name not in seen:
            seen.add(name)
            inbound = previous[name]
            n_out = getattr(inbound.getLayer(), "nOut", None)
            if isinstance(n_out, int) and n_out > 0 and hasattr(inbound.getLayer(), "nIn"):
                return n_out
            name = inbound.inboundLayerNames[0] if inbound.inboundLayerNames else None
        return None

    def getOutputType(self, *inputType):
        t = self._out(inputType, "depth-wise convolution 2D")
        if self.layer.nIn is None or self.layer.nIn <= 0:  # the deviation: nIn from the input type
            n_in = t.channels if t.type == "CNN" else None
            if n_in:
                self.layer.nIn, self.layer.nOut = n_in, n_in * self._dm
        return self.layer.getOutputType(-1, t)

    def setWeights(self, weights):
        self.weights = {}
        dw = self.conf.LAYER_PARAM_NAME_DEPTH_WISE_KERNEL
        if dw not in weights:
            raise InvalidKerasConfigurationError(f"Keras DepthwiseConvolution2D layer does not contain parameter {dw}",
                                                 layer=self.layerName)
        # Keras [kH, kW, nIn, depthMultiplier] is DL4J's DepthwiseConvolution2D W layout as is
        self.weights["W"] = weights[dw]
        if self.hasBias:
            self.weights["b"] = _sep_bias(self, weights, "DepthwiseConvolution2D")


def _sep_bias(layer, weights, what):
    if layer.kerasMajorVersion == 2 and "bias" in weights:
        return weights["bias"]
    if layer.kerasMajorVersion == 1 and "b" in weights:
        return weights["b"]
    raise InvalidKerasConfigurationError(f"Keras {what} layer does not contain bias parameter", layer=layer.layerName)


@register("SeparableConv2D", versions=(2,))
@register("SeparableConvolution2D", versions=(1,))
class KerasSeparableConvolution2D(KerasConvolution):
    """Mirrors layers.convolutional.KerasSeparableConvolution2D -> SeparableConvolution2D."""

    def __init__(self, layerConfig, enforceTrainingConfig=True, previousLayers=None):
        super().__init__(layerConfig, enforceTrainingConfig)
        conf, inner, v = self.conf, self.inner, self.kerasMajorVersion
        self.hasBias = has_bias_of(layerConfig, conf)
        self.numTrainableParams = 3 if self.hasBias else 2
        dilation = dilation_of(layerConfig, 2, conf, False)
        dm = depth_multiplier_of(layerConfig, conf)
        dinit = values.weight_init_from_config(inner, conf.LAYER_FIELD_DEPTH_WISE_INIT, enforceTrainingConfig, v)
        pinit = values.weight_init_from_config(inner, conf.LAYER_FIELD_POINT_WISE_INIT, enforceTrainingConfig, v)
        if type(dinit) is not type(pinit):
            if enforceTrainingConfig:
                raise UnsupportedKerasConfigurationError(
                    "Specifying different initialization for depth- and point-wise weights not supported.",
                    layer=self.layerName)
            values.log.warning("Specifying different initialization for depth- and point-wise  weights not supported.")
        self.weightL1Regularization = values.weight_regularizer_from_config(
            inner, conf.LAYER_FIELD_DEPTH_WISE_REGULARIZER, conf.REGULARIZATION_TYPE_L1, conf)
        self.weightL2Regularization = values.weight_regularizer_from_config(
            inner, conf.LAYER_FIELD_DEPTH_WISE_REGULARIZER, conf.REGULARIZATION_TYPE_L2, conf)
        b = SeparableConvolution2D.Builder().name(self.layerName).nOut(n_out_of(layerConfig, conf)) \
            .dropOut(self.dropout).activation(values.activation_from_config(inner, conf)).weightInit(dinit) \
            .depthMultiplier(dm).l1(self.weightL1Regularization).l2(self.weightL2Regularization) \
            .convolutionMode(convolution_mode_of(layerConfig, conf)).kernelSize(kernel_size_of(layerConfig, 2, conf, v)) \
            .hasBias(self.hasBias).dataFormat(cnn2d_format_of(layerConfig, conf)).stride(stride_of(layerConfig, 2, conf))
        padding = padding_from_border_mode(layerConfig, 2, conf, v)
        if self.hasBias:
            b.biasInit(0.0)
        if padding is not None:
            b.padding(padding)
        if dilation is not None:
            b.dilation(dilation)
        bias_c = values.constraint_from_config(inner, conf.LAYER_FIELD_B_CONSTRAINT, conf, v)
        dw_c = values.constraint_from_config(inner, conf.LAYER_FIELD_DEPTH_WISE_CONSTRAINT, conf, v)
        pw_c = values.constraint_from_config(inner, conf.LAYER_FIELD_POINT_WISE_CONSTRAINT, conf, v)
        if bias_c is not None:
            b.constrainBias(bias_c)
        if dw_c is not None:
            b.constrainWeights(dw_c)
        if pw_c is not None:
            b.constrainPointWise(pw_c)
        self.layer = b.build()
        self.layer.defaultValueOverriden = True  # DL4J: setDefaultValueOverriden(true)

    def setWeights(self, weights):
        conf = self.conf
        self.weights = {}
        for key, dkey in ((conf.LAYER_PARAM_NAME_DEPTH_WISE_KERNEL, "W"), (conf.LAYER_PARAM_NAME_POINT_WISE_KERNEL, "pW")):
            if key not in weights:
                raise InvalidKerasConfigurationError(f"Keras SeparableConvolution2D layer does not contain parameter {key}",
                                                     layer=self.layerName)
            w = _kernel_of_rank(weights[key], (4,), f"SeparableConvolution2D {key} ([kH, kW, a, b])", self.layerName)
            # Keras [kH, kW, a, b] -> DL4J [b, a, kH, kW] (depth-wise: [dm, nIn, kH, kW]; point-wise: [nOut, nIn*dm, 1, 1])
            self.weights[dkey] = np.transpose(w, (3, 2, 0, 1))
        if self.hasBias:
            self.weights["b"] = _sep_bias(self, weights, "SeparableConvolution2D")

    def getOutputType(self, *inputType):
        return self.layer.getOutputType(-1, self._out(inputType, "separable convolution 2D"))


# ---------------------------------------------------------------------------------------- no-param spatial layers


class _Spatial(KerasLayer):
    WHAT = ""
    TIME_AXIS_ONLY = False  # a DL4J 1-D layer that works on [minibatch, channels, time] only

    def getOutputType(self, *inputType):
        if len(inputType) > 1:
            raise InvalidKerasConfigurationError(f"Keras {self.WHAT} layer accepts only one input "
                                                 f"(received {len(inputType)})", layer=self.layerName)
        t = inputType[0]
        if self.TIME_AXIS_ONLY and t is not None and t.type == "RNN" and t.format == RNNFormat.NWC:
            # Deviation (docs/deviations.md): DL4J M2.1 maps Keras's (always channels_last) 1-D padding / cropping /
            # upsampling to layers that act on axis 2 of [mb, C, T]; on an NWC activation they would pad, crop or
            # repeat the channels. Refused rather than imported wrong.
            raise UnsupportedKerasConfigurationError(
                f"Keras {self.className} on channels_last (NWC) data: DL4J's {type(self.layer).__name__} works on "
                "[minibatch, channels, time] and would act on the channel axis", layer=self.layerName)
        return self.layer.getOutputType(-1, t)


@register("Cropping1D")
class KerasCropping1D(_Spatial):
    """Mirrors layers.convolutional.KerasCropping1D -> Cropping1D."""

    WHAT = "Cropping"
    TIME_AXIS_ONLY = True

    def __init__(self, layerConfig, enforceTrainingConfig=True, previousLayers=None):
        super().__init__(layerConfig, enforceTrainingConfig)
        c = padding_of(layerConfig, self.conf, self.conf.LAYER_FIELD_CROPPING, 1)
        self.layer = Cropping1D.Builder(c).name(self.layerName).dropOut(self.dropout).build()


@register("Cropping2D")
class KerasCropping2D(_Spatial):
    """Mirrors layers.convolutional.KerasCropping2D -> Cropping2D."""

    WHAT = "Cropping"

    def __init__(self, layerConfig, enforceTrainingConfig=True, previousLayers=None):
        super().__init__(layerConfig, enforceTrainingConfig)
        c = padding_of(layerConfig, self.conf, self.conf.LAYER_FIELD_CROPPING, 2)
        self.layer = Cropping2D.Builder(c) \
            .dataFormat(CNN2DFormat.NHWC if self.dimOrder == DimOrder.TENSORFLOW else CNN2DFormat.NCHW) \
            .name(self.layerName).dropOut(self.dropout).build()


@register("Cropping3D")
class KerasCropping3D(_Spatial):
    """Mirrors layers.convolutional.KerasCropping3D -> Cropping3D."""

    WHAT = "Cropping 3D"

    def __init__(self, layerConfig, enforceTrainingConfig=True, previousLayers=None):
        super().__init__(layerConfig, enforceTrainingConfig)
        c = padding_of(layerConfig, self.conf, self.conf.LAYER_FIELD_CROPPING, 3)
        self.layer = Cropping3D.Builder(c).name(self.layerName).dropOut(self.dropout).build()


@register("ZeroPadding1D")
class KerasZeroPadding1D(_Spatial):
    """Mirrors layers.convolutional.KerasZeroPadding1D -> ZeroPadding1DLayer."""

    WHAT = "ZeroPadding"
    TIME_AXIS_ONLY = True

    def __init__(self, layerConfig, enforceTrainingConfig=True, previousLayers=None):
        super().__init__(layerConfig, enforceTrainingConfig)
        p = padding_of(layerConfig, self.conf, self.conf.LAYER_FIELD_ZERO_PADDING, 1)
        self.layer = ZeroPadding1DLayer.Builder(p).name(self.layerName).dropOut(self.dropout).build()


@register("ZeroPadding2D")
class KerasZeroPadding2D(_Spatial):
    """Mirrors layers.convolutional.KerasZeroPadding2D -> ZeroPaddingLayer."""

    WHAT = "ZeroPadding"

    def __init__(self, layerConfig, enforceTrainingConfig=True, previousLayers=None):
        super().__init__(layerConfig, enforceTrainingConfig)
        p = padding_of(layerConfig, self.conf, self.conf.LAYER_FIELD_ZERO_PADDING, 2)
        self.layer = ZeroPaddingLayer.Builder(p) \
            .dataFormat(CNN2DFormat.NHWC if self.dimOrder == DimOrder.TENSORFLOW else CNN2DFormat.NCHW) \
            .name(self.layerName).dropOut(self.dropout).build()


@register("ZeroPadding3D")
class KerasZeroPadding3D(_Spatial):
    """Mirrors layers.convolutional.KerasZeroPadding3D -> ZeroPadding3DLayer."""

    WHAT = "ZeroPadding3D"

    def __init__(self, layerConfig, enforceTrainingConfig=True, previousLayers=None):
        super().__init__(layerConfig, enforceTrainingConfig)
        p = padding_of(layerConfig, self.conf, self.conf.LAYER_FIELD_ZERO_PADDING, 3)
        self.layer = ZeroPadding3DLayer.Builder(p).name(self.layerName).dropOut(self.dropout).build()


@register("UpSampling1D")
class KerasUpsampling1D(_Spatial):
    """Mirrors layers.convolutional.KerasUpsampling1D -> Upsampling1D."""

    WHAT = "Upsampling 1D"
    TIME_AXIS_ONLY = True

    def __init__(self, layerConfig, enforceTrainingConfig=True, previousLayers=None):
        super().__init__(layerConfig, enforceTrainingConfig)
        size = upsampling_size_of(layerConfig, 1, self.conf)
        self.layer = Upsampling1D.Builder().name(self.layerName).dropOut(self.dropout).size(size[0]).build()


@register("UpSampling2D")
class KerasUpsampling2D(_Spatial):
    """Mirrors layers.convolutional.KerasUpsampling2D -> Upsampling2D (DL4J sets no data format here)."""

    WHAT = "Upsampling"

    def __init__(self, layerConfig, enforceTrainingConfig=True, previousLayers=None):
        super().__init__(layerConfig, enforceTrainingConfig)
        size = upsampling_size_of(layerConfig, 2, self.conf)
        self.layer = Upsampling2D.Builder().name(self.layerName).dropOut(self.dropout).size(size).build()


@register("UpSampling3D")
class KerasUpsampling3D(_Spatial):
    """Mirrors layers.convolutional.KerasUpsampling3D -> Upsampling3D."""

    WHAT = "Upsampling 3D"

    def __init__(self, layerConfig, enforceTrainingConfig=True, previousLayers=None):
        super().__init__(layerConfig, enforceTrainingConfig)
        size = upsampling_size_of(layerConfig, 3, self.conf)
        self.layer = Upsampling3D.Builder().name(self.layerName).dropOut(self.dropout) \
            .dataFormat(cnn3d_format_of(layerConfig, self.conf)).size(size[0]).build()
