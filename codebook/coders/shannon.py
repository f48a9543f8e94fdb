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
from ..exact import ceil_log2_ratio, exact_sum_expansion
from . import _prefix_kernels as kernels
from .prefix import CanonicalPrefixCode, PrefixCode, codeword_offsets
from .registry import register


def shannon_lengths(q) -> np.ndarray:
    """``max(1, ceil(-log2 q(x)))`` for q(x) > 0, else 0 (int64), computed exactly."""
    raw = ceil_self_information(as_distribution(q, "q"))
    return np.where(raw >= 0, np.maximum(raw, 1), 0)


def ceil_self_information(q) -> np.ndarray:
    """``ceil(-log2 q(x))`` of the exact pmf, exactly: the least ``l >= 0`` with
    ``q(x) 2**l >= 1``; ``-1`` where ``q(x) = 0``.

    Float q: a float estimate of ``l``, then corrected exactly and vectorized: ``q(x) =
    v / S`` with ``S`` the exact sum of the floats ``v``, held as an expansion ``s1 + s2 + ...``
    of non-overlapping floats (``s1 = fl(S)``), and ``v 2**l`` is a float, so ``v 2**l >= S``
    is ``v 2**l > s1``, or ``== s1`` with ``s2 <= 0``. Exact q: once per distinct numerator
    (:func:`codebook.exact.ceil_log2_ratio`)."""
    out = np.full(len(q), -1, dtype=np.int64)
    if q.is_exact:
        ints, total = q.exact_integers()
        values, inverse = np.unique(np.array(ints, dtype=object if max(ints) >= 1 << 63 else np.int64),
                                    return_inverse=True)
        per_value = np.array([ceil_log2_ratio(total, int(w)) if w else -1 for w in values.tolist()], dtype=np.int64)
        return per_value[inverse.ravel()]
    probs = q.probs
    pos = np.flatnonzero(probs > 0)
    v = probs[pos]
    parts = exact_sum_expansion(probs.tolist())
    s1, rest = parts[0], (parts[1] if len(parts) > 1 else 0.0)

    def at_least_total(length):
        scaled = np.ldexp(v, length)
        return (scaled > s1) | ((scaled == s1) & (rest <= 0))

    with np.errstate(divide="ignore"):
        length = np.maximum(np.ceil(np.log2(s1) - np.log2(v)), 0).astype(np.int64)
    for _ in range(4):  # the estimate is within one of the answer; each pass moves it by one
        short = ~at_least_total(length)
        length[short] += 1
        long = (length > 0) & at_least_total(length - 1)
        length[long] -= 1
        if not short.any() and not long.any():
            break
    assert at_least_total(length).all() and not ((length > 0) & at_least_total(length - 1)).any()
    out[pos] = length
    return out


@register("shannon", "prefix", "Shannon code: lengths ceil(-log2 q), canonical codewords")
class ShannonCode(CanonicalPrefixCode):
    """The Shannon code for ``q``: lengths ``ceil(-log2 q(x))``, canonical codewords.

    >>> ShannonCode([0.5, 0.25, 0.125, 0.125]).codewords
    ('0', '10', '110', '111')
    """

    def __init__(self, q):
        q = as_distribution(q, "q")
        super().__init__(shannon_lengths(q), q)


def sfe_codewords(q) -> list[str | None]:
    """Shannon-Fano-Elias codewords: the first ``ceil(-log2 q(x)) + 1`` bits of Fbar(x)."""
    return list(ShannonFanoEliasCode(q).codewords)


def _sfe_table(q) -> tuple[np.ndarray, np.ndarray]:
    """The lengths and the concatenated codeword bits of the SFE code, exactly in integers:
    ``l = ceil(-log2 q) + 1`` and ``floor(Fbar 2**l)`` with ``Fbar = (2 below + w) / (2 total)``."""
    weights, total = q.exact_integers()
    raw = ceil_self_information(q)
    lengths = np.where(raw >= 0, raw + 1, 0)
    values = [0] * len(weights)
    below, twice = 0, 2 * total  # below: exact Σ_{a<x} q(a), in units of 1/total
    for x, (w, length) in enumerate(zip(weights, lengths.tolist())):
        if w:
            values[x] = ((2 * below + w) << length) // twice
            below += w
    offsets = codeword_offsets(lengths)
    flat = np.empty(int(offsets[-1]), dtype=np.uint8)
    short = lengths <= 62
    kernels.value_bits(np.array([v if s else 0 for v, s in zip(values, short.tolist())], dtype=np.int64),
                       lengths, offsets, flat)
    for x in np.flatnonzero(~short).tolist():  # codewords longer than 62 bits: rare
        flat[offsets[x] : offsets[x + 1]] = np.frombuffer(format(values[x], f"0{lengths[x]}b").encode(), np.uint8) - 48
    return lengths, flat


@register("sfe", "prefix", "Shannon-Fano-Elias code: midpoint of the cdf, ceil(-log2 q)+1 bits")
class ShannonFanoEliasCode(PrefixCode):
    """The Shannon-Fano-Elias code for ``q`` (C&T §5.9), with its own (non-canonical) codewords.

    >>> ShannonFanoEliasCode([0.25, 0.5, 0.125, 0.125]).codewords   # C&T Table 5.3 style
    ('001', '10', '1101', '1111')
    """

    def __init__(self, q):
        q = as_distribution(q, "q")
        self._setup(*_sfe_table(q), q)
