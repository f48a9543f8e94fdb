"""Length-limited Huffman codes: the optimal prefix code with every codeword at most L bits.

Package-merge (Larmore & Hirschberg 1990, "A fast algorithm for optimal length-limited Huffman
codes", JACM 37(3)): for every level l = L, L-1, ..., 1 form the list of the ``|supp q|``
symbol weights merged with the *packages* (sums of consecutive pairs) of the level below,
in increasing weight; then select the first ``2 (|supp q| - 1)`` items of level 1 and, going
down, the items that selected packages contain. A symbol's length is the number of levels
at which it is selected. The result minimises E_q[l] among all prefix codes whose lengths
are at most L; it exists iff ``|supp q| <= 2**L``.

Weights are the exact pmf of q as integers (``Distribution.exact_integers``), so sums never round
and ties are real; ties break with symbols before packages, symbols in (weight ascending, symbol
descending) order as in :mod:`~codebook.coders.huffman` (so among equal q the lower symbol gets
the shorter or equal codeword), packages in the order they were formed. When the unconstrained Huffman code (:func:`huffman_lengths`) already
has every length <= L, :func:`length_limited_lengths` returns it unchanged, so
``max_length`` changes a code only when the limit binds.
"""

from __future__ import annotations

import math

import numpy as np

from ..distributions import as_distribution
from ._huffman_lengths import _huffman_start, huffman_lengths

MAX_LENGTH_LIMIT = 64


def check_max_length(max_length) -> int:
    if isinstance(max_length, bool) or not isinstance(max_length, (int, np.integer)) or not (
        1 <= max_length <= MAX_LENGTH_LIMIT
    ):
        raise ValueError(f"`max_length` must be an integer in 1..{MAX_LENGTH_LIMIT}; got {max_length!r}")
    return int(max_length)


def _check_fits(support_size: int, max_length: int) -> None:
    if support_size > 1 << max_length:
        raise ValueError(
            f"no prefix code has {support_size} codewords of at most max_length = {max_length} bits "
            f"(at most 2**{max_length} = {1 << max_length}); q has {support_size} symbols of positive "
            f"probability: use max_length >= {math.ceil(math.log2(support_size))}"
        )


def package_merge_lengths(q, max_length: int) -> np.ndarray:
    """Optimal codeword lengths for ``q`` with every length <= ``max_length`` (0 for q(x) = 0).

    >>> package_merge_lengths([0.5, 0.25, 0.125, 0.0625, 0.0625], 3).tolist()
    [1, 3, 3, 3, 3]
    """
    limit = check_max_length(max_length)
    lengths, support, numerators, leaf_order = _huffman_start(q)
    _check_fits(support.size, limit)
    if leaf_order is None:
        return lengths
    order = np.array(leaf_order, dtype=np.int64)
    leaves = [(numerators[x], 0, r) for r, x in enumerate(order.tolist())]  # (weight, is package, index)
    flags = []  # per level, from level L up to level 1: 1 where the merged list holds a package
    previous: list[tuple[int, int, int]] = []
    for _ in range(limit):
        packages = [(previous[2 * i][0] + previous[2 * i + 1][0], 1, i) for i in range(len(previous) // 2)]
        merged = sorted(leaves + packages)  # two sorted runs: a linear merge
        flags.append(np.fromiter((item[1] for item in merged), dtype=np.int8, count=len(merged)))
        previous = merged
    counts = np.zeros(support.size + 1, dtype=np.int64)  # counts[a] += 1: the a lightest selected
    take = 2 * (support.size - 1)
    for level_flags in reversed(flags):  # level 1 first
        chosen = level_flags[:take]
        packaged = int(chosen.sum())
        counts[take - packaged] += 1
        take = 2 * packaged
    # symbol of rank r is selected at every level whose leaf count exceeds r
    selected = np.cumsum(counts[::-1])[::-1][1:]  # selected[r] = #levels with count > r
    lengths[order] = selected
    return lengths


def length_limited_lengths(q, max_length: int) -> np.ndarray:
    """The Huffman code's lengths if none exceeds ``max_length``, else package-merge's."""
    limit = check_max_length(max_length)
    q = as_distribution(q, "q")
    _check_fits(q.support.size, limit)
    lengths = huffman_lengths(q)
    if int(lengths.max()) <= limit:
        return lengths
    return package_merge_lengths(q, limit)


__all__ = ["MAX_LENGTH_LIMIT", "check_max_length", "length_limited_lengths", "package_merge_lengths"]
