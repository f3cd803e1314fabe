"""dl4j-spark's entry points, named as a port reaches for them, each saying what to use instead.

DL4J trains on Spark clusters with ``SparkDl4jMultiLayer`` / ``SparkComputationGraph`` and a
``TrainingMaster`` (``ParameterAveragingTrainingMaster``: parameter averaging over RDD partitions;
``SharedTrainingMaster``: threshold-encoded gradient sharing over Aeron). Nothing here runs a JVM on a Spark
cluster: the Python way is torch.distributed, which pyspark itself launches with
``pyspark.ml.torch.distributor.TorchDistributor`` (Spark >= 3.4), running the same training function as
``torchrun`` would, one process per task (docs/distributed.md, "Spark"). These classes mirror the DL4J names so
that a ported program fails at the first line with that advice, as a :class:`DistributedTrainingError`.
"""

from __future__ import annotations

from pydl4j_transfer.errors import DistributedTrainingError

__all__ = ["SparkDl4jMultiLayer", "SparkComputationGraph", "ParameterAveragingTrainingMaster",
           "SharedTrainingMaster", "REPLACEMENT"]

#: what a dl4j-spark program uses here instead
REPLACEMENT = (
    "run the training function on Spark with pyspark's TorchDistributor (pyspark.ml.torch.distributor, Spark "
    ">= 3.4): TorchDistributor(num_processes=N, local_mode=False, use_gpu=...).run(train_fn, ...), where "
    "train_fn calls pydl4j_transfer.parallelism.initDistributed(), dataParallel(net) and "
    "net.fit(DistributedDataSetIterator(iterator)) -- the same function torchrun runs (docs/distributed.md)")


class _SparkEntryPoint:
    _what = ""
    _instead = ""

    def __init__(self, *args, **kwargs):
        raise DistributedTrainingError(f"{self._what} (dl4j-spark) is not available in pydl4j_transfer: "
                                       f"{self._instead}{REPLACEMENT}")

    class Builder:
        _outer = None

        def __init__(self, *args, **kwargs):
            raise DistributedTrainingError(f"{self._outer._what}.Builder (dl4j-spark) is not available in "
                                           f"pydl4j_transfer: {self._outer._instead}{REPLACEMENT}")


def _entry(name, what, instead):
    cls = type(name, (_SparkEntryPoint,), {"_what": what, "_instead": instead,
                                          "__doc__": f"Mirrors {what} (dl4j-spark) as an entry point that raises "
                                                     f"DistributedTrainingError naming the replacement."})
    cls.Builder = type("Builder", (_SparkEntryPoint.Builder,), {"_outer": cls})
    return cls


SparkDl4jMultiLayer = _entry(
    "SparkDl4jMultiLayer", "org.deeplearning4j.spark.impl.multilayer.SparkDl4jMultiLayer",
    "a MultiLayerNetwork trains data-parallel with dataParallel(net); ")
SparkComputationGraph = _entry(
    "SparkComputationGraph", "org.deeplearning4j.spark.impl.graph.SparkComputationGraph",
    "a ComputationGraph trains data-parallel with dataParallel(graph); ")
ParameterAveragingTrainingMaster = _entry(
    "ParameterAveragingTrainingMaster", "org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster",
    "parameter averaging on one machine is ParallelWrapper (trainingMode AVERAGING, averagingFrequency); across "
    "machines the gradient is all-reduced every iteration (dataParallel), the limit of averaging every step; ")
SharedTrainingMaster = _entry(
    "SharedTrainingMaster", "org.deeplearning4j.spark.parameterserver.training.SharedTrainingMaster",
    "gradient sharing is an exact all-reduce here (dataParallel; ParallelWrapper SHARED_GRADIENTS); ")
