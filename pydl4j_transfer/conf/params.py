"""The flat parameter vector of a DL4J network and its per-layer views (DL4J's param table).

DL4J keeps every parameter of a network in one flat vector (``coefficients.bin``); each
layer's parameters are views into it, in the order of the layer's ParamInitializer, reshaped
in 'f' or 'c' order (dense ``W`` is ``[nIn, nOut]`` in 'f' order). A MultiLayerNetwork walks
its layers by index and names the views ``"<index>_<key>"``; a ComputationGraph walks its
vertices in topological order and names them ``"<vertexName>_<key>"``.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from pydl4j_transfer.errors import ParamLengthMismatchError


@dataclass(frozen=True)
class ParamSlot:
    """One parameter's place in the flat vector."""

    owner: str  # layer index (MLN) or vertex name (CG)
    key: str  # DL4J param key: W, b, RW, gamma, ...
    shape: tuple
    order: str  # 'f' or 'c': how DL4J reshapes the flat slice
    offset: int

    @property
    def name(self) -> str:
        return f"{self.owner}_{self.key}"

    @property
    def size(self) -> int:
        return math.prod(self.shape)


def layout(owners_and_layers) -> list[ParamSlot]:
    """Slots for ``[(owner, layer_or_vertex_conf), ...]`` given in flat-vector order."""
    slots, offset = [], 0
    for owner, conf in owners_and_layers:
        for spec in conf.paramSpecs():
            slot = ParamSlot(str(owner), spec.key, tuple(int(s) for s in spec.shape), spec.order, offset)
            slots.append(slot)
            offset += slot.size
    return slots


def total_size(slots) -> int:
    return sum(s.size for s in slots)


def view(flat: np.ndarray, slot: ParamSlot) -> np.ndarray:
    """The slot's view into ``flat`` (no copy), shaped as DL4J shapes it."""
    return flat[slot.offset: slot.offset + slot.size].reshape(slot.shape, order=slot.order.upper())


def param_table(flat: np.ndarray, slots) -> "OrderedDict[str, np.ndarray]":
    """Mirrors Model#paramTable(): ``{"0_W": view, "0_b": view, ...}`` in flat-vector order."""
    return OrderedDict((s.name, view(flat, s)) for s in slots)


def check_length(vector: np.ndarray, expected: int, what: str, entry: str | None = None) -> None:
    if vector.size != expected:
        raise ParamLengthMismatchError(
            f"{what} has {vector.size} values but the configuration implies {expected}; the zip's "
            "configuration.json and its arrays do not belong together (was one of them edited or replaced?)",
            entry=entry)
