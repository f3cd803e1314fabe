"""pydl4j_transfer.zoo: mirrors DL4J 1.0.0-M2.1's model zoo (org.deeplearning4j.zoo).

``VGG16.builder().numClasses(5).build().init()`` or ``VGG16(numClasses=5).init()`` gives a randomly
initialised network whose configuration equals DL4J's; ``initPretrained(PretrainedType.IMAGENET)``
loads the pretrained zip from DL4J's cache folder (never downloading it).
"""

from pydl4j_transfer.zoo.base import ModelMetaData, PretrainedType, ZooModel, ZooType, adler32_of_file
from pydl4j_transfer.zoo.model import *  # noqa: F401,F403
from pydl4j_transfer.zoo.model import __all__ as _models
from pydl4j_transfer.zoo.resources import DL4JResources, ResourceType

# the zoo model classes by name (the helpers DarknetHelper and InceptionResNetHelper are exported, not listed)
MODELS = {name: globals()[name] for name in _models
          if isinstance(globals()[name], type) and issubclass(globals()[name], ZooModel)}

__all__ = ["DL4JResources", "MODELS", "ModelMetaData", "PretrainedType", "ResourceType", "ZooModel", "ZooType",
           "adler32_of_file", *_models]
