"""Exact integer arithmetic for the code constructions.

Every :class:`~codebook.distributions.Distribution` denotes an exact pmf, available as integer
weights over their sum (:meth:`~codebook.distributions.Distribution.exact_integers`): the
numerators of exact input over their common denominator, or, for float input (taken at its
exact binary64 value and normalised exactly, ``codebook theory`` conventions), the floats as
``nums / 2**shift`` (every binary64 number is an integer multiple of 2**-1074). Code
constructions that must not round (Huffman merges and ties, Shannon lengths near powers of
two, Shannon-Fano-Elias midpoints) work on these integers.
"""

from __future__ import annotations

import math

import numpy as np


def dyadic_numerators(probs: np.ndarray) -> list[int]:
    """Integers ``nums`` with ``probs[i] == nums[i] / 2**shift`` exactly, for one common shift.

    Only ratios between entries matter to the callers, so the shift itself is not returned.
    Vectorized: ``x = m * 2**e`` with the 53-bit integer ``m`` (``frexp``, exact also for
    subnormals), then each ``m`` shifted left by ``e - min(e)`` as a Python integer.
    """
    arr = np.asarray(probs, dtype=np.float64)
    frac, exp = np.frexp(arr)
    mant = np.ldexp(frac, 53).astype(np.int64)  # exact: a binary64 significand has 53 bits
    exp = exp.astype(np.int64)
    low = int(exp[mant != 0].min()) if (mant != 0).any() else 0
    shifts = np.where(mant != 0, exp - low, 0)
    return [m << s for m, s in zip(mant.tolist(), shifts.tolist())]


def ceil_log2_ratio(total: int, part: int) -> int:
    """The least ``l >= 0`` with ``part * 2**l >= total``: ``ceil(log2(total / part))``, exactly.

    ``0 < part <= total``. This is the Shannon length of a symbol of probability
    ``part / total`` (C&T §5.4), computed without rounding.
    """
    assert 0 < part <= total
    length = max(0, total.bit_length() - part.bit_length())
    if (part << length) < total:
        length += 1
    return length


def exact_sum_expansion(values: list[float]) -> list[float]:
    """The exact sum of binary64 values as non-overlapping floats, largest first.

    Each part is the correctly rounded :func:`math.fsum` of the values less the parts found
    so far; the first is ``fl(sum)``, and a few passes exhaust any sum of doubles."""
    parts: list[float] = []
    while True:
        rest = math.fsum(values + [-x for x in parts])
        if rest == 0:
            return parts or [0.0]
        parts.append(rest)
