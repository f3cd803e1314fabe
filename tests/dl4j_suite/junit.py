"""What the transcribed DL4J tests use besides pydl4j_transfer: JUnit 5's assertions, ND4J's factory and DL4J's
TestUtils (platform-tests' org.eclipse.deeplearning4j.dl4jcore.TestUtils), each with Java's semantics.

``assertEquals(INDArray, INDArray)`` is ND4J's ``INDArray#equals``: same shape and every value within
``Nd4j.EPS_THRESHOLD`` (1e-5); ``assertEquals(double, double, delta)`` JUnit's. ``Nd4j.rand`` draws from numpy's
generator (DL4J's stream is not reproducible here), seeded by ``Nd4j.getRandom().setSeed``.
"""

from __future__ import annotations

import copy
import io

import numpy as np

from pydl4j_transfer import DataType, ModelSerializer
from pydl4j_transfer.conf.values.regularization import L1Regularization, L2Regularization, WeightDecay

EPS_THRESHOLD = 1e-5  # Nd4j.EPS_THRESHOLD


def _is_array(x) -> bool:
    return isinstance(x, np.ndarray)


def _arrays_equal(a, b) -> bool:
    a, b = np.asarray(a), np.asarray(b)
    if a.shape != b.shape:
        return False
    return bool(np.all(np.abs(a.astype(np.float64) - b.astype(np.float64)) <= EPS_THRESHOLD))


def _equal(expected, actual) -> bool:
    if _is_array(expected) or _is_array(actual):
        return _arrays_equal(expected, actual)
    return expected == actual


def assertEquals(expected, actual, deltaOrMessage=None, message=None):
    """JUnit 5 assertEquals(expected, actual[, delta | message])."""
    if isinstance(deltaOrMessage, (int, float)) and not isinstance(deltaOrMessage, bool) and not (
            _is_array(expected) or _is_array(actual)):
        assert abs(float(expected) - float(actual)) <= float(deltaOrMessage), (
            f"{message or ''} expected {expected} but was {actual} (delta {deltaOrMessage})")
        return
    msg = deltaOrMessage if isinstance(deltaOrMessage, str) else message
    assert _equal(expected, actual), f"{msg or ''} expected: {expected!r} but was: {actual!r}"


def assertNotEquals(unexpected, actual, message=None):
    assert not _equal(unexpected, actual), f"{message or ''} expected not equals: {unexpected!r}"


def assertArrayEquals(expected, actual, message=None):
    assert list(np.asarray(expected).ravel()) == list(np.asarray(actual).ravel()), (
        f"{message or ''} expected {list(expected)} but was {list(actual)}")


def assertTrue(condition, message=None):
    assert condition, message


def assertFalse(condition, message=None):
    assert not condition, message


def assertNull(value, message=None):
    assert value is None, f"{message or ''} expected null but was {value!r}"


def assertNotNull(value, message=None):
    assert value is not None, message


class _Random:
    """Nd4j.getRandom(): setSeed() reseeds the generator Nd4j.rand draws from."""

    def __init__(self):
        self.rng = np.random.default_rng(119)

    def setSeed(self, seed):
        self.rng = np.random.default_rng(int(seed))


class Nd4j:
    """Mirrors the parts of org.nd4j.linalg.factory.Nd4j the tests call."""

    _random = _Random()

    @staticmethod
    def getRandom():
        return Nd4j._random

    @staticmethod
    def _shape_and_dtype(args):
        dtype = np.float32
        if args and isinstance(args[0], DataType):
            dtype = {"DOUBLE": np.float64, "HALF": np.float16}.get(args[0].name, np.float32)
            args = args[1:]
        shape = tuple(int(s) for s in (args[0] if len(args) == 1 and isinstance(args[0], (list, tuple)) else args))
        return shape, dtype

    @staticmethod
    def rand(*args):
        """Nd4j.rand([DataType,] shape...): uniform [0, 1)."""
        shape, dtype = Nd4j._shape_and_dtype(args)
        return Nd4j._random.rng.random(shape).astype(dtype)

    @staticmethod
    def create(*args):
        """Nd4j.create([DataType,] shape...): zeros."""
        shape, dtype = Nd4j._shape_and_dtype(args)
        return np.zeros(shape, dtype)

    @staticmethod
    def hstack(*arrays):
        """Nd4j.hstack of row vectors (DL4J's params are row vectors; here 1-D arrays)."""
        return np.concatenate([np.asarray(a).reshape(-1) for a in arrays])


class TestUtils:
    """Mirrors org.eclipse.deeplearning4j.dl4jcore.TestUtils (the methods these tests call)."""

    __test__ = False  # not a test class (pytest would collect it by its name)

    @staticmethod
    def testModelSerialization(net):
        baos = io.BytesIO()
        ModelSerializer.writeModel(net, baos, True)
        bais = io.BytesIO(baos.getvalue())
        if hasattr(net, "getLayerWiseConfigurations"):
            restored = ModelSerializer.restoreMultiLayerNetwork(bais, True)
            assertEquals(net.getLayerWiseConfigurations(), restored.getLayerWiseConfigurations())
        else:
            restored = ModelSerializer.restoreComputationGraph(bais, True)
            assertEquals(net.getConfiguration(), restored.getConfiguration())
        assertEquals(net.params(), restored.params())
        # DL4J also checks the configuration survives Java serialization (for Spark): here, a deep copy
        conf = net.getConfiguration()
        assertEquals(conf, copy.deepcopy(conf))
        return restored

    @staticmethod
    def randomOneHot(*args):
        """randomOneHot([DataType,] examples, nOut[, rngSeed]): one-hot rows, classes drawn with seed 12345."""
        dtype = np.float32
        if args and isinstance(args[0], DataType):
            dtype = np.float64 if args[0].name == "DOUBLE" else np.float32
            args = args[1:]
        examples, n_out = int(args[0]), int(args[1])
        rng = np.random.default_rng(int(args[2]) if len(args) > 2 else 12345)
        out = np.zeros((examples, n_out), dtype)
        out[np.arange(examples), rng.integers(0, n_out, examples)] = 1.0
        return out

    @staticmethod
    def getL1Reg(l):
        for r in l:
            if isinstance(r, L1Regularization):
                return r
        return None

    @staticmethod
    def getL2Reg(layer_or_list):
        """getL2Reg(BaseLayer) / getL2Reg(List<Regularization>)."""
        l = layer_or_list if isinstance(layer_or_list, (list, tuple)) else layer_or_list.getRegularization()
        for r in l:
            if isinstance(r, L2Regularization):
                return r
        return None

    @staticmethod
    def getWeightDecayReg(l):
        for r in l:
            if isinstance(r, WeightDecay):
                return r
        return None

    @staticmethod
    def getL1(layer):
        l1 = TestUtils.getL1Reg(layer.getRegularization())
        assertNotNull(l1)
        return l1.getL1().valueAt(0, 0)

    @staticmethod
    def getL2(layer):
        l2 = TestUtils.getL2Reg(layer.getRegularization())
        assertNotNull(l2)
        return l2.getL2().valueAt(0, 0)
