"""Mirrors org.deeplearning4j.zoo.model: DL4J's zoo architectures, one module per family."""

from pydl4j_transfer.zoo.model.classic import VGG16, VGG19, AlexNet, LeNet, SimpleCNN
from pydl4j_transfer.zoo.model.resnet import ResNet50

__all__ = ["AlexNet", "ResNet50", "LeNet", "SimpleCNN", "VGG16", "VGG19"]
