"""Helpers for the training parity tests: conf objects -> the real ND4J objects, arrays both ways."""

from __future__ import annotations

import numpy as np


def jclass(name):
    import jpype

    return jpype.JClass(name)


def to_java(conf, iface):
    """The ND4J object for a conf value object, through DL4J's own Jackson mapper (its JSON is the contract)."""
    mapper = jclass("org.deeplearning4j.nn.conf.NeuralNetConfiguration").mapper()
    return mapper.readValue(conf.toJson(), jclass(iface))


def nd(a):
    from pydl4j_transfer.dl4j_backend import to_indarray

    return to_indarray(np.ascontiguousarray(a))


def npy(x):
    from pydl4j_transfer.dl4j_backend import to_numpy

    return to_numpy(x)


def assert_close(ours, theirs, rtol, what=""):
    """Relative closeness with an absolute floor of rtol * max|theirs| (for entries near zero)."""
    ours = np.asarray(ours, dtype=np.float64)
    theirs = np.asarray(theirs, dtype=np.float64)
    assert ours.shape == theirs.shape, (what, ours.shape, theirs.shape)
    scale = max(float(np.max(np.abs(theirs))) if theirs.size else 0.0, 1e-30)
    np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=rtol * scale, err_msg=what)
    return float(np.max(np.abs(ours - theirs) / (np.abs(theirs) + scale))) if theirs.size else 0.0
