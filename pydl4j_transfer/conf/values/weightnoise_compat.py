"""Helper for the legacy upgrade: ``useDropConnect`` + ``dropOut`` -> DropConnect weight noise JSON."""

from __future__ import annotations


def drop_connect(p):
    from .dropout import DropConnect

    return DropConnect(p)._to_tree()
