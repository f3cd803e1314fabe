"""Layer 2.5: data (DataSet, iterators, normalizers, image pre-processing), numpy only; torch adapters import torch lazily."""

from pydl4j_transfer.data.dataset import DataSet, MultiDataSet, SplitTestAndTrain
from pydl4j_transfer.data.images import (
    FileSplit,
    ImageFolderDataSetIterator,
    ImageRecordReader,
    ParentPathLabelGenerator,
    RecordReaderDataSetIterator,
    VGG16ImagePreProcessor,
)
from pydl4j_transfer.data.iterators import (
    DataSetIterator,
    ExistingDataSetIterator,
    INDArrayDataSetIterator,
    ListDataSetIterator,
    ListMultiDataSetIterator,
    MultiDataSetIterator,
    NumpyDataSetIterator,
    TorchDataSetIterator,
    fromNumpy,
    fromTorch,
    trainTestSplit,
)
from pydl4j_transfer.data.normalizers import (
    ImagePreProcessingScaler,
    NormalizerMinMaxScaler,
    NormalizerSerializer,
    NormalizerStandardize,
    OpaqueNormalizer,
    read_normalizer,
    write_normalizer,
)

__all__ = ["DataSet", "DataSetIterator", "ExistingDataSetIterator", "FileSplit", "INDArrayDataSetIterator",
           "ImageFolderDataSetIterator", "ImagePreProcessingScaler", "ImageRecordReader", "ListDataSetIterator",
           "ListMultiDataSetIterator", "MultiDataSet", "MultiDataSetIterator", "NormalizerMinMaxScaler",
           "NormalizerSerializer", "NormalizerStandardize", "NumpyDataSetIterator", "OpaqueNormalizer", "ParentPathLabelGenerator",
           "RecordReaderDataSetIterator", "SplitTestAndTrain", "TorchDataSetIterator", "VGG16ImagePreProcessor",
           "fromNumpy", "fromTorch", "read_normalizer", "trainTestSplit", "write_normalizer"]
