"""Layer 3.5: scale-out. DL4J's ParallelWrapper on one machine, data-parallel training under torchrun on many,
sharded featurize, and dl4j-spark's names pointing at their replacements (docs/distributed.md).

Everything runs on torch.distributed (gloo on CPUs, NCCL on GPUs); importing this package imports neither
torch nor JPype.
"""

from pydl4j_transfer.parallelism.data_parallel import (DistributedDataSetIterator, GradientAllReduce, dataParallel,
                                                       networkOf, stopDataParallel)
from pydl4j_transfer.parallelism.featurize import featurizeSharded
from pydl4j_transfer.parallelism.group import (destroyDistributed, deviceForRank, getLocalRank, getRank, getWorldSize,
                                               initDistributed, isPrimary)
from pydl4j_transfer.parallelism.restart import resumeOrStart
from pydl4j_transfer.parallelism.spark import (ParameterAveragingTrainingMaster, SharedTrainingMaster,
                                               SparkComputationGraph, SparkDl4jMultiLayer)
from pydl4j_transfer.parallelism.wrapper import ParallelWrapper, TrainingMode

__all__ = ["ParallelWrapper", "TrainingMode", "dataParallel", "stopDataParallel", "networkOf",
           "DistributedDataSetIterator", "GradientAllReduce", "featurizeSharded", "resumeOrStart", "initDistributed",
           "destroyDistributed", "getRank", "getWorldSize", "getLocalRank", "isPrimary", "deviceForRank",
           "SparkDl4jMultiLayer", "SparkComputationGraph", "ParameterAveragingTrainingMaster", "SharedTrainingMaster"]
