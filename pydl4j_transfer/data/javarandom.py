"""``java.util.Random`` bit for bit, so that a DL4J program's ``new Random(seed)`` draws the same numbers here.

DataVec takes a ``java.util.Random`` wherever it randomizes: ``FileSplit``'s file order
(``MathUtils.shuffleArray``), ``RandomPathFilter`` / ``BalancedPathFilter`` (``Collections.shuffle``) and
the image transforms (``nextInt``, ``nextFloat``). With the same generator the same seed gives the same
file order and the same augmentations as in DL4J.

The generator (JDK documentation of ``java.util.Random``): a 48-bit linear congruential generator,
``seed = (seed * 0x5DEECE66D + 0xB) mod 2**48``, ``next(bits)`` = the top ``bits`` of the new seed as a
signed 32-bit int; the constructor scrambles the seed with ``0x5DEECE66D``.
"""

from __future__ import annotations

import math

__all__ = ["JavaRandom", "as_java_random", "collections_shuffle", "shuffle_array"]

_MULT = 0x5DEECE66D
_MASK = (1 << 48) - 1


def _int32(v: int) -> int:
    v &= 0xFFFFFFFF
    return v - (1 << 32) if v >= 1 << 31 else v


class JavaRandom:
    """Mirrors java.util.Random (``new Random(seed)``): the same sequence of ints, longs, floats, doubles,
    booleans and Gaussians for the same seed. ``JavaRandom()`` without a seed seeds from the clock (as Java
    does, not reproducible)."""

    def __init__(self, seed=None):
        if seed is None:
            import os
            import time

            seed = time.time_ns() ^ int.from_bytes(os.urandom(8), "little")
        self.setSeed(seed)

    def setSeed(self, seed: int) -> None:
        """Mirrors Random#setSeed(long)."""
        self._seed = (int(seed) ^ _MULT) & _MASK
        self._next_gaussian = None

    def next(self, bits: int) -> int:
        """Mirrors the protected Random#next(int bits)."""
        self._seed = (self._seed * _MULT + 0xB) & _MASK
        return _int32(self._seed >> (48 - bits))

    def nextInt(self, bound=None) -> int:
        """Mirrors Random#nextInt() and Random#nextInt(int bound)."""
        if bound is None:
            return self.next(32)
        bound = int(bound)
        if bound <= 0:
            raise ValueError("bound must be positive")
        if bound & -bound == bound:  # a power of two: the high bits
            return (bound * self.next(31)) >> 31
        while True:
            bits = self.next(31)
            val = bits % bound
            if bits - val + (bound - 1) < 1 << 31:  # Java: no int overflow
                return val

    def nextLong(self) -> int:
        """Mirrors Random#nextLong()."""
        v = (self.next(32) << 32) + self.next(32)
        v &= (1 << 64) - 1
        return v - (1 << 64) if v >= 1 << 63 else v

    def nextBoolean(self) -> bool:
        """Mirrors Random#nextBoolean()."""
        return self.next(1) != 0

    def nextFloat(self) -> float:
        """Mirrors Random#nextFloat(): 24 random bits / 2**24 (exact in float32)."""
        return self.next(24) / float(1 << 24)

    def nextDouble(self) -> float:
        """Mirrors Random#nextDouble(): 53 random bits / 2**53."""
        return ((self.next(26) << 27) + self.next(27)) * (1.0 / (1 << 53))

    def nextGaussian(self) -> float:
        """Mirrors Random#nextGaussian() (Marsaglia's polar method, StrictMath.log/sqrt)."""
        if self._next_gaussian is not None:
            g, self._next_gaussian = self._next_gaussian, None
            return g
        while True:
            v1 = 2 * self.nextDouble() - 1
            v2 = 2 * self.nextDouble() - 1
            s = v1 * v1 + v2 * v2
            if 0 < s < 1:
                break
        multiplier = math.sqrt(-2 * math.log(s) / s)
        self._next_gaussian = v2 * multiplier
        return v1 * multiplier


def as_java_random(random):
    """``random`` as a :class:`JavaRandom`: one already, an int seed (``new Random(seed)``), or None."""
    if random is None or isinstance(random, JavaRandom):
        return random
    if isinstance(random, bool) or not isinstance(random, int):
        if hasattr(random, "nextInt") and hasattr(random, "nextFloat"):
            return random  # any object with java.util.Random's methods
        raise TypeError(f"expected a JavaRandom (java.util.Random) or an int seed, got {type(random).__name__}")
    return JavaRandom(random)


def shuffle_array(array: list, rng) -> None:
    """Mirrors org.nd4j.common.util.MathUtils#shuffleArray(int[], Random): Fisher-Yates from the end, in place."""
    for i in range(len(array) - 1, 0, -1):
        j = rng.nextInt(i + 1)
        array[i], array[j] = array[j], array[i]


def collections_shuffle(items: list, rng) -> None:
    """Mirrors java.util.Collections#shuffle(List, Random) on a random-access list, in place."""
    for i in range(len(items), 1, -1):
        j = rng.nextInt(i)
        items[i - 1], items[j] = items[j], items[i - 1]
