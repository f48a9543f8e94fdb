"""Huffman codes built from q (C&T §5.6), canonical codewords, exact and deterministic merges.

Tie-break, documented and pinned by golden tests: the two lightest nodes are merged. Among
equal weights, leaves (original symbols) go first, the **higher** symbol index first, and
merged nodes last, oldest first. So among symbols of equal q the lower index gets the shorter
or equal codeword: ``l(x)`` is non-decreasing in the order (q descending, index ascending),
and ``uniform:3`` gets lengths (1, 2, 2). Putting merged nodes after leaves of equal weight
("as late as possible", Schwartz 1964) yields the minimum-variance Huffman code (Sayood,
*Introduction to Data Compression*, §3.2.1). Checked, not proved in general: against every
prefix code (all Kraft-feasible length vectors, integer arithmetic) for every weight vector in
{1..4}^K with K <= 5, every multiset of such weights with K = 6, 7 and random weights in
1..30, this code is optimal for q and has the least ``Var_q[l]`` of all optimal prefix codes,
not just of the Huffman codes (``tests/coders/test_huffman.py``); no counterexample found.

Weights are the exact pmf of q as integers (:meth:`Distribution.exact_integers`): the
rationals of an exact q (``1/3``, counts, ``weights:1,3,3``), or the binary64 values of a
float q. Sums never round and a tie is a real tie of the values given. Symbols with q(x) = 0
get no codeword; a single-symbol support gets the one-bit codeword ``0`` (never zero bits per
symbol).

Optimal for q (C&T Thm 5.8.1): H(q) <= E_q[l] < H(q) + 1. Used on data from another p it
guarantees only E_p[l] >= H(p) (McMillan); it can lie below H(p, q) or above H(p, q) + 1
(theory §d).
"""

from __future__ import annotations

from ..distributions import as_distribution
from ..errors import CodeTableError
from ._huffman_lengths import huffman_lengths
from .base import table_errors
from .dary import DaryHuffmanCode, check_arity
from .package_merge import check_max_length, length_limited_lengths
from .prefix import CanonicalPrefixCode
from .registry import register


@register("huffman", "prefix", "Huffman code for q: optimal for q, canonical, min-variance ties")
class HuffmanCode(CanonicalPrefixCode):
    """The Huffman code for ``q``, with canonical codewords.

    Options (theory §m): ``max_length=L`` gives the optimal code with every codeword at most L
    bits (package-merge, :mod:`~codebook.coders.package_merge`; the plain Huffman code when its
    longest codeword already fits); ``arity=D`` (D > 2) gives the D-ary Huffman code, an object
    of :class:`~codebook.coders.dary.DaryHuffmanCode` whose lengths are in D-ary digits.

    >>> code = HuffmanCode([0.25, 0.25, 0.2, 0.15, 0.15])   # C&T Example 5.6.1
    >>> code.lengths.tolist(), round(code.expected_length([0.25, 0.25, 0.2, 0.15, 0.15]), 10)
    ([2, 2, 2, 3, 3], 2.3)
    >>> HuffmanCode([0.5, 0.25, 0.125, 0.0625, 0.0625], max_length=3).lengths.tolist()
    [1, 3, 3, 3, 3]
    """

    max_length: int | None = None

    def __new__(cls, q=None, *, arity: int = 2, max_length: int | None = None):
        if arity != 2:  # D-ary: another class (digits, not bits)
            check_arity(arity)
            if max_length is not None:
                raise ValueError("`max_length` is implemented for binary codes only (arity = 2)")
            return DaryHuffmanCode(q, arity=arity)
        return super().__new__(cls)

    def __init__(self, q, *, arity: int = 2, max_length: int | None = None):
        q = as_distribution(q, "q")
        if max_length is None:
            lengths = huffman_lengths(q)
        else:
            lengths = length_limited_lengths(q, max_length)
            self.max_length = check_max_length(max_length)
        super().__init__(lengths, q)

    def to_dict(self):
        data = super().to_dict()
        if self.max_length is not None:
            data["max_length"] = self.max_length
        return data

    @classmethod
    def from_dict(cls, data):
        if isinstance(data, dict) and data.get("arity", 2) != 2:
            return DaryHuffmanCode.from_dict(data)
        code = super().from_dict(data)
        if isinstance(data, dict) and data.get("max_length") is not None:
            with table_errors():
                code.max_length = check_max_length(data["max_length"])
            if int(code.lengths.max()) > code.max_length:
                raise CodeTableError(f"code table has a codeword longer than its max_length = {code.max_length}")
        return code


__all__ = ["HuffmanCode", "huffman_lengths"]
