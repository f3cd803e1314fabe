"""ILossFunction implementations (``org.nd4j.linalg.lossfunctions.impl``).

The ones with a ``weights`` INDArray are ``@JsonInclude(NON_NULL)``: a null ``weights`` is
omitted. Construction defaults are DL4J's public constructors'; missing keys give the Java
field values (e.g. LossMCXENT.softmaxClipEps 0.0 but LossNegativeLogLikelihood 1e-10).
"""

from __future__ import annotations

from ..base import COERCERS, DOUBLE, INT, LOSSES, ConfObject, Field
from .ndarray import NDARRAY
from ..enums import LossFunctions

PKG = "org.nd4j.linalg.lossfunctions.impl."


class BaseLoss(ConfObject):
    """Mirrors org.nd4j.linalg.lossfunctions.ILossFunction."""

    def _to_tree(self):
        tree = super()._to_tree()
        if "weights" in self._attr_fields and tree.get("weights") is None:
            tree.pop("weights", None)
        return tree


def _loss(name, fields=(), positional=(), base=BaseLoss):
    cls = type(name, (base,), {"dl4jClass": PKG + name, "FIELDS": tuple(fields), "POSITIONAL": tuple(positional),
                               "__doc__": f"Mirrors {PKG}{name}.", "__module__": __name__})
    return LOSSES.register(cls)


_W = Field("weights", NDARRAY)
LossMSE = _loss("LossMSE", [_W], ("weights",))
LossMAE = _loss("LossMAE", [_W], ("weights",))
LossL1 = _loss("LossL1", [_W], ("weights",))
LossL2 = _loss("LossL2", [_W], ("weights",))
LossMAPE = _loss("LossMAPE", [_W], ("weights",))
LossMSLE = _loss("LossMSLE", [_W], ("weights",))
LossMCXENT = _loss("LossMCXENT", [Field("softmaxClipEps", DOUBLE, default=1e-10, missing=0.0), _W],
                   ("weights", "softmaxClipEps"))
LossNegativeLogLikelihood = _loss("LossNegativeLogLikelihood", [Field("softmaxClipEps", DOUBLE, default=1e-10), _W],
                                  ("weights", "softmaxClipEps"))
LossSparseMCXENT = _loss("LossSparseMCXENT", [Field("softmaxClipEps", DOUBLE, default=1e-10, missing=0.0), _W],
                         ("weights", "softmaxClipEps"))
LossBinaryXENT = _loss("LossBinaryXENT", [Field("clipEps", DOUBLE, default=1e-5, missing=0.0), _W], ("weights", "clipEps"))
LossFMeasure = _loss("LossFMeasure", [Field("beta", DOUBLE, default=1.0)], ("beta",))
LossMixtureDensity = _loss("LossMixtureDensity", [Field("mixtures", INT, default=0, java="nMixtures"), Field("labelWidth", INT, default=0)],
                           ("mixtures", "labelWidth"))
LossCosineProximity = _loss("LossCosineProximity")
LossHinge = _loss("LossHinge")
LossKLD = _loss("LossKLD")
LossMultiLabel = _loss("LossMultiLabel")
LossPoisson = _loss("LossPoisson")
LossSquaredHinge = _loss("LossSquaredHinge")
LossWasserstein = _loss("LossWasserstein")


def to_loss(value):
    """ILossFunction instance or LossFunctions.LossFunction member/name -> ILossFunction."""

    if value is None or isinstance(value, BaseLoss):
        return value
    return LossFunctions.LossFunction.of(value).getILossFunction()


COERCERS[LOSSES.kind] = to_loss
