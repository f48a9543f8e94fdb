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

import heapq

import numpy as np

from ..distributions import as_distribution
from ..exact import dyadic_numerators
from .prefix import CanonicalPrefixCode
from .registry import register


def huffman_lengths(q) -> np.ndarray:
    """Huffman codeword lengths for ``q`` (int64; 0 for symbols with q(x) = 0)."""
    probs = as_distribution(q, "q").probs
    k = probs.size
    weights = dyadic_numerators(probs)
    heap = [(w, x) for x, w in enumerate(weights) if w > 0]
    lengths = np.zeros(k, dtype=np.int64)
    if len(heap) == 1:
        lengths[heap[0][1]] = 1
        return lengths
    heapq.heapify(heap)
    parent = {}
    next_id = k
    while len(heap) > 1:
        w1, a = heapq.heappop(heap)
        w2, b = heapq.heappop(heap)
        parent[a] = parent[b] = next_id
        heapq.heappush(heap, (w1 + w2, next_id))
        next_id += 1
    # Depth of each node: merged nodes were created in increasing id order, so walking the
    # ids downward from the root visits every parent before its children.
    depth = {next_id - 1: 0}
    for node in range(next_id - 2, -1, -1):
        if node in parent:
            depth[node] = depth[parent[node]] + 1
    for x in range(k):
        if weights[x] > 0:
            lengths[x] = depth[x]
    return lengths


@register("huffman", "prefix", "Huffman code for q: optimal for q, canonical, min-variance ties")
class HuffmanCode(CanonicalPrefixCode):
    """The Huffman code for ``q``, with canonical codewords.

    >>> code = HuffmanCode([0.25, 0.25, 0.2, 0.15, 0.15])   # C&T Example 5.6.1
    >>> code.lengths.tolist(), round(code.expected_length([0.25, 0.25, 0.2, 0.15, 0.15]), 10)
    ([2, 2, 2, 3, 3], 2.3)
    """

    def __init__(self, q):
        q = as_distribution(q, "q")
        super().__init__(huffman_lengths(q).tolist(), q)


__all__ = ["HuffmanCode", "huffman_lengths"]
