"""Transfer learning: DL4J's FineTuneConfiguration and TransferLearning builders, in Python.

``TransferLearning.Builder(mln)`` / ``TransferLearning.GraphBuilder(graph)`` record their calls and
``build()`` returns a new network; ``FineTuneConfiguration`` holds the selective overrides.
Mirrors org.deeplearning4j.nn.transferlearning (DL4J 1.0.0-M2.1); differences are listed in
docs/deviations.md.
"""

from .builder import Builder, Edit, GraphBuilder, TransferLearning
from .fine_tune import REMOVE, FineTuneConfiguration, FineTuneConfigurationBuilder
from .feature_cache import FeatureCache
from .helper import TransferLearningHelper

__all__ = ["Edit", "FeatureCache", "FineTuneConfiguration", "FineTuneConfigurationBuilder", "REMOVE", "TransferLearning",
           "TransferLearningHelper"]
_ = (Builder, GraphBuilder)
