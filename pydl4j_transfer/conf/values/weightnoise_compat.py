"""Helper for the legacy upgrade: ``useDropConnect`` + ``dropOut`` -> DropConnect weight noise JSON."""

from __future__ import annotations
from .dropout import DropConnect


def drop_connect(p):

    return DropConnect(p)._to_tree()
