"""Layer 2.5: data (DataSet, iterators, normalizers, image pre-processing), numpy only; torch adapters import torch lazily."""

from pydl4j_transfer.data.dataset import DataSet, MultiDataSet, SplitTestAndTrain
from pydl4j_transfer.data.async_iterators import AsyncDataSetIterator, AsyncMultiDataSetIterator
from pydl4j_transfer.data.files import ExistingMiniBatchDataSetIterator, FileDataSetIterator
from pydl4j_transfer.data.images import (
    ImageFolderDataSetIterator,
    ImageRecordReader,
    NativeImageLoader,
    RecordReaderDataSetIterator,
    VGG16ImagePreProcessor,
)
from pydl4j_transfer.data.javarandom import JavaRandom
from pydl4j_transfer.data.splits import (
    BalancedPathFilter,
    CollectionInputSplit,
    FileSplit,
    InputSplit,
    ParentPathLabelGenerator,
    RandomPathFilter,
)
from pydl4j_transfer.data.transforms import (
    CropImageTransform,
    FlipImageTransform,
    ImageWritable,
    PipelineImageTransform,
    ResizeImageTransform,
    ScaleImageTransform,
    WarpImageTransform,
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
    MultiNormalizerMinMaxScaler,
    MultiNormalizerStandardize,
    NormalizerSerializer,
    NormalizerStandardize,
    NormalizerType,
    OpaqueNormalizer,
    read_normalizer,
    write_normalizer,
)

__all__ = ["AsyncDataSetIterator", "AsyncMultiDataSetIterator", "BalancedPathFilter", "CollectionInputSplit",
           "CropImageTransform", "ExistingMiniBatchDataSetIterator", "FileDataSetIterator", "FlipImageTransform",
           "ImageWritable", "InputSplit", "JavaRandom", "NativeImageLoader", "PipelineImageTransform",
           "RandomPathFilter", "ResizeImageTransform", "ScaleImageTransform", "WarpImageTransform", "DataSet", "DataSetIterator", "ExistingDataSetIterator", "FileSplit", "INDArrayDataSetIterator",
           "ImageFolderDataSetIterator", "ImagePreProcessingScaler", "ImageRecordReader", "ListDataSetIterator",
           "ListMultiDataSetIterator", "MultiDataSet", "MultiDataSetIterator", "MultiNormalizerMinMaxScaler",
           "MultiNormalizerStandardize", "NormalizerMinMaxScaler", "NormalizerSerializer",
           "NormalizerStandardize", "NormalizerType", "NumpyDataSetIterator", "OpaqueNormalizer", "ParentPathLabelGenerator",
           "RecordReaderDataSetIterator", "SplitTestAndTrain", "TorchDataSetIterator", "VGG16ImagePreProcessor",
           "fromNumpy", "fromTorch", "read_normalizer", "trainTestSplit", "write_normalizer"]
