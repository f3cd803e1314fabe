"""Mirrors org.deeplearning4j.zoo.model: DL4J's zoo architectures, one module per family."""

from pydl4j_transfer.zoo.model.classic import VGG16, VGG19, AlexNet, LeNet, SimpleCNN
from pydl4j_transfer.zoo.model.darknet import YOLO2, Darknet19, DarknetHelper, TinyYOLO
from pydl4j_transfer.zoo.model.inception import InceptionResNetHelper, InceptionResNetV1
from pydl4j_transfer.zoo.model.resnet import ResNet50
from pydl4j_transfer.zoo.model.squeezenet import SqueezeNet
from pydl4j_transfer.zoo.model.textgen import TextGenerationLSTM
from pydl4j_transfer.zoo.model.unet import UNet
from pydl4j_transfer.zoo.model.xception import Xception

__all__ = ["AlexNet", "Darknet19", "DarknetHelper", "InceptionResNetHelper", "InceptionResNetV1", "LeNet",
           "ResNet50", "SimpleCNN", "SqueezeNet", "TextGenerationLSTM", "TinyYOLO", "UNet", "VGG16", "VGG19",
           "Xception", "YOLO2"]
