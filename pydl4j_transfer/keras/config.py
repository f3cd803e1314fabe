"""Keras configuration field names, per Keras major version (tables, no code).

Mirrors org.deeplearning4j.nn.modelimport.keras.config.{KerasLayerConfiguration, Keras1LayerConfiguration,
Keras2LayerConfiguration, KerasModelConfiguration, KerasLayerConfigurationFactory}: DL4J's getters
(``conf.getLAYER_FIELD_NAME()``) are plain attributes here (``conf.LAYER_FIELD_NAME``).
"""

from __future__ import annotations

from pydl4j_transfer.errors import UnsupportedKerasConfigurationError

#: fields whose name is the same in Keras 1 and 2
_SHARED = dict(
    LAYER_FIELD_KERAS_VERSION="keras_version", LAYER_FIELD_CLASS_NAME="class_name", LAYER_FIELD_LAYER="layer",
    LAYER_CLASS_NAME_ACTIVATION="Activation", LAYER_CLASS_NAME_INPUT="InputLayer", LAYER_CLASS_NAME_PERMUTE="Permute",
    LAYER_CLASS_NAME_DROPOUT="Dropout", LAYER_CLASS_NAME_REPEAT="RepeatVector", LAYER_CLASS_NAME_LAMBDA="Lambda",
    LAYER_CLASS_NAME_MASKING="Masking", LAYER_CLASS_NAME_TIME_DISTRIBUTED="TimeDistributed",
    LAYER_CLASS_NAME_TIME_DISTRIBUTED_DENSE="TimeDistributedDense",
    LAYER_FIELD_INPUT_SHAPE="input_shape", LAYER_FIELD_CONFIG="config", LAYER_FIELD_NAME="name",
    LAYER_FIELD_BATCH_INPUT_SHAPE="batch_input_shape", LAYER_FIELD_INBOUND_NODES="inbound_nodes",
    LAYER_FIELD_OUTBOUND_NODES="outbound_nodes", LAYER_FIELD_DROPOUT="dropout",
    LAYER_FIELD_EMBEDDING_OUTPUT_DIM="output_dim", LAYER_FIELD_REPEAT_MULTIPLIER="n", LAYER_FIELD_BACKEND="backend",
    LAYER_FIELD_RECURRENT_CONSTRAINT="recurrent_constraint", LAYER_FIELD_FORGET_BIAS_INIT="forget_bias_init",
    LAYER_FIELD_UNIT_FORGET_BIAS="unit_forget_bias", LAYER_FIELD_RETURN_SEQUENCES="return_sequences",
    LAYER_FIELD_UNROLL="unroll", LAYER_FIELD_INPUT_DIM="input_dim", LAYER_FIELD_MASK_ZERO="mask_zero",
    LAYER_FIELD_INPUT_LENGTH="input_length", LAYER_FIELD_MASK_VALUE="mask_value",
    LAYER_PARAM_NAME_DEPTH_WISE_KERNEL="depthwise_kernel", LAYER_PARAM_NAME_POINT_WISE_KERNEL="pointwise_kernel",
    LAYER_FIELD_DEPTH_MULTIPLIER="depth_multiplier", LAYER_FIELD_DEPTH_WISE_INIT="depthwise_initializer",
    LAYER_FIELD_POINT_WISE_INIT="pointwise_initializer", LAYER_FIELD_DEPTH_WISE_REGULARIZER="depthwise_regularizer",
    LAYER_FIELD_POINT_WISE_REGULARIZER="pointwise_regularizer", LAYER_FIELD_DEPTH_WISE_CONSTRAINT="depthwise_constraint",
    LAYER_FIELD_POINT_WISE_CONSTRAINT="pointwise_constraint",
    LAYER_FIELD_BATCHNORMALIZATION_BETA_CONSTRAINT="beta_constraint",
    LAYER_FIELD_BATCHNORMALIZATION_GAMMA_CONSTRAINT="gamma_constraint",
    LAYER_FIELD_NB_ROW="nb_row", LAYER_FIELD_NB_COL="nb_col", LAYER_FIELD_KERNEL_SIZE="kernel_size",
    LAYER_FIELD_POOL_SIZE="pool_size", LAYER_FIELD_ZERO_PADDING="padding", LAYER_FIELD_CROPPING="cropping",
    LAYER_FIELD_3D_KERNEL_1="kernel_dim1", LAYER_FIELD_3D_KERNEL_2="kernel_dim2", LAYER_FIELD_3D_KERNEL_3="kernel_dim3",
    LAYER_FIELD_POOL_STRIDES="strides", LAYER_FIELD_UPSAMPLING_2D_SIZE="size", LAYER_FIELD_UPSAMPLING_3D_SIZE="size",
    LAYER_BORDER_MODE_SAME="same", LAYER_BORDER_MODE_VALID="valid", LAYER_BORDER_MODE_FULL="full",
    LAYER_BORDER_MODE_CAUSAL="causal", LAYER_FIELD_RATE="rate",
    REGULARIZATION_TYPE_L1="l1", REGULARIZATION_TYPE_L2="l2",
    LAYER_FIELD_CONSTRAINT_DIM="axis", LAYER_FIELD_CONSTRAINT_RATE="rate",
    LAYER_FIELD_BIAS_INIT="bias_initializer", LAYER_FIELD_ACTIVATION="activation",
    LAYER_FIELD_INIT_MEAN="mean", LAYER_FIELD_INIT_STDDEV="stddev", LAYER_FIELD_INIT_SCALE="scale",
    LAYER_FIELD_INIT_MINVAL="minval", LAYER_FIELD_INIT_MAXVAL="maxval", LAYER_FIELD_INIT_VALUE="value",
    LAYER_FIELD_INIT_GAIN="gain", LAYER_FIELD_INIT_MODE="mode", LAYER_FIELD_INIT_DISTRIBUTION="distribution",
)

#: Keras 1 names (Keras1LayerConfiguration)
_KERAS1 = dict(
    LAYER_CLASS_NAME_CONVOLUTION_1D="Convolution1D", LAYER_CLASS_NAME_CONVOLUTION_2D="Convolution2D",
    LAYER_CLASS_NAME_CONVOLUTION_3D="Convolution3D", LAYER_CLASS_NAME_SEPARABLE_CONVOLUTION_2D="SeparableConvolution2D",
    LAYER_CLASS_NAME_DECONVOLUTION_2D="Deconvolution2D",
    LAYER_FIELD_OUTPUT_DIM="output_dim", LAYER_FIELD_DROPOUT_RATE="p", LAYER_FIELD_USE_BIAS="bias",
    KERAS_PARAM_NAME_W="W", KERAS_PARAM_NAME_B="b", KERAS_PARAM_NAME_RW="U",
    LAYER_FIELD_DIM_ORDERING="dim_ordering", DIM_ORDERING_THEANO="th", DIM_ORDERING_TENSORFLOW="tf",
    LAYER_FIELD_DROPOUT_W="dropout_W", LAYER_FIELD_DROPOUT_U="dropout_U", LAYER_FIELD_INNER_INIT="inner_init",
    LAYER_FIELD_INNER_ACTIVATION="inner_activation", LAYER_FIELD_EMBEDDING_INIT="init",
    LAYER_FIELD_EMBEDDING_WEIGHTS="W", LAYER_FIELD_EMBEDDINGS_REGULARIZER="W_regularizer",
    LAYER_FIELD_EMBEDDINGS_CONSTRAINT="W_constraint",
    LAYER_FIELD_BATCHNORMALIZATION_BETA_INIT="beta_init", LAYER_FIELD_BATCHNORMALIZATION_GAMMA_INIT="gamma_init",
    LAYER_FIELD_BATCHNORMALIZATION_MOVING_MEAN="running_mean",
    LAYER_FIELD_BATCHNORMALIZATION_MOVING_VARIANCE="running_std",
    LAYER_FIELD_PRELU_INIT="init", LAYER_FIELD_NB_FILTER="nb_filter", LAYER_FIELD_CONVOLUTION_STRIDES="subsample",
    LAYER_FIELD_FILTER_LENGTH="filter_length", LAYER_FIELD_SUBSAMPLE_LENGTH="subsample_length",
    LAYER_FIELD_DILATION_RATE="atrous_rate", LAYER_FIELD_POOL_1D_SIZE="pool_length", LAYER_FIELD_POOL_1D_STRIDES="stride",
    LAYER_FIELD_UPSAMPLING_1D_SIZE="length", LAYER_FIELD_BORDER_MODE="border_mode",
    LAYER_FIELD_GAUSSIAN_VARIANCE="sigma", LAYER_FIELD_W_REGULARIZER="W_regularizer",
    LAYER_FIELD_B_REGULARIZER="b_regularizer", LAYER_FIELD_CONSTRAINT_NAME="name", LAYER_FIELD_W_CONSTRAINT="W_constraint",
    LAYER_FIELD_B_CONSTRAINT="b_constraint", LAYER_FIELD_MAX_CONSTRAINT="m", LAYER_FIELD_MINMAX_MIN_CONSTRAINT="low",
    LAYER_FIELD_MINMAX_MAX_CONSTRAINT="high", LAYER_FIELD_INIT="init",
)

#: Keras 2 names (Keras2LayerConfiguration)
_KERAS2 = dict(
    LAYER_CLASS_NAME_CONVOLUTION_1D="Conv1D", LAYER_CLASS_NAME_CONVOLUTION_2D="Conv2D",
    LAYER_CLASS_NAME_CONVOLUTION_3D="Conv3D", LAYER_CLASS_NAME_SEPARABLE_CONVOLUTION_2D="SeparableConv2D",
    LAYER_CLASS_NAME_DECONVOLUTION_2D="Conv2DTranspose",
    LAYER_FIELD_OUTPUT_DIM="units", LAYER_FIELD_DROPOUT_RATE="rate", LAYER_FIELD_USE_BIAS="use_bias",
    KERAS_PARAM_NAME_W="kernel", KERAS_PARAM_NAME_B="bias", KERAS_PARAM_NAME_RW="recurrent_kernel",
    LAYER_FIELD_DIM_ORDERING="data_format", DIM_ORDERING_THEANO="channels_first", DIM_ORDERING_TENSORFLOW="channels_last",
    LAYER_FIELD_DROPOUT_W="dropout", LAYER_FIELD_DROPOUT_U="recurrent_dropout",
    LAYER_FIELD_INNER_INIT="recurrent_initializer", LAYER_FIELD_INNER_ACTIVATION="recurrent_activation",
    LAYER_FIELD_EMBEDDING_INIT="embeddings_initializer", LAYER_FIELD_EMBEDDING_WEIGHTS="embeddings",
    LAYER_FIELD_EMBEDDINGS_REGULARIZER="embeddings_regularizer", LAYER_FIELD_EMBEDDINGS_CONSTRAINT="embeddings_constraint",
    LAYER_FIELD_BATCHNORMALIZATION_BETA_INIT="beta_initializer",
    LAYER_FIELD_BATCHNORMALIZATION_GAMMA_INIT="gamma_initializer",
    LAYER_FIELD_BATCHNORMALIZATION_MOVING_MEAN="moving_mean",
    LAYER_FIELD_BATCHNORMALIZATION_MOVING_VARIANCE="moving_variance",
    LAYER_FIELD_PRELU_INIT="alpha_initializer", LAYER_FIELD_NB_FILTER="filters", LAYER_FIELD_CONVOLUTION_STRIDES="strides",
    LAYER_FIELD_FILTER_LENGTH="kernel_size", LAYER_FIELD_SUBSAMPLE_LENGTH="strides",
    LAYER_FIELD_DILATION_RATE="dilation_rate", LAYER_FIELD_POOL_1D_SIZE="pool_size", LAYER_FIELD_POOL_1D_STRIDES="strides",
    LAYER_FIELD_UPSAMPLING_1D_SIZE="size", LAYER_FIELD_BORDER_MODE="padding", LAYER_FIELD_GAUSSIAN_VARIANCE="stddev",
    LAYER_FIELD_W_REGULARIZER="kernel_regularizer", LAYER_FIELD_B_REGULARIZER="bias_regularizer",
    LAYER_FIELD_CONSTRAINT_NAME="class_name", LAYER_FIELD_W_CONSTRAINT="kernel_constraint",
    LAYER_FIELD_B_CONSTRAINT="bias_constraint", LAYER_FIELD_MAX_CONSTRAINT="max_value",
    LAYER_FIELD_MINMAX_MIN_CONSTRAINT="min_value", LAYER_FIELD_MINMAX_MAX_CONSTRAINT="max_value",
    LAYER_FIELD_INIT="kernel_initializer", TENSORFLOW_OP_LAYER="TensorFlowOpLayer",
)


class KerasLayerConfiguration:
    """Mirrors KerasLayerConfiguration: the field names of one Keras major version, as attributes."""

    MAJOR_VERSION = 0

    def __init__(self, names: dict):
        self.__dict__.update(names)

    def __repr__(self):
        return f"{type(self).__name__}()"


class Keras1LayerConfiguration(KerasLayerConfiguration):
    """Mirrors Keras1LayerConfiguration."""

    MAJOR_VERSION = 1

    def __init__(self):
        super().__init__({**_SHARED, **_KERAS1})


class Keras2LayerConfiguration(KerasLayerConfiguration):
    """Mirrors Keras2LayerConfiguration."""

    MAJOR_VERSION = 2

    def __init__(self):
        super().__init__({**_SHARED, **_KERAS2})


_CONFS = {1: Keras1LayerConfiguration(), 2: Keras2LayerConfiguration()}


def layer_configuration(keras_major_version: int) -> KerasLayerConfiguration:
    """Mirrors KerasLayerConfigurationFactory#get."""
    try:
        return _CONFS[int(keras_major_version)]
    except (KeyError, TypeError, ValueError):
        raise UnsupportedKerasConfigurationError(
            f"Keras major version has to be either 1 or 2 ({keras_major_version} provided)") from None


class KerasModelConfiguration:
    """Mirrors KerasModelConfiguration (model-level field names)."""

    fieldClassName = "class_name"
    fieldClassNameSequential = "Sequential"
    fieldClassNameModel = "Model"
    fieldNameClassFunctional = "Functional"
    fieldKerasVersion = "keras_version"
    fieldBackend = "backend"
    modelFieldConfig = "config"
    modelFieldLayers = "layers"
    modelFieldInputLayers = "input_layers"
    modelFieldOutputLayers = "output_layers"
    trainingLoss = "loss"
    trainingWeightsRoot = "model_weights"
    trainingModelConfigAttribute = "model_config"
    trainingTrainingConfigAttribute = "training_config"
    optimizerConfig = "optimizer_config"
    topLevelModelWeights = "top_level_model_weights"
