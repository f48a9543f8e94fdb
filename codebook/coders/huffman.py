"""Huffman codes built from q (C&T §5.6), canonical codewords, exact and deterministic merges.

Tie-break, documented and pinned by a golden test: the two lightest nodes are merged, where
nodes are ordered by (weight, id); a leaf's id is its symbol index and the t-th merged node's
id is K + t. So among equal weights, original symbols go first, lower index first, and merged
nodes last, oldest first. Putting merged nodes after leaves of equal weight yields the
minimum-variance Huffman code (Sayood, *Introduction to Data Compression*, §3.2.1).

Weights are the exact binary64 values of q as integers (``codebook.exact``), so sums never
round and a tie is a real tie of the floats given. Symbols with q(x) = 0 get no codeword; a
single-symbol support gets the one-bit codeword ``0`` (never zero bits per symbol).

Optimal for q (C&T Thm 5.8.1): H(q) <= E_q[l] < H(q) + 1. Used on data from another p it
guarantees only E_p[l] >= H(p) (McMillan); it can lie below H(p, q) or above H(p, q) + 1
(THEORY.md (d)).
"""

from __future__ import annotations

import numpy as np

from ..distributions import as_distribution
from ..exact import dyadic_numerators
from .prefix import CanonicalPrefixCode
from .registry import register


def huffman_lengths(q) -> np.ndarray:
    """Huffman codeword lengths for ``q`` (int64; 0 for symbols with q(x) = 0).

    The two-queue construction (van Leeuwen 1976): leaves sorted once by (weight, symbol), and
    merged nodes, which are created with non-decreasing weights, in a FIFO queue; each step
    merges the two lightest fronts. Taking the leaf when a leaf and a merged node weigh the
    same is the documented tie-break, so the code equals the heap construction's, in O(K)
    steps after the sort. Sorting by the floats is exact: the weights are those floats.
    """
    probs = as_distribution(q, "q").probs
    k = probs.size
    lengths = np.zeros(k, dtype=np.int64)
    support = np.flatnonzero(probs > 0)
    if support.size == 1:
        lengths[support[0]] = 1
        return lengths
    leaves = support[np.lexsort((support, probs[support]))].tolist()
    weights = dyadic_numerators(probs)
    merged_weight: list[int] = []  # weight of merged node t (created t-th)
    parent = np.empty(k + support.size - 1, dtype=np.int64)  # ids: leaves 0..k-1, merged k + t
    i = j = 0  # fronts of the leaf queue and of the merged queue

    def pop() -> tuple[int, int]:
        nonlocal i, j
        if j < len(merged_weight) and (i == len(leaves) or merged_weight[j] < weights[leaves[i]]):
            j += 1
            return merged_weight[j - 1], k + j - 1
        i += 1
        return weights[leaves[i - 1]], leaves[i - 1]

    for t in range(support.size - 1):
        w1, a = pop()
        w2, b = pop()
        parent[a] = parent[b] = k + t
        merged_weight.append(w1 + w2)
    # Depths: a merged node's parent was created after it, so walk merged ids downward.
    top = k + support.size - 2
    depth = np.zeros(k + support.size - 1, dtype=np.int64)
    for node in range(top - 1, k - 1, -1):
        depth[node] = depth[parent[node]] + 1
    lengths[support] = depth[parent[support]] + 1
    return lengths


@register("huffman", "prefix", "Huffman code for q: optimal for q, canonical, min-variance ties")
class HuffmanCode(CanonicalPrefixCode):
    """The Huffman code for ``q``, with canonical codewords.

    Options (theory §o): ``max_length=L`` gives the optimal code with every codeword at most L
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
            from .dary import DaryHuffmanCode, check_arity

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
            from .package_merge import check_max_length, length_limited_lengths

            lengths = length_limited_lengths(q, max_length)
            self.max_length = check_max_length(max_length)
        super().__init__(lengths.tolist(), q)

    def to_dict(self):
        data = super().to_dict()
        if self.max_length is not None:
            data["max_length"] = self.max_length
        return data

    @classmethod
    def from_dict(cls, data):
        if isinstance(data, dict) and data.get("arity", 2) != 2:
            from .dary import DaryHuffmanCode

            return DaryHuffmanCode.from_dict(data)
        code = super().from_dict(data)
        if isinstance(data, dict) and data.get("max_length") is not None:
            from ..errors import CodeTableError
            from .package_merge import check_max_length

            try:
                code.max_length = check_max_length(data["max_length"])
            except ValueError as exc:
                raise CodeTableError(f"code table: {exc}") from None
            if int(code.lengths.max()) > code.max_length:
                raise CodeTableError(f"code table has a codeword longer than its max_length = {code.max_length}")
        return code


__all__ = ["HuffmanCode", "huffman_lengths"]
