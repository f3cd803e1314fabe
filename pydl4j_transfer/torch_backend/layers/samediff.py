"""Parameter-less SameDiff layers: IdentityLayer and user SameDiffLambdaLayer subclasses.

Mirrors org.deeplearning4j.nn.layers.samediff.SameDiffLayer for lambda layers: the output is the conf object's
``defineLayer(x)`` (a torch computation the user wrote; IdentityLayer returns its input). The mask passes through.
"""

from __future__ import annotations

from pydl4j_transfer.conf import IdentityLayer

from ..base import LayerModule
from ..registry import LAYER_CONVERTERS


class LambdaModule(LayerModule):
    """Runs ``conf.defineLayer(x)``."""

    def compute(self, x, mask=None):
        return self.dl4j_conf.defineLayer(x)


def lambda_converter(conf, ctx):
    """The converter for IdentityLayer, also registered for each user SameDiffLambdaLayer class
    (``register_lambda_class``)."""
    return LambdaModule(conf, ctx)


LAYER_CONVERTERS.register(IdentityLayer)(lambda_converter)


def register_lambda_class(conf_class) -> None:
    """Make a user SameDiffLambdaLayer subclass (a configuration class) runnable on the torch backend."""
    if conf_class.dl4jClass not in LAYER_CONVERTERS:
        LAYER_CONVERTERS.register(conf_class)(lambda_converter)
