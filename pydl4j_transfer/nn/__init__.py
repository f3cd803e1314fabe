"""Layer 3: DL4J's network objects and ModelSerializer.

A network is a configuration (``conf``) plus DL4J's flat parameter vector; it runs on the torch
backend (imported on first use) or on real DL4J. Importing this package imports neither torch nor
jpype.
"""

from pydl4j_transfer.nn.checkpoint import Checkpoint, CheckpointListener
from pydl4j_transfer.nn.graph import ComputationGraph
from pydl4j_transfer.nn.listeners import (BaseTrainingListener, CollectScoresIterationListener, EvaluativeListener,
                                          InvocationType, PerformanceListener, ScoreIterationListener, TrainingListener,
                                          plotScores)
from pydl4j_transfer.nn.model_guesser import ModelGuesser
from pydl4j_transfer.nn.multilayer import MultiLayerNetwork
from pydl4j_transfer.nn.serializer import ModelSerializer, load, network_kind

__all__ = ["BaseTrainingListener", "Checkpoint", "CheckpointListener", "CollectScoresIterationListener",
           "ComputationGraph", "EvaluativeListener", "InvocationType", "ModelGuesser", "ModelSerializer", "MultiLayerNetwork",
           "PerformanceListener", "ScoreIterationListener", "TrainingListener", "load", "network_kind", "plotScores"]
