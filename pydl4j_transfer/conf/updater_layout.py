"""The layout of DL4J's flat updater state (``updaterState.bin``): updater blocks.

Mirrors ``org.deeplearning4j.nn.updater.BaseMultiLayerUpdater`` (constructor) and
``UpdaterUtils.updaterConfigurationsEquals``; reference: shared/reference/dl4j-format.md §5.1.

DL4J walks the trainable layers in parameter order and, inside each, the parameter keys in
param-table order. Consecutive parameters whose updater configurations are equal (and that are
not pretrain params) share one block; a block over params ``[p0, p1)`` owns ``k * (p1 - p0)``
state values, laid out as the updater's state arrays one after another (Adam: ``m`` then ``v``).
Blocks may span layers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from .values.updaters import NoOp


@dataclass
class UpdaterBlock:
    """Mirrors org.deeplearning4j.nn.updater.UpdaterBlock: a run of params sharing one updater config."""

    updater: object  # the IUpdater conf object
    param_start: int
    param_end: int
    state_start: int
    state_end: int
    params: list = field(default_factory=list)  # [(owner, key)]

    @property
    def state_multiplier(self) -> int:
        n = self.param_end - self.param_start
        return 0 if n == 0 else (self.state_end - self.state_start) // n


def updater_blocks(owners_and_layers) -> list[UpdaterBlock]:
    """Blocks for ``[(owner, layer conf), ...]`` in flat-vector order (layers without params skipped)."""
    blocks: list[UpdaterBlock] = []
    param_pos = state_pos = 0
    last = None  # (layer, key) of the previous parameter
    for owner, layer in owners_and_layers:
        if layer is None or layer.numParams() == 0:
            continue
        shapes = layer.paramShapes()
        for key in table_keys(layer):  # param-table order, as DL4J (see §5.1's caveat)
            n = math.prod(shapes[key])
            upd = layer.getUpdaterByParam(key)
            state = int(upd.stateSize(n)) if upd is not None else 0
            same = (last is not None and blocks and _same_block(last[0], last[1], layer, key))
            if same:
                b = blocks[-1]
                b.param_end += n
                b.state_end += state
                b.params.append((owner, key))
            else:
                blocks.append(UpdaterBlock(upd, param_pos, param_pos + n, state_pos, state_pos + state,
                                           [(owner, key)]))
            param_pos += n
            state_pos += state
            last = (layer, key)
    return blocks


def table_keys(layer) -> list:
    """The layer's param-table order (the order DL4J's updater walks): ``Layer.paramTableKeys`` -- the
    ParamInitializer's map order, which is the flat order (ConvolutionLayer: ``b, W``) except for
    Depthwise/Separable convolutions (``W, b`` / ``W, pW, b`` over a bias-first flat layout)."""
    return list(layer.paramTableKeys())


def _same_block(layer1, key1, layer2, key2) -> bool:
    """Mirrors UpdaterUtils.updaterConfigurationsEquals plus the pretrain-param rule."""
    u1, u2 = layer1.getUpdaterByParam(key1), layer2.getUpdaterByParam(key2)
    if u1 != u2:
        return False
    p1, p2 = layer1.isPretrainParam(key1), layer2.isPretrainParam(key2)
    if p1 or p2:
        return p1 and p2 and layer1 is layer2
    return True


def state_size(owners_and_layers) -> int:
    """The exact length of the network's updater state vector (0: no state, nothing is saved)."""
    blocks = updater_blocks(owners_and_layers)
    return blocks[-1].state_end if blocks else 0


class FrozenParams:
    """A layer seen through DL4J's FrozenLayer runtime: every parameter gets the NoOp updater.

    Used for a graph's FrozenVertex, whose runtime layer DL4J wraps in a FrozenLayer.
    """

    FROZEN_PARAMS = True

    def __init__(self, layer):
        self.layer = layer
        self._noop = NoOp()

    def numParams(self):
        return self.layer.numParams()

    def paramShapes(self):
        return self.layer.paramShapes()

    def paramKeys(self):
        return self.layer.paramKeys()

    def paramTableKeys(self):
        return self.layer.paramTableKeys()

    def isPretrainParam(self, key):
        return False

    def getUpdaterByParam(self, key):
        return self._noop
