"""Tunstall codes: variable-to-fixed length, a dictionary of source phrases, m bits per phrase.

Construction (Tunstall 1967): start from the tree whose leaves are the symbols of supp(q);
repeatedly split the most probable leaf (probability = product of q along its path) into its
|supp q| children, as long as the leaves still fit in ``2**m`` codewords. The tree has
``M = 1 + j (|supp q| - 1)`` leaves after ``j = floor((2**m - 1) / (|supp q| - 1))`` splits (a
one-symbol q has the single phrase made of that symbol: m bits per symbol).
Ties go to the older node (smaller creation number; siblings in symbol order); probabilities
are compared as sums of per-symbol ``-log2 q`` rounded to multiples of 2**-40 (exact integer
sums, so permutations of a phrase tie exactly: :func:`symbol_costs`). Leaves are the phrases; their codewords are 0..M-1 in
lexicographic order of the phrases, written as m-bit big-endian integers. Codewords M..2**m-1
are never written, and decoding one raises :class:`DecodeError`.

Encoding parses the message greedily into phrases (the parse is unique: the phrases are the
leaves of a complete tree). **End of message**: if the message ends inside a phrase (at an
internal node of the tree), that partial phrase is completed by appending the smallest symbol
of supp(q) until a leaf is reached, and the leaf's codeword is written. The decoder knows n, so
it outputs the first n symbols only; it checks that the symbols it drops are exactly that
completion. So a message of n symbols costs ``m * N`` bits, N = the number of phrases needed to
cover it, and an empty message costs 0 bits.

What theory says (theory §p): for data from p, with L the length of a phrase (i.i.d. phrases),
the leaf-entropy theorem gives ``H_p(leaves) = E_p[L] H(p)``, so the rate ``m / E_p[L]`` is at
least ``H(p) m / log2 M >= H(p)``; for the tree built for p itself (q = p), every leaf has
probability at least p_min times any other, which gives
``m / E_p[L] <= H(p) m / (log2 M - log2(1/p_min))`` (Jelinek & Schneider 1972).
"""

from __future__ import annotations

import math
from functools import cached_property
from typing import Any

import numpy as np
from bitarray import bitarray

from ..distributions import Distribution, as_distribution, check_same_alphabet
from ..errors import EncodeError
from . import _tunstall_kernels as kernels
from ._bitio import raise_for_status, raise_too_short
from .base import (
    Code,
    as_bits,
    as_symbols,
    bits_to_bytes,
    bytes_to_bits,
    check_count,
    require_field,
    symbol_buffer,
    table_alphabet_size,
    table_errors,
)
from .prefix import MAX_ALPHABET
from .registry import register

DEFAULT_CODEWORD_BITS = 16
MAX_CODEWORD_BITS = 20
"""At most 2**20 phrases: the tree has about 2**20 * |supp q| / (|supp q| - 1) nodes."""


COST_SCALE = 1 << 40


def symbol_costs(probs) -> np.ndarray:
    """``-log2 q(x)`` of each (positive) probability, rounded to an integer number of 2**-40.

    The tree compares phrase probabilities through these costs summed exactly (int64), so
    phrases with the same symbols in another order tie exactly (float products would differ in
    the last bit); two phrases whose probabilities differ by less than about depth * 2**-40 in
    log2 may be ordered by the rounding.
    """
    probs = np.asarray(probs, dtype=np.float64)
    return np.rint(-np.log2(probs / math.fsum(probs.tolist())) * COST_SCALE).astype(np.int64)


@register("tunstall", "vf", "Tunstall code: variable-to-fixed, source phrases of q, m bits per phrase")
class TunstallCode(Code):
    """The Tunstall code for ``q`` with ``codeword_bits`` = m bits per phrase.

    >>> code = TunstallCode([0.6, 0.3, 0.1], codeword_bits=3)   # A, B, C as in Sayood §3.7
    >>> code.phrases()   # AAA, AAB, AAC, AB, AC, B, C
    [(0, 0, 0), (0, 0, 1), (0, 0, 2), (0, 1), (0, 2), (1,), (2,)]
    >>> bits = code.encode([0, 0, 0, 1, 2, 0])   # AAA | B | C | A (completed to AAA)
    >>> bits.to01(), code.decode(bits, 6).tolist()
    ('000101110000', [0, 0, 0, 1, 2, 0])
    """

    def __init__(self, q, *, codeword_bits: int = DEFAULT_CODEWORD_BITS):
        q = as_distribution(q, "q")
        m = codeword_bits
        if isinstance(m, bool) or not isinstance(m, (int, np.integer)) or not 1 <= m <= MAX_CODEWORD_BITS:
            raise ValueError(f"`codeword_bits` must be an integer in 1..{MAX_CODEWORD_BITS}; got {m!r}")
        if len(q) > MAX_ALPHABET:
            raise ValueError(f"the Tunstall code takes at most {MAX_ALPHABET} symbols; got K = {len(q)}")
        support = q.support
        if support.size > 1 << m:
            raise ValueError(
                f"codeword_bits = {m} gives {1 << m} codewords, fewer than the {support.size} symbols of "
                f"supp(q); use codeword_bits >= {math.ceil(math.log2(support.size))}"
            )
        self.q = q
        self._m = int(m)
        self._support = support.astype(np.int64)
        # one symbol: the root only is split, and the one phrase is that symbol (m bits each)
        self._splits = ((1 << m) - 1) // (support.size - 1) if support.size > 1 else 1
        (self._parent, self._rank, self._depth, self._internal_of, self._child,
         self._leaf_node) = kernels.build_tree(symbol_costs(q.probs[support]), self._splits)
        self._rank_of = np.full(len(q), -1, dtype=np.int64)
        self._rank_of[support] = np.arange(support.size)

    # ------------------------------------------------------------------ the dictionary
    @property
    def alphabet_size(self) -> int:
        return len(self.q)

    @property
    def codeword_bits(self) -> int:
        """m: every phrase is sent as an m-bit codeword."""
        return self._m

    @property
    def model(self) -> Distribution:
        """The q the tree was built from."""
        return self.q

    @property
    def phrase_count(self) -> int:
        """M, the number of phrases (leaves): ``1 + j (|supp q| - 1) <= 2**m``."""
        return int(self._leaf_node.size)

    @cached_property
    def _max_depth(self) -> int:
        return int(self.leaf_depths.max())

    @property
    def leaf_depths(self) -> np.ndarray:
        """Phrase lengths in symbols, by codeword."""
        return self._depth[self._leaf_node]

    def phrases(self) -> list[tuple[int, ...]]:
        """The phrases in codeword order, as tuples of symbols."""
        out = []
        for node in self._leaf_node.tolist():
            path = []
            while node != 0:
                path.append(int(self._support[self._rank[node]]))
                node = int(self._parent[node])
            out.append(tuple(reversed(path)))
        return out

    def uncodable_symbols(self) -> np.ndarray:
        """Boolean mask over 0..K-1: True for the symbols outside supp(q), which no phrase contains."""
        return self._rank_of < 0

    @property
    def leaf_nodes(self) -> np.ndarray:
        """The tree node (creation order) of each phrase, by codeword."""
        return self._leaf_node

    @property
    def internal_nodes(self) -> np.ndarray:
        """Boolean mask over the tree's nodes (creation order, root first): True for the split ones."""
        return self._internal_of >= 0

    def node_probabilities(self, p) -> np.ndarray:
        """P_p(node) for every node of the tree (creation order): the product of p along its path."""
        p = as_distribution(p, "p")
        check_same_alphabet(p, self, "p", "code")
        probs = np.ascontiguousarray(p.probs[self._support], dtype=np.float64)
        return kernels.node_probabilities(self._parent, self._rank, probs)

    def phrase_length_law(self, p=None) -> tuple[np.ndarray, np.ndarray]:
        """``(lengths, probabilities)``: the law of the length of a phrase when the symbols are
        i.i.d. from p (default q). Probabilities sum to P_p(supp q) (1 if p lives on supp q)."""
        node_p = self.node_probabilities(self.q if p is None else p)
        depths = self.leaf_depths
        mass = np.bincount(depths, weights=node_p[self._leaf_node])
        lengths = np.flatnonzero(mass > 0)
        return lengths, mass[lengths]

    def expected_phrase_length(self, p=None) -> float:
        """``E_p[L] = Σ_{internal v} P_p(v)`` symbols per phrase (default p = q)."""
        node_p = self.node_probabilities(self.q if p is None else p)
        return math.fsum(node_p[self._internal_of >= 0].tolist())

    def min_bits(self, n: int) -> int:
        """The fewest bits any message of n symbols takes: ``m ceil(n / longest phrase)``."""
        return self._m * -(-int(n) // self._max_depth)

    def rate(self, p=None) -> float:
        """``m / E_p[L]``: bits per source symbol of a long message from p (the phrase count of
        n symbols is a renewal count, so bits/n tends to this as n grows)."""
        mean = self.expected_phrase_length(p)
        return self._m / mean if mean > 0 else math.inf

    # ------------------------------------------------------------------ coding
    def encode(self, symbols) -> bitarray:
        """m bits per phrase; the last phrase completed as documented in the module docstring."""
        arr = as_symbols(symbols, self.alphabet_size)
        out = np.zeros((arr.size * self._m + 7) // 8, dtype=np.uint8)
        words = int(kernels.encode(arr, self._rank_of, self._child, self._m, out))
        if words < 0:
            i = -1 - words
            raise EncodeError(
                f"symbol {arr[i]} at position {i} has probability 0 under the code's model, so no "
                "Tunstall phrase contains it"
            )
        return bytes_to_bits(out, words * self._m)

    def decode_partial(self, bits, n: int, *, dtype=np.int64) -> tuple[np.ndarray, int]:
        bits = as_bits(bits)
        n = check_count(n)
        most = (len(bits) // self._m) * self._max_depth  # what the stream can hold
        out = symbol_buffer(min(n, most), dtype, self.alphabet_size)
        if n > most:
            raise_too_short(n, len(bits), most)
        status, done, pos = kernels.decode(bits_to_bytes(bits), len(bits), n, self._m, self._leaf_node,
                                           self._parent, self._rank, self._depth, self._support, out)
        raise_for_status(status, done, pos, n, len(bits), "phrase")
        return out, int(pos)

    # ------------------------------------------------------------------ serialisation
    def to_dict(self) -> dict[str, Any]:
        return {"coder": self.name, "version": 1, "alphabet_size": self.alphabet_size,
                "codeword_bits": self._m, "probs": self.q.probs.tolist()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TunstallCode:
        probs = require_field(data, "probs", list)
        table_alphabet_size(data, MAX_ALPHABET, count=len(probs))
        m = require_field(data, "codeword_bits", int)
        with table_errors():
            return cls(Distribution(probs, name="probs"), codeword_bits=m)

    def __repr__(self) -> str:
        return f"TunstallCode(K={self.alphabet_size}, codeword_bits={self._m}, phrases={self.phrase_count})"


__all__ = ["DEFAULT_CODEWORD_BITS", "MAX_CODEWORD_BITS", "TunstallCode"]
