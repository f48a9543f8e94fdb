"""D-ary Huffman codes (codewords of digits 0..D-1), packed into a documented bit layout.

Construction (C&T §5.6, Examples 5.6.2-5.6.3; optimality for every D, §5.8): each step merges
the D lightest nodes. So that the last step merges exactly D nodes, ``d`` dummy symbols of
probability 0 are added first, the least d >= 0 with ``(|supp q| + d - 1) % (D - 1) == 0``;
they are the lightest nodes and end up as unused codewords (the decoder rejects them).
Weights are the exact pmf of q as integers (``Distribution.exact_integers``), and ties break as
in the binary :mod:`~codebook.coders.huffman` code: dummies first, then leaves by (weight
ascending, symbol descending), a leaf before a merged node of the same weight, merged nodes
oldest first; for D = 2 this is the binary Huffman code. Codewords are canonical: symbols sorted by (length, symbol)
get consecutive D-ary numbers, multiplied by D when the length grows.

Lengths are in D-ary digits. A digit carries log2 D bits of information, so the code's
information cost is ``digits * log2 D`` bits (:meth:`DaryHuffmanCode.expected_bits`); the
D-ary entropy bound is ``H_D(p) = H(p) / log2 D <= E_p[l]`` digits (C&T Thm 5.3.1, 5.5.1).

**Bit layout.** The message's digits are cut into blocks of ``g`` digits, and block
``d_1 .. d_g`` is written as the integer ``Σ d_i D^(g-i)`` in ``b`` bits, big-endian, with ``b``
the least integer such that ``D^g <= 2^b``. ``g <= 56 / log2 D`` is chosen to maximise
``g / b`` (the digits per bit; ties to the smaller g): for D a power of two ``g = 1`` and
``b = log2 D`` (no loss); for D = 3, 29 digits in 46 bits (1.5862 bits per digit against
log2 3 = 1.5850). The last block is completed with zero digits, so a message of N digits takes
exactly ``ceil(N / g) * b`` bits (:meth:`DaryHuffmanCode.stream_bits`).
"""

from __future__ import annotations

import math
from fractions import Fraction
from functools import cached_property
from typing import Any

import numpy as np
from bitarray import bitarray

from ..distributions import Distribution, as_distribution, check_same_alphabet
from ..errors import CodeTableError, EncodeError
from . import _dary_kernels as kernels
from ._bitio import MAX_PUT, raise_for_status, raise_too_short
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
from ._huffman_lengths import _huffman_start
from ._prefix_kernels import tree_depths
from .prefix import MAX_ALPHABET, MAX_CODEWORD_BITS, codeword_offsets

MAX_ARITY = 1 << 16
MAX_TRIE_ENTRIES = 1 << 26
"""Largest decoding trie (nodes x D entries, 512 MB) a D-ary code may need; real codes stay far
below (a Huffman code for K symbols has about K / (D - 1) internal nodes)."""


def check_arity(arity) -> int:
    if isinstance(arity, bool) or not isinstance(arity, (int, np.integer)) or not 2 <= arity <= MAX_ARITY:
        raise ValueError(f"`arity` (the code alphabet size D) must be an integer in 2..{MAX_ARITY}; got {arity!r}")
    return int(arity)


def dummy_count(support_size: int, arity: int) -> int:
    """d: dummy symbols so that ``(support_size + d - 1) % (arity - 1) == 0`` (C&T §5.6).

    >>> dummy_count(6, 3), dummy_count(5, 3), dummy_count(2, 4)
    (1, 0, 2)
    """
    return (-(support_size - 1)) % (arity - 1)


def dary_huffman_lengths(q, arity: int) -> np.ndarray:
    """D-ary Huffman codeword lengths for ``q``, in digits (int64; 0 for q(x) = 0).

    >>> dary_huffman_lengths([0.25, 0.25, 0.2, 0.15, 0.15], 3).tolist()   # C&T Example 5.6.2
    [1, 1, 2, 2, 2]
    """
    arity = check_arity(arity)
    lengths, support, weights, leaves = _huffman_start(q)
    if leaves is None:
        return lengths
    dummies = dummy_count(support.size, arity)
    # Node ids: dummies 0..d-1, leaves d + rank (in (weight ascending, symbol descending) order,
    # the binary Huffman code's tie-break), merged nodes after.
    queue = [0] * dummies + [weights[x] for x in leaves]  # sorted: a FIFO of leaf weights
    n_leaf = len(queue)
    merged: list[int] = []
    parent = [0] * (n_leaf + (n_leaf - 1) // (arity - 1))
    i = j = 0
    for t in range((n_leaf - 1) // (arity - 1)):
        total = 0
        for _ in range(arity):
            if j < len(merged) and (i == n_leaf or merged[j] < queue[i]):
                node, w = n_leaf + j, merged[j]
                j += 1
            else:
                node, w = i, queue[i]
                i += 1
            parent[node] = n_leaf + t
            total += w
        merged.append(total)
    depth = tree_depths(np.array(parent, dtype=np.int64), n_leaf)
    lengths[leaves] = depth[dummies : n_leaf]
    return lengths


def canonical_digits(lengths, arity: int) -> list[tuple[int, ...] | None]:
    """Canonical D-ary codewords for ``lengths`` (0 = none), after checking Kraft exactly.

    Digit arithmetic only (no big integers): Kraft by the room left at each depth, capped once
    it exceeds the symbols still to place; codewords by adding one in base D and appending
    zeros when the length grows."""
    used = sorted((int(length), x) for x, length in enumerate(lengths) if length > 0)
    if not used:
        raise CodeTableError("a code needs at least one codeword (all lengths are 0)")
    per_length: dict[int, int] = {}
    for length, _ in used:
        per_length[length] = per_length.get(length, 0) + 1
    room, placed = 1, 0  # free nodes at the current depth
    for depth in range(1, used[-1][0] + 1):
        room = room * arity - per_length.get(depth, 0)
        placed += per_length.get(depth, 0)
        if room < 0:
            raise CodeTableError(f"codeword lengths violate the Kraft inequality for D = {arity}: sum D**-l > 1")
        room = min(room, len(used) - placed + 1)  # enough room for every symbol left: stays enough
    words: list[tuple[int, ...] | None] = [None] * len(lengths)
    code: list[int] = []
    for length, x in used:
        if code:
            j = len(code) - 1
            while code[j] == arity - 1:  # add one in base D (Kraft guarantees no overflow)
                code[j] = 0
                j -= 1
            code[j] += 1
        code.extend([0] * (length - len(code)))
        words[x] = tuple(code)
    return words


def block_layout(arity: int) -> tuple[int, int]:
    """``(g, b)``: g digits per block of b bits, b least with D^g <= 2^b, g/b maximal (module docstring).

    >>> block_layout(2), block_layout(3), block_layout(4), block_layout(5), block_layout(10)
    ((1, 1), (29, 46), (1, 2), (3, 7), (3, 10))
    """
    best = (1, (arity - 1).bit_length())
    g = 1
    while (arity**g - 1).bit_length() <= MAX_PUT:
        b = (arity**g - 1).bit_length()
        if g * best[1] > best[0] * b:
            best = (g, b)
        g += 1
    return best


class DaryHuffmanCode(Code):
    """The D-ary Huffman code for ``q`` (``coders.build("huffman", q, arity=D)``).

    >>> code = DaryHuffmanCode([0.25, 0.25, 0.2, 0.1, 0.1, 0.1], arity=3)   # C&T Example 5.6.3
    >>> code.lengths.tolist(), round(code.expected_length([0.25, 0.25, 0.2, 0.1, 0.1, 0.1]), 10)
    ([1, 1, 2, 2, 3, 3], 1.7)
    >>> code.codeword_strings(), code.kraft_sum(exact=True)   # one dummy leaf: 1 - 1/27
    (('0', '1', '20', '21', '220', '221'), Fraction(26, 27))
    """

    name = "huffman"

    def __init__(self, q, *, arity: int):
        q = as_distribution(q, "q")
        self._setup(dary_huffman_lengths(q, arity), check_arity(arity), q)

    def _setup(self, lengths, arity: int, q: Distribution | None) -> None:
        lengths = np.asarray(lengths, dtype=np.int64)
        if lengths.size > MAX_ALPHABET:
            raise CodeTableError(f"a code table describes at most {MAX_ALPHABET} symbols; got {lengths.size}")
        longest = MAX_CODEWORD_BITS // max(1, (arity - 1).bit_length())  # at most 4096 bits' worth of digits
        if (lengths < 0).any() or (lengths > longest).any():
            x = int(np.flatnonzero((lengths < 0) | (lengths > longest))[0])
            raise CodeTableError(f"codeword lengths of a {arity}-ary code must be in 0..{longest} digits; "
                                 f"lengths[{x}] = {lengths[x]}")
        if (int(lengths.sum()) + 1) * arity > MAX_TRIE_ENTRIES:
            raise CodeTableError(f"a {arity}-ary code with {int(lengths.sum())} codeword digits in all needs a decoding "
                                 f"table above {MAX_TRIE_ENTRIES} entries")
        self.q = q
        self._arity = arity
        self._codewords = canonical_digits(lengths.tolist(), arity)
        self._lengths = lengths
        self._lengths.setflags(write=False)
        self._g, self._b = block_layout(arity)

    # ------------------------------------------------------------------ the table
    @property
    def alphabet_size(self) -> int:
        return self._lengths.size

    @property
    def arity(self) -> int:
        """D: codewords are strings of the digits 0..D-1."""
        return self._arity

    @property
    def lengths(self) -> np.ndarray:
        """Codeword lengths in D-ary digits (0 = no codeword)."""
        return self._lengths

    @property
    def codewords(self) -> tuple[tuple[int, ...] | None, ...]:
        """Codewords as tuples of digits; None for a symbol without one."""
        return tuple(self._codewords)

    def codeword_strings(self) -> tuple[str | None, ...]:
        """Codewords as strings (digits 0-9, then a-z for D <= 36)."""
        if self._arity > 36:
            raise ValueError(f"digits of a {self._arity}-ary code have no one-character names; use .codewords")
        alphabet = "0123456789abcdefghijklmnopqrstuvwxyz"
        return tuple(None if w is None else "".join(alphabet[d] for d in w) for w in self._codewords)

    @property
    def block_digits(self) -> int:
        """g: digits per block of the bit layout."""
        return self._g

    @property
    def block_bits(self) -> int:
        """b: bits per block of the bit layout."""
        return self._b

    @property
    def bits_per_digit(self) -> float:
        """b / g: what a digit costs in the bitstream (log2 D, exactly when D is a power of two)."""
        return self._b / self._g

    # ------------------------------------------------------------------ metrics
    def kraft_sum(self, exact: bool = False) -> float | Fraction:
        """``Σ D**-l(x)``: at most 1, and ``1 - d D**-l_dummy`` short of 1 by the dummies' share."""
        value = sum(Fraction(1, self._arity ** int(length)) for length in self._lengths[self._lengths > 0].tolist())
        return value if exact else float(value)

    def expected_length(self, p) -> float:
        """``E_p[l(X)]`` in D-ary digits per symbol; inf if p puts mass on a symbol without a codeword."""
        p = as_distribution(p, "p")
        check_same_alphabet(p, self, "p", "code")
        if (p.probs[self._lengths == 0] > 0).any():
            return math.inf
        return math.fsum((p.probs * self._lengths).tolist())

    def expected_bits(self, p) -> float:
        """``E_p[l] * log2 D``: the information cost of the digits, in bits per symbol."""
        return self.expected_length(p) * math.log2(self._arity)

    def stream_bits(self, digits: int) -> int:
        """Bits of the layout for a message of ``digits`` digits: ``ceil(digits / g) * b``."""
        return -(-int(digits) // self._g) * self._b

    def min_bits(self, n: int) -> int:
        """The fewest bits any message of n symbols takes (all of the shortest codeword)."""
        return self.stream_bits(int(n) * int(self._lengths[self._lengths > 0].min()))

    def message_digits(self, symbols) -> int:
        """``Σ l(x_i)``: the digits of a message (before the bit layout)."""
        arr = as_symbols(symbols, self.alphabet_size)
        return int(self._lengths[arr].sum()) if arr.size else 0

    # ------------------------------------------------------------------ coding
    @cached_property
    def _tables(self):
        flat = np.array([d for w in self._codewords if w for d in w], dtype=np.uint8 if self._arity <= 256 else np.int64)
        offsets = codeword_offsets(self._lengths)
        children = kernels.build_trie(self._lengths, flat, offsets, self._arity)
        return flat, offsets, children

    def encode(self, symbols) -> bitarray:
        """The digits of the codewords in the block layout: ``stream_bits(Σ l(x_i))`` bits."""
        arr = as_symbols(symbols, self.alphabet_size)
        if arr.size == 0:
            return bitarray(endian="big")
        missing = self._lengths[arr] == 0
        if missing.any():
            i = int(np.flatnonzero(missing)[0])
            raise EncodeError(f"symbol {arr[i]} at position {i} has no codeword "
                              "(its probability under the code's model is 0)")
        total = self.stream_bits(int(self._lengths[arr].sum()))
        out = np.zeros((total + 7) // 8, dtype=np.uint8)
        flat, offsets, _ = self._tables
        kernels.encode(arr, self._lengths, flat, offsets, self._arity, self._g, self._b, out)
        return bytes_to_bits(out, total)

    def decode_partial(self, bits, n: int, *, dtype=np.int64) -> tuple[np.ndarray, int]:
        bits = as_bits(bits)
        n = check_count(n)
        most = (len(bits) // self._b) * self._g  # every codeword has at least one digit
        out = symbol_buffer(min(n, most), dtype, self.alphabet_size)
        if n > most:
            raise_too_short(n, len(bits), most)
        _, _, children = self._tables
        status, done, pos = kernels.decode(bits_to_bytes(bits), len(bits), n, children, self._arity,
                                           self._g, self._b, self._arity**self._g, out)
        raise_for_status(status, done, pos, n, len(bits), "block")
        return out, int(pos)

    # ------------------------------------------------------------------ serialisation
    def to_dict(self) -> dict[str, Any]:
        return {"coder": self.name, "version": 1, "alphabet_size": self.alphabet_size, "arity": self._arity,
                "lengths": self._lengths.tolist()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DaryHuffmanCode:
        lengths = require_field(data, "lengths", list)
        table_alphabet_size(data, MAX_ALPHABET, count=len(lengths))
        arity = require_field(data, "arity", int)
        if any(isinstance(v, bool) or not isinstance(v, int) for v in lengths):
            raise CodeTableError("code table field 'lengths' must be a list of integers")
        with table_errors():
            arity = check_arity(arity)
        obj = cls.__new__(cls)
        obj._setup(lengths, arity, None)
        return obj

    def __repr__(self) -> str:
        return f"DaryHuffmanCode(K={self.alphabet_size}, arity={self._arity}, max_length={int(self._lengths.max())})"


__all__ = ["DaryHuffmanCode", "block_layout", "canonical_digits", "dary_huffman_lengths", "dummy_count"]
