"""Tiny exact stream and adaptive coders for tests only (never registered in codebook's registry).

Shannon-Fano-Elias on the whole message (C&T §5.9, theory §f): the codeword is the first
``ceil(-log2 P(x^n)) + 1`` bits of the midpoint of the message's interval in lexicographic
order, computed with fractions, so ``1 <= bits - ideal < 2`` exactly. With an i.i.d. model P = q^n
it behaves as a stream coder; with the sequential KT mixture (theory §h) as an adaptive one.
Both follow the attribute protocol the simulation runner reads (model, precision,
ideal_length, excess_bounds), so the runner's stream/adaptive paths run end to end before the
real coders land. Slow (fractions): messages of a few dozen symbols.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
from bitarray import bitarray

from codebook.distributions import Distribution
from codebook.errors import DecodeError, EncodeError


def _ceil_log2_inverse(prob: Fraction) -> int:
    """ceil(-log2 prob) exactly: the least l with prob * 2**l >= 1."""
    length = max(0, prob.denominator.bit_length() - prob.numerator.bit_length() - 1)
    while prob * (1 << length) < 1:
        length += 1
    return length


class _SfeBlock:
    alphabet_size: int

    def _probs(self, history: list[int]) -> list[Fraction]:
        raise NotImplementedError

    def _interval(self, symbols):
        low, width = Fraction(0), Fraction(1)
        hist: list[int] = []
        for i, x in enumerate(symbols):
            probs = self._probs(hist)
            if probs[x] == 0:
                raise EncodeError(f"symbol {x} at position {i} has no codeword (probability 0)")
            low += width * sum(probs[:x], Fraction(0))
            width *= probs[x]
            hist.append(int(x))
        return low, width

    def ideal_length(self, symbols) -> float:
        _, width = self._interval([int(s) for s in symbols])
        return -(math.log2(width.numerator) - math.log2(width.denominator))

    def excess_bounds(self, n: int) -> tuple[float, float]:
        return (1.0, 2.0)

    def encode(self, symbols) -> bitarray:
        low, width = self._interval([int(s) for s in symbols])
        length = _ceil_log2_inverse(width) + 1
        mid = low + width / 2
        value = math.floor(mid * (1 << length))
        return bitarray(format(value, f"0{length}b"), endian="big")

    def decode(self, bits, n: int) -> np.ndarray:
        c = Fraction(int(bits.to01(), 2), 1 << len(bits)) if len(bits) else Fraction(0)
        low, width = Fraction(0), Fraction(1)
        out: list[int] = []
        for _ in range(n):
            probs = self._probs(out)
            acc = Fraction(0)
            for x, px in enumerate(probs):
                if px and low + width * acc <= c < low + width * (acc + px):
                    low += width * acc
                    width *= px
                    out.append(x)
                    break
                acc += px
            else:
                raise DecodeError("value outside every interval")
        return np.array(out, dtype=np.int64)


class ExactStream(_SfeBlock):
    """i.i.d. model q taken exactly (q_hat = q); ``precision`` is recorded, not used."""

    def __init__(self, q, precision: int = 0):
        self.model = Distribution(q)
        self.precision = precision
        self.alphabet_size = len(self.model)
        self._fr = [Fraction(float(v)) for v in self.model.probs]
        total = sum(self._fr)
        self._fr = [v / total for v in self._fr]

    def _probs(self, history):
        return self._fr


class ExactKT(_SfeBlock):
    """Sequential add-``prior`` mixture (0.5 = Krichevsky-Trofimov, 1 = Laplace); uses only len(q).

    The pseudo-count is exposed as ``.prior``, the attribute the real adaptive coder
    (codebook/coders/adaptive.py) has, so the runner reads the same name for both.
    """

    def __init__(self, q, precision: int = 0, prior=Fraction(1, 2)):
        self.alphabet_size = len(q)
        self.precision = precision
        self._prior = Fraction(prior)

    @property
    def prior(self) -> float:
        return float(self._prior)

    def _probs(self, history):
        k = self.alphabet_size
        counts = [0] * k
        for x in history:
            counts[x] += 1
        t = len(history)
        a = self._prior
        return [(Fraction(c) + a) / (t + k * a) for c in counts]
