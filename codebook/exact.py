"""Exact integer views of float probability vectors.

THEORY.md's convention: a float input is taken at its exact binary64 value and the vector is
normalised exactly. Every binary64 number is an integer multiple of 2**-1074, so a whole vector
is ``nums / 2**shift`` with Python integers ``nums``; its exact sum is ``sum(nums) / 2**shift``.
Code constructions that must not round (Huffman merges and ties, Shannon lengths near powers
of two, Shannon-Fano-Elias midpoints) work on these integers.
"""

from __future__ import annotations

import numpy as np


def dyadic_numerators(probs: np.ndarray) -> list[int]:
    """Integers ``nums`` with ``probs[i] == nums[i] / 2**shift`` exactly, for one common shift.

    Only ratios between entries matter to the callers, so the shift itself is not returned.
    """
    ratios = [float(x).as_integer_ratio() for x in np.asarray(probs, dtype=np.float64)]
    # Denominators of binary64 values are powers of two; bring all to the largest.
    shift = max(den.bit_length() - 1 for _, den in ratios)
    return [num << (shift - (den.bit_length() - 1)) for num, den in ratios]


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
