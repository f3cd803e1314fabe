"""DL4J's own ParallelWrapper (deeplearning4j-parallel-wrapper 1.0.0-M2.1) over a network in the JVM.

What ``pydl4j_transfer.parallelism.ParallelWrapper`` runs for a ``backend="dl4j"`` network (the parity judge):
the Java facade's ``ParallelTraining.fit`` builds DL4J's wrapper with the same builder settings and fits it on
the minibatches, converted to ND4J DataSets in bulk. The facade adds one listener that removes a start-up race
of DL4J's (a replica copying the model's params while worker 0 already trains it; see ParallelTraining.java).
"""

from __future__ import annotations

from pydl4j_transfer.dl4j_backend.jvm import start_jvm
from pydl4j_transfer.dl4j_backend.model import _java_call
from pydl4j_transfer.dl4j_backend.transfer import to_java_dataset


def parallel_wrapper_fit(java_model, minibatches, *, workers: int, averagingFrequency: int, prefetchBuffer: int,
                         averageUpdaters: bool, reportScoreAfterAveraging: bool, trainingMode: str,
                         sameStart: bool = True) -> None:
    """Mirrors ``new ParallelWrapper.Builder(model)...build().fit(iterator); shutdown()`` in DL4J, in place on
    ``java_model``. ``minibatches``: DataSets (ours); ``sameStart``: every worker starts from the model's params
    (the facade's barrier); False runs DL4J exactly as it is, race included."""
    import jpype

    start_jvm()
    cls = jpype.JClass("org.pydl4j.transfer.ParallelTraining")
    jds = jpype.JArray(jpype.JClass("org.nd4j.linalg.dataset.DataSet"))([to_java_dataset(d) for d in minibatches])
    parties = min(int(workers), len(minibatches)) if sameStart else 0
    _java_call("ParallelWrapper.fit", cls.fit, java_model, jds, int(workers), int(averagingFrequency),
               int(prefetchBuffer), bool(averageUpdaters), bool(reportScoreAfterAveraging), str(trainingMode),
               int(parties))
