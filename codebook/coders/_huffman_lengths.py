"""The binary Huffman length construction that huffman, dary and package_merge share.

:func:`huffman_lengths` (the two-queue construction) and :func:`_leaf_order` (the documented
tie-break order of the leaves: weight ascending, symbol descending, decided exactly) live here,
below :mod:`~codebook.coders.huffman`, :mod:`~codebook.coders.dary` and
:mod:`~codebook.coders.package_merge`, so that those three import them without importing each
other in a circle. The tie-break and its guarantees are documented in
:mod:`~codebook.coders.huffman`, which re-exports :func:`huffman_lengths` as public API.
"""

from __future__ import annotations

import numpy as np

from ..distributions import as_distribution
from . import _prefix_kernels as kernels


def huffman_lengths(q) -> np.ndarray:
    """Huffman codeword lengths for ``q`` (int64; 0 for symbols with q(x) = 0).

    The two-queue construction (van Leeuwen 1976): leaves sorted once by (weight ascending,
    symbol descending), and merged nodes, which are created with non-decreasing weights, in a
    FIFO queue; each step merges the two lightest fronts. Taking the leaf when a leaf and a
    merged node weigh the same is the documented tie-break, so the code equals the heap
    construction's, in O(K) steps after the sort.
    """
    lengths, support, weights, leaves = _huffman_start(q)
    if leaves is None:
        return lengths
    k = lengths.size
    leaf_weight = [weights[x] for x in leaves]
    merged: list[int] = []  # weight of merged node t (created t-th), non-decreasing
    parent = [0] * (k + support.size - 1)  # ids: leaves 0..k-1, merged node t is k + t
    i = j = 0  # fronts of the leaf queue and of the merged queue
    n_leaves = len(leaves)
    for t in range(support.size - 1):
        # Two pops; a leaf wins ties against a merged node (the documented tie-break).
        if j < t and (i == n_leaves or merged[j] < leaf_weight[i]):
            w1, a, j = merged[j], k + j, j + 1
        else:
            w1, a, i = leaf_weight[i], leaves[i], i + 1
        if j < t and (i == n_leaves or merged[j] < leaf_weight[i]):
            w2, b, j = merged[j], k + j, j + 1
        else:
            w2, b, i = leaf_weight[i], leaves[i], i + 1
        parent[a] = parent[b] = k + t
        merged.append(w1 + w2)
    depth = kernels.tree_depths(np.array(parent, dtype=np.int64), k)
    lengths[support] = depth[support]
    return lengths


def _huffman_start(q) -> tuple[np.ndarray, np.ndarray, list[int] | None, list[int] | None]:
    """The start shared by the Huffman-type length constructions (binary, D-ary, package-merge).

    Returns ``(lengths, support, weights, leaves)``: int64 zero lengths of q's alphabet size, the
    symbols with q(x) > 0, q's exact integer weights and the support in :func:`_leaf_order`.
    A one-symbol support gets length 1 and ``weights = leaves = None``: the caller returns
    ``lengths`` as they are."""
    q = as_distribution(q, "q")
    lengths = np.zeros(q.probs.size, dtype=np.int64)
    support = np.flatnonzero(q.probs > 0)
    if support.size == 1:
        lengths[support[0]] = 1
        return lengths, support, None, None
    weights, _ = q.exact_integers()
    return lengths, support, weights, _leaf_order(q, weights, support)


def _leaf_order(q, weights: list[int], support: np.ndarray) -> list[int]:
    """The support sorted by (weight ascending, symbol descending), decided exactly.

    A float q's floats are its weights up to one power of two, so NumPy sorts them exactly;
    an exact q's integer numerators are sorted as int64 when they fit, else in Python."""
    if not q.is_exact:
        keys = q.probs[support]
    elif max(weights) < 1 << 63:
        keys = np.array(weights, dtype=np.int64)[support]
    else:
        return sorted(support.tolist(), key=lambda x: (weights[x], -x))
    return support[np.lexsort((-support, keys))].tolist()


__all__ = ["huffman_lengths"]
