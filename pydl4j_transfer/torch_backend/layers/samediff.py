"""Parameter-less SameDiff layers: IdentityLayer and user SameDiffLambdaLayer subclasses.

Mirrors org.deeplearning4j.nn.layers.samediff.SameDiffLayer for lambda layers: the output is the conf object's
``defineLayer(x)`` (a torch computation the user wrote; IdentityLayer returns its input). The mask passes through.
"""

from __future__ import annotations

from ..base import LayerModule
from ..registry import LAYER_CONVERTERS


class LambdaModule(LayerModule):
    """Runs ``conf.defineLayer(x)``."""

    def __init__(self, conf, ctx):
        super().__init__(conf, ctx)
        self.dl4j_class = conf.dl4jClass

    def compute(self, x, mask=None):
        return self.dl4j_conf.defineLayer(x)


def lambda_converter(conf, ctx):
    """The converter for IdentityLayer, also registered for each user SameDiffLambdaLayer class
    (``register_lambda_class``)."""
    return LambdaModule(conf, ctx)


LAYER_CONVERTERS.register("org.deeplearning4j.nn.layers.util.IdentityLayer")(lambda_converter)


def register_lambda_class(dl4j_class: str) -> None:
    """Make a user SameDiffLambdaLayer subclass (by its ``dl4jClass``) runnable on the torch backend."""
    if dl4j_class not in LAYER_CONVERTERS:
        LAYER_CONVERTERS.register(dl4j_class)(lambda_converter)
