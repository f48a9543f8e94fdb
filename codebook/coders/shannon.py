"""Shannon and Shannon-Fano-Elias codes built from q, with exactly computed lengths.

Shannon (C&T §5.4): l(x) = ceil(-log2 q(x)), canonical codewords. Kraft holds because
2**-l(x) <= q(x). Used on data from p: H(p, q) <= E_p[l] < H(p, q) + 1 (C&T Thm 5.4.3, the
"wrong code" theorem), with equality on the left iff q is dyadic on supp(p).

Shannon-Fano-Elias (C&T §5.9): l(x) = ceil(-log2 q(x)) + 1 and the codeword is the first l(x)
bits of the midpoint Fbar(x) = Σ_{a<x} q(a) + q(x)/2 of the symbol's interval; its own
codewords, not canonical ones. E_p[l] is the Shannon bound plus one bit.

Both are computed exactly on the exact pmf of q (theory §c): the rationals of an exact q
(``0.1,0.25,0.65`` gives lengths 4, 2, 1), or the binary64 values of a float q normalised
exactly. ceil(-log2 q) near a power of two is decided on integers, not on a rounded logarithm.
A one-symbol support gets a one-bit Shannon codeword (never zero bits per symbol), so for
q = delta the wrong-code bound reads E_p[l] = 1 = H(p, q) + 1; symbols with q(x) = 0 get no
codeword.
"""

from __future__ import annotations

import numpy as np

from ..distributions import as_distribution
from ..exact import ceil_log2_ratio
from .prefix import CanonicalPrefixCode, PrefixCode
from .registry import register


def shannon_lengths(q) -> np.ndarray:
    """``max(1, ceil(-log2 q(x)))`` for q(x) > 0, else 0 (int64), computed exactly."""
    weights, total = as_distribution(q, "q").exact_integers()
    return np.array([max(1, ceil_log2_ratio(total, w)) if w else 0 for w in weights], dtype=np.int64)


@register("shannon", "prefix", "Shannon code: lengths ceil(-log2 q), canonical codewords")
class ShannonCode(CanonicalPrefixCode):
    """The Shannon code for ``q``: lengths ``ceil(-log2 q(x))``, canonical codewords.

    >>> ShannonCode([0.5, 0.25, 0.125, 0.125]).codewords
    ('0', '10', '110', '111')
    """

    def __init__(self, q):
        q = as_distribution(q, "q")
        super().__init__(shannon_lengths(q).tolist(), q)


def sfe_codewords(q) -> list[str | None]:
    """Shannon-Fano-Elias codewords: the first ``ceil(-log2 q(x)) + 1`` bits of Fbar(x)."""
    weights, total = as_distribution(q, "q").exact_integers()
    words: list[str | None] = []
    below = 0  # exact Σ_{a<x} q(a), in units of 1/total
    for w in weights:
        if w == 0:
            words.append(None)
            continue
        length = ceil_log2_ratio(total, w) + 1
        # floor(Fbar * 2**l) with Fbar = (2*below + w) / (2*total), in integers.
        value = ((2 * below + w) << length) // (2 * total)
        words.append(format(value, f"0{length}b"))
        below += w
    return words


@register("sfe", "prefix", "Shannon-Fano-Elias code: midpoint of the cdf, ceil(-log2 q)+1 bits")
class ShannonFanoEliasCode(PrefixCode):
    """The Shannon-Fano-Elias code for ``q`` (C&T §5.9), with its own (non-canonical) codewords.

    >>> ShannonFanoEliasCode([0.25, 0.5, 0.125, 0.125]).codewords   # C&T Table 5.3 style
    ('001', '10', '1101', '1111')
    """

    def __init__(self, q):
        q = as_distribution(q, "q")
        super().__init__(sfe_codewords(q), q)
