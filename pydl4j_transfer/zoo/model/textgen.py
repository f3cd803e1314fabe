"""Mirrors org.deeplearning4j.zoo.model.TextGenerationLSTM (DL4J 1.0.0-M2.1), transcribed with our builders."""

from __future__ import annotations

from pydl4j_transfer.conf import (Activation, BackpropType, GravesLSTM, LossFunctions, NeuralNetConfiguration,
                                  OptimizationAlgorithm, RmsProp, RnnOutputLayer, WeightInit)
from pydl4j_transfer.nn import MultiLayerNetwork
from pydl4j_transfer.zoo.base import ModelMetaData, ZooModel, ZooType
from pydl4j_transfer.zoo.model.classic import _COMMON


class TextGenerationLSTM(ZooModel):
    """Mirrors org.deeplearning4j.zoo.model.TextGenerationLSTM (MultiLayerNetwork; no pretrained weights).

    As in DL4J: ``inputShape`` ({maxLength, totalUniqueCharacters}) has no builder default, so the builder
    leaves it None and ``conf()`` fails until it is set (DL4J: NullPointerException); the ``seed`` option is
    not used (the configuration's seed is always 12345); ``maxLength`` is not used by ``conf()``.
    """

    OPTIONS = {"seed": 1234, "maxLength": 40, "totalUniqueCharacters": 47, "inputShape": None,
               "updater": lambda: RmsProp(0.01), **_COMMON}
    MODEL_TYPE = MultiLayerNetwork
    ZOO_TYPE = ZooType.RNN

    def conf(self):
        if self.inputShape is None:
            raise ValueError("TextGenerationLSTM: inputShape is not set (DL4J's builder has no default for it; "
                             "DL4J throws a NullPointerException): use inputShape([maxLength, totalUniqueCharacters])")
        return (NeuralNetConfiguration.Builder().seed(12345)
                .optimizationAlgo(OptimizationAlgorithm.STOCHASTIC_GRADIENT_DESCENT)
                .l2(0.001).weightInit(WeightInit.XAVIER).updater(self.updater)
                .cacheMode(self.cacheMode).trainingWorkspaceMode(self.workspaceMode)
                .inferenceWorkspaceMode(self.workspaceMode).cudnnAlgoMode(self.cudnnAlgoMode)
                .list()
                .layer(0, GravesLSTM.Builder().nIn(self.inputShape[1]).nOut(256).activation(Activation.TANH).build())
                .layer(1, GravesLSTM.Builder().nOut(256).activation(Activation.TANH).build())
                .layer(2, RnnOutputLayer.Builder(LossFunctions.LossFunction.MCXENT).activation(Activation.SOFTMAX)
                       .nOut(self.totalUniqueCharacters).build())
                .backpropType(BackpropType.TruncatedBPTT).tBPTTForwardLength(50).tBPTTBackwardLength(50)
                .build())

    def metaData(self) -> ModelMetaData:
        """Mirrors TextGenerationLSTM#metaData (ZooType.RNN; the input shape row is None while unset)."""
        meta = ModelMetaData([], 1, ZooType.RNN)
        meta._input_shape = [None if self.inputShape is None else list(self.inputShape)]
        return meta
