"""Transfer learning: DL4J's TransferLearning builders and TransferLearningHelper, in Python.

``TransferLearning.Builder(mln)`` / ``TransferLearning.GraphBuilder(graph)`` record their calls (one
registered edit class per DL4J method, ``edits.py``) and ``build()`` returns a new network;
``FineTuneConfiguration`` (a configuration class, ``pydl4j_transfer.conf.fine_tune``) holds the selective
overrides. Mirrors org.deeplearning4j.nn.transferlearning (DL4J 1.0.0-M2.1); differences are listed in
docs/deviations.md.
"""

from pydl4j_transfer.conf.fine_tune import REMOVE, FineTuneConfiguration, FineTuneConfigurationBuilder

from .builder import Builder, GraphBuilder, TransferLearning
from .edits import Edit
from .feature_cache import FeatureCache
from .helper import TransferLearningHelper

__all__ = ["Edit", "FeatureCache", "FineTuneConfiguration", "FineTuneConfigurationBuilder", "REMOVE", "TransferLearning",
           "TransferLearningHelper"]
_ = (Builder, GraphBuilder)
